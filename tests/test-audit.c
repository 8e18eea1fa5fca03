/* test-audit.c: the hash-chained audit trail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-db.h"
#include "qoima-store-audit.h"
#include "qoima-store-private.h"
#include "qoima-test-utils.h"

#include <string.h>
#include <sys/wait.h>

#define GTIN_PARACETAMOL "04870001000014"
#define GTIN_UNKNOWN_UNITS "04870001000038"

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static QoimaStore *
open_store (const char *path)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaStore *store;

  qoima_store_open_async (path, NULL, result_cb, &result);
  store = qoima_store_open_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  return store;
}

/* A new database: a file named @name on SQLite, a new database on the test's PostgreSQL server. */
static char *
temp_db_path (const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "audit-test", name, NULL);

  g_mkdir_with_parents (dir, 0700);
  return qoima_test_new_store_location (dir);
}

/* The same check or tampering written for each engine: SQLite's JSON functions and trigger
 * names, PostgreSQL's jsonb and its triggers, disabled rather than dropped (one trigger there
 * guards both UPDATE and DELETE). */
#define ENGINE(sqlite, postgresql) (qoima_test_on_postgresql () ? (postgresql) : (sqlite))

/* A store with a warehouse, one product and two packs received by "clerk1". */
static QoimaStore *
filled_store (const char *path)
{
  QoimaStore *store = open_store (path);
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(GAsyncResult) result3 = NULL;
  g_autoptr(GError) error = NULL;
  QoimaPackRows *rows = qoima_pack_rows_new ();
  gint64 warehouse;

  g_ptr_array_add (products, qoima_product_new (GTIN_PARACETAMOL, "Парацетамол", NULL, "Paracetamol",
                                                "таблетки", "500 мг", "Химфарм", 20));
  qoima_store_add_products_async (store, products, NULL, result_cb, &result);
  qoima_store_add_products_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);

  qoima_store_add_location_async (store, QOIMA_LOCATION_KIND_WAREHOUSE, "Склад", NULL, NULL, result_cb, &result2);
  warehouse = qoima_store_add_location_finish (store, wait_for (&result2), &error);
  g_assert_no_error (error);

  qoima_pack_rows_add (rows, GTIN_PARACETAMOL, "AAAAAAAAAAAA1", NULL, "B1", "2027-01-31", warehouse, -1);
  qoima_pack_rows_add (rows, GTIN_PARACETAMOL, "AAAAAAAAAAAA2", NULL, "B1", "2027-01-31", warehouse, -1);
  qoima_store_receive_packs_async (store, rows, "clerk1", "act 7", NULL, result_cb, &result3);
  g_assert_true (qoima_store_receive_packs_finish (store, wait_for (&result3), &error));
  g_assert_no_error (error);
  return store;
}

/* Another connection, as another program (sqlite3, psql) would open the database. */
static QoimaDb *
raw_open (const char *path)
{
  g_autoptr(GError) error = NULL;
  QoimaDb *db = qoima_db_open (path, &error);

  g_assert_no_error (error);
  return db;
}

static gint64
raw_int (QoimaDb    *db,
         const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (qoima_db_step (stmt, &error), ==, QOIMA_DB_ROW);
  g_assert_no_error (error);
  return qoima_db_column_int64 (stmt, 0);
}

/* Whether @sql (several statements) runs; the error's code is the store's (CONSTRAINT for a
 * trigger's refusal on either engine). */
static gboolean
raw_exec (QoimaDb     *db,
          const char  *sql,
          GError     **error)
{
  return qoima_db_exec (db, sql, error);
}

static gboolean
verify (QoimaStore *store,
        gint64     *n_rows,
        gint64     *broken_row,
        GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_verify_audit_async (store, NULL, result_cb, &result);
  return qoima_store_verify_audit_finish (store, wait_for (&result), n_rows, broken_row, error);
}

static void
test_sha256 (void)
{
  g_autofree char *hex = qoima_audit_sha256_hex ("abc", 3);

  g_assert_cmpstr (hex, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* A receipt writes its audit rows in its own transaction, with its actor and reason. */
static void
test_receive (void)
{
  g_autofree char *path = temp_db_path ("receive.db");
  g_autoptr(QoimaStore) store = filled_store (path);
  g_autoptr(GError) error = NULL;
  QoimaDb *db = raw_open (path);
  gint64 n_rows = -1, broken = -1;

  /* product, location, and one row for the receipt batch (schema 13): its first and last
   * movement, their count and the hash of their lines, with the receipt's actor and reason */
  g_assert_cmpint (raw_int (db, "SELECT count (*) FROM audit"), ==, 3);
  g_assert_cmpint (raw_int (db, "SELECT count (*) FROM audit WHERE tbl = 'movements'"), ==, 0);
  g_assert_cmpint (raw_int (db, ENGINE ("SELECT count (*) FROM audit WHERE tbl = 'receipts' AND action = 'insert' "
                                        "AND actor = 'clerk1' AND reason = 'act 7' "
                                        "AND row_id = (SELECT min (id) FROM movements) "
                                        "AND json_extract (new_values, '$.first_id') = (SELECT min (id) FROM movements) "
                                        "AND json_extract (new_values, '$.last_id') = (SELECT max (id) FROM movements) "
                                        "AND json_extract (new_values, '$.count') = 2 "
                                        "AND length (json_extract (new_values, '$.sha256')) = 64",
                                        "SELECT count (*) FROM audit WHERE tbl = 'receipts' AND action = 'insert' "
                                        "AND actor = 'clerk1' AND reason = 'act 7' "
                                        "AND row_id = (SELECT min (id) FROM movements)::TEXT "
                                        "AND (new_values::jsonb->>'first_id')::BIGINT = (SELECT min (id) FROM movements) "
                                        "AND (new_values::jsonb->>'last_id')::BIGINT = (SELECT max (id) FROM movements) "
                                        "AND (new_values::jsonb->>'count')::BIGINT = 2 "
                                        "AND length (new_values::jsonb->>'sha256') = 64")), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count (*) FROM audit WHERE tbl = 'products' AND actor = 'system'"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count (*) FROM audit WHERE id = 1 AND prev_hash = ''"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count (*) FROM audit a JOIN audit b ON b.id = a.id + 1 "
                                "WHERE b.prev_hash = a.hash"), ==, 2);

  /* A failed receipt (a duplicate code) leaves no audit row behind. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    QoimaPackRows *rows = qoima_pack_rows_new ();

    qoima_pack_rows_add (rows, GTIN_PARACETAMOL, "AAAAAAAAAAAA3", NULL, "B1", "2027-01-31", 1, -1);
    qoima_pack_rows_add (rows, GTIN_PARACETAMOL, "AAAAAAAAAAAA1", NULL, "B1", "2027-01-31", 1, -1);
    qoima_store_receive_packs_async (store, rows, "clerk1", "act 8", NULL, result_cb, &result);
    g_assert_false (qoima_store_receive_packs_finish (store, wait_for (&result), &error));
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
    g_clear_error (&error);
  }
  g_assert_cmpint (raw_int (db, "SELECT count (*) FROM audit"), ==, 3);
  qoima_db_close (db);

  g_assert_true (verify (store, &n_rows, &broken, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_rows, ==, 3);
  g_assert_cmpint (broken, ==, 0);
}

/* A scan that brings a pack's full marking code changes the pack: audited as the scanner. */
static void
test_scan (void)
{
  g_autofree char *path = temp_db_path ("scan.db");
  g_autoptr(QoimaStore) store = filled_store (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaPack) pack = NULL;
  QoimaMarkingCode code = { 0 };
  const char *ki = "01" GTIN_PARACETAMOL "21AAAAAAAAAAAA1";
  g_autofree char *km = g_strconcat (ki, "\x1d" "91EE10\x1d" "92", "dGVzdGNyeXB0b3RhaWxvZmZvcnR5Zm91cmNoYXJzMTIzNA==", NULL);
  QoimaDb *db;

  code.kind = QOIMA_CODE_KIND_PACK;
  code.gtin = (char *) GTIN_PARACETAMOL;
  code.serial = (char *) "AAAAAAAAAAAA1";
  code.ki = (char *) ki;
  code.km = km;
  qoima_store_record_scan_async (store, &code, "nurse1", NULL, result_cb, &result);
  pack = qoima_store_record_scan_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, ENGINE ("SELECT count (*) FROM audit WHERE tbl = 'packs' AND action = 'update' "
                                        "AND actor = 'nurse1' AND json_extract (old_values, '$.km') IS NULL "
                                        "AND json_extract (new_values, '$.km') IS NOT NULL",
                                        "SELECT count (*) FROM audit WHERE tbl = 'packs' AND action = 'update' "
                                        "AND actor = 'nurse1' AND old_values::jsonb->>'km' IS NULL "
                                        "AND new_values::jsonb->>'km' IS NOT NULL")), ==, 1);
  qoima_db_close (db);
  g_assert_true (verify (store, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_append_only (void)
{
  g_autofree char *path = temp_db_path ("append.db");
  g_autoptr(QoimaStore) store = filled_store (path);
  QoimaDb *db = raw_open (path);
  g_autoptr(GError) error = NULL;

  g_assert_false (raw_exec (db, "UPDATE audit SET actor = 'x' WHERE id = 3", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (raw_exec (db, "DELETE FROM audit WHERE id = 3", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  /* PostgreSQL's TRUNCATE skips row triggers: a statement trigger refuses it. */
  if (qoima_test_on_postgresql ())
    {
      g_assert_false (raw_exec (db, "TRUNCATE audit", &error));
      g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
      g_clear_error (&error);
    }
  g_assert_cmpint (raw_int (db, "SELECT count (*) FROM audit"), ==, 3);
  qoima_db_close (db);
}

/* Tampering, each on its own database: verify names the first broken row. */
static void
check_tampered (const char *name,
                const char *sql,
                gint64      expected_row,
                const char *expected_words)
{
  g_autofree char *path = temp_db_path (name);
  g_autoptr(QoimaStore) store = filled_store (path);
  g_autoptr(GError) error = NULL;
  gint64 n_rows = -1, broken = -1;
  QoimaDb *db = raw_open (path);

  g_assert_true (verify (store, &n_rows, &broken, &error));
  g_assert_cmpint (n_rows, ==, 3);

  g_assert_true (raw_exec (db, sql, &error));
  g_assert_no_error (error);
  qoima_db_close (db);

  g_assert_false (verify (store, &n_rows, &broken, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT);
  g_assert_cmpint (broken, ==, expected_row);
  g_assert_nonnull (strstr (error->message, expected_words));
  g_test_message ("%s: %s", name, error->message);
}

static void
test_edited (void)
{
  check_tampered ("edited.db",
                  ENGINE ("DROP TRIGGER audit_no_update;"
                          "UPDATE audit SET new_values = json_set (new_values, '$.count', 3) WHERE id = 3",
                          "ALTER TABLE audit DISABLE TRIGGER audit_no_change;"
                          "UPDATE audit SET new_values = jsonb_set (new_values::jsonb, '{count}', '3')::TEXT WHERE id = 3"),
                  3, "changed");
}

static void
test_deleted (void)
{
  check_tampered ("deleted.db",
                  ENGINE ("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 2",
                          "ALTER TABLE audit DISABLE TRIGGER audit_no_change; DELETE FROM audit WHERE id = 2"),
                  2, "missing");
}

/* A row forged into the chain with a hash that is right for its own contents but does
 * not follow the row before it. */
static void
test_inserted (void)
{
  check_tampered ("inserted.db",
                  ENGINE ("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
                          "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE id >= 3;"
                          "DELETE FROM audit WHERE id >= 3;"
                          "INSERT INTO audit SELECT 3, at, 'mallory', tbl, row_id, action, old_values, new_values, reason,"
                          "  'forged', sha256 ('forged|3|' || at || '|mallory|' || tbl || '|' || row_id || '|' || action"
                          "  || '|' || coalesce (old_values, '') || '|' || coalesce (new_values, '') || '|' || coalesce (reason, ''))"
                          "  FROM t WHERE id = 3;"
                          "INSERT INTO audit SELECT id + 1, at, actor, tbl, row_id, action, old_values, new_values, reason, prev_hash, hash"
                          "  FROM t ORDER BY id",
                          "ALTER TABLE audit DISABLE TRIGGER audit_no_change;"
                          "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE id >= 3;"
                          "DELETE FROM audit WHERE id >= 3;"
                          "INSERT INTO audit SELECT 3, at, 'mallory', tbl, row_id, action, old_values, new_values, reason,"
                          "  'forged', encode (sha256 (convert_to ('forged|3|' || at || '|mallory|' || tbl || '|' || row_id"
                          "  || '|' || action || '|' || coalesce (old_values, '') || '|' || coalesce (new_values, '')"
                          "  || '|' || coalesce (reason, ''), 'UTF8')), 'hex')"
                          "  FROM t WHERE id = 3;"
                          "INSERT INTO audit SELECT id + 1, at, actor, tbl, row_id, action, old_values, new_values, reason, prev_hash, hash"
                          "  FROM t ORDER BY id"),
                  3, "out of the chain");
}

/* The last row cut off: the chain left holds, but the movements it spoke for are there. */
static void
test_truncated (void)
{
  check_tampered ("truncated.db",
                  ENGINE ("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 3",
                          "ALTER TABLE audit DISABLE TRIGGER audit_no_change; DELETE FROM audit WHERE id = 3"),
                  3, "cut off the end");
}

/* A receipt batch's one audit row (row 3) covers each of its movements and their packs'
 * identity: a movement or pack changed, deleted or slipped in behind the triggers' backs
 * breaks verify as an edited audit row does. */
static void
test_receipt_movement_changed (void)
{
  check_tampered ("receipt-changed.db",
                  ENGINE ("DROP TRIGGER movements_no_update;"
                          "UPDATE movements SET units_after = 19 WHERE id = (SELECT max (id) FROM movements)",
                          "ALTER TABLE movements DISABLE TRIGGER movements_no_change;"
                          "UPDATE movements SET units_after = 19 WHERE id = (SELECT max (id) FROM movements)"),
                  3, "changed");
}

static void
test_receipt_pack_changed (void)
{
  check_tampered ("receipt-pack-changed.db",
                  ENGINE ("DROP TRIGGER audit_packs_update;"
                          "UPDATE packs SET expiry = '2030-12-31' WHERE id = (SELECT max (id) FROM packs)",
                          "ALTER TABLE packs DISABLE TRIGGER audit_packs_update;"
                          "UPDATE packs SET expiry = '2030-12-31' WHERE id = (SELECT max (id) FROM packs)"),
                  3, "changed");
}

static void
test_receipt_movement_deleted (void)
{
  check_tampered ("receipt-deleted.db",
                  ENGINE ("DROP TRIGGER movements_no_delete;"
                          "DELETE FROM movements WHERE id = (SELECT min (id) FROM movements)",
                          "ALTER TABLE movements DISABLE TRIGGER movements_no_change;"
                          "DELETE FROM movements WHERE id = (SELECT min (id) FROM movements)"),
                  3, "deleted");
}

/* A forged movement in a deleted one's place: the batch's hash no longer matches. */
static void
test_receipt_movement_replaced (void)
{
  check_tampered ("receipt-replaced.db",
                  ENGINE ("DROP TRIGGER movements_no_delete; DROP TRIGGER audit_movements_insert;"
                          "CREATE TEMP TABLE m AS SELECT * FROM movements WHERE id = (SELECT min (id) FROM movements);"
                          "DELETE FROM movements WHERE id = (SELECT id FROM m);"
                          "UPDATE m SET actor = 'mallory';"
                          "INSERT INTO movements SELECT * FROM m",
                          "ALTER TABLE movements DISABLE TRIGGER movements_no_change;"
                          "ALTER TABLE movements DISABLE TRIGGER audit_movements;"
                          "CREATE TEMP TABLE m AS SELECT * FROM movements WHERE id = (SELECT min (id) FROM movements);"
                          "DELETE FROM movements WHERE id = (SELECT id FROM m);"
                          "UPDATE m SET actor = 'mallory';"
                          "INSERT INTO movements SELECT * FROM m"),
                  3, "changed");
}

/* A movement added after the receipt with no audit row of its own. */
static void
test_receipt_movement_inserted (void)
{
  g_autofree char *sql = g_strconcat (ENGINE ("DROP TRIGGER audit_movements_insert;",
                                               "ALTER TABLE movements DISABLE TRIGGER audit_movements;"),
                                       "INSERT INTO movements (pack_id, at, actor, kind, from_location, to_location, units_delta,"
                                       "                       units_after, status_after, location_after)"
                                       "  SELECT pack_id, at, 'mallory', 'write_off', location_after, NULL, 0, units_after,"
                                       "         'written_off', location_after FROM movements"
                                       "  WHERE id = (SELECT max (id) FROM movements)", NULL);

  check_tampered ("receipt-inserted.db", sql, 4, "has no audit row");
}

/* The store of filled_store, then a receipt of @n packs of three kinds (units known, opened
 * with 7 of 20, unknown; batch and expiry given or not; two locations) that came with an act:
 * the batch's one audit row, row *@receipt_row, covers every field of its lines. */
static QoimaStore *
mixed_store (const char *path,
             int         n,
             gint64     *receipt_row)
{
  QoimaStore *store = filled_store (path);
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(GAsyncResult) result3 = NULL;
  g_autoptr(GError) error = NULL;
  QoimaPackRows *rows = qoima_pack_rows_new ();
  QoimaDb *db = raw_open (path);
  gint64 ward, act;

  g_ptr_array_add (products, qoima_product_new (GTIN_UNKNOWN_UNITS, "Ёд-актив", NULL, "Potassium iodide",
                                                "таблетки", "200 мкг", "Berlin-Chemie", 0));
  qoima_store_add_products_async (store, products, NULL, result_cb, &result);
  qoima_store_add_products_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  qoima_store_add_location_async (store, QOIMA_LOCATION_KIND_WARD, "Хирургия", NULL, NULL, result_cb, &result2);
  ward = qoima_store_add_location_finish (store, wait_for (&result2), &error);
  g_assert_no_error (error);

  /* The act as ИС МПТ's sync leaves it (written here by another connection). */
  g_assert_true (raw_exec (db, "INSERT INTO acts (ismpt_id, number, status) VALUES ('mixed-act', '17', 'accepted')",
                           &error));
  g_assert_no_error (error);
  act = raw_int (db, "SELECT id FROM acts WHERE ismpt_id = 'mixed-act'");

  for (int i = 0; i < n; i++)
    {
      g_autofree char *serial = g_strdup_printf ("MIXED%08d", i);

      if (i % 3 == 0)
        qoima_pack_rows_add (rows, GTIN_UNKNOWN_UNITS, serial, NULL, NULL, NULL, 1, -1);
      else if (i % 3 == 1)
        qoima_pack_rows_add (rows, GTIN_PARACETAMOL, serial, NULL, "B2|7", "2027-04-30", i % 2 ? ward : 1, 7);
      else
        qoima_pack_rows_add (rows, GTIN_PARACETAMOL, serial, NULL, "B2", NULL, ward, -1);
    }
  qoima_pack_rows_set_act_id (rows, act);
  qoima_store_receive_packs_async (store, rows, "clerk2", "act 17", NULL, result_cb, &result3);
  g_assert_true (qoima_store_receive_packs_finish (store, wait_for (&result3), &error));
  g_assert_no_error (error);

  *receipt_row = raw_int (db, "SELECT max (id) FROM audit WHERE tbl = 'receipts'");
  g_assert_cmpint (raw_int (db, "SELECT count (*) FROM packs WHERE act_id IS NOT NULL"), ==, n);
  qoima_db_close (db);
  return store;
}

/* A large receipt of mixed packs verifies; a pack or movement of it changed in the middle
 * of the batch, or its act, breaks the receipt's row. */
static void
check_mixed_tampered (const char *name,
                      const char *sql)
{
  g_autofree char *path = temp_db_path (name);
  gint64 receipt_row = 0;
  g_autoptr(QoimaStore) store = mixed_store (path, 600, &receipt_row);
  g_autoptr(GError) error = NULL;
  gint64 n_rows = -1, broken = -1;
  QoimaDb *db;

  g_assert_true (verify (store, &n_rows, &broken, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_rows, ==, receipt_row);
  g_assert_cmpint (broken, ==, 0);

  db = raw_open (path);
  g_assert_true (raw_exec (db, sql, &error));
  g_assert_no_error (error);
  qoima_db_close (db);

  g_assert_false (verify (store, &n_rows, &broken, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT);
  g_assert_cmpint (broken, ==, receipt_row);
  g_assert_nonnull (strstr (error->message, "changed"));
  g_test_message ("%s: %s", name, error->message);
}

static void
test_receipt_mixed_pack_changed (void)
{
  check_mixed_tampered ("mixed-pack.db",
                        ENGINE ("DROP TRIGGER audit_packs_update;"
                                "UPDATE packs SET batch = 'B2' WHERE id = (SELECT min (id) + 301 FROM packs WHERE act_id IS NOT NULL)",
                                "ALTER TABLE packs DISABLE TRIGGER audit_packs_update;"
                                "UPDATE packs SET batch = 'B2' WHERE id = (SELECT min (id) + 301 FROM packs WHERE act_id IS NOT NULL)"));
}

static void
test_receipt_mixed_act_changed (void)
{
  check_mixed_tampered ("mixed-act.db",
                        ENGINE ("DROP TRIGGER audit_packs_update;"
                                "UPDATE packs SET act_id = NULL WHERE id = (SELECT max (id) FROM packs)",
                                "ALTER TABLE packs DISABLE TRIGGER audit_packs_update;"
                                "UPDATE packs SET act_id = NULL WHERE id = (SELECT max (id) FROM packs)"));
}

static void
test_receipt_mixed_movement_changed (void)
{
  check_mixed_tampered ("mixed-movement.db",
                        ENGINE ("DROP TRIGGER movements_no_update;"
                                "UPDATE movements SET units_delta = 0 WHERE id = (SELECT max (id) - 199 FROM movements)",
                                "ALTER TABLE movements DISABLE TRIGGER movements_no_change;"
                                "UPDATE movements SET units_delta = 0 WHERE id = (SELECT max (id) - 199 FROM movements)"));
}

/* qoimactl audit verify: exit 0 and the row count, then exit 1 naming the row. */
static void
test_qoimactl (void)
{
  g_autofree char *path = temp_db_path ("cli.db");
  g_autoptr(QoimaStore) store = filled_store (path);
  const char *qoimactl = g_getenv ("QOIMACTL");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;
  QoimaDb *db;

  if (qoimactl == NULL)
    {
      g_test_skip ("QOIMACTL is not set");
      return;
    }
  qoima_store_close (store);

  {
    const char *argv[] = { qoimactl, "--db", path, "audit", "verify", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpstr (out, ==, "audit trail OK: 3 rows\n");
  }

  db = raw_open (path);
  g_assert_true (raw_exec (db, ENGINE ("DROP TRIGGER audit_no_update; UPDATE audit SET reason = 'act 9' WHERE id = 3",
                                       "ALTER TABLE audit DISABLE TRIGGER audit_no_change;"
                                       "UPDATE audit SET reason = 'act 9' WHERE id = 3"), &error));
  g_assert_no_error (error);
  qoima_db_close (db);

  {
    const char *argv[] = { qoimactl, "--db", path, "audit", "verify", NULL };

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 1);
    g_assert_true (g_str_has_prefix (out, "audit trail broken at row 3: "));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/audit/sha256", test_sha256);
  g_test_add_func ("/audit/receive", test_receive);
  g_test_add_func ("/audit/scan", test_scan);
  g_test_add_func ("/audit/append-only", test_append_only);
  g_test_add_func ("/audit/verify/edited", test_edited);
  g_test_add_func ("/audit/verify/deleted", test_deleted);
  g_test_add_func ("/audit/verify/inserted", test_inserted);
  g_test_add_func ("/audit/verify/truncated", test_truncated);
  g_test_add_func ("/audit/verify/receipt-movement-changed", test_receipt_movement_changed);
  g_test_add_func ("/audit/verify/receipt-pack-changed", test_receipt_pack_changed);
  g_test_add_func ("/audit/verify/receipt-movement-deleted", test_receipt_movement_deleted);
  g_test_add_func ("/audit/verify/receipt-movement-replaced", test_receipt_movement_replaced);
  g_test_add_func ("/audit/verify/receipt-movement-inserted", test_receipt_movement_inserted);
  g_test_add_func ("/audit/verify/receipt-mixed-pack-changed", test_receipt_mixed_pack_changed);
  g_test_add_func ("/audit/verify/receipt-mixed-act-changed", test_receipt_mixed_act_changed);
  g_test_add_func ("/audit/verify/receipt-mixed-movement-changed", test_receipt_mixed_movement_changed);
  g_test_add_func ("/audit/qoimactl", test_qoimactl);

  return g_test_run ();
}
