/* qoima-user.h: local users, their roles and what each role may do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-certificate.h"
#include "qoima-error.h"

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


/* The rule for a password or PIN, as a sentence for the user; and the check the store
 * applies, so that a form can say what is wrong before it sends anything. */
const char *qoima_user_secret_rules          (void);
gboolean    qoima_user_secret_is_acceptable  (const char  *secret,
                                              GError     **error);

G_END_DECLS
