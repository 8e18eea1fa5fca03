/* fuzz-stand-jwt.c: the stand's token reader on any token, and on any claims it signed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A token comes in every authenticated request, unchecked until this reader. The first
 * byte chooses: even, the rest is the token as sent; odd, the rest is the claims, signed
 * with the stand's secret so that the reader gets past the signature to read them.
 */

#include "config.h"

#include "qoima-fuzz.h"
#include "qoima-stand-jwt.h"

#include <stdlib.h>
#include <string.h>

static const char secret_text[] = "fuzz-secret";

static char *
signed_token (GBytes       *secret,
              const guint8 *claims,
              gsize         len)
{
  static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  g_autofree char *header_part = qoima_stand_base64url_encode ((const guint8 *) header, strlen (header));
  g_autofree char *claims_part = qoima_stand_base64url_encode (claims, len);
  g_autofree char *signing_input = g_strconcat (header_part, ".", claims_part, NULL);
  g_autofree char *signature = NULL;
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, g_bytes_get_data (secret, NULL),
                                      g_bytes_get_size (secret));
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_hmac_update (hmac, (const guchar *) signing_input, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);
  signature = qoima_stand_base64url_encode (digest, digest_len);
  return g_strconcat (signing_input, ".", signature, NULL);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  qoima_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (secret_text, strlen (secret_text));
  g_autofree char *token = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;

  if (size < 1)
    return -1;
  if (data[0] & 1)
    token = signed_token (secret, data + 1, size - 1);
  else
    token = qoima_fuzz_strndup (data + 1, size - 1);

  claims = qoima_stand_jwt_verify (secret, token, 1700000000, &error);
  if ((claims == NULL) == (error == NULL))
    abort ();
  return 0;
}
