/* qoima-signer-ncalayer.c: signing through NCALayer, the local signing service of НУЦ РК
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-signer-ncalayer"

#include "config.h"

#include "qoima-signer-ncalayer.h"

#include "qoima-cms-private.h"
#include "qoima-error.h"
#include "qoima-json.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#define OID_EKU_CLIENT_AUTH "1.3.6.1.5.5.7.3.2"
#define OID_EKU_EMAIL_PROTECTION "1.3.6.1.5.5.7.3.4"
#define HEARTBEAT "--heartbeat--"
#define DEFAULT_HEARTBEAT_INTERVAL 30000
/* NCALayer greets as soon as the socket opens; a program that stays silent is not NCALayer. */
#define GREETING_TIMEOUT_SECONDS 10
/* Attached signatures carry the document, which can be large (a 10,000-pack act). */
#define MAX_INCOMING_PAYLOAD (64 * 1024 * 1024)

struct _QoimaSignerNcalayer
{
  GObject parent_instance;

  /* Owned references */
  GTlsDatabase *tls_database;
  GTlsCertificate *pinned_certificate;
  QoimaCertificate *certificate;

  /* State */
  char *url;
  char *version;
  unsigned heartbeat_interval;
};

static void qoima_signer_ncalayer_signer_iface_init (QoimaSignerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QoimaSignerNcalayer, qoima_signer_ncalayer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QOIMA_TYPE_SIGNER,
                                                      qoima_signer_ncalayer_signer_iface_init))

enum {
  PROP_0,
  PROP_URL,
  PROP_TLS_DATABASE,
  PROP_PINNED_CERTIFICATE,
  PROP_HEARTBEAT_INTERVAL,
  PROP_VERSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum {
  STATE_CONNECTING,
  STATE_AWAITING_GREETING,
  STATE_AWAITING_REPLY,
  STATE_DONE,
} SignState;

/* One signature: a connection of its own, since NCALayer serves one request at a time. */
typedef struct
{
  GTask *task; /* owned until the operation completes */
  GBytes *data;
  QoimaSignMode mode;
  QoimaKeyPurpose purpose;
  SignState state;

  SoupSession *session;
  SoupMessage *message;
  SoupWebsocketConnection *connection;
  GSource *cancel_source;
  unsigned heartbeat_id;
  unsigned greeting_timeout_id;
  GMainContext *context;
} SignOp;

static void
sign_op_free (SignOp *op)
{
  g_assert (op->task == NULL);
  g_assert (op->cancel_source == NULL);
  g_assert (op->heartbeat_id == 0);
  g_assert (op->greeting_timeout_id == 0);

  g_clear_pointer (&op->data, g_bytes_unref);
  g_clear_object (&op->connection);
  g_clear_object (&op->message);
  g_clear_object (&op->session);
  g_clear_pointer (&op->context, g_main_context_unref);
  g_free (op);
}

static gboolean
sign_op_free_cb (gpointer user_data)
{
  sign_op_free (user_data);

  return G_SOURCE_REMOVE;
}

/* Ends the operation once: stops listening, closes the socket and returns @cms or @error. */
static void
sign_op_complete (SignOp  *op,
                  GBytes  *cms,
                  GError  *error)
{
  g_autoptr(GTask) task = NULL;

  g_assert ((cms == NULL) != (error == NULL));

  if (op->state == STATE_DONE)
    {
      g_clear_pointer (&cms, g_bytes_unref);
      g_clear_error (&error);
      return;
    }
  op->state = STATE_DONE;
  task = g_steal_pointer (&op->task);

  g_clear_handle_id (&op->heartbeat_id, g_source_remove);
  g_clear_handle_id (&op->greeting_timeout_id, g_source_remove);
  if (op->cancel_source != NULL)
    {
      g_source_destroy (op->cancel_source);
      g_clear_pointer (&op->cancel_source, g_source_unref);
    }
  if (op->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (op->connection, op);
      if (soup_websocket_connection_get_state (op->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (op->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }

  /* The operation often ends inside a signal of its own connection: free it (and drop the
   * connection) only once that emission is over. */
  {
    g_autoptr(GSource) idle = g_idle_source_new ();

    g_source_set_callback (idle, sign_op_free_cb, op, NULL);
    g_source_attach (idle, op->context);
  }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, cms, (GDestroyNotify) g_bytes_unref);
}

static void
sign_op_fail (SignOp     *op,
              GQuark      domain,
              int         code,
              const char *message)
{
  sign_op_complete (op, NULL, g_error_new_literal (domain, code, message));
}

static char *
build_request (SignOp *op)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *data = NULL;

  data = g_base64_encode (g_bytes_get_data (op->data, NULL), g_bytes_get_size (op->data));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "module");
  json_builder_add_string_value (builder, "kz.gov.pki.knca.basics");
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, "sign");
  json_builder_set_member_name (builder, "args");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "cms");
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, data);
  json_builder_set_member_name (builder, "signingParams");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "decode");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "encapsulate");
  json_builder_add_boolean_value (builder, op->mode == QOIMA_SIGN_ATTACHED);
  json_builder_set_member_name (builder, "digested");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "signerParams");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "extKeyUsageOids");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, op->purpose == QOIMA_KEY_PURPOSE_AUTH
                                            ? OID_EKU_CLIENT_AUTH
                                            : OID_EKU_EMAIL_PROTECTION);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "locale");
  json_builder_add_string_value (builder, "ru");
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Checks what NCALayer signed and learns the certificate from it. The signature itself is
 * not verified here: NCALayer's GOST signatures are beyond stock GnuTLS, and ИС МПТ checks
 * them anyway. */
static GBytes *
accept_cms (QoimaSignerNcalayer  *self,
            SignOp               *op,
            const char           *base64,
            GError              **error)
{
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(QoimaCertificate) certificate = NULL;
  g_auto(gnutls_pkcs7_t) pkcs7 = NULL;
  g_auto(gnutls_datum_t) embedded = { NULL, 0 };
  gnutls_datum_t datum;
  gboolean has_content;

  cms = qoima_cms_decode_base64 (base64, error);
  if (cms == NULL)
    return NULL;

  datum.data = (unsigned char *) g_bytes_get_data (cms, NULL);
  datum.size = g_bytes_get_size (cms);
  if (gnutls_pkcs7_init (&pkcs7) < 0 ||
      gnutls_pkcs7_import (pkcs7, &datum, GNUTLS_X509_FMT_DER) < 0)
    {
      g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                           _("NCALayer returned something that is not a CMS signature."));
      return NULL;
    }

  has_content = gnutls_pkcs7_get_embedded_data (pkcs7, 0, &embedded) >= 0;
  if (op->mode == QOIMA_SIGN_ATTACHED
        ? !has_content || g_bytes_get_size (op->data) != embedded.size ||
            memcmp (g_bytes_get_data (op->data, NULL), embedded.data, embedded.size) != 0
        : has_content)
    {
      g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                           _("NCALayer signed something other than what was asked."));
      return NULL;
    }

  certificate = qoima_cms_get_signer_certificate (pkcs7, 0, error);
  if (certificate == NULL)
    return NULL;

  g_set_object (&self->certificate, certificate);

  if (!qoima_certificate_check (certificate, op->purpose, NULL, error))
    return NULL;

  return g_steal_pointer (&cms);
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Interprets NCALayer's answer to `basics.sign`. */
static void
handle_reply (QoimaSignerNcalayer *self,
              SignOp              *op,
              JsonObject          *reply)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *status = json_object_get_member (reply, "status");
  JsonNode *success = json_object_get_member (reply, "success");

  if (status != NULL && JSON_NODE_HOLDS_VALUE (status) &&
      json_node_get_value_type (status) == G_TYPE_BOOLEAN && json_node_get_boolean (status))
    {
      JsonNode *body = json_object_get_member (reply, "body");
      JsonNode *result = NULL;
      const char *base64 = NULL;
      GBytes *cms;

      if (body != NULL && JSON_NODE_HOLDS_OBJECT (body))
        result = json_object_get_member (json_node_get_object (body), "result");
      if (result != NULL && JSON_NODE_HOLDS_ARRAY (result) &&
          json_array_get_length (json_node_get_array (result)) > 0)
        result = json_array_get_element (json_node_get_array (result), 0);
      if (result != NULL && JSON_NODE_HOLDS_VALUE (result) &&
          json_node_get_value_type (result) == G_TYPE_STRING)
        base64 = json_node_get_string (result);

      /* NCALayer answers a closed dialog with success and nothing in it. */
      if (base64 == NULL || *base64 == '\0')
        {
          sign_op_fail (op, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                        _("Signing was cancelled in NCALayer."));
          return;
        }

      cms = accept_cms (self, op, base64, &local_error);
      if (cms == NULL)
        sign_op_complete (op, NULL, g_steal_pointer (&local_error));
      else
        sign_op_complete (op, cms, NULL);
    }
  else if (status != NULL || success != NULL || json_object_has_member (reply, "code"))
    {
      const char *code = get_string_member (reply, "code");
      const char *message = get_string_member (reply, "message");

      if (code == NULL)
        code = get_string_member (reply, "errorCode");

      if (g_strcmp0 (message, "action.canceled") == 0)
        sign_op_fail (op, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Signing was cancelled in NCALayer."));
      else if (message != NULL && *message != '\0')
        sign_op_complete (op, NULL,
                          g_error_new (QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                                       _("NCALayer refused to sign: %s"), message));
      else
        sign_op_complete (op, NULL,
                          g_error_new (QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                                       _("NCALayer refused to sign (%s)."),
                                       code != NULL ? code : "?"));
    }
  else
    sign_op_fail (op, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                  _("NCALayer answered something unexpected."));
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  SignOp *op = user_data;

  if (op->connection != NULL &&
      soup_websocket_connection_get_state (op->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (op->connection, HEARTBEAT);

  return G_SOURCE_CONTINUE;
}

static gboolean
greeting_timeout_cb (gpointer user_data)
{
  SignOp *op = user_data;

  op->greeting_timeout_id = 0;
  sign_op_fail (op, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                _("The program at NCALayer's address did not answer as NCALayer does."));

  return G_SOURCE_REMOVE;
}

static void
send_request (QoimaSignerNcalayer *self,
              SignOp              *op)
{
  g_autofree char *request = build_request (op);

  op->state = STATE_AWAITING_REPLY;
  g_clear_handle_id (&op->greeting_timeout_id, g_source_remove);
  soup_websocket_connection_send_text (op->connection, request);

  if (self->heartbeat_interval > 0)
    op->heartbeat_id = g_timeout_add (self->heartbeat_interval, heartbeat_cb, op);
}

static void
message_cb (SoupWebsocketConnection *connection,
            int                      type,
            GBytes                  *message,
            gpointer                 user_data)
{
  SignOp *op = user_data;
  QoimaSignerNcalayer *self = g_task_get_source_object (op->task);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *text;
  gsize size;
  JsonObject *object;
  JsonNode *result;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;

  text = g_bytes_get_data (message, &size);
  /* A heartbeat echoes ours, so none can come before the greeting: a peer that sends one
   * first is not NCALayer, and waiting on would hang the signer. */
  if (size == strlen (HEARTBEAT) && memcmp (text, HEARTBEAT, size) == 0)
    {
      if (op->state == STATE_AWAITING_GREETING)
        sign_op_fail (op, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                      _("NCALayer answered something unexpected."));
      return;
    }

  /* Bounded: whatever listens on NCALayer's port may send anything, 100,000 nested [ too. */
  root = qoima_json_parse_bounded (text, size, &local_error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("NCALayer sent something that is not a JSON object (%s): %.*s",
               local_error != NULL ? local_error->message : "not an object", (int) MIN (size, 200), text);
      sign_op_fail (op, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                    _("NCALayer answered something unexpected."));
      return;
    }
  object = json_node_get_object (root);

  result = json_object_get_member (object, "result");
  if (op->state == STATE_AWAITING_GREETING && result != NULL && JSON_NODE_HOLDS_OBJECT (result))
    {
      const char *version = get_string_member (json_node_get_object (result), "version");

      g_debug ("NCALayer %s", version != NULL ? version : "(no version)");
      if (g_strcmp0 (self->version, version) != 0)
        {
          g_free (self->version);
          self->version = g_strdup (version);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERSION]);
        }
      send_request (self, op);
      return;
    }

  if (op->state == STATE_AWAITING_REPLY)
    handle_reply (self, op, object);
  else
    sign_op_fail (op, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                  _("NCALayer answered something unexpected."));
}

static void
error_cb (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  SignOp *op = user_data;

  g_debug ("NCALayer connection error: %s", error->message);
  sign_op_complete (op, NULL,
                    g_error_new (QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                                 _("The connection to NCALayer failed: %s"), error->message));
}

static void
closed_cb (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  SignOp *op = user_data;

  sign_op_fail (op, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                _("NCALayer closed the connection before answering."));
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  SignOp *op = user_data;

  /* The connect call sees the same cancellable and finishes on its own. */
  if (op->state != STATE_CONNECTING)
    sign_op_fail (op, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));

  return G_SOURCE_REMOVE;
}

static gboolean
accept_certificate_cb (SoupMessage          *message,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  GTlsCertificate *pinned = user_data;

  return g_tls_certificate_is_same (pinned, peer);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SignOp *op = user_data;
  QoimaSignerNcalayer *self;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SoupWebsocketConnection) connection = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &local_error);

  /* Only this callback ends the operation while it connects. */
  g_assert (op->state == STATE_CONNECTING);

  if (connection == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        sign_op_complete (op, NULL, g_steal_pointer (&local_error));
      else
        sign_op_complete (op, NULL,
                          g_error_new (QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                                       _("NCALayer cannot be reached (is it running?): %s"),
                                       local_error->message));
      return;
    }

  self = g_task_get_source_object (op->task);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (op->task)))
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      sign_op_fail (op, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
      return;
    }

  /* Pinning: also a certificate the system trusts must be the pinned one. */
  if (self->pinned_certificate != NULL)
    {
      GTlsCertificate *peer = soup_message_get_tls_peer_certificate (op->message);

      if (peer == NULL || !g_tls_certificate_is_same (self->pinned_certificate, peer))
        {
          soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
          sign_op_fail (op, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                        _("The program at NCALayer's address is not the expected NCALayer."));
          return;
        }
    }

  op->connection = g_steal_pointer (&connection);
  soup_websocket_connection_set_max_incoming_payload_size (op->connection, MAX_INCOMING_PAYLOAD);
  op->state = STATE_AWAITING_GREETING;
  op->greeting_timeout_id = g_timeout_add_seconds (GREETING_TIMEOUT_SECONDS, greeting_timeout_cb, op);
  g_signal_connect (op->connection, "message", G_CALLBACK (message_cb), op);
  g_signal_connect (op->connection, "error", G_CALLBACK (error_cb), op);
  g_signal_connect (op->connection, "closed", G_CALLBACK (closed_cb), op);
}

static QoimaCertificate *
qoima_signer_ncalayer_get_certificate (QoimaSigner *signer)
{
  return QOIMA_SIGNER_NCALAYER (signer)->certificate;
}

static void
qoima_signer_ncalayer_sign_async (QoimaSigner         *signer,
                                  GBytes              *data,
                                  QoimaSignMode        mode,
                                  QoimaKeyPurpose      purpose,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  QoimaSignerNcalayer *self = QOIMA_SIGNER_NCALAYER (signer);
  SignOp *op;

  op = g_new0 (SignOp, 1);
  op->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, qoima_signer_ncalayer_sign_async);
  op->context = g_main_context_ref_thread_default ();
  op->data = g_bytes_ref (data);
  op->mode = mode;
  op->purpose = purpose;
  op->state = STATE_CONNECTING;

  op->message = soup_message_new (SOUP_METHOD_GET, self->url);
  if (op->message == NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&op->task);

      op->state = STATE_DONE;
      sign_op_free (op);
      g_task_return_new_error (task, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                               _("NCALayer's address is not a valid URL: %s"), self->url);
      return;
    }
  if (self->pinned_certificate != NULL)
    g_signal_connect_data (op->message, "accept-certificate",
                           G_CALLBACK (accept_certificate_cb),
                           g_object_ref (self->pinned_certificate),
                           (GClosureNotify) (void (*) (void)) g_object_unref, 0);

  /* NCALayer is on loopback: no proxy, whatever the desktop's settings say. */
  op->session = soup_session_new_with_options ("timeout", 30, "proxy-resolver", NULL, NULL);
  if (self->tls_database != NULL)
    soup_session_set_tls_database (op->session, self->tls_database);

  if (cancellable != NULL)
    {
      op->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (op->cancel_source, G_SOURCE_FUNC (cancelled_cb), op, NULL);
      g_source_attach (op->cancel_source, g_task_get_context (op->task));
    }

  soup_session_websocket_connect_async (op->session, op->message, NULL, NULL,
                                        G_PRIORITY_DEFAULT, cancellable, connect_cb, op);
}

static GBytes *
qoima_signer_ncalayer_sign_finish (QoimaSigner   *signer,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, signer), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, qoima_signer_ncalayer_sign_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
qoima_signer_ncalayer_signer_iface_init (QoimaSignerInterface *iface)
{
  iface->get_certificate = qoima_signer_ncalayer_get_certificate;
  iface->sign_async = qoima_signer_ncalayer_sign_async;
  iface->sign_finish = qoima_signer_ncalayer_sign_finish;
}

static void
qoima_signer_ncalayer_finalize (GObject *object)
{
  QoimaSignerNcalayer *self = QOIMA_SIGNER_NCALAYER (object);

  g_clear_object (&self->tls_database);
  g_clear_object (&self->pinned_certificate);
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->version, g_free);

  G_OBJECT_CLASS (qoima_signer_ncalayer_parent_class)->finalize (object);
}

static void
qoima_signer_ncalayer_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  QoimaSignerNcalayer *self = QOIMA_SIGNER_NCALAYER (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, qoima_signer_ncalayer_get_url (self));
      break;
    case PROP_TLS_DATABASE:
      g_value_set_object (value, qoima_signer_ncalayer_get_tls_database (self));
      break;
    case PROP_PINNED_CERTIFICATE:
      g_value_set_object (value, qoima_signer_ncalayer_get_pinned_certificate (self));
      break;
    case PROP_HEARTBEAT_INTERVAL:
      g_value_set_uint (value, qoima_signer_ncalayer_get_heartbeat_interval (self));
      break;
    case PROP_VERSION:
      g_value_set_string (value, qoima_signer_ncalayer_get_version (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_signer_ncalayer_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  QoimaSignerNcalayer *self = QOIMA_SIGNER_NCALAYER (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_free (self->url);
      self->url = g_value_dup_string (value);
      if (self->url == NULL)
        self->url = g_strdup (QOIMA_SIGNER_NCALAYER_DEFAULT_URL);
      break;
    case PROP_TLS_DATABASE:
      qoima_signer_ncalayer_set_tls_database (self, g_value_get_object (value));
      break;
    case PROP_PINNED_CERTIFICATE:
      qoima_signer_ncalayer_set_pinned_certificate (self, g_value_get_object (value));
      break;
    case PROP_HEARTBEAT_INTERVAL:
      qoima_signer_ncalayer_set_heartbeat_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_signer_ncalayer_class_init (QoimaSignerNcalayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = qoima_signer_ncalayer_finalize;
  object_class->get_property = qoima_signer_ncalayer_get_property;
  object_class->set_property = qoima_signer_ncalayer_set_property;

  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL,
                         QOIMA_SIGNER_NCALAYER_DEFAULT_URL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL,
                         G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PINNED_CERTIFICATE] =
    g_param_spec_object ("pinned-certificate", NULL, NULL,
                         G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEARTBEAT_INTERVAL] =
    g_param_spec_uint ("heartbeat-interval", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_HEARTBEAT_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VERSION] =
    g_param_spec_string ("version", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
qoima_signer_ncalayer_init (QoimaSignerNcalayer *self)
{
  self->heartbeat_interval = DEFAULT_HEARTBEAT_INTERVAL;
}

QoimaSignerNcalayer *
qoima_signer_ncalayer_new (const char *url)
{
  return g_object_new (QOIMA_TYPE_SIGNER_NCALAYER, "url", url, NULL);
}

const char *
qoima_signer_ncalayer_get_url (QoimaSignerNcalayer *self)
{
  g_return_val_if_fail (QOIMA_IS_SIGNER_NCALAYER (self), NULL);

  return self->url;
}

/**
 * qoima_signer_ncalayer_get_tls_database:
 *
 * Returns: (transfer none) (nullable): the database set, or NULL for the system's
 */
GTlsDatabase *
qoima_signer_ncalayer_get_tls_database (QoimaSignerNcalayer *self)
{
  g_return_val_if_fail (QOIMA_IS_SIGNER_NCALAYER (self), NULL);

  return self->tls_database;
}

void
qoima_signer_ncalayer_set_tls_database (QoimaSignerNcalayer *self,
                                        GTlsDatabase        *database)
{
  g_return_if_fail (QOIMA_IS_SIGNER_NCALAYER (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  if (g_set_object (&self->tls_database, database))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_DATABASE]);
}

/**
 * qoima_signer_ncalayer_get_pinned_certificate:
 *
 * Returns: (transfer none) (nullable): the pinned certificate
 */
GTlsCertificate *
qoima_signer_ncalayer_get_pinned_certificate (QoimaSignerNcalayer *self)
{
  g_return_val_if_fail (QOIMA_IS_SIGNER_NCALAYER (self), NULL);

  return self->pinned_certificate;
}

void
qoima_signer_ncalayer_set_pinned_certificate (QoimaSignerNcalayer *self,
                                              GTlsCertificate     *certificate)
{
  g_return_if_fail (QOIMA_IS_SIGNER_NCALAYER (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  if (g_set_object (&self->pinned_certificate, certificate))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED_CERTIFICATE]);
}

unsigned
qoima_signer_ncalayer_get_heartbeat_interval (QoimaSignerNcalayer *self)
{
  g_return_val_if_fail (QOIMA_IS_SIGNER_NCALAYER (self), 0);

  return self->heartbeat_interval;
}

void
qoima_signer_ncalayer_set_heartbeat_interval (QoimaSignerNcalayer *self,
                                              unsigned             milliseconds)
{
  g_return_if_fail (QOIMA_IS_SIGNER_NCALAYER (self));

  if (self->heartbeat_interval == milliseconds)
    return;

  self->heartbeat_interval = milliseconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEARTBEAT_INTERVAL]);
}

const char *
qoima_signer_ncalayer_get_version (QoimaSignerNcalayer *self)
{
  g_return_val_if_fail (QOIMA_IS_SIGNER_NCALAYER (self), NULL);

  return self->version;
}
