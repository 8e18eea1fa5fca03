/* fuzz-scan-reader.c: key events from a keyboard-wedge scanner, read into scans and parsed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte sets the reader up (GS substitute, prefix, suffix, text input); then every
 * four bytes are one key press: keycode, modifiers, the character the layout typed (an index
 * into a table of Latin, Cyrillic and Kazakh letters; 0: none) and the milliseconds since the
 * previous key. What the reader emits goes where the window sends it: to the GS1 parser, and
 * to the calibration analysis.
 */

#include "config.h"

#include "qoima-calibration.h"
#include "qoima-fuzz.h"
#include "qoima-gs1.h"
#include "qoima-scan-reader.h"

#include <stdlib.h>

static const gunichar typed_chars[] = {
  0, '0', '1', '9', 'A', 'Z', 'a', 'z', '!', '"', '%', '&', '(', '+', '/', ':', ';', '<', '=',
  '>', '?', '_', ']', 0x1d, '\n', '\t', 0x0439 /* й */, 0x044a /* ъ */, 0x042a /* Ъ */,
  0x049b /* қ */, 0x04d9 /* ә */, 0x0451 /* ё */, 0x0416 /* Ж */, 0x2116 /* № */,
};

static void
scanned_cb (QoimaScanReader *reader,
            const char      *text,
            QoimaGsVia       gs_via,
            gboolean         caps_lock,
            const char      *prefix_seen,
            const char      *terminator,
            gpointer         user_data)
{
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(QoimaCalibrationResult) calibration = NULL;

  if (text == NULL || prefix_seen == NULL || terminator == NULL || !g_utf8_validate (text, -1, NULL))
    abort ();
  code = qoima_gs1_parse (text, NULL, NULL);
  calibration = qoima_calibration_analyse (text, gs_via, caps_lock, terminator);
}

static void
text_cb (QoimaScanReader *reader,
         const char      *text,
         gpointer         user_data)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    abort ();
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  qoima_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const substitutes[] = { NULL, "<GS>", "^]", "" };
  static const char * const affixes[] = { NULL, "", "]d2", "\t" };
  g_autoptr(QoimaScanReader) reader = qoima_scan_reader_new ();
  guint32 time_ms = 1000;

  if (size < 1)
    return -1;
  qoima_scan_reader_set_gs_substitute (reader, substitutes[data[0] & 3]);
  qoima_scan_reader_set_prefix (reader, affixes[(data[0] >> 2) & 3]);
  qoima_scan_reader_set_suffix (reader, affixes[(data[0] >> 4) & 3]);
  qoima_scan_reader_set_text_input (reader, (data[0] >> 6) & 1);
  qoima_scan_reader_set_caps_lock_inverts (reader, data[0] >> 7);
  g_signal_connect (reader, "scanned", G_CALLBACK (scanned_cb), NULL);
  g_signal_connect (reader, "burst-dropped", G_CALLBACK (text_cb), NULL);
  g_signal_connect (reader, "typed", G_CALLBACK (text_cb), NULL);

  for (size_t i = 1; i + 3 < size; i += 4)
    {
      gunichar typed = typed_chars[data[i + 2] % G_N_ELEMENTS (typed_chars)];

      time_ms += data[i + 3];
      if (typed != 0)
        (void) qoima_scan_reader_key_pressed_typed (reader, data[i], data[i + 1] & 0xf, typed, time_ms);
      else
        (void) qoima_scan_reader_key_pressed (reader, data[i], data[i + 1] & 0xf, time_ms);
    }
  (void) qoima_scan_reader_flush (reader);
  return 0;
}
