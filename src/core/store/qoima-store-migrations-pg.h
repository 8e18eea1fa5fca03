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

G_END_DECLS
