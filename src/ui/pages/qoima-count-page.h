/* qoima-count-page.h: a stock count (инвентаризация) of the warehouse or a ward, by scanning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-store-counts.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_COUNT_PAGE (qoima_count_page_get_type ())

G_DECLARE_FINAL_TYPE (QoimaCountPage, qoima_count_page, QOIMA, COUNT_PAGE, AdwBin)

/* Signals:
 *   ::scan-handled (QoimaCountPage *self): a scan was counted or refused.
 *   ::signed-off (QoimaCountPage *self): the chief's sign-off corrected the book.
 * Properties: context (construct-only). */

QoimaCountPage *qoima_count_page_new              (QoimaContext   *context);
/* Loads the locations the signed-in user may count and the count in progress, if any; the
 * page does so again each time it is shown. */
void            qoima_count_page_start            (QoimaCountPage *self);
/* Chooses the location counted by its id; FALSE when the user may not count it. */
gboolean        qoima_count_page_set_location     (QoimaCountPage *self,
                                                   gint64          location_id);
/* Counts a scanned pack or box into the count in progress; always handles the scan
 * (returns %TRUE) once the page has a context, saying why when it is refused. */
gboolean        qoima_count_page_take_scan        (QoimaCountPage *self,
                                                   const char     *text);
/* The count shown, or NULL when the location has none in progress. (transfer none) */
QoimaCount     *qoima_count_page_get_count        (QoimaCountPage *self);
/* What the last scan did, as shown under it. */
const char     *qoima_count_page_get_scan_message (QoimaCountPage *self);

typedef enum {
  QOIMA_COUNT_EXPORT_PDF,
  QOIMA_COUNT_EXPORT_XLSX,
} QoimaCountExport;

/* Writes the result of the count shown (as the store has it now) to @file, off the main
 * loop: what is missing, what is not on the book and why, opened packs' units, the tally. */
void            qoima_count_page_export_async     (QoimaCountPage      *self,
                                                   QoimaCountExport     format,
                                                   GFile               *file,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean        qoima_count_page_export_finish    (QoimaCountPage      *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
