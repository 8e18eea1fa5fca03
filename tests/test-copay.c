/* test-copay.c: co-payment's money, amounts, limit prices, prescriptions and registry
 * (seed 002, rules R002-3, R002-7, R002-8, R002-10, R002-11)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "qoima-copay.h"
#include "qoima-copay-export.h"

static void
test_money_parse (void)
{
  static const struct { const char *text; gint64 tiyn; } good[] = {
    { "1 234,50", 123450 }, { "1\u00A0234,50", 123450 }, { "1234.50", 123450 }, { "1234", 123400 },
    { "0,5", 50 }, { "0.05", 5 }, { "12 345 678,99", 1234567899 },
  };
  static const char *const bad[] = { "", "abc", "-5", "1,234.50", "1.234,5,0", "1,505", ",50", "12,", "1e3" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 tiyn = -1;

      g_assert_true (qoima_money_parse (good[i].text, &tiyn, &error));
      g_assert_no_error (error);
      g_assert_cmpint (tiyn, ==, good[i].tiyn);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 tiyn = 0;

      g_assert_false (qoima_money_parse (bad[i], &tiyn, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static void
test_money_format (void)
{
  g_autofree char *ru = qoima_money_format_for (123456789, "ru");
  g_autofree char *kk = qoima_money_format_for (5, "kk_KZ");
  g_autofree char *en = qoima_money_format_for (123456789, "en");
  g_autofree char *plain = qoima_money_to_plain (123456789);
  g_autofree char *zero = qoima_money_to_plain (0);
  gint64 back = 0;

  g_assert_cmpstr (ru, ==, "1\u00A0234\u00A0567,89");
  g_assert_cmpstr (kk, ==, "0,05");
  g_assert_cmpstr (en, ==, "1,234,567.89");
  g_assert_cmpstr (plain, ==, "1234567.89");
  g_assert_cmpstr (zero, ==, "0.00");
  /* What we print we read back. */
  g_assert_true (qoima_money_parse (ru, &back, NULL));
  g_assert_cmpint (back, ==, 123456789);
}

static void
test_split (void)
{
  /* R002-10, per wizards-and-copay.md §7.4's example (limit 100 ₸): columns 15 and 16. */
  static const struct { gint64 price, limit, quantity, fund, patient; } cases[] = {
    { 13000, 10000, 1, 10000, 3000 },   /* above the limit: the patient pays the difference */
    { 10000, 10000, 1, 10000, 0 },      /* equal: nothing to pay */
    { 9000, 10000, 1, 9000, 0 },        /* below: the Fund pays the price, never above it */
    { 250000, 7550, 30, 226500, 23500 },/* a pack of 30 units at 75,50 ₸ a unit */
    { 0, 7550, 30, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 fund = -1, patient = -1;

      qoima_copay_split (cases[i].price, cases[i].limit, cases[i].quantity, &fund, &patient);
      g_assert_cmpint (fund, ==, cases[i].fund);        /* R002-10 */
      g_assert_cmpint (patient, ==, cases[i].patient);  /* R002-10 */
      g_assert_cmpint (fund + patient, ==, cases[i].price);
      g_assert_cmpint (fund, <=, cases[i].price);
    }
}

static const char price_csv[] =
  "\xEF\xBB\xBFМНН;Форма;Дозировка;Единица;Предельная цена;Действует с\r\n"
  "Метформин;таблетки;500 мг;таблетка;\"12,40\";2025-10-01\r\n"
  "Метформин;таблетки;500 мг;таблетка;13,10;2026-01-01\r\n"
  "Бисопролол;таблетки;5 мг;таблетка;21,00;2025-10-01\r\n";

static void
test_prices (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) prices = qoima_limit_prices_parse_csv (price_csv, strlen (price_csv), &error);
  const QoimaLimitPrice *price;

  g_assert_no_error (error);
  g_assert_nonnull (prices);
  g_assert_cmpuint (prices->len, ==, 3);

  /* History: December 2025 keeps the price then in force; January takes the new one. */
  price = qoima_limit_prices_lookup (prices, "метформин", "Таблетки", "500 мг", "2025-12-31");
  g_assert_nonnull (price);
  g_assert_cmpint (price->price, ==, 1240);
  price = qoima_limit_prices_lookup (prices, "Метформин", "таблетки", "500 мг", "2026-01-01");
  g_assert_nonnull (price);
  g_assert_cmpint (price->price, ==, 1310);
  g_assert_cmpstr (price->unit, ==, "таблетка");
  g_assert_null (qoima_limit_prices_lookup (prices, "Метформин", "таблетки", "500 мг", "2025-09-30"));
  g_assert_null (qoima_limit_prices_lookup (prices, "Метформин", "таблетки", "850 мг", "2026-01-01"));
}

static void
test_prices_bad (void)
{
  static const char *const bad[] = {
    "inn,form,dosage,unit,limit_price\nA,B,C,D,1.00\n",                 /* no valid_from column */
    "inn,form,dosage,unit,limit_price,valid_from\nA,B,C,D,abc,2026-01-01\n",
    "inn,form,dosage,unit,limit_price,valid_from\nA,B,C,D,1.00,2026-02-30\n",
    "inn,form,dosage,unit,limit_price,valid_from\nA,,C,D,1.00,2026-01-01\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) prices = qoima_limit_prices_parse_csv (bad[i], strlen (bad[i]), &error);

      g_assert_null (prices);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static void
test_prescription_qr (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaPrescription) rx = NULL;
  g_autoptr(QoimaPrescription) again = NULL;
  g_autofree char *payload = NULL;

  /* R002-3: supply by INN, form and dosage from the e-prescription's QR code; the ICD-10
   * code typed with Cyrillic look-alikes (Е11.9) is read as Latin. */
  rx = qoima_prescription_parse_qr ("RX1|RX-2026-000123|2026-01-14|800101300706|Е11.9|Метформин|таблетки|500 мг\\|XR|60", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rx->number, ==, "RX-2026-000123");
  g_assert_cmpstr (rx->date, ==, "2026-01-14");
  g_assert_cmpstr (rx->patient_iin, ==, "800101300706");
  g_assert_cmpstr (rx->icd10, ==, "E11.9");
  g_assert_cmpstr (rx->inn, ==, "Метформин");
  g_assert_cmpstr (rx->form, ==, "таблетки");
  g_assert_cmpstr (rx->dosage, ==, "500 мг|XR");
  g_assert_cmpint (rx->quantity, ==, 60);

  payload = qoima_prescription_to_qr (rx);
  again = qoima_prescription_parse_qr (payload, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->dosage, ==, rx->dosage);
  g_assert_cmpstr (again->icd10, ==, "E11.9");
  g_assert_cmpstr (again->inn, ==, "Метформин");

  /* R002-3: the QR code goes through a scanner typing as a keyboard, which types ASCII
   * alone: the payload written is ASCII, its Cyrillic as URL escapes, read back whole. */
  for (const char *p = payload; *p != '\0'; p++)
    g_assert_cmpint ((guchar) *p, <, 0x80);
  g_assert_nonnull (strstr (payload, "%D0%9C"));
  g_clear_pointer (&again, qoima_prescription_free);
  again = qoima_prescription_parse_qr ("RX1|N-1|2026-01-14|800101300706|E11|%D0%9C%D0%B5%D1%82%D1%84%D0%BE%D1%80%D0%BC%D0%B8%D0%BD"
                                       "|%d1%82%d0%b0%d0%b1|100%25 %|60", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->inn, ==, "Метформин");
  g_assert_cmpstr (again->form, ==, "таб");
  g_assert_cmpstr (again->dosage, ==, "100% %");
}

static void
test_prescription_qr_bad (void)
{
  static const char *const bad[] = {
    "",
    "010460123456789021ABC",                                                  /* a pack's code */
    "RX1|N|2026-01-14|800101300706|E11|Метформин|таблетки|500 мг",            /* no quantity */
    "RX1|N|2026-01-14|800101300705|E11|Метформин|таблетки|500 мг|60",         /* IIN check digit */
    "RX1|N|2026-13-14|800101300706|E11|Метформин|таблетки|500 мг|60",         /* date */
    "RX1|N|2026-01-14|800101300706|11E|Метформин|таблетки|500 мг|60",         /* ICD-10 */
    "RX1|N|2026-01-14|800101300706|E11|Метформин|таблетки|500 мг|0",          /* quantity */
    "RX1||2026-01-14|800101300706|E11|Метформин|таблетки|500 мг|60",          /* number */
    "RX1|N|2026-01-14|800101300706|E11|%D0|таблетки|500 мг|60",               /* half a character */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(QoimaPrescription) rx = qoima_prescription_parse_qr (bad[i], &error);

      g_assert_null (rx);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static void
test_due (void)
{
  g_autofree char *june = qoima_copay_registry_due (2026, 6);
  g_autofree char *december = qoima_copay_registry_due (2025, 12);
  g_autofree char *early = qoima_copay_due_warning (2026, 6, "2026-07-01");
  g_autofree char *near = qoima_copay_due_warning (2026, 6, "2026-07-20");
  g_autofree char *late = qoima_copay_due_warning (2026, 6, "2026-07-26");
  int year = 0, month = 0;

  /* R002-8: by the 25th of the next month; December's by 25 January. */
  g_assert_cmpstr (june, ==, "2026-07-25");
  g_assert_cmpstr (december, ==, "2026-01-25");
  g_assert_cmpint (qoima_copay_days_to_due (2025, 12, "2026-01-20"), ==, 5);
  g_assert_cmpint (qoima_copay_days_to_due (2026, 6, "2026-07-26"), ==, -1);
  /* The warning as the due date approaches (R002-8), and once late (R002-12). */
  g_assert_null (early);
  g_assert_nonnull (near);
  g_assert_nonnull (strstr (near, "2026-07-25"));
  g_assert_nonnull (late);
  g_assert_nonnull (strstr (late, "contract"));

  g_assert_true (qoima_copay_month_parse ("2026-01", &year, &month, NULL));
  g_assert_cmpint (year, ==, 2026);
  g_assert_cmpint (month, ==, 1);
  g_assert_false (qoima_copay_month_parse ("2026-13", &year, &month, NULL));
  g_assert_false (qoima_copay_month_parse ("2026-1", &year, &month, NULL));
}

static QoimaDispensing *
dispensing (const char *at,
            const char *number,
            const char *region,
            gint64      price,
            gint64      limit,
            gint64      quantity)
{
  QoimaDispensing *d = g_new0 (QoimaDispensing, 1);

  d->pharmacy_name = g_strdup ("ГКП «Городская поликлиника № 1»");
  d->pharmacy_bin = g_strdup ("240340000019");
  d->region = g_strdup (region);
  d->icd10 = g_strdup ("E11.9");
  d->patient_iin = g_strdup ("800101300706");
  d->prescription_number = g_strdup (number);
  d->prescription_date = g_strdup ("2026-01-10");
  d->inn = g_strdup ("Метформин");
  d->trade_name = g_strdup ("Сиофор");
  d->dosage = g_strdup ("500 мг");
  d->form = g_strdup ("таблетки");
  d->unit = g_strdup ("таблетка");
  d->limit_per_unit = limit;
  d->fiscal_receipt = g_strdup ("000123");
  d->ki = g_strdup ("0104601234567890215AbCdEfGh1234");
  d->quantity = quantity;
  d->price = price;
  d->dispensed_at = g_strdup (at);
  return d;
}

static QoimaCopayRegistry *
sample_registry (void)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_dispensing_free);

  g_ptr_array_add (all, dispensing ("2026-01-20T10:00:00Z", "RX-2", "г. Алматы", 50000, 1310, 30));  /* above */
  g_ptr_array_add (all, dispensing ("2026-01-05T10:00:00Z", "RX-1", "г. Алматы", 39300, 1310, 30));  /* equal */
  g_ptr_array_add (all, dispensing ("2026-01-21T10:00:00Z", "RX-2", "г. Алматы", 30000, 1310, 30));  /* below */
  g_ptr_array_add (all, dispensing ("2026-02-01T00:00:00Z", "RX-3", "г. Алматы", 99900, 1310, 30));  /* next month */
  g_ptr_array_add (all, dispensing ("2025-12-31T23:59:59Z", "RX-0", "г. Алматы", 99900, 1310, 30));  /* last month */
  return qoima_copay_registry_new (2026, 1, "ГКП «Городская поликлиника № 1»", "240340000019", all);
}

static void
test_registry (void)
{
  g_autoptr(QoimaCopayRegistry) registry = sample_registry ();
  g_autoptr(GPtrArray) lines = NULL;
  gint64 sum15 = 0, sum16 = 0, sum17 = 0;

  /* R002-7: a calendar month, nothing of December or February. */
  g_assert_cmpuint (registry->rows->len, ==, 3);
  g_assert_cmpstr (registry->due, ==, "2026-02-25");

  for (guint i = 0; i < registry->rows->len; i++)
    {
      const QoimaDispensing *d = g_ptr_array_index (registry->rows, i);
      gint64 fund, patient, total;
      g_autofree char *c1 = qoima_copay_registry_cell (registry, i, 1, "ru", FALSE);
      g_autofree char *c15 = qoima_copay_registry_cell (registry, i, 15, "ru", TRUE);
      g_autofree char *expected15 = NULL;

      qoima_copay_registry_amounts (registry, i, &fund, &patient, &total);
      /* R002-10: the Fund pays the limit, never above the price; the patient the rest. */
      g_assert_cmpint (fund, ==, MIN (d->limit_per_unit * d->quantity, d->price));
      g_assert_cmpint (patient, ==, MAX (0, d->price - d->limit_per_unit * d->quantity));
      /* R002-11: 17 = 15 + 16. */
      g_assert_cmpint (total, ==, fund + patient);
      g_assert_cmpint (total, ==, d->price);
      expected15 = qoima_money_to_plain (fund);
      g_assert_cmpstr (c15, ==, expected15);
      g_assert_cmpint (atoi (c1), ==, (int) i + 1);
      sum15 += fund;
      sum16 += patient;
      sum17 += total;
    }
  g_assert_cmpint (registry->total_fund, ==, sum15);
  g_assert_cmpint (registry->total_patient, ==, sum16);
  g_assert_cmpint (registry->total, ==, sum17);
  g_assert_cmpint (registry->total, ==, 50000 + 39300 + 30000);
  g_assert_cmpint (registry->total_fund, ==, 39300 + 39300 + 30000);
  g_assert_cmpint (registry->total_patient, ==, 50000 - 39300);

  /* Rows in the order of dispensing. */
  {
    const QoimaDispensing *first = g_ptr_array_index (registry->rows, 0);

    g_assert_cmpstr (first->prescription_number, ==, "RX-1");
  }

  /* R002-11's titles as the order prints them. */
  g_assert_cmpstr (qoima_copay_registry_title (17, "ru"), ==, "Общая сумма, в тенге (17 = 15 + 16)");
  g_assert_cmpstr (qoima_copay_registry_title (15, "ru"), ==, "Цена возмещение стоимости Фондом, в тенге");

  /* Appendix 2: prescriptions counted once (RX-2 took two packs), the Fund's sum = Σ 15. */
  lines = qoima_copay_act_lines (registry);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpint (((QoimaCopayActLine *) g_ptr_array_index (lines, 0))->prescriptions, ==, 2);
  g_assert_cmpint (((QoimaCopayActLine *) g_ptr_array_index (lines, 0))->fund, ==, registry->total_fund);
}

static void
test_exports (void)
{
  g_autoptr(QoimaCopayRegistry) registry = sample_registry ();
  g_autofree char *dir = g_dir_make_tmp ("test-copay-XXXXXX", NULL);
  const char *languages[] = { "ru", "kk" };

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *name = g_strdup_printf ("registry-%s", languages[i]);
      g_autofree char *xlsx = g_build_filename (dir, name, NULL);
      g_autofree char *pdf = g_strconcat (xlsx, ".pdf", NULL);
      g_autofree char *act = g_strconcat (xlsx, "-act.pdf", NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_true (qoima_copay_registry_write_xlsx (registry, languages[i], xlsx, &error));
      g_assert_no_error (error);
      g_assert_true (qoima_copay_registry_write_pdf (registry, languages[i], pdf, &error));
      g_assert_no_error (error);
      g_assert_true (qoima_copay_act_write_pdf (registry, languages[i], act, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (pdf, &contents, &length, NULL));
      g_assert_true (length > 1000 && g_str_has_prefix (contents, "%PDF-"));
      g_clear_pointer (&contents, g_free);
      g_assert_true (g_file_get_contents (xlsx, &contents, &length, NULL));
      g_assert_true (length > 1000 && memcmp (contents, "PK\x03\x04", 4) == 0);
      g_remove (xlsx);
      g_remove (pdf);
      g_remove (act);
    }
  /* Failure names the file. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (qoima_copay_registry_write_pdf (registry, "ru", "/nonexistent/dir/x.pdf", &error));
    g_assert_nonnull (error);
  }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/copay/money/parse", test_money_parse);
  g_test_add_func ("/copay/money/format", test_money_format);
  g_test_add_func ("/copay/R002-10/split", test_split);
  g_test_add_func ("/copay/prices/csv-and-history", test_prices);
  g_test_add_func ("/copay/prices/bad", test_prices_bad);
  g_test_add_func ("/copay/R002-3/prescription-qr", test_prescription_qr);
  g_test_add_func ("/copay/R002-3/prescription-qr-bad", test_prescription_qr_bad);
  g_test_add_func ("/copay/R002-8/due", test_due);
  g_test_add_func ("/copay/R002-11/registry", test_registry);
  g_test_add_func ("/copay/exports", test_exports);
  return g_test_run ();
}
