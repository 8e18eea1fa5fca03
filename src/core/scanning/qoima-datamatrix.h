/* qoima-datamatrix.h: GS1 DataMatrix with libdmtx, on raw pixel buffers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

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

G_END_DECLS
