/* qoima-count-export.h: a stock count's result as a printable PDF (cairo and pango) and an
 * XLSX workbook (libxlsxwriter): what is missing, what is on the shelf but not on the book
 * with why, the opened packs' units, and the tally per medicine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "qoima-store-counts.h"

G_BEGIN_DECLS

/* Both in the user's language, as the Count page shows the count. */
gboolean qoima_count_write_xlsx (QoimaCount  *count,
                                 const char  *path,
                                 GError     **error);
gboolean qoima_count_write_pdf  (QoimaCount  *count,
                                 const char  *path,
                                 GError     **error);

G_END_DECLS
