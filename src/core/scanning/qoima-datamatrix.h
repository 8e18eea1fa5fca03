/* qoima-datamatrix.h: GS1 DataMatrix with libdmtx, on raw pixel buffers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <gio/gio.h>

G_BEGIN_DECLS

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
 * Encodes a GS1 DataMatrix (first codeword FNC1, every GS as FNC1, `]d2` when read).
 *
 * Returns: (transfer full): 8-bit greyscale pixels (0 black, 255 white), or %NULL
 */
GBytes *qoima_datamatrix_encode_gs1 (const char *data,
                                     int         module_size,
                                     int         margin,
                                     int        *width,
                                     int        *height,
                                     int        *stride,
                                     GError    **error);

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
char   *qoima_datamatrix_decode     (GBytes     *pixels,
                                     int         width,
                                     int         height,
                                     int         stride,
                                     unsigned    timeout_ms,
                                     gboolean   *is_gs1,
                                     GError    **error);

/**
 * QoimaDatamatrixDecoder:
 * @QOIMA_DATAMATRIX_DECODER_ZXING: ZXing-C++ (fast, returns at once on an image without a symbol)
 * @QOIMA_DATAMATRIX_DECODER_LIBDMTX: libdmtx (slow to give up, so it runs on what time is left)
 *
 * Which library found a symbol in qoima_datamatrix_find().
 */
typedef enum {
  QOIMA_DATAMATRIX_DECODER_ZXING,
  QOIMA_DATAMATRIX_DECODER_LIBDMTX,
} QoimaDatamatrixDecoder;

/* What a photo gets when the caller has no reason to choose: under the 150 ms for
 * "not found", as libdmtx looks at its deadline only between steps. */
#define QOIMA_DATAMATRIX_PHOTO_BUDGET_MS 120

/**
 * qoima_datamatrix_find:
 * @pixels: 8-bit greyscale pixels
 * @width: image width
 * @height: image height
 * @stride: bytes per row
 * @budget_ms: the time the whole search may take
 * @decoder: (out) (optional): which library found the symbol
 * @is_gs1: (out) (optional): whether the symbol started with FNC1 (`]d2`)
 * @error: a #GError (G_IO_ERROR_NOT_FOUND when no symbol was found)
 *
 * Finds a DataMatrix in a photo or a scanned image: ZXing-C++ on the whole image and on
 * overlapping regions, at full and half size (Debian's 1.4 misses symbols away from the
 * centre), then libdmtx on the time left of @budget_ms.
 *
 * Returns: (transfer full): the data with GS separators and no leading GS, or %NULL
 */
char   *qoima_datamatrix_find       (GBytes     *pixels,
                                     int         width,
                                     int         height,
                                     int         stride,
                                     unsigned    budget_ms,
                                     QoimaDatamatrixDecoder *decoder,
                                     gboolean   *is_gs1,
                                     GError    **error);

/**
 * qoima_datamatrix_grey_from_rgb:
 * @data: packed pixels, 3 or 4 bytes each (RGB or RGBA; alpha is laid on white)
 * @width: image width
 * @height: image height
 * @stride: bytes per row
 * @channels: 3 or 4
 *
 * Returns: (transfer full): 8-bit greyscale pixels, @width bytes per row
 */
GBytes *qoima_datamatrix_grey_from_rgb (const guint8 *data,
                                        int           width,
                                        int           height,
                                        int           stride,
                                        int           channels);

/**
 * qoima_datamatrix_draw_gs1:
 * @cr: where to draw (a print context's, or an image surface's)
 * @data: the pack's own marking code, as qoima_datamatrix_encode_gs1() takes it
 * @x: left edge of the symbol, in @cr's units
 * @y: top edge
 * @side: the symbol's side without its quiet zone, in @cr's units
 * @error: a #GError
 *
 * Draws the GS1 DataMatrix of @data as filled squares, one per dark module, in black, so
 * it stays sharp at any printer resolution. The caller leaves a white quiet zone of at
 * least one module around it.
 *
 * Returns: %TRUE when drawn
 */
gboolean qoima_datamatrix_draw_gs1 (cairo_t    *cr,
                                    const char *data,
                                    double      x,
                                    double      y,
                                    double      side,
                                    GError    **error);

G_END_DECLS
