/* fuzz-keymap.c: the keyboard-layout remap and the keycode table on any input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-fuzz.h"
#include "qoima-keymap.h"

#include <stdlib.h>

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
  g_autofree char *text = qoima_fuzz_strndup (data, size);
  g_autofree char *remapped = NULL;
  gboolean changed = FALSE;

  /* Keycodes as a scanner's key events carry them: two bytes each, with shift. */
  for (size_t i = 0; i + 1 < size; i += 2)
    (void) qoima_keymap_us_char (data[i] | (data[i + 1] & 0x7f) << 8, data[i + 1] >> 7);

  if (!g_utf8_validate (text, -1, NULL))
    return 0;
  remapped = qoima_keymap_remap_text (text, &changed);
  /* The remap is character for character, so positions found in it hold in the original. */
  if (remapped == NULL || !g_utf8_validate (remapped, -1, NULL) ||
      g_utf8_strlen (remapped, -1) != g_utf8_strlen (text, -1))
    abort ();
  if (!changed && g_strcmp0 (remapped, text) != 0)
    abort ();
  return 0;
}
