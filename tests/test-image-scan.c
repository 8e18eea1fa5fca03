/* test-image-scan.c: a demo pack's code read from an image file opens its pack card
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-datamatrix.h"
#include "qoima-i18n.h"
#include "qoima-label-print.h"
#include "qoima-scan-result.h"
#include "qoima-test-photo.h"
#include "qoima-ui-test-utils.h"
#include "qoima-window-private.h"

#include <glib/gstdio.h>

#define DEMO_PACKS 50
#define PHOTO_SIZE 1000

static char *tmp_dir;
static char *db_path;
static QoimaStore *store;
static GSettings *settings;

static gboolean
read_and_handled (gpointer data)
{
  QoimaTestImageSeen *seen = data;

  return seen->read && (!seen->found || seen->handled);
}

static QoimaWindow *
create_window (void)
{
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  g_autoptr(QoimaUser) user = qoima_test_find_user (store, "clerk");
  QoimaWindow *window;

  qoima_context_set_user (context, user);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* Saves greyscale pixels as a PNG, as a phone or a scanner would leave them. */
static GFile *
save_png (GBytes     *grey,
          int         size,
          const char *name)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, size, size);
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  const guint8 *src = g_bytes_get_data (grey, NULL);
  guint8 *dst = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);

  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      for (int c = 0; c < 3; c++)
        dst[y * stride + x * 3 + c] = src[y * size + x];
  gdk_pixbuf_save (pixbuf, path, "png", &error, NULL);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
save_screenshot (QoimaWindow *window,
                 const char  *what)
{
  g_autofree char *name = g_strdup_printf ("test-image-scan-%s%s%s.png", what,
                                           g_getenv ("LANGUAGE") != NULL ? "-" : "",
                                           g_getenv ("LANGUAGE") != NULL ? g_getenv ("LANGUAGE") : "");

  qoima_test_save_screenshot (GTK_WIDGET (window), name);
}

/* The card's print button (its action is the widget's own, so find it by that). */
static GtkWidget *
find_print_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "scan-result.print-label") == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_print_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
open_and_wait (QoimaWindow        *window,
               GFile              *file,
               QoimaTestImageSeen *seen)
{
  gulong read_id = g_signal_connect (window, "image-read", G_CALLBACK (qoima_test_image_read_cb), seen);
  gulong handled_id = g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_scan_handled_cb), seen);

  qoima_window_open_image (window, file);
  qoima_test_wait_until (read_and_handled, seen, 60);
  g_signal_handler_disconnect (window, read_id);
  g_signal_handler_disconnect (window, handled_id);
}

/* A photo (rotated 17°, off-centre, blurred, noisy) of a demo pack's code: its card shows. */
static void
test_photo_opens_pack_card (void)
{
  g_autoptr(QoimaPack) pack = qoima_test_first_pack_in_stock (store);
  QoimaWindow *window = create_window ();
  QoimaScanResult *result = qoima_window_get_scan_result (window);
  g_autoptr(GBytes) photo = qoima_test_photo_render (qoima_pack_get_km (pack), &qoima_test_photos[1],
                                                     PHOTO_SIZE, 3);
  g_autoptr(GFile) file = save_png (photo, PHOTO_SIZE, "pack.png");
  QoimaTestImageSeen seen = { 0 };
  gint64 scans_before = qoima_test_count_scans (db_path);

  open_and_wait (window, file, &seen);

  g_assert_true (seen.found);
  g_assert_cmpint (qoima_scan_result_get_state (result), ==, QOIMA_SCAN_RESULT_STATE_FOUND);
  g_assert_nonnull (qoima_scan_result_get_code (result));
  g_assert_cmpstr (qoima_scan_result_get_code (result)->km, ==, qoima_pack_get_km (pack));
  g_assert_nonnull (qoima_scan_result_get_pack (result));
  g_assert_cmpstr (qoima_pack_get_ki (qoima_scan_result_get_pack (result)), ==, qoima_pack_get_ki (pack));
  /* Recorded like a scanner's scan. */
  g_assert_cmpint (qoima_test_count_scans (db_path), ==, scans_before + 1);

  /* The card offers the pack's own label; printed to PDF it is a page with content. */
  g_assert_true (gtk_widget_is_sensitive (find_print_button (GTK_WIDGET (result))));
  {
    g_autoptr(GtkPrintOperation) operation = qoima_label_print_operation_new (qoima_scan_result_get_pack (result));
    /* Next to the screenshots, for a look. */
    g_autofree char *pdf = g_test_build_filename (G_TEST_BUILT, "test-image-scan-label.pdf", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *contents = NULL;
    gsize length = 0;

    gtk_print_operation_set_export_filename (operation, pdf);
    g_assert_cmpint (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT, NULL, &error), ==,
                     GTK_PRINT_OPERATION_RESULT_APPLY);
    g_assert_no_error (error);
    g_file_get_contents (pdf, &contents, &length, &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (contents, "%PDF"));
    g_assert_cmpuint (length, >, 1000);
  }

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  save_screenshot (window, "found");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* An image without a code, and a file that is no image: a toast each, no card. */
static void
test_no_code_said (void)
{
  QoimaWindow *window = create_window ();
  QoimaScanResult *result = qoima_window_get_scan_result (window);
  g_autoptr(GBytes) photo = qoima_test_photo_render (NULL, &qoima_test_photos[1], PHOTO_SIZE, 4);
  g_autoptr(GFile) file = save_png (photo, PHOTO_SIZE, "nothing.png");
  g_autofree char *text_path = g_build_filename (tmp_dir, "notes.png", NULL);
  g_autoptr(GFile) text_file = g_file_new_for_path (text_path);
  g_autoptr(GError) error = NULL;
  QoimaTestImageSeen seen = { 0 };
  guint toasts = qoima_window_get_n_toasts (window);

  open_and_wait (window, file, &seen);
  g_assert_false (seen.found);
  g_assert_cmpuint (qoima_window_get_n_toasts (window), ==, toasts + 1);
  g_assert_null (qoima_scan_result_get_code (result));
  /* No pack, no label to print. */
  g_assert_false (gtk_widget_is_sensitive (find_print_button (GTK_WIDGET (result))));

  g_file_set_contents (text_path, "not an image", -1, &error);
  g_assert_no_error (error);
  memset (&seen, 0, sizeof seen);
  open_and_wait (window, text_file, &seen);
  g_assert_false (seen.found);
  g_assert_cmpuint (qoima_window_get_n_toasts (window), ==, toasts + 2);

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  save_screenshot (window, "none");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* As main.c: with LANGUAGE=ru or kk set, the screenshots show that language. */
  qoima_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();

  tmp_dir = qoima_test_make_tmp_dir ();
  db_path = g_build_filename (tmp_dir, "qoima.db", NULL);
  store = qoima_test_open_demo_store (db_path, DEMO_PACKS);
  qoima_test_add_demo_users (store);
  settings = g_settings_new (BASE_APP_ID);

  g_test_add_func ("/ui/image-scan/photo-opens-pack-card", test_photo_opens_pack_card);
  g_test_add_func ("/ui/image-scan/no-code-said", test_no_code_said);

  ret = g_test_run ();

  g_clear_object (&settings);
  qoima_store_close (store);
  g_clear_object (&store);
  qoima_test_remove_tree (tmp_dir);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&tmp_dir, g_free);
  return ret;
}
