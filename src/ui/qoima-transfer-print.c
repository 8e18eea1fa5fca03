/* qoima-transfer-print.c: the transfer document on paper (and as PDF)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-transfer-print"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-transfer-print.h"

#include "qoima-date.h"

/* Sizes in points: the context's units are set to points. */
#define FONT_SIZE 10
#define SMALL_SIZE 6.5
#define CELL_PAD 3
#define SIGNATURE_HEIGHT 90

typedef struct
{
  QoimaTransfer *transfer;
  char *organization;
  GArray *page_starts;   /* the first line (guint) of each page */
  double widths[5];      /* No., medicine, batch, expiry, quantity */
} PrintData;

static void
print_data_free (PrintData *data)
{
  g_clear_object (&data->transfer);
  g_free (data->organization);
  g_clear_pointer (&data->page_starts, g_array_unref);
  g_free (data);
}

static PangoLayout *
make_layout (GtkPrintContext *context,
             const char      *text,
             double           size,
             gboolean         bold,
             gboolean         monospace,
             double           width)
{
  PangoLayout *layout = gtk_print_context_create_pango_layout (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_new ();

  pango_font_description_set_family (font, monospace ? "Monospace" : "Sans");
  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  if (width > 0)
    pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_text (layout, text != NULL ? text : "", -1);
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int height;

  pango_layout_get_size (layout, NULL, &height);
  return (double) height / PANGO_SCALE;
}

/* Draws @text at (@x, @y) in @width; returns its height. */
static double
draw_text (GtkPrintContext *context,
           double           x,
           double           y,
           double           width,
           const char      *text,
           double           size,
           gboolean         bold,
           PangoAlignment   alignment)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  g_autoptr(PangoLayout) layout = make_layout (context, text, size, bold, FALSE, width);

  pango_layout_set_alignment (layout, alignment);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  return layout_height (layout);
}

static char *
codes_text (const QoimaTransferLine *line)
{
  return g_strjoinv ("   ", line->codes);
}

static const char *
column_title (int column)
{
  switch (column)
    {
    case 0: return C_("transfer note column", "No.");
    case 1: return C_("transfer note column", "Medicine");
    case 2: return C_("transfer note column", "Batch");
    case 3: return C_("transfer note column", "Expiry");
    case 4: return C_("transfer note column", "Packs");
    default: g_assert_not_reached ();
    }
}

/* A line's cells, and the codes under them across the table. */
static double
row_height (PrintData       *data,
            GtkPrintContext *context,
            guint            index,
            double           table_width)
{
  QoimaTransferLine *line = g_ptr_array_index (qoima_transfer_get_lines (data->transfer), index);
  g_autoptr(PangoLayout) name = make_layout (context, line->product_name, FONT_SIZE, FALSE, FALSE,
                                             data->widths[1] - 2 * CELL_PAD);
  g_autofree char *codes = codes_text (line);
  g_autoptr(PangoLayout) codes_layout = make_layout (context, codes, SMALL_SIZE, FALSE, TRUE,
                                                     table_width - data->widths[0] - 2 * CELL_PAD);

  return layout_height (name) + layout_height (codes_layout) + 4 * CELL_PAD;
}

static double
header_height (void)
{
  /* Title, organization, date, route and the gaps between them. */
  return 4 * FONT_SIZE * 1.6 + 2 * FONT_SIZE + 18;
}

static double
table_header_height (void)
{
  return FONT_SIZE * 1.4 + 2 * CELL_PAD;
}

static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                PrintData         *data)
{
  GPtrArray *lines = qoima_transfer_get_lines (data->transfer);
  double width = gtk_print_context_get_width (context);
  double height = gtk_print_context_get_height (context);
  double y;
  guint start = 0;

  data->widths[0] = width * 0.06;
  data->widths[2] = width * 0.16;
  data->widths[3] = width * 0.14;
  data->widths[4] = width * 0.14;
  data->widths[1] = width - data->widths[0] - data->widths[2] - data->widths[3] - data->widths[4];

  g_array_set_size (data->page_starts, 0);
  g_array_append_val (data->page_starts, start);
  y = header_height () + table_header_height ();
  for (guint i = 0; i < lines->len; i++)
    {
      double row = row_height (data, context, i, width);

      if (y + row > height && i > start)
        {
          start = i;
          g_array_append_val (data->page_starts, start);
          y = FONT_SIZE * 2 + table_header_height ();
        }
      y += row;
    }
  /* Totals and signatures need their own room at the end. */
  if (y + SIGNATURE_HEIGHT > height)
    {
      start = lines->len;
      g_array_append_val (data->page_starts, start);
    }

  gtk_print_operation_set_n_pages (operation, data->page_starts->len);
}

static double
draw_table_header (PrintData       *data,
                   GtkPrintContext *context,
                   double           y)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double x = 0, row = table_header_height ();

  cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
  cairo_rectangle (cr, 0, y, gtk_print_context_get_width (context), row);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (int c = 0; c < 5; c++)
    {
      draw_text (context, x + CELL_PAD, y + CELL_PAD, data->widths[c] - 2 * CELL_PAD,
                 column_title (c), FONT_SIZE - 1, TRUE, PANGO_ALIGN_LEFT);
      cairo_rectangle (cr, x, y, data->widths[c], row);
      x += data->widths[c];
    }
  cairo_set_line_width (cr, 0.5);
  cairo_stroke (cr);
  return y + row;
}

static double
draw_row (PrintData       *data,
          GtkPrintContext *context,
          guint            index,
          double           y)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  QoimaTransferLine *line = g_ptr_array_index (qoima_transfer_get_lines (data->transfer), index);
  double width = gtk_print_context_get_width (context);
  double height = row_height (data, context, index, width);
  g_autofree char *number = g_strdup_printf ("%u", index + 1);
  g_autofree char *expiry = qoima_format_iso_date (line->expiry);
  g_autofree char *count = g_strdup_printf ("%d", line->count);
  g_autofree char *codes = codes_text (line);
  const char *cells[5] = { number, line->product_name, line->batch != NULL ? line->batch : "—", expiry, count };
  double x = 0, name_height = 0;

  for (int c = 0; c < 5; c++)
    {
      double h = draw_text (context, x + CELL_PAD, y + CELL_PAD, data->widths[c] - 2 * CELL_PAD, cells[c],
                            FONT_SIZE, FALSE, c == 4 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);

      name_height = MAX (name_height, h);
      x += data->widths[c];
    }

  /* The marking codes, small, under the medicine across the rest of the row. */
  {
    g_autoptr(PangoLayout) layout = make_layout (context, codes, SMALL_SIZE, FALSE, TRUE,
                                                 width - data->widths[0] - 2 * CELL_PAD);

    cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
    cairo_move_to (cr, data->widths[0] + CELL_PAD, y + name_height + 2 * CELL_PAD);
    pango_cairo_show_layout (cr, layout);
    cairo_set_source_rgb (cr, 0, 0, 0);
  }

  cairo_set_line_width (cr, 0.5);
  cairo_rectangle (cr, 0, y, data->widths[0], height);
  cairo_rectangle (cr, data->widths[0], y, width - data->widths[0], height);
  x = data->widths[0];
  for (int c = 1; c < 4; c++)
    {
      x += data->widths[c];
      cairo_move_to (cr, x, y);
      cairo_line_to (cr, x, y + name_height + 2 * CELL_PAD);
    }
  cairo_move_to (cr, data->widths[0], y + name_height + 2 * CELL_PAD);
  cairo_line_to (cr, width, y + name_height + 2 * CELL_PAD);
  cairo_stroke (cr);
  return y + height;
}

static void
draw_signatures (PrintData       *data,
                 GtkPrintContext *context,
                 double           y)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  GPtrArray *lines = qoima_transfer_get_lines (data->transfer);
  double width = gtk_print_context_get_width (context);
  g_autofree char *totals = NULL;
  int packs = 0;

  for (guint i = 0; i < lines->len; i++)
    packs += ((QoimaTransferLine *) g_ptr_array_index (lines, i))->count;
  totals = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Total: %d pack", "Total: %d packs", packs), packs);
  {
    g_autofree char *with_lines = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s in %u line", "%s in %u lines",
                                                                lines->len),
                                                   totals, lines->len);

    y += 8 + draw_text (context, 0, y + 8, width, with_lines, FONT_SIZE, TRUE, PANGO_ALIGN_LEFT);
  }

  y += 30;
  for (int side = 0; side < 2; side++)
    {
      double x = side * width / 2;
      const char *title = side == 0 ? _("Handed over") : _("Received");
      const char *name = side == 0 ? qoima_transfer_get_actor_name (data->transfer) : NULL;
      g_autofree char *caption = g_strdup_printf ("(%s)", _("signature, name"));

      draw_text (context, x, y, width / 2 - 20, title, FONT_SIZE, TRUE, PANGO_ALIGN_LEFT);
      cairo_set_line_width (cr, 0.5);
      cairo_move_to (cr, x, y + 34);
      cairo_line_to (cr, x + width / 2 - 30, y + 34);
      cairo_stroke (cr);
      if (name != NULL)
        draw_text (context, x + width / 4, y + 20, width / 4 - 30, name, FONT_SIZE, FALSE, PANGO_ALIGN_LEFT);
      draw_text (context, x, y + 36, width / 2 - 30, caption, SMALL_SIZE, FALSE, PANGO_ALIGN_CENTER);
    }
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              PrintData         *data)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  GPtrArray *lines = qoima_transfer_get_lines (data->transfer);
  double width = gtk_print_context_get_width (context);
  guint first = g_array_index (data->page_starts, guint, page_nr);
  guint last = (guint) page_nr + 1 < data->page_starts->len
    ? g_array_index (data->page_starts, guint, page_nr + 1) : lines->len;
  double y = 0;

  cairo_set_source_rgb (cr, 0, 0, 0);

  if (page_nr == 0)
    {
      g_autofree char *title = g_strdup_printf (_("Internal transfer note No. %s"),
                                                qoima_transfer_get_number (data->transfer));
      g_autofree char *date = qoima_format_iso_date (qoima_transfer_get_created_at (data->transfer));
      g_autofree char *organization = g_strdup_printf (_("Organization: %s"),
                                                       data->organization != NULL && *data->organization != '\0'
                                                       ? data->organization : "________________________________");
      g_autofree char *date_line = g_strdup_printf (_("Date: %s"), date);
      g_autofree char *route = g_strdup_printf (_("From: %s  →  To: %s"),
                                                qoima_transfer_get_from (data->transfer) != NULL
                                                ? qoima_transfer_get_from (data->transfer) : _("several places"),
                                                qoima_transfer_get_to (data->transfer));

      y += draw_text (context, 0, y, width, title, FONT_SIZE + 4, TRUE, PANGO_ALIGN_CENTER) + 12;
      y += draw_text (context, 0, y, width, organization, FONT_SIZE, FALSE, PANGO_ALIGN_LEFT) + 4;
      y += draw_text (context, 0, y, width, date_line, FONT_SIZE, FALSE, PANGO_ALIGN_LEFT) + 4;
      y += draw_text (context, 0, y, width, route, FONT_SIZE, FALSE, PANGO_ALIGN_LEFT) + 12;
      y = MAX (y, header_height () - 6);
    }
  else
    {
      g_autofree char *running = g_strdup_printf (_("Internal transfer note No. %s, page %d"),
                                                  qoima_transfer_get_number (data->transfer), page_nr + 1);

      y += draw_text (context, 0, y, width, running, FONT_SIZE - 1, FALSE, PANGO_ALIGN_RIGHT) + FONT_SIZE;
    }

  if (first < last)
    {
      y = draw_table_header (data, context, y);
      for (guint i = first; i < last; i++)
        y = draw_row (data, context, i, y);
    }

  if ((guint) page_nr + 1 == data->page_starts->len)
    draw_signatures (data, context, y);
}

GtkPrintOperation *
qoima_transfer_print_operation_new (QoimaTransfer *transfer,
                                    const char    *organization)
{
  GtkPrintOperation *operation;
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPrintSettings) settings = gtk_print_settings_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  g_autofree char *job_name = NULL;
  PrintData *data;

  g_return_val_if_fail (QOIMA_IS_TRANSFER (transfer), NULL);

  data = g_new0 (PrintData, 1);
  data->transfer = g_object_ref (transfer);
  data->organization = g_strdup (organization);
  data->page_starts = g_array_new (FALSE, FALSE, sizeof (guint));

  gtk_page_setup_set_paper_size_and_default_margins (setup, a4);
  job_name = g_strdup_printf (_("Internal transfer note No. %s"), qoima_transfer_get_number (transfer));

  operation = gtk_print_operation_new ();
  gtk_print_operation_set_default_page_setup (operation, setup);
  /* Printed to a file, the note is named after its number (ВП-000001.pdf), not "output". */
  gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_BASENAME, qoima_transfer_get_number (transfer));
  gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_FILE_FORMAT, "pdf");
  gtk_print_operation_set_print_settings (operation, settings);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_job_name (operation, job_name);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  g_signal_connect (operation, "begin-print", G_CALLBACK (begin_print_cb), data);
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page_cb), data);
  g_object_set_data_full (G_OBJECT (operation), "qoima-transfer-print", data, (GDestroyNotify) print_data_free);
  return operation;
}

gboolean
qoima_transfer_print_export_pdf (QoimaTransfer  *transfer,
                                 const char     *organization,
                                 const char     *path,
                                 GError        **error)
{
  g_autoptr(GtkPrintOperation) operation = NULL;

  g_return_val_if_fail (QOIMA_IS_TRANSFER (transfer), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  operation = qoima_transfer_print_operation_new (transfer, organization);
  gtk_print_operation_set_export_filename (operation, path);
  return gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT, NULL, error)
         != GTK_PRINT_OPERATION_RESULT_ERROR;
}
