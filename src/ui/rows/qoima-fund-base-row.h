/* qoima-fund-base-row.h: one production base of the Fund's application (R004-10, -11)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-fund-application.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_FUND_BASE_ROW (qoima_fund_base_row_get_type ())

G_DECLARE_FINAL_TYPE (QoimaFundBaseRow, qoima_fund_base_row, QOIMA, FUND_BASE_ROW, AdwExpanderRow)

/* Properties: item (QoimaFundBase, the row's own copy, kept as the user types),
 * editable. Signals: delete-requested (the base's delete button), attach-requested (its
 * permit's button: the page asks for the file and gives it back with _set_permit()). */

GtkWidget     *qoima_fund_base_row_new          (const QoimaFundBase *item);
/* (transfer none): the base as entered. */
QoimaFundBase *qoima_fund_base_row_get_item     (QoimaFundBaseRow    *self);
void           qoima_fund_base_row_set_item     (QoimaFundBaseRow    *self,
                                                 const QoimaFundBase *item);
void           qoima_fund_base_row_set_editable (QoimaFundBaseRow    *self,
                                                 gboolean             editable);
/* The kinds of care the subject section chose (QoimaFundCare codes): the subtypes offered. */
void           qoima_fund_base_row_set_choices  (QoimaFundBaseRow    *self,
                                                 const char * const  *codes);
/* Takes @permit. */
void           qoima_fund_base_row_set_permit   (QoimaFundBaseRow    *self,
                                                 QoimaFundAttachment *permit);
/* Typed as the user would: latitude and longitude as text, the KATO code. */
void           qoima_fund_base_row_set_text     (QoimaFundBaseRow    *self,
                                                 const char          *field,
                                                 const char          *text);
void           qoima_fund_base_row_set_subtype  (QoimaFundBaseRow    *self,
                                                 const char          *code,
                                                 gboolean             chosen);
/* The problem under @field ("latitude", "longitude", "kato", "permit", "subtypes"); NULL
 * clears it. Returns the text shown under @field, NULL when none. */
void           qoima_fund_base_row_show_problem (QoimaFundBaseRow    *self,
                                                 const char          *field,
                                                 const char          *message);
const char    *qoima_fund_base_row_get_problem  (QoimaFundBaseRow    *self,
                                                 const char          *field);

G_END_DECLS
