/* qoima-identifiers.h: Kazakhstan identifiers a registration carries (BIN, IBAN, BIC, phone, e-mail)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A BIN is formed like an IIN (12 digits, the same check digit; wizards-and-copay.md §1.1), so
 * qoima_iin_is_valid() (qoima-store-ledger.h) checks both; this one also says which it is. */
gboolean  qoima_iin_or_bin_is_valid    (const char *number);
/* Digit 5 of a BIN is its type 4–6; 0–3 is a day of birth, so an IIN [INFERRED, §1.1]. */
gboolean  qoima_number_is_bin          (const char *number);

/* Upper case, without spaces: an IBAN as it is written in electronic documents. */
char     *qoima_iban_normalize         (const char *iban);
/* KZ, 20 characters, `KZ\d{2}\d{3}[A-Z0-9]{13}`, ISO 7064 MOD 97-10 (§1.2). Takes a normalized IBAN. */
gboolean  qoima_iban_is_valid          (const char *iban);
/* Returns: (transfer full) (nullable): characters 5–7 of a valid IBAN, the NBRK bank code. */
char     *qoima_iban_get_bank_code     (const char *iban);

/* ISO 9362: 4 letters, KZ, 2 letters or digits, an optional branch of 3 (§1.3). */
gboolean  qoima_bic_is_valid           (const char *bic);

/* Returns: (transfer full) (nullable): +7 and 10 digits from "+7…", "8…" or 10 bare digits
 * (spaces, brackets and dashes ignored), or NULL when it is not a Kazakhstan number (§1.4). */
char     *qoima_phone_normalize        (const char *phone);
/* A normalized number in a mobile range (libphonenumber's KZ data, §1.4 [SECONDARY]). */
gboolean  qoima_phone_is_mobile        (const char *e164);

/* A pragmatic check (one @, a dot in the domain, no spaces): the mail server has the last word. */
gboolean  qoima_email_is_valid         (const char *email);

G_END_DECLS
