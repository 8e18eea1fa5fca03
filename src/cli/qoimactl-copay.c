/* qoimactl-copay.c: `qoimactl copay`: limit prices, dispensing by e-prescription, the
 * monthly registry (Appendix 1) and payment act (Appendix 2) of co-payment (seed 002), and
 * the month's dispensing for ИСЛО (R002-4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoimactl"

#include "config.h"

#include "qoimactl.h"

#include "qoima-copay.h"
#include "qoima-copay-export.h"
#include "qoima-copay-islo.h"
#include "qoima-store-copay.h"
#include "qoima-store-ledger.h"
#include "qoima-store-outbox.h"
#include "qoima-store-settings.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

static void
usage (void)
{
  fprintf (stderr, "%s\n",
           _("Usage: qoimactl [OPTION…] copay registry --month YYYY-MM [--json] [--xlsx FILE] [--pdf FILE] "
             "[--language ru|kk]\n"
             "       qoimactl [OPTION…] copay act --month YYYY-MM [--pdf FILE] [--language ru|kk]\n"
             "       qoimactl [OPTION…] copay islo --month YYYY-MM [--csv FILE] [--xlsx FILE] [--language ru|kk]\n"
             "       qoimactl [OPTION…] copay prices import FILE.csv\n"
             "       qoimactl [OPTION…] copay prices list\n"
             "       qoimactl [OPTION…] copay settings bin BIN | region NAME\n"
             "       qoimactl [OPTION…] copay dispense --qr PAYLOAD --code CODE --price AMOUNT --receipt NUMBER"));
}

/* The forms' language: Kazakh for a Kazakh UI, else Russian (the order's language). */
static const char *
default_language (void)
{
  const char *language = g_get_language_names_with_category ("LC_MESSAGES")[0];

  return g_str_has_prefix (language, "kk") ? "kk" : "ru";
}

static int
prices_import (QoimactlOptions *options,
               const char      *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) prices = NULL;
  g_autofree char *text = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  gsize length = 0;
  int n;

  /* No Debian library reads XLSX (libxlsxwriter only writes): a spreadsheet saves as CSV. */
  if (g_str_has_suffix (path, ".xlsx") || g_str_has_suffix (path, ".XLSX"))
    {
      qoimactl_print_error (_("%s: save the price list as CSV (UTF-8) and load that."), path);
      return 1;
    }
  if (!g_file_get_contents (path, &text, &length, &error))
    return qoimactl_fail (error);
  if ((prices = qoima_limit_prices_parse_csv (text, length, &error)) == NULL)
    return qoimactl_fail (error);
  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  user = qoimactl_authenticate (options, store, &error);
  if (error != NULL)
    return qoimactl_fail (error);
  qoima_store_copay_import_prices_async (store, user, prices, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if ((n = qoima_store_copay_import_prices_finish (store, result, &error)) < 0)
    return qoimactl_fail (error);
  printf (g_dngettext (GETTEXT_PACKAGE, "%d limit price loaded\n", "%d limit prices loaded\n", n), n);
  return 0;
}

static int
prices_list (QoimactlOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) prices = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;

  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  qoima_store_copay_list_prices_async (store, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if ((prices = qoima_store_copay_list_prices_finish (store, result, &error)) == NULL)
    return qoimactl_fail (error);
  for (guint i = 0; i < prices->len; i++)
    {
      const QoimaLimitPrice *price = g_ptr_array_index (prices, i);
      g_autofree char *amount = qoima_money_to_plain (price->price);

      printf ("%s\t%s\t%s\t%s\t%s\t%s\n", price->inn, price->form, price->dosage, price->unit, amount,
              price->valid_from);
    }
  return 0;
}

static int
dispense (QoimactlOptions  *options,
          int               argc,
          char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(QoimaPrescription) prescription = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  const char *qr = NULL, *code = NULL, *price_text = NULL, *receipt = NULL, *at = NULL;
  gint64 price = 0, id;

  for (int i = 1; i < argc; i += 2)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (value == NULL)
        {
          usage ();
          return 2;
        }
      if (g_str_equal (argv[i], "--qr"))
        qr = value;
      else if (g_str_equal (argv[i], "--code"))
        code = value;
      else if (g_str_equal (argv[i], "--price"))
        price_text = value;
      else if (g_str_equal (argv[i], "--receipt"))
        receipt = value;
      else if (g_str_equal (argv[i], "--at"))
        at = value;
      else
        {
          usage ();
          return 2;
        }
    }
  if (qr == NULL || code == NULL || price_text == NULL || receipt == NULL)
    {
      usage ();
      return 2;
    }
  if ((prescription = qoima_prescription_parse_qr (qr, &error)) == NULL ||
      !qoima_money_parse (price_text, &price, &error))
    return qoimactl_fail (error);
  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  user = qoimactl_authenticate (options, store, &error);
  if (error != NULL)
    return qoimactl_fail (error);
  qoima_store_copay_dispense_async (store, user, prescription, code, price, receipt, at, NULL,
                                    qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if ((id = qoima_store_copay_dispense_finish (store, result, &error)) < 0)
    return qoimactl_fail (error);
  printf ("%" G_GINT64_FORMAT "\n", id);
  return 0;
}

static void
print_json_line (JsonBuilder *builder)
{
  g_autoptr(JsonNode) node = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

/* One object per row, c1…c17 (amounts as "1234.50"), then one with the totals. */
static void
print_registry_json (QoimaCopayRegistry *registry)
{
  for (guint i = 0; i < registry->rows->len; i++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      for (int c = 1; c <= QOIMA_COPAY_REGISTRY_COLUMNS; c++)
        {
          g_autofree char *key = g_strdup_printf ("c%d", c);
          g_autofree char *cell = qoima_copay_registry_cell (registry, i, c, "ru", TRUE);

          json_builder_set_member_name (builder, key);
          json_builder_add_string_value (builder, cell);
        }
      json_builder_end_object (builder);
      print_json_line (builder);
    }

  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autofree char *month = g_strdup_printf ("%04d-%02d", registry->year, registry->month);
    g_autofree char *c15 = qoima_money_to_plain (registry->total_fund);
    g_autofree char *c16 = qoima_money_to_plain (registry->total_patient);
    g_autofree char *c17 = qoima_money_to_plain (registry->total);

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "totals");
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "rows");
    json_builder_add_int_value (builder, registry->rows->len);
    json_builder_set_member_name (builder, "c15");
    json_builder_add_string_value (builder, c15);
    json_builder_set_member_name (builder, "c16");
    json_builder_add_string_value (builder, c16);
    json_builder_set_member_name (builder, "c17");
    json_builder_add_string_value (builder, c17);
    json_builder_end_object (builder);
    json_builder_set_member_name (builder, "month");
    json_builder_add_string_value (builder, month);
    json_builder_set_member_name (builder, "due");
    json_builder_add_string_value (builder, registry->due);
    json_builder_set_member_name (builder, "supplier");
    json_builder_add_string_value (builder, registry->supplier_name);
    json_builder_set_member_name (builder, "bin");
    json_builder_add_string_value (builder, registry->supplier_bin);
    json_builder_end_object (builder);
    print_json_line (builder);
  }
}

static void
print_registry_text (QoimaCopayRegistry *registry,
                     const char         *language)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *warning = qoima_copay_due_warning (registry->year, registry->month, today);
  g_autofree char *fund = qoima_money_format (registry->total_fund);
  g_autofree char *patient = qoima_money_format (registry->total_patient);
  g_autofree char *total = qoima_money_format (registry->total);

  printf (_("Co-payment registry for %04d-%02d, due by %s\n"), registry->year, registry->month, registry->due);
  for (int c = 1; c <= QOIMA_COPAY_REGISTRY_COLUMNS; c++)
    printf ("%s%d", c > 1 ? "\t" : "", c);
  printf ("\n");
  for (guint i = 0; i < registry->rows->len; i++)
    {
      for (int c = 1; c <= QOIMA_COPAY_REGISTRY_COLUMNS; c++)
        {
          g_autofree char *cell = qoima_copay_registry_cell (registry, i, c, language, FALSE);

          printf ("%s%s", c > 1 ? "\t" : "", cell);
        }
      printf ("\n");
    }
  printf (_("Total: the Fund %s, patients %s, in all %s\n"), fund, patient, total);
  if (warning != NULL)
    fprintf (stderr, "%s\n", warning);
}

static int
registry_or_act (QoimactlOptions  *options,
                 int               argc,
                 char            **argv,
                 gboolean          act)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(QoimaCopayRegistry) registry = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  const char *month = NULL, *xlsx = NULL, *pdf = NULL, *language = default_language ();
  gboolean json = FALSE;
  int year = 0, month_number = 0;

  for (int i = 1; i < argc; i++)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (!act && g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (value != NULL && g_str_equal (argv[i], "--month"))
        month = argv[++i];
      else if (value != NULL && !act && g_str_equal (argv[i], "--xlsx"))
        xlsx = argv[++i];
      else if (value != NULL && g_str_equal (argv[i], "--pdf"))
        pdf = argv[++i];
      else if (value != NULL && g_str_equal (argv[i], "--language") &&
               (g_str_equal (value, "ru") || g_str_equal (value, "kk")))
        language = argv[++i];
      else
        {
          usage ();
          return 2;
        }
    }
  if (month == NULL)
    {
      usage ();
      return 2;
    }
  if (!qoima_copay_month_parse (month, &year, &month_number, &error))
    return qoimactl_fail (error);

  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  /* Patients' IINs: with users, only those who may view reports. */
  user = qoimactl_authenticate (options, store, &error);
  if (error != NULL || (user != NULL && !qoima_user_check (user, QOIMA_PERMISSION_VIEW_REPORTS, &error)))
    return qoimactl_fail (error);

  qoima_store_copay_registry_async (store, year, month_number, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if ((registry = qoima_store_copay_registry_finish (store, result, &error)) == NULL)
    return qoimactl_fail (error);

  if (xlsx != NULL && !qoima_copay_registry_write_xlsx (registry, language, xlsx, &error))
    return qoimactl_fail (error);
  if (pdf != NULL && !(act ? qoima_copay_act_write_pdf (registry, language, pdf, &error)
                           : qoima_copay_registry_write_pdf (registry, language, pdf, &error)))
    return qoimactl_fail (error);
  if (json)
    print_registry_json (registry);
  else if (act && pdf == NULL)
    {
      g_autoptr(GPtrArray) lines = qoima_copay_act_lines (registry);

      for (guint i = 0; i < lines->len; i++)
        {
          QoimaCopayActLine *line = g_ptr_array_index (lines, i);
          g_autofree char *fund = qoima_money_to_plain (line->fund);

          printf ("%u\t%s\t%s\t%" G_GINT64_FORMAT "\t%s\n", i + 1, line->region, line->supplier,
                  line->prescriptions, fund);
        }
    }
  else if (xlsx == NULL && pdf == NULL)
    print_registry_text (registry, language);
  return 0;
}

/* The month's dispensing as ИСЛО is told of it (R002-4): each pack with its date, fiscal
 * receipt and marking code status, the latter from the outbox as it is now. Without a
 * file the CSV goes to standard output. */
static int
islo (QoimactlOptions  *options,
      int               argc,
      char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(QoimaCopayRegistry) registry = NULL;
  g_autoptr(JsonNode) withdrawals = NULL;
  g_autoptr(GHashTable) states = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  QoimactlWait wait_list = QOIMACTL_WAIT_INIT;
  const char *month = NULL, *csv = NULL, *xlsx = NULL, *language = default_language ();
  int year = 0, month_number = 0;

  for (int i = 1; i < argc; i++)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (value != NULL && g_str_equal (argv[i], "--month"))
        month = argv[++i];
      else if (value != NULL && g_str_equal (argv[i], "--csv"))
        csv = argv[++i];
      else if (value != NULL && g_str_equal (argv[i], "--xlsx"))
        xlsx = argv[++i];
      else if (value != NULL && g_str_equal (argv[i], "--language") &&
               (g_str_equal (value, "ru") || g_str_equal (value, "kk")))
        language = argv[++i];
      else
        {
          usage ();
          return 2;
        }
    }
  if (month == NULL)
    {
      usage ();
      return 2;
    }
  if (!qoima_copay_month_parse (month, &year, &month_number, &error))
    return qoimactl_fail (error);

  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  /* Patients' IINs: with users, only those who may view reports. */
  user = qoimactl_authenticate (options, store, &error);
  if (error != NULL || (user != NULL && !qoima_user_check (user, QOIMA_PERMISSION_VIEW_REPORTS, &error)))
    return qoimactl_fail (error);

  qoima_store_copay_registry_async (store, year, month_number, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if ((registry = qoima_store_copay_registry_finish (store, result, &error)) == NULL)
    return qoimactl_fail (error);
  qoima_store_list_withdrawals_async (store, NULL, qoimactl_wait_cb, &wait_list);
  listed = qoimactl_wait_for_result (&wait_list);
  if ((withdrawals = qoima_store_list_withdrawals_finish (store, listed, &error)) == NULL)
    return qoimactl_fail (error);
  states = qoima_copay_islo_states (withdrawals);

  if (csv != NULL && !qoima_copay_islo_write_csv (registry, states, language, csv, &error))
    return qoimactl_fail (error);
  if (xlsx != NULL && !qoima_copay_islo_write_xlsx (registry, states, language, xlsx, &error))
    return qoimactl_fail (error);
  if (csv == NULL && xlsx == NULL)
    {
      g_autofree char *text = qoima_copay_islo_to_csv (registry, states, language);

      /* A pipe takes no byte-order mark: it is for spreadsheets opening a file. */
      fputs (g_str_has_prefix (text, "\xEF\xBB\xBF") ? text + 3 : text, stdout);
    }
  return 0;
}

/* The pharmacy point's BIN and region, as the registry's columns 3 and 4 print them. */
static int
settings (QoimactlOptions *options,
          const char      *what,
          const char      *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  gboolean bin = g_str_equal (what, "bin");

  if ((!bin && !g_str_equal (what, "region")) || *value == '\0')
    {
      usage ();
      return 2;
    }
  if (bin && !qoima_iin_is_valid (value))
    {
      qoimactl_print_error (_("%s is not a BIN: 12 digits with a valid check digit."), value);
      return 1;
    }
  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  user = qoimactl_authenticate (options, store, &error);
  if (error != NULL)
    return qoimactl_fail (error);
  qoima_store_set_setting_async (store, user, bin ? QOIMA_SETTING_COPAY_BIN : QOIMA_SETTING_COPAY_REGION, value,
                                 NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if (!qoima_store_set_setting_finish (store, result, &error))
    return qoimactl_fail (error);
  return 0;
}

int
qoimactl_copay (QoimactlOptions  *options,
                int               argc,
                char            **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "registry"))
    return registry_or_act (options, argc - 1, argv + 1, FALSE);
  if (argc >= 2 && g_str_equal (argv[1], "act"))
    return registry_or_act (options, argc - 1, argv + 1, TRUE);
  if (argc >= 2 && g_str_equal (argv[1], "islo"))
    return islo (options, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "dispense"))
    return dispense (options, argc - 1, argv + 1);
  if (argc == 4 && g_str_equal (argv[1], "prices") && g_str_equal (argv[2], "import"))
    return prices_import (options, argv[3]);
  if (argc == 3 && g_str_equal (argv[1], "prices") && g_str_equal (argv[2], "list"))
    return prices_list (options);
  if (argc == 4 && g_str_equal (argv[1], "settings"))
    return settings (options, argv[2], argv[3]);
  usage ();
  return 2;
}
