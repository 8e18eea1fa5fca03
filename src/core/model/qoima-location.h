/* qoima-location.h: the pharmacy warehouse or a ward
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "qoima-types.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_LOCATION (qoima_location_get_type ())

G_DECLARE_FINAL_TYPE (QoimaLocation, qoima_location, QOIMA, LOCATION, GObject)

QoimaLocation    *qoima_location_new         (gint64            id,
                                              QoimaLocationKind kind,
                                              const char       *name_ru,
                                              const char       *name_kk);

/* Construct-only properties: id (int64), kind (QoimaLocationKind), name-ru, name-kk,
 * archived (boolean; only the ward administration lists archived locations) */
gint64            qoima_location_get_id      (QoimaLocation *self);
QoimaLocationKind qoima_location_get_kind    (QoimaLocation *self);
const char       *qoima_location_get_name_ru (QoimaLocation *self);
const char       *qoima_location_get_name_kk (QoimaLocation *self);
/* The name in the user's language. */
const char       *qoima_location_get_name    (QoimaLocation *self);
/* An archived ward keeps its history but takes no packs or nurses. */
gboolean          qoima_location_get_archived (QoimaLocation *self);

G_END_DECLS
