/* test-demo.c: the demo data, and `qoimactl demo|stock` on top of them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-demo.h"
#include "qoima-test-file-modes.h"
#include "qoima-test-utils.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The GS1 mod-10 check, written again here so the test does not trust the code it tests. */
static gboolean
gtin_check_digit_ok (const char *gtin)
{
  int sum = 0;

  if (strlen (gtin) != 14)
    return FALSE;

  for (int i = 0; i < 14; i++)
    if (!g_ascii_isdigit (gtin[i]))
      return FALSE;

  /* From the right, not counting the check digit: weights 3, 1, 3, 1… */
  for (int i = 12, weight = 3; i >= 0; i--, weight = 4 - weight)
    sum += (gtin[i] - '0') * weight;

  return (10 - sum % 10) % 10 == gtin[13] - '0';
}

static gboolean
is_cset82 (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!\"%&'()*+,-./:;<=>?_", c) != NULL);
}

static QoimaStore *
open_filled (int     n_packs,
             guint32 seed)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaStore *store;

  store = qoima_test_open_store (":memory:");
  qoima_demo_fill_async (store, n_packs, seed, NULL, qoima_test_result_cb, &result);
  g_assert_true (qoima_demo_fill_finish (store, qoima_test_wait_for (&result), &error));
  g_assert_no_error (error);
  return store;
}

static GListModel *
list_packs (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *packs;

  qoima_store_list_packs_async (store, NULL, qoima_test_result_cb, &result);
  packs = qoima_store_list_packs_finish (store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  return packs;
}

static int
days_from_today (const char *iso)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate today, date;
  int year, month, day;

  g_assert_cmpint (sscanf (iso, "%4d-%2d-%2d", &year, &month, &day), ==, 3);
  g_date_clear (&today, 1);
  g_date_clear (&date, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now), g_date_time_get_year (now));
  g_date_set_dmy (&date, day, month, year);
  return g_date_days_between (&today, &date);
}

static void
test_products (void)
{
  g_autoptr(GPtrArray) products = qoima_demo_products ();
  g_autoptr(GHashTable) gtins = g_hash_table_new (g_str_hash, g_str_equal);
  unsigned one_unit = 0, kazakh_makers = 0, imported = 0;

  g_assert_cmpuint (products->len, >=, 45);

  for (unsigned i = 0; i < products->len; i++)
    {
      QoimaProduct *product = g_ptr_array_index (products, i);
      const char *gtin = qoima_product_get_gtin (product);
      const char *name_kk = qoima_product_get_name_kk (product);

      g_assert_true (gtin_check_digit_ok (gtin));
      g_assert_true (g_hash_table_add (gtins, (char *) gtin));
      g_assert_true (g_utf8_validate (qoima_product_get_name_ru (product), -1, NULL));
      g_assert_cmpstr (qoima_product_get_name_ru (product), !=, "");
      g_assert_cmpstr (name_kk, !=, "");
      g_assert_cmpstr (name_kk, !=, qoima_product_get_name_ru (product));
      g_assert_cmpstr (qoima_product_get_inn (product), !=, "");
      g_assert_cmpstr (qoima_product_get_form (product), !=, "");
      g_assert_cmpstr (qoima_product_get_dosage (product), !=, "");
      g_assert_cmpstr (qoima_product_get_manufacturer (product), !=, "");
      g_assert_cmpint (qoima_product_get_units_per_pack (product), >, 0);

      if (qoima_product_get_units_per_pack (product) == 1)
        one_unit++;
      if (g_str_has_prefix (gtin, "0487"))
        kazakh_makers++;
      else
        imported++;
    }

  /* Vials, infusion bottles, a syringe-tube… */
  g_assert_cmpuint (one_unit, >=, 5);
  g_assert_cmpuint (kazakh_makers, >=, 10);
  g_assert_cmpuint (imported, >=, 10);
}

static void
test_marking_code (void)
{
  g_autofree char *km = qoima_demo_marking_code ("04870101000010", "ab%'\"<Cd12345");
  g_autofree char *again = qoima_demo_marking_code ("04870101000010", "ab%'\"<Cd12345");
  g_autofree char *other = qoima_demo_marking_code ("04870101000010", "ab%'\"<Cd12346");
  g_auto(GStrv) parts = NULL;

  g_assert_cmpstr (km, ==, again);
  g_assert_cmpstr (km, !=, other);

  /* 01 GTIN 21 serial <GS> 91 key(4) <GS> 92 crypto(44) */
  parts = g_strsplit (km, "\x1d", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  g_assert_cmpstr (parts[0], ==, "010487010100001021ab%'\"<Cd12345");
  g_assert_true (g_str_has_prefix (parts[1], "91"));
  g_assert_cmpuint (strlen (parts[1]), ==, 2 + 4);
  g_assert_true (g_str_has_prefix (parts[2], "92"));
  g_assert_cmpuint (strlen (parts[2]), ==, 2 + 44);
  for (int i = 0; i < 3; i++)
    for (const char *p = parts[i]; *p != '\0'; p++)
      g_assert_true (is_cset82 (*p));
}

static void
test_fill (void)
{
  g_autoptr(QoimaStore) store = open_filled (2000, 42);
  g_autoptr(GListModel) packs = list_packs (store);
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaLocation) warehouse = NULL;
  unsigned n, near = 0, opened = 0, in_wards = 0, one_unit = 0, punctuated = 0;

  n = g_list_model_get_n_items (packs);
  g_assert_cmpuint (n, ==, 2000);

  qoima_store_list_locations_async (store, NULL, qoima_test_result_cb, &result);
  locations = qoima_store_list_locations_finish (store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (g_list_model_get_n_items (locations), >=, 5);
  warehouse = g_list_model_get_item (locations, 0);
  g_assert_cmpint (qoima_location_get_kind (warehouse), ==, QOIMA_LOCATION_KIND_WAREHOUSE);
  g_assert_cmpstr (qoima_location_get_name_ru (warehouse), ==, "Склад аптеки");
  g_assert_cmpstr (qoima_location_get_name_kk (warehouse), ==, "Дәріхана қоймасы");

  for (unsigned i = 0; i < n; i++)
    {
      g_autoptr(QoimaPack) pack = g_list_model_get_item (packs, i);
      QoimaProduct *product = qoima_pack_get_product (pack);
      const char *serial = qoima_pack_get_serial (pack);
      g_autofree char *expected_km = NULL;
      int days;

      g_assert_true (gtin_check_digit_ok (qoima_product_get_gtin (product)));
      g_assert_cmpuint (strlen (serial), ==, 13);
      for (const char *p = serial; *p != '\0'; p++)
        g_assert_true (is_cset82 (*p));
      if (strpbrk (serial, "%'\"<") != NULL)
        punctuated++;

      expected_km = qoima_demo_marking_code (qoima_product_get_gtin (product), serial);
      g_assert_cmpstr (qoima_pack_get_km (pack), ==, expected_km);
      g_assert_true (g_regex_match_simple ("^B[0-9]{7}$", qoima_pack_get_batch (pack), 0, 0));

      /* None expired; about 5% within 60 days; none beyond three years. */
      days = days_from_today (qoima_pack_get_expiry (pack));
      g_assert_cmpint (days, >, 0);
      g_assert_cmpint (days, <=, 3 * 365 + 1);
      if (days <= 60)
        near++;

      if (qoima_pack_get_status (pack) == QOIMA_PACK_STATUS_OPENED)
        {
          opened++;
          g_assert_cmpint (qoima_pack_get_units_left (pack), <, qoima_product_get_units_per_pack (product));
        }
      else
        {
          g_assert_cmpint (qoima_pack_get_status (pack), ==, QOIMA_PACK_STATUS_IN_STOCK);
          g_assert_cmpint (qoima_pack_get_units_left (pack), ==, qoima_product_get_units_per_pack (product));
        }

      if (qoima_location_get_kind (qoima_pack_get_location (pack)) == QOIMA_LOCATION_KIND_WARD)
        in_wards++;
      if (qoima_product_get_units_per_pack (product) == 1)
        one_unit++;
    }

  g_test_message ("near expiry %u, opened %u, in wards %u, one-unit %u, punctuated %u",
                  near, opened, in_wards, one_unit, punctuated);
  g_assert_cmpuint (near, >=, n * 2 / 100);
  g_assert_cmpuint (near, <=, n * 9 / 100);
  g_assert_cmpuint (opened, >, 0);
  g_assert_cmpuint (opened, <, n / 10);
  g_assert_cmpuint (in_wards, >, n / 20);
  g_assert_cmpuint (in_wards, <, n / 2);
  g_assert_cmpuint (one_unit, >, 0);
  g_assert_cmpuint (punctuated, >, 0);

  qoima_store_check_journal_async (store, NULL, qoima_test_result_cb, &result);
  g_assert_true (qoima_store_check_journal_finish (store, qoima_test_wait_for (&result), &error));
  g_assert_no_error (error);
}

static GPtrArray *
describe_packs (QoimaStore *store)
{
  g_autoptr(GListModel) packs = list_packs (store);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (unsigned i = 0; i < g_list_model_get_n_items (packs); i++)
    {
      g_autoptr(QoimaPack) pack = g_list_model_get_item (packs, i);

      g_ptr_array_add (lines, g_strdup_printf ("%s|%s|%s|%s|%d|%" G_GINT64_FORMAT,
                                               qoima_pack_get_km (pack),
                                               qoima_pack_get_batch (pack),
                                               qoima_pack_get_expiry (pack),
                                               qoima_pack_status_to_nick (qoima_pack_get_status (pack)),
                                               qoima_pack_get_units_left (pack),
                                               qoima_location_get_id (qoima_pack_get_location (pack))));
    }

  return lines;
}

static void
test_repeatable (void)
{
  g_autoptr(QoimaStore) first = open_filled (300, 7);
  g_autoptr(QoimaStore) second = open_filled (300, 7);
  g_autoptr(QoimaStore) other = open_filled (300, 8);
  g_autoptr(GPtrArray) a = describe_packs (first);
  g_autoptr(GPtrArray) b = describe_packs (second);
  g_autoptr(GPtrArray) c = describe_packs (other);
  unsigned same_as_other = 0;

  g_assert_cmpuint (a->len, ==, 300);
  g_assert_cmpuint (b->len, ==, 300);
  for (unsigned i = 0; i < a->len; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
      if (g_str_equal (g_ptr_array_index (a, i), g_ptr_array_index (c, i)))
        same_as_other++;
    }
  g_assert_cmpuint (same_as_other, ==, 0);
}

/* qoimactl */

static const char *
qoimactl_path (void)
{
  const char *path = g_getenv ("QOIMACTL");

  if (path == NULL)
    g_test_skip ("QOIMACTL is not set (run through meson test)");
  return path;
}

static int
run_qoimactl (const char * const *args,
              char              **out,
              char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (char *) qoimactl_path ());
  for (int i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);

  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_qoimactl_demo_and_stock (void)
{
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "cli", "qoima.db", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) products = qoima_demo_products ();
  JsonArray *array;
  JsonObject *object;
  unsigned escaped = 0;

  if (qoimactl_path () == NULL)
    return;

  g_assert_cmpint (run_qoimactl ((const char *[]) { "--db", db, "demo", "--packs", "250", NULL }, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "250"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Not twice into the same warehouse. */
  g_assert_cmpint (run_qoimactl ((const char *[]) { "--db", db, "demo", NULL }, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "250"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_qoimactl ((const char *[]) { "--db", db, "stock", "--json", NULL }, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);

  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 250);
  for (unsigned i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *ki = NULL;
      g_autofree char *km = NULL;
      const char *serial;

      object = json_array_get_object_element (array, i);
      serial = json_object_get_string_member (object, "serial");
      ki = g_strconcat ("01", json_object_get_string_member (object, "gtin"), "21", serial, NULL);
      km = qoima_demo_marking_code (json_object_get_string_member (object, "gtin"), serial);

      /* The GS and quotes inside codes came through the escaping intact. */
      g_assert_cmpstr (json_object_get_string_member (object, "ki"), ==, ki);
      g_assert_cmpstr (json_object_get_string_member (object, "km"), ==, km);
      if (strpbrk (serial, "\"\\") != NULL)
        escaped++;

      g_assert_true (json_object_has_member (object, "product"));
      g_assert_true (json_object_has_member (object, "inn"));
      g_assert_true (json_object_has_member (object, "batch"));
      g_assert_true (json_object_has_member (object, "expiry"));
      g_assert_true (json_object_has_member (object, "location"));
      g_assert_true (g_str_equal (json_object_get_string_member (object, "status"), "in_stock") ||
                     g_str_equal (json_object_get_string_member (object, "status"), "opened"));
      g_assert_cmpint (json_object_get_int_member (object, "units_left"), >, 0);
      g_assert_cmpint (json_object_get_int_member (object, "units_left"), <=,
                       json_object_get_int_member (object, "units_per_pack"));
    }
  g_test_message ("%u serials needed JSON escaping", escaped);
}

static void
test_qoimactl_bad_databases (void)
{
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "bad", NULL);
  g_autofree char *text = g_build_filename (folder, "notes.txt", NULL);
  g_autofree char *below_text = g_build_filename (text, "qoima.db", NULL);
  const char *cases[][2] = {
    { text, "damaged" },
    { folder, "folder" },
    { below_text, "cannot be created" },
  };

  if (qoimactl_path () == NULL)
    return;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  g_assert_true (g_file_set_contents (text, "Paracetamol 20\nCeftriaxone 4\n", -1, NULL));

  for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (run_qoimactl ((const char *[]) { "--db", cases[i][0], "stock", "--json", NULL }, &out, &err), ==, 1);
      g_assert_cmpstr (out, ==, "");
      g_assert_nonnull (strstr (err, cases[i][1]));
      g_assert_nonnull (strstr (err, cases[i][0]));
    }
}

/* A read-only database in a read-only folder is read (issue 9), and a change is refused as
 * read-only. Root passes file modes: the test runs in a child that gave up the power to,
 * and so do the qoimactl it starts. */
static void
test_qoimactl_read_only_database (void)
{
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "read-only", NULL);
  g_autofree char *read_only = g_build_filename (folder, "qoima.db", NULL);
  g_autofree char *password = g_build_filename (g_get_user_data_dir (), "admin.pw", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *write_out = NULL;
  g_autofree char *write_err = NULL;
  int status, write_status;

  if (qoimactl_path () == NULL)
    return;
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  g_assert_true (qoima_test_obey_file_modes ());

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  g_assert_true (g_file_set_contents (password, "Admin-pass-1\n", -1, NULL));
  g_assert_cmpint (run_qoimactl ((const char *[]) { "--db", read_only, "demo", "--packs", "1", NULL }, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (g_chmod (read_only, 0444), ==, 0);
  g_assert_cmpint (g_chmod (folder, 0555), ==, 0);

  status = run_qoimactl ((const char *[]) { "--db", read_only, "stock", "--json", NULL }, &out, &err);
  write_status = run_qoimactl ((const char *[]) { "--db", read_only, "users", "add", "admin", "--role", "admin",
                                                  "--password-file", password, NULL }, &write_out, &write_err);

  g_chmod (folder, 0755);
  g_chmod (read_only, 0644);

  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "\"ki\""));
  g_assert_cmpint (write_status, ==, 1);
  g_assert_true (g_str_has_prefix (write_err, "qoimactl: "));
  g_assert_nonnull (strstr (write_err, "is read-only, so Qoima cannot record anything"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/demo/products", test_products);
  g_test_add_func ("/demo/marking-code", test_marking_code);
  g_test_add_func ("/demo/fill", test_fill);
  g_test_add_func ("/demo/repeatable", test_repeatable);
  g_test_add_func ("/qoimactl/demo-and-stock", test_qoimactl_demo_and_stock);
  g_test_add_func ("/qoimactl/bad-databases", test_qoimactl_bad_databases);
  g_test_add_func ("/qoimactl/read-only-database", test_qoimactl_read_only_database);

  return g_test_run ();
}
