/* qoima-reports-page.h: the Reports page: use, opened packs and withdrawals, exported as CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-report.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_REPORTS_PAGE (qoima_reports_page_get_type ())

G_DECLARE_FINAL_TYPE (QoimaReportsPage, qoima_reports_page, QOIMA, REPORTS_PAGE, AdwBin)

QoimaContext    *qoima_reports_page_get_context     (QoimaReportsPage *self);
/* The context is a construct-only property; the report is made as the context's user.
 * Starting loads the wards and the report, and again whenever another user signs in. */
void             qoima_reports_page_start           (QoimaReportsPage *self);
gboolean         qoima_reports_page_get_loading     (QoimaReportsPage *self);

/* What the kind, period and ward controls set; each change makes the report again. */
QoimaReportKind  qoima_reports_page_get_kind        (QoimaReportsPage *self);
void             qoima_reports_page_set_kind        (QoimaReportsPage *self,
                                                     QoimaReportKind   kind);
/* The period's first and last day, both included (this month so far by default). */
void             qoima_reports_page_set_period      (QoimaReportsPage *self,
                                                     GDateTime        *from,
                                                     GDateTime        *to);
/* A location id; 0 for all wards. */
void             qoima_reports_page_set_location_id (QoimaReportsPage *self,
                                                     gint64            location_id);
/* Makes the report again (the `reports.reload` action). */
void             qoima_reports_page_reload          (QoimaReportsPage *self);

/* The report shown, or NULL before the first one. (transfer none) */
QoimaReport     *qoima_reports_page_get_report      (QoimaReportsPage *self);
/* The rows shown: a GtkStringList per row. (transfer none) */
GListModel      *qoima_reports_page_get_rows        (QoimaReportsPage *self);
GtkColumnView   *qoima_reports_page_get_column_view (QoimaReportsPage *self);
/* The totals line under the table ("" without totals). */
const char      *qoima_reports_page_get_summary     (QoimaReportsPage *self);

/**
 * qoima_reports_page_export_async:
 * @file: where the report goes; replaced when it exists
 *
 * Writes the report shown, without blocking: as an Excel workbook when @file's name ends in
 * ".xlsx" (qoima_report_write_xlsx(), on a thread), else as CSV separated as a spreadsheet
 * in the user's language expects (qoima_report_get_csv_separator()). The `reports.export`
 * (CSV) and `reports.export-xlsx` actions ask for @file with a file chooser and call this.
 */
void             qoima_reports_page_export_async    (QoimaReportsPage    *self,
                                                     GFile               *file,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean         qoima_reports_page_export_finish   (QoimaReportsPage  *self,
                                                     GAsyncResult      *result,
                                                     GError           **error);

/**
 * qoima_reports_page_export_islo_async:
 * @file: where the report goes; replaced when it exists
 *
 * Writes the month's dispensing for ИСЛО (R002-4, qoima-copay-islo.h) of the month the
 * period starts in, as the user who may view reports: each dispensed pack with its date,
 * fiscal receipt and marking code status as the outbox has it now; an Excel workbook when
 * @file's name ends in ".xlsx", else CSV; in Kazakh for a Kazakh interface, else Russian.
 * The store is read without blocking, the file written on a thread. The
 * `reports.export-islo-xlsx` and `reports.export-islo` (CSV) actions ask for @file.
 */
void             qoima_reports_page_export_islo_async  (QoimaReportsPage    *self,
                                                        GFile               *file,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean         qoima_reports_page_export_islo_finish (QoimaReportsPage  *self,
                                                        GAsyncResult      *result,
                                                        GError           **error);

G_END_DECLS
