/* qoima-camera.c: a webcam's frames, each looked at for a DataMatrix
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-camera"

#include "config.h"

#include "qoima-camera.h"

#include "qoima-image-scan.h"

#include <glib/gi18n.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#if HAVE_LIBPORTAL
#include <libportal-gtk4/portal-gtk4.h>
#include <libportal/portal.h>
#endif

/* Webcams give 640×480 or 1280×720; a larger frame is scaled down to this, which keeps a
 * pack's symbol readable and the search within a frame's time. */
#define FRAME_MAX_SIDE 1280
G_STATIC_ASSERT (FRAME_MAX_SIDE <= QOIMA_IMAGE_SCAN_MAX_SIDE);

/* Searches start at most four times a second (issue 14): back to back they kept a core busy
 * for the whole read, and a hand holding a pack still gives much the same picture meanwhile. */
#define SEARCH_INTERVAL_US (QOIMA_CAMERA_SEARCH_INTERVAL_MS * G_TIME_SPAN_MILLISECOND)

/* A frame copied out of the streaming thread, waiting for the main thread. */
typedef struct {
  GBytes  *grey; /* width bytes a row */
  GBytes  *rgb;  /* the same, for the preview (GTK 4.8 has no greyscale texture) */
  int      width;
  int      height;
  unsigned run;
} Frame;

static void
frame_free (Frame *frame)
{
  g_clear_pointer (&frame->grey, g_bytes_unref);
  g_clear_pointer (&frame->rgb, g_bytes_unref);
  g_free (frame);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Frame, frame_free)

struct _QoimaCamera
{
  GObject parent_instance;

  /* The read under way, or NULL */
  GTask        *task;
  GCancellable *cancellable;    /* this read's own: cancelled when it ends */
  GCancellable *caller_cancellable;
  gulong        caller_cancelled_id;
  GMainContext *context;        /* where the read was started: frames are handed to it */
  GtkWindow    *parent;         /* weak: the portal's question belongs to it */
  unsigned      run;            /* counts reads, so a late frame of the last one is dropped */
  GstElement   *pipeline;
  guint         bus_watch_id;
  guint         time_limit_id;
  int           pipewire_fd;    /* the portal's PipeWire remote, or -1 */
#if HAVE_LIBPORTAL
  XdpPortal    *portal;
#endif

  GdkTexture   *frame;          /* shown */
  Frame        *unread;         /* the latest frame not yet searched */
  gboolean      searching;      /* a frame is being searched in a worker thread */
  gint64        search_started; /* monotonic time the last search started, or 0 */
  guint         pace_id;        /* waits for the next search's time */
  guint         n_searches;     /* started by the last read, for tests */
  gint64        shortest_gap;   /* between two of its starts, for tests */
  gboolean      ended;          /* the source sent its last frame */

  /* Shared with the streaming thread */
  GMutex        lock;
  Frame        *pending;        /* the latest frame, not yet taken by the main thread */
  gboolean      handover_queued;
};

G_DEFINE_FINAL_TYPE (QoimaCamera, qoima_camera, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FRAME,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void maybe_search (QoimaCamera *self);

/* Turns the camera off and forgets what it sent but the frame shown. */
static void
stop (QoimaCamera *self)
{
  g_clear_handle_id (&self->time_limit_id, g_source_remove);
  g_clear_handle_id (&self->pace_id, g_source_remove);
  g_clear_handle_id (&self->bus_watch_id, g_source_remove);
  if (self->pipeline != NULL)
    {
      /* Waits for the streaming threads, so no frame comes after this. */
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_object (&self->pipeline);
    }
  if (self->pipewire_fd >= 0)
    {
      close (self->pipewire_fd);
      self->pipewire_fd = -1;
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->caller_cancellable != NULL)
    g_cancellable_disconnect (self->caller_cancellable, self->caller_cancelled_id);
  self->caller_cancelled_id = 0;
  g_clear_object (&self->caller_cancellable);
  g_clear_weak_pointer (&self->parent);
  g_clear_pointer (&self->unread, frame_free);
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->pending, frame_free);
  g_mutex_unlock (&self->lock);
  self->run++;
}

/* Ends the read once: with the code's text, or with @error. */
static void
finish (QoimaCamera *self,
        char        *text,
        GError      *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  stop (self);
  if (task == NULL)
    {
      g_free (text);
      g_clear_error (&error);
      return;
    }
  if (text != NULL)
    g_task_return_pointer (task, text, g_free);
  else
    g_task_return_error (task, error);
}

static void
fail (QoimaCamera *self,
      GIOErrorEnum code,
      const char  *message)
{
  finish (self, NULL, g_error_new_literal (G_IO_ERROR, code, message));
}

/* Streaming thread → main thread */

static gboolean
take_frame_cb (gpointer user_data)
{
  QoimaCamera *self = user_data;
  g_autoptr(Frame) frame = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  g_mutex_lock (&self->lock);
  frame = g_steal_pointer (&self->pending);
  self->handover_queued = FALSE;
  g_mutex_unlock (&self->lock);

  if (frame == NULL || self->task == NULL || frame->run != self->run)
    return G_SOURCE_REMOVE;

  texture = gdk_memory_texture_new (frame->width, frame->height, GDK_MEMORY_R8G8B8,
                                    frame->rgb, (gsize) frame->width * 3);
  g_set_object (&self->frame, texture);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);

  /* Only the latest frame is searched: one still waiting is older. */
  g_clear_pointer (&frame->rgb, g_bytes_unref);
  g_clear_pointer (&self->unread, frame_free);
  self->unread = g_steal_pointer (&frame);
  maybe_search (self);
  return G_SOURCE_REMOVE;
}

/* In the streaming thread: the frame is copied out and handed over, a frame the main thread
 * had not taken yet being replaced. The read's task holds the camera, and stop() waits for
 * this thread before the task is let go. */
static GstFlowReturn
new_sample_cb (GstAppSink *sink,
               gpointer    user_data)
{
  QoimaCamera *self = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstVideoInfo info;
  GstVideoFrame video;
  Frame *frame;
  const guint8 *src;
  guint8 *grey, *rgb;
  int stride;
  gboolean queue;

  if (sample == NULL)
    return GST_FLOW_EOS;
  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_GRAY8 ||
      !gst_video_frame_map (&video, &info, gst_sample_get_buffer (sample), GST_MAP_READ))
    return GST_FLOW_OK;

  frame = g_new0 (Frame, 1);
  frame->width = GST_VIDEO_FRAME_WIDTH (&video);
  frame->height = GST_VIDEO_FRAME_HEIGHT (&video);
  src = GST_VIDEO_FRAME_PLANE_DATA (&video, 0);
  stride = GST_VIDEO_FRAME_PLANE_STRIDE (&video, 0);
  grey = g_malloc ((gsize) frame->width * frame->height);
  rgb = g_malloc ((gsize) frame->width * frame->height * 3);
  for (int y = 0; y < frame->height; y++)
    {
      const guint8 *row = src + (gsize) y * stride;
      guint8 *g = grey + (gsize) y * frame->width;
      guint8 *c = rgb + (gsize) y * frame->width * 3;

      memcpy (g, row, frame->width);
      for (int x = 0; x < frame->width; x++)
        c[3 * x] = c[3 * x + 1] = c[3 * x + 2] = row[x];
    }
  gst_video_frame_unmap (&video);
  frame->grey = g_bytes_new_take (grey, (gsize) frame->width * frame->height);
  frame->rgb = g_bytes_new_take (rgb, (gsize) frame->width * frame->height * 3);

  g_mutex_lock (&self->lock);
  frame->run = self->run;
  g_clear_pointer (&self->pending, frame_free);
  self->pending = frame;
  queue = !self->handover_queued;
  self->handover_queued = TRUE;
  g_mutex_unlock (&self->lock);

  if (queue)
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, take_frame_cb,
                                g_object_ref (self), g_object_unref);
  return GST_FLOW_OK;
}

/* Searching */

static void
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QoimaCamera) self = user_data;
  g_autoptr(GError) error = NULL;
  char *text = qoima_image_scan_grey_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->searching = FALSE;
  if (self->task == NULL)
    {
      g_free (text);
      return;
    }
  if (text != NULL)
    {
      g_debug ("Code read from a camera frame: %zu bytes", strlen (text));
      finish (self, text, NULL);
      return;
    }
  /* Not in this frame (or a symbol too damaged to read): the next one may do. */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("No code in a camera frame: %s", error->message);
  if (self->ended && self->unread == NULL)
    {
      fail (self, G_IO_ERROR_FAILED, _("The camera stopped sending pictures"));
      return;
    }
  maybe_search (self);
}

static gboolean
pace_cb (gpointer user_data)
{
  QoimaCamera *self = user_data;

  self->pace_id = 0;
  maybe_search (self);
  return G_SOURCE_REMOVE;
}

/* Searches the latest frame, no sooner than SEARCH_INTERVAL_US after the last search started;
 * the frames that come meanwhile are shown, and only the latest is searched. */
static void
maybe_search (QoimaCamera *self)
{
  g_autoptr(Frame) frame = NULL;
  gint64 now, wait;

  if (self->task == NULL || self->searching || self->unread == NULL || self->pace_id != 0)
    return;
  now = g_get_monotonic_time ();
  wait = self->search_started != 0 ? self->search_started + SEARCH_INTERVAL_US - now : 0;
  if (wait > 0)
    {
      /* Rounded up: the timeout is in milliseconds, and it never fires early. */
      self->pace_id = g_timeout_add ((guint) ((wait + G_TIME_SPAN_MILLISECOND - 1) / G_TIME_SPAN_MILLISECOND),
                                     pace_cb, self);
      return;
    }

  if (self->search_started != 0)
    self->shortest_gap = MIN (self->shortest_gap, now - self->search_started);
  self->search_started = now;
  self->n_searches++;
  frame = g_steal_pointer (&self->unread);
  self->searching = TRUE;
  qoima_image_scan_grey_async (frame->grey, frame->width, frame->height, frame->width,
                               self->cancellable, searched_cb, g_object_ref (self));
}

/* The pipeline */

static gboolean
time_limit_cb (gpointer user_data)
{
  QoimaCamera *self = user_data;
  guint seconds = qoima_camera_get_time_limit (self);
  g_autofree char *message = NULL;

  self->time_limit_id = 0;
  message = g_strdup_printf (ngettext ("No code was read in %u second",
                                       "No code was read in %u seconds", seconds),
                             seconds);
  fail (self, G_IO_ERROR_TIMED_OUT, message);
  return G_SOURCE_REMOVE;
}

static void
fail_with_gst_error (QoimaCamera *self,
                     const GError *gst_error)
{
  g_autofree char *message = NULL;

  if (self->frame == NULL)
    /* TRANSLATORS: %s is why, as GStreamer says it (in the user's language) */
    message = g_strdup_printf (_("The camera could not be started: %s"), gst_error->message);
  else
    /* TRANSLATORS: %s is why, as GStreamer says it (in the user's language) */
    message = g_strdup_printf (_("The camera stopped working: %s"), gst_error->message);
  fail (self, G_IO_ERROR_FAILED, message);
}

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  QoimaCamera *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_error (message, &error, &debug);
        g_debug ("Camera pipeline error: %s (%s)", error->message, debug != NULL ? debug : "");
        /* finish() removes this watch. */
        self->bus_watch_id = 0;
        fail_with_gst_error (self, error);
        return G_SOURCE_REMOVE;
      }
    case GST_MESSAGE_EOS:
      self->ended = TRUE;
      if (!self->searching && self->unread == NULL)
        {
          self->bus_watch_id = 0;
          fail (self, G_IO_ERROR_FAILED, _("The camera stopped sending pictures"));
          return G_SOURCE_REMOVE;
        }
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static void
start_pipeline (QoimaCamera *self,
                const char  *source)
{
  g_autofree char *description = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstAppSinkCallbacks callbacks = { .new_sample = new_sample_cb };

  /* The decoder wants 8-bit grey; appsink keeps only the newest frame, so a slow search
   * never piles frames up. */
  description = g_strdup_printf ("%s ! videoconvert ! videoscale ! "
                                 "video/x-raw,format=GRAY8,width=[16,%d],height=[16,%d] ! "
                                 "appsink name=qoima_sink max-buffers=1 drop=true",
                                 source, FRAME_MAX_SIDE, FRAME_MAX_SIDE);
  g_debug ("Camera pipeline: %s", description);
  self->pipeline = gst_parse_launch (description, &error);
  if (self->pipeline != NULL)
    g_object_ref_sink (self->pipeline);
  if (error != NULL || self->pipeline == NULL)
    {
      g_autoptr(GError) fallback = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("Unknown error"));

      fail_with_gst_error (self, error != NULL ? error : fallback);
      return;
    }

  sink = gst_bin_get_by_name (GST_BIN (self->pipeline), "qoima_sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch_id = gst_bus_add_watch (bus, bus_cb, self);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      g_autoptr(GError) gst_error = NULL;

      if (message != NULL)
        gst_message_parse_error (message, &gst_error, NULL);
      else
        gst_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("Unknown error"));
      fail_with_gst_error (self, gst_error);
      return;
    }

  /* Counted from here: the portal's question may take the user a while. */
  self->time_limit_id = g_timeout_add_seconds (qoima_camera_get_time_limit (self), time_limit_cb, self);
}

/* Finding a camera */

static int
compare_numbers (gconstpointer a,
                 gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
captures_video (const char *path)
{
  struct v4l2_capability capability = { 0 };
  guint32 caps;
  int fd = open (path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  int ret;

  if (fd < 0)
    {
      g_debug ("%s: %s", path, g_strerror (errno));
      return FALSE;
    }
  do
    ret = ioctl (fd, VIDIOC_QUERYCAP, &capability);
  while (ret < 0 && errno == EINTR);
  close (fd);
  if (ret < 0)
    return FALSE;
  caps = (capability.capabilities & V4L2_CAP_DEVICE_CAPS) != 0 ? capability.device_caps : capability.capabilities;
  return (caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE)) != 0;
}

/* The first /dev/videoN that captures video (a webcam often has a second node for
 * metadata), or NULL. Opening a device node may wait on its driver: called in a thread. */
static char *
find_v4l2_device (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev", 0, NULL);
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint64));
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      guint64 number;

      if (g_str_has_prefix (name, "video") &&
          g_ascii_string_to_unsigned (name + strlen ("video"), 10, 0, G_MAXUINT, &number, NULL))
        g_array_append_val (numbers, number);
    }
  g_array_sort (numbers, compare_numbers);
  for (guint i = 0; i < numbers->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/dev/video%" G_GUINT64_FORMAT, g_array_index (numbers, guint64, i));

      if (captures_video (path))
        return g_steal_pointer (&path);
    }
  return NULL;
}

/* GStreamer's first start scans its plugins, which may take seconds: done in a thread, with
 * the search for a V4L2 device when one is wanted. */
static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  gboolean find_device = GPOINTER_TO_INT (task_data);
  g_autoptr(GError) error = NULL;

  if (!gst_init_check (NULL, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, find_device ? find_v4l2_device () : NULL, g_free);
}

#if HAVE_LIBPORTAL
static void
pipewire_remote_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  XdpPortal *portal = task_data;
  int fd = xdp_portal_open_pipewire_remote_for_camera (portal);

  if (fd < 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _("The camera could not be opened"));
  else
    g_task_return_int (task, fd);
}

static void
pipewire_remote_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(QoimaCamera) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize fd = g_task_propagate_int (G_TASK (result), &error);
  g_autofree char *description = NULL;

  if (self->task == NULL || g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    {
      if (fd >= 0)
        close ((int) fd);
      return;
    }
  if (fd < 0)
    {
      fail (self, G_IO_ERROR_FAILED, error->message);
      return;
    }
  self->pipewire_fd = (int) fd;
  description = g_strdup_printf ("pipewiresrc fd=%d", self->pipewire_fd);
  start_pipeline (self, description);
}

static void
camera_access_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(QoimaCamera) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  if (!xdp_portal_access_camera_finish (XDP_PORTAL (source), result, &error))
    {
      /* Our own cancelling has ended the read already. libportal says CANCELLED when the
       * user answers no, so a refusal is anything else. */
      if (self->task == NULL || g_cancellable_is_cancelled (self->cancellable))
        return;
      g_debug ("Camera portal: %s", error->message);
      fail (self, G_IO_ERROR_PERMISSION_DENIED,
            _("Qoima was not allowed to use the camera. Allow it in the system's privacy settings and try again."));
      return;
    }
  if (self->task == NULL)
    return;

  task = g_task_new (NULL, self->cancellable, pipewire_remote_cb, g_object_ref (self));
  g_task_set_task_data (task, g_object_ref (self->portal), g_object_unref);
  g_task_run_in_thread (task, pipewire_remote_thread);
}
#endif

/* The portal says whether there is a camera; then it asks the user. */
static void
camera_present_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(QoimaCamera) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autoptr(GVariant) value = NULL;

  if (self->task == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply != NULL)
    g_variant_get (reply, "(v)", &value);
  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN) || !g_variant_get_boolean (value))
    {
      if (error != NULL)
        g_debug ("No camera portal: %s", error->message);
      fail (self, G_IO_ERROR_NOT_FOUND, _("No camera found"));
      return;
    }

#if HAVE_LIBPORTAL
  {
    XdpParent *xdp_parent = self->parent != NULL ? xdp_parent_new_gtk (self->parent) : NULL;

    if (self->portal == NULL)
      self->portal = xdp_portal_new ();
    xdp_portal_access_camera (self->portal, xdp_parent, XDP_CAMERA_FLAG_NONE, self->cancellable,
                              camera_access_cb, g_object_ref (self));
    g_clear_pointer (&xdp_parent, xdp_parent_free);
  }
#else
  fail (self, G_IO_ERROR_NOT_FOUND,
        _("No camera found: this build of Qoima cannot ask the camera portal for one"));
#endif
}

static void
ask_portal (QoimaCamera *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, self->cancellable, &error);

  /* The application holds the session bus already, so this does not wait. */
  if (bus == NULL)
    {
      g_debug ("No session bus for the camera portal: %s", error->message);
      fail (self, G_IO_ERROR_NOT_FOUND, _("No camera found"));
      return;
    }
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", "org.freedesktop.portal.Camera", "IsCameraPresent"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                          camera_present_cb, g_object_ref (self));
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QoimaCamera) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *device = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *quoted = NULL;
  g_autofree char *description = NULL;
  const char *hook = g_getenv (QOIMA_CAMERA_SOURCE_ENV);

  if (self->task == NULL || g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  if (error != NULL)
    {
      fail_with_gst_error (self, error);
      return;
    }

  if (hook != NULL && hook[0] != '\0')
    {
      g_debug ("Camera source from %s: %s", QOIMA_CAMERA_SOURCE_ENV, hook);
      start_pipeline (self, hook);
    }
  else if (device != NULL)
    {
      g_debug ("Camera: %s", device);
      quoted = g_strescape (device, NULL);
      description = g_strdup_printf ("v4l2src device=\"%s\"", quoted);
      start_pipeline (self, description);
    }
  else
    {
      /* In a sandbox, which has no /dev/video*, the portal asks the user and hands over
       * PipeWire; elsewhere it may still know a camera only PipeWire shares (libcamera's). */
      ask_portal (self);
    }
}

typedef struct {
  QoimaCamera *self;
  unsigned     run;
} Cancelled;

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  Cancelled *cancelled = user_data;
  QoimaCamera *self = cancelled->self;

  if (self->task != NULL && self->run == cancelled->run)
    fail (self, G_IO_ERROR_CANCELLED, "The read was cancelled");
  return G_SOURCE_REMOVE;
}

static void
cancelled_free (gpointer data)
{
  Cancelled *cancelled = data;

  g_object_unref (cancelled->self);
  g_free (cancelled);
}

/* The caller's cancellable: the read ends in the main context, from an idle, since the
 * handler may not disconnect itself (stop() does). */
static void
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  QoimaCamera *self = user_data;
  g_autoptr(GSource) source = g_idle_source_new ();
  Cancelled *cancelled = g_new0 (Cancelled, 1);

  cancelled->self = g_object_ref (self);
  cancelled->run = self->run;
  g_source_set_callback (source, cancelled_idle_cb, cancelled, cancelled_free);
  g_source_attach (source, self->context);
}

/* GObject */

static void
qoima_camera_dispose (GObject *object)
{
  QoimaCamera *self = QOIMA_CAMERA (object);

  finish (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The camera was disposed"));
  g_clear_object (&self->frame);
#if HAVE_LIBPORTAL
  g_clear_object (&self->portal);
#endif

  G_OBJECT_CLASS (qoima_camera_parent_class)->dispose (object);
}

static void
qoima_camera_finalize (GObject *object)
{
  QoimaCamera *self = QOIMA_CAMERA (object);

  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (qoima_camera_parent_class)->finalize (object);
}

static void
qoima_camera_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  QoimaCamera *self = QOIMA_CAMERA (object);

  switch (prop_id)
    {
    case PROP_FRAME:
      g_value_set_object (value, self->frame);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_camera_class_init (QoimaCameraClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = qoima_camera_dispose;
  object_class->finalize = qoima_camera_finalize;
  object_class->get_property = qoima_camera_get_property;

  properties[PROP_FRAME] =
    g_param_spec_object ("frame", NULL, NULL,
                         GDK_TYPE_TEXTURE,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
qoima_camera_init (QoimaCamera *self)
{
  g_mutex_init (&self->lock);
  self->pipewire_fd = -1;
  self->shortest_gap = G_MAXINT64;
}

QoimaCamera *
qoima_camera_new (void)
{
  return g_object_new (QOIMA_TYPE_CAMERA, NULL);
}

GdkTexture *
qoima_camera_get_frame (QoimaCamera *self)
{
  g_return_val_if_fail (QOIMA_IS_CAMERA (self), NULL);
  return self->frame;
}

guint
qoima_camera_get_n_searches (QoimaCamera *self)
{
  g_return_val_if_fail (QOIMA_IS_CAMERA (self), 0);
  return self->n_searches;
}

gint64
qoima_camera_get_shortest_search_gap (QoimaCamera *self)
{
  g_return_val_if_fail (QOIMA_IS_CAMERA (self), G_MAXINT64);
  return self->shortest_gap;
}

guint
qoima_camera_get_time_limit (QoimaCamera *self)
{
  const char *hook = g_getenv (QOIMA_CAMERA_TIME_LIMIT_ENV);
  guint64 seconds;

  g_return_val_if_fail (QOIMA_IS_CAMERA (self), QOIMA_CAMERA_TIME_LIMIT_S);

  if (hook != NULL && g_ascii_string_to_unsigned (hook, 10, 1, 3600, &seconds, NULL))
    return (guint) seconds;
  return QOIMA_CAMERA_TIME_LIMIT_S;
}

void
qoima_camera_read_code_async (QoimaCamera         *self,
                              GtkWindow           *parent,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *hook;
  gboolean find_device;

  g_return_if_fail (QOIMA_IS_CAMERA (self));
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, qoima_camera_read_code_async);
  g_set_weak_pointer (&self->parent, parent);
  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->ended = FALSE;
  self->searching = FALSE;
  self->search_started = 0;
  self->n_searches = 0;
  self->shortest_gap = G_MAXINT64;
  if (self->frame != NULL)
    {
      g_clear_object (&self->frame);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);
    }

  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                         self, NULL);
    }

  hook = g_getenv (QOIMA_CAMERA_SOURCE_ENV);
  find_device = (hook == NULL || hook[0] == '\0') && !g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
  task = g_task_new (NULL, self->cancellable, prepared_cb, g_object_ref (self));
  g_task_set_task_data (task, GINT_TO_POINTER (find_device), NULL);
  g_task_run_in_thread (task, prepare_thread);
}

char *
qoima_camera_read_code_finish (QoimaCamera   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (QOIMA_IS_CAMERA (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_camera_read_code_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
