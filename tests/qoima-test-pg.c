/* qoima-test-pg.c: a throwaway PostgreSQL server for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * As shared/reference/postgresql.md records: initdb and pg_ctl in a temporary folder, a Unix
 * socket only, fsync off; about 3 s. Stopped by qoima_test_pg_stop(); a small watcher
 * stops it too (and removes the folder) if the test process dies first, so that a crashed
 * test leaves no server behind.
 */

#include "config.h"

#include "qoima-test-pg.h"

#include <glib/gstdio.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _QoimaTestPg
{
  char *dir;
  char *socket_dir;
  char *bindir;
  gboolean as_postgres;
  int port;
  gboolean running;
};

/* The watcher lives in a session of its own, so that what kills the test's process group
 * (a timeout, Ctrl+C) does not take the watcher with it. */
static void
new_session (gpointer user_data)
{
  setsid ();
}

/* Runs @argv (a server program), as "postgres" when the test runs as root. */
static gboolean
run (QoimaTestPg  *self,
     const char   *program,
     const char  **args,
     GError      **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (self->as_postgres)
    {
      g_ptr_array_add (argv, g_strdup ("runuser"));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup ("postgres"));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_build_filename (self->bindir, program, NULL));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (self->dir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: %s%s: ", program, out, err);
      return FALSE;
    }
  return TRUE;
}

/* pg_ctl start on the folder's data, on the socket and port of @self. */
static gboolean
server_start (QoimaTestPg  *self,
              GError      **error)
{
  g_autofree char *data = g_build_filename (self->dir, "data", NULL);
  g_autofree char *log = g_build_filename (self->dir, "server.log", NULL);
  g_autofree char *options = g_strdup_printf ("-c listen_addresses='' -c unix_socket_directories=%s -c port=%d "
                                              "-c fsync=off -c full_page_writes=off -c synchronous_commit=off",
                                              self->socket_dir, self->port);
  const char *args[] = { "-D", data, "-l", log, "-w", "-t", "60", "-o", options, "start", NULL };

  if (!run (self, "pg_ctl", args, error))
    return FALSE;
  self->running = TRUE;
  return TRUE;
}

gboolean
qoima_test_pg_halt (QoimaTestPg  *self,
                    GError      **error)
{
  g_autofree char *data = g_build_filename (self->dir, "data", NULL);
  const char *args[] = { "-D", data, "-m", "fast", "-w", "stop", NULL };

  g_return_val_if_fail (self->running, FALSE);
  if (!run (self, "pg_ctl", args, error))
    return FALSE;
  self->running = FALSE;
  return TRUE;
}

gboolean
qoima_test_pg_resume (QoimaTestPg  *self,
                      GError      **error)
{
  g_return_val_if_fail (!self->running, FALSE);
  return server_start (self, error);
}

QoimaTestPg *
qoima_test_pg_start (GError **error)
{
  g_autoptr(QoimaTestPg) self = g_new0 (QoimaTestPg, 1);
  g_autofree char *initdb = NULL;
  g_autofree char *data = NULL;
  const char *bindir = g_getenv ("QOIMA_PG_BINDIR");

  if (bindir == NULL || *bindir == '\0')
    return NULL;
  initdb = g_build_filename (bindir, "initdb", NULL);
  if (!g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  self->bindir = g_strdup (bindir);

  /* Under /tmp: a Unix socket's path must stay short (107 bytes). */
  self->dir = g_dir_make_tmp ("qoima-pg-XXXXXX", error);
  if (self->dir == NULL)
    return NULL;
  self->socket_dir = g_build_filename (self->dir, "s", NULL);
  g_mkdir (self->socket_dir, 0700);

  if (geteuid () == 0)
    {
      struct passwd *postgres = getpwnam ("postgres");

      if (postgres == NULL)
        {
          g_set_error_literal (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                               "running as root, and there is no postgres user to run the server as");
          return NULL;
        }
      self->as_postgres = TRUE;
      if (chown (self->dir, postgres->pw_uid, postgres->pw_gid) != 0 ||
          chown (self->socket_dir, postgres->pw_uid, postgres->pw_gid) != 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "chown %s: %s",
                       self->dir, g_strerror (errno));
          return NULL;
        }
    }

  /* A port of its own per run: the socket file's name carries it. */
  self->port = 20000 + g_random_int_range (0, 20000);
  data = g_build_filename (self->dir, "data", NULL);
  {
    const char *args[] = { "-D", data, "-U", "qoima_admin", "--auth=trust", "-E", "UTF8",
                           "--locale=C.UTF-8", "-N", NULL };

    if (!run (self, "initdb", args, error))
      return NULL;
  }
  if (!server_start (self, error))
    return NULL;

  /* The watcher: once this process is gone, the server goes too. */
  {
    g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
    g_autofree char *pg_ctl = g_build_filename (self->bindir, "pg_ctl", NULL);
    g_autofree char *script = g_strdup_printf ("while kill -0 \"$1\" 2>/dev/null; do sleep 1; done; "
                                               "[ -d \"$2\" ] || exit 0; "
                                               "%s '%s' -D \"$2/data\" -m immediate -w stop >/dev/null 2>&1; "
                                               "rm -rf \"$2\"",
                                               self->as_postgres ? "runuser -u postgres --" : "", pg_ctl);
    const char *argv[] = { "sh", "-c", script, "qoima-test-pg-watcher", pid, self->dir, NULL };

    if (!g_spawn_async (NULL, (char **) argv, NULL,
                        G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        new_session, NULL, NULL, error))
      return NULL;
  }
  return g_steal_pointer (&self);
}

char *
qoima_test_pg_new_database (QoimaTestPg  *self,
                            const char   *name,
                            GError      **error)
{
  g_autofree char *port = g_strdup_printf ("%d", self->port);
  const char *args[] = { "-h", self->socket_dir, "-p", port, "-U", "qoima_admin", name, NULL };

  if (!run (self, "createdb", args, error))
    return NULL;
  return g_strdup_printf ("postgresql:///%s?host=%s&port=%d&user=qoima_admin", name, self->socket_dir, self->port);
}

char *
qoima_test_pg_new_password_login (QoimaTestPg  *self,
                                  const char   *name,
                                  const char   *role,
                                  const char   *password,
                                  GError      **error)
{
  g_autofree char *port = g_strdup_printf ("%d", self->port);
  g_autofree char *sql = g_strdup_printf ("CREATE ROLE \"%s\" LOGIN PASSWORD '%s'", role, password);
  g_autofree char *owner_sql = g_strdup_printf ("CREATE DATABASE \"%s\" OWNER \"%s\"", name, role);
  g_autofree char *hba = g_build_filename (self->dir, "data", "pg_hba.conf", NULL);
  g_autofree char *data = g_build_filename (self->dir, "data", NULL);
  const char *create_role[] = { "-h", self->socket_dir, "-p", port, "-U", "qoima_admin", "-d", "postgres",
                                "-v", "ON_ERROR_STOP=1", "-c", sql, "-c", owner_sql, NULL };
  const char *reload[] = { "-D", data, "reload", NULL };

  if (!run (self, "psql", create_role, error))
    return NULL;
  /* Read by the server as it reloads; the first line that matches wins. */
  if (!g_file_set_contents (hba, "local all qoima_admin trust\n"
                                 "local all all scram-sha-256\n", -1, error))
    return NULL;
  if (chmod (hba, 0644) != 0 || !run (self, "pg_ctl", reload, error))
    return NULL;
  /* pg_ctl reload only signals the server: wait until the login without a password is refused. */
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *psql = g_build_filename (self->bindir, "psql", NULL);
      const char *check[] = { psql, "-w", "-h", self->socket_dir, "-p", port, "-U", role, "-d", name,
                              "-c", "SELECT 1", NULL };
      int status = 0;

      if (g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, NULL, NULL, &status, NULL) &&
          !g_spawn_check_wait_status (status, NULL))
        break;
      g_usleep (50 * 1000);
    }
  return g_strdup_printf ("postgresql:///%s?host=%s&port=%d&user=%s", name, self->socket_dir, self->port, role);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
qoima_test_pg_stop (QoimaTestPg *self)
{
  if (self == NULL)
    return;
  if (self->running)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *data = g_build_filename (self->dir, "data", NULL);
      const char *args[] = { "-D", data, "-m", "immediate", "-w", "stop", NULL };

      if (!run (self, "pg_ctl", args, &error))
        g_printerr ("qoima-test-pg: could not stop the server: %s\n", error->message);
    }
  if (self->dir != NULL)
    remove_tree (self->dir);
  g_free (self->dir);
  g_free (self->socket_dir);
  g_free (self->bindir);
  g_free (self);
}
