/* qoima-count-export.c: a stock count's result as PDF and XLSX
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The result an inspection or the chief reads: the count's header (location, who started,
 * finished and signed it off), then what is missing, what is on the shelf but not on the
 * book with why (booked at another location, out of circulation, not the hospital's), the
 * opened packs whose units differ from the book, and the tally per medicine, with lines to
 * sign. The PDF is drawn as the co-payment forms are (cairo's PDF surface and pango); the
 * workbook is written by libxlsxwriter as the reports are.
 */
#include "config.h"

#include "qoima-count-export.h"
#include "qoima-pdf-text.h"

#include <cairo-pdf.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>
#include <xlsxwriter.h>

#include "qoima-date.h"

typedef enum {
  SECTION_MISSING,
  SECTION_NOT_ON_BOOK,
  SECTION_UNITS,
  N_SECTIONS
} Section;

static gboolean
in_section (const QoimaCountLine *line,
            Section               section)
{
  switch (section)
    {
    case SECTION_MISSING:
      return line->finding == QOIMA_COUNT_MISSING;
    case SECTION_NOT_ON_BOOK:
      return line->finding == QOIMA_COUNT_ELSEWHERE || line->finding == QOIMA_COUNT_OUT_OF_CIRCULATION ||
             line->finding == QOIMA_COUNT_UNKNOWN;
    case SECTION_UNITS:
      /* The count's lines keep a found pack only when its units differ from the book. */
      return line->finding == QOIMA_COUNT_FOUND;
    default:
      return FALSE;
    }
}

static const char *
section_title (Section section)
{
  switch (section)
    {
    case SECTION_MISSING:
      return _("Missing: on the book here, not found on the shelf");
    case SECTION_NOT_ON_BOOK:
      return _("On the shelf but not on the book here");
    case SECTION_UNITS:
      return _("Opened packs whose units differ from the book");
    default:
      return "";
    }
}

/* Why a pack on the shelf is not on the book here. */
static char *
line_why (const QoimaCountLine *line)
{
  switch (line->finding)
    {
    case QOIMA_COUNT_ELSEWHERE:
      /* Translators: a stock count's finding; %s is the ward or warehouse of the book. */
      return g_strdup_printf (_("Booked at %s"), line->book_location != NULL ? line->book_location : "?");
    case QOIMA_COUNT_OUT_OF_CIRCULATION:
      /* Translators: a counted pack the book has out of circulation; %s is its status. */
      return g_strdup_printf (_("Out of circulation on the book (%s)"),
                              line->book_status != NULL ? line->book_status : "?");
    default:
      return g_strdup (qoima_count_finding_to_label (line->finding));
    }
}

static char *
format_units (int units)
{
  return units >= 0 ? g_strdup_printf ("%d", units) : g_strdup ("—");
}

static char *
format_when (const char *iso)
{
  g_autoptr(GDateTime) when = NULL;

  if (iso == NULL)
    return g_strdup ("—");
  when = g_date_time_new_from_iso8601 (iso, NULL);
  if (when == NULL)
    return g_strdup (iso);
  {
    g_autoptr(GDateTime) local = g_date_time_to_local (when);

    return g_date_time_format (local, "%d.%m.%Y %H:%M");
  }
}

static char *
count_title (QoimaCount *count)
{
  /* Translators: the stock count result's title: its number, then the location counted. */
  return g_strdup_printf (_("Stock count %lld: %s"), (long long) count->id,
                          count->location_name != NULL ? count->location_name : "");
}

static char *
count_header (QoimaCount *count)
{
  g_autofree char *started = format_when (count->started_at);
  g_autofree char *finished = format_when (count->finished_at);
  g_autofree char *signed_off = format_when (count->signed_off_at);
  GString *out = g_string_new (NULL);

  /* Translators: the stock count's state ("Counting"…). */
  g_string_append_printf (out, _("State: %s"), qoima_count_state_to_label (count->state));
  g_string_append_c (out, '\n');
  /* Translators: who started the stock count, and when. */
  g_string_append_printf (out, _("Started by %s, %s"), count->started_by != NULL ? count->started_by : "—", started);
  g_string_append_c (out, '\n');
  /* Translators: when the scanning ended. */
  g_string_append_printf (out, _("Finished: %s"), finished);
  g_string_append_c (out, '\n');
  /* Translators: who signed off the stock count (the chief), and when. */
  g_string_append_printf (out, _("Signed off by %s, %s"), count->signed_off_by != NULL ? count->signed_off_by : "—",
                          signed_off);
  g_string_append_c (out, '\n');
  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%d pack found where the book has it",
                                            "%d packs found where the book has them", count->n_found),
                          count->n_found);
  return g_string_free (out, FALSE);
}

/* The cells of @line in @section's columns (see section_headings()). */
static void
line_cells (const QoimaCountLine *line,
            Section               section,
            char                **cells)
{
  cells[0] = g_strdup (line->name != NULL ? line->name : _("Unknown medicine"));
  cells[1] = g_strdup (line->ki);
  cells[2] = g_strdup (line->batch != NULL ? line->batch : "");
  cells[3] = line->expiry != NULL ? qoima_format_iso_date (line->expiry) : g_strdup ("");
  switch (section)
    {
    case SECTION_MISSING:
      cells[4] = format_units (line->book_units);
      break;
    case SECTION_NOT_ON_BOOK:
      cells[4] = line_why (line);
      break;
    case SECTION_UNITS:
      /* Translators: an opened pack's units: counted on the shelf, then on the book. */
      cells[4] = g_strdup_printf (_("%d counted, %d on the book"), line->counted_units, line->book_units);
      break;
    default:
      cells[4] = g_strdup ("");
    }
}

#define N_LINE_COLUMNS 5

static void
section_headings (Section      section,
                  const char **headings)
{
  headings[0] = _("Medicine");
  headings[1] = _("Identification code");
  headings[2] = _("Batch");
  headings[3] = _("Expiry");
  headings[4] = section == SECTION_MISSING ? _("Units on the book")
                : section == SECTION_NOT_ON_BOOK ? _("Why")
                : _("Units");
}

static guint
section_count (QoimaCount *count,
               Section     section)
{
  guint n = 0;

  for (guint i = 0; i < count->lines->len; i++)
    if (in_section (g_ptr_array_index (count->lines, i), section))
      n++;
  return n;
}

/* XLSX. */

static gboolean
set_xlsx_error (lxw_error   result,
                const char *path,
                GError    **error)
{
  g_autofree char *name = g_filename_display_name (path);

  if (result == LXW_NO_ERROR)
    return TRUE;
  /* Translators: the file's name, then the library's reason in English. */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write %s: %s"), name, lxw_strerror (result));
  return FALSE;
}

gboolean
qoima_count_write_xlsx (QoimaCount  *count,
                        const char  *path,
                        GError     **error)
{
  static const double widths[N_LINE_COLUMNS] = { 40, 36, 14, 12, 36 };
  g_autofree char *title = NULL;
  g_autofree char *header = NULL;
  g_auto(GStrv) header_lines = NULL;
  lxw_workbook *workbook;
  lxw_worksheet *sheet;
  lxw_format *bold, *heading, *cell, *number;
  lxw_row_t row = 0;

  g_return_val_if_fail (count != NULL && path != NULL, FALSE);

  title = count_title (count);
  header = count_header (count);
  header_lines = g_strsplit (header, "\n", -1);
  workbook = workbook_new (path);
  if (workbook == NULL)
    return set_xlsx_error (LXW_ERROR_CREATING_XLSX_FILE, path, error);
  sheet = workbook_add_worksheet (workbook, NULL);
  bold = workbook_add_format (workbook);
  format_set_bold (bold);
  heading = workbook_add_format (workbook);
  format_set_bold (heading);
  format_set_border (heading, LXW_BORDER_THIN);
  format_set_text_wrap (heading);
  cell = workbook_add_format (workbook);
  format_set_border (cell, LXW_BORDER_THIN);
  format_set_text_wrap (cell);
  format_set_align (cell, LXW_ALIGN_VERTICAL_TOP);
  number = workbook_add_format (workbook);
  format_set_border (number, LXW_BORDER_THIN);
  format_set_align (number, LXW_ALIGN_VERTICAL_TOP);

  worksheet_set_paper (sheet, 9); /* A4 */
  worksheet_set_landscape (sheet);
  worksheet_fit_to_pages (sheet, 1, 0);
  for (int c = 0; c < N_LINE_COLUMNS; c++)
    worksheet_set_column (sheet, c, c, widths[c], NULL);

  worksheet_write_string (sheet, row++, 0, title, bold);
  for (guint i = 0; header_lines[i] != NULL; i++)
    worksheet_write_string (sheet, row++, 0, header_lines[i], NULL);

  for (Section section = 0; section < N_SECTIONS; section++)
    {
      const char *headings[N_LINE_COLUMNS];

      row++;
      worksheet_write_string (sheet, row++, 0, section_title (section), bold);
      if (section_count (count, section) == 0)
        {
          worksheet_write_string (sheet, row++, 0, _("None"), NULL);
          continue;
        }
      section_headings (section, headings);
      for (int c = 0; c < N_LINE_COLUMNS; c++)
        worksheet_write_string (sheet, row, c, headings[c], heading);
      row++;
      for (guint i = 0; i < count->lines->len; i++)
        {
          const QoimaCountLine *line = g_ptr_array_index (count->lines, i);
          char *cells[N_LINE_COLUMNS];

          if (!in_section (line, section))
            continue;
          line_cells (line, section, cells);
          for (int c = 0; c < N_LINE_COLUMNS; c++)
            {
              worksheet_write_string (sheet, row, c, cells[c], cell);
              g_free (cells[c]);
            }
          row++;
        }
    }

  row++;
  worksheet_write_string (sheet, row++, 0, _("Tally per medicine"), bold);
  worksheet_write_string (sheet, row, 0, _("Medicine"), heading);
  worksheet_write_string (sheet, row, 1, _("Packs on the book"), heading);
  worksheet_write_string (sheet, row, 2, _("Packs counted"), heading);
  row++;
  for (guint i = 0; i < count->tally->len; i++, row++)
    {
      const QoimaCountTally *tally = g_ptr_array_index (count->tally, i);

      worksheet_write_string (sheet, row, 0, tally->name != NULL ? tally->name : tally->gtin, cell);
      worksheet_write_number (sheet, row, 1, tally->expected, number);
      worksheet_write_number (sheet, row, 2, tally->counted, number);
    }

  row++;
  worksheet_write_string (sheet, row++, 0, _("Counted by: ____________________"), NULL);
  worksheet_write_string (sheet, row++, 0, _("Chief: ____________________"), NULL);

  return set_xlsx_error (workbook_close (workbook), path, error);
}

/* PDF: A4 landscape in points, so that a whole identification code fits its column. */
#define PAGE_WIDTH 841.89
#define PAGE_HEIGHT 595.28
#define MARGIN 36.0
#define PADDING 2.0

typedef struct
{
  cairo_t *cr;
  double y;
} Pdf;

static void
pdf_new_page_if (Pdf    *pdf,
                 double  needed)
{
  if (pdf->y + needed <= PAGE_HEIGHT - MARGIN)
    return;
  cairo_show_page (pdf->cr);
  pdf->y = MARGIN;
}

static void
pdf_paragraph (Pdf        *pdf,
               const char *text,
               double      size,
               gboolean    bold)
{
  g_autoptr(PangoLayout) layout = qoima_pdf_text_layout (pdf->cr, text, PAGE_WIDTH - 2 * MARGIN, size, bold, PANGO_ALIGN_LEFT);
  double height = qoima_pdf_text_height (layout);

  pdf_new_page_if (pdf, height);
  cairo_move_to (pdf->cr, MARGIN, pdf->y);
  pango_cairo_show_layout (pdf->cr, layout);
  pdf->y += height + 4;
}

/* One table row: each cell wrapped in its column, the row as high as its highest cell. */
static void
pdf_row (Pdf                *pdf,
         const double       *widths,
         int                 n,
         const char * const *cells,
         gboolean            bold)
{
  PangoLayout *layouts[N_LINE_COLUMNS];
  double height = 0;
  double x = MARGIN;

  g_assert (n <= N_LINE_COLUMNS);
  for (int c = 0; c < n; c++)
    {
      layouts[c] = qoima_pdf_text_layout (pdf->cr, cells[c] != NULL ? cells[c] : "", widths[c] - 2 * PADDING, 8, bold,
                                          PANGO_ALIGN_LEFT);
      height = MAX (height, qoima_pdf_text_height (layouts[c]) + 2 * PADDING);
    }
  pdf_new_page_if (pdf, height);
  cairo_set_line_width (pdf->cr, 0.5);
  for (int c = 0; c < n; c++)
    {
      cairo_rectangle (pdf->cr, x, pdf->y, widths[c], height);
      cairo_stroke (pdf->cr);
      cairo_move_to (pdf->cr, x + PADDING, pdf->y + PADDING);
      pango_cairo_show_layout (pdf->cr, layouts[c]);
      x += widths[c];
      g_object_unref (layouts[c]);
    }
  pdf->y += height;
}

gboolean
qoima_count_write_pdf (QoimaCount  *count,
                       const char  *path,
                       GError     **error)
{
  /* Name, code, batch, expiry, the last column: 770 points between the margins. */
  static const double widths[N_LINE_COLUMNS] = { 190, 240, 80, 70, 190 };
  static const double tally_widths[3] = { 470, 150, 150 };
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  g_autofree char *header = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  Pdf pdf = { NULL, MARGIN };

  g_return_val_if_fail (count != NULL && path != NULL, FALSE);

  name = g_filename_display_name (path);
  surface = cairo_pdf_surface_create (path, PAGE_WIDTH, PAGE_HEIGHT);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write %s: %s"), name,
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return FALSE;
    }
  pdf.cr = cairo_create (surface);

  title = count_title (count);
  header = count_header (count);
  pdf_paragraph (&pdf, title, 13, TRUE);
  pdf_paragraph (&pdf, header, 9, FALSE);

  for (Section section = 0; section < N_SECTIONS; section++)
    {
      const char *headings[N_LINE_COLUMNS];

      pdf.y += 8;
      pdf_paragraph (&pdf, section_title (section), 10, TRUE);
      if (section_count (count, section) == 0)
        {
          pdf_paragraph (&pdf, _("None"), 9, FALSE);
          continue;
        }
      section_headings (section, headings);
      pdf_row (&pdf, widths, N_LINE_COLUMNS, headings, TRUE);
      for (guint i = 0; i < count->lines->len; i++)
        {
          const QoimaCountLine *line = g_ptr_array_index (count->lines, i);
          char *cells[N_LINE_COLUMNS];

          if (!in_section (line, section))
            continue;
          line_cells (line, section, cells);
          pdf_row (&pdf, widths, N_LINE_COLUMNS, (const char * const *) cells, FALSE);
          for (int c = 0; c < N_LINE_COLUMNS; c++)
            g_free (cells[c]);
        }
    }

  pdf.y += 8;
  pdf_paragraph (&pdf, _("Tally per medicine"), 10, TRUE);
  {
    const char *headings[3] = { _("Medicine"), _("Packs on the book"), _("Packs counted") };

    pdf_row (&pdf, tally_widths, 3, headings, TRUE);
  }
  for (guint i = 0; i < count->tally->len; i++)
    {
      const QoimaCountTally *tally = g_ptr_array_index (count->tally, i);
      g_autofree char *expected = g_strdup_printf ("%d", tally->expected);
      g_autofree char *counted = g_strdup_printf ("%d", tally->counted);
      const char *cells[3] = { tally->name != NULL ? tally->name : tally->gtin, expected, counted };

      pdf_row (&pdf, tally_widths, 3, cells, FALSE);
    }

  pdf.y += 16;
  pdf_paragraph (&pdf, _("Counted by: ____________________"), 9, FALSE);
  pdf_paragraph (&pdf, _("Chief: ____________________"), 9, FALSE);

  cairo_show_page (pdf.cr);
  cairo_destroy (pdf.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write %s: %s"), name,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
