/* test-db-secret.c: a PostgreSQL login's password in the system keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For real: a throwaway PostgreSQL server that asks for passwords (scram-sha-256 on its
 * socket), and a real secret service (gnome-keyring-daemon, started unlocked) on a D-Bus
 * session bus of the test's own, so that no one's keyring is touched. The connection fails
 * without the secret, works once it is saved (by the async call the Administration page
 * makes, and by `qoimactl db password`), and fails cleanly with a wrong one.
 */

#include "config.h"

#include "qoima-db-private.h"
#include "qoima-error.h"
#include "qoima-test-pg.h"

#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROLE "ward_pc_1"
#define PASSWORD "Ward-1-secret"

static QoimaTestPg *server;
static char *uri;
static GTestDBus *bus;
static GPid keyring_pid;
static char *home;

static gboolean
keyring_available (void)
{
  if (server == NULL)
    {
      g_test_skip ("PostgreSQL is not installed");
      return FALSE;
    }
  if (keyring_pid == 0)
    {
      g_test_skip ("gnome-keyring-daemon is not installed");
      return FALSE;
    }
  return TRUE;
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
save_password (const char *location,
               const char *password)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* As the Administration page saves it: asynchronously, on the thread's main context. */
  g_main_context_push_thread_default (context);
  qoima_db_save_password_async (location, password, NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  qoima_db_save_password_finish (result, &error);
  g_assert_no_error (error);
}

static void
assert_connects (void)
{
  g_autoptr(GError) error = NULL;
  QoimaDb *db = qoima_db_open (uri, &error);

  g_assert_no_error (error);
  g_assert_nonnull (db);
  g_assert_true (qoima_db_exec (db, "CREATE TABLE IF NOT EXISTS t (x integer)", &error));
  g_assert_no_error (error);
  qoima_db_close (db);
}

/* The four values the secret is saved under are libpq's, however the URI spells them. */
static void
test_attributes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) spelled = qoima_db_secret_attributes ("postgresql://nurse@db.hospital.kz:5432/qoima", &error);
  g_autoptr(GHashTable) short_form = qoima_db_secret_attributes ("postgresql://db.hospital.kz/qoima?user=nurse", &error);
  g_autoptr(GHashTable) other_port = qoima_db_secret_attributes ("postgresql://nurse@db.hospital.kz:5433/qoima", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (spelled, "host"), ==, "db.hospital.kz");
  g_assert_cmpstr (g_hash_table_lookup (spelled, "port"), ==, "5432");
  g_assert_cmpstr (g_hash_table_lookup (spelled, "dbname"), ==, "qoima");
  g_assert_cmpstr (g_hash_table_lookup (spelled, "user"), ==, "nurse");
  g_assert_cmpstr (g_hash_table_lookup (short_form, "port"), ==, "5432");
  g_assert_cmpstr (g_hash_table_lookup (short_form, "user"), ==, "nurse");
  g_assert_cmpstr (g_hash_table_lookup (other_port, "port"), ==, "5433");

  g_assert_null (qoima_db_secret_attributes ("/var/lib/qoima/qoima.db", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN);
}

/* Saving refuses what is not a server's address, an address with a password in it (which
 * would end up in GSettings), and an empty password. */
static void
test_save_refused (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (qoima_db_save_password_sync ("postgresql://nurse:pw@db.hospital.kz/qoima", "pw", NULL, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN);
  g_clear_error (&error);
  g_assert_false (qoima_db_save_password_sync ("postgresql://nurse@db.hospital.kz/qoima", "", NULL, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FAILED);
}

static void
test_none_saved (void)
{
  g_autoptr(GError) error = NULL;

  if (!keyring_available ())
    return;
  g_assert_null (qoima_db_open (uri, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN);
  g_assert_nonnull (strstr (error->message, "asks for the password of " ROLE ", and none is saved"));
}

static void
test_saved (void)
{
  if (!keyring_available ())
    return;
  save_password (uri, PASSWORD);
  assert_connects ();
}

/* The notifications' own connection (on the main context) finds the password too, without
 * blocking: it hears what another connection notifies. */
static void
heard (const char *channel,
       gpointer    user_data)
{
  *(int *) user_data += 1;
}

static void
test_listen (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  GSource *source;
  QoimaDb *db;
  int count = 0;
  gint64 deadline;

  if (!keyring_available ())
    return;
  save_password (uri, PASSWORD);
  g_main_context_push_thread_default (context);
  source = qoima_db_listen_source_new (uri, "qoima_test", heard, &count, NULL, &error);
  g_assert_no_error (error);
  g_source_attach (source, context);

  db = qoima_db_open (uri, &error);
  g_assert_no_error (error);
  /* Notify until heard: the LISTEN may not be in place at the first one. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (count == 0 && g_get_monotonic_time () < deadline)
    {
      gint64 pause = g_get_monotonic_time () + G_USEC_PER_SEC / 5;

      g_assert_true (qoima_db_notify (db, "qoima_test", &error));
      g_assert_no_error (error);
      while (count == 0 && g_get_monotonic_time () < pause)
        g_main_context_iteration (context, FALSE), g_usleep (10 * 1000);
    }
  g_assert_cmpint (count, >, 0);
  qoima_db_close (db);
  g_source_destroy (source);
  g_source_unref (source);
  g_main_context_pop_thread_default (context);
}

static void
test_wrong (void)
{
  g_autoptr(GError) error = NULL;

  if (!keyring_available ())
    return;
  save_password (uri, "not-" PASSWORD);
  g_assert_null (qoima_db_open (uri, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CANNOT_OPEN);
  g_assert_nonnull (strstr (error->message, "refused the password saved in the system keyring for " ROLE));
  /* The password itself is never in a message. */
  g_assert_null (strstr (error->message, PASSWORD));
}

/* `qoimactl db password URI`: IT's way, the password on standard input. */
static void
qoimactl_password (const char *password,
                   int        *status,
                   char      **out,
                   char      **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *input = g_strconcat (password, "\n", NULL);
  const char *qoimactl = g_getenv ("QOIMACTL");

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              qoimactl, "db", "password", uri, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, input, NULL, out, err, &error));
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);
}

static void
test_qoimactl (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  int status = -1;

  if (!keyring_available ())
    return;
  if (g_getenv ("QOIMACTL") == NULL)
    {
      g_test_skip ("QOIMACTL is not set");
      return;
    }
  /* A wrong one is saved, and said to fail. */
  qoimactl_password ("still-not-" PASSWORD, &status, &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "refused the password"));
  g_assert_null (strstr (err, PASSWORD));

  qoimactl_password (PASSWORD, &status, &out2, &err2);
  g_assert_cmpstr (err2, ==, "");
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out2, "accepts it"));
  assert_connects ();
}

/* A real secret service on the test's own bus: gnome-keyring-daemon, its keyrings in a
 * temporary home, its login keyring made and unlocked with a password on its stdin. */
static void
start_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *data = NULL;
  g_autofree char *runtime = NULL;
  const char *argv[] = { NULL, "--foreground", "--unlock", "--components=secrets", NULL };
  g_autoptr(GDBusConnection) connection = NULL;
  g_auto(GStrv) envp = NULL;
  int stdin_fd = -1;
  gint64 deadline;

  if (daemon == NULL)
    return;
  home = g_dir_make_tmp ("qoima-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  data = g_build_filename (home, "data", NULL);
  runtime = g_build_filename (home, "run", NULL);
  g_mkdir (data, 0700);
  g_mkdir (runtime, 0700);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);

  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);

  argv[0] = daemon;
  /* The daemon is not under test: the test's fatal warnings and malloc checks are not its. */
  envp = g_get_environ ();
  envp = g_environ_unsetenv (envp, "G_DEBUG");
  envp = g_environ_unsetenv (envp, "MALLOC_CHECK_");
  envp = g_environ_unsetenv (envp, "MALLOC_PERTURB_");
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD |
                                           G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                           NULL, NULL, &keyring_pid, &stdin_fd, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (write (stdin_fd, "keyring-pw", 10), ==, 10);
  close (stdin_fd);

  /* Ready once it owns the secret service's name. */
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  /* Stopping the bus at the end must not end the test's process with it. */
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GVariant) reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                               "org.freedesktop.DBus", "NameHasOwner",
                                                               g_variant_new ("(s)", "org.freedesktop.secrets"),
                                                               G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
                                                               -1, NULL, &error);
      gboolean owned = FALSE;

      g_assert_no_error (error);
      g_variant_get (reply, "(b)", &owned);
      if (owned)
        return;
      g_usleep (50 * 1000);
    }
  g_error ("gnome-keyring-daemon did not take the secret service's name on the test's bus");
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  server = qoima_test_pg_start (&error);
  g_assert_no_error (error);
  if (server != NULL)
    {
      uri = qoima_test_pg_new_password_login (server, "ward", ROLE, PASSWORD, &error);
      g_assert_no_error (error);
      start_keyring ();
    }

  g_test_add_func ("/db-secret/attributes", test_attributes);
  g_test_add_func ("/db-secret/save-refused", test_save_refused);
  g_test_add_func ("/db-secret/none-saved", test_none_saved);
  g_test_add_func ("/db-secret/saved", test_saved);
  g_test_add_func ("/db-secret/listen", test_listen);
  g_test_add_func ("/db-secret/wrong", test_wrong);
  g_test_add_func ("/db-secret/qoimactl", test_qoimactl);
  if (server == NULL)
    g_test_message ("PostgreSQL is not installed: the tests with a server skip");
  status = g_test_run ();

  if (keyring_pid != 0)
    {
      kill (keyring_pid, SIGTERM);
      waitpid (keyring_pid, NULL, 0);
      g_spawn_close_pid (keyring_pid);
    }
  if (bus != NULL)
    {
      /* libsecret keeps proxies on the bus's shared connection to the end of the process,
       * so the bus is stopped without waiting for that connection to go. */
      secret_service_disconnect ();
      g_test_dbus_stop (bus);
      /* Not unreffed: its finalize would wait for that connection all the same. */
    }
  g_clear_pointer (&server, qoima_test_pg_stop);
  if (home != NULL)
    remove_tree (home);
  g_free (home);
  g_free (uri);
  return status;
}
