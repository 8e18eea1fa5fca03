/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-application.h"
#include "qoima-i18n.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(QoimaApplication) app = NULL;

  qoima_i18n_init ();

  app = qoima_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
