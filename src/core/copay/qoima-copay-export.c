/* qoima-copay-export.c: Appendix 1 and 2 as XLSX and PDF */
#include "config.h"

#include "qoima-copay-export.h"
#include "qoima-pdf-text.h"

#include <cairo-pdf.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

/* The forms' fixed text in the form's own language, not the UI's: a Kazakh clerk may print
 * the Russian form. Russian is the order's text (seed 002); Kazakh is the project's
 * rendering, to be checked against the order's Kazakh text. */
typedef enum {
  TEXT_REGISTRY_TITLE,
  TEXT_PERIOD,
  TEXT_SUPPLIER,
  TEXT_TOTAL_ROW,
  TEXT_TOTAL_LINE,
  TEXT_SUBMITTED,
  TEXT_AGREED,
  TEXT_FOOTNOTE,
  TEXT_DUE,
  TEXT_ACT_TITLE,
  TEXT_ACT_REGION,
  TEXT_ACT_SUPPLIER,
  TEXT_ACT_CLAIMED,
  TEXT_ACT_PRESCRIPTIONS,
  TEXT_ACT_FUND,
  TEXT_ACT_TOTAL,
  TEXT_APPENDIX_1,
  TEXT_APPENDIX_2,
  N_TEXTS
} Text;

static const char *const texts[N_TEXTS][2] = {
  [TEXT_REGISTRY_TITLE] = { "Сводный реестр обеспеченных рецептов субъектами в сфере обращения лекарственных средств и медицинских изделий и (или) консорциумом",
                            "Дәрілік заттар мен медициналық бұйымдар айналысы саласындағы субъектілер және (немесе) консорциум қамтамасыз еткен рецепттердің жиынтық тізілімі" },
  [TEXT_PERIOD] = { "за период с «{1}» {2} {3} года по «{4}» {5} {6} года по Договору оплаты стоимости фармацевтических услуг в рамках сооплаты № ___ от «__» ______ 20__ года",
                    "{3} жылғы «{1}» {2} бастап {6} жылғы «{4}» {5} дейінгі кезеңге бірлесіп төлеу шеңберінде фармацевтикалық көрсетілетін қызметтердің құнын төлеу шарты бойынша № ___ «__» ______ 20__ жыл" },
  [TEXT_SUPPLIER] = { "Наименование и БИН поставщика (субъект в сфере обращения лекарственных средств и медицинских изделий и (или) официальный представитель консорциума, заключивший договор сооплаты с НАО «Фонд социального медицинского страхования»): {1}, БИН {2}",
                      "Өнім берушінің атауы және БСН («Әлеуметтік медициналық сақтандыру қоры» КЕАҚ-пен бірлесіп төлеу шартын жасасқан субъект және (немесе) консорциумның ресми өкілі): {1}, БСН {2}" },
  [TEXT_TOTAL_ROW] = { "Итого", "Барлығы" },
  [TEXT_TOTAL_LINE] = { "Итого стоимость фармацевтической услуги в рамках сооплаты составила {1} тенге.",
                        "Бірлесіп төлеу шеңберіндегі фармацевтикалық көрсетілетін қызметтің жалпы құны {1} теңгені құрады." },
  [TEXT_SUBMITTED] = { "Представлено: Субъект в сфере обращения лекарственных средств и медицинских изделий и (или) официальный представитель консорциума ____________________",
                       "Ұсынылды: Дәрілік заттар мен медициналық бұйымдар айналысы саласындағы субъект және (немесе) консорциумның ресми өкілі ____________________" },
  [TEXT_AGREED] = { "Согласовано: НАО «Фонд социального медицинского страхования» ____________________",
                    "Келісілді: «Әлеуметтік медициналық сақтандыру қоры» КЕАҚ ____________________" },
  [TEXT_FOOTNOTE] = { "*Торговое наименование указывается из государственного реестра лекарственных средств и медицинских изделий",
                      "*Саудалық атау дәрілік заттар мен медициналық бұйымдардың мемлекеттік тізілімінен көрсетіледі" },
  [TEXT_DUE] = { "Представить не позднее {1}", "{1} кешіктірмей ұсыну" },
  [TEXT_ACT_TITLE] = { "Акт оплаты фармацевтических услуг субъектами в сфере обращения лекарственных средств и медицинских изделий и (или) консорциумом",
                       "Дәрілік заттар мен медициналық бұйымдар айналысы саласындағы субъектілердің және (немесе) консорциумның фармацевтикалық көрсетілетін қызметтерін төлеу актісі" },
  [TEXT_ACT_REGION] = { "Регион", "Өңір" },
  [TEXT_ACT_SUPPLIER] = { "Наименование поставщика (субъект в сфере обращения лекарственных средств и медицинских изделий и (или) официальный представитель консорциума, заключивший договор сооплаты с НАО «Фонд социального медицинского страхования»)",
                          "Өнім берушінің атауы («Әлеуметтік медициналық сақтандыру қоры» КЕАҚ-пен бірлесіп төлеу шартын жасасқан субъект және (немесе) консорциумның ресми өкілі)" },
  [TEXT_ACT_CLAIMED] = { "Предъявлено к оплате", "Төлеуге ұсынылды" },
  [TEXT_ACT_PRESCRIPTIONS] = { "Количество обеспеченных рецептов в рамках сооплаты", "Бірлесіп төлеу шеңберінде қамтамасыз етілген рецепттер саны" },
  [TEXT_ACT_FUND] = { "Сумма возмещения Фондом, в тенге", "Қордың өтеу сомасы, теңгемен" },
  [TEXT_ACT_TOTAL] = { "Итого сумма обеспеченных рецептов в рамках сооплаты, тенге", "Бірлесіп төлеу шеңберінде қамтамасыз етілген рецепттердің жиыны, теңге" },
  [TEXT_APPENDIX_1] = { "Приложение 1", "1-қосымша" },
  [TEXT_APPENDIX_2] = { "Приложение 2", "2-қосымша" },
};

static const char *const months_genitive[2][12] = {
  { "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря" },
  { "қаңтардан", "ақпаннан", "наурыздан", "сәуірден", "мамырдан", "маусымнан", "шілдеден", "тамыздан", "қыркүйектен", "қазаннан", "қарашадан", "желтоқсаннан" },
};
static const char *const months_until_kk[12] = {
  "қаңтарға", "ақпанға", "наурызға", "сәуірге", "мамырға", "маусымға", "шілдеге", "тамызға", "қыркүйекке", "қазанға", "қарашаға", "желтоқсанға",
};

/* The form's text with "{1}", "{2}", … replaced by @values: the order of the words differs
 * between Russian and Kazakh, and the texts are data, not printf formats. */
static char *
fill (const char         *template,
      const char * const *values,
      int                 n_values)
{
  GString *out = g_string_new (NULL);

  for (const char *p = template; *p != '\0'; p++)
    {
      if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}' && p[1] - '0' <= n_values)
        {
          g_string_append (out, values[p[1] - '1']);
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static char *
fill1 (const char *template,
       const char *value)
{
  const char *values[1] = { value };

  return fill (template, values, 1);
}

static int
language_index (const char *language)
{
  return language != NULL && g_str_has_prefix (language, "kk") ? 1 : 0;
}

static const char *
form_language (const char *language)
{
  return language_index (language) == 1 ? "kk" : "ru";
}

static char *
period_text (QoimaCopayRegistry *registry,
             const char         *language)
{
  int l = language_index (language);
  int last = g_date_get_days_in_month (registry->month, registry->year);

  g_autofree char *year = g_strdup_printf ("%d", registry->year);
  g_autofree char *last_day = g_strdup_printf ("%02d", last);
  const char *values[6] = { "01", months_genitive[l][registry->month - 1], year, last_day,
                            l == 1 ? months_until_kk[registry->month - 1] : months_genitive[l][registry->month - 1],
                            year };

  return fill (texts[TEXT_PERIOD][l], values, 6);
}

static char *
due_text (QoimaCopayRegistry *registry,
          const char         *language)
{
  int y, m, d;
  g_autofree char *date = NULL;

  sscanf (registry->due, "%4d-%2d-%2d", &y, &m, &d);
  date = g_strdup_printf ("%02d.%02d.%04d", d, m, y);
  return fill1 (texts[TEXT_DUE][language_index (language)], date);
}

static char *
supplier_text (QoimaCopayRegistry *registry,
               int                 l)
{
  const char *values[2] = { registry->supplier_name, registry->supplier_bin };

  return fill (texts[TEXT_SUPPLIER][l], values, 2);
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

static double
tenge (gint64 tiyn)
{
  /* Only for the spreadsheet's number cell: the amount itself stays in tiyn, and two
   * decimals of a double below 2^53 tiyn are exact enough to print. */
  return (double) tiyn / 100.0;
}

gboolean
qoima_copay_registry_write_xlsx (QoimaCopayRegistry  *registry,
                                 const char          *language,
                                 const char          *path,
                                 GError             **error)
{
  const char *lang = form_language (language);
  int l = language_index (language);
  static const double widths[QOIMA_COPAY_REGISTRY_COLUMNS] = { 5, 22, 14, 14, 9, 14, 16, 18, 18, 16, 9, 13, 12, 34, 13, 13, 13 };
  g_autofree char *period = period_text (registry, lang);
  g_autofree char *supplier = supplier_text (registry, l);
  g_autofree char *due = due_text (registry, lang);
  g_autofree char *total_money = qoima_money_format_for (registry->total, lang);
  g_autofree char *total_line = fill1 (texts[TEXT_TOTAL_LINE][l], total_money);
  lxw_workbook *workbook;
  lxw_worksheet *sheet;
  lxw_format *wrap, *header, *money, *bold, *bold_money;
  lxw_row_t row = 0;

  g_return_val_if_fail (registry != NULL && path != NULL, FALSE);

  workbook = workbook_new (path);
  if (workbook == NULL)
    return set_xlsx_error (LXW_ERROR_CREATING_XLSX_FILE, path, error);
  sheet = workbook_add_worksheet (workbook, NULL);
  wrap = workbook_add_format (workbook);
  format_set_text_wrap (wrap);
  format_set_align (wrap, LXW_ALIGN_VERTICAL_TOP);
  header = workbook_add_format (workbook);
  format_set_text_wrap (header);
  format_set_bold (header);
  format_set_border (header, LXW_BORDER_THIN);
  format_set_align (header, LXW_ALIGN_CENTER);
  format_set_align (header, LXW_ALIGN_VERTICAL_CENTER);
  money = workbook_add_format (workbook);
  format_set_num_format (money, "#,##0.00");
  format_set_border (money, LXW_BORDER_THIN);
  bold = workbook_add_format (workbook);
  format_set_bold (bold);
  format_set_border (bold, LXW_BORDER_THIN);
  bold_money = workbook_add_format (workbook);
  format_set_bold (bold_money);
  format_set_num_format (bold_money, "#,##0.00");
  format_set_border (bold_money, LXW_BORDER_THIN);
  format_set_border (wrap, LXW_BORDER_THIN);

  worksheet_set_landscape (sheet);
  worksheet_set_paper (sheet, 9);   /* A4 */
  worksheet_fit_to_pages (sheet, 1, 0);
  for (int c = 0; c < QOIMA_COPAY_REGISTRY_COLUMNS; c++)
    worksheet_set_column (sheet, c, c, widths[c], NULL);

  worksheet_write_string (sheet, row++, QOIMA_COPAY_REGISTRY_COLUMNS - 1, texts[TEXT_APPENDIX_1][l], NULL);
  worksheet_write_string (sheet, row++, 0, texts[TEXT_REGISTRY_TITLE][l], NULL);
  worksheet_write_string (sheet, row++, 0, period, NULL);
  worksheet_write_string (sheet, row++, 0, supplier, NULL);
  worksheet_write_string (sheet, row++, 0, due, NULL);
  row++;

  worksheet_set_row (sheet, row, 120, NULL);
  for (int c = 1; c <= QOIMA_COPAY_REGISTRY_COLUMNS; c++)
    worksheet_write_string (sheet, row, c - 1, qoima_copay_registry_title (c, lang), header);
  row++;
  for (int c = 1; c <= QOIMA_COPAY_REGISTRY_COLUMNS; c++)
    worksheet_write_number (sheet, row, c - 1, c, header);
  row++;

  for (guint i = 0; i < registry->rows->len; i++, row++)
    {
      const QoimaDispensing *d = g_ptr_array_index (registry->rows, i);
      gint64 fund, patient, total;

      qoima_copay_registry_amounts (registry, i, &fund, &patient, &total);
      for (int c = 1; c <= QOIMA_COPAY_REGISTRY_COLUMNS; c++)
        {
          g_autofree char *cell = NULL;

          switch (c)
            {
            case 1: worksheet_write_number (sheet, row, 0, i + 1, wrap); break;
            case 12: worksheet_write_number (sheet, row, c - 1, tenge (d->limit_per_unit), money); break;
            case 15: worksheet_write_number (sheet, row, c - 1, tenge (fund), money); break;
            case 16: worksheet_write_number (sheet, row, c - 1, tenge (patient), money); break;
            case 17: worksheet_write_number (sheet, row, c - 1, tenge (total), money); break;
            default:
              cell = qoima_copay_registry_cell (registry, i, c, lang, FALSE);
              worksheet_write_string (sheet, row, c - 1, cell, wrap);
            }
        }
    }

  worksheet_write_string (sheet, row, 0, texts[TEXT_TOTAL_ROW][l], bold);
  for (int c = 2; c <= 14; c++)
    worksheet_write_blank (sheet, row, c - 1, bold);
  worksheet_write_number (sheet, row, 14, tenge (registry->total_fund), bold_money);
  worksheet_write_number (sheet, row, 15, tenge (registry->total_patient), bold_money);
  worksheet_write_number (sheet, row, 16, tenge (registry->total), bold_money);
  row += 2;
  worksheet_write_string (sheet, row++, 0, total_line, NULL);
  row++;
  worksheet_write_string (sheet, row++, 0, texts[TEXT_SUBMITTED][l], NULL);
  worksheet_write_string (sheet, row++, 0, texts[TEXT_AGREED][l], NULL);
  row++;
  worksheet_write_string (sheet, row++, 0, texts[TEXT_FOOTNOTE][l], NULL);

  return set_xlsx_error (workbook_close (workbook), path, error);
}

/* PDF: A4 landscape in points, as the seed's forms are printed. */
#define PAGE_WIDTH 841.89
#define PAGE_HEIGHT 595.28
#define MARGIN 28.0
#define PADDING 2.0

typedef struct
{
  cairo_t *cr;
  double y;
  int page;
} Pdf;

static void
pdf_new_page_if (Pdf    *pdf,
                 double  needed)
{
  if (pdf->y + needed <= PAGE_HEIGHT - MARGIN)
    return;
  cairo_show_page (pdf->cr);
  pdf->y = MARGIN;
  pdf->page++;
}

static void
pdf_paragraph (Pdf            *pdf,
               const char     *text,
               double          size,
               gboolean        bold,
               PangoAlignment  alignment)
{
  g_autoptr(PangoLayout) layout = qoima_pdf_text_layout (pdf->cr, text, PAGE_WIDTH - 2 * MARGIN, size, bold, alignment);
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
         const gboolean     *right,
         double              size,
         gboolean            bold)
{
  PangoLayout *layouts[32];
  double height = 0;
  double x = MARGIN;

  g_assert (n <= (int) G_N_ELEMENTS (layouts));
  for (int c = 0; c < n; c++)
    {
      layouts[c] = qoima_pdf_text_layout (pdf->cr, cells[c] ? cells[c] : "", widths[c] - 2 * PADDING, size, bold,
                                          right != NULL && right[c] ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
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

static gboolean
pdf_begin (Pdf              *pdf,
           cairo_surface_t **surface,
           const char       *path,
           GError          **error)
{
  g_autofree char *name = g_filename_display_name (path);

  *surface = cairo_pdf_surface_create (path, PAGE_WIDTH, PAGE_HEIGHT);
  if (cairo_surface_status (*surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write %s: %s"), name,
                   cairo_status_to_string (cairo_surface_status (*surface)));
      cairo_surface_destroy (*surface);
      return FALSE;
    }
  pdf->cr = cairo_create (*surface);
  pdf->y = MARGIN;
  pdf->page = 1;
  return TRUE;
}

static gboolean
pdf_end (Pdf             *pdf,
         cairo_surface_t *surface,
         const char      *path,
         GError         **error)
{
  g_autofree char *name = g_filename_display_name (path);
  cairo_status_t status;

  cairo_show_page (pdf->cr);
  cairo_destroy (pdf->cr);
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

gboolean
qoima_copay_registry_write_pdf (QoimaCopayRegistry  *registry,
                                const char          *language,
                                const char          *path,
                                GError             **error)
{
  /* Column widths in points, summing to the page's width between margins. */
  static const double shares[QOIMA_COPAY_REGISTRY_COLUMNS] = { 2.2, 6.5, 5.5, 4.5, 3.5, 5.5, 6, 6, 6, 6, 3.5, 5, 4.5, 10.5, 6.5, 6.5, 6.5 };
  const char *lang = form_language (language);
  int l = language_index (language);
  double widths[QOIMA_COPAY_REGISTRY_COLUMNS];
  double sum = 0;
  const char *titles[QOIMA_COPAY_REGISTRY_COLUMNS];
  char *numbers[QOIMA_COPAY_REGISTRY_COLUMNS];
  gboolean right[QOIMA_COPAY_REGISTRY_COLUMNS] = { FALSE, };
  g_autofree char *period = period_text (registry, lang);
  g_autofree char *supplier = supplier_text (registry, l);
  g_autofree char *due = due_text (registry, lang);
  g_autofree char *total_money = qoima_money_format_for (registry->total, lang);
  g_autofree char *total_line = fill1 (texts[TEXT_TOTAL_LINE][l], total_money);
  cairo_surface_t *surface;
  Pdf pdf;

  g_return_val_if_fail (registry != NULL && path != NULL, FALSE);

  if (!pdf_begin (&pdf, &surface, path, error))
    return FALSE;
  for (int c = 0; c < QOIMA_COPAY_REGISTRY_COLUMNS; c++)
    sum += shares[c];
  for (int c = 0; c < QOIMA_COPAY_REGISTRY_COLUMNS; c++)
    {
      widths[c] = shares[c] / sum * (PAGE_WIDTH - 2 * MARGIN);
      titles[c] = qoima_copay_registry_title (c + 1, lang);
      numbers[c] = g_strdup_printf ("%d", c + 1);
    }
  right[11] = right[14] = right[15] = right[16] = TRUE;

  pdf_paragraph (&pdf, texts[TEXT_APPENDIX_1][l], 8, FALSE, PANGO_ALIGN_RIGHT);
  pdf_paragraph (&pdf, texts[TEXT_REGISTRY_TITLE][l], 11, TRUE, PANGO_ALIGN_CENTER);
  pdf_paragraph (&pdf, period, 8, FALSE, PANGO_ALIGN_CENTER);
  pdf_paragraph (&pdf, supplier, 8, FALSE, PANGO_ALIGN_LEFT);
  pdf_paragraph (&pdf, due, 8, FALSE, PANGO_ALIGN_LEFT);
  pdf_row (&pdf, widths, QOIMA_COPAY_REGISTRY_COLUMNS, titles, NULL, 5.5, TRUE);
  pdf_row (&pdf, widths, QOIMA_COPAY_REGISTRY_COLUMNS, (const char * const *) numbers, NULL, 6, TRUE);
  for (int c = 0; c < QOIMA_COPAY_REGISTRY_COLUMNS; c++)
    g_free (numbers[c]);

  for (guint i = 0; i < registry->rows->len; i++)
    {
      char *cells[QOIMA_COPAY_REGISTRY_COLUMNS];

      for (int c = 0; c < QOIMA_COPAY_REGISTRY_COLUMNS; c++)
        cells[c] = qoima_copay_registry_cell (registry, i, c + 1, lang, FALSE);
      pdf_row (&pdf, widths, QOIMA_COPAY_REGISTRY_COLUMNS, (const char * const *) cells, right, 6, FALSE);
      for (int c = 0; c < QOIMA_COPAY_REGISTRY_COLUMNS; c++)
        g_free (cells[c]);
    }

  {
    g_autofree char *fund = qoima_money_format_for (registry->total_fund, lang);
    g_autofree char *patient = qoima_money_format_for (registry->total_patient, lang);
    double total_widths[4] = { 0, widths[14], widths[15], widths[16] };
    const char *cells[4] = { texts[TEXT_TOTAL_ROW][l], fund, patient, total_money };
    const gboolean total_right[4] = { FALSE, TRUE, TRUE, TRUE };

    for (int c = 0; c < 14; c++)
      total_widths[0] += widths[c];
    pdf_row (&pdf, total_widths, 4, cells, total_right, 6, TRUE);
  }

  pdf.y += 8;
  pdf_paragraph (&pdf, total_line, 8, FALSE, PANGO_ALIGN_LEFT);
  pdf.y += 8;
  pdf_paragraph (&pdf, texts[TEXT_SUBMITTED][l], 8, FALSE, PANGO_ALIGN_LEFT);
  pdf_paragraph (&pdf, texts[TEXT_AGREED][l], 8, FALSE, PANGO_ALIGN_LEFT);
  pdf.y += 8;
  pdf_paragraph (&pdf, texts[TEXT_FOOTNOTE][l], 7, FALSE, PANGO_ALIGN_LEFT);

  return pdf_end (&pdf, surface, path, error);
}

gboolean
qoima_copay_act_write_pdf (QoimaCopayRegistry  *registry,
                           const char          *language,
                           const char          *path,
                           GError             **error)
{
  const char *lang = form_language (language);
  int l = language_index (language);
  const double inner = PAGE_WIDTH - 2 * MARGIN;
  const double widths[5] = { inner * 0.05, inner * 0.15, inner * 0.45, inner * 0.15, inner * 0.20 };
  const gboolean right[5] = { FALSE, FALSE, FALSE, TRUE, TRUE };
  g_autoptr(GPtrArray) lines = qoima_copay_act_lines (registry);
  g_autofree char *period = period_text (registry, lang);
  g_autofree char *total_money = qoima_money_format_for (registry->total_fund, lang);
  gint64 prescriptions = 0;
  cairo_surface_t *surface;
  Pdf pdf;

  g_return_val_if_fail (registry != NULL && path != NULL, FALSE);

  if (!pdf_begin (&pdf, &surface, path, error))
    return FALSE;
  pdf_paragraph (&pdf, texts[TEXT_APPENDIX_2][l], 8, FALSE, PANGO_ALIGN_RIGHT);
  pdf_paragraph (&pdf, texts[TEXT_ACT_TITLE][l], 11, TRUE, PANGO_ALIGN_CENTER);
  pdf_paragraph (&pdf, "№ ___ «__» ______ 20__", 8, FALSE, PANGO_ALIGN_CENTER);
  pdf_paragraph (&pdf, period, 8, FALSE, PANGO_ALIGN_CENTER);
  pdf.y += 6;

  {
    const double group_widths[3] = { widths[0] + widths[1] + widths[2], widths[3] + widths[4] };
    const char *group[2] = { "", texts[TEXT_ACT_CLAIMED][l] };
    const char *titles[5] = { "№ п/п", texts[TEXT_ACT_REGION][l], texts[TEXT_ACT_SUPPLIER][l],
                              texts[TEXT_ACT_PRESCRIPTIONS][l], texts[TEXT_ACT_FUND][l] };
    const char *numbers[5] = { "1", "2", "3", "4", "5" };

    if (l == 1)
      titles[0] = "№ р/с";
    pdf_row (&pdf, group_widths, 2, group, NULL, 7, TRUE);
    pdf_row (&pdf, widths, 5, titles, NULL, 7, TRUE);
    pdf_row (&pdf, widths, 5, numbers, NULL, 7, TRUE);
  }
  for (guint i = 0; i < lines->len; i++)
    {
      QoimaCopayActLine *line = g_ptr_array_index (lines, i);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, line->prescriptions);
      g_autofree char *fund = qoima_money_format_for (line->fund, lang);
      const char *cells[5] = { number, line->region, line->supplier, count, fund };

      prescriptions += line->prescriptions;
      pdf_row (&pdf, widths, 5, cells, right, 7, FALSE);
    }
  {
    const double total_widths[3] = { widths[0] + widths[1] + widths[2], widths[3], widths[4] };
    g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, prescriptions);
    const char *cells[3] = { texts[TEXT_ACT_TOTAL][l], count, total_money };
    const gboolean total_right[3] = { FALSE, TRUE, TRUE };

    pdf_row (&pdf, total_widths, 3, cells, total_right, 7, TRUE);
  }
  pdf.y += 16;
  pdf_paragraph (&pdf, texts[TEXT_SUBMITTED][l], 8, FALSE, PANGO_ALIGN_LEFT);
  pdf_paragraph (&pdf, texts[TEXT_AGREED][l], 8, FALSE, PANGO_ALIGN_LEFT);

  return pdf_end (&pdf, surface, path, error);
}
