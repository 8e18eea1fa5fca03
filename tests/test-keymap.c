/* test-keymap.c: the US keycode table and the ru/kz key-position remap
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-keymap"

#include "config.h"

#include "qoima-gs1.h"
#include "qoima-keymap.h"

#include <string.h>

/* The main block by key position, typed out independently of the implementation:
 * the keycode of each key, what US gives, and what ru (winkeys) and kz (basic) give,
 * as xkb-data's symbols files define them. */
static const unsigned keycodes[] = {
  49, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
  24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
  38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
  52, 53, 54, 55, 56, 57, 58, 59, 60, 61,
  51,
};
static const char us_lower[] = "`1234567890-=qwertyuiop[]asdfghjkl;'zxcvbnm,./\\";
static const char us_upper[] = "~!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?|";
static const char ru_lower[] = "ё1234567890-=йцукенгшщзхъфывапролджэячсмитьбю.\\";
static const char ru_upper[] = "Ё!\"№;%:?*()_+ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,/";
static const char kz_lower[] = "(\"әіңғ,.үұқөһйцукенгшщзхъфывапролджэячсмитьбю№\\";
static const char kz_upper[] = ")!ӘІҢҒ;:ҮҰҚӨҺЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ?/";

static void
test_us_main_block (void)
{
  g_assert_cmpuint (G_N_ELEMENTS (keycodes), ==, strlen (us_lower));
  g_assert_cmpuint (G_N_ELEMENTS (keycodes), ==, strlen (us_upper));

  for (unsigned i = 0; i < G_N_ELEMENTS (keycodes); i++)
    {
      g_assert_cmpint (qoima_keymap_us_char (keycodes[i], FALSE), ==, us_lower[i]);
      g_assert_cmpint (qoima_keymap_us_char (keycodes[i], TRUE), ==, us_upper[i]);
    }

  g_assert_cmpint (qoima_keymap_us_char (65, FALSE), ==, ' ');
  g_assert_cmpint (qoima_keymap_us_char (65, TRUE), ==, ' ');
  g_assert_cmpint (qoima_keymap_us_char (QOIMA_KEYCODE_BRACKETRIGHT, FALSE), ==, ']');
}

static void
test_us_keypad (void)
{
  /* KP_0…KP_9, then . / * - +; Num Lock counts as on, and Shift changes nothing. */
  static const unsigned kp[] = { 90, 87, 88, 89, 83, 84, 85, 79, 80, 81, 91, 106, 63, 82, 86 };
  static const char want[] = "0123456789./*-+";

  for (unsigned i = 0; i < G_N_ELEMENTS (kp); i++)
    {
      g_assert_cmpint (qoima_keymap_us_char (kp[i], FALSE), ==, want[i]);
      g_assert_cmpint (qoima_keymap_us_char (kp[i], TRUE), ==, want[i]);
    }
}

static void
test_us_not_printable (void)
{
  const unsigned none[] = {
    0, 8, 9 /* Escape */, 22 /* BackSpace */, QOIMA_KEYCODE_TAB, QOIMA_KEYCODE_RETURN,
    37 /* Control_L */, 50 /* Shift_L */, QOIMA_KEYCODE_F8, QOIMA_KEYCODE_KP_ENTER,
    127, 128, 255, 100000,
  };

  for (unsigned i = 0; i < G_N_ELEMENTS (none); i++)
    {
      g_assert_cmpint (qoima_keymap_us_char (none[i], FALSE), ==, 0);
      g_assert_cmpint (qoima_keymap_us_char (none[i], TRUE), ==, 0);
    }
}

/* Remapping a whole row must give the US row back, with the `]` key as GS. */
static void
assert_row_remaps (const char *layout_row,
                   const char *us_row)
{
  g_autofree char *want = g_strdup (us_row);
  g_autofree char *got = NULL;
  gboolean changed = FALSE;

  g_strdelimit (want, "]}", QOIMA_GS1_GS);
  got = qoima_keymap_remap_text (layout_row, &changed);
  g_assert_cmpstr (got, ==, want);
  g_assert_true (changed);
}

static void
test_ru_rows (void)
{
  assert_row_remaps (ru_lower, us_lower);
  assert_row_remaps (ru_upper, us_upper);
}

static void
test_kz_rows (void)
{
  assert_row_remaps (kz_lower, us_lower);
  assert_row_remaps (kz_upper, us_upper);
}

static void
assert_remap (const char *text,
              const char *want,
              gboolean    want_changed)
{
  g_autofree char *got = NULL;
  gboolean changed = !want_changed;

  got = qoima_keymap_remap_text (text, &changed);
  g_assert_cmpstr (got, ==, want);
  g_assert_cmpint (changed, ==, want_changed);
  g_assert_cmpint (g_utf8_strlen (got, -1), ==, g_utf8_strlen (text, -1));
}

static void
test_ru_punctuation (void)
{
  /* R11's serial: `.` and `,` are CSET 82 yet wrong, so they are remapped too. */
  assert_remap ("фЭи.сювжуЖа,Б", "a\"b/c.d;e:f?<", TRUE);
  assert_remap ("\"№;:?/", "@#$^&|", TRUE);
  assert_remap ("ъЪ", "\x1d\x1d", TRUE);
  /* Digits and the keys ru shares with us stay; so do GS, CR and Latin letters. */
  assert_remap ("й0123456789%*()-_=+!\\", "q0123456789%*()-_=+!\\", TRUE);
  assert_remap ("й\x1d\r\nAbc", "q\x1d\r\nAbc", TRUE);
  assert_remap ("0123", "0123", FALSE);
  assert_remap ("", "", FALSE);
}

static void
test_kz_punctuation (void)
{
  /* One Kazakh letter decides the layout for the whole text: then `"` is the 1 key,
   * `,` the 6 key, `.` the 7 key and `№` the slash key. */
  assert_remap ("қ\"әің", "01234", TRUE);
  assert_remap ("ғ,.үұөһ", "56789-=", TRUE);
  assert_remap ("Қ!ӘІҢҒ;:ҮҰӨҺ", ")!@#$%^&*(_+", TRUE);
  assert_remap ("қ()№?/\\", "0`~/?|\\", TRUE);
  /* Without a Kazakh letter the same punctuation is read as ru. */
  assert_remap ("й\".,", "q@/?", TRUE);
}

static void
test_vectors (void)
{
  /* R04 (kz), R05 and R11 (ru) from gs1-vectors.json. */
  assert_remap ("қ\"қң,қ.қққққққ\"ңә\"ғФиСвУаПр\"әің\x1dұ\"УУқ,\x1dұәеЦЦиұңРтОЛЗСйооч\"МящлгИцДЧцДф.ШЙиМ,цвуАпшуШһ",
                "0104607000000014215AbCdEfGh1234\x1d" "91EE06\x1d" "92tWWb94HnJKPCqjjx1VzokuBwLXwLa7IQbV6wdeFgieI=",
                TRUE);
  assert_remap ("0104607000000014215ФиСвУаПр1234ъ91УУ06ъ92еЦЦи94РтОЛЗСйооч1МящлгИцДЧцДф7ШЙиМ6цвуАпшуШ=",
                "0104607000000014215AbCdEfGh1234\x1d" "91EE06\x1d" "92tWWb94HnJKPCqjjx1VzokuBwLXwLa7IQbV6wdeFgieI=",
                TRUE);
  assert_remap ("010460700000001421фЭи.сювжуЖа,Б\x1d" "91УУ06\x1d" "92еЦЦи94РтОЛЗСйооч1МящлгИцДЧцДф7ШЙиМ6цвуАпшуШ=",
                "010460700000001421a\"b/c.d;e:f?<\x1d" "91EE06\x1d" "92tWWb94HnJKPCqjjx1VzokuBwLXwLa7IQbV6wdeFgieI=",
                TRUE);
}

static void
test_changed_optional (void)
{
  g_autofree char *got = qoima_keymap_remap_text ("йцу", NULL);

  g_assert_cmpstr (got, ==, "qwe");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/keymap/us/main-block", test_us_main_block);
  g_test_add_func ("/keymap/us/keypad", test_us_keypad);
  g_test_add_func ("/keymap/us/not-printable", test_us_not_printable);
  g_test_add_func ("/keymap/ru/rows", test_ru_rows);
  g_test_add_func ("/keymap/ru/punctuation", test_ru_punctuation);
  g_test_add_func ("/keymap/kz/rows", test_kz_rows);
  g_test_add_func ("/keymap/kz/punctuation", test_kz_punctuation);
  g_test_add_func ("/keymap/vectors", test_vectors);
  g_test_add_func ("/keymap/changed-optional", test_changed_optional);

  return g_test_run ();
}
