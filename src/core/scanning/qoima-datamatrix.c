/* qoima-datamatrix.c: GS1 DataMatrix with libdmtx, on raw pixel buffers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-datamatrix"

#include "config.h"

#include "qoima-datamatrix.h"
#include "qoima-datamatrix-zxing.h"

#include <dmtx.h>
#include <glib/gi18n.h>
#include <string.h>

#define GS_CHAR 0x1d

/* The DataMatrix codeword for FNC1: in first position it marks the symbol as GS1. */
#define CODEWORD_FNC1 232

/* libdmtx's destroy functions take a pointer to the pointer. */
static void
dmtx_encode_free (DmtxEncode *enc)
{
  dmtxEncodeDestroy (&enc);
}

static void
dmtx_image_free (DmtxImage *img)
{
  dmtxImageDestroy (&img);
}

static void
dmtx_decode_free (DmtxDecode *dec)
{
  dmtxDecodeDestroy (&dec);
}

static void
dmtx_region_free (DmtxRegion *reg)
{
  dmtxRegionDestroy (&reg);
}

static void
dmtx_message_free (DmtxMessage *msg)
{
  dmtxMessageDestroy (&msg);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmtxEncode, dmtx_encode_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmtxImage, dmtx_image_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmtxDecode, dmtx_decode_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmtxRegion, dmtx_region_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmtxMessage, dmtx_message_free)

static gboolean check_size (GBytes *pixels, int width, int height, int stride, GError **error);

/**
 * qoima_datamatrix_encode_gs1:
 * @data: the element strings with 0x1D separators, no leading FNC1 (it is added)
 * @module_size: pixels per module
 * @margin: quiet zone in modules
 * @width: (out): image width in pixels
 * @height: (out): image height in pixels
 * @stride: (out): bytes per row
 * @error: a #GError
 *
 * Encodes a GS1 DataMatrix (first codeword FNC1, every GS as FNC1, `]d2` when read):
 * ASCII scheme, the smallest square size that fits.
 *
 * Returns: (transfer full): 8-bit greyscale pixels (0 black, 255 white), or %NULL
 */
GBytes *
qoima_datamatrix_encode_gs1 (const char *data,
                             int         module_size,
                             int         margin,
                             int        *width,
                             int        *height,
                             int        *stride,
                             GError    **error)
{
  g_autoptr(DmtxEncode) enc = NULL;
  g_autofree unsigned char *input = NULL;
  g_autofree guint8 *grey = NULL;
  size_t data_len;
  DmtxImage *image;
  int w, h, bytes_per_pixel, row_size;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (module_size > 0, NULL);
  g_return_val_if_fail (margin >= 0, NULL);
  g_return_val_if_fail (width != NULL && height != NULL && stride != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data_len = strlen (data);
  if (data_len == 0 || data[0] == GS_CHAR)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The marking code is empty or starts with a separator"));
      return NULL;
    }

  /* With DmtxPropFnc1 = GS every GS becomes codeword 232; the leading one makes the
   * symbol GS1 (`]d2`). Without it a checker reads a plain DataMatrix (`]d1`). */
  input = g_malloc (data_len + 1);
  input[0] = GS_CHAR;
  memcpy (input + 1, data, data_len);

  enc = dmtxEncodeCreate ();
  if (enc == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not start the DataMatrix encoder"));
      return NULL;
    }
  dmtxEncodeSetProp (enc, DmtxPropScheme, DmtxSchemeAscii);
  dmtxEncodeSetProp (enc, DmtxPropSizeRequest, DmtxSymbolSquareAuto);
  dmtxEncodeSetProp (enc, DmtxPropModuleSize, module_size);
  /* libdmtx counts the margin in pixels. */
  dmtxEncodeSetProp (enc, DmtxPropMarginSize, margin * module_size);
  dmtxEncodeSetProp (enc, DmtxPropFnc1, GS_CHAR);
  dmtxEncodeSetProp (enc, DmtxPropPixelPacking, DmtxPack24bppRGB);

  if (dmtxEncodeDataMatrix (enc, (int) data_len + 1, input) != DmtxPass || enc->image == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The marking code does not fit in a DataMatrix symbol"));
      return NULL;
    }

  image = enc->image;
  w = dmtxImageGetProp (image, DmtxPropWidth);
  h = dmtxImageGetProp (image, DmtxPropHeight);
  bytes_per_pixel = dmtxImageGetProp (image, DmtxPropBytesPerPixel);
  row_size = dmtxImageGetProp (image, DmtxPropRowSizeBytes);
  g_assert (bytes_per_pixel == 3);

  /* libdmtx draws black and white only, so one channel is the grey value. */
  grey = g_malloc ((size_t) w * h);
  for (int y = 0; y < h; y++)
    {
      const unsigned char *row = image->pxl + (size_t) y * row_size;

      for (int x = 0; x < w; x++)
        {
          const unsigned char *px = row + (size_t) x * bytes_per_pixel;

          grey[(size_t) y * w + x] = (guint8) ((px[0] * 77 + px[1] * 150 + px[2] * 29) >> 8);
        }
    }

  *width = w;
  *height = h;
  *stride = w;
  return g_bytes_new_take (g_steal_pointer (&grey), (size_t) w * h);
}

/**
 * qoima_datamatrix_decode:
 * @pixels: 8-bit greyscale pixels
 * @width: image width
 * @height: image height
 * @stride: bytes per row
 * @timeout_ms: give up after this long (libdmtx may otherwise search for minutes)
 * @is_gs1: (out) (optional): whether the symbol started with FNC1 (`]d2`)
 * @error: a #GError (G_IO_ERROR_NOT_FOUND when no symbol was found)
 *
 * Returns: (transfer full): the data with GS separators and no leading GS, or %NULL
 */
char *
qoima_datamatrix_decode (GBytes     *pixels,
                         int         width,
                         int         height,
                         int         stride,
                         unsigned    timeout_ms,
                         gboolean   *is_gs1,
                         GError    **error)
{
  g_autofree unsigned char *copy = NULL;
  g_autoptr(DmtxImage) img = NULL;
  g_autoptr(DmtxDecode) dec = NULL;
  g_autoptr(DmtxMessage) msg = NULL;
  DmtxTime deadline;
  const unsigned char *out;
  size_t out_len;
  size_t size;
  gboolean gs1;

  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (stride >= width, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_size (pixels, width, height, stride, error))
    return NULL;
  size = g_bytes_get_size (pixels);

  /* libdmtx takes a non-const buffer and keeps it for the image's life. */
  copy = g_memdup2 (g_bytes_get_data (pixels, NULL), size);

  img = dmtxImageCreate (copy, width, height, DmtxPack8bppK);
  if (img == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not read the image"));
      return NULL;
    }
  dmtxImageSetProp (img, DmtxPropRowPadBytes, stride - width);

  dec = dmtxDecodeCreate (img, 1);
  if (dec == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not start the DataMatrix decoder"));
      return NULL;
    }
  /* Without this libdmtx drops every FNC1 and the GS separators with it. */
  dmtxDecodeSetProp (dec, DmtxPropFnc1, GS_CHAR);

  deadline = dmtxTimeAdd (dmtxTimeNow (), timeout_ms);
  while (msg == NULL)
    {
      g_autoptr(DmtxRegion) reg = dmtxRegionFindNext (dec, &deadline);

      if (reg == NULL)
        break;
      msg = dmtxDecodeMatrixRegion (dec, reg, DmtxUndefined);
    }

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No DataMatrix symbol was found in the image"));
      return NULL;
    }

  /* The first data codeword tells GS1 (FNC1) from a plain symbol whose data merely begins
   * with a literal GS. */
  gs1 = msg->code != NULL && msg->code[0] == CODEWORD_FNC1;
  out = msg->output;
  out_len = msg->outputIdx;
  if (gs1 && out_len > 0 && out[0] == GS_CHAR)
    {
      out++;
      out_len--;
    }

  if (is_gs1 != NULL)
    *is_gs1 = gs1;
  return g_strndup ((const char *) out, out_len);
}

/* Whether the image buffer holds what its size says (shared by the decoders). */
static gboolean
check_size (GBytes  *pixels,
            int      width,
            int      height,
            int      stride,
            GError **error)
{
  if (g_bytes_get_size (pixels) < (size_t) stride * (height - 1) + width)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The image is smaller than its size says"));
      return FALSE;
    }
  return TRUE;
}

/* ZXing-C++ 1.4 (bookworm) finds a DataMatrix only near the centre of what it is given:
 * the whole image, then overlapping regions of two thirds of it centred on each quarter,
 * cover any place a symbol of up to a third of the image can be. Each costs a few ms. */
static char *
find_zxing (const guint8 *px,
            int           width,
            int           height,
            int           stride,
            gboolean     *is_gs1)
{
  static const double centres[][2] = {
    { 0.5, 0.5 }, { 0.25, 0.25 }, { 0.75, 0.25 }, { 0.25, 0.75 }, { 0.75, 0.75 },
    { 0.5, 0.25 }, { 0.5, 0.75 }, { 0.25, 0.5 }, { 0.75, 0.5 },
  };
  char *found = qoima_datamatrix_zxing_decode (px, width, height, stride, is_gs1);
  int rw = width * 2 / 3;
  int rh = height * 2 / 3;

  /* Small images are already a region. */
  if (found != NULL || width < 300 || height < 300)
    return found;

  for (size_t i = 0; i < G_N_ELEMENTS (centres) && found == NULL; i++)
    {
      int x0 = CLAMP ((int) (centres[i][0] * width) - rw / 2, 0, width - rw);
      int y0 = CLAMP ((int) (centres[i][1] * height) - rh / 2, 0, height - rh);

      found = qoima_datamatrix_zxing_decode (px + (size_t) y0 * stride + x0, rw, rh, stride, is_gs1);
    }
  return found;
}

/* Large modules, a blur or a 45° turn defeat ZXing-C++'s detector at full size more often
 * than at half size (measured with qoima-bench-image), and half size costs a quarter. */
static char *
find_zxing_half (const guint8 *px,
                 int           width,
                 int           height,
                 int           stride,
                 gboolean     *is_gs1)
{
  int hw = width / 2, hh = height / 2;
  g_autofree guint8 *half = NULL;

  if (hw < 300 || hh < 300)
    return NULL;
  half = g_malloc ((size_t) hw * hh);
  for (int y = 0; y < hh; y++)
    {
      const guint8 *r0 = px + (size_t) 2 * y * stride;
      const guint8 *r1 = r0 + stride;

      for (int x = 0; x < hw; x++)
        half[(size_t) y * hw + x] = (guint8) ((r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] + 2) / 4);
    }
  return find_zxing (half, hw, hh, hw, is_gs1);
}

char *
qoima_datamatrix_find (GBytes                 *pixels,
                       int                     width,
                       int                     height,
                       int                     stride,
                       unsigned                budget_ms,
                       QoimaDatamatrixDecoder *decoder,
                       gboolean               *is_gs1,
                       GError                **error)
{
  gint64 start = g_get_monotonic_time ();
  gint64 spent_ms;
  char *found;

  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (stride >= width, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_size (pixels, width, height, stride, error))
    return NULL;

  found = find_zxing (g_bytes_get_data (pixels, NULL), width, height, stride, is_gs1);
  if (found == NULL)
    found = find_zxing_half (g_bytes_get_data (pixels, NULL), width, height, stride, is_gs1);
  if (found != NULL)
    {
      if (decoder != NULL)
        *decoder = QOIMA_DATAMATRIX_DECODER_ZXING;
      return found;
    }

  /* libdmtx reads some damaged symbols ZXing-C++ does not, but searches an image without
   * one for seconds: it gets only what is left of the budget. */
  spent_ms = (g_get_monotonic_time () - start) / 1000;
  if (spent_ms + 5 >= budget_ms)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No DataMatrix symbol was found in the image"));
      return NULL;
    }
  found = qoima_datamatrix_decode (pixels, width, height, stride,
                                   budget_ms - (unsigned) spent_ms, is_gs1, error);
  if (found != NULL && decoder != NULL)
    *decoder = QOIMA_DATAMATRIX_DECODER_LIBDMTX;
  return found;
}

GBytes *
qoima_datamatrix_grey_from_rgb (const guint8 *data,
                                int           width,
                                int           height,
                                int           stride,
                                int           channels)
{
  guint8 *grey;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (channels == 3 || channels == 4, NULL);
  g_return_val_if_fail (stride >= width * channels, NULL);

  grey = g_malloc ((size_t) width * height);
  for (int y = 0; y < height; y++)
    {
      const guint8 *row = data + (size_t) y * stride;

      for (int x = 0; x < width; x++)
        {
          const guint8 *p = row + (size_t) x * channels;
          unsigned v = (p[0] * 77u + p[1] * 150u + p[2] * 29u) >> 8;

          /* A transparent background is paper, not black. */
          if (channels == 4)
            v = (v * p[3] + 255u * (255u - p[3])) / 255u;
          grey[(size_t) y * width + x] = (guint8) v;
        }
    }
  return g_bytes_new_take (grey, (size_t) width * height);
}

gboolean
qoima_datamatrix_draw_gs1 (cairo_t    *cr,
                           const char *data,
                           double      x,
                           double      y,
                           double      side,
                           GError    **error)
{
  g_autoptr(GBytes) modules = NULL;
  const guint8 *px;
  int w, h, stride;
  double module;

  g_return_val_if_fail (cr != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (side > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* One pixel per module and no margin: the pixels are the module grid. */
  modules = qoima_datamatrix_encode_gs1 (data, 1, 0, &w, &h, &stride, error);
  if (modules == NULL)
    return FALSE;

  px = g_bytes_get_data (modules, NULL);
  module = side / MAX (w, h);
  cairo_save (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  /* Whole-module rectangles in one path: neighbours meet without hairline gaps. */
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  for (int row = 0; row < h; row++)
    for (int col = 0; col < w; col++)
      if (px[row * stride + col] < 128)
        cairo_rectangle (cr, x + col * module, y + row * module, module, module);
  cairo_fill (cr);
  cairo_restore (cr);
  return TRUE;
}
