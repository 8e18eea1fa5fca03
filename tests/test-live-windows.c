/* test-live-windows.c: windows of several workstations on one PostgreSQL database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each workstation is a QoimaStore of its own on the same URI (its own connections, its own
 * LISTEN), with its window: what one records shows in the other's pages without anyone
 * reloading them. The server is the test's own (qoima-test-pg.c), stopped and started again
 * to show the window's bar while it cannot be reached.
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-act.h"
#include "qoima-context.h"
#include "qoima-i18n.h"
#include "qoima-ismpt-client.h"
#include "qoima-ismpt-documents.h"
#include "qoima-product.h"
#include "qoima-sign-dialog.h"
#include "qoima-stock-item.h"
#include "qoima-store-acts.h"
#include "qoima-store-ledger.h"
#include "qoima-sync.h"
#include "qoima-test-pg.h"
#include "qoima-ui-test-utils.h"
#include "qoima-window-private.h"

#include <string.h>

#define DEMO_PACKS 40

/* Products the demo never stocks, so that the ward's packs of them are the test's own. */
#define TABLETS_GTIN "04870999000024"
#define TABLETS_PER_PACK 10
#define VIAL_GTIN "04870999000031"

#define IIN_A "850715400238"
#define RECORD_B "ИБ202417"

static QoimaTestPg *server;
static GSettings *settings;

/* A workstation: its store on the shared database, and a window with a user signed in. */
typedef struct {
  QoimaStore *store;
  QoimaContext *context;
  QoimaWindow *window;
} Workstation;

static char *
new_database (void)
{
  static unsigned n_databases;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("windows_%u", ++n_databases);
  char *uri = qoima_test_pg_new_database (server, name, &error);

  g_assert_no_error (error);
  return uri;
}

static void
workstation_open (Workstation *station,
                  QoimaStore  *store,
                  const char  *user_name,
                  const char  *page)
{
  g_autoptr(QoimaUser) user = qoima_test_find_user (store, user_name);
  g_autofree char *action = g_strdup_printf ("win.page-%s", page);

  station->store = g_object_ref (store);
  station->context = qoima_context_new (store, settings);
  qoima_context_set_user (station->context, user);
  station->window = g_object_ref (qoima_window_new (NULL, station->context));
  gtk_window_set_default_size (GTK_WINDOW (station->window), 1100, 720);
  gtk_window_present (GTK_WINDOW (station->window));
  gtk_widget_activate_action (GTK_WIDGET (station->window), action, NULL);
}

static void
workstation_close (Workstation *station)
{
  gtk_window_destroy (GTK_WINDOW (station->window));
  g_clear_object (&station->window);
  g_clear_object (&station->context);
  qoima_store_close (station->store);
  g_clear_object (&station->store);
}

static void
stock_ward (QoimaStore *store,
            gint64      ward,
            const char *gtin,
            const char *serial)
{
  g_autoptr(QoimaPackRows) rows = qoima_pack_rows_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  qoima_pack_rows_add (rows, gtin, serial, NULL, "T1", "2031-12-31", ward, -1);
  qoima_store_receive_packs_async (store, g_steal_pointer (&rows), "tester", "test", NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  g_assert_true (qoima_store_receive_packs_finish (store, result, &error));
  g_assert_no_error (error);
}

/* The test's products, and packs of them in the nurse's ward. */
static gint64
stock_the_ward (QoimaStore *store)
{
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(QoimaUser) nurse = qoima_test_find_user (store, "nurse");
  gint64 ward = qoima_user_get_ward_id (nurse);

  g_ptr_array_add (products, qoima_product_new (TABLETS_GTIN, "Тестомицин, таблетки", NULL, "Testomycin",
                                                "таблетки", "250 мг", "Qoima", TABLETS_PER_PACK));
  g_ptr_array_add (products, qoima_product_new (VIAL_GTIN, "Тестомицин, флакон", NULL, "Testomycin",
                                                "флакон", "1 г", "Qoima", 1));
  qoima_test_add_catalog (store, products);
  stock_ward (store, ward, TABLETS_GTIN, "LIVETABLET001");
  stock_ward (store, ward, TABLETS_GTIN, "LIVETABLET002");
  return ward;
}

/* What a nurse at another workstation records: @units of @ki. */
static void
use_elsewhere (QoimaStore *store,
               const char *ki,
               const char *patient,
               int         units)
{
  g_autoptr(QoimaUser) nurse = qoima_test_find_user (store, "nurse");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(QoimaUseResult) used = NULL;
  g_autoptr(GError) error = NULL;

  qoima_store_use_units_async (store, nurse, ki, patient, units, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  used = qoima_store_use_units_finish (store, result, &error);
  g_assert_no_error (error);
}

static gboolean
use_page_is_idle (gpointer data)
{
  return !qoima_use_page_get_busy (QOIMA_USE_PAGE (data));
}

static void
wait_for_use_page (QoimaUsePage *page)
{
  qoima_test_wait_until (use_page_is_idle, page, 30);
}

/* Units of @gtin the Stock page shows. */
typedef struct {
  QoimaStockPage *page;
  const char *gtin;
  int units;
} StockWait;

static int
stock_units (QoimaStockPage *page,
             const char     *gtin)
{
  GListModel *model = qoima_stock_page_get_model (page);
  int units = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(QoimaStockItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (qoima_product_get_gtin (qoima_stock_item_get_product (item)), gtin) == 0)
        units += qoima_stock_item_get_units (item);
    }
  return units;
}

static gboolean
stock_shows (gpointer data)
{
  StockWait *wait = data;

  return !qoima_stock_page_get_loading (wait->page) && stock_units (wait->page, wait->gtin) == wait->units;
}

static gboolean
units_left_are (gpointer data)
{
  StockWait *wait = data; /* page is the Use page here */

  return qoima_use_page_get_units_left (QOIMA_USE_PAGE (wait->page)) == wait->units;
}

/* Issue 11: a use logged in one window appears in the other's Stock without any action;
 * the Use page follows what another workstation logged and keeps what the nurse typed. */
static void
test_two_windows (void)
{
  g_autofree char *uri = new_database ();
  g_autoptr(QoimaStore) store_a = qoima_test_open_demo_store (uri, DEMO_PACKS);
  g_autoptr(QoimaStore) store_b = NULL;
  Workstation ward_pc = { 0 };
  Workstation warehouse_pc = { 0 };
  QoimaUsePage *use_page;
  QoimaStockPage *stock_page;
  StockWait wait;
  g_autofree char *ki = NULL;

  qoima_test_add_demo_users (store_a);
  stock_the_ward (store_a);
  store_b = qoima_test_open_store (uri);

  /* The nurse at the ward's PC, the clerk at the warehouse's. */
  workstation_open (&ward_pc, store_a, "nurse", "use");
  workstation_open (&warehouse_pc, store_b, "clerk", "stock");
  use_page = qoima_window_get_use_page (ward_pc.window);
  stock_page = qoima_window_get_stock_page (warehouse_pc.window);
  wait_for_use_page (use_page);
  /* Her search narrows the list to the test's medicine, as a screenshot should show it. */
  gtk_editable_set_text (qoima_stock_page_get_search_entry (stock_page), "testomycin");
  wait = (StockWait) { stock_page, TABLETS_GTIN, 2 * TABLETS_PER_PACK };
  qoima_test_wait_until (stock_shows, &wait, 30);

  /* The nurse logs 3 tablets. */
  gtk_editable_set_text (qoima_use_page_get_medicine_search (use_page), "testomycin");
  gtk_widget_activate (GTK_WIDGET (gtk_list_box_get_row_at_index (qoima_use_page_get_medicine_list (use_page), 0)));
  wait_for_use_page (use_page);
  g_assert_nonnull (qoima_use_page_get_pack (use_page));
  ki = g_strdup (qoima_pack_get_ki (qoima_use_page_get_pack (use_page)));
  gtk_editable_set_text (GTK_EDITABLE (qoima_use_page_get_patient_entry (use_page)), IIN_A);
  gtk_spin_button_set_value (qoima_use_page_get_units_spin (use_page), 3);
  g_signal_emit_by_name (qoima_use_page_get_patient_entry (use_page), "activate");
  wait_for_use_page (use_page);
  g_assert_false (qoima_use_page_get_refused (use_page));

  /* The clerk's Stock shows it, with nobody touching her window. */
  wait.units = 2 * TABLETS_PER_PACK - 3;
  qoima_test_wait_until (stock_shows, &wait, 10);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (warehouse_pc.window));
  qoima_test_save_screenshot (GTK_WIDGET (warehouse_pc.window), "test-live-windows-stock.png");

  /* The nurse is typing the next entry when another nurse logs 4 tablets of the same pack
   * at another PC: the pack's units follow, her patient, units and pack stay. */
  gtk_editable_set_text (GTK_EDITABLE (qoima_use_page_get_patient_entry (use_page)), RECORD_B);
  gtk_spin_button_set_value (qoima_use_page_get_units_spin (use_page), 2);
  use_elsewhere (store_b, ki, IIN_A, 4);
  wait = (StockWait) { (QoimaStockPage *) use_page, NULL, TABLETS_PER_PACK - 3 - 4 };
  qoima_test_wait_until (units_left_are, &wait, 10);
  g_assert_cmpstr (qoima_pack_get_ki (qoima_use_page_get_pack (use_page)), ==, ki);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (qoima_use_page_get_patient_entry (use_page))), ==, RECORD_B);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (qoima_use_page_get_units_spin (use_page)), ==, 2);
  /* The ward's medicines too. */
  {
    g_autoptr(QoimaStockItem) medicine = g_list_model_get_item (qoima_use_page_get_medicines (use_page), 0);

    g_assert_cmpint (qoima_stock_item_get_units (medicine), ==, 2 * TABLETS_PER_PACK - 7);
  }
  /* And what she typed is logged as she typed it. */
  g_signal_emit_by_name (qoima_use_page_get_patient_entry (use_page), "activate");
  wait_for_use_page (use_page);
  g_assert_false (qoima_use_page_get_refused (use_page));
  g_assert_cmpint (qoima_use_page_get_units_left (use_page), ==, TABLETS_PER_PACK - 9);
  wait = (StockWait) { stock_page, TABLETS_GTIN, 2 * TABLETS_PER_PACK - 9 };
  qoima_test_wait_until (stock_shows, &wait, 10);

  workstation_close (&warehouse_pc);
  workstation_close (&ward_pc);
}

/* Acts and withdrawals */

static void
act_code_free (gpointer data)
{
  QoimaActCode *code = data;

  g_free (code->code);
  g_free (code->gtin);
  g_free (code->batch);
  g_free (code->expiry);
  g_free (code->parent_sscc);
  g_free (code);
}

/* An act read from ИС МПТ at another workstation. */
static void
save_act_elsewhere (QoimaStore *store,
                    const char *ismpt_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaIncomingAct *act = g_new0 (QoimaIncomingAct, 1);

  act->ismpt_id = g_strdup (ismpt_id);
  act->number = g_strdup ("ДП-2026/000511");
  act->doc_date = g_strdup ("2026-12-01T10:00:00Z");
  act->transfer_date = g_strdup ("2026-12-01");
  act->sender_bin = g_strdup ("123456789012");
  act->sender_name = g_strdup ("ТОО «СК-Фармация»");
  act->receiver_bin = g_strdup ("990340001230");
  act->status = g_strdup ("WAIT_ACCEPTANCE");
  act->codes = g_ptr_array_new_with_free_func (act_code_free);
  act->n_packs = 1;
  {
    QoimaActCode *code = g_new0 (QoimaActCode, 1);

    code->code = g_strdup_printf ("01" TABLETS_GTIN "21%s", ismpt_id);
    code->gtin = g_strdup (TABLETS_GTIN);
    code->batch = g_strdup ("L-2026-12");
    code->expiry = g_strdup ("2028-02-29");
    g_ptr_array_add (act->codes, code);
  }

  qoima_store_save_act_async (store, act, NULL, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  g_assert_cmpint (qoima_store_save_act_finish (store, result, &error), >, 0);
  g_assert_no_error (error);
  qoima_incoming_act_free (act);
}

typedef struct {
  gpointer page;
  guint n;
} CountWait;

static gboolean
acts_are (gpointer data)
{
  CountWait *wait = data;

  return !qoima_acts_page_get_busy (wait->page) &&
         g_list_model_get_n_items (qoima_acts_page_get_acts (wait->page)) == wait->n;
}

static gboolean
owed_are (gpointer data)
{
  CountWait *wait = data;

  return !qoima_withdrawals_page_get_busy (wait->page) && qoima_withdrawals_page_get_n_owed (wait->page) == wait->n;
}

static gboolean
withdrawals_page_is_idle (gpointer data)
{
  return !qoima_withdrawals_page_get_busy (data);
}

static void
spin (unsigned ms)
{
  gint64 until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
}

/* A one-unit vial used up at another workstation: a withdrawal owed. */
static void
use_up_vial_elsewhere (QoimaStore *store,
                       gint64      ward,
                       const char *serial)
{
  g_autofree char *ki = g_strconcat ("01" VIAL_GTIN "21", serial, NULL);

  stock_ward (store, ward, VIAL_GTIN, serial);
  use_elsewhere (store, ki, IIN_A, 1);
}

/* The Acts and the Withdrawals pages show what another workstation stored, without a
 * reload; the Withdrawals page never while a signing is under way, whose list is what the
 * chief signs. */
static void
test_acts_and_withdrawals_follow (void)
{
  g_autofree char *uri = new_database ();
  g_autoptr(QoimaStore) store_a = qoima_test_open_demo_store (uri, DEMO_PACKS);
  g_autoptr(QoimaStore) store_b = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(QoimaSigner) auth = qoima_test_load_key ("auth.p12");
  g_autoptr(QoimaSigner) signer = qoima_test_load_key ("sign.p12");
  /* Nothing is sent here: the signing is cancelled at its summary. */
  g_autoptr(QoimaIsmptClient) client = qoima_ismpt_client_new ("http://127.0.0.1:9/api/v3/true-api", NULL);
  g_autoptr(QoimaSync) sync = NULL;
  Workstation clerk_pc = { 0 };
  Workstation chief_pc = { 0 };
  QoimaActsPage *acts_page;
  QoimaWithdrawalsPage *withdrawals_page;
  CountWait acts_wait, owed_wait;
  gint64 ward;

  qoima_test_add_demo_users (store_a);
  admin = qoima_test_find_user (store_a, "admin");
  chief = qoima_test_set_signing (store_a, admin, "chief", CHIEF_IIN, FALSE);
  ward = stock_the_ward (store_a);
  store_b = qoima_test_open_store (uri);

  workstation_open (&clerk_pc, store_a, "clerk", "acts");
  acts_page = qoima_window_get_acts_page (clerk_pc.window);
  acts_wait = (CountWait) { acts_page, 0 };
  qoima_test_wait_until (acts_are, &acts_wait, 30);
  acts_wait.n = g_list_model_get_n_items (qoima_acts_page_get_acts (acts_page));

  /* An act stored at another workstation (its sync read it) shows on the clerk's page. */
  save_act_elsewhere (store_b, "LIVEACT000001");
  acts_wait.n++;
  qoima_test_wait_until (acts_are, &acts_wait, 10);

  /* The chief's Withdrawals page, with her keys opened this session. */
  sync = qoima_sync_new (store_a, client);
  workstation_open (&chief_pc, store_a, "chief", "withdrawals");
  qoima_context_set_auth_signer (chief_pc.context, auth);
  qoima_context_set_ismpt (chief_pc.context, client, sync);
  qoima_context_set_signer (chief_pc.context, signer);
  withdrawals_page = qoima_window_get_withdrawals_page (chief_pc.window);
  owed_wait = (CountWait) { withdrawals_page, 0 };
  qoima_test_wait_until (owed_are, &owed_wait, 30);

  /* A vial used up at a ward's PC: its withdrawal shows as owed. */
  use_up_vial_elsewhere (store_b, ward, "LIVEVIAL00001");
  owed_wait.n = 1;
  qoima_test_wait_until (owed_are, &owed_wait, 10);

  /* The chief starts signing: while its summary is up the list is what she signs, so a
   * withdrawal owed meanwhile does not come into it. */
  gtk_widget_activate_action (GTK_WIDGET (withdrawals_page), "withdrawals.sign", NULL);
  qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
  g_assert_true (qoima_withdrawals_page_get_busy (withdrawals_page));
  use_up_vial_elsewhere (store_b, ward, "LIVEVIAL00002");
  spin (1500); /* the change is heard within CHANGED_DELAY_MS, then not acted on */
  g_assert_true (qoima_withdrawals_page_get_busy (withdrawals_page));
  g_assert_cmpuint (qoima_withdrawals_page_get_n_owed (withdrawals_page), ==, 1);
  qoima_sign_dialog_cancel (QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG)));
  qoima_test_wait_until (withdrawals_page_is_idle, withdrawals_page, 10);
  g_assert_cmpuint (qoima_withdrawals_page_get_n_owed (withdrawals_page), ==, 1);

  /* Once the signing is over, the page follows again. */
  use_up_vial_elsewhere (store_b, ward, "LIVEVIAL00003");
  owed_wait.n = 3;
  qoima_test_wait_until (owed_are, &owed_wait, 10);

  workstation_close (&chief_pc);
  workstation_close (&clerk_pc);
  qoima_store_close (store_b);
}

/* The server */

static gboolean
banner_shown (gpointer data)
{
  return gtk_widget_get_visible (qoima_window_get_connection_banner (data));
}

static gboolean
banner_hidden (gpointer data)
{
  return !gtk_widget_get_visible (qoima_window_get_connection_banner (data));
}

/* The server goes down under the nurse's entry: her window says so in a bar, keeps what she
 * typed, and carries on once the server is back. */
static void
test_server_lost_banner (void)
{
  g_autofree char *uri = new_database ();
  g_autoptr(QoimaStore) store = qoima_test_open_demo_store (uri, DEMO_PACKS);
  g_autoptr(GError) error = NULL;
  Workstation ward_pc = { 0 };
  QoimaUsePage *page;

  qoima_test_add_demo_users (store);
  stock_the_ward (store);
  workstation_open (&ward_pc, store, "nurse", "use");
  page = qoima_window_get_use_page (ward_pc.window);
  wait_for_use_page (page);
  g_assert_false (gtk_widget_get_visible (qoima_window_get_connection_banner (ward_pc.window)));

  gtk_editable_set_text (qoima_use_page_get_medicine_search (page), "testomycin");
  gtk_widget_activate (GTK_WIDGET (gtk_list_box_get_row_at_index (qoima_use_page_get_medicine_list (page), 0)));
  wait_for_use_page (page);
  gtk_editable_set_text (GTK_EDITABLE (qoima_use_page_get_patient_entry (page)), IIN_A);
  gtk_spin_button_set_value (qoima_use_page_get_units_spin (page), 2);

  g_assert_true (qoima_test_pg_halt (server, &error));
  g_assert_no_error (error);
  g_signal_emit_by_name (qoima_use_page_get_patient_entry (page), "activate");
  wait_for_use_page (page);
  g_assert_true (qoima_use_page_get_refused (page));
  g_assert_nonnull (strstr (qoima_use_page_get_message (page), "cannot be reached"));
  /* Her entry stays, to be logged again. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (qoima_use_page_get_patient_entry (page))), ==, IIN_A);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (qoima_use_page_get_units_spin (page)), ==, 2);
  qoima_test_wait_until (banner_shown, ward_pc.window, 10);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (ward_pc.window));
  qoima_test_save_screenshot (GTK_WIDGET (ward_pc.window), "test-live-windows-server-lost.png");

  /* Retry while it is still down: the bar stays. */
  gtk_widget_activate_action (GTK_WIDGET (ward_pc.window), "win.reconnect", NULL);
  spin (500);
  g_assert_true (gtk_widget_get_visible (qoima_window_get_connection_banner (ward_pc.window)));

  g_assert_true (qoima_test_pg_resume (server, &error));
  g_assert_no_error (error);
  /* Nobody presses Retry: the bar goes once the store finds the server. */
  qoima_test_wait_until (banner_hidden, ward_pc.window, 40);
  g_signal_emit_by_name (qoima_use_page_get_patient_entry (page), "activate");
  wait_for_use_page (page);
  g_assert_false (qoima_use_page_get_refused (page));
  g_assert_cmpint (qoima_use_page_get_units_left (page), ==, TABLETS_PER_PACK - 2);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (ward_pc.window));
  qoima_test_save_screenshot (GTK_WIDGET (ward_pc.window), "test-live-windows-server-back.png");

  workstation_close (&ward_pc);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* As main.c: with LANGUAGE=ru or kk set, the screenshots show that language. */
  qoima_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();

  server = qoima_test_pg_start (&error);
  g_assert_no_error (error);
  g_assert_nonnull (server);
  settings = g_settings_new (BASE_APP_ID);

  g_test_add_func ("/ui/live/two-windows", test_two_windows);
  g_test_add_func ("/ui/live/acts-and-withdrawals-follow", test_acts_and_withdrawals_follow);
  g_test_add_func ("/ui/live/server-lost-banner", test_server_lost_banner);

  ret = g_test_run ();

  g_clear_object (&settings);
  g_clear_pointer (&server, qoima_test_pg_stop);
  return ret;
}
