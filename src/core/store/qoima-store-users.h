/* qoima-store-users.h: local users: adding, signing in, changing and listing them, as the
 * store keeps them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/**
 * qoima_store_add_user_async:
 * @acting: (nullable): the authenticated user adding; NULL only for the first user
 * @ward_id: the nurse's ward (required for nurses, 0 otherwise)
 * @secret: the password (8 characters or more) or PIN (4 to 6 digits); only its salted
 *   PBKDF2-HMAC-SHA256 hash is kept, computed on the store's worker thread
 *
 * Adds a user. The first user of a database may be added by nobody (bootstrap);
 * afterwards only an admin may, and the store checks that @acting is still an admin.
 */
void        qoima_store_add_user_async      (QoimaStore          *self,
                                             QoimaUser           *acting,
                                             const char          *name,
                                             const char          *full_name,
                                             QoimaRole            role,
                                             gint64               ward_id,
                                             const char          *secret,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Returns: (transfer full): the new user, or NULL with @error set. */
QoimaUser  *qoima_store_add_user_finish     (QoimaStore    *self,
                                             GAsyncResult  *result,
                                             GError       **error);

/* Name and password or PIN → the user; a wrong name, password or a disabled user fail
 * with %QOIMA_STORE_ERROR_WRONG_PASSWORD ("Wrong name or password."). The key derivation
 * runs on the worker thread. */
void        qoima_store_authenticate_async  (QoimaStore          *self,
                                             const char          *name,
                                             const char          *secret,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
QoimaUser  *qoima_store_authenticate_finish (QoimaStore    *self,
                                             GAsyncResult  *result,
                                             GError       **error);

void        qoima_store_list_users_async    (QoimaStore          *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Returns: (transfer full): a GListModel of QoimaUser, by name. */
GListModel *qoima_store_list_users_finish   (QoimaStore    *self,
                                             GAsyncResult  *result,
                                             GError       **error);

/* Disables the user @name; only an admin may, and not herself nor the last admin. */
void        qoima_store_disable_user_async  (QoimaStore          *self,
                                             QoimaUser           *acting,
                                             const char          *name,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    qoima_store_disable_user_finish (QoimaStore    *self,
                                             GAsyncResult  *result,
                                             GError       **error);

/* Disables or enables the user @name (audited). Only an admin may; an admin cannot
 * disable herself, nor the last enabled admin. */
void        qoima_store_set_user_disabled_async  (QoimaStore          *self,
                                                  QoimaUser           *acting,
                                                  const char          *name,
                                                  gboolean             disabled,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* As qoima_store_set_user_disabled_async(), with the admin's @why (nullable) kept in the
 * audit row's reason ("user disabled: left the hospital"); finish with
 * qoima_store_set_user_disabled_finish(). */
void        qoima_store_set_user_disabled_with_reason_async (QoimaStore          *self,
                                                             QoimaUser           *acting,
                                                             const char          *name,
                                                             gboolean             disabled,
                                                             const char          *why,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean    qoima_store_set_user_disabled_finish (QoimaStore    *self,
                                                  GAsyncResult  *result,
                                                  GError       **error);

/**
 * qoima_store_set_password_async:
 * @acting: the user herself, or an admin
 * @secret: the new password or PIN, by the rules of qoima_user_secret_rules()
 *
 * Gives the user @name a new password or PIN: a new salt and hash (audited, without
 * either). Anyone else than the user herself must be an admin.
 */
void        qoima_store_set_password_async  (QoimaStore          *self,
                                             QoimaUser           *acting,
                                             const char          *name,
                                             const char          *secret,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    qoima_store_set_password_finish (QoimaStore    *self,
                                             GAsyncResult  *result,
                                             GError       **error);

/**
 * qoima_store_update_user_async:
 * @ward_id: the nurse's ward (a ward that is not archived), 0 for the other roles
 *
 * Changes the role and ward of the user @name (audited). Only an admin may; the last
 * enabled admin stays an admin, and an admin does not demote herself.
 */
void        qoima_store_update_user_async   (QoimaStore          *self,
                                             QoimaUser           *acting,
                                             const char          *name,
                                             QoimaRole            role,
                                             gint64               ward_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    qoima_store_update_user_finish  (QoimaStore    *self,
                                             GAsyncResult  *result,
                                             GError       **error);

/**
 * qoima_store_set_user_signing_async:
 * @iin: (nullable): the user's IIN (its check digit is checked), NULL or "" for none
 * @may_sign: for a clerk, whether she may sign (delegation); FALSE for the other roles
 *
 * Sets who the user is for signing (audited). Only an admin may; an IIN belongs to one
 * user only.
 */
void        qoima_store_set_user_signing_async  (QoimaStore          *self,
                                                 QoimaUser           *acting,
                                                 const char          *name,
                                                 const char          *iin,
                                                 gboolean             may_sign,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean    qoima_store_set_user_signing_finish (QoimaStore    *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);

/* The user named @name or, when @name is NULL, the one with the IIN @iin, as stored now
 * (a delegation may have been withdrawn since she signed in); NOT_FOUND when none. */
void        qoima_store_get_user_async      (QoimaStore          *self,
                                             const char          *name,
                                             const char          *iin,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Returns: (transfer full): the user, or NULL with @error set. */
QoimaUser  *qoima_store_get_user_finish     (QoimaStore    *self,
                                             GAsyncResult  *result,
                                             GError       **error);

G_END_DECLS
