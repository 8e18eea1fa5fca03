/* qoima-db-pg.c: the shared backend, a PostgreSQL server through libpq
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Several workstations of one hospital write to one server. Each write transaction takes
 * one transaction-level advisory lock at READ COMMITTED, so writers queue as they do on one
 * SQLite file and every statement sees what committed before the lock was granted (with
 * SERIALIZABLE most would fail instead: see shared/reference/postgresql.md).
 */

#define G_LOG_DOMAIN "qoima-store"

#include "config.h"

#include "qoima-db-private.h"

#include "qoima-error.h"

#include <glib/gi18n.h>
#include <libpq-fe.h>
#include <libsecret/secret.h>
#include <string.h>

/* The advisory lock every write transaction holds; any constant that is Qoima's ("Qoim"). */
#define WRITE_LOCK_KEY "1366256493"
/* A workstation that hangs inside a transaction does not hold the others up for long. */
#define SESSION_SETTINGS \
  "SET TIME ZONE 'UTC'; SET lock_timeout = '10s'; SET idle_in_transaction_session_timeout = '60s'; " \
  "SET client_min_messages = warning"

typedef struct
{
  QoimaDb parent;
  PGconn *conn;
  guint next_name;
} PgDb;

typedef struct
{
  QoimaDbStmt parent;
  char name[24];
  int n_params;
  char **values;   /* text, or the bytes of a bytea (formats[i] = 1) */
  int *lengths;
  int *formats;
  PGresult *result;
  int row;         /* the current row; -1 before the first step */
  gint64 changes;
} PgStmt;

/* The QOIMA_STORE_ERROR for a SQLSTATE, by its class where one says enough. */
static QoimaStoreError
error_from_sqlstate (const char *state)
{
  if (state == NULL)
    return QOIMA_STORE_ERROR_FAILED;
  if (g_str_has_prefix (state, "23"))
    return QOIMA_STORE_ERROR_CONSTRAINT;
  /* The server is gone, shutting down or not accepting connections yet. */
  if (g_str_has_prefix (state, "08") || g_str_equal (state, "57P01") || g_str_equal (state, "57P02") ||
      g_str_equal (state, "57P03"))
    return QOIMA_STORE_ERROR_CONNECTION_LOST;
  if (g_str_equal (state, "40001") || g_str_equal (state, "40P01") || g_str_equal (state, "55P03") ||
      g_str_equal (state, "57014"))
    return QOIMA_STORE_ERROR_BUSY;
  if (g_str_equal (state, "53100"))
    return QOIMA_STORE_ERROR_FULL;
  if (g_str_equal (state, "42501") || g_str_equal (state, "25006"))
    return QOIMA_STORE_ERROR_READ_ONLY;
  return QOIMA_STORE_ERROR_FAILED;
}

static void
set_result_error (PgDb            *self,
                  const PGresult  *result,
                  GError         **error)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  const char *detail = result != NULL ? PQresultErrorMessage (result) : PQerrorMessage (self->conn);
  g_autofree char *trimmed = g_strstrip (g_strdelimit (g_strdup (detail != NULL ? detail : ""), "\n\t", ' '));
  QoimaStoreError code = error_from_sqlstate (state);

  self->parent.duplicate = g_strcmp0 (state, "23505") == 0;

  /* Whatever the server said last, a connection that is gone is the news. */
  if (PQstatus (self->conn) != CONNECTION_OK)
    code = QOIMA_STORE_ERROR_CONNECTION_LOST;

  switch (code)
    {
    case QOIMA_STORE_ERROR_CONNECTION_LOST:
      /* The server rolls back a transaction whose session ends, so nothing is half-written;
       * what the user typed stays in the page. */
      g_set_error (error, QOIMA_STORE_ERROR, code,
                   _("The warehouse database on %s cannot be reached, so nothing was changed; what you "
                     "entered is kept. Qoima connects again as soon as the server is back. (%s)"),
                   self->parent.display_location, trimmed);
      break;
    case QOIMA_STORE_ERROR_BUSY:
      g_set_error (error, QOIMA_STORE_ERROR, code,
                   _("Another workstation is holding the warehouse database; nothing was changed. Try again. (%s)"),
                   trimmed);
      break;
    case QOIMA_STORE_ERROR_FULL:
      g_set_error (error, QOIMA_STORE_ERROR, code,
                   _("The warehouse database server’s disk is full, so nothing was changed. "
                     "Tell the hospital’s IT. (%s)"),
                   trimmed);
      break;
    case QOIMA_STORE_ERROR_READ_ONLY:
      g_set_error (error, QOIMA_STORE_ERROR, code,
                   _("This workstation may not change the warehouse database on %s. (%s)"),
                   self->parent.display_location, trimmed);
      break;
    default:
      /* Constraints and the rest: the server's text, as SQLite's is shown for the same cases. */
      g_set_error (error, QOIMA_STORE_ERROR, code,
                   _("The warehouse database refused the change (%s)."), trimmed);
      break;
    }
}

static gboolean
pg_exec (QoimaDb     *db,
         const char  *sql,
         GError     **error)
{
  PgDb *self = (PgDb *) db;
  PGresult *result = PQexec (self->conn, sql);
  ExecStatusType status = PQresultStatus (result);
  gboolean ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

  if (!ok)
    set_result_error (self, result, error);
  PQclear (result);
  return ok;
}

static void
pg_close (QoimaDb *db)
{
  PgDb *self = (PgDb *) db;

  g_clear_pointer (&self->conn, PQfinish);
  g_free (self);
}

static gboolean
pg_begin_write (QoimaDb  *db,
                GError  **error)
{
  return pg_exec (db, "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock (" WRITE_LOCK_KEY ")",
                  error);
}

static gboolean
pg_begin_read (QoimaDb  *db,
               GError  **error)
{
  return pg_exec (db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", error);
}

static gboolean
pg_commit (QoimaDb  *db,
           GError  **error)
{
  PgDb *self = (PgDb *) db;
  g_autoptr(GError) local_error = NULL;

  if (pg_exec (db, "COMMIT", &local_error))
    return TRUE;
  /* A COMMIT whose answer was lost may have been carried out: saying "nothing was
   * changed" then could make the user enter it twice. */
  if (g_error_matches (local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONNECTION_LOST))
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONNECTION_LOST,
                   _("The connection to the warehouse database on %s was lost while the change was being "
                     "saved, so it may or may not have been recorded. Once the server is back, look before "
                     "entering it again."),
                   self->parent.display_location);
      return FALSE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void
pg_rollback (QoimaDb *db)
{
  PgDb *self = (PgDb *) db;

  if (PQtransactionStatus (self->conn) != PQTRANS_IDLE)
    PQclear (PQexec (self->conn, "ROLLBACK"));
}

static QoimaDbStmt *
pg_prepare (QoimaDb     *db,
            const char  *sql,
            GError     **error)
{
  PgDb *self = (PgDb *) db;
  g_autofree char *translated = qoima_db_sql_to_postgresql (sql);
  PGresult *result;
  PgStmt *stmt = g_new0 (PgStmt, 1);

  g_snprintf (stmt->name, sizeof stmt->name, "qoima_%u", ++self->next_name);
  result = PQprepare (self->conn, stmt->name, translated, 0, NULL);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      set_result_error (self, result, error);
      PQclear (result);
      g_free (stmt);
      return NULL;
    }
  PQclear (result);

  result = PQdescribePrepared (self->conn, stmt->name);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      set_result_error (self, result, error);
      PQclear (result);
      g_free (stmt);
      return NULL;
    }
  stmt->n_params = PQnparams (result);
  PQclear (result);

  stmt->values = g_new0 (char *, MAX (stmt->n_params, 1));
  stmt->lengths = g_new0 (int, MAX (stmt->n_params, 1));
  stmt->formats = g_new0 (int, MAX (stmt->n_params, 1));
  stmt->row = -1;
  return &stmt->parent;
}

static void
clear_bindings (PgStmt *stmt)
{
  for (int i = 0; i < stmt->n_params; i++)
    {
      g_clear_pointer (&stmt->values[i], g_free);
      stmt->lengths[i] = 0;
      stmt->formats[i] = 0;
    }
}

static void
pg_reset (QoimaDbStmt *stmt)
{
  PgStmt *self = (PgStmt *) stmt;

  g_clear_pointer (&self->result, PQclear);
  self->row = -1;
  clear_bindings (self);
}

static void
pg_finalize (QoimaDbStmt *stmt)
{
  PgStmt *self = (PgStmt *) stmt;
  PgDb *db = (PgDb *) stmt->db;

  pg_reset (stmt);
  /* DEALLOCATE only on a live connection: a lost one took its statements with it. */
  if (db->conn != NULL && PQstatus (db->conn) == CONNECTION_OK &&
      PQtransactionStatus (db->conn) == PQTRANS_IDLE)
    {
      g_autofree char *sql = g_strdup_printf ("DEALLOCATE %s", self->name);

      PQclear (PQexec (db->conn, sql));
    }
  g_free (self->values);
  g_free (self->lengths);
  g_free (self->formats);
  g_free (self);
}

static gboolean
check_index (PgStmt *self,
             int     index)
{
  /* A parameter the SQL does not have is the caller's mistake, as SQLite's RANGE is. */
  g_return_val_if_fail (index >= 1 && index <= self->n_params, FALSE);
  g_clear_pointer (&self->values[index - 1], g_free);
  return TRUE;
}

static void
pg_bind_int64 (QoimaDbStmt *stmt,
               int          index,
               gint64       value)
{
  PgStmt *self = (PgStmt *) stmt;

  if (!check_index (self, index))
    return;
  self->values[index - 1] = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  self->formats[index - 1] = 0;
}

static void
pg_bind_text (QoimaDbStmt *stmt,
              int          index,
              const char  *value)
{
  PgStmt *self = (PgStmt *) stmt;

  if (!check_index (self, index))
    return;
  self->values[index - 1] = g_strdup (value);
  self->formats[index - 1] = 0;
}

static void
pg_bind_bytes (QoimaDbStmt *stmt,
               int          index,
               GBytes      *value)
{
  PgStmt *self = (PgStmt *) stmt;
  gsize size;
  gconstpointer data = g_bytes_get_data (value, &size);

  if (!check_index (self, index))
    return;
  g_return_if_fail (size <= G_MAXINT);
  self->values[index - 1] = g_malloc (MAX (size, 1));
  if (size > 0)
    memcpy (self->values[index - 1], data, size);
  self->lengths[index - 1] = (int) size;
  self->formats[index - 1] = 1;
}

static void
pg_bind_null (QoimaDbStmt *stmt,
              int          index)
{
  check_index ((PgStmt *) stmt, index);
}

static QoimaDbStep
pg_step (QoimaDbStmt  *stmt,
         GError      **error)
{
  PgStmt *self = (PgStmt *) stmt;
  PgDb *db = (PgDb *) stmt->db;

  if (self->result == NULL)
    {
      ExecStatusType status;

      self->result = PQexecPrepared (db->conn, self->name, self->n_params,
                                     (const char * const *) self->values, self->lengths, self->formats, 0);
      status = PQresultStatus (self->result);
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        {
          set_result_error (db, self->result, error);
          g_clear_pointer (&self->result, PQclear);
          return QOIMA_DB_ERROR_STEP;
        }
      {
        const char *tuples = PQcmdTuples (self->result);

        /* A SELECT changes nothing, though PQcmdTuples counts its rows. */
        self->changes = status == PGRES_TUPLES_OK && g_str_has_prefix (PQcmdStatus (self->result), "SELECT")
                        ? 0 : g_ascii_strtoll (tuples, NULL, 10);
      }
      self->row = -1;
    }
  if (self->row + 1 < PQntuples (self->result))
    {
      self->row++;
      return QOIMA_DB_ROW;
    }
  self->row = PQntuples (self->result);
  return QOIMA_DB_DONE;
}

static gboolean
in_row (PgStmt *self,
        int     column)
{
  return self->result != NULL && self->row >= 0 && self->row < PQntuples (self->result) &&
         column < PQnfields (self->result);
}

static gboolean
pg_column_is_null (QoimaDbStmt *stmt,
                   int          column)
{
  PgStmt *self = (PgStmt *) stmt;

  return !in_row (self, column) || PQgetisnull (self->result, self->row, column);
}

static const char *
pg_column_text (QoimaDbStmt *stmt,
                int          column)
{
  PgStmt *self = (PgStmt *) stmt;

  if (pg_column_is_null (stmt, column))
    return NULL;
  return PQgetvalue (self->result, self->row, column);
}

static gint64
pg_column_int64 (QoimaDbStmt *stmt,
                 int          column)
{
  const char *text = pg_column_text (stmt, column);

  if (text == NULL)
    return 0;
  /* Booleans read as SQLite's integers. */
  if (g_str_equal (text, "t"))
    return 1;
  if (g_str_equal (text, "f"))
    return 0;
  return g_ascii_strtoll (text, NULL, 10);
}

static GBytes *
pg_column_bytes (QoimaDbStmt *stmt,
                 int          column)
{
  const char *text = pg_column_text (stmt, column);
  unsigned char *data;
  size_t size = 0;
  GBytes *bytes;

  if (text == NULL)
    return NULL;
  /* bytea comes as text, escaped; a text column comes as its bytes. */
  if (PQftype (((PgStmt *) stmt)->result, column) != 17 /* BYTEAOID */)
    return g_bytes_new (text, strlen (text));
  data = PQunescapeBytea ((const unsigned char *) text, &size);
  if (data == NULL)
    return NULL;
  bytes = g_bytes_new (data, size);
  PQfreemem (data);
  return bytes;
}

static gint64
pg_changes (QoimaDbStmt *stmt)
{
  return ((PgStmt *) stmt)->changes;
}

static char *
pg_now_iso8601 (QoimaDb  *db,
                GError  **error)
{
  g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db, "SELECT to_char (now () AT TIME ZONE 'UTC', "
                                                      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", error);

  if (stmt == NULL || qoima_db_step (stmt, error) != QOIMA_DB_ROW)
    return NULL;
  return g_strdup (qoima_db_column_text (stmt, 0));
}

static gboolean
pg_notify (QoimaDb     *db,
           const char  *channel,
           GError     **error)
{
  g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db, "SELECT pg_notify (?1, '')", error);

  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, channel);
  /* Inside a transaction the server sends it at COMMIT, and never after a ROLLBACK. */
  return qoima_db_step_done (stmt, error);
}

static gboolean
pg_is_connected (QoimaDb *db)
{
  return PQstatus (((PgDb *) db)->conn) == CONNECTION_OK;
}

static gboolean
pg_reconnect (QoimaDb  *db,
              GError  **error)
{
  PgDb *self = (PgDb *) db;

  /* The same connection string, so the same server, user and TLS checks. */
  PQreset (self->conn);
  if (PQstatus (self->conn) != CONNECTION_OK)
    {
      g_autofree char *detail = g_strstrip (g_strdup (PQerrorMessage (self->conn)));

      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONNECTION_LOST,
                   _("The warehouse database on %s cannot be reached, so nothing was changed; what you "
                     "entered is kept. Qoima connects again as soon as the server is back. (%s)"),
                   self->parent.display_location, detail);
      return FALSE;
    }
  g_debug ("Connected again to %s", self->parent.display_location);
  /* A new session: its settings again. */
  return pg_exec (db, SESSION_SETTINGS, error);
}

static const QoimaDbBackend pg_backend = {
  .kind = QOIMA_DB_POSTGRESQL,
  .close = pg_close,
  .exec = pg_exec,
  .begin_write = pg_begin_write,
  .begin_read = pg_begin_read,
  .commit = pg_commit,
  .rollback = pg_rollback,
  .now_iso8601 = pg_now_iso8601,
  .prepare = pg_prepare,
  .finalize = pg_finalize,
  .reset = pg_reset,
  .bind_int64 = pg_bind_int64,
  .bind_text = pg_bind_text,
  .bind_bytes = pg_bind_bytes,
  .bind_null = pg_bind_null,
  .step = pg_step,
  .column_is_null = pg_column_is_null,
  .column_int64 = pg_column_int64,
  .column_text = pg_column_text,
  .column_bytes = pg_column_bytes,
  .changes = pg_changes,
  .notify = pg_notify,
  .is_connected = pg_is_connected,
  .reconnect = pg_reconnect,
};

/* Appends @name=@value to @conninfo, a URI, unless its @query sets @name already. */
static void
add_parameter (GString    *conninfo,
               const char *query,
               const char *name,
               const char *value,
               gboolean   *has_query)
{
  g_autofree char *given = g_strconcat (name, "=", NULL);

  if (query != NULL && strstr (query, given) != NULL)
    return;
  g_string_append_printf (conninfo, "%c%s=%s", *has_query ? '&' : '?', name, value);
  *has_query = TRUE;
}

/* The connection string for @uri: TLS verified unless the server is on a Unix socket, as
 * the issue asks; an explicit sslmode in the URI (a test server, a hospital's own CA
 * setting) is kept. Passwords come from ~/.pgpass, a client certificate or the keyring
 * (connect_with), never from the URI. */
static char *
connection_uri (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, NULL);
  const char *query = parsed != NULL ? g_uri_get_query (parsed) : NULL;
  const char *host = parsed != NULL ? g_uri_get_host (parsed) : NULL;
  const char *query_host = query != NULL ? strstr (query, "host=") : NULL;
  gboolean on_socket;

  /* A host in the query wins over the authority's, as libpq reads it. */
  if (query_host != NULL)
    on_socket = query_host[5] == '/' || g_ascii_strncasecmp (query_host + 5, "%2F", 3) == 0;
  else
    on_socket = host == NULL || *host == '\0' || *host == '/';

  {
    GString *conninfo = g_string_new (uri);
    gboolean has_query = query != NULL;

    if (!on_socket)
      add_parameter (conninfo, query, "sslmode", "verify-full", &has_query);
    /* A server that does not answer (a cable pulled) is given up in seconds, not after
     * TCP's minutes or hours, so the store says so and tries again. */
    add_parameter (conninfo, query, "connect_timeout", "10", &has_query);
    if (!on_socket)
      {
        add_parameter (conninfo, query, "keepalives_idle", "15", &has_query);
        add_parameter (conninfo, query, "keepalives_interval", "5", &has_query);
        add_parameter (conninfo, query, "keepalives_count", "3", &has_query);
        add_parameter (conninfo, query, "tcp_user_timeout", "30000", &has_query);
      }
    return g_string_free (conninfo, FALSE);
  }
}

/* Connects with @password when given (from the keyring), else as the URI and libpq's own
 * sources (~/.pgpass, a client certificate) say. */
static PGconn *
connect_with (const char *conninfo,
              const char *password,
              gboolean    start)
{
  const char *keywords[] = { "dbname", password != NULL ? "password" : NULL, NULL };
  const char *values[] = { conninfo, password, NULL };

  /* expand_dbname: the first value is the whole URI; the password after it wins. */
  return start ? PQconnectStartParams (keywords, values, 1) : PQconnectdbParams (keywords, values, 1);
}

/* A password the server asks for and nothing else gave: the keyring's, if one is saved. */
static PGconn *
connect_with_keyring (PgDb        *self,
                      const char  *uri,
                      const char  *conninfo,
                      GError     **error)
{
  g_autoptr(GError) keyring_error = NULL;
  g_autofree char *user = g_strdup (PQuser (self->conn));
  char *password = qoima_db_secret_lookup (uri, &keyring_error);
  PGconn *conn;

  if (password == NULL)
    {
      if (keyring_error != NULL)
        g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                     _("The warehouse database server %s asks for the password of %s. %s"),
                     self->parent.display_location, user, keyring_error->message);
      else
        g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                     _("The warehouse database server %s asks for the password of %s, and none is saved on "
                       "this computer. An administrator saves it in the system keyring (Administration, "
                       "Warehouse Database, or qoimactl db password)."),
                     self->parent.display_location, user);
      return NULL;
    }
  conn = connect_with (conninfo, password, FALSE);
  secret_password_free (password);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *detail = g_strstrip (g_strdup (PQerrorMessage (conn)));

      /* The keyring's password was sent and refused (or refused something after it). */
      if (PQconnectionUsedPassword (conn))
        g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                     _("The warehouse database server %s refused the password saved in the system keyring "
                       "for %s. An administrator saves the right one (Administration, Warehouse Database, "
                       "or qoimactl db password). (%s)"),
                     self->parent.display_location, user, detail);
      else
        g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                     _("Qoima cannot reach the warehouse database server %s. Check the address and the "
                       "network, or ask the hospital’s IT. (%s)"),
                     self->parent.display_location, detail);
      PQfinish (conn);
      return NULL;
    }
  return conn;
}

QoimaDb *
qoima_db_pg_open (const char  *uri,
                  GError     **error)
{
  PgDb *self = g_new0 (PgDb, 1);
  g_autofree char *conninfo = connection_uri (uri);

  self->parent.backend = &pg_backend;
  self->parent.display_location = qoima_db_uri_without_password (uri);
  self->conn = connect_with (conninfo, NULL, FALSE);
  if (PQstatus (self->conn) != CONNECTION_OK && PQconnectionNeedsPassword (self->conn))
    {
      PGconn *conn = connect_with_keyring (self, uri, conninfo, error);

      PQfinish (self->conn);
      self->conn = conn;
      if (conn == NULL)
        {
          g_free (self->parent.display_location);
          pg_close (&self->parent);
          return NULL;
        }
    }
  if (PQstatus (self->conn) != CONNECTION_OK)
    {
      g_autofree char *detail = g_strstrip (g_strdup (PQerrorMessage (self->conn)));

      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                   _("Qoima cannot reach the warehouse database server %s. Check the address and the "
                     "network, or ask the hospital’s IT. (%s)"),
                   self->parent.display_location, detail);
      g_free (self->parent.display_location);
      pg_close (&self->parent);
      return NULL;
    }
  if (!pg_exec (&self->parent, SESSION_SETTINGS, error))
    {
      g_free (self->parent.display_location);
      pg_close (&self->parent);
      return NULL;
    }
  return &self->parent;
}

/* LISTEN on a connection of its own, driven by the main loop without blocking it: connecting
 * (PQconnectPoll), then LISTEN, then notifications as they come; a lost connection is made
 * again after a pause. */
typedef enum {
  LISTEN_CONNECTING,
  LISTEN_SUBSCRIBING,
  LISTENING,
  LISTEN_WAITING, /* to connect again */
} ListenState;

typedef struct
{
  GSource source;
  char *uri;
  char *conninfo;
  char *channel;
  char *password;     /* the keyring's, once the server asked for one */
  gboolean looking_up;
  PGconn *conn;
  gpointer fd_tag;
  ListenState state;
  PostgresPollingStatusType polling;
  gboolean was_lost;    /* listened, then lost: the next LISTEN is a return */
  gboolean report_lost; /* to tell the callback, from the dispatch */
  gboolean report_back;
} ListenSource;

static void listen_start (ListenSource *self);

static void
listen_watch (ListenSource *self,
              GIOCondition  condition)
{
  if (self->fd_tag != NULL)
    {
      g_source_remove_unix_fd (&self->source, self->fd_tag);
      self->fd_tag = NULL;
    }
  if (self->conn != NULL && PQsocket (self->conn) >= 0)
    self->fd_tag = g_source_add_unix_fd (&self->source, PQsocket (self->conn), condition);
}

static void
listen_lost (ListenSource *self)
{
  g_debug ("The notification connection was lost; connecting again in 2 s");
  if (self->state == LISTENING)
    {
      self->was_lost = TRUE;
      self->report_lost = TRUE;
    }
  if (self->fd_tag != NULL)
    {
      g_source_remove_unix_fd (&self->source, self->fd_tag);
      self->fd_tag = NULL;
    }
  g_clear_pointer (&self->conn, PQfinish);
  self->state = LISTEN_WAITING;
  g_source_set_ready_time (&self->source, g_get_monotonic_time () + 2 * G_USEC_PER_SEC);
}

static void
listen_start (ListenSource *self)
{
  self->conn = connect_with (self->conninfo, self->password, TRUE);
  if (self->conn == NULL || PQstatus (self->conn) == CONNECTION_BAD)
    {
      listen_lost (self);
      return;
    }
  self->state = LISTEN_CONNECTING;
  self->polling = PGRES_POLLING_WRITING;
  listen_watch (self, G_IO_OUT);
}

static void
listen_subscribe (ListenSource *self)
{
  g_autofree char *sql = NULL;
  char *escaped = PQescapeIdentifier (self->conn, self->channel, strlen (self->channel));

  if (escaped == NULL)
    {
      listen_lost (self);
      return;
    }
  sql = g_strdup_printf ("LISTEN %s", escaped);
  PQfreemem (escaped);
  PQsetnonblocking (self->conn, 1);
  if (!PQsendQuery (self->conn, sql))
    {
      listen_lost (self);
      return;
    }
  PQflush (self->conn);
  self->state = LISTEN_SUBSCRIBING;
  listen_watch (self, G_IO_IN);
}

static void
listen_password_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GSource *source = user_data;
  ListenSource *self = (ListenSource *) source;
  g_autoptr(GError) local_error = NULL;
  char *password = qoima_db_secret_lookup_finish (result, &local_error);

  self->looking_up = FALSE;
  if (g_source_is_destroyed (source))
    {
      g_clear_pointer (&password, secret_password_free);
      g_source_unref (source);
      return;
    }
  if (password == NULL)
    g_debug ("No password in the keyring for the notification connection%s%s",
             local_error != NULL ? ": " : "", local_error != NULL ? local_error->message : "");
  self->password = password;
  /* Without one, connecting again fails the same way, and is retried after the pause. */
  if (password != NULL)
    listen_start (self);
  else
    listen_lost (self);
  g_source_unref (source);
}

/* The store's own connection found the password in the keyring on the worker thread; this
 * one, on the main context, asks for it without blocking. */
static void
listen_look_up_password (ListenSource *self)
{
  if (self->fd_tag != NULL)
    {
      g_source_remove_unix_fd (&self->source, self->fd_tag);
      self->fd_tag = NULL;
    }
  g_clear_pointer (&self->conn, PQfinish);
  self->state = LISTEN_WAITING;
  self->looking_up = TRUE;
  qoima_db_secret_lookup_async (self->uri, NULL, listen_password_cb, g_source_ref (&self->source));
}

/* One step of the connection's life; whether a notification came. */
static gboolean
listen_step (ListenSource *self)
{
  GSource *source = &self->source;
  gboolean heard = FALSE;

  if (self->state == LISTEN_WAITING)
    {
      if (g_source_get_ready_time (source) <= g_get_monotonic_time ())
        {
          g_source_set_ready_time (source, -1);
          listen_start (self);
        }
      return FALSE;
    }

  if (self->state == LISTEN_CONNECTING)
    {
      self->polling = PQconnectPoll (self->conn);
      switch (self->polling)
        {
        case PGRES_POLLING_READING: listen_watch (self, G_IO_IN); break;
        case PGRES_POLLING_WRITING: listen_watch (self, G_IO_OUT); break;
        case PGRES_POLLING_OK: listen_subscribe (self); break;
        case PGRES_POLLING_FAILED:
          if (self->password == NULL && !self->looking_up && PQconnectionNeedsPassword (self->conn))
            {
              listen_look_up_password (self);
              break;
            }
          listen_lost (self);
          break;
        case PGRES_POLLING_ACTIVE:
        default: listen_lost (self); break;
        }
      return FALSE;
    }

  /* A server shutting down says so (57P01) before it closes: the status tells. */
  if (!PQconsumeInput (self->conn) || PQstatus (self->conn) != CONNECTION_OK)
    {
      listen_lost (self);
      return FALSE;
    }
  if (self->state == LISTEN_SUBSCRIBING)
    {
      while (!PQisBusy (self->conn))
        {
          PGresult *result = PQgetResult (self->conn);

          if (result == NULL)
            {
              self->state = LISTENING;
              self->report_back = self->was_lost;
              self->was_lost = FALSE;
              break;
            }
          if (PQresultStatus (result) != PGRES_COMMAND_OK)
            g_warning ("LISTEN failed: %s", PQresultErrorMessage (result));
          PQclear (result);
        }
    }
  for (PGnotify *notify; (notify = PQnotifies (self->conn)) != NULL; PQfreemem (notify))
    heard = TRUE;
  return heard;
}

static gboolean
listen_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  ListenSource *self = (ListenSource *) source;
  QoimaDbNotifyFunc func = (QoimaDbNotifyFunc) (void (*) (void)) callback;
  gboolean heard = listen_step (self);

  if (func == NULL)
    return G_SOURCE_CONTINUE;
  if (self->report_lost)
    {
      self->report_lost = FALSE;
      func (NULL, user_data);
    }
  /* Several notifications read at once, or a return after changes went unheard, are one
   * reload for the listener. */
  if (heard || self->report_back)
    {
      self->report_back = FALSE;
      func (self->channel, user_data);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
listen_check (GSource *source)
{
  ListenSource *self = (ListenSource *) source;

  return self->fd_tag != NULL && g_source_query_unix_fd (source, self->fd_tag) != 0;
}

static void
listen_finalize (GSource *source)
{
  ListenSource *self = (ListenSource *) source;

  g_clear_pointer (&self->conn, PQfinish);
  g_clear_pointer (&self->password, secret_password_free);
  g_free (self->uri);
  g_free (self->conninfo);
  g_free (self->channel);
}

static GSourceFuncs listen_source_funcs = {
  .check = listen_check,
  .dispatch = listen_dispatch,
  .finalize = listen_finalize,
};

GSource *
qoima_db_pg_listen_source_new (const char         *uri,
                               const char         *channel,
                               QoimaDbNotifyFunc   func,
                               gpointer            user_data,
                               GDestroyNotify      destroy,
                               GError            **error)
{
  GSource *source = g_source_new (&listen_source_funcs, sizeof (ListenSource));
  ListenSource *self = (ListenSource *) source;

  self->uri = g_strdup (uri);
  self->conninfo = connection_uri (uri);
  self->channel = g_strdup (channel);
  g_source_set_name (source, "QoimaDb PostgreSQL notifications");
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) func, user_data, destroy);
  listen_start (self);
  return source;
}
