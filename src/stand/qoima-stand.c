/* qoima-stand.c: the local ИС МПТ stand, a program of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-stand"

#include "config.h"

#include "qoima-demo.h"
#include "qoima-i18n.h"
#include "qoima-stand-db.h"
#include "qoima-stand-server.h"
#include "qoima-stand-world.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/random.h>
#include <unistd.h>

#define DEFAULT_API_KEY "qoima-stand-api-key"

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* The stand's stdin is a pipe from the program that started it (--exit-with-stdin): the
 * kernel closes it when that program ends, however it ends (even SIGKILL), so the stand
 * never outlives its parent. */
static gboolean
stdin_closed_cb (int           fd,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  GMainLoop *loop = user_data;
  char buffer[256];
  gssize n = 0;

  if (condition & G_IO_IN)
    n = read (fd, buffer, sizeof buffer);
  if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN)))
    return G_SOURCE_CONTINUE;

  g_debug ("stdin closed: the parent has ended");
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* The admin interface's secret: new at every start, from the kernel's random source, and
 * kept in a file only the owner can read, next to the database. */
static char *
make_admin_token (const char  *db_path,
                  char       **token_path,
                  GError     **error)
{
  guint8 bytes[24];
  g_autofree char *token = NULL;
  g_autofree char *path = g_strconcat (db_path, ".admin-token", NULL);
  g_autofree char *contents = NULL;
  gsize filled = 0;

  while (filled < sizeof bytes)
    {
      gssize n = getrandom (bytes + filled, sizeof bytes - filled, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _("Cannot make the admin token: %s"), g_strerror (errno));
          return NULL;
        }
      filled += n;
    }
  token = g_base64_encode (bytes, sizeof bytes);
  /* URL- and header-safe: no "+" or "/". */
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  contents = g_strconcat (token, "\n", NULL);
  if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return NULL;
  *token_path = g_steal_pointer (&path);
  return g_steal_pointer (&token);
}

static char *
default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "qoima", "stand.sqlite", NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *listen = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *ca_path = NULL;
  g_autofree char *api_key = NULL;
  g_autofree char *shape = NULL;
  g_autofree char *after_store = NULL;
  g_autofree char *notify_path = NULL;
  g_autofree char *admin_token = NULL;
  g_autofree char *admin_token_path = NULL;
  double after_store_rate = 1;
  int notify_fd = -1;
  int list_page_size = 10000;
  int list_lag_seconds = 0;
  int port = 0;
  int token_lifetime = 10 * 60 * 60;
  int challenge_lifetime = 60;
  int processing_delay_ms = 300;
  int hang_seconds = 30;
  double error_rate = 0;
  double timeout_rate = 0;
  double broken_json_rate = 0;
  int seed = 1;
  gboolean no_demo = FALSE;
  gboolean exit_with_stdin = FALSE;
  int demo_packs = QOIMA_DEMO_DEFAULT_PACKS;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, N_("Loopback address to listen on (default 127.0.0.1)"), N_("ADDRESS") },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("Port to listen on; 0 picks a free one (default)"), N_("PORT") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The stand's SQLite file, kept across restarts (default ~/.local/share/qoima/stand.sqlite)"), N_("PATH") },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca_path, N_("Trusted CA certificates (PEM) for sign-in and document signatures; without it every signature is refused"), N_("FILE.pem") },
    { "api-key", 0, 0, G_OPTION_ARG_STRING, &api_key, N_("The X-API-KEY of the НКТ catalog (default: qoima-stand-api-key)"), N_("KEY") },
    { "token-lifetime", 0, 0, G_OPTION_ARG_INT, &token_lifetime, N_("Lifetime of a token in seconds (default 36000, 10 hours)"), N_("S") },
    { "challenge-lifetime", 0, 0, G_OPTION_ARG_INT, &challenge_lifetime, N_("Lifetime of a sign-in challenge in seconds (default 60)"), N_("S") },
    { "processing-delay-ms", 0, 0, G_OPTION_ARG_INT, &processing_delay_ms, N_("How long a document stays IN_PROGRESS, in milliseconds (default 300)"), N_("N") },
    { "error-rate", 0, 0, G_OPTION_ARG_DOUBLE, &error_rate, N_("Share of calls answered 500 or 503, 0 to 1 (default 0)"), N_("F") },
    { "timeout-rate", 0, 0, G_OPTION_ARG_DOUBLE, &timeout_rate, N_("Share of calls left unanswered until the client gives up, 0 to 1 (default 0)"), N_("F") },
    { "hang-seconds", 0, 0, G_OPTION_ARG_INT, &hang_seconds, N_("How long such a call stays unanswered before a 504 (default 30)"), N_("S") },
    { "broken-json-rate", 0, 0, G_OPTION_ARG_DOUBLE, &broken_json_rate, N_("Share of calls whose answer is cut in half, 0 to 1 (default 0)"), N_("F") },
    { "after-store", 0, 0, G_OPTION_ARG_STRING, &after_store, N_("A fault after a document is stored: drop (the connection ends unanswered), error (500) or hang; none by default"), N_("FAULT") },
    { "after-store-rate", 0, 0, G_OPTION_ARG_DOUBLE, &after_store_rate, N_("Share of stored documents hit by --after-store, 0 to 1 (default 1)"), N_("F") },
    { "notify", 0, 0, G_OPTION_ARG_FILENAME, &notify_path, N_("Write a line “stored TYPE NUMBER ID” to this file or pipe the moment a document is stored"), N_("PATH") },
    { "list-page-size", 0, 0, G_OPTION_ARG_INT, &list_page_size, N_("The most documents doc/list answers in one page, 1 to 10000 (default 10000)"), N_("N") },
    { "list-lag", 0, 0, G_OPTION_ARG_INT, &list_lag_seconds, N_("doc/list shows a document only this many seconds after it is stored (default 0)"), N_("S") },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, N_("Seed for the demo world and the fault choices, for repeatable runs (default 1)"), N_("N") },
    { "no-demo", 0, 0, G_OPTION_ARG_NONE, &no_demo, N_("Do not make the demo world (the demo warehouse’s packs and the demo acts) on a new database"), NULL },
    { "demo-packs", 0, 0, G_OPTION_ARG_INT, &demo_packs, N_("How many packs of the application’s demo warehouse the hospital owns in the demo world (default 3000, as the application fills it)"), N_("N") },
    { "exit-with-stdin", 0, 0, G_OPTION_ARG_NONE, &exit_with_stdin, N_("Stop when standard input is closed, so that the stand ends with the program that started it"), NULL },
    { "shape", 0, 0, G_OPTION_ARG_STRING, &shape, N_("Answer in these of the shapes the API may have, comma-separated: opaque-token, products-cis, cises-only, no-codes, no-document-number, list-v4 or list-legacy, info-v4 or info-legacy, create-empty-200 or create-empty-204 (default: standard)"), N_("SHAPES") },
    { NULL },
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStandDb) db = NULL;
  g_autoptr(QoimaStandServer) server = NULL;
  g_autoptr(GBytes) ca_pem = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *root = NULL;
  g_autofree char *db_dir = NULL;

  qoima_i18n_init ();

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("A local ИС МПТ stand: serves the True API, the НКТ catalog and an admin "
                                  "interface on loopback, with the rules of ИС МПТ, for tests and demos."));
  g_option_context_set_description (context,
                                    _("The first line of output is the True API base URL, then “catalog: URL”, "
                                      "“admin: URL” and “admin-token: TOKEN”: every call of the admin interface "
                                      "carries the token in the header X-Stand-Token (it is also "
                                      "in the file DB.admin-token, readable only by its owner), and its body is "
                                      "application/json. State (participants, products, codes, documents) lives in its "
                                      "own SQLite file, so it survives a restart. A new database gets the demo "
                                      "world: the hospital BIN 990340001230, owning the packs of the application’s "
                                      "demo warehouse, СК-Фармация and two distributors, and five acts of 1 to 10,000 "
                                      "new packs waiting for acceptance. A database of an earlier stand is brought up "
                                      "to this world, its acts kept. Faults (5xx, timeouts, "
                                      "broken JSON, and after a document is stored: drop, error, hang) can also be set at run time with POST /stand/faults, the "
                                      "shape with POST /stand/shape; POST /stand/tokens {\"revoke\": true} "
                                      "refuses every token given out so far. "
                                      "SIGTERM or SIGINT stops the stand cleanly."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (db_path == NULL)
    db_path = default_db_path ();
  db_dir = g_path_get_dirname (db_path);
  if (g_mkdir_with_parents (db_dir, 0700) != 0)
    {
      g_printerr (_("Cannot create %s\n"), db_dir);
      return 1;
    }

  if (ca_path != NULL)
    {
      char *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (ca_path, &contents, &len, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      ca_pem = g_bytes_new_take (contents, len);
    }
  else
    g_warning ("No --ca given: every sign-in and document signature will be refused");

  db = qoima_stand_db_open (db_path, &error);
  if (demo_packs < 0)
    {
      g_printerr (_("Invalid number of demo packs\n"));
      return 2;
    }
  if (db == NULL || !qoima_stand_world_ensure (db, !no_demo, demo_packs, (guint32) seed, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  server = qoima_stand_server_new (db, ca_pem, api_key != NULL ? api_key : DEFAULT_API_KEY, &error);
  if (server == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  qoima_stand_server_set_token_lifetime (server, token_lifetime);
  qoima_stand_server_set_challenge_lifetime (server, challenge_lifetime);
  qoima_stand_server_set_processing_delay (server, processing_delay_ms);
  qoima_stand_server_set_hang_time (server, hang_seconds);
  qoima_stand_server_set_list (server, list_page_size, list_lag_seconds);
  qoima_stand_server_set_faults (server, error_rate, timeout_rate, broken_json_rate, (guint32) seed);
  if (!qoima_stand_server_set_shape (server, shape, &error) ||
      (after_store != NULL &&
       !qoima_stand_server_set_after_store_fault (server, after_store, after_store_rate, &error)))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (notify_path != NULL)
    {
      notify_fd = open (notify_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      if (notify_fd < 0)
        {
          g_printerr (_("Cannot open %s: %s\n"), notify_path, g_strerror (errno));
          return 1;
        }
      qoima_stand_server_set_notify_fd (server, notify_fd);
    }
  admin_token = make_admin_token (db_path, &admin_token_path, &error);
  if (admin_token == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  qoima_stand_server_set_admin_token (server, admin_token);

  if (port < 0 || port > 65535 ||
      !qoima_stand_server_listen (server, listen, (guint) port, &error))
    {
      g_printerr ("%s\n", error != NULL ? error->message : _("Invalid port"));
      return 1;
    }

  /* Stopping is handled before the first line is out: whoever reads it may stop the stand
   * at once, and SIGTERM must then stop it cleanly, not kill it. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);

  /* The first line is read by tests and scripts: print it whole and flush at once. */
  root = qoima_stand_server_get_root_url (server);
  printf ("%s%s\n", root, QOIMA_STAND_TRUE_API_PATH);
  printf ("catalog: %s%s\n", root, QOIMA_STAND_CATALOG_PATH);
  printf ("admin: %s%s/\n", root, QOIMA_STAND_ADMIN_PATH);
  printf ("admin-token: %s\n", admin_token);
  fflush (stdout);

  if (exit_with_stdin)
    g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_closed_cb, loop);
  g_main_loop_run (loop);

  g_debug ("Stopping");
  g_unlink (admin_token_path);
  if (notify_fd >= 0)
    close (notify_fd);
  return 0;
}
