/* qoima-scan-reader.h: key events from a keyboard-wedge scanner -> scanned text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Modifier bits the reader needs, independent of GDK (the UI translates GdkModifierType). */
typedef enum {
  QOIMA_KEY_MOD_NONE    = 0,
  QOIMA_KEY_MOD_SHIFT   = 1 << 0,
  QOIMA_KEY_MOD_CONTROL = 1 << 1,
  QOIMA_KEY_MOD_LOCK    = 1 << 2, /* Caps Lock */
  QOIMA_KEY_MOD_ALT     = 1 << 3,
} QoimaKeyMods;

/* How a GS arrived in a scan, learned by calibration and reported per scan. */
typedef enum {
  QOIMA_GS_VIA_NONE,        /* no GS in the scan */
  QOIMA_GS_VIA_CONTROL,     /* Ctrl + the `]` key position */
  QOIMA_GS_VIA_F8,          /* the F8 key */
  QOIMA_GS_VIA_SUBSTITUTE,  /* the configured substitute string */
} QoimaGsVia;

/* What the reader decided about a key event. */
typedef enum {
  QOIMA_KEY_PASS,      /* not (yet) scanner input: let the focused widget have it */
  QOIMA_KEY_CONSUMED,  /* part of a scan burst: do not deliver it to the focused widget */
} QoimaKeyVerdict;

#define QOIMA_TYPE_SCAN_READER (qoima_scan_reader_get_type ())

G_DECLARE_FINAL_TYPE (QoimaScanReader, qoima_scan_reader, QOIMA, SCAN_READER, GObject)

QoimaScanReader *qoima_scan_reader_new (void);

/**
 * qoima_scan_reader_key_pressed:
 * @self: a #QoimaScanReader
 * @keycode: the XKB hardware keycode (never the keyval: the layout may be ru or kz)
 * @mods: the modifiers held
 * @time_ms: the event's timestamp in milliseconds (gdk_event_get_time()), not the wall clock
 *
 * Feeds one key press. Keys closer together than #QoimaScanReader:max-gap-ms form a burst;
 * a burst of at least #QoimaScanReader:min-length characters that ends with a terminator
 * (Enter, keypad Enter, Tab, or the configured suffix) is a scan and emits
 * #QoimaScanReader::scanned. A burst that stops without a terminator is finished by
 * qoima_scan_reader_flush(), which the UI calls when max-gap-ms passes with no key.
 * Ctrl + the `]` position and F8 are GS; the configured substitute string becomes GS too.
 * With Caps Lock held and #QoimaScanReader:caps-lock-inverts set, letter case is undone.
 *
 * Returns: whether the caller should swallow the event
 */
QoimaKeyVerdict qoima_scan_reader_key_pressed (QoimaScanReader *self,
                                               unsigned         keycode,
                                               QoimaKeyMods     mods,
                                               guint32          time_ms);

/**
 * qoima_scan_reader_key_pressed_typed:
 * @typed: the character the key made in the active layout (gdk_keyval_to_unicode()), or 0
 *
 * As qoima_scan_reader_key_pressed(), also telling what the key typed, so that a burst that
 * turns out to be typing for a text field can be given to it as it was typed (see
 * #QoimaScanReader:text-input and ::typed).
 */
QoimaKeyVerdict qoima_scan_reader_key_pressed_typed (QoimaScanReader *self,
                                                     unsigned         keycode,
                                                     QoimaKeyMods     mods,
                                                     gunichar         typed,
                                                     guint32          time_ms);

/* Ends the current burst as if its terminator had come (timeout). Emits ::scanned or
 * ::burst-dropped. Returns TRUE if a scan was emitted. */
gboolean        qoima_scan_reader_flush       (QoimaScanReader *self);

/* Whether a burst is in progress (the UI arms a timeout while it is). */
gboolean        qoima_scan_reader_is_busy     (QoimaScanReader *self);

/* Settings, normally bound to GSettings by the UI. */
void            qoima_scan_reader_set_gs_substitute   (QoimaScanReader *self, const char *substitute);
const char     *qoima_scan_reader_get_gs_substitute   (QoimaScanReader *self);
void            qoima_scan_reader_set_prefix          (QoimaScanReader *self, const char *prefix);
const char     *qoima_scan_reader_get_prefix          (QoimaScanReader *self);
void            qoima_scan_reader_set_suffix          (QoimaScanReader *self, const char *suffix);
const char     *qoima_scan_reader_get_suffix          (QoimaScanReader *self);
void            qoima_scan_reader_set_max_gap_ms      (QoimaScanReader *self, unsigned max_gap_ms);
unsigned        qoima_scan_reader_get_max_gap_ms      (QoimaScanReader *self);
void            qoima_scan_reader_set_min_length      (QoimaScanReader *self, unsigned min_length);
unsigned        qoima_scan_reader_get_min_length      (QoimaScanReader *self);
void            qoima_scan_reader_set_caps_lock_inverts (QoimaScanReader *self, gboolean inverts);
gboolean        qoima_scan_reader_get_caps_lock_inverts (QoimaScanReader *self);
/* Whether the focus is in a text field; the UI sets it before each key. */
void            qoima_scan_reader_set_text_input      (QoimaScanReader *self, gboolean text_input);
gboolean        qoima_scan_reader_get_text_input      (QoimaScanReader *self);

G_END_DECLS

/* Signals:
 *   ::scanned (QoimaScanReader *self, const char *text, QoimaGsVia gs_via,
 *              gboolean caps_lock, const char *prefix_seen, const char *terminator)
 *     text: the scan with GS as 0x1D, prefix and terminator stripped;
 *     prefix_seen/terminator: what was stripped ("" if nothing), for calibration.
 *   ::burst-started (QoimaScanReader *self)
 *     a key came after a pause longer than max-gap-ms: a new candidate burst begins. The UI
 *     snapshots the focused entry's text here and restores it when ::scanned follows, so
 *     the first keys of a scan (delivered before the burst was recognised) leave no trace.
 *   ::burst-dropped (QoimaScanReader *self, const char *text)
 *     a fast burst too short to be a scan (e.g. a fast typist): for logs only.
 *   ::typed (QoimaScanReader *self, const char *text)
 *     with text-input set, a fast burst that is not a marking code (an IIN from a wristband
 *     scanner, a fast typist) and had keys swallowed: the UI puts @text, as the layout made
 *     it, into the text field in place of the keys that reached it.
 */
