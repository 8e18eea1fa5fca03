/* qoima-dispensing-page.h: dispensing by e-prescription with co-payment, and the month's
 * summary registry (seed 002)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-copay.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_DISPENSING_PAGE (qoima_dispensing_page_get_type ())

G_DECLARE_FINAL_TYPE (QoimaDispensingPage, qoima_dispensing_page, QOIMA, DISPENSING_PAGE, AdwBin)

/* What may be exported of the month shown. */
typedef enum {
  QOIMA_DISPENSING_EXPORT_REGISTRY_XLSX,
  QOIMA_DISPENSING_EXPORT_REGISTRY_PDF,
  QOIMA_DISPENSING_EXPORT_ACT_PDF,
} QoimaDispensingExport;

/* Signals:
 *   ::scan-handled (QoimaDispensingPage *self): a scan was read, or refused with its reason.
 *   ::dispensed (QoimaDispensingPage *self): a pack left stock to a patient.
 * Properties: context (construct-only). */

QoimaDispensingPage *qoima_dispensing_page_new          (QoimaContext        *context);
/* Loads the month's registry and the dispensed packs' states; done again each time the
 * page is shown. */
void                 qoima_dispensing_page_start        (QoimaDispensingPage *self);
/* Takes an e-prescription's QR code (R002-3) or the pack given for it. FALSE (the scan is
 * not the page's) when the signed-in user does not dispense. */
gboolean             qoima_dispensing_page_take_scan    (QoimaDispensingPage *self,
                                                         const char          *text);
/* What the last scan did, as shown on the page. */
const char          *qoima_dispensing_page_get_scan_message (QoimaDispensingPage *self);
/* The prescription read, or NULL. (transfer none) */
const QoimaPrescription *qoima_dispensing_page_get_prescription (QoimaDispensingPage *self);
/* The identification codes of the packs in stock offered for the prescription. */
guint                qoima_dispensing_page_get_n_offered (QoimaDispensingPage *self);
const char          *qoima_dispensing_page_get_offered   (QoimaDispensingPage *self,
                                                          guint                index);
/* The pack chosen for the prescription, or NULL. */
const char          *qoima_dispensing_page_get_pack      (QoimaDispensingPage *self);
/* The amounts shown before confirming (R002-10), in tiyn: FALSE while the price, the pack or
 * the limit price is missing. */
gboolean             qoima_dispensing_page_get_amounts   (QoimaDispensingPage *self,
                                                          gint64              *fund,
                                                          gint64              *patient);
/* The state nick (qoima_store_list_withdrawals_async()'s "state": "owed", "waiting"…) of the
 * withdrawal owed for the pack dispensed last, once loaded; NULL before. */
const char          *qoima_dispensing_page_get_withdrawal_state (QoimaDispensingPage *self);
/* Shows the registry of @year-@month (one of the last twelve months). */
gboolean             qoima_dispensing_page_set_month     (QoimaDispensingPage *self,
                                                          int                  year,
                                                          int                  month);
/* The registry shown, or NULL while it loads. (transfer none) */
QoimaCopayRegistry  *qoima_dispensing_page_get_registry  (QoimaDispensingPage *self);

/* Writes the month shown to @file, off the main loop. */
void                 qoima_dispensing_page_export_async  (QoimaDispensingPage   *self,
                                                          QoimaDispensingExport  what,
                                                          GFile                 *file,
                                                          GCancellable          *cancellable,
                                                          GAsyncReadyCallback    callback,
                                                          gpointer               user_data);
gboolean             qoima_dispensing_page_export_finish (QoimaDispensingPage   *self,
                                                          GAsyncResult          *result,
                                                          GError               **error);

G_END_DECLS
