/* test-calibration.c: the calibration code and what a scan of it says about the scanner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-calibration.h"
#include "qoima-error.h"
#include "qoima-gs1.h"

#include <string.h>

#define CSET82 "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

/* GS1 mod-10, written here independently of the project's GS1 module. */
static int
check_digit (const char *digits,
             size_t      len)
{
  int sum = 0;

  for (size_t k = 0; k < len; k++)
    sum += (digits[len - 1 - k] - '0') * (k % 2 == 0 ? 3 : 1);
  return (10 - sum % 10) % 10;
}

/* Replaces the byte at @pos of the calibration code by @replacement ("" deletes it). */
static char *
code_with (size_t      pos,
           const char *replacement)
{
  const char *code = qoima_calibration_code ();

  return g_strdup_printf ("%.*s%s%s", (int) pos, code, replacement, code + pos + 1);
}

static char *
code_with_separator (const char *separator)
{
  g_auto(GStrv) parts = g_strsplit (qoima_calibration_code (), "\x1d", -1);

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  return g_strjoin (separator, parts[0], parts[1], parts[2], NULL);
}

static size_t
position_of (char c)
{
  const char *code = qoima_calibration_code ();
  const char *p = strchr (code, c);

  g_assert_nonnull (p);
  return p - code;
}

static void
test_code_is_gs1 (void)
{
  const char *code = qoima_calibration_code ();
  g_auto(GStrv) parts = g_strsplit (code, "\x1d", -1);

  /* 01 + GTIN with a correct check digit + 21 + a 13-character serial. */
  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  g_assert_cmpuint (strlen (parts[0]), ==, 2 + 14 + 2 + 13);
  g_assert_true (g_str_has_prefix (parts[0], "01"));
  for (int k = 2; k < 16; k++)
    g_assert_true (g_ascii_isdigit (parts[0][k]));
  g_assert_cmpint (parts[0][15] - '0', ==, check_digit (parts[0] + 2, 13));
  g_assert_true (g_str_has_prefix (parts[0] + 16, "21"));

  /* 91 is X..90 and holds every CSET 82 character. */
  g_assert_true (g_str_has_prefix (parts[1], "91"));
  g_assert_cmpuint (strlen (parts[1]) - 2, <=, 90);
  for (const char *c = CSET82; *c != '\0'; c++)
    g_assert_nonnull (strchr (parts[1] + 2, *c));
  g_assert_cmpuint (strlen (CSET82), ==, 82);

  /* 92 is the 44-character pharma tail. */
  g_assert_true (g_str_has_prefix (parts[2], "92"));
  g_assert_cmpuint (strlen (parts[2]) - 2, ==, 44);

  /* Nothing but CSET 82 and the two GS. */
  for (const char *c = code; *c != '\0'; c++)
    g_assert_true (*c == '\x1d' || strchr (CSET82, *c) != NULL);
}

static void
test_code_passes_gs1_parser (void)
{
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(GError) error = NULL;
  int position = -1;

  /* The project's parser checks GS1 first (check digit, CSET 82, AI lengths) and the
   * pharma profile last. The calibration code passes the GS1 layer and fails only the
   * profile's 4-character rule for AI 91, which must hold all 82 characters. */
  code = qoima_gs1_parse (qoima_calibration_code (), &position, &error);
  g_assert_error (error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_PROFILE_LENGTH_91);
  g_assert_null (code);
  /* The position is that of the AI, just after the first GS. */
  g_assert_cmpint (position, ==, (int) (strchr (qoima_calibration_code (), '\x1d') - qoima_calibration_code ()) + 1);
}

static void
test_exact (void)
{
  g_autoptr(QoimaCalibrationResult) result =
    qoima_calibration_analyse (qoima_calibration_code (), QOIMA_GS_VIA_CONTROL, FALSE, "\n");

  g_assert_true (result->ok);
  g_assert_null (result->problem);
  g_assert_cmpint (result->gs_via, ==, QOIMA_GS_VIA_CONTROL);
  g_assert_false (result->gs_lost);
  g_assert_null (result->gs_substitute);
  g_assert_cmpstr (result->prefix, ==, "");
  g_assert_cmpstr (result->terminator, ==, "\n");
  g_assert_false (result->caps_lock_inverts);
}

static void
test_f8_and_tab (void)
{
  g_autoptr(QoimaCalibrationResult) result =
    qoima_calibration_analyse (qoima_calibration_code (), QOIMA_GS_VIA_F8, FALSE, "\t");

  g_assert_true (result->ok);
  g_assert_cmpint (result->gs_via, ==, QOIMA_GS_VIA_F8);
  g_assert_cmpstr (result->terminator, ==, "\t");
}

static void
test_gs_lost (void)
{
  g_autofree char *received = code_with_separator ("");
  g_autoptr(QoimaCalibrationResult) result =
    qoima_calibration_analyse (received, QOIMA_GS_VIA_NONE, FALSE, "\n");

  g_assert_true (result->ok);
  g_assert_true (result->gs_lost);
  g_assert_cmpint (result->gs_via, ==, QOIMA_GS_VIA_NONE);
  g_assert_null (result->gs_substitute);
}

static void
test_substitute (void)
{
  const char *substitutes[] = { "<GS>", "ъ", "]", "\\x_GS" };

  for (size_t k = 0; k < G_N_ELEMENTS (substitutes); k++)
    {
      g_autofree char *received = code_with_separator (substitutes[k]);
      g_autoptr(QoimaCalibrationResult) result =
        qoima_calibration_analyse (received, QOIMA_GS_VIA_NONE, FALSE, "\n");

      g_assert_true (result->ok);
      g_assert_false (result->gs_lost);
      g_assert_cmpint (result->gs_via, ==, QOIMA_GS_VIA_SUBSTITUTE);
      g_assert_cmpstr (result->gs_substitute, ==, substitutes[k]);
    }
}

static void
test_prefix_and_suffix (void)
{
  g_autofree char *received = g_strconcat ("]d2", qoima_calibration_code (), "#END", NULL);
  g_autoptr(QoimaCalibrationResult) result =
    qoima_calibration_analyse (received, QOIMA_GS_VIA_CONTROL, FALSE, "");

  g_assert_true (result->ok);
  g_assert_cmpstr (result->prefix, ==, "]d2");
  g_assert_cmpstr (result->terminator, ==, "#END");
  g_assert_cmpint (result->gs_via, ==, QOIMA_GS_VIA_CONTROL);
}

static void
test_caps_lock_inverts (void)
{
  g_autofree char *code = code_with_separator ("<GS>");
  g_autofree char *received = g_strconcat ("]d2", code, "#End", NULL);
  g_autoptr(QoimaCalibrationResult) result = NULL;
  g_autoptr(QoimaCalibrationResult) without_lock = NULL;

  /* A scanner that compensates for Caps Lock, read by key position: every letter flips,
   * the prefix, GS substitute and suffix too. */
  for (char *p = received; *p != '\0'; p++)
    *p = g_ascii_isupper (*p) ? g_ascii_tolower (*p) : g_ascii_toupper (*p);

  result = qoima_calibration_analyse (received, QOIMA_GS_VIA_SUBSTITUTE, TRUE, "");
  g_assert_null (result->problem);
  g_assert_true (result->ok);
  g_assert_true (result->caps_lock_inverts);
  g_assert_cmpstr (result->prefix, ==, "]d2");
  g_assert_cmpstr (result->gs_substitute, ==, "<GS>");
  g_assert_cmpstr (result->terminator, ==, "#End");

  /* The same with Caps Lock off cannot come from Caps Lock. */
  without_lock = qoima_calibration_analyse (received, QOIMA_GS_VIA_SUBSTITUTE, FALSE, "");
  g_assert_false (without_lock->ok);
  g_assert_nonnull (strstr (without_lock->problem, "case"));
}

static void
test_caps_lock_harmless (void)
{
  /* Caps Lock was on but the text is right: the scanner ignores the LED. */
  g_autoptr(QoimaCalibrationResult) result =
    qoima_calibration_analyse (qoima_calibration_code (), QOIMA_GS_VIA_CONTROL, TRUE, "\n");

  g_assert_true (result->ok);
  g_assert_false (result->caps_lock_inverts);
}

static void
test_layout_mismatch (void)
{
  /* A UK layout swaps " and @. */
  size_t pos = position_of ('"');
  g_autofree char *received = code_with (pos, "@");
  g_autoptr(QoimaCalibrationResult) result =
    qoima_calibration_analyse (received, QOIMA_GS_VIA_CONTROL, FALSE, "\n");
  g_autofree char *position = g_strdup_printf ("%d", (int) pos + 1);

  g_assert_false (result->ok);
  g_assert_nonnull (result->problem);
  g_assert_nonnull (strstr (result->problem, position));
  g_assert_nonnull (strstr (result->problem, "“\"”"));
  g_assert_nonnull (strstr (result->problem, "“@”"));
  g_assert_nonnull (strstr (result->problem, "layout"));
}

static void
test_cyrillic (void)
{
  /* The Q key under a Russian layout. */
  size_t pos = position_of ('Q');
  g_autofree char *received = code_with (pos, "Й");
  g_autoptr(QoimaCalibrationResult) result =
    qoima_calibration_analyse (received, QOIMA_GS_VIA_CONTROL, FALSE, "\n");
  g_autofree char *position = g_strdup_printf ("%d", (int) pos + 1);

  g_assert_false (result->ok);
  g_assert_nonnull (strstr (result->problem, position));
  g_assert_nonnull (strstr (result->problem, "“Й”"));
  g_assert_nonnull (strstr (result->problem, "layout"));
}

static void
test_dropped_character (void)
{
  size_t pos = position_of ('Y');
  g_autofree char *received = code_with (pos, "");
  g_autoptr(QoimaCalibrationResult) result =
    qoima_calibration_analyse (received, QOIMA_GS_VIA_CONTROL, FALSE, "\n");
  g_autofree char *position = g_strdup_printf ("%d", (int) pos + 1);

  g_assert_false (result->ok);
  g_assert_nonnull (strstr (result->problem, position));
  g_assert_nonnull (strstr (result->problem, "“Y”"));
  g_assert_nonnull (strstr (result->problem, "did not arrive"));
}

static void
test_truncated (void)
{
  g_autofree char *received = g_strndup (qoima_calibration_code (), 50);
  g_autoptr(QoimaCalibrationResult) result =
    qoima_calibration_analyse (received, QOIMA_GS_VIA_CONTROL, FALSE, "");

  g_assert_false (result->ok);
  g_assert_nonnull (strstr (result->problem, "after 50 of"));
}

static void
test_separators_differ (void)
{
  const char *code = qoima_calibration_code ();
  size_t second_gs = strrchr (code, '\x1d') - code;
  g_autofree char *received = code_with (second_gs, "");
  g_autoptr(QoimaCalibrationResult) result =
    qoima_calibration_analyse (received, QOIMA_GS_VIA_CONTROL, FALSE, "\n");

  g_assert_false (result->ok);
  g_assert_false (result->gs_lost);
  g_assert_nonnull (strstr (result->problem, "“GS”"));
}

static void
test_unrelated_scan (void)
{
  const char *v01 = "0104607000000014215AbCdEfGh1234\x1d" "91EE06\x1d" "92tWWb94HnJKPCqjjx1VzokuBwLXwLa7IQbV6wdeFgieI=";
  g_autoptr(QoimaCalibrationResult) result =
    qoima_calibration_analyse (v01, QOIMA_GS_VIA_CONTROL, FALSE, "\n");
  g_autoptr(QoimaCalibrationResult) empty =
    qoima_calibration_analyse ("", QOIMA_GS_VIA_NONE, FALSE, "");

  g_assert_false (result->ok);
  g_assert_nonnull (result->problem);
  g_assert_false (empty->ok);
  g_assert_nonnull (strstr (empty->problem, "after 0 of"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/calibration/code/gs1-valid", test_code_is_gs1);
  g_test_add_func ("/calibration/code/gs1-parser", test_code_passes_gs1_parser);
  g_test_add_func ("/calibration/analyse/exact", test_exact);
  g_test_add_func ("/calibration/analyse/f8-and-tab", test_f8_and_tab);
  g_test_add_func ("/calibration/analyse/gs-lost", test_gs_lost);
  g_test_add_func ("/calibration/analyse/substitute", test_substitute);
  g_test_add_func ("/calibration/analyse/prefix-and-suffix", test_prefix_and_suffix);
  g_test_add_func ("/calibration/analyse/caps-lock-inverts", test_caps_lock_inverts);
  g_test_add_func ("/calibration/analyse/caps-lock-harmless", test_caps_lock_harmless);
  g_test_add_func ("/calibration/analyse/layout-mismatch", test_layout_mismatch);
  g_test_add_func ("/calibration/analyse/cyrillic", test_cyrillic);
  g_test_add_func ("/calibration/analyse/dropped-character", test_dropped_character);
  g_test_add_func ("/calibration/analyse/truncated", test_truncated);
  g_test_add_func ("/calibration/analyse/separators-differ", test_separators_differ);
  g_test_add_func ("/calibration/analyse/unrelated-scan", test_unrelated_scan);

  return g_test_run ();
}
