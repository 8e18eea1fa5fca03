/* qoima-context.h: the services one window works with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-store.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_CONTEXT (qoima_context_get_type ())

G_DECLARE_FINAL_TYPE (QoimaContext, qoima_context, QOIMA, CONTEXT, GObject)

/**
 * qoima_context_new:
 * @store: the open warehouse
 * @settings: the `kz.qoima.Qoima` settings
 *
 * Creates a service container. Widgets receive it as a construct property instead of
 * reaching for a global, so that each of them can be tested alone.
 *
 * Returns: (transfer full): a new #QoimaContext
 */
QoimaContext *qoima_context_new          (QoimaStore   *store,
                                          GSettings    *settings);

QoimaStore   *qoima_context_get_store    (QoimaContext *self);
GSettings    *qoima_context_get_settings (QoimaContext *self);

G_END_DECLS
