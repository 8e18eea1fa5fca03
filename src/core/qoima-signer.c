/* qoima-signer.c: the QoimaSigner interface (temporary until the signer branch lands) */
#include "config.h"

#include "qoima-signer.h"

G_DEFINE_INTERFACE (QoimaSigner, qoima_signer, G_TYPE_OBJECT)

static void
qoima_signer_default_init (QoimaSignerInterface *iface)
{
}

QoimaCertificate *
qoima_signer_get_certificate (QoimaSigner *self)
{
  return QOIMA_SIGNER_GET_IFACE (self)->get_certificate (self);
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
  QOIMA_SIGNER_GET_IFACE (self)->sign_async (self, data, mode, purpose, cancellable, callback, user_data);
}

GBytes *
qoima_signer_sign_finish (QoimaSigner   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return QOIMA_SIGNER_GET_IFACE (self)->sign_finish (self, result, error);
}
