/* qoima-store-settings.c: the hospital's settings kept in the warehouse database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-settings"

#include "config.h"

#include "qoima-store-settings.h"

#include "qoima-store-private.h"

char *
qoima_store_worker_get_setting (QoimaStoreWorker  *worker,
                                const char        *key,
                                GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), "SELECT value FROM settings WHERE key = ?1", error);
  if (stmt == NULL)
    return NULL;
  qoima_db_bind_text (stmt, 1, key);
  if (qoima_db_step (stmt, error) == QOIMA_DB_ROW)
    return qoima_store_column_dup (stmt, 0);
  return NULL;
}

static void
get_job (QoimaStoreWorker *worker,
         GTask            *task)
{
  const char *key = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = NULL;

  value = qoima_store_worker_get_setting (worker, key, &local_error);
  if (local_error != NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, g_steal_pointer (&value), g_free);
}

void
qoima_store_get_setting_async (QoimaStore          *self,
                               const char          *key,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (key != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_get_setting_async);
  g_task_set_task_data (task, g_strdup (key), g_free);
  qoima_store_queue_job (self, get_job, task);
}

char *
qoima_store_get_setting_finish (QoimaStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_get_setting_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  QoimaUser *user;
  char      *key;
  char      *value;
} SetData;

static void
set_data_free (SetData *data)
{
  g_clear_object (&data->user);
  g_free (data->key);
  g_free (data->value);
  g_free (data);
}

static gboolean
set_setting (QoimaStoreWorker  *worker,
             GTask             *task,
             GError           **error)
{
  SetData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value "
                           "WHERE settings.value IS DISTINCT FROM excluded.value",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, data->key);
  qoima_db_bind_text (stmt, 2, data->value);
  return qoima_db_step_done (stmt, error);
}

static void
set_job (QoimaStoreWorker *worker,
         GTask            *task)
{
  SetData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  /* The store checks, not only the window: a nurse's session cannot change the hospital's
   * settings by any path. */
  if (!qoima_user_check (data->user, QOIMA_PERMISSION_MANAGE_USERS, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  qoima_store_worker_set_actor (worker, qoima_user_get_name (data->user), "setting changed");
  /* Through the write helper, so that PostgreSQL's audit trigger knows who changed it too. */
  if (!qoima_store_worker_in_transaction (worker, task, set_setting, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

void
qoima_store_set_setting_async (QoimaStore          *self,
                               QoimaUser           *user,
                               const char          *key,
                               const char          *value,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  SetData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (key != NULL);
  g_return_if_fail (value != NULL);

  data = g_new0 (SetData, 1);
  data->user = user != NULL ? g_object_ref (user) : NULL;
  data->key = g_strdup (key);
  data->value = g_strdup (value);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_set_setting_async);
  g_task_set_task_data (task, data, (GDestroyNotify) set_data_free);
  qoima_store_queue_write (self, set_job, task);
}

gboolean
qoima_store_set_setting_finish (QoimaStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_set_setting_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
