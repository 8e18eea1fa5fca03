/* test-gs1.c: the GS1 parser against the shared vectors, plus unit cases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-gs1"

#include "config.h"

#include "qoima-error.h"
#include "qoima-gs1.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* Whether AddressSanitizer is on, as gcc and clang each say it. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define GS "\x1d"
#define CRYPTO44 "tWWb94HnJKPCqjjx1VzokuBwLXwLa7IQbV6wdeFgieI="
#define CRYPTO88 "b2K9HkT1/i//h1o0idrqfuBMFjrDnqyhr+l8bdsaqkqBwvyUD91QbKC1EWZZALsBuISyN5fSWlLPPiHb826X9+t="
#define KI_V01 "0104607000000014215AbCdEfGh1234"

/* The repairs each recoverable vector must report, in the parser's fixed order. */
static const struct {
  const char *id;
  const char *warnings;
} recovered_warnings[] = {
  { "R01", "GS_RECOVERED,FIXED_LENGTH_SPLIT" },
  { "R02", "GS_RECOVERED" },
  { "R04", "LAYOUT_REMAPPED" },
  { "R05", "LAYOUT_REMAPPED,GS_RECOVERED" },
  { "R07", "TERMINATOR_STRIPPED" },
  { "R08", "GS_SUBSTITUTED" },
  { "R10", "LEADING_GS_STRIPPED" },
  { "R11", "LAYOUT_REMAPPED" },
};

/* Where each invalid vector's error is, in characters of its input (-1: nowhere). */
static const struct {
  const char *id;
  int position;
} invalid_positions[] = {
  { "I01", 15 }, /* the check digit */
  { "I02", 11 }, /* just past the cut */
  { "I04", 16 }, /* the AI 21 element */
  { "I05", 23 }, /* '#' */
  { "I07", 20 }, /* the month */
  { "I08", -1 },
  { "I10", 0 },
  { "I11", 0 },
  { "I13", 16 }, /* "23" */
  { "I14", -1 },
};

static const char *const string_fields[] = {
  "gtin", "serial", "ki", "verification_key", "crypto", "crypto_short",
  "expiry", "expiry_raw", "batch", "symbology",
};

static const char *
code_field (const QoimaMarkingCode *code,
            const char             *name)
{
  if (g_str_equal (name, "gtin"))
    return code->gtin;
  if (g_str_equal (name, "serial"))
    return code->serial;
  if (g_str_equal (name, "ki"))
    return code->ki;
  if (g_str_equal (name, "verification_key"))
    return code->verification_key;
  if (g_str_equal (name, "crypto"))
    return code->crypto;
  if (g_str_equal (name, "crypto_short"))
    return code->crypto_short;
  if (g_str_equal (name, "expiry"))
    return code->expiry;
  if (g_str_equal (name, "expiry_raw"))
    return code->expiry_raw;
  if (g_str_equal (name, "batch"))
    return code->batch;
  if (g_str_equal (name, "symbology"))
    return code->symbology;
  g_assert_not_reached ();
}

static char *
join_warnings (const QoimaMarkingCode *code)
{
  GString *s = g_string_new (NULL);

  for (unsigned i = 0; i < code->warnings->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, g_ptr_array_index (code->warnings, i));
    }
  return g_string_free (s, FALSE);
}

static char *
vectors_path (void)
{
  return g_test_build_filename (G_TEST_DIST, "gs1-vectors.json", NULL);
}

static void
check_valid_vector (JsonObject *vector)
{
  const char *id = json_object_get_string_member (vector, "id");
  const char *input = json_object_get_string_member (vector, "input");
  JsonObject *expected = json_object_get_object_member (vector, "expected");
  gboolean recoverable = g_str_equal (json_object_get_string_member (vector, "kind"), "recoverable");
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *warnings = NULL;
  int position = 42;

  code = qoima_gs1_parse (input, &position, &error);
  g_assert_no_error (error);
  g_assert_nonnull (code);
  g_assert_cmpint (position, ==, -1);
  g_assert_cmpint (code->kind, ==, QOIMA_CODE_KIND_PACK);

  /* Every field the vector names must match; every other one must be absent. */
  for (unsigned i = 0; i < G_N_ELEMENTS (string_fields); i++)
    {
      const char *want = json_object_get_string_member_with_default (expected, string_fields[i], NULL);

      g_test_message ("%s: %s", id, string_fields[i]);
      g_assert_cmpstr (code_field (code, string_fields[i]), ==, want);
    }

  if (json_object_has_member (expected, "warnings"))
    {
      JsonArray *want = json_object_get_array_member (expected, "warnings");

      for (unsigned i = 0; i < json_array_get_length (want); i++)
        g_assert_true (qoima_marking_code_has_warning (code, json_array_get_string_element (want, i)));
    }

  g_assert_cmpint (code->recovered, ==, recoverable);

  warnings = join_warnings (code);
  if (recoverable)
    {
      g_assert_cmpstr (code->km, ==, json_object_get_string_member (vector, "recovered_input"));
      for (unsigned i = 0; i < G_N_ELEMENTS (recovered_warnings); i++)
        {
          if (g_str_equal (recovered_warnings[i].id, id))
            g_assert_cmpstr (warnings, ==, recovered_warnings[i].warnings);
        }
    }
  else
    {
      /* A valid scan is kept as scanned, without its AIM identifier. */
      const char *km = input;

      if (code->symbology != NULL)
        {
          g_assert_true (g_str_has_prefix (input, code->symbology));
          km += strlen (code->symbology);
        }
      g_assert_cmpstr (code->km, ==, km);
      g_assert_true (g_str_equal (warnings, "") || g_str_equal (warnings, "NO_VERIFICATION_PART"));
    }
}

static void
check_invalid_vector (JsonObject *vector)
{
  const char *id = json_object_get_string_member (vector, "id");
  const char *input = json_object_get_string_member (vector, "input");
  const char *want = json_object_get_string_member (vector, "expected_error");
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(GError) error = NULL;
  int position = 42;

  code = qoima_gs1_parse (input, &position, &error);
  g_assert_null (code);
  g_assert_error (error, QOIMA_SCANNER_ERROR, error->code);
  g_test_message ("%s: %s (position %d)", id, error->message, position);
  g_assert_cmpstr (qoima_scanner_error_to_string (error->code), ==, want);
  g_assert_cmpstr (error->message, !=, "");

  for (unsigned i = 0; i < G_N_ELEMENTS (invalid_positions); i++)
    {
      if (g_str_equal (invalid_positions[i].id, id))
        g_assert_cmpint (position, ==, invalid_positions[i].position);
    }
}

static void
test_vector (gconstpointer data)
{
  JsonObject *vector = (JsonObject *) data;
  const char *kind = json_object_get_string_member (vector, "kind");

  if (g_str_equal (kind, "invalid"))
    check_invalid_vector (vector);
  else
    check_valid_vector (vector);
}

static void
test_vectors_match_shared (void)
{
  const char *root = g_getenv ("QOIMA_SOURCE_ROOT");
  g_autofree char *shared = NULL;
  g_autofree char *local = vectors_path ();
  g_autofree char *shared_text = NULL;
  g_autofree char *local_text = NULL;
  gsize shared_len = 0, local_len = 0;

  if (root == NULL)
    {
      g_test_skip ("QOIMA_SOURCE_ROOT is not set");
      return;
    }
  shared = g_build_filename (root, "..", "shared", "reference", "gs1-vectors.json", NULL);
  if (!g_file_test (shared, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no shared reference copy beside the source tree");
      return;
    }

  g_assert_true (g_file_get_contents (shared, &shared_text, &shared_len, NULL));
  g_assert_true (g_file_get_contents (local, &local_text, &local_len, NULL));
  g_assert_cmpmem (local_text, local_len, shared_text, shared_len);
}

static void
test_check_digit (void)
{
  g_assert_cmpint (qoima_gs1_check_digit ("0460700000001", -1), ==, 4);
  g_assert_cmpint (qoima_gs1_check_digit ("0487000123456", -1), ==, 0);
  g_assert_cmpint (qoima_gs1_check_digit ("0464001234567", -1), ==, 4);
  g_assert_cmpint (qoima_gs1_check_digit ("10614141234567890", -1), ==, 8);
  g_assert_cmpint (qoima_gs1_check_digit ("0460700000001999", 13), ==, 4);
  g_assert_cmpint (qoima_gs1_check_digit ("04607O0000001", -1), ==, -1);
  g_assert_cmpint (qoima_gs1_check_digit ("", -1), ==, -1);

  g_assert_true (qoima_gs1_gtin_is_valid ("04607000000014"));
  g_assert_true (qoima_gs1_gtin_is_valid ("04870001234560"));
  g_assert_true (qoima_gs1_gtin_is_valid ("4607000000014"));
  g_assert_false (qoima_gs1_gtin_is_valid ("04607000000015"));
  g_assert_false (qoima_gs1_gtin_is_valid ("0460700000014"));
  g_assert_false (qoima_gs1_gtin_is_valid ("0460700000001a"));
  g_assert_false (qoima_gs1_gtin_is_valid (""));
}

static void
test_cset82 (void)
{
  const char *in = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
  const char *out = " #$@[\\]^`{|}~\x7f\x1d\r\n\t";
  int count = 0;

  for (const char *p = in; *p; p++)
    g_assert_true (qoima_gs1_is_cset82 (*p));
  for (const char *p = out; *p; p++)
    g_assert_false (qoima_gs1_is_cset82 (*p));
  g_assert_false (qoima_gs1_is_cset82 (0));
  g_assert_false (qoima_gs1_is_cset82 (0x0439)); /* й */
  g_assert_false (qoima_gs1_is_cset82 (0x00C4)); /* Ä */
  g_assert_false (qoima_gs1_is_cset82 (0x0141)); /* Ł: its low byte is 'A' */

  /* CSET 82 has 82 characters, hence the name. */
  for (gunichar c = 0; c < 0x300; c++)
    count += qoima_gs1_is_cset82 (c);
  g_assert_cmpint (count, ==, 82);
}

static void
test_date_day_00 (void)
{
  g_autofree char *nov = qoima_gs1_date_to_iso ("261100", 2026);
  g_autofree char *feb_leap = qoima_gs1_date_to_iso ("240200", 2026);
  g_autofree char *feb = qoima_gs1_date_to_iso ("250200", 2026);
  g_autofree char *dec = qoima_gs1_date_to_iso ("251231", 2026);

  g_assert_cmpstr (nov, ==, "2026-11-30");
  g_assert_cmpstr (feb_leap, ==, "2024-02-29");
  g_assert_cmpstr (feb, ==, "2025-02-28");
  g_assert_cmpstr (dec, ==, "2025-12-31");
}

static void
test_date_invalid (void)
{
  const char *bad[] = { "250229", "251301", "250001", "250132", "250431", "25013", "2501a1", "2501011" };

  for (unsigned i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *iso = qoima_gs1_date_to_iso (bad[i], 2026);

      g_assert_null (iso);
    }
}

static void
test_date_century (void)
{
  g_autofree char *past = NULL;
  g_autofree char *future = NULL;

  /* Up to 49 years back and 50 ahead. */
  g_assert_cmpint (qoima_gs1_resolve_year (26, 2026), ==, 2026);
  g_assert_cmpint (qoima_gs1_resolve_year (76, 2026), ==, 2076);
  g_assert_cmpint (qoima_gs1_resolve_year (77, 2026), ==, 1977);
  g_assert_cmpint (qoima_gs1_resolve_year (0, 2026), ==, 2000);
  g_assert_cmpint (qoima_gs1_resolve_year (0, 2099), ==, 2100);
  g_assert_cmpint (qoima_gs1_resolve_year (49, 2099), ==, 2149);
  g_assert_cmpint (qoima_gs1_resolve_year (50, 2099), ==, 2050);
  g_assert_cmpint (qoima_gs1_resolve_year (99, 2001), ==, 1999);
  g_assert_cmpint (qoima_gs1_resolve_year (51, 2001), ==, 2051);

  past = qoima_gs1_date_to_iso ("990100", 2026);
  future = qoima_gs1_date_to_iso ("760100", 2026);
  g_assert_cmpstr (past, ==, "1999-01-31");
  g_assert_cmpstr (future, ==, "2076-01-31");
}

static void
assert_error (const char        *text,
              QoimaScannerError  code,
              int                position)
{
  g_autoptr(QoimaMarkingCode) result = NULL;
  g_autoptr(GError) error = NULL;
  int got = 42;

  result = qoima_gs1_parse (text, &got, &error);
  g_assert_null (result);
  g_assert_error (error, QOIMA_SCANNER_ERROR, (int) code);
  g_test_message ("%s (position %d)", error->message, got);
  g_assert_cmpint (got, ==, position);

  /* The position is optional. */
  g_clear_error (&error);
  result = qoima_gs1_parse (text, NULL, &error);
  g_assert_error (error, QOIMA_SCANNER_ERROR, (int) code);
}

/* Issue 9: text read from outside may hold a NUL, which must not end it silently. */
static void
test_parse_len (void)
{
  static const char with_nul[] = "0104607000000014215AbCdEfGh1234\0" GS "91EE06";
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *huge = NULL;
  int position = 42;

  code = qoima_gs1_parse_len (with_nul, sizeof with_nul - 1, &position, &error);
  g_assert_null (code);
  g_assert_error (error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_BAD_CHARSET);
  g_assert_cmpint (position, ==, 31);
  g_clear_error (&error);

  /* Cut before the NUL it is a good code: the length, not the NUL, ends the text. */
  code = qoima_gs1_parse_len (with_nul, 31, &position, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code->ki, ==, "0104607000000014215AbCdEfGh1234");
  g_clear_pointer (&code, qoima_marking_code_free);

  /* Positions count characters: "Ф" is two bytes. */
  code = qoima_gs1_parse_len ("01046070000000142\xd0\xa4\0", 20, &position, &error);
  g_assert_error (error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_BAD_CHARSET);
  g_assert_cmpint (position, ==, 18);
  g_clear_error (&error);

  /* Longer than the cap: refused as such, with no position, from either entry point. */
  huge = g_strnfill (QOIMA_GS1_MAX_SCAN_BYTES + 1, '1');
  code = qoima_gs1_parse_len (huge, -1, &position, &error);
  g_assert_error (error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_TOO_LONG);
  g_assert_cmpint (position, ==, -1);
  g_assert_cmpstr (qoima_scanner_error_to_string (error->code), ==, "TOO_LONG");
  g_clear_error (&error);
  code = qoima_gs1_parse (huge, NULL, &error);
  g_assert_error (error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_TOO_LONG);
  g_clear_error (&error);
  /* At the cap it is parsed (and fails as what it is). */
  code = qoima_gs1_parse_len (huge, QOIMA_GS1_MAX_SCAN_BYTES, NULL, &error);
  g_assert_nonnull (error);
  g_assert_false (g_error_matches (error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_TOO_LONG));
}

static QoimaMarkingCode *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  QoimaMarkingCode *code;

  code = qoima_gs1_parse (text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (code);
  return code;
}

static void
test_date_in_code (void)
{
  g_autoptr(QoimaMarkingCode) code = NULL;

  /* February 30th and day 32: the day digits are pointed at. */
  assert_error ("010487000123456017260230" "10L7" GS "215AbCdEfGh1234", QOIMA_SCANNER_ERROR_BAD_DATE, 22);
  assert_error ("010487000123456017260132" "10L7" GS "215AbCdEfGh1234", QOIMA_SCANNER_ERROR_BAD_DATE, 22);
  assert_error ("010487000123456017260030" "10L7" GS "215AbCdEfGh1234", QOIMA_SCANNER_ERROR_BAD_DATE, 20);

  code = parse_ok ("0104870001234560" "17280200" "215AbCdEfGh1234");
  g_assert_cmpstr (code->expiry_raw, ==, "280200");
  g_assert_cmpstr (code->expiry, ==, "2028-02-29");
  g_assert_null (code->batch);
}

static void
test_positions (void)
{
  /* Positions count characters of the text as given: the AIM prefix, a leading GS,
   * and multi-byte letters before the fault all count as one each. */
  assert_error ("]d20104607000000015215AbCdEfGh1234", QOIMA_SCANNER_ERROR_BAD_CHECK_DIGIT, 18);
  assert_error (GS "0104607000000015215AbCdEfGh1234", QOIMA_SCANNER_ERROR_BAD_CHECK_DIGIT, 16);
  /* Under the ru layout "#" arrives as "№" (3 bytes) after 4 Cyrillic letters. */
  assert_error ("0104607000000014215ФиСв№аПр1234ъ91УУ06ъ92" CRYPTO44, QOIMA_SCANNER_ERROR_BAD_CHARSET, 23);
  assert_error ("010460700000001A215AbCdEfGh1234", QOIMA_SCANNER_ERROR_BAD_CHARSET, 15);
  assert_error ("01046070000" GS "215AbCdEfGh1234", QOIMA_SCANNER_ERROR_TRUNCATED_GTIN, 11);
  /* A control character no scanner sends is named as such wherever it is (issue 9). */
  assert_error ("0104607000000014\x01" "5AbCdEfGh1234", QOIMA_SCANNER_ERROR_BAD_CHARSET, 16);
  assert_error ("0104607000000014215AbCd\x01" "fGh1234", QOIMA_SCANNER_ERROR_BAD_CHARSET, 23);
  assert_error ("0104607000000014215AbCd\xff" "fGh1234", QOIMA_SCANNER_ERROR_BAD_CHARSET, 23);
  /* 21 runs on past 20 characters: the first one too many. */
  assert_error ("0104607000000014215AbCdEfGh123491EE06", QOIMA_SCANNER_ERROR_PROFILE_LENGTH_21, 16);
  assert_error ("0104607000000014215AbCdEfGh123491EE0692abc", QOIMA_SCANNER_ERROR_BAD_LENGTH, 38);
  assert_error ("0104607000000014" GS GS "215AbCdEfGh1234", QOIMA_SCANNER_ERROR_EMPTY_AI, 17);
  assert_error ("010460700000001421" GS "91EE06", QOIMA_SCANNER_ERROR_EMPTY_AI, 16);
}

static void
test_profile (void)
{
  assert_error ("0104607000000014215AbCdEfGh1234" GS "91EE0" GS "92" CRYPTO44,
                QOIMA_SCANNER_ERROR_PROFILE_LENGTH_91, 32);
  assert_error ("0104607000000014215AbCdEfGh1234" GS "91EE06" GS "92" "tWWb94HnJKPCqjjx1VzokuBwLXwLa7IQbV6wdeFgieI",
                QOIMA_SCANNER_ERROR_PROFILE_LENGTH_92, 39);
  assert_error ("0104607000000014", QOIMA_SCANNER_ERROR_MISSING_SERIAL, -1);
  assert_error ("0104607000000014" GS, QOIMA_SCANNER_ERROR_MISSING_SERIAL, -1);
  assert_error ("17261100" "10L7", QOIMA_SCANNER_ERROR_MISSING_GTIN, -1);
}

static void
test_empty (void)
{
  assert_error ("", QOIMA_SCANNER_ERROR_EMPTY, -1);
  assert_error ("\r\n", QOIMA_SCANNER_ERROR_EMPTY, -1);
  assert_error ("]d2\r", QOIMA_SCANNER_ERROR_EMPTY, -1);
  assert_error (GS, QOIMA_SCANNER_ERROR_EMPTY, -1);
}

static void
test_not_gs1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaMarkingCode) code = NULL;

  code = qoima_gs1_parse ("4607000000014", NULL, &error);
  g_assert_error (error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_NOT_GS1);
  g_assert_nonnull (strstr (error->message, "EAN"));

  /* An EAN-13 that happens to start like AI 01, and a UPC-A. */
  assert_error ("0104607000002", QOIMA_SCANNER_ERROR_NOT_GS1, 0);
  assert_error ("046070000007", QOIMA_SCANNER_ERROR_NOT_GS1, 0);
  assert_error ("]d20104607000002", QOIMA_SCANNER_ERROR_TRUNCATED_GTIN, 16);
  assert_error ("hello", QOIMA_SCANNER_ERROR_NOT_GS1, 0);
  assert_error ("]E04607000000014", QOIMA_SCANNER_ERROR_NOT_GS1_SYMBOL, 0);
  assert_error ("]d1" KI_V01, QOIMA_SCANNER_ERROR_NOT_GS1_SYMBOL, 0);
  /* Two different GTINs: two codes ran together. */
  assert_error (KI_V01 GS "0104870001234560", QOIMA_SCANNER_ERROR_NOT_GS1, 32);
}

static void
test_sscc_box (void)
{
  g_autoptr(QoimaMarkingCode) box = parse_ok ("]d2" GS "00106141412345678908");
  g_autoptr(QoimaMarkingCode) with_batch = parse_ok ("00106141412345678908" "10AB-12" GS "17270500");

  g_assert_cmpint (box->kind, ==, QOIMA_CODE_KIND_BOX);
  g_assert_cmpstr (box->sscc, ==, "106141412345678908");
  g_assert_cmpstr (box->symbology, ==, "]d2");
  g_assert_cmpstr (box->km, ==, "00106141412345678908");
  g_assert_null (box->gtin);
  g_assert_null (box->serial);
  g_assert_null (box->ki);
  g_assert_true (box->recovered); /* the leading GS */
  g_assert_true (qoima_marking_code_has_warning (box, "LEADING_GS_STRIPPED"));
  g_assert_false (qoima_marking_code_has_warning (box, "NO_VERIFICATION_PART"));

  g_assert_cmpint (with_batch->kind, ==, QOIMA_CODE_KIND_BOX);
  g_assert_cmpstr (with_batch->batch, ==, "AB-12");
  g_assert_cmpstr (with_batch->expiry, ==, "2027-05-31");
  g_assert_false (with_batch->recovered);

  assert_error ("00106141412345678907", QOIMA_SCANNER_ERROR_BAD_CHECK_DIGIT, 19);
  assert_error ("0010614141234567890", QOIMA_SCANNER_ERROR_BAD_LENGTH, 19);
}

static void
test_special_characters (void)
{
  /* Serials use all of CSET 82: quotes, %, <, & must come through untouched. */
  const char *serial = "\"%<&'>a;b/c?*";
  g_autofree char *text = g_strconcat ("0104607000000014" "21", serial, GS "91EE06" GS "92" CRYPTO44, NULL);
  g_autofree char *ki = g_strconcat ("0104607000000014" "21", serial, NULL);
  g_autoptr(QoimaMarkingCode) code = parse_ok (text);
  g_autoptr(QoimaMarkingCode) gs_text = parse_ok ("0104607000000014" "21ab<GS>cdefghi");

  g_assert_cmpstr (code->serial, ==, serial);
  g_assert_cmpstr (code->ki, ==, ki);
  g_assert_cmpstr (code->km, ==, text);
  g_assert_false (code->recovered);

  /* "<GS>" in a serial that already validates is data, not a separator. */
  g_assert_cmpstr (gs_text->serial, ==, "ab<GS>cdefghi");
  g_assert_false (gs_text->recovered);
}

static void
test_gs_text (void)
{
  /* Substituting "<GS>" would leave 91 without 92: keep the strict parse's error. */
  assert_error (KI_V01 "<GS>91EE06", QOIMA_SCANNER_ERROR_BAD_LENGTH, 38);
}

static void
test_split (void)
{
  g_autoptr(QoimaMarkingCode) short_code = parse_ok ("0104640012345674215AbCdEfGh123493Ab1z");
  g_autoptr(QoimaMarkingCode) partial = parse_ok (KI_V01 GS "91EE0692" CRYPTO44);
  g_autoptr(QoimaMarkingCode) long_tail = parse_ok ("]d2" KI_V01 "91EE0692" CRYPTO88 "\r");

  g_assert_cmpstr (short_code->crypto_short, ==, "Ab1z");
  g_assert_cmpstr (short_code->serial, ==, "5AbCdEfGh1234");
  g_assert_cmpstr (short_code->km, ==, "0104640012345674215AbCdEfGh1234" GS "93Ab1z");
  g_assert_true (short_code->recovered);
  g_assert_true (qoima_marking_code_has_warning (short_code, "FIXED_LENGTH_SPLIT"));

  g_assert_cmpstr (partial->verification_key, ==, "EE06");
  g_assert_cmpstr (partial->crypto, ==, CRYPTO44);
  g_assert_cmpstr (partial->km, ==, KI_V01 GS "91EE06" GS "92" CRYPTO44);

  g_assert_cmpstr (long_tail->crypto, ==, CRYPTO88);
  g_assert_cmpstr (long_tail->symbology, ==, "]d2");

  /* The lengths must add up exactly: a 43-character tail is not a pharma code. */
  assert_error (KI_V01 "91EE0692" "tWWb94HnJKPCqjjx1VzokuBwLXwLa7IQbV6wdeFgieI",
                QOIMA_SCANNER_ERROR_BAD_LENGTH, 38);
  /* A wrong GTIN stays wrong whatever the split does. */
  assert_error ("0104607000000015215AbCdEfGh123491EE0692" CRYPTO44,
                QOIMA_SCANNER_ERROR_BAD_CHECK_DIGIT, 15);
}

static void
test_aim_under_layout (void)
{
  /* The scanner's "]d2" typed under ru is "ъв2", under kz "ъвә". */
  g_autoptr(QoimaMarkingCode) ru = parse_ok ("ъв2" "0104607000000014215ФиСвУаПр1234ъ91УУ06ъ92еЦЦи94РтОЛЗСйооч1МящлгИцДЧцДф7ШЙиМ6цвуАпшуШ=");
  g_autoptr(QoimaMarkingCode) kz = parse_ok ("ъвә" "қ\"қң,қ.қққққққ\"ңә\"ғФиСвУаПр\"әің");
  g_autoptr(QoimaMarkingCode) c1 = parse_ok ("]C1" KI_V01);

  g_assert_cmpstr (ru->symbology, ==, "]d2");
  g_assert_cmpstr (ru->ki, ==, KI_V01);
  g_assert_true (qoima_marking_code_has_warning (ru, "LAYOUT_REMAPPED"));
  g_assert_true (qoima_marking_code_has_warning (ru, "GS_RECOVERED"));

  g_assert_cmpstr (kz->symbology, ==, "]d2");
  g_assert_cmpstr (kz->ki, ==, KI_V01);
  g_assert_false (qoima_marking_code_has_warning (kz, "GS_RECOVERED"));

  g_assert_cmpstr (c1->symbology, ==, "]C1");
  g_assert_false (c1->recovered);

  assert_error ("ъв1" KI_V01, QOIMA_SCANNER_ERROR_NOT_GS1_SYMBOL, 0);
}

static void
test_leading_bracket (void)
{
  /* The first FNC1 sent as Ctrl+] with the Ctrl lost. */
  g_autoptr(QoimaMarkingCode) code = parse_ok ("]" KI_V01 "]93Ab1z");

  g_assert_cmpstr (code->km, ==, KI_V01 GS "93Ab1z");
  g_assert_true (qoima_marking_code_has_warning (code, "LEADING_GS_STRIPPED"));
  g_assert_true (qoima_marking_code_has_warning (code, "GS_RECOVERED"));
}

static void
test_copy (void)
{
  g_autoptr(QoimaMarkingCode) code = parse_ok ("0104870001234560" "17261100" "10L7" GS "215AbCdEfGh1234");
  g_autoptr(QoimaMarkingCode) copy = qoima_marking_code_copy (code);
  QoimaMarkingCode *boxed;

  g_assert_true (copy != code);
  for (unsigned i = 0; i < G_N_ELEMENTS (string_fields); i++)
    g_assert_cmpstr (code_field (copy, string_fields[i]), ==, code_field (code, string_fields[i]));
  g_assert_cmpstr (copy->km, ==, code->km);
  g_assert_true (copy->warnings != code->warnings);
  g_assert_cmpuint (copy->warnings->len, ==, 1);
  g_assert_true (qoima_marking_code_has_warning (copy, "NO_VERIFICATION_PART"));
  g_assert_false (qoima_marking_code_has_warning (copy, "GS_RECOVERED"));

  g_assert_true (G_TYPE_IS_BOXED (QOIMA_TYPE_MARKING_CODE));
  boxed = g_boxed_copy (QOIMA_TYPE_MARKING_CODE, code);
  g_assert_cmpstr (boxed->ki, ==, code->ki);
  g_boxed_free (QOIMA_TYPE_MARKING_CODE, boxed);

  qoima_marking_code_free (NULL);
}

static void
test_performance (void)
{
  const char *texts[] = {
    "қ\"қң,қ.қққққққ\"ңә\"ғФиСвУаПр\"әің" GS "ұ\"УУқ," GS "ұәеЦЦиұңРтОЛЗСйооч\"МящлгИцДЧцДф.ШЙиМ,цвуАпшуШһ",
    "0104607000000014215AbCdEfGh123491EE0692" CRYPTO44,
    "]d2" KI_V01 GS "91EE06" GS "92" CRYPTO44 "\r\n",
  };
  const int rounds = 300;
  gint64 start = g_get_monotonic_time ();
  double per_scan_us;

  for (int r = 0; r < rounds; r++)
    {
      for (unsigned i = 0; i < G_N_ELEMENTS (texts); i++)
        {
          g_autoptr(QoimaMarkingCode) code = qoima_gs1_parse (texts[i], NULL, NULL);

          g_assert_nonnull (code);
        }
    }

  per_scan_us = (double) (g_get_monotonic_time () - start) / (rounds * G_N_ELEMENTS (texts));
  g_test_message ("%.1f µs per scan", per_scan_us);

  /* Instrumented runs measure the instrumentation, not the parser (valgrind preloads
   * its vgpreload libraries; a scan takes about 0.5 ms there). */
  if (UNDER_ASAN)
    {
      g_test_skip ("timing is not meaningful under AddressSanitizer");
      return;
    }
  if (g_getenv ("LD_PRELOAD") != NULL && strstr (g_getenv ("LD_PRELOAD"), "vgpreload") != NULL)
    {
      g_test_skip ("timing is not meaningful under valgrind");
      return;
    }
  g_assert_cmpfloat (per_scan_us, <, 1000.0);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  JsonArray *vectors;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  path = vectors_path ();
  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("Cannot read %s: %s", path, error->message);
  vectors = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (vectors), >, 0);

  for (unsigned i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *vector = json_array_get_object_element (vectors, i);
      g_autofree char *test_path = g_strdup_printf ("/gs1/vectors/%s", json_object_get_string_member (vector, "id"));

      g_test_add_data_func_full (test_path, json_object_ref (vector), test_vector,
                                 (GDestroyNotify) json_object_unref);
    }

  g_test_add_func ("/gs1/vectors/match-shared-reference", test_vectors_match_shared);
  g_test_add_func ("/gs1/check-digit", test_check_digit);
  g_test_add_func ("/gs1/cset82", test_cset82);
  g_test_add_func ("/gs1/date/day-00", test_date_day_00);
  g_test_add_func ("/gs1/date/invalid", test_date_invalid);
  g_test_add_func ("/gs1/date/century", test_date_century);
  g_test_add_func ("/gs1/date/in-code", test_date_in_code);
  g_test_add_func ("/gs1/error-positions", test_positions);
  g_test_add_func ("/gs1/parse-len", test_parse_len);
  g_test_add_func ("/gs1/profile", test_profile);
  g_test_add_func ("/gs1/empty", test_empty);
  g_test_add_func ("/gs1/not-gs1", test_not_gs1);
  g_test_add_func ("/gs1/sscc-box", test_sscc_box);
  g_test_add_func ("/gs1/special-characters", test_special_characters);
  g_test_add_func ("/gs1/recovery/gs-text-rejected", test_gs_text);
  g_test_add_func ("/gs1/recovery/fixed-length-split", test_split);
  g_test_add_func ("/gs1/recovery/aim-under-layout", test_aim_under_layout);
  g_test_add_func ("/gs1/recovery/leading-bracket", test_leading_bracket);
  g_test_add_func ("/gs1/copy", test_copy);
  g_test_add_func ("/gs1/performance", test_performance);

  return g_test_run ();
}
