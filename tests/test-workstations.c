/* test-workstations.c: issue 11's "done when": three workstations, one warehouse database
 *
 * The pharmacy's PC, a ward's PC and the chief's office each open the same database with
 * their own connection, window, ИС МПТ client and sync, as three machines would: the
 * `-pg` variant runs it on a throwaway PostgreSQL server, the plain one on one SQLite file.
 * An act is accepted and its pack moved to a ward at the pharmacy; the ward's Stock page
 * shows the pack without anyone reloading it; the nurse uses it up there; the owed
 * withdrawal appears on the chief's Withdrawals page by itself, she signs it, and every
 * workstation then tries to send: ИС МПТ receives one document, the three see the same
 * pack, and the audit trail verifies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-act.h"
#include "qoima-context.h"
#include "qoima-json.h"
#include "qoima-location.h"
#include "qoima-pack.h"
#include "qoima-sign-dialog.h"
#include "qoima-stock-item.h"
#include "qoima-store-acts.h"
#include "qoima-store-audit.h"
#include "qoima-store-users.h"
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

typedef struct {
  const char       *name;
  QoimaStore       *store;
  QoimaIsmptClient *client;
  QoimaSync        *sync;
  QoimaContext     *context;
  QoimaWindow      *window;
} Workstation;

static void
workstation_open (Workstation     *ws,
                  const char      *name,
                  QoimaStore      *store,
                  QoimaTestStand  *stand,
                  QoimaSigner     *auth,
                  GSettings       *settings)
{
  g_autofree char *catalog = g_strdup_printf ("%s/gwp", stand->host_url);

  ws->name = name;
  ws->store = g_object_ref (store);
  ws->client = qoima_ismpt_client_new (stand->base_url, NULL);
  qoima_ismpt_client_set_catalog (ws->client, catalog, "qoima-stand-api-key");
  qoima_ismpt_client_set_auth_signer (ws->client, auth);
  ws->sync = qoima_sync_new (store, ws->client);
  qoima_sync_set_poll (ws->sync, 20, 10000);
  ws->context = qoima_context_new (store, settings);
  qoima_context_set_auth_signer (ws->context, auth);
  qoima_context_set_ismpt (ws->context, ws->client, ws->sync);
  ws->window = g_object_ref (qoima_window_new (NULL, ws->context));
  gtk_window_set_title (GTK_WINDOW (ws->window), name);
  gtk_window_set_default_size (GTK_WINDOW (ws->window), 1000, 720);
  gtk_window_present (GTK_WINDOW (ws->window));
}

static void
workstation_close (Workstation *ws)
{
  gtk_window_destroy (GTK_WINDOW (ws->window));
  g_assert_finalize_object (ws->window);
  g_clear_object (&ws->context);
  g_clear_object (&ws->sync);
  g_clear_object (&ws->client);
  qoima_store_close (ws->store);
  g_clear_object (&ws->store);
}

static gboolean
sign_in_is_idle (gpointer data)
{
  return !qoima_sign_in_get_busy (QOIMA_SIGN_IN (data));
}

/* The user picked from the sign-in list, her PIN typed and Enter pressed. */
static void
sign_in_as (Workstation *ws,
            const char  *name,
            const char  *pin)
{
  QoimaSignIn *sign_in = qoima_window_get_sign_in (ws->window);
  GListModel *users;
  g_autoptr(QoimaUser) chosen = NULL;

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
  g_assert_cmpstr (qoima_user_get_name (qoima_context_get_user (ws->context)), ==, name);
}

/* Packs of paracetamol in @ward as the Stock page of @window shows them now. */
static int
paracetamol_packs_shown (QoimaWindow *window,
                         gint64       ward)
{
  GListModel *model = qoima_stock_page_get_model (qoima_window_get_stock_page (window));
  int packs = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(QoimaStockItem) item = g_list_model_get_item (model, i);

      if (g_str_equal (qoima_product_get_gtin (qoima_stock_item_get_product (item)), PARACETAMOL_GTIN) &&
          qoima_location_get_id (qoima_stock_item_get_location (item)) == ward)
        packs += qoima_stock_item_get_packs (item);
    }
  return packs;
}

typedef struct {
  QoimaWindow *window;
  gint64       ward;
  int          packs;
} StockWait;

static gboolean
stock_shows (gpointer data)
{
  StockWait *wait = data;

  return !qoima_stock_page_get_loading (qoima_window_get_stock_page (wait->window)) &&
         paracetamol_packs_shown (wait->window, wait->ward) == wait->packs;
}

/* Pulls the act into the store through @ws and accepts it with the chief's key, as the Acts
 * page does (its own test drives that page); sends the answer. */
static void
accept_act (Workstation *ws,
            QoimaSigner *signer,
            QoimaUser   *chief)
{
  g_autoptr(GAsyncResult) pulled = NULL;
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(GAsyncResult) answered = NULL;
  g_autoptr(GAsyncResult) pushed = NULL;
  g_autoptr(GListModel) acts = NULL;
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(GError) error = NULL;

  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  /* Another workstation's window may pull the act first (the chief's signs in and syncs), so
   * this pull brings one act or none; either way the shared store holds it once that pull ends. */
  qoima_sync_pull_async (ws->sync, NULL, qoima_test_result_cb, &pulled);
  g_assert_cmpint (qoima_sync_pull_finish (ws->sync, qoima_test_wait_for (&pulled), &error), >=, 0);
  g_assert_no_error (error);
  for (;;)
    {
      qoima_store_list_acts_async (ws->store, NULL, qoima_test_result_cb, &listed);
      acts = qoima_store_list_acts_finish (ws->store, qoima_test_wait_for (&listed), &error);
      g_assert_no_error (error);
      g_clear_object (&listed);
      if (g_list_model_get_n_items (acts) > 0 || g_get_monotonic_time () > deadline)
        break;
      g_clear_object (&acts);
      g_usleep (50 * 1000);
    }
  g_assert_cmpuint (g_list_model_get_n_items (acts), ==, 1);
  act = g_list_model_get_item (acts, 0);
  qoima_sync_answer_act_async (ws->sync, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL, signer, chief, NULL,
                               qoima_test_result_cb, &answered);
  g_assert_cmpint (qoima_sync_answer_act_finish (ws->sync, qoima_test_wait_for (&answered), &error), >, 0);
  g_assert_no_error (error);
  qoima_sync_push_async (ws->sync, NULL, qoima_test_result_cb, &pushed);
  g_assert_true (qoima_sync_push_finish (ws->sync, qoima_test_wait_for (&pushed), &error));
  g_assert_no_error (error);
}

static void
push (Workstation *ws)
{
  g_autoptr(GAsyncResult) pushed = NULL;
  g_autoptr(GError) error = NULL;

  qoima_sync_push_async (ws->sync, NULL, qoima_test_result_cb, &pushed);
  g_assert_true (qoima_sync_push_finish (ws->sync, qoima_test_wait_for (&pushed), &error));
  g_assert_no_error (error);
}

static void
test_three_workstations (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *location = qoima_test_new_store_location (tmp);
  g_autofree char *stand_db = g_build_filename (tmp, "stand.db", NULL);
  g_autofree char *ki = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaStore) first = NULL;
  g_autoptr(QoimaStore) second = NULL;
  g_autoptr(QoimaStore) third = NULL;
  g_autoptr(QoimaSigner) auth = NULL;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  g_autoptr(JsonNode) posted = NULL;
  g_autoptr(GError) error = NULL;
  QoimaTestStand stand = { 0 };
  Workstation pharmacy = { 0 }, ward_pc = { 0 }, office = { 0 };
  Workstation *all[] = { &pharmacy, &ward_pc, &office };
  gint64 ward;
  int ward_packs;

  g_test_message ("database: %s", qoima_test_on_postgresql () ? "PostgreSQL" : "one SQLite file");
  qoima_test_stand_start (&stand, stand_db);
  first = qoima_test_open_demo_store (location, 10);
  qoima_test_add_demo_users (first);
  second = qoima_test_open_store (location);
  third = qoima_test_open_store (location);
  chief = qoima_test_find_user (first, "chief");
  nurse = qoima_test_find_user (second, "nurse");
  ward = qoima_user_get_ward_id (nurse);
  g_assert_cmpint (ward, >, 0);

  posted = qoima_test_stand_admin (&stand, "POST", "acts",
                                   "{\"sender\":\"" SK_PHARMACIA_BIN "\",\"receiver\":\"" HOSPITAL_BIN "\","
                                   "\"box_size\":0,\"lines\":[{\"gtin\":\"" PARACETAMOL_GTIN "\",\"packs\":1}]}");
  ki = g_strdup (qoima_json_array_get_string (qoima_json_get_array (json_node_get_object (posted), "codes"), 0));
  g_assert_nonnull (ki);

  auth = qoima_test_load_key ("auth.p12");
  signer = qoima_test_load_key ("sign.p12");
  workstation_open (&pharmacy, "pharmacy", first, &stand, auth, settings);
  workstation_open (&ward_pc, "ward", second, &stand, auth, settings);
  workstation_open (&office, "office", third, &stand, auth, settings);

  /* The ward's PC: the nurse signed in, her Stock page on her ward. */
  sign_in_as (&ward_pc, "nurse", "4444");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (ward_pc.window), "win.page-stock", NULL));
  {
    StockWait settled = { ward_pc.window, ward, 0 };

    ward_packs = paracetamol_packs_shown (ward_pc.window, ward);
    settled.packs = ward_packs;
    qoima_test_wait_until (stock_shows, &settled, 30);
  }

  /* The chief's office: her Withdrawals page open, nothing of this pack owed yet. */
  sign_in_as (&office, "chief", "3333");
  qoima_context_set_signer (office.context, signer);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (office.window), "win.page-withdrawals", NULL));
  g_assert_null (qoima_withdrawals_page_get_status (qoima_window_get_withdrawals_page (office.window), ki));

  /* 1. The pharmacy: the act accepted, then the clerk moves its pack to the ward. */
  accept_act (&pharmacy, signer, chief);
  sign_in_as (&pharmacy, "clerk", "2222");
  {
    QoimaMovePage *page = qoima_window_get_move_page (pharmacy.window);
    gboolean moved = FALSE;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pharmacy.window), "win.page-move", NULL));
    g_signal_connect (page, "moved", G_CALLBACK (qoima_test_flag_cb), &moved);
    while (!qoima_move_page_set_ward (page, ward))
      g_main_context_iteration (NULL, TRUE);
    qoima_test_scan (pharmacy.window, ki);
    g_assert_null (qoima_move_page_get_scan_message (page));
    gtk_widget_activate_action (GTK_WIDGET (page), "move.move", NULL);
    qoima_test_wait_until (qoima_test_flag_is_set, &moved, 30);
    g_assert_cmpint (qoima_transfer_get_n_packs (qoima_move_page_get_transfer (page)), ==, 1);
  }

  /* 2. The ward's Stock page shows the pack by itself (the store's change notification from
   * another connection), then the nurse uses it up. */
  {
    StockWait arrived = { ward_pc.window, ward, ward_packs + 1 };
    QoimaUsePage *page = qoima_window_get_use_page (ward_pc.window);

    qoima_test_wait_until (stock_shows, &arrived, 30);
    g_assert_cmpint (paracetamol_packs_shown (ward_pc.window, ward), ==, ward_packs + 1);
    qoima_test_save_screenshot (GTK_WIDGET (ward_pc.window), "test-workstations-1-ward-stock.png");

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (ward_pc.window), "win.page-use", NULL));
    qoima_test_scan (ward_pc.window, ki);
    qoima_test_wait_until (qoima_test_use_page_is_idle, page, 30);
    g_assert_cmpint (qoima_use_page_get_units_left (page), ==, UNITS_PER_PACK);
    qoima_test_log_use (page, "850715400238", 12, FALSE);
    qoima_test_log_use (page, "ИБ202417", UNITS_PER_PACK - 12, FALSE);
    g_assert_cmpint (qoima_use_page_get_units_left (page), ==, 0);
  }

  /* 3. The chief's page shows the owed withdrawal without her reloading it; she signs it. */
  {
    QoimaWithdrawalsPage *page = qoima_window_get_withdrawals_page (office.window);

    qoima_test_wait_for_withdrawal_status (page, ki, "owed", 30);
    qoima_test_save_screenshot (GTK_WIDGET (office.window), "test-workstations-2-office-owed.png");
    gtk_widget_activate_action (GTK_WIDGET (page), "withdrawals.sign", NULL);
    qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
    qoima_sign_dialog_sign (QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG)));
    qoima_test_wait_for_withdrawal_status (page, ki, "done", 60);
    g_assert_null (qoima_withdrawals_page_get_error (page));
  }

  /* 4. Every workstation sends what it thinks is owed: nothing is left, nothing goes twice. */
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    push (all[i]);
  {
    g_autofree char *escaped = g_uri_escape_string (ki, NULL, FALSE);
    g_autofree char *path = g_strdup_printf ("codes/%s", escaped);
    g_autoptr(JsonNode) code = qoima_test_stand_admin (&stand, "GET", path, NULL);
    g_autoptr(JsonNode) documents = qoima_test_stand_admin (&stand, "GET", "documents?type=LK_RECEIPT", NULL);

    g_assert_cmpstr (qoima_json_get_string (json_node_get_object (code), "status"), ==, "RETIRED");
    g_assert_cmpuint (json_array_get_length (json_node_get_array (documents)), ==, 1);
  }

  /* 5. The three agree on the pack, and the audit trail verifies. */
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_autoptr(QoimaPack) pack = qoima_test_find_pack (all[i]->store, ki);

      g_test_message ("%s sees the pack %s", all[i]->name, qoima_pack_status_to_nick (qoima_pack_get_status (pack)));
      g_assert_cmpint (qoima_pack_get_status (pack), ==, QOIMA_PACK_STATUS_WITHDRAWN);
      g_assert_cmpint (qoima_pack_get_units_left (pack), ==, 0);
    }
  {
    g_autoptr(GAsyncResult) verified = NULL;
    gint64 n_rows = 0, broken = -1;

    qoima_store_verify_audit_async (third, NULL, qoima_test_result_cb, &verified);
    g_assert_true (qoima_store_verify_audit_finish (third, qoima_test_wait_for (&verified), &n_rows, &broken, &error));
    g_assert_no_error (error);
    g_assert_cmpint (broken, ==, 0);
    g_assert_cmpint (n_rows, >, 0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    workstation_close (all[i]);
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

  g_test_add_func ("/ui/workstations/three-on-one-database", test_three_workstations);

  return g_test_run ();
}
