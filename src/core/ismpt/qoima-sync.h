/* qoima-sync.h: acts pulled from ИС МПТ, the outbox pushed to it, final statuses brought back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-ismpt-client.h"
#include "qoima-ismpt-documents.h"
#include "qoima-signer.h"
#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_SYNC (qoima_sync_get_type ())

G_DECLARE_FINAL_TYPE (QoimaSync, qoima_sync, QOIMA, SYNC, GObject)

QoimaSync *qoima_sync_new      (QoimaStore       *store,
                                QoimaIsmptClient *client);

/* How often and how long a sent document's checking is awaited before sync moves on (it is
 * asked again at the next sync). */
void       qoima_sync_set_poll (QoimaSync *self,
                                unsigned   interval_ms,
                                unsigned   timeout_ms);

/* How long after its send a document ИС МПТ does not list yet is waited for (its list may
 * be late) before it is taken as never arrived and sent again; 15 minutes unless set. */
void       qoima_sync_set_list_grace (QoimaSync *self,
                                      unsigned   seconds);

/**
 * qoima_sync_pull_async:
 *
 * Loads the acts waiting for the hospital's acceptance that the warehouse does not have
 * yet, each with all its codes (boxes expanded) and the catalog cards of its products, each
 * act in one transaction. A broken act is skipped whole, and reported. Emits ::progress.
 * Finish returns how many acts were new.
 */
void     qoima_sync_pull_async  (QoimaSync           *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
int      qoima_sync_pull_finish (QoimaSync     *self,
                                 GAsyncResult  *result,
                                 GError       **error);

/**
 * qoima_sync_answer_act_async:
 * @acceptance: accept all, accept some (the rest refused), or reject
 * @accepted: (nullable): for QOIMA_ACCEPT_SOME, the codes accepted (packs or boxes); NULL
 *   means what the clerk scanned
 * @signer: the chief's signing key
 * @user: who answers; needs %QOIMA_PERMISSION_ACCEPT_ACTS
 *
 * Builds the LP_ACCEPT_GOODS document, signs it (detached) and puts it in the outbox, in the
 * same transaction as the act's new state. Nothing is sent yet: see qoima_sync_push_async().
 * Finish returns the outbox entry's id.
 */
void     qoima_sync_answer_act_async  (QoimaSync           *self,
                                       gint64               act_id,
                                       QoimaAcceptance      acceptance,
                                       GHashTable          *accepted,
                                       QoimaSigner         *signer,
                                       QoimaUser           *user,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gint64   qoima_sync_answer_act_finish (QoimaSync     *self,
                                       GAsyncResult  *result,
                                       GError       **error);

/**
 * qoima_sync_push_async:
 *
 * Sends what waits in the outbox, oldest first, exactly once: an entry whose fate is unknown
 * (a crash or a lost answer after sending started) is first looked for in ИС МПТ by its
 * document number and sent again only when ИС МПТ does not have it. Sent documents are polled
 * until CHECKED_OK or CHECKED_NOT_OK, whose result is applied locally in one transaction.
 * An answer the warehouse cannot apply (a full disk, a row in the way) is kept on its entry
 * and applied at the next push, without asking ИС МПТ again; the others go on meanwhile.
 *
 * Fails when someone has to know: with %QOIMA_SYNC_ERROR_REFUSED when ИС МПТ refused a
 * document, with the store's error when an answer could not be recorded, else with the cause
 * when something still waits (ИС МПТ unreachable or failing, no AUTH key); the message names
 * every such document, a line each. Nothing is lost then: each entry keeps its reason, and
 * the window and qoimactl show it (qoima_document_state_describe()).
 */
void     qoima_sync_push_async  (QoimaSync           *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean qoima_sync_push_finish (QoimaSync     *self,
                                 GAsyncResult  *result,
                                 GError       **error);

/**
 * qoima_sync_withdraw_async:
 * @signer: the chief's signing key
 * @user: the acting user; needs %QOIMA_PERMISSION_SIGN (the chief)
 * @kis: (nullable) (array zero-terminated=1): the packs to withdraw or write off; NULL
 *   for everything owed
 *
 * Gathers the owed withdrawals (R000-9) and write-offs into one LK_RECEIPT document per
 * reason, each with its action and primary document (document type OTHER; medical use
 * names «Лист назначений»), signs each and puts it in the outbox. Nothing is sent yet: see
 * qoima_sync_push_async(); the final answer withdraws or writes off the packs locally. A code
 * of @kis that is not owed fails the whole call before anything is signed. Finish returns
 * the number of documents queued, 0 when nothing is owed, or -1 with @error set.
 */
void     qoima_sync_withdraw_async  (QoimaSync           *self,
                                     QoimaSigner         *signer,
                                     QoimaUser           *user,
                                     const char * const  *kis,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
int      qoima_sync_withdraw_finish (QoimaSync     *self,
                                     GAsyncResult  *result,
                                     GError       **error);

/**
 * qoima_sync_set_auto_signer:
 * @signer: (nullable): an authorized signing key, or NULL to stop
 *
 * When the hospital setting %QOIMA_SETTING_AUTO_WITHDRAW is "true", qoima_sync_run_async()
 * signs every owed medical-use withdrawal with @signer (actor "auto") before pushing.
 * Write-offs always wait for the chief.
 */
void     qoima_sync_set_auto_signer (QoimaSync   *self,
                                     QoimaSigner *signer);

/* Pull, then the automatic withdrawals (see qoima_sync_set_auto_signer()), then push. */
void     qoima_sync_run_async   (QoimaSync           *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean qoima_sync_run_finish  (QoimaSync     *self,
                                 GAsyncResult  *result,
                                 GError       **error);

/* Signals:
 *   ::progress (QoimaSync *self, const char *message, double fraction)
 *     what sync is doing, for a progress bar; fraction in 0..1, or -1 when unknown. */

G_END_DECLS
