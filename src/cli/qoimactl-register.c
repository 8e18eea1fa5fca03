/* qoimactl-register.c: `qoimactl register` (the registration in ИС МПТ, as the wizard does it)
 * and `qoimactl reference import`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoimactl"

#include "config.h"

#include "qoimactl.h"

#include "qoima-ismpt-client.h"
#include "qoima-json.h"
#include "qoima-reference.h"
#include "qoima-registration.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-store-registration.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

/* Exit status while ИС МПТ still processes the request (as for work waiting in the outbox). */
#define EXIT_WAITING 3

static void
print_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  printf ("%s\n", text);
}

static void
load_references (QoimaRegistrationReferences *references)
{
  /* A directory that cannot be read leaves its checks to the fields' form: the draft's own
   * errors are still found, and the stand checks again. */
  references->kato = qoima_reference_load (QOIMA_REFERENCE_KATO, NULL);
  references->tax_offices = qoima_reference_load (QOIMA_REFERENCE_TAX_OFFICES, NULL);
  references->banks = qoima_reference_load (QOIMA_REFERENCE_BANKS, NULL);
  references->product_groups = qoima_reference_load (QOIMA_REFERENCE_PRODUCT_GROUPS, NULL);
}

static void
free_references (QoimaRegistrationReferences *references)
{
  g_clear_pointer (&references->kato, qoima_reference_free);
  g_clear_pointer (&references->tax_offices, qoima_reference_free);
  g_clear_pointer (&references->banks, qoima_reference_free);
  g_clear_pointer (&references->product_groups, qoima_reference_free);
}

static QoimaSigner *
load_auth_key (QoimactlOptions  *options,
               GError          **error)
{
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *password = NULL;
  const char *path = options->auth_key ? options->auth_key : options->key;
  const char *password_file = options->key_password_file ? options->key_password_file : options->password_file;
  QoimaSignerPkcs12 *signer;

  if (path == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("The request is signed with the AUTH key: give --auth-key FILE.p12 (or --key)."));
      return NULL;
    }
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
  memset (password, 0, strlen (password));
  result = qoimactl_wait_for_result (&wait);
  signer = qoima_signer_pkcs12_load_finish (result, error);
  if (signer == NULL)
    g_prefix_error (error, "%s: ", path);
  return QOIMA_SIGNER (signer);
}

static QoimaIsmptClient *
make_client (QoimactlOptions  *options,
             gboolean          with_key,
             GError          **error)
{
  const char *server = options->server ? options->server : g_getenv ("QOIMA_ISMPT_URL");
  g_autoptr(QoimaIsmptClient) client = NULL;

  if (server == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Which ИС МПТ? Give --server URL (or set QOIMA_ISMPT_URL)."));
      return NULL;
    }
  client = qoima_ismpt_client_new (server, NULL);
  if (with_key)
    {
      g_autoptr(QoimaSigner) auth = load_auth_key (options, error);

      if (auth == NULL)
        return NULL;
      qoima_ismpt_client_set_auth_signer (client, auth);
    }
  return g_steal_pointer (&client);
}

/* Saves the sent request in the warehouse database, when an administrator is named. */
static gboolean
save_request (QoimactlOptions   *options,
              QoimaRegistration *registration,
              const char        *state,
              const char        *request_id,
              const char        *reason,
              GError           **error)
{
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  gboolean ok;

  if (options->user == NULL)
    return TRUE;
  store = qoimactl_open_store (options, error);
  if (store == NULL)
    return FALSE;
  user = qoimactl_authenticate (options, store, error);
  if (user == NULL)
    return FALSE;
  qoima_store_save_registration_async (store, user, registration, state, request_id, reason,
                                       NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  ok = qoima_store_save_registration_finish (store, result, error);
  qoima_store_close (store);
  return ok;
}

static int
send_draft (QoimactlOptions   *options,
            QoimaRegistration *registration)
{
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaIsmptClient) client = make_client (options, TRUE, &error);
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *json = NULL;
  JsonObject *object;
  const char *status;

  if (client == NULL)
    return qoimactl_fail (error);
  json = qoima_registration_to_json (registration);
  qoima_ismpt_client_send_registration_async (client, json, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  answer = qoima_ismpt_client_send_registration_finish (client, result, &error);
  if (answer == NULL)
    return qoimactl_fail (error);
  print_json (answer);
  object = json_node_get_object (answer);
  status = qoima_json_get_string (object, "status");
  if (!save_request (options, registration, g_strcmp0 (status, "REFUSED") == 0 ? "refused" : "sent",
                     qoima_json_get_string (object, "id"), qoima_json_get_string (object, "reason"), &error))
    return qoimactl_fail (error);
  return g_strcmp0 (status, "REFUSED") == 0 ? 1 : 0;
}

/* The request's id: given, or the one the warehouse database keeps. */
static char *
request_id (QoimactlOptions  *options,
            const char       *given,
            GError          **error)
{
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaStoredRegistration) stored = NULL;

  if (given != NULL)
    return g_strdup (given);
  store = qoimactl_open_store (options, error);
  if (store == NULL)
    return NULL;
  qoima_store_load_registration_async (store, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  stored = qoima_store_load_registration_finish (store, result, error);
  qoima_store_close (store);
  if (stored == NULL && (error == NULL || *error == NULL))
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                         _("No registration request was sent from this database: give its id."));
  if (stored == NULL)
    return NULL;
  if (stored->request_id == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("The registration was not sent yet: send it with --send."));
      return NULL;
    }
  return g_strdup (stored->request_id);
}

static int
follow_status (QoimactlOptions *options,
               const char      *given_id,
               gboolean         wait_for_end)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaIsmptClient) client = make_client (options, FALSE, &error);
  g_autofree char *id = NULL;

  if (client == NULL)
    return qoimactl_fail (error);
  id = request_id (options, given_id, &error);
  if (id == NULL)
    return qoimactl_fail (error);

  /* R001-5/R003-3: processed within 24 hours; --wait polls, every second, until decided. */
  for (;;)
    {
      QoimactlWait wait = QOIMACTL_WAIT_INIT;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonNode) answer = NULL;
      const char *status;

      qoima_ismpt_client_registration_status_async (client, id, NULL, qoimactl_wait_cb, &wait);
      result = qoimactl_wait_for_result (&wait);
      answer = qoima_ismpt_client_registration_status_finish (client, result, &error);
      if (answer == NULL)
        return qoimactl_fail (error);
      status = qoima_json_get_string (json_node_get_object (answer), "status");
      if (g_strcmp0 (status, "CONFIRMED") == 0 || g_strcmp0 (status, "REFUSED") == 0 || !wait_for_end)
        {
          print_json (answer);
          if (g_strcmp0 (status, "CONFIRMED") == 0)
            return 0;
          return g_strcmp0 (status, "REFUSED") == 0 ? 1 : EXIT_WAITING;
        }
      g_usleep (G_USEC_PER_SEC / 4);
    }
}

/* R000-2: the standard connection contract, shown (on stderr, stdout keeping the JSON answer)
 * and signed with the head's AUTH key for the request @given_id, or the one the database
 * keeps; the draft (the parties) from @registration, else the database's. */
static int
sign_contract (QoimactlOptions   *options,
               QoimaRegistration *registration,
               const char        *given_id)
{
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaStoredRegistration) stored = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *text = NULL;
  g_autofree char *document = NULL;
  QoimaRegistrationReferences references = { NULL };
  const char *id = given_id;

  if (registration == NULL || id == NULL)
    {
      g_autoptr(QoimaStore) store = qoimactl_open_store (options, &error);

      if (store == NULL)
        return qoimactl_fail (error);
      qoima_store_load_registration_async (store, NULL, qoimactl_wait_cb, &wait);
      result = qoimactl_wait_for_result (&wait);
      stored = qoima_store_load_registration_finish (store, result, &error);
      qoima_store_close (store);
      if (stored == NULL)
        {
          if (error == NULL)
            g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                 _("No registration is kept in this database: give --draft FILE.json and the request's id."));
          return qoimactl_fail (error);
        }
      if (registration == NULL)
        registration = stored->registration;
      if (id == NULL)
        id = stored->request_id;
      if (id == NULL)
        {
          qoimactl_print_error (_("The registration was not sent yet: send it with --send."));
          return 1;
        }
    }
  client = make_client (options, TRUE, &error);
  if (client == NULL)
    return qoimactl_fail (error);

  load_references (&references);
  text = qoima_registration_contract_text (registration, &references);
  document = qoima_registration_contract_document (registration, id, &references);
  free_references (&references);
  /* What is signed, in full, before it is. */
  fprintf (stderr, "%s\n", text);

  g_clear_object (&result);
  wait = (QoimactlWait) QOIMACTL_WAIT_INIT;
  qoima_ismpt_client_sign_registration_contract_async (client, id, document, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  answer = qoima_ismpt_client_sign_registration_contract_finish (client, result, &error);
  if (answer == NULL)
    return qoimactl_fail (error);
  print_json (answer);
  qoima_registration_set (registration, "contract-signed-at",
                          qoima_json_get_string (json_node_get_object (answer), "signedAt"));
  if (!save_request (options, registration, "confirmed", id, NULL, &error))
    return qoimactl_fail (error);
  return 0;
}

int
qoimactl_register (QoimactlOptions  *options,
                   int               argc,
                   char            **argv)
{
  const char *draft_path = NULL;
  const char *status_id = NULL;
  gboolean send = FALSE;
  gboolean status = FALSE;
  gboolean wait_for_end = FALSE;
  gboolean contract = FALSE;
  const char *contract_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(QoimaRegistration) registration = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  QoimaRegistrationReferences references = { NULL };

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--draft") && i + 1 < argc)
        draft_path = argv[++i];
      else if (g_str_equal (argv[i], "--send"))
        send = TRUE;
      else if (g_str_equal (argv[i], "--status"))
        {
          status = TRUE;
          if (i + 1 < argc && !g_str_has_prefix (argv[i + 1], "--"))
            status_id = argv[++i];
        }
      else if (g_str_equal (argv[i], "--wait"))
        wait_for_end = TRUE;
      else if (g_str_equal (argv[i], "--contract"))
        {
          contract = TRUE;
          if (i + 1 < argc && !g_str_has_prefix (argv[i + 1], "--"))
            contract_id = argv[++i];
        }
      else
        {
          qoimactl_print_error (_("Unknown argument: %s"), argv[i]);
          return 2;
        }
    }

  if (status)
    return follow_status (options, status_id, wait_for_end);
  if (contract && draft_path == NULL)
    return sign_contract (options, NULL, contract_id);
  if (draft_path == NULL)
    {
      qoimactl_print_error (_("Give --draft FILE.json (or --status)."));
      return 2;
    }
  if (!g_file_get_contents (draft_path, &text, NULL, &error) ||
      (registration = qoima_registration_new_from_json (text, &error)) == NULL)
    {
      g_prefix_error (&error, "%s: ", draft_path);
      return qoimactl_fail (error);
    }

  load_references (&references);
  problems = qoima_registration_validate (registration, QOIMA_REGISTRATION_ALL_STEPS, &references);
  free_references (&references);
  for (guint i = 0; i < problems->len; i++)
    {
      QoimaRegistrationProblem *p = g_ptr_array_index (problems, i);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "field");
      json_builder_add_string_value (builder, p->field);
      json_builder_set_member_name (builder, "rule");
      json_builder_add_string_value (builder, p->rule);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, p->message);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      print_json (node);
    }
  /* Nothing is sent that the wizard would not send. */
  if (problems->len > 0)
    return 1;
  if (contract)
    return sign_contract (options, registration, contract_id);
  return send ? send_draft (options, registration) : 0;
}

int
qoimactl_reference (QoimactlOptions  *options,
                    int               argc,
                    char            **argv)
{
  QoimaReferenceKind kind;
  g_autoptr(GError) error = NULL;
  gint n;

  if (argc != 4 || !g_str_equal (argv[1], "import"))
    {
      qoimactl_print_error (_("Usage: qoimactl reference import KIND FILE"));
      return 2;
    }
  if (!qoima_reference_kind_from_string (argv[2], &kind))
    {
      qoimactl_print_error (_("Unknown directory “%s”: kato, tax-offices, banks or product-groups."), argv[2]);
      return 2;
    }
  n = qoima_reference_import (kind, argv[3], &error);
  if (n < 0)
    return qoimactl_fail (error);
  printf (ngettext ("%d entry imported into %s.\n", "%d entries imported into %s.\n", n), n, argv[2]);
  return 0;
}
