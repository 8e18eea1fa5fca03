/* test-acts-page.c: incoming acts in the window, against the project's stand over real HTTP
 *
 * The stand runs as a subprocess with its own database and the test PKI; an act is created
 * through its admin interface. The window syncs it in, the clerk opens it and scans some of
 * its packs through the window's scan path, a foreign pack is reported as not in the act,
 * and the chief accepts what was scanned with the signing key chosen in the key dialog.
 * The act ends partially accepted and the stock grows by the packs scanned.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-act-line.h"
#include "qoima-acts-page.h"
#include "qoima-context.h"
#include "qoima-demo.h"
#include "qoima-json.h"
#include "qoima-key-dialog.h"
#include "qoima-store-acts.h"
#include "qoima-store-outbox.h"
#include "qoima-pack.h"
#include "qoima-product.h"
#include "qoima-sign-dialog.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-store-users.h"
#include "qoima-sync.h"
#include "qoima-ui-test-utils.h"
#include "qoima-user.h"
#include "qoima-window-private.h"

#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

#define HOSPITAL_BIN "990340001230"
#define SK_PHARMACIA_BIN "080140005672"
#define DEMO_PACKS 300
#define ACT_PACKS 12
#define SCANNED 5

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

static gint64
count_packs (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 n;

  qoima_store_count_packs_async (store, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  n = qoima_store_count_packs_finish (store, result, &error);
  g_assert_no_error (error);
  return n;
}

static gboolean
acts_listed (gpointer data)
{
  QoimaActsPage *page = data;

  return !qoima_acts_page_get_busy (page) && g_list_model_get_n_items (qoima_acts_page_get_acts (page)) > 0;
}

static gboolean
two_acts_listed (gpointer data)
{
  QoimaActsPage *page = data;

  return !qoima_acts_page_get_busy (page) && g_list_model_get_n_items (qoima_acts_page_get_acts (page)) == 2;
}

static gboolean
lines_loaded (gpointer data)
{
  return g_list_model_get_n_items (qoima_acts_page_get_lines (data)) == 2;
}

static int
scanned_in_lines (QoimaActsPage *page)
{
  GListModel *lines = qoima_acts_page_get_lines (page);
  int scanned = 0;

  for (guint i = 0; i < g_list_model_get_n_items (lines); i++)
    {
      g_autoptr(QoimaActLine) line = g_list_model_get_item (lines, i);

      scanned += qoima_act_line_get_scanned (line);
    }
  return scanned;
}

static gboolean
scanned_is (gpointer data)
{
  QoimaActsPage *page = data;
  int expected = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (page), "expected-scanned"));

  return scanned_in_lines (page) == expected &&
         qoima_acts_page_get_act (page) != NULL &&
         qoima_act_get_scanned (qoima_acts_page_get_act (page)) == expected;
}

/* The Acts page's answer to a scan. */
static int
scan (QoimaWindow *window,
      const char  *text)
{
  qoima_test_scan (window, text);
  return qoima_acts_page_get_scan_outcome (qoima_window_get_acts_page (window));
}

static QoimaKeyDialog *
find_key_dialog (void)
{
  return QOIMA_KEY_DIALOG (qoima_test_find_window (QOIMA_TYPE_KEY_DIALOG));
}

static gboolean
key_dialog_shown (gpointer data)
{
  return find_key_dialog () != NULL;
}

static gboolean
key_dialog_answered (gpointer data)
{
  QoimaKeyDialog *dialog = data;

  return qoima_key_dialog_get_certificate (dialog) != NULL || qoima_key_dialog_get_error (dialog) != NULL;
}

/* Sets the dialog's file and password, opens the key and waits for what it says. */
static void
open_key (QoimaKeyDialog *dialog,
          const char     *name,
          const char     *password)
{
  g_autofree char *path = g_build_filename (pki_dir (), name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  qoima_key_dialog_set_file (dialog, file);
  qoima_key_dialog_set_password (dialog, password);
  g_assert_null (qoima_key_dialog_get_certificate (dialog));
  qoima_key_dialog_activate_key (dialog);
  qoima_test_wait_until (key_dialog_answered, dialog, 30);
}

static gboolean
act_answered (gpointer data)
{
  QoimaActsPage *page = data;
  QoimaAct *act = qoima_acts_page_get_act (page);

  return !qoima_acts_page_get_busy (page) && act != NULL &&
         qoima_act_get_status (act) != QOIMA_ACT_STATUS_WAITING &&
         qoima_act_get_status (act) != QOIMA_ACT_STATUS_SENDING;
}

static void
user_added_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* An admin, who says whose IIN the chief's is. (transfer none: kept on the store) */
static QoimaUser *
user_admin (QoimaStore *store)
{
  QoimaUser *admin = g_object_get_data (G_OBJECT (store), "test-admin");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (admin != NULL)
    return admin;
  qoima_store_add_user_async (store, NULL, "admin", NULL, QOIMA_ROLE_ADMIN, 0, "Admin-pass-1", NULL,
                              user_added_cb, &result);
  qoima_test_wait_until (result_arrived, &result, 30);
  admin = qoima_store_add_user_finish (store, result, &error);
  g_assert_no_error (error);
  g_object_set_data_full (G_OBJECT (store), "test-admin", admin, g_object_unref);
  return admin;
}

/* The chief: answering acts is checked against the role, and her key against her IIN. */
static QoimaUser *
add_chief (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_add_user_async (store, user_admin (store), "chief", NULL, QOIMA_ROLE_CHIEF, 0, "Chief-pass-3", NULL,
                              user_added_cb, &result);
  qoima_test_wait_until (result_arrived, &result, 30);
  user = qoima_store_add_user_finish (store, result, &error);
  g_assert_no_error (error);
  g_object_unref (user);
  /* She signs with sign.p12, whose certificate carries her IIN (issue 8). */
  return qoima_test_set_signing (store, user_admin (store), "chief", CHIEF_IIN, FALSE);
}

static QoimaSignDialog *
find_sign_dialog (void)
{
  GtkWindow *window = qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG);

  return window != NULL ? QOIMA_SIGN_DIALOG (window) : NULL;
}

/* An act from СК-Фармация of two demo products, @n_packs packs in all. */
static JsonNode *
post_act (QoimaTestStand *stand,
          int             n_packs)
{
  g_autoptr(GPtrArray) products = qoima_demo_products ();
  g_autofree char *body = NULL;

  body = g_strdup_printf ("{\"sender\":\"" SK_PHARMACIA_BIN "\",\"receiver\":\"" HOSPITAL_BIN "\",\"box_size\":0,"
                          "\"lines\":[{\"gtin\":\"%s\",\"packs\":%d},{\"gtin\":\"%s\",\"packs\":%d}]}",
                          qoima_product_get_gtin (g_ptr_array_index (products, 0)), n_packs / 2,
                          qoima_product_get_gtin (g_ptr_array_index (products, 1)), n_packs - n_packs / 2);
  return qoima_test_stand_admin (stand, "POST", "acts", body);
}

/* The services as the application makes them; @auth is the session's AUTH key or NULL. */
static QoimaContext *
make_context (QoimaStore        *store,
              QoimaTestStand    *stand,
              GSettings         *settings,
              QoimaSigner       *auth,
              QoimaIsmptClient **client,
              QoimaSync        **sync)
{
  g_autofree char *catalog = g_strdup_printf ("%s/gwp", stand->host_url);
  QoimaContext *context;

  *client = qoima_ismpt_client_new (stand->base_url, NULL);
  qoima_ismpt_client_set_catalog (*client, catalog, "qoima-stand-api-key");
  qoima_ismpt_client_set_timeout (*client, 10);
  *sync = qoima_sync_new (store, *client);
  qoima_sync_set_poll (*sync, 20, 10000);
  context = qoima_context_new (store, settings);
  if (auth != NULL)
    qoima_context_set_auth_signer (context, auth);
  qoima_context_set_ismpt (context, *client, *sync);
  return context;
}

static void
test_act_scanned_and_signed (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *stand_db = g_build_filename (tmp, "stand.db", NULL);
  g_autofree char *catalog = NULL;
  g_autofree char *body = NULL;
  g_autofree char *password = pki_password ();
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autoptr(QoimaSigner) auth = NULL;
  g_autoptr(GPtrArray) products = qoima_demo_products ();
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(QoimaPack) foreign = NULL;
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  JsonArray *marking_codes;
  QoimaWindow *window;
  QoimaActsPage *page;
  QoimaKeyDialog *dialog;
  gint64 packs_before;
  QoimaTestStand stand = { 0 };

  qoima_test_stand_start (&stand, stand_db);
  store = qoima_test_open_demo_store (db_path, DEMO_PACKS);
  packs_before = count_packs (store);

  /* An act from СК-Фармация of two demo products. */
  body = g_strdup_printf ("{\"sender\":\"" SK_PHARMACIA_BIN "\",\"receiver\":\"" HOSPITAL_BIN "\",\"box_size\":0,"
                          "\"lines\":[{\"gtin\":\"%s\",\"packs\":%d},{\"gtin\":\"%s\",\"packs\":%d}]}",
                          qoima_product_get_gtin (g_ptr_array_index (products, 0)), ACT_PACKS / 2,
                          qoima_product_get_gtin (g_ptr_array_index (products, 1)), ACT_PACKS / 2);
  created = qoima_test_stand_admin (&stand, "POST", "acts", body);
  marking_codes = qoima_json_get_array (json_node_get_object (created), "marking_codes");
  g_assert_cmpuint (json_array_get_length (marking_codes), ==, ACT_PACKS);

  /* The services as the application makes them, with the AUTH key of this session. */
  catalog = g_strdup_printf ("%s/gwp", stand.host_url);
  client = qoima_ismpt_client_new (stand.base_url, NULL);
  qoima_ismpt_client_set_catalog (client, catalog, "qoima-stand-api-key");
  qoima_ismpt_client_set_timeout (client, 10);
  sync = qoima_sync_new (store, client);
  qoima_sync_set_poll (sync, 20, 10000);
  context = qoima_context_new (store, settings);
  auth = qoima_test_load_key ("auth.p12");
  qoima_context_set_auth_signer (context, auth);
  qoima_context_set_ismpt (context, client, sync);
  chief = add_chief (store);
  qoima_context_set_user (context, chief);

  /* The window syncs once on its own as it starts. */
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  page = qoima_window_get_acts_page (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-acts", NULL);
  qoima_test_wait_until (acts_listed, page, 60);
  g_assert_cmpuint (g_list_model_get_n_items (qoima_acts_page_get_acts (page)), ==, 1);
  act = g_list_model_get_item (qoima_acts_page_get_acts (page), 0);
  g_assert_cmpstr (qoima_act_get_ismpt_id (act), ==,
                   qoima_json_get_string (json_node_get_object (created), "id"));
  g_assert_cmpint (qoima_act_get_packs (act), ==, ACT_PACKS);
  g_assert_cmpint (qoima_act_get_status (act), ==, QOIMA_ACT_STATUS_WAITING);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-acts-list.png");

  /* The act's page: its two products, nothing scanned yet. */
  qoima_acts_page_open_act (page, qoima_act_get_id (act));
  qoima_test_wait_until (lines_loaded, page, 30);
  g_assert_cmpint (scanned_in_lines (page), ==, 0);

  /* Scans through the window's own path mark packs received. */
  for (int i = 0; i < SCANNED; i++)
    g_assert_cmpint (scan (window, qoima_json_array_get_string (marking_codes, i)), ==, QOIMA_ACT_SCAN_MARKED);
  g_object_set_data (G_OBJECT (page), "expected-scanned", GINT_TO_POINTER (SCANNED));
  qoima_test_wait_until (scanned_is, page, 30);

  /* The same pack again, and a pack of the hospital's own stock, stand out as such. */
  g_assert_cmpint (scan (window, qoima_json_array_get_string (marking_codes, 0)), ==, QOIMA_ACT_SCAN_AGAIN);
  g_assert_nonnull (strstr (qoima_acts_page_get_scan_message (page), "already"));
  foreign = qoima_test_first_pack_in_stock (store);
  g_assert_cmpint (scan (window, qoima_pack_get_km (foreign)), ==, QOIMA_ACT_SCAN_NOT_IN_ACT);
  g_assert_nonnull (strstr (qoima_acts_page_get_scan_message (page), "Not in this act"));
  /* Neither changed the counts, and stock is untouched by scanning into an act. */
  qoima_test_wait_until (scanned_is, page, 30);
  g_assert_cmpint (count_packs (store), ==, packs_before);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-acts-act.png");

  /* Accept what was scanned: the key dialog asks for the signing key. */
  gtk_widget_activate_action (GTK_WIDGET (page), "acts.accept-scanned", NULL);
  qoima_test_wait_until (key_dialog_shown, NULL, 30);
  dialog = find_key_dialog ();
  g_assert_cmpint (qoima_key_dialog_get_purpose (dialog), ==, QOIMA_KEY_PURPOSE_SIGNING);

  /* A wrong password, then the AUTH key offered for a signature: each is refused in words. */
  open_key (dialog, "sign.p12", "not-the-password");
  g_assert_null (qoima_key_dialog_get_certificate (dialog));
  g_assert_nonnull (qoima_key_dialog_get_error (dialog));
  open_key (dialog, "auth.p12", password);
  g_assert_nonnull (qoima_key_dialog_get_certificate (dialog));
  g_assert_nonnull (qoima_key_dialog_get_error (dialog));
  qoima_key_dialog_activate_key (dialog);
  g_assert_true (find_key_dialog () == dialog);

  /* The signing key: its certificate is shown, then it signs. */
  open_key (dialog, "sign.p12", password);
  g_assert_null (qoima_key_dialog_get_error (dialog));
  g_assert_cmpstr (qoima_certificate_get_iin (qoima_key_dialog_get_certificate (dialog)), ==, "850715400238");
  g_assert_cmpstr (qoima_certificate_get_bin (qoima_key_dialog_get_certificate (dialog)), ==, HOSPITAL_BIN);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  qoima_test_save_screenshot (GTK_WIDGET (dialog), "test-acts-key-dialog.png");
  qoima_key_dialog_activate_key (dialog);
  g_assert_null (find_key_dialog ());

  /* Before the signature, what is signed (issue 8): the act, its sender and date, the packs,
   * and whose key it is. */
  qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
  {
    QoimaSignDialog *summary_dialog = find_sign_dialog ();
    g_autofree char *summary = qoima_sign_dialog_get_summary (summary_dialog);
    g_autofree char *number = g_strdup_printf ("Act № %s", qoima_act_get_number (act));
    g_autofree char *packs = g_strdup_printf ("accept the %d packs scanned, refuse the other %d of %d",
                                              SCANNED, ACT_PACKS - SCANNED, ACT_PACKS);

    g_test_message ("%s", summary);
    g_assert_nonnull (strstr (summary, "LP_ACCEPT_GOODS"));
    g_assert_nonnull (strstr (summary, number));
    g_assert_nonnull (strstr (summary, SK_PHARMACIA_BIN));
    g_assert_nonnull (strstr (summary, packs));
    g_assert_nonnull (strstr (summary, "ЖАКСЫБЕКОВА АЙГУЛЬ, IIN " CHIEF_IIN));
    g_assert_cmpint (qoima_act_get_status (qoima_acts_page_get_act (page)), ==, QOIMA_ACT_STATUS_WAITING);
    gtk_test_widget_wait_for_draw (GTK_WIDGET (summary_dialog));
    qoima_test_save_screenshot (GTK_WIDGET (summary_dialog), "test-acts-summary.png");
    qoima_sign_dialog_sign (summary_dialog);
  }

  /* Signed, pushed, checked by the stand: the act is partially accepted, stock grew. */
  qoima_test_wait_until (act_answered, page, 60);
  g_assert_cmpint (qoima_act_get_status (qoima_acts_page_get_act (page)), ==,
                   QOIMA_ACT_STATUS_PARTIALLY_ACCEPTED);
  g_assert_cmpint (count_packs (store), ==, packs_before + SCANNED);
  /* The act's page says what became of it, not what to scan: no stale scan outcome, no
   * answer buttons. */
  {
    GtkLabel *card = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (page), QOIMA_TYPE_ACTS_PAGE, "scan_label"));
    g_autofree char *expected = g_strdup_printf ("Partly accepted: %d of %d packs added to stock, the rest refused",
                                                 SCANNED, ACT_PACKS);

    g_assert_cmpint (qoima_act_get_accepted (qoima_acts_page_get_act (page)), ==, SCANNED);
    g_assert_cmpstr (gtk_label_get_text (card), ==, expected);
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), QOIMA_TYPE_ACTS_PAGE,
                                                                                       "act_buttons"))));
  }
  {
    g_autofree char *path = g_settings_get_string (settings, "signing-key-path");

    /* The file is remembered; the password is in no setting. */
    g_assert_true (g_str_has_suffix (path, "sign.p12"));
  }
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-acts-answered.png");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&context);
  g_clear_object (&sync);
  g_clear_object (&client);
  qoima_store_close (store);
  qoima_test_stand_stop (&stand);
  qoima_test_remove_tree (tmp);
}

/* Answers the act (the chief, @key) and pushes the outbox through @sync; the push's error. */
static GError *
answer_and_push (QoimaSync   *sync,
                 QoimaStore  *store,
                 QoimaUser   *chief,
                 const char  *key,
                 const char  *number)
{
  g_autoptr(QoimaSigner) signer = qoima_test_load_key (key);
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(GAsyncResult) answered = NULL;
  g_autoptr(GAsyncResult) pushed = NULL;
  g_autoptr(GListModel) acts = NULL;
  g_autoptr(GError) error = NULL;
  gint64 act_id = 0;

  qoima_store_list_acts_async (store, NULL, qoima_test_result_cb, &listed);
  qoima_test_wait_until (qoima_test_result_is_set, &listed, 30);
  acts = qoima_store_list_acts_finish (store, listed, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (acts); i++)
    {
      g_autoptr(QoimaAct) act = g_list_model_get_item (acts, i);

      if (g_strcmp0 (qoima_act_get_number (act), number) == 0)
        act_id = qoima_act_get_id (act);
    }
  g_assert_cmpint (act_id, >, 0);
  qoima_sync_answer_act_async (sync, act_id, QOIMA_ACCEPT_ALL, NULL, signer, chief, NULL, qoima_test_result_cb, &answered);
  qoima_test_wait_until (qoima_test_result_is_set, &answered, 30);
  g_assert_cmpint (qoima_sync_answer_act_finish (sync, answered, &error), >, 0);
  qoima_sync_push_async (sync, NULL, qoima_test_result_cb, &pushed);
  qoima_test_wait_until (qoima_test_result_is_set, &pushed, 60);
  g_assert_false (qoima_sync_push_finish (sync, pushed, &error));
  return g_steal_pointer (&error);
}

/* Each answer's state as it is, on its act's row: waiting to be sent (no AUTH key chosen),
 * refused (ИС МПТ's reason), accepted by ИС МПТ but not recorded yet (the warehouse's
 * reason). Made through the core; the window only shows them. */
static void
test_answer_states_shown (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *stand_db = g_build_filename (tmp, "stand.db", NULL);
  g_autoptr(GPtrArray) products = qoima_demo_products ();
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaIsmptClient) keyless = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autoptr(QoimaSync) keyless_sync = NULL;
  g_autoptr(QoimaSigner) auth = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(GError) error = NULL;
  char *numbers[3];
  QoimaTestStand stand = { 0 };
  QoimaWindow *window;
  QoimaActsPage *page;
  sqlite3 *db = NULL;

  qoima_test_stand_start (&stand, stand_db);
  store = qoima_test_open_demo_store (db_path, 10);
  chief = add_chief (store);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"sender\":\"" SK_PHARMACIA_BIN "\",\"receiver\":\"" HOSPITAL_BIN "\","
                                               "\"box_size\":0,\"lines\":[{\"gtin\":\"%s\",\"packs\":2}]}",
                                               qoima_product_get_gtin (g_ptr_array_index (products, i)));
      g_autoptr(JsonNode) created = qoima_test_stand_admin (&stand, "POST", "acts", body);

      numbers[i] = g_strdup (qoima_json_get_string (json_node_get_object (created), "number"));
    }

  client = qoima_ismpt_client_new (stand.base_url, NULL);
  auth = qoima_test_load_key ("auth.p12");
  qoima_ismpt_client_set_auth_signer (client, auth);
  sync = qoima_sync_new (store, client);
  qoima_sync_set_poll (sync, 20, 10000);
  {
    g_autoptr(GAsyncResult) pulled = NULL;

    qoima_sync_pull_async (sync, NULL, qoima_test_result_cb, &pulled);
    qoima_test_wait_until (qoima_test_result_is_set, &pulled, 60);
    g_assert_cmpint (qoima_sync_pull_finish (sync, pulled, &error), ==, 3);
  }

  /* Signed with another organization's key: refused. */
  g_clear_error (&error);
  error = answer_and_push (sync, store, chief, "foreign.p12", numbers[0]);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_REFUSED);
  g_clear_error (&error);

  /* Accepted by ИС МПТ while the warehouse refuses new packs (an injected failure). */
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TRIGGER test_no_packs BEFORE INSERT ON packs "
                                     "BEGIN SELECT RAISE (ABORT, 'the test refuses new packs'); END",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  error = answer_and_push (sync, store, chief, "sign.p12", numbers[1]);
  g_assert_true (error->domain == QOIMA_STORE_ERROR);
  g_clear_error (&error);

  /* No AUTH key chosen: the answer waits in the outbox. */
  keyless = qoima_ismpt_client_new (stand.base_url, NULL);
  keyless_sync = qoima_sync_new (store, keyless);
  error = answer_and_push (keyless_sync, store, chief, "sign.p12", numbers[2]);
  g_assert_nonnull (strstr (error->message, "AUTH"));

  /* The window, without ИС МПТ: it only shows what the store says. */
  context = qoima_context_new (store, settings);
  qoima_context_set_user (context, chief);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));
  page = qoima_window_get_acts_page (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-acts", NULL);
  qoima_test_wait_until (acts_listed, page, 30);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Answer refused by ИС МПТ"));
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Answered by ИС МПТ, not recorded yet"));
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "the test refuses new packs"));
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Waiting to be sent"));
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "No authentication (AUTH) key is chosen"));
  g_assert_false (qoima_test_find_text (GTK_WIDGET (page), "Answer sent"));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-acts-answer-states.png");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  for (int i = 0; i < 3; i++)
    g_free (numbers[i]);
  g_clear_object (&context);
  qoima_store_close (store);
  qoima_test_stand_stop (&stand);
  qoima_test_remove_tree (tmp);
}

static gboolean
page_idle (gpointer data)
{
  return !qoima_acts_page_get_busy (data);
}

static gboolean
acts_answered (gpointer data)
{
  QoimaActsPage *page = data;
  GListModel *acts = qoima_acts_page_get_acts (page);

  if (qoima_acts_page_get_busy (page) || g_list_model_get_n_items (acts) != 2)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (acts); i++)
    {
      g_autoptr(QoimaAct) act = g_list_model_get_item (acts, i);

      if (qoima_act_get_status (act) != QOIMA_ACT_STATUS_ACCEPTED)
        return FALSE;
    }
  return TRUE;
}

static gint64
count_outbox (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  qoima_store_list_outbox_async (store, TRUE, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  entries = qoima_store_list_outbox_finish (store, result, &error);
  g_assert_no_error (error);
  return entries->len;
}

/* "Accept and Sign Selected" with the key opened earlier: the summary of ALL the acts is
 * shown every time before anything is signed; cancelled, nothing is. */
static void
test_accept_selected_shows_all (void)
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
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  QoimaWindow *window;
  QoimaActsPage *page;
  QoimaTestStand stand = { 0 };
  GListModel *acts;

  qoima_test_stand_start (&stand, stand_db);
  store = qoima_test_open_demo_store (db_path, 20);
  first = post_act (&stand, 4);
  second = post_act (&stand, 6);
  auth = qoima_test_load_key ("auth.p12");
  context = make_context (store, &stand, settings, auth, &client, &sync);
  chief = add_chief (store);
  qoima_context_set_user (context, chief);
  /* The signing key was opened earlier in the session. */
  signer = qoima_test_load_key ("sign.p12");
  qoima_context_set_signer (context, signer);

  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  page = qoima_window_get_acts_page (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-acts", NULL);
  /* The sync saves the acts one by one and the page reloads as the store changes: wait
   * for both, not for the first list. */
  qoima_test_wait_until (two_acts_listed, page, 60);
  acts = qoima_acts_page_get_acts (page);
  g_assert_cmpuint (g_list_model_get_n_items (acts), ==, 2);

  for (int round = 0; round < 2; round++)
    {
      QoimaSignDialog *dialog;
      g_autofree char *summary = NULL;

      for (guint i = 0; i < 2; i++)
        {
          g_autoptr(QoimaAct) act = g_list_model_get_item (acts, i);

          qoima_acts_page_select_act (page, qoima_act_get_id (act), TRUE);
        }
      gtk_widget_activate_action (GTK_WIDGET (page), "acts.accept-selected", NULL);
      qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
      g_assert_null (find_key_dialog ());
      dialog = find_sign_dialog ();
      summary = qoima_sign_dialog_get_summary (dialog);
      g_test_message ("%s", summary);
      for (guint i = 0; i < 2; i++)
        {
          g_autoptr(QoimaAct) act = g_list_model_get_item (acts, i);
          g_autofree char *number = g_strdup_printf ("Act № %s", qoima_act_get_number (act));
          g_autofree char *packs = g_strdup_printf ("accept all %d packs", qoima_act_get_packs (act));

          g_assert_nonnull (strstr (summary, number));
          g_assert_nonnull (strstr (summary, packs));
        }
      g_assert_nonnull (strstr (summary, SK_PHARMACIA_BIN));
      g_assert_nonnull (strstr (summary, "Packs: 10 packs"));
      g_assert_nonnull (strstr (summary, "ЖАКСЫБЕКОВА АЙГУЛЬ, IIN " CHIEF_IIN));

      if (round == 0)
        {
          gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
          qoima_test_save_screenshot (GTK_WIDGET (dialog), "test-acts-summary-selected.png");
          /* Cancelled: nothing signed, nothing queued, both acts still wait. */
          qoima_sign_dialog_cancel (dialog);
          qoima_test_wait_until (page_idle, page, 30);
          g_assert_null (find_sign_dialog ());
          g_assert_cmpint (count_outbox (store), ==, 0);
          for (guint i = 0; i < 2; i++)
            {
              g_autoptr(QoimaAct) act = g_list_model_get_item (acts, i);

              g_assert_cmpint (qoima_act_get_status (act), ==, QOIMA_ACT_STATUS_WAITING);
            }
        }
      else
        qoima_sign_dialog_sign (dialog);
    }

  /* Confirmed the second time: both signed, sent and accepted by the stand. */
  qoima_test_wait_until (acts_answered, page, 90);
  g_assert_cmpint (count_outbox (store), ==, 2);

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
needs_auth_key (gpointer data)
{
  return qoima_acts_page_get_needs_auth_key (data);
}

static gboolean
synced_with_auth (gpointer data)
{
  QoimaActsPage *page = data;

  return !qoima_acts_page_get_needs_auth_key (page) && acts_listed (page);
}

/* The AUTH key when it is needed: the sync at start does not pop the key dialog over the
 * first page; the Acts page says what is missing, and its button asks for the key. */
static void
test_auth_key_when_needed (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *stand_db = g_build_filename (tmp, "stand.db", NULL);
  g_autofree char *password = pki_password ();
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  QoimaKeyDialog *dialog;
  QoimaWindow *window;
  QoimaActsPage *page;
  QoimaTestStand stand = { 0 };

  qoima_test_stand_start (&stand, stand_db);
  store = qoima_test_open_demo_store (db_path, 20);
  created = post_act (&stand, 2);
  context = make_context (store, &stand, settings, NULL, &client, &sync);
  chief = add_chief (store);
  qoima_context_set_user (context, chief);

  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  page = qoima_window_get_acts_page (window);
  qoima_test_wait_until (needs_auth_key, page, 30);
  g_assert_null (find_key_dialog ());
  g_assert_false (qoima_acts_page_get_busy (page));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-acts", NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-acts-needs-auth-key.png");

  /* The page's button asks for the key, in context; once chosen, sync runs. */
  gtk_widget_activate_action (GTK_WIDGET (page), "acts.choose-auth-key", NULL);
  qoima_test_wait_until (key_dialog_shown, NULL, 30);
  dialog = find_key_dialog ();
  g_assert_cmpint (qoima_key_dialog_get_purpose (dialog), ==, QOIMA_KEY_PURPOSE_AUTH);
  open_key (dialog, "auth.p12", password);
  g_assert_null (qoima_key_dialog_get_error (dialog));
  qoima_key_dialog_activate_key (dialog);
  qoima_test_wait_until (synced_with_auth, page, 60);
  g_assert_nonnull (qoima_context_get_auth_signer (context));
  {
    g_autofree char *path = g_settings_get_string (settings, "auth-key-path");

    /* The file is remembered for next time; the password is not. */
    g_assert_true (g_str_has_suffix (path, "auth.p12"));
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

static void
test_instantiate (void)
{
  const GType types[] = { QOIMA_TYPE_ACTS_PAGE, QOIMA_TYPE_KEY_DIALOG, QOIMA_TYPE_SIGN_DIALOG };

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GObject *object = g_object_new (types[i], NULL);

      if (GTK_IS_WINDOW (object))
        {
          /* The window list owns a window; the test keeps a reference to see it go. */
          g_object_ref (object);
          gtk_window_destroy (GTK_WINDOW (object));
          g_assert_finalize_object (object);
        }
      else
        {
          g_object_ref_sink (object);
          g_assert_finalize_object (object);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();

  g_test_add_func ("/ui/acts/instantiate", test_instantiate);
  g_test_add_func ("/ui/acts/scan-and-sign", test_act_scanned_and_signed);
  g_test_add_func ("/ui/acts/answer-states-shown", test_answer_states_shown);
  g_test_add_func ("/ui/acts/accept-selected-shows-all", test_accept_selected_shows_all);
  g_test_add_func ("/ui/acts/auth-key-when-needed", test_auth_key_when_needed);

  return g_test_run ();
}
