/* qoima-scanner-page.h: the Scanner set-up page: calibration and settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-scan-reader.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_SCANNER_PAGE (qoima_scanner_page_get_type ())

G_DECLARE_FINAL_TYPE (QoimaScannerPage, qoima_scanner_page, QOIMA, SCANNER_PAGE, AdwBin)

QoimaContext *qoima_scanner_page_get_context     (QoimaScannerPage *self);
/* The context is a construct-only property. Starting binds the scanner settings to the
 * page and shows the calibration state. */
void          qoima_scanner_page_start           (QoimaScannerPage *self);

/* In calibration mode (the `scanner.calibrate` action) the window hands the next scan
 * to qoima_scanner_page_take_scan() instead of looking a pack up. */
gboolean      qoima_scanner_page_get_calibrating (QoimaScannerPage *self);
void          qoima_scanner_page_set_calibrating (QoimaScannerPage *self,
                                                  gboolean          calibrating);

/**
 * qoima_scanner_page_take_scan:
 *
 * Analyses a scan of the calibration code (made while the reader stripped nothing), shows
 * what the scanner does in plain words, stores what was learned in the settings and
 * leaves calibration mode. The arguments are those of QoimaScanReader::scanned.
 *
 * Returns: whether the scan matched the calibration code
 */
gboolean      qoima_scanner_page_take_scan       (QoimaScannerPage *self,
                                                  const char       *text,
                                                  QoimaGsVia        gs_via,
                                                  gboolean          caps_lock,
                                                  const char       *prefix_seen,
                                                  const char       *terminator);

G_END_DECLS
