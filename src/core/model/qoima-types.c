/* qoima-types.c: nicks and labels of the shared enums
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-types"

#include "config.h"

#include "qoima-types.h"

#include <glib/gi18n.h>

/* The nicks are stored in the database, so they never change. */
static const char * const pack_status_nicks[] = {
  [QOIMA_PACK_STATUS_IN_STOCK] = "in_stock",
  [QOIMA_PACK_STATUS_OPENED] = "opened",
  [QOIMA_PACK_STATUS_USED_UP] = "used_up",
  [QOIMA_PACK_STATUS_WITHDRAWN] = "withdrawn",
  [QOIMA_PACK_STATUS_WRITTEN_OFF] = "written_off",
};

static const char * const location_kind_nicks[] = {
  [QOIMA_LOCATION_KIND_WAREHOUSE] = "warehouse",
  [QOIMA_LOCATION_KIND_WARD] = "ward",
};

static const char * const movement_kind_nicks[] = {
  [QOIMA_MOVEMENT_RECEIPT] = "receipt",
  [QOIMA_MOVEMENT_TRANSFER] = "transfer",
  [QOIMA_MOVEMENT_USE] = "use",
  [QOIMA_MOVEMENT_WITHDRAWAL] = "withdrawal",
  [QOIMA_MOVEMENT_WRITE_OFF] = "write_off",
  [QOIMA_MOVEMENT_CORRECTION] = "correction",
};

const char *
qoima_pack_status_to_nick (QoimaPackStatus status)
{
  g_return_val_if_fail ((unsigned) status < G_N_ELEMENTS (pack_status_nicks), NULL);

  return pack_status_nicks[status];
}

gboolean
qoima_pack_status_from_nick (const char      *nick,
                             QoimaPackStatus *status)
{
  g_return_val_if_fail (status != NULL, FALSE);

  if (nick == NULL)
    return FALSE;

  for (unsigned i = 0; i < G_N_ELEMENTS (pack_status_nicks); i++)
    {
      if (g_str_equal (nick, pack_status_nicks[i]))
        {
          *status = (QoimaPackStatus) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
qoima_pack_status_to_label (QoimaPackStatus status)
{
  switch (status)
    {
    case QOIMA_PACK_STATUS_IN_STOCK:
      return _("In stock");
    case QOIMA_PACK_STATUS_OPENED:
      return _("Opened");
    case QOIMA_PACK_STATUS_USED_UP:
      return _("Used up");
    case QOIMA_PACK_STATUS_WITHDRAWN:
      return _("Withdrawn");
    case QOIMA_PACK_STATUS_WRITTEN_OFF:
      return _("Written off");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
qoima_location_kind_to_nick (QoimaLocationKind kind)
{
  g_return_val_if_fail ((unsigned) kind < G_N_ELEMENTS (location_kind_nicks), NULL);

  return location_kind_nicks[kind];
}

gboolean
qoima_location_kind_from_nick (const char        *nick,
                               QoimaLocationKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  if (nick == NULL)
    return FALSE;

  for (unsigned i = 0; i < G_N_ELEMENTS (location_kind_nicks); i++)
    {
      if (g_str_equal (nick, location_kind_nicks[i]))
        {
          *kind = (QoimaLocationKind) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
qoima_movement_kind_to_nick (QoimaMovementKind kind)
{
  g_return_val_if_fail ((unsigned) kind < G_N_ELEMENTS (movement_kind_nicks), NULL);

  return movement_kind_nicks[kind];
}

const char *
qoima_pick_name (const char *name_ru,
                 const char *name_kk)
{
  /* The user's first language, as gettext picks it (LANGUAGE first, then the locale). */
  const char * const *languages = g_get_language_names_with_category ("LC_MESSAGES");

  /* The catalog does not always have a Kazakh name; Russian is the fallback then. */
  if (g_str_has_prefix (languages[0], "kk") && name_kk != NULL && *name_kk != '\0')
    return name_kk;

  return name_ru;
}
