/* qoima-db-private.h: what a database backend implements (qoima-db-sqlite.c, qoima-db-pg.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "qoima-db.h"

#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct
{
  QoimaDbKind kind;
  void         (*close)        (QoimaDb *db);
  gboolean     (*exec)         (QoimaDb *db, const char *sql, GError **error);
  gboolean     (*begin_write)  (QoimaDb *db, GError **error);
  gboolean     (*begin_read)   (QoimaDb *db, GError **error);
  gboolean     (*commit)       (QoimaDb *db, GError **error);
  void         (*rollback)     (QoimaDb *db);
  char        *(*now_iso8601)  (QoimaDb *db, GError **error);
  QoimaDbStmt *(*prepare)      (QoimaDb *db, const char *sql, GError **error);
  void         (*finalize)     (QoimaDbStmt *stmt);
  void         (*reset)        (QoimaDbStmt *stmt);
  void         (*bind_int64)   (QoimaDbStmt *stmt, int index, gint64 value);
  void         (*bind_text)    (QoimaDbStmt *stmt, int index, const char *value);
  void         (*bind_bytes)   (QoimaDbStmt *stmt, int index, GBytes *value);
  void         (*bind_null)    (QoimaDbStmt *stmt, int index);
  QoimaDbStep  (*step)         (QoimaDbStmt *stmt, GError **error);
  gboolean     (*column_is_null) (QoimaDbStmt *stmt, int column);
  gint64       (*column_int64) (QoimaDbStmt *stmt, int column);
  const char  *(*column_text)  (QoimaDbStmt *stmt, int column);
  GBytes      *(*column_bytes) (QoimaDbStmt *stmt, int column);
  gint64       (*changes)      (QoimaDbStmt *stmt);
  gboolean     (*notify)       (QoimaDb *db, const char *channel, GError **error);
  /* NULL for a backend that cannot lose its database (SQLite). */
  gboolean     (*is_connected) (QoimaDb *db);
  gboolean     (*reconnect)    (QoimaDb *db, GError **error);
} QoimaDbBackend;

/* The part every backend's connection starts with. */
struct _QoimaDb
{
  const QoimaDbBackend *backend;
  char *display_location;
  GHashTable *statements; /* SQL text → QoimaDbStmt, for the connection's lifetime */
  gboolean duplicate;     /* the last error was a unique key's: set by the backends */
};

struct _QoimaDbStmt
{
  QoimaDb *db;
  char *sql;
};

QoimaDb *qoima_db_sqlite_open (const char *path, GError **error);
QoimaDb *qoima_db_pg_open     (const char *uri, GError **error);
/* The store's own SQLite handle, which it opened its careful way (read-only, exclusive
 * locking on a full disk, the checkpointer), seen through the interface; closing the
 * QoimaDb leaves the handle open. */
QoimaDb *qoima_db_sqlite_new_for_handle (sqlite3 *handle, const char *path);

GSource *qoima_db_sqlite_listen_source_new (const char *path, const char *channel,
                                            QoimaDbNotifyFunc func, gpointer user_data,
                                            GDestroyNotify destroy);
GSource *qoima_db_pg_listen_source_new     (const char *uri, const char *channel,
                                            QoimaDbNotifyFunc func, gpointer user_data,
                                            GDestroyNotify destroy, GError **error);

/* "?N" (and a bare "?", numbered in order) as PostgreSQL's "$N", outside quotes and comments. */
char    *qoima_db_sql_to_postgresql (const char *sql);
/* A PostgreSQL URI without its password, for messages. */
char    *qoima_db_uri_without_password (const char *uri);

/* The keyring (qoima-db-secret.c). The attributes a server's password is saved under (host,
 * port, dbname, user, as libpq resolves them from @uri). A lookup gives the saved password
 * (free it with secret_password_free(), which wipes it), or NULL: with @error set when the
 * keyring cannot be read, without when nothing is saved for the server. */
GHashTable *qoima_db_secret_attributes    (const char *uri, GError **error);
char       *qoima_db_secret_lookup        (const char *uri, GError **error);
void        qoima_db_secret_lookup_async  (const char *uri, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
char       *qoima_db_secret_lookup_finish (GAsyncResult *result, GError **error);

G_END_DECLS
