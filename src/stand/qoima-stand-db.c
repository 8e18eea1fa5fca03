/* qoima-stand-db.c: the stand's own SQLite state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-stand-db"

#include "config.h"

#include "qoima-stand-db.h"

#include <glib/gi18n.h>

struct _QoimaStandDb
{
  GObject parent_instance;

  /* owned */
  sqlite3 *db;
};

G_DEFINE_FINAL_TYPE (QoimaStandDb, qoima_stand_db, G_TYPE_OBJECT)

G_DEFINE_QUARK (qoima-stand-error-quark, qoima_stand_error)

/* Codes and documents are looked up by their own keys and by the act they came with;
 * boxes by SSCC. Tokens are stateless JWTs, so they have no table. */
static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS meta ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS participants ("
  "  bin TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  role TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS products ("
  "  gtin TEXT PRIMARY KEY,"
  "  ntin TEXT NOT NULL,"
  "  name_ru TEXT NOT NULL,"
  "  name_kk TEXT NOT NULL,"
  "  inn TEXT NOT NULL,"
  "  form TEXT NOT NULL,"
  "  dosage TEXT NOT NULL,"
  "  units_per_pack INTEGER NOT NULL,"
  "  manufacturer TEXT NOT NULL,"
  "  producer_bin TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS documents ("
  "  id TEXT PRIMARY KEY,"
  "  type TEXT NOT NULL,"
  "  document_number TEXT,"
  "  sender TEXT NOT NULL,"
  "  receiver TEXT,"
  "  status TEXT NOT NULL,"
  "  body TEXT,"
  "  errors TEXT NOT NULL DEFAULT '[]',"
  "  doc_date TEXT NOT NULL,"
  "  created_at TEXT NOT NULL,"
  "  processed_at TEXT,"
  "  invoice_number TEXT,"
  "  related_id TEXT,"
  "  cis_total INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX IF NOT EXISTS documents_receiver ON documents (receiver);"
  "CREATE INDEX IF NOT EXISTS documents_sender ON documents (sender);"
  "CREATE TABLE IF NOT EXISTS boxes ("
  "  sscc TEXT PRIMARY KEY,"
  "  act_id TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS codes ("
  "  ki TEXT PRIMARY KEY,"
  "  gtin TEXT NOT NULL REFERENCES products (gtin),"
  "  serial TEXT NOT NULL,"
  "  km TEXT,"
  "  batch TEXT,"
  "  expiry TEXT,"
  "  status TEXT NOT NULL,"
  "  owner_bin TEXT NOT NULL,"
  "  parent_sscc TEXT,"
  "  withdraw_reason TEXT,"
  "  act_id TEXT);"
  "CREATE INDEX IF NOT EXISTS codes_act ON codes (act_id);"
  "CREATE INDEX IF NOT EXISTS codes_parent ON codes (parent_sscc);"
  /* Registration requests (issue 12): RECEIVED → CHECKED or REFUSED → CONFIRMED. */
  "CREATE TABLE IF NOT EXISTS registration_requests ("
  "  id TEXT PRIMARY KEY,"
  "  bin TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  status TEXT NOT NULL,"
  "  reason TEXT,"
  "  checked_at_ms INTEGER NOT NULL);"
  /* R000-2: the standard connection contract of a request, signed by its head (the key that
   * signed the request); a table of its own so that an older stand's database gains it. */
  "CREATE TABLE IF NOT EXISTS registration_contracts ("
  "  request_id TEXT PRIMARY KEY,"
  "  head_iin TEXT NOT NULL,"
  "  signed_at_ms INTEGER,"
  "  signer_iin TEXT,"
  "  cms TEXT);"
  "CREATE TABLE IF NOT EXISTS challenges ("
  "  uuid TEXT PRIMARY KEY,"
  "  data TEXT NOT NULL,"
  "  expires INTEGER NOT NULL,"
  "  used INTEGER NOT NULL DEFAULT 0);";

static gboolean
set_sqlite_error (QoimaStandDb  *self,
                  GError       **error)
{
  g_set_error (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_FAILED,
               "SQLite: %s", sqlite3_errmsg (self->db));
  return FALSE;
}

static void
qoima_stand_db_finalize (GObject *object)
{
  QoimaStandDb *self = (QoimaStandDb *) object;

  g_clear_pointer (&self->db, sqlite3_close_v2);

  G_OBJECT_CLASS (qoima_stand_db_parent_class)->finalize (object);
}

static void
qoima_stand_db_class_init (QoimaStandDbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = qoima_stand_db_finalize;
}

static void
qoima_stand_db_init (QoimaStandDb *self)
{
}

QoimaStandDb *
qoima_stand_db_open (const char  *path,
                     GError     **error)
{
  g_autoptr(QoimaStandDb) self = g_object_new (QOIMA_TYPE_STAND_DB, NULL);
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_FAILED,
                   _("Cannot open the stand database %s: %s"), path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);

  /* WAL keeps readers and the writer apart, and NORMAL sync is durable enough for a stand
   * while keeping a 10,000-pack act fast. */
  if (!qoima_stand_db_exec (self, "PRAGMA journal_mode = WAL;", error) ||
      !qoima_stand_db_exec (self, "PRAGMA synchronous = NORMAL;", error) ||
      !qoima_stand_db_exec (self, "PRAGMA foreign_keys = ON;", error) ||
      !qoima_stand_db_exec (self, schema_sql, error))
    return NULL;

  return g_steal_pointer (&self);
}

sqlite3 *
qoima_stand_db_get_handle (QoimaStandDb *self)
{
  g_return_val_if_fail (QOIMA_IS_STAND_DB (self), NULL);

  return self->db;
}

sqlite3_stmt *
qoima_stand_db_prepare (QoimaStandDb  *self,
                        const char    *sql,
                        GError       **error)
{
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (QOIMA_IS_STAND_DB (self), NULL);

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error);
      return NULL;
    }
  return stmt;
}

gboolean
qoima_stand_db_exec (QoimaStandDb  *self,
                     const char    *sql,
                     GError       **error)
{
  g_return_val_if_fail (QOIMA_IS_STAND_DB (self), FALSE);

  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error);
  return TRUE;
}

gboolean
qoima_stand_db_step_done (QoimaStandDb  *self,
                          sqlite3_stmt  *stmt,
                          GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_sqlite_error (self, error);
  return TRUE;
}

gboolean
qoima_stand_db_begin (QoimaStandDb  *self,
                      GError       **error)
{
  return qoima_stand_db_exec (self, "BEGIN IMMEDIATE;", error);
}

gboolean
qoima_stand_db_commit (QoimaStandDb  *self,
                       GError       **error)
{
  return qoima_stand_db_exec (self, "COMMIT;", error);
}

void
qoima_stand_db_rollback (QoimaStandDb *self)
{
  g_return_if_fail (QOIMA_IS_STAND_DB (self));

  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK;", NULL, NULL, NULL);
}

char *
qoima_stand_db_get_meta (QoimaStandDb *self,
                         const char   *key)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (QOIMA_IS_STAND_DB (self), NULL);

  stmt = qoima_stand_db_prepare (self, "SELECT value FROM meta WHERE key = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup (qoima_stand_db_column_text (stmt, 0));
}

gboolean
qoima_stand_db_set_meta (QoimaStandDb  *self,
                         const char    *key,
                         const char    *value,
                         GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (QOIMA_IS_STAND_DB (self), FALSE);

  stmt = qoima_stand_db_prepare (self, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  return qoima_stand_db_step_done (self, stmt, error);
}

gint64
qoima_stand_db_next_counter (QoimaStandDb  *self,
                             const char    *key,
                             GError       **error)
{
  g_autofree char *old = qoima_stand_db_get_meta (self, key);
  g_autofree char *text = NULL;
  gint64 value = old != NULL ? g_ascii_strtoll (old, NULL, 10) + 1 : 1;

  text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  if (!qoima_stand_db_set_meta (self, key, text, error))
    return -1;
  return value;
}

char *
qoima_stand_db_get_participant_name (QoimaStandDb *self,
                                     const char   *bin)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (QOIMA_IS_STAND_DB (self), NULL);

  if (bin == NULL)
    return NULL;
  stmt = qoima_stand_db_prepare (self, "SELECT name FROM participants WHERE bin = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, bin, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup (qoima_stand_db_column_text (stmt, 0));
}

const char *
qoima_stand_db_column_text (sqlite3_stmt *stmt,
                            int           col)
{
  return (const char *) sqlite3_column_text (stmt, col);
}
