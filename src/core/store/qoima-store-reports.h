/* qoima-store-reports.h: reports on use, opened packs and withdrawals, made by the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-report.h"
#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/**
 * qoima_store_make_report_async:
 * @user: the acting user; needs %QOIMA_PERMISSION_VIEW_REPORTS
 * @from: (nullable): the period's first day (in its own time zone); NULL: from the start
 * @to: (nullable): the period's last day, inclusive; NULL: until now
 * @location: only this ward (or the warehouse); 0 for all
 *
 * Makes the report @kind. Use counts the units of USE movements in the period, less the
 * uses a nurse undid; the opened packs report ignores the period and lists what is open now;
 * withdrawals are those owed in the period, with their document and statuses.
 */
void                qoima_store_make_report_async  (QoimaStore          *self,
                                                    QoimaUser           *user,
                                                    QoimaReportKind      kind,
                                                    GDateTime           *from,
                                                    GDateTime           *to,
                                                    gint64               location,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* Returns: (transfer full): the report, or NULL with @error set. */
QoimaReport        *qoima_store_make_report_finish (QoimaStore    *self,
                                                    GAsyncResult  *result,
                                                    GError       **error);

G_END_DECLS
