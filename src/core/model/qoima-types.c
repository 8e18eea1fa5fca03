/* qoima-types.c: nicks (from the registered enums) and labels of the shared enums
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-types"

#include "config.h"

#include "qoima-types.h"

#include "qoima-enums.h"

#include <glib/gi18n.h>
#include <string.h>

/* Enum classes of static types live as long as the program; the first use keeps a
 * reference, so that the nicks returned stay valid without a reference per call. */
static GEnumClass *
enum_class (GType type)
{
  gpointer klass = g_type_class_peek (type);

  return klass != NULL ? klass : g_type_class_ref (type);
}

const char *
qoima_enum_to_nick (GType type,
                    int   value)
{
  GEnumValue *enum_value;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), NULL);

  enum_value = g_enum_get_value (enum_class (type), value);
  g_return_val_if_fail (enum_value != NULL, NULL);

  return enum_value->value_nick;
}

gboolean
qoima_enum_from_nick (GType       type,
                      const char *nick,
                      gboolean    ignore_case,
                      int        *value)
{
  GEnumClass *klass;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), FALSE);

  if (nick == NULL)
    return FALSE;

  klass = enum_class (type);
  for (guint i = 0; i < klass->n_values; i++)
    {
      const char *candidate = klass->values[i].value_nick;

      if (ignore_case ? g_ascii_strcasecmp (nick, candidate) == 0 : strcmp (nick, candidate) == 0)
        {
          if (value != NULL)
            *value = klass->values[i].value;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
qoima_pack_status_to_nick (QoimaPackStatus status)
{
  return qoima_enum_to_nick (QOIMA_TYPE_PACK_STATUS, status);
}

gboolean
qoima_pack_status_from_nick (const char      *nick,
                             QoimaPackStatus *status)
{
  int value;

  g_return_val_if_fail (status != NULL, FALSE);

  if (!qoima_enum_from_nick (QOIMA_TYPE_PACK_STATUS, nick, FALSE, &value))
    return FALSE;
  *status = (QoimaPackStatus) value;
  return TRUE;
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
  return qoima_enum_to_nick (QOIMA_TYPE_LOCATION_KIND, kind);
}

gboolean
qoima_location_kind_from_nick (const char        *nick,
                               QoimaLocationKind *kind)
{
  int value;

  g_return_val_if_fail (kind != NULL, FALSE);

  if (!qoima_enum_from_nick (QOIMA_TYPE_LOCATION_KIND, nick, FALSE, &value))
    return FALSE;
  *kind = (QoimaLocationKind) value;
  return TRUE;
}

const char *
qoima_movement_kind_to_nick (QoimaMovementKind kind)
{
  return qoima_enum_to_nick (QOIMA_TYPE_MOVEMENT_KIND, kind);
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
