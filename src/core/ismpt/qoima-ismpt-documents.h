/* qoima-ismpt-documents.h: the documents exchanged with ИС МПТ, read and written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "qoima-product.h"

G_BEGIN_DECLS

/* One code of an incoming act: a pack (its identification code) or a box (SSCC). */
typedef struct {
  char *code;        /* "01…21…" for a pack; "00" + 18 digits for a box */
  char *gtin;        /* packs only */
  char *batch;       /* may be NULL */
  char *expiry;      /* "YYYY-MM-DD" or NULL */
  char *parent_sscc; /* the box holding this pack, or NULL */
  gboolean is_box;
} QoimaActCode;

/**
 * QoimaIncomingAct:
 *
 * An act of transfer (акт приема-передачи) as ИС МПТ describes it: its header and every
 * code, boxes listed with their packs.
 */
typedef struct {
  char *ismpt_id;
  char *number;       /* the sender's document number */
  char *doc_date;     /* ISO 8601 */
  char *transfer_date; /* "YYYY-MM-DD": the day the goods were handed over */
  char *sender_bin;
  char *sender_name;
  char *receiver_bin;
  char *status;       /* WAIT_ACCEPTANCE, ACCEPTED, CANCELLED */
  GPtrArray *codes;   /* QoimaActCode, boxes before their packs */
  guint n_packs;
} QoimaIncomingAct;

void              qoima_incoming_act_free      (QoimaIncomingAct *act);
/**
 * qoima_incoming_act_from_json:
 * @info: the object of doc/{id}/info with its body; a "cisList" member (the flat list of
 *   doc/cises) is read when the body carries no codes
 *
 * Reads an act in any of the shapes ismpt-api.md §5.3 lists: codes in body.products under
 * uit_code, cis or (boxes, with their children) uitu_code, or only in the flat cisList. The
 * sender's number is body.document_number, else the header's documentNumber or
 * invoiceNumber, else the ИС МПТ id. Every code's shape is checked (GTIN check digits, SSCC
 * length): a broken act fails as a whole with QOIMA_SYNC_ERROR_BROKEN_ANSWER, naming the
 * field that is missing, so nothing half-read is stored.
 */
QoimaIncomingAct *qoima_incoming_act_from_json (JsonObject  *info,
                                                GError     **error);
/* Whether @info carries the act's codes (in body.products or cisList), or doc/cises must be
 * asked for them. */
gboolean          qoima_incoming_act_json_has_codes (JsonObject *info);

/**
 * qoima_product_from_catalog_card:
 * @gtin: the GTIN the card was asked for
 * @card: one card of the НКТ catalog (ismpt-api.md §7)
 *
 * Reads the product a card describes. A card without a Russian name is no use (%NULL, no
 * error); a card whose unitsPerPack is not a whole number from 0 to G_MAXINT (1e300,
 * 5000000000, "10") is a broken answer (QOIMA_SYNC_ERROR_BROKEN_ANSWER), never cut to fit.
 *
 * Returns: (transfer full) (nullable): the product
 */
QoimaProduct     *qoima_product_from_catalog_card (const char  *gtin,
                                                   JsonObject  *card,
                                                   GError     **error);

/**
 * qoima_act_deadline:
 * @transfer_date: the day the goods arrived
 *
 * Rule R000-6: the act must be confirmed no later than the day after the day of actual
 * receipt.
 *
 * Returns: (transfer full): the last day to sign
 */
GDate            *qoima_act_deadline (const GDate *transfer_date);

typedef enum {
  QOIMA_ACCEPT_ALL,
  QOIMA_ACCEPT_SOME, /* the listed codes accepted, the rest refused */
  QOIMA_REJECT_ALL,
} QoimaAcceptance;

/**
 * qoima_acceptance_document_new:
 * @act: the act answered
 * @acceptance: all, some or none
 * @accepted: (nullable): for QOIMA_ACCEPT_SOME, the accepted codes (packs or boxes)
 * @document_number: our own number, unique, so the document can be found after a crash
 * @now: the acceptance time
 *
 * Returns: (transfer full): the exact bytes of the LP_ACCEPT_GOODS document, to sign and send
 */
GBytes           *qoima_acceptance_document_new (const QoimaIncomingAct *act,
                                                 QoimaAcceptance         acceptance,
                                                 GHashTable             *accepted,
                                                 const char             *bin,
                                                 const char             *document_number,
                                                 GDateTime              *now);

/**
 * QoimaWithdrawalReason:
 * @QOIMA_WITHDRAWAL_MEDICAL_USE: a used-up pack (R000-9)
 * @QOIMA_WITHDRAWAL_DISPENSED: a pack dispensed whole to an outpatient on an e-prescription
 *   (co-payment, R002-4): a sale, not a medical use in the hospital
 * @QOIMA_WITHDRAWAL_EXPIRED: a write-off of an expired pack
 * @QOIMA_WITHDRAWAL_DAMAGED: a write-off of a damaged pack
 * @QOIMA_WITHDRAWAL_LOST: a write-off of a lost pack
 * @QOIMA_WITHDRAWAL_RECALLED: a write-off of a recalled pack
 *
 * Why a pack leaves circulation; each reason is a separate LK_RECEIPT document. The
 * write-offs (the chief's choice) come last, from %QOIMA_WITHDRAWAL_EXPIRED on.
 */
typedef enum {
  QOIMA_WITHDRAWAL_MEDICAL_USE, /*< nick=MEDICAL_USE >*/
  QOIMA_WITHDRAWAL_DISPENSED, /*< nick=DISPENSED >*/
  QOIMA_WITHDRAWAL_EXPIRED, /*< nick=EXPIRED >*/
  QOIMA_WITHDRAWAL_DAMAGED, /*< nick=DAMAGED >*/
  QOIMA_WITHDRAWAL_LOST, /*< nick=LOST >*/
  QOIMA_WITHDRAWAL_RECALLED, /*< nick=RECALLED >*/
} QoimaWithdrawalReason;

#define QOIMA_N_WITHDRAWAL_REASONS (QOIMA_WITHDRAWAL_RECALLED + 1)

/* The name kept in the database: "MEDICAL_USE", "DISPENSED", "EXPIRED", "DAMAGED", "LOST", "RECALLED". */
const char *qoima_withdrawal_reason_to_nick    (QoimaWithdrawalReason  reason);
/* Accepts the database names in any case ("expired" too); FALSE when unknown. */
gboolean    qoima_withdrawal_reason_from_nick  (const char            *nick,
                                                QoimaWithdrawalReason *reason);
/* The LK_RECEIPT action: "MEDICAL_USE", "RETAIL", "EXPIRATION", "DAMAGE_LOSS", "PRODUCT_RECALL". */
const char *qoima_withdrawal_reason_to_action  (QoimaWithdrawalReason  reason);
/* TRUE for a write-off (expired, damaged, lost, recalled), which the chief declares by hand;
 * FALSE for a withdrawal owed by what happened to the pack (its use, its dispensing), which
 * may be sent automatically. */
gboolean    qoima_withdrawal_reason_is_write_off (QoimaWithdrawalReason reason);
/* The primary document the reason rests on, e.g. «Лист назначений», «Акт списания». */
const char *qoima_withdrawal_reason_to_primary_document (QoimaWithdrawalReason reason);
/* For the interface: "Medical use", "Expired", … (translated). */
const char *qoima_withdrawal_reason_to_label   (QoimaWithdrawalReason  reason);

/**
 * qoima_withdrawal_document_new:
 * @action: see qoima_withdrawal_reason_to_action()
 * @primary_document: the name of the primary document, e.g. «Лист назначений»
 * @codes: the identification codes withdrawn
 *
 * Returns: (transfer full): the exact bytes of the LK_RECEIPT document
 */
GBytes           *qoima_withdrawal_document_new (const char         *bin,
                                                 const char         *action,
                                                 const char         *primary_document,
                                                 const char * const *codes,
                                                 const char         *document_number,
                                                 GDateTime          *now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaIncomingAct, qoima_incoming_act_free)

G_END_DECLS
