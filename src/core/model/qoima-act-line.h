/* qoima-act-line.h: one product of an incoming act, with how many packs were scanned
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-store.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_ACT_LINE (qoima_act_line_get_type ())

G_DECLARE_FINAL_TYPE (QoimaActLine, qoima_act_line, QOIMA, ACT_LINE, GObject)

/* Read-only properties: gtin, name (the catalog's Russian name, or NULL when the product
 * has no card), expected and scanned (packs). */
const char *qoima_act_line_get_gtin     (QoimaActLine *self);
const char *qoima_act_line_get_name     (QoimaActLine *self);
int         qoima_act_line_get_expected (QoimaActLine *self);
int         qoima_act_line_get_scanned  (QoimaActLine *self);

/**
 * qoima_store_list_act_lines_async:
 * @act_id: the act
 *
 * The act's products, by name, each with the packs expected and the packs scanned so far
 * (a box counts as its packs). Finish returns (transfer full) a GListModel of QoimaActLine.
 */
void        qoima_store_list_act_lines_async  (QoimaStore          *self,
                                               gint64               act_id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GListModel *qoima_store_list_act_lines_finish (QoimaStore    *self,
                                               GAsyncResult  *result,
                                               GError       **error);

G_END_DECLS
