/* qoima-store-fund.h: the Fund's applications in the store: saved with their checks,
 * their edits logged, taken through the hospital's workflow, the Fund's decisions followed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "qoima-fund-application.h"
#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/**
 * qoima_store_fund_save_async:
 * @app: the form. @app->id 0 and @app->chain_id 0: a new application (R004-3); @app->id
 *   set: an edit of that draft (R004-23); @app->id 0 and @app->chain_id set: «Внести
 *   изменение», a new version of the chain's latest (R004-25)
 * @kato: (nullable): the classifier for the checks, read-only while the job runs
 *
 * «Сохранить»: the checks of qoima_fund_application_check() (with the subject's last
 * exclusion from the store, R004-17), one application per region (R004-4), then the
 * application in «Проект» with its author and creation date (R004-16) and the edit in
 * its log (R004-18). Fails with %QOIMA_STORE_ERROR_CONSTRAINT giving each problem on a
 * line when a check fails.
 */
void     qoima_store_fund_save_async  (QoimaStore                 *self,
                                       QoimaUser                  *user,
                                       const QoimaFundApplication *app,
                                       QoimaFundKato              *kato,
                                       GCancellable               *cancellable,
                                       GAsyncReadyCallback         callback,
                                       gpointer                    user_data);
/* Returns: the application's id, 0 with @error set. */
gint64   qoima_store_fund_save_finish (QoimaStore    *self,
                                       GAsyncResult  *result,
                                       GError       **error);

/**
 * qoima_store_fund_act_async:
 * @action: DELETE, SUBMIT_TO_CHIEF, SIGN_CONSENT, CHIEF_REJECT or SEND
 * @text: (nullable): the chief's reason for CHIEF_REJECT (required), the consent's
 *   signature (base64 CMS) for SIGN_CONSENT (required)
 *
 * The hospital's workflow (R004-20, R004-22, R004-24), each step logged.
 */
void     qoima_store_fund_act_async   (QoimaStore          *self,
                                       QoimaUser           *user,
                                       gint64               id,
                                       QoimaFundAction      action,
                                       const char          *text,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean qoima_store_fund_act_finish  (QoimaStore    *self,
                                       GAsyncResult  *result,
                                       GError       **error);

/**
 * qoima_store_fund_sign_consent_async:
 * @signature: the chief's detached CMS (DER) over @document
 * @document: the document she signed: the application's PDF (R004-14)
 *
 * SIGN_CONSENT with the document kept beside the signature, so that the Fund can check
 * one against the other (R004-22). Finish with qoima_store_fund_act_finish().
 */
void     qoima_store_fund_sign_consent_async (QoimaStore          *self,
                                              QoimaUser           *user,
                                              gint64               id,
                                              GBytes              *signature,
                                              GBytes              *document,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);

/**
 * qoima_store_fund_follow_async:
 * @fund_id: (nullable): the Fund's number of the application, kept when given
 * @reasons: (nullable): the Fund's reasons (rejection, exclusion)
 * @excluded_at: (nullable): when the Fund excluded it (ISO 8601)
 *
 * What the Fund decided of an application sent (R004-26, R004-27). When a version after
 * the first is «Включен в БД», the version it changed becomes «Изменена» (R004-25).
 */
void     qoima_store_fund_follow_async  (QoimaStore          *self,
                                         gint64               id,
                                         QoimaFundStatus      status,
                                         const char          *fund_id,
                                         const char * const  *reasons,
                                         const char          *note,
                                         const char          *excluded_at,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean qoima_store_fund_follow_finish (QoimaStore    *self,
                                         GAsyncResult  *result,
                                         GError       **error);

void     qoima_store_fund_load_async  (QoimaStore          *self,
                                       gint64               id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
/* Returns: (transfer full): the application; NOT_FOUND when there is none. */
QoimaFundApplication *qoima_store_fund_load_finish (QoimaStore    *self,
                                                    GAsyncResult  *result,
                                                    GError       **error);

/* Every application, each version (R004-25: versions viewable), by chain then version;
 * @chain_id 0 for all. */
void       qoima_store_fund_list_async  (QoimaStore          *self,
                                         gint64               chain_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* Returns: (transfer full): QoimaFundApplication. */
GPtrArray *qoima_store_fund_list_finish (QoimaStore    *self,
                                         GAsyncResult  *result,
                                         GError       **error);

/* One entry of an application's log (R004-18). */
typedef struct {
  char *at;
  char *actor;
  char *action; /* "created", "edited", "submitted", "consent_signed", "chief_rejected", "sent", "fund" */
  char *detail; /* the fields changed, the reason, the Fund's status */
} QoimaFundEdit;

void       qoima_fund_edit_free          (QoimaFundEdit *edit);

void       qoima_store_fund_edits_async  (QoimaStore          *self,
                                          gint64               id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* Returns: (transfer full): QoimaFundEdit, oldest first. */
GPtrArray *qoima_store_fund_edits_finish (QoimaStore    *self,
                                          GAsyncResult  *result,
                                          GError       **error);

G_END_DECLS
