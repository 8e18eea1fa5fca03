/* qoima-export-chooser.h: the "Save As" dialog that asks where a page's export goes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The kind of file asked for: it names the dialog's one filter and its suffix. */
typedef enum {
  QOIMA_EXPORT_FORMAT_PDF,
  QOIMA_EXPORT_FORMAT_XLSX,
  QOIMA_EXPORT_FORMAT_CSV,
} QoimaExportFormat;

/**
 * qoima_export_chooser_run_async:
 * @parent: the widget exporting; the dialog is modal over its window
 * @title: the dialog's title, translated
 * @suggested_name: the file name proposed, with its suffix
 * @format: the filter the dialog shows
 * @cancellable: (nullable): cancelling it closes the dialog (the page's life, say)
 *
 * Asks where to save a file (GtkFileDialog needs GTK 4.10; bookworm has 4.8). Finish
 * returns the file chosen; NULL with no error when the dialog was dismissed; NULL with
 * G_IO_ERROR_CANCELLED when @cancellable was cancelled, and then the caller may be gone:
 * the callback touches nothing of its.
 */
void   qoima_export_chooser_run_async  (GtkWidget           *parent,
                                        const char          *title,
                                        const char          *suggested_name,
                                        QoimaExportFormat    format,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GFile *qoima_export_chooser_run_finish (GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
