/* fuzz-gs1.c: the GS1 parser on any scanned text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Besides not crashing, a parsed code must be stable: its canonical text (km) parses again
 * to the same fields, since km is what is stored, sent to ИС МПТ and matched later.
 */

#include "config.h"

#include "qoima-fuzz.h"
#include "qoima-gs1.h"

#include <stdlib.h>

static void
check_same (const char *field,
            const char *first,
            const char *again,
            const char *km)
{
  if (g_strcmp0 (first, again) == 0)
    return;
  g_printerr ("fuzz-gs1: km \"%s\" parses again with %s \"%s\", not \"%s\"\n",
              km, field, again ? again : "(null)", first ? first : "(null)");
  abort ();
}

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
  g_autofree char *text = qoima_fuzz_strndup (data, size);
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(QoimaMarkingCode) again = NULL;
  g_autoptr(QoimaMarkingCode) copy = NULL;
  g_autoptr(GError) error = NULL;
  int position = -1;

  /* The parser takes UTF-8 (GTK hands it nothing else). */
  if (!g_utf8_validate (text, -1, NULL))
    return -1;

  code = qoima_gs1_parse (text, &position, &error);
  if (code == NULL)
    {
      if (error == NULL || position < -1 || position > (int) g_utf8_strlen (text, -1))
        {
          g_printerr ("fuzz-gs1: a refusal without an error, or at position %d of %ld\n",
                      position, (long) g_utf8_strlen (text, -1));
          abort ();
        }
      return 0;
    }
  if (error != NULL || code->km == NULL)
    abort ();

  copy = qoima_marking_code_copy (code);
  again = qoima_gs1_parse (code->km, NULL, &error);
  if (again == NULL)
    {
      g_printerr ("fuzz-gs1: km \"%s\" of \"%s\" does not parse again: %s\n",
                  code->km, text, error->message);
      abort ();
    }
  if (again->kind != code->kind)
    {
      g_printerr ("fuzz-gs1: km \"%s\" parses again as another kind\n", code->km);
      abort ();
    }
  check_same ("km", code->km, again->km, code->km);
  check_same ("gtin", code->gtin, again->gtin, code->km);
  check_same ("serial", code->serial, again->serial, code->km);
  check_same ("ki", code->ki, again->ki, code->km);
  check_same ("verification_key", code->verification_key, again->verification_key, code->km);
  check_same ("crypto", code->crypto, again->crypto, code->km);
  check_same ("crypto_short", code->crypto_short, again->crypto_short, code->km);
  check_same ("expiry", code->expiry, again->expiry, code->km);
  check_same ("expiry_raw", code->expiry_raw, again->expiry_raw, code->km);
  check_same ("batch", code->batch, again->batch, code->km);
  check_same ("sscc", code->sscc, again->sscc, code->km);
  check_same ("copy km", code->km, copy->km, code->km);
  return 0;
}
