/* qoima-keymap.h: hardware keycodes -> the characters a scanner meant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* XKB keycodes (Linux evdev code + 8) that the scanner pipeline treats specially. */
#define QOIMA_KEYCODE_RETURN     36
#define QOIMA_KEYCODE_KP_ENTER   104
#define QOIMA_KEYCODE_TAB        23
#define QOIMA_KEYCODE_BRACKETRIGHT 35 /* the `]` key position: Ctrl + it = GS */
#define QOIMA_KEYCODE_F8         74

/**
 * qoima_keymap_us_char:
 * @keycode: an XKB hardware keycode (evdev + 8)
 * @shift: whether Shift was held
 *
 * The character the key position gives on a US keyboard, whatever layout the host has
 * active: a USB scanner thinks in US key positions. Keypad digits count as digits.
 *
 * Returns: the ASCII character, or 0 for a key that makes no printable character
 */
char     qoima_keymap_us_char (unsigned keycode,
                               gboolean shift);

/**
 * qoima_keymap_remap_text:
 * @text: text typed by a US-layout scanner while a ru or kz layout was active
 * @changed: (out) (optional): set to %TRUE when any character was remapped
 *
 * Maps every character back through key positions, so that "й" becomes "q" and "қ"
 * becomes "0". The layout is decided for the whole text: xkb `kz` basic when the text
 * holds a letter only Kazakh has (ә і ң ғ ү ұ қ ө һ), else `ru` winkeys. The `]` key's
 * characters ("ъ", "Ъ") become GS. Call it only when the text holds Cyrillic or Kazakh
 * letters: then every character came through the wrong layout, punctuation included.
 * Characters that neither layout makes (GS, CR, Latin letters) are kept as they are.
 * The remap is character for character: the result has exactly as many characters as
 * @text, so positions in it are positions in @text.
 *
 * Returns: (transfer full): the remapped text
 */
char    *qoima_keymap_remap_text (const char *text,
                                  gboolean   *changed);

G_END_DECLS
