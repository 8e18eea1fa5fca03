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
#include <stdio.h>
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

/*
 * A receipt batch (schema 13) is audited by one row whose new_values are
 *   {"first_id":F,"last_id":L,"count":N,"sha256":H}
 * H being the hex SHA-256 of the batch's movements F…L in id order, each as one line
 * ending in "\n": the movement's columns and its pack's identity (code, batch, expiry,
 * act; none of which change once received) joined by '|', NULL as ''. The same text the
 * PostgreSQL twin hashes (qoima_receipt_sha256 in qoima-store-migrations-pg.c). Changing,
 * deleting or inserting a movement of the batch, or its pack's identity, changes H or N.
 */
#define RECEIPT_LINES \
  "SELECT m.id, CAST (m.id AS TEXT) || '|' || CAST (m.pack_id AS TEXT) || '|' || p.ki || '|' || coalesce (p.batch, '')" \
  "  || '|' || coalesce (p.expiry, '') || '|' || coalesce (CAST (p.act_id AS TEXT), '') || '|' || m.at" \
  "  || '|' || m.actor || '|' || m.kind || '|' || coalesce (CAST (m.from_location AS TEXT), '')" \
  "  || '|' || coalesce (CAST (m.to_location AS TEXT), '') || '|' || CAST (m.units_delta AS TEXT)" \
  "  || '|' || coalesce (CAST (m.units_after AS TEXT), '')" \
  "  || '|' || m.status_after || '|' || CAST (m.location_after AS TEXT) || '|' || coalesce (m.reason, '')" \
  "  || '|' || coalesce (m.document, '') || '|' || coalesce (CAST (m.patient_id AS TEXT), '') " \
  "FROM movements m JOIN packs p ON p.id = m.pack_id WHERE m.id BETWEEN ?1 AND ?2 ORDER BY m.id"

/* The batch's row, chained by the same formula as AUDIT_ROW in the migrations. */
#define RECEIPT_AUDIT_ROW \
  "INSERT INTO audit (id, at, actor, tbl, row_id, action, old_values, new_values, reason, prev_hash, hash) " \
  "SELECT c.id, c.at, c.actor, 'receipts', c.row_id, 'insert', NULL, c.new, c.reason, c.prev," \
  "       sha256 (c.prev || '|' || c.id || '|' || c.at || '|' || c.actor || '|receipts|' || c.row_id" \
  "               || '|insert||' || c.new || '|' || coalesce (c.reason, '')) " \
  "FROM (SELECT coalesce ((SELECT max (id) FROM audit), 0) + 1 AS id," \
  "             coalesce ((SELECT hash FROM audit ORDER BY id DESC LIMIT 1), '') AS prev," \
  "             strftime ('%Y-%m-%dT%H:%M:%SZ', 'now') AS at," \
  "             qoima_actor () AS actor, qoima_reason () AS reason, ?1 AS row_id, ?2 AS new) c"

typedef struct
{
  gint64 audit_id;
  gint64 first;
  gint64 last;
  gint64 count;
  char   sha256[65];
} ReceiptBatch;

static void
digest_to_hex (const unsigned char digest[32],
               char                hex[65])
{
  static const char digits[] = "0123456789abcdef";

  for (unsigned i = 0; i < 32; i++)
    {
      hex[2 * i] = digits[digest[i] >> 4];
      hex[2 * i + 1] = digits[digest[i] & 0xf];
    }
  hex[64] = '\0';
}

static void
sha256_hex_into (const void *data,
                 gsize       len,
                 char        hex[65])
{
  unsigned char digest[32];

  /* SHA-256 of a buffer in memory fails only when GnuTLS is broken. */
  if (gnutls_hash_fast (GNUTLS_DIG_SHA256, data, len, digest) != 0)
    g_error ("GnuTLS cannot compute SHA-256");

  digest_to_hex (digest, hex);
}

/* The hash of the receipt's movements @first…@last (RECEIPT_LINES), how many there are,
 * and the first id in the range that has no movement (0 if none is missing). */
static gboolean
receipt_digest (QoimaDb  *db,
                gint64    first,
                gint64    last,
                char      hex[65],
                gint64   *n_lines,
                gint64   *missing,
                GError  **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  gnutls_hash_hd_t hash;
  unsigned char digest[32];
  gint64 expected = first;
  QoimaDbStep step;

  *n_lines = 0;
  *missing = 0;

  stmt = qoima_db_prepare (db, RECEIPT_LINES, error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_int64 (stmt, 1, first);
  qoima_db_bind_int64 (stmt, 2, last);

  if (gnutls_hash_init (&hash, GNUTLS_DIG_SHA256) != 0)
    g_error ("GnuTLS cannot compute SHA-256");

  while ((step = qoima_db_step (stmt, error)) == QOIMA_DB_ROW)
    {
      gint64 id = qoima_db_column_int64 (stmt, 0);
      const char *line = qoima_db_column_text (stmt, 1);

      if (id != expected && *missing == 0)
        *missing = expected;
      expected = id + 1;
      if (line != NULL)
        gnutls_hash (hash, line, strlen (line));
      gnutls_hash (hash, "\n", 1);
      (*n_lines)++;
    }
  gnutls_hash_deinit (hash, digest);
  if (step != QOIMA_DB_DONE)
    return FALSE;

  if (expected <= last && *missing == 0)
    *missing = expected;
  digest_to_hex (digest, hex);
  return TRUE;
}

/* The batch's row: its movements @first…@last, @n_lines of them hashing to @hex. */
static gboolean
append_receipt_row (sqlite3     *db,
                    gint64       first_movement,
                    gint64       last_movement,
                    gint64       n_lines,
                    const char  *hex,
                    GError     **error)
{
  g_autofree char *values = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  /* Written by hand, not by json_object (), so that PostgreSQL writes the same text. */
  values = g_strdup_printf ("{\"first_id\":%" G_GINT64_FORMAT ",\"last_id\":%" G_GINT64_FORMAT
                            ",\"count\":%" G_GINT64_FORMAT ",\"sha256\":\"%s\"}",
                            first_movement, last_movement, n_lines, hex);

  rc = sqlite3_prepare_v2 (db, RECEIPT_AUDIT_ROW, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, first_movement);
      sqlite3_bind_text (stmt, 2, values, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      qoima_store_set_sqlite_error (error, db, rc, sqlite3_db_filename (db, "main"));
      return FALSE;
    }

  return TRUE;
}

gboolean
qoima_audit_append_receipt (sqlite3  *db,
                            gint64    first_movement,
                            gint64    last_movement,
                            GError  **error)
{
  char hex[65];
  gint64 n_lines, missing;

  {
    QoimaDb *wrapped = qoima_db_sqlite_new_for_handle (db, sqlite3_db_filename (db, "main"));
    gboolean ok = receipt_digest (wrapped, first_movement, last_movement, hex, &n_lines, &missing, error);

    qoima_db_close (wrapped);
    if (!ok)
      return FALSE;
  }
  g_assert (missing == 0 && n_lines == last_movement - first_movement + 1);

  return append_receipt_row (db, first_movement, last_movement, n_lines, hex, error);
}

struct _QoimaReceiptDigest
{
  gnutls_hash_hd_t hash;
  GString *line;
  gint64 n_lines;
  gint64 next_id; /* the movement id the next line must have; 0 before the first */
  gboolean in_order;
};

QoimaReceiptDigest *
qoima_receipt_digest_new (void)
{
  QoimaReceiptDigest *digest = g_new0 (QoimaReceiptDigest, 1);

  if (gnutls_hash_init (&digest->hash, GNUTLS_DIG_SHA256) != 0)
    g_error ("GnuTLS cannot compute SHA-256");
  digest->line = g_string_sized_new (256);
  digest->in_order = TRUE;
  return digest;
}

void
qoima_receipt_digest_free (QoimaReceiptDigest *digest)
{
  unsigned char ignored[32];

  if (digest == NULL)
    return;
  if (digest->hash != NULL)
    gnutls_hash_deinit (digest->hash, ignored);
  g_string_free (digest->line, TRUE);
  g_free (digest);
}

/* An integer as CAST (… AS TEXT) writes it; by hand, as printf took most of a line's time. */
static void
append_int64 (GString *text,
              gint64   value)
{
  char buffer[24];
  char *digit = buffer + sizeof buffer;
  guint64 rest = value < 0 ? -(guint64) value : (guint64) value;

  do
    {
      *--digit = (char) ('0' + rest % 10);
      rest /= 10;
    }
  while (rest != 0);
  if (value < 0)
    *--digit = '-';
  g_string_append_len (text, digit, buffer + sizeof buffer - digit);
}

static void
append_field (GString    *text,
              const char *value)
{
  g_string_append_c (text, '|');
  if (value != NULL)
    g_string_append (text, value);
}

/* The line RECEIPT_LINES reads back for a RECEIPT movement: no from_location, document or
 * patient; units_delta the units received (0 when unknown), units_after those or NULL. */
void
qoima_receipt_digest_add (QoimaReceiptDigest *digest,
                          gint64              movement_id,
                          gint64              pack_id,
                          const char         *ki,
                          const char         *batch,
                          const char         *expiry,
                          gint64              act_id,
                          const char         *at,
                          const char         *actor,
                          gint64              location_id,
                          int                 units_left,
                          const char         *status,
                          const char         *reason)
{
  GString *line = digest->line;

  if (digest->next_id != 0 && movement_id != digest->next_id)
    digest->in_order = FALSE;
  digest->next_id = movement_id + 1;

  g_string_truncate (line, 0);
  append_int64 (line, movement_id);
  g_string_append_c (line, '|');
  append_int64 (line, pack_id);
  append_field (line, ki);
  append_field (line, batch);
  append_field (line, expiry);
  g_string_append_c (line, '|');
  if (act_id > 0)
    append_int64 (line, act_id);
  append_field (line, at);
  append_field (line, actor);
  g_string_append (line, "|receipt||"); /* kind, then no from_location */
  append_int64 (line, location_id);
  g_string_append_c (line, '|');
  append_int64 (line, units_left > 0 ? units_left : 0);
  g_string_append_c (line, '|');
  if (units_left > 0)
    append_int64 (line, units_left);
  append_field (line, status);
  g_string_append_c (line, '|');
  append_int64 (line, location_id);
  append_field (line, reason);
  g_string_append (line, "||\n"); /* no document, no patient */

  gnutls_hash (digest->hash, line->str, line->len);
  digest->n_lines++;
}

gboolean
qoima_audit_append_receipt_digest (sqlite3             *db,
                                   QoimaReceiptDigest  *digest,
                                   gint64               first_movement,
                                   gint64               last_movement,
                                   GError             **error)
{
  unsigned char value[32];
  char hex[65];

  g_assert (digest->in_order && digest->n_lines == last_movement - first_movement + 1 &&
            digest->next_id == last_movement + 1);
  gnutls_hash_deinit (digest->hash, value);
  digest->hash = NULL;
  digest_to_hex (value, hex);

  return append_receipt_row (db, first_movement, last_movement, digest->n_lines, hex, error);
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

/* qoima_audit_batch(): whether the store's worker is receiving a batch, which one audit
 * row covers; never on another connection, whose movements are audited row by row. */
static void
sql_audit_batch (sqlite3_context  *context,
                 int               argc,
                 sqlite3_value   **argv)
{
  QoimaStoreWorker *worker = sqlite3_user_data (context);

  sqlite3_result_int (context, worker != NULL && qoima_store_worker_get_audit_batch (worker));
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
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function (db, "qoima_audit_batch", 0, SQLITE_UTF8, worker, sql_audit_batch, NULL, NULL);
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
  if (!qoima_db_begin_read (qoima_store_worker_get_db (worker), &local_error))
    {
      g_free (result);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  qoima_audit_verify (qoima_store_worker_get_db (worker), &result->n_rows, &result->broken_row, &local_error);
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
  /* A movement of a receipt batch has the batch's row instead: the last batch that starts
   * at or before it (index audit_receipts) must reach it. Movements from the first audited
   * one on, or written since the trail began (so that cutting a trail's only receipt off
   * is seen too). @ROW_ID@ is audit.row_id as a number, @LAST_ID@ the batch's last_id. */
  { "movements", TAIL_CHECK ("movements",
                             "(t.id >= (SELECT min (@ROW_ID@) FROM audit a WHERE tbl IN ('movements', 'receipts') AND action = 'insert') "
                             " OR t.at >= (SELECT min (at) FROM audit)) "
                             "AND NOT coalesce ((SELECT @LAST_ID@ >= t.id FROM audit a "
                             "                   WHERE a.tbl = 'receipts' AND a.action = 'insert' AND @ROW_ID@ <= t.id "
                             "                   ORDER BY @ROW_ID@ DESC LIMIT 1), FALSE)") },
};

/* Each receipt batch's movements still hash to what its row says. */
static gboolean
check_receipts (QoimaDb  *db,
                GArray   *batches,
                gint64   *broken_row,
                GError  **error)
{
  for (unsigned i = 0; i < batches->len; i++)
    {
      const ReceiptBatch *batch = &g_array_index (batches, ReceiptBatch, i);
      char hex[65];
      gint64 n_lines, missing;

      if (!receipt_digest (db, batch->first, batch->last, hex, &n_lines, &missing, error))
        return FALSE;

      *broken_row = batch->audit_id;
      if (missing != 0)
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                       _("row %lld: movement %lld of the receipt it audits is missing: it was deleted"),
                       (long long) batch->audit_id, (long long) missing);
          return FALSE;
        }
      if (n_lines != batch->count || batch->last - batch->first + 1 != batch->count ||
          strcmp (hex, batch->sha256) != 0)
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                       _("row %lld: the movements %lld to %lld of the receipt it audits no longer match its "
                         "hash: a movement or its pack was changed"),
                       (long long) batch->audit_id, (long long) batch->first, (long long) batch->last);
          return FALSE;
        }
      *broken_row = 0;
    }

  return TRUE;
}

static gboolean
check_tail (QoimaDb  *db,
            GError  **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (tail_checks); i++)
    {
      g_autoptr(GString) sql = g_string_new (tail_checks[i].sql);
      g_autoptr(QoimaDbStmt) stmt = NULL;

      gboolean pg = qoima_db_get_kind (db) == QOIMA_DB_POSTGRESQL;

      /* What the engines spell differently: audit.row_id is untyped on SQLite and text on
       * PostgreSQL; the batch's JSON is read by each engine's own function. */
      g_string_replace (sql, "@ID@", pg ? "CAST (t.id AS TEXT)" : "t.id", 0);
      g_string_replace (sql, "@ROW_ID@", pg ? "CAST (a.row_id AS BIGINT)" : "a.row_id", 0);
      g_string_replace (sql, "@LAST_ID@", pg ? "CAST (CAST (a.new_values AS json) ->> 'last_id' AS BIGINT)"
                                             : "json_extract (a.new_values, '$.last_id')", 0);
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
  g_autoptr(GArray) batches = g_array_new (FALSE, FALSE, sizeof (ReceiptBatch));
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

      /* A receipt batch's row: its movements are checked once the chain is read. Its
       * values are written by hand in one fixed form (qoima_audit_append_receipt and the
       * server's twin), read back the same way on either engine. */
      if (g_strcmp0 (qoima_db_column_text (stmt, 3), "receipts") == 0 &&
          g_strcmp0 (qoima_db_column_text (stmt, 5), "insert") == 0)
        {
          ReceiptBatch batch = { .audit_id = expected_id };
          const char *values = qoima_db_column_text (stmt, 7);

          if (values == NULL ||
              sscanf (values, "{\"first_id\":%" G_GINT64_FORMAT ",\"last_id\":%" G_GINT64_FORMAT
                      ",\"count\":%" G_GINT64_FORMAT ",\"sha256\":\"%64[0-9a-f]\"}",
                      &batch.first, &batch.last, &batch.count, batch.sha256) != 4)
            {
              g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                           _("row %lld was changed: its contents no longer match its hash"),
                           (long long) expected_id);
              if (broken_row != NULL)
                *broken_row = expected_id;
              return FALSE;
            }
          g_array_append_val (batches, batch);
        }

      memcpy (prev_hash, hash, sizeof hash);
      expected_id++;
      rows++;
    }
  if (step != QOIMA_DB_DONE)
    return FALSE;

  if (n_rows != NULL)
    *n_rows = rows;

  {
    gint64 broken = 0;

    if (!check_receipts (db, batches, &broken, error))
      {
        if (broken_row != NULL)
          *broken_row = broken;
        return FALSE;
      }
  }

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
