/* test-reports-page.c: the Reports page over a real warehouse: rows, filters, CSV export, roles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-copay-islo.h"
#include "qoima-store-ledger.h"
#include "qoima-report.h"
#include "qoima-reports-page.h"
#include "qoima-store-users.h"
#include "qoima-ui-test-utils.h"
#include "qoima-user.h"
#include "qoima-window-private.h"

#include <string.h>

#define TABLETS_GTIN "04870101000010"
#define VIAL_GTIN "04870101000065"
#define TABLETS_NAME "Парацетамол, таблетки"
#define VIAL_NAME "Цефазолин, флакон"
#define TAB1 "01" TABLETS_GTIN "21" "UIREPTAB01"
#define TAB2 "01" TABLETS_GTIN "21" "UIREPTAB02"
#define VIAL1 "01" VIAL_GTIN "21" "UIREPVIAL1"
#define IIN_A "850715400238"
#define RECORD_B "ИБ202417"
#define THERAPY "Терапия"
#define SURGERY "Хирургия"

static char *tmp_dir;
static QoimaStore *store;
static QoimaUser *chief;
static QoimaUser *nurse;
static gint64 surgery;

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  qoima_test_wait_until (qoima_test_result_is_set, slot, 30);
  return *slot;
}

static gint64
add_location (QoimaLocationKind  kind,
              const char        *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  qoima_store_add_location_async (store, kind, name, NULL, NULL, qoima_test_result_cb, &result);
  id = qoima_store_add_location_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  return id;
}

static QoimaUser *
add_user (QoimaUser  *acting,
          const char *name,
          QoimaRole   role,
          gint64      ward)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_add_user_async (store, acting, name, NULL, role, ward, "long enough secret", NULL, qoima_test_result_cb, &result);
  user = qoima_store_add_user_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  return user;
}

static void
use (QoimaUser  *user,
     const char *ki,
     const char *patient,
     int         units)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUseResult) done = NULL;

  qoima_store_use_units_async (store, user, ki, patient, units, NULL, qoima_test_result_cb, &result);
  done = qoima_store_use_units_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
}

/* A small warehouse: two wards, three packs moved there, four uses by two patients. */
static void
make_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(QoimaPackRows) rows = qoima_pack_rows_new ();
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaUser) surgery_nurse = NULL;
  g_autofree char *path = NULL;
  gint64 warehouse, therapy;

  tmp_dir = qoima_test_make_tmp_dir ();
  path = g_build_filename (tmp_dir, "qoima.db", NULL);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_open_async (path, NULL, qoima_test_result_cb, &result);
    store = qoima_store_open_finish (wait_for (&result), &error);
    g_assert_no_error (error);
  }
  warehouse = add_location (QOIMA_LOCATION_KIND_WAREHOUSE, "Склад аптеки");
  therapy = add_location (QOIMA_LOCATION_KIND_WARD, THERAPY);
  surgery = add_location (QOIMA_LOCATION_KIND_WARD, SURGERY);

  g_ptr_array_add (products, qoima_product_new (TABLETS_GTIN, TABLETS_NAME, NULL, NULL, NULL, NULL, NULL, 10));
  g_ptr_array_add (products, qoima_product_new (VIAL_GTIN, VIAL_NAME, NULL, NULL, NULL, NULL, NULL, 1));
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_add_products_async (store, products, NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_store_add_products_finish (store, wait_for (&result), &error));
  }
  qoima_pack_rows_add (rows, TABLETS_GTIN, "UIREPTAB01", NULL, "T1", "2031-12-31", warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, "UIREPTAB02", NULL, "T1", "2031-12-31", warehouse, -1);
  qoima_pack_rows_add (rows, VIAL_GTIN, "UIREPVIAL1", NULL, "V1", "2031-01-31", warehouse, -1);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_receive_packs_async (store, g_steal_pointer (&rows), "tester", "test", NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_store_receive_packs_finish (store, wait_for (&result), &error));
  }

  admin = add_user (NULL, "admin", QOIMA_ROLE_ADMIN, 0);
  clerk = add_user (admin, "clerk", QOIMA_ROLE_CLERK, 0);
  chief = add_user (admin, "chief", QOIMA_ROLE_CHIEF, 0);
  nurse = add_user (admin, "nurse-t", QOIMA_ROLE_NURSE, therapy);
  surgery_nurse = add_user (admin, "nurse-s", QOIMA_ROLE_NURSE, surgery);
  {
    const char *to_therapy[] = { TAB1, VIAL1, NULL };
    const char *to_surgery[] = { TAB2, NULL };
    g_autoptr(GAsyncResult) first = NULL;
    g_autoptr(GAsyncResult) second = NULL;

    qoima_store_transfer_packs_async (store, clerk, to_therapy, therapy, NULL, qoima_test_result_cb, &first);
    g_assert_cmpint (qoima_store_transfer_packs_finish (store, wait_for (&first), NULL, &error), ==, 2);
    qoima_store_transfer_packs_async (store, clerk, to_surgery, surgery, NULL, qoima_test_result_cb, &second);
    g_assert_cmpint (qoima_store_transfer_packs_finish (store, wait_for (&second), NULL, &error), ==, 1);
  }

  use (nurse, TAB1, IIN_A, 3);
  use (nurse, TAB1, RECORD_B, 2);
  use (nurse, VIAL1, IIN_A, 1);
  use (surgery_nurse, TAB2, RECORD_B, 4);
}

static gboolean
page_is_loaded (gpointer data)
{
  return !qoima_reports_page_get_loading (data);
}

static void
wait_for_page (QoimaReportsPage *page)
{
  qoima_test_wait_until (page_is_loaded, page, 30);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (page));
}

static char *
row_text (QoimaReportsPage *page,
          guint             position)
{
  g_autoptr(GtkStringList) row = g_list_model_get_item (qoima_reports_page_get_rows (page), position);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (row)); i++)
    g_string_append_printf (text, "%s%s", i > 0 ? "|" : "", gtk_string_list_get_string (row, i));
  return g_string_free (text, FALSE);
}

static void
assert_row (QoimaReportsPage *page,
            guint             position,
            const char       *expected)
{
  g_autofree char *text = row_text (page, position);

  g_assert_cmpstr (text, ==, expected);
}

static GObject *
template_child (QoimaReportsPage *page,
                const char       *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (page), QOIMA_TYPE_REPORTS_PAGE, name);
}

static void
pick_day (QoimaReportsPage *page,
          const char       *calendar_name,
          GDateTime        *day)
{
  GtkCalendar *calendar = GTK_CALENDAR (template_child (page, calendar_name));

  gtk_calendar_select_day (calendar, day);
  g_signal_emit_by_name (calendar, "day-selected");
}

/* The heading of the Export menu's ИСЛО section, which names the month exported. */
static char *
islo_heading (QoimaReportsPage *page)
{
  GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (template_child (page, "export_button")));
  char *label = NULL;

  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 2);
  g_assert_true (g_menu_model_get_item_attribute (menu, 1, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  return label;
}

static void
test_instantiate (void)
{
  QoimaReportsPage *page = g_object_ref_sink (g_object_new (QOIMA_TYPE_REPORTS_PAGE, NULL));

  g_assert_false (qoima_reports_page_get_loading (page));
  g_assert_null (qoima_reports_page_get_report (page));
  g_assert_cmpint (qoima_reports_page_get_kind (page), ==, QOIMA_REPORT_USE_BY_PATIENT);
  g_assert_finalize_object (page);
}

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_report_shown_and_exported (void)
{
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  GtkWidget *window = gtk_window_new ();
  QoimaReportsPage *page = g_object_new (QOIMA_TYPE_REPORTS_PAGE, "context", context, NULL);
  GListModel *columns;

  g_object_ref (page);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 560);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));

  /* The chief sees use by patient for this month, the default. */
  qoima_context_set_user (context, chief);
  qoima_reports_page_start (page);
  wait_for_page (page);
  g_assert_nonnull (qoima_reports_page_get_report (page));
  g_assert_cmpuint (g_list_model_get_n_items (qoima_reports_page_get_rows (page)), ==, 4);
  assert_row (page, 0, IIN_A "|" TABLETS_NAME "|" THERAPY "|3");
  assert_row (page, 1, IIN_A "|" VIAL_NAME "|" THERAPY "|1");
  assert_row (page, 2, RECORD_B "|" TABLETS_NAME "|" THERAPY "|2");
  assert_row (page, 3, RECORD_B "|" TABLETS_NAME "|" SURGERY "|4");
  g_assert_cmpstr (qoima_reports_page_get_summary (page), ==, "4 rows · Units: 10");
  columns = gtk_column_view_get_columns (qoima_reports_page_get_column_view (page));
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 4);
  {
    g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 3);

    g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, "Units");
  }
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (qoima_reports_page_get_column_view (page))));
  qoima_test_save_screenshot (window, "reports-page-patients.png");

  /* Use by medicine in one ward. */
  qoima_reports_page_set_kind (page, QOIMA_REPORT_USE_BY_MEDICINE);
  wait_for_page (page);
  g_assert_cmpuint (g_list_model_get_n_items (qoima_reports_page_get_rows (page)), ==, 2);
  qoima_reports_page_set_location_id (page, surgery);
  wait_for_page (page);
  g_assert_cmpuint (g_list_model_get_n_items (qoima_reports_page_get_rows (page)), ==, 1);
  assert_row (page, 0, TABLETS_NAME "|" TABLETS_GTIN "|1|4");
  g_assert_cmpstr (qoima_reports_page_get_summary (page), ==, "1 row · Units: 4");
  qoima_reports_page_set_location_id (page, 0);
  wait_for_page (page);

  /* The CSV goes to a file, written asynchronously; the same bytes as the core makes. */
  {
    g_autofree char *path = g_build_filename (tmp_dir, "medicines.csv", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) expected = qoima_report_to_csv (qoima_reports_page_get_report (page));
    g_autofree char *contents = NULL;
    gsize length = 0;

    qoima_reports_page_export_async (page, file, NULL, exported_cb, &result);
    g_assert_true (qoima_reports_page_export_finish (page, wait_for (&result), &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &contents, &length, &error));
    g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
    g_assert_cmpstr (contents, ==,
                     "\xEF\xBB\xBF" "Medicine,GTIN,Patients,Units\r\n"
                     "\"" TABLETS_NAME "\"," TABLETS_GTIN ",2,9\r\n"
                     "\"" VIAL_NAME "\"," VIAL_GTIN ",1,1\r\n"
                     "Total,,,10\r\n");
  }

  /* In a Russian UI the CSV is separated by ';', as Excel there splits it. */
  {
    g_autofree char *path = g_build_filename (tmp_dir, "medicines-ru.csv", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *contents = NULL;
    g_autofree char *old_language = g_strdup (g_getenv ("LANGUAGE"));

    g_setenv ("LANGUAGE", "ru", TRUE);
    qoima_reports_page_export_async (page, file, NULL, exported_cb, &result);
    if (old_language != NULL)
      g_setenv ("LANGUAGE", old_language, TRUE);
    else
      g_unsetenv ("LANGUAGE");
    g_assert_true (qoima_reports_page_export_finish (page, wait_for (&result), &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
    g_assert_true (g_str_has_suffix (contents, "\r\nTotal;;;10\r\n"));
    /* A comma needs no quotes then. */
    g_assert_nonnull (strstr (contents, "\r\n" TABLETS_NAME ";" TABLETS_GTIN ";2;9\r\n"));
  }

  /* A name ending in .xlsx gets an Excel workbook, made on a thread: a ZIP holding one
   * sheet (test-qoimactl-report reads such workbooks back with openpyxl, cell by cell). */
  {
    g_autofree char *path = g_build_filename (tmp_dir, "medicines.xlsx", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *contents = NULL;
    gsize length = 0;

    qoima_reports_page_export_async (page, file, NULL, exported_cb, &result);
    g_assert_true (qoima_reports_page_export_finish (page, wait_for (&result), &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &contents, &length, &error));
    g_assert_cmpuint (length, >, 1000);
    g_assert_cmpmem (contents, 4, "PK\x03\x04", 4);
    {
      static const char sheet[] = "xl/worksheets/sheet1.xml";
      gboolean found = FALSE;

      /* A ZIP's entry names are plain text in its headers; its data holds NUL bytes. */
      for (gsize i = 0; !found && i + sizeof sheet - 1 <= length; i++)
        found = memcmp (contents + i, sheet, sizeof sheet - 1) == 0;
      g_assert_true (found);
    }
  }

  /* The month's dispensing for ИСЛО (R002-4), of the month the period starts in: this
   * store dispensed nothing, so the CSV holds the Russian titles alone (the contents are
   * read back by test-qoimactl-copay with openpyxl); the workbook is written on a thread.
   * A nurse may not export it: it names patients. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *month = g_date_time_format (now, "%m.%Y");
    g_autofree char *expected_heading = g_strdup_printf ("Dispensing for ИСЛО in %s", month);
    g_autofree char *heading = islo_heading (page);

    /* The menu names the month, not "the period's first". */
    g_assert_cmpstr (heading, ==, expected_heading);
  }
  {
    g_autofree char *path = g_build_filename (tmp_dir, "islo.csv", NULL);
    g_autofree char *xlsx_path = g_build_filename (tmp_dir, "islo.xlsx", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GFile) xlsx = g_file_new_for_path (xlsx_path);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GAsyncResult) xlsx_result = NULL;
    g_autoptr(GAsyncResult) refused = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) expected = g_string_new ("\xEF\xBB\xBF");
    g_autofree char *contents = NULL;

    for (int c = 1; c <= QOIMA_COPAY_ISLO_COLUMNS; c++)
      g_string_append_printf (expected, "%s%s", c > 1 ? ";" : "", qoima_copay_islo_title (c, "ru"));
    g_string_append (expected, "\r\n");
    qoima_reports_page_export_islo_async (page, file, NULL, exported_cb, &result);
    g_assert_true (qoima_reports_page_export_islo_finish (page, wait_for (&result), &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
    g_assert_cmpstr (contents, ==, expected->str);
    g_clear_pointer (&contents, g_free);
    qoima_reports_page_export_islo_async (page, xlsx, NULL, exported_cb, &xlsx_result);
    g_assert_true (qoima_reports_page_export_islo_finish (page, wait_for (&xlsx_result), &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (xlsx_path, &contents, NULL, &error));
    g_assert_cmpmem (contents, 4, "PK\x03\x04", 4);

    qoima_context_set_user (context, nurse);
    qoima_reports_page_export_islo_async (page, file, NULL, exported_cb, &refused);
    g_assert_false (qoima_reports_page_export_islo_finish (page, wait_for (&refused), &error));
    g_assert_nonnull (error);
    qoima_context_set_user (context, chief);
    wait_for_page (page);
  }

  /* Opened packs: both tablet packs, whatever the period. */
  qoima_reports_page_set_kind (page, QOIMA_REPORT_OPENED);
  wait_for_page (page);
  g_assert_cmpuint (g_list_model_get_n_items (qoima_reports_page_get_rows (page)), ==, 2);
  qoima_test_save_screenshot (window, "reports-page-opened.png");

  /* A period with no use. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(GDateTime) last_year = g_date_time_add_years (now, -1);

    g_autofree char *last_year_text = g_date_time_format (last_year, "%d.%m.%Y");

    qoima_reports_page_set_kind (page, QOIMA_REPORT_USE_BY_WARD);
    wait_for_page (page);
    /* Picked in the calendars as a user would: the first day, then the last. */
    pick_day (page, "from_calendar", last_year);
    pick_day (page, "to_calendar", last_year);
    wait_for_page (page);
    g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (template_child (page, "from_button"))), ==,
                     last_year_text);
    g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (template_child (page, "to_button"))), ==,
                     last_year_text);
    {
      g_autofree char *month = g_date_time_format (last_year, "%m.%Y");
      g_autofree char *expected_heading = g_strdup_printf ("Dispensing for ИСЛО in %s", month);
      g_autofree char *heading = islo_heading (page);

      /* The ИСЛО section follows the period. */
      g_assert_cmpstr (heading, ==, expected_heading);
    }
    g_assert_cmpuint (g_list_model_get_n_items (qoima_reports_page_get_rows (page)), ==, 0);
    g_assert_cmpstr (qoima_reports_page_get_summary (page), ==, "0 rows · Units: 0");

    /* Back to front: refused before the store is asked. */
    qoima_reports_page_set_period (page, now, last_year);
    g_assert_false (qoima_reports_page_get_loading (page));
    g_assert_null (qoima_reports_page_get_report (page));
  }

  /* A nurse signs in: the core refuses, the page says so and shows no rows. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();

    qoima_reports_page_set_period (page, now, now);
    wait_for_page (page);
    g_assert_cmpuint (g_list_model_get_n_items (qoima_reports_page_get_rows (page)), ==, 3);
  }
  qoima_context_set_user (context, nurse);
  wait_for_page (page);
  g_assert_null (qoima_reports_page_get_report (page));
  g_assert_cmpuint (g_list_model_get_n_items (qoima_reports_page_get_rows (page)), ==, 0);
  qoima_test_save_screenshot (window, "reports-page-nurse.png");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (page);
}

/* The window shows the page only to roles allowed to view reports. */
static void
test_window_page_for_roles (void)
{
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  QoimaWindow *window = g_object_ref (qoima_window_new (NULL, context));
  AdwViewStackPage *page;
  AdwViewStack *stack;

  gtk_window_present (GTK_WINDOW (window));
  stack = ADW_VIEW_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), QOIMA_TYPE_WINDOW, "view_stack"));
  page = adw_view_stack_get_page (stack, adw_view_stack_get_child_by_name (stack, "reports"));
  g_assert_false (adw_view_stack_page_get_visible (page));
  qoima_context_set_user (context, chief);
  g_assert_true (adw_view_stack_page_get_visible (page));
  g_assert_cmpstr (adw_view_stack_page_get_name (page), ==, "reports");
  qoima_context_set_user (context, nurse);
  g_assert_false (adw_view_stack_page_get_visible (page));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();
  make_store ();

  g_test_add_func ("/ui/reports/instantiate", test_instantiate);
  g_test_add_func ("/ui/reports/shown-and-exported", test_report_shown_and_exported);
  g_test_add_func ("/ui/reports/window-roles", test_window_page_for_roles);

  status = g_test_run ();

  g_clear_object (&chief);
  g_clear_object (&nurse);
  qoima_store_close (store);
  g_clear_object (&store);
  qoima_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
