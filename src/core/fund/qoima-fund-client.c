/* qoima-fund-client.c: the license service and the Fund's portal, over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-fund"

#include "config.h"

#include "qoima-fund-client.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "qoima-json.h"

/* How long a request «В обработке» is left before it is asked about again. */
#define ASK_AGAIN_MS 300

struct _QoimaFundClient
{
  GObject parent_instance;

  char *base_url;
  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (QoimaFundClient, qoima_fund_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (qoima-fund-client-error-quark, qoima_fund_client_error)

static void
qoima_fund_client_finalize (GObject *object)
{
  QoimaFundClient *self = QOIMA_FUND_CLIENT (object);

  g_free (self->base_url);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (qoima_fund_client_parent_class)->finalize (object);
}

static void
qoima_fund_client_class_init (QoimaFundClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = qoima_fund_client_finalize;
}

static void
qoima_fund_client_init (QoimaFundClient *self)
{
  self->session = soup_session_new_with_options ("timeout", 60, NULL);
}

QoimaFundClient *
qoima_fund_client_new (const char *base_url)
{
  QoimaFundClient *self = g_object_new (QOIMA_TYPE_FUND_CLIENT, NULL);

  self->base_url = g_strdup (base_url);
  while (g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
  return self;
}

char *
qoima_fund_client_url_for_stand (const char  *stand,
                                 GVariant    *urls,
                                 const char  *ismpt_url,
                                 GError     **error)
{
  const char *url = NULL;
  const char *api;

  g_return_val_if_fail (stand != NULL, NULL);
  g_return_val_if_fail (urls == NULL || g_variant_is_of_type (urls, G_VARIANT_TYPE ("a{ss}")), NULL);

  if (urls != NULL && g_variant_lookup (urls, stand, "&s", &url) && url[0] != '\0')
    return g_strdup (url);
  if (g_str_equal (stand, "local"))
    {
      if (ismpt_url == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("The Fund’s portal cannot be reached: ИС МПТ is not connected yet."));
          return NULL;
        }
      /* The local stand serves the license service and the Fund beside the True API. */
      api = strstr (ismpt_url, "/api/");
      return api != NULL ? g_strndup (ismpt_url, (gsize) (api - ismpt_url)) : g_strdup (ismpt_url);
    }
  /* No public address of the Fund's services is known (wizards-and-copay.md §6): none is
   * guessed for the real stands. */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
               _("The Fund’s address for the “%s” stand is not set: give it in the fund-urls setting."), stand);
  return NULL;
}

void
qoima_fund_decision_free (QoimaFundDecision *decision)
{
  if (decision == NULL)
    return;
  g_strfreev (decision->reasons);
  g_free (decision->note);
  g_free (decision->excluded_at);
  g_free (decision);
}

/* One JSON call: @then runs with the answer, in the task's context. */
typedef void (*ThenFunc) (GTask *task, JsonNode *answer);

typedef struct {
  ThenFunc then;
  SoupMessage *msg;
  char *bin;
  char *again; /* the request's path, while it is «В обработке» */
} Call;

static void
call_free (Call *call)
{
  g_clear_object (&call->msg);
  g_free (call->bin);
  g_free (call->again);
  g_free (call);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonNode) answer = NULL;
  guint status;

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (call->msg);
  answer = qoima_json_parse_bytes (bytes, &error);
  if (status < 200 || status >= 300)
    {
      const char *message = answer != NULL && JSON_NODE_HOLDS_OBJECT (answer)
                            ? qoima_json_get_string (json_node_get_object (answer), "error_message") : NULL;
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The Fund's service answered %u: %s"), status,
                               message != NULL ? message : soup_message_get_reason_phrase (call->msg));
      return;
    }
  if (answer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  call->then (task, answer);
}

static void
call (QoimaFundClient *self,
      GTask           *task,
      const char      *method,
      const char      *path,
      JsonNode        *body,
      ThenFunc         then)
{
  Call *data = g_task_get_task_data (task);
  g_autofree char *url = g_strconcat (self->base_url, path, NULL);

  data->then = then;
  g_clear_object (&data->msg);
  data->msg = soup_message_new (method, url);
  if (data->msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("%s is not a valid address."), url);
      return;
    }
  if (body != NULL)
    {
      char *text = qoima_json_to_string (body);
      gsize length = strlen (text);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, length);

      soup_message_set_request_body_from_bytes (data->msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (self->session, data->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), sent_cb, g_object_ref (task));
}

static GTask *
new_task (QoimaFundClient     *self,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_new0 (Call, 1), (GDestroyNotify) call_free);
  return task;
}

static void
licenses_got (GTask    *task,
              JsonNode *answer)
{
  g_autoptr(GPtrArray) licenses = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_license_free);
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (answer))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The license service's answer is not a list of licenses."));
      return;
    }
  array = json_node_get_array (answer);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = qoima_json_array_get_object (array, i);
      QoimaFundLicense *license = object != NULL ? qoima_fund_license_from_json (object, NULL) : NULL;

      if (license != NULL)
        g_ptr_array_add (licenses, license);
    }
  g_task_return_pointer (task, g_steal_pointer (&licenses), (GDestroyNotify) g_ptr_array_unref);
}

static void request_state_got (GTask    *task,
                               JsonNode *answer);

static gboolean
ask_again (gpointer user_data)
{
  GTask *task = user_data;
  Call *data = g_task_get_task_data (task);

  if (!g_task_return_error_if_cancelled (task))
    call (g_task_get_source_object (task), task, "GET", data->again, NULL, request_state_got);
  return G_SOURCE_REMOVE;
}

static void
request_state_got (GTask    *task,
                   JsonNode *answer)
{
  QoimaFundClient *self = g_task_get_source_object (task);
  Call *data = g_task_get_task_data (task);
  const char *label = JSON_NODE_HOLDS_OBJECT (answer) ? qoima_json_get_string (json_node_get_object (answer), "state") : NULL;
  QoimaFundRequestState state;
  g_autofree char *path = NULL;

  if (!qoima_fund_request_state_from_label (label, &state) || state == QOIMA_FUND_REQUEST_FAILED)
    {
      g_task_return_new_error (task, QOIMA_FUND_CLIENT_ERROR, QOIMA_FUND_CLIENT_ERROR_REQUEST_FAILED,
                               _("The license request for %s ended in «%s»: check the licenses on elicense.kz."),
                               data->bin, label != NULL ? label : "?");
      return;
    }
  if (state == QOIMA_FUND_REQUEST_PROCESSING)
    {
      /* Asked again shortly; the service processes within seconds. */
      g_free (data->again);
      data->again = g_strdup_printf ("/elicense/requests/%s",
                                     qoima_json_get_string (json_node_get_object (answer), "id"));
      {
        /* In the task's own context, as its answer is. */
        g_autoptr(GSource) source = g_timeout_source_new (ASK_AGAIN_MS);

        g_source_set_callback (source, ask_again, g_object_ref (task), g_object_unref);
        g_source_attach (source, g_task_get_context (task));
      }
      return;
    }
  {
    g_autofree char *escaped = g_uri_escape_string (data->bin, NULL, FALSE);
    path = g_strdup_printf ("/elicense/licenses?bin=%s", escaped);
  }
  call (self, task, "GET", path, NULL, licenses_got);
}

static void
request_made (GTask    *task,
              JsonNode *answer)
{
  QoimaFundClient *self = g_task_get_source_object (task);
  const char *id = JSON_NODE_HOLDS_OBJECT (answer) ? qoima_json_get_string (json_node_get_object (answer), "id") : NULL;
  g_autofree char *path = NULL;

  if (id == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The license service did not number the request."));
      return;
    }
  path = g_strdup_printf ("/elicense/requests/%s", id);
  call (self, task, "GET", path, NULL, request_state_got);
}

void
qoima_fund_client_get_licenses_async (QoimaFundClient     *self,
                                      const char          *bin,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  g_return_if_fail (QOIMA_IS_FUND_CLIENT (self));
  g_return_if_fail (bin != NULL);

  task = new_task (self, qoima_fund_client_get_licenses_async, cancellable, callback, user_data);
  ((Call *) g_task_get_task_data (task))->bin = g_strdup (bin);
  json_object_set_string_member (object, "bin", bin);
  json_node_take_object (body, object);
  call (self, task, "POST", "/elicense/requests", body, request_made);
  g_object_unref (task); /* the call holds its own reference */
}

GPtrArray *
qoima_fund_client_get_licenses_finish (QoimaFundClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
submitted (GTask    *task,
           JsonNode *answer)
{
  const char *id = JSON_NODE_HOLDS_OBJECT (answer) ? qoima_json_get_string (json_node_get_object (answer), "id") : NULL;

  if (id == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             _("The Fund did not number the application."));
  else
    g_task_return_pointer (task, g_strdup (id), g_free);
}

void
qoima_fund_client_submit_async (QoimaFundClient            *self,
                                const QoimaFundApplication *app,
                                GCancellable               *cancellable,
                                GAsyncReadyCallback         callback,
                                gpointer                    user_data)
{
  GTask *task;
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  g_return_if_fail (QOIMA_IS_FUND_CLIENT (self));

  task = new_task (self, qoima_fund_client_submit_async, cancellable, callback, user_data);
  json_object_set_member (object, "application", qoima_fund_application_to_json (app));
  json_object_set_string_member (object, "region", app->region != NULL ? app->region : "");
  json_object_set_int_member (object, "version", app->version);
  json_node_take_object (body, object);
  call (self, task, "POST", "/fsms/applications", body, submitted);
  g_object_unref (task); /* the call holds its own reference */
}

char *
qoima_fund_client_submit_finish (QoimaFundClient  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
decision_got (GTask    *task,
              JsonNode *answer)
{
  g_autoptr(QoimaFundDecision) decision = g_new0 (QoimaFundDecision, 1);
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  const char *label = object != NULL ? qoima_json_get_string (object, "status") : NULL;
  JsonArray *reasons = object != NULL ? qoima_json_get_array (object, "reasons") : NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (!qoima_fund_status_from_label (label, &decision->status))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The Fund gave an unknown status: %s"), label != NULL ? label : "?");
      return;
    }
  for (guint i = 0; reasons != NULL && i < json_array_get_length (reasons); i++)
    if (qoima_json_array_get_string (reasons, i) != NULL)
      g_strv_builder_add (builder, qoima_json_array_get_string (reasons, i));
  decision->reasons = g_strv_builder_end (builder);
  decision->note = g_strdup (qoima_json_get_string (object, "note"));
  decision->excluded_at = g_strdup (qoima_json_get_string (object, "excluded_at"));
  g_task_return_pointer (task, g_steal_pointer (&decision), (GDestroyNotify) qoima_fund_decision_free);
}

void
qoima_fund_client_get_decision_async (QoimaFundClient     *self,
                                      const char          *fund_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (QOIMA_IS_FUND_CLIENT (self));
  g_return_if_fail (fund_id != NULL);

  task = new_task (self, qoima_fund_client_get_decision_async, cancellable, callback, user_data);
  escaped = g_uri_escape_string (fund_id, NULL, FALSE);
  path = g_strdup_printf ("/fsms/applications/%s", escaped);
  call (self, task, "GET", path, NULL, decision_got);
  g_object_unref (task); /* the call holds its own reference */
}

QoimaFundDecision *
qoima_fund_client_get_decision_finish (QoimaFundClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
