/* qoima-db-secret.c: a PostgreSQL server's password in the system keyring (libsecret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A workstation's database location is a setting anyone may read (GSettings, dconf), so it
 * never holds a password. When the server asks for one and neither a client certificate nor
 * ~/.pgpass gives it, the PostgreSQL backend looks it up here, under the server, port,
 * database and login it connects to, the same four values libpq reads from the URI. The
 * password goes to libpq and nowhere else: never logged, never in a message.
 */

#define G_LOG_DOMAIN "qoima-store"

#include "config.h"

#include "qoima-db-private.h"

#include "qoima-error.h"

#include <glib/gi18n.h>
#include <libpq-fe.h>
#include <libsecret/secret.h>

static const SecretSchema *
qoima_db_secret_schema (void)
{
  static const SecretSchema schema = {
    .name = "kz.qoima.Database",
    .flags = SECRET_SCHEMA_NONE,
    .attributes = {
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "port", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "dbname", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* The value libpq would use for @keyword: the URI's, else its defaults' (environment, then
 * compiled in), so that a URI that leaves the port or the login out finds the same secret as
 * one that spells them. */
static char *
option_value (PQconninfoOption *parsed,
              PQconninfoOption *defaults,
              const char       *keyword)
{
  for (PQconninfoOption *o = parsed; o != NULL && o->keyword != NULL; o++)
    if (g_str_equal (o->keyword, keyword) && o->val != NULL && *o->val != '\0')
      return g_strdup (o->val);
  for (PQconninfoOption *o = defaults; o != NULL && o->keyword != NULL; o++)
    if (g_str_equal (o->keyword, keyword))
      {
        if (o->val != NULL && *o->val != '\0')
          return g_strdup (o->val);
        if (o->compiled != NULL && *o->compiled != '\0')
          return g_strdup (o->compiled);
      }
  return NULL;
}

GHashTable *
qoima_db_secret_attributes (const char  *uri,
                            GError     **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  PQconninfoOption *parsed;
  PQconninfoOption *defaults;
  char *message = NULL;
  char *user;
  char *dbname;
  char *host;
  char *port;

  if (!qoima_db_location_is_postgresql (uri) || (parsed = PQconninfoParse (uri, &message)) == NULL)
    {
      g_autofree char *shown = qoima_db_location_for_display (uri);

      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                   _("%s is not the address of a PostgreSQL server (postgresql://…)."), shown);
      if (message != NULL)
        PQfreemem (message);
      return NULL;
    }
  defaults = PQconndefaults ();

  user = option_value (parsed, defaults, "user");
  dbname = option_value (parsed, defaults, "dbname");
  host = option_value (parsed, defaults, "host");
  port = option_value (parsed, defaults, "port");
  /* libpq's own fallbacks: the database named after the login, the default socket, 5432. */
  if (dbname == NULL)
    dbname = g_strdup (user != NULL ? user : "");
  if (host == NULL)
    host = g_strdup ("");
  if (port == NULL)
    port = g_strdup ("5432");

  attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (attributes, (gpointer) "host", host);
  g_hash_table_insert (attributes, (gpointer) "port", port);
  g_hash_table_insert (attributes, (gpointer) "dbname", dbname);
  g_hash_table_insert (attributes, (gpointer) "user", user != NULL ? user : g_strdup (""));

  PQconninfoFree (parsed);
  PQconninfoFree (defaults);
  return g_steal_pointer (&attributes);
}

char *
qoima_db_secret_lookup (const char  *uri,
                        GError     **error)
{
  g_autoptr(GHashTable) attributes = qoima_db_secret_attributes (uri, error);
  g_autoptr(GError) local_error = NULL;
  char *password;

  if (attributes == NULL)
    return NULL;
  password = secret_password_lookupv_sync (qoima_db_secret_schema (), attributes, NULL, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN,
                   _("The system keyring cannot be read (%s)."), local_error->message);
      return NULL;
    }
  /* No error and no password: nothing saved for this server. */
  return password;
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *local_error = NULL;
  char *password = secret_password_lookup_finish (result, &local_error);

  if (local_error != NULL)
    g_task_return_error (task, local_error);
  else
    g_task_return_pointer (task, password, (GDestroyNotify) secret_password_free);
}

void
qoima_db_secret_lookup_async (const char          *uri,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;

  g_task_set_source_tag (task, qoima_db_secret_lookup_async);
  attributes = qoima_db_secret_attributes (uri, &local_error);
  if (attributes == NULL)
    {
      g_task_return_error (task, local_error);
      return;
    }
  secret_password_lookupv (qoima_db_secret_schema (), attributes, cancellable, lookup_cb, g_steal_pointer (&task));
}

char *
qoima_db_secret_lookup_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Saving, for the Administration page and `qoimactl db password` */

static GHashTable *
attributes_to_save (const char  *location,
                    const char  *password,
                    char       **label,
                    GError     **error)
{
  g_autoptr(GHashTable) attributes = NULL;

  if (password == NULL || *password == '\0')
    {
      g_set_error_literal (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FAILED,
                           _("The password is empty; nothing was saved."));
      return NULL;
    }
  if (!qoima_db_location_check (location, error))
    return NULL;
  attributes = qoima_db_secret_attributes (location, error);
  if (attributes == NULL)
    return NULL;
  /* The name the keyring's own tools (Passwords and Keys) show. */
  *label = g_strdup_printf (_("Qoima warehouse database %s on %s"),
                            (const char *) g_hash_table_lookup (attributes, "dbname"),
                            *(const char *) g_hash_table_lookup (attributes, "host") != '\0'
                            ? (const char *) g_hash_table_lookup (attributes, "host") : "localhost");
  return g_steal_pointer (&attributes);
}

static void
save_failed (GError  *keyring_error,
             GError **error)
{
  g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FAILED,
               _("The password could not be saved in the system keyring (%s)."), keyring_error->message);
}

gboolean
qoima_db_save_password_sync (const char    *location,
                             const char    *password,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autofree char *label = NULL;
  g_autoptr(GHashTable) attributes = attributes_to_save (location, password, &label, error);
  g_autoptr(GError) local_error = NULL;

  if (attributes == NULL)
    return FALSE;
  if (!secret_password_storev_sync (qoima_db_secret_schema (), attributes, SECRET_COLLECTION_DEFAULT, label,
                                    password, cancellable, &local_error))
    {
      save_failed (local_error, error);
      return FALSE;
    }
  return TRUE;
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) local_error = NULL;

  if (!secret_password_store_finish (result, &local_error))
    {
      GError *error = NULL;

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&local_error));
          return;
        }
      save_failed (local_error, &error);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
qoima_db_save_password_async (const char          *location,
                              const char          *password,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;

  g_return_if_fail (location != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_db_save_password_async);
  attributes = attributes_to_save (location, password, &label, &local_error);
  if (attributes == NULL)
    {
      g_task_return_error (task, local_error);
      return;
    }
  secret_password_storev (qoima_db_secret_schema (), attributes, SECRET_COLLECTION_DEFAULT, label, password,
                          cancellable, store_cb, g_steal_pointer (&task));
}

gboolean
qoima_db_save_password_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
