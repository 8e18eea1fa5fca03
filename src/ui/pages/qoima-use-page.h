/* qoima-use-page.h: the nurse's page: a pack, a patient, units — "Log Use"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-pack.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_USE_PAGE (qoima_use_page_get_type ())

G_DECLARE_FINAL_TYPE (QoimaUsePage, qoima_use_page, QOIMA, USE_PAGE, AdwBin)

QoimaContext *qoima_use_page_get_context       (QoimaUsePage *self);
/* The context is a construct-only property. Once started, the page follows the context's
 * user: her ward's medicines and recent patients. */
void          qoima_use_page_start             (QoimaUsePage *self);

/**
 * qoima_use_page_take_scan:
 * @text: scanned text (a GS1 marking code)
 *
 * Makes the scanned pack the one units are logged from, after looking it up. Emits
 * #QoimaUsePage::scan-handled once the pack, or what is wrong with the code, is shown.
 *
 * Returns: TRUE (the page takes every scan while it is shown)
 */
gboolean      qoima_use_page_take_scan         (QoimaUsePage *self,
                                                const char   *text);

/* The pack units are logged from, as last loaded, or NULL. */
QoimaPack    *qoima_use_page_get_pack          (QoimaUsePage *self);
/* Units left in that pack, as shown; -1 without a pack or when they are unknown. */
int           qoima_use_page_get_units_left    (QoimaUsePage *self);
/* The last answer in plain words: what was logged, or why nothing was. */
const char   *qoima_use_page_get_message       (QoimaUsePage *self);
/* Whether that answer is a refusal. */
gboolean      qoima_use_page_get_refused       (QoimaUsePage *self);
/* A store call is under way. */
gboolean      qoima_use_page_get_busy          (QoimaUsePage *self);

/* The ward's medicines (QoimaStockItem, one per product, filtered by the search). */
GListModel   *qoima_use_page_get_medicines     (QoimaUsePage *self);
GtkListBox   *qoima_use_page_get_medicine_list (QoimaUsePage *self);
GtkEditable  *qoima_use_page_get_medicine_search (QoimaUsePage *self);
/* The ward's recent patients (QoimaPatient), the latest first. */
GListModel   *qoima_use_page_get_patients      (QoimaUsePage *self);
GtkListBox   *qoima_use_page_get_patient_list  (QoimaUsePage *self);
GtkEntry     *qoima_use_page_get_patient_entry (QoimaUsePage *self);
GtkSpinButton *qoima_use_page_get_units_spin   (QoimaUsePage *self);

G_END_DECLS
