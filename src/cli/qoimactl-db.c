/* qoimactl-db.c: `qoimactl db`, preparing a shared PostgreSQL server for a hospital
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoimactl"

#include "config.h"

#include "qoimactl.h"

#include "qoima-db.h"
#include "qoima-store-migrations-pg.h"

#include <glib/gi18n.h>
#include <stdio.h>

int
qoimactl_db (QoimactlOptions  *options,
             int               argc,
             char            **argv)
{
  g_autoptr(GError) error = NULL;
  const char *action = argc > 1 ? argv[1] : "";
  gboolean auditor = FALSE;
  QoimaDb *db;
  gboolean ok;

  if (g_str_equal (action, "add-login") && argc == 5 && g_str_equal (argv[4], "--auditor"))
    auditor = TRUE;
  if (g_str_equal (action, "import") && argc == 4 && qoima_db_location_is_postgresql (argv[3]))
    {
      gint64 copied;

      if ((db = qoima_db_open (argv[3], &error)) == NULL)
        return qoimactl_fail (error);
      copied = qoima_store_pg_import (db, argv[2], &error);
      if (copied >= 0)
        printf (g_dngettext (GETTEXT_PACKAGE, "%lld row copied to %s; the audit trail verifies there.\n",
                             "%lld rows copied to %s; the audit trail verifies there.\n", copied),
                (long long) copied, qoima_db_get_display_location (db));
      qoima_db_close (db);
      return copied >= 0 ? 0 : qoimactl_fail (error);
    }
  if (!((g_str_equal (action, "init") && argc == 3) ||
        (g_str_equal (action, "add-login") && (argc == 4 || auditor))) ||
      !qoima_db_location_is_postgresql (argv[2]))
    {
      fprintf (stderr, "%s\n", _("Usage: qoimactl db init postgresql://… | add-login postgresql://… NAME [--auditor] | "
                                 "import FILE.db postgresql://…"));
      return 2;
    }

  db = qoima_db_open (argv[2], &error);
  if (db == NULL)
    return qoimactl_fail (error);
  if (g_str_equal (action, "init"))
    ok = qoima_store_pg_init (db, &error);
  else
    ok = qoima_store_pg_add_login (db, argv[3], auditor, &error);
  if (ok && g_str_equal (action, "init"))
    printf (_("The warehouse database on %s is ready for Qoima.\n"), qoima_db_get_display_location (db));
  else if (ok)
    printf (_("The login %s may now connect; give it a password or a certificate on the server.\n"), argv[3]);
  qoima_db_close (db);
  return ok ? 0 : qoimactl_fail (error);
}
