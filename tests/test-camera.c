/* test-camera.c: Scan with Camera, with GStreamer sources standing in for the webcam
 *
 * The camera's source is set through its test hook (QOIMA_CAMERA_SOURCE): a still photo of
 * a demo pack's code for a camera that sees one, videotestsrc for one that sees no code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "qoima-camera-dialog.h"
#include "qoima-camera.h"
#include "qoima-i18n.h"
#include "qoima-scan-result.h"
#include "qoima-test-photo.h"
#include "qoima-ui-test-utils.h"
#include "qoima-window-private.h"

#define DEMO_PACKS 50
#define PHOTO_SIZE 1000
/* The source with no code: colour bars at a webcam's size and rate. */
#define NO_CODE_SOURCE "videotestsrc ! video/x-raw,width=640,height=480,framerate=15/1"

static char *tmp_dir;
static char *db_path;
static QoimaStore *store;
static GSettings *settings;

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

static QoimaCameraDialog *
find_dialog (void)
{
  return (QoimaCameraDialog *) qoima_test_find_window (QOIMA_TYPE_CAMERA_DIALOG);
}

/* The dialog closed, and the window has its answer. */
static gboolean
camera_closed (gpointer data)
{
  QoimaWindow *window = data;

  return find_dialog () == NULL && !qoima_window_get_camera_open (window);
}

typedef struct {
  QoimaWindow        *window;
  QoimaTestImageSeen *seen;
} Waiting;

static gboolean
handled_and_closed (gpointer data)
{
  Waiting *waiting = data;

  return waiting->seen->handled && camera_closed (waiting->window);
}

static gboolean
showing_frame (gpointer data)
{
  QoimaCameraDialog *dialog = find_dialog ();

  return dialog != NULL && qoima_camera_dialog_get_showing_frame (dialog);
}

static gboolean
stopped (gpointer data)
{
  QoimaCameraDialog *dialog = find_dialog ();

  return dialog != NULL && !qoima_camera_dialog_get_reading (dialog);
}

/* Opens the camera dialog as the menu item does, and returns it. */
static QoimaCameraDialog *
take_photo (QoimaWindow *window)
{
  QoimaCameraDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.take-photo", NULL));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  return dialog;
}

/* Opens the camera dialog with its key, Ctrl+Shift+O (beside Ctrl+O, Open Image). */
static QoimaCameraDialog *
take_photo_by_key (QoimaWindow *window)
{
  QoimaCameraDialog *dialog;

  g_assert_null (find_dialog ());
  g_assert_true (qoima_test_activate_shortcut (GTK_WIDGET (window), "<Control><Shift>o"));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (qoima_window_get_camera_open (window));
  return dialog;
}

/* Writes a photo of @km (or of no code) as a PNG, as a camera's still. */
static char *
save_png (const char *km,
          const char *name)
{
  g_autoptr(GBytes) grey = qoima_test_photo_render (km, &qoima_test_photos[1], PHOTO_SIZE, 3);
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, PHOTO_SIZE, PHOTO_SIZE);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);
  const guint8 *src = g_bytes_get_data (grey, NULL);
  guint8 *dst = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);

  for (int y = 0; y < PHOTO_SIZE; y++)
    for (int x = 0; x < PHOTO_SIZE; x++)
      for (int c = 0; c < 3; c++)
        dst[y * stride + x * 3 + c] = src[y * PHOTO_SIZE + x];
  gdk_pixbuf_save (pixbuf, path, "png", &error, NULL);
  g_assert_no_error (error);
  return path;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *what)
{
  g_autofree char *name = g_strdup_printf ("test-camera-%s.png", what);

  gtk_test_widget_wait_for_draw (widget);
  qoima_test_save_screenshot (widget, name);
}

/* What a camera read that found nothing must leave as it was. */
typedef struct {
  gint64 scans;
  guint  toasts;
} Before;

static Before
note_before (QoimaWindow *window)
{
  Before before = { qoima_test_count_scans (db_path), qoima_window_get_n_toasts (window) };

  return before;
}

static void
assert_nothing_changed (QoimaWindow              *window,
                        const Before             *before,
                        const QoimaTestImageSeen *seen)
{
  QoimaScanResult *result = qoima_window_get_scan_result (window);

  g_assert_false (seen->read);
  g_assert_false (seen->handled);
  g_assert_cmpint (qoima_test_count_scans (db_path), ==, before->scans);
  g_assert_cmpuint (qoima_window_get_n_toasts (window), ==, before->toasts);
  g_assert_null (qoima_scan_result_get_code (result));
  g_assert_null (qoima_scan_result_get_pack (result));
}

/* The camera sees a photo of a demo pack's code (rotated, blurred, noisy): the dialog closes
 * and the code goes the way of a scan, to the pack's card, recorded once. */
static void
test_code_opens_pack_card (void)
{
  g_autoptr(QoimaPack) pack = qoima_test_first_pack_in_stock (store);
  g_autofree char *png = save_png (qoima_pack_get_km (pack), "pack.png");
  g_autofree char *source = g_strdup_printf ("filesrc location=\"%s\" ! pngdec ! imagefreeze", png);
  QoimaWindow *window = create_window ();
  QoimaScanResult *result = qoima_window_get_scan_result (window);
  gint64 scans_before = qoima_test_count_scans (db_path);
  QoimaTestImageSeen seen = { 0 };

  g_setenv (QOIMA_CAMERA_SOURCE_ENV, source, TRUE);
  g_signal_connect (window, "image-read", G_CALLBACK (qoima_test_image_read_cb), &seen);
  g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_scan_handled_cb), &seen);
  g_assert_cmpint (qoima_scan_result_get_state (result), !=, QOIMA_SCAN_RESULT_STATE_FOUND);

  take_photo (window);
  g_assert_true (qoima_window_get_camera_open (window));
  qoima_test_wait_until (handled_and_closed, &(Waiting) { window, &seen }, 60);

  g_assert_true (seen.read);
  g_assert_true (seen.found);
  g_assert_cmpint (qoima_scan_result_get_state (result), ==, QOIMA_SCAN_RESULT_STATE_FOUND);
  g_assert_nonnull (qoima_scan_result_get_code (result));
  g_assert_cmpstr (qoima_scan_result_get_code (result)->km, ==, qoima_pack_get_km (pack));
  g_assert_nonnull (qoima_scan_result_get_pack (result));
  g_assert_cmpstr (qoima_pack_get_ki (qoima_scan_result_get_pack (result)), ==, qoima_pack_get_ki (pack));
  /* Recorded like a scanner's scan, once. */
  g_assert_cmpint (qoima_test_count_scans (db_path), ==, scans_before + 1);

  save_screenshot (GTK_WIDGET (window), "found");
  g_unsetenv (QOIMA_CAMERA_SOURCE_ENV);
  g_signal_handlers_disconnect_by_data (window, &seen);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* The camera sees no code: the dialog shows the frames and says what to do; Cancel closes it
 * with the camera off and nothing changed. */
static void
test_no_code_cancelled (void)
{
  QoimaWindow *window = create_window ();
  QoimaCameraDialog *dialog;
  Before before = note_before (window);
  QoimaTestImageSeen seen = { 0 };

  g_setenv (QOIMA_CAMERA_SOURCE_ENV, NO_CODE_SOURCE, TRUE);
  g_signal_connect (window, "image-read", G_CALLBACK (qoima_test_image_read_cb), &seen);
  g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_scan_handled_cb), &seen);

  dialog = take_photo (window);
  qoima_test_wait_until (showing_frame, NULL, 30);
  g_assert_true (qoima_camera_dialog_get_reading (dialog));
  g_assert_cmpstr (qoima_camera_dialog_get_status (dialog), ==,
                   _("Hold the pack's DataMatrix code in front of the camera"));
  save_screenshot (GTK_WIDGET (dialog), "preview");

  qoima_camera_dialog_cancel (dialog);
  qoima_test_wait_until (camera_closed, window, 30);
  assert_nothing_changed (window, &before, &seen);

  g_unsetenv (QOIMA_CAMERA_SOURCE_ENV);
  g_signal_handlers_disconnect_by_data (window, &seen);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* The camera sees no code within its time limit: the dialog says so and offers Try Again,
 * which starts the camera again; nothing is recorded. */
static void
test_no_code_times_out (void)
{
  QoimaWindow *window = create_window ();
  QoimaCameraDialog *dialog;
  Before before = note_before (window);
  QoimaTestImageSeen seen = { 0 };
  g_autofree char *expected = NULL;

  g_setenv (QOIMA_CAMERA_SOURCE_ENV, NO_CODE_SOURCE, TRUE);
  g_setenv (QOIMA_CAMERA_TIME_LIMIT_ENV, "2", TRUE);
  g_signal_connect (window, "image-read", G_CALLBACK (qoima_test_image_read_cb), &seen);
  g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_scan_handled_cb), &seen);

  dialog = take_photo (window);
  qoima_test_wait_until (stopped, NULL, 30);
  {
    g_autofree char *timed_out = g_strdup_printf (ngettext ("No code was read in %u second",
                                                             "No code was read in %u seconds", 2), 2);

    expected = g_strdup_printf (_("%s. Hold the code closer to the camera, flat and well lit, and try again."),
                                timed_out);
  }
  g_assert_cmpstr (qoima_camera_dialog_get_status (dialog), ==, expected);
  save_screenshot (GTK_WIDGET (dialog), "timed-out");
  assert_nothing_changed (window, &before, &seen);

  /* Try Again: the camera is on again, until it gives up again. */
  qoima_camera_dialog_retry (dialog);
  g_assert_true (qoima_camera_dialog_get_reading (dialog));
  g_assert_cmpstr (qoima_camera_dialog_get_status (dialog), ==, _("Starting the camera…"));
  qoima_test_wait_until (stopped, NULL, 30);
  g_assert_cmpstr (qoima_camera_dialog_get_status (dialog), ==, expected);

  qoima_camera_dialog_cancel (dialog);
  qoima_test_wait_until (camera_closed, window, 30);
  assert_nothing_changed (window, &before, &seen);

  g_unsetenv (QOIMA_CAMERA_SOURCE_ENV);
  g_unsetenv (QOIMA_CAMERA_TIME_LIMIT_ENV);
  g_signal_handlers_disconnect_by_data (window, &seen);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* A camera that cannot be started (here, a source GStreamer does not know) is said so, in the
 * dialog, not as a scan. */
static void
test_camera_fails (void)
{
  QoimaWindow *window = create_window ();
  QoimaCameraDialog *dialog;
  Before before = note_before (window);
  QoimaTestImageSeen seen = { 0 };
  const char *status;

  g_setenv (QOIMA_CAMERA_SOURCE_ENV, "qoimanosuchsource", TRUE);
  g_signal_connect (window, "image-read", G_CALLBACK (qoima_test_image_read_cb), &seen);
  g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_scan_handled_cb), &seen);

  /* Opened by its key this time. */
  dialog = take_photo_by_key (window);
  qoima_test_wait_until (stopped, NULL, 30);
  status = qoima_camera_dialog_get_status (dialog);
  g_assert_true (g_str_has_prefix (status, "The camera could not be started: "));
  g_assert_nonnull (strstr (status, "qoimanosuchsource"));
  g_assert_false (qoima_camera_dialog_get_showing_frame (dialog));
  assert_nothing_changed (window, &before, &seen);

  qoima_camera_dialog_cancel (dialog);
  qoima_test_wait_until (camera_closed, window, 30);
  g_unsetenv (QOIMA_CAMERA_SOURCE_ENV);
  g_signal_handlers_disconnect_by_data (window, &seen);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
frame_shown_cb (QoimaCamera *camera,
                GParamSpec  *pspec,
                guint       *frames)
{
  if (qoima_camera_get_frame (camera) != NULL)
    (*frames)++;
}

/* Issue 14: frames come at 30 a second and are all shown, but a search starts no sooner than
 * 250 ms after the last one started, so a read that finds nothing does not keep a core busy
 * for its whole time. */
static void
test_search_paced (void)
{
  g_autoptr(QoimaCamera) camera = qoima_camera_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  guint frames = 0;

  g_setenv (QOIMA_CAMERA_SOURCE_ENV, "videotestsrc ! video/x-raw,width=640,height=480,framerate=30/1", TRUE);
  g_setenv (QOIMA_CAMERA_TIME_LIMIT_ENV, "2", TRUE);
  g_signal_connect (camera, "notify::frame", G_CALLBACK (frame_shown_cb), &frames);

  qoima_camera_read_code_async (camera, NULL, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  text = qoima_camera_read_code_finish (camera, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_null (text);

  g_test_message ("%u frames shown, %u searched, the closest two starts %" G_GINT64_FORMAT " µs apart",
                  frames, qoima_camera_get_n_searches (camera), qoima_camera_get_shortest_search_gap (camera));
  g_assert_cmpuint (qoima_camera_get_n_searches (camera), >=, 2);
  g_assert_cmpint (qoima_camera_get_shortest_search_gap (camera), >=,
                   QOIMA_CAMERA_SEARCH_INTERVAL_MS * G_TIME_SPAN_MILLISECOND);
  /* Every frame is still shown, not only those searched. */
  g_assert_cmpuint (frames, >, qoima_camera_get_n_searches (camera));

  g_signal_handlers_disconnect_by_data (camera, &frames);
  g_unsetenv (QOIMA_CAMERA_SOURCE_ENV);
  g_unsetenv (QOIMA_CAMERA_TIME_LIMIT_ENV);
}

static gboolean
has_video_device (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "video"))
      return TRUE;
  return FALSE;
}

/* No hook, no /dev/video*, no camera portal on the test's session bus: "No camera found". */
static void
test_no_camera (void)
{
  QoimaWindow *window;
  QoimaCameraDialog *dialog;
  Before before;
  QoimaTestImageSeen seen = { 0 };

  if (has_video_device ())
    {
      g_test_skip ("This machine has a camera: the test would open it");
      return;
    }

  window = create_window ();
  before = note_before (window);
  g_signal_connect (window, "image-read", G_CALLBACK (qoima_test_image_read_cb), &seen);
  g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_scan_handled_cb), &seen);

  dialog = take_photo (window);
  qoima_test_wait_until (stopped, NULL, 30);
  g_assert_cmpstr (qoima_camera_dialog_get_status (dialog), ==, _("No camera found"));
  save_screenshot (GTK_WIDGET (dialog), "no-camera");
  assert_nothing_changed (window, &before, &seen);

  /* Switching user closes the dialog (the camera is not left on for the next user). */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.switch-user", NULL);
  qoima_test_wait_until (camera_closed, window, 30);

  g_signal_handlers_disconnect_by_data (window, &seen);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  qoima_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();
  g_unsetenv (QOIMA_CAMERA_SOURCE_ENV);
  g_unsetenv (QOIMA_CAMERA_TIME_LIMIT_ENV);

  tmp_dir = qoima_test_make_tmp_dir ();
  db_path = g_build_filename (tmp_dir, "qoima.db", NULL);
  store = qoima_test_open_demo_store (db_path, DEMO_PACKS);
  qoima_test_add_demo_users (store);
  settings = g_settings_new (BASE_APP_ID);

  g_test_add_func ("/ui/camera/code-opens-pack-card", test_code_opens_pack_card);
  g_test_add_func ("/ui/camera/no-code-cancelled", test_no_code_cancelled);
  g_test_add_func ("/ui/camera/no-code-times-out", test_no_code_times_out);
  g_test_add_func ("/ui/camera/camera-fails", test_camera_fails);
  g_test_add_func ("/ui/camera/search-paced", test_search_paced);
  g_test_add_func ("/ui/camera/no-camera", test_no_camera);

  ret = g_test_run ();

  g_clear_object (&settings);
  qoima_store_close (store);
  g_clear_object (&store);
  qoima_test_remove_tree (tmp_dir);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&tmp_dir, g_free);
  return ret;
}
