/* qoima-stock-item.h: one line of the Stock page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "qoima-location.h"
#include "qoima-product.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_STOCK_ITEM (qoima_stock_item_get_type ())

G_DECLARE_FINAL_TYPE (QoimaStockItem, qoima_stock_item, QOIMA, STOCK_ITEM, GObject)

/* The packs in stock (in_stock or opened) of one product, batch and expiry at one
 * location. Construct-only properties: product, location, batch, expiry, packs (int),
 * units (int: units left in those packs; 0 when the product's units per pack are unknown),
 * opened (int: how many of the packs are opened), search-text (string: lower-cased
 * product names, INN, GTIN, batch and location for filtering). */
/* The search text is built from the other fields. */
QoimaStockItem *qoima_stock_item_new            (QoimaProduct  *product,
                                                 QoimaLocation *location,
                                                 const char    *batch,
                                                 const char    *expiry,
                                                 int            packs,
                                                 int            units,
                                                 int            opened);
QoimaProduct  *qoima_stock_item_get_product     (QoimaStockItem *self);
QoimaLocation *qoima_stock_item_get_location    (QoimaStockItem *self);
const char    *qoima_stock_item_get_batch       (QoimaStockItem *self);
const char    *qoima_stock_item_get_expiry      (QoimaStockItem *self);
int            qoima_stock_item_get_packs       (QoimaStockItem *self);
int            qoima_stock_item_get_units       (QoimaStockItem *self);
int            qoima_stock_item_get_opened      (QoimaStockItem *self);
const char    *qoima_stock_item_get_search_text (QoimaStockItem *self);
/* Days from @today (a GDate) to expiry; G_MAXINT when there is no expiry. */
int            qoima_stock_item_days_to_expiry  (QoimaStockItem *self,
                                                 const GDate    *today);

G_END_DECLS
