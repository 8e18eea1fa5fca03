/* qoima-store-ledger.c: transfers to wards and per-unit use by nurses, with their guards
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-ledger"

#include "config.h"

#include "qoima-store-ledger.h"

#include "qoima-store-private.h"

#include <glib/gi18n.h>
#include <string.h>

#define RECORD_NUMBER_MAX 20

gboolean
qoima_iin_is_valid (const char *iin)
{
  int sum = 0;
  int check;

  if (iin == NULL || strlen (iin) != 12)
    return FALSE;
  for (int i = 0; i < 12; i++)
    if (!g_ascii_isdigit (iin[i]))
      return FALSE;

  for (int i = 0; i < 11; i++)
    sum += (i + 1) * (iin[i] - '0');
  check = sum % 11;
  if (check == 10)
    {
      /* The second pass: weights 3..11, then 1, 2. */
      sum = 0;
      for (int i = 0; i < 11; i++)
        sum += ((i + 2) % 11 + 1) * (iin[i] - '0');
      check = sum % 11;
      if (check == 10)
        return FALSE;
    }

  return check == iin[11] - '0';
}

static gboolean
is_all_digits (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

gboolean
qoima_patient_id_check (const char  *patient,
                        GError     **error)
{
  glong length;

  if (patient == NULL || *patient == '\0')
    {
      g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                           _("Enter the patient's IIN or medical record number."));
      return FALSE;
    }

  /* Twelve digits are an IIN, never a record number, so a mistyped IIN is caught. */
  if (strlen (patient) == 12 && is_all_digits (patient))
    {
      if (qoima_iin_is_valid (patient))
        return TRUE;
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The IIN %s is wrong: its check digit does not match."), patient);
      return FALSE;
    }

  if (!g_utf8_validate (patient, -1, NULL))
    length = -1;
  else
    length = g_utf8_strlen (patient, -1);
  for (const char *p = patient; length > 0 && *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isalnum (g_utf8_get_char (p)))
      length = -1;

  if (length < 1 || length > RECORD_NUMBER_MAX)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("“%s” is neither an IIN (12 digits) nor a medical record number "
                     "(1 to %d letters and digits)."),
                   patient, RECORD_NUMBER_MAX);
      return FALSE;
    }

  return TRUE;
}

void
qoima_use_result_free (QoimaUseResult *result)
{
  g_free (result);
}

/* Today, as pack expiry dates are written: a pack expiring today may still be used. */
static char *
today_iso8601 (void)
{
  g_autoptr(GDateTime) now = qoima_store_now ();
  g_autoptr(GDateTime) local = g_date_time_to_local (now);

  return g_date_time_format (local, "%Y-%m-%d");
}

/* A pack as the guards see it. */
typedef struct
{
  gint64 id;
  char *ki;
  char *status;
  char *expiry;
  gint64 location_id;
  gboolean has_units;
  int units_left;
  gboolean units_known; /* the product's units per pack */
  char *name;
  char *owed_reason; /* a withdrawal or write-off owed for the pack, or NULL */
} PackFacts;

static void
pack_facts_clear (PackFacts *facts)
{
  g_clear_pointer (&facts->ki, g_free);
  g_clear_pointer (&facts->status, g_free);
  g_clear_pointer (&facts->expiry, g_free);
  g_clear_pointer (&facts->name, g_free);
  g_clear_pointer (&facts->owed_reason, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PackFacts, pack_facts_clear)

static gboolean
load_pack (QoimaStoreWorker  *worker,
           const char        *ki,
           PackFacts         *facts,
           GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT pk.id, pk.ki, pk.status, pk.expiry, pk.location_id, pk.units_left, "
                           "  p.units_per_pack, p.name_ru, w.reason "
                           "FROM packs pk JOIN products p ON p.gtin = pk.gtin "
                           "LEFT JOIN withdrawals_owed w ON w.pack_id = pk.id WHERE pk.ki = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;

  qoima_db_bind_text (stmt, 1, ki);
  rc = qoima_db_step (stmt, error);
  if (rc == QOIMA_DB_DONE)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                   _("The code %s is not one of the hospital's packs."), ki);
      return FALSE;
    }
  if (rc != QOIMA_DB_ROW)
    {
      qoima_store_worker_set_step_error (worker, rc, error);
      return FALSE;
    }

  facts->id = qoima_db_column_int64 (stmt, 0);
  facts->ki = qoima_store_column_dup (stmt, 1);
  facts->status = qoima_store_column_dup (stmt, 2);
  facts->expiry = qoima_store_column_dup (stmt, 3);
  facts->location_id = qoima_db_column_int64 (stmt, 4);
  facts->has_units = !qoima_db_column_is_null (stmt, 5);
  facts->units_left = (int) qoima_db_column_int64 (stmt, 5);
  facts->units_known = !qoima_db_column_is_null (stmt, 6);
  facts->name = qoima_store_column_dup (stmt, 7);
  facts->owed_reason = qoima_store_column_dup (stmt, 8);
  return TRUE;
}

/* The pack is the hospital's to move or use: in stock or opened, and not expired. */
static gboolean
check_usable (const PackFacts  *facts,
              const char       *today,
              GError          **error)
{
  if (g_strcmp0 (facts->status, "in_stock") != 0 && g_strcmp0 (facts->status, "opened") != 0)
    {
      QoimaPackStatus status = QOIMA_PACK_STATUS_WITHDRAWN;

      qoima_pack_status_from_nick (facts->status, &status);
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The pack %s of %s cannot be used: it is %s."),
                   facts->ki, facts->name, qoima_pack_status_to_label (status));
      return FALSE;
    }

  /* A pack waiting for its write-off is on its way out of circulation. */
  if (facts->owed_reason != NULL)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The pack %s of %s is being written off."), facts->ki, facts->name);
      return FALSE;
    }

  if (facts->expiry != NULL && strcmp (facts->expiry, today) < 0)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The pack %s of %s expired on %s."), facts->ki, facts->name, facts->expiry);
      return FALSE;
    }

  return TRUE;
}

static gboolean
location_exists (QoimaStoreWorker  *worker,
                 gint64             location,
                 GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), "SELECT 1 FROM locations WHERE id = ?1 AND archived = 0", error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_int64 (stmt, 1, location);
  rc = qoima_db_step (stmt, error);
  if (rc == QOIMA_DB_ROW)
    return TRUE;
  if (rc == QOIMA_DB_DONE)
    g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                         _("The location to move the packs to does not exist."));
  else
    qoima_store_worker_set_step_error (worker, rc, error);
  return FALSE;
}

/* Runs every job body in one IMMEDIATE transaction, so that guards read the same state the
 * change is made on; a failure rolls back, and nothing is recorded. */
typedef gboolean (*LedgerBody) (QoimaStoreWorker  *worker,
                                GTask             *task,
                                gpointer          *out,
                                GError           **error);

typedef struct
{
  GTask *task;
  LedgerBody body;
  gpointer out;
} LedgerRun;

static gboolean
ledger_run_body (QoimaStoreWorker  *worker,
                 gpointer           user_data,
                 GError           **error)
{
  LedgerRun *run = user_data;

  return run->body (worker, run->task, &run->out, error);
}

static void
run_in_transaction (QoimaStoreWorker *worker,
                    GTask            *task,
                    LedgerBody        body,
                    GDestroyNotify    out_free)
{
  g_autoptr(GError) local_error = NULL;
  LedgerRun run = { task, body, NULL };

  if (!qoima_store_worker_in_transaction_with (worker, ledger_run_body, &run, &local_error))
    {
      if (run.out != NULL && out_free != NULL)
        out_free (run.out);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_return_pointer (task, run.out, out_free);
}

/* Transfers. */

typedef struct
{
  QoimaUser *user;
  GStrv codes;
  gint64 to_location;
} TransferData;

typedef struct
{
  int moved;
  char *number;
} TransferResult;

static void
transfer_data_free (TransferData *data)
{
  g_clear_object (&data->user);
  g_strfreev (data->codes);
  g_free (data);
}

static void
transfer_result_free (TransferResult *result)
{
  g_free (result->number);
  g_free (result);
}

/* An SSCC as the acts keep it, with AI 00 in front; NULL when @code is not one. */
static char *
box_code (const char *code)
{
  size_t length = strlen (code);

  if (!is_all_digits (code))
    return NULL;
  if (length == 20 && g_str_has_prefix (code, "00"))
    return g_strdup (code);
  if (length == 18)
    return g_strconcat ("00", code, NULL);
  return NULL;
}

gboolean
qoima_store_worker_add_box_packs (QoimaStoreWorker  *worker,
                                  const char        *box,
                                  GPtrArray         *kis,
                                  GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "WITH RECURSIVE inside (code, kind) AS ("
                           "  SELECT code, kind FROM act_codes WHERE code = ?1 AND kind = 'box' "
                           "  UNION SELECT c.code, c.kind FROM act_codes c JOIN inside i ON c.parent_sscc = i.code) "
                           "SELECT pk.ki FROM packs pk WHERE pk.ki IN (SELECT code FROM inside WHERE kind = 'pack') "
                           "ORDER BY pk.id",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, box);
  while ((rc = qoima_db_step (stmt, error)) == QOIMA_DB_ROW)
    g_ptr_array_add (kis, qoima_store_column_dup (stmt, 0));
  if (rc != QOIMA_DB_DONE)
    {
      qoima_store_worker_set_step_error (worker, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* Adds to @kis the identification codes @code stands for: the pack itself, or every pack
 * the acts put in the box (boxes within the box too), so a box moves whole. */
static gboolean
expand_code (QoimaStoreWorker  *worker,
             const char        *code,
             GPtrArray         *kis,
             GError           **error)
{
  g_autofree char *box = box_code (code);
  guint before = kis->len;

  if (box == NULL)
    {
      g_ptr_array_add (kis, g_strdup (code));
      return TRUE;
    }

  if (!qoima_store_worker_add_box_packs (worker, box, kis, error))
    return FALSE;
  if (kis->len == before)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                   _("The box %s holds none of the hospital's packs."), box);
      return FALSE;
    }
  return TRUE;
}

/* The identification codes @codes stand for, boxes opened, each pack once. */
static GPtrArray *
expand_codes (QoimaStoreWorker    *worker,
              const char * const  *codes,
              GError             **error)
{
  g_autoptr(GPtrArray) kis = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; codes[i] != NULL; i++)
    if (!expand_code (worker, codes[i], kis, error))
      return NULL;

  for (guint i = 0; i < kis->len; i++)
    if (!g_hash_table_add (seen, g_ptr_array_index (kis, i)))
      {
        g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                     _("The pack %s is listed twice."), (const char *) g_ptr_array_index (kis, i));
        return NULL;
      }

  if (kis->len == 0)
    {
      g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                           _("Scan at least one pack or box to move."));
      return NULL;
    }
  return g_steal_pointer (&kis);
}

/* The guards of a transfer for one pack, read only. */
static gboolean
check_movable (QoimaStoreWorker  *worker,
               const char        *ki,
               gint64             to_location,
               const char        *today,
               PackFacts         *facts,
               GError           **error)
{
  if (!load_pack (worker, ki, facts, error) ||
      !check_usable (facts, today, error))
    return FALSE;
  if (facts->location_id == to_location)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The pack %s of %s is already there."), facts->ki, facts->name);
      return FALSE;
    }
  return TRUE;
}

/* Adds the transfer document: numbered one after another in this database, «ВП-000001»
 * onwards, as the hospital's paper documents are. */
static char *
add_transfer_document (QoimaStoreWorker  *worker,
                       QoimaUser         *user,
                       gint64             from_location,
                       gint64             to_location,
                       const char        *now,
                       GError           **error)
{
  g_autoptr(QoimaDbStmt) next = NULL;
  g_autoptr(QoimaDbStmt) insert = NULL;
  g_autofree char *number = NULL;
  gint64 id;
  QoimaDbStep rc;

  next = qoima_db_prepare (qoima_store_worker_get_db (worker), "SELECT coalesce (max (id), 0) + 1 FROM transfers", error);
  if (next == NULL)
    return NULL;
  rc = qoima_db_step (next, error);
  if (rc != QOIMA_DB_ROW)
    {
      qoima_store_worker_set_step_error (worker, rc, error);
      return NULL;
    }
  id = qoima_db_column_int64 (next, 0);
  number = g_strdup_printf ("ВП-%06" G_GINT64_FORMAT, id);

  insert = qoima_db_prepare (qoima_store_worker_get_db (worker),
                             "INSERT INTO transfers (id, number, created_at, actor, from_location, to_location) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                             error);
  if (insert == NULL)
    return NULL;
  qoima_db_bind_int64 (insert, 1, id);
  qoima_db_bind_text (insert, 2, number);
  qoima_db_bind_text (insert, 3, now);
  qoima_db_bind_text (insert, 4, qoima_user_get_name (user));
  if (from_location != 0)
    qoima_db_bind_int64 (insert, 5, from_location);
  qoima_db_bind_int64 (insert, 6, to_location);
  if (!qoima_db_step_done (insert, error))
    return NULL;

  return g_steal_pointer (&number);
}

static gboolean
transfer_body (QoimaStoreWorker  *worker,
               GTask             *task,
               gpointer          *out,
               GError           **error)
{
  TransferData *data = g_task_get_task_data (task);
  g_autofree char *today = today_iso8601 ();
  g_autofree char *now = qoima_store_now_iso8601 ();
  g_autoptr(GPtrArray) kis = NULL;
  g_autoptr(GArray) facts = NULL;
  g_autofree char *number = NULL;
  gint64 from_location = 0;
  TransferResult *result;

  if (!location_exists (worker, data->to_location, error) ||
      (kis = expand_codes (worker, (const char * const *) data->codes, error)) == NULL)
    return FALSE;

  /* Every guard first, so that the document is made only when every pack can move. */
  facts = g_array_sized_new (FALSE, TRUE, sizeof (PackFacts), kis->len);
  g_array_set_clear_func (facts, (GDestroyNotify) pack_facts_clear);
  for (guint i = 0; i < kis->len; i++)
    {
      PackFacts *pack;

      g_array_set_size (facts, i + 1);
      pack = &g_array_index (facts, PackFacts, i);
      if (!check_movable (worker, g_ptr_array_index (kis, i), data->to_location, today, pack, error))
        return FALSE;
      /* The paper names one place the packs come from; packs from several leave it blank. */
      if (i == 0)
        from_location = pack->location_id;
      else if (from_location != pack->location_id)
        from_location = 0;
    }

  number = add_transfer_document (worker, data->user, from_location, data->to_location, now, error);
  if (number == NULL)
    return FALSE;

  for (guint i = 0; i < facts->len; i++)
    {
      const PackFacts *pack = &g_array_index (facts, PackFacts, i);
      g_autoptr(QoimaDbStmt) insert = NULL;

      insert = qoima_db_prepare (qoima_store_worker_get_db (worker),
                                 "INSERT INTO movements (pack_id, at, actor, kind, from_location, to_location, "
                                 "  units_delta, units_after, status_after, location_after, document) "
                                 "VALUES (?1, ?2, ?3, 'transfer', ?4, ?5, 0, ?6, ?7, ?5, ?8)",
                                 error);
      if (insert == NULL)
        return FALSE;
      qoima_db_bind_int64 (insert, 1, pack->id);
      qoima_db_bind_text (insert, 2, now);
      qoima_db_bind_text (insert, 3, qoima_user_get_name (data->user));
      qoima_db_bind_int64 (insert, 4, pack->location_id);
      qoima_db_bind_int64 (insert, 5, data->to_location);
      if (pack->has_units)
        qoima_db_bind_int64 (insert, 6, pack->units_left);
      qoima_db_bind_text (insert, 7, pack->status);
      qoima_db_bind_text (insert, 8, number);
      if (!qoima_db_step_done (insert, error))
        return FALSE;
    }

  result = g_new0 (TransferResult, 1);
  result->moved = facts->len;
  result->number = g_steal_pointer (&number);
  *out = result;
  return TRUE;
}

static void
transfer_job (QoimaStoreWorker *worker,
              GTask            *task)
{
  TransferData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  if (!qoima_user_check (data->user, QOIMA_PERMISSION_MOVE_STOCK, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_store_worker_set_actor (worker, qoima_user_get_name (data->user), "transfer");
  run_in_transaction (worker, task, transfer_body, (GDestroyNotify) transfer_result_free);
}

void
qoima_store_transfer_packs_async (QoimaStore          *self,
                                  QoimaUser           *user,
                                  const char * const  *codes,
                                  gint64               to_location,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  TransferData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (codes != NULL);

  data = g_new0 (TransferData, 1);
  data->user = user ? g_object_ref (user) : NULL;
  data->codes = g_strdupv ((char **) codes);
  data->to_location = to_location;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_transfer_packs_async);
  g_task_set_task_data (task, data, (GDestroyNotify) transfer_data_free);
  qoima_store_queue_write (self, transfer_job, task);
}

static int
propagate_int (GTask   *task,
               GError **error)
{
  g_autofree int *value = g_task_propagate_pointer (task, error);

  return value ? *value : -1;
}

int
qoima_store_transfer_packs_finish (QoimaStore    *self,
                                   GAsyncResult  *result,
                                   char         **number,
                                   GError       **error)
{
  TransferResult *transfer;
  int moved;

  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_transfer_packs_async), -1);

  transfer = g_task_propagate_pointer (G_TASK (result), error);
  if (transfer == NULL)
    return -1;
  moved = transfer->moved;
  if (number != NULL)
    *number = g_steal_pointer (&transfer->number);
  transfer_result_free (transfer);
  return moved;
}

/* Checking a scan before it is listed. */

typedef struct
{
  char *code;
  gint64 to_location;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->code);
  g_free (data);
}

static QoimaPack *
pack_from_facts (QoimaStoreWorker  *worker,
                 gint64             pack_id,
                 GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(QoimaProduct) product = NULL;
  g_autoptr(QoimaLocation) location = NULL;
  QoimaPackStatus status = QOIMA_PACK_STATUS_IN_STOCK;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT pk.id, pk.ki, pk.km, pk.batch, pk.expiry, pk.status, pk.units_left, "
                           QOIMA_STORE_PRODUCT_COLUMNS ", " QOIMA_STORE_LOCATION_COLUMNS " "
                           "FROM packs pk JOIN products p ON p.gtin = pk.gtin "
                           "  JOIN locations l ON l.id = pk.location_id WHERE pk.id = ?1",
                           error);
  if (stmt == NULL)
    return NULL;
  qoima_db_bind_int64 (stmt, 1, pack_id);
  rc = qoima_db_step (stmt, error);
  if (rc != QOIMA_DB_ROW)
    {
      qoima_store_worker_set_step_error (worker, rc, error);
      return NULL;
    }

  product = qoima_store_product_from_row (stmt, 7);
  location = qoima_store_location_from_row (stmt, 7 + QOIMA_STORE_PRODUCT_N_COLUMNS);
  qoima_pack_status_from_nick (qoima_db_column_text (stmt, 5), &status);
  return qoima_pack_new (qoima_db_column_int64 (stmt, 0),
                         qoima_db_column_text (stmt, 1),
                         qoima_db_column_text (stmt, 2),
                         qoima_db_column_text (stmt, 3),
                         qoima_db_column_text (stmt, 4),
                         status,
                         qoima_db_column_is_null (stmt, 6) ? -1 : (int) qoima_db_column_int64 (stmt, 6),
                         product, location);
}

static void
check_transfer_job (QoimaStoreWorker *worker,
                    GTask            *task)
{
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GListStore) packs = g_list_store_new (QOIMA_TYPE_PACK);
  g_autoptr(GPtrArray) kis = NULL;
  g_autofree char *today = today_iso8601 ();
  const char *codes[] = { data->code, NULL };

  kis = expand_codes (worker, codes, &local_error);
  for (guint i = 0; kis != NULL && i < kis->len; i++)
    {
      g_auto(PackFacts) facts = { 0, };
      g_autoptr(QoimaPack) pack = NULL;

      if (!check_movable (worker, g_ptr_array_index (kis, i), data->to_location, today, &facts, &local_error))
        break;
      if ((pack = pack_from_facts (worker, facts.id, &local_error)) == NULL)
        break;
      /* Stock leaves for the wards from the warehouse only. */
      if (qoima_location_get_kind (qoima_pack_get_location (pack)) != QOIMA_LOCATION_KIND_WAREHOUSE)
        {
          g_set_error (&local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       _("The pack %s of %s is not in the warehouse: it is in %s."),
                       facts.ki, facts.name, qoima_location_get_name (qoima_pack_get_location (pack)));
          break;
        }
      g_list_store_append (packs, pack);
    }

  if (local_error != NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, g_steal_pointer (&packs), g_object_unref);
}

void
qoima_store_check_transfer_code_async (QoimaStore          *self,
                                       const char          *code,
                                       gint64               to_location,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  CheckData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (code != NULL);

  data = g_new0 (CheckData, 1);
  data->code = g_strdup (code);
  data->to_location = to_location;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_check_transfer_code_async);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);
  qoima_store_queue_job (self, check_transfer_job, task);
}

GListModel *
qoima_store_check_transfer_code_finish (QoimaStore    *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_check_transfer_code_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Use. */

typedef struct
{
  QoimaUser *user;
  char *ki;
  char *patient;
  int units;
} UseData;

static void
use_data_free (UseData *data)
{
  g_clear_object (&data->user);
  g_free (data->ki);
  g_free (data->patient);
  g_free (data);
}

static gboolean
find_or_add_patient (QoimaStoreWorker  *worker,
                     const char        *patient,
                     gint64            *patient_id,
                     GError           **error)
{
  gboolean is_iin = strlen (patient) == 12 && is_all_digits (patient);
  g_autofree char *now = qoima_store_now_iso8601 ();
  QoimaDbStep rc;

  {
    g_autoptr(QoimaDbStmt) find = NULL;

    find = qoima_db_prepare (qoima_store_worker_get_db (worker),
                             is_iin ? "SELECT id FROM patients WHERE iin = ?1"
                                    : "SELECT id FROM patients WHERE record_number = ?1",
                             error);
    if (find == NULL)
      return FALSE;
    qoima_db_bind_text (find, 1, patient);
    rc = qoima_db_step (find, error);
    if (rc == QOIMA_DB_ROW)
      {
        *patient_id = qoima_db_column_int64 (find, 0);
        return TRUE;
      }
    if (rc != QOIMA_DB_DONE)
      {
        qoima_store_worker_set_step_error (worker, rc, error);
        return FALSE;
      }
  }

  {
    g_autoptr(QoimaDbStmt) insert = NULL;

    insert = qoima_db_prepare (qoima_store_worker_get_db (worker),
                               is_iin ? "INSERT INTO patients (iin, created_at) VALUES (?1, ?2) RETURNING id"
                                      : "INSERT INTO patients (record_number, created_at) VALUES (?1, ?2) RETURNING id",
                               error);
    if (insert == NULL)
      return FALSE;
    qoima_db_bind_text (insert, 1, patient);
    qoima_db_bind_text (insert, 2, now);
    *patient_id = qoima_db_step_id (insert, error);
    if (*patient_id < 0)
      return FALSE;
  }

  return TRUE;
}

static gboolean
use_body (QoimaStoreWorker  *worker,
          GTask             *task,
          gpointer          *out,
          GError           **error)
{
  UseData *data = g_task_get_task_data (task);
  g_autofree char *today = today_iso8601 ();
  g_autofree char *now = qoima_store_now_iso8601 ();
  g_auto(PackFacts) facts = { 0, };
  gint64 ward = qoima_user_get_ward_id (data->user);
  gint64 patient_id = 0;
  QoimaUseResult *result;
  int units_after;

  /* The guards, cheapest first; none of them writes. */
  if (!qoima_patient_id_check (data->patient, error) ||
      !load_pack (worker, data->ki, &facts, error) ||
      !check_usable (&facts, today, error))
    return FALSE;

  if (ward != 0 && facts.location_id != ward)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                   _("The pack %s of %s is in another ward than yours."), facts.ki, facts.name);
      return FALSE;
    }

  if (!facts.units_known || !facts.has_units)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The units per pack of %s are not known yet: a pack cannot be opened until its "
                     "units are known. Ask the warehouse clerk to enter them."),
                   facts.name);
      return FALSE;
    }

  if (data->units < 1)
    {
      g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                           _("Enter at least one unit."));
      return FALSE;
    }
  if (data->units > facts.units_left)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   ngettext ("Only %d unit remains in the pack %s.",
                             "Only %d units remain in the pack %s.", facts.units_left),
                   facts.units_left, facts.ki);
      return FALSE;
    }

  /* The change: patient, movement, and what is owed. */
  if (!find_or_add_patient (worker, data->patient, &patient_id, error))
    return FALSE;

  units_after = facts.units_left - data->units;
  result = g_new0 (QoimaUseResult, 1);
  *out = result;
  result->units_left = units_after;
  result->used_up = units_after == 0;

  {
    g_autoptr(QoimaDbStmt) insert = NULL;

    insert = qoima_db_prepare (qoima_store_worker_get_db (worker),
                               "INSERT INTO movements (pack_id, at, actor, kind, from_location, units_delta, "
                               "  units_after, status_after, location_after, patient_id) "
                               "VALUES (?1, ?2, ?3, 'use', ?4, ?5, ?6, ?7, ?4, ?8) RETURNING id",
                               error);
    if (insert == NULL)
      return FALSE;
    qoima_db_bind_int64 (insert, 1, facts.id);
    qoima_db_bind_text (insert, 2, now);
    qoima_db_bind_text (insert, 3, qoima_user_get_name (data->user));
    qoima_db_bind_int64 (insert, 4, facts.location_id);
    qoima_db_bind_int64 (insert, 5, -data->units);
    qoima_db_bind_int64 (insert, 6, units_after);
    qoima_db_bind_text (insert, 7, result->used_up ? "used_up" : "opened");
    qoima_db_bind_int64 (insert, 8, patient_id);
    result->movement_id = qoima_db_step_id (insert, error);
    if (result->movement_id < 0)
      return FALSE;
  }

  /* R000-9: a pack is withdrawn only when its last unit is used; a one-unit pack so at its use. */
  if (result->used_up)
    {
      g_autoptr(QoimaDbStmt) owe = NULL;

      owe = qoima_db_prepare (qoima_store_worker_get_db (worker),
                              "INSERT INTO withdrawals_owed (pack_id, reason, owed_at) "
                              "VALUES (?1, 'MEDICAL_USE', ?2)",
                              error);
      if (owe == NULL)
        return FALSE;
      qoima_db_bind_int64 (owe, 1, facts.id);
      qoima_db_bind_text (owe, 2, now);
      if (!qoima_db_step_done (owe, error))
        return FALSE;
      result->withdrawal_owed = TRUE;
    }

  return TRUE;
}

static void
use_job (QoimaStoreWorker *worker,
         GTask            *task)
{
  UseData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  if (!qoima_user_check (data->user, QOIMA_PERMISSION_LOG_USE, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_store_worker_set_actor (worker, qoima_user_get_name (data->user), "use");
  run_in_transaction (worker, task, use_body, (GDestroyNotify) qoima_use_result_free);
}

void
qoima_store_use_units_async (QoimaStore          *self,
                             QoimaUser           *user,
                             const char          *ki,
                             const char          *patient,
                             int                  units,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  UseData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (ki != NULL);

  data = g_new0 (UseData, 1);
  data->user = user ? g_object_ref (user) : NULL;
  data->ki = g_strdup (ki);
  data->patient = g_strstrip (g_strdup (patient ? patient : ""));
  data->units = units;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_use_units_async);
  g_task_set_task_data (task, data, (GDestroyNotify) use_data_free);
  qoima_store_queue_write (self, use_job, task);
}

QoimaUseResult *
qoima_store_use_units_finish (QoimaStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_use_units_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Picking the pack to open. */

typedef struct
{
  char *gtin;
  gint64 location;
} PickData;

static void
pick_data_free (PickData *data)
{
  g_free (data->gtin);
  g_free (data);
}

static void
pick_job (QoimaStoreWorker *worker,
          GTask            *task)
{
  PickData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autofree char *today = today_iso8601 ();
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT ki FROM packs "
                           "WHERE gtin = ?1 AND location_id = ?2 AND status IN ('in_stock', 'opened') "
                           "  AND units_left > 0 AND (expiry IS NULL OR expiry >= ?3) "
                           "ORDER BY status = 'opened' DESC, expiry IS NULL, expiry, id LIMIT 1",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_db_bind_text (stmt, 1, data->gtin);
  qoima_db_bind_int64 (stmt, 2, data->location);
  qoima_db_bind_text (stmt, 3, today);
  rc = qoima_db_step (stmt, &local_error);
  if (rc == QOIMA_DB_ROW)
    g_task_return_pointer (task, qoima_store_column_dup (stmt, 0), g_free);
  else if (rc == QOIMA_DB_DONE)
    g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                             _("There is no pack of this medicine here to open."));
  else
    {
      qoima_store_worker_set_step_error (worker, rc, &local_error);
      g_task_return_error (task, g_steal_pointer (&local_error));
    }
}

void
qoima_store_pick_pack_async (QoimaStore          *self,
                             const char          *gtin,
                             gint64               location,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  PickData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (gtin != NULL);

  data = g_new0 (PickData, 1);
  data->gtin = g_strdup (gtin);
  data->location = location;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_pick_pack_async);
  g_task_set_task_data (task, data, (GDestroyNotify) pick_data_free);
  qoima_store_queue_job (self, pick_job, task);
}

char *
qoima_store_pick_pack_finish (QoimaStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_pick_pack_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Undo. */

static void
set_nothing_to_undo (GError **error)
{
  g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
               g_dngettext (GETTEXT_PACKAGE,
                            "There is no use to undo: only your last entry of the last %d minute can be undone.",
                            "There is no use to undo: only your last entry of the last %d minutes can be undone.",
                            QOIMA_LEDGER_UNDO_MINUTES),
               QOIMA_LEDGER_UNDO_MINUTES);
}

static gboolean
undo_body (QoimaStoreWorker  *worker,
           GTask             *task,
           gpointer          *out,
           GError           **error)
{
  QoimaUser *user = g_task_get_task_data (task);
  g_autofree char *now = qoima_store_now_iso8601 ();
  g_autofree char *reason = NULL;
  g_autofree char *status_before = NULL;
  g_autofree char *ki = NULL;
  gint64 use_id, pack_id, location, patient_id;
  gboolean is_latest, owed_sent;
  int units_after, units_delta;
  QoimaDbStep rc;

  {
    g_autoptr(QoimaDbStmt) find = NULL;
    g_autofree char *since = NULL;
    g_autoptr(GDateTime) now_dt = qoima_store_now ();
    g_autoptr(GDateTime) since_dt = g_date_time_add_minutes (now_dt, -QOIMA_LEDGER_UNDO_MINUTES);

    since = g_date_time_format (since_dt, "%Y-%m-%dT%H:%M:%SZ");
    /* The user's latest use, the pack's latest movement, the status the pack had before,
     * and whether its withdrawal already left for the outbox. */
    find = qoima_db_prepare (qoima_store_worker_get_db (worker),
                             "SELECT m.id, m.pack_id, m.location_after, m.units_after, m.units_delta, m.patient_id, "
                             "  m.id = (SELECT max (id) FROM movements WHERE pack_id = m.pack_id), "
                             "  (SELECT status_after FROM movements WHERE pack_id = m.pack_id AND id < m.id "
                             "   ORDER BY id DESC LIMIT 1), "
                             "  EXISTS (SELECT 1 FROM withdrawals_owed WHERE pack_id = m.pack_id AND outbox_id IS NOT NULL), "
                             "  pk.ki, m.at >= ?2 "
                             "FROM movements m JOIN packs pk ON pk.id = m.pack_id "
                             "WHERE m.actor = ?1 AND m.kind = 'use' ORDER BY m.id DESC LIMIT 1",
                             error);
    if (find == NULL)
      return FALSE;
    qoima_db_bind_text (find, 1, qoima_user_get_name (user));
    qoima_db_bind_text (find, 2, since);
    rc = qoima_db_step (find, error);
    if (rc == QOIMA_DB_DONE)
      {
        set_nothing_to_undo (error);
        return FALSE;
      }
    if (rc != QOIMA_DB_ROW)
      {
        qoima_store_worker_set_step_error (worker, rc, error);
        return FALSE;
      }
    use_id = qoima_db_column_int64 (find, 0);
    pack_id = qoima_db_column_int64 (find, 1);
    location = qoima_db_column_int64 (find, 2);
    units_after = (int) qoima_db_column_int64 (find, 3);
    units_delta = (int) qoima_db_column_int64 (find, 4);
    patient_id = qoima_db_column_int64 (find, 5);
    is_latest = (int) qoima_db_column_int64 (find, 6) != 0;
    status_before = qoima_store_column_dup (find, 7);
    owed_sent = (int) qoima_db_column_int64 (find, 8) != 0;
    ki = qoima_store_column_dup (find, 9);
    if (!is_latest || status_before == NULL || (int) qoima_db_column_int64 (find, 10) == 0)
      {
        set_nothing_to_undo (error);
        return FALSE;
      }
  }

  if (owed_sent)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The use of the pack %s cannot be undone: its withdrawal has already been put in "
                     "the outbox for ИС МПТ."),
                   ki);
      return FALSE;
    }

  reason = g_strdup_printf ("undo of use %" G_GINT64_FORMAT, use_id);
  {
    g_autoptr(QoimaDbStmt) insert = NULL;

    insert = qoima_db_prepare (qoima_store_worker_get_db (worker),
                               "INSERT INTO movements (pack_id, at, actor, kind, from_location, units_delta, "
                               "  units_after, status_after, location_after, reason, patient_id) "
                               "VALUES (?1, ?2, ?3, 'correction', ?4, ?5, ?6, ?7, ?4, ?8, ?9)",
                               error);
    if (insert == NULL)
      return FALSE;
    qoima_db_bind_int64 (insert, 1, pack_id);
    qoima_db_bind_text (insert, 2, now);
    qoima_db_bind_text (insert, 3, qoima_user_get_name (user));
    qoima_db_bind_int64 (insert, 4, location);
    qoima_db_bind_int64 (insert, 5, -units_delta);
    qoima_db_bind_int64 (insert, 6, units_after - units_delta);
    qoima_db_bind_text (insert, 7, status_before);
    qoima_db_bind_text (insert, 8, reason);
    if (patient_id != 0)
      qoima_db_bind_int64 (insert, 9, patient_id);
    if (!qoima_db_step_done (insert, error))
      return FALSE;
  }

  {
    g_autoptr(QoimaDbStmt) forget = NULL;

    forget = qoima_db_prepare (qoima_store_worker_get_db (worker),
                               "DELETE FROM withdrawals_owed "
                               "WHERE pack_id = ?1 AND outbox_id IS NULL AND reason = 'MEDICAL_USE'",
                               error);
    if (forget == NULL)
      return FALSE;
    qoima_db_bind_int64 (forget, 1, pack_id);
    if (!qoima_db_step_done (forget, error))
      return FALSE;
  }

  units_delta = -units_delta;
  *out = g_memdup2 (&units_delta, sizeof units_delta);
  return TRUE;
}

static void
undo_job (QoimaStoreWorker *worker,
          GTask            *task)
{
  QoimaUser *user = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  if (!qoima_user_check (user, QOIMA_PERMISSION_LOG_USE, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_store_worker_set_actor (worker, qoima_user_get_name (user), "undo of a use");
  run_in_transaction (worker, task, undo_body, g_free);
}

void
qoima_store_undo_last_use_async (QoimaStore          *self,
                                 QoimaUser           *user,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_undo_last_use_async);
  g_task_set_task_data (task, user ? g_object_ref (user) : NULL, user ? g_object_unref : NULL);
  qoima_store_queue_write (self, undo_job, task);
}

int
qoima_store_undo_last_use_finish (QoimaStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_undo_last_use_async), -1);
  return propagate_int (G_TASK (result), error);
}

/* Write-offs. */

typedef struct
{
  QoimaUser *user;
  GStrv kis;
  QoimaWithdrawalReason reason;
} WriteOffData;

static void
write_off_data_free (WriteOffData *data)
{
  g_clear_object (&data->user);
  g_strfreev (data->kis);
  g_free (data);
}

static gboolean
write_off_body (QoimaStoreWorker  *worker,
                GTask             *task,
                gpointer          *out,
                GError           **error)
{
  WriteOffData *data = g_task_get_task_data (task);
  g_autofree char *today = today_iso8601 ();
  g_autofree char *now = qoima_store_now_iso8601 ();
  int owed = 0;

  for (guint i = 0; data->kis[i] != NULL; i++)
    {
      g_auto(PackFacts) facts = { 0, };
      g_autoptr(QoimaDbStmt) owe = NULL;

      if (!load_pack (worker, data->kis[i], &facts, error))
        return FALSE;
      if (facts.owed_reason != NULL)
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       _("The pack %s of %s is already being withdrawn or written off."), facts.ki, facts.name);
          return FALSE;
        }
      if (g_strcmp0 (facts.status, "in_stock") != 0 && g_strcmp0 (facts.status, "opened") != 0)
        {
          QoimaPackStatus status = QOIMA_PACK_STATUS_WITHDRAWN;

          qoima_pack_status_from_nick (facts.status, &status);
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       _("The pack %s of %s cannot be written off: it is %s."),
                       facts.ki, facts.name, qoima_pack_status_to_label (status));
          return FALSE;
        }
      if (data->reason == QOIMA_WITHDRAWAL_EXPIRED &&
          (facts.expiry == NULL || strcmp (facts.expiry, today) >= 0))
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       _("The pack %s of %s has not expired: choose another reason."), facts.ki, facts.name);
          return FALSE;
        }

      owe = qoima_db_prepare (qoima_store_worker_get_db (worker),
                              "INSERT INTO withdrawals_owed (pack_id, reason, owed_at) VALUES (?1, ?2, ?3)",
                              error);
      if (owe == NULL)
        return FALSE;
      qoima_db_bind_int64 (owe, 1, facts.id);
      qoima_db_bind_text (owe, 2, qoima_withdrawal_reason_to_nick (data->reason));
      qoima_db_bind_text (owe, 3, now);
      if (!qoima_db_step_done (owe, error))
        return FALSE;
      owed++;
    }

  *out = g_memdup2 (&owed, sizeof owed);
  return TRUE;
}

static void
write_off_job (QoimaStoreWorker *worker,
               GTask            *task)
{
  WriteOffData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  if (!qoima_user_check (data->user, QOIMA_PERMISSION_WRITE_OFF, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  if (!qoima_withdrawal_reason_is_write_off (data->reason))
    {
      /* Medical use is owed by the last unit's use, a dispensing by the dispensing: never
       * declared by hand. */
      g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               _("Choose why the packs are written off: expired, damaged, lost or recalled."));
      return;
    }
  qoima_store_worker_set_actor (worker, qoima_user_get_name (data->user), "write-off");
  run_in_transaction (worker, task, write_off_body, g_free);
}

void
qoima_store_write_off_async (QoimaStore            *self,
                             QoimaUser             *user,
                             const char * const    *kis,
                             QoimaWithdrawalReason  reason,
                             GCancellable          *cancellable,
                             GAsyncReadyCallback    callback,
                             gpointer               user_data)
{
  WriteOffData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (kis != NULL);
  g_return_if_fail ((unsigned) reason < QOIMA_N_WITHDRAWAL_REASONS);

  data = g_new0 (WriteOffData, 1);
  data->user = user ? g_object_ref (user) : NULL;
  data->kis = g_strdupv ((char **) kis);
  data->reason = reason;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_write_off_async);
  g_task_set_task_data (task, data, (GDestroyNotify) write_off_data_free);
  qoima_store_queue_write (self, write_off_job, task);
}

int
qoima_store_write_off_finish (QoimaStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_write_off_async), -1);
  return propagate_int (G_TASK (result), error);
}
