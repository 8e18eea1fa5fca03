/* qoima-transfer.c: transfer documents (packs moved to a ward) and units per pack
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-transfer"

#include "config.h"

#include "qoima-transfer.h"
#include "qoima-transfer-private.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (QoimaTransfer, qoima_transfer, G_TYPE_OBJECT)

void
qoima_transfer_line_free (QoimaTransferLine *line)
{
  if (line == NULL)
    return;
  g_free (line->gtin);
  g_free (line->product_name);
  g_free (line->batch);
  g_free (line->expiry);
  g_strfreev (line->codes);
  g_free (line);
}

static void
qoima_transfer_finalize (GObject *object)
{
  QoimaTransfer *self = QOIMA_TRANSFER (object);

  g_free (self->number);
  g_free (self->created_at);
  g_free (self->actor);
  g_free (self->actor_name);
  g_free (self->from);
  g_free (self->to);
  g_clear_pointer (&self->lines, g_ptr_array_unref);

  G_OBJECT_CLASS (qoima_transfer_parent_class)->finalize (object);
}

static void
qoima_transfer_class_init (QoimaTransferClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = qoima_transfer_finalize;
}

static void
qoima_transfer_init (QoimaTransfer *self)
{
  self->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_transfer_line_free);
}

const char *
qoima_transfer_get_number (QoimaTransfer *self)
{
  g_return_val_if_fail (QOIMA_IS_TRANSFER (self), NULL);
  return self->number;
}

const char *
qoima_transfer_get_created_at (QoimaTransfer *self)
{
  g_return_val_if_fail (QOIMA_IS_TRANSFER (self), NULL);
  return self->created_at;
}

const char *
qoima_transfer_get_actor (QoimaTransfer *self)
{
  g_return_val_if_fail (QOIMA_IS_TRANSFER (self), NULL);
  return self->actor;
}

const char *
qoima_transfer_get_actor_name (QoimaTransfer *self)
{
  g_return_val_if_fail (QOIMA_IS_TRANSFER (self), NULL);
  return self->actor_name;
}

const char *
qoima_transfer_get_from (QoimaTransfer *self)
{
  g_return_val_if_fail (QOIMA_IS_TRANSFER (self), NULL);
  return self->from;
}

const char *
qoima_transfer_get_to (QoimaTransfer *self)
{
  g_return_val_if_fail (QOIMA_IS_TRANSFER (self), NULL);
  return self->to;
}

gint64
qoima_transfer_get_to_id (QoimaTransfer *self)
{
  g_return_val_if_fail (QOIMA_IS_TRANSFER (self), 0);
  return self->to_id;
}

int
qoima_transfer_get_n_packs (QoimaTransfer *self)
{
  g_return_val_if_fail (QOIMA_IS_TRANSFER (self), 0);
  return self->n_packs;
}

GPtrArray *
qoima_transfer_get_lines (QoimaTransfer *self)
{
  g_return_val_if_fail (QOIMA_IS_TRANSFER (self), NULL);
  return self->lines;
}

