/* fuzz-cms.c: a CMS signature (DER, or base64 as NCALayer and the stand receive it) checked
 * against the test CA
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte chooses: bit 0, the rest is base64 text (else DER); bit 1, a detached
 * signature over a fixed document (else attached).
 */

#include "config.h"

#include "qoima-cms-private.h"
#include "qoima-cms.h"
#include "qoima-fuzz.h"

#include <stdlib.h>

static GBytes *trusted_ca;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *pem = NULL;
  gsize len = 0;

  qoima_fuzz_init ();
  path = qoima_fuzz_pki_path ("ca.pem");
  if (!g_file_get_contents (path, &pem, &len, &error))
    g_error ("%s", error->message);
  trusted_ca = g_bytes_new_take (pem, len);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char document[] = "{\"document_format\":\"MANUAL\"}";
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) detached = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(QoimaCertificate) signer = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (size < 1)
    return -1;
  if (data[0] & 1)
    {
      g_autofree char *text = qoima_fuzz_strndup (data + 1, size - 1);

      cms = qoima_cms_decode_base64 (text, &error);
      if ((cms == NULL) == (error == NULL))
        abort ();
      if (cms == NULL)
        return 0;
    }
  else
    cms = g_bytes_new (data + 1, size - 1);
  if (data[0] & 2)
    detached = g_bytes_new_static (document, sizeof document - 1);

  ok = qoima_cms_verify (cms, detached, trusted_ca, &content, &signer, &error);
  if (ok == (error != NULL) || (ok && signer == NULL))
    abort ();
  return 0;
}
