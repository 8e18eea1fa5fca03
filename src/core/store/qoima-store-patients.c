/* qoima-store-patients.c: the patients a ward gave units to, as the store lists them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-store-patients.h"

#include "qoima-store-private.h"

typedef struct
{
  gint64 ward_id;
  int limit;
} RecentData;

static void
recent_job (QoimaStoreWorker *worker,
            GTask            *task)
{
  RecentData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GListStore) patients = g_list_store_new (QOIMA_TYPE_PATIENT);
  QoimaDbStep step;

  /* The latest use movement per patient in the ward; movements_patient keeps this to the
   * rows that name a patient. An undone use still counts: the patient was at hand. */
  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT p.id, p.iin, p.record_number, max (m.at), max (m.id) AS last "
                           "FROM movements m JOIN patients p ON p.id = m.patient_id "
                           "WHERE m.kind = 'use' AND m.from_location = ?1 "
                           "GROUP BY p.id ORDER BY last DESC LIMIT ?2",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_db_bind_int64 (stmt, 1, data->ward_id);
  qoima_db_bind_int64 (stmt, 2, data->limit);

  while ((step = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      g_autoptr(QoimaPatient) patient = NULL;

      patient = qoima_patient_new (qoima_db_column_int64 (stmt, 0), qoima_db_column_text (stmt, 1),
                                   qoima_db_column_text (stmt, 2), qoima_db_column_text (stmt, 3));
      g_list_store_append (patients, patient);
    }
  if (step == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&patients), g_object_unref);
}

void
qoima_store_list_recent_patients_async (QoimaStore          *self,
                                        gint64               ward_id,
                                        int                  limit,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  RecentData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (limit > 0);

  data = g_new0 (RecentData, 1);
  data->ward_id = ward_id;
  data->limit = limit;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_list_recent_patients_async);
  g_task_set_task_data (task, data, g_free);
  qoima_store_queue_job (self, recent_job, task);
}

GListModel *
qoima_store_list_recent_patients_finish (QoimaStore    *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_list_recent_patients_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
