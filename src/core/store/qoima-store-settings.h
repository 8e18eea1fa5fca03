/* qoima-store-settings.h: the hospital's settings kept in the warehouse database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/*
 * Settings that belong to the hospital rather than to one PC (those are GSettings): they
 * are shared by every workstation on the database, changed only by an administrator, and
 * audited like any other change.
 */

/* "true" when owed withdrawals for medical use may be signed and sent without the chief,
 * with an authorized key loaded for the session (issue 4); anything else is "false". */
#define QOIMA_SETTING_AUTO_WITHDRAW "auto-withdraw"
/* The hospital's name, as it heads printed documents (the transfer note). */
#define QOIMA_SETTING_ORGANIZATION  "organization"
/* The hospital's BIN and product groups (codes, comma-separated) in ИС МПТ, stored when its
 * registration is confirmed (issue 12, R001-11). */
#define QOIMA_SETTING_BIN            "bin"
#define QOIMA_SETTING_PRODUCT_GROUPS "product-groups"

/* Returns: (transfer full) (nullable): the value, or NULL when it was never set. */
void      qoima_store_get_setting_async  (QoimaStore          *self,
                                          const char          *key,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
char     *qoima_store_get_setting_finish (QoimaStore    *self,
                                          GAsyncResult  *result,
                                          GError       **error);

/**
 * qoima_store_set_setting_async:
 * @user: the acting user; needs %QOIMA_PERMISSION_MANAGE_USERS (an administrator)
 *
 * Sets @key to @value in one transaction, with its audit row.
 */
void      qoima_store_set_setting_async  (QoimaStore          *self,
                                          QoimaUser           *user,
                                          const char          *key,
                                          const char          *value,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean  qoima_store_set_setting_finish (QoimaStore    *self,
                                          GAsyncResult  *result,
                                          GError       **error);

G_END_DECLS
