/* test-patient.c: the demo users, and the recent patients of a ward
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-demo.h"
#include "qoima-patient.h"
#include "qoima-store-ledger.h"
#include "qoima-store-patients.h"
#include "qoima-store-users.h"
#include "qoima-test-utils.h"
#include "qoima-user.h"

#include <glib/gstdio.h>

#define TABLETS_GTIN "04870101000010" /* 20 units a pack in the demo catalog */

#define IIN_A "850715400238"
#define RECORD_B "ИБ202417"
#define IIN_C "900101300126"

typedef struct
{
  char *dir;
  char *path;
  QoimaStore *store;
  gint64 ward;
  gint64 other_ward;
  QoimaUser *nurse;
  QoimaUser *other_nurse;
} Fixture;

static QoimaUser *
find_user (GListModel *users,
           const char *name)
{
  for (unsigned i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(QoimaUser) user = g_list_model_get_item (users, i);

      if (g_strcmp0 (qoima_user_get_name (user), name) == 0)
        return g_steal_pointer (&user);
    }
  return NULL;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) users = NULL;
  g_autoptr(QoimaPackRows) rows = qoima_pack_rows_new ();

  fixture->dir = g_dir_make_tmp ("test-patient-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = qoima_test_new_store_location (fixture->dir);

  fixture->store = qoima_test_open_store (fixture->path);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_demo_fill_async (fixture->store, 50, 7, NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_demo_fill_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_demo_add_users_async (fixture->store, NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_demo_add_users_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_list_users_async (fixture->store, NULL, qoima_test_result_cb, &result);
    users = qoima_store_list_users_finish (fixture->store, qoima_test_wait_for (&result), &error);
    g_assert_no_error (error);
  }

  fixture->nurse = find_user (users, "nurse");
  fixture->other_nurse = find_user (users, "nurse2");
  g_assert_nonnull (fixture->nurse);
  g_assert_nonnull (fixture->other_nurse);
  fixture->ward = qoima_user_get_ward_id (fixture->nurse);
  fixture->other_ward = qoima_user_get_ward_id (fixture->other_nurse);
  g_assert_cmpint (fixture->ward, >, 0);
  g_assert_cmpint (fixture->other_ward, >, 0);
  g_assert_cmpint (fixture->ward, !=, fixture->other_ward);

  qoima_pack_rows_add (rows, TABLETS_GTIN, "PATIENTTAB001", NULL, "P1", "2031-12-31", fixture->ward, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, "PATIENTTAB002", NULL, "P2", "2031-12-31", fixture->other_ward, -1);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_receive_packs_async (fixture->store, g_steal_pointer (&rows), "tester", "test", NULL,
                                     qoima_test_result_cb, &result);
    g_assert_true (qoima_store_receive_packs_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_no_error (error);
  }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->nurse);
  g_clear_object (&fixture->other_nurse);
  qoima_store_close (fixture->store);
  g_clear_object (&fixture->store);
  g_remove (fixture->path);
  {
    g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);

    g_remove (wal);
    g_remove (shm);
  }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
use (Fixture    *fixture,
     QoimaUser  *nurse,
     const char *ki,
     const char *patient)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(QoimaUseResult) used = NULL;
  g_autoptr(GError) error = NULL;

  qoima_store_use_units_async (fixture->store, nurse, ki, patient, 1, NULL, qoima_test_result_cb, &result);
  used = qoima_store_use_units_finish (fixture->store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (used);
}

static GListModel *
recent (Fixture *fixture,
        gint64   ward,
        int      limit)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *patients;

  qoima_store_list_recent_patients_async (fixture->store, ward, limit, NULL, qoima_test_result_cb, &result);
  patients = qoima_store_list_recent_patients_finish (fixture->store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (patients);
  return patients;
}

static void
assert_keys (GListModel         *patients,
             const char * const *keys)
{
  g_assert_cmpuint (g_list_model_get_n_items (patients), ==, g_strv_length ((char **) keys));
  for (unsigned i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(QoimaPatient) patient = g_list_model_get_item (patients, i);

      g_assert_cmpstr (qoima_patient_get_key (patient), ==, keys[i]);
      g_assert_nonnull (qoima_patient_get_last_use_at (patient));
    }
}

static void
test_demo_users (Fixture       *fixture,
                 gconstpointer  data)
{
  const QoimaDemoUser *demo;
  unsigned n_demo = 0;
  g_autoptr(GListModel) users = NULL;
  g_autoptr(GError) error = NULL;

  demo = qoima_demo_users (&n_demo);
  g_assert_cmpuint (n_demo, >=, 4);

  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_list_users_async (fixture->store, NULL, qoima_test_result_cb, &result);
    users = qoima_store_list_users_finish (fixture->store, qoima_test_wait_for (&result), &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, n_demo);

  /* One of every role, each signing in with the PIN the README gives. */
  for (QoimaRole role = QOIMA_ROLE_CLERK; role <= QOIMA_ROLE_ADMIN; role++)
    {
      gboolean found = FALSE;

      for (unsigned i = 0; i < n_demo; i++)
        found |= demo[i].role == role;
      g_assert_true (found);
    }
  for (unsigned i = 0; i < n_demo; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(QoimaUser) user = NULL;

      qoima_store_authenticate_async (fixture->store, demo[i].name, demo[i].secret, NULL, qoima_test_result_cb, &result);
      user = qoima_store_authenticate_finish (fixture->store, qoima_test_wait_for (&result), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (qoima_user_get_full_name (user), ==, demo[i].full_name);
      g_assert_cmpint (qoima_user_get_role (user), ==, demo[i].role);
      g_assert_cmpint (qoima_user_get_ward_id (user) > 0, ==, demo[i].role == QOIMA_ROLE_NURSE);
    }
}

static void
test_recent_patients (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GListModel) none = NULL;
  g_autoptr(GListModel) ward = NULL;
  g_autoptr(GListModel) limited = NULL;
  g_autoptr(GListModel) other = NULL;
  const char *ki = "01" TABLETS_GTIN "21" "PATIENTTAB001";
  const char *other_ki = "01" TABLETS_GTIN "21" "PATIENTTAB002";

  none = recent (fixture, fixture->ward, 10);
  g_assert_cmpuint (g_list_model_get_n_items (none), ==, 0);

  use (fixture, fixture->nurse, ki, IIN_A);
  use (fixture, fixture->nurse, ki, RECORD_B);
  use (fixture, fixture->other_nurse, other_ki, IIN_C);
  use (fixture, fixture->nurse, ki, IIN_A);

  /* The most recent first, each patient once, only this ward's. */
  ward = recent (fixture, fixture->ward, 10);
  assert_keys (ward, (const char * const[]) { IIN_A, RECORD_B, NULL });
  {
    g_autoptr(QoimaPatient) first = g_list_model_get_item (ward, 0);
    g_autoptr(QoimaPatient) second = g_list_model_get_item (ward, 1);

    g_assert_cmpstr (qoima_patient_get_iin (first), ==, IIN_A);
    g_assert_null (qoima_patient_get_record_number (first));
    g_assert_null (qoima_patient_get_iin (second));
    g_assert_cmpstr (qoima_patient_get_record_number (second), ==, RECORD_B);
  }

  limited = recent (fixture, fixture->ward, 1);
  assert_keys (limited, (const char * const[]) { IIN_A, NULL });

  other = recent (fixture, fixture->other_ward, 10);
  assert_keys (other, (const char * const[]) { IIN_C, NULL });
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/demo/users", Fixture, NULL, fixture_set_up, test_demo_users, fixture_tear_down);
  g_test_add ("/patient/recent", Fixture, NULL, fixture_set_up, test_recent_patients, fixture_tear_down);

  return g_test_run ();
}
