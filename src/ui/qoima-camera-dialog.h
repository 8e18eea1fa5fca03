/* qoima-camera-dialog.h: the camera's picture while it looks for a pack's code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define QOIMA_TYPE_CAMERA_DIALOG (qoima_camera_dialog_get_type ())

G_DECLARE_FINAL_TYPE (QoimaCameraDialog, qoima_camera_dialog, QOIMA, CAMERA_DIALOG, AdwWindow)

/**
 * qoima_camera_dialog_run_async:
 * @parent: (nullable): the window the dialog belongs to
 * @cancellable: cancelling it closes the dialog (the user changed, the window closes)
 *
 * Shows what the camera sees, with a line saying what to do or what went wrong (no camera,
 * the portal's refusal, nothing read in the time limit; then Try Again), until a DataMatrix
 * is read. Finish returns its text as a scanner would send it, or %NULL with
 * G_IO_ERROR_CANCELLED when the user closed the dialog. The camera is off once the dialog
 * has closed.
 */
void  qoima_camera_dialog_run_async  (GtkWindow           *parent,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
char *qoima_camera_dialog_run_finish (GAsyncResult        *result,
                                      GError             **error);

/* What the dialog shows and what its buttons do, for tests. */
const char *qoima_camera_dialog_get_status  (QoimaCameraDialog *self);
/* Whether the camera is on: a read is under way. */
gboolean    qoima_camera_dialog_get_reading (QoimaCameraDialog *self);
/* Whether a frame is shown. */
gboolean    qoima_camera_dialog_get_showing_frame (QoimaCameraDialog *self);
void        qoima_camera_dialog_cancel      (QoimaCameraDialog *self);
void        qoima_camera_dialog_retry       (QoimaCameraDialog *self);

G_END_DECLS
