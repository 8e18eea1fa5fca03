/* qoima-transfer.h: transfer documents (packs moved to a ward) and units per pack
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

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

G_END_DECLS
