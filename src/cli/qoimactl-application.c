/* qoimactl-application.c: the application to the Fund's database (seed 004) for scripts
 * and support: list, show, check, pdf, and the steps that move it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qoimactl.h"
#include "qoima-error.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-fund-client.h"
#include "qoima-fund-pdf.h"
#include "qoima-json.h"
#include "qoima-store-fund.h"

#define USAGE \
  N_("Usage: qoimactl application list | show ID | check ID|FILE.json [--kato FILE.csv] | pdf ID --output FILE.pdf\n" \
     "       | save FILE.json [--id ID | --change-of ID] | submit ID | send ID --fund URL --key FILE.p12\n" \
     "send signs the consent with the chief's key; its password is read from standard input,\n" \
     "or from QOIMA_KEY_PASSWORD or --key-password-file FILE, never from the command line.\n")

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;
  *id = (gint64) value;
  return TRUE;
}

static QoimaFundApplication *
load (QoimaStore  *store,
      gint64       id,
      GError     **error)
{
  QoimactlWait wait = QOIMACTL_WAIT_INIT;

  qoima_store_fund_load_async (store, id, NULL, qoimactl_wait_cb, &wait);
  return qoima_store_fund_load_finish (store, qoimactl_wait_for_result (&wait), error);
}

static QoimaFundApplication *
read_form (const char  *path,
           GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(JsonNode) node = NULL;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  node = qoima_json_parse_bounded (contents, (gssize) length, error);
  if (node == NULL)
    return NULL;
  return qoima_fund_application_from_json (node, error);
}

static void
print_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, TRUE);

  printf ("%s\n", text);
}

static JsonNode *
application_json (const QoimaFundApplication *app)
{
  JsonNode *node = qoima_fund_application_to_json (app);
  JsonObject *object = json_node_get_object (node);
  JsonArray *reasons = json_array_new ();

  /* The store's columns, then the form. */
  json_object_set_int_member (object, "id", app->id);
  json_object_set_int_member (object, "chain_id", app->chain_id);
  json_object_set_int_member (object, "version", app->version);
  json_object_set_string_member (object, "status", qoima_fund_status_to_nick (app->status));
  json_object_set_string_member (object, "status_label", qoima_fund_status_to_label (app->status));
  if (app->author != NULL)
    json_object_set_string_member (object, "author", app->author);
  if (app->created_at != NULL)
    json_object_set_string_member (object, "created_at", app->created_at);
  if (app->chief_reason != NULL)
    json_object_set_string_member (object, "chief_reason", app->chief_reason);
  if (app->fund_id != NULL)
    json_object_set_string_member (object, "fund_id", app->fund_id);
  for (guint i = 0; app->fund_reasons != NULL && app->fund_reasons[i] != NULL; i++)
    json_array_add_string_element (reasons, app->fund_reasons[i]);
  json_object_set_array_member (object, "fund_reasons", reasons);
  /* The consent's signature is long and says nothing to a reader: whether it is there. */
  json_object_remove_member (object, "consent_signature");
  json_object_remove_member (object, "consent_document");
  json_object_set_boolean_member (object, "consent_signed", app->consent_signature != NULL);
  return node;
}

static int
application_list (QoimaStore *store)
{
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) apps = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();

  qoima_store_fund_list_async (store, 0, NULL, qoimactl_wait_cb, &wait);
  apps = qoima_store_fund_list_finish (store, qoimactl_wait_for_result (&wait), &error);
  if (apps == NULL)
    return qoimactl_fail (error);
  for (guint i = 0; i < apps->len; i++)
    {
      QoimaFundApplication *app = g_ptr_array_index (apps, i);
      JsonObject *row = json_object_new ();

      json_object_set_int_member (row, "id", app->id);
      json_object_set_int_member (row, "chain_id", app->chain_id);
      json_object_set_int_member (row, "version", app->version);
      json_object_set_string_member (row, "region", app->region != NULL ? app->region : "");
      json_object_set_string_member (row, "status", qoima_fund_status_to_nick (app->status));
      json_object_set_string_member (row, "status_label", qoima_fund_status_to_label (app->status));
      json_object_set_string_member (row, "author", app->author);
      json_object_set_string_member (row, "created_at", app->created_at);
      json_array_add_object_element (array, row);
    }
  json_node_take_array (node, array);
  print_json (node);
  return 0;
}

static int
application_show (QoimaStore *store,
                  gint64      id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaFundApplication) app = load (store, id, &error);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) edits = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  JsonArray *log = json_array_new ();

  if (app == NULL)
    {
      json_array_unref (log);
      return qoimactl_fail (error);
    }
  qoima_store_fund_edits_async (store, id, NULL, qoimactl_wait_cb, &wait);
  edits = qoima_store_fund_edits_finish (store, qoimactl_wait_for_result (&wait), &error);
  if (edits == NULL)
    {
      json_array_unref (log);
      return qoimactl_fail (error);
    }
  node = application_json (app);
  /* R004-18: who edited it, when, and what. */
  for (guint i = 0; i < edits->len; i++)
    {
      QoimaFundEdit *edit = g_ptr_array_index (edits, i);
      JsonObject *row = json_object_new ();

      json_object_set_string_member (row, "at", edit->at);
      json_object_set_string_member (row, "actor", edit->actor);
      json_object_set_string_member (row, "action", edit->action);
      if (edit->detail != NULL)
        json_object_set_string_member (row, "detail", edit->detail);
      json_array_add_object_element (log, row);
    }
  json_object_set_array_member (json_node_get_object (node), "edits", log);
  print_json (node);
  return 0;
}

/* Each problem one JSON object a line: section, field, rule, message. Exit 1 with any. */
static int
application_check (QoimaStore *store,
                   const char *what,
                   const char *kato_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaFundApplication) app = NULL;
  g_autoptr(QoimaFundKato) kato = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GPtrArray) problems = NULL;
  gint64 id;

  app = parse_id (what, &id) ? load (store, id, &error) : read_form (what, &error);
  if (app == NULL)
    return qoimactl_fail (error);
  if (kato_path != NULL)
    {
      kato = qoima_fund_kato_load (kato_path, &error);
      if (kato == NULL)
        return qoimactl_fail (error);
    }
  else
    kato = qoima_fund_kato_default ();
  problems = qoima_fund_application_check (app, kato, NULL, now);
  for (guint i = 0; i < problems->len; i++)
    {
      QoimaFundProblem *problem = g_ptr_array_index (problems, i);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "section");
      json_builder_add_string_value (builder, problem->section);
      json_builder_set_member_name (builder, "field");
      json_builder_add_string_value (builder, problem->field);
      json_builder_set_member_name (builder, "rule");
      json_builder_add_string_value (builder, problem->rule);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, problem->message);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      line = json_to_string (node, FALSE);
      printf ("%s\n", line);
    }
  return problems->len > 0 ? 1 : 0;
}

static int
application_pdf (QoimaStore *store,
                 gint64      id,
                 const char *output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaFundApplication) app = load (store, id, &error);

  if (app == NULL || !qoima_fund_application_write_pdf (app, output, &error))
    return qoimactl_fail (error);
  return 0;
}

static int
application_save (QoimactlOptions *options,
                  QoimaStore      *store,
                  const char      *path,
                  gint64           id,
                  gint64           change_of)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(QoimaFundApplication) app = read_form (path, &error);
  g_autoptr(QoimaFundKato) kato = qoima_fund_kato_default ();
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  gint64 saved;

  if (app == NULL)
    return qoimactl_fail (error);
  if ((user = qoimactl_authenticate (options, store, &error)) == NULL)
    return qoimactl_fail (error);
  app->id = id;
  app->chain_id = change_of;
  qoima_store_fund_save_async (store, user, app, kato, NULL, qoimactl_wait_cb, &wait);
  saved = qoima_store_fund_save_finish (store, qoimactl_wait_for_result (&wait), &error);
  if (saved == 0)
    return qoimactl_fail (error);
  printf ("%" G_GINT64_FORMAT "\n", saved);
  return 0;
}

static int
application_act (QoimactlOptions *options,
                 QoimaStore      *store,
                 gint64           id,
                 QoimaFundAction  action)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) user = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;

  if ((user = qoimactl_authenticate (options, store, &error)) == NULL)
    return qoimactl_fail (error);
  qoima_store_fund_act_async (store, user, id, action, NULL, NULL, qoimactl_wait_cb, &wait);
  if (!qoima_store_fund_act_finish (store, qoimactl_wait_for_result (&wait), &error))
    return qoimactl_fail (error);
  return 0;
}

/* The key's password: --key-password-file, else QOIMA_KEY_PASSWORD (for scripts), else the
 * first line of standard input; never an argument, which every user of the machine sees. */
static char *
key_password (QoimactlOptions  *options,
              GError          **error)
{
  char line[1024];
  const char *env = g_getenv ("QOIMA_KEY_PASSWORD");

  if (options->key_password_file != NULL)
    return qoimactl_read_first_line (options->key_password_file, error);
  if (env != NULL)
    return g_strdup (env);
  if (isatty (STDIN_FILENO))
    fputs (_("The key’s password: "), stderr);
  if (fgets (line, sizeof line, stdin) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The key’s password was not given: write it on standard input or set QOIMA_KEY_PASSWORD."));
      return NULL;
    }
  line[strcspn (line, "\r\n")] = '\0';
  {
    char *password = g_strdup (line);

    memset (line, 0, sizeof line);
    return password;
  }
}

static QoimaSigner *
load_key (QoimactlOptions  *options,
          const char       *path,
          GError          **error)
{
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autofree char *password = key_password (options, error);
  QoimaSignerPkcs12 *signer;

  if (password == NULL)
    return NULL;
  qoima_signer_pkcs12_load_async (file, password, NULL, qoimactl_wait_cb, &wait);
  /* The password is not kept any longer than the key file needs it. */
  memset (password, 0, strlen (password));
  signer = qoima_signer_pkcs12_load_finish (qoimactl_wait_for_result (&wait), error);
  if (signer == NULL)
    g_prefix_error (error, "%s: ", path);
  return QOIMA_SIGNER (signer);
}

/* The chief's consent signed as the window signs it (R004-14, R004-22): her key of the
 * organization applying, checked before anything is signed, a detached CMS over the
 * application's PDF, kept with the PDF. */
static gboolean
sign_consent (QoimaStore                  *store,
              QoimaUser                   *user,
              const QoimaFundApplication  *app,
              QoimaSigner                 *signer,
              GError                     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GBytes) cms = NULL;
  QoimactlWait sign_wait = QOIMACTL_WAIT_INIT;
  QoimactlWait keep_wait = QOIMACTL_WAIT_INIT;
  gsize length;
  gboolean written;

  if (!qoima_fund_application_check_signer (app, user, qoima_signer_get_certificate (signer), error) ||
      !qoima_fund_application_may (app, user, QOIMA_FUND_ACTION_SIGN_CONSENT, error))
    return FALSE;
  if ((dir = g_dir_make_tmp ("qoimactl-consent-XXXXXX", error)) == NULL)
    return FALSE;
  path = g_build_filename (dir, "application.pdf", NULL);
  written = qoima_fund_application_write_pdf (app, path, error) &&
            g_file_get_contents (path, &contents, &length, error);
  g_unlink (path);
  g_rmdir (dir);
  if (!written)
    return FALSE;
  pdf = g_bytes_new_take (g_steal_pointer (&contents), length);
  qoima_signer_sign_async (signer, pdf, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING, NULL, qoimactl_wait_cb, &sign_wait);
  cms = qoima_signer_sign_finish (signer, qoimactl_wait_for_result (&sign_wait), error);
  if (cms == NULL)
    return FALSE;
  /* A key that tells its certificate only once it has signed is checked now. */
  if (!qoima_fund_application_check_signer (app, user, qoima_signer_get_certificate (signer), error))
    return FALSE;
  qoima_store_fund_sign_consent_async (store, user, app->id, cms, pdf, NULL, qoimactl_wait_cb, &keep_wait);
  return qoima_store_fund_act_finish (store, qoimactl_wait_for_result (&keep_wait), error);
}

/* «Отправить»: the chief signs the consent with her key and sends the application to the
 * Fund (R004-22), after the informational messages of R004-21 (on standard error: they do
 * not stop it). */
static int
application_send (QoimactlOptions *options,
                  QoimaStore      *store,
                  gint64           id,
                  const char      *fund_url,
                  const char      *key)
{
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(QoimaFundApplication) app = NULL;
  g_autoptr(QoimaFundClient) client = NULL;
  g_autoptr(GPtrArray) notices = NULL;
  g_autofree char *fund_id = NULL;
  QoimactlWait submit_wait = QOIMACTL_WAIT_INIT;
  QoimactlWait act_wait = QOIMACTL_WAIT_INIT;
  QoimactlWait follow_wait = QOIMACTL_WAIT_INIT;

  if ((user = qoimactl_authenticate (options, store, &error)) == NULL ||
      (app = load (store, id, &error)) == NULL)
    return qoimactl_fail (error);
  /* Signed here unless it was already (a sending that failed after the signature). */
  if (app->consent_signature == NULL)
    {
      if ((signer = load_key (options, key, &error)) == NULL ||
          !sign_consent (store, user, app, signer, &error))
        return qoimactl_fail (error);
      g_clear_pointer (&app, qoima_fund_application_free);
      if ((app = load (store, id, &error)) == NULL)
        return qoimactl_fail (error);
    }
  if (!qoima_fund_application_may (app, user, QOIMA_FUND_ACTION_SEND, &error))
    return qoimactl_fail (error);
  notices = qoima_fund_application_send_notices (app);
  for (guint i = 0; i < notices->len; i++)
    fprintf (stderr, "%s\n", (const char *) g_ptr_array_index (notices, i));

  /* To the Fund first: the application is marked sent only once the Fund has it. */
  client = qoima_fund_client_new (fund_url);
  qoima_fund_client_submit_async (client, app, NULL, qoimactl_wait_cb, &submit_wait);
  fund_id = qoima_fund_client_submit_finish (client, qoimactl_wait_for_result (&submit_wait), &error);
  if (fund_id == NULL)
    return qoimactl_fail (error);
  qoima_store_fund_act_async (store, user, id, QOIMA_FUND_ACTION_SEND, NULL, NULL, qoimactl_wait_cb, &act_wait);
  if (!qoima_store_fund_act_finish (store, qoimactl_wait_for_result (&act_wait), &error))
    return qoimactl_fail (error);
  qoima_store_fund_follow_async (store, id, QOIMA_FUND_UNDER_REVIEW, fund_id, NULL, NULL, NULL, NULL,
                                 qoimactl_wait_cb, &follow_wait);
  if (!qoima_store_fund_follow_finish (store, qoimactl_wait_for_result (&follow_wait), &error))
    return qoimactl_fail (error);
  printf ("%s\n", fund_id);
  return 0;
}

int
qoimactl_application (QoimactlOptions  *options,
                      int               argc,
                      char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  const char *command = argc >= 2 ? argv[1] : NULL;
  const char *output = NULL;
  const char *kato = NULL;
  const char *fund = NULL;
  const char *key = options->key;
  gint64 id = 0, edit_id = 0, change_of = 0;
  int status;

  for (int i = 3; i + 1 < argc; i += 2)
    {
      if (g_str_equal (argv[i], "--output"))
        output = argv[i + 1];
      else if (g_str_equal (argv[i], "--kato"))
        kato = argv[i + 1];
      else if (g_str_equal (argv[i], "--fund"))
        fund = argv[i + 1];
      else if (g_str_equal (argv[i], "--key"))
        key = argv[i + 1];
      else if (g_str_equal (argv[i], "--id") && parse_id (argv[i + 1], &edit_id))
        ;
      else if (g_str_equal (argv[i], "--change-of") && parse_id (argv[i + 1], &change_of))
        ;
      else
        command = NULL;
    }
  if (command == NULL ||
      (!g_str_equal (command, "list") && argc < 3) ||
      ((g_str_equal (command, "show") || g_str_equal (command, "pdf") || g_str_equal (command, "submit") ||
        g_str_equal (command, "send")) && !parse_id (argv[2], &id)) ||
      (g_str_equal (command, "pdf") && output == NULL) ||
      (g_str_equal (command, "send") && fund == NULL))
    {
      fputs (_(USAGE), stderr);
      return 2;
    }

  if (g_str_equal (command, "send") && key == NULL)
    {
      /* Sending is signing (R004-22): nothing goes unsigned to the Fund. */
      fputs (_("qoimactl application send signs the consent with the chief’s key: give --key FILE.p12 "
               "(its password on standard input or in QOIMA_KEY_PASSWORD). Nothing was sent.\n"), stderr);
      return 2;
    }
  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  if (g_str_equal (command, "list"))
    status = application_list (store);
  else if (g_str_equal (command, "show"))
    status = application_show (store, id);
  else if (g_str_equal (command, "check"))
    status = application_check (store, argv[2], kato);
  else if (g_str_equal (command, "pdf"))
    status = application_pdf (store, id, output);
  else if (g_str_equal (command, "save"))
    status = application_save (options, store, argv[2], edit_id, change_of);
  else if (g_str_equal (command, "submit"))
    status = application_act (options, store, id, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF);
  else if (g_str_equal (command, "send"))
    status = application_send (options, store, id, fund, key);
  else
    {
      fputs (_(USAGE), stderr);
      status = 2;
    }
  qoima_store_close (store);
  return status;
}
