/* qoima-image-scan.c: a DataMatrix read from an image file, off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-image-scan"

#include "config.h"

#include "qoima-image-scan.h"

#include "qoima-datamatrix.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n.h>

/* A file the user chose is read once, so libdmtx may look a little longer than for a
 * camera frame: it reads some worn symbols ZXing-C++ does not. */
#define FILE_BUDGET_MS (QOIMA_DATAMATRIX_PHOTO_BUDGET_MS * 4)

const char *const qoima_image_scan_mime_types[] = {
  "image/png", "image/jpeg", "image/bmp", "image/tiff", "image/gif", "image/x-portable-anymap", NULL,
};

/* What a file and a camera frame share once they are grey pixels. */
static void
return_code_found (GTask    *task,
                   GBytes   *grey,
                   int       width,
                   int       height,
                   int       stride,
                   unsigned  budget_ms)
{
  g_autoptr(GError) error = NULL;
  char *text;

  text = qoima_datamatrix_find (grey, width, height, stride, budget_ms, NULL, NULL, &error);
  if (text == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, text, g_free);
}

static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GBytes) grey = NULL;
  g_autoptr(GError) error = NULL;
  int w, h, side;

  stream = g_file_read (file, cancellable, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  loaded = gdk_pixbuf_new_from_stream (G_INPUT_STREAM (stream), cancellable, &error);
  if (loaded == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                 _("The file is not an image Qoima can read"));
      return;
    }
  upright = gdk_pixbuf_apply_embedded_orientation (loaded);

  w = gdk_pixbuf_get_width (upright);
  h = gdk_pixbuf_get_height (upright);
  side = MAX (w, h);
  if (side > QOIMA_IMAGE_SCAN_MAX_SIDE)
    {
      w = MAX (1, w * QOIMA_IMAGE_SCAN_MAX_SIDE / side);
      h = MAX (1, h * QOIMA_IMAGE_SCAN_MAX_SIDE / side);
      pixbuf = gdk_pixbuf_scale_simple (upright, w, h, GDK_INTERP_BILINEAR);
    }
  else
    pixbuf = g_object_ref (upright);

  if (g_task_return_error_if_cancelled (task))
    return;

  grey = qoima_datamatrix_grey_from_rgb (gdk_pixbuf_read_pixels (pixbuf), w, h,
                                         gdk_pixbuf_get_rowstride (pixbuf),
                                         gdk_pixbuf_get_n_channels (pixbuf));
  return_code_found (task, grey, w, h, w, FILE_BUDGET_MS);
}

void
qoima_image_scan_file_async (GFile               *file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_image_scan_file_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, scan_thread);
}

char *
qoima_image_scan_file_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_image_scan_file_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  GBytes *pixels;
  int     width;
  int     height;
  int     stride;
} Frame;

static void
frame_free (Frame *frame)
{
  g_bytes_unref (frame->pixels);
  g_free (frame);
}

static void
grey_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Frame *frame = task_data;

  if (g_task_return_error_if_cancelled (task))
    return;
  return_code_found (task, frame->pixels, frame->width, frame->height, frame->stride,
                     QOIMA_DATAMATRIX_PHOTO_BUDGET_MS);
}

void
qoima_image_scan_grey_async (GBytes              *pixels,
                             int                  width,
                             int                  height,
                             int                  stride,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Frame *frame;

  g_return_if_fail (pixels != NULL);
  g_return_if_fail (width > 0 && height > 0 && stride >= width);
  g_return_if_fail (g_bytes_get_size (pixels) >= (gsize) stride * (gsize) (height - 1) + (gsize) width);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  frame = g_new0 (Frame, 1);
  frame->pixels = g_bytes_ref (pixels);
  frame->width = width;
  frame->height = height;
  frame->stride = stride;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_image_scan_grey_async);
  g_task_set_task_data (task, frame, (GDestroyNotify) frame_free);
  g_task_run_in_thread (task, grey_thread);
}

char *
qoima_image_scan_grey_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_image_scan_grey_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
