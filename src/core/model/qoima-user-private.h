/* qoima-user-private.h: the user's fields, for the store that reads users from the database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "qoima-user.h"

G_BEGIN_DECLS

struct _QoimaUser
{
  GObject parent_instance;

  gint64 id;
  char *name;
  char *full_name;
  QoimaRole role;
  gint64 ward_id;
  gboolean disabled;
  char *iin;         /* whose keys she signs with; NULL: she signs nothing */
  gboolean may_sign; /* a clerk's delegation by an administrator */
};

G_END_DECLS
