/* qoima-store-acts.h: incoming acts and their lines, as the store keeps them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-act.h"
#include "qoima-act-line.h"
#include "qoima-ismpt-documents.h"
#include "qoima-store.h"

G_BEGIN_DECLS

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

/**
 * qoima_store_save_act_async:
 * @act: (transfer none): the act as read from ИС МПТ
 * @products: (element-type QoimaProduct) (nullable): catalog cards for its GTINs; products
 *   already in the store are kept as they are
 *
 * Stores a new act with all its codes in one transaction, with its deadline (R000-6).
 * An act already stored is left alone. Finish returns the act's id.
 */
void      qoima_store_save_act_async   (QoimaStore             *self,
                                        const QoimaIncomingAct *act,
                                        GPtrArray              *products,
                                        GCancellable           *cancellable,
                                        GAsyncReadyCallback     callback,
                                        gpointer                user_data);
gint64    qoima_store_save_act_finish  (QoimaStore    *self,
                                        GAsyncResult  *result,
                                        GError       **error);

/* Whether an act with this ИС МПТ id is stored already (so sync need not download it). */
void      qoima_store_has_act_async    (QoimaStore          *self,
                                        const char          *ismpt_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  qoima_store_has_act_finish   (QoimaStore    *self,
                                        GAsyncResult  *result,
                                        GError       **error);

/* Acts, newest first. Finish returns (transfer full) a GListModel of QoimaAct. */
void        qoima_store_list_acts_async  (QoimaStore          *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GListModel *qoima_store_list_acts_finish (QoimaStore    *self,
                                          GAsyncResult  *result,
                                          GError       **error);

/* The act as stored, every code with its scanned flag in `decision`-free form: the
 * QoimaActCode.is_box/parent_sscc fields as ИС МПТ sent them. @scanned (out) gets the
 * codes the clerk scanned. */
void              qoima_store_load_act_async  (QoimaStore          *self,
                                               gint64               act_id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
QoimaIncomingAct *qoima_store_load_act_finish (QoimaStore    *self,
                                               GAsyncResult  *result,
                                               GHashTable   **scanned,
                                               GError       **error);

/**
 * qoima_store_mark_act_code_async:
 * @code: an identification code or an SSCC ("00" + 18 digits)
 *
 * Marks a pack, or a box and all its packs, as physically received. Finish returns what
 * happened and, in @n_packs, how many packs the code stands for.
 */
void         qoima_store_mark_act_code_async  (QoimaStore          *self,
                                               gint64               act_id,
                                               const char          *code,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
QoimaActScan qoima_store_mark_act_code_finish (QoimaStore    *self,
                                               GAsyncResult  *result,
                                               int          *n_packs,
                                               GError       **error);

G_END_DECLS
