/* test-registration-window.c: the registration wizard (issue 12) walked under Xvfb against the
 * project's stand: the requirements checked, the AUTH key opened (a wrong password first),
 * inline messages, Next explaining what is missing, the product groups' confirmation, the
 * pickers, a bad IBAN, the draft resumed in a new window, signed and sent, followed after a
 * restart until confirmed, the hospital's settings stored, the НКТ key checked, the first
 * sync; a screenshot of every step (G_TEST_BUILDDIR)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "qoima-admin-page.h"
#include "qoima-i18n.h"
#include "qoima-ismpt-client.h"
#include "qoima-key-dialog.h"
#include "qoima-registration-window.h"
#include "qoima-sign-dialog.h"
#include "qoima-store-registration.h"
#include "qoima-store-settings.h"
#include "qoima-store-users.h"
#include "qoima-sync.h"
#include "qoima-ui-test-utils.h"

static QoimaStore *store;
static GSettings *settings;
static char *tmp_dir;
static QoimaTestStand stand;
/* The request the first test had confirmed, for the second to send again. */
static char *confirmed_json;

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_is_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static gboolean
window_saved (gpointer data)
{
  return qoima_registration_window_get_saved (data);
}

static gboolean
at_step (gpointer data)
{
  QoimaRegistrationWindow *window = ((gpointer *) data)[0];

  return qoima_registration_window_get_step (window) == GPOINTER_TO_INT (((gpointer *) data)[1]);
}

static void
wait_step (QoimaRegistrationWindow *window,
           QoimaRegistrationStep    step)
{
  gpointer data[2] = { window, GINT_TO_POINTER (step) };

  qoima_test_wait_until (at_step, data, 30);
}

static void
next (QoimaRegistrationWindow *window)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "registration.next", NULL);
}

static void
shoot_named (QoimaRegistrationWindow *window,
             const char              *name)
{
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), name);
}

static void
shoot (QoimaRegistrationWindow *window)
{
  g_autofree char *name = g_strdup_printf ("registration-step-%d.png", qoima_registration_window_get_step (window) + 1);

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), name);
}

/* A locality to type: the first leaf's name, and its code. */
static const QoimaReferenceEntry *
kato_leaf (QoimaReference *kato)
{
  for (guint i = 0; ; i++)
    if (qoima_reference_get_entry (kato, i)->n_children == 0)
      return qoima_reference_get_entry (kato, i);
}

static gboolean
check_known (gpointer data)
{
  QoimaRegistrationWindow *window = ((gpointer *) data)[0];

  return qoima_registration_window_get_check (window, ((gpointer *) data)[1], NULL) >= 0;
}

static int
wait_check (QoimaRegistrationWindow  *window,
            const char               *name,
            const char              **text)
{
  gpointer data[2] = { window, (gpointer) name };

  qoima_test_wait_until (check_known, data, 30);
  return qoima_registration_window_get_check (window, name, text);
}

static gboolean
key_dialog_shown (gpointer data)
{
  return qoima_test_find_window (QOIMA_TYPE_KEY_DIALOG) != NULL;
}

static gboolean
key_dialog_gone (gpointer data)
{
  return qoima_test_find_window (QOIMA_TYPE_KEY_DIALOG) == NULL;
}

static gboolean
key_dialog_answered (gpointer data)
{
  return qoima_key_dialog_get_certificate (data) != NULL || qoima_key_dialog_get_error (data) != NULL;
}

static gboolean
draft_has (gpointer data)
{
  QoimaRegistrationWindow *window = ((gpointer *) data)[0];

  return qoima_registration_get (qoima_registration_window_get_draft (window), ((gpointer *) data)[1]) != NULL;
}

static gboolean
request_sent (gpointer data)
{
  const char *status = qoima_registration_window_get_request_status (data);

  return status != NULL && !g_str_equal (status, "RECEIVED") && qoima_registration_window_get_saved (data);
}

static gboolean
window_done (gpointer data)
{
  return qoima_registration_window_get_done (data) && qoima_registration_window_get_saved (data);
}

static gboolean
api_key_answered (gpointer data)
{
  const char *status = qoima_registration_window_get_api_key_status (data);

  return status != NULL && *status != '\0' && strstr (status, "…") == NULL;
}

static gboolean
sync_answered (gpointer data)
{
  const char *status = qoima_registration_window_get_sync_status (data);

  return status != NULL && *status != '\0' && strstr (status, "…") == NULL;
}

static char *
get_setting (const char *key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *value;

  qoima_store_get_setting_async (store, key, NULL, result_cb, &result);
  qoima_test_wait_until (result_is_set, &result, 30);
  value = qoima_store_get_setting_finish (store, result, &error);
  g_assert_no_error (error);
  return value;
}

/* Opens the clinic's AUTH key in the key dialog the wizard opened: first with a wrong
 * password (R003-7), then with the right one. */
static void
open_key_in_dialog (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("QOIMA_PKI_DIR"), "new-org.p12", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  QoimaKeyDialog *dialog;

  qoima_test_wait_until (key_dialog_shown, NULL, 30);
  dialog = QOIMA_KEY_DIALOG (qoima_test_find_window (QOIMA_TYPE_KEY_DIALOG));
  g_assert_cmpint (qoima_key_dialog_get_purpose (dialog), ==, QOIMA_KEY_PURPOSE_AUTH);
  qoima_key_dialog_set_file (dialog, file);
  qoima_key_dialog_set_password (dialog, "not-the-password");
  qoima_key_dialog_activate_key (dialog);
  qoima_test_wait_until (key_dialog_answered, dialog, 30);
  /* R003-7: «Неверный пароль» with the seed's advice (layout, Caps Lock, Num Lock). */
  g_assert_null (qoima_key_dialog_get_certificate (dialog));
  g_assert_nonnull (qoima_key_dialog_get_error (dialog));
  g_assert_nonnull (strstr (qoima_key_dialog_get_error (dialog), "Caps Lock"));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  qoima_test_save_screenshot (GTK_WIDGET (dialog), "registration-step-3-wrong-password.png");

  qoima_key_dialog_set_password (dialog, "Qoima-2026");
  qoima_key_dialog_activate_key (dialog);
  qoima_test_wait_until (key_dialog_answered, dialog, 30);
  g_assert_nonnull (qoima_key_dialog_get_certificate (dialog));
  qoima_key_dialog_activate_key (dialog);
  qoima_test_wait_until (key_dialog_gone, NULL, 30);
}

/* Qoima's chief, with her IIN (as an administrator sets it for signing). */
static void
add_chief (QoimaUser *admin)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) signing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) chief = NULL;

  qoima_store_add_user_async (store, admin, "chief", "Айгуль Жаксыбекова", QOIMA_ROLE_CHIEF, 0, "3333",
                              NULL, result_cb, &result);
  qoima_test_wait_until (result_is_set, &result, 30);
  chief = qoima_store_add_user_finish (store, result, &error);
  g_assert_no_error (error);
  qoima_store_set_user_signing_async (store, admin, "chief", "850715400238", FALSE, NULL, result_cb, &signing);
  qoima_test_wait_until (result_is_set, &signing, 30);
  g_assert_true (qoima_store_set_user_signing_finish (store, signing, &error));
  g_assert_no_error (error);
}

static gboolean
user_offered (gpointer data)
{
  g_auto(GStrv) offers = qoima_registration_window_get_user_offers (data);

  return offers[0] != NULL;
}

static gboolean
contract_signed (gpointer data)
{
  return qoima_registration_get (qoima_registration_window_get_draft (data), "contract-signed-at") != NULL &&
         qoima_registration_window_get_saved (data);
}

static QoimaStoredRegistration *
load_stored (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaStoredRegistration *stored;

  qoima_store_load_registration_async (store, NULL, result_cb, &result);
  qoima_test_wait_until (result_is_set, &result, 30);
  stored = qoima_store_load_registration_finish (store, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  return stored;
}

static void
test_walk_send_confirm (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autoptr(QoimaReference) kato = qoima_reference_load (QOIMA_REFERENCE_KATO, NULL);
  g_autofree char *summary = NULL;
  g_autofree char *bin = NULL;
  g_autofree char *organization = NULL;
  g_autofree char *groups = NULL;
  g_auto(GStrv) suggestions = NULL;
  g_auto(GStrv) offers = NULL;
  QoimaRegistration *draft;
  const QoimaReferenceEntry *leaf = kato_leaf (kato);
  QoimaRegistrationWindow *window;
  QoimaRegistrationWindow *resumed;
  QoimaRegistrationWindow *followed;
  QoimaSignDialog *sign_dialog;
  AdwMessageDialog *dialog;
  const char *text = NULL;
  gpointer iin_set[2];

  qoima_store_add_user_async (store, NULL, "admin", NULL, QOIMA_ROLE_ADMIN, 0, "admin-password", NULL, result_cb, &result);
  qoima_test_wait_until (result_is_set, &result, 30);
  admin = qoima_store_add_user_finish (store, result, &error);
  g_assert_no_error (error);
  add_chief (admin);
  context = qoima_context_new (store, settings);
  qoima_context_set_user (context, admin);
  /* The application connected to the stand the hospital registers on. */
  client = qoima_ismpt_client_new (stand.base_url, NULL);
  sync = qoima_sync_new (store, client);
  qoima_context_set_ismpt (context, client, sync);

  window = qoima_registration_window_new (context);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 760);
  gtk_window_present (GTK_WINDOW (window));
  shoot (window);

  /* R001-1: Next without a stand stays, says why, and shows it under the field. */
  next (window);
  g_assert_cmpint (qoima_registration_window_get_step (window), ==, QOIMA_REGISTRATION_STEP_STAND);
  g_assert_nonnull (qoima_registration_window_get_message (window, "stand"));
  qoima_registration_window_set_field (window, "stand", "custom");
  qoima_registration_window_set_field (window, "stand-url", stand.base_url);
  g_assert_null (qoima_registration_window_get_message (window, "stand"));
  next (window);

  /* R001-2, R000-5: the clock compared with the stand's; NCALayer asked; the key file chosen
   * instead, and no key yet (its fix said). */
  wait_step (window, QOIMA_REGISTRATION_STEP_REQUIREMENTS);
  g_assert_cmpint (wait_check (window, "clock", &text), ==, 1);
  wait_check (window, "ncalayer", &text);
  g_assert_nonnull (text);
  qoima_registration_window_set_field (window, "key-file", "true");
  gtk_widget_activate_action (GTK_WIDGET (window), "registration.check", NULL);
  g_assert_cmpint (wait_check (window, "ncalayer", NULL), ==, 1);
  g_assert_cmpint (wait_check (window, "key", &text), ==, 0);
  g_assert_nonnull (strstr (text, "pki.gov.kz"));
  g_assert_cmpint (wait_check (window, "clock", NULL), ==, 1);
  shoot (window);
  next (window);

  /* R001-3: the AUTH key asked, with its password (R003-7 on a wrong one); R001-4: the
   * request is filled from it. */
  wait_step (window, QOIMA_REGISTRATION_STEP_KEY);
  next (window);
  g_assert_cmpint (qoima_registration_window_get_step (window), ==, QOIMA_REGISTRATION_STEP_KEY);
  g_assert_nonnull (qoima_registration_window_get_message (window, "signer-iin"));
  gtk_widget_activate_action (GTK_WIDGET (window), "registration.choose-key", NULL);
  open_key_in_dialog ();
  iin_set[0] = window;
  iin_set[1] = (gpointer) "signer-iin";
  qoima_test_wait_until (draft_has, iin_set, 30);
  g_assert_cmpstr (qoima_registration_get (qoima_registration_window_get_draft (window), "signer-iin"), ==, "800101300706");
  g_assert_null (qoima_registration_window_get_message (window, "signer-iin"));
  shoot (window);
  next (window);

  /* R001-4: the head's phone must be a mobile one, said as it is typed. */
  wait_step (window, QOIMA_REGISTRATION_STEP_CONTACTS);
  qoima_registration_window_set_field (window, "email", "info@poliklinika7.kz");
  qoima_registration_window_set_field (window, "org-phone", "+7 7172 55 66 77");
  qoima_registration_window_set_field (window, "head-mobile", "+7 7172 55 66 77");
  g_assert_nonnull (qoima_registration_window_get_message (window, "head-mobile"));
  shoot (window);
  qoima_registration_window_set_field (window, "head-mobile", "+7 701 234 56 78");
  g_assert_null (qoima_registration_window_get_message (window, "head-mobile"));
  next (window);
  g_assert_cmpint (qoima_registration_window_get_step (window), ==, QOIMA_REGISTRATION_STEP_CONTACTS);
  g_assert_nonnull (qoima_registration_window_get_message (window, "consent"));
  qoima_registration_window_set_field (window, "consent", "true");
  next (window);

  /* R001-6: medicines preselected; Next asks for the irrevocable confirmation. */
  wait_step (window, QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS);
  shoot (window);
  next (window);
  dialog = ADW_MESSAGE_DIALOG (qoima_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpint (qoima_registration_window_get_step (window), ==, QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  qoima_test_save_screenshot (GTK_WIDGET (dialog), "registration-step-5-confirm.png");
  adw_message_dialog_response (dialog, "confirm");
  wait_step (window, QOIMA_REGISTRATION_STEP_PARTICIPANT);
  g_assert_cmpstr (qoima_registration_get (qoima_registration_window_get_draft (window), "product-groups-confirmed"), ==, "true");

  qoima_registration_window_set_field (window, "full-name", "ГКП \"Поликлиника №7\"");
  g_assert_cmpstr (qoima_registration_get (qoima_registration_window_get_draft (window), "bin"), ==, "240340000019");
  /* R001-7: the tax office chosen from the КГД directory, not typed: "620" is no office yet. */
  qoima_registration_window_set_field (window, "tax-office", "620");
  g_assert_null (qoima_registration_get (qoima_registration_window_get_draft (window), "tax-office"));
  suggestions = qoima_registration_window_get_suggestions (window, "tax-office");
  g_assert_true (g_strv_contains ((const char * const *) suggestions, "6201"));
  g_clear_pointer (&suggestions, g_strfreev);
  qoima_registration_window_choose (window, "tax-office", "6201");
  g_assert_cmpstr (qoima_registration_get (qoima_registration_window_get_draft (window), "tax-office"), ==, "6201");
  g_assert_null (qoima_registration_window_get_message (window, "tax-office"));
  qoima_registration_window_set_field (window, "head", "Сапаров Асет");
  /* R001-7: KATO type-ahead down to a leaf, the match chosen by the user, its path shown. */
  qoima_registration_window_set_field (window, "kato", leaf->name);
  suggestions = qoima_registration_window_get_suggestions (window, "kato");
  g_assert_true (g_strv_contains ((const char * const *) suggestions, leaf->code));
  g_assert_null (qoima_registration_get (qoima_registration_window_get_draft (window), "kato"));
  shoot_named (window, "registration-step-6-kato.png");
  qoima_registration_window_choose (window, "kato", leaf->code);
  g_assert_cmpstr (qoima_registration_get (qoima_registration_window_get_draft (window), "kato"), ==, leaf->code);
  g_assert_nonnull (qoima_registration_window_get_choice (window, "kato"));
  g_assert_nonnull (strstr (qoima_registration_window_get_choice (window, "kato"), leaf->name));
  qoima_registration_window_set_field (window, "address", "ул. Бабаева 12");
  qoima_registration_window_set_field (window, "participant-email", "info@poliklinika7.kz");
  qoima_registration_window_set_field (window, "participant-phone", "+77172556677");
  qoima_registration_set_list (qoima_registration_window_get_draft (window), "participant-types",
                               (const char * const[]) { "retail", NULL });
  shoot (window);
  next (window);
  /* R001-8: Qoima's users with an IIN offered (the admin has none), none added silently; one
   * click adds the chief, her name and IIN filled, her role mapped; the e-mail and phone Qoima
   * does not keep are asked under her before Next goes on. */
  wait_step (window, QOIMA_REGISTRATION_STEP_USERS);
  draft = qoima_registration_window_get_draft (window);
  qoima_test_wait_until (user_offered, window, 30);
  offers = qoima_registration_window_get_user_offers (window);
  g_assert_cmpuint (g_strv_length (offers), ==, 1);
  g_assert_cmpstr (offers[0], ==, "850715400238");
  g_assert_cmpuint (qoima_registration_get_n_users (draft), ==, 0);
  qoima_registration_window_add_user_offer (window, "850715400238");
  g_assert_cmpuint (qoima_registration_get_n_users (draft), ==, 1);
  g_assert_cmpstr (qoima_registration_get_user_field (draft, 0, "surname"), ==, "Жаксыбекова");
  g_assert_cmpstr (qoima_registration_get_user_field (draft, 0, "name"), ==, "Айгуль");
  g_assert_cmpstr (qoima_registration_get_user_field (draft, 0, "iin"), ==, "850715400238");
  g_assert_cmpstr (qoima_registration_get_user_field (draft, 0, "role"), ==, "user");
  g_clear_pointer (&offers, g_strfreev);
  offers = qoima_registration_window_get_user_offers (window);
  g_assert_cmpuint (g_strv_length (offers), ==, 0);
  g_assert_nonnull (qoima_registration_window_get_message (window, "users[0]"));
  next (window);
  g_assert_cmpint (qoima_registration_window_get_step (window), ==, QOIMA_REGISTRATION_STEP_USERS);
  qoima_registration_window_set_user_field (window, 0, "email", "a.zhaksybekova@poliklinika7.kz");
  qoima_registration_window_set_user_field (window, 0, "phone", "+7 701 765 43 21");
  g_assert_null (qoima_registration_window_get_message (window, "users[0]"));
  shoot (window);
  next (window);

  /* R001-9: the bank chosen by its name; a bad IBAN is said under it, and Next stays. */
  wait_step (window, QOIMA_REGISTRATION_STEP_BANK);
  qoima_registration_window_set_field (window, "bic", "kaspi");
  suggestions = qoima_registration_window_get_suggestions (window, "bic");
  g_assert_true (g_strv_contains ((const char * const *) suggestions, "CASPKZKA"));
  qoima_registration_window_choose (window, "bic", "CASPKZKA");
  g_assert_cmpstr (qoima_registration_get (qoima_registration_window_get_draft (window), "bic"), ==, "CASPKZKA");
  qoima_registration_window_set_field (window, "iban", "KZ72722S000000000002");
  g_assert_nonnull (qoima_registration_window_get_message (window, "iban"));
  shoot (window);
  next (window);
  g_assert_cmpint (qoima_registration_window_get_step (window), ==, QOIMA_REGISTRATION_STEP_BANK);
  qoima_registration_window_set_field (window, "iban", "KZ72722S000000000001");
  g_assert_null (qoima_registration_window_get_message (window, "iban"));
  next (window);
  wait_step (window, QOIMA_REGISTRATION_STEP_SIGN);
  qoima_test_wait_until (window_saved, window, 30);
  gtk_window_destroy (GTK_WINDOW (window));

  /* A new window (as after a restart) opens the saved draft at its step. */
  resumed = qoima_registration_window_new (context);
  gtk_window_set_default_size (GTK_WINDOW (resumed), 800, 760);
  gtk_window_present (GTK_WINDOW (resumed));
  wait_step (resumed, QOIMA_REGISTRATION_STEP_SIGN);
  g_assert_cmpstr (qoima_registration_get (qoima_registration_window_get_draft (resumed), "iban"), ==, "KZ72722S000000000001");

  /* Step 9: everything shown before signing, the key type of R001-10 named. */
  summary = qoima_registration_window_get_summary (resumed);
  g_assert_nonnull (strstr (summary, "KZ72722S000000000001"));
  g_assert_nonnull (strstr (summary, "6201 - "));
  g_assert_nonnull (strstr (summary, "GOST"));
  shoot (resumed);

  /* R001-3, R001-5: signed after the summary is confirmed, sent, followed. */
  gtk_widget_activate_action (GTK_WIDGET (resumed), "registration.send", NULL);
  qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
  sign_dialog = QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG));
  g_clear_pointer (&summary, g_free);
  summary = qoima_sign_dialog_get_summary (sign_dialog);
  g_assert_nonnull (strstr (summary, "KZ72722S000000000001"));
  g_assert_nonnull (strstr (summary, "800101300706"));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (sign_dialog));
  qoima_test_save_screenshot (GTK_WIDGET (sign_dialog), "registration-step-9-sign.png");
  qoima_sign_dialog_sign (sign_dialog);
  qoima_test_wait_until (request_sent, resumed, 30);
  g_assert_cmpstr (qoima_registration_window_get_request_status (resumed), !=, "REFUSED");
  shoot_named (resumed, "registration-step-9-sent.png");
  gtk_window_destroy (GTK_WINDOW (resumed));

  /* After a restart the sent request is followed until the stand confirms it (R001-11). */
  followed = qoima_registration_window_new (context);
  gtk_window_set_default_size (GTK_WINDOW (followed), 800, 760);
  gtk_window_present (GTK_WINDOW (followed));
  qoima_test_wait_until (window_done, followed, 60);
  g_assert_cmpstr (qoima_registration_window_get_request_status (followed), ==, "CONFIRMED");

  /* R001-11: the hospital's settings name the organization registered. */
  bin = get_setting (QOIMA_SETTING_BIN);
  organization = get_setting (QOIMA_SETTING_ORGANIZATION);
  groups = get_setting (QOIMA_SETTING_PRODUCT_GROUPS);
  g_assert_cmpstr (bin, ==, "240340000019");
  g_assert_cmpstr (organization, ==, "ГКП \"Поликлиника №7\"");
  g_assert_cmpstr (groups, ==, "pharma");

  /* R000-2: the standard contract is shown on the page after registration; the administrator
   * leaves it unsigned here (the next test signs it from the Administration page). */
  draft = qoima_registration_window_get_draft (followed);
  g_assert_null (qoima_registration_get (draft, "contract-signed-at"));
  shoot_named (followed, "registration-done-contract.png");

  /* The first sync, logged in with the new organization's AUTH key. */
  gtk_widget_activate_action (GTK_WIDGET (followed), "registration.sync", NULL);
  qoima_test_wait_until (sync_answered, followed, 60);
  g_assert_true (qoima_registration_window_get_synced (followed));
  g_assert_cmpstr (qoima_ismpt_client_get_bin (client), ==, "240340000019");
  shoot_named (followed, "registration-done.png");
  confirmed_json = qoima_registration_to_json (qoima_registration_window_get_draft (followed));
  gtk_window_destroy (GTK_WINDOW (followed));
}

/* Opens @file (of the test PKI) in the key dialog the wizard opened. */
static void
choose_key_in_dialog (const char *file)
{
  g_autofree char *path = g_build_filename (g_getenv ("QOIMA_PKI_DIR"), file, NULL);
  g_autoptr(GFile) gfile = g_file_new_for_path (path);
  QoimaKeyDialog *dialog;

  qoima_test_wait_until (key_dialog_shown, NULL, 30);
  dialog = QOIMA_KEY_DIALOG (qoima_test_find_window (QOIMA_TYPE_KEY_DIALOG));
  g_assert_cmpint (qoima_key_dialog_get_purpose (dialog), ==, QOIMA_KEY_PURPOSE_AUTH);
  qoima_key_dialog_set_file (dialog, gfile);
  qoima_key_dialog_set_password (dialog, "Qoima-2026");
  qoima_key_dialog_activate_key (dialog);
  qoima_test_wait_until (key_dialog_answered, dialog, 30);
  g_assert_nonnull (qoima_key_dialog_get_certificate (dialog));
  qoima_key_dialog_activate_key (dialog);
  qoima_test_wait_until (key_dialog_gone, NULL, 30);
}

static gboolean
admin_page_loaded (gpointer data)
{
  return !qoima_admin_page_get_loading (data) && qoima_admin_page_get_contract_status (data) != NULL;
}

static gboolean
admin_page_contract_signed (gpointer data)
{
  return !qoima_admin_page_get_contract_offered (data);
}

static gboolean
contract_status_names (gpointer data)
{
  QoimaRegistrationWindow *window = ((gpointer *) data)[0];

  return strstr (qoima_registration_window_get_contract_status (window), ((gpointer *) data)[1]) != NULL;
}

static void
shoot_admin (GtkWindow  *window,
             const char *name)
{
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), name);
}

/* R000-2: the administrator closed the wizard before signing the contract (as the first test
 * left it). The Administration page says the hospital is registered, with its request, and that
 * the contract is not signed, and offers it; its button opens the wizard on its page after
 * registration and signs as the wizard does: another person's key (the demo hospital's chief,
 * auth.p12) is refused, naming the head; the head's own AUTH key signs the text she sees; the
 * stand records the contract, and the page then reads "Signed on DATE". */
static void
test_admin_page_offers_contract (void)
{
  g_autoptr(QoimaUser) admin = qoima_test_find_user (store, "admin");
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  g_autoptr(QoimaIsmptClient) client = qoima_ismpt_client_new (stand.base_url, NULL);
  g_autoptr(QoimaSync) sync = qoima_sync_new (store, client);
  g_autoptr(QoimaStoredRegistration) stored = NULL;
  g_autoptr(GAsyncResult) status_result = NULL;
  g_autoptr(JsonNode) status_node = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%d.%m.%Y");
  g_autofree char *summary = NULL;
  g_autoptr(GError) error = NULL;
  QoimaRegistrationWindow *registration;
  QoimaSignDialog *sign_dialog;
  QoimaAdminPage *page;
  GtkWindow *window;
  gpointer refused[2];

  qoima_context_set_user (context, admin);
  qoima_context_set_ismpt (context, client, sync);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1000, 720);
  page = g_object_new (QOIMA_TYPE_ADMIN_PAGE, "context", context, NULL);
  gtk_window_set_child (window, GTK_WIDGET (page));
  qoima_admin_page_start (page);
  gtk_window_present (window);
  qoima_test_wait_until (admin_page_loaded, page, 30);

  /* Registered (nothing more to register), the contract offered. */
  g_assert_false (qoima_admin_page_get_registration_offered (page));
  g_assert_true (qoima_admin_page_get_contract_offered (page));
  g_assert_null (qoima_test_find_window (QOIMA_TYPE_REGISTRATION_WINDOW));
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "240340000019"));
  shoot_admin (window, "admin-page-contract-not-signed.png");

  /* R000-2: the session has no key of the head's: it is asked; another person's is refused. */
  gtk_widget_activate_action (GTK_WIDGET (page), "admin.sign-contract", NULL);
  choose_key_in_dialog ("auth.p12");
  registration = QOIMA_REGISTRATION_WINDOW (qoima_test_find_window (QOIMA_TYPE_REGISTRATION_WINDOW));
  g_assert_nonnull (registration);
  g_assert_true (qoima_registration_window_get_done (registration));
  refused[0] = registration;
  refused[1] = (gpointer) "800101300706";
  qoima_test_wait_until (contract_status_names, refused, 30);
  g_assert_null (qoima_context_get_auth_signer (context));
  g_assert_true (qoima_admin_page_get_contract_offered (page));
  shoot_named (registration, "registration-contract-other-key.png");

  /* Again from the page: the same window, the head's key, the contract's text signed. */
  gtk_widget_activate_action (GTK_WIDGET (page), "admin.sign-contract", NULL);
  g_assert_true (QOIMA_REGISTRATION_WINDOW (qoima_test_find_window (QOIMA_TYPE_REGISTRATION_WINDOW)) == registration);
  choose_key_in_dialog ("new-org.p12");
  qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
  sign_dialog = QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG));
  summary = qoima_sign_dialog_get_summary (sign_dialog);
  g_assert_nonnull (strstr (summary, "Типовой договор"));
  g_assert_nonnull (strstr (summary, "240340000019"));
  g_assert_nonnull (strstr (summary, QOIMA_REGISTRATION_CONTRACT_VERSION));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (sign_dialog));
  qoima_test_save_screenshot (GTK_WIDGET (sign_dialog), "registration-contract-sign.png");
  qoima_sign_dialog_sign (sign_dialog);
  qoima_test_wait_until (contract_signed, registration, 30);
  g_assert_cmpstr (qoima_registration_window_get_contract_status (registration), !=, "");
  shoot_named (registration, "registration-contract-signed.png");

  /* The page follows at once, the wizard still open; the record says it is done. */
  qoima_test_wait_until (admin_page_contract_signed, page, 30);
  g_assert_nonnull (strstr (qoima_admin_page_get_contract_status (page), today));
  stored = load_stored ();
  g_assert_nonnull (qoima_registration_get (stored->registration, "contract-signed-at"));
  g_assert_cmpstr (stored->state, ==, "confirmed");
  gtk_window_destroy (GTK_WINDOW (registration));
  shoot_admin (window, "admin-page-contract-signed.png");

  /* The stand has it. */
  qoima_ismpt_client_registration_status_async (client, stored->request_id, NULL, result_cb, &status_result);
  qoima_test_wait_until (result_is_set, &status_result, 30);
  status_node = qoima_ismpt_client_registration_status_finish (client, status_result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status_node), "contract"), ==, "SIGNED");

  /* Reopened, the page still reads it signed, and offers nothing. */
  qoima_admin_page_reload (page);
  qoima_test_wait_until (admin_page_loaded, page, 30);
  g_assert_false (qoima_admin_page_get_contract_offered (page));
  g_assert_nonnull (strstr (qoima_admin_page_get_contract_status (page), today));
  gtk_window_destroy (window);
}

static gboolean
page_after_registration (gpointer data)
{
  return qoima_registration_window_get_done (data);
}

/* R003-4: on the page after registration (reopened as after a restart), the НКТ APIKey is
 * checked against the НКТ card endpoint: a wrong one is refused and not kept, the stand's is
 * accepted and kept. */
static void
test_api_key_checked (void)
{
  g_autoptr(QoimaUser) admin = qoima_test_find_user (store, "admin");
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  g_autoptr(QoimaIsmptClient) client = qoima_ismpt_client_new (stand.base_url, NULL);
  g_autoptr(QoimaSync) sync = qoima_sync_new (store, client);
  g_autofree char *api_key = NULL;
  QoimaRegistrationWindow *followed;

  qoima_context_set_user (context, admin);
  qoima_context_set_ismpt (context, client, sync);
  followed = qoima_registration_window_new (context);
  gtk_window_set_default_size (GTK_WINDOW (followed), 800, 760);
  gtk_window_present (GTK_WINDOW (followed));
  qoima_test_wait_until (page_after_registration, followed, 60);

  qoima_registration_window_set_api_key (followed, "not-the-key");
  gtk_widget_activate_action (GTK_WIDGET (followed), "registration.check-api-key", NULL);
  qoima_test_wait_until (api_key_answered, followed, 30);
  g_assert_false (qoima_registration_window_get_api_key_ok (followed));
  api_key = g_settings_get_string (settings, "catalog-api-key");
  g_assert_cmpstr (api_key, ==, "");
  g_clear_pointer (&api_key, g_free);
  qoima_registration_window_set_api_key (followed, "qoima-stand-api-key");
  gtk_widget_activate_action (GTK_WIDGET (followed), "registration.check-api-key", NULL);
  qoima_test_wait_until (api_key_answered, followed, 30);
  g_assert_true (qoima_registration_window_get_api_key_ok (followed));
  api_key = g_settings_get_string (settings, "catalog-api-key");
  g_assert_cmpstr (api_key, ==, "qoima-stand-api-key");

  gtk_window_destroy (GTK_WINDOW (followed));
  g_settings_reset (settings, "catalog-api-key");
}

static gboolean
request_refused (gpointer data)
{
  return g_strcmp0 (qoima_registration_window_get_request_status (data), "REFUSED") == 0 &&
         qoima_registration_window_get_saved (data);
}

/* R001-5: a refusal is shown with the stand's reason, kept, and the request may be sent again. */
static void
test_refused_with_reason (void)
{
  g_autofree char *db_path = g_build_filename (tmp_dir, "second.db", NULL);
  g_autoptr(QoimaStore) second = qoima_test_open_demo_store (db_path, 0);
  g_autoptr(QoimaSigner) key = qoima_test_load_key ("new-org.p12");
  g_autoptr(QoimaRegistration) draft = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaStoredRegistration) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) saved = NULL;
  g_autoptr(GAsyncResult) loaded = NULL;
  g_autoptr(GError) error = NULL;
  QoimaRegistrationWindow *window;

  g_assert_nonnull (confirmed_json);
  qoima_store_add_user_async (second, NULL, "admin", NULL, QOIMA_ROLE_ADMIN, 0, "admin-password", NULL, result_cb, &result);
  qoima_test_wait_until (result_is_set, &result, 30);
  admin = qoima_store_add_user_finish (second, result, &error);
  g_assert_no_error (error);
  /* Another workstation's database sends the same organization again, ready to sign. */
  draft = qoima_registration_new_from_json (confirmed_json, &error);
  g_assert_no_error (error);
  qoima_registration_set_step (draft, QOIMA_REGISTRATION_STEP_SIGN);
  qoima_store_save_registration_async (second, admin, draft, "draft", NULL, NULL, NULL, result_cb, &saved);
  qoima_test_wait_until (result_is_set, &saved, 30);
  g_assert_true (qoima_store_save_registration_finish (second, saved, &error));
  context = qoima_context_new (second, settings);
  qoima_context_set_user (context, admin);
  qoima_context_set_auth_signer (context, key);

  window = qoima_registration_window_new (context);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 760);
  gtk_window_present (GTK_WINDOW (window));
  wait_step (window, QOIMA_REGISTRATION_STEP_SIGN);
  gtk_widget_activate_action (GTK_WIDGET (window), "registration.send", NULL);
  qoima_test_wait_until (qoima_test_sign_dialog_shown, NULL, 30);
  qoima_sign_dialog_sign (QOIMA_SIGN_DIALOG (qoima_test_find_window (QOIMA_TYPE_SIGN_DIALOG)));
  qoima_test_wait_until (request_refused, window, 30);
  shoot_named (window, "registration-step-9-refused.png");
  gtk_window_destroy (GTK_WINDOW (window));

  /* The stand's reason is kept with the request, and shown again on reopening. */
  qoima_store_load_registration_async (second, NULL, result_cb, &loaded);
  qoima_test_wait_until (result_is_set, &loaded, 30);
  stored = qoima_store_load_registration_finish (second, loaded, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->state, ==, "refused");
  g_assert_nonnull (stored->reason);
  g_assert_nonnull (strstr (stored->reason, "240340000019"));
  qoima_store_close (second);
}

/* ---- NCALayer as seen on its WebSocket (as in test-ncalayer.c): it greets, echoes heartbeats
 * and answers kz.gov.pki.knca.basics' sign with the key its user chose in its own window,
 * which here is the key the test says. ---- */

typedef struct {
  SoupServer *server;
  char *url;
  QoimaSigner *chosen;   /* the key "chosen in NCALayer's window" */
  char *last_oid;        /* the key filter Qoima asked with */
  guint requests;
} FakeNcalayer;

typedef struct {
  SoupWebsocketConnection *connection;
} NcalayerSign;

static void
ncalayer_signed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SoupWebsocketConnection) connection = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = qoima_signer_sign_finish (QOIMA_SIGNER (source), result, &error);
  g_autofree char *b64 = NULL;
  g_autofree char *reply = NULL;

  g_assert_no_error (error);
  b64 = g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  reply = g_strdup_printf ("{\"status\":true,\"body\":{\"result\":\"%s\"}}", b64);
  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (connection, reply);
}

static void
ncalayer_message (SoupWebsocketConnection *connection,
                  int                      type,
                  GBytes                  *message,
                  gpointer                 user_data)
{
  FakeNcalayer *peer = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guchar *data = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize size;
  const char *text = g_bytes_get_data (message, &size);
  JsonObject *args;
  JsonObject *signing;

  if (size == strlen ("--heartbeat--") && memcmp (text, "--heartbeat--", size) == 0)
    {
      soup_websocket_connection_send_text (connection, "--heartbeat--");
      return;
    }
  json_parser_load_from_data (parser, text, size, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "module"), ==,
                   "kz.gov.pki.knca.basics");
  args = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "args");
  signing = json_object_get_object_member (args, "signingParams");
  g_free (peer->last_oid);
  peer->last_oid = g_strdup (json_array_get_string_element (
    json_object_get_array_member (json_object_get_object_member (args, "signerParams"), "extKeyUsageOids"), 0));
  peer->requests++;
  data = g_base64_decode (json_object_get_string_member (args, "data"), &size);
  bytes = g_bytes_new (data, size);
  qoima_signer_sign_async (peer->chosen, bytes,
                           json_object_get_boolean_member (signing, "encapsulate") ? QOIMA_SIGN_ATTACHED : QOIMA_SIGN_DETACHED,
                           QOIMA_KEY_PURPOSE_AUTH, NULL, ncalayer_signed, g_object_ref (connection));
}

static void
ncalayer_connected (SoupServer              *server,
                    SoupServerMessage       *message,
                    const char              *path,
                    SoupWebsocketConnection *connection,
                    gpointer                 user_data)
{
  g_object_set_data_full (G_OBJECT (server), "connection", g_object_ref (connection), g_object_unref);
  g_signal_connect (connection, "message", G_CALLBACK (ncalayer_message), user_data);
  soup_websocket_connection_send_text (connection, "{\"result\":{\"version\":\"1.4.0-test\"}}");
}

static gboolean
draft_iin_is (gpointer data)
{
  QoimaRegistrationWindow *window = ((gpointer *) data)[0];

  return g_strcmp0 (qoima_registration_get (qoima_registration_window_get_draft (window), "signer-iin"),
                    ((gpointer *) data)[1]) == 0;
}

/* The Key step with NCALayer chosen (R001-3, R000-5): NCALayer answers on its socket, lists its
 * keys in its own window (asked for AUTH keys only), and the key its user chose is the one the
 * request is filled from; choosing again takes the new choice. */
static void
test_ncalayer_key_chosen (void)
{
  g_autofree char *db_path = g_build_filename (tmp_dir, "ncalayer.db", NULL);
  g_autoptr(QoimaStore) third = qoima_test_open_demo_store (db_path, 0);
  g_autoptr(QoimaSigner) head = qoima_test_load_key ("new-org.p12");
  g_autoptr(QoimaSigner) other = qoima_test_load_key ("other-org.p12");
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  FakeNcalayer peer = { NULL };
  QoimaRegistrationWindow *window;
  const char *text = NULL;
  gpointer iin[2];
  GSList *uris;

  peer.server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (peer.server, "/", NULL, NULL, ncalayer_connected, &peer, NULL);
  soup_server_listen_local (peer.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (peer.server);
  peer.url = g_strdup_printf ("ws://127.0.0.1:%d/", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  qoima_store_add_user_async (third, NULL, "admin", NULL, QOIMA_ROLE_ADMIN, 0, "admin-password", NULL, result_cb, &result);
  qoima_test_wait_until (result_is_set, &result, 30);
  admin = qoima_store_add_user_finish (third, result, &error);
  g_assert_no_error (error);
  context = qoima_context_new (third, settings);
  qoima_context_set_user (context, admin);

  window = qoima_registration_window_new (context);
  qoima_registration_window_set_ncalayer_url (window, peer.url);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 760);
  gtk_window_present (GTK_WINDOW (window));
  qoima_registration_window_set_field (window, "stand", "custom");
  qoima_registration_window_set_field (window, "stand-url", stand.base_url);
  next (window);
  wait_step (window, QOIMA_REGISTRATION_STEP_REQUIREMENTS);
  /* NCALayer (not the key file) answering; its keys are shown by NCALayer at the next step. */
  g_assert_cmpint (wait_check (window, "ncalayer", NULL), ==, 1);
  g_assert_cmpint (wait_check (window, "key", &text), ==, 1);
  g_assert_nonnull (strstr (text, "NCALayer"));
  next (window);
  wait_step (window, QOIMA_REGISTRATION_STEP_KEY);

  peer.chosen = head;
  gtk_widget_activate_action (GTK_WIDGET (window), "registration.choose-key", NULL);
  iin[0] = window;
  iin[1] = (gpointer) "800101300706";
  qoima_test_wait_until (draft_iin_is, iin, 30);
  /* R001-3: NCALayer was asked for AUTH keys (clientAuth) only. */
  g_assert_cmpstr (peer.last_oid, ==, "1.3.6.1.5.5.7.3.2");
  g_assert_cmpstr (qoima_registration_get (qoima_registration_window_get_draft (window), "company"), ==,
                   "ГКП \"Поликлиника №7\"");
  g_assert_cmpstr (qoima_certificate_get_iin (qoima_signer_get_certificate (qoima_context_get_auth_signer (context))), ==,
                   "800101300706");
  shoot_named (window, "registration-step-3-ncalayer.png");

  /* Another key chosen in NCALayer's window: the request follows it. */
  peer.chosen = other;
  gtk_widget_activate_action (GTK_WIDGET (window), "registration.choose-key", NULL);
  iin[1] = (gpointer) "780302300121";
  qoima_test_wait_until (draft_iin_is, iin, 30);
  g_assert_cmpuint (peer.requests, ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
  soup_server_disconnect (peer.server);
  g_clear_object (&peer.server);
  g_free (peer.url);
  g_free (peer.last_oid);
  qoima_store_close (third);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *db_path = NULL;
  g_autofree char *stand_db = NULL;
  int ret;

  /* The screenshots are looked at in Russian unless LANGUAGE names another language (kk); the
   * new strings show English until translated. */
  g_setenv ("LANGUAGE", "ru", FALSE);
  qoima_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();

  tmp_dir = qoima_test_make_tmp_dir ();
  db_path = g_build_filename (tmp_dir, "qoima.db", NULL);
  store = qoima_test_open_demo_store (db_path, 10);
  settings = g_settings_new (BASE_APP_ID);

  g_test_add_func ("/ui/registration/walk-send-confirm", test_walk_send_confirm);
  g_test_add_func ("/rules/R000-2/admin-page-offers-the-unsigned-contract", test_admin_page_offers_contract);
  g_test_add_func ("/ui/registration/refused-with-reason", test_refused_with_reason);
  g_test_add_func ("/rules/R003-4/api-key-checked-against-the-catalog", test_api_key_checked);
  g_test_add_func ("/ui/registration/ncalayer-key-chosen", test_ncalayer_key_chosen);
  stand_db = g_build_filename (tmp_dir, "stand.db", NULL);
  qoima_test_stand_start (&stand, stand_db);
  ret = g_test_run ();
  qoima_test_stand_stop (&stand);
  g_clear_pointer (&confirmed_json, g_free);

  g_clear_object (&settings);
  qoima_store_close (store);
  g_clear_object (&store);
  qoima_test_remove_tree (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
  return ret;
}
