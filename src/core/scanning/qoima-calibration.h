/* qoima-calibration.h: learn how a scanner delivers GS, prefix and suffix
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "qoima-scan-reader.h"

G_BEGIN_DECLS

/**
 * qoima_calibration_code:
 *
 * The calibration marking code: GS1-valid (01 + 21 + 91 + 92 with GS separators) and
 * holding every GS1 CSET 82 character (upper and lower case, digits, all punctuation a
 * serial or crypto tail may contain). It is what the calibration DataMatrix encodes.
 *
 * Returns: the code, GS as 0x1D, without a leading FNC1
 */
const char *qoima_calibration_code (void);

typedef struct {
  gboolean   ok;            /* the scan matched the calibration code once repaired */
  QoimaGsVia gs_via;        /* how GS arrived */
  gboolean   gs_lost;       /* GS did not arrive at all (the scanner must be reconfigured) */
  char      *gs_substitute; /* a literal text standing for GS (e.g. "<GS>"), or NULL */
  char      *prefix;        /* characters before the code, or "" */
  char      *terminator;    /* "\n", "\t", a custom suffix, or "" */
  gboolean   caps_lock_inverts; /* letter case came inverted with Caps Lock on */
  char      *problem;       /* when !ok: what differs, in the user's language */
} QoimaCalibrationResult;

void qoima_calibration_result_free (QoimaCalibrationResult *result);

/**
 * qoima_calibration_analyse:
 * @received: the text the scan reader produced for the calibration symbol (GS as 0x1D,
 *   no terminator), with no prefix/suffix stripping configured
 * @gs_via: how the reader saw GS arrive
 * @caps_lock: whether Caps Lock was on during the burst
 * @terminator: the terminator the reader saw
 *
 * Compares @received with qoima_calibration_code() and says what the scanner does.
 */
QoimaCalibrationResult *qoima_calibration_analyse (const char *received,
                                                   QoimaGsVia  gs_via,
                                                   gboolean    caps_lock,
                                                   const char *terminator);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaCalibrationResult, qoima_calibration_result_free)

G_END_DECLS
