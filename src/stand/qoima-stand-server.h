/* qoima-stand-server.h: the stand's HTTP routes (True API, НКТ catalog, admin)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-stand-db.h"

G_BEGIN_DECLS

#define QOIMA_STAND_TRUE_API_PATH "/api/v3/true-api"
#define QOIMA_STAND_TRUE_API_V4_PATH "/api/v4/true-api"
#define QOIMA_STAND_FACADE_PATH   "/api/v3/facade"
#define QOIMA_STAND_CATALOG_PATH  "/gwp"
#define QOIMA_STAND_ADMIN_PATH    "/stand"

/* The admin interface's secret travels in this header. */
#define QOIMA_STAND_ADMIN_TOKEN_HEADER "X-Stand-Token"

/* The largest request body the stand reads. The largest legitimate one, the acceptance of a
 * 10,000-pack act (its document and CMS signature, base64), is about 5 MB: room to spare,
 * and a body beyond it is refused (413) before it is buffered. */
#define QOIMA_STAND_MAX_BODY (16 * 1024 * 1024)

typedef enum {
  QOIMA_STAND_AFTER_STORE_NONE,
  QOIMA_STAND_AFTER_STORE_DROP,   /* stored, then the connection drops unanswered */
  QOIMA_STAND_AFTER_STORE_ERROR,  /* stored, then 500 */
  QOIMA_STAND_AFTER_STORE_HANG,   /* stored, then no answer until the hang time, then 504 */
} QoimaStandAfterStore;

#define QOIMA_TYPE_STAND_SERVER (qoima_stand_server_get_type ())

G_DECLARE_FINAL_TYPE (QoimaStandServer, qoima_stand_server, QOIMA, STAND_SERVER, GObject)

/**
 * qoima_stand_server_new:
 * @db: the stand's database, with its world (qoima_stand_world_ensure())
 * @ca_pem: (nullable): the trusted CA certificates (PEM); without them every signature is refused
 * @api_key: the НКТ catalog's X-API-KEY
 *
 * Reads (or makes and keeps) the token secret from @db.
 */
QoimaStandServer *qoima_stand_server_new (QoimaStandDb  *db,
                                          GBytes        *ca_pem,
                                          const char    *api_key,
                                          GError       **error);

void     qoima_stand_server_set_token_lifetime     (QoimaStandServer *self,
                                                    int               seconds);
void     qoima_stand_server_set_challenge_lifetime (QoimaStandServer *self,
                                                    int               seconds);
void     qoima_stand_server_set_processing_delay   (QoimaStandServer *self,
                                                    int               milliseconds);
/* How long a call chosen to time out stays unanswered. */
void     qoima_stand_server_set_hang_time          (QoimaStandServer *self,
                                                    int               seconds);

/**
 * qoima_stand_server_set_faults:
 * @error_rate: the share of calls answered 500 or 503
 * @timeout_rate: the share of calls left unanswered (see qoima_stand_server_set_hang_time())
 * @broken_json_rate: the share of calls whose answer is cut in half
 * @seed: seeds the choice, so that a run can be repeated
 *
 * Faults hit the True API and the catalog, never the admin routes.
 */
void     qoima_stand_server_set_faults (QoimaStandServer *self,
                                        double            error_rate,
                                        double            timeout_rate,
                                        double            broken_json_rate,
                                        guint32           seed);

/**
 * qoima_stand_server_set_after_store_fault:
 * @name: "none", "drop", "error" or "hang" (see #QoimaStandAfterStore)
 * @rate: the share of stored documents (lk/documents/create) whose answer is lost so
 *
 * Faults after the handler: ИС МПТ has the document, the client does not know. Chosen with
 * the seed of qoima_stand_server_set_faults(). Also POST /stand/faults
 * {"after_store": "…", "after_store_rate": F}.
 */
gboolean qoima_stand_server_set_after_store_fault (QoimaStandServer  *self,
                                                   const char        *name,
                                                   double             rate,
                                                   GError           **error);

/* doc/list answers at most @page_size documents a page (paged with did and pageDir=NEXT),
 * and shows a document only @lag_seconds after it is stored, as a late list would. Also POST
 * /stand/faults {"list_page_size": N, "list_lag_seconds": S}. */
void     qoima_stand_server_set_list (QoimaStandServer *self,
                                      int               page_size,
                                      int               lag_seconds);

/* The admin interface (/stand/…) answers only calls that carry @token in the
 * QOIMA_STAND_ADMIN_TOKEN_HEADER header; without a token it answers none. */
void     qoima_stand_server_set_admin_token (QoimaStandServer *self,
                                             const char       *token);

/* Writes a line "stored TYPE DOCUMENT_NUMBER ID" to @fd the moment a document is stored
 * (committed), before it is answered: a test can act at that moment. -1 for none. */
void     qoima_stand_server_set_notify_fd (QoimaStandServer *self,
                                           int               fd);

/**
 * qoima_stand_server_set_shape:
 * @shape: (nullable): comma-separated shapes, or "standard" / "" / %NULL for none:
 *   opaque-token (sign-in gives a token that is not a JWT), products-cis (act bodies key
 *   every code as cis), cises-only (act bodies without products: codes only in doc/cises),
 *   no-codes (no codes anywhere), no-document-number (neither body.document_number nor the
 *   header's documentNumber and invoiceNumber), list-v4 or list-legacy (doc/list only under
 *   /api/v4/true-api, or only the legacy /api/v3/facade/doc/listV2), info-v4 or info-legacy
 *   (doc/{id}/info only under /api/v4/true-api, or only /api/v3/facade/doc/{id}/body),
 *   create-empty-200 or create-empty-204 (lk/documents/create stores the document, then
 *   answers 200 with an empty body, or 204: the answer whose outcome the client cannot know)
 *
 * Chooses in which of the shapes ismpt-api.md lists the stand answers, so that a client can
 * be tried against each. Takes effect at once (also POST /stand/shape {"shape": "…"}).
 */
gboolean qoima_stand_server_set_shape (QoimaStandServer  *self,
                                       const char        *shape,
                                       GError           **error);
/* The shapes in force, as set_shape() takes them ("standard" for none). */
char    *qoima_stand_server_get_shape (QoimaStandServer *self);

/**
 * qoima_stand_server_listen:
 * @address: a loopback address ("127.0.0.1", "localhost", "::1"…); others are refused
 * @port: the port, 0 for any free one
 *
 * Starts serving and schedules the processing of documents still IN_PROGRESS (a restart).
 */
gboolean qoima_stand_server_listen (QoimaStandServer  *self,
                                    const char        *address,
                                    guint              port,
                                    GError           **error);

/* "http://127.0.0.1:PORT", once listening. */
char    *qoima_stand_server_get_root_url (QoimaStandServer *self);

G_END_DECLS
