/* test-datamatrix.c: GS1 DataMatrix encode and decode with libdmtx
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-calibration.h"
#include "qoima-datamatrix.h"
#include "qoima-datamatrix-zxing.h"
#include "qoima-gs1.h"
#include "qoima-test-photo.h"

#include <dmtx.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

typedef struct {
  GBytes *pixels;
  int width;
  int height;
  int stride;
} Image;

static void
image_clear (Image *image)
{
  g_clear_pointer (&image->pixels, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Image, image_clear)

/* The input of a vector from gs1-vectors.json, read with json-glib. */
static char *
vector_input (const char *id)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "gs1-vectors.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *vectors;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  vectors = json_node_get_array (json_parser_get_root (parser));
  for (unsigned i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *vector = json_array_get_object_element (vectors, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (vector, "id", NULL), id) == 0)
        return g_strdup (json_object_get_string_member (vector, "input"));
    }
  g_assert_not_reached ();
}

static void
encode (const char *data,
        int         module_size,
        int         margin,
        Image      *image)
{
  g_autoptr(GError) error = NULL;

  image->pixels = qoima_datamatrix_encode_gs1 (data, module_size, margin,
                                               &image->width, &image->height, &image->stride,
                                               &error);
  g_assert_no_error (error);
  g_assert_nonnull (image->pixels);
  g_assert_cmpint (image->stride, >=, image->width);
  g_assert_cmpuint (g_bytes_get_size (image->pixels), >=, (size_t) image->stride * image->height);
}

static void
assert_round_trip (const char *data)
{
  g_auto(Image) image = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *decoded = NULL;
  gboolean is_gs1 = FALSE;
  const guint8 *px;

  encode (data, 4, 2, &image);

  /* Square, whole modules, a white quiet zone, pure black and white. */
  g_assert_cmpint (image.width, ==, image.height);
  g_assert_cmpint (image.width % 4, ==, 0);
  px = g_bytes_get_data (image.pixels, NULL);
  for (int y = 0; y < image.height; y++)
    for (int x = 0; x < image.width; x++)
      {
        guint8 v = px[y * image.stride + x];

        g_assert_true (v == 0 || v == 255);
        if (x < 8 || y < 8 || x >= image.width - 8 || y >= image.height - 8)
          g_assert_cmpint (v, ==, 255);
      }

  decoded = qoima_datamatrix_decode (image.pixels, image.width, image.height, image.stride,
                                     5000, &is_gs1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded, ==, data);
  g_assert_true (is_gs1);
}

static void
test_round_trip_calibration (void)
{
  assert_round_trip (qoima_calibration_code ());
}

static void
test_round_trip_pharma (void)
{
  g_autofree char *v01 = vector_input ("V01");

  g_assert_nonnull (strchr (v01, '\x1d'));
  assert_round_trip (v01);
}

static void
test_symbol_size (void)
{
  g_autofree char *v01 = vector_input ("V01");
  g_auto(Image) image = { 0 };

  /* The full pharma code is a 36x36 symbol (datamatrix-and-scanners.md §1.1). */
  encode (v01, 3, 1, &image);
  g_assert_cmpint (image.width, ==, (36 + 2) * 3);
}

static void
test_padded_stride (void)
{
  g_autofree char *v01 = vector_input ("V01");
  g_auto(Image) image = { 0 };
  g_autoptr(GBytes) padded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *decoded = NULL;
  int stride;
  guint8 *buf;

  /* GdkTexture downloads come with row padding; fill the padding with black to prove
   * the decoder skips it. */
  encode (v01, 3, 2, &image);
  stride = image.width + 13;
  buf = g_malloc0 ((size_t) stride * image.height);
  for (int y = 0; y < image.height; y++)
    memcpy (buf + (size_t) y * stride,
            (const guint8 *) g_bytes_get_data (image.pixels, NULL) + (size_t) y * image.stride,
            image.width);
  padded = g_bytes_new_take (buf, (size_t) stride * image.height);

  decoded = qoima_datamatrix_decode (padded, image.width, image.height, stride, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded, ==, v01);
}

static void
test_plain_symbol_not_gs1 (void)
{
  const char *data = "\x1d" "0104607000000014215AbCdEfGh1234";
  DmtxEncode *enc = dmtxEncodeCreate ();
  g_autoptr(GBytes) pixels = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *decoded = NULL;
  gboolean is_gs1 = TRUE;
  guint8 *grey;
  int w, h;

  /* A plain symbol whose data begins with a literal GS (codeword 30) is not GS1, although
   * it decodes to the same leading GS. */
  dmtxEncodeSetProp (enc, DmtxPropScheme, DmtxSchemeAscii);
  dmtxEncodeSetProp (enc, DmtxPropModuleSize, 4);
  dmtxEncodeSetProp (enc, DmtxPropMarginSize, 8);
  g_assert_cmpint (dmtxEncodeDataMatrix (enc, strlen (data), (unsigned char *) data), ==, DmtxPass);
  w = enc->image->width;
  h = enc->image->height;
  grey = g_malloc ((size_t) w * h);
  for (int i = 0; i < w * h; i++)
    grey[i] = enc->image->pxl[i * 3];
  dmtxEncodeDestroy (&enc);
  pixels = g_bytes_new_take (grey, (size_t) w * h);

  decoded = qoima_datamatrix_decode (pixels, w, h, w, 5000, &is_gs1, &error);
  g_assert_no_error (error);
  g_assert_false (is_gs1);
  g_assert_cmpstr (decoded, ==, data);
}

static void
assert_not_found_in_time (GBytes *pixels,
                          int     size,
                          unsigned timeout_ms)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *decoded = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed_ms;

  decoded = qoima_datamatrix_decode (pixels, size, size, size, timeout_ms, NULL, &error);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("No symbol: %" G_GINT64_FORMAT " ms with a %u ms timeout", elapsed_ms, timeout_ms);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (decoded);
  /* The timeout is checked between scan steps, so allow some slack, but not libdmtx's
   * seconds-to-minutes of a full search. */
  g_assert_cmpint (elapsed_ms, <, timeout_ms + 1000);
}

static void
test_blank_not_found (void)
{
  const int size = 800;
  guint8 *white = g_malloc ((size_t) size * size);
  g_autoptr(GBytes) pixels = NULL;

  memset (white, 255, (size_t) size * size);
  pixels = g_bytes_new_take (white, (size_t) size * size);
  assert_not_found_in_time (pixels, size, 300);
}

static void
test_clutter_not_found (void)
{
  const int size = 1000;
  guint8 *clutter = g_malloc ((size_t) size * size);
  g_autoptr(GBytes) pixels = NULL;
  GRand *rand = g_rand_new_with_seed (29);

  /* Random blocks of a few pixels: edges everywhere, which is what makes libdmtx search
   * for seconds without a timeout. */
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      {
        if (x % 5 == 0 && y % 5 == 0)
          clutter[y * size + x] = g_rand_boolean (rand) ? 0 : 255;
        else
          clutter[y * size + x] = clutter[(y - y % 5) * size + (x - x % 5)];
      }
  g_rand_free (rand);
  pixels = g_bytes_new_take (clutter, (size_t) size * size);
  assert_not_found_in_time (pixels, size, 300);
}

static void
test_encode_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pixels = NULL;
  g_autofree char *too_long = g_strnfill (4000, 'A');
  int w, h, stride;

  pixels = qoima_datamatrix_encode_gs1 ("", 4, 2, &w, &h, &stride, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (pixels);
  g_clear_error (&error);

  pixels = qoima_datamatrix_encode_gs1 (too_long, 4, 2, &w, &h, &stride, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (pixels);
}

/* Writes a binary PGM, which dmtxread (through ImageMagick) reads. */
static char *
write_pgm (const Image *image,
           const char  *name)
{
  g_autofree char *dir = g_dir_make_tmp ("qoima-datamatrix-XXXXXX", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GString) pgm = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const guint8 *px = g_bytes_get_data (image->pixels, NULL);

  g_assert_nonnull (dir);
  path = g_build_filename (dir, name, NULL);
  g_string_printf (pgm, "P5\n%d %d\n255\n", image->width, image->height);
  for (int y = 0; y < image->height; y++)
    g_string_append_len (pgm, (const char *) px + (size_t) y * image->stride, image->width);
  g_file_set_contents (path, pgm->str, pgm->len, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static char *
run_dmtxread (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("dmtxread stderr: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static void
test_dmtxread (void)
{
  g_autofree char *dmtxread = g_find_program_in_path ("dmtxread");
  g_autofree char *v01 = vector_input ("V01");
  g_auto(Image) image = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *data = NULL;
  g_autofree char *codewords = NULL;
  g_auto(GStrv) lines = NULL;

  if (dmtxread == NULL)
    {
      g_test_skip ("dmtxread (dmtx-utils) is not installed");
      return;
    }

  /* A reader the project did not write agrees: GS1 mode gives the leading FNC1 as GS,
   * and the first codeword is FNC1 (232). */
  encode (v01, 4, 2, &image);
  path = write_pgm (&image, "v01.pgm");

  {
    const char *argv[] = { dmtxread, "-N1", "-m5000", "-G", "29", path, NULL };

    data = run_dmtxread (argv);
  }
  expected = g_strconcat ("\x1d", v01, NULL);
  g_assert_cmpstr (data, ==, expected);

  {
    const char *argv[] = { dmtxread, "-N1", "-m5000", "-c", path, NULL };

    codewords = run_dmtxread (argv);
  }
  g_test_message ("dmtxread -c: %.60s…", codewords);
  lines = g_strsplit (codewords, "\n", -1);
  g_assert_nonnull (lines[0]);
  g_assert_true (g_str_has_prefix (lines[0], "d:232"));

  g_assert_no_errno (g_remove (path));
}

#define PHOTO_SIZE 1000

/* Every kind of photo (rotated, blurred, noisy, off-centre, faint) gives back the code.
 * The budget here is generous: a loaded test machine must not make this fail; how fast
 * it is, is the benchmark's figure (qoima-bench-image). */
static void
test_photo_found (void)
{
  g_autofree char *v01 = vector_input ("V01");

  for (size_t k = 0; k < qoima_test_n_photos; k++)
    {
      g_autoptr(GBytes) photo = qoima_test_photo_render (v01, &qoima_test_photos[k], PHOTO_SIZE, 100 + k);
      g_autoptr(GError) error = NULL;
      g_autofree char *decoded = NULL;
      QoimaDatamatrixDecoder decoder = -1;
      gboolean is_gs1 = FALSE;

      decoded = qoima_datamatrix_find (photo, PHOTO_SIZE, PHOTO_SIZE, PHOTO_SIZE, 10000,
                                       &decoder, &is_gs1, &error);
      g_test_message ("%s: found by %s", qoima_test_photos[k].name,
                      decoder == QOIMA_DATAMATRIX_DECODER_ZXING ? "ZXing-C++" : "libdmtx");
      g_assert_no_error (error);
      g_assert_cmpstr (decoded, ==, v01);
      g_assert_true (is_gs1);
    }
}

/* The same printed clutter without a symbol: nothing, and no false reading. */
static void
test_photo_none (void)
{
  for (guint32 seed = 1; seed <= 2; seed++)
    {
      g_autoptr(GBytes) photo = qoima_test_photo_render (NULL, &qoima_test_photos[seed], PHOTO_SIZE, seed);
      g_autoptr(GError) error = NULL;
      g_autofree char *decoded = NULL;
      gint64 start = g_get_monotonic_time ();

      decoded = qoima_datamatrix_find (photo, PHOTO_SIZE, PHOTO_SIZE, PHOTO_SIZE,
                                       QOIMA_DATAMATRIX_PHOTO_BUDGET_MS, NULL, NULL, &error);
      g_test_message ("No symbol: %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_assert_null (decoded);
      /* Loose: the budget bounds libdmtx's seconds-long search; the figure is the benchmark's. */
      g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, <, QOIMA_DATAMATRIX_PHOTO_BUDGET_MS + 2000);
    }
}

/* Both libraries give the GS1 content alike (GS separators, no leading GS, `]d2`), and it
 * parses to the pack's fields as a scanner's text does. */
static void
test_photo_gs1_content (void)
{
  g_autofree char *v01 = vector_input ("V01");
  g_autoptr(GBytes) photo = qoima_test_photo_render (v01, &qoima_test_photos[0], PHOTO_SIZE, 7);
  g_autoptr(GError) error = NULL;
  g_autofree char *by_zxing = NULL;
  g_autofree char *by_dmtx = NULL;
  g_autoptr(QoimaMarkingCode) code = NULL;
  gboolean zxing_gs1 = FALSE, dmtx_gs1 = FALSE;

  by_zxing = qoima_datamatrix_zxing_decode (g_bytes_get_data (photo, NULL), PHOTO_SIZE, PHOTO_SIZE,
                                            PHOTO_SIZE, &zxing_gs1);
  by_dmtx = qoima_datamatrix_decode (photo, PHOTO_SIZE, PHOTO_SIZE, PHOTO_SIZE, 10000, &dmtx_gs1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_zxing, ==, v01);
  g_assert_cmpstr (by_dmtx, ==, v01);
  g_assert_true (zxing_gs1);
  g_assert_true (dmtx_gs1);

  code = qoima_gs1_parse (by_zxing, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code->gtin, ==, "04607000000014");
  g_assert_cmpstr (code->serial, ==, "5AbCdEfGh1234");
  g_assert_cmpstr (code->ki, ==, "0104607000000014215AbCdEfGh1234");
  g_assert_cmpstr (code->km, ==, v01);
}

/* A plain (non-GS1) symbol is told apart by ZXing-C++ too. */
static void
test_zxing_plain_not_gs1 (void)
{
  const char *data = "HELLO-QOIMA";
  DmtxEncode *enc = dmtxEncodeCreate ();
  g_autofree guint8 *grey = NULL;
  g_autofree char *decoded = NULL;
  gboolean is_gs1 = TRUE;
  int w, h;

  dmtxEncodeSetProp (enc, DmtxPropModuleSize, 4);
  dmtxEncodeSetProp (enc, DmtxPropMarginSize, 8);
  g_assert_cmpint (dmtxEncodeDataMatrix (enc, strlen (data), (unsigned char *) data), ==, DmtxPass);
  w = enc->image->width;
  h = enc->image->height;
  grey = g_malloc ((size_t) w * h);
  for (int i = 0; i < w * h; i++)
    grey[i] = enc->image->pxl[i * 3];
  dmtxEncodeDestroy (&enc);

  decoded = qoima_datamatrix_zxing_decode (grey, w, h, w, &is_gs1);
  g_assert_cmpstr (decoded, ==, data);
  g_assert_false (is_gs1);
}

/* A label as printed: the code drawn with cairo at a size that is no whole number of
 * pixels per module, the surface read back, decoded to the same text. */
static void
test_label_drawing_round_trip (void)
{
  g_autofree char *v01 = vector_input ("V01");
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 300, 300);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) grey = NULL;
  g_autofree char *decoded = NULL;
  gboolean is_gs1 = FALSE;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  g_assert_true (qoima_datamatrix_draw_gs1 (cr, v01, 40.5, 37.25, 201.7, &error));
  g_assert_no_error (error);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* ARGB32 is B, G, R, A in memory here; black and white read the same either way. */
  grey = qoima_datamatrix_grey_from_rgb (cairo_image_surface_get_data (surface), 300, 300,
                                         cairo_image_surface_get_stride (surface), 4);
  cairo_surface_destroy (surface);

  decoded = qoima_datamatrix_decode (grey, 300, 300, 300, 5000, &is_gs1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded, ==, v01);
  g_assert_true (is_gs1);
  g_clear_pointer (&decoded, g_free);
  decoded = qoima_datamatrix_zxing_decode (g_bytes_get_data (grey, NULL), 300, 300, 300, &is_gs1);
  g_assert_cmpstr (decoded, ==, v01);
}

static void
test_label_drawing_refuses_empty (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 10, 10);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GError) error = NULL;

  g_assert_false (qoima_datamatrix_draw_gs1 (cr, "", 0, 0, 10, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
test_grey_from_rgb (void)
{
  /* Black, white, pure red, and a transparent black pixel (paper, so white). */
  const guint8 rgba[] = { 0, 0, 0, 255,  255, 255, 255, 255,  255, 0, 0, 255,  0, 0, 0, 0 };
  const guint8 rgb[] = { 0, 0, 0,  255, 255, 255,  0, 0, 0 /* row padding */ };
  g_autoptr(GBytes) a = qoima_datamatrix_grey_from_rgb (rgba, 2, 2, 8, 4);
  g_autoptr(GBytes) b = qoima_datamatrix_grey_from_rgb (rgb, 2, 1, 9, 3);
  const guint8 *pa = g_bytes_get_data (a, NULL);
  const guint8 *pb = g_bytes_get_data (b, NULL);

  g_assert_cmpuint (g_bytes_get_size (a), ==, 4);
  g_assert_cmpint (pa[0], ==, 0);
  g_assert_cmpint (pa[1], ==, 255);
  g_assert_cmpint (pa[2], ==, 76);
  g_assert_cmpint (pa[3], ==, 255);
  g_assert_cmpuint (g_bytes_get_size (b), ==, 2);
  g_assert_cmpint (pb[0], ==, 0);
  g_assert_cmpint (pb[1], ==, 255);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/datamatrix/round-trip/calibration", test_round_trip_calibration);
  g_test_add_func ("/datamatrix/round-trip/pharma", test_round_trip_pharma);
  g_test_add_func ("/datamatrix/symbol-size", test_symbol_size);
  g_test_add_func ("/datamatrix/padded-stride", test_padded_stride);
  g_test_add_func ("/datamatrix/plain-symbol-not-gs1", test_plain_symbol_not_gs1);
  g_test_add_func ("/datamatrix/not-found/blank", test_blank_not_found);
  g_test_add_func ("/datamatrix/not-found/clutter", test_clutter_not_found);
  g_test_add_func ("/datamatrix/encode-errors", test_encode_errors);
  g_test_add_func ("/datamatrix/dmtxread", test_dmtxread);
  g_test_add_func ("/datamatrix/photo/found", test_photo_found);
  g_test_add_func ("/datamatrix/photo/none", test_photo_none);
  g_test_add_func ("/datamatrix/photo/gs1-content", test_photo_gs1_content);
  g_test_add_func ("/datamatrix/zxing/plain-not-gs1", test_zxing_plain_not_gs1);
  g_test_add_func ("/datamatrix/grey-from-rgb", test_grey_from_rgb);
  g_test_add_func ("/datamatrix/label/drawing-round-trip", test_label_drawing_round_trip);
  g_test_add_func ("/datamatrix/label/refuses-empty", test_label_drawing_refuses_empty);

  return g_test_run ();
}
