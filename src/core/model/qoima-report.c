/* qoima-report.c: reports on use, opened packs and withdrawals, shown and exported as CSV and XLSX
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-report"

#include "config.h"

#include "qoima-report.h"

#include "qoima-enums.h"
#include "qoima-types.h"

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

