/* qoima-store-private.h: what the store's own files share, and tests may use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "qoima-db.h"
#include "qoima-store.h"

G_BEGIN_DECLS

/* PRAGMA application_id of a Qoima database ("Qoim"), so a foreign SQLite file is refused. */
#define QOIMA_STORE_APPLICATION_ID 0x516f696d
/* How long a write waits for another process's write lock on a shared SQLite file before
 * it gives up as busy. Several writers take turns by polling (SQLite has no queue), so one
 * can lose a few seconds of turns in a row on a loaded machine; the wait is on the store's
 * worker, never on the window. */
#define QOIMA_STORE_SQLITE_BUSY_TIMEOUT_MS 20000

/*
 * Brings @db from its PRAGMA user_version up to %QOIMA_STORE_SCHEMA_VERSION in one
 * transaction. @path names the file in messages. Fails with QOIMA_STORE_ERROR_TOO_NEW when
 * the file was written by a newer Qoima, and CORRUPT when it is some other program's
 * database. Must run on the store's worker thread.
 */
gboolean       qoima_store_migrate            (sqlite3     *db,
                                               const char  *path,
                                               GError     **error);

/*
 * Sets @error from an SQLite result code: the QOIMA_STORE_ERROR code that fits @rc, a
 * message for the user naming @path, and SQLite's own text (from @db when it has one,
 * else sqlite3_errstr()) in parentheses for administrators.
 */
void           qoima_store_set_sqlite_error   (GError     **error,
                                               sqlite3     *db,
                                               int          rc,
                                               const char  *path);


/* The column list qoima_store_product_from_row() and _location_from_row() expect,
 * for tables aliased "p" (products) and "l" (locations). */
#define QOIMA_STORE_PRODUCT_COLUMNS \
  "p.gtin, p.name_ru, p.name_kk, p.inn, p.form, p.dosage, p.manufacturer, p.units_per_pack"
#define QOIMA_STORE_PRODUCT_N_COLUMNS 8
#define QOIMA_STORE_LOCATION_COLUMNS "l.id, l.kind, l.name_ru, l.name_kk"
#define QOIMA_STORE_LOCATION_N_COLUMNS 4

/* A gint64 result through a GTask (ids, counts), and back: @failed when the task failed. */
void           qoima_task_return_int64        (GTask        *task,
                                               gint64        value);
gint64         qoima_task_propagate_int64     (GTask        *task,
                                               gint64        failed,
                                               GError      **error);

/* Row helpers: read a record from the columns of @stmt, starting at column @first. */
QoimaProduct  *qoima_store_product_from_row  (QoimaDbStmt *stmt,
                                                 int          first);
QoimaLocation *qoima_store_location_from_row (QoimaDbStmt *stmt,
                                                 int          first);
/* A text column of a QoimaDb statement as a new string (NULL for SQL NULL). */
char          *qoima_store_column_dup        (QoimaDbStmt *stmt,
                                                 int          column);
/* Now, by the database's clock (the server's on PostgreSQL, this PC's on SQLite), UTC. */
GDateTime     *qoima_store_now                (void);
/* The same, as the store writes times: UTC, ISO 8601, to the second. */
char          *qoima_store_now_iso8601        (void);
/* Tests only: puts this PC's clock @skew off (to the second), as a workstation whose clock
 * is wrong; a store opened afterwards on PostgreSQL measures it against the server's. */
void           qoima_store_set_local_clock_skew_for_tests (GTimeSpan skew);


/* The worker thread's side of the store: a job runs there with the database to itself and
 * returns its task. Other files of the store add operations through these. */
typedef struct _QoimaStoreWorker QoimaStoreWorker;

typedef void (*QoimaStoreJobFunc) (QoimaStoreWorker *worker,
                                   GTask            *task);

/* Queues @task (taken) to run @func on the worker: a read, dropped with
 * G_IO_ERROR_CANCELLED when its cancellable fired before it ran. */
void              qoima_store_queue_job        (QoimaStore        *self,
                                                QoimaStoreJobFunc  func,
                                                GTask             *task);
/* Queues a change (taken): it runs even when its cancellable fired, so that what the user
 * confirmed is never lost to a closed window; qoima_store_close() waits for it. */
void              qoima_store_queue_write      (QoimaStore        *self,
                                                QoimaStoreJobFunc  func,
                                                GTask             *task);
gboolean          qoima_store_task_is_valid    (QoimaStore        *self,
                                                GAsyncResult      *result,
                                                gpointer           source_tag);

/* The worker's database, SQLite or PostgreSQL: what every operation of the store is
 * written against. */
QoimaDb          *qoima_store_worker_get_db (QoimaStoreWorker *worker);
const char       *qoima_store_worker_get_path  (QoimaStoreWorker  *worker);
/* This workstation, as the database's claims name it: the host and this process. */
const char       *qoima_store_worker_get_workstation (QoimaStoreWorker *worker);
void              qoima_store_worker_rollback  (QoimaStoreWorker  *worker);
/* After a step that ended without the row it was due: the step's own error is already
 * set; a missing row (@step is QOIMA_DB_DONE) gets one here. */
void              qoima_store_worker_set_step_error (QoimaStoreWorker  *worker,
                                                     QoimaDbStep        step,
                                                     GError           **error);

GTask            *qoima_store_task_new         (QoimaStore          *self,
                                                gpointer             source_tag,
                                                gpointer             task_data,
                                                GDestroyNotify       task_data_free,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);

/* A job's change, made by @body on the worker; it reads what it needs from @task. */
typedef gboolean (*QoimaStoreTransactionBody) (QoimaStoreWorker  *worker,
                                               GTask             *task,
                                               GError           **error);
/* Runs @body in one immediate transaction: committed when it succeeds, rolled back when
 * anything fails, so a change is all or nothing. */
gboolean          qoima_store_worker_in_transaction (QoimaStoreWorker          *worker,
                                                     GTask                     *task,
                                                     QoimaStoreTransactionBody  body,
                                                     GError                   **error);
/* The same, for a body that needs more than its task. */
typedef gboolean (*QoimaStoreTransactionFunc) (QoimaStoreWorker  *worker,
                                               gpointer           user_data,
                                               GError           **error);
gboolean          qoima_store_worker_in_transaction_with (QoimaStoreWorker          *worker,
                                                          QoimaStoreTransactionFunc  func,
                                                          gpointer                   user_data,
                                                          GError                   **error);
/*
 * Who the running job acts for and why: what the audit trail's triggers record through
 * qoima_actor() and qoima_reason(). Jobs that change audited tables call this before
 * their first change; the worker forgets both after each job, so a job that names nobody
 * is put down to "system".
 */
void              qoima_store_worker_set_actor (QoimaStoreWorker  *worker,
                                                const char        *actor,
                                                const char        *reason);
const char       *qoima_store_worker_get_actor (QoimaStoreWorker  *worker);
const char       *qoima_store_worker_get_reason (QoimaStoreWorker *worker);
/* Whether the worker is receiving a batch, audited by one row (qoima_audit_batch()). */
gboolean          qoima_store_worker_get_audit_batch (QoimaStoreWorker *worker);

/* Appends the audit row of a receipt batch, the movements @first_movement to
 * @last_movement (qoima-store-audit.c), inside the caller's transaction. */
gboolean          qoima_audit_append_receipt   (sqlite3           *db,
                                                gint64             first_movement,
                                                gint64             last_movement,
                                                GError           **error);

/* The hash of a receipt batch's movements (RECEIPT_LINES in qoima-store-audit.c), taken line
 * by line from the values the batch writes rather than read back; audit verify reads them
 * back and recomputes it, so a value written otherwise than hashed is found as tampering. */
typedef struct _QoimaReceiptDigest QoimaReceiptDigest;

QoimaReceiptDigest *qoima_receipt_digest_new   (void);
/* One RECEIPT movement and its pack, in movement id order; @units_left <= 0 for NULL. */
void              qoima_receipt_digest_add     (QoimaReceiptDigest *digest,
                                                gint64              movement_id,
                                                gint64              pack_id,
                                                const char         *ki,
                                                const char         *batch,
                                                const char         *expiry,
                                                gint64              act_id,
                                                const char         *at,
                                                const char         *actor,
                                                gint64              location_id,
                                                int                 units_left,
                                                const char         *status,
                                                const char         *reason);
void              qoima_receipt_digest_free    (QoimaReceiptDigest *digest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaReceiptDigest, qoima_receipt_digest_free)

/* As qoima_audit_append_receipt, with the movements' hash taken by @digest (every one of
 * @first_movement to @last_movement added, in order). */
gboolean          qoima_audit_append_receipt_digest (sqlite3            *db,
                                                     QoimaReceiptDigest *digest,
                                                     gint64              first_movement,
                                                     gint64              last_movement,
                                                     GError            **error);

/* Registers the audit trail's SQL functions (sha256, qoima_actor, qoima_reason) on the
 * worker's connection (qoima-store-audit.c); the store calls it when it opens the database. */
gboolean          qoima_audit_install          (sqlite3           *db,
                                                QoimaStoreWorker  *worker,
                                                const char        *path,
                                                GError           **error);

/* Whether @db's packs and movements, their CHECKs and triggers, are those the receipt's batch
 * statements may stand aside from (qoima-store.c): schema 17's as made by its steps. */
gboolean          qoima_store_receipt_bypass_applies (sqlite3   *db,
                                                      gboolean  *applies,
                                                      GError   **error);

/* Inserts packs and their RECEIPT movements inside the caller's transaction. */
gboolean          qoima_store_worker_receive   (QoimaStoreWorker  *worker,
                                                QoimaPackRows     *rows,
                                                const char        *actor,
                                                const char        *reason,
                                                GError           **error);

/* Appends to @kis the packs the acts put in the box @box (an SSCC with AI 00 in front),
 * boxes within it too, that the store knows (qoima-store-ledger.c). */
gboolean          qoima_store_worker_add_box_packs (QoimaStoreWorker  *worker,
                                                    const char        *box,
                                                    GPtrArray         *kis,
                                                    GError           **error);

/* A hospital setting (qoima-store-settings.h) read by a job already on the worker: the value, or
 * NULL when it was never set (@error unset) or on failure (@error set). */
char             *qoima_store_worker_get_setting (QoimaStoreWorker  *worker,
                                                  const char        *key,
                                                  GError           **error);

G_END_DECLS
