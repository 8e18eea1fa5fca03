/* qoima-db-sqlite.c: the embedded backend, one SQLite file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-store"

#include "config.h"

#include "qoima-db-private.h"

#include "qoima-error.h"
#include "qoima-store-private.h"

#include <sqlite3.h>

typedef struct
{
  QoimaDb parent;
  sqlite3 *handle;
  char *path;
  GPtrArray *pending; /* channels notified in the open transaction */
  gboolean borrowed;  /* the handle is the store's, which closes it */
} SqliteDb;

typedef struct
{
  QoimaDbStmt parent;
  sqlite3_stmt *handle;
  gint64 changes;
} SqliteStmt;

static void
set_error (SqliteDb  *self,
           int        rc,
           GError   **error)
{
  self->parent.duplicate = rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
  qoima_store_set_sqlite_error (error, self->handle, rc, self->path);
}

/* Listeners in this process, by path and channel: SQLite has no NOTIFY of its own. */
typedef struct
{
  GSource source;
  char *path;
  char *channel;
  GMutex lock;
  guint pending;
} NotifySource;

G_LOCK_DEFINE_STATIC (listeners);
static GSList *listeners;

static void
deliver (const char *path,
         const char *channel)
{
  G_LOCK (listeners);
  for (GSList *l = listeners; l != NULL; l = l->next)
    {
      NotifySource *source = l->data;

      if (g_str_equal (source->path, path) && g_str_equal (source->channel, channel))
        {
          g_mutex_lock (&source->lock);
          source->pending++;
          g_mutex_unlock (&source->lock);
          /* Thread-safe: the commit runs on the store's worker. */
          g_source_set_ready_time ((GSource *) source, 0);
        }
    }
  G_UNLOCK (listeners);
}

static gboolean
notify_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  NotifySource *self = (NotifySource *) source;
  QoimaDbNotifyFunc func = (QoimaDbNotifyFunc) (void (*) (void)) callback;
  guint pending;

  g_source_set_ready_time (source, -1);
  g_mutex_lock (&self->lock);
  pending = self->pending;
  self->pending = 0;
  g_mutex_unlock (&self->lock);
  /* Several commits before the main loop ran read as one: listeners reload, they do not count. */
  if (pending > 0 && func != NULL)
    func (self->channel, user_data);
  return G_SOURCE_CONTINUE;
}

static void
notify_source_finalize (GSource *source)
{
  NotifySource *self = (NotifySource *) source;

  G_LOCK (listeners);
  listeners = g_slist_remove (listeners, self);
  G_UNLOCK (listeners);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self->channel);
}

static GSourceFuncs notify_source_funcs = {
  .dispatch = notify_source_dispatch,
  .finalize = notify_source_finalize,
};

GSource *
qoima_db_sqlite_listen_source_new (const char        *path,
                                   const char        *channel,
                                   QoimaDbNotifyFunc  func,
                                   gpointer           user_data,
                                   GDestroyNotify     destroy)
{
  GSource *source = g_source_new (&notify_source_funcs, sizeof (NotifySource));
  NotifySource *self = (NotifySource *) source;

  g_mutex_init (&self->lock);
  self->path = g_canonicalize_filename (path, NULL);
  self->channel = g_strdup (channel);
  g_source_set_name (source, "QoimaDb SQLite notifications");
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) func, user_data, destroy);
  G_LOCK (listeners);
  listeners = g_slist_prepend (listeners, self);
  G_UNLOCK (listeners);
  return source;
}

static void
sqlite_close (QoimaDb *db)
{
  SqliteDb *self = (SqliteDb *) db;

  if (!self->borrowed)
    sqlite3_close (self->handle);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_free (self->path);
  g_free (self);
}

static gboolean
sqlite_exec (QoimaDb     *db,
             const char  *sql,
             GError     **error)
{
  SqliteDb *self = (SqliteDb *) db;
  int rc = sqlite3_exec (self->handle, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_begin_write (QoimaDb  *db,
                    GError  **error)
{
  g_ptr_array_set_size (((SqliteDb *) db)->pending, 0);
  return sqlite_exec (db, "BEGIN IMMEDIATE", error);
}

static gboolean
sqlite_begin_read (QoimaDb  *db,
                   GError  **error)
{
  g_ptr_array_set_size (((SqliteDb *) db)->pending, 0);
  return sqlite_exec (db, "BEGIN", error);
}

static gboolean
sqlite_commit (QoimaDb  *db,
               GError  **error)
{
  SqliteDb *self = (SqliteDb *) db;

  if (!sqlite_exec (db, "COMMIT", error))
    return FALSE;
  for (guint i = 0; i < self->pending->len; i++)
    deliver (self->path, g_ptr_array_index (self->pending, i));
  g_ptr_array_set_size (self->pending, 0);
  return TRUE;
}

static void
sqlite_rollback (QoimaDb *db)
{
  SqliteDb *self = (SqliteDb *) db;

  g_ptr_array_set_size (self->pending, 0);
  if (!sqlite3_get_autocommit (self->handle))
    sqlite3_exec (self->handle, "ROLLBACK", NULL, NULL, NULL);
}

static QoimaDbStmt *
sqlite_prepare (QoimaDb     *db,
                const char  *sql,
                GError     **error)
{
  SqliteDb *self = (SqliteDb *) db;
  sqlite3_stmt *handle = NULL;
  SqliteStmt *stmt;
  int rc;

  rc = sqlite3_prepare_v3 (self->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &handle, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (self, rc, error);
      return NULL;
    }
  stmt = g_new0 (SqliteStmt, 1);
  stmt->handle = handle;
  return (QoimaDbStmt *) stmt;
}

static char *
sqlite_now_iso8601 (QoimaDb  *db,
                    GError  **error)
{
  g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db, "SELECT strftime ('%Y-%m-%dT%H:%M:%SZ', 'now')", error);

  if (stmt == NULL || qoima_db_step (stmt, error) != QOIMA_DB_ROW)
    return NULL;
  return g_strdup (qoima_db_column_text (stmt, 0));
}

static void
sqlite_finalize (QoimaDbStmt *stmt)
{
  sqlite3_finalize (((SqliteStmt *) stmt)->handle);
  g_free (stmt);
}

static void
sqlite_reset (QoimaDbStmt *stmt)
{
  sqlite3_reset (((SqliteStmt *) stmt)->handle);
  sqlite3_clear_bindings (((SqliteStmt *) stmt)->handle);
}

static void
sqlite_bind_int64 (QoimaDbStmt *stmt,
                   int          index,
                   gint64       value)
{
  sqlite3_bind_int64 (((SqliteStmt *) stmt)->handle, index, value);
}

static void
sqlite_bind_text (QoimaDbStmt *stmt,
                  int          index,
                  const char  *value)
{
  sqlite3_bind_text (((SqliteStmt *) stmt)->handle, index, value, -1, SQLITE_TRANSIENT);
}

static void
sqlite_bind_bytes (QoimaDbStmt *stmt,
                   int          index,
                   GBytes      *value)
{
  gsize size;
  gconstpointer data = g_bytes_get_data (value, &size);

  sqlite3_bind_blob64 (((SqliteStmt *) stmt)->handle, index, data != NULL ? data : "", size, SQLITE_TRANSIENT);
}

static void
sqlite_bind_null (QoimaDbStmt *stmt,
                  int          index)
{
  sqlite3_bind_null (((SqliteStmt *) stmt)->handle, index);
}

static QoimaDbStep
sqlite_step (QoimaDbStmt  *stmt,
             GError      **error)
{
  SqliteStmt *self = (SqliteStmt *) stmt;
  SqliteDb *db = (SqliteDb *) stmt->db;
  int rc = sqlite3_step (self->handle);

  if (rc == SQLITE_ROW)
    return QOIMA_DB_ROW;
  if (rc == SQLITE_DONE)
    {
      self->changes = sqlite3_stmt_readonly (self->handle) ? 0 : sqlite3_changes64 (db->handle);
      return QOIMA_DB_DONE;
    }
  set_error (db, rc, error);
  return QOIMA_DB_ERROR_STEP;
}

static gboolean
sqlite_column_is_null (QoimaDbStmt *stmt,
                       int          column)
{
  return sqlite3_column_type (((SqliteStmt *) stmt)->handle, column) == SQLITE_NULL;
}

static gint64
sqlite_column_int64 (QoimaDbStmt *stmt,
                     int          column)
{
  return sqlite3_column_int64 (((SqliteStmt *) stmt)->handle, column);
}

static const char *
sqlite_column_text (QoimaDbStmt *stmt,
                    int          column)
{
  return (const char *) sqlite3_column_text (((SqliteStmt *) stmt)->handle, column);
}

static GBytes *
sqlite_column_bytes (QoimaDbStmt *stmt,
                     int          column)
{
  sqlite3_stmt *handle = ((SqliteStmt *) stmt)->handle;
  const void *data;

  if (sqlite3_column_type (handle, column) == SQLITE_NULL)
    return NULL;
  data = sqlite3_column_blob (handle, column);
  return g_bytes_new (data, sqlite3_column_bytes (handle, column));
}

static gint64
sqlite_changes (QoimaDbStmt *stmt)
{
  return ((SqliteStmt *) stmt)->changes;
}

static gboolean
sqlite_notify (QoimaDb     *db,
               const char  *channel,
               GError     **error)
{
  SqliteDb *self = (SqliteDb *) db;

  /* Delivered at commit, as PostgreSQL does; at once outside a transaction. */
  if (sqlite3_get_autocommit (self->handle))
    deliver (self->path, channel);
  else
    g_ptr_array_add (self->pending, g_strdup (channel));
  return TRUE;
}

static const QoimaDbBackend sqlite_backend = {
  .kind = QOIMA_DB_SQLITE,
  .close = sqlite_close,
  .exec = sqlite_exec,
  .begin_write = sqlite_begin_write,
  .begin_read = sqlite_begin_read,
  .commit = sqlite_commit,
  .rollback = sqlite_rollback,
  .now_iso8601 = sqlite_now_iso8601,
  .prepare = sqlite_prepare,
  .finalize = sqlite_finalize,
  .reset = sqlite_reset,
  .bind_int64 = sqlite_bind_int64,
  .bind_text = sqlite_bind_text,
  .bind_bytes = sqlite_bind_bytes,
  .bind_null = sqlite_bind_null,
  .step = sqlite_step,
  .column_is_null = sqlite_column_is_null,
  .column_int64 = sqlite_column_int64,
  .column_text = sqlite_column_text,
  .column_bytes = sqlite_column_bytes,
  .changes = sqlite_changes,
  .notify = sqlite_notify,
};

QoimaDb *
qoima_db_sqlite_open (const char  *path,
                      GError     **error)
{
  SqliteDb *self = g_new0 (SqliteDb, 1);
  int rc;

  self->parent.backend = &sqlite_backend;
  self->parent.display_location = g_strdup (path);
  self->path = g_canonicalize_filename (path, NULL);
  self->pending = g_ptr_array_new_with_free_func (g_free);

  rc = sqlite3_open_v2 (path, &self->handle,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (self, rc, error);
      g_free (self->parent.display_location);
      sqlite_close (&self->parent);
      return NULL;
    }
  sqlite3_extended_result_codes (self->handle, TRUE);
  sqlite3_busy_timeout (self->handle, QOIMA_STORE_SQLITE_BUSY_TIMEOUT_MS);
  if (!sqlite_exec (&self->parent, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON", error))
    {
      g_free (self->parent.display_location);
      sqlite_close (&self->parent);
      return NULL;
    }
  return &self->parent;
}

QoimaDb *
qoima_db_sqlite_new_for_handle (sqlite3    *handle,
                                const char *path)
{
  SqliteDb *self = g_new0 (SqliteDb, 1);

  g_return_val_if_fail (handle != NULL, NULL);

  self->parent.backend = &sqlite_backend;
  self->parent.display_location = g_strdup (path);
  self->path = g_strcmp0 (path, ":memory:") == 0 ? g_strdup (path) : g_canonicalize_filename (path, NULL);
  self->pending = g_ptr_array_new_with_free_func (g_free);
  self->handle = handle;
  self->borrowed = TRUE;
  return &self->parent;
}
