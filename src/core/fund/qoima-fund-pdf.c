/* qoima-fund-pdf.c: the application as a PDF (R004-19)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Fund's prescribed form is not public: this is its content in the order of the
 * seed's sections, headed as an application (заявление) to the Fund's branch. The form
 * is the Fund's, so it is in Russian whatever the user's language.
 */

#define G_LOG_DOMAIN "qoima-fund"

#include "config.h"

#include "qoima-fund-pdf.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#define PAGE_WIDTH  595.0 /* A4, in points */
#define PAGE_HEIGHT 842.0
#define MARGIN      56.0

typedef struct {
  cairo_t *cr;
  double y;
} Writer;

static void
put (Writer     *w,
     const char *markup,
     double      size,
     gboolean    bold)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (w->cr);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans");
  int height;

  pango_font_description_set_size (font, (int) (size * PANGO_SCALE));
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) ((PAGE_WIDTH - 2 * MARGIN) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (layout, markup, -1);
  pango_layout_get_size (layout, NULL, &height);
  if (w->y + height / (double) PANGO_SCALE > PAGE_HEIGHT - MARGIN)
    {
      cairo_show_page (w->cr);
      w->y = MARGIN;
    }
  cairo_move_to (w->cr, MARGIN, w->y);
  pango_cairo_show_layout (w->cr, layout);
  w->y += height / (double) PANGO_SCALE + size * 0.4;
}

static void
field (Writer     *w,
       const char *label,
       const char *value)
{
  g_autofree char *line = g_strdup_printf ("%s: %s", label, value != NULL && *value != '\0' ? value : "—");

  put (w, line, 10, FALSE);
}

static char *
care_names (char **codes)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      const QoimaFundCare *care = qoima_fund_care_lookup (codes[i]);
      g_string_append_printf (text, "%s%s", i > 0 ? "; " : "", care != NULL ? care->name : codes[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

gboolean
qoima_fund_application_write_pdf (const QoimaFundApplication  *app,
                                  const char                  *path,
                                  GError                     **error)
{
  cairo_surface_t *surface = cairo_pdf_surface_create (path, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_status_t status;
  Writer w = { NULL, MARGIN };
  g_autofree char *provider = care_names (app->care_provider);
  g_autofree char *coexecutor = care_names (app->care_coexecutor);
  g_autofree char *statuses = NULL;
  g_autofree char *legal = NULL;
  g_autofree char *heading = NULL;

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write %s: %s"), path,
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return FALSE;
    }
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                  "Заявление о включении в базу данных субъектов здравоохранения");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Qoima");
  w.cr = cairo_create (surface);
  cairo_set_source_rgb (w.cr, 0, 0, 0);

  put (&w, "В филиал НАО «Фонд социального медицинского страхования»", 10, FALSE);
  put (&w, "ЗАЯВЛЕНИЕ", 14, TRUE);
  put (&w, "о включении в базу данных субъектов здравоохранения, претендующих на оказание медицинских "
           "услуг в рамках гарантированного объема бесплатной медицинской помощи и (или) в системе "
           "обязательного социального медицинского страхования", 11, FALSE);
  heading = g_strdup_printf ("Версия %d, статус «%s»", app->version, qoima_fund_status_to_label (app->status));
  put (&w, heading, 9, FALSE);

  put (&w, "Субъект здравоохранения", 12, TRUE);
  field (&w, "Наименование на государственном языке", app->name_kk);
  field (&w, "Наименование на русском языке", app->name_ru);
  field (&w, "БИН/ИИН", app->bin);
  field (&w, "Форма собственности", app->ownership);
  statuses = g_strdup_printf ("%s%s%s", (app->statuses & QOIMA_FUND_PROVIDER) ? "Поставщик" : "",
                              app->statuses == (QOIMA_FUND_PROVIDER | QOIMA_FUND_COEXECUTOR) ? ", " : "",
                              (app->statuses & QOIMA_FUND_COEXECUTOR) ? "Соисполнитель" : "");
  field (&w, "Статус субъекта здравоохранения", statuses);
  field (&w, "Вид / форма медицинской помощи (Поставщик)", provider);
  field (&w, "Вид / форма медицинской помощи (Соисполнитель)", coexecutor);
  field (&w, "Регион, населению которого будут оказываться услуги", app->region);
  if (app->pharmacy != QOIMA_FUND_PHARMACY_UNSET)
    field (&w, "Наличие аптеки и (или) аптечного склада", app->pharmacy == QOIMA_FUND_PHARMACY_YES ? "Да" : "Нет");

  put (&w, "Юридический адрес", 12, TRUE);
  legal = g_strdup_printf ("КАТО %s, %s, %s, д. %s%s%s", app->legal_kato ? app->legal_kato : "—",
                           app->legal_index ? app->legal_index : "—", app->legal_street ? app->legal_street : "—",
                           app->legal_house ? app->legal_house : "—", app->legal_office ? ", оф. " : "",
                           app->legal_office ? app->legal_office : "");
  field (&w, "Адрес", legal);
  field (&w, "Номер телефона", app->phone);
  field (&w, "E-Mail", app->email);

  put (&w, "Адреса производственных баз", 12, TRUE);
  for (guint i = 0; i < app->bases->len; i++)
    {
      QoimaFundBase *base = g_ptr_array_index (app->bases, i);
      g_autofree char *title = g_strdup_printf ("%u. %s", i + 1, base->address);
      g_autofree char *position = base->has_position ? g_strdup_printf ("%.6f, %.6f", base->latitude, base->longitude)
                                                     : NULL;
      g_autofree char *care = care_names (base->subtypes);

      put (&w, title, 10, TRUE);
      field (&w, "Лицензия", base->license);
      field (&w, "Широта, долгота", position);
      field (&w, "КАТО производственной базы", base->kato);
      field (&w, "Заключение СЭС", base->permit != NULL ? base->permit->name : NULL);
      field (&w, "Подвиды медицинской помощи", care);
    }

  put (&w, "Лицензии", 12, TRUE);
  for (guint i = 0; i < app->licenses->len; i++)
    {
      QoimaFundLicense *license = g_ptr_array_index (app->licenses, i);
      g_autofree char *line = g_strdup_printf ("№ %s от %s — %s (%s)", license->number,
                                               license->issued ? license->issued : "—", license->activity,
                                               qoima_fund_activity_name (license->activity));
      put (&w, line, 10, FALSE);
    }

  put (&w, "Подтверждающие документы", 12, TRUE);
  for (guint i = 0; i < app->registration->len; i++)
    field (&w, "Свидетельство (справка) о государственной регистрации",
           ((QoimaFundAttachment *) g_ptr_array_index (app->registration, i))->name);
  for (guint i = 0; i < app->power_of_attorney->len; i++)
    field (&w, "Доверенность", ((QoimaFundAttachment *) g_ptr_array_index (app->power_of_attorney, i))->name);
  field (&w, "Согласие о внесении данных и их актуализации в информационных системах МЗ РК",
         app->consent_signed_by != NULL ? "подписано руководителем (ЭЦП)" : "не подписано");

  cairo_destroy (w.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write %s: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
