/* test-application-page.c: the Application page against the stand (seed 004)
 *
 * An administrator gets the licenses, fills an application with two production bases and
 * their permits; «Сохранить» catches a base without a subtype (R004-11, R004-12) and a
 * missing certificate (R004-16) under their fields. The chief rejects it once with a
 * reason (R004-20); the second round she signs the consent with her key and sends it
 * (R004-22). The stand's Fund reviews, checks and approves it through its admin interface,
 * and the page, following the Fund, shows «Включен в БД» (R004-26).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "qoima-cms.h"
#include "qoima-context.h"
#include "qoima-fund-base-row.h"
#include "qoima-fund-client.h"
#include "qoima-i18n.h"
#include "qoima-json.h"
#include "qoima-registration.h"
#include "qoima-sign-dialog.h"
#include "qoima-store-fund.h"
#include "qoima-store-registration.h"
#include "qoima-store-users.h"
#include "qoima-ui-test-utils.h"
#include "qoima-window-private.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* The stand world's hospital: the chief's keys of the test PKI carry its BIN (R004-22). */
#define HOSPITAL_BIN "990340001230"

static QoimaUser *
add_user (QoimaStore *store,
          QoimaUser  *acting,
          const char *name,
          QoimaRole   role)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_add_user_async (store, acting, name, NULL, role, 0, "Secret-pass-1", NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  user = qoima_store_add_user_finish (store, result, &error);
  g_assert_no_error (error);
  return user;
}

static gboolean
page_idle (gpointer data)
{
  return !qoima_application_page_get_busy (data);
}

typedef struct {
  QoimaApplicationPage *page;
  QoimaFundStatus       status;
} StatusWait;

static gboolean
form_status_is (gpointer data)
{
  StatusWait *wait = data;
  const QoimaFundApplication *form = qoima_application_page_get_form (wait->page);

  return !qoima_application_page_get_busy (wait->page) && form != NULL && form->id != 0 &&
         form->status == wait->status;
}

static void
wait_for_status (QoimaApplicationPage *page,
                 QoimaFundStatus       status)
{
  StatusWait wait = { page, status };

  qoima_test_wait_until (form_status_is, &wait, 60);
}

/* Whether the button of @action is shown under @root (by action: its label is translated). */
static GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
action_shown (QoimaApplicationPage *page,
              const char           *action)
{
  GtkWidget *button = find_action_button (GTK_WIDGET (page), action);

  g_assert_nonnull (button);
  return gtk_widget_get_visible (button);
}

/* The scrolled window shown (the form's, when the form is open). */
static GtkScrolledWindow *
shown_scroller (GtkWidget *root)
{
  if (GTK_IS_SCROLLED_WINDOW (root) && gtk_widget_get_mapped (root))
    return GTK_SCROLLED_WINDOW (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkScrolledWindow *found = shown_scroller (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
form_scrolled (gpointer data)
{
  GtkScrolledWindow *scroller = shown_scroller (data);

  return scroller != NULL && gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (scroller)) > 0;
}

static GFile *
write_file (const char *dir,
            const char *name,
            gsize       size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *data = g_malloc0 (size);
  g_autoptr(GError) error = NULL;

  memcpy (data, "%PDF-1.4\n", MIN (size, 9));
  g_assert_true (g_file_set_contents (path, data, (gssize) size, &error));
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
attach (QoimaApplicationPage *page,
        int                   index,
        GFile                *file)
{
  qoima_application_page_attach (page, index, file);
  qoima_test_wait_until (page_idle, page, 30);
}

static gboolean
widget_is_visible (gpointer data)
{
  return gtk_widget_get_visible (GTK_WIDGET (data));
}

static gboolean
widget_is_hidden (gpointer data)
{
  return !gtk_widget_get_visible (GTK_WIDGET (data));
}

static void
screenshot (QoimaWindow *window,
            const char  *name)
{
  const char *language = g_getenv ("LANGUAGE");
  g_autofree char *file = g_strdup_printf ("test-application-%s%s%s.png", name, language != NULL ? "-" : "",
                                           language != NULL ? language : "");

  /* A few frames: after another user signs in, the header's switcher and the bottom bar
   * settle over two layouts. */
  for (int i = 0; i < 3; i++)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), file);
}

/* The Fund's staff at work on the stand (R004-26). */
static void
fund_step (QoimaTestStand *stand,
           const char     *fund_id,
           const char     *action,
           const char     *body,
           const char     *expected)
{
  g_autofree char *escaped = g_uri_escape_string (fund_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("fund/applications/%s/%s", escaped, action);
  g_autoptr(JsonNode) answer = qoima_test_stand_admin (stand, "POST", path, body);

  g_assert_cmpstr (qoima_json_get_string (json_node_get_object (answer), "status"), ==, expected);
}

static void
sign_in (QoimaContext         *context,
         QoimaWindow          *window,
         QoimaApplicationPage *page,
         QoimaUser            *user)
{
  qoima_context_set_user (context, user);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-application", NULL);
  qoima_test_wait_until (page_idle, page, 30);
}

/* The chief signs @id, sent to her, and sends it; returns the Fund's number. */
static char *
chief_sends (QoimaApplicationPage *page,
             gint64                id)
{
  qoima_application_page_open (page, id);
  gtk_widget_activate_action (GTK_WIDGET (page), "application.sign", NULL);
  qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
  qoima_sign_dialog_sign (QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG)));
  wait_for_status (page, QOIMA_FUND_UNDER_REVIEW);
  return g_strdup (qoima_application_page_get_form (page)->fund_id);
}

/* The status of @id in the page's list. */
static QoimaFundStatus
listed_status (QoimaApplicationPage *page,
               gint64                id)
{
  for (guint i = 0; i < qoima_application_page_get_n_applications (page); i++)
    {
      const QoimaFundApplication *app = qoima_application_page_get_application (page, i);

      if (app->id == id)
        return app->status;
    }
  g_assert_not_reached ();
}

static void
save_registration (QoimaStore *store,
                   QoimaUser  *admin)
{
  g_autoptr(QoimaRegistration) registration = qoima_registration_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  qoima_registration_set (registration, "bin", HOSPITAL_BIN);
  qoima_registration_set (registration, "full-name", "ГКП на ПХВ «Городская больница №1»");
  qoima_registration_set (registration, "kato", "751110000");
  qoima_registration_set (registration, "address", "ул. Абая");
  qoima_registration_set (registration, "participant-email", "info@hospital1.kz");
  qoima_registration_set (registration, "participant-phone", "+77272000000");
  qoima_store_save_registration_async (store, admin, registration, "confirmed", "REG-1", NULL, NULL,
                                       qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  g_assert_true (qoima_store_save_registration_finish (store, result, &error));
  g_assert_no_error (error);
}

static void
test_application_round (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *stand_db = g_build_filename (tmp, "stand.db", NULL);
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(GFile) permit1 = write_file (tmp, "СЭС база 1.pdf", 2048);
  g_autoptr(GFile) permit2 = write_file (tmp, "СЭС база 2.pdf", 4096);
  g_autoptr(GFile) certificate = write_file (tmp, "Справка о госрегистрации.pdf", 1024);
  g_autoptr(GError) error = NULL;
  g_autofree char *fund_id = NULL;
  QoimaTestStand stand = { 0 };
  QoimaWindow *window;
  QoimaApplicationPage *page;
  QoimaFundBaseRow *base0, *base1;
  gint64 id;

  qoima_test_stand_start (&stand, stand_db);
  store = qoima_test_open_store (db_path);
  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN);
  g_object_unref (add_user (store, admin, "chief", QOIMA_ROLE_CHIEF));
  /* She signs with sign.p12, whose certificate carries her IIN. */
  chief = qoima_test_set_signing (store, admin, "chief", CHIEF_IIN, FALSE);
  save_registration (store, admin);
  signer = qoima_test_load_key ("sign.p12");

  context = qoima_context_new (store, settings);
  qoima_context_set_user (context, admin);
  window = g_object_ref (qoima_window_new (NULL, context));
  /* 800 px: the narrowest window the page is looked at in. */
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 760);
  gtk_window_present (GTK_WINDOW (window));
  page = qoima_window_get_application_page (window);
  qoima_application_page_set_fund_url (page, stand.host_url);
  qoima_application_page_set_open_files (page, FALSE);
  /* R004-3: the page is the administrator's (and the chief's), not a clerk's. */
  g_assert_nonnull (qoima_window_get_page_accel (window, "application"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-application", NULL);
  qoima_test_wait_until (page_idle, page, 30);

  /* R004-1, R004-2: the licenses of the registered BIN, the listed ones shown. */
  gtk_widget_activate_action (GTK_WIDGET (page), "application.get-licenses", NULL);
  qoima_test_wait_until (page_idle, page, 60);
  g_assert_null (qoima_application_page_get_message (page));
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Обработан"));
  screenshot (window, "licenses");

  /* A new application: BIN and name from registration, bases from the annexes. */
  gtk_widget_activate_action (GTK_WIDGET (page), "application.new", NULL);
  g_assert_nonnull (qoima_application_page_get_form (page));
  g_assert_cmpstr (qoima_application_page_get_form (page)->bin, ==, HOSPITAL_BIN);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), HOSPITAL_BIN));
  g_assert_cmpuint (qoima_application_page_get_n_bases (page), ==, 2);
  qoima_application_page_set_text (page, "name_kk", "«№1 қалалық аурухана» ШЖҚ МКК");
  qoima_application_page_set_text (page, "ownership", "Государственные организации");
  qoima_application_page_set_status (page, QOIMA_FUND_PROVIDER, TRUE);
  qoima_application_page_set_care (page, QOIMA_FUND_PROVIDER, "inpatient", TRUE);
  qoima_application_page_set_care (page, QOIMA_FUND_PROVIDER, "ct-mri-suspected-cancer", TRUE);
  qoima_application_page_set_text (page, "region", "750000000");
  qoima_application_page_set_text (page, "legal_index", "050000");
  qoima_application_page_set_text (page, "legal_house", "1");

  base0 = QOIMA_FUND_BASE_ROW (qoima_application_page_get_base_row (page, 0));
  base1 = QOIMA_FUND_BASE_ROW (qoima_application_page_get_base_row (page, 1));
  qoima_fund_base_row_set_text (base0, "latitude", "43,2389");
  qoima_fund_base_row_set_text (base0, "longitude", "76.8897");
  qoima_fund_base_row_set_text (base0, "kato", "751110000");
  qoima_fund_base_row_set_subtype (base0, "inpatient", TRUE);
  qoima_fund_base_row_set_text (base1, "latitude", "43.25");
  qoima_fund_base_row_set_text (base1, "longitude", "76.90");
  qoima_fund_base_row_set_text (base1, "kato", "751110000");
  attach (page, 0, permit1);
  attach (page, 1, permit2);
  g_assert_nonnull (qoima_fund_base_row_get_item (base0)->permit);
  g_assert_cmpint (qoima_fund_base_row_get_item (base1)->permit->size, ==, 4096);

  /* «Сохранить» with the second base's subtype missing and no certificate. */
  gtk_widget_activate_action (GTK_WIDGET (page), "application.save", NULL);
  g_assert_cmpint (qoima_application_page_get_form (page)->id, ==, 0);
  /* R004-11, in the seed's words, under the base */
  g_assert_cmpstr (qoima_application_page_get_problem (page, "bases[1].subtypes"), ==, QOIMA_FUND_TEXT_BASE_NO_SUBTYPE);
  g_assert_null (qoima_application_page_get_problem (page, "bases[0].subtypes"));
  /* R004-12: the subject's kind not on any base */
  g_assert_cmpstr (qoima_application_page_get_problem (page, "bases"), ==, QOIMA_FUND_TEXT_BASES_MISS_SUBTYPES);
  /* R004-16: «Это обязательное поле» under the missing certificate, in red */
  g_assert_cmpstr (qoima_application_page_get_problem (page, "registration"), ==, QOIMA_FUND_TEXT_REQUIRED);
  g_assert_null (qoima_application_page_get_problem (page, "name_kk"));
  g_assert_nonnull (qoima_application_page_get_message (page));
  /* The form scrolls to the first problem (the second base's, far down) after its next layout. */
  qoima_test_wait_until (form_scrolled, page, 10);
  screenshot (window, "problems");

  qoima_fund_base_row_set_subtype (base1, "ct-mri-suspected-cancer", TRUE);
  attach (page, -1, certificate);
  /* R004-15: a power of attorney over 20 MB is refused, its size asked before reading. */
  {
    g_autofree char *path = g_build_filename (tmp, "Доверенность.pdf", NULL);
    g_autoptr(GFile) big = g_file_new_for_path (path);
    int fd = g_open (path, O_CREAT | O_WRONLY, 0600);

    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (ftruncate (fd, QOIMA_FUND_ATTACHMENT_MAX + 1), ==, 0);
    close (fd);
    attach (page, -2, big);
    g_assert_nonnull (strstr (qoima_application_page_get_message (page), "20"));
    g_assert_cmpuint (qoima_application_page_get_form (page)->power_of_attorney->len, ==, 0);
    g_assert_cmpuint (qoima_application_page_get_form (page)->registration->len, ==, 1);
  }
  gtk_widget_activate_action (GTK_WIDGET (page), "application.save", NULL);
  wait_for_status (page, QOIMA_FUND_DRAFT);
  g_assert_null (qoima_application_page_get_problem (page, "bases[1].subtypes"));
  g_assert_null (qoima_application_page_get_problem (page, "registration"));
  id = qoima_application_page_get_form (page)->id;
  g_assert_cmpuint (qoima_application_page_get_form (page)->bases->len, ==, 2);
  g_assert_true (qoima_application_page_get_form (page)->bases->len == 2 &&
                 ((QoimaFundBase *) g_ptr_array_index (qoima_application_page_get_form (page)->bases, 0))->has_position);
  screenshot (window, "saved");

  /* R004-19: the application formed as a PDF to check. */
  gtk_widget_activate_action (GTK_WIDGET (page), "application.pdf", NULL);
  qoima_test_wait_until (page_idle, page, 30);
  g_assert_nonnull (qoima_application_page_get_pdf_path (page));
  g_assert_true (g_file_test (qoima_application_page_get_pdf_path (page), G_FILE_TEST_IS_REGULAR));

  /* «Отправить на подписание»; the chief rejects it with a reason (R004-20). */
  gtk_widget_activate_action (GTK_WIDGET (page), "application.submit", NULL);
  wait_for_status (page, QOIMA_FUND_CHIEF_REVIEW);
  qoima_context_set_user (context, chief);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-application", NULL);
  qoima_test_wait_until (page_idle, page, 30);
  g_assert_cmpuint (qoima_application_page_get_n_applications (page), ==, 1);
  qoima_application_page_open (page, id);
  /* The chief neither edits nor saves it. */
  g_assert_false (action_shown (page, "application.save"));
  g_assert_true (action_shown (page, "application.reject"));
  g_assert_true (action_shown (page, "application.sign"));
  qoima_application_page_reject (page, "Проверьте координаты баз");
  wait_for_status (page, QOIMA_FUND_DRAFT);
  g_assert_cmpstr (qoima_application_page_get_form (page)->chief_reason, ==, "Проверьте координаты баз");
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Проверьте координаты баз"));
  screenshot (window, "rejected");

  /* A second round: the author corrects and sends it again. */
  qoima_context_set_user (context, admin);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-application", NULL);
  qoima_test_wait_until (page_idle, page, 30);
  qoima_application_page_open (page, id);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Проверьте координаты баз"));
  base0 = QOIMA_FUND_BASE_ROW (qoima_application_page_get_base_row (page, 0));
  qoima_fund_base_row_set_text (base0, "latitude", "43.2390");
  gtk_widget_activate_action (GTK_WIDGET (page), "application.save", NULL);
  wait_for_status (page, QOIMA_FUND_DRAFT);
  gtk_widget_activate_action (GTK_WIDGET (page), "application.submit", NULL);
  wait_for_status (page, QOIMA_FUND_CHIEF_REVIEW);

  /* The chief signs the consent with her key, seeing what she signs, and sends (R004-22). */
  qoima_context_set_signer (context, signer);
  qoima_context_set_user (context, chief);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-application", NULL);
  qoima_test_wait_until (page_idle, page, 30);
  qoima_application_page_open (page, id);
  screenshot (window, "chief");
  gtk_widget_activate_action (GTK_WIDGET (page), "application.sign", NULL);
  qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
  {
    QoimaSignDialog *dialog = QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG));
    g_autofree char *summary = qoima_sign_dialog_get_summary (dialog);

    g_test_message ("%s", summary);
    g_assert_nonnull (strstr (summary, HOSPITAL_BIN));
    g_assert_nonnull (strstr (summary, "750000000"));
    g_assert_nonnull (strstr (summary, CHIEF_IIN));
    /* No count of packs in a document of none. */
    g_assert_null (strstr (summary, ": -1 "));
    /* It says where the signature goes: to the Fund, not to ИС МПТ. */
    g_assert_true (qoima_test_find_text (GTK_WIDGET (dialog), "ФСМС"));
    gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
    {
      const char *language = g_getenv ("LANGUAGE");
      g_autofree char *file = g_strdup_printf ("test-application-sign%s%s.png", language != NULL ? "-" : "",
                                               language != NULL ? language : "");

      qoima_test_save_screenshot (GTK_WIDGET (dialog), file);
    }
    qoima_sign_dialog_sign (dialog);
  }
  wait_for_status (page, QOIMA_FUND_UNDER_REVIEW);
  g_assert_null (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG));
  fund_id = g_strdup (qoima_application_page_get_form (page)->fund_id);
  g_assert_nonnull (fund_id);

  /* The consent's signature is a CMS of the chief's key over the application's PDF. */
  {
    const QoimaFundApplication *form = qoima_application_page_get_form (page);
    g_autofree char *ca_path = g_build_filename (g_getenv ("QOIMA_PKI_DIR"), "ca.pem", NULL);
    g_autofree char *ca = NULL;
    gsize ca_length, cms_length;
    g_autofree guchar *cms = NULL;
    g_autoptr(GBytes) cms_bytes = NULL;
    g_autoptr(GBytes) ca_bytes = NULL;
    g_autoptr(QoimaCertificate) signed_by = NULL;

    g_assert_nonnull (form->consent_signature);
    g_assert_true (g_file_get_contents (ca_path, &ca, &ca_length, &error));
    cms = g_base64_decode (form->consent_signature, &cms_length);
    cms_bytes = g_bytes_new (cms, cms_length);
    ca_bytes = g_bytes_new (ca, ca_length);
    /* Detached: without the signed PDF it does not verify. */
    g_assert_false (qoima_cms_verify (cms_bytes, ca_bytes, ca_bytes, NULL, NULL, NULL));
    {
      g_autofree char *pdf = NULL;
      gsize pdf_length;
      g_autoptr(GBytes) pdf_bytes = NULL;

      g_assert_true (g_file_get_contents (qoima_application_page_get_pdf_path (page), &pdf, &pdf_length, &error));
      pdf_bytes = g_bytes_new (pdf, pdf_length);
      g_assert_true (qoima_cms_verify (cms_bytes, pdf_bytes, ca_bytes, NULL, &signed_by, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (qoima_certificate_get_iin (signed_by), ==, CHIEF_IIN);
    }
  }

  /* The stand (started with the PKI's CA) checked the signature over the PDF sent beside it:
   * the same application with another document is refused (R004-22). */
  {
    g_autoptr(QoimaFundApplication) forged = qoima_fund_application_copy (qoima_application_page_get_form (page));
    g_autoptr(QoimaFundClient) client = qoima_fund_client_new (stand.host_url);
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *forged_id = NULL;

    g_assert_nonnull (forged->consent_document);
    g_free (forged->consent_document);
    forged->consent_document = g_base64_encode ((const guchar *) "%PDF-1.4 another", 16);
    qoima_fund_client_submit_async (client, forged, NULL, qoima_test_result_cb, &result);
    qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
    forged_id = qoima_fund_client_submit_finish (client, result, &error);
    g_assert_null (forged_id);
    g_assert_nonnull (error);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "Подпись согласия не прошла проверку"));
    g_clear_error (&error);
  }

  /* After sending, nothing can be edited or deleted (R004-24); she cannot sign twice. */
  g_assert_false (action_shown (page, "application.save"));
  g_assert_false (action_shown (page, "application.delete"));
  g_assert_false (action_shown (page, "application.sign"));
  g_assert_false (action_shown (page, "application.reject"));

  /* The Fund: the reviewer forms the inclusion and sends it to a checker, who confirms;
   * the approver approves (R004-26). */
  fund_step (&stand, fund_id, "form_inclusion", "{\"actor\":\"aigerim\"}", "На рассмотрении");
  fund_step (&stand, fund_id, "send_to_check", "{\"actor\":\"aigerim\",\"to\":[\"dana\"]}", "Согласована. На проверке");
  qoima_application_page_poll (page);
  wait_for_status (page, QOIMA_FUND_AGREED_CHECK);
  fund_step (&stand, fund_id, "confirm", "{\"actor\":\"dana\"}", "Подтверждена. На согласовании");
  fund_step (&stand, fund_id, "approve", "{\"actor\":\"gulnar\"}", "Включен в БД");
  /* Followed by the page's own poll, not asked for. */
  qoima_application_page_set_poll_seconds (page, 1);
  qoima_application_page_poll (page);
  wait_for_status (page, QOIMA_FUND_INCLUDED);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Включен в БД"));
  screenshot (window, "included");
  gtk_widget_activate_action (GTK_WIDGET (page), "application.back", NULL);
  g_assert_cmpstr (qoima_application_page_get_application (page, 0)->fund_id, ==, fund_id);
  g_assert_cmpint (qoima_application_page_get_application (page, 0)->status, ==, QOIMA_FUND_INCLUDED);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Включен в БД"));
  screenshot (window, "list");

  /* R004-25: «Внести изменение», a new version; the Fund rejects it with its reasons,
   * followed without being asked (the poll), and the page shows them (R004-26). */
  {
    g_autofree char *fund_id2 = NULL;
    g_autofree char *fund_id3 = NULL;
    gint64 id2, id3;

    sign_in (context, window, page, admin);
    qoima_application_page_open (page, id);
    g_assert_true (action_shown (page, "application.change"));
    gtk_widget_activate_action (GTK_WIDGET (page), "application.change", NULL);
    g_assert_cmpint (qoima_application_page_get_form (page)->id, ==, 0);
    qoima_application_page_set_text (page, "phone", "+77272000001");
    gtk_widget_activate_action (GTK_WIDGET (page), "application.save", NULL);
    wait_for_status (page, QOIMA_FUND_DRAFT);
    id2 = qoima_application_page_get_form (page)->id;
    g_assert_cmpint (id2, !=, id);
    g_assert_cmpint (qoima_application_page_get_form (page)->version, ==, 2);
    g_assert_cmpstr (qoima_application_page_get_form (page)->phone, ==, "+77272000001");
    gtk_widget_activate_action (GTK_WIDGET (page), "application.submit", NULL);
    wait_for_status (page, QOIMA_FUND_CHIEF_REVIEW);
    sign_in (context, window, page, chief);
    fund_id2 = chief_sends (page, id2);
    fund_step (&stand, fund_id2, "form_rejection",
               "{\"actor\":\"berik\",\"reasons\":[\"Недостоверные сведения о производственной базе\"],"
               "\"note\":\"Координаты вне адреса\"}", "На рассмотрении");
    fund_step (&stand, fund_id2, "send_to_check", "{\"actor\":\"berik\",\"to\":[\"erlan\"]}", "Отклонена. На проверке");
    fund_step (&stand, fund_id2, "confirm", "{\"actor\":\"erlan\"}", "Отклонена. На согласовании");
    fund_step (&stand, fund_id2, "approve", "{\"actor\":\"gulnar\"}", "Отклонена");
    wait_for_status (page, QOIMA_FUND_REJECTED);
    g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Недостоверные сведения о производственной базе"));
    g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Координаты вне адреса"));
    screenshot (window, "fund-rejected");
    /* The first version stays included: a rejected change changes nothing. */
    g_assert_cmpint (listed_status (page, id), ==, QOIMA_FUND_INCLUDED);

    /* A third version, approved: the first one now reads «Изменена» (R004-25). */
    sign_in (context, window, page, admin);
    qoima_application_page_open (page, id2);
    gtk_widget_activate_action (GTK_WIDGET (page), "application.change", NULL);
    /* R004-10: a base can be deleted; then its kind of care is on no base (R004-12). */
    g_assert_cmpuint (qoima_application_page_get_n_bases (page), ==, 2);
    g_signal_emit_by_name (qoima_application_page_get_base_row (page, 1), "delete-requested");
    g_assert_cmpuint (qoima_application_page_get_n_bases (page), ==, 1);
    gtk_widget_activate_action (GTK_WIDGET (page), "application.save", NULL);
    g_assert_cmpint (qoima_application_page_get_form (page)->id, ==, 0);
    g_assert_cmpstr (qoima_application_page_get_problem (page, "bases"), ==, QOIMA_FUND_TEXT_BASES_MISS_SUBTYPES);
    /* Thought better of: back, and the change begun again from the saved version. */
    gtk_widget_activate_action (GTK_WIDGET (page), "application.back", NULL);
    qoima_application_page_open (page, id2);
    gtk_widget_activate_action (GTK_WIDGET (page), "application.change", NULL);
    g_assert_cmpuint (qoima_application_page_get_n_bases (page), ==, 2);
    gtk_widget_activate_action (GTK_WIDGET (page), "application.save", NULL);
    wait_for_status (page, QOIMA_FUND_DRAFT);
    id3 = qoima_application_page_get_form (page)->id;
    g_assert_cmpint (qoima_application_page_get_form (page)->version, ==, 3);
    gtk_widget_activate_action (GTK_WIDGET (page), "application.submit", NULL);
    wait_for_status (page, QOIMA_FUND_CHIEF_REVIEW);
    sign_in (context, window, page, chief);
    fund_id3 = chief_sends (page, id3);
    fund_step (&stand, fund_id3, "form_inclusion", "{\"actor\":\"berik\"}", "На рассмотрении");
    fund_step (&stand, fund_id3, "send_to_check", "{\"actor\":\"berik\",\"to\":[\"erlan\"]}", "Согласована. На проверке");
    fund_step (&stand, fund_id3, "confirm", "{\"actor\":\"erlan\"}", "Подтверждена. На согласовании");
    fund_step (&stand, fund_id3, "approve", "{\"actor\":\"gulnar\"}", "Включен в БД");
    wait_for_status (page, QOIMA_FUND_INCLUDED);
    g_assert_cmpint (listed_status (page, id), ==, QOIMA_FUND_CHANGED);
    /* …and so does the rejected second: R004-25's "previous one" (the store's reading). */
    g_assert_cmpint (listed_status (page, id2), ==, QOIMA_FUND_CHANGED);
    g_assert_cmpint (listed_status (page, id3), ==, QOIMA_FUND_INCLUDED);

    /* R004-27: the Fund excludes it; the page follows that too, with the reason. */
    fund_step (&stand, fund_id3, "exclude", "{\"actor\":\"berik\",\"reason\":\"Прекращение действия лицензии\"}",
               "Включен в БД");
    fund_step (&stand, fund_id3, "send_to_check", "{\"actor\":\"berik\",\"to\":[\"dana\"]}", "Отклонена. На проверке");
    fund_step (&stand, fund_id3, "confirm", "{\"actor\":\"dana\"}", "Подтверждена. На согласовании");
    fund_step (&stand, fund_id3, "approve", "{\"actor\":\"gulnar\",\"signature\":\"MIIB\"}", "Исключен из БД");
    wait_for_status (page, QOIMA_FUND_EXCLUDED);
    g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Исключен из БД"));
    g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Прекращение действия лицензии"));
    screenshot (window, "excluded");
    gtk_widget_activate_action (GTK_WIDGET (page), "application.back", NULL);
    g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Изменена"));
    screenshot (window, "versions");
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&context);
  qoima_store_close (store);
  qoima_test_stand_stop (&stand);
  qoima_test_remove_tree (tmp);
}

/* The visible label under @root whose text is @text. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Opens the expander row titled @title under @root, as a click on it does. */
static void
expand_row (GtkWidget  *root,
            const char *title)
{
  GtkWidget *label = find_label (root, title);
  GtkWidget *row = label != NULL ? gtk_widget_get_ancestor (label, ADW_TYPE_EXPANDER_ROW) : NULL;

  g_assert_nonnull (row);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
}

/* The expander row titled @title under @root. */
static AdwExpanderRow *
find_expander_row (GtkWidget  *root,
                   const char *title)
{
  GtkWidget *label = find_label (root, title);
  GtkWidget *row = label != NULL ? gtk_widget_get_ancestor (label, ADW_TYPE_EXPANDER_ROW) : NULL;

  g_assert_nonnull (row);
  return ADW_EXPANDER_ROW (row);
}

typedef struct {
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;

  return find_label (wait->root, wait->text) != NULL;
}

/* What a collapsed row of kinds of care says of @n kinds named @names (issue 13). */
static char *
care_summary (guint       n,
              const char *names)
{
  if (n == 0)
    return g_strdup (_("Nothing chosen"));
  return g_strdup_printf (ngettext ("%u kind chosen: %s", "%u kinds chosen: %s", n), n, names);
}

/* What a collapsed production base says: its license, and its @n subtypes named @names. */
static char *
base_summary (QoimaFundBaseRow *row,
              guint             n,
              const char       *names)
{
  g_autofree char *from = g_strdup_printf (_("From license %s"), qoima_fund_base_row_get_item (row)->license);
  g_autofree char *subtypes = n > 0 ? g_strdup_printf (ngettext ("%u subtype of care: %s", "%u subtypes of care: %s", n), n, names)
                                    : g_strdup (_("No subtype of care chosen"));

  return g_strdup_printf ("%s · %s", from, subtypes);
}

static gboolean
form_scroll_moved (gpointer data)
{
  GtkScrolledWindow *scroller = ((gpointer *) data)[0];
  double *before = ((gpointer *) data)[1];

  return gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (scroller)) != *before;
}

/* Scrolls the form so that the section titled @title (as the UI says it) is at the top, as a
 * user scrolls down to it. */
static void
scroll_to_section (QoimaWindow          *window,
                   QoimaApplicationPage *page,
                   const char           *title)
{
  GtkScrolledWindow *scroller;
  GtkWidget *heading;
  GtkWidget *content;
  double x, y;

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  scroller = shown_scroller (GTK_WIDGET (page));
  g_assert_nonnull (scroller);
  heading = find_label (GTK_WIDGET (page), title);
  g_assert_nonnull (heading);
  content = gtk_scrolled_window_get_child (scroller);
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  g_assert_true (gtk_widget_translate_coordinates (heading, content, 0, 0, &x, &y));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (scroller), MAX (0, y - 12));
}

/* Issue 13, tried as a new user in Russian at 1000×720 (the window a laptop gives the page): an
 * administrator prepares an application for one region, section by section; «Сохранить» says
 * «Это обязательное поле» in red under what is missing (R004-16); the chief rejects it once with
 * a reason (R004-20), then signs what she sees and sends it (R004-22); the stand's Fund reviews,
 * checks and approves it, and Qoima shows «Включен в БД» (R004-26); a change is filed as a new
 * version and approved, and the old one reads «Изменена» (R004-25). A screenshot at every step
 * (test-application-walk-NN-…-ru.png). */
static void
test_walk_through (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *stand_db = g_build_filename (tmp, "stand.db", NULL);
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(GFile) permit1 = write_file (tmp, "СЭС база 1.pdf", 2048);
  g_autoptr(GFile) permit2 = write_file (tmp, "СЭС база 2.pdf", 4096);
  g_autoptr(GFile) certificate = write_file (tmp, "Справка о госрегистрации.pdf", 1024);
  g_autofree char *fund_id = NULL;
  g_autofree char *fund_id2 = NULL;
  QoimaTestStand stand = { 0 };
  QoimaWindow *window;
  QoimaApplicationPage *page;
  QoimaFundBaseRow *base0, *base1;
  AdwMessageDialog *reject_dialog;
  QoimaSignDialog *sign_dialog;
  gint64 id, id2;

  qoima_test_stand_start (&stand, stand_db);
  store = qoima_test_open_store (db_path);
  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN);
  g_object_unref (add_user (store, admin, "chief", QOIMA_ROLE_CHIEF));
  chief = qoima_test_set_signing (store, admin, "chief", CHIEF_IIN, FALSE);
  save_registration (store, admin);
  signer = qoima_test_load_key ("sign.p12");

  context = qoima_context_new (store, settings);
  qoima_context_set_user (context, admin);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 720);
  gtk_window_present (GTK_WINDOW (window));
  page = qoima_window_get_application_page (window);
  qoima_application_page_set_fund_url (page, stand.host_url);
  qoima_application_page_set_open_files (page, FALSE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-application", NULL);
  qoima_test_wait_until (page_idle, page, 30);

  /* The page as a new administrator first sees it: no application, no license yet. */
  g_assert_cmpuint (qoima_application_page_get_n_applications (page), ==, 0);
  screenshot (window, "walk-01-empty");
  gtk_widget_activate_action (GTK_WIDGET (page), "application.get-licenses", NULL);
  qoima_test_wait_until (page_idle, page, 60);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Обработан"));
  screenshot (window, "walk-02-licenses");

  /* A new application for one region (R004-4), its fields from registration marked so. */
  gtk_widget_activate_action (GTK_WIDGET (page), "application.new", NULL);
  g_assert_nonnull (qoima_application_page_get_form (page));
  screenshot (window, "walk-03-new");

  /* The subject (R004-5); the Kazakh name is left out for «Сохранить» to catch. Collapsed,
   * each row of kinds of care says what is chosen in it, as the choice changes (issue 13). */
  {
    AdwExpanderRow *provider = find_expander_row (GTK_WIDGET (page), _("Kinds of Care as «Поставщик»"));
    AdwExpanderRow *coexecutor = find_expander_row (GTK_WIDGET (page), _("Kinds of Care as «Соисполнитель»"));
    g_autofree char *nothing = care_summary (0, NULL);
    g_autofree char *one = care_summary (1, "Стационар");
    /* In the directory's order, the names shortened. */
    g_autofree char *two = care_summary (2, "КТ/МРТ при подозрении на онкологию, Стационар");

    g_assert_false (adw_expander_row_get_expanded (provider));
    g_assert_cmpstr (adw_expander_row_get_subtitle (provider), ==, nothing);
    g_assert_cmpstr (adw_expander_row_get_subtitle (coexecutor), ==, nothing);
    qoima_application_page_set_text (page, "ownership", "Государственные организации");
    qoima_application_page_set_status (page, QOIMA_FUND_PROVIDER, TRUE);
    qoima_application_page_set_care (page, QOIMA_FUND_PROVIDER, "inpatient", TRUE);
    g_assert_cmpstr (adw_expander_row_get_subtitle (provider), ==, one);
    qoima_application_page_set_care (page, QOIMA_FUND_PROVIDER, "ct-mri-suspected-cancer", TRUE);
    g_assert_cmpstr (adw_expander_row_get_subtitle (provider), ==, two);
    g_assert_cmpstr (adw_expander_row_get_subtitle (coexecutor), ==, nothing);

    /* The region's row names the region as soon as its code is typed, the form not rebuilt. */
    {
      g_autofree char *named = g_strdup_printf (_("Region Served (KATO Code): %s"), "г.Алматы");
      GtkWidget *label, *row;

      qoima_application_page_set_text (page, "region", "7500");
      label = find_label (GTK_WIDGET (page), _("Region Served (KATO Code)"));
      g_assert_nonnull (label);
      row = gtk_widget_get_ancestor (label, ADW_TYPE_ENTRY_ROW);
      g_assert_nonnull (row);
      qoima_application_page_set_text (page, "region", "750000000");
      /* At once, or when the classifier, read in a thread, is there. */
      qoima_test_wait_until (label_shown, &(LabelWait) { GTK_WIDGET (page), named }, 30);
      g_assert_null (find_label (GTK_WIDGET (page), _("Region Served (KATO Code)")));
      /* The same row, renamed. */
      g_assert_true (gtk_widget_get_ancestor (find_label (GTK_WIDGET (page), named), ADW_TYPE_ENTRY_ROW) == row);
    }
    scroll_to_section (window, page, _("Healthcare Subject"));
    screenshot (window, "walk-04a-subject-collapsed");

    /* Opened, the row says where the kinds come from; closed again, what is chosen. */
    expand_row (GTK_WIDGET (page), _("Kinds of Care as «Поставщик»"));
    g_assert_cmpstr (adw_expander_row_get_subtitle (provider), ==, _("From a directory, as the license annexes allow"));
    adw_expander_row_set_expanded (provider, FALSE);
    g_assert_cmpstr (adw_expander_row_get_subtitle (provider), ==, two);
    adw_expander_row_set_expanded (provider, TRUE);
  }
  scroll_to_section (window, page, _("Healthcare Subject"));
  screenshot (window, "walk-04-subject");

  /* Addresses (R004-9): the rest of the legal address, by hand. */
  qoima_application_page_set_text (page, "legal_index", "050000");
  qoima_application_page_set_text (page, "legal_house", "1");
  scroll_to_section (window, page, _("Addresses"));
  screenshot (window, "walk-05-addresses");

  /* Production bases (R004-10): positions, KATO, subtypes, permits. */
  base0 = QOIMA_FUND_BASE_ROW (qoima_application_page_get_base_row (page, 0));
  base1 = QOIMA_FUND_BASE_ROW (qoima_application_page_get_base_row (page, 1));
  {
    g_autofree char *none0 = base_summary (base0, 0, NULL);
    g_autofree char *none1 = base_summary (base1, 0, NULL);

    /* Collapsed, a base says what subtypes it has (issue 13). */
    g_assert_false (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (base0)));
    g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (base0)), ==, none0);
    g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (base1)), ==, none1);
  }
  qoima_fund_base_row_set_text (base0, "latitude", "43.2389");
  qoima_fund_base_row_set_text (base0, "longitude", "76.8897");
  qoima_fund_base_row_set_text (base0, "kato", "751110000");
  qoima_fund_base_row_set_subtype (base0, "inpatient", TRUE);
  qoima_fund_base_row_set_text (base1, "latitude", "43.25");
  qoima_fund_base_row_set_text (base1, "longitude", "76.90");
  qoima_fund_base_row_set_text (base1, "kato", "751110000");
  qoima_fund_base_row_set_subtype (base1, "ct-mri-suspected-cancer", TRUE);
  attach (page, 0, permit1);
  attach (page, 1, permit2);
  {
    g_autofree char *inpatient = base_summary (base0, 1, "Стационар");
    g_autofree char *both = base_summary (base1, 2, "КТ/МРТ при подозрении на онкологию, Стационар");
    g_autofree char *ct = base_summary (base1, 1, "КТ/МРТ при подозрении на онкологию");
    g_autofree char *from = g_strdup_printf (_("From license %s"), qoima_fund_base_row_get_item (base0)->license);

    g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (base0)), ==, inpatient);
    qoima_fund_base_row_set_subtype (base1, "inpatient", TRUE);
    g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (base1)), ==, both);
    qoima_fund_base_row_set_subtype (base1, "inpatient", FALSE);
    g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (base1)), ==, ct);
    scroll_to_section (window, page, _("Production Bases"));
    screenshot (window, "walk-06a-bases-collapsed");
    /* Opened, where it comes from; its subtypes are seen below. */
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (base0), TRUE);
    g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (base0)), ==, from);
  }
  scroll_to_section (window, page, _("Production Bases"));
  screenshot (window, "walk-06-bases");
  scroll_to_section (window, page, _("Documents"));
  screenshot (window, "walk-07-documents-missing");

  /* R004-16: «Сохранить» with the Kazakh name and the certificate missing: «Это обязательное
   * поле» in red under each, the form scrolled to the first. */
  {
    GtkScrolledWindow *scroller = shown_scroller (GTK_WIDGET (page));
    double before = gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (scroller));
    gpointer moved[2] = { scroller, &before };

    gtk_widget_activate_action (GTK_WIDGET (page), "application.save", NULL);
    qoima_test_wait_until (form_scroll_moved, moved, 30);
  }
  g_assert_cmpint (qoima_application_page_get_form (page)->id, ==, 0);
  g_assert_cmpstr (qoima_application_page_get_problem (page, "name_kk"), ==, QOIMA_FUND_TEXT_REQUIRED);
  g_assert_cmpstr (qoima_application_page_get_problem (page, "registration"), ==, QOIMA_FUND_TEXT_REQUIRED);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Это обязательное поле"));
  qoima_test_wait_until (page_idle, page, 30);
  screenshot (window, "walk-08-required-name");
  scroll_to_section (window, page, _("Documents"));
  screenshot (window, "walk-09-required-certificate");

  qoima_application_page_set_text (page, "name_kk", "«№1 қалалық аурухана» ШЖҚ МКК");
  attach (page, -1, certificate);
  gtk_widget_activate_action (GTK_WIDGET (page), "application.save", NULL);
  wait_for_status (page, QOIMA_FUND_DRAFT);
  g_assert_null (qoima_application_page_get_problem (page, "name_kk"));
  id = qoima_application_page_get_form (page)->id;
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Проект"));
  screenshot (window, "walk-10-saved");

  /* «Отправить на подписание» (R004-20): the chief's to sign; she rejects it with a reason,
   * typed in the dialog. */
  gtk_widget_activate_action (GTK_WIDGET (page), "application.submit", NULL);
  wait_for_status (page, QOIMA_FUND_CHIEF_REVIEW);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "На согласовании руководителя"));
  screenshot (window, "walk-11-sent-for-signing");
  sign_in (context, window, page, chief);
  qoima_application_page_open (page, id);
  /* At 1000 px the chief's seven pages fold the header's switcher into the bottom bar. */
  qoima_test_wait_until (widget_is_visible, qoima_window_get_switcher_bar (window), 30);
  screenshot (window, "walk-12-chief");
  gtk_widget_activate_action (GTK_WIDGET (page), "application.reject", NULL);
  reject_dialog = ADW_MESSAGE_DIALOG (qoima_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (reject_dialog);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (reject_dialog)), "Проверьте координаты баз");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (reject_dialog));
  qoima_test_save_screenshot (GTK_WIDGET (reject_dialog), "test-application-walk-13-reject-dialog-ru.png");
  adw_message_dialog_response (reject_dialog, "reject");
  wait_for_status (page, QOIMA_FUND_DRAFT);
  g_assert_cmpstr (qoima_application_page_get_form (page)->chief_reason, ==, "Проверьте координаты баз");
  sign_in (context, window, page, admin);
  qoima_application_page_open (page, id);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Проверьте координаты баз"));
  /* The administrator's five fit the header: the bottom bar goes, leaving no blank strip. */
  qoima_test_wait_until (widget_is_hidden, qoima_window_get_switcher_bar (window), 30);
  screenshot (window, "walk-14-rejected");

  /* Corrected and sent again; the chief signs what she sees, and sends it (R004-22). */
  base0 = QOIMA_FUND_BASE_ROW (qoima_application_page_get_base_row (page, 0));
  qoima_fund_base_row_set_text (base0, "latitude", "43.2390");
  gtk_widget_activate_action (GTK_WIDGET (page), "application.save", NULL);
  wait_for_status (page, QOIMA_FUND_DRAFT);
  gtk_widget_activate_action (GTK_WIDGET (page), "application.submit", NULL);
  wait_for_status (page, QOIMA_FUND_CHIEF_REVIEW);
  qoima_context_set_signer (context, signer);
  sign_in (context, window, page, chief);
  qoima_application_page_open (page, id);
  gtk_widget_activate_action (GTK_WIDGET (page), "application.sign", NULL);
  qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
  sign_dialog = QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG));
  {
    g_autofree char *summary = qoima_sign_dialog_get_summary (sign_dialog);

    g_assert_nonnull (strstr (summary, HOSPITAL_BIN));
    g_assert_nonnull (strstr (summary, "750000000"));
  }
  gtk_test_widget_wait_for_draw (GTK_WIDGET (sign_dialog));
  qoima_test_save_screenshot (GTK_WIDGET (sign_dialog), "test-application-walk-15-sign-dialog-ru.png");
  qoima_sign_dialog_sign (sign_dialog);
  wait_for_status (page, QOIMA_FUND_UNDER_REVIEW);
  fund_id = g_strdup (qoima_application_page_get_form (page)->fund_id);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "На рассмотрении"));
  screenshot (window, "walk-16-sent");

  /* The Fund reviews, checks and approves it (R004-26); the page follows. */
  fund_step (&stand, fund_id, "form_inclusion", "{\"actor\":\"aigerim\"}", "На рассмотрении");
  fund_step (&stand, fund_id, "send_to_check", "{\"actor\":\"aigerim\",\"to\":[\"dana\"]}", "Согласована. На проверке");
  qoima_application_page_poll (page);
  wait_for_status (page, QOIMA_FUND_AGREED_CHECK);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Согласована. На проверке"));
  screenshot (window, "walk-17-fund-checking");
  fund_step (&stand, fund_id, "confirm", "{\"actor\":\"dana\"}", "Подтверждена. На согласовании");
  fund_step (&stand, fund_id, "approve", "{\"actor\":\"gulnar\"}", "Включен в БД");
  qoima_application_page_poll (page);
  wait_for_status (page, QOIMA_FUND_INCLUDED);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Включен в БД"));
  screenshot (window, "walk-18-included");

  /* R004-25: «Внести изменение»: a new version, sent, approved; the old one «Изменена». */
  sign_in (context, window, page, admin);
  qoima_application_page_open (page, id);
  gtk_widget_activate_action (GTK_WIDGET (page), "application.change", NULL);
  qoima_application_page_set_text (page, "phone", "+77272000001");
  screenshot (window, "walk-19-new-version");
  gtk_widget_activate_action (GTK_WIDGET (page), "application.save", NULL);
  wait_for_status (page, QOIMA_FUND_DRAFT);
  id2 = qoima_application_page_get_form (page)->id;
  g_assert_cmpint (qoima_application_page_get_form (page)->version, ==, 2);
  gtk_widget_activate_action (GTK_WIDGET (page), "application.submit", NULL);
  wait_for_status (page, QOIMA_FUND_CHIEF_REVIEW);
  sign_in (context, window, page, chief);
  fund_id2 = chief_sends (page, id2);
  fund_step (&stand, fund_id2, "form_inclusion", "{\"actor\":\"berik\"}", "На рассмотрении");
  fund_step (&stand, fund_id2, "send_to_check", "{\"actor\":\"berik\",\"to\":[\"erlan\"]}", "Согласована. На проверке");
  fund_step (&stand, fund_id2, "confirm", "{\"actor\":\"erlan\"}", "Подтверждена. На согласовании");
  fund_step (&stand, fund_id2, "approve", "{\"actor\":\"gulnar\"}", "Включен в БД");
  qoima_application_page_poll (page);
  wait_for_status (page, QOIMA_FUND_INCLUDED);
  screenshot (window, "walk-20-new-version-included");
  gtk_widget_activate_action (GTK_WIDGET (page), "application.back", NULL);
  g_assert_cmpint (listed_status (page, id), ==, QOIMA_FUND_CHANGED);
  g_assert_cmpint (listed_status (page, id2), ==, QOIMA_FUND_INCLUDED);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Изменена"));
  screenshot (window, "walk-21-versions");
  qoima_application_page_open (page, id);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Изменена"));
  screenshot (window, "walk-22-old-version");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&context);
  qoima_store_close (store);
  qoima_test_stand_stop (&stand);
  qoima_test_remove_tree (tmp);
}

typedef struct {
  QoimaApplicationPage *page;
  const char           *related;
} RelatedWait;

static gboolean
related_is (gpointer data)
{
  RelatedWait *wait = data;

  return g_strcmp0 (qoima_application_page_get_related (wait->page), wait->related) == 0;
}

static void
wait_for_related (QoimaApplicationPage *page,
                  const char           *related)
{
  RelatedWait wait = { page, related };

  qoima_test_wait_until (related_is, &wait, 30);
}

/* R004-1: the administrator lists the related organizations' BINs in the profile, each one
 * checked; licenses are asked for the hospital's BIN and each related one, each request
 * showing its state; the chief sees them but does not change them. */
static void
test_related_organizations (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autofree char *stand_db = g_build_filename (tmp, "stand.db", NULL);
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  QoimaTestStand stand = { 0 };
  QoimaWindow *window;
  QoimaApplicationPage *page;

  qoima_test_stand_start (&stand, stand_db);
  store = qoima_test_open_store (db_path);
  admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN);
  chief = add_user (store, admin, "chief", QOIMA_ROLE_CHIEF);
  save_registration (store, admin);

  context = qoima_context_new (store, settings);
  qoima_context_set_user (context, admin);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 760);
  gtk_window_present (GTK_WINDOW (window));
  page = qoima_window_get_application_page (window);
  qoima_application_page_set_open_files (page, FALSE);
  /* No address given to the page: it goes where the fund-urls setting says for the stand. */
  g_settings_set_string (settings, "stand", "custom");
  g_settings_set_value (settings, "fund-urls", g_variant_new_parsed ("{'custom': %s}", stand.host_url));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-application", NULL);
  qoima_test_wait_until (page_idle, page, 30);
  g_assert_true (qoima_application_page_get_related_editable (page));

  /* R004-1: a BIN whose check digit is wrong is refused, and said so. */
  qoima_application_page_add_related (page, "230940038235");
  g_assert_nonnull (qoima_application_page_get_message (page));
  g_assert_nonnull (strstr (qoima_application_page_get_message (page), "230940038235"));
  g_assert_null (qoima_application_page_get_related (page));
  /* A branch the license service knows, and one it does not. */
  qoima_application_page_add_related (page, "230940038234");
  wait_for_related (page, "230940038234");
  qoima_application_page_add_related (page, "220140006265");
  wait_for_related (page, "230940038234,220140006265");
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "230940038234"));

  /* R004-1: one request for each BIN, each with its state as elicense.kz gives it. */
  gtk_widget_activate_action (GTK_WIDGET (page), "application.get-licenses", NULL);
  g_assert_cmpstr (qoima_application_page_get_request_state (page, "230940038234"), ==, "В обработке");
  qoima_test_wait_until (page_idle, page, 60);
  g_assert_cmpstr (qoima_application_page_get_request_state (page, HOSPITAL_BIN), ==, "Обработан");
  g_assert_cmpstr (qoima_application_page_get_request_state (page, "230940038234"), ==, "Обработан");
  g_assert_cmpstr (qoima_application_page_get_request_state (page, "220140006265"), ==, "Ошибка обработки");
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Ошибка обработки"));
  /* The branch's license is listed beside the hospital's own (R004-2). */
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "23099001 — Медицинская деятельность"));
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "23012345 — Медицинская деятельность"));
  screenshot (window, "related");

  /* Removed, it is asked for no more. */
  qoima_application_page_remove_related (page, "220140006265");
  wait_for_related (page, "230940038234");
  gtk_widget_activate_action (GTK_WIDGET (page), "application.get-licenses", NULL);
  qoima_test_wait_until (page_idle, page, 60);
  g_assert_null (qoima_application_page_get_request_state (page, "220140006265"));
  g_assert_cmpstr (qoima_application_page_get_request_state (page, "230940038234"), ==, "Обработан");
  g_assert_null (qoima_application_page_get_message (page));

  /* The chief sees the list, the administrator's to change. */
  qoima_context_set_user (context, chief);
  qoima_test_wait_until (page_idle, page, 30);
  g_assert_false (qoima_application_page_get_related_editable (page));

  /* Without the entry for its stand, the Fund cannot be reached, and the page says why. */
  g_settings_reset (settings, "fund-urls");
  gtk_widget_activate_action (GTK_WIDGET (page), "application.get-licenses", NULL);
  qoima_test_wait_until (page_idle, page, 30);
  g_assert_nonnull (qoima_application_page_get_message (page));
  g_assert_nonnull (strstr (qoima_application_page_get_message (page), "fund-urls"));
  g_settings_reset (settings, "stand");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&context);
  qoima_store_close (store);
  qoima_test_stand_stop (&stand);
  qoima_test_remove_tree (tmp);
}

/* A nurse and a clerk do not see the page (R004-3). */
static void
test_page_hidden_from_others (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autoptr(QoimaStore) store = qoima_test_open_store (db_path);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  g_autoptr(QoimaUser) admin = add_user (store, NULL, "admin", QOIMA_ROLE_ADMIN);
  g_autoptr(QoimaUser) clerk = add_user (store, admin, "clerk", QOIMA_ROLE_CLERK);
  g_autoptr(QoimaUser) chief = add_user (store, admin, "chief", QOIMA_ROLE_CHIEF);
  QoimaWindow *window;

  qoima_context_set_user (context, clerk);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_null (qoima_window_get_page_accel (window, "application"));
  qoima_context_set_user (context, chief);
  g_assert_nonnull (qoima_window_get_page_accel (window, "application"));
  qoima_context_set_user (context, admin);
  g_assert_nonnull (qoima_window_get_page_accel (window, "application"));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&context);
  qoima_store_close (store);
  qoima_test_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  /* As main.c: with LANGUAGE=ru or kk set, the screenshots show that language. */
  qoima_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();

  g_test_add_func ("/ui/application/rules/R004-3/page-for-admin-and-chief", test_page_hidden_from_others);
  g_test_add_func ("/ui/application/rules/R004-1/related-organizations", test_related_organizations);
  g_test_add_func ("/ui/application/rules/R004-11/R004-20/R004-26/round-to-included", test_application_round);
  g_test_add_func ("/ui/application/rules/R004-16/R004-20/R004-25/walk-through", test_walk_through);

  return g_test_run ();
}
