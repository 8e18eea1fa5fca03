/* test-ismpt-client.c: the True API client against a scripted HTTP peer on loopback
 *
 * These tests pin the client's own behaviour (token reuse, one re-login on 401, typed
 * errors, escaping) with a peer whose answers each test controls. The end-to-end flow
 * against the project's stand, with real signatures, is in test-sync.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-ismpt-client.h"
#include "qoima-json.h"

#include <string.h>

/* A signer double: "signs" by prefixing, so the peer can check what was signed. */
#define TEST_TYPE_SIGNER (test_signer_get_type ())
G_DECLARE_FINAL_TYPE (TestSigner, test_signer, TEST, SIGNER, GObject)

struct _TestSigner
{
  GObject parent_instance;
  int signatures;
};

static void test_signer_iface_init (QoimaSignerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSigner, test_signer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QOIMA_TYPE_SIGNER, test_signer_iface_init))

static void
test_signer_sign_async (QoimaSigner         *signer,
                        GBytes              *data,
                        QoimaSignMode        mode,
                        QoimaKeyPurpose      purpose,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  TestSigner *self = TEST_SIGNER (signer);
  g_autoptr(GTask) task = g_task_new (signer, cancellable, callback, user_data);
  g_autofree char *signed_text = NULL;

  g_assert_cmpint (mode, ==, QOIMA_SIGN_ATTACHED);
  g_assert_cmpint (purpose, ==, QOIMA_KEY_PURPOSE_AUTH);
  self->signatures++;
  signed_text = g_strdup_printf ("SIGNED:%.*s", (int) g_bytes_get_size (data),
                                 (const char *) g_bytes_get_data (data, NULL));
  g_task_return_pointer (task, g_bytes_new (signed_text, strlen (signed_text)),
                         (GDestroyNotify) g_bytes_unref);
}

static GBytes *
test_signer_sign_finish (QoimaSigner   *signer,
                         GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static QoimaCertificate *
test_signer_get_certificate (QoimaSigner *signer)
{
  return NULL;
}

static void
test_signer_iface_init (QoimaSignerInterface *iface)
{
  iface->sign_async = test_signer_sign_async;
  iface->sign_finish = test_signer_sign_finish;
  iface->get_certificate = test_signer_get_certificate;
}

static void
test_signer_class_init (TestSignerClass *klass)
{
}

static void
test_signer_init (TestSigner *self)
{
}

/* The scripted peer. */
typedef struct {
  SoupServer *server;
  char *base_url;
  TestSigner *signer;
  QoimaIsmptClient *client;
  int challenges;
  int sign_ins;
  int token_serial;
  gint64 token_lifetime;
  int fail_next_with_401;
  int fail_with_status;
  int sign_in_status;
  gboolean broken_json;
  gboolean legacy_only;  /* documents only on the legacy facade */
  char *list_answer;     /* when set, doc/list answers this instead */
  char *token_payload;   /* when set, the JWT's payload instead of the usual claims */
  unsigned create_status; /* when set, lk/documents/create answers this status… */
  GBytes *create_answer; /* …with this body (NULL: none at all) */
  int requests;
  char *last_query;
  char *last_path;
  char *last_body;
  char *last_authorization;
} Fixture;

static char *
make_token (Fixture *fixture)
{
  g_autofree char *payload = fixture->token_payload != NULL ? g_strdup (fixture->token_payload) : g_strdup_printf (
    "{\"inn\":\"990340001230\",\"exp\":%" G_GINT64_FORMAT ",\"jti\":\"%d\","
    "\"product_group_info\":[{\"name\":\"pharma\",\"status\":\"5\"}]}",
    g_get_real_time () / G_USEC_PER_SEC + fixture->token_lifetime, ++fixture->token_serial);
  g_autofree char *b64 = g_base64_encode ((const guchar *) payload, strlen (payload));

  /* base64url, no padding, as a JWT has it */
  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  g_strdelimit (b64, "=", '\0');
  return g_strdup_printf ("eyJhbGciOiJIUzI1NiJ9.%s.c2ln", b64);
}

static void
reply (SoupServerMessage *msg,
       unsigned           status,
       const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *fixture = user_data;
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");
  g_autofree char *expected_auth = NULL;
  GUri *uri = soup_server_message_get_uri (msg);

  fixture->requests++;
  g_free (fixture->last_path);
  fixture->last_path = g_strdup (g_uri_get_path (uri));
  g_free (fixture->last_query);
  fixture->last_query = g_strdup (g_uri_get_query (uri));
  g_free (fixture->last_body);
  fixture->last_body = g_strndup (request->data, request->length);
  g_free (fixture->last_authorization);
  fixture->last_authorization = g_strdup (auth);

  if (g_str_has_suffix (path, "/auth/key"))
    {
      fixture->challenges++;
      reply (msg, 200, "{\"uuid\":\"u-1\",\"data\":\"CHALLENGE\"}");
      return;
    }
  if (g_str_has_suffix (path, "/auth/simpleSignIn"))
    {
      g_autofree char *expected = g_base64_encode ((const guchar *) "SIGNED:CHALLENGE", 16);
      g_autofree char *token = NULL;
      g_autofree char *answer = NULL;

      fixture->sign_ins++;
      if (fixture->sign_in_status != 0)
        {
          reply (msg, fixture->sign_in_status, "{\"error_message\":\"Внутренняя ошибка сервера\"}");
          return;
        }
      if (strstr (fixture->last_body, expected) == NULL || strstr (fixture->last_body, "\"u-1\"") == NULL)
        {
          reply (msg, 400, "{\"error_message\":\"Ошибка при проверке подписи\"}");
          return;
        }
      token = make_token (fixture);
      answer = g_strdup_printf ("{\"token\":\"%s\"}", token);
      reply (msg, 200, answer);
      return;
    }

  if (auth == NULL || !g_str_has_prefix (auth, "Bearer eyJ") || fixture->fail_next_with_401 > 0)
    {
      if (fixture->fail_next_with_401 > 0)
        fixture->fail_next_with_401--;
      reply (msg, 401, "{\"error_message\":\"Проверьте токен\"}");
      return;
    }
  if (fixture->fail_with_status != 0)
    {
      reply (msg, fixture->fail_with_status, "{\"error_message\":\"Внутренняя ошибка\"}");
      return;
    }
  if (fixture->broken_json)
    {
      reply (msg, 200, "{\"results\":[{\"number\":");
      return;
    }

  if (fixture->list_answer != NULL && g_str_has_suffix (path, "/doc/list"))
    reply (msg, 200, fixture->list_answer);
  else if (fixture->create_status != 0 && g_str_has_suffix (path, "/lk/documents/create"))
    {
      gsize size = 0;
      const char *data = fixture->create_answer != NULL ? g_bytes_get_data (fixture->create_answer, &size) : NULL;

      soup_server_message_set_status (msg, fixture->create_status, NULL);
      if (data != NULL)
        soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, data, size);
    }
  else if (fixture->legacy_only && strstr (path, "/doc/") != NULL && !g_str_has_prefix (path, "/api/v3/facade/"))
    reply (msg, 404, "{\"error_message\":\"Ресурс не найден\"}");
  else if (g_str_equal (path, "/api/v3/facade/doc/listV2"))
    reply (msg, 200, "{\"results\":[{\"number\":\"act-1\",\"type\":\"LP_SHIP_GOODS\"}],\"total\":1}");
  else if (g_str_has_prefix (path, "/api/v3/facade/doc/") && g_str_has_suffix (path, "/body"))
    reply (msg, 200, "{\"number\":\"act-1\",\"status\":\"WAIT_ACCEPTANCE\"}");
  else if (g_str_has_suffix (path, "/doc/list"))
    reply (msg, 200, "{\"results\":[{\"number\":\"act-1\",\"type\":\"LP_SHIP_GOODS\",\"status\":\"WAIT_ACCEPTANCE\"}],\"nextPage\":false}");
  else if (g_str_has_suffix (path, "/info"))
    reply (msg, 200, "[{\"number\":\"act-1\",\"status\":\"CHECKED_OK\"}]");
  else if (g_str_has_suffix (path, "/lk/documents/create"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "doc-42\n", 7);
    }
  else if (g_str_has_suffix (path, "/cises/info"))
    reply (msg, 200, "[{\"cisInfo\":{\"requestedCis\":\"x\",\"status\":\"INTRODUCED\"}}]");
  else
    reply (msg, 404, "{\"error_message\":\"not found\"}");
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fixture->token_lifetime = 3600;
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, handler, fixture, NULL);
  g_assert_true (soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->base_url = g_strdup_printf ("http://127.0.0.1:%d/api/v3/true-api", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  fixture->signer = g_object_new (TEST_TYPE_SIGNER, NULL);
  fixture->client = qoima_ismpt_client_new (fixture->base_url, NULL);
  qoima_ismpt_client_set_auth_signer (fixture->client, QOIMA_SIGNER (fixture->signer));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->client);
  g_assert_finalize_object (fixture->signer);
  soup_server_disconnect (fixture->server);
  g_assert_finalize_object (fixture->server);
  g_free (fixture->base_url);
  g_free (fixture->last_query);
  g_free (fixture->last_path);
  g_free (fixture->last_body);
  g_free (fixture->last_authorization);
  g_free (fixture->list_answer);
  g_free (fixture->token_payload);
  g_clear_pointer (&fixture->create_answer, g_bytes_unref);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static JsonNode *
list_incoming (Fixture  *fixture,
               GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_ismpt_client_list_documents_async (fixture->client, QOIMA_ISMPT_INCOMING, "LP_SHIP_GOODS",
                                           NULL, NULL, store_result_cb, &result);
  return qoima_ismpt_client_list_documents_finish (fixture->client, wait_result (&result), error);
}

static void
test_login_once_and_reuse (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;

  first = list_incoming (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (first)), ==, 1);
  second = list_incoming (fixture, &error);
  g_assert_no_error (error);

  /* One challenge, one signature, one token for both calls. */
  g_assert_cmpint (fixture->challenges, ==, 1);
  g_assert_cmpint (fixture->sign_ins, ==, 1);
  g_assert_cmpint (fixture->signer->signatures, ==, 1);
  g_assert_cmpstr (qoima_ismpt_client_get_bin (fixture->client), ==, "990340001230");
  g_assert_nonnull (strstr (fixture->last_query, "receiverInn=990340001230"));
  g_assert_nonnull (strstr (fixture->last_query, "pg=pharma"));
  g_assert_true (g_str_has_prefix (fixture->last_authorization, "Bearer "));
}

static void
test_token_renewed_before_expiry (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;

  /* A token that expires within the safety margin is not used again. */
  fixture->token_lifetime = 30;
  first = list_incoming (fixture, &error);
  g_assert_no_error (error);
  second = list_incoming (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fixture->sign_ins, ==, 2);
}

static void
test_relogin_once_on_401 (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = list_incoming (fixture, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);

  /* The token is refused once (revoked, stand restarted): one more login, then success. */
  fixture->fail_next_with_401 = 1;
  node = list_incoming (fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpint (fixture->sign_ins, ==, 2);
  g_clear_pointer (&node, json_node_unref);

  /* Refused twice in a row: no endless loop, a typed error. */
  fixture->fail_next_with_401 = 5;
  node = list_incoming (fixture, &error);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED);
  g_assert_null (node);
  g_assert_cmpint (fixture->sign_ins, ==, 3);
}

static void
test_server_error (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  fixture->fail_with_status = 503;
  node = list_incoming (fixture, &error);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_SERVER);
  g_assert_null (node);
  g_clear_error (&error);

  fixture->fail_with_status = 403;
  node = list_incoming (fixture, &error);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_REFUSED);
  /* The stand's own words reach the user. */
  g_assert_nonnull (strstr (error->message, "Внутренняя ошибка"));
}

/* A server failing at sign-in is a passing fault (retried later), not a refused key;
 * a 4xx there is a refusal. */
static void
test_sign_in_server_error (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  fixture->sign_in_status = 503;
  node = list_incoming (fixture, &error);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_SERVER);
  g_assert_null (node);
  g_clear_error (&error);

  fixture->sign_in_status = 403;
  node = list_incoming (fixture, &error);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED);
  g_assert_null (node);
  g_clear_error (&error);

  fixture->sign_in_status = 0;
  node = list_incoming (fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
}

static void
test_broken_json (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  fixture->broken_json = TRUE;
  node = list_incoming (fixture, &error);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER);
  g_assert_null (node);
}

static void
test_no_network (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;
  int port;

  /* A port that was just free: nothing listens there. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  bound = g_socket_get_local_address (socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  url = g_strdup_printf ("http://127.0.0.1:%d/api/v3/true-api", port);
  client = qoima_ismpt_client_new (url, NULL);
  qoima_ismpt_client_set_auth_signer (client, QOIMA_SIGNER (fixture->signer));
  qoima_ismpt_client_list_documents_async (client, QOIMA_ISMPT_INCOMING, NULL, NULL, NULL,
                                           store_result_cb, &result);
  node = qoima_ismpt_client_list_documents_finish (client, wait_result (&result), &error);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NO_NETWORK);
  g_assert_null (node);
}

static void
test_escaping (Fixture       *fixture,
               gconstpointer  data)
{
  const char *codes[] = { "0104607000000014215\"b%c<d&e'f\x1d" "91EE06", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) info_result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(GBytes) sent_bytes = NULL;

  /* In a JSON body: escaped by the generator, so the peer reads back the same string. */
  qoima_ismpt_client_cises_info_async (fixture->client, codes, NULL, store_result_cb, &result);
  node = qoima_ismpt_client_cises_info_finish (fixture->client, wait_result (&result), &error);
  g_assert_no_error (error);
  sent_bytes = g_bytes_new (fixture->last_body, strlen (fixture->last_body));
  sent = qoima_json_parse_bytes (sent_bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (qoima_json_array_get_string (json_node_get_array (sent), 0), ==, codes[0]);
  g_clear_pointer (&node, json_node_unref);

  /* In a path: percent-encoded, decoded back intact by the peer. */
  qoima_ismpt_client_get_document_async (fixture->client, "a/b c%\"", NULL, store_result_cb, &info_result);
  node = qoima_ismpt_client_get_document_finish (fixture->client, wait_result (&info_result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fixture->last_path, ==, "/api/v3/true-api/doc/a/b c%\"/info");
}

static void
test_create_document (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) document = g_bytes_new_static ("{\"accept_all\":true}", 19);
  g_autoptr(GBytes) signature = g_bytes_new_static ("\x30\x82\x01", 3);
  g_autoptr(GBytes) sent_bytes = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_autofree char *id = NULL;
  g_autofree char *expected_doc = g_base64_encode ((const guchar *) "{\"accept_all\":true}", 19);
  JsonObject *object;

  qoima_ismpt_client_create_document_async (fixture->client, "LP_ACCEPT_GOODS", document, signature,
                                            NULL, store_result_cb, &result);
  id = qoima_ismpt_client_create_document_finish (fixture->client, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "doc-42");

  sent_bytes = g_bytes_new (fixture->last_body, strlen (fixture->last_body));
  sent = qoima_json_parse_bytes (sent_bytes, &error);
  g_assert_no_error (error);
  object = json_node_get_object (sent);
  g_assert_cmpstr (qoima_json_get_string (object, "type"), ==, "LP_ACCEPT_GOODS");
  g_assert_cmpstr (qoima_json_get_string (object, "document_format"), ==, "MANUAL");
  g_assert_cmpstr (qoima_json_get_string (object, "product_document"), ==, expected_doc);
  g_assert_cmpstr (qoima_json_get_string (object, "signature"), ==, "MIIB");
}

static char *
create_with_answer (Fixture     *fixture,
                    unsigned     status,
                    const char  *answer,
                    gssize       length,
                    GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) document = g_bytes_new_static ("{\"accept_all\":true}", 19);
  g_autoptr(GBytes) signature = g_bytes_new_static ("\x30\x82\x01", 3);

  fixture->create_status = status;
  g_clear_pointer (&fixture->create_answer, g_bytes_unref);
  if (answer != NULL)
    fixture->create_answer = g_bytes_new (answer, length < 0 ? strlen (answer) : (gsize) length);
  qoima_ismpt_client_create_document_async (fixture->client, "LP_ACCEPT_GOODS", document, signature,
                                            NULL, store_result_cb, &result);
  return qoima_ismpt_client_create_document_finish (fixture->client, wait_result (&result), error);
}

/* Issue 9: a 200 or 204 with an empty body to a sent document crashed the client. Such an
 * answer, or any that holds no document id, leaves the document's fate unknown: a distinct
 * error, so the sync asks ИС МПТ instead of sending again. */
static void
test_create_empty_answer (Fixture       *fixture,
                          gconstpointer  data)
{
  const struct {
    unsigned status;
    const char *answer;
    gssize length;
  } answers[] = {
    { 200, NULL, 0 },
    { 204, NULL, 0 },
    { 200, "", 0 },
    { 200, "  \r\n", -1 },
    { 200, "\"\"", -1 },
    { 200, "{\"error_message\":\"x\"}", -1 },
    { 200, "doc-42\0garbage", 14 },
    { 201, "\xff\xfe", -1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *id = NULL;

      g_test_message ("answer %" G_GSIZE_FORMAT ": HTTP %u", i, answers[i].status);
      id = create_with_answer (fixture, answers[i].status, answers[i].answer, answers[i].length, &error);
      g_assert_null (id);
      g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_UNKNOWN_OUTCOME);
    }

  /* A plain id, quoted or not, is still one. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *id = create_with_answer (fixture, 200, "\"doc-43\"\n", -1, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (id, ==, "doc-43");
  }
}

/* {"results":[[…]]}: @depth levels in all, the object one of them. */
static char *
nested_list (int depth)
{
  GString *text = g_string_new ("{\"results\":");

  for (int i = 1; i < depth; i++)
    g_string_append_c (text, '[');
  for (int i = 1; i < depth; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

/* Issue 9: 100,000 nested [ overflowed the stack of the answer reader. Refused before
 * parsing, as a broken answer that says why; a depth the API never needs is refused too. */
static void
test_deeply_nested_answer (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  fixture->list_answer = g_strnfill (100000, '[');
  node = list_incoming (fixture, &error);
  g_assert_null (node);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER);
  g_assert_nonnull (strstr (error->message, "64"));
  g_clear_error (&error);

  /* Closed, too: a list nested 65 levels deep in all is refused, 64 are read. */
  g_free (fixture->list_answer);
  fixture->list_answer = nested_list (65);
  node = list_incoming (fixture, &error);
  g_assert_null (node);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER);
  g_clear_error (&error);

  g_free (fixture->list_answer);
  fixture->list_answer = nested_list (64);
  node = list_incoming (fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
}

/* Issue 9: a JWT's exp was cast from a double without a range check (1e300 is undefined
 * behaviour). A number that is no time refuses the token as a broken answer. */
static void
test_token_exp_out_of_range (Fixture       *fixture,
                             gconstpointer  data)
{
  const char *payloads[] = {
    "{\"inn\":\"990340001230\",\"exp\":1e300}",
    "{\"inn\":\"990340001230\",\"exp\":-1e300}",
    "{\"inn\":\"990340001230\",\"exp\":1e400}",
    "{\"inn\":\"990340001230\",\"exp\":1700000000.5}",
    "{\"inn\":\"990340001230\",\"exp\":\"tomorrow\"}",
    "{\"inn\":\"990340001230\",\"exp\":99999999999999}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      g_test_message ("payload %s", payloads[i]);
      g_free (fixture->token_payload);
      fixture->token_payload = g_strdup (payloads[i]);
      node = list_incoming (fixture, &error);
      g_assert_null (node);
      g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER);
      g_assert_nonnull (strstr (error->message, "exp"));
    }

  /* An exp that is a time (even written as 2.0e9) is used. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = NULL;

    g_free (fixture->token_payload);
    fixture->token_payload = g_strdup ("{\"inn\":\"990340001230\",\"exp\":4.0e9}");
    node = list_incoming (fixture, &error);
    g_assert_no_error (error);
    g_assert_nonnull (node);
  }
}

static void
test_operation_override (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(JsonNode) node = NULL;

  /* Another stand's path comes from configuration, not from code. */
  g_assert_true (g_key_file_load_from_data (keyfile,
                                            "[ismpt-operations]\ndoc-list=GET documents/incoming\n",
                                            -1, G_KEY_FILE_NONE, &error));
  g_assert_true (qoima_ismpt_client_load_operations (fixture->client, keyfile, &error));
  g_assert_no_error (error);
  node = list_incoming (fixture, &error);
  g_assert_cmpstr (fixture->last_path, ==, "/api/v3/true-api/documents/incoming");
  g_clear_error (&error);

  g_key_file_set_string (keyfile, "ismpt-operations", "no-such-op", "GET x");
  g_assert_false (qoima_ismpt_client_load_operations (fixture->client, keyfile, &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
}

/* Documents only on the legacy facade: after the v3 and v4 paths answer 404, listV2 (with its
 * own parameters) and doc/{id}/body are used, and tried first from then on. */
static void
test_legacy_facade (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  int before;

  fixture->legacy_only = TRUE;
  first = list_incoming (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (first)), ==, 1);
  g_assert_cmpstr (fixture->last_path, ==, "/api/v3/facade/doc/listV2");
  g_assert_nonnull (strstr (fixture->last_query, "inputFormat=true"));
  g_assert_nonnull (strstr (fixture->last_query, "participantInn=990340001230"));
  g_assert_null (strstr (fixture->last_query, "pg="));

  before = fixture->requests;
  second = list_incoming (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fixture->requests, ==, before + 1);

  /* The body comes as one object, not an array of one. */
  qoima_ismpt_client_get_document_async (fixture->client, "act-1", NULL, store_result_cb, &result);
  doc = qoima_ismpt_client_get_document_finish (fixture->client, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fixture->last_path, ==, "/api/v3/facade/doc/act-1/body");
  g_assert_cmpstr (qoima_json_get_string (json_node_get_object (doc), "status"), ==, "WAIT_ACCEPTANCE");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ismpt-client/login-once-and-reuse", test_login_once_and_reuse);
  ADD ("/ismpt-client/token-renewed-before-expiry", test_token_renewed_before_expiry);
  ADD ("/ismpt-client/relogin-once-on-401", test_relogin_once_on_401);
  ADD ("/ismpt-client/server-error", test_server_error);
  ADD ("/ismpt-client/sign-in-server-error", test_sign_in_server_error);
  ADD ("/ismpt-client/broken-json", test_broken_json);
  ADD ("/ismpt-client/no-network", test_no_network);
  ADD ("/ismpt-client/escaping", test_escaping);
  ADD ("/ismpt-client/create-document", test_create_document);
  ADD ("/ismpt-client/create-empty-answer-is-unknown-outcome", test_create_empty_answer);
  ADD ("/ismpt-client/deeply-nested-answer-refused", test_deeply_nested_answer);
  ADD ("/ismpt-client/token-exp-out-of-range-refused", test_token_exp_out_of_range);
  ADD ("/ismpt-client/operation-override", test_operation_override);
  ADD ("/ismpt-client/legacy-facade", test_legacy_facade);
#undef ADD

  return g_test_run ();
}
