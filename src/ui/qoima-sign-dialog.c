/* qoima-sign-dialog.c: what is about to be signed, confirmed by the signer before any signature
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-sign-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-sign-dialog.h"

struct _QoimaSignDialog
{
  AdwWindow parent_instance;

  /* Template widgets */
  AdwActionRow *document_row;
  GtkListBox   *items_list;
  AdwActionRow *owner_row;
  AdwActionRow *packs_row;
  GtkButton    *sign_button;
  AdwPreferencesGroup *what_group;

  /* Owned references */
  GTask        *task;
};

G_DEFINE_FINAL_TYPE (QoimaSignDialog, qoima_sign_dialog, ADW_TYPE_WINDOW)

/* Ends the run once: signed, or cancelled. */
static void
finish (QoimaSignDialog *self,
        gboolean         sign)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    return;
  if (sign)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The signer cancelled");
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
sign_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  qoima_sign_dialog_sign (QOIMA_SIGN_DIALOG (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  qoima_sign_dialog_cancel (QOIMA_SIGN_DIALOG (widget));
}

static gboolean
close_request_cb (QoimaSignDialog *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task != NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The signer closed the dialog");
  return FALSE;
}

static void
qoima_sign_dialog_dispose (GObject *object)
{
  QoimaSignDialog *self = QOIMA_SIGN_DIALOG (object);

  close_request_cb (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_SIGN_DIALOG);

  G_OBJECT_CLASS (qoima_sign_dialog_parent_class)->dispose (object);
}

static void
qoima_sign_dialog_class_init (QoimaSignDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_sign_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/kz/qoima/Qoima/ui/qoima-sign-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaSignDialog, document_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignDialog, items_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignDialog, owner_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignDialog, packs_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignDialog, sign_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignDialog, what_group);

  gtk_widget_class_install_action (widget_class, "sign.sign", NULL, sign_action);
  gtk_widget_class_install_action (widget_class, "sign.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "sign.cancel", NULL);
}

static void
qoima_sign_dialog_init (QoimaSignDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}

void
qoima_sign_dialog_run_async (GtkWindow           *parent,
                             const char          *document,
                             const char * const  *items,
                             int                  n_packs,
                             QoimaCertificate    *certificate,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  qoima_sign_dialog_run_to_async (parent, NULL, document, items, n_packs, certificate, cancellable, callback, user_data);
}

void
qoima_sign_dialog_run_to_async (GtkWindow           *parent,
                                const char          *recipient_note,
                                const char          *document,
                                const char * const  *items,
                                int                  n_packs,
                                QoimaCertificate    *certificate,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  QoimaSignDialog *self;
  g_autofree char *packs = NULL;
  g_autofree char *owner = NULL;
  const char *iin;
  const char *organization;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (document != NULL);
  g_return_if_fail (QOIMA_IS_CERTIFICATE (certificate));

  self = g_object_new (QOIMA_TYPE_SIGN_DIALOG, "transient-for", parent, NULL);
  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, qoima_sign_dialog_run_async);

  adw_action_row_set_subtitle (self->document_row, document);
  if (recipient_note != NULL)
    adw_preferences_group_set_description (self->what_group, recipient_note);
  for (guint i = 0; items != NULL && items[i] != NULL && items[i + 1] != NULL; i += 2)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), items[i]);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), items[i + 1]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_list_box_append (self->items_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->items_list), items != NULL && items[0] != NULL);

  /* A document without packs (the registration request) has no count to show. */
  if (n_packs >= 0)
    {
      packs = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d pack", "%d packs", n_packs), n_packs);
      adw_action_row_set_subtitle (self->packs_row, packs);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->packs_row), n_packs >= 0);

  /* The owner as the certificate names her: the signer sees whose key this is. */
  iin = qoima_certificate_get_iin (certificate);
  organization = qoima_certificate_get_organization (certificate);
  owner = g_strdup_printf (_("%s, IIN %s\n%s, BIN %s"),
                           qoima_certificate_get_owner (certificate), iin != NULL ? iin : "—",
                           organization != NULL ? organization : "—",
                           qoima_certificate_get_bin (certificate) != NULL ? qoima_certificate_get_bin (certificate) : "—");
  adw_action_row_set_subtitle (self->owner_row, owner);

  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->sign_button));
}

gboolean
qoima_sign_dialog_run_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_sign_dialog_run_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
append_row (GString      *text,
            AdwActionRow *row)
{
  g_string_append_printf (text, "%s: %s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                          adw_action_row_get_subtitle (row) != NULL ? adw_action_row_get_subtitle (row) : "");
}

char *
qoima_sign_dialog_get_summary (QoimaSignDialog *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (QOIMA_IS_SIGN_DIALOG (self), NULL);

  append_row (text, self->document_row);
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->items_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row))
      append_row (text, ADW_ACTION_ROW (row));
  if (gtk_widget_get_visible (GTK_WIDGET (self->packs_row)))
    append_row (text, self->packs_row);
  append_row (text, self->owner_row);
  return g_string_free (text, FALSE);
}

void
qoima_sign_dialog_sign (QoimaSignDialog *self)
{
  g_return_if_fail (QOIMA_IS_SIGN_DIALOG (self));
  finish (self, TRUE);
}

void
qoima_sign_dialog_cancel (QoimaSignDialog *self)
{
  g_return_if_fail (QOIMA_IS_SIGN_DIALOG (self));
  finish (self, FALSE);
}
