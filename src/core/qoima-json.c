/* qoima-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-json"

#include "config.h"

#include "qoima-json.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (qoima-json-error-quark, qoima_json_error)

static JsonNode *
get_member (JsonObject *object,
            const char *member)
{
  if (object == NULL || member == NULL)
    return NULL;
  return json_object_get_member (object, member);
}

const char *
qoima_json_get_string (JsonObject *object,
                       const char *member)
{
  JsonNode *node = get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
qoima_json_get_int (JsonObject *object,
                    const char *member,
                    gint64      fallback)
{
  JsonNode *node = get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double number = json_node_get_double (node);

      /* Casting a double outside gint64 is undefined: such a number is no count. 2^63
       * itself does not fit, hence the strict upper bound. */
      if (isfinite (number) && number == floor (number) &&
          number >= -9223372036854775808.0 && number < 9223372036854775808.0)
        return (gint64) number;
    }
  return fallback;
}

gboolean
qoima_json_get_int_checked (JsonObject  *object,
                            const char  *member,
                            gint64       min,
                            gint64       max,
                            gint64      *value,
                            GError     **error)
{
  JsonNode *node = get_member (object, member);
  gint64 number;

  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (min <= max, FALSE);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    number = json_node_get_int (node);
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double real = json_node_get_double (node);

      if (!isfinite (real) || real != floor (real) ||
          real < -9223372036854775808.0 || real >= 9223372036854775808.0)
        {
          g_set_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_BAD_NUMBER,
                       _("“%s” is %g, not a whole number from %lld to %lld"),
                       member, real, (long long) min, (long long) max);
          return FALSE;
        }
      number = (gint64) real;
    }
  else
    {
      g_set_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_BAD_NUMBER,
                   _("“%s” is not a number"), member);
      return FALSE;
    }

  if (number < min || number > max)
    {
      g_set_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_BAD_NUMBER,
                   _("“%s” is %lld, outside %lld to %lld"),
                   member, (long long) number, (long long) min, (long long) max);
      return FALSE;
    }
  *value = number;
  return TRUE;
}

gboolean
qoima_json_get_boolean (JsonObject *object,
                        const char *member,
                        gboolean    fallback)
{
  JsonNode *node = get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

JsonObject *
qoima_json_get_object (JsonObject *object,
                       const char *member)
{
  JsonNode *node = get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

JsonArray *
qoima_json_get_array (JsonObject *object,
                      const char *member)
{
  JsonNode *node = get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

JsonObject *
qoima_json_array_get_object (JsonArray *array,
                             guint      index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, index);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const char *
qoima_json_array_get_string (JsonArray *array,
                             guint      index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, index);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

char *
qoima_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* Whether arrays and objects in @data nest deeper than @max_depth. Brackets count only
 * where json-glib's scanner reads them as brackets: not inside "strings" (with \ escapes),
 * 'strings' (json-glib accepts them, without escapes) or comments. Anything after the
 * root value is counted too, which can only refuse more. */
static gboolean
nests_deeper_than (const char *data,
                   gsize       size,
                   unsigned    max_depth)
{
  unsigned depth = 0;

  for (gsize i = 0; i < size; i++)
    {
      switch (data[i])
        {
        case '[':
        case '{':
          if (++depth > max_depth)
            return TRUE;
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        case '"':
          for (i++; i < size && data[i] != '"'; i++)
            if (data[i] == '\\')
              i++;
          break;
        case '\'':
          for (i++; i < size && data[i] != '\''; i++)
            ;
          break;
        case '/':
          if (i + 1 < size && data[i + 1] == '*')
            {
              for (i += 2; i + 1 < size && !(data[i] == '*' && data[i + 1] == '/'); i++)
                ;
              i++;
            }
          break;
        default:
          break;
        }
    }
  return FALSE;
}

JsonNode *
qoima_json_parse_bounded (const char  *data,
                          gssize       length,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize size;

  if (data == NULL)
    length = 0;
  size = length < 0 ? strlen (data) : (gsize) length;

  if (size > QOIMA_JSON_MAX_SIZE)
    {
      g_autofree char *limit = g_format_size (QOIMA_JSON_MAX_SIZE);

      g_set_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_TOO_LARGE,
                   _("The answer is larger than %s"), limit);
      return NULL;
    }
  if (nests_deeper_than (data, size, QOIMA_JSON_MAX_DEPTH))
    {
      g_set_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_TOO_DEEP,
                   _("The answer is nested more than %d levels deep"), QOIMA_JSON_MAX_DEPTH);
      return NULL;
    }

  parser = json_parser_new ();
  if (size == 0 || !json_parser_load_from_data (parser, data, size, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      if (local_error != NULL)
        g_set_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_INVALID, "%s", local_error->message);
      else
        g_set_error_literal (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_INVALID, _("The answer is empty"));
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

JsonNode *
qoima_json_parse_bytes (GBytes  *bytes,
                        GError **error)
{
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  return qoima_json_parse_bounded (data, size, error);
}
