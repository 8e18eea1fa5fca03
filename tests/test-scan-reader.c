/* test-scan-reader.c: key bursts from a keyboard-wedge scanner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-calibration.h"
#include "qoima-keymap.h"
#include "qoima-scan-reader.h"

#include <string.h>

/* The V01 pharma marking code of gs1-vectors.json. */
#define V01 "0104607000000014215AbCdEfGh1234\x1d" "91EE06\x1d" "92tWWb94HnJKPCqjjx1VzokuBwLXwLa7IQbV6wdeFgieI="

#define KEYCODE_SHIFT_L 50
#define KEYCODE_CONTROL_L 37
#define KEYCODE_CAPS_LOCK 66
#define KEYCODE_BACKSPACE 22

typedef enum {
  GS_AS_CONTROL,
  GS_AS_F8,
  GS_AS_TEXT, /* the text holds the substitute already */
} GsMode;

typedef struct {
  QoimaScanReader *reader;
  guint32 now;
  unsigned step_ms;

  /* What the signals reported. */
  GPtrArray *scanned;   /* texts */
  int gs_via;
  gboolean caps_lock;
  char *prefix_seen;
  char *terminator;
  GPtrArray *dropped;
  GPtrArray *typed;     /* what ::typed gave a text field */
  unsigned n_started;

  /* Verdicts of the last typed text. */
  GArray *verdicts;
} Fixture;

/* The US key positions the test types on: the inverse of qoima_keymap_us_char(). */
static const struct {
  unsigned keycode;
  char plain;
  char shifted;
} us_keys[] = {
  { 10, '1', '!' }, { 11, '2', '@' }, { 12, '3', '#' }, { 13, '4', '$' }, { 14, '5', '%' },
  { 15, '6', '^' }, { 16, '7', '&' }, { 17, '8', '*' }, { 18, '9', '(' }, { 19, '0', ')' },
  { 20, '-', '_' }, { 21, '=', '+' },
  { 24, 'q', 'Q' }, { 25, 'w', 'W' }, { 26, 'e', 'E' }, { 27, 'r', 'R' }, { 28, 't', 'T' },
  { 29, 'y', 'Y' }, { 30, 'u', 'U' }, { 31, 'i', 'I' }, { 32, 'o', 'O' }, { 33, 'p', 'P' },
  { 34, '[', '{' }, { 35, ']', '}' },
  { 38, 'a', 'A' }, { 39, 's', 'S' }, { 40, 'd', 'D' }, { 41, 'f', 'F' }, { 42, 'g', 'G' },
  { 43, 'h', 'H' }, { 44, 'j', 'J' }, { 45, 'k', 'K' }, { 46, 'l', 'L' }, { 47, ';', ':' },
  { 48, '\'', '"' }, { 49, '`', '~' }, { 51, '\\', '|' },
  { 52, 'z', 'Z' }, { 53, 'x', 'X' }, { 54, 'c', 'C' }, { 55, 'v', 'V' }, { 56, 'b', 'B' },
  { 57, 'n', 'N' }, { 58, 'm', 'M' }, { 59, ',', '<' }, { 60, '.', '>' }, { 61, '/', '?' },
  { 65, ' ', ' ' },
};

static gboolean
us_key_for_char (char      c,
                 unsigned *keycode,
                 gboolean *shift)
{
  for (size_t i = 0; i < G_N_ELEMENTS (us_keys); i++)
    {
      if (us_keys[i].plain == c || us_keys[i].shifted == c)
        {
          *keycode = us_keys[i].keycode;
          *shift = us_keys[i].plain != c;
          return TRUE;
        }
    }
  return FALSE;
}

static void
scanned_cb (QoimaScanReader *reader,
            const char      *text,
            int              gs_via,
            gboolean         caps_lock,
            const char      *prefix_seen,
            const char      *terminator,
            Fixture         *fixture)
{
  /* Handlers run with the burst already closed. */
  g_assert_false (qoima_scan_reader_is_busy (reader));

  g_ptr_array_add (fixture->scanned, g_strdup (text));
  fixture->gs_via = gs_via;
  fixture->caps_lock = caps_lock;
  g_free (fixture->prefix_seen);
  fixture->prefix_seen = g_strdup (prefix_seen);
  g_free (fixture->terminator);
  fixture->terminator = g_strdup (terminator);
}

static void
dropped_cb (QoimaScanReader *reader,
            const char      *text,
            Fixture         *fixture)
{
  g_ptr_array_add (fixture->dropped, g_strdup (text));
}

static void
typed_cb (QoimaScanReader *reader,
          const char      *text,
          Fixture         *fixture)
{
  g_assert_false (qoima_scan_reader_is_busy (reader));
  g_ptr_array_add (fixture->typed, g_strdup (text));
}

static void
started_cb (QoimaScanReader *reader,
            Fixture         *fixture)
{
  fixture->n_started++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->reader = qoima_scan_reader_new ();
  fixture->now = 1000000;
  fixture->step_ms = 15;
  fixture->scanned = g_ptr_array_new_with_free_func (g_free);
  fixture->dropped = g_ptr_array_new_with_free_func (g_free);
  fixture->typed = g_ptr_array_new_with_free_func (g_free);
  fixture->gs_via = -1;
  fixture->verdicts = g_array_new (FALSE, FALSE, sizeof (QoimaKeyVerdict));
  g_signal_connect (fixture->reader, "scanned", G_CALLBACK (scanned_cb), fixture);
  g_signal_connect (fixture->reader, "burst-dropped", G_CALLBACK (dropped_cb), fixture);
  g_signal_connect (fixture->reader, "burst-started", G_CALLBACK (started_cb), fixture);
  g_signal_connect (fixture->reader, "typed", G_CALLBACK (typed_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_assert_finalize_object (fixture->reader);
  g_ptr_array_unref (fixture->scanned);
  g_ptr_array_unref (fixture->dropped);
  g_ptr_array_unref (fixture->typed);
  g_array_unref (fixture->verdicts);
  g_free (fixture->prefix_seen);
  g_free (fixture->terminator);
}

/* Presses one key step_ms after the previous one, recording the verdict. */
static QoimaKeyVerdict
press (Fixture     *fixture,
       unsigned     keycode,
       QoimaKeyMods mods)
{
  QoimaKeyVerdict verdict;

  fixture->now += fixture->step_ms;
  verdict = qoima_scan_reader_key_pressed (fixture->reader, keycode, mods, fixture->now);
  g_array_append_val (fixture->verdicts, verdict);
  return verdict;
}

/* Types @text as a US-layout scanner does: a Shift press before shifted characters, GS as
 * @gs_mode says. With @caps_compensates, the scanner knows Caps Lock is on and sends
 * letters with the opposite Shift state. The Shift and Ctrl presses get no verdict slot:
 * they are modifiers and always pass. */
static void
type_text (Fixture     *fixture,
           const char  *text,
           GsMode       gs_mode,
           QoimaKeyMods extra_mods,
           gboolean     caps_compensates)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      unsigned keycode;
      gboolean shift;
      QoimaKeyMods mods = extra_mods;

      if (*p == '\x1d' && gs_mode == GS_AS_CONTROL)
        {
          g_assert_cmpint (qoima_scan_reader_key_pressed (fixture->reader, KEYCODE_CONTROL_L, mods,
                                                          fixture->now + 1), ==, QOIMA_KEY_PASS);
          press (fixture, QOIMA_KEYCODE_BRACKETRIGHT, mods | QOIMA_KEY_MOD_CONTROL);
          continue;
        }
      if (*p == '\x1d' && gs_mode == GS_AS_F8)
        {
          press (fixture, QOIMA_KEYCODE_F8, mods);
          continue;
        }

      g_assert_true (us_key_for_char (*p, &keycode, &shift));
      if (caps_compensates && (extra_mods & QOIMA_KEY_MOD_LOCK) && g_ascii_isalpha (*p))
        shift = !shift;
      if (shift)
        {
          g_assert_cmpint (qoima_scan_reader_key_pressed (fixture->reader, KEYCODE_SHIFT_L, mods,
                                                          fixture->now + 1), ==, QOIMA_KEY_PASS);
          mods |= QOIMA_KEY_MOD_SHIFT;
        }
      press (fixture, keycode, mods);
    }
}

static unsigned
count_verdicts (Fixture        *fixture,
                QoimaKeyVerdict verdict)
{
  unsigned n = 0;

  for (unsigned i = 0; i < fixture->verdicts->len; i++)
    if (g_array_index (fixture->verdicts, QoimaKeyVerdict, i) == verdict)
      n++;
  return n;
}

static QoimaKeyVerdict
verdict_at (Fixture *fixture,
            unsigned i)
{
  g_assert_cmpuint (i, <, fixture->verdicts->len);
  return g_array_index (fixture->verdicts, QoimaKeyVerdict, i);
}

static void
assert_one_scan (Fixture    *fixture,
                 const char *text)
{
  g_assert_cmpuint (fixture->scanned->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->scanned, 0), ==, text);
}

static void
test_ctrl_bracket_gs (Fixture       *fixture,
                      gconstpointer  user_data)
{
  type_text (fixture, V01, GS_AS_CONTROL, 0, FALSE);
  g_assert_true (qoima_scan_reader_is_busy (fixture->reader));
  g_assert_cmpuint (fixture->scanned->len, ==, 0);
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_RETURN, 0), ==, QOIMA_KEY_CONSUMED);

  assert_one_scan (fixture, V01);
  g_assert_cmpint (fixture->gs_via, ==, QOIMA_GS_VIA_CONTROL);
  g_assert_false (fixture->caps_lock);
  g_assert_cmpstr (fixture->prefix_seen, ==, "");
  g_assert_cmpstr (fixture->terminator, ==, "\n");
  g_assert_cmpuint (fixture->n_started, ==, 1);
  g_assert_cmpuint (fixture->dropped->len, ==, 0);
  g_assert_false (qoima_scan_reader_is_busy (fixture->reader));

  /* The reader cannot tell the first three keys from typing; every later key is swallowed. */
  g_assert_cmpuint (fixture->verdicts->len, ==, strlen (V01) + 1);
  g_assert_cmpint (verdict_at (fixture, 0), ==, QOIMA_KEY_PASS);
  g_assert_cmpint (verdict_at (fixture, 1), ==, QOIMA_KEY_PASS);
  g_assert_cmpint (verdict_at (fixture, 2), ==, QOIMA_KEY_PASS);
  g_assert_cmpint (verdict_at (fixture, 3), ==, QOIMA_KEY_CONSUMED);
  g_assert_cmpuint (count_verdicts (fixture, QOIMA_KEY_PASS), ==, 3);
}

static void
test_f8_gs (Fixture       *fixture,
            gconstpointer  user_data)
{
  type_text (fixture, V01, GS_AS_F8, 0, FALSE);
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_KP_ENTER, 0), ==, QOIMA_KEY_CONSUMED);

  assert_one_scan (fixture, V01);
  g_assert_cmpint (fixture->gs_via, ==, QOIMA_GS_VIA_F8);
  g_assert_cmpstr (fixture->terminator, ==, "\n");
}

static void
test_substitute_gs (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const char *typed = "0104607000000014215AbCdEfGh1234<GS>91EE06<GS>92tWWb94HnJKPCqjjx1VzokuBwLXwLa7IQbV6wdeFgieI=";

  qoima_scan_reader_set_gs_substitute (fixture->reader, "<GS>");
  type_text (fixture, typed, GS_AS_TEXT, 0, FALSE);
  press (fixture, QOIMA_KEYCODE_TAB, 0);

  assert_one_scan (fixture, V01);
  g_assert_cmpint (fixture->gs_via, ==, QOIMA_GS_VIA_SUBSTITUTE);
  g_assert_cmpstr (fixture->terminator, ==, "\t");
}

static void
test_no_gs (Fixture       *fixture,
            gconstpointer  user_data)
{
  type_text (fixture, "0104607000000014215AbCdEfGh1234", GS_AS_TEXT, 0, FALSE);
  press (fixture, QOIMA_KEYCODE_RETURN, 0);

  assert_one_scan (fixture, "0104607000000014215AbCdEfGh1234");
  g_assert_cmpint (fixture->gs_via, ==, QOIMA_GS_VIA_NONE);
}

static void
test_prefix (Fixture       *fixture,
             gconstpointer  user_data)
{
  qoima_scan_reader_set_prefix (fixture->reader, "]d2");
  type_text (fixture, "]d2" V01, GS_AS_CONTROL, 0, FALSE);
  press (fixture, QOIMA_KEYCODE_RETURN, 0);

  assert_one_scan (fixture, V01);
  g_assert_cmpstr (fixture->prefix_seen, ==, "]d2");

  /* A scan without the prefix still counts; nothing is stripped. */
  fixture->now += 1000;
  type_text (fixture, V01, GS_AS_CONTROL, 0, FALSE);
  press (fixture, QOIMA_KEYCODE_RETURN, 0);
  g_assert_cmpuint (fixture->scanned->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->scanned, 1), ==, V01);
  g_assert_cmpstr (fixture->prefix_seen, ==, "");
}

static void
test_suffix (Fixture       *fixture,
             gconstpointer  user_data)
{
  unsigned n;

  qoima_scan_reader_set_suffix (fixture->reader, "#END");
  type_text (fixture, V01 "#END", GS_AS_CONTROL, 0, FALSE);

  /* The suffix ends the scan by itself. */
  assert_one_scan (fixture, V01);
  g_assert_cmpstr (fixture->terminator, ==, "#END");
  g_assert_false (qoima_scan_reader_is_busy (fixture->reader));

  /* An Enter the scanner sends after its suffix belongs to the scan too. */
  n = fixture->n_started;
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_RETURN, 0), ==, QOIMA_KEY_CONSUMED);
  g_assert_cmpuint (fixture->n_started, ==, n);
  g_assert_cmpuint (fixture->scanned->len, ==, 1);

  /* A later Enter is a person's. */
  fixture->now += 1000;
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_RETURN, 0), ==, QOIMA_KEY_PASS);
}

static void
test_human_typing (Fixture       *fixture,
                   gconstpointer  user_data)
{
  fixture->step_ms = 200;
  type_text (fixture, "Aspirin500", GS_AS_TEXT, 0, FALSE);
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_RETURN, 0), ==, QOIMA_KEY_PASS);

  g_assert_cmpuint (count_verdicts (fixture, QOIMA_KEY_CONSUMED), ==, 0);
  g_assert_cmpuint (fixture->scanned->len, ==, 0);
  /* Every slow key starts a burst of its own, which the next key ends as too short. */
  g_assert_cmpuint (fixture->n_started, ==, strlen ("Aspirin500"));
  g_assert_cmpuint (fixture->dropped->len, ==, strlen ("Aspirin500"));
  g_assert_false (qoima_scan_reader_is_busy (fixture->reader));
}

static void
test_fast_short_burst (Fixture       *fixture,
                       gconstpointer  user_data)
{
  /* A fast typist: the burst qualifies after three keys but is shorter than min-length. */
  type_text (fixture, "hello", GS_AS_TEXT, 0, FALSE);
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_RETURN, 0), ==, QOIMA_KEY_PASS);

  g_assert_cmpuint (fixture->scanned->len, ==, 0);
  g_assert_cmpuint (fixture->dropped->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->dropped, 0), ==, "hello");

  /* With a lower min-length the same burst is a scan. */
  fixture->now += 1000;
  g_array_set_size (fixture->verdicts, 0);
  qoima_scan_reader_set_min_length (fixture->reader, 5);
  type_text (fixture, "hello", GS_AS_TEXT, 0, FALSE);
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_RETURN, 0), ==, QOIMA_KEY_CONSUMED);
  assert_one_scan (fixture, "hello");
}

static void
test_flush (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_assert_false (qoima_scan_reader_flush (fixture->reader));
  g_assert_cmpuint (fixture->dropped->len, ==, 0);

  type_text (fixture, V01, GS_AS_CONTROL, 0, FALSE);
  g_assert_true (qoima_scan_reader_is_busy (fixture->reader));
  g_assert_true (qoima_scan_reader_flush (fixture->reader));
  g_assert_false (qoima_scan_reader_is_busy (fixture->reader));
  assert_one_scan (fixture, V01);
  g_assert_cmpstr (fixture->terminator, ==, "");

  /* A short burst flushed is dropped. */
  fixture->now += 1000;
  type_text (fixture, "abc", GS_AS_TEXT, 0, FALSE);
  g_assert_false (qoima_scan_reader_flush (fixture->reader));
  g_assert_cmpuint (fixture->dropped->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->dropped, 0), ==, "abc");
}

static void
test_stale_burst_ended_by_pause (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  /* The UI's flush timeout has not run yet, but the next key comes after a long pause. */
  type_text (fixture, V01, GS_AS_CONTROL, 0, FALSE);
  fixture->now += 500;
  g_assert_cmpint (press (fixture, 38, 0), ==, QOIMA_KEY_PASS);

  assert_one_scan (fixture, V01);
  g_assert_cmpstr (fixture->terminator, ==, "");
  g_assert_cmpuint (fixture->n_started, ==, 2);
  g_assert_true (qoima_scan_reader_is_busy (fixture->reader));

  /* Enter after a long pause is a person's, even with a burst open. */
  fixture->now += 500;
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_RETURN, 0), ==, QOIMA_KEY_PASS);
  g_assert_cmpuint (fixture->scanned->len, ==, 1);
  g_assert_cmpuint (fixture->dropped->len, ==, 1);
}

static void
test_max_gap (Fixture       *fixture,
              gconstpointer  user_data)
{
  /* 80 ms is still one burst, 81 ms is not. */
  fixture->step_ms = 80;
  type_text (fixture, V01, GS_AS_CONTROL, 0, FALSE);
  press (fixture, QOIMA_KEYCODE_RETURN, 0);
  assert_one_scan (fixture, V01);
  g_assert_cmpuint (fixture->n_started, ==, 1);

  fixture->step_ms = 81;
  type_text (fixture, V01, GS_AS_CONTROL, 0, FALSE);
  press (fixture, QOIMA_KEYCODE_RETURN, 0);
  g_assert_cmpuint (fixture->scanned->len, ==, 1);

  /* A slower scanner is accepted once max-gap-ms says so. */
  qoima_scan_reader_set_max_gap_ms (fixture->reader, 120);
  type_text (fixture, V01, GS_AS_CONTROL, 0, FALSE);
  press (fixture, QOIMA_KEYCODE_RETURN, 0);
  g_assert_cmpuint (fixture->scanned->len, ==, 2);
}

static void
test_modifiers_ignored (Fixture       *fixture,
                        gconstpointer  user_data)
{
  fixture->step_ms = 50;
  type_text (fixture, "abc", GS_AS_TEXT, 0, FALSE);
  /* A modifier press at +50 ms must not keep the burst alive for a key at +100 ms. */
  g_assert_cmpint (qoima_scan_reader_key_pressed (fixture->reader, KEYCODE_SHIFT_L, 0, fixture->now + 50),
                   ==, QOIMA_KEY_PASS);
  g_assert_cmpint (qoima_scan_reader_key_pressed (fixture->reader, KEYCODE_CAPS_LOCK, 0, fixture->now + 50),
                   ==, QOIMA_KEY_PASS);
  fixture->step_ms = 100;
  press (fixture, 38, 0);
  g_assert_cmpuint (fixture->n_started, ==, 2);
  g_assert_cmpuint (fixture->dropped->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->dropped, 0), ==, "abc");
}

static void
test_timestamp_wrap (Fixture       *fixture,
                     gconstpointer  user_data)
{
  /* Server timestamps are 32-bit milliseconds and wrap after 49.7 days. */
  fixture->now = G_MAXUINT32 - 200;
  type_text (fixture, V01, GS_AS_CONTROL, 0, FALSE);
  g_assert_cmpuint (fixture->now, <, 10000);
  press (fixture, QOIMA_KEYCODE_RETURN, 0);
  assert_one_scan (fixture, V01);
  g_assert_cmpuint (fixture->n_started, ==, 1);
}

static void
test_shortcut_ends_burst (Fixture       *fixture,
                          gconstpointer  user_data)
{
  type_text (fixture, "0104607000000014", GS_AS_TEXT, 0, FALSE);
  /* Ctrl+C, Alt+F: a person. */
  g_assert_cmpint (press (fixture, 54, QOIMA_KEY_MOD_CONTROL), ==, QOIMA_KEY_PASS);
  g_assert_false (qoima_scan_reader_is_busy (fixture->reader));
  assert_one_scan (fixture, "0104607000000014");
  g_assert_cmpstr (fixture->terminator, ==, "");

  type_text (fixture, "abc", GS_AS_TEXT, 0, FALSE);
  g_assert_cmpint (press (fixture, 41, QOIMA_KEY_MOD_ALT), ==, QOIMA_KEY_PASS);
  g_assert_cmpuint (fixture->dropped->len, ==, 1);

  /* Ctrl+Alt+] is not a GS either. */
  type_text (fixture, "abc", GS_AS_TEXT, 0, FALSE);
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_BRACKETRIGHT, QOIMA_KEY_MOD_CONTROL | QOIMA_KEY_MOD_ALT),
                   ==, QOIMA_KEY_PASS);
  g_assert_cmpuint (fixture->dropped->len, ==, 2);

  /* Backspace is not scanner input. */
  type_text (fixture, "abc", GS_AS_TEXT, 0, FALSE);
  g_assert_cmpint (press (fixture, KEYCODE_BACKSPACE, 0), ==, QOIMA_KEY_PASS);
  g_assert_cmpuint (fixture->dropped->len, ==, 3);
  g_assert_false (qoima_scan_reader_is_busy (fixture->reader));
}

static void
test_caps_lock_plain_scanner (Fixture       *fixture,
                              gconstpointer  user_data)
{
  /* Most scanners ignore the Caps Lock LED and press Shift for capitals; reading key
   * positions and Shift gives the right case whatever Caps Lock does to keyvals. */
  type_text (fixture, V01, GS_AS_CONTROL, QOIMA_KEY_MOD_LOCK, FALSE);
  press (fixture, QOIMA_KEYCODE_RETURN, QOIMA_KEY_MOD_LOCK);
  assert_one_scan (fixture, V01);
  g_assert_true (fixture->caps_lock);
}

static void
test_caps_lock_compensating_scanner (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  /* A scanner that knows Caps Lock is on sends the opposite Shift state for letters. */
  type_text (fixture, V01, GS_AS_CONTROL, QOIMA_KEY_MOD_LOCK, TRUE);
  press (fixture, QOIMA_KEYCODE_RETURN, QOIMA_KEY_MOD_LOCK);
  g_assert_cmpuint (fixture->scanned->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->scanned, 0), !=, V01);
  g_assert_cmpstr (g_ptr_array_index (fixture->scanned, 0), ==,
                   "0104607000000014215aBcDeFgH1234\x1d" "91ee06\x1d" "92TwwB94hNjkpcQJJX1vZOKUbWlxWlA7iqBv6WDEfGIEi=");

  /* Calibration learned it: the reader undoes the inversion. */
  qoima_scan_reader_set_caps_lock_inverts (fixture->reader, TRUE);
  fixture->now += 1000;
  type_text (fixture, V01, GS_AS_CONTROL, QOIMA_KEY_MOD_LOCK, TRUE);
  press (fixture, QOIMA_KEYCODE_RETURN, QOIMA_KEY_MOD_LOCK);
  g_assert_cmpuint (fixture->scanned->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->scanned, 1), ==, V01);
  g_assert_true (fixture->caps_lock);

  /* Without Caps Lock nothing is inverted. */
  fixture->now += 1000;
  type_text (fixture, V01, GS_AS_CONTROL, 0, FALSE);
  press (fixture, QOIMA_KEYCODE_RETURN, 0);
  g_assert_cmpuint (fixture->scanned->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (fixture->scanned, 2), ==, V01);
  g_assert_false (fixture->caps_lock);
}

static void
test_calibration_round_trip (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(QoimaCalibrationResult) result = NULL;
  g_autofree char *typed = g_strconcat ("]d2", qoima_calibration_code (), NULL);

  /* The whole calibration code, every CSET 82 character included, survives the key
   * position table; a reader with nothing configured hands it to calibration as is. */
  type_text (fixture, typed, GS_AS_CONTROL, QOIMA_KEY_MOD_LOCK, TRUE);
  press (fixture, QOIMA_KEYCODE_RETURN, QOIMA_KEY_MOD_LOCK);
  g_assert_cmpuint (fixture->scanned->len, ==, 1);

  result = qoima_calibration_analyse (g_ptr_array_index (fixture->scanned, 0),
                                      fixture->gs_via, fixture->caps_lock, fixture->terminator);
  g_assert_null (result->problem);
  g_assert_true (result->ok);
  g_assert_cmpint (result->gs_via, ==, QOIMA_GS_VIA_CONTROL);
  g_assert_cmpstr (result->prefix, ==, "]d2");
  g_assert_cmpstr (result->terminator, ==, "\n");
  g_assert_true (result->caps_lock_inverts);

  /* Configured as calibration says, the reader gives the code itself. */
  qoima_scan_reader_set_prefix (fixture->reader, result->prefix);
  qoima_scan_reader_set_caps_lock_inverts (fixture->reader, result->caps_lock_inverts);
  fixture->now += 1000;
  type_text (fixture, typed, GS_AS_CONTROL, QOIMA_KEY_MOD_LOCK, TRUE);
  press (fixture, QOIMA_KEYCODE_RETURN, QOIMA_KEY_MOD_LOCK);
  g_assert_cmpuint (fixture->scanned->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->scanned, 1), ==, qoima_calibration_code ());
}

/* A wristband scanner types an IIN into the focused Patient field at 60 ms per key: it is
 * the field's input, given back whole when the burst ends, and never a scan. */
static void
test_text_field_iin (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const char *iin = "850715400238";

  qoima_scan_reader_set_text_input (fixture->reader, TRUE);
  fixture->step_ms = 60;
  type_text (fixture, iin, GS_AS_CONTROL, 0, FALSE);

  /* The first keys reach the field; the rest are held until the burst is known. */
  g_assert_cmpint (verdict_at (fixture, 2), ==, QOIMA_KEY_PASS);
  g_assert_cmpint (verdict_at (fixture, 3), ==, QOIMA_KEY_CONSUMED);
  g_assert_cmpuint (fixture->typed->len, ==, 0);

  /* Its Enter is the field's too (the Use page logs on it). */
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_RETURN, 0), ==, QOIMA_KEY_PASS);
  g_assert_cmpuint (fixture->scanned->len, ==, 0);
  g_assert_cmpuint (fixture->typed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->typed, 0), ==, iin);

  /* Without a text field the same burst is still offered as a scan. */
  qoima_scan_reader_set_text_input (fixture->reader, FALSE);
  fixture->now += 1000;
  type_text (fixture, iin, GS_AS_CONTROL, 0, FALSE);
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_RETURN, 0), ==, QOIMA_KEY_CONSUMED);
  assert_one_scan (fixture, iin);
  g_assert_cmpuint (fixture->typed->len, ==, 1);
}

/* Under the ru layout a person types «МК-2024/118»: the field gets the Cyrillic text the
 * layout made, not the US key positions the reader reads. */
static void
test_text_field_layout (Fixture       *fixture,
                        gconstpointer  user_data)
{
  const struct {
    unsigned keycode;
    gboolean shift;
    gunichar typed;
  } keys[] = {
    { 55, TRUE, 0x041C }, { 27, TRUE, 0x041A }, { 20, FALSE, '-' }, { 11, FALSE, '2' },
    { 19, FALSE, '0' }, { 11, FALSE, '2' }, { 13, FALSE, '4' }, { 51, TRUE, '/' },
    { 10, FALSE, '1' }, { 10, FALSE, '1' }, { 17, FALSE, '8' },
  };

  qoima_scan_reader_set_text_input (fixture->reader, TRUE);
  for (size_t i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      fixture->now += 30;
      qoima_scan_reader_key_pressed_typed (fixture->reader, keys[i].keycode,
                                           keys[i].shift ? QOIMA_KEY_MOD_SHIFT : 0,
                                           keys[i].typed, fixture->now);
    }
  g_assert_false (qoima_scan_reader_flush (fixture->reader));

  g_assert_cmpuint (fixture->scanned->len, ==, 0);
  g_assert_cmpuint (fixture->typed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->typed, 0), ==, "МК-2024/118");
}

/* A marking code scanned while a text field has the focus is still a scan, and so is a
 * damaged one: only a GS1 symbol sends a GS. */
static void
test_text_field_marking_code (Fixture       *fixture,
                              gconstpointer  user_data)
{
  qoima_scan_reader_set_text_input (fixture->reader, TRUE);
  type_text (fixture, V01, GS_AS_CONTROL, 0, FALSE);
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_RETURN, 0), ==, QOIMA_KEY_CONSUMED);
  assert_one_scan (fixture, V01);
  g_assert_cmpuint (fixture->typed->len, ==, 0);

  fixture->now += 1000;
  type_text (fixture, "0104607000000015\x1d" "91EE06", GS_AS_CONTROL, 0, FALSE);
  g_assert_cmpint (press (fixture, QOIMA_KEYCODE_RETURN, 0), ==, QOIMA_KEY_CONSUMED);
  g_assert_cmpuint (fixture->scanned->len, ==, 2);
  g_assert_cmpuint (fixture->typed->len, ==, 0);
}

/* A fast typist's short burst: what was held back is given to the field; a burst too
 * short to have anything held back needs nothing. */
static void
test_text_field_short_burst (Fixture       *fixture,
                             gconstpointer  user_data)
{
  qoima_scan_reader_set_text_input (fixture->reader, TRUE);
  fixture->step_ms = 40;
  type_text (fixture, "amox", GS_AS_CONTROL, 0, FALSE);
  g_assert_cmpint (verdict_at (fixture, 3), ==, QOIMA_KEY_CONSUMED);
  g_assert_false (qoima_scan_reader_flush (fixture->reader));
  g_assert_cmpuint (fixture->typed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->typed, 0), ==, "amox");

  fixture->now += 1000;
  type_text (fixture, "ibu", GS_AS_CONTROL, 0, FALSE);
  g_assert_cmpuint (count_verdicts (fixture, QOIMA_KEY_CONSUMED), ==, 1);
  g_assert_false (qoima_scan_reader_flush (fixture->reader));
  g_assert_cmpuint (fixture->typed->len, ==, 1);
  g_assert_cmpuint (fixture->dropped->len, ==, 1);
  g_assert_cmpuint (fixture->scanned->len, ==, 0);
}

/* The scanner's prefix and suffix frame the input; they are not part of it. */
static void
test_text_field_framing (Fixture       *fixture,
                         gconstpointer  user_data)
{
  qoima_scan_reader_set_prefix (fixture->reader, "]C1");
  qoima_scan_reader_set_suffix (fixture->reader, "#");
  qoima_scan_reader_set_text_input (fixture->reader, TRUE);
  type_text (fixture, "]C1850715400238#", GS_AS_CONTROL, 0, FALSE);
  g_assert_cmpuint (fixture->scanned->len, ==, 0);
  g_assert_cmpuint (fixture->typed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->typed, 0), ==, "850715400238");
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           GPtrArray  *names)
{
  g_ptr_array_add (names, g_strdup (g_param_spec_get_name (pspec)));
}

static void
test_properties (void)
{
  g_autoptr(QoimaScanReader) reader = qoima_scan_reader_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *substitute = NULL;
  unsigned max_gap = 0;
  const char *all_names[] = {
    "gs-substitute", "prefix", "suffix", "max-gap-ms", "min-length", "caps-lock-inverts",
  };

  g_assert_cmpstr (qoima_scan_reader_get_gs_substitute (reader), ==, "");
  g_assert_cmpstr (qoima_scan_reader_get_prefix (reader), ==, "");
  g_assert_cmpstr (qoima_scan_reader_get_suffix (reader), ==, "");
  g_assert_cmpuint (qoima_scan_reader_get_max_gap_ms (reader), ==, 80);
  g_assert_cmpuint (qoima_scan_reader_get_min_length (reader), ==, 8);
  g_assert_false (qoima_scan_reader_get_caps_lock_inverts (reader));

  g_signal_connect (reader, "notify", G_CALLBACK (notify_cb), names);

  g_object_set (reader,
                "gs-substitute", "<GS>",
                "prefix", "]d2",
                "suffix", "\r",
                "max-gap-ms", 50u,
                "min-length", 20u,
                "caps-lock-inverts", TRUE,
                NULL);
  g_assert_cmpuint (names->len, ==, 6);
  for (size_t i = 0; i < G_N_ELEMENTS (all_names); i++)
    g_assert_true (g_ptr_array_find_with_equal_func (names, all_names[i], g_str_equal, NULL));

  /* Setting the same values again notifies nothing. */
  qoima_scan_reader_set_gs_substitute (reader, "<GS>");
  qoima_scan_reader_set_prefix (reader, "]d2");
  qoima_scan_reader_set_suffix (reader, "\r");
  qoima_scan_reader_set_max_gap_ms (reader, 50);
  qoima_scan_reader_set_min_length (reader, 20);
  qoima_scan_reader_set_caps_lock_inverts (reader, TRUE);
  g_assert_cmpuint (names->len, ==, 6);

  g_object_get (reader, "gs-substitute", &substitute, "max-gap-ms", &max_gap, NULL);
  g_assert_cmpstr (substitute, ==, "<GS>");
  g_assert_cmpuint (max_gap, ==, 50);
  g_assert_cmpuint (qoima_scan_reader_get_min_length (reader), ==, 20);
  g_assert_true (qoima_scan_reader_get_caps_lock_inverts (reader));

  /* NULL clears a string setting. */
  qoima_scan_reader_set_prefix (reader, NULL);
  g_assert_cmpstr (qoima_scan_reader_get_prefix (reader), ==, "");
  g_assert_cmpuint (names->len, ==, 7);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/scan-reader/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("gs/ctrl-bracket", test_ctrl_bracket_gs);
  ADD ("gs/f8", test_f8_gs);
  ADD ("gs/substitute", test_substitute_gs);
  ADD ("gs/none", test_no_gs);
  ADD ("prefix", test_prefix);
  ADD ("suffix", test_suffix);
  ADD ("timing/human-typing", test_human_typing);
  ADD ("timing/fast-short-burst", test_fast_short_burst);
  ADD ("timing/flush", test_flush);
  ADD ("timing/stale-burst", test_stale_burst_ended_by_pause);
  ADD ("timing/max-gap", test_max_gap);
  ADD ("timing/modifiers-ignored", test_modifiers_ignored);
  ADD ("timing/timestamp-wrap", test_timestamp_wrap);
  ADD ("shortcut-ends-burst", test_shortcut_ends_burst);
  ADD ("caps-lock/plain-scanner", test_caps_lock_plain_scanner);
  ADD ("caps-lock/compensating-scanner", test_caps_lock_compensating_scanner);
  ADD ("calibration-round-trip", test_calibration_round_trip);
  ADD ("text-field/iin", test_text_field_iin);
  ADD ("text-field/layout", test_text_field_layout);
  ADD ("text-field/marking-code", test_text_field_marking_code);
  ADD ("text-field/short-burst", test_text_field_short_burst);
  ADD ("text-field/framing", test_text_field_framing);
#undef ADD
  g_test_add_func ("/scan-reader/properties", test_properties);

  return g_test_run ();
}
