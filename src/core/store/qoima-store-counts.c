/* qoima-store-counts.c: stock counts (инвентаризация) of a location by scanning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-store"

#include "config.h"

#include "qoima-store-counts.h"

#include "qoima-enums.h"
#include "qoima-store-private.h"
#include "qoima-types.h"

#include <glib/gi18n.h>
#include <string.h>

const char *
qoima_count_state_to_nick (QoimaCountState state)
{
  return qoima_enum_to_nick (QOIMA_TYPE_COUNT_STATE, state);
}

const char *
qoima_count_state_to_label (QoimaCountState state)
{
  switch (state)
    {
    case QOIMA_COUNT_OPEN: return _("Counting");
    case QOIMA_COUNT_FINISHED: return _("Waiting for the chief’s sign-off");
    case QOIMA_COUNT_SIGNED_OFF: return _("Signed off");
    default: g_return_val_if_reached (NULL);
    }
}

const char *
qoima_count_finding_to_nick (QoimaCountFinding finding)
{
  return qoima_enum_to_nick (QOIMA_TYPE_COUNT_FINDING, finding);
}

const char *
qoima_count_finding_to_label (QoimaCountFinding finding)
{
  switch (finding)
    {
    case QOIMA_COUNT_FOUND: return _("Found");
    case QOIMA_COUNT_MISSING: return _("Missing");
    case QOIMA_COUNT_ELSEWHERE: return _("Booked at another location");
    case QOIMA_COUNT_OUT_OF_CIRCULATION: return _("Out of circulation on the book");
    case QOIMA_COUNT_UNKNOWN: return _("Not the hospital’s");
    default: g_return_val_if_reached (NULL);
    }
}

static gboolean
state_from_nick (const char      *nick,
                 QoimaCountState *state)
{
  int value;

  if (!qoima_enum_from_nick (QOIMA_TYPE_COUNT_STATE, nick, FALSE, &value))
    return FALSE;
  *state = (QoimaCountState) value;
  return TRUE;
}

static gboolean
finding_from_nick (const char        *nick,
                   QoimaCountFinding *finding)
{
  int value;

  if (!qoima_enum_from_nick (QOIMA_TYPE_COUNT_FINDING, nick, FALSE, &value))
    return FALSE;
  *finding = (QoimaCountFinding) value;
  return TRUE;
}

static void
count_line_free (QoimaCountLine *line)
{
  g_free (line->ki);
  g_free (line->gtin);
  g_free (line->name);
  g_free (line->batch);
  g_free (line->expiry);
  g_free (line->book_location);
  g_free (line->book_status);
  g_free (line);
}

static void
count_tally_free (QoimaCountTally *tally)
{
  g_free (tally->gtin);
  g_free (tally->name);
  g_free (tally);
}

void
qoima_count_free (QoimaCount *count)
{
  if (count == NULL)
    return;
  g_free (count->location_name);
  g_free (count->started_by);
  g_free (count->started_at);
  g_free (count->finished_at);
  g_free (count->signed_off_by);
  g_free (count->signed_off_at);
  g_clear_pointer (&count->tally, g_ptr_array_unref);
  g_clear_pointer (&count->lines, g_ptr_array_unref);
  g_free (count);
}

void
qoima_count_scan_free (QoimaCountScan *scan)
{
  if (scan == NULL)
    return;
  g_free (scan->name);
  g_free (scan->ki);
  g_free (scan);
}

/* The worker's side. */

typedef struct
{
  QoimaUser *user;
  gint64 location_id;
  gint64 count_id;
  char *code;
  int units;
  gpointer out;
  GDestroyNotify out_free;
} CountData;

static void
count_data_free (CountData *data)
{
  g_clear_object (&data->user);
  g_free (data->code);
  if (data->out != NULL && data->out_free != NULL)
    data->out_free (data->out);
  g_free (data);
}

static CountData *
count_data_new (QoimaUser *user)
{
  CountData *data = g_new0 (CountData, 1);

  data->user = user != NULL ? g_object_ref (user) : NULL;
  return data;
}

/* A clerk (or the chief) counts any location; a nurse only her own ward. */
static gboolean
check_counter (QoimaUser  *user,
               gint64      location_id,
               GError    **error)
{
  if (!qoima_user_check (user, QOIMA_PERMISSION_COUNT_STOCK, error))
    return FALSE;
  if (qoima_user_get_role (user) == QOIMA_ROLE_NURSE && qoima_user_get_ward_id (user) != location_id)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                   _("%s counts only the stock of their own ward."), qoima_user_get_name (user));
      return FALSE;
    }
  return TRUE;
}

/* The count @count_id's location and state; NOT_FOUND when there is no such count. */
static gboolean
load_count_head (QoimaStoreWorker  *worker,
                 gint64             count_id,
                 gint64            *location_id,
                 QoimaCountState   *state,
                 GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autofree char *nick = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), "SELECT location_id, state FROM counts WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_int64 (stmt, 1, count_id);
  rc = qoima_db_step (stmt, error);
  if (rc == QOIMA_DB_DONE)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                   _("There is no stock count number %lld."), (long long) count_id);
      return FALSE;
    }
  if (rc != QOIMA_DB_ROW)
    {
      qoima_store_worker_set_step_error (worker, rc, error);
      return FALSE;
    }
  *location_id = qoima_db_column_int64 (stmt, 0);
  nick = qoima_store_column_dup (stmt, 1);
  if (!state_from_nick (nick, state))
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                   _("The stock count %lld has an unknown state."), (long long) count_id);
      return FALSE;
    }
  return TRUE;
}

/* A count being scanned, which @user may scan into. */
static gboolean
load_open_count (QoimaStoreWorker  *worker,
                 QoimaUser         *user,
                 gint64             count_id,
                 gint64            *location_id,
                 GError           **error)
{
  QoimaCountState state;

  if (!load_count_head (worker, count_id, location_id, &state, error) ||
      !check_counter (user, *location_id, error))
    return FALSE;
  if (state != QOIMA_COUNT_OPEN)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The stock count %lld is finished: nothing more can be counted in it."),
                   (long long) count_id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
start_count_body (QoimaStoreWorker  *worker,
                  GTask             *task,
                  GError           **error)
{
  CountData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) location = NULL;
  g_autoptr(QoimaDbStmt) open = NULL;
  g_autoptr(QoimaDbStmt) insert = NULL;
  g_autofree char *now = qoima_store_now_iso8601 ();
  QoimaDbStep rc;

  location = qoima_db_prepare (qoima_store_worker_get_db (worker), "SELECT archived FROM locations WHERE id = ?1", error);
  if (location == NULL)
    return FALSE;
  qoima_db_bind_int64 (location, 1, data->location_id);
  rc = qoima_db_step (location, error);
  if (rc == QOIMA_DB_DONE || (rc == QOIMA_DB_ROW && (int) qoima_db_column_int64 (location, 0) != 0))
    {
      g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                           _("There is no such location to count."));
      return FALSE;
    }
  if (rc != QOIMA_DB_ROW)
    {
      qoima_store_worker_set_step_error (worker, rc, error);
      return FALSE;
    }

  open = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT id FROM counts WHERE location_id = ?1 AND state <> 'signed_off'",
                           error);
  if (open == NULL)
    return FALSE;
  qoima_db_bind_int64 (open, 1, data->location_id);
  rc = qoima_db_step (open, error);
  if (rc == QOIMA_DB_ROW)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The stock count %lld of this location is not signed off yet: "
                     "go on with it, or have the chief sign it off first."),
                   (long long) qoima_db_column_int64 (open, 0));
      return FALSE;
    }
  if (rc != QOIMA_DB_DONE)
    {
      qoima_store_worker_set_step_error (worker, rc, error);
      return FALSE;
    }

  insert = qoima_db_prepare (qoima_store_worker_get_db (worker),
                             "INSERT INTO counts (location_id, state, started_by, started_at) "
                             "VALUES (?1, 'open', ?2, ?3) RETURNING id",
                             error);
  if (insert == NULL)
    return FALSE;
  qoima_db_bind_int64 (insert, 1, data->location_id);
  qoima_db_bind_text (insert, 2, qoima_user_get_name (data->user));
  qoima_db_bind_text (insert, 3, now);
  data->count_id = qoima_db_step_id (insert, error);
  return data->count_id > 0;
}

static void
start_count_job (QoimaStoreWorker *worker,
                 GTask            *task)
{
  CountData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  if (!check_counter (data->user, data->location_id, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_store_worker_set_actor (worker, qoima_user_get_name (data->user), "stock count");
  if (!qoima_store_worker_in_transaction (worker, task, start_count_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    qoima_task_return_int64 (task, data->count_id);
}

void
qoima_store_start_count_async (QoimaStore          *self,
                               QoimaUser           *user,
                               gint64               location_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  CountData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (location_id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = count_data_new (user);
  data->location_id = location_id;
  qoima_store_queue_write (self, start_count_job,
                           qoima_store_task_new (self, qoima_store_start_count_async, data,
                                                 (GDestroyNotify) count_data_free,
                                                 cancellable, callback, user_data));
}

gint64
qoima_store_start_count_finish (QoimaStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_start_count_async), 0);
  return qoima_task_propagate_int64 (G_TASK (result), 0, error);
}

/* The count of a location not yet signed off. */

static void
find_count_job (QoimaStoreWorker *worker,
                GTask            *task)
{
  gint64 *location_id = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT id FROM counts WHERE location_id = ?1 AND state <> 'signed_off'",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_db_bind_int64 (stmt, 1, *location_id);
  rc = qoima_db_step (stmt, &local_error);
  if (rc == QOIMA_DB_ROW)
    qoima_task_return_int64 (task, qoima_db_column_int64 (stmt, 0));
  else if (rc == QOIMA_DB_DONE)
    qoima_task_return_int64 (task, 0);
  else
    {
      qoima_store_worker_set_step_error (worker, rc, &local_error);
      g_task_return_error (task, g_steal_pointer (&local_error));
    }
}

void
qoima_store_find_count_async (QoimaStore          *self,
                              gint64               location_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (location_id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  qoima_store_queue_job (self, find_count_job,
                         qoima_store_task_new (self, qoima_store_find_count_async,
                                               g_memdup2 (&location_id, sizeof location_id), g_free,
                                               cancellable, callback, user_data));
}

gint64
qoima_store_find_count_finish (QoimaStore    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_find_count_async), -1);
  return qoima_task_propagate_int64 (G_TASK (result), -1, error);
}

/* Counting a code. */

/* Whether @code is a box's SSCC as the acts keep it (AI 00 and 18 digits). */
static gboolean
is_box_code (const char *code)
{
  if (strlen (code) != 20 || !g_str_has_prefix (code, "00"))
    return FALSE;
  for (const char *p = code; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* How the book sees the pack @ki from a count of @location_id. */
static gboolean
classify (QoimaStoreWorker   *worker,
          const char         *ki,
          gint64              location_id,
          QoimaCountFinding  *finding,
          QoimaCountScan     *scan,
          GError            **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT pk.status, pk.location_id, p.name_ru, p.name_kk, p.units_per_pack "
                           "FROM packs pk JOIN products p ON p.gtin = pk.gtin WHERE pk.ki = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, ki);
  rc = qoima_db_step (stmt, error);
  if (rc == QOIMA_DB_DONE)
    {
      *finding = QOIMA_COUNT_UNKNOWN;
      return TRUE;
    }
  if (rc != QOIMA_DB_ROW)
    {
      qoima_store_worker_set_step_error (worker, rc, error);
      return FALSE;
    }
  {
    const char *status = qoima_db_column_text (stmt, 0);

    if (g_strcmp0 (status, "in_stock") != 0 && g_strcmp0 (status, "opened") != 0)
      *finding = QOIMA_COUNT_OUT_OF_CIRCULATION;
    else if (qoima_db_column_int64 (stmt, 1) != location_id)
      *finding = QOIMA_COUNT_ELSEWHERE;
    else
      *finding = QOIMA_COUNT_FOUND;
    if (scan != NULL)
      {
        scan->name = g_strdup (qoima_pick_name (qoima_db_column_text (stmt, 2),
                                                qoima_db_column_text (stmt, 3)));
        scan->opened = g_strcmp0 (status, "opened") == 0;
        scan->units_per_pack = (int) qoima_db_column_int64 (stmt, 4);
      }
  }
  return TRUE;
}

/* The packs the acts put in the box @box (boxes within it too) that the store knows. */
static GPtrArray *
box_packs (QoimaStoreWorker  *worker,
           const char        *box,
           GError           **error)
{
  g_autoptr(GPtrArray) kis = g_ptr_array_new_with_free_func (g_free);

  if (!qoima_store_worker_add_box_packs (worker, box, kis, error))
    return NULL;
  if (kis->len == 0)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                   _("The box %s holds none of the hospital’s packs: scan its packs one by one."), box);
      return NULL;
    }
  return g_steal_pointer (&kis);
}

static gboolean
count_code_body (QoimaStoreWorker  *worker,
                 GTask             *task,
                 GError           **error)
{
  CountData *data = g_task_get_task_data (task);
  g_autoptr(QoimaCountScan) scan = g_new0 (QoimaCountScan, 1);
  g_autoptr(GPtrArray) kis = NULL;
  g_autofree char *now = qoima_store_now_iso8601 ();
  gboolean box = is_box_code (data->code);
  gint64 location_id;

  if (!load_open_count (worker, data->user, data->count_id, &location_id, error))
    return FALSE;

  if (box)
    {
      if ((kis = box_packs (worker, data->code, error)) == NULL)
        return FALSE;
    }
  else
    {
      kis = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (kis, g_strdup (data->code));
    }

  for (guint i = 0; i < kis->len; i++)
    {
      const char *ki = g_ptr_array_index (kis, i);
      g_autoptr(QoimaDbStmt) insert = NULL;
      QoimaCountFinding finding;

      /* What the scan shows is its first pack's: a box's packs are alike. */
      if (!classify (worker, ki, location_id, &finding, i == 0 ? scan : NULL, error))
        return FALSE;
      if (i == 0)
        {
          scan->finding = finding;
          scan->ki = g_strdup (ki);
        }

      insert = qoima_db_prepare (qoima_store_worker_get_db (worker),
                                 "INSERT INTO count_scans (count_id, ki, box, scanned_by, scanned_at) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (count_id, ki) DO NOTHING",
                                 error);
      if (insert == NULL)
        return FALSE;
      qoima_db_bind_int64 (insert, 1, data->count_id);
      qoima_db_bind_text (insert, 2, ki);
      if (box)
        qoima_db_bind_text (insert, 3, data->code);
      qoima_db_bind_text (insert, 4, qoima_user_get_name (data->user));
      qoima_db_bind_text (insert, 5, now);
      if (!qoima_db_step_done (insert, error))
        return FALSE;
      if (qoima_db_changes (insert) > 0)
        scan->added++;
      else
        scan->already++;
    }

  data->out = g_steal_pointer (&scan);
  data->out_free = (GDestroyNotify) qoima_count_scan_free;
  return TRUE;
}

static void
count_code_job (QoimaStoreWorker *worker,
                GTask            *task)
{
  CountData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = g_strdup_printf ("stock count %" G_GINT64_FORMAT, data->count_id);

  qoima_store_worker_set_actor (worker, data->user ? qoima_user_get_name (data->user) : NULL, reason);
  if (!qoima_store_worker_in_transaction (worker, task, count_code_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, g_steal_pointer (&data->out), (GDestroyNotify) qoima_count_scan_free);
}

void
qoima_store_count_code_async (QoimaStore          *self,
                              QoimaUser           *user,
                              gint64               count_id,
                              const char          *code,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  CountData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (count_id > 0);
  g_return_if_fail (code != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = count_data_new (user);
  data->count_id = count_id;
  data->code = g_strdup (code);
  qoima_store_queue_write (self, count_code_job,
                           qoima_store_task_new (self, qoima_store_count_code_async, data,
                                                 (GDestroyNotify) count_data_free,
                                                 cancellable, callback, user_data));
}

QoimaCountScan *
qoima_store_count_code_finish (QoimaStore    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_count_code_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The units of an opened pack. */

static gboolean
count_units_body (QoimaStoreWorker  *worker,
                  GTask             *task,
                  GError           **error)
{
  CountData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) pack = NULL;
  g_autoptr(QoimaDbStmt) update = NULL;
  gint64 location_id;
  QoimaDbStep rc;

  if (!load_open_count (worker, data->user, data->count_id, &location_id, error))
    return FALSE;

  pack = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT p.units_per_pack, s.id FROM count_scans s "
                           "JOIN packs pk ON pk.ki = s.ki JOIN products p ON p.gtin = pk.gtin "
                           "WHERE s.count_id = ?1 AND s.ki = ?2",
                           error);
  if (pack == NULL)
    return FALSE;
  qoima_db_bind_int64 (pack, 1, data->count_id);
  qoima_db_bind_text (pack, 2, data->code);
  rc = qoima_db_step (pack, error);
  if (rc == QOIMA_DB_DONE)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                   _("The pack %s is not counted yet: scan it first."), data->code);
      return FALSE;
    }
  if (rc != QOIMA_DB_ROW)
    {
      qoima_store_worker_set_step_error (worker, rc, error);
      return FALSE;
    }
  if (qoima_db_column_is_null (pack, 0))
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The units per pack of %s are not known yet: set them before counting units."), data->code);
      return FALSE;
    }
  if (data->units < 1 || data->units > (int) qoima_db_column_int64 (pack, 0))
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("Enter between 1 and %d units; a pack with no units left is logged as used on the Use page."),
                   (int) qoima_db_column_int64 (pack, 0));
      return FALSE;
    }

  update = qoima_db_prepare (qoima_store_worker_get_db (worker), "UPDATE count_scans SET units = ?2 WHERE id = ?1", error);
  if (update == NULL)
    return FALSE;
  qoima_db_bind_int64 (update, 1, qoima_db_column_int64 (pack, 1));
  qoima_db_bind_int64 (update, 2, data->units);
  return qoima_db_step_done (update, error);
}

static void
count_units_job (QoimaStoreWorker *worker,
                 GTask            *task)
{
  CountData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = g_strdup_printf ("stock count %" G_GINT64_FORMAT, data->count_id);

  qoima_store_worker_set_actor (worker, data->user ? qoima_user_get_name (data->user) : NULL, reason);
  if (!qoima_store_worker_in_transaction (worker, task, count_units_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

void
qoima_store_count_units_async (QoimaStore          *self,
                               QoimaUser           *user,
                               gint64               count_id,
                               const char          *ki,
                               int                  units,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  CountData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (count_id > 0);
  g_return_if_fail (ki != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = count_data_new (user);
  data->count_id = count_id;
  data->code = g_strdup (ki);
  data->units = units;
  qoima_store_queue_write (self, count_units_job,
                           qoima_store_task_new (self, qoima_store_count_units_async, data,
                                                 (GDestroyNotify) count_data_free,
                                                 cancellable, callback, user_data));
}

gboolean
qoima_store_count_units_finish (QoimaStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_count_units_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The findings. One query gives them live (an open count) and the same columns are frozen
 * into count_findings when the count is finished, so both read alike. */
#define LIVE_FINDINGS \
  "SELECT s.ki AS ki, coalesce (pk.gtin, CASE WHEN substr (s.ki, 1, 2) = '01' AND substr (s.ki, 3, 1) BETWEEN '0' AND '9' THEN substr (s.ki, 3, 14) END) AS gtin," \
  "       pk.batch AS batch, pk.expiry AS expiry," \
  "       CASE WHEN pk.id IS NULL THEN 'unknown'" \
  "            WHEN pk.status NOT IN ('in_stock', 'opened') THEN 'out_of_circulation'" \
  "            WHEN pk.location_id <> c.location_id THEN 'elsewhere'" \
  "            ELSE 'found' END AS finding," \
  "       CASE WHEN pk.location_id <> c.location_id THEN pk.location_id END AS book_location_id," \
  "       pk.status AS book_status, pk.units_left AS book_units, s.units AS counted_units" \
  "  FROM counts c JOIN count_scans s ON s.count_id = c.id LEFT JOIN packs pk ON pk.ki = s.ki" \
  "  WHERE c.id = ?1 " \
  "UNION ALL " \
  "SELECT pk.ki, pk.gtin, pk.batch, pk.expiry, 'missing', NULL, pk.status, pk.units_left, NULL" \
  "  FROM counts c JOIN packs pk ON pk.location_id = c.location_id AND pk.status IN ('in_stock', 'opened')" \
  "  WHERE c.id = ?1 AND NOT EXISTS (SELECT 1 FROM count_scans s WHERE s.count_id = c.id AND s.ki = pk.ki)"

#define FROZEN_FINDINGS \
  "SELECT ki, gtin, batch, expiry, finding, book_location_id, book_status, book_units, counted_units" \
  "  FROM count_findings WHERE count_id = ?1"

static QoimaCount *
load_count (QoimaStoreWorker  *worker,
            gint64             count_id,
            GError           **error)
{
  g_autoptr(QoimaCount) count = g_new0 (QoimaCount, 1);
  g_autoptr(QoimaDbStmt) head = NULL;
  g_autoptr(QoimaDbStmt) findings = NULL;
  g_autoptr(GHashTable) tallies = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *state = NULL;
  QoimaDbStep rc;

  head = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT c.location_id, l.name_ru, l.name_kk, c.state, c.started_by, c.started_at,"
                           "       c.finished_at, c.signed_off_by, c.signed_off_at "
                           "FROM counts c JOIN locations l ON l.id = c.location_id WHERE c.id = ?1",
                           error);
  if (head == NULL)
    return NULL;
  qoima_db_bind_int64 (head, 1, count_id);
  rc = qoima_db_step (head, error);
  if (rc == QOIMA_DB_DONE)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                   _("There is no stock count number %lld."), (long long) count_id);
      return NULL;
    }
  if (rc != QOIMA_DB_ROW)
    {
      qoima_store_worker_set_step_error (worker, rc, error);
      return NULL;
    }
  count->id = count_id;
  count->location_id = qoima_db_column_int64 (head, 0);
  count->location_name = g_strdup (qoima_pick_name (qoima_db_column_text (head, 1),
                                                    qoima_db_column_text (head, 2)));
  state = qoima_store_column_dup (head, 3);
  if (!state_from_nick (state, &count->state))
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                   _("The stock count %lld has an unknown state."), (long long) count_id);
      return NULL;
    }
  count->started_by = qoima_store_column_dup (head, 4);
  count->started_at = qoima_store_column_dup (head, 5);
  count->finished_at = qoima_store_column_dup (head, 6);
  count->signed_off_by = qoima_store_column_dup (head, 7);
  count->signed_off_at = qoima_store_column_dup (head, 8);
  count->tally = g_ptr_array_new_with_free_func ((GDestroyNotify) count_tally_free);
  count->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) count_line_free);

  findings = qoima_db_prepare (qoima_store_worker_get_db (worker),
                               "SELECT f.ki, f.gtin, f.batch, f.expiry, f.finding, f.book_status,"
                               "       f.book_units, f.counted_units, p.name_ru, p.name_kk, bl.name_ru, bl.name_kk "
                               "FROM (" LIVE_FINDINGS ") f "
                               "LEFT JOIN products p ON p.gtin = f.gtin "
                               "LEFT JOIN locations bl ON bl.id = f.book_location_id "
                               "WHERE (SELECT state FROM counts WHERE id = ?1) = 'open' "
                               "UNION ALL "
                               "SELECT f.ki, f.gtin, f.batch, f.expiry, f.finding, f.book_status,"
                               "       f.book_units, f.counted_units, p.name_ru, p.name_kk, bl.name_ru, bl.name_kk "
                               "FROM (" FROZEN_FINDINGS ") f "
                               "LEFT JOIN products p ON p.gtin = f.gtin "
                               "LEFT JOIN locations bl ON bl.id = f.book_location_id "
                               "ORDER BY 9, 1",
                               error);
  if (findings == NULL)
    return NULL;
  qoima_db_bind_int64 (findings, 1, count_id);
  while ((rc = qoima_db_step (findings, error)) == QOIMA_DB_ROW)
    {
      const char *gtin = qoima_db_column_text (findings, 1);
      const char *name = qoima_pick_name (qoima_db_column_text (findings, 8),
                                          qoima_db_column_text (findings, 9));
      g_autofree char *nick = qoima_store_column_dup (findings, 4);
      QoimaCountFinding finding;
      QoimaCountTally *tally;
      int book_units = qoima_db_column_is_null (findings, 6) ? -1 : (int) qoima_db_column_int64 (findings, 6);
      int counted_units = qoima_db_column_is_null (findings, 7) ? -1 : (int) qoima_db_column_int64 (findings, 7);

      if (!finding_from_nick (nick, &finding))
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                       _("The stock count %lld has an unknown finding."), (long long) count_id);
          return NULL;
        }

      /* A tally per product the hospital knows; codes it never had are listed, not tallied. */
      if (gtin != NULL && name != NULL)
        {
          tally = g_hash_table_lookup (tallies, gtin);
          if (tally == NULL)
            {
              tally = g_new0 (QoimaCountTally, 1);
              tally->gtin = g_strdup (gtin);
              tally->name = g_strdup (name);
              g_ptr_array_add (count->tally, tally);
              g_hash_table_insert (tallies, tally->gtin, tally);
            }
          if (finding == QOIMA_COUNT_FOUND || finding == QOIMA_COUNT_MISSING)
            tally->expected++;
          if (finding != QOIMA_COUNT_MISSING)
            tally->counted++;
        }

      if (finding == QOIMA_COUNT_FOUND)
        count->n_found++;
      if (finding != QOIMA_COUNT_FOUND || (counted_units >= 0 && counted_units != book_units))
        {
          QoimaCountLine *line = g_new0 (QoimaCountLine, 1);

          line->ki = qoima_store_column_dup (findings, 0);
          line->gtin = g_strdup (gtin);
          line->name = g_strdup (name);
          line->batch = qoima_store_column_dup (findings, 2);
          line->expiry = qoima_store_column_dup (findings, 3);
          line->finding = finding;
          if (finding == QOIMA_COUNT_ELSEWHERE)
            line->book_location = g_strdup (qoima_pick_name (qoima_db_column_text (findings, 10),
                                                             qoima_db_column_text (findings, 11)));
          if (finding == QOIMA_COUNT_OUT_OF_CIRCULATION)
            line->book_status = qoima_store_column_dup (findings, 5);
          line->book_units = book_units;
          line->counted_units = counted_units;
          g_ptr_array_add (count->lines, line);
        }
    }
  if (rc != QOIMA_DB_DONE)
    {
      qoima_store_worker_set_step_error (worker, rc, error);
      return NULL;
    }
  return g_steal_pointer (&count);
}

static void
load_count_job (QoimaStoreWorker *worker,
                GTask            *task)
{
  gint64 *count_id = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  QoimaCount *count;

  if (!qoima_db_begin_read (qoima_store_worker_get_db (worker), &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  count = load_count (worker, *count_id, &local_error);
  qoima_store_worker_rollback (worker);
  if (count == NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, count, (GDestroyNotify) qoima_count_free);
}

void
qoima_store_load_count_async (QoimaStore          *self,
                              gint64               count_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (count_id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  qoima_store_queue_job (self, load_count_job,
                         qoima_store_task_new (self, qoima_store_load_count_async,
                                               g_memdup2 (&count_id, sizeof count_id), g_free,
                                               cancellable, callback, user_data));
}

QoimaCount *
qoima_store_load_count_finish (QoimaStore    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_load_count_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Finishing: the findings frozen. */

static gboolean
finish_count_body (QoimaStoreWorker  *worker,
                   GTask             *task,
                   GError           **error)
{
  CountData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) freeze = NULL;
  g_autoptr(QoimaDbStmt) update = NULL;
  g_autofree char *now = qoima_store_now_iso8601 ();
  gint64 location_id;

  if (!load_open_count (worker, data->user, data->count_id, &location_id, error))
    return FALSE;

  freeze = qoima_db_prepare (qoima_store_worker_get_db (worker),
                             "INSERT INTO count_findings (count_id, ki, gtin, batch, expiry, finding,"
                             "  book_location_id, book_status, book_units, counted_units) "
                             "SELECT ?1, ki, gtin, batch, expiry, finding, book_location_id, book_status,"
                             "  book_units, counted_units FROM (" LIVE_FINDINGS ") AS f",
                             error);
  if (freeze == NULL)
    return FALSE;
  qoima_db_bind_int64 (freeze, 1, data->count_id);
  if (!qoima_db_step_done (freeze, error))
    return FALSE;

  update = qoima_db_prepare (qoima_store_worker_get_db (worker),
                             "UPDATE counts SET state = 'finished', finished_by = ?2, finished_at = ?3 WHERE id = ?1",
                             error);
  if (update == NULL)
    return FALSE;
  qoima_db_bind_int64 (update, 1, data->count_id);
  qoima_db_bind_text (update, 2, qoima_user_get_name (data->user));
  qoima_db_bind_text (update, 3, now);
  return qoima_db_step_done (update, error);
}

static void
finish_count_job (QoimaStoreWorker *worker,
                  GTask            *task)
{
  CountData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = g_strdup_printf ("stock count %" G_GINT64_FORMAT, data->count_id);

  qoima_store_worker_set_actor (worker, data->user ? qoima_user_get_name (data->user) : NULL, reason);
  if (!qoima_store_worker_in_transaction (worker, task, finish_count_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

void
qoima_store_finish_count_async (QoimaStore          *self,
                                QoimaUser           *user,
                                gint64               count_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  CountData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (count_id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = count_data_new (user);
  data->count_id = count_id;
  qoima_store_queue_write (self, finish_count_job,
                           qoima_store_task_new (self, qoima_store_finish_count_async, data,
                                                 (GDestroyNotify) count_data_free,
                                                 cancellable, callback, user_data));
}

gboolean
qoima_store_finish_count_finish (QoimaStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_finish_count_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The chief's sign-off: the corrections, in the same transaction as the state. Each
 * correction is checked against the book as it is now: a pack used, moved or written off
 * since the count was finished is left alone (the count no longer describes it). */

static gboolean
sign_off_body (QoimaStoreWorker  *worker,
               GTask             *task,
               GError           **error)
{
  CountData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) move = NULL;
  g_autoptr(QoimaDbStmt) units = NULL;
  g_autoptr(QoimaDbStmt) lost = NULL;
  g_autoptr(QoimaDbStmt) update = NULL;
  g_autofree char *now = qoima_store_now_iso8601 ();
  g_autofree char *reason = g_strdup_printf ("stock count %" G_GINT64_FORMAT, data->count_id);
  const char *actor = qoima_user_get_name (data->user);
  QoimaCountState state;
  gint64 location_id;
  int corrections = 0;

  if (!load_count_head (worker, data->count_id, &location_id, &state, error))
    return FALSE;
  if (state != QOIMA_COUNT_FINISHED)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   state == QOIMA_COUNT_OPEN
                   ? _("The stock count %lld is still being counted: finish it first.")
                   : _("The stock count %lld is already signed off."),
                   (long long) data->count_id);
      return FALSE;
    }

  /* Found here, booked elsewhere: moved here. */
  move = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "INSERT INTO movements (pack_id, at, actor, kind, from_location, to_location,"
                           "  units_delta, units_after, status_after, location_after, reason) "
                           "SELECT pk.id, ?2, ?3, 'correction', pk.location_id, ?4, 0, pk.units_left,"
                           "  pk.status, ?4, ?5 "
                           "FROM count_findings f JOIN packs pk ON pk.ki = f.ki "
                           "WHERE f.count_id = ?1 AND f.finding = 'elsewhere' "
                           "  AND pk.location_id = f.book_location_id AND pk.status IN ('in_stock', 'opened') "
                           "ORDER BY pk.id",
                           error);
  if (move == NULL)
    return FALSE;
  qoima_db_bind_int64 (move, 1, data->count_id);
  qoima_db_bind_text (move, 2, now);
  qoima_db_bind_text (move, 3, actor);
  qoima_db_bind_int64 (move, 4, location_id);
  qoima_db_bind_text (move, 5, reason);
  if (!qoima_db_step_done (move, error))
    return FALSE;
  corrections += qoima_db_changes (move);

  /* Opened packs whose units differ from the book: set to what was counted. */
  units = qoima_db_prepare (qoima_store_worker_get_db (worker),
                            "INSERT INTO movements (pack_id, at, actor, kind, from_location,"
                            "  units_delta, units_after, status_after, location_after, reason) "
                            "SELECT pk.id, ?2, ?3, 'correction', pk.location_id,"
                            "  f.counted_units - coalesce (pk.units_left, 0), f.counted_units, 'opened',"
                            "  pk.location_id, ?4 "
                            "FROM count_findings f JOIN packs pk ON pk.ki = f.ki "
                            "WHERE f.count_id = ?1 AND f.counted_units IS NOT NULL "
                            "  AND f.finding IN ('found', 'elsewhere') AND pk.status IN ('in_stock', 'opened') "
                            "  AND pk.units_left IS DISTINCT FROM f.counted_units "
                            "ORDER BY pk.id",
                            error);
  if (units == NULL)
    return FALSE;
  qoima_db_bind_int64 (units, 1, data->count_id);
  qoima_db_bind_text (units, 2, now);
  qoima_db_bind_text (units, 3, actor);
  qoima_db_bind_text (units, 4, reason);
  if (!qoima_db_step_done (units, error))
    return FALSE;
  corrections += qoima_db_changes (units);

  /* Missing: a write-off owed as lost, unless one is owed already. */
  lost = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "INSERT INTO withdrawals_owed (pack_id, reason, owed_at) "
                           "SELECT pk.id, 'LOST', ?2 "
                           "FROM count_findings f JOIN packs pk ON pk.ki = f.ki "
                           "WHERE f.count_id = ?1 AND f.finding = 'missing' "
                           "  AND pk.location_id = ?3 AND pk.status IN ('in_stock', 'opened') "
                           "  AND NOT EXISTS (SELECT 1 FROM withdrawals_owed w WHERE w.pack_id = pk.id) "
                           "ORDER BY pk.id",
                           error);
  if (lost == NULL)
    return FALSE;
  qoima_db_bind_int64 (lost, 1, data->count_id);
  qoima_db_bind_text (lost, 2, now);
  qoima_db_bind_int64 (lost, 3, location_id);
  if (!qoima_db_step_done (lost, error))
    return FALSE;
  corrections += qoima_db_changes (lost);

  update = qoima_db_prepare (qoima_store_worker_get_db (worker),
                             "UPDATE counts SET state = 'signed_off', signed_off_by = ?2, signed_off_at = ?3 "
                             "WHERE id = ?1",
                             error);
  if (update == NULL)
    return FALSE;
  qoima_db_bind_int64 (update, 1, data->count_id);
  qoima_db_bind_text (update, 2, actor);
  qoima_db_bind_text (update, 3, now);
  if (!qoima_db_step_done (update, error))
    return FALSE;

  data->out = g_memdup2 (&corrections, sizeof corrections);
  data->out_free = g_free;
  return TRUE;
}

static void
sign_off_job (QoimaStoreWorker *worker,
              GTask            *task)
{
  CountData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = g_strdup_printf ("stock count %" G_GINT64_FORMAT, data->count_id);

  /* Corrections owe write-offs: the chief's to make. */
  if (!qoima_user_check (data->user, QOIMA_PERMISSION_WRITE_OFF, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_store_worker_set_actor (worker, qoima_user_get_name (data->user), reason);
  if (!qoima_store_worker_in_transaction (worker, task, sign_off_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_int (task, *(int *) data->out);
}

void
qoima_store_sign_off_count_async (QoimaStore          *self,
                                  QoimaUser           *user,
                                  gint64               count_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  CountData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (count_id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = count_data_new (user);
  data->count_id = count_id;
  qoima_store_queue_write (self, sign_off_job,
                           qoima_store_task_new (self, qoima_store_sign_off_count_async, data,
                                                 (GDestroyNotify) count_data_free,
                                                 cancellable, callback, user_data));
}

int
qoima_store_sign_off_count_finish (QoimaStore    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  GError *local_error = NULL;
  gssize corrections;

  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_sign_off_count_async), -1);
  corrections = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return -1;
    }
  return (int) corrections;
}
