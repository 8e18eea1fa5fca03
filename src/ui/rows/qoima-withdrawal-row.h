/* qoima-withdrawal-row.h: one pack whose withdrawal is owed, in the Withdrawals page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "qoima-ismpt-documents.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_WITHDRAWAL_ROW (qoima_withdrawal_row_get_type ())

G_DECLARE_FINAL_TYPE (QoimaWithdrawalRow, qoima_withdrawal_row, QOIMA, WITHDRAWAL_ROW, AdwActionRow)

/* Properties: item (a JsonObject of qoima_store_list_withdrawals(): pack, medicine, reason,
 * owed_at, refused_document, refused_errors), selected (ticked for the next signing),
 * selectable (the user may sign, so may tick). */

GtkWidget            *qoima_withdrawal_row_new            (JsonObject         *item);
JsonObject           *qoima_withdrawal_row_get_item       (QoimaWithdrawalRow *self);
void                  qoima_withdrawal_row_set_item       (QoimaWithdrawalRow *self,
                                                           JsonObject         *item);
/* The pack's identification code. */
const char           *qoima_withdrawal_row_get_ki         (QoimaWithdrawalRow *self);
QoimaWithdrawalReason qoima_withdrawal_row_get_reason     (QoimaWithdrawalRow *self);
gboolean              qoima_withdrawal_row_get_selected   (QoimaWithdrawalRow *self);
void                  qoima_withdrawal_row_set_selected   (QoimaWithdrawalRow *self,
                                                           gboolean            selected);
gboolean              qoima_withdrawal_row_get_selectable (QoimaWithdrawalRow *self);
void                  qoima_withdrawal_row_set_selectable (QoimaWithdrawalRow *self,
                                                           gboolean            selectable);

G_END_DECLS
