/* qoima-certificate.h: what a user needs to know about a key's certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  QOIMA_KEY_PURPOSE_AUTH,    /* EKU clientAuth 1.3.6.1.5.5.7.3.2: logging in */
  QOIMA_KEY_PURPOSE_SIGNING, /* EKU emailProtection 1.3.6.1.5.5.7.3.4: signing documents */
} QoimaKeyPurpose;

#define QOIMA_TYPE_CERTIFICATE (qoima_certificate_get_type ())

G_DECLARE_FINAL_TYPE (QoimaCertificate, qoima_certificate, QOIMA, CERTIFICATE, GObject)

/**
 * qoima_certificate_new_from_der:
 * @der: an X.509 certificate
 *
 * Reads the Kazakh (НУЦ РК) subject: owner (CN), IIN ("IIN…" in SERIALNUMBER), BIN ("BIN…" in
 * OU), organization (O), issuer, validity and purposes (EKU).
 */
QoimaCertificate *qoima_certificate_new_from_der (GBytes  *der,
                                                  GError **error);

const char *qoima_certificate_get_owner        (QoimaCertificate *self);
const char *qoima_certificate_get_surname      (QoimaCertificate *self);
const char *qoima_certificate_get_given_name   (QoimaCertificate *self);
const char *qoima_certificate_get_iin          (QoimaCertificate *self); /* 12 digits or NULL */
const char *qoima_certificate_get_bin          (QoimaCertificate *self); /* 12 digits or NULL */
const char *qoima_certificate_get_organization (QoimaCertificate *self);
const char *qoima_certificate_get_issuer       (QoimaCertificate *self);
const char *qoima_certificate_get_serial       (QoimaCertificate *self); /* hex */
GDateTime  *qoima_certificate_get_not_before   (QoimaCertificate *self);
GDateTime  *qoima_certificate_get_not_after    (QoimaCertificate *self);
gboolean    qoima_certificate_has_purpose      (QoimaCertificate *self,
                                                QoimaKeyPurpose   purpose);
GBytes     *qoima_certificate_get_der          (QoimaCertificate *self);
/* Checks validity at @now and the purpose; fails with QOIMA_SIGNER_ERROR_EXPIRED or
 * _WRONG_PURPOSE and a message for the user. */
gboolean    qoima_certificate_check            (QoimaCertificate *self,
                                                QoimaKeyPurpose   purpose,
                                                GDateTime        *now,
                                                GError          **error);

G_END_DECLS
