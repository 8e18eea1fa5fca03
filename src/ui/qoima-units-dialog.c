/* qoima-units-dialog.c: asking the clerk once how many units a pack of a product holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-units-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-units-dialog.h"

struct _QoimaUnitsDialog
{
  AdwWindow parent_instance;

  /* Template widgets */
  AdwPreferencesGroup *group;
  GtkSpinButton       *units_spin;

  /* Owned references */
  GTask               *task;
};

G_DEFINE_FINAL_TYPE (QoimaUnitsDialog, qoima_units_dialog, ADW_TYPE_WINDOW)

/* Ends the run once: with the units, or cancelled. */
static void
finish (QoimaUnitsDialog *self,
        int               units)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    return;
  if (units > 0)
    g_task_return_int (task, units);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The dialog was closed");
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  qoima_units_dialog_save (QOIMA_UNITS_DIALOG (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  qoima_units_dialog_cancel (QOIMA_UNITS_DIALOG (widget));
}

static gboolean
close_request_cb (QoimaUnitsDialog *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task != NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The dialog was closed");
  return FALSE;
}

static void
qoima_units_dialog_dispose (GObject *object)
{
  QoimaUnitsDialog *self = QOIMA_UNITS_DIALOG (object);

  close_request_cb (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_UNITS_DIALOG);

  G_OBJECT_CLASS (qoima_units_dialog_parent_class)->dispose (object);
}

static void
qoima_units_dialog_class_init (QoimaUnitsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_units_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/kz/qoima/Qoima/ui/qoima-units-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaUnitsDialog, group);
  gtk_widget_class_bind_template_child (widget_class, QoimaUnitsDialog, units_spin);

  gtk_widget_class_install_action (widget_class, "units.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "units.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "units.cancel", NULL);
}

static void
qoima_units_dialog_init (QoimaUnitsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}

void
qoima_units_dialog_run_async (GtkWindow           *parent,
                              const char          *product_name,
                              const char          *gtin,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  QoimaUnitsDialog *self;
  g_autofree char *title = NULL;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (gtin != NULL);

  self = g_object_new (QOIMA_TYPE_UNITS_DIALOG, "transient-for", parent, NULL);
  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, qoima_units_dialog_run_async);
  title = g_strdup_printf ("%s (%s)", product_name != NULL ? product_name : gtin, gtin);
  adw_preferences_group_set_title (self->group, title);
  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->units_spin));
}

int
qoima_units_dialog_run_finish (GAsyncResult  *result,
                               GError       **error)
{
  gssize units;

  g_return_val_if_fail (G_IS_TASK (result), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_units_dialog_run_async, 0);

  units = g_task_propagate_int (G_TASK (result), error);
  return units > 0 ? (int) units : 0;
}

void
qoima_units_dialog_set_units (QoimaUnitsDialog *self,
                              int               units)
{
  g_return_if_fail (QOIMA_IS_UNITS_DIALOG (self));
  gtk_spin_button_set_value (self->units_spin, units);
}

void
qoima_units_dialog_save (QoimaUnitsDialog *self)
{
  g_return_if_fail (QOIMA_IS_UNITS_DIALOG (self));

  gtk_spin_button_update (self->units_spin);
  finish (self, gtk_spin_button_get_value_as_int (self->units_spin));
}

void
qoima_units_dialog_cancel (QoimaUnitsDialog *self)
{
  g_return_if_fail (QOIMA_IS_UNITS_DIALOG (self));
  finish (self, 0);
}
