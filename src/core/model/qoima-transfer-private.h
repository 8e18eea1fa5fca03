/* qoima-transfer-private.h: the transfer document's fields, for the store that reads them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "qoima-transfer.h"

G_BEGIN_DECLS

struct _QoimaTransfer
{
  GObject parent_instance;

  char *number;
  char *created_at;
  char *actor;
  char *actor_name;
  char *from;
  char *to;
  gint64 to_id;
  int n_packs;
  GPtrArray *lines;
};

G_END_DECLS
