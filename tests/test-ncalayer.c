/* test-ncalayer.c: QoimaSignerNcalayer against a protocol peer that answers as NCALayer does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The peer is a SoupServer on 127.0.0.1 (port 0) with a WebSocket handler: it greets like
 * NCALayer, echoes `--heartbeat--`, and answers `kz.gov.pki.knca.basics` / `sign` by signing
 * with the test keys through QoimaSignerPkcs12 (the AUTH or the signing key, chosen by the
 * requested extKeyUsageOids, as NCALayer's key filter does). It can be told to fail, to
 * report a cancelled dialog, and so on. Most tests use ws://; the /ncalayer/wss/ tests use wss:// with
 * the PKI's self-signed 127.0.0.1 certificate, pinned on the client.
 */

#define G_LOG_DOMAIN "test-ncalayer"

#include "config.h"

#include "qoima-cms.h"
#include "qoima-error.h"
#include "qoima-signer-ncalayer.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-test-utils.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#define DOCUMENT "{\"document_number\":\"A-17\",\"trade_recipient_inn\":\"990340001230\",\"note\":\"Қабылданды\"}"
#define CHALLENGE "GNUFBAZBMPIUJQWERTYXCVBNMASDFGHJ"
#define OID_CLIENT_AUTH "1.3.6.1.5.5.7.3.2"
#define OID_EMAIL_PROTECTION "1.3.6.1.5.5.7.3.4"

typedef enum {
  PEER_SIGN,           /* sign and answer with base64 on one line */
  PEER_SIGN_PEM,       /* sign and answer with PEM armour and line breaks */
  PEER_WAIT_HEARTBEAT, /* sign, but answer only after a heartbeat came (and was echoed) */
  PEER_WRONG_KEY,      /* sign with the other key than the one asked for */
  PEER_FAIL,           /* {"status":false,…} */
  PEER_CANCEL,         /* the user closed NCALayer's dialog */
  PEER_GARBAGE,        /* not JSON */
  PEER_DEEP,           /* 100,000 nested [: json-glib's recursion would overflow the stack */
  PEER_HOLD,           /* never answer */
  PEER_CLOSE,          /* close the connection instead of answering */
  PEER_HEARTBEAT_GREETING, /* a heartbeat instead of the greeting (found by fuzz-ncalayer) */
} PeerBehaviour;

typedef struct
{
  SoupServer *server;
  char *url;
  PeerBehaviour behaviour;
  QoimaSignerPkcs12 *auth_key;
  QoimaSignerPkcs12 *sign_key;
  GPtrArray *connections;
  JsonNode *last_request;
  unsigned requests;
  unsigned heartbeats;
  char *pending_reply; /* PEER_WAIT_HEARTBEAT: the answer, until a heartbeat comes */
  SoupWebsocketConnection *pending_connection;
} Peer;

typedef struct
{
  Peer *peer;
  SoupWebsocketConnection *connection;
} PeerSign;

static char *pki_dir;
static char *password;
static GBytes *ca_pem;
/* The peer's keys, loaded once: opening a PKCS#12 file runs PBKDF2. */
static QoimaSignerPkcs12 *auth_key;
static QoimaSignerPkcs12 *sign_key;

static char *
pki_path (const char *name)
{
  return g_build_filename (pki_dir, name, NULL);
}

static GAsyncResult *
wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static QoimaSignerPkcs12 *
load_key (const char *name)
{
  g_autofree char *path = pki_path (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaSignerPkcs12 *signer;

  qoima_signer_pkcs12_load_async (file, password, NULL, qoima_test_result_cb, &result);
  signer = qoima_signer_pkcs12_load_finish (wait_for_result (&result), &error);
  g_assert_no_error (error);
  return signer;
}

/* The peer: NCALayer as seen on the wire. */

static void
peer_send_reply (SoupWebsocketConnection *connection,
                 const char              *reply)
{
  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (connection, reply);
}

static void
peer_signed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  PeerSign *sign = user_data;
  Peer *peer = sign->peer;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autofree char *base64 = NULL;
  g_autofree char *reply = NULL;

  cms = qoima_signer_sign_finish (QOIMA_SIGNER (object), result, &error);
  if (cms == NULL)
    reply = g_strdup_printf ("{\"status\":false,\"code\":\"SIGNING_FAILURE\",\"message\":\"%s\"}",
                             error->message);
  else
    {
      base64 = g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
      if (peer->behaviour == PEER_SIGN_PEM)
        {
          GString *pem = g_string_new ("-----BEGIN CMS-----\\n");

          for (size_t i = 0; i < strlen (base64); i += 64)
            g_string_append_printf (pem, "%.64s\\r\\n", base64 + i);
          g_string_append (pem, "-----END CMS-----\\n");
          g_free (base64);
          base64 = g_string_free (pem, FALSE);
        }
      reply = g_strdup_printf ("{\"status\":true,\"body\":{\"result\":\"%s\"}}", base64);
    }

  if (peer->behaviour == PEER_WAIT_HEARTBEAT && peer->heartbeats == 0)
    {
      peer->pending_reply = g_steal_pointer (&reply);
      peer->pending_connection = g_object_ref (sign->connection);
    }
  else
    peer_send_reply (sign->connection, reply);

  g_object_unref (sign->connection);
  g_free (sign);
}

static void
peer_handle_sign (Peer                    *peer,
                  SoupWebsocketConnection *connection,
                  JsonObject              *args)
{
  JsonObject *signing_params = json_object_get_object_member (args, "signingParams");
  JsonObject *signer_params = json_object_get_object_member (args, "signerParams");
  JsonArray *oids = json_object_get_array_member (signer_params, "extKeyUsageOids");
  const char *oid = json_array_get_string_element (oids, 0);
  gboolean attached = json_object_get_boolean_member (signing_params, "encapsulate");
  gboolean auth = g_strcmp0 (oid, OID_CLIENT_AUTH) == 0;
  g_autofree guchar *data = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize size;
  PeerSign *sign;

  g_assert_true (json_object_get_boolean_member (signing_params, "decode"));
  data = g_base64_decode (json_object_get_string_member (args, "data"), &size);
  bytes = g_bytes_new (data, size);

  if (peer->behaviour == PEER_WRONG_KEY)
    auth = !auth;

  sign = g_new0 (PeerSign, 1);
  sign->peer = peer;
  sign->connection = g_object_ref (connection);
  qoima_signer_sign_async (QOIMA_SIGNER (auth ? peer->auth_key : peer->sign_key), bytes,
                           attached ? QOIMA_SIGN_ATTACHED : QOIMA_SIGN_DETACHED,
                           auth ? QOIMA_KEY_PURPOSE_AUTH : QOIMA_KEY_PURPOSE_SIGNING,
                           NULL, peer_signed_cb, sign);
}

static void
peer_message_cb (SoupWebsocketConnection *connection,
                 int                      type,
                 GBytes                  *message,
                 gpointer                 user_data)
{
  Peer *peer = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *text = g_bytes_get_data (message, &size);
  JsonObject *request;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);

  if (size == strlen ("--heartbeat--") && memcmp (text, "--heartbeat--", size) == 0)
    {
      peer->heartbeats++;
      soup_websocket_connection_send_text (connection, "--heartbeat--");
      if (peer->pending_reply != NULL)
        {
          g_autofree char *reply = g_steal_pointer (&peer->pending_reply);
          g_autoptr(SoupWebsocketConnection) pending = g_steal_pointer (&peer->pending_connection);

          peer_send_reply (pending, reply);
        }
      return;
    }

  json_parser_load_from_data (parser, text, size, &error);
  g_assert_no_error (error);
  g_clear_pointer (&peer->last_request, json_node_unref);
  peer->last_request = json_node_copy (json_parser_get_root (parser));
  peer->requests++;
  request = json_node_get_object (peer->last_request);

  if (g_strcmp0 (json_object_get_string_member (request, "module"), "kz.gov.pki.knca.basics") != 0)
    {
      soup_websocket_connection_send_text (connection, "{\"success\":false,\"errorCode\":\"MODULE_NOT_FOUND\"}");
      return;
    }

  switch (peer->behaviour)
    {
    case PEER_SIGN:
    case PEER_SIGN_PEM:
    case PEER_WAIT_HEARTBEAT:
    case PEER_WRONG_KEY:
      peer_handle_sign (peer, connection, json_object_get_object_member (request, "args"));
      break;
    case PEER_FAIL:
      soup_websocket_connection_send_text (connection,
                                           "{\"status\":false,\"code\":\"SIGNING_FAILURE\","
                                           "\"message\":\"Ключ не найден\",\"details\":\"no key in storage\"}");
      break;
    case PEER_CANCEL:
      soup_websocket_connection_send_text (connection, "{\"status\":true,\"body\":{}}");
      break;
    case PEER_GARBAGE:
      soup_websocket_connection_send_text (connection, "<html>NCALayer</html>");
      break;
    case PEER_DEEP:
      {
        g_autofree char *deep = g_strnfill (100000, '[');

        soup_websocket_connection_send_text (connection, deep);
      }
      break;
    case PEER_HOLD:
      break;
    case PEER_CLOSE:
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
peer_websocket_cb (SoupServer              *server,
                   SoupServerMessage       *message,
                   const char              *path,
                   SoupWebsocketConnection *connection,
                   gpointer                 user_data)
{
  Peer *peer = user_data;

  g_ptr_array_add (peer->connections, g_object_ref (connection));
  g_signal_connect (connection, "message", G_CALLBACK (peer_message_cb), peer);
  if (peer->behaviour == PEER_HEARTBEAT_GREETING)
    soup_websocket_connection_send_text (connection, "--heartbeat--");
  else
    soup_websocket_connection_send_text (connection, "{\"result\":{\"version\":\"1.4.0-test\"}}");
}

static Peer *
peer_new (PeerBehaviour behaviour,
          gboolean      tls)
{
  Peer *peer = g_new0 (Peer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  GSList *uris;
  SoupServerListenOptions options = SOUP_SERVER_LISTEN_IPV4_ONLY;

  peer->behaviour = behaviour;
  peer->auth_key = g_object_ref (auth_key);
  peer->sign_key = g_object_ref (sign_key);
  peer->connections = g_ptr_array_new_with_free_func (g_object_unref);

  if (tls)
    {
      g_autofree char *cert_path = pki_path ("ncalayer.pem");
      g_autofree char *key_path = pki_path ("ncalayer-key.pem");

      certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
      g_assert_no_error (error);
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }

  peer->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_websocket_handler (peer->server, "/", NULL, NULL, peer_websocket_cb, peer, NULL);
  soup_server_listen_local (peer->server, 0, options, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (peer->server);
  g_assert_nonnull (uris);
  peer->url = g_strdup_printf ("%s://127.0.0.1:%d/", tls ? "wss" : "ws",
                               g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return peer;
}

static void
peer_free (Peer *peer)
{
  soup_server_disconnect (peer->server);
  g_clear_object (&peer->server);
  g_clear_pointer (&peer->connections, g_ptr_array_unref);
  g_clear_object (&peer->auth_key);
  g_clear_object (&peer->sign_key);
  g_clear_pointer (&peer->last_request, json_node_unref);
  g_clear_pointer (&peer->pending_reply, g_free);
  g_clear_object (&peer->pending_connection);
  g_free (peer->url);
  g_free (peer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

/* The client side. */

static GBytes *
sign_through (QoimaSignerNcalayer  *signer,
              const char           *text,
              QoimaSignMode         mode,
              QoimaKeyPurpose       purpose,
              GCancellable         *cancellable,
              GError              **error)
{
  g_autoptr(GBytes) data = g_bytes_new (text, strlen (text));
  g_autoptr(GAsyncResult) result = NULL;

  qoima_signer_sign_async (QOIMA_SIGNER (signer), data, mode, purpose, cancellable,
                           qoima_test_result_cb, &result);
  return qoima_signer_sign_finish (QOIMA_SIGNER (signer), wait_for_result (&result), error);
}

static void
assert_detached_signature (GBytes *cms)
{
  g_autoptr(GBytes) document = g_bytes_new_static (DOCUMENT, strlen (DOCUMENT));
  g_autoptr(QoimaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (cms);
  g_assert_true (qoima_cms_verify (cms, document, ca_pem, NULL, &certificate, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (qoima_certificate_get_iin (certificate), ==, "850715400238");
  g_assert_true (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_SIGNING));
}

static void
test_sign_detached (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_SIGN, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autofree guchar *data = NULL;
  JsonObject *request, *args, *signing_params, *signer_params;
  JsonArray *oids;
  QoimaCertificate *certificate;
  gsize size;

  g_assert_cmpstr (qoima_signer_ncalayer_get_url (signer), ==, peer->url);
  g_assert_null (qoima_signer_get_certificate (QOIMA_SIGNER (signer)));
  g_assert_null (qoima_signer_ncalayer_get_version (signer));

  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_no_error (error);
  assert_detached_signature (cms);

  /* What NCALayer was asked. */
  g_assert_cmpuint (peer->requests, ==, 1);
  request = json_node_get_object (peer->last_request);
  g_assert_cmpstr (json_object_get_string_member (request, "module"), ==, "kz.gov.pki.knca.basics");
  g_assert_cmpstr (json_object_get_string_member (request, "method"), ==, "sign");
  args = json_object_get_object_member (request, "args");
  g_assert_cmpstr (json_object_get_string_member (args, "format"), ==, "cms");
  g_assert_cmpstr (json_object_get_string_member (args, "locale"), ==, "ru");
  data = g_base64_decode (json_object_get_string_member (args, "data"), &size);
  g_assert_cmpmem (data, size, DOCUMENT, strlen (DOCUMENT));
  signing_params = json_object_get_object_member (args, "signingParams");
  g_assert_true (json_object_get_boolean_member (signing_params, "decode"));
  g_assert_false (json_object_get_boolean_member (signing_params, "encapsulate"));
  g_assert_false (json_object_get_boolean_member (signing_params, "digested"));
  signer_params = json_object_get_object_member (args, "signerParams");
  oids = json_object_get_array_member (signer_params, "extKeyUsageOids");
  g_assert_cmpuint (json_array_get_length (oids), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (oids, 0), ==, OID_EMAIL_PROTECTION);

  /* Learned from the greeting and the signature. */
  g_assert_cmpstr (qoima_signer_ncalayer_get_version (signer), ==, "1.4.0-test");
  certificate = qoima_signer_get_certificate (QOIMA_SIGNER (signer));
  g_assert_nonnull (certificate);
  g_assert_cmpstr (qoima_certificate_get_owner (certificate), ==, "ЖАКСЫБЕКОВА АЙГУЛЬ");
  g_assert_cmpstr (qoima_certificate_get_bin (certificate), ==, "990340001230");
}

static void
test_sign_attached (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_SIGN, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(QoimaCertificate) certificate = NULL;
  JsonObject *args;

  cms = sign_through (signer, CHALLENGE, QOIMA_SIGN_ATTACHED, QOIMA_KEY_PURPOSE_AUTH, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cms);

  args = json_object_get_object_member (json_node_get_object (peer->last_request), "args");
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (args, "signingParams"),
                                                 "encapsulate"));
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (json_object_get_object_member (args, "signerParams"),
                                                                                "extKeyUsageOids"),
                                                  0),
                   ==, OID_CLIENT_AUTH);

  g_assert_true (qoima_cms_verify (cms, NULL, ca_pem, &content, &certificate, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content),
                   CHALLENGE, strlen (CHALLENGE));
  g_assert_true (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_AUTH));
}

static void
test_pem_armour (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_SIGN_PEM, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_no_error (error);
  assert_detached_signature (cms);
}

static void
test_heartbeat (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_WAIT_HEARTBEAT, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  /* The peer answers only after a heartbeat, and its echo arrives before the answer. */
  qoima_signer_ncalayer_set_heartbeat_interval (signer, 5);
  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (peer->heartbeats, >=, 1);
  assert_detached_signature (cms);
}

static void
test_failure (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_FAIL, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Ключ не найден"));
}

static void
test_user_cancel (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_CANCEL, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (qoima_signer_get_certificate (QOIMA_SIGNER (signer)));
}

static void
test_garbage (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_GARBAGE, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
}

/* The reproducer of issue 9: 100,000 nested [ killed the reader; refused before parsing now. */
static void
test_deeply_nested (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_DEEP, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_assert_cmpint (peer->requests, ==, 1);
}

/* The signer once waited forever for a greeting after a heartbeat: it must end, and ask nothing. */
static void
test_heartbeat_greeting (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_HEARTBEAT_GREETING, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  qoima_signer_ncalayer_set_heartbeat_interval (signer, 0);
  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_assert_cmpint (peer->requests, ==, 0);
}

static void
test_wrong_key (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_WRONG_KEY, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  /* NCALayer let the user pick the AUTH key for a document: refused here, before ИС МПТ. */
  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_PURPOSE);
}

static void
test_closed (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_CLOSE, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
}

static void
test_cancel_while_waiting (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_HOLD, FALSE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) data = g_bytes_new_static (DOCUMENT, strlen (DOCUMENT));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  qoima_signer_sign_async (QOIMA_SIGNER (signer), data, QOIMA_SIGN_DETACHED,
                           QOIMA_KEY_PURPOSE_SIGNING, cancellable, qoima_test_result_cb, &result);

  /* NCALayer's dialog is open: the request has arrived and nothing will answer it. */
  while (peer->requests == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (result);
  g_cancellable_cancel (cancellable);

  cms = qoima_signer_sign_finish (QOIMA_SIGNER (signer), wait_for_result (&result), &error);
  g_assert_null (cms);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_not_running (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_SIGN, FALSE);
  g_autofree char *url = g_strdup (peer->url);
  g_autoptr(QoimaSignerNcalayer) signer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  /* The port was just free; now nothing listens on it. */
  g_clear_pointer (&peer, peer_free);
  signer = qoima_signer_ncalayer_new (url);
  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "NCALayer cannot be reached"));
}

static void
test_default_url (void)
{
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (NULL);

  g_assert_cmpstr (qoima_signer_ncalayer_get_url (signer), ==, "wss://127.0.0.1:13579/");
  g_assert_cmpuint (qoima_signer_ncalayer_get_heartbeat_interval (signer), ==, 30000);
  g_assert_true (QOIMA_IS_SIGNER (signer));
}

static GTlsCertificate *
load_tls_certificate (const char *name)
{
  g_autofree char *path = pki_path (name);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate = g_tls_certificate_new_from_file (path, &error);

  g_assert_no_error (error);
  return certificate;
}

static void
test_wss_pinned (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_SIGN, TRUE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GTlsCertificate) pinned = load_tls_certificate ("ncalayer.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  g_assert_true (g_str_has_prefix (peer->url, "wss://"));
  qoima_signer_ncalayer_set_pinned_certificate (signer, pinned);
  g_assert_true (qoima_signer_ncalayer_get_pinned_certificate (signer) == pinned);
  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_no_error (error);
  assert_detached_signature (cms);
}

static void
test_wss_not_pinned (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_SIGN, TRUE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autoptr(GTlsCertificate) other = load_tls_certificate ("ca.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  /* The system does not trust the peer's self-made certificate. */
  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_clear_error (&error);

  /* Nor does a pin on another certificate. */
  qoima_signer_ncalayer_set_pinned_certificate (signer, other);
  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED);
  g_assert_cmpuint (peer->requests, ==, 0);
}

static void
test_wss_tls_database (void)
{
  g_autoptr(Peer) peer = peer_new (PEER_SIGN, TRUE);
  g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (peer->url);
  g_autofree char *anchor = pki_path ("ncalayer.pem");
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;

  /* A database that trusts NCALayer's certificate as an anchor, as its installer does. */
  database = g_tls_file_database_new (anchor, &error);
  g_assert_no_error (error);
  qoima_signer_ncalayer_set_tls_database (signer, database);
  cms = sign_through (signer, DOCUMENT, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, &error);
  g_assert_no_error (error);
  assert_detached_signature (cms);
}

static gboolean
run_tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *std_out = NULL;
  g_autofree char *std_err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &std_out, &std_err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s: %d\n%s%s", argv[0], status, std_out, std_err);
  return g_spawn_check_wait_status (status, NULL);
}

static void
make_pki (void)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "pki", "make-pki.sh", NULL);
  g_autofree char *password_path = NULL;
  g_autofree char *ca_path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize size;
  const char *argv[] = { "sh", script, NULL, NULL };

  pki_dir = g_dir_make_tmp ("qoima-pki-XXXXXX", &error);
  g_assert_no_error (error);
  argv[2] = pki_dir;
  g_assert_true (run_tool (argv));

  password_path = pki_path ("password.txt");
  g_file_get_contents (password_path, &password, NULL, &error);
  g_assert_no_error (error);
  g_strchomp (password);

  ca_path = pki_path ("ca.pem");
  g_file_get_contents (ca_path, &contents, &size, &error);
  g_assert_no_error (error);
  ca_pem = g_bytes_new_take (contents, size);
}

static void
remove_pki (void)
{
  const char *argv[] = { "rm", "-rf", pki_dir, NULL };

  run_tool (argv);
  g_clear_pointer (&pki_dir, g_free);
  g_clear_pointer (&password, g_free);
  g_clear_pointer (&ca_pem, g_bytes_unref);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *certtool = NULL;
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  certtool = g_find_program_in_path ("certtool");
  if (certtool == NULL)
    {
      g_test_skip ("certtool (gnutls-bin) is needed");
      return g_test_run ();
    }

  make_pki ();
  auth_key = load_key ("auth.p12");
  sign_key = load_key ("sign.p12");

  g_test_add_func ("/ncalayer/default-url", test_default_url);
  g_test_add_func ("/ncalayer/sign/detached", test_sign_detached);
  g_test_add_func ("/ncalayer/sign/attached", test_sign_attached);
  g_test_add_func ("/ncalayer/sign/pem-armour", test_pem_armour);
  g_test_add_func ("/ncalayer/sign/heartbeat", test_heartbeat);
  g_test_add_func ("/ncalayer/failure", test_failure);
  g_test_add_func ("/ncalayer/user-cancel", test_user_cancel);
  g_test_add_func ("/ncalayer/garbage", test_garbage);
  g_test_add_func ("/ncalayer/deeply-nested-answer", test_deeply_nested);
  g_test_add_func ("/ncalayer/heartbeat-greeting", test_heartbeat_greeting);
  g_test_add_func ("/ncalayer/wrong-key", test_wrong_key);
  g_test_add_func ("/ncalayer/closed", test_closed);
  g_test_add_func ("/ncalayer/cancel-while-waiting", test_cancel_while_waiting);
  g_test_add_func ("/ncalayer/not-running", test_not_running);
  g_test_add_func ("/ncalayer/wss/pinned", test_wss_pinned);
  g_test_add_func ("/ncalayer/wss/not-pinned", test_wss_not_pinned);
  g_test_add_func ("/ncalayer/wss/tls-database", test_wss_tls_database);

  ret = g_test_run ();
  g_clear_object (&auth_key);
  g_clear_object (&sign_key);
  remove_pki ();
  return ret;
}
