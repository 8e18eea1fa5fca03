/* qoima-stand-jwt.h: the stand's stateless tokens (JWT, HS256)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* base64url without padding, as JWT wants it. */
char       *qoima_stand_base64url_encode (const guint8 *data,
                                          gsize         len);
GBytes     *qoima_stand_base64url_decode (const char    *text,
                                          GError       **error);

/**
 * qoima_stand_jwt_encode:
 * @secret: the HMAC key
 * @payload: the claims
 *
 * Returns: (transfer full): "header.payload.signature"
 */
char       *qoima_stand_jwt_encode (GBytes     *secret,
                                    JsonObject *payload);

/**
 * qoima_stand_jwt_verify:
 * @secret: the HMAC key
 * @token: a token made by qoima_stand_jwt_encode()
 * @now: seconds since the epoch; a token whose `exp` is not after @now is refused
 *
 * Returns: (transfer full): the claims, or %NULL with @error set
 */
JsonObject *qoima_stand_jwt_verify (GBytes      *secret,
                                    const char  *token,
                                    gint64       now,
                                    GError     **error);

G_END_DECLS
