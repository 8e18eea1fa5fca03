/* qoima-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"

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

G_END_DECLS
