/* qoima-withdrawal-document-row.h: one signed withdrawal document, in the Withdrawals page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define QOIMA_TYPE_WITHDRAWAL_DOCUMENT_ROW (qoima_withdrawal_document_row_get_type ())

G_DECLARE_FINAL_TYPE (QoimaWithdrawalDocumentRow, qoima_withdrawal_document_row,
                      QOIMA, WITHDRAWAL_DOCUMENT_ROW, AdwActionRow)

/* Properties: item (a JsonObject of qoima_store_list_withdrawals(), one of the document's
 * packs: its document, state, state_label and state_reason; or, owed again, the document
 * ИС МПТ refused and why), n-packs (the document's packs). */

GtkWidget  *qoima_withdrawal_document_row_new         (JsonObject                 *item,
                                                       guint                       n_packs);
JsonObject *qoima_withdrawal_document_row_get_item    (QoimaWithdrawalDocumentRow *self);
void        qoima_withdrawal_document_row_set_item    (QoimaWithdrawalDocumentRow *self,
                                                       JsonObject                 *item);
guint       qoima_withdrawal_document_row_get_n_packs (QoimaWithdrawalDocumentRow *self);
void        qoima_withdrawal_document_row_set_n_packs (QoimaWithdrawalDocumentRow *self,
                                                       guint                       n_packs);

G_END_DECLS
