/* qoima-window-private.h: the window's parts, for the tests that drive it
 *
 * Not for the application: it talks to the window through qoima-window.h only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "qoima-window.h"

#include "qoima-acts-page.h"
#include "qoima-application-page.h"
#include "qoima-count-page.h"
#include "qoima-dispensing-page.h"
#include "qoima-move-page.h"
#include "qoima-scan-reader.h"
#include "qoima-scan-result.h"
#include "qoima-scanner-page.h"
#include "qoima-sign-in.h"
#include "qoima-stock-page.h"
#include "qoima-use-page.h"
#include "qoima-withdrawals-page.h"

G_BEGIN_DECLS

/* The reader fed by the window's key events; tests feed it directly. */
QoimaScanReader  *qoima_window_get_scan_reader   (QoimaWindow    *self);
QoimaScanResult  *qoima_window_get_scan_result   (QoimaWindow    *self);
GtkWidget        *qoima_window_get_switcher_bar  (QoimaWindow    *self);
QoimaStockPage   *qoima_window_get_stock_page    (QoimaWindow    *self);
QoimaScannerPage *qoima_window_get_scanner_page  (QoimaWindow    *self);
QoimaActsPage    *qoima_window_get_acts_page     (QoimaWindow    *self);
QoimaMovePage    *qoima_window_get_move_page     (QoimaWindow    *self);
QoimaCountPage   *qoima_window_get_count_page    (QoimaWindow    *self);
QoimaDispensingPage *qoima_window_get_dispensing_page (QoimaWindow *self);
QoimaWithdrawalsPage *qoima_window_get_withdrawals_page (QoimaWindow *self);
QoimaUsePage     *qoima_window_get_use_page      (QoimaWindow    *self);
QoimaApplicationPage *qoima_window_get_application_page (QoimaWindow *self);
/* The sign-in screen, shown instead of the pages while nobody is signed in. */
QoimaSignIn      *qoima_window_get_sign_in       (QoimaWindow    *self);
/* The bar above the pages that says the warehouse is read-only; shown only then. */
GtkWidget        *qoima_window_get_read_only_banner (QoimaWindow  *self);
/* The bar that says the shared database server cannot be reached, with its Retry; shown
 * only while it cannot. */
GtkWidget        *qoima_window_get_connection_banner (QoimaWindow *self);

/* Toasts shown and not yet dismissed, so tests can see a result is not said twice. */
guint             qoima_window_get_n_toasts      (QoimaWindow    *self);

/* Whether the camera dialog is open or its answer has yet to reach the window. */
gboolean          qoima_window_get_camera_open   (QoimaWindow    *self);

/* The page's shortcut for the signed-in user ("<Alt>1" for the first page the switcher
 * shows), or NULL for a page hidden from the user. (transfer full) */
char             *qoima_window_get_page_accel    (QoimaWindow    *self,
                                                  const char     *name);

G_END_DECLS
