/* qoima-cms-private.h: GnuTLS helpers shared by the signing code (not installed, not a contract)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>

#include "qoima-certificate.h"

G_BEGIN_DECLS

/* GnuTLS handles are pointer typedefs, so they get g_auto() with NULL as "nothing to free". */
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_privkey_t, gnutls_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pkcs12_t, gnutls_pkcs12_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pkcs7_t, gnutls_pkcs7_deinit, NULL)

static inline void
qoima_gnutls_trust_list_free (gnutls_x509_trust_list_t list)
{
  /* 1: the list owns the CA certificates it was given. */
  gnutls_x509_trust_list_deinit (list, 1);
}
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_trust_list_t, qoima_gnutls_trust_list_free, NULL)

static inline void
qoima_gnutls_datum_clear (gnutls_datum_t *datum)
{
  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, qoima_gnutls_datum_clear)

/* Copies a datum GnuTLS allocated into GBytes (GLib's allocator). */
static inline GBytes *
qoima_gnutls_datum_to_bytes (const gnutls_datum_t *datum)
{
  return g_bytes_new (datum->data, datum->size);
}

/*
 * qoima_cms_get_signer_certificate:
 * @pkcs7: an imported SignedData
 * @index: which signer
 *
 * Finds the certificate of signer @index among those the CMS carries (by issuer and
 * serial number). Does not verify anything.
 */
QoimaCertificate *qoima_cms_get_signer_certificate (gnutls_pkcs7_t   pkcs7,
                                                    unsigned         index,
                                                    GError         **error);

/* Strips PEM armour and whitespace from a base64 CMS and decodes it; NULL if it is not base64. */
GBytes           *qoima_cms_decode_base64          (const char      *text,
                                                    GError         **error);

G_END_DECLS
