/* qoima-signer.c: signing with a qualified key (ЭЦП), whatever holds it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-signer"

#include "config.h"

#include "qoima-signer.h"

G_DEFINE_INTERFACE (QoimaSigner, qoima_signer, G_TYPE_OBJECT)

static void
qoima_signer_default_init (QoimaSignerInterface *iface)
{
}

/**
 * qoima_signer_get_certificate:
 *
 * Returns: (transfer none) (nullable): the key's certificate, or NULL when the backend
 *   learns it only when signing (NCALayer, before the first signature)
 */
QoimaCertificate *
qoima_signer_get_certificate (QoimaSigner *self)
{
  QoimaSignerInterface *iface;

  g_return_val_if_fail (QOIMA_IS_SIGNER (self), NULL);

  iface = QOIMA_SIGNER_GET_IFACE (self);
  if (iface->get_certificate == NULL)
    return NULL;

  return iface->get_certificate (self);
}

void
qoima_signer_sign_async (QoimaSigner         *self,
                         GBytes              *data,
                         QoimaSignMode        mode,
                         QoimaKeyPurpose      purpose,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  QoimaSignerInterface *iface;

  g_return_if_fail (QOIMA_IS_SIGNER (self));
  g_return_if_fail (data != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = QOIMA_SIGNER_GET_IFACE (self);
  g_return_if_fail (iface->sign_async != NULL);

  iface->sign_async (self, data, mode, purpose, cancellable, callback, user_data);
}

/**
 * qoima_signer_sign_finish:
 *
 * Returns: (transfer full): the DER CMS SignedData, or NULL with @error set
 */
GBytes *
qoima_signer_sign_finish (QoimaSigner   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  QoimaSignerInterface *iface;

  g_return_val_if_fail (QOIMA_IS_SIGNER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = QOIMA_SIGNER_GET_IFACE (self);
  g_return_val_if_fail (iface->sign_finish != NULL, NULL);

  return iface->sign_finish (self, result, error);
}
