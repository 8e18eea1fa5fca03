/* fuzz-pkcs12.c: a key file (PKCS#12) as a user picks it, with the test keys' password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-fuzz.h"
#include "qoima-signer-pkcs12.h"

#include <gio/gio.h>
#include <stdlib.h>

static GFile *key_file;
static char *password;

static void
remove_key_file (void)
{
  g_autoptr(GFile) dir = g_file_get_parent (key_file);

  g_file_delete (key_file, NULL, NULL);
  g_file_delete (dir, NULL, NULL);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(QoimaSignerPkcs12) signer = NULL;
  g_autoptr(GError) error = NULL;

  signer = qoima_signer_pkcs12_load_finish (result, &error);
  if ((signer == NULL) == (error == NULL))
    abort ();
  if (signer != NULL && qoima_signer_get_certificate (QOIMA_SIGNER (signer)) == NULL)
    abort ();
  *done = TRUE;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *password_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  qoima_fuzz_init ();
  password_path = qoima_fuzz_pki_path ("password.txt");
  if (!g_file_get_contents (password_path, &password, NULL, &error))
    g_error ("%s", error->message);
  g_strchomp (password);

  dir = g_dir_make_tmp ("qoima-fuzz-pkcs12-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  path = g_build_filename (dir, "key.p12", NULL);
  key_file = g_file_new_for_path (path);
  atexit (remove_key_file);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  if (!g_file_replace_contents (key_file, (const char *) data, size, NULL, FALSE,
                                G_FILE_CREATE_NONE, NULL, NULL, &error))
    g_error ("%s", error->message);
  qoima_signer_pkcs12_load_async (key_file, password, NULL, loaded_cb, &done);
  qoima_fuzz_wait (&done, 20);
  return 0;
}
