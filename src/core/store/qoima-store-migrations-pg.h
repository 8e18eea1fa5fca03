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

G_END_DECLS
