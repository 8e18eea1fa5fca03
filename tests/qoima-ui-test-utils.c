/* qoima-ui-test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-ui-test-utils.h"

#include "qoima-demo.h"
#include "qoima-json.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-keymap.h"
#include "qoima-sign-dialog.h"
#include "qoima-store-users.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/wait.h>
#include <sqlite3.h>

void
qoima_test_prepare_display (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  gtk_css_provider_load_from_resource (provider, RESOURCE_BASE "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

gboolean
qoima_test_activate_shortcut (GtkWidget  *widget,
                              const char *accelerator)
{
  g_autoptr(GtkShortcutTrigger) trigger = gtk_shortcut_trigger_parse_string (accelerator);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  g_assert_nonnull (trigger);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger))
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                                 gtk_shortcut_get_arguments (shortcut));
        }
    }
  return FALSE;
}

typedef struct {
  GAsyncResult *result;
} AsyncWait;

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncWait *wait = user_data;

  wait->result = g_object_ref (result);
}

static gboolean
async_is_done (gpointer data)
{
  return ((AsyncWait *) data)->result != NULL;
}

static QoimaStore *
open_demo_store (const char *path,
                 int         n_packs,
                 guint32     seed)
{
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { NULL };
  QoimaStore *store;

  qoima_store_open_async (path, NULL, async_done_cb, &wait);
  qoima_test_wait_until (async_is_done, &wait, 60);
  store = qoima_store_open_finish (wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  qoima_demo_fill_async (store, n_packs, seed, NULL, async_done_cb, &wait);
  qoima_test_wait_until (async_is_done, &wait, 120);
  qoima_demo_fill_finish (store, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  return store;
}

QoimaStore *
qoima_test_open_demo_store (const char *path,
                            int         n_packs)
{
  return open_demo_store (path, n_packs, 42);
}

QoimaStore *
qoima_test_open_demo_world_store (const char *path)
{
  return open_demo_store (path, QOIMA_DEMO_DEFAULT_PACKS, QOIMA_DEMO_SEED);
}

void
qoima_test_add_demo_users (QoimaStore *store)
{
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { NULL };

  qoima_demo_add_users_async (store, NULL, async_done_cb, &wait);
  qoima_test_wait_until (async_is_done, &wait, 60);
  qoima_demo_add_users_finish (store, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
}

QoimaUser *
qoima_test_find_user (QoimaStore *store,
                      const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) users = NULL;
  AsyncWait wait = { NULL };

  qoima_store_list_users_async (store, NULL, async_done_cb, &wait);
  qoima_test_wait_until (async_is_done, &wait, 60);
  users = qoima_store_list_users_finish (store, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  for (unsigned i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(QoimaUser) user = g_list_model_get_item (users, i);

      if (g_strcmp0 (qoima_user_get_name (user), name) == 0)
        return g_steal_pointer (&user);
    }

  g_error ("No user named %s", name);
  return NULL;
}

QoimaUser *
qoima_test_set_signing (QoimaStore *store,
                        QoimaUser  *admin,
                        const char *name,
                        const char *iin,
                        gboolean    may_sign)
{
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { NULL };
  QoimaUser *user;

  qoima_store_set_user_signing_async (store, admin, name, iin, may_sign, NULL, async_done_cb, &wait);
  qoima_test_wait_until (async_is_done, &wait, 60);
  g_assert_true (qoima_store_set_user_signing_finish (store, wait.result, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  qoima_store_get_user_async (store, name, NULL, NULL, async_done_cb, &wait);
  qoima_test_wait_until (async_is_done, &wait, 60);
  user = qoima_store_get_user_finish (store, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  return user;
}

GtkWindow *
qoima_test_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WINDOW (window);
    }
  return NULL;
}

GListModel *
qoima_test_list_packs (QoimaStore *store)
{
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { NULL };
  GListModel *model;

  qoima_store_list_packs_async (store, NULL, async_done_cb, &wait);
  qoima_test_wait_until (async_is_done, &wait, 60);
  model = qoima_store_list_packs_finish (store, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  return model;
}

GListModel *
qoima_test_list_stock (QoimaStore *store)
{
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { NULL };
  GListModel *model;

  qoima_store_list_stock_async (store, NULL, async_done_cb, &wait);
  qoima_test_wait_until (async_is_done, &wait, 60);
  model = qoima_store_list_stock_finish (store, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  return model;
}

QoimaPack *
qoima_test_first_pack_in_stock (QoimaStore *store)
{
  g_autoptr(GListModel) packs = qoima_test_list_packs (store);
  unsigned n_items = g_list_model_get_n_items (packs);

  for (unsigned i = 0; i < n_items; i++)
    {
      g_autoptr(QoimaPack) pack = g_list_model_get_item (packs, i);
      QoimaPackStatus status = qoima_pack_get_status (pack);

      if ((status == QOIMA_PACK_STATUS_IN_STOCK || status == QOIMA_PACK_STATUS_OPENED) &&
          qoima_pack_get_km (pack) != NULL)
        return g_steal_pointer (&pack);
    }

  g_assert_not_reached ();
  return NULL;
}

gint64
qoima_test_count_scans (const char *db_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM scans", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return count;
}

/* The US key positions a scanner types on: the inverse of qoima_keymap_us_char(). */
static const struct {
  unsigned keycode;
  char plain;
  char shifted;
} us_keys[] = {
  { 10, '1', '!' }, { 11, '2', '@' }, { 12, '3', '#' }, { 13, '4', '$' }, { 14, '5', '%' },
  { 15, '6', '^' }, { 16, '7', '&' }, { 17, '8', '*' }, { 18, '9', '(' }, { 19, '0', ')' },
  { 20, '-', '_' }, { 21, '=', '+' },
  { 24, 'q', 'Q' }, { 25, 'w', 'W' }, { 26, 'e', 'E' }, { 27, 'r', 'R' }, { 28, 't', 'T' },
  { 29, 'y', 'Y' }, { 30, 'u', 'U' }, { 31, 'i', 'I' }, { 32, 'o', 'O' }, { 33, 'p', 'P' },
  { 34, '[', '{' }, { 35, ']', '}' },
  { 38, 'a', 'A' }, { 39, 's', 'S' }, { 40, 'd', 'D' }, { 41, 'f', 'F' }, { 42, 'g', 'G' },
  { 43, 'h', 'H' }, { 44, 'j', 'J' }, { 45, 'k', 'K' }, { 46, 'l', 'L' }, { 47, ';', ':' },
  { 48, '\'', '"' }, { 49, '`', '~' }, { 51, '\\', '|' },
  { 52, 'z', 'Z' }, { 53, 'x', 'X' }, { 54, 'c', 'C' }, { 55, 'v', 'V' }, { 56, 'b', 'B' },
  { 57, 'n', 'N' }, { 58, 'm', 'M' }, { 59, ',', '<' }, { 60, '.', '>' }, { 61, '/', '?' },
  { 65, ' ', ' ' },
};

void
qoima_test_type_into_reader (QoimaScanReader *reader,
                             const char      *text,
                             gboolean         gs_as_f8,
                             guint32         *time_ms,
                             unsigned         step_ms)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      unsigned keycode = 0;
      QoimaKeyMods mods = QOIMA_KEY_MOD_NONE;

      if (*p == '\x1d')
        {
          keycode = gs_as_f8 ? QOIMA_KEYCODE_F8 : QOIMA_KEYCODE_BRACKETRIGHT;
          mods = gs_as_f8 ? QOIMA_KEY_MOD_NONE : QOIMA_KEY_MOD_CONTROL;
        }
      else
        {
          for (gsize i = 0; i < G_N_ELEMENTS (us_keys); i++)
            {
              if (us_keys[i].plain == *p || us_keys[i].shifted == *p)
                {
                  keycode = us_keys[i].keycode;
                  if (us_keys[i].plain != *p)
                    mods = QOIMA_KEY_MOD_SHIFT;
                  break;
                }
            }
        }
      g_assert_cmpuint (keycode, !=, 0);

      *time_ms += step_ms;
      qoima_scan_reader_key_pressed (reader, keycode, mods, *time_ms);
    }

  *time_ms += step_ms;
  qoima_scan_reader_key_pressed (reader, QOIMA_KEYCODE_RETURN, QOIMA_KEY_MOD_NONE, *time_ms);
}

/* The scanner's clock, shared by every window of the test: it only moves on. */
static guint32 key_time = 1000;

void
qoima_test_scan (QoimaWindow *window,
                 const char  *text)
{
  gboolean handled = FALSE;
  gulong handler = g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_flag_cb), &handled);

  /* A pause longer than the reader's max-gap-ms first, so that a new burst starts. */
  key_time += 10000;
  qoima_test_type_into_reader (qoima_window_get_scan_reader (window), text, FALSE, &key_time, 8);
  qoima_test_wait_until (qoima_test_flag_is_set, &handled, 30);
  g_signal_handler_disconnect (window, handler);
}

gboolean
qoima_test_use_page_is_idle (gpointer data)
{
  return !qoima_use_page_get_busy (QOIMA_USE_PAGE (data));
}

void
qoima_test_log_use (QoimaUsePage *page,
                    const char   *patient,
                    int           units,
                    gboolean      refused)
{
  gtk_editable_set_text (GTK_EDITABLE (qoima_use_page_get_patient_entry (page)), patient);
  gtk_spin_button_set_value (qoima_use_page_get_units_spin (page), units);
  /* What Enter does: entries have no activate signal for gtk_widget_activate(). */
  g_signal_emit_by_name (qoima_use_page_get_patient_entry (page), "activate");
  g_assert_true (qoima_use_page_get_busy (page));
  qoima_test_wait_until (qoima_test_use_page_is_idle, page, 30);
  g_assert_cmpint (qoima_use_page_get_refused (page), ==, refused);
}

typedef struct {
  QoimaWithdrawalsPage *page;
  const char           *ki;
  const char           *status;
} StatusWait;

static gboolean
withdrawal_status_is (gpointer data)
{
  StatusWait *wait = data;

  return !qoima_withdrawals_page_get_busy (wait->page) &&
         g_strcmp0 (qoima_withdrawals_page_get_status (wait->page, wait->ki), wait->status) == 0;
}

void
qoima_test_wait_for_withdrawal_status (QoimaWithdrawalsPage *page,
                                       const char           *ki,
                                       const char           *status,
                                       unsigned              timeout_s)
{
  StatusWait wait = { page, ki, status };

  qoima_test_wait_until (withdrawal_status_is, &wait, timeout_s);
}

gboolean
qoima_test_sign_dialog_shown (gpointer data)
{
  return qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG) != NULL;
}

void
qoima_test_image_read_cb (QoimaWindow        *window,
                          gboolean            found,
                          QoimaTestImageSeen *seen)
{
  seen->read = TRUE;
  seen->found = found;
}

void
qoima_test_scan_handled_cb (QoimaWindow        *window,
                            QoimaTestImageSeen *seen)
{
  seen->handled = TRUE;
}

void
qoima_test_save_screenshot (GtkWidget  *widget,
                            const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  const char *dir;
  GskRenderer *renderer;
  int width, height;

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);
  /* A widget waiting for its allocation draws nothing; a busy machine may queue a resize
   * between the last frame and this one, so a few frames are allowed. */
  for (int attempt = 0; node == NULL && attempt < 10; attempt++)
    {
      if (attempt > 0)
        gtk_test_widget_wait_for_draw (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));

  dir = g_getenv ("G_TEST_BUILDDIR");
  path = g_build_filename (dir != NULL ? dir : ".", name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s (%d×%d, %s)", path, width, height, G_OBJECT_TYPE_NAME (renderer));
}

static const char *
pki_dir (void)
{
  const char *dir = g_getenv ("QOIMA_PKI_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static void
stand_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
stand_result_is_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

QoimaSigner *
qoima_test_load_key (const char *name)
{
  g_autofree char *path = g_build_filename (pki_dir (), name, NULL);
  g_autofree char *password_path = g_build_filename (pki_dir (), "password.txt", NULL);
  g_autofree char *password = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaSignerPkcs12 *signer;

  g_assert_true (g_file_get_contents (password_path, &password, NULL, &error));
  g_assert_no_error (error);
  g_strchomp (password);

  qoima_signer_pkcs12_load_async (file, password, NULL, stand_result_cb, &result);
  qoima_test_wait_until (stand_result_is_set, &result, 30);
  signer = qoima_signer_pkcs12_load_finish (result, &error);
  g_assert_no_error (error);
  return QOIMA_SIGNER (signer);
}

/* A test that dies (a failed assertion) takes its stand with it, or the stand would keep
 * the test's output open and meson would wait for its timeout. */
static void
stand_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
stand_start (QoimaTestStand *stand,
             const char     *db_path,
             gboolean        demo_world)
{
  g_autofree char *ca = g_build_filename (pki_dir (), "ca.pem", NULL);
  const char *argv[] = {
    g_getenv ("QOIMA_STAND"), "--port", "0", "--db", db_path, "--ca", ca,
    "--processing-delay-ms", "30", demo_world ? NULL : "--no-demo", NULL,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  g_autofree char *line = NULL;
  g_autofree char *token_path = NULL;
  int out_fd;

  g_assert_nonnull (argv[0]);
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           stand_child_setup, NULL, &stand->pid, NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);

  /* The first line is the True API base; blocking on it is fine before any window exists. */
  channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  g_assert_cmpint (g_io_channel_read_line (channel, &line, NULL, NULL, &error), ==, G_IO_STATUS_NORMAL);
  g_strchomp (line);
  g_assert_true (g_str_has_prefix (line, "http://127.0.0.1:"));
  stand->base_url = g_steal_pointer (&line);
  stand->host_url = g_strndup (stand->base_url, strstr (stand->base_url, "/api/") - stand->base_url);
  /* The token file is written before the first line. */
  token_path = g_strconcat (db_path, ".admin-token", NULL);
  g_assert_true (g_file_get_contents (token_path, &stand->admin_token, NULL, &error));
  g_assert_no_error (error);
  g_strchomp (stand->admin_token);
}

void
qoima_test_stand_start (QoimaTestStand *stand,
                        const char     *db_path)
{
  stand_start (stand, db_path, FALSE);
}

void
qoima_test_stand_start_demo_world (QoimaTestStand *stand,
                                   const char     *db_path)
{
  stand_start (stand, db_path, TRUE);
}

void
qoima_test_stand_stop (QoimaTestStand *stand)
{
  kill (stand->pid, SIGTERM);
  waitpid (stand->pid, NULL, 0);
  g_spawn_close_pid (stand->pid);
  g_clear_pointer (&stand->base_url, g_free);
  g_clear_pointer (&stand->host_url, g_free);
  g_clear_pointer (&stand->admin_token, g_free);
}

JsonNode *
qoima_test_stand_admin (QoimaTestStand *stand,
                        const char     *method,
                        const char     *path,
                        const char     *body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/stand/%s", stand->host_url, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  soup_message_headers_append (soup_message_get_request_headers (msg), "X-Stand-Token", stand->admin_token);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  node = qoima_json_parse_bytes (answer, &error);
  g_assert_no_error (error);
  return node;
}

gboolean
qoima_test_find_text (GtkWidget  *root,
                      const char *needle)
{
  if (!gtk_widget_get_visible (root))
    return FALSE;
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), needle) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (qoima_test_find_text (child, needle))
      return TRUE;
  return FALSE;
}

GtkWidget *
qoima_test_find_button (GtkWidget  *root,
                        const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = qoima_test_find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}
