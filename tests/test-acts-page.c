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
#include "qoima-pack.h"
#include "qoima-product.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-sync.h"
#include "qoima-ui-test-utils.h"
#include "qoima-user.h"
#include "qoima-window.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#define HOSPITAL_BIN "990340001230"
#define SK_PHARMACIA_BIN "080140005672"
#define DEMO_PACKS 300
#define ACT_PACKS 12
#define SCANNED 5

static guint32 key_time = 1000;

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

static gint64
count_packs (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 n;

  qoima_store_count_packs_async (store, NULL, result_cb, &result);
  qoima_test_wait_until (result_is_set, &result, 30);
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

static void
flag_cb (gpointer  instance,
         gboolean *flag)
{
  *flag = TRUE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

static int
scan (QoimaWindow *window,
      const char  *text)
{
  gboolean handled = FALSE;
  gulong handler = g_signal_connect (window, "scan-handled", G_CALLBACK (flag_cb), &handled);

  /* A pause longer than max-gap-ms first, so that a new burst starts. */
  key_time += 10000;
  qoima_test_type_into_reader (qoima_window_get_scan_reader (window), text, FALSE, &key_time, 8);
  qoima_test_wait_until (flag_is_set, &handled, 30);
  g_signal_handler_disconnect (window, handler);
  return qoima_acts_page_get_scan_outcome (qoima_window_get_acts_page (window));
}

static QoimaKeyDialog *
find_key_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (QOIMA_IS_KEY_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return QOIMA_KEY_DIALOG (window);
    }
  return NULL;
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

/* The chief, the database's first user: answering acts is checked against the role. */
static QoimaUser *
add_chief (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_add_user_async (store, NULL, "chief", NULL, QOIMA_ROLE_CHIEF, 0, "Chief-pass-3", NULL,
                              user_added_cb, &result);
  qoima_test_wait_until (result_arrived, &result, 30);
  user = qoima_store_add_user_finish (store, result, &error);
  g_assert_no_error (error);
  return user;
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
  gtk_widget_activate_action (GTK_WIDGET (page), "act.accept-scanned", NULL);
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

static void
test_instantiate (void)
{
  const GType types[] = { QOIMA_TYPE_ACTS_PAGE, QOIMA_TYPE_KEY_DIALOG };

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

  return g_test_run ();
}
