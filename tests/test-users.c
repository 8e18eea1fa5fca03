/* test-users.c: local users, roles and password hashing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-store-private.h"
#include "qoima-store-settings.h"
#include "qoima-store-users.h"
#include "qoima-store-wards.h"
#include "qoima-test-utils.h"
#include "qoima-user.h"

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

static gint64
add_ward (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  qoima_store_add_location_async (store, QOIMA_LOCATION_KIND_WARD, "Терапия", NULL, NULL, qoima_test_result_cb, &result);
  id = qoima_store_add_location_finish (store, qoima_test_wait_for (&result), &error);
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

  qoima_store_add_user_async (store, acting, name, NULL, role, ward_id, secret, NULL, qoima_test_result_cb, &result);
  return qoima_store_add_user_finish (store, qoima_test_wait_for (&result), error);
}

static QoimaUser *
authenticate (QoimaStore  *store,
              const char  *name,
              const char  *secret,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_authenticate_async (store, name, secret, NULL, qoima_test_result_cb, &result);
  return qoima_store_authenticate_finish (store, qoima_test_wait_for (&result), error);
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
    const char *allowed; /* one letter per permission, in enum order: A M L S W U O R C P D X */
  } expected[] = {
    { QOIMA_ROLE_CLERK, "AM......C..X" },
    { QOIMA_ROLE_NURSE, "..L.....C..." },
    { QOIMA_ROLE_CHIEF, "A..SW..RC.D." },
    { QOIMA_ROLE_ADMIN, ".....UOR.P.." },
  };

  for (unsigned r = 0; r < G_N_ELEMENTS (expected); r++)
    for (unsigned p = QOIMA_PERMISSION_ACCEPT_ACTS; p <= QOIMA_PERMISSION_DISPENSE; p++)
      g_assert_cmpint (qoima_role_allows (expected[r].role, p), ==, expected[r].allowed[p] != '.');
}

/* A new store: in memory; in the -pg run, a fresh server database. */
static QoimaStore *
open_store (void)
{
  g_autofree char *location = qoima_test_on_postgresql () ? qoima_test_new_store_location (NULL) : NULL;

  return qoima_test_open_store (location != NULL ? location : ":memory:");
}

/* R000-4: rights are delegated by role; a nurse cannot accept acts, move stock or sign,
 * and nobody logged in may do nothing. */
static void
test_nurse_refused (void)
{
  g_autoptr(QoimaStore) store = open_store ();
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
  g_autoptr(QoimaStore) store = open_store ();
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

  qoima_store_list_users_async (store, NULL, qoima_test_result_cb, &result);
  users = qoima_store_list_users_finish (store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 2);
}

/* One integer from @sql on another connection to the store's database, either engine. */
static gint64
peek_int (QoimaDb    *db,
          const char *sql,
          int         column)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (qoima_db_step (stmt, &error), ==, QOIMA_DB_ROW);
  g_assert_no_error (error);
  return qoima_db_column_int64 (stmt, column);
}

/* Only salted hashes reach the file; a wrong password is refused; a disabled user too. */
static void
test_hashing (void)
{
  g_autofree char *path = qoima_test_on_postgresql () ? qoima_test_new_store_location (NULL)
                                                      : g_build_filename (g_get_user_data_dir (), "users-test", "hash.db", NULL);
  g_autoptr(QoimaStore) store = qoima_test_open_store (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaUser) again = NULL;
  g_autofree char *bytes = NULL;
  gsize len = 0;
  QoimaDb *db = NULL;
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

    qoima_store_disable_user_async (store, admin, "clerk", NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_store_disable_user_finish (store, qoima_test_wait_for (&result), &error));
    g_assert_no_error (error);
  }
  g_assert_null (authenticate (store, "clerk", ADMIN_PASSWORD, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);

  /* A new password is hashed like the first and audited without its salt or hash. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_set_password_async (store, admin, "clerk", ADMIN_PASSWORD " 2", NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_store_set_password_finish (store, qoima_test_wait_for (&result), &error));
    g_assert_no_error (error);
  }

  qoima_store_close (store);

  /* The file's bytes: SQLite's only (a server keeps its own files). */
  if (!qoima_test_on_postgresql ())
    {
      g_autofree char *wal_path = g_strconcat (path, "-wal", NULL);
      g_autofree char *wal = NULL;
      gsize wal_len = 0;

      g_assert_true (g_file_get_contents (path, &bytes, &len, &error));
      g_assert_no_error (error);
      g_assert_false (bytes_contain (bytes, len, ADMIN_PASSWORD));
      if (g_file_get_contents (wal_path, &wal, &wal_len, NULL))
        g_assert_false (bytes_contain (wal, wal_len, ADMIN_PASSWORD));
    }

  db = qoima_db_open (path, &error);
  g_assert_no_error (error);
  {
    const char *sql = "SELECT count (DISTINCT salt), count (DISTINCT hash), min (iterations), "
                      "  min (length (salt)) FROM users";

    g_assert_cmpint (peek_int (db, sql, 0), ==, 2);
    g_assert_cmpint (peek_int (db, sql, 1), ==, 2);
    g_assert_cmpint (peek_int (db, sql, 2), >=, 100000);
    g_assert_cmpint (peek_int (db, sql, 3), ==, 16);
  }

  /* The audit trail has the users, their disabling, the new password by the admin, and
   * no secret. */
  {
    const char *sql = "SELECT count (*), count (*) FILTER (WHERE actor = 'admin' AND reason = 'password changed') "
                      "FROM audit WHERE tbl = 'users' "
                      "AND new_values NOT LIKE '%salt%' AND new_values NOT LIKE '%hash%'";

    g_assert_cmpint (peek_int (db, sql, 0), ==, 4);
    g_assert_cmpint (peek_int (db, sql, 1), ==, 1);
  }
  qoima_db_close (db);
}


/* Each administration call, by the core, for a user who may not make it. */
static GError *
try_as (QoimaStore *store,
        QoimaUser  *acting,
        int         what,
        gint64      ward)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;

  switch (what)
    {
    case 0:
      qoima_store_add_ward_async (store, acting, "Хирургия", NULL, NULL, qoima_test_result_cb, &result);
      g_assert_cmpint (qoima_store_add_ward_finish (store, qoima_test_wait_for (&result), &error), ==, 0);
      break;
    case 1:
      qoima_store_update_location_async (store, acting, ward, "Другое", NULL, FALSE, NULL, qoima_test_result_cb, &result);
      g_assert_false (qoima_store_update_location_finish (store, qoima_test_wait_for (&result), &error));
      break;
    case 2:
      qoima_store_update_location_async (store, acting, ward, NULL, NULL, TRUE, NULL, qoima_test_result_cb, &result);
      g_assert_false (qoima_store_update_location_finish (store, qoima_test_wait_for (&result), &error));
      break;
    case 3:
      qoima_store_set_password_async (store, acting, "admin", "new-password-1", NULL, qoima_test_result_cb, &result);
      g_assert_false (qoima_store_set_password_finish (store, qoima_test_wait_for (&result), &error));
      break;
    case 4:
      qoima_store_update_user_async (store, acting, "clerk", QOIMA_ROLE_CHIEF, 0, NULL, qoima_test_result_cb, &result);
      g_assert_false (qoima_store_update_user_finish (store, qoima_test_wait_for (&result), &error));
      break;
    case 5:
      qoima_store_set_user_disabled_async (store, acting, "admin", TRUE, NULL, qoima_test_result_cb, &result);
      g_assert_false (qoima_store_set_user_disabled_finish (store, qoima_test_wait_for (&result), &error));
      break;
    case 6:
      qoima_store_set_setting_async (store, acting, QOIMA_SETTING_AUTO_WITHDRAW, "true", NULL, qoima_test_result_cb, &result);
      g_assert_false (qoima_store_set_setting_finish (store, qoima_test_wait_for (&result), &error));
      break;
    default:
      g_assert_not_reached ();
    }
  return error;
}

static gint64
add_ward_as (QoimaStore  *store,
             QoimaUser   *acting,
             const char  *name_ru,
             const char  *name_kk,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_add_ward_async (store, acting, name_ru, name_kk, NULL, qoima_test_result_cb, &result);
  return qoima_store_add_ward_finish (store, qoima_test_wait_for (&result), error);
}

static gboolean
update_location (QoimaStore  *store,
                 QoimaUser   *acting,
                 gint64       id,
                 const char  *name_ru,
                 const char  *name_kk,
                 gboolean     archived,
                 GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_update_location_async (store, acting, id, name_ru, name_kk, archived, NULL, qoima_test_result_cb, &result);
  return qoima_store_update_location_finish (store, qoima_test_wait_for (&result), error);
}

static gboolean
set_disabled (QoimaStore  *store,
              QoimaUser   *acting,
              const char  *name,
              gboolean     disabled,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_set_user_disabled_async (store, acting, name, disabled, NULL, qoima_test_result_cb, &result);
  return qoima_store_set_user_disabled_finish (store, qoima_test_wait_for (&result), error);
}

static gboolean
set_password (QoimaStore  *store,
              QoimaUser   *acting,
              const char  *name,
              const char  *secret,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_set_password_async (store, acting, name, secret, NULL, qoima_test_result_cb, &result);
  return qoima_store_set_password_finish (store, qoima_test_wait_for (&result), error);
}

static gboolean
update_user (QoimaStore  *store,
             QoimaUser   *acting,
             const char  *name,
             QoimaRole    role,
             gint64       ward,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_update_user_async (store, acting, name, role, ward, NULL, qoima_test_result_cb, &result);
  return qoima_store_update_user_finish (store, qoima_test_wait_for (&result), error);
}

static GListModel *
list_wards (QoimaStore *store,
            gboolean    include_archived)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *wards;

  qoima_store_list_wards_async (store, include_archived, NULL, qoima_test_result_cb, &result);
  wards = qoima_store_list_wards_finish (store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  return wards;
}

static gboolean
locations_contain (QoimaStore *store,
                   gint64      id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) locations = NULL;

  qoima_store_list_locations_async (store, NULL, qoima_test_result_cb, &result);
  locations = qoima_store_list_locations_finish (store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  for (unsigned i = 0; i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);

      if (qoima_location_get_id (location) == id)
        return TRUE;
    }
  return FALSE;
}

/* R000-4: the administration is checked in the core: a nurse, a clerk and a chief are
 * refused every call, with nothing changed. */
static void
test_admin_refused (void)
{
  g_autoptr(QoimaStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(GListModel) wards = NULL;
  g_autoptr(GListModel) users = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gint64 ward = add_ward (store);
  QoimaUser *refused[3];

  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN, 0, ADMIN_PASSWORD, &error);
  g_assert_no_error (error);
  nurse = add_user (store, admin, "nurse", QOIMA_ROLE_NURSE, ward, NURSE_PIN, &error);
  g_assert_no_error (error);
  clerk = add_user (store, admin, "clerk", QOIMA_ROLE_CLERK, 0, "clerk-password", &error);
  g_assert_no_error (error);
  chief = add_user (store, admin, "chief", QOIMA_ROLE_CHIEF, 0, "chief-password", &error);
  g_assert_no_error (error);
  refused[0] = nurse;
  refused[1] = clerk;
  refused[2] = chief;

  for (unsigned u = 0; u < G_N_ELEMENTS (refused); u++)
    for (int what = 0; what <= 6; what++)
      {
        g_autoptr(GError) local_error = try_as (store, refused[u], what, ward);

        g_test_message ("%s, call %d: %s", qoima_user_get_name (refused[u]), what, local_error->message);
        g_assert_error (local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
      }

  /* Nobody logged in is refused too. */
  for (int what = 0; what <= 6; what++)
    {
      g_autoptr(GError) local_error = try_as (store, NULL, what, ward);

      g_assert_error (local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
    }

  /* Nothing changed. */
  wards = list_wards (store, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (wards), ==, 1);
  {
    g_autoptr(QoimaLocation) only = g_list_model_get_item (wards, 0);

    g_assert_cmpstr (qoima_location_get_name_ru (only), ==, "Терапия");
    g_assert_false (qoima_location_get_archived (only));
  }
  g_clear_object (&admin);
  admin = authenticate (store, "admin", ADMIN_PASSWORD, &error);
  g_assert_no_error (error);
  qoima_store_list_users_async (store, NULL, qoima_test_result_cb, &result);
  users = qoima_store_list_users_finish (store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  for (unsigned i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(QoimaUser) user = g_list_model_get_item (users, i);

      g_assert_false (qoima_user_get_disabled (user));
      if (g_str_equal (qoima_user_get_name (user), "clerk"))
        g_assert_cmpint (qoima_user_get_role (user), ==, QOIMA_ROLE_CLERK);
    }
}

/* Wards are added, renamed and archived by an admin; an archived ward is not offered for
 * moves nor takes nurses, and one that still holds packs or nurses is not archived. */
static void
test_wards (void)
{
  g_autoptr(QoimaStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  g_autoptr(GListModel) wards = NULL;
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GAsyncResult) result = NULL;
  QoimaPackRows *rows;
  gint64 surgery, icu;

  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN, 0, ADMIN_PASSWORD, &error);
  g_assert_no_error (error);

  surgery = add_ward_as (store, admin, "  Хирургия ", "Хирургия бөлімі", &error);
  g_assert_no_error (error);
  g_assert_cmpint (surgery, >, 0);
  icu = add_ward_as (store, admin, "Реанимация", NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (add_ward_as (store, admin, "Хирургия", NULL, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==, "There is already a location named Хирургия.");
  g_clear_error (&error);
  g_assert_cmpint (add_ward_as (store, admin, "   ", NULL, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* Renaming: the Russian name kept, the Kazakh one changed, then cleared. */
  g_assert_true (update_location (store, admin, icu, NULL, "Жансақтау", FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (update_location (store, admin, icu, "Хирургия", NULL, FALSE, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  wards = list_wards (store, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (wards), ==, 2);
  {
    g_autoptr(QoimaLocation) first = g_list_model_get_item (wards, 0);

    g_assert_cmpstr (qoima_location_get_name_ru (first), ==, "Реанимация");
    g_assert_cmpstr (qoima_location_get_name_kk (first), ==, "Жансақтау");
  }
  g_clear_object (&wards);

  /* A nurse in the ward, then a pack: each stops the archiving, with the reason. */
  nurse = add_user (store, admin, "dana", QOIMA_ROLE_NURSE, surgery, NURSE_PIN, &error);
  g_assert_no_error (error);
  g_assert_false (update_location (store, admin, surgery, NULL, NULL, TRUE, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==, "The ward Хирургия still has 1 nurse; move the nurse to another ward or disable the account first.");
  g_clear_error (&error);

  g_ptr_array_add (products, qoima_product_new ("04870001234567", "Парацетамол", NULL, NULL, NULL, NULL, NULL, 10));
  qoima_test_add_catalog (store, products);
  rows = qoima_pack_rows_new ();
  qoima_pack_rows_add (rows, "04870001234567", "SER0001", NULL, NULL, NULL, surgery, -1);
  qoima_store_receive_packs_async (store, rows, "admin", "test", NULL, qoima_test_result_cb, &result);
  g_assert_true (qoima_store_receive_packs_finish (store, qoima_test_wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_assert_true (update_user (store, admin, "dana", QOIMA_ROLE_NURSE, icu, &error));
  g_assert_no_error (error);
  g_assert_false (update_location (store, admin, surgery, NULL, NULL, TRUE, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==, "The ward Хирургия still holds 1 pack; move or use it up before archiving the ward.");
  g_clear_error (&error);

  /* The empty ward is archived: gone from the locations offered, kept with its flag. */
  g_assert_true (locations_contain (store, icu));
  g_assert_true (update_user (store, admin, "dana", QOIMA_ROLE_NURSE, surgery, &error));
  g_assert_no_error (error);
  g_assert_true (update_location (store, admin, icu, NULL, NULL, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (locations_contain (store, icu));
  wards = list_wards (store, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (wards), ==, 1);
  g_clear_object (&wards);
  wards = list_wards (store, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (wards), ==, 2);
  {
    g_autoptr(QoimaLocation) last = g_list_model_get_item (wards, 1);

    g_assert_cmpint (qoima_location_get_id (last), ==, icu);
    g_assert_true (qoima_location_get_archived (last));
  }

  /* An archived ward takes no nurses. */
  g_assert_false (update_user (store, admin, "dana", QOIMA_ROLE_NURSE, icu, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==, "The ward Реанимация is archived and takes no nurses.");
  g_clear_error (&error);
  g_assert_null (add_user (store, admin, "aru", QOIMA_ROLE_NURSE, icu, NURSE_PIN, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* Brought back. */
  g_assert_true (update_location (store, admin, icu, NULL, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (locations_contain (store, icu));
}

/* Passwords: a user changes her own, an admin anyone's; the last admin stays. */
static void
test_passwords_and_roles (void)
{
  g_autoptr(QoimaStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaUser) second = NULL;
  g_autoptr(QoimaUser) again = NULL;

  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN, 0, ADMIN_PASSWORD, &error);
  g_assert_no_error (error);
  clerk = add_user (store, admin, "clerk", QOIMA_ROLE_CLERK, 0, "clerk-password", &error);
  g_assert_no_error (error);

  /* Her own: the old password stops working. */
  g_assert_true (set_password (store, clerk, "clerk", "2468", &error));
  g_assert_no_error (error);
  g_assert_null (authenticate (store, "clerk", "clerk-password", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  again = authenticate (store, "clerk", "2468", &error);
  g_assert_no_error (error);
  g_clear_object (&again);

  /* The rules, before anything is stored. */
  g_assert_false (set_password (store, admin, "clerk", "short", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==, qoima_user_secret_rules ());
  g_clear_error (&error);

  /* An admin resets it. */
  g_assert_true (set_password (store, admin, "clerk", "reset-by-admin", &error));
  g_assert_no_error (error);
  again = authenticate (store, "clerk", "reset-by-admin", &error);
  g_assert_no_error (error);
  g_clear_object (&again);
  g_assert_false (set_password (store, admin, "nobody", "reset-by-admin", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The last admin: not disabled, not demoted; nor does an admin disable herself. */
  g_assert_false (set_disabled (store, admin, "admin", TRUE, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  second = add_user (store, admin, "second", QOIMA_ROLE_ADMIN, 0, "second-admin", &error);
  g_assert_no_error (error);
  g_assert_false (set_disabled (store, admin, "admin", TRUE, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==, "Admins cannot disable their own account; another admin may.");
  g_clear_error (&error);
  g_assert_true (set_disabled (store, second, "admin", TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (set_disabled (store, admin, "second", TRUE, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (update_user (store, second, "second", QOIMA_ROLE_CHIEF, 0, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_true (set_disabled (store, second, "admin", FALSE, &error));
  g_assert_no_error (error);
  again = authenticate (store, "admin", ADMIN_PASSWORD, &error);
  g_assert_no_error (error);
  g_clear_object (&again);

  /* Role changes: clerk to chief, then a nurse needs a ward. */
  g_assert_true (update_user (store, admin, "clerk", QOIMA_ROLE_CHIEF, 0, &error));
  g_assert_no_error (error);
  again = authenticate (store, "clerk", "reset-by-admin", &error);
  g_assert_no_error (error);
  g_assert_cmpint (qoima_user_get_role (again), ==, QOIMA_ROLE_CHIEF);
  g_assert_false (update_user (store, admin, "clerk", QOIMA_ROLE_NURSE, 0, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_true (update_user (store, admin, "second", QOIMA_ROLE_CLERK, 0, &error));
  g_assert_no_error (error);
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
  g_test_add_func ("/rules/R000-4/only-an-admin-administers", test_admin_refused);
  g_test_add_func ("/users/wards", test_wards);
  g_test_add_func ("/users/passwords-and-roles", test_passwords_and_roles);

  return g_test_run ();
}
