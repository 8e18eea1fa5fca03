/* qoima-key-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-key-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-key-dialog.h"

#include "qoima-date.h"
#include "qoima-signer-pkcs12.h"

struct _QoimaKeyDialog
{
  AdwWindow parent_instance;

  /* Template widgets */
  AdwPreferencesGroup  *certificate_group;
  GtkLabel             *error_label;
  AdwActionRow         *file_row;
  GtkLabel             *help_label;
  AdwActionRow         *bin_row;
  AdwActionRow         *iin_row;
  AdwActionRow         *organization_row;
  AdwActionRow         *owner_row;
  AdwPasswordEntryRow  *password_row;
  AdwActionRow         *purpose_row;
  GtkButton            *use_button;
  AdwActionRow         *validity_row;
  AdwWindowTitle       *window_title;

  /* Owned references */
  GSettings            *settings;
  GFile                *file;
  GTask                *task;
  GCancellable         *cancellable;
  QoimaSignerPkcs12    *signer;
  GtkFileChooserNative *chooser;
  char                 *error;

  /* State */
  QoimaKeyPurpose       purpose;
  guint                 loading : 1;
  guint                 usable : 1;
};

G_DEFINE_FINAL_TYPE (QoimaKeyDialog, qoima_key_dialog, ADW_TYPE_WINDOW)

static const char *
settings_key (QoimaKeyPurpose purpose)
{
  return purpose == QOIMA_KEY_PURPOSE_AUTH ? "auth-key-path" : "signing-key-path";
}

static void
show_error (QoimaKeyDialog *self,
            const char     *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
update_button (QoimaKeyDialog *self)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (self->signer != NULL && self->usable)
    gtk_button_set_label (self->use_button,
                          /* A signature is made only after the summary (qoima-sign-dialog.c). */
                          self->purpose == QOIMA_KEY_PURPOSE_AUTH ? _("_Log In") : _("_Continue"));
  else
    gtk_button_set_label (self->use_button, _("_Open Key"));

  gtk_widget_set_sensitive (GTK_WIDGET (self->use_button),
                            !self->loading && self->file != NULL && password[0] != '\0' &&
                            (self->signer == NULL || self->usable));
}

/* A new file or password makes the opened key stale. */
static void
forget_key (QoimaKeyDialog *self)
{
  g_clear_object (&self->signer);
  self->usable = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->certificate_group), FALSE);
  show_error (self, NULL);
  update_button (self);
}

static char *
format_date (GDateTime *date)
{
  return date != NULL ? qoima_format_date (date) : g_strdup ("—");
}

static void
show_certificate (QoimaKeyDialog *self)
{
  QoimaCertificate *certificate = qoima_signer_get_certificate (QOIMA_SIGNER (self->signer));
  g_autofree char *not_before = format_date (qoima_certificate_get_not_before (certificate));
  g_autofree char *not_after = format_date (qoima_certificate_get_not_after (certificate));
  g_autofree char *validity = g_strdup_printf (_("%s to %s"), not_before, not_after);
  const char *purpose;

  if (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_AUTH))
    purpose = _("Logging in (AUTH)");
  else if (qoima_certificate_has_purpose (certificate, QOIMA_KEY_PURPOSE_SIGNING))
    purpose = _("Signing documents");
  else
    purpose = _("Neither logging in nor signing");

#define SUBTITLE(row, text) adw_action_row_set_subtitle ((row), (text) != NULL ? (text) : "—")
  SUBTITLE (self->owner_row, qoima_certificate_get_owner (certificate));
  SUBTITLE (self->iin_row, qoima_certificate_get_iin (certificate));
  SUBTITLE (self->bin_row, qoima_certificate_get_bin (certificate));
  SUBTITLE (self->organization_row, qoima_certificate_get_organization (certificate));
  SUBTITLE (self->validity_row, validity);
  SUBTITLE (self->purpose_row, purpose);
#undef SUBTITLE

  gtk_widget_set_visible (GTK_WIDGET (self->certificate_group), TRUE);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(QoimaKeyDialog) self = user_data;
  g_autoptr(QoimaSignerPkcs12) signer = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDateTime) now = NULL;

  signer = qoima_signer_pkcs12_load_finish (result, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loading = FALSE;
  if (signer == NULL)
    {
      /* The core's messages are meant for the user: a wrong password gets its advice
       * about the keyboard layout and Caps Lock. */
      show_error (self, local_error->message);
      update_button (self);
      return;
    }

  self->signer = g_steal_pointer (&signer);
  show_certificate (self);

  /* An expired key, or a key for the other purpose, is shown but cannot be used. */
  now = g_date_time_new_now_utc ();
  self->usable = qoima_certificate_check (qoima_signer_get_certificate (QOIMA_SIGNER (self->signer)),
                                          self->purpose, now, &local_error);
  show_error (self, self->usable ? NULL : local_error->message);
  update_button (self);
}

static void
finish (QoimaKeyDialog *self,
        QoimaSigner    *signer)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    return;

  if (signer != NULL)
    g_task_return_pointer (task, g_object_ref (signer), g_object_unref);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("No key was chosen"));
}

static void
use_clicked_cb (QoimaKeyDialog *self)
{
  qoima_key_dialog_activate_key (self);
}

static void
cancel_clicked_cb (QoimaKeyDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
password_changed_cb (QoimaKeyDialog *self)
{
  forget_key (self);
}

static void
chooser_response_cb (QoimaKeyDialog       *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      qoima_key_dialog_set_file (self, file);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
    }
  g_clear_object (&self->chooser);
}

static void
choose_file_cb (QoimaKeyDialog *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Key files (.p12, .pfx)"));
  gtk_file_filter_add_suffix (filter, "p12");
  gtk_file_filter_add_suffix (filter, "pfx");

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Choose a Key File"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  if (self->file != NULL)
    {
      g_autoptr(GFile) parent = g_file_get_parent (self->file);

      if (parent != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), parent, NULL);
    }
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static gboolean
qoima_key_dialog_close_request (GtkWindow *window)
{
  QoimaKeyDialog *self = QOIMA_KEY_DIALOG (window);

  g_cancellable_cancel (self->cancellable);
  finish (self, NULL);

  return GTK_WINDOW_CLASS (qoima_key_dialog_parent_class)->close_request (window);
}

static void
qoima_key_dialog_dispose (GObject *object)
{
  QoimaKeyDialog *self = QOIMA_KEY_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  finish (self, NULL);
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_KEY_DIALOG);

  G_OBJECT_CLASS (qoima_key_dialog_parent_class)->dispose (object);
}

static void
qoima_key_dialog_finalize (GObject *object)
{
  QoimaKeyDialog *self = QOIMA_KEY_DIALOG (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->file);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->signer);
  g_free (self->error);

  G_OBJECT_CLASS (qoima_key_dialog_parent_class)->finalize (object);
}

static void
qoima_key_dialog_class_init (QoimaKeyDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = qoima_key_dialog_dispose;
  object_class->finalize = qoima_key_dialog_finalize;
  window_class->close_request = qoima_key_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/qoima-key-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, bin_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, certificate_group);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, help_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, iin_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, organization_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, owner_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, purpose_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, use_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, validity_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaKeyDialog, window_title);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_file_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, use_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
qoima_key_dialog_init (QoimaKeyDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  update_button (self);
}

char *
qoima_key_dialog_find_demo_pki (void)
{
  const char *candidates[] = { g_getenv ("QOIMA_DEMO_PKI"), QOIMA_DEMO_PKI_DIR };

  for (unsigned i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *ca = NULL;

      if (candidates[i] == NULL || candidates[i][0] == '\0')
        continue;
      ca = g_build_filename (candidates[i], "ca.pem", NULL);
      if (g_file_test (ca, G_FILE_TEST_EXISTS))
        return g_strdup (candidates[i]);
    }
  return NULL;
}

/* Proposes the last key used for this purpose, else the demo key, whose password is told
 * in the help text: it is a demo and protects nothing. */
static void
propose_key (QoimaKeyDialog *self)
{
  g_autofree char *path = NULL;
  g_autofree char *pki = qoima_key_dialog_find_demo_pki ();
  g_autofree char *demo_key = NULL;

  if (self->settings != NULL)
    path = g_settings_get_string (self->settings, settings_key (self->purpose));

  if (pki != NULL)
    {
      g_autofree char *password_path = g_build_filename (pki, "password.txt", NULL);
      g_autofree char *password = NULL;

      demo_key = g_build_filename (pki, self->purpose == QOIMA_KEY_PURPOSE_AUTH ? "auth.p12" : "sign.p12", NULL);
      if (g_file_get_contents (password_path, &password, NULL, NULL))
        {
          g_autofree char *help = g_strdup_printf (_("This is a demo: the demo keys in %s open with the password “%s”."),
                                                   pki, g_strchomp (password));

          gtk_label_set_text (self->help_label, help);
          gtk_widget_set_visible (GTK_WIDGET (self->help_label), TRUE);
        }
    }

  if ((path == NULL || path[0] == '\0' || !g_file_test (path, G_FILE_TEST_EXISTS)) && demo_key != NULL)
    {
      g_free (path);
      path = g_steal_pointer (&demo_key);
    }

  if (path != NULL && path[0] != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      qoima_key_dialog_set_file (self, file);
    }
}

static void
run_dialog (GtkWindow           *parent,
            GSettings           *settings,
            QoimaKeyPurpose      purpose,
            const char          *title,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  QoimaKeyDialog *self;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  self = g_object_new (QOIMA_TYPE_KEY_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->purpose = purpose;
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  self->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, qoima_key_dialog_run_async);

  if (purpose == QOIMA_KEY_PURPOSE_AUTH)
    {
      adw_window_title_set_title (self->window_title, _("Log In to ИС МПТ"));
      adw_window_title_set_subtitle (self->window_title, _("With the organization’s AUTH key"));
    }
  else
    {
      /* What is signed, so that a chief never signs blind; an act's answer unless told. */
      adw_window_title_set_title (self->window_title, title != NULL ? title : _("Sign the Answer"));
      adw_window_title_set_subtitle (self->window_title, _("With the chief’s signing key"));
    }

  propose_key (self);
  update_button (self);
  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

void
qoima_key_dialog_run_async (GtkWindow           *parent,
                            GSettings           *settings,
                            QoimaKeyPurpose      purpose,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  run_dialog (parent, settings, purpose, NULL, cancellable, callback, user_data);
}

void
qoima_key_dialog_run_to_sign_async (GtkWindow           *parent,
                                    GSettings           *settings,
                                    const char          *title,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (title != NULL);

  run_dialog (parent, settings, QOIMA_KEY_PURPOSE_SIGNING, title, cancellable, callback, user_data);
}

/**
 * qoima_key_dialog_run_finish:
 *
 * Returns: (transfer full): the key
 */
QoimaSigner *
qoima_key_dialog_run_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qoima_key_dialog_set_file (QoimaKeyDialog *self,
                           GFile          *file)
{
  g_autofree char *name = NULL;

  g_return_if_fail (QOIMA_IS_KEY_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  g_set_object (&self->file, file);
  name = g_file_get_basename (file);
  adw_action_row_set_subtitle (self->file_row, name);
  forget_key (self);
}

void
qoima_key_dialog_set_password (QoimaKeyDialog *self,
                               const char     *password)
{
  g_return_if_fail (QOIMA_IS_KEY_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password != NULL ? password : "");
}

void
qoima_key_dialog_activate_key (QoimaKeyDialog *self)
{
  g_autofree char *path = NULL;
  g_autoptr(QoimaSigner) signer = NULL;

  g_return_if_fail (QOIMA_IS_KEY_DIALOG (self));

  if (self->loading || self->file == NULL)
    return;

  if (self->signer == NULL)
    {
      const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

      if (password[0] == '\0')
        return;
      self->loading = TRUE;
      show_error (self, NULL);
      update_button (self);
      qoima_signer_pkcs12_load_async (self->file, password, self->cancellable, load_cb, g_object_ref (self));
      return;
    }

  if (!self->usable)
    return;

  /* The path is remembered for next time; the password is not, by design. */
  path = g_file_get_path (self->file);
  if (self->settings != NULL && path != NULL)
    g_settings_set_string (self->settings, settings_key (self->purpose), path);

  signer = QOIMA_SIGNER (g_object_ref (self->signer));
  finish (self, signer);
  gtk_window_destroy (GTK_WINDOW (self));
}

QoimaKeyPurpose
qoima_key_dialog_get_purpose (QoimaKeyDialog *self)
{
  g_return_val_if_fail (QOIMA_IS_KEY_DIALOG (self), QOIMA_KEY_PURPOSE_AUTH);

  return self->purpose;
}

/**
 * qoima_key_dialog_get_certificate:
 *
 * Returns: (transfer none) (nullable): the opened key's certificate
 */
QoimaCertificate *
qoima_key_dialog_get_certificate (QoimaKeyDialog *self)
{
  g_return_val_if_fail (QOIMA_IS_KEY_DIALOG (self), NULL);

  return self->signer != NULL ? qoima_signer_get_certificate (QOIMA_SIGNER (self->signer)) : NULL;
}

const char *
qoima_key_dialog_get_error (QoimaKeyDialog *self)
{
  g_return_val_if_fail (QOIMA_IS_KEY_DIALOG (self), NULL);

  return self->error;
}
