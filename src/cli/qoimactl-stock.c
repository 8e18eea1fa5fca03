/* qoimactl-stock.c: `qoimactl demo` and `qoimactl stock`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoimactl"

#include "config.h"

#include "qoimactl.h"

#include "qoima-copay.h"
#include "qoima-demo.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Packs per page when streaming: bounded memory whatever the size of the warehouse. */
#define STOCK_PAGE_PACKS 5000

/* The demo data are the same on every run of the same day unless --seed says otherwise:
 * the application's own, whose packs the local stand knows as the hospital's. */
#define DEMO_DEFAULT_SEED QOIMA_DEMO_SEED

static gboolean
parse_count (const char *text,
             gint64      max,
             gint64     *value)
{
  g_autoptr(GError) local_error = NULL;
  guint64 parsed;

  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &parsed, &local_error))
    {
      qoimactl_print_error (_("%s is not a number from 0 to %lld."), text, (long long) max);
      return FALSE;
    }

  *value = (gint64) parsed;
  return TRUE;
}

static gint64
count_packs (QoimaStore  *store,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;

  qoima_store_count_packs_async (store, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  return qoima_store_count_packs_finish (store, result, error);
}

int
qoimactl_demo (QoimactlOptions  *options,
               int               argc,
               char            **argv)
{
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GError) error = NULL;
  gint64 n_packs = QOIMA_DEMO_DEFAULT_PACKS;
  gint64 seed = DEMO_DEFAULT_SEED;
  gint64 existing;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  const char *copay = NULL;
  int copay_year = 0, copay_month = 0;

  for (int i = 1; i < argc; i++)
    {
      const char *value = NULL;

      /* A month of co-payment dispensing too (seed 002). */
      if (g_str_equal (argv[i], "--copay") && i + 1 < argc)
        {
          copay = argv[++i];
          if (!qoima_copay_month_parse (copay, &copay_year, &copay_month, &error))
            return qoimactl_fail (error);
          continue;
        }
      if ((g_str_equal (argv[i], "--packs") || g_str_equal (argv[i], "--seed")) && i + 1 < argc)
        value = argv[i + 1];
      else if (g_str_has_prefix (argv[i], "--packs=") || g_str_has_prefix (argv[i], "--seed="))
        value = strchr (argv[i], '=') + 1;
      else
        {
          fprintf (stderr, _("Usage: qoimactl [--db PATH] demo [--packs N] [--seed N] [--copay YYYY-MM]\n"));
          return 2;
        }

      if (g_str_has_prefix (argv[i], "--packs"))
        {
          if (!parse_count (value, G_MAXINT, &n_packs))
            return 2;
        }
      else if (!parse_count (value, G_MAXUINT32, &seed))
        return 2;

      if (value == argv[i + 1])
        i++;
    }

  store = qoimactl_open_store (options, &error);
  if (store == NULL)
    return qoimactl_fail (error);

  existing = count_packs (store, &error);
  if (existing < 0)
    return qoimactl_fail (error);
  if (existing > 0)
    {
      qoimactl_print_error (g_dngettext (GETTEXT_PACKAGE,
                                         "The warehouse database %s already holds %lld pack; "
                                         "demo data go only into an empty one.",
                                         "The warehouse database %s already holds %lld packs; "
                                         "demo data go only into an empty one.", (gulong) existing),
                            qoima_store_get_path (store), (long long) existing);
      return 1;
    }

  qoima_demo_fill_async (store, (int) n_packs, (guint32) seed, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  if (!qoima_demo_fill_finish (store, result, &error))
    return qoimactl_fail (error);

  products = qoima_demo_products ();
  /* Translators: the plural follows the count of packs; the products are always several. */
  printf (g_dngettext (GETTEXT_PACKAGE, "Added %u products, the pharmacy warehouse with its wards, and %lld pack to %s.\n",
                       "Added %u products, the pharmacy warehouse with its wards, and %lld packs to %s.\n", (gulong) n_packs),
          products->len, (long long) n_packs, qoima_store_get_path (store));

  if (copay != NULL)
    {
      g_autoptr(GAsyncResult) copay_result = NULL;
      QoimactlWait copay_wait = QOIMACTL_WAIT_INIT;
      int dispensed;

      qoima_demo_add_copay_async (store, copay_year, copay_month, NULL, qoimactl_wait_cb, &copay_wait);
      copay_result = qoimactl_wait_for_result (&copay_wait);
      if ((dispensed = qoima_demo_add_copay_finish (store, copay_result, &error)) < 0)
        return qoimactl_fail (error);
      printf (g_dngettext (GETTEXT_PACKAGE, "Dispensed %d pack with co-payment in %s.\n",
                           "Dispensed %d packs with co-payment in %s.\n", dispensed), dispensed, copay);
    }

  qoima_store_close (store);
  return 0;
}

/* Writes @text as a JSON string (or null): quotes, backslashes and control characters
 * escaped, so a GS (0x1D) inside a marking code comes out as \u001d. */
static void
write_json_string (FILE       *out,
                   const char *text)
{
  if (text == NULL)
    {
      fputs ("null", out);
      return;
    }

  fputc ('"', out);
  for (const char *p = text; *p != '\0'; p++)
    {
      unsigned char c = (unsigned char) *p;

      switch (c)
        {
        case '"':
          fputs ("\\\"", out);
          break;
        case '\\':
          fputs ("\\\\", out);
          break;
        case '\n':
          fputs ("\\n", out);
          break;
        case '\r':
          fputs ("\\r", out);
          break;
        case '\t':
          fputs ("\\t", out);
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            fprintf (out, "\\u%04x", c);
          else
            fputc (c, out);
          break;
        }
    }
  fputc ('"', out);
}

static void
write_json_member (FILE       *out,
                   const char *name,
                   const char *text,
                   gboolean    last)
{
  fprintf (out, "\"%s\": ", name);
  write_json_string (out, text);
  fputs (last ? "" : ", ", out);
}

static void
write_json_int_member (FILE       *out,
                       const char *name,
                       int         value,
                       gboolean    known,
                       gboolean    last)
{
  if (known)
    fprintf (out, "\"%s\": %d%s", name, value, last ? "" : ", ");
  else
    fprintf (out, "\"%s\": null%s", name, last ? "" : ", ");
}

static void
write_pack (FILE      *out,
            QoimaPack *pack)
{
  QoimaProduct *product = qoima_pack_get_product (pack);
  QoimaLocation *location = qoima_pack_get_location (pack);
  int units_left = qoima_pack_get_units_left (pack);
  int units_per_pack = qoima_product_get_units_per_pack (product);

  fputs ("  {", out);
  write_json_member (out, "ki", qoima_pack_get_ki (pack), FALSE);
  write_json_member (out, "km", qoima_pack_get_km (pack), FALSE);
  write_json_member (out, "gtin", qoima_product_get_gtin (product), FALSE);
  write_json_member (out, "serial", qoima_pack_get_serial (pack), FALSE);
  write_json_member (out, "product", qoima_product_get_name (product), FALSE);
  write_json_member (out, "inn", qoima_product_get_inn (product), FALSE);
  write_json_member (out, "batch", qoima_pack_get_batch (pack), FALSE);
  write_json_member (out, "expiry", qoima_pack_get_expiry (pack), FALSE);
  write_json_member (out, "status", qoima_pack_status_to_nick (qoima_pack_get_status (pack)), FALSE);
  write_json_member (out, "location", qoima_location_get_name (location), FALSE);
  write_json_int_member (out, "units_left", units_left, units_left >= 0, FALSE);
  write_json_int_member (out, "units_per_pack", units_per_pack, units_per_pack > 0, TRUE);
  fputc ('}', out);
}

int
qoimactl_stock (QoimactlOptions  *options,
                int               argc,
                char            **argv)
{
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  gboolean first = TRUE;
  gint64 after_id = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else
        {
          json = FALSE;
          break;
        }
    }

  if (!json)
    {
      fprintf (stderr, _("Usage: qoimactl [--db PATH] stock --json\n"));
      return 2;
    }

  store = qoimactl_open_store (options, &error);
  if (store == NULL)
    return qoimactl_fail (error);

  /* A page at a time: a million packs never sit in memory together, and the output
   * starts at once. The first page is read before anything is written, so that a
   * failure on it leaves standard output empty. */
  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GListModel) page = NULL;
      QoimactlWait wait = QOIMACTL_WAIT_INIT;
      unsigned n;

      qoima_store_list_packs_page_async (store, after_id, STOCK_PAGE_PACKS, NULL, qoimactl_wait_cb, &wait);
      result = qoimactl_wait_for_result (&wait);
      page = qoima_store_list_packs_page_finish (store, result, &error);
      if (page == NULL)
        {
          if (!first)
            fputs ("\n]\n", stdout);
          return qoimactl_fail (error);
        }

      n = g_list_model_get_n_items (page);
      if (first)
        fputs ("[", stdout);

      for (unsigned i = 0; i < n; i++)
        {
          g_autoptr(QoimaPack) pack = g_list_model_get_item (page, i);

          fputs (first ? "\n" : ",\n", stdout);
          write_pack (stdout, pack);
          first = FALSE;
          after_id = qoima_pack_get_id (pack);
        }

      if (n < STOCK_PAGE_PACKS)
        break;
    }

  fputs (first ? "]\n" : "\n]\n", stdout);
  qoima_store_close (store);

  if (fflush (stdout) != 0 || ferror (stdout))
    {
      qoimactl_print_error ("%s", _("The list could not be written."));
      return 1;
    }

  return 0;
}
