/* qoima-json.h: typed, NULL-safe JSON accessors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define QOIMA_JSON_ERROR (qoima_json_error_quark ())

/**
 * QoimaJsonError:
 * @QOIMA_JSON_ERROR_INVALID: the text is empty or not JSON
 * @QOIMA_JSON_ERROR_TOO_LARGE: the text is longer than %QOIMA_JSON_MAX_SIZE
 * @QOIMA_JSON_ERROR_TOO_DEEP: arrays and objects nest deeper than %QOIMA_JSON_MAX_DEPTH
 * @QOIMA_JSON_ERROR_BAD_NUMBER: a member that must be a whole number in a range is not
 */
typedef enum {
  QOIMA_JSON_ERROR_INVALID,
  QOIMA_JSON_ERROR_TOO_LARGE,
  QOIMA_JSON_ERROR_TOO_DEEP,
  QOIMA_JSON_ERROR_BAD_NUMBER,
} QoimaJsonError;

/* json-glib parses recursively: text from outside is refused beyond these before parsing,
 * so a hostile answer cannot exhaust the stack or the memory. No answer of ИС МПТ, НКТ or
 * NCALayer nests deeper than a handful of levels or comes near the size. */
#define QOIMA_JSON_MAX_DEPTH 64
#define QOIMA_JSON_MAX_SIZE  (64 * 1024 * 1024)

GQuark      qoima_json_error_quark (void);

/* Each returns the member when it exists and has the asked type, else the fallback or NULL;
 * never a critical, so an unexpected answer from a server is an error, not a crash. */
const char *qoima_json_get_string  (JsonObject *object, const char *member);
/* The fallback too when the member is a number that is not a whole gint64 (1.5, 1e300). */
gint64      qoima_json_get_int     (JsonObject *object, const char *member, gint64 fallback);
gboolean    qoima_json_get_boolean (JsonObject *object, const char *member, gboolean fallback);
JsonObject *qoima_json_get_object  (JsonObject *object, const char *member);
JsonArray  *qoima_json_get_array   (JsonObject *object, const char *member);
/* The element at @index of @array as an object, or NULL. */
JsonObject *qoima_json_array_get_object (JsonArray *array, guint index);
/* The element at @index of @array as a string, or NULL. */
const char *qoima_json_array_get_string (JsonArray *array, guint index);

/**
 * qoima_json_get_int_checked:
 * @value: (inout): left as it is when @member is absent or null, so it holds the default
 *
 * Reads a whole number that must lie in [@min, @max]. A string, a fraction, a number out
 * of the range (1e300, 5000000000 for an int) is refused with QOIMA_JSON_ERROR_BAD_NUMBER
 * naming the member, never cast. (json-glib 1.6 reads an integer literal beyond gint64 as
 * a negative number, so a range from 0 refuses those too.)
 */
gboolean    qoima_json_get_int_checked (JsonObject  *object,
                                        const char  *member,
                                        gint64       min,
                                        gint64       max,
                                        gint64      *value,
                                        GError     **error);

/* Serialises @node compactly. */
char       *qoima_json_to_string   (JsonNode *node);

/**
 * qoima_json_parse_bounded:
 * @data: JSON text from outside (a server, NCALayer, a request body)
 * @length: its length, or -1 when it ends with a NUL
 *
 * The one way JSON from outside is parsed: text longer than %QOIMA_JSON_MAX_SIZE, or with
 * arrays and objects nested deeper than %QOIMA_JSON_MAX_DEPTH, is refused before json-glib
 * sees it (QOIMA_JSON_ERROR_TOO_LARGE, _TOO_DEEP); empty or broken text is
 * QOIMA_JSON_ERROR_INVALID.
 *
 * Returns: (transfer full): the root node, or %NULL with @error set
 */
JsonNode   *qoima_json_parse_bounded (const char  *data,
                                      gssize       length,
                                      GError     **error);
/* qoima_json_parse_bounded() on @bytes. */
JsonNode   *qoima_json_parse_bytes (GBytes *bytes, GError **error);

G_END_DECLS
