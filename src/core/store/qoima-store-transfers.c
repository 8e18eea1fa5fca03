/* qoima-store-transfers.c: transfer documents (packs moved to a ward) and units per pack,
 * as the store keeps them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-store-transfers.h"

#include "qoima-store-private.h"
#include "qoima-transfer-private.h"

#include <glib/gi18n.h>

/* The columns transfer_from_row() reads. */
#define TRANSFER_SELECT \
  "SELECT t.number, t.created_at, t.actor, lf.name_ru, lt.name_ru, t.to_location, " \
  "  (SELECT count (*) FROM movements m WHERE m.document = t.number AND m.kind = 'transfer'), " \
  "  coalesce (nullif (u.full_name, ''), t.actor) " \
  "FROM transfers t LEFT JOIN locations lf ON lf.id = t.from_location " \
  "  JOIN locations lt ON lt.id = t.to_location " \
  "  LEFT JOIN users u ON u.name = t.actor "

static QoimaTransfer *
transfer_from_row (QoimaDbStmt *stmt)
{
  QoimaTransfer *self = g_object_new (QOIMA_TYPE_TRANSFER, NULL);

  self->number = qoima_store_column_dup (stmt, 0);
  self->created_at = qoima_store_column_dup (stmt, 1);
  self->actor = qoima_store_column_dup (stmt, 2);
  self->from = qoima_store_column_dup (stmt, 3);
  self->to = qoima_store_column_dup (stmt, 4);
  self->to_id = qoima_db_column_int64 (stmt, 5);
  self->n_packs = qoima_db_column_int64 (stmt, 6);
  self->actor_name = qoima_store_column_dup (stmt, 7);
  return self;
}

/* Loading one document. */

static gboolean
load_lines (QoimaStoreWorker  *worker,
            QoimaTransfer     *transfer,
            GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(GPtrArray) codes = NULL;
  QoimaTransferLine *line = NULL;
  QoimaDbStep next;

  /* NULLS FIRST: SQLite's order, which PostgreSQL's reverses. */
  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT p.gtin, p.name_ru, pk.batch, pk.expiry, pk.ki "
                           "FROM movements m JOIN packs pk ON pk.id = m.pack_id "
                           "  JOIN products p ON p.gtin = pk.gtin "
                           "WHERE m.document = ?1 AND m.kind = 'transfer' "
                           "ORDER BY p.name_ru, p.gtin, pk.batch NULLS FIRST, pk.expiry NULLS FIRST, pk.ki",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, transfer->number);

  while ((next = qoima_db_step (stmt, error)) == QOIMA_DB_ROW)
    {
      const char *gtin = qoima_db_column_text (stmt, 0);
      const char *batch = qoima_db_column_text (stmt, 2);
      const char *expiry = qoima_db_column_text (stmt, 3);

      if (line == NULL || g_strcmp0 (line->gtin, gtin) != 0 ||
          g_strcmp0 (line->batch, batch) != 0 || g_strcmp0 (line->expiry, expiry) != 0)
        {
          if (line != NULL)
            {
              g_ptr_array_add (codes, NULL);
              line->codes = (GStrv) g_ptr_array_free (g_steal_pointer (&codes), FALSE);
            }
          line = g_new0 (QoimaTransferLine, 1);
          line->gtin = g_strdup (gtin);
          line->product_name = qoima_store_column_dup (stmt, 1);
          line->batch = g_strdup (batch);
          line->expiry = g_strdup (expiry);
          g_ptr_array_add (transfer->lines, line);
          codes = g_ptr_array_new_with_free_func (g_free);
        }
      g_ptr_array_add (codes, qoima_store_column_dup (stmt, 4));
      line->count++;
    }
  if (line != NULL)
    {
      g_ptr_array_add (codes, NULL);
      line->codes = (GStrv) g_ptr_array_free (g_steal_pointer (&codes), FALSE);
    }

  return next == QOIMA_DB_DONE;
}

static void
load_job (QoimaStoreWorker *worker,
          GTask            *task)
{
  const char *number = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(QoimaTransfer) transfer = NULL;
  g_autoptr(GError) local_error = NULL;
  QoimaDbStep found;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), TRANSFER_SELECT "WHERE t.number = ?1", &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_db_bind_text (stmt, 1, number);
  found = qoima_db_step (stmt, &local_error);
  if (found == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  if (found == QOIMA_DB_DONE)
    {
      g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                               _("There is no transfer document %s."), number);
      return;
    }
  transfer = transfer_from_row (stmt);
  g_clear_pointer (&stmt, qoima_db_stmt_release);

  if (!load_lines (worker, transfer, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, g_steal_pointer (&transfer), g_object_unref);
}

void
qoima_store_load_transfer_async (QoimaStore          *self,
                                 const char          *number,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (number != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_load_transfer_async);
  g_task_set_task_data (task, g_strdup (number), g_free);
  qoima_store_queue_job (self, load_job, task);
}

QoimaTransfer *
qoima_store_load_transfer_finish (QoimaStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_load_transfer_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The list. */

static void
list_job (QoimaStoreWorker *worker,
          GTask            *task)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(GListStore) transfers = g_list_store_new (QOIMA_TYPE_TRANSFER);
  g_autoptr(GError) local_error = NULL;
  QoimaDbStep next;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), TRANSFER_SELECT "ORDER BY t.id DESC", &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  while ((next = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      g_autoptr(QoimaTransfer) transfer = transfer_from_row (stmt);

      g_list_store_append (transfers, transfer);
    }
  if (next == QOIMA_DB_ERROR_STEP)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, g_steal_pointer (&transfers), g_object_unref);
}

void
qoima_store_list_transfers_async (QoimaStore          *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_list_transfers_async);
  qoima_store_queue_job (self, list_job, task);
}

GListModel *
qoima_store_list_transfers_finish (QoimaStore    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_list_transfers_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Units per pack. */

typedef struct
{
  QoimaUser *user;
  char *gtin;
  int units;
} UnitsData;

static void
units_data_free (UnitsData *data)
{
  g_clear_object (&data->user);
  g_free (data->gtin);
  g_free (data);
}

static gboolean
set_units_body (QoimaStoreWorker  *worker,
                GTask             *task,
                GError           **error)
{
  UnitsData *data = g_task_get_task_data (task);
  g_autofree char *now = qoima_store_now_iso8601 ();
  g_autofree char *name = NULL;
  QoimaDb *db = qoima_store_worker_get_db (worker);
  int current = 0;
  gboolean opened = FALSE;
  QoimaDbStep found;

  {
    g_autoptr(QoimaDbStmt) find = NULL;

    /* A pack has been opened when it is open now (an opening balance brings some so) or
     * when a USE names it, whatever its status is now. */
    find = qoima_db_prepare (db,
                             "SELECT p.units_per_pack, p.name_ru, "
                             "  EXISTS (SELECT 1 FROM packs pk WHERE pk.gtin = p.gtin AND pk.status = 'opened') "
                             "  OR EXISTS (SELECT 1 FROM packs pk JOIN movements m ON m.pack_id = pk.id "
                             "             WHERE pk.gtin = p.gtin AND m.kind = 'use') "
                             "FROM products p WHERE p.gtin = ?1",
                             error);
    if (find == NULL)
      return FALSE;
    qoima_db_bind_text (find, 1, data->gtin);
    found = qoima_db_step (find, error);
    if (found == QOIMA_DB_ERROR_STEP)
      return FALSE;
    if (found == QOIMA_DB_DONE)
      {
        g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                     _("There is no product with the GTIN %s."), data->gtin);
        return FALSE;
      }
    current = qoima_db_column_int64 (find, 0);
    name = qoima_store_column_dup (find, 1);
    opened = qoima_db_column_int64 (find, 2) != 0;
  }

  if (opened && current != data->units)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The units per pack of %s stay %d: a pack of it has already been opened."),
                   name, current);
      return FALSE;
    }

  {
    g_autoptr(QoimaDbStmt) update = NULL;

    update = qoima_db_prepare (db,
                               "UPDATE products SET units_per_pack = ?2 "
                               "WHERE gtin = ?1 AND units_per_pack IS DISTINCT FROM ?2",
                               error);
    if (update == NULL)
      return FALSE;
    qoima_db_bind_text (update, 1, data->gtin);
    qoima_db_bind_int64 (update, 2, data->units);
    if (!qoima_db_step_done (update, error))
      return FALSE;
  }

  /* Whole packs take the new count through the journal: their units change no other way. */
  {
    g_autoptr(QoimaDbStmt) correct = NULL;

    /* Typed: PostgreSQL does not take a parameter's type from INSERT's columns here. */
    correct = qoima_db_prepare (db,
                                "INSERT INTO movements (pack_id, at, actor, kind, from_location, units_delta, "
                                "  units_after, status_after, location_after, reason) "
                                "SELECT id, CAST (?2 AS TEXT), CAST (?3 AS TEXT), 'correction', location_id, "
                                "  CAST (?4 AS BIGINT) - coalesce (units_left, 0), "
                                "  CAST (?4 AS BIGINT), status, location_id, 'units per pack entered' "
                                "FROM packs WHERE gtin = ?1 AND status = 'in_stock' "
                                "  AND units_left IS DISTINCT FROM CAST (?4 AS BIGINT) "
                                "ORDER BY id",
                                error);
    if (correct == NULL)
      return FALSE;
    qoima_db_bind_text (correct, 1, data->gtin);
    qoima_db_bind_text (correct, 2, now);
    qoima_db_bind_text (correct, 3, qoima_user_get_name (data->user));
    qoima_db_bind_int64 (correct, 4, data->units);
    if (!qoima_db_step_done (correct, error))
      return FALSE;
  }

  return TRUE;
}

static void
set_units_job (QoimaStoreWorker *worker,
               GTask            *task)
{
  UnitsData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  if (!qoima_user_check (data->user, QOIMA_PERMISSION_MOVE_STOCK, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  if (data->units < 1)
    {
      g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               _("A pack holds at least one unit."));
      return;
    }

  qoima_store_worker_set_actor (worker, qoima_user_get_name (data->user), "units per pack entered");
  if (!qoima_store_worker_in_transaction (worker, task, set_units_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

void
qoima_store_set_units_per_pack_async (QoimaStore          *self,
                                      QoimaUser           *user,
                                      const char          *gtin,
                                      int                  units,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  UnitsData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (gtin != NULL);

  data = g_new0 (UnitsData, 1);
  data->user = user != NULL ? g_object_ref (user) : NULL;
  data->gtin = g_strdup (gtin);
  data->units = units;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_set_units_per_pack_async);
  g_task_set_task_data (task, data, (GDestroyNotify) units_data_free);
  qoima_store_queue_write (self, set_units_job, task);
}

gboolean
qoima_store_set_units_per_pack_finish (QoimaStore    *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_set_units_per_pack_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
