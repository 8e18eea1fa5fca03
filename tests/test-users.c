/* test-users.c: local users, roles and password hashing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-store-private.h"
#include "qoima-user.h"

#include <sqlite3.h>
#include <string.h>

#define ADMIN_PASSWORD "correct horse battery"
#define NURSE_PIN "482916"

/* Whether @needle occurs anywhere in the @len bytes at @haystack. */
static gboolean
bytes_contain (const char *haystack,
               gsize       len,
               const char *needle)
{
  gsize needle_len = strlen (needle);

  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (haystack + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

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

static gint64
add_ward (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  qoima_store_add_location_async (store, QOIMA_LOCATION_KIND_WARD, "Терапия", NULL, NULL, result_cb, &result);
  id = qoima_store_add_location_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  return id;
}

static QoimaUser *
add_user (QoimaStore  *store,
          QoimaUser   *acting,
          const char  *name,
          QoimaRole    role,
          gint64       ward_id,
          const char  *secret,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_add_user_async (store, acting, name, NULL, role, ward_id, secret, NULL, result_cb, &result);
  return qoima_store_add_user_finish (store, wait_for (&result), error);
}

static QoimaUser *
authenticate (QoimaStore  *store,
              const char  *name,
              const char  *secret,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_authenticate_async (store, name, secret, NULL, result_cb, &result);
  return qoima_store_authenticate_finish (store, wait_for (&result), error);
}

static void
assert_forbidden (QoimaUser       *user,
                  QoimaPermission  permission,
                  const char      *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (qoima_role_allows (qoima_user_get_role (user), permission));
  g_assert_false (qoima_user_check (user, permission, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
}

/* The whole matrix, role by permission. */
static void
test_roles_matrix (void)
{
  static const struct {
    QoimaRole role;
    const char *allowed; /* one letter per permission, in enum order: A M L S W U O R */
  } expected[] = {
    { QOIMA_ROLE_CLERK, "AM......" },
    { QOIMA_ROLE_NURSE, "..L....." },
    { QOIMA_ROLE_CHIEF, "A..SW..R" },
    { QOIMA_ROLE_ADMIN, ".....UOR" },
  };

  for (unsigned r = 0; r < G_N_ELEMENTS (expected); r++)
    for (unsigned p = QOIMA_PERMISSION_ACCEPT_ACTS; p <= QOIMA_PERMISSION_VIEW_REPORTS; p++)
      g_assert_cmpint (qoima_role_allows (expected[r].role, p), ==, expected[r].allowed[p] != '.');
}

/* R000-4: rights are delegated by role; a nurse cannot accept acts, move stock or sign,
 * and nobody logged in may do nothing. */
static void
test_nurse_refused (void)
{
  g_autoptr(QoimaStore) store = open_store (":memory:");
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  gint64 ward = add_ward (store);

  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN, 0, ADMIN_PASSWORD, &error);
  g_assert_no_error (error);
  nurse = add_user (store, admin, "aigerim", QOIMA_ROLE_NURSE, ward, NURSE_PIN, &error);
  g_assert_no_error (error);
  g_assert_cmpint (qoima_user_get_ward_id (nurse), ==, ward);

  assert_forbidden (nurse, QOIMA_PERMISSION_ACCEPT_ACTS, "A nurse may not accept acts.");
  assert_forbidden (nurse, QOIMA_PERMISSION_MOVE_STOCK, "A nurse may not move stock.");
  assert_forbidden (nurse, QOIMA_PERMISSION_SIGN, "A nurse may not sign documents.");
  g_assert_true (qoima_user_check (nurse, QOIMA_PERMISSION_LOG_USE, &error));
  g_assert_no_error (error);

  g_assert_false (qoima_user_check (NULL, QOIMA_PERMISSION_LOG_USE, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
}

/* The first user is a bootstrap; afterwards only an admin adds users. */
static void
test_bootstrap_then_admin_only (void)
{
  g_autoptr(QoimaStore) store = open_store (":memory:");
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaUser) other = NULL;
  g_autoptr(GListModel) users = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN, 0, ADMIN_PASSWORD, &error);
  g_assert_no_error (error);

  other = add_user (store, NULL, "intruder", QOIMA_ROLE_ADMIN, 0, "password123", &error);
  g_assert_null (other);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);

  clerk = add_user (store, admin, "clerk", QOIMA_ROLE_CLERK, 0, "1234", &error);
  g_assert_no_error (error);

  other = add_user (store, clerk, "intruder", QOIMA_ROLE_ADMIN, 0, "password123", &error);
  g_assert_null (other);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_assert_cmpstr (error->message, ==, "A clerk may not manage users.");
  g_clear_error (&error);

  /* Too short a password, a nurse without a ward, a duplicate name. */
  g_assert_null (add_user (store, admin, "x", QOIMA_ROLE_CLERK, 0, "123", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_null (add_user (store, admin, "y", QOIMA_ROLE_NURSE, 0, "12345", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_null (add_user (store, admin, "clerk", QOIMA_ROLE_CLERK, 0, "12345", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  qoima_store_list_users_async (store, NULL, result_cb, &result);
  users = qoima_store_list_users_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 2);
}

/* Only salted hashes reach the file; a wrong password is refused; a disabled user too. */
static void
test_hashing (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "users-test", "hash.db", NULL);
  g_autoptr(QoimaStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaUser) again = NULL;
  g_autofree char *bytes = NULL;
  gsize len = 0;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 start;

  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN, 0, ADMIN_PASSWORD, &error);
  g_assert_no_error (error);
  /* The same password for two users: their salts, so their hashes, differ. */
  clerk = add_user (store, admin, "clerk", QOIMA_ROLE_CLERK, 0, ADMIN_PASSWORD, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  again = authenticate (store, "clerk", ADMIN_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (qoima_user_get_name (again), ==, "clerk");
  g_assert_cmpint (qoima_user_get_role (again), ==, QOIMA_ROLE_CLERK);
  g_test_message ("one authentication: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_clear_object (&again);

  g_assert_null (authenticate (store, "clerk", ADMIN_PASSWORD "x", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_WRONG_PASSWORD);
  g_assert_cmpstr (error->message, ==, "Wrong name or password.");
  g_clear_error (&error);
  g_assert_null (authenticate (store, "nobody", ADMIN_PASSWORD, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);

  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_disable_user_async (store, admin, "clerk", NULL, result_cb, &result);
    g_assert_true (qoima_store_disable_user_finish (store, wait_for (&result), &error));
    g_assert_no_error (error);
  }
  g_assert_null (authenticate (store, "clerk", ADMIN_PASSWORD, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);

  qoima_store_close (store);

  g_assert_true (g_file_get_contents (path, &bytes, &len, &error));
  g_assert_no_error (error);
  g_assert_false (bytes_contain (bytes, len, ADMIN_PASSWORD));
  {
    g_autofree char *wal_path = g_strconcat (path, "-wal", NULL);
    g_autofree char *wal = NULL;
    gsize wal_len = 0;

    if (g_file_get_contents (wal_path, &wal, &wal_len, NULL))
      g_assert_false (bytes_contain (wal, wal_len, ADMIN_PASSWORD));
  }

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count (DISTINCT salt), count (DISTINCT hash), min (iterations), "
                                           "  min (length (salt)) FROM users", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 2);
  g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 2);
  g_assert_cmpint (sqlite3_column_int (stmt, 2), >=, 100000);
  g_assert_cmpint (sqlite3_column_int (stmt, 3), ==, 16);
  sqlite3_finalize (stmt);

  /* The audit trail has the users, their disabling, and no secret. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count (*) FROM audit WHERE tbl = 'users' "
                                           "AND new_values NOT LIKE '%salt%' AND new_values NOT LIKE '%hash%'",
                                           -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 3);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/users/roles/matrix", test_roles_matrix);
  g_test_add_func ("/rules/R000-4/nurse-cannot-accept-move-or-sign", test_nurse_refused);
  g_test_add_func ("/users/bootstrap-then-admin-only", test_bootstrap_then_admin_only);
  g_test_add_func ("/users/hashing", test_hashing);

  return g_test_run ();
}
