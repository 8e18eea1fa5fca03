/* qoima-user-dialog.c: adding a user (name, role, ward, password or PIN)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-user-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-user-dialog.h"

#include "qoima-store-ledger.h"
#include "qoima-location.h"
#include "qoima-store-users.h"
#include "qoima-user.h"

struct _QoimaUserDialog
{
  AdwWindow parent_instance;

  /* Template widgets */
  GtkWidget           *add_button;
  GtkLabel            *error_label;
  AdwEntryRow         *full_name_row;
  AdwEntryRow         *iin_row;
  AdwActionRow        *may_sign_row;
  GtkSwitch           *may_sign_switch;
  AdwEntryRow         *name_row;
  AdwComboRow         *role_row;
  AdwPasswordEntryRow *secret_again_row;
  AdwPreferencesGroup *secret_group;
  AdwPasswordEntryRow *secret_row;
  GtkStringList       *ward_names;
  AdwComboRow         *ward_row;

  /* Owned references */
  QoimaContext        *context;
  GCancellable        *cancellable;
  GArray              *ward_ids;

  /* State */
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (QoimaUserDialog, qoima_user_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_USER_ADDED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* The role combo's rows, in the order of the template's string list. */
static const QoimaRole roles[] = { QOIMA_ROLE_CLERK, QOIMA_ROLE_NURSE, QOIMA_ROLE_CHIEF, QOIMA_ROLE_ADMIN };

static QoimaRole
selected_role (QoimaUserDialog *self)
{
  unsigned i = adw_combo_row_get_selected (self->role_row);

  return i < G_N_ELEMENTS (roles) ? roles[i] : QOIMA_ROLE_CLERK;
}

static void
show_error (QoimaUserDialog *self,
            const char      *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (QoimaUserDialog *self,
          gboolean         busy)
{
  self->busy = busy;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "user.add", !busy);
}

static void
changed_cb (QoimaUserDialog *self)
{
  show_error (self, NULL);
}

static void
role_changed_cb (QoimaUserDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->ward_row), selected_role (self) == QOIMA_ROLE_NURSE);
  /* Only a clerk is delegated; the chief signs by her role. */
  gtk_widget_set_visible (GTK_WIDGET (self->may_sign_row), selected_role (self) == QOIMA_ROLE_CLERK);
  show_error (self, NULL);
}

static const char *
entered_iin (QoimaUserDialog *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->iin_row));
}

static gboolean
may_sign (QoimaUserDialog *self)
{
  return selected_role (self) == QOIMA_ROLE_CLERK && gtk_switch_get_active (self->may_sign_switch);
}

static void
signing_set_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QoimaUserDialog) self = user_data;
  g_autoptr(QoimaUser) user = g_object_steal_data (G_OBJECT (self), "added-user");
  g_autoptr(GError) error = NULL;

  if (!qoima_store_set_user_signing_finish (QOIMA_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      /* She exists now: the list shows her, and her IIN can be set again from it. */
      g_signal_emit (self, signals[SIGNAL_USER_ADDED], 0, user);
      show_error (self, error->message);
      return;
    }
  set_busy (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_USER_ADDED], 0, user);
  gtk_window_close (GTK_WINDOW (self));
}

static void
add_user_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QoimaUserDialog) self = user_data;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GError) error = NULL;

  user = qoima_store_add_user_finish (QOIMA_STORE (source), result, &error);
  /* Added even when the dialog closed meanwhile; then nothing is left to show. */
  if (self->context == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (user == NULL)
    {
      set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }
  if (*entered_iin (self) != '\0' || may_sign (self))
    {
      g_object_set_data_full (G_OBJECT (self), "added-user", g_object_ref (user), g_object_unref);
      qoima_store_set_user_signing_async (QOIMA_STORE (source), qoima_context_get_user (self->context),
                                          qoima_user_get_name (user), entered_iin (self), may_sign (self),
                                          self->cancellable, signing_set_cb, g_object_ref (self));
      return;
    }
  set_busy (self, FALSE);

  g_signal_emit (self, signals[SIGNAL_USER_ADDED], 0, user);
  gtk_window_close (GTK_WINDOW (self));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  QoimaUserDialog *self = QOIMA_USER_DIALOG (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *full_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->full_name_row))));
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_row));
  const char *again = gtk_editable_get_text (GTK_EDITABLE (self->secret_again_row));
  QoimaRole role = selected_role (self);
  gint64 ward_id = 0;

  if (self->busy || self->context == NULL)
    return;

  /* The same checks the core makes, said before anything is sent; the core has the last
   * word (roles, duplicate names, archived wards). */
  if (*name == '\0')
    {
      show_error (self, _("A user needs a login name."));
      return;
    }
  if (!qoima_user_secret_is_acceptable (secret, &error))
    {
      show_error (self, error->message);
      return;
    }
  if (!g_str_equal (secret, again))
    {
      show_error (self, _("The two passwords differ."));
      return;
    }
  if (*entered_iin (self) != '\0' && !qoima_iin_is_valid (entered_iin (self)))
    {
      show_error (self, _("The IIN has 12 digits and its check digit must match: check it against the ID card."));
      return;
    }
  if (role == QOIMA_ROLE_NURSE)
    {
      unsigned i = adw_combo_row_get_selected (self->ward_row);

      if (i >= self->ward_ids->len)
        {
          show_error (self, _("A nurse needs a ward."));
          return;
        }
      ward_id = g_array_index (self->ward_ids, gint64, i);
    }

  show_error (self, NULL);
  set_busy (self, TRUE);
  qoima_store_add_user_async (qoima_context_get_store (self->context),
                              qoima_context_get_user (self->context),
                              name, *full_name != '\0' ? full_name : NULL,
                              role, ward_id, secret,
                              self->cancellable, add_user_cb, g_object_ref (self));
}

static void
entry_activated_cb (QoimaUserDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "user.add", NULL);
}

static void
qoima_user_dialog_dispose (GObject *object)
{
  QoimaUserDialog *self = QOIMA_USER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_USER_DIALOG);

  G_OBJECT_CLASS (qoima_user_dialog_parent_class)->dispose (object);
}

static void
qoima_user_dialog_finalize (GObject *object)
{
  QoimaUserDialog *self = QOIMA_USER_DIALOG (object);

  g_clear_pointer (&self->ward_ids, g_array_unref);

  G_OBJECT_CLASS (qoima_user_dialog_parent_class)->finalize (object);
}

static void
qoima_user_dialog_class_init (QoimaUserDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_user_dialog_dispose;
  object_class->finalize = qoima_user_dialog_finalize;

  /**
   * QoimaUserDialog::user-added:
   * @user: the new user, as the store added her
   */
  signals[SIGNAL_USER_ADDED] =
    g_signal_new ("user-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, QOIMA_TYPE_USER);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/qoima-user-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, full_name_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, iin_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, may_sign_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, may_sign_switch);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, role_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, secret_again_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, secret_group);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, secret_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, ward_names);
  gtk_widget_class_bind_template_child (widget_class, QoimaUserDialog, ward_row);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, role_changed_cb);

  gtk_widget_class_install_action (widget_class, "user.add", NULL, add_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
qoima_user_dialog_init (QoimaUserDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->ward_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  adw_preferences_group_set_description (self->secret_group, qoima_user_secret_rules ());
}

QoimaUserDialog *
qoima_user_dialog_new (QoimaContext *context,
                       GListModel   *wards)
{
  QoimaUserDialog *self;

  g_return_val_if_fail (QOIMA_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (wards == NULL || G_IS_LIST_MODEL (wards), NULL);

  self = g_object_new (QOIMA_TYPE_USER_DIALOG, NULL);
  self->context = g_object_ref (context);

  for (unsigned i = 0; wards != NULL && i < g_list_model_get_n_items (wards); i++)
    {
      g_autoptr(QoimaLocation) ward = g_list_model_get_item (wards, i);
      gint64 id = qoima_location_get_id (ward);

      /* Only the wards in use take nurses. */
      if (qoima_location_get_archived (ward))
        continue;
      gtk_string_list_append (self->ward_names, qoima_location_get_name (ward));
      g_array_append_val (self->ward_ids, id);
    }

  return self;
}

const char *
qoima_user_dialog_get_error (QoimaUserDialog *self)
{
  g_return_val_if_fail (QOIMA_IS_USER_DIALOG (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->error_label)) ? gtk_label_get_text (self->error_label) : NULL;
}
