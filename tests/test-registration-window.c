/* test-registration-window.c: the registration wizard (issue 12) walked under Xvfb: inline
 * messages, Next explaining what is missing, the product groups' confirmation, a bad IBAN, the
 * draft resumed in a new window; a screenshot of every step (G_TEST_BUILDDIR)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-i18n.h"
#include "qoima-registration-window.h"
#include "qoima-ui-test-utils.h"

static QoimaStore *store;
static GSettings *settings;
static char *tmp_dir;

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
shoot (QoimaRegistrationWindow *window)
{
  g_autofree char *name = g_strdup_printf ("registration-step-%d.png", qoima_registration_window_get_step (window) + 1);

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), name);
}

static const char *
kato_leaf_name (void)
{
  g_autoptr(QoimaReference) kato = qoima_reference_load (QOIMA_REFERENCE_KATO, NULL);
  static char name[256];

  for (guint i = 0; ; i++)
    if (qoima_reference_get_entry (kato, i)->n_children == 0)
      {
        g_strlcpy (name, qoima_reference_get_entry (kato, i)->code, sizeof name);
        return name;
      }
}

static void
test_walk_and_resume (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaSigner) key = qoima_test_load_key ("new-org.p12");
  QoimaRegistrationWindow *window;
  QoimaRegistrationWindow *resumed;
  AdwMessageDialog *dialog;

  qoima_store_add_user_async (store, NULL, "admin", NULL, QOIMA_ROLE_ADMIN, 0, "admin-password", NULL, result_cb, &result);
  qoima_test_wait_until (result_is_set, &result, 30);
  admin = qoima_store_add_user_finish (store, result, &error);
  g_assert_no_error (error);
  context = qoima_context_new (store, settings);
  qoima_context_set_user (context, admin);
  qoima_context_set_auth_signer (context, key);

  window = qoima_registration_window_new (context);
  gtk_window_present (GTK_WINDOW (window));
  shoot (window);

  /* R001-1: Next without a stand stays, says why, and shows it under the field. */
  next (window);
  g_assert_cmpint (qoima_registration_window_get_step (window), ==, QOIMA_REGISTRATION_STEP_STAND);
  g_assert_nonnull (qoima_registration_window_get_message (window, "stand"));
  qoima_registration_window_set_field (window, "stand", "test");
  g_assert_null (qoima_registration_window_get_message (window, "stand"));
  next (window);
  wait_step (window, QOIMA_REGISTRATION_STEP_REQUIREMENTS);
  shoot (window);
  next (window);

  /* R001-4: the key step is filled from the AUTH key. */
  wait_step (window, QOIMA_REGISTRATION_STEP_KEY);
  g_assert_cmpstr (qoima_registration_get (qoima_registration_window_get_draft (window), "signer-iin"), ==, "800101300706");
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
  qoima_registration_window_set_field (window, "tax-office", "6201");
  qoima_registration_window_set_field (window, "head", "Сапаров Асет");
  qoima_registration_window_set_field (window, "kato", kato_leaf_name ());
  qoima_registration_window_set_field (window, "address", "ул. Бабаева 12");
  qoima_registration_window_set_field (window, "participant-email", "info@poliklinika7.kz");
  qoima_registration_window_set_field (window, "participant-phone", "+77172556677");
  qoima_registration_set_list (qoima_registration_window_get_draft (window), "participant-types",
                               (const char * const[]) { "retail", NULL });
  shoot (window);
  next (window);
  wait_step (window, QOIMA_REGISTRATION_STEP_USERS);
  shoot (window);
  next (window);

  /* R001-9: a bad IBAN is said under it, and Next stays. */
  wait_step (window, QOIMA_REGISTRATION_STEP_BANK);
  qoima_registration_window_set_field (window, "bic", "CASPKZKA");
  qoima_registration_window_set_field (window, "iban", "KZ72722S000000000002");
  g_assert_nonnull (qoima_registration_window_get_message (window, "iban"));
  shoot (window);
  next (window);
  g_assert_cmpint (qoima_registration_window_get_step (window), ==, QOIMA_REGISTRATION_STEP_BANK);
  qoima_registration_window_set_field (window, "iban", "KZ72722S000000000001");
  g_assert_null (qoima_registration_window_get_message (window, "iban"));
  next (window);
  wait_step (window, QOIMA_REGISTRATION_STEP_SIGN);
  shoot (window);
  qoima_test_wait_until (window_saved, window, 30);
  gtk_window_destroy (GTK_WINDOW (window));

  /* A new window (as after a restart) opens the saved draft at its step. */
  resumed = qoima_registration_window_new (context);
  gtk_window_present (GTK_WINDOW (resumed));
  wait_step (resumed, QOIMA_REGISTRATION_STEP_SIGN);
  g_assert_cmpstr (qoima_registration_get (qoima_registration_window_get_draft (resumed), "iban"), ==, "KZ72722S000000000001");
  gtk_window_destroy (GTK_WINDOW (resumed));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *db_path = NULL;
  int ret;

  /* The screenshots are looked at in Russian (the new strings show English until translated). */
  g_setenv ("LANGUAGE", "ru", TRUE);
  qoima_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();

  tmp_dir = qoima_test_make_tmp_dir ();
  db_path = g_build_filename (tmp_dir, "qoima.db", NULL);
  store = qoima_test_open_demo_store (db_path, 10);
  settings = g_settings_new (BASE_APP_ID);

  g_test_add_func ("/ui/registration/walk-and-resume", test_walk_and_resume);
  ret = g_test_run ();

  g_clear_object (&settings);
  qoima_store_close (store);
  g_clear_object (&store);
  qoima_test_remove_tree (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
  return ret;
}
