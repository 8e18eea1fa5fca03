/* qoima-datamatrix-zxing.h: DataMatrix decoding with ZXing-C++, behind a C API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Decodes the first DataMatrix in an 8-bit greyscale image with ZXing-C++.
 * Returns the data with GS separators and no leading GS (as libdmtx's path gives it),
 * or NULL when none was found; *is_gs1 says whether the symbol was GS1 (`]d2`). */
char *qoima_datamatrix_zxing_decode (const guint8 *pixels,
                                     int           width,
                                     int           height,
                                     int           stride,
                                     gboolean     *is_gs1);

G_END_DECLS
