/* qoima-store.h: the hospital's warehouse on SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-error.h"
#include "qoima-gs1.h"
#include "qoima-location.h"
#include "qoima-pack.h"
#include "qoima-product.h"
#include "qoima-stock-item.h"
#include "qoima-types.h"

G_BEGIN_DECLS

/* The schema version this build writes (PRAGMA user_version). */
#define QOIMA_STORE_SCHEMA_VERSION 17

/* QoimaPackRows: packs to insert in one transaction (an accepted act, demo data). */
typedef struct _QoimaPackRows QoimaPackRows;

QoimaPackRows *qoima_pack_rows_new   (void);
void           qoima_pack_rows_free  (QoimaPackRows *rows);
guint          qoima_pack_rows_get_length (QoimaPackRows *rows);
/**
 * qoima_pack_rows_add:
 * @rows: a #QoimaPackRows
 * @gtin: the product (must already be in the store)
 * @serial: AI 21
 * @km: (nullable): the full marking code as scanned, GS included; NULL when only the
 *   identification code is known (codes in acts carry no crypto tail)
 * @batch: (nullable): the batch
 * @expiry: (nullable): "YYYY-MM-DD"
 * @location_id: where the pack is put
 * @units_left: units in the pack, or -1 for the product's units per pack
 */
void           qoima_pack_rows_add   (QoimaPackRows *rows,
                                      const char    *gtin,
                                      const char    *serial,
                                      const char    *km,
                                      const char    *batch,
                                      const char    *expiry,
                                      gint64         location_id,
                                      int            units_left);

/* The accepted act all these packs came with (0: none). */
void           qoima_pack_rows_set_act_id (QoimaPackRows *rows,
                                           gint64         act_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaPackRows, qoima_pack_rows_free)

#define QOIMA_TYPE_STORE (qoima_store_get_type ())

G_DECLARE_FINAL_TYPE (QoimaStore, qoima_store, QOIMA, STORE, GObject)

/**
 * qoima_store_open_async:
 * @path: a file path, or ":memory:"; missing parent folders are created
 *
 * Opens (or creates) the database on the store's own worker thread: WAL, foreign keys on,
 * migrations up to %QOIMA_STORE_SCHEMA_VERSION in one transaction. A file that cannot be
 * opened, is corrupt or from a newer Qoima fails with a #QOIMA_STORE_ERROR whose message is
 * meant for the user. A file that cannot be written (or whose folder cannot) is opened
 * read-only (qoima_store_get_read_only()); one that needs migrating then fails as
 * read-only. Opening writes nothing when nothing needs changing, so that a full disk
 * can still be read; a change then fails with %QOIMA_STORE_ERROR_FULL.
 */
void        qoima_store_open_async   (const char          *path,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
QoimaStore *qoima_store_open_finish  (GAsyncResult        *result,
                                      GError             **error);

const char *qoima_store_get_path     (QoimaStore *self);
/* The file or its folder cannot be written, so the store was opened read-only: it can be
 * read (stock, reports, the audit check) and every change fails with
 * %QOIMA_STORE_ERROR_READ_ONLY. FALSE until the store is open. */
gboolean    qoima_store_get_read_only (QoimaStore *self);

/* Finishes the queued work, then closes the database and stops the worker thread.
 * Later calls fail with QOIMA_STORE_ERROR_CLOSED. Also done on finalize.
 *
 * Cancelling a call drops only reads: a change (receiving, using, moving, signing into the
 * outbox…) runs and is committed even when its cancellable fired, so what the user
 * confirmed is never lost to a closed window; its callback still gets the real result. */
void        qoima_store_close        (QoimaStore *self);

/*
 * QoimaStore:connected: FALSE while the shared PostgreSQL server cannot be reached
 * (always TRUE on SQLite). Operations then fail with %QOIMA_STORE_ERROR_CONNECTION_LOST
 * and change nothing (the server rolls back what was under way); the store tries to
 * connect again by itself, 1 s after the loss and then less and less often, and before
 * each operation. Notified on the main context; once back, ::changed is emitted too, since
 * other workstations' changes went unheard meanwhile.
 */
gboolean    qoima_store_get_connected (QoimaStore *self);
/* Tries to reach the database now (the "Retry" of a lost connection): TRUE when it is
 * reached, else %QOIMA_STORE_ERROR_CONNECTION_LOST. A connection thought up is checked
 * with a query, so a server gone quietly is found out. */
void        qoima_store_reconnect_async  (QoimaStore          *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean    qoima_store_reconnect_finish (QoimaStore    *self,
                                          GAsyncResult  *result,
                                          GError       **error);
/*
 * QoimaStore::changed is emitted on the main context a moment after a change to the
 * warehouse was committed, by this workstation or, on a shared PostgreSQL database, by any
 * other (LISTEN/NOTIFY): pages showing stock reload then. Bursts of changes are heard once.
 * Started by qoima_store_open_finish(); nothing is heard for an in-memory database.
 */

/* Products and locations. */
void        qoima_store_add_products_async   (QoimaStore          *self,
                                              GPtrArray           *products, /* QoimaProduct */
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    qoima_store_add_products_finish  (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

void        qoima_store_add_location_async   (QoimaStore          *self,
                                              QoimaLocationKind    kind,
                                              const char          *name_ru,
                                              const char          *name_kk,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* Returns the new location's id, or 0 with @error set. */
gint64      qoima_store_add_location_finish  (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

void        qoima_store_list_locations_async  (QoimaStore          *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* Returns: (transfer full): a GListModel of QoimaLocation, warehouse first. */
GListModel *qoima_store_list_locations_finish (QoimaStore    *self,
                                               GAsyncResult  *result,
                                               GError       **error);

/**
 * qoima_store_receive_packs_async:
 * @rows: the packs; taken over by the store (do not use or free it afterwards)
 * @actor: who receives them (a user name)
 * @reason: why (e.g. "act 12345", "demo")
 *
 * Inserts the packs and one RECEIPT row each in the movements journal, all in one
 * transaction: either every pack enters stock or none does (a duplicate identification
 * code or an unknown GTIN fails the whole call with QOIMA_STORE_ERROR_CONSTRAINT).
 */
void        qoima_store_receive_packs_async  (QoimaStore          *self,
                                              QoimaPackRows       *rows,
                                              const char          *actor,
                                              const char          *reason,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    qoima_store_receive_packs_finish (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/**
 * qoima_store_record_scan_async:
 * @code: a parsed marking code (a pack; boxes fail with NOT_FOUND until acts know them)
 * @actor: who scanned
 *
 * Looks the pack up by its identification code and records the scan in the scan log
 * (one row, with the recovered flag). When the pack's full marking code was not known
 * yet, the scanned one is kept. Unknown codes are logged too, then fail with
 * QOIMA_STORE_ERROR_NOT_FOUND.
 */
void        qoima_store_record_scan_async    (QoimaStore             *self,
                                              const QoimaMarkingCode *code,
                                              const char             *actor,
                                              GCancellable           *cancellable,
                                              GAsyncReadyCallback     callback,
                                              gpointer                user_data);
/* Returns: (transfer full): the pack as it is now. */
QoimaPack  *qoima_store_record_scan_finish   (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

void        qoima_store_find_pack_async      (QoimaStore          *self,
                                              const char          *ki,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
QoimaPack  *qoima_store_find_pack_finish     (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* The Stock page: packs in stock or opened, grouped by product, batch, expiry and
 * location, sorted by product name then expiry. */
void        qoima_store_list_stock_async     (QoimaStore          *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* Returns: (transfer full): a GListModel of QoimaStockItem. */
GListModel *qoima_store_list_stock_finish    (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* Every pack, in stock or not, ordered by id. */
void        qoima_store_list_packs_async     (QoimaStore          *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* Returns: (transfer full): a GListModel of QoimaPack. */
GListModel *qoima_store_list_packs_finish    (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* Packs with an id above @after_id, ordered by id, at most @limit of them: a long list
 * read a page at a time (qoimactl streams a million packs this way). */
void        qoima_store_list_packs_page_async  (QoimaStore          *self,
                                                gint64               after_id,
                                                int                  limit,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* Returns: (transfer full): a GListModel of QoimaPack, empty after the last page. */
GListModel *qoima_store_list_packs_page_finish (QoimaStore    *self,
                                                GAsyncResult  *result,
                                                GError       **error);

void        qoima_store_count_packs_async    (QoimaStore          *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* Returns the number of packs, or -1 with @error set. */
gint64      qoima_store_count_packs_finish   (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/**
 * qoima_store_check_journal_async:
 *
 * Replays the movements journal and compares each pack's status, location and units
 * left with what the journal says. Fails with QOIMA_STORE_ERROR_CORRUPT naming the first
 * pack that disagrees.
 */
void        qoima_store_check_journal_async  (QoimaStore          *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    qoima_store_check_journal_finish (QoimaStore    *self,
                                              GAsyncResult  *result,
                                              GError       **error);

G_END_DECLS
