/* qoima-act.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-act"

#include "config.h"

#include "qoima-act.h"
#include "qoima-act-private.h"

#include "qoima-enums.h"
#include "qoima-store-outbox.h"
#include "qoima-types.h"

#include <glib/gi18n.h>
#include <string.h>

G_DEFINE_FINAL_TYPE (QoimaAct, qoima_act, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_ISMPT_ID,
  PROP_NUMBER,
  PROP_SENDER_BIN,
  PROP_SENDER_NAME,
  PROP_DOC_DATE,
  PROP_TRANSFER_DATE,
  PROP_DEADLINE,
  PROP_STATUS,
  PROP_PACKS,
  PROP_SCANNED,
  PROP_ACCEPTED,
  PROP_ERRORS,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

const char *
qoima_act_status_to_nick (QoimaActStatus status)
{
  return qoima_enum_to_nick (QOIMA_TYPE_ACT_STATUS, status);
}

/* An act stored before its status was known ("new") is waiting. */
QoimaActStatus
qoima_act_status_from_nick (const char *nick)
{
  int value;

  if (!qoima_enum_from_nick (QOIMA_TYPE_ACT_STATUS, nick, FALSE, &value))
    return QOIMA_ACT_STATUS_WAITING;
  return (QoimaActStatus) value;
}

const char *
qoima_act_status_to_label (QoimaActStatus status)
{
  switch (status)
    {
    case QOIMA_ACT_STATUS_WAITING:
      return _("Waiting for acceptance");
    case QOIMA_ACT_STATUS_SENDING:
      return _("Answer signed, in the outbox");
    case QOIMA_ACT_STATUS_ACCEPTED:
      return _("Accepted");
    case QOIMA_ACT_STATUS_PARTIALLY_ACCEPTED:
      return _("Partially accepted");
    case QOIMA_ACT_STATUS_REJECTED:
      return _("Rejected");
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
qoima_act_finalize (GObject *object)
{
  QoimaAct *self = (QoimaAct *) object;

  g_free (self->ismpt_id);
  g_free (self->number);
  g_free (self->sender_bin);
  g_free (self->sender_name);
  g_free (self->doc_date);
  g_free (self->transfer_date);
  g_free (self->deadline);
  g_free (self->errors);
  g_free (self->answer_reason);

  G_OBJECT_CLASS (qoima_act_parent_class)->finalize (object);
}

static void
qoima_act_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  QoimaAct *self = QOIMA_ACT (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_ISMPT_ID: g_value_set_string (value, self->ismpt_id); break;
    case PROP_NUMBER: g_value_set_string (value, self->number); break;
    case PROP_SENDER_BIN: g_value_set_string (value, self->sender_bin); break;
    case PROP_SENDER_NAME: g_value_set_string (value, self->sender_name); break;
    case PROP_DOC_DATE: g_value_set_string (value, self->doc_date); break;
    case PROP_TRANSFER_DATE: g_value_set_string (value, self->transfer_date); break;
    case PROP_DEADLINE: g_value_set_string (value, self->deadline); break;
    case PROP_STATUS: g_value_set_enum (value, self->status); break;
    case PROP_PACKS: g_value_set_int (value, self->packs); break;
    case PROP_SCANNED: g_value_set_int (value, self->scanned); break;
    case PROP_ACCEPTED: g_value_set_int (value, self->accepted); break;
    case PROP_ERRORS: g_value_set_string (value, self->errors); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_act_class_init (QoimaActClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = qoima_act_finalize;
  object_class->get_property = qoima_act_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_ISMPT_ID] = g_param_spec_string ("ismpt-id", NULL, NULL, NULL, flags);
  properties[PROP_NUMBER] = g_param_spec_string ("number", NULL, NULL, NULL, flags);
  properties[PROP_SENDER_BIN] = g_param_spec_string ("sender-bin", NULL, NULL, NULL, flags);
  properties[PROP_SENDER_NAME] = g_param_spec_string ("sender-name", NULL, NULL, NULL, flags);
  properties[PROP_DOC_DATE] = g_param_spec_string ("doc-date", NULL, NULL, NULL, flags);
  properties[PROP_TRANSFER_DATE] = g_param_spec_string ("transfer-date", NULL, NULL, NULL, flags);
  properties[PROP_DEADLINE] = g_param_spec_string ("deadline", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] = g_param_spec_enum ("status", NULL, NULL, QOIMA_TYPE_ACT_STATUS, QOIMA_ACT_STATUS_WAITING, flags);
  properties[PROP_PACKS] = g_param_spec_int ("packs", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_SCANNED] = g_param_spec_int ("scanned", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_ACCEPTED] = g_param_spec_int ("accepted", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_ERRORS] = g_param_spec_string ("errors", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
qoima_act_init (QoimaAct *self)
{
  self->answer_state = -1;
}

gint64 qoima_act_get_id (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), 0); return self->id; }
const char *qoima_act_get_ismpt_id (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), NULL); return self->ismpt_id; }
const char *qoima_act_get_number (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), NULL); return self->number; }
const char *qoima_act_get_sender_bin (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), NULL); return self->sender_bin; }
const char *qoima_act_get_sender_name (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), NULL); return self->sender_name; }
const char *qoima_act_get_doc_date (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), NULL); return self->doc_date; }
const char *qoima_act_get_transfer_date (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), NULL); return self->transfer_date; }
const char *qoima_act_get_deadline (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), NULL); return self->deadline; }
QoimaActStatus qoima_act_get_status (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), 0); return self->status; }
int qoima_act_get_packs (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), 0); return self->packs; }
int qoima_act_get_scanned (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), 0); return self->scanned; }
int qoima_act_get_accepted (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), 0); return self->accepted; }
const char *qoima_act_get_errors (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), NULL); return self->errors; }
int qoima_act_get_answer_state (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), -1); return self->answer_state; }
const char *qoima_act_get_answer_reason (QoimaAct *self) { g_return_val_if_fail (QOIMA_IS_ACT (self), NULL); return self->answer_reason; }

/* A refused answer leaves the act waiting, with ИС МПТ's reason kept in its errors. */
static gboolean
answer_refused (QoimaAct *self)
{
  return self->status == QOIMA_ACT_STATUS_WAITING && self->errors != NULL && self->errors[0] != '\0';
}

const char *
qoima_act_get_state_label (QoimaAct *self)
{
  g_return_val_if_fail (QOIMA_IS_ACT (self), NULL);

  if (self->status == QOIMA_ACT_STATUS_SENDING && self->answer_state >= 0)
    return qoima_document_state_to_label (self->answer_state);
  if (answer_refused (self))
    return _("Answer refused by ИС МПТ");
  return qoima_act_status_to_label (self->status);
}

const char *
qoima_act_get_state_reason (QoimaAct *self)
{
  g_return_val_if_fail (QOIMA_IS_ACT (self), NULL);

  if (self->status == QOIMA_ACT_STATUS_SENDING)
    return self->answer_reason;
  if (answer_refused (self))
    return self->errors;
  return NULL;
}

char *
qoima_act_describe_state (QoimaAct *self)
{
  g_return_val_if_fail (QOIMA_IS_ACT (self), NULL);

  if (self->status == QOIMA_ACT_STATUS_SENDING && self->answer_state >= 0)
    return qoima_document_state_describe (self->answer_state, self->answer_reason);
  if (answer_refused (self))
    return g_strdup_printf (_("Answer refused by ИС МПТ: %s"), self->errors);
  return g_strdup (qoima_act_status_to_label (self->status));
}

int
qoima_act_days_left (QoimaAct    *self,
                     const GDate *today)
{
  GDate deadline;

  g_return_val_if_fail (QOIMA_IS_ACT (self), G_MAXINT);

  g_date_clear (&deadline, 1);
  if (self->deadline == NULL)
    return G_MAXINT;
  g_date_set_parse (&deadline, self->deadline);
  if (!g_date_valid (&deadline))
    return G_MAXINT;
  return g_date_days_between (today, &deadline);
}

