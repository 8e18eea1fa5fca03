/* qoima-act.h: incoming acts of transfer in the warehouse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-ismpt-documents.h"
#include "qoima-product.h"

G_BEGIN_DECLS

/**
 * QoimaActStatus:
 * @QOIMA_ACT_STATUS_WAITING: to be checked and answered by the deadline
 * @QOIMA_ACT_STATUS_SENDING: the signed answer is in the outbox: waiting to be sent, being
 *   checked, or answered but not recorded yet (qoima_act_get_answer_state() tells which)
 * @QOIMA_ACT_STATUS_ACCEPTED: ИС МПТ confirmed the acceptance of every pack
 * @QOIMA_ACT_STATUS_PARTIALLY_ACCEPTED: ИС МПТ confirmed the acceptance of some packs
 * @QOIMA_ACT_STATUS_REJECTED: ИС МПТ confirmed the rejection
 *
 * Stored as the nick ("waiting", "sending", …).
 */
typedef enum {
  QOIMA_ACT_STATUS_WAITING, /*< nick=waiting >*/
  QOIMA_ACT_STATUS_SENDING, /*< nick=sending >*/
  QOIMA_ACT_STATUS_ACCEPTED, /*< nick=accepted >*/
  QOIMA_ACT_STATUS_PARTIALLY_ACCEPTED, /*< nick=partially_accepted >*/
  QOIMA_ACT_STATUS_REJECTED, /*< nick=rejected >*/
} QoimaActStatus;

const char *qoima_act_status_to_nick  (QoimaActStatus status);
const char *qoima_act_status_to_label (QoimaActStatus status);

#define QOIMA_TYPE_ACT (qoima_act_get_type ())

G_DECLARE_FINAL_TYPE (QoimaAct, qoima_act, QOIMA, ACT, GObject)

/* A snapshot of an act as the Incoming acts page lists it. Properties (read-only):
 * id, ismpt-id, number, sender-bin, sender-name, doc-date, transfer-date, deadline
 * ("YYYY-MM-DD"), status (QoimaActStatus), packs, scanned, accepted (int), errors. */
gint64          qoima_act_get_id            (QoimaAct *self);
const char     *qoima_act_get_ismpt_id      (QoimaAct *self);
const char     *qoima_act_get_number        (QoimaAct *self);
const char     *qoima_act_get_sender_bin    (QoimaAct *self);
const char     *qoima_act_get_sender_name   (QoimaAct *self);
const char     *qoima_act_get_doc_date      (QoimaAct *self);
const char     *qoima_act_get_transfer_date (QoimaAct *self);
const char     *qoima_act_get_deadline      (QoimaAct *self);
QoimaActStatus  qoima_act_get_status        (QoimaAct *self);
int             qoima_act_get_packs         (QoimaAct *self);
int             qoima_act_get_scanned       (QoimaAct *self);
/* The act's packs that entered stock once ИС МПТ confirmed the acceptance. */
int             qoima_act_get_accepted      (QoimaAct *self);
const char     *qoima_act_get_errors        (QoimaAct *self);
/* The act's answer while it is in the outbox: a #QoimaDocumentState, or -1 when none is on
 * its way; and why it is in that state (why it waits, why it is not recorded), or NULL. */
int             qoima_act_get_answer_state  (QoimaAct *self);
const char     *qoima_act_get_answer_reason (QoimaAct *self);
/* The act's state as it is, for the window and qoimactl alike: a short label for a list
 * ("Waiting to be sent", "Answer refused by ИС МПТ"…), its reason (nullable: why the answer
 * waits, ИС МПТ's refusal…), and both in a sentence. */
const char     *qoima_act_get_state_label   (QoimaAct *self);
const char     *qoima_act_get_state_reason  (QoimaAct *self);
char           *qoima_act_describe_state    (QoimaAct *self);
/* Days from @today to the deadline: 0 = sign today, negative = overdue. */
int             qoima_act_days_left         (QoimaAct    *self,
                                             const GDate *today);


typedef enum {
  QOIMA_ACT_SCAN_MARKED,      /* the pack (or every pack of the box) is marked received */
  QOIMA_ACT_SCAN_AGAIN,       /* it was scanned before */
  QOIMA_ACT_SCAN_NOT_IN_ACT,  /* the code is not in this act */
} QoimaActScan;


G_END_DECLS
