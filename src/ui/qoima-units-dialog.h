/* qoima-units-dialog.h: asking the clerk once how many units a pack of a product holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define QOIMA_TYPE_UNITS_DIALOG (qoima_units_dialog_get_type ())

G_DECLARE_FINAL_TYPE (QoimaUnitsDialog, qoima_units_dialog, QOIMA, UNITS_DIALOG, AdwWindow)

/**
 * qoima_units_dialog_run_async:
 * @parent: (nullable): the window the dialog belongs to
 * @product_name: the medicine, as the clerk knows it
 * @gtin: its GTIN, shown beside the name
 *
 * Asks how many units (tablets, ampoules…) one pack holds. Finish returns the number,
 * or 0 with G_IO_ERROR_CANCELLED when the clerk closed the dialog. Nothing is stored:
 * the caller records the answer with qoima_store_set_units_per_pack_async().
 */
void  qoima_units_dialog_run_async  (GtkWindow           *parent,
                                     const char          *product_name,
                                     const char          *gtin,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
int   qoima_units_dialog_run_finish (GAsyncResult        *result,
                                     GError             **error);

/* What the dialog's controls do, for tests and keyboard users alike. */
void  qoima_units_dialog_set_units  (QoimaUnitsDialog *self,
                                     int               units);
void  qoima_units_dialog_save       (QoimaUnitsDialog *self);
void  qoima_units_dialog_cancel     (QoimaUnitsDialog *self);

G_END_DECLS
