/* test-flow.c: issue 4's "done when", in one window against the project's stand
 *
 * A pack comes in through an act the chief accepted. Then, each user signing in at the same
 * window with her PIN: the clerk moves the pack to a ward on the Move page; the nurse of that
 * ward logs its tablets for two patients on the Use page until it is used up, and cannot
 * accept an act; the chief signs the owed withdrawal on the Withdrawals page. The stand shows
 * the code withdrawn, exactly once, and the audit trail verifies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-act.h"
#include "qoima-store-acts.h"
#include "qoima-store-audit.h"
#include "qoima-context.h"
#include "qoima-demo.h"
#include "qoima-json.h"
#include "qoima-location.h"
#include "qoima-pack.h"
#include "qoima-sign-dialog.h"
#include "qoima-sync.h"
#include "qoima-transfer.h"
#include "qoima-ui-test-utils.h"
#include "qoima-user.h"
#include "qoima-window-private.h"

#include <string.h>

#define HOSPITAL_BIN "990340001230"
#define SK_PHARMACIA_BIN "080140005672"
/* Парацетамол 500 мг: 20 tablets a pack (the demo catalog). */
#define PARACETAMOL_GTIN "04870101000010"
#define UNITS_PER_PACK 20
#define IIN_A "850715400238"
#define RECORD_B "ИБ202417"

static gboolean
sign_in_is_idle (gpointer data)
{
  return !qoima_sign_in_get_busy (QOIMA_SIGN_IN (data));
}

/* Switch User, then the user picked from the list, her PIN typed and Enter pressed. */
static void
sign_in_as (QoimaWindow *window,
            const char  *name,
            const char  *pin)
{
  QoimaSignIn *sign_in = qoima_window_get_sign_in (window);
  QoimaContext *context = qoima_window_get_context (window);
  GListModel *users;
  g_autoptr(QoimaUser) chosen = NULL;

  if (qoima_context_get_user (context) != NULL)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.switch-user", NULL));
  g_assert_null (qoima_context_get_user (context));
  qoima_test_wait_until (sign_in_is_idle, sign_in, 30);

  users = qoima_sign_in_get_users (sign_in);
  for (guint i = 0; i < g_list_model_get_n_items (users) && chosen == NULL; i++)
    {
      g_autoptr(QoimaUser) user = g_list_model_get_item (users, i);

      if (g_str_equal (qoima_user_get_name (user), name))
        chosen = g_steal_pointer (&user);
    }
  g_assert_nonnull (chosen);

  qoima_sign_in_choose_user (sign_in, chosen);
  gtk_editable_set_text (qoima_sign_in_get_secret_entry (sign_in), pin);
  g_signal_emit_by_name (qoima_sign_in_get_secret_entry (sign_in), "activate");
  qoima_test_wait_until (sign_in_is_idle, sign_in, 30);
  g_assert_nonnull (qoima_context_get_user (context));
  g_assert_cmpstr (qoima_user_get_name (qoima_context_get_user (context)), ==, name);
}

static gboolean
page_visible (QoimaWindow *window,
              const char  *name)
{
  AdwViewStack *stack = ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (qoima_window_get_stock_page (window)),
                                                                 ADW_TYPE_VIEW_STACK));

  return adw_view_stack_page_get_visible (adw_view_stack_get_page (stack, adw_view_stack_get_child_by_name (stack, name)));
}

static void
screenshot (QoimaWindow *window,
            const char  *name)
{
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), name);
}

static GListModel *
list_acts (QoimaStore *store)
{
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *acts;

  qoima_store_list_acts_async (store, NULL, qoima_test_result_cb, &listed);
  qoima_test_wait_until (qoima_test_result_is_set, &listed, 30);
  acts = qoima_store_list_acts_finish (store, listed, &error);
  g_assert_no_error (error);
  return acts;
}

static void
test_done_when (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *stand_db = g_build_filename (tmp, "stand.db", NULL);
  g_autofree char *catalog = NULL;
  g_autofree char *ki = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autoptr(QoimaSigner) auth = NULL;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  g_autoptr(QoimaPack) pack = NULL;
  g_autoptr(GListModel) acts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  QoimaTestStand stand = { 0 };
  QoimaWindow *window;
  gint64 ward;
  gint64 pending_act = 0;

  qoima_test_stand_start (&stand, stand_db);
  store = qoima_test_open_demo_store (db_path, 10);
  qoima_test_add_demo_users (store);
  chief = qoima_test_find_user (store, "chief");
  nurse = qoima_test_find_user (store, "nurse");
  ward = qoima_user_get_ward_id (nurse);
  g_assert_cmpint (ward, >, 0);

  /* Two acts from СК-Фармация: one pack of paracetamol, accepted; the other left waiting. */
  first = qoima_test_stand_admin (&stand, "POST", "acts",
                                  "{\"sender\":\"" SK_PHARMACIA_BIN "\",\"receiver\":\"" HOSPITAL_BIN "\","
                                  "\"box_size\":0,\"lines\":[{\"gtin\":\"" PARACETAMOL_GTIN "\",\"packs\":1}]}");
  ki = g_strdup (qoima_json_array_get_string (qoima_json_get_array (json_node_get_object (first), "codes"), 0));
  g_assert_nonnull (ki);
  second = qoima_test_stand_admin (&stand, "POST", "acts",
                                   "{\"sender\":\"" SK_PHARMACIA_BIN "\",\"receiver\":\"" HOSPITAL_BIN "\","
                                   "\"box_size\":0,\"lines\":[{\"gtin\":\"" PARACETAMOL_GTIN "\",\"packs\":2}]}");

  catalog = g_strdup_printf ("%s/gwp", stand.host_url);
  client = qoima_ismpt_client_new (stand.base_url, NULL);
  qoima_ismpt_client_set_catalog (client, catalog, "qoima-stand-api-key");
  auth = qoima_test_load_key ("auth.p12");
  signer = qoima_test_load_key ("sign.p12");
  qoima_ismpt_client_set_auth_signer (client, auth);
  sync = qoima_sync_new (store, client);
  qoima_sync_set_poll (sync, 20, 10000);

  /* The act is accepted (the Acts page's own test does this through the window). */
  {
    g_autoptr(GAsyncResult) pulled = NULL;
    g_autoptr(GAsyncResult) answered = NULL;
    g_autoptr(GAsyncResult) pushed = NULL;
    gint64 accepted_act = 0;

    qoima_sync_pull_async (sync, NULL, qoima_test_result_cb, &pulled);
    qoima_test_wait_until (qoima_test_result_is_set, &pulled, 60);
    g_assert_cmpint (qoima_sync_pull_finish (sync, pulled, &error), ==, 2);
    acts = list_acts (store);
    for (guint i = 0; i < g_list_model_get_n_items (acts); i++)
      {
        g_autoptr(QoimaAct) act = g_list_model_get_item (acts, i);

        if (qoima_act_get_packs (act) == 1)
          accepted_act = qoima_act_get_id (act);
        else
          pending_act = qoima_act_get_id (act);
      }
    g_assert_cmpint (accepted_act, >, 0);
    g_assert_cmpint (pending_act, >, 0);
    qoima_sync_answer_act_async (sync, accepted_act, QOIMA_ACCEPT_ALL, NULL, signer, chief, NULL,
                                 qoima_test_result_cb, &answered);
    qoima_test_wait_until (qoima_test_result_is_set, &answered, 30);
    g_assert_cmpint (qoima_sync_answer_act_finish (sync, answered, &error), >, 0);
    qoima_sync_push_async (sync, NULL, qoima_test_result_cb, &pushed);
    qoima_test_wait_until (qoima_test_result_is_set, &pushed, 60);
    g_assert_true (qoima_sync_push_finish (sync, pushed, &error));
    g_assert_no_error (error);
  }
  pack = qoima_test_find_pack (store, ki);
  g_assert_cmpint (qoima_location_get_kind (qoima_pack_get_location (pack)), ==, QOIMA_LOCATION_KIND_WAREHOUSE);
  g_assert_cmpint (qoima_pack_get_units_left (pack), ==, UNITS_PER_PACK);

  /* One window on the shared PC; nobody signed in yet. */
  context = qoima_context_new (store, settings);
  qoima_context_set_auth_signer (context, auth);
  qoima_context_set_ismpt (context, client, sync);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));

  /* 1. The clerk moves the pack to the nurse's ward, by scanning it on the Move page. */
  sign_in_as (window, "clerk", "2222");
  g_assert_true (page_visible (window, "move"));
  g_assert_false (page_visible (window, "use"));
  g_assert_false (page_visible (window, "withdrawals"));
  {
    QoimaMovePage *page = qoima_window_get_move_page (window);
    gboolean moved = FALSE;
    QoimaTransfer *transfer;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page-move", NULL));
    g_signal_connect (page, "moved", G_CALLBACK (qoima_test_flag_cb), &moved);
    while (!qoima_move_page_set_ward (page, ward))
      g_main_context_iteration (NULL, TRUE);
    qoima_test_scan (window, qoima_pack_get_km (pack) != NULL ? qoima_pack_get_km (pack) : ki);
    g_assert_null (qoima_move_page_get_scan_message (page));
    g_assert_cmpuint (g_list_model_get_n_items (qoima_move_page_get_packs (page)), ==, 1);
    gtk_widget_activate_action (GTK_WIDGET (page), "move.move", NULL);
    qoima_test_wait_until (qoima_test_flag_is_set, &moved, 30);
    transfer = qoima_move_page_get_transfer (page);
    g_assert_nonnull (transfer);
    g_assert_cmpint (qoima_transfer_get_n_packs (transfer), ==, 1);
    g_assert_cmpstr (qoima_transfer_get_actor (transfer), ==, "clerk");
    screenshot (window, "test-flow-1-clerk-moved.png");
  }
  g_clear_object (&pack);
  pack = qoima_test_find_pack (store, ki);
  g_assert_cmpint (qoima_location_get_id (qoima_pack_get_location (pack)), ==, ward);

  /* 2. The nurse: no Acts page, and the core refuses her an acceptance anyway (R000-4). */
  sign_in_as (window, "nurse", "4444");
  g_assert_true (page_visible (window, "use"));
  g_assert_false (page_visible (window, "acts"));
  g_assert_false (page_visible (window, "move"));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (window), "win.page-acts", NULL) &&
                  page_visible (window, "acts"));
  {
    g_autoptr(GAsyncResult) answered = NULL;
    g_autoptr(GError) refused = NULL;

    qoima_sync_answer_act_async (sync, pending_act, QOIMA_ACCEPT_ALL, NULL, signer,
                                 qoima_context_get_user (context), NULL, qoima_test_result_cb, &answered);
    qoima_test_wait_until (qoima_test_result_is_set, &answered, 30);
    g_assert_cmpint (qoima_sync_answer_act_finish (sync, answered, &refused), ==, 0);
    g_assert_error (refused, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
    g_test_message ("nurse accepting an act: %s", refused->message);
  }

  /* She scans the pack and gives 12 tablets to one patient, 8 to another: used up. */
  {
    QoimaUsePage *page = qoima_window_get_use_page (window);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page-use", NULL));
    qoima_test_scan (window, qoima_pack_get_km (pack) != NULL ? qoima_pack_get_km (pack) : ki);
    qoima_test_wait_until (qoima_test_use_page_is_idle, page, 30);
    g_assert_nonnull (qoima_use_page_get_pack (page));
    g_assert_cmpint (qoima_use_page_get_units_left (page), ==, UNITS_PER_PACK);

    qoima_test_log_use (page, IIN_A, 12, FALSE);
    g_assert_cmpint (qoima_use_page_get_units_left (page), ==, UNITS_PER_PACK - 12);
    screenshot (window, "test-flow-2-nurse-first-patient.png");

    qoima_test_log_use (page, RECORD_B, UNITS_PER_PACK - 12, FALSE);
    g_assert_cmpint (qoima_use_page_get_units_left (page), ==, 0);
    g_assert_nonnull (strstr (qoima_use_page_get_message (page), "withdrawal"));
    screenshot (window, "test-flow-3-nurse-used-up.png");
  }
  g_clear_object (&pack);
  pack = qoima_test_find_pack (store, ki);
  g_assert_cmpint (qoima_pack_get_status (pack), ==, QOIMA_PACK_STATUS_USED_UP);

  /* 3. The chief signs the owed withdrawal (her key opened for the session, as the key
   * dialog does; its own test is in test-acts-page). */
  sign_in_as (window, "chief", "3333");
  g_assert_true (page_visible (window, "withdrawals"));
  g_assert_false (page_visible (window, "use"));
  qoima_context_set_signer (context, signer);
  {
    QoimaWithdrawalsPage *page = qoima_window_get_withdrawals_page (window);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page-withdrawals", NULL));
    qoima_test_wait_for_withdrawal_status (page, ki, "owed", 30);
    g_assert_cmpuint (qoima_withdrawals_page_get_n_owed (page), ==, 1);
    screenshot (window, "test-flow-4-chief-owed.png");
    gtk_widget_activate_action (GTK_WIDGET (page), "withdrawals.sign", NULL);
    /* What is signed, with her key (issue 8), and she confirms. */
    qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
    {
      QoimaSignDialog *dialog = QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG));
      g_autofree char *summary = qoima_sign_dialog_get_summary (dialog);

      g_assert_nonnull (strstr (summary, "IIN 850715400238"));
      qoima_sign_dialog_sign (dialog);
    }
    qoima_test_wait_for_withdrawal_status (page, ki, "done", 60);
    g_assert_null (qoima_withdrawals_page_get_error (page));
    screenshot (window, "test-flow-5-chief-signed.png");
  }
  g_clear_object (&pack);
  pack = qoima_test_find_pack (store, ki);
  g_assert_cmpint (qoima_pack_get_status (pack), ==, QOIMA_PACK_STATUS_WITHDRAWN);

  /* 4. The stand: the code retired, by exactly one withdrawal document. */
  {
    g_autofree char *escaped = g_uri_escape_string (ki, NULL, FALSE);
    g_autofree char *path = g_strdup_printf ("codes/%s", escaped);
    g_autoptr(JsonNode) code = qoima_test_stand_admin (&stand, "GET", path, NULL);
    g_autoptr(JsonNode) documents = qoima_test_stand_admin (&stand, "GET", "documents?type=LK_RECEIPT", NULL);
    JsonArray *list;

    g_assert_cmpstr (qoima_json_get_string (json_node_get_object (code), "status"), ==, "RETIRED");
    /* This world had no other withdrawal: one document, checked OK, carried it. */
    g_assert_true (JSON_NODE_HOLDS_ARRAY (documents));
    list = json_node_get_array (documents);
    g_assert_cmpuint (json_array_get_length (list), ==, 1);
    g_assert_cmpstr (qoima_json_get_string (json_array_get_object_element (list, 0), "status"), ==, "CHECKED_OK");
  }

  /* 5. The audit trail verifies. */
  {
    g_autoptr(GAsyncResult) verified = NULL;
    gint64 n_rows = 0, broken = -1;

    qoima_store_verify_audit_async (store, NULL, qoima_test_result_cb, &verified);
    qoima_test_wait_until (qoima_test_result_is_set, &verified, 60);
    g_assert_true (qoima_store_verify_audit_finish (store, verified, &n_rows, &broken, &error));
    g_assert_no_error (error);
    g_assert_cmpint (broken, ==, 0);
    g_assert_cmpint (n_rows, >, 0);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&context);
  g_clear_object (&sync);
  g_clear_object (&client);
  qoima_store_close (store);
  qoima_test_stand_stop (&stand);
  qoima_test_remove_tree (tmp);
}

/* A full pack of the demo warehouse in the first ward (qoima-demo.c, as the application fills
 * it), as an identification code. */
static char *
demo_pack_in_first_ward (void)
{
  g_autoptr(QoimaDemoPacks) packs = qoima_demo_packs_new (QOIMA_DEMO_SEED);

  for (int i = 0; i < QOIMA_DEMO_DEFAULT_PACKS; i++)
    {
      QoimaDemoPack pack;

      qoima_demo_packs_next (packs, &pack);
      if (pack.location == 1 && pack.units_left == -1)
        return g_strconcat ("01", pack.gtin, "21", pack.serial, NULL);
    }
  g_assert_not_reached ();
}

/* Issue 8's "done when": the demo warehouse and the local stand are one world, in the window.
 * The nurse uses up a pack of her ward's demo stock; the chief signs its withdrawal; the stand
 * retires the code as the hospital's. */
static void
test_demo_pack_withdrawn (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *stand_db = g_build_filename (tmp, "stand.db", NULL);
  g_autofree char *ki = demo_pack_in_first_ward ();
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autoptr(QoimaSigner) auth = NULL;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(QoimaPack) pack = NULL;
  QoimaTestStand stand = { 0 };
  QoimaWindow *window;

  qoima_test_stand_start_demo_world (&stand, stand_db);
  store = qoima_test_open_demo_world_store (db_path);
  qoima_test_add_demo_users (store);
  pack = qoima_test_find_pack (store, ki);
  g_assert_nonnull (pack);
  g_assert_cmpint (qoima_pack_get_status (pack), ==, QOIMA_PACK_STATUS_IN_STOCK);

  client = qoima_ismpt_client_new (stand.base_url, NULL);
  auth = qoima_test_load_key ("auth.p12");
  signer = qoima_test_load_key ("sign.p12");
  qoima_ismpt_client_set_auth_signer (client, auth);
  sync = qoima_sync_new (store, client);
  qoima_sync_set_poll (sync, 20, 10000);
  context = qoima_context_new (store, settings);
  qoima_context_set_auth_signer (context, auth);
  qoima_context_set_ismpt (context, client, sync);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));

  sign_in_as (window, "nurse", "4444");
  {
    QoimaUsePage *page = qoima_window_get_use_page (window);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page-use", NULL));
    qoima_test_scan (window, ki);
    qoima_test_wait_until (qoima_test_use_page_is_idle, page, 30);
    g_assert_nonnull (qoima_use_page_get_pack (page));
    qoima_test_log_use (page, IIN_A, qoima_use_page_get_units_left (page), FALSE);
    g_assert_cmpint (qoima_use_page_get_units_left (page), ==, 0);
  }

  sign_in_as (window, "chief", "3333");
  qoima_context_set_signer (context, signer);
  {
    QoimaWithdrawalsPage *page = qoima_window_get_withdrawals_page (window);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page-withdrawals", NULL));
    qoima_test_wait_for_withdrawal_status (page, ki, "owed", 30);
    gtk_widget_activate_action (GTK_WIDGET (page), "withdrawals.sign", NULL);
    qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
    qoima_sign_dialog_sign (QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG)));
    qoima_test_wait_for_withdrawal_status (page, ki, "done", 60);
    g_assert_null (qoima_withdrawals_page_get_error (page));
    screenshot (window, "test-flow-demo-pack-withdrawn.png");
  }
  g_clear_object (&pack);
  pack = qoima_test_find_pack (store, ki);
  g_assert_cmpint (qoima_pack_get_status (pack), ==, QOIMA_PACK_STATUS_WITHDRAWN);
  {
    g_autofree char *escaped = g_uri_escape_string (ki, NULL, FALSE);
    g_autofree char *path = g_strdup_printf ("codes/%s", escaped);
    g_autoptr(JsonNode) code = qoima_test_stand_admin (&stand, "GET", path, NULL);

    g_assert_cmpstr (qoima_json_get_string (json_node_get_object (code), "status"), ==, "RETIRED");
    g_assert_cmpstr (qoima_json_get_string (json_node_get_object (code), "owner"), ==, HOSPITAL_BIN);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&context);
  g_clear_object (&sync);
  g_clear_object (&client);
  qoima_store_close (store);
  qoima_test_stand_stop (&stand);
  qoima_test_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();

  g_test_add_func ("/ui/flow/rules/R000-9/clerk-nurse-chief", test_done_when);
  g_test_add_func ("/ui/flow/demo-pack-withdrawn", test_demo_pack_withdrawn);

  return g_test_run ();
}
