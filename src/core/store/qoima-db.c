/* qoima-db.c: the store's database backends behind one interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-store"

#include "config.h"

#include "qoima-db-private.h"

#include "qoima-error.h"

#include <glib/gi18n.h>

#include <string.h>

gboolean
qoima_db_location_is_postgresql (const char *location)
{
  g_return_val_if_fail (location != NULL, FALSE);

  return g_str_has_prefix (location, "postgresql://") || g_str_has_prefix (location, "postgres://");
}

gboolean
qoima_db_location_check (const char  *location,
                         GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (location != NULL, FALSE);

  trimmed = g_strstrip (g_strdup (location));
  if (trimmed[0] == '\0')
    {
      g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                           _("Give a database file or a postgresql:// address."));
      return FALSE;
    }
  if (!qoima_db_location_is_postgresql (location))
    {
      if (strstr (location, "://") != NULL)
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                       _("“%s” is neither a file nor a postgresql:// address."), location);
          return FALSE;
        }
      return TRUE;
    }

  uri = g_uri_parse (location, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                   _("The server address is not valid: %s"), local_error->message);
      return FALSE;
    }
  if (g_uri_get_password (uri) != NULL || strstr (location, "password=") != NULL)
    {
      g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                           _("The address holds a password, which would be stored where anyone at this "
                             "workstation can read it. Give the address without it, and save the password in the "
                             "system keyring (Administration, or qoimactl db password), in ~/.pgpass, "
                             "or use a client certificate."));
      return FALSE;
    }
  return TRUE;
}

char *
qoima_db_location_for_display (const char *location)
{
  g_return_val_if_fail (location != NULL, NULL);

  if (qoima_db_location_is_postgresql (location))
    return qoima_db_uri_without_password (location);
  return g_strdup (location);
}

QoimaDb *
qoima_db_open (const char  *location,
               GError     **error)
{
  g_return_val_if_fail (location != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (qoima_db_location_is_postgresql (location))
    return qoima_db_pg_open (location, error);
  return qoima_db_sqlite_open (location, error);
}

void
qoima_db_close (QoimaDb *db)
{
  if (db == NULL)
    return;
  /* Statements first: a backend finalizes them before closing its handle. */
  g_clear_pointer (&db->statements, g_hash_table_unref);
  g_free (db->display_location);
  db->backend->close (db);
}

QoimaDbKind
qoima_db_get_kind (QoimaDb *db)
{
  g_return_val_if_fail (db != NULL, QOIMA_DB_SQLITE);
  return db->backend->kind;
}

const char *
qoima_db_get_display_location (QoimaDb *db)
{
  g_return_val_if_fail (db != NULL, NULL);
  return db->display_location;
}

gboolean
qoima_db_is_connected (QoimaDb *db)
{
  g_return_val_if_fail (db != NULL, FALSE);
  return db->backend->is_connected == NULL || db->backend->is_connected (db);
}

gboolean
qoima_db_reconnect (QoimaDb  *db,
                    GError  **error)
{
  g_return_val_if_fail (db != NULL, FALSE);

  if (qoima_db_is_connected (db))
    return TRUE;
  /* The lost session's prepared statements are gone with it. */
  g_clear_pointer (&db->statements, g_hash_table_unref);
  return db->backend->reconnect (db, error);
}

gboolean
qoima_db_exec (QoimaDb     *db,
               const char  *sql,
               GError     **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  return db->backend->exec (db, sql, error);
}

gboolean
qoima_db_begin_write (QoimaDb  *db,
                      GError  **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  return db->backend->begin_write (db, error);
}

gboolean
qoima_db_begin_read (QoimaDb  *db,
                     GError  **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  return db->backend->begin_read (db, error);
}

gboolean
qoima_db_commit (QoimaDb  *db,
                 GError  **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  return db->backend->commit (db, error);
}

void
qoima_db_rollback (QoimaDb *db)
{
  g_return_if_fail (db != NULL);
  db->backend->rollback (db);
}

char *
qoima_db_now_iso8601 (QoimaDb  *db,
                      GError  **error)
{
  g_return_val_if_fail (db != NULL, NULL);
  return db->backend->now_iso8601 (db, error);
}

static void
statement_free (gpointer data)
{
  QoimaDbStmt *stmt = data;
  char *sql = stmt->sql;

  stmt->db->backend->finalize (stmt);
  g_free (sql);
}

QoimaDbStmt *
qoima_db_prepare (QoimaDb     *db,
                  const char  *sql,
                  GError     **error)
{
  QoimaDbStmt *stmt;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  if (db->statements == NULL)
    db->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, statement_free);
  stmt = g_hash_table_lookup (db->statements, sql);
  if (stmt != NULL)
    return stmt;

  stmt = db->backend->prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;
  stmt->db = db;
  stmt->sql = g_strdup (sql);
  g_hash_table_insert (db->statements, stmt->sql, stmt);
  return stmt;
}

void
qoima_db_stmt_release (QoimaDbStmt *stmt)
{
  if (stmt != NULL)
    stmt->db->backend->reset (stmt);
}

void
qoima_db_bind_int64 (QoimaDbStmt *stmt,
                     int          index,
                     gint64       value)
{
  g_return_if_fail (stmt != NULL && index > 0);
  stmt->db->backend->bind_int64 (stmt, index, value);
}

void
qoima_db_bind_text (QoimaDbStmt *stmt,
                    int          index,
                    const char  *value)
{
  g_return_if_fail (stmt != NULL && index > 0);
  if (value == NULL)
    stmt->db->backend->bind_null (stmt, index);
  else
    stmt->db->backend->bind_text (stmt, index, value);
}

void
qoima_db_bind_bytes (QoimaDbStmt *stmt,
                     int          index,
                     GBytes      *value)
{
  g_return_if_fail (stmt != NULL && index > 0);
  if (value == NULL)
    stmt->db->backend->bind_null (stmt, index);
  else
    stmt->db->backend->bind_bytes (stmt, index, value);
}

void
qoima_db_bind_null (QoimaDbStmt *stmt,
                    int          index)
{
  g_return_if_fail (stmt != NULL && index > 0);
  stmt->db->backend->bind_null (stmt, index);
}

QoimaDbStep
qoima_db_step (QoimaDbStmt  *stmt,
               GError      **error)
{
  g_return_val_if_fail (stmt != NULL, QOIMA_DB_ERROR_STEP);
  return stmt->db->backend->step (stmt, error);
}

gboolean
qoima_db_step_done (QoimaDbStmt  *stmt,
                    GError      **error)
{
  QoimaDbStep step;

  while ((step = qoima_db_step (stmt, error)) == QOIMA_DB_ROW)
    ;
  return step == QOIMA_DB_DONE;
}

gboolean
qoima_db_last_error_is_duplicate (QoimaDb *db)
{
  g_return_val_if_fail (db != NULL, FALSE);
  return db->duplicate;
}

gint64
qoima_db_step_id (QoimaDbStmt  *stmt,
                  GError      **error)
{
  gint64 id;

  if (qoima_db_step (stmt, error) != QOIMA_DB_ROW)
    {
      /* DONE: the statement returned nothing, which is the caller's bug. */
      if (error != NULL && *error == NULL)
        g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FAILED, "%s returned no id", stmt->sql);
      return -1;
    }
  id = qoima_db_column_int64 (stmt, 0);
  return qoima_db_step_done (stmt, error) ? id : -1;
}

gboolean
qoima_db_column_is_null (QoimaDbStmt *stmt,
                         int          column)
{
  g_return_val_if_fail (stmt != NULL && column >= 0, TRUE);
  return stmt->db->backend->column_is_null (stmt, column);
}

gint64
qoima_db_column_int64 (QoimaDbStmt *stmt,
                       int          column)
{
  g_return_val_if_fail (stmt != NULL && column >= 0, 0);
  return stmt->db->backend->column_int64 (stmt, column);
}

const char *
qoima_db_column_text (QoimaDbStmt *stmt,
                      int          column)
{
  g_return_val_if_fail (stmt != NULL && column >= 0, NULL);
  return stmt->db->backend->column_text (stmt, column);
}

GBytes *
qoima_db_column_bytes (QoimaDbStmt *stmt,
                       int          column)
{
  g_return_val_if_fail (stmt != NULL && column >= 0, NULL);
  return stmt->db->backend->column_bytes (stmt, column);
}

gint64
qoima_db_changes (QoimaDbStmt *stmt)
{
  g_return_val_if_fail (stmt != NULL, 0);
  return stmt->db->backend->changes (stmt);
}

gboolean
qoima_db_notify (QoimaDb     *db,
                 const char  *channel,
                 GError     **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (channel != NULL, FALSE);
  return db->backend->notify (db, channel, error);
}

GSource *
qoima_db_listen_source_new (const char         *location,
                            const char         *channel,
                            QoimaDbNotifyFunc   func,
                            gpointer            user_data,
                            GDestroyNotify      destroy,
                            GError            **error)
{
  g_return_val_if_fail (location != NULL, NULL);
  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  if (qoima_db_location_is_postgresql (location))
    return qoima_db_pg_listen_source_new (location, channel, func, user_data, destroy, error);
  return qoima_db_sqlite_listen_source_new (location, channel, func, user_data, destroy);
}

/* Placeholders. SQLite's ?N is PostgreSQL's $N; a bare ? takes the next number, as in SQLite.
 * Quoted text, quoted names and comments are copied as they are. */
char *
qoima_db_sql_to_postgresql (const char *sql)
{
  GString *out = g_string_sized_new (strlen (sql) + 16);
  int next = 1;

  g_return_val_if_fail (sql != NULL, NULL);

  for (const char *p = sql; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '"')
        {
          char quote = *p;

          g_string_append_c (out, *p++);
          /* A doubled quote inside is an escaped one: the loop copies both in turn. */
          while (*p != '\0' && *p != quote)
            g_string_append_c (out, *p++);
          if (*p == '\0')
            break;
          g_string_append_c (out, *p);
        }
      else if (p[0] == '-' && p[1] == '-')
        {
          while (*p != '\0' && *p != '\n')
            g_string_append_c (out, *p++);
          if (*p == '\0')
            break;
          g_string_append_c (out, *p);
        }
      else if (*p == '?')
        {
          if (g_ascii_isdigit (p[1]))
            {
              int number = 0;

              while (g_ascii_isdigit (p[1]))
                number = number * 10 + (*++p - '0');
              g_string_append_printf (out, "$%d", number);
              next = MAX (next, number + 1);
            }
          else
            g_string_append_printf (out, "$%d", next++);
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
qoima_db_uri_without_password (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, NULL);

  if (parsed == NULL)
    return g_strdup ("postgresql://…");
  return g_uri_join (G_URI_FLAGS_ENCODED, g_uri_get_scheme (parsed), g_uri_get_user (parsed),
                     g_uri_get_host (parsed), g_uri_get_port (parsed), g_uri_get_path (parsed),
                     g_uri_get_query (parsed), NULL);
}
