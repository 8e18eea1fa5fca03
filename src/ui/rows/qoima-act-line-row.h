/* qoima-act-line-row.h: one product of the act shown on the Acts page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-act-line.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_ACT_LINE_ROW (qoima_act_line_row_get_type ())

G_DECLARE_FINAL_TYPE (QoimaActLineRow, qoima_act_line_row, QOIMA, ACT_LINE_ROW, AdwActionRow)

/* Properties: item (QoimaActLine), waiting (the act waits for its answer: the row counts
 * scans; afterwards it says what the act brought). */

GtkWidget    *qoima_act_line_row_new         (QoimaActLine    *item,
                                              gboolean         waiting);
QoimaActLine *qoima_act_line_row_get_item    (QoimaActLineRow *self);
void          qoima_act_line_row_set_item    (QoimaActLineRow *self,
                                              QoimaActLine    *item);
gboolean      qoima_act_line_row_get_waiting (QoimaActLineRow *self);
void          qoima_act_line_row_set_waiting (QoimaActLineRow *self,
                                              gboolean         waiting);

G_END_DECLS
