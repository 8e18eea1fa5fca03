/* qoima-gs1.c: scanned text -> the fields of a marking code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-gs1"

#include "config.h"

#include "qoima-gs1.h"

#include "qoima-error.h"
#include "qoima-keymap.h"

#include <glib/gi18n.h>
#include <stdarg.h>
#include <string.h>

/* In the working buffer every non-ASCII character is replaced by DEL: after the layout
 * remap none of them can be data, and keeping the buffer one byte per character keeps
 * positions simple. The original character is still at hand for messages. */
#define NON_ASCII '\x7f'

/* A marking code has a handful of elements; more than this is not a scan of one code. */
#define MAX_ELEMENTS 32

typedef enum {
  CHARSET_N, /* digits only */
  CHARSET_X, /* GS1 CSET 82 */
} Charset;

enum {
  AI_CHECK_DIGIT = 1 << 0,
  AI_DATE = 1 << 1,
  AI_GTIN = 1 << 2,
};

typedef struct {
  const char *ai; /* the AI's digits; 'n' stands for any digit */
  int min_len;
  int max_len;
  Charset charset;
  unsigned flags;
} AiDef;

/* The application identifiers Qoima knows. GS1 designed AIs to be prefix-free, so
 * the first entry that matches is the only one. The 31nn–36nn measures are accepted
 * as a block (a few numbers in it are unassigned), since they never appear on a
 * medicine pack and only have to be stepped over. */
static const AiDef ai_table[] = {
  { "00", 18, 18, CHARSET_N, AI_CHECK_DIGIT },
  { "01", 14, 14, CHARSET_N, AI_CHECK_DIGIT | AI_GTIN },
  { "02", 14, 14, CHARSET_N, AI_CHECK_DIGIT | AI_GTIN },
  { "03", 14, 14, CHARSET_N, AI_CHECK_DIGIT | AI_GTIN },
  { "10", 1, 20, CHARSET_X, 0 },
  { "11", 6, 6, CHARSET_N, AI_DATE },
  { "12", 6, 6, CHARSET_N, AI_DATE },
  { "13", 6, 6, CHARSET_N, AI_DATE },
  { "15", 6, 6, CHARSET_N, AI_DATE },
  { "16", 6, 6, CHARSET_N, AI_DATE },
  { "17", 6, 6, CHARSET_N, AI_DATE },
  { "20", 2, 2, CHARSET_N, 0 },
  { "21", 1, 20, CHARSET_X, 0 },
  { "22", 1, 20, CHARSET_X, 0 },
  { "235", 1, 28, CHARSET_X, 0 },
  { "240", 1, 30, CHARSET_X, 0 },
  { "241", 1, 30, CHARSET_X, 0 },
  { "242", 1, 6, CHARSET_N, 0 },
  { "250", 1, 30, CHARSET_X, 0 },
  { "251", 1, 30, CHARSET_X, 0 },
  { "30", 1, 8, CHARSET_N, 0 },
  { "31nn", 6, 6, CHARSET_N, 0 },
  { "32nn", 6, 6, CHARSET_N, 0 },
  { "33nn", 6, 6, CHARSET_N, 0 },
  { "34nn", 6, 6, CHARSET_N, 0 },
  { "35nn", 6, 6, CHARSET_N, 0 },
  { "36nn", 6, 6, CHARSET_N, 0 },
  { "37", 1, 8, CHARSET_N, 0 },
  { "400", 1, 30, CHARSET_X, 0 },
  { "401", 1, 30, CHARSET_X, 0 },
  { "402", 17, 17, CHARSET_N, AI_CHECK_DIGIT },
  { "403", 1, 30, CHARSET_X, 0 },
  { "41n", 13, 13, CHARSET_N, AI_CHECK_DIGIT },
  { "420", 1, 20, CHARSET_X, 0 },
  { "421", 4, 12, CHARSET_X, 0 },
  { "422", 3, 3, CHARSET_N, 0 },
  { "7003", 10, 10, CHARSET_N, 0 },
  { "90", 1, 30, CHARSET_X, 0 },
  { "9n", 1, 90, CHARSET_X, 0 },
};

/* The AIM symbology identifiers that announce GS1 data. */
static const char *const gs1_symbologies[] = { "]d2", "]C1", "]Q3", "]e0", "]J1" };

typedef enum {
  WARN_TERMINATOR_STRIPPED = 1 << 0,
  WARN_LAYOUT_REMAPPED = 1 << 1,
  WARN_LEADING_GS_STRIPPED = 1 << 2,
  WARN_GS_RECOVERED = 1 << 3,
  WARN_GS_SUBSTITUTED = 1 << 4,
  WARN_FIXED_LENGTH_SPLIT = 1 << 5,
  WARN_NO_VERIFICATION_PART = 1 << 6,
} Warning;

/* Every warning but NO_VERIFICATION_PART means the text was changed. */
#define WARN_REPAIRS (WARN_TERMINATOR_STRIPPED | WARN_LAYOUT_REMAPPED | WARN_LEADING_GS_STRIPPED | \
                      WARN_GS_RECOVERED | WARN_GS_SUBSTITUTED | WARN_FIXED_LENGTH_SPLIT)

static const struct {
  Warning flag;
  const char *name;
} warning_names[] = {
  { WARN_TERMINATOR_STRIPPED, "TERMINATOR_STRIPPED" },
  { WARN_LAYOUT_REMAPPED, "LAYOUT_REMAPPED" },
  { WARN_LEADING_GS_STRIPPED, "LEADING_GS_STRIPPED" },
  { WARN_GS_RECOVERED, "GS_RECOVERED" },
  { WARN_GS_SUBSTITUTED, "GS_SUBSTITUTED" },
  { WARN_FIXED_LENGTH_SPLIT, "FIXED_LENGTH_SPLIT" },
  { WARN_NO_VERIFICATION_PART, "NO_VERIFICATION_PART" },
};

/* The text being parsed: one byte per character of the scan, and for each byte the
 * position of the character of the original text it came from. */
typedef struct {
  char *s;
  int *pos;
  int len;
  int orig_len; /* characters in the original text, for "at the end" positions */
} Buf;

typedef struct {
  const gunichar *orig; /* the original text, decoded */
  int current_year;     /* 0 until a date needs it */
} Context;

typedef struct {
  const AiDef *def;
  int ai_start;
  int ai_len;
  int data_start;
  int data_len;
} Element;

typedef struct {
  Element el[MAX_ELEMENTS];
  int n;
  QoimaCodeKind kind;
  unsigned warnings;
} Parsed;

G_DEFINE_BOXED_TYPE (QoimaMarkingCode, qoima_marking_code, qoima_marking_code_copy, qoima_marking_code_free)

static void set_error (GError           **error,
                       int               *error_position,
                       int                position,
                       QoimaScannerError  code,
                       const char        *format,
                       ...) G_GNUC_PRINTF (5, 6);

static void
set_error (GError           **error,
           int               *error_position,
           int                position,
           QoimaScannerError  code,
           const char        *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (error_position != NULL)
    *error_position = position;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, QOIMA_SCANNER_ERROR, code, message);
}

static void
buf_init (Buf *buf,
          int  capacity)
{
  buf->s = g_new0 (char, capacity + 1);
  buf->pos = g_new0 (int, capacity + 1);
  buf->len = 0;
  buf->orig_len = 0;
}

static void
buf_clear (Buf *buf)
{
  g_clear_pointer (&buf->s, g_free);
  g_clear_pointer (&buf->pos, g_free);
  buf->len = 0;
}

static void
buf_append (Buf  *buf,
            char  c,
            int   pos)
{
  buf->s[buf->len] = c;
  buf->pos[buf->len] = pos;
  buf->len++;
  buf->s[buf->len] = '\0';
}

static void
buf_append_range (Buf       *buf,
                  const Buf *from,
                  int        start,
                  int        end)
{
  for (int i = start; i < end; i++)
    buf_append (buf, from->s[i], from->pos[i]);
}

static void
buf_remove_front (Buf *buf,
                  int  count)
{
  g_assert (count <= buf->len);
  memmove (buf->s, buf->s + count, buf->len - count + 1);
  memmove (buf->pos, buf->pos + count, (buf->len - count) * sizeof (int));
  buf->len -= count;
}

/* The position in the original text of byte @i, or of the end when @i is past it. */
static int
buf_position (const Buf *buf,
              int        i)
{
  if (i < buf->len)
    return buf->pos[i];
  return buf->len > 0 ? buf->pos[buf->len - 1] + 1 : buf->orig_len;
}

static gboolean
is_predefined_length (const AiDef *def)
{
  /* GS1 General Specifications figure 7.8.5-2: these need no GS after them. */
  static const char *const prefixes[] = {
    "00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19",
    "20", "31", "32", "33", "34", "35", "36", "41",
  };

  for (unsigned i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      if (strncmp (def->ai, prefixes[i], 2) == 0)
        return TRUE;
    }
  return FALSE;
}

static const AiDef *
lookup_ai (const Buf *buf,
           int        start,
           int       *ai_len)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (ai_table); i++)
    {
      const char *ai = ai_table[i].ai;
      int len = strlen (ai);
      gboolean match = start + len <= buf->len;

      for (int k = 0; match && k < len; k++)
        {
          char c = buf->s[start + k];

          match = ai[k] == 'n' ? g_ascii_isdigit (c) : c == ai[k];
        }

      if (match)
        {
          *ai_len = len;
          return &ai_table[i];
        }
    }

  return NULL;
}

static int
get_current_year (Context *ctx)
{
  if (ctx->current_year == 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      ctx->current_year = g_date_time_get_year (now);
    }
  return ctx->current_year;
}

/* Describes the character at @pos of the original text for a message, or NULL when it
 * cannot be shown (a control character, say). */
static char *
describe_char (const Context *ctx,
               int            pos)
{
  gunichar c = ctx->orig[pos];
  char utf8[8] = { 0 };

  if (!g_unichar_isgraph (c))
    return NULL;
  g_unichar_to_utf8 (c, utf8);
  return g_strdup (utf8);
}

static gboolean
char_fits (Charset charset,
           char    c)
{
  if (charset == CHARSET_N)
    return g_ascii_isdigit (c);
  return qoima_gs1_is_cset82 ((guchar) c);
}

static gboolean
check_charset (const Context *ctx,
               const Buf     *buf,
               const Element *el,
               int           *error_position,
               GError       **error)
{
  for (int k = el->data_start; k < el->data_start + el->data_len; k++)
    {
      int pos;
      g_autofree char *shown = NULL;
      g_autofree char *ai = NULL;

      if (char_fits (el->def->charset, buf->s[k]))
        continue;

      pos = buf->pos[k];
      shown = describe_char (ctx, pos);
      ai = g_strndup (buf->s + el->ai_start, el->ai_len);
      if (el->def->charset == CHARSET_N && shown != NULL)
        set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_BAD_CHARSET,
                   _("AI (%s) must hold only digits, but character %d is “%s”: the code is misread."),
                   ai, pos + 1, shown);
      else if (shown != NULL)
        set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_BAD_CHARSET,
                   _("The character “%s” (character %d) cannot be part of a marking code: the code is misread or the keyboard layout is wrong."),
                   shown, pos + 1);
      else
        set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_BAD_CHARSET,
                   _("Character %d is a control character that cannot be part of a marking code: the code is misread."),
                   pos + 1);
      return FALSE;
    }

  return TRUE;
}

static int
days_in_month (int year,
               int month)
{
  return g_date_get_days_in_month ((GDateMonth) month, (GDateYear) year);
}

static gboolean
check_date (Context       *ctx,
            const Buf     *buf,
            const Element *el,
            int           *error_position,
            GError       **error)
{
  const char *d = buf->s + el->data_start;
  int yy = (d[0] - '0') * 10 + (d[1] - '0');
  int mm = (d[2] - '0') * 10 + (d[3] - '0');
  int dd = (d[4] - '0') * 10 + (d[5] - '0');
  int bad = -1;
  g_autofree char *ai = NULL;

  if (mm < 1 || mm > 12)
    bad = el->data_start + 2;
  else if (dd > days_in_month (qoima_gs1_resolve_year (yy, get_current_year (ctx)), mm))
    bad = el->data_start + 4;

  if (bad < 0)
    return TRUE;

  ai = g_strndup (buf->s + el->ai_start, el->ai_len);
  set_error (error, error_position, buf->pos[bad], QOIMA_SCANNER_ERROR_BAD_DATE,
             _("The date in AI (%s) is not a real date (character %d): the code is misprinted or misread."),
             ai, buf->pos[bad] + 1);
  return FALSE;
}

static gboolean
check_digit (const Buf     *buf,
             const Element *el,
             int           *error_position,
             GError       **error)
{
  const char *d = buf->s + el->data_start;
  int last = el->data_start + el->data_len - 1;
  int pos = buf->pos[last];
  g_autofree char *ai = NULL;

  if (qoima_gs1_check_digit (d, el->data_len - 1) == d[el->data_len - 1] - '0')
    return TRUE;

  ai = g_strndup (buf->s + el->ai_start, el->ai_len);
  if (el->def->flags & AI_GTIN)
    set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_BAD_CHECK_DIGIT,
               _("The GTIN check digit is wrong (character %d): the code is misprinted or misread."),
               pos + 1);
  else if (g_str_equal (ai, "00"))
    set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_BAD_CHECK_DIGIT,
               _("The SSCC check digit is wrong (character %d): the code is misprinted or misread."),
               pos + 1);
  else
    set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_BAD_CHECK_DIGIT,
               _("The check digit of AI (%s) is wrong (character %d): the code is misprinted or misread."),
               ai, pos + 1);
  return FALSE;
}

static gboolean
looks_like_ean (const Buf *buf)
{
  if (buf->len != 8 && buf->len != 12 && buf->len != 13)
    return FALSE;
  for (int i = 0; i < buf->len; i++)
    {
      if (!g_ascii_isdigit (buf->s[i]))
        return FALSE;
    }
  return qoima_gs1_check_digit (buf->s, buf->len - 1) == buf->s[buf->len - 1] - '0';
}

static const Element *
find_element (const Parsed *parsed,
              const Buf    *buf,
              const char   *ai)
{
  int len = strlen (ai);

  for (int i = 0; i < parsed->n; i++)
    {
      const Element *el = &parsed->el[i];

      if (el->ai_len == len && strncmp (buf->s + el->ai_start, ai, len) == 0)
        return el;
    }
  return NULL;
}

/* Reads one element string at @start into @el; returns the index after its data. */
static int
read_element (Context   *ctx,
              const Buf *buf,
              int        start,
              gboolean   first,
              Element   *el,
              int       *error_position,
              GError   **error)
{
  const AiDef *def;
  int ai_len = 0;
  int end;
  int count;
  g_autofree char *ai = NULL;

  if (buf->s[start] == QOIMA_GS1_GS)
    {
      set_error (error, error_position, buf->pos[start], QOIMA_SCANNER_ERROR_EMPTY_AI,
                 _("Two separators in a row (character %d): the code is damaged."),
                 buf->pos[start] + 1);
      return -1;
    }

  def = lookup_ai (buf, start, &ai_len);
  if (def == NULL)
    {
      if (first)
        set_error (error, error_position, buf->pos[start], QOIMA_SCANNER_ERROR_NOT_GS1,
                   _("This is not a marking code: it does not start with a GS1 application identifier (character %d)."),
                   buf->pos[start] + 1);
      else
        set_error (error, error_position, buf->pos[start], QOIMA_SCANNER_ERROR_UNKNOWN_AI,
                   _("Unknown application identifier at character %d: the code is damaged or misread."),
                   buf->pos[start] + 1);
      return -1;
    }

  el->def = def;
  el->ai_start = start;
  el->ai_len = ai_len;
  el->data_start = start + ai_len;
  ai = g_strndup (buf->s + start, ai_len);

  /* A predefined-length element simply ends after its length; any other one runs to
   * the next GS or the end of the text. */
  end = el->data_start;
  if (is_predefined_length (def))
    {
      while (end < buf->len && end - el->data_start < def->max_len && buf->s[end] != QOIMA_GS1_GS)
        end++;
    }
  else
    {
      while (end < buf->len && buf->s[end] != QOIMA_GS1_GS)
        end++;
    }
  count = end - el->data_start;
  el->data_len = count;

  if (count == 0)
    {
      set_error (error, error_position, buf->pos[start], QOIMA_SCANNER_ERROR_EMPTY_AI,
                 _("AI (%s) at character %d has no data: the code is damaged or cut short."),
                 ai, buf->pos[start] + 1);
      return -1;
    }

  if (!check_charset (ctx, buf, el, error_position, error))
    return -1;

  if (count < def->min_len)
    {
      int pos = buf_position (buf, end);

      if (def->flags & AI_GTIN)
        set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_TRUNCATED_GTIN,
                   _("The GTIN is cut short at character %d: it needs 14 digits, the scan has %d."),
                   pos + 1, count);
      else
        set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_BAD_LENGTH,
                   g_dngettext (GETTEXT_PACKAGE,
                                "AI (%s) is cut short at character %d: it needs at least %d character, the scan has %d.",
                                "AI (%s) is cut short at character %d: it needs at least %d characters, the scan has %d.",
                                def->min_len),
                   ai, pos + 1, def->min_len, count);
      return -1;
    }

  if (count > def->max_len)
    {
      int pos = buf->pos[el->data_start + def->max_len];

      set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_BAD_LENGTH,
                 g_dngettext (GETTEXT_PACKAGE,
                              "AI (%s) is too long from character %d: it may have at most %d character. A separator may be missing.",
                              "AI (%s) is too long from character %d: it may have at most %d characters. A separator may be missing.",
                              def->max_len),
                 ai, pos + 1, def->max_len);
      return -1;
    }

  if ((def->flags & AI_CHECK_DIGIT) && !check_digit (buf, el, error_position, error))
    return -1;

  if ((def->flags & AI_DATE) && !check_date (ctx, buf, el, error_position, error))
    return -1;

  return end;
}

static gboolean
parse_strict (Context   *ctx,
              const Buf *buf,
              Parsed    *parsed,
              int       *error_position,
              GError   **error)
{
  int i = 0;

  parsed->n = 0;
  while (i < buf->len)
    {
      Element el;
      const Element *same;
      int end;

      end = read_element (ctx, buf, i, parsed->n == 0, &el, error_position, error);
      if (end < 0)
        return FALSE;

      same = NULL;
      for (int k = 0; k < parsed->n && same == NULL; k++)
        {
          if (parsed->el[k].def == el.def && parsed->el[k].ai_len == el.ai_len &&
              strncmp (buf->s + parsed->el[k].ai_start, buf->s + el.ai_start, el.ai_len) == 0)
            same = &parsed->el[k];
        }

      if (same != NULL)
        {
          /* GS1 allows an AI twice only with the same data. */
          if (same->data_len != el.data_len ||
              memcmp (buf->s + same->data_start, buf->s + el.data_start, el.data_len) != 0)
            {
              g_autofree char *ai = g_strndup (buf->s + el.ai_start, el.ai_len);

              set_error (error, error_position, buf->pos[el.ai_start], QOIMA_SCANNER_ERROR_NOT_GS1,
                         _("AI (%s) appears twice with different data (character %d): two codes may have run together."),
                         ai, buf->pos[el.ai_start] + 1);
              return FALSE;
            }
        }
      else if (parsed->n == MAX_ELEMENTS)
        {
          set_error (error, error_position, buf->pos[i], QOIMA_SCANNER_ERROR_NOT_GS1,
                     _("The scan holds too many elements to be one marking code (character %d)."),
                     buf->pos[i] + 1);
          return FALSE;
        }
      else
        {
          parsed->el[parsed->n++] = el;
        }

      i = end;
      /* GS1 parsers must tolerate one separator after any element, needed or not. */
      if (i < buf->len && buf->s[i] == QOIMA_GS1_GS)
        i++;
    }

  return TRUE;
}

/* Associations and the pharma profile: 01 and 21 together, 21 = 13, 91 = 4,
 * 92 = 44 or 88, 91 only with 92. An SSCC without a serial is a box. */
static gboolean
check_profile (const Buf *buf,
               Parsed    *parsed,
               int       *error_position,
               GError   **error)
{
  const Element *sscc = find_element (parsed, buf, "00");
  const Element *gtin = find_element (parsed, buf, "01");
  const Element *serial = find_element (parsed, buf, "21");
  const Element *key = find_element (parsed, buf, "91");
  const Element *crypto = find_element (parsed, buf, "92");
  const Element *crypto_short = find_element (parsed, buf, "93");

  parsed->warnings = 0;

  if (serial == NULL && sscc != NULL)
    {
      parsed->kind = QOIMA_CODE_KIND_BOX;
      return TRUE;
    }

  parsed->kind = QOIMA_CODE_KIND_PACK;

  if (gtin == NULL)
    {
      set_error (error, error_position, -1, QOIMA_SCANNER_ERROR_MISSING_GTIN,
                 _("The code has no GTIN (AI 01), so it does not say which medicine this is."));
      return FALSE;
    }

  if (serial == NULL)
    {
      set_error (error, error_position, -1, QOIMA_SCANNER_ERROR_MISSING_SERIAL,
                 _("The code has no serial number (AI 21): it names the medicine but not this pack."));
      return FALSE;
    }

  if (serial->data_len != 13)
    {
      int pos = buf->pos[serial->ai_start];

      set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_PROFILE_LENGTH_21,
                 g_dngettext (GETTEXT_PACKAGE,
                              "The serial number (AI 21 at character %d) has %d character; a medicine’s has 13. The scan may be cut short.",
                              "The serial number (AI 21 at character %d) has %d characters; a medicine’s has 13. The scan may be cut short.",
                              serial->data_len),
                 pos + 1, serial->data_len);
      return FALSE;
    }

  if (key != NULL && key->data_len != 4)
    {
      int pos = buf->pos[key->ai_start];

      set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_PROFILE_LENGTH_91,
                 g_dngettext (GETTEXT_PACKAGE,
                              "The verification key (AI 91 at character %d) has %d character; it must have 4.",
                              "The verification key (AI 91 at character %d) has %d characters; it must have 4.",
                              key->data_len),
                 pos + 1, key->data_len);
      return FALSE;
    }

  if (crypto != NULL && crypto->data_len != 44 && crypto->data_len != 88)
    {
      int pos = buf->pos[crypto->ai_start];

      set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_PROFILE_LENGTH_92,
                 g_dngettext (GETTEXT_PACKAGE,
                              "The crypto code (AI 92 at character %d) has %d character; it must have 44 or 88. The scan may be cut short.",
                              "The crypto code (AI 92 at character %d) has %d characters; it must have 44 or 88. The scan may be cut short.",
                              crypto->data_len),
                 pos + 1, crypto->data_len);
      return FALSE;
    }

  if (key != NULL && crypto == NULL)
    {
      set_error (error, error_position, -1, QOIMA_SCANNER_ERROR_PROFILE_MISSING_92,
                 _("The code has a verification key (AI 91) but no crypto code (AI 92): the scan is cut short."));
      return FALSE;
    }

  if (key == NULL && crypto == NULL && crypto_short == NULL)
    parsed->warnings |= WARN_NO_VERIFICATION_PART;

  return TRUE;
}

static gboolean
parse_and_check (Context   *ctx,
                 const Buf *buf,
                 Parsed    *parsed,
                 int       *error_position,
                 GError   **error)
{
  return parse_strict (ctx, buf, parsed, error_position, error) &&
         check_profile (buf, parsed, error_position, error);
}

/* R08: some tools write the separator as the text "<GS>". */
static gboolean
substitute_gs_text (const Buf *in,
                    Buf       *out)
{
  gboolean any = FALSE;

  buf_init (out, in->len);
  out->orig_len = in->orig_len;
  for (int i = 0; i < in->len; i++)
    {
      if (i + 4 <= in->len && memcmp (in->s + i, "<GS>", 4) == 0)
        {
          buf_append (out, QOIMA_GS1_GS, in->pos[i]);
          i += 3;
          any = TRUE;
        }
      else
        {
          buf_append (out, in->s[i], in->pos[i]);
        }
    }

  return any;
}

static gboolean
range_is_cset82 (const Buf *buf,
                 int        start,
                 int        len)
{
  if (start + len > buf->len)
    return FALSE;
  for (int i = start; i < start + len; i++)
    {
      if (!qoima_gs1_is_cset82 ((guchar) buf->s[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
has_ai_at (const Buf  *buf,
           int         i,
           const char *ai)
{
  return i + 2 <= buf->len && buf->s[i] == ai[0] && buf->s[i + 1] == ai[1];
}

/* Puts a GS at @i of @out unless the input already has one there; returns the index
 * after it in @in. The inserted GS takes the position of the character after it. */
static int
put_separator (const Buf *in,
               int        i,
               Buf       *out,
               gboolean  *inserted)
{
  if (i < in->len && in->s[i] == QOIMA_GS1_GS)
    {
      buf_append (out, QOIMA_GS1_GS, in->pos[i]);
      return i + 1;
    }
  buf_append (out, QOIMA_GS1_GS, buf_position (in, i));
  *inserted = TRUE;
  return i;
}

/* R01: lost separators in a pharma code, recovered from the profile's fixed lengths:
 * 01 + 14 digits, 21 + 13, then 91 + 4 and 92 + 44|88, or 93 + 4, ending exactly. */
static gboolean
split_fixed_length (const Buf *in,
                    Buf       *out)
{
  gboolean inserted = FALSE;
  int i;
  int rest;

  buf_init (out, in->len + 4);
  out->orig_len = in->orig_len;

  if (!has_ai_at (in, 0, "01") || in->len < 16)
    return FALSE;
  for (i = 2; i < 16; i++)
    {
      if (!g_ascii_isdigit (in->s[i]))
        return FALSE;
    }
  buf_append_range (out, in, 0, 16);
  if (i < in->len && in->s[i] == QOIMA_GS1_GS)
    {
      buf_append (out, in->s[i], in->pos[i]);
      i++;
    }

  if (!has_ai_at (in, i, "21") || !range_is_cset82 (in, i + 2, 13))
    return FALSE;
  buf_append_range (out, in, i, i + 15);
  i += 15;
  if (i == in->len)
    return FALSE;
  i = put_separator (in, i, out, &inserted);

  if (has_ai_at (in, i, "93"))
    {
      rest = in->len - (i + 2);
      if (rest != 4 || !range_is_cset82 (in, i + 2, rest))
        return FALSE;
      buf_append_range (out, in, i, in->len);
      return inserted;
    }

  if (!has_ai_at (in, i, "91") || !range_is_cset82 (in, i + 2, 4))
    return FALSE;
  buf_append_range (out, in, i, i + 6);
  i = put_separator (in, i + 6, out, &inserted);

  if (!has_ai_at (in, i, "92"))
    return FALSE;
  rest = in->len - (i + 2);
  if ((rest != 44 && rest != 88) || !range_is_cset82 (in, i + 2, rest))
    return FALSE;
  buf_append_range (out, in, i, in->len);

  return inserted;
}

static char *
element_dup (const Parsed *parsed,
             const Buf    *buf,
             const char   *ai)
{
  const Element *el = find_element (parsed, buf, ai);

  return el ? g_strndup (buf->s + el->data_start, el->data_len) : NULL;
}

static QoimaMarkingCode *
build_code (Context      *ctx,
            const Buf    *buf,
            const Parsed *parsed,
            const char   *symbology,
            unsigned      warnings)
{
  QoimaMarkingCode *code = g_new0 (QoimaMarkingCode, 1);

  code->kind = parsed->kind;
  code->gtin = element_dup (parsed, buf, "01");
  code->serial = element_dup (parsed, buf, "21");
  if (code->gtin != NULL && code->serial != NULL)
    code->ki = g_strconcat ("01", code->gtin, "21", code->serial, NULL);
  code->verification_key = element_dup (parsed, buf, "91");
  code->crypto = element_dup (parsed, buf, "92");
  code->crypto_short = element_dup (parsed, buf, "93");
  code->expiry_raw = element_dup (parsed, buf, "17");
  if (code->expiry_raw != NULL)
    code->expiry = qoima_gs1_date_to_iso (code->expiry_raw, get_current_year (ctx));
  code->batch = element_dup (parsed, buf, "10");
  code->sscc = element_dup (parsed, buf, "00");
  code->symbology = g_strdup (symbology);
  code->km = g_strndup (buf->s, buf->len);
  code->recovered = (warnings & WARN_REPAIRS) != 0;
  code->warnings = g_ptr_array_new_with_free_func (g_free);
  for (unsigned i = 0; i < G_N_ELEMENTS (warning_names); i++)
    {
      if (warnings & warning_names[i].flag)
        g_ptr_array_add (code->warnings, g_strdup (warning_names[i].name));
    }

  return code;
}

static gboolean
is_terminator (gunichar c)
{
  return c == '\r' || c == '\n' || c == '\t';
}

/* Steps 2–4 of the pipeline: terminators, layout, AIM identifier, `]`, leading GS. */
static gboolean
normalise (const gunichar  *orig,
           int              n,
           Buf             *buf,
           char           **symbology,
           unsigned        *warnings,
           int             *error_position,
           GError         **error)
{
  g_autofree gunichar *work = NULL;
  gboolean cyrillic = FALSE;

  while (n > 0 && is_terminator (orig[n - 1]))
    {
      n--;
      *warnings |= WARN_TERMINATOR_STRIPPED;
    }

  work = g_memdup2 (orig, (n + 1) * sizeof (gunichar));
  for (int i = 0; i < n && !cyrillic; i++)
    cyrillic = work[i] >= 0x0400 && work[i] <= 0x04FF;

  /* The layout is undone before the AIM identifier is looked at: under ru or kz the
   * scanner's "]d2" itself arrives as "ъв2" or "ъвә". */
  if (cyrillic)
    {
      g_autofree char *utf8 = g_ucs4_to_utf8 (work, n, NULL, NULL, NULL);
      g_autofree char *remapped = NULL;
      g_autofree gunichar *decoded = NULL;
      gboolean changed = FALSE;
      glong decoded_len = 0;

      remapped = qoima_keymap_remap_text (utf8, &changed);
      decoded = g_utf8_to_ucs4_fast (remapped, -1, &decoded_len);
      g_assert (decoded_len == n);
      memcpy (work, decoded, n * sizeof (gunichar));
      if (changed)
        *warnings |= WARN_LAYOUT_REMAPPED;
    }

  for (int i = 0; i < n; i++)
    buf_append (buf, work[i] < 0x80 ? (char) work[i] : NON_ASCII, i);

  /* An AIM symbology identifier: "]", a letter, a digit. A GS cannot start data
   * followed by a letter either, so a "]" that became GS counts too. */
  if (buf->len >= 3 && (buf->s[0] == ']' || buf->s[0] == QOIMA_GS1_GS) &&
      g_ascii_isalpha (buf->s[1]) && g_ascii_isdigit (buf->s[2]))
    {
      g_autofree char *id = g_strdup_printf ("]%c%c", buf->s[1], buf->s[2]);
      gboolean known = FALSE;

      for (unsigned i = 0; i < G_N_ELEMENTS (gs1_symbologies); i++)
        known = known || g_str_equal (id, gs1_symbologies[i]);

      if (g_str_equal (id, "]d1"))
        {
          set_error (error, error_position, 0, QOIMA_SCANNER_ERROR_NOT_GS1_SYMBOL,
                     _("This is a plain DataMatrix, not a GS1 DataMatrix: the pack’s code is misprinted and is not a valid marking code."));
          return FALSE;
        }
      if (!known)
        {
          set_error (error, error_position, 0, QOIMA_SCANNER_ERROR_NOT_GS1_SYMBOL,
                     _("The scanned symbol (%s) is not a GS1 code: scan the pack’s square DataMatrix code."),
                     id);
          return FALSE;
        }

      *symbology = g_steal_pointer (&id);
      buf_remove_front (buf, 3);
    }

  /* "]" is never data (not CSET 82): it is the key of Ctrl+] with the Ctrl lost. */
  for (int i = 0; i < buf->len; i++)
    {
      if (buf->s[i] == ']')
        buf->s[i] = QOIMA_GS1_GS;
    }

  if (buf->len > 0 && buf->s[0] == QOIMA_GS1_GS)
    {
      buf_remove_front (buf, 1);
      *warnings |= WARN_LEADING_GS_STRIPPED;
    }

  for (int i = 0; i < buf->len; i++)
    {
      if (buf->s[i] == QOIMA_GS1_GS && orig[buf->pos[i]] != QOIMA_GS1_GS)
        *warnings |= WARN_GS_RECOVERED;
    }

  if (buf->len == 0)
    {
      set_error (error, error_position, -1, QOIMA_SCANNER_ERROR_EMPTY,
                 _("The scan is empty: no marking code arrived."));
      return FALSE;
    }

  return TRUE;
}

static gpointer
copy_string (gconstpointer src,
             gpointer      user_data)
{
  return g_strdup (src);
}

/**
 * qoima_marking_code_copy:
 * @code: a #QoimaMarkingCode
 *
 * Returns: (transfer full): a deep copy of @code
 */
QoimaMarkingCode *
qoima_marking_code_copy (const QoimaMarkingCode *code)
{
  QoimaMarkingCode *copy;

  g_return_val_if_fail (code != NULL, NULL);

  copy = g_new0 (QoimaMarkingCode, 1);
  copy->kind = code->kind;
  copy->gtin = g_strdup (code->gtin);
  copy->serial = g_strdup (code->serial);
  copy->ki = g_strdup (code->ki);
  copy->verification_key = g_strdup (code->verification_key);
  copy->crypto = g_strdup (code->crypto);
  copy->crypto_short = g_strdup (code->crypto_short);
  copy->expiry = g_strdup (code->expiry);
  copy->expiry_raw = g_strdup (code->expiry_raw);
  copy->batch = g_strdup (code->batch);
  copy->sscc = g_strdup (code->sscc);
  copy->symbology = g_strdup (code->symbology);
  copy->km = g_strdup (code->km);
  copy->recovered = code->recovered;
  if (code->warnings != NULL)
    copy->warnings = g_ptr_array_copy (code->warnings, copy_string, NULL);
  else
    copy->warnings = g_ptr_array_new_with_free_func (g_free);

  return copy;
}

/**
 * qoima_marking_code_free:
 * @code: (nullable): a #QoimaMarkingCode
 */
void
qoima_marking_code_free (QoimaMarkingCode *code)
{
  if (code == NULL)
    return;

  g_free (code->gtin);
  g_free (code->serial);
  g_free (code->ki);
  g_free (code->verification_key);
  g_free (code->crypto);
  g_free (code->crypto_short);
  g_free (code->expiry);
  g_free (code->expiry_raw);
  g_free (code->batch);
  g_free (code->sscc);
  g_free (code->symbology);
  g_free (code->km);
  g_clear_pointer (&code->warnings, g_ptr_array_unref);
  g_free (code);
}

gboolean
qoima_marking_code_has_warning (const QoimaMarkingCode *code,
                                const char             *warning)
{
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (warning != NULL, FALSE);

  if (code->warnings == NULL)
    return FALSE;

  for (unsigned i = 0; i < code->warnings->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (code->warnings, i), warning))
        return TRUE;
    }
  return FALSE;
}

/* The first character a scanner cannot send, or -1: a control character other than GS
 * (CR, LF and Tab only at the end, where a scanner puts its suffix) or DEL. */
static int
find_unsendable (const gunichar *orig,
                 int             n)
{
  while (n > 0 && is_terminator (orig[n - 1]))
    n--;
  for (int i = 0; i < n; i++)
    {
      if ((orig[i] < 0x20 && orig[i] != QOIMA_GS1_GS) || orig[i] == 0x7f)
        return i;
    }
  return -1;
}

/* @text is nul-terminated and holds no other NUL. */
static QoimaMarkingCode *
parse_text (const char *text,
            int        *error_position,
            GError    **error)
{
  g_autofree gunichar *orig = NULL;
  g_autofree char *symbology = NULL;
  g_autoptr(GError) strict_error = NULL;
  Context ctx = { NULL, 0 };
  Parsed parsed;
  Buf buf = { NULL };
  Buf repaired = { NULL };
  QoimaMarkingCode *code = NULL;
  const char *invalid = NULL;
  unsigned warnings = 0;
  glong n = 0;
  int strict_position = -1;
  int unsendable;

  if (!g_utf8_validate (text, -1, &invalid))
    {
      int pos = g_utf8_strlen (text, invalid - text);

      set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_BAD_CHARSET,
                 _("The scan holds bytes that are not text (character %d): the scanner is set up wrongly."),
                 pos + 1);
      return NULL;
    }

  orig = g_utf8_to_ucs4_fast (text, -1, &n);
  unsendable = find_unsendable (orig, n);
  if (unsendable >= 0)
    {
      set_error (error, error_position, unsendable, QOIMA_SCANNER_ERROR_BAD_CHARSET,
                 _("Character %d is a control character that cannot be part of a marking code: the code is misread."),
                 unsendable + 1);
      return NULL;
    }

  ctx.orig = orig;
  buf_init (&buf, n);
  buf.orig_len = n;

  if (!normalise (orig, n, &buf, &symbology, &warnings, error_position, error))
    goto out;

  /* A bare GTIN-8/12/13 with a good check digit is the linear barcode on the same
   * pack (some also read as a cut-short AI 01); a GS1 AIM identifier rules it out. */
  if (symbology == NULL && looks_like_ean (&buf))
    {
      set_error (error, error_position, 0, QOIMA_SCANNER_ERROR_NOT_GS1,
                 _("This is the pack’s linear barcode (EAN), not its marking code: scan the square DataMatrix code."));
      goto out;
    }

  if (parse_and_check (&ctx, &buf, &parsed, &strict_position, &strict_error))
    {
      code = build_code (&ctx, &buf, &parsed, symbology, warnings | parsed.warnings);
      goto out;
    }

  /* The strict parse failed: try the repairs that are safe only when the result then
   * passes the pharma profile, and otherwise report the strict parse's error. */
  if (substitute_gs_text (&buf, &repaired) &&
      parse_and_check (&ctx, &repaired, &parsed, NULL, NULL))
    {
      code = build_code (&ctx, &repaired, &parsed, symbology,
                         warnings | parsed.warnings | WARN_GS_SUBSTITUTED);
      goto out;
    }
  buf_clear (&repaired);

  if (split_fixed_length (&buf, &repaired) &&
      parse_and_check (&ctx, &repaired, &parsed, NULL, NULL))
    {
      code = build_code (&ctx, &repaired, &parsed, symbology,
                         warnings | parsed.warnings | WARN_FIXED_LENGTH_SPLIT | WARN_GS_RECOVERED);
      goto out;
    }

  if (error_position != NULL)
    *error_position = strict_position;
  g_propagate_error (error, g_steal_pointer (&strict_error));

out:
  buf_clear (&buf);
  buf_clear (&repaired);
  return code;
}

QoimaMarkingCode *
qoima_gs1_parse (const char *text,
                 int        *error_position,
                 GError    **error)
{
  return qoima_gs1_parse_len (text, -1, error_position, error);
}

QoimaMarkingCode *
qoima_gs1_parse_len (const char *text,
                     gssize      len,
                     int        *error_position,
                     GError    **error)
{
  g_autofree char *copy = NULL;
  const char *end = NULL;

  if (error_position != NULL)
    *error_position = -1;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The length is looked at before anything is copied or converted, so that a huge
   * input costs nothing. */
  if (len < 0)
    len = strnlen (text, QOIMA_GS1_MAX_SCAN_BYTES + 1);
  if (len > QOIMA_GS1_MAX_SCAN_BYTES)
    {
      g_set_error (error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_TOO_LONG,
                   _("The scan is longer than %d bytes, which no marking code is: it is not a scan."),
                   QOIMA_GS1_MAX_SCAN_BYTES);
      return NULL;
    }

  /* A NUL would end the text for everything after this: a code cut there could parse
   * as valid, without what followed (its verification part, say). */
  if (!g_utf8_validate (text, len, &end) && end < text + len && *end == '\0')
    {
      int pos = g_utf8_strlen (text, end - text);

      set_error (error, error_position, pos, QOIMA_SCANNER_ERROR_BAD_CHARSET,
                 _("Character %d (byte %d) is a NUL byte, which no scanner sends: this is not a scan."),
                 pos + 1, (int) (end - text) + 1);
      return NULL;
    }

  if (text[len] != '\0')
    text = copy = g_strndup (text, len);
  return parse_text (text, error_position, error);
}

/**
 * qoima_gs1_check_digit:
 * @digits: the digits before the check digit
 * @len: the number of digits, or -1 when @digits is nul-terminated
 *
 * Weights 3, 1, 3, 1… from the rightmost digit, as GS1 defines it for GTINs and SSCCs.
 *
 * Returns: the check digit 0–9, or -1 when @digits is empty or not all digits
 */
int
qoima_gs1_check_digit (const char *digits,
                       gssize      len)
{
  int sum = 0;

  g_return_val_if_fail (digits != NULL, -1);

  if (len < 0)
    len = strlen (digits);
  if (len == 0)
    return -1;

  for (gssize i = 0; i < len; i++)
    {
      char c = digits[len - 1 - i];

      if (!g_ascii_isdigit (c))
        return -1;
      sum += (c - '0') * (i % 2 == 0 ? 3 : 1);
    }

  return (10 - sum % 10) % 10;
}

/**
 * qoima_gs1_gtin_is_valid:
 * @gtin: a GTIN-8, -12, -13 or -14
 *
 * Returns: whether @gtin has a valid length, only digits and a correct check digit
 */
gboolean
qoima_gs1_gtin_is_valid (const char *gtin)
{
  size_t len;

  g_return_val_if_fail (gtin != NULL, FALSE);

  len = strlen (gtin);
  if (len != 8 && len != 12 && len != 13 && len != 14)
    return FALSE;
  return qoima_gs1_check_digit (gtin, len - 1) == gtin[len - 1] - '0';
}

gboolean
qoima_gs1_is_cset82 (gunichar c)
{
  if (c == 0 || c >= 0x80)
    return FALSE;
  if (g_ascii_isalnum ((char) c))
    return TRUE;
  return strchr ("!\"%&'()*+,-./:;<=>?_", (int) c) != NULL;
}

int
qoima_gs1_resolve_year (int yy,
                        int current_year)
{
  int current_yy = current_year % 100;
  int century = current_year - current_yy;
  int diff = yy - current_yy;

  /* GS1 General Specifications 7.12: within 49 years back and 50 ahead of today. */
  if (diff >= 51)
    century -= 100;
  else if (diff <= -50)
    century += 100;

  return century + yy;
}

char *
qoima_gs1_date_to_iso (const char *yymmdd,
                       int         current_year)
{
  int yy, mm, dd, year;

  g_return_val_if_fail (yymmdd != NULL, NULL);

  if (strlen (yymmdd) != 6)
    return NULL;
  for (int i = 0; i < 6; i++)
    {
      if (!g_ascii_isdigit (yymmdd[i]))
        return NULL;
    }

  if (current_year <= 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      current_year = g_date_time_get_year (now);
    }

  yy = (yymmdd[0] - '0') * 10 + (yymmdd[1] - '0');
  mm = (yymmdd[2] - '0') * 10 + (yymmdd[3] - '0');
  dd = (yymmdd[4] - '0') * 10 + (yymmdd[5] - '0');
  year = qoima_gs1_resolve_year (yy, current_year);

  if (mm < 1 || mm > 12 || dd > days_in_month (year, mm))
    return NULL;
  if (dd == 0)
    dd = days_in_month (year, mm);

  return g_strdup_printf ("%04d-%02d-%02d", year, mm, dd);
}
