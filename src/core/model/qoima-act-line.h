/* qoima-act-line.h: one product of an incoming act, with how many packs were scanned
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define QOIMA_TYPE_ACT_LINE (qoima_act_line_get_type ())

G_DECLARE_FINAL_TYPE (QoimaActLine, qoima_act_line, QOIMA, ACT_LINE, GObject)

/* Read-only properties: gtin, name (the catalog's Russian name, or NULL when the product
 * has no card), expected and scanned (packs). */
QoimaActLine *qoima_act_line_new          (const char   *gtin,
                                          const char   *name,
                                          int           expected,
                                          int           scanned);
const char   *qoima_act_line_get_gtin     (QoimaActLine *self);
const char   *qoima_act_line_get_name     (QoimaActLine *self);
int           qoima_act_line_get_expected (QoimaActLine *self);
int           qoima_act_line_get_scanned  (QoimaActLine *self);

G_END_DECLS
