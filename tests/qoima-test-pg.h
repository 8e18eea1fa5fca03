/* qoima-test-pg.h: a throwaway PostgreSQL server for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _QoimaTestPg QoimaTestPg;

/* Starts a PostgreSQL server in a temporary folder, listening only on a Unix socket there
 * (initdb + pg_ctl from QOIMA_PG_BINDIR, which meson sets when it found them). As root, the
 * server runs as the "postgres" user, since initdb refuses root. NULL with @error set when
 * it cannot start; NULL with no error when no PostgreSQL is installed (the caller skips). */
QoimaTestPg *qoima_test_pg_start   (GError     **error);
/* A URI of a new, empty database on the server. */
char        *qoima_test_pg_new_database (QoimaTestPg  *self,
                                         const char   *name,
                                         GError      **error);
/* Makes the server ask for passwords as a hospital's does (pg_hba scram-sha-256 on the
 * socket; qoima_admin alone keeps trust), with a login @role of @password owning a new
 * database @name: its URI, without the password. */
char        *qoima_test_pg_new_password_login (QoimaTestPg  *self,
                                               const char   *name,
                                               const char   *role,
                                               const char   *password,
                                               GError      **error);
void         qoima_test_pg_stop    (QoimaTestPg  *self);
/* Stops the server as an administrator or a power cut would end it for the workstations
 * (pg_ctl stop -m fast: every session ends, its transaction rolled back); its data stays,
 * for qoima_test_pg_resume(), which starts it again on the same socket and port. */
gboolean     qoima_test_pg_halt    (QoimaTestPg  *self,
                                    GError      **error);
gboolean     qoima_test_pg_resume  (QoimaTestPg  *self,
                                    GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaTestPg, qoima_test_pg_stop)

G_END_DECLS
