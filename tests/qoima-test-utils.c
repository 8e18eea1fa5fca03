/* qoima-test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-test-utils.h"
#include "qoima-store-users.h"
#include "qoima-test-pg.h"

#include <glib/gstdio.h>
#include <stdlib.h>

void
qoima_test_result_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

GAsyncResult *
qoima_test_wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
qoima_test_wait_until (QoimaTestCheck check,
                       gpointer       data,
                       unsigned       timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  guint wake = g_timeout_add (50, wake_cb, NULL);

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %u s waiting for a condition", timeout_s);
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (wake);
}

gboolean
qoima_test_result_is_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

void
qoima_test_flag_cb (gpointer  instance,
                    gboolean *flag)
{
  *flag = TRUE;
}

gboolean
qoima_test_flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

char *
qoima_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("qoima-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
qoima_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;

  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR))
            qoima_test_remove_tree (child);
          else
            g_remove (child);
        }
    }
  g_rmdir (path);
}

QoimaStore *
qoima_test_open_store (const char *path)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaStore *store;

  qoima_store_open_async (path, NULL, qoima_test_result_cb, &result);
  store = qoima_store_open_finish (qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

gboolean
qoima_test_on_postgresql (void)
{
  return g_strcmp0 (g_getenv ("QOIMA_TEST_DATABASE"), "postgresql") == 0;
}

static QoimaTestPg *test_server;

static void
stop_test_server (void)
{
  g_clear_pointer (&test_server, qoima_test_pg_stop);
}

char *
qoima_test_new_store_location (const char *dir)
{
  static unsigned n_databases;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  char *location;

  if (!qoima_test_on_postgresql ())
    return g_build_filename (dir, "qoima.db", NULL);

  if (test_server == NULL)
    {
      test_server = qoima_test_pg_start (&error);
      g_assert_no_error (error);
      if (test_server == NULL)
        g_error ("QOIMA_TEST_DATABASE=postgresql, but no PostgreSQL server programs are installed");
      atexit (stop_test_server);
    }
  name = g_strdup_printf ("qoima_%u", ++n_databases);
  location = qoima_test_pg_new_database (test_server, name, &error);
  g_assert_no_error (error);
  return location;
}

QoimaStore *
qoima_test_open_tmp_store (char **dir,
                           char **path)
{
  g_autofree char *db_path = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  *dir = qoima_test_make_tmp_dir ();
  db_path = qoima_test_new_store_location (*dir);
  if (path != NULL)
    *path = g_strdup (db_path);
  return qoima_test_open_store (db_path);
}

void
qoima_test_add_catalog (QoimaStore *store,
                        GPtrArray  *products)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  qoima_store_add_products_async (store, products, NULL, qoima_test_result_cb, &result);
  g_assert_true (qoima_store_add_products_finish (store, qoima_test_wait_for (&result), &error));
  g_assert_no_error (error);
}

QoimaUser *
qoima_test_add_user (QoimaStore *store,
                     QoimaUser  *acting,
                     const char *name,
                     QoimaRole   role,
                     gint64      ward_id,
                     const char *secret)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_add_user_async (store, acting, name, NULL, role, ward_id, secret, NULL,
                              qoima_test_result_cb, &result);
  user = qoima_store_add_user_finish (store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
  return user;
}

QoimaPack *
qoima_test_find_pack (QoimaStore *store,
                      const char *ki)
{
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GError) error = NULL;
  QoimaPack *pack;

  qoima_store_find_pack_async (store, ki, NULL, qoima_test_result_cb, &found);
  qoima_test_wait_until (qoima_test_result_is_set, &found, 30);
  pack = qoima_store_find_pack_finish (store, found, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pack);
  return pack;
}
