/* qoimactl.c: the Qoima core from the command line, for scripts and administrators
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoimactl"

#include "config.h"

#include "qoimactl.h"
#include "qoima-i18n.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One line per command (several for a command with subcommands); the first word names it. */
static const char * const command_lines[] = {
  N_("parse [TEXT…]          parse marking codes (standard input lines when no TEXT), one JSON object each"),
  N_("demo [--packs N] [--copay YYYY-MM]  fill an empty database with demo data (and a month of co-payment dispensing)"),
  N_("stock --json           list the packs as JSON"),
  N_("sync                   load new acts from ИС МПТ and send what waits in the outbox (with --key: owed medical use signed automatically when allowed)"),
  N_("acts --json            list the incoming acts as JSON"),
  N_("accept ACT_ID [--codes FILE]  sign and send the acceptance (of the codes in FILE, one per line; else all; --user)"),
  N_("reject ACT_ID          sign and send the rejection of the whole act (--user)"),
  N_("users --json           list the users as JSON"),
  N_("users add NAME --role ROLE [--ward WARD_ID] [--iin IIN] [--may-sign] --password-file FILE  add a user (after the first, as an admin: --user)"),
  N_("users passwd NAME --new-password-file FILE  give a user a new password or PIN (your own, or an admin: --user)"),
  N_("users disable|enable NAME  disable or enable a user (an admin: --user)"),
  N_("users signing NAME [--iin IIN | --no-iin] [--may-sign yes|no]  the user's IIN (the signing key's) and a clerk's delegation to sign (an admin: --user)"),
  N_("wards --json           list the wards, archived ones included, as JSON"),
  N_("wards add NAME_RU [--name-kk NAME]  add a ward (an admin: --user)"),
  N_("wards archive NAME     archive an empty ward (an admin: --user)"),
  N_("settings auto-withdraw on|off  send withdrawals without the chief (an admin: --user)"),
  N_("settings organization NAME  the hospital's name that heads printed documents (an admin: --user)"),
  N_("audit verify           check the audit trail's hash chain"),
  N_("db init postgresql://…  prepare a PostgreSQL database for several workstations: roles and schema (its administrator)"),
  N_("db add-login postgresql://… NAME [--auditor]  a workstation's login (or a read-only auditor's) on that database"),
  N_("db import FILE.db postgresql://…  move a single-PC warehouse onto the prepared server whole, audit trail included, and verify it (a superuser)"),
  N_("db password postgresql://…  save the login's password (read from standard input) in this user's system keyring, and try it"),
  N_("move --to WARD --code CODE…  move packs or boxes (SSCC) to a ward, printing the transfer document's number (a clerk: --user)"),
  N_("transfers --json       list the transfer documents as JSON"),
  N_("units --gtin GTIN --units N  enter how many units a pack of the product holds (a clerk: --user)"),
  N_("use [--ward WARD] --code CODE --patient IIN|RECORD [--units N]  log units given to a patient (a nurse: --user)"),
  N_("count start --location LOCATION  start a stock count of the warehouse or a ward, printing its id (a clerk, or the ward's nurse: --user)"),
  N_("count scan ID [CODE…]  count packs or boxes (standard input lines when no CODE), one JSON object each"),
  N_("count units ID --code CODE --units N  the units found in an opened pack already counted"),
  N_("count show ID [--json] [--xlsx FILE] [--pdf FILE]  the count's tally and findings, printed or exported"),
  N_("count finish ID        end the scanning; the findings are frozen"),
  N_("count sign-off ID      correct the book from a finished count (the chief: --user)"),
  N_("withdrawals --json     list the withdrawals owed and sent, with their status"),
  N_("withdraw [--code CODE…]  sign the owed withdrawals and write-offs (one document per reason) and send them (the chief: --user, --key)"),
  N_("write-off --code CODE… --reason expired|damaged|lost|recalled  record packs to write off (the chief: --user)"),
  N_("register --draft FILE.json [--send]  check a registration draft, printing each problem as JSON (field, rule, message); with --send sign it with the AUTH key and send it (--server, --auth-key; --user to keep it)"),
  N_("register --status [ID] [--wait]  the registration request's status (the one kept in the database unless ID); --wait until it is decided"),
  N_("register --contract [ID] [--draft FILE.json]  once the request is confirmed, show the standard connection contract and sign it with the head's AUTH key (R000-2; --server, --auth-key; --user to keep it)"),
  N_("reference import KIND FILE  check a newer directory (kato, tax-offices, banks, product-groups), then use it instead of the one shipped"),
  N_("application list | show ID | check ID|FILE.json | pdf ID --output FILE.pdf  the application to the Fund's database: its versions, one as JSON with its edits, its problems one JSON object a line, the form as PDF"),
  N_("application save FILE.json [--id ID | --change-of ID] | submit ID | send ID --fund URL  save a form (an admin: --user), send it to the chief, or send it to the Fund (the chief: --user)"),
  N_("report KIND [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--ward WARD] [--csv FILE|-] [--csv-separator ,|;] [--xlsx FILE|-]  a report (patients, wards, medicines, opened, withdrawals) for this month unless told; the chief or an admin: --user"),
  N_("copay registry --month YYYY-MM [--json] [--xlsx FILE] [--pdf FILE] [--language ru|kk]  the co-payment registry (Appendix 1) of a month"),
  N_("copay act --month YYYY-MM [--pdf FILE] [--language ru|kk]  the co-payment payment act (Appendix 2) of a month"),
  N_("copay prices import FILE.csv  load limit prices (INN, form, dosage, unit, limit price, valid from; an admin: --user)"),
  N_("copay prices list      the limit prices loaded, with their history"),
  N_("copay settings bin BIN | region NAME  the pharmacy point's BIN and region, as the registry prints them (an admin: --user)"),
  N_("copay dispense --qr PAYLOAD --code CODE --price AMOUNT --receipt NUMBER  dispense a whole pack by e-prescription with co-payment (a nurse or clerk: --user)"),
};

static const char * const option_lines[] = {
  N_("--db PATH              the warehouse database (default: the user's data directory)"),
  N_("--server URL           the ИС МПТ True API base, e.g. https://stage.ismet.kz/api/v3/true-api"),
  N_("--key FILE.p12         the signing key for documents"),
  N_("--auth-key FILE.p12    the authentication (AUTH) key for logging in (default: --key)"),
  N_("--password-file FILE   the keys' password (its first line); it is never stored"),
  N_("--key-password-file FILE  the keys' password, when --password-file is the --user's"),
  N_("--catalog URL          the НКТ catalog base (default: derived from --server)"),
  N_("--api-key-file FILE    the НКТ API key"),
  N_("--user NAME            act as this user; the password is the first line of --password-file"),
  N_("--list-grace SECONDS  how long a sent document ИС МПТ does not list yet is waited for before it is sent again (default 900)"),
};

static void
print_options (FILE *out)
{
  fprintf (out, "\n%s\n", _("Options:"));
  for (guint i = 0; i < G_N_ELEMENTS (option_lines); i++)
    fprintf (out, "  %s\n", _(option_lines[i]));
  fprintf (out, "\n%s\n", _("Exit status: 0 done, 1 error, 2 usage, 3 waiting in the outbox (ИС МПТ unreachable)."));
}

static gboolean
line_is_command (const char *line,
                 const char *command)
{
  gsize len = strlen (command);

  return strncmp (line, command, len) == 0 && (line[len] == ' ' || line[len] == '\0');
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: qoimactl [OPTION…] COMMAND [ARGS…]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (command_lines); i++)
    fprintf (out, "  %s\n", _(command_lines[i]));
  print_options (out);
}

/* `qoimactl COMMAND --help`: that command's lines (matched on the untranslated text, whose
 * first word is the command) and the options; FALSE when there is no such command. */
static gboolean
print_command_usage (FILE       *out,
                     const char *command)
{
  gboolean found = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (command_lines); i++)
    {
      if (!line_is_command (command_lines[i], command))
        continue;
      if (!found)
        fprintf (out, "%s\n\n", _("Usage: qoimactl [OPTION…] COMMAND [ARGS…]"));
      fprintf (out, "  %s\n", _(command_lines[i]));
      found = TRUE;
    }
  if (found)
    print_options (out);
  return found;
}

/* A command's own arguments hold --help or -h. */
static gboolean
asks_for_help (int    argc,
               char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        return TRUE;
    }
  return FALSE;
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
qoimactl_wait_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  QoimactlWait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

void
qoimactl_print_error (const char *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "qoimactl: %s\n", message);
}

int
qoimactl_fail (const GError *error)
{
  qoimactl_print_error ("%s", error->message);
  return 1;
}

gssize
qoimactl_read_line (FILE     *in,
                    char     *buf,
                    gsize     size,
                    gboolean *too_long)
{
  gsize len = 0;
  gboolean any = FALSE;
  int c;

  g_assert (size > 0);
  *too_long = FALSE;
  /* Byte by byte into a fixed buffer: a line of any length costs no memory, and a NUL
   * in it is kept, not taken for its end. */
  flockfile (in);
  while ((c = getc_unlocked (in)) != EOF)
    {
      any = TRUE;
      if (c == '\n')
        break;
      if (len < size - 1)
        buf[len++] = (char) c;
      else
        *too_long = TRUE;
    }
  funlockfile (in);
  buf[len] = '\0';

  return any ? (gssize) len : -1;
}

char *
qoimactl_read_first_line (const char  *path,
                          GError     **error)
{
  g_autofree char *line = g_malloc (QOIMACTL_LINE_MAX + 1);
  gboolean too_long = FALSE;
  gboolean failed;
  const char *nul;
  FILE *file;
  gssize len;

  file = fopen (path, "re");
  if (file == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot open %s: %s"), path, g_strerror (saved_errno));
      return NULL;
    }

  len = qoimactl_read_line (file, line, QOIMACTL_LINE_MAX + 1, &too_long);
  failed = ferror (file);
  fclose (file);
  if (failed)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, _("Cannot read %s."), path);
      return NULL;
    }
  if (len < 0)
    len = 0;
  if (too_long)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("The first line of %s is longer than %d bytes: it is not a password or a key."),
                   path, QOIMACTL_LINE_MAX);
      return NULL;
    }
  /* A NUL would silently cut the secret short. */
  nul = memchr (line, '\0', len);
  if (nul != NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("The first line of %s holds a NUL byte (byte %d)."),
                   path, (int) (nul - line) + 1);
      return NULL;
    }
  line[strcspn (line, "\r")] = '\0';
  return g_steal_pointer (&line);
}

GAsyncResult *
qoimactl_wait_for_result (QoimactlWait *wait)
{
  qoimactl_wait (&wait->done);
  wait->done = FALSE;
  return g_steal_pointer (&wait->result);
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

/* The option's value slot for "--name" or "--name=value", or NULL. */
static char **
option_slot (QoimactlOptions *options,
             const char      *arg)
{
  static const struct {
    const char *name;
    gsize offset;
  } slots[] = {
    { "--db", G_STRUCT_OFFSET (QoimactlOptions, db_path) },
    { "--server", G_STRUCT_OFFSET (QoimactlOptions, server) },
    { "--key", G_STRUCT_OFFSET (QoimactlOptions, key) },
    { "--auth-key", G_STRUCT_OFFSET (QoimactlOptions, auth_key) },
    { "--password-file", G_STRUCT_OFFSET (QoimactlOptions, password_file) },
    { "--key-password-file", G_STRUCT_OFFSET (QoimactlOptions, key_password_file) },
    { "--catalog", G_STRUCT_OFFSET (QoimactlOptions, catalog) },
    { "--api-key-file", G_STRUCT_OFFSET (QoimactlOptions, api_key_file) },
    { "--user", G_STRUCT_OFFSET (QoimactlOptions, user) },
    { "--list-grace", G_STRUCT_OFFSET (QoimactlOptions, list_grace) },
  };
  gsize len = strcspn (arg, "=");

  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    if (strlen (slots[i].name) == len && strncmp (arg, slots[i].name, len) == 0)
      return G_STRUCT_MEMBER_P (options, slots[i].offset);
  return NULL;
}

/* WARD is a location's id or its name (Russian or Kazakh). */
gint64
qoimactl_find_location (QoimaStore  *store,
                        const char  *key,
                        GError     **error)
{
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) locations = NULL;

  qoima_store_list_locations_async (store, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  locations = qoima_store_list_locations_finish (store, result, error);
  if (locations == NULL)
    return 0;
  for (guint i = 0; i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, qoima_location_get_id (location));

      if (g_str_equal (id, key) || g_strcmp0 (qoima_location_get_name_ru (location), key) == 0 ||
          g_strcmp0 (qoima_location_get_name_kk (location), key) == 0)
        return qoima_location_get_id (location);
    }
  g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
               _("There is no location “%s”."), key);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  QoimactlOptions options = { NULL };
  int i = 1;
  int status;

  qoima_i18n_init ();

  /* Global options come before the command, so that a command's own arguments
   * (marking codes may start with anything) are never taken for options. */
  while (i < argc && g_str_has_prefix (argv[i], "--"))
    {
      char **value = option_slot (&options, argv[i]);
      const char *equals = strchr (argv[i], '=');

      if (value != NULL && equals != NULL)
        {
          g_free (*value);
          *value = g_strdup (equals + 1);
          i += 1;
        }
      else if (value != NULL && i + 1 < argc)
        {
          g_free (*value);
          *value = g_strdup (argv[i + 1]);
          i += 2;
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
          qoimactl_print_error (_("Unknown option: %s"), argv[i]);
          print_usage (stderr);
          return 2;
        }
    }

  if (i >= argc)
    {
      print_usage (stderr);
      return 2;
    }

  /* --help is an answer, not a usage error: exit 0, as GNU tools do. */
  if (asks_for_help (argc - i, argv + i) && print_command_usage (stdout, argv[i]))
    status = 0;
  else if (g_str_equal (argv[i], "parse"))
    status = qoimactl_parse (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "demo"))
    status = qoimactl_demo (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "stock"))
    status = qoimactl_stock (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "sync"))
    status = qoimactl_sync (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "acts"))
    status = qoimactl_acts (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "accept") || g_str_equal (argv[i], "reject"))
    status = qoimactl_answer (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "users"))
    status = qoimactl_users (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "wards"))
    status = qoimactl_wards (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "settings"))
    status = qoimactl_settings (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "audit"))
    status = qoimactl_audit (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "move"))
    status = qoimactl_move (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "use"))
    status = qoimactl_use (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "units"))
    status = qoimactl_units (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "db"))
    status = qoimactl_db (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "count"))
    status = qoimactl_count (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "transfers"))
    status = qoimactl_transfers (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "withdrawals"))
    status = qoimactl_withdrawals (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "withdraw"))
    status = qoimactl_withdraw (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "write-off"))
    status = qoimactl_write_off (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "report"))
    status = qoimactl_report (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "register"))
    status = qoimactl_register (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "reference"))
    status = qoimactl_reference (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "application"))
    status = qoimactl_application (&options, argc - i, argv + i);
  else if (g_str_equal (argv[i], "copay"))
    status = qoimactl_copay (&options, argc - i, argv + i);
  else
    {
      qoimactl_print_error (_("Unknown command: %s"), argv[i]);
      print_usage (stderr);
      status = 2;
    }

  g_free (options.db_path);
  g_free (options.server);
  g_free (options.key);
  g_free (options.auth_key);
  g_free (options.password_file);
  g_free (options.key_password_file);
  g_free (options.catalog);
  g_free (options.api_key_file);
  g_free (options.user);
  return status;
}
