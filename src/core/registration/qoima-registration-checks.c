/* qoima-registration-checks.c: the wizard's requirements (R001-2, R000-5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-registration"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "qoima-registration-checks.h"

#define CHECK_TIMEOUT_SECONDS 5

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                               _("NCALayer does not answer (%s)."), error->message);
      return;
    }
  /* Only whether it listens: NCALayer's own TLS and greeting are the signer's business. */
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_task_return_boolean (task, TRUE);
}

void
qoima_registration_check_ncalayer_async (const char          *url,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GError) error = NULL;
  GTask *task;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_registration_check_ncalayer_async);
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_port (uri) <= 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not an address of NCALayer."), url);
      g_object_unref (task);
      return;
    }
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, CHECK_TIMEOUT_SECONDS);
  g_socket_client_connect_to_host_async (client, g_uri_get_host (uri), g_uri_get_port (uri),
                                         cancellable, connected_cb, task);
}

gboolean
qoima_registration_check_ncalayer_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
  SoupSession *session;
  SoupMessage *message;
  gint64       skew;
} ClockData;

static void
clock_data_free (ClockData *data)
{
  g_clear_object (&data->message);
  g_clear_object (&data->session);
  g_free (data);
}

static void
clock_answered_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ClockData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const char *header;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The stand does not answer (%s)."), error->message);
      return;
    }
  /* Any answer carries the server's Date, a 404 as well as a 200. */
  header = soup_message_headers_get_one (soup_message_get_response_headers (data->message), "Date");
  date = header != NULL ? soup_date_time_new_from_http_string (header) : NULL;
  if (date == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The stand’s answer has no date to compare the clock with."));
      return;
    }
  data->skew = g_date_time_difference (now, date) / G_TIME_SPAN_SECOND;
  g_task_return_boolean (task, TRUE);
}

void
qoima_registration_check_clock_async (const char          *url,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  ClockData *data = g_new0 (ClockData, 1);
  GTask *task;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_registration_check_clock_async);
  g_task_set_task_data (task, data, (GDestroyNotify) clock_data_free);
  data->message = soup_message_new (SOUP_METHOD_HEAD, url);
  if (data->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not an address of a stand."), url);
      g_object_unref (task);
      return;
    }
  data->session = soup_session_new_with_options ("timeout", CHECK_TIMEOUT_SECONDS, NULL);
  soup_session_send_and_read_async (data->session, data->message, G_PRIORITY_DEFAULT, cancellable,
                                    clock_answered_cb, task);
}

gboolean
qoima_registration_check_clock_finish (GAsyncResult  *result,
                                       gint64        *skew_seconds,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (skew_seconds != NULL)
    *skew_seconds = ((ClockData *) g_task_get_task_data (G_TASK (result)))->skew;
  return TRUE;
}
