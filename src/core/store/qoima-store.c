/* qoima-store.c: the hospital's warehouse on SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-store"

#include "config.h"

#include "qoima-store.h"

#include "qoima-store-private.h"

#include "qoima-db-private.h"
#include "qoima-store-migrations-pg.h"
#include "qoima-sqlite-array.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Threading (the Epiphany history-service model): one worker thread owns the sqlite3
 * handle and is the only thread that touches it. Every public _async call wraps its
 * arguments in a GTask and pushes a Job on the worker's queue; the worker runs the job
 * and returns the result with g_task_return_*(), which completes the task on the
 * caller's main context. The worker's state lives in a Worker, not in the QoimaStore,
 * so that the store may even be finalized on the worker thread (when a job's task holds
 * the last reference) without pulling the database from under the worker.
 */

struct _QoimaStoreWorker
{
  GAsyncQueue *queue; /* of Job */
  char *path;          /* the location: an SQLite file's path or a PostgreSQL URI */
  QoimaDb *database;   /* what the store's operations are written against */
  sqlite3 *db;         /* SQLite's handle under it; NULL on PostgreSQL */
  gboolean in_transaction;
  gint64 clock_checked; /* monotonic time of the last look at the server's clock */
  char *workstation;    /* who holds this process's outbox claims */
  char *actor;  /* the running job's, for the audit trail; NULL = "system" */
  char *reason;
  gboolean read_only; /* opened read-only: the file or its folder cannot be written */
  struct _Checkpointer *checkpointer; /* NULL when read-only, in memory or locked exclusively */
  int wal_pages;      /* frames in the WAL after the last commit, from the WAL hook */
  gboolean audit_batch; /* receiving: one audit row for the batch, not one per movement */
  gboolean connected;   /* as last told to the store */
  gint64 next_attempt;  /* monotonic time before which a job does not try to connect again */
  GTimeSpan backoff;    /* the pause after the next failed attempt */
};

typedef QoimaStoreWorker Worker;
typedef QoimaStoreJobFunc JobFunc;

/* A Job with no func tells the worker to stop. */
typedef struct
{
  JobFunc func;
  GTask *task;
} Job;

struct _QoimaPackRow
{
  const char *gtin;
  const char *serial;
  const char *km;
  const char *batch;
  const char *expiry;
  gint64 location_id;
  int units_left;
};

typedef struct _QoimaPackRow QoimaPackRow;

struct _QoimaPackRows
{
  gint64 act_id;      /* the accepted act the packs came with, or 0 */
  GArray *rows;       /* of QoimaPackRow */
  GStringChunk *text; /* the rows' strings, so a million rows are not a million mallocs */
};

struct _QoimaStore
{
  GObject parent_instance;

  /* Owned references. */
  GThread *thread;
  GAsyncQueue *queue;

  /* State. */
  char *path;
  gboolean closed;
  gboolean read_only;
  GSource *changes;     /* notifications of committed changes, from any connection */
  guint changed_source; /* the pending ::changed, so that a burst is heard once */
  gboolean connected;
  guint retry_source;   /* the next try to reach a lost server */
  guint retry_delay_s;
};

G_DEFINE_FINAL_TYPE (QoimaStore, qoima_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  PROP_CONNECTED,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* The channel every write transaction notifies at its commit. */
#define CHANGES_CHANNEL "qoima_changes"
/* Long enough to hear a delivery's thousand commits once, short enough to feel immediate. */
#define CHANGED_DELAY_MS 250
/* Tries to reach a lost server: 1 s after the loss, then twice as long each time, up to this. */
#define RETRY_MAX_DELAY_S 30

/* Task data of the jobs that need more than nothing. */
typedef struct
{
  char *kind;
  char *name_ru;
  char *name_kk;
  gint64 id; /* the new location's */
} AddLocationData;

typedef struct
{
  QoimaPackRows *rows;
  char *actor;
  char *reason;
} ReceiveData;

typedef struct
{
  QoimaCodeKind kind;
  char *ki;
  char *km;
  char *actor;
  gboolean recovered;
  QoimaPack *found; /* the pack the scan found, between the transaction and the answer */
} ScanData;

typedef struct
{
  gint64 after_id;
  int limit;
} PageData;

static void
add_location_data_free (gpointer data)
{
  AddLocationData *add = data;

  g_free (add->kind);
  g_free (add->name_ru);
  g_free (add->name_kk);
  g_free (add);
}

static void
receive_data_free (gpointer data)
{
  ReceiveData *receive = data;

  g_clear_pointer (&receive->rows, qoima_pack_rows_free);
  g_free (receive->actor);
  g_free (receive->reason);
  g_free (receive);
}

static void
scan_data_free (gpointer data)
{
  ScanData *scan = data;

  g_free (scan->ki);
  g_free (scan->km);
  g_free (scan->actor);
  g_clear_object (&scan->found);
  g_free (scan);
}

/* Errors */

void
qoima_store_set_sqlite_error (GError     **error,
                              sqlite3     *db,
                              int          rc,
                              const char  *path)
{
  /* Taken first: SQLite does not always record the errno of a failed write (see below). */
  int saved_errno = errno;
  const char *detail;
  g_autofree char *message = NULL;
  QoimaStoreError code;

  /* sqlite3_errmsg() describes the last failure on @db, which is @rc's in every caller;
   * without a handle the generic text of the code is all there is. */
  detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  /* A full disk met where SQLite grows a file it does not count as the database (the
   * WAL index, -shm), or a write refused with another errno than ENOSPC, comes back as
   * an I/O error; the system's errno tells. sqlite3_system_errno() has it only when the
   * failure reached the handle without a message, so errno as SQLite left it counts too:
   * nothing that fails runs in between. EDQUOT is the user's share of the disk, EFBIG a
   * file that may not grow (RLIMIT_FSIZE): to the user the same thing. */
  if ((rc & 0xff) == SQLITE_IOERR && db != NULL)
    {
      int system_errno = sqlite3_system_errno (db);

      if (system_errno == ENOSPC || system_errno == EDQUOT || system_errno == EFBIG ||
          saved_errno == ENOSPC || saved_errno == EDQUOT || saved_errno == EFBIG)
        rc = SQLITE_FULL;
    }

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      code = QOIMA_STORE_ERROR_CORRUPT;
      message = g_strdup_printf (_("The warehouse database %s is damaged or is not a Qoima database."), path);
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      code = QOIMA_STORE_ERROR_READ_ONLY;
      message = g_strdup_printf (_("The warehouse database %s is read-only, so Qoima cannot record anything in it. Check the permissions of the file and its folder."), path);
      break;
    case SQLITE_CANTOPEN:
      code = QOIMA_STORE_ERROR_CANNOT_OPEN;
      message = g_strdup_printf (_("The warehouse database %s cannot be opened or created. Check that its folder exists and that Qoima may write there."), path);
      break;
    case SQLITE_FULL:
      code = QOIMA_STORE_ERROR_FULL;
      message = g_strdup_printf (_("The disk is full: the warehouse database %s cannot grow, so nothing was changed. "
                                   "What is recorded can still be read. Free some space on the disk and try again."), path);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = QOIMA_STORE_ERROR_BUSY;
      message = g_strdup_printf (_("Another program is using the warehouse database %s. Close it and try again."), path);
      break;
    case SQLITE_CONSTRAINT:
      code = QOIMA_STORE_ERROR_CONSTRAINT;
      message = g_strdup_printf (_("The change breaks a rule of the warehouse database %s, so nothing was changed."), path);
      break;
    case SQLITE_IOERR:
      code = QOIMA_STORE_ERROR_FAILED;
      message = g_strdup_printf (_("The warehouse database %s could not be read or written; the disk may be failing. Nothing was changed."), path);
      break;
    default:
      code = QOIMA_STORE_ERROR_FAILED;
      message = g_strdup_printf (_("The warehouse database %s failed."), path);
      break;
    }

  g_set_error (error, QOIMA_STORE_ERROR, code, "%s (%s)", message, detail);
}

static void
set_closed_error (GError **error)
{
  g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CLOSED,
                       _("The warehouse database is closed."));
}

/* Rows → records */

char *
qoima_store_column_dup (QoimaDbStmt *stmt,
                           int          column)
{
  return g_strdup (qoima_db_column_text (stmt, column));
}

QoimaProduct *
qoima_store_product_from_row (QoimaDbStmt *stmt,
                                 int          first)
{
  return qoima_product_new (qoima_db_column_text (stmt, first),
                            qoima_db_column_text (stmt, first + 1),
                            qoima_db_column_text (stmt, first + 2),
                            qoima_db_column_text (stmt, first + 3),
                            qoima_db_column_text (stmt, first + 4),
                            qoima_db_column_text (stmt, first + 5),
                            qoima_db_column_text (stmt, first + 6),
                            (int) qoima_db_column_int64 (stmt, first + 7));
}

QoimaLocation *
qoima_store_location_from_row (QoimaDbStmt *stmt,
                                  int          first)
{
  QoimaLocationKind kind = QOIMA_LOCATION_KIND_WARD;
  gint64 id = qoima_db_column_int64 (stmt, first);

  if (!qoima_location_kind_from_nick (qoima_db_column_text (stmt, first + 1), &kind))
    g_warning ("Location %" G_GINT64_FORMAT " has an unknown kind", id);

  return qoima_location_new (id,
                             kind,
                             qoima_db_column_text (stmt, first + 2),
                             qoima_db_column_text (stmt, first + 3));
}

/* The columns pack_from_row() reads, for packs aliased "pk". */
#define PACK_SELECT                                                                   \
  "SELECT pk.id, pk.ki, pk.km, pk.batch, pk.expiry, pk.status, pk.units_left, "        \
  QOIMA_STORE_PRODUCT_COLUMNS ", " QOIMA_STORE_LOCATION_COLUMNS " "                    \
  "FROM packs pk JOIN products p ON p.gtin = pk.gtin JOIN locations l ON l.id = pk.location_id "
#define PACK_N_COLUMNS 7

/* @products and @locations, when given, share one record per product and location
 * across the rows of a long list. */
static QoimaPack *
pack_from_row (QoimaDbStmt  *stmt,
               GHashTable   *products,
               GHashTable   *locations)
{
  g_autoptr(QoimaProduct) product = NULL;
  g_autoptr(QoimaLocation) location = NULL;
  QoimaPackStatus status = QOIMA_PACK_STATUS_IN_STOCK;
  const char *gtin = qoima_db_column_text (stmt, PACK_N_COLUMNS);
  gint64 location_id = qoima_db_column_int64 (stmt, PACK_N_COLUMNS + QOIMA_STORE_PRODUCT_N_COLUMNS);

  if (products != NULL && (product = g_hash_table_lookup (products, gtin)) != NULL)
    g_object_ref (product);
  else
    {
      product = qoima_store_product_from_row (stmt, PACK_N_COLUMNS);
      if (products != NULL)
        g_hash_table_insert (products, g_strdup (gtin), g_object_ref (product));
    }

  if (locations != NULL && (location = g_hash_table_lookup (locations, &location_id)) != NULL)
    g_object_ref (location);
  else
    {
      location = qoima_store_location_from_row (stmt, PACK_N_COLUMNS + QOIMA_STORE_PRODUCT_N_COLUMNS);
      if (locations != NULL)
        g_hash_table_insert (locations, g_memdup2 (&location_id, sizeof location_id), g_object_ref (location));
    }

  if (!qoima_pack_status_from_nick (qoima_db_column_text (stmt, 5), &status))
    g_warning ("Pack %s has an unknown status", qoima_db_column_text (stmt, 1));

  return qoima_pack_new (qoima_db_column_int64 (stmt, 0),
                         qoima_db_column_text (stmt, 1),
                         qoima_db_column_text (stmt, 2),
                         qoima_db_column_text (stmt, 3),
                         qoima_db_column_text (stmt, 4),
                         status,
                         qoima_db_column_is_null (stmt, 6) ? -1 : (int) qoima_db_column_int64 (stmt, 6),
                         product,
                         location);
}

static GHashTable *
product_cache_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

static GHashTable *
location_cache_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}

/* Checkpoints
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses 1000 pages, so one
 * scan or use in a few hundred paid for copying the WAL into the file (a p99 of 4–20 ms
 * at a million packs). The writer turns it off and its WAL hook, which sees the WAL's
 * size after each commit, wakes this thread instead: a PASSIVE checkpoint on its own
 * connection copies what no reader still needs while the worker goes on writing. Past
 * WAL_HARD_PAGES (a checkpoint that keeps losing to readers) the worker itself runs a
 * RESTART after its job, so the WAL never grows without bound.
 */

#define WAL_SOFT_PAGES 1000
#define WAL_HARD_PAGES 20000

typedef struct _Checkpointer
{
  GThread *thread;
  GMutex lock;
  GCond cond;
  char *path;
  gboolean wanted;
  gboolean stop;
} Checkpointer;

static gpointer
checkpointer_main (gpointer data)
{
  Checkpointer *self = data;
  sqlite3 *db = NULL;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      while (!self->wanted && !self->stop)
        g_cond_wait (&self->cond, &self->lock);
      if (self->stop)
        break;
      self->wanted = FALSE;
      g_mutex_unlock (&self->lock);

      if (db == NULL &&
          sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        {
          g_debug ("Checkpointer for %s: %s", self->path, db != NULL ? sqlite3_errmsg (db) : "cannot open");
          sqlite3_close (db);
          db = NULL;
        }
      if (db != NULL)
        {
          int log_frames = 0, done_frames = 0;
          int rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &done_frames);

          /* BUSY: another checkpoint runs; the next commit wakes this thread again. */
          if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            g_debug ("Checkpoint of %s: %s", self->path, sqlite3_errmsg (db));
        }

      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);

  /* Closed before the worker's connection, so that the worker's close is the last one,
   * which checkpoints and removes the -wal. */
  if (db != NULL)
    sqlite3_close (db);
  return NULL;
}

static Checkpointer *
checkpointer_new (const char *path)
{
  Checkpointer *self = g_new0 (Checkpointer, 1);

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->path = g_strdup (path);
  self->thread = g_thread_new ("qoima-checkpoint", checkpointer_main, self);
  return self;
}

static void
checkpointer_wake (Checkpointer *self)
{
  g_mutex_lock (&self->lock);
  self->wanted = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
checkpointer_free (Checkpointer *self)
{
  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->path);
  g_free (self);
}

/* Runs inside each COMMIT on the worker: only notes the size, and wakes the checkpointer. */
static int
worker_wal_hook (void       *data,
                 sqlite3    *db,
                 const char *name,
                 int         pages)
{
  QoimaStoreWorker *worker = data;

  (void) db;
  (void) name;
  worker->wal_pages = pages;
  if (pages >= WAL_SOFT_PAGES && worker->checkpointer != NULL)
    checkpointer_wake (worker->checkpointer);
  return SQLITE_OK;
}

/* After a job, off the user's commit: the hard cap a passive checkpoint did not keep. */
static void
worker_cap_wal (QoimaStoreWorker *worker)
{
  int log_frames = 0, done_frames = 0;
  int rc;

  if (worker->checkpointer == NULL || worker->wal_pages < WAL_HARD_PAGES || !sqlite3_get_autocommit (worker->db))
    return;
  rc = sqlite3_wal_checkpoint_v2 (worker->db, NULL, SQLITE_CHECKPOINT_RESTART, &log_frames, &done_frames);
  if (rc == SQLITE_OK)
    worker->wal_pages = 0;
  else
    g_debug ("Checkpoint of %s: %s", worker->path, sqlite3_errmsg (worker->db));
}

/* Only for a file this process writes in WAL mode with shared locks. */
static gboolean
worker_start_checkpointer (QoimaStoreWorker  *worker,
                           GError           **error)
{
  int rc = sqlite3_exec (worker->db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      qoima_store_set_sqlite_error (error, worker->db, rc, worker->path);
      return FALSE;
    }
  worker->checkpointer = checkpointer_new (worker->path);
  sqlite3_wal_hook (worker->db, worker_wal_hook, worker);
  return TRUE;
}

/* Worker */

static void
worker_free (Worker *worker)
{
  g_clear_pointer (&worker->checkpointer, checkpointer_free);
  g_clear_pointer (&worker->database, qoima_db_close);
  if (worker->db != NULL)
    {
      int rc = sqlite3_close (worker->db);

      if (rc != SQLITE_OK)
        g_warning ("Closing %s: %s", worker->path, sqlite3_errstr (rc));
      worker->db = NULL;
    }
  g_async_queue_unref (worker->queue);
  g_free (worker->actor);
  g_free (worker->reason);
  g_free (worker->path);
  g_free (worker->workstation);
  g_free (worker);
}

static gboolean
worker_exec (Worker      *worker,
             const char  *sql,
             GError     **error)
{
  int rc = sqlite3_exec (worker->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      qoima_store_set_sqlite_error (error, worker->db, rc, worker->path);
      return FALSE;
    }

  return TRUE;
}

/* The worker's clock: on a shared server, the server's, so that every workstation's
 * records and rules (the undo window, expiry, due dates) agree whatever the PC's clock
 * says; on SQLite, this PC's. The offset is measured when the connection opens and again
 * every CLOCK_RECHECK_US, and applies only on the worker thread. */
#define CLOCK_RECHECK_US (10 * G_TIME_SPAN_MINUTE)

static __thread GTimeSpan clock_offset;
/* How far tests put this PC's clock off, in seconds (qoima_store_set_local_clock_skew_for_tests()). */
static gint local_clock_skew_s;

void
qoima_store_set_local_clock_skew_for_tests (GTimeSpan skew)
{
  g_atomic_int_set (&local_clock_skew_s, (gint) (skew / G_TIME_SPAN_SECOND));
}

/* This PC's clock: the one place the store reads it. */
static GDateTime *
local_now (void)
{
  g_autoptr(GDateTime) here = g_date_time_new_now_utc ();

  return g_date_time_add_seconds (here, g_atomic_int_get (&local_clock_skew_s));
}

GDateTime *
qoima_store_now (void)
{
  g_autoptr(GDateTime) here = local_now ();

  return g_date_time_add (here, clock_offset);
}

char *
qoima_store_now_iso8601 (void)
{
  g_autoptr(GDateTime) now = qoima_store_now ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static void
worker_check_clock (Worker *worker)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDateTime) here = NULL;
  g_autoptr(GDateTime) there = NULL;
  g_autofree char *server = NULL;
  gint64 now = g_get_monotonic_time ();

  if (qoima_db_get_kind (worker->database) != QOIMA_DB_POSTGRESQL ||
      (worker->clock_checked != 0 && now - worker->clock_checked < CLOCK_RECHECK_US))
    return;
  worker->clock_checked = now;

  server = qoima_db_now_iso8601 (worker->database, &local_error);
  here = local_now ();
  there = server != NULL ? g_date_time_new_from_iso8601 (server, NULL) : NULL;
  if (there == NULL)
    {
      g_warning ("The server's clock could not be read; this PC's is used: %s",
                 local_error != NULL ? local_error->message : server);
      return;
    }
  /* To the second, as times are written: a sub-second offset is the query's own delay. */
  clock_offset = g_date_time_difference (there, here) / G_TIME_SPAN_SECOND * G_TIME_SPAN_SECOND;
  if (ABS (clock_offset) > G_TIME_SPAN_MINUTE)
    g_message ("This PC's clock is %+" G_GINT64_FORMAT " s off the database server's; the server's is used.",
               -clock_offset / G_TIME_SPAN_SECOND);
}

/* Jobs: each runs on the worker thread and returns its task. */

/* The file exists and this process may not write it, or may not make the files SQLite
 * keeps beside it (the WAL's -wal and -shm). access() also says so for a read-only
 * file system. */
static gboolean
cannot_write (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);

  return g_file_test (path, G_FILE_TEST_EXISTS) &&
         (g_access (path, W_OK) != 0 || g_access (folder, W_OK | X_OK) != 0);
}

/* The -wal beside @path: absent (-1), empty (0), or holding changes not yet copied
 * into the file (1). */
static int
wal_state (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  GStatBuf st;

  if (g_stat (wal, &st) != 0)
    return -1;
  return st.st_size > 0 ? 1 : 0;
}

static gboolean
worker_open_handle (Worker      *worker,
                    const char  *filename,
                    int          flags,
                    GError     **error)
{
  int rc;

  /* NOMUTEX: only this thread ever uses the handle. */
  rc = sqlite3_open_v2 (filename, &worker->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      qoima_store_set_sqlite_error (error, worker->db, rc, worker->path);
      return FALSE;
    }

  sqlite3_extended_result_codes (worker->db, 1);
  sqlite3_busy_timeout (worker->db, QOIMA_STORE_SQLITE_BUSY_TIMEOUT_MS);
  worker->database = qoima_db_sqlite_new_for_handle (worker->db, worker->path);
  return TRUE;
}

static void
worker_close_handle (Worker *worker)
{
  g_clear_pointer (&worker->database, qoima_db_close);
  sqlite3_close (worker->db);
  worker->db = NULL;
}

static gboolean worker_add_receipt_tables (Worker  *worker,
                                           GError **error);

/* What every connection needs once it can read: journal_mode is the first statement
 * that reads the file, so a file that is not a database fails there with SQLITE_NOTADB.
 * Setting WAL on a file already in WAL writes nothing. */
static gboolean
worker_setup (Worker  *worker,
              GError **error)
{
  return worker_exec (worker, worker->read_only ? "PRAGMA journal_mode" : "PRAGMA journal_mode = WAL", error) &&
         worker_exec (worker, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", error) &&
         /* A receipt writes each pack's audit rows beside it; with SQLite's default 2 MB
          * cache a large delivery would spill and rewrite pages before it commits. */
         worker_exec (worker, "PRAGMA cache_size = -32768", error) &&
         qoima_store_migrate (worker->db, worker->path, error) &&
         qoima_audit_install (worker->db, worker, worker->path, error) &&
         worker_add_receipt_tables (worker, error);
}

/*
 * A file Qoima may not write is opened read-only, so that stock, reports and the audit
 * check still work; SQLite refuses every change with SQLITE_READONLY, which says why.
 * Opening it writes and makes nothing. With no -wal beside it no other program has it
 * open, so immutable=1 reads the file alone: no -shm (which a read-only folder could
 * not hold, and which a reader would otherwise leave behind, read-only), no locks.
 * With a -wal, someone may be writing: a plain read-only reader shares their -shm and
 * sees their changes; only when that fails and the -wal holds no changes is the file
 * alone read.
 */
static gboolean
worker_open_read_only (Worker  *worker,
                       GError **error)
{
  g_autofree char *escaped = g_uri_escape_string (worker->path, "/", FALSE);
  g_autofree char *uri = g_strconcat ("file:", escaped, "?mode=ro", NULL);
  g_autofree char *immutable = g_strconcat (uri, "&immutable=1", NULL);
  g_autoptr(GError) local_error = NULL;
  int wal = wal_state (worker->path);

  worker->read_only = TRUE;
  if (wal >= 0)
    {
      if (worker_open_handle (worker, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, &local_error) &&
          worker_setup (worker, &local_error))
        return TRUE;
      if (wal > 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("Opening %s as immutable: %s", worker->path, local_error->message);
      worker_close_handle (worker);
    }

  return worker_open_handle (worker, immutable, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, error) &&
         worker_setup (worker, error);
}

static gboolean
worker_open (Worker  *worker,
             GError **error)
{
  gboolean in_memory = g_str_equal (worker->path, ":memory:");
  g_autoptr(GError) local_error = NULL;

  /* A shared server: its own connection, migrated under the writers' lock. */
  if (qoima_db_location_is_postgresql (worker->path))
    {
      worker->database = qoima_db_open (worker->path, error);
      if (worker->database == NULL || !qoima_store_migrate_pg (worker->database, error))
        return FALSE;
      worker_check_clock (worker);
      return TRUE;
    }

  if (!in_memory)
    {
      g_autofree char *folder = g_path_get_dirname (worker->path);

      if (g_mkdir_with_parents (folder, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                       _("The warehouse database %s cannot be created: its folder %s cannot be made (%s)."),
                       worker->path, folder, g_strerror (saved_errno));
          return FALSE;
        }

      if (g_file_test (worker->path, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                       _("The warehouse database %s cannot be opened: it is a folder, not a file."),
                       worker->path);
          return FALSE;
        }

      if (cannot_write (worker->path))
        return worker_open_read_only (worker, error);
    }

  if (!worker_open_handle (worker, worker->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error))
    return FALSE;

  /* SQLite quietly opens an unwritable file read-only (root on a file access() let
   * pass): then it is read-only from the start, not at the first change. */
  if (sqlite3_db_readonly (worker->db, "main") == 1)
    {
      worker_close_handle (worker);
      return worker_open_read_only (worker, error);
    }

  if (worker_setup (worker, &local_error))
    return in_memory || worker_start_checkpointer (worker, error);
  if (!g_error_matches (local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FULL) || in_memory)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* The disk is full, and a WAL reader could not make its -shm. With exclusive locking
   * SQLite keeps the WAL index in memory instead and needs no -shm: what is recorded can
   * be read (the -wal's changes too), and a change fails as the disk being full. Other
   * programs wait for this one meanwhile, which only holds while the disk is full. */
  g_debug ("Opening %s with exclusive locking: %s", worker->path, local_error->message);
  g_clear_error (&local_error);
  worker_close_handle (worker);
  return worker_open_handle (worker, worker->path, SQLITE_OPEN_READWRITE, error) &&
         worker_exec (worker, "PRAGMA locking_mode = EXCLUSIVE", error) &&
         worker_setup (worker, error);
}

static void
open_job (Worker *worker,
          GTask  *task)
{
  g_autoptr(GError) local_error = NULL;

  if (!worker_open (worker, &local_error))
    {
      /* A store that failed to open serves nothing: later jobs find no handle. */
      g_clear_pointer (&worker->database, qoima_db_close);
      sqlite3_close (worker->db);
      worker->db = NULL;
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  g_task_return_int (task, worker->read_only ? 1 : 0);
}

static gboolean
add_products_body (Worker  *worker,
                   GTask   *task,
                   GError **error)
{
  GPtrArray *products = g_task_get_task_data (task);
  QoimaDbStmt *stmt;

  stmt = qoima_db_prepare (worker->database,
                           "INSERT INTO products (gtin, name_ru, name_kk, inn, form, dosage, manufacturer, units_per_pack) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                           "ON CONFLICT (gtin) DO UPDATE SET name_ru = excluded.name_ru, name_kk = excluded.name_kk, "
                           "  inn = excluded.inn, form = excluded.form, dosage = excluded.dosage, "
                           "  manufacturer = excluded.manufacturer, units_per_pack = excluded.units_per_pack",
                           error);

  for (unsigned i = 0; stmt != NULL && i < products->len; i++)
    {
      QoimaProduct *product = g_ptr_array_index (products, i);
      g_autoptr(QoimaDbStmt) insert = stmt;
      int units = qoima_product_get_units_per_pack (product);

      qoima_db_bind_text (insert, 1, qoima_product_get_gtin (product));
      qoima_db_bind_text (insert, 2, qoima_product_get_name_ru (product));
      qoima_db_bind_text (insert, 3, qoima_product_get_name_kk (product));
      qoima_db_bind_text (insert, 4, qoima_product_get_inn (product));
      qoima_db_bind_text (insert, 5, qoima_product_get_form (product));
      qoima_db_bind_text (insert, 6, qoima_product_get_dosage (product));
      qoima_db_bind_text (insert, 7, qoima_product_get_manufacturer (product));
      if (units > 0)
        qoima_db_bind_int64 (insert, 8, units);
      else
        qoima_db_bind_null (insert, 8);

      if (!qoima_db_step_done (insert, error))
        {
          g_prefix_error (error, _("The product %s was not saved: "), qoima_product_get_gtin (product));
          return FALSE;
        }
    }
  return stmt != NULL;
}

static void
add_products_job (Worker *worker,
                  GTask  *task)
{
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, NULL, "catalog");
  if (!qoima_store_worker_in_transaction (worker, task, add_products_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
add_location_body (Worker  *worker,
                   GTask   *task,
                   GError **error)
{
  AddLocationData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;

  stmt = qoima_db_prepare (worker->database,
                           "INSERT INTO locations (kind, name_ru, name_kk) VALUES (?1, ?2, ?3) RETURNING id",
                           error);
  if (stmt == NULL)
    return FALSE;

  qoima_db_bind_text (stmt, 1, data->kind);
  qoima_db_bind_text (stmt, 2, data->name_ru);
  qoima_db_bind_text (stmt, 3, data->name_kk);
  if (qoima_db_step (stmt, error) != QOIMA_DB_ROW)
    return FALSE;
  data->id = qoima_db_column_int64 (stmt, 0);
  return qoima_db_step_done (stmt, error);
}

static void
add_location_job (Worker *worker,
                  GTask  *task)
{
  AddLocationData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, NULL, "new location");
  if (!qoima_store_worker_in_transaction (worker, task, add_location_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    qoima_task_return_int64 (task, data->id);
}

static void
list_locations_job (Worker *worker,
                    GTask  *task)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(GListStore) store = g_list_store_new (QOIMA_TYPE_LOCATION);
  QoimaDbStep rc;

  stmt = qoima_db_prepare (worker->database,
                           "SELECT " QOIMA_STORE_LOCATION_COLUMNS " FROM locations l "
                           "WHERE l.archived = 0 ORDER BY l.kind <> 'warehouse', l.id",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  while ((rc = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      g_autoptr(QoimaLocation) location = qoima_store_location_from_row (stmt, 0);

      g_list_store_append (store, location);
    }

  if (rc != QOIMA_DB_DONE)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
}

typedef struct
{
  int units_per_pack; /* 0 = unknown */
} ProductFacts;

/* On PostgreSQL a receipt goes to the server in batches, as arrays, one statement each
 * (packs and their receipt movements, the row triggers run on the server): a statement a
 * pack, two round trips each, took over a second for 10,000 packs on a Unix socket. */
#define BULK_ROWS 10000
enum { BULK_KI, BULK_GTIN, BULK_SERIAL, BULK_KM, BULK_BATCH, BULK_EXPIRY, BULK_STATUS, BULK_LOCATION,
       BULK_UNITS, BULK_COLUMNS };

typedef struct
{
  GString *columns[BULK_COLUMNS]; /* PostgreSQL array literals, "{" and the elements so far */
  guint n;
} BulkRows;

static void
bulk_clear (BulkRows *bulk)
{
  for (int i = 0; i < BULK_COLUMNS; i++)
    {
      if (bulk->columns[i] == NULL)
        bulk->columns[i] = g_string_sized_new (BULK_ROWS * 16);
      g_string_assign (bulk->columns[i], "{");
    }
  bulk->n = 0;
}

static void
bulk_free (BulkRows *bulk)
{
  for (int i = 0; i < BULK_COLUMNS; i++)
    if (bulk->columns[i] != NULL)
      g_string_free (bulk->columns[i], TRUE);
  g_free (bulk);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BulkRows, bulk_free)

/* One element of an array literal: quoted, its quotes and backslashes escaped; NULL bare. */
static void
bulk_add (BulkRows   *bulk,
          int         column,
          const char *value)
{
  GString *text = bulk->columns[column];

  if (text->len > 1)
    g_string_append_c (text, ',');
  if (value == NULL)
    {
      g_string_append (text, "NULL");
      return;
    }
  g_string_append_c (text, '"');
  for (const char *c = value; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_c (text, '\\');
      g_string_append_c (text, *c);
    }
  g_string_append_c (text, '"');
}

/* Inserts the batch's packs and their receipt movements in one statement; the movements'
 * ids are contiguous (this transaction holds the writers' lock). A code already in the
 * warehouse is looked for first, so that it is named as on SQLite. */
static gboolean
bulk_flush (Worker         *worker,
            BulkRows       *bulk,
            gint64          act_id,
            const char     *now,
            const char     *actor,
            const char     *reason,
            gint64         *first_movement,
            gint64         *last_movement,
            gint64         *first_pack,
            gint64         *last_pack,
            GError        **error)
{
  g_autoptr(QoimaDbStmt) known = NULL;
  g_autoptr(QoimaDbStmt) insert = NULL;
  QoimaDbStep rc;

  if (bulk->n == 0)
    return TRUE;
  for (int i = 0; i < BULK_COLUMNS; i++)
    g_string_append_c (bulk->columns[i], '}');

  known = qoima_db_prepare (worker->database,
                            "(SELECT ki FROM packs WHERE ki = ANY (?1::text[]) LIMIT 1)"
                            " UNION ALL (SELECT k FROM unnest (?1::text[]) AS k GROUP BY k HAVING count (*) > 1 LIMIT 1)"
                            " LIMIT 1", error);
  if (known == NULL)
    return FALSE;
  qoima_db_bind_text (known, 1, bulk->columns[BULK_KI]->str);
  rc = qoima_db_step (known, error);
  if (rc == QOIMA_DB_ERROR_STEP)
    return FALSE;
  if (rc == QOIMA_DB_ROW)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The code %s is already in the warehouse (or twice in this delivery); no pack was received."),
                   qoima_db_column_text (known, 0));
      return FALSE;
    }

  insert = qoima_db_prepare (worker->database,
                             "WITH input AS ("
                             "  SELECT * FROM unnest (?1::text[], ?2::text[], ?3::text[], ?4::text[], ?5::text[],"
                             "                        ?6::text[], ?7::text[], ?8::bigint[], ?9::bigint[])"
                             "    WITH ORDINALITY AS t (ki, gtin, serial, km, batch, expiry, status, location_id, units_left, n)),"
                             " p AS ("
                             "  INSERT INTO packs (ki, gtin, serial, km, batch, expiry, status, location_id, units_left,"
                             "                     received_at, act_id)"
                             "  SELECT ki, gtin, serial, km, batch, expiry, status, location_id, units_left, ?10, ?11"
                             "    FROM input ORDER BY n"
                             "  RETURNING id, status, location_id, units_left),"
                             " m AS ("
                             "  INSERT INTO movements (pack_id, at, actor, kind, to_location, units_delta, units_after,"
                             "                         status_after, location_after, reason)"
                             "  SELECT id, ?10, ?12, 'receipt', location_id, coalesce (units_left, 0), units_left, status,"
                             "         location_id, ?13 FROM p ORDER BY id"
                             "  RETURNING id)"
                             " SELECT coalesce (min (id), 0), coalesce (max (id), 0), count (*),"
                             "        (SELECT coalesce (min (id), 0) FROM p), (SELECT coalesce (max (id), 0) FROM p)"
                             " FROM m",
                             error);
  if (insert == NULL)
    return FALSE;
  for (int i = 0; i < BULK_COLUMNS; i++)
    qoima_db_bind_text (insert, i + 1, bulk->columns[i]->str);
  qoima_db_bind_text (insert, 10, now);
  if (act_id > 0)
    qoima_db_bind_int64 (insert, 11, act_id);
  else
    qoima_db_bind_null (insert, 11);
  qoima_db_bind_text (insert, 12, actor);
  qoima_db_bind_text (insert, 13, reason);
  if (qoima_db_step (insert, error) != QOIMA_DB_ROW)
    {
      /* The codes were new to the warehouse: one came twice in this delivery. */
      if (error != NULL && g_error_matches (*error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT) &&
          qoima_db_last_error_is_duplicate (worker->database))
        {
          g_clear_error (error);
          g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               _("A code is twice in this delivery; no pack was received."));
        }
      return FALSE;
    }
  if (qoima_db_column_int64 (insert, 2) != (gint64) bulk->n)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FAILED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The warehouse database took %lld of %u pack; no pack was received.",
                                "The warehouse database took %lld of %u packs; no pack was received.",
                                bulk->n),
                   (long long) qoima_db_column_int64 (insert, 2), bulk->n);
      return FALSE;
    }
  if (*first_movement == 0)
    *first_movement = qoima_db_column_int64 (insert, 0);
  *last_movement = qoima_db_column_int64 (insert, 1);
  /* The packs' ids are contiguous too, for the stock lines added at the receipt's end. */
  if (*first_pack == 0)
    *first_pack = qoima_db_column_int64 (insert, 3);
  *last_pack = qoima_db_column_int64 (insert, 4);
  bulk_clear (bulk);
  return qoima_db_step_done (insert, error);
}

/* Inserts @rows inside the caller's transaction; @first_movement and @last_movement are
 * the ids of the movements written, @first_pack and @last_pack those of the packs, 0 when
 * none was. */
static gboolean
insert_rows (Worker         *worker,
             QoimaPackRows  *rows,
             const char     *actor,
             const char     *reason,
             gint64         *first_movement,
             gint64         *last_movement,
             gint64         *first_pack,
             gint64         *last_pack,
             GError        **error)
{
  g_autofree char *now = qoima_store_now_iso8601 ();
  g_autoptr(GHashTable) products = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) locations = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GString) ki = g_string_sized_new (64);
  QoimaDbStmt *find_product;
  QoimaDbStmt *find_location;
  QoimaDbStmt *insert_pack;
  QoimaDbStmt *insert_movement;
  g_autoptr(BulkRows) bulk = NULL;

  if (qoima_db_get_kind (worker->database) == QOIMA_DB_POSTGRESQL)
    {
      bulk = g_new0 (BulkRows, 1);
      bulk_clear (bulk);
    }

  find_product = qoima_db_prepare (worker->database, "SELECT units_per_pack FROM products WHERE gtin = ?1", error);
  find_location = qoima_db_prepare (worker->database, "SELECT 1 FROM locations WHERE id = ?1", error);
  insert_pack = qoima_db_prepare (worker->database,
                                  "INSERT INTO packs (ki, gtin, serial, km, batch, expiry, status, location_id, units_left, received_at, act_id) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
                                  error);
  insert_movement = qoima_db_prepare (worker->database,
                                      "INSERT INTO movements (pack_id, at, actor, kind, to_location, units_delta, "
                                      "  units_after, status_after, location_after, reason) "
                                      "VALUES (?1, ?2, ?3, 'receipt', ?4, coalesce (?5, 0), ?5, ?6, ?4, ?7) RETURNING id",
                                      error);
  if (find_product == NULL || find_location == NULL || insert_pack == NULL || insert_movement == NULL)
    return FALSE;

  /* The same text for every row: bound once, kept by the cleared-and-rebound statements. */
  for (unsigned i = 0; i < rows->rows->len; i++)
    {
      const QoimaPackRow *row = &g_array_index (rows->rows, QoimaPackRow, i);
      ProductFacts *facts;
      QoimaPackStatus status = QOIMA_PACK_STATUS_IN_STOCK;
      int units_left = row->units_left;
      gint64 pack_id;

      g_string_truncate (ki, 0);
      g_string_append_printf (ki, "01%s21%s", row->gtin, row->serial);

      facts = g_hash_table_lookup (products, row->gtin);
      if (facts == NULL)
        {
          g_autoptr(QoimaDbStmt) find = find_product;
          QoimaDbStep rc;

          qoima_db_bind_text (find, 1, row->gtin);
          rc = qoima_db_step (find, error);
          if (rc == QOIMA_DB_DONE)
            {
              g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                           _("The code %s is for the product %s, which is not in the catalog; no pack was received."),
                           ki->str, row->gtin);
              return FALSE;
            }
          if (rc != QOIMA_DB_ROW)
            {
              return FALSE;
            }

          facts = g_new0 (ProductFacts, 1);
          facts->units_per_pack = (int) qoima_db_column_int64 (find, 0);
          g_hash_table_insert (products, (char *) row->gtin, facts);
        }

      if (!g_hash_table_contains (locations, &row->location_id))
        {
          g_autoptr(QoimaDbStmt) find = find_location;
          QoimaDbStep rc;

          qoima_db_bind_int64 (find, 1, row->location_id);
          rc = qoima_db_step (find, error);
          if (rc == QOIMA_DB_DONE)
            {
              g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                           _("The code %s is to be put in a location that does not exist; no pack was received."),
                           ki->str);
              return FALSE;
            }
          if (rc != QOIMA_DB_ROW)
            {
              return FALSE;
            }

          g_hash_table_add (locations, g_memdup2 (&row->location_id, sizeof row->location_id));
        }

      if (units_left == -1)
        units_left = facts->units_per_pack;
      else if (units_left < 1 || (facts->units_per_pack > 0 && units_left > facts->units_per_pack))
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "The code %s cannot be received with %d unit left; no pack was received.",
                                    "The code %s cannot be received with %d units left; no pack was received.",
                                    (gulong) ABS (units_left)),
                       ki->str, units_left);
          return FALSE;
        }
      else if (facts->units_per_pack > 0 && units_left < facts->units_per_pack)
        status = QOIMA_PACK_STATUS_OPENED;

      if (bulk != NULL)
        {
          g_autofree char *units = units_left > 0 ? g_strdup_printf ("%d", units_left) : NULL;
          g_autofree char *location = g_strdup_printf ("%" G_GINT64_FORMAT, row->location_id);

          bulk_add (bulk, BULK_KI, ki->str);
          bulk_add (bulk, BULK_GTIN, row->gtin);
          bulk_add (bulk, BULK_SERIAL, row->serial);
          bulk_add (bulk, BULK_KM, row->km);
          bulk_add (bulk, BULK_BATCH, row->batch);
          bulk_add (bulk, BULK_EXPIRY, row->expiry);
          bulk_add (bulk, BULK_STATUS, qoima_pack_status_to_nick (status));
          bulk_add (bulk, BULK_LOCATION, location);
          bulk_add (bulk, BULK_UNITS, units);
          if (++bulk->n >= BULK_ROWS &&
              !bulk_flush (worker, bulk, rows->act_id, now, actor, reason, first_movement, last_movement,
                          first_pack, last_pack, error))
            return FALSE;
          continue;
        }

      {
        g_autoptr(QoimaDbStmt) pack = insert_pack;
        g_autoptr(GError) local_error = NULL;

        qoima_db_bind_text (pack, 1, ki->str);
        qoima_db_bind_text (pack, 2, row->gtin);
        qoima_db_bind_text (pack, 3, row->serial);
        qoima_db_bind_text (pack, 4, row->km);
        qoima_db_bind_text (pack, 5, row->batch);
        qoima_db_bind_text (pack, 6, row->expiry);
        qoima_db_bind_text (pack, 7, qoima_pack_status_to_nick (status));
        qoima_db_bind_int64 (pack, 8, row->location_id);
        if (units_left > 0)
          qoima_db_bind_int64 (pack, 9, units_left);
        else
          qoima_db_bind_null (pack, 9);
        qoima_db_bind_text (pack, 10, now);
        if (rows->act_id > 0)
          qoima_db_bind_int64 (pack, 11, rows->act_id);
        else
          qoima_db_bind_null (pack, 11);

        /* A code already there is the user's to hear about in those words; any other rule
         * broken is said as the database says it. */
        if (qoima_db_step (pack, &local_error) != QOIMA_DB_ROW)
          {
            if (g_error_matches (local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT) &&
                qoima_db_last_error_is_duplicate (worker->database))
              g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                           _("The code %s is already in the warehouse (or twice in this delivery); no pack was received."),
                           ki->str);
            else
              {
                g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                            _("The code %s was not received: "), ki->str);
              }
            return FALSE;
          }
        pack_id = qoima_db_column_int64 (pack, 0);
        if (!qoima_db_step_done (pack, error))
          return FALSE;
        if (*first_pack == 0)
          *first_pack = pack_id;
        *last_pack = pack_id;
      }

      {
        g_autoptr(QoimaDbStmt) movement = insert_movement;

        qoima_db_bind_int64 (movement, 1, pack_id);
        qoima_db_bind_text (movement, 2, now);
        qoima_db_bind_text (movement, 3, actor);
        qoima_db_bind_int64 (movement, 4, row->location_id);
        if (units_left > 0)
          qoima_db_bind_int64 (movement, 5, units_left);
        else
          qoima_db_bind_null (movement, 5);
        qoima_db_bind_text (movement, 6, qoima_pack_status_to_nick (status));
        qoima_db_bind_text (movement, 7, reason);

        *last_movement = qoima_db_step_id (movement, error);
        if (*last_movement < 0)
          {
            g_prefix_error (error, _("The code %s was not received: "), ki->str);
            return FALSE;
          }
        if (*first_movement == 0)
          *first_movement = *last_movement;
      }
    }

  return bulk == NULL || bulk_flush (worker, bulk, rows->act_id, now, actor, reason, first_movement, last_movement,
                          first_pack, last_pack, error);
}

/* The stock lines of a receipt's packs @1…@2 (contiguous, as its movements), added by one
 * grouped statement where the pack insert trigger would add them one pack at a time
 * (schema 15): the same sums as STOCK_LINE_ADD in the migrations. */
#define STOCK_LINES_ADD_BATCH \
  "INSERT INTO stock_lines (gtin, batch, expiry, location_id, packs, units, opened) " \
  "SELECT gtin, coalesce (batch, ''), coalesce (expiry, ''), location_id, count (*), " \
  "       coalesce (sum (units_left), 0), sum (CASE WHEN status = 'opened' THEN 1 ELSE 0 END) " \
  "FROM packs WHERE id BETWEEN ?1 AND ?2 AND status IN ('in_stock', 'opened') " \
  "GROUP BY gtin, coalesce (batch, ''), coalesce (expiry, ''), location_id " \
  "ON CONFLICT (gtin, batch, expiry, location_id) DO UPDATE " \
  "  SET packs = stock_lines.packs + excluded.packs, units = stock_lines.units + excluded.units, " \
  "      opened = stock_lines.opened + excluded.opened"

static gboolean
add_stock_lines (Worker  *worker,
                 gint64   first_pack,
                 gint64   last_pack,
                 GError **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;

  if (first_pack == 0)
    return TRUE;
  stmt = qoima_db_prepare (worker->database, STOCK_LINES_ADD_BATCH, error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_int64 (stmt, 1, first_pack);
  qoima_db_bind_int64 (stmt, 2, last_pack);
  return qoima_db_step_done (stmt, error);
}

/*
 * SQLite receives a batch by whole-batch statements (issue 10): the packs by one INSERT …
 * SELECT from qoima_receipt_rows, the batch's rows in memory as a table
 * (qoima-sqlite-array.c), their RECEIPT movements by one INSERT … SELECT from those packs,
 * as on PostgreSQL, and the stock lines by one more from their sums. Two statements a
 * pack cost twelve times a bare insert of the packs: each opened a statement journal (its
 * triggers make it a write of several rows that may abort) and copied into it every page
 * it touched, its RETURNING made a table of its own, its triggers' programs were set up
 * afresh. The audit row's hash is taken from the values written rather than read back
 * (audit verify reads them back), the stock lines summed from them. A row that breaks a
 * rule is left to insert_rows, which names it as before: the failed statement took its
 * rows back with it.
 */
typedef struct
{
  QoimaPackRows *rows;
  char **ki;           /* each row's identification code */
  const char **status; /* each row's status nick */
  int *units;          /* each row's units left; 0 for NULL (units per pack unknown) */
} ReceiptRows;

#define RECEIPT_ROWS_COLUMNS "ki, gtin, serial, km, batch, expiry, status, location_id, units_left"
enum { ROWS_KI, ROWS_GTIN, ROWS_SERIAL, ROWS_KM, ROWS_BATCH, ROWS_EXPIRY, ROWS_STATUS, ROWS_LOCATION, ROWS_UNITS };

/* A stock line's share of a receipt, summed as STOCK_LINE_ADD sums it. */
typedef struct
{
  const char *gtin;
  const char *batch;  /* '' for none */
  const char *expiry; /* '' for none */
  gint64 location_id;
  gint64 packs;
  gint64 units;
  gint64 opened;
} LineSum;

#define RECEIPT_LINES_COLUMNS "gtin, batch, expiry, location_id, packs, units, opened"
enum { LINES_GTIN, LINES_BATCH, LINES_EXPIRY, LINES_LOCATION, LINES_PACKS, LINES_UNITS, LINES_OPENED };

static void
result_text (sqlite3_context *context,
             const char      *text)
{
  if (text != NULL)
    sqlite3_result_text (context, text, -1, SQLITE_STATIC);
  else
    sqlite3_result_null (context);
}

static void
receipt_rows_column (gconstpointer    data,
                     guint            index,
                     int              column,
                     sqlite3_context *context)
{
  const ReceiptRows *rows = data;
  const QoimaPackRow *row = &g_array_index (rows->rows->rows, QoimaPackRow, index);

  switch (column)
    {
    case ROWS_KI:
      result_text (context, rows->ki[index]);
      break;
    case ROWS_GTIN:
      result_text (context, row->gtin);
      break;
    case ROWS_SERIAL:
      result_text (context, row->serial);
      break;
    case ROWS_KM:
      result_text (context, row->km);
      break;
    case ROWS_BATCH:
      result_text (context, row->batch);
      break;
    case ROWS_EXPIRY:
      result_text (context, row->expiry);
      break;
    case ROWS_STATUS:
      result_text (context, rows->status[index]);
      break;
    case ROWS_LOCATION:
      sqlite3_result_int64 (context, row->location_id);
      break;
    case ROWS_UNITS:
      if (rows->units[index] > 0)
        sqlite3_result_int (context, rows->units[index]);
      else
        sqlite3_result_null (context);
      break;
    default:
      sqlite3_result_null (context);
      break;
    }
}

static void
receipt_lines_column (gconstpointer    data,
                      guint            index,
                      int              column,
                      sqlite3_context *context)
{
  const LineSum *line = g_ptr_array_index ((GPtrArray *) data, index);

  switch (column)
    {
    case LINES_GTIN:
      result_text (context, line->gtin);
      break;
    case LINES_BATCH:
      result_text (context, line->batch);
      break;
    case LINES_EXPIRY:
      result_text (context, line->expiry);
      break;
    case LINES_LOCATION:
      sqlite3_result_int64 (context, line->location_id);
      break;
    case LINES_PACKS:
      sqlite3_result_int64 (context, line->packs);
      break;
    case LINES_UNITS:
      sqlite3_result_int64 (context, line->units);
      break;
    case LINES_OPENED:
      sqlite3_result_int64 (context, line->opened);
      break;
    default:
      sqlite3_result_null (context);
      break;
    }
}

static guint
line_sum_hash (gconstpointer key)
{
  const LineSum *line = key;

  return ((g_str_hash (line->gtin) * 31 + g_str_hash (line->batch)) * 31 + g_str_hash (line->expiry)) * 31 +
         (guint) line->location_id;
}

static gboolean
line_sum_equal (gconstpointer a,
                gconstpointer b)
{
  const LineSum *x = a, *y = b;

  return x->location_id == y->location_id && strcmp (x->gtin, y->gtin) == 0 && strcmp (x->batch, y->batch) == 0 &&
         strcmp (x->expiry, y->expiry) == 0;
}

static int
line_sum_compare (gconstpointer a,
                  gconstpointer b)
{
  const LineSum *x = *(const LineSum * const *) a, *y = *(const LineSum * const *) b;
  int order = strcmp (x->gtin, y->gtin);

  if (order == 0)
    order = strcmp (x->batch, y->batch);
  if (order == 0)
    order = strcmp (x->expiry, y->expiry);
  if (order == 0)
    order = (x->location_id > y->location_id) - (x->location_id < y->location_id);
  return order;
}

/* Prepares @sql for this receipt alone (kept statements would keep the array's pointer
 * type bound between receipts for nothing): NULL with @error set on failure. */
static sqlite3_stmt *
receipt_prepare (Worker      *worker,
                 const char  *sql,
                 GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (worker->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      qoima_store_set_sqlite_error (error, worker->db, rc, worker->path);
      return NULL;
    }
  return stmt;
}

/* Runs and finalizes one whole-batch statement: its rows changed and the last rowid
 * written, or -1 with @error set; or -1 with *@broken instead, when @broken is given and
 * the statement broke a rule with the transaction still open. */
static gint64
receipt_run (Worker       *worker,
             sqlite3_stmt *stmt,
             gint64       *last_rowid,
             gboolean     *broken,
             GError      **error)
{
  int rc = sqlite3_step (stmt);
  gint64 changed = -1;

  if (rc == SQLITE_DONE)
    {
      *last_rowid = sqlite3_last_insert_rowid (worker->db);
      changed = sqlite3_changes64 (worker->db);
    }
  else if (broken != NULL && (rc & 0xff) == SQLITE_CONSTRAINT && !sqlite3_get_autocommit (worker->db))
    *broken = TRUE;
  else
    qoima_store_set_sqlite_error (error, worker->db, rc, worker->path);
  sqlite3_finalize (stmt);
  return changed;
}

static gboolean
check_taken (gint64    taken,
             guint     n,
             GError  **error)
{
  if (taken < 0)
    return FALSE; /* @error set, or the row-by-row insert is to name the row */
  if (taken == (gint64) n)
    return TRUE;
  g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FAILED,
               g_dngettext (GETTEXT_PACKAGE,
                            "The warehouse database took %lld of %u pack; no pack was received.",
                            "The warehouse database took %lld of %u packs; no pack was received.",
                            n),
               (long long) taken, n);
  return FALSE;
}

/* The receipt's stock lines, summed from its rows (a GROUP BY of the packs read back cost
 * as much as the movements) and added in the lines' order. */
static gboolean
add_receipt_lines (Worker            *worker,
                   const ReceiptRows *source,
                   GError           **error)
{
  g_autoptr(GHashTable) sums = g_hash_table_new (line_sum_hash, line_sum_equal);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  const char *opened = qoima_pack_status_to_nick (QOIMA_PACK_STATUS_OPENED);
  QoimaSqliteArray array = { lines, 0, receipt_lines_column };
  sqlite3_stmt *stmt;
  gint64 last;

  for (guint i = 0; i < source->rows->rows->len; i++)
    {
      const QoimaPackRow *row = &g_array_index (source->rows->rows, QoimaPackRow, i);
      LineSum key = { row->gtin, row->batch ? row->batch : "", row->expiry ? row->expiry : "", row->location_id };
      LineSum *line = g_hash_table_lookup (sums, &key);

      if (line == NULL)
        {
          line = g_memdup2 (&key, sizeof key);
          g_hash_table_add (sums, line);
          g_ptr_array_add (lines, line);
        }
      line->packs++;
      line->units += MAX (source->units[i], 0);
      line->opened += g_str_equal (source->status[i], opened);
    }
  g_ptr_array_sort (lines, line_sum_compare);
  array.n_rows = lines->len;

  stmt = receipt_prepare (worker,
                          "INSERT INTO stock_lines (gtin, batch, expiry, location_id, packs, units, opened) "
                          "SELECT gtin, batch, expiry, location_id, packs, units, opened "
                          "FROM qoima_receipt_lines (?1) WHERE TRUE ORDER BY rowid "
                          "ON CONFLICT (gtin, batch, expiry, location_id) DO UPDATE "
                          "  SET packs = stock_lines.packs + excluded.packs, units = stock_lines.units + excluded.units, "
                          "      opened = stock_lines.opened + excluded.opened",
                          error);
  if (stmt == NULL)
    return FALSE;
  qoima_sqlite_array_bind (stmt, 1, &array);
  return receipt_run (worker, stmt, &last, NULL, error) >= 0;
}

/*
 * The receipt's two batch statements are prepared with the triggers and CHECK constraints of
 * the connection standing aside (SQLITE_DBCONFIG_ENABLE_TRIGGER, ignore_check_constraints),
 * which is most of what they still cost: SQLite runs a row's triggers as a program of their
 * own even when their WHEN is false, and builds the list of each IN (…) CHECK afresh for
 * every row. What those do for a receipt is done here: the triggers on packs and movements
 * are the stock line (summed by add_receipt_lines), the movement's audit row (the batch's
 * one row) and movements_apply, which copies to the pack the state it was inserted with;
 * the CHECKs hold by construction (statuses in_stock and opened, units NULL or above 0, kind
 * receipt). NOT NULL, UNIQUE and the foreign keys stay in force. This holds for the schema
 * it was written against only: RECEIPT_SCHEMA_SHA256 is the hash of the tables and their
 * triggers as schema 17 made them, and with any other (a later step's trigger or CHECK),
 * both stay in force and the batch is slower, never wrong.
 */
#define RECEIPT_SCHEMA_SHA256 "07314d031013e64dc56275c0f66d814feb61a573164eca858f929e85e6536b5e"

/* Below this many packs the bypass saves less than it costs: changing either setting
 * expires every statement the worker keeps, each prepared again at its next use. */
#define RECEIPT_BYPASS_MIN_ROWS 200

gboolean
qoima_store_receipt_bypass_applies (sqlite3   *db,
                                    gboolean  *applies,
                                    GError   **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT type, name, sql FROM sqlite_schema "
                           "WHERE type IN ('table', 'trigger') AND tbl_name IN ('packs', 'movements') "
                           "ORDER BY type, name",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      for (int i = 0; i < 3; i++)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, i);

          g_checksum_update (checksum, (const guchar *) (text != NULL ? text : ""), -1);
          g_checksum_update (checksum, (const guchar *) (i < 2 ? "|" : "\n"), 1);
        }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      qoima_store_set_sqlite_error (error, db, rc, sqlite3_db_filename (db, "main"));
      return FALSE;
    }
  *applies = g_str_equal (g_checksum_get_string (checksum), RECEIPT_SCHEMA_SHA256);
  return TRUE;
}

/* Setting either back only fails when SQLite cannot run a PRAGMA at all (out of memory);
 * the connection would then go on without its CHECKs, which it must not. Changing either
 * expires the connection's prepared statements: each is prepared again at its next use. */
static void
receipt_bypass (Worker   *worker,
                gboolean  bypass)
{
  int rc = sqlite3_db_config (worker->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, !bypass, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_exec (worker->db, bypass ? "PRAGMA ignore_check_constraints = ON" : "PRAGMA ignore_check_constraints = OFF",
                       NULL, NULL, NULL);
  if (rc != SQLITE_OK && !bypass)
    g_error ("The warehouse database %s cannot restore its triggers and checks: %s", worker->path,
             sqlite3_errmsg (worker->db));
}

/* The packs and their RECEIPT movements, by one statement each; FALSE with *@broken and
 * no error when a row breaks a rule (then nothing was written). */
static gboolean
insert_receipt_packs (Worker            *worker,
                      QoimaSqliteArray  *array,
                      const char        *now,
                      const char        *actor,
                      const char        *reason,
                      gint64             act_id,
                      gint64            *first_pack,
                      gint64            *first_movement,
                      gboolean          *broken,
                      GError           **error)
{
  sqlite3_stmt *stmt;
  gint64 last = 0;

  stmt = receipt_prepare (worker,
                          "INSERT INTO packs (ki, gtin, serial, km, batch, expiry, status, location_id, units_left, "
                          "                   received_at, act_id) "
                          "SELECT ki, gtin, serial, km, batch, expiry, status, location_id, units_left, ?2, ?3 "
                          "FROM qoima_receipt_rows (?1) ORDER BY rowid",
                          error);
  if (stmt == NULL)
    return FALSE;
  qoima_sqlite_array_bind (stmt, 1, array);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_STATIC);
  if (act_id > 0)
    sqlite3_bind_int64 (stmt, 3, act_id);
  if (!check_taken (receipt_run (worker, stmt, &last, broken, error), array->n_rows, error))
    return FALSE;
  /* Contiguous ids in the rows' order, the movements' too: this transaction holds the
   * writers' lock, and nothing else in it inserts packs or movements. */
  *first_pack = last - array->n_rows + 1;

  stmt = receipt_prepare (worker,
                          "INSERT INTO movements (pack_id, at, actor, kind, to_location, units_delta, units_after, "
                          "                       status_after, location_after, reason) "
                          "SELECT id, received_at, ?3, 'receipt', location_id, coalesce (units_left, 0), units_left, "
                          "       status, location_id, ?4 "
                          "FROM packs WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
                          error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, *first_pack);
  sqlite3_bind_int64 (stmt, 2, last);
  sqlite3_bind_text (stmt, 3, actor, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, reason, -1, SQLITE_STATIC);
  if (!check_taken (receipt_run (worker, stmt, &last, NULL, error), array->n_rows, error))
    return FALSE;
  *first_movement = last - array->n_rows + 1;
  return TRUE;
}

/* The batch's packs, movements and stock lines on SQLite, as insert_rows and add_stock_lines
 * write them, and the movements' lines in @digest; FALSE with *@broken and no error when a
 * row breaks a rule, nothing of the batch written. */
static gboolean
insert_rows_sqlite (Worker             *worker,
                    QoimaPackRows      *rows,
                    const char         *actor,
                    const char         *reason,
                    gint64             *first_movement,
                    gint64             *last_movement,
                    QoimaReceiptDigest *digest,
                    gboolean           *broken,
                    GError            **error)
{
  guint n = rows->rows->len;
  g_autofree char *now = qoima_store_now_iso8601 ();
  g_autoptr(GHashTable) products = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) locations = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GStringChunk) text = g_string_chunk_new (n * 32 + 64);
  g_autoptr(GString) code = g_string_sized_new (64);
  g_autofree char **ki = g_new (char *, n);
  g_autofree const char **status = g_new (const char *, n);
  g_autofree int *units = g_new (int, n);
  ReceiptRows source = { rows, ki, status, units };
  QoimaSqliteArray array = { &source, n, receipt_rows_column };
  gint64 first_pack = 0;
  gboolean bypass = FALSE;
  gboolean ok;

  *broken = FALSE;
  if (n == 0)
    return TRUE;

  /* The rows' facts, as insert_rows finds them; a row it would refuse is its to refuse. */
  for (guint i = 0; i < n; i++)
    {
      const QoimaPackRow *row = &g_array_index (rows->rows, QoimaPackRow, i);
      ProductFacts *facts = g_hash_table_lookup (products, row->gtin);
      int units_left = row->units_left;

      if (facts == NULL)
        {
          g_autoptr(QoimaDbStmt) find = qoima_db_prepare (worker->database,
                                                          "SELECT units_per_pack FROM products WHERE gtin = ?1", error);
          QoimaDbStep found;

          if (find == NULL)
            return FALSE;
          qoima_db_bind_text (find, 1, row->gtin);
          found = qoima_db_step (find, error);
          if (found == QOIMA_DB_ERROR_STEP)
            return FALSE;
          *broken = found == QOIMA_DB_DONE;
          if (*broken)
            return FALSE;
          facts = g_new0 (ProductFacts, 1);
          facts->units_per_pack = (int) qoima_db_column_int64 (find, 0);
          g_hash_table_insert (products, (char *) row->gtin, facts);
        }
      if (!g_hash_table_contains (locations, &row->location_id))
        {
          g_autoptr(QoimaDbStmt) find = qoima_db_prepare (worker->database, "SELECT 1 FROM locations WHERE id = ?1",
                                                          error);
          QoimaDbStep found;

          if (find == NULL)
            return FALSE;
          qoima_db_bind_int64 (find, 1, row->location_id);
          found = qoima_db_step (find, error);
          if (found == QOIMA_DB_ERROR_STEP)
            return FALSE;
          *broken = found == QOIMA_DB_DONE;
          if (*broken)
            return FALSE;
          g_hash_table_add (locations, g_memdup2 (&row->location_id, sizeof row->location_id));
        }

      status[i] = qoima_pack_status_to_nick (QOIMA_PACK_STATUS_IN_STOCK);
      if (units_left == -1)
        units_left = facts->units_per_pack;
      else if (units_left < 1 || (facts->units_per_pack > 0 && units_left > facts->units_per_pack))
        {
          *broken = TRUE;
          return FALSE;
        }
      else if (facts->units_per_pack > 0 && units_left < facts->units_per_pack)
        status[i] = qoima_pack_status_to_nick (QOIMA_PACK_STATUS_OPENED);
      units[i] = units_left;

      g_string_truncate (code, 0);
      g_string_append_printf (code, "01%s21%s", row->gtin, row->serial);
      ki[i] = g_string_chunk_insert_len (text, code->str, code->len);
    }

  if (n >= RECEIPT_BYPASS_MIN_ROWS && !qoima_store_receipt_bypass_applies (worker->db, &bypass, error))
    return FALSE;
  if (bypass)
    receipt_bypass (worker, TRUE);
  ok = insert_receipt_packs (worker, &array, now, actor, reason, rows->act_id, &first_pack, first_movement, broken,
                             error);
  if (bypass)
    receipt_bypass (worker, FALSE);
  if (!ok)
    return FALSE;
  *last_movement = *first_movement + n - 1;

  if (!add_receipt_lines (worker, &source, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      const QoimaPackRow *row = &g_array_index (rows->rows, QoimaPackRow, i);

      qoima_receipt_digest_add (digest, *first_movement + i, first_pack + i, ki[i], row->batch, row->expiry,
                                rows->act_id, now, actor, row->location_id, units[i], status[i], reason);
    }
  return TRUE;
}

static gboolean
worker_add_receipt_tables (Worker  *worker,
                           GError **error)
{
  int rc = qoima_sqlite_array_register (worker->db, "qoima_receipt_rows", RECEIPT_ROWS_COLUMNS);

  if (rc == SQLITE_OK)
    rc = qoima_sqlite_array_register (worker->db, "qoima_receipt_lines", RECEIPT_LINES_COLUMNS);
  if (rc != SQLITE_OK)
    {
      qoima_store_set_sqlite_error (error, worker->db, rc, worker->path);
      return FALSE;
    }
  return TRUE;
}

/* Inserts @rows inside the caller's transaction, audited by one row for the batch: the
 * per-movement trigger stands aside meanwhile (qoima_audit_batch ()), which makes a
 * large receipt several times faster, and so does the stock lines' insert trigger, the
 * batch's lines added at its end. The ids are contiguous: nothing else writes packs or
 * movements in this transaction. On SQLite the batch is written by insert_rows_sqlite;
 * insert_rows, a statement a pack, only names the row that broke a rule. */
static gboolean
receive_rows (Worker         *worker,
              QoimaPackRows  *rows,
              const char     *actor,
              const char     *reason,
              GError        **error)
{
  gint64 first_movement = 0;
  gint64 last_movement = 0;
  gint64 first_pack = 0;
  gint64 last_pack = 0;
  g_autoptr(QoimaReceiptDigest) digest = NULL;
  gboolean broken = FALSE;
  gboolean hashed;
  gboolean ok;

  /* On PostgreSQL the triggers read the transaction's setting and the server writes the
   * batch's row (qoima_audit_receipt), by the same formula. */
  if (qoima_db_get_kind (worker->database) == QOIMA_DB_POSTGRESQL)
    {
      g_autoptr(QoimaDbStmt) batch = NULL;

      if (!qoima_db_exec (worker->database, "SELECT set_config ('qoima.audit_batch', 'on', true)", error))
        return FALSE;
      ok = insert_rows (worker, rows, actor, reason, &first_movement, &last_movement, &first_pack, &last_pack, error) &&
           qoima_db_exec (worker->database, "SELECT set_config ('qoima.audit_batch', 'off', true)", error) &&
           add_stock_lines (worker, first_pack, last_pack, error);
      if (!ok || first_movement == 0)
        return ok;
      batch = qoima_db_prepare (worker->database, "SELECT qoima_audit_receipt (?1, ?2)", error);
      if (batch == NULL)
        return FALSE;
      qoima_db_bind_int64 (batch, 1, first_movement);
      qoima_db_bind_int64 (batch, 2, last_movement);
      return qoima_db_step_done (batch, error);
    }

  digest = qoima_receipt_digest_new ();
  worker->audit_batch = TRUE;
  ok = hashed = insert_rows_sqlite (worker, rows, actor, reason, &first_movement, &last_movement, digest, &broken,
                                    error);
  if (!ok && broken)
    ok = insert_rows (worker, rows, actor, reason, &first_movement, &last_movement, &first_pack, &last_pack, error);
  worker->audit_batch = FALSE;

  if (!ok || first_movement == 0)
    return ok;
  if (hashed)
    return qoima_audit_append_receipt_digest (worker->db, digest, first_movement, last_movement, error);
  return add_stock_lines (worker, first_pack, last_pack, error) &&
         qoima_audit_append_receipt (worker->db, first_movement, last_movement, error);
}

static gboolean
receive_packs_body (Worker  *worker,
                    GTask   *task,
                    GError **error)
{
  ReceiveData *data = g_task_get_task_data (task);

  return receive_rows (worker, data->rows, data->actor, data->reason, error);
}

static void
receive_packs_job (Worker *worker,
                   GTask  *task)
{
  ReceiveData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, data->actor, data->reason);
  if (!qoima_store_worker_in_transaction (worker, task, receive_packs_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Looks up a pack by identification code: NULL with no error when there is none. */
static QoimaPack *
worker_find_pack (Worker      *worker,
                  const char  *ki,
                  GError     **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (worker->database, PACK_SELECT "WHERE pk.ki = ?1", error);
  if (stmt == NULL)
    return NULL;

  qoima_db_bind_text (stmt, 1, ki);
  rc = qoima_db_step (stmt, error);
  /* DONE: no such pack; ERROR_STEP: @error is set. */
  return rc == QOIMA_DB_ROW ? pack_from_row (stmt, NULL, NULL) : NULL;
}

static gboolean
record_scan (Worker      *worker,
             ScanData    *data,
             QoimaPack  **pack_out,
             GError     **error)
{
  g_autoptr(QoimaPack) pack = NULL;
  g_autoptr(QoimaDbStmt) insert = NULL;
  g_autofree char *now = qoima_store_now_iso8601 ();

  if (data->ki != NULL)
    {
      pack = worker_find_pack (worker, data->ki, error);
      if (pack == NULL && error != NULL && *error != NULL)
        return FALSE;
    }

  insert = qoima_db_prepare (worker->database,
                             "INSERT INTO scans (at, actor, ki, km, recovered, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                             error);
  if (insert == NULL)
    return FALSE;

  qoima_db_bind_text (insert, 1, now);
  qoima_db_bind_text (insert, 2, data->actor);
  qoima_db_bind_text (insert, 3, data->ki);
  qoima_db_bind_text (insert, 4, data->km);
  qoima_db_bind_int64 (insert, 5, data->recovered ? 1 : 0);
  qoima_db_bind_text (insert, 6, pack != NULL ? "found" : "unknown");
  if (!qoima_db_step_done (insert, error))
    return FALSE;

  /* Acts carry identification codes only; the first scan brings the full marking code,
   * which the withdrawal later needs. */
  if (pack != NULL && qoima_pack_get_km (pack) == NULL && data->kind == QOIMA_CODE_KIND_PACK &&
      data->km[0] != '\0')
    {
      g_autoptr(QoimaDbStmt) update = NULL;
      QoimaPack *updated;

      update = qoima_db_prepare (worker->database, "UPDATE packs SET km = ?1 WHERE id = ?2 AND km IS NULL", error);
      if (update == NULL)
        return FALSE;

      qoima_db_bind_text (update, 1, data->km);
      qoima_db_bind_int64 (update, 2, qoima_pack_get_id (pack));
      if (!qoima_db_step_done (update, error))
        return FALSE;

      updated = qoima_pack_new (qoima_pack_get_id (pack),
                                qoima_pack_get_ki (pack),
                                data->km,
                                qoima_pack_get_batch (pack),
                                qoima_pack_get_expiry (pack),
                                qoima_pack_get_status (pack),
                                qoima_pack_get_units_left (pack),
                                qoima_pack_get_product (pack),
                                qoima_pack_get_location (pack));
      g_set_object (&pack, updated);
      g_object_unref (updated);
    }

  *pack_out = g_steal_pointer (&pack);
  return TRUE;
}

static gboolean
record_scan_body (Worker  *worker,
                  GTask   *task,
                  GError **error)
{
  ScanData *data = g_task_get_task_data (task);

  return record_scan (worker, data, &data->found, error);
}

static void
record_scan_job (Worker *worker,
                 GTask  *task)
{
  ScanData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaPack) pack = NULL;

  qoima_store_worker_set_actor (worker, data->actor, "scan");
  if (!qoima_store_worker_in_transaction (worker, task, record_scan_body, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  pack = g_steal_pointer (&data->found);

  if (pack == NULL)
    {
      if (data->kind == QOIMA_CODE_KIND_BOX)
        g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                                 _("The box %s is not known in the warehouse: scan the packs inside it."),
                                 data->km);
      else
        g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                                 _("The pack %s is not in the warehouse."),
                                 data->ki);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&pack), g_object_unref);
}

static void
find_pack_job (Worker *worker,
               GTask  *task)
{
  const char *ki = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaPack) pack = NULL;

  pack = worker_find_pack (worker, ki, &local_error);
  if (local_error != NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else if (pack == NULL)
    g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                             _("The pack %s is not in the warehouse."), ki);
  else
    g_task_return_pointer (task, g_steal_pointer (&pack), g_object_unref);
}

static gboolean
load_products (Worker      *worker,
               GHashTable  *products,
               GError     **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (worker->database, "SELECT " QOIMA_STORE_PRODUCT_COLUMNS " FROM products p", error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = qoima_db_step (stmt, error)) == QOIMA_DB_ROW)
    g_hash_table_insert (products, qoima_store_column_dup (stmt, 0), qoima_store_product_from_row (stmt, 0));

  if (rc != QOIMA_DB_DONE)
    {
      return FALSE;
    }

  return TRUE;
}

static gboolean
load_locations (Worker      *worker,
                GHashTable  *locations,
                GError     **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (worker->database, "SELECT " QOIMA_STORE_LOCATION_COLUMNS " FROM locations l", error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = qoima_db_step (stmt, error)) == QOIMA_DB_ROW)
    {
      gint64 id = qoima_db_column_int64 (stmt, 0);

      g_hash_table_insert (locations, g_memdup2 (&id, sizeof id), qoima_store_location_from_row (stmt, 0));
    }

  if (rc != QOIMA_DB_DONE)
    {
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  QoimaStockItem *item;
  const char *name_key; /* borrowed from the sort keys table */
} StockSortEntry;

static int
compare_null_last (const char *a,
                   const char *b)
{
  if (a == NULL || b == NULL)
    return (a == NULL) - (b == NULL);
  return strcmp (a, b);
}

static int
compare_stock_entries (gconstpointer a,
                       gconstpointer b)
{
  const StockSortEntry *ea = a;
  const StockSortEntry *eb = b;
  int cmp;

  if ((cmp = strcmp (ea->name_key, eb->name_key)) != 0)
    return cmp;
  if ((cmp = compare_null_last (qoima_stock_item_get_expiry (ea->item), qoima_stock_item_get_expiry (eb->item))) != 0)
    return cmp;
  if ((cmp = strcmp (qoima_product_get_gtin (qoima_stock_item_get_product (ea->item)),
                     qoima_product_get_gtin (qoima_stock_item_get_product (eb->item)))) != 0)
    return cmp;
  if ((cmp = compare_null_last (qoima_stock_item_get_batch (ea->item), qoima_stock_item_get_batch (eb->item))) != 0)
    return cmp;

  return (qoima_location_get_id (qoima_stock_item_get_location (ea->item)) >
          qoima_location_get_id (qoima_stock_item_get_location (eb->item))) -
         (qoima_location_get_id (qoima_stock_item_get_location (ea->item)) <
          qoima_location_get_id (qoima_stock_item_get_location (eb->item)));
}

/* A key that sorts Russian names as people expect: case-insensitive, with Ё beside Е
 * (in code point order Ё would come before А and ё after я). */
static char *
russian_sort_key (const char *name)
{
  g_autofree char *folded = g_utf8_casefold (name != NULL ? name : "", -1);
  g_autoptr(GString) text = g_string_new (folded);

  g_string_replace (text, "ё", "е", 0);
  return g_utf8_collate_key (text->str, text->len);
}

static void
list_stock_job (Worker *worker,
                GTask  *task)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) products = product_cache_new ();
  g_autoptr(GHashTable) locations = location_cache_new ();
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (StockSortEntry));
  g_autoptr(GListStore) store = g_list_store_new (QOIMA_TYPE_STOCK_ITEM);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  if (!load_products (worker, products, &local_error) ||
      !load_locations (worker, locations, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  /* The lines the packs' triggers keep (schema 9): the cost is the lines shown, not the
   * packs. Products and locations are few, so they are joined here from the tables loaded
   * above. */
  stmt = qoima_db_prepare (worker->database,
                           "SELECT gtin, nullif (batch, ''), nullif (expiry, ''), location_id, packs, units, opened "
                           "FROM stock_lines",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  while ((rc = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      const char *gtin = qoima_db_column_text (stmt, 0);
      gint64 location_id = qoima_db_column_int64 (stmt, 3);
      QoimaProduct *product = g_hash_table_lookup (products, gtin);
      QoimaLocation *location = g_hash_table_lookup (locations, &location_id);
      StockSortEntry entry;
      char *key;

      /* Foreign keys make both lookups succeed. */
      g_assert (product != NULL && location != NULL);

      key = g_hash_table_lookup (keys, gtin);
      if (key == NULL)
        {
          key = russian_sort_key (qoima_product_get_name_ru (product));
          g_hash_table_insert (keys, (char *) qoima_product_get_gtin (product), key);
        }

      entry.item = qoima_stock_item_new (product, location,
                                         qoima_db_column_text (stmt, 1),
                                         qoima_db_column_text (stmt, 2),
                                         (int) qoima_db_column_int64 (stmt, 4),
                                         (int) qoima_db_column_int64 (stmt, 5),
                                         (int) qoima_db_column_int64 (stmt, 6));
      entry.name_key = key;
      g_array_append_val (entries, entry);
    }

  if (rc != QOIMA_DB_DONE)
    {
      for (unsigned i = 0; i < entries->len; i++)
        g_object_unref (g_array_index (entries, StockSortEntry, i).item);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  g_array_sort (entries, compare_stock_entries);

  items = g_ptr_array_new_full (entries->len, g_object_unref);
  for (unsigned i = 0; i < entries->len; i++)
    g_ptr_array_add (items, g_array_index (entries, StockSortEntry, i).item);

  /* One splice, so a GtkListView sees one items-changed, not thousands. */
  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
}

static void
list_packs_job (Worker *worker,
                GTask  *task)
{
  PageData *page = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) products = product_cache_new ();
  g_autoptr(GHashTable) locations = location_cache_new ();
  g_autoptr(GPtrArray) packs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GListStore) store = g_list_store_new (QOIMA_TYPE_PACK);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (worker->database, PACK_SELECT "WHERE pk.id > ?1 ORDER BY pk.id LIMIT ?2", &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  qoima_db_bind_int64 (stmt, 1, page->after_id);
  /* No limit: the largest one both engines take (PostgreSQL refuses SQLite's -1). */
  qoima_db_bind_int64 (stmt, 2, page->limit >= 0 ? page->limit : G_MAXINT64);
  while ((rc = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    g_ptr_array_add (packs, pack_from_row (stmt, products, locations));

  if (rc != QOIMA_DB_DONE)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  g_list_store_splice (store, 0, 0, packs->pdata, packs->len);
  g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
}

static void
count_packs_job (Worker *worker,
                 GTask  *task)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  gint64 count;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (worker->database, "SELECT count (*) FROM packs", &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  rc = qoima_db_step (stmt, &local_error);
  if (rc != QOIMA_DB_ROW)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  count = qoima_db_column_int64 (stmt, 0);
  qoima_task_return_int64 (task, count);
}

static void
check_journal_job (Worker *worker,
                   GTask  *task)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  /* Each pack against its latest movement: a pack with no movement at all, or whose
   * state differs, was changed behind the journal's back. */
  stmt = qoima_db_prepare (worker->database,
                           "SELECT pk.ki FROM packs pk "
                           "LEFT JOIN movements m ON m.id = (SELECT max (id) FROM movements WHERE pack_id = pk.id) "
                           "WHERE m.id IS NULL OR m.status_after IS DISTINCT FROM pk.status "
                           "  OR m.location_after IS DISTINCT FROM pk.location_id OR m.units_after IS DISTINCT FROM pk.units_left "
                           "ORDER BY pk.id LIMIT 1",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  rc = qoima_db_step (stmt, &local_error);
  if (rc == QOIMA_DB_ROW)
    g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                             _("The pack %s in the warehouse database %s does not match its movements journal: "
                               "the database was changed outside Qoima."),
                             qoima_db_column_text (stmt, 0), worker->path);
  else if (rc != QOIMA_DB_DONE)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
    }
  else
    g_task_return_boolean (task, TRUE);
}

/* The connection */

#define RETRY_FIRST_BACKOFF G_TIME_SPAN_SECOND

typedef struct
{
  QoimaStore *store;
  gboolean connected;
} ConnectedNews;

static void
connected_news_free (gpointer data)
{
  ConnectedNews *news = data;

  g_object_unref (news->store);
  g_free (news);
}

static void store_set_connected (QoimaStore *self,
                                 gboolean    connected);

static gboolean
deliver_connected (gpointer data)
{
  ConnectedNews *news = data;

  store_set_connected (news->store, news->connected);
  return G_SOURCE_REMOVE;
}

/* Tells the store on its main context when the connection came or went, as a job found it. */
static void
worker_tell_connected (Worker *worker,
                       GTask  *task)
{
  gboolean connected = worker->database == NULL || qoima_db_is_connected (worker->database);
  ConnectedNews *news;

  if (connected == worker->connected)
    return;
  worker->connected = connected;
  news = g_new0 (ConnectedNews, 1);
  /* The task's store: alive while its task is. */
  news->store = g_object_ref (g_task_get_source_object (task));
  news->connected = connected;
  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT, deliver_connected, news,
                              connected_news_free);
}

/* Connects again to a lost server (waiting for it, on the worker): the server rolled back
 * what was under way, the session's settings are made again, and the clock measured again.
 * Unless @forced, not before the backoff's time. */
static gboolean
worker_reconnect (Worker   *worker,
                  gboolean  forced,
                  GError  **error)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GError) local_error = NULL;

  if (worker->database == NULL || qoima_db_is_connected (worker->database))
    return TRUE;
  if (!forced && now < worker->next_attempt)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONNECTION_LOST,
                   _("The warehouse database on %s cannot be reached, so nothing was changed; what you "
                     "entered is kept. Qoima connects again as soon as the server is back."),
                   qoima_db_get_display_location (worker->database));
      return FALSE;
    }
  if (!qoima_db_reconnect (worker->database, &local_error))
    {
      worker->backoff = CLAMP (worker->backoff * 2, RETRY_FIRST_BACKOFF, RETRY_MAX_DELAY_S * G_TIME_SPAN_SECOND);
      worker->next_attempt = g_get_monotonic_time () + worker->backoff;
      g_debug ("Still no warehouse database: %s", local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  worker->backoff = 0;
  worker->next_attempt = 0;
  worker->clock_checked = 0;
  worker_check_clock (worker);
  return TRUE;
}

/* The Retry of a lost connection, and the store's own tries: a connection thought up is
 * asked whether it still is (a server gone quietly is found out only by using it). */
static void
reconnect_job (Worker *worker,
               GTask  *task)
{
  g_autoptr(GError) local_error = NULL;

  if (qoima_db_is_connected (worker->database))
    {
      g_autoptr(QoimaDbStmt) ping = qoima_db_prepare (worker->database, "SELECT 1", &local_error);

      if (ping != NULL && qoima_db_step_done (ping, &local_error))
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      if (qoima_db_is_connected (worker->database))
        {
          g_task_return_error (task, g_steal_pointer (&local_error));
          return;
        }
      g_clear_error (&local_error);
    }
  if (worker_reconnect (worker, TRUE, &local_error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&local_error));
}

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;

  for (;;)
    {
      Job *job = g_async_queue_pop (worker->queue);
      JobFunc func = job->func;
      g_autoptr(GTask) task = g_steal_pointer (&job->task);

      g_free (job);
      if (func == NULL)
        break;

      /* Only reads are dropped when their cancellable fired: a write the user confirmed
       * reaches the database even if the page that asked for it is gone. */
      if (g_task_get_check_cancellable (task) && g_task_return_error_if_cancelled (task))
        continue;

      if (worker->database == NULL && func != open_job)
        {
          g_autoptr(GError) local_error = NULL;

          set_closed_error (&local_error);
          g_task_return_error (task, g_steal_pointer (&local_error));
          continue;
        }

      /* A lost server is tried again before a job, no more often than the backoff allows;
       * reconnect_job tries whatever the backoff says. */
      if (func != reconnect_job)
        worker_reconnect (worker, FALSE, NULL);
      func (worker, task);
      worker_tell_connected (worker, task);
      if (worker->db != NULL)
        worker_cap_wal (worker);
      /* A job that returned in the middle of a transaction (a bug) must not leave it
       * open for the next job. */
      if (worker->in_transaction)
        {
          g_critical ("A store job left its transaction open");
          qoima_store_worker_rollback (worker);
        }
      g_clear_pointer (&worker->actor, g_free);
      g_clear_pointer (&worker->reason, g_free);
    }

  worker_free (worker);
  return NULL;
}

/* The store */

/* Every store operation's task: tagged with its _async function, owning its data. */
GTask *
qoima_store_task_new (QoimaStore          *self,
                      gpointer             source_tag,
                      gpointer             task_data,
                      GDestroyNotify       task_data_free,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (task_data != NULL)
    g_task_set_task_data (task, task_data, task_data_free);
  return task;
}

/* Queues @task for the worker; takes @task. */
void
qoima_store_queue_job (QoimaStore *self,
             JobFunc     func,
             GTask      *task)
{
  Job *job;

  if (self->closed)
    {
      g_autoptr(GError) local_error = NULL;

      set_closed_error (&local_error);
      g_task_return_error (task, g_steal_pointer (&local_error));
      g_object_unref (task);
      return;
    }

  job = g_new0 (Job, 1);
  job->func = func;
  job->task = task;
  g_async_queue_push (self->queue, job);
}

/* Queues a change for the worker; takes @task. It runs even when its cancellable is
 * cancelled, and its result is returned as it is: see worker_main(). */
void
qoima_store_queue_write (QoimaStore        *self,
                         QoimaStoreJobFunc  func,
                         GTask             *task)
{
  g_task_set_check_cancellable (task, FALSE);
  qoima_store_queue_job (self, func, task);
}

static gboolean
store_task_is_valid (QoimaStore   *self,
                     GAsyncResult *result,
                     gpointer      source_tag)
{
  return g_task_is_valid (result, self) && g_task_get_source_tag (G_TASK (result)) == source_tag;
}

void
qoima_task_return_int64 (GTask  *task,
                         gint64  value)
{
  g_task_return_pointer (task, g_memdup2 (&value, sizeof value), g_free);
}

gint64
qoima_task_propagate_int64 (GTask   *task,
                            gint64   failed,
                            GError **error)
{
  g_autofree gint64 *value = g_task_propagate_pointer (task, error);

  return value != NULL ? *value : failed;
}

static void
qoima_store_finalize (GObject *object)
{
  QoimaStore *self = QOIMA_STORE (object);

  qoima_store_close (self);
  g_free (self->path);

  G_OBJECT_CLASS (qoima_store_parent_class)->finalize (object);
}

static void
qoima_store_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  QoimaStore *self = QOIMA_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, qoima_store_get_path (self));
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, qoima_store_get_connected (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_store_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  QoimaStore *self = QOIMA_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_store_constructed (GObject *object)
{
  QoimaStore *self = QOIMA_STORE (object);
  Worker *worker;

  G_OBJECT_CLASS (qoima_store_parent_class)->constructed (object);

  g_assert (self->path != NULL);

  worker = g_new0 (Worker, 1);
  worker->path = g_strdup (self->path);
  worker->connected = TRUE;
  worker->queue = g_async_queue_ref (self->queue);
  self->thread = g_thread_new ("qoima-store", worker_main, worker);
}

static void
qoima_store_class_init (QoimaStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = qoima_store_constructed;
  object_class->finalize = qoima_store_finalize;
  object_class->get_property = qoima_store_get_property;
  object_class->set_property = qoima_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Notified on the main context. */
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
qoima_store_init (QoimaStore *self)
{
  self->queue = g_async_queue_new ();
  self->connected = TRUE;
}

/* QoimaPackRows */

QoimaPackRows *
qoima_pack_rows_new (void)
{
  QoimaPackRows *rows = g_new0 (QoimaPackRows, 1);

  rows->rows = g_array_new (FALSE, FALSE, sizeof (QoimaPackRow));
  rows->text = g_string_chunk_new (4096);
  return rows;
}

void
qoima_pack_rows_free (QoimaPackRows *rows)
{
  if (rows == NULL)
    return;

  g_array_unref (rows->rows);
  g_string_chunk_free (rows->text);
  g_free (rows);
}

guint
qoima_pack_rows_get_length (QoimaPackRows *rows)
{
  g_return_val_if_fail (rows != NULL, 0);

  return rows->rows->len;
}

static const char *
rows_intern (QoimaPackRows *rows,
             const char    *text)
{
  return text != NULL ? g_string_chunk_insert_const (rows->text, text) : NULL;
}

void
qoima_pack_rows_add (QoimaPackRows *rows,
                     const char    *gtin,
                     const char    *serial,
                     const char    *km,
                     const char    *batch,
                     const char    *expiry,
                     gint64         location_id,
                     int            units_left)
{
  QoimaPackRow row;

  g_return_if_fail (rows != NULL);
  g_return_if_fail (gtin != NULL);
  g_return_if_fail (serial != NULL);

  /* GTINs, batches and expiry dates repeat across rows: interned, they are stored once. */
  row.gtin = rows_intern (rows, gtin);
  row.serial = g_string_chunk_insert (rows->text, serial);
  row.km = km != NULL ? g_string_chunk_insert (rows->text, km) : NULL;
  row.batch = rows_intern (rows, batch);
  row.expiry = rows_intern (rows, expiry);
  row.location_id = location_id;
  row.units_left = units_left;
  g_array_append_val (rows->rows, row);
}

/* Notifications */

static gboolean
emit_changed (gpointer data)
{
  QoimaStore *self = data;

  self->changed_source = 0;
  g_signal_emit (self, signals[CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
heard_change (const char *channel,
              gpointer    user_data)
{
  QoimaStore *self = user_data;

  /* The notifications' connection was lost: the worker's may be too, which only using it
   * tells; the store says so at once rather than at the user's next entry. */
  if (channel == NULL)
    {
      qoima_store_reconnect_async (self, NULL, NULL, NULL);
      return;
    }

  /* The pending emission keeps the store alive until it has run. */
  if (self->changed_source == 0)
    self->changed_source = g_timeout_add_full (G_PRIORITY_DEFAULT, CHANGED_DELAY_MS, emit_changed,
                                               g_object_ref (self), g_object_unref);
}

static void
store_listen (QoimaStore *self)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *shown = NULL;

  if (g_str_equal (self->path, ":memory:"))
    return;
  self->changes = qoima_db_listen_source_new (self->path, CHANGES_CHANNEL, heard_change, self, NULL, &local_error);
  if (self->changes == NULL)
    {
      /* Only the other workstations' changes go unheard: this one's pages reload themselves. */
      shown = qoima_db_location_for_display (self->path);
      g_warning ("Changes made at other workstations to %s will not be shown until a page is reloaded: %s",
                 shown, local_error->message);
      return;
    }
  g_source_attach (self->changes, g_main_context_get_thread_default ());
}

static void
store_stop_listening (QoimaStore *self)
{
  if (self->changes != NULL)
    {
      g_source_destroy (self->changes);
      g_clear_pointer (&self->changes, g_source_unref);
    }
  g_clear_handle_id (&self->changed_source, g_source_remove);
}

/* Public API */

void
qoima_store_open_async (const char          *path,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(QoimaStore) self = NULL;
  GTask *task;

  g_return_if_fail (path != NULL);

  self = g_object_new (QOIMA_TYPE_STORE, "path", path, NULL);
  task = qoima_store_task_new (self, qoima_store_open_async, NULL, NULL, cancellable, callback, user_data);
  qoima_store_queue_job (self, open_job, task);
}

QoimaStore *
qoima_store_open_finish (GAsyncResult  *result,
                         GError       **error)
{
  QoimaStore *self;
  gssize read_only;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_store_open_async, NULL);

  read_only = g_task_propagate_int (G_TASK (result), error);
  if (read_only < 0)
    return NULL;

  self = g_task_get_source_object (G_TASK (result));
  self->read_only = read_only == 1;
  store_listen (self);
  return g_object_ref (self);
}

gboolean
qoima_store_get_read_only (QoimaStore *self)
{
  g_return_val_if_fail (QOIMA_IS_STORE (self), FALSE);

  return self->read_only;
}

const char *
qoima_store_get_path (QoimaStore *self)
{
  g_return_val_if_fail (QOIMA_IS_STORE (self), NULL);

  return self->path;
}

gboolean
qoima_store_get_connected (QoimaStore *self)
{
  g_return_val_if_fail (QOIMA_IS_STORE (self), FALSE);

  return self->connected;
}

static gboolean
retry_cb (gpointer data)
{
  QoimaStore *self = data;

  self->retry_source = 0;
  qoima_store_reconnect_async (self, NULL, NULL, NULL);
  /* The next try, should this one fail too; a success removes it. */
  self->retry_delay_s = CLAMP (self->retry_delay_s * 2, 1, RETRY_MAX_DELAY_S);
  self->retry_source = g_timeout_add_seconds (self->retry_delay_s, retry_cb, self);
  return G_SOURCE_REMOVE;
}

static void
store_set_connected (QoimaStore *self,
                     gboolean    connected)
{
  if (self->closed || self->connected == connected)
    return;
  self->connected = connected;
  if (connected)
    {
      g_clear_handle_id (&self->retry_source, g_source_remove);
      self->retry_delay_s = 0;
      /* Changes the other workstations made meanwhile were not heard. */
      heard_change (CHANGES_CHANNEL, self);
    }
  else
    {
      g_autofree char *shown = qoima_db_location_for_display (self->path);

      g_message ("The warehouse database %s cannot be reached; trying again", shown);
      self->retry_delay_s = 1;
      g_clear_handle_id (&self->retry_source, g_source_remove);
      self->retry_source = g_timeout_add_seconds (self->retry_delay_s, retry_cb, self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

void
qoima_store_reconnect_async (QoimaStore          *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = qoima_store_task_new (self, qoima_store_reconnect_async, NULL, NULL, cancellable, callback, user_data);
  qoima_store_queue_job (self, reconnect_job, task);
}

gboolean
qoima_store_reconnect_finish (QoimaStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_reconnect_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
qoima_store_close (QoimaStore *self)
{
  Job *stop;

  g_return_if_fail (QOIMA_IS_STORE (self));

  if (self->closed)
    return;

  self->closed = TRUE;
  store_stop_listening (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  stop = g_new0 (Job, 1);
  g_async_queue_push (self->queue, stop);

  /* The worker may itself drop the last reference to the store (through a task it has
   * just returned); it cannot wait for itself, and stops on its own after the Job. */
  if (g_thread_self () == self->thread)
    g_thread_unref (self->thread);
  else
    g_thread_join (self->thread);

  self->thread = NULL;
  g_clear_pointer (&self->queue, g_async_queue_unref);
}

void
qoima_store_add_products_async (QoimaStore          *self,
                                GPtrArray           *products,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  GPtrArray *copy;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (products != NULL);

  /* The records are immutable, so sharing them with the worker is safe. */
  copy = g_ptr_array_new_full (products->len, g_object_unref);
  for (unsigned i = 0; i < products->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (products, i)));

  task = qoima_store_task_new (self, qoima_store_add_products_async, NULL, NULL, cancellable, callback, user_data);
  g_task_set_task_data (task, copy, (GDestroyNotify) g_ptr_array_unref);
  qoima_store_queue_write (self, add_products_job, task);
}

gboolean
qoima_store_add_products_finish (QoimaStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_add_products_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
qoima_store_add_location_async (QoimaStore          *self,
                                QoimaLocationKind    kind,
                                const char          *name_ru,
                                const char          *name_kk,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  AddLocationData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (name_ru != NULL);

  data = g_new0 (AddLocationData, 1);
  data->kind = g_strdup (qoima_location_kind_to_nick (kind));
  data->name_ru = g_strdup (name_ru);
  data->name_kk = g_strdup (name_kk);

  task = qoima_store_task_new (self, qoima_store_add_location_async, NULL, NULL, cancellable, callback, user_data);
  g_task_set_task_data (task, data, add_location_data_free);
  qoima_store_queue_write (self, add_location_job, task);
}

gint64
qoima_store_add_location_finish (QoimaStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_add_location_async), 0);

  return qoima_task_propagate_int64 (G_TASK (result), 0, error);
}

void
qoima_store_list_locations_async (QoimaStore          *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_STORE (self));

  qoima_store_queue_job (self, list_locations_job,
               qoima_store_task_new (self, qoima_store_list_locations_async, NULL, NULL, cancellable, callback, user_data));
}

GListModel *
qoima_store_list_locations_finish (QoimaStore    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_list_locations_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qoima_store_receive_packs_async (QoimaStore          *self,
                                 QoimaPackRows       *rows,
                                 const char          *actor,
                                 const char          *reason,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  ReceiveData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (rows != NULL);
  g_return_if_fail (actor != NULL);

  data = g_new0 (ReceiveData, 1);
  data->rows = rows;
  data->actor = g_strdup (actor);
  data->reason = g_strdup (reason);

  task = qoima_store_task_new (self, qoima_store_receive_packs_async, NULL, NULL, cancellable, callback, user_data);
  g_task_set_task_data (task, data, receive_data_free);
  qoima_store_queue_write (self, receive_packs_job, task);
}

gboolean
qoima_store_receive_packs_finish (QoimaStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_receive_packs_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
qoima_store_record_scan_async (QoimaStore             *self,
                               const QoimaMarkingCode *code,
                               const char             *actor,
                               GCancellable           *cancellable,
                               GAsyncReadyCallback     callback,
                               gpointer                user_data)
{
  ScanData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (code != NULL);
  g_return_if_fail (actor != NULL);

  /* Only what the worker needs is copied, as plain strings. */
  data = g_new0 (ScanData, 1);
  data->kind = code->kind;
  data->ki = code->kind == QOIMA_CODE_KIND_PACK ? g_strdup (code->ki) : NULL;
  data->km = g_strdup (code->km != NULL ? code->km : (code->sscc != NULL ? code->sscc : ""));
  data->actor = g_strdup (actor);
  data->recovered = code->recovered;

  task = qoima_store_task_new (self, qoima_store_record_scan_async, NULL, NULL, cancellable, callback, user_data);
  g_task_set_task_data (task, data, scan_data_free);
  qoima_store_queue_write (self, record_scan_job, task);
}

QoimaPack *
qoima_store_record_scan_finish (QoimaStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_record_scan_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qoima_store_find_pack_async (QoimaStore          *self,
                             const char          *ki,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (ki != NULL);

  task = qoima_store_task_new (self, qoima_store_find_pack_async, NULL, NULL, cancellable, callback, user_data);
  g_task_set_task_data (task, g_strdup (ki), g_free);
  qoima_store_queue_job (self, find_pack_job, task);
}

QoimaPack *
qoima_store_find_pack_finish (QoimaStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_find_pack_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qoima_store_list_stock_async (QoimaStore          *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_STORE (self));

  qoima_store_queue_job (self, list_stock_job,
               qoima_store_task_new (self, qoima_store_list_stock_async, NULL, NULL, cancellable, callback, user_data));
}

GListModel *
qoima_store_list_stock_finish (QoimaStore    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_list_stock_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
queue_list_packs (QoimaStore          *self,
                  gpointer             source_tag,
                  gint64               after_id,
                  int                  limit,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  PageData *page = g_new0 (PageData, 1);
  GTask *task;

  page->after_id = after_id;
  page->limit = limit;

  task = qoima_store_task_new (self, source_tag, NULL, NULL, cancellable, callback, user_data);
  g_task_set_task_data (task, page, g_free);
  qoima_store_queue_job (self, list_packs_job, task);
}

void
qoima_store_list_packs_async (QoimaStore          *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_STORE (self));

  /* LIMIT -1 is SQLite's "no limit". */
  queue_list_packs (self, qoima_store_list_packs_async, 0, -1, cancellable, callback, user_data);
}

GListModel *
qoima_store_list_packs_finish (QoimaStore    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_list_packs_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qoima_store_list_packs_page_async (QoimaStore          *self,
                                   gint64               after_id,
                                   int                  limit,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (limit > 0);

  queue_list_packs (self, qoima_store_list_packs_page_async, after_id, limit, cancellable, callback, user_data);
}

GListModel *
qoima_store_list_packs_page_finish (QoimaStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_list_packs_page_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qoima_store_count_packs_async (QoimaStore          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_STORE (self));

  qoima_store_queue_job (self, count_packs_job,
               qoima_store_task_new (self, qoima_store_count_packs_async, NULL, NULL, cancellable, callback, user_data));
}

gint64
qoima_store_count_packs_finish (QoimaStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_count_packs_async), -1);

  return qoima_task_propagate_int64 (G_TASK (result), -1, error);
}

void
qoima_store_check_journal_async (QoimaStore          *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_STORE (self));

  qoima_store_queue_job (self, check_journal_job,
               qoima_store_task_new (self, qoima_store_check_journal_async, NULL, NULL, cancellable, callback, user_data));
}

gboolean
qoima_store_check_journal_finish (QoimaStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (store_task_is_valid (self, result, qoima_store_check_journal_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The worker's helpers, for the store's other files (qoima-store-acts.c, qoima-store-outbox.c). */

QoimaDb *
qoima_store_worker_get_db (QoimaStoreWorker *worker)
{
  return worker->database;
}

const char *
qoima_store_worker_get_workstation (QoimaStoreWorker *worker)
{
  static int n_workers;

  /* Each store of each process is one: a restarted Qoima waits for its old claims to run
   * out, as another workstation would, since it cannot know what its predecessor sent. */
  if (worker->workstation == NULL)
    worker->workstation = g_strdup_printf ("%s/%d/%d", g_get_host_name (), (int) getpid (),
                                           g_atomic_int_add (&n_workers, 1));
  return worker->workstation;
}

const char *
qoima_store_worker_get_path (QoimaStoreWorker *worker)
{
  return worker->path;
}

void
qoima_store_worker_rollback (QoimaStoreWorker *worker)
{
  worker->in_transaction = FALSE;
  qoima_db_rollback (worker->database);
}

void
qoima_store_worker_set_step_error (QoimaStoreWorker  *worker,
                                   QoimaDbStep        step,
                                   GError           **error)
{
  if (step == QOIMA_DB_DONE)
    g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FAILED,
                 _("The warehouse database %s lacks a row it should have."),
                 qoima_db_get_display_location (worker->database));
}

/* On PostgreSQL the audit triggers read who acts and why from the transaction's settings
 * (on SQLite, from the worker through qoima_actor () and qoima_reason ()). */
static gboolean
worker_share_actor (Worker  *worker,
                    GError **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;

  if (qoima_db_get_kind (worker->database) != QOIMA_DB_POSTGRESQL)
    return TRUE;
  stmt = qoima_db_prepare (worker->database,
                           "SELECT set_config ('qoima.actor', ?1, true), set_config ('qoima.reason', ?2, true)",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, qoima_store_worker_get_actor (worker));
  qoima_db_bind_text (stmt, 2, worker->reason != NULL ? worker->reason : "");
  return qoima_db_step_done (stmt, error);
}

/* Every write transaction of the store goes through here. */
gboolean
qoima_store_worker_in_transaction_with (QoimaStoreWorker          *worker,
                                        QoimaStoreTransactionFunc  func,
                                        gpointer                   user_data,
                                        GError                   **error)
{
  g_return_val_if_fail (!worker->in_transaction, FALSE);

  worker_check_clock (worker);
  if (!qoima_db_begin_write (worker->database, error))
    return FALSE;
  worker->in_transaction = TRUE;
  /* Heard at the commit, by this workstation's pages and, on a server, every other's. */
  if (!worker_share_actor (worker, error) ||
      !func (worker, user_data, error) ||
      !qoima_db_notify (worker->database, CHANGES_CHANNEL, error) ||
      !qoima_db_commit (worker->database, error))
    {
      qoima_store_worker_rollback (worker);
      return FALSE;
    }
  worker->in_transaction = FALSE;
  return TRUE;
}

typedef struct
{
  GTask *task;
  QoimaStoreTransactionBody body;
} TaskBody;

static gboolean
task_body (QoimaStoreWorker  *worker,
           gpointer           user_data,
           GError           **error)
{
  TaskBody *run = user_data;

  return run->body (worker, run->task, error);
}

gboolean
qoima_store_worker_in_transaction (QoimaStoreWorker          *worker,
                                   GTask                     *task,
                                   QoimaStoreTransactionBody  body,
                                   GError                   **error)
{
  TaskBody run = { task, body };

  return qoima_store_worker_in_transaction_with (worker, task_body, &run, error);
}

gboolean
qoima_store_worker_receive (QoimaStoreWorker  *worker,
                            QoimaPackRows     *rows,
                            const char        *actor,
                            const char        *reason,
                            GError           **error)
{
  return receive_rows (worker, rows, actor, reason, error);
}

gboolean
qoima_store_task_is_valid (QoimaStore   *self,
                           GAsyncResult *result,
                           gpointer      source_tag)
{
  return store_task_is_valid (self, result, source_tag);
}

void
qoima_pack_rows_set_act_id (QoimaPackRows *rows,
                            gint64         act_id)
{
  g_return_if_fail (rows != NULL);
  rows->act_id = act_id;
}

void
qoima_store_worker_set_actor (QoimaStoreWorker *worker,
                              const char       *actor,
                              const char       *reason)
{
  g_autoptr(GError) local_error = NULL;

  g_free (worker->actor);
  worker->actor = g_strdup (actor);
  g_free (worker->reason);
  worker->reason = g_strdup (reason);
  /* Named inside a transaction: the triggers still to run see it. */
  if (worker->in_transaction && !worker_share_actor (worker, &local_error))
    g_warning ("The audit trail cannot name who acts: %s", local_error->message);
}

const char *
qoima_store_worker_get_actor (QoimaStoreWorker *worker)
{
  return worker->actor != NULL ? worker->actor : "system";
}

const char *
qoima_store_worker_get_reason (QoimaStoreWorker *worker)
{
  return worker->reason;
}

gboolean
qoima_store_worker_get_audit_batch (QoimaStoreWorker *worker)
{
  return worker->audit_batch;
}
