/* fuzz-certificate.c: an X.509 certificate (DER) read for what a user sees of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-certificate.h"
#include "qoima-fuzz.h"

#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  qoima_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) der = g_bytes_new (data, size);
  g_autoptr(QoimaCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_utc (2025, 3, 14, 10, 0, 0);
  const char *iin;
  const char *bin;

  certificate = qoima_certificate_new_from_der (der, &error);
  if ((certificate == NULL) == (error == NULL))
    abort ();
  if (certificate == NULL)
    return 0;

  /* Every getter a page or qoimactl shows; the IIN and BIN are 12 digits when present. */
  iin = qoima_certificate_get_iin (certificate);
  bin = qoima_certificate_get_bin (certificate);
  if ((iin != NULL && (strlen (iin) != 12 || strspn (iin, "0123456789") != 12)) ||
      (bin != NULL && (strlen (bin) != 12 || strspn (bin, "0123456789") != 12)))
    abort ();
  (void) qoima_certificate_get_owner (certificate);
  (void) qoima_certificate_get_surname (certificate);
  (void) qoima_certificate_get_given_name (certificate);
  (void) qoima_certificate_get_organization (certificate);
  (void) qoima_certificate_get_issuer (certificate);
  (void) qoima_certificate_get_serial (certificate);
  (void) qoima_certificate_get_not_before (certificate);
  (void) qoima_certificate_get_not_after (certificate);
  (void) qoima_certificate_get_der (certificate);
  for (int purpose = QOIMA_KEY_PURPOSE_AUTH; purpose <= QOIMA_KEY_PURPOSE_SIGNING; purpose++)
    {
      g_autoptr(GError) check_error = NULL;

      (void) qoima_certificate_has_purpose (certificate, purpose);
      if (!qoima_certificate_check (certificate, purpose, now, &check_error) && check_error == NULL)
        abort ();
    }
  return 0;
}
