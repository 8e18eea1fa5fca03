/* qoima-certificate.c: what a user needs to know about a key's certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-certificate"

#include "config.h"

#include "qoima-certificate.h"

#include "qoima-cms-private.h"
#include "qoima-date.h"
#include "qoima-error.h"

#include <glib/gi18n.h>
#include <string.h>

#define OID_CN "2.5.4.3"
#define OID_SURNAME "2.5.4.4"
#define OID_SERIALNUMBER "2.5.4.5"
#define OID_O "2.5.4.10"
#define OID_OU "2.5.4.11"
#define OID_GIVENNAME "2.5.4.42"
#define OID_EKU_CLIENT_AUTH "1.3.6.1.5.5.7.3.2"
#define OID_EKU_EMAIL_PROTECTION "1.3.6.1.5.5.7.3.4"

struct _QoimaCertificate
{
  GObject parent_instance;

  GBytes *der;
  char *owner;
  char *surname;
  char *given_name;
  char *iin;
  char *bin;
  char *organization;
  char *issuer;
  char *serial;
  GDateTime *not_before;
  GDateTime *not_after;
  gboolean auth;
  gboolean signing;
};

G_DEFINE_FINAL_TYPE (QoimaCertificate, qoima_certificate, G_TYPE_OBJECT)

/* Reads the first value of @oid in the subject (or issuer) DN as UTF-8, or NULL. The value
 * comes from the AVA itself, not from the RFC 4514 text form, which would escape the quotes
 * of names like ТОО "Медсервис Плюс". */
static char *
read_dn_oid (gnutls_x509_crt_t crt,
             gboolean          issuer,
             const char       *oid)
{
  gnutls_x509_dn_t dn;
  int ret;

  ret = issuer ? gnutls_x509_crt_get_issuer (crt, &dn) : gnutls_x509_crt_get_subject (crt, &dn);
  if (ret < 0)
    return NULL;

  for (int irdn = 0;; irdn++)
    {
      gnutls_x509_ava_st ava;

      if (gnutls_x509_dn_get_rdn_ava (dn, irdn, 0, &ava) < 0)
        break;

      for (int iava = 1;; iava++)
        {
          /* GnuTLS gives the dotted OID with its terminating NUL counted in the size. */
          if (ava.oid.size == strlen (oid) + 1 && memcmp (ava.oid.data, oid, ava.oid.size) == 0)
            {
              /* BMPString (tag 30): UTF-16BE, which older НУЦ certificates use. */
              if (ava.value_tag == 30)
                return g_convert ((const char *) ava.value.data, ava.value.size,
                                  "UTF-8", "UTF-16BE", NULL, NULL, NULL);
              if (!g_utf8_validate ((const char *) ava.value.data, ava.value.size, NULL))
                return NULL;
              return g_strndup ((const char *) ava.value.data, ava.value.size);
            }
          if (gnutls_x509_dn_get_rdn_ava (dn, irdn, iava, &ava) < 0)
            break;
        }
    }

  return NULL;
}

/* Returns the 12 digits after @prefix ("IIN", "BIN"), or NULL when @value has another shape. */
static char *
extract_number (const char *value,
                const char *prefix)
{
  size_t prefix_len = strlen (prefix);

  if (value == NULL || g_ascii_strncasecmp (value, prefix, prefix_len) != 0)
    return NULL;
  value += prefix_len;
  if (strlen (value) != 12)
    return NULL;
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return NULL;

  return g_strdup (value);
}

/* Reads the certificate's extended key usage; a certificate without one is good for nothing
 * here, because НУЦ РК always states the purpose and a document must not be signed by chance
 * with a key meant for something else. */
static void
read_purposes (QoimaCertificate  *self,
               gnutls_x509_crt_t  crt)
{
  for (unsigned i = 0;; i++)
    {
      char oid[128];
      size_t size = sizeof oid;
      int ret = gnutls_x509_crt_get_key_purpose_oid (crt, i, oid, &size, NULL);

      if (ret < 0)
        break;
      if (strcmp (oid, OID_EKU_CLIENT_AUTH) == 0)
        self->auth = TRUE;
      else if (strcmp (oid, OID_EKU_EMAIL_PROTECTION) == 0)
        self->signing = TRUE;
    }
}

static void
qoima_certificate_finalize (GObject *object)
{
  QoimaCertificate *self = QOIMA_CERTIFICATE (object);

  g_clear_pointer (&self->der, g_bytes_unref);
  g_clear_pointer (&self->owner, g_free);
  g_clear_pointer (&self->surname, g_free);
  g_clear_pointer (&self->given_name, g_free);
  g_clear_pointer (&self->iin, g_free);
  g_clear_pointer (&self->bin, g_free);
  g_clear_pointer (&self->organization, g_free);
  g_clear_pointer (&self->issuer, g_free);
  g_clear_pointer (&self->serial, g_free);
  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);

  G_OBJECT_CLASS (qoima_certificate_parent_class)->finalize (object);
}

static void
qoima_certificate_class_init (QoimaCertificateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = qoima_certificate_finalize;
}

static void
qoima_certificate_init (QoimaCertificate *self)
{
}

QoimaCertificate *
qoima_certificate_new_from_der (GBytes  *der,
                                GError **error)
{
  g_autoptr(QoimaCertificate) self = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autofree char *serial_number = NULL;
  g_autofree char *unit = NULL;
  gnutls_datum_t datum;
  unsigned char serial[64];
  size_t serial_size = sizeof serial;
  time_t t;
  int ret;

  g_return_val_if_fail (der != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  datum.data = (unsigned char *) g_bytes_get_data (der, NULL);
  datum.size = g_bytes_get_size (der);

  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER)) < 0)
    {
      g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                   _("The certificate cannot be read: %s"), gnutls_strerror (ret));
      return NULL;
    }

  self = g_object_new (QOIMA_TYPE_CERTIFICATE, NULL);
  self->der = g_bytes_ref (der);
  self->owner = read_dn_oid (crt, FALSE, OID_CN);
  self->surname = read_dn_oid (crt, FALSE, OID_SURNAME);
  self->given_name = read_dn_oid (crt, FALSE, OID_GIVENNAME);
  self->organization = read_dn_oid (crt, FALSE, OID_O);
  serial_number = read_dn_oid (crt, FALSE, OID_SERIALNUMBER);
  self->iin = extract_number (serial_number, "IIN");
  unit = read_dn_oid (crt, FALSE, OID_OU);
  self->bin = extract_number (unit, "BIN");

  self->issuer = read_dn_oid (crt, TRUE, OID_CN);
  if (self->issuer == NULL)
    {
      gnutls_datum_t dn = { NULL, 0 };

      if (gnutls_x509_crt_get_issuer_dn3 (crt, &dn, 0) >= 0)
        {
          self->issuer = g_strndup ((const char *) dn.data, dn.size);
          gnutls_free (dn.data);
        }
    }

  if (gnutls_x509_crt_get_serial (crt, serial, &serial_size) >= 0)
    {
      GString *hex = g_string_new (NULL);

      for (size_t i = 0; i < serial_size; i++)
        g_string_append_printf (hex, "%02x", serial[i]);
      self->serial = g_string_free (hex, FALSE);
    }

  t = gnutls_x509_crt_get_activation_time (crt);
  self->not_before = g_date_time_new_from_unix_utc (t);
  t = gnutls_x509_crt_get_expiration_time (crt);
  self->not_after = g_date_time_new_from_unix_utc (t);
  if (self->not_before == NULL || self->not_after == NULL)
    {
      g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_FAILED,
                   _("The certificate has an unreadable validity period."));
      return NULL;
    }

  read_purposes (self, crt);

  return g_steal_pointer (&self);
}

/**
 * qoima_certificate_get_owner:
 *
 * Returns: (nullable): the owner's name (CN), as НУЦ РК writes it: surname and first name
 */
const char *
qoima_certificate_get_owner (QoimaCertificate *self)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), NULL);

  return self->owner;
}

/**
 * qoima_certificate_get_surname:
 *
 * Returns: (nullable): the SURNAME attribute
 */
const char *
qoima_certificate_get_surname (QoimaCertificate *self)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), NULL);

  return self->surname;
}

/**
 * qoima_certificate_get_given_name:
 *
 * Returns: (nullable): the GIVENNAME attribute (in Kazakh certificates, the patronymic)
 */
const char *
qoima_certificate_get_given_name (QoimaCertificate *self)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), NULL);

  return self->given_name;
}

const char *
qoima_certificate_get_iin (QoimaCertificate *self)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), NULL);

  return self->iin;
}

const char *
qoima_certificate_get_bin (QoimaCertificate *self)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), NULL);

  return self->bin;
}

const char *
qoima_certificate_get_organization (QoimaCertificate *self)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), NULL);

  return self->organization;
}

/**
 * qoima_certificate_get_issuer:
 *
 * Returns: (nullable): the issuer's CN, or its whole DN when it has no CN
 */
const char *
qoima_certificate_get_issuer (QoimaCertificate *self)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), NULL);

  return self->issuer;
}

const char *
qoima_certificate_get_serial (QoimaCertificate *self)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), NULL);

  return self->serial;
}

/**
 * qoima_certificate_get_not_before:
 *
 * Returns: (transfer none): the start of the validity period, UTC
 */
GDateTime *
qoima_certificate_get_not_before (QoimaCertificate *self)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), NULL);

  return self->not_before;
}

/**
 * qoima_certificate_get_not_after:
 *
 * Returns: (transfer none): the end of the validity period, UTC
 */
GDateTime *
qoima_certificate_get_not_after (QoimaCertificate *self)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), NULL);

  return self->not_after;
}

/**
 * qoima_certificate_has_purpose:
 *
 * Returns: whether the certificate's extended key usage names @purpose; a certificate
 *   without an extended key usage has no purpose here
 */
gboolean
qoima_certificate_has_purpose (QoimaCertificate *self,
                               QoimaKeyPurpose   purpose)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), FALSE);

  switch (purpose)
    {
    case QOIMA_KEY_PURPOSE_AUTH:
      return self->auth;
    case QOIMA_KEY_PURPOSE_SIGNING:
      return self->signing;
    default:
      g_return_val_if_reached (FALSE);
    }
}

/**
 * qoima_certificate_get_der:
 *
 * Returns: (transfer none): the certificate as DER
 */
GBytes *
qoima_certificate_get_der (QoimaCertificate *self)
{
  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), NULL);

  return self->der;
}

/**
 * qoima_certificate_check:
 * @now: (nullable): the moment to check at; NULL for the current time
 *
 * Checks the purpose first (choosing another key is the fix), then the validity period.
 */
gboolean
qoima_certificate_check (QoimaCertificate *self,
                         QoimaKeyPurpose   purpose,
                         GDateTime        *now,
                         GError          **error)
{
  g_autoptr(GDateTime) current = NULL;
  const char *owner;

  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  owner = self->owner != NULL ? self->owner : "?";
  current = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_utc ();

  if (!qoima_certificate_has_purpose (self, purpose))
    {
      if (purpose == QOIMA_KEY_PURPOSE_SIGNING && self->auth)
        g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_PURPOSE,
                             _("This is an authentication (AUTH) key; documents must be signed with the signing key (RSA or GOST)."));
      else if (purpose == QOIMA_KEY_PURPOSE_AUTH && self->signing)
        g_set_error_literal (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_PURPOSE,
                             _("This is a signing key; to log in, choose the authentication (AUTH) key."));
      else
        g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_PURPOSE,
                     _("The certificate of %s may not be used for this."), owner);
      return FALSE;
    }

  if (g_date_time_compare (current, self->not_after) > 0)
    {
      g_autofree char *date = qoima_format_date (self->not_after);

      g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_EXPIRED,
                   _("The certificate of %s expired on %s."), owner, date);
      return FALSE;
    }

  if (g_date_time_compare (current, self->not_before) < 0)
    {
      g_autofree char *date = qoima_format_date (self->not_before);

      g_set_error (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_EXPIRED,
                   _("The certificate of %s is not valid yet: it is valid from %s."), owner, date);
      return FALSE;
    }

  return TRUE;
}
