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

/* A phone photo is 12 MP; libdmtx's time grows with the pixels, and a pack's symbol keeps
 * several pixels per module at this size. */
#define MAX_SIDE 1600

/* A file the user chose is read once, so libdmtx may look a little longer than for a
 * camera frame: it reads some worn symbols ZXing-C++ does not. */
#define FILE_BUDGET_MS (QOIMA_DATAMATRIX_PHOTO_BUDGET_MS * 4)

const char *const qoima_image_scan_mime_types[] = {
  "image/png", "image/jpeg", "image/bmp", "image/tiff", "image/gif", "image/x-portable-anymap", NULL,
};

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
  char *text;
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
  if (side > MAX_SIDE)
    {
      w = MAX (1, w * MAX_SIDE / side);
      h = MAX (1, h * MAX_SIDE / side);
      pixbuf = gdk_pixbuf_scale_simple (upright, w, h, GDK_INTERP_BILINEAR);
    }
  else
    pixbuf = g_object_ref (upright);

  if (g_task_return_error_if_cancelled (task))
    return;

  grey = qoima_datamatrix_grey_from_rgb (gdk_pixbuf_read_pixels (pixbuf), w, h,
                                         gdk_pixbuf_get_rowstride (pixbuf),
                                         gdk_pixbuf_get_n_channels (pixbuf));
  text = qoima_datamatrix_find (grey, w, h, w, FILE_BUDGET_MS, NULL, NULL, &error);
  if (text == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, text, g_free);
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
