/* qoima-sign-in.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-sign-in"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-sign-in.h"

#include "qoima-location.h"
#include "qoima-store-users.h"

struct _QoimaSignIn
{
  AdwBin parent_instance;

  /* Template widgets */
  AdwEntryRow         *admin_full_name_row;
  GtkLabel            *admin_message_label;
  AdwEntryRow         *admin_name_row;
  AdwPasswordEntryRow *admin_repeat_row;
  AdwPasswordEntryRow *admin_secret_row;
  GtkLabel            *message_label;
  GtkPasswordEntry    *secret_entry;
  AdwStatusPage       *secret_status;
  GtkStack            *stack;
  GtkListBox          *users_list;

  /* Owned references */
  QoimaContext *context;
  GListStore   *users;
  GHashTable   *ward_names; /* ward id (gint64 *) → name */
  QoimaUser    *chosen;
  GCancellable *cancellable;

  /* State */
  int           pending;
};

G_DEFINE_FINAL_TYPE (QoimaSignIn, qoima_sign_in, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_BUSY,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
set_pending (QoimaSignIn *self,
             int          delta)
{
  gboolean was_busy = self->pending > 0;

  self->pending += delta;
  g_assert (self->pending >= 0);
  if (was_busy != (self->pending > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
show_message (GtkLabel   *label,
              const char *message)
{
  gtk_label_set_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL && message[0] != '\0');
}

static char *
describe_user (QoimaSignIn *self,
               QoimaUser   *user)
{
  const char *role = qoima_role_to_label (qoima_user_get_role (user));
  gint64 ward_id = qoima_user_get_ward_id (user);
  const char *ward = ward_id > 0 ? g_hash_table_lookup (self->ward_names, &ward_id) : NULL;

  if (ward != NULL)
    /* Translators: a user's role and ward, e.g. "Nurse · Surgery". */
    return g_strdup_printf (_("%s · %s"), role, ward);
  return g_strdup (role);
}

static const char *
display_name (QoimaUser *user)
{
  const char *full_name = qoima_user_get_full_name (user);

  return full_name != NULL && full_name[0] != '\0' ? full_name : qoima_user_get_name (user);
}

static GtkWidget *
create_user_row (gpointer item,
                 gpointer user_data)
{
  QoimaSignIn *self = user_data;
  QoimaUser *user = item;
  g_autofree char *subtitle = describe_user (self, user);
  g_autofree char *title = g_markup_escape_text (display_name (user), -1);
  g_autofree char *escaped = g_markup_escape_text (subtitle, -1);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("avatar-default-symbolic"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  return row;
}

static void
user_activated_cb (QoimaSignIn   *self,
                   GtkListBoxRow *row)
{
  g_autoptr(QoimaUser) user = g_list_model_get_item (G_LIST_MODEL (self->users),
                                                     gtk_list_box_row_get_index (row));

  if (user != NULL)
    qoima_sign_in_choose_user (self, user);
}

static void
authenticate_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(QoimaSignIn) self = user_data;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GError) local_error = NULL;

  user = qoima_store_authenticate_finish (QOIMA_STORE (object), result, &local_error);
  set_pending (self, -1);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_editable_set_editable (GTK_EDITABLE (self->secret_entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->secret_entry), "");

  if (user == NULL)
    {
      /* Only a wrong secret reaches a nurse as such; anything else is the store's word. */
      if (g_error_matches (local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_WRONG_PASSWORD))
        show_message (self->message_label, _("Wrong password or PIN. Try again."));
      else
        show_message (self->message_label, local_error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->secret_entry));
      return;
    }

  show_message (self->message_label, NULL);
  g_clear_object (&self->chosen);
  gtk_stack_set_visible_child_name (self->stack, "users");
  qoima_context_set_user (self->context, user);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  QoimaSignIn *self = QOIMA_SIGN_IN (widget);
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_entry));

  if (self->context == NULL || self->chosen == NULL || self->pending > 0)
    return;
  if (secret[0] == '\0')
    {
      show_message (self->message_label, _("Enter your password or PIN."));
      return;
    }

  /* The key derivation takes a moment on the worker; the entry waits meanwhile. */
  gtk_editable_set_editable (GTK_EDITABLE (self->secret_entry), FALSE);
  set_pending (self, 1);
  qoima_store_authenticate_async (qoima_context_get_store (self->context),
                                  qoima_user_get_name (self->chosen),
                                  secret,
                                  self->cancellable,
                                  authenticate_cb,
                                  g_object_ref (self));
}

static void
secret_activate_cb (QoimaSignIn *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "sign-in.sign-in", NULL);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaSignIn *self = QOIMA_SIGN_IN (widget);

  g_clear_object (&self->chosen);
  gtk_editable_set_text (GTK_EDITABLE (self->secret_entry), "");
  show_message (self->message_label, NULL);
  gtk_stack_set_visible_child_name (self->stack, "users");
  gtk_widget_grab_focus (GTK_WIDGET (self->users_list));
}

static void
admin_added_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QoimaSignIn) self = user_data;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GError) local_error = NULL;

  user = qoima_store_add_user_finish (QOIMA_STORE (object), result, &local_error);
  set_pending (self, -1);
  /* Added even when the sign-in screen closed meanwhile; then nothing is left to show. */
  if (self->context == NULL || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (user == NULL)
    {
      show_message (self->admin_message_label, local_error->message);
      return;
    }

  /* Whoever created the administrator is that administrator. */
  show_message (self->admin_message_label, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->admin_secret_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->admin_repeat_row), "");
  qoima_context_set_user (self->context, user);
  qoima_sign_in_reload (self);
}

static void
create_admin_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  QoimaSignIn *self = QOIMA_SIGN_IN (widget);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->admin_name_row))));
  const char *full_name = gtk_editable_get_text (GTK_EDITABLE (self->admin_full_name_row));
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->admin_secret_row));
  const char *repeat = gtk_editable_get_text (GTK_EDITABLE (self->admin_repeat_row));

  if (self->context == NULL || self->pending > 0)
    return;
  if (name[0] == '\0')
    {
      show_message (self->admin_message_label, _("Enter a login name."));
      return;
    }
  if (g_strcmp0 (secret, repeat) != 0)
    {
      show_message (self->admin_message_label, _("The two passwords differ."));
      return;
    }

  /* The store allows adding by nobody only while it has no users at all. */
  set_pending (self, 1);
  qoima_store_add_user_async (qoima_context_get_store (self->context), NULL, name, full_name,
                              QOIMA_ROLE_ADMIN, 0, secret, self->cancellable,
                              admin_added_cb, g_object_ref (self));
}

static void
users_listed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(QoimaSignIn) self = user_data;
  g_autoptr(GListModel) users = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) enabled = g_ptr_array_new_with_free_func (g_object_unref);

  users = qoima_store_list_users_finish (QOIMA_STORE (object), result, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (users == NULL)
    {
      g_warning ("Could not list the users: %s", local_error->message);
      set_pending (self, -1);
      return;
    }

  for (unsigned i = 0; i < g_list_model_get_n_items (users); i++)
    {
      QoimaUser *user = g_list_model_get_item (users, i);

      if (!qoima_user_get_disabled (user))
        g_ptr_array_add (enabled, user);
      else
        g_object_unref (user);
    }
  /* Disabled users cannot sign in: they are not offered. */
  g_list_store_splice (self->users, 0, g_list_model_get_n_items (G_LIST_MODEL (self->users)),
                       enabled->pdata, enabled->len);

  if (g_list_model_get_n_items (users) == 0)
    gtk_stack_set_visible_child_name (self->stack, "first-admin");
  else if (self->chosen == NULL)
    gtk_stack_set_visible_child_name (self->stack, "users");

  set_pending (self, -1);
}

static void
locations_listed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(QoimaSignIn) self = user_data;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(GError) local_error = NULL;

  locations = qoima_store_list_locations_finish (QOIMA_STORE (object), result, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_hash_table_remove_all (self->ward_names);
  if (locations == NULL)
    g_warning ("Could not list the locations: %s", local_error->message);
  for (unsigned i = 0; locations != NULL && i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);

      g_hash_table_insert (self->ward_names,
                           g_memdup2 (&(gint64) { qoima_location_get_id (location) }, sizeof (gint64)),
                           g_strdup (qoima_location_get_name (location)));
    }

  /* The wards name the nurses' rows, so the users come second. */
  qoima_store_list_users_async (QOIMA_STORE (object), self->cancellable, users_listed_cb,
                                g_object_ref (self));
}

static void
qoima_sign_in_dispose (GObject *object)
{
  QoimaSignIn *self = QOIMA_SIGN_IN (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_SIGN_IN);

  g_clear_object (&self->chosen);
  g_clear_object (&self->users);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (qoima_sign_in_parent_class)->dispose (object);
}

static void
qoima_sign_in_finalize (GObject *object)
{
  QoimaSignIn *self = QOIMA_SIGN_IN (object);

  g_clear_pointer (&self->ward_names, g_hash_table_unref);

  G_OBJECT_CLASS (qoima_sign_in_parent_class)->finalize (object);
}

static void
qoima_sign_in_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  QoimaSignIn *self = QOIMA_SIGN_IN (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, qoima_sign_in_get_context (self));
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, qoima_sign_in_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_sign_in_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  QoimaSignIn *self = QOIMA_SIGN_IN (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      qoima_sign_in_set_context (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_sign_in_class_init (QoimaSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_sign_in_dispose;
  object_class->finalize = qoima_sign_in_finalize;
  object_class->get_property = qoima_sign_in_get_property;
  object_class->set_property = qoima_sign_in_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/qoima-sign-in.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaSignIn, admin_full_name_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignIn, admin_message_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignIn, admin_name_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignIn, admin_repeat_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignIn, admin_secret_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignIn, message_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignIn, secret_entry);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignIn, secret_status);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignIn, stack);
  gtk_widget_class_bind_template_child (widget_class, QoimaSignIn, users_list);
  gtk_widget_class_bind_template_callback (widget_class, secret_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, user_activated_cb);

  gtk_widget_class_install_action (widget_class, "sign-in.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "sign-in.back", NULL, back_action);
  /* Escape leaves the password or PIN for the list of users, as the Back button does. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "sign-in.back", NULL);
  gtk_widget_class_install_action (widget_class, "sign-in.create-admin", NULL, create_admin_action);
}

static void
qoima_sign_in_init (QoimaSignIn *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->users = g_list_store_new (QOIMA_TYPE_USER);
  self->ward_names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  gtk_list_box_bind_model (self->users_list, G_LIST_MODEL (self->users), create_user_row, self, NULL);
}

const char *
qoima_role_to_label (QoimaRole role)
{
  switch (role)
    {
    case QOIMA_ROLE_CLERK:
      return _("Warehouse Clerk");
    case QOIMA_ROLE_NURSE:
      return _("Nurse");
    case QOIMA_ROLE_CHIEF:
      return _("Chief Physician");
    case QOIMA_ROLE_ADMIN:
      return _("Administrator");
    default:
      return "";
    }
}

QoimaContext *
qoima_sign_in_get_context (QoimaSignIn *self)
{
  g_return_val_if_fail (QOIMA_IS_SIGN_IN (self), NULL);

  return self->context;
}

void
qoima_sign_in_set_context (QoimaSignIn  *self,
                           QoimaContext *context)
{
  g_return_if_fail (QOIMA_IS_SIGN_IN (self));
  g_return_if_fail (context == NULL || QOIMA_IS_CONTEXT (context));

  if (g_set_object (&self->context, context))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT]);
}

void
qoima_sign_in_reload (QoimaSignIn *self)
{
  g_return_if_fail (QOIMA_IS_SIGN_IN (self));

  if (self->context == NULL)
    return;

  g_clear_object (&self->chosen);
  gtk_editable_set_text (GTK_EDITABLE (self->secret_entry), "");
  show_message (self->message_label, NULL);
  gtk_stack_set_visible_child_name (self->stack, "users");

  set_pending (self, 1);
  qoima_store_list_locations_async (qoima_context_get_store (self->context), self->cancellable,
                                    locations_listed_cb, g_object_ref (self));
}

GListModel *
qoima_sign_in_get_users (QoimaSignIn *self)
{
  g_return_val_if_fail (QOIMA_IS_SIGN_IN (self), NULL);

  return G_LIST_MODEL (self->users);
}

void
qoima_sign_in_choose_user (QoimaSignIn *self,
                           QoimaUser   *user)
{
  g_autofree char *description = NULL;
  g_autofree char *escaped = NULL;

  g_return_if_fail (QOIMA_IS_SIGN_IN (self));
  g_return_if_fail (QOIMA_IS_USER (user));

  g_set_object (&self->chosen, user);
  description = describe_user (self, user);
  escaped = g_markup_escape_text (description, -1);
  adw_status_page_set_title (self->secret_status, display_name (user));
  adw_status_page_set_description (self->secret_status, escaped);
  gtk_editable_set_text (GTK_EDITABLE (self->secret_entry), "");
  show_message (self->message_label, NULL);
  gtk_stack_set_visible_child_name (self->stack, "secret");
  gtk_widget_grab_focus (GTK_WIDGET (self->secret_entry));
}

GtkEditable *
qoima_sign_in_get_secret_entry (QoimaSignIn *self)
{
  g_return_val_if_fail (QOIMA_IS_SIGN_IN (self), NULL);

  return GTK_EDITABLE (self->secret_entry);
}

const char *
qoima_sign_in_get_step (QoimaSignIn *self)
{
  g_return_val_if_fail (QOIMA_IS_SIGN_IN (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
qoima_sign_in_get_message (QoimaSignIn *self)
{
  g_return_val_if_fail (QOIMA_IS_SIGN_IN (self), NULL);

  return gtk_label_get_text (self->message_label);
}

gboolean
qoima_sign_in_get_busy (QoimaSignIn *self)
{
  g_return_val_if_fail (QOIMA_IS_SIGN_IN (self), FALSE);

  return self->pending > 0;
}
