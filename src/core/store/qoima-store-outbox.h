/* qoima-store-outbox.h: what the hospital owes ИС МПТ, kept durably until its final status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "qoima-certificate.h"
#include "qoima-store.h"

G_BEGIN_DECLS

/**
 * QoimaOutboxState:
 * @QOIMA_OUTBOX_READY: signed, never sent
 * @QOIMA_OUTBOX_SENDING: a send was started; whether ИС МПТ got it is unknown until asked
 * @QOIMA_OUTBOX_SENT: ИС МПТ gave it an id; its checking is not finished
 * @QOIMA_OUTBOX_DONE: ИС МПТ answered CHECKED_OK and the local change is complete
 * @QOIMA_OUTBOX_FAILED: ИС МПТ refused it (CHECKED_NOT_OK or a 4xx); its errors are kept
 */
typedef enum {
  QOIMA_OUTBOX_READY, /*< nick=ready >*/
  QOIMA_OUTBOX_SENDING, /*< nick=sending >*/
  QOIMA_OUTBOX_SENT, /*< nick=sent >*/
  QOIMA_OUTBOX_DONE, /*< nick=done >*/
  QOIMA_OUTBOX_FAILED, /*< nick=failed >*/
} QoimaOutboxState;

const char *qoima_outbox_state_to_nick (QoimaOutboxState state);

typedef struct {
  gint64 id;
  char *doc_type;        /* LP_ACCEPT_GOODS, LK_RECEIPT */
  char *document_number; /* ours, unique */
  gint64 act_id;         /* 0 when the document answers no act */
  GBytes *document;      /* the exact bytes signed */
  GBytes *signature;     /* detached CMS, DER */
  QoimaOutboxState state;
  char *ismpt_id;
  char *ismpt_status;
  char *errors;
  int attempts;
  char *last_error;
  char *sent_at;         /* ISO 8601, when the latest send started; NULL before the first */
} QoimaOutboxEntry;

void qoima_outbox_entry_free (QoimaOutboxEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaOutboxEntry, qoima_outbox_entry_free)

/**
 * QoimaDocumentState:
 * @QOIMA_DOCUMENT_WAITING: not at ИС МПТ as far as is known (never sent, or a send whose
 *   fate is asked first): sent at the next sync; its reason says why it waits
 * @QOIMA_DOCUMENT_CHECKING: ИС МПТ has it and is checking it
 * @QOIMA_DOCUMENT_NOT_RECORDED: ИС МПТ has answered, but the warehouse could not record the
 *   answer yet (its reason says why); the next sync records it
 * @QOIMA_DOCUMENT_ACCEPTED: ИС МПТ accepted it, and the warehouse recorded it
 * @QOIMA_DOCUMENT_REFUSED: ИС МПТ refused it; its reason is ИС МПТ's
 *
 * A document's state as the user is told it, in the window and by qoimactl alike: derived
 * from its outbox entry by qoima_document_state_get().
 */
typedef enum {
  QOIMA_DOCUMENT_WAITING, /*< nick=waiting >*/
  QOIMA_DOCUMENT_CHECKING, /*< nick=checking >*/
  QOIMA_DOCUMENT_NOT_RECORDED, /*< nick=not_recorded >*/
  QOIMA_DOCUMENT_ACCEPTED, /*< nick=accepted >*/
  QOIMA_DOCUMENT_REFUSED, /*< nick=refused >*/
} QoimaDocumentState;

/* @state: the entry's state nick ("ready", "sending"…); @ismpt_status: ИС МПТ's last word. */
QoimaDocumentState qoima_document_state_get      (const char         *state,
                                                  const char         *ismpt_status);
/* Why the document is in @document_state, in words, or NULL: ИС МПТ's errors for a refusal,
 * else the outbox's last error (no network, no AUTH key, a broken answer while it was being
 * checked, the store's failure…). */
const char        *qoima_document_state_reason   (QoimaDocumentState  document_state,
                                                  const char         *errors,
                                                  const char         *last_error);
const char        *qoima_document_state_to_nick  (QoimaDocumentState  state);
/* A short label ("Waiting to be sent"), for a list. */
const char        *qoima_document_state_to_label (QoimaDocumentState  state);
/* The state with its @reason (nullable) in a sentence, for a toast or a line of output. */
char              *qoima_document_state_describe (QoimaDocumentState  state,
                                                  const char         *reason);

/**
 * qoima_store_queue_acceptance_async:
 * @act_id: the act answered
 * @decisions: code → GINT_TO_POINTER (TRUE) when accepted; every pack of the act
 * @document: the signed LP_ACCEPT_GOODS bytes
 * @signature: their detached signature
 * @certificate: (nullable): the certificate it was signed with, named in the audit row
 *
 * In one transaction: the document enters the outbox, the act becomes "sending" and each
 * code keeps its decision. Finish returns the outbox entry's id.
 */
void     qoima_store_queue_acceptance_async  (QoimaStore          *self,
                                              gint64               act_id,
                                              GHashTable          *decisions,
                                              const char          *document_number,
                                              GBytes              *document,
                                              GBytes              *signature,
                                              const char          *actor,
                                              QoimaCertificate    *certificate,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gint64   qoima_store_queue_acceptance_finish (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* Entries not yet final (ready, sending, sent), oldest first. Finish returns (transfer full)
 * a GPtrArray of QoimaOutboxEntry. With @all, every entry. */
void       qoima_store_list_outbox_async  (QoimaStore          *self,
                                           gboolean             all,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
GPtrArray *qoima_store_list_outbox_finish (QoimaStore    *self,
                                           GAsyncResult  *result,
                                           GError       **error);

/**
 * qoima_store_update_outbox_async:
 * @state: the new state (not DONE/FAILED: use qoima_store_finish_outbox_async())
 * @ismpt_id: (nullable): the id ИС МПТ gave, when known
 * @last_error: (nullable): why the last try failed, for the user
 * @count_attempt: whether this update starts a send
 *
 * Committed before the next step, so that a crash leaves the entry in a state that says
 * what is known.
 */
void     qoima_store_update_outbox_async  (QoimaStore          *self,
                                           gint64               id,
                                           QoimaOutboxState     state,
                                           const char          *ismpt_id,
                                           const char          *last_error,
                                           gboolean             count_attempt,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean qoima_store_update_outbox_finish (QoimaStore    *self,
                                           GAsyncResult  *result,
                                           GError       **error);

/**
 * qoima_store_hold_outbox_answer_async:
 * @ismpt_status: ИС МПТ's final status of the document
 * @errors: (nullable): ИС МПТ's errors in plain words
 * @last_error: why the answer could not be recorded, for the user
 *
 * Keeps ИС МПТ's final answer on a sent entry whose answer the warehouse could not apply
 * (qoima_store_finish_outbox_async() failed), so that the next push applies it without
 * asking again; the entry is then "not recorded" (see #QoimaDocumentState).
 */
void     qoima_store_hold_outbox_answer_async  (QoimaStore          *self,
                                                gint64               id,
                                                const char          *ismpt_status,
                                                const char          *errors,
                                                const char          *last_error,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean qoima_store_hold_outbox_answer_finish (QoimaStore    *self,
                                                GAsyncResult  *result,
                                                GError       **error);

/**
 * qoima_store_finish_outbox_async:
 * @ok: ИС МПТ checked the document OK
 * @ismpt_status: its final status as ИС МПТ says it
 * @errors: (nullable): ИС МПТ's errors in plain words
 *
 * Applies the final answer in ONE transaction: for an accepted act, its accepted packs enter
 * the pharmacy warehouse (R000-8) and the act is closed; for a refused one, the act waits
 * for a new answer with the errors shown. The entry becomes DONE or FAILED.
 */
void     qoima_store_finish_outbox_async  (QoimaStore          *self,
                                           gint64               id,
                                           gboolean             ok,
                                           const char          *ismpt_status,
                                           const char          *errors,
                                           const char          *actor,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean qoima_store_finish_outbox_finish (QoimaStore    *self,
                                           GAsyncResult  *result,
                                           GError       **error);

/* The identification codes of used-up or dispensed packs whose withdrawal (medical use,
 * R000-9; dispensing, R002-4) is owed and not yet in a document: no write-off. Finish returns (transfer full) a NULL-terminated array. */
void     qoima_store_list_owed_withdrawals_async  (QoimaStore          *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
char   **qoima_store_list_owed_withdrawals_finish (QoimaStore    *self,
                                                   GAsyncResult  *result,
                                                   GError       **error);

/* Every withdrawal and write-off owed and not yet in a document, oldest first. Finish
 * returns (transfer full) a NULL-terminated array of pairs: identification code, then the
 * reason as qoima_withdrawal_reason_to_nick() names it. */
void     qoima_store_list_owed_async  (QoimaStore          *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
char   **qoima_store_list_owed_finish (QoimaStore    *self,
                                       GAsyncResult  *result,
                                       GError       **error);

/**
 * qoima_store_queue_withdrawal_async:
 * @kis: the packs the LK_RECEIPT document withdraws
 * @certificate: (nullable): the certificate it was signed with, named in the audit row
 *
 * In one transaction: the signed document enters the outbox and each pack's owed withdrawal
 * points at it, so no pack is sent in two documents. Finish returns the entry's id.
 */
void     qoima_store_queue_withdrawal_async  (QoimaStore          *self,
                                              const char * const  *kis,
                                              const char          *document_number,
                                              GBytes              *document,
                                              GBytes              *signature,
                                              const char          *actor,
                                              QoimaCertificate    *certificate,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gint64   qoima_store_queue_withdrawal_finish (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* Every withdrawal and write-off, owed or sent: a JSON array of objects with pack, reason,
 * owed_at, document, status ("owed", "ready", "sending", "sent", "done", "failed"),
 * ismpt_status, errors, last_error, medicine (the product's name), and the document's
 * state as the user is told it: state (a #QoimaDocumentState nick, or "owed"), state_label,
 * state_reason and state_text (qoima_document_state_describe()). A pack owed again after
 * ИС МПТ refused its document names that document in refused_document, with its
 * refused_errors. Finish returns (transfer full) the array node. */
void      qoima_store_list_withdrawals_async  (QoimaStore          *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
JsonNode *qoima_store_list_withdrawals_finish (QoimaStore    *self,
                                               GAsyncResult  *result,
                                               GError       **error);

G_END_DECLS
