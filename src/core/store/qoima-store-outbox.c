/* qoima-store-outbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-outbox"

#include "config.h"

#include "qoima-store-outbox.h"

#include "qoima-enums.h"
#include "qoima-json.h"
#include "qoima-store-private.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <errno.h>
#include <signal.h>
#include <string.h>

const char *
qoima_outbox_state_to_nick (QoimaOutboxState state)
{
  return qoima_enum_to_nick (QOIMA_TYPE_OUTBOX_STATE, state);
}

static QoimaOutboxState
state_from_nick (const char *nick)
{
  int value;

  if (!qoima_enum_from_nick (QOIMA_TYPE_OUTBOX_STATE, nick, FALSE, &value))
    return QOIMA_OUTBOX_READY;
  return (QoimaOutboxState) value;
}

/* What ИС МПТ says of a document it has finished checking. */
static gboolean
ismpt_status_is_final (const char *ismpt_status)
{
  return g_strcmp0 (ismpt_status, "CHECKED_OK") == 0 || g_strcmp0 (ismpt_status, "CHECKED_NOT_OK") == 0 ||
         g_strcmp0 (ismpt_status, "PARSE_ERROR") == 0 || g_strcmp0 (ismpt_status, "PROCESSING_ERROR") == 0;
}

QoimaDocumentState
qoima_document_state_get (const char *state,
                          const char *ismpt_status)
{
  if (g_strcmp0 (state, "done") == 0)
    return QOIMA_DOCUMENT_ACCEPTED;
  if (g_strcmp0 (state, "failed") == 0)
    return QOIMA_DOCUMENT_REFUSED;
  if (g_strcmp0 (state, "sent") == 0)
    return ismpt_status_is_final (ismpt_status) ? QOIMA_DOCUMENT_NOT_RECORDED : QOIMA_DOCUMENT_CHECKING;
  /* "ready", and "sending": whether ИС МПТ has it is asked before it is sent again. */
  return QOIMA_DOCUMENT_WAITING;
}

const char *
qoima_document_state_reason (QoimaDocumentState  document_state,
                             const char         *errors,
                             const char         *last_error)
{
  switch (document_state)
    {
    case QOIMA_DOCUMENT_REFUSED:
      return errors != NULL && errors[0] != '\0' ? errors : NULL;
    case QOIMA_DOCUMENT_WAITING:
    case QOIMA_DOCUMENT_CHECKING:
    case QOIMA_DOCUMENT_NOT_RECORDED:
      return last_error != NULL && last_error[0] != '\0' ? last_error : NULL;
    case QOIMA_DOCUMENT_ACCEPTED:
    default:
      return NULL;
    }
}

const char *
qoima_document_state_to_nick (QoimaDocumentState state)
{
  return qoima_enum_to_nick (QOIMA_TYPE_DOCUMENT_STATE, state);
}

const char *
qoima_document_state_to_label (QoimaDocumentState state)
{
  switch (state)
    {
    case QOIMA_DOCUMENT_WAITING:
      return _("Waiting to be sent");
    case QOIMA_DOCUMENT_CHECKING:
      return _("Sent, being checked by ИС МПТ");
    case QOIMA_DOCUMENT_NOT_RECORDED:
      return _("Answered by ИС МПТ, not recorded yet");
    case QOIMA_DOCUMENT_ACCEPTED:
      return _("Accepted by ИС МПТ");
    case QOIMA_DOCUMENT_REFUSED:
      return _("Refused by ИС МПТ");
    default:
      g_return_val_if_reached (NULL);
    }
}

char *
qoima_document_state_describe (QoimaDocumentState  state,
                               const char         *reason)
{
  switch (state)
    {
    case QOIMA_DOCUMENT_WAITING:
      return reason != NULL ? g_strdup_printf (_("Waiting to be sent: %s"), reason)
                            : g_strdup (_("Waiting to be sent to ИС МПТ at the next sync"));
    case QOIMA_DOCUMENT_NOT_RECORDED:
      return g_strdup_printf (_("ИС МПТ has answered, but the warehouse could not record the answer yet: %s "
                                "It is recorded at the next sync."),
                              reason != NULL ? reason : "");
    case QOIMA_DOCUMENT_REFUSED:
      if (reason != NULL)
        return g_strdup_printf (_("Refused by ИС МПТ: %s"), reason);
      return g_strdup (qoima_document_state_to_label (state));
    case QOIMA_DOCUMENT_CHECKING:
      /* Its status could not be asked last time: asked again at the next sync. */
      if (reason != NULL)
        return g_strdup_printf (_("Sent, being checked by ИС МПТ; its answer could not be asked for: %s"), reason);
      return g_strdup (qoima_document_state_to_label (state));
    case QOIMA_DOCUMENT_ACCEPTED:
    default:
      return g_strdup (qoima_document_state_to_label (state));
    }
}

void
qoima_outbox_entry_free (QoimaOutboxEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->doc_type);
  g_free (entry->document_number);
  g_clear_pointer (&entry->document, g_bytes_unref);
  g_clear_pointer (&entry->signature, g_bytes_unref);
  g_free (entry->ismpt_id);
  g_free (entry->ismpt_status);
  g_free (entry->errors);
  g_free (entry->last_error);
  g_free (entry->sent_at);
  g_free (entry);
}

/* Prepares @sql and binds the variadic (type, value) pairs: text (NULL binds NULL), an
 * integer, bytes. */
typedef enum { BIND_END, BIND_TEXT, BIND_INT64, BIND_BLOB } BindType;

static QoimaDbStmt *
prepare_bound (QoimaStoreWorker  *worker,
               const char        *sql,
               GError           **error,
               va_list            args)
{
  QoimaDbStmt *stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), sql, error);
  int column = 1;
  BindType type;

  if (stmt == NULL)
    return NULL;

  while ((type = va_arg (args, BindType)) != BIND_END)
    {
      switch (type)
        {
        case BIND_TEXT:
          qoima_db_bind_text (stmt, column, va_arg (args, const char *));
          break;
        case BIND_INT64:
          qoima_db_bind_int64 (stmt, column, va_arg (args, gint64));
          break;
        case BIND_BLOB:
          qoima_db_bind_bytes (stmt, column, va_arg (args, GBytes *));
          break;
        case BIND_END:
        default:
          g_assert_not_reached ();
        }
      column++;
    }
  return stmt;
}

/* Runs @sql with its bindings to its end; the rows it changed into @changes when not NULL. */
static gboolean
step_valist (QoimaStoreWorker  *worker,
             const char        *sql,
             gint64            *changes,
             GError           **error,
             va_list            args)
{
  g_autoptr(QoimaDbStmt) stmt = prepare_bound (worker, sql, error, args);

  if (stmt == NULL || !qoima_db_step_done (stmt, error))
    return FALSE;
  if (changes != NULL)
    *changes = qoima_db_changes (stmt);
  return TRUE;
}

static gboolean
step (QoimaStoreWorker  *worker,
      const char        *sql,
      GError           **error,
      ...)
{
  va_list args;
  gboolean ok;

  va_start (args, error);
  ok = step_valist (worker, sql, NULL, error, args);
  va_end (args);
  return ok;
}

static gboolean
step_changes (QoimaStoreWorker  *worker,
              const char        *sql,
              gint64            *changes,
              GError           **error,
              ...)
{
  va_list args;
  gboolean ok;

  va_start (args, error);
  ok = step_valist (worker, sql, changes, error, args);
  va_end (args);
  return ok;
}

/* Runs an INSERT … RETURNING id with its bindings; the new row's id into @id. */
static gboolean
insert_returning_id (QoimaStoreWorker  *worker,
                     const char        *sql,
                     gint64            *id,
                     GError           **error,
                     ...)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  va_list args;

  va_start (args, error);
  stmt = prepare_bound (worker, sql, error, args);
  va_end (args);
  if (stmt == NULL || qoima_db_step (stmt, error) != QOIMA_DB_ROW)
    return FALSE;
  *id = qoima_db_column_int64 (stmt, 0);
  return qoima_db_step_done (stmt, error);
}

/* Queue an acceptance. */

typedef struct {
  gint64 act_id;
  GHashTable *decisions;
  char *document_number;
  GBytes *document;
  GBytes *signature;
  char *actor;
  char *signer_serial; /* the certificate signed with, for the audit trail */
  char *signer_owner;
  char *signer_iin;
  gint64 id;
} QueueData;

static void
queue_data_free (QueueData *data)
{
  g_clear_pointer (&data->decisions, g_hash_table_unref);
  g_free (data->document_number);
  g_clear_pointer (&data->document, g_bytes_unref);
  g_clear_pointer (&data->signature, g_bytes_unref);
  g_free (data->actor);
  g_free (data->signer_serial);
  g_free (data->signer_owner);
  g_free (data->signer_iin);
  g_free (data);
}

static gboolean
queue_acceptance (QoimaStoreWorker  *worker,
                  GTask             *task,
                  GError           **error)
{
  QueueData *data = g_task_get_task_data (task);
  g_autofree char *now = qoima_store_now_iso8601 ();
  GHashTableIter iter;
  gpointer code, accepted;

  {
    g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                                                    "SELECT status, number FROM acts WHERE id = ?1", error);
    QoimaDbStep found;

    if (stmt == NULL)
      return FALSE;
    qoima_db_bind_int64 (stmt, 1, data->act_id);
    found = qoima_db_step (stmt, error);
    if (found == QOIMA_DB_ERROR_STEP)
      return FALSE;
    if (found != QOIMA_DB_ROW)
      {
        g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                     _("There is no act number %lld in the warehouse."), (long long) data->act_id);
        return FALSE;
      }
    /* An act is answered once: a second answer would be refused by ИС МПТ anyway. */
    if (g_strcmp0 (qoima_db_column_text (stmt, 0), "waiting") != 0)
      {
        g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                     _("The act %s has been answered already."), qoima_db_column_text (stmt, 1));
        return FALSE;
      }
  }

  if (!insert_returning_id (worker,
                           "INSERT INTO outbox (doc_type, document_number, act_id, document, signature, state, "
                           "  created_by, created_at, updated_at, signer_serial, signer_owner, signer_iin) "
                           "VALUES ('LP_ACCEPT_GOODS', ?1, ?2, ?3, ?4, 'ready', ?5, ?6, ?6, ?7, ?8, ?9) RETURNING id",
                           &data->id, error,
             BIND_TEXT, data->document_number, BIND_INT64, data->act_id,
             BIND_BLOB, data->document, BIND_BLOB, data->signature,
             BIND_TEXT, data->actor, BIND_TEXT, now,
             BIND_TEXT, data->signer_serial, BIND_TEXT, data->signer_owner, BIND_TEXT, data->signer_iin,
             BIND_END))
    return FALSE;

  if (!step (worker, "UPDATE acts SET status = 'sending', decided_at = ?2, errors = NULL WHERE id = ?1", error,
             BIND_INT64, data->act_id, BIND_TEXT, now, BIND_END))
    return FALSE;

  g_hash_table_iter_init (&iter, data->decisions);
  while (g_hash_table_iter_next (&iter, &code, &accepted))
    if (!step (worker, "UPDATE act_codes SET decision = ?3 WHERE act_id = ?1 AND code = ?2", error,
               BIND_INT64, data->act_id, BIND_TEXT, code,
               BIND_TEXT, GPOINTER_TO_INT (accepted) ? "accepted" : "rejected", BIND_END))
      return FALSE;

  return TRUE;
}

static void
queue_acceptance_job (QoimaStoreWorker *worker,
                      GTask            *task)
{
  QueueData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, data->actor, data->document_number);
  if (!qoima_store_worker_in_transaction (worker, task, queue_acceptance, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    qoima_task_return_int64 (task, data->id);
}

void
qoima_store_queue_acceptance_async (QoimaStore          *self,
                                    gint64               act_id,
                                    GHashTable          *decisions,
                                    const char          *document_number,
                                    GBytes              *document,
                                    GBytes              *signature,
                                    const char          *actor,
                                    QoimaCertificate    *certificate,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  QueueData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (act_id > 0);
  g_return_if_fail (document_number != NULL);
  g_return_if_fail (document != NULL);
  g_return_if_fail (signature != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  data = g_new0 (QueueData, 1);
  if (certificate != NULL)
    {
      data->signer_serial = g_strdup (qoima_certificate_get_serial (certificate));
      data->signer_owner = g_strdup (qoima_certificate_get_owner (certificate));
      data->signer_iin = g_strdup (qoima_certificate_get_iin (certificate));
    }

  data->act_id = act_id;
  data->decisions = g_hash_table_ref (decisions);
  data->document_number = g_strdup (document_number);
  data->document = g_bytes_ref (document);
  data->signature = g_bytes_ref (signature);
  data->actor = g_strdup (actor);
  g_task_set_source_tag (task, qoima_store_queue_acceptance_async);
  g_task_set_task_data (task, data, (GDestroyNotify) queue_data_free);
  qoima_store_queue_write (self, queue_acceptance_job, task);
}

gint64
qoima_store_queue_acceptance_finish (QoimaStore    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_queue_acceptance_async), 0);
  return qoima_task_propagate_int64 (G_TASK (result), 0, error);
}

/* List. */

static void
list_outbox_job (QoimaStoreWorker *worker,
                 GTask            *task)
{
  gboolean all = GPOINTER_TO_INT (g_task_get_task_data (task));
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_outbox_entry_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep next = QOIMA_DB_ERROR_STEP;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           all ?
                           "SELECT id, doc_type, document_number, act_id, document, signature, state, ismpt_id, "
                           "  ismpt_status, errors, attempts, last_error, sent_at FROM outbox ORDER BY id" :
                           "SELECT id, doc_type, document_number, act_id, document, signature, state, ismpt_id, "
                           "  ismpt_status, errors, attempts, last_error, sent_at FROM outbox "
                           "WHERE state IN ('ready', 'sending', 'sent') ORDER BY id",
                           &local_error);
  while (stmt != NULL && (next = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      QoimaOutboxEntry *entry = g_new0 (QoimaOutboxEntry, 1);

      entry->id = qoima_db_column_int64 (stmt, 0);
      entry->doc_type = qoima_store_column_dup (stmt, 1);
      entry->document_number = qoima_store_column_dup (stmt, 2);
      entry->act_id = qoima_db_column_int64 (stmt, 3);
      entry->document = qoima_db_column_bytes (stmt, 4);
      entry->signature = qoima_db_column_bytes (stmt, 5);
      if (entry->document == NULL)
        entry->document = g_bytes_new (NULL, 0);
      if (entry->signature == NULL)
        entry->signature = g_bytes_new (NULL, 0);
      entry->state = state_from_nick (qoima_db_column_text (stmt, 6));
      entry->ismpt_id = qoima_store_column_dup (stmt, 7);
      entry->ismpt_status = qoima_store_column_dup (stmt, 8);
      entry->errors = qoima_store_column_dup (stmt, 9);
      entry->attempts = qoima_db_column_int64 (stmt, 10);
      entry->last_error = qoima_store_column_dup (stmt, 11);
      entry->sent_at = qoima_store_column_dup (stmt, 12);
      g_ptr_array_add (entries, entry);
    }
  if (next == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&entries), (GDestroyNotify) g_ptr_array_unref);
}

void
qoima_store_list_outbox_async (QoimaStore          *self,
                               gboolean             all,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_list_outbox_async);
  g_task_set_task_data (task, GINT_TO_POINTER (all), NULL);
  qoima_store_queue_job (self, list_outbox_job, task);
}

GPtrArray *
qoima_store_list_outbox_finish (QoimaStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_list_outbox_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Update. */

typedef struct {
  gint64 id;
  QoimaOutboxState state;
  char *ismpt_id;
  char *ismpt_status;
  char *errors;
  char *last_error;
  char *actor;
  gboolean count_attempt;
  gboolean ok;
} UpdateData;

static void
update_data_free (UpdateData *data)
{
  g_free (data->ismpt_id);
  g_free (data->ismpt_status);
  g_free (data->errors);
  g_free (data->last_error);
  g_free (data->actor);
  g_free (data);
}

/* How long a workstation holds a document it is sending: longer than any request to ИС МПТ
 * takes, short enough that a document whose workstation died is soon sent by another. */
#define CLAIM_MINUTES 5

/* Whether @holder is a process of this computer that has ended (it crashed or was killed
 * while sending): its claim need not run out, since no one else on this computer is sending
 * what it held, and the next send asks ИС МПТ first, as after any crash. */
static gboolean
holder_is_gone (const char *holder)
{
  g_auto(GStrv) parts = g_strsplit (holder, "/", 3);
  gint64 pid;

  if (g_strv_length (parts) != 3 || g_strcmp0 (parts[0], g_get_host_name ()) != 0)
    return FALSE;
  pid = g_ascii_strtoll (parts[1], NULL, 10);
  return pid > 0 && kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

/* A send about to start claims its document for this workstation, unless another holds it
 * (not yet run out, not a crashed process of this computer). Any other step ends this
 * workstation's claim: the attempt is over, whatever it left the document in. */
static gboolean
claim_outbox (QoimaStoreWorker  *worker,
              UpdateData        *data,
              GError           **error)
{
  g_autoptr(GDateTime) now = qoima_store_now ();
  g_autoptr(GDateTime) until = g_date_time_add_minutes (now, CLAIM_MINUTES);
  g_autofree char *now_text = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *until_text = g_date_time_format (until, "%Y-%m-%dT%H:%M:%SZ");
  const char *me = qoima_store_worker_get_workstation (worker);
  g_autoptr(QoimaDbStmt) held = NULL;
  QoimaDbStep found;

  if (data->state != QOIMA_OUTBOX_SENDING || !data->count_attempt)
    return step (worker, "DELETE FROM outbox_claims WHERE outbox_id = ?1 AND workstation = ?2", error,
                 BIND_INT64, data->id, BIND_TEXT, me, BIND_END);

  /* In the write transaction: no other workstation claims between the look and the claim. */
  held = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT workstation, until FROM outbox_claims WHERE outbox_id = ?1", error);
  if (held == NULL)
    return FALSE;
  qoima_db_bind_int64 (held, 1, data->id);
  found = qoima_db_step (held, error);
  if (found == QOIMA_DB_ERROR_STEP)
    return FALSE;
  if (found == QOIMA_DB_ROW &&
      g_strcmp0 (qoima_db_column_text (held, 0), me) != 0 &&
      g_strcmp0 (qoima_db_column_text (held, 1), now_text) >= 0 &&
      !holder_is_gone (qoima_db_column_text (held, 0)))
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_BUSY,
                   _("Another workstation is sending the document %lld; it is left to it."), (long long) data->id);
      return FALSE;
    }
  g_clear_pointer (&held, qoima_db_stmt_release);

  return step (worker,
               "INSERT INTO outbox_claims (outbox_id, workstation, until) VALUES (?1, ?2, ?3) "
               "ON CONFLICT (outbox_id) DO UPDATE SET workstation = excluded.workstation, until = excluded.until",
               error, BIND_INT64, data->id, BIND_TEXT, me, BIND_TEXT, until_text, BIND_END);
}

static gboolean
update_outbox (QoimaStoreWorker  *worker,
               GTask             *task,
               GError           **error)
{
  UpdateData *data = g_task_get_task_data (task);
  g_autofree char *now = qoima_store_now_iso8601 ();

  if (!claim_outbox (worker, data, error))
    return FALSE;
  return step (worker,
               "UPDATE outbox SET state = ?2, ismpt_id = coalesce (?3, ismpt_id), last_error = ?4, "
               "  attempts = attempts + ?5, updated_at = ?6, "
               "  sent_at = CASE WHEN ?5 > 0 THEN ?6 ELSE sent_at END "
               "WHERE id = ?1 AND state NOT IN ('done', 'failed')",
               error,
               BIND_INT64, data->id, BIND_TEXT, qoima_outbox_state_to_nick (data->state),
               BIND_TEXT, data->ismpt_id, BIND_TEXT, data->last_error,
               BIND_INT64, (gint64) (data->count_attempt ? 1 : 0), BIND_TEXT, now, BIND_END);
}

static void
update_outbox_job (QoimaStoreWorker *worker,
                   GTask            *task)
{
  UpdateData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, data->actor, "outbox");
  if (!qoima_store_worker_in_transaction (worker, task, update_outbox, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

void
qoima_store_update_outbox_async (QoimaStore          *self,
                                 gint64               id,
                                 QoimaOutboxState     state,
                                 const char          *ismpt_id,
                                 const char          *last_error,
                                 gboolean             count_attempt,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  UpdateData *data = g_new0 (UpdateData, 1);

  g_return_if_fail (state < QOIMA_OUTBOX_DONE);

  data->id = id;
  data->state = state;
  data->ismpt_id = g_strdup (ismpt_id);
  data->last_error = g_strdup (last_error);
  data->count_attempt = count_attempt;
  g_task_set_source_tag (task, qoima_store_update_outbox_async);
  g_task_set_task_data (task, data, (GDestroyNotify) update_data_free);
  qoima_store_queue_write (self, update_outbox_job, task);
}

gboolean
qoima_store_update_outbox_finish (QoimaStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_update_outbox_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Hold: ИС МПТ's final answer kept for the next push when it could not be applied. */

static gboolean
hold_outbox_answer (QoimaStoreWorker  *worker,
                    GTask             *task,
                    GError           **error)
{
  UpdateData *data = g_task_get_task_data (task);
  g_autofree char *now = qoima_store_now_iso8601 ();

  return step (worker,
               "UPDATE outbox SET ismpt_status = ?2, errors = ?3, last_error = ?4, updated_at = ?5 "
               "WHERE id = ?1 AND state = 'sent'",
               error,
               BIND_INT64, data->id, BIND_TEXT, data->ismpt_status, BIND_TEXT, data->errors,
               BIND_TEXT, data->last_error, BIND_TEXT, now, BIND_END);
}

static void
hold_outbox_answer_job (QoimaStoreWorker *worker,
                        GTask            *task)
{
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, "ismpt", "outbox");
  if (!qoima_store_worker_in_transaction (worker, task, hold_outbox_answer, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

void
qoima_store_hold_outbox_answer_async (QoimaStore          *self,
                                      gint64               id,
                                      const char          *ismpt_status,
                                      const char          *errors,
                                      const char          *last_error,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  UpdateData *data = g_new0 (UpdateData, 1);

  g_return_if_fail (ismpt_status != NULL);

  data->id = id;
  data->ismpt_status = g_strdup (ismpt_status);
  data->errors = g_strdup (errors);
  data->last_error = g_strdup (last_error);
  g_task_set_source_tag (task, qoima_store_hold_outbox_answer_async);
  g_task_set_task_data (task, data, (GDestroyNotify) update_data_free);
  qoima_store_queue_write (self, hold_outbox_answer_job, task);
}

gboolean
qoima_store_hold_outbox_answer_finish (QoimaStore    *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_hold_outbox_answer_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Finish: the final answer applied in one transaction. */

static gboolean
receive_accepted_packs (QoimaStoreWorker  *worker,
                        gint64             act_id,
                        const char        *actor,
                        int               *n_accepted,
                        int               *n_packs,
                        GError           **error)
{
  QoimaDb *db = qoima_store_worker_get_db (worker);
  g_autoptr(QoimaPackRows) rows = qoima_pack_rows_new ();
  g_autofree char *number = NULL;
  g_autofree char *reason = NULL;
  gint64 warehouse = 0;
  QoimaDbStep next;

  {
    g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db, "SELECT id FROM locations WHERE kind = 'warehouse' AND archived = 0 "
                                                    "ORDER BY id LIMIT 1", error);

    if (stmt == NULL || (next = qoima_db_step (stmt, error)) == QOIMA_DB_ERROR_STEP)
      return FALSE;
    if (next == QOIMA_DB_ROW)
      warehouse = qoima_db_column_int64 (stmt, 0);
  }
  if (warehouse == 0)
    {
      g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                           _("The hospital has no pharmacy warehouse to receive the packs into."));
      return FALSE;
    }

  {
    g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db, "SELECT number FROM acts WHERE id = ?1", error);

    if (stmt == NULL)
      return FALSE;
    qoima_db_bind_int64 (stmt, 1, act_id);
    if ((next = qoima_db_step (stmt, error)) == QOIMA_DB_ERROR_STEP)
      return FALSE;
    if (next == QOIMA_DB_ROW)
      number = qoima_store_column_dup (stmt, 0);
  }
  reason = g_strdup_printf ("act %s", number ? number : "?");

  {
    g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (db,
                                                    "SELECT code, gtin, batch, expiry, decision FROM act_codes "
                                                    "WHERE act_id = ?1 AND kind = 'pack' ORDER BY id",
                                                    error);

    if (stmt == NULL)
      return FALSE;
    qoima_db_bind_int64 (stmt, 1, act_id);
    *n_accepted = *n_packs = 0;
    while ((next = qoima_db_step (stmt, error)) == QOIMA_DB_ROW)
      {
        const char *code = qoima_db_column_text (stmt, 0);

        (*n_packs)++;
        if (g_strcmp0 (qoima_db_column_text (stmt, 4), "accepted") != 0)
          continue;
        (*n_accepted)++;
        /* An identification code is "01" + GTIN (14) + "21" + serial. */
        qoima_pack_rows_add (rows, qoima_db_column_text (stmt, 1), code + 18, NULL,
                             qoima_db_column_text (stmt, 2),
                             qoima_db_column_text (stmt, 3), warehouse, -1);
      }
    if (next == QOIMA_DB_ERROR_STEP)
      return FALSE;
  }

  qoima_pack_rows_set_act_id (rows, act_id);
  return qoima_store_worker_receive (worker, rows, actor, reason, error);
}

static gboolean
finish_outbox (QoimaStoreWorker  *worker,
               GTask             *task,
               GError           **error)
{
  UpdateData *data = g_task_get_task_data (task);
  g_autofree char *now = qoima_store_now_iso8601 ();
  g_autofree char *doc_type = NULL;
  g_autofree char *state = NULL;
  gint64 act_id = 0;

  {
    g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                                                    "SELECT doc_type, act_id, state FROM outbox WHERE id = ?1", error);
    QoimaDbStep found;

    if (stmt == NULL)
      return FALSE;
    qoima_db_bind_int64 (stmt, 1, data->id);
    found = qoima_db_step (stmt, error);
    if (found == QOIMA_DB_ERROR_STEP)
      return FALSE;
    if (found == QOIMA_DB_DONE)
      {
        g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                     _("There is no document %lld in the outbox."), (long long) data->id);
        return FALSE;
      }
    doc_type = qoima_store_column_dup (stmt, 0);
    act_id = qoima_db_column_int64 (stmt, 1);
    state = qoima_store_column_dup (stmt, 2);
  }

  /* A final answer is applied once, whatever asks again after a crash. */
  if (g_strcmp0 (state, "done") == 0 || g_strcmp0 (state, "failed") == 0)
    return TRUE;

  if (g_strcmp0 (doc_type, "LP_ACCEPT_GOODS") == 0 && act_id != 0)
    {
      if (data->ok)
        {
          int n_accepted = 0, n_packs = 0;
          const char *act_status;

          if (!receive_accepted_packs (worker, act_id, data->actor, &n_accepted, &n_packs, error))
            return FALSE;
          act_status = n_accepted == n_packs ? "accepted" : n_accepted == 0 ? "rejected" : "partially_accepted";
          if (!step (worker, "UPDATE acts SET status = ?2, errors = NULL WHERE id = ?1", error,
                     BIND_INT64, act_id, BIND_TEXT, act_status, BIND_END))
            return FALSE;
        }
      else if (!step (worker, "UPDATE acts SET status = 'waiting', errors = ?2 WHERE id = ?1", error,
                      BIND_INT64, act_id, BIND_TEXT, data->errors, BIND_END) ||
               !step (worker, "UPDATE act_codes SET decision = NULL WHERE act_id = ?1", error,
                      BIND_INT64, act_id, BIND_END))
        return FALSE;
    }
  else if (g_strcmp0 (doc_type, "LK_RECEIPT") == 0)
    {
      /* Withdrawn in ИС МПТ: each pack of the document gets its WITHDRAWAL movement for
       * medical use or dispensing (the reasons qoima_withdrawal_reason_is_write_off() says
       * are no write-off), its WRITE_OFF movement for any other reason (the journal makes it
       * "withdrawn" or "written off"); refused: the packs are owed again, for a new document. */
      if (data->ok)
        {
          if (!step (worker,
                     "INSERT INTO movements (pack_id, at, actor, kind, units_delta, units_after, status_after, "
                     "  location_after, reason, document) "
                     /* Typed: PostgreSQL does not take a parameter's type from INSERT's columns here. */
                     "SELECT p.id, CAST (?2 AS TEXT), CAST (?3 AS TEXT), "
                     "  CASE WHEN w.reason IN ('MEDICAL_USE', 'DISPENSED') THEN 'withdrawal' ELSE 'write_off' END, 0, "
                     "  p.units_left, "
                     "  CASE WHEN w.reason IN ('MEDICAL_USE', 'DISPENSED') THEN 'withdrawn' ELSE 'written_off' END, "
                     "  p.location_id, w.reason, "
                     "  (SELECT document_number FROM outbox WHERE id = ?1) "
                     "FROM withdrawals_owed w JOIN packs p ON p.id = w.pack_id "
                     "WHERE w.outbox_id = ?1 AND p.status NOT IN ('withdrawn', 'written_off')",
                     error,
                     BIND_INT64, data->id, BIND_TEXT, now, BIND_TEXT, data->actor, BIND_END))
            return FALSE;
        }
      else if (!step (worker, "UPDATE withdrawals_owed SET outbox_id = NULL WHERE outbox_id = ?1", error,
                      BIND_INT64, data->id, BIND_END))
        return FALSE;
    }

  /* A final document is sent by no one: no claim on it is left, not even one a killed
   * workstation held while another one ended the document for it. */
  if (!step (worker, "DELETE FROM outbox_claims WHERE outbox_id = ?1", error, BIND_INT64, data->id, BIND_END))
    return FALSE;
  return step (worker,
               "UPDATE outbox SET state = ?2, ismpt_status = ?3, errors = ?4, last_error = NULL, updated_at = ?5 "
               "WHERE id = ?1",
               error,
               BIND_INT64, data->id, BIND_TEXT, data->ok ? "done" : "failed",
               BIND_TEXT, data->ismpt_status, BIND_TEXT, data->errors, BIND_TEXT, now, BIND_END);
}

static void
finish_outbox_job (QoimaStoreWorker *worker,
                   GTask            *task)
{
  UpdateData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, data->actor, "ismpt answer");
  if (!qoima_store_worker_in_transaction (worker, task, finish_outbox, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

void
qoima_store_finish_outbox_async (QoimaStore          *self,
                                 gint64               id,
                                 gboolean             ok,
                                 const char          *ismpt_status,
                                 const char          *errors,
                                 const char          *actor,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  UpdateData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (id > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  data = g_new0 (UpdateData, 1);
  data->id = id;
  data->ok = ok;
  data->ismpt_status = g_strdup (ismpt_status);
  data->errors = g_strdup (errors);
  data->actor = g_strdup (actor ? actor : "ismpt");
  g_task_set_source_tag (task, qoima_store_finish_outbox_async);
  g_task_set_task_data (task, data, (GDestroyNotify) update_data_free);
  qoima_store_queue_write (self, finish_outbox_job, task);
}

gboolean
qoima_store_finish_outbox_finish (QoimaStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_finish_outbox_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Withdrawals owed for used-up packs (R000-9). */

static void
list_owed_job (QoimaStoreWorker *worker,
               GTask            *task)
{
  g_autoptr(GPtrArray) kis = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  gboolean all = GPOINTER_TO_INT (g_task_get_task_data (task));
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep next = QOIMA_DB_ERROR_STEP;

  /* Pairs: the code, then the reason of its withdrawal. "?1 <> 0": PostgreSQL takes no
   * integer as a condition. */
  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT p.ki, w.reason FROM withdrawals_owed w JOIN packs p ON p.id = w.pack_id "
                           "WHERE w.outbox_id IS NULL AND (?1 <> 0 OR w.reason IN ('MEDICAL_USE', 'DISPENSED')) "
                           "ORDER BY w.id",
                           &local_error);
  if (stmt != NULL)
    qoima_db_bind_int64 (stmt, 1, all ? 1 : 0);
  while (stmt != NULL && (next = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      g_ptr_array_add (kis, qoima_store_column_dup (stmt, 0));
      if (all)
        g_ptr_array_add (kis, qoima_store_column_dup (stmt, 1));
    }
  if (next == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_ptr_array_add (kis, NULL);
  g_task_return_pointer (task, g_ptr_array_free (g_steal_pointer (&kis), FALSE), (GDestroyNotify) g_strfreev);
}

void
qoima_store_list_owed_withdrawals_async (QoimaStore          *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_list_owed_withdrawals_async);
  g_task_set_task_data (task, GINT_TO_POINTER (FALSE), NULL);
  qoima_store_queue_job (self, list_owed_job, task);
}

void
qoima_store_list_owed_async (QoimaStore          *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_list_owed_async);
  g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
  qoima_store_queue_job (self, list_owed_job, task);
}

char **
qoima_store_list_owed_finish (QoimaStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_list_owed_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char **
qoima_store_list_owed_withdrawals_finish (QoimaStore    *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_list_owed_withdrawals_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  char **kis;
  char *document_number;
  GBytes *document;
  GBytes *signature;
  char *actor;
  char *signer_serial;
  char *signer_owner;
  char *signer_iin;
  gint64 id;
} WithdrawalData;

static void
withdrawal_data_free (WithdrawalData *data)
{
  g_strfreev (data->kis);
  g_free (data->document_number);
  g_clear_pointer (&data->document, g_bytes_unref);
  g_clear_pointer (&data->signature, g_bytes_unref);
  g_free (data->actor);
  g_free (data->signer_serial);
  g_free (data->signer_owner);
  g_free (data->signer_iin);
  g_free (data);
}

static gboolean
queue_withdrawal (QoimaStoreWorker  *worker,
                  GTask             *task,
                  GError           **error)
{
  WithdrawalData *data = g_task_get_task_data (task);
  g_autofree char *now = qoima_store_now_iso8601 ();

  if (!insert_returning_id (worker,
                           "INSERT INTO outbox (doc_type, document_number, document, signature, state, "
                           "  created_by, created_at, updated_at, signer_serial, signer_owner, signer_iin) "
                           "VALUES ('LK_RECEIPT', ?1, ?2, ?3, 'ready', ?4, ?5, ?5, ?6, ?7, ?8) RETURNING id",
                           &data->id, error,
             BIND_TEXT, data->document_number, BIND_BLOB, data->document, BIND_BLOB, data->signature,
             BIND_TEXT, data->actor, BIND_TEXT, now,
             BIND_TEXT, data->signer_serial, BIND_TEXT, data->signer_owner, BIND_TEXT, data->signer_iin,
             BIND_END))
    return FALSE;

  for (guint i = 0; data->kis[i] != NULL; i++)
    {
      gint64 changes = 0;

      if (!step_changes (worker,
                         "UPDATE withdrawals_owed SET outbox_id = ?1 "
                         "WHERE outbox_id IS NULL AND pack_id = (SELECT id FROM packs WHERE ki = ?2)",
                         &changes, error, BIND_INT64, data->id, BIND_TEXT, data->kis[i], BIND_END))
        return FALSE;
      /* Each pack goes into one document only: a pack already queued elsewhere stops it all. */
      if (changes != 1)
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       _("The withdrawal of %s is not owed, or is already being sent."), data->kis[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static void
queue_withdrawal_job (QoimaStoreWorker *worker,
                      GTask            *task)
{
  WithdrawalData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  /* Before the transaction: PostgreSQL's audit takes who acts when it begins. */
  qoima_store_worker_set_actor (worker, data->actor, data->document_number);
  if (!qoima_store_worker_in_transaction (worker, task, queue_withdrawal, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    qoima_task_return_int64 (task, data->id);
}

void
qoima_store_queue_withdrawal_async (QoimaStore          *self,
                                    const char * const  *kis,
                                    const char          *document_number,
                                    GBytes              *document,
                                    GBytes              *signature,
                                    const char          *actor,
                                    QoimaCertificate    *certificate,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  WithdrawalData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (kis != NULL && kis[0] != NULL);
  g_return_if_fail (document_number != NULL);
  g_return_if_fail (document != NULL);
  g_return_if_fail (signature != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  data = g_new0 (WithdrawalData, 1);
  if (certificate != NULL)
    {
      data->signer_serial = g_strdup (qoima_certificate_get_serial (certificate));
      data->signer_owner = g_strdup (qoima_certificate_get_owner (certificate));
      data->signer_iin = g_strdup (qoima_certificate_get_iin (certificate));
    }

  data->kis = g_strdupv ((char **) kis);
  data->document_number = g_strdup (document_number);
  data->document = g_bytes_ref (document);
  data->signature = g_bytes_ref (signature);
  data->actor = g_strdup (actor);
  g_task_set_source_tag (task, qoima_store_queue_withdrawal_async);
  g_task_set_task_data (task, data, (GDestroyNotify) withdrawal_data_free);
  qoima_store_queue_write (self, queue_withdrawal_job, task);
}

gint64
qoima_store_queue_withdrawal_finish (QoimaStore    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_queue_withdrawal_async), 0);
  return qoima_task_propagate_int64 (G_TASK (result), 0, error);
}

typedef struct {
  char *document_number;
  char *errors;
} Refusal;

static void
refusal_free (Refusal *refusal)
{
  g_free (refusal->document_number);
  g_free (refusal->errors);
  g_free (refusal);
}

/* The packs of the withdrawal documents ИС МПТ refused, each with its latest refusal: they
 * are owed again, and the chief should see why before signing them anew. */
static GHashTable *
list_refusals (QoimaDb  *db,
               GError  **error)
{
  g_autoptr(GHashTable) refusals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify) refusal_free);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep next;

  stmt = qoima_db_prepare (db,
                           "SELECT document_number, errors, document FROM outbox "
                           "WHERE doc_type = 'LK_RECEIPT' AND state = 'failed' ORDER BY id",
                           error);
  if (stmt == NULL)
    return NULL;
  while ((next = qoima_db_step (stmt, error)) == QOIMA_DB_ROW)
    {
      g_autoptr(GBytes) document = qoima_db_column_bytes (stmt, 2);
      g_autoptr(JsonNode) root = NULL;
      JsonArray *products = NULL;
      gsize size = 0;
      gconstpointer data = document != NULL ? g_bytes_get_data (document, &size) : NULL;

      /* The document is the JSON signed and sent: its products name the packs. */
      root = qoima_json_parse_bounded (data, size, NULL);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        products = qoima_json_get_array (json_node_get_object (root), "products");
      for (guint i = 0; products != NULL && i < json_array_get_length (products); i++)
        {
          const char *ki = qoima_json_get_string (qoima_json_array_get_object (products, i), "cis");
          Refusal *refusal;

          if (ki == NULL)
            continue;
          refusal = g_new0 (Refusal, 1);
          refusal->document_number = qoima_store_column_dup (stmt, 0);
          refusal->errors = qoima_store_column_dup (stmt, 1);
          g_hash_table_replace (refusals, g_strdup (ki), refusal);
        }
    }
  if (next == QOIMA_DB_ERROR_STEP)
    return NULL;
  return g_steal_pointer (&refusals);
}

static void
add_member (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
list_withdrawals_job (QoimaStoreWorker *worker,
                      GTask            *task)
{
  QoimaDb *db = qoima_store_worker_get_db (worker);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) refusals = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep next = QOIMA_DB_ERROR_STEP;

  refusals = list_refusals (db, &local_error);
  if (refusals != NULL)
    stmt = qoima_db_prepare (db,
                             "SELECT p.ki, w.reason, w.owed_at, o.document_number, coalesce (o.state, 'owed'), "
                             "  o.ismpt_status, o.errors, coalesce (pr.name_ru, p.gtin), o.last_error "
                             "FROM withdrawals_owed w JOIN packs p ON p.id = w.pack_id "
                             "LEFT JOIN products pr ON pr.gtin = p.gtin "
                             "LEFT JOIN outbox o ON o.id = w.outbox_id ORDER BY w.id",
                             &local_error);
  json_builder_begin_array (builder);
  while (stmt != NULL && (next = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      static const char * const names[] = { "pack", "reason", "owed_at", "document", "status", "ismpt_status", "errors",
                                              "medicine", "last_error" };
      const char *status = qoima_db_column_text (stmt, 4);
      Refusal *refusal = NULL;

      json_builder_begin_object (builder);
      for (int column = 0; column < (int) G_N_ELEMENTS (names); column++)
        add_member (builder, names[column], qoima_db_column_text (stmt, column));

      if (g_strcmp0 (status, "owed") == 0)
        {
          refusal = g_hash_table_lookup (refusals, qoima_db_column_text (stmt, 0));
          add_member (builder, "state", "owed");
          add_member (builder, "state_label", _("To sign"));
          add_member (builder, "state_reason", NULL);
          add_member (builder, "state_text", _("Owed, to be signed by the chief"));
        }
      else
        {
          QoimaDocumentState state = qoima_document_state_get (status, qoima_db_column_text (stmt, 5));
          const char *reason = qoima_document_state_reason (state, qoima_db_column_text (stmt, 6),
                                                            qoima_db_column_text (stmt, 8));
          g_autofree char *text = qoima_document_state_describe (state, reason);

          add_member (builder, "state", qoima_document_state_to_nick (state));
          add_member (builder, "state_label", qoima_document_state_to_label (state));
          add_member (builder, "state_reason", reason);
          add_member (builder, "state_text", text);
        }
      add_member (builder, "refused_document", refusal != NULL ? refusal->document_number : NULL);
      add_member (builder, "refused_errors", refusal != NULL ? refusal->errors : NULL);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  if (next == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_return_pointer (task, json_builder_get_root (builder), (GDestroyNotify) json_node_unref);
}

void
qoima_store_list_withdrawals_async (QoimaStore          *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_list_withdrawals_async);
  qoima_store_queue_job (self, list_withdrawals_job, task);
}

JsonNode *
qoima_store_list_withdrawals_finish (QoimaStore    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_list_withdrawals_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
