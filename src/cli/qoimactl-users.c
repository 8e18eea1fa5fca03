/* qoimactl-users.c: qoimactl users and qoimactl audit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoimactl"

#include "config.h"

#include "qoima-store-users.h"
#include "qoimactl.h"

#include "qoima-store-audit.h"
#include "qoima-store-ledger.h"
#include "qoima-store-settings.h"
#include "qoima-user.h"
#include "qoima-store-wards.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

QoimaUser *
qoimactl_authenticate (QoimactlOptions  *options,
                       QoimaStore       *store,
                       GError          **error)
{
  g_autofree char *secret = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;

  if (options->user == NULL)
    return NULL;
  if (options->password_file == NULL)
    {
      g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_WRONG_PASSWORD,
                           _("--user needs --password-file."));
      return NULL;
    }

  secret = qoimactl_read_first_line (options->password_file, error);
  if (secret == NULL)
    return NULL;

  qoima_store_authenticate_async (store, options->user, secret, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  return qoima_store_authenticate_finish (store, result, error);
}

static int
users_add (QoimactlOptions  *options,
           QoimaStore       *store,
           int               argc,
           char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) acting = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *secret = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  const char *name = NULL, *role_nick = NULL, *ward = NULL, *password_file = NULL, *full_name = NULL;
  const char *iin = NULL;
  gboolean may_sign = FALSE;
  QoimaRole role;
  gint64 ward_id = 0;

  for (int i = 1; i < argc; i++)
    {
      const char **slot = NULL;

      if (g_str_equal (argv[i], "--may-sign"))
        {
          may_sign = TRUE;
          continue;
        }
      if (g_str_equal (argv[i], "--iin"))
        slot = &iin;
      else if (g_str_equal (argv[i], "--role"))
        slot = &role_nick;
      else if (g_str_equal (argv[i], "--ward"))
        slot = &ward;
      else if (g_str_equal (argv[i], "--password-file"))
        slot = &password_file;
      else if (g_str_equal (argv[i], "--full-name"))
        slot = &full_name;
      else if (name == NULL && !g_str_has_prefix (argv[i], "--"))
        {
          name = argv[i];
          continue;
        }
      if (slot == NULL || i + 1 >= argc)
        {
          fprintf (stderr, _("Usage: qoimactl users add NAME --role ROLE [--ward WARD] [--full-name TEXT] [--iin IIN] [--may-sign] --password-file FILE\n"));
          return 2;
        }
      *slot = argv[++i];
    }

  if (name == NULL || role_nick == NULL || password_file == NULL || !qoima_role_from_nick (role_nick, &role))
    {
      fprintf (stderr, _("Usage: qoimactl users add NAME --role clerk|nurse|chief|admin [--ward WARD] [--full-name TEXT] [--iin IIN] [--may-sign] --password-file FILE\n"));
      return 2;
    }
  /* Checked before the user is added, so that a typo does not leave her half made. */
  if (iin != NULL && !qoima_iin_is_valid (iin))
    {
      qoimactl_print_error (_("The IIN %s is wrong: it has 12 digits and its check digit must match."), iin);
      return 1;
    }
  if (may_sign && role != QOIMA_ROLE_CLERK)
    {
      qoimactl_print_error (_("Only a clerk is allowed to sign by delegation; %s is not a clerk."), name);
      return 1;
    }
  if (ward != NULL && (ward_id = qoimactl_find_location (store, ward, &error)) == 0)
    return qoimactl_fail (error);

  if (options->user != NULL)
    {
      acting = qoimactl_authenticate (options, store, &error);
      if (acting == NULL)
        return qoimactl_fail (error);
    }

  secret = qoimactl_read_first_line (password_file, &error);
  if (secret == NULL)
    return qoimactl_fail (error);

  qoima_store_add_user_async (store, acting, name, full_name, role, ward_id, secret, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  user = qoima_store_add_user_finish (store, result, &error);
  if (user == NULL)
    return qoimactl_fail (error);

  if (iin != NULL || may_sign)
    {
      QoimactlWait signing_wait = QOIMACTL_WAIT_INIT;
      g_autoptr(GAsyncResult) signing = NULL;

      qoima_store_set_user_signing_async (store, acting != NULL ? acting : user, name, iin, may_sign, NULL,
                                          qoimactl_wait_cb, &signing_wait);
      signing = qoimactl_wait_for_result (&signing_wait);
      if (!qoima_store_set_user_signing_finish (store, signing, &error))
        {
          qoimactl_print_error (_("User %s added, but not the signing settings: %s"), name, error->message);
          return 1;
        }
    }

  printf (_("User %s added (%s).\n"), qoima_user_get_name (user), role_nick);
  return 0;
}

static QoimaUser *acting_user (QoimactlOptions *options,
                               QoimaStore      *store);

/* qoimactl users signing NAME [--iin IIN|--no-iin] [--may-sign yes|no]: who the user is
 * for signing, and a clerk's delegation; what is not given stays. */
static int
users_signing (QoimactlOptions  *options,
               QoimaStore       *store,
               int               argc,
               char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) acting = NULL;
  g_autoptr(QoimaUser) target = NULL;
  g_autoptr(GAsyncResult) got = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  QoimactlWait get_wait = QOIMACTL_WAIT_INIT;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  const char *iin = NULL, *may_sign = NULL;
  gboolean no_iin = FALSE;
  gboolean delegated;

  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--no-iin"))
        no_iin = TRUE;
      else if (g_str_equal (argv[i], "--iin") && i + 1 < argc)
        iin = argv[++i];
      else if (g_str_equal (argv[i], "--may-sign") && i + 1 < argc &&
               (g_str_equal (argv[i + 1], "yes") || g_str_equal (argv[i + 1], "no")))
        may_sign = argv[++i];
      else
        argc = 0;
    }
  if (argc < 3 || (iin != NULL && no_iin))
    {
      fprintf (stderr, _("Usage: qoimactl users signing NAME [--iin IIN | --no-iin] [--may-sign yes|no]\n"));
      return 2;
    }
  if ((acting = acting_user (options, store)) == NULL)
    return 1;

  qoima_store_get_user_async (store, argv[1], NULL, NULL, qoimactl_wait_cb, &get_wait);
  got = qoimactl_wait_for_result (&get_wait);
  if ((target = qoima_store_get_user_finish (store, got, &error)) == NULL)
    return qoimactl_fail (error);
  if (!no_iin && iin == NULL)
    iin = qoima_user_get_iin (target);
  delegated = may_sign != NULL ? g_str_equal (may_sign, "yes") : qoima_user_get_may_sign (target);

  qoima_store_set_user_signing_async (store, acting, argv[1], no_iin ? NULL : iin, delegated, NULL,
                                      qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if (!qoima_store_set_user_signing_finish (store, result, &error))
    return qoimactl_fail (error);
  printf (delegated ? _("%s signs with the key of IIN %s (signing delegated).\n")
                    : _("%s has the IIN %s.\n"),
          argv[1], no_iin || iin == NULL ? "—" : iin);
  return 0;
}

static int
users_list (QoimaStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) users = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;

  qoima_store_list_users_async (store, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  users = qoima_store_list_users_finish (store, result, &error);
  if (users == NULL)
    return qoimactl_fail (error);

  json_builder_begin_array (builder);
  for (unsigned i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(QoimaUser) user = g_list_model_get_item (users, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, qoima_user_get_name (user));
      json_builder_set_member_name (builder, "full_name");
      if (qoima_user_get_full_name (user) != NULL)
        json_builder_add_string_value (builder, qoima_user_get_full_name (user));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, qoima_role_to_nick (qoima_user_get_role (user)));
      json_builder_set_member_name (builder, "ward_id");
      if (qoima_user_get_ward_id (user) > 0)
        json_builder_add_int_value (builder, qoima_user_get_ward_id (user));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "disabled");
      json_builder_add_boolean_value (builder, qoima_user_get_disabled (user));
      json_builder_set_member_name (builder, "iin");
      if (qoima_user_get_iin (user) != NULL)
        json_builder_add_string_value (builder, qoima_user_get_iin (user));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "may_sign");
      json_builder_add_boolean_value (builder, qoima_user_get_may_sign (user));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  return 0;
}

/* The --user, who must be given for every change after the first user. */
static QoimaUser *
acting_user (QoimactlOptions *options,
             QoimaStore      *store)
{
  g_autoptr(GError) error = NULL;
  QoimaUser *acting;

  if (options->user == NULL)
    {
      qoimactl_print_error ("%s", _("This needs --user NAME --password-file FILE."));
      return NULL;
    }
  acting = qoimactl_authenticate (options, store, &error);
  if (acting == NULL)
    qoimactl_fail (error);
  return acting;
}

static int
users_passwd (QoimactlOptions  *options,
              QoimaStore       *store,
              int               argc,
              char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) acting = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *secret = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;

  if (argc != 4 || !g_str_equal (argv[2], "--new-password-file"))
    {
      fprintf (stderr, _("Usage: qoimactl users passwd NAME --new-password-file FILE\n"));
      return 2;
    }
  if ((acting = acting_user (options, store)) == NULL)
    return 1;
  if ((secret = qoimactl_read_first_line (argv[3], &error)) == NULL)
    return qoimactl_fail (error);

  qoima_store_set_password_async (store, acting, argv[1], secret, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if (!qoima_store_set_password_finish (store, result, &error))
    return qoimactl_fail (error);
  printf (_("The password of %s was changed.\n"), argv[1]);
  return 0;
}

static int
users_disable (QoimactlOptions  *options,
               QoimaStore       *store,
               int               argc,
               char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) acting = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  gboolean disable = g_str_equal (argv[0], "disable");

  if (argc != 2)
    {
      fprintf (stderr, _("Usage: qoimactl users disable|enable NAME\n"));
      return 2;
    }
  if ((acting = acting_user (options, store)) == NULL)
    return 1;

  qoima_store_set_user_disabled_async (store, acting, argv[1], disable, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if (!qoima_store_set_user_disabled_finish (store, result, &error))
    return qoimactl_fail (error);
  printf (disable ? _("User %s disabled.\n") : _("User %s enabled.\n"), argv[1]);
  return 0;
}

static GListModel *
list_wards (QoimaStore  *store,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;

  qoima_store_list_wards_async (store, TRUE, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  return qoima_store_list_wards_finish (store, result, error);
}

static int
wards_list (QoimaStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) wards = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  if ((wards = list_wards (store, &error)) == NULL)
    return qoimactl_fail (error);

  json_builder_begin_array (builder);
  for (unsigned i = 0; i < g_list_model_get_n_items (wards); i++)
    {
      g_autoptr(QoimaLocation) ward = g_list_model_get_item (wards, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, qoima_location_get_id (ward));
      json_builder_set_member_name (builder, "name_ru");
      json_builder_add_string_value (builder, qoima_location_get_name_ru (ward));
      json_builder_set_member_name (builder, "name_kk");
      if (qoima_location_get_name_kk (ward) != NULL)
        json_builder_add_string_value (builder, qoima_location_get_name_kk (ward));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "archived");
      json_builder_add_boolean_value (builder, qoima_location_get_archived (ward));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  return 0;
}

static int
wards_add (QoimactlOptions  *options,
           QoimaStore       *store,
           int               argc,
           char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) acting = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  const char *name_kk = NULL;
  gint64 id;

  if (argc == 4 && g_str_equal (argv[2], "--name-kk"))
    name_kk = argv[3];
  else if (argc != 2)
    {
      fprintf (stderr, _("Usage: qoimactl wards add NAME_RU [--name-kk NAME]\n"));
      return 2;
    }
  if ((acting = acting_user (options, store)) == NULL)
    return 1;

  qoima_store_add_ward_async (store, acting, argv[1], name_kk, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if ((id = qoima_store_add_ward_finish (store, result, &error)) == 0)
    return qoimactl_fail (error);
  printf (_("Ward %s added (%lld).\n"), argv[1], (long long) id);
  return 0;
}

static int
wards_archive (QoimactlOptions  *options,
               QoimaStore       *store,
               int               argc,
               char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) acting = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) wards = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  gint64 id = 0;

  if (argc != 2)
    {
      fprintf (stderr, _("Usage: qoimactl wards archive NAME\n"));
      return 2;
    }
  if ((acting = acting_user (options, store)) == NULL)
    return 1;
  if ((wards = list_wards (store, &error)) == NULL)
    return qoimactl_fail (error);
  for (unsigned i = 0; id == 0 && i < g_list_model_get_n_items (wards); i++)
    {
      g_autoptr(QoimaLocation) ward = g_list_model_get_item (wards, i);
      g_autofree char *ward_id = g_strdup_printf ("%lld", (long long) qoima_location_get_id (ward));

      if (!qoima_location_get_archived (ward) &&
          (g_str_equal (ward_id, argv[1]) || g_strcmp0 (qoima_location_get_name_ru (ward), argv[1]) == 0 ||
           g_strcmp0 (qoima_location_get_name_kk (ward), argv[1]) == 0))
        id = qoima_location_get_id (ward);
    }
  if (id == 0)
    {
      qoimactl_print_error (_("There is no ward “%s” in use."), argv[1]);
      return 1;
    }

  qoima_store_update_location_async (store, acting, id, NULL, NULL, TRUE, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if (!qoima_store_update_location_finish (store, result, &error))
    return qoimactl_fail (error);
  printf (_("Ward %s archived.\n"), argv[1]);
  return 0;
}

int
qoimactl_wards (QoimactlOptions  *options,
                int               argc,
                char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  int status;

  if (argc < 2 || !(g_str_equal (argv[1], "add") || g_str_equal (argv[1], "--json") || g_str_equal (argv[1], "archive")))
    {
      fprintf (stderr, _("Usage: qoimactl wards --json | wards add NAME_RU [--name-kk NAME] | wards archive NAME\n"));
      return 2;
    }

  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);

  if (g_str_equal (argv[1], "add"))
    status = wards_add (options, store, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "archive"))
    status = wards_archive (options, store, argc - 1, argv + 1);
  else
    status = wards_list (store);

  qoima_store_close (store);
  return status;
}

int
qoimactl_settings (QoimactlOptions  *options,
                   int               argc,
                   char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) acting = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  gboolean organization;
  gboolean on;

  organization = argc == 3 && g_str_equal (argv[1], "organization") && argv[2][0] != '\0';
  if (!organization &&
      (argc != 3 || !g_str_equal (argv[1], "auto-withdraw") ||
       !(g_str_equal (argv[2], "on") || g_str_equal (argv[2], "off"))))
    {
      fprintf (stderr, _("Usage: qoimactl settings auto-withdraw on|off\n"
                         "       qoimactl settings organization NAME\n"));
      return 2;
    }
  on = g_str_equal (argv[2], "on");

  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  if ((acting = acting_user (options, store)) == NULL)
    {
      qoima_store_close (store);
      return 1;
    }

  if (organization)
    qoima_store_set_setting_async (store, acting, QOIMA_SETTING_ORGANIZATION, argv[2],
                                   NULL, qoimactl_wait_cb, &wait);
  else
    qoima_store_set_setting_async (store, acting, QOIMA_SETTING_AUTO_WITHDRAW, on ? "true" : "false",
                                   NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if (!qoima_store_set_setting_finish (store, result, &error))
    {
      qoima_store_close (store);
      return qoimactl_fail (error);
    }
  if (organization)
    printf (_("Printed documents are headed “%s”.\n"), argv[2]);
  else
    printf (on ? _("Withdrawals are sent automatically.\n") : _("Withdrawals wait for the chief's signature.\n"));
  qoima_store_close (store);
  return 0;
}

int
qoimactl_users (QoimactlOptions  *options,
                int               argc,
                char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  int status;

  if (argc < 2 || !(g_str_equal (argv[1], "add") || g_str_equal (argv[1], "--json") ||
                    g_str_equal (argv[1], "passwd") || g_str_equal (argv[1], "disable") ||
                    g_str_equal (argv[1], "enable") || g_str_equal (argv[1], "signing")))
    {
      fprintf (stderr, _("Usage: qoimactl users --json | users add NAME --role ROLE [--ward WARD] [--iin IIN] [--may-sign] --password-file FILE\n"
                         "       | users passwd NAME --new-password-file FILE | users disable|enable NAME\n"
                         "       | users signing NAME [--iin IIN | --no-iin] [--may-sign yes|no]\n"));
      return 2;
    }

  store = qoimactl_open_store (options, &error);
  if (store == NULL)
    return qoimactl_fail (error);

  if (g_str_equal (argv[1], "add"))
    status = users_add (options, store, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "signing"))
    status = users_signing (options, store, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "passwd"))
    status = users_passwd (options, store, argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "disable") || g_str_equal (argv[1], "enable"))
    status = users_disable (options, store, argc - 1, argv + 1);
  else
    status = users_list (store);

  qoima_store_close (store);
  return status;
}

int
qoimactl_audit (QoimactlOptions  *options,
                int               argc,
                char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  gint64 n_rows = 0, broken_row = 0;

  if (argc != 2 || !g_str_equal (argv[1], "verify"))
    {
      fprintf (stderr, _("Usage: qoimactl audit verify\n"));
      return 2;
    }

  store = qoimactl_open_store (options, &error);
  if (store == NULL)
    return qoimactl_fail (error);

  qoima_store_verify_audit_async (store, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if (!qoima_store_verify_audit_finish (store, result, &n_rows, &broken_row, &error))
    {
      if (broken_row > 0)
        printf ("audit trail broken at row %" G_GINT64_FORMAT ": %s\n", broken_row, error->message);
      else
        qoimactl_fail (error);
      qoima_store_close (store);
      return 1;
    }

  printf ("audit trail OK: %" G_GINT64_FORMAT " rows\n", n_rows);
  qoima_store_close (store);
  return 0;
}
