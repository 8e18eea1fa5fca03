/* fuzz-ismpt-answer.c: every ИС МПТ and НКТ answer, as the client and sync read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The readers are the client's and sync's own, reached as in use: over HTTP from a server
 * in this process that answers one request with the input and every other one as ИС МПТ
 * would. The first byte chooses the reader (Mode), the second the HTTP status; the rest is
 * the answer's body (for MODE_JWT, the claims of the login token).
 */

#include "config.h"

#include "qoima-fuzz.h"
#include "qoima-ismpt-client.h"
#include "qoima-json.h"
#include "qoima-store.h"
#include "qoima-sync.h"

#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#define BIN "990340001230"

typedef enum {
  MODE_AUTH_KEY,    /* the login challenge */
  MODE_SIGN_IN,     /* the login answer */
  MODE_JWT,         /* the claims of the token in the login answer */
  MODE_LIST,        /* doc/list (and its v4 and legacy forms) */
  MODE_DOCUMENT,    /* doc/{id}/info */
  MODE_ACT,         /* doc/{id}/info read as an incoming act */
  MODE_ACT_CISES,   /* doc/cises of an act whose info has no codes */
  MODE_CREATE,      /* lk/documents/create */
  MODE_CISES_INFO,  /* cises/info */
  MODE_CARD,        /* the НКТ card */
  MODE_PULL_LIST,   /* sync's pull: the list */
  MODE_PULL_ACT,    /* sync's pull: the act */
  MODE_PULL_CARD,   /* sync's pull: the НКТ card of the act's product */
  N_MODES,
} Mode;

static const unsigned statuses[] = { 200, 200, 200, 200, 200, 201, 204, 400, 401, 404, 500 };

/* A signer for the login: the fake server checks no signature. */
#define FUZZ_TYPE_SIGNER (fuzz_signer_get_type ())
G_DECLARE_FINAL_TYPE (FuzzSigner, fuzz_signer, FUZZ, SIGNER, GObject)

struct _FuzzSigner
{
  GObject parent_instance;
};

static void fuzz_signer_iface_init (QoimaSignerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FuzzSigner, fuzz_signer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QOIMA_TYPE_SIGNER, fuzz_signer_iface_init))

static QoimaCertificate *
fuzz_signer_get_certificate (QoimaSigner *signer)
{
  return NULL;
}

static void
fuzz_signer_sign_async (QoimaSigner         *signer,
                        GBytes              *data,
                        QoimaSignMode        mode,
                        QoimaKeyPurpose      purpose,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (signer, cancellable, callback, user_data);

  g_task_return_pointer (task, g_bytes_new_static ("cms", 3), (GDestroyNotify) g_bytes_unref);
}

static GBytes *
fuzz_signer_sign_finish (QoimaSigner   *signer,
                         GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fuzz_signer_iface_init (QoimaSignerInterface *iface)
{
  iface->get_certificate = fuzz_signer_get_certificate;
  iface->sign_async = fuzz_signer_sign_async;
  iface->sign_finish = fuzz_signer_sign_finish;
}

static void
fuzz_signer_class_init (FuzzSignerClass *klass)
{
}

static void
fuzz_signer_init (FuzzSigner *self)
{
}

/* The harness's world: one server, one session, a logged-in client reused by the modes that
 * do not log in, a store for sync's pull. */
static SoupServer *server;
static SoupSession *session;
static char *base_url;
static char *catalog_url;
static QoimaSigner *signer;
static QoimaIsmptClient *client;
static QoimaStore *store;
static QoimaSync *sync_;
static unsigned n_pulls;

/* The current input. */
static Mode mode;
static unsigned status;
static GBytes *answer;
static unsigned act_number;

static char *
base64url (const guint8 *data,
           gsize         len)
{
  g_autofree char *b64 = g_base64_encode (data, len);
  char *end;

  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  if ((end = strchr (b64, '=')) != NULL)
    *end = '\0';
  return g_steal_pointer (&b64);
}

static char *
jwt_with_claims (const guint8 *claims,
                 gsize         len)
{
  static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  g_autofree char *header_part = base64url ((const guint8 *) header, strlen (header));
  g_autofree char *claims_part = base64url (claims, len);

  return g_strconcat (header_part, ".", claims_part, ".c2lnbmF0dXJl", NULL);
}

/* What ИС МПТ answers when the request is not the one being fuzzed. */
static char *
usual_answer (const char *path)
{
  if (g_str_has_suffix (path, "/auth/key"))
    return g_strdup ("{\"uuid\":\"0f2b7a54-1\",\"data\":\"QOIMACHALLENGE\"}");
  if (g_str_has_suffix (path, "/auth/simpleSignIn"))
    {
      static const char claims[] = "{\"inn\":\"" BIN "\",\"exp\":4102444800,"
                                   "\"product_group_info\":[{\"name\":\"pharma\",\"status\":\"1\"}]}";
      g_autofree char *token = jwt_with_claims ((const guint8 *) claims, strlen (claims));

      return g_strdup_printf ("{\"token\":\"%s\"}", token);
    }
  if (strstr (path, "/doc/list") != NULL || strstr (path, "/doc/listV2") != NULL)
    return g_strdup_printf ("{\"results\":[{\"number\":\"act-%u\",\"docDate\":\"2026-11-22T10:00:00.000Z\","
                            "\"type\":\"LP_SHIP_GOODS\",\"status\":\"WAIT_ACCEPTANCE\","
                            "\"senderInn\":\"080140005672\",\"receiverInn\":\"" BIN "\"}],\"nextPage\":false}",
                            act_number);
  if (g_str_has_suffix (path, "/info") || g_str_has_suffix (path, "/body"))
    {
      /* MODE_ACT_CISES wants an act without codes, so that doc/cises is asked. */
      const char *products = mode == MODE_ACT_CISES ? "" :
        "{\"uit_code\":\"0104870001234560215AbCdEfGh1234\",\"gtin\":\"04870001234560\",\"batch\":\"B1\","
        "\"expiration_date\":\"2027-05-31\"},"
        "{\"uitu_code\":\"00048700000000000012\",\"children\":["
        "{\"uit_code\":\"0104607000000014215XYZXYZXYZXYZ\"}]}";

      return g_strdup_printf ("[{\"number\":\"act-%u\",\"docDate\":\"2026-11-22T10:00:00.000Z\","
                              "\"type\":\"LP_SHIP_GOODS\",\"status\":\"WAIT_ACCEPTANCE\","
                              "\"senderInn\":\"080140005672\",\"senderName\":\"ТОО СК-Фармация\","
                              "\"receiverInn\":\"" BIN "\",\"body\":{\"document_number\":\"ТН-1042\","
                              "\"transfer_date\":\"2026-11-22\",\"products\":[%s]}}]",
                              act_number, products);
    }
  if (g_str_has_suffix (path, "/doc/cises"))
    return g_strdup ("{\"cisList\":[\"0104870001234560215AbCdEfGh1234\"]}");
  if (g_str_has_suffix (path, "/lk/documents/create"))
    return g_strdup ("\"b3f1c2d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d\"");
  if (g_str_has_suffix (path, "/cises/info"))
    return g_strdup ("[]");
  if (strstr (path, "/products/") != NULL)
    return g_strdup ("[{\"nameRu\":\"Парацетамол\",\"nameKk\":\"Парацетамол\",\"inn\":\"Paracetamol\","
                     "\"dosageForm\":\"таблетки\",\"dosage\":\"500 мг\",\"manufacturer\":\"ФК\","
                     "\"unitsPerPack\":20}]");
  return NULL;
}

static gboolean
is_fuzzed_request (const char *path)
{
  switch (mode)
    {
    case MODE_AUTH_KEY:
      return g_str_has_suffix (path, "/auth/key");
    case MODE_SIGN_IN:
      return g_str_has_suffix (path, "/auth/simpleSignIn");
    case MODE_LIST:
    case MODE_PULL_LIST:
      return strstr (path, "/doc/list") != NULL;
    case MODE_DOCUMENT:
    case MODE_ACT:
    case MODE_PULL_ACT:
      return g_str_has_suffix (path, "/info") || g_str_has_suffix (path, "/body");
    case MODE_ACT_CISES:
      return g_str_has_suffix (path, "/doc/cises");
    case MODE_CREATE:
      return g_str_has_suffix (path, "/lk/documents/create");
    case MODE_CISES_INFO:
      return g_str_has_suffix (path, "/cises/info");
    case MODE_CARD:
    case MODE_PULL_CARD:
      return strstr (path, "/products/") != NULL;
    case MODE_JWT:
    case N_MODES:
    default:
      return FALSE;
    }
}

static void
server_cb (SoupServer        *soup_server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  g_autofree char *text = NULL;

  /* As the stand does (qoima-stand-server.c): libsoup before 3.3 leaks a kept-alive
   * connection its client closes while idle, and a long run would run out of sockets. */
  if (!soup_check_version (3, 3, 0))
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");

  if (is_fuzzed_request (path))
    {
      soup_server_message_set_status (msg, status, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
      return;
    }
  if (mode == MODE_JWT && g_str_has_suffix (path, "/auth/simpleSignIn"))
    {
      g_autofree char *token = jwt_with_claims (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "token");
      json_builder_add_string_value (builder, token);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      text = qoima_json_to_string (root);
    }
  else
    text = usual_answer (path);

  if (text == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
}

static QoimaIsmptClient *
client_new (void)
{
  QoimaIsmptClient *new_client = qoima_ismpt_client_new (base_url, session);

  qoima_ismpt_client_set_auth_signer (new_client, signer);
  qoima_ismpt_client_set_catalog (new_client, catalog_url, "fuzz-api-key");
  qoima_ismpt_client_set_timeout (new_client, 10);
  return new_client;
}

static void
store_opened_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  store = qoima_store_open_finish (result, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  *(gboolean *) user_data = TRUE;
}

/* A fresh store now and then, so that long runs do not fill one with acts. */
static void
ensure_sync (void)
{
  gboolean done = FALSE;

  if (sync_ != NULL && n_pulls++ % 500 != 0)
    return;
  g_clear_object (&sync_);
  g_clear_object (&store);
  qoima_store_open_async (":memory:", NULL, store_opened_cb, &done);
  qoima_fuzz_wait (&done, 30);
  sync_ = qoima_sync_new (store, client);
  qoima_sync_set_poll (sync_, 1, 1);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *root = NULL;

  qoima_fuzz_init ();
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, server_cb, NULL, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("%s", error->message);
  uris = soup_server_get_uris (server);
  root = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  base_url = g_strconcat (root, "/api/v3/true-api", NULL);
  catalog_url = g_strconcat (root, "/gwp", NULL);

  session = soup_session_new ();
  signer = g_object_new (FUZZ_TYPE_SIGNER, NULL);
  client = client_new ();
  return 0;
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  switch (mode)
    {
    case MODE_AUTH_KEY:
    case MODE_SIGN_IN:
    case MODE_JWT:
      ok = qoima_ismpt_client_login_finish (QOIMA_ISMPT_CLIENT (source), result, &error);
      /* A login that succeeds names the organization. */
      if (ok && qoima_ismpt_client_get_bin (QOIMA_ISMPT_CLIENT (source)) == NULL)
        abort ();
      break;
    case MODE_LIST:
      {
        g_autoptr(JsonNode) node = qoima_ismpt_client_list_documents_finish (QOIMA_ISMPT_CLIENT (source), result, &error);

        ok = node != NULL && JSON_NODE_HOLDS_ARRAY (node);
        if (node != NULL && !ok)
          abort ();
      }
      break;
    case MODE_DOCUMENT:
      {
        g_autoptr(JsonNode) node = qoima_ismpt_client_get_document_finish (QOIMA_ISMPT_CLIENT (source), result, &error);

        ok = node != NULL && JSON_NODE_HOLDS_OBJECT (node);
        if (node != NULL && !ok)
          abort ();
      }
      break;
    case MODE_ACT:
    case MODE_ACT_CISES:
      {
        g_autoptr(QoimaIncomingAct) act = qoima_ismpt_client_get_act_finish (QOIMA_ISMPT_CLIENT (source), result, &error);

        ok = act != NULL;
        if (act != NULL && (act->codes == NULL || act->number == NULL))
          abort ();
      }
      break;
    case MODE_CREATE:
      {
        g_autofree char *id = qoima_ismpt_client_create_document_finish (QOIMA_ISMPT_CLIENT (source), result, &error);

        ok = id != NULL;
        if (id != NULL && *id == '\0')
          abort ();
      }
      break;
    case MODE_CISES_INFO:
      {
        g_autoptr(JsonNode) node = qoima_ismpt_client_cises_info_finish (QOIMA_ISMPT_CLIENT (source), result, &error);

        ok = node != NULL;
      }
      break;
    case MODE_CARD:
      {
        g_autoptr(JsonNode) node = qoima_ismpt_client_catalog_card_finish (QOIMA_ISMPT_CLIENT (source), result, &error);

        ok = node != NULL;
      }
      break;
    case MODE_PULL_LIST:
    case MODE_PULL_ACT:
    case MODE_PULL_CARD:
      ok = qoima_sync_pull_finish (QOIMA_SYNC (source), result, &error) >= 0;
      break;
    case N_MODES:
    default:
      g_assert_not_reached ();
    }

  /* Every failure says why. */
  if (ok == (error != NULL))
    abort ();
  *done = TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char document[] = "{\"document_format\":\"MANUAL\"}";
  static const char * const codes[] = { "0104870001234560215AbCdEfGh1234", NULL };
  g_autoptr(QoimaIsmptClient) login_client = NULL;
  g_autoptr(GBytes) doc_bytes = NULL;
  g_autoptr(GBytes) signature = NULL;
  gboolean done = FALSE;

  if (size < 2 || data[0] >= N_MODES)
    return -1;
  mode = data[0];
  status = statuses[data[1] % G_N_ELEMENTS (statuses)];
  answer = g_bytes_new (data + 2, size - 2);
  act_number++;

  switch (mode)
    {
    case MODE_AUTH_KEY:
    case MODE_SIGN_IN:
    case MODE_JWT:
      login_client = client_new ();
      qoima_ismpt_client_login_async (login_client, NULL, done_cb, &done);
      break;
    case MODE_LIST:
      qoima_ismpt_client_list_documents_async (client, QOIMA_ISMPT_INCOMING, "LP_SHIP_GOODS", NULL,
                                               NULL, done_cb, &done);
      break;
    case MODE_DOCUMENT:
      qoima_ismpt_client_get_document_async (client, "act-1", NULL, done_cb, &done);
      break;
    case MODE_ACT:
    case MODE_ACT_CISES:
      qoima_ismpt_client_get_act_async (client, "act-1", NULL, NULL, done_cb, &done);
      break;
    case MODE_CREATE:
      doc_bytes = g_bytes_new_static (document, sizeof document - 1);
      signature = g_bytes_new_static ("cms", 3);
      qoima_ismpt_client_create_document_async (client, "LP_ACCEPT_GOODS", doc_bytes, signature,
                                                NULL, done_cb, &done);
      break;
    case MODE_CISES_INFO:
      qoima_ismpt_client_cises_info_async (client, codes, NULL, done_cb, &done);
      break;
    case MODE_CARD:
      qoima_ismpt_client_catalog_card_async (client, "04870001234560", NULL, done_cb, &done);
      break;
    case MODE_PULL_LIST:
    case MODE_PULL_ACT:
    case MODE_PULL_CARD:
      ensure_sync ();
      qoima_sync_pull_async (sync_, NULL, done_cb, &done);
      break;
    case N_MODES:
    default:
      g_assert_not_reached ();
    }
  qoima_fuzz_wait (&done, 20);
  g_clear_pointer (&answer, g_bytes_unref);
  return 0;
}
