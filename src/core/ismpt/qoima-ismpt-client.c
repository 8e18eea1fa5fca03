/* qoima-ismpt-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-ismpt-client"

#include "config.h"

#include "qoima-ismpt-client.h"

#include "qoima-certificate.h"
#include "qoima-json.h"

#include <glib/gi18n.h>
#include <string.h>

/* A token is renewed this long before it expires, so that no call starts with a token
 * that dies on the way. */
#define TOKEN_MARGIN_SECONDS 60
#define DEFAULT_TIMEOUT_SECONDS 30
/* How long a token whose expiry cannot be read is used: short, since a 401 before then
 * only costs one more login, and a token used past its end costs a refused call. */
#define OPAQUE_TOKEN_SECONDS (30 * 60)
/* A document id is a UUID or a short number; a longer "id" is some other answer. */
#define MAX_DOCUMENT_ID_LENGTH 256
/* 9999-12-31T23:59:59Z: the last moment a token's exp can sensibly name. */
#define MAX_TOKEN_EXPIRY G_GINT64_CONSTANT (253402300799)

typedef struct {
  const char *name;
  const char *method;
  const char *path;
} OperationDefault;

/* The one place where each operation's method and path live (ismpt-api.md §3, §5). */
static const OperationDefault operation_defaults[QOIMA_ISMPT_N_OPS] = {
  [QOIMA_ISMPT_OP_AUTH_KEY] = { "auth-key", "GET", "auth/key" },
  [QOIMA_ISMPT_OP_SIGN_IN] = { "sign-in", "POST", "auth/simpleSignIn" },
  [QOIMA_ISMPT_OP_DOC_LIST] = { "doc-list", "GET", "doc/list" },
  [QOIMA_ISMPT_OP_DOC_INFO] = { "doc-info", "GET", "doc/{id}/info" },
  [QOIMA_ISMPT_OP_DOC_CISES] = { "doc-cises", "GET", "doc/cises" },
  [QOIMA_ISMPT_OP_DOC_CREATE] = { "doc-create", "POST", "lk/documents/create" },
  [QOIMA_ISMPT_OP_CISES_INFO] = { "cises-info", "POST", "cises/info" },
  [QOIMA_ISMPT_OP_CATALOG_CARD] = { "catalog-card", "GET", "portal/api/v2/products/{id}" },
  [QOIMA_ISMPT_OP_DOC_LIST_V4] = { "doc-list-v4", "GET", "../../v4/true-api/doc/list" },
  [QOIMA_ISMPT_OP_DOC_LIST_LEGACY] = { "doc-list-legacy", "GET", "../facade/doc/listV2" },
  [QOIMA_ISMPT_OP_DOC_INFO_V4] = { "doc-info-v4", "GET", "../../v4/true-api/doc/{id}/info" },
  [QOIMA_ISMPT_OP_DOC_BODY_LEGACY] = { "doc-body-legacy", "GET", "../facade/doc/{id}/body" },
  /* Not in the reference (the cabinet registers in a browser): designed, as the stand serves. */
  [QOIMA_ISMPT_OP_REGISTRATION_CREATE] = { "registration-create", "POST", "registration/requests" },
  [QOIMA_ISMPT_OP_REGISTRATION_STATUS] = { "registration-status", "GET", "registration/requests/{id}" },
  [QOIMA_ISMPT_OP_REGISTRATION_CONTRACT] = { "registration-contract", "POST", "registration/requests/{id}/contract" },
};

/* Operations that have alternatives, each family in the order they are tried. */
typedef enum {
  FAMILY_NONE = -1,
  FAMILY_DOC_LIST,
  FAMILY_DOC_INFO,
  N_FAMILIES,
} Family;

#define FAMILY_SIZE 3

static const QoimaIsmptOp families[N_FAMILIES][FAMILY_SIZE] = {
  [FAMILY_DOC_LIST] = { QOIMA_ISMPT_OP_DOC_LIST, QOIMA_ISMPT_OP_DOC_LIST_V4, QOIMA_ISMPT_OP_DOC_LIST_LEGACY },
  [FAMILY_DOC_INFO] = { QOIMA_ISMPT_OP_DOC_INFO, QOIMA_ISMPT_OP_DOC_INFO_V4, QOIMA_ISMPT_OP_DOC_BODY_LEGACY },
};

struct _QoimaIsmptClient
{
  GObject parent_instance;

  /* Owned references */
  SoupSession *session;
  QoimaSigner *auth_signer;

  /* State */
  char *base_url;
  char *catalog_url;
  char *api_key;
  char *op_method[QOIMA_ISMPT_N_OPS];
  char *op_path[QOIMA_ISMPT_N_OPS];
  char *token;
  char *bin;
  gint64 token_expires;
  GPtrArray *login_waiters; /* GTask, waiting for the login in progress */
  QoimaIsmptOp family_op[N_FAMILIES];  /* the alternative that last worked, tried first */
  gboolean family_fixed[N_FAMILIES];   /* set by configuration: no alternatives */
};

G_DEFINE_FINAL_TYPE (QoimaIsmptClient, qoima_ismpt_client, G_TYPE_OBJECT)

typedef struct {
  QoimaIsmptOp op;
  Family family;           /* when the operation has alternatives */
  guint family_index;
  guint family_tried;      /* alternatives tried after the first */
  GBytes *first_refusal;   /* the first alternative's 404 answer, for the error */
  char *id;                /* fills {id} in the path */
  GPtrArray *query;        /* key, value, key, value… */
  gboolean product_group;  /* add pg=pharma (not on the legacy facade) */
  gboolean party_query;    /* add receiverInn/senderInn = our BIN once it is known */
  QoimaIsmptDirection direction;
  GBytes *body;
  gboolean needs_token;
  gboolean retried;
  gboolean body_written;   /* the request's body went out whole at least once */
  char *token_used;        /* the token the call was sent with */
  SoupMessage *message;
} Call;

static void
call_free (Call *call)
{
  g_free (call->id);
  g_free (call->token_used);
  g_clear_pointer (&call->first_refusal, g_bytes_unref);
  g_clear_pointer (&call->query, g_ptr_array_unref);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_clear_object (&call->message);
  g_free (call);
}

static Call *
call_new (QoimaIsmptOp op)
{
  Call *call = g_new0 (Call, 1);

  call->op = op;
  call->family = FAMILY_NONE;
  call->query = g_ptr_array_new_with_free_func (g_free);
  call->needs_token = op != QOIMA_ISMPT_OP_AUTH_KEY && op != QOIMA_ISMPT_OP_SIGN_IN &&
                      op != QOIMA_ISMPT_OP_CATALOG_CARD &&
                      op != QOIMA_ISMPT_OP_REGISTRATION_CREATE &&
                      op != QOIMA_ISMPT_OP_REGISTRATION_STATUS &&
                      op != QOIMA_ISMPT_OP_REGISTRATION_CONTRACT;
  return call;
}

static void
call_add_query (Call       *call,
                const char *key,
                const char *value)
{
  if (value == NULL)
    return;
  g_ptr_array_add (call->query, g_strdup (key));
  g_ptr_array_add (call->query, g_strdup (value));
}

/* A call of an operation with alternatives starts with the one in use. */
static Call *
call_new_in_family (QoimaIsmptClient *self,
                    Family            family)
{
  Call *call = call_new (self->family_op[family]);

  call->family = family;
  for (guint i = 0; i < FAMILY_SIZE; i++)
    if (families[family][i] == call->op)
      call->family_index = i;
  return call;
}

/* After a 404: moves @call to the next alternative not tried yet. A 404 may also mean that
 * the document does not exist; then every path says so and the first one's answer is
 * reported. */
static gboolean
call_try_next (QoimaIsmptClient *self,
               Call             *call,
               GBytes           *body)
{
  if (call->family == FAMILY_NONE || self->family_fixed[call->family] ||
      call->family_tried + 1 >= FAMILY_SIZE)
    return FALSE;

  if (call->first_refusal == NULL && body != NULL)
    call->first_refusal = g_bytes_ref (body);
  call->family_tried++;
  call->family_index = (call->family_index + 1) % FAMILY_SIZE;
  call->op = families[call->family][call->family_index];
  g_debug ("Trying %s instead", operation_defaults[call->op].name);
  return TRUE;
}

static void
append_query (GString    *url,
              const char *key,
              const char *value)
{
  g_autofree char *escaped_key = g_uri_escape_string (key, NULL, FALSE);
  g_autofree char *escaped_value = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_c (url, strchr (url->str, '?') == NULL ? '?' : '&');
  g_string_append_printf (url, "%s=%s", escaped_key, escaped_value);
}

static char *
build_url (QoimaIsmptClient *self,
           Call             *call)
{
  const char *base = call->op == QOIMA_ISMPT_OP_CATALOG_CARD ? self->catalog_url : self->base_url;
  const char *path = self->op_path[call->op];
  g_autoptr(GString) url = g_string_new (base);
  gboolean legacy_list = call->op == QOIMA_ISMPT_OP_DOC_LIST_LEGACY;
  const char *hole;

  while (url->len > 0 && url->str[url->len - 1] == '/')
    g_string_truncate (url, url->len - 1);
  while (*path == '/')
    path++;
  /* "../" climbs one segment out of the base, never past its host. */
  while (g_str_has_prefix (path, "../"))
    {
      const char *last = strrchr (url->str, '/');

      if (last != NULL && last > url->str && last[-1] != '/')
        g_string_truncate (url, last - url->str);
      path += strlen ("../");
    }
  g_string_append_c (url, '/');

  /* Values go into paths and queries percent-encoded (RFC 3986): serials hold " % < & '. */
  hole = strstr (path, "{id}");
  if (hole != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (call->id ? call->id : "", NULL, FALSE);

      g_string_append_len (url, path, hole - path);
      g_string_append (url, escaped);
      g_string_append (url, hole + strlen ("{id}"));
    }
  else
    g_string_append (url, path);

  if (call->product_group && !legacy_list)
    append_query (url, "pg", QOIMA_ISMPT_PRODUCT_GROUP);
  for (guint i = 0; i + 1 < call->query->len; i += 2)
    append_query (url, g_ptr_array_index (call->query, i), g_ptr_array_index (call->query, i + 1));

  /* Our BIN is known only once logged in, so it joins the query at sending time. The
   * legacy facade names the direction and the party in its own words. */
  if (call->party_query && self->bin != NULL && legacy_list)
    {
      append_query (url, "inputFormat", call->direction == QOIMA_ISMPT_INCOMING ? "true" : "false");
      append_query (url, "participantInn", self->bin);
    }
  else if (call->party_query && self->bin != NULL)
    append_query (url, call->direction == QOIMA_ISMPT_INCOMING ? "receiverInn" : "senderInn", self->bin);

  return g_string_free (g_steal_pointer (&url), FALSE);
}

static gboolean
token_is_fresh (QoimaIsmptClient *self)
{
  return self->token != NULL &&
         self->token_expires > g_get_real_time () / G_USEC_PER_SEC + TOKEN_MARGIN_SECONDS;
}

static void
forget_token (QoimaIsmptClient *self)
{
  g_clear_pointer (&self->token, g_free);
  self->token_expires = 0;
}

static char *
server_message (GBytes *body)
{
  g_autoptr(JsonNode) node = NULL;
  const char *text = NULL;

  if (body == NULL)
    return NULL;
  node = qoima_json_parse_bytes (body, NULL);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);

      text = qoima_json_get_string (object, "error_message");
      if (text == NULL)
        text = qoima_json_get_string (object, "message");
      if (text == NULL)
        text = qoima_json_get_string (object, "error_description");
    }
  return g_strdup (text);
}

static GError *
error_for_status (QoimaIsmptClient *self,
                  Call             *call,
                  unsigned          status,
                  GBytes           *body)
{
  g_autofree char *text = server_message (body);

  /* A server failing at sign-in is a passing fault, not a refusal of the key: it is
   * retried like any other server error. */
  if (call->op == QOIMA_ISMPT_OP_SIGN_IN && status >= 500)
    return g_error_new (QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_SERVER,
                        _("ИС МПТ could not log in just now: a server error (HTTP %u%s%s). Try again later."),
                        status, text ? ": " : "", text ? text : "");
  if (call->op == QOIMA_ISMPT_OP_SIGN_IN || status == SOUP_STATUS_UNAUTHORIZED)
    return g_error_new (QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED,
                        _("ИС МПТ refused the login: %s"),
                        text ? text : soup_status_get_phrase (status));
  if (status == SOUP_STATUS_NOT_FOUND)
    return g_error_new (QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NOT_FOUND,
                        _("ИС МПТ does not know what was asked for (HTTP 404): %s"),
                        text ? text : soup_status_get_phrase (status));
  if (status >= 500)
    return g_error_new (QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_SERVER,
                        _("ИС МПТ answered with a server error (HTTP %u%s%s). The work waits and will be sent again."),
                        status, text ? ": " : "", text ? text : "");
  return g_error_new (QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_REFUSED,
                      _("ИС МПТ refused the request (HTTP %u): %s"),
                      status, text ? text : soup_status_get_phrase (status));
}

static GError *
error_for_transport (QoimaIsmptClient *self,
                     GError           *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  return g_error_new (QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NO_NETWORK,
                      _("ИС МПТ cannot be reached (%s). The work waits and will be sent when the connection is back."),
                      error->message);
}

/* A document whose request never went out whole cannot be at ИС МПТ: the sync may send it
 * again without asking first. Anything else on the way is an unknown outcome. */
static GError *
error_for_call (QoimaIsmptClient *self,
                Call             *call,
                GError           *error)
{
  if (call->op == QOIMA_ISMPT_OP_DOC_CREATE && !call->body_written &&
      g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NO_NETWORK))
    error->code = QOIMA_SYNC_ERROR_NOT_SENT;
  return error;
}

static void
body_written_cb (SoupMessage *message,
                 Call        *call)
{
  call->body_written = TRUE;
}

static void ensure_token_async (QoimaIsmptClient    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
static gboolean ensure_token_finish (QoimaIsmptClient  *self,
                                     GAsyncResult      *result,
                                     GError           **error);

static void send_call (GTask *task);
static void send_now (GTask *task);

static void
call_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  QoimaIsmptClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  unsigned status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error_for_call (self, call, error_for_transport (self, error)));
      return;
    }

  status = soup_message_get_status (call->message);
  g_debug ("%s → HTTP %u", operation_defaults[call->op].name, status);

  if (status == SOUP_STATUS_UNAUTHORIZED && call->needs_token && !call->retried)
    {
      /* The token may have been revoked or the stand restarted: log in once more. A call
       * refused with a token that another call has already replaced just uses the new one. */
      call->retried = TRUE;
      if (g_strcmp0 (self->token, call->token_used) == 0)
        forget_token (self);
      send_call (g_steal_pointer (&task));
      return;
    }

  if (status == SOUP_STATUS_NOT_FOUND && call_try_next (self, call, body))
    {
      send_now (g_steal_pointer (&task));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_error (task, error_for_status (self, call, status,
                                                   call->first_refusal != NULL ? call->first_refusal : body));
      return;
    }

  /* The next call of the family starts where this one succeeded. */
  if (call->family != FAMILY_NONE)
    self->family_op[call->family] = call->op;

  g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) g_bytes_unref);
}

static void
send_now (GTask *task)
{
  QoimaIsmptClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autofree char *url = build_url (self, call);
  SoupMessageHeaders *headers;

  g_clear_object (&call->message);
  call->message = soup_message_new (self->op_method[call->op], url);
  if (call->message == NULL)
    {
      g_task_return_new_error (task, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_FAILED,
                               _("The ИС МПТ address “%s” is not a valid URL."), url);
      g_object_unref (task);
      return;
    }

  headers = soup_message_get_request_headers (call->message);
  /* A narrow Accept makes some True API methods answer 406 with an empty body. */
  soup_message_headers_replace (headers, "Accept", "*/*");
  if (call->needs_token)
    {
      g_autofree char *bearer = g_strdup_printf ("Bearer %s", self->token);

      soup_message_headers_replace (headers, "Authorization", bearer);
      g_free (call->token_used);
      call->token_used = g_strdup (self->token);
    }
  if (call->op == QOIMA_ISMPT_OP_CATALOG_CARD && self->api_key != NULL)
    soup_message_headers_replace (headers, "X-API-KEY", self->api_key);
  if (call->body != NULL)
    {
      soup_message_set_request_body_from_bytes (call->message, "application/json", call->body);
      g_signal_connect (call->message, "wrote-body", G_CALLBACK (body_written_cb), call);
    }

  soup_session_send_and_read_async (self->session, call->message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), call_sent_cb, task);
}

static void
token_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!ensure_token_finish (QOIMA_ISMPT_CLIENT (source), result, &error))
    {
      g_task_return_error (task, error_for_call (QOIMA_ISMPT_CLIENT (source), g_task_get_task_data (task),
                                                 g_steal_pointer (&error)));
      g_object_unref (task);
      return;
    }
  send_now (task);
}

/* Takes over @task. */
static void
send_call (GTask *task)
{
  QoimaIsmptClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);

  if (call->needs_token && !token_is_fresh (self))
    ensure_token_async (self, g_task_get_cancellable (task), token_ready_cb, task);
  else
    send_now (task);
}

static void
call_async (QoimaIsmptClient    *self,
            Call                *call,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  send_call (task);
}

static GBytes *
call_finish (QoimaIsmptClient  *self,
             GAsyncResult      *result,
             gpointer           source_tag,
             GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static JsonNode *
parse_answer (GBytes      *body,
              JsonNodeType expected,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) node = qoima_json_parse_bytes (body, &local_error);

  if (node == NULL)
    {
      g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                   _("ИС МПТ sent a broken answer (%s). Nothing was changed."), local_error->message);
      return NULL;
    }
  if (JSON_NODE_TYPE (node) != expected)
    {
      g_set_error_literal (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                           _("ИС МПТ sent an answer of an unexpected shape. Nothing was changed."));
      return NULL;
    }
  return g_steal_pointer (&node);
}

/* Login: auth/key → sign the challenge (attached, AUTH key) → auth/simpleSignIn. */

/* The claims of a JWT, or NULL when @token is not one (an opaque token). */
static JsonObject *
jwt_claims (const char *token)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", 4);
  g_autoptr(GString) payload = NULL;
  g_autofree guchar *decoded = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) node = NULL;
  gsize len = 0;

  if (g_strv_length (parts) != 3 || *parts[1] == '\0')
    return NULL;

  /* base64url without padding → base64 */
  payload = g_string_new (parts[1]);
  g_strdelimit (payload->str, "-", '+');
  g_strdelimit (payload->str, "_", '/');
  while (payload->len % 4 != 0)
    g_string_append_c (payload, '=');
  decoded = g_base64_decode (payload->str, &len);
  bytes = g_bytes_new (decoded, len);
  node = qoima_json_parse_bytes (bytes, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

/* The organization's BIN from the AUTH key's certificate, when the token does not say it. */
static const char *
certificate_bin (QoimaIsmptClient *self)
{
  QoimaCertificate *certificate = self->auth_signer != NULL ? qoima_signer_get_certificate (self->auth_signer)
                                                            : NULL;

  return certificate != NULL ? qoima_certificate_get_bin (certificate) : NULL;
}

/* Takes the token as it is: a JWT gives its exp, the BIN ("inn") and the product groups;
 * anything else is used for OPAQUE_TOKEN_SECONDS with the certificate's BIN. */
static gboolean
read_token (QoimaIsmptClient  *self,
            const char        *token,
            GError           **error)
{
  g_autoptr(JsonObject) claims = jwt_claims (token);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *bin = NULL;
  gint64 expires = 0;

  /* Whatever its form, a token goes into an Authorization header as it is. */
  if (*token == '\0' || strpbrk (token, " \t\r\n") != NULL)
    {
      g_set_error_literal (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                           _("ИС МПТ sent a login token Qoima cannot use (it is empty or holds spaces)."));
      return FALSE;
    }

  if (claims != NULL)
    {
      JsonArray *groups = qoima_json_get_array (claims, "product_group_info");
      g_autoptr(GError) local_error = NULL;
      gboolean pharma = FALSE;

      bin = qoima_json_get_string (claims, "inn");
      /* An exp past the year 9999 or not a whole number is no time: refused, not cast. */
      if (!qoima_json_get_int_checked (claims, "exp", 0, MAX_TOKEN_EXPIRY, &expires, &local_error))
        {
          g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                       _("ИС МПТ sent a login token Qoima cannot use (%s)."), local_error->message);
          return FALSE;
        }

      /* Only a token that lists its groups can say that medicines are missing. */
      for (guint i = 0; groups != NULL && i < json_array_get_length (groups); i++)
        if (g_strcmp0 (qoima_json_get_string (qoima_json_array_get_object (groups, i), "name"),
                       QOIMA_ISMPT_PRODUCT_GROUP) == 0)
          pharma = TRUE;
      if (groups != NULL && !pharma)
        {
          g_set_error_literal (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED,
                               _("The organization is not registered in ИС МПТ for medicines (product group “pharma”)."));
          return FALSE;
        }
    }
  else
    g_debug ("The token is not a JWT: kept for %d minutes", OPAQUE_TOKEN_SECONDS / 60);

  if (bin == NULL || *bin == '\0')
    bin = certificate_bin (self);
  if (bin == NULL)
    {
      g_set_error_literal (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED,
                           _("Neither the ИС МПТ token nor the AUTH key’s certificate names the organization’s BIN."));
      return FALSE;
    }

  if (expires <= 0)
    expires = now + OPAQUE_TOKEN_SECONDS;

  g_free (self->token);
  self->token = g_strdup (token);
  g_free (self->bin);
  self->bin = g_strdup (bin);
  self->token_expires = expires;
  return TRUE;
}

static void
finish_login (QoimaIsmptClient *self,
              GError           *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->login_waiters);

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        g_task_return_boolean (waiter, TRUE);
    }
}

typedef struct {
  QoimaIsmptClient *self;
  char *uuid;
} Login;

static void
login_free (Login *login)
{
  g_clear_object (&login->self);
  g_free (login->uuid);
  g_free (login);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Login, login_free)

static void
sign_in_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Login) login = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) node = NULL;

  body = call_finish (login->self, result, sign_in_cb, &error);
  if (body != NULL)
    node = parse_answer (body, JSON_NODE_OBJECT, &error);
  if (node != NULL)
    {
      const char *token = qoima_json_get_string (json_node_get_object (node), "token");

      if (token == NULL)
        g_set_error_literal (&error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                             _("ИС МПТ accepted the login but sent no token."));
      else
        read_token (login->self, token, &error);
    }
  finish_login (login->self, error);
}

static void
challenge_signed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(Login) login = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *b64 = NULL;
  QoimaIsmptClient *self;
  char *json;
  Call *call;

  cms = qoima_signer_sign_finish (QOIMA_SIGNER (source), result, &error);
  if (cms == NULL)
    {
      finish_login (login->self, error);
      return;
    }

  b64 = g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uuid");
  json_builder_add_string_value (builder, login->uuid);
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, b64);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = qoima_json_to_string (root);

  call = call_new (QOIMA_ISMPT_OP_SIGN_IN);
  call->body = g_bytes_new_take (json, strlen (json));
  self = login->self;
  call_async (self, call, sign_in_cb, NULL, sign_in_cb, g_steal_pointer (&login));
}

static void
challenge_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Login) login = user_data;
  QoimaIsmptClient *self = login->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GBytes) challenge = NULL;
  const char *uuid = NULL;
  const char *data = NULL;

  body = call_finish (self, result, challenge_cb, &error);
  if (body != NULL)
    node = parse_answer (body, JSON_NODE_OBJECT, &error);
  if (node != NULL)
    {
      uuid = qoima_json_get_string (json_node_get_object (node), "uuid");
      data = qoima_json_get_string (json_node_get_object (node), "data");
      if (uuid == NULL || data == NULL)
        g_set_error_literal (&error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                             _("ИС МПТ sent a login challenge Qoima cannot read."));
    }
  if (error != NULL)
    {
      finish_login (self, error);
      return;
    }

  /* The signature covers the challenge's bytes exactly as received (ismpt-api.md §3). */
  login->uuid = g_strdup (uuid);
  challenge = g_bytes_new (data, strlen (data));
  qoima_signer_sign_async (self->auth_signer, challenge, QOIMA_SIGN_ATTACHED,
                           QOIMA_KEY_PURPOSE_AUTH, NULL, challenge_signed_cb,
                           g_steal_pointer (&login));
}

static void
ensure_token_async (QoimaIsmptClient    *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  gboolean in_progress = self->login_waiters != NULL;
  Login *login;

  g_task_set_source_tag (task, ensure_token_async);

  if (token_is_fresh (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->auth_signer == NULL)
    {
      g_task_return_new_error (task, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED,
                               _("No authentication (AUTH) key is chosen for ИС МПТ."));
      return;
    }

  /* Callers that arrive while a login is under way wait for it instead of starting
   * another one: a challenge is one-time. */
  if (!in_progress)
    self->login_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->login_waiters, g_steal_pointer (&task));
  if (in_progress)
    return;

  login = g_new0 (Login, 1);
  login->self = g_object_ref (self);
  call_async (self, call_new (QOIMA_ISMPT_OP_AUTH_KEY), challenge_cb, NULL, challenge_cb, login);
}

static gboolean
ensure_token_finish (QoimaIsmptClient  *self,
                     GAsyncResult      *result,
                     GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
qoima_ismpt_client_finalize (GObject *object)
{
  QoimaIsmptClient *self = (QoimaIsmptClient *) object;

  g_clear_object (&self->session);
  g_clear_object (&self->auth_signer);
  g_free (self->base_url);
  g_free (self->catalog_url);
  g_free (self->api_key);
  for (int i = 0; i < QOIMA_ISMPT_N_OPS; i++)
    {
      g_free (self->op_method[i]);
      g_free (self->op_path[i]);
    }
  g_free (self->token);
  g_free (self->bin);
  g_clear_pointer (&self->login_waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (qoima_ismpt_client_parent_class)->finalize (object);
}

static void
qoima_ismpt_client_class_init (QoimaIsmptClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = qoima_ismpt_client_finalize;
}

static void
qoima_ismpt_client_init (QoimaIsmptClient *self)
{
  for (int i = 0; i < QOIMA_ISMPT_N_OPS; i++)
    {
      self->op_method[i] = g_strdup (operation_defaults[i].method);
      self->op_path[i] = g_strdup (operation_defaults[i].path);
    }
  for (int f = 0; f < N_FAMILIES; f++)
    self->family_op[f] = families[f][0];
}

QoimaIsmptClient *
qoima_ismpt_client_new (const char  *base_url,
                        SoupSession *session)
{
  QoimaIsmptClient *self;

  g_return_val_if_fail (base_url != NULL, NULL);

  self = g_object_new (QOIMA_TYPE_ISMPT_CLIENT, NULL);
  self->base_url = g_strdup (base_url);
  self->catalog_url = g_strdup (base_url);
  if (session != NULL)
    self->session = g_object_ref (session);
  else
    self->session = soup_session_new_with_options ("timeout", DEFAULT_TIMEOUT_SECONDS,
                                                   "user-agent", "Qoima/" PACKAGE_VERSION,
                                                   NULL);
  return self;
}

const char *
qoima_ismpt_client_get_base_url (QoimaIsmptClient *self)
{
  g_return_val_if_fail (QOIMA_IS_ISMPT_CLIENT (self), NULL);
  return self->base_url;
}

void
qoima_ismpt_client_set_auth_signer (QoimaIsmptClient *self,
                                    QoimaSigner      *signer)
{
  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));

  if (g_set_object (&self->auth_signer, signer))
    forget_token (self);
}

void
qoima_ismpt_client_set_catalog (QoimaIsmptClient *self,
                                const char       *catalog_url,
                                const char       *api_key)
{
  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));

  g_free (self->catalog_url);
  self->catalog_url = g_strdup (catalog_url ? catalog_url : self->base_url);
  g_free (self->api_key);
  self->api_key = g_strdup (api_key);
}

void
qoima_ismpt_client_set_timeout (QoimaIsmptClient *self,
                                unsigned          seconds)
{
  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));
  soup_session_set_timeout (self->session, seconds);
}

const char *
qoima_ismpt_client_get_bin (QoimaIsmptClient *self)
{
  g_return_val_if_fail (QOIMA_IS_ISMPT_CLIENT (self), NULL);
  return self->bin;
}

const char *
qoima_ismpt_op_to_string (QoimaIsmptOp op)
{
  g_return_val_if_fail (op < QOIMA_ISMPT_N_OPS, NULL);
  return operation_defaults[op].name;
}

gboolean
qoima_ismpt_client_set_operation (QoimaIsmptClient  *self,
                                  const char        *op_name,
                                  const char        *method,
                                  const char        *path,
                                  GError           **error)
{
  g_return_val_if_fail (QOIMA_IS_ISMPT_CLIENT (self), FALSE);

  for (int i = 0; i < QOIMA_ISMPT_N_OPS; i++)
    {
      if (g_strcmp0 (operation_defaults[i].name, op_name) != 0)
        continue;
      if (g_strcmp0 (method, "GET") != 0 && g_strcmp0 (method, "POST") != 0)
        break;
      g_free (self->op_method[i]);
      self->op_method[i] = g_strdup (method);
      g_free (self->op_path[i]);
      self->op_path[i] = g_strdup (path);
      /* A path from configuration is where the documents are: no alternatives. */
      for (int f = 0; f < N_FAMILIES; f++)
        for (int k = 0; k < FAMILY_SIZE; k++)
          if (families[f][k] == (QoimaIsmptOp) i)
            {
              self->family_op[f] = (QoimaIsmptOp) i;
              self->family_fixed[f] = TRUE;
            }
      return TRUE;
    }

  g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
               _("Unknown ИС МПТ operation or method: %s %s"), op_name, method ? method : "");
  return FALSE;
}

gboolean
qoima_ismpt_client_load_operations (QoimaIsmptClient  *self,
                                    GKeyFile          *keyfile,
                                    GError           **error)
{
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (QOIMA_IS_ISMPT_CLIENT (self), FALSE);

  keys = g_key_file_get_keys (keyfile, "ismpt-operations", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_string (keyfile, "ismpt-operations", keys[i], error);
      g_auto(GStrv) words = NULL;

      if (value == NULL)
        return FALSE;
      words = g_strsplit (g_strstrip (value), " ", 2);
      if (g_strv_length (words) != 2)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _("“%s” must be “METHOD path”."), keys[i]);
          return FALSE;
        }
      if (!qoima_ismpt_client_set_operation (self, keys[i], words[0], words[1], error))
        return FALSE;
    }
  return TRUE;
}

void
qoima_ismpt_client_login_async (QoimaIsmptClient    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));

  forget_token (self);
  ensure_token_async (self, cancellable, callback, user_data);
}

gboolean
qoima_ismpt_client_login_finish (QoimaIsmptClient  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return ensure_token_finish (self, result, error);
}

void
qoima_ismpt_client_list_documents_async (QoimaIsmptClient    *self,
                                         QoimaIsmptDirection  direction,
                                         const char          *type,
                                         const char          *status,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  Call *call;

  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));

  call = call_new_in_family (self, FAMILY_DOC_LIST);
  call->product_group = TRUE;
  call_add_query (call, "documentType", type);
  call_add_query (call, "documentStatus", status);
  call_add_query (call, "limit", "10000");
  call->party_query = TRUE;
  call->direction = direction;
  call_async (self, call, qoima_ismpt_client_list_documents_async, cancellable, callback, user_data);
}

JsonNode *
qoima_ismpt_client_list_documents_finish (QoimaIsmptClient  *self,
                                          GAsyncResult      *result,
                                          GError           **error)
{
  g_autoptr(GBytes) body = call_finish (self, result, qoima_ismpt_client_list_documents_async, error);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *results;

  if (body == NULL || (node = parse_answer (body, JSON_NODE_OBJECT, error)) == NULL)
    return NULL;
  /* v4 adds nextPage, the legacy facade total: only results matters here. */
  results = qoima_json_get_array (json_node_get_object (node), "results");
  if (results == NULL)
    {
      g_set_error_literal (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                           _("ИС МПТ sent a document list without results. Nothing was changed."));
      return NULL;
    }
  return json_node_ref (json_object_get_member (json_node_get_object (node), "results"));
}

/* Finding a sent document by its number: page by page, since a list may hold more than one
 * page (or answer fewer per page than asked). */

#define FIND_MAX_PAGES 1000

typedef struct {
  QoimaIsmptDirection direction;
  char *type;
  char *number;
  guint pages;
} FindDocument;

static void
find_document_free (FindDocument *find)
{
  g_free (find->type);
  g_free (find->number);
  g_free (find);
}

static void find_page_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
find_page (GTask      *task,
           const char *did,
           const char *doc_date)
{
  QoimaIsmptClient *self = g_task_get_source_object (task);
  FindDocument *find = g_task_get_task_data (task);
  Call *call = call_new_in_family (self, FAMILY_DOC_LIST);

  call->product_group = TRUE;
  call_add_query (call, "documentType", find->type);
  call_add_query (call, "limit", "10000");
  if (did != NULL)
    {
      call_add_query (call, "pageDir", "NEXT");
      call_add_query (call, "did", did);
      call_add_query (call, "orderedColumnValue", doc_date);
    }
  call->party_query = TRUE;
  call->direction = find->direction;
  call_async (self, call, find_page, g_task_get_cancellable (task), find_page_cb, task);
}

static void
find_page_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  QoimaIsmptClient *self = QOIMA_ISMPT_CLIENT (source);
  FindDocument *find = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = call_finish (self, result, find_page, &error);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonArray *results;
  JsonObject *last = NULL;
  JsonNode *next;

  if (body == NULL || (node = parse_answer (body, JSON_NODE_OBJECT, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  object = json_node_get_object (node);
  results = qoima_json_get_array (object, "results");
  if (results == NULL)
    {
      g_task_return_new_error (task, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER, "%s",
                               _("ИС МПТ sent a document list without results. Nothing was changed."));
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *header = qoima_json_array_get_object (results, i);

      if (header == NULL)
        continue;
      last = header;
      if (g_strcmp0 (qoima_json_get_string (header, "documentNumber"), find->number) == 0 &&
          qoima_json_get_string (header, "number") != NULL)
        {
          g_task_return_pointer (task, json_node_init_object (json_node_alloc (), header),
                                 (GDestroyNotify) json_node_unref);
          g_object_unref (task);
          return;
        }
    }

  /* v3/v4 say whether a next page follows (the legacy facade does not: one page). */
  next = json_object_get_member (object, "nextPage");
  if (next != NULL && JSON_NODE_HOLDS_VALUE (next) && json_node_get_value_type (next) == G_TYPE_BOOLEAN &&
      json_node_get_boolean (next) && last != NULL && qoima_json_get_string (last, "number") != NULL &&
      ++find->pages < FIND_MAX_PAGES)
    {
      find_page (task, qoima_json_get_string (last, "number"), qoima_json_get_string (last, "docDate"));
      return;
    }
  g_task_return_pointer (task, NULL, NULL);
  g_object_unref (task);
}

void
qoima_ismpt_client_find_document_async (QoimaIsmptClient    *self,
                                        QoimaIsmptDirection  direction,
                                        const char          *type,
                                        const char          *document_number,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task;
  FindDocument *find;

  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));
  g_return_if_fail (document_number != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_ismpt_client_find_document_async);
  find = g_new0 (FindDocument, 1);
  find->direction = direction;
  find->type = g_strdup (type);
  find->number = g_strdup (document_number);
  g_task_set_task_data (task, find, (GDestroyNotify) find_document_free);
  find_page (task, NULL, NULL);
}

JsonNode *
qoima_ismpt_client_find_document_finish (QoimaIsmptClient  *self,
                                         GAsyncResult      *result,
                                         gboolean          *found,
                                         GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *header;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_ismpt_client_find_document_async, NULL);

  header = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  *found = header != NULL;
  return header;
}

void
qoima_ismpt_client_get_document_async (QoimaIsmptClient    *self,
                                       const char          *id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  Call *call;

  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));
  g_return_if_fail (id != NULL);

  call = call_new_in_family (self, FAMILY_DOC_INFO);
  call->id = g_strdup (id);
  call->product_group = TRUE;
  call_add_query (call, "body", "true");
  call_async (self, call, qoima_ismpt_client_get_document_async, cancellable, callback, user_data);
}

/* doc/{id}/info answers an array of one object; the legacy facade's body an object. */
static JsonNode *
document_from_answer (GBytes  *body,
                      GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) node = qoima_json_parse_bytes (body, &local_error);

  if (node == NULL)
    {
      g_set_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                   _("ИС МПТ sent a broken answer (%s). Nothing was changed."), local_error->message);
      return NULL;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    return g_steal_pointer (&node);
  if (JSON_NODE_HOLDS_ARRAY (node) && qoima_json_array_get_object (json_node_get_array (node), 0) != NULL)
    return json_node_ref (json_array_get_element (json_node_get_array (node), 0));

  g_set_error_literal (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER,
                       _("ИС МПТ sent an empty document. Nothing was changed."));
  return NULL;
}

JsonNode *
qoima_ismpt_client_get_document_finish (QoimaIsmptClient  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_autoptr(GBytes) body = call_finish (self, result, qoima_ismpt_client_get_document_async, error);

  if (body == NULL)
    return NULL;
  return document_from_answer (body, error);
}

/* Reading an act: doc info, then (when it has no codes) doc/cises. */

typedef struct {
  char *id;
  JsonObject *header;
  JsonNode *info;
} ActRead;

static void
act_read_free (ActRead *read)
{
  g_free (read->id);
  g_clear_pointer (&read->header, json_object_unref);
  g_clear_pointer (&read->info, json_node_unref);
  g_free (read);
}

static void
act_read_finish (GTask *task)
{
  ActRead *read = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  QoimaIncomingAct *act;

  act = qoima_incoming_act_from_json (json_node_get_object (read->info), &error);
  if (act == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, act, (GDestroyNotify) qoima_incoming_act_free);
}

static void
act_cises_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  QoimaIsmptClient *self = QOIMA_ISMPT_CLIENT (source);
  ActRead *read = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = call_finish (self, result, act_cises_cb, &error);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *list;

  /* No list is an answer too: the act then says precisely that it has no codes. A lost
   * connection is not: the pull stops and tries again later. */
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NO_NETWORK) ||
          g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_SERVER) ||
          g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_debug ("No code list for the act %s: %s", read->id, error->message);
    }
  else
    node = parse_answer (body, JSON_NODE_OBJECT, NULL);

  list = node != NULL ? qoima_json_get_array (json_node_get_object (node), "cisList") : NULL;
  if (list != NULL)
    json_object_set_array_member (json_node_get_object (read->info), "cisList", json_array_ref (list));
  act_read_finish (task);
}

static void
act_info_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  QoimaIsmptClient *self = QOIMA_ISMPT_CLIENT (source);
  ActRead *read = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = call_finish (self, result, act_info_cb, &error);
  GCancellable *cancellable;
  JsonObject *info;
  Call *call;

  if (body != NULL)
    read->info = document_from_answer (body, &error);
  if (read->info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  info = json_node_get_object (read->info);

  /* A reading that is the sender's document alone (the legacy facade's body) gets its
   * header from the document list. */
  if (!json_object_has_member (info, "body") &&
      (json_object_has_member (info, "products") || json_object_has_member (info, "document_number")))
    {
      g_autoptr(JsonNode) wrapped = json_node_new (JSON_NODE_OBJECT);

      json_node_take_object (wrapped, json_object_new ());
      json_object_set_object_member (json_node_get_object (wrapped), "body", json_object_ref (info));
      g_clear_pointer (&read->info, json_node_unref);
      read->info = g_steal_pointer (&wrapped);
      info = json_node_get_object (read->info);
    }
  if (read->header != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (read->header);

      for (GList *l = members; l != NULL; l = l->next)
        if (!json_object_has_member (info, l->data))
          json_object_set_member (info, l->data, json_node_copy (json_object_get_member (read->header, l->data)));
    }
  if (!json_object_has_member (info, "number"))
    json_object_set_string_member (info, "number", read->id);

  if (qoima_incoming_act_json_has_codes (info))
    {
      act_read_finish (task);
      return;
    }

  call = call_new (QOIMA_ISMPT_OP_DOC_CISES);
  call_add_query (call, "documentId", read->id);
  call_add_query (call, "productGroup", QOIMA_ISMPT_PRODUCT_GROUP);
  /* The cancellable is read before the task changes hands: argument order is unspecified. */
  cancellable = g_task_get_cancellable (task);
  call_async (self, call, act_cises_cb, cancellable, act_cises_cb, g_steal_pointer (&task));
}

void
qoima_ismpt_client_get_act_async (QoimaIsmptClient    *self,
                                  const char          *id,
                                  JsonObject          *header,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ActRead *read;
  Call *call;

  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));
  g_return_if_fail (id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_ismpt_client_get_act_async);
  read = g_new0 (ActRead, 1);
  read->id = g_strdup (id);
  read->header = header != NULL ? json_object_ref (header) : NULL;
  g_task_set_task_data (task, read, (GDestroyNotify) act_read_free);

  call = call_new_in_family (self, FAMILY_DOC_INFO);
  call->id = g_strdup (id);
  call->product_group = TRUE;
  call_add_query (call, "body", "true");
  call_async (self, call, act_info_cb, cancellable, act_info_cb, g_steal_pointer (&task));
}

QoimaIncomingAct *
qoima_ismpt_client_get_act_finish (QoimaIsmptClient  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_ismpt_client_get_act_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qoima_ismpt_client_create_document_async (QoimaIsmptClient    *self,
                                          const char          *type,
                                          GBytes              *document,
                                          GBytes              *signature,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *document_b64 = NULL;
  g_autofree char *signature_b64 = NULL;
  char *json;
  Call *call;

  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));
  g_return_if_fail (type != NULL && document != NULL && signature != NULL);

  /* The signature covers exactly the bytes that are base64-encoded here (§4). */
  document_b64 = g_base64_encode (g_bytes_get_data (document, NULL), g_bytes_get_size (document));
  signature_b64 = g_base64_encode (g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "document_format");
  json_builder_add_string_value (builder, "MANUAL");
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "product_document");
  json_builder_add_string_value (builder, document_b64);
  json_builder_set_member_name (builder, "signature");
  json_builder_add_string_value (builder, signature_b64);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = qoima_json_to_string (root);

  call = call_new (QOIMA_ISMPT_OP_DOC_CREATE);
  call_add_query (call, "pg", QOIMA_ISMPT_PRODUCT_GROUP);
  call->body = g_bytes_new_take (json, strlen (json));
  call_async (self, call, qoima_ismpt_client_create_document_async, cancellable, callback, user_data);
}

char *
qoima_ismpt_client_create_document_finish (QoimaIsmptClient  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_autoptr(GBytes) body = call_finish (self, result, qoima_ismpt_client_create_document_async, error);
  g_autofree char *id = NULL;
  const char *data;
  gsize size = 0;

  if (body == NULL)
    return NULL;

  /* The answer is the new document's id as plain text; tolerate JSON quotes around it. An
   * empty body (a 200 or 204 without one) has no data at all. */
  data = g_bytes_get_data (body, &size);
  if (data != NULL && size > 0 && memchr (data, '\0', size) == NULL)
    {
      id = g_strndup (data, size);
      g_strstrip (id);
      if (id[0] == '"' && strlen (id) > 1 && id[strlen (id) - 1] == '"')
        {
          memmove (id, id + 1, strlen (id));
          id[strlen (id) - 1] = '\0';
        }
    }
  /* Whether ИС МПТ stored the document is then unknown: the caller must ask, not resend. */
  if (id == NULL || *id == '\0' || strlen (id) > MAX_DOCUMENT_ID_LENGTH || strpbrk (id, " \t\r\n{}[]\"") != NULL || !g_utf8_validate (id, -1, NULL))
    {
      g_set_error_literal (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_UNKNOWN_OUTCOME,
                           _("ИС МПТ answered without the document’s id, so it is not known whether ИС МПТ "
                             "has the document; the next sync asks ИС МПТ first, so it is never sent twice."));
      return NULL;
    }
  return g_steal_pointer (&id);
}

void
qoima_ismpt_client_cises_info_async (QoimaIsmptClient    *self,
                                     const char * const  *codes,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *json;
  Call *call;

  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));
  g_return_if_fail (codes != NULL);

  json_builder_begin_array (builder);
  for (guint i = 0; codes[i] != NULL; i++)
    json_builder_add_string_value (builder, codes[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json = qoima_json_to_string (root);

  call = call_new (QOIMA_ISMPT_OP_CISES_INFO);
  call_add_query (call, "pg", QOIMA_ISMPT_PRODUCT_GROUP);
  call->body = g_bytes_new_take (json, strlen (json));
  call_async (self, call, qoima_ismpt_client_cises_info_async, cancellable, callback, user_data);
}

JsonNode *
qoima_ismpt_client_cises_info_finish (QoimaIsmptClient  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_autoptr(GBytes) body = call_finish (self, result, qoima_ismpt_client_cises_info_async, error);

  if (body == NULL)
    return NULL;
  return parse_answer (body, JSON_NODE_ARRAY, error);
}

void
qoima_ismpt_client_catalog_card_async (QoimaIsmptClient    *self,
                                       const char          *gtin,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  Call *call;

  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));
  g_return_if_fail (gtin != NULL);

  call = call_new (QOIMA_ISMPT_OP_CATALOG_CARD);
  call->id = g_strdup (gtin);
  call_async (self, call, qoima_ismpt_client_catalog_card_async, cancellable, callback, user_data);
}

JsonNode *
qoima_ismpt_client_catalog_card_finish (QoimaIsmptClient  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_autoptr(GBytes) body = call_finish (self, result, qoima_ismpt_client_catalog_card_async, error);

  if (body == NULL)
    return NULL;
  return parse_answer (body, JSON_NODE_ARRAY, error);
}

/* Registration (issue 12) */

static void
registration_sent_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = call_finish (QOIMA_ISMPT_CLIENT (source), result, registration_sent_cb, &error);
  JsonNode *node = body != NULL ? parse_answer (body, JSON_NODE_OBJECT, &error) : NULL;

  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static void
registration_signed_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  QoimaIsmptClient *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *b64 = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  char *json;
  Call *call;

  cms = qoima_signer_sign_finish (QOIMA_SIGNER (source), result, &error);
  if (cms == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  b64 = g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, b64);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = qoima_json_to_string (root);

  call = call_new (QOIMA_ISMPT_OP_REGISTRATION_CREATE);
  call->body = g_bytes_new_take (json, strlen (json));
  call_async (self, call, registration_sent_cb, cancellable, registration_sent_cb, g_steal_pointer (&task));
}

void
qoima_ismpt_client_send_registration_async (QoimaIsmptClient    *self,
                                            const char          *draft_json,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) content = NULL;

  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));
  g_return_if_fail (draft_json != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_ismpt_client_send_registration_async);
  if (self->auth_signer == NULL)
    {
      g_task_return_new_error (task, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED,
                               _("Choose the AUTH key to sign the registration request."));
      return;
    }
  /* R001-3: the request is signed with the AUTH key, its content attached. */
  content = g_bytes_new (draft_json, strlen (draft_json));
  qoima_signer_sign_async (self->auth_signer, content, QOIMA_SIGN_ATTACHED, QOIMA_KEY_PURPOSE_AUTH,
                           cancellable, registration_signed_cb, g_steal_pointer (&task));
}

JsonNode *
qoima_ismpt_client_send_registration_finish (QoimaIsmptClient  *self,
                                             GAsyncResult      *result,
                                             GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qoima_ismpt_client_registration_status_async (QoimaIsmptClient    *self,
                                              const char          *id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  Call *call;

  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));
  g_return_if_fail (id != NULL);

  call = call_new (QOIMA_ISMPT_OP_REGISTRATION_STATUS);
  call->id = g_strdup (id);
  call_async (self, call, qoima_ismpt_client_registration_status_async, cancellable, callback, user_data);
}

JsonNode *
qoima_ismpt_client_registration_status_finish (QoimaIsmptClient  *self,
                                               GAsyncResult      *result,
                                               GError           **error)
{
  g_autoptr(GBytes) body = call_finish (self, result, qoima_ismpt_client_registration_status_async, error);

  if (body == NULL)
    return NULL;
  return parse_answer (body, JSON_NODE_OBJECT, error);
}

/* R000-2: the standard connection contract, signed by the head */

typedef struct {
  char *id;
} ContractData;

static void
contract_data_free (gpointer data)
{
  ContractData *contract = data;

  g_free (contract->id);
  g_free (contract);
}

static void
contract_sent_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = call_finish (QOIMA_ISMPT_CLIENT (source), result, contract_sent_cb, &error);
  JsonNode *node = body != NULL ? parse_answer (body, JSON_NODE_OBJECT, &error) : NULL;

  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static void
contract_signed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  QoimaIsmptClient *self = g_task_get_source_object (task);
  ContractData *contract = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = qoima_signer_sign_finish (QOIMA_SIGNER (source), result, &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *b64 = NULL;
  GCancellable *cancellable;
  char *json;
  Call *call;

  if (cms == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  b64 = g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, b64);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = qoima_json_to_string (root);

  call = call_new (QOIMA_ISMPT_OP_REGISTRATION_CONTRACT);
  call->id = g_strdup (contract->id);
  call->body = g_bytes_new_take (json, strlen (json));
  cancellable = g_task_get_cancellable (task);
  call_async (self, call, contract_sent_cb, cancellable, contract_sent_cb, g_steal_pointer (&task));
}

void
qoima_ismpt_client_sign_registration_contract_async (QoimaIsmptClient    *self,
                                                     const char          *id,
                                                     const char          *contract_json,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) content = NULL;
  ContractData *contract;

  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (contract_json != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_ismpt_client_sign_registration_contract_async);
  contract = g_new0 (ContractData, 1);
  contract->id = g_strdup (id);
  g_task_set_task_data (task, contract, contract_data_free);
  if (self->auth_signer == NULL)
    {
      g_task_return_new_error (task, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED,
                               _("Choose the head’s AUTH key to sign the contract."));
      return;
    }
  /* The same signer as the request's: the head's key, the document attached. */
  content = g_bytes_new (contract_json, strlen (contract_json));
  qoima_signer_sign_async (self->auth_signer, content, QOIMA_SIGN_ATTACHED, QOIMA_KEY_PURPOSE_AUTH,
                           cancellable, contract_signed_cb, g_steal_pointer (&task));
}

JsonNode *
qoima_ismpt_client_sign_registration_contract_finish (QoimaIsmptClient  *self,
                                                      GAsyncResult      *result,
                                                      GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
