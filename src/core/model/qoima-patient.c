/* qoima-patient.c: the patients a ward gave units to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-patient"

#include "config.h"

#include "qoima-patient.h"


struct _QoimaPatient
{
  GObject parent_instance;

  gint64 id;
  char *iin;
  char *record_number;
  char *last_use_at;
};

G_DEFINE_FINAL_TYPE (QoimaPatient, qoima_patient, G_TYPE_OBJECT)

static void
qoima_patient_finalize (GObject *object)
{
  QoimaPatient *self = QOIMA_PATIENT (object);

  g_free (self->iin);
  g_free (self->record_number);
  g_free (self->last_use_at);

  G_OBJECT_CLASS (qoima_patient_parent_class)->finalize (object);
}

static void
qoima_patient_class_init (QoimaPatientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = qoima_patient_finalize;
}

static void
qoima_patient_init (QoimaPatient *self)
{
}

QoimaPatient *
qoima_patient_new (gint64      id,
                   const char *iin,
                   const char *record_number,
                   const char *last_use_at)
{
  QoimaPatient *self;

  g_return_val_if_fail ((iin == NULL) != (record_number == NULL), NULL);

  self = g_object_new (QOIMA_TYPE_PATIENT, NULL);
  self->id = id;
  self->iin = g_strdup (iin);
  self->record_number = g_strdup (record_number);
  self->last_use_at = g_strdup (last_use_at);
  return self;
}

gint64
qoima_patient_get_id (QoimaPatient *self)
{
  g_return_val_if_fail (QOIMA_IS_PATIENT (self), 0);
  return self->id;
}

const char *
qoima_patient_get_iin (QoimaPatient *self)
{
  g_return_val_if_fail (QOIMA_IS_PATIENT (self), NULL);
  return self->iin;
}

const char *
qoima_patient_get_record_number (QoimaPatient *self)
{
  g_return_val_if_fail (QOIMA_IS_PATIENT (self), NULL);
  return self->record_number;
}

const char *
qoima_patient_get_key (QoimaPatient *self)
{
  g_return_val_if_fail (QOIMA_IS_PATIENT (self), NULL);
  return self->iin != NULL ? self->iin : self->record_number;
}

const char *
qoima_patient_get_last_use_at (QoimaPatient *self)
{
  g_return_val_if_fail (QOIMA_IS_PATIENT (self), NULL);
  return self->last_use_at;
}

