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
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* `qoimactl db password URI`: the login's password, read from standard input (its first line;
 * typed without echo at a terminal), saved in the system keyring of the user who runs it, then
 * tried: the workstation connects the way Qoima will. */
static int
db_password (const char *uri)
{
  g_autoptr(GError) error = NULL;
  char line[QOIMACTL_LINE_MAX + 1];
  gboolean too_long = FALSE;
  gboolean terminal = isatty (STDIN_FILENO);
  struct termios saved;
  gssize length;
  QoimaDb *db;

  if (!qoima_db_location_check (uri, &error))
    return qoimactl_fail (error);
  if (terminal && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      struct termios quiet = saved;

      quiet.c_lflag &= ~(tcflag_t) ECHO;
      fprintf (stderr, "%s", _("Password: "));
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
      length = qoimactl_read_line (stdin, line, sizeof line, &too_long);
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fprintf (stderr, "\n");
    }
  else
    length = qoimactl_read_line (stdin, line, sizeof line, &too_long);
  if (length > 0 && line[length - 1] == '\r')
    line[--length] = '\0';
  if (length <= 0 || too_long || strlen (line) != (size_t) length)
    {
      explicit_bzero (line, sizeof line);
      qoimactl_print_error ("%s", _("Give the password on standard input, one line."));
      return 2;
    }

  if (!qoima_db_save_password_sync (uri, line, NULL, &error))
    {
      explicit_bzero (line, sizeof line);
      return qoimactl_fail (error);
    }
  explicit_bzero (line, sizeof line);

  db = qoima_db_open (uri, &error);
  if (db == NULL)
    {
      qoimactl_print_error (_("The password was saved in the keyring, but the connection failed: %s"),
                            error->message);
      return 1;
    }
  printf (_("The password is saved in the keyring, and %s accepts it.\n"), qoima_db_get_display_location (db));
  qoima_db_close (db);
  return 0;
}

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

  if (g_str_equal (action, "password") && argc == 3 && qoima_db_location_is_postgresql (argv[2]))
    return db_password (argv[2]);
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
                                 "import FILE.db postgresql://… | password postgresql://… < PASSWORD"));
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
