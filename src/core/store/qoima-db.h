/* qoima-db.h: the store's database backends, SQLite and PostgreSQL, behind one interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store talks to a database through these few calls, so that the same operations run on
 * an embedded SQLite file (one PC, the demo, most tests) and on a shared PostgreSQL server
 * (several workstations of one hospital). A location chooses the backend: a path is SQLite,
 * a `postgresql://` (or `postgres://`) URI is PostgreSQL.
 *
 * Statements are written once, with SQLite's numbered parameters (?1, ?2…) in SQL both
 * engines understand (RETURNING, ON CONFLICT, IS DISTINCT FROM, FILTER); the PostgreSQL
 * backend numbers them its way. What the engines do not share (triggers, hashing, dates)
 * lives in each backend's own migrations, numbered alike.
 *
 * A QoimaDb is used by one thread at a time (the store's worker); the notifications source
 * is the exception, attached to the main context on a connection of its own.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  QOIMA_DB_SQLITE,
  QOIMA_DB_POSTGRESQL,
} QoimaDbKind;

typedef enum {
  QOIMA_DB_ERROR_STEP = -1,
  QOIMA_DB_DONE = 0,
  QOIMA_DB_ROW = 1,
} QoimaDbStep;

typedef struct _QoimaDb QoimaDb;
typedef struct _QoimaDbStmt QoimaDbStmt;

/* Whether @location names a PostgreSQL server rather than an SQLite file. */
gboolean     qoima_db_location_is_postgresql (const char *location);

/* Whether @location may be kept as a workstation's setting: a file path, or a PostgreSQL URI
 * that parses and holds no password (a password belongs in ~/.pgpass, a client certificate
 * or the system keyring, never in GSettings). Errors are QOIMA_STORE_ERROR_CANNOT_OPEN, in
 * the user's language. */
gboolean     qoima_db_location_check  (const char  *location,
                                       GError     **error);

/* @location as it may be shown or logged: a PostgreSQL URI without its password. */
char        *qoima_db_location_for_display (const char *location);

/* Saves @password for the PostgreSQL server at @location (a URI without a password) in the
 * system keyring (libsecret), under the server, port, database and login the URI names, where
 * the backend looks it up when the server asks for a password that neither ~/.pgpass nor a
 * client certificate gives. Errors are QOIMA_STORE_ERROR codes, in the user's language. */
void         qoima_db_save_password_async  (const char          *location,
                                            const char          *password,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean     qoima_db_save_password_finish (GAsyncResult        *result,
                                            GError             **error);
/* The same, blocking: for qoimactl and the worker thread, never the main loop. */
gboolean     qoima_db_save_password_sync   (const char          *location,
                                            const char          *password,
                                            GCancellable        *cancellable,
                                            GError             **error);

/* Opens the database at @location (a path or a PostgreSQL URI). Errors are
 * QOIMA_STORE_ERROR codes, in the user's language, naming the location without a password. */
QoimaDb     *qoima_db_open            (const char   *location,
                                       GError      **error);
void         qoima_db_close           (QoimaDb      *db);
QoimaDbKind  qoima_db_get_kind        (QoimaDb      *db);
/* The location as it may be shown: a URI without its password. */
const char  *qoima_db_get_display_location (QoimaDb *db);

/* Whether the connection is up, as far as its last use showed: FALSE once a statement found
 * the PostgreSQL server gone (QOIMA_STORE_ERROR_CONNECTION_LOST), until
 * qoima_db_reconnect() succeeds. An SQLite file is always connected. */
gboolean     qoima_db_is_connected    (QoimaDb      *db);
/* Connects again to a lost server, waiting for it (call it off the main loop), and sets the
 * new session up as qoima_db_open() did. The server rolled back the lost session's
 * transaction; its prepared statements went with it and are prepared again at their next
 * use (so no statement may be held across this call). TRUE at once when connected. */
gboolean     qoima_db_reconnect       (QoimaDb      *db,
                                       GError      **error);

/* Runs @sql, which may hold several statements and no parameters. */
gboolean     qoima_db_exec            (QoimaDb      *db,
                                       const char   *sql,
                                       GError      **error);

/* A write transaction, serialized with every other writer of the database: SQLite's
 * BEGIN IMMEDIATE; on PostgreSQL READ COMMITTED and a transaction-level advisory lock, so
 * that check-then-write code (the last unit of a pack, numbering, the audit chain) keeps
 * its meaning across workstations. */
gboolean     qoima_db_begin_write     (QoimaDb      *db,
                                       GError      **error);
/* A read transaction: one consistent view. */
gboolean     qoima_db_begin_read      (QoimaDb      *db,
                                       GError      **error);
gboolean     qoima_db_commit          (QoimaDb      *db,
                                       GError      **error);
/* Ends the transaction, if any, without its changes; never fails. */
void         qoima_db_rollback        (QoimaDb      *db);

/* The database's clock, UTC, as the store writes times ("2026-12-04T08:00:00Z"): rules
 * that depend on time read the server's, not the workstation's. */
char        *qoima_db_now_iso8601     (QoimaDb      *db,
                                       GError      **error);

/* A statement, prepared once per connection and kept: released (reset and its bindings
 * cleared) by the autoptr cleanup, ready for the next use. */
QoimaDbStmt *qoima_db_prepare         (QoimaDb      *db,
                                       const char   *sql,
                                       GError      **error);
void         qoima_db_stmt_release    (QoimaDbStmt  *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaDbStmt, qoima_db_stmt_release)

/* Parameters, numbered from 1 as in the SQL. Text is copied. */
void         qoima_db_bind_int64      (QoimaDbStmt  *stmt,
                                       int           index,
                                       gint64        value);
void         qoima_db_bind_text       (QoimaDbStmt  *stmt,
                                       int           index,
                                       const char   *value);
void         qoima_db_bind_bytes      (QoimaDbStmt  *stmt,
                                       int           index,
                                       GBytes       *value);
void         qoima_db_bind_null       (QoimaDbStmt  *stmt,
                                       int           index);

/* The next row, or DONE; on failure QOIMA_DB_ERROR_STEP with @error set. */
QoimaDbStep  qoima_db_step            (QoimaDbStmt  *stmt,
                                       GError      **error);
/* Runs a statement that returns no rows to its end. */
gboolean     qoima_db_step_done       (QoimaDbStmt  *stmt,
                                       GError      **error);

/* Whether the last failure on @db broke a unique key (a code already there), rather than
 * another rule: SQLite's UNIQUE or PRIMARY KEY, PostgreSQL's 23505. */
gboolean     qoima_db_last_error_is_duplicate (QoimaDb *db);

/* Runs an INSERT … RETURNING id to its end: the new row's id, or -1 with @error set. */
gint64       qoima_db_step_id         (QoimaDbStmt  *stmt,
                                       GError      **error);

/* Columns of the current row, numbered from 0. */
gboolean     qoima_db_column_is_null  (QoimaDbStmt  *stmt,
                                       int           column);
gint64       qoima_db_column_int64    (QoimaDbStmt  *stmt,
                                       int           column);
/* Borrowed until the next step or release; NULL for SQL NULL. */
const char  *qoima_db_column_text     (QoimaDbStmt  *stmt,
                                       int           column);
GBytes      *qoima_db_column_bytes    (QoimaDbStmt  *stmt,
                                       int           column);
/* Rows the statement's last run inserted, updated or deleted. */
gint64       qoima_db_changes         (QoimaDbStmt  *stmt);

/* Notifications: after a commit that changed stock, the store notifies @channel; other
 * workstations (PostgreSQL LISTEN/NOTIFY) and, on SQLite, this process's own listeners
 * hear it. Sent at commit, never for a rolled-back transaction. */
gboolean     qoima_db_notify          (QoimaDb      *db,
                                       const char   *channel,
                                       GError      **error);

typedef void (*QoimaDbNotifyFunc) (const char *channel,
                                   gpointer    user_data);

/* A source on the main context that calls @func for each notification of @channel made by
 * any connection to the database at @location (another process too, on PostgreSQL).
 * On PostgreSQL the source connects again by itself when its connection is lost: @func is
 * called with a NULL channel when it is lost (the server may be gone), and with @channel
 * once it listens again, since changes made meanwhile were not heard. */
GSource     *qoima_db_listen_source_new (const char        *location,
                                         const char        *channel,
                                         QoimaDbNotifyFunc  func,
                                         gpointer           user_data,
                                         GDestroyNotify     destroy,
                                         GError           **error);

G_END_DECLS
