/* qoima-keymap.c: hardware keycodes -> the characters a scanner meant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-keymap"

#include "config.h"

#include "qoima-keymap.h"

#include "qoima-gs1.h"

#include <string.h>

/* The US layout by key position, in the order of the rows of a keyboard. The same
 * order is used for the ru and kz rows below, so the i-th character of each string
 * is the same physical key. Taken from xkb-data's symbols/us, symbols/ru ("winkeys",
 * the default variant) and symbols/kz ("basic"). */
#define US_ROWS_LOWER "`1234567890-=qwertyuiop[]asdfghjkl;'zxcvbnm,./\\"
#define US_ROWS_UPPER "~!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?|"

#define RU_ROWS_LOWER "ё1234567890-=йцукенгшщзхъфывапролджэячсмитьбю.\\"
#define RU_ROWS_UPPER "Ё!\"№;%:?*()_+ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,/"

#define KZ_ROWS_LOWER "(\"әіңғ,.үұқөһйцукенгшщзхъфывапролджэячсмитьбю№\\"
#define KZ_ROWS_UPPER ")!ӘІҢҒ;:ҮҰҚӨҺЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ?/"

/* Letters that only the Kazakh layout has: their presence decides the layout. */
#define KZ_ONLY_LETTERS "әіңғүұқөһӘІҢҒҮҰҚӨҺ"

#define N_KEYS 47

typedef struct {
  gunichar from;
  char to;
} KeyPair;

typedef struct {
  KeyPair pairs[2 * N_KEYS];
} InverseMap;

/* Keycodes 10–21, 24–35, 38–49, 51–61 and 65 make characters on the main block. */
static const char us_lower[128] = {
  [10] = '1', [11] = '2', [12] = '3', [13] = '4', [14] = '5', [15] = '6',
  [16] = '7', [17] = '8', [18] = '9', [19] = '0', [20] = '-', [21] = '=',
  [24] = 'q', [25] = 'w', [26] = 'e', [27] = 'r', [28] = 't', [29] = 'y',
  [30] = 'u', [31] = 'i', [32] = 'o', [33] = 'p', [34] = '[', [35] = ']',
  [38] = 'a', [39] = 's', [40] = 'd', [41] = 'f', [42] = 'g', [43] = 'h',
  [44] = 'j', [45] = 'k', [46] = 'l', [47] = ';', [48] = '\'', [49] = '`',
  [51] = '\\', [52] = 'z', [53] = 'x', [54] = 'c', [55] = 'v', [56] = 'b',
  [57] = 'n', [58] = 'm', [59] = ',', [60] = '.', [61] = '/', [65] = ' ',
};

static const char us_upper[128] = {
  [10] = '!', [11] = '@', [12] = '#', [13] = '$', [14] = '%', [15] = '^',
  [16] = '&', [17] = '*', [18] = '(', [19] = ')', [20] = '_', [21] = '+',
  [24] = 'Q', [25] = 'W', [26] = 'E', [27] = 'R', [28] = 'T', [29] = 'Y',
  [30] = 'U', [31] = 'I', [32] = 'O', [33] = 'P', [34] = '{', [35] = '}',
  [38] = 'A', [39] = 'S', [40] = 'D', [41] = 'F', [42] = 'G', [43] = 'H',
  [44] = 'J', [45] = 'K', [46] = 'L', [47] = ':', [48] = '"', [49] = '~',
  [51] = '|', [52] = 'Z', [53] = 'X', [54] = 'C', [55] = 'V', [56] = 'B',
  [57] = 'N', [58] = 'M', [59] = '<', [60] = '>', [61] = '?', [65] = ' ',
};

/* The keypad as with Num Lock on: scanners in "keypad mode" send digits from here,
 * and Shift does not change what they mean. */
static const char us_keypad[128] = {
  [63] = '*', [79] = '7', [80] = '8', [81] = '9', [82] = '-', [83] = '4',
  [84] = '5', [85] = '6', [86] = '+', [87] = '1', [88] = '2', [89] = '3',
  [90] = '0', [91] = '.', [106] = '/',
};

static void
fill_inverse (KeyPair    *pairs,
              const char *layout_row,
              const char *us_row)
{
  const char *p = layout_row;

  g_assert (g_utf8_strlen (layout_row, -1) == N_KEYS);
  g_assert (strlen (us_row) == N_KEYS);

  for (int i = 0; i < N_KEYS; i++, p = g_utf8_next_char (p))
    {
      pairs[i].from = g_utf8_get_char (p);
      pairs[i].to = us_row[i];
    }
}

static const InverseMap *
get_inverse_map (gboolean kazakh)
{
  static InverseMap maps[2];
  static gsize initialized = 0;

  /* Decode the UTF-8 rows once: a scan must be handled in well under a millisecond. */
  if (g_once_init_enter (&initialized))
    {
      fill_inverse (maps[0].pairs, RU_ROWS_LOWER, US_ROWS_LOWER);
      fill_inverse (maps[0].pairs + N_KEYS, RU_ROWS_UPPER, US_ROWS_UPPER);
      fill_inverse (maps[1].pairs, KZ_ROWS_LOWER, US_ROWS_LOWER);
      fill_inverse (maps[1].pairs + N_KEYS, KZ_ROWS_UPPER, US_ROWS_UPPER);
      g_once_init_leave (&initialized, 1);
    }

  return &maps[kazakh ? 1 : 0];
}

static gboolean
text_is_kazakh (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x0400 && g_utf8_strchr (KZ_ONLY_LETTERS, -1, c) != NULL)
        return TRUE;
    }

  return FALSE;
}

static gunichar
remap_char (const InverseMap *map,
            gunichar          c)
{
  /* The `]` key gives ъ/Ъ in both layouts, and `]`/`}` are never data (not CSET 82):
   * a scanner whose Ctrl was dropped meant GS. */
  if (c == 0x044A || c == 0x042A)
    return QOIMA_GS1_GS;

  for (unsigned i = 0; i < G_N_ELEMENTS (map->pairs); i++)
    {
      if (map->pairs[i].from == c)
        return (gunichar) map->pairs[i].to;
    }

  return c;
}

char
qoima_keymap_us_char (unsigned keycode,
                      gboolean shift)
{
  if (keycode >= G_N_ELEMENTS (us_lower))
    return 0;

  if (us_keypad[keycode] != 0)
    return us_keypad[keycode];

  return shift ? us_upper[keycode] : us_lower[keycode];
}

char *
qoima_keymap_remap_text (const char *text,
                         gboolean   *changed)
{
  const InverseMap *map;
  GString *out;
  gboolean any_changed = FALSE;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (g_utf8_validate (text, -1, NULL), NULL);

  map = get_inverse_map (text_is_kazakh (text));
  out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gunichar mapped = remap_char (map, c);

      if (mapped != c)
        any_changed = TRUE;
      g_string_append_unichar (out, mapped);
    }

  if (changed != NULL)
    *changed = any_changed;

  return g_string_free (out, FALSE);
}
