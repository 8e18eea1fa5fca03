/* qoima-copay-islo.c: the month's dispensing for ИСЛО (R002-4) as CSV and XLSX
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "qoima-copay-islo.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

/* The languages of the titles: English, Russian, Kazakh. */
static int
language_index (const char *language)
{
  if (g_strcmp0 (language, "ru") == 0)
    return 1;
  if (g_strcmp0 (language, "kk") == 0)
    return 2;
  return 0;
}

/* Seed 002, p. 8.5: what ИСЛО is told of a supplied prescription — the prescription, the
 * date of dispensing, the fiscal receipt and the marking code's status. No form is
 * published: these titles are the project's, the registry's (Appendix 1) where the same
 * thing is named; Kazakh to be checked by the lead. */
static const char *const islo_titles[QOIMA_COPAY_ISLO_COLUMNS][3] = {
  { "No.", "№ п/п", "№ р/с" },
  { "Prescription number", "Номер рецепта", "Рецепт нөмірі" },
  { "Prescription date", "Дата рецепта", "Рецепт күні" },
  { "Patient’s IIN", "ИИН пациента", "Пациенттің ЖСН" },
  { "ICD-10 code", "Код МКБ-10", "АХЖ-10 коды" },
  { "International non-proprietary name", "Международное непатентованное наименование", "Халықаралық патенттелмеген атауы" },
  { "Trade name", "Торговое наименование", "Саудалық атауы" },
  { "Dosage and form", "Дозировка и форма выпуска", "Дозасы және шығарылу нысаны" },
  { "Quantity dispensed", "Количество отпущено", "Босатылған саны" },
  { "Unit of measure", "Единица измерения", "Өлшем бірлігі" },
  { "Date of dispensing", "Дата отпуска", "Босату күні" },
  { "Fiscal receipt number", "Номер фискального чека", "Фискалдық чектің нөмірі" },
  { "Marking code", "Код маркировки", "Таңбалау коды" },
  { "Marking code status in ИС МПТ", "Статус кода маркировки в ИС МПТ", "ИС МПТ-дағы таңбалау кодының мәртебесі" },
  { "Withdrawal from circulation", "Вывод из оборота", "Айналымнан шығару" },
};

/* The withdrawal's state (qoima_store_list_withdrawals()' "state") in the report's
 * language, not the interface's: the report may be printed in Russian from a Kazakh one. */
static const struct {
  const char *state;
  const char *code_status;   /* as ИС МПТ names the code's status; NULL: not known here */
  const char *text[3];
} islo_states[] = {
  { "owed", "INTRODUCED", { "Owed, to be signed", "Не подписан", "Қол қойылмаған" } },
  { "waiting", "INTRODUCED", { "Signed, waiting to be sent", "Подписан, ожидает отправки", "Қол қойылды, жіберуді күтуде" } },
  { "checking", "INTRODUCED", { "Sent, being checked", "Отправлен, проверяется", "Жіберілді, тексерілуде" } },
  { "not_recorded", NULL, { "Answered, not yet recorded", "Ответ получен, не записан", "Жауап алынды, жазылмаған" } },
  { "accepted", "RETIRED", { "Withdrawn", "Выведен из оборота", "Айналымнан шығарылды" } },
  { "refused", "INTRODUCED", { "Refused by ИС МПТ", "Отклонён ИС МПТ", "ИС МПТ қабылдамады" } },
};

GHashTable *
qoima_copay_islo_states (JsonNode *withdrawals)
{
  GHashTable *states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *array;

  if (withdrawals == NULL || !JSON_NODE_HOLDS_ARRAY (withdrawals))
    return states;
  array = json_node_get_array (withdrawals);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);
      const char *pack = entry ? json_object_get_string_member_with_default (entry, "pack", NULL) : NULL;
      const char *state = entry ? json_object_get_string_member_with_default (entry, "state", NULL) : NULL;

      if (pack != NULL && state != NULL)
        g_hash_table_replace (states, g_strdup (pack), g_strdup (state));
    }
  return states;
}

const char *
qoima_copay_islo_title (int         column,
                        const char *language)
{
  g_return_val_if_fail (column >= 1 && column <= QOIMA_COPAY_ISLO_COLUMNS, NULL);
  return islo_titles[column - 1][language_index (language)];
}

static char *
format_date (const char *iso)
{
  int y, m, d;

  if (iso == NULL || sscanf (iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return g_strdup (iso ? iso : "");
  return g_strdup_printf ("%02d.%02d.%04d", d, m, y);
}

/* The day the pack was dispensed, on the hospital's clock (dispensed_at is UTC). */
static char *
dispensing_day (const char *dispensed_at)
{
  g_autoptr(GDateTime) utc = dispensed_at ? g_date_time_new_from_iso8601 (dispensed_at, NULL) : NULL;
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  if (local == NULL)
    return format_date (dispensed_at);
  return g_date_time_format (local, "%d.%m.%Y");
}

char *
qoima_copay_islo_cell (QoimaCopayRegistry *registry,
                       GHashTable         *states,
                       guint               index,
                       int                 column,
                       const char         *language)
{
  const QoimaDispensing *d;
  const char *state;

  g_return_val_if_fail (registry != NULL && index < registry->rows->len, NULL);
  g_return_val_if_fail (column >= 1 && column <= QOIMA_COPAY_ISLO_COLUMNS, NULL);

  d = g_ptr_array_index (registry->rows, index);
  state = states != NULL ? g_hash_table_lookup (states, d->ki) : NULL;
  switch (column)
    {
    case 1: return g_strdup_printf ("%u", index + 1);
    case 2: return g_strdup (d->prescription_number);
    case 3: return format_date (d->prescription_date);
    case 4: return g_strdup (d->patient_iin);
    case 5: return g_strdup (d->icd10);
    case 6: return g_strdup (d->inn);
    case 7: return g_strdup (d->trade_name);
    case 8: return g_strdup_printf ("%s, %s", d->dosage, d->form);
    case 9: return g_strdup_printf ("%" G_GINT64_FORMAT, d->quantity);
    case 10: return g_strdup (d->unit);
    case 11: return dispensing_day (d->dispensed_at);
    case 12: return g_strdup (d->fiscal_receipt);
    case 13: return g_strdup (d->ki);
    case 14:
    case 15:
      for (gsize i = 0; state != NULL && i < G_N_ELEMENTS (islo_states); i++)
        if (g_str_equal (state, islo_states[i].state))
          return g_strdup (column == 15 ? islo_states[i].text[language_index (language)]
                           : islo_states[i].code_status ? islo_states[i].code_status : "");
      /* No withdrawal known for the pack: said, never guessed. */
      return g_strdup ("");
    default:
      g_assert_not_reached ();
    }
}

/* CSV as the Reports page writes it: a UTF-8 mark, ';' for Russian and Kazakh (Excel's
 * list separator there, ',' being the decimal point), formulas defused. */
static void
append_csv_field (GString    *out,
                  const char *field,
                  char        separator)
{
  const char specials[] = { '"', separator, '\r', '\n', '\0' };
  gboolean quote = strpbrk (field, specials) != NULL;

  if (quote)
    g_string_append_c (out, '"');
  if (field[0] != '\0' && strchr ("=+-@", field[0]) != NULL)
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

char *
qoima_copay_islo_to_csv (QoimaCopayRegistry *registry,
                         GHashTable         *states,
                         const char         *language)
{
  char separator = language_index (language) != 0 ? ';' : ',';
  GString *out = g_string_new ("\xEF\xBB\xBF");

  g_return_val_if_fail (registry != NULL, NULL);

  for (int c = 1; c <= QOIMA_COPAY_ISLO_COLUMNS; c++)
    {
      if (c > 1)
        g_string_append_c (out, separator);
      append_csv_field (out, qoima_copay_islo_title (c, language), separator);
    }
  g_string_append (out, "\r\n");
  for (guint i = 0; i < registry->rows->len; i++)
    {
      for (int c = 1; c <= QOIMA_COPAY_ISLO_COLUMNS; c++)
        {
          g_autofree char *cell = qoima_copay_islo_cell (registry, states, i, c, language);

          if (c > 1)
            g_string_append_c (out, separator);
          append_csv_field (out, cell, separator);
        }
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

gboolean
qoima_copay_islo_write_csv (QoimaCopayRegistry  *registry,
                            GHashTable          *states,
                            const char          *language,
                            const char          *path,
                            GError             **error)
{
  g_autofree char *csv = qoima_copay_islo_to_csv (registry, states, language);

  g_return_val_if_fail (path != NULL, FALSE);
  return g_file_set_contents (path, csv, -1, error);
}

static const char *const islo_heading[3] = {
  "Dispensing on e-prescriptions for ИСЛО (co-payment)",
  "Сведения об обеспечении рецептов для ИСЛО (сооплата)",
  "ИСЛО үшін рецепттерді қамтамасыз ету туралы мәліметтер (бірлесіп төлеу)",
};
static const char *const islo_month[3] = { "Month", "Период", "Кезең" };
static const char *const islo_supplier[3] = { "Supplier", "Поставщик", "Өнім беруші" };
static const char *const islo_bin[3] = { "BIN", "БИН", "БСН" };

gboolean
qoima_copay_islo_write_xlsx (QoimaCopayRegistry  *registry,
                             GHashTable          *states,
                             const char          *language,
                             const char          *path,
                             GError             **error)
{
  static const double widths[QOIMA_COPAY_ISLO_COLUMNS] = { 5, 14, 11, 14, 9, 18, 18, 16, 9, 10, 11, 12, 34, 13, 20 };
  int l = language_index (language);
  g_autofree char *month = g_strdup_printf ("%s: %02d.%04d", islo_month[l], registry->month, registry->year);
  g_autofree char *supplier = g_strdup_printf ("%s: %s, %s %s", islo_supplier[l],
                                               registry->supplier_name ? registry->supplier_name : "", islo_bin[l],
                                               registry->supplier_bin ? registry->supplier_bin : "");
  lxw_workbook *workbook;
  lxw_worksheet *sheet;
  lxw_format *wrap, *header;
  lxw_error result;
  lxw_row_t row = 0;

  g_return_val_if_fail (registry != NULL && path != NULL, FALSE);

  workbook = workbook_new (path);
  if (workbook == NULL)
    result = LXW_ERROR_CREATING_XLSX_FILE;
  else
    {
      sheet = workbook_add_worksheet (workbook, NULL);
      wrap = workbook_add_format (workbook);
      format_set_text_wrap (wrap);
      format_set_align (wrap, LXW_ALIGN_VERTICAL_TOP);
      format_set_border (wrap, LXW_BORDER_THIN);
      header = workbook_add_format (workbook);
      format_set_text_wrap (header);
      format_set_bold (header);
      format_set_border (header, LXW_BORDER_THIN);
      format_set_align (header, LXW_ALIGN_CENTER);
      format_set_align (header, LXW_ALIGN_VERTICAL_CENTER);

      worksheet_set_landscape (sheet);
      worksheet_set_paper (sheet, 9);   /* A4 */
      worksheet_fit_to_pages (sheet, 1, 0);
      for (int c = 0; c < QOIMA_COPAY_ISLO_COLUMNS; c++)
        worksheet_set_column (sheet, c, c, widths[c], NULL);

      worksheet_write_string (sheet, row++, 0, islo_heading[l], NULL);
      worksheet_write_string (sheet, row++, 0, month, NULL);
      worksheet_write_string (sheet, row++, 0, supplier, NULL);
      row++;
      worksheet_set_row (sheet, row, 45, NULL);
      for (int c = 1; c <= QOIMA_COPAY_ISLO_COLUMNS; c++)
        worksheet_write_string (sheet, row, c - 1, qoima_copay_islo_title (c, language), header);
      row++;
      for (guint i = 0; i < registry->rows->len; i++, row++)
        for (int c = 1; c <= QOIMA_COPAY_ISLO_COLUMNS; c++)
          {
            g_autofree char *cell = qoima_copay_islo_cell (registry, states, i, c, language);

            /* Numbers as numbers, so the sheet sums them; codes and IINs stay text. */
            if (c == 1 || c == 9)
              worksheet_write_number (sheet, row, c - 1, g_ascii_strtod (cell, NULL), wrap);
            else
              worksheet_write_string (sheet, row, c - 1, cell, wrap);
          }
      result = workbook_close (workbook);
    }

  if (result != LXW_NO_ERROR)
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   /* Translators: the file's name, then the library's reason in English. */
                   _("Could not write %s: %s"), name, lxw_strerror (result));
      return FALSE;
    }
  return TRUE;
}
