/* test-admin-page.c: the Administration page driven through its widgets
 *
 * An admin adds a ward and a nurse of that ward through the page and its Add User dialog,
 * and the store then lists both; turning "Send withdrawals automatically" on stores
 * "true"; the core's refusals (a ward with a nurse archived, a clerk at the switch) are
 * shown in the page. A screenshot is saved for review.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <sqlite3.h>
#include <string.h>

#include "qoima-admin-page.h"
#include "qoima-context.h"
#include "qoima-registration-window.h"
#include "qoima-store-registration.h"
#include "qoima-location.h"
#include "qoima-store-settings.h"
#include "qoima-store-users.h"
#include "qoima-ui-test-utils.h"
#include "qoima-user-dialog.h"
#include "qoima-user.h"
#include "qoima-store-wards.h"

#define ADMIN_PASSWORD "admin-password-1"
#define WARD_NAME "Кардиология"

static char *tmp_dir;
static QoimaStore *store;
static GSettings *settings;

static GObject *
child (gpointer     widget,
       GType        type,
       const char  *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return object;
}

static gboolean
page_is_loaded (gpointer data)
{
  return !qoima_admin_page_get_loading (data) &&
         g_list_model_get_n_items (qoima_admin_page_get_users (data)) > 0;
}

static gboolean
page_has_error (gpointer data)
{
  return qoima_admin_page_get_error (data) != NULL;
}

typedef struct {
  GListModel *model;
  const char *name;
} FindWait;

/* The item of @model named @name (a user's name, a ward's Russian name), or NULL. */
static GObject *
find_named (GListModel *model,
            const char *name)
{
  for (unsigned i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      const char *item_name = QOIMA_IS_USER (item) ? qoima_user_get_name (QOIMA_USER (item))
                                                   : qoima_location_get_name_ru (QOIMA_LOCATION (item));

      if (g_strcmp0 (item_name, name) == 0)
        return item;
    }
  return NULL;
}

static gboolean
model_has_name (gpointer data)
{
  FindWait *wait = data;

  return find_named (wait->model, wait->name) != NULL;
}

static void
wait_for_name (GListModel *model,
               const char *name)
{
  FindWait wait = { model, name };

  qoima_test_wait_until (model_has_name, &wait, 30);
}

static gboolean
switch_is_on (gpointer data)
{
  return gtk_switch_get_state (data);
}

static gboolean
dialog_is_gone (gpointer data)
{
  QoimaUserDialog *dialog = qoima_admin_page_get_user_dialog (data);

  /* A refusal would leave the dialog open: fail with its message rather than wait. */
  if (dialog != NULL)
    g_assert_null (qoima_user_dialog_get_error (dialog));
  return dialog == NULL;
}

static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
dialog_has_error (gpointer data)
{
  return qoima_user_dialog_get_error (data) != NULL;
}

/* The message dialog the page opened (rename, new password): the only one on screen. */
static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *found = NULL;
  unsigned n_found = 0;

  for (unsigned i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          found = ADW_MESSAGE_DIALOG (window);
          n_found++;
        }
    }
  g_assert_cmpuint (n_found, ==, 1);
  return found;
}

/* Fills the dialog's two entry rows and answers @response, as a click on its button
 * does (which also closes the dialog; the response alone does not). */
static void
answer_message_dialog (const char *first,
                       const char *second,
                       const char *response)
{
  AdwMessageDialog *dialog = find_message_dialog ();
  GtkListBox *list = GTK_LIST_BOX (adw_message_dialog_get_extra_child (dialog));

  gtk_editable_set_text (GTK_EDITABLE (gtk_list_box_get_row_at_index (list, 0)), first);
  gtk_editable_set_text (GTK_EDITABLE (gtk_list_box_get_row_at_index (list, 1)), second);
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
}

static gboolean
can_authenticate (gpointer data)
{
  const char **name_secret = data;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(QoimaUser) user = NULL;

  qoima_store_authenticate_async (store, name_secret[0], name_secret[1], NULL, qoima_test_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  user = qoima_store_authenticate_finish (store, result, NULL);
  return user != NULL;
}

static gboolean
user_is_disabled (gpointer data)
{
  g_autoptr(QoimaUser) user = qoima_test_find_user (store, data);

  return user != NULL && qoima_user_get_disabled (user);
}

static gboolean
user_is_enabled (gpointer data)
{
  return !user_is_disabled (data);
}

/* The reason of the newest audit row of the users table. */
static char *
last_user_audit_reason (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "qoima.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *reason = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT reason FROM audit WHERE tbl = 'users' ORDER BY id DESC LIMIT 1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    reason = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return reason;
}

static gboolean
clerk_may_sign (gpointer data)
{
  g_autoptr(QoimaUser) user = qoima_test_find_user (store, data);

  return qoima_user_get_may_sign (user) && g_strcmp0 (qoima_user_get_iin (user), "850715400238") == 0;
}

static QoimaUser *
add_user (QoimaUser   *acting,
          const char  *name,
          QoimaRole    role,
          const char  *secret)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_add_user_async (store, acting, name, NULL, role, 0, secret, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  user = qoima_store_add_user_finish (store, result, &error);
  g_assert_no_error (error);
  return user;
}

static char *
stored_setting (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *value;

  qoima_store_get_setting_async (store, QOIMA_SETTING_AUTO_WITHDRAW, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  value = qoima_store_get_setting_finish (store, result, &error);
  g_assert_no_error (error);
  return value;
}

static void
test_admin_adds_ward_and_nurse (void)
{
  g_autoptr(QoimaUser) admin = add_user (NULL, "admin", QOIMA_ROLE_ADMIN, ADMIN_PASSWORD);
  g_autoptr(QoimaUser) clerk = add_user (admin, "aigul", QOIMA_ROLE_CLERK, "clerk-password");
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  g_autoptr(GListModel) stored_wards = NULL;
  g_autoptr(GListModel) stored_users = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  QoimaAdminPage *page;
  QoimaUserDialog *dialog;
  GtkStringList *ward_names;
  GtkWindow *window;
  QoimaLocation *ward;
  QoimaUser *nurse;
  GtkSwitch *auto_switch;
  unsigned ward_index = G_MAXUINT;

  qoima_context_set_user (context, admin);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1000, 1400);
  page = g_object_new (QOIMA_TYPE_ADMIN_PAGE, "context", context, NULL);
  gtk_window_set_child (window, GTK_WIDGET (page));
  qoima_admin_page_start (page);
  gtk_window_present (window);
  qoima_test_wait_until (page_is_loaded, page, 30);
  g_assert_null (qoima_admin_page_get_error (page));

  /* A ward, typed into the New Ward rows and applied. */
  gtk_editable_set_text (GTK_EDITABLE (child (page, QOIMA_TYPE_ADMIN_PAGE, "new_ward_row")), WARD_NAME);
  gtk_editable_set_text (GTK_EDITABLE (child (page, QOIMA_TYPE_ADMIN_PAGE, "new_ward_kk_row")), "Кардиология бөлімі");
  g_signal_emit_by_name (child (page, QOIMA_TYPE_ADMIN_PAGE, "new_ward_row"), "apply");
  wait_for_name (qoima_admin_page_get_wards (page), WARD_NAME);
  g_assert_null (qoima_admin_page_get_error (page));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (page, QOIMA_TYPE_ADMIN_PAGE, "new_ward_row"))), ==, "");

  qoima_store_list_wards_async (store, FALSE, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  stored_wards = qoima_store_list_wards_finish (store, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  ward = QOIMA_LOCATION (find_named (stored_wards, WARD_NAME));
  g_assert_nonnull (ward);
  g_assert_cmpstr (qoima_location_get_name_kk (ward), ==, "Кардиология бөлімі");

  /* A nurse of that ward, through the Add User dialog. */
  gtk_widget_activate_action (GTK_WIDGET (page), "admin.add-user", NULL);
  dialog = qoima_admin_page_get_user_dialog (page);
  g_assert_nonnull (dialog);
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "name_row")), "aliya");
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "full_name_row")), "Алия Сериккызы");
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, QOIMA_TYPE_USER_DIALOG, "role_row")), 1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child (dialog, QOIMA_TYPE_USER_DIALOG, "ward_row"))));
  ward_names = GTK_STRING_LIST (child (dialog, QOIMA_TYPE_USER_DIALOG, "ward_names"));
  for (unsigned i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (ward_names)); i++)
    if (g_str_equal (gtk_string_list_get_string (ward_names, i), WARD_NAME))
      ward_index = i;
  g_assert_cmpuint (ward_index, !=, G_MAXUINT);
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, QOIMA_TYPE_USER_DIALOG, "ward_row")), ward_index);

  /* A PIN too short, then two that differ: said in the dialog, nothing sent. */
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "secret_row")), "12");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "user.add", NULL);
  g_assert_cmpstr (qoima_user_dialog_get_error (dialog), ==, qoima_user_secret_rules ());
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "secret_row")), "2580");
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "secret_again_row")), "2581");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "user.add", NULL);
  g_assert_cmpstr (qoima_user_dialog_get_error (dialog), ==, "The two passwords differ.");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  qoima_test_save_screenshot (GTK_WIDGET (dialog), "test-admin-page-user-dialog.png");

  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "secret_again_row")), "2580");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "user.add", NULL);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  qoima_test_wait_until (dialog_is_gone, page, 30);
  qoima_test_wait_until (pointer_is_null, &dialog, 5);
  wait_for_name (qoima_admin_page_get_users (page), "aliya");

  qoima_store_list_users_async (store, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  stored_users = qoima_store_list_users_finish (store, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  nurse = QOIMA_USER (find_named (stored_users, "aliya"));
  g_assert_nonnull (nurse);
  g_assert_cmpint (qoima_user_get_role (nurse), ==, QOIMA_ROLE_NURSE);
  g_assert_cmpint (qoima_user_get_ward_id (nurse), ==, qoima_location_get_id (ward));
  g_assert_cmpstr (qoima_user_get_full_name (nurse), ==, "Алия Сериккызы");

  /* A clerk who signs (issue 8): her IIN, checked by its check digit, and the delegation,
   * both through the Add User dialog. */
  gtk_widget_activate_action (GTK_WIDGET (page), "admin.add-user", NULL);
  dialog = qoima_admin_page_get_user_dialog (page);
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "name_row")), "gulnara");
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, QOIMA_TYPE_USER_DIALOG, "role_row")), 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child (dialog, QOIMA_TYPE_USER_DIALOG, "may_sign_row"))));
  gtk_switch_set_active (GTK_SWITCH (child (dialog, QOIMA_TYPE_USER_DIALOG, "may_sign_switch")), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "secret_row")), "Clerk-pass-9");
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "secret_again_row")), "Clerk-pass-9");
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "iin_row")), "900312450127");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "user.add", NULL);
  g_assert_nonnull (strstr (qoima_user_dialog_get_error (dialog), "check digit"));
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "iin_row")), "900312450126");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  qoima_test_save_screenshot (GTK_WIDGET (dialog), "test-admin-page-signer-dialog.png");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "user.add", NULL);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  qoima_test_wait_until (dialog_is_gone, page, 30);
  qoima_test_wait_until (pointer_is_null, &dialog, 5);
  wait_for_name (qoima_admin_page_get_users (page), "gulnara");
  {
    g_autoptr(QoimaUser) gulnara = qoima_test_find_user (store, "gulnara");

    g_assert_cmpstr (qoima_user_get_iin (gulnara), ==, "900312450126");
    g_assert_true (qoima_user_get_may_sign (gulnara));
  }

  /* The row's Signing dialog: the other clerk gets an IIN and the delegation. */
  {
    AdwMessageDialog *signing;
    GtkListBox *list;
    GtkWidget *toggle;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "admin.signing", "s", "aigul"));
    signing = find_message_dialog ();
    list = GTK_LIST_BOX (adw_message_dialog_get_extra_child (signing));
    gtk_editable_set_text (GTK_EDITABLE (gtk_list_box_get_row_at_index (list, 0)), "850715400238");
    toggle = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (gtk_list_box_get_row_at_index (list, 1)));
    gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
    adw_message_dialog_response (signing, "apply");
    gtk_window_close (GTK_WINDOW (signing));
    qoima_test_wait_until (clerk_may_sign, (gpointer) "aigul", 30);
    qoima_test_wait_until (page_is_loaded, page, 30);
    g_assert_null (qoima_admin_page_get_error (page));
  }

  /* The ward now has a nurse: the core refuses to archive it, and the page says why. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "admin.archive-ward", "x", qoima_location_get_id (ward)));
  qoima_test_wait_until (page_has_error, page, 30);
  g_assert_nonnull (strstr (qoima_admin_page_get_error (page), "still has 1 nurse"));
  qoima_test_wait_until (page_is_loaded, page, 30);

  /* Automatic withdrawals on: the store holds "true". */
  auto_switch = GTK_SWITCH (child (page, QOIMA_TYPE_ADMIN_PAGE, "auto_withdraw_switch"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (auto_switch)));
  g_assert_false (gtk_switch_get_active (auto_switch));
  gtk_switch_set_active (auto_switch, TRUE);
  qoima_test_wait_until (switch_is_on, auto_switch, 30);
  value = stored_setting ();
  g_assert_cmpstr (value, ==, "true");
  g_assert_null (qoima_admin_page_get_error (page));


  /* The clerk's password reset by the admin through the row's dialog; a ward renamed. */
  {
    const char *clerk_new[] = { "aigul", "new-clerk-password" };

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "admin.reset-password", "s", "aigul"));
    answer_message_dialog ("new-clerk-password", "new-clerk-password", "apply");
    qoima_test_wait_until (can_authenticate, clerk_new, 30);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "admin.rename-ward", "x", qoima_location_get_id (ward)));
  answer_message_dialog ("Кардиологическое отделение", "", "apply");
  wait_for_name (qoima_admin_page_get_wards (page), "Кардиологическое отделение");
  g_assert_null (qoima_admin_page_get_error (page));
  qoima_test_wait_until (page_is_loaded, page, 30);

  /* Disabling asks first, and for a reason, which the audit row keeps; enabling does not ask. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "admin.toggle-disabled", "s", "aigul"));
  {
    AdwMessageDialog *confirm = find_message_dialog ();
    GtkListBox *list = GTK_LIST_BOX (adw_message_dialog_get_extra_child (confirm));
    GtkEditable *reason = GTK_EDITABLE (gtk_list_box_get_row_at_index (list, 0));
    g_autoptr(QoimaUser) user = qoima_test_find_user (store, "aigul");
    g_autofree char *audited = NULL;

    g_assert_false (qoima_user_get_disabled (user));
    g_assert_false (adw_message_dialog_get_response_enabled (confirm, "disable"));
    gtk_editable_set_text (reason, "   ");
    g_assert_false (adw_message_dialog_get_response_enabled (confirm, "disable"));
    gtk_editable_set_text (reason, "left the hospital");
    g_assert_true (adw_message_dialog_get_response_enabled (confirm, "disable"));
    gtk_test_widget_wait_for_draw (GTK_WIDGET (confirm));
    qoima_test_save_screenshot (GTK_WIDGET (confirm), "test-admin-disable.png");
    adw_message_dialog_response (confirm, "disable");
    gtk_window_close (GTK_WINDOW (confirm));
    qoima_test_wait_until (user_is_disabled, (gpointer) "aigul", 30);
    audited = last_user_audit_reason ();
    g_assert_cmpstr (audited, ==, "user disabled: left the hospital");
  }
  qoima_test_wait_until (page_is_loaded, page, 30);
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "Disabled"));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-admin-disabled-row.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "admin.toggle-disabled", "s", "aigul"));
  qoima_test_wait_until (user_is_enabled, (gpointer) "aigul", 30);
  qoima_test_wait_until (page_is_loaded, page, 30);

  /* A clerk at the same page: the core refuses, the switch goes back, the page says why. */
  qoima_context_set_user (context, clerk);
  qoima_test_wait_until (page_is_loaded, page, 30);
  g_assert_true (gtk_switch_get_state (auto_switch));
  gtk_switch_set_active (auto_switch, FALSE);
  qoima_test_wait_until (page_has_error, page, 30);
  g_assert_cmpstr (qoima_admin_page_get_error (page), ==, "A clerk may not manage users.");
  g_assert_true (gtk_switch_get_active (auto_switch));
  g_clear_pointer (&value, g_free);
  value = stored_setting ();
  g_assert_cmpstr (value, ==, "true");

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-admin-page.png");

  gtk_window_destroy (window);
}

static void
test_dialog_error_from_core (void)
{
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  QoimaUserDialog *dialog;

  /* Nobody signed in: the form is fine, the core refuses, and the dialog shows it. */
  dialog = g_object_ref_sink (qoima_user_dialog_new (context, NULL));
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "name_row")), "intruder");
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "secret_row")), "long enough password");
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, QOIMA_TYPE_USER_DIALOG, "secret_again_row")), "long enough password");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "user.add", NULL);
  qoima_test_wait_until (dialog_has_error, dialog, 30);
  g_assert_cmpstr (qoima_user_dialog_get_error (dialog), ==, "Log in first: only a named user may manage users.");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

static gboolean
registration_offered (gpointer data)
{
  return qoima_admin_page_get_registration_offered (data);
}

static gboolean
registration_not_offered (gpointer data)
{
  return !qoima_admin_page_get_registration_offered (data);
}

static QoimaAdminPage *
open_page (QoimaContext *context,
           GtkWindow   **out_window)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  QoimaAdminPage *page = g_object_new (QOIMA_TYPE_ADMIN_PAGE, "context", context, NULL);

  gtk_window_set_default_size (window, 800, 600);
  gtk_window_set_child (window, GTK_WIDGET (page));
  qoima_admin_page_start (page);
  gtk_window_present (window);
  qoima_test_wait_until (page_is_loaded, page, 30);
  *out_window = window;
  return page;
}

/* Issue 12: on a database with no registration confirmed, the administrator is offered the
 * wizard (never opened for her); a clerk is not; once confirmed, nobody is, and the unsigned
 * connection contract is offered instead (R000-2). */
static void
test_registration_offered (void)
{
  g_autoptr(QoimaUser) admin = qoima_test_find_user (store, "admin");
  g_autoptr(QoimaUser) clerk = qoima_test_find_user (store, "aigul");
  g_autoptr(QoimaContext) admin_context = qoima_context_new (store, settings);
  g_autoptr(QoimaContext) clerk_context = qoima_context_new (store, settings);
  g_autoptr(QoimaRegistration) registration = qoima_registration_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaAdminPage *page;
  QoimaAdminPage *clerk_page;
  GtkWindow *window;
  GtkWindow *clerk_window;

  qoima_context_set_user (admin_context, admin);
  qoima_context_set_user (clerk_context, clerk);
  page = open_page (admin_context, &window);
  qoima_test_wait_until (registration_offered, page, 30);
  g_assert_null (qoima_test_find_window (QOIMA_TYPE_REGISTRATION_WINDOW));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "admin-page-registration-offered.png");

  clerk_page = open_page (clerk_context, &clerk_window);
  g_assert_false (qoima_admin_page_get_registration_offered (clerk_page));
  gtk_window_destroy (clerk_window);

  qoima_registration_set (registration, "bin", "240340000019");
  qoima_registration_set (registration, "full-name", "ГКП \"Поликлиника №7\"");
  qoima_store_save_registration_async (store, admin, registration, "confirmed", "request-1", NULL, NULL,
                                       qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  g_assert_true (qoima_store_save_registration_finish (store, result, &error));
  g_assert_no_error (error);
  qoima_admin_page_reload (page);
  qoima_test_wait_until (registration_not_offered, page, 30);
  /* R000-2: confirmed, its connection contract not signed yet: that is offered instead. */
  g_assert_true (qoima_admin_page_get_contract_offered (page));
  g_assert_nonnull (qoima_admin_page_get_contract_status (page));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "admin-page-registered-contract-not-signed.png");
  gtk_window_destroy (window);
}

/* An administrator: the first test's, or a first one made here when this test runs alone. */
static QoimaUser *
some_admin (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) users = NULL;
  g_autoptr(GError) error = NULL;

  qoima_store_list_users_async (store, NULL, qoima_test_result_cb, &result);
  users = qoima_store_list_users_finish (store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  for (unsigned i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(QoimaUser) user = g_list_model_get_item (users, i);

      if (qoima_user_get_role (user) == QOIMA_ROLE_ADMIN)
        return g_steal_pointer (&user);
    }
  return add_user (NULL, "admin", QOIMA_ROLE_ADMIN, ADMIN_PASSWORD);
}

static gboolean
note_is_error (gpointer data)
{
  return gtk_widget_has_css_class (GTK_WIDGET (data), "error");
}

/* The workstation's database, seen and changed by the administrator: a password in a server
 * address is refused and never stored; a good address is kept for the next start. */
static void
test_admin_database_location (void)
{
  g_autoptr(QoimaUser) admin = some_admin ();
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  g_autofree char *stored = NULL;
  QoimaAdminPage *page;
  GtkWindow *window;
  GObject *entry;
  GObject *password;
  GtkLabel *note;

  qoima_context_set_user (context, admin);
  g_settings_set_string (settings, "database-uri", "");

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 800, 1400);
  page = g_object_new (QOIMA_TYPE_ADMIN_PAGE, "context", context, NULL);
  gtk_window_set_child (window, GTK_WIDGET (page));
  qoima_admin_page_start (page);
  gtk_window_present (window);
  qoima_test_wait_until (page_is_loaded, page, 30);

  /* What this workstation uses now: the test's file, which needs no password. */
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (page, QOIMA_TYPE_ADMIN_PAGE, "database_row"))),
                            qoima_store_get_path (store)));
  password = child (page, QOIMA_TYPE_ADMIN_PAGE, "database_password_row");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (password)));

  entry = child (page, QOIMA_TYPE_ADMIN_PAGE, "database_entry_row");
  note = GTK_LABEL (child (page, QOIMA_TYPE_ADMIN_PAGE, "database_note"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "postgresql://ward-pc-1:s3cret@db.hospital.kz/qoima");
  g_signal_emit_by_name (entry, "apply");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (note)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (note), "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (note), "pgpass"));
  stored = g_settings_get_string (settings, "database-uri");
  g_assert_cmpstr (stored, ==, "");
  g_clear_pointer (&stored, g_free);

  gtk_editable_set_text (GTK_EDITABLE (entry), "postgresql://ward-pc-1@db.hospital.kz/qoima");
  g_signal_emit_by_name (entry, "apply");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (note), "error"));
  stored = g_settings_get_string (settings, "database-uri");
  g_assert_cmpstr (stored, ==, "postgresql://ward-pc-1@db.hospital.kz/qoima");

  /* A server for the next start: its login's password may be saved in the keyring, and an
   * empty one is refused without touching it. (Saving for real: test-db-secret.) */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (password)));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (password)), "db.hospital.kz"));
  g_signal_emit_by_name (password, "apply");
  qoima_test_wait_until (note_is_error, note, 30);
  g_assert_nonnull (strstr (gtk_label_get_text (note), "empty"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (password)));
  stored = g_settings_get_string (settings, "database-uri");
  g_assert_null (strstr (stored, "password"));
  g_clear_pointer (&stored, g_free);

  /* Focus scrolls the page down to the group, for the screenshot. */
  gtk_widget_grab_focus (GTK_WIDGET (entry));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-admin-page-database.png");
  gtk_widget_grab_focus (GTK_WIDGET (password));
  for (int i = 0; i < 10; i++)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-admin-page-database-password.png");

  g_settings_reset (settings, "database-uri");
  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *db_path = NULL;
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  qoima_test_prepare_display ();

  tmp_dir = qoima_test_make_tmp_dir ();
  db_path = g_build_filename (tmp_dir, "qoima.db", NULL);
  store = qoima_test_open_demo_store (db_path, 40);
  settings = g_settings_new (BASE_APP_ID);

  g_test_add_func ("/ui/admin-page/ward-and-nurse", test_admin_adds_ward_and_nurse);
  g_test_add_func ("/ui/admin-page/dialog-error-from-core", test_dialog_error_from_core);
  g_test_add_func ("/ui/admin-page/registration-offered-on-first-start", test_registration_offered);
  g_test_add_func ("/ui/admin-page/database-location", test_admin_database_location);

  ret = g_test_run ();

  g_clear_object (&settings);
  qoima_store_close (store);
  g_clear_object (&store);
  qoima_test_remove_tree (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
  return ret;
}
