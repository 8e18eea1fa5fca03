/* qoima-label-print.h: a replacement label for a pack whose own label is damaged
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "qoima-pack.h"

G_BEGIN_DECLS

/**
 * qoima_label_print_operation_new:
 * @pack: the pack; its own marking code is printed, never a new one
 *
 * A one-page print operation: the pack's GS1 DataMatrix (drawn with libdmtx, 20 mm) and,
 * beside it, the product, GTIN, serial, batch and expiry as text. Run it with
 * GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, or set export-filename and run
 * GTK_PRINT_OPERATION_ACTION_EXPORT for a PDF.
 *
 * Returns: (transfer full): the operation
 */
GtkPrintOperation *qoima_label_print_operation_new (QoimaPack *pack);

G_END_DECLS
