/* test-sync.c: acts accepted end to end against the project's stand, over real HTTP
 *
 * Each test starts `qoima-stand` on 127.0.0.1 (port 0) with its own database and the test
 * PKI, creates acts through the stand's admin interface, and drives the warehouse's sync:
 * pull, answer signed with the PKCS#12 signing key, push, final status. The stand checks the
 * signatures (GnuTLS, against the test CA) and applies ownership rules, so what the stand says
 * of the codes afterwards is the proof.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-act.h"
#include "qoima-context.h"
#include "qoima-db.h"
#include "qoima-demo.h"
#include "qoima-json.h"
#include "qoima-ismpt-documents.h"
#include "qoima-pack.h"
#include "qoima-product.h"
#include "qoima-signer-pkcs12.h"
#include "qoima-store-acts.h"
#include "qoima-store-copay.h"
#include "qoima-store-ledger.h"
#include "qoima-store-outbox.h"
#include "qoima-store-settings.h"
#include "qoima-store-users.h"
#include "qoima-sync.h"
#include "qoima-test-utils.h"
#include "qoima-user.h"

#include <signal.h>
#include <sys/wait.h>
#include <string.h>

#define HOSPITAL_BIN "990340001230"
#define SK_PHARMACIA_BIN "080140005672"
/* The IINs of the test PKI's keys (tests/pki/make-pki.sh). */
#define CHIEF_IIN "850715400238"
#define CLERK_IIN "900312450126"
#define OTHER_ORG_IIN "780302300121"

typedef struct {
  GPid stand_pid;
  char *base_url;
  char *admin_url;
  char *admin_token;
  char *db_path;
  char *stand_db;
  SoupSession *admin;
  QoimaStore *store;
  QoimaIsmptClient *client;
  QoimaSync *sync;
  QoimaSigner *signer;
  QoimaUser *admin_user; /* the database's first user */
  QoimaUser *chief;
  gboolean app_like;     /* the stand started as the application starts it */
} Fixture;

typedef struct {
  double error_rate;
} StandOptions;

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static const char *
pki_dir (void)
{
  const char *dir = g_getenv ("QOIMA_PKI_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static QoimaSigner *
load_key (const char *name)
{
  g_autofree char *path = g_build_filename (pki_dir (), name, NULL);
  g_autofree char *password_path = g_build_filename (pki_dir (), "password.txt", NULL);
  g_autofree char *password = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaSignerPkcs12 *signer;

  g_assert_true (g_file_get_contents (password_path, &password, NULL, &error));
  g_strchomp (password);
  qoima_signer_pkcs12_load_async (file, password, NULL, qoima_test_result_cb, &result);
  signer = qoima_signer_pkcs12_load_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  return QOIMA_SIGNER (signer);
}

/* @faults: extra stand options, e.g. "--error-rate 0.33", or NULL. */
static void
start_stand (Fixture    *fixture,
             const char *faults)
{
  g_autofree char *ca = g_build_filename (pki_dir (), "ca.pem", NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) fault_args = g_strsplit (faults ? faults : "", " ", -1);
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  g_autofree char *line = NULL;
  g_autofree char *token_path = NULL;
  int out_fd;

  g_assert_nonnull (g_getenv ("QOIMA_STAND"));
  /* As qoima-application.c's start_local_stand() does, or quick and without the demo acts. */
  if (fixture->app_like)
    g_strv_builder_add_many (builder, g_getenv ("QOIMA_STAND"), "--port", "0", "--db", fixture->stand_db,
                             "--ca", ca, NULL);
  else
    g_strv_builder_add_many (builder, g_getenv ("QOIMA_STAND"), "--port", "0", "--db", fixture->stand_db,
                             "--ca", ca, "--processing-delay-ms", "30", "--no-demo", "--seed", "7",
                             "--hang-seconds", "2", NULL);
  for (guint i = 0; fault_args[i] != NULL; i++)
    if (*fault_args[i] != '\0')
      g_strv_builder_add (builder, fault_args[i]);
  argv = g_strv_builder_end (builder);
  g_assert_true (g_spawn_async_with_pipes (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &fixture->stand_pid, NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);

  /* The stand's first line is its True API base URL. */
  channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  g_assert_cmpint (g_io_channel_read_line (channel, &line, NULL, NULL, &error), ==, G_IO_STATUS_NORMAL);
  g_strchomp (line);
  g_assert_true (g_str_has_prefix (line, "http://127.0.0.1:"));
  g_free (fixture->base_url);
  fixture->base_url = g_steal_pointer (&line);
  g_free (fixture->admin_url);
  fixture->admin_url = g_strdup_printf ("%.*s/stand",
                                        (int) (strstr (fixture->base_url, "/api/") - fixture->base_url),
                                        fixture->base_url);
  /* The admin interface's secret, written next to the stand's database before the first line. */
  token_path = g_strconcat (fixture->stand_db, ".admin-token", NULL);
  g_free (fixture->admin_token);
  fixture->admin_token = NULL;
  g_assert_true (g_file_get_contents (token_path, &fixture->admin_token, NULL, &error));
  g_assert_no_error (error);
  g_strchomp (fixture->admin_token);
}

static void
stop_stand (Fixture *fixture)
{
  if (fixture->stand_pid == 0)
    return;
  kill (fixture->stand_pid, SIGTERM);
  waitpid (fixture->stand_pid, NULL, 0);
  g_spawn_close_pid (fixture->stand_pid);
  fixture->stand_pid = 0;
}

static void
open_warehouse (Fixture *fixture)
{
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GAsyncResult) filled = NULL;
  g_autoptr(GError) error = NULL;

  qoima_store_open_async (fixture->db_path, NULL, qoima_test_result_cb, &opened);
  fixture->store = qoima_store_open_finish (wait_result (&opened), &error);
  g_assert_no_error (error);
  /* A small warehouse with the demo products and the pharmacy warehouse location. */
  qoima_demo_fill_async (fixture->store, 10, 1, NULL, qoima_test_result_cb, &filled);
  g_assert_true (qoima_demo_fill_finish (fixture->store, wait_result (&filled), &error));
  g_assert_no_error (error);
}

static void
connect_client (Fixture *fixture)
{
  g_autoptr(QoimaSigner) auth = load_key ("auth.p12");
  g_autofree char *catalog = g_strdup_printf ("%.*s/gwp",
                                              (int) (strstr (fixture->base_url, "/api/") - fixture->base_url),
                                              fixture->base_url);

  g_clear_object (&fixture->sync);
  g_clear_object (&fixture->client);
  fixture->client = qoima_ismpt_client_new (fixture->base_url, NULL);
  qoima_ismpt_client_set_auth_signer (fixture->client, auth);
  qoima_ismpt_client_set_catalog (fixture->client, catalog, "demo-api-key");
  qoima_ismpt_client_set_timeout (fixture->client, 5);
  fixture->sync = qoima_sync_new (fixture->store, fixture->client);
  qoima_sync_set_poll (fixture->sync, 20, 10000);
}

static QoimaUser *
make_user (QoimaStore *store,
           QoimaUser  *acting,
           const char *name,
           QoimaRole   role,
           gint64      ward_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_add_user_async (store, acting, name, NULL, role, ward_id, "Secret-pass-1", NULL,
                              qoima_test_result_cb, &result);
  user = qoima_store_add_user_finish (store, wait_result (&result), &error);
  g_assert_no_error (error);
  return user;
}

/* Gives @name her IIN and (a clerk) the delegation to sign, as an administrator does;
 * returns the user as stored now. */
static QoimaUser *
set_signing (QoimaStore *store,
             QoimaUser  *admin,
             const char *name,
             const char *iin,
             gboolean    may_sign)
{
  g_autoptr(GAsyncResult) set = NULL;
  g_autoptr(GAsyncResult) got = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_set_user_signing_async (store, admin, name, iin, may_sign, NULL, qoima_test_result_cb, &set);
  g_assert_true (qoima_store_set_user_signing_finish (store, wait_result (&set), &error));
  g_assert_no_error (error);
  qoima_store_get_user_async (store, name, NULL, NULL, qoima_test_result_cb, &got);
  user = qoima_store_get_user_finish (store, wait_result (&got), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (qoima_user_get_iin (user), ==, iin);
  return user;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  const char *faults = user_data;
  g_autofree char *tmp = g_dir_make_tmp ("qoima-sync-XXXXXX", NULL);

  fixture->db_path = qoima_test_new_store_location (tmp);
  fixture->stand_db = g_build_filename (tmp, "stand.db", NULL);
  fixture->admin = soup_session_new ();
  start_stand (fixture, faults);
  open_warehouse (fixture);
  connect_client (fixture);
  fixture->signer = load_key ("sign.p12");
  fixture->admin_user = make_user (fixture->store, NULL, "admin", QOIMA_ROLE_ADMIN, 0);
  fixture->chief = make_user (fixture->store, fixture->admin_user, "chief", QOIMA_ROLE_CHIEF, 0);
  /* The chief signs with sign.p12, whose certificate carries her IIN. */
  g_object_unref (fixture->chief);
  fixture->chief = set_signing (fixture->store, fixture->admin_user, "chief", CHIEF_IIN, FALSE);
}

static QoimaUser *
sign_in (QoimaStore *store,
         const char *name,
         const char *secret)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_authenticate_async (store, name, secret, NULL, qoima_test_result_cb, &result);
  user = qoima_store_authenticate_finish (store, wait_result (&result), &error);
  g_assert_no_error (error);
  return user;
}

/* A fresh machine as the application makes it: the local stand started as
 * start_local_stand() starts it, and the warehouse filled with the demo and its users. */
static void
demo_world_set_up (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *tmp = g_dir_make_tmp ("qoima-sync-XXXXXX", NULL);
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GAsyncResult) filled = NULL;
  g_autoptr(GAsyncResult) users = NULL;
  g_autoptr(GError) error = NULL;

  fixture->db_path = qoima_test_new_store_location (tmp);
  fixture->stand_db = g_build_filename (tmp, "stand.sqlite", NULL);
  fixture->admin = soup_session_new ();
  fixture->app_like = TRUE;
  start_stand (fixture, NULL);

  qoima_store_open_async (fixture->db_path, NULL, qoima_test_result_cb, &opened);
  fixture->store = qoima_store_open_finish (wait_result (&opened), &error);
  g_assert_no_error (error);
  qoima_demo_fill_async (fixture->store, QOIMA_DEMO_DEFAULT_PACKS, QOIMA_DEMO_SEED, NULL, qoima_test_result_cb, &filled);
  g_assert_true (qoima_demo_fill_finish (fixture->store, wait_result (&filled), &error));
  g_assert_no_error (error);
  qoima_demo_add_users_async (fixture->store, NULL, qoima_test_result_cb, &users);
  g_assert_true (qoima_demo_add_users_finish (fixture->store, wait_result (&users), &error));
  g_assert_no_error (error);

  connect_client (fixture);
  fixture->signer = load_key ("sign.p12");
  fixture->admin_user = sign_in (fixture->store, "admin", "1111");
  fixture->chief = sign_in (fixture->store, "chief", "3333");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  stop_stand (fixture);
  g_clear_object (&fixture->sync);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->signer);
  g_clear_object (&fixture->admin_user);
  g_clear_object (&fixture->chief);
  qoima_store_close (fixture->store);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->admin);
  g_free (fixture->base_url);
  g_free (fixture->admin_url);
  g_free (fixture->admin_token);
  g_free (fixture->db_path);
  g_free (fixture->stand_db);
}

/* The stand's admin interface: plain blocking HTTP is fine in a test. */
static JsonNode *
admin_call (Fixture    *fixture,
            const char *method,
            const char *path,
            const char *body)
{
  g_autofree char *url = g_strdup_printf ("%s/%s", fixture->admin_url, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  soup_message_headers_append (soup_message_get_request_headers (msg), "X-Stand-Token", fixture->admin_token);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (fixture->admin, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  node = qoima_json_parse_bytes (answer, &error);
  g_assert_no_error (error);
  return node;
}

/* Creates an act of @n_packs packs of two demo products (boxes of @box_size when > 0). */
static JsonNode *
create_act (Fixture *fixture,
            int      n_packs,
            int      box_size)
{
  g_autoptr(GPtrArray) products = qoima_demo_products ();
  g_autofree char *body = g_strdup_printf (
    "{\"sender\":\"" SK_PHARMACIA_BIN "\",\"receiver\":\"" HOSPITAL_BIN "\",\"box_size\":%d,"
    "\"lines\":[{\"gtin\":\"%s\",\"packs\":%d},{\"gtin\":\"%s\",\"packs\":%d}]}",
    box_size,
    qoima_product_get_gtin (g_ptr_array_index (products, 0)), n_packs / 2,
    qoima_product_get_gtin (g_ptr_array_index (products, 1)), n_packs - n_packs / 2);

  return admin_call (fixture, "POST", "acts", body);
}

static char *
code_owner (Fixture    *fixture,
            const char *ki,
            char      **status)
{
  g_autofree char *escaped = g_uri_escape_string (ki, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("codes/%s", escaped);
  g_autoptr(JsonNode) node = admin_call (fixture, "GET", path, NULL);
  JsonObject *object = json_node_get_object (node);
  const char *owner = qoima_json_get_string (object, "ownerInn");

  if (owner == NULL)
    owner = qoima_json_get_string (object, "owner");
  if (status != NULL)
    *status = g_strdup (qoima_json_get_string (object, "status"));
  return g_strdup (owner);
}

static guint
stand_documents (Fixture    *fixture,
                 const char *type,
                 const char *document_number)
{
  g_autofree char *path = g_strdup_printf ("documents?type=%s", type);
  g_autoptr(JsonNode) node = admin_call (fixture, "GET", path, NULL);
  JsonArray *array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node)
                                                 : qoima_json_get_array (json_node_get_object (node), "documents");
  guint count = 0;

  g_assert_nonnull (array);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *doc = qoima_json_array_get_object (array, i);
      const char *number = qoima_json_get_string (doc, "document_number");

      if (number == NULL)
        number = qoima_json_get_string (doc, "documentNumber");
      if (document_number == NULL || g_strcmp0 (number, document_number) == 0)
        count++;
    }
  return count;
}

static int
pull (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int n;

  qoima_sync_pull_async (fixture->sync, NULL, qoima_test_result_cb, &result);
  n = qoima_sync_pull_finish (fixture->sync, wait_result (&result), &error);
  g_assert_no_error (error);
  return n;
}

static QoimaAct *
find_act (Fixture    *fixture,
          const char *ismpt_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) acts = NULL;

  qoima_store_list_acts_async (fixture->store, NULL, qoima_test_result_cb, &result);
  acts = qoima_store_list_acts_finish (fixture->store, wait_result (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (acts); i++)
    {
      g_autoptr(QoimaAct) act = g_list_model_get_item (acts, i);

      if (g_strcmp0 (qoima_act_get_ismpt_id (act), ismpt_id) == 0)
        return g_steal_pointer (&act);
    }
  return NULL;
}

static gint64
answer (Fixture         *fixture,
        gint64           act_id,
        QoimaAcceptance  acceptance,
        GHashTable      *accepted)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  qoima_sync_answer_act_async (fixture->sync, act_id, acceptance, accepted, fixture->signer, fixture->chief,
                               NULL, qoima_test_result_cb, &result);
  id = qoima_sync_answer_act_finish (fixture->sync, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gboolean
push (Fixture  *fixture,
      GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_sync_push_async (fixture->sync, NULL, qoima_test_result_cb, &result);
  return qoima_sync_push_finish (fixture->sync, wait_result (&result), error);
}

static gint64
count_packs (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 n;

  qoima_store_count_packs_async (fixture->store, NULL, qoima_test_result_cb, &result);
  n = qoima_store_count_packs_finish (fixture->store, wait_result (&result), &error);
  g_assert_no_error (error);
  return n;
}

/* Accepts the whole @act and sends it: ИС МПТ accepted it, @n_packs are in stock, and
 * every one of @codes is the hospital's, in circulation. */
static void
accept_all_and_check (Fixture   *fixture,
                      QoimaAct  *act,
                      JsonArray *codes,
                      gint64     n_packs)
{
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(GError) error = NULL;

  answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);

  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_ACCEPTED);
  g_assert_cmpint (count_packs (fixture), ==, n_packs);
  for (guint i = 0; i < json_array_get_length (codes); i++)
    {
      g_autofree char *status = NULL;
      g_autofree char *owner = code_owner (fixture, qoima_json_array_get_string (codes, i), &status);

      g_assert_cmpstr (owner, ==, HOSPITAL_BIN);
      g_assert_cmpstr (status, ==, "INTRODUCED");
    }
}

static void
test_accept_all (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 24, 0);
  JsonObject *act_json = json_node_get_object (created);
  JsonArray *codes = qoima_json_get_array (act_json, "codes");
  g_autoptr(QoimaAct) act = NULL;
  gint64 before = count_packs (fixture);

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  g_assert_nonnull (act);
  g_assert_cmpint (qoima_act_get_packs (act), ==, 24);
  g_assert_cmpint (qoima_act_get_status (act), ==, QOIMA_ACT_STATUS_WAITING);
  /* Pulling again loads nothing new. */
  g_assert_cmpint (pull (fixture), ==, 0);

  accept_all_and_check (fixture, act, codes, before + 24);
  g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", NULL), ==, 1);
}

static void
test_partial_with_boxes (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 40, 10);
  JsonObject *act_json = json_node_get_object (created);
  JsonArray *boxes = qoima_json_get_array (act_json, "boxes");
  JsonObject *box0 = qoima_json_array_get_object (boxes, 0);
  JsonArray *box1_codes = qoima_json_get_array (qoima_json_array_get_object (boxes, 1), "codes");
  JsonArray *box2_codes = qoima_json_get_array (qoima_json_array_get_object (boxes, 2), "codes");
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GAsyncResult) r4 = NULL;
  gint64 before = count_packs (fixture);
  int n_packs = 0;
  g_autofree char *owner_in = NULL;
  g_autofree char *owner_out = NULL;
  g_autofree char *owner_box = NULL;

  g_assert_cmpuint (json_array_get_length (boxes), ==, 4);
  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  g_assert_cmpint (qoima_act_get_packs (act), ==, 40);

  /* The clerk scans one whole box and two loose packs of another; a code from elsewhere and
   * a second scan of the box are told apart. */
  qoima_store_mark_act_code_async (fixture->store, qoima_act_get_id (act),
                                   qoima_json_get_string (box0, "sscc"), NULL, qoima_test_result_cb, &r1);
  g_assert_cmpint (qoima_store_mark_act_code_finish (fixture->store, wait_result (&r1), &n_packs, &error), ==,
                   QOIMA_ACT_SCAN_MARKED);
  g_assert_cmpint (n_packs, ==, 10);
  qoima_store_mark_act_code_async (fixture->store, qoima_act_get_id (act),
                                   qoima_json_get_string (box0, "sscc"), NULL, qoima_test_result_cb, &r2);
  g_assert_cmpint (qoima_store_mark_act_code_finish (fixture->store, wait_result (&r2), NULL, &error), ==,
                   QOIMA_ACT_SCAN_AGAIN);
  qoima_store_mark_act_code_async (fixture->store, qoima_act_get_id (act),
                                   qoima_json_array_get_string (box1_codes, 0), NULL, qoima_test_result_cb, &r3);
  g_assert_cmpint (qoima_store_mark_act_code_finish (fixture->store, wait_result (&r3), NULL, &error), ==,
                   QOIMA_ACT_SCAN_MARKED);
  g_clear_object (&r3);
  qoima_store_mark_act_code_async (fixture->store, qoima_act_get_id (act),
                                   qoima_json_array_get_string (box1_codes, 1), NULL, qoima_test_result_cb, &r3);
  g_assert_cmpint (qoima_store_mark_act_code_finish (fixture->store, wait_result (&r3), NULL, &error), ==,
                   QOIMA_ACT_SCAN_MARKED);
  qoima_store_mark_act_code_async (fixture->store, qoima_act_get_id (act),
                                   "0104607000000014215NotInThisAct", NULL, qoima_test_result_cb, &r4);
  g_assert_cmpint (qoima_store_mark_act_code_finish (fixture->store, wait_result (&r4), NULL, &error), ==,
                   QOIMA_ACT_SCAN_NOT_IN_ACT);
  g_assert_no_error (error);

  /* Accept what was scanned, the rest refused. */
  answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_SOME, NULL);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);

  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_PARTIALLY_ACCEPTED);
  g_assert_cmpint (count_packs (fixture), ==, before + 12);
  owner_in = code_owner (fixture, qoima_json_array_get_string (box1_codes, 1), NULL);
  g_assert_cmpstr (owner_in, ==, HOSPITAL_BIN);
  owner_out = code_owner (fixture, qoima_json_array_get_string (box1_codes, 2), NULL);
  g_assert_cmpstr (owner_out, ==, SK_PHARMACIA_BIN);
  owner_box = code_owner (fixture, qoima_json_array_get_string (box2_codes, 0), NULL);
  g_assert_cmpstr (owner_box, ==, SK_PHARMACIA_BIN);
}

static void
test_reject (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 6, 0);
  JsonObject *act_json = json_node_get_object (created);
  JsonArray *codes = qoima_json_get_array (act_json, "codes");
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  gint64 before = count_packs (fixture);

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  answer (fixture, qoima_act_get_id (act), QOIMA_REJECT_ALL, NULL);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);

  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_REJECTED);
  g_assert_cmpint (count_packs (fixture), ==, before);
  owner = code_owner (fixture, qoima_json_array_get_string (codes, 0), NULL);
  g_assert_cmpstr (owner, ==, SK_PHARMACIA_BIN);
}

static void
test_wrong_key_refused (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 2, 0);
  JsonObject *act_json = json_node_get_object (created);
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(GError) error = NULL;

  /* A key that ИС МПТ does not trust (another CA copying the test CA's name, with the
   * chief's IIN and the hospital's BIN, so Qoima's own checks pass) signs: the stand refuses
   * it, and the act waits for a proper answer with the stand's reason shown; nothing enters
   * stock. (A key of another person or organization is refused before signing:
   * /sync/key-is-the-signers.) */
  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  g_clear_object (&fixture->signer);
  fixture->signer = load_key ("foreign.p12");
  answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL);
  /* The push says so: the chief has to answer again. */
  g_assert_false (push (fixture, &error));
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_REFUSED);
  g_test_message ("push: %s", error->message);
  g_assert_nonnull (strstr (error->message, "подпис"));

  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_WAITING);
  g_assert_nonnull (qoima_act_get_errors (after));
  g_test_message ("refusal shown: %s", qoima_act_get_errors (after));
  g_assert_nonnull (strstr (qoima_act_get_errors (after), "подпис"));
  g_assert_cmpstr (qoima_act_get_state_label (after), ==, "Answer refused by ИС МПТ");
  g_assert_nonnull (strstr (qoima_act_get_state_reason (after), "подпис"));
}

static GPtrArray *
outbox (Fixture  *fixture,
        gboolean  all)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries;

  qoima_store_list_outbox_async (fixture->store, all, NULL, qoima_test_result_cb, &result);
  entries = qoima_store_list_outbox_finish (fixture->store, wait_result (&result), &error);
  g_assert_no_error (error);
  return entries;
}

static void
test_crash_before_answer (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 10, 0);
  JsonObject *act_json = json_node_get_object (created);
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GAsyncResult) sent = NULL;
  g_autoptr(GAsyncResult) marked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ismpt_id = NULL;
  QoimaOutboxEntry *entry;
  gint64 before = count_packs (fixture);

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL);

  /* What a crash right after sending leaves: the entry says "sending", and ИС МПТ has the
   * document, but its id never reached the warehouse. */
  pending = outbox (fixture, FALSE);
  g_assert_cmpuint (pending->len, ==, 1);
  entry = g_ptr_array_index (pending, 0);
  qoima_store_update_outbox_async (fixture->store, entry->id, QOIMA_OUTBOX_SENDING, NULL, NULL, TRUE,
                                   NULL, qoima_test_result_cb, &marked);
  g_assert_true (qoima_store_update_outbox_finish (fixture->store, wait_result (&marked), &error));
  qoima_ismpt_client_create_document_async (fixture->client, entry->doc_type, entry->document,
                                            entry->signature, NULL, qoima_test_result_cb, &sent);
  ismpt_id = qoima_ismpt_client_create_document_finish (fixture->client, wait_result (&sent), &error);
  g_assert_no_error (error);

  /* A restarted Qoima (new client, new sync) resumes: it asks before sending again. */
  connect_client (fixture);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", entry->document_number), ==, 1);
  all = outbox (fixture, TRUE);
  entry = g_ptr_array_index (all, 0);
  g_assert_cmpint (entry->state, ==, QOIMA_OUTBOX_DONE);
  g_assert_cmpstr (entry->ismpt_id, ==, ismpt_id);
  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_ACCEPTED);
  g_assert_cmpint (count_packs (fixture), ==, before + 10);
}

/* Issue 9: after a crash, the document is looked for through every page of doc/list. Two
 * acceptances reach ИС МПТ and their ids are lost; the stand lists one document a page, the
 * newest first, so the first entry's document is on page 2. Each is found, none sent twice. */
static void
test_crash_before_answer_paged (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(JsonNode) first = create_act (fixture, 2, 0);
  g_autoptr(JsonNode) second = create_act (fixture, 2, 0);
  JsonNode *created[] = { first, second };
  g_autoptr(JsonNode) faults = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pull (fixture), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (created); i++)
    {
      g_autoptr(QoimaAct) act = find_act (fixture, qoima_json_get_string (json_node_get_object (created[i]), "id"));

      answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL);
    }
  pending = outbox (fixture, FALSE);
  g_assert_cmpuint (pending->len, ==, 2);
  for (guint i = 0; i < pending->len; i++)
    {
      QoimaOutboxEntry *entry = g_ptr_array_index (pending, i);
      g_autoptr(GAsyncResult) marked = NULL;
      g_autoptr(GAsyncResult) sent = NULL;
      g_autofree char *ismpt_id = NULL;

      qoima_store_update_outbox_async (fixture->store, entry->id, QOIMA_OUTBOX_SENDING, NULL, NULL, TRUE,
                                       NULL, qoima_test_result_cb, &marked);
      g_assert_true (qoima_store_update_outbox_finish (fixture->store, wait_result (&marked), &error));
      qoima_ismpt_client_create_document_async (fixture->client, entry->doc_type, entry->document,
                                                entry->signature, NULL, qoima_test_result_cb, &sent);
      ismpt_id = qoima_ismpt_client_create_document_finish (fixture->client, wait_result (&sent), &error);
      g_assert_no_error (error);
    }
  faults = admin_call (fixture, "POST", "faults", "{\"list_page_size\":1}");

  connect_client (fixture);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);

  all = outbox (fixture, TRUE);
  g_assert_cmpuint (all->len, ==, 2);
  for (guint i = 0; i < all->len; i++)
    {
      QoimaOutboxEntry *entry = g_ptr_array_index (all, i);

      g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", entry->document_number), ==, 1);
      g_assert_cmpint (entry->state, ==, QOIMA_OUTBOX_DONE);
    }
  g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", NULL), ==, 2);
}

/* Issue 9: ИС МПТ stored the document but its answer was lost (a 500 after storing), and its
 * list shows new documents late. The next sync finds nothing listed and waits instead of
 * sending the document again; once the list shows it, the answer is taken from there. One
 * document reaches ИС МПТ. (A sync that re-sent whatever the list does not show fails here.) */
static void
test_lost_answer_late_list (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 3, 0);
  g_autoptr(JsonNode) faults = NULL;
  g_autoptr(JsonNode) healed = NULL;
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  QoimaOutboxEntry *entry;
  gint64 deadline;

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (json_node_get_object (created), "id"));
  answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL);
  faults = admin_call (fixture, "POST", "faults", "{\"after_store\":\"error\",\"after_store_rate\":1,\"list_lag_seconds\":4}");

  g_assert_false (push (fixture, &error));
  g_test_message ("answer lost: %s", error->message);
  g_clear_error (&error);
  healed = admin_call (fixture, "POST", "faults", "{\"after_store\":\"none\"}");

  /* The list does not show it yet: the entry waits, still "sending". */
  g_assert_false (push (fixture, &error));
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_UNKNOWN_OUTCOME);
  g_test_message ("list late: %s", error->message);
  g_clear_error (&error);
  pending = outbox (fixture, FALSE);
  g_assert_cmpuint (pending->len, ==, 1);
  entry = g_ptr_array_index (pending, 0);
  g_assert_cmpint (entry->state, ==, QOIMA_OUTBOX_SENDING);
  g_assert_nonnull (entry->sent_at);
  g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", NULL), ==, 1);

  /* Later syncs find it listed and take its answer. */
  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  while (!push (fixture, &error))
    {
      g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_UNKNOWN_OUTCOME);
      g_clear_error (&error);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (500 * 1000);
    }
  g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", NULL), ==, 1);
  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_ACCEPTED);
}

/* A document whose request could not even connect was never at ИС МПТ: it waits "ready",
 * and is sent when ИС МПТ is back, without waiting for the list's grace. */
static void
test_not_connected_waits_ready (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 2, 0);
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (json_node_get_object (created), "id"));
  answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL);
  stop_stand (fixture);
  g_assert_false (push (fixture, &error));
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NO_NETWORK);
  g_clear_error (&error);
  pending = outbox (fixture, FALSE);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (((QoimaOutboxEntry *) g_ptr_array_index (pending, 0))->state, ==, QOIMA_OUTBOX_READY);

  start_stand (fixture, NULL);
  connect_client (fixture);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", NULL), ==, 1);
  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_ACCEPTED);
}

static void
test_stand_down_then_back (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 4, 0);
  JsonObject *act_json = json_node_get_object (created);
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = count_packs (fixture);

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL);

  /* ИС МПТ is down: the answer waits in the outbox, the warehouse is unchanged. */
  stop_stand (fixture);
  g_assert_false (push (fixture, &error));
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NO_NETWORK);
  g_clear_error (&error);
  pending = outbox (fixture, FALSE);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (count_packs (fixture), ==, before);

  /* Back on the same database (it kept its state): the answer leaves exactly once. */
  start_stand (fixture, NULL);
  connect_client (fixture);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);
  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_ACCEPTED);
  g_assert_cmpint (count_packs (fixture), ==, before + 4);
  g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", NULL), ==, 1);
}

static void
test_flaky_stand (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) all = NULL;
  gint64 before = count_packs (fixture);
  int round;

  /* A stand that fails a third of the calls (or cuts answers in half, or does not answer):
   * sync is simply run again until nothing waits; every act ends accepted, ИС МПТ got each
   * answer exactly once, and no broken answer wrote anything. */
  for (int i = 0; i < 5; i++)
    g_ptr_array_add (created, create_act (fixture, 6, i % 2 ? 3 : 0));
  /* This stand's faults come before its handler, so a refused call stored nothing, and its
   * list is never late: an unlisted document may be sent again at once. (The wait for a late
   * list: /sync/lost-answer-late-list-not-sent-twice.) */
  qoima_sync_set_list_grace (fixture->sync, 0);

  for (round = 0; round < 60; round++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GListModel) acts = NULL;
      g_autoptr(GAsyncResult) listed = NULL;
      guint waiting = 0;

      qoima_sync_run_async (fixture->sync, NULL, qoima_test_result_cb, &result);
      qoima_sync_run_finish (fixture->sync, wait_result (&result), &error);

      qoima_store_list_acts_async (fixture->store, NULL, qoima_test_result_cb, &listed);
      acts = qoima_store_list_acts_finish (fixture->store, wait_result (&listed), NULL);
      for (guint i = 0; i < g_list_model_get_n_items (acts); i++)
        {
          g_autoptr(QoimaAct) act = g_list_model_get_item (acts, i);

          if (qoima_act_get_status (act) == QOIMA_ACT_STATUS_WAITING && qoima_act_get_errors (act) == NULL)
            {
              g_autoptr(GAsyncResult) answered = NULL;
              g_autoptr(GError) answer_error = NULL;

              qoima_sync_answer_act_async (fixture->sync, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL,
                                           fixture->signer, fixture->chief, NULL, qoima_test_result_cb, &answered);
              qoima_sync_answer_act_finish (fixture->sync, wait_result (&answered), &answer_error);
              g_assert_no_error (answer_error);
            }
          if (qoima_act_get_status (act) != QOIMA_ACT_STATUS_ACCEPTED)
            waiting++;
        }
      if (g_list_model_get_n_items (acts) == created->len && waiting == 0)
        break;
    }
  g_test_message ("all acts accepted after %d sync rounds", round + 1);
  g_assert_cmpint (round, <, 60);

  g_assert_cmpint (count_packs (fixture), ==, before + 30);
  all = outbox (fixture, TRUE);
  g_assert_cmpuint (all->len, ==, created->len);
  for (guint i = 0; i < all->len; i++)
    {
      QoimaOutboxEntry *entry = g_ptr_array_index (all, i);

      g_assert_cmpint (entry->state, ==, QOIMA_OUTBOX_DONE);
      g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", entry->document_number), ==, 1);
    }
}

static QoimaUser *
add_user (Fixture    *fixture,
          QoimaUser  *acting,
          const char *name,
          QoimaRole   role,
          gint64      ward_id)
{
  return make_user (fixture->store, acting, name, role, ward_id);
}

static int
withdraw (Fixture            *fixture,
          QoimaUser          *user,
          const char * const *kis,
          GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_sync_withdraw_async (fixture->sync, fixture->signer, user, kis, NULL, qoima_test_result_cb, &result);
  return qoima_sync_withdraw_finish (fixture->sync, wait_result (&result), error);
}

/* Accepts a new act of @n_packs through the stand, so ИС МПТ knows the packs as the
 * hospital's; returns the act's codes. */
static GStrv
receive_packs (Fixture *fixture,
               int      n_packs)
{
  g_autoptr(JsonNode) created = create_act (fixture, n_packs, 0);
  JsonObject *act_json = json_node_get_object (created);
  JsonArray *codes = qoima_json_get_array (act_json, "codes");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (codes); i++)
    g_strv_builder_add (builder, qoima_json_array_get_string (codes, i));
  return g_strv_builder_end (builder);
}

/* Moves @ki to the first ward and has a nurse use it up: its withdrawal is then owed. */
static void
use_up (Fixture    *fixture,
        const char *ki)
{
  const char *kis[] = { ki, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(GAsyncResult) moved = NULL;
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(QoimaLocation) ward = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  g_autoptr(QoimaPack) pack = NULL;
  g_autofree char *clerk_name = g_strdup_printf ("clerk-%.8s", ki + 18);
  g_autofree char *nurse_name = g_strdup_printf ("nurse-%.8s", ki + 18);
  int units;

  qoima_store_list_locations_async (fixture->store, NULL, qoima_test_result_cb, &listed);
  locations = qoima_store_list_locations_finish (fixture->store, wait_result (&listed), &error);
  g_assert_no_error (error);
  ward = g_list_model_get_item (locations, 1);
  clerk = add_user (fixture, fixture->admin_user, clerk_name, QOIMA_ROLE_CLERK, 0);
  nurse = add_user (fixture, fixture->admin_user, nurse_name, QOIMA_ROLE_NURSE, qoima_location_get_id (ward));
  qoima_store_transfer_packs_async (fixture->store, clerk, kis, qoima_location_get_id (ward), NULL, qoima_test_result_cb, &moved);
  g_assert_cmpint (qoima_store_transfer_packs_finish (fixture->store, wait_result (&moved), NULL, &error), ==, 1);
  g_assert_no_error (error);
  qoima_store_find_pack_async (fixture->store, ki, NULL, qoima_test_result_cb, &found);
  pack = qoima_store_find_pack_finish (fixture->store, wait_result (&found), &error);
  g_assert_no_error (error);
  units = qoima_pack_get_units_left (pack);
  for (int i = 0; i < units; i++)
    {
      g_autoptr(GAsyncResult) used = NULL;
      g_autoptr(QoimaUseResult) use = NULL;

      qoima_store_use_units_async (fixture->store, nurse, ki, "MK2041", 1, NULL, qoima_test_result_cb, &used);
      use = qoima_store_use_units_finish (fixture->store, wait_result (&used), &error);
      g_assert_no_error (error);
      g_assert_true (use->withdrawal_owed == (i == units - 1));
    }
}

static QoimaPackStatus
pack_status (Fixture    *fixture,
             const char *ki)
{
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(QoimaPack) pack = NULL;
  g_autoptr(GError) error = NULL;

  qoima_store_find_pack_async (fixture->store, ki, NULL, qoima_test_result_cb, &found);
  pack = qoima_store_find_pack_finish (fixture->store, wait_result (&found), &error);
  g_assert_no_error (error);
  return qoima_pack_get_status (pack);
}

static int
write_off (Fixture               *fixture,
           QoimaUser             *user,
           const char            *ki,
           QoimaWithdrawalReason  reason,
           GError               **error)
{
  const char *kis[] = { ki, NULL };
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_write_off_async (fixture->store, user, kis, reason, NULL, qoima_test_result_cb, &result);
  return qoima_store_write_off_finish (fixture->store, wait_result (&result), error);
}

static char *
stand_withdraw_reason (Fixture    *fixture,
                       const char *ki)
{
  g_autofree char *escaped = g_uri_escape_string (ki, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("codes/%s", escaped);
  g_autoptr(JsonNode) node = admin_call (fixture, "GET", path, NULL);

  return g_strdup (qoima_json_get_string (json_node_get_object (node), "withdrawReason"));
}

static void
test_withdrawal (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 2, 0);
  JsonObject *act_json = json_node_get_object (created);
  const char *ki = qoima_json_array_get_string (qoima_json_get_array (act_json, "codes"), 0);
  const char *kis[] = { ki, NULL };
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(QoimaLocation) ward = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  g_autoptr(GAsyncResult) moved = NULL;
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GAsyncResult) after = NULL;
  g_autoptr(QoimaPack) pack = NULL;
  g_autoptr(QoimaPack) final = NULL;
  g_autofree char *status = NULL;
  g_autofree char *owner = NULL;
  int units;

  /* Received through an accepted act, so ИС МПТ knows the packs as the hospital's. */
  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);

  qoima_store_list_locations_async (fixture->store, NULL, qoima_test_result_cb, &listed);
  locations = qoima_store_list_locations_finish (fixture->store, wait_result (&listed), &error);
  g_assert_no_error (error);
  ward = g_list_model_get_item (locations, 1);
  g_assert_cmpint (qoima_location_get_kind (ward), ==, QOIMA_LOCATION_KIND_WARD);
  admin = g_object_ref (fixture->admin_user);
  clerk = add_user (fixture, admin, "aigul", QOIMA_ROLE_CLERK, 0);
  nurse = add_user (fixture, admin, "dana", QOIMA_ROLE_NURSE, qoima_location_get_id (ward));

  qoima_store_transfer_packs_async (fixture->store, clerk, kis, qoima_location_get_id (ward), NULL, qoima_test_result_cb, &moved);
  g_assert_cmpint (qoima_store_transfer_packs_finish (fixture->store, wait_result (&moved), NULL, &error), ==, 1);
  g_assert_no_error (error);

  /* The nurse gives the whole pack, one unit at a time; only then is its withdrawal owed. */
  qoima_store_find_pack_async (fixture->store, ki, NULL, qoima_test_result_cb, &found);
  pack = qoima_store_find_pack_finish (fixture->store, wait_result (&found), &error);
  g_assert_no_error (error);
  units = qoima_pack_get_units_left (pack);
  g_assert_cmpint (units, >, 0);
  for (int i = 0; i < units; i++)
    {
      g_autoptr(GAsyncResult) used = NULL;
      g_autoptr(GAsyncResult) owed_listed = NULL;
      g_autoptr(QoimaUseResult) use = NULL;
      g_auto(GStrv) owed = NULL;

      qoima_store_use_units_async (fixture->store, nurse, ki, i % 2 ? "850715400238" : "MK2041", 1, NULL,
                                   qoima_test_result_cb, &used);
      use = qoima_store_use_units_finish (fixture->store, wait_result (&used), &error);
      g_assert_no_error (error);
      qoima_store_list_owed_withdrawals_async (fixture->store, NULL, qoima_test_result_cb, &owed_listed);
      owed = qoima_store_list_owed_withdrawals_finish (fixture->store, wait_result (&owed_listed), &error);
      g_assert_cmpuint (g_strv_length (owed), ==, i == units - 1 ? 1 : 0);
    }

  /* The chief signs the withdrawal; it leaves through the outbox and ИС МПТ retires the code. */
  /* A nurse or a clerk cannot sign: the core refuses, whatever the window shows. */
  g_assert_cmpint (withdraw (fixture, nurse, NULL, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpint (withdraw (fixture, clerk, NULL, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpint (withdraw (fixture, fixture->chief, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (withdraw (fixture, fixture->chief, NULL, &error), ==, 0);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);

  owner = code_owner (fixture, ki, &status);
  g_assert_cmpstr (status, ==, "RETIRED");
  g_assert_cmpstr (owner, ==, HOSPITAL_BIN);
  g_assert_cmpuint (stand_documents (fixture, "LK_RECEIPT", NULL), ==, 1);
  qoima_store_find_pack_async (fixture->store, ki, NULL, qoima_test_result_cb, &after);
  final = qoima_store_find_pack_finish (fixture->store, wait_result (&after), &error);
  g_assert_cmpint (qoima_pack_get_status (final), ==, QOIMA_PACK_STATUS_WITHDRAWN);
}

/* The entry of list_withdrawals for @ki: its reason and its state, as the user is told. */
static void
withdrawal_entry (Fixture     *fixture,
                  const char  *ki,
                  char       **reason,
                  char       **state)
{
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(JsonNode) withdrawals = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  *reason = *state = NULL;
  qoima_store_list_withdrawals_async (fixture->store, NULL, qoima_test_result_cb, &listed);
  withdrawals = qoima_store_list_withdrawals_finish (fixture->store, wait_result (&listed), &error);
  g_assert_no_error (error);
  array = json_node_get_array (withdrawals);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *entry = qoima_json_array_get_object (array, i);

      if (g_strcmp0 (qoima_json_get_string (entry, "pack"), ki) != 0)
        continue;
      *reason = g_strdup (qoima_json_get_string (entry, "reason"));
      *state = g_strdup (qoima_json_get_string (entry, "state"));
    }
}

/* R002-4: a pack dispensed whole to an outpatient on an e-prescription leaves circulation
 * for its own reason (DISPENSED, the document's action RETAIL), not for medical use: owed
 * at the dispensing, waiting in the outbox once signed (not yet sent), then retired by the
 * stand under the same rules as any withdrawal (the hospital's code, in circulation). */
static void
test_dispensed_withdrawal (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_auto(GStrv) kis = receive_packs (fixture, 2);
  g_autoptr(QoimaUser) clerk = add_user (fixture, fixture->admin_user, "aigul", QOIMA_ROLE_CLERK, 0);
  g_autoptr(GPtrArray) prices = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_limit_price_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GAsyncResult) imported = NULL;
  g_autoptr(GAsyncResult) dispensed = NULL;
  g_autoptr(GAsyncResult) owed_listed = NULL;
  g_autoptr(GAsyncResult) after = NULL;
  g_autoptr(QoimaPack) pack = NULL;
  g_autoptr(QoimaPack) final = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) owed = NULL;
  g_autofree char *status = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *retail = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *state = NULL;
  QoimaLimitPrice *limit = g_new0 (QoimaLimitPrice, 1);
  QoimaPrescription rx = { 0 };
  QoimaProduct *product;

  qoima_store_find_pack_async (fixture->store, kis[0], NULL, qoima_test_result_cb, &found);
  pack = qoima_store_find_pack_finish (fixture->store, wait_result (&found), &error);
  g_assert_no_error (error);
  product = qoima_pack_get_product (pack);
  g_assert_nonnull (qoima_product_get_inn (product));

  limit->inn = g_strdup (qoima_product_get_inn (product));
  limit->form = g_strdup (qoima_product_get_form (product));
  limit->dosage = g_strdup (qoima_product_get_dosage (product));
  limit->unit = g_strdup ("таблетка");
  limit->price = 100;
  limit->valid_from = g_strdup ("2020-01-01");
  g_ptr_array_add (prices, limit);
  qoima_store_copay_import_prices_async (fixture->store, fixture->admin_user, prices, NULL,
                                         qoima_test_result_cb, &imported);
  g_assert_cmpint (qoima_store_copay_import_prices_finish (fixture->store, wait_result (&imported), &error), ==, 1);
  g_assert_no_error (error);

  rx.number = (char *) "RX-S-0001";
  rx.date = today;
  rx.patient_iin = (char *) "800101300706";
  rx.icd10 = (char *) "E11.9";
  rx.inn = limit->inn;
  rx.form = limit->form;
  rx.dosage = limit->dosage;
  rx.quantity = 1;
  qoima_store_copay_dispense_async (fixture->store, clerk, &rx, kis[0], 250000, "000901", NULL, NULL,
                                    qoima_test_result_cb, &dispensed);
  g_assert_cmpint (qoima_store_copay_dispense_finish (fixture->store, wait_result (&dispensed), &error), >, 0);
  g_assert_no_error (error);

  /* Owed for its own reason, and sent automatically as a used-up pack's is: no write-off. */
  qoima_store_list_owed_async (fixture->store, NULL, qoima_test_result_cb, &owed_listed);
  owed = qoima_store_list_owed_finish (fixture->store, wait_result (&owed_listed), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (owed), ==, 2);
  g_assert_cmpstr (owed[0], ==, kis[0]);
  g_assert_cmpstr (owed[1], ==, "DISPENSED");
  g_assert_false (qoima_withdrawal_reason_is_write_off (QOIMA_WITHDRAWAL_DISPENSED));
  g_assert_cmpstr (qoima_withdrawal_reason_to_action (QOIMA_WITHDRAWAL_DISPENSED), ==, "RETAIL");
  withdrawal_entry (fixture, kis[0], &reason, &state);
  g_assert_cmpstr (reason, ==, "DISPENSED");
  g_assert_cmpstr (state, ==, "owed");
  g_clear_pointer (&reason, g_free);
  g_clear_pointer (&state, g_free);

  /* Signed: waiting in the outbox, which is not sent (R002-4's status as it is). */
  g_assert_cmpint (withdraw (fixture, fixture->chief, NULL, &error), ==, 1);
  g_assert_no_error (error);
  withdrawal_entry (fixture, kis[0], &reason, &state);
  g_assert_cmpstr (reason, ==, "DISPENSED");
  g_assert_cmpstr (state, ==, "waiting");
  g_clear_pointer (&reason, g_free);
  g_clear_pointer (&state, g_free);
  owner = code_owner (fixture, kis[0], &status);
  g_assert_cmpstr (status, ==, "INTRODUCED");
  g_clear_pointer (&owner, g_free);
  g_clear_pointer (&status, g_free);

  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);
  owner = code_owner (fixture, kis[0], &status);
  g_assert_cmpstr (status, ==, "RETIRED");
  g_assert_cmpstr (owner, ==, HOSPITAL_BIN);
  /* The document the stand recorded carried the dispensing's action. */
  retail = stand_withdraw_reason (fixture, kis[0]);
  g_assert_cmpstr (retail, ==, "RETAIL");
  withdrawal_entry (fixture, kis[0], &reason, &state);
  g_assert_cmpstr (state, ==, "accepted");
  /* Withdrawn, not written off: a dispensing is no write-off. */
  qoima_store_find_pack_async (fixture->store, kis[0], NULL, qoima_test_result_cb, &after);
  final = qoima_store_find_pack_finish (fixture->store, wait_result (&after), &error);
  g_assert_no_error (error);
  g_assert_cmpint (qoima_pack_get_status (final), ==, QOIMA_PACK_STATUS_WITHDRAWN);

  /* Nor is it a reason the chief may write a pack off for. */
  g_assert_cmpint (write_off (fixture, fixture->chief, kis[1], QOIMA_WITHDRAWAL_DISPENSED, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
}

static void
test_write_offs (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_auto(GStrv) kis = receive_packs (fixture, 4);
  g_autoptr(QoimaUser) clerk = add_user (fixture, fixture->admin_user, "aigul", QOIMA_ROLE_CLERK, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(JsonNode) withdrawals = NULL;
  g_autofree char *status = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *reason = NULL;
  const char *both[3];

  /* The guards, before anything is recorded. */
  g_assert_cmpint (write_off (fixture, clerk, kis[0], QOIMA_WITHDRAWAL_DAMAGED, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpint (write_off (fixture, fixture->chief, kis[0], QOIMA_WITHDRAWAL_EXPIRED, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (write_off (fixture, fixture->chief, kis[0], QOIMA_WITHDRAWAL_MEDICAL_USE, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (write_off (fixture, fixture->chief, "0104600000000000215NOTOURS", QOIMA_WITHDRAWAL_LOST, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpint (write_off (fixture, fixture->chief, kis[0], QOIMA_WITHDRAWAL_DAMAGED, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (write_off (fixture, fixture->chief, kis[0], QOIMA_WITHDRAWAL_LOST, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (write_off (fixture, fixture->chief, kis[1], QOIMA_WITHDRAWAL_LOST, &error), ==, 1);
  g_assert_cmpint (write_off (fixture, fixture->chief, kis[2], QOIMA_WITHDRAWAL_RECALLED, &error), ==, 1);
  g_assert_no_error (error);

  /* Two packs in one call: one bad code, and nothing is recorded. */
  both[0] = kis[3];
  both[1] = kis[2];
  both[2] = NULL;
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_write_off_async (fixture->store, fixture->chief, both, QOIMA_WITHDRAWAL_DAMAGED, NULL,
                                 qoima_test_result_cb, &result);
    g_assert_cmpint (qoima_store_write_off_finish (fixture->store, wait_result (&result), &error), ==, -1);
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
    g_clear_error (&error);
  }

  /* A pack being written off can be neither moved nor used. */
  {
    g_autoptr(GListModel) locations = NULL;
    g_autoptr(QoimaLocation) ward = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GAsyncResult) moved = NULL;
    const char *one[] = { kis[0], NULL };

    qoima_store_list_locations_async (fixture->store, NULL, qoima_test_result_cb, &result);
    locations = qoima_store_list_locations_finish (fixture->store, wait_result (&result), &error);
    ward = g_list_model_get_item (locations, 1);
    qoima_store_transfer_packs_async (fixture->store, clerk, one, qoima_location_get_id (ward), NULL, qoima_test_result_cb, &moved);
    g_assert_cmpint (qoima_store_transfer_packs_finish (fixture->store, wait_result (&moved), NULL, &error), ==, -1);
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
    g_clear_error (&error);
  }

  /* One document per reason: damaged, lost and recalled are three. */
  g_assert_cmpint (withdraw (fixture, fixture->chief, NULL, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stand_documents (fixture, "LK_RECEIPT", NULL), ==, 3);

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *stand_status = NULL;
      g_autofree char *stand_owner = code_owner (fixture, kis[i], &stand_status);

      g_assert_cmpstr (stand_status, ==, "RETIRED");
      g_assert_cmpstr (stand_owner, ==, HOSPITAL_BIN);
      g_assert_cmpint (pack_status (fixture, kis[i]), ==, QOIMA_PACK_STATUS_WRITTEN_OFF);
    }
  reason = stand_withdraw_reason (fixture, kis[0]);
  g_assert_cmpstr (reason, ==, "DAMAGE_LOSS");
  g_clear_pointer (&reason, g_free);
  reason = stand_withdraw_reason (fixture, kis[2]);
  g_assert_cmpstr (reason, ==, "PRODUCT_RECALL");
  owner = code_owner (fixture, kis[3], &status);
  g_assert_cmpstr (status, ==, "INTRODUCED");
  g_assert_cmpint (pack_status (fixture, kis[3]), ==, QOIMA_PACK_STATUS_IN_STOCK);

  /* A written-off pack cannot be written off again. */
  g_assert_cmpint (write_off (fixture, fixture->chief, kis[0], QOIMA_WITHDRAWAL_LOST, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  qoima_store_list_withdrawals_async (fixture->store, NULL, qoima_test_result_cb, &listed);
  withdrawals = qoima_store_list_withdrawals_finish (fixture->store, wait_result (&listed), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (withdrawals)), ==, 3);
  g_assert_cmpstr (qoima_json_get_string (qoima_json_array_get_object (json_node_get_array (withdrawals), 1), "reason"), ==, "LOST");
  g_assert_cmpstr (qoima_json_get_string (qoima_json_array_get_object (json_node_get_array (withdrawals), 1), "status"), ==, "done");
}

static void
test_withdraw_chosen (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_auto(GStrv) kis = receive_packs (fixture, 2);
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  g_autofree char *owner = NULL;
  const char *first[] = { kis[0], NULL };
  const char *second[] = { kis[1], NULL };

  use_up (fixture, kis[0]);
  g_assert_cmpint (write_off (fixture, fixture->chief, kis[1], QOIMA_WITHDRAWAL_DAMAGED, &error), ==, 1);

  /* Only the pack chosen is signed; a code not owed fails before anything is signed. */
  g_assert_cmpint (withdraw (fixture, fixture->chief, first, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (withdraw (fixture, fixture->chief, first, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);

  owner = code_owner (fixture, kis[0], &status);
  g_assert_cmpstr (status, ==, "RETIRED");
  g_assert_cmpint (pack_status (fixture, kis[0]), ==, QOIMA_PACK_STATUS_WITHDRAWN);
  g_clear_pointer (&status, g_free);
  g_clear_pointer (&owner, g_free);
  owner = code_owner (fixture, kis[1], &status);
  g_assert_cmpstr (status, ==, "INTRODUCED");
  g_assert_cmpint (pack_status (fixture, kis[1]), ==, QOIMA_PACK_STATUS_IN_STOCK);
  g_assert_cmpint (withdraw (fixture, fixture->chief, second, &error), ==, 1);
  g_assert_no_error (error);
}

static gboolean
run (Fixture  *fixture,
     GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_sync_run_async (fixture->sync, NULL, qoima_test_result_cb, &result);
  return qoima_sync_run_finish (fixture->sync, wait_result (&result), error);
}

static void
test_automatic_withdrawal (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_auto(GStrv) kis = receive_packs (fixture, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) set = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(QoimaContext) context = NULL;
  g_autofree char *status = NULL;
  g_autofree char *owner = NULL;

  use_up (fixture, kis[0]);
  g_assert_cmpint (write_off (fixture, fixture->chief, kis[1], QOIMA_WITHDRAWAL_DAMAGED, &error), ==, 1);

  /* The key opened at the workstation (the window's context hands it to the sync)... */
  settings = g_settings_new (BASE_APP_ID);
  context = qoima_context_new (fixture->store, settings);
  qoima_context_set_ismpt (context, fixture->client, fixture->sync);
  qoima_context_set_signer (context, fixture->signer);

  /* ...is not enough alone: the administrator must allow automatic sending. */
  g_assert_true (run (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stand_documents (fixture, "LK_RECEIPT", NULL), ==, 0);

  qoima_store_set_setting_async (fixture->store, fixture->admin_user, QOIMA_SETTING_AUTO_WITHDRAW, "true",
                                 NULL, qoima_test_result_cb, &set);
  g_assert_true (qoima_store_set_setting_finish (fixture->store, wait_result (&set), &error));
  g_assert_no_error (error);
  g_assert_true (run (fixture, &error));
  g_assert_no_error (error);

  /* Medical use went by itself; the write-off still waits for the chief. */
  g_assert_cmpuint (stand_documents (fixture, "LK_RECEIPT", NULL), ==, 1);
  owner = code_owner (fixture, kis[0], &status);
  g_assert_cmpstr (status, ==, "RETIRED");
  g_assert_cmpint (pack_status (fixture, kis[0]), ==, QOIMA_PACK_STATUS_WITHDRAWN);
  g_clear_pointer (&status, g_free);
  g_clear_pointer (&owner, g_free);
  owner = code_owner (fixture, kis[1], &status);
  g_assert_cmpstr (status, ==, "INTRODUCED");
  g_assert_cmpint (pack_status (fixture, kis[1]), ==, QOIMA_PACK_STATUS_IN_STOCK);

  /* Without the key (the chief signed out) it stops again. */
  qoima_context_set_signer (context, NULL);
  g_assert_true (run (fixture, &error));
  g_assert_cmpuint (stand_documents (fixture, "LK_RECEIPT", NULL), ==, 1);
}

static void
test_answer_needs_role (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 2, 0);
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaUser) admin = g_object_ref (fixture->admin_user);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(QoimaLocation) ward = NULL;
  g_autoptr(QoimaUser) nurse = NULL;

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (json_node_get_object (created), "id"));
  qoima_store_list_locations_async (fixture->store, NULL, qoima_test_result_cb, &listed);
  locations = qoima_store_list_locations_finish (fixture->store, wait_result (&listed), &error);
  ward = g_list_model_get_item (locations, 1);
  nurse = add_user (fixture, admin, "dana", QOIMA_ROLE_NURSE, qoima_location_get_id (ward));

  /* A nurse cannot accept acts (issue 4). */
  qoima_sync_answer_act_async (fixture->sync, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL, fixture->signer,
                               nurse, NULL, qoima_test_result_cb, &result);
  g_assert_cmpint (qoima_sync_answer_act_finish (fixture->sync, wait_result (&result), &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  {
    g_autoptr(GPtrArray) entries = outbox (fixture, TRUE);

    g_assert_cmpuint (entries->len, ==, 0);
  }
}

/* The same statement written for each engine where their dialects differ (triggers, JSON). */
#define ENGINE(sqlite, postgresql) (qoima_test_on_postgresql () ? (postgresql) : (sqlite))

/* Another connection on the warehouse's database, as another program would open it. */
static QoimaDb *
open_raw (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  QoimaDb *db = qoima_db_open (fixture->db_path, &error);

  g_assert_no_error (error);
  return db;
}

static void
raw_exec (Fixture    *fixture,
          const char *sql)
{
  g_autoptr(GError) error = NULL;
  QoimaDb *db = open_raw (fixture);

  g_assert_true (qoima_db_exec (db, sql, &error));
  g_assert_no_error (error);
  qoima_db_close (db);
}

static gint64
raw_int (Fixture    *fixture,
         const char *sql)
{
  g_autoptr(GError) error = NULL;
  QoimaDb *db = open_raw (fixture);
  gint64 value;

  {
    g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db, sql, &error);

    g_assert_no_error (error);
    g_assert_cmpint (qoima_db_step (stmt, &error), ==, QOIMA_DB_ROW);
    g_assert_no_error (error);
    value = qoima_db_column_int64 (stmt, 0);
  }
  qoima_db_close (db);
  return value;
}

/* ИС МПТ accepts an answer the warehouse cannot record (an injected failure: a trigger
 * refuses new packs): the answer is kept and said, and the next sync records it exactly
 * once, without asking ИС МПТ again. */
static void
test_answer_not_recorded (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 4, 0);
  JsonObject *act_json = json_node_get_object (created);
  const char *code = qoima_json_array_get_string (qoima_json_get_array (act_json, "codes"), 0);
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaAct) held = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *text = NULL;
  QoimaOutboxEntry *entry;
  gint64 before = count_packs (fixture);

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL);

  raw_exec (fixture, ENGINE ("CREATE TRIGGER test_no_packs BEFORE INSERT ON packs "
                             "BEGIN SELECT RAISE (ABORT, 'the test refuses new packs'); END",
                             "CREATE FUNCTION test_no_packs () RETURNS trigger LANGUAGE plpgsql AS $$"
                             "BEGIN RAISE EXCEPTION 'the test refuses new packs'"
                             "  USING ERRCODE = 'integrity_constraint_violation'; END $$;"
                             "CREATE TRIGGER test_no_packs BEFORE INSERT ON packs"
                             "  FOR EACH ROW EXECUTE FUNCTION test_no_packs ()"));
  g_assert_false (push (fixture, &error));
  g_test_message ("push: %s", error->message);
  g_assert_true (error->domain == QOIMA_STORE_ERROR);
  g_assert_nonnull (strstr (error->message, "could not record"));
  g_assert_nonnull (strstr (error->message, "the test refuses new packs"));
  g_clear_error (&error);

  /* ИС МПТ has it: the codes are the hospital's; the warehouse says it is not recorded yet. */
  owner = code_owner (fixture, code, NULL);
  g_assert_cmpstr (owner, ==, HOSPITAL_BIN);
  g_assert_cmpint (count_packs (fixture), ==, before);
  held = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (held), ==, QOIMA_ACT_STATUS_SENDING);
  g_assert_cmpint (qoima_act_get_answer_state (held), ==, QOIMA_DOCUMENT_NOT_RECORDED);
  g_assert_nonnull (strstr (qoima_act_get_state_reason (held), "the test refuses new packs"));
  text = qoima_act_describe_state (held);
  g_test_message ("act: %s", text);
  g_assert_nonnull (strstr (text, "next sync"));
  pending = outbox (fixture, FALSE);
  g_assert_cmpuint (pending->len, ==, 1);
  entry = g_ptr_array_index (pending, 0);
  g_assert_cmpint (entry->state, ==, QOIMA_OUTBOX_SENT);
  g_assert_cmpstr (entry->ismpt_status, ==, "CHECKED_OK");

  /* The cause gone, the next sync records it, even with ИС МПТ out of reach. */
  raw_exec (fixture, ENGINE ("DROP TRIGGER test_no_packs", "DROP TRIGGER test_no_packs ON packs"));
  stop_stand (fixture);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_packs (fixture), ==, before + 4);
  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_ACCEPTED);
  g_assert_cmpint (qoima_act_get_answer_state (after), ==, -1);

  /* Exactly once: another sync changes nothing, and ИС МПТ got one answer. */
  start_stand (fixture, NULL);
  connect_client (fixture);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_packs (fixture), ==, before + 4);
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM movements WHERE kind = 'receipt' AND reason LIKE 'act %'"), ==, 4);
  g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", NULL), ==, 1);
}

/* ИС МПТ refuses a withdrawal (a pack it does not know as the hospital's): the push says
 * so, and the pack is owed again with the refused document and its reason beside it. */
static void
test_refused_withdrawal (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(QoimaDemoPacks) packs = qoima_demo_packs_new (1);
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(JsonNode) withdrawals = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ki = NULL;
  QoimaDemoPack pack;
  JsonObject *row;

  /* The fixture's demo warehouse (seed 1) is not the stand's: ИС МПТ does not know its packs. */
  do
    qoima_demo_packs_next (packs, &pack);
  while (pack.location != 0);
  ki = g_strconcat ("01", pack.gtin, "21", pack.serial, NULL);
  g_assert_cmpint (write_off (fixture, fixture->chief, ki, QOIMA_WITHDRAWAL_DAMAGED, &error), ==, 1);
  g_assert_cmpint (withdraw (fixture, fixture->chief, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_false (push (fixture, &error));
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_REFUSED);
  g_test_message ("push: %s", error->message);
  g_assert_nonnull (strstr (error->message, "QW-"));

  qoima_store_list_withdrawals_async (fixture->store, NULL, qoima_test_result_cb, &listed);
  withdrawals = qoima_store_list_withdrawals_finish (fixture->store, wait_result (&listed), &error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (withdrawals)), ==, 1);
  row = qoima_json_array_get_object (json_node_get_array (withdrawals), 0);
  g_assert_cmpstr (qoima_json_get_string (row, "pack"), ==, ki);
  g_assert_cmpstr (qoima_json_get_string (row, "status"), ==, "owed");
  g_assert_cmpstr (qoima_json_get_string (row, "state"), ==, "owed");
  g_assert_true (g_str_has_prefix (qoima_json_get_string (row, "refused_document"), "QW-"));
  g_assert_nonnull (qoima_json_get_string (row, "refused_errors"));
  g_test_message ("refused: %s", qoima_json_get_string (row, "refused_errors"));
  g_assert_nonnull (strstr (error->message, qoima_json_get_string (row, "refused_errors")));
  g_assert_cmpint (pack_status (fixture, ki), ==, QOIMA_PACK_STATUS_IN_STOCK);
}

/* Without an AUTH key the answer waits in the outbox, never "sent", and says why. */
static void
test_no_auth_key_waits (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 2, 0);
  JsonObject *act_json = json_node_get_object (created);
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaAct) waiting = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  QoimaOutboxEntry *entry;

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  g_clear_object (&fixture->sync);
  g_clear_object (&fixture->client);
  fixture->client = qoima_ismpt_client_new (fixture->base_url, NULL);
  fixture->sync = qoima_sync_new (fixture->store, fixture->client);
  qoima_sync_set_poll (fixture->sync, 20, 10000);
  answer (fixture, qoima_act_get_id (act), QOIMA_ACCEPT_ALL, NULL);

  g_assert_false (push (fixture, &error));
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED);
  g_test_message ("push: %s", error->message);
  g_assert_nonnull (strstr (error->message, "AUTH"));
  g_clear_error (&error);

  pending = outbox (fixture, FALSE);
  entry = g_ptr_array_index (pending, 0);
  g_assert_cmpint (entry->state, ==, QOIMA_OUTBOX_READY);
  waiting = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_answer_state (waiting), ==, QOIMA_DOCUMENT_WAITING);
  g_assert_cmpstr (qoima_act_get_state_label (waiting), ==, "Waiting to be sent");
  text = qoima_act_describe_state (waiting);
  g_test_message ("act: %s", text);
  g_assert_true (g_str_has_prefix (text, "Waiting to be sent: "));
  g_assert_nonnull (strstr (text, "AUTH"));
  g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", NULL), ==, 0);

  /* With the key chosen, it leaves once. */
  connect_client (fixture);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);
  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_ACCEPTED);
  g_assert_cmpuint (stand_documents (fixture, "LP_ACCEPT_GOODS", NULL), ==, 1);
}

/* The first demo pack (qoima-demo.c, as the application fills it) at @location with
 * @units_left (-1: full), as an identification code. */
static char *
demo_pack (unsigned location,
           int      units_left)
{
  g_autoptr(QoimaDemoPacks) packs = qoima_demo_packs_new (QOIMA_DEMO_SEED);

  for (int i = 0; i < QOIMA_DEMO_DEFAULT_PACKS; i++)
    {
      QoimaDemoPack pack;

      qoima_demo_packs_next (packs, &pack);
      if (pack.location == location && pack.units_left == units_left)
        return g_strconcat ("01", pack.gtin, "21", pack.serial, NULL);
    }
  g_assert_not_reached ();
}

/* Issue 8: the demo warehouse and the local stand are one world. A pack of the demo is
 * withdrawn and another written off, as the hospital's; the stand's biggest act enters the
 * demo warehouse whole, none of its codes already there. */
static void
test_demo_world (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(QoimaUser) nurse = sign_in (fixture->store, "nurse", "4444");
  g_autofree char *used = demo_pack (1, -1);
  g_autofree char *damaged = demo_pack (0, -1);
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GAsyncResult) used_result = NULL;
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(QoimaPack) pack = NULL;
  g_autoptr(QoimaUseResult) use = NULL;
  g_autoptr(GListModel) acts = NULL;
  g_autoptr(QoimaAct) biggest = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *reason = NULL;
  gint64 before;

  /* The nurse of the first ward gives a whole pack of her ward's demo stock. */
  qoima_store_find_pack_async (fixture->store, used, NULL, qoima_test_result_cb, &found);
  pack = qoima_store_find_pack_finish (fixture->store, wait_result (&found), &error);
  g_assert_no_error (error);
  g_assert_cmpint (qoima_location_get_id (qoima_pack_get_location (pack)), ==, qoima_user_get_ward_id (nurse));
  qoima_store_use_units_async (fixture->store, nurse, used, "850715400238", qoima_pack_get_units_left (pack),
                               NULL, qoima_test_result_cb, &used_result);
  use = qoima_store_use_units_finish (fixture->store, wait_result (&used_result), &error);
  g_assert_no_error (error);
  g_assert_true (use->used_up);

  /* The chief writes off a pack of the pharmacy warehouse, and signs both. */
  g_assert_cmpint (write_off (fixture, fixture->chief, damaged, QOIMA_WITHDRAWAL_DAMAGED, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (withdraw (fixture, fixture->chief, NULL, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);

  owner = code_owner (fixture, used, &status);
  g_assert_cmpstr (owner, ==, HOSPITAL_BIN);
  g_assert_cmpstr (status, ==, "RETIRED");
  g_assert_cmpint (pack_status (fixture, used), ==, QOIMA_PACK_STATUS_WITHDRAWN);
  g_clear_pointer (&owner, g_free);
  g_clear_pointer (&status, g_free);
  owner = code_owner (fixture, damaged, &status);
  g_assert_cmpstr (owner, ==, HOSPITAL_BIN);
  g_assert_cmpstr (status, ==, "RETIRED");
  reason = stand_withdraw_reason (fixture, damaged);
  g_assert_cmpstr (reason, ==, "DAMAGE_LOSS");
  g_assert_cmpint (pack_status (fixture, damaged), ==, QOIMA_PACK_STATUS_WRITTEN_OFF);

  /* The stand's five demo acts; the biggest (10,000 packs) is accepted whole. */
  g_assert_cmpint (pull (fixture), ==, 5);
  qoima_store_list_acts_async (fixture->store, NULL, qoima_test_result_cb, &listed);
  acts = qoima_store_list_acts_finish (fixture->store, wait_result (&listed), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (acts); i++)
    {
      g_autoptr(QoimaAct) act = g_list_model_get_item (acts, i);

      if (biggest == NULL || qoima_act_get_packs (act) > qoima_act_get_packs (biggest))
        g_set_object (&biggest, act);
    }
  g_assert_cmpint (qoima_act_get_packs (biggest), ==, 10000);
  before = count_packs (fixture);
  answer (fixture, qoima_act_get_id (biggest), QOIMA_ACCEPT_ALL, NULL);
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);

  after = find_act (fixture, qoima_act_get_ismpt_id (biggest));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_ACCEPTED);
  g_assert_null (qoima_act_get_errors (after));
  g_assert_cmpint (count_packs (fixture), ==, before + 10000);
}

/* What the user is told of a document, from its outbox entry: the same words everywhere. */
static void
test_document_states (void)
{
  static const struct {
    const char *state;
    const char *ismpt_status;
    QoimaDocumentState expected;
    const char *nick;
  } cases[] = {
    { "ready", NULL, QOIMA_DOCUMENT_WAITING, "waiting" },
    { "sending", NULL, QOIMA_DOCUMENT_WAITING, "waiting" },
    { "sent", NULL, QOIMA_DOCUMENT_CHECKING, "checking" },
    { "sent", "IN_PROGRESS", QOIMA_DOCUMENT_CHECKING, "checking" },
    { "sent", "CHECKED_OK", QOIMA_DOCUMENT_NOT_RECORDED, "not_recorded" },
    { "sent", "CHECKED_NOT_OK", QOIMA_DOCUMENT_NOT_RECORDED, "not_recorded" },
    { "done", "CHECKED_OK", QOIMA_DOCUMENT_ACCEPTED, "accepted" },
    { "failed", "CHECKED_NOT_OK", QOIMA_DOCUMENT_REFUSED, "refused" },
    { "failed", NULL, QOIMA_DOCUMENT_REFUSED, "refused" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      QoimaDocumentState state = qoima_document_state_get (cases[i].state, cases[i].ismpt_status);

      g_assert_cmpint (state, ==, cases[i].expected);
      g_assert_cmpstr (qoima_document_state_to_nick (state), ==, cases[i].nick);
      g_assert_nonnull (qoima_document_state_to_label (state));
    }

  /* The reason that goes with each: ИС МПТ's for a refusal, the outbox's last error else. */
  g_assert_cmpstr (qoima_document_state_reason (QOIMA_DOCUMENT_REFUSED, "КИ не найден", "late"), ==, "КИ не найден");
  g_assert_cmpstr (qoima_document_state_reason (QOIMA_DOCUMENT_WAITING, NULL, "no key"), ==, "no key");
  g_assert_null (qoima_document_state_reason (QOIMA_DOCUMENT_ACCEPTED, "x", "y"));
  g_assert_null (qoima_document_state_reason (QOIMA_DOCUMENT_WAITING, NULL, ""));
  {
    g_autofree char *waiting = qoima_document_state_describe (QOIMA_DOCUMENT_WAITING, "no key.");
    g_autofree char *refused = qoima_document_state_describe (QOIMA_DOCUMENT_REFUSED, "КИ не найден");
    g_autofree char *accepted = qoima_document_state_describe (QOIMA_DOCUMENT_ACCEPTED, NULL);

    g_assert_cmpstr (waiting, ==, "Waiting to be sent: no key.");
    g_assert_cmpstr (refused, ==, "Refused by ИС МПТ: КИ не найден");
    g_assert_cmpstr (accepted, ==, "Accepted by ИС МПТ");
  }
}

/* Answers the act as @user with @signer; returns the outbox entry's id, or 0 with @error. */
static gint64
answer_as (Fixture      *fixture,
           gint64        act_id,
           QoimaSigner  *signer,
           QoimaUser    *user,
           GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_sync_answer_act_async (fixture->sync, act_id, QOIMA_ACCEPT_ALL, NULL, signer, user,
                               NULL, qoima_test_result_cb, &result);
  return qoima_sync_answer_act_finish (fixture->sync, wait_result (&result), error);
}

static char *
raw_text (QoimaDb    *db,
          const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db, sql, &error);
  char *text = NULL;

  g_assert_no_error (error);
  if (qoima_db_step (stmt, &error) == QOIMA_DB_ROW)
    text = g_strdup (qoima_db_column_text (stmt, 0));
  g_assert_no_error (error);
  return text;
}

/* The key is the signer's (issue 8): the signed-in user signs only with a certificate of
 * her own IIN and of the hospital's BIN; the core refuses anything else before signing,
 * and nothing is queued. */
static void
test_key_is_the_signers (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 2, 0);
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(QoimaSigner) clerk_key = load_key ("clerk-sign.p12");
  g_autoptr(QoimaSigner) other_org_key = load_key ("other-org.p12");
  g_autoptr(QoimaUser) nobody = NULL;
  g_autoptr(QoimaUser) erlan = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (json_node_get_object (created), "id"));

  /* The chief with the clerk's key: the key is another person's. */
  g_assert_cmpint (answer_as (fixture, qoima_act_get_id (act), clerk_key, fixture->chief, &error), ==, 0);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "АХМЕТОВА ГУЛЬНАРА"));
  g_assert_nonnull (strstr (error->message, CLERK_IIN));
  g_clear_error (&error);

  /* A chief without an IIN in her record signs nothing, whatever the key. */
  nobody = make_user (fixture->store, fixture->admin_user, "nobody", QOIMA_ROLE_CHIEF, 0);
  g_assert_cmpint (answer_as (fixture, qoima_act_get_id (act), fixture->signer, nobody, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* The owner of the distributor's key as a chief of the hospital: her IIN fits, the BIN
   * does not. */
  erlan = make_user (fixture->store, fixture->admin_user, "erlan", QOIMA_ROLE_CHIEF, 0);
  g_clear_object (&erlan);
  erlan = set_signing (fixture->store, fixture->admin_user, "erlan", OTHER_ORG_IIN, FALSE);
  g_assert_cmpint (answer_as (fixture, qoima_act_get_id (act), other_org_key, erlan, &error), ==, 0);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "100340012341"));
  g_assert_nonnull (strstr (error->message, HOSPITAL_BIN));
  g_clear_error (&error);

  entries = outbox (fixture, TRUE);
  g_assert_cmpuint (entries->len, ==, 0);
  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_WAITING);

  /* An IIN is checked by its check digit, and belongs to one user. */
  {
    g_autoptr(GAsyncResult) set = NULL;

    qoima_store_set_user_signing_async (fixture->store, fixture->admin_user, "nobody", "850715400239", FALSE,
                                        NULL, qoima_test_result_cb, &set);
    g_assert_false (qoima_store_set_user_signing_finish (fixture->store, wait_result (&set), &error));
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
    g_clear_error (&error);
    g_clear_object (&set);
    qoima_store_set_user_signing_async (fixture->store, fixture->admin_user, "nobody", CHIEF_IIN, FALSE,
                                        NULL, qoima_test_result_cb, &set);
    g_assert_false (qoima_store_set_user_signing_finish (fixture->store, wait_result (&set), &error));
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
    g_clear_error (&error);
    g_clear_object (&set);
    /* Only an admin says who signs. */
    qoima_store_set_user_signing_async (fixture->store, fixture->chief, "nobody", CLERK_IIN, FALSE,
                                        NULL, qoima_test_result_cb, &set);
    g_assert_false (qoima_store_set_user_signing_finish (fixture->store, wait_result (&set), &error));
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  }

  /* The chief with her own key: signed, queued, and the audit row of the document names
   * the certificate it was signed with. */
  {
    g_autoptr(QoimaCertificate) certificate = g_object_ref (qoima_signer_get_certificate (fixture->signer));
    QoimaDb *db;
    g_autofree char *serial = NULL;
    g_autofree char *owner = NULL;
    g_autofree char *iin = NULL;
    g_autofree char *actor = NULL;
    g_clear_error (&error);

    g_assert_cmpint (answer_as (fixture, qoima_act_get_id (act), fixture->signer, fixture->chief, &error), >, 0);
    g_assert_no_error (error);
    db = open_raw (fixture);
    serial = raw_text (db, ENGINE ("SELECT json_extract (new_values, '$.signer_serial') FROM audit "
                                   "WHERE tbl = 'outbox' AND action = 'insert' ORDER BY id DESC LIMIT 1",
                                   "SELECT new_values::jsonb->>'signer_serial' FROM audit "
                                   "WHERE tbl = 'outbox' AND action = 'insert' ORDER BY id DESC LIMIT 1"));
    owner = raw_text (db, ENGINE ("SELECT json_extract (new_values, '$.signer_owner') FROM audit "
                                  "WHERE tbl = 'outbox' AND action = 'insert' ORDER BY id DESC LIMIT 1",
                                  "SELECT new_values::jsonb->>'signer_owner' FROM audit "
                                  "WHERE tbl = 'outbox' AND action = 'insert' ORDER BY id DESC LIMIT 1"));
    iin = raw_text (db, ENGINE ("SELECT json_extract (new_values, '$.signer_iin') FROM audit "
                                "WHERE tbl = 'outbox' AND action = 'insert' ORDER BY id DESC LIMIT 1",
                                "SELECT new_values::jsonb->>'signer_iin' FROM audit "
                                "WHERE tbl = 'outbox' AND action = 'insert' ORDER BY id DESC LIMIT 1"));
    actor = raw_text (db, "SELECT actor FROM audit WHERE tbl = 'outbox' AND action = 'insert' ORDER BY id DESC LIMIT 1");
    qoima_db_close (db);
    g_assert_cmpstr (serial, ==, qoima_certificate_get_serial (certificate));
    g_assert_nonnull (serial);
    g_assert_cmpstr (owner, ==, "ЖАКСЫБЕКОВА АЙГУЛЬ");
    g_assert_cmpstr (iin, ==, CHIEF_IIN);
    g_assert_cmpstr (actor, ==, "chief");
  }
}

/* Writes @bytes to a file in @dir; returns its path. */
static char *
write_temp (const char *dir,
            const char *name,
            GBytes     *bytes)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
  g_assert_no_error (error);
  return path;
}

/* A clerk signs only where an administrator delegated it (issue 8), with her own key; the
 * delegation is audited, and withdrawn it stops her at once, even signed in. */
static void
test_delegated_clerk (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 2, 0);
  g_autoptr(JsonNode) created2 = create_act (fixture, 2, 0);
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(QoimaAct) act2 = NULL;
  g_autoptr(QoimaAct) after = NULL;
  g_autoptr(QoimaSigner) clerk_key = load_key ("clerk-sign.p12");
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaUser) delegated = NULL;
  g_autoptr(QoimaUser) nurse_now = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("qoima-cms-XXXXXX", NULL);
  g_autofree char *document_path = NULL;
  g_autofree char *signature_path = NULL;
  g_autofree char *ca = g_build_filename (pki_dir (), "ca.pem", NULL);
  g_autofree char *out = g_build_filename (tmp, "out.bin", NULL);
  g_autofree char *delegation = NULL;
  int status = -1;
  QoimaDb *db;

  g_assert_cmpint (pull (fixture), ==, 2);
  act = find_act (fixture, qoima_json_get_string (json_node_get_object (created), "id"));
  act2 = find_act (fixture, qoima_json_get_string (json_node_get_object (created2), "id"));

  /* A clerk with her IIN but no delegation accepts acts, and signs nothing. */
  clerk = make_user (fixture->store, fixture->admin_user, "gulnara", QOIMA_ROLE_CLERK, 0);
  g_clear_object (&clerk);
  clerk = set_signing (fixture->store, fixture->admin_user, "gulnara", CLERK_IIN, FALSE);
  g_assert_cmpint (answer_as (fixture, qoima_act_get_id (act), clerk_key, clerk, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_test_message ("refused: %s", error->message);
  g_clear_error (&error);
  entries = outbox (fixture, TRUE);
  g_assert_cmpuint (entries->len, ==, 0);
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* Only a clerk is delegated: the chief signs by her role, a nurse never. */
  {
    g_autoptr(GAsyncResult) set = NULL;

    qoima_store_set_user_signing_async (fixture->store, fixture->admin_user, "chief", CHIEF_IIN, TRUE,
                                        NULL, qoima_test_result_cb, &set);
    g_assert_false (qoima_store_set_user_signing_finish (fixture->store, wait_result (&set), &error));
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
    g_clear_error (&error);
  }

  /* Delegated, she signs with her own key (not the chief's), and the signature holds for a
   * tool the project did not write. */
  delegated = set_signing (fixture->store, fixture->admin_user, "gulnara", CLERK_IIN, TRUE);
  g_assert_true (qoima_user_get_may_sign (delegated));
  g_assert_cmpint (answer_as (fixture, qoima_act_get_id (act), fixture->signer, delegated, &error), ==, 0);
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER);
  g_clear_error (&error);
  g_assert_cmpint (answer_as (fixture, qoima_act_get_id (act), clerk_key, delegated, &error), >, 0);
  g_assert_no_error (error);

  entries = outbox (fixture, TRUE);
  g_assert_cmpuint (entries->len, ==, 1);
  {
    QoimaOutboxEntry *entry = g_ptr_array_index (entries, 0);
    const char *argv[] = { "openssl", "cms", "-verify", "-inform", "DER", "-binary", "-in", NULL,
                           "-content", NULL, "-CAfile", ca, "-out", out, NULL };
    g_autoptr(GError) spawn_error = NULL;

    document_path = write_temp (tmp, "document.json", entry->document);
    signature_path = write_temp (tmp, "document.cms", entry->signature);
    argv[7] = signature_path;
    argv[9] = document_path;
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                                 NULL, NULL, NULL, NULL, &status, &spawn_error));
    g_assert_no_error (spawn_error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_assert_true (push (fixture, &error));
  g_assert_no_error (error);
  after = find_act (fixture, qoima_act_get_ismpt_id (act));
  g_assert_cmpint (qoima_act_get_status (after), ==, QOIMA_ACT_STATUS_ACCEPTED);

  /* The delegation is in the audit trail, with the administrator who gave it. */
  db = open_raw (fixture);
  delegation = raw_text (db, ENGINE ("SELECT actor || ' ' || reason FROM audit WHERE tbl = 'users' AND action = 'update' "
                                     "AND json_extract (new_values, '$.may_sign') = 1 "
                                     "AND json_extract (old_values, '$.may_sign') = 0",
                                     "SELECT actor || ' ' || reason FROM audit WHERE tbl = 'users' AND action = 'update' "
                                     "AND new_values::jsonb->>'may_sign' = '1' "
                                     "AND old_values::jsonb->>'may_sign' = '0'"));
  qoima_db_close (db);
  g_assert_cmpstr (delegation, ==, "admin signing delegated");

  /* Withdrawn, it stops her at once, though her session still says she may. */
  g_clear_object (&nurse_now);
  nurse_now = set_signing (fixture->store, fixture->admin_user, "gulnara", CLERK_IIN, FALSE);
  g_assert_false (qoima_user_get_may_sign (nurse_now));
  g_assert_cmpint (answer_as (fixture, qoima_act_get_id (act2), clerk_key, delegated, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* And a clerk who becomes a nurse loses it. */
  {
    g_autoptr(GAsyncResult) set = NULL;
    g_autoptr(GAsyncResult) got = NULL;
    g_autoptr(QoimaUser) again = NULL;
    g_autoptr(QoimaUser) now = NULL;
    g_autoptr(GAsyncResult) listed = NULL;
    g_autoptr(GListModel) locations = NULL;
    g_autoptr(QoimaLocation) ward = NULL;
    g_autoptr(GAsyncResult) updated = NULL;

    again = set_signing (fixture->store, fixture->admin_user, "gulnara", CLERK_IIN, TRUE);
    qoima_store_list_locations_async (fixture->store, NULL, qoima_test_result_cb, &listed);
    locations = qoima_store_list_locations_finish (fixture->store, wait_result (&listed), &error);
    ward = g_list_model_get_item (locations, 1);
    qoima_store_update_user_async (fixture->store, fixture->admin_user, "gulnara", QOIMA_ROLE_NURSE,
                                   qoima_location_get_id (ward), NULL, qoima_test_result_cb, &updated);
    g_assert_true (qoima_store_update_user_finish (fixture->store, wait_result (&updated), &error));
    g_assert_no_error (error);
    qoima_store_get_user_async (fixture->store, "gulnara", NULL, NULL, qoima_test_result_cb, &got);
    now = qoima_store_get_user_finish (fixture->store, wait_result (&got), &error);
    g_assert_false (qoima_user_get_may_sign (now));
  }
}

/* The automatic medical-use withdrawal obeys the same rule: the key must be a signer's of
 * the hospital; a key whose owner is none of the users signs nothing. */
static void
test_automatic_needs_signers_key (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_auto(GStrv) kis = receive_packs (fixture, 2);
  g_autoptr(QoimaSigner) clerk_key = load_key ("clerk-sign.p12");
  g_autoptr(GAsyncResult) set = NULL;
  g_autoptr(GError) error = NULL;

  use_up (fixture, kis[0]);
  qoima_store_set_setting_async (fixture->store, fixture->admin_user, QOIMA_SETTING_AUTO_WITHDRAW, "true",
                                 NULL, qoima_test_result_cb, &set);
  g_assert_true (qoima_store_set_setting_finish (fixture->store, wait_result (&set), &error));

  /* The clerk's key, and no user has her IIN. */
  qoima_sync_set_auto_signer (fixture->sync, clerk_key);
  g_assert_false (run (fixture, &error));
  g_assert_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER);
  g_test_message ("refused: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (stand_documents (fixture, "LK_RECEIPT", NULL), ==, 0);
  g_assert_cmpint (pack_status (fixture, kis[0]), !=, QOIMA_PACK_STATUS_WITHDRAWN);

  /* She is a user, a clerk who does not sign: still nothing. */
  {
    g_autoptr(QoimaUser) clerk = make_user (fixture->store, fixture->admin_user, "gulnara", QOIMA_ROLE_CLERK, 0);
    g_autoptr(QoimaUser) with_iin = set_signing (fixture->store, fixture->admin_user, "gulnara", CLERK_IIN, FALSE);
  }
  g_assert_false (run (fixture, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpuint (stand_documents (fixture, "LK_RECEIPT", NULL), ==, 0);

  /* The chief's key signs it, and the audit row names her certificate. */
  qoima_sync_set_auto_signer (fixture->sync, fixture->signer);
  g_assert_true (run (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stand_documents (fixture, "LK_RECEIPT", NULL), ==, 1);
  {
    QoimaDb *db = open_raw (fixture);
    g_autofree char *named = raw_text (db, ENGINE ("SELECT actor || ' ' || json_extract (new_values, '$.signer_iin') FROM audit "
                                                   "WHERE tbl = 'outbox' AND action = 'insert' ORDER BY id DESC LIMIT 1",
                                                   "SELECT actor || ' ' || (new_values::jsonb->>'signer_iin') FROM audit "
                                                   "WHERE tbl = 'outbox' AND action = 'insert' ORDER BY id DESC LIMIT 1"));

    qoima_db_close (db);
    g_assert_cmpstr (named, ==, "auto " CHIEF_IIN);
  }
}

/* The core logs with the structured API, which g_test_expect_message() does not see: a
 * warning the test expects is matched here instead of aborting under fatal-warnings. */
static const char *expected_warning;
static gboolean expected_warning_seen;

static GLogWriterOutput
log_writer_cb (GLogLevelFlags   log_level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  if ((log_level & G_LOG_LEVEL_WARNING) && expected_warning != NULL)
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0 &&
            g_pattern_match_simple (expected_warning, fields[i].value))
          {
            expected_warning_seen = TRUE;
            return G_LOG_WRITER_HANDLED;
          }
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* The shape the stand was started in (its --shape option), from the test's data. */
static const char *
stand_shape (gconstpointer user_data)
{
  const char *options = user_data;

  g_assert_true (g_str_has_prefix (options, "--shape "));
  return options + strlen ("--shape ");
}

static gboolean
shape_has (const char *shape,
           const char *flag)
{
  g_auto(GStrv) flags = g_strsplit (shape, ",", -1);

  return g_strv_contains ((const char * const *) flags, flag);
}

static gint64
stand_sign_ins (Fixture *fixture)
{
  g_autoptr(JsonNode) node = admin_call (fixture, "GET", "tokens", NULL);

  return qoima_json_get_int (json_node_get_object (node), "sign_ins", -1);
}

/* Each shape the API may answer in (ismpt-api.md §3, §5.2, §5.3): the act is read, its box
 * scanned whole where the shape names boxes, accepted and owned by the hospital. */
static void
test_act_in_shape (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *shape = stand_shape (user_data);
  g_autoptr(JsonNode) created = create_act (fixture, 24, 5);
  JsonObject *act_json = json_node_get_object (created);
  JsonArray *codes = qoima_json_get_array (act_json, "codes");
  JsonArray *boxes = qoima_json_get_array (act_json, "boxes");
  g_autoptr(JsonNode) shape_node = admin_call (fixture, "GET", "shape", NULL);
  g_autoptr(QoimaAct) act = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = count_packs (fixture);

  g_assert_cmpstr (qoima_json_get_string (json_node_get_object (shape_node), "shape"), ==, shape);
  g_assert_cmpuint (json_array_get_length (boxes), >, 0);

  g_assert_cmpint (pull (fixture), ==, 1);
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  g_assert_nonnull (act);
  g_assert_cmpint (qoima_act_get_packs (act), ==, 24);
  g_assert_cmpint (qoima_act_get_status (act), ==, QOIMA_ACT_STATUS_WAITING);
  g_assert_cmpstr (qoima_ismpt_client_get_bin (fixture->client), ==, HOSPITAL_BIN);
  /* Without the sender's number anywhere the act goes by its ИС МПТ id. */
  if (shape_has (shape, "no-document-number"))
    g_assert_cmpstr (qoima_act_get_number (act), ==, qoima_act_get_ismpt_id (act));
  else
    g_assert_cmpstr (qoima_act_get_number (act), ==, qoima_json_get_string (act_json, "number"));
  g_assert_cmpint (pull (fixture), ==, 0);

  /* Where the body names the boxes, a box's SSCC stands for its packs. */
  if (!shape_has (shape, "cises-only"))
    {
      g_autoptr(GAsyncResult) result = NULL;
      int n_packs = 0;

      qoima_store_mark_act_code_async (fixture->store, qoima_act_get_id (act),
                                       qoima_json_get_string (qoima_json_array_get_object (boxes, 0), "sscc"),
                                       NULL, qoima_test_result_cb, &result);
      g_assert_cmpint (qoima_store_mark_act_code_finish (fixture->store, wait_result (&result), &n_packs, &error), ==,
                       QOIMA_ACT_SCAN_MARKED);
      g_assert_no_error (error);
      g_assert_cmpint (n_packs, ==, 5);
    }

  accept_all_and_check (fixture, act, codes, before + 24);
  /* One login served the whole exchange. */
  g_assert_cmpint (stand_sign_ins (fixture), ==, 1);
}

/* No shape gives the codes: the act is skipped, and the message names what is missing. */
static void
test_act_without_codes (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(JsonNode) created = create_act (fixture, 6, 0);
  JsonObject *act_json = json_node_get_object (created);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaAct) act = NULL;

  /* The skipped act is logged as a warning: expected here, so not fatal. */
  expected_warning = "*without its codes*";
  expected_warning_seen = FALSE;
  qoima_sync_pull_async (fixture->sync, NULL, qoima_test_result_cb, &result);
  g_assert_cmpint (qoima_sync_pull_finish (fixture->sync, wait_result (&result), &error), ==, -1);
  expected_warning = NULL;
  g_assert_true (expected_warning_seen);
  g_assert_error (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_BROKEN_ANSWER);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, qoima_json_get_string (act_json, "number")));
  g_assert_nonnull (strstr (error->message, "without its codes"));
  g_assert_nonnull (strstr (error->message, "no body.products"));
  g_assert_nonnull (strstr (error->message, "cisList of doc/cises is empty"));
  act = find_act (fixture, qoima_json_get_string (act_json, "id"));
  g_assert_null (act);
}

/* A token refused on a later call (revoked, a server restarted) costs exactly one new
 * login, whether the token is a JWT or opaque, and the call then succeeds. */
static void
test_relogin_after_revocation (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(JsonNode) first = create_act (fixture, 4, 0);
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) revoked = NULL;

  g_assert_cmpint (pull (fixture), ==, 1);
  g_assert_cmpint (stand_sign_ins (fixture), ==, 1);
  g_assert_cmpstr (qoima_ismpt_client_get_bin (fixture->client), ==, HOSPITAL_BIN);

  revoked = admin_call (fixture, "POST", "tokens", "{\"revoke\":true}");
  g_assert_cmpint (qoima_json_get_int (json_node_get_object (revoked), "revoked", 0), ==, 1);
  second = create_act (fixture, 4, 0);
  g_assert_cmpint (pull (fixture), ==, 1);
  g_assert_cmpint (stand_sign_ins (fixture), ==, 2);

  /* The new token serves on. */
  g_assert_cmpint (pull (fixture), ==, 0);
  g_assert_cmpint (stand_sign_ins (fixture), ==, 2);
}

/* The stand changes shape under a running client (POST /stand/shape): the client follows,
 * the document list moving to the legacy facade included. */
static void
test_shape_changed_at_run_time (Fixture       *fixture,
                                gconstpointer  user_data)
{
  const char *shapes[] = { "products-cis", "cises-only,no-document-number,list-legacy", "list-v4,info-legacy", "standard" };

  for (gsize i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"shape\":\"%s\"}", shapes[i]);
      g_autoptr(JsonNode) set = admin_call (fixture, "POST", "shape", body);
      g_autoptr(JsonNode) created = create_act (fixture, 6, 0);
      g_autoptr(QoimaAct) act = NULL;

      g_assert_cmpstr (qoima_json_get_string (json_node_get_object (set), "shape"), ==, shapes[i]);
      g_assert_cmpint (pull (fixture), ==, 1);
      act = find_act (fixture, qoima_json_get_string (json_node_get_object (created), "id"));
      g_assert_nonnull (act);
      g_assert_cmpint (qoima_act_get_packs (act), ==, 6);
    }
  g_assert_cmpint (stand_sign_ins (fixture), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (log_writer_cb, NULL, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sync/document-states", test_document_states);
#define ADD(path, data, func) g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("/sync/rules/R000-6/accept-all", NULL, test_accept_all);
  ADD ("/sync/rules/R000-8/partial-with-boxes", NULL, test_partial_with_boxes);
  ADD ("/sync/reject", NULL, test_reject);
  ADD ("/sync/wrong-key-refused", NULL, test_wrong_key_refused);
  ADD ("/sync/crash-before-answer", NULL, test_crash_before_answer);
  ADD ("/sync/crash-before-answer-paged", NULL, test_crash_before_answer_paged);
  ADD ("/sync/stand-down-then-back", NULL, test_stand_down_then_back);
  ADD ("/sync/lost-answer-late-list-not-sent-twice", NULL, test_lost_answer_late_list);
  ADD ("/sync/not-connected-waits-ready", NULL, test_not_connected_waits_ready);
  ADD ("/sync/rules/R000-9/withdrawal-of-used-up-pack", NULL, test_withdrawal);
  ADD ("/sync/write-offs-per-reason", NULL, test_write_offs);
  ADD ("/sync/rules/R002-4/dispensed-pack-withdrawn-for-its-own-reason", NULL, test_dispensed_withdrawal);
  ADD ("/sync/withdraw-chosen-packs", NULL, test_withdraw_chosen);
  ADD ("/sync/rules/R000-9/automatic-withdrawal", NULL, test_automatic_withdrawal);
  ADD ("/sync/answer-needs-role", NULL, test_answer_needs_role);
  ADD ("/sync/key-is-the-signers", NULL, test_key_is_the_signers);
  ADD ("/sync/delegated-clerk-signs", NULL, test_delegated_clerk);
  ADD ("/sync/automatic-needs-a-signers-key", NULL, test_automatic_needs_signers_key);
  ADD ("/sync/flaky-stand", "--error-rate 0.33", test_flaky_stand);
  ADD ("/sync/answer-not-recorded-is-recorded-next-sync", NULL, test_answer_not_recorded);
  ADD ("/sync/no-auth-key-answer-waits", NULL, test_no_auth_key_waits);
  ADD ("/sync/refused-withdrawal-said-and-owed-again", NULL, test_refused_withdrawal);
  g_test_add ("/sync/demo-world-is-one-world", Fixture, NULL, demo_world_set_up, test_demo_world, fixture_tear_down);
  ADD ("/sync/broken-and-slow-stand", "--broken-json-rate 0.2 --timeout-rate 0.05", test_flaky_stand);
  ADD ("/sync/shape/standard", "--shape standard", test_act_in_shape);
  ADD ("/sync/shape/opaque-token", "--shape opaque-token", test_act_in_shape);
  ADD ("/sync/shape/products-cis", "--shape products-cis", test_act_in_shape);
  ADD ("/sync/shape/cises-only", "--shape cises-only", test_act_in_shape);
  ADD ("/sync/shape/no-document-number", "--shape no-document-number", test_act_in_shape);
  ADD ("/sync/shape/list-v4", "--shape list-v4,info-v4", test_act_in_shape);
  ADD ("/sync/shape/list-legacy", "--shape list-legacy", test_act_in_shape);
  ADD ("/sync/shape/info-legacy", "--shape list-legacy,info-legacy", test_act_in_shape);
  ADD ("/sync/shape/all-unsure-at-once",
       "--shape opaque-token,cises-only,no-document-number,list-legacy,info-legacy", test_act_in_shape);
  ADD ("/sync/shape/no-codes", "--shape no-codes", test_act_without_codes);
  ADD ("/sync/shape/changed-at-run-time", NULL, test_shape_changed_at_run_time);
  ADD ("/sync/token/relogin-once-jwt", NULL, test_relogin_after_revocation);
  ADD ("/sync/token/relogin-once-opaque", "--shape opaque-token", test_relogin_after_revocation);
#undef ADD

  return g_test_run ();
}
