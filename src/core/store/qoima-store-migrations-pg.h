/* qoima-store-migrations-pg.h: the warehouse schema on a PostgreSQL server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "qoima-db.h"

G_BEGIN_DECLS

/* Brings the server database @db up to QOIMA_STORE_SCHEMA_VERSION in one transaction, under
 * the writers' lock, so that workstations starting at once migrate it once. Fails with
 * QOIMA_STORE_ERROR_TOO_NEW for a database a newer Qoima wrote. */
gboolean qoima_store_migrate_pg (QoimaDb  *db,
                                 GError  **error);

/*
 * Prepares a server database for Qoima, as its administrator (@db connected as a role that
 * may create roles): the roles, then the schema made by their owner.
 * - qoima_owner (no login) owns the tables and the audit functions;
 * - qoima_app (no login) is what each workstation's login is a member of: it reads and
 *   writes the stock, but may not change or delete the journal, transfer documents or
 *   frozen count findings, and may not write the audit trail except through its triggers;
 * - qoima_auditor (no login) reads everything and changes nothing.
 * Safe to run again: what exists is kept.
 */
gboolean qoima_store_pg_init     (QoimaDb     *db,
                                  GError     **error);
/* A workstation's login @name (a member of qoima_app); its password or certificate is
 * the hospital IT's to set on the server, never Qoima's. */
gboolean qoima_store_pg_add_login (QoimaDb    *db,
                                   const char *name,
                                   gboolean    auditor,
                                   GError    **error);

/*
 * Moves a single-PC warehouse onto the server whole: every table of the SQLite file at
 * @sqlite_path, the audit trail included, row by row as it is (the audit rows keep their
 * hashes, so the chain goes on verifying), in one transaction into the empty, initialized
 * server database @db. Triggers are off while the rows are copied (the rows already carry
 * what the triggers would have made), which needs a superuser. Then verifies: the same
 * number of rows in each table and the audit chain whole on the server, ending on the
 * file's last hash. Returns the number of rows copied, -1 on failure.
 */
gint64   qoima_store_pg_import   (QoimaDb     *db,
                                  const char  *sqlite_path,
                                  GError     **error);
/* Recomputes the server's audit chain: the id of its first broken row, 0 when it holds,
 * -1 on failure. */
gint64   qoima_store_pg_verify_audit (QoimaDb  *db,
                                      GError  **error);

G_END_DECLS
