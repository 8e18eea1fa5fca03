/* qoima-identifiers.c: Kazakhstan identifiers a registration carries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "qoima-identifiers.h"
#include "qoima-store-ledger.h"

gboolean
qoima_iin_or_bin_is_valid (const char *number)
{
  /* One algorithm for both (§1.1): reuse the IIN check the patients already use. */
  return qoima_iin_is_valid (number);
}

gboolean
qoima_number_is_bin (const char *number)
{
  return qoima_iin_is_valid (number) && number[4] >= '4' && number[4] <= '6';
}

char *
qoima_iban_normalize (const char *iban)
{
  GString *out;

  if (iban == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (const char *p = iban; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (out, g_ascii_toupper (*p));
  return g_string_free (out, FALSE);
}

gboolean
qoima_iban_is_valid (const char *iban)
{
  int remainder = 0;

  if (iban == NULL || strlen (iban) != 20 || iban[0] != 'K' || iban[1] != 'Z')
    return FALSE;
  for (int i = 2; i < 7; i++)
    if (!g_ascii_isdigit (iban[i]))
      return FALSE;
  for (int i = 7; i < 20; i++)
    if (!g_ascii_isdigit (iban[i]) && !g_ascii_isupper (iban[i]))
      return FALSE;

  /* MOD 97-10: the first four characters moved to the end, letters as 10…35, digit by digit so
   * that the 40-odd-digit number never has to exist. */
  for (int k = 0; k < 20; k++)
    {
      char c = iban[(k + 4) % 20];

      if (g_ascii_isdigit (c))
        remainder = (remainder * 10 + (c - '0')) % 97;
      else
        remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    }
  return remainder == 1;
}

char *
qoima_iban_get_bank_code (const char *iban)
{
  if (!qoima_iban_is_valid (iban))
    return NULL;
  return g_strndup (iban + 4, 3);
}

gboolean
qoima_bic_is_valid (const char *bic)
{
  size_t len;

  if (bic == NULL)
    return FALSE;
  len = strlen (bic);
  if (len != 8 && len != 11)
    return FALSE;
  for (int i = 0; i < 4; i++)
    if (!g_ascii_isupper (bic[i]))
      return FALSE;
  if (bic[4] != 'K' || bic[5] != 'Z')
    return FALSE;
  for (size_t i = 6; i < len; i++)
    if (!g_ascii_isupper (bic[i]) && !g_ascii_isdigit (bic[i]))
      return FALSE;
  return TRUE;
}

char *
qoima_phone_normalize (const char *phone)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  gboolean plus = FALSE;

  if (phone == NULL)
    return NULL;
  for (const char *p = phone; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (*p == '+' && digits->len == 0 && !plus)
        plus = TRUE;
      else if (*p != ' ' && *p != '(' && *p != ')' && *p != '-')
        return NULL;
    }

  if (digits->len == 11 && digits->str[0] == '7' && plus)
    return g_strdup_printf ("+%s", digits->str);
  /* The national trunk prefix 8 as people dial it (§1.4). */
  if (digits->len == 11 && digits->str[0] == '8' && !plus)
    return g_strdup_printf ("+7%s", digits->str + 1);
  if (digits->len == 10 && !plus)
    return g_strdup_printf ("+7%s", digits->str);
  return NULL;
}

gboolean
qoima_phone_is_mobile (const char *e164)
{
  /* 7(?:0[0-25-8]|47|6[0-4]|7[15-8]|85)\d{7} after +7 (libphonenumber KZ [SECONDARY]). */
  const char *n;

  if (e164 == NULL || strlen (e164) != 12 || !g_str_has_prefix (e164, "+7"))
    return FALSE;
  n = e164 + 2;
  for (int i = 0; i < 10; i++)
    if (!g_ascii_isdigit (n[i]))
      return FALSE;
  if (n[0] != '7')
    return FALSE;
  switch (n[1])
    {
    case '0': return strchr ("0125678", n[2]) != NULL;
    case '4': return n[2] == '7';
    case '6': return n[2] >= '0' && n[2] <= '4';
    case '7': return strchr ("15678", n[2]) != NULL;
    case '8': return n[2] == '5';
    default:  return FALSE;
    }
}

gboolean
qoima_email_is_valid (const char *email)
{
  const char *at;
  const char *dot;

  if (email == NULL || *email == '\0' || strpbrk (email, " \t\r\n") != NULL)
    return FALSE;
  at = strchr (email, '@');
  if (at == NULL || at == email || strchr (at + 1, '@') != NULL)
    return FALSE;
  dot = strrchr (at + 1, '.');
  return dot != NULL && dot > at + 1 && dot[1] != '\0';
}
