/* qoima-export-chooser.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-export-chooser.h"

#include <glib/gi18n.h>

typedef struct {
  GtkFileChooserNative *chooser;
  GCancellable         *cancellable;
  gulong                cancelled_id;
} ChooserData;

static void
chooser_data_free (ChooserData *data)
{
  /* Never from the cancelled handler: the task outlives it, and disconnecting there would
   * wait for the handler itself. */
  if (data->cancelled_id != 0)
    g_cancellable_disconnect (data->cancellable, data->cancelled_id);
  g_clear_object (&data->cancellable);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (data->chooser));
  g_object_unref (data->chooser);
  g_free (data);
}

static void
response_cb (GtkNativeDialog *chooser,
             int              response,
             GTask           *task)
{
  ChooserData *data = g_task_get_task_data (task);
  GFile *file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_signal_handlers_disconnect_by_func (chooser, response_cb, task);
  if (data->cancelled_id != 0)
    g_cancellable_disconnect (data->cancellable, data->cancelled_id);
  data->cancelled_id = 0;
  g_task_return_pointer (task, file, g_object_unref);
  /* The reference the open dialog held. */
  g_object_unref (task);
}

static void
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  ChooserData *data = g_task_get_task_data (task);

  /* Hidden, the dialog answers nothing more; the task returns in a later iteration, so
   * the caller's callback never runs inside its own dispose. */
  g_signal_handlers_disconnect_by_func (data->chooser, response_cb, task);
  gtk_native_dialog_hide (GTK_NATIVE_DIALOG (data->chooser));
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);
}

void
qoima_export_chooser_run_async (GtkWidget           *parent,
                                const char          *title,
                                const char          *suggested_name,
                                QoimaExportFormat    format,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkRoot *root;
  ChooserData *data;

  g_return_if_fail (GTK_IS_WIDGET (parent));
  g_return_if_fail (title != NULL && suggested_name != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_export_chooser_run_async);
  if (g_task_return_error_if_cancelled (task))
    return;

  switch (format)
    {
    case QOIMA_EXPORT_FORMAT_PDF:
      gtk_file_filter_set_name (filter, _("PDF Documents"));
      gtk_file_filter_add_suffix (filter, "pdf");
      break;
    case QOIMA_EXPORT_FORMAT_XLSX:
      gtk_file_filter_set_name (filter, _("Excel Workbooks"));
      gtk_file_filter_add_suffix (filter, "xlsx");
      break;
    case QOIMA_EXPORT_FORMAT_CSV:
    default:
      gtk_file_filter_set_name (filter, _("CSV Files"));
      gtk_file_filter_add_suffix (filter, "csv");
      break;
    }

  root = gtk_widget_get_root (parent);
  data = g_new0 (ChooserData, 1);
  data->chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  g_task_set_task_data (task, data, (GDestroyNotify) chooser_data_free);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (data->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (data->chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (data->chooser), suggested_name);

  /* The open dialog holds a reference until it answers or is cancelled. */
  g_signal_connect (data->chooser, "response", G_CALLBACK (response_cb), g_object_ref (task));
  if (cancellable != NULL)
    {
      data->cancellable = g_object_ref (cancellable);
      data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), task, NULL);
    }
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (data->chooser));
}

GFile *
qoima_export_chooser_run_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_export_chooser_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
