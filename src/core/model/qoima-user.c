/* qoima-user.c: local users, their roles and what each role may do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-user"

#include "config.h"

#include "qoima-user.h"
#include "qoima-user-private.h"

#include "qoima-enums.h"
#include "qoima-types.h"

#include <glib/gi18n.h>
#include <string.h>


G_DEFINE_FINAL_TYPE (QoimaUser, qoima_user, G_TYPE_OBJECT)

static gboolean
secret_is_acceptable (const char  *secret,
                      GError     **error)
{
  gsize len = strlen (secret);
  gboolean digits = len > 0 && strspn (secret, "0123456789") == len;

  if ((digits && len >= 4 && len <= 6) || g_utf8_strlen (secret, -1) >= 8)
    return TRUE;

  g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       _("A password needs at least 8 characters; a PIN is 4 to 6 digits."));
  return FALSE;
}

static void
qoima_user_finalize (GObject *object)
{
  QoimaUser *self = QOIMA_USER (object);

  g_free (self->name);
  g_free (self->full_name);
  g_free (self->iin);

  G_OBJECT_CLASS (qoima_user_parent_class)->finalize (object);
}

static void
qoima_user_class_init (QoimaUserClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = qoima_user_finalize;
}

static void
qoima_user_init (QoimaUser *self)
{
}

const char *
qoima_role_to_nick (QoimaRole role)
{
  return qoima_enum_to_nick (QOIMA_TYPE_ROLE, role);
}

gboolean
qoima_role_from_nick (const char *nick,
                      QoimaRole  *role)
{
  int value;

  if (!qoima_enum_from_nick (QOIMA_TYPE_ROLE, nick, FALSE, &value))
    return FALSE;
  *role = (QoimaRole) value;
  return TRUE;
}

gboolean
qoima_role_allows (QoimaRole       role,
                   QoimaPermission permission)
{
  switch (role)
    {
    case QOIMA_ROLE_CLERK:
      return permission == QOIMA_PERMISSION_ACCEPT_ACTS || permission == QOIMA_PERMISSION_MOVE_STOCK ||
             permission == QOIMA_PERMISSION_COUNT_STOCK || permission == QOIMA_PERMISSION_DISPENSE;
    case QOIMA_ROLE_NURSE:
      return permission == QOIMA_PERMISSION_LOG_USE || permission == QOIMA_PERMISSION_COUNT_STOCK;
    case QOIMA_ROLE_CHIEF:
      return permission == QOIMA_PERMISSION_SIGN || permission == QOIMA_PERMISSION_ACCEPT_ACTS ||
             permission == QOIMA_PERMISSION_WRITE_OFF || permission == QOIMA_PERMISSION_VIEW_REPORTS ||
             permission == QOIMA_PERMISSION_COUNT_STOCK || permission == QOIMA_PERMISSION_DECIDE_FUND_APPLICATION;
    case QOIMA_ROLE_ADMIN:
      return permission == QOIMA_PERMISSION_MANAGE_USERS || permission == QOIMA_PERMISSION_MANAGE_LOCATIONS ||
             permission == QOIMA_PERMISSION_VIEW_REPORTS || permission == QOIMA_PERMISSION_PREPARE_FUND_APPLICATION;
    default:
      return FALSE;
    }
}

gint64
qoima_user_get_id (QoimaUser *self)
{
  g_return_val_if_fail (QOIMA_IS_USER (self), 0);
  return self->id;
}

const char *
qoima_user_get_name (QoimaUser *self)
{
  g_return_val_if_fail (QOIMA_IS_USER (self), NULL);
  return self->name;
}

const char *
qoima_user_get_full_name (QoimaUser *self)
{
  g_return_val_if_fail (QOIMA_IS_USER (self), NULL);
  return self->full_name;
}

QoimaRole
qoima_user_get_role (QoimaUser *self)
{
  g_return_val_if_fail (QOIMA_IS_USER (self), QOIMA_ROLE_CLERK);
  return self->role;
}

gint64
qoima_user_get_ward_id (QoimaUser *self)
{
  g_return_val_if_fail (QOIMA_IS_USER (self), 0);
  return self->ward_id;
}

gboolean
qoima_user_get_disabled (QoimaUser *self)
{
  g_return_val_if_fail (QOIMA_IS_USER (self), TRUE);
  return self->disabled;
}

const char *
qoima_user_get_iin (QoimaUser *self)
{
  g_return_val_if_fail (QOIMA_IS_USER (self), NULL);
  return self->iin;
}

gboolean
qoima_user_get_may_sign (QoimaUser *self)
{
  g_return_val_if_fail (QOIMA_IS_USER (self), FALSE);
  return self->may_sign;
}

gboolean
qoima_user_check_signer (QoimaUser         *self,
                         QoimaCertificate  *certificate,
                         const char        *bin,
                         GError           **error)
{
  const char *iin;

  g_return_val_if_fail (self == NULL || QOIMA_IS_USER (self), FALSE);
  g_return_val_if_fail (certificate == NULL || QOIMA_IS_CERTIFICATE (certificate), FALSE);

  if (!qoima_user_check (self, QOIMA_PERMISSION_SIGN, error))
    return FALSE;
  if (self->iin == NULL)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                   _("%s has no IIN in the user record, so no key can match it: an administrator adds the IIN before anything is signed."),
                   self->full_name != NULL ? self->full_name : self->name);
      return FALSE;
    }
  if (certificate == NULL)
    return TRUE;

  iin = qoima_certificate_get_iin (certificate);
  if (g_strcmp0 (iin, self->iin) != 0)
    {
      g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER,
                   _("The key belongs to %s (IIN %s), not to %s (IIN %s), who is signed in. Each user signs with their own key: nothing was signed."),
                   qoima_certificate_get_owner (certificate), iin != NULL ? iin : "—",
                   self->full_name != NULL ? self->full_name : self->name, self->iin);
      return FALSE;
    }
  if (bin != NULL && g_strcmp0 (qoima_certificate_get_bin (certificate), bin) != 0)
    {
      const char *key_bin = qoima_certificate_get_bin (certificate);

      g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER,
                   _("The key of %s is for the organization with BIN %s, not for the hospital (BIN %s): nothing was signed."),
                   qoima_certificate_get_owner (certificate), key_bin != NULL ? key_bin : "—", bin);
      return FALSE;
    }
  return TRUE;
}

gboolean
qoima_user_check (QoimaUser        *self,
                  QoimaPermission   permission,
                  GError          **error)
{
  const char *what;

  g_return_val_if_fail (self == NULL || QOIMA_IS_USER (self), FALSE);

  if (self != NULL && !self->disabled &&
      (qoima_role_allows (self->role, permission) ||
       (permission == QOIMA_PERMISSION_SIGN && self->role == QOIMA_ROLE_CLERK && self->may_sign)))
    return TRUE;

  switch (permission)
    {
    case QOIMA_PERMISSION_ACCEPT_ACTS: what = _("accept acts"); break;
    case QOIMA_PERMISSION_MOVE_STOCK: what = _("move stock"); break;
    case QOIMA_PERMISSION_LOG_USE: what = _("log use"); break;
    case QOIMA_PERMISSION_SIGN: what = _("sign documents"); break;
    case QOIMA_PERMISSION_WRITE_OFF: what = _("write off packs"); break;
    case QOIMA_PERMISSION_MANAGE_USERS: what = _("manage users"); break;
    case QOIMA_PERMISSION_MANAGE_LOCATIONS: what = _("manage locations"); break;
    case QOIMA_PERMISSION_VIEW_REPORTS: what = _("view reports"); break;
    case QOIMA_PERMISSION_COUNT_STOCK: what = _("count stock"); break;
    case QOIMA_PERMISSION_PREPARE_FUND_APPLICATION: what = _("prepare the application to the Fund"); break;
    case QOIMA_PERMISSION_DECIDE_FUND_APPLICATION: what = _("sign or reject the application to the Fund"); break;
    case QOIMA_PERMISSION_DISPENSE: what = _("dispense by e-prescription"); break;
    default: what = "?"; break;
    }

  if (self == NULL)
    g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                 _("Log in first: only a named user may %s."), what);
  else if (self->disabled)
    g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                 _("The user %s is disabled and may not %s."), self->name, what);
  else
    {
      const char *role;

      switch (self->role)
        {
        case QOIMA_ROLE_CLERK: role = _("A clerk"); break;
        case QOIMA_ROLE_NURSE: role = _("A nurse"); break;
        case QOIMA_ROLE_CHIEF: role = _("A chief"); break;
        case QOIMA_ROLE_ADMIN: role = _("An admin"); break;
        default: role = "?"; break;
        }
      if (permission == QOIMA_PERMISSION_SIGN && self->role == QOIMA_ROLE_CLERK)
        g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                             _("A clerk signs only when an administrator has allowed it; the chief signs."));
      else
        /* TRANSLATORS: "A nurse may not accept acts." */
        g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                     _("%s may not %s."), role, what);
    }
  return FALSE;
}

const char *
qoima_user_secret_rules (void)
{
  return _("A password needs at least 8 characters; a PIN is 4 to 6 digits.");
}

gboolean
qoima_user_secret_is_acceptable (const char  *secret,
                                 GError     **error)
{
  g_return_val_if_fail (secret != NULL, FALSE);
  return secret_is_acceptable (secret, error);
}
