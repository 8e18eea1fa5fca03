/* qoima-scan-result.h: the card that answers a scan
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-gs1.h"
#include "qoima-pack.h"

G_BEGIN_DECLS

/**
 * QoimaScanResultState:
 * @QOIMA_SCAN_RESULT_STATE_NONE: nothing to show; the card is hidden
 * @QOIMA_SCAN_RESULT_STATE_BUSY: a valid code is being looked up
 * @QOIMA_SCAN_RESULT_STATE_FOUND: the pack is in the warehouse
 * @QOIMA_SCAN_RESULT_STATE_UNKNOWN: a valid code for a pack the hospital does not hold
 * @QOIMA_SCAN_RESULT_STATE_INVALID: the scan is not a valid marking code; nothing recorded
 * @QOIMA_SCAN_RESULT_STATE_FAILED: the warehouse could not record the scan
 */
typedef enum {
  QOIMA_SCAN_RESULT_STATE_NONE,
  QOIMA_SCAN_RESULT_STATE_BUSY,
  QOIMA_SCAN_RESULT_STATE_FOUND,
  QOIMA_SCAN_RESULT_STATE_UNKNOWN,
  QOIMA_SCAN_RESULT_STATE_INVALID,
  QOIMA_SCAN_RESULT_STATE_FAILED,
} QoimaScanResultState;

#define QOIMA_TYPE_SCAN_RESULT_STATE (qoima_scan_result_state_get_type ())
GType qoima_scan_result_state_get_type (void) G_GNUC_CONST;

#define QOIMA_TYPE_SCAN_RESULT (qoima_scan_result_get_type ())

G_DECLARE_FINAL_TYPE (QoimaScanResult, qoima_scan_result, QOIMA, SCAN_RESULT, AdwBin)

QoimaScanResultState    qoima_scan_result_get_state   (QoimaScanResult        *self);
/* The parsed code of the last valid scan, or NULL. */
const QoimaMarkingCode *qoima_scan_result_get_code    (QoimaScanResult        *self);
/* The pack found by the last scan, or NULL. */
QoimaPack              *qoima_scan_result_get_pack    (QoimaScanResult        *self);
/* The user-facing message shown for an invalid or failed scan, or NULL. */
const char             *qoima_scan_result_get_message (QoimaScanResult        *self);

void qoima_scan_result_show_busy    (QoimaScanResult        *self,
                                     const QoimaMarkingCode *code);
void qoima_scan_result_show_pack    (QoimaScanResult        *self,
                                     const QoimaMarkingCode *code,
                                     QoimaPack              *pack,
                                     int                     warning_days);
void qoima_scan_result_show_unknown (QoimaScanResult        *self,
                                     const QoimaMarkingCode *code);
void qoima_scan_result_show_invalid (QoimaScanResult        *self,
                                     const char             *text,
                                     int                     position,
                                     const GError           *error);
void qoima_scan_result_show_failed  (QoimaScanResult        *self,
                                     const QoimaMarkingCode *code,
                                     const GError           *error);
void qoima_scan_result_clear        (QoimaScanResult        *self);

/**
 * qoima_scan_result_markup_code:
 * @text: scanned text (UTF-8)
 * @position: the character to highlight, or -1
 *
 * Pango markup showing @text safely: markup characters escaped (codes contain `<`, `&`
 * and quotes), control characters such as GS drawn as visible symbols, and the
 * character at @position highlighted.
 *
 * Returns: (transfer full): the markup
 */
char *qoima_scan_result_markup_code (const char *text,
                                     int         position);

G_END_DECLS
