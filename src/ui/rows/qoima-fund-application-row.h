/* qoima-fund-application-row.h: one version of an application to the Fund in the list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-fund-application.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_FUND_APPLICATION_ROW (qoima_fund_application_row_get_type ())

G_DECLARE_FINAL_TYPE (QoimaFundApplicationRow, qoima_fund_application_row, QOIMA, FUND_APPLICATION_ROW, AdwActionRow)

/* Properties: item (QoimaFundApplication, the row's own copy). */

/* @region_name: the region's name in KATO, shown before its code, or NULL. */
GtkWidget                  *qoima_fund_application_row_new      (const QoimaFundApplication *item,
                                                                 const char                 *region_name);
const QoimaFundApplication *qoima_fund_application_row_get_item (QoimaFundApplicationRow    *self);
void                        qoima_fund_application_row_set_item (QoimaFundApplicationRow    *self,
                                                                 const QoimaFundApplication *item);
/* The status as the row shows it: the Fund's own words (R004-26). */
const char                 *qoima_fund_application_row_get_status_text (QoimaFundApplicationRow *self);

G_END_DECLS
