/* qoima-store-wards.h: the administration of wards (adding, renaming, archiving)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/**
 * qoima_store_add_ward_async:
 * @user: the acting user; needs %QOIMA_PERMISSION_MANAGE_LOCATIONS (an admin)
 * @name_ru: the ward's name in Russian (required, unique among the wards in use)
 * @name_kk: (nullable): its name in Kazakh
 *
 * Adds a ward, audited as done by @user.
 */
void        qoima_store_add_ward_async          (QoimaStore          *self,
                                                 QoimaUser           *user,
                                                 const char          *name_ru,
                                                 const char          *name_kk,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
/* Returns the new ward's id, or 0 with @error set. */
gint64      qoima_store_add_ward_finish         (QoimaStore    *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);

/**
 * qoima_store_update_location_async:
 * @user: the acting user; needs %QOIMA_PERMISSION_MANAGE_LOCATIONS (an admin)
 * @location_id: the ward (or the warehouse, which may be renamed but not archived)
 * @name_ru: (nullable): the new Russian name; NULL keeps it
 * @name_kk: (nullable): the new Kazakh name; NULL keeps it, "" clears it
 * @archived: whether the ward is archived afterwards
 *
 * Renames, archives or brings back a location, audited as done by @user. Archiving a
 * ward that still holds packs (in stock or opened) or has nurses who are not disabled
 * is refused with %QOIMA_STORE_ERROR_CONSTRAINT saying why. An archived ward keeps its
 * history but is no longer listed by qoima_store_list_locations_async(), so it is not
 * offered for moves, and the ledger refuses moves to it.
 */
void        qoima_store_update_location_async   (QoimaStore          *self,
                                                 QoimaUser           *user,
                                                 gint64               location_id,
                                                 const char          *name_ru,
                                                 const char          *name_kk,
                                                 gboolean             archived,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean    qoima_store_update_location_finish  (QoimaStore    *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);

/* Every ward, archived ones included when @include_archived, by Russian name; each
 * QoimaLocation has its "archived" property set. */
void        qoima_store_list_wards_async        (QoimaStore          *self,
                                                 gboolean             include_archived,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
/* Returns: (transfer full): a GListModel of QoimaLocation. */
GListModel *qoima_store_list_wards_finish       (QoimaStore    *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);

G_END_DECLS
