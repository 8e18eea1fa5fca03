/* qoima-camera-dialog.c: the camera's picture while it looks for a pack's code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-camera-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-camera-dialog.h"

#include "qoima-camera.h"

struct _QoimaCameraDialog
{
  AdwWindow parent_instance;

  /* Template widgets */
  GtkWidget    *cancel_button;
  GtkPicture   *picture;
  GtkImage     *problem_image;
  GtkWidget    *retry_button;
  GtkSpinner   *spinner;
  GtkLabel     *status_label;
  GtkStack     *view_stack;

  /* Owned references */
  QoimaCamera  *camera;
  GTask        *task;
  GCancellable *read_cancellable; /* the camera's read under way */
};

G_DEFINE_FINAL_TYPE (QoimaCameraDialog, qoima_camera_dialog, ADW_TYPE_WINDOW)

static void start (QoimaCameraDialog *self);

/* The camera's read may hold the dialog a little longer than its parent lives; GTK 4.8
 * would then unset a finalized parent in the dialog's dispose, so it is unset now. */
static void
release_parent (QoimaCameraDialog *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (parent == NULL)
    return;
  g_signal_handlers_disconnect_by_data (parent, self);
  gtk_window_set_transient_for (GTK_WINDOW (self), NULL);
}

/* Ends the run once, the camera being turned off, and closes the dialog. */
static void
finish (QoimaCameraDialog *self,
        char              *text)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_cancellable_cancel (self->read_cancellable);
  g_clear_object (&self->read_cancellable);
  if (task != NULL)
    {
      if (text != NULL)
        g_task_return_pointer (task, text, g_free);
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The dialog was closed");
    }
  else
    g_free (text);
  release_parent (self);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
show_problem (QoimaCameraDialog *self,
              const GError      *error)
{
  g_autofree char *status = NULL;

  gtk_spinner_stop (self->spinner);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      /* TRANSLATORS: %s says how long the camera looked ("No code was read in 60 seconds") */
      status = g_strdup_printf (_("%s. Hold the code closer to the camera, flat and well lit, and try again."),
                                error->message);
      /* The last frame stays: it shows why the code was not read. */
      if (qoima_camera_get_frame (self->camera) == NULL)
        {
          gtk_image_set_from_icon_name (self->problem_image, "camera-web-symbolic");
          gtk_stack_set_visible_child_name (self->view_stack, "problem");
        }
    }
  else
    {
      status = g_strdup (error->message);
      gtk_image_set_from_icon_name (self->problem_image, "camera-disabled-symbolic");
      gtk_stack_set_visible_child_name (self->view_stack, "problem");
    }
  gtk_label_set_text (self->status_label, status);
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Close"));
  gtk_widget_set_visible (self->retry_button, TRUE);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(QoimaCameraDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = qoima_camera_read_code_finish (QOIMA_CAMERA (source), result, &error);

  /* Closed, or started again meanwhile. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->task == NULL)
    return;
  g_clear_object (&self->read_cancellable);
  if (text != NULL)
    {
      finish (self, g_steal_pointer (&text));
      return;
    }
  g_debug ("Camera: %s", error->message);
  show_problem (self, error);
}

static void
frame_changed_cb (QoimaCameraDialog *self)
{
  if (qoima_camera_get_frame (self->camera) == NULL || self->read_cancellable == NULL)
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "preview") != 0)
    {
      gtk_stack_set_visible_child_name (self->view_stack, "preview");
      gtk_spinner_stop (self->spinner);
      gtk_label_set_text (self->status_label, _("Hold the pack's DataMatrix code in front of the camera"));
    }
}

static void
start (QoimaCameraDialog *self)
{
  g_return_if_fail (self->read_cancellable == NULL);

  gtk_stack_set_visible_child_name (self->view_stack, "starting");
  gtk_spinner_start (self->spinner);
  gtk_label_set_text (self->status_label, _("Starting the camera…"));
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Cancel"));
  gtk_widget_set_visible (self->retry_button, FALSE);

  self->read_cancellable = g_cancellable_new ();
  qoima_camera_read_code_async (self->camera, GTK_WINDOW (self), self->read_cancellable, read_cb,
                                g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  qoima_camera_dialog_cancel (QOIMA_CAMERA_DIALOG (widget));
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  qoima_camera_dialog_retry (QOIMA_CAMERA_DIALOG (widget));
}

static gboolean
close_request_cb (QoimaCameraDialog *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_cancellable_cancel (self->read_cancellable);
  g_clear_object (&self->read_cancellable);
  if (task != NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The dialog was closed");
  release_parent (self);
  return FALSE;
}

static void
qoima_camera_dialog_dispose (GObject *object)
{
  QoimaCameraDialog *self = QOIMA_CAMERA_DIALOG (object);

  close_request_cb (self);
  if (self->camera != NULL)
    g_signal_handlers_disconnect_by_data (self->camera, self);
  g_clear_object (&self->camera);
  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_CAMERA_DIALOG);

  G_OBJECT_CLASS (qoima_camera_dialog_parent_class)->dispose (object);
}

static void
qoima_camera_dialog_class_init (QoimaCameraDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_camera_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/kz/qoima/Qoima/ui/qoima-camera-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaCameraDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaCameraDialog, picture);
  gtk_widget_class_bind_template_child (widget_class, QoimaCameraDialog, problem_image);
  gtk_widget_class_bind_template_child (widget_class, QoimaCameraDialog, retry_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaCameraDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, QoimaCameraDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaCameraDialog, view_stack);

  gtk_widget_class_install_action (widget_class, "camera.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "camera.retry", NULL, retry_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "camera.cancel", NULL);
}

static void
qoima_camera_dialog_init (QoimaCameraDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);

  self->camera = qoima_camera_new ();
  g_object_bind_property (self->camera, "frame", self->picture, "paintable", G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->camera, "notify::frame", G_CALLBACK (frame_changed_cb), self);
}

void
qoima_camera_dialog_run_async (GtkWindow           *parent,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  QoimaCameraDialog *self;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  self = g_object_new (QOIMA_TYPE_CAMERA_DIALOG, "transient-for", parent, NULL);
  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, qoima_camera_dialog_run_async);
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (qoima_camera_dialog_cancel), self,
                             G_CONNECT_SWAPPED);
  /* The camera is not left on behind a closed window. */
  if (parent != NULL)
    g_signal_connect_swapped (parent, "unrealize", G_CALLBACK (qoima_camera_dialog_cancel), self);
  gtk_window_present (GTK_WINDOW (self));
  start (self);
}

char *
qoima_camera_dialog_run_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_camera_dialog_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
qoima_camera_dialog_get_status (QoimaCameraDialog *self)
{
  g_return_val_if_fail (QOIMA_IS_CAMERA_DIALOG (self), NULL);
  return gtk_label_get_text (self->status_label);
}

gboolean
qoima_camera_dialog_get_reading (QoimaCameraDialog *self)
{
  g_return_val_if_fail (QOIMA_IS_CAMERA_DIALOG (self), FALSE);
  return self->read_cancellable != NULL;
}

gboolean
qoima_camera_dialog_get_showing_frame (QoimaCameraDialog *self)
{
  g_return_val_if_fail (QOIMA_IS_CAMERA_DIALOG (self), FALSE);
  return gtk_picture_get_paintable (self->picture) != NULL &&
         g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "preview") == 0;
}

void
qoima_camera_dialog_cancel (QoimaCameraDialog *self)
{
  g_return_if_fail (QOIMA_IS_CAMERA_DIALOG (self));
  finish (self, NULL);
}

void
qoima_camera_dialog_retry (QoimaCameraDialog *self)
{
  g_return_if_fail (QOIMA_IS_CAMERA_DIALOG (self));

  if (self->task == NULL || self->read_cancellable != NULL)
    return;
  start (self);
}
