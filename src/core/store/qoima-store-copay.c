/* qoima-store-copay.c: limit prices and dispensing by e-prescription in the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "qoima-store-copay.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "qoima-error.h"
#include "qoima-store-private.h"
#include "qoima-store-settings.h"

static gboolean
step_error (QoimaStoreWorker  *worker,
            QoimaDbStep        rc,
            GError           **error)
{
  qoima_store_worker_set_step_error (worker, rc, error);
  return FALSE;
}

/* Prices. */

typedef struct
{
  QoimaUser *user;
  GPtrArray *prices;
  char *at;
  QoimaPrescription *prescription;
  char *ki;
  gint64 price;
  char *fiscal_receipt;
  gint64 id;
  int year;
  int month;
  char *demo_actor;  /* the demo's: no user, and the pharmacy given */
  char *name;
  char *bin;
  char *region;
  char *form;
  char *dosage;
} CopayData;

static void
copay_data_free (CopayData *data)
{
  g_clear_object (&data->user);
  g_clear_pointer (&data->prices, g_ptr_array_unref);
  g_free (data->at);
  g_clear_pointer (&data->prescription, qoima_prescription_free);
  g_free (data->ki);
  g_free (data->fiscal_receipt);
  g_free (data->demo_actor);
  g_free (data->name);
  g_free (data->bin);
  g_free (data->region);
  g_free (data->form);
  g_free (data->dosage);
  g_free (data);
}

static gboolean
import_body (QoimaStoreWorker  *worker,
             GTask             *task,
             GError           **error)
{
  CopayData *data = g_task_get_task_data (task);
  g_autofree char *now = qoima_store_now_iso8601 ();

  for (guint i = 0; i < data->prices->len; i++)
    {
      const QoimaLimitPrice *price = g_ptr_array_index (data->prices, i);
      g_autoptr(QoimaDbStmt) stmt = NULL;

      stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                               "INSERT INTO copay_limit_prices (inn, form, dosage, unit, price, valid_from, "
                               "  imported_at, imported_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                               "ON CONFLICT (inn, form, dosage, valid_from) DO UPDATE SET unit = excluded.unit, "
                               "  price = excluded.price, imported_at = excluded.imported_at, "
                               "  imported_by = excluded.imported_by",
                               error);
      if (stmt == NULL)
        return FALSE;
      qoima_db_bind_text (stmt, 1, price->inn);
      qoima_db_bind_text (stmt, 2, price->form);
      qoima_db_bind_text (stmt, 3, price->dosage);
      qoima_db_bind_text (stmt, 4, price->unit);
      qoima_db_bind_int64 (stmt, 5, price->price);
      qoima_db_bind_text (stmt, 6, price->valid_from);
      qoima_db_bind_text (stmt, 7, now);
      qoima_db_bind_text (stmt, 8, qoima_store_worker_get_actor (worker));
      if (!qoima_db_step_done (stmt, error))
        return FALSE;
    }
  return TRUE;
}

static void
import_job (QoimaStoreWorker *worker,
            GTask            *task)
{
  CopayData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  /* The administrator loads the Ministry's list. */
  if (data->demo_actor == NULL && !qoima_user_check (data->user, QOIMA_PERMISSION_MANAGE_LOCATIONS, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_store_worker_set_actor (worker, data->user ? qoima_user_get_name (data->user) : data->demo_actor, "limit prices");
  if (!qoima_store_worker_in_transaction (worker, task, import_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_int (task, data->prices->len);
}

void
qoima_store_copay_import_prices_async (QoimaStore          *self,
                                       QoimaUser           *user,
                                       GPtrArray           *prices,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  CopayData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (prices != NULL);

  data = g_new0 (CopayData, 1);
  data->user = user ? g_object_ref (user) : NULL;
  data->prices = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_limit_price_free);
  for (guint i = 0; i < prices->len; i++)
    g_ptr_array_add (data->prices, qoima_limit_price_copy (g_ptr_array_index (prices, i)));
  qoima_store_queue_write (self, import_job,
                           qoima_store_task_new (self, qoima_store_copay_import_prices_async, data,
                                                 (GDestroyNotify) copay_data_free, cancellable, callback, user_data));
}

int
qoima_store_copay_import_prices_finish (QoimaStore    *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_copay_import_prices_async), -1);
  return (int) g_task_propagate_int (G_TASK (result), error);
}

static GPtrArray *
load_prices (QoimaStoreWorker  *worker,
             GError           **error)
{
  g_autoptr(GPtrArray) prices = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_limit_price_free);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT inn, form, dosage, unit, price, valid_from FROM copay_limit_prices "
                           "ORDER BY valid_from, id",
                           error);
  if (stmt == NULL)
    return NULL;
  while ((rc = qoima_db_step (stmt, error)) == QOIMA_DB_ROW)
    {
      QoimaLimitPrice *price = g_new0 (QoimaLimitPrice, 1);

      price->inn = qoima_store_column_dup (stmt, 0);
      price->form = qoima_store_column_dup (stmt, 1);
      price->dosage = qoima_store_column_dup (stmt, 2);
      price->unit = qoima_store_column_dup (stmt, 3);
      price->price = qoima_db_column_int64 (stmt, 4);
      price->valid_from = qoima_store_column_dup (stmt, 5);
      g_ptr_array_add (prices, price);
    }
  if (rc != QOIMA_DB_DONE)
    {
      step_error (worker, rc, error);
      return NULL;
    }
  return g_steal_pointer (&prices);
}

static void
list_prices_job (QoimaStoreWorker *worker,
                 GTask            *task)
{
  g_autoptr(GError) local_error = NULL;
  GPtrArray *prices = load_prices (worker, &local_error);

  if (prices == NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, prices, (GDestroyNotify) g_ptr_array_unref);
}

void
qoima_store_copay_list_prices_async (QoimaStore          *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_STORE (self));

  qoima_store_queue_job (self, list_prices_job,
                         qoima_store_task_new (self, qoima_store_copay_list_prices_async, NULL, NULL,
                                               cancellable, callback, user_data));
}

GPtrArray *
qoima_store_copay_list_prices_finish (QoimaStore    *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_copay_list_prices_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Dispensing. */

static gboolean
same_text (const char *a,
           const char *b)
{
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  fa = g_utf8_casefold (a, -1);
  fb = g_utf8_casefold (b, -1);
  return g_str_equal (fa, fb);
}

static gboolean
find_patient (QoimaStoreWorker  *worker,
              const char        *iin,
              const char        *now,
              gint64            *id,
              GError           **error)
{
  g_autoptr(QoimaDbStmt) find = qoima_db_prepare (qoima_store_worker_get_db (worker), "SELECT id FROM patients WHERE iin = ?1", error);
  g_autoptr(QoimaDbStmt) add = NULL;
  QoimaDbStep rc;

  if (find == NULL)
    return FALSE;
  qoima_db_bind_text (find, 1, iin);
  rc = qoima_db_step (find, error);
  if (rc == QOIMA_DB_ROW)
    {
      *id = qoima_db_column_int64 (find, 0);
      return TRUE;
    }
  if (rc != QOIMA_DB_DONE)
    return step_error (worker, rc, error);
  add = qoima_db_prepare (qoima_store_worker_get_db (worker), "INSERT INTO patients (iin, created_at) VALUES (?1, ?2) RETURNING id", error);
  if (add == NULL)
    return FALSE;
  qoima_db_bind_text (add, 1, iin);
  qoima_db_bind_text (add, 2, now);
  *id = qoima_db_step_id (add, error);
  return *id > 0;
}

static gboolean
dispense_body (QoimaStoreWorker  *worker,
               GTask             *task,
               GError           **error)
{
  CopayData *data = g_task_get_task_data (task);
  const QoimaPrescription *rx = data->prescription;
  g_autofree char *now = qoima_store_now_iso8601 ();
  const char *at = data->at ? data->at : now;
  g_autofree char *day = g_strndup (at, 10);
  g_autoptr(QoimaDbStmt) pack = NULL;
  g_autoptr(GPtrArray) prices = NULL;
  g_autofree char *organization = NULL;
  g_autofree char *bin = NULL;
  g_autofree char *region = NULL;
  const QoimaLimitPrice *limit;
  gint64 pack_id, location_id, patient_id, movement_id;
  g_autofree char *status = NULL;
  g_autofree char *inn = NULL;
  g_autofree char *form = NULL;
  g_autofree char *dosage = NULL;
  g_autofree char *trade_name = NULL;
  g_autofree char *expiry = NULL;
  int units_left;
  QoimaDbStep rc;

  pack = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT pk.id, pk.status, pk.location_id, coalesce (pk.units_left, p.units_per_pack, 1), "
                           "  p.inn, p.form, p.dosage, p.name_ru, pk.expiry, "
                           "  EXISTS (SELECT 1 FROM withdrawals_owed w WHERE w.pack_id = pk.id) "
                           "FROM packs pk JOIN products p ON p.gtin = pk.gtin WHERE pk.ki = ?1",
                           error);
  if (pack == NULL)
    return FALSE;
  qoima_db_bind_text (pack, 1, data->ki);
  rc = qoima_db_step (pack, error);
  if (rc == QOIMA_DB_DONE)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                   _("The code %s is not one of the hospital's packs."), data->ki);
      return FALSE;
    }
  if (rc != QOIMA_DB_ROW)
    return step_error (worker, rc, error);
  pack_id = qoima_db_column_int64 (pack, 0);
  status = qoima_store_column_dup (pack, 1);
  location_id = qoima_db_column_int64 (pack, 2);
  units_left = (int) qoima_db_column_int64 (pack, 3);
  inn = qoima_store_column_dup (pack, 4);
  form = qoima_store_column_dup (pack, 5);
  dosage = qoima_store_column_dup (pack, 6);
  trade_name = qoima_store_column_dup (pack, 7);
  expiry = qoima_store_column_dup (pack, 8);

  /* A co-payment pack goes whole to the patient: one marking code, one registry row. */
  if (g_strcmp0 (status, "in_stock") != 0 || (int) qoima_db_column_int64 (pack, 9) != 0)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The pack %s of %s cannot be dispensed: only a whole pack in stock can."), data->ki, trade_name);
      return FALSE;
    }
  if (expiry != NULL && strcmp (expiry, day) < 0)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The pack %s of %s has expired."), data->ki, trade_name);
      return FALSE;
    }
  /* R002-3: supplied by INN, form and dosage, whatever the trade name. */
  if (!same_text (inn, rx->inn) || !same_text (form, rx->form) || !same_text (dosage, rx->dosage))
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The pack %s of %s is not what the prescription names: %s, %s, %s."),
                   data->ki, trade_name, rx->inn, rx->form, rx->dosage);
      return FALSE;
    }

  prices = load_prices (worker, error);
  if (prices == NULL)
    return FALSE;
  limit = qoima_limit_prices_lookup (prices, rx->inn, rx->form, rx->dosage, day);
  if (limit == NULL)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("No limit price of %s, %s, %s is in force on %s: load the limit prices first."),
                   rx->inn, rx->form, rx->dosage, day);
      return FALSE;
    }

  organization = data->name ? g_strdup (data->name)
                            : qoima_store_worker_get_setting (worker, QOIMA_SETTING_ORGANIZATION, error);
  if (organization == NULL && error != NULL && *error != NULL)
    return FALSE;
  bin = data->bin ? g_strdup (data->bin) : qoima_store_worker_get_setting (worker, QOIMA_SETTING_COPAY_BIN, error);
  if (bin == NULL && error != NULL && *error != NULL)
    return FALSE;
  region = data->region ? g_strdup (data->region)
                        : qoima_store_worker_get_setting (worker, QOIMA_SETTING_COPAY_REGION, error);
  if (region == NULL && error != NULL && *error != NULL)
    return FALSE;

  if (!find_patient (worker, rx->patient_iin, now, &patient_id, error))
    return FALSE;

  {
    g_autoptr(QoimaDbStmt) move = NULL;

    move = qoima_db_prepare (qoima_store_worker_get_db (worker),
                             "INSERT INTO movements (pack_id, at, actor, kind, from_location, units_delta, "
                             "  units_after, status_after, location_after, patient_id) "
                             "VALUES (?1, ?2, ?3, 'use', ?4, ?5, 0, 'used_up', ?4, ?6) RETURNING id",
                             error);
    if (move == NULL)
      return FALSE;
    qoima_db_bind_int64 (move, 1, pack_id);
    qoima_db_bind_text (move, 2, at);
    qoima_db_bind_text (move, 3, qoima_store_worker_get_actor (worker));
    qoima_db_bind_int64 (move, 4, location_id);
    qoima_db_bind_int64 (move, 5, -units_left);
    qoima_db_bind_int64 (move, 6, patient_id);
    movement_id = qoima_db_step_id (move, error);
    if (movement_id < 0)
      return FALSE;
  }

  {
    g_autoptr(QoimaDbStmt) owe = NULL;

    /* R002-4: the dispensed pack's marking code leaves circulation in ИС МПТ, sold to the
     * patient (not a medical use): owed as a used-up pack's is, and signed and sent from
     * the outbox in a document of its own reason. */
    owe = qoima_db_prepare (qoima_store_worker_get_db (worker),
                            "INSERT INTO withdrawals_owed (pack_id, reason, owed_at) VALUES (?1, 'DISPENSED', ?2)",
                            error);
    if (owe == NULL)
      return FALSE;
    qoima_db_bind_int64 (owe, 1, pack_id);
    qoima_db_bind_text (owe, 2, now);
    if (!qoima_db_step_done (owe, error))
      return FALSE;
  }

  {
    g_autoptr(QoimaDbStmt) row = NULL;

    row = qoima_db_prepare (qoima_store_worker_get_db (worker),
                            "INSERT INTO copay_dispensings (pack_id, movement_id, prescription_number, "
                            "  prescription_date, patient_iin, icd10, inn, form, dosage, quantity, trade_name, "
                            "  unit, price, limit_per_unit, fiscal_receipt, pharmacy_name, pharmacy_bin, region, "
                            "  dispensed_at, dispensed_by) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
                            "  ?18, ?19, ?20) RETURNING id",
                            error);
    if (row == NULL)
      return FALSE;
    qoima_db_bind_int64 (row, 1, pack_id);
    qoima_db_bind_int64 (row, 2, movement_id);
    qoima_db_bind_text (row, 3, rx->number);
    qoima_db_bind_text (row, 4, rx->date);
    qoima_db_bind_text (row, 5, rx->patient_iin);
    qoima_db_bind_text (row, 6, rx->icd10);
    qoima_db_bind_text (row, 7, rx->inn);
    qoima_db_bind_text (row, 8, rx->form);
    qoima_db_bind_text (row, 9, rx->dosage);
    qoima_db_bind_int64 (row, 10, units_left);
    qoima_db_bind_text (row, 11, trade_name);
    qoima_db_bind_text (row, 12, limit->unit);
    qoima_db_bind_int64 (row, 13, data->price);
    qoima_db_bind_int64 (row, 14, limit->price);
    qoima_db_bind_text (row, 15, data->fiscal_receipt);
    qoima_db_bind_text (row, 16, organization ? organization : "");
    qoima_db_bind_text (row, 17, bin ? bin : "");
    qoima_db_bind_text (row, 18, region ? region : "");
    qoima_db_bind_text (row, 19, at);
    qoima_db_bind_text (row, 20, qoima_store_worker_get_actor (worker));
    data->id = qoima_db_step_id (row, error);
    if (data->id < 0)
      return FALSE;
  }
  return TRUE;
}

static void
dispense_job (QoimaStoreWorker *worker,
              GTask            *task)
{
  CopayData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  /* The pharmacy point's clerk dispenses (a nurse logs use in her ward, not sales). */
  if (data->demo_actor == NULL && !qoima_user_check (data->user, QOIMA_PERMISSION_DISPENSE, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_store_worker_set_actor (worker, data->user ? qoima_user_get_name (data->user) : data->demo_actor,
                                "co-payment dispensing");
  if (!qoima_store_worker_in_transaction (worker, task, dispense_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    qoima_task_return_int64 (task, data->id);
}

static QoimaPrescription *
prescription_copy (const QoimaPrescription *rx)
{
  QoimaPrescription *copy = g_new0 (QoimaPrescription, 1);

  copy->number = g_strdup (rx->number);
  copy->date = g_strdup (rx->date);
  copy->patient_iin = g_strdup (rx->patient_iin);
  copy->icd10 = g_strdup (rx->icd10);
  copy->inn = g_strdup (rx->inn);
  copy->form = g_strdup (rx->form);
  copy->dosage = g_strdup (rx->dosage);
  copy->quantity = rx->quantity;
  return copy;
}

void
qoima_store_copay_dispense_async (QoimaStore               *self,
                                  QoimaUser                *user,
                                  const QoimaPrescription  *prescription,
                                  const char               *ki,
                                  gint64                    price,
                                  const char               *fiscal_receipt,
                                  const char               *at,
                                  GCancellable             *cancellable,
                                  GAsyncReadyCallback       callback,
                                  gpointer                  user_data)
{
  CopayData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (prescription != NULL && ki != NULL && fiscal_receipt != NULL);
  g_return_if_fail (price >= 0);

  data = g_new0 (CopayData, 1);
  data->user = user ? g_object_ref (user) : NULL;
  data->prescription = prescription_copy (prescription);
  data->ki = g_strdup (ki);
  data->price = price;
  data->fiscal_receipt = g_strdup (fiscal_receipt);
  data->at = g_strdup (at);
  qoima_store_queue_write (self, dispense_job,
                           qoima_store_task_new (self, qoima_store_copay_dispense_async, data,
                                                 (GDestroyNotify) copay_data_free, cancellable, callback, user_data));
}

void
qoima_store_copay_demo_dispense_async (QoimaStore               *self,
                                       const char               *actor,
                                       const char               *name,
                                       const char               *bin,
                                       const char               *region,
                                       const QoimaPrescription  *prescription,
                                       const char               *ki,
                                       gint64                    price,
                                       const char               *fiscal_receipt,
                                       const char               *at,
                                       GCancellable             *cancellable,
                                       GAsyncReadyCallback       callback,
                                       gpointer                  user_data)
{
  CopayData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (actor != NULL && prescription != NULL && ki != NULL && fiscal_receipt != NULL);

  data = g_new0 (CopayData, 1);
  data->demo_actor = g_strdup (actor);
  data->name = g_strdup (name);
  data->bin = g_strdup (bin);
  data->region = g_strdup (region);
  data->prescription = prescription_copy (prescription);
  data->ki = g_strdup (ki);
  data->price = price;
  data->fiscal_receipt = g_strdup (fiscal_receipt);
  data->at = g_strdup (at);
  /* The same source tag: finished with qoima_store_copay_dispense_finish(). */
  qoima_store_queue_write (self, dispense_job,
                           qoima_store_task_new (self, qoima_store_copay_dispense_async, data,
                                                 (GDestroyNotify) copay_data_free, cancellable, callback, user_data));
}

void
qoima_store_copay_demo_import_prices_async (QoimaStore          *self,
                                            const char          *actor,
                                            GPtrArray           *prices,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  CopayData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (actor != NULL && prices != NULL);

  data = g_new0 (CopayData, 1);
  data->demo_actor = g_strdup (actor);
  data->prices = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_limit_price_free);
  for (guint i = 0; i < prices->len; i++)
    g_ptr_array_add (data->prices, qoima_limit_price_copy (g_ptr_array_index (prices, i)));
  qoima_store_queue_write (self, import_job,
                           qoima_store_task_new (self, qoima_store_copay_import_prices_async, data,
                                                 (GDestroyNotify) copay_data_free, cancellable, callback, user_data));
}

static void
matching_job (QoimaStoreWorker *worker,
              GTask            *task)
{
  CopayData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) kis = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT pk.ki, p.inn, p.form, p.dosage FROM packs pk JOIN products p ON p.gtin = pk.gtin "
                           "WHERE pk.status = 'in_stock' AND p.inn IS NOT NULL "
                           "  AND NOT EXISTS (SELECT 1 FROM withdrawals_owed w WHERE w.pack_id = pk.id) "
                           "  AND (pk.expiry IS NULL OR pk.expiry >= ?1) "
                           "ORDER BY coalesce (pk.expiry, '9999'), pk.id",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  /* An expired pack is not offered: it could not be dispensed. */
  qoima_db_bind_text (stmt, 1, data->at);
  while ((rc = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      /* Compared without case in C: SQLite's lower() knows no Cyrillic. */
      if (same_text (qoima_db_column_text (stmt, 1), data->prescription->inn) &&
          same_text (qoima_db_column_text (stmt, 2), data->form) &&
          same_text (qoima_db_column_text (stmt, 3), data->dosage))
        g_ptr_array_add (kis, qoima_store_column_dup (stmt, 0));
    }
  if (rc != QOIMA_DB_DONE)
    {
      step_error (worker, rc, &local_error);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_ptr_array_add (kis, NULL);
  g_task_return_pointer (task, g_ptr_array_steal (kis, NULL), (GDestroyNotify) g_strfreev);
}

void
qoima_store_copay_matching_packs_async (QoimaStore          *self,
                                        const char          *inn,
                                        const char          *form,
                                        const char          *dosage,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  CopayData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (inn != NULL && form != NULL && dosage != NULL);

  data = g_new0 (CopayData, 1);
  data->prescription = g_new0 (QoimaPrescription, 1);
  data->prescription->inn = g_strdup (inn);
  data->form = g_strdup (form);
  data->dosage = g_strdup (dosage);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    data->at = g_date_time_format (now, "%Y-%m-%d");
  }
  qoima_store_queue_job (self, matching_job,
                         qoima_store_task_new (self, qoima_store_copay_matching_packs_async, data,
                                               (GDestroyNotify) copay_data_free, cancellable, callback, user_data));
}

GStrv
qoima_store_copay_matching_packs_finish (QoimaStore    *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_copay_matching_packs_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gint64
qoima_store_copay_dispense_finish (QoimaStore    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_copay_dispense_async), -1);
  return qoima_task_propagate_int64 (G_TASK (result), -1, error);
}

/* The registry. */

static void
registry_job (QoimaStoreWorker *worker,
              GTask            *task)
{
  CopayData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_dispensing_free);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autofree char *prefix = g_strdup_printf ("%04d-%02d-%%", data->year, data->month);
  g_autofree char *organization = NULL;
  g_autofree char *bin = NULL;
  QoimaDbStep rc;

  organization = qoima_store_worker_get_setting (worker, QOIMA_SETTING_ORGANIZATION, &local_error);
  if (local_error == NULL)
    bin = qoima_store_worker_get_setting (worker, QOIMA_SETTING_COPAY_BIN, &local_error);
  if (local_error == NULL)
    stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                             "SELECT d.pharmacy_name, d.pharmacy_bin, d.region, d.icd10, d.patient_iin, "
                             "  d.prescription_number, d.prescription_date, d.inn, d.trade_name, d.dosage, "
                             "  d.form, d.unit, d.limit_per_unit, d.fiscal_receipt, pk.ki, d.quantity, d.price, "
                             "  d.dispensed_at "
                             "FROM copay_dispensings d JOIN packs pk ON pk.id = d.pack_id "
                             "WHERE d.dispensed_at LIKE ?1 ORDER BY d.dispensed_at, d.id",
                             &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_db_bind_text (stmt, 1, prefix);
  while ((rc = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      QoimaDispensing *d = g_new0 (QoimaDispensing, 1);

      d->pharmacy_name = qoima_store_column_dup (stmt, 0);
      d->pharmacy_bin = qoima_store_column_dup (stmt, 1);
      d->region = qoima_store_column_dup (stmt, 2);
      d->icd10 = qoima_store_column_dup (stmt, 3);
      d->patient_iin = qoima_store_column_dup (stmt, 4);
      d->prescription_number = qoima_store_column_dup (stmt, 5);
      d->prescription_date = qoima_store_column_dup (stmt, 6);
      d->inn = qoima_store_column_dup (stmt, 7);
      d->trade_name = qoima_store_column_dup (stmt, 8);
      d->dosage = qoima_store_column_dup (stmt, 9);
      d->form = qoima_store_column_dup (stmt, 10);
      d->unit = qoima_store_column_dup (stmt, 11);
      d->limit_per_unit = qoima_db_column_int64 (stmt, 12);
      d->fiscal_receipt = qoima_store_column_dup (stmt, 13);
      d->ki = qoima_store_column_dup (stmt, 14);
      d->quantity = qoima_db_column_int64 (stmt, 15);
      d->price = qoima_db_column_int64 (stmt, 16);
      d->dispensed_at = qoima_store_column_dup (stmt, 17);
      g_ptr_array_add (rows, d);
    }
  if (rc != QOIMA_DB_DONE)
    {
      step_error (worker, rc, &local_error);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  /* Unset settings: the supplier as the month's rows name it. */
  if (organization == NULL && rows->len > 0)
    organization = g_strdup (((QoimaDispensing *) g_ptr_array_index (rows, 0))->pharmacy_name);
  if (bin == NULL && rows->len > 0)
    bin = g_strdup (((QoimaDispensing *) g_ptr_array_index (rows, 0))->pharmacy_bin);
  g_task_return_pointer (task,
                         qoima_copay_registry_new (data->year, data->month, organization, bin, rows),
                         (GDestroyNotify) qoima_copay_registry_free);
}

void
qoima_store_copay_registry_async (QoimaStore          *self,
                                  int                  year,
                                  int                  month,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  CopayData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (month >= 1 && month <= 12);

  data = g_new0 (CopayData, 1);
  data->year = year;
  data->month = month;
  qoima_store_queue_job (self, registry_job,
                         qoima_store_task_new (self, qoima_store_copay_registry_async, data,
                                               (GDestroyNotify) copay_data_free, cancellable, callback, user_data));
}

QoimaCopayRegistry *
qoima_store_copay_registry_finish (QoimaStore    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_copay_registry_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
