/* qoima-transfer.h: transfer documents (packs moved to a ward) and units per pack
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/* One line of a transfer document: the packs of one product, batch and expiry. */
typedef struct
{
  char *gtin;
  char *product_name;
  char *batch;   /* nullable */
  char *expiry;  /* "YYYY-MM-DD", nullable */
  GStrv codes;   /* the packs' identification codes */
  int count;
} QoimaTransferLine;

void qoima_transfer_line_free (QoimaTransferLine *line);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaTransferLine, qoima_transfer_line_free)

#define QOIMA_TYPE_TRANSFER (qoima_transfer_get_type ())

G_DECLARE_FINAL_TYPE (QoimaTransfer, qoima_transfer, QOIMA, TRANSFER, GObject)

const char *qoima_transfer_get_number     (QoimaTransfer *self);
/* When it was made: UTC, ISO 8601. */
const char *qoima_transfer_get_created_at (QoimaTransfer *self);
/* The user who made it: her login, and her full name (the login when she has none). */
const char *qoima_transfer_get_actor      (QoimaTransfer *self);
const char *qoima_transfer_get_actor_name (QoimaTransfer *self);
/* Names of the locations; @from is NULL when the packs came from several. */
const char *qoima_transfer_get_from       (QoimaTransfer *self);
const char *qoima_transfer_get_to         (QoimaTransfer *self);
gint64      qoima_transfer_get_to_id      (QoimaTransfer *self);
int         qoima_transfer_get_n_packs    (QoimaTransfer *self);
/* Returns: (transfer none) (element-type QoimaTransferLine): the lines, sorted by
 * product name, batch and expiry; empty in qoima_store_list_transfers_async()'s list. */
GPtrArray  *qoima_transfer_get_lines      (QoimaTransfer *self);

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
