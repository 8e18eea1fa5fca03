/* qoima-scan-reader.c: key events from a keyboard-wedge scanner -> scanned text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-scan-reader"

#include "config.h"

#include "qoima-scan-reader.h"

#include "qoima-gs1.h"
#include "qoima-keymap.h"

#include <string.h>

#define DEFAULT_MAX_GAP_MS 80
#define DEFAULT_MIN_LENGTH 8

/* A burst is recognised as a scanner's once it holds this many fast characters; from then on
 * the reader swallows its keys. */
#define QUALIFYING_LENGTH 3

#define GS_CHAR '\x1d'

struct _QoimaScanReader
{
  GObject parent_instance;

  /* Settings */
  char *gs_substitute;
  char *prefix;
  char *suffix;
  unsigned max_gap_ms;
  unsigned min_length;
  gboolean caps_lock_inverts;
  gboolean text_input;

  /* State of the current burst */
  GString *burst;
  GArray *typed;            /* gunichar per character of @burst: what the layout made of it */
  gboolean busy;
  gboolean into_text_field; /* text-input as it was when the burst began */
  gboolean swallowed;       /* some key of the burst was kept from the focused widget */
  guint32 last_time_ms;
  QoimaGsVia gs_via;
  gboolean caps_lock;

  /* A qualifying burst just ended on the configured suffix: a terminator key right after it
   * belongs to the scan too and must not reach the focused widget. */
  gboolean after_suffix;
};

G_DEFINE_FINAL_TYPE (QoimaScanReader, qoima_scan_reader, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_GS_SUBSTITUTE,
  PROP_PREFIX,
  PROP_SUFFIX,
  PROP_MAX_GAP_MS,
  PROP_MIN_LENGTH,
  PROP_CAPS_LOCK_INVERTS,
  PROP_TEXT_INPUT,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_SCANNED,
  SIGNAL_BURST_STARTED,
  SIGNAL_BURST_DROPPED,
  SIGNAL_TYPED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static gboolean
is_modifier_keycode (unsigned keycode)
{
  switch (keycode)
    {
    case 37:  /* Control_L */
    case 50:  /* Shift_L */
    case 62:  /* Shift_R */
    case 64:  /* Alt_L */
    case 66:  /* Caps_Lock */
    case 105: /* Control_R */
    case 108: /* Alt_R / ISO_Level3_Shift */
    case 133: /* Super_L */
    case 134: /* Super_R */
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
is_terminator_keycode (unsigned keycode)
{
  return keycode == QOIMA_KEYCODE_RETURN
         || keycode == QOIMA_KEYCODE_KP_ENTER
         || keycode == QOIMA_KEYCODE_TAB;
}

static char
invert_case (char c)
{
  if (g_ascii_isupper (c))
    return g_ascii_tolower (c);
  if (g_ascii_islower (c))
    return g_ascii_toupper (c);
  return c;
}

static void
reset_burst (QoimaScanReader *self)
{
  g_string_truncate (self->burst, 0);
  g_array_set_size (self->typed, 0);
  self->busy = FALSE;
  self->into_text_field = FALSE;
  self->swallowed = FALSE;
  self->gs_via = QOIMA_GS_VIA_NONE;
  self->caps_lock = FALSE;
}

/* Replaces every occurrence of @needle in @text by GS; returns whether any was replaced. */
static gboolean
replace_substitute (GString    *text,
                    const char *needle)
{
  size_t needle_len = strlen (needle);
  size_t pos = 0;
  gboolean replaced = FALSE;

  if (needle_len == 0)
    return FALSE;

  while (pos + needle_len <= text->len)
    {
      const char *found = strstr (text->str + pos, needle);

      if (found == NULL)
        break;
      pos = found - text->str;
      g_string_erase (text, pos, needle_len);
      g_string_insert_c (text, pos, GS_CHAR);
      pos++;
      replaced = TRUE;
    }

  return replaced;
}

/* What the keys of the burst made in the active layout, from @start on, without the
 * last @cut characters. */
static char *
typed_text (QoimaScanReader *self,
            size_t           start,
            size_t           cut)
{
  GString *out = g_string_new (NULL);

  for (size_t i = start; i + cut < self->typed->len; i++)
    g_string_append_unichar (out, g_array_index (self->typed, gunichar, i));

  return g_string_free (out, FALSE);
}

/* A marking code, or a damaged one: only a GS1 symbol sends a GS, so a burst holding one
 * was meant as a scan even when it does not parse. */
static gboolean
is_marking_code (const char *text,
                 QoimaGsVia  gs_via)
{
  g_autoptr(QoimaMarkingCode) code = NULL;

  if (gs_via != QOIMA_GS_VIA_NONE || strchr (text, GS_CHAR) != NULL)
    return TRUE;
  code = qoima_gs1_parse (text, NULL, NULL);
  return code != NULL;
}

/* Ends the current burst and tells the listeners what it was. The state is reset before
 * any signal is emitted, so handlers see an idle reader. @cut is the number of characters
 * at the end that were the suffix. Returns whether ::scanned was emitted. */
static gboolean
finish_burst (QoimaScanReader *self,
              const char      *terminator,
              size_t           cut)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *prefix_seen = NULL;
  g_autofree char *typed = NULL;
  QoimaGsVia gs_via = self->gs_via;
  gboolean caps_lock = self->caps_lock;
  gboolean into_text_field = self->into_text_field;
  gboolean swallowed = self->swallowed;
  size_t prefix_len = strlen (self->prefix);
  size_t skip = 0;

  if (!self->busy)
    return FALSE;

  text = g_string_new_len (self->burst->str, self->burst->len);

  if (prefix_len > 0 && g_str_has_prefix (text->str, self->prefix))
    {
      prefix_seen = g_strdup (self->prefix);
      g_string_erase (text, 0, prefix_len);
      skip = prefix_len;
    }
  else
    {
      prefix_seen = g_strdup ("");
    }

  /* The burst holds one byte per key, as does @typed: the prefix is as many keys. */
  typed = typed_text (self, skip, cut);
  reset_burst (self);

  if (replace_substitute (text, self->gs_substitute) && gs_via == QOIMA_GS_VIA_NONE)
    gs_via = QOIMA_GS_VIA_SUBSTITUTE;

  /* In a text field, anything but a marking code is typing: an IIN from a wristband
   * scanner, a clerk typing fast. It goes to the field whole, as the layout made it. */
  if (into_text_field && (text->len < self->min_length || !is_marking_code (text->str, gs_via)))
    {
      if (swallowed)
        {
          g_debug ("A burst of %u characters is typing for the text field", (unsigned) text->len);
          g_signal_emit (self, signals[SIGNAL_TYPED], 0, typed);
        }
      else
        {
          g_signal_emit (self, signals[SIGNAL_BURST_DROPPED], 0, text->str);
        }
      return FALSE;
    }

  if (text->len < self->min_length)
    {
      g_debug ("Dropped a burst of %u characters", (unsigned) text->len);
      g_signal_emit (self, signals[SIGNAL_BURST_DROPPED], 0, text->str);
      return FALSE;
    }

  g_signal_emit (self, signals[SIGNAL_SCANNED], 0,
                 text->str, (int) gs_via, caps_lock, prefix_seen, terminator);
  return TRUE;
}

/* Whether @time_ms still continues the current burst. Timestamps wrap at 2^32 ms, which
 * unsigned subtraction handles. */
static gboolean
continues_burst (QoimaScanReader *self,
                 guint32          time_ms)
{
  guint32 gap = time_ms - self->last_time_ms;

  return self->busy && gap <= self->max_gap_ms;
}

static QoimaKeyVerdict
handle_terminator (QoimaScanReader *self,
                   unsigned         keycode,
                   QoimaKeyMods     mods,
                   guint32          time_ms)
{
  const char *terminator = keycode == QOIMA_KEYCODE_TAB ? "\t" : "\n";
  gboolean qualifying;

  if (self->after_suffix)
    {
      guint32 gap = time_ms - self->last_time_ms;

      self->after_suffix = FALSE;
      if (gap <= self->max_gap_ms)
        return QOIMA_KEY_CONSUMED;
    }

  if (!continues_burst (self, time_ms))
    {
      /* A human pressed Enter: first finish whatever stale burst the UI has not flushed. */
      finish_burst (self, "", 0);
      return QOIMA_KEY_PASS;
    }

  if (mods & QOIMA_KEY_MOD_LOCK)
    self->caps_lock = TRUE;
  qualifying = self->burst->len >= QUALIFYING_LENGTH;

  /* A burst too short to be a scan was a person after all: their Enter goes through. */
  if (!finish_burst (self, terminator, 0))
    return QOIMA_KEY_PASS;

  return qualifying ? QOIMA_KEY_CONSUMED : QOIMA_KEY_PASS;
}

static QoimaKeyVerdict
handle_character (QoimaScanReader *self,
                  char             c,
                  gunichar         typed,
                  QoimaGsVia       via,
                  QoimaKeyMods     mods,
                  guint32          time_ms)
{
  gboolean qualifying;
  size_t suffix_len = strlen (self->suffix);

  self->after_suffix = FALSE;

  if (!continues_burst (self, time_ms))
    {
      finish_burst (self, "", 0);
      self->busy = TRUE;
      self->into_text_field = self->text_input;
      g_signal_emit (self, signals[SIGNAL_BURST_STARTED], 0);
    }

  qualifying = self->burst->len >= QUALIFYING_LENGTH;
  self->last_time_ms = time_ms;
  if (qualifying)
    self->swallowed = TRUE;

  if (mods & QOIMA_KEY_MOD_LOCK)
    {
      self->caps_lock = TRUE;
      /* Such a scanner sent the other case on purpose, expecting Caps Lock to flip it. */
      if (self->caps_lock_inverts)
        c = invert_case (c);
    }

  if (via != QOIMA_GS_VIA_NONE && self->gs_via == QOIMA_GS_VIA_NONE)
    self->gs_via = via;

  g_string_append_c (self->burst, c);
  if (typed == 0)
    typed = (guchar) c;
  g_array_append_val (self->typed, typed);

  if (suffix_len > 0
      && self->burst->len >= suffix_len
      && memcmp (self->burst->str + self->burst->len - suffix_len, self->suffix, suffix_len) == 0)
    {
      /* A handler may change the suffix while the signal runs: pass a copy. */
      g_autofree char *suffix = g_strdup (self->suffix);

      g_string_truncate (self->burst, self->burst->len - suffix_len);
      self->after_suffix = finish_burst (self, suffix, suffix_len) && qualifying;
    }

  return qualifying ? QOIMA_KEY_CONSUMED : QOIMA_KEY_PASS;
}

static void
set_string_property (QoimaScanReader *self,
                     char           **field,
                     const char      *value,
                     int              prop)
{
  if (value == NULL)
    value = "";
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
qoima_scan_reader_finalize (GObject *object)
{
  QoimaScanReader *self = (QoimaScanReader *) object;

  g_clear_pointer (&self->gs_substitute, g_free);
  g_clear_pointer (&self->prefix, g_free);
  g_clear_pointer (&self->suffix, g_free);
  g_string_free (self->burst, TRUE);
  g_array_unref (self->typed);

  G_OBJECT_CLASS (qoima_scan_reader_parent_class)->finalize (object);
}

static void
qoima_scan_reader_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  QoimaScanReader *self = QOIMA_SCAN_READER (object);

  switch (prop_id)
    {
    case PROP_GS_SUBSTITUTE:
      g_value_set_string (value, qoima_scan_reader_get_gs_substitute (self));
      break;
    case PROP_PREFIX:
      g_value_set_string (value, qoima_scan_reader_get_prefix (self));
      break;
    case PROP_SUFFIX:
      g_value_set_string (value, qoima_scan_reader_get_suffix (self));
      break;
    case PROP_MAX_GAP_MS:
      g_value_set_uint (value, qoima_scan_reader_get_max_gap_ms (self));
      break;
    case PROP_MIN_LENGTH:
      g_value_set_uint (value, qoima_scan_reader_get_min_length (self));
      break;
    case PROP_CAPS_LOCK_INVERTS:
      g_value_set_boolean (value, qoima_scan_reader_get_caps_lock_inverts (self));
      break;
    case PROP_TEXT_INPUT:
      g_value_set_boolean (value, qoima_scan_reader_get_text_input (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_scan_reader_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  QoimaScanReader *self = QOIMA_SCAN_READER (object);

  switch (prop_id)
    {
    case PROP_GS_SUBSTITUTE:
      qoima_scan_reader_set_gs_substitute (self, g_value_get_string (value));
      break;
    case PROP_PREFIX:
      qoima_scan_reader_set_prefix (self, g_value_get_string (value));
      break;
    case PROP_SUFFIX:
      qoima_scan_reader_set_suffix (self, g_value_get_string (value));
      break;
    case PROP_MAX_GAP_MS:
      qoima_scan_reader_set_max_gap_ms (self, g_value_get_uint (value));
      break;
    case PROP_MIN_LENGTH:
      qoima_scan_reader_set_min_length (self, g_value_get_uint (value));
      break;
    case PROP_CAPS_LOCK_INVERTS:
      qoima_scan_reader_set_caps_lock_inverts (self, g_value_get_boolean (value));
      break;
    case PROP_TEXT_INPUT:
      qoima_scan_reader_set_text_input (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_scan_reader_class_init (QoimaScanReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = qoima_scan_reader_finalize;
  object_class->get_property = qoima_scan_reader_get_property;
  object_class->set_property = qoima_scan_reader_set_property;

  /**
   * QoimaScanReader:gs-substitute:
   *
   * A text the scanner sends in place of GS (e.g. "<GS>"); "" for none.
   */
  properties[PROP_GS_SUBSTITUTE] =
    g_param_spec_string ("gs-substitute", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * QoimaScanReader:prefix:
   *
   * A text the scanner sends before each code, stripped from scans; "" for none.
   */
  properties[PROP_PREFIX] =
    g_param_spec_string ("prefix", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * QoimaScanReader:suffix:
   *
   * A text the scanner sends after each code, ending the scan like Enter; "" for none.
   */
  properties[PROP_SUFFIX] =
    g_param_spec_string ("suffix", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * QoimaScanReader:max-gap-ms:
   *
   * The longest pause between two keys of one scan, in milliseconds.
   */
  properties[PROP_MAX_GAP_MS] =
    g_param_spec_uint ("max-gap-ms", NULL, NULL, 1, 10000, DEFAULT_MAX_GAP_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * QoimaScanReader:min-length:
   *
   * The fewest characters a burst needs to count as a scan.
   */
  properties[PROP_MIN_LENGTH] =
    g_param_spec_uint ("min-length", NULL, NULL, 1, 4096, DEFAULT_MIN_LENGTH,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * QoimaScanReader:caps-lock-inverts:
   *
   * Whether the scanner compensates for Caps Lock itself, so that letters read with Caps
   * Lock on must have their case inverted back.
   */
  properties[PROP_CAPS_LOCK_INVERTS] =
    g_param_spec_boolean ("caps-lock-inverts", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * QoimaScanReader:text-input:
   *
   * Whether the keys go to a text field now. A burst that begins while it is set and is
   * not a marking code is that field's input: it ends in ::typed, not ::scanned.
   */
  properties[PROP_TEXT_INPUT] =
    g_param_spec_boolean ("text-input", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * QoimaScanReader::scanned:
   * @self: the reader
   * @text: the scan, GS as 0x1D, prefix and terminator stripped
   * @gs_via: a #QoimaGsVia (as int)
   * @caps_lock: whether any key of the scan had Caps Lock on
   * @prefix_seen: the prefix stripped, or ""
   * @terminator: "\n", "\t", the suffix, or "" when the burst was flushed
   */
  signals[SIGNAL_SCANNED] =
    g_signal_new ("scanned",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5,
                  G_TYPE_STRING, G_TYPE_INT, G_TYPE_BOOLEAN, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * QoimaScanReader::burst-started:
   * @self: the reader
   *
   * A key came after a pause longer than max-gap-ms: a candidate burst begins.
   */
  signals[SIGNAL_BURST_STARTED] =
    g_signal_new ("burst-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * QoimaScanReader::burst-dropped:
   * @self: the reader
   * @text: what the burst held
   *
   * A burst ended too short to be a scan; for logs only.
   */
  signals[SIGNAL_BURST_DROPPED] =
    g_signal_new ("burst-dropped",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  G_TYPE_STRING);

  /**
   * QoimaScanReader::typed:
   * @self: the reader
   * @text: what the keys of the burst made in the active layout, in order
   *
   * A fast burst that is not a marking code ended while a text field had the focus, and
   * some of its keys were kept from the field: @text is the field's input, whole.
   */
  signals[SIGNAL_TYPED] =
    g_signal_new ("typed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  G_TYPE_STRING);
}

static void
qoima_scan_reader_init (QoimaScanReader *self)
{
  self->gs_substitute = g_strdup ("");
  self->prefix = g_strdup ("");
  self->suffix = g_strdup ("");
  self->max_gap_ms = DEFAULT_MAX_GAP_MS;
  self->min_length = DEFAULT_MIN_LENGTH;
  self->burst = g_string_new (NULL);
  self->typed = g_array_new (FALSE, FALSE, sizeof (gunichar));
  self->gs_via = QOIMA_GS_VIA_NONE;
}

QoimaScanReader *
qoima_scan_reader_new (void)
{
  return g_object_new (QOIMA_TYPE_SCAN_READER, NULL);
}

QoimaKeyVerdict
qoima_scan_reader_key_pressed (QoimaScanReader *self,
                               unsigned         keycode,
                               QoimaKeyMods     mods,
                               guint32          time_ms)
{
  return qoima_scan_reader_key_pressed_typed (self, keycode, mods, 0, time_ms);
}

QoimaKeyVerdict
qoima_scan_reader_key_pressed_typed (QoimaScanReader *self,
                                     unsigned         keycode,
                                     QoimaKeyMods     mods,
                                     gunichar         typed,
                                     guint32          time_ms)
{
  char c;

  g_return_val_if_fail (QOIMA_IS_SCAN_READER (self), QOIMA_KEY_PASS);

  /* Shift, Ctrl and friends arrive as key presses of their own between the characters;
   * they carry no character and must not stretch or break the burst. */
  if (is_modifier_keycode (keycode))
    return QOIMA_KEY_PASS;

  if ((mods & QOIMA_KEY_MOD_CONTROL) && !(mods & QOIMA_KEY_MOD_ALT)
      && keycode == QOIMA_KEYCODE_BRACKETRIGHT)
    return handle_character (self, GS_CHAR, 0, QOIMA_GS_VIA_CONTROL, mods, time_ms);

  if (mods & (QOIMA_KEY_MOD_CONTROL | QOIMA_KEY_MOD_ALT))
    {
      /* A shortcut such as Ctrl+C: a person is at the keyboard. */
      self->after_suffix = FALSE;
      finish_burst (self, "", 0);
      return QOIMA_KEY_PASS;
    }

  if (keycode == QOIMA_KEYCODE_F8)
    return handle_character (self, GS_CHAR, 0, QOIMA_GS_VIA_F8, mods, time_ms);

  if (is_terminator_keycode (keycode))
    return handle_terminator (self, keycode, mods, time_ms);

  c = qoima_keymap_us_char (keycode, (mods & QOIMA_KEY_MOD_SHIFT) != 0);
  if (c == 0)
    {
      /* Arrows, Backspace, Escape…: no scanner sends these inside a code. */
      self->after_suffix = FALSE;
      finish_burst (self, "", 0);
      return QOIMA_KEY_PASS;
    }

  return handle_character (self, c, typed, QOIMA_GS_VIA_NONE, mods, time_ms);
}

gboolean
qoima_scan_reader_flush (QoimaScanReader *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_READER (self), FALSE);

  self->after_suffix = FALSE;
  return finish_burst (self, "", 0);
}

gboolean
qoima_scan_reader_is_busy (QoimaScanReader *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_READER (self), FALSE);

  return self->busy;
}

void
qoima_scan_reader_set_gs_substitute (QoimaScanReader *self,
                                     const char      *substitute)
{
  g_return_if_fail (QOIMA_IS_SCAN_READER (self));

  set_string_property (self, &self->gs_substitute, substitute, PROP_GS_SUBSTITUTE);
}

const char *
qoima_scan_reader_get_gs_substitute (QoimaScanReader *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_READER (self), NULL);

  return self->gs_substitute;
}

void
qoima_scan_reader_set_prefix (QoimaScanReader *self,
                              const char      *prefix)
{
  g_return_if_fail (QOIMA_IS_SCAN_READER (self));

  set_string_property (self, &self->prefix, prefix, PROP_PREFIX);
}

const char *
qoima_scan_reader_get_prefix (QoimaScanReader *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_READER (self), NULL);

  return self->prefix;
}

void
qoima_scan_reader_set_suffix (QoimaScanReader *self,
                              const char      *suffix)
{
  g_return_if_fail (QOIMA_IS_SCAN_READER (self));

  set_string_property (self, &self->suffix, suffix, PROP_SUFFIX);
}

const char *
qoima_scan_reader_get_suffix (QoimaScanReader *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_READER (self), NULL);

  return self->suffix;
}

void
qoima_scan_reader_set_max_gap_ms (QoimaScanReader *self,
                                  unsigned         max_gap_ms)
{
  g_return_if_fail (QOIMA_IS_SCAN_READER (self));
  g_return_if_fail (max_gap_ms > 0);

  if (self->max_gap_ms == max_gap_ms)
    return;
  self->max_gap_ms = max_gap_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_GAP_MS]);
}

unsigned
qoima_scan_reader_get_max_gap_ms (QoimaScanReader *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_READER (self), 0);

  return self->max_gap_ms;
}

void
qoima_scan_reader_set_min_length (QoimaScanReader *self,
                                  unsigned         min_length)
{
  g_return_if_fail (QOIMA_IS_SCAN_READER (self));
  g_return_if_fail (min_length > 0);

  if (self->min_length == min_length)
    return;
  self->min_length = min_length;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MIN_LENGTH]);
}

unsigned
qoima_scan_reader_get_min_length (QoimaScanReader *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_READER (self), 0);

  return self->min_length;
}

void
qoima_scan_reader_set_caps_lock_inverts (QoimaScanReader *self,
                                         gboolean         inverts)
{
  g_return_if_fail (QOIMA_IS_SCAN_READER (self));

  inverts = !!inverts;
  if (self->caps_lock_inverts == inverts)
    return;
  self->caps_lock_inverts = inverts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPS_LOCK_INVERTS]);
}

gboolean
qoima_scan_reader_get_caps_lock_inverts (QoimaScanReader *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_READER (self), FALSE);

  return self->caps_lock_inverts;
}

void
qoima_scan_reader_set_text_input (QoimaScanReader *self,
                                  gboolean         text_input)
{
  g_return_if_fail (QOIMA_IS_SCAN_READER (self));

  text_input = !!text_input;
  if (self->text_input == text_input)
    return;
  self->text_input = text_input;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT_INPUT]);
}

gboolean
qoima_scan_reader_get_text_input (QoimaScanReader *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_READER (self), FALSE);

  return self->text_input;
}
