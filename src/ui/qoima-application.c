/* qoima-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-application"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-application.h"

#include "qoima-context.h"
#include "qoima-db.h"
#include "qoima-demo.h"
#include "qoima-ismpt-client.h"
#include "qoima-key-dialog.h"
#include "qoima-sync.h"
#include "qoima-store.h"
#include "qoima-window.h"

#include <glib-unix.h>
#include <signal.h>
#include <string.h>

/* R001-1: the addresses of ИС МПТ Kazakhstan. */
#define TEST_STAND_URL "https://stage.ismet.kz/api/v3/true-api"
#define INDUSTRIAL_URL "https://elk.prod.markirovka.ismet.kz/api/v3/true-api"
/* The embedded stand's catalog key (qoima-stand's default). */
#define LOCAL_STAND_API_KEY "qoima-stand-api-key"

struct _QoimaApplication
{
  AdwApplication parent_instance;

  /* Owned references */
  GSettings    *settings;
  QoimaContext *context;
  GCancellable *cancellable;
  char         *database_option;
  char         *database_path;
  GSubprocess  *stand;
  GDataInputStream *stand_output;

  /* Borrowed references: the window belongs to the application's window list. */
  QoimaWindow  *window;

  /* SIGTERM, SIGINT and SIGHUP quit as Ctrl+Q does, so the store and the stand stop cleanly. */
  guint         signal_sources[3];

  /* State */
  guint         holding : 1;
};

G_DEFINE_FINAL_TYPE (QoimaApplication, qoima_application, ADW_TYPE_APPLICATION)

static char *
choose_database_path (QoimaApplication *self)
{
  g_autofree char *from_settings = NULL;

  if (self->database_option != NULL && self->database_option[0] != '\0')
    return g_strdup (self->database_option);

  from_settings = g_settings_get_string (self->settings, "database-uri");
  if (from_settings[0] != '\0')
    return g_steal_pointer (&from_settings);

  return g_build_filename (g_get_user_data_dir (), "qoima", "qoima.db", NULL);
}

static void
release_hold (QoimaApplication *self)
{
  if (self->holding)
    {
      self->holding = FALSE;
      g_application_release (G_APPLICATION (self));
    }
}

/* The window appears once the store has answered, either with the stock or with what
 * went wrong; opening a database takes milliseconds, so there is no empty window first. */
static QoimaWindow *
ensure_window (QoimaApplication *self)
{
  if (self->window == NULL)
    {
      self->window = qoima_window_new (GTK_APPLICATION (self), self->context);
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
    }

  gtk_window_present (GTK_WINDOW (self->window));
  release_hold (self);

  return self->window;
}

static void
show_store_error (QoimaApplication *self,
                  const GError     *error)
{
  QoimaWindow *window = ensure_window (self);
  g_autofree char *description = NULL;

  g_autofree char *shown = qoima_db_location_for_display (self->database_path);

  /* The store's messages are meant for the user already; the location tells an
   * administrator which file or server to look at, unless the message names it. */
  if (strstr (error->message, shown) != NULL)
    description = g_strdup (error->message);
  else
    description = g_strdup_printf ("%s\n\n%s", error->message, shown);
  qoima_window_show_error (window, _("Cannot Open the Warehouse"), description);
}

static void
demo_users_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(QoimaApplication) self = user_data;
  g_autoptr(GError) local_error = NULL;

  if (!qoima_demo_add_users_finish (QOIMA_STORE (object), result, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_warning ("Could not add the demo users: %s", local_error->message);
      show_store_error (self, local_error);
      return;
    }

  if (self->window != NULL)
    qoima_window_show_content (self->window);
}

static void
demo_copay_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(QoimaApplication) self = user_data;
  g_autoptr(GError) local_error = NULL;

  if (qoima_demo_add_copay_finish (QOIMA_STORE (object), result, &local_error) < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The stock is there to try; a month of co-payment is not worth stopping for. */
      g_warning ("Could not add the demo month of co-payment: %s", local_error->message);
    }

  /* One demo user per role (the README lists their PINs), so that every role can be tried. */
  qoima_demo_add_users_async (QOIMA_STORE (object), self->cancellable, demo_users_cb, g_object_ref (self));
}

static void
demo_fill_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(QoimaApplication) self = user_data;
  g_autoptr(GError) local_error = NULL;

  if (!qoima_demo_fill_finish (QOIMA_STORE (object), result, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_warning ("Could not fill the demo data: %s", local_error->message);
      show_store_error (self, local_error);
      return;
    }

  /* Last month's co-payment dispensing (seed 002), so that its registry, due this month,
   * can be looked at and exported at once. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(GDateTime) last_month = g_date_time_add_months (now, -1);

    qoima_demo_add_copay_async (QOIMA_STORE (object), g_date_time_get_year (last_month),
                                g_date_time_get_month (last_month), self->cancellable, demo_copay_cb,
                                g_object_ref (self));
  }
}

static void
count_packs_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QoimaApplication) self = user_data;
  g_autoptr(GError) local_error = NULL;
  QoimaWindow *window;
  gint64 count;

  count = qoima_store_count_packs_finish (QOIMA_STORE (object), result, &local_error);
  if (count < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      show_store_error (self, local_error);
      return;
    }

  window = ensure_window (self);

  if (count > 0)
    return;

  /* A new warehouse: fill it with realistic demo data so that a first start shows what
   * the application does. */
  qoima_window_show_progress (window,
                              _("Preparing Demo Data"),
                              _("A new warehouse is being filled with demo medicines. This takes a few seconds."));
  /* The local stand's demo world knows these packs as the hospital's (same seed, same count). */
  qoima_demo_fill_async (QOIMA_STORE (object),
                         QOIMA_DEMO_DEFAULT_PACKS,
                         QOIMA_DEMO_SEED,
                         self->cancellable,
                         demo_fill_cb,
                         g_object_ref (self));
}

/* The catalog and the admin interface live next to the True API, on the same host. */
static char *
sibling_url (const char *base_url,
             const char *path)
{
  const char *api = strstr (base_url, "/api/");

  if (api == NULL)
    return NULL;
  return g_strdup_printf ("%.*s%s", (int) (api - base_url), base_url, path);
}

static void
connect_ismpt (QoimaApplication *self,
               const char       *base_url,
               const char       *api_key)
{
  g_autoptr(QoimaIsmptClient) client = NULL;
  g_autoptr(QoimaSync) sync = NULL;
  g_autofree char *catalog = sibling_url (base_url, "/gwp");

  if (self->context == NULL)
    return;

  g_debug ("ИС МПТ at %s", base_url);
  client = qoima_ismpt_client_new (base_url, NULL);
  if (catalog != NULL && api_key != NULL && api_key[0] != '\0')
    qoima_ismpt_client_set_catalog (client, catalog, api_key);
  sync = qoima_sync_new (qoima_context_get_store (self->context), client);
  qoima_context_set_ismpt (self->context, client, sync);
}

static void
discard_stand_line_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data);

/* The stand's further output is read and dropped, so that a full pipe never stalls it. */
static void
read_stand_line (QoimaApplication *self,
                 GAsyncReadyCallback callback)
{
  g_data_input_stream_read_line_async (self->stand_output, G_PRIORITY_LOW, self->cancellable,
                                       callback, g_object_ref (self));
}

static void
discard_stand_line_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(QoimaApplication) self = user_data;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, NULL);
  if (line == NULL)
    return;
  g_debug ("stand: %s", line);
  read_stand_line (self, discard_stand_line_cb);
}

static void
stand_first_line_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(QoimaApplication) self = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *api_key = NULL;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, &local_error);
  if (line == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("The local ИС МПТ stand did not start: %s",
                   local_error != NULL ? local_error->message : "no output");
      return;
    }

  g_strchomp (line);
  if (!g_str_has_prefix (line, "http"))
    {
      g_warning ("The local ИС МПТ stand said “%s” instead of its address", line);
      return;
    }

  api_key = g_settings_get_string (self->settings, "catalog-api-key");
  connect_ismpt (self, line, api_key[0] != '\0' ? api_key : LOCAL_STAND_API_KEY);
  read_stand_line (self, discard_stand_line_cb);
}

static char *
find_stand_program (void)
{
  const char *env = g_getenv ("QOIMA_STAND");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return g_build_filename (QOIMA_BINDIR, "qoima-stand", NULL);
}

/* The "local" stand: the project's own, started as a child and stopped on quit. Its first
 * line of output is its address, read without blocking the main loop. */
static void
start_local_stand (QoimaApplication *self)
{
  g_autofree char *program = find_stand_program ();
  g_autofree char *pki = qoima_key_dialog_find_demo_pki ();
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "qoima", NULL);
  g_autofree char *db = g_build_filename (data_dir, "stand.sqlite", NULL);
  g_autofree char *ca = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) local_error = NULL;

  if (!g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_warning ("The local ИС МПТ stand %s is not installed; acts cannot be synchronised", program);
      return;
    }

  g_mkdir_with_parents (data_dir, 0700);
  g_ptr_array_add (argv, program);
  g_ptr_array_add (argv, (char *) "--port");
  g_ptr_array_add (argv, (char *) "0");
  /* Ends with the application however it ends: its stdin is our pipe (see qoima-stand.c). */
  g_ptr_array_add (argv, (char *) "--exit-with-stdin");
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, db);
  if (pki != NULL)
    {
      ca = g_build_filename (pki, "ca.pem", NULL);
      g_ptr_array_add (argv, (char *) "--ca");
      g_ptr_array_add (argv, ca);
    }
  g_ptr_array_add (argv, NULL);

  self->stand = g_subprocess_newv ((const char * const *) argv->pdata,
                                   G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                   &local_error);
  if (self->stand == NULL)
    {
      g_warning ("Could not start the local ИС МПТ stand: %s", local_error->message);
      return;
    }

  self->stand_output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->stand));
  read_stand_line (self, stand_first_line_cb);
}

static void
start_ismpt (QoimaApplication *self)
{
  g_autofree char *stand = g_settings_get_string (self->settings, "stand");
  g_autofree char *api_key = g_settings_get_string (self->settings, "catalog-api-key");

  if (g_str_equal (stand, "local"))
    start_local_stand (self);
  else if (g_str_equal (stand, "test"))
    connect_ismpt (self, TEST_STAND_URL, api_key);
  else if (g_str_equal (stand, "industrial"))
    connect_ismpt (self, INDUSTRIAL_URL, api_key);
  else
    {
      g_autofree char *url = g_settings_get_string (self->settings, "ismpt-url");

      if (url[0] != '\0')
        connect_ismpt (self, url, api_key);
      else
        g_warning ("The stand is “custom” but ismpt-url is empty");
    }
}

static void
stop_stand (QoimaApplication *self)
{
  if (self->stand == NULL)
    return;

  g_subprocess_send_signal (self->stand, SIGTERM);
  g_subprocess_wait (self->stand, NULL, NULL);
  g_clear_object (&self->stand_output);
  g_clear_object (&self->stand);
}

static void
store_open_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(QoimaApplication) self = user_data;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *shown = qoima_db_location_for_display (self->database_path);

  store = qoima_store_open_finish (result, &local_error);
  if (store == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_warning ("Could not open %s: %s", shown, local_error->message);
      show_store_error (self, local_error);
      return;
    }

  g_debug ("Opened %s", shown);
  self->context = qoima_context_new (store, self->settings);
  start_ismpt (self);

  qoima_store_count_packs_async (store,
                                 self->cancellable,
                                 count_packs_cb,
                                 g_object_ref (self));
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  QoimaApplication *self = user_data;
  static const char *developers[] = { "Qoima contributors", NULL };
  GtkWindow *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("Qoima"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("Marked medicines of a hospital: stock, scanning and ИС МПТ"),
                        "developer-name", _("Qoima contributors"),
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (about);
}

static gboolean
quit_on_signal_cb (gpointer user_data)
{
  g_debug ("Quitting on a signal");
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "about", about_activated },
};

static int
qoima_application_handle_local_options (GApplication *application,
                                        GVariantDict *options)
{
  QoimaApplication *self = QOIMA_APPLICATION (application);
  g_autofree char *database = NULL;

  if (g_variant_dict_lookup (options, "database", "^ay", &database))
    {
      g_free (self->database_option);
      self->database_option = g_steal_pointer (&database);
    }

  return G_APPLICATION_CLASS (qoima_application_parent_class)->handle_local_options (application, options);
}

static void
qoima_application_startup (GApplication *application)
{
  QoimaApplication *self = QOIMA_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *switch_user_accels[] = { "<Control>l", NULL };

  G_APPLICATION_CLASS (qoima_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.switch-user", switch_user_accels);

  self->signal_sources[0] = g_unix_signal_add (SIGTERM, quit_on_signal_cb, self);
  self->signal_sources[1] = g_unix_signal_add (SIGINT, quit_on_signal_cb, self);
  self->signal_sources[2] = g_unix_signal_add (SIGHUP, quit_on_signal_cb, self);

  self->settings = g_settings_new (BASE_APP_ID);
  self->database_path = choose_database_path (self);

  /* Keep the application alive until the store answers and the window exists. */
  g_application_hold (application);
  self->holding = TRUE;

  qoima_store_open_async (self->database_path,
                          self->cancellable,
                          store_open_cb,
                          g_object_ref (self));
}

static void
qoima_application_activate (GApplication *application)
{
  QoimaApplication *self = QOIMA_APPLICATION (application);

  /* Before the store has answered there is nothing to show yet: the open callback
   * creates and presents the window. */
  if (self->window != NULL)
    gtk_window_present (GTK_WINDOW (self->window));
}

static void
qoima_application_shutdown (GApplication *application)
{
  QoimaApplication *self = QOIMA_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);
  stop_stand (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->signal_sources); i++)
    g_clear_handle_id (&self->signal_sources[i], g_source_remove);

  G_APPLICATION_CLASS (qoima_application_parent_class)->shutdown (application);
}

static void
qoima_application_dispose (GObject *object)
{
  QoimaApplication *self = QOIMA_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  if (self->window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      self->window = NULL;
    }
  stop_stand (self);
  g_clear_object (&self->context);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (qoima_application_parent_class)->dispose (object);
}

static void
qoima_application_finalize (GObject *object)
{
  QoimaApplication *self = QOIMA_APPLICATION (object);

  g_clear_pointer (&self->database_option, g_free);
  g_clear_pointer (&self->database_path, g_free);

  G_OBJECT_CLASS (qoima_application_parent_class)->finalize (object);
}

static void
qoima_application_class_init (QoimaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = qoima_application_dispose;
  object_class->finalize = qoima_application_finalize;

  application_class->handle_local_options = qoima_application_handle_local_options;
  application_class->startup = qoima_application_startup;
  application_class->activate = qoima_application_activate;
  application_class->shutdown = qoima_application_shutdown;
}

static void
qoima_application_init (QoimaApplication *self)
{
  static const GOptionEntry entries[] = {
    { "database", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
      N_("Open the warehouse database at LOCATION (a file, or a postgresql:// URI) instead of the configured one"), N_("LOCATION") },
    { NULL }
  };

  self->cancellable = g_cancellable_new ();

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

QoimaApplication *
qoima_application_new (void)
{
  return g_object_new (QOIMA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_BASE,
                       NULL);
}
