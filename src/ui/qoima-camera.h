/* qoima-camera.h: a webcam's frames, each looked at for a DataMatrix
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Test and debug hooks. QOIMA_CAMERA_SOURCE: a GStreamer pipeline description used instead
 * of the camera (such as "videotestsrc", or "filesrc location=code.png ! pngdec ! imagefreeze");
 * the camera adds its own conversion and sink after it. QOIMA_CAMERA_TIME_LIMIT: seconds a
 * read may take instead of QOIMA_CAMERA_TIME_LIMIT_S. */
#define QOIMA_CAMERA_SOURCE_ENV     "QOIMA_CAMERA_SOURCE"
#define QOIMA_CAMERA_TIME_LIMIT_ENV "QOIMA_CAMERA_TIME_LIMIT"

/* How long the camera looks for a code before it gives up (and is turned off). */
#define QOIMA_CAMERA_TIME_LIMIT_S 60

#define QOIMA_TYPE_CAMERA (qoima_camera_get_type ())

G_DECLARE_FINAL_TYPE (QoimaCamera, qoima_camera, QOIMA, CAMERA, GObject)

QoimaCamera *qoima_camera_new              (void);

/* The last frame shown (greyscale, as the decoder sees it), or %NULL before the first;
 * property "frame", notified for each frame shown. It stays after the camera stops. */
GdkTexture  *qoima_camera_get_frame        (QoimaCamera         *self);

/* For tests: how many frames the last read has searched, and the shortest time between the
 * starts of two of its searches, in microseconds (G_MAXINT64 before a second). Searches start
 * QOIMA_CAMERA_SEARCH_INTERVAL_MS apart at least, however fast frames come. */
#define QOIMA_CAMERA_SEARCH_INTERVAL_MS 250
guint        qoima_camera_get_n_searches   (QoimaCamera         *self);
gint64       qoima_camera_get_shortest_search_gap (QoimaCamera  *self);

/* The time limit of a read, in seconds: QOIMA_CAMERA_TIME_LIMIT_S or the hook's. */
guint        qoima_camera_get_time_limit   (QoimaCamera         *self);

/**
 * qoima_camera_read_code_async:
 * @parent: (nullable): the window the camera portal's question belongs to
 *
 * Starts the camera: QOIMA_CAMERA_SOURCE when set; in a Flatpak sandbox, the camera
 * portal's PipeWire camera; otherwise the first V4L2 capture device, or the portal's when
 * there is none. Frames are converted to greyscale and every one is shown; the latest one is
 * searched for a DataMatrix in a worker thread, a search starting no sooner than
 * QOIMA_CAMERA_SEARCH_INTERVAL_MS after the last one started, until a code is found,
 * @cancellable is cancelled or the time limit passes. The camera is off again when the
 * callback runs. One read at a time.
 */
void         qoima_camera_read_code_async  (QoimaCamera         *self,
                                            GtkWindow           *parent,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
/**
 * qoima_camera_read_code_finish:
 *
 * Returns: (transfer full): the code's text as a scanner would send it (GS separators), or
 * %NULL with @error in G_IO_ERROR: NOT_FOUND (no camera), PERMISSION_DENIED (the portal
 * was refused), TIMED_OUT (no code in the time limit), CANCELLED, or FAILED (the camera
 * could not be started or stopped sending frames), with a message for the user.
 */
char        *qoima_camera_read_code_finish (QoimaCamera         *self,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
