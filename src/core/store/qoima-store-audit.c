/* qoima-store-audit.c: the hash-chained audit trail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-audit"

#include "config.h"

#include "qoima-store-audit.h"

#include "qoima-store-private.h"
#include "qoima-db-private.h"

#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

/*
 * The audit rows themselves are written by the schema's triggers (migration step 3): this
 * file gives them the SQL functions they call, and checks the chain they build.
 *
 * The chain: each row's hash is the hex SHA-256 of
 *   prev_hash|id|at|actor|tbl|row_id|action|old_values|new_values|reason
 * with NULL as the empty string and prev_hash '' for the first row. qoima_audit_verify_db()
 * must compute exactly what the trigger audit_log_chain computes.
 */

typedef struct
{
  gint64 n_rows;
  gint64 broken_row;
} VerifyResult;

#define AUDIT_SELECT \
  "SELECT id, at, actor, tbl, row_id, action, old_values, new_values, reason, prev_hash, hash " \
  "FROM audit ORDER BY id"

static void
sha256_hex_into (const void *data,
                 gsize       len,
                 char        hex[65])
{
  static const char digits[] = "0123456789abcdef";
  unsigned char digest[32];

  /* SHA-256 of a buffer in memory fails only when GnuTLS is broken. */
  if (gnutls_hash_fast (GNUTLS_DIG_SHA256, data, len, digest) != 0)
    g_error ("GnuTLS cannot compute SHA-256");

  for (unsigned i = 0; i < sizeof digest; i++)
    {
      hex[2 * i] = digits[digest[i] >> 4];
      hex[2 * i + 1] = digits[digest[i] & 0xf];
    }
  hex[64] = '\0';
}

/* sha256(x): the hex SHA-256 of a text or blob; NULL for NULL. */
static void
sql_sha256 (sqlite3_context  *context,
            int               argc,
            sqlite3_value   **argv)
{
  char hex[65];
  const void *data;
  int len;

  g_assert (argc == 1);

  if (sqlite3_value_type (argv[0]) == SQLITE_NULL)
    {
      sqlite3_result_null (context);
      return;
    }

  if (sqlite3_value_type (argv[0]) == SQLITE_BLOB)
    data = sqlite3_value_blob (argv[0]);
  else
    data = sqlite3_value_text (argv[0]);
  len = sqlite3_value_bytes (argv[0]);

  sha256_hex_into (data != NULL ? data : "", len, hex);
  sqlite3_result_text (context, hex, 64, SQLITE_TRANSIENT);
}

/* qoima_actor() and qoima_reason(): who the current job acts for and why. On a
 * connection that is not the store's worker (another program, a test's raw handle)
 * there is no job, and the change is put down to "external". */
static void
sql_actor (sqlite3_context  *context,
           int               argc,
           sqlite3_value   **argv)
{
  QoimaStoreWorker *worker = sqlite3_user_data (context);
  const char *actor = worker != NULL ? qoima_store_worker_get_actor (worker) : "external";

  sqlite3_result_text (context, actor, -1, SQLITE_TRANSIENT);
}

static void
sql_reason (sqlite3_context  *context,
            int               argc,
            sqlite3_value   **argv)
{
  QoimaStoreWorker *worker = sqlite3_user_data (context);
  const char *reason = worker != NULL ? qoima_store_worker_get_reason (worker) : NULL;

  if (reason != NULL)
    sqlite3_result_text (context, reason, -1, SQLITE_TRANSIENT);
  else
    sqlite3_result_null (context);
}

static int
register_functions (sqlite3          *db,
                    QoimaStoreWorker *worker)
{
  int rc;

  rc = sqlite3_create_function (db, "sha256", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                NULL, sql_sha256, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function (db, "qoima_actor", 0, SQLITE_UTF8, worker, sql_actor, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function (db, "qoima_reason", 0, SQLITE_UTF8, worker, sql_reason, NULL, NULL);
  return rc;
}

static int
auto_extension_init (sqlite3                           *db,
                     const char                       **error_message,
                     const struct sqlite3_api_routines *api)
{
  return register_functions (db, NULL);
}

static gboolean
verify_row (QoimaDbStmt   *stmt,
            gint64         expected_id,
            const char    *prev_hash,
            GString       *text,
            char           hash_out[65],
            GError       **error)
{
  gint64 id = qoima_db_column_int64 (stmt, 0);
  const char *stored_prev = qoima_db_column_text (stmt, 9);
  const char *stored_hash = qoima_db_column_text (stmt, 10);

  if (id != expected_id)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                   _("row %lld is missing: it was deleted (the next row is %lld)"),
                   (long long) expected_id, (long long) id);
      return FALSE;
    }

  if (g_strcmp0 (stored_prev, prev_hash) != 0)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                   _("row %lld does not follow the row before it: it was inserted out of the chain"),
                   (long long) id);
      return FALSE;
    }

  g_string_assign (text, prev_hash);
  g_string_append_printf (text, "|%" G_GINT64_FORMAT, id);
  for (int column = 1; column <= 8; column++)
    {
      const char *value = qoima_db_column_text (stmt, column);

      g_string_append_c (text, '|');
      if (value != NULL)
        g_string_append (text, value);
    }

  sha256_hex_into (text->str, text->len, hash_out);
  if (g_strcmp0 (stored_hash, hash_out) != 0)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                   _("row %lld was changed: its contents no longer match its hash"),
                   (long long) id);
      return FALSE;
    }

  return TRUE;
}

static void
verify_audit_job (QoimaStoreWorker *worker,
                  GTask            *task)
{
  g_autoptr(GError) local_error = NULL;
  VerifyResult *result = g_new0 (VerifyResult, 1);

  /* A read transaction, so the chain is read as one snapshot. */
  if (!qoima_db_begin_read (qoima_store_worker_get_database (worker), &local_error))
    {
      g_free (result);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  qoima_audit_verify (qoima_store_worker_get_database (worker), &result->n_rows, &result->broken_row, &local_error);
  qoima_store_worker_rollback (worker);

  if (local_error != NULL && result->broken_row == 0)
    {
      g_free (result);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  /* A broken chain is an answer, not a failure to answer: the caller gets the row. */
  g_task_set_task_data (task, result, g_free);
  if (local_error != NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Called by the store's worker when it opens the database, after the migrations. */
gboolean
qoima_audit_install (sqlite3           *db,
                     QoimaStoreWorker  *worker,
                     const char        *path,
                     GError           **error)
{
  static gsize auto_extension_done = 0;
  int rc;

  /* Other connections in this process (tests' raw handles, the benchmark's baseline)
   * get the functions too, or any change they make to an audited table would fail. */
  if (g_once_init_enter (&auto_extension_done))
    {
      sqlite3_auto_extension ((void (*) (void)) auto_extension_init);
      g_once_init_leave (&auto_extension_done, 1);
    }

  rc = register_functions (db, worker);
  if (rc != SQLITE_OK)
    {
      qoima_store_set_sqlite_error (error, db, rc, path);
      return FALSE;
    }

  return TRUE;
}

char *
qoima_audit_sha256_hex (const void *data,
                        gsize       len)
{
  char hex[65];

  sha256_hex_into (data, len, hex);
  return g_strdup (hex);
}

/*
 * Rows that were written with their audit row in the same transaction, and must still
 * have it. Tables audited since they were created are checked whole; movements are older
 * than the audit trail (schema 3), so only those after the first audited one.
 */
/* Each append-only table's rows since the trail began, against the audit rows written with
 * them. audit.row_id is untyped on SQLite (a key or an id) and text on PostgreSQL, where the
 * id is compared as text. */
#define TAIL_CHECK(tbl, from) \
  "SELECT '" tbl "', min (t.id) FROM " tbl " t " \
  "WHERE " from " AND @ID@ NOT IN (SELECT row_id FROM audit WHERE tbl = '" tbl "' AND action = 'insert')"

static const struct {
  const char *table;
  const char *sql;
} tail_checks[] = {
  { "users", TAIL_CHECK ("users", "TRUE") },
  { "patients", TAIL_CHECK ("patients", "TRUE") },
  { "withdrawals_owed", TAIL_CHECK ("withdrawals_owed", "TRUE") },
  { "transfers", TAIL_CHECK ("transfers", "TRUE") },
  { "movements", TAIL_CHECK ("movements",
                             "t.id >= (SELECT min (CAST (row_id AS BIGINT)) FROM audit "
                             "         WHERE tbl = 'movements' AND action = 'insert')") },
};

static gboolean
check_tail (QoimaDb  *db,
            GError  **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (tail_checks); i++)
    {
      g_autoptr(GString) sql = g_string_new (tail_checks[i].sql);
      g_autoptr(QoimaDbStmt) stmt = NULL;

      g_string_replace (sql, "@ID@", qoima_db_get_kind (db) == QOIMA_DB_POSTGRESQL ? "CAST (t.id AS TEXT)" : "t.id", 1);
      stmt = qoima_db_prepare (db, sql->str, error);

      if (stmt == NULL || qoima_db_step (stmt, error) != QOIMA_DB_ROW)
        return FALSE;

      if (!qoima_db_column_is_null (stmt, 1))
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                       _("the trail ends too early: row %lld of %s has no audit row, so rows were "
                         "cut off the end of the trail"),
                       (long long) qoima_db_column_int64 (stmt, 1), tail_checks[i].table);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
qoima_audit_verify (QoimaDb  *db,
                    gint64   *n_rows,
                    gint64   *broken_row,
                    GError  **error)
{
  g_autoptr(GString) text = g_string_sized_new (512);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  char prev_hash[65] = "";
  char hash[65];
  gint64 expected_id = 1;
  gint64 rows = 0;
  QoimaDbStep step;

  g_return_val_if_fail (db != NULL, FALSE);

  if (n_rows != NULL)
    *n_rows = 0;
  if (broken_row != NULL)
    *broken_row = 0;

  stmt = qoima_db_prepare (db, AUDIT_SELECT, error);
  if (stmt == NULL)
    return FALSE;

  while ((step = qoima_db_step (stmt, error)) == QOIMA_DB_ROW)
    {
      if (!verify_row (stmt, expected_id, prev_hash, text, hash, error))
        {
          if (broken_row != NULL)
            *broken_row = expected_id;
          if (n_rows != NULL)
            *n_rows = rows;
          return FALSE;
        }

      memcpy (prev_hash, hash, sizeof hash);
      expected_id++;
      rows++;
    }
  if (step != QOIMA_DB_DONE)
    return FALSE;

  if (n_rows != NULL)
    *n_rows = rows;

  /* A chain cut short still holds; but the rows it spoke for are still there. */
  if (!check_tail (db, error))
    {
      if (broken_row != NULL)
        *broken_row = rows + 1;
      return FALSE;
    }

  return TRUE;
}

gboolean
qoima_audit_verify_db (sqlite3  *db,
                       gint64   *n_rows,
                       gint64   *broken_row,
                       GError  **error)
{
  QoimaDb *wrapped;
  gboolean ok;

  g_return_val_if_fail (db != NULL, FALSE);

  wrapped = qoima_db_sqlite_new_for_handle (db, sqlite3_db_filename (db, "main"));
  ok = qoima_audit_verify (wrapped, n_rows, broken_row, error);
  qoima_db_close (wrapped);
  return ok;
}

void
qoima_store_verify_audit_async (QoimaStore          *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_verify_audit_async);
  qoima_store_queue_job (self, verify_audit_job, task);
}

gboolean
qoima_store_verify_audit_finish (QoimaStore    *self,
                                 GAsyncResult  *result,
                                 gint64        *n_rows,
                                 gint64        *broken_row,
                                 GError       **error)
{
  VerifyResult *verified;

  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_verify_audit_async), FALSE);

  verified = g_task_get_task_data (G_TASK (result));
  if (n_rows != NULL)
    *n_rows = verified != NULL ? verified->n_rows : 0;
  if (broken_row != NULL)
    *broken_row = verified != NULL ? verified->broken_row : 0;
  return g_task_propagate_boolean (G_TASK (result), error);
}
