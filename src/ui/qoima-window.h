/* qoima-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-acts-page.h"
#include "qoima-move-page.h"
#include "qoima-context.h"
#include "qoima-scan-reader.h"
#include "qoima-scan-result.h"
#include "qoima-scanner-page.h"
#include "qoima-sign-in.h"
#include "qoima-stock-page.h"
#include "qoima-withdrawals-page.h"
#include "qoima-use-page.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_WINDOW (qoima_window_get_type ())

G_DECLARE_FINAL_TYPE (QoimaWindow, qoima_window, QOIMA, WINDOW, AdwApplicationWindow)

/**
 * qoima_window_new:
 * @application: (nullable): the application
 * @context: (nullable): the services; %NULL when the warehouse could not be opened, in
 *   which case the window only shows what qoima_window_show_error() says
 *
 * Returns: (transfer full): a new window, owned by the window list
 */
QoimaWindow      *qoima_window_new               (GtkApplication *application,
                                                  QoimaContext   *context);

QoimaContext     *qoima_window_get_context       (QoimaWindow    *self);
/* The reader fed by the window's key events; tests feed it directly. */
QoimaScanReader  *qoima_window_get_scan_reader   (QoimaWindow    *self);
QoimaScanResult  *qoima_window_get_scan_result   (QoimaWindow    *self);
QoimaStockPage   *qoima_window_get_stock_page    (QoimaWindow    *self);
QoimaScannerPage *qoima_window_get_scanner_page  (QoimaWindow    *self);
QoimaActsPage    *qoima_window_get_acts_page     (QoimaWindow    *self);
QoimaMovePage    *qoima_window_get_move_page     (QoimaWindow    *self);
QoimaWithdrawalsPage *qoima_window_get_withdrawals_page (QoimaWindow *self);
QoimaUsePage     *qoima_window_get_use_page      (QoimaWindow    *self);
/* The sign-in screen, shown instead of the pages while nobody is signed in. */
QoimaSignIn      *qoima_window_get_sign_in       (QoimaWindow    *self);
/* The bar above the pages that says the warehouse is read-only; shown only then. */
GtkWidget        *qoima_window_get_read_only_banner (QoimaWindow  *self);

/* A spinner with a title and description in place of the pages (demo data being made). */
void              qoima_window_show_progress     (QoimaWindow    *self,
                                                  const char     *title,
                                                  const char     *description);
/* An error in place of the pages (a warehouse that cannot be opened). */
void              qoima_window_show_error        (QoimaWindow    *self,
                                                  const char     *title,
                                                  const char     *description);
/* The pages the signed-in user may use, with the stock loaded afresh; the sign-in screen
 * while nobody is signed in. */
void              qoima_window_show_content      (QoimaWindow    *self);
void              qoima_window_add_toast         (QoimaWindow    *self,
                                                  const char     *message);

/**
 * qoima_window_handle_scan:
 * @text: scanned text as the reader produced it
 *
 * What the window does with every scan: parse it, show what is wrong or look the pack up
 * and show it. Emits #QoimaWindow::scan-handled once the answer is on screen.
 */
void              qoima_window_handle_scan       (QoimaWindow    *self,
                                                  const char     *text);

/**
 * qoima_window_open_image:
 * @file: a photo or a scanned image of a pack's code
 *
 * Reads the DataMatrix in @file in a worker thread and takes it as a scan (the same way
 * as a scanner's); says in a toast why nothing was read. Emits #QoimaWindow::image-read.
 */
void              qoima_window_open_image        (QoimaWindow    *self,
                                                  GFile          *file);

/* Toasts shown and not yet dismissed, so tests can see a result is not said twice. */
guint             qoima_window_get_n_toasts      (QoimaWindow    *self);

/* The page's shortcut for the signed-in user ("<Alt>1" for the first page the switcher
 * shows), or NULL for a page hidden from the user. (transfer full) */
char             *qoima_window_get_page_accel    (QoimaWindow    *self,
                                                  const char     *name);

G_END_DECLS
