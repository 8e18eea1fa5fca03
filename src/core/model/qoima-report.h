/* qoima-report.h: reports on use, opened packs and withdrawals, shown and exported as CSV and XLSX
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>


G_BEGIN_DECLS

typedef enum {
  QOIMA_REPORT_USE_BY_PATIENT, /*< nick=patients >*/
  QOIMA_REPORT_USE_BY_WARD, /*< nick=wards >*/
  QOIMA_REPORT_USE_BY_MEDICINE, /*< nick=medicines >*/
  QOIMA_REPORT_OPENED, /*< nick=opened >*/
  QOIMA_REPORT_WITHDRAWALS, /*< nick=withdrawals >*/
} QoimaReportKind;

#define QOIMA_REPORT_N_KINDS (QOIMA_REPORT_WITHDRAWALS + 1)

/* What a column's cells hold, so that a spreadsheet gets numbers and dates, not text. */
typedef enum {
  QOIMA_REPORT_COLUMN_TEXT,
  QOIMA_REPORT_COLUMN_NUMBER, /* whole numbers, written in the C locale ("1234") */
  QOIMA_REPORT_COLUMN_DATE,   /* "YYYY-MM-DD", or "" for none */
} QoimaReportColumnKind;

/* "patients", "wards", "medicines", "opened", "withdrawals": the command line's names. */
const char *qoima_report_kind_to_nick   (QoimaReportKind  kind);
gboolean    qoima_report_kind_from_nick (const char      *nick,
                                         QoimaReportKind *kind);
/* The report's name for the user ("Use by patient"…), translated. */
const char *qoima_report_kind_to_label  (QoimaReportKind  kind);

#define QOIMA_TYPE_REPORT (qoima_report_get_type ())

G_DECLARE_FINAL_TYPE (QoimaReport, qoima_report, QOIMA, REPORT, GObject)

/**
 * qoima_report_new:
 * @columns: (array zero-terminated=1): the column titles, as the user reads them
 *
 * An empty report; the store fills it with qoima_report_add_row() and sets its totals.
 */
QoimaReport        *qoima_report_new              (QoimaReportKind      kind,
                                                   const char          *title,
                                                   const char * const  *columns);
/* Appends a row of as many cells as there are columns; NULL cells are kept as "". */
void                qoima_report_add_row          (QoimaReport         *self,
                                                   const char * const  *cells);
/* Gives @column a numeric total (the sum of its cells, computed by the caller). */
void                qoima_report_set_total        (QoimaReport         *self,
                                                   guint                column,
                                                   gint64               total);

/* Marks what @column holds; every column is text until told. */
void                qoima_report_set_column_kind  (QoimaReport          *self,
                                                   guint                 column,
                                                   QoimaReportColumnKind kind);
QoimaReportColumnKind qoima_report_get_column_kind (QoimaReport *self,
                                                   guint        column);

QoimaReportKind     qoima_report_get_kind         (QoimaReport *self);
/* The report's name with its period and ward, e.g. "Use by patient, 2026-11-01 – 2026-11-30". */
const char         *qoima_report_get_title        (QoimaReport *self);
guint               qoima_report_get_n_columns    (QoimaReport *self);
const char         *qoima_report_get_column_title (QoimaReport *self,
                                                   guint        column);
guint               qoima_report_get_n_rows       (QoimaReport *self);
/* Returns: (array zero-terminated=1) (transfer none): the row's cells. */
const char * const *qoima_report_get_row          (QoimaReport *self,
                                                   guint        row);
const char         *qoima_report_get_cell         (QoimaReport *self,
                                                   guint        row,
                                                   guint        column);
/* Whether some column has a total. */
gboolean            qoima_report_has_totals       (QoimaReport *self);
/* The column's total, or -1 when the column has none (names, dates, statuses). */
gint64              qoima_report_get_total        (QoimaReport *self,
                                                   guint        column);
/* Returns: (array zero-terminated=1) (transfer none) (nullable): the totals as a row:
 * "Total" in the first column, the totals as numbers, "" elsewhere; NULL without totals. */
const char * const *qoima_report_get_totals_row   (QoimaReport *self);

/**
 * qoima_report_write_csv:
 *
 * Writes the report as CSV (RFC 4180) to @stream: UTF-8 with a byte order mark, so that
 * spreadsheet programs read Cyrillic right; CRLF line ends; a header row of the column
 * titles, the rows, then the totals row when there is one. A field holding a comma, a quote,
 * CR or LF is quoted, its quotes doubled. A field starting with =, +, - or @ gets a leading
 * apostrophe, so a spreadsheet never runs a medicine's name as a formula.
 */
gboolean            qoima_report_write_csv        (QoimaReport   *self,
                                                   GOutputStream *stream,
                                                   GCancellable  *cancellable,
                                                   GError       **error);
/* Returns: (transfer full): the CSV bytes qoima_report_write_csv() writes. */
GBytes             *qoima_report_to_csv           (QoimaReport *self);
/* As qoima_report_to_csv(), with @separator (',' or ';') between the fields. */
GBytes             *qoima_report_to_csv_separated (QoimaReport *self,
                                                   char         separator);
/**
 * qoima_report_get_csv_separator:
 *
 * The separator a spreadsheet in the user's language expects: ';' for Russian and Kazakh
 * (Excel there takes ',' for the decimal point), ',' otherwise.
 */
char                qoima_report_get_csv_separator (void);

/**
 * qoima_report_write_xlsx:
 * @path: the file to write (replaced)
 *
 * Writes the report as an Excel workbook (libxlsxwriter) of one sheet: a bold header row of
 * the column titles, the rows, then the totals row when there is one. Numbers are numbers,
 * dates are dates (shown in the spreadsheet's own date format), the columns as wide as
 * their text; the header row stays in view. Blocks on the file: call it off the main loop.
 */
gboolean            qoima_report_write_xlsx       (QoimaReport  *self,
                                                   const char   *path,
                                                   GError      **error);
/* Returns: (transfer full): the bytes of qoima_report_write_xlsx()'s file, or NULL with
 * @error set. Blocks as it does. */
GBytes             *qoima_report_to_xlsx          (QoimaReport  *self,
                                                   GError      **error);


G_END_DECLS
