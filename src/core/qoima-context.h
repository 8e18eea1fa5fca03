/* qoima-context.h: the services one window works with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-ismpt-client.h"
#include "qoima-signer.h"
#include "qoima-store.h"
#include "qoima-sync.h"
#include "qoima-user.h"

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

/**
 * qoima_context_set_ismpt:
 * @client: the ИС МПТ client
 * @sync: the sync over @client and the context's store
 *
 * Connects the services to ИС МПТ. Set once, when the stand's address is known (the
 * embedded stand answers only after it started); notifies "sync".
 */
void              qoima_context_set_ismpt       (QoimaContext     *self,
                                                 QoimaIsmptClient *client,
                                                 QoimaSync        *sync);
/* NULL until qoima_context_set_ismpt(). */
QoimaIsmptClient *qoima_context_get_client      (QoimaContext     *self);
QoimaSync        *qoima_context_get_sync        (QoimaContext     *self);

/* The AUTH key that logs in, kept in memory for this session only (its password is never
 * stored); also given to the client. NULL until chosen. */
void              qoima_context_set_auth_signer (QoimaContext     *self,
                                                 QoimaSigner      *signer);
QoimaSigner      *qoima_context_get_auth_signer (QoimaContext     *self);

/* The chief's signing key for answers, kept in memory for this session only. It is also the
 * sync's automatic signer: owed medical-use withdrawals are signed at each sync when an
 * administrator allowed it (QOIMA_SETTING_AUTO_WITHDRAW). */
void              qoima_context_set_signer      (QoimaContext     *self,
                                                 QoimaSigner      *signer);
QoimaSigner      *qoima_context_get_signer      (QoimaContext     *self);

/* The user signed in at this window, or NULL when nobody is (the sign-in screen shows).
 * Switching users on a shared PC sets another one; notifies "user". The core checks
 * every action against the user it is given; this is only who the window acts as. */
void              qoima_context_set_user        (QoimaContext     *self,
                                                 QoimaUser        *user);
QoimaUser        *qoima_context_get_user        (QoimaContext     *self);

G_END_DECLS
