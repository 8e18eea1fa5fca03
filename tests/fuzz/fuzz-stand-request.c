/* fuzz-stand-request.c: the local stand's request bodies, over HTTP as any local program
 * could send them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The stand runs in this process on loopback, logged in to with the test PKI's AUTH key.
 * The first byte chooses the route (Route); the rest is the request body. For
 * ROUTE_SIGNED_DOCUMENT the rest is the document itself, which the harness signs with the
 * SIGNING key and wraps as lk/documents/create wants, so the stand's document reader is
 * reached past the signature check.
 */

#include "config.h"

#include "qoima-fuzz.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-stand-db.h"
#include "qoima-stand-server.h"
#include "qoima-stand-world.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
  ROUTE_SIGN_IN,
  ROUTE_CREATE,
  ROUTE_SIGNED_DOCUMENT,
  ROUTE_CISES_INFO,
  ROUTE_ADMIN_ACTS,
  ROUTE_ADMIN_FAULTS,
  ROUTE_ADMIN_SHAPE,
  ROUTE_ADMIN_TOKENS,
  N_ROUTES,
} Route;

static const struct {
  const char *path;
  gboolean needs_token;
} routes[N_ROUTES] = {
  [ROUTE_SIGN_IN] = { QOIMA_STAND_TRUE_API_PATH "/auth/simpleSignIn", FALSE },
  [ROUTE_CREATE] = { QOIMA_STAND_TRUE_API_PATH "/lk/documents/create?pg=pharma", TRUE },
  [ROUTE_SIGNED_DOCUMENT] = { QOIMA_STAND_TRUE_API_PATH "/lk/documents/create?pg=pharma", TRUE },
  [ROUTE_CISES_INFO] = { QOIMA_STAND_TRUE_API_PATH "/cises/info", TRUE },
  [ROUTE_ADMIN_ACTS] = { QOIMA_STAND_ADMIN_PATH "/acts", FALSE },
  [ROUTE_ADMIN_FAULTS] = { QOIMA_STAND_ADMIN_PATH "/faults", FALSE },
  [ROUTE_ADMIN_SHAPE] = { QOIMA_STAND_ADMIN_PATH "/shape", FALSE },
  [ROUTE_ADMIN_TOKENS] = { QOIMA_STAND_ADMIN_PATH "/tokens", FALSE },
};

static QoimaStandServer *stand;
static SoupSession *session;
static char *root_url;
static QoimaSigner *auth_key;
static QoimaSigner *sign_key;
static char *token;

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  QoimaSigner **signer = user_data;
  g_autoptr(GError) error = NULL;

  *signer = QOIMA_SIGNER (qoima_signer_pkcs12_load_finish (result, &error));
  if (*signer == NULL)
    g_error ("%s", error->message);
}

static QoimaSigner *
load_key (const char *name,
          const char *password)
{
  g_autofree char *path = qoima_fuzz_pki_path (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  QoimaSigner *signer = NULL;

  qoima_signer_pkcs12_load_async (file, password, NULL, loaded_cb, &signer);
  while (signer == NULL)
    g_main_context_iteration (NULL, TRUE);
  return signer;
}

typedef struct {
  gboolean done;
  GBytes *cms;
} Signed;

static void
signed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Signed *signed_ = user_data;
  g_autoptr(GError) error = NULL;

  /* The key refuses some contents (an empty document): then there is nothing to send. */
  signed_->cms = qoima_signer_sign_finish (QOIMA_SIGNER (source), result, &error);
  signed_->done = TRUE;
}

static GBytes *
sign (QoimaSigner    *signer,
      GBytes         *data,
      QoimaSignMode   mode,
      QoimaKeyPurpose purpose)
{
  Signed signed_ = { FALSE, NULL };

  qoima_signer_sign_async (signer, data, mode, purpose, NULL, signed_cb, &signed_);
  qoima_fuzz_wait (&signed_.done, 20);
  return signed_.cms;
}

typedef struct {
  gboolean done;
  GBytes *reply;
  GError *error;
} Sent;

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sent *sent = user_data;

  sent->reply = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &sent->error);
  sent->done = TRUE;
}

/* Sends @body; returns the status and (when asked) the answer. The stand serves on this
 * thread's main context, so the request is made asynchronously and waited for. */
static unsigned
send_request (const char  *method,
              const char  *path,
              gboolean     with_token,
              GBytes      *body,
              GBytes     **answer)
{
  g_autofree char *url = g_strconcat (root_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  Sent sent = { FALSE, NULL, NULL };

  if (with_token && token != NULL)
    {
      g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &sent);
  qoima_fuzz_wait (&sent.done, 20);
  if (sent.reply == NULL)
    {
      /* The stand dropping a connection is not a crash; the stand dying would be. */
      g_clear_error (&sent.error);
      return 0;
    }
  if (answer != NULL)
    *answer = sent.reply;
  else
    g_bytes_unref (sent.reply);
  return soup_message_get_status (msg);
}

static JsonObject *
answer_object (GBytes *answer)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (answer == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    g_error ("fuzz-stand-request: the stand's login answer is not a JSON object");
  return json_object_ref (json_node_get_object (root));
}

static void
sign_in (void)
{
  g_autoptr(GBytes) challenge_answer = NULL;
  g_autoptr(GBytes) sign_in_answer = NULL;
  g_autoptr(JsonObject) challenge = NULL;
  g_autoptr(JsonObject) signed_in = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GBytes) body_bytes = NULL;

  if (send_request ("GET", QOIMA_STAND_TRUE_API_PATH "/auth/key", FALSE, NULL, &challenge_answer) != 200)
    g_error ("fuzz-stand-request: no login challenge");
  challenge = answer_object (challenge_answer);
  data = g_bytes_new (json_object_get_string_member (challenge, "data"),
                      strlen (json_object_get_string_member (challenge, "data")));
  cms = sign (auth_key, data, QOIMA_SIGN_ATTACHED, QOIMA_KEY_PURPOSE_AUTH);
  if (cms == NULL)
    g_error ("fuzz-stand-request: the test AUTH key cannot sign the challenge");
  b64 = g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  body = g_strdup_printf ("{\"uuid\":\"%s\",\"data\":\"%s\"}",
                          json_object_get_string_member (challenge, "uuid"), b64);
  body_bytes = g_bytes_new_take (body, strlen (body));
  g_steal_pointer (&body);
  if (send_request ("POST", QOIMA_STAND_TRUE_API_PATH "/auth/simpleSignIn", FALSE, body_bytes, &sign_in_answer) != 200)
    g_error ("fuzz-stand-request: the test AUTH key cannot log in to the stand");
  signed_in = answer_object (sign_in_answer);
  g_free (token);
  token = g_strdup (json_object_get_string_member (signed_in, "token"));
}

/* lk/documents/create's body around @document, signed with the SIGNING key. */
static GBytes *
signed_document_body (GBytes     *document,
                      const char *type)
{
  g_autoptr(GBytes) cms = sign (sign_key, document, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING);
  g_autofree char *document_b64 = NULL;
  g_autofree char *cms_b64 = NULL;
  char *body;

  if (cms == NULL)
    return NULL;
  document_b64 = g_base64_encode (g_bytes_get_data (document, NULL), g_bytes_get_size (document));
  cms_b64 = g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  body = g_strdup_printf ("{\"document_format\":\"MANUAL\",\"type\":\"%s\","
                                "\"product_document\":\"%s\",\"signature\":\"%s\"}",
                                type, document_b64, cms_b64);

  return g_bytes_new_take (body, strlen (body));
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStandDb) db = NULL;
  g_autoptr(GBytes) ca_pem = NULL;
  g_autofree char *ca_path = NULL;
  g_autofree char *password_path = NULL;
  g_autofree char *password = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  char *pem = NULL;
  gsize len = 0;

  qoima_fuzz_init ();
  ca_path = qoima_fuzz_pki_path ("ca.pem");
  password_path = qoima_fuzz_pki_path ("password.txt");
  if (!g_file_get_contents (ca_path, &pem, &len, &error) ||
      !g_file_get_contents (password_path, &password, NULL, &error))
    g_error ("%s", error->message);
  ca_pem = g_bytes_new_take (pem, len);
  g_strchomp (password);

  dir = g_dir_make_tmp ("qoima-fuzz-stand-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  db_path = g_build_filename (dir, "stand.db", NULL);
  db = qoima_stand_db_open (db_path, &error);
  /* Durability is not what is fuzzed: without fsync a busy disk cannot stall an input. */
  if (db == NULL || !qoima_stand_db_exec (db, "PRAGMA synchronous = OFF;", &error) ||
      !qoima_stand_world_ensure (db, TRUE, 20, 1, &error))
    g_error ("%s", error->message);
  /* The database file is gone from the folder at once; the open handle keeps it. */
  g_unlink (db_path);
  g_rmdir (dir);

  stand = qoima_stand_server_new (db, ca_pem, "fuzz-api-key", &error);
  if (stand == NULL || !qoima_stand_server_listen (stand, "127.0.0.1", 0, &error))
    g_error ("%s", error->message);
  qoima_stand_server_set_processing_delay (stand, 0);
  root_url = qoima_stand_server_get_root_url (stand);

  session = soup_session_new ();
  auth_key = load_key ("auth.p12", password);
  sign_key = load_key ("sign.p12", password);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const types[] = { "LP_ACCEPT_GOODS", "LK_RECEIPT", "LP_SHIP_GOODS", "" };
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) body = NULL;
  Route route;
  unsigned status;

  if (size < 2 || data[0] >= N_ROUTES)
    return -1;
  route = data[0];
  input = g_bytes_new (data + 2, size - 2);
  if (routes[route].needs_token && token == NULL)
    sign_in ();

  if (route == ROUTE_SIGNED_DOCUMENT)
    {
      body = signed_document_body (input, types[data[1] % G_N_ELEMENTS (types)]);
      if (body == NULL)
        return 0;
    }
  else
    body = g_bytes_ref (input);

  status = send_request ("POST", routes[route].path, routes[route].needs_token, body, NULL);
  /* The stand never answers a request it did not understand with a server error. */
  if (status >= 500 && status != 503)
    {
      g_printerr ("fuzz-stand-request: HTTP %u for %s\n", status, routes[route].path);
      abort ();
    }

  /* What the admin routes change is put back, so that one input does not decide how the
   * next ones are answered; a refused or revoked token is replaced. */
  qoima_stand_server_set_faults (stand, 0, 0, 0, 0);
  qoima_stand_server_set_processing_delay (stand, 0);
  if (!qoima_stand_server_set_shape (stand, "standard", NULL))
    abort ();
  if (route == ROUTE_ADMIN_TOKENS || status == 401)
    g_clear_pointer (&token, g_free);
  return 0;
}
