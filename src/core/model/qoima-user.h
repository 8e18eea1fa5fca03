/* qoima-user.h: local users, their roles and what each role may do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-certificate.h"
#include "qoima-store.h"

G_BEGIN_DECLS

/* Roles (glossary): the clerk receives and moves stock, the nurse logs use in her ward,
 * the chief signs, the admin manages users and locations. */
typedef enum {
  QOIMA_ROLE_CLERK, /*< nick=clerk >*/
  QOIMA_ROLE_NURSE, /*< nick=nurse >*/
  QOIMA_ROLE_CHIEF, /*< nick=chief >*/
  QOIMA_ROLE_ADMIN, /*< nick=admin >*/
} QoimaRole;

typedef enum {
  QOIMA_PERMISSION_ACCEPT_ACTS,
  QOIMA_PERMISSION_MOVE_STOCK,
  QOIMA_PERMISSION_LOG_USE,
  QOIMA_PERMISSION_SIGN,
  QOIMA_PERMISSION_WRITE_OFF,
  QOIMA_PERMISSION_MANAGE_USERS,
  QOIMA_PERMISSION_MANAGE_LOCATIONS,
  QOIMA_PERMISSION_VIEW_REPORTS,
  QOIMA_PERMISSION_COUNT_STOCK, /* take part in a stock count (the chief signs it off) */
  /* The Fund's application (seed 004): the admin prepares it («Поставщик» +
   * «Администратор организации»), the chief decides («Руководитель»). */
  QOIMA_PERMISSION_PREPARE_FUND_APPLICATION,
  QOIMA_PERMISSION_DECIDE_FUND_APPLICATION,
  /* Dispense a pack by e-prescription (co-payment, seed 002): the pharmacy point's clerk. */
  QOIMA_PERMISSION_DISPENSE,
} QoimaPermission;

/* PBKDF2-HMAC-SHA256 rounds for every new password or PIN. */
#define QOIMA_USER_KDF_ITERATIONS 100000

const char *qoima_role_to_nick   (QoimaRole        role);
/* Returns FALSE when @nick is not a role's name ("clerk", "nurse", "chief", "admin"). */
gboolean    qoima_role_from_nick (const char      *nick,
                                  QoimaRole       *role);
gboolean    qoima_role_allows    (QoimaRole        role,
                                  QoimaPermission  permission);

#define QOIMA_TYPE_USER (qoima_user_get_type ())

G_DECLARE_FINAL_TYPE (QoimaUser, qoima_user, QOIMA, USER, GObject)

gint64      qoima_user_get_id         (QoimaUser *self);
const char *qoima_user_get_name       (QoimaUser *self);
const char *qoima_user_get_full_name  (QoimaUser *self);
QoimaRole   qoima_user_get_role       (QoimaUser *self);
/* The nurse's ward; 0 for the other roles. */
gint64      qoima_user_get_ward_id    (QoimaUser *self);
gboolean    qoima_user_get_disabled   (QoimaUser *self);
/* The IIN of the person, which her signing key's certificate must carry; NULL when she
 * has none (then she signs nothing). */
const char *qoima_user_get_iin        (QoimaUser *self);
/* Whether an administrator delegated signing to this clerk (the chief signs by her role). */
gboolean    qoima_user_get_may_sign   (QoimaUser *self);

/**
 * qoima_user_check:
 * @self: (nullable): the acting user; NULL is nobody and may do nothing
 *
 * Fails with %QOIMA_STORE_ERROR_FORBIDDEN and a message for the user when @self's role
 * does not allow @permission, or @self is disabled.
 */
gboolean    qoima_user_check          (QoimaUser        *self,
                                       QoimaPermission   permission,
                                       GError          **error);

/**
 * qoima_user_check_signer:
 * @self: (nullable): the user who signs
 * @certificate: (nullable): the key's certificate; NULL when the key tells it only once it
 *   has signed (then only @self is checked, and the caller checks again after signing)
 * @bin: (nullable): the hospital's BIN, which the certificate must carry
 *
 * The rule for every signature: @self may sign (the chief; a clerk only by delegation),
 * has an IIN, and the certificate is hers (the same IIN) and the hospital's (the same BIN).
 * Fails with a message for the user naming who the key belongs to.
 */
gboolean    qoima_user_check_signer   (QoimaUser         *self,
                                       QoimaCertificate  *certificate,
                                       const char        *bin,
                                       GError           **error);

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

/* The rule for a password or PIN, as a sentence for the user; and the check the store
 * applies, so that a form can say what is wrong before it sends anything. */
const char *qoima_user_secret_rules          (void);
gboolean    qoima_user_secret_is_acceptable  (const char  *secret,
                                              GError     **error);

G_END_DECLS
