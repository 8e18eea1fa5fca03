/* qoima-pack.c: one consumer pack with its own marking code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-pack"

#include "config.h"

#include "qoima-pack.h"

#include "qoima-enums.h"

#include <string.h>

struct _QoimaPack
{
  GObject parent_instance;

  /* Owned references. */
  QoimaProduct *product;
  QoimaLocation *location;

  /* State. */
  gint64 id;
  char *ki;
  char *km;
  char *batch;
  char *expiry;
  QoimaPackStatus status;
  int units_left;
};

G_DEFINE_FINAL_TYPE (QoimaPack, qoima_pack, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_KI,
  PROP_KM,
  PROP_BATCH,
  PROP_EXPIRY,
  PROP_STATUS,
  PROP_UNITS_LEFT,
  PROP_PRODUCT,
  PROP_LOCATION,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
qoima_pack_dispose (GObject *object)
{
  QoimaPack *self = QOIMA_PACK (object);

  g_clear_object (&self->product);
  g_clear_object (&self->location);

  G_OBJECT_CLASS (qoima_pack_parent_class)->dispose (object);
}

static void
qoima_pack_finalize (GObject *object)
{
  QoimaPack *self = QOIMA_PACK (object);

  g_free (self->ki);
  g_free (self->km);
  g_free (self->batch);
  g_free (self->expiry);

  G_OBJECT_CLASS (qoima_pack_parent_class)->finalize (object);
}

static void
qoima_pack_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  QoimaPack *self = QOIMA_PACK (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, qoima_pack_get_id (self));
      break;
    case PROP_KI:
      g_value_set_string (value, qoima_pack_get_ki (self));
      break;
    case PROP_KM:
      g_value_set_string (value, qoima_pack_get_km (self));
      break;
    case PROP_BATCH:
      g_value_set_string (value, qoima_pack_get_batch (self));
      break;
    case PROP_EXPIRY:
      g_value_set_string (value, qoima_pack_get_expiry (self));
      break;
    case PROP_STATUS:
      g_value_set_enum (value, qoima_pack_get_status (self));
      break;
    case PROP_UNITS_LEFT:
      g_value_set_int (value, qoima_pack_get_units_left (self));
      break;
    case PROP_PRODUCT:
      g_value_set_object (value, qoima_pack_get_product (self));
      break;
    case PROP_LOCATION:
      g_value_set_object (value, qoima_pack_get_location (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_pack_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  QoimaPack *self = QOIMA_PACK (object);

  /* Construct-only: each is set exactly once. */
  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_int64 (value);
      break;
    case PROP_KI:
      self->ki = g_value_dup_string (value);
      break;
    case PROP_KM:
      self->km = g_value_dup_string (value);
      break;
    case PROP_BATCH:
      self->batch = g_value_dup_string (value);
      break;
    case PROP_EXPIRY:
      self->expiry = g_value_dup_string (value);
      break;
    case PROP_STATUS:
      self->status = g_value_get_enum (value);
      break;
    case PROP_UNITS_LEFT:
      self->units_left = g_value_get_int (value);
      break;
    case PROP_PRODUCT:
      self->product = g_value_dup_object (value);
      break;
    case PROP_LOCATION:
      self->location = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_pack_class_init (QoimaPackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = qoima_pack_dispose;
  object_class->finalize = qoima_pack_finalize;
  object_class->get_property = qoima_pack_get_property;
  object_class->set_property = qoima_pack_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_KI] = g_param_spec_string ("ki", NULL, NULL, NULL, flags);
  properties[PROP_KM] = g_param_spec_string ("km", NULL, NULL, NULL, flags);
  properties[PROP_BATCH] = g_param_spec_string ("batch", NULL, NULL, NULL, flags);
  properties[PROP_EXPIRY] = g_param_spec_string ("expiry", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] = g_param_spec_enum ("status", NULL, NULL, QOIMA_TYPE_PACK_STATUS,
                                               QOIMA_PACK_STATUS_IN_STOCK, flags);
  properties[PROP_UNITS_LEFT] = g_param_spec_int ("units-left", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_PRODUCT] = g_param_spec_object ("product", NULL, NULL, QOIMA_TYPE_PRODUCT, flags);
  properties[PROP_LOCATION] = g_param_spec_object ("location", NULL, NULL, QOIMA_TYPE_LOCATION, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
qoima_pack_init (QoimaPack *self)
{
  self->units_left = -1;
}

QoimaPack *
qoima_pack_new (gint64           id,
                const char      *ki,
                const char      *km,
                const char      *batch,
                const char      *expiry,
                QoimaPackStatus  status,
                int              units_left,
                QoimaProduct    *product,
                QoimaLocation   *location)
{
  g_return_val_if_fail (ki != NULL, NULL);
  g_return_val_if_fail (QOIMA_IS_PRODUCT (product), NULL);
  g_return_val_if_fail (QOIMA_IS_LOCATION (location), NULL);

  return g_object_new (QOIMA_TYPE_PACK,
                       "id", id,
                       "ki", ki,
                       "km", km,
                       "batch", batch,
                       "expiry", expiry,
                       "status", status,
                       "units-left", units_left,
                       "product", product,
                       "location", location,
                       NULL);
}

gint64
qoima_pack_get_id (QoimaPack *self)
{
  g_return_val_if_fail (QOIMA_IS_PACK (self), 0);

  return self->id;
}

const char *
qoima_pack_get_ki (QoimaPack *self)
{
  g_return_val_if_fail (QOIMA_IS_PACK (self), NULL);

  return self->ki;
}

const char *
qoima_pack_get_km (QoimaPack *self)
{
  g_return_val_if_fail (QOIMA_IS_PACK (self), NULL);

  return self->km;
}

const char *
qoima_pack_get_batch (QoimaPack *self)
{
  g_return_val_if_fail (QOIMA_IS_PACK (self), NULL);

  return self->batch;
}

const char *
qoima_pack_get_expiry (QoimaPack *self)
{
  g_return_val_if_fail (QOIMA_IS_PACK (self), NULL);

  return self->expiry;
}

QoimaPackStatus
qoima_pack_get_status (QoimaPack *self)
{
  g_return_val_if_fail (QOIMA_IS_PACK (self), QOIMA_PACK_STATUS_IN_STOCK);

  return self->status;
}

int
qoima_pack_get_units_left (QoimaPack *self)
{
  g_return_val_if_fail (QOIMA_IS_PACK (self), -1);

  return self->units_left;
}

QoimaProduct *
qoima_pack_get_product (QoimaPack *self)
{
  g_return_val_if_fail (QOIMA_IS_PACK (self), NULL);

  return self->product;
}

QoimaLocation *
qoima_pack_get_location (QoimaPack *self)
{
  g_return_val_if_fail (QOIMA_IS_PACK (self), NULL);

  return self->location;
}

const char *
qoima_pack_get_serial (QoimaPack *self)
{
  /* The identification code is "01" + 14-digit GTIN + "21" + serial. */
  const size_t serial_offset = 2 + 14 + 2;

  g_return_val_if_fail (QOIMA_IS_PACK (self), NULL);

  if (self->ki == NULL || strlen (self->ki) < serial_offset)
    return NULL;

  return self->ki + serial_offset;
}
