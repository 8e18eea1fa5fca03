/* qoima-i18n.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-i18n.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

static const char *
choose_localedir (void)
{
  const char *env = g_getenv ("QOIMA_LOCALEDIR");

  /* A build that is not installed has its catalogs only in the build tree. */
  if (env != NULL && env[0] != '\0')
    return env;
  return LOCALEDIR;
}

void
qoima_i18n_init (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, choose_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

char *
qoima_format_count (gint64 count)
{
  /* The UI's language, as gettext picks it, not LC_NUMERIC: a Russian UI on a C locale
   * still groups as Russian readers expect. */
  const char *language = g_get_language_names_with_category ("LC_MESSAGES")[0];
  const char *separator = g_str_has_prefix (language, "ru") || g_str_has_prefix (language, "kk")
                          ? "\u00A0" : ",";
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                             count < 0 ? (guint64) -(count + 1) + 1 : (guint64) count);
  GString *out = g_string_new (count < 0 ? "-" : NULL);
  gsize n = strlen (digits);

  for (gsize i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

const char *
qoima_i18n_get_localedir (void)
{
  return choose_localedir ();
}
