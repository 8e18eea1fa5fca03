/* qoima-store-wards.c: the administration of wards (adding, renaming, archiving)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-wards"

#include "config.h"

#include "qoima-store-wards.h"

#include "qoima-store-private.h"

#include <glib/gi18n.h>

typedef struct
{
  QoimaUser *user;
  gint64 location_id;
  char *name_ru;
  char *name_kk;
  gboolean archived;
  gboolean include_archived;
  gint64 id; /* add_ward: the new ward */
} WardData;

static void
ward_data_free (gpointer data)
{
  WardData *ward = data;

  g_clear_object (&ward->user);
  g_free (ward->name_ru);
  g_free (ward->name_kk);
  g_free (ward);
}

/* The user's role as the database knows it now: an admin demoted or disabled since she
 * logged in is refused, not only the role her session remembers. */
static gboolean
check_manager (QoimaStoreWorker  *worker,
               QoimaUser         *user,
               GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaRole role = QOIMA_ROLE_CLERK;
  QoimaDbStep step;

  if (!qoima_user_check (user, QOIMA_PERMISSION_MANAGE_LOCATIONS, error))
    return FALSE;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), "SELECT role, disabled FROM users WHERE name = ?1", error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, qoima_user_get_name (user));
  step = qoima_db_step (stmt, error);
  if (step == QOIMA_DB_ERROR_STEP)
    return FALSE;
  if (step == QOIMA_DB_DONE || qoima_db_column_int64 (stmt, 1) != 0 ||
      !qoima_role_from_nick (qoima_db_column_text (stmt, 0), &role) ||
      !qoima_role_allows (role, QOIMA_PERMISSION_MANAGE_LOCATIONS))
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                   _("%s may no longer manage locations; log in again."), qoima_user_get_name (user));
      return FALSE;
    }
  return TRUE;
}

/* Refuses a second ward in use with the same Russian name: people and qoimactl find wards
 * by name. */
static gboolean
check_name_free (QoimaStoreWorker  *worker,
                 const char        *name_ru,
                 gint64             except_id,
                 GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep step;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT 1 FROM locations WHERE name_ru = ?1 AND id <> ?2 AND archived = 0",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, name_ru);
  qoima_db_bind_int64 (stmt, 2, except_id);
  step = qoima_db_step (stmt, error);
  if (step == QOIMA_DB_ROW)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("There is already a location named %s."), name_ru);
      return FALSE;
    }
  return step == QOIMA_DB_DONE;
}

static gint64
count (QoimaStoreWorker  *worker,
       const char        *sql,
       gint64             id,
       GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker), sql, error);
  if (stmt == NULL)
    return -1;
  qoima_db_bind_int64 (stmt, 1, id);
  if (qoima_db_step (stmt, error) != QOIMA_DB_ROW)
    return -1;
  return qoima_db_column_int64 (stmt, 0);
}

static gboolean
add_ward (QoimaStoreWorker  *worker,
          GTask             *task,
          GError           **error)
{
  WardData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;

  if (!check_manager (worker, data->user, error) ||
      !check_name_free (worker, data->name_ru, 0, error))
    return FALSE;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "INSERT INTO locations (kind, name_ru, name_kk) VALUES ('ward', ?1, ?2) RETURNING id", error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, data->name_ru);
  if (data->name_kk != NULL && *data->name_kk != '\0')
    qoima_db_bind_text (stmt, 2, data->name_kk);
  else
    qoima_db_bind_null (stmt, 2);
  if (qoima_db_step (stmt, error) != QOIMA_DB_ROW)
    return FALSE;
  data->id = qoima_db_column_int64 (stmt, 0);
  return qoima_db_step_done (stmt, error);
}

static void
add_ward_job (QoimaStoreWorker *worker,
              GTask            *task)
{
  WardData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, data->user != NULL ? qoima_user_get_name (data->user) : NULL, "new ward");
  if (!qoima_store_worker_in_transaction (worker, task, add_ward, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    qoima_task_return_int64 (task, data->id);
}

/* A ward is archived only when nothing still lives in it: packs that are in stock or
 * opened, or nurses who can still log in. */
static gboolean
check_can_archive (QoimaStoreWorker  *worker,
                   gint64             id,
                   const char        *name,
                   GError           **error)
{
  gint64 packs, nurses;

  packs = count (worker, "SELECT count (*) FROM packs WHERE location_id = ?1 AND status IN ('in_stock', 'opened')",
                 id, error);
  if (packs < 0)
    return FALSE;
  if (packs > 0)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The ward %s still holds %lld pack; move or use it up before archiving the ward.",
                                "The ward %s still holds %lld packs; move or use them up before archiving the ward.",
                                packs),
                   name, (long long) packs);
      return FALSE;
    }

  nurses = count (worker, "SELECT count (*) FROM users WHERE ward_id = ?1 AND disabled = 0", id, error);
  if (nurses < 0)
    return FALSE;
  if (nurses > 0)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The ward %s still has %lld nurse; move the nurse to another ward or disable the account first.",
                                "The ward %s still has %lld nurses; move them to another ward or disable them first.",
                                nurses),
                   name, (long long) nurses);
      return FALSE;
    }
  return TRUE;
}

static gboolean
update_location (QoimaStoreWorker  *worker,
                 GTask             *task,
                 GError           **error)
{
  WardData *data = g_task_get_task_data (task);
  QoimaDb *db = qoima_store_worker_get_db (worker);
  g_autoptr(QoimaDbStmt) find = NULL;
  g_autoptr(QoimaDbStmt) update = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *name_ru = NULL;
  g_autofree char *name_kk = NULL;
  gboolean archived;
  QoimaDbStep step;

  if (!check_manager (worker, data->user, error))
    return FALSE;

  find = qoima_db_prepare (db, "SELECT kind, name_ru, name_kk, archived FROM locations WHERE id = ?1", error);
  if (find == NULL)
    return FALSE;
  qoima_db_bind_int64 (find, 1, data->location_id);
  step = qoima_db_step (find, error);
  if (step == QOIMA_DB_ERROR_STEP)
    return FALSE;
  if (step == QOIMA_DB_DONE)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                   _("There is no location %lld."), (long long) data->location_id);
      return FALSE;
    }
  kind = qoima_store_column_dup (find, 0);
  name_ru = qoima_store_column_dup (find, 1);
  name_kk = qoima_store_column_dup (find, 2);
  archived = qoima_db_column_int64 (find, 3) != 0;

  if (data->name_ru != NULL)
    {
      g_free (name_ru);
      name_ru = g_strdup (data->name_ru);
    }
  if (data->name_kk != NULL)
    {
      g_free (name_kk);
      name_kk = *data->name_kk != '\0' ? g_strdup (data->name_kk) : NULL;
    }

  if (data->archived && !archived)
    {
      if (!g_str_equal (kind, "ward"))
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       _("%s is not a ward; only a ward can be archived."), name_ru);
          return FALSE;
        }
      if (!check_can_archive (worker, data->location_id, name_ru, error))
        return FALSE;
    }
  if (!data->archived && !check_name_free (worker, name_ru, data->location_id, error))
    return FALSE;

  update = qoima_db_prepare (db, "UPDATE locations SET name_ru = ?2, name_kk = ?3, archived = ?4 WHERE id = ?1", error);
  if (update == NULL)
    return FALSE;
  qoima_db_bind_int64 (update, 1, data->location_id);
  qoima_db_bind_text (update, 2, name_ru);
  qoima_db_bind_text (update, 3, name_kk);
  qoima_db_bind_int64 (update, 4, data->archived ? 1 : 0);
  return qoima_db_step_done (update, error);
}

static void
update_location_job (QoimaStoreWorker *worker,
                     GTask            *task)
{
  WardData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, data->user != NULL ? qoima_user_get_name (data->user) : NULL, "location changed");
  if (!qoima_store_worker_in_transaction (worker, task, update_location, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
list_wards_job (QoimaStoreWorker *worker,
                GTask            *task)
{
  WardData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GListStore) store = g_list_store_new (QOIMA_TYPE_LOCATION);
  QoimaDbStep step;

  /* "?1 <> 0": PostgreSQL takes no integer as a condition. */
  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT id, name_ru, name_kk, archived FROM locations "
                           "WHERE kind = 'ward' AND (?1 <> 0 OR archived = 0) ORDER BY archived, name_ru, id",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_db_bind_int64 (stmt, 1, data->include_archived ? 1 : 0);

  while ((step = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      g_autoptr(QoimaLocation) ward = g_object_new (QOIMA_TYPE_LOCATION,
                                                    "id", qoima_db_column_int64 (stmt, 0),
                                                    "kind", QOIMA_LOCATION_KIND_WARD,
                                                    "name-ru", qoima_db_column_text (stmt, 1),
                                                    "name-kk", qoima_db_column_text (stmt, 2),
                                                    "archived", qoima_db_column_int64 (stmt, 3) != 0,
                                                    NULL);

      g_list_store_append (store, ward);
    }
  if (step == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
}

/* Trimmed, with empty meaning none. */
static char *
clean_name (const char *name)
{
  char *clean;

  if (name == NULL)
    return NULL;
  clean = g_strstrip (g_strdup (name));
  if (*clean == '\0')
    g_clear_pointer (&clean, g_free);
  return clean;
}

void
qoima_store_add_ward_async (QoimaStore          *self,
                            QoimaUser           *user,
                            const char          *name_ru,
                            const char          *name_kk,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  WardData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));
  g_return_if_fail (name_ru != NULL);

  data = g_new0 (WardData, 1);
  data->user = user != NULL ? g_object_ref (user) : NULL;
  data->name_ru = clean_name (name_ru);
  data->name_kk = clean_name (name_kk);
  task = qoima_store_task_new (self, qoima_store_add_ward_async, data, ward_data_free, cancellable, callback, user_data);

  if (data->name_ru == NULL)
    {
      g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               "%s", _("A ward needs a name in Russian."));
      g_object_unref (task);
      return;
    }
  qoima_store_queue_write (self, add_ward_job, task);
}

gint64
qoima_store_add_ward_finish (QoimaStore    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_add_ward_async), 0);
  return qoima_task_propagate_int64 (G_TASK (result), 0, error);
}

void
qoima_store_update_location_async (QoimaStore          *self,
                                   QoimaUser           *user,
                                   gint64               location_id,
                                   const char          *name_ru,
                                   const char          *name_kk,
                                   gboolean             archived,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  WardData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));

  data = g_new0 (WardData, 1);
  data->user = user != NULL ? g_object_ref (user) : NULL;
  data->location_id = location_id;
  data->name_ru = clean_name (name_ru);
  /* "" clears the Kazakh name, so it stays "" here rather than NULL (keep). */
  data->name_kk = name_kk != NULL ? g_strstrip (g_strdup (name_kk)) : NULL;
  data->archived = !!archived;
  task = qoima_store_task_new (self, qoima_store_update_location_async, data, ward_data_free, cancellable, callback, user_data);

  if (name_ru != NULL && data->name_ru == NULL)
    {
      g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               "%s", _("A location needs a name in Russian."));
      g_object_unref (task);
      return;
    }
  qoima_store_queue_write (self, update_location_job, task);
}

gboolean
qoima_store_update_location_finish (QoimaStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_update_location_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
qoima_store_list_wards_async (QoimaStore          *self,
                              gboolean             include_archived,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  WardData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));

  data = g_new0 (WardData, 1);
  data->include_archived = !!include_archived;
  qoima_store_queue_job (self, list_wards_job,
                         qoima_store_task_new (self, qoima_store_list_wards_async, data, ward_data_free, cancellable, callback, user_data));
}

GListModel *
qoima_store_list_wards_finish (QoimaStore    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_list_wards_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
