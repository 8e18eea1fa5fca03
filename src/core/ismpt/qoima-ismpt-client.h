/* qoima-ismpt-client.h: the ИС МПТ True API, spoken with libsoup 3 and json-glib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "qoima-error.h"
#include "qoima-ismpt-documents.h"
#include "qoima-signer.h"

G_BEGIN_DECLS

/**
 * QoimaIsmptOp:
 *
 * The operations of the True API the client uses. Each has one method and path template,
 * kept in one table (qoima-ismpt-client.c) and overridable by configuration, because
 * Kazakhstan's exact paths may differ from the Russian shapes we start from. A path may
 * climb out of the base with "../" (the v4 and facade prefixes sit beside it).
 *
 * Listing and reading documents each have alternatives (ismpt-api.md §5.2, §5.3): when a
 * path answers 404, the others (v3, v4, the legacy facade) are tried in turn, and the one
 * that works is tried first next time. A path set by configuration is used as it is,
 * without alternatives.
 */
typedef enum {
  QOIMA_ISMPT_OP_AUTH_KEY,
  QOIMA_ISMPT_OP_SIGN_IN,
  QOIMA_ISMPT_OP_DOC_LIST,
  QOIMA_ISMPT_OP_DOC_INFO,
  QOIMA_ISMPT_OP_DOC_CISES,
  QOIMA_ISMPT_OP_DOC_CREATE,
  QOIMA_ISMPT_OP_CISES_INFO,
  QOIMA_ISMPT_OP_CATALOG_CARD,
  QOIMA_ISMPT_OP_DOC_LIST_V4,       /* the RU v4 prefix */
  QOIMA_ISMPT_OP_DOC_LIST_LEGACY,   /* the legacy v3 facade: doc/listV2 */
  QOIMA_ISMPT_OP_DOC_INFO_V4,
  QOIMA_ISMPT_OP_DOC_BODY_LEGACY,   /* the legacy v3 facade: doc/{id}/body */
  QOIMA_ISMPT_OP_REGISTRATION_CREATE, /* issue 12: designed, not from the reference */
  QOIMA_ISMPT_OP_REGISTRATION_STATUS,
  QOIMA_ISMPT_OP_REGISTRATION_CONTRACT,
  QOIMA_ISMPT_N_OPS,
} QoimaIsmptOp;

typedef enum {
  QOIMA_ISMPT_INCOMING, /* documents addressed to the hospital (acts) */
  QOIMA_ISMPT_OUTGOING, /* documents the hospital created (acceptances, withdrawals) */
} QoimaIsmptDirection;

/* The product group of medicines in ИС МПТ. */
#define QOIMA_ISMPT_PRODUCT_GROUP "pharma"

#define QOIMA_TYPE_ISMPT_CLIENT (qoima_ismpt_client_get_type ())

G_DECLARE_FINAL_TYPE (QoimaIsmptClient, qoima_ismpt_client, QOIMA, ISMPT_CLIENT, GObject)

/**
 * qoima_ismpt_client_new:
 * @base_url: the True API base, e.g. "https://stage.ismet.kz/api/v3/true-api"
 * @session: (nullable): the session to use; a new one when %NULL (tests inject theirs)
 */
QoimaIsmptClient *qoima_ismpt_client_new (const char  *base_url,
                                          SoupSession *session);

const char *qoima_ismpt_client_get_base_url    (QoimaIsmptClient *self);
/* The key that logs in (an AUTH key); the token is reused until shortly before it expires.
 * A token is opaque to the client: when it is a JWT its exp and claims are read, else it is
 * kept for a conservative lifetime; either way a 401 brings one new login. */
void        qoima_ismpt_client_set_auth_signer (QoimaIsmptClient *self,
                                                QoimaSigner      *signer);
/* The НКТ catalog base (".../gwp") and its X-API-KEY. */
void        qoima_ismpt_client_set_catalog     (QoimaIsmptClient *self,
                                                const char       *catalog_url,
                                                const char       *api_key);
/* Seconds before a request without an answer fails as "no network". */
void        qoima_ismpt_client_set_timeout     (QoimaIsmptClient *self,
                                                unsigned          seconds);
/* The organization's BIN, once logged in: the token's "inn", else the AUTH certificate's BIN. */
const char *qoima_ismpt_client_get_bin         (QoimaIsmptClient *self);

const char *qoima_ismpt_op_to_string           (QoimaIsmptOp op);
/* Overrides one operation: @path may hold "{id}" or "{gtin}". */
gboolean    qoima_ismpt_client_set_operation   (QoimaIsmptClient *self,
                                                const char       *op_name,
                                                const char       *method,
                                                const char       *path,
                                                GError          **error);
/* Reads overrides from the [ismpt-operations] group: name=METHOD path. */
gboolean    qoima_ismpt_client_load_operations (QoimaIsmptClient *self,
                                                GKeyFile         *keyfile,
                                                GError          **error);

void        qoima_ismpt_client_login_async     (QoimaIsmptClient    *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean    qoima_ismpt_client_login_finish    (QoimaIsmptClient  *self,
                                                GAsyncResult      *result,
                                                GError           **error);

/* doc/list for the logged-in organization. @type and @status may be NULL.
 * Finish returns (transfer full) a JSON array node of document headers. */
void        qoima_ismpt_client_list_documents_async  (QoimaIsmptClient    *self,
                                                      QoimaIsmptDirection  direction,
                                                      const char          *type,
                                                      const char          *status,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
JsonNode   *qoima_ismpt_client_list_documents_finish (QoimaIsmptClient  *self,
                                                      GAsyncResult      *result,
                                                      GError           **error);

/* Our own document @document_number in doc/list, looked for page by page to the end of the
 * list. Finish returns (transfer full) its header, or NULL with *@found FALSE when the list
 * does not hold it (no error); NULL with @error when ИС МПТ could not be asked. */
void        qoima_ismpt_client_find_document_async   (QoimaIsmptClient    *self,
                                                      QoimaIsmptDirection  direction,
                                                      const char          *type,
                                                      const char          *document_number,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
JsonNode   *qoima_ismpt_client_find_document_finish  (QoimaIsmptClient  *self,
                                                      GAsyncResult      *result,
                                                      gboolean          *found,
                                                      GError           **error);

/* doc/{id}/info with its body (or its alternatives). Finish returns (transfer full) a JSON
 * object node; an answer that is an array gives its first element. */
void        qoima_ismpt_client_get_document_async    (QoimaIsmptClient    *self,
                                                      const char          *id,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
JsonNode   *qoima_ismpt_client_get_document_finish   (QoimaIsmptClient  *self,
                                                      GAsyncResult      *result,
                                                      GError           **error);

/**
 * qoima_ismpt_client_get_act_async:
 * @id: the act's ИС МПТ id
 * @header: (nullable): its header from the document list, for fields the reading lacks
 *
 * Reads an incoming act in whichever shape ИС МПТ gives it (see
 * qoima_incoming_act_from_json()): when its body carries no codes, the flat list of
 * doc/cises is asked for them. Finish returns (transfer full) the act.
 */
void        qoima_ismpt_client_get_act_async         (QoimaIsmptClient    *self,
                                                      const char          *id,
                                                      JsonObject          *header,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
QoimaIncomingAct *qoima_ismpt_client_get_act_finish  (QoimaIsmptClient  *self,
                                                      GAsyncResult      *result,
                                                      GError           **error);

/* lk/documents/create. @document: the exact JSON bytes; @signature: detached DER CMS over them.
 * Finish returns (transfer full) the new document's id. */
void        qoima_ismpt_client_create_document_async  (QoimaIsmptClient    *self,
                                                       const char          *type,
                                                       GBytes              *document,
                                                       GBytes              *signature,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char       *qoima_ismpt_client_create_document_finish (QoimaIsmptClient  *self,
                                                       GAsyncResult      *result,
                                                       GError           **error);

/* cises/info. Finish returns (transfer full) a JSON array node. */
void        qoima_ismpt_client_cises_info_async  (QoimaIsmptClient    *self,
                                                  const char * const  *codes,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
JsonNode   *qoima_ismpt_client_cises_info_finish (QoimaIsmptClient  *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);

/* The НКТ card(s) of a GTIN. Finish returns (transfer full) a JSON array node. */
void        qoima_ismpt_client_catalog_card_async  (QoimaIsmptClient    *self,
                                                    const char          *gtin,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
JsonNode   *qoima_ismpt_client_catalog_card_finish (QoimaIsmptClient  *self,
                                                    GAsyncResult      *result,
                                                    GError           **error);

/*
 * Registration (issue 12; seed rules R001-3, R001-5). Sends @draft_json (a QoimaRegistration's
 * JSON) signed, attached, with the AUTH signer (set_auth_signer), needing no token: the
 * organization is not a participant yet. Finish returns (transfer full) the answer object:
 * {"id", "status": CHECKED | REFUSED, "reason"?, "problems": [{field, rule, message}]}.
 */
void        qoima_ismpt_client_send_registration_async  (QoimaIsmptClient    *self,
                                                         const char          *draft_json,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
JsonNode   *qoima_ismpt_client_send_registration_finish (QoimaIsmptClient  *self,
                                                         GAsyncResult      *result,
                                                         GError           **error);
/* The request @id's state: {"id", "status": CHECKED | PROCESSING | REFUSED | CONFIRMED, "bin", "reason"?}. */
void        qoima_ismpt_client_registration_status_async  (QoimaIsmptClient    *self,
                                                           const char          *id,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
JsonNode   *qoima_ismpt_client_registration_status_finish (QoimaIsmptClient  *self,
                                                           GAsyncResult      *result,
                                                           GError           **error);

/*
 * R000-2: signs @contract_json (qoima_registration_contract_document()) with the AUTH signer,
 * attached, and sends it for the request @id: the stand checks the signature and that the
 * signer is the head who registered the organization. Finish returns (transfer full)
 * {"id", "contract": "SIGNED", "signedAt"}; a refusal is an error with the stand's message.
 */
void        qoima_ismpt_client_sign_registration_contract_async  (QoimaIsmptClient    *self,
                                                                  const char          *id,
                                                                  const char          *contract_json,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
JsonNode   *qoima_ismpt_client_sign_registration_contract_finish (QoimaIsmptClient  *self,
                                                                  GAsyncResult      *result,
                                                                  GError           **error);

G_END_DECLS
