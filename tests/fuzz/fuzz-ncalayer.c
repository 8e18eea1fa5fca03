/* fuzz-ncalayer.c: NCALayer's answers, as the NCALayer signer reads them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A WebSocket peer in this process plays NCALayer. The first byte chooses: bit 0, the input
 * is NCALayer's greeting (else the greeting is the usual one and the input is the answer to
 * `basics.sign`); bit 1, an attached signature is asked for (else a detached one).
 */

#include "config.h"

#include "qoima-fuzz.h"
#include "qoima-signer-ncalayer.h"

#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

static SoupServer *peer;
static char *url;
static GPtrArray *connections;

static gboolean input_is_greeting;
static GBytes *input;

static void
send_text (SoupWebsocketConnection *connection,
           GBytes                  *text)
{
  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_message (connection, SOUP_WEBSOCKET_DATA_TEXT, text);
}

static void
peer_message_cb (SoupWebsocketConnection *connection,
                 int                      type,
                 GBytes                  *message,
                 gpointer                 user_data)
{
  /* Whatever the signer asks, the answer is the input (heartbeats are answered alike), then
   * a refusal: an input the signer rightly waits past (a heartbeat, as NCALayer sends while
   * its user chooses a key) would otherwise hang the run, since this peer has no user to
   * finish. After a fuzzed greeting, the refusal alone. */
  static const char refusal[] = "{\"status\":false,\"code\":\"SIGNING_FAILURE\",\"message\":\"fuzz\"}";
  g_autoptr(GBytes) usual = g_bytes_new_static (refusal, strlen (refusal));

  if (!input_is_greeting)
    send_text (connection, input);
  send_text (connection, usual);
}

static void
peer_websocket_cb (SoupServer              *server,
                   SoupServerMessage       *message,
                   const char              *path,
                   SoupWebsocketConnection *connection,
                   gpointer                 user_data)
{
  static const char greeting[] = "{\"result\":{\"version\":\"1.4.0-fuzz\"}}";
  g_autoptr(GBytes) usual = g_bytes_new_static (greeting, strlen (greeting));

  g_ptr_array_add (connections, g_object_ref (connection));
  g_signal_connect (connection, "message", G_CALLBACK (peer_message_cb), NULL);
  send_text (connection, input_is_greeting ? input : usual);
}

static void
signed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GError) error = NULL;

  cms = qoima_signer_sign_finish (QOIMA_SIGNER (source), result, &error);
  if ((cms == NULL) == (error == NULL))
    abort ();
  *done = TRUE;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  qoima_fuzz_init ();
  connections = g_ptr_array_new_with_free_func (g_object_unref);
  peer = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (peer, "/", NULL, NULL, peer_websocket_cb, NULL, NULL);
  if (!soup_server_listen_local (peer, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("%s", error->message);
  uris = soup_server_get_uris (peer);
  url = g_strdup_printf ("ws://127.0.0.1:%d/", g_uri_get_port (uris->data));
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char document[] = "{\"document_format\":\"MANUAL\"}";
  g_autoptr(QoimaSignerNcalayer) signer = NULL;
  g_autoptr(GBytes) to_sign = NULL;
  gboolean done = FALSE;

  /* A WebSocket text message is UTF-8, or libsoup closes the connection before any reader. */
  if (size < 1 || !g_utf8_validate ((const char *) data + 1, size - 1, NULL))
    return -1;
  input_is_greeting = data[0] & 1;
  input = g_bytes_new (data + 1, size - 1);
  to_sign = g_bytes_new_static (document, sizeof document - 1);

  signer = qoima_signer_ncalayer_new (url);
  qoima_signer_ncalayer_set_heartbeat_interval (signer, 0);
  qoima_signer_sign_async (QOIMA_SIGNER (signer), to_sign,
                           data[0] & 2 ? QOIMA_SIGN_ATTACHED : QOIMA_SIGN_DETACHED,
                           QOIMA_KEY_PURPOSE_SIGNING, NULL, signed_cb, &done);
  qoima_fuzz_wait (&done, 20);

  for (guint i = 0; i < connections->len; i++)
    if (soup_websocket_connection_get_state (g_ptr_array_index (connections, i)) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (g_ptr_array_index (connections, i), SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_ptr_array_set_size (connections, 0);
  g_clear_pointer (&input, g_bytes_unref);
  return 0;
}
