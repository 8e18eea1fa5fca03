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
#include "qoima-key-dialog.h"
#include "qoima-store-acts.h"
#include "qoima-store-ledger.h"
#include "qoima-location.h"
#include "qoima-pack.h"
#include "qoima-product.h"
#include "qoima-sign-dialog.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-store-users.h"
#include "qoima-sync.h"
#include "qoima-ui-test-utils.h"
#include "qoima-user.h"
#include "qoima-window-private.h"
#include "qoima-withdrawals-page.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#define HOSPITAL_BIN "990340001230"
#define SK_PHARMACIA_BIN "080140005672"

/* The first widget of @type under @root, depth first. */
static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
page_idle (gpointer data)
{
  return !qoima_withdrawals_page_get_busy (data);
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

  qoima_store_add_user_async (store, acting, name, NULL, role, ward_id, "Secret-pass-1", NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  user = qoima_store_add_user_finish (store, result, &error);
  g_assert_no_error (error);
  return user;
}

static gboolean
write_off_opened (gpointer data)
{
  if (qoima_test_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL)
    gtk_widget_activate_action (GTK_WIDGET (data), "withdrawals.write-off", NULL);
  return qoima_test_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL;
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
  QoimaTestStand stand = { 0 };

  qoima_test_stand_start (&stand, stand_db);
  store = qoima_test_open_demo_store (db_path, 10);
  body = g_strdup_printf ("{\"sender\":\"" SK_PHARMACIA_BIN "\",\"receiver\":\"" HOSPITAL_BIN "\",\"box_size\":0,"
                          "\"lines\":[{\"gtin\":\"%s\",\"packs\":1},{\"gtin\":\"%s\",\"packs\":1}]}",
                          qoima_product_get_gtin (g_ptr_array_index (products, 0)),
                          qoima_product_get_gtin (g_ptr_array_index (products, 1)));
  created = qoima_test_stand_admin (&stand, "POST", "acts", body);
  ki = qoima_json_array_get_string (qoima_json_get_array (json_node_get_object (created), "codes"), 0);
  kis[0] = ki;

  catalog = g_strdup_printf ("%s/gwp", stand.host_url);
  client = qoima_ismpt_client_new (stand.base_url, NULL);
  qoima_ismpt_client_set_catalog (client, catalog, "qoima-stand-api-key");
  auth = qoima_test_load_key ("auth.p12");
  signer = qoima_test_load_key ("sign.p12");
  qoima_ismpt_client_set_auth_signer (client, auth);
  sync = qoima_sync_new (store, client);
  qoima_sync_set_poll (sync, 20, 10000);

  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN, 0);
  chief = add_user (store, admin, "chief", QOIMA_ROLE_CHIEF, 0);
  g_clear_object (&chief);
  /* Her key, sign.p12, carries her IIN (issue 8). */
  chief = qoima_test_set_signing (store, admin, "chief", "850715400238", FALSE);
  clerk = add_user (store, admin, "aigul", QOIMA_ROLE_CLERK, 0);

  /* The act is accepted, so ИС МПТ knows the packs as the hospital's. */
  {
    g_autoptr(GAsyncResult) pulled = NULL;
    g_autoptr(GAsyncResult) listed = NULL;
    g_autoptr(GAsyncResult) answered = NULL;
    g_autoptr(GAsyncResult) pushed = NULL;

    qoima_sync_pull_async (sync, NULL, qoima_test_result_cb, &pulled);
    qoima_test_wait_until (qoima_test_result_is_set, &pulled, 60);
    g_assert_cmpint (qoima_sync_pull_finish (sync, pulled, &error), ==, 1);
    qoima_store_list_acts_async (store, NULL, qoima_test_result_cb, &listed);
    qoima_test_wait_until (qoima_test_result_is_set, &listed, 30);
    acts = qoima_store_list_acts_finish (store, listed, &error);
    act = g_list_model_get_item (acts, 0);
    qoima_sync_answer_act_async (sync, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL, signer, chief, NULL,
                                 qoima_test_result_cb, &answered);
    qoima_test_wait_until (qoima_test_result_is_set, &answered, 30);
    g_assert_cmpint (qoima_sync_answer_act_finish (sync, answered, &error), >, 0);
    qoima_sync_push_async (sync, NULL, qoima_test_result_cb, &pushed);
    qoima_test_wait_until (qoima_test_result_is_set, &pushed, 60);
    g_assert_true (qoima_sync_push_finish (sync, pushed, &error));
    g_assert_no_error (error);
  }

  /* To a ward, and used up by its nurse: the withdrawal is owed. */
  {
    g_autoptr(GAsyncResult) listed = NULL;
    g_autoptr(GAsyncResult) moved = NULL;
    g_autoptr(GAsyncResult) found = NULL;
    int units;

    qoima_store_list_locations_async (store, NULL, qoima_test_result_cb, &listed);
    qoima_test_wait_until (qoima_test_result_is_set, &listed, 30);
    locations = qoima_store_list_locations_finish (store, listed, &error);
    ward = g_list_model_get_item (locations, 1);
    nurse = add_user (store, admin, "dana", QOIMA_ROLE_NURSE, qoima_location_get_id (ward));
    qoima_store_transfer_packs_async (store, clerk, kis, qoima_location_get_id (ward), NULL, qoima_test_result_cb, &moved);
    qoima_test_wait_until (qoima_test_result_is_set, &moved, 30);
    g_assert_cmpint (qoima_store_transfer_packs_finish (store, moved, NULL, &error), ==, 1);
    qoima_store_find_pack_async (store, ki, NULL, qoima_test_result_cb, &found);
    qoima_test_wait_until (qoima_test_result_is_set, &found, 30);
    pack = qoima_store_find_pack_finish (store, found, &error);
    units = qoima_pack_get_units_left (pack);
    for (int i = 0; i < units; i++)
      {
        g_autoptr(GAsyncResult) used = NULL;
        g_autoptr(QoimaUseResult) use = NULL;

        qoima_store_use_units_async (store, nurse, ki, "MK2041", 1, NULL, qoima_test_result_cb, &used);
        qoima_test_wait_until (qoima_test_result_is_set, &used, 30);
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

  qoima_test_wait_for_withdrawal_status (page, ki, "owed", 30);
  g_assert_cmpuint (qoima_withdrawals_page_get_n_owed (page), ==, 1);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-withdrawals-owed.png");

  /* Signing shows first what is signed, with whose key (issue 8); cancelled, nothing is. */
  gtk_widget_activate_action (GTK_WIDGET (page), "withdrawals.sign", NULL);
  qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
  {
    QoimaSignDialog *dialog = QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG));
    g_autofree char *summary = qoima_sign_dialog_get_summary (dialog);

    g_test_message ("%s", summary);
    g_assert_nonnull (strstr (summary, "LK_RECEIPT"));
    g_assert_nonnull (strstr (summary, qoima_withdrawal_reason_to_label (QOIMA_WITHDRAWAL_MEDICAL_USE)));
    g_assert_nonnull (strstr (summary, "1 pack"));
    g_assert_nonnull (strstr (summary, "ЖАКСЫБЕКОВА АЙГУЛЬ, IIN 850715400238"));
    gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
    qoima_test_save_screenshot (GTK_WIDGET (dialog), "test-withdrawals-summary.png");
    qoima_sign_dialog_cancel (dialog);
  }
  qoima_test_wait_for_withdrawal_status (page, ki, "owed", 30);
  g_assert_null (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG));
  g_assert_cmpuint (qoima_withdrawals_page_get_n_owed (page), ==, 1);

  /* Unticked, the pack stays unticked when the list is loaded again; nothing to sign then. */
  {
    GtkCheckButton *check = GTK_CHECK_BUTTON (find_widget (GTK_WIDGET (page), GTK_TYPE_CHECK_BUTTON));

    g_assert_true (gtk_check_button_get_active (check));
    gtk_check_button_set_active (check, FALSE);
    qoima_withdrawals_page_reload (page);
    qoima_test_wait_until (page_idle, page, 30);
    check = GTK_CHECK_BUTTON (find_widget (GTK_WIDGET (page), GTK_TYPE_CHECK_BUTTON));
    g_assert_false (gtk_check_button_get_active (check));
    g_assert_false (gtk_widget_is_sensitive (qoima_test_find_button (GTK_WIDGET (page), "Sign and Send")));
    gtk_check_button_set_active (check, TRUE);
    qoima_withdrawals_page_reload (page);
    qoima_test_wait_until (page_idle, page, 30);
    check = GTK_CHECK_BUTTON (find_widget (GTK_WIDGET (page), GTK_TYPE_CHECK_BUTTON));
    g_assert_true (gtk_check_button_get_active (check));
  }
  /* No document yet: the section says so, not an empty frame. */
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "No Documents Yet"));

  gtk_widget_activate_action (GTK_WIDGET (page), "withdrawals.sign", NULL);
  qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
  qoima_sign_dialog_sign (QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG)));
  qoima_test_wait_for_withdrawal_status (page, ki, "done", 60);
  g_assert_null (qoima_withdrawals_page_get_error (page));
  g_assert_cmpuint (qoima_withdrawals_page_get_n_owed (page), ==, 0);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-withdrawals-signed.png");
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Nothing Is Owed"));

  /* Write Off asks for the reason: none is ticked, and the dialog cannot answer without one.
   * The signing's own change reloads the page a moment later (busy, the action off
   * meanwhile), so the button is pressed once the page offers it. */
  qoima_test_wait_until (write_off_opened, page, 30);
  {
    AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (qoima_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
    GtkWidget *box = adw_message_dialog_get_extra_child (dialog);
    GtkWidget *reason = NULL;
    int ticked = 0;

    for (GtkWidget *child = gtk_widget_get_first_child (box); child != NULL; child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_CHECK_BUTTON (child))
        {
          ticked += gtk_check_button_get_active (GTK_CHECK_BUTTON (child));
          reason = reason != NULL ? reason : child;
        }
    g_assert_nonnull (reason);
    g_assert_cmpint (ticked, ==, 0);
    gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_first_child (box)), ki);
    g_assert_false (adw_message_dialog_get_response_enabled (dialog, "write-off"));
    gtk_check_button_set_active (GTK_CHECK_BUTTON (reason), TRUE);
    g_assert_true (adw_message_dialog_get_response_enabled (dialog, "write-off"));
    gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_first_child (box)), "");
    g_assert_false (adw_message_dialog_get_response_enabled (dialog, "write-off"));
    gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
    qoima_test_save_screenshot (GTK_WIDGET (dialog), "test-withdrawals-write-off.png");
    adw_message_dialog_response (dialog, "cancel");
    gtk_window_destroy (GTK_WINDOW (dialog));
  }

  /* The stand retired the code. */
  {
    g_autofree char *escaped = g_uri_escape_string (ki, NULL, FALSE);
    g_autofree char *path = g_strdup_printf ("codes/%s", escaped);

    code = qoima_test_stand_admin (&stand, "GET", path, NULL);
  }
  g_assert_cmpstr (qoima_json_get_string (json_node_get_object (code), "status"), ==, "RETIRED");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&context);
  g_clear_object (&sync);
  g_clear_object (&client);
  qoima_store_close (store);
  qoima_test_stand_stop (&stand);
  qoima_test_remove_tree (tmp);
}

static gboolean
page_has_error (gpointer data)
{
  QoimaWithdrawalsPage *page = data;

  return !qoima_withdrawals_page_get_busy (page) && qoima_withdrawals_page_get_error (page) != NULL;
}

/* ИС МПТ refuses a write-off (a pack it does not know as the hospital's): the chief sees it
 * on the page, on the document's row with ИС МПТ's reason, and on the pack, owed again. */
static void
test_refused_document_shown (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *stand_db = g_build_filename (tmp, "stand.db", NULL);
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autoptr(QoimaSigner) auth = NULL;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(QoimaPack) pack = NULL;
  g_autoptr(GError) error = NULL;
  const char *kis[2] = { NULL, NULL };
  QoimaWindow *window;
  QoimaWithdrawalsPage *page;
  QoimaTestStand stand = { 0 };

  /* The stand has no demo world: the warehouse's demo packs are unknown to it. */
  qoima_test_stand_start (&stand, stand_db);
  store = qoima_test_open_demo_store (db_path, 10);
  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN, 0);
  g_object_unref (add_user (store, admin, "chief", QOIMA_ROLE_CHIEF, 0));
  /* She signs with sign.p12, whose certificate carries her IIN. */
  chief = qoima_test_set_signing (store, admin, "chief", CHIEF_IIN, FALSE);
  pack = qoima_test_first_pack_in_stock (store);
  kis[0] = qoima_pack_get_ki (pack);
  {
    g_autoptr(GAsyncResult) written = NULL;

    qoima_store_write_off_async (store, chief, kis, QOIMA_WITHDRAWAL_DAMAGED, NULL, qoima_test_result_cb, &written);
    qoima_test_wait_until (qoima_test_result_is_set, &written, 30);
    g_assert_cmpint (qoima_store_write_off_finish (store, written, &error), ==, 1);
  }

  client = qoima_ismpt_client_new (stand.base_url, NULL);
  auth = qoima_test_load_key ("auth.p12");
  signer = qoima_test_load_key ("sign.p12");
  qoima_ismpt_client_set_auth_signer (client, auth);
  sync = qoima_sync_new (store, client);
  qoima_sync_set_poll (sync, 20, 10000);
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
  qoima_test_wait_for_withdrawal_status (page, kis[0], "owed", 30);

  gtk_widget_activate_action (GTK_WIDGET (page), "withdrawals.sign", NULL);
  qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
  qoima_sign_dialog_sign (QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG)));
  qoima_test_wait_until (page_has_error, page, 60);
  qoima_test_wait_for_withdrawal_status (page, kis[0], "owed", 30);
  g_test_message ("page: %s", qoima_withdrawals_page_get_error (page));
  g_assert_nonnull (strstr (qoima_withdrawals_page_get_error (page), "refused the document QW-"));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "1 pack · Refused by ИС МПТ: "));
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Refused by ИС МПТ in QW-"));
  g_assert_cmpuint (qoima_withdrawals_page_get_n_owed (page), ==, 1);
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-withdrawals-refused.png");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&context);
  g_clear_object (&sync);
  g_clear_object (&client);
  qoima_store_close (store);
  qoima_test_stand_stop (&stand);
  qoima_test_remove_tree (tmp);
}

static void
test_instantiate (void)
{
  QoimaWithdrawalsPage *page = g_object_ref_sink (g_object_new (QOIMA_TYPE_WITHDRAWALS_PAGE, NULL));

  g_assert_cmpuint (qoima_withdrawals_page_get_n_owed (page), ==, 0);
  g_assert_finalize_object (page);
}

static void
key_dialog_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaSigner) signer = qoima_key_dialog_run_finish (result, &error);

  g_assert_null (signer);
  *(gboolean *) user_data = TRUE;
}

/* The signing key's dialog says what it signs: withdrawals, not an act's answer. */
static void
test_key_dialog_title (void)
{
  GtkWidget *dialog;
  gboolean done = FALSE;

  qoima_key_dialog_run_to_sign_async (NULL, NULL, "Sign the Withdrawals", NULL, key_dialog_done_cb, &done);
  dialog = GTK_WIDGET (qoima_test_find_window (QOIMA_TYPE_KEY_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (qoima_test_find_text (dialog, "Sign the Withdrawals"));
  g_assert_false (qoima_test_find_text (dialog, "Sign the Answer"));
  gtk_window_close (GTK_WINDOW (dialog));
  qoima_test_wait_until (qoima_test_flag_is_set, &done, 10);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();

  g_test_add_func ("/ui/withdrawals/instantiate", test_instantiate);
  g_test_add_func ("/ui/withdrawals/key-dialog-title", test_key_dialog_title);
  g_test_add_func ("/ui/withdrawals/rules/R000-9/owed-pack-signed", test_owed_pack_signed);
  g_test_add_func ("/ui/withdrawals/refused-document-shown", test_refused_document_shown);

  return g_test_run ();
}
