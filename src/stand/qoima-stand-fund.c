/* qoima-stand-fund.c: the license service and the Fund, as the stand plays them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Kept in the stand's database (one JSON value in its meta table, written after each
 * change), so that the Fund remembers its applications across a restart. The Fund's transitions
 * are exactly R004-26 and R004-27; anything else is refused with the reason, in Russian
 * as the Fund's portal answers.
 */

#define G_LOG_DOMAIN "qoima-stand"

#include "config.h"

#include "qoima-stand-fund.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "qoima-cms.h"
#include "qoima-json.h"
#include "qoima-stand-world.h"

typedef enum {
  ROLE_REVIEWER = 1 << 0, /* «Рассматривающий заявки БД» */
  ROLE_CHECKER  = 1 << 1, /* «Проверяющий заявки БД» */
  ROLE_APPROVER = 1 << 2, /* «Согласующий заявки БД» */
} Role;

/* The branch's staff. Айгерим both reviews and checks, so that sending to oneself can be
 * tried (R004-26 forbids it). */
static const struct { const char *name; guint roles; } staff[] = {
  { "aigerim", ROLE_REVIEWER | ROLE_CHECKER },
  { "berik", ROLE_REVIEWER },
  { "dana", ROLE_CHECKER },
  { "erlan", ROLE_CHECKER },
  { "gulnar", ROLE_APPROVER },
};

/* The directories of grounds (not public: written for the stand). */
static const char * const rejection_reasons[] = {
  "Несоответствие приложений к лицензии заявленным видам медицинской помощи",
  "Отсутствие разрешительного документа в сфере санитарно-эпидемиологического благополучия",
  "Недостоверные сведения о производственной базе",
  "Не прошло трех лет с даты исключения из базы данных",
  NULL,
};
static const char * const exclusion_reasons[] = {
  "Прекращение действия лицензии",
  "Ликвидация субъекта здравоохранения",
  "Заявление субъекта здравоохранения об исключении",
  NULL,
};

typedef struct {
  char *id;
  char *status;       /* the Fund's label */
  gboolean exclusion; /* an exclusion under way (R004-27), not a decision on inclusion */
  char *notice;       /* "include", "reject", "exclude" or NULL */
  char **checkers;
  char **reasons;
  char *note;
  char *excluded_at;
  JsonNode *application;
} FundApplication;

struct _QoimaStandFund {
  GHashTable *requests;      /* id → bin */
  GHashTable *asked;         /* ids of requests asked about once (not kept across a restart) */
  GHashTable *applications;  /* id → FundApplication */
  guint next_request;
  guint next_application;
  QoimaStandDb *db;
  GBytes *ca_pem;
};

#define STATE_KEY "fund_state"

static void
fund_application_free (FundApplication *app)
{
  g_free (app->id);
  g_free (app->status);
  g_free (app->notice);
  g_strfreev (app->checkers);
  g_strfreev (app->reasons);
  g_free (app->note);
  g_free (app->excluded_at);
  g_clear_pointer (&app->application, json_node_unref);
  g_free (app);
}

static JsonArray *
strv_to_array (char **strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  return array;
}

static char **
strv_from_array (JsonArray *array)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (array == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *s = qoima_json_array_get_string (array, i);

      if (s != NULL)
        g_strv_builder_add (builder, s);
    }
  return g_strv_builder_end (builder);
}

static void
set_optional (JsonObject *object,
              const char *member,
              const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
}

/* Everything the Fund knows, as one JSON value. */
static void
save_state (QoimaStandFund *fund)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *root = json_object_new ();
  JsonObject *requests = json_object_new ();
  JsonArray *applications = json_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  if (fund->db == NULL)
    {
      json_object_unref (root);
      json_object_unref (requests);
      json_array_unref (applications);
      return;
    }
  json_object_set_int_member (root, "next_request", fund->next_request);
  json_object_set_int_member (root, "next_application", fund->next_application);
  g_hash_table_iter_init (&iter, fund->requests);
  while (g_hash_table_iter_next (&iter, &key, &value))
    json_object_set_string_member (requests, key, value);
  json_object_set_object_member (root, "requests", requests);
  g_hash_table_iter_init (&iter, fund->applications);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      FundApplication *app = value;
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "id", app->id);
      set_optional (object, "status", app->status);
      json_object_set_boolean_member (object, "exclusion", app->exclusion);
      set_optional (object, "notice", app->notice);
      json_object_set_array_member (object, "checkers", strv_to_array (app->checkers));
      json_object_set_array_member (object, "reasons", strv_to_array (app->reasons));
      set_optional (object, "note", app->note);
      set_optional (object, "excluded_at", app->excluded_at);
      if (app->application != NULL)
        json_object_set_member (object, "application", json_node_copy (app->application));
      json_array_add_object_element (applications, object);
    }
  json_object_set_array_member (root, "applications", applications);
  json_node_take_object (node, root);
  text = json_to_string (node, FALSE);
  if (!qoima_stand_db_set_meta (fund->db, STATE_KEY, text, &error))
    g_warning ("The Fund's state is not kept: %s", error->message);
}

static void
load_state (QoimaStandFund *fund)
{
  g_autofree char *text = qoima_stand_db_get_meta (fund->db, STATE_KEY);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *root, *requests;
  JsonArray *applications;

  if (text == NULL)
    return;
  node = json_from_string (text, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_warning ("The Fund's kept state is unreadable, started afresh: %s", error != NULL ? error->message : "not an object");
      return;
    }
  root = json_node_get_object (node);
  fund->next_request = (guint) json_object_get_int_member_with_default (root, "next_request", 0);
  fund->next_application = (guint) json_object_get_int_member_with_default (root, "next_application", 0);
  requests = qoima_json_get_object (root, "requests");
  if (requests != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (requests);

      for (GList *l = members; l != NULL; l = l->next)
        if (qoima_json_get_string (requests, l->data) != NULL)
          g_hash_table_replace (fund->requests, g_strdup (l->data), g_strdup (qoima_json_get_string (requests, l->data)));
    }
  applications = qoima_json_get_array (root, "applications");
  for (guint i = 0; applications != NULL && i < json_array_get_length (applications); i++)
    {
      JsonObject *object = qoima_json_array_get_object (applications, i);
      FundApplication *app;

      if (object == NULL || qoima_json_get_string (object, "id") == NULL)
        continue;
      app = g_new0 (FundApplication, 1);
      app->id = g_strdup (qoima_json_get_string (object, "id"));
      app->status = g_strdup (qoima_json_get_string (object, "status"));
      app->exclusion = json_object_get_boolean_member_with_default (object, "exclusion", FALSE);
      app->notice = g_strdup (qoima_json_get_string (object, "notice"));
      app->checkers = strv_from_array (qoima_json_get_array (object, "checkers"));
      app->reasons = strv_from_array (qoima_json_get_array (object, "reasons"));
      app->note = g_strdup (qoima_json_get_string (object, "note"));
      app->excluded_at = g_strdup (qoima_json_get_string (object, "excluded_at"));
      if (json_object_has_member (object, "application"))
        app->application = json_node_copy (json_object_get_member (object, "application"));
      g_hash_table_replace (fund->applications, app->id, app);
    }
}

QoimaStandFund *
qoima_stand_fund_new (QoimaStandDb *db,
                      GBytes       *ca_pem)
{
  QoimaStandFund *fund = g_new0 (QoimaStandFund, 1);

  fund->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fund->asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fund->applications = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) fund_application_free);
  fund->db = db != NULL ? g_object_ref (db) : NULL;
  fund->ca_pem = ca_pem != NULL ? g_bytes_ref (ca_pem) : NULL;
  if (fund->db != NULL)
    load_state (fund);
  return fund;
}

void
qoima_stand_fund_free (QoimaStandFund *fund)
{
  if (fund == NULL)
    return;
  g_hash_table_unref (fund->requests);
  g_hash_table_unref (fund->asked);
  g_hash_table_unref (fund->applications);
  g_clear_object (&fund->db);
  g_clear_pointer (&fund->ca_pem, g_bytes_unref);
  g_free (fund);
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         JsonNode          *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json;charset=UTF-8", SOUP_MEMORY_COPY, text, strlen (text));
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *message)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error_message", message);
  json_node_take_object (node, object);
  respond (msg, status, node);
}

static JsonObject *
read_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonNode) node = qoima_json_parse_bytes (bytes, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

/* The licenses the service knows: the demo hospital's and its branch's. The L60-… annex
 * subtypes are the ones of Qoima's care directory (qoima-fund-license.c). The hospital's
 * are the same under the world's BIN (its chief's keys carry it, R004-22) and under the
 * BIN the earlier tests use. */
static JsonNode *
licenses_for (const char *bin)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *fetched = g_date_time_format_iso8601 (now);
  g_autofree char *json = NULL;

  if (g_strcmp0 (bin, "190440019884") == 0 || g_strcmp0 (bin, QOIMA_STAND_HOSPITAL_BIN) == 0)
    json = g_strdup_printf (
      "["
      "{\"number\":\"23012345\",\"bin\":\"190440019884\",\"activity\":\"L60\",\"activity_name\":\"Медицинская деятельность\","
      "\"category\":\"Лицензия на вид деятельности\",\"type\":\"Генеральная\",\"status\":\"Действительный\",\"issued\":\"2023-04-01\",\"fetched_at\":\"%s\","
      "\"annexes\":[{\"number\":\"001\",\"subtypes\":[\"L60-INPAT\",\"L60-OUTPAT\",\"L60-PHC\"],\"bases\":[\"г. Алматы, ул. Абая, 1\"]},"
      "{\"number\":\"002\",\"subtypes\":[\"L60-DIAG\"],\"bases\":[\"г. Алматы, ул. Сатпаева, 2\",\"г. Алматы, ул. Абая, 1\"]}]},"
      "{\"number\":\"23012346\",\"bin\":\"190440019884\",\"activity\":\"L64\",\"activity_name\":\"Деятельность в сфере оборота наркотических средств, психотропных веществ и прекурсоров в области здравоохранения\","
      "\"category\":\"Лицензия на вид деятельности\",\"type\":\"Генеральная\",\"status\":\"Действительный\",\"issued\":\"2023-05-12\",\"fetched_at\":\"%s\","
      "\"annexes\":[{\"number\":\"001\",\"subtypes\":[\"L64A\"],\"bases\":[\"г. Алматы, ул. Абая, 1\"]}]},"
      "{\"number\":\"23012347\",\"bin\":\"190440019884\",\"activity\":\"A15\",\"activity_name\":\"Обращение с приборами и установками, генерирующими ионизирующее излучение\","
      "\"category\":\"Лицензия на вид деятельности\",\"type\":\"Генеральная\",\"status\":\"Действительный\",\"issued\":\"2022-11-30\",\"fetched_at\":\"%s\","
      "\"annexes\":[{\"number\":\"001\",\"subtypes\":[\"A15B\"],\"bases\":[\"г. Алматы, ул. Сатпаева, 2\"]}]},"
      "{\"number\":\"19000042\",\"bin\":\"190440019884\",\"activity\":\"L60\",\"activity_name\":\"Медицинская деятельность\","
      "\"category\":\"Лицензия на вид деятельности\",\"type\":\"Генеральная\",\"status\":\"Прекращен\",\"issued\":\"2019-02-01\",\"fetched_at\":\"%s\","
      "\"annexes\":[]},"
      "{\"number\":\"KZ07UCA00012345\",\"bin\":\"190440019884\",\"activity\":\"L61\",\"activity_name\":\"Фармацевтическая деятельность\","
      "\"category\":\"Уведомление\",\"type\":\"Генеральная\",\"status\":\"Действительный\",\"issued\":\"2021-06-15\",\"fetched_at\":\"%s\","
      "\"annexes\":[]}"
      "]", fetched, fetched, fetched, fetched, fetched);
  else if (g_strcmp0 (bin, "230940038234") == 0)
    json = g_strdup_printf (
      "[{\"number\":\"23099001\",\"bin\":\"230940038234\",\"activity\":\"L60\",\"activity_name\":\"Медицинская деятельность\","
      "\"category\":\"Лицензия на вид деятельности\",\"type\":\"Генеральная\",\"status\":\"Действительный\",\"issued\":\"2023-10-02\",\"fetched_at\":\"%s\","
      "\"annexes\":[{\"number\":\"001\",\"subtypes\":[\"L60-OUTPAT\"],\"bases\":[\"г. Астана, пр. Мангилик Ел, 5\"]}]}]", fetched);
  else
    json = g_strdup ("[]");
  if (g_strcmp0 (bin, QOIMA_STAND_HOSPITAL_BIN) == 0)
    {
      g_auto(GStrv) parts = g_strsplit (json, "190440019884", -1);

      g_free (json);
      json = g_strjoinv (bin, parts);
    }
  return json_from_string (json, NULL);
}

static gboolean
bin_known (const char *bin)
{
  g_autoptr(JsonNode) node = licenses_for (bin);

  return json_array_get_length (json_node_get_array (node)) > 0;
}

static void
handle_elicense (QoimaStandFund    *fund,
                 SoupServerMessage *msg,
                 const char        *method,
                 const char        *rest,
                 GHashTable        *query)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object;

  if (g_str_equal (method, "POST") && g_str_equal (rest, "/requests"))
    {
      g_autoptr(JsonObject) body = read_body (msg);
      const char *bin = body != NULL ? qoima_json_get_string (body, "bin") : NULL;
      char *id;

      if (bin == NULL || strlen (bin) != 12 || strspn (bin, "0123456789") != 12)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "Укажите ИИН/БИН (12 цифр)");
          return;
        }
      id = g_strdup_printf ("%u", ++fund->next_request);
      g_hash_table_replace (fund->requests, id, g_strdup (bin));
      object = json_object_new ();
      json_object_set_string_member (object, "id", id);
      json_object_set_string_member (object, "bin", bin);
      json_object_set_string_member (object, "state", "В обработке");
      json_node_take_object (node, object);
      respond (msg, SOUP_STATUS_CREATED, node);
      return;
    }
  if (g_str_equal (method, "GET") && g_str_has_prefix (rest, "/requests/"))
    {
      const char *id = rest + strlen ("/requests/");
      const char *bin = g_hash_table_lookup (fund->requests, id);

      if (bin == NULL)
        {
          respond_error (msg, SOUP_STATUS_NOT_FOUND, "Запрос не найден");
          return;
        }
      object = json_object_new ();
      json_object_set_string_member (object, "id", id);
      json_object_set_string_member (object, "bin", bin);
      /* As elicense.kz: «В обработке» when first asked, processed by the next time; a BIN
       * the registry does not know fails. */
      if (g_hash_table_add (fund->asked, g_strdup (id)))
        json_object_set_string_member (object, "state", "В обработке");
      else
        json_object_set_string_member (object, "state", bin_known (bin) ? "Обработан" : "Ошибка обработки");
      json_node_take_object (node, object);
      respond (msg, SOUP_STATUS_OK, node);
      return;
    }
  if (g_str_equal (method, "GET") && g_str_equal (rest, "/licenses"))
    {
      g_autoptr(JsonNode) licenses = licenses_for (query != NULL ? g_hash_table_lookup (query, "bin") : NULL);
      respond (msg, SOUP_STATUS_OK, licenses);
      return;
    }
  respond_error (msg, SOUP_STATUS_NOT_FOUND, "Ресурс не найден");
}

static JsonNode *
application_json (FundApplication *app)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *reasons = json_array_new ();

  json_object_set_string_member (object, "id", app->id);
  json_object_set_string_member (object, "status", app->status);
  json_object_set_boolean_member (object, "exclusion", app->exclusion);
  if (app->notice != NULL)
    json_object_set_string_member (object, "notice", app->notice);
  for (guint i = 0; app->reasons != NULL && app->reasons[i] != NULL; i++)
    json_array_add_string_element (reasons, app->reasons[i]);
  json_object_set_array_member (object, "reasons", reasons);
  if (app->note != NULL)
    json_object_set_string_member (object, "note", app->note);
  if (app->excluded_at != NULL)
    json_object_set_string_member (object, "excluded_at", app->excluded_at);
  json_node_take_object (node, object);
  return node;
}

static gboolean
consent_verifies (QoimaStandFund  *fund,
                  JsonObject      *application,
                  char           **why)
{
  const char *signature = qoima_json_get_string (application, "consent_signature");
  const char *document = qoima_json_get_string (application, "consent_document");
  g_autofree guchar *cms = NULL;
  g_autofree guchar *pdf = NULL;
  g_autoptr(GBytes) cms_bytes = NULL;
  g_autoptr(GBytes) pdf_bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize cms_length = 0, pdf_length = 0;

  if (document == NULL)
    {
      *why = g_strdup ("нет подписанного документа");
      return FALSE;
    }
  cms = g_base64_decode (signature, &cms_length);
  pdf = g_base64_decode (document, &pdf_length);
  if (cms_length == 0 || pdf_length == 0)
    {
      *why = g_strdup ("пустая подпись или документ");
      return FALSE;
    }
  cms_bytes = g_bytes_new (cms, cms_length);
  pdf_bytes = g_bytes_new (pdf, pdf_length);
  if (!qoima_cms_verify (cms_bytes, pdf_bytes, fund->ca_pem, NULL, NULL, &error))
    {
      *why = g_strdup (error->message);
      return FALSE;
    }
  return TRUE;
}

static void
handle_fsms (QoimaStandFund    *fund,
             SoupServerMessage *msg,
             const char        *method,
             const char        *rest)
{
  if (g_str_equal (method, "POST") && g_str_equal (rest, "/applications"))
    {
      g_autoptr(JsonObject) body = read_body (msg);
      JsonNode *application = body != NULL ? json_object_get_member (body, "application") : NULL;
      FundApplication *app;
      g_autoptr(JsonNode) answer = NULL;

      if (application == NULL || !JSON_NODE_HOLDS_OBJECT (application) ||
          qoima_json_get_string (body, "region") == NULL)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "Заявка не заполнена");
          return;
        }
      /* R004-22: signed by the chief's ЭЦП. */
      if (qoima_json_get_string (json_node_get_object (application), "consent_signature") == NULL)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "Согласие не подписано руководителем");
          return;
        }
      /* With a CA, the signature is checked over the document it signs: a detached CMS
       * of a key of that CA over the application's PDF sent beside it. */
      if (fund->ca_pem != NULL)
        {
          g_autofree char *why = NULL;

          if (!consent_verifies (fund, json_node_get_object (application), &why))
            {
              g_autofree char *message = g_strdup_printf ("Подпись согласия не прошла проверку: %s", why);

              respond_error (msg, SOUP_STATUS_BAD_REQUEST, message);
              return;
            }
        }
      app = g_new0 (FundApplication, 1);
      app->id = g_strdup_printf ("FSMS-%04u", ++fund->next_application); /* ASCII: it travels in paths */
      app->status = g_strdup ("На рассмотрении");
      app->application = json_node_copy (application);
      g_hash_table_replace (fund->applications, app->id, app);
      answer = application_json (app);
      respond (msg, SOUP_STATUS_CREATED, answer);
      return;
    }
  if (g_str_equal (method, "GET") && g_str_has_prefix (rest, "/applications/"))
    {
      FundApplication *app = g_hash_table_lookup (fund->applications, rest + strlen ("/applications/"));
      g_autoptr(JsonNode) answer = NULL;

      if (app == NULL)
        {
          respond_error (msg, SOUP_STATUS_NOT_FOUND, "Заявка не найдена");
          return;
        }
      answer = application_json (app);
      respond (msg, SOUP_STATUS_OK, answer);
      return;
    }
  respond_error (msg, SOUP_STATUS_NOT_FOUND, "Ресурс не найден");
}

static guint
roles_of (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (staff); i++)
    if (g_str_equal (staff[i].name, name))
      return staff[i].roles;
  return 0;
}

static char **
strv_member (JsonObject *object,
             const char *member)
{
  JsonArray *array = qoima_json_get_array (object, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    if (qoima_json_array_get_string (array, i) != NULL)
      g_strv_builder_add (builder, qoima_json_array_get_string (array, i));
  return g_strv_builder_end (builder);
}

static void
set_status (FundApplication *app,
            const char      *status)
{
  g_free (app->status);
  app->status = g_strdup (status);
}

/* R004-26 and R004-27. Returns the error message, or NULL when done. */
static const char *
fund_act (FundApplication *app,
          const char      *action,
          JsonObject      *body)
{
  const char *actor = qoima_json_get_string (body, "actor");
  guint roles = roles_of (actor);
  const char *reason = qoima_json_get_string (body, "reason");
  gboolean under_review = g_str_equal (app->status, "На рассмотрении");

  if (roles == 0)
    return "Сотрудник не найден";

  /* The reviewer («Рассматривающий заявки БД») */
  if (g_str_equal (action, "form_inclusion") || g_str_equal (action, "form_rejection") ||
      g_str_equal (action, "delete_notice") || g_str_equal (action, "send_to_check") ||
      g_str_equal (action, "exclude"))
    {
      if (!(roles & ROLE_REVIEWER))
        return "Действие доступно пользователю с ролью «Рассматривающий заявки БД»";
      if (g_str_equal (action, "form_inclusion") || g_str_equal (action, "form_rejection"))
        {
          g_auto(GStrv) reasons = strv_member (body, "reasons");

          if (!under_review || app->exclusion)
            return "Заявка не на рассмотрении";
          if (g_str_equal (action, "form_rejection"))
            {
              /* From the directory, several allowed; the note is optional. */
              if (reasons[0] == NULL)
                return "Укажите причину отклонения";
              for (guint i = 0; reasons[i] != NULL; i++)
                if (!g_strv_contains (rejection_reasons, reasons[i]))
                  return "Причина отклонения не из справочника оснований";
              g_strfreev (app->reasons);
              app->reasons = g_steal_pointer (&reasons);
              g_free (app->note);
              app->note = g_strdup (qoima_json_get_string (body, "note"));
            }
          g_free (app->notice);
          app->notice = g_strdup (g_str_equal (action, "form_inclusion") ? "include" : "reject");
          return NULL;
        }
      if (g_str_equal (action, "exclude"))
        {
          /* R004-27: from «Включен в БД», a ground from the directory and an optional one. */
          if (!g_str_equal (app->status, "Включен в БД") || app->exclusion)
            return "Исключить можно только заявку в статусе «Включен в БД»";
          if (reason == NULL || !g_strv_contains (exclusion_reasons, reason))
            return "Выберите причину исключения из справочника";
          g_strfreev (app->reasons);
          app->reasons = g_new0 (char *, 2);
          app->reasons[0] = g_strdup (reason);
          g_free (app->note);
          app->note = g_strdup (qoima_json_get_string (body, "note"));
          g_free (app->notice);
          app->notice = g_strdup ("exclude");
          app->exclusion = TRUE;
          return NULL;
        }
      if (g_str_equal (action, "delete_notice"))
        {
          if (app->notice == NULL)
            return "Уведомление не сформировано";
          g_clear_pointer (&app->notice, g_free);
          if (app->exclusion)
            app->exclusion = FALSE;
          return NULL;
        }
      /* send_to_check: to one or more checkers, never to oneself. */
      {
        g_auto(GStrv) to = strv_member (body, "to");

        if (app->notice == NULL || (!under_review && !app->exclusion) ||
            (app->exclusion && !g_str_equal (app->status, "Включен в БД")))
          return "Сначала сформируйте уведомление";
        if (to[0] == NULL)
          return "Выберите проверяющего";
        for (guint i = 0; to[i] != NULL; i++)
          {
            if (g_str_equal (to[i], actor))
              return "Направить заявку на проверку самому себе не доступно";
            if (!(roles_of (to[i]) & ROLE_CHECKER))
              return "Выбранный сотрудник не имеет роли «Проверяющий заявки БД»";
          }
        g_strfreev (app->checkers);
        app->checkers = g_steal_pointer (&to);
        /* The seed puts an exclusion in «Отклонена. На проверке» too. */
        set_status (app, g_str_equal (app->notice, "include") ? "Согласована. На проверке" : "Отклонена. На проверке");
        return NULL;
      }
    }

  /* The checker («Проверяющий заявки БД»): only one the application was sent to. */
  if (g_str_equal (action, "confirm") || g_str_equal (action, "refuse"))
    {
      if (!(roles & ROLE_CHECKER) || app->checkers == NULL || !g_strv_contains ((const char * const *) app->checkers, actor))
        return "Заявка не направлена этому проверяющему";
      if (!g_str_has_suffix (app->status, "На проверке"))
        return "Заявка не на проверке";
      if (g_str_equal (action, "confirm"))
        {
          set_status (app, g_str_equal (app->notice, "reject") ? "Отклонена. На согласовании" : "Подтверждена. На согласовании");
          return NULL;
        }
      if (!app->exclusion && (reason == NULL || *reason == '\0'))
        return "Укажите причину отказа";
      /* Refused: back to the reviewer; an exclusion is cancelled. */
      set_status (app, app->exclusion ? "Включен в БД" : "На рассмотрении");
      g_clear_pointer (&app->notice, g_free);
      app->exclusion = FALSE;
      g_free (app->note);
      app->note = g_strdup (reason);
      return NULL;
    }

  /* The approver («Согласующий заявки БД») */
  if (g_str_equal (action, "approve") || g_str_equal (action, "reject"))
    {
      if (!(roles & ROLE_APPROVER))
        return "Действие доступно пользователю с ролью «Согласующий заявки БД»";
      if (!g_str_has_suffix (app->status, "На согласовании"))
        return "Заявка не на согласовании";
      if (g_str_equal (action, "approve"))
        {
          if (app->exclusion)
            {
              g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

              /* R004-27: the exclusion is signed with ЭЦП. */
              if (qoima_json_get_string (body, "signature") == NULL)
                return "Исключение подтверждается ЭЦП";
              set_status (app, "Исключен из БД");
              app->excluded_at = g_date_time_format_iso8601 (now);
            }
          else
            set_status (app, g_str_equal (app->notice, "reject") ? "Отклонена" : "Включен в БД");
          return NULL;
        }
      if (!app->exclusion && (reason == NULL || *reason == '\0'))
        return "Укажите причину отклонения";
      set_status (app, app->exclusion ? "Включен в БД" : "На рассмотрении");
      g_clear_pointer (&app->notice, g_free);
      app->exclusion = FALSE;
      g_free (app->note);
      app->note = g_strdup (reason);
      return NULL;
    }
  return "Действие не поддерживается";
}

static void
handle_admin (QoimaStandFund    *fund,
              SoupServerMessage *msg,
              const char        *method,
              const char        *rest)
{
  g_autoptr(JsonNode) node = NULL;

  if (g_str_equal (method, "GET") && g_str_equal (rest, "/reasons"))
    {
      JsonObject *object = json_object_new ();
      JsonArray *rejection = json_array_new ();
      JsonArray *exclusion = json_array_new ();

      for (guint i = 0; rejection_reasons[i] != NULL; i++)
        json_array_add_string_element (rejection, rejection_reasons[i]);
      for (guint i = 0; exclusion_reasons[i] != NULL; i++)
        json_array_add_string_element (exclusion, exclusion_reasons[i]);
      json_object_set_array_member (object, "rejection", rejection);
      json_object_set_array_member (object, "exclusion", exclusion);
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, object);
      respond (msg, SOUP_STATUS_OK, node);
      return;
    }
  if (g_str_equal (method, "GET") && g_str_equal (rest, "/staff"))
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < G_N_ELEMENTS (staff); i++)
        {
          JsonObject *person = json_object_new ();
          JsonArray *roles = json_array_new ();

          json_object_set_string_member (person, "name", staff[i].name);
          if (staff[i].roles & ROLE_REVIEWER)
            json_array_add_string_element (roles, "Рассматривающий заявки БД");
          if (staff[i].roles & ROLE_CHECKER)
            json_array_add_string_element (roles, "Проверяющий заявки БД");
          if (staff[i].roles & ROLE_APPROVER)
            json_array_add_string_element (roles, "Согласующий заявки БД");
          json_object_set_array_member (person, "roles", roles);
          json_array_add_object_element (array, person);
        }
      node = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (node, array);
      respond (msg, SOUP_STATUS_OK, node);
      return;
    }
  if (g_str_equal (method, "POST") && g_str_has_prefix (rest, "/applications/"))
    {
      g_auto(GStrv) parts = g_strsplit (rest + strlen ("/applications/"), "/", 2);
      FundApplication *app = parts[0] != NULL ? g_hash_table_lookup (fund->applications, parts[0]) : NULL;
      g_autoptr(JsonObject) body = read_body (msg);
      const char *problem;

      if (app == NULL || parts[1] == NULL)
        {
          respond_error (msg, SOUP_STATUS_NOT_FOUND, "Заявка не найдена");
          return;
        }
      if (body == NULL)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "Ожидается JSON");
          return;
        }
      problem = fund_act (app, parts[1], body);
      if (problem != NULL)
        {
          respond_error (msg, SOUP_STATUS_CONFLICT, problem);
          return;
        }
      node = application_json (app);
      respond (msg, SOUP_STATUS_OK, node);
      return;
    }
  respond_error (msg, SOUP_STATUS_NOT_FOUND, "Ресурс не найден");
}

gboolean
qoima_stand_fund_handle (QoimaStandFund    *fund,
                         SoupServerMessage *msg,
                         const char        *method,
                         const char        *path,
                         GHashTable        *query)
{
  if (g_str_has_prefix (path, QOIMA_STAND_ELICENSE_PATH "/"))
    handle_elicense (fund, msg, method, path + strlen (QOIMA_STAND_ELICENSE_PATH), query);
  else if (g_str_has_prefix (path, QOIMA_STAND_FSMS_PATH "/"))
    handle_fsms (fund, msg, method, path + strlen (QOIMA_STAND_FSMS_PATH));
  else if (g_str_has_prefix (path, QOIMA_STAND_FUND_ADMIN_PATH "/"))
    handle_admin (fund, msg, method, path + strlen (QOIMA_STAND_FUND_ADMIN_PATH));
  else
    return FALSE;
  /* Whatever a POST changed is kept before the next request is read. */
  if (g_str_equal (method, "POST"))
    save_state (fund);
  return TRUE;
}
