/* qoima-label-print.c: a replacement label for a pack whose own label is damaged
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-label-print"

#include "config.h"

#include "qoima-label-print.h"

#include "qoima-datamatrix.h"
#include "qoima-date.h"
#include "qoima-product.h"

#include <glib/gi18n.h>

/* A 36×36 pharma symbol at 20 mm has 0.55 mm modules: well above what phone cameras and
 * handheld scanners need, and small enough to stick on a pack. */
#define SYMBOL_MM 20.0
#define QUIET_MM 2.0

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              QoimaPack         *pack)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  QoimaProduct *product = qoima_pack_get_product (pack);
  g_autoptr(PangoLayout) layout = gtk_print_context_create_pango_layout (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans 8");
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *expiry = NULL;
  g_autofree char *gtin = NULL;

  /* The quiet zone is paper: white, whatever the page's colour. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, SYMBOL_MM + 2 * QUIET_MM, SYMBOL_MM + 2 * QUIET_MM);
  cairo_fill (cr);
  if (!qoima_datamatrix_draw_gs1 (cr, qoima_pack_get_km (pack), QUIET_MM, QUIET_MM, SYMBOL_MM, &error))
    {
      g_warning ("The label's code could not be drawn: %s", error->message);
      return;
    }

  if (product != NULL)
    g_string_append_printf (text, "%s\n", qoima_product_get_name (product));
  /* TRANSLATORS: lines of a printed pack label; the values are codes and dates */
  /* The identification code is "01" + the 14-digit GTIN + "21" + the serial. */
  gtin = g_strndup (qoima_pack_get_ki (pack) + 2, 14);
  g_string_append_printf (text, _("GTIN %s\nSerial %s\n"), gtin, qoima_pack_get_serial (pack));
  if (qoima_pack_get_batch (pack) != NULL)
    g_string_append_printf (text, _("Batch %s\n"), qoima_pack_get_batch (pack));
  if (qoima_pack_get_expiry (pack) != NULL && (expiry = qoima_format_iso_date (qoima_pack_get_expiry (pack))) != NULL)
    g_string_append_printf (text, _("Expiry %s\n"), expiry);
  g_string_truncate (text, text->len > 0 ? text->len - 1 : 0);

  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, pango_units_from_double (60.0));
  pango_layout_set_text (layout, text->str, -1);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_move_to (cr, SYMBOL_MM + 2 * QUIET_MM + 2.0, QUIET_MM);
  pango_cairo_show_layout (cr, layout);
}

GtkPrintOperation *
qoima_label_print_operation_new (QoimaPack *pack)
{
  GtkPrintOperation *operation;
  g_autofree char *job_name = NULL;

  g_return_val_if_fail (QOIMA_IS_PACK (pack), NULL);
  g_return_val_if_fail (qoima_pack_get_km (pack) != NULL, NULL);

  /* TRANSLATORS: the print job's name; %s is the pack's serial number */
  job_name = g_strdup_printf (_("Label for pack %s"), qoima_pack_get_serial (pack));
  operation = gtk_print_operation_new ();
  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_unit (operation, GTK_UNIT_MM);
  gtk_print_operation_set_job_name (operation, job_name);
  g_signal_connect_data (operation, "draw-page", G_CALLBACK (draw_page_cb), g_object_ref (pack),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  return operation;
}
