/* qoima-test-photo.c: photo-like images of a DataMatrix, made by the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-test-photo.h"

#include "qoima-datamatrix.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

const QoimaTestPhoto qoima_test_photos[] = {
  { "centre-5px-0deg",      5.0,   0.0, 0.50, 0.50, 1,  8, 30 },
  { "offcentre-4px-17deg",  4.0,  17.0, 0.30, 0.62, 1, 14, 40 },
  { "corner-6px-45deg",     6.0,  45.0, 0.74, 0.26, 1, 18, 50 },
  { "edge-8px-100deg",      8.0, 100.0, 0.22, 0.30, 2, 12, 35 },
  { "faint-5px-30deg",      5.0,  30.0, 0.60, 0.70, 1, 10, 110 },
  { "blurred-7px-200deg",   7.0, 200.0, 0.45, 0.40, 2, 16, 30 },
};
const size_t qoima_test_n_photos = G_N_ELEMENTS (qoima_test_photos);

/* Paper with uneven light, lines of "text" (short dark bars) and a few ruled lines: edges
 * everywhere, as on a pack, which is what makes a finder search. */
static void
draw_background (guint8 *px,
                 int     size,
                 GRand  *rand)
{
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      px[y * size + x] = (guint8) (200 + 35 * (double) (x + y) / (2 * size));

  for (int line = 0; line < size / 22; line++)
    {
      int y0 = g_rand_int_range (rand, 0, size - 12);
      int x = g_rand_int_range (rand, 0, size / 2);
      int h = g_rand_int_range (rand, 6, 12);
      int end = MIN (size, x + g_rand_int_range (rand, size / 4, size));

      while (x < end)
        {
          int w = g_rand_int_range (rand, 2, 9);

          for (int yy = y0; yy < y0 + h; yy++)
            for (int xx = x; xx < MIN (x + w, size); xx++)
              if (g_rand_int_range (rand, 0, 4) != 0)
                px[yy * size + xx] = (guint8) g_rand_int_range (rand, 20, 90);
          x += w + g_rand_int_range (rand, 1, 6);
        }
    }
  for (int i = 0; i < 6; i++)
    {
      int y = g_rand_int_range (rand, 0, size);

      for (int x = 0; x < size; x++)
        px[y * size + x] = 60;
    }
}

/* Three passes of a box blur, one direction at a time. */
static void
blur (guint8 *px,
      int     size,
      int     radius)
{
  g_autofree guint8 *line = g_malloc (size);

  for (int pass = 0; pass < 3 && radius > 0; pass++)
    for (int dir = 0; dir < 2; dir++)
      for (int i = 0; i < size; i++)
        {
          for (int j = 0; j < size; j++)
            {
              int sum = 0, n = 0;

              for (int k = MAX (0, j - radius); k <= MIN (size - 1, j + radius); k++, n++)
                sum += dir == 0 ? px[i * size + k] : px[k * size + i];
              line[j] = (guint8) (sum / n);
            }
          for (int j = 0; j < size; j++)
            {
              if (dir == 0)
                px[i * size + j] = line[j];
              else
                px[j * size + i] = line[j];
            }
        }
}

GBytes *
qoima_test_photo_render (const char           *data,
                         const QoimaTestPhoto *kind,
                         int                   size,
                         guint32               seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *px = g_malloc ((size_t) size * size);

  draw_background (px, size, rand);

  if (data != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) symbol = NULL;
      const guint8 *spx;
      int sw, sh, sstride;
      double a = kind->angle * G_PI / 180.0;
      double c = cos (a), s = sin (a);
      double cx = kind->cx * size, cy = kind->cy * size;

      /* One pixel per module with a two-module quiet zone; placed by inverse mapping, each
       * photo pixel taking the module under its centre. */
      symbol = qoima_datamatrix_encode_gs1 (data, 1, 2, &sw, &sh, &sstride, &error);
      g_assert_no_error (error);
      spx = g_bytes_get_data (symbol, NULL);
      for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
          {
            double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
            double u = (c * dx + s * dy) / kind->module_px + sw / 2.0;
            double v = (-s * dx + c * dy) / kind->module_px + sh / 2.0;

            if (u >= 0 && v >= 0 && u < sw && v < sh)
              px[y * size + x] = spx[(int) v * sstride + (int) u] ? 225 : (guint8) kind->contrast;
          }
    }

  blur (px, size, kind->blur);
  for (int i = 0; i < size * size; i++)
    {
      int v = px[i] + g_rand_int_range (rand, -kind->noise, kind->noise + 1);

      px[i] = (guint8) CLAMP (v, 0, 255);
    }
  return g_bytes_new_take (px, (size_t) size * size);
}
