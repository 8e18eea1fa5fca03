/* qoima-stand-fund.h: the stand's license service (for elicense.kz) and the Fund's side
 * of the application to its database (seed 004, R004-1, R004-26, R004-27)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "qoima-stand-db.h"

G_BEGIN_DECLS

#define QOIMA_STAND_ELICENSE_PATH "/elicense"
#define QOIMA_STAND_FSMS_PATH     "/fsms"
#define QOIMA_STAND_FUND_ADMIN_PATH "/stand/fund"

typedef struct _QoimaStandFund QoimaStandFund;

/* @db: (nullable): where its state is kept across a restart; @ca_pem: (nullable): the CA
 * the chief's consent signature must chain to (R004-22); without it the signature is only
 * required, not checked. */
QoimaStandFund *qoima_stand_fund_new  (QoimaStandDb *db,
                                       GBytes       *ca_pem);
void            qoima_stand_fund_free (QoimaStandFund *fund);

/*
 * Answers @msg when @path is one of the Fund's routes, and returns TRUE; FALSE leaves it
 * to the other routes. The admin routes (under /stand/fund) come here only after the
 * server's admin gate (X-Stand-Token).
 *
 *   POST /elicense/requests {"bin"}              → {"id", "state"} («В обработке»)
 *   GET  /elicense/requests/{id}                 → {"id", "bin", "state"} («Обработан» or
 *                                                  «Ошибка обработки» for a BIN it has no licenses for)
 *   GET  /elicense/licenses?bin=                 → [license…] with annexes
 *   POST /fsms/applications {"application", "region", "version", "previous"} → {"id", "status"}
 *   GET  /fsms/applications/{id}                 → {"id", "status", "reasons", "note", "excluded_at"}
 *   GET  /stand/fund/reasons                     → {"rejection": […], "exclusion": […]}
 *   GET  /stand/fund/staff                       → [{"name", "roles"}]
 *   POST /stand/fund/applications/{id}/{action}  {"actor", "to", "reasons", "reason", "note", "signature"}
 */
gboolean qoima_stand_fund_handle (QoimaStandFund    *fund,
                                  SoupServerMessage *msg,
                                  const char        *method,
                                  const char        *path,
                                  GHashTable        *query);

G_END_DECLS
