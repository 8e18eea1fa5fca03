/* qoima-store-counts.h: stock counts (инвентаризация) of a location by scanning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A count compares the book (the packs the store has at a location) with the shelf (the
 * packs scanned there). It is started by a clerk, or by a nurse in her own ward; packs and
 * boxes are scanned in any order, a box counting the packs the acts put in it; the units of
 * opened packs are entered. Finishing it freezes its findings; the chief's sign-off then
 * makes the corrections, each an audited movement (or a write-off owed) whose reason names
 * the count. Everything is in the database as it happens, so a count survives a restart.
 */

#pragma once

#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

typedef enum {
  QOIMA_COUNT_OPEN,       /*< nick=open >*/       /* packs are being scanned */
  QOIMA_COUNT_FINISHED,   /*< nick=finished >*/   /* findings frozen, waiting for the chief */
  QOIMA_COUNT_SIGNED_OFF, /*< nick=signed_off >*/ /* corrections made */
} QoimaCountState;

typedef enum {
  QOIMA_COUNT_FOUND,              /*< nick=found >*/              /* on the book here and on the shelf */
  QOIMA_COUNT_MISSING,            /*< nick=missing >*/            /* on the book here, not on the shelf */
  QOIMA_COUNT_ELSEWHERE,          /*< nick=elsewhere >*/          /* on the shelf here, on the book at another location */
  QOIMA_COUNT_OUT_OF_CIRCULATION, /*< nick=out_of_circulation >*/ /* on the shelf, but the book says used up, withdrawn or written off */
  QOIMA_COUNT_UNKNOWN,            /*< nick=unknown >*/            /* on the shelf, never the hospital's */
} QoimaCountFinding;

const char *qoima_count_state_to_nick      (QoimaCountState    state);
const char *qoima_count_state_to_label     (QoimaCountState    state);
const char *qoima_count_finding_to_nick    (QoimaCountFinding  finding);
const char *qoima_count_finding_to_label   (QoimaCountFinding  finding);

/* One pack of a count's result. */
typedef struct {
  char *ki;
  char *gtin;
  char *name;          /* the product's name in the user's language; NULL when unknown */
  char *batch;
  char *expiry;
  QoimaCountFinding finding;
  char *book_location; /* ELSEWHERE: where the book has the pack */
  char *book_status;   /* OUT_OF_CIRCULATION: the pack's status nick */
  int book_units;      /* units left on the book; -1 when not counted in units */
  int counted_units;   /* units entered for an opened pack; -1 when none were */
} QoimaCountLine;

/* The running tally of one product. */
typedef struct {
  char *gtin;
  char *name;
  int expected; /* packs on the book here */
  int counted;  /* packs of it scanned here (of any finding) */
} QoimaCountTally;

typedef struct {
  gint64 id;
  gint64 location_id;
  char *location_name;
  QoimaCountState state;
  char *started_by;
  char *started_at;
  char *finished_at;
  char *signed_off_by;
  char *signed_off_at;
  GPtrArray *tally;  /* QoimaCountTally, by name */
  GPtrArray *lines;  /* QoimaCountLine: everything but plain FOUND packs with their units right */
  int n_found;       /* packs FOUND (all of them, with or without a line) */
} QoimaCount;

void        qoima_count_free               (QoimaCount        *count);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaCount, qoima_count_free)

/* What one scan counted. */
typedef struct {
  int added;      /* packs counted by this scan (a box: all of its packs not yet counted) */
  int already;    /* packs of this scan counted before */
  char *name;     /* the first pack's product, for the tally; NULL for an unknown code */
  QoimaCountFinding finding; /* the first pack's */
  char *ki;       /* the first pack's identification code */
  gboolean opened; /* the first pack is opened on the book: its units may be counted */
  int units_per_pack; /* the first pack's product's; 0 when unknown */
} QoimaCountScan;

void        qoima_count_scan_free          (QoimaCountScan    *scan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaCountScan, qoima_count_scan_free)

/* Starts a count of @location_id: the count's id. One count per location at a time. */
void        qoima_store_start_count_async  (QoimaStore          *self,
                                            QoimaUser           *user,
                                            gint64               location_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gint64      qoima_store_start_count_finish (QoimaStore          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* The count of @location_id not yet signed off (being counted or waiting for the chief), or
 * 0 when there is none: a page opens on it after a restart. */
void        qoima_store_find_count_async   (QoimaStore          *self,
                                            gint64               location_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gint64      qoima_store_find_count_finish  (QoimaStore          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Counts @code: a pack's identification code, or a box's SSCC with AI 00 in front. */
void        qoima_store_count_code_async   (QoimaStore          *self,
                                            QoimaUser           *user,
                                            gint64               count_id,
                                            const char          *code,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
QoimaCountScan *qoima_store_count_code_finish (QoimaStore       *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Records the units found in the opened pack @ki, already counted. */
void        qoima_store_count_units_async  (QoimaStore          *self,
                                            QoimaUser           *user,
                                            gint64               count_id,
                                            const char          *ki,
                                            int                  units,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    qoima_store_count_units_finish (QoimaStore          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* The count as it stands: live while open, its frozen findings after. */
void        qoima_store_load_count_async   (QoimaStore          *self,
                                            gint64               count_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
QoimaCount *qoima_store_load_count_finish  (QoimaStore          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Ends the scanning: the findings are frozen as they are. */
void        qoima_store_finish_count_async (QoimaStore          *self,
                                            QoimaUser           *user,
                                            gint64               count_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    qoima_store_finish_count_finish (QoimaStore         *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* The chief's sign-off: packs found here but booked elsewhere are moved here, the units of
 * opened packs set to what was counted, and each missing pack owed as a write-off (lost),
 * which the chief then signs on the Withdrawals page. Returns the number of corrections. */
void        qoima_store_sign_off_count_async (QoimaStore        *self,
                                            QoimaUser           *user,
                                            gint64               count_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
int         qoima_store_sign_off_count_finish (QoimaStore       *self,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
