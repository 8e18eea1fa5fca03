/* qoima-bench-image.c: how fast a DataMatrix is found in a photo, and how fast it is not
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 1000×1000 photo-like images made here (qoima-test-photo.c: rotated, blurred, noisy,
 * off-centre, faint symbols on printed clutter) and the same clutter without a symbol,
 * decoded three ways side by side:
 *  - libdmtx alone, as the decoder did before photos were read (a 10 s timeout);
 *  - ZXing-C++ alone, one call on the whole image;
 *  - qoima_datamatrix_find(), what the window uses (ZXing-C++ on regions, then libdmtx on
 *    what is left of a 150 ms budget).
 * Prints a table (median and 99th percentile in ms, symbols found), then with --json one
 * line per figure: {"name":…,"unit":"ms","n":…,"median":…,"p99":…}.
 *
 * Usage: qoima-bench-image [--runs N] [--none-runs N] [--json]
 */

#include "config.h"

#include "qoima-datamatrix.h"
#include "qoima-datamatrix-zxing.h"
#include "qoima-test-photo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZE 1000
#define LIBDMTX_TODAY_TIMEOUT_MS 10000

/* The full pharma code of vector V01 (tests/gs1-vectors.json). */
#define CODE "0104607000000014215AbCdEfGh1234" "\x1d" "91EE06" "\x1d" \
             "92tWWb94HnJKPCqjjx1VzokuBwLXwLa7IQbV6wdeFgieI="

typedef enum { LIB_LIBDMTX, LIB_ZXING, LIB_QOIMA, N_LIBS } Lib;
static const char *const lib_names[N_LIBS] = { "libdmtx", "zxing", "qoima" };

typedef struct {
  GArray *ms[N_LIBS];   /* double */
  unsigned hits[N_LIBS];
  unsigned tries[N_LIBS];
} Figures;

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  size_t i;

  if (values->len == 0)
    return 0;
  g_array_sort (values, cmp_double);
  /* Nearest rank: p99 of fewer than 100 runs is the slowest one. */
  i = (size_t) (p * values->len + 0.999999);
  return g_array_index (values, double, CLAMP (i, 1, values->len) - 1);
}

static void
figures_init (Figures *f)
{
  for (int l = 0; l < N_LIBS; l++)
    {
      f->ms[l] = g_array_new (FALSE, FALSE, sizeof (double));
      f->hits[l] = f->tries[l] = 0;
    }
}

static void
figures_clear (Figures *f)
{
  for (int l = 0; l < N_LIBS; l++)
    g_array_unref (f->ms[l]);
}

static void
run_one (Lib         lib,
         GBytes     *image,
         const char *expected,
         Figures    *f,
         Figures    *total)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  gint64 start = g_get_monotonic_time ();
  double ms;

  switch (lib)
    {
    case LIB_LIBDMTX:
      found = qoima_datamatrix_decode (image, SIZE, SIZE, SIZE, LIBDMTX_TODAY_TIMEOUT_MS, NULL, &error);
      break;
    case LIB_ZXING:
      found = qoima_datamatrix_zxing_decode (g_bytes_get_data (image, NULL), SIZE, SIZE, SIZE, NULL);
      break;
    case LIB_QOIMA:
    case N_LIBS:
    default:
      found = qoima_datamatrix_find (image, SIZE, SIZE, SIZE, QOIMA_DATAMATRIX_PHOTO_BUDGET_MS,
                                     NULL, NULL, &error);
      break;
    }
  ms = (g_get_monotonic_time () - start) / 1000.0;

  g_array_append_val (f->ms[lib], ms);
  g_array_append_val (total->ms[lib], ms);
  f->tries[lib]++;
  total->tries[lib]++;
  /* A wrong reading is not a hit, and neither is any reading of an image without a symbol. */
  if (found != NULL && expected != NULL && strcmp (found, expected) == 0)
    {
      f->hits[lib]++;
      total->hits[lib]++;
    }
}

static void
print_row (const char *name,
           Figures    *f,
           gboolean    none)
{
  printf ("%-22s", name);
  for (int l = 0; l < N_LIBS; l++)
    printf (" | %8.1f %8.1f %3u/%-3u", percentile (f->ms[l], 0.5), percentile (f->ms[l], 0.99),
            none ? f->tries[l] - f->hits[l] : f->hits[l], f->tries[l]);
  printf ("\n");
  fflush (stdout);
}

static void
print_json (const char *what,
            Figures    *f)
{
  for (int l = 0; l < N_LIBS; l++)
    printf ("{\"name\":\"image-%s-%s\",\"unit\":\"ms\",\"n\":%u,\"median\":%.2f,\"p99\":%.2f}\n",
            what, lib_names[l], f->ms[l]->len, percentile (f->ms[l], 0.5), percentile (f->ms[l], 0.99));
}

static unsigned
parse_count (const char *text)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 100000, &value, NULL))
    {
      fprintf (stderr, "qoima-bench-image: not a count: %s\n", text);
      exit (2);
    }
  return (unsigned) value;
}

int
main (int    argc,
      char **argv)
{
  unsigned runs = 11, none_runs = 3;
  gboolean json = FALSE;
  Figures found_total, none_total;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        runs = parse_count (argv[++i]);
      else if (g_str_equal (argv[i], "--none-runs") && i + 1 < argc)
        none_runs = parse_count (argv[++i]);
      else if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else
        {
          fprintf (stderr, "Usage: qoima-bench-image [--runs N] [--none-runs N] [--json]\n");
          return 2;
        }
    }

  figures_init (&found_total);
  figures_init (&none_total);
  printf ("DataMatrix in a %dx%d photo, ms: median p99 and found/tries (\"none\" rows: not found/tries)\n",
          SIZE, SIZE);
  printf ("%-22s | %-25s | %-25s | %-25s\n", "image", "libdmtx alone (today)", "ZXing-C++ alone",
          "qoima_datamatrix_find");

  for (size_t k = 0; k < qoima_test_n_photos; k++)
    {
      const QoimaTestPhoto *kind = &qoima_test_photos[k];
      g_autoptr(GBytes) image = qoima_test_photo_render (CODE, kind, SIZE, 100 + k);
      Figures f;

      figures_init (&f);
      for (unsigned r = 0; r < runs; r++)
        for (int l = 0; l < N_LIBS; l++)
          run_one (l, image, CODE, &f, &found_total);
      print_row (kind->name, &f, FALSE);
      figures_clear (&f);
    }
  print_row ("all with a symbol", &found_total, FALSE);

  /* The same clutter without a symbol, on three backgrounds; libdmtx alone searches each
   * for seconds, so it runs fewer times. */
  for (guint32 seed = 1; seed <= 3; seed++)
    {
      g_autoptr(GBytes) image = qoima_test_photo_render (NULL, &qoima_test_photos[seed], SIZE, 200 + seed);
      g_autofree char *name = g_strdup_printf ("none-%u", seed);
      Figures f;

      figures_init (&f);
      for (unsigned r = 0; r < runs; r++)
        for (int l = 0; l < N_LIBS; l++)
          if (l != LIB_LIBDMTX || r < none_runs)
            run_one (l, image, NULL, &f, &none_total);
      print_row (name, &f, TRUE);
      figures_clear (&f);
    }
  print_row ("all without a symbol", &none_total, TRUE);

  if (json)
    {
      print_json ("found", &found_total);
      print_json ("none", &none_total);
    }
  figures_clear (&found_total);
  figures_clear (&none_total);
  return 0;
}
