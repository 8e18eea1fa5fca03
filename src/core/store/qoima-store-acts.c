/* qoima-store-acts.c: incoming acts and their lines, as the store keeps them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-store-acts.h"

#include "qoima-act-private.h"
#include "qoima-store-outbox.h"
#include "qoima-store-private.h"

#include <glib/gi18n.h>
#include <string.h>

static void
list_act_lines_job (QoimaStoreWorker *worker,
                    GTask            *task)
{
  gint64 act_id = *(gint64 *) g_task_get_task_data (task);
  g_autoptr(GListStore) lines = g_list_store_new (QOIMA_TYPE_ACT_LINE);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep next;

  /* Boxes are counted through their packs (kind 'pack' rows carry the box as parent), so
   * a line counts each pack once whichever way it arrived. The name is grouped by too, as
   * PostgreSQL asks; a GTIN has one. */
  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT c.gtin, p.name_ru, count (*), count (c.scanned_at) "
                           "FROM act_codes c LEFT JOIN products p ON p.gtin = c.gtin "
                           "WHERE c.act_id = ?1 AND c.kind = 'pack' "
                           "GROUP BY c.gtin, p.name_ru ORDER BY coalesce (p.name_ru, c.gtin), c.gtin",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  qoima_db_bind_int64 (stmt, 1, act_id);
  while ((next = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      g_autoptr(QoimaActLine) line = NULL;

      line = qoima_act_line_new (qoima_db_column_text (stmt, 0), qoima_db_column_text (stmt, 1),
                                 qoima_db_column_int64 (stmt, 2), qoima_db_column_int64 (stmt, 3));
      g_list_store_append (lines, line);
    }

  if (next == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&lines), g_object_unref);
}

void
qoima_store_list_act_lines_async (QoimaStore          *self,
                                  gint64               act_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_list_act_lines_async);
  g_task_set_task_data (task, g_memdup2 (&act_id, sizeof act_id), g_free);
  qoima_store_queue_job (self, list_act_lines_job, task);
}

GListModel *
qoima_store_list_act_lines_finish (QoimaStore    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_list_act_lines_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
/* Jobs on the store's worker thread. */

static QoimaActCode *
act_code_copy (const QoimaActCode *code)
{
  QoimaActCode *copy = g_new0 (QoimaActCode, 1);

  copy->code = g_strdup (code->code);
  copy->gtin = g_strdup (code->gtin);
  copy->batch = g_strdup (code->batch);
  copy->expiry = g_strdup (code->expiry);
  copy->parent_sscc = g_strdup (code->parent_sscc);
  copy->is_box = code->is_box;
  return copy;
}

static void
act_code_free (QoimaActCode *code)
{
  g_free (code->code);
  g_free (code->gtin);
  g_free (code->batch);
  g_free (code->expiry);
  g_free (code->parent_sscc);
  g_free (code);
}

static QoimaIncomingAct *
incoming_act_new (void)
{
  QoimaIncomingAct *act = g_new0 (QoimaIncomingAct, 1);

  act->codes = g_ptr_array_new_with_free_func ((GDestroyNotify) act_code_free);
  return act;
}

static QoimaIncomingAct *
incoming_act_copy (const QoimaIncomingAct *act)
{
  QoimaIncomingAct *copy = incoming_act_new ();

  copy->ismpt_id = g_strdup (act->ismpt_id);
  copy->number = g_strdup (act->number);
  copy->doc_date = g_strdup (act->doc_date);
  copy->transfer_date = g_strdup (act->transfer_date);
  copy->sender_bin = g_strdup (act->sender_bin);
  copy->sender_name = g_strdup (act->sender_name);
  copy->receiver_bin = g_strdup (act->receiver_bin);
  copy->status = g_strdup (act->status);
  copy->n_packs = act->n_packs;
  for (guint i = 0; i < act->codes->len; i++)
    g_ptr_array_add (copy->codes, act_code_copy (g_ptr_array_index (act->codes, i)));
  return copy;
}

typedef struct {
  QoimaIncomingAct *act;
  GPtrArray *products;
  gint64 act_id; /* the saved act's, once saved */
} SaveData;

static void
save_data_free (SaveData *data)
{
  qoima_incoming_act_free (data->act);
  g_clear_pointer (&data->products, g_ptr_array_unref);
  g_free (data);
}

static gboolean
save_act (QoimaStoreWorker  *worker,
          SaveData          *data,
          gint64            *act_id,
          GError           **error)
{
  QoimaIncomingAct *act = data->act;
  QoimaDb *db = qoima_store_worker_get_db (worker);
  g_autofree char *now = qoima_store_now_iso8601 ();
  g_autofree char *deadline = NULL;
  GDate transfer;
  QoimaDbStmt *stmt;
  QoimaDbStep found;

  stmt = qoima_db_prepare (db, "SELECT id FROM acts WHERE ismpt_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  {
    g_autoptr(QoimaDbStmt) find = stmt;

    qoima_db_bind_text (find, 1, act->ismpt_id);
    found = qoima_db_step (find, error);
    if (found == QOIMA_DB_ERROR_STEP)
      return FALSE;
    if (found == QOIMA_DB_ROW)
      {
        *act_id = qoima_db_column_int64 (find, 0);
        return TRUE;
      }
  }

  /* Products first: the act's packs may enter stock only as known products. A card from
   * the catalog is used when there is one; otherwise the GTIN stands for the name until
   * the clerk completes it. Products already in the store are kept as they are. */
  stmt = qoima_db_prepare (db,
                           "INSERT INTO products (gtin, name_ru, name_kk, inn, form, dosage, manufacturer, units_per_pack) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (gtin) DO NOTHING",
                           error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; data->products != NULL && i < data->products->len; i++)
    {
      QoimaProduct *product = g_ptr_array_index (data->products, i);
      g_autoptr(QoimaDbStmt) insert = stmt;
      int units = qoima_product_get_units_per_pack (product);

      qoima_db_bind_text (insert, 1, qoima_product_get_gtin (product));
      qoima_db_bind_text (insert, 2, qoima_product_get_name_ru (product));
      qoima_db_bind_text (insert, 3, qoima_product_get_name_kk (product));
      qoima_db_bind_text (insert, 4, qoima_product_get_inn (product));
      qoima_db_bind_text (insert, 5, qoima_product_get_form (product));
      qoima_db_bind_text (insert, 6, qoima_product_get_dosage (product));
      qoima_db_bind_text (insert, 7, qoima_product_get_manufacturer (product));
      if (units > 0)
        qoima_db_bind_int64 (insert, 8, units);
      else
        qoima_db_bind_null (insert, 8);
      if (!qoima_db_step_done (insert, error))
        return FALSE;
    }
  for (guint i = 0; i < act->codes->len; i++)
    {
      const QoimaActCode *code = g_ptr_array_index (act->codes, i);
      g_autoptr(QoimaDbStmt) insert = NULL;

      if (code->is_box)
        continue;
      insert = stmt;
      qoima_db_bind_text (insert, 1, code->gtin);
      qoima_db_bind_text (insert, 2, code->gtin);
      if (!qoima_db_step_done (insert, error))
        return FALSE;
    }

  g_date_clear (&transfer, 1);
  g_date_set_parse (&transfer, act->transfer_date);
  if (g_date_valid (&transfer))
    {
      g_autoptr(GDate) last_day = qoima_act_deadline (&transfer);
      char text[16];

      g_date_strftime (text, sizeof text, "%Y-%m-%d", last_day);
      deadline = g_strdup (text);
    }

  stmt = qoima_db_prepare (db,
                           "INSERT INTO acts (ismpt_id, number, doc_date, received_at, sender_bin, sender_name, "
                           "  receiver_bin, status, deadline, transfer_date) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'waiting', ?8, ?9) RETURNING id",
                           error);
  if (stmt == NULL)
    return FALSE;
  {
    g_autoptr(QoimaDbStmt) insert = stmt;

    qoima_db_bind_text (insert, 1, act->ismpt_id);
    qoima_db_bind_text (insert, 2, act->number);
    qoima_db_bind_text (insert, 3, act->doc_date);
    qoima_db_bind_text (insert, 4, now);
    qoima_db_bind_text (insert, 5, act->sender_bin);
    qoima_db_bind_text (insert, 6, act->sender_name);
    qoima_db_bind_text (insert, 7, act->receiver_bin);
    qoima_db_bind_text (insert, 8, deadline);
    qoima_db_bind_text (insert, 9, act->transfer_date);
    if (qoima_db_step (insert, error) != QOIMA_DB_ROW)
      return FALSE;
    *act_id = qoima_db_column_int64 (insert, 0);
    if (!qoima_db_step_done (insert, error))
      return FALSE;
  }

  stmt = qoima_db_prepare (db,
                           "INSERT INTO act_codes (act_id, code, kind, parent_sscc, gtin, batch, expiry) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                           error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < act->codes->len; i++)
    {
      const QoimaActCode *code = g_ptr_array_index (act->codes, i);
      g_autoptr(QoimaDbStmt) insert = stmt;

      qoima_db_bind_int64 (insert, 1, *act_id);
      qoima_db_bind_text (insert, 2, code->code);
      qoima_db_bind_text (insert, 3, code->is_box ? "box" : "pack");
      qoima_db_bind_text (insert, 4, code->parent_sscc);
      qoima_db_bind_text (insert, 5, code->gtin);
      qoima_db_bind_text (insert, 6, code->batch);
      qoima_db_bind_text (insert, 7, code->expiry);
      if (!qoima_db_step_done (insert, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
save_act_body (QoimaStoreWorker  *worker,
               GTask             *task,
               GError           **error)
{
  SaveData *data = g_task_get_task_data (task);

  return save_act (worker, data, &data->act_id, error);
}

static void
save_act_job (QoimaStoreWorker *worker,
              GTask            *task)
{
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  /* Acts come from ИС МПТ through the sync, which names nobody: "system". */
  g_autofree char *reason = g_strdup_printf ("act %s", data->act->number);

  qoima_store_worker_set_actor (worker, NULL, reason);
  if (!qoima_store_worker_in_transaction (worker, task, save_act_body, &local_error))
    {
      g_prefix_error (&local_error, _("The act %s was not saved: "), data->act->number);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_task_return_int64 (task, data->act_id);
}

void
qoima_store_save_act_async (QoimaStore             *self,
                            const QoimaIncomingAct *act,
                            GPtrArray              *products,
                            GCancellable           *cancellable,
                            GAsyncReadyCallback     callback,
                            gpointer                user_data)
{
  GTask *task;
  SaveData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (act != NULL);

  data = g_new0 (SaveData, 1);
  data->act = incoming_act_copy (act);
  data->products = products ? g_ptr_array_ref (products) : NULL;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_save_act_async);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  qoima_store_queue_write (self, save_act_job, task);
}

gint64
qoima_store_save_act_finish (QoimaStore    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_save_act_async), 0);
  return qoima_task_propagate_int64 (G_TASK (result), 0, error);
}

static void
has_act_job (QoimaStoreWorker *worker,
             GTask            *task)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaDbStmt) find = qoima_db_prepare (qoima_store_worker_get_db (worker),
                                                  "SELECT 1 FROM acts WHERE ismpt_id = ?1", &local_error);
  QoimaDbStep found;

  if (find == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_db_bind_text (find, 1, g_task_get_task_data (task));
  found = qoima_db_step (find, &local_error);
  if (found == QOIMA_DB_ERROR_STEP)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, found == QOIMA_DB_ROW);
}

void
qoima_store_has_act_async (QoimaStore          *self,
                           const char          *ismpt_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (ismpt_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_has_act_async);
  g_task_set_task_data (task, g_strdup (ismpt_id), g_free);
  qoima_store_queue_job (self, has_act_job, task);
}

gboolean
qoima_store_has_act_finish (QoimaStore    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_has_act_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
list_acts_job (QoimaStoreWorker *worker,
               GTask            *task)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GListStore) acts = g_list_store_new (QOIMA_TYPE_ACT);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep next = QOIMA_DB_ERROR_STEP;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT a.id, a.ismpt_id, a.number, a.sender_bin, a.sender_name, a.doc_date, "
                           "  a.transfer_date, a.deadline, a.status, a.errors, "
                           "  (SELECT count (*) FROM act_codes c WHERE c.act_id = a.id AND c.kind = 'pack'), "
                           "  (SELECT count (*) FROM act_codes c WHERE c.act_id = a.id AND c.kind = 'pack' "
                           "     AND c.scanned_at IS NOT NULL), "
                           "  o.state, o.ismpt_status, o.errors, o.last_error, "
                           "  (SELECT count (*) FROM packs p WHERE p.act_id = a.id) "
                           "FROM acts a "
                           /* The latest answer: what the act's state in the outbox is. */
                           "LEFT JOIN outbox o ON o.id = (SELECT max (id) FROM outbox WHERE act_id = a.id) "
                           /* NULLS LAST: SQLite's order, which PostgreSQL's DESC reverses. */
                           "ORDER BY a.doc_date DESC NULLS LAST, a.id DESC",
                           &local_error);
  while (stmt != NULL && (next = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      g_autoptr(QoimaAct) act = g_object_new (QOIMA_TYPE_ACT, NULL);

      act->id = qoima_db_column_int64 (stmt, 0);
      act->ismpt_id = qoima_store_column_dup (stmt, 1);
      act->number = qoima_store_column_dup (stmt, 2);
      act->sender_bin = qoima_store_column_dup (stmt, 3);
      act->sender_name = qoima_store_column_dup (stmt, 4);
      act->doc_date = qoima_store_column_dup (stmt, 5);
      act->transfer_date = qoima_store_column_dup (stmt, 6);
      act->deadline = qoima_store_column_dup (stmt, 7);
      act->status = qoima_act_status_from_nick (qoima_db_column_text (stmt, 8));
      act->errors = qoima_store_column_dup (stmt, 9);
      act->packs = qoima_db_column_int64 (stmt, 10);
      act->scanned = qoima_db_column_int64 (stmt, 11);
      act->accepted = qoima_db_column_int64 (stmt, 16);
      if (act->status == QOIMA_ACT_STATUS_SENDING && !qoima_db_column_is_null (stmt, 12))
        {
          act->answer_state = qoima_document_state_get (qoima_db_column_text (stmt, 12),
                                                        qoima_db_column_text (stmt, 13));
          act->answer_reason = g_strdup (qoima_document_state_reason (act->answer_state,
                                                                      qoima_db_column_text (stmt, 14),
                                                                      qoima_db_column_text (stmt, 15)));
        }
      g_list_store_append (acts, act);
    }
  if (next == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&acts), g_object_unref);
}

void
qoima_store_list_acts_async (QoimaStore          *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_list_acts_async);
  qoima_store_queue_job (self, list_acts_job, task);
}

GListModel *
qoima_store_list_acts_finish (QoimaStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_list_acts_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  QoimaIncomingAct *act;
  GHashTable *scanned;
} LoadResult;

static void
load_result_free (LoadResult *result)
{
  qoima_incoming_act_free (result->act);
  g_clear_pointer (&result->scanned, g_hash_table_unref);
  g_free (result);
}

static void
load_act_job (QoimaStoreWorker *worker,
              GTask            *task)
{
  gint64 act_id = *(gint64 *) g_task_get_task_data (task);
  QoimaDb *db = qoima_store_worker_get_db (worker);
  g_autoptr(GError) local_error = NULL;
  LoadResult *result;
  QoimaDbStep next;

  {
    g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db,
                                                    "SELECT ismpt_id, number, doc_date, transfer_date, sender_bin, "
                                                    "  sender_name, receiver_bin, status "
                                                    "FROM acts WHERE id = ?1",
                                                    &local_error);

    if (stmt == NULL)
      {
        g_task_return_error (task, g_steal_pointer (&local_error));
        return;
      }
    qoima_db_bind_int64 (stmt, 1, act_id);
    next = qoima_db_step (stmt, &local_error);
    if (next == QOIMA_DB_ERROR_STEP)
      {
        g_task_return_error (task, g_steal_pointer (&local_error));
        return;
      }
    if (next == QOIMA_DB_DONE)
      {
        g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                                 _("There is no act number %lld in the warehouse."), (long long) act_id);
        return;
      }

    result = g_new0 (LoadResult, 1);
    result->act = incoming_act_new ();
    result->scanned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    result->act->ismpt_id = qoima_store_column_dup (stmt, 0);
    result->act->number = qoima_store_column_dup (stmt, 1);
    result->act->doc_date = qoima_store_column_dup (stmt, 2);
    result->act->transfer_date = qoima_store_column_dup (stmt, 3);
    result->act->sender_bin = qoima_store_column_dup (stmt, 4);
    result->act->sender_name = qoima_store_column_dup (stmt, 5);
    result->act->receiver_bin = qoima_store_column_dup (stmt, 6);
    result->act->status = qoima_store_column_dup (stmt, 7);
  }

  {
    g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db,
                                                    "SELECT code, kind, parent_sscc, gtin, batch, expiry, "
                                                    "  scanned_at IS NOT NULL "
                                                    "FROM act_codes WHERE act_id = ?1 ORDER BY id",
                                                    &local_error);

    if (stmt != NULL)
      qoima_db_bind_int64 (stmt, 1, act_id);
    next = QOIMA_DB_ERROR_STEP;
    while (stmt != NULL && (next = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
      {
        QoimaActCode *code = g_new0 (QoimaActCode, 1);

        code->code = qoima_store_column_dup (stmt, 0);
        code->is_box = g_strcmp0 (qoima_db_column_text (stmt, 1), "box") == 0;
        code->parent_sscc = qoima_store_column_dup (stmt, 2);
        code->gtin = qoima_store_column_dup (stmt, 3);
        code->batch = qoima_store_column_dup (stmt, 4);
        code->expiry = qoima_store_column_dup (stmt, 5);
        if (!code->is_box)
          result->act->n_packs++;
        if (qoima_db_column_int64 (stmt, 6))
          g_hash_table_add (result->scanned, g_strdup (code->code));
        g_ptr_array_add (result->act->codes, code);
      }
  }
  if (next == QOIMA_DB_ERROR_STEP)
    {
      load_result_free (result);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

void
qoima_store_load_act_async (QoimaStore          *self,
                            gint64               act_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (act_id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_load_act_async);
  g_task_set_task_data (task, g_memdup2 (&act_id, sizeof act_id), g_free);
  qoima_store_queue_job (self, load_act_job, task);
}

QoimaIncomingAct *
qoima_store_load_act_finish (QoimaStore    *self,
                             GAsyncResult  *result,
                             GHashTable   **scanned,
                             GError       **error)
{
  LoadResult *loaded;
  QoimaIncomingAct *act;

  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_load_act_async), NULL);

  loaded = g_task_propagate_pointer (G_TASK (result), error);
  if (loaded == NULL)
    return NULL;
  act = g_steal_pointer (&loaded->act);
  if (scanned != NULL)
    *scanned = g_steal_pointer (&loaded->scanned);
  load_result_free (loaded);
  return act;
}

typedef struct {
  gint64 act_id;
  char *code;
  QoimaActScan scan;
  int n_packs;
} MarkData;

static void
mark_data_free (MarkData *data)
{
  g_free (data->code);
  g_free (data);
}

static gboolean
mark_code (QoimaStoreWorker  *worker,
           MarkData          *data,
           GError           **error)
{
  QoimaDb *db = qoima_store_worker_get_db (worker);
  g_autofree char *now = qoima_store_now_iso8601 ();
  gboolean is_box;
  gboolean was_scanned;
  QoimaDbStmt *stmt;
  QoimaDbStep found;

  stmt = qoima_db_prepare (db,
                           "SELECT kind, scanned_at IS NOT NULL FROM act_codes WHERE act_id = ?1 AND code = ?2",
                           error);
  if (stmt == NULL)
    return FALSE;
  {
    g_autoptr(QoimaDbStmt) find = stmt;

    qoima_db_bind_int64 (find, 1, data->act_id);
    qoima_db_bind_text (find, 2, data->code);
    found = qoima_db_step (find, error);
    if (found == QOIMA_DB_ERROR_STEP)
      return FALSE;
    if (found == QOIMA_DB_DONE)
      {
        data->scan = QOIMA_ACT_SCAN_NOT_IN_ACT;
        return TRUE;
      }
    is_box = g_strcmp0 (qoima_db_column_text (find, 0), "box") == 0;
    was_scanned = qoima_db_column_int64 (find, 1) != 0;
  }

  /* A box stands for its packs: scanning it marks every one of them. */
  stmt = qoima_db_prepare (db,
                           "UPDATE act_codes SET scanned_at = ?3 "
                           "WHERE act_id = ?1 AND (code = ?2 OR parent_sscc = ?2) AND scanned_at IS NULL",
                           error);
  if (stmt == NULL)
    return FALSE;
  {
    g_autoptr(QoimaDbStmt) update = stmt;

    qoima_db_bind_int64 (update, 1, data->act_id);
    qoima_db_bind_text (update, 2, data->code);
    qoima_db_bind_text (update, 3, now);
    if (!qoima_db_step_done (update, error))
      return FALSE;
  }

  if (is_box)
    {
      g_autoptr(QoimaDbStmt) count = NULL;

      count = qoima_db_prepare (db, "SELECT count (*) FROM act_codes WHERE act_id = ?1 AND parent_sscc = ?2", error);
      if (count == NULL)
        return FALSE;
      qoima_db_bind_int64 (count, 1, data->act_id);
      qoima_db_bind_text (count, 2, data->code);
      if (qoima_db_step (count, error) != QOIMA_DB_ROW)
        return FALSE;
      data->n_packs = qoima_db_column_int64 (count, 0);
    }
  else
    data->n_packs = 1;

  data->scan = was_scanned ? QOIMA_ACT_SCAN_AGAIN : QOIMA_ACT_SCAN_MARKED;
  return TRUE;
}

static gboolean
mark_code_body (QoimaStoreWorker  *worker,
                GTask             *task,
                GError           **error)
{
  return mark_code (worker, g_task_get_task_data (task), error);
}

static void
mark_act_code_job (QoimaStoreWorker *worker,
                   GTask            *task)
{
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, NULL, "act check");
  if (!qoima_store_worker_in_transaction (worker, task, mark_code_body, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
qoima_store_mark_act_code_async (QoimaStore          *self,
                                 gint64               act_id,
                                 const char          *code,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  MarkData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (act_id > 0);
  g_return_if_fail (code != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  data = g_new0 (MarkData, 1);
  data->act_id = act_id;
  data->code = g_strdup (code);
  g_task_set_source_tag (task, qoima_store_mark_act_code_async);
  g_task_set_task_data (task, data, (GDestroyNotify) mark_data_free);
  qoima_store_queue_write (self, mark_act_code_job, task);
}

QoimaActScan
qoima_store_mark_act_code_finish (QoimaStore    *self,
                                  GAsyncResult  *result,
                                  int          *n_packs,
                                  GError       **error)
{
  MarkData *data;

  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_mark_act_code_async),
                        QOIMA_ACT_SCAN_NOT_IN_ACT);

  data = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return QOIMA_ACT_SCAN_NOT_IN_ACT;
  if (n_packs != NULL)
    *n_packs = data->n_packs;
  return data->scan;
}
