/* qoima-copay.c: co-payment money, amounts, limit prices, prescriptions and the registry */
#include "config.h"

#include "qoima-copay.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "qoima-date.h"
#include "qoima-store-ledger.h"

/* 10^13 tenge: far above any pharmacy's month, far below G_MAXINT64 tiyn. */
#define MONEY_MAX ((gint64) 1000000000000000)

gboolean
qoima_money_parse (const char  *text,
                   gint64      *tiyn,
                   GError     **error)
{
  gint64 whole = 0;
  gint64 fraction = 0;
  int n_whole = 0;
  int n_fraction = -1;
  const char *p;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (tiyn != NULL, FALSE);

  for (p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == ' ' || c == 0x00A0 || c == 0x202F || c == '\t')
        {
          /* Grouping spaces belong to the whole part only. */
          if (n_fraction >= 0 && n_fraction > 0)
            goto invalid;
          continue;
        }
      if (c == ',' || c == '.')
        {
          if (n_fraction >= 0 || n_whole == 0)
            goto invalid;
          n_fraction = 0;
          continue;
        }
      if (c < '0' || c > '9')
        goto invalid;
      if (n_fraction >= 0)
        {
          if (++n_fraction > 2)
            goto invalid;
          fraction = fraction * 10 + (c - '0');
        }
      else
        {
          whole = whole * 10 + (c - '0');
          n_whole++;
          if (whole > MONEY_MAX / 100)
            goto invalid;
        }
    }
  if (n_whole == 0 || n_fraction == 0)
    goto invalid;
  if (n_fraction == 1)
    fraction *= 10;
  *tiyn = whole * 100 + fraction;
  return TRUE;

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("“%s” is not an amount in tenge, such as 1234,50."), text);
  return FALSE;
}

static gboolean
language_groups_by_space (const char *language)
{
  return g_str_has_prefix (language, "ru") || g_str_has_prefix (language, "kk");
}

char *
qoima_money_format_for (gint64      tiyn,
                        const char *language)
{
  gboolean spaces = language != NULL && language_groups_by_space (language);
  const char *separator = spaces ? "\u00A0" : ",";
  guint64 magnitude = tiyn < 0 ? (guint64) -(tiyn + 1) + 1 : (guint64) tiyn;
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, magnitude / 100);
  GString *out = g_string_new (tiyn < 0 ? "-" : NULL);
  gsize n = strlen (digits);

  for (gsize i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
  g_string_append_printf (out, "%c%02u", spaces ? ',' : '.', (unsigned) (magnitude % 100));
  return g_string_free (out, FALSE);
}

char *
qoima_money_format (gint64 tiyn)
{
  /* The UI's language as gettext picks it, as qoima_format_count() does. */
  return qoima_money_format_for (tiyn, g_get_language_names_with_category ("LC_MESSAGES")[0]);
}

char *
qoima_money_to_plain (gint64 tiyn)
{
  guint64 magnitude = tiyn < 0 ? (guint64) -(tiyn + 1) + 1 : (guint64) tiyn;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u", tiyn < 0 ? "-" : "",
                          magnitude / 100, (unsigned) (magnitude % 100));
}

void
qoima_copay_split (gint64  price,
                   gint64  limit_per_unit,
                   gint64  quantity,
                   gint64 *fund,
                   gint64 *patient)
{
  gint64 limit;

  g_return_if_fail (price >= 0 && limit_per_unit >= 0 && quantity > 0);

  /* The limit of the whole pack, saturating rather than overflowing. */
  limit = limit_per_unit > G_MAXINT64 / quantity ? G_MAXINT64 : limit_per_unit * quantity;
  /* R002-10: the Fund pays the limit price, never above the trade-name price; the
   * patient pays the difference, nothing when the price is below the limit. */
  *fund = MIN (limit, price);
  *patient = price - *fund;
}

/* Limit prices. */

QoimaLimitPrice *
qoima_limit_price_copy (const QoimaLimitPrice *price)
{
  QoimaLimitPrice *copy = g_new0 (QoimaLimitPrice, 1);

  copy->inn = g_strdup (price->inn);
  copy->form = g_strdup (price->form);
  copy->dosage = g_strdup (price->dosage);
  copy->unit = g_strdup (price->unit);
  copy->price = price->price;
  copy->valid_from = g_strdup (price->valid_from);
  return copy;
}

void
qoima_limit_price_free (QoimaLimitPrice *price)
{
  if (price == NULL)
    return;
  g_free (price->inn);
  g_free (price->form);
  g_free (price->dosage);
  g_free (price->unit);
  g_free (price->valid_from);
  g_free (price);
}

/* One CSV record from *p (RFC 4180 quoting); NULL at the end of the text. */
static GPtrArray *
csv_next_record (const char **p,
                 const char  *end,
                 char         delimiter)
{
  GPtrArray *fields;
  GString *field;
  gboolean quoted = FALSE;

  if (*p >= end)
    return NULL;
  fields = g_ptr_array_new_with_free_func (g_free);
  field = g_string_new (NULL);
  while (*p < end)
    {
      char c = **p;

      (*p)++;
      if (quoted)
        {
          if (c == '"' && *p < end && **p == '"')
            {
              g_string_append_c (field, '"');
              (*p)++;
            }
          else if (c == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, c);
        }
      else if (c == '"')
        quoted = TRUE;
      else if (c == delimiter)
        {
          g_ptr_array_add (fields, g_strstrip (g_string_free (field, FALSE)));
          field = g_string_new (NULL);
        }
      else if (c == '\n')
        break;
      else if (c != '\r')
        g_string_append_c (field, c);
    }
  g_ptr_array_add (fields, g_strstrip (g_string_free (field, FALSE)));
  return fields;
}

static const struct
{
  const char *english;
  const char *russian;
} price_columns[] = {
  { "inn", "мнн" },
  { "form", "форма" },
  { "dosage", "дозировка" },
  { "unit", "единица" },
  { "limit_price", "предельная цена" },
  { "valid_from", "действует с" },
};

GPtrArray *
qoima_limit_prices_parse_csv (const char  *text,
                              gsize        length,
                              GError     **error)
{
  g_autoptr(GPtrArray) prices = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_limit_price_free);
  g_autoptr(GPtrArray) header = NULL;
  const char *p = text;
  const char *end = text + length;
  const char *newline;
  char delimiter;
  int index[G_N_ELEMENTS (price_columns)];
  int line = 1;

  g_return_val_if_fail (text != NULL, NULL);

  /* A UTF-8 byte order mark, as spreadsheets write one. */
  if (length >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;
  if (!g_utf8_validate (p, end - p, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The price list is not UTF-8 text."));
      return NULL;
    }
  /* Spreadsheets in Russian write semicolons, since the comma is the decimal separator. */
  newline = memchr (p, '\n', end - p);
  delimiter = memchr (p, ';', (newline ? newline : end) - p) != NULL ? ';' : ',';

  header = csv_next_record (&p, end, delimiter);
  for (guint c = 0; c < G_N_ELEMENTS (price_columns); c++)
    {
      index[c] = -1;
      for (guint i = 0; header != NULL && i < header->len; i++)
        {
          g_autofree char *name = g_utf8_casefold (g_ptr_array_index (header, i), -1);

          if (g_str_equal (name, price_columns[c].english) || g_str_equal (name, price_columns[c].russian))
            index[c] = i;
        }
      if (index[c] < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The price list has no column “%s” in its first line."), price_columns[c].english);
          return NULL;
        }
    }

  for (;;)
    {
      g_autoptr(GPtrArray) record = csv_next_record (&p, end, delimiter);
      g_autoptr(QoimaLimitPrice) price = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *fields[G_N_ELEMENTS (price_columns)];
      int year, month, day;

      line++;
      if (record == NULL)
        break;
      if (record->len == 1 && *(char *) g_ptr_array_index (record, 0) == '\0')
        continue;
      for (guint c = 0; c < G_N_ELEMENTS (price_columns); c++)
        {
          fields[c] = (guint) index[c] < record->len ? g_ptr_array_index (record, index[c]) : "";
          if (*fields[c] == '\0')
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("Line %d of the price list has no %s."), line, price_columns[c].english);
              return NULL;
            }
        }
      price = g_new0 (QoimaLimitPrice, 1);
      price->inn = g_strdup (fields[0]);
      price->form = g_strdup (fields[1]);
      price->dosage = g_strdup (fields[2]);
      price->unit = g_strdup (fields[3]);
      if (!qoima_money_parse (fields[4], &price->price, &local_error))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Line %d of the price list: %s"), line, local_error->message);
          return NULL;
        }
      if (sscanf (fields[5], "%4d-%2d-%2d", &year, &month, &day) != 3 ||
          !g_date_valid_dmy (day, month, year) || strlen (fields[5]) != 10)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Line %d of the price list: “%s” is not a date such as 2026-01-01."),
                       line, fields[5]);
          return NULL;
        }
      price->valid_from = g_strdup (fields[5]);
      g_ptr_array_add (prices, g_steal_pointer (&price));
    }

  return g_steal_pointer (&prices);
}

static gboolean
same_text (const char *a,
           const char *b)
{
  g_autofree char *fa = g_utf8_casefold (a, -1);
  g_autofree char *fb = g_utf8_casefold (b, -1);

  return g_str_equal (fa, fb);
}

const QoimaLimitPrice *
qoima_limit_prices_lookup (GPtrArray  *prices,
                           const char *inn,
                           const char *form,
                           const char *dosage,
                           const char *date)
{
  const QoimaLimitPrice *best = NULL;

  g_return_val_if_fail (prices != NULL && date != NULL, NULL);

  for (guint i = 0; i < prices->len; i++)
    {
      const QoimaLimitPrice *price = g_ptr_array_index (prices, i);

      /* History: a past month keeps the price then in force, not today's. */
      if (strcmp (price->valid_from, date) > 0)
        continue;
      if (!same_text (price->inn, inn) || !same_text (price->form, form) || !same_text (price->dosage, dosage))
        continue;
      if (best == NULL || strcmp (price->valid_from, best->valid_from) >= 0)
        best = price;
    }
  return best;
}

/* Prescriptions. */

void
qoima_prescription_free (QoimaPrescription *prescription)
{
  if (prescription == NULL)
    return;
  g_free (prescription->number);
  g_free (prescription->date);
  g_free (prescription->patient_iin);
  g_free (prescription->icd10);
  g_free (prescription->inn);
  g_free (prescription->form);
  g_free (prescription->dosage);
  g_free (prescription);
}

char *
qoima_icd10_normalize (const char *code)
{
  /* Cyrillic capitals that look like Latin ones, as a Russian keyboard types them. */
  static const struct { gunichar cyrillic; char latin; } lookalikes[] = {
    { 0x0410, 'A' }, { 0x0412, 'B' }, { 0x0415, 'E' }, { 0x041A, 'K' }, { 0x041C, 'M' },
    { 0x041D, 'H' }, { 0x041E, 'O' }, { 0x0420, 'P' }, { 0x0421, 'C' }, { 0x0422, 'T' },
    { 0x0425, 'X' },
  };
  g_autofree char *upper = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  static GRegex *pattern;

  if (code == NULL || !g_utf8_validate (code, -1, NULL))
    return NULL;
  upper = g_utf8_strup (code, -1);
  for (const char *p = upper; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean mapped = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (lookalikes); i++)
        if (lookalikes[i].cyrillic == c)
          {
            g_string_append_c (out, lookalikes[i].latin);
            mapped = TRUE;
          }
      if (!mapped)
        g_string_append_unichar (out, c);
    }
  if (g_once_init_enter (&pattern))
    g_once_init_leave (&pattern, g_regex_new ("^[A-Z][0-9]{2}(\\.[0-9A-Z]{1,2})?$", 0, 0, NULL));
  if (!g_regex_match (pattern, out->str, 0, NULL))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
escape_field (const char *field)
{
  GString *out = g_string_new (NULL);

  for (const char *p = field; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '|' || c == '\\')
        g_string_append_c (out, '\\');
      /* ASCII only, so that a scanner typing as a keyboard can type it whatever the layout. */
      if (c >= 0x80 || c < 0x20 || c == '%')
        g_string_append_printf (out, "%%%02X", c);
      else
        g_string_append_c (out, (char) c);
    }
  return g_string_free (out, FALSE);
}

char *
qoima_prescription_to_qr (const QoimaPrescription *prescription)
{
  const char *fields[] = {
    prescription->number, prescription->date, prescription->patient_iin, prescription->icd10,
    prescription->inn, prescription->form, prescription->dosage,
  };
  GString *out = g_string_new ("RX1");

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *escaped = escape_field (fields[i]);

      g_string_append_printf (out, "|%s", escaped);
    }
  g_string_append_printf (out, "|%" G_GINT64_FORMAT, prescription->quantity);
  return g_string_free (out, FALSE);
}

/* "%D0%9C" as the bytes it names (a URL's escapes); a '%' not followed by two hex digits
 * is kept as it is. */
static char *
unescape_percent (const char *field)
{
  GString *out = g_string_new (NULL);

  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (out, (char) (g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static GPtrArray *
split_fields (const char *payload)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);

  for (const char *p = payload; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        g_string_append_c (field, *++p);
      else if (*p == '|')
        {
          g_ptr_array_add (fields, g_strstrip (g_string_free (field, FALSE)));
          field = g_string_new (NULL);
        }
      else
        g_string_append_c (field, *p);
    }
  g_ptr_array_add (fields, g_strstrip (g_string_free (field, FALSE)));
  return fields;
}

QoimaPrescription *
qoima_prescription_parse_qr (const char  *payload,
                             GError     **error)
{
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(QoimaPrescription) prescription = NULL;
  int year, month, day;
  char *end = NULL;

  g_return_val_if_fail (payload != NULL, NULL);

  if (!g_utf8_validate (payload, -1, NULL) || !g_str_has_prefix (payload, "RX1|"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("This code is not an e-prescription."));
      return NULL;
    }
  fields = split_fields (payload);
  for (guint i = 0; i < fields->len; i++)
    {
      char *field = g_ptr_array_index (fields, i);

      g_ptr_array_index (fields, i) = unescape_percent (field);
      g_free (field);
      if (!g_utf8_validate (g_ptr_array_index (fields, i), -1, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("This code is not an e-prescription."));
          return NULL;
        }
    }
  if (fields->len != 9)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The e-prescription’s code is incomplete."));
      return NULL;
    }
  for (guint i = 1; i < fields->len; i++)
    if (*(char *) g_ptr_array_index (fields, i) == '\0')
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("The e-prescription’s code is incomplete."));
        return NULL;
      }

  prescription = g_new0 (QoimaPrescription, 1);
  prescription->number = g_strdup (g_ptr_array_index (fields, 1));
  prescription->date = g_strdup (g_ptr_array_index (fields, 2));
  prescription->patient_iin = g_strdup (g_ptr_array_index (fields, 3));
  prescription->icd10 = qoima_icd10_normalize (g_ptr_array_index (fields, 4));
  prescription->inn = g_strdup (g_ptr_array_index (fields, 5));
  prescription->form = g_strdup (g_ptr_array_index (fields, 6));
  prescription->dosage = g_strdup (g_ptr_array_index (fields, 7));
  prescription->quantity = g_ascii_strtoll (g_ptr_array_index (fields, 8), &end, 10);

  if (strlen (prescription->date) != 10 ||
      sscanf (prescription->date, "%4d-%2d-%2d", &year, &month, &day) != 3 ||
      !g_date_valid_dmy (day, month, year))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The e-prescription’s date %s is not a date."), prescription->date);
      return NULL;
    }
  if (!qoima_iin_is_valid (prescription->patient_iin))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The patient’s IIN %s on the e-prescription is not valid."), prescription->patient_iin);
      return NULL;
    }
  if (prescription->icd10 == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The e-prescription’s diagnosis %s is not an ICD-10 code."),
                   (char *) g_ptr_array_index (fields, 4));
      return NULL;
    }
  if (end == NULL || *end != '\0' || prescription->quantity <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The e-prescription’s quantity is not a positive number."));
      return NULL;
    }
  return g_steal_pointer (&prescription);
}

/* Dispensing records. */

QoimaDispensing *
qoima_dispensing_copy (const QoimaDispensing *d)
{
  QoimaDispensing *copy = g_memdup2 (d, sizeof *d);

  copy->pharmacy_name = g_strdup (d->pharmacy_name);
  copy->pharmacy_bin = g_strdup (d->pharmacy_bin);
  copy->region = g_strdup (d->region);
  copy->icd10 = g_strdup (d->icd10);
  copy->patient_iin = g_strdup (d->patient_iin);
  copy->prescription_number = g_strdup (d->prescription_number);
  copy->prescription_date = g_strdup (d->prescription_date);
  copy->inn = g_strdup (d->inn);
  copy->trade_name = g_strdup (d->trade_name);
  copy->dosage = g_strdup (d->dosage);
  copy->form = g_strdup (d->form);
  copy->unit = g_strdup (d->unit);
  copy->fiscal_receipt = g_strdup (d->fiscal_receipt);
  copy->ki = g_strdup (d->ki);
  copy->dispensed_at = g_strdup (d->dispensed_at);
  return copy;
}

void
qoima_dispensing_free (QoimaDispensing *d)
{
  if (d == NULL)
    return;
  g_free (d->pharmacy_name);
  g_free (d->pharmacy_bin);
  g_free (d->region);
  g_free (d->icd10);
  g_free (d->patient_iin);
  g_free (d->prescription_number);
  g_free (d->prescription_date);
  g_free (d->inn);
  g_free (d->trade_name);
  g_free (d->dosage);
  g_free (d->form);
  g_free (d->unit);
  g_free (d->fiscal_receipt);
  g_free (d->ki);
  g_free (d->dispensed_at);
  g_free (d);
}

/* The registry. */

gboolean
qoima_copay_month_parse (const char  *text,
                         int         *year,
                         int         *month,
                         GError     **error)
{
  if (text == NULL || strlen (text) != 7 || text[4] != '-' ||
      !g_ascii_isdigit (text[0]) || !g_ascii_isdigit (text[1]) || !g_ascii_isdigit (text[2]) ||
      !g_ascii_isdigit (text[3]) || !g_ascii_isdigit (text[5]) || !g_ascii_isdigit (text[6]) ||
      sscanf (text, "%4d-%2d", year, month) != 2 || *month < 1 || *month > 12 || *year < 2000)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a month such as 2026-01."), text ? text : "");
      return FALSE;
    }
  return TRUE;
}

char *
qoima_copay_registry_due (int year,
                          int month)
{
  /* R002-8: the 25th of the next month; December's by 25 January of the next year. */
  if (month == 12)
    return g_strdup_printf ("%04d-01-25", year + 1);
  return g_strdup_printf ("%04d-%02d-25", year, month + 1);
}

int
qoima_copay_days_to_due (int         year,
                         int         month,
                         const char *today)
{
  g_autofree char *due = qoima_copay_registry_due (year, month);
  GDate a, b;
  int y, m, d;

  g_return_val_if_fail (today != NULL, 0);
  if (sscanf (today, "%4d-%2d-%2d", &y, &m, &d) != 3 || !g_date_valid_dmy (d, m, y))
    return 0;
  g_date_set_dmy (&a, d, m, y);
  sscanf (due, "%4d-%2d-%2d", &y, &m, &d);
  g_date_set_dmy (&b, d, m, y);
  return g_date_days_between (&a, &b);
}

char *
qoima_copay_due_warning (int         year,
                         int         month,
                         const char *today)
{
  g_autofree char *due = qoima_copay_registry_due (year, month);
  int days = qoima_copay_days_to_due (year, month, today);

  if (days > 7)
    return NULL;
  if (days < 0)
    return g_strdup_printf (_("The registry was due by %s: a late registry can end the contract."), due);
  if (days == 0)
    return g_strdup_printf (_("The registry is due today, %s."), due);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The registry is due by %s, in %d day.",
                                       "The registry is due by %s, in %d days.", days),
                          due, days);
}

static int
compare_dispensed_at (gconstpointer a,
                      gconstpointer b)
{
  const QoimaDispensing *da = *(QoimaDispensing **) a;
  const QoimaDispensing *db = *(QoimaDispensing **) b;

  return g_strcmp0 (da->dispensed_at, db->dispensed_at);
}

QoimaCopayRegistry *
qoima_copay_registry_new (int          year,
                          int          month,
                          const char  *supplier_name,
                          const char  *supplier_bin,
                          GPtrArray   *dispensings)
{
  QoimaCopayRegistry *registry = g_new0 (QoimaCopayRegistry, 1);
  g_autofree char *prefix = g_strdup_printf ("%04d-%02d-", year, month);

  registry->year = year;
  registry->month = month;
  registry->supplier_name = g_strdup (supplier_name ? supplier_name : "");
  registry->supplier_bin = g_strdup (supplier_bin ? supplier_bin : "");
  registry->due = qoima_copay_registry_due (year, month);
  registry->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_dispensing_free);

  /* R002-7: a calendar month, by the day of dispensing. */
  for (guint i = 0; dispensings != NULL && i < dispensings->len; i++)
    {
      const QoimaDispensing *d = g_ptr_array_index (dispensings, i);

      if (d->dispensed_at != NULL && g_str_has_prefix (d->dispensed_at, prefix))
        g_ptr_array_add (registry->rows, qoima_dispensing_copy (d));
    }
  g_ptr_array_sort (registry->rows, compare_dispensed_at);

  for (guint i = 0; i < registry->rows->len; i++)
    {
      gint64 fund, patient, total;

      qoima_copay_registry_amounts (registry, i, &fund, &patient, &total);
      registry->total_fund += fund;
      registry->total_patient += patient;
      registry->total += total;
    }
  return registry;
}

void
qoima_copay_registry_free (QoimaCopayRegistry *registry)
{
  if (registry == NULL)
    return;
  g_free (registry->supplier_name);
  g_free (registry->supplier_bin);
  g_free (registry->due);
  g_ptr_array_unref (registry->rows);
  g_free (registry);
}

void
qoima_copay_registry_amounts (QoimaCopayRegistry *registry,
                              guint               index,
                              gint64             *fund,
                              gint64             *patient,
                              gint64             *total)
{
  const QoimaDispensing *d;

  g_return_if_fail (index < registry->rows->len);
  d = g_ptr_array_index (registry->rows, index);
  qoima_copay_split (d->price, d->limit_per_unit, d->quantity, fund, patient);
  *total = *fund + *patient;   /* 17 = 15 + 16 */
}

static char *
format_date (const char *iso)
{
  int y, m, d;

  if (iso == NULL || sscanf (iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return g_strdup (iso ? iso : "");
  return g_strdup_printf ("%02d.%02d.%04d", d, m, y);
}

char *
qoima_copay_registry_cell (QoimaCopayRegistry *registry,
                           guint               index,
                           int                 column,
                           const char         *language,
                           gboolean            plain)
{
  const QoimaDispensing *d;
  gint64 fund, patient, total;
  gint64 amount = 0;

  g_return_val_if_fail (index < registry->rows->len, NULL);
  g_return_val_if_fail (column >= 1 && column <= QOIMA_COPAY_REGISTRY_COLUMNS, NULL);

  d = g_ptr_array_index (registry->rows, index);
  qoima_copay_registry_amounts (registry, index, &fund, &patient, &total);
  switch (column)
    {
    case 1: return g_strdup_printf ("%u", index + 1);
    case 2: return g_strdup (d->pharmacy_name);
    case 3: return g_strdup (d->pharmacy_bin);
    case 4: return g_strdup (d->region);
    case 5: return g_strdup (d->icd10);
    case 6: return g_strdup (d->patient_iin);
    case 7:
      {
        g_autofree char *date = plain ? g_strdup (d->prescription_date) : format_date (d->prescription_date);

        return g_strdup_printf (plain ? "%s %s" : "%s, %s", d->prescription_number, date);
      }
    case 8: return g_strdup (d->inn);
    case 9: return g_strdup (d->trade_name);
    case 10: return g_strdup_printf ("%s, %s", d->dosage, d->form);
    case 11: return g_strdup (d->unit);
    case 12: amount = d->limit_per_unit; break;
    case 13: return g_strdup (d->fiscal_receipt);
    case 14: return g_strdup (d->ki);
    case 15: amount = fund; break;
    case 16: amount = patient; break;
    case 17: amount = total; break;
    default: g_assert_not_reached ();
    }
  return plain ? qoima_money_to_plain (amount) : qoima_money_format_for (amount, language);
}

/* Appendix 1's titles: Russian as the order prints them (seed 002; its spellings kept),
 * Kazakh rendered by the project (to be checked against the order's Kazakh text), English
 * for everyone else. */
static const char *const registry_titles[QOIMA_COPAY_REGISTRY_COLUMNS][3] = {
  { "No.", "№ п/п", "№ р/с" },
  { "Supplier that dispensed the prescription", "Наименование субъекта в сфере обращения лекарственных средств и медицинских изделий, фактически обеспечившего рецепт", "Рецептті іс жүзінде қамтамасыз еткен дәрілік заттар мен медициналық бұйымдар айналысы саласындағы субъектінің атауы" },
  { "Supplier’s BIN", "БИН субъект в сфере обращения лекарственных средств и медицинских изделий, фактически обеспечившего рецепт", "Рецептті іс жүзінде қамтамасыз еткен дәрілік заттар мен медициналық бұйымдар айналысы саласындағы субъектінің БСН" },
  { "Region", "Регион", "Өңір" },
  { "ICD-10 code", "Код МКБ-10", "АХЖ-10 коды" },
  { "Patient’s IIN", "ИИН пациента", "Пациенттің ЖСН" },
  { "Prescription number and date", "№ и дата обеспеченного рецепта", "Қамтамасыз етілген рецепттің № және күні" },
  { "International non-proprietary name", "Международное непатентованное наименование обеспеченного лекарственного средства", "Қамтамасыз етілген дәрілік заттың халықаралық патенттелмеген атауы" },
  { "Trade name*", "Торговое наименование обеспеченного лекарственного средства (ТН)*", "Қамтамасыз етілген дәрілік заттың саудалық атауы (СА)*" },
  { "Dosage and form", "Дозировка и Форма выпуска", "Дозасы және шығарылу нысаны" },
  { "Unit of measure", "Единица измерения", "Өлшем бірлігі" },
  { "Limit reimbursement price per unit, tenge", "Предельная цена возмещения за единицу измерения, в тенге", "Өлшем бірлігі үшін өтеудің шекті бағасы, теңгемен" },
  { "Fiscal receipt number", "Номер фискального чека", "Фискалдық чектің нөмірі" },
  { "Marking code", "Номер (код) маркировки ЛС", "ДЗ таңбалау нөмірі (коды)" },
  { "Reimbursed by the Fund, tenge", "Цена возмещение стоимости Фондом, в тенге", "Қор өтейтін құн, теңгемен" },
  { "Paid by the patient, tenge (co-payment)", "Цена оплаченная пациентом, в тенге (сумма сооплаты)", "Пациент төлеген баға, теңгемен (бірлесіп төлеу сомасы)" },
  { "Total, tenge (17 = 15 + 16)", "Общая сумма, в тенге (17 = 15 + 16)", "Жалпы сома, теңгемен (17 = 15 + 16)" },
};

const char *
qoima_copay_registry_title (int         column,
                            const char *language)
{
  g_return_val_if_fail (column >= 1 && column <= QOIMA_COPAY_REGISTRY_COLUMNS, NULL);

  if (language != NULL && g_str_has_prefix (language, "ru"))
    return registry_titles[column - 1][1];
  if (language != NULL && g_str_has_prefix (language, "kk"))
    return registry_titles[column - 1][2];
  return registry_titles[column - 1][0];
}

static void
act_line_free (QoimaCopayActLine *line)
{
  g_free (line->region);
  g_free (line->supplier);
  g_free (line);
}

GPtrArray *
qoima_copay_act_lines (QoimaCopayRegistry *registry)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func ((GDestroyNotify) act_line_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < registry->rows->len; i++)
    {
      const QoimaDispensing *d = g_ptr_array_index (registry->rows, i);
      QoimaCopayActLine *line = NULL;
      g_autofree char *key = NULL;
      gint64 fund, patient, total;

      for (guint j = 0; j < lines->len && line == NULL; j++)
        {
          QoimaCopayActLine *candidate = g_ptr_array_index (lines, j);

          if (g_str_equal (candidate->region, d->region))
            line = candidate;
        }
      if (line == NULL)
        {
          line = g_new0 (QoimaCopayActLine, 1);
          line->region = g_strdup (d->region);
          line->supplier = g_strdup_printf ("%s, %s", registry->supplier_name, registry->supplier_bin);
          g_ptr_array_add (lines, line);
        }
      /* Column 4 counts prescriptions, not rows: a prescription may take several packs. */
      key = g_strdup_printf ("%s\x1f%s\x1f%s", d->region, d->prescription_number, d->prescription_date);
      if (g_hash_table_add (seen, g_steal_pointer (&key)))
        line->prescriptions++;
      qoima_copay_registry_amounts (registry, i, &fund, &patient, &total);
      line->fund += fund;
    }
  return lines;
}
