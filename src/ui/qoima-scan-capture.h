/* qoima-scan-capture.h: scanner key events from a window, whatever has the focus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "qoima-scan-reader.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_SCAN_CAPTURE (qoima_scan_capture_get_type ())

G_DECLARE_FINAL_TYPE (QoimaScanCapture, qoima_scan_capture, QOIMA, SCAN_CAPTURE, GObject)

/**
 * qoima_scan_capture_new:
 * @widget: the widget whose keys are watched (normally the window)
 * @settings: (nullable): the settings the reader follows (scan-prefix, scan-suffix,
 *   gs-substitute, scan-max-gap-ms, scan-min-length, caps-lock-inverts)
 *
 * Adds a key controller in the capture phase to @widget, so that scanner bursts are
 * seen before any entry or input method, and feeds a #QoimaScanReader with hardware
 * keycodes and event times. The controller is removed when the capture is finalized.
 *
 * While a text field has the focus, a burst that is not a marking code (an IIN from a
 * wristband scanner, a fast typist) is the field's input: the capture types it into the
 * field whole, as the active layout made it (#QoimaScanReader::typed). A marking code is a
 * scan wherever the focus is, and leaves no trace in the field.
 *
 * Returns: (transfer full): a new #QoimaScanCapture
 */
QoimaScanCapture *qoima_scan_capture_new             (GtkWidget        *widget,
                                                      GSettings        *settings);

QoimaScanReader  *qoima_scan_capture_get_reader      (QoimaScanCapture *self);

gboolean          qoima_scan_capture_get_calibrating (QoimaScanCapture *self);
/* While calibrating the reader strips nothing (no prefix, suffix or GS substitute, no
 * Caps Lock correction), so that the calibration sees what the scanner really sends. */
void              qoima_scan_capture_set_calibrating (QoimaScanCapture *self,
                                                      gboolean          calibrating);

G_END_DECLS
