/* test-counts.c: stock counts (инвентаризация) by scanning, from start to the chief's sign-off
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On the demo warehouse: a ward's count finds the pack taken out without a movement, the
 * pack booked at another ward, a code the hospital never had; it survives closing the
 * store halfway; the chief's sign-off makes the corrections as audited movements and an
 * owed write-off, and the journal and the audit chain still verify.
 */

#include "config.h"

#include "qoima-demo.h"
#include "qoima-store-audit.h"
#include "qoima-store-counts.h"
#include "qoima-store-ledger.h"
#include "qoima-store-private.h"
#include "qoima-test-utils.h"
#include "qoima-user.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#define UNKNOWN_KI "01" "04870999999994" "21" "NOTOURS000001"

typedef struct
{
  char *dir;
  char *path;
  QoimaStore *store;
  gint64 warehouse;
  gint64 ward;
  gint64 other_ward;
  QoimaUser *admin;
  QoimaUser *clerk;
  QoimaUser *chief;
  QoimaUser *nurse;
  QoimaUser *other_nurse;
} Fixture;

static void
open_store (Fixture *fixture)
{
  fixture->store = qoima_test_open_store (fixture->path);
}

/* A read on a connection of the test's own. */
static GPtrArray *
raw_column (Fixture    *fixture,
            const char *sql)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  QoimaDb *db = qoima_db_open (fixture->path, &error);
  QoimaDbStmt *stmt;
  QoimaDbStep step;

  g_assert_no_error (error);
  stmt = qoima_db_prepare (db, sql, &error);
  g_assert_no_error (error);
  while ((step = qoima_db_step (stmt, &error)) == QOIMA_DB_ROW)
    g_ptr_array_add (values, g_strdup (qoima_db_column_text (stmt, 0)));
  g_assert_cmpint (step, ==, QOIMA_DB_DONE);
  qoima_db_stmt_release (stmt);
  qoima_db_close (db);
  return values;
}

static char *
raw_text (Fixture    *fixture,
          const char *sql)
{
  g_autoptr(GPtrArray) values = raw_column (fixture, sql);

  g_assert_cmpuint (values->len, ==, 1);
  return g_strdup (g_ptr_array_index (values, 0));
}

/* A change the API does not make (an act with a box), on a connection with the audit
 * trail's SQL functions, so the chain still holds. */
static void
raw_exec (Fixture    *fixture,
          const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  char *message = NULL;

  /* The server's triggers compute the audit rows themselves. */
  if (qoima_test_on_postgresql ())
    {
      QoimaDb *server = qoima_db_open (fixture->path, &error);

      g_assert_no_error (error);
      if (!qoima_db_exec (server, sql, &error))
        g_error ("%s: %s", sql, error->message);
      qoima_db_close (server);
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

static gint64
start (Fixture    *fixture,
       QoimaUser  *user,
       gint64      location,
       GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_start_count_async (fixture->store, user, location, NULL, qoima_test_result_cb, &result);
  return qoima_store_start_count_finish (fixture->store, qoima_test_wait_for (&result), error);
}

static gint64
find (Fixture *fixture,
      gint64   location)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  qoima_store_find_count_async (fixture->store, location, NULL, qoima_test_result_cb, &result);
  id = qoima_store_find_count_finish (fixture->store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  return id;
}

static QoimaCountScan *
scan (Fixture     *fixture,
      QoimaUser   *user,
      gint64       count,
      const char  *code,
      GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_count_code_async (fixture->store, user, count, code, NULL, qoima_test_result_cb, &result);
  return qoima_store_count_code_finish (fixture->store, qoima_test_wait_for (&result), error);
}

static gboolean
units (Fixture     *fixture,
       QoimaUser   *user,
       gint64       count,
       const char  *ki,
       int          n,
       GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_count_units_async (fixture->store, user, count, ki, n, NULL, qoima_test_result_cb, &result);
  return qoima_store_count_units_finish (fixture->store, qoima_test_wait_for (&result), error);
}

static QoimaCount *
load (Fixture *fixture,
      gint64   count)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaCount *loaded;

  qoima_store_load_count_async (fixture->store, count, NULL, qoima_test_result_cb, &result);
  loaded = qoima_store_load_count_finish (fixture->store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  return loaded;
}

static gboolean
finish (Fixture    *fixture,
        QoimaUser  *user,
        gint64      count,
        GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_finish_count_async (fixture->store, user, count, NULL, qoima_test_result_cb, &result);
  return qoima_store_finish_count_finish (fixture->store, qoima_test_wait_for (&result), error);
}

static int
sign_off (Fixture    *fixture,
          QoimaUser  *user,
          gint64      count,
          GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_sign_off_count_async (fixture->store, user, count, NULL, qoima_test_result_cb, &result);
  return qoima_store_sign_off_count_finish (fixture->store, qoima_test_wait_for (&result), error);
}

static const QoimaCountLine *
find_line (QoimaCount *count,
           const char *ki)
{
  for (guint i = 0; i < count->lines->len; i++)
    {
      const QoimaCountLine *line = g_ptr_array_index (count->lines, i);

      if (g_str_equal (line->ki, ki))
        return line;
    }
  return NULL;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) locations = NULL;

  fixture->dir = g_dir_make_tmp ("test-counts-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = qoima_test_new_store_location (fixture->dir);
  open_store (fixture);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_demo_fill_async (fixture->store, 300, 11, NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_demo_fill_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_list_locations_async (fixture->store, NULL, qoima_test_result_cb, &result);
    locations = qoima_store_list_locations_finish (fixture->store, qoima_test_wait_for (&result), &error);
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
  g_assert_cmpint (fixture->other_ward, !=, 0);

  fixture->admin = qoima_test_add_user (fixture->store, NULL, "admin", QOIMA_ROLE_ADMIN, 0, "long enough secret");
  fixture->clerk = qoima_test_add_user (fixture->store, fixture->admin, "clerk", QOIMA_ROLE_CLERK, 0, "long enough secret");
  fixture->chief = qoima_test_add_user (fixture->store, fixture->admin, "chief", QOIMA_ROLE_CHIEF, 0, "long enough secret");
  fixture->nurse = qoima_test_add_user (fixture->store, fixture->admin, "nurse", QOIMA_ROLE_NURSE, fixture->ward, "long enough secret");
  fixture->other_nurse = qoima_test_add_user (fixture->store, fixture->admin, "other-nurse", QOIMA_ROLE_NURSE, fixture->other_ward, "long enough secret");
}

/* The journal and the audit chain hold after every test. */
static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 n_rows = 0, broken = -1;

  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_check_journal_async (fixture->store, NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_store_check_journal_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_verify_audit_async (fixture->store, NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_store_verify_audit_finish (fixture->store, qoima_test_wait_for (&result), &n_rows, &broken, &error));
    g_assert_no_error (error);
    g_assert_cmpint (broken, ==, 0);
  }
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->admin);
  g_clear_object (&fixture->clerk);
  g_clear_object (&fixture->chief);
  g_clear_object (&fixture->nurse);
  g_clear_object (&fixture->other_nurse);
  {
    g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *file = g_build_filename (fixture->dir, name, NULL);

        g_unlink (file);
      }
  }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* The case: a ward is counted, one pack was taken out without a movement, one on
 * the shelf is booked at another ward, one code is not the hospital's; the count survives
 * a restart; the chief's sign-off corrects the book. */
static void
test_ward_count (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) booked = NULL;
  g_autoptr(QoimaCount) live = NULL;
  g_autoptr(QoimaCount) frozen = NULL;
  g_autoptr(QoimaCountScan) twice = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *taken = NULL;
  g_autofree char *elsewhere = NULL;
  g_autofree char *opened = NULL;
  const QoimaCountLine *line;
  gint64 count;
  int corrections, expected_corrections = 2;

  sql = g_strdup_printf ("SELECT ki FROM packs WHERE location_id = %" G_GINT64_FORMAT
                         " AND status IN ('in_stock', 'opened') ORDER BY id", fixture->ward);
  booked = raw_column (fixture, sql);
  g_assert_cmpuint (booked->len, >=, 3);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT ki FROM packs WHERE location_id = %" G_GINT64_FORMAT
                         " AND status = 'in_stock' ORDER BY id LIMIT 1", fixture->other_ward);
  elsewhere = raw_text (fixture, sql);
  g_clear_pointer (&sql, g_free);
  /* The ward's first opened pack with units to spare, if the demo has one. */
  sql = g_strdup_printf ("SELECT pk.ki FROM packs pk JOIN products p ON p.gtin = pk.gtin WHERE pk.location_id = %"
                         G_GINT64_FORMAT " AND pk.status = 'opened' AND pk.units_left > 1 ORDER BY pk.id",
                         fixture->ward);
  {
    g_autoptr(GPtrArray) opened_packs = raw_column (fixture, sql);

    if (opened_packs->len > 0)
      opened = g_strdup (g_ptr_array_index (opened_packs, 0));
  }

  g_test_message ("the ward's opened pack: %s", opened != NULL ? opened : "none");

  count = start (fixture, fixture->nurse, fixture->ward, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count, >, 0);

  /* Every pack of the ward but the last, which was taken out without a movement. */
  taken = g_strdup (g_ptr_array_index (booked, booked->len - 1));
  for (guint i = 0; i + 1 < booked->len; i++)
    {
      g_autoptr(QoimaCountScan) counted = scan (fixture, fixture->nurse, count, g_ptr_array_index (booked, i), &error);

      g_assert_no_error (error);
      g_assert_cmpint (counted->added, ==, 1);
      g_assert_cmpint (counted->finding, ==, QOIMA_COUNT_FOUND);
      g_assert_nonnull (counted->name);
    }
  /* A pack scanned twice is counted once. */
  twice = scan (fixture, fixture->nurse, count, g_ptr_array_index (booked, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpint (twice->added, ==, 0);
  g_assert_cmpint (twice->already, ==, 1);

  /* Halfway, Qoima is closed and opened again: the count goes on where it was. */
  g_clear_object (&fixture->store);
  open_store (fixture);
  g_assert_cmpint (find (fixture, fixture->ward), ==, count);
  g_assert_cmpint (find (fixture, fixture->other_ward), ==, 0);

  {
    g_autoptr(QoimaCountScan) other = scan (fixture, fixture->nurse, count, elsewhere, &error);

    g_assert_no_error (error);
    g_assert_cmpint (other->finding, ==, QOIMA_COUNT_ELSEWHERE);
  }
  {
    g_autoptr(QoimaCountScan) unknown = scan (fixture, fixture->nurse, count, UNKNOWN_KI, &error);

    g_assert_no_error (error);
    g_assert_cmpint (unknown->finding, ==, QOIMA_COUNT_UNKNOWN);
    g_assert_null (unknown->name);
  }
  if (opened != NULL)
    {
      g_autoptr(QoimaCountScan) again = scan (fixture, fixture->nurse, count, opened, &error);

      /* The scan says the pack is opened, so the page asks for its units. */
      g_assert_no_error (error);
      g_assert_true (again->opened);
      g_assert_cmpint (again->units_per_pack, >, 1);
      g_assert_cmpstr (again->ki, ==, opened);
      g_assert_true (units (fixture, fixture->nurse, count, opened, 1, &error));
      g_assert_no_error (error);
      expected_corrections++;
    }
  /* Units only for a pack counted, and within the pack. */
  g_assert_false (units (fixture, fixture->nurse, count, taken, 1, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (units (fixture, fixture->nurse, count, g_ptr_array_index (booked, 0), 100000, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  live = load (fixture, count);
  g_assert_cmpint (live->state, ==, QOIMA_COUNT_OPEN);
  g_assert_cmpint (live->n_found, ==, booked->len - 1);
  line = find_line (live, taken);
  g_assert_nonnull (line);
  g_assert_cmpint (line->finding, ==, QOIMA_COUNT_MISSING);
  line = find_line (live, elsewhere);
  g_assert_nonnull (line);
  g_assert_cmpint (line->finding, ==, QOIMA_COUNT_ELSEWHERE);
  g_assert_nonnull (line->book_location);
  line = find_line (live, UNKNOWN_KI);
  g_assert_nonnull (line);
  g_assert_cmpint (line->finding, ==, QOIMA_COUNT_UNKNOWN);
  if (opened != NULL)
    {
      line = find_line (live, opened);
      g_assert_nonnull (line);
      g_assert_cmpint (line->counted_units, ==, 1);
    }
  /* The tally: on the book here = found + missing, per product, summed. */
  {
    int expected = 0, counted = 0;

    for (guint i = 0; i < live->tally->len; i++)
      {
        QoimaCountTally *tally = g_ptr_array_index (live->tally, i);

        expected += tally->expected;
        counted += tally->counted;
      }
    g_assert_cmpint (expected, ==, booked->len);
    g_assert_cmpint (counted, ==, booked->len - 1 + 1); /* the ward's but one, and the other ward's */
  }

  /* The nurse may not sign off; nor may anyone before the count is finished. */
  g_assert_cmpint (sign_off (fixture, fixture->chief, count, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  finish (fixture, fixture->nurse, count, &error);
  g_assert_no_error (error);
  g_assert_no_error (error);
  g_assert_null (scan (fixture, fixture->nurse, count, taken, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (sign_off (fixture, fixture->nurse, count, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);

  corrections = sign_off (fixture, fixture->chief, count, &error);
  g_assert_no_error (error);
  g_assert_cmpint (corrections, ==, expected_corrections);

  /* The pack booked elsewhere is here now, by a correction naming the count. */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT pk.location_id || ' ' || m.kind || ' ' || m.reason || ' ' || m.actor "
                         "FROM packs pk JOIN movements m ON m.pack_id = pk.id WHERE pk.ki = '%s' "
                         "ORDER BY m.id DESC LIMIT 1", elsewhere);
  {
    g_autofree char *moved = raw_text (fixture, sql);
    g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT " correction stock count %" G_GINT64_FORMAT " chief",
                                                 fixture->ward, count);

    g_assert_cmpstr (moved, ==, expected);
  }
  /* The missing pack is owed as lost, for the chief to sign on the Withdrawals page. */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT w.reason FROM withdrawals_owed w JOIN packs pk ON pk.id = w.pack_id WHERE pk.ki = '%s'",
                         taken);
  {
    g_autofree char *reason = raw_text (fixture, sql);

    g_assert_cmpstr (reason, ==, "LOST");
  }
  if (opened != NULL)
    {
      g_autofree char *left = NULL;

      g_clear_pointer (&sql, g_free);
      sql = g_strdup_printf ("SELECT units_left FROM packs WHERE ki = '%s'", opened);
      left = raw_text (fixture, sql);
      g_assert_cmpstr (left, ==, "1");
    }

  /* After the sign-off the result reads as it was found, though the book changed. */
  frozen = load (fixture, count);
  g_assert_cmpint (frozen->state, ==, QOIMA_COUNT_SIGNED_OFF);
  g_assert_cmpstr (frozen->signed_off_by, ==, "chief");
  g_assert_cmpuint (frozen->lines->len, ==, live->lines->len);
  line = find_line (frozen, elsewhere);
  g_assert_nonnull (line);
  g_assert_cmpint (line->finding, ==, QOIMA_COUNT_ELSEWHERE);

  /* Signed off: a second sign-off changes nothing, and the ward can be counted again. */
  g_assert_cmpint (sign_off (fixture, fixture->chief, count, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (find (fixture, fixture->ward), ==, 0);
  g_assert_cmpint (start (fixture, fixture->nurse, fixture->ward, &error), >, count);
  g_assert_no_error (error);
}

static void
test_who_counts (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 count;

  /* A nurse counts her own ward only; an administrator and nobody do not count. */
  g_assert_cmpint (start (fixture, fixture->other_nurse, fixture->ward, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpint (start (fixture, fixture->admin, fixture->ward, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpint (start (fixture, NULL, fixture->ward, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* A clerk counts any location; one count of a location at a time. */
  count = start (fixture, fixture->clerk, fixture->ward, &error);
  g_assert_no_error (error);
  g_assert_cmpint (start (fixture, fixture->nurse, fixture->ward, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* The other ward's nurse cannot scan into this ward's count. */
  g_assert_null (scan (fixture, fixture->other_nurse, count, UNKNOWN_KI, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_null (scan (fixture, fixture->clerk, count + 1000, UNKNOWN_KI, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
}

/* A box's packs are counted at once, from the act that brought it. */
static void
test_box (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) packs = NULL;
  g_autoptr(QoimaCountScan) counted = NULL;
  g_autoptr(QoimaCountScan) again = NULL;
  g_autoptr(GString) sql = g_string_new ("INSERT INTO acts (id, ismpt_id, number, status) VALUES (900, 'box-act', 'B-1', 'accepted');"
                                         "INSERT INTO act_codes (act_id, code, kind) VALUES (900, '00048700000000000017', 'box');");
  g_autofree char *select = NULL;
  gint64 count;

  select = g_strdup_printf ("SELECT ki FROM packs WHERE location_id = %" G_GINT64_FORMAT
                            " AND status = 'in_stock' ORDER BY id LIMIT 3", fixture->warehouse);
  packs = raw_column (fixture, select);
  g_assert_cmpuint (packs->len, ==, 3);
  for (guint i = 0; i < packs->len; i++)
    g_string_append_printf (sql, "INSERT INTO act_codes (act_id, code, kind, parent_sscc) "
                                 "VALUES (900, '%s', 'pack', '00048700000000000017');",
                            (const char *) g_ptr_array_index (packs, i));
  raw_exec (fixture, sql->str);

  count = start (fixture, fixture->clerk, fixture->warehouse, &error);
  g_assert_no_error (error);
  counted = scan (fixture, fixture->clerk, count, "00048700000000000017", &error);
  g_assert_no_error (error);
  g_assert_cmpint (counted->added, ==, 3);
  g_assert_cmpint (counted->finding, ==, QOIMA_COUNT_FOUND);
  again = scan (fixture, fixture->clerk, count, g_ptr_array_index (packs, 1), &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->added, ==, 0);

  /* A box the acts never brought cannot be opened by the count. */
  g_assert_null (scan (fixture, fixture->clerk, count, "00048700000000000024", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_setenv ("LANGUAGE", "en", TRUE);

  g_test_add ("/counts/ward", Fixture, NULL, fixture_set_up, test_ward_count, fixture_tear_down);
  g_test_add ("/counts/who-counts", Fixture, NULL, fixture_set_up, test_who_counts, fixture_tear_down);
  g_test_add ("/counts/box", Fixture, NULL, fixture_set_up, test_box, fixture_tear_down);
  return g_test_run ();
}
