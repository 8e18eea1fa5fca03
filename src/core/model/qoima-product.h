/* qoima-product.h: a medicine as the catalog knows it, per GTIN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define QOIMA_TYPE_PRODUCT (qoima_product_get_type ())

G_DECLARE_FINAL_TYPE (QoimaProduct, qoima_product, QOIMA, PRODUCT, GObject)

/* @units_per_pack: 0 when not known yet. */
QoimaProduct *qoima_product_new (const char *gtin,
                                 const char *name_ru,
                                 const char *name_kk,
                                 const char *inn,
                                 const char *form,
                                 const char *dosage,
                                 const char *manufacturer,
                                 int         units_per_pack);

/* All properties are construct-only: a record is a snapshot of a row.
 *   gtin, name-ru, name-kk, inn, form, dosage, manufacturer (strings),
 *   units-per-pack (int, 0 = not known yet) */
const char *qoima_product_get_gtin           (QoimaProduct *self);
const char *qoima_product_get_name_ru        (QoimaProduct *self);
const char *qoima_product_get_name_kk        (QoimaProduct *self);
/* The name in the user's language: Kazakh under a kk locale, else Russian. */
const char *qoima_product_get_name           (QoimaProduct *self);
const char *qoima_product_get_inn            (QoimaProduct *self);
const char *qoima_product_get_form           (QoimaProduct *self);
const char *qoima_product_get_dosage         (QoimaProduct *self);
const char *qoima_product_get_manufacturer   (QoimaProduct *self);
int         qoima_product_get_units_per_pack (QoimaProduct *self);

G_END_DECLS
