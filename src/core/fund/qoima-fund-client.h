/* qoima-fund-client.h: the license service (elicense.kz) and the Fund's portal, over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-fund-application.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_FUND_CLIENT (qoima_fund_client_get_type ())

G_DECLARE_FINAL_TYPE (QoimaFundClient, qoima_fund_client, QOIMA, FUND_CLIENT, GObject)

/* @base_url: where both services answer (the stand's root, e.g. http://127.0.0.1:8080). */
QoimaFundClient *qoima_fund_client_new (const char *base_url);

/* R004-1: asks for the licenses of @bin, waits for the request to be processed and
 * returns them; «Ошибка обработки» fails with G_IO_ERROR_FAILED saying so. */
void       qoima_fund_client_get_licenses_async  (QoimaFundClient     *self,
                                                  const char          *bin,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* Returns: (transfer full): QoimaFundLicense, all of them (list them with the filters). */
GPtrArray *qoima_fund_client_get_licenses_finish (QoimaFundClient  *self,
                                                  GAsyncResult     *result,
                                                  GError          **error);

/* R004-22: sends a signed application to the Fund's branch of its region. */
void       qoima_fund_client_submit_async  (QoimaFundClient            *self,
                                            const QoimaFundApplication *app,
                                            GCancellable               *cancellable,
                                            GAsyncReadyCallback         callback,
                                            gpointer                    user_data);
/* Returns: (transfer full): the Fund's number of the application. */
char      *qoima_fund_client_submit_finish (QoimaFundClient  *self,
                                            GAsyncResult     *result,
                                            GError          **error);

/* What the Fund says of an application now. */
typedef struct {
  QoimaFundStatus status;
  char **reasons;
  char *note;
  char *excluded_at;
} QoimaFundDecision;

void qoima_fund_decision_free (QoimaFundDecision *decision);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaFundDecision, qoima_fund_decision_free)

void               qoima_fund_client_get_decision_async  (QoimaFundClient     *self,
                                                          const char          *fund_id,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
QoimaFundDecision *qoima_fund_client_get_decision_finish (QoimaFundClient  *self,
                                                          GAsyncResult     *result,
                                                          GError          **error);

G_END_DECLS
