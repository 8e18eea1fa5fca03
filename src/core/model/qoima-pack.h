/* qoima-pack.h: one consumer pack with its own marking code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "qoima-location.h"
#include "qoima-product.h"
#include "qoima-types.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_PACK (qoima_pack_get_type ())

G_DECLARE_FINAL_TYPE (QoimaPack, qoima_pack, QOIMA, PACK, GObject)

/* Construct-only properties: id (int64), ki, km, batch, expiry ("YYYY-MM-DD" or NULL),
 * status (QoimaPackStatus), units-left (int, -1 when the product's units per pack
 * are not known), product (QoimaProduct), location (QoimaLocation). */
QoimaPack       *qoima_pack_new            (gint64           id,
                                            const char      *ki,
                                            const char      *km,
                                            const char      *batch,
                                            const char      *expiry,
                                            QoimaPackStatus  status,
                                            int              units_left,
                                            QoimaProduct    *product,
                                            QoimaLocation   *location);
gint64           qoima_pack_get_id         (QoimaPack *self);
const char      *qoima_pack_get_ki         (QoimaPack *self);
const char      *qoima_pack_get_km         (QoimaPack *self);
const char      *qoima_pack_get_batch      (QoimaPack *self);
const char      *qoima_pack_get_expiry     (QoimaPack *self);
QoimaPackStatus  qoima_pack_get_status     (QoimaPack *self);
int              qoima_pack_get_units_left (QoimaPack *self);
QoimaProduct    *qoima_pack_get_product    (QoimaPack *self);
QoimaLocation   *qoima_pack_get_location   (QoimaPack *self);
/* The serial (AI 21), taken from the identification code. */
const char      *qoima_pack_get_serial     (QoimaPack *self);

G_END_DECLS
