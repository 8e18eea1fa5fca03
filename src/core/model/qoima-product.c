/* qoima-product.c: a medicine as the catalog knows it, per GTIN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-product"

#include "config.h"

#include "qoima-product.h"

#include "qoima-types.h"

struct _QoimaProduct
{
  GObject parent_instance;

  char *gtin;
  char *name_ru;
  char *name_kk;
  char *inn;
  char *form;
  char *dosage;
  char *manufacturer;
  int units_per_pack;
};

G_DEFINE_FINAL_TYPE (QoimaProduct, qoima_product, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_GTIN,
  PROP_NAME_RU,
  PROP_NAME_KK,
  PROP_INN,
  PROP_FORM,
  PROP_DOSAGE,
  PROP_MANUFACTURER,
  PROP_UNITS_PER_PACK,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
qoima_product_finalize (GObject *object)
{
  QoimaProduct *self = QOIMA_PRODUCT (object);

  g_free (self->gtin);
  g_free (self->name_ru);
  g_free (self->name_kk);
  g_free (self->inn);
  g_free (self->form);
  g_free (self->dosage);
  g_free (self->manufacturer);

  G_OBJECT_CLASS (qoima_product_parent_class)->finalize (object);
}

static void
qoima_product_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  QoimaProduct *self = QOIMA_PRODUCT (object);

  switch (prop_id)
    {
    case PROP_GTIN:
      g_value_set_string (value, qoima_product_get_gtin (self));
      break;
    case PROP_NAME_RU:
      g_value_set_string (value, qoima_product_get_name_ru (self));
      break;
    case PROP_NAME_KK:
      g_value_set_string (value, qoima_product_get_name_kk (self));
      break;
    case PROP_INN:
      g_value_set_string (value, qoima_product_get_inn (self));
      break;
    case PROP_FORM:
      g_value_set_string (value, qoima_product_get_form (self));
      break;
    case PROP_DOSAGE:
      g_value_set_string (value, qoima_product_get_dosage (self));
      break;
    case PROP_MANUFACTURER:
      g_value_set_string (value, qoima_product_get_manufacturer (self));
      break;
    case PROP_UNITS_PER_PACK:
      g_value_set_int (value, qoima_product_get_units_per_pack (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_product_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  QoimaProduct *self = QOIMA_PRODUCT (object);

  /* Construct-only: each is set exactly once, so there is nothing to free or notify. */
  switch (prop_id)
    {
    case PROP_GTIN:
      self->gtin = g_value_dup_string (value);
      break;
    case PROP_NAME_RU:
      self->name_ru = g_value_dup_string (value);
      break;
    case PROP_NAME_KK:
      self->name_kk = g_value_dup_string (value);
      break;
    case PROP_INN:
      self->inn = g_value_dup_string (value);
      break;
    case PROP_FORM:
      self->form = g_value_dup_string (value);
      break;
    case PROP_DOSAGE:
      self->dosage = g_value_dup_string (value);
      break;
    case PROP_MANUFACTURER:
      self->manufacturer = g_value_dup_string (value);
      break;
    case PROP_UNITS_PER_PACK:
      self->units_per_pack = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_product_class_init (QoimaProductClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = qoima_product_finalize;
  object_class->get_property = qoima_product_get_property;
  object_class->set_property = qoima_product_set_property;

  properties[PROP_GTIN] = g_param_spec_string ("gtin", NULL, NULL, NULL, flags);
  properties[PROP_NAME_RU] = g_param_spec_string ("name-ru", NULL, NULL, NULL, flags);
  properties[PROP_NAME_KK] = g_param_spec_string ("name-kk", NULL, NULL, NULL, flags);
  properties[PROP_INN] = g_param_spec_string ("inn", NULL, NULL, NULL, flags);
  properties[PROP_FORM] = g_param_spec_string ("form", NULL, NULL, NULL, flags);
  properties[PROP_DOSAGE] = g_param_spec_string ("dosage", NULL, NULL, NULL, flags);
  properties[PROP_MANUFACTURER] = g_param_spec_string ("manufacturer", NULL, NULL, NULL, flags);
  properties[PROP_UNITS_PER_PACK] = g_param_spec_int ("units-per-pack", NULL, NULL, 0, G_MAXINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
qoima_product_init (QoimaProduct *self)
{
}

QoimaProduct *
qoima_product_new (const char *gtin,
                   const char *name_ru,
                   const char *name_kk,
                   const char *inn,
                   const char *form,
                   const char *dosage,
                   const char *manufacturer,
                   int         units_per_pack)
{
  g_return_val_if_fail (gtin != NULL, NULL);
  g_return_val_if_fail (units_per_pack >= 0, NULL);

  return g_object_new (QOIMA_TYPE_PRODUCT,
                       "gtin", gtin,
                       "name-ru", name_ru,
                       "name-kk", name_kk,
                       "inn", inn,
                       "form", form,
                       "dosage", dosage,
                       "manufacturer", manufacturer,
                       "units-per-pack", units_per_pack,
                       NULL);
}

const char *
qoima_product_get_gtin (QoimaProduct *self)
{
  g_return_val_if_fail (QOIMA_IS_PRODUCT (self), NULL);

  return self->gtin;
}

const char *
qoima_product_get_name_ru (QoimaProduct *self)
{
  g_return_val_if_fail (QOIMA_IS_PRODUCT (self), NULL);

  return self->name_ru;
}

const char *
qoima_product_get_name_kk (QoimaProduct *self)
{
  g_return_val_if_fail (QOIMA_IS_PRODUCT (self), NULL);

  return self->name_kk;
}

const char *
qoima_product_get_name (QoimaProduct *self)
{
  g_return_val_if_fail (QOIMA_IS_PRODUCT (self), NULL);

  return qoima_pick_name (self->name_ru, self->name_kk);
}

const char *
qoima_product_get_inn (QoimaProduct *self)
{
  g_return_val_if_fail (QOIMA_IS_PRODUCT (self), NULL);

  return self->inn;
}

const char *
qoima_product_get_form (QoimaProduct *self)
{
  g_return_val_if_fail (QOIMA_IS_PRODUCT (self), NULL);

  return self->form;
}

const char *
qoima_product_get_dosage (QoimaProduct *self)
{
  g_return_val_if_fail (QOIMA_IS_PRODUCT (self), NULL);

  return self->dosage;
}

const char *
qoima_product_get_manufacturer (QoimaProduct *self)
{
  g_return_val_if_fail (QOIMA_IS_PRODUCT (self), NULL);

  return self->manufacturer;
}

int
qoima_product_get_units_per_pack (QoimaProduct *self)
{
  g_return_val_if_fail (QOIMA_IS_PRODUCT (self), 0);

  return self->units_per_pack;
}
