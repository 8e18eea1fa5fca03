/* qoima-store-users.c: local users: adding, signing in, changing and listing them, as the
 * store keeps them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-store-users.h"

#include "qoima-enums.h"
#include "qoima-store-ledger.h"
#include "qoima-store-private.h"
#include "qoima-user-private.h"

#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

#define SALT_SIZE 16
#define HASH_SIZE 32

typedef struct
{
  char *acting;     /* the acting user's name, NULL for nobody */
  char *name;
  char *full_name;
  QoimaRole role;
  gint64 ward_id;
  char *secret;
  gboolean disabled; /* set_user_disabled: the new state */
  char *why;         /* set_user_disabled: the admin's reason, for the audit row */
  gint64 id;         /* add_user: the new user */
  char *iin;         /* set_user_signing, get_user */
  gboolean may_sign; /* set_user_signing */
} UserData;

#define USER_COLUMNS "id, name, full_name, role, ward_id, disabled, iin, may_sign"
/* The first column after USER_COLUMNS. */
#define USER_N_COLUMNS 8

static void
user_data_free (gpointer data)
{
  UserData *user = data;

  g_free (user->acting);
  g_free (user->name);
  g_free (user->full_name);
  g_free (user->iin);
  g_free (user->why);
  if (user->secret != NULL)
    {
      /* The secret does not linger in freed memory. */
      gnutls_memset (user->secret, 0, strlen (user->secret));
      g_free (user->secret);
    }
  g_free (user);
}

static QoimaUser *
user_new (gint64      id,
          const char *name,
          const char *full_name,
          QoimaRole   role,
          gint64      ward_id,
          gboolean    disabled)
{
  QoimaUser *self = g_object_new (QOIMA_TYPE_USER, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->full_name = g_strdup (full_name);
  self->role = role;
  self->ward_id = ward_id;
  self->disabled = disabled;
  return self;
}

static QoimaUser *
user_from_row (QoimaDbStmt *stmt)
{
  QoimaRole role = QOIMA_ROLE_CLERK;
  QoimaUser *user;

  qoima_role_from_nick (qoima_db_column_text (stmt, 3), &role);
  user = user_new (qoima_db_column_int64 (stmt, 0),
                   qoima_db_column_text (stmt, 1),
                   qoima_db_column_text (stmt, 2),
                   role,
                   qoima_db_column_int64 (stmt, 4),
                   qoima_db_column_int64 (stmt, 5) != 0);
  user->iin = qoima_store_column_dup (stmt, 6);
  user->may_sign = qoima_db_column_int64 (stmt, 7) != 0;
  return user;
}

static gboolean
derive_key (const char    *secret,
            const guint8  *salt,
            gsize          salt_len,
            unsigned       iterations,
            guint8         key[HASH_SIZE],
            GError       **error)
{
  gnutls_datum_t secret_datum = { (unsigned char *) secret, strlen (secret) };
  gnutls_datum_t salt_datum = { (unsigned char *) salt, salt_len };
  int rc = gnutls_pbkdf2 (GNUTLS_MAC_SHA256, &secret_datum, &salt_datum, iterations, key, HASH_SIZE);

  if (rc != 0)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FAILED,
                   _("The password could not be hashed (%s)."), gnutls_strerror (rc));
      return FALSE;
    }
  return TRUE;
}

/* Compares in time that does not depend on where the bytes differ. */
static gboolean
equal_constant_time (const guint8 *a,
                     const guint8 *b,
                     gsize         len)
{
  volatile guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

/* A fresh salt and the key derived from @secret with it. */
static gboolean
new_hash (const char  *secret,
          guint8       salt[SALT_SIZE],
          guint8       key[HASH_SIZE],
          GError     **error)
{
  if (gnutls_rnd (GNUTLS_RND_RANDOM, salt, SALT_SIZE) != 0)
    {
      g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FAILED,
                           _("No random numbers for the password's salt."));
      return FALSE;
    }
  return derive_key (secret, salt, SALT_SIZE, QOIMA_USER_KDF_ITERATIONS, key, error);
}

/* The acting user as the database knows it now: an admin who was disabled or demoted
 * since logging in is refused. NULL with no error when there is no such user. */
static QoimaUser *
load_user (QoimaStoreWorker  *worker,
           const char        *name,
           GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT " USER_COLUMNS " FROM users WHERE name = ?1", error);
  if (stmt == NULL)
    return NULL;
  qoima_db_bind_text (stmt, 1, name);
  if (qoima_db_step (stmt, error) == QOIMA_DB_ROW)
    return user_from_row (stmt);
  return NULL;
}

static gboolean
check_acting_admin (QoimaStoreWorker  *worker,
                    const char        *acting,
                    GError           **error)
{
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GError) local_error = NULL;

  if (acting != NULL)
    {
      user = load_user (worker, acting, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  return qoima_user_check (user, QOIMA_PERMISSION_MANAGE_USERS, error);
}

/* A nurse's ward must be a ward that takes nurses: not the warehouse, not archived. */
static gboolean
check_ward (QoimaStoreWorker  *worker,
            gint64             ward_id,
            GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep step;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT kind, archived, name_ru FROM locations WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_int64 (stmt, 1, ward_id);
  step = qoima_db_step (stmt, error);
  if (step == QOIMA_DB_ERROR_STEP)
    return FALSE;
  if (step == QOIMA_DB_DONE)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The ward %lld does not exist."), (long long) ward_id);
      return FALSE;
    }
  if (g_strcmp0 (qoima_db_column_text (stmt, 0), "ward") != 0)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("%s is not a ward; a nurse belongs to a ward."), qoima_db_column_text (stmt, 2));
      return FALSE;
    }
  if (qoima_db_column_int64 (stmt, 1) != 0)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("The ward %s is archived and takes no nurses."), qoima_db_column_text (stmt, 2));
      return FALSE;
    }
  return TRUE;
}

/* Whether @name is the only enabled admin: the hospital would be left with nobody who
 * can manage users. */
static gboolean
is_last_admin (QoimaStoreWorker  *worker,
               const char        *name,
               gboolean          *last,
               GError           **error)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT count (*) FILTER (WHERE name = ?1), count (*) FILTER (WHERE name <> ?1) "
                           "FROM users WHERE role = 'admin' AND disabled = 0",
                           error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, name);
  if (qoima_db_step (stmt, error) != QOIMA_DB_ROW)
    return FALSE;
  *last = qoima_db_column_int64 (stmt, 0) > 0 && qoima_db_column_int64 (stmt, 1) == 0;
  return TRUE;
}

static gboolean
add_user (QoimaStoreWorker  *worker,
          GTask             *task,
          GError           **error)
{
  UserData *data = g_task_get_task_data (task);
  QoimaDb *db = qoima_store_worker_get_db (worker);
  g_autoptr(QoimaDbStmt) count = NULL;
  g_autoptr(QoimaDbStmt) insert = NULL;
  g_autoptr(GBytes) salt_bytes = NULL;
  g_autoptr(GBytes) key_bytes = NULL;
  g_autofree char *now = qoima_store_now_iso8601 ();
  guint8 salt[SALT_SIZE];
  guint8 key[HASH_SIZE];
  QoimaDbStep step;

  count = qoima_db_prepare (db, "SELECT count (*) FROM users", error);
  if (count == NULL || qoima_db_step (count, error) != QOIMA_DB_ROW)
    return FALSE;

  /* Bootstrap: the first user is added by whoever installed Qoima. */
  if (qoima_db_column_int64 (count, 0) > 0 && !check_acting_admin (worker, data->acting, error))
    return FALSE;

  if (data->ward_id > 0 && !check_ward (worker, data->ward_id, error))
    return FALSE;

  if (!new_hash (data->secret, salt, key, error))
    return FALSE;

  /* A taken name inserts nothing and returns no row: a failed statement would end the whole
   * transaction on PostgreSQL before its message could be chosen. */
  insert = qoima_db_prepare (db,
                             "INSERT INTO users (name, full_name, role, ward_id, salt, hash, iterations, created_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                             "ON CONFLICT (name) DO NOTHING RETURNING id",
                             error);
  if (insert == NULL)
    return FALSE;

  salt_bytes = g_bytes_new_static (salt, sizeof salt);
  key_bytes = g_bytes_new_static (key, sizeof key);
  qoima_db_bind_text (insert, 1, data->name);
  qoima_db_bind_text (insert, 2, data->full_name);
  qoima_db_bind_text (insert, 3, qoima_role_to_nick (data->role));
  if (data->ward_id > 0)
    qoima_db_bind_int64 (insert, 4, data->ward_id);
  else
    qoima_db_bind_null (insert, 4);
  qoima_db_bind_bytes (insert, 5, salt_bytes);
  qoima_db_bind_bytes (insert, 6, key_bytes);
  qoima_db_bind_int64 (insert, 7, QOIMA_USER_KDF_ITERATIONS);
  qoima_db_bind_text (insert, 8, now);

  step = qoima_db_step (insert, error);
  if (step == QOIMA_DB_ERROR_STEP)
    return FALSE;
  if (step == QOIMA_DB_DONE)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("There is already a user named %s."), data->name);
      return FALSE;
    }

  data->id = qoima_db_column_int64 (insert, 0);
  return qoima_db_step_done (insert, error);
}

static void
add_user_job (QoimaStoreWorker *worker,
              GTask            *task)
{
  UserData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, data->acting != NULL ? data->acting : data->name,
                                data->acting != NULL ? "new user" : "first user");
  if (!qoima_store_worker_in_transaction (worker, task, add_user, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  g_task_return_pointer (task,
                         user_new (data->id, data->name, data->full_name, data->role, data->ward_id, FALSE),
                         g_object_unref);
}

static void
set_wrong_password (GError **error)
{
  g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_WRONG_PASSWORD,
                       _("Wrong name or password."));
}

static void
authenticate_job (QoimaStoreWorker *worker,
                  GTask            *task)
{
  UserData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) salt_bytes = NULL;
  g_autoptr(GBytes) hash_bytes = NULL;
  static const guint8 dummy_salt[SALT_SIZE] = { 0 };
  guint8 stored[HASH_SIZE] = { 0 };
  guint8 key[HASH_SIZE];
  const guint8 *salt = dummy_salt;
  gsize salt_len = sizeof dummy_salt;
  unsigned iterations = QOIMA_USER_KDF_ITERATIONS;
  QoimaDbStep step;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT " USER_COLUMNS ", salt, hash, iterations FROM users WHERE name = ?1",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  qoima_db_bind_text (stmt, 1, data->name);
  step = qoima_db_step (stmt, &local_error);
  if (step == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  if (step == QOIMA_DB_ROW)
    hash_bytes = qoima_db_column_bytes (stmt, USER_N_COLUMNS + 1);
  if (hash_bytes != NULL && g_bytes_get_size (hash_bytes) == HASH_SIZE)
    {
      user = user_from_row (stmt);
      salt_bytes = qoima_db_column_bytes (stmt, USER_N_COLUMNS);
      salt = g_bytes_get_data (salt_bytes, &salt_len);
      memcpy (stored, g_bytes_get_data (hash_bytes, NULL), HASH_SIZE);
      iterations = qoima_db_column_int64 (stmt, USER_N_COLUMNS + 2);
    }

  /* An unknown name costs the same key derivation, so timing does not tell which names
   * exist. */
  if (!derive_key (data->secret, salt, salt_len, iterations, key, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  if (!equal_constant_time (key, stored, HASH_SIZE) || user == NULL || user->disabled)
    {
      set_wrong_password (&local_error);
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&user), g_object_unref);
}

static void
list_users_job (QoimaStoreWorker *worker,
                GTask            *task)
{
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GListStore) store = g_list_store_new (QOIMA_TYPE_USER);
  QoimaDbStep step;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT " USER_COLUMNS " FROM users ORDER BY name", &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  while ((step = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      g_autoptr(QoimaUser) user = user_from_row (stmt);

      g_list_store_append (store, user);
    }
  if (step == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
}

/* Runs @func in one IMMEDIATE transaction for @task's UserData, audited as @reason. */
static void
run_user_change (QoimaStoreWorker *worker,
                 GTask            *task,
                 const char       *reason,
                 QoimaStoreTransactionBody func)
{
  UserData *data = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  qoima_store_worker_set_actor (worker, data->acting, reason);
  if (!qoima_store_worker_in_transaction (worker, task, func, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

/* The user @name as stored now; NOT_FOUND when there is none. */
static QoimaUser *
load_target (QoimaStoreWorker  *worker,
             const char        *name,
             GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  QoimaUser *user = load_user (worker, name, &local_error);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (user == NULL)
    g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                 _("There is no user named %s."), name);
  return user;
}

static gboolean
set_user_disabled (QoimaStoreWorker  *worker,
                   GTask             *task,
                   GError           **error)
{
  UserData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(QoimaUser) target = NULL;
  gboolean last = FALSE;

  if (!check_acting_admin (worker, data->acting, error))
    return FALSE;
  if ((target = load_target (worker, data->name, error)) == NULL)
    return FALSE;

  if (data->disabled)
    {
      if (g_strcmp0 (data->acting, data->name) == 0)
        {
          g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               _("Admins cannot disable their own account; another admin may."));
          return FALSE;
        }
      if (!is_last_admin (worker, data->name, &last, error))
        return FALSE;
      if (last)
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       _("%s is the last admin and cannot be disabled; add another admin first."), data->name);
          return FALSE;
        }
    }

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "UPDATE users SET disabled = ?2 WHERE name = ?1 AND disabled <> ?2", error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, data->name);
  qoima_db_bind_int64 (stmt, 2, data->disabled ? 1 : 0);
  return qoima_db_step_done (stmt, error);
}

static void
set_user_disabled_job (QoimaStoreWorker *worker,
                       GTask            *task)
{
  UserData *data = g_task_get_task_data (task);
  const char *what = data->disabled ? "user disabled" : "user enabled";
  g_autofree char *reason = data->why != NULL ? g_strdup_printf ("%s: %s", what, data->why) : g_strdup (what);

  run_user_change (worker, task, reason, set_user_disabled);
}

static gboolean
set_password (QoimaStoreWorker  *worker,
              GTask             *task,
              GError           **error)
{
  UserData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(QoimaUser) acting = NULL;
  g_autoptr(QoimaUser) target = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) salt_bytes = NULL;
  g_autoptr(GBytes) key_bytes = NULL;
  guint8 salt[SALT_SIZE];
  guint8 key[HASH_SIZE];

  /* A user changes her own password or PIN; an admin anyone's. */
  if (data->acting != NULL)
    acting = load_user (worker, data->acting, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (acting == NULL || acting->disabled || !g_str_equal (acting->name, data->name))
    {
      if (!qoima_user_check (acting, QOIMA_PERMISSION_MANAGE_USERS, &local_error))
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                       _("%s Only an admin changes another user's password."), local_error->message);
          return FALSE;
        }
    }
  if ((target = load_target (worker, data->name, error)) == NULL)
    return FALSE;

  if (!new_hash (data->secret, salt, key, error))
    return FALSE;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "UPDATE users SET salt = ?2, hash = ?3, iterations = ?4 WHERE name = ?1", error);
  if (stmt == NULL)
    return FALSE;
  salt_bytes = g_bytes_new_static (salt, sizeof salt);
  key_bytes = g_bytes_new_static (key, sizeof key);
  qoima_db_bind_text (stmt, 1, data->name);
  qoima_db_bind_bytes (stmt, 2, salt_bytes);
  qoima_db_bind_bytes (stmt, 3, key_bytes);
  qoima_db_bind_int64 (stmt, 4, QOIMA_USER_KDF_ITERATIONS);
  return qoima_db_step_done (stmt, error);
}

static void
set_password_job (QoimaStoreWorker *worker,
                  GTask            *task)
{
  run_user_change (worker, task, "password changed", set_password);
}

static gboolean
update_user (QoimaStoreWorker  *worker,
             GTask             *task,
             GError           **error)
{
  UserData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(QoimaUser) target = NULL;
  gboolean last = FALSE;

  if (!check_acting_admin (worker, data->acting, error))
    return FALSE;
  if ((target = load_target (worker, data->name, error)) == NULL)
    return FALSE;
  if (data->ward_id > 0 && !check_ward (worker, data->ward_id, error))
    return FALSE;

  if (target->role == QOIMA_ROLE_ADMIN && data->role != QOIMA_ROLE_ADMIN)
    {
      if (g_strcmp0 (data->acting, data->name) == 0)
        {
          g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               _("Admins cannot take away their own admin role; another admin may."));
          return FALSE;
        }
      if (!is_last_admin (worker, data->name, &last, error))
        return FALSE;
      if (last)
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       _("%s is the last admin and must stay one; add another admin first."), data->name);
          return FALSE;
        }
    }

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "UPDATE users SET role = ?2, ward_id = ?3, "
                           /* A delegation to sign is a clerk's: another role loses it. */
                           "  may_sign = CASE WHEN ?2 = 'clerk' THEN may_sign ELSE 0 END "
                           "WHERE name = ?1", error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, data->name);
  qoima_db_bind_text (stmt, 2, qoima_role_to_nick (data->role));
  if (data->ward_id > 0)
    qoima_db_bind_int64 (stmt, 3, data->ward_id);
  else
    qoima_db_bind_null (stmt, 3);
  return qoima_db_step_done (stmt, error);
}

static void
update_user_job (QoimaStoreWorker *worker,
                 GTask            *task)
{
  run_user_change (worker, task, "user changed", update_user);
}

static gboolean
set_user_signing (QoimaStoreWorker  *worker,
                  GTask             *task,
                  GError           **error)
{
  UserData *data = g_task_get_task_data (task);
  QoimaDb *db = qoima_store_worker_get_db (worker);
  g_autoptr(QoimaDbStmt) taken = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(QoimaUser) target = NULL;
  QoimaDbStep step;

  if (!check_acting_admin (worker, data->acting, error))
    return FALSE;
  if ((target = load_target (worker, data->name, error)) == NULL)
    return FALSE;
  /* The chief signs by her role; only a clerk signs by delegation. */
  if (data->may_sign && target->role != QOIMA_ROLE_CLERK)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                   _("Only a clerk is allowed to sign by delegation; %s is not a clerk."), data->name);
      return FALSE;
    }

  /* One person, one user: her key must name one user only. Asked before the change, since
   * a refused UPDATE ends the whole transaction on PostgreSQL. */
  if (data->iin != NULL)
    {
      taken = qoima_db_prepare (db, "SELECT 1 FROM users WHERE iin = ?1 AND name <> ?2", error);
      if (taken == NULL)
        return FALSE;
      qoima_db_bind_text (taken, 1, data->iin);
      qoima_db_bind_text (taken, 2, data->name);
      step = qoima_db_step (taken, error);
      if (step == QOIMA_DB_ERROR_STEP)
        return FALSE;
      if (step == QOIMA_DB_ROW)
        {
          g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       _("Another user already has the IIN %s."), data->iin);
          return FALSE;
        }
    }

  stmt = qoima_db_prepare (db, "UPDATE users SET iin = ?2, may_sign = ?3 WHERE name = ?1", error);
  if (stmt == NULL)
    return FALSE;
  qoima_db_bind_text (stmt, 1, data->name);
  qoima_db_bind_text (stmt, 2, data->iin);
  qoima_db_bind_int64 (stmt, 3, data->may_sign ? 1 : 0);
  return qoima_db_step_done (stmt, error);
}

static void
set_user_signing_job (QoimaStoreWorker *worker,
                      GTask            *task)
{
  UserData *data = g_task_get_task_data (task);

  run_user_change (worker, task, data->may_sign ? "signing delegated" : "signing set", set_user_signing);
}

static void
get_user_job (QoimaStoreWorker *worker,
              GTask            *task)
{
  UserData *data = g_task_get_task_data (task);
  g_autoptr(QoimaDbStmt) stmt = NULL;
  g_autoptr(GError) local_error = NULL;
  QoimaDbStep step;

  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           data->name != NULL ? "SELECT " USER_COLUMNS " FROM users WHERE name = ?1"
                                              : "SELECT " USER_COLUMNS " FROM users WHERE iin = ?1",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  qoima_db_bind_text (stmt, 1, data->name != NULL ? data->name : data->iin);
  step = qoima_db_step (stmt, &local_error);
  if (step == QOIMA_DB_ROW)
    {
      g_task_return_pointer (task, user_from_row (stmt), g_object_unref);
      return;
    }
  if (step == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  if (data->name != NULL)
    g_set_error (&local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                 _("There is no user named %s."), data->name);
  else
    g_set_error (&local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                 _("No user has the IIN %s."), data->iin);
  g_task_return_error (task, g_steal_pointer (&local_error));
}

/* A nurse has a ward and nobody else has one (the schema checks only the first half). */
static gboolean
role_and_ward_are_consistent (QoimaRole   role,
                              gint64      ward_id,
                              GError    **error)
{
  if ((role == QOIMA_ROLE_NURSE) == (ward_id > 0))
    return TRUE;
  g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                       role == QOIMA_ROLE_NURSE ? _("A nurse needs a ward.") : _("Only a nurse belongs to a ward."));
  return FALSE;
}

void
qoima_store_add_user_async (QoimaStore          *self,
                            QoimaUser           *acting,
                            const char          *name,
                            const char          *full_name,
                            QoimaRole            role,
                            gint64               ward_id,
                            const char          *secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GError) local_error = NULL;
  UserData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (acting == NULL || QOIMA_IS_USER (acting));
  g_return_if_fail (name != NULL);
  g_return_if_fail (secret != NULL);

  data = g_new0 (UserData, 1);
  data->acting = acting != NULL ? g_strdup (acting->name) : NULL;
  data->name = g_strdup (name);
  data->full_name = g_strdup (full_name);
  data->role = role;
  data->ward_id = ward_id;
  data->secret = g_strdup (secret);
  task = qoima_store_task_new (self, qoima_store_add_user_async, data, user_data_free, cancellable, callback, user_data);

  if (!qoima_user_secret_is_acceptable (secret, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      g_object_unref (task);
      return;
    }
  if (*name == '\0' || (role == QOIMA_ROLE_NURSE) != (ward_id > 0))
    {
      g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               role == QOIMA_ROLE_NURSE ? _("A nurse needs a ward.")
                                                        : *name == '\0' ? _("A user needs a login name.")
                                                                        : _("Only a nurse belongs to a ward."));
      g_object_unref (task);
      return;
    }

  qoima_store_queue_write (self, add_user_job, task);
}

QoimaUser *
qoima_store_add_user_finish (QoimaStore    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_add_user_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qoima_store_authenticate_async (QoimaStore          *self,
                                const char          *name,
                                const char          *secret,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  UserData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (secret != NULL);

  data = g_new0 (UserData, 1);
  data->name = g_strdup (name);
  data->secret = g_strdup (secret);
  qoima_store_queue_job (self, authenticate_job,
                         qoima_store_task_new (self, qoima_store_authenticate_async, data, user_data_free, cancellable, callback, user_data));
}

QoimaUser *
qoima_store_authenticate_finish (QoimaStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_authenticate_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qoima_store_list_users_async (QoimaStore          *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_STORE (self));

  qoima_store_queue_job (self, list_users_job,
                         qoima_store_task_new (self, qoima_store_list_users_async, NULL, NULL, cancellable, callback, user_data));
}

GListModel *
qoima_store_list_users_finish (QoimaStore    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_list_users_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qoima_store_disable_user_async (QoimaStore          *self,
                                QoimaUser           *acting,
                                const char          *name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  UserData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (acting == NULL || QOIMA_IS_USER (acting));
  g_return_if_fail (name != NULL);

  data = g_new0 (UserData, 1);
  data->acting = acting != NULL ? g_strdup (acting->name) : NULL;
  data->name = g_strdup (name);
  data->disabled = TRUE;
  qoima_store_queue_write (self, set_user_disabled_job,
                           qoima_store_task_new (self, qoima_store_disable_user_async, data, user_data_free, cancellable, callback, user_data));
}

gboolean
qoima_store_disable_user_finish (QoimaStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_disable_user_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
qoima_store_set_user_disabled_async (QoimaStore          *self,
                                     QoimaUser           *acting,
                                     const char          *name,
                                     gboolean             disabled,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  qoima_store_set_user_disabled_with_reason_async (self, acting, name, disabled, NULL,
                                                   cancellable, callback, user_data);
}

void
qoima_store_set_user_disabled_with_reason_async (QoimaStore          *self,
                                                 QoimaUser           *acting,
                                                 const char          *name,
                                                 gboolean             disabled,
                                                 const char          *why,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data)
{
  UserData *data;
  g_autofree char *stripped = why != NULL ? g_strstrip (g_strdup (why)) : NULL;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (acting == NULL || QOIMA_IS_USER (acting));
  g_return_if_fail (name != NULL);

  data = g_new0 (UserData, 1);
  data->acting = acting != NULL ? g_strdup (acting->name) : NULL;
  data->name = g_strdup (name);
  data->disabled = !!disabled;
  data->why = stripped != NULL && stripped[0] != '\0' ? g_steal_pointer (&stripped) : NULL;
  qoima_store_queue_write (self, set_user_disabled_job,
                           qoima_store_task_new (self, qoima_store_set_user_disabled_async, data, user_data_free, cancellable, callback, user_data));
}

gboolean
qoima_store_set_user_disabled_finish (QoimaStore    *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_set_user_disabled_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
qoima_store_set_password_async (QoimaStore          *self,
                                QoimaUser           *acting,
                                const char          *name,
                                const char          *secret,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GError) local_error = NULL;
  UserData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (acting == NULL || QOIMA_IS_USER (acting));
  g_return_if_fail (name != NULL);
  g_return_if_fail (secret != NULL);

  data = g_new0 (UserData, 1);
  data->acting = acting != NULL ? g_strdup (acting->name) : NULL;
  data->name = g_strdup (name);
  data->secret = g_strdup (secret);
  task = qoima_store_task_new (self, qoima_store_set_password_async, data, user_data_free, cancellable, callback, user_data);

  if (!qoima_user_secret_is_acceptable (secret, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      g_object_unref (task);
      return;
    }
  qoima_store_queue_write (self, set_password_job, task);
}

gboolean
qoima_store_set_password_finish (QoimaStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_set_password_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
qoima_store_update_user_async (QoimaStore          *self,
                               QoimaUser           *acting,
                               const char          *name,
                               QoimaRole            role,
                               gint64               ward_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GError) local_error = NULL;
  UserData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (acting == NULL || QOIMA_IS_USER (acting));
  g_return_if_fail (name != NULL);

  data = g_new0 (UserData, 1);
  data->acting = acting != NULL ? g_strdup (acting->name) : NULL;
  data->name = g_strdup (name);
  data->role = role;
  data->ward_id = ward_id;
  task = qoima_store_task_new (self, qoima_store_update_user_async, data, user_data_free, cancellable, callback, user_data);

  if (!role_and_ward_are_consistent (role, ward_id, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      g_object_unref (task);
      return;
    }
  qoima_store_queue_write (self, update_user_job, task);
}

gboolean
qoima_store_update_user_finish (QoimaStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_update_user_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
qoima_store_set_user_signing_async (QoimaStore          *self,
                                    QoimaUser           *acting,
                                    const char          *name,
                                    const char          *iin,
                                    gboolean             may_sign,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  UserData *data;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (acting == NULL || QOIMA_IS_USER (acting));
  g_return_if_fail (name != NULL);

  data = g_new0 (UserData, 1);
  data->acting = acting != NULL ? g_strdup (acting->name) : NULL;
  data->name = g_strdup (name);
  data->iin = iin != NULL && *iin != '\0' ? g_strdup (iin) : NULL;
  data->may_sign = !!may_sign;
  task = qoima_store_task_new (self, qoima_store_set_user_signing_async, data, user_data_free, cancellable, callback, user_data);

  if (data->iin != NULL && !qoima_iin_is_valid (data->iin))
    {
      g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT,
                               _("The IIN %s is wrong: it has 12 digits and its check digit must match."), data->iin);
      g_object_unref (task);
      return;
    }
  qoima_store_queue_job (self, set_user_signing_job, task);
}

gboolean
qoima_store_set_user_signing_finish (QoimaStore    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_set_user_signing_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
qoima_store_get_user_async (QoimaStore          *self,
                            const char          *name,
                            const char          *iin,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  UserData *data;

  g_return_if_fail (QOIMA_IS_STORE (self));
  g_return_if_fail (name != NULL || iin != NULL);

  data = g_new0 (UserData, 1);
  data->name = g_strdup (name);
  data->iin = g_strdup (iin);
  qoima_store_queue_job (self, get_user_job,
                         qoima_store_task_new (self, qoima_store_get_user_async, data, user_data_free, cancellable, callback, user_data));
}

QoimaUser *
qoima_store_get_user_finish (QoimaStore    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_get_user_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
