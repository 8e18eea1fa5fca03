/* qoima-location.c: the pharmacy warehouse or a ward
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-location"

#include "config.h"

#include "qoima-location.h"

#include "qoima-enums.h"

struct _QoimaLocation
{
  GObject parent_instance;

  gint64 id;
  QoimaLocationKind kind;
  char *name_ru;
  char *name_kk;
  gboolean archived;
};

G_DEFINE_FINAL_TYPE (QoimaLocation, qoima_location, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_KIND,
  PROP_NAME_RU,
  PROP_NAME_KK,
  PROP_ARCHIVED,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
qoima_location_finalize (GObject *object)
{
  QoimaLocation *self = QOIMA_LOCATION (object);

  g_free (self->name_ru);
  g_free (self->name_kk);

  G_OBJECT_CLASS (qoima_location_parent_class)->finalize (object);
}

static void
qoima_location_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  QoimaLocation *self = QOIMA_LOCATION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, qoima_location_get_id (self));
      break;
    case PROP_KIND:
      g_value_set_enum (value, qoima_location_get_kind (self));
      break;
    case PROP_NAME_RU:
      g_value_set_string (value, qoima_location_get_name_ru (self));
      break;
    case PROP_NAME_KK:
      g_value_set_string (value, qoima_location_get_name_kk (self));
      break;
    case PROP_ARCHIVED:
      g_value_set_boolean (value, qoima_location_get_archived (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_location_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  QoimaLocation *self = QOIMA_LOCATION (object);

  /* Construct-only: each is set exactly once. */
  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_int64 (value);
      break;
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_NAME_RU:
      self->name_ru = g_value_dup_string (value);
      break;
    case PROP_NAME_KK:
      self->name_kk = g_value_dup_string (value);
      break;
    case PROP_ARCHIVED:
      self->archived = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_location_class_init (QoimaLocationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = qoima_location_finalize;
  object_class->get_property = qoima_location_get_property;
  object_class->set_property = qoima_location_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, QOIMA_TYPE_LOCATION_KIND,
                                             QOIMA_LOCATION_KIND_WAREHOUSE, flags);
  properties[PROP_NAME_RU] = g_param_spec_string ("name-ru", NULL, NULL, NULL, flags);
  properties[PROP_NAME_KK] = g_param_spec_string ("name-kk", NULL, NULL, NULL, flags);
  properties[PROP_ARCHIVED] = g_param_spec_boolean ("archived", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
qoima_location_init (QoimaLocation *self)
{
}

QoimaLocation *
qoima_location_new (gint64            id,
                    QoimaLocationKind kind,
                    const char       *name_ru,
                    const char       *name_kk)
{
  return g_object_new (QOIMA_TYPE_LOCATION,
                       "id", id,
                       "kind", kind,
                       "name-ru", name_ru,
                       "name-kk", name_kk,
                       NULL);
}

gint64
qoima_location_get_id (QoimaLocation *self)
{
  g_return_val_if_fail (QOIMA_IS_LOCATION (self), 0);

  return self->id;
}

QoimaLocationKind
qoima_location_get_kind (QoimaLocation *self)
{
  g_return_val_if_fail (QOIMA_IS_LOCATION (self), QOIMA_LOCATION_KIND_WAREHOUSE);

  return self->kind;
}

const char *
qoima_location_get_name_ru (QoimaLocation *self)
{
  g_return_val_if_fail (QOIMA_IS_LOCATION (self), NULL);

  return self->name_ru;
}

const char *
qoima_location_get_name_kk (QoimaLocation *self)
{
  g_return_val_if_fail (QOIMA_IS_LOCATION (self), NULL);

  return self->name_kk;
}

const char *
qoima_location_get_name (QoimaLocation *self)
{
  g_return_val_if_fail (QOIMA_IS_LOCATION (self), NULL);

  return qoima_pick_name (self->name_ru, self->name_kk);
}

gboolean
qoima_location_get_archived (QoimaLocation *self)
{
  g_return_val_if_fail (QOIMA_IS_LOCATION (self), FALSE);

  return self->archived;
}
