/* qoima-transfer-print.h: the transfer document on paper (and as PDF)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "qoima-transfer.h"

G_BEGIN_DECLS

/**
 * qoima_transfer_print_operation_new:
 * @transfer: the document, with its lines (qoima_store_load_transfer_async())
 * @organization: (nullable): the hospital's name for the header; a line to fill in by
 *   hand when NULL
 *
 * A print operation that draws the transfer note on A4: number, organization, date,
 * from → to, a table of medicines with batch, expiry, quantity and the marking codes in
 * small type, totals and signature lines (the clerk by her full name). Run it with
 * GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG to print (printed to a file, it is named after the
 * note's number, e.g. ВП-000001.pdf), or set export-filename and run
 * GTK_PRINT_OPERATION_ACTION_EXPORT for a PDF.
 *
 * Returns: (transfer full): the operation
 */
GtkPrintOperation *qoima_transfer_print_operation_new (QoimaTransfer *transfer,
                                                       const char    *organization);

/* Writes the document as a PDF at @path (synchronous: it only draws). */
gboolean           qoima_transfer_print_export_pdf    (QoimaTransfer  *transfer,
                                                       const char     *organization,
                                                       const char     *path,
                                                       GError        **error);

G_END_DECLS
