/* qoima-store-registration.h: the registration draft and request kept in the warehouse database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-registration.h"
#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/* What became of the request: "draft" (not sent), "sent", "confirmed", "refused". */
typedef struct {
  QoimaRegistration *registration;
  char              *state;
  char              *request_id;   /* the stand's id once sent, else NULL */
  char              *reason;       /* why it was refused, else NULL */
} QoimaStoredRegistration;

void qoima_stored_registration_free (QoimaStoredRegistration *stored);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaStoredRegistration, qoima_stored_registration_free)

/* Returns: (transfer full) (nullable): the saved registration, or NULL (no error) when none was. */
void                     qoima_store_load_registration_async  (QoimaStore           *self,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
QoimaStoredRegistration *qoima_store_load_registration_finish (QoimaStore           *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);

/**
 * qoima_store_save_registration_async:
 * @user: the acting user; needs %QOIMA_PERMISSION_MANAGE_USERS (an administrator)
 * @state: "draft", "sent", "confirmed" or "refused"
 *
 * Saves the draft (every step of the wizard does) and the request's state in one
 * transaction, audited. When @state is "confirmed", the same transaction stores the draft's
 * BIN, full name and product groups as the hospital's settings (QOIMA_SETTING_BIN,
 * QOIMA_SETTING_ORGANIZATION, QOIMA_SETTING_PRODUCT_GROUPS).
 */
void      qoima_store_save_registration_async  (QoimaStore          *self,
                                                QoimaUser           *user,
                                                QoimaRegistration   *registration,
                                                const char          *state,
                                                const char          *request_id,
                                                const char          *reason,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean  qoima_store_save_registration_finish (QoimaStore    *self,
                                                GAsyncResult  *result,
                                                GError       **error);

G_END_DECLS
