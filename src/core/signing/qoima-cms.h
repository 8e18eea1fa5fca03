/* qoima-cms.h: checking a CMS signature, as ИС МПТ (and our stand) does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "qoima-certificate.h"

G_BEGIN_DECLS

/**
 * qoima_cms_verify:
 * @cms: DER CMS SignedData
 * @detached_content: (nullable): the signed bytes for a detached signature, NULL for attached
 * @trusted_ca_pem: the trusted CA certificates, PEM
 * @content: (out) (optional) (transfer full): for an attached signature, the signed content
 * @signer: (out) (optional) (transfer full): the signer's certificate
 * @error: QOIMA_SIGNER_ERROR_FAILED with the reason
 *
 * Verifies the signature and the signer's chain against @trusted_ca_pem (GnuTLS). Does not
 * check the purpose or the validity period: use qoima_certificate_check() on @signer.
 */
gboolean qoima_cms_verify (GBytes            *cms,
                           GBytes            *detached_content,
                           GBytes            *trusted_ca_pem,
                           GBytes           **content,
                           QoimaCertificate **signer,
                           GError           **error);

G_END_DECLS
