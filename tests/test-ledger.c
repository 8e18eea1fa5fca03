/* test-ledger.c: transfers to wards, per-unit use with its guards, picking and undo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-store-audit.h"
#include "qoima-demo.h"
#include "qoima-store-ledger.h"
#include "qoima-store-outbox.h"
#include "qoima-store-private.h"
#include "qoima-store-users.h"
#include "qoima-user.h"
#include "qoima-test-utils.h"

#include <glib/gstdio.h>
#include <sys/wait.h>
#include <string.h>

#define TABLETS_GTIN "04870101000010" /* 20 units a pack in the demo catalog */
#define VIAL_GTIN "04870101000065"    /* one unit a pack */
#define NO_UNITS_GTIN "04870999000019"

#define TAB_LATE "01" TABLETS_GTIN "21" "LEDGERTAB0001"
#define TAB_EARLY "01" TABLETS_GTIN "21" "LEDGERTAB0002"
#define TAB_EXPIRED "01" TABLETS_GTIN "21" "LEDGERTAB0003"
#define TAB_WAREHOUSE "01" TABLETS_GTIN "21" "LEDGERTAB0004"
#define VIAL "01" VIAL_GTIN "21" "LEDGERVIAL001"
#define NO_UNITS "01" NO_UNITS_GTIN "21" "LEDGERNOUNIT1"

#define IIN_A "850715400238"
#define RECORD_B "ИБ2024-17"
#define RECORD_B_CLEAN "ИБ202417"

typedef struct
{
  char *dir;
  char *path;
  QoimaStore *store;
  QoimaDb *raw; /* another connection, as another program would read the database */
  gint64 warehouse;
  gint64 ward;
  gint64 other_ward;
  QoimaUser *admin;
  QoimaUser *clerk;
  QoimaUser *nurse;
  QoimaUser *other_nurse;
} Fixture;

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

static QoimaUser *
add_user (Fixture    *fixture,
          QoimaUser  *acting,
          const char *name,
          QoimaRole   role,
          gint64      ward_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_add_user_async (fixture->store, acting, name, NULL, role, ward_id, "long enough secret",
                              NULL, result_cb, &result);
  user = qoima_store_add_user_finish (fixture->store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
  return user;
}

static gint64
raw_int (Fixture    *fixture,
         const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (fixture->raw, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (qoima_db_step (stmt, &error), ==, QOIMA_DB_ROW);
  g_assert_no_error (error);
  return qoima_db_column_int64 (stmt, 0);
}

static char *
raw_text (Fixture    *fixture,
          const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (fixture->raw, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (qoima_db_step (stmt, &error), ==, QOIMA_DB_ROW);
  g_assert_no_error (error);
  return g_strdup (qoima_db_column_text (stmt, 0));
}

static void
assert_text (Fixture    *fixture,
             const char *sql,
             const char *expected)
{
  g_autofree char *value = raw_text (fixture, sql);

  g_assert_cmpstr (value, ==, expected);
}

/* Everything a refused call must leave as it was. */
static char *
ledger_state (Fixture *fixture)
{
  return g_strdup_printf ("movements=%" G_GINT64_FORMAT " patients=%" G_GINT64_FORMAT
                          " owed=%" G_GINT64_FORMAT " audit=%" G_GINT64_FORMAT,
                          raw_int (fixture, "SELECT count(*) FROM movements"),
                          raw_int (fixture, "SELECT count(*) FROM patients"),
                          raw_int (fixture, "SELECT count(*) FROM withdrawals_owed"),
                          raw_int (fixture, "SELECT count(*) FROM audit"));
}

/* The Stock page's summary (schema 9) against the same lines aggregated from the packs
 * from scratch: the rows that differ, either way, as text ("" when they agree). */
#define STOCK_FROM_SCRATCH \
  "SELECT gtin, coalesce (batch, '') AS batch, coalesce (expiry, '') AS expiry, location_id, count (*) AS packs, " \
  "  coalesce (sum (units_left), 0) AS units, sum (CASE WHEN status = 'opened' THEN 1 ELSE 0 END) AS opened FROM packs " \
  "WHERE status IN ('in_stock', 'opened') GROUP BY 1, 2, 3, 4"
#define STOCK_SUMMARY "SELECT gtin, batch, expiry, location_id, packs, units, opened FROM stock_lines"

static char *
stock_lines_differ (Fixture    *fixture,
                    const char *left,
                    const char *right)
{
  /* group_concat is string_agg on PostgreSQL, which also wants every subquery named. */
  const char *concat = qoima_db_get_kind (fixture->raw) == QOIMA_DB_POSTGRESQL ? "string_agg" : "group_concat";
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce (%s (gtin || '/' || batch || '/' || expiry || '@' || location_id"
                                          "  || ': ' || packs || ' packs, ' || units || ' units, ' || opened || ' opened', '; '), '') "
                                          "FROM (SELECT * FROM (%s) AS l EXCEPT SELECT * FROM (%s) AS r) AS d",
                                          concat, left, right);

  return raw_text (fixture, sql);
}

static void
assert_stock_lines (Fixture *fixture)
{
  g_autofree char *only_summary = stock_lines_differ (fixture, STOCK_SUMMARY, STOCK_FROM_SCRATCH);
  g_autofree char *only_packs = stock_lines_differ (fixture, STOCK_FROM_SCRATCH, STOCK_SUMMARY);

  g_assert_cmpstr (only_summary, ==, "");
  g_assert_cmpstr (only_packs, ==, "");
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM stock_lines"), ==,
                   raw_int (fixture, "SELECT count (*) FROM (" STOCK_FROM_SCRATCH ") AS s"));
}

static int
transfer (Fixture             *fixture,
          QoimaUser           *user,
          const char * const  *kis,
          gint64               to,
          GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_transfer_packs_async (fixture->store, user, kis, to, NULL, result_cb, &result);
  return qoima_store_transfer_packs_finish (fixture->store, wait_for (&result), NULL, error);
}

static QoimaUseResult *
use (Fixture     *fixture,
     QoimaUser   *user,
     const char  *ki,
     const char  *patient,
     int          units,
     GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_use_units_async (fixture->store, user, ki, patient, units, NULL, result_cb, &result);
  return qoima_store_use_units_finish (fixture->store, wait_for (&result), error);
}

static char *
pick (Fixture     *fixture,
      const char  *gtin,
      gint64       location,
      GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_pick_pack_async (fixture->store, gtin, location, NULL, result_cb, &result);
  return qoima_store_pick_pack_finish (fixture->store, wait_for (&result), error);
}

static int
undo (Fixture    *fixture,
      QoimaUser  *user,
      GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_undo_last_use_async (fixture->store, user, NULL, result_cb, &result);
  return qoima_store_undo_last_use_finish (fixture->store, wait_for (&result), error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(QoimaPackRows) rows = qoima_pack_rows_new ();
  const char *moved[] = { TAB_LATE, TAB_EARLY, VIAL, NULL };

  fixture->dir = g_dir_make_tmp ("test-ledger-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = qoima_test_new_store_location (fixture->dir);

  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_open_async (fixture->path, NULL, result_cb, &result);
    fixture->store = qoima_store_open_finish (wait_for (&result), &error);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_demo_fill_async (fixture->store, 100, 7, NULL, result_cb, &result);
    g_assert_true (qoima_demo_fill_finish (fixture->store, wait_for (&result), &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_list_locations_async (fixture->store, NULL, result_cb, &result);
    locations = qoima_store_list_locations_finish (fixture->store, wait_for (&result), &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);

      if (qoima_location_get_kind (location) == QOIMA_LOCATION_KIND_WAREHOUSE)
        fixture->warehouse = qoima_location_get_id (location);
      else if (fixture->ward == 0)
        fixture->ward = qoima_location_get_id (location);
      else if (fixture->other_ward == 0)
        fixture->other_ward = qoima_location_get_id (location);
    }
  g_assert_cmpint (fixture->warehouse, !=, 0);
  g_assert_cmpint (fixture->other_ward, !=, 0);

  /* A product whose units per pack nobody has entered yet. */
  g_ptr_array_add (products, qoima_product_new (NO_UNITS_GTIN, "Новый препарат", NULL, NULL, NULL, NULL, NULL, 0));
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_add_products_async (fixture->store, products, NULL, result_cb, &result);
    g_assert_true (qoima_store_add_products_finish (fixture->store, wait_for (&result), &error));
    g_assert_no_error (error);
  }

  qoima_pack_rows_add (rows, TABLETS_GTIN, "LEDGERTAB0001", NULL, "L1", "2031-12-31", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, "LEDGERTAB0002", NULL, "L2", "2030-06-30", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, VIAL_GTIN, "LEDGERVIAL001", NULL, "V1", "2031-01-31", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, "LEDGERTAB0004", NULL, "L4", "2031-12-31", fixture->warehouse, -1);
  /* Already in the ward when they arrived, as an opening balance would put them. */
  qoima_pack_rows_add (rows, TABLETS_GTIN, "LEDGERTAB0003", NULL, "L0", "2020-01-31", fixture->ward, -1);
  qoima_pack_rows_add (rows, NO_UNITS_GTIN, "LEDGERNOUNIT1", NULL, "N1", "2031-01-31", fixture->ward, -1);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_receive_packs_async (fixture->store, g_steal_pointer (&rows), "tester", "test", NULL,
                                     result_cb, &result);
    g_assert_true (qoima_store_receive_packs_finish (fixture->store, wait_for (&result), &error));
    g_assert_no_error (error);
  }

  fixture->admin = add_user (fixture, NULL, "admin", QOIMA_ROLE_ADMIN, 0);
  fixture->clerk = add_user (fixture, fixture->admin, "clerk", QOIMA_ROLE_CLERK, 0);
  fixture->nurse = add_user (fixture, fixture->admin, "nurse", QOIMA_ROLE_NURSE, fixture->ward);
  fixture->other_nurse = add_user (fixture, fixture->admin, "other-nurse", QOIMA_ROLE_NURSE, fixture->other_ward);

  fixture->raw = qoima_db_open (fixture->path, &error);
  g_assert_no_error (error);

  /* The clerk moves the packs the tests use to the nurse's ward. */
  if (data != NULL)
    {
      g_assert_cmpint (transfer (fixture, fixture->clerk, moved, fixture->ward, &error), ==, 3);
      g_assert_no_error (error);
    }
}

/* The journal and the audit trail still hold after every test. */
static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 n_rows = 0, broken = 0;

  assert_stock_lines (fixture);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_check_journal_async (fixture->store, NULL, result_cb, &result);
    g_assert_true (qoima_store_check_journal_finish (fixture->store, wait_for (&result), &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_verify_audit_async (fixture->store, NULL, result_cb, &result);
    g_assert_true (qoima_store_verify_audit_finish (fixture->store, wait_for (&result), &n_rows, &broken, &error));
    g_assert_no_error (error);
    g_assert_cmpint (n_rows, >, 0);
  }

  g_clear_pointer (&fixture->raw, qoima_db_close);
  g_clear_object (&fixture->admin);
  g_clear_object (&fixture->clerk);
  g_clear_object (&fixture->nurse);
  g_clear_object (&fixture->other_nurse);
  qoima_store_close (fixture->store);
  g_clear_object (&fixture->store);
  {
    g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);

    g_remove (wal);
    g_remove (shm);
    g_remove (fixture->path);
    g_rmdir (fixture->dir);
  }
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
test_iin (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (qoima_iin_is_valid (IIN_A));
  g_assert_false (qoima_iin_is_valid ("850715400239"));
  g_assert_false (qoima_iin_is_valid ("85071540023"));
  g_assert_false (qoima_iin_is_valid ("85071540023a"));
  g_assert_false (qoima_iin_is_valid (NULL));
  /* 5000000006 0 d: the first pass gives 5 + 60 = 65 ≡ 10, the second 15 + 6 = 21 ≡ 10,
   * so it is never valid, whatever the last digit. */
  for (int d = 0; d <= 9; d++)
    {
      char iin[13];

      g_snprintf (iin, sizeof iin, "50000000060%d", d);
      g_assert_false (qoima_iin_is_valid (iin));
    }
  /* The first pass gives 10 (weight 10 × 1), the second 1 (weight 1 × 1): check digit 1. */
  g_assert_true (qoima_iin_is_valid ("000000000101"));
  g_assert_false (qoima_iin_is_valid ("000000000100"));

  g_assert_true (qoima_patient_id_check (IIN_A, &error));
  g_assert_no_error (error);
  g_assert_true (qoima_patient_id_check (RECORD_B_CLEAN, &error));
  g_assert_no_error (error);
  g_assert_true (qoima_patient_id_check ("12345", &error));
  g_assert_no_error (error);
  g_assert_false (qoima_patient_id_check ("850715400239", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (qoima_patient_id_check ("", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (qoima_patient_id_check (RECORD_B, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (qoima_patient_id_check ("A12345678901234567890", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
}

static void
test_transfer (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *one[] = { TAB_WAREHOUSE, NULL };
  const char *with_moved[] = { TAB_WAREHOUSE, TAB_LATE, NULL };
  const char *with_expired[] = { TAB_WAREHOUSE, TAB_EXPIRED, NULL };
  const char *with_unknown[] = { TAB_WAREHOUSE, "0104870101000010" "21" "NOSUCHPACK001", NULL };

  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM movements WHERE kind = 'transfer'"), ==, 3);
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM packs WHERE ki IN ('" TAB_LATE "', '" TAB_EARLY "', '" VIAL "') "
                                     "AND location_id = (SELECT ward_id FROM users WHERE name = 'nurse')"), ==, 3);

  before = ledger_state (fixture);

  /* A nurse may not move stock. */
  g_assert_cmpint (transfer (fixture, fixture->nurse, one, fixture->ward, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpint (transfer (fixture, NULL, one, fixture->ward, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* All or nothing: one pack already there, one expired, one unknown. */
  g_assert_cmpint (transfer (fixture, fixture->clerk, with_moved, fixture->ward, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, TAB_LATE));
  g_clear_error (&error);
  g_assert_cmpint (transfer (fixture, fixture->clerk, with_expired, fixture->other_ward, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "expired"));
  g_clear_error (&error);
  g_assert_cmpint (transfer (fixture, fixture->clerk, with_unknown, fixture->ward, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (transfer (fixture, fixture->clerk, one, 999999, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  after = ledger_state (fixture);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (raw_int (fixture, "SELECT location_id FROM packs WHERE ki = '" TAB_WAREHOUSE "'"), ==, fixture->warehouse);

  /* A pack moves on, carrying its state. */
  g_assert_cmpint (transfer (fixture, fixture->clerk, one, fixture->other_ward, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture, "SELECT location_id FROM packs WHERE ki = '" TAB_WAREHOUSE "'"), ==, fixture->other_ward);
  g_assert_cmpint (raw_int (fixture, "SELECT units_left FROM packs WHERE ki = '" TAB_WAREHOUSE "'"), ==, 20);
  g_assert_cmpint (raw_int (fixture, "SELECT m.from_location FROM movements m JOIN packs p ON p.id = m.pack_id "
                                     "WHERE p.ki = '" TAB_WAREHOUSE "' AND m.kind = 'transfer' AND m.actor = 'clerk'"),
                   ==, fixture->warehouse);
}

/* Tablets for two patients until the pack is used up: the withdrawal is owed exactly then. */
static void
test_multi_unit_owed_when_used_up (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *next = NULL;
  int left = 20;

  /* Nothing opened yet: the earliest expiry comes first. */
  first = pick (fixture, TABLETS_GTIN, fixture->ward, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, TAB_EARLY);

  /* Open the later one: an opened pack is finished before another is opened. */
  {
    g_autoptr(QoimaUseResult) result = use (fixture, fixture->nurse, TAB_LATE, IIN_A, 1, &error);

    g_assert_no_error (error);
    g_assert_cmpint (result->units_left, ==, 19);
    g_assert_false (result->used_up);
    g_assert_false (result->withdrawal_owed);
    left = 19;
  }
  next = pick (fixture, TABLETS_GTIN, fixture->ward, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (next, ==, TAB_LATE);
  assert_text (fixture, "SELECT status FROM packs WHERE ki = '" TAB_LATE "'", "opened");

  for (int i = 0; left > 0; i++)
    {
      int units = left >= 3 ? 3 : left;
      const char *patient = i % 2 == 0 ? RECORD_B_CLEAN : IIN_A;
      g_autoptr(QoimaUseResult) result = NULL;

      g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM withdrawals_owed"), ==, 0);
      result = use (fixture, fixture->nurse, TAB_LATE, patient, units, &error);
      g_assert_no_error (error);
      left -= units;
      g_assert_cmpint (result->units_left, ==, left);
      g_assert_cmpint (result->used_up, ==, left == 0);
      g_assert_cmpint (result->withdrawal_owed, ==, left == 0);
    }

  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM withdrawals_owed"), ==, 1);
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM withdrawals_owed w JOIN packs p ON p.id = w.pack_id "
                                     "WHERE p.ki = '" TAB_LATE "' AND w.reason = 'MEDICAL_USE' AND w.outbox_id IS NULL"), ==, 1);
  assert_text (fixture, "SELECT status FROM packs WHERE ki = '" TAB_LATE "'", "used_up");
  g_assert_cmpint (raw_int (fixture, "SELECT units_left FROM packs WHERE ki = '" TAB_LATE "'"), ==, 0);
  /* Two patients, found again on every later use. */
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM patients"), ==, 2);
  g_assert_cmpint (raw_int (fixture, "SELECT -sum (units_delta) FROM movements WHERE kind = 'use'"), ==, 20);
  g_assert_cmpint (raw_int (fixture, "SELECT count(DISTINCT patient_id) FROM movements WHERE kind = 'use'"), ==, 2);

  /* The used-up pack is not picked again. */
  g_free (next);
  next = pick (fixture, TABLETS_GTIN, fixture->ward, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (next, ==, TAB_EARLY);
}

static void
test_one_unit_owed_at_use (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUseResult) result = NULL;

  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM withdrawals_owed"), ==, 0);
  result = use (fixture, fixture->nurse, VIAL, IIN_A, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->units_left, ==, 0);
  g_assert_true (result->used_up);
  g_assert_true (result->withdrawal_owed);
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM withdrawals_owed w JOIN packs p ON p.id = w.pack_id "
                                     "WHERE p.ki = '" VIAL "'"), ==, 1);
  assert_text (fixture, "SELECT status FROM packs WHERE ki = '" VIAL "'", "used_up");
}

static void
assert_refused (Fixture    *fixture,
                QoimaUser  *user,
                const char *ki,
                const char *patient,
                int         units,
                int         code,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUseResult) result = NULL;
  g_autofree char *before = ledger_state (fixture);
  g_autofree char *after = NULL;

  result = use (fixture, user, ki, patient, units, &error);
  g_assert_null (result);
  g_assert_error (error, QOIMA_STORE_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not say “%s”", error->message, fragment);
  after = ledger_state (fixture);
  g_assert_cmpstr (before, ==, after);
}

/* Every guard refuses before anything is recorded. */
static void
test_guards (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  assert_refused (fixture, fixture->nurse, "0104870101000010" "21" "NOSUCHPACK001", IIN_A, 1,
                  QOIMA_STORE_ERROR_NOT_FOUND, "not one of the hospital's packs");
  assert_refused (fixture, fixture->nurse, TAB_EXPIRED, IIN_A, 1, QOIMA_STORE_ERROR_CONSTRAINT, "expired");
  assert_refused (fixture, fixture->nurse, TAB_WAREHOUSE, IIN_A, 1, QOIMA_STORE_ERROR_FORBIDDEN, "another ward");
  assert_refused (fixture, fixture->other_nurse, TAB_LATE, IIN_A, 1, QOIMA_STORE_ERROR_FORBIDDEN, "another ward");
  assert_refused (fixture, fixture->nurse, NO_UNITS, IIN_A, 1, QOIMA_STORE_ERROR_CONSTRAINT,
                  "a pack cannot be opened until its units are known");
  assert_refused (fixture, fixture->nurse, TAB_LATE, IIN_A, 0, QOIMA_STORE_ERROR_CONSTRAINT, "at least one unit");
  assert_refused (fixture, fixture->nurse, TAB_LATE, IIN_A, -2, QOIMA_STORE_ERROR_CONSTRAINT, "at least one unit");
  assert_refused (fixture, fixture->nurse, TAB_LATE, IIN_A, 21, QOIMA_STORE_ERROR_CONSTRAINT, "Only 20 units remain");
  assert_refused (fixture, fixture->nurse, TAB_LATE, "850715400239", 1, QOIMA_STORE_ERROR_CONSTRAINT, "check digit");
  assert_refused (fixture, fixture->nurse, TAB_LATE, "no/such id", 1, QOIMA_STORE_ERROR_CONSTRAINT, "medical record number");
  assert_refused (fixture, fixture->nurse, TAB_LATE, "", 1, QOIMA_STORE_ERROR_CONSTRAINT, NULL);
  /* Only nurses log use. */
  assert_refused (fixture, fixture->clerk, TAB_LATE, IIN_A, 1, QOIMA_STORE_ERROR_FORBIDDEN, NULL);
  assert_refused (fixture, fixture->admin, TAB_LATE, IIN_A, 1, QOIMA_STORE_ERROR_FORBIDDEN, NULL);
  assert_refused (fixture, NULL, TAB_LATE, IIN_A, 1, QOIMA_STORE_ERROR_FORBIDDEN, NULL);

  /* A used-up pack is refused too, and so is more than remains of an opened one. */
  {
    g_autoptr(QoimaUseResult) result = use (fixture, fixture->nurse, VIAL, IIN_A, 1, &error);

    g_assert_no_error (error);
    g_assert_true (result->used_up);
  }
  assert_refused (fixture, fixture->nurse, VIAL, IIN_A, 1, QOIMA_STORE_ERROR_CONSTRAINT, VIAL);
  {
    g_autoptr(QoimaUseResult) result = use (fixture, fixture->nurse, TAB_LATE, IIN_A, 19, &error);

    g_assert_no_error (error);
    g_assert_cmpint (result->units_left, ==, 1);
  }
  assert_refused (fixture, fixture->nurse, TAB_LATE, IIN_A, 2, QOIMA_STORE_ERROR_CONSTRAINT, "Only 1 unit remains");

  /* Nothing of another ward's or expired is ever picked. */
  g_assert_null (pick (fixture, NO_UNITS_GTIN, fixture->ward, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
test_undo (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;

  /* Nothing to undo yet. */
  g_assert_cmpint (undo (fixture, fixture->nurse, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  {
    g_autoptr(QoimaUseResult) result = use (fixture, fixture->nurse, TAB_LATE, IIN_A, 2, &error);

    g_assert_no_error (error);
  }
  {
    g_autoptr(QoimaUseResult) result = use (fixture, fixture->nurse, TAB_LATE, IIN_A, 3, &error);

    g_assert_no_error (error);
    g_assert_cmpint (result->units_left, ==, 15);
  }

  /* Another user's undo does not touch the nurse's entry, and a clerk may not undo. */
  g_assert_cmpint (undo (fixture, fixture->other_nurse, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (undo (fixture, fixture->clerk, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);

  g_assert_cmpint (undo (fixture, fixture->nurse, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture, "SELECT units_left FROM packs WHERE ki = '" TAB_LATE "'"), ==, 18);
  assert_text (fixture, "SELECT status FROM packs WHERE ki = '" TAB_LATE "'", "opened");
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM movements WHERE kind = 'correction'"), ==, 1);

  /* Only the last entry: the one before stays. */
  before = ledger_state (fixture);
  g_assert_cmpint (undo (fixture, fixture->nurse, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autofree char *after = ledger_state (fixture);

    g_assert_cmpstr (before, ==, after);
  }

  /* Undoing a one-unit pack's use takes its owed withdrawal back. */
  {
    g_autoptr(QoimaUseResult) result = use (fixture, fixture->nurse, VIAL, IIN_A, 1, &error);

    g_assert_no_error (error);
    g_assert_true (result->withdrawal_owed);
  }
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM withdrawals_owed"), ==, 1);
  g_assert_cmpint (undo (fixture, fixture->nurse, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM withdrawals_owed"), ==, 0);
  assert_text (fixture, "SELECT status FROM packs WHERE ki = '" VIAL "'", "in_stock");
  g_assert_cmpint (raw_int (fixture, "SELECT units_left FROM packs WHERE ki = '" VIAL "'"), ==, 1);

  /* Both undoes are in the audit trail. */
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM audit WHERE tbl = 'withdrawals_owed' AND action = 'delete' "
                                     "AND actor = 'nurse'"), ==, 1);
}

/* Changes the tests cannot make through the API: a use from before the undo window, a
 * withdrawal already in the outbox, a pack written off. Made on a connection of the test's
 * own, with the audit trail's SQL functions, so the journal and the chain still hold. */
static void
raw_exec (Fixture    *fixture,
          const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  char *message = NULL;

  /* The server's triggers compute the audit rows themselves. */
  if (qoima_db_get_kind (fixture->raw) == QOIMA_DB_POSTGRESQL)
    {
      if (!qoima_db_exec (fixture->raw, sql, &error))
        g_error ("%s: %s", sql, error->message);
      return;
    }

  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_true (qoima_audit_install (db, NULL, fixture->path, &error));
  g_assert_no_error (error);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static void
test_undo_limits (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old_use = NULL;
  g_autofree char *write_off = NULL;

  /* A use older than the undo window. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) then = g_date_time_add_minutes (now, -(QOIMA_LEDGER_UNDO_MINUTES + 1));
    g_autofree char *at = g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");

    old_use = g_strdup_printf ("INSERT INTO movements (pack_id, at, actor, kind, from_location, units_delta, units_after, "
                               "  status_after, location_after) "
                               "SELECT id, '%s', 'nurse', 'use', "
                               "  location_id, -1, units_left - 1, 'opened', location_id FROM packs WHERE ki = '" TAB_LATE "'",
                               at);
  }
  raw_exec (fixture, old_use);
  g_assert_cmpint (raw_int (fixture, "SELECT units_left FROM packs WHERE ki = '" TAB_LATE "'"), ==, 19);
  g_assert_cmpint (undo (fixture, fixture->nurse, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (raw_int (fixture, "SELECT units_left FROM packs WHERE ki = '" TAB_LATE "'"), ==, 19);

  /* A withdrawal already in the outbox cannot be taken back. */
  {
    g_autoptr(QoimaUseResult) result = use (fixture, fixture->nurse, VIAL, IIN_A, 1, &error);

    g_assert_no_error (error);
    g_assert_true (result->withdrawal_owed);
  }
  raw_exec (fixture,
            qoima_db_get_kind (fixture->raw) == QOIMA_DB_POSTGRESQL
            ? "INSERT INTO outbox (doc_type, document_number, document, signature, created_by, created_at, updated_at) "
              "VALUES ('LK_RECEIPT', 'TEST-1', '\\x7b7d', '\\x00', 'chief', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
              "UPDATE withdrawals_owed SET outbox_id = (SELECT max (id) FROM outbox);"
            : "INSERT INTO outbox (doc_type, document_number, document, signature, created_by, created_at, updated_at) "
              "VALUES ('LK_RECEIPT', 'TEST-1', x'7b7d', x'00', 'chief', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
              "UPDATE withdrawals_owed SET outbox_id = last_insert_rowid ();");
  {
    g_autofree char *before = ledger_state (fixture);
    g_autofree char *after = NULL;

    g_assert_cmpint (undo (fixture, fixture->nurse, &error), ==, -1);
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
    g_assert_nonnull (strstr (error->message, "outbox"));
    g_clear_error (&error);
    after = ledger_state (fixture);
    g_assert_cmpstr (before, ==, after);
  }
  assert_text (fixture, "SELECT status FROM packs WHERE ki = '" VIAL "'", "used_up");

  /* A written-off pack is refused like a used-up one. */
  write_off = g_strdup ("INSERT INTO movements (pack_id, at, actor, kind, units_after, status_after, location_after) "
                        "SELECT id, '2026-01-01T00:00:00Z', 'chief', 'write_off', units_left, 'written_off', location_id "
                        "FROM packs WHERE ki = '" TAB_EARLY "'");
  raw_exec (fixture, write_off);
  assert_refused (fixture, fixture->nurse, TAB_EARLY, IIN_A, 1, QOIMA_STORE_ERROR_CONSTRAINT, TAB_EARLY);
  {
    g_autofree char *picked = pick (fixture, TABLETS_GTIN, fixture->ward, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (picked, ==, TAB_LATE);
  }
}

/* The Stock page's summary follows every movement in the same transaction: after a receipt,
 * a move, uses (opening a pack, using one up), an undo and a write-off it equals the lines
 * aggregated from the packs from scratch. */
static void
test_stock_lines (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *back[] = { TAB_LATE, NULL };

  assert_stock_lines (fixture);
  g_assert_cmpint (raw_int (fixture, "SELECT packs FROM stock_lines WHERE batch = 'L1' AND location_id = (SELECT location_id FROM packs WHERE ki = '" TAB_LATE "')"), ==, 1);

  {
    g_autoptr(QoimaUseResult) result = use (fixture, fixture->nurse, TAB_LATE, IIN_A, 2, &error);

    g_assert_no_error (error);
  }
  assert_stock_lines (fixture);
  g_assert_cmpint (raw_int (fixture, "SELECT opened FROM stock_lines WHERE batch = 'L1'"), ==, 1);
  g_assert_cmpint (raw_int (fixture, "SELECT units FROM stock_lines WHERE batch = 'L1'"), ==, 18);

  {
    g_autoptr(QoimaUseResult) result = use (fixture, fixture->nurse, VIAL, IIN_A, 1, &error);

    g_assert_no_error (error);
    g_assert_true (result->withdrawal_owed);
  }
  assert_stock_lines (fixture);
  /* The used-up vial's line is gone, not left at zero. */
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM stock_lines WHERE batch = 'V1'"), ==, 0);

  g_assert_cmpint (undo (fixture, fixture->nurse, &error), ==, 1);
  g_assert_no_error (error);
  assert_stock_lines (fixture);
  g_assert_cmpint (raw_int (fixture, "SELECT packs FROM stock_lines WHERE batch = 'V1'"), ==, 1);

  /* A line of two vials, one used up: the line stays, with one. */
  {
    g_autoptr(QoimaPackRows) rows = qoima_pack_rows_new ();
    g_autoptr(GAsyncResult) result = NULL;

    qoima_pack_rows_add (rows, VIAL_GTIN, "LEDGERVIAL002", NULL, "V2", "2031-01-31", fixture->ward, -1);
    qoima_pack_rows_add (rows, VIAL_GTIN, "LEDGERVIAL003", NULL, "V2", "2031-01-31", fixture->ward, -1);
    qoima_store_receive_packs_async (fixture->store, g_steal_pointer (&rows), "tester", "test", NULL,
                                     result_cb, &result);
    g_assert_true (qoima_store_receive_packs_finish (fixture->store, wait_for (&result), &error));
    g_assert_no_error (error);
  }
  assert_stock_lines (fixture);
  g_assert_cmpint (raw_int (fixture, "SELECT packs FROM stock_lines WHERE batch = 'V2'"), ==, 2);
  {
    g_autoptr(QoimaUseResult) result = use (fixture, fixture->nurse, "01" VIAL_GTIN "21" "LEDGERVIAL002", IIN_A, 1, &error);

    g_assert_no_error (error);
  }
  assert_stock_lines (fixture);
  g_assert_cmpint (raw_int (fixture, "SELECT packs FROM stock_lines WHERE batch = 'V2'"), ==, 1);

  /* Back to the warehouse: the line moves with the pack. */
  g_assert_cmpint (transfer (fixture, fixture->clerk, back, fixture->warehouse, &error), ==, 1);
  g_assert_no_error (error);
  assert_stock_lines (fixture);

  raw_exec (fixture, "INSERT INTO movements (pack_id, at, actor, kind, units_after, status_after, location_after) "
                     "SELECT id, '2026-01-01T00:00:00Z', 'chief', 'write_off', units_left, 'written_off', location_id "
                     "FROM packs WHERE ki = '" TAB_EARLY "'");
  assert_stock_lines (fixture);
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM stock_lines WHERE batch = 'L2'"), ==, 0);
}

static gboolean
mark (QoimaStore        *store,
      gint64             id,
      QoimaOutboxState   state,
      GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_update_outbox_async (store, id, state, NULL, NULL, state == QOIMA_OUTBOX_SENDING, NULL,
                                   result_cb, &result);
  return qoima_store_update_outbox_finish (store, wait_for (&result), error);
}

/* Two workstations syncing at once never send one document twice: the first to mark it
 * sending holds it; the other leaves it, until the holder is done with it or its claim
 * runs out (the workstation died), when the other takes it over. */
static void
test_sending_claimed_once (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(QoimaStore) ward_pc = qoima_test_open_store (fixture->path);
  g_autoptr(GError) error = NULL;
  gint64 id;

  raw_exec (fixture,
            qoima_db_get_kind (fixture->raw) == QOIMA_DB_POSTGRESQL
            ? "INSERT INTO outbox (doc_type, document_number, document, signature, created_by, created_at, updated_at) "
              "VALUES ('LK_RECEIPT', 'CLAIM-1', '\\x7b7d', '\\x00', 'chief', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
            : "INSERT INTO outbox (doc_type, document_number, document, signature, created_by, created_at, updated_at) "
              "VALUES ('LK_RECEIPT', 'CLAIM-1', x'7b7d', x'00', 'chief', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  id = raw_int (fixture, "SELECT id FROM outbox WHERE document_number = 'CLAIM-1'");

  g_assert_true (mark (fixture->store, id, QOIMA_OUTBOX_SENDING, &error));
  g_assert_no_error (error);
  g_assert_false (mark (ward_pc, id, QOIMA_OUTBOX_SENDING, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpint (raw_int (fixture, "SELECT attempts FROM outbox WHERE document_number = 'CLAIM-1'"), ==, 1);

  /* The holder may try again; once it is done, the document is free. */
  g_assert_true (mark (fixture->store, id, QOIMA_OUTBOX_SENDING, &error));
  g_assert_true (mark (fixture->store, id, QOIMA_OUTBOX_SENT, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM outbox_claims"), ==, 0);
  g_assert_true (mark (ward_pc, id, QOIMA_OUTBOX_SENDING, &error));
  g_assert_no_error (error);

  /* The ward PC dies while sending: its claim runs out, and the warehouse takes over. */
  g_assert_false (mark (fixture->store, id, QOIMA_OUTBOX_SENDING, &error));
  g_clear_error (&error);
  raw_exec (fixture, "UPDATE outbox_claims SET until = '2000-01-01T00:00:00Z'");
  g_assert_true (mark (fixture->store, id, QOIMA_OUTBOX_SENDING, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture, "SELECT attempts FROM outbox WHERE document_number = 'CLAIM-1'"), ==, 4);

  /* A process of this computer killed while sending: its claim, though not run out, does
   * not hold up the restarted one. */
  {
    const char *argv[] = { "true", NULL };
    g_autofree char *sql = NULL;
    GPid dead = 0;
    int status = 0;

    g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                  NULL, NULL, &dead, &error));
    g_assert_cmpint (waitpid (dead, &status, 0), ==, dead);
    sql = g_strdup_printf ("UPDATE outbox_claims SET workstation = '%s/%d/0', until = '2999-01-01T00:00:00Z'",
                           g_get_host_name (), (int) dead);
    raw_exec (fixture, sql);
    g_assert_true (mark (fixture->store, id, QOIMA_OUTBOX_SENDING, &error));
    g_assert_no_error (error);
    /* Another computer's claim that has not run out still holds. */
    raw_exec (fixture, "UPDATE outbox_claims SET workstation = 'ward-pc-2/1/0', until = '2999-01-01T00:00:00Z'");
    g_assert_false (mark (fixture->store, id, QOIMA_OUTBOX_SENDING, &error));
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_BUSY);
    g_clear_error (&error);
  }
  qoima_store_close (ward_pc);
}

/* Two workstations (two connections to one database) use the last units of one pack at the
 * same moment: the writers take turns (BEGIN IMMEDIATE on SQLite, the advisory lock on
 * PostgreSQL), so the second sees what the first left and is refused; the pack is never
 * used twice and its withdrawal is owed once. */
static void
test_two_workstations_race (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(QoimaStore) ward_pc = qoima_test_open_store (fixture->path);
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) first_error = NULL;
  g_autoptr(GError) second_error = NULL;
  QoimaUseResult *first_result;
  QoimaUseResult *second_result;

  /* Both queued before either is answered. */
  qoima_store_use_units_async (fixture->store, fixture->nurse, TAB_LATE, IIN_A, 15, NULL, result_cb, &first);
  qoima_store_use_units_async (ward_pc, fixture->nurse, TAB_LATE, RECORD_B, 15, NULL, result_cb, &second);
  first_result = qoima_store_use_units_finish (fixture->store, wait_for (&first), &first_error);
  second_result = qoima_store_use_units_finish (ward_pc, wait_for (&second), &second_error);

  /* Exactly one of them took the units. */
  g_assert_true ((first_result != NULL) != (second_result != NULL));
  g_assert_error ((first_result != NULL ? second_error : first_error), QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_cmpint (raw_int (fixture, "SELECT units_left FROM packs WHERE ki = '" TAB_LATE "'"), ==, 5);
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM movements m JOIN packs p ON p.id = m.pack_id "
                                     "WHERE p.ki = '" TAB_LATE "' AND m.kind = 'use'"), ==, 1);
  g_clear_pointer (&first_result, qoima_use_result_free);
  g_clear_pointer (&second_result, qoima_use_result_free);

  /* The last five, again from both at once: used up once, owed once. */
  g_clear_object (&first);
  g_clear_object (&second);
  g_clear_error (&first_error);
  g_clear_error (&second_error);
  qoima_store_use_units_async (fixture->store, fixture->nurse, TAB_LATE, IIN_A, 5, NULL, result_cb, &first);
  qoima_store_use_units_async (ward_pc, fixture->nurse, TAB_LATE, RECORD_B, 5, NULL, result_cb, &second);
  first_result = qoima_store_use_units_finish (fixture->store, wait_for (&first), &first_error);
  second_result = qoima_store_use_units_finish (ward_pc, wait_for (&second), &second_error);
  g_assert_true ((first_result != NULL) != (second_result != NULL));
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM withdrawals_owed w JOIN packs p ON p.id = w.pack_id "
                                     "WHERE p.ki = '" TAB_LATE "'"), ==, 1);
  g_clear_pointer (&first_result, qoima_use_result_free);
  g_clear_pointer (&second_result, qoima_use_result_free);
  qoima_store_close (ward_pc);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ledger/iin", test_iin);
  g_test_add ("/ledger/transfer", Fixture, "moved", fixture_set_up, test_transfer, fixture_tear_down);
  g_test_add ("/rules/R000-9/multi-unit-owed-when-used-up", Fixture, "moved",
              fixture_set_up, test_multi_unit_owed_when_used_up, fixture_tear_down);
  g_test_add ("/rules/R000-9/one-unit-pack-owed-at-use", Fixture, "moved",
              fixture_set_up, test_one_unit_owed_at_use, fixture_tear_down);
  g_test_add ("/ledger/guards", Fixture, "moved", fixture_set_up, test_guards, fixture_tear_down);
  g_test_add ("/ledger/undo", Fixture, "moved", fixture_set_up, test_undo, fixture_tear_down);
  g_test_add ("/ledger/stock-lines", Fixture, "moved", fixture_set_up, test_stock_lines, fixture_tear_down);
  g_test_add ("/ledger/undo-limits", Fixture, "moved", fixture_set_up, test_undo_limits, fixture_tear_down);
  g_test_add ("/ledger/two-workstations-race", Fixture, "moved", fixture_set_up, test_two_workstations_race,
              fixture_tear_down);
  g_test_add ("/ledger/sending-claimed-once", Fixture, NULL, fixture_set_up, test_sending_claimed_once,
              fixture_tear_down);

  return g_test_run ();
}
