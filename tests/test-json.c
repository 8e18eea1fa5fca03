/* test-json.c: the bounded parser and the checked number reader every outside JSON goes through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-json.h"

#include <string.h>

/* @depth nested arrays, closed: "[[…]]". */
static char *
nested_arrays (int depth)
{
  GString *text = g_string_sized_new (2 * depth);

  for (int i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (int i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

static void
test_depth_boundary (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *at_limit = nested_arrays (QOIMA_JSON_MAX_DEPTH);
  g_autofree char *over_limit = nested_arrays (QOIMA_JSON_MAX_DEPTH + 1);
  g_autoptr(JsonNode) ok = NULL;
  g_autoptr(JsonNode) refused = NULL;

  g_assert_cmpint (QOIMA_JSON_MAX_DEPTH, ==, 64);
  ok = qoima_json_parse_bounded (at_limit, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (ok));

  refused = qoima_json_parse_bounded (over_limit, -1, &error);
  g_assert_null (refused);
  g_assert_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_TOO_DEEP);
}

/* The reproducer: json-glib recursed once per level and overflowed the stack. */
static void
test_hundred_thousand_levels (void)
{
  g_autofree char *open = g_strnfill (100000, '[');
  g_autofree char *objects = NULL;
  g_autoptr(GString) mixed = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = qoima_json_parse_bounded (open, -1, &error);
  g_assert_null (node);
  g_assert_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);

  for (int i = 0; i < 100000; i++)
    g_string_append (mixed, "{\"a\":");
  node = qoima_json_parse_bounded (mixed->str, mixed->len, &error);
  g_assert_null (node);
  g_assert_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_TOO_DEEP);
}

/* Brackets are counted where the scanner reads them as brackets, and nowhere else; a quote
 * inside a comment or a 'string' must not hide the brackets after it. */
static void
test_brackets_in_strings_and_comments (void)
{
  g_autofree char *deep = nested_arrays (QOIMA_JSON_MAX_DEPTH + 1);
  g_autofree char *many_in_string = g_strdup_printf ("[\"%s\", \"\\\"[[[\"]", deep);
  /* What comes before the deep arrays; a ] after them closes the opened array. */
  const char *hiders[] = { "/* \" */ ", "['\"', ", "[\"\\\\\", ", "/* ' */ " };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  /* 65 brackets inside a string are text. */
  node = qoima_json_parse_bounded (many_in_string, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (node), 0), ==, deep);

  for (gsize i = 0; i < G_N_ELEMENTS (hiders); i++)
    {
      g_autofree char *text = g_strconcat (hiders[i], deep, hiders[i][0] == '[' ? "]" : "", NULL);
      g_autoptr(JsonNode) hidden = NULL;

      g_test_message ("%s", hiders[i]);
      hidden = qoima_json_parse_bounded (text, -1, &error);
      g_assert_null (hidden);
      g_assert_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_TOO_DEEP);
      g_clear_error (&error);
    }
}

static void
test_size_limit (void)
{
  gsize size = QOIMA_JSON_MAX_SIZE + 1;
  g_autofree char *big = g_malloc (size + 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  /* A valid string, one byte too long: refused before a byte of it is parsed. */
  memset (big, 'a', size);
  big[0] = '"';
  big[size - 1] = '"';
  big[size] = '\0';
  node = qoima_json_parse_bounded (big, size, &error);
  g_assert_null (node);
  g_assert_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_TOO_LARGE);
}

static void
test_empty_and_broken (void)
{
  const char *texts[] = { "", "   \n", "{\"a\":", "<html>" };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = qoima_json_parse_bounded (texts[i], -1, &error);

      g_assert_null (node);
      g_assert_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_INVALID);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = qoima_json_parse_bounded (NULL, 0, &error);

    g_assert_null (node);
    g_assert_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_INVALID);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
    g_autoptr(JsonNode) node = qoima_json_parse_bytes (empty, &error);

    g_assert_null (node);
    g_assert_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_INVALID);
  }
}

static JsonObject *
object_of (const char *text,
           JsonNode  **keep)
{
  g_autoptr(GError) error = NULL;

  *keep = qoima_json_parse_bounded (text, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (*keep);
}

static void
test_int_checked (void)
{
  const struct {
    const char *text;
    gboolean ok;
    gint64 value;
  } cases[] = {
    { "{\"n\": 12}", TRUE, 12 },
    { "{\"n\": 12.0}", TRUE, 12 },
    { "{\"n\": 1.2e1}", TRUE, 12 },
    { "{\"n\": 0}", TRUE, 0 },
    { "{\"n\": 2147483647}", TRUE, G_MAXINT },
    { "{\"n\": null}", TRUE, -7 },
    { "{}", TRUE, -7 },
    { "{\"n\": 2147483648}", FALSE, -7 },
    { "{\"n\": 5000000000}", FALSE, -7 },
    { "{\"n\": 9223372036854775808}", FALSE, -7 },
    { "{\"n\": 99999999999999999999999}", FALSE, -7 },
    { "{\"n\": 1e300}", FALSE, -7 },
    { "{\"n\": -1e300}", FALSE, -7 },
    { "{\"n\": 1e400}", FALSE, -7 },
    { "{\"n\": 9223372036854775807.0}", FALSE, -7 },
    { "{\"n\": 1.5}", FALSE, -7 },
    { "{\"n\": -1}", FALSE, -7 },
    { "{\"n\": \"12\"}", FALSE, -7 },
    { "{\"n\": true}", FALSE, -7 },
    { "{\"n\": [12]}", FALSE, -7 },
    { "{\"n\": {\"n\": 12}}", FALSE, -7 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) keep = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *object = object_of (cases[i].text, &keep);
      gint64 value = -7;
      gboolean ok;

      g_test_message ("%s", cases[i].text);
      ok = qoima_json_get_int_checked (object, "n", 0, G_MAXINT, &value, &error);
      g_assert_cmpint (ok, ==, cases[i].ok);
      g_assert_cmpint (value, ==, cases[i].value);
      if (ok)
        g_assert_no_error (error);
      else
        {
          g_assert_error (error, QOIMA_JSON_ERROR, QOIMA_JSON_ERROR_BAD_NUMBER);
          /* The member is named, so the user's message says what was wrong. */
          g_assert_nonnull (strstr (error->message, "“n”"));
        }
    }
}

/* The lenient reader gives its fallback, never a cast out of range (undefined behaviour
 * that -fsanitize=float-cast-overflow reports). */
static void
test_int_lenient (void)
{
  g_autoptr(JsonNode) keep = NULL;
  JsonObject *object = object_of ("{\"huge\": 1e300, \"inf\": 1e400, \"half\": 0.5, \"n\": 3.0, \"i\": 4}", &keep);

  g_assert_cmpint (qoima_json_get_int (object, "huge", -1), ==, -1);
  g_assert_cmpint (qoima_json_get_int (object, "inf", -1), ==, -1);
  g_assert_cmpint (qoima_json_get_int (object, "half", -1), ==, -1);
  g_assert_cmpint (qoima_json_get_int (object, "n", -1), ==, 3);
  g_assert_cmpint (qoima_json_get_int (object, "i", -1), ==, 4);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/json/depth/64-read-65-refused", test_depth_boundary);
  g_test_add_func ("/json/depth/100000-levels-refused", test_hundred_thousand_levels);
  g_test_add_func ("/json/depth/brackets-in-strings-and-comments", test_brackets_in_strings_and_comments);
  g_test_add_func ("/json/size/over-limit-refused", test_size_limit);
  g_test_add_func ("/json/empty-and-broken", test_empty_and_broken);
  g_test_add_func ("/json/int-checked/range-and-type", test_int_checked);
  g_test_add_func ("/json/int-lenient/no-cast-out-of-range", test_int_lenient);

  return g_test_run ();
}
