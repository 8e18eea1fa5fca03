/* test-scanner-xtest.c: a scanner's real X key events under us, ru and kz layouts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window runs on an X server of its own (tests/run-xvfb.sh). The layout is switched
 * with setxkbmap, then tests/qoima-xtest-type presses the US key POSITIONS of a demo
 * pack's marking code through XTest, as a USB scanner does, whatever the layout. The
 * code must reach the window intact (GS included) and find the pack. `xdotool type`
 * would remap keysyms onto spare keycodes and hide the very problem under test.
 *
 * The nurse's Use page then gets what is not a marking code: an IIN and a medical record
 * number typed into the Patient field at a wristband scanner's pace and faster, under us,
 * ru and kz. They must land in the field as typed, with no scan error; a marking code
 * scanned while the field has the focus must still be a scan.
 */

#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>

#include "qoima-context.h"
#include "qoima-store-ledger.h"
#include "qoima-location.h"
#include "qoima-scan-result.h"
#include "qoima-stock-page.h"
#include "qoima-ui-test-utils.h"
#include "qoima-use-page.h"
#include "qoima-window-private.h"

#include <string.h>

#define DEMO_PACKS 200

/* A patient's IIN (valid check digit) and medical record numbers as wards write them: with
 * punctuation, which every layout puts elsewhere, and plain (what Qoima's rule accepts). */
#define PATIENT_IIN "850715400238"
#define RECORD_NUMBER_LATIN "MK-2024/118"
#define RECORD_NUMBER_CYRILLIC "МК-2024/118"
#define RECORD_NUMBER_PLAIN_LATIN "IB2024118"
#define RECORD_NUMBER_PLAIN_CYRILLIC "ИБ2024118"

static char *tmp_dir;
static QoimaStore *store;
static GSettings *settings;
static QoimaContext *context;
static QoimaWindow *window;
static const char *xtest_type;

static gboolean
stock_is_loaded (gpointer data)
{
  QoimaStockPage *page = data;

  return !qoima_stock_page_get_loading (page) &&
         g_list_model_get_n_items (qoima_stock_page_get_model (page)) > 0;
}

static gboolean
window_is_active (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (data));
}

static char *
run_command (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s", argv[0], error->message, err);

  return g_steal_pointer (&out);
}

typedef struct {
  const char *layout;
} LayoutWait;

/* GDK reloads its keymap when the X server announces the new layout; wait for that, so
 * that the keys typed next are read with the layout under test. */
static gboolean
gdk_has_layout (gpointer data)
{
  LayoutWait *wait = data;
  g_autofree GdkKeymapKey *keys = NULL;
  g_autofree guint *keyvals = NULL;
  gunichar c = 0;
  int n = 0;

  if (!gdk_display_map_keycode (gdk_display_get_default (), 24, &keys, &keyvals, &n))
    return FALSE;

  for (int i = 0; i < n; i++)
    {
      if (keys[i].group == 0 && keys[i].level == 0)
        c = gdk_keyval_to_unicode (keyvals[i]);
    }

  /* Keycode 24 is the Q position: "q" under us, "й" under ru and kz. */
  if (g_str_equal (wait->layout, "us"))
    return c == 'q';

  return c == 0x0439;
}

static void
set_layout (const char *layout)
{
  const char *set_argv[] = { "setxkbmap", "-layout", layout, NULL };
  const char *query_argv[] = { "setxkbmap", "-query", NULL };
  g_autofree char *query = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean found = FALSE;
  LayoutWait wait = { layout };

  g_free (run_command (set_argv));

  /* setxkbmap can be ignored silently (seen right after Xvfb starts): check it took. */
  query = run_command (query_argv);
  lines = g_strsplit (query, "\n", -1);
  for (unsigned i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "layout:"))
        found = g_str_equal (g_strstrip (lines[i] + strlen ("layout:")), layout);
    }
  if (!found)
    g_error ("setxkbmap -query does not show layout %s:\n%s", layout, query);

  qoima_test_wait_until (gdk_has_layout, &wait, 20);
  g_test_message ("Layout %s active in X and in GDK", layout);
}

static void
subprocess_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Starts qoima-xtest-type without blocking: the window must keep reading X events while
 * the keys arrive. Waits until it has sent them all. */
static void
type_with_xtest (const char * const *options,
                 const char         *text)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  g_ptr_array_add (argv, (gpointer) xtest_type);
  for (unsigned i = 0; options != NULL && options[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) options[i]);
  g_ptr_array_add (argv, (gpointer) "--");
  g_ptr_array_add (argv, (gpointer) text);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, subprocess_done_cb, &done);
  qoima_test_wait_until (qoima_test_flag_is_set, &done, 60);
}

/* Sends a pack's code as a scanner would and checks it arrived intact and found the pack. */
static void
scan_pack_with_xtest (const char * const *options,
                      QoimaPack          *pack)
{
  QoimaScanResult *result = qoima_window_get_scan_result (window);
  const QoimaMarkingCode *code;
  gboolean handled = FALSE;
  gulong handler;

  /* A second try only when the first was rejected: on a loaded 2-core machine the typing
   * process can be descheduled between Ctrl and the separator's key, which a scanner never
   * is. Two rejections in a row fail the test. */
  for (int attempt = 1; attempt <= 2; attempt++)
    {
      handled = FALSE;
      qoima_scan_result_clear (result);
      handler = g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_flag_cb), &handled);
      type_with_xtest (options, qoima_pack_get_km (pack));
      qoima_test_wait_until (qoima_test_flag_is_set, &handled, 60);
      g_signal_handler_disconnect (window, handler);
      if (qoima_scan_result_get_state (result) != QOIMA_SCAN_RESULT_STATE_INVALID)
        break;
      if (attempt == 2)
        g_error ("The scan was rejected twice: %s", qoima_scan_result_get_message (result));
      g_test_message ("First scan rejected, typed again: %s", qoima_scan_result_get_message (result));
      /* Its first key, taken for typing when the burst was split, is not the next try's. */
      {
        GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
        GtkWidget *editable = focus != NULL && !GTK_IS_EDITABLE (focus)
                                ? gtk_widget_get_ancestor (focus, GTK_TYPE_EDITABLE) : focus;

        if (editable != NULL && GTK_IS_EDITABLE (editable))
          {
            g_test_message ("…and the focused field's “%s” cleared", gtk_editable_get_text (GTK_EDITABLE (editable)));
            gtk_editable_set_text (GTK_EDITABLE (editable), "");
          }
      }
    }

  g_assert_cmpint (qoima_scan_result_get_state (result), ==, QOIMA_SCAN_RESULT_STATE_FOUND);
  code = qoima_scan_result_get_code (result);
  g_assert_nonnull (code);
  g_assert_cmpstr (code->km, ==, qoima_pack_get_km (pack));
  g_assert_nonnull (strchr (code->km, '\x1d'));
  g_assert_cmpstr (code->ki, ==, qoima_pack_get_ki (pack));
  g_assert_cmpstr (qoima_pack_get_ki (qoima_scan_result_get_pack (result)), ==, qoima_pack_get_ki (pack));

  qoima_test_wait_until (stock_is_loaded, qoima_window_get_stock_page (window), 30);
}

static gboolean
require_x11 (void)
{
  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("Needs an X11 display (run through tests/run-xvfb.sh)");
      return FALSE;
    }
  if (xtest_type == NULL)
    {
      g_test_skip ("QOIMA_XTEST_TYPE is not set");
      return FALSE;
    }
  return TRUE;
}

/* Signs @name in on the window, as the switch-user flow does, and waits for the pages. */
static void
sign_in (const char *name)
{
  QoimaUser *current = qoima_context_get_user (context);
  g_autoptr(QoimaUser) user = NULL;

  if (current != NULL && g_str_equal (qoima_user_get_name (current), name))
    return;
  user = qoima_test_find_user (store, name);
  qoima_context_set_user (context, user);
  if (g_str_equal (name, "clerk"))
    qoima_test_wait_until (stock_is_loaded, qoima_window_get_stock_page (window), 30);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
}

static void
test_scan_layout (gconstpointer data)
{
  const char *layout = data;
  const char *options[] = { "--gs", "ctrl", NULL };
  g_autoptr(QoimaPack) pack = NULL;
  GtkEditable *search;

  if (!require_x11 ())
    return;

  sign_in ("clerk");
  pack = qoima_test_first_pack_in_stock (store);
  set_layout (layout);

  /* The focus sits in the search field, as it would at a clerk's desk: the scan must
   * leave no trace there. */
  search = qoima_stock_page_get_search_entry (qoima_window_get_stock_page (window));
  gtk_editable_set_text (search, "");
  qoima_stock_page_focus_search (qoima_window_get_stock_page (window));

  scan_pack_with_xtest (options, pack);
  g_assert_cmpstr (gtk_editable_get_text (search), ==, "");

  if (g_str_equal (layout, "kz"))
    {
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      qoima_test_save_screenshot (GTK_WIDGET (window), "test-scanner-xtest-kz.png");
    }
}

static void
test_scan_gs_as_f8 (void)
{
  const char *options[] = { "--gs", "f8", NULL };
  g_autoptr(QoimaPack) pack = NULL;

  if (!require_x11 ())
    return;

  sign_in ("clerk");
  pack = qoima_test_first_pack_in_stock (store);
  set_layout ("ru");
  scan_pack_with_xtest (options, pack);
}

typedef struct {
  GtkEditable *editable;
  const char  *text;
} TextWait;

static gboolean
editable_has_text (gpointer data)
{
  TextWait *wait = data;

  return g_str_equal (gtk_editable_get_text (wait->editable), wait->text);
}

static void
test_slow_typing_is_not_a_scan (void)
{
  const char *options[] = { "--delay-ms", "200", "--no-enter", NULL };
  QoimaScanResult *result;
  GtkEditable *search;
  gboolean handled = FALSE;
  gulong handler;
  TextWait wait;

  if (!require_x11 ())
    return;

  sign_in ("clerk");
  set_layout ("us");

  result = qoima_window_get_scan_result (window);
  qoima_scan_result_clear (result);
  search = qoima_stock_page_get_search_entry (qoima_window_get_stock_page (window));
  gtk_editable_set_text (search, "");
  qoima_stock_page_focus_search (qoima_window_get_stock_page (window));

  handler = g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_flag_cb), &handled);
  type_with_xtest (options, "amox");

  /* A person's pace: every key reaches the entry and nothing is taken for a scan. */
  wait.editable = search;
  wait.text = "amox";
  qoima_test_wait_until (editable_has_text, &wait, 20);
  g_signal_handler_disconnect (window, handler);

  g_assert_false (handled);
  g_assert_cmpint (qoima_scan_result_get_state (result), ==, QOIMA_SCAN_RESULT_STATE_NONE);
  g_assert_cmpstr (gtk_editable_get_text (search), ==, "amox");

  gtk_editable_set_text (search, "");
}

static gboolean
use_page_is_idle (gpointer data)
{
  return !qoima_use_page_get_busy (QOIMA_USE_PAGE (data));
}

static GtkEditable *
focus_patient_field (const char *text)
{
  QoimaUsePage *page;
  GtkEditable *patient;
  AdwViewStack *stack;

  sign_in ("nurse");
  page = qoima_window_get_use_page (window);
  stack = ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "use");
  qoima_test_wait_until (use_page_is_idle, page, 30);

  patient = GTK_EDITABLE (qoima_use_page_get_patient_entry (page));
  gtk_editable_set_text (patient, text);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (patient)));
  gtk_editable_set_position (patient, -1);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  return patient;
}

typedef struct {
  GtkEditable *editable;
  const char  *text;
  gint64       deadline;
} FieldWait;

/* The reader has finished with the keys and the field holds the text, or time is up. */
static gboolean
field_is_settled (gpointer data)
{
  FieldWait *wait = data;

  if (g_get_monotonic_time () > wait->deadline)
    return TRUE;
  return !qoima_scan_reader_is_busy (qoima_window_get_scan_reader (window)) &&
         g_str_equal (gtk_editable_get_text (wait->editable), wait->text);
}

/* Types @text into the Patient field at @delay_ms per key under @layout, as a person or a
 * wristband scanner would, and checks that the field holds it exactly and that nothing
 * was taken for a scan. */
static void
type_into_patient_field (const char *layout,
                         unsigned    delay_ms,
                         const char *text)
{
  g_autofree char *delay = g_strdup_printf ("%u", delay_ms);
  const char *options[] = { "--delay-ms", delay, "--no-enter", "--layout", layout,
                            g_str_equal (layout, "kz") ? "--keypad" : NULL, NULL };
  QoimaUsePage *page;
  QoimaScanResult *result = qoima_window_get_scan_result (window);
  GtkEditable *patient;
  gboolean handled = FALSE;
  gulong handler;
  FieldWait wait;

  patient = focus_patient_field ("");
  page = qoima_window_get_use_page (window);
  qoima_scan_result_clear (result);
  handler = g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_flag_cb), &handled);

  type_with_xtest (options, text);

  wait.editable = patient;
  wait.text = text;
  wait.deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  qoima_test_wait_until (field_is_settled, &wait, 20);
  g_signal_handler_disconnect (window, handler);

  g_test_message ("%s, %u ms per key: the field holds “%s”", layout, delay_ms, gtk_editable_get_text (patient));
  g_assert_cmpstr (gtk_editable_get_text (patient), ==, text);
  g_assert_cmpint (gtk_editable_get_position (patient), ==, g_utf8_strlen (text, -1));
  g_assert_false (handled);
  g_assert_cmpint (qoima_scan_result_get_state (result), ==, QOIMA_SCAN_RESULT_STATE_NONE);
  g_assert_null (strstr (qoima_use_page_get_message (page) ? qoima_use_page_get_message (page) : "",
                         "marking code"));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (gtk_editable_get_delegate (patient))));
}

static void
test_patient_field_typing (gconstpointer data)
{
  const char *layout = data;
  const unsigned delays[] = { 30, 60, 75, 120 };
  gboolean latin = g_str_equal (layout, "us");

  if (!require_x11 ())
    return;

  g_assert_true (qoima_iin_is_valid (PATIENT_IIN));
  set_layout (layout);

  for (unsigned i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      type_into_patient_field (layout, delays[i], PATIENT_IIN);
      type_into_patient_field (layout, delays[i], latin ? RECORD_NUMBER_LATIN : RECORD_NUMBER_CYRILLIC);
    }
  type_into_patient_field (layout, 75, latin ? RECORD_NUMBER_PLAIN_LATIN : RECORD_NUMBER_PLAIN_CYRILLIC);

  if (!latin)
    {
      g_autofree char *name = g_strdup_printf ("test-scanner-xtest-patient-%s.png", layout);

      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      qoima_test_save_screenshot (GTK_WIDGET (window), name);
    }
}

/* A pack of the nurse's ward, so that the Use page takes it without complaint. */
static QoimaPack *
pack_in_nurse_ward (void)
{
  g_autoptr(QoimaUser) nurse = qoima_test_find_user (store, "nurse");
  g_autoptr(GListModel) packs = qoima_test_list_packs (store);

  for (unsigned i = 0; i < g_list_model_get_n_items (packs); i++)
    {
      g_autoptr(QoimaPack) pack = g_list_model_get_item (packs, i);
      QoimaLocation *location = qoima_pack_get_location (pack);
      QoimaPackStatus status = qoima_pack_get_status (pack);

      if (location != NULL && qoima_location_get_id (location) == qoima_user_get_ward_id (nurse) &&
          (status == QOIMA_PACK_STATUS_IN_STOCK || status == QOIMA_PACK_STATUS_OPENED) &&
          qoima_pack_get_units_left (pack) > 0)
        return g_steal_pointer (&pack);
    }

  return qoima_test_first_pack_in_stock (store);
}

static void
test_scan_into_patient_field (gconstpointer data)
{
  const char *layout = data;
  const char *options[] = { "--gs", "ctrl", NULL };
  g_autoptr(QoimaPack) pack = NULL;
  QoimaUsePage *page;
  GtkEditable *patient;
  gboolean handled = FALSE;
  gulong handler;

  if (!require_x11 ())
    return;

  pack = pack_in_nurse_ward ();
  set_layout (layout);

  /* Half an IIN typed by hand, then the pack is scanned: the scan is the pack's, and the
   * field keeps what the nurse typed, nothing more. */
  patient = focus_patient_field ("850715");
  page = qoima_window_get_use_page (window);
  handler = g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_flag_cb), &handled);
  type_with_xtest (options, qoima_pack_get_km (pack));
  qoima_test_wait_until (qoima_test_flag_is_set, &handled, 60);
  g_signal_handler_disconnect (window, handler);
  qoima_test_wait_until (use_page_is_idle, page, 30);

  g_assert_nonnull (qoima_use_page_get_pack (page));
  g_assert_cmpstr (qoima_pack_get_ki (qoima_use_page_get_pack (page)), ==, qoima_pack_get_ki (pack));
  g_assert_null (strstr (qoima_use_page_get_message (page) ? qoima_use_page_get_message (page) : "",
                         "marking code"));
  g_assert_cmpstr (gtk_editable_get_text (patient), ==, "850715");
  g_assert_cmpint (qoima_scan_result_get_state (qoima_window_get_scan_result (window)), !=,
                   QOIMA_SCAN_RESULT_STATE_INVALID);

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  if (g_str_equal (layout, "ru"))
    qoima_test_save_screenshot (GTK_WIDGET (window), "test-scanner-xtest-patient-scan.png");
}

static void
focus_window (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  Display *xdisplay = gdk_x11_display_get_xdisplay (display);

  /* Xvfb runs no window manager: hand the window the keyboard focus ourselves. */
  XSetInputFocus (xdisplay, gdk_x11_surface_get_xid (surface), RevertToParent, CurrentTime);
  XSync (xdisplay, False);
  qoima_test_wait_until (window_is_active, window, 20);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *db_path = NULL;
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  qoima_test_prepare_display ();

  g_test_add_data_func ("/ui/scanner-xtest/layout-us", "us", test_scan_layout);
  g_test_add_data_func ("/ui/scanner-xtest/layout-ru", "ru", test_scan_layout);
  g_test_add_data_func ("/ui/scanner-xtest/layout-kz", "kz", test_scan_layout);
  g_test_add_func ("/ui/scanner-xtest/gs-as-f8", test_scan_gs_as_f8);
  g_test_add_func ("/ui/scanner-xtest/slow-typing-is-not-a-scan", test_slow_typing_is_not_a_scan);
  g_test_add_data_func ("/ui/scanner-xtest/patient-field/typing-us", "us", test_patient_field_typing);
  g_test_add_data_func ("/ui/scanner-xtest/patient-field/typing-ru", "ru", test_patient_field_typing);
  g_test_add_data_func ("/ui/scanner-xtest/patient-field/typing-kz", "kz", test_patient_field_typing);
  g_test_add_data_func ("/ui/scanner-xtest/patient-field/scan-us", "us", test_scan_into_patient_field);
  g_test_add_data_func ("/ui/scanner-xtest/patient-field/scan-kz", "kz", test_scan_into_patient_field);
  g_test_add_data_func ("/ui/scanner-xtest/patient-field/scan-ru", "ru", test_scan_into_patient_field);

  xtest_type = g_getenv ("QOIMA_XTEST_TYPE");

  if (GDK_IS_X11_DISPLAY (gdk_display_get_default ()) && xtest_type != NULL)
    {
      tmp_dir = qoima_test_make_tmp_dir ();
      db_path = g_build_filename (tmp_dir, "qoima.db", NULL);
      store = qoima_test_open_demo_store (db_path, DEMO_PACKS);
      settings = g_settings_new (BASE_APP_ID);
      context = qoima_context_new (store, settings);
      qoima_test_add_demo_users (store);
      {
        g_autoptr(QoimaUser) clerk = qoima_test_find_user (store, "clerk");

        qoima_context_set_user (context, clerk);
      }

      window = g_object_ref (qoima_window_new (NULL, context));
      gtk_window_present (GTK_WINDOW (window));
      qoima_test_wait_until (stock_is_loaded, qoima_window_get_stock_page (window), 30);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      focus_window ();
    }

  ret = g_test_run ();

  if (window != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (window));
      g_assert_finalize_object (window);
    }
  g_clear_object (&context);
  g_clear_object (&settings);
  if (store != NULL)
    qoima_store_close (store);
  g_clear_object (&store);
  qoima_test_remove_tree (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);

  return ret;
}
