/* qoima-store-patients.h: the patients a ward gave units to, as the store lists them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-patient.h"
#include "qoima-store.h"

G_BEGIN_DECLS

/**
 * qoima_store_list_recent_patients_async:
 * @ward_id: the ward whose uses count
 * @limit: at most this many patients
 *
 * The patients units were given to in @ward_id, the most recent first, so that a nurse
 * has the patients of her shift at hand.
 */
void        qoima_store_list_recent_patients_async  (QoimaStore          *self,
                                                     gint64               ward_id,
                                                     int                  limit,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* Returns: (transfer full): a GListModel of QoimaPatient, or NULL with @error set. */
GListModel *qoima_store_list_recent_patients_finish (QoimaStore    *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);

G_END_DECLS
