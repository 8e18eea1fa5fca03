/* qoimactl-parse.c: `qoimactl parse`, marking codes -> one JSON object per line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoimactl"

#include "config.h"

#include "qoimactl.h"

#include "qoima-error.h"
#include "qoima-gs1.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_code (JsonBuilder            *builder,
          const QoimaMarkingCode *code)
{
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, TRUE);
  add_string_member (builder, "kind", code->kind == QOIMA_CODE_KIND_BOX ? "box" : "pack");
  add_string_member (builder, "gtin", code->gtin);
  add_string_member (builder, "serial", code->serial);
  add_string_member (builder, "ki", code->ki);
  add_string_member (builder, "verification_key", code->verification_key);
  add_string_member (builder, "crypto", code->crypto);
  add_string_member (builder, "crypto_short", code->crypto_short);
  add_string_member (builder, "expiry", code->expiry);
  add_string_member (builder, "expiry_raw", code->expiry_raw);
  add_string_member (builder, "batch", code->batch);
  add_string_member (builder, "sscc", code->sscc);
  add_string_member (builder, "symbology", code->symbology);
  add_string_member (builder, "km", code->km);
  json_builder_set_member_name (builder, "recovered");
  json_builder_add_boolean_value (builder, code->recovered);
  json_builder_set_member_name (builder, "warnings");
  json_builder_begin_array (builder);
  for (unsigned i = 0; i < code->warnings->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (code->warnings, i));
  json_builder_end_array (builder);
}

static void
add_error (JsonBuilder  *builder,
           const GError *error,
           int           position)
{
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, FALSE);
  add_string_member (builder, "error",
                     error->domain == QOIMA_SCANNER_ERROR ? qoima_scanner_error_to_string (error->code) : "FAILED");
  add_string_member (builder, "message", error->message);
  json_builder_set_member_name (builder, "position");
  if (position >= 0)
    json_builder_add_int_value (builder, position);
  else
    json_builder_add_null_value (builder);
}

/* Parses one scan and prints its JSON line; returns whether it parsed. */
static gboolean
parse_one (const char *text,
           gssize      len)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  int position = -1;

  code = qoima_gs1_parse_len (text, len, &position, &error);

  json_builder_begin_object (builder);
  if (code != NULL)
    add_code (builder, code);
  else
    add_error (builder, error, position);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  printf ("%s\n", line);
  /* One line per scan as it comes, so that a script can read the answers while it
   * is still writing scans. */
  fflush (stdout);

  return code != NULL;
}

int
qoimactl_parse (QoimactlOptions  *options,
                int               argc,
                char            **argv)
{
  /* One byte more than the parser takes, so that a longer line reaches it and is
   * refused there like any other bad scan. */
  g_autofree char *line = g_malloc (QOIMACTL_LINE_MAX + 2);
  gboolean all_ok = TRUE;
  gboolean too_long;
  gssize len;

  if (argc > 1)
    {
      for (int i = 1; i < argc; i++)
        all_ok = parse_one (argv[i], -1) && all_ok;
      return all_ok ? EXIT_SUCCESS : EXIT_FAILURE;
    }

  /* Only the newline that ends a line is removed: a CR, a Tab or a GS in the line is
   * part of what the scanner sent, and the parser reports what it did with it. So is a
   * NUL, which the line's length keeps. */
  while ((len = qoimactl_read_line (stdin, line, QOIMACTL_LINE_MAX + 2, &too_long)) >= 0)
    all_ok = parse_one (line, len) && all_ok;

  if (ferror (stdin))
    {
      qoimactl_print_error ("%s", _("Cannot read the standard input."));
      return EXIT_FAILURE;
    }

  return all_ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
