/* qoima-json.h: typed, NULL-safe JSON accessors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Each returns the member when it exists and has the asked type, else the fallback or NULL;
 * never a critical, so an unexpected answer from a server is an error, not a crash. */
const char *qoima_json_get_string  (JsonObject *object, const char *member);
gint64      qoima_json_get_int     (JsonObject *object, const char *member, gint64 fallback);
gboolean    qoima_json_get_boolean (JsonObject *object, const char *member, gboolean fallback);
JsonObject *qoima_json_get_object  (JsonObject *object, const char *member);
JsonArray  *qoima_json_get_array   (JsonObject *object, const char *member);
/* The element at @index of @array as an object, or NULL. */
JsonObject *qoima_json_array_get_object (JsonArray *array, guint index);
/* The element at @index of @array as a string, or NULL. */
const char *qoima_json_array_get_string (JsonArray *array, guint index);

/* Serialises @node compactly. */
char       *qoima_json_to_string   (JsonNode *node);
/* Parses @bytes; NULL with a G_IO_ERROR_INVALID_DATA error on broken JSON. */
JsonNode   *qoima_json_parse_bytes (GBytes *bytes, GError **error);

G_END_DECLS
