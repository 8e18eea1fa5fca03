/* qoima-admin-page.c: the Administration page: users, wards and the hospital's settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-admin-page"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-admin-page.h"

#include "qoima-db.h"
#include "qoima-registration-window.h"
#include "qoima-store-registration.h"

#include "qoima-location.h"
#include "qoima-sign-in.h"
#include "qoima-store-settings.h"
#include "qoima-store-users.h"
#include "qoima-user.h"
#include "qoima-store-wards.h"

struct _QoimaAdminPage
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkSwitch       *auto_withdraw_switch;
  AdwEntryRow     *database_entry_row;
  GtkWidget       *database_group;
  GtkLabel        *database_note;
  AdwPasswordEntryRow *database_password_row;
  AdwActionRow    *database_row;
  GtkWidget       *error_group;
  GtkLabel        *error_label;
  AdwEntryRow     *new_ward_kk_row;
  AdwEntryRow     *new_ward_row;
  GtkListBox      *users_list;
  GtkListBox      *wards_list;
  GtkButton       *contract_button;
  GtkImage        *contract_icon;
  AdwActionRow    *contract_row;
  GtkButton       *registration_button;
  GtkImage        *registration_icon;
  AdwActionRow    *registration_row;

  /* Owned references */
  QoimaContext    *context;
  GCancellable    *cancellable;
  GListStore      *users;
  GListStore      *wards;

  /* Borrowed references (cleared when the dialog or window is destroyed) */
  QoimaUserDialog *user_dialog;
  QoimaRegistrationWindow *registration_window;

  /* State */
  int              loads_pending;
  int              sets_pending;        /* changes of the setting not yet stored */
  guint            setting_switch : 1; /* the switch is being set from the store */
  guint            requested_state : 1; /* the switch's last change, as sent */
  gboolean          started; /* qoima_admin_page_start() was called */
  gboolean          registration_offered; /* an administrator, no registration confirmed */
};

G_DEFINE_FINAL_TYPE (QoimaAdminPage, qoima_admin_page, ADW_TYPE_BIN)

static void database_apply_cb (QoimaAdminPage *self);
static void database_password_apply_cb (QoimaAdminPage *self);

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_LOADING,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* What a row's dialog acts on, handed to its response handler. */
typedef struct
{
  QoimaAdminPage *page;
  char           *name;
  gint64          id;
  gboolean        archived;
  GtkEditable    *first;
  GtkEditable    *second;
  GtkSwitch      *may_sign; /* the signing dialog's, for a clerk */
} RowDialog;

static void
row_dialog_free (gpointer data,
                 GClosure *closure)
{
  RowDialog *dialog = data;

  g_object_unref (dialog->page);
  g_free (dialog->name);
  g_free (dialog);
}

static void
show_error (QoimaAdminPage *self,
            const GError   *error)
{
  /* Cancellation is never shown: the page was closed or reloaded. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_label_set_text (self->error_label, error != NULL ? error->message : "");
  gtk_widget_set_visible (self->error_group, error != NULL);
}

static void
set_loading (QoimaAdminPage *self,
             gboolean        loading)
{
  gboolean was_loading = self->loads_pending > 0;

  self->loads_pending += loading ? 1 : -1;
  g_assert (self->loads_pending >= 0);
  if (was_loading != (self->loads_pending > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static QoimaLocation *
find_ward (QoimaAdminPage *self,
           gint64          id)
{
  for (unsigned i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->wards)); i++)
    {
      g_autoptr(QoimaLocation) ward = g_list_model_get_item (G_LIST_MODEL (self->wards), i);

      if (qoima_location_get_id (ward) == id)
        return ward;
    }
  return NULL;
}

static QoimaUser *
find_user (QoimaAdminPage *self,
           const char     *name)
{
  for (unsigned i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->users)); i++)
    {
      g_autoptr(QoimaUser) user = g_list_model_get_item (G_LIST_MODEL (self->users), i);

      if (g_str_equal (qoima_user_get_name (user), name))
        return user;
    }
  return NULL;
}

static GtkWidget *
row_button (const char *icon_name,
            const char *label,
            const char *tooltip,
            const char *action_name,
            GVariant   *target)
{
  GtkWidget *button = gtk_button_new ();

  if (icon_name != NULL)
    gtk_button_set_icon_name (GTK_BUTTON (button), icon_name);
  else
    gtk_button_set_label (GTK_BUTTON (button), label);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  return button;
}

static GtkWidget *
create_user_row (gpointer item,
                 gpointer user_data)
{
  QoimaAdminPage *self = user_data;
  QoimaUser *user = item;
  const char *name = qoima_user_get_name (user);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  QoimaLocation *ward;

  if (qoima_user_get_full_name (user) != NULL)
    g_string_append_printf (subtitle, "%s · ", qoima_user_get_full_name (user));
  /* The role's name as the header bar and the sign-in page say it. */
  g_string_append (subtitle, qoima_role_to_label (qoima_user_get_role (user)));
  if ((ward = find_ward (self, qoima_user_get_ward_id (user))) != NULL)
    g_string_append_printf (subtitle, " · %s", qoima_location_get_name (ward));
  if (qoima_user_get_iin (user) != NULL)
    g_string_append_printf (subtitle, " · %s %s", _("IIN"), qoima_user_get_iin (user));
  if (qoima_user_get_may_sign (user))
    g_string_append_printf (subtitle, " · %s", _("May sign (delegated)"));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (row, subtitle->str);
  /* A disabled account says so in words, before its buttons, not only by being dimmed. */
  if (qoima_user_get_disabled (user))
    {
      GtkWidget *state = gtk_label_new (_("Disabled"));

      gtk_widget_add_css_class (state, "caption-heading");
      gtk_widget_add_css_class (state, "error");
      gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (row, state);
      adw_action_row_add_prefix (row, gtk_image_new_from_icon_name ("system-lock-screen-symbolic"));
    }
  else
    adw_action_row_add_prefix (row, gtk_image_new_from_icon_name ("avatar-default-symbolic"));

  adw_action_row_add_suffix (row, row_button ("document-edit-symbolic", NULL, _("Signing: IIN and Delegation…"),
                                              "admin.signing", g_variant_new_string (name)));
  adw_action_row_add_suffix (row, row_button ("dialog-password-symbolic", NULL, _("Reset Password…"),
                                              "admin.reset-password", g_variant_new_string (name)));
  adw_action_row_add_suffix (row, row_button (NULL,
                                              qoima_user_get_disabled (user) ? _("Enable") : _("Disable…"),
                                              qoima_user_get_disabled (user) ? _("Let this user log in again")
                                                                             : _("Keep this user from logging in"),
                                              "admin.toggle-disabled", g_variant_new_string (name)));
  return GTK_WIDGET (row);
}

static GtkWidget *
create_ward_row (gpointer item,
                 gpointer user_data)
{
  QoimaLocation *ward = item;
  gint64 id = qoima_location_get_id (ward);
  gboolean archived = qoima_location_get_archived (ward);
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  g_autofree char *subtitle = NULL;

  if (archived)
    subtitle = g_strdup_printf ("%s%s%s", qoima_location_get_name_kk (ward) != NULL ? qoima_location_get_name_kk (ward) : "",
                                qoima_location_get_name_kk (ward) != NULL ? " · " : "", _("Archived"));
  else
    subtitle = g_strdup (qoima_location_get_name_kk (ward));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), qoima_location_get_name_ru (ward));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (row, subtitle != NULL ? subtitle : "");
  if (archived)
    gtk_widget_add_css_class (GTK_WIDGET (row), "dim-label");

  adw_action_row_add_suffix (row, row_button ("document-edit-symbolic", NULL, _("Rename…"),
                                              "admin.rename-ward", g_variant_new_int64 (id)));
  adw_action_row_add_suffix (row, row_button (NULL, archived ? _("Restore") : _("Archive"),
                                              archived ? _("Use this ward again") : _("Archive this empty ward"),
                                              "admin.archive-ward", g_variant_new_int64 (id)));
  return GTK_WIDGET (row);
}

static void
list_users_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(QoimaAdminPage) self = user_data;
  g_autoptr(GListModel) users = NULL;
  g_autoptr(GError) error = NULL;

  users = qoima_store_list_users_finish (QOIMA_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_loading (self, FALSE);
  if (users == NULL)
    {
      show_error (self, error);
      return;
    }

  {
    unsigned n = g_list_model_get_n_items (users);
    g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

    for (unsigned i = 0; i < n; i++)
      g_ptr_array_add (items, g_list_model_get_item (users, i));
    g_list_store_splice (self->users, 0, g_list_model_get_n_items (G_LIST_MODEL (self->users)),
                         items->pdata, items->len);
  }
}

static void
list_wards_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(QoimaAdminPage) self = user_data;
  g_autoptr(GListModel) wards = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  wards = qoima_store_list_wards_finish (QOIMA_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (wards == NULL)
    {
      set_loading (self, FALSE);
      show_error (self, error);
      return;
    }

  for (unsigned i = 0; i < g_list_model_get_n_items (wards); i++)
    g_ptr_array_add (items, g_list_model_get_item (wards, i));
  g_list_store_splice (self->wards, 0, g_list_model_get_n_items (G_LIST_MODEL (self->wards)),
                       items->pdata, items->len);

  /* Users next: their rows name their wards. */
  qoima_store_list_users_async (QOIMA_STORE (source), self->cancellable, list_users_cb, g_object_ref (self));
}

static void
set_switch_from_store (QoimaAdminPage *self,
                       gboolean        active)
{
  self->setting_switch = TRUE;
  gtk_switch_set_active (self->auto_withdraw_switch, active);
  gtk_switch_set_state (self->auto_withdraw_switch, active);
  self->setting_switch = FALSE;
}

static void
get_setting_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QoimaAdminPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  value = qoima_store_get_setting_finish (QOIMA_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_loading (self, FALSE);
  if (error != NULL)
    {
      show_error (self, error);
      return;
    }
  /* A change on its way is newer than what was read. */
  if (self->sets_pending == 0)
    set_switch_from_store (self, g_strcmp0 (value, "true") == 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->auto_withdraw_switch), TRUE);
}

/* A change went through: the lists show the store's word on it. */
static void
change_done (QoimaAdminPage *self,
             gboolean        done,
             GError         *error)
{
  /* A change is made even when the page closed meanwhile; then nothing is left to show. */
  if (self->context == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  show_error (self, done ? NULL : error);
  qoima_admin_page_reload (self);
}

static void
set_setting_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QoimaAdminPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean set;

  self->sets_pending--;
  set = qoima_store_set_setting_finish (QOIMA_STORE (source), result, &error);
  /* A change is made even when the page closed meanwhile; then nothing is left to show. */
  if (self->context == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (set)
    {
      show_error (self, NULL);
      if (self->sets_pending == 0)
        set_switch_from_store (self, self->requested_state);
      return;
    }
  /* Refused (not an admin, say): the switch goes back to what the store holds. */
  if (self->sets_pending == 0)
    set_switch_from_store (self, gtk_switch_get_state (self->auto_withdraw_switch));
  show_error (self, error);
}

static gboolean
auto_withdraw_state_set_cb (QoimaAdminPage *self,
                            gboolean        state)
{
  if (self->setting_switch || self->context == NULL)
    return FALSE;

  /* The switch shows the new state only once the store has it. */
  self->requested_state = !!state;
  self->sets_pending++;
  qoima_store_set_setting_async (qoima_context_get_store (self->context),
                                 qoima_context_get_user (self->context),
                                 QOIMA_SETTING_AUTO_WITHDRAW, state ? "true" : "false",
                                 self->cancellable, set_setting_cb, g_object_ref (self));
  return TRUE;
}

static void
add_ward_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(QoimaAdminPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = qoima_store_add_ward_finish (QOIMA_STORE (source), result, &error);

  if (id > 0 && self->context != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->new_ward_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->new_ward_kk_row), "");
    }
  change_done (self, id > 0, error);
}

static void
add_ward_cb (QoimaAdminPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "admin.add-ward", NULL);
}

static void
boolean_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(QoimaAdminPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean done;

  /* Each of these finishes a boolean GTask of the store's. (Not in change_done's argument
   * list: the error must be read after it is set.) */
  done = g_task_propagate_boolean (G_TASK (result), &error);
  change_done (self, done, error);
}

static GtkWindow *
parent_window (QoimaAdminPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* A message dialog with two entry rows in a boxed list; @password for password rows. */
static AdwMessageDialog *
two_entry_dialog (QoimaAdminPage *self,
                  const char     *heading,
                  const char     *body,
                  const char     *first_title,
                  const char     *second_title,
                  gboolean        password,
                  const char     *response_label,
                  GtkEditable   **first,
                  GtkEditable   **second)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent_window (self), heading, body));
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *row1 = password ? adw_password_entry_row_new () : adw_entry_row_new ();
  GtkWidget *row2 = password ? adw_password_entry_row_new () : adw_entry_row_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row1), first_title);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row2), second_title);
  gtk_list_box_append (GTK_LIST_BOX (list), row1);
  gtk_list_box_append (GTK_LIST_BOX (list), row2);
  adw_message_dialog_set_extra_child (dialog, list);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "apply", response_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "apply");
  adw_message_dialog_set_close_response (dialog, "cancel");

  *first = GTK_EDITABLE (row1);
  *second = GTK_EDITABLE (row2);
  return dialog;
}

static void
rename_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    RowDialog        *data)
{
  QoimaAdminPage *self = data->page;

  if (!g_str_equal (response, "apply") || self->context == NULL)
    return;
  qoima_store_update_location_async (qoima_context_get_store (self->context),
                                     qoima_context_get_user (self->context),
                                     data->id,
                                     gtk_editable_get_text (data->first),
                                     gtk_editable_get_text (data->second),
                                     data->archived,
                                     self->cancellable,
                                     boolean_done_cb,
                                     g_object_ref (self));
}

static void
password_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      RowDialog        *data)
{
  QoimaAdminPage *self = data->page;
  const char *secret = gtk_editable_get_text (data->first);
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "apply") || self->context == NULL)
    return;
  if (!g_str_equal (secret, gtk_editable_get_text (data->second)))
    {
      g_set_error_literal (&error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                           _("The two passwords differ; the password was not changed."));
      show_error (self, error);
      return;
    }
  qoima_store_set_password_async (qoima_context_get_store (self->context),
                                  qoima_context_get_user (self->context),
                                  data->name, secret,
                                  self->cancellable, boolean_done_cb, g_object_ref (self));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  qoima_admin_page_reload (QOIMA_ADMIN_PAGE (widget));
}

static void
user_added_cb (QoimaAdminPage *self,
               QoimaUser      *user)
{
  show_error (self, NULL);
  qoima_admin_page_reload (self);
}

/* The dialog is done once it closes (GTK may hold on to the object a little longer). */
static gboolean
user_dialog_close_request_cb (QoimaAdminPage *self)
{
  self->user_dialog = NULL;
  return FALSE;
}

static void
add_user_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (widget);
  QoimaUserDialog *dialog;

  if (self->context == NULL)
    return;
  if (self->user_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->user_dialog));
      return;
    }

  dialog = qoima_user_dialog_new (self->context, G_LIST_MODEL (self->wards));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), parent_window (self));
  g_signal_connect_object (dialog, "user-added", G_CALLBACK (user_added_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "close-request", G_CALLBACK (user_dialog_close_request_cb), self, G_CONNECT_SWAPPED);
  self->user_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

/* R000-2: the connection contract of a confirmed registration, signed or still owed. */
static void
show_contract (QoimaAdminPage    *self,
               QoimaRegistration *registration,
               gboolean           admin)
{
  const char *signed_at = qoima_registration_get (registration, "contract-signed-at");
  g_autofree char *subtitle = NULL;

  if (signed_at != NULL)
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (signed_at, NULL);
      g_autoptr(GDateTime) local = at != NULL ? g_date_time_to_local (at) : NULL;
      g_autofree char *when = local != NULL ? g_date_time_format (local, "%d.%m.%Y") : NULL;

      /* Translators: %s is the date the head signed the contract, as 05.03.2026. */
      subtitle = when != NULL ? g_strdup_printf (_("Signed on %s with the head’s key; ИС МПТ keeps it."), when)
                              : g_strdup (_("Signed with the head’s key; ИС МПТ keeps it."));
    }
  else
    subtitle = g_strdup (_("Not signed. The head accepts the standard contract on connection to ИС МПТ by signing it with her key."));
  adw_action_row_set_subtitle (self->contract_row, subtitle);
  gtk_image_set_from_icon_name (self->contract_icon, signed_at != NULL ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_widget_set_visible (GTK_WIDGET (self->contract_button), signed_at == NULL && admin);
}

/* Issue 12: where the registration stands, offered to the administrator until it is confirmed
 * (never opened for her); once confirmed, its connection contract (R000-2). */
static void
registration_loaded_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(QoimaAdminPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStoredRegistration) stored = qoima_store_load_registration_finish (QOIMA_STORE (source), result, &error);
  QoimaUser *user = self->context != NULL ? qoima_context_get_user (self->context) : NULL;
  gboolean admin = user != NULL && qoima_user_check (user, QOIMA_PERMISSION_MANAGE_USERS, NULL);
  const char *state = stored != NULL ? stored->state : NULL;
  const char *request_id = stored != NULL && stored->request_id != NULL ? stored->request_id : "—";
  const char *title;
  const char *button;
  g_autofree char *subtitle = NULL;

  if (error != NULL)
    return;
  if (g_strcmp0 (state, "confirmed") == 0)
    {
      QoimaRegistration *registration = stored->registration;
      const char *name = qoima_registration_get (registration, "full-name");
      const char *bin = qoima_registration_get (registration, "bin");

      title = _("Registered in ИС МПТ");
      /* Translators: the organization's name, its BIN and the number of its registration request. */
      subtitle = g_strdup_printf (_("%s, BIN %s; request %s confirmed."), name != NULL ? name : "—",
                                  bin != NULL ? bin : "—", request_id);
      button = _("_Open…");
      show_contract (self, registration, admin);
    }
  else if (g_strcmp0 (state, "sent") == 0)
    {
      title = _("Registration Sent to ИС МПТ");
      /* Translators: %s is the number of the registration request. */
      subtitle = g_strdup_printf (_("Request %s: ИС МПТ processes it within 24 hours; the wizard follows it and then sets Qoima up."),
                                  request_id);
      button = _("_Show Status…");
    }
  else if (g_strcmp0 (state, "refused") == 0)
    {
      title = _("Registration Refused by ИС МПТ");
      /* Translators: the number of the registration request, then ИС МПТ's reason. */
      subtitle = g_strdup_printf (_("Request %s: %s. Correct the request and send it again."), request_id,
                                  stored->reason != NULL ? stored->reason : _("no reason given"));
      button = _("_Correct Registration…");
    }
  else
    {
      title = _("Not Registered in ИС МПТ Yet");
      subtitle = g_strdup (stored != NULL
                           ? _("The registration’s draft is kept: the wizard resumes it where it was left.")
                           : _("Before its first act, the hospital joins ИС МПТ. The wizard guides it step by step, checks every field before anything is sent, and keeps the draft; it can wait."));
      button = stored != NULL ? _("_Resume Registration…") : _("_Start Registration…");
    }

  self->registration_offered = admin && g_strcmp0 (state, "confirmed") != 0;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->registration_row), title);
  adw_action_row_set_subtitle (self->registration_row, subtitle);
  gtk_image_set_from_icon_name (self->registration_icon,
                                g_strcmp0 (state, "confirmed") == 0 ? "emblem-ok-symbolic"
                                : g_strcmp0 (state, "refused") == 0 ? "dialog-warning-symbolic"
                                : "dialog-information-symbolic");
  gtk_button_set_label (self->registration_button, button);
  /* What is left to do is the suggested action; a confirmed registration is only opened. */
  if (self->registration_offered)
    gtk_widget_add_css_class (GTK_WIDGET (self->registration_button), "suggested-action");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->registration_button), "suggested-action");
  gtk_widget_set_visible (GTK_WIDGET (self->contract_row), g_strcmp0 (state, "confirmed") == 0);
}

static void
load_registration (QoimaAdminPage *self)
{
  if (self->context == NULL)
    return;
  qoima_store_load_registration_async (qoima_context_get_store (self->context), self->cancellable,
                                       registration_loaded_cb, g_object_ref (self));
}

/* Closed: the page says where the registration stands now. */
static void
registration_window_destroy_cb (QoimaAdminPage *self)
{
  self->registration_window = NULL;
  load_registration (self);
}

/* The registration wizard (issue 12), over this page's window: one at a time. */
static QoimaRegistrationWindow *
present_registration_window (QoimaAdminPage *self)
{
  QoimaRegistrationWindow *window = self->registration_window;

  if (window == NULL)
    {
      window = qoima_registration_window_new (self->context);
      gtk_window_set_transient_for (GTK_WINDOW (window), parent_window (self));
      /* Every step saved shows here at once, the contract's signature among them. */
      g_signal_connect_object (window, "saved", G_CALLBACK (load_registration), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (window, "destroy", G_CALLBACK (registration_window_destroy_cb), self, G_CONNECT_SWAPPED);
      self->registration_window = window;
    }
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
register_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (widget);

  if (self->context == NULL)
    return;
  present_registration_window (self);
}

/* R000-2: the contract left unsigned when the wizard was closed, signed with the wizard's own
 * dialogs on its page after registration, where its text is shown. */
static void
sign_contract_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (widget);

  if (self->context == NULL)
    return;
  qoima_registration_window_sign_contract (present_registration_window (self));
}

static void
add_ward_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (widget);

  if (self->context == NULL)
    return;
  qoima_store_add_ward_async (qoima_context_get_store (self->context),
                              qoima_context_get_user (self->context),
                              gtk_editable_get_text (GTK_EDITABLE (self->new_ward_row)),
                              gtk_editable_get_text (GTK_EDITABLE (self->new_ward_kk_row)),
                              self->cancellable, add_ward_done_cb, g_object_ref (self));
}

static void
rename_ward_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (widget);
  QoimaLocation *ward = find_ward (self, g_variant_get_int64 (parameter));
  AdwMessageDialog *dialog;
  RowDialog *data;

  if (ward == NULL)
    return;

  data = g_new0 (RowDialog, 1);
  data->page = g_object_ref (self);
  data->id = qoima_location_get_id (ward);
  data->archived = qoima_location_get_archived (ward);
  dialog = two_entry_dialog (self, _("Rename Ward"), NULL, _("Name in Russian"), _("Name in Kazakh"),
                             FALSE, _("_Rename"), &data->first, &data->second);
  gtk_editable_set_text (data->first, qoima_location_get_name_ru (ward));
  gtk_editable_set_text (data->second, qoima_location_get_name_kk (ward) != NULL ? qoima_location_get_name_kk (ward) : "");
  g_signal_connect_data (dialog, "response", G_CALLBACK (rename_response_cb), data, row_dialog_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
archive_ward_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (widget);
  QoimaLocation *ward = find_ward (self, g_variant_get_int64 (parameter));

  if (ward == NULL || self->context == NULL)
    return;
  /* The core refuses a ward that still holds packs or nurses, and says which. */
  qoima_store_update_location_async (qoima_context_get_store (self->context),
                                     qoima_context_get_user (self->context),
                                     qoima_location_get_id (ward), NULL, NULL,
                                     !qoima_location_get_archived (ward),
                                     self->cancellable, boolean_done_cb, g_object_ref (self));
}

static void
reset_password_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autofree char *heading = g_strdup_printf (_("New Password for %s"), name);
  AdwMessageDialog *dialog;
  RowDialog *data;

  data = g_new0 (RowDialog, 1);
  data->page = g_object_ref (self);
  data->name = g_strdup (name);
  dialog = two_entry_dialog (self, heading, qoima_user_secret_rules (), _("Password or PIN"), _("Repeat It"),
                             TRUE, _("_Change"), &data->first, &data->second);
  g_signal_connect_data (dialog, "response", G_CALLBACK (password_response_cb), data, row_dialog_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
signing_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     RowDialog        *data)
{
  QoimaAdminPage *self = data->page;
  g_autofree char *iin = NULL;

  if (!g_str_equal (response, "apply") || self->context == NULL)
    return;
  /* The core checks the IIN's check digit, that it is no other user's, and the role. */
  iin = g_strstrip (g_strdup (gtk_editable_get_text (data->first)));
  qoima_store_set_user_signing_async (qoima_context_get_store (self->context),
                                      qoima_context_get_user (self->context),
                                      data->name, iin,
                                      data->may_sign != NULL && gtk_switch_get_active (data->may_sign),
                                      self->cancellable, boolean_done_cb, g_object_ref (self));
}

/* Who the user is for signing (issue 8): her IIN, which her key must carry, and for a clerk
 * whether she may sign, which only an administrator delegates. */
static void
signing_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (widget);
  QoimaUser *user = find_user (self, g_variant_get_string (parameter, NULL));
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *list;
  GtkWidget *iin_row;
  RowDialog *data;

  if (user == NULL || self->context == NULL)
    return;
  heading = g_strdup_printf (_("Signing for %s"), qoima_user_get_name (user));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent_window (self), heading,
                                                       _("A document is signed only with a key whose certificate carries the signer’s IIN. "
                                                         "The chief signs by role; a clerk only when you allow it here.")));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  iin_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (iin_row), _("IIN"));
  gtk_editable_set_text (GTK_EDITABLE (iin_row), qoima_user_get_iin (user) != NULL ? qoima_user_get_iin (user) : "");
  gtk_list_box_append (GTK_LIST_BOX (list), iin_row);

  data = g_new0 (RowDialog, 1);
  data->page = g_object_ref (self);
  data->name = g_strdup (qoima_user_get_name (user));
  data->first = GTK_EDITABLE (iin_row);
  if (qoima_user_get_role (user) == QOIMA_ROLE_CLERK)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *toggle = gtk_switch_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("May Sign Documents"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Acceptances and withdrawals, with the user’s own key"));
      gtk_switch_set_active (GTK_SWITCH (toggle), qoima_user_get_may_sign (user));
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
      data->may_sign = GTK_SWITCH (toggle);
    }
  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "apply", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "apply");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (signing_response_cb), data, row_dialog_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
disable_reason_changed_cb (AdwMessageDialog *dialog,
                           GtkEditable      *entry)
{
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "disable", reason[0] != '\0');
}

static void
disable_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     RowDialog        *data)
{
  QoimaAdminPage *self = data->page;

  if (!g_str_equal (response, "disable") || self->context == NULL)
    return;
  /* The core refuses the last admin and the acting admin; the reason goes to the audit row. */
  qoima_store_set_user_disabled_with_reason_async (qoima_context_get_store (self->context),
                                                   qoima_context_get_user (self->context),
                                                   data->name, TRUE, gtk_editable_get_text (data->first),
                                                   self->cancellable, boolean_done_cb, g_object_ref (self));
}

/* Enabling lets a user back in at once; disabling is confirmed, with a reason for the audit. */
static void
toggle_disabled_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (widget);
  QoimaUser *user = find_user (self, g_variant_get_string (parameter, NULL));
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *list;
  GtkWidget *entry;
  RowDialog *data;

  if (user == NULL || self->context == NULL)
    return;
  if (qoima_user_get_disabled (user))
    {
      qoima_store_set_user_disabled_async (qoima_context_get_store (self->context),
                                           qoima_context_get_user (self->context),
                                           qoima_user_get_name (user), FALSE,
                                           self->cancellable, boolean_done_cb, g_object_ref (self));
      return;
    }

  /* Translators: %s is the login name. */
  heading = g_strdup_printf (_("Disable %s?"), qoima_user_get_name (user));
  body = g_strdup (_("The user can no longer log in. What the user recorded stays, and an "
                     "administrator can enable the account again. The reason is kept in the audit trail."));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent_window (self), heading, body));
  list = gtk_list_box_new ();
  entry = adw_entry_row_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), _("Reason"));
  gtk_list_box_append (GTK_LIST_BOX (list), entry);
  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "disable", _("_Disable"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "disable", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (dialog, "disable", FALSE);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (entry, "changed", G_CALLBACK (disable_reason_changed_cb), dialog, G_CONNECT_SWAPPED);

  data = g_new0 (RowDialog, 1);
  data->page = g_object_ref (self);
  data->name = g_strdup (qoima_user_get_name (user));
  data->first = GTK_EDITABLE (entry);
  g_signal_connect_data (dialog, "response", G_CALLBACK (disable_response_cb), data, row_dialog_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
user_changed_cb (QoimaAdminPage *self)
{
  show_error (self, NULL);
  qoima_admin_page_reload (self);
}

static void
qoima_admin_page_dispose (GObject *object)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  /* The dialog acts for this page only. */
  if (self->user_dialog != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (self->user_dialog));
      self->user_dialog = NULL;
    }
  if (self->registration_window != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->registration_window, self);
      self->registration_window = NULL;
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_ADMIN_PAGE);

  g_clear_object (&self->users);
  g_clear_object (&self->wards);

  G_OBJECT_CLASS (qoima_admin_page_parent_class)->dispose (object);
}

static void
qoima_admin_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, qoima_admin_page_get_context (self));
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, qoima_admin_page_get_loading (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_admin_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  QoimaAdminPage *self = QOIMA_ADMIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_admin_page_class_init (QoimaAdminPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_admin_page_dispose;
  object_class->get_property = qoima_admin_page_get_property;
  object_class->set_property = qoima_admin_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/pages/qoima-admin-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, auto_withdraw_switch);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, database_entry_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, database_group);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, database_note);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, database_password_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, database_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, error_group);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, new_ward_kk_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, new_ward_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, users_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, wards_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, contract_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, contract_icon);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, contract_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, registration_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, registration_icon);
  gtk_widget_class_bind_template_child (widget_class, QoimaAdminPage, registration_row);
  gtk_widget_class_bind_template_callback (widget_class, add_ward_cb);
  gtk_widget_class_bind_template_callback (widget_class, database_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, database_password_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, auto_withdraw_state_set_cb);

  gtk_widget_class_install_action (widget_class, "admin.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "admin.add-user", NULL, add_user_action);
  gtk_widget_class_install_action (widget_class, "admin.add-ward", NULL, add_ward_action);
  gtk_widget_class_install_action (widget_class, "admin.register", NULL, register_action);
  gtk_widget_class_install_action (widget_class, "admin.sign-contract", NULL, sign_contract_action);
  gtk_widget_class_install_action (widget_class, "admin.rename-ward", "x", rename_ward_action);
  gtk_widget_class_install_action (widget_class, "admin.archive-ward", "x", archive_ward_action);
  gtk_widget_class_install_action (widget_class, "admin.reset-password", "s", reset_password_action);
  gtk_widget_class_install_action (widget_class, "admin.toggle-disabled", "s", toggle_disabled_action);
  gtk_widget_class_install_action (widget_class, "admin.signing", "s", signing_action);
}

static void
qoima_admin_page_init (QoimaAdminPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->users = g_list_store_new (QOIMA_TYPE_USER);
  self->wards = g_list_store_new (QOIMA_TYPE_LOCATION);

  gtk_list_box_bind_model (self->users_list, G_LIST_MODEL (self->users), create_user_row, self, NULL);
  gtk_list_box_bind_model (self->wards_list, G_LIST_MODEL (self->wards), create_ward_row, self, NULL);
}

QoimaContext *
qoima_admin_page_get_context (QoimaAdminPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ADMIN_PAGE (self), NULL);

  return self->context;
}

/* The workstation's database */

/* The server whose password the page saves: the one set for the next start, else the one in
 * use; NULL when neither is a PostgreSQL server (a file needs no password). */
static char *
password_location (QoimaAdminPage *self)
{
  g_autofree char *configured = g_settings_get_string (qoima_context_get_settings (self->context), "database-uri");
  const char *current = qoima_store_get_path (qoima_context_get_store (self->context));

  if (qoima_db_location_is_postgresql (configured))
    return g_steal_pointer (&configured);
  if (qoima_db_location_is_postgresql (current))
    return g_strdup (current);
  return NULL;
}

static void
show_password_row (QoimaAdminPage *self)
{
  g_autofree char *location = password_location (self);
  g_autofree char *shown = location != NULL ? qoima_db_location_for_display (location) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->database_password_row), location != NULL);
  if (shown != NULL)
    {
      g_autofree char *tooltip = g_strdup_printf (_("Save the password in the keyring: Qoima gives it to %s when "
                                                    "the server asks for one. It is never kept in the settings."),
                                                  shown);

      gtk_widget_set_tooltip_text (GTK_WIDGET (self->database_password_row), tooltip);
    }
}

static void
save_password_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(QoimaAdminPage) self = user_data;
  g_autoptr(GError) local_error = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->database_password_row), TRUE);
  if (!qoima_db_save_password_finish (result, &local_error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->database_note), "error");
      gtk_label_set_text (self->database_note, local_error->message);
    }
  else
    {
      gtk_label_set_text (self->database_note, _("The password is saved in this computer’s keyring."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->database_note), TRUE);
}

static void
database_password_apply_cb (QoimaAdminPage *self)
{
  g_autofree char *location = password_location (self);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->database_password_row));

  if (location == NULL)
    return;
  gtk_widget_remove_css_class (GTK_WIDGET (self->database_note), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->database_note), FALSE);
  /* Until the keyring answers: one save at a time. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->database_password_row), FALSE);
  /* Not the page's loads' cancellable: a reload must not drop the password half-saved. */
  qoima_db_save_password_async (location, password, NULL, save_password_cb, g_object_ref (self));
  gtk_editable_set_text (GTK_EDITABLE (self->database_password_row), "");
}

static void
show_database (QoimaAdminPage *self)
{
  GSettings *settings = qoima_context_get_settings (self->context);
  const char *location = qoima_store_get_path (qoima_context_get_store (self->context));
  g_autofree char *shown = qoima_db_location_for_display (location);
  g_autofree char *subtitle = NULL;

  subtitle = qoima_db_location_is_postgresql (location)
             ? g_strdup_printf (_("%s — a PostgreSQL server shared by the workstations"), shown)
             : g_strdup_printf (_("%s — a file on this computer"), shown);
  adw_action_row_set_subtitle (self->database_row, subtitle);
  show_password_row (self);

  /* IT may lock the key for the whole hospital (dconf): then it is only shown. */
  if (!g_settings_is_writable (settings, "database-uri"))
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->database_entry_row), FALSE);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->database_entry_row),
                                   _("Your IT department has set this workstation’s database."));
    }
}

static void
database_apply_cb (QoimaAdminPage *self)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *location = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->database_entry_row))));
  GSettings *settings = qoima_context_get_settings (self->context);

  gtk_widget_set_visible (GTK_WIDGET (self->database_note), TRUE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->database_note), "error");
  if (!qoima_db_location_check (location, &local_error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->database_note), "error");
      gtk_label_set_text (self->database_note, local_error->message);
      return;
    }
  if (!g_settings_set_string (settings, "database-uri", location))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->database_note), "error");
      gtk_label_set_text (self->database_note, _("Your IT department has set this workstation’s database."));
      return;
    }
  gtk_label_set_text (self->database_note, _("Saved. Qoima opens this database the next time it is started."));
  gtk_editable_set_text (GTK_EDITABLE (self->database_entry_row), "");
  show_password_row (self);
}

void
qoima_admin_page_start (QoimaAdminPage *self)
{
  g_return_if_fail (QOIMA_IS_ADMIN_PAGE (self));
  g_return_if_fail (self->context != NULL);

  if (self->started)
    return;

  self->started = TRUE;
  show_database (self);
  /* Another user signed in: what she may see and change is loaded again. */
  g_signal_connect_object (self->context, "notify::user", G_CALLBACK (user_changed_cb), self, G_CONNECT_SWAPPED);
  qoima_admin_page_reload (self);
}

void
qoima_admin_page_reload (QoimaAdminPage *self)
{
  QoimaStore *store;

  g_return_if_fail (QOIMA_IS_ADMIN_PAGE (self));

  if (self->context == NULL)
    return;

  /* A newer load makes the older one pointless. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->loads_pending > 0)
    {
      self->loads_pending = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }

  store = qoima_context_get_store (self->context);
  set_loading (self, TRUE);
  qoima_store_list_wards_async (store, TRUE, self->cancellable, list_wards_cb, g_object_ref (self));
  set_loading (self, TRUE);
  qoima_store_get_setting_async (store, QOIMA_SETTING_AUTO_WITHDRAW, self->cancellable, get_setting_cb, g_object_ref (self));
  load_registration (self);
}

gboolean
qoima_admin_page_get_loading (QoimaAdminPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ADMIN_PAGE (self), FALSE);

  return self->loads_pending > 0;
}

GListModel *
qoima_admin_page_get_users (QoimaAdminPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ADMIN_PAGE (self), NULL);

  return G_LIST_MODEL (self->users);
}

GListModel *
qoima_admin_page_get_wards (QoimaAdminPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ADMIN_PAGE (self), NULL);

  return G_LIST_MODEL (self->wards);
}

const char *
qoima_admin_page_get_error (QoimaAdminPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ADMIN_PAGE (self), NULL);

  return gtk_widget_get_visible (self->error_group) ? gtk_label_get_text (self->error_label) : NULL;
}

gboolean
qoima_admin_page_get_registration_offered (QoimaAdminPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ADMIN_PAGE (self), FALSE);

  return self->registration_offered;
}

gboolean
qoima_admin_page_get_contract_offered (QoimaAdminPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ADMIN_PAGE (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->contract_row)) &&
         gtk_widget_get_visible (GTK_WIDGET (self->contract_button));
}

const char *
qoima_admin_page_get_contract_status (QoimaAdminPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ADMIN_PAGE (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->contract_row)) ? adw_action_row_get_subtitle (self->contract_row) : NULL;
}

QoimaUserDialog *
qoima_admin_page_get_user_dialog (QoimaAdminPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ADMIN_PAGE (self), NULL);

  return self->user_dialog;
}
