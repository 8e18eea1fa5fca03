/* qoimactl-acts.c: `qoimactl sync`, `acts`, `accept`, `reject`, `withdrawals`, `withdraw`
 * and `write-off`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoimactl"

#include "config.h"

#include "qoima-store-acts.h"
#include "qoimactl.h"

#include "qoima-act.h"
#include "qoima-store-outbox.h"
#include "qoima-user.h"
#include "qoima-gs1.h"
#include "qoima-ismpt-client.h"
#include "qoima-json.h"
#include "qoima-store-ledger.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-sync.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

/* Exit status when the work waits in the outbox because ИС МПТ could not be reached. */
#define EXIT_WAITING 3

static QoimaSigner *
load_key (QoimactlOptions  *options,
          const char       *path,
          GError          **error)
{
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *password = NULL;
  const char *password_file = options->key_password_file ? options->key_password_file : options->password_file;
  QoimaSignerPkcs12 *signer;

  if (password_file == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("A key needs its password: give --password-file FILE."));
      return NULL;
    }
  password = qoimactl_read_first_line (password_file, error);
  if (password == NULL)
    return NULL;

  file = g_file_new_for_commandline_arg (path);
  qoima_signer_pkcs12_load_async (file, password, NULL, qoimactl_wait_cb, &wait);
  /* The password is not kept any longer than the key file needs it. */
  memset (password, 0, strlen (password));
  result = qoimactl_wait_for_result (&wait);
  signer = qoima_signer_pkcs12_load_finish (result, error);
  if (signer == NULL)
    g_prefix_error (error, "%s: ", path);
  return QOIMA_SIGNER (signer);
}

/* The НКТ catalog lives beside the True API on the same host ("/gwp"). */
static char *
derive_catalog (const char *server)
{
  const char *api = strstr (server, "/api/");

  if (api == NULL)
    return g_strdup (server);
  return g_strdup_printf ("%.*s/gwp", (int) (api - server), server);
}

static QoimaIsmptClient *
make_client (QoimactlOptions  *options,
             GError          **error)
{
  const char *server = options->server ? options->server : g_getenv ("QOIMA_ISMPT_URL");
  const char *auth_path = options->auth_key ? options->auth_key : options->key;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSigner) auth = NULL;
  g_autofree char *catalog = NULL;
  g_autofree char *api_key = NULL;

  if (server == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Which ИС МПТ? Give --server URL (or set QOIMA_ISMPT_URL)."));
      return NULL;
    }
  if (auth_path == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Logging in to ИС МПТ needs an AUTH key: give --auth-key FILE.p12 (or --key)."));
      return NULL;
    }
  auth = load_key (options, auth_path, error);
  if (auth == NULL)
    return NULL;
  if (options->api_key_file != NULL && (api_key = qoimactl_read_first_line (options->api_key_file, error)) == NULL)
    return NULL;

  client = qoima_ismpt_client_new (server, NULL);
  qoima_ismpt_client_set_auth_signer (client, auth);
  catalog = options->catalog ? g_strdup (options->catalog) : derive_catalog (server);
  qoima_ismpt_client_set_catalog (client, catalog, api_key);
  return g_steal_pointer (&client);
}

static void
progress_cb (QoimaSync  *sync,
             const char *message,
             double      fraction,
             gpointer    user_data)
{
  fprintf (stderr, "%s\n", message);
}

static int
status_of_push (gboolean  ok,
                GError   *error)
{
  if (ok)
    return 0;
  qoimactl_print_error ("%s", error->message);
  if (g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NO_NETWORK) ||
      g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_SERVER) ||
      g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER) ||
      g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_UNKNOWN_OUTCOME))
    return EXIT_WAITING;
  return 1;
}

/* The sync of a command: its progress on standard error, and --list-grace when given. */
static QoimaSync *
make_sync (QoimactlOptions  *options,
           QoimaStore       *store,
           QoimaIsmptClient *client,
           GError          **error)
{
  g_autoptr(QoimaSync) sync = qoima_sync_new (store, client);
  guint64 seconds = 0;

  if (options->list_grace != NULL &&
      !g_ascii_string_to_unsigned (options->list_grace, 10, 0, G_MAXUINT, &seconds, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--list-grace takes a number of seconds, not “%s”."), options->list_grace);
      return NULL;
    }
  if (options->list_grace != NULL)
    qoima_sync_set_list_grace (sync, (unsigned) seconds);
  g_signal_connect (sync, "progress", G_CALLBACK (progress_cb), NULL);
  return g_steal_pointer (&sync);
}

int
qoimactl_sync (QoimactlOptions  *options,
               int               argc,
               char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  gboolean ok;

  if (argc != 1)
    {
      fprintf (stderr, _("Usage: qoimactl [OPTION…] sync\n"));
      return 2;
    }
  if ((store = qoimactl_open_store (options, &error)) == NULL ||
      (client = make_client (options, &error)) == NULL ||
      (options->key != NULL && (signer = load_key (options, options->key, &error)) == NULL))
    return qoimactl_fail (error);

  if ((sync = make_sync (options, store, client, &error)) == NULL)
    return qoimactl_fail (error);
  /* With a signing key, owed medical use is signed automatically when the hospital allows it. */
  qoima_sync_set_auto_signer (sync, signer);
  qoima_sync_run_async (sync, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  ok = qoima_sync_run_finish (sync, result, &error);
  return status_of_push (ok, error);
}

static GListModel *
list_acts (QoimaStore  *store,
           GError     **error)
{
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_list_acts_async (store, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  return qoima_store_list_acts_finish (store, result, error);
}

int
qoimactl_acts (QoimactlOptions  *options,
               int               argc,
               char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GListModel) acts = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  if (argc != 2 || !g_str_equal (argv[1], "--json"))
    {
      fprintf (stderr, _("Usage: qoimactl [OPTION…] acts --json\n"));
      return 2;
    }
  if ((store = qoimactl_open_store (options, &error)) == NULL ||
      (acts = list_acts (store, &error)) == NULL)
    return qoimactl_fail (error);

  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (acts); i++)
    {
      g_autoptr(QoimaAct) act = g_list_model_get_item (acts, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, qoima_act_get_id (act));
      json_builder_set_member_name (builder, "ismpt_id");
      json_builder_add_string_value (builder, qoima_act_get_ismpt_id (act));
      json_builder_set_member_name (builder, "number");
      json_builder_add_string_value (builder, qoima_act_get_number (act));
      json_builder_set_member_name (builder, "sender");
      json_builder_add_string_value (builder, qoima_act_get_sender_name (act));
      json_builder_set_member_name (builder, "sender_bin");
      json_builder_add_string_value (builder, qoima_act_get_sender_bin (act));
      json_builder_set_member_name (builder, "date");
      json_builder_add_string_value (builder, qoima_act_get_transfer_date (act));
      json_builder_set_member_name (builder, "deadline");
      json_builder_add_string_value (builder, qoima_act_get_deadline (act));
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, qoima_act_status_to_nick (qoima_act_get_status (act)));
      json_builder_set_member_name (builder, "packs");
      json_builder_add_int_value (builder, qoima_act_get_packs (act));
      json_builder_set_member_name (builder, "scanned");
      json_builder_add_int_value (builder, qoima_act_get_scanned (act));
      json_builder_set_member_name (builder, "errors");
      if (qoima_act_get_errors (act) != NULL)
        json_builder_add_string_value (builder, qoima_act_get_errors (act));
      else
        json_builder_add_null_value (builder);
      /* The state as the window says it: the answer waiting (and why), checked, refused… */
      {
        g_autofree char *text = qoima_act_describe_state (act);
        int answer_state = qoima_act_get_answer_state (act);

        json_builder_set_member_name (builder, "answer_state");
        if (answer_state >= 0)
          json_builder_add_string_value (builder, qoima_document_state_to_nick (answer_state));
        else
          json_builder_add_null_value (builder);
        json_builder_set_member_name (builder, "state_label");
        json_builder_add_string_value (builder, qoima_act_get_state_label (act));
        json_builder_set_member_name (builder, "state_reason");
        if (qoima_act_get_state_reason (act) != NULL)
          json_builder_add_string_value (builder, qoima_act_get_state_reason (act));
        else
          json_builder_add_null_value (builder);
        json_builder_set_member_name (builder, "state_text");
        json_builder_add_string_value (builder, text);
      }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json = qoima_json_to_string (root);
  printf ("%s\n", json);
  return 0;
}

/* ACT_ID is the warehouse's own id, or ИС МПТ's id of the act. */
static gint64
find_act (QoimaStore  *store,
          const char  *key,
          GError     **error)
{
  g_autoptr(GListModel) acts = list_acts (store, error);

  if (acts == NULL)
    return 0;
  for (guint i = 0; i < g_list_model_get_n_items (acts); i++)
    {
      g_autoptr(QoimaAct) act = g_list_model_get_item (acts, i);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, qoima_act_get_id (act));

      if (g_str_equal (id, key) || g_strcmp0 (qoima_act_get_ismpt_id (act), key) == 0)
        return qoima_act_get_id (act);
    }
  g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
               _("There is no act %s in the warehouse (run “qoimactl sync” to load new acts)."), key);
  return 0;
}

/* A code as the warehouse keys it: the identification code of a pack, "00" + SSCC of a box. */
static char *
code_to_key (const char *text)
{
  g_autoptr(QoimaMarkingCode) code = qoima_gs1_parse (text, NULL, NULL);

  if (code != NULL && code->kind == QOIMA_CODE_KIND_PACK)
    return g_strdup (code->ki);
  if (code != NULL && code->kind == QOIMA_CODE_KIND_BOX)
    return g_strdup_printf ("00%s", code->sscc);
  return g_strdup (text);
}

/* One code a line: identification codes, SSCCs, or whole marking codes as scanned. A NUL
 * or a line longer than any code refuses the whole list: answering an act for fewer
 * codes than the file meant cannot be taken back. */
static GHashTable *
read_codes (const char  *path,
            GError     **error)
{
  g_autoptr(GHashTable) codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *line = g_malloc (QOIMACTL_LINE_MAX + 1);
  gboolean too_long = FALSE;
  gssize len;
  FILE *file;

  file = fopen (path, "re");
  if (file == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot open %s: %s"), path, g_strerror (saved_errno));
      return NULL;
    }

  for (unsigned number = 1; (len = qoimactl_read_line (file, line, QOIMACTL_LINE_MAX + 1, &too_long)) >= 0; number++)
    {
      const char *nul = memchr (line, '\0', len);

      if (too_long)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                     _("Line %u of %s is longer than %d bytes: no marking code is that long."),
                     number, path, QOIMACTL_LINE_MAX);
      else if (nul != NULL)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                     _("Line %u of %s holds a NUL byte (byte %d): it is not a marking code."),
                     number, path, (int) (nul - line) + 1);
      if (too_long || nul != NULL)
        {
          fclose (file);
          return NULL;
        }

      g_strstrip (line);
      if (*line != '\0')
        g_hash_table_add (codes, code_to_key (line));
    }

  if (ferror (file))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, _("Cannot read %s."), path);
      fclose (file);
      return NULL;
    }
  fclose (file);
  return g_steal_pointer (&codes);
}

/* The user named by --user: acting on acts and withdrawals needs one. */
static QoimaUser *
require_user (QoimactlOptions  *options,
              QoimaStore       *store,
              GError          **error)
{
  QoimaUser *user = qoimactl_authenticate (options, store, error);

  if (user == NULL && (error == NULL || *error == NULL))
    g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                         _("Log in first: give --user NAME and --password-file FILE."));
  return user;
}

int
qoimactl_answer (QoimactlOptions  *options,
                 int               argc,
                 char            **argv)
{
  gboolean reject = g_str_equal (argv[0], "reject");
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autoptr(GHashTable) codes = NULL;
  g_autoptr(GAsyncResult) answered = NULL;
  g_autoptr(GAsyncResult) pushed = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  const char *codes_path = NULL;
  const char *act_key = NULL;
  QoimaAcceptance acceptance;
  gint64 act_id;
  gboolean ok;

  for (int i = 1; i < argc; i++)
    {
      if (!reject && g_str_equal (argv[i], "--codes") && i + 1 < argc)
        codes_path = argv[++i];
      else if (act_key == NULL && argv[i][0] != '-')
        act_key = argv[i];
      else
        act_key = NULL, i = argc;
    }
  if (act_key == NULL)
    {
      fprintf (stderr, reject ? _("Usage: qoimactl --user NAME --password-file FILE [OPTION…] reject ACT_ID\n")
                              : _("Usage: qoimactl --user NAME --password-file FILE [OPTION…] accept ACT_ID [--codes FILE]\n"));
      return 2;
    }
  if (options->key == NULL)
    {
      qoimactl_print_error ("%s", _("Answering an act needs the chief's signing key: give --key FILE.p12."));
      return 2;
    }

  /* The role is checked before the key is opened; the core checks it again. */
  if ((store = qoimactl_open_store (options, &error)) == NULL ||
      (user = require_user (options, store, &error)) == NULL ||
      !qoima_user_check (user, QOIMA_PERMISSION_ACCEPT_ACTS, &error) ||
      (act_id = find_act (store, act_key, &error)) == 0 ||
      (codes_path != NULL && (codes = read_codes (codes_path, &error)) == NULL) ||
      (signer = load_key (options, options->key, &error)) == NULL ||
      (client = make_client (options, &error)) == NULL)
    return qoimactl_fail (error);

  acceptance = reject ? QOIMA_REJECT_ALL : codes != NULL ? QOIMA_ACCEPT_SOME : QOIMA_ACCEPT_ALL;
  if ((sync = make_sync (options, store, client, &error)) == NULL)
    return qoimactl_fail (error);
  qoima_sync_answer_act_async (sync, act_id, acceptance, codes, signer, user,
                               NULL, qoimactl_wait_cb, &wait);
  answered = qoimactl_wait_for_result (&wait);
  if (qoima_sync_answer_act_finish (sync, answered, &error) == 0)
    return qoimactl_fail (error);

  qoima_sync_push_async (sync, NULL, qoimactl_wait_cb, &wait);
  pushed = qoimactl_wait_for_result (&wait);
  ok = qoima_sync_push_finish (sync, pushed, &error);
  return status_of_push (ok, error);
}

int
qoimactl_withdrawals (QoimactlOptions  *options,
                      int               argc,
                      char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *json = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;

  if (argc != 2 || !g_str_equal (argv[1], "--json"))
    {
      fprintf (stderr, _("Usage: qoimactl [OPTION…] withdrawals --json\n"));
      return 2;
    }
  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  qoima_store_list_withdrawals_async (store, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if ((list = qoima_store_list_withdrawals_finish (store, result, &error)) == NULL)
    return qoimactl_fail (error);
  json = qoima_json_to_string (list);
  printf ("%s\n", json);
  return 0;
}

/* --code CODE, any number of times: the identification codes; FALSE on anything else. */
static gboolean
parse_codes (int          argc,
             char       **argv,
             const char  *extra,
             const char **extra_value,
             GStrv       *kis)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gboolean any = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--code") && i + 1 < argc)
        {
          g_autofree char *key = code_to_key (argv[++i]);

          g_strv_builder_add (builder, key);
          any = TRUE;
        }
      else if (extra != NULL && g_str_equal (argv[i], extra) && i + 1 < argc)
        *extra_value = argv[++i];
      else
        return FALSE;
    }
  *kis = any ? g_strv_builder_end (builder) : NULL;
  return TRUE;
}

int
qoimactl_withdraw (QoimactlOptions  *options,
                   int               argc,
                   char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autoptr(GAsyncResult) queued = NULL;
  g_autoptr(GAsyncResult) pushed = NULL;
  g_auto(GStrv) kis = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  int n_documents;
  gboolean ok;

  if (!parse_codes (argc, argv, NULL, NULL, &kis) || options->key == NULL)
    {
      fprintf (stderr, _("Usage: qoimactl --user CHIEF --key FILE.p12 --password-file FILE [OPTION…] withdraw [--code CODE…]\n"));
      return 2;
    }
  /* Signing a withdrawal is the chief's: the role is checked before the key is opened. */
  if ((store = qoimactl_open_store (options, &error)) == NULL ||
      (user = require_user (options, store, &error)) == NULL ||
      !qoima_user_check (user, QOIMA_PERMISSION_SIGN, &error) ||
      (signer = load_key (options, options->key, &error)) == NULL ||
      (client = make_client (options, &error)) == NULL)
    return qoimactl_fail (error);

  if ((sync = make_sync (options, store, client, &error)) == NULL)
    return qoimactl_fail (error);
  qoima_sync_withdraw_async (sync, signer, user, (const char * const *) kis, NULL, qoimactl_wait_cb, &wait);
  queued = qoimactl_wait_for_result (&wait);
  n_documents = qoima_sync_withdraw_finish (sync, queued, &error);
  if (n_documents < 0)
    return qoimactl_fail (error);
  if (n_documents == 0)
    fprintf (stderr, _("No withdrawal is owed.\n"));

  qoima_sync_push_async (sync, NULL, qoimactl_wait_cb, &wait);
  pushed = qoimactl_wait_for_result (&wait);
  ok = qoima_sync_push_finish (sync, pushed, &error);
  return status_of_push (ok, error);
}

int
qoimactl_write_off (QoimactlOptions  *options,
                    int               argc,
                    char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(GStrv) kis = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  QoimaWithdrawalReason reason = QOIMA_WITHDRAWAL_MEDICAL_USE;
  const char *reason_name = NULL;
  int owed;

  if (!parse_codes (argc, argv, "--reason", &reason_name, &kis) || kis == NULL ||
      !qoima_withdrawal_reason_from_nick (reason_name, &reason) || !qoima_withdrawal_reason_is_write_off (reason))
    {
      fprintf (stderr, _("Usage: qoimactl --user CHIEF --password-file FILE [OPTION…] write-off --code CODE [--code CODE…] "
                         "--reason expired|damaged|lost|recalled\n"));
      return 2;
    }
  if ((store = qoimactl_open_store (options, &error)) == NULL ||
      (user = require_user (options, store, &error)) == NULL)
    return qoimactl_fail (error);

  qoima_store_write_off_async (store, user, (const char * const *) kis, reason, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  owed = qoima_store_write_off_finish (store, result, &error);
  if (owed < 0)
    return qoimactl_fail (error);
  printf (ngettext ("%d pack to write off; the chief signs it with “qoimactl withdraw”.\n",
                    "%d packs to write off; the chief signs them with “qoimactl withdraw”.\n", owed),
          owed);
  return 0;
}
