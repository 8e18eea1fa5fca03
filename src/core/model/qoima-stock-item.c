/* qoima-stock-item.c: one line of the Stock page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-stock-item"

#include "config.h"

#include "qoima-stock-item.h"

#include <stdio.h>

struct _QoimaStockItem
{
  GObject parent_instance;

  /* Owned references. */
  QoimaProduct *product;
  QoimaLocation *location;

  /* State. */
  char *batch;
  char *expiry;
  char *search_text;
  int packs;
  int units;
  int opened;
};

G_DEFINE_FINAL_TYPE (QoimaStockItem, qoima_stock_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PRODUCT,
  PROP_LOCATION,
  PROP_BATCH,
  PROP_EXPIRY,
  PROP_PACKS,
  PROP_UNITS,
  PROP_OPENED,
  PROP_SEARCH_TEXT,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
append_folded (GString    *text,
               const char *part)
{
  g_autofree char *folded = NULL;

  if (part == NULL || *part == '\0')
    return;

  folded = g_utf8_strdown (part, -1);
  if (text->len > 0)
    g_string_append_c (text, ' ');
  g_string_append (text, folded);
}

static void
qoima_stock_item_constructed (GObject *object)
{
  QoimaStockItem *self = QOIMA_STOCK_ITEM (object);

  G_OBJECT_CLASS (qoima_stock_item_parent_class)->constructed (object);

  /* Filtering runs on every keystroke over thousands of rows, so the text is built once. */
  if (self->search_text == NULL)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      if (self->product != NULL)
        {
          append_folded (text, qoima_product_get_name_ru (self->product));
          append_folded (text, qoima_product_get_name_kk (self->product));
          append_folded (text, qoima_product_get_inn (self->product));
          append_folded (text, qoima_product_get_gtin (self->product));
        }
      append_folded (text, self->batch);
      if (self->location != NULL)
        {
          append_folded (text, qoima_location_get_name_ru (self->location));
          append_folded (text, qoima_location_get_name_kk (self->location));
        }

      self->search_text = g_string_free (g_steal_pointer (&text), FALSE);
    }
}

static void
qoima_stock_item_dispose (GObject *object)
{
  QoimaStockItem *self = QOIMA_STOCK_ITEM (object);

  g_clear_object (&self->product);
  g_clear_object (&self->location);

  G_OBJECT_CLASS (qoima_stock_item_parent_class)->dispose (object);
}

static void
qoima_stock_item_finalize (GObject *object)
{
  QoimaStockItem *self = QOIMA_STOCK_ITEM (object);

  g_free (self->batch);
  g_free (self->expiry);
  g_free (self->search_text);

  G_OBJECT_CLASS (qoima_stock_item_parent_class)->finalize (object);
}

static void
qoima_stock_item_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  QoimaStockItem *self = QOIMA_STOCK_ITEM (object);

  switch (prop_id)
    {
    case PROP_PRODUCT:
      g_value_set_object (value, qoima_stock_item_get_product (self));
      break;
    case PROP_LOCATION:
      g_value_set_object (value, qoima_stock_item_get_location (self));
      break;
    case PROP_BATCH:
      g_value_set_string (value, qoima_stock_item_get_batch (self));
      break;
    case PROP_EXPIRY:
      g_value_set_string (value, qoima_stock_item_get_expiry (self));
      break;
    case PROP_PACKS:
      g_value_set_int (value, qoima_stock_item_get_packs (self));
      break;
    case PROP_UNITS:
      g_value_set_int (value, qoima_stock_item_get_units (self));
      break;
    case PROP_OPENED:
      g_value_set_int (value, qoima_stock_item_get_opened (self));
      break;
    case PROP_SEARCH_TEXT:
      g_value_set_string (value, qoima_stock_item_get_search_text (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_stock_item_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  QoimaStockItem *self = QOIMA_STOCK_ITEM (object);

  /* Construct-only: each is set exactly once. */
  switch (prop_id)
    {
    case PROP_PRODUCT:
      self->product = g_value_dup_object (value);
      break;
    case PROP_LOCATION:
      self->location = g_value_dup_object (value);
      break;
    case PROP_BATCH:
      self->batch = g_value_dup_string (value);
      break;
    case PROP_EXPIRY:
      self->expiry = g_value_dup_string (value);
      break;
    case PROP_PACKS:
      self->packs = g_value_get_int (value);
      break;
    case PROP_UNITS:
      self->units = g_value_get_int (value);
      break;
    case PROP_OPENED:
      self->opened = g_value_get_int (value);
      break;
    case PROP_SEARCH_TEXT:
      self->search_text = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_stock_item_class_init (QoimaStockItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = qoima_stock_item_constructed;
  object_class->dispose = qoima_stock_item_dispose;
  object_class->finalize = qoima_stock_item_finalize;
  object_class->get_property = qoima_stock_item_get_property;
  object_class->set_property = qoima_stock_item_set_property;

  properties[PROP_PRODUCT] = g_param_spec_object ("product", NULL, NULL, QOIMA_TYPE_PRODUCT, flags);
  properties[PROP_LOCATION] = g_param_spec_object ("location", NULL, NULL, QOIMA_TYPE_LOCATION, flags);
  properties[PROP_BATCH] = g_param_spec_string ("batch", NULL, NULL, NULL, flags);
  properties[PROP_EXPIRY] = g_param_spec_string ("expiry", NULL, NULL, NULL, flags);
  properties[PROP_PACKS] = g_param_spec_int ("packs", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_UNITS] = g_param_spec_int ("units", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_OPENED] = g_param_spec_int ("opened", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_SEARCH_TEXT] = g_param_spec_string ("search-text", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
qoima_stock_item_init (QoimaStockItem *self)
{
}

QoimaStockItem *
qoima_stock_item_new (QoimaProduct  *product,
                      QoimaLocation *location,
                      const char    *batch,
                      const char    *expiry,
                      int            packs,
                      int            units,
                      int            opened)
{
  g_return_val_if_fail (QOIMA_IS_PRODUCT (product), NULL);
  g_return_val_if_fail (QOIMA_IS_LOCATION (location), NULL);

  return g_object_new (QOIMA_TYPE_STOCK_ITEM,
                       "product", product,
                       "location", location,
                       "batch", batch,
                       "expiry", expiry,
                       "packs", packs,
                       "units", units,
                       "opened", opened,
                       NULL);
}

QoimaProduct *
qoima_stock_item_get_product (QoimaStockItem *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_ITEM (self), NULL);

  return self->product;
}

QoimaLocation *
qoima_stock_item_get_location (QoimaStockItem *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_ITEM (self), NULL);

  return self->location;
}

const char *
qoima_stock_item_get_batch (QoimaStockItem *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_ITEM (self), NULL);

  return self->batch;
}

const char *
qoima_stock_item_get_expiry (QoimaStockItem *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_ITEM (self), NULL);

  return self->expiry;
}

int
qoima_stock_item_get_packs (QoimaStockItem *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_ITEM (self), 0);

  return self->packs;
}

int
qoima_stock_item_get_units (QoimaStockItem *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_ITEM (self), 0);

  return self->units;
}

int
qoima_stock_item_get_opened (QoimaStockItem *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_ITEM (self), 0);

  return self->opened;
}

const char *
qoima_stock_item_get_search_text (QoimaStockItem *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_ITEM (self), NULL);

  return self->search_text;
}

int
qoima_stock_item_days_to_expiry (QoimaStockItem *self,
                                 const GDate    *today)
{
  GDate expiry;
  int year, month, day;

  g_return_val_if_fail (QOIMA_IS_STOCK_ITEM (self), G_MAXINT);
  g_return_val_if_fail (today != NULL && g_date_valid (today), G_MAXINT);

  if (self->expiry == NULL || sscanf (self->expiry, "%4d-%2d-%2d", &year, &month, &day) != 3 ||
      !g_date_valid_dmy (day, month, year))
    return G_MAXINT;

  g_date_clear (&expiry, 1);
  g_date_set_dmy (&expiry, day, month, year);

  return g_date_days_between (today, &expiry);
}
