/* qoimactl.h: the subcommands of qoimactl
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdio.h>

#include "qoima-gs1.h"

#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/* Global options, parsed before the subcommand. */
typedef struct {
  char *db_path;       /* --db PATH; NULL = the user's data directory */
  char *server;        /* --server URL: the True API base */
  char *key;           /* --key FILE.p12: the signing key (documents) */
  char *auth_key;      /* --auth-key FILE.p12: the login key; --key when not given */
  char *password_file; /* --password-file FILE: the keys' password, first line (and the --user's) */
  char *key_password_file; /* --key-password-file FILE: the keys' password when --user has its own */
  char *catalog;       /* --catalog URL: the НКТ base; derived from --server when not given */
  char *api_key_file;  /* --api-key-file FILE: the НКТ X-API-KEY */
  char *user;          /* --user NAME: the acting user, with --password-file */
  char *list_grace;    /* --list-grace SECONDS: how long an unlisted sent document is waited for */
} QoimactlOptions;

/* Waiting on an async call from the command line: pass qoimactl_wait_cb and a
 * QoimactlWait, then take the result with qoimactl_wait_for_result(). */
typedef struct {
  gboolean done;
  GAsyncResult *result;
} QoimactlWait;

#define QOIMACTL_WAIT_INIT { FALSE, NULL }

void          qoimactl_wait_cb         (GObject      *source,
                                        GAsyncResult *result,
                                        gpointer      user_data);
/* Says an error on standard error, after "qoimactl: " and with a newline: every error
 * qoimactl prints goes through here, so that they all start the same way. */
void          qoimactl_print_error     (const char   *format,
                                        ...) G_GNUC_PRINTF (1, 2);
/* Says @error on standard error (qoimactl_print_error()); returns the exit status 1. */
int           qoimactl_fail            (const GError *error);
/* The longest line qoimactl reads (scans, code lists, passwords): the longest scan the
 * parser takes, so that a line that long still reaches it and is refused there. */
#define QOIMACTL_LINE_MAX QOIMA_GS1_MAX_SCAN_BYTES

/* Reads one line of @in into @buf (@size bytes) without its newline, nul-terminated.
 * At most @size - 1 bytes are kept: the rest of a longer line is read and dropped,
 * and *@too_long says so. The line may hold NULs: the length says where it ends.
 * Returns the number of bytes kept, or -1 at the end of the input (or on an error:
 * check ferror()). */
gssize        qoimactl_read_line       (FILE        *in,
                                        char        *buf,
                                        gsize        size,
                                        gboolean    *too_long);
/* The first line of @path without its line ending: passwords and keys come this way, so
 * that they never appear on a command line. A NUL in it, or a line longer than
 * QOIMACTL_LINE_MAX, is an error. */
char         *qoimactl_read_first_line (const char  *path,
                                        GError     **error);
/* Returns (transfer full) the result of the call that got qoimactl_wait_cb. */
GAsyncResult *qoimactl_wait_for_result (QoimactlWait *wait);

/* Each returns the process exit status. argv[0] is the subcommand name. */
int         qoimactl_parse (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_demo  (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_stock (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_sync  (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_acts  (QoimactlOptions *options, int argc, char **argv);
/* accept and reject */
int         qoimactl_answer (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_users  (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_audit  (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_wards  (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_settings (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_move   (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_withdrawals (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_withdraw    (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_write_off   (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_use    (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_units  (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_transfers (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_count  (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_db     (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_report (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_register  (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_reference (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_application (QoimactlOptions *options, int argc, char **argv);
int         qoimactl_copay  (QoimactlOptions *options, int argc, char **argv);

/* The user named by --user, authenticated with the first line of --password-file;
 * NULL with no error when no --user was given. */
QoimaUser  *qoimactl_authenticate (QoimactlOptions *options, QoimaStore *store, GError **error);

/* A location by its id or its name (Russian or Kazakh); 0 with @error set when none. */
gint64      qoimactl_find_location (QoimaStore *store, const char *key, GError **error);

/* Opens the store named by the options, running a main loop until it is open. */
QoimaStore *qoimactl_open_store (QoimactlOptions *options, GError **error);
/* Runs the default main context until *done is TRUE. */
void        qoimactl_wait (gboolean *done);
/* The default database path: $XDG_DATA_HOME/qoima/qoima.db */
char       *qoimactl_default_db_path (void);

G_END_DECLS
