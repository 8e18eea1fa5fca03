/* qoimactl.c: the Qoima core from the command line, for scripts and administrators
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoimactl"

#include "config.h"

#include "qoimactl.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n  %s\n  %s\n  %s\n\n%s\n  %s\n",
           _("Usage: qoimactl [--db PATH] COMMAND [ARGS…]"),
           _("parse [TEXT…]     parse marking codes (standard input lines when no TEXT), one JSON object each"),
           _("demo              fill the database with demo data"),
           _("stock --json      list the packs as JSON"),
           _("Options:"),
           _("--db PATH         the warehouse database (default: the user's data directory)"));
}

typedef struct {
  gboolean done;
  QoimaStore *store;
  GError *error;
} OpenData;

static void
store_opened_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  OpenData *data = user_data;

  data->store = qoima_store_open_finish (result, &data->error);
  data->done = TRUE;
}

void
qoimactl_wait (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

char *
qoimactl_default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "qoima", "qoima.db", NULL);
}

QoimaStore *
qoimactl_open_store (QoimactlOptions  *options,
                     GError          **error)
{
  g_autofree char *path = NULL;
  OpenData data = { FALSE, NULL, NULL };

  path = options->db_path ? g_strdup (options->db_path) : qoimactl_default_db_path ();
  qoima_store_open_async (path, NULL, store_opened_cb, &data);
  qoimactl_wait (&data.done);
  if (data.error)
    {
      g_propagate_error (error, data.error);
      return NULL;
    }
  return data.store;
}

int
main (int    argc,
      char **argv)
{
  QoimactlOptions options = { NULL };
  int i = 1;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Global options come before the command, so that a command's own arguments
   * (marking codes may start with anything) are never taken for options. */
  while (i < argc && g_str_has_prefix (argv[i], "--"))
    {
      if (g_str_equal (argv[i], "--db") && i + 1 < argc)
        {
          g_free (options.db_path);
          options.db_path = g_strdup (argv[i + 1]);
          i += 2;
        }
      else if (g_str_has_prefix (argv[i], "--db="))
        {
          g_free (options.db_path);
          options.db_path = g_strdup (argv[i] + strlen ("--db="));
          i += 1;
        }
      else if (g_str_equal (argv[i], "--help"))
        {
          print_usage (stdout);
          return 0;
        }
      else if (g_str_equal (argv[i], "--version"))
        {
          printf ("qoimactl %s\n", PACKAGE_VERSION);
          return 0;
        }
      else
        {
          fprintf (stderr, _("Unknown option: %s\n"), argv[i]);
          print_usage (stderr);
          return 2;
        }
    }

  if (i >= argc)
    {
      print_usage (stderr);
      return 2;
    }

  if (g_str_equal (argv[i], "parse"))
    status = qoimactl_parse (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "demo"))
    status = qoimactl_demo (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "stock"))
    status = qoimactl_stock (&options, argc - i, argv + i);
  else
    {
      fprintf (stderr, _("Unknown command: %s\n"), argv[i]);
      print_usage (stderr);
      status = 2;
    }

  g_free (options.db_path);
  return status;
}
