/* test-move-page.c: the clerk moves packs to a ward on the Move to Ward page
 *
 * Scans go through the window's own scan path. Three packs are listed; a pack scanned
 * twice, an unknown code, an expired pack, a pack already in the ward and one in another
 * ward are refused with their reasons; a product without units per pack asks for them
 * once. "Move" makes the transfer document, exported as a PDF whose text is checked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-demo.h"
#include "qoima-move-page.h"
#include "qoima-store-settings.h"
#include "qoima-store-users.h"
#include "qoima-transfer-print.h"
#include "qoima-ui-test-utils.h"
#include "qoima-units-dialog.h"
#include "qoima-user.h"
#include "qoima-window-private.h"

#include <string.h>

#define TABLETS_GTIN "04870101000010" /* 20 units a pack in the demo catalog */
#define NO_UNITS_GTIN "04870999000017"
#define SERIALS "MOVEPAGE0000"

static void
units_saved_cb (gpointer    instance,
                const char *gtin,
                gboolean   *flag)
{
  g_assert_cmpstr (gtin, ==, NO_UNITS_GTIN);
  *flag = TRUE;
}

static char *
ki (const char *gtin,
    int         n)
{
  return g_strdup_printf ("01%s21" SERIALS "%d", gtin, n);
}

/* A scan through the window's reader; returns the page's refusal, NULL when listed. */
static const char *
scan (QoimaWindow *window,
      const char  *text)
{
  qoima_test_scan (window, text);
  return qoima_move_page_get_scan_message (qoima_window_get_move_page (window));
}

static void
assert_refused (QoimaWindow *window,
                const char  *text,
                const char  *reason)
{
  const char *message = scan (window, text);

  g_test_message ("%s → %s", text, message);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, reason));
}

static QoimaUnitsDialog *
find_units_dialog (void)
{
  return QOIMA_UNITS_DIALOG (qoima_test_find_window (QOIMA_TYPE_UNITS_DIALOG));
}

static gboolean
units_dialog_shown (gpointer data)
{
  return find_units_dialog () != NULL;
}

static gboolean
ward_chosen (gpointer data)
{
  QoimaMovePage *page = data;

  return qoima_move_page_set_ward (page, GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (page), "ward")));
}

/* A round trip through the store's worker: whatever the page asked before is answered. */
static void
wait_for_store (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(GError) error = NULL;

  qoima_store_list_locations_async (store, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  locations = qoima_store_list_locations_finish (store, result, &error);
  g_assert_no_error (error);
}

static gint64
first_ward (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(GError) error = NULL;

  qoima_store_list_locations_async (store, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  locations = qoima_store_list_locations_finish (store, result, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);

      if (qoima_location_get_kind (location) == QOIMA_LOCATION_KIND_WARD)
        return qoima_location_get_id (location);
    }
  return 0;
}

static QoimaUser *
add_user (QoimaStore *store,
          QoimaUser  *acting,
          const char *name,
          const char *full_name,
          QoimaRole   role)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_add_user_async (store, acting, name, full_name, role, 0, "long enough secret", NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  user = qoima_store_add_user_finish (store, result, &error);
  g_assert_no_error (error);
  return user;
}

static void
prepare_stock (QoimaStore *store,
               gint64      warehouse,
               gint64      ward,
               gint64      other_ward)
{
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(QoimaPackRows) rows = qoima_pack_rows_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (products, qoima_product_new (NO_UNITS_GTIN, "Новый препарат", NULL, NULL, NULL, NULL, NULL, 0));
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_add_products_async (store, products, NULL, qoima_test_result_cb, &result);
    qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
    g_assert_true (qoima_store_add_products_finish (store, result, &error));
  }

  qoima_pack_rows_add (rows, TABLETS_GTIN, SERIALS "1", NULL, "MP1", "2031-12-31", warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, SERIALS "2", NULL, "MP1", "2031-12-31", warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, SERIALS "3", NULL, "MP2", "2030-06-30", warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, SERIALS "4", NULL, "OLD", "2020-01-31", warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, SERIALS "5", NULL, "MP1", "2031-12-31", ward, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, SERIALS "6", NULL, "MP1", "2031-12-31", other_ward, -1);
  qoima_pack_rows_add (rows, NO_UNITS_GTIN, SERIALS "7", NULL, "N1", "2031-01-31", warehouse, -1);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_receive_packs_async (store, g_steal_pointer (&rows), "tester", "test", NULL, qoima_test_result_cb, &result);
    qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
    g_assert_true (qoima_store_receive_packs_finish (store, result, &error));
  }
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-layout", pdf, "-", NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, &error))
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return NULL;
    }
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static void
test_move (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *pdf = g_build_filename (tmp, "transfer.pdf", NULL);
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ward_name = NULL;
  g_autofree char *medicine = NULL;
  g_autofree char *no_units = ki (NO_UNITS_GTIN, 7);
  QoimaUnitsDialog *dialog;
  QoimaMovePage *page;
  QoimaWindow *window;
  QoimaTransfer *transfer;
  gint64 warehouse = 0, ward = 0, other_ward = 0;
  gboolean moved = FALSE, units_saved = FALSE;

  store = qoima_test_open_demo_store (db_path, 100);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_list_locations_async (store, NULL, qoima_test_result_cb, &result);
    qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
    locations = qoima_store_list_locations_finish (store, result, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);

      if (qoima_location_get_kind (location) == QOIMA_LOCATION_KIND_WAREHOUSE)
        warehouse = qoima_location_get_id (location);
      else if (ward == 0)
        {
          ward = qoima_location_get_id (location);
          ward_name = g_strdup (qoima_location_get_name_ru (location));
        }
      else if (other_ward == 0)
        other_ward = qoima_location_get_id (location);
    }
  g_assert_cmpint (other_ward, !=, 0);
  prepare_stock (store, warehouse, ward, other_ward);
  {
    g_autofree char *code = ki (TABLETS_GTIN, 1);
    g_autoptr(QoimaPack) pack = qoima_test_find_pack (store, code);

    medicine = g_strdup (qoima_product_get_name_ru (qoima_pack_get_product (pack)));
  }

  admin = add_user (store, NULL, "admin", NULL, QOIMA_ROLE_ADMIN);
  clerk = add_user (store, admin, "aigul", "Айгуль Касымова", QOIMA_ROLE_CLERK);
  context = qoima_context_new (store, settings);
  qoima_context_set_user (context, clerk);

  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-move", NULL);
  page = qoima_window_get_move_page (window);
  g_object_set_data (G_OBJECT (page), "ward", GSIZE_TO_POINTER (ward));
  qoima_test_wait_until (ward_chosen, page, 30);
  g_assert_cmpint (qoima_move_page_get_ward (page), ==, ward);
  g_signal_connect (page, "moved", G_CALLBACK (qoima_test_flag_cb), &moved);
  g_signal_connect (page, "units-saved", G_CALLBACK (units_saved_cb), &units_saved);

  /* Three packs listed. */
  for (int i = 1; i <= 3; i++)
    {
      g_autofree char *code = ki (TABLETS_GTIN, i);

      g_assert_cmpstr (scan (window, code), ==, NULL);
      g_assert_cmpuint (g_list_model_get_n_items (qoima_move_page_get_packs (page)), ==, (guint) i);
    }

  /* The page reloads its wards when it is shown again: the ward and the list stay. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-stock", NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-move", NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  wait_for_store (store);
  g_assert_cmpint (qoima_move_page_get_ward (page), ==, ward);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), QOIMA_TYPE_MOVE_PAGE,
                                                                                   "ward_dropdown"))));
  g_assert_cmpuint (g_list_model_get_n_items (qoima_move_page_get_packs (page)), ==, 3);

  /* Refusals, each with its reason, and nothing more listed. */
  {
    g_autofree char *again = ki (TABLETS_GTIN, 2);
    g_autofree char *unknown = ki (TABLETS_GTIN, 9);
    g_autofree char *expired = ki (TABLETS_GTIN, 4);
    g_autofree char *there = ki (TABLETS_GTIN, 5);
    g_autofree char *elsewhere = ki (TABLETS_GTIN, 6);

    assert_refused (window, again, "scanned twice");
    assert_refused (window, unknown, "not one of the hospital's packs");
    assert_refused (window, expired, "expired");
    assert_refused (window, there, "already there");
    assert_refused (window, elsewhere, "not in the warehouse");
    assert_refused (window, "0104870101000010", "Not a marking code");
  }
  g_assert_cmpuint (g_list_model_get_n_items (qoima_move_page_get_packs (page)), ==, 3);

  /* A product whose units nobody knows: asked once, recorded for the clerk. */
  g_assert_cmpstr (scan (window, no_units), ==, NULL);
  qoima_test_wait_until (units_dialog_shown, NULL, 30);
  dialog = find_units_dialog ();
  qoima_units_dialog_set_units (dialog, 10);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  qoima_test_save_screenshot (GTK_WIDGET (dialog), "test-move-units-dialog.png");
  qoima_units_dialog_save (dialog);
  qoima_test_wait_until (qoima_test_flag_is_set, &units_saved, 30);
  {
    g_autoptr(QoimaPack) pack = qoima_test_find_pack (store, no_units);

    g_assert_cmpint (qoima_product_get_units_per_pack (qoima_pack_get_product (pack)), ==, 10);
    g_assert_cmpint (qoima_pack_get_units_left (pack), ==, 10);
  }
  g_assert_cmpuint (g_list_model_get_n_items (qoima_move_page_get_packs (page)), ==, 4);
  /* …and taken off the list again. */
  gtk_widget_activate_action (GTK_WIDGET (page), "move.remove", "s", no_units);
  g_assert_cmpuint (g_list_model_get_n_items (qoima_move_page_get_packs (page)), ==, 3);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-move-listed.png");

  /* Move: the document is made and the packs are in the ward. */
  {
    guint toasts = qoima_window_get_n_toasts (window);

    gtk_widget_activate_action (GTK_WIDGET (page), "move.move", NULL);
    qoima_test_wait_until (qoima_test_flag_is_set, &moved, 30);
    /* The result is said once, on the page: no toast repeats it. */
    g_assert_cmpuint (qoima_window_get_n_toasts (window), ==, toasts);
    g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Transfer note ВП-000001"));
  }
  transfer = qoima_move_page_get_transfer (page);
  g_assert_nonnull (transfer);
  g_assert_cmpstr (qoima_transfer_get_number (transfer), ==, "ВП-000001");
  g_assert_cmpint (qoima_transfer_get_n_packs (transfer), ==, 3);
  g_assert_cmpstr (qoima_transfer_get_to (transfer), ==, ward_name);
  g_assert_cmpstr (qoima_transfer_get_actor (transfer), ==, "aigul");
  g_assert_cmpstr (qoima_transfer_get_actor_name (transfer), ==, "Айгуль Касымова");
  g_assert_cmpuint (g_list_model_get_n_items (qoima_move_page_get_packs (page)), ==, 0);
  for (int i = 1; i <= 3; i++)
    {
      g_autofree char *code = ki (TABLETS_GTIN, i);
      g_autoptr(QoimaPack) pack = qoima_test_find_pack (store, code);

      g_assert_cmpint (qoima_location_get_id (qoima_pack_get_location (pack)), ==, ward);
    }
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (page)));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-move-moved.png");

  /* The paper, as a PDF: its number, the ward and a medicine can be read back. */
  g_assert_true (qoima_transfer_print_export_pdf (transfer, "ГКП на ПХВ «Городская больница №1»", pdf, &error));
  g_assert_no_error (error);
  {
    g_autofree char *text = pdf_text (pdf);

    if (text != NULL)
      {
        g_test_message ("%s", text);
        g_assert_nonnull (strstr (text, "ВП-000001"));
        g_assert_nonnull (strstr (text, ward_name));
        g_assert_nonnull (strstr (text, medicine));
        g_assert_nonnull (strstr (text, "Городская больница"));
        g_assert_nonnull (strstr (text, "01" TABLETS_GTIN "21" SERIALS "3"));
        /* Who handed the packs over, by her name; dates as on screen. */
        g_assert_nonnull (strstr (text, "Айгуль Касымова"));
        g_assert_null (strstr (text, "aigul"));
        g_assert_nonnull (strstr (text, "31.12.2031"));
        g_assert_null (strstr (text, "2031-12-31"));
      }
  }
  /* Printed to a file from the print dialog, the note is named after its number. */
  {
    g_autoptr(GtkPrintOperation) operation = qoima_transfer_print_operation_new (transfer, NULL);
    GtkPrintSettings *print_settings = gtk_print_operation_get_print_settings (operation);

    g_assert_nonnull (print_settings);
    g_assert_cmpstr (gtk_print_settings_get (print_settings, GTK_PRINT_SETTINGS_OUTPUT_BASENAME), ==, "ВП-000001");
    g_assert_cmpstr (gtk_print_settings_get (print_settings, GTK_PRINT_SETTINGS_OUTPUT_FILE_FORMAT), ==, "pdf");
  }

  /* A copy to look at beside the screenshots. */
  {
    g_autofree char *copy = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                              "test-move-transfer.pdf", NULL);
    g_autofree char *contents = NULL;
    gsize length = 0;

    if (g_file_get_contents (pdf, &contents, &length, NULL))
      g_file_set_contents (copy, contents, length, NULL);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  qoima_store_close (store);
  qoima_test_remove_tree (tmp);
}

/* A first start: the window is made before the demo data are, and the Move to Ward page
 * lists the wards once they are there, without a restart. The hospital's name for the
 * transfer note comes from the hospital setting, else from a key opened in the session. */
static void
test_wards_after_fill (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(GError) error = NULL;
  QoimaMovePage *page;
  QoimaWindow *window;
  gint64 ward;

  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_open_async (db_path, NULL, qoima_test_result_cb, &result);
    qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
    store = qoima_store_open_finish (result, &error);
    g_assert_no_error (error);
  }
  admin = add_user (store, NULL, "admin", NULL, QOIMA_ROLE_ADMIN);
  clerk = add_user (store, admin, "clerk", "Гульнара Ахметова", QOIMA_ROLE_CLERK);
  context = qoima_context_new (store, settings);
  qoima_context_set_user (context, clerk);

  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-move", NULL);
  page = qoima_window_get_move_page (window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  wait_for_store (store);
  g_assert_cmpint (qoima_move_page_get_ward (page), ==, 0);
  g_assert_null (qoima_move_page_get_organization (page));
  /* No ward yet: the drop-down is not shown reading "(None)"; the row says why. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), QOIMA_TYPE_MOVE_PAGE,
                                                                                    "ward_dropdown"))));
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "No ward yet"));

  /* The demo data arrive while the window is open. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_demo_fill_async (store, 20, 42, NULL, qoima_test_result_cb, &result);
    qoima_test_wait_until (qoima_test_result_is_set, &result, 60);
    g_assert_true (qoima_demo_fill_finish (store, result, &error));
    g_assert_no_error (error);
  }
  ward = first_ward (store);
  g_assert_cmpint (ward, !=, 0);

  /* Shown again, the page has them, the first chosen. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-stock", NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-move", NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  wait_for_store (store);
  g_assert_cmpint (qoima_move_page_get_ward (page), ==, ward);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-move-wards-after-fill.png");

  /* No name stored: the organization of the AUTH key opened in this session. */
  {
    g_autoptr(QoimaSigner) auth = qoima_test_load_key ("auth.p12");

    qoima_context_set_auth_signer (context, auth);
    g_assert_cmpstr (qoima_move_page_get_organization (page), ==, QOIMA_DEMO_ORGANIZATION);
  }

  /* The name the administrator stored comes first. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_set_setting_async (store, admin, QOIMA_SETTING_ORGANIZATION, "ГКП «Тестовая больница»",
                                   NULL, qoima_test_result_cb, &result);
    qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
    g_assert_true (qoima_store_set_setting_finish (store, result, &error));
    g_assert_no_error (error);
  }
  qoima_move_page_reload (page);
  wait_for_store (store);
  g_assert_cmpstr (qoima_move_page_get_organization (page), ==, "ГКП «Тестовая больница»");

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  qoima_store_close (store);
  qoima_test_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();

  g_test_add_func ("/ui/move/scan-move-print", test_move);
  g_test_add_func ("/ui/move/wards-after-demo-fill", test_wards_after_fill);

  return g_test_run ();
}
