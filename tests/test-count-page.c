/* test-count-page.c: a ward's stock count on the Stock Count page, scans typed into the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ward's nurse counts her ward: the page opens on it alone, she starts the count, the
 * packs are typed into the window's scan reader as a scanner types them; the tally and the
 * pack taken out without a movement show; she finishes; the chief, in another session,
 * signs it off, and the missing pack is owed as a write-off. Screenshots in en, ru and kk
 * (LANGUAGE set by meson for each run).
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "qoima-context.h"
#include "qoima-store-counts.h"
#include "qoima-test-utils.h"
#include "qoima-ui-test-utils.h"
#include "qoima-user.h"
#include "qoima-window-private.h"

#include <sqlite3.h>
#include <string.h>

/* The Count page's answer to a scan. */
static const char *
scan (QoimaWindow *window,
      const char  *text)
{
  qoima_test_scan (window, text);
  return qoima_count_page_get_scan_message (qoima_window_get_count_page (window));
}

static gboolean
count_in_state (gpointer data)
{
  QoimaCountPage *page = data;
  QoimaCount *count = qoima_count_page_get_count (page);
  int state = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (page), "state"));

  return count != NULL && (int) count->state == state;
}

static gboolean
found_reaches (gpointer data)
{
  QoimaCountPage *page = data;
  QoimaCount *count = qoima_count_page_get_count (page);

  return count != NULL &&
         count->n_found == GPOINTER_TO_INT (g_object_get_data (G_OBJECT (page), "found"));
}

static gboolean
page_has_no_count (gpointer data)
{
  QoimaCountPage *page = data;

  return qoima_count_page_get_count (page) == NULL &&
         gtk_widget_is_sensitive (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), QOIMA_TYPE_COUNT_PAGE,
                                                                 "start_button")));
}

static void
wait_for_state (QoimaCountPage  *page,
                QoimaCountState  state)
{
  g_object_set_data (G_OBJECT (page), "state", GINT_TO_POINTER (state));
  qoima_test_wait_until (count_in_state, page, 30);
}

/* The packs of @ward on the book, by a connection of the test's own. */
static GPtrArray *
packs_in_ward (const char *db_path,
               gint64      ward)
{
  GPtrArray *kis = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *sql = g_strdup_printf ("SELECT ki FROM packs WHERE location_id = %" G_GINT64_FORMAT
                                          " AND status IN ('in_stock', 'opened') ORDER BY id", ward);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (kis, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return kis;
}

static char *
owed_reason (const char *db_path,
             const char *ki)
{
  g_autofree char *sql = g_strdup_printf ("SELECT w.reason FROM withdrawals_owed w JOIN packs p ON p.id = w.pack_id "
                                          "WHERE p.ki = '%s'", ki);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *reason = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    reason = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return reason;
}

static void
respond (GType       type,
         const char *response)
{
  GtkWindow *dialog = NULL;

  for (int i = 0; i < 200 && dialog == NULL; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
      dialog = qoima_test_find_window (type);
    }
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  /* A click closes the dialog too; responding from code does not. */
  gtk_window_destroy (dialog);
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (qoima_count_page_export_finish (QOIMA_COUNT_PAGE (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
export_count (QoimaCountPage   *page,
              QoimaCountExport  format,
              const char       *dir,
              const char       *name,
              const char       *magic)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  gsize length = 0;
  gboolean done = FALSE;

  qoima_count_page_export_async (page, format, file, NULL, exported_cb, &done);
  qoima_test_wait_until (qoima_test_flag_is_set, &done, 30);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (memcmp (contents, magic, strlen (magic)) == 0);
}

static void
test_ward_count (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *shot = NULL;
  g_autofree char *taken = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(GPtrArray) kis = NULL;
  const char *language = g_getenv ("LANGUAGE");
  QoimaCountPage *page;
  QoimaWindow *window;
  QoimaCount *count;
  gboolean signed_off = FALSE;

  store = qoima_test_open_demo_store (db_path, 300);
  qoima_test_add_demo_users (store);
  nurse = qoima_test_find_user (store, "nurse");
  chief = qoima_test_find_user (store, "chief");
  kis = packs_in_ward (db_path, qoima_user_get_ward_id (nurse));
  g_assert_cmpuint (kis->len, >=, 3);
  taken = g_strdup (g_ptr_array_index (kis, kis->len - 1));

  context = qoima_context_new (store, settings);
  qoima_context_set_user (context, nurse);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 760);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-count", NULL);
  page = qoima_window_get_count_page (window);
  qoima_test_wait_until (page_has_no_count, page, 30);

  /* A scan before the count is started is not counted, and the page says so. */
  g_assert_nonnull (scan (window, g_ptr_array_index (kis, 0)));
  g_assert_null (qoima_count_page_get_count (page));

  gtk_widget_activate_action (GTK_WIDGET (page), "count.start", NULL);
  wait_for_state (page, QOIMA_COUNT_OPEN);

  /* Every pack of the ward but the last, which was taken out without a movement. */
  for (guint i = 0; i + 1 < kis->len; i++)
    scan (window, g_ptr_array_index (kis, i));
  g_object_set_data (G_OBJECT (page), "found", GINT_TO_POINTER (kis->len - 1));
  qoima_test_wait_until (found_reaches, page, 30);

  count = qoima_count_page_get_count (page);
  g_assert_cmpuint (count->lines->len, >=, 1);
  {
    gboolean missing = FALSE;

    for (guint i = 0; i < count->lines->len; i++)
      {
        QoimaCountLine *line = g_ptr_array_index (count->lines, i);

        if (g_str_equal (line->ki, taken))
          missing = line->finding == QOIMA_COUNT_MISSING;
      }
    g_assert_true (missing);
  }
  /* The missing pack shows in the Differences list, by its code. */
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), taken));

  shot = g_strdup_printf ("count-page-%s", language != NULL ? language : "default");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), shot);

  /* She finishes, confirming in the dialog. */
  gtk_widget_activate_action (GTK_WIDGET (page), "count.finish", NULL);
  respond (ADW_TYPE_MESSAGE_DIALOG, "finish");
  wait_for_state (page, QOIMA_COUNT_FINISHED);

  /* The result exported from the page, as PDF and XLSX (their contents are read back in
   * test-qoimactl-count). */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), QOIMA_TYPE_COUNT_PAGE,
                                                                                    "export_button"))));
  export_count (page, QOIMA_COUNT_EXPORT_PDF, tmp, "count.pdf", "%PDF");
  export_count (page, QOIMA_COUNT_EXPORT_XLSX, tmp, "count.xlsx", "PK");

  /* A nurse does not sign off: the button is not hers. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), QOIMA_TYPE_COUNT_PAGE,
                                                                         "sign_off_button"))));

  /* The chief signs it off in her session; the dialog says what will change first. */
  qoima_context_set_user (context, chief);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-count", NULL);
  qoima_count_page_set_location (page, qoima_user_get_ward_id (nurse));
  wait_for_state (page, QOIMA_COUNT_FINISHED);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), QOIMA_TYPE_COUNT_PAGE,
                                                                                    "sign_off_button"))));
  g_signal_connect (page, "signed-off", G_CALLBACK (qoima_test_flag_cb), &signed_off);
  gtk_widget_activate_action (GTK_WIDGET (page), "count.sign-off", NULL);
  respond (ADW_TYPE_MESSAGE_DIALOG, "sign-off");
  qoima_test_wait_until (qoima_test_flag_is_set, &signed_off, 30);

  reason = owed_reason (db_path, taken);
  g_assert_cmpstr (reason, ==, "LOST");

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  qoima_store_close (store);
  qoima_test_remove_tree (tmp);
}

int
main (int    argc,
      char **argv)
{
  const char *locale_dir = g_getenv ("QOIMA_LOCALEDIR");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();
  /* The catalogs meson built; LANGUAGE (set by meson) picks one, once setlocale() asks again. */
  g_assert_nonnull (locale_dir);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  setlocale (LC_MESSAGES, "");

  g_test_add_func ("/count-page/ward", test_ward_count);
  return g_test_run ();
}
