/* test-settings.c: the hospital's settings in the warehouse database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-store-audit.h"
#include "qoima-store-private.h"
#include "qoima-store-settings.h"
#include "qoima-test-utils.h"

#include <json-glib/json-glib.h>

static gboolean
set_setting (QoimaStore  *store,
             QoimaUser   *user,
             const char  *value,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_set_setting_async (store, user, QOIMA_SETTING_AUTO_WITHDRAW, value, NULL, qoima_test_result_cb, &result);
  return qoima_store_set_setting_finish (store, qoima_test_wait_for (&result), error);
}

static char *
get_setting (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *value;

  qoima_store_get_setting_async (store, QOIMA_SETTING_AUTO_WITHDRAW, NULL, qoima_test_result_cb, &result);
  value = qoima_store_get_setting_finish (store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  return value;
}

static void
test_admin_only (void)
{
  g_autofree char *path = qoima_test_on_postgresql () ? qoima_test_new_store_location (NULL)
                                                      : g_build_filename (g_get_user_data_dir (), "settings.db", NULL);
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  g_autofree char *unset = NULL;
  g_autofree char *value = NULL;
  g_autofree char *after = NULL;
  gint64 ward, n_rows = 0;
  QoimaDb *db = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(JsonNode) new_values = NULL;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  store = qoima_test_open_store (path);

  qoima_store_add_location_async (store, QOIMA_LOCATION_KIND_WARD, "Терапия", NULL, NULL, qoima_test_result_cb, &result2);
  ward = qoima_store_add_location_finish (store, qoima_test_wait_for (&result2), &error);
  g_assert_no_error (error);

  admin = qoima_test_add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN, 0, "4821");
  nurse = qoima_test_add_user (store, admin, "dana", QOIMA_ROLE_NURSE, ward, "4821");

  unset = get_setting (store);
  g_assert_null (unset);

  g_assert_true (set_setting (store, admin, "true", &error));
  g_assert_no_error (error);
  value = get_setting (store);
  g_assert_cmpstr (value, ==, "true");

  /* The store refuses the nurse, and nobody: nothing changes. */
  g_assert_false (set_setting (store, nurse, "false", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (set_setting (store, NULL, "false", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  after = get_setting (store);
  g_assert_cmpstr (after, ==, "true");

  /* The change is in the audit trail, under the admin's name, and the chain holds. */
  /* Read on another connection, either engine; the values as JSON, which each engine
   * spaces its own way. */
  db = qoima_db_open (path, &error);
  g_assert_no_error (error);
  stmt = qoima_db_prepare (db, "SELECT actor, new_values FROM audit WHERE tbl = 'settings'", &error);
  g_assert_no_error (error);
  g_assert_cmpint (qoima_db_step (stmt, &error), ==, QOIMA_DB_ROW);
  g_assert_cmpstr (qoima_db_column_text (stmt, 0), ==, "admin");
  new_values = json_from_string (qoima_db_column_text (stmt, 1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (new_values), "value"), ==, "true");
  g_assert_cmpint (qoima_db_step (stmt, &error), ==, QOIMA_DB_DONE);
  g_clear_pointer (&stmt, qoima_db_stmt_release);
  g_assert_true (qoima_audit_verify (db, &n_rows, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_rows, >, 3);
  qoima_db_close (db);

  qoima_store_close (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/settings/admin-only", test_admin_only);

  return g_test_run ();
}
