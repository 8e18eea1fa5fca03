/* qoima-store-reports.c: reports on use, opened packs and withdrawals, made by the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-store-reports.h"

#include "qoima-date.h"
#include "qoima-enums.h"
#include "qoima-ismpt-documents.h"
#include "qoima-store-private.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

/* Making reports on the store's worker. */

typedef struct
{
  QoimaUser *user;
  QoimaReportKind kind;
  char *from; /* YYYY-MM-DD or NULL */
  char *to;
  gint64 location;
} ReportData;

static void
report_data_free (ReportData *data)
{
  g_clear_object (&data->user);
  g_free (data->from);
  g_free (data->to);
  g_free (data);
}

/* A USE movement "m" that no CORRECTION undid: undo names the use in its reason
 * ("undo of use ID", qoima-store-ledger.c). */
#define USE_NOT_UNDONE \
  "m.kind = 'use' AND NOT EXISTS (SELECT 1 FROM movements c WHERE c.pack_id = m.pack_id " \
  "  AND c.kind = 'correction' AND c.reason = 'undo of use ' || m.id)"

/* ?1, ?2: the period as times (UTC, as the store writes them; NULL: open): from the first
 * local day's midnight, to before the midnight after the last local day; ?3: the location
 * (0: all). The local days are turned into times in C, as both engines compare the store's
 * ISO 8601 text alike where they share no date function. */
#define PERIOD_FILTER(column) \
  "(CAST (?1 AS TEXT) IS NULL OR " column " >= ?1)" \
  "  AND (CAST (?2 AS TEXT) IS NULL OR " column " < ?2)"
#define USE_FILTER \
  "WHERE " USE_NOT_UNDONE \
  "  AND " PERIOD_FILTER ("m.at") \
  "  AND (?3 = 0 OR m.location_after = ?3) "

#define USE_JOINS \
  "FROM movements m JOIN packs pk ON pk.id = m.pack_id JOIN products p ON p.gtin = pk.gtin " \
  "JOIN locations l ON l.id = m.location_after "

/* Each query's columns: a name is two SQL columns (Russian, Kazakh) picked as the user's
 * language wants; the others are one each. */
typedef enum {
  CELL_TEXT,
  CELL_NAME,     /* name_ru, name_kk */
  CELL_NUMBER,   /* summed into the column's total */
  CELL_COUNT,    /* a number with no total (patients: one may be in several rows) */
  CELL_REASON,   /* a withdrawal's reason code */
  CELL_STATUS,   /* a withdrawal's outbox state, or 'owed' */
  CELL_DATE,     /* YYYY-MM-DD or NULL */
  CELL_LOCAL_DAY, /* a time as the store writes it (UTC), shown as its local day, YYYY-MM-DD */
} CellKind;

typedef struct
{
  const char *sql;
  CellKind cells[9];
  guint n_cells;
} ReportQuery;

static const ReportQuery queries[] = {
  [QOIMA_REPORT_USE_BY_PATIENT] = {
    "SELECT coalesce (pt.iin, pt.record_number), p.name_ru, p.name_kk, l.name_ru, l.name_kk, "
    "  sum (-m.units_delta) "
    USE_JOINS "JOIN patients pt ON pt.id = m.patient_id "
    USE_FILTER
    "GROUP BY pt.id, p.gtin, l.id ORDER BY 1, p.name_ru, l.name_ru",
    { CELL_TEXT, CELL_NAME, CELL_NAME, CELL_NUMBER }, 4,
  },
  [QOIMA_REPORT_USE_BY_WARD] = {
    "SELECT l.name_ru, l.name_kk, p.name_ru, p.name_kk, count (DISTINCT m.patient_id), "
    "  sum (-m.units_delta) "
    USE_JOINS USE_FILTER
    "GROUP BY l.id, p.gtin ORDER BY l.name_ru, p.name_ru",
    { CELL_NAME, CELL_NAME, CELL_COUNT, CELL_NUMBER }, 4,
  },
  [QOIMA_REPORT_USE_BY_MEDICINE] = {
    "SELECT p.name_ru, p.name_kk, p.gtin, count (DISTINCT m.patient_id), sum (-m.units_delta) "
    USE_JOINS USE_FILTER
    "GROUP BY p.gtin ORDER BY p.name_ru, p.gtin",
    { CELL_NAME, CELL_TEXT, CELL_COUNT, CELL_NUMBER }, 4,
  },
  [QOIMA_REPORT_OPENED] = {
    /* Opened since: the first movement that left the pack opened, a use not undone or a
     * receipt of a pack already opened (the demo's, an opening balance). */
    "SELECT p.name_ru, p.name_kk, pk.ki, l.name_ru, l.name_kk, pk.units_left, pk.expiry, "
    "  (SELECT min (m.at) FROM movements m WHERE m.pack_id = pk.id AND "
    "     ((" USE_NOT_UNDONE ") OR (m.kind = 'receipt' AND m.status_after = 'opened'))) "
    "FROM packs pk JOIN products p ON p.gtin = pk.gtin JOIN locations l ON l.id = pk.location_id "
    /* ?1: the location (0: all); no period, and PostgreSQL takes no parameter the SQL skips. */
    "WHERE pk.status = 'opened' AND (?1 = 0 OR pk.location_id = ?1) "
    "ORDER BY l.name_ru, p.name_ru, pk.ki",
    { CELL_NAME, CELL_TEXT, CELL_NAME, CELL_NUMBER, CELL_DATE, CELL_LOCAL_DAY }, 6,
  },
  [QOIMA_REPORT_WITHDRAWALS] = {
    "SELECT pk.ki, p.name_ru, p.name_kk, w.reason, w.owed_at, o.document_number, "
    "  coalesce (o.state, 'owed'), o.ismpt_status, o.errors "
    "FROM withdrawals_owed w JOIN packs pk ON pk.id = w.pack_id JOIN products p ON p.gtin = pk.gtin "
    "LEFT JOIN outbox o ON o.id = w.outbox_id "
    "WHERE " PERIOD_FILTER ("w.owed_at")
    "  AND (?3 = 0 OR pk.location_id = ?3) "
    "ORDER BY w.id",
    { CELL_TEXT, CELL_NAME, CELL_REASON, CELL_LOCAL_DAY, CELL_TEXT, CELL_STATUS, CELL_TEXT, CELL_TEXT }, 8,
  },
};

static GStrv
column_titles (QoimaReportKind kind)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv titles;

  switch (kind)
    {
    case QOIMA_REPORT_USE_BY_PATIENT:
      g_strv_builder_add_many (builder, _("Patient"), _("Medicine"), _("Ward"), _("Units"), NULL);
      break;
    case QOIMA_REPORT_USE_BY_WARD:
      g_strv_builder_add_many (builder, _("Ward"), _("Medicine"), _("Patients"), _("Units"), NULL);
      break;
    case QOIMA_REPORT_USE_BY_MEDICINE:
      g_strv_builder_add_many (builder, _("Medicine"), _("GTIN"), _("Patients"), _("Units"), NULL);
      break;
    case QOIMA_REPORT_OPENED:
      /* Packs are opened in the warehouse too: its column is not "Ward". */
      g_strv_builder_add_many (builder, _("Medicine"), _("Pack"), _("Location"), _("Units left"),
                               _("Expiry"), _("Opened since"), NULL);
      break;
    case QOIMA_REPORT_WITHDRAWALS:
      g_strv_builder_add_many (builder, _("Pack"), _("Medicine"), _("Reason"), _("Owed since"),
                               _("Document"), _("Status"), _("ИС МПТ status"), _("Errors"), NULL);
      break;
    default:
      g_assert_not_reached ();
    }
  titles = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return titles;
}

/* The reason's name from the one table of reasons (qoima-ismpt-documents.c). */
static const char *
reason_label (const char *reason)
{
  QoimaWithdrawalReason value;

  if (reason != NULL && qoima_withdrawal_reason_from_nick (reason, &value))
    return qoima_withdrawal_reason_to_label (value);
  return reason;
}

static const char *
status_label (const char *state)
{
  if (g_strcmp0 (state, "owed") == 0)
    return _("Owed, not yet signed");
  if (g_strcmp0 (state, "ready") == 0)
    return _("Signed, waiting to be sent");
  if (g_strcmp0 (state, "sending") == 0)
    return _("Sending");
  if (g_strcmp0 (state, "sent") == 0)
    return _("Sent, waiting for ИС МПТ");
  if (g_strcmp0 (state, "done") == 0)
    return _("Done");
  if (g_strcmp0 (state, "failed") == 0)
    return _("Refused by ИС МПТ");
  return state;
}

/* The location's name, for the title; NULL when it does not exist. */
static char *
location_name (QoimaStoreWorker  *worker,
               gint64             location,
               GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep found;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT name_ru, name_kk FROM locations WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  qoima_db_bind_int64 (stmt, 1, location);
  found = qoima_db_step (stmt, error);
  if (found == QOIMA_DB_ROW)
    return g_strdup (qoima_pick_name (qoima_db_column_text (stmt, 0), qoima_db_column_text (stmt, 1)));
  if (found == QOIMA_DB_DONE)
    g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                         _("The ward of the report does not exist."));
  return NULL;
}

static char *
make_title (ReportData *data,
            const char *ward)
{
  GString *title = g_string_new (qoima_report_kind_to_label (data->kind));

  if (data->kind != QOIMA_REPORT_OPENED && (data->from != NULL || data->to != NULL))
    {
      /* An open end of the period shows as an ellipsis; the title is for people, so its
       * days are written as on screen. */
      g_autofree char *from = data->from != NULL ? qoima_format_iso_date (data->from) : g_strdup ("…");
      g_autofree char *to = data->to != NULL ? qoima_format_iso_date (data->to) : g_strdup ("…");

      g_string_append_printf (title, ", %s – %s", from, to);
    }
  if (ward != NULL)
    g_string_append_printf (title, ", %s", ward);
  return g_string_free (title, FALSE);
}

/* The first second of the local day @day (YYYY-MM-DD) plus @days days, as the store writes
 * times (UTC); NULL for NULL. */
static char *
local_midnight_utc (const char *day,
                    int         days)
{
  g_autoptr(GDateTime) midnight = NULL;
  g_autoptr(GDateTime) shifted = NULL;
  g_autoptr(GDateTime) utc = NULL;
  unsigned year, month, mday;

  if (day == NULL || sscanf (day, "%4u-%2u-%2u", &year, &month, &mday) != 3)
    return NULL;
  midnight = g_date_time_new_local ((int) year, (int) month, (int) mday, 0, 0, 0);
  if (midnight == NULL)
    return NULL;
  shifted = g_date_time_add_days (midnight, days);
  utc = g_date_time_to_utc (shifted);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* The local day (YYYY-MM-DD) of a time the store wrote (UTC, ISO 8601); NULL for NULL. */
static char *
local_day (const char *time)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL || (utc = g_date_time_new_from_iso8601 (time, NULL)) == NULL)
    return NULL;
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d");
}

static QoimaReport *
make_report (QoimaStoreWorker  *worker,
             ReportData        *data,
             GError           **error)
{
  const ReportQuery *query = &queries[data->kind];
  g_autoptr(QoimaReport) report = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autofree char *ward = NULL;
  g_autofree char *title = NULL;
  g_autofree char *from = local_midnight_utc (data->from, 0);
  g_autofree char *before = local_midnight_utc (data->to, 1);
  g_auto(GStrv) columns = column_titles (data->kind);
  g_autofree gint64 *totals = NULL;
  const char *cells[G_N_ELEMENTS (query->cells) + 1] = { NULL, };
  QoimaDbStep next;

  g_assert (g_strv_length (columns) == query->n_cells);

  if (data->location != 0 && (ward = location_name (worker, data->location, error)) == NULL)
    return NULL;

  title = make_title (data, ward);
  report = qoima_report_new (data->kind, title, (const char * const *) columns);
  for (guint i = 0; i < query->n_cells; i++)
    if (query->cells[i] == CELL_NUMBER || query->cells[i] == CELL_COUNT)
      qoima_report_set_column_kind (report, i, QOIMA_REPORT_COLUMN_NUMBER);
    else if (query->cells[i] == CELL_DATE || query->cells[i] == CELL_LOCAL_DAY)
      qoima_report_set_column_kind (report, i, QOIMA_REPORT_COLUMN_DATE);
  totals = g_new0 (gint64, query->n_cells);

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), query->sql, error);
  if (stmt == NULL)
    return NULL;
  if (data->kind == QOIMA_REPORT_OPENED)
    qoima_db_bind_int64 (stmt, 1, data->location);
  else
    {
      qoima_db_bind_text (stmt, 1, from);
      qoima_db_bind_text (stmt, 2, before);
      qoima_db_bind_int64 (stmt, 3, data->location);
    }

  while ((next = qoima_db_step (stmt, error)) == QOIMA_DB_ROW)
    {
      g_autoptr(GPtrArray) days = g_ptr_array_new_with_free_func (g_free);
      int sql_column = 0;

      for (guint i = 0; i < query->n_cells; i++)
        {
          const char *text = qoima_db_column_text (stmt, sql_column);

          switch (query->cells[i])
            {
            case CELL_NAME:
              cells[i] = qoima_pick_name (text, qoima_db_column_text (stmt, sql_column + 1));
              sql_column += 2;
              break;
            case CELL_NUMBER:
              totals[i] += qoima_db_column_int64 (stmt, sql_column);
              cells[i] = text;
              sql_column++;
              break;
            case CELL_LOCAL_DAY:
              cells[i] = local_day (text);
              g_ptr_array_add (days, (char *) cells[i]);
              sql_column++;
              break;
            case CELL_REASON:
              cells[i] = reason_label (text);
              sql_column++;
              break;
            case CELL_STATUS:
              cells[i] = status_label (text);
              sql_column++;
              break;
            case CELL_COUNT:
            case CELL_DATE:
            case CELL_TEXT:
            default:
              cells[i] = text;
              sql_column++;
              break;
            }
        }
      qoima_report_add_row (report, cells);
    }
  if (next == QOIMA_DB_ERROR_STEP)
    return NULL;

  for (guint i = 0; i < query->n_cells; i++)
    if (query->cells[i] == CELL_NUMBER)
      qoima_report_set_total (report, i, totals[i]);

  return g_steal_pointer (&report);
}

static void
make_report_job (QoimaStoreWorker *worker,
                 GTask            *task)
{
  ReportData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  QoimaReport *report;

  if (!qoima_user_check (data->user, QOIMA_PERMISSION_VIEW_REPORTS, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  /* One read transaction, so the rows and their totals see the same journal. */
  if (!qoima_db_begin_read (qoima_store_worker_get_db (worker), &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  report = make_report (worker, data, &local_error);
  qoima_db_rollback (qoima_store_worker_get_db (worker));
  if (report == NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, report, g_object_unref);
}

static char *
format_day (GDateTime *day)
{
  return day != NULL ? g_date_time_format (day, "%Y-%m-%d") : NULL;
}

void
qoima_store_make_report_async (QoimaStore          *self,
                               QoimaUser           *user,
                               QoimaReportKind      kind,
                               GDateTime           *from,
                               GDateTime           *to,
                               gint64               location,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  ReportData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail ((guint) kind < QOIMA_REPORT_N_KINDS);

  data = g_new0 (ReportData, 1);
  data->user = user ? g_object_ref (user) : NULL;
  data->kind = kind;
  data->from = format_day (from);
  data->to = format_day (to);
  data->location = location;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_make_report_async);
  g_task_set_task_data (task, data, (GDestroyNotify) report_data_free);
  qoima_store_queue_job (self, make_report_job, task);
}

QoimaReport *
qoima_store_make_report_finish (QoimaStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_make_report_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
