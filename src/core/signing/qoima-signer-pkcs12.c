/* qoima-signer-pkcs12.c: a key in a password-protected PKCS#12 file, through GnuTLS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-signer-pkcs12"

#include "config.h"

#include "qoima-signer-pkcs12.h"

#include "qoima-cms-private.h"
#include "qoima-error.h"

#include <glib/gi18n.h>
#include <string.h>

struct _QoimaSignerPkcs12
{
  GObject parent_instance;

  /* Owned; set once by the loading thread before the object is handed out. */
  gnutls_privkey_t key;
  gnutls_x509_crt_t crt;
  QoimaCertificate *certificate;

  /* GnuTLS keys are not documented as safe for concurrent use: one signature at a time. */
  GMutex lock;
};

static void qoima_signer_pkcs12_signer_iface_init (QoimaSignerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (QoimaSignerPkcs12, qoima_signer_pkcs12, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (QOIMA_TYPE_SIGNER,
                                                      qoima_signer_pkcs12_signer_iface_init))

typedef struct
{
  GFile *file;
  char *password; /* zeroed before it is freed */
} LoadData;

typedef struct
{
  GBytes *data;
  QoimaSignMode mode;
  QoimaKeyPurpose purpose;
} SignData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->file);
  if (data->password != NULL)
    {
      explicit_bzero (data->password, strlen (data->password));
      g_clear_pointer (&data->password, g_free);
    }
  g_free (data);
}

static void
sign_data_free (SignData *data)
{
  g_clear_pointer (&data->data, g_bytes_unref);
  g_free (data);
}

static void
set_no_key_error (GError **error)
{
  /* Seed rule R003-7: the wrong file was chosen. */
  g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_NO_KEY,
                       _("The chosen storage holds no signing keys."));
}

/* Opens the PKCS#12 file: runs in a worker thread, since the MAC check and the decryption
 * run PBKDF2 with many iterations. */
static QoimaSignerPkcs12 *
load (GFile         *file,
      const char    *password,
      GCancellable  *cancellable,
      GError       **error)
{
  g_autoptr(QoimaSignerPkcs12) self = NULL;
  g_autoptr(GBytes) der = NULL;
  g_auto(gnutls_pkcs12_t) p12 = NULL;
  g_auto(gnutls_x509_privkey_t) x509_key = NULL;
  g_auto(gnutls_privkey_t) key = NULL;
  gnutls_x509_crt_t *chain = NULL;
  unsigned chain_size = 0;
  gnutls_datum_t datum;
  int ret;

  der = g_file_load_bytes (file, cancellable, NULL, error);
  if (der == NULL)
    return NULL;

  datum.data = (unsigned char *) g_bytes_get_data (der, NULL);
  datum.size = g_bytes_get_size (der);

  /* Whatever is not a PKCS#12 file holds no keys: that is what the user needs to hear. */
  if (gnutls_pkcs12_init (&p12) < 0 ||
      gnutls_pkcs12_import (p12, &datum, GNUTLS_X509_FMT_DER, 0) < 0)
    {
      set_no_key_error (error);
      return NULL;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  ret = gnutls_pkcs12_verify_mac (p12, password);
  if (ret < 0)
    {
      g_debug ("PKCS#12 MAC check failed: %s", gnutls_strerror (ret));
      /* Seed rule R003-7: «Неверный пароль» with the seed's advice. */
      g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_PASSWORD,
                           _("Wrong password. Check the keyboard layout, that Caps Lock is off and Num Lock is on."));
      return NULL;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  ret = gnutls_pkcs12_simple_parse (p12, password, &x509_key, &chain, &chain_size,
                                    NULL, NULL, NULL, 0);
  if (ret < 0 || x509_key == NULL || chain_size == 0)
    {
      g_debug ("PKCS#12 parse: %s", ret < 0 ? gnutls_strerror (ret) : "no key or certificate");
      for (unsigned i = 0; i < chain_size; i++)
        gnutls_x509_crt_deinit (chain[i]);
      gnutls_free (chain);
      set_no_key_error (error);
      return NULL;
    }

  self = g_object_new (QOIMA_TYPE_SIGNER_PKCS12, NULL);

  /* chain[0] is the certificate of the key; the rest (the CA) is not needed to sign. */
  self->crt = chain[0];
  for (unsigned i = 1; i < chain_size; i++)
    gnutls_x509_crt_deinit (chain[i]);
  gnutls_free (chain);

  if ((ret = gnutls_privkey_init (&key)) < 0 ||
      (ret = gnutls_privkey_import_x509 (key, x509_key, GNUTLS_PRIVKEY_IMPORT_COPY)) < 0)
    {
      g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                   _("The key cannot be used: %s"), gnutls_strerror (ret));
      return NULL;
    }
  self->key = g_steal_pointer (&key);

  {
    g_auto(gnutls_datum_t) crt_der = { NULL, 0 };
    g_autoptr(GBytes) crt_bytes = NULL;

    if ((ret = gnutls_x509_crt_export2 (self->crt, GNUTLS_X509_FMT_DER, &crt_der)) < 0)
      {
        g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                     _("The certificate cannot be read: %s"), gnutls_strerror (ret));
        return NULL;
      }
    crt_bytes = qoima_gnutls_datum_to_bytes (&crt_der);
    self->certificate = qoima_certificate_new_from_der (crt_bytes, error);
    if (self->certificate == NULL)
      return NULL;
  }

  return g_steal_pointer (&self);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(GError) local_error = NULL;
  QoimaSignerPkcs12 *self;

  self = load (data->file, data->password, cancellable, &local_error);

  /* Forget the password as soon as it has served, not when the task is finalized. */
  explicit_bzero (data->password, strlen (data->password));

  if (self == NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, self, g_object_unref);
}

static GBytes *
sign (QoimaSignerPkcs12  *self,
      GBytes             *data,
      QoimaSignMode       mode,
      QoimaKeyPurpose     purpose,
      GError            **error)
{
  g_auto(gnutls_pkcs7_t) pkcs7 = NULL;
  g_auto(gnutls_datum_t) out = { NULL, 0 };
  g_autoptr(GMutexLocker) locker = NULL;
  gnutls_datum_t datum;
  unsigned flags = GNUTLS_PKCS7_INCLUDE_TIME | GNUTLS_PKCS7_INCLUDE_CERT;
  int ret;

  if (!qoima_certificate_check (self->certificate, purpose, NULL, error))
    return NULL;

  if (mode == QOIMA_SIGN_ATTACHED)
    flags |= GNUTLS_PKCS7_EMBED_DATA;

  datum.data = (unsigned char *) g_bytes_get_data (data, NULL);
  datum.size = g_bytes_get_size (data);

  locker = g_mutex_locker_new (&self->lock);
  if ((ret = gnutls_pkcs7_init (&pkcs7)) < 0 ||
      (ret = gnutls_pkcs7_sign (pkcs7, self->crt, self->key, &datum, NULL, NULL,
                                GNUTLS_DIG_SHA256, flags)) < 0 ||
      (ret = gnutls_pkcs7_export2 (pkcs7, GNUTLS_X509_FMT_DER, &out)) < 0)
    {
      g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                   _("Signing failed: %s"), gnutls_strerror (ret));
      return NULL;
    }

  return qoima_gnutls_datum_to_bytes (&out);
}

static void
sign_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  QoimaSignerPkcs12 *self = source_object;
  SignData *data = task_data;
  g_autoptr(GError) local_error = NULL;
  GBytes *cms;

  if (g_task_return_error_if_cancelled (task))
    return;

  cms = sign (self, data->data, data->mode, data->purpose, &local_error);
  if (cms == NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, cms, (GDestroyNotify) g_bytes_unref);
}

static QoimaCertificate *
qoima_signer_pkcs12_get_certificate (QoimaSigner *signer)
{
  return QOIMA_SIGNER_PKCS12 (signer)->certificate;
}

static void
qoima_signer_pkcs12_sign_async (QoimaSigner         *signer,
                                GBytes              *data,
                                QoimaSignMode        mode,
                                QoimaKeyPurpose      purpose,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SignData *sign_data;

  task = g_task_new (signer, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_signer_pkcs12_sign_async);

  sign_data = g_new0 (SignData, 1);
  sign_data->data = g_bytes_ref (data);
  sign_data->mode = mode;
  sign_data->purpose = purpose;
  g_task_set_task_data (task, sign_data, (GDestroyNotify) sign_data_free);

  g_task_run_in_thread (task, sign_thread);
}

static GBytes *
qoima_signer_pkcs12_sign_finish (QoimaSigner   *signer,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, signer), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, qoima_signer_pkcs12_sign_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
qoima_signer_pkcs12_signer_iface_init (QoimaSignerInterface *iface)
{
  iface->get_certificate = qoima_signer_pkcs12_get_certificate;
  iface->sign_async = qoima_signer_pkcs12_sign_async;
  iface->sign_finish = qoima_signer_pkcs12_sign_finish;
}

static void
qoima_signer_pkcs12_finalize (GObject *object)
{
  QoimaSignerPkcs12 *self = QOIMA_SIGNER_PKCS12 (object);

  g_clear_pointer (&self->key, gnutls_privkey_deinit);
  g_clear_pointer (&self->crt, gnutls_x509_crt_deinit);
  g_clear_object (&self->certificate);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (qoima_signer_pkcs12_parent_class)->finalize (object);
}

static void
qoima_signer_pkcs12_class_init (QoimaSignerPkcs12Class *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = qoima_signer_pkcs12_finalize;
}

static void
qoima_signer_pkcs12_init (QoimaSignerPkcs12 *self)
{
  g_mutex_init (&self->lock);
}

void
qoima_signer_pkcs12_load_async (GFile               *file,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (password != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_signer_pkcs12_load_async);

  data = g_new0 (LoadData, 1);
  data->file = g_object_ref (file);
  data->password = g_strdup (password);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);

  g_task_run_in_thread (task, load_thread);
}

/**
 * qoima_signer_pkcs12_load_finish:
 *
 * Returns: (transfer full): the signer, or NULL with @error set
 */
QoimaSignerPkcs12 *
qoima_signer_pkcs12_load_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, qoima_signer_pkcs12_load_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
