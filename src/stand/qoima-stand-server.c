/* qoima-stand-server.c: the stand's HTTP routes (True API, НКТ catalog, admin)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-stand-server"

#include "config.h"

#include "qoima-stand-server.h"
#include "qoima-registration.h"
#include "qoima-stand-fund.h"

#include "qoima-certificate.h"
#include "qoima-cms.h"
#include "qoima-json.h"
#include "qoima-stand-jwt.h"
#include "qoima-stand-rules.h"
#include "qoima-stand-world.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

/* The contract's texts, as ИС МПТ words them. */
#define MSG_NO_UUID          "В запросе отсутствует идентификатор авторизации (UUID)"
#define MSG_UUID_NOT_FOUND   "UUID не найден в хранилище ключей"
#define MSG_BAD_SIGNATURE    "Ошибка при проверке подписи"
#define MSG_NO_ACCESS        "Отсутствует доступ к ресурсу"
#define MSG_BAD_TOKEN        "Недействительный или просроченный токен. Проверьте токен"
#define MSG_MISSING_FIELD    "Отсутствует обязательное поле: %s"
#define MSG_MISSING_PARAM    "Отсутствует обязательный параметр: %s"
#define MSG_JSON_PARSE       "JSON parse error: %s"
#define MSG_DOC_NOT_FOUND    "Документ не найден"

#define PRODUCT_GROUP "pharma"

typedef enum {
  AREA_TRUE_API,
  AREA_TRUE_API_V4,
  AREA_FACADE,
  AREA_CATALOG,
  AREA_ADMIN,
} Area;

/* The shapes in which the stand can answer (ismpt-api.md §3, §5.2, §5.3 list more than one
 * for Kazakhstan): flags, named as --shape and POST /stand/shape take them. */
typedef enum {
  SHAPE_OPAQUE_TOKEN       = 1 << 0, /* sign-in gives a token that is not a JWT */
  SHAPE_PRODUCTS_CIS       = 1 << 1, /* body.products keys every code (packs, boxes) as cis */
  SHAPE_CISES_ONLY         = 1 << 2, /* body without products: codes only in doc/cises */
  SHAPE_NO_CODES           = 1 << 3, /* no codes anywhere (a broken act) */
  SHAPE_NO_DOCUMENT_NUMBER = 1 << 4, /* neither body.document_number nor invoiceNumber */
  SHAPE_LIST_V4            = 1 << 5, /* doc/list only under /api/v4/true-api */
  SHAPE_LIST_LEGACY        = 1 << 6, /* only the legacy /api/v3/facade/doc/listV2 */
  SHAPE_INFO_V4            = 1 << 7, /* doc/{id}/info only under /api/v4/true-api */
  SHAPE_INFO_LEGACY        = 1 << 8, /* only the legacy /api/v3/facade/doc/{id}/body */
  SHAPE_CREATE_EMPTY_200   = 1 << 9, /* lk/documents/create stores, then answers 200 with no body */
  SHAPE_CREATE_EMPTY_204   = 1 << 10, /* lk/documents/create stores, then answers 204 */
} Shape;

static const struct {
  Shape flag;
  const char *name;
} shape_names[] = {
  { SHAPE_OPAQUE_TOKEN, "opaque-token" },
  { SHAPE_PRODUCTS_CIS, "products-cis" },
  { SHAPE_CISES_ONLY, "cises-only" },
  { SHAPE_NO_CODES, "no-codes" },
  { SHAPE_NO_DOCUMENT_NUMBER, "no-document-number" },
  { SHAPE_LIST_V4, "list-v4" },
  { SHAPE_LIST_LEGACY, "list-legacy" },
  { SHAPE_INFO_V4, "info-v4" },
  { SHAPE_INFO_LEGACY, "info-legacy" },
  { SHAPE_CREATE_EMPTY_200, "create-empty-200" },
  { SHAPE_CREATE_EMPTY_204, "create-empty-204" },
};

typedef enum {
  FAULT_NONE,
  FAULT_ERROR,
  FAULT_HANG,
  FAULT_BROKEN_JSON,
} Fault;

/* Faults after the handler: ИС МПТ has stored the document, and its answer is lost. */
static const char *after_store_names[] = {
  [QOIMA_STAND_AFTER_STORE_NONE] = "none",
  [QOIMA_STAND_AFTER_STORE_DROP] = "drop",
  [QOIMA_STAND_AFTER_STORE_ERROR] = "error",
  [QOIMA_STAND_AFTER_STORE_HANG] = "hang",
};

typedef struct {
  SoupServerMessage *msg;
  GHashTable *query;  /* decoded; may be NULL */
  GPtrArray *params;  /* the decoded path segments matched by "*" or "**" */
  char *inn;          /* the token's BIN, for routes that need a token */
  gboolean broken;    /* cut the answer in half (a fault) */
} Request;

typedef void (*RouteHandler) (QoimaStandServer *self,
                              Request          *req);

typedef struct {
  const char *method;
  Area area;
  const char *pattern; /* segments; "*" matches one, "**" the rest */
  gboolean needs_token;
  RouteHandler handler;
  Shape served_with;   /* 0: always served; else only while one of these shapes is on */
  Shape hidden_by;     /* not served while one of these shapes is on */
} Route;

typedef struct {
  QoimaStandServer *self; /* borrowed: the server removes its hangs when disposed */
  SoupServerMessage *msg;
  guint source_id;
  gboolean gone;
} Hang;

typedef struct {
  QoimaStandServer *self; /* borrowed, as for Hang */
  char *doc_id;
  guint source_id;
} Pending;

struct _QoimaStandServer
{
  GObject parent_instance;

  /* owned */
  QoimaStandDb *db;
  QoimaStandFund *fund; /* the license service and the Fund (qoima-stand-fund.c) */
  SoupServer *server;
  GBytes *ca_pem;
  GBytes *secret;
  char *api_key;
  GRand *rand;        /* challenges and ids */
  GRand *fault_rand;  /* fault choices, seeded for repeatable runs */
  GHashTable *participant_names;
  GPtrArray *hangs;   /* (element-type Hang) */
  GHashTable *pending; /* doc id -> Pending */
  GHashTable *opaque_tokens; /* token -> OpaqueToken */
  GHashTable *issued;  /* tokens given out since the start (set) */
  GHashTable *revoked; /* tokens refused from now on (set) */

  /* state */
  int token_lifetime;
  int challenge_lifetime;
  int processing_delay_ms;
  int hang_seconds;
  double error_rate;
  double timeout_rate;
  double broken_json_rate;
  guint32 fault_seed;
  QoimaStandAfterStore after_store;
  double after_store_rate;
  gint64 list_page_size; /* the most doc/list answers in one page */
  int list_lag_seconds;  /* how late doc/list shows a stored document */
  Shape shape;
  unsigned sign_ins;
  char *admin_token;   /* NULL: the admin interface refuses every call */
  GStrv hosts;         /* the Host values that name this stand, once listening */
  int notify_fd;       /* -1: nobody is told when a document is stored */
};

typedef struct {
  char *bin;
  gint64 expires;
} OpaqueToken;

static void
opaque_token_free (gpointer data)
{
  OpaqueToken *token = data;

  g_free (token->bin);
  g_free (token);
}

G_DEFINE_FINAL_TYPE (QoimaStandServer, qoima_stand_server, G_TYPE_OBJECT)

static void handle_auth_key (QoimaStandServer *self, Request *req);
static void handle_sign_in (QoimaStandServer *self, Request *req);
static void handle_doc_list (QoimaStandServer *self, Request *req);
static void handle_doc_info (QoimaStandServer *self, Request *req);
static void handle_doc_cises (QoimaStandServer *self, Request *req);
static void handle_documents_create (QoimaStandServer *self, Request *req);
static void handle_cises_info (QoimaStandServer *self, Request *req);
static void handle_catalog_product (QoimaStandServer *self, Request *req);
static void handle_registration_create (QoimaStandServer *self, Request *req);
static void handle_registration_status (QoimaStandServer *self, Request *req);
static void handle_registration_contract (QoimaStandServer *self, Request *req);
static void handle_admin_acts (QoimaStandServer *self, Request *req);
static void handle_admin_code (QoimaStandServer *self, Request *req);
static void handle_admin_documents (QoimaStandServer *self, Request *req);
static void handle_admin_faults (QoimaStandServer *self, Request *req);
static void handle_admin_shape (QoimaStandServer *self, Request *req);
static void handle_admin_tokens (QoimaStandServer *self, Request *req);
static void handle_doc_list_legacy (QoimaStandServer *self, Request *req);
static void handle_doc_body_legacy (QoimaStandServer *self, Request *req);

/* The route table: every operation's method and path, in one place. */
static const Route routes[] = {
  { "GET", AREA_TRUE_API, "auth/key", FALSE, handle_auth_key },
  { "POST", AREA_TRUE_API, "auth/simpleSignIn", FALSE, handle_sign_in },
  { "GET", AREA_TRUE_API, "doc/list", TRUE, handle_doc_list, 0, SHAPE_LIST_V4 | SHAPE_LIST_LEGACY },
  { "GET", AREA_TRUE_API_V4, "doc/list", TRUE, handle_doc_list, SHAPE_LIST_V4, 0 },
  { "GET", AREA_FACADE, "doc/listV2", TRUE, handle_doc_list_legacy, SHAPE_LIST_LEGACY, 0 },
  { "GET", AREA_TRUE_API, "doc/cises", TRUE, handle_doc_cises },
  { "GET", AREA_TRUE_API, "doc/*/info", TRUE, handle_doc_info, 0, SHAPE_INFO_V4 | SHAPE_INFO_LEGACY },
  { "GET", AREA_TRUE_API_V4, "doc/*/info", TRUE, handle_doc_info, SHAPE_INFO_V4, 0 },
  { "GET", AREA_FACADE, "doc/*/body", TRUE, handle_doc_body_legacy, SHAPE_INFO_LEGACY, 0 },
  { "POST", AREA_TRUE_API, "lk/documents/create", TRUE, handle_documents_create },
  { "POST", AREA_TRUE_API, "cises/info", TRUE, handle_cises_info },
  { "GET", AREA_CATALOG, "portal/api/v2/products/*", FALSE, handle_catalog_product },
  /* Registration (issue 12): the paths and shapes are NOT in the reference (ismpt-api.md knows
   * only the browser cabinet's /register), so they are designed here. POST takes
   * {"data": base64 CMS signed with the AUTH key, attached, of the draft's JSON} and answers
   * {"id", "status", "reason"?, "problems"?}; GET answers {"id", "status", "bin", "reason"?}.
   * Statuses: CHECKED (passed the wizard's own checks), REFUSED (with a reason), PROCESSING
   * past half the processing delay, CONFIRMED after it, when the key's organization becomes a
   * participant. */
  { "POST", AREA_TRUE_API, "registration/requests", FALSE, handle_registration_create },
  { "GET", AREA_TRUE_API, "registration/requests/*", FALSE, handle_registration_status },
  /* R000-2, designed as well: POST {"data": base64 CMS, attached, of
   * qoima_registration_contract_document()} once the request is CONFIRMED, signed by the head
   * whose key signed the request (else 403); answers {"id", "contract": "SIGNED", "signedAt"}. */
  { "POST", AREA_TRUE_API, "registration/requests/*/contract", FALSE, handle_registration_contract },
  { "POST", AREA_ADMIN, "acts", FALSE, handle_admin_acts },
  { "GET", AREA_ADMIN, "codes/**", FALSE, handle_admin_code },
  { "GET", AREA_ADMIN, "documents", FALSE, handle_admin_documents },
  { "GET", AREA_ADMIN, "faults", FALSE, handle_admin_faults },
  { "POST", AREA_ADMIN, "faults", FALSE, handle_admin_faults },
  { "GET", AREA_ADMIN, "shape", FALSE, handle_admin_shape },
  { "POST", AREA_ADMIN, "shape", FALSE, handle_admin_shape },
  { "GET", AREA_ADMIN, "tokens", FALSE, handle_admin_tokens },
  { "POST", AREA_ADMIN, "tokens", FALSE, handle_admin_tokens },
};

static const struct {
  Area area;
  const char *prefix;
} area_prefixes[] = {
  { AREA_TRUE_API, QOIMA_STAND_TRUE_API_PATH "/" },
  { AREA_TRUE_API_V4, QOIMA_STAND_TRUE_API_V4_PATH "/" },
  { AREA_FACADE, QOIMA_STAND_FACADE_PATH "/" },
  { AREA_CATALOG, QOIMA_STAND_CATALOG_PATH "/" },
  { AREA_ADMIN, QOIMA_STAND_ADMIN_PATH "/" },
};

/* Replies */

static void
respond (Request    *req,
         guint       status,
         const char *content_type,
         const char *body,
         gsize       len)
{
  /* A broken answer is a successful one cut in half: the client must not trust it. */
  if (req->broken && status == SOUP_STATUS_OK && len > 1)
    len /= 2;
  soup_server_message_set_status (req->msg, status, NULL);
  soup_server_message_set_response (req->msg, content_type, SOUP_MEMORY_COPY, body, len);
}

static void
respond_json (Request  *req,
              guint     status,
              JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  respond (req, status, "application/json;charset=UTF-8", text, strlen (text));
}

static void
respond_builder (Request     *req,
                 guint        status,
                 JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  respond_json (req, status, root);
}

static void
respond_error (Request    *req,
               guint       status,
               const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error_message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  respond_builder (req, status, builder);
}

G_GNUC_PRINTF (3, 4)
static void
respond_errorf (Request    *req,
                guint       status,
                const char *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  respond_error (req, status, message);
}

static void
respond_db_error (Request *req,
                  GError  *error)
{
  g_warning ("Database error: %s", error->message);
  respond_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Внутренняя ошибка сервера");
}

/* Helpers */

static const char *
query_get (Request    *req,
           const char *name)
{
  const char *value;

  if (req->query == NULL)
    return NULL;
  value = g_hash_table_lookup (req->query, name);
  return value != NULL && *value != '\0' ? value : NULL;
}

static JsonNode *
parse_body (Request  *req,
            GError  **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

  /* Bounded in depth and size: 100,000 nested [ must not overflow the stand's stack. */
  return qoima_json_parse_bytes (bytes, error);
}

static const char *
participant_name (QoimaStandServer *self,
                  const char       *bin)
{
  const char *name;

  if (bin == NULL)
    return NULL;
  name = g_hash_table_lookup (self->participant_names, bin);
  return name != NULL ? name : "";
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static char *
now_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return qoima_stand_format_time (now);
}

static char *
random_challenge (QoimaStandServer *self)
{
  char data[33];

  for (gsize i = 0; i < sizeof data - 1; i++)
    data[i] = 'A' + g_rand_int_range (self->rand, 0, 26);
  data[sizeof data - 1] = '\0';
  return g_strdup (data);
}

/* Checks a CMS against the trusted CA, the certificate's validity and its purpose. */
static QoimaCertificate *
verify_cms (QoimaStandServer  *self,
            GBytes            *cms,
            GBytes            *detached_content,
            QoimaKeyPurpose    purpose,
            GBytes           **content)
{
  g_autoptr(QoimaCertificate) signer = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;

  if (self->ca_pem == NULL)
    {
      g_debug ("No trusted CA configured: refusing the signature");
      return NULL;
    }
  if (!qoima_cms_verify (cms, detached_content, self->ca_pem, content, &signer, &error))
    {
      g_debug ("Signature refused: %s", error->message);
      return NULL;
    }
  if (signer == NULL)
    return NULL;
  if (!qoima_certificate_check (signer, purpose, now, &error))
    {
      g_debug ("Certificate refused: %s", error->message);
      return NULL;
    }
  return g_steal_pointer (&signer);
}

/* Processing */

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_clear_handle_id (&pending->source_id, g_source_remove);
  g_free (pending->doc_id);
  g_free (pending);
}

static gboolean
process_cb (gpointer user_data)
{
  Pending *pending = user_data;
  QoimaStandServer *self = pending->self;
  g_autoptr(GError) error = NULL;

  pending->source_id = 0;
  if (!qoima_stand_rules_process (self->db, pending->doc_id, &error))
    g_warning ("Cannot process document %s: %s", pending->doc_id, error->message);
  /* Removing the entry frees @pending: nothing may touch it after this. */
  g_hash_table_remove (self->pending, pending->doc_id);
  return G_SOURCE_REMOVE;
}

static void
schedule_processing (QoimaStandServer *self,
                     const char       *doc_id)
{
  Pending *pending;

  if (g_hash_table_contains (self->pending, doc_id))
    return;
  pending = g_new0 (Pending, 1);
  pending->self = self;
  pending->doc_id = g_strdup (doc_id);
  g_hash_table_insert (self->pending, pending->doc_id, pending);
  pending->source_id = g_timeout_add (self->processing_delay_ms, process_cb, pending);
}

static void
resume_processing (QoimaStandServer *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  stmt = qoima_stand_db_prepare (self->db, "SELECT id FROM documents WHERE status = 'IN_PROGRESS' ORDER BY created_at", &error);
  if (stmt == NULL)
    {
      g_warning ("Cannot resume processing: %s", error->message);
      return;
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    schedule_processing (self, qoima_stand_db_column_text (stmt, 0));
}

/* Faults */

static Fault
choose_fault (QoimaStandServer *self)
{
  double r;

  if (self->error_rate <= 0 && self->timeout_rate <= 0 && self->broken_json_rate <= 0)
    return FAULT_NONE;
  r = g_rand_double (self->fault_rand);
  if (r < self->error_rate)
    return FAULT_ERROR;
  if (r < self->error_rate + self->timeout_rate)
    return FAULT_HANG;
  if (r < self->error_rate + self->timeout_rate + self->broken_json_rate)
    return FAULT_BROKEN_JSON;
  return FAULT_NONE;
}

static QoimaStandAfterStore
choose_after_store_fault (QoimaStandServer *self)
{
  if (self->after_store == QOIMA_STAND_AFTER_STORE_NONE || self->after_store_rate <= 0)
    return QOIMA_STAND_AFTER_STORE_NONE;
  if (g_rand_double (self->fault_rand) < self->after_store_rate)
    return self->after_store;
  return QOIMA_STAND_AFTER_STORE_NONE;
}

/* One write of a whole line, so that a reader never sees half of one. */
static void
notify_stored (QoimaStandServer *self,
               const char       *type,
               const char       *number,
               const char       *id)
{
  g_autofree char *line = NULL;
  gsize len;

  if (self->notify_fd < 0)
    return;
  line = g_strdup_printf ("stored %s %s %s\n", type, number != NULL && *number != '\0' ? number : "-", id);
  len = strlen (line);
  while (write (self->notify_fd, line, len) < 0)
    if (errno != EINTR)
      {
        g_warning ("Cannot tell that a document was stored: %s", g_strerror (errno));
        break;
      }
}

static void
hang_free (gpointer data)
{
  Hang *hang = data;

  g_clear_handle_id (&hang->source_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (hang->msg, hang);
  g_clear_object (&hang->msg);
  g_free (hang);
}

static void
hang_gone_cb (SoupServerMessage *msg,
              gpointer           user_data)
{
  Hang *hang = user_data;

  hang->gone = TRUE;
}

static gboolean
hang_done_cb (gpointer user_data)
{
  Hang *hang = user_data;

  hang->source_id = 0;
  if (!hang->gone)
    {
      soup_server_message_set_status (hang->msg, SOUP_STATUS_GATEWAY_TIMEOUT, NULL);
      soup_server_message_unpause (hang->msg);
    }
  g_ptr_array_remove_fast (hang->self->hangs, hang);
  return G_SOURCE_REMOVE;
}

/* Leaves the call unanswered for a while without blocking the server: the message is
 * paused and a timeout answers it (if the client is still there). */
static void
start_hang (QoimaStandServer  *self,
            SoupServerMessage *msg)
{
  Hang *hang = g_new0 (Hang, 1);

  hang->self = self;
  hang->msg = g_object_ref (msg);
  g_signal_connect (msg, "disconnected", G_CALLBACK (hang_gone_cb), hang);
  g_signal_connect (msg, "finished", G_CALLBACK (hang_gone_cb), hang);
  hang->source_id = g_timeout_add_seconds (self->hang_seconds, hang_done_cb, hang);
  g_ptr_array_add (self->hangs, hang);
  soup_server_message_pause (msg);
}

/* Routing */

static gboolean
match_route (const Route *route,
             const char  *rest,
             GPtrArray   *params)
{
  g_auto(GStrv) want = g_strsplit (route->pattern, "/", -1);
  g_auto(GStrv) have = g_strsplit (rest, "/", -1);
  guint i;

  for (i = 0; want[i] != NULL; i++)
    {
      if (g_str_equal (want[i], "**"))
        {
          g_autofree char *joined = g_strjoinv ("/", have + i);
          char *decoded;

          if (have[i] == NULL || *joined == '\0')
            return FALSE;
          decoded = g_uri_unescape_string (joined, NULL);
          if (decoded == NULL)
            return FALSE;
          g_ptr_array_add (params, decoded);
          return TRUE;
        }
      if (have[i] == NULL)
        return FALSE;
      if (g_str_equal (want[i], "*"))
        {
          char *segment = g_uri_unescape_string (have[i], NULL);

          if (segment == NULL || *segment == '\0')
            {
              g_free (segment);
              return FALSE;
            }
          g_ptr_array_add (params, segment);
        }
      else if (!g_str_equal (want[i], have[i]))
        return FALSE;
    }
  return have[i] == NULL;
}

static gboolean
check_token (QoimaStandServer *self,
             Request          *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  const char *token;
  const char *inn;
  OpaqueToken *opaque;

  if (authorization == NULL || !g_str_has_prefix (authorization, "Bearer "))
    return FALSE;
  token = authorization + strlen ("Bearer ");
  if (g_hash_table_contains (self->revoked, token))
    {
      g_debug ("Token refused: revoked");
      return FALSE;
    }

  opaque = g_hash_table_lookup (self->opaque_tokens, token);
  if (opaque != NULL)
    {
      if (opaque->expires < now_seconds ())
        return FALSE;
      inn = opaque->bin;
    }
  else
    {
      claims = qoima_stand_jwt_verify (self->secret, token, now_seconds (), &error);
      if (claims == NULL)
        {
          g_debug ("Token refused: %s", error->message);
          return FALSE;
        }
      inn = qoima_stand_json_string (claims, "inn");
    }
  if (inn == NULL || !g_hash_table_contains (self->participant_names, inn))
    return FALSE;
  req->inn = g_strdup (inn);
  return TRUE;
}

/* Whether @route is served in the stand's current shape. */
static gboolean
route_is_served (QoimaStandServer *self,
                 const Route      *route)
{
  if (route->served_with != 0 && (self->shape & route->served_with) == 0)
    return FALSE;
  return (self->shape & route->hidden_by) == 0;
}

/* The gate: what is refused from the headers alone, before any body is read */

/* Compares in a time that does not depend on where the texts differ. */
static gboolean
secret_equal (const char *a,
              const char *b)
{
  gsize len_a = strlen (a);
  gsize len_b = strlen (b);
  guchar diff = len_a != len_b;

  for (gsize i = 0; i < len_a; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i % MAX (len_b, 1)];
  return diff == 0;
}

/* A browser sends the name it resolved: only the address the stand serves, or localhost,
 * is ours. Another name pointing at loopback is DNS rebinding. */
static gboolean
host_is_ours (QoimaStandServer *self,
              const char       *host)
{
  if (host == NULL || self->hosts == NULL)
    return FALSE;
  for (guint i = 0; self->hosts[i] != NULL; i++)
    if (g_ascii_strcasecmp (host, self->hosts[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_admin_path (const char *path)
{
  return g_str_equal (path, QOIMA_STAND_ADMIN_PATH) || g_str_has_prefix (path, QOIMA_STAND_ADMIN_PATH "/");
}

/* Refuses @msg now: its body, if any, is read and dropped, never kept. */
static void
refuse (SoupServerMessage *msg,
        guint              status,
        const char        *message)
{
  Request req = { .msg = msg };

  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  soup_message_body_truncate (soup_server_message_get_request_body (msg));
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  respond_error (&req, status, message);
}

static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  QoimaStandServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *raw_path = g_uri_get_path (soup_server_message_get_uri (msg));
  const char *token;
  const char *content_type;

  if (!host_is_ours (self, soup_message_headers_get_one (headers, "Host")))
    {
      refuse (msg, SOUP_STATUS_MISDIRECTED_REQUEST, "Неизвестный Host");
      return;
    }
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > QOIMA_STAND_MAX_BODY)
    {
      refuse (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "Слишком большой запрос");
      return;
    }
  if (!is_admin_path (raw_path))
    return;

  token = soup_message_headers_get_one (headers, QOIMA_STAND_ADMIN_TOKEN_HEADER);
  if (self->admin_token == NULL || token == NULL || !secret_equal (token, self->admin_token))
    {
      refuse (msg, SOUP_STATUS_UNAUTHORIZED, "Нужен ключ администратора стенда (" QOIMA_STAND_ADMIN_TOKEN_HEADER ")");
      return;
    }
  /* A web page can send text/plain cross-site without asking; application/json it cannot. */
  content_type = soup_message_headers_get_content_type (headers, NULL);
  if ((soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED ||
       soup_message_headers_get_content_length (headers) > 0 ||
       !g_str_equal (soup_server_message_get_method (msg), "GET")) &&
      g_strcmp0 (content_type, "application/json") != 0)
    refuse (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "Ожидается Content-Type: application/json");
}

/* A body without a length (chunked) is counted as it comes and dropped past the limit. */
static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  gsize total = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), "qoima-stand-body-size"));

  total += g_bytes_get_size (chunk);
  g_object_set_data (G_OBJECT (msg), "qoima-stand-body-size", GSIZE_TO_POINTER (total));
  if (total > QOIMA_STAND_MAX_BODY && soup_server_message_get_status (msg) == 0)
    refuse (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "Слишком большой запрос");
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), NULL);

  /* libsoup before 3.3 (bookworm has 3.2) never closes a kept-alive connection that its
   * client closes while idle (libsoup commit d20c6601): a stand running all day beside the
   * application would collect one dead socket per connection until it can open no file.
   * There, every answer closes its connection; on loopback a new one costs little. */
  if (!soup_check_version (3, 3, 0))
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  QoimaStandServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *raw_path = g_uri_get_path (uri);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) decoded_query = NULL;
  const char *raw_query = g_uri_get_query (uri);
  const Route *found = NULL;
  gboolean path_known = FALSE;
  Request req = { 0 };

  if (raw_query != NULL)
    decoded_query = g_uri_parse_params (raw_query, -1, "&", G_URI_PARAMS_NONE, NULL);

  req.msg = msg;
  req.query = decoded_query;
  req.params = params;

  for (gsize i = 0; i < G_N_ELEMENTS (routes) && found == NULL; i++)
    {
      const char *prefix = NULL;

      for (gsize a = 0; a < G_N_ELEMENTS (area_prefixes); a++)
        if (area_prefixes[a].area == routes[i].area)
          prefix = area_prefixes[a].prefix;
      if (prefix == NULL || !g_str_has_prefix (raw_path, prefix) || !route_is_served (self, &routes[i]))
        continue;
      g_ptr_array_set_size (params, 0);
      if (!match_route (&routes[i], raw_path + strlen (prefix), params))
        continue;
      path_known = TRUE;
      if (g_str_equal (routes[i].method, method))
        found = &routes[i];
    }

  if (found == NULL && !path_known &&
      qoima_stand_fund_handle (self->fund, msg, method, raw_path, decoded_query))
    return;

  if (found == NULL)
    {
      if (path_known)
        respond_error (&req, SOUP_STATUS_METHOD_NOT_ALLOWED, "Метод не поддерживается");
      else
        respond_error (&req, SOUP_STATUS_NOT_FOUND, "Ресурс не найден");
      return;
    }

  if (found->area != AREA_ADMIN)
    {
      switch (choose_fault (self))
        {
        case FAULT_ERROR:
          if (g_rand_boolean (self->fault_rand))
            respond_error (&req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Внутренняя ошибка сервера");
          else
            respond_error (&req, SOUP_STATUS_SERVICE_UNAVAILABLE, "Сервис временно недоступен");
          return;
        case FAULT_HANG:
          start_hang (self, msg);
          return;
        case FAULT_BROKEN_JSON:
          req.broken = TRUE;
          break;
        case FAULT_NONE:
        default:
          break;
        }
    }

  if (found->needs_token && !check_token (self, &req))
    {
      respond_error (&req, SOUP_STATUS_UNAUTHORIZED, MSG_BAD_TOKEN);
      g_free (req.inn);
      return;
    }

  found->handler (self, &req);
  g_free (req.inn);
}

/* True API: auth */

static void
handle_auth_key (QoimaStandServer *self,
                 Request          *req)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *data = random_challenge (self);
  gint64 now = now_seconds ();

  /* Old challenges are of no use to anyone: drop them while we are here. */
  stmt = qoima_stand_db_prepare (self->db, "DELETE FROM challenges WHERE expires < ?", &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_int64 (stmt, 1, now - 3600);
  if (!qoima_stand_db_step_done (self->db, stmt, &error))
    {
      respond_db_error (req, error);
      return;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = qoima_stand_db_prepare (self->db, "INSERT INTO challenges (uuid, data, expires) VALUES (?, ?, ?)", &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, data, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now + self->challenge_lifetime);
  if (!qoima_stand_db_step_done (self->db, stmt, &error))
    {
      respond_db_error (req, error);
      return;
    }

  json_builder_begin_object (builder);
  add_string (builder, "uuid", uuid);
  add_string (builder, "data", data);
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

/* An opaque token: random, known to the stand only by its table. */
static char *
make_opaque_token (QoimaStandServer *self,
                   const char       *bin)
{
  GString *token = g_string_new ("kz.");
  OpaqueToken *entry = g_new0 (OpaqueToken, 1);

  for (int i = 0; i < 10; i++)
    g_string_append_printf (token, "%08x", g_rand_int (self->rand));
  entry->bin = g_strdup (bin);
  entry->expires = now_seconds () + self->token_lifetime;
  g_hash_table_insert (self->opaque_tokens, g_strdup (token->str), entry);
  return g_string_free (token, FALSE);
}

static char *
make_token (QoimaStandServer *self,
            const char       *bin,
            QoimaCertificate *certificate)
{
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autoptr(JsonArray) groups = json_array_new ();
  g_autoptr(JsonObject) group = json_object_new ();
  g_autoptr(JsonArray) types = json_array_new ();
  g_autoptr(JsonArray) authorities = json_array_new ();
  g_autoptr(JsonArray) scope = json_array_new ();
  g_autofree char *jti = g_uuid_string_random ();
  gint64 now = now_seconds ();
  const char *iin = qoima_certificate_get_iin (certificate);
  const char *owner = qoima_certificate_get_owner (certificate);

  json_array_add_string_element (types, "TRADE_PARTICIPANT");
  json_object_set_string_member (group, "name", PRODUCT_GROUP);
  json_object_set_string_member (group, "status", "5");
  json_object_set_array_member (group, "types", g_steal_pointer (&types));
  json_array_add_object_element (groups, g_steal_pointer (&group));
  json_array_add_string_element (authorities, "CRPT-FACADE.DOC-CONTROLLER.ACCEPTANCE.CREATE");
  json_array_add_string_element (authorities, "CRPT-FACADE.DOC-CONTROLLER.RECEIPT.CREATE");
  json_array_add_string_element (authorities, "CRPT-FACADE.CIS-CONTROLLER.SEARCH.READ");
  json_array_add_string_element (scope, "trusted");

  json_object_set_string_member (claims, "inn", bin);
  /* pid and id are numbers in ИС МПТ; the stand derives them from the BIN. */
  json_object_set_int_member (claims, "pid", g_ascii_strtoll (bin, NULL, 10) % 1000000);
  json_object_set_int_member (claims, "id", g_str_hash (iin != NULL ? iin : bin) % 1000000);
  json_object_set_string_member (claims, "user_name", iin != NULL ? iin : "");
  json_object_set_string_member (claims, "full_name", owner != NULL ? owner : "");
  json_object_set_string_member (claims, "user_status", "ACTIVE");
  json_object_set_string_member (claims, "organisation_status", "REGISTERED");
  json_object_set_array_member (claims, "product_group_info", g_steal_pointer (&groups));
  json_object_set_array_member (claims, "authorities", g_steal_pointer (&authorities));
  json_object_set_string_member (claims, "client_id", "crpt-service");
  json_object_set_array_member (claims, "scope", g_steal_pointer (&scope));
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + self->token_lifetime);
  json_object_set_string_member (claims, "jti", jti);
  return qoima_stand_jwt_encode (self->secret, claims);
}

static void
handle_sign_in (QoimaStandServer *self,
                Request          *req)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) challenge = NULL;
  g_autoptr(QoimaCertificate) certificate = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *token = NULL;
  JsonObject *body = NULL;
  const char *uuid;
  const char *data;
  const char *bin;
  guchar *decoded;
  gsize decoded_len = 0;
  gboolean usable;

  root = parse_body (req, &error);
  if (root == NULL)
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, error->message);
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (root))
    body = json_node_get_object (root);
  uuid = body != NULL ? qoima_stand_json_string (body, "uuid") : NULL;
  if (uuid == NULL || *uuid == '\0')
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, MSG_NO_UUID);
      return;
    }

  stmt = qoima_stand_db_prepare (self->db, "SELECT data, expires, used FROM challenges WHERE uuid = ?", &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, MSG_UUID_NOT_FOUND);
      return;
    }
  usable = sqlite3_column_int (stmt, 2) == 0 && sqlite3_column_int64 (stmt, 1) >= now_seconds ();
  challenge = g_bytes_new (qoima_stand_db_column_text (stmt, 0), sqlite3_column_bytes (stmt, 0));
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!usable)
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, MSG_UUID_NOT_FOUND);
      return;
    }

  /* A challenge serves one attempt, whatever its outcome. */
  stmt = qoima_stand_db_prepare (self->db, "UPDATE challenges SET used = 1 WHERE uuid = ?", &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  if (!qoima_stand_db_step_done (self->db, stmt, &error))
    {
      respond_db_error (req, error);
      return;
    }

  data = qoima_stand_json_string (body, "data");
  if (data == NULL || *data == '\0')
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, MSG_BAD_SIGNATURE);
      return;
    }
  decoded = g_base64_decode (data, &decoded_len);
  cms = g_bytes_new_take (decoded, decoded_len);
  certificate = verify_cms (self, cms, NULL, QOIMA_KEY_PURPOSE_AUTH, &content);
  if (certificate == NULL || content == NULL || !g_bytes_equal (content, challenge))
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, MSG_BAD_SIGNATURE);
      return;
    }

  bin = qoima_certificate_get_bin (certificate);
  if (bin == NULL || !g_hash_table_contains (self->participant_names, bin))
    {
      respond_error (req, SOUP_STATUS_FORBIDDEN, MSG_NO_ACCESS);
      return;
    }

  if (self->shape & SHAPE_OPAQUE_TOKEN)
    token = make_opaque_token (self, bin);
  else
    token = make_token (self, bin, certificate);
  g_hash_table_add (self->issued, g_strdup (token));
  self->sign_ins++;
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string (builder, "token", token);
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

/* Registration (issue 12) */

#define MSG_REGISTRATION_NOT_FOUND "Заявка не найдена"
#define MSG_ALREADY_REGISTERED     "Организация с БИН %s уже зарегистрирована"
#define MSG_KEY_NOT_SIGNER         "Заявка подписана ключом другого лица (ИИН %s)"
#define MSG_KEY_OTHER_ORG          "БИН заявки не совпадает с БИН ключа"
#define MSG_CONTRACT_NOT_HEAD      "Договор подписан ключом другого лица (ИИН %s): подписывает руководитель, зарегистрировавший организацию"
#define MSG_CONTRACT_NOT_CONFIRMED "Заявка ещё не подтверждена: договор подписывается после регистрации"
#define MSG_CONTRACT_MISMATCH      "Договор не относится к этой заявке или его редакция устарела"

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* The wizard's directories, read once; a stand without them checks the fields' form only. */
static const QoimaRegistrationReferences *
stand_references (void)
{
  static QoimaRegistrationReferences references;
  static gsize loaded = 0;

  if (g_once_init_enter (&loaded))
    {
      references.kato = qoima_reference_load (QOIMA_REFERENCE_KATO, NULL);
      references.tax_offices = qoima_reference_load (QOIMA_REFERENCE_TAX_OFFICES, NULL);
      references.banks = qoima_reference_load (QOIMA_REFERENCE_BANKS, NULL);
      references.product_groups = qoima_reference_load (QOIMA_REFERENCE_PRODUCT_GROUPS, NULL);
      g_once_init_leave (&loaded, 1);
    }
  return &references;
}

static void
handle_registration_create (QoimaStandServer *self,
                            Request          *req)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(QoimaCertificate) certificate = NULL;
  g_autoptr(QoimaRegistration) registration = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *reason = NULL;
  g_autofree char *draft = NULL;
  JsonObject *body = NULL;
  const char *data;
  const char *bin;
  const char *status;
  guchar *decoded;
  gsize decoded_len = 0;

  root = parse_body (req, &error);
  if (root == NULL)
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, error->message);
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (root))
    body = json_node_get_object (root);
  data = body != NULL ? qoima_stand_json_string (body, "data") : NULL;
  if (data == NULL || *data == '\0')
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_MISSING_FIELD, "data");
      return;
    }
  decoded = g_base64_decode (data, &decoded_len);
  cms = g_bytes_new_take (decoded, decoded_len);
  /* R001-3: the request is signed with the AUTH key. */
  certificate = verify_cms (self, cms, NULL, QOIMA_KEY_PURPOSE_AUTH, &content);
  if (certificate == NULL || content == NULL)
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, MSG_BAD_SIGNATURE);
      return;
    }
  draft = g_strndup (g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  registration = qoima_registration_new_from_json (draft, &error);
  if (registration == NULL)
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, error->message);
      return;
    }

  /* The same checks as the wizard's, so that what it refuses the stand refuses too. */
  problems = qoima_registration_validate (registration, QOIMA_REGISTRATION_ALL_STEPS, stand_references ());
  bin = qoima_registration_get (registration, "bin");
  if (problems->len > 0)
    {
      QoimaRegistrationProblem *first = g_ptr_array_index (problems, 0);

      reason = g_strdup_printf ("%s (%s): %s", first->rule, first->field, first->message);
    }
  else if (g_strcmp0 (qoima_certificate_get_iin (certificate), qoima_registration_get (registration, "signer-iin")) != 0)
    reason = g_strdup_printf (MSG_KEY_NOT_SIGNER, qoima_certificate_get_iin (certificate));
  else if (qoima_registration_is_legal_entity (registration) &&
           g_strcmp0 (qoima_certificate_get_bin (certificate), bin) != 0)
    reason = g_strdup (MSG_KEY_OTHER_ORG);
  else if (g_hash_table_contains (self->participant_names, bin))
    reason = g_strdup_printf (MSG_ALREADY_REGISTERED, bin);
  status = reason != NULL ? "REFUSED" : "CHECKED";

  stmt = qoima_stand_db_prepare (self->db,
                                 "INSERT INTO registration_requests (id, bin, name, status, reason, checked_at_ms) "
                                 "VALUES (?, ?, ?, ?, ?, ?)", &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, bin != NULL ? bin : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, qoima_registration_get (registration, "full-name") != NULL
                              ? qoima_registration_get (registration, "full-name") : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, status, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, now_ms ());
  if (!qoima_stand_db_step_done (self->db, stmt, &error))
    {
      respond_db_error (req, error);
      return;
    }
  /* R000-2: the head who signed the request is the one who signs its contract. */
  if (reason == NULL)
    {
      g_clear_pointer (&stmt, sqlite3_finalize);
      stmt = qoima_stand_db_prepare (self->db, "INSERT INTO registration_contracts (request_id, head_iin) VALUES (?, ?)",
                                     &error);
      if (stmt == NULL)
        {
          respond_db_error (req, error);
          return;
        }
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, qoima_certificate_get_iin (certificate), -1, SQLITE_TRANSIENT);
      if (!qoima_stand_db_step_done (self->db, stmt, &error))
        {
          respond_db_error (req, error);
          return;
        }
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string (builder, "id", id);
  add_string (builder, "status", status);
  if (reason != NULL)
    add_string (builder, "reason", reason);
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  for (guint i = 0; i < problems->len; i++)
    {
      QoimaRegistrationProblem *p = g_ptr_array_index (problems, i);

      json_builder_begin_object (builder);
      add_string (builder, "field", p->field);
      add_string (builder, "rule", p->rule);
      add_string (builder, "message", p->message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

static void
handle_registration_status (QoimaStandServer *self,
                            Request          *req)
{
  const char *id = g_ptr_array_index (req->params, 0);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *bin = NULL;
  g_autofree char *name = NULL;
  g_autofree char *status = NULL;
  g_autofree char *reason = NULL;
  gint64 checked_at;

  stmt = qoima_stand_db_prepare (self->db, "SELECT bin, name, status, reason, checked_at_ms "
                                           "FROM registration_requests WHERE id = ?", &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      respond_error (req, SOUP_STATUS_NOT_FOUND, MSG_REGISTRATION_NOT_FOUND);
      return;
    }
  bin = g_strdup (qoima_stand_db_column_text (stmt, 0));
  name = g_strdup (qoima_stand_db_column_text (stmt, 1));
  status = g_strdup (qoima_stand_db_column_text (stmt, 2));
  reason = g_strdup (qoima_stand_db_column_text (stmt, 3));
  checked_at = sqlite3_column_int64 (stmt, 4);
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* Processed after the stand's delay (ИС МПТ: up to 24 hours, R003-3): the organization
   * becomes a participant, and its AUTH key's owner can sign in. Past half the delay it is
   * PROCESSING, so that a client shows every state the request goes through (designed: the
   * reference has no names for them). */
  if (g_str_equal (status, "CHECKED") && now_ms () < checked_at + self->processing_delay_ms &&
      now_ms () >= checked_at + self->processing_delay_ms / 2)
    {
      g_free (status);
      status = g_strdup ("PROCESSING");
    }
  else if (g_str_equal (status, "CHECKED") && now_ms () >= checked_at + self->processing_delay_ms)
    {
      stmt = qoima_stand_db_prepare (self->db, "INSERT OR IGNORE INTO participants (bin, name, role) "
                                               "VALUES (?, ?, 'MEDICAL_ORGANIZATION')", &error);
      if (stmt != NULL)
        {
          sqlite3_bind_text (stmt, 1, bin, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
          if (qoima_stand_db_step_done (self->db, stmt, &error))
            {
              g_clear_pointer (&stmt, sqlite3_finalize);
              stmt = qoima_stand_db_prepare (self->db, "UPDATE registration_requests SET status = 'CONFIRMED' "
                                                       "WHERE id = ?", &error);
              if (stmt != NULL)
                {
                  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
                  qoima_stand_db_step_done (self->db, stmt, &error);
                }
            }
        }
      if (error != NULL)
        {
          respond_db_error (req, error);
          return;
        }
      g_hash_table_insert (self->participant_names, g_strdup (bin), g_strdup (name));
      g_free (status);
      status = g_strdup ("CONFIRMED");
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string (builder, "id", id);
  add_string (builder, "status", status);
  add_string (builder, "bin", bin);
  if (reason != NULL)
    add_string (builder, "reason", reason);
  stmt = qoima_stand_db_prepare (self->db, "SELECT 1 FROM registration_contracts "
                                           "WHERE request_id = ? AND signed_at_ms IS NOT NULL", &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    add_string (builder, "contract", "SIGNED");
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

/* R000-2: the standard connection contract, signed with the head's key. */
static void
handle_registration_contract (QoimaStandServer *self,
                              Request          *req)
{
  const char *id = g_ptr_array_index (req->params, 0);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(QoimaCertificate) certificate = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *bin = NULL;
  g_autofree char *status = NULL;
  g_autofree char *head_iin = NULL;
  g_autofree char *signed_at = NULL;
  JsonObject *body = NULL;
  JsonObject *contract = NULL;
  const char *data;
  guchar *decoded;
  gsize decoded_len = 0;
  gint64 at_ms;

  root = parse_body (req, &error);
  if (root == NULL)
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, error->message);
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (root))
    body = json_node_get_object (root);
  data = body != NULL ? qoima_stand_json_string (body, "data") : NULL;
  if (data == NULL || *data == '\0')
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_MISSING_FIELD, "data");
      return;
    }
  decoded = g_base64_decode (data, &decoded_len);
  cms = g_bytes_new_take (decoded, decoded_len);
  certificate = verify_cms (self, cms, NULL, QOIMA_KEY_PURPOSE_AUTH, &content);
  if (certificate == NULL || content == NULL)
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, MSG_BAD_SIGNATURE);
      return;
    }

  stmt = qoima_stand_db_prepare (self->db, "SELECT r.bin, r.status, c.head_iin FROM registration_requests r "
                                           "JOIN registration_contracts c ON c.request_id = r.id WHERE r.id = ?", &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      respond_error (req, SOUP_STATUS_NOT_FOUND, MSG_REGISTRATION_NOT_FOUND);
      return;
    }
  bin = g_strdup (qoima_stand_db_column_text (stmt, 0));
  status = g_strdup (qoima_stand_db_column_text (stmt, 1));
  head_iin = g_strdup (qoima_stand_db_column_text (stmt, 2));
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!g_str_equal (status, "CONFIRMED"))
    {
      respond_error (req, SOUP_STATUS_CONFLICT, MSG_CONTRACT_NOT_CONFIRMED);
      return;
    }
  /* The head who registered the organization, of that organization: nobody else's key. */
  if (g_strcmp0 (qoima_certificate_get_iin (certificate), head_iin) != 0 ||
      g_strcmp0 (qoima_certificate_get_bin (certificate), bin) != 0)
    {
      respond_errorf (req, SOUP_STATUS_FORBIDDEN, MSG_CONTRACT_NOT_HEAD,
                      qoima_certificate_get_iin (certificate) != NULL ? qoima_certificate_get_iin (certificate) : "—");
      return;
    }
  document = qoima_json_parse_bytes (content, NULL);
  if (document != NULL && JSON_NODE_HOLDS_OBJECT (document))
    contract = json_node_get_object (document);
  if (contract == NULL ||
      g_strcmp0 (qoima_stand_json_string (contract, "contract"), QOIMA_REGISTRATION_CONTRACT_VERSION) != 0 ||
      g_strcmp0 (qoima_stand_json_string (contract, "request-id"), id) != 0 ||
      g_strcmp0 (qoima_stand_json_string (contract, "bin"), bin) != 0 ||
      qoima_stand_json_string (contract, "text") == NULL)
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, MSG_CONTRACT_MISMATCH);
      return;
    }

  at_ms = now_ms ();
  stmt = qoima_stand_db_prepare (self->db, "UPDATE registration_contracts SET signed_at_ms = ?, signer_iin = ?, cms = ? "
                                           "WHERE request_id = ?", &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_int64 (stmt, 1, at_ms);
  sqlite3_bind_text (stmt, 2, qoima_certificate_get_iin (certificate), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, data, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, id, -1, SQLITE_TRANSIENT);
  if (!qoima_stand_db_step_done (self->db, stmt, &error))
    {
      respond_db_error (req, error);
      return;
    }
  now = g_date_time_new_from_unix_utc (at_ms / 1000);
  signed_at = g_date_time_format_iso8601 (now);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string (builder, "id", id);
  add_string (builder, "contract", "SIGNED");
  add_string (builder, "signedAt", signed_at);
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

/* True API: documents */

#define DOC_COLUMNS "id, type, document_number, sender, receiver, status, doc_date, created_at," \
                    " invoice_number, cis_total, body, errors, related_id"

enum {
  COL_ID,
  COL_TYPE,
  COL_NUMBER,
  COL_SENDER,
  COL_RECEIVER,
  COL_STATUS,
  COL_DOC_DATE,
  COL_CREATED_AT,
  COL_INVOICE,
  COL_CIS_TOTAL,
  COL_BODY,
  COL_ERRORS,
  COL_RELATED,
};

static void
add_document_header (QoimaStandServer *self,
                     JsonBuilder      *builder,
                     sqlite3_stmt     *row)
{
  const char *sender = qoima_stand_db_column_text (row, COL_SENDER);
  const char *receiver = qoima_stand_db_column_text (row, COL_RECEIVER);

  add_string (builder, "number", qoima_stand_db_column_text (row, COL_ID));
  add_string (builder, "docDate", qoima_stand_db_column_text (row, COL_DOC_DATE));
  add_string (builder, "receivedAt", qoima_stand_db_column_text (row, COL_CREATED_AT));
  add_string (builder, "type", qoima_stand_db_column_text (row, COL_TYPE));
  add_string (builder, "status", qoima_stand_db_column_text (row, COL_STATUS));
  add_string (builder, "senderInn", sender);
  add_string (builder, "senderName", participant_name (self, sender));
  if (receiver != NULL)
    {
      add_string (builder, "receiverInn", receiver);
      add_string (builder, "receiverName", participant_name (self, receiver));
    }
  if (qoima_stand_db_column_text (row, COL_INVOICE) != NULL && !(self->shape & SHAPE_NO_DOCUMENT_NUMBER))
    add_string (builder, "invoiceNumber", qoima_stand_db_column_text (row, COL_INVOICE));
  if (qoima_stand_db_column_text (row, COL_RELATED) != NULL)
    add_string (builder, "relatedDocId", qoima_stand_db_column_text (row, COL_RELATED));
  add_int (builder, "cisTotal", sqlite3_column_int (row, COL_CIS_TOTAL));
  if (!(self->shape & SHAPE_NO_DOCUMENT_NUMBER))
    add_string (builder, "documentNumber", qoima_stand_db_column_text (row, COL_NUMBER));
  add_string (builder, "productGroup", PRODUCT_GROUP);
}

/* The document list for v3/v4 (receiverInn xor senderInn) and the legacy facade
 * (participantInn with inputFormat): @legacy answers with total instead of nextPage. */
static void
list_documents (QoimaStandServer *self,
                Request          *req,
                const char       *receiver,
                const char       *sender,
                gboolean          legacy)
{
  const char *type = query_get (req, "documentType");
  const char *status = query_get (req, "documentStatus");
  const char *limit_text = query_get (req, "limit");
  const char *did = query_get (req, "did");
  const char *page_dir = query_get (req, "pageDir");
  g_autoptr(GString) sql = g_string_new ("SELECT " DOC_COLUMNS " FROM documents WHERE ");
  g_autofree char *cutoff = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  gint64 limit = 10000;
  int n = 0;
  int bind = 1;

  if (g_strcmp0 (receiver != NULL ? receiver : sender, req->inn) != 0)
    {
      respond_error (req, SOUP_STATUS_FORBIDDEN, MSG_NO_ACCESS);
      return;
    }
  if (limit_text != NULL)
    {
      limit = g_ascii_strtoll (limit_text, NULL, 10);
      if (limit <= 0 || limit > 10000)
        {
          respond_error (req, SOUP_STATUS_BAD_REQUEST, "limit: от 1 до 10000");
          return;
        }
    }

  /* A page never holds more than the stand's page size, whatever the limit asked. */
  limit = MIN (limit, self->list_page_size);
  if (page_dir != NULL && !g_str_equal (page_dir, "NEXT"))
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, "pageDir: поддерживается только NEXT");
      return;
    }
  /* A list that shows new documents late: those stored in the last list_lag seconds are not
   * in it yet (doc/{id}/info knows them at once). */
  if (self->list_lag_seconds > 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) then = g_date_time_add_seconds (now, -self->list_lag_seconds);

      cutoff = qoima_stand_format_time (then);
    }

  g_string_append (sql, receiver != NULL ? "receiver = ?" : "sender = ?");
  if (type != NULL)
    g_string_append (sql, " AND type = ?");
  if (status != NULL)
    g_string_append (sql, " AND status = ?");
  if (cutoff != NULL)
    g_string_append (sql, " AND created_at <= ?");
  /* The next page: what follows the document did in the list's order. */
  if (did != NULL)
    g_string_append (sql, " AND (doc_date, created_at, rowid) <"
                          " (SELECT doc_date, created_at, rowid FROM documents WHERE id = ?)");
  g_string_append (sql, " ORDER BY doc_date DESC, created_at DESC, rowid DESC LIMIT ?");

  stmt = qoima_stand_db_prepare (self->db, sql->str, &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, bind++, req->inn, -1, SQLITE_TRANSIENT);
  if (type != NULL)
    sqlite3_bind_text (stmt, bind++, type, -1, SQLITE_TRANSIENT);
  if (status != NULL)
    sqlite3_bind_text (stmt, bind++, status, -1, SQLITE_TRANSIENT);
  if (cutoff != NULL)
    sqlite3_bind_text (stmt, bind++, cutoff, -1, SQLITE_TRANSIENT);
  if (did != NULL)
    sqlite3_bind_text (stmt, bind++, did, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, bind, limit + 1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (++n > limit)
        break;
      json_builder_begin_object (builder);
      add_document_header (self, builder, stmt);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  if (legacy)
    add_int (builder, "total", MIN (n, limit));
  else
    {
      json_builder_set_member_name (builder, "nextPage");
      json_builder_add_boolean_value (builder, n > limit);
    }
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

static void
handle_doc_list (QoimaStandServer *self,
                 Request          *req)
{
  const char *receiver = query_get (req, "receiverInn");
  const char *sender = query_get (req, "senderInn");
  const char *pg = query_get (req, "pg");

  if (pg != NULL && !g_str_equal (pg, PRODUCT_GROUP))
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, "Неизвестная товарная группа: %s", pg);
      return;
    }
  if ((receiver == NULL) == (sender == NULL))
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, "Укажите один из параметров: senderInn или receiverInn");
      return;
    }
  list_documents (self, req, receiver, sender, FALSE);
}

/* The legacy facade: inputFormat=true lists what the participant received. */
static void
handle_doc_list_legacy (QoimaStandServer *self,
                        Request          *req)
{
  const char *participant = query_get (req, "participantInn");
  const char *input = query_get (req, "inputFormat");

  if (participant == NULL)
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_MISSING_PARAM, "participantInn");
      return;
    }
  if (g_strcmp0 (input, "true") == 0)
    list_documents (self, req, participant, NULL, TRUE);
  else
    list_documents (self, req, NULL, participant, TRUE);
}

static sqlite3_stmt *
find_document (QoimaStandServer  *self,
               const char        *id,
               GError           **error)
{
  sqlite3_stmt *stmt = qoima_stand_db_prepare (self->db, "SELECT " DOC_COLUMNS " FROM documents WHERE id = ?", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      g_set_error_literal (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_NOT_FOUND, MSG_DOC_NOT_FOUND);
      return NULL;
    }
  return stmt;
}

static void
add_code_item (QoimaStandServer *self,
               JsonBuilder      *builder,
               sqlite3_stmt     *code)
{
  json_builder_begin_object (builder);
  add_string (builder, self->shape & SHAPE_PRODUCTS_CIS ? "cis" : "uit_code", qoima_stand_db_column_text (code, 0));
  add_string (builder, "gtin", qoima_stand_db_column_text (code, 1));
  add_string (builder, "batch", qoima_stand_db_column_text (code, 2));
  add_string (builder, "expiration_date", qoima_stand_db_column_text (code, 3));
  json_builder_end_object (builder);
}

/* The act's body as the sender submitted it: loose packs, and boxes with their packs. */
static gboolean
add_act_body (QoimaStandServer  *self,
              JsonBuilder       *builder,
              sqlite3_stmt      *doc,
              GError           **error)
{
  g_autoptr(sqlite3_stmt) codes = NULL;
  const char *current_box = NULL;
  g_autofree char *box = NULL;

  json_builder_begin_object (builder);
  if (!(self->shape & SHAPE_NO_DOCUMENT_NUMBER))
    add_string (builder, "document_number", qoima_stand_db_column_text (doc, COL_NUMBER));
  add_string (builder, "document_date", qoima_stand_db_column_text (doc, COL_DOC_DATE));
  add_string (builder, "transfer_date", qoima_stand_db_column_text (doc, COL_DOC_DATE));
  add_string (builder, "turnover_type", "SELLING");
  /* In these shapes the body does not carry the codes. */
  if (self->shape & (SHAPE_CISES_ONLY | SHAPE_NO_CODES))
    {
      json_builder_end_object (builder);
      return TRUE;
    }
  json_builder_set_member_name (builder, "products");
  json_builder_begin_array (builder);

  /* Loose packs first, then each box with its packs, in the order they were made. */
  codes = qoima_stand_db_prepare (self->db,
                                  "SELECT ki, gtin, batch, expiry, parent_sscc FROM codes WHERE act_id = ?"
                                  " ORDER BY parent_sscc IS NOT NULL, parent_sscc, rowid",
                                  error);
  if (codes == NULL)
    return FALSE;
  sqlite3_bind_text (codes, 1, qoima_stand_db_column_text (doc, COL_ID), -1, SQLITE_TRANSIENT);
  while (sqlite3_step (codes) == SQLITE_ROW)
    {
      current_box = qoima_stand_db_column_text (codes, 4);
      if (current_box == NULL)
        {
          add_code_item (self, builder, codes);
          continue;
        }
      if (g_strcmp0 (box, current_box) != 0)
        {
          if (box != NULL)
            {
              json_builder_end_array (builder);
              json_builder_end_object (builder);
            }
          g_free (box);
          box = g_strdup (current_box);
          json_builder_begin_object (builder);
          add_string (builder, self->shape & SHAPE_PRODUCTS_CIS ? "cis" : "uitu_code", box);
          json_builder_set_member_name (builder, "children");
          json_builder_begin_array (builder);
        }
      add_code_item (self, builder, codes);
    }
  if (box != NULL)
    {
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return TRUE;
}

static void
add_stored_json (JsonBuilder *builder,
                 const char  *text,
                 gboolean     array)
{
  g_autoptr(JsonNode) root = text != NULL ? qoima_json_parse_bounded (text, -1, NULL) : NULL;

  if (root != NULL)
    json_builder_add_value (builder, json_node_copy (root));
  else if (array)
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
  else
    json_builder_add_null_value (builder);
}

/* A document with its header and body: doc/{id}/info answers an array of one object, the
 * legacy facade's doc/{id}/body the object alone. */
static void
answer_document (QoimaStandServer *self,
                 Request          *req,
                 gboolean          legacy)
{
  const char *id = g_ptr_array_index (req->params, 0);
  g_autoptr(sqlite3_stmt) doc = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  const char *with_body = query_get (req, "body");

  doc = find_document (self, id, &error);
  if (doc == NULL)
    {
      if (g_error_matches (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_NOT_FOUND))
        {
          respond_error (req, SOUP_STATUS_NOT_FOUND, MSG_DOC_NOT_FOUND);
          return;
        }
      {
        respond_db_error (req, error);
        return;
      }
    }
  if (g_strcmp0 (qoima_stand_db_column_text (doc, COL_SENDER), req->inn) != 0 &&
      g_strcmp0 (qoima_stand_db_column_text (doc, COL_RECEIVER), req->inn) != 0)
    {
      respond_error (req, SOUP_STATUS_FORBIDDEN, MSG_NO_ACCESS);
      return;
    }

  if (!legacy)
    json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  add_document_header (self, builder, doc);
  if (legacy || g_strcmp0 (with_body, "false") != 0)
    {
      json_builder_set_member_name (builder, "body");
      if (g_str_equal (qoima_stand_db_column_text (doc, COL_TYPE), "LP_SHIP_GOODS"))
        {
          if (!add_act_body (self, builder, doc, &error))
            {
              respond_db_error (req, error);
              return;
            }
        }
      else
        add_stored_json (builder, qoima_stand_db_column_text (doc, COL_BODY), FALSE);
    }
  json_builder_set_member_name (builder, "errors");
  add_stored_json (builder, qoima_stand_db_column_text (doc, COL_ERRORS), TRUE);
  json_builder_end_object (builder);
  if (!legacy)
    json_builder_end_array (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

static void
handle_doc_info (QoimaStandServer *self,
                 Request          *req)
{
  answer_document (self, req, FALSE);
}

static void
handle_doc_body_legacy (QoimaStandServer *self,
                        Request          *req)
{
  answer_document (self, req, TRUE);
}

static gboolean
add_codes_of_act (QoimaStandServer  *self,
                  JsonBuilder       *builder,
                  const char        *act_id,
                  GError           **error)
{
  g_autoptr(sqlite3_stmt) codes = NULL;

  codes = qoima_stand_db_prepare (self->db, "SELECT ki FROM codes WHERE act_id = ? ORDER BY rowid", error);
  if (codes == NULL)
    return FALSE;
  sqlite3_bind_text (codes, 1, act_id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (codes) == SQLITE_ROW)
    json_builder_add_string_value (builder, qoima_stand_db_column_text (codes, 0));
  return TRUE;
}

static void
add_codes_of_receipt (JsonBuilder *builder,
                      const char  *body)
{
  g_autoptr(JsonNode) root = body != NULL ? qoima_json_parse_bounded (body, -1, NULL) : NULL;
  JsonNode *products;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  products = json_object_get_member (json_node_get_object (root), "products");
  if (products == NULL || !JSON_NODE_HOLDS_ARRAY (products))
    return;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (products)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (products), i);
      const char *cis;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      cis = qoima_stand_json_string (json_node_get_object (item), "cis");
      if (cis != NULL)
        {
          g_autofree char *ki = qoima_stand_code_to_ki (cis);

          json_builder_add_string_value (builder, ki);
        }
    }
}

static void
handle_doc_cises (QoimaStandServer *self,
                  Request          *req)
{
  const char *id = query_get (req, "documentId");
  g_autoptr(sqlite3_stmt) doc = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  const char *type;

  if (id == NULL)
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_MISSING_PARAM, "documentId");
      return;
    }
  doc = find_document (self, id, &error);
  if (doc == NULL)
    {
      if (g_error_matches (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_NOT_FOUND))
        {
          respond_error (req, SOUP_STATUS_NOT_FOUND, MSG_DOC_NOT_FOUND);
          return;
        }
      {
        respond_db_error (req, error);
        return;
      }
    }
  if (g_strcmp0 (qoima_stand_db_column_text (doc, COL_SENDER), req->inn) != 0 &&
      g_strcmp0 (qoima_stand_db_column_text (doc, COL_RECEIVER), req->inn) != 0)
    {
      respond_error (req, SOUP_STATUS_FORBIDDEN, MSG_NO_ACCESS);
      return;
    }

  type = qoima_stand_db_column_text (doc, COL_TYPE);
  json_builder_begin_object (builder);
  add_string (builder, "documentId", id);
  add_string (builder, "type", type);
  add_string (builder, "status", qoima_stand_db_column_text (doc, COL_STATUS));
  add_string (builder, "senderInn", qoima_stand_db_column_text (doc, COL_SENDER));
  add_string (builder, "receiverInn", qoima_stand_db_column_text (doc, COL_RECEIVER));
  add_string (builder, "receivedAt", qoima_stand_db_column_text (doc, COL_CREATED_AT));
  if (qoima_stand_db_column_text (doc, COL_RELATED) != NULL)
    add_string (builder, "relatedDocId", qoima_stand_db_column_text (doc, COL_RELATED));
  json_builder_set_member_name (builder, "cisList");
  json_builder_begin_array (builder);
  if (g_str_equal (type, "LP_SHIP_GOODS") || g_str_equal (type, "LP_ACCEPT_GOODS"))
    {
      const char *act_id = g_str_equal (type, "LP_SHIP_GOODS") ? id : qoima_stand_db_column_text (doc, COL_RELATED);

      /* In the no-codes shape an act has no codes anywhere: the list stays empty. */
      if (g_str_equal (type, "LP_SHIP_GOODS") && (self->shape & SHAPE_NO_CODES))
        act_id = NULL;

      if (act_id != NULL && !add_codes_of_act (self, builder, act_id, &error))
        {
          respond_db_error (req, error);
          return;
        }
    }
  else
    add_codes_of_receipt (builder, qoima_stand_db_column_text (doc, COL_BODY));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

static void
handle_documents_create (QoimaStandServer *self,
                         Request          *req)
{
  static const char *required[] = { "document_format", "type", "product_document", "signature" };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) doc_root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(QoimaCertificate) signer = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *id = NULL;
  g_autofree char *now = now_text ();
  g_autofree char *document_text = NULL;
  JsonObject *body;
  JsonObject *doc;
  JsonNode *products;
  const char *type;
  const char *receiver = NULL;
  const char *related = NULL;
  const char *doc_date;
  guchar *decoded;
  gsize decoded_len = 0;

  if (query_get (req, "pg") == NULL)
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_MISSING_PARAM, "pg");
      return;
    }
  if (!g_str_equal (query_get (req, "pg"), PRODUCT_GROUP))
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, "Неизвестная товарная группа: %s", query_get (req, "pg"));
      return;
    }

  root = parse_body (req, &error);
  if (root == NULL)
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, error->message);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, "ожидался объект");
      return;
    }
  body = json_node_get_object (root);
  for (gsize i = 0; i < G_N_ELEMENTS (required); i++)
    {
      const char *value = qoima_stand_json_string (body, required[i]);

      if (value == NULL || *value == '\0')
        {
          respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_MISSING_FIELD, required[i]);
          return;
        }
    }
  type = qoima_stand_json_string (body, "type");
  if (!g_str_equal (type, "LP_ACCEPT_GOODS") && !g_str_equal (type, "LK_RECEIPT"))
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, "Неподдерживаемый тип документа: %s", type);
      return;
    }
  if (!g_str_equal (qoima_stand_json_string (body, "document_format"), "MANUAL"))
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, "Неподдерживаемый формат документа: %s",
                             qoima_stand_json_string (body, "document_format"));
      return;
    }

  decoded = g_base64_decode (qoima_stand_json_string (body, "product_document"), &decoded_len);
  document = g_bytes_new_take (decoded, decoded_len);
  doc_root = qoima_json_parse_bytes (document, &error);
  if (doc_root == NULL)
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, error->message);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (doc_root))
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, "product_document: ожидался объект");
      return;
    }
  doc = json_node_get_object (doc_root);

  decoded = g_base64_decode (qoima_stand_json_string (body, "signature"), &decoded_len);
  cms = g_bytes_new_take (decoded, decoded_len);
  signer = verify_cms (self, cms, document, QOIMA_KEY_PURPOSE_SIGNING, NULL);
  if (signer == NULL || g_strcmp0 (qoima_certificate_get_bin (signer), req->inn) != 0)
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, MSG_BAD_SIGNATURE);
      return;
    }

  if (g_str_equal (type, "LP_ACCEPT_GOODS"))
    {
      receiver = qoima_stand_json_string (doc, "trade_sender_inn");
      related = qoima_stand_json_string (doc, "release_order_number");
    }
  doc_date = qoima_stand_json_string (doc, "document_date");
  products = json_object_get_member (doc, "products");

  /* The body is kept exactly as signed; the JSON parser has proven it is text. */
  document_text = g_strndup (g_bytes_get_data (document, NULL), g_bytes_get_size (document));
  id = g_uuid_string_random ();
  stmt = qoima_stand_db_prepare (self->db,
                                 "INSERT INTO documents (id, type, document_number, sender, receiver, status, body,"
                                 " doc_date, created_at, related_id, cis_total)"
                                 " VALUES (?, ?, ?, ?, ?, 'IN_PROGRESS', ?, ?, ?, ?, ?)",
                                 &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, qoima_stand_json_string (doc, "document_number"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, req->inn, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, receiver, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, document_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, doc_date != NULL ? doc_date : now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, related, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 10, products != NULL && JSON_NODE_HOLDS_ARRAY (products) ? json_array_get_length (json_node_get_array (products)) : 0);
  if (!qoima_stand_db_step_done (self->db, stmt, &error))
    {
      respond_db_error (req, error);
      return;
    }

  schedule_processing (self, id);
  notify_stored (self, type, qoima_stand_json_string (doc, "document_number"), id);

  switch (choose_after_store_fault (self))
    {
    case QOIMA_STAND_AFTER_STORE_DROP:
      /* Stored, and the connection ends without a word: the client cannot know. */
      g_socket_shutdown (soup_server_message_get_socket (req->msg), TRUE, TRUE, NULL);
      respond_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Внутренняя ошибка сервера");
      return;
    case QOIMA_STAND_AFTER_STORE_ERROR:
      respond_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Внутренняя ошибка сервера");
      return;
    case QOIMA_STAND_AFTER_STORE_HANG:
      start_hang (self, req->msg);
      return;
    case QOIMA_STAND_AFTER_STORE_NONE:
    default:
      break;
    }
  /* The document is stored either way: only the answer that says so is missing. */
  if (self->shape & SHAPE_CREATE_EMPTY_204)
    respond (req, SOUP_STATUS_NO_CONTENT, NULL, NULL, 0);
  else if (self->shape & SHAPE_CREATE_EMPTY_200)
    respond (req, SOUP_STATUS_OK, "text/plain;charset=UTF-8", NULL, 0);
  else
    respond (req, SOUP_STATUS_OK, "text/plain;charset=UTF-8", id, strlen (id));
}

/* True API: codes */

static void
add_pack_info (QoimaStandServer *self,
               JsonBuilder      *builder,
               const char       *requested,
               sqlite3_stmt     *code)
{
  const char *owner = qoima_stand_db_column_text (code, 3);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cisInfo");
  json_builder_begin_object (builder);
  add_string (builder, "requestedCis", requested);
  add_string (builder, "cis", qoima_stand_db_column_text (code, 0));
  add_string (builder, "gtin", qoima_stand_db_column_text (code, 1));
  add_string (builder, "productName", qoima_stand_db_column_text (code, 8));
  add_string (builder, "productGroup", PRODUCT_GROUP);
  add_string (builder, "status", qoima_stand_db_column_text (code, 2));
  add_string (builder, "ownerInn", owner);
  add_string (builder, "ownerName", participant_name (self, owner));
  add_string (builder, "producerInn", qoima_stand_db_column_text (code, 9));
  add_string (builder, "producerName", qoima_stand_db_column_text (code, 10));
  add_string (builder, "expirationDate", qoima_stand_db_column_text (code, 4));
  add_string (builder, "batchNumber", qoima_stand_db_column_text (code, 5));
  add_string (builder, "packageType", "UNIT");
  add_string (builder, "parent", qoima_stand_db_column_text (code, 6));
  json_builder_set_member_name (builder, "child");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  add_string (builder, "withdrawReason", qoima_stand_db_column_text (code, 7));
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static gboolean
add_box_info (QoimaStandServer  *self,
              JsonBuilder       *builder,
              const char        *requested,
              const char        *sscc,
              GError           **error)
{
  g_autoptr(sqlite3_stmt) children = NULL;
  g_autofree char *status = NULL;
  g_autofree char *owner = NULL;

  children = qoima_stand_db_prepare (self->db, "SELECT ki, status, owner_bin FROM codes WHERE parent_sscc = ? ORDER BY rowid", error);
  if (children == NULL)
    return FALSE;
  sqlite3_bind_text (children, 1, sscc, -1, SQLITE_TRANSIENT);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cisInfo");
  json_builder_begin_object (builder);
  add_string (builder, "requestedCis", requested);
  add_string (builder, "cis", sscc);
  add_string (builder, "productGroup", PRODUCT_GROUP);
  add_string (builder, "packageType", "BOX");
  json_builder_set_member_name (builder, "child");
  json_builder_begin_array (builder);
  while (sqlite3_step (children) == SQLITE_ROW)
    {
      /* A box has no status of its own on the stand: it shows its first pack's. */
      if (status == NULL)
        {
          status = g_strdup (qoima_stand_db_column_text (children, 1));
          owner = g_strdup (qoima_stand_db_column_text (children, 2));
        }
      json_builder_add_string_value (builder, qoima_stand_db_column_text (children, 0));
    }
  json_builder_end_array (builder);
  add_string (builder, "status", status);
  add_string (builder, "ownerInn", owner);
  add_string (builder, "ownerName", participant_name (self, owner));
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return TRUE;
}

static void
add_unknown_code (JsonBuilder *builder,
                  const char  *requested)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cisInfo");
  json_builder_begin_object (builder);
  add_string (builder, "requestedCis", requested);
  json_builder_end_object (builder);
  add_string (builder, "errorCode", "404");
  add_string (builder, "errorMessage", "КИ не найден");
  json_builder_end_object (builder);
}

static void
handle_cises_info (QoimaStandServer *self,
                   Request          *req)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(sqlite3_stmt) find_code = NULL;
  g_autoptr(sqlite3_stmt) find_box = NULL;
  JsonArray *codes;
  guint n;

  root = parse_body (req, &error);
  if (root == NULL)
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, error->message);
      return;
    }
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, "ожидался массив КИ");
      return;
    }
  codes = json_node_get_array (root);
  n = json_array_get_length (codes);
  if (n == 0)
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, "Список КИ пуст");
      return;
    }
  if (n > 1000)
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, "Не более 1000 КИ в одном запросе");
      return;
    }

  find_code = qoima_stand_db_prepare (self->db,
                                      "SELECT c.ki, c.gtin, c.status, c.owner_bin, c.expiry, c.batch, c.parent_sscc,"
                                      " c.withdraw_reason, p.name_ru, p.producer_bin, p.manufacturer"
                                      " FROM codes c JOIN products p ON p.gtin = c.gtin WHERE c.ki = ?",
                                      &error);
  find_box = qoima_stand_db_prepare (self->db, "SELECT sscc FROM boxes WHERE sscc = ?", &error);
  if (find_code == NULL || find_box == NULL)
    {
      respond_db_error (req, error);
      return;
    }

  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (codes, i);
      const char *requested;
      g_autofree char *ki = NULL;
      g_autofree char *sscc = NULL;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, "КИ должен быть строкой");
          return;
        }
      requested = json_node_get_string (node);
      ki = qoima_stand_code_to_ki (requested);
      sscc = strlen (requested) == 18 ? g_strconcat ("00", requested, NULL) : g_strdup (requested);

      sqlite3_bind_text (find_code, 1, ki, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (find_box, 1, sscc, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (find_code) == SQLITE_ROW)
        add_pack_info (self, builder, requested, find_code);
      else if (sqlite3_step (find_box) == SQLITE_ROW)
        {
          if (!add_box_info (self, builder, requested, sscc, &error))
            {
              respond_db_error (req, error);
              return;
            }
        }
      else
        add_unknown_code (builder, requested);
      sqlite3_reset (find_code);
      sqlite3_reset (find_box);
    }
  json_builder_end_array (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

/* НКТ catalog */

static void
handle_catalog_product (QoimaStandServer *self,
                        Request          *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *key = soup_message_headers_get_one (headers, "X-API-KEY");
  const char *gtin = g_ptr_array_index (req->params, 0);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;

  if (key == NULL || self->api_key == NULL || !g_str_equal (key, self->api_key))
    {
      respond_error (req, SOUP_STATUS_UNAUTHORIZED, "Неверный или отсутствующий ключ API");
      return;
    }

  stmt = qoima_stand_db_prepare (self->db,
                                 "SELECT rowid, gtin, ntin, name_ru, name_kk, inn, form, dosage, units_per_pack,"
                                 " manufacturer FROM products WHERE gtin = ? OR ntin = ?",
                                 &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, gtin, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, gtin, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      respond_error (req, SOUP_STATUS_NOT_FOUND, "Товар не найден");
      return;
    }

  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  add_int (builder, "id", sqlite3_column_int64 (stmt, 0));
  add_string (builder, "gtin", qoima_stand_db_column_text (stmt, 1));
  add_string (builder, "ntin", qoima_stand_db_column_text (stmt, 2));
  add_string (builder, "nameRu", qoima_stand_db_column_text (stmt, 3));
  add_string (builder, "nameKk", qoima_stand_db_column_text (stmt, 4));
  /* The fields below are the stand's choice: the real card's spelling is not known. */
  add_string (builder, "inn", qoima_stand_db_column_text (stmt, 5));
  add_string (builder, "dosageForm", qoima_stand_db_column_text (stmt, 6));
  add_string (builder, "dosage", qoima_stand_db_column_text (stmt, 7));
  add_int (builder, "unitsPerPack", sqlite3_column_int (stmt, 8));
  add_string (builder, "manufacturer", qoima_stand_db_column_text (stmt, 9));
  json_builder_set_member_name (builder, "categoryAncestors");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  add_int (builder, "level", 1);
  add_string (builder, "code", "1024");
  add_string (builder, "nameRu", "Лекарственные средства");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  add_string (builder, "updatedDate", "2025-01-15T09:00:00Z");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

/* Admin */

static void
handle_admin_acts (QoimaStandServer *self,
                   Request          *req)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) lines = g_array_new (FALSE, TRUE, sizeof (QoimaStandActLine));
  g_autoptr(QoimaStandAct) act = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  JsonObject *body;
  JsonNode *lines_node;
  JsonArray *line_array;
  gint64 box_size = 0;

  root = parse_body (req, &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, error != NULL ? error->message : "ожидался объект");
      return;
    }
  body = json_node_get_object (root);
  lines_node = json_object_get_member (body, "lines");
  if (lines_node == NULL || !JSON_NODE_HOLDS_ARRAY (lines_node))
    {
      respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_MISSING_FIELD, "lines");
      return;
    }
  line_array = json_node_get_array (lines_node);
  for (guint i = 0; i < json_array_get_length (line_array); i++)
    {
      JsonNode *item = json_array_get_element (line_array, i);
      QoimaStandActLine line = { NULL, 0 };
      gint64 packs = 0;

      if (JSON_NODE_HOLDS_OBJECT (item))
        {
          line.gtin = qoima_stand_json_string (json_node_get_object (item), "gtin");
          if (!qoima_json_get_int_checked (json_node_get_object (item), "packs", 0, G_MAXINT, &packs, &error))
            {
              respond_error (req, SOUP_STATUS_BAD_REQUEST, error->message);
              return;
            }
          line.packs = (int) packs;
        }
      g_array_append_val (lines, line);
    }
  if (!qoima_json_get_int_checked (body, "box_size", 0, G_MAXINT, &box_size, &error))
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }

  act = qoima_stand_world_create_act (self->db, self->rand,
                                      qoima_stand_json_string (body, "sender") ? qoima_stand_json_string (body, "sender") : QOIMA_STAND_SK_PHARMACY_BIN,
                                      qoima_stand_json_string (body, "receiver") ? qoima_stand_json_string (body, "receiver") : QOIMA_STAND_HOSPITAL_BIN,
                                      &g_array_index (lines, QoimaStandActLine, 0), lines->len,
                                      (int) box_size,
                                      NULL, &error);
  if (act == NULL)
    {
      respond_error (req, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }

  json_builder_begin_object (builder);
  add_string (builder, "id", act->id);
  add_string (builder, "number", act->number);
  json_builder_set_member_name (builder, "codes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < act->codes->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (act->codes, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "boxes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < act->boxes->len; i++)
    {
      QoimaStandBox *box = g_ptr_array_index (act->boxes, i);

      json_builder_begin_object (builder);
      add_string (builder, "sscc", box->sscc);
      json_builder_set_member_name (builder, "codes");
      json_builder_begin_array (builder);
      for (guint c = 0; c < box->codes->len; c++)
        json_builder_add_string_value (builder, g_ptr_array_index (box->codes, c));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "marking_codes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < act->marking_codes->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (act->marking_codes, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

static void
handle_admin_code (QoimaStandServer *self,
                   Request          *req)
{
  g_autofree char *ki = qoima_stand_code_to_ki (g_ptr_array_index (req->params, 0));
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;

  stmt = qoima_stand_db_prepare (self->db,
                                 "SELECT ki, gtin, status, owner_bin, withdraw_reason, parent_sscc, act_id"
                                 " FROM codes WHERE ki = ?",
                                 &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, ki, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      respond_error (req, SOUP_STATUS_NOT_FOUND, "КИ не найден");
      return;
    }

  json_builder_begin_object (builder);
  add_string (builder, "ki", qoima_stand_db_column_text (stmt, 0));
  add_string (builder, "gtin", qoima_stand_db_column_text (stmt, 1));
  add_string (builder, "status", qoima_stand_db_column_text (stmt, 2));
  add_string (builder, "owner", qoima_stand_db_column_text (stmt, 3));
  add_string (builder, "withdrawReason", qoima_stand_db_column_text (stmt, 4));
  add_string (builder, "parent", qoima_stand_db_column_text (stmt, 5));
  add_string (builder, "act", qoima_stand_db_column_text (stmt, 6));
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

static void
handle_admin_documents (QoimaStandServer *self,
                        Request          *req)
{
  const char *type = query_get (req, "type");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;

  stmt = qoima_stand_db_prepare (self->db,
                                 "SELECT id, type, document_number, status, sender, receiver, created_at, related_id"
                                 " FROM documents WHERE ?1 IS NULL OR type = ?1 ORDER BY rowid",
                                 &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, type, -1, SQLITE_TRANSIENT);

  json_builder_begin_array (builder);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      json_builder_begin_object (builder);
      add_string (builder, "id", qoima_stand_db_column_text (stmt, 0));
      add_string (builder, "type", qoima_stand_db_column_text (stmt, 1));
      add_string (builder, "document_number", qoima_stand_db_column_text (stmt, 2));
      add_string (builder, "status", qoima_stand_db_column_text (stmt, 3));
      add_string (builder, "sender", qoima_stand_db_column_text (stmt, 4));
      add_string (builder, "receiver", qoima_stand_db_column_text (stmt, 5));
      add_string (builder, "created_at", qoima_stand_db_column_text (stmt, 6));
      add_string (builder, "related_id", qoima_stand_db_column_text (stmt, 7));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

static double
double_member (JsonObject *object,
               const char *name,
               double      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  return fallback;
}

static void
handle_admin_faults (QoimaStandServer *self,
                     Request          *req)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (g_str_equal (soup_server_message_get_method (req->msg), "POST"))
    {
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) error = NULL;
      gint64 seed = self->fault_seed;
      gint64 hang_seconds = self->hang_seconds;
      gint64 processing_delay_ms = self->processing_delay_ms;
      JsonObject *body;

      root = parse_body (req, &error);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, error != NULL ? error->message : "ожидался объект");
          return;
        }
      body = json_node_get_object (root);
      /* A number that does not fit is refused as a whole, not cast to something else. */
      if (!qoima_json_get_int_checked (body, "seed", 0, G_MAXUINT32, &seed, &error) ||
          !qoima_json_get_int_checked (body, "hang_seconds", 0, G_MAXINT, &hang_seconds, &error) ||
          !qoima_json_get_int_checked (body, "processing_delay_ms", 0, G_MAXINT, &processing_delay_ms, &error))
        {
          respond_error (req, SOUP_STATUS_BAD_REQUEST, error->message);
          return;
        }
      qoima_stand_server_set_faults (self,
                                     double_member (body, "error_rate", self->error_rate),
                                     double_member (body, "timeout_rate", self->timeout_rate),
                                     double_member (body, "broken_json_rate", self->broken_json_rate),
                                     (guint32) seed);
      if (json_object_has_member (body, "hang_seconds"))
        qoima_stand_server_set_hang_time (self, (int) hang_seconds);
      if (json_object_has_member (body, "processing_delay_ms"))
        qoima_stand_server_set_processing_delay (self, (int) processing_delay_ms);
      if (json_object_has_member (body, "list_page_size") || json_object_has_member (body, "list_lag_seconds"))
        qoima_stand_server_set_list (self,
                                     (int) CLAMP (double_member (body, "list_page_size", self->list_page_size), 1, 10000),
                                     (int) CLAMP (double_member (body, "list_lag_seconds", self->list_lag_seconds), 0, 86400));
      if ((json_object_has_member (body, "after_store") || json_object_has_member (body, "after_store_rate")) &&
          !qoima_stand_server_set_after_store_fault (self,
                                                     qoima_stand_json_string (body, "after_store") != NULL
                                                       ? qoima_stand_json_string (body, "after_store")
                                                       : after_store_names[self->after_store],
                                                     double_member (body, "after_store_rate", self->after_store_rate),
                                                     &error))
        {
          respond_error (req, SOUP_STATUS_BAD_REQUEST, error->message);
          return;
        }
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error_rate");
  json_builder_add_double_value (builder, self->error_rate);
  json_builder_set_member_name (builder, "timeout_rate");
  json_builder_add_double_value (builder, self->timeout_rate);
  json_builder_set_member_name (builder, "broken_json_rate");
  json_builder_add_double_value (builder, self->broken_json_rate);
  add_int (builder, "seed", self->fault_seed);
  add_int (builder, "hang_seconds", self->hang_seconds);
  add_int (builder, "processing_delay_ms", self->processing_delay_ms);
  add_string (builder, "after_store", after_store_names[self->after_store]);
  json_builder_set_member_name (builder, "after_store_rate");
  json_builder_add_double_value (builder, self->after_store_rate);
  add_int (builder, "list_page_size", self->list_page_size);
  add_int (builder, "list_lag_seconds", self->list_lag_seconds);
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

static void
handle_admin_shape (QoimaStandServer *self,
                    Request          *req)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *shape = NULL;

  if (g_str_equal (soup_server_message_get_method (req->msg), "POST"))
    {
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) error = NULL;

      root = parse_body (req, &error);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, error != NULL ? error->message : "ожидался объект");
          return;
        }
      if (!qoima_stand_server_set_shape (self, qoima_stand_json_string (json_node_get_object (root), "shape"), &error))
        {
          respond_error (req, SOUP_STATUS_BAD_REQUEST, error->message);
          return;
        }
    }

  shape = qoima_stand_server_get_shape (self);
  json_builder_begin_object (builder);
  add_string (builder, "shape", shape);
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

/* GET: how many sign-ins there were; POST {"revoke": true}: every token given out so far
 * is refused from now on (401), as after a revocation or a restart with a new secret. */
static void
handle_admin_tokens (QoimaStandServer *self,
                     Request          *req)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (g_str_equal (soup_server_message_get_method (req->msg), "POST"))
    {
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) error = NULL;

      root = parse_body (req, &error);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          respond_errorf (req, SOUP_STATUS_BAD_REQUEST, MSG_JSON_PARSE, error != NULL ? error->message : "ожидался объект");
          return;
        }
      if (json_object_get_boolean_member_with_default (json_node_get_object (root), "revoke", FALSE))
        {
          GHashTableIter iter;
          gpointer token;

          g_hash_table_iter_init (&iter, self->issued);
          while (g_hash_table_iter_next (&iter, &token, NULL))
            g_hash_table_add (self->revoked, g_strdup (token));
          g_hash_table_remove_all (self->issued);
        }
    }

  json_builder_begin_object (builder);
  add_int (builder, "sign_ins", self->sign_ins);
  add_int (builder, "revoked", g_hash_table_size (self->revoked));
  json_builder_end_object (builder);
  respond_builder (req, SOUP_STATUS_OK, builder);
}

/* Object */

static void
qoima_stand_server_dispose (GObject *object)
{
  QoimaStandServer *self = (QoimaStandServer *) object;

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->hangs, g_ptr_array_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);

  G_OBJECT_CLASS (qoima_stand_server_parent_class)->dispose (object);
}

static void
qoima_stand_server_finalize (GObject *object)
{
  QoimaStandServer *self = (QoimaStandServer *) object;

  g_clear_object (&self->db);
  g_clear_pointer (&self->ca_pem, g_bytes_unref);
  g_clear_pointer (&self->secret, g_bytes_unref);
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->fault_rand, g_rand_free);
  g_clear_pointer (&self->participant_names, g_hash_table_unref);
  g_clear_pointer (&self->opaque_tokens, g_hash_table_unref);
  g_clear_pointer (&self->issued, g_hash_table_unref);
  g_clear_pointer (&self->revoked, g_hash_table_unref);
  g_clear_pointer (&self->admin_token, g_free);
  g_clear_pointer (&self->hosts, g_strfreev);
  g_clear_pointer (&self->fund, qoima_stand_fund_free);

  G_OBJECT_CLASS (qoima_stand_server_parent_class)->finalize (object);
}

static void
qoima_stand_server_class_init (QoimaStandServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = qoima_stand_server_dispose;
  object_class->finalize = qoima_stand_server_finalize;
}

static void
qoima_stand_server_init (QoimaStandServer *self)
{
  self->token_lifetime = 10 * 60 * 60;
  self->challenge_lifetime = 60;
  self->processing_delay_ms = 300;
  self->hang_seconds = 30;
  self->rand = g_rand_new ();
  self->fault_rand = g_rand_new_with_seed (0);
  self->participant_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->hangs = g_ptr_array_new_with_free_func (hang_free);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, pending_free);
  self->opaque_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, opaque_token_free);
  self->issued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->revoked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->notify_fd = -1;
  self->list_page_size = 10000;
}

QoimaStandServer *
qoima_stand_server_new (QoimaStandDb  *db,
                        GBytes        *ca_pem,
                        const char    *api_key,
                        GError       **error)
{
  g_autoptr(QoimaStandServer) self = g_object_new (QOIMA_TYPE_STAND_SERVER, NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *secret = NULL;

  g_return_val_if_fail (QOIMA_IS_STAND_DB (db), NULL);

  self->db = g_object_ref (db);
  self->ca_pem = ca_pem != NULL ? g_bytes_ref (ca_pem) : NULL;
  self->api_key = g_strdup (api_key);
  self->fund = qoima_stand_fund_new (db, ca_pem);

  /* The token secret is kept, so that tokens stay valid across a restart. */
  secret = qoima_stand_db_get_meta (db, "token_secret");
  if (secret == NULL)
    {
      GString *hex = g_string_new (NULL);

      for (int i = 0; i < 8; i++)
        g_string_append_printf (hex, "%08x", g_rand_int (self->rand));
      secret = g_string_free (hex, FALSE);
      if (!qoima_stand_db_set_meta (db, "token_secret", secret, error))
        return NULL;
    }
  self->secret = g_bytes_new (secret, strlen (secret));

  stmt = qoima_stand_db_prepare (db, "SELECT bin, name FROM participants", error);
  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_insert (self->participant_names,
                         g_strdup (qoima_stand_db_column_text (stmt, 0)),
                         g_strdup (qoima_stand_db_column_text (stmt, 1)));

  /* Raw paths: codes in a path may hold "%" and "/", escaped; the routes decode each
   * segment themselves, after splitting. */
  self->server = soup_server_new ("server-header", "qoima-stand/" PACKAGE_VERSION " ",
                                  "raw-paths", TRUE,
                                  NULL);
  soup_server_add_early_handler (self->server, NULL, early_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, server_cb, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  return g_steal_pointer (&self);
}

void
qoima_stand_server_set_token_lifetime (QoimaStandServer *self,
                                       int               seconds)
{
  g_return_if_fail (QOIMA_IS_STAND_SERVER (self));

  self->token_lifetime = MAX (seconds, 1);
}

void
qoima_stand_server_set_challenge_lifetime (QoimaStandServer *self,
                                           int               seconds)
{
  g_return_if_fail (QOIMA_IS_STAND_SERVER (self));

  self->challenge_lifetime = MAX (seconds, 0);
}

void
qoima_stand_server_set_processing_delay (QoimaStandServer *self,
                                         int               milliseconds)
{
  g_return_if_fail (QOIMA_IS_STAND_SERVER (self));

  self->processing_delay_ms = MAX (milliseconds, 0);
}

void
qoima_stand_server_set_hang_time (QoimaStandServer *self,
                                  int               seconds)
{
  g_return_if_fail (QOIMA_IS_STAND_SERVER (self));

  self->hang_seconds = MAX (seconds, 1);
}

void
qoima_stand_server_set_faults (QoimaStandServer *self,
                               double            error_rate,
                               double            timeout_rate,
                               double            broken_json_rate,
                               guint32           seed)
{
  g_return_if_fail (QOIMA_IS_STAND_SERVER (self));

  self->error_rate = CLAMP (error_rate, 0.0, 1.0);
  self->timeout_rate = CLAMP (timeout_rate, 0.0, 1.0);
  self->broken_json_rate = CLAMP (broken_json_rate, 0.0, 1.0);
  self->fault_seed = seed;
  g_rand_set_seed (self->fault_rand, seed);
}

gboolean
qoima_stand_server_set_after_store_fault (QoimaStandServer  *self,
                                          const char        *name,
                                          double             rate,
                                          GError           **error)
{
  g_return_val_if_fail (QOIMA_IS_STAND_SERVER (self), FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (after_store_names); i++)
    if (g_strcmp0 (name, after_store_names[i]) == 0)
      {
        self->after_store = (QoimaStandAfterStore) i;
        self->after_store_rate = CLAMP (rate, 0.0, 1.0);
        return TRUE;
      }
  g_set_error (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID,
               _("Unknown fault after storing “%s” (none, drop, error or hang)"), name != NULL ? name : "");
  return FALSE;
}

void
qoima_stand_server_set_list (QoimaStandServer *self,
                             int               page_size,
                             int               lag_seconds)
{
  g_return_if_fail (QOIMA_IS_STAND_SERVER (self));

  self->list_page_size = CLAMP (page_size, 1, 10000);
  self->list_lag_seconds = MAX (lag_seconds, 0);
}

void
qoima_stand_server_set_admin_token (QoimaStandServer *self,
                                    const char       *token)
{
  g_return_if_fail (QOIMA_IS_STAND_SERVER (self));

  g_free (self->admin_token);
  self->admin_token = token != NULL && *token != '\0' ? g_strdup (token) : NULL;
}

void
qoima_stand_server_set_notify_fd (QoimaStandServer *self,
                                  int               fd)
{
  g_return_if_fail (QOIMA_IS_STAND_SERVER (self));

  self->notify_fd = fd;
}

gboolean
qoima_stand_server_set_shape (QoimaStandServer  *self,
                              const char        *shape,
                              GError           **error)
{
  g_auto(GStrv) names = NULL;
  Shape flags = 0;

  g_return_val_if_fail (QOIMA_IS_STAND_SERVER (self), FALSE);

  names = g_strsplit (shape != NULL ? shape : "", ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = g_strstrip (names[i]);
      gboolean known = FALSE;

      if (*name == '\0' || g_str_equal (name, "standard"))
        continue;
      for (gsize k = 0; k < G_N_ELEMENTS (shape_names); k++)
        if (g_str_equal (name, shape_names[k].name))
          {
            flags |= shape_names[k].flag;
            known = TRUE;
          }
      if (!known)
        {
          g_set_error (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID,
                       _("Unknown shape “%s”"), name);
          return FALSE;
        }
    }
  if ((flags & SHAPE_LIST_V4) && (flags & SHAPE_LIST_LEGACY))
    {
      g_set_error_literal (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID,
                           _("The shapes list-v4 and list-legacy exclude each other"));
      return FALSE;
    }
  if ((flags & SHAPE_CREATE_EMPTY_200) && (flags & SHAPE_CREATE_EMPTY_204))
    {
      g_set_error_literal (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID,
                           _("The shapes create-empty-200 and create-empty-204 exclude each other"));
      return FALSE;
    }
  if ((flags & SHAPE_INFO_V4) && (flags & SHAPE_INFO_LEGACY))
    {
      g_set_error_literal (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID,
                           _("The shapes info-v4 and info-legacy exclude each other"));
      return FALSE;
    }

  self->shape = flags;
  return TRUE;
}

char *
qoima_stand_server_get_shape (QoimaStandServer *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;

  g_return_val_if_fail (QOIMA_IS_STAND_SERVER (self), NULL);

  for (gsize k = 0; k < G_N_ELEMENTS (shape_names); k++)
    if (self->shape & shape_names[k].flag)
      g_strv_builder_add (builder, shape_names[k].name);
  names = g_strv_builder_end (builder);
  return names[0] != NULL ? g_strjoinv (",", names) : g_strdup ("standard");
}

gboolean
qoima_stand_server_listen (QoimaStandServer  *self,
                           const char        *address,
                           guint              port,
                           GError           **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;

  g_return_val_if_fail (QOIMA_IS_STAND_SERVER (self), FALSE);

  if (address == NULL || g_str_equal (address, "localhost"))
    address = "127.0.0.1";
  inet = g_inet_address_new_from_string (address);
  if (inet == NULL || !g_inet_address_get_is_loopback (inet))
    {
      g_set_error (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID,
                   _("The stand listens on loopback addresses only, not on “%s”"), address);
      return FALSE;
    }
  socket_address = g_inet_socket_address_new (inet, port);
  if (!soup_server_listen (self->server, socket_address, 0, error))
    return FALSE;

  {
    g_autofree char *root = qoima_stand_server_get_root_url (self);
    const char *host_port = root + strlen ("http://");
    const char *port_text = strrchr (host_port, ':');

    g_clear_pointer (&self->hosts, g_strfreev);
    self->hosts = g_new0 (char *, 3);
    self->hosts[0] = g_strdup (host_port);
    self->hosts[1] = g_strconcat ("localhost", port_text, NULL);
  }
  resume_processing (self);
  return TRUE;
}

char *
qoima_stand_server_get_root_url (QoimaStandServer *self)
{
  g_autoslist(GUri) uris = NULL;
  GUri *uri;
  g_autofree char *host = NULL;

  g_return_val_if_fail (QOIMA_IS_STAND_SERVER (self), NULL);

  uris = soup_server_get_uris (self->server);
  if (uris == NULL)
    return NULL;
  uri = uris->data;
  /* An IPv6 host needs brackets in a URL. */
  if (strchr (g_uri_get_host (uri), ':') != NULL)
    host = g_strdup_printf ("[%s]", g_uri_get_host (uri));
  else
    host = g_strdup (g_uri_get_host (uri));
  return g_strdup_printf ("http://%s:%d", host, g_uri_get_port (uri));
}
