/* qoima-report.c: reports on use, opened packs and withdrawals, shown and exported as CSV and XLSX
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-report"

#include "config.h"

#include "qoima-report.h"

#include "qoima-date.h"
#include "qoima-enums.h"
#include "qoima-ismpt-documents.h"
#include "qoima-store-private.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

struct _QoimaReport
{
  GObject parent_instance;

  QoimaReportKind kind;
  char *title;
  GStrv columns;
  guint n_columns;
  GPtrArray *rows;   /* GStrv, n_columns cells each */
  gint64 *totals;    /* per column; -1: none */
  QoimaReportColumnKind *column_kinds;
  GStrv totals_row;  /* built on demand */
};

G_DEFINE_FINAL_TYPE (QoimaReport, qoima_report, G_TYPE_OBJECT)

const char *
qoima_report_kind_to_nick (QoimaReportKind kind)
{
  return qoima_enum_to_nick (QOIMA_TYPE_REPORT_KIND, kind);
}

gboolean
qoima_report_kind_from_nick (const char      *nick,
                             QoimaReportKind *kind)
{
  int value;

  if (!qoima_enum_from_nick (QOIMA_TYPE_REPORT_KIND, nick, FALSE, &value))
    return FALSE;
  if (kind != NULL)
    *kind = (QoimaReportKind) value;
  return TRUE;
}

const char *
qoima_report_kind_to_label (QoimaReportKind kind)
{
  switch (kind)
    {
    case QOIMA_REPORT_USE_BY_PATIENT: return _("Use by patient");
    case QOIMA_REPORT_USE_BY_WARD: return _("Use by ward");
    case QOIMA_REPORT_USE_BY_MEDICINE: return _("Use by medicine");
    case QOIMA_REPORT_OPENED: return _("Packs opened and not finished");
    case QOIMA_REPORT_WITHDRAWALS: return _("Withdrawals");
    default: g_return_val_if_reached (NULL);
    }
}

static void
qoima_report_finalize (GObject *object)
{
  QoimaReport *self = QOIMA_REPORT (object);

  g_free (self->title);
  g_strfreev (self->columns);
  g_ptr_array_unref (self->rows);
  g_free (self->totals);
  g_free (self->column_kinds);
  g_strfreev (self->totals_row);

  G_OBJECT_CLASS (qoima_report_parent_class)->finalize (object);
}

static void
qoima_report_class_init (QoimaReportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = qoima_report_finalize;
}

static void
qoima_report_init (QoimaReport *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
}

QoimaReport *
qoima_report_new (QoimaReportKind      kind,
                  const char          *title,
                  const char * const  *columns)
{
  QoimaReport *self;

  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (columns != NULL && columns[0] != NULL, NULL);

  self = g_object_new (QOIMA_TYPE_REPORT, NULL);
  self->kind = kind;
  self->title = g_strdup (title);
  self->columns = g_strdupv ((char **) columns);
  self->n_columns = g_strv_length (self->columns);
  self->totals = g_new (gint64, self->n_columns);
  self->column_kinds = g_new0 (QoimaReportColumnKind, self->n_columns);
  for (guint i = 0; i < self->n_columns; i++)
    self->totals[i] = -1;
  return self;
}

void
qoima_report_add_row (QoimaReport         *self,
                      const char * const  *cells)
{
  GStrv row;

  g_return_if_fail (QOIMA_IS_REPORT (self));
  g_return_if_fail (cells != NULL);

  row = g_new0 (char *, self->n_columns + 1);
  for (guint i = 0; i < self->n_columns; i++)
    row[i] = g_strdup (cells[i] != NULL ? cells[i] : "");
  g_ptr_array_add (self->rows, row);
}

void
qoima_report_set_total (QoimaReport *self,
                        guint        column,
                        gint64       total)
{
  g_return_if_fail (QOIMA_IS_REPORT (self));
  g_return_if_fail (column < self->n_columns);

  self->totals[column] = total;
  g_clear_pointer (&self->totals_row, g_strfreev);
}

void
qoima_report_set_column_kind (QoimaReport           *self,
                              guint                  column,
                              QoimaReportColumnKind  kind)
{
  g_return_if_fail (QOIMA_IS_REPORT (self));
  g_return_if_fail (column < self->n_columns);

  self->column_kinds[column] = kind;
}

QoimaReportColumnKind
qoima_report_get_column_kind (QoimaReport *self,
                              guint        column)
{
  g_return_val_if_fail (QOIMA_IS_REPORT (self), QOIMA_REPORT_COLUMN_TEXT);
  g_return_val_if_fail (column < self->n_columns, QOIMA_REPORT_COLUMN_TEXT);

  return self->column_kinds[column];
}

QoimaReportKind
qoima_report_get_kind (QoimaReport *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORT (self), QOIMA_REPORT_USE_BY_PATIENT);

  return self->kind;
}

const char *
qoima_report_get_title (QoimaReport *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORT (self), NULL);

  return self->title;
}

guint
qoima_report_get_n_columns (QoimaReport *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORT (self), 0);

  return self->n_columns;
}

const char *
qoima_report_get_column_title (QoimaReport *self,
                               guint        column)
{
  g_return_val_if_fail (QOIMA_IS_REPORT (self), NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);

  return self->columns[column];
}

guint
qoima_report_get_n_rows (QoimaReport *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORT (self), 0);

  return self->rows->len;
}

const char * const *
qoima_report_get_row (QoimaReport *self,
                      guint        row)
{
  g_return_val_if_fail (QOIMA_IS_REPORT (self), NULL);
  g_return_val_if_fail (row < self->rows->len, NULL);

  return g_ptr_array_index (self->rows, row);
}

const char *
qoima_report_get_cell (QoimaReport *self,
                       guint        row,
                       guint        column)
{
  g_return_val_if_fail (QOIMA_IS_REPORT (self), NULL);
  g_return_val_if_fail (row < self->rows->len, NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);

  return ((char **) g_ptr_array_index (self->rows, row))[column];
}

gboolean
qoima_report_has_totals (QoimaReport *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORT (self), FALSE);

  for (guint i = 0; i < self->n_columns; i++)
    if (self->totals[i] >= 0)
      return TRUE;
  return FALSE;
}

gint64
qoima_report_get_total (QoimaReport *self,
                        guint        column)
{
  g_return_val_if_fail (QOIMA_IS_REPORT (self), -1);
  g_return_val_if_fail (column < self->n_columns, -1);

  return self->totals[column];
}

const char * const *
qoima_report_get_totals_row (QoimaReport *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORT (self), NULL);

  if (!qoima_report_has_totals (self))
    return NULL;

  if (self->totals_row == NULL)
    {
      self->totals_row = g_new0 (char *, self->n_columns + 1);
      for (guint i = 0; i < self->n_columns; i++)
        {
          if (self->totals[i] >= 0)
            self->totals_row[i] = g_strdup_printf ("%" G_GINT64_FORMAT, self->totals[i]);
          else
            self->totals_row[i] = g_strdup (i == 0 ? _("Total") : "");
        }
    }
  return (const char * const *) self->totals_row;
}

/* CSV. */

static void
append_csv_field (GString    *out,
                  const char *field,
                  char        separator)
{
  const char specials[] = { '"', separator, '\r', '\n', '\0' };
  gboolean formula = field[0] != '\0' && strchr ("=+-@", field[0]) != NULL;
  gboolean quote = strpbrk (field, specials) != NULL;

  if (quote)
    g_string_append_c (out, '"');
  /* A spreadsheet would run the cell as a formula (CSV injection); the apostrophe makes it text. */
  if (formula)
    g_string_append_c (out, '\'');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  if (quote)
    g_string_append_c (out, '"');
}

static void
append_csv_row (GString            *out,
                const char * const *cells,
                guint               n_cells,
                char                separator)
{
  for (guint i = 0; i < n_cells; i++)
    {
      if (i > 0)
        g_string_append_c (out, separator);
      append_csv_field (out, cells[i], separator);
    }
  g_string_append (out, "\r\n");
}

GBytes *
qoima_report_to_csv_separated (QoimaReport *self,
                               char         separator)
{
  GString *out;
  const char * const *totals;

  g_return_val_if_fail (QOIMA_IS_REPORT (self), NULL);
  g_return_val_if_fail (separator == ',' || separator == ';', NULL);

  out = g_string_new ("\xEF\xBB\xBF");
  append_csv_row (out, (const char * const *) self->columns, self->n_columns, separator);
  for (guint i = 0; i < self->rows->len; i++)
    append_csv_row (out, g_ptr_array_index (self->rows, i), self->n_columns, separator);
  totals = qoima_report_get_totals_row (self);
  if (totals != NULL)
    append_csv_row (out, totals, self->n_columns, separator);
  return g_string_free_to_bytes (out);
}

GBytes *
qoima_report_to_csv (QoimaReport *self)
{
  return qoima_report_to_csv_separated (self, ',');
}

char
qoima_report_get_csv_separator (void)
{
  /* The user's first language, as gettext picks it: Excel in a Russian or Kazakh locale
   * splits CSV at ';', since ',' is its decimal point there. */
  const char *language = g_get_language_names_with_category ("LC_MESSAGES")[0];

  if (g_str_has_prefix (language, "ru") || g_str_has_prefix (language, "kk"))
    return ';';
  return ',';
}

gboolean
qoima_report_write_csv (QoimaReport   *self,
                        GOutputStream *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GBytes) csv = NULL;
  gsize size = 0;
  const void *data;

  g_return_val_if_fail (QOIMA_IS_REPORT (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  csv = qoima_report_to_csv (self);
  data = g_bytes_get_data (csv, &size);
  return g_output_stream_write_all (stream, data, size, NULL, cancellable, error);
}

/* XLSX. */

/* "YYYY-MM-DD" → @date; FALSE for anything else. */
static gboolean
parse_iso_day (const char   *text,
               lxw_datetime *date)
{
  unsigned year = 0, month = 0, day = 0;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  year = (unsigned) g_ascii_strtoull (text, NULL, 10);
  month = (unsigned) g_ascii_strtoull (text + 5, NULL, 10);
  day = (unsigned) g_ascii_strtoull (text + 8, NULL, 10);
  if (!g_date_valid_dmy (day, month, year))
    return FALSE;
  *date = (lxw_datetime) { .year = (int) year, .month = (int) month, .day = (int) day };
  return TRUE;
}

/* A sheet's name: at most 31 characters, none of []:*?/\ (Excel refuses the file else). */
static char *
sheet_name (const char *label)
{
  GString *name = g_string_new (NULL);
  guint n = 0;

  for (const char *p = label; *p != '\0' && n < 31; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (name, strchr ("[]:*?/\\", (int) c) != NULL && c < 128 ? ' ' : c);
    }
  return g_string_free (name, FALSE);
}

static gboolean
set_xlsx_error (lxw_error   result,
                const char *path,
                GError    **error)
{
  g_autofree char *name = g_filename_display_name (path);

  if (result == LXW_NO_ERROR)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               /* Translators: the file's name, then the library's reason in English. */
               _("Could not write %s: %s"), name, lxw_strerror (result));
  return FALSE;
}

static void
write_xlsx_row (lxw_worksheet      *sheet,
                QoimaReport        *self,
                lxw_row_t           row,
                const char * const *cells,
                lxw_format         *text_format,
                lxw_format         *number_format,
                lxw_format         *date_format,
                guint              *widths)
{
  for (guint i = 0; i < self->n_columns; i++)
    {
      const char *cell = cells[i];
      lxw_datetime date;
      guint64 number = 0;
      guint width = (guint) g_utf8_strlen (cell, -1);

      if (cell[0] == '\0')
        continue;
      if (self->column_kinds[i] == QOIMA_REPORT_COLUMN_NUMBER &&
          g_ascii_string_to_unsigned (cell, 10, 0, G_MAXINT64, &number, NULL))
        worksheet_write_number (sheet, row, (lxw_col_t) i, (double) number, number_format);
      else if (self->column_kinds[i] == QOIMA_REPORT_COLUMN_DATE && parse_iso_day (cell, &date))
        {
          worksheet_write_datetime (sheet, row, (lxw_col_t) i, &date, date_format);
          width = 10;
        }
      else
        /* A string is never a formula in XLSX, so the CSV's apostrophe guard is not needed. */
        worksheet_write_string (sheet, row, (lxw_col_t) i, cell, text_format);
      widths[i] = MAX (widths[i], width);
    }
}

gboolean
qoima_report_write_xlsx (QoimaReport  *self,
                         const char   *path,
                         GError      **error)
{
  g_autofree char *name = NULL;
  g_autofree guint *widths = NULL;
  lxw_workbook *workbook;
  lxw_worksheet *sheet;
  lxw_format *header, *total, *total_number, *date;
  lxw_doc_properties properties = { .title = self->title };  /* read only, though not const */
  const char * const *totals;
  lxw_row_t row = 0;

  g_return_val_if_fail (QOIMA_IS_REPORT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  workbook = workbook_new (path);
  if (workbook == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write %s."), display);
      return FALSE;
    }
  workbook_set_properties (workbook, &properties);
  name = sheet_name (qoima_report_kind_to_label (self->kind));
  sheet = workbook_add_worksheet (workbook, name);

  header = workbook_add_format (workbook);
  format_set_bold (header);
  format_set_bottom (header, LXW_BORDER_THIN);
  total = workbook_add_format (workbook);
  format_set_bold (total);
  format_set_top (total, LXW_BORDER_THIN);
  total_number = workbook_add_format (workbook);
  format_set_bold (total_number);
  format_set_top (total_number, LXW_BORDER_THIN);
  format_set_num_format (total_number, "#,##0");
  date = workbook_add_format (workbook);
  /* Excel's built-in short date: each reader shows it as its own locale writes days. */
  format_set_num_format_index (date, 14);
  {
    lxw_format *number = workbook_add_format (workbook);

    format_set_num_format (number, "#,##0");
    widths = g_new0 (guint, self->n_columns);
    write_xlsx_row (sheet, self, row++, (const char * const *) self->columns, header, header, header, widths);
    for (guint i = 0; i < self->rows->len; i++)
      write_xlsx_row (sheet, self, row++, g_ptr_array_index (self->rows, i), NULL, number, date, widths);
  }
  totals = qoima_report_get_totals_row (self);
  if (totals != NULL)
    write_xlsx_row (sheet, self, row++, totals, total, total_number, total, widths);

  for (guint i = 0; i < self->n_columns; i++)
    /* Characters to Excel's width units, with a margin; very long text wraps the view less. */
    worksheet_set_column (sheet, (lxw_col_t) i, (lxw_col_t) i, CLAMP (widths[i] + 2, 8, 60), NULL);
  worksheet_freeze_panes (sheet, 1, 0);
  if (self->rows->len > 0)
    worksheet_autofilter (sheet, 0, 0, self->rows->len, (lxw_col_t) (self->n_columns - 1));

  return set_xlsx_error (workbook_close (workbook), path, error);
}

GBytes *
qoima_report_to_xlsx (QoimaReport  *self,
                      GError      **error)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize size = 0;
  gboolean ok;
  int fd;

  g_return_val_if_fail (QOIMA_IS_REPORT (self), NULL);

  /* libxlsxwriter writes only to a file name. */
  fd = g_file_open_tmp ("qoima-report-XXXXXX.xlsx", &path, error);
  if (fd < 0)
    return NULL;
  g_close (fd, NULL);
  ok = qoima_report_write_xlsx (self, path, error) &&
       g_file_get_contents (path, &contents, &size, error);
  g_unlink (path);
  if (!ok)
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&contents), size);
}

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
