/* qoima-fund-client.h: the license service (elicense.kz) and the Fund's portal, over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-fund-application.h"

G_BEGIN_DECLS

#define QOIMA_FUND_CLIENT_ERROR (qoima_fund_client_error_quark ())

typedef enum {
  /* R004-1: the license request ended in «Ошибка обработки». */
  QOIMA_FUND_CLIENT_ERROR_REQUEST_FAILED,
} QoimaFundClientError;

GQuark qoima_fund_client_error_quark (void);

#define QOIMA_TYPE_FUND_CLIENT (qoima_fund_client_get_type ())

G_DECLARE_FINAL_TYPE (QoimaFundClient, qoima_fund_client, QOIMA, FUND_CLIENT, GObject)

/**
 * qoima_fund_client_url_for_stand:
 * @stand: the ИС МПТ stand worked with: "local", "test", "industrial" or "custom"
 * @urls: (nullable): the GSettings key fund-urls (a{ss}): the Fund's address for each stand
 * @ismpt_url: (nullable): the True API's base address the stand answers at
 *
 * Where the license service and the Fund's portal answer for @stand: @urls' entry for it,
 * else for the local stand its own root (it serves both beside the True API).
 *
 * Returns: (transfer full): the base address, or NULL with G_IO_ERROR_NOT_CONNECTED
 *   saying what to set.
 */
char *qoima_fund_client_url_for_stand (const char  *stand,
                                       GVariant    *urls,
                                       const char  *ismpt_url,
                                       GError     **error);

/* @base_url: where both services answer (the stand's root, e.g. http://127.0.0.1:8080). */
QoimaFundClient *qoima_fund_client_new (const char *base_url);

/* R004-1: asks for the licenses of @bin, waits for the request to be processed and
 * returns them; «Ошибка обработки» fails with %QOIMA_FUND_CLIENT_ERROR_REQUEST_FAILED
 * saying so. */
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
