/* qoima-pdf-text.h: text laid out on the printed forms (cairo PDF surfaces)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <pango/pangocairo.h>

G_BEGIN_DECLS

/* @text in Sans at @size points, wrapped to @width points (words, then characters, since
 * codes are long), for @cr. (transfer full) */
PangoLayout *qoima_pdf_text_layout  (cairo_t        *cr,
                                     const char     *text,
                                     double          width,
                                     double          size,
                                     gboolean        bold,
                                     PangoAlignment  alignment);
/* The layout's height, in points. */
double       qoima_pdf_text_height  (PangoLayout    *layout);

G_END_DECLS
