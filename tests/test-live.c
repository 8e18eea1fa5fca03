/* test-live.c: a workstation on a shared PostgreSQL server loses it and carries on when it is
 * back; times the rules depend on follow the server's clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test has a database of its own on one throwaway server (qoima-test-pg.c), which the
 * tests stop and start again as a server going down and coming back would. Skipped only where
 * PostgreSQL is not installed.
 */

#include "config.h"

#include "qoima-db.h"
#include "qoima-store-ledger.h"
#include "qoima-store-private.h"
#include "qoima-test-pg.h"
#include "qoima-test-utils.h"

#include <string.h>

#define TABLETS_GTIN "04870101000010"
#define TABLETS_KI "01" TABLETS_GTIN "21" "LIVETABLET001"
#define IIN "850715400238"

static QoimaTestPg *server;

typedef struct
{
  char *location;
  QoimaStore *store;
  QoimaDb *raw; /* another connection, as another workstation's */
  guint changed;
  guint connected_notified;
} Fixture;

static void
changed_cb (QoimaStore *store,
            gpointer    user_data)
{
  ((Fixture *) user_data)->changed++;
}

static void
connected_cb (QoimaStore *store,
              GParamSpec *pspec,
              gpointer    user_data)
{
  ((Fixture *) user_data)->connected_notified++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static unsigned n_databases;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (server == NULL)
    return;
  name = g_strdup_printf ("live_%u", ++n_databases);
  fixture->location = qoima_test_pg_new_database (server, name, &error);
  g_assert_no_error (error);
  fixture->store = qoima_test_open_store (fixture->location);
  g_signal_connect (fixture->store, "changed", G_CALLBACK (changed_cb), fixture);
  g_signal_connect (fixture->store, "notify::connected", G_CALLBACK (connected_cb), fixture);
  fixture->raw = qoima_db_open (fixture->location, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  qoima_store_set_local_clock_skew_for_tests (0);
  g_clear_pointer (&fixture->raw, qoima_db_close);
  if (fixture->store != NULL)
    qoima_store_close (fixture->store);
  g_clear_object (&fixture->store);
  g_free (fixture->location);
}

static gboolean
skip_without_server (void)
{
  if (server != NULL)
    return FALSE;
  g_test_skip ("PostgreSQL is not installed");
  return TRUE;
}

static gint64
add_location (QoimaStore  *store,
              const char  *name,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_add_location_async (store, QOIMA_LOCATION_KIND_WARD, name, NULL, NULL, qoima_test_result_cb, &result);
  return qoima_store_add_location_finish (store, qoima_test_wait_for (&result), error);
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

static gboolean
reconnect (QoimaStore  *store,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_reconnect_async (store, NULL, qoima_test_result_cb, &result);
  return qoima_store_reconnect_finish (store, qoima_test_wait_for (&result), error);
}

static gboolean
is_connected (gpointer data)
{
  return qoima_store_get_connected (data);
}

static gboolean
is_lost (gpointer data)
{
  return !qoima_store_get_connected (data);
}

static gboolean
was_changed (gpointer data)
{
  return ((Fixture *) data)->changed > 0;
}

/* The store's notification connection listens again (the server shows its last query). */
static gboolean
listens_again (gpointer data)
{
  Fixture *fixture = data;

  return raw_int (fixture->raw, "SELECT count(*) FROM pg_stat_activity "
                                "WHERE datname = current_database () AND query LIKE 'LISTEN %'") > 0;
}

static void
spin (unsigned ms)
{
  gint64 until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
}

/* Another workstation commits a change, notifying as the store does. */
static void
commit_elsewhere (QoimaDb    *db,
                  const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaDbStmt) insert = NULL;

  g_assert_true (qoima_db_begin_write (db, &error));
  insert = qoima_db_prepare (db, "INSERT INTO locations (kind, name_ru) VALUES ('ward', ?1)", &error);
  g_assert_no_error (error);
  qoima_db_bind_text (insert, 1, name);
  g_assert_true (qoima_db_step_done (insert, &error));
  g_assert_true (qoima_db_notify (db, "qoima_changes", &error));
  g_assert_true (qoima_db_commit (db, &error));
  g_assert_no_error (error);
}

/* The server goes down: an operation fails with its own error and the store says it is
 * lost; the server comes back: the store finds it by itself, the next operation succeeds
 * and changes made elsewhere are heard again. */
static void
test_server_lost_and_back (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) locations = NULL;

  if (skip_without_server ())
    return;

  g_assert_cmpint (add_location (fixture->store, "Before", &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (qoima_store_get_connected (fixture->store));
  g_clear_pointer (&fixture->raw, qoima_db_close);

  g_assert_true (qoima_test_pg_halt (server, &error));
  g_assert_no_error (error);

  g_assert_cmpint (add_location (fixture->store, "Lost", &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONNECTION_LOST);
  /* Said in words for the user, naming the server without a password. */
  g_assert_nonnull (strstr (error->message, "cannot be reached"));
  g_clear_error (&error);
  qoima_test_wait_until (is_lost, fixture->store, 10);
  g_assert_cmpuint (fixture->connected_notified, ==, 1);

  /* Reads fail the same way while it is gone. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_list_locations_async (fixture->store, NULL, qoima_test_result_cb, &result);
    locations = qoima_store_list_locations_finish (fixture->store, qoima_test_wait_for (&result), &error);
    g_assert_null (locations);
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONNECTION_LOST);
    g_clear_error (&error);
  }
  g_assert_false (reconnect (fixture->store, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONNECTION_LOST);
  g_clear_error (&error);

  g_assert_true (qoima_test_pg_resume (server, &error));
  g_assert_no_error (error);
  fixture->changed = 0;
  /* Nobody asks: the store tries again by itself (1 s, 2 s, 4 s… after the loss). */
  qoima_test_wait_until (is_connected, fixture->store, 40);
  g_assert_cmpuint (fixture->connected_notified, ==, 2);
  /* What others changed meanwhile was not heard: the pages are told to reload. */
  qoima_test_wait_until (was_changed, fixture, 5);

  fixture->raw = qoima_db_open (fixture->location, &error);
  g_assert_no_error (error);
  /* Nothing of the failed change was written. */
  g_assert_cmpint (raw_int (fixture->raw, "SELECT count(*) FROM locations WHERE name_ru = 'Lost'"), ==, 0);
  g_assert_cmpint (raw_int (fixture->raw, "SELECT count(*) FROM locations WHERE name_ru = 'Before'"), ==, 1);

  /* The next operation succeeds, on a new session with the store's settings. */
  g_assert_cmpint (add_location (fixture->store, "After", &error), >, 0);
  g_assert_no_error (error);

  /* Notifications come again: once the store listens again, another workstation's commit
   * is heard. */
  qoima_test_wait_until (listens_again, fixture, 20);
  spin (600); /* the "changes went unheard" of the new LISTEN, then quiet */
  fixture->changed = 0;
  commit_elsewhere (fixture->raw, "Elsewhere");
  qoima_test_wait_until (was_changed, fixture, 5);
}

/* A write transaction whose connection dies half-way is rolled back by the server: none of
 * it is written, the store says the server is lost, and once connected again writes go on. */
static gboolean
half_body (QoimaStoreWorker  *worker,
           gpointer           user_data,
           GError           **error)
{
  QoimaDb *db = qoima_store_worker_get_db (worker);
  g_autoptr(QoimaDbStmt) insert = qoima_db_prepare (db, "INSERT INTO locations (kind, name_ru) VALUES ('ward', 'Half')",
                                                    error);

  if (insert == NULL || !qoima_db_step_done (insert, error))
    return FALSE;
  /* The session ends here, as when the server goes down in the middle of a transaction. */
  g_assert_true (qoima_db_is_connected (db));
  return qoima_db_exec (db, "SELECT pg_terminate_backend (pg_backend_pid ())", error);
}

static void
half_job (QoimaStoreWorker *worker,
          GTask            *task)
{
  g_autoptr(GError) error = NULL;

  if (qoima_store_worker_in_transaction_with (worker, half_body, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
test_never_half_written (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GTask *task;

  if (skip_without_server ())
    return;

  task = qoima_store_task_new (fixture->store, half_job, NULL, NULL, NULL, qoima_test_result_cb, &result);
  qoima_store_queue_write (fixture->store, half_job, task);
  g_assert_false (g_task_propagate_boolean (G_TASK (qoima_test_wait_for (&result)), &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONNECTION_LOST);
  g_clear_error (&error);
  qoima_test_wait_until (is_lost, fixture->store, 10);

  /* The server is there: asking again reaches it at once. */
  g_assert_true (reconnect (fixture->store, &error));
  g_assert_no_error (error);
  qoima_test_wait_until (is_connected, fixture->store, 10);
  g_assert_cmpint (raw_int (fixture->raw, "SELECT count(*) FROM locations WHERE name_ru = 'Half'"), ==, 0);

  g_assert_cmpint (add_location (fixture->store, "Whole", &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture->raw, "SELECT count(*) FROM locations WHERE name_ru = 'Whole'"), ==, 1);
}

/* The server's clock */

static QoimaUser *
set_up_ward (Fixture *fixture,
             gint64  *ward)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(QoimaPackRows) rows = qoima_pack_rows_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(QoimaUser) admin = NULL;

  g_ptr_array_add (products, qoima_product_new (TABLETS_GTIN, "Таблетки", NULL, NULL, NULL, NULL, NULL, 20));
  qoima_test_add_catalog (fixture->store, products);
  *ward = add_location (fixture->store, "Терапия", &error);
  g_assert_no_error (error);
  qoima_pack_rows_add (rows, TABLETS_GTIN, "LIVETABLET001", NULL, "B1", "2031-12-31", *ward, -1);
  qoima_store_receive_packs_async (fixture->store, g_steal_pointer (&rows), "tester", "test", NULL,
                                   qoima_test_result_cb, &result);
  g_assert_true (qoima_store_receive_packs_finish (fixture->store, qoima_test_wait_for (&result), &error));
  g_assert_no_error (error);

  admin = qoima_test_add_user (fixture->store, NULL, "admin", QOIMA_ROLE_ADMIN, 0, "long enough secret");
  return qoima_test_add_user (fixture->store, admin, "nurse", QOIMA_ROLE_NURSE, *ward, "long enough secret");
}

/* A store opened anew, after the clock was put off: it measures the offset as it opens. */
static void
reopen_with_skew (Fixture   *fixture,
                  GTimeSpan  skew)
{
  qoima_store_close (fixture->store);
  g_clear_object (&fixture->store);
  qoima_store_set_local_clock_skew_for_tests (skew);
  fixture->store = qoima_test_open_store (fixture->location);
}

/* The nurse's use, @minutes old by the server's clock, as if logged then. */
static void
insert_use_minutes_ago (Fixture *fixture,
                        int      minutes)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf (
    "INSERT INTO movements (pack_id, at, actor, kind, from_location, units_delta, units_after, status_after, "
    "  location_after) "
    "SELECT id, to_char ((now () - interval '%d minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "  'nurse', 'use', location_id, -1, units_left - 1, 'opened', location_id FROM packs WHERE ki = '" TABLETS_KI "'",
    minutes);

  g_assert_true (qoima_db_exec (fixture->raw, sql, &error));
  g_assert_no_error (error);
}

static int
undo (Fixture    *fixture,
      QoimaUser  *nurse,
      GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_undo_last_use_async (fixture->store, nurse, NULL, qoima_test_result_cb, &result);
  return qoima_store_undo_last_use_finish (fixture->store, qoima_test_wait_for (&result), error);
}

/* A workstation whose clock is minutes off stamps what it records, and keeps the undo
 * window, by the server's clock (issue 11: "times that rules depend on come from the
 * server's clock"). Each case would come out the other way on the workstation's clock. */
static void
test_server_clock (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  gint64 ward;

  if (skip_without_server ())
    return;

  nurse = set_up_ward (fixture, &ward);

  /* This PC runs 5 minutes slow. */
  reopen_with_skew (fixture, -5 * G_TIME_SPAN_MINUTE);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(QoimaUseResult) used = NULL;

    qoima_store_use_units_async (fixture->store, nurse, TABLETS_KI, IIN, 1, NULL, qoima_test_result_cb, &result);
    used = qoima_store_use_units_finish (fixture->store, qoima_test_wait_for (&result), &error);
    g_assert_no_error (error);
  }
  /* Stamped with the server's time, not 5 minutes earlier. */
  g_assert_cmpint (raw_int (fixture->raw,
                            "SELECT abs (extract (epoch FROM (now () - (SELECT at FROM movements WHERE kind = 'use' "
                            "  ORDER BY id DESC LIMIT 1)::timestamptz)))::bigint"),
                   <=, 60);
  g_assert_cmpint (undo (fixture, nurse, &error), ==, 1);
  g_assert_no_error (error);

  /* A use 12 minutes old by the server is past the window (by this slow PC's clock it
   * would be 7 minutes old, and undone). */
  insert_use_minutes_ago (fixture, QOIMA_LEDGER_UNDO_MINUTES + 2);
  g_assert_cmpint (undo (fixture, nurse, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* This PC runs 5 minutes fast: a use 8 minutes old by the server is still within the
   * window (by this PC's clock it would be 13 minutes old, and refused). */
  reopen_with_skew (fixture, 5 * G_TIME_SPAN_MINUTE);
  insert_use_minutes_ago (fixture, QOIMA_LEDGER_UNDO_MINUTES - 2);
  g_assert_cmpint (undo (fixture, nurse, &error), ==, 1);
  g_assert_no_error (error);
}

static void
stop_server (void)
{
  g_clear_pointer (&server, qoima_test_pg_stop);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);

  server = qoima_test_pg_start (&error);
  g_assert_no_error (error);

  g_test_add ("/live/server-lost-and-back", Fixture, NULL, fixture_set_up, test_server_lost_and_back,
              fixture_tear_down);
  g_test_add ("/live/never-half-written", Fixture, NULL, fixture_set_up, test_never_half_written, fixture_tear_down);
  g_test_add ("/live/server-clock", Fixture, NULL, fixture_set_up, test_server_clock, fixture_tear_down);

  {
    int status = g_test_run ();

    stop_server ();
    return status;
  }
}
