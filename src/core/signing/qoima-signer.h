/* qoima-signer.h: signing with a qualified key (ЭЦП), whatever holds it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-certificate.h"
#include "qoima-error.h"

G_BEGIN_DECLS

typedef enum {
  QOIMA_SIGN_ATTACHED, /* CMS with the content inside: the login challenge */
  QOIMA_SIGN_DETACHED, /* CMS without the content: documents, signed over their exact bytes */
} QoimaSignMode;

#define QOIMA_TYPE_SIGNER (qoima_signer_get_type ())

G_DECLARE_INTERFACE (QoimaSigner, qoima_signer, QOIMA, SIGNER, GObject)

struct _QoimaSignerInterface
{
  GTypeInterface parent_iface;

  QoimaCertificate *(*get_certificate) (QoimaSigner *self);
  void              (*sign_async)      (QoimaSigner         *self,
                                        GBytes              *data,
                                        QoimaSignMode        mode,
                                        QoimaKeyPurpose      purpose,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
  GBytes           *(*sign_finish)     (QoimaSigner   *self,
                                        GAsyncResult  *result,
                                        GError       **error);
};

/* The certificate of the key, or NULL when the backend learns it only when signing. */
QoimaCertificate *qoima_signer_get_certificate (QoimaSigner *self);

/**
 * qoima_signer_sign_async:
 * @data: the exact bytes to sign
 * @mode: attached (login) or detached (documents)
 * @purpose: what the signature is for; a key of the wrong purpose fails with
 *   QOIMA_SIGNER_ERROR_WRONG_PURPOSE, an expired one with QOIMA_SIGNER_ERROR_EXPIRED
 *
 * Signs off the main thread. The result is DER-encoded CMS SignedData (SHA-256, with the
 * signer's certificate and a signing-time attribute).
 */
void    qoima_signer_sign_async  (QoimaSigner         *self,
                                  GBytes              *data,
                                  QoimaSignMode        mode,
                                  QoimaKeyPurpose      purpose,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
GBytes *qoima_signer_sign_finish (QoimaSigner   *self,
                                  GAsyncResult  *result,
                                  GError       **error);

G_END_DECLS
