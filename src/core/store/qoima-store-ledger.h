/* qoima-store-ledger.h: transfers to wards and per-unit use by nurses, with their guards
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-ismpt-documents.h"
#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/* How long a nurse may undo her last use. */
#define QOIMA_LEDGER_UNDO_MINUTES 10

/*
 * Whether @iin is a valid Kazakhstan individual identification number: 12 digits whose
 * last is the check digit (weights 1..11 mod 11; when that gives 10, weights 3..11, 1, 2;
 * when that gives 10 again, the number is invalid).
 */
gboolean qoima_iin_is_valid        (const char *iin);

/*
 * Whether @patient names a patient: a 12-digit IIN that passes its check, or otherwise a
 * medical record number of 1 to 20 letters and digits. Fails with QOIMA_STORE_ERROR_CONSTRAINT
 * and a message for the user.
 */
gboolean qoima_patient_id_check    (const char  *patient,
                                    GError     **error);

/**
 * qoima_store_transfer_packs_async:
 * @user: the acting user; needs %QOIMA_PERMISSION_MOVE_STOCK
 * @codes: (array zero-terminated=1): identification codes of the packs to move, or SSCCs
 *   of boxes (18 digits, or 20 with AI 00 in front): a box moves every pack the acts put
 *   in it
 * @to_location: the location they go to
 *
 * Moves the packs in one transaction: a transfer document numbered «ВП-000001» onwards
 * (one sequence per database) and one TRANSFER movement per pack naming it. Every pack
 * must be the hospital's (in stock or opened), not expired, not already at @to_location
 * and listed once, or nothing moves.
 */
void     qoima_store_transfer_packs_async  (QoimaStore          *self,
                                            QoimaUser           *user,
                                            const char * const  *codes,
                                            gint64               to_location,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
/* Returns the number of packs moved, or -1 with @error set; @number (out, optional,
 * transfer full) is the transfer document's number. */
int      qoima_store_transfer_packs_finish (QoimaStore    *self,
                                            GAsyncResult  *result,
                                            char         **number,
                                            GError       **error);

/**
 * qoima_store_check_transfer_code_async:
 * @code: a pack's identification code or a box's SSCC, as for the transfer
 * @to_location: where the packs are to go
 *
 * The transfer's guards for one scan, before it is listed (nothing is written): the packs
 * @code stands for must be known, the hospital's, not expired, in the warehouse and not
 * already at @to_location. Fails with the reason.
 */
void        qoima_store_check_transfer_code_async  (QoimaStore          *self,
                                                    const char          *code,
                                                    gint64               to_location,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* Returns: (transfer full): a GListModel of QoimaPack, the packs @code stands for. */
GListModel *qoima_store_check_transfer_code_finish (QoimaStore    *self,
                                                    GAsyncResult  *result,
                                                    GError       **error);

/* What a use left behind. */
typedef struct
{
  gint64   movement_id;     /* the USE movement */
  int      units_left;      /* in the pack after the use */
  gboolean used_up;         /* the last unit was used */
  gboolean withdrawal_owed; /* a withdrawal is now owed for the pack (R000-9) */
} QoimaUseResult;

void     qoima_use_result_free (QoimaUseResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaUseResult, qoima_use_result_free)

/**
 * qoima_store_use_units_async:
 * @user: the acting nurse; needs %QOIMA_PERMISSION_LOG_USE
 * @ki: the pack's identification code
 * @patient: the patient's IIN or medical record number
 * @units: how many units were given (1 or more)
 *
 * Logs @units of the pack as used for @patient. Every guard runs before anything is
 * recorded, and a refusal says why: an unknown code (NOT_FOUND), a pack withdrawn, used
 * up or written off, expired, in another ward than the nurse's (FORBIDDEN), of a product
 * whose units per pack are unknown, more units than remain, or a wrong patient ID
 * (CONSTRAINT). Then, in one transaction: the patient (found or added), a USE movement,
 * and when the pack is used up the withdrawal it owes.
 */
void            qoima_store_use_units_async  (QoimaStore          *self,
                                              QoimaUser           *user,
                                              const char          *ki,
                                              const char          *patient,
                                              int                  units,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* Returns: (transfer full): what the use left, or NULL with @error set. */
QoimaUseResult *qoima_store_use_units_finish (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/**
 * qoima_store_pick_pack_async:
 *
 * The pack of @gtin at @location to open next: an already opened pack first, then the
 * earliest expiry. Expired packs and packs whose units are unknown are never picked.
 * Fails with NOT_FOUND when there is none.
 */
void     qoima_store_pick_pack_async  (QoimaStore          *self,
                                       const char          *gtin,
                                       gint64               location,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
/* Returns: (transfer full): the pack's identification code (qoima_store_find_pack_async()
 * gives the pack itself), or NULL with @error set. */
char    *qoima_store_pick_pack_finish (QoimaStore    *self,
                                       GAsyncResult  *result,
                                       GError       **error);

/**
 * qoima_store_undo_last_use_async:
 *
 * Undoes @user's last use when it is at most %QOIMA_LEDGER_UNDO_MINUTES old, is still the
 * pack's latest movement and its withdrawal, if one is owed, has not been put in the
 * outbox: a CORRECTION movement gives the units back and the owed withdrawal is removed,
 * in one transaction. Fails with NOT_FOUND when there is nothing to undo.
 */
void     qoima_store_undo_last_use_async  (QoimaStore          *self,
                                           QoimaUser           *user,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* Returns the units given back, or -1 with @error set. */
int      qoima_store_undo_last_use_finish (QoimaStore    *self,
                                           GAsyncResult  *result,
                                           GError       **error);

/**
 * qoima_store_write_off_async:
 * @user: the acting user; needs %QOIMA_PERMISSION_WRITE_OFF (the chief)
 * @kis: (array zero-terminated=1): identification codes of the packs written off
 * @reason: expired, damaged, lost or recalled (not medical use: that is owed by use)
 *
 * Records that each pack's write-off is owed, with @reason, in one transaction; the chief
 * signs it later into an LK_RECEIPT document of that reason (qoima_sync_withdraw_async()).
 * Every guard runs first: the pack must be the hospital's (in stock or opened), not already
 * owed or withdrawn, and for %QOIMA_WITHDRAWAL_EXPIRED actually expired; else nothing is
 * recorded. Until ИС МПТ answers, the pack can be neither used nor moved.
 */
void     qoima_store_write_off_async  (QoimaStore            *self,
                                       QoimaUser             *user,
                                       const char * const    *kis,
                                       QoimaWithdrawalReason  reason,
                                       GCancellable          *cancellable,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data);
/* Returns the number of packs whose write-off is now owed, or -1 with @error set. */
int      qoima_store_write_off_finish (QoimaStore    *self,
                                       GAsyncResult  *result,
                                       GError       **error);

G_END_DECLS
