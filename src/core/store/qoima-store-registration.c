/* qoima-store-registration.c: the registration draft and request kept in the warehouse database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-registration"

#include "config.h"

#include "qoima-store-registration.h"

#include "qoima-store-private.h"
#include "qoima-store-settings.h"

void
qoima_stored_registration_free (QoimaStoredRegistration *stored)
{
  if (stored == NULL)
    return;
  g_clear_object (&stored->registration);
  g_free (stored->state);
  g_free (stored->request_id);
  g_free (stored->reason);
  g_free (stored);
}

static void
load_job (QoimaStoreWorker *worker,
          GTask            *task)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(QoimaStoredRegistration) stored = NULL;
  g_autoptr(GError) local_error = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT draft, state, request_id, reason FROM registration WHERE id = 1",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  rc = qoima_db_step (stmt, &local_error);
  if (rc == QOIMA_DB_ROW)
    {
      stored = g_new0 (QoimaStoredRegistration, 1);
      stored->registration = qoima_registration_new_from_json (qoima_db_column_text (stmt, 0),
                                                               &local_error);
      stored->state = qoima_store_column_dup (stmt, 1);
      stored->request_id = qoima_store_column_dup (stmt, 2);
      stored->reason = qoima_store_column_dup (stmt, 3);
    }
  else if (rc != QOIMA_DB_DONE)
    qoima_db_step_done (stmt, &local_error);

  if (local_error != NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, g_steal_pointer (&stored), (GDestroyNotify) qoima_stored_registration_free);
}

void
qoima_store_load_registration_async (QoimaStore          *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_load_registration_async);
  qoima_store_queue_job (self, load_job, task);
}

QoimaStoredRegistration *
qoima_store_load_registration_finish (QoimaStore    *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_load_registration_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  QoimaUser *user;
  char      *draft;
  char      *state;
  char      *request_id;
  char      *reason;
  /* Set when confirmed: the hospital's settings from the request. */
  char      *bin;
  char      *organization;
  char      *product_groups;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->user);
  g_free (data->draft);
  g_free (data->state);
  g_free (data->request_id);
  g_free (data->reason);
  g_free (data->bin);
  g_free (data->organization);
  g_free (data->product_groups);
  g_free (data);
}

static gboolean
set_setting (QoimaStoreWorker  *worker,
             const char        *key,
             const char        *value,
             GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;

  if (value == NULL)
    return TRUE;
  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value "
                           "WHERE settings.value IS DISTINCT FROM excluded.value",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, key);
  qoima_db_bind_text (stmt, 2, value);
  return qoima_db_step_done (stmt, error);
}

static gboolean
save_body (QoimaStoreWorker  *worker,
           GTask             *task,
           GError           **error)
{
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autofree char *now = qoima_store_now_iso8601 ();

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "INSERT INTO registration (id, draft, state, request_id, reason, updated_at) "
                           "VALUES (1, ?1, ?2, ?3, ?4, ?5) "
                           "ON CONFLICT (id) DO UPDATE SET draft = excluded.draft, state = excluded.state, "
                           "request_id = excluded.request_id, reason = excluded.reason, "
                           "updated_at = excluded.updated_at",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, data->draft);
  qoima_db_bind_text (stmt, 2, data->state);
  qoima_db_bind_text (stmt, 3, data->request_id);
  qoima_db_bind_text (stmt, 4, data->reason);
  qoima_db_bind_text (stmt, 5, now);
  if (!qoima_db_step_done (stmt, error))
    return FALSE;

  /* R001-11: once confirmed, the hospital is this organization: its BIN, name and product
   * groups become its settings in the same transaction as the request's state. */
  return set_setting (worker, QOIMA_SETTING_BIN, data->bin, error) &&
         set_setting (worker, QOIMA_SETTING_ORGANIZATION, data->organization, error) &&
         set_setting (worker, QOIMA_SETTING_PRODUCT_GROUPS, data->product_groups, error);
}

static void
save_job (QoimaStoreWorker *worker,
          GTask            *task)
{
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  /* The hospital's identity toward ИС МПТ: only an administrator, by any path. */
  if (!qoima_user_check (data->user, QOIMA_PERMISSION_MANAGE_USERS, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  qoima_store_worker_set_actor (worker, qoima_user_get_name (data->user), "registration saved");
  if (!qoima_store_worker_in_transaction (worker, task, save_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

void
qoima_store_save_registration_async (QoimaStore          *self,
                                     QoimaUser           *user,
                                     QoimaRegistration   *registration,
                                     const char          *state,
                                     const char          *request_id,
                                     const char          *reason,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  SaveData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (QOIMA_IS_REGISTRATION (registration));

  data = g_new0 (SaveData, 1);
  data->user = user != NULL ? g_object_ref (user) : NULL;
  /* Serialized here, on the caller's thread: the draft keeps changing under the wizard. */
  data->draft = qoima_registration_to_json (registration);
  data->state = g_strdup (state != NULL ? state : "draft");
  data->request_id = g_strdup (request_id);
  data->reason = g_strdup (reason);
  if (g_strcmp0 (state, "confirmed") == 0)
    {
      g_auto(GStrv) groups = qoima_registration_get_list (registration, "product-groups");

      data->bin = g_strdup (qoima_registration_get (registration, "bin"));
      data->organization = g_strdup (qoima_registration_get (registration, "full-name"));
      data->product_groups = g_strjoinv (",", groups);
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_save_registration_async);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  qoima_store_queue_write (self, save_job, task);
}

gboolean
qoima_store_save_registration_finish (QoimaStore    *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_save_registration_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
