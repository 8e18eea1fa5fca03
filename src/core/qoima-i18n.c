/* qoima-i18n.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-i18n.h"

#include <glib/gi18n.h>
#include <locale.h>

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

const char *
qoima_i18n_get_localedir (void)
{
  return choose_localedir ();
}
