/* qoima-copay-islo.h: the month's dispensing as reported to ИСЛО, the drug-provision
 * information system (seed 002, p. 8.5; R002-4), as CSV and XLSX
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The order says what ИСЛО is told of each prescription supplied: the date of dispensing,
 * the fiscal receipt that proves it and the status of the dispensed pack's marking code.
 * It gives no form: the columns here are the project's design, the minimal set of those
 * facts and of the registry's columns that name the prescription and the medicine, one
 * row per dispensed pack as in the registry.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "qoima-copay.h"

G_BEGIN_DECLS

#define QOIMA_COPAY_ISLO_COLUMNS 15

/**
 * qoima_copay_islo_states:
 * @withdrawals: the array qoima_store_list_withdrawals_finish() gives
 *
 * Returns: (transfer full): each pack's identification code → the state of its withdrawal
 * ("owed", or a #QoimaDocumentState nick: "waiting", "checking", "not_recorded",
 * "accepted", "refused")
 */
GHashTable *qoima_copay_islo_states (JsonNode *withdrawals);

/* Column @column (1…QOIMA_COPAY_ISLO_COLUMNS) of the registry's row @index, in @language
 * ("ru", "kk", else English); @states as qoima_copay_islo_states() gives them (a pack not
 * in it: its withdrawal unknown). */
char       *qoima_copay_islo_cell   (QoimaCopayRegistry *registry,
                                     GHashTable         *states,
                                     guint               index,
                                     int                 column,
                                     const char         *language);
const char *qoima_copay_islo_title  (int                 column,
                                     const char         *language);

/* The whole report as CSV (RFC 4180, UTF-8, a title row then one row per pack). */
char       *qoima_copay_islo_to_csv     (QoimaCopayRegistry  *registry,
                                         GHashTable          *states,
                                         const char          *language);
gboolean    qoima_copay_islo_write_csv  (QoimaCopayRegistry  *registry,
                                         GHashTable          *states,
                                         const char          *language,
                                         const char          *path,
                                         GError             **error);
/* One sheet: the report's title and month, the column titles, one row per pack. */
gboolean    qoima_copay_islo_write_xlsx (QoimaCopayRegistry  *registry,
                                         GHashTable          *states,
                                         const char          *language,
                                         const char          *path,
                                         GError             **error);

G_END_DECLS
