/* qoima-calibration.c: learn how a scanner delivers GS, prefix and suffix
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-calibration"

#include "config.h"

#include "qoima-calibration.h"

#include <glib/gi18n.h>
#include <string.h>

#define GS_CHAR '\x1d'

/* The parts of the calibration code. The GTIN's check digit is right (0487000000000 → 5);
 * the serial is the pharma 13 characters in mixed case; AI 91 holds all 82 characters of
 * GS1 CSET 82 (its format X..90 allows that many); AI 92 is a 44-character tail. */
#define CALIBRATION_KI "01" "04870000000005" "21" "3CaLiBrAtIoN1"
#define CALIBRATION_91 "91" "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
#define CALIBRATION_92 "92" "CaLiBrAtIoN+QoImA/0123456789=zYxWvUtSrQpOnMl"

static const char calibration_code[] = CALIBRATION_KI "\x1d" CALIBRATION_91 "\x1d" CALIBRATION_92;

/* How many characters after a GS identify where the next element starts: its AI. */
#define ANCHOR_LEN 2

/* How many characters must agree to tell a dropped or an extra character. */
#define LOOKAHEAD_LEN 4

/* The longest text a scanner may send in place of GS ("<GS>", "ъ", "\x_GS"…). */
#define MAX_SEPARATOR_LEN 16

typedef struct {
  gboolean inverted;   /* letters compared with their case inverted */
  size_t code_pos;     /* where in the calibration code the walk stopped */
  size_t body_pos;     /* where in the received text it stopped */
  gboolean complete;   /* the whole code was matched */
  char *separators[2]; /* what stood where GS should be */
  unsigned n_separators;
} Walk;

static void
walk_clear (Walk *walk)
{
  for (unsigned i = 0; i < walk->n_separators; i++)
    g_free (walk->separators[i]);
  walk->n_separators = 0;
}

static gboolean
char_matches (char     received,
              char     expected,
              gboolean inverted)
{
  if (inverted && g_ascii_isalpha (expected))
    {
      if (g_ascii_isupper (expected))
        return received == g_ascii_tolower (expected);
      return received == g_ascii_toupper (expected);
    }
  return received == expected;
}

static gboolean
text_matches (const char *received,
              const char *expected,
              size_t      len,
              gboolean    inverted)
{
  for (size_t k = 0; k < len; k++)
    {
      if (received[k] == '\0' || expected[k] == '\0')
        return received[k] == expected[k];
      if (!char_matches (received[k], expected[k], inverted))
        return FALSE;
    }
  return TRUE;
}

/* Compares @body with the calibration code character by character. At each GS of the code
 * it takes whatever stands before the start of the next element as the separator. */
static void
walk_code (const char *body,
           gboolean    inverted,
           Walk       *walk)
{
  const char *code = calibration_code;
  size_t i = 0;
  size_t j = 0;

  memset (walk, 0, sizeof (*walk));
  walk->inverted = inverted;

  while (code[j] != '\0')
    {
      if (code[j] == GS_CHAR)
        {
          const char *anchor = code + j + 1;
          int found = -1;

          for (int d = 0; d <= MAX_SEPARATOR_LEN; d++)
            {
              if (text_matches (body + i + d, anchor, ANCHOR_LEN, inverted))
                {
                  found = d;
                  break;
                }
              if (body[i + d] == '\0')
                break;
            }
          /* A GS followed by a damaged AI: the damage is reported at the AI. */
          if (found < 0 && body[i] == GS_CHAR)
            found = 1;
          if (found < 0)
            break;

          g_assert (walk->n_separators < G_N_ELEMENTS (walk->separators));
          walk->separators[walk->n_separators++] = g_strndup (body + i, found);
          i += found;
          j++;
          continue;
        }

      if (body[i] == '\0' || !char_matches (body[i], code[j], inverted))
        break;
      i++;
      j++;
    }

  walk->code_pos = j;
  walk->body_pos = i;
  walk->complete = code[j] == '\0';
}

static void
invert_case (char *text)
{
  for (char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isupper (*p))
        *p = g_ascii_tolower (*p);
      else if (g_ascii_islower (*p))
        *p = g_ascii_toupper (*p);
    }
}

/* A character of a scan as the user should see it named. */
static char *
describe_char (const char *p)
{
  gunichar c;

  if (*p == '\0')
    return g_strdup (_("nothing"));
  if (*p == GS_CHAR)
    return g_strdup ("GS");
  if (*p == ' ')
    return g_strdup (_("a space"));

  c = g_utf8_get_char_validated (p, -1);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    return g_strdup_printf ("\\x%02X", (unsigned) (unsigned char) *p);
  if (g_unichar_iscntrl (c))
    return g_strdup_printf ("U+%04X", c);
  return g_ucs4_to_utf8 (&c, 1, NULL, NULL, NULL);
}

/* What stood where GS should be, as the user should see it. */
static char *
describe_separator (const char *separator)
{
  GString *text;

  if (*separator == '\0')
    return g_strdup (_("nothing"));

  text = g_string_new (NULL);
  for (const char *p = separator; *p != '\0'; p++)
    {
      if (*p == GS_CHAR)
        g_string_append (text, "GS");
      else
        g_string_append_c (text, *p);
    }
  return g_string_free (text, FALSE);
}

static char *
describe_mismatch (const char *body,
                   const Walk *walk)
{
  const char *code = calibration_code;
  const char *received = body + walk->body_pos;
  const char *expected = code + walk->code_pos;
  int position = (int) walk->code_pos + 1;
  g_autofree char *expected_text = describe_char (expected);
  g_autofree char *received_text = describe_char (received);

  if (*received == '\0')
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The scan stopped after %d of %d character of the calibration code: "
                                         "the scanner drops characters or was interrupted. Scan the whole code again.",
                                         "The scan stopped after %d of %d characters of the calibration code: "
                                         "the scanner drops characters or was interrupted. Scan the whole code again.",
                                         (gulong) strlen (code)),
                            (int) walk->code_pos, (int) strlen (code));

  if (*expected != GS_CHAR && text_matches (received, expected + 1, LOOKAHEAD_LEN, walk->inverted))
    return g_strdup_printf (_("Character %d of the calibration code (“%s”) did not arrive: the scanner "
                              "drops characters. Increase the scanner's inter-key delay and scan again."),
                            position, expected_text);

  if (*expected != GS_CHAR && text_matches (received + 1, expected, LOOKAHEAD_LEN, walk->inverted))
    return g_strdup_printf (_("An unexpected “%s” arrived before character %d of the calibration code. "
                              "Check the scanner's settings and scan again."),
                            received_text, position);

  if ((unsigned char) *received >= 0x80
      || (g_ascii_ispunct (*received) && g_ascii_ispunct (*expected)))
    return g_strdup_printf (_("Character %d of the calibration code should be “%s” but “%s” arrived: "
                              "the scanner types with another keyboard layout. Set the scanner to the "
                              "US keyboard layout and scan again."),
                            position, expected_text, received_text);

  if (g_ascii_isalpha (*expected) && g_ascii_isalpha (*received)
      && g_ascii_tolower (*expected) == g_ascii_tolower (*received))
    return g_strdup_printf (_("Letters arrive in the wrong case (character %d should be “%s”, “%s” "
                              "arrived). Switch Caps Lock off or turn off the scanner's case "
                              "conversion, then scan again."),
                            position, expected_text, received_text);

  return g_strdup_printf (_("Character %d of the calibration code should be “%s” but “%s” arrived. "
                            "Check the scanner's keyboard layout and speed, then scan again."),
                          position, expected_text, received_text);
}

/**
 * qoima_calibration_code:
 *
 * The calibration marking code: GS1-valid (01 + 21 + 91 + 92 with GS separators) and
 * holding every GS1 CSET 82 character.
 *
 * Returns: the code, GS as 0x1D, without a leading FNC1
 */
const char *
qoima_calibration_code (void)
{
  return calibration_code;
}

void
qoima_calibration_result_free (QoimaCalibrationResult *result)
{
  if (result == NULL)
    return;

  g_free (result->gs_substitute);
  g_free (result->prefix);
  g_free (result->terminator);
  g_free (result->problem);
  g_free (result);
}

/**
 * qoima_calibration_analyse:
 * @received: the text the scan reader produced for the calibration symbol
 * @gs_via: how the reader saw GS arrive
 * @caps_lock: whether Caps Lock was on during the burst
 * @terminator: the terminator the reader saw
 *
 * Compares @received with qoima_calibration_code() and says what the scanner does.
 *
 * Returns: (transfer full): the findings
 */
QoimaCalibrationResult *
qoima_calibration_analyse (const char *received,
                           QoimaGsVia  gs_via,
                           gboolean    caps_lock,
                           const char *terminator)
{
  g_autoptr(QoimaCalibrationResult) result = g_new0 (QoimaCalibrationResult, 1);
  const char *start;
  const char *body;
  Walk plain;
  Walk inverted;
  Walk *best;

  g_return_val_if_fail (received != NULL, NULL);

  if (terminator == NULL)
    terminator = "";

  result->gs_via = QOIMA_GS_VIA_NONE;
  result->terminator = g_strdup (terminator);

  /* Whatever comes before the identification code is the scanner's prefix (an AIM
   * identifier such as "]d2" or a configured text). */
  start = strstr (received, CALIBRATION_KI);
  if (start == NULL)
    start = strstr (received, "010487");
  body = start != NULL ? start : received;
  result->prefix = g_strndup (received, body - received);

  walk_code (body, FALSE, &plain);
  walk_code (body, TRUE, &inverted);

  if (plain.complete)
    best = &plain;
  else if (inverted.complete && caps_lock)
    best = &inverted;
  else
    best = inverted.code_pos > plain.code_pos ? &inverted : &plain;

  if (!best->complete)
    {
      result->problem = describe_mismatch (body, best);
    }
  else if (best->inverted && !caps_lock)
    {
      /* Without Caps Lock an inverted case is the scanner's own doing. */
      result->problem = g_strdup (_("All letters arrived in the wrong case although Caps Lock is off. "
                                    "Turn off the scanner's case conversion and scan again."));
    }
  else
    {
      const char *first = best->separators[0];
      const char *second = best->separators[1];
      const char *rest = body + best->body_pos;

      g_assert (best->n_separators == 2);

      result->caps_lock_inverts = best->inverted;

      /* The prefix, suffix and GS substitute came through the same inversion. */
      if (best->inverted)
        {
          invert_case (result->prefix);
          invert_case (best->separators[0]);
          invert_case (best->separators[1]);
        }

      /* Characters after the code are a suffix the scanner adds. */
      if (*rest != '\0')
        {
          g_free (result->terminator);
          result->terminator = g_strdup (rest);
          if (best->inverted)
            invert_case (result->terminator);
        }

      if (strcmp (first, second) != 0)
        {
          g_autofree char *first_text = describe_separator (first);
          g_autofree char *second_text = describe_separator (second);

          result->problem = g_strdup_printf (_("The two GS separators of the calibration code arrived "
                                               "differently (“%s” and “%s”). Check the scanner's "
                                               "settings for control characters and scan again."),
                                             first_text, second_text);
        }
      else if (*first == '\0')
        {
          result->gs_lost = TRUE;
          result->ok = TRUE;
        }
      else if (strcmp (first, "\x1d") == 0)
        {
          result->gs_via = gs_via;
          result->ok = TRUE;
        }
      else
        {
          result->gs_via = QOIMA_GS_VIA_SUBSTITUTE;
          result->gs_substitute = g_strdup (first);
          result->ok = TRUE;
        }
    }

  g_debug ("Calibration: ok=%d gs_via=%d gs_lost=%d prefix=“%s” caps_lock_inverts=%d",
           result->ok, result->gs_via, result->gs_lost, result->prefix, result->caps_lock_inverts);

  walk_clear (&plain);
  walk_clear (&inverted);
  return g_steal_pointer (&result);
}
