/* qoima-image-scan.h: a DataMatrix read from an image file, off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The largest side an image is searched at: a phone's 12 MP photo is shrunk to it (libdmtx's
 * time grows with the pixels, and a pack's symbol keeps several pixels per module at this
 * size); a camera frame is scaled to it by the camera's pipeline. */
#define QOIMA_IMAGE_SCAN_MAX_SIDE 1600

/* The MIME types offered in the file chooser (what gdk-pixbuf reads on every install). */
extern const char *const qoima_image_scan_mime_types[];

/**
 * qoima_image_scan_file_async:
 * @file: a photo or a scanned image (PNG, JPEG, …)
 *
 * Loads @file, turns it upright (EXIF), shrinks a camera-sized image and looks for a
 * DataMatrix with qoima_datamatrix_find(), all in a worker thread.
 */
void  qoima_image_scan_file_async  (GFile               *file,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
/* Returns: (transfer full): the code's text as a scanner would send it (GS separators), or
 * %NULL with @error (G_IO_ERROR_NOT_FOUND: no symbol in the image). */
char *qoima_image_scan_file_finish (GAsyncResult        *result,
                                    GError             **error);

/**
 * qoima_image_scan_grey_async:
 * @pixels: 8-bit greyscale pixels, @stride bytes per row: one camera frame, at most
 *   %QOIMA_IMAGE_SCAN_MAX_SIDE pixels a side
 *
 * Looks for a DataMatrix in @pixels in a worker thread, with the decoders an image file
 * gets, on a camera frame's time (the next frame is coming).
 */
void  qoima_image_scan_grey_async  (GBytes              *pixels,
                                    int                  width,
                                    int                  height,
                                    int                  stride,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
/* Returns: (transfer full): as qoima_image_scan_file_finish() */
char *qoima_image_scan_grey_finish (GAsyncResult        *result,
                                    GError             **error);

G_END_DECLS
