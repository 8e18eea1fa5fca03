/* test-withdrawals-page.c: the Withdrawals page against the project's stand
 *
 * A pack received through an accepted act is used up by a nurse; the chief signs its
 * withdrawal on the page; the stand shows the code retired.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-act.h"
#include "qoima-context.h"
#include "qoima-demo.h"
#include "qoima-json.h"
#include "qoima-ledger.h"
#include "qoima-location.h"
#include "qoima-pack.h"
#include "qoima-product.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-sync.h"
#include "qoima-ui-test-utils.h"
#include "qoima-user.h"
#include "qoima-window.h"
#include "qoima-withdrawals-page.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#define HOSPITAL_BIN "990340001230"
#define SK_PHARMACIA_BIN "080140005672"

typedef struct {
  GPid   pid;
  char  *base_url;
  char  *host_url;
} Stand;

static const char *
pki_dir (void)
{
  const char *dir = g_getenv ("QOIMA_PKI_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static char *
pki_password (void)
{
  g_autofree char *path = g_build_filename (pki_dir (), "password.txt", NULL);
  g_autoptr(GError) error = NULL;
  char *password = NULL;

  g_assert_true (g_file_get_contents (path, &password, NULL, &error));
  g_assert_no_error (error);
  return g_strchomp (password);
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_is_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static QoimaSigner *
load_key (const char *name)
{
  g_autofree char *path = g_build_filename (pki_dir (), name, NULL);
  g_autofree char *password = pki_password ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaSignerPkcs12 *signer;

  qoima_signer_pkcs12_load_async (file, password, NULL, result_cb, &result);
  qoima_test_wait_until (result_is_set, &result, 30);
  signer = qoima_signer_pkcs12_load_finish (result, &error);
  g_assert_no_error (error);
  return QOIMA_SIGNER (signer);
}

static void
start_stand (Stand      *stand,
             const char *db)
{
  g_autofree char *ca = g_build_filename (pki_dir (), "ca.pem", NULL);
  const char *argv[] = {
    g_getenv ("QOIMA_STAND"), "--port", "0", "--db", db, "--ca", ca,
    "--processing-delay-ms", "30", "--no-demo", NULL,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  g_autofree char *line = NULL;
  int out_fd;

  g_assert_nonnull (argv[0]);
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &stand->pid, NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);

  /* The first line is the True API base; blocking on it is fine before the window exists. */
  channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  g_assert_cmpint (g_io_channel_read_line (channel, &line, NULL, NULL, &error), ==, G_IO_STATUS_NORMAL);
  g_strchomp (line);
  g_assert_true (g_str_has_prefix (line, "http://127.0.0.1:"));
  stand->base_url = g_steal_pointer (&line);
  stand->host_url = g_strndup (stand->base_url, strstr (stand->base_url, "/api/") - stand->base_url);
}

static void
stop_stand (Stand *stand)
{
  kill (stand->pid, SIGTERM);
  waitpid (stand->pid, NULL, 0);
  g_spawn_close_pid (stand->pid);
  g_free (stand->base_url);
  g_free (stand->host_url);
}

static JsonNode *
admin_call (Stand      *stand,
            const char *method,
            const char *path,
            const char *body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/stand/%s", stand->host_url, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

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

static QoimaUser *
add_user (QoimaStore *store,
          QoimaUser  *acting,
          const char *name,
          QoimaRole   role,
          gint64      ward_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_add_user_async (store, acting, name, NULL, role, ward_id, "Secret-pass-1", NULL, result_cb, &result);
  qoima_test_wait_until (result_is_set, &result, 30);
  user = qoima_store_add_user_finish (store, result, &error);
  g_assert_no_error (error);
  return user;
}

typedef struct {
  QoimaWithdrawalsPage *page;
  const char *ki;
  const char *status;
} StatusWait;

static gboolean
status_is (gpointer data)
{
  StatusWait *wait = data;

  return !qoima_withdrawals_page_get_busy (wait->page) &&
         g_strcmp0 (qoima_withdrawals_page_get_status (wait->page, wait->ki), wait->status) == 0;
}

static void
test_owed_pack_signed (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *stand_db = g_build_filename (tmp, "stand.db", NULL);
  g_autofree char *catalog = NULL;
  g_autofree char *body = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autoptr(QoimaSigner) auth = NULL;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(GPtrArray) products = qoima_demo_products ();
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) code = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  g_autoptr(GListModel) acts = NULL;
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(QoimaLocation) ward = NULL;
  g_autoptr(QoimaPack) pack = NULL;
  g_autoptr(GError) error = NULL;
  const char *kis[2] = { NULL, NULL };
  const char *ki;
  QoimaWindow *window;
  QoimaWithdrawalsPage *page;
  StatusWait wait;
  Stand stand = { 0 };

  start_stand (&stand, stand_db);
  store = qoima_test_open_demo_store (db_path, 10);
  body = g_strdup_printf ("{\"sender\":\"" SK_PHARMACIA_BIN "\",\"receiver\":\"" HOSPITAL_BIN "\",\"box_size\":0,"
                          "\"lines\":[{\"gtin\":\"%s\",\"packs\":1},{\"gtin\":\"%s\",\"packs\":1}]}",
                          qoima_product_get_gtin (g_ptr_array_index (products, 0)),
                          qoima_product_get_gtin (g_ptr_array_index (products, 1)));
  created = admin_call (&stand, "POST", "acts", body);
  ki = qoima_json_array_get_string (qoima_json_get_array (json_node_get_object (created), "codes"), 0);
  kis[0] = ki;

  catalog = g_strdup_printf ("%s/gwp", stand.host_url);
  client = qoima_ismpt_client_new (stand.base_url, NULL);
  qoima_ismpt_client_set_catalog (client, catalog, "qoima-stand-api-key");
  auth = load_key ("auth.p12");
  signer = load_key ("sign.p12");
  qoima_ismpt_client_set_auth_signer (client, auth);
  sync = qoima_sync_new (store, client);
  qoima_sync_set_poll (sync, 20, 10000);

  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN, 0);
  chief = add_user (store, admin, "chief", QOIMA_ROLE_CHIEF, 0);
  clerk = add_user (store, admin, "aigul", QOIMA_ROLE_CLERK, 0);

  /* The act is accepted, so ИС МПТ knows the packs as the hospital's. */
  {
    g_autoptr(GAsyncResult) pulled = NULL;
    g_autoptr(GAsyncResult) listed = NULL;
    g_autoptr(GAsyncResult) answered = NULL;
    g_autoptr(GAsyncResult) pushed = NULL;

    qoima_sync_pull_async (sync, NULL, result_cb, &pulled);
    qoima_test_wait_until (result_is_set, &pulled, 60);
    g_assert_cmpint (qoima_sync_pull_finish (sync, pulled, &error), ==, 1);
    qoima_store_list_acts_async (store, NULL, result_cb, &listed);
    qoima_test_wait_until (result_is_set, &listed, 30);
    acts = qoima_store_list_acts_finish (store, listed, &error);
    act = g_list_model_get_item (acts, 0);
    qoima_sync_answer_act_async (sync, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL, signer, chief, NULL,
                                 result_cb, &answered);
    qoima_test_wait_until (result_is_set, &answered, 30);
    g_assert_cmpint (qoima_sync_answer_act_finish (sync, answered, &error), >, 0);
    qoima_sync_push_async (sync, NULL, result_cb, &pushed);
    qoima_test_wait_until (result_is_set, &pushed, 60);
    g_assert_true (qoima_sync_push_finish (sync, pushed, &error));
    g_assert_no_error (error);
  }

  /* To a ward, and used up by its nurse: the withdrawal is owed. */
  {
    g_autoptr(GAsyncResult) listed = NULL;
    g_autoptr(GAsyncResult) moved = NULL;
    g_autoptr(GAsyncResult) found = NULL;
    int units;

    qoima_store_list_locations_async (store, NULL, result_cb, &listed);
    qoima_test_wait_until (result_is_set, &listed, 30);
    locations = qoima_store_list_locations_finish (store, listed, &error);
    ward = g_list_model_get_item (locations, 1);
    nurse = add_user (store, admin, "dana", QOIMA_ROLE_NURSE, qoima_location_get_id (ward));
    qoima_store_transfer_packs_async (store, clerk, kis, qoima_location_get_id (ward), NULL, result_cb, &moved);
    qoima_test_wait_until (result_is_set, &moved, 30);
    g_assert_cmpint (qoima_store_transfer_packs_finish (store, moved, NULL, &error), ==, 1);
    qoima_store_find_pack_async (store, ki, NULL, result_cb, &found);
    qoima_test_wait_until (result_is_set, &found, 30);
    pack = qoima_store_find_pack_finish (store, found, &error);
    units = qoima_pack_get_units_left (pack);
    for (int i = 0; i < units; i++)
      {
        g_autoptr(GAsyncResult) used = NULL;
        g_autoptr(QoimaUseResult) use = NULL;

        qoima_store_use_units_async (store, nurse, ki, "MK2041", 1, NULL, result_cb, &used);
        qoima_test_wait_until (result_is_set, &used, 30);
        use = qoima_store_use_units_finish (store, used, &error);
        g_assert_no_error (error);
      }
  }

  /* The chief's window, with the signing key already opened this session. */
  context = qoima_context_new (store, settings);
  qoima_context_set_auth_signer (context, auth);
  qoima_context_set_ismpt (context, client, sync);
  qoima_context_set_signer (context, signer);
  qoima_context_set_user (context, chief);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  page = qoima_window_get_withdrawals_page (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-withdrawals", NULL);

  wait.page = page;
  wait.ki = ki;
  wait.status = "owed";
  qoima_test_wait_until (status_is, &wait, 30);
  g_assert_cmpuint (qoima_withdrawals_page_get_n_owed (page), ==, 1);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-withdrawals-owed.png");

  gtk_widget_activate_action (GTK_WIDGET (page), "withdrawals.sign", NULL);
  wait.status = "done";
  qoima_test_wait_until (status_is, &wait, 60);
  g_assert_null (qoima_withdrawals_page_get_error (page));
  g_assert_cmpuint (qoima_withdrawals_page_get_n_owed (page), ==, 0);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-withdrawals-signed.png");

  /* The stand retired the code. */
  {
    g_autofree char *escaped = g_uri_escape_string (ki, NULL, FALSE);
    g_autofree char *path = g_strdup_printf ("codes/%s", escaped);

    code = admin_call (&stand, "GET", path, NULL);
  }
  g_assert_cmpstr (qoima_json_get_string (json_node_get_object (code), "status"), ==, "RETIRED");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&context);
  g_clear_object (&sync);
  g_clear_object (&client);
  qoima_store_close (store);
  stop_stand (&stand);
  qoima_test_remove_tree (tmp);
}

static void
test_instantiate (void)
{
  QoimaWithdrawalsPage *page = g_object_ref_sink (g_object_new (QOIMA_TYPE_WITHDRAWALS_PAGE, NULL));

  g_assert_cmpuint (qoima_withdrawals_page_get_n_owed (page), ==, 0);
  g_assert_finalize_object (page);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();

  g_test_add_func ("/ui/withdrawals/instantiate", test_instantiate);
  g_test_add_func ("/ui/withdrawals/rules/R000-9/owed-pack-signed", test_owed_pack_signed);

  return g_test_run ();
}
