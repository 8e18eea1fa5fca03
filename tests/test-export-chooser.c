/* test-export-chooser.c: the "Save As" dialog of every page's export: what it shows, its
 * answers when dismissed or cancelled, and a page that goes while it is open (a file
 * accepted is not driven here: the fallback dialog answers Save only after its own checks)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-export-chooser.h"
#include "qoima-reports-page.h"
#include "qoima-ui-test-utils.h"

static gboolean
chooser_shown (gpointer data)
{
  return qoima_test_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL;
}

static gboolean
chooser_gone (gpointer data)
{
  return !chooser_shown (NULL);
}

/* The dialog shown (the fallback dialog: the tests run without portals); checks what it
 * offers. */
static GtkWindow *
wait_for_chooser (GtkWindow  *parent,
                  const char *title,
                  const char *name,
                  const char *filter_name)
{
  GtkWindow *dialog;
  GtkFileFilter *filter;
  g_autofree char *current_name = NULL;

  qoima_test_wait_until (chooser_shown, NULL, 30);
  dialog = qoima_test_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_cmpstr (gtk_window_get_title (dialog), ==, title);
  g_assert_true (gtk_window_get_transient_for (dialog) == parent);
  g_assert_true (gtk_window_get_modal (dialog));
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)), ==, GTK_FILE_CHOOSER_ACTION_SAVE);
  current_name = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (dialog));
  g_assert_cmpstr (current_name, ==, name);
  filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (dialog));
  g_assert_nonnull (filter);
  g_assert_cmpstr (gtk_file_filter_get_name (filter), ==, filter_name);
  return dialog;
}

static void
test_dismissed (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWindow *dialog;

  gtk_window_present (window);
  qoima_export_chooser_run_async (GTK_WIDGET (window), "Export the Count", "stock-count-7.pdf",
                                  QOIMA_EXPORT_FORMAT_PDF, NULL, qoima_test_result_cb, &result);
  dialog = wait_for_chooser (window, "Export the Count", "stock-count-7.pdf", "PDF Documents");
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  /* Dismissed is no error: nothing was chosen. */
  file = qoima_export_chooser_run_finish (result, &error);
  g_assert_no_error (error);
  g_assert_null (file);
  qoima_test_wait_until (chooser_gone, NULL, 30);

  gtk_window_destroy (window);
}

static void
test_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_present (window);
  qoima_export_chooser_run_async (GTK_WIDGET (window), "Export", "copay-registry-2026-01.xlsx",
                                  QOIMA_EXPORT_FORMAT_XLSX, cancellable, qoima_test_result_cb, &result);
  wait_for_chooser (window, "Export", "copay-registry-2026-01.xlsx", "Excel Workbooks");
  g_cancellable_cancel (cancellable);
  /* The dialog closes at once; the answer comes in a later iteration. */
  g_assert_null (qoima_test_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG));
  g_assert_null (result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  file = qoima_export_chooser_run_finish (result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (file);

  /* Already cancelled: no dialog at all. */
  g_clear_object (&result);
  g_clear_error (&error);
  qoima_export_chooser_run_async (GTK_WIDGET (window), "Export Report", "report.csv",
                                  QOIMA_EXPORT_FORMAT_CSV, cancellable, qoima_test_result_cb, &result);
  g_assert_null (qoima_test_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG));
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  g_assert_null (qoima_export_chooser_run_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  gtk_window_destroy (window);
}

static gboolean
page_idle (gpointer data)
{
  return !qoima_reports_page_get_loading (data);
}

/* The Reports page's ИСЛО export asks with its own title and name; a second export waits
 * for the first dialog; the page's window closed, the dialog closes too. */
static void
test_page_goes_while_open (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autoptr(QoimaStore) store = qoima_test_open_demo_store (db_path, 10);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *month = g_date_time_format (now, "%Y-%m");
  g_autofree char *name = g_strdup_printf ("islo-%s.csv", month);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  QoimaReportsPage *page = g_object_new (QOIMA_TYPE_REPORTS_PAGE, "context", context, NULL);
  GtkWindow *dialog;
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n_toplevels;

  qoima_test_add_demo_users (store);
  chief = qoima_test_find_user (store, "chief");
  gtk_window_set_default_size (window, 1000, 560);
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  qoima_context_set_user (context, chief);
  qoima_reports_page_start (page);
  qoima_test_wait_until (page_idle, page, 30);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "reports.export-islo", NULL));
  dialog = wait_for_chooser (window, "Export the Month for ИСЛО", name, "CSV Files");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  qoima_test_save_screenshot (GTK_WIDGET (dialog), "test-export-chooser-islo.png");
  n_toplevels = g_list_model_get_n_items (toplevels);
  gtk_widget_activate_action (GTK_WIDGET (page), "reports.export", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (toplevels), ==, n_toplevels);

  gtk_window_destroy (window);
  qoima_test_wait_until (chooser_gone, NULL, 30);

  g_clear_object (&context);
  qoima_store_close (store);
  g_clear_object (&store);
  qoima_test_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();

  g_test_add_func ("/ui/export-chooser/dismissed", test_dismissed);
  g_test_add_func ("/ui/export-chooser/cancelled", test_cancelled);
  g_test_add_func ("/ui/export-chooser/page-goes-while-open", test_page_goes_while_open);

  return g_test_run ();
}
