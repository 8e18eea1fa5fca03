/* qoima-store-fund.c: the Fund's applications in the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-store"

#include "config.h"

#include "qoima-store-fund.h"

#include <glib/gi18n.h>

#include "qoima-json.h"
#include "qoima-store-private.h"

typedef struct
{
  QoimaUser *user;
  QoimaFundApplication *app;
  QoimaFundKato *kato;
  gint64 id;
  QoimaFundAction action;
  char *text;
  char *document;
  QoimaFundStatus status;
  char *fund_id;
  char **reasons;
  char *note;
  char *excluded_at;
} FundData;

static void
fund_data_free (FundData *data)
{
  g_clear_object (&data->user);
  qoima_fund_application_free (data->app);
  g_free (data->text);
  g_free (data->document);
  g_free (data->fund_id);
  g_strfreev (data->reasons);
  g_free (data->note);
  g_free (data->excluded_at);
  g_free (data);
}

static FundData *
fund_data_new (QoimaUser *user)
{
  FundData *data = g_new0 (FundData, 1);

  data->user = user != NULL ? g_object_ref (user) : NULL;
  return data;
}

void
qoima_fund_edit_free (QoimaFundEdit *edit)
{
  if (edit == NULL)
    return;
  g_free (edit->at);
  g_free (edit->actor);
  g_free (edit->action);
  g_free (edit->detail);
  g_free (edit);
}

static void
set_step_error (QoimaStoreWorker  *worker,
                QoimaDbStep        rc,
                GError           **error)
{
  qoima_store_worker_set_step_error (worker, rc, error);
}

#define APP_COLUMNS \
  "id, chain_id, version, status, author, created_at, body, chief_reason, fund_id, fund_reasons, fund_note, excluded_at"

static QoimaFundApplication *
app_from_row (QoimaDbStmt   *stmt,
              GError       **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(QoimaFundApplication) app = NULL;
  g_autofree char *status = qoima_store_column_dup (stmt, 3);
  const char *reasons = qoima_db_column_text (stmt, 9);

  node = json_from_string (qoima_db_column_text (stmt, 6), error);
  if (node == NULL)
    return NULL;
  app = qoima_fund_application_from_json (node, error);
  if (app == NULL)
    return NULL;
  app->id = qoima_db_column_int64 (stmt, 0);
  app->chain_id = qoima_db_column_int64 (stmt, 1);
  app->version = (int) qoima_db_column_int64 (stmt, 2);
  if (!qoima_fund_status_from_nick (status, &app->status))
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
                   _("The application %lld has an unknown status."), (long long) app->id);
      return NULL;
    }
  app->author = qoima_store_column_dup (stmt, 4);
  app->created_at = qoima_store_column_dup (stmt, 5);
  app->chief_reason = qoima_store_column_dup (stmt, 7);
  app->fund_id = qoima_store_column_dup (stmt, 8);
  if (reasons != NULL)
    {
      g_autoptr(JsonNode) r = json_from_string (reasons, NULL);
      if (r != NULL && JSON_NODE_HOLDS_ARRAY (r))
        {
          JsonArray *array = json_node_get_array (r);
          g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

          for (guint i = 0; i < json_array_get_length (array); i++)
            if (qoima_json_array_get_string (array, i) != NULL)
              g_strv_builder_add (builder, qoima_json_array_get_string (array, i));
          g_strfreev (app->fund_reasons);
          app->fund_reasons = g_strv_builder_end (builder);
        }
    }
  app->fund_note = qoima_store_column_dup (stmt, 10);
  app->excluded_at = qoima_store_column_dup (stmt, 11);
  return g_steal_pointer (&app);
}

static QoimaFundApplication *
load_app (QoimaStoreWorker  *worker,
          const char        *where,
          gint64             key,
          GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT " APP_COLUMNS " FROM fund_applications WHERE %s", where);
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), sql, error);
  if (stmt == NULL)
    return NULL;
  qoima_db_bind_int64 (stmt, 1, key);
  rc = qoima_db_step (stmt, error);
  if (rc == QOIMA_DB_DONE)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                   _("There is no application number %lld to the Fund."), (long long) key);
      return NULL;
    }
  if (rc != QOIMA_DB_ROW)
    {
      set_step_error (worker, rc, error);
      return NULL;
    }
  return app_from_row (stmt, error);
}

static gboolean
log_edit (QoimaStoreWorker  *worker,
          gint64             id,
          const char        *actor,
          const char        *action,
          const char        *detail,
          GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autofree char *now = qoima_store_now_iso8601 ();

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "INSERT INTO fund_application_edits (application_id, at, actor, action, detail) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_int64 (stmt, 1, id);
  qoima_db_bind_text (stmt, 2, now);
  qoima_db_bind_text (stmt, 3, actor != NULL ? actor : "system");
  qoima_db_bind_text (stmt, 4, action);
  qoima_db_bind_text (stmt, 5, detail);
  return qoima_db_step_done (stmt, error);
}

static gboolean
keep_attachment (QoimaStoreWorker           *worker,
                 const QoimaFundAttachment  *attachment,
                 GError                    **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;

  if (attachment == NULL || attachment->data == NULL || attachment->sha256 == NULL)
    return TRUE;
  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), "INSERT INTO fund_attachments (sha256, data) VALUES (?1, ?2) ON CONFLICT (sha256) DO NOTHING",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, attachment->sha256);
  qoima_db_bind_bytes (stmt, 2, attachment->data);
  return qoima_db_step_done (stmt, error);
}

/* R004-17: the subject's latest exclusion, NULL when it was never excluded. */
static gboolean
last_exclusion (QoimaStoreWorker  *worker,
                const char        *bin,
                GDateTime        **when,
                GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  *when = NULL;
  /* The form's BIN, read by each engine's own JSON function. */
  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           qoima_db_get_kind (qoima_store_worker_get_db (worker)) == QOIMA_DB_POSTGRESQL
                           ? "SELECT max (excluded_at) FROM fund_applications "
                             "WHERE status = 'excluded' AND body ->> 'bin' = ?1"
                           : "SELECT max (excluded_at) FROM fund_applications "
                             "WHERE status = 'excluded' AND json_extract (body, '$.bin') = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, bin != NULL ? bin : "");
  rc = qoima_db_step (stmt, error);
  if (rc != QOIMA_DB_ROW)
    {
      set_step_error (worker, rc, error);
      return FALSE;
    }
  if (!qoima_db_column_is_null (stmt, 0))
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      *when = g_date_time_new_from_iso8601 (qoima_db_column_text (stmt, 0), utc);
    }
  return TRUE;
}

/* R004-4: one live application per region served; a rejected, excluded or changed one
 * leaves the region free. */
static gboolean
check_region_free (QoimaStoreWorker  *worker,
                   const char        *region,
                   gint64             chain_id,
                   GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT id FROM fund_applications WHERE region = ?1 AND chain_id <> ?2 "
                           "AND status NOT IN ('rejected', 'excluded', 'changed') LIMIT 1",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, region);
  qoima_db_bind_int64 (stmt, 2, chain_id);
  rc = qoima_db_step (stmt, error);
  if (rc == QOIMA_DB_ROW)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The application %lld is already for this region: one application per region "
                     "(R004-4). Make a change to it instead."),
                   (long long) qoima_db_column_int64 (stmt, 0));
      return FALSE;
    }
  if (rc != QOIMA_DB_DONE)
    {
      set_step_error (worker, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
save_body (QoimaStoreWorker  *worker,
           GTask             *task,
           GError           **error)
{
  FundData *data = g_task_get_task_data (task);
  QoimaFundApplication *app = data->app;
  g_autoptr(QoimaFundApplication) saved = NULL;
  g_autoptr(GDateTime) excluded = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *json = NULL;
  g_autofree char *now_text = qoima_store_now_iso8601 ();
  g_autoptr(QoimaDbStmt) stmt = NULL;
  const char *user_name = qoima_user_get_name (data->user);
  gint64 chain_id = 0;
  int version = 1;

  if (app->id != 0)
    {
      saved = load_app (worker, "id = ?1", app->id, error);
      if (saved == NULL ||
          !qoima_fund_application_may (saved, data->user, QOIMA_FUND_ACTION_EDIT, error) ||
          !qoima_fund_application_check_edit (saved, app, FALSE, error))
        return FALSE;
      chain_id = saved->chain_id;
    }
  else if (app->chain_id != 0)
    {
      saved = load_app (worker, "chain_id = ?1 ORDER BY version DESC LIMIT 1", app->chain_id, error);
      if (saved == NULL ||
          !qoima_fund_application_may (saved, data->user, QOIMA_FUND_ACTION_NEW_VERSION, error) ||
          !qoima_fund_application_check_edit (saved, app, TRUE, error))
        return FALSE;
      chain_id = saved->chain_id;
      version = saved->version + 1;
    }
  else if (!qoima_fund_application_may (NULL, data->user, QOIMA_FUND_ACTION_CREATE, error))
    return FALSE;

  if (!last_exclusion (worker, app->bin, &excluded, error))
    return FALSE;
  problems = qoima_fund_application_check (app, data->kato, excluded, now);
  if (problems->len > 0)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < problems->len; i++)
        {
          QoimaFundProblem *problem = g_ptr_array_index (problems, i);
          g_string_append_printf (text, "%s%s: %s (%s)", i > 0 ? "\n" : "", problem->rule, problem->message,
                                  problem->field);
        }
      g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT, text->str);
      return FALSE;
    }
  if (!check_region_free (worker, app->region, chain_id, error))
    return FALSE;

  for (guint i = 0; i < app->bases->len; i++)
    if (!keep_attachment (worker, ((QoimaFundBase *) g_ptr_array_index (app->bases, i))->permit, error))
      return FALSE;
  for (guint i = 0; i < app->registration->len; i++)
    if (!keep_attachment (worker, g_ptr_array_index (app->registration, i), error))
      return FALSE;
  for (guint i = 0; i < app->power_of_attorney->len; i++)
    if (!keep_attachment (worker, g_ptr_array_index (app->power_of_attorney, i), error))
      return FALSE;

  body = qoima_fund_application_to_json (app);
  json = qoima_json_to_string (body);
  if (app->id != 0)
    {
      g_auto(GStrv) fields = qoima_fund_application_diff (saved, app);
      g_autofree char *detail = g_strjoinv (", ", fields);

      stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), "UPDATE fund_applications SET body = ?2, region = ?3 WHERE id = ?1",
                               error);
      if (stmt == NULL)
        return FALSE;
      qoima_db_bind_int64 (stmt, 1, app->id);
      qoima_db_bind_text (stmt, 2, json);
      qoima_db_bind_text (stmt, 3, app->region);
      if (!qoima_db_step_done (stmt, error))
        return FALSE;
      data->id = app->id;
      /* R004-18: who, when, and what. */
      return fields[0] == NULL || log_edit (worker, app->id, user_name, "edited", detail, error);
    }

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "INSERT INTO fund_applications (chain_id, version, region, status, author, created_at, body) "
                           "VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6) RETURNING id",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_int64 (stmt, 1, chain_id);
  qoima_db_bind_int64 (stmt, 2, version);
  qoima_db_bind_text (stmt, 3, app->region);
  qoima_db_bind_text (stmt, 4, user_name);
  qoima_db_bind_text (stmt, 5, now_text);
  qoima_db_bind_text (stmt, 6, json);
  data->id = qoima_db_step_id (stmt, error);
  if (data->id < 0)
    return FALSE;
  if (chain_id == 0)
    {
      g_autoptr(QoimaDbStmt) chain = NULL;

      /* The first version names its chain. */
      chain = qoima_db_prepare (qoima_store_worker_get_db (worker), "UPDATE fund_applications SET chain_id = id WHERE id = ?1", error);
      if (chain == NULL)
        return FALSE;
      qoima_db_bind_int64 (chain, 1, data->id);
      if (!qoima_db_step_done (chain, error))
        return FALSE;
    }
  if (version > 1)
    {
      g_autofree char *detail = g_strdup_printf ("%d", version);
      return log_edit (worker, data->id, user_name, "new_version", detail, error);
    }
  return log_edit (worker, data->id, user_name, "created", NULL, error);
}

static void
save_job (QoimaStoreWorker *worker,
          GTask            *task)
{
  FundData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, data->user != NULL ? qoima_user_get_name (data->user) : NULL,
                                "application to the Fund");
  if (!qoima_store_worker_in_transaction (worker, task, save_body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    qoima_task_return_int64 (task, data->id);
}

void
qoima_store_fund_save_async (QoimaStore                 *self,
                             QoimaUser                  *user,
                             const QoimaFundApplication *app,
                             QoimaFundKato              *kato,
                             GCancellable               *cancellable,
                             GAsyncReadyCallback         callback,
                             gpointer                    user_data)
{
  FundData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (app != NULL);

  data = fund_data_new (user);
  data->app = qoima_fund_application_copy (app);
  data->kato = kato;
  qoima_store_queue_write (self, save_job,
                           qoima_store_task_new (self, qoima_store_fund_save_async, data,
                                                 (GDestroyNotify) fund_data_free, cancellable, callback, user_data));
}

gint64
qoima_store_fund_save_finish (QoimaStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_fund_save_async), 0);
  return qoima_task_propagate_int64 (G_TASK (result), 0, error);
}

static gboolean
exec_bound (QoimaStoreWorker  *worker,
            const char        *sql,
            gint64             id,
            const char        *text,
            GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), sql, error);

  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_int64 (stmt, 1, id);
  if (strstr (sql, "?2") != NULL)
    qoima_db_bind_text (stmt, 2, text);
  return qoima_db_step_done (stmt, error);
}

/* The consent's signature kept in the form (@signature non-NULL) or dropped from it. The
 * JSON is edited here, where both engines read and write it alike, not in SQL, where each
 * spells it its own way. */
static gboolean
set_consent (QoimaStoreWorker  *worker,
             gint64             id,
             const char        *signed_by,
             const char        *signature,
             const char        *document,
             GError           **error)
{
  g_autoptr(QoimaDbStmt) read = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;
  JsonObject *body;

  read = qoima_db_prepare (qoima_store_worker_get_db (worker), "SELECT body FROM fund_applications WHERE id = ?1",
                           error);
  if (read == NULL)
    return FALSE;
  qoima_db_bind_int64 (read, 1, id);
  if (qoima_db_step (read, error) != QOIMA_DB_ROW)
    {
      set_step_error (worker, QOIMA_DB_DONE, error);
      return FALSE;
    }
  node = json_from_string (qoima_db_column_text (read, 0), error);
  g_clear_pointer (&read, qoima_db_stmt_release);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      set_step_error (worker, QOIMA_DB_DONE, error);
      return FALSE;
    }
  body = json_node_get_object (node);
  json_object_remove_member (body, "consent_signed_by");
  json_object_remove_member (body, "consent_signature");
  json_object_remove_member (body, "consent_document");
  if (signature != NULL)
    {
      json_object_set_string_member (body, "consent_signed_by", signed_by);
      json_object_set_string_member (body, "consent_signature", signature);
      /* No document: read back as absent. */
      if (document != NULL)
        json_object_set_string_member (body, "consent_document", document);
    }
  json = qoima_json_to_string (node);
  return exec_bound (worker, "UPDATE fund_applications SET body = ?2 WHERE id = ?1", id, json, error);
}

static gboolean
act_body (QoimaStoreWorker  *worker,
          GTask             *task,
          GError           **error)
{
  FundData *data = g_task_get_task_data (task);
  g_autoptr(QoimaFundApplication) app = load_app (worker, "id = ?1", data->id, error);
  const char *actor = qoima_user_get_name (data->user);
  g_autofree char *now = qoima_store_now_iso8601 ();

  if (app == NULL || !qoima_fund_application_may (app, data->user, data->action, error))
    return FALSE;

  switch (data->action)
    {
    case QOIMA_FUND_ACTION_DELETE:
      /* R004-24: a draft only (the trigger holds it too). */
      return exec_bound (worker, "DELETE FROM fund_application_edits WHERE application_id = ?1", data->id, NULL, error) &&
             exec_bound (worker, "DELETE FROM fund_applications WHERE id = ?1", data->id, NULL, error);
    case QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF:
      return exec_bound (worker, "UPDATE fund_applications SET status = 'chief_review' WHERE id = ?1",
                         data->id, NULL, error) &&
             log_edit (worker, data->id, actor, "submitted", NULL, error);
    case QOIMA_FUND_ACTION_SIGN_CONSENT:
      if (data->text == NULL || *data->text == '\0')
        {
          g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               _("The consent has no signature."));
          return FALSE;
        }
      if (!set_consent (worker, data->id, actor, data->text, data->document, error))
        return FALSE;
      return log_edit (worker, data->id, actor, "consent_signed", NULL, error);
    case QOIMA_FUND_ACTION_CHIEF_REJECT:
      /* R004-20: a reason, and back to «Проект»; the next round's consent is signed anew. */
      if (data->text == NULL || g_strstrip (data->text)[0] == '\0')
        {
          g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               _("Give the reason for rejecting the application."));
          return FALSE;
        }
      return exec_bound (worker, "UPDATE fund_applications SET status = 'draft', chief_reason = ?2 WHERE id = ?1",
                         data->id, data->text, error) &&
             set_consent (worker, data->id, NULL, NULL, NULL, error) &&
             log_edit (worker, data->id, actor, "chief_rejected", data->text, error);
    case QOIMA_FUND_ACTION_SEND:
      /* R004-22: «На рассмотрении»; from now on the triggers keep the form as sent. */
      return exec_bound (worker, "UPDATE fund_applications SET status = 'under_review', sent_at = ?2 WHERE id = ?1",
                         data->id, now, error) &&
             log_edit (worker, data->id, actor, "sent", NULL, error);
    case QOIMA_FUND_ACTION_CREATE:
    case QOIMA_FUND_ACTION_EDIT:
    case QOIMA_FUND_ACTION_FORM_PDF:
    case QOIMA_FUND_ACTION_NEW_VERSION:
    default:
      g_return_val_if_reached (FALSE);
    }
}

/* A step of the application in one transaction, answered TRUE: the hospital's by its
 * user (@actor NULL), the Fund's decisions by the Fund. */
static void
run_step (QoimaStoreWorker          *worker,
          GTask                     *task,
          QoimaStoreTransactionBody  body,
          const char                *actor,
          const char                *what)
{
  FundData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  if (actor == NULL && data->user != NULL)
    actor = qoima_user_get_name (data->user);
  qoima_store_worker_set_actor (worker, actor, what);
  if (!qoima_store_worker_in_transaction (worker, task, body, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
act_job (QoimaStoreWorker *worker,
         GTask            *task)
{
  run_step (worker, task, act_body, NULL, "application to the Fund");
}

void
qoima_store_fund_act_async (QoimaStore          *self,
                            QoimaUser           *user,
                            gint64               id,
                            QoimaFundAction      action,
                            const char          *text,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  FundData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (action == QOIMA_FUND_ACTION_DELETE || action == QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF ||
                    action == QOIMA_FUND_ACTION_SIGN_CONSENT || action == QOIMA_FUND_ACTION_CHIEF_REJECT ||
                    action == QOIMA_FUND_ACTION_SEND);

  data = fund_data_new (user);
  data->id = id;
  data->action = action;
  data->text = g_strdup (text);
  qoima_store_queue_write (self, act_job,
                           qoima_store_task_new (self, qoima_store_fund_act_async, data,
                                                 (GDestroyNotify) fund_data_free, cancellable, callback, user_data));
}

void
qoima_store_fund_sign_consent_async (QoimaStore          *self,
                                     QoimaUser           *user,
                                     gint64               id,
                                     GBytes              *signature,
                                     GBytes              *document,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  FundData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (signature != NULL && document != NULL);

  data = fund_data_new (user);
  data->id = id;
  data->action = QOIMA_FUND_ACTION_SIGN_CONSENT;
  data->text = g_base64_encode (g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));
  data->document = g_base64_encode (g_bytes_get_data (document, NULL), g_bytes_get_size (document));
  /* Its answer is the act's: one task kind for both. */
  qoima_store_queue_write (self, act_job,
                           qoima_store_task_new (self, qoima_store_fund_act_async, data,
                                                 (GDestroyNotify) fund_data_free, cancellable, callback, user_data));
}

gboolean
qoima_store_fund_act_finish (QoimaStore    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_fund_act_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
follow_body (QoimaStoreWorker  *worker,
             GTask             *task,
             GError           **error)
{
  FundData *data = g_task_get_task_data (task);
  g_autoptr(QoimaFundApplication) app = load_app (worker, "id = ?1", data->id, error);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autofree char *reasons = NULL;
  g_autofree char *detail = NULL;

  if (app == NULL)
    return FALSE;
  if (app->status == QOIMA_FUND_DRAFT || app->status == QOIMA_FUND_CHIEF_REVIEW || app->status == QOIMA_FUND_CHANGED ||
      data->status == QOIMA_FUND_DRAFT || data->status == QOIMA_FUND_CHIEF_REVIEW || data->status == QOIMA_FUND_CHANGED)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The application %lld is not with the Fund: the Fund's decision does not apply to it."),
                   (long long) data->id);
      return FALSE;
    }
  if (data->reasons != NULL)
    {
      JsonArray *array = json_array_new ();
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; data->reasons[i] != NULL; i++)
        json_array_add_string_element (array, data->reasons[i]);
      json_node_take_array (node, array);
      reasons = qoima_json_to_string (node);
    }
  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "UPDATE fund_applications SET status = ?2, fund_id = coalesce (?3, fund_id), "
                           "fund_reasons = coalesce (?4, fund_reasons), fund_note = coalesce (?5, fund_note), "
                           "excluded_at = coalesce (?6, excluded_at) WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_int64 (stmt, 1, data->id);
  qoima_db_bind_text (stmt, 2, qoima_fund_status_to_nick (data->status));
  qoima_db_bind_text (stmt, 3, data->fund_id);
  qoima_db_bind_text (stmt, 4, reasons);
  qoima_db_bind_text (stmt, 5, data->note);
  qoima_db_bind_text (stmt, 6, data->excluded_at);
  if (!qoima_db_step_done (stmt, error))
    return FALSE;

  /* R004-25: the approved change supersedes the version it changed. */
  if (data->status == QOIMA_FUND_INCLUDED && app->version > 1)
    {
      g_autoptr(QoimaDbStmt) older =
        qoima_db_prepare (qoima_store_worker_get_db (worker),
                          "UPDATE fund_applications SET status = 'changed' WHERE chain_id = ?1 AND version < ?2 "
                          "AND status IN ('included', 'rejected')",
                          error);
      if (older == NULL)
        return FALSE;
      qoima_db_bind_int64 (older, 1, app->chain_id);
      qoima_db_bind_int64 (older, 2, app->version);
      if (!qoima_db_step_done (older, error))
        return FALSE;
    }
  if (app->status == data->status)
    return TRUE;
  detail = g_strdup (qoima_fund_status_to_label (data->status));
  return log_edit (worker, data->id, "fund", "fund", detail, error);
}

static void
follow_job (QoimaStoreWorker *worker,
            GTask            *task)
{
  run_step (worker, task, follow_body, "fund", "the Fund's decision");
}

void
qoima_store_fund_follow_async (QoimaStore          *self,
                               gint64               id,
                               QoimaFundStatus      status,
                               const char          *fund_id,
                               const char * const  *reasons,
                               const char          *note,
                               const char          *excluded_at,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  FundData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));

  data = fund_data_new (NULL);
  data->id = id;
  data->status = status;
  data->fund_id = g_strdup (fund_id);
  data->reasons = g_strdupv ((char **) reasons);
  data->note = g_strdup (note);
  data->excluded_at = g_strdup (excluded_at);
  qoima_store_queue_write (self, follow_job,
                           qoima_store_task_new (self, qoima_store_fund_follow_async, data,
                                                 (GDestroyNotify) fund_data_free, cancellable, callback, user_data));
}

gboolean
qoima_store_fund_follow_finish (QoimaStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_fund_follow_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
load_job (QoimaStoreWorker *worker,
          GTask            *task)
{
  FundData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  QoimaFundApplication *app = load_app (worker, "id = ?1", data->id, &local_error);

  if (app == NULL)
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_pointer (task, app, (GDestroyNotify) qoima_fund_application_free);
}

void
qoima_store_fund_load_async (QoimaStore          *self,
                             gint64               id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  FundData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));

  data = fund_data_new (NULL);
  data->id = id;
  qoima_store_queue_job (self, load_job,
                         qoima_store_task_new (self, qoima_store_fund_load_async, data,
                                               (GDestroyNotify) fund_data_free, cancellable, callback, user_data));
}

QoimaFundApplication *
qoima_store_fund_load_finish (QoimaStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_fund_load_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
list_job (QoimaStoreWorker *worker,
          GTask            *task)
{
  FundData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(GPtrArray) apps = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_application_free);
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT " APP_COLUMNS " FROM fund_applications WHERE ?1 = 0 OR chain_id = ?1 "
                           "ORDER BY chain_id, version",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_db_bind_int64 (stmt, 1, data->id);
  while ((rc = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      QoimaFundApplication *app = app_from_row (stmt, &local_error);
      if (app == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&local_error));
          return;
        }
      g_ptr_array_add (apps, app);
    }
  if (rc != QOIMA_DB_DONE)
    {
      set_step_error (worker, rc, &local_error);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&apps), (GDestroyNotify) g_ptr_array_unref);
}

void
qoima_store_fund_list_async (QoimaStore          *self,
                             gint64               chain_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  FundData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));

  data = fund_data_new (NULL);
  data->id = chain_id;
  qoima_store_queue_job (self, list_job,
                         qoima_store_task_new (self, qoima_store_fund_list_async, data,
                                               (GDestroyNotify) fund_data_free, cancellable, callback, user_data));
}

GPtrArray *
qoima_store_fund_list_finish (QoimaStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_fund_list_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
edits_job (QoimaStoreWorker *worker,
           GTask            *task)
{
  FundData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(GPtrArray) edits = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_edit_free);
  QoimaDbStep rc;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT at, actor, action, detail FROM fund_application_edits "
                           "WHERE application_id = ?1 ORDER BY id",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_db_bind_int64 (stmt, 1, data->id);
  while ((rc = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      QoimaFundEdit *edit = g_new0 (QoimaFundEdit, 1);

      edit->at = qoima_store_column_dup (stmt, 0);
      edit->actor = qoima_store_column_dup (stmt, 1);
      edit->action = qoima_store_column_dup (stmt, 2);
      edit->detail = qoima_store_column_dup (stmt, 3);
      g_ptr_array_add (edits, edit);
    }
  if (rc != QOIMA_DB_DONE)
    {
      set_step_error (worker, rc, &local_error);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&edits), (GDestroyNotify) g_ptr_array_unref);
}

void
qoima_store_fund_edits_async (QoimaStore          *self,
                              gint64               id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  FundData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));

  data = fund_data_new (NULL);
  data->id = id;
  qoima_store_queue_job (self, edits_job,
                         qoima_store_task_new (self, qoima_store_fund_edits_async, data,
                                               (GDestroyNotify) fund_data_free, cancellable, callback, user_data));
}

GPtrArray *
qoima_store_fund_edits_finish (QoimaStore    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_fund_edits_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
