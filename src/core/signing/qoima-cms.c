/* qoima-cms.c: checking a CMS signature, as ИС МПТ (and our stand) does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-cms"

#include "config.h"

#include "qoima-cms.h"

#include "qoima-cms-private.h"
#include "qoima-error.h"

#include <glib/gi18n.h>
#include <string.h>

static gboolean
datum_equal (const gnutls_datum_t *a,
             const void           *data,
             size_t                size)
{
  return a->size == size && memcmp (a->data, data, size) == 0;
}

/* Whether @crt is the one SignerInfo @info names: by issuer and serial number, or by
 * subject key identifier when the signer used that form. */
static gboolean
is_signer (gnutls_x509_crt_t                 crt,
           const gnutls_pkcs7_signature_info_st *info)
{
  if (info->issuer_keyid.size > 0)
    {
      unsigned char id[128];
      size_t id_size = sizeof id;
      unsigned critical;

      return gnutls_x509_crt_get_subject_key_id (crt, id, &id_size, &critical) >= 0 &&
             datum_equal (&info->issuer_keyid, id, id_size);
    }
  else
    {
      g_auto(gnutls_datum_t) issuer = { NULL, 0 };
      unsigned char serial[128];
      size_t serial_size = sizeof serial;

      return gnutls_x509_crt_get_raw_issuer_dn (crt, &issuer) >= 0 &&
             datum_equal (&info->issuer_dn, issuer.data, issuer.size) &&
             gnutls_x509_crt_get_serial (crt, serial, &serial_size) >= 0 &&
             datum_equal (&info->signer_serial, serial, serial_size);
    }
}

QoimaCertificate *
qoima_cms_get_signer_certificate (gnutls_pkcs7_t   pkcs7,
                                  unsigned         index,
                                  GError         **error)
{
  gnutls_pkcs7_signature_info_st info;
  int count;
  int ret;

  if ((ret = gnutls_pkcs7_get_signature_info (pkcs7, index, &info)) < 0)
    {
      g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                   _("The signature cannot be read: %s"), gnutls_strerror (ret));
      return NULL;
    }

  count = gnutls_pkcs7_get_crt_count (pkcs7);
  for (int i = 0; i < count; i++)
    {
      g_auto(gnutls_datum_t) raw = { NULL, 0 };
      g_auto(gnutls_x509_crt_t) crt = NULL;

      if (gnutls_pkcs7_get_crt_raw2 (pkcs7, i, &raw) < 0 ||
          gnutls_x509_crt_init (&crt) < 0 ||
          gnutls_x509_crt_import (crt, &raw, GNUTLS_X509_FMT_DER) < 0)
        continue;

      if (is_signer (crt, &info))
        {
          g_autoptr(GBytes) der = qoima_gnutls_datum_to_bytes (&raw);

          gnutls_pkcs7_signature_info_deinit (&info);
          return qoima_certificate_new_from_der (der, error);
        }
    }

  gnutls_pkcs7_signature_info_deinit (&info);
  g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                       _("The signature does not carry the signer's certificate."));
  return NULL;
}

GBytes *
qoima_cms_decode_base64 (const char  *text,
                         GError     **error)
{
  g_autoptr(GString) clean = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  guchar *decoded;
  gsize size = 0;

  /* NCALayer may answer with PEM armour ("-----BEGIN CMS-----") and line breaks. */
  lines = g_strsplit (text, "\n", -1);
  for (unsigned i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (g_strstrip (lines[i]), "-----"))
        continue;
      for (const char *p = lines[i]; *p != '\0'; p++)
        {
          if (g_ascii_isspace (*p))
            continue;
          if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
            {
              g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                                   _("The signature is not valid base64."));
              return NULL;
            }
          g_string_append_c (clean, *p);
        }
    }

  if (clean->len == 0 || clean->len % 4 != 0)
    {
      g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                           _("The signature is not valid base64."));
      return NULL;
    }

  decoded = g_base64_decode (clean->str, &size);
  return g_bytes_new_take (decoded, size);
}

/**
 * qoima_cms_verify:
 *
 * Exactly one signer is accepted: ИС МПТ documents carry one signature, and a second,
 * unchecked one must not ride along. GnuTLS itself also refuses a signer certificate that
 * was not valid when it signed (expired, or not yet valid), so such signatures fail here;
 * the purpose is left to qoima_certificate_check().
 */
gboolean
qoima_cms_verify (GBytes            *cms,
                  GBytes            *detached_content,
                  GBytes            *trusted_ca_pem,
                  GBytes           **content,
                  QoimaCertificate **signer,
                  GError           **error)
{
  g_auto(gnutls_pkcs7_t) pkcs7 = NULL;
  g_auto(gnutls_x509_trust_list_t) trust = NULL;
  g_autoptr(QoimaCertificate) certificate = NULL;
  gnutls_datum_t cms_datum;
  gnutls_datum_t ca_datum;
  gnutls_datum_t data_datum;
  int ret;

  g_return_val_if_fail (cms != NULL, FALSE);
  g_return_val_if_fail (trusted_ca_pem != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cms_datum.data = (unsigned char *) g_bytes_get_data (cms, NULL);
  cms_datum.size = g_bytes_get_size (cms);
  if (cms_datum.size == 0 ||
      (ret = gnutls_pkcs7_init (&pkcs7)) < 0 ||
      (ret = gnutls_pkcs7_import (pkcs7, &cms_datum, GNUTLS_X509_FMT_DER)) < 0)
    {
      g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                           _("The signature is not a CMS SignedData structure."));
      return FALSE;
    }

  if (gnutls_pkcs7_get_signature_count (pkcs7) != 1)
    {
      g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                           _("The signature must have exactly one signer."));
      return FALSE;
    }

  ca_datum.data = (unsigned char *) g_bytes_get_data (trusted_ca_pem, NULL);
  ca_datum.size = g_bytes_get_size (trusted_ca_pem);
  if ((ret = gnutls_x509_trust_list_init (&trust, 0)) < 0 ||
      (ret = gnutls_x509_trust_list_add_trust_mem (trust, &ca_datum, NULL,
                                                   GNUTLS_X509_FMT_PEM, 0, 0)) <= 0)
    {
      g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                           _("The trusted certificate authorities cannot be read."));
      return FALSE;
    }

  if (detached_content != NULL)
    {
      data_datum.data = (unsigned char *) g_bytes_get_data (detached_content, NULL);
      data_datum.size = g_bytes_get_size (detached_content);
    }

  ret = gnutls_pkcs7_verify (pkcs7, trust, NULL, 0, 0,
                             detached_content != NULL ? &data_datum : NULL, 0);
  if (ret < 0)
    {
      g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                   _("The signature is not valid: %s"), gnutls_strerror (ret));
      return FALSE;
    }

  certificate = qoima_cms_get_signer_certificate (pkcs7, 0, error);
  if (certificate == NULL)
    return FALSE;

  if (content != NULL)
    {
      if (detached_content != NULL)
        *content = g_bytes_ref (detached_content);
      else
        {
          g_auto(gnutls_datum_t) embedded = { NULL, 0 };

          if ((ret = gnutls_pkcs7_get_embedded_data (pkcs7, 0, &embedded)) < 0)
            {
              g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                           _("The signed content cannot be read: %s"), gnutls_strerror (ret));
              return FALSE;
            }
          *content = qoima_gnutls_datum_to_bytes (&embedded);
        }
    }

  if (signer != NULL)
    *signer = g_steal_pointer (&certificate);

  return TRUE;
}
