/* test-use-page.c: a nurse logs units for two patients through the Use page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-demo.h"
#include "qoima-patient.h"
#include "qoima-product.h"
#include "qoima-stock-item.h"
#include "qoima-ui-test-utils.h"
#include "qoima-use-page.h"
#include "qoima-window-private.h"

#include <sqlite3.h>
#include <string.h>

#define DEMO_PACKS 200

/* A product the demo never stocks, so that the ward's packs of it are the test's own. */
#define TEST_GTIN "04870999000024"
#define UNITS_PER_PACK 10
#define SERIAL_LATE "USEPAGELATE01"
#define SERIAL_EARLY "USEPAGEERLY02"

#define IIN_A "850715400238"
#define IIN_WRONG "850715400239"
#define RECORD_B "ИБ202417"

static char *tmp_dir;
static char *db_path;
static QoimaStore *store;
static GSettings *settings;

typedef struct {
  GAsyncResult *result;
} AsyncWait;

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  ((AsyncWait *) user_data)->result = g_object_ref (result);
}

static gboolean
async_is_done (gpointer data)
{
  return ((AsyncWait *) data)->result != NULL;
}

static gint64
count_rows (const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

static gint64
count_uses (void)
{
  return count_rows ("SELECT count(*) FROM movements WHERE kind = 'use'");
}

/* The test's product, and two packs of it in the nurse's ward. */
static void
stock_the_ward (gint64 ward)
{
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(QoimaPackRows) rows = qoima_pack_rows_new ();
  g_autofree char *km_late = qoima_demo_marking_code (TEST_GTIN, SERIAL_LATE);
  g_autofree char *km_early = qoima_demo_marking_code (TEST_GTIN, SERIAL_EARLY);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (products, qoima_product_new (TEST_GTIN, "Тестомицин, таблетки", NULL, "Testomycin",
                                                "таблетки", "250 мг", "Qoima", UNITS_PER_PACK));
  {
    AsyncWait wait = { NULL };

    qoima_store_add_products_async (store, products, NULL, async_done_cb, &wait);
    qoima_test_wait_until (async_is_done, &wait, 30);
    g_assert_true (qoima_store_add_products_finish (store, wait.result, &error));
    g_assert_no_error (error);
    g_clear_object (&wait.result);
  }

  qoima_pack_rows_add (rows, TEST_GTIN, SERIAL_LATE, km_late, "T1", "2031-12-31", ward, -1);
  qoima_pack_rows_add (rows, TEST_GTIN, SERIAL_EARLY, km_early, "T0", "2030-06-30", ward, -1);
  {
    AsyncWait wait = { NULL };

    qoima_store_receive_packs_async (store, g_steal_pointer (&rows), "tester", "test", NULL, async_done_cb, &wait);
    qoima_test_wait_until (async_is_done, &wait, 30);
    g_assert_true (qoima_store_receive_packs_finish (store, wait.result, &error));
    g_assert_no_error (error);
    g_clear_object (&wait.result);
  }
}

static void
wait_for_page (QoimaUsePage *page)
{
  qoima_test_wait_until (qoima_test_use_page_is_idle, page, 30);
}

static gboolean
is_in (const char *haystack,
       const char *needle)
{
  return haystack != NULL && strstr (haystack, needle) != NULL;
}

static void
test_nurse_logs_use (void)
{
  g_autoptr(QoimaUser) nurse = qoima_test_find_user (store, "nurse");
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  g_autofree char *km_late = qoima_demo_marking_code (TEST_GTIN, SERIAL_LATE);
  g_autofree char *ki_late = g_strconcat ("01" TEST_GTIN "21", SERIAL_LATE, NULL);
  g_autofree char *ki_early = g_strconcat ("01" TEST_GTIN "21", SERIAL_EARLY, NULL);
  QoimaWindow *window;
  QoimaUsePage *page;
  AdwViewStack *stack;
  gint64 uses;

  qoima_context_set_user (context, nurse);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
  gtk_window_present (GTK_WINDOW (window));
  page = qoima_window_get_use_page (window);
  stack = ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK));
  wait_for_page (page);

  /* The nurse lands on the Use page; the Acts page is not hers to see or reach. */
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "use");
  /* Each page sits in its place in the view stack (built when first shown or asked for). */
  g_assert_false (adw_view_stack_page_get_visible (adw_view_stack_get_page (stack, gtk_widget_get_parent (GTK_WIDGET (qoima_window_get_acts_page (window))))));
  g_assert_true (adw_view_stack_page_get_visible (adw_view_stack_get_page (stack, gtk_widget_get_parent (GTK_WIDGET (page)))));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-acts", NULL);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "use");

  /* Her ward's medicines, among them the test's product with both packs. */
  g_assert_cmpuint (g_list_model_get_n_items (qoima_use_page_get_medicines (page)), >, 0);
  gtk_editable_set_text (qoima_use_page_get_medicine_search (page), "testomycin");
  g_assert_cmpuint (g_list_model_get_n_items (qoima_use_page_get_medicines (page)), ==, 1);
  {
    g_autoptr(QoimaStockItem) medicine = g_list_model_get_item (qoima_use_page_get_medicines (page), 0);

    g_assert_cmpstr (qoima_product_get_gtin (qoima_stock_item_get_product (medicine)), ==, TEST_GTIN);
    g_assert_cmpint (qoima_stock_item_get_packs (medicine), ==, 2);
    g_assert_cmpint (qoima_stock_item_get_units (medicine), ==, 2 * UNITS_PER_PACK);
  }

  /* Picking the medicine takes the pack of the earliest expiry (none is opened yet). */
  gtk_widget_activate (GTK_WIDGET (gtk_list_box_get_row_at_index (qoima_use_page_get_medicine_list (page), 0)));
  wait_for_page (page);
  g_assert_nonnull (qoima_use_page_get_pack (page));
  g_assert_cmpstr (qoima_pack_get_ki (qoima_use_page_get_pack (page)), ==, ki_early);
  g_assert_cmpint (qoima_use_page_get_units_left (page), ==, UNITS_PER_PACK);

  /* A scan chooses the other pack, and the patient is next: the focus is there. */
  qoima_test_scan (window, km_late);
  wait_for_page (page);
  g_assert_cmpstr (qoima_pack_get_ki (qoima_use_page_get_pack (page)), ==, ki_late);
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
    GtkWidget *entry = GTK_WIDGET (qoima_use_page_get_patient_entry (page));

    g_assert_true (focus == entry || (focus != NULL && gtk_widget_is_ancestor (focus, entry)));
  }
  g_assert_cmpint (qoima_use_page_get_units_left (page), ==, UNITS_PER_PACK);
  g_assert_false (qoima_use_page_get_refused (page));
  uses = count_uses ();

  /* Patient A: 4 tablets. */
  qoima_test_log_use (page, IIN_A, 4, FALSE);
  g_assert_cmpint (qoima_use_page_get_units_left (page), ==, UNITS_PER_PACK - 4);
  g_assert_true (is_in (qoima_use_page_get_message (page), "6 left"));
  g_assert_cmpint (count_uses (), ==, uses + 1);
  /* The entry is cleared for the next patient; the units go back to one. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (qoima_use_page_get_patient_entry (page))), ==, "");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (qoima_use_page_get_units_spin (page)), ==, 1);

  /* A wrong IIN (its check digit) is refused, and nothing is recorded. */
  qoima_test_log_use (page, IIN_WRONG, 1, TRUE);
  g_assert_true (is_in (qoima_use_page_get_message (page), "check digit"));
  g_assert_cmpint (qoima_use_page_get_units_left (page), ==, UNITS_PER_PACK - 4);
  g_assert_cmpint (count_uses (), ==, uses + 1);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-use-page-refused.png");

  /* Undo gives the 4 tablets back; a second undo finds nothing of hers to undo. */
  gtk_widget_activate_action (GTK_WIDGET (page), "use.undo", NULL);
  wait_for_page (page);
  g_assert_false (qoima_use_page_get_refused (page));
  g_assert_true (is_in (qoima_use_page_get_message (page), "4 units are back"));
  g_assert_cmpint (qoima_use_page_get_units_left (page), ==, UNITS_PER_PACK);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (page), "use.undo", NULL) &&
                  qoima_use_page_get_busy (page));

  /* Again for patient A, chosen from the recent patients. */
  g_assert_cmpuint (g_list_model_get_n_items (qoima_use_page_get_patients (page)), ==, 1);
  gtk_widget_activate (GTK_WIDGET (gtk_list_box_get_row_at_index (qoima_use_page_get_patient_list (page), 0)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (qoima_use_page_get_patient_entry (page))), ==, IIN_A);
  /* The patient picked: the units are next. */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
    GtkWidget *units = GTK_WIDGET (qoima_use_page_get_units_spin (page));

    g_assert_true (focus == units || (focus != NULL && gtk_widget_is_ancestor (focus, units)));
  }
  gtk_spin_button_set_value (qoima_use_page_get_units_spin (page), 4);
  /* Enter in the units field (its text; a GTK 4.8 spin button has no activate signal). */
  g_signal_emit_by_name (gtk_editable_get_delegate (GTK_EDITABLE (qoima_use_page_get_units_spin (page))), "activate");
  wait_for_page (page);
  g_assert_false (qoima_use_page_get_refused (page));
  g_assert_cmpint (qoima_use_page_get_units_left (page), ==, UNITS_PER_PACK - 4);

  /* More than remain is refused: the spin button stops at what is left, the core at the rest. */
  gtk_spin_button_set_value (qoima_use_page_get_units_spin (page), 50);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (qoima_use_page_get_units_spin (page)), ==, UNITS_PER_PACK - 4);

  /* Patient B (a record number) takes the rest: the pack is used up, a withdrawal owed. */
  qoima_test_log_use (page, RECORD_B, UNITS_PER_PACK - 4, FALSE);
  g_assert_cmpint (qoima_use_page_get_units_left (page), ==, 0);
  g_assert_true (is_in (qoima_use_page_get_message (page), "used up"));
  g_assert_true (is_in (qoima_use_page_get_message (page), "withdrawal is owed"));
  g_assert_cmpint (count_rows ("SELECT count(*) FROM withdrawals_owed w JOIN packs p ON p.id = w.pack_id "
                               "WHERE p.serial = '" SERIAL_LATE "'"), ==, 1);
  uses = count_uses ();

  /* The ward's recent patients: B, then A. */
  {
    g_autoptr(QoimaPatient) first = g_list_model_get_item (qoima_use_page_get_patients (page), 0);
    g_autoptr(QoimaPatient) second = g_list_model_get_item (qoima_use_page_get_patients (page), 1);

    g_assert_cmpuint (g_list_model_get_n_items (qoima_use_page_get_patients (page)), ==, 2);
    g_assert_cmpstr (qoima_patient_get_key (first), ==, RECORD_B);
    g_assert_cmpstr (qoima_patient_get_key (second), ==, IIN_A);
  }
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-use-page-used-up.png");

  /* Nothing more comes out of a used-up pack: Log Use is not offered, and Enter logs nothing. */
  g_assert_false (gtk_widget_is_sensitive (qoima_test_find_button (GTK_WIDGET (page), "_Log Use")));
  gtk_editable_set_text (GTK_EDITABLE (qoima_use_page_get_patient_entry (page)), IIN_A);
  g_signal_emit_by_name (qoima_use_page_get_patient_entry (page), "activate");
  g_assert_false (qoima_use_page_get_busy (page));
  g_assert_cmpint (count_uses (), ==, uses);
  g_assert_cmpint (qoima_use_page_get_units_left (page), ==, 0);

  /* A code that is not a marking code at all (the reader would not call it a scan). */
  g_assert_true (qoima_use_page_take_scan (page, "0104870999000024"));
  wait_for_page (page);
  g_assert_true (is_in (qoima_use_page_get_message (page), "not a marking code"));
  g_assert_true (qoima_use_page_get_refused (page));
  g_assert_cmpint (count_uses (), ==, uses);

  /* Text that is no GS1 code at all is said to be no marking code once, not twice. */
  g_assert_true (qoima_use_page_take_scan (page, "PATIENT-2024"));
  wait_for_page (page);
  g_assert_true (qoima_use_page_get_refused (page));
  g_assert_true (g_str_has_prefix (qoima_use_page_get_message (page), "This is not a marking code"));
  g_assert_false (is_in (strstr (qoima_use_page_get_message (page), "not a marking code") + 1,
                         "not a marking code"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* A use the nurse confirmed is recorded even when the window closes before the store gets
 * to it (the page's cancellable fires on closing); the page's answer finds it gone. */
static void
test_use_survives_closing (void)
{
  g_autoptr(QoimaUser) nurse = qoima_test_find_user (store, "nurse");
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  g_autofree char *km_early = qoima_demo_marking_code (TEST_GTIN, SERIAL_EARLY);
  g_autofree char *ki_early = g_strconcat ("01" TEST_GTIN "21", SERIAL_EARLY, NULL);
  g_autofree char *sql = NULL;
  AsyncWait blocked = { NULL };
  AsyncWait counted = { NULL };
  g_autoptr(GError) error = NULL;
  sqlite3 *lock = NULL;
  QoimaWindow *window;
  QoimaUsePage *page;
  gint64 uses;

  qoima_context_set_user (context, nurse);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_present (GTK_WINDOW (window));
  page = qoima_window_get_use_page (window);
  wait_for_page (page);
  qoima_test_scan (window, km_early);
  wait_for_page (page);
  g_assert_cmpstr (qoima_pack_get_ki (qoima_use_page_get_pack (page)), ==, ki_early);
  uses = count_uses ();

  /* The store's worker is held up behind another program's write lock, so the use waits
   * in its queue while the window closes. */
  g_assert_cmpint (sqlite3_open_v2 (db_path, &lock, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  qoima_store_receive_packs_async (store, qoima_pack_rows_new (), "tester", "blocker", NULL, async_done_cb, &blocked);

  gtk_editable_set_text (GTK_EDITABLE (qoima_use_page_get_patient_entry (page)), IIN_A);
  gtk_spin_button_set_value (qoima_use_page_get_units_spin (page), 2);
  g_signal_emit_by_name (qoima_use_page_get_patient_entry (page), "activate");
  g_assert_true (qoima_use_page_get_busy (page));
  /* The window goes, and the page with it: disposed at once here (its cancellable fires,
   * its widgets are gone), as it is when nothing else holds it. */
  g_object_ref (page);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_object_run_dispose (G_OBJECT (page));

  g_assert_cmpint (sqlite3_exec (lock, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (lock);
  qoima_test_wait_until (async_is_done, &blocked, 30);
  g_assert_true (qoima_store_receive_packs_finish (store, blocked.result, &error));
  g_assert_no_error (error);
  g_clear_object (&blocked.result);
  /* The worker runs its jobs in order: once a later read is answered, the use has run. */
  qoima_store_count_packs_async (store, NULL, async_done_cb, &counted);
  qoima_test_wait_until (async_is_done, &counted, 30);
  g_clear_object (&counted.result);
  /* The page's answer came to a disposed page, which let go of it. */
  g_assert_finalize_object (page);

  g_assert_cmpint (count_uses (), ==, uses + 1);
  sql = g_strdup_printf ("SELECT units_left FROM packs WHERE ki = '%s'", ki_early);
  g_assert_cmpint (count_rows (sql), ==, UNITS_PER_PACK - 2);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(QoimaUser) nurse = NULL;
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  qoima_test_prepare_display ();

  tmp_dir = qoima_test_make_tmp_dir ();
  db_path = g_build_filename (tmp_dir, "qoima.db", NULL);
  store = qoima_test_open_demo_store (db_path, DEMO_PACKS);
  qoima_test_add_demo_users (store);
  settings = g_settings_new (BASE_APP_ID);
  nurse = qoima_test_find_user (store, "nurse");
  stock_the_ward (qoima_user_get_ward_id (nurse));

  g_test_add_func ("/ui/use-page/nurse-logs-use", test_nurse_logs_use);
  g_test_add_func ("/ui/use-page/use-survives-closing-window", test_use_survives_closing);

  ret = g_test_run ();

  g_clear_object (&settings);
  qoima_store_close (store);
  g_clear_object (&store);
  qoima_test_remove_tree (tmp_dir);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&tmp_dir, g_free);

  return ret;
}
