/* test-fund-stand.c: the application to the Fund against the stand (qoima-stand as a
 * subprocess, over real HTTP): licenses from its license service, the hospital's round
 * with a chief's rejection, the Fund's review driven through the stand's admin interface
 * (R004-26, R004-27), and Qoima following each end state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-fund-client.h"
#include "qoima-store-fund.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-store-settings.h"
#include "qoima-store-users.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

/* The stand world's hospital (qoima-stand-world.h), whose chief's keys the test PKI has. */
#define QOIMA_STAND_HOSPITAL_BIN_FOR_TEST "990340001230"

static struct {
  char *tmpdir;
  char *root;
  char *admin_token;
  GSubprocess *process;
  SoupSession *session;
  QoimaStore *store;
  QoimaUser *admin;
  QoimaUser *chief;
  QoimaFundClient *client;
} t;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* A call to the stand's admin interface (the Fund's staff at work): the HTTP status, and
 * the answer's error message or status in @out. */
static guint
fund_admin (const char  *fund_id,
            const char  *action,
            const char  *body,
            char       **out)
{
  g_autofree char *escaped = g_uri_escape_string (fund_id, NULL, FALSE);
  g_autofree char *url = g_strdup_printf ("%s/stand/fund/applications/%s/%s", t.root, escaped, action);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  soup_message_headers_append (soup_message_get_request_headers (msg), "X-Stand-Token", t.admin_token);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  bytes = soup_session_send_and_read (t.session, msg, NULL, &error);
  g_assert_no_error (error);
  node = json_from_string (g_bytes_get_data (bytes, NULL), &error);
  g_assert_no_error (error);
  object = json_node_get_object (node);
  if (out != NULL)
    *out = g_strdup (json_object_has_member (object, "error_message")
                     ? json_object_get_string_member (object, "error_message")
                     : json_object_get_string_member (object, "status"));
  return soup_message_get_status (msg);
}

static void
fund_ok (const char *fund_id,
         const char *action,
         const char *body,
         const char *expected_status)
{
  g_autofree char *status = NULL;

  g_assert_cmpuint (fund_admin (fund_id, action, body, &status), ==, 200);
  g_assert_cmpstr (status, ==, expected_status);
}

static GPtrArray *
get_licenses (const char  *bin,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_fund_client_get_licenses_async (t.client, bin, NULL, result_cb, &result);
  return qoima_fund_client_get_licenses_finish (t.client, wait_for (&result), error);
}

static gint64
save (QoimaFundApplication *app)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  qoima_store_fund_save_async (t.store, t.admin, app, NULL, NULL, result_cb, &result);
  id = qoima_store_fund_save_finish (t.store, wait_for (&result), &error);
  g_assert_no_error (error);
  return id;
}

static void
act (QoimaUser       *user,
     gint64           id,
     QoimaFundAction  action,
     const char      *text)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  qoima_store_fund_act_async (t.store, user, id, action, text, NULL, result_cb, &result);
  g_assert_true (qoima_store_fund_act_finish (t.store, wait_for (&result), &error));
  g_assert_no_error (error);
}

static QoimaFundApplication *
load (gint64 id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaFundApplication *app;

  qoima_store_fund_load_async (t.store, id, NULL, result_cb, &result);
  app = qoima_store_fund_load_finish (t.store, wait_for (&result), &error);
  g_assert_no_error (error);
  return app;
}

/* Asks the Fund and keeps its answer, as Qoima's follow-up does. */
static QoimaFundStatus
follow (gint64      id,
        const char *fund_id)
{
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaFundDecision) decision = NULL;

  qoima_fund_client_get_decision_async (t.client, fund_id, NULL, result_cb, &r1);
  decision = qoima_fund_client_get_decision_finish (t.client, wait_for (&r1), &error);
  g_assert_no_error (error);
  qoima_store_fund_follow_async (t.store, id, decision->status, fund_id, (const char * const *) decision->reasons,
                                 decision->note, decision->excluded_at, NULL, result_cb, &r2);
  g_assert_true (qoima_store_fund_follow_finish (t.store, wait_for (&r2), &error));
  g_assert_no_error (error);
  return decision->status;
}

/* An application of the demo hospital from the licenses the stand gives. */
static QoimaFundApplication *
application_from (GPtrArray  *licenses,
                  const char *region)
{
  QoimaFundApplication *app = qoima_fund_application_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  QoimaFundAttachment *registration = g_new0 (QoimaFundAttachment, 1);

  app->name_kk = g_strdup ("«№1 қалалық аурухана» ШЖҚ МКК");
  app->name_ru = g_strdup ("ГКП на ПХВ «Городская больница №1»");
  app->bin = g_strdup ("190440019884");
  app->ownership = g_strdup ("Государственные организации");
  app->statuses = QOIMA_FUND_PROVIDER;
  g_strfreev (app->care_provider);
  app->care_provider = g_strsplit ("inpatient,ct-mri-suspected-cancer", ",", -1);
  app->region = g_strdup (region);
  app->legal_kato = g_strdup ("751110000");
  app->legal_index = g_strdup ("050000");
  app->legal_street = g_strdup ("ул. Абая");
  app->legal_house = g_strdup ("1");
  app->phone = g_strdup ("+77272000000");
  app->email = g_strdup ("info@hospital1.kz");
  qoima_fund_application_refresh_licenses (app, licenses, now);
  for (guint i = 0; i < app->bases->len; i++)
    {
      QoimaFundBase *base = g_ptr_array_index (app->bases, i);
      QoimaFundAttachment *permit = g_new0 (QoimaFundAttachment, 1);

      base->has_position = TRUE;
      base->latitude = 43.24 + i * 0.01;
      base->longitude = 76.89;
      base->kato = g_strdup ("751110000");
      permit->name = g_strdup_printf ("СЭС-%u.pdf", i + 1);
      permit->size = 1000;
      base->permit = permit;
      g_strfreev (base->subtypes);
      base->subtypes = g_strsplit (i == 0 ? "inpatient" : "ct-mri-suspected-cancer", ",", -1);
    }
  registration->name = g_strdup ("Справка.pdf");
  registration->size = 1000;
  g_ptr_array_add (app->registration, registration);
  return app;
}

static char *
submit (gint64 id)
{
  g_autoptr(QoimaFundApplication) app = load (id);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *fund_id;

  qoima_fund_client_submit_async (t.client, app, NULL, result_cb, &result);
  fund_id = qoima_fund_client_submit_finish (t.client, wait_for (&result), &error);
  g_assert_no_error (error);
  return fund_id;
}

static void
test_r1_r2_licenses (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) licenses = get_licenses ("190440019884", &error);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) branch = NULL;
  g_autoptr(GPtrArray) unknown = NULL;

  g_assert_no_error (error);
  /* R004-2: of five, a terminated one and a notification are not listed. */
  g_assert_cmpuint (licenses->len, ==, 5);
  listed = qoima_fund_licenses_filter (licenses, NULL);
  g_assert_cmpuint (listed->len, ==, 3);
  /* R004-1: the branch's BIN has its own; a BIN the registry does not know ends in
   * «Ошибка обработки». */
  branch = get_licenses ("230940038234", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (branch->len, ==, 1);
  unknown = get_licenses ("220140006265", &error);
  g_assert_null (unknown);
  g_assert_error (error, QOIMA_FUND_CLIENT_ERROR, QOIMA_FUND_CLIENT_ERROR_REQUEST_FAILED);
  g_assert_nonnull (strstr (error->message, "Ошибка обработки"));
}

/* The request's state as elicense.kz gives it, asked for directly. */
static char *
request_state (const char *method,
               const char *path,
               const char *body)
{
  g_autofree char *url = g_strconcat (t.root, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (body != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", request);
    }
  bytes = soup_session_send_and_read (t.session, msg, NULL, &error);
  g_assert_no_error (error);
  node = json_from_string (g_bytes_get_data (bytes, NULL), &error);
  g_assert_no_error (error);
  return g_strdup_printf ("%s %s", json_object_get_string_member (json_node_get_object (node), "id"),
                          json_object_get_string_member (json_node_get_object (node), "state"));
}

static void
test_r1_related_organizations (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *value = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *made = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) related = NULL;
  g_auto(GStrv) id = NULL;

  /* R004-1: a request is «В обработке» first, then «Обработан». */
  made = request_state ("POST", "/elicense/requests", "{\"bin\":\"230940038234\"}");
  id = g_strsplit (made, " ", 2);
  g_assert_cmpstr (id[1], ==, "В обработке");
  path = g_strdup_printf ("/elicense/requests/%s", id[0]);
  first = request_state ("GET", path, NULL);
  second = request_state ("GET", path, NULL);
  g_assert_cmpstr (strchr (first, ' ') + 1, ==, "В обработке");
  g_assert_cmpstr (strchr (second, ' ') + 1, ==, "Обработан");

  /* R004-1: the profile's related organizations are the administrator's to list… */
  value = qoima_fund_related_bins_add (NULL, "190440019884", "230940038234", &error);
  g_assert_no_error (error);
  qoima_store_set_setting_async (t.store, t.chief, QOIMA_FUND_SETTING_RELATED_BINS, value, NULL, result_cb, &result);
  g_assert_false (qoima_store_set_setting_finish (t.store, wait_for (&result), &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_clear_object (&result);
  qoima_store_set_setting_async (t.store, t.admin, QOIMA_FUND_SETTING_RELATED_BINS, value, NULL, result_cb, &result);
  g_assert_true (qoima_store_set_setting_finish (t.store, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  qoima_store_get_setting_async (t.store, QOIMA_FUND_SETTING_RELATED_BINS, NULL, result_cb, &result);
  stored = qoima_store_get_setting_finish (t.store, wait_for (&result), &error);
  g_assert_no_error (error);
  related = qoima_fund_related_bins_parse (stored);
  g_assert_cmpuint (g_strv_length (related), ==, 1);

  /* …and each gets its own licenses from the stand (R004-1), listed as R004-2 says. */
  for (guint i = 0; related[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) licenses = get_licenses (related[i], &error);
      g_autoptr(GPtrArray) listed = NULL;

      g_assert_no_error (error);
      g_assert_true (qoima_fund_request_bin_allowed ("190440019884", (const char * const *) related, related[i]));
      listed = qoima_fund_licenses_filter (licenses, NULL);
      g_assert_cmpuint (listed->len, >=, 1);
      for (guint j = 0; j < licenses->len; j++)
        g_assert_cmpstr (((QoimaFundLicense *) g_ptr_array_index (licenses, j))->bin, ==, related[i]);
    }
}

/* The client of the stand worked with goes where the fund-urls setting says. */
static void
test_url_for_stand (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ismpt = g_strconcat (t.root, "/api/v3/true-api", NULL);
  g_autofree char *wrong = NULL;
  g_autoptr(GVariant) urls = NULL;
  const char *stands[] = { "local", "custom" };

  urls = g_variant_ref_sink (g_variant_new_parsed ("{'custom': %s, 'test': 'http://127.0.0.1:1'}", t.root));
  for (guint i = 0; i < G_N_ELEMENTS (stands); i++)
    {
      g_autofree char *url = qoima_fund_client_url_for_stand (stands[i], urls, ismpt, &error);
      g_autoptr(QoimaFundClient) client = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) licenses = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, t.root);
      client = qoima_fund_client_new (url);
      qoima_fund_client_get_licenses_async (client, "190440019884", NULL, result_cb, &result);
      licenses = qoima_fund_client_get_licenses_finish (client, wait_for (&result), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (licenses->len, ==, 5);
    }
  /* The test stand's entry is where its client goes, not the True API's stand. */
  wrong = qoima_fund_client_url_for_stand ("test", urls, ismpt, &error);
  g_assert_no_error (error);
  {
    g_autoptr(QoimaFundClient) client = qoima_fund_client_new (wrong);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GPtrArray) licenses = NULL;

    qoima_fund_client_get_licenses_async (client, "190440019884", NULL, result_cb, &result);
    licenses = qoima_fund_client_get_licenses_finish (client, wait_for (&result), &error);
    g_assert_null (licenses);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  }
}

static QoimaSigner *
load_key (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("QOIMA_PKI_DIR"), name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaSignerPkcs12 *signer;

  qoima_signer_pkcs12_load_async (file, "Qoima-2026", NULL, result_cb, &result);
  signer = qoima_signer_pkcs12_load_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  return QOIMA_SIGNER (signer);
}

/* R004-22: the chief's consent is signed with her key of the organization applying. */
static void
test_r22_signer_bin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(QoimaUser) chief = NULL;
  g_autoptr(QoimaSigner) own = NULL;
  g_autoptr(QoimaSigner) other = NULL;
  g_autoptr(QoimaSigner) clerk = NULL;
  g_autoptr(QoimaFundApplication) app = qoima_fund_application_new ();

  if (g_getenv ("QOIMA_PKI_DIR") == NULL || !g_file_test (g_getenv ("QOIMA_PKI_DIR"), G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no test PKI (certtool)");
      return;
    }
  qoima_store_set_user_signing_async (t.store, t.admin, "chief", "850715400238", FALSE, NULL, result_cb, &result);
  g_assert_true (qoima_store_set_user_signing_finish (t.store, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  qoima_store_get_user_async (t.store, "chief", NULL, NULL, result_cb, &result);
  chief = qoima_store_get_user_finish (t.store, wait_for (&result), &error);
  g_assert_no_error (error);
  own = load_key ("sign.p12");
  other = load_key ("chief-other-org.p12");
  clerk = load_key ("clerk-sign.p12");
  /* The world's hospital: her key carries its BIN. */
  app->bin = g_strdup (QOIMA_STAND_HOSPITAL_BIN_FOR_TEST);
  g_assert_true (qoima_fund_application_check_signer (app, chief, qoima_signer_get_certificate (own), &error));
  g_assert_no_error (error);
  /* Her own IIN, another organization's BIN: refused, both BINs named. */
  g_assert_false (qoima_fund_application_check_signer (app, chief, qoima_signer_get_certificate (other), &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER);
  g_assert_nonnull (strstr (error->message, "210540012341"));
  g_assert_nonnull (strstr (error->message, QOIMA_STAND_HOSPITAL_BIN_FOR_TEST));
  g_clear_error (&error);
  /* The hospital's BIN, another person's key: refused as every signature is. */
  g_assert_false (qoima_fund_application_check_signer (app, chief, qoima_signer_get_certificate (clerk), &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER);
  g_clear_error (&error);
  /* Her hospital's key for an application of another BIN: refused too. */
  g_free (app->bin);
  app->bin = g_strdup ("190440019884");
  g_assert_false (qoima_fund_application_check_signer (app, chief, qoima_signer_get_certificate (own), &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER);
}

static void
test_r26_r27_whole_round (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) licenses = get_licenses ("190440019884", &error);
  g_autoptr(QoimaFundApplication) app = application_from (licenses, "750000000");
  g_autoptr(QoimaFundApplication) v2 = NULL;
  g_autoptr(QoimaFundApplication) old = NULL;
  g_autofree char *fund_id = NULL;
  g_autofree char *fund_id2 = NULL;
  g_autofree char *message = NULL;
  gint64 id, id2;

  g_assert_no_error (error);
  g_assert_cmpuint (app->bases->len, ==, 2); /* the address in two annexes kept once */
  id = save (app);
  /* The chief rejects once with a reason, then signs and sends. */
  act (t.admin, id, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL);
  act (t.chief, id, QOIMA_FUND_ACTION_CHIEF_REJECT, "Проверьте координаты баз");
  act (t.admin, id, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL);
  act (t.chief, id, QOIMA_FUND_ACTION_SIGN_CONSENT, "MIIBsignature");
  act (t.chief, id, QOIMA_FUND_ACTION_SEND, NULL);
  fund_id = submit (id);
  g_assert_cmpint (follow (id, fund_id), ==, QOIMA_FUND_UNDER_REVIEW);

  /* R004-26: not to oneself; only a checker; only after a notice. */
  g_assert_cmpuint (fund_admin (fund_id, "send_to_check", "{\"actor\":\"aigerim\",\"to\":[\"dana\"]}", &message), ==, 409);
  g_assert_cmpstr (message, ==, "Сначала сформируйте уведомление");
  g_clear_pointer (&message, g_free);
  fund_ok (fund_id, "form_inclusion", "{\"actor\":\"aigerim\"}", "На рассмотрении");
  g_assert_cmpuint (fund_admin (fund_id, "send_to_check", "{\"actor\":\"aigerim\",\"to\":[\"dana\",\"aigerim\"]}", &message), ==, 409);
  g_assert_cmpstr (message, ==, "Направить заявку на проверку самому себе не доступно");
  g_clear_pointer (&message, g_free);
  g_assert_cmpuint (fund_admin (fund_id, "send_to_check", "{\"actor\":\"aigerim\",\"to\":[\"gulnar\"]}", &message), ==, 409);
  g_clear_pointer (&message, g_free);
  fund_ok (fund_id, "send_to_check", "{\"actor\":\"aigerim\",\"to\":[\"dana\",\"erlan\"]}", "Согласована. На проверке");
  g_assert_cmpint (follow (id, fund_id), ==, QOIMA_FUND_AGREED_CHECK);
  /* The checker refuses with a reason: back to the reviewer. */
  g_assert_cmpuint (fund_admin (fund_id, "refuse", "{\"actor\":\"dana\"}", &message), ==, 409);
  g_clear_pointer (&message, g_free);
  fund_ok (fund_id, "refuse", "{\"actor\":\"dana\",\"reason\":\"Нет СЭС второй базы\"}", "На рассмотрении");
  fund_ok (fund_id, "form_inclusion", "{\"actor\":\"berik\"}", "На рассмотрении");
  fund_ok (fund_id, "send_to_check", "{\"actor\":\"berik\",\"to\":[\"aigerim\"]}", "Согласована. На проверке");
  g_assert_cmpuint (fund_admin (fund_id, "confirm", "{\"actor\":\"dana\"}", &message), ==, 409); /* not sent to her */
  g_clear_pointer (&message, g_free);
  fund_ok (fund_id, "confirm", "{\"actor\":\"aigerim\"}", "Подтверждена. На согласовании");
  fund_ok (fund_id, "approve", "{\"actor\":\"gulnar\"}", "Включен в БД");
  g_assert_cmpint (follow (id, fund_id), ==, QOIMA_FUND_INCLUDED);

  /* R004-25: a change as a new version, approved; the old one «Изменена». */
  v2 = load (id);
  v2->id = 0;
  g_free (v2->phone);
  v2->phone = g_strdup ("+77272000001");
  id2 = save (v2);
  act (t.admin, id2, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL);
  act (t.chief, id2, QOIMA_FUND_ACTION_SIGN_CONSENT, "MIIBsignature2");
  act (t.chief, id2, QOIMA_FUND_ACTION_SEND, NULL);
  fund_id2 = submit (id2);
  fund_ok (fund_id2, "form_inclusion", "{\"actor\":\"berik\"}", "На рассмотрении");
  fund_ok (fund_id2, "send_to_check", "{\"actor\":\"berik\",\"to\":[\"erlan\"]}", "Согласована. На проверке");
  fund_ok (fund_id2, "confirm", "{\"actor\":\"erlan\"}", "Подтверждена. На согласовании");
  fund_ok (fund_id2, "approve", "{\"actor\":\"gulnar\"}", "Включен в БД");
  g_assert_cmpint (follow (id2, fund_id2), ==, QOIMA_FUND_INCLUDED);
  old = load (id);
  g_assert_cmpstr (qoima_fund_status_to_label (old->status), ==, "Изменена");

  /* R004-27: exclusion; the checker's refusal cancels it, then it goes through signed. */
  g_assert_cmpuint (fund_admin (fund_id2, "exclude", "{\"actor\":\"berik\",\"reason\":\"Просто так\"}", &message), ==, 409);
  g_clear_pointer (&message, g_free);
  fund_ok (fund_id2, "exclude", "{\"actor\":\"berik\",\"reason\":\"Прекращение действия лицензии\"}", "Включен в БД");
  fund_ok (fund_id2, "send_to_check", "{\"actor\":\"berik\",\"to\":[\"dana\"]}", "Отклонена. На проверке");
  fund_ok (fund_id2, "refuse", "{\"actor\":\"dana\"}", "Включен в БД");
  fund_ok (fund_id2, "exclude", "{\"actor\":\"berik\",\"reason\":\"Прекращение действия лицензии\",\"note\":\"Приказ №12\"}", "Включен в БД");
  fund_ok (fund_id2, "send_to_check", "{\"actor\":\"berik\",\"to\":[\"dana\"]}", "Отклонена. На проверке");
  fund_ok (fund_id2, "confirm", "{\"actor\":\"dana\"}", "Подтверждена. На согласовании");
  g_assert_cmpuint (fund_admin (fund_id2, "approve", "{\"actor\":\"gulnar\"}", &message), ==, 409);
  g_assert_cmpstr (message, ==, "Исключение подтверждается ЭЦП");
  g_clear_pointer (&message, g_free);
  fund_ok (fund_id2, "approve", "{\"actor\":\"gulnar\",\"signature\":\"MIIB\"}", "Исключен из БД");
  g_assert_cmpint (follow (id2, fund_id2), ==, QOIMA_FUND_EXCLUDED);

  /* R004-17: a new application of the subject is refused for three years. */
  {
    g_autoptr(QoimaFundApplication) again = application_from (licenses, "710000000");
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_fund_save_async (t.store, t.admin, again, NULL, NULL, result_cb, &result);
    g_assert_cmpint (qoima_store_fund_save_finish (t.store, wait_for (&result), &error), ==, 0);
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
    g_assert_true (g_str_has_prefix (error->message, "R004-17: "));
  }
}

static void
test_r26_rejection_reasons (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) licenses = get_licenses ("230940038234", &error);
  g_autoptr(GPtrArray) own = get_licenses ("190440019884", &error);
  g_autoptr(QoimaFundApplication) app = application_from (own, "630000000");
  g_autoptr(QoimaFundApplication) rejected = NULL;
  g_autofree char *fund_id = NULL;
  g_autofree char *message = NULL;
  gint64 id;

  g_assert_no_error (error);
  g_free (app->bin);
  app->bin = g_strdup ("190440019884");
  id = save (app);
  act (t.admin, id, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL);
  act (t.chief, id, QOIMA_FUND_ACTION_SIGN_CONSENT, "MIIB");
  act (t.chief, id, QOIMA_FUND_ACTION_SEND, NULL);
  fund_id = submit (id);
  /* Reasons from the directory only, several allowed, a note. */
  g_assert_cmpuint (fund_admin (fund_id, "form_rejection", "{\"actor\":\"berik\",\"reasons\":[\"Не понравилось\"]}", &message), ==, 409);
  g_assert_cmpstr (message, ==, "Причина отклонения не из справочника оснований");
  fund_ok (fund_id, "form_rejection",
           "{\"actor\":\"berik\",\"reasons\":[\"Недостоверные сведения о производственной базе\","
           "\"Отсутствие разрешительного документа в сфере санитарно-эпидемиологического благополучия\"],"
           "\"note\":\"Координаты вне адреса\"}", "На рассмотрении");
  fund_ok (fund_id, "send_to_check", "{\"actor\":\"berik\",\"to\":[\"erlan\"]}", "Отклонена. На проверке");
  fund_ok (fund_id, "confirm", "{\"actor\":\"erlan\"}", "Отклонена. На согласовании");
  /* The approver sends it back once, with a reason. */
  fund_ok (fund_id, "reject", "{\"actor\":\"gulnar\",\"reason\":\"Перепроверить\"}", "На рассмотрении");
  fund_ok (fund_id, "form_rejection",
           "{\"actor\":\"berik\",\"reasons\":[\"Недостоверные сведения о производственной базе\"]}", "На рассмотрении");
  fund_ok (fund_id, "send_to_check", "{\"actor\":\"berik\",\"to\":[\"erlan\"]}", "Отклонена. На проверке");
  fund_ok (fund_id, "confirm", "{\"actor\":\"erlan\"}", "Отклонена. На согласовании");
  fund_ok (fund_id, "approve", "{\"actor\":\"gulnar\"}", "Отклонена");
  g_assert_cmpint (follow (id, fund_id), ==, QOIMA_FUND_REJECTED);
  /* Qoima shows the reasons. */
  rejected = load (id);
  g_assert_cmpstr (rejected->fund_reasons[0], ==, "Недостоверные сведения о производственной базе");
  g_assert_null (rejected->fund_reasons[1]);
  g_assert_cmpuint (licenses->len, ==, 1);
}

static void start_stand (void);

/* R004-14: the consent's signature is kept with the document it signs; a rejection by the
 * chief drops both, the next round is signed anew (R004-20). */
static void
test_r14_consent_kept_with_its_document (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) licenses = get_licenses ("190440019884", &error);
  g_autoptr(QoimaFundApplication) app = application_from (licenses, "550000000");
  g_autoptr(QoimaFundApplication) signed_app = NULL;
  g_autoptr(QoimaFundApplication) rejected = NULL;
  g_autoptr(GBytes) signature = g_bytes_new_static ("CMS", 3);
  g_autoptr(GBytes) document = g_bytes_new_static ("%PDF-1.4 consent", 16);
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree guchar *decoded = NULL;
  gsize length;
  gint64 id;

  g_assert_no_error (error);
  /* Another subject: the demo hospital may have been excluded by now (R004-17). */
  g_free (app->bin);
  app->bin = g_strdup ("230940038234");
  id = save (app);
  act (t.admin, id, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL);
  qoima_store_fund_sign_consent_async (t.store, t.chief, id, signature, document, NULL, result_cb, &result);
  g_assert_true (qoima_store_fund_act_finish (t.store, wait_for (&result), &error));
  g_assert_no_error (error);
  signed_app = load (id);
  g_assert_cmpstr (signed_app->consent_signed_by, ==, "chief");
  decoded = g_base64_decode (signed_app->consent_document, &length);
  g_assert_cmpmem (decoded, length, "%PDF-1.4 consent", 16);
  g_clear_pointer (&decoded, g_free);
  decoded = g_base64_decode (signed_app->consent_signature, &length);
  g_assert_cmpmem (decoded, length, "CMS", 3);
  act (t.chief, id, QOIMA_FUND_ACTION_CHIEF_REJECT, "Ещё раз");
  rejected = load (id);
  g_assert_null (rejected->consent_signature);
  g_assert_null (rejected->consent_document);
  /* Only the chief signs. */
  g_clear_object (&result);
  act (t.admin, id, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL);
  qoima_store_fund_sign_consent_async (t.store, t.admin, id, signature, document, NULL, result_cb, &result);
  g_assert_false (qoima_store_fund_act_finish (t.store, wait_for (&result), &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
}

/* The Fund's state outlives the stand: stopped and started on the same database, it still
 * has the application, its notice and its numbering (R004-26 goes on where it was). */
static void
test_restart_keeps_the_fund (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) licenses = get_licenses ("190440019884", &error);
  g_autoptr(QoimaFundApplication) app = application_from (licenses, "470000000");
  g_autofree char *fund_id = NULL;
  g_autofree char *fund_id2 = NULL;
  gint64 id;

  g_assert_no_error (error);
  id = save (app);
  act (t.admin, id, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL);
  act (t.chief, id, QOIMA_FUND_ACTION_SIGN_CONSENT, "MIIBrestart");
  act (t.chief, id, QOIMA_FUND_ACTION_SEND, NULL);
  fund_id = submit (id);
  fund_ok (fund_id, "form_inclusion", "{\"actor\":\"berik\"}", "На рассмотрении");

  g_subprocess_send_signal (t.process, SIGTERM);
  g_assert_true (g_subprocess_wait (t.process, NULL, &error));
  g_clear_object (&t.process);
  g_clear_pointer (&t.root, g_free);
  g_clear_pointer (&t.admin_token, g_free);
  start_stand ();
  g_clear_object (&t.client);
  t.client = qoima_fund_client_new (t.root);

  g_assert_cmpint (follow (id, fund_id), ==, QOIMA_FUND_UNDER_REVIEW);
  /* The notice formed before the restart is remembered: sending to a checker needs it. */
  fund_ok (fund_id, "send_to_check", "{\"actor\":\"berik\",\"to\":[\"erlan\"]}", "Согласована. На проверке");
  g_assert_cmpint (follow (id, fund_id), ==, QOIMA_FUND_AGREED_CHECK);
  /* A new application is numbered after the ones before the restart. */
  fund_id2 = submit (id);
  g_assert_cmpstr (fund_id2, !=, fund_id);
  g_assert_cmpint (g_ascii_strtoll (fund_id2 + strlen ("FSMS-"), NULL, 10), >, g_ascii_strtoll (fund_id + strlen ("FSMS-"), NULL, 10));
}

static void
start_stand (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stand = NULL;
  g_autofree char *db = g_build_filename (t.tmpdir, "stand.sqlite", NULL);
  const char *env_stand = g_getenv ("QOIMA_STAND");

  stand = env_stand != NULL ? g_strdup (env_stand)
                            : g_test_build_filename (G_TEST_BUILT, "..", "src", "stand", "qoima-stand", NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* No --ca: the Fund's routes need none, and the stand's warning about it is no failure. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  t.process = g_subprocess_launcher_spawn (launcher, &error, stand, "--db", db, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (t.process));
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (i == 0)
        {
          g_assert_true (g_str_has_suffix (line, "/api/v3/true-api"));
          t.root = g_strndup (line, strlen (line) - strlen ("/api/v3/true-api"));
        }
      else if (i == 3)
        t.admin_token = g_strdup (line + strlen ("admin-token: "));
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = NULL;
  int status;

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  t.tmpdir = g_dir_make_tmp ("test-fund-stand-XXXXXX", &error);
  g_assert_no_error (error);
  start_stand ();
  t.session = soup_session_new_with_options ("timeout", 30, "proxy-resolver", NULL, NULL);
  t.client = qoima_fund_client_new (t.root);
  path = g_build_filename (t.tmpdir, "qoima.db", NULL);
  qoima_store_open_async (path, NULL, result_cb, &result);
  t.store = qoima_store_open_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  qoima_store_add_user_async (t.store, NULL, "admin", NULL, QOIMA_ROLE_ADMIN, 0, "long enough secret", NULL, result_cb, &result);
  t.admin = qoima_store_add_user_finish (t.store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  qoima_store_add_user_async (t.store, t.admin, "chief", NULL, QOIMA_ROLE_CHIEF, 0, "long enough secret", NULL, result_cb, &result);
  t.chief = qoima_store_add_user_finish (t.store, wait_for (&result), &error);
  g_assert_no_error (error);

  g_test_add_func ("/rules/R004-1/licenses-from-the-stand", test_r1_r2_licenses);
  g_test_add_func ("/rules/R004-1/related-organizations-licenses", test_r1_related_organizations);
  g_test_add_func ("/fund/client/url-for-stand", test_url_for_stand);
  g_test_add_func ("/rules/R004-22/signing-key-of-the-organization", test_r22_signer_bin);
  g_test_add_func ("/rules/R004-26/rejection-with-reasons", test_r26_rejection_reasons);
  g_test_add_func ("/rules/R004-26/R004-27/include-change-exclude", test_r26_r27_whole_round);
  g_test_add_func ("/rules/R004-14/consent-kept-with-its-document", test_r14_consent_kept_with_its_document);
  /* Last: it restarts the stand. */
  g_test_add_func ("/rules/R004-26/stand-restart-keeps-the-fund", test_restart_keeps_the_fund);
  status = g_test_run ();

  qoima_store_close (t.store);
  g_clear_object (&t.store);
  g_clear_object (&t.admin);
  g_clear_object (&t.chief);
  g_clear_object (&t.client);
  g_clear_object (&t.session);
  g_subprocess_send_signal (t.process, SIGTERM);
  g_subprocess_wait (t.process, NULL, NULL);
  g_clear_object (&t.process);
  g_free (t.root);
  g_free (t.admin_token);
  return status;
}
