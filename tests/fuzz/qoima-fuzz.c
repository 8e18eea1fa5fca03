/* qoima-fuzz.c: what every libFuzzer harness of tests/fuzz shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-fuzz.h"

#include <stdlib.h>
#include <string.h>

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

void
qoima_fuzz_init (void)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
  /* Messages logged the old way (libraries without structured logging) go the same way. */
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GIO_USE_VFS", "local", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
}

static gboolean
wait_timeout_cb (gpointer user_data)
{
  g_printerr ("qoima-fuzz: the operation did not finish in time\n");
  abort ();
  return G_SOURCE_REMOVE;
}

void
qoima_fuzz_wait (gboolean *done,
                 unsigned  seconds)
{
  guint timeout_id = g_timeout_add_seconds (seconds, wait_timeout_cb, NULL);

  while (!*done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout_id);
}

char *
qoima_fuzz_strndup (const uint8_t *data,
                    size_t         size)
{
  return g_strndup ((const char *) data, size);
}

char *
qoima_fuzz_pki_path (const char *name)
{
  const char *dir = g_getenv ("QOIMA_PKI_DIR");

  if (dir == NULL)
    {
      g_printerr ("qoima-fuzz: QOIMA_PKI_DIR is not set (the build's tests/pki)\n");
      abort ();
    }
  return g_build_filename (dir, name, NULL);
}
