/* qoima-signer-ncalayer.h: signing through NCALayer, the local signing service of НУЦ РК
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-signer.h"

G_BEGIN_DECLS

#define QOIMA_SIGNER_NCALAYER_DEFAULT_URL "wss://127.0.0.1:13579/"

#define QOIMA_TYPE_SIGNER_NCALAYER (qoima_signer_ncalayer_get_type ())

G_DECLARE_FINAL_TYPE (QoimaSignerNcalayer, qoima_signer_ncalayer, QOIMA, SIGNER_NCALAYER, GObject)

/**
 * qoima_signer_ncalayer_new:
 * @url: (nullable): NCALayer's WebSocket URL; NULL for %QOIMA_SIGNER_NCALAYER_DEFAULT_URL
 *
 * A signer that asks NCALayer (module `kz.gov.pki.knca.basics`, method `sign`, CMS format)
 * for each signature; NCALayer shows its own key and password dialog, so GOST keys and
 * hardware tokens work. The certificate is learned from the first signature.
 */
QoimaSignerNcalayer *qoima_signer_ncalayer_new                    (const char          *url);

const char          *qoima_signer_ncalayer_get_url                (QoimaSignerNcalayer *self);

/* The database that checks NCALayer's TLS certificate (NULL: the system's). */
GTlsDatabase        *qoima_signer_ncalayer_get_tls_database       (QoimaSignerNcalayer *self);
void                 qoima_signer_ncalayer_set_tls_database       (QoimaSignerNcalayer *self,
                                                                   GTlsDatabase        *database);

/* When set, NCALayer's TLS certificate must be exactly this one, and nothing else is
 * accepted: NCALayer serves its own self-made certificate for 127.0.0.1. */
GTlsCertificate     *qoima_signer_ncalayer_get_pinned_certificate (QoimaSignerNcalayer *self);
void                 qoima_signer_ncalayer_set_pinned_certificate (QoimaSignerNcalayer *self,
                                                                   GTlsCertificate     *certificate);

/* How often to send `--heartbeat--` while NCALayer's dialog is open, in milliseconds; 0 sends
 * none. The default is 30 seconds. */
unsigned             qoima_signer_ncalayer_get_heartbeat_interval (QoimaSignerNcalayer *self);
void                 qoima_signer_ncalayer_set_heartbeat_interval (QoimaSignerNcalayer *self,
                                                                   unsigned             milliseconds);

/* NCALayer's version from its greeting, or NULL before the first connection. */
const char          *qoima_signer_ncalayer_get_version            (QoimaSignerNcalayer *self);

G_END_DECLS
