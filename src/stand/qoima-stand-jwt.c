/* qoima-stand-jwt.c: the stand's stateless tokens (JWT, HS256)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-stand-jwt"

#include "config.h"

#include "qoima-stand-jwt.h"

#include "qoima-json.h"
#include "qoima-stand-db.h"

#include <string.h>

static const char jwt_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

static char *
sign_part (GBytes     *secret,
           const char *signing_input)
{
  g_autoptr(GHmac) hmac = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  hmac = g_hmac_new (G_CHECKSUM_SHA256, g_bytes_get_data (secret, NULL), g_bytes_get_size (secret));
  g_hmac_update (hmac, (const guchar *) signing_input, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);
  return qoima_stand_base64url_encode (digest, digest_len);
}

/* Compares in time that does not depend on where the strings differ. */
static gboolean
equal_constant_time (const char *a,
                     const char *b)
{
  gsize len_a = strlen (a);
  gsize len_b = strlen (b);
  unsigned diff = len_a != len_b;

  for (gsize i = 0; i < len_a && i < len_b; i++)
    diff |= (unsigned) (a[i] ^ b[i]);
  return diff == 0;
}

char *
qoima_stand_base64url_encode (const guint8 *data,
                              gsize         len)
{
  g_autofree char *text = g_base64_encode (data, len);
  char *p;

  for (p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return g_steal_pointer (&text);
}

GBytes *
qoima_stand_base64url_decode (const char  *text,
                              GError     **error)
{
  g_autoptr(GString) buf = g_string_new (NULL);
  guchar *data;
  gsize len = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '-')
        g_string_append_c (buf, '+');
      else if (*p == '_')
        g_string_append_c (buf, '/');
      else if (g_ascii_isalnum (*p))
        g_string_append_c (buf, *p);
      else
        {
          g_set_error_literal (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID,
                               "Invalid base64url");
          return NULL;
        }
    }
  while (buf->len % 4 != 0)
    g_string_append_c (buf, '=');
  data = g_base64_decode (buf->str, &len);
  return g_bytes_new_take (data, len);
}

char *
qoima_stand_jwt_encode (GBytes     *secret,
                        JsonObject *payload)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *payload_json = NULL;
  g_autofree char *header_part = NULL;
  g_autofree char *payload_part = NULL;
  g_autofree char *signing_input = NULL;
  g_autofree char *signature = NULL;

  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (payload != NULL, NULL);

  json_node_set_object (node, payload);
  payload_json = json_to_string (node, FALSE);
  header_part = qoima_stand_base64url_encode ((const guint8 *) jwt_header, strlen (jwt_header));
  payload_part = qoima_stand_base64url_encode ((const guint8 *) payload_json, strlen (payload_json));
  signing_input = g_strconcat (header_part, ".", payload_part, NULL);
  signature = sign_part (secret, signing_input);
  return g_strconcat (signing_input, ".", signature, NULL);
}

JsonObject *
qoima_stand_jwt_verify (GBytes      *secret,
                        const char  *token,
                        gint64       now,
                        GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *signing_input = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *claims;
  gint64 expires = 0;

  g_return_val_if_fail (secret != NULL, NULL);

  if (token == NULL || (parts = g_strsplit (token, ".", 4)) == NULL || g_strv_length (parts) != 3)
    {
      g_set_error_literal (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID, "Malformed token");
      return NULL;
    }
  signing_input = g_strconcat (parts[0], ".", parts[1], NULL);
  expected = sign_part (secret, signing_input);
  if (!equal_constant_time (expected, parts[2]))
    {
      g_set_error_literal (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID, "Bad token signature");
      return NULL;
    }
  payload = qoima_stand_base64url_decode (parts[1], error);
  if (payload == NULL)
    return NULL;
  root = qoima_json_parse_bytes (payload, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID, "Token payload is not an object");
      return NULL;
    }
  claims = json_node_get_object (root);
  if (!qoima_json_get_int_checked (claims, "exp", 0, G_MAXINT64, &expires, NULL) || expires <= now)
    {
      g_set_error_literal (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID, "Token expired");
      return NULL;
    }
  return json_object_ref (claims);
}
