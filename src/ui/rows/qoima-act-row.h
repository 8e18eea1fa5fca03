/* qoima-act-row.h: one incoming act in the Acts page's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-act.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_ACT_ROW (qoima_act_row_get_type ())

G_DECLARE_FINAL_TYPE (QoimaActRow, qoima_act_row, QOIMA, ACT_ROW, AdwActionRow)

/* Properties: item (QoimaAct), selected (the act is chosen for "Accept and Sign Selected";
 * only an act waiting for an answer can be). */

GtkWidget *qoima_act_row_new          (QoimaAct    *item);
QoimaAct  *qoima_act_row_get_item     (QoimaActRow *self);
void       qoima_act_row_set_item     (QoimaActRow *self,
                                       QoimaAct    *item);
gboolean   qoima_act_row_get_selected (QoimaActRow *self);
void       qoima_act_row_set_selected (QoimaActRow *self,
                                       gboolean     selected);

/* The words the row and the act's page share. (transfer full) */
/* R000-6: the deadline in words, so that it does not rest on colour alone; @css gets the
 * style class for today ("warning") and overdue ("error"). NULL for an act answered. */
char      *qoima_act_row_deadline_text (QoimaAct    *act,
                                        const char **css);
/* How far the act got: the packs scanned while it waits for an answer, the packs that
 * entered stock once it is answered. */
char      *qoima_act_row_progress_text (QoimaAct    *act);

G_END_DECLS
