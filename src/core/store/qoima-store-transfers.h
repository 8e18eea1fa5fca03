/* qoima-store-transfers.h: transfer documents (packs moved to a ward) and units per pack,
 * as the store keeps them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-store.h"
#include "qoima-transfer.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/* The document with its lines; fails with NOT_FOUND when there is no such number. */
void           qoima_store_load_transfer_async   (QoimaStore          *self,
                                                  const char          *number,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
QoimaTransfer *qoima_store_load_transfer_finish  (QoimaStore    *self,
                                                  GAsyncResult  *result,
                                                  GError       **error);

/* Every transfer document, newest first, with its pack count but without lines. */
void           qoima_store_list_transfers_async  (QoimaStore          *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* Returns: (transfer full): a GListModel of QoimaTransfer. */
GListModel    *qoima_store_list_transfers_finish (QoimaStore    *self,
                                                  GAsyncResult  *result,
                                                  GError       **error);

/**
 * qoima_store_set_units_per_pack_async:
 * @user: the acting clerk; needs %QOIMA_PERMISSION_MOVE_STOCK
 * @gtin: the product
 * @units: how many units (tablets, ampoules…) one pack holds, 1 or more
 *
 * Records the product's units per pack when the catalog did not tell them, and gives
 * every whole pack of it in stock that many units (one CORRECTION movement each), in one
 * transaction audited through the products' trigger. Refused (CONSTRAINT) once a pack of
 * the product has been opened with another value; NOT_FOUND for an unknown product.
 */
void      qoima_store_set_units_per_pack_async  (QoimaStore          *self,
                                                 QoimaUser           *user,
                                                 const char          *gtin,
                                                 int                  units,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean  qoima_store_set_units_per_pack_finish (QoimaStore    *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);

G_END_DECLS
