/* qoima-patient.h: the patients a ward gave units to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define QOIMA_TYPE_PATIENT (qoima_patient_get_type ())

G_DECLARE_FINAL_TYPE (QoimaPatient, qoima_patient, QOIMA, PATIENT, GObject)

/* A patient as the ledger knows them: an IIN or a medical record number (one of the two),
 * and when a unit was last given to them. */
QoimaPatient *qoima_patient_new               (gint64       id,
                                               const char  *iin,
                                               const char  *record_number,
                                               const char  *last_use_at);
gint64        qoima_patient_get_id            (QoimaPatient *self);
/* NULL for a patient known by record number. */
const char   *qoima_patient_get_iin           (QoimaPatient *self);
/* NULL for a patient known by IIN. */
const char   *qoima_patient_get_record_number (QoimaPatient *self);
/* The IIN or the record number: what a nurse types to name the patient. */
const char   *qoima_patient_get_key           (QoimaPatient *self);
/* UTC, ISO 8601, as the store writes times. */
const char   *qoima_patient_get_last_use_at   (QoimaPatient *self);

G_END_DECLS
