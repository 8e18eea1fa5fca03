/* qoima-store-audit.h: the hash-chained audit trail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "qoima-db.h"
#include "qoima-store.h"

G_BEGIN_DECLS

/**
 * qoima_audit_verify:
 * @db: an open Qoima database, SQLite (schema 3 or later) or PostgreSQL
 * @n_rows: (out) (optional): the number of audit rows checked
 * @broken_row: (out) (optional): the id of the first broken row, 0 when the chain holds
 *
 * Recomputes the audit trail's SHA-256 chain from its first row. Fails with
 * %QOIMA_STORE_ERROR_CORRUPT naming the first row that was edited, deleted (a gap in
 * the ids) or inserted out of the chain. Cutting rows off the end of the trail leaves a
 * shorter chain that still holds, so it also checks that the append-only rows (users,
 * patients, movements, withdrawals owed, transfers) still have the audit rows written with
 * them; then @broken_row is the row after the last one left.
 */
gboolean qoima_audit_verify                (QoimaDb       *db,
                                            gint64        *n_rows,
                                            gint64        *broken_row,
                                            GError       **error);
/* The same on an SQLite handle of one's own (the tests', a tool's). */
gboolean qoima_audit_verify_db             (sqlite3       *db,
                                            gint64        *n_rows,
                                            gint64        *broken_row,
                                            GError       **error);

/* qoima_audit_verify() on the store's worker thread. */
void     qoima_store_verify_audit_async    (QoimaStore           *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean qoima_store_verify_audit_finish   (QoimaStore    *self,
                                            GAsyncResult  *result,
                                            gint64        *n_rows,
                                            gint64        *broken_row,
                                            GError       **error);

/* The hex SHA-256 of @len bytes, as the SQL function sha256() returns it. */
char    *qoima_audit_sha256_hex            (const void    *data,
                                            gsize          len);

G_END_DECLS
