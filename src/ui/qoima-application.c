/* qoima-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-application"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-application.h"

#include "qoima-context.h"
#include "qoima-demo.h"
#include "qoima-store.h"
#include "qoima-window.h"

#include <string.h>

struct _QoimaApplication
{
  AdwApplication parent_instance;

  /* Owned references */
  GSettings    *settings;
  QoimaContext *context;
  GCancellable *cancellable;
  char         *database_option;
  char         *database_path;

  /* Borrowed references: the window belongs to the application's window list. */
  QoimaWindow  *window;

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

  from_settings = g_settings_get_string (self->settings, "database-path");
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

  /* The store's messages are meant for the user already; the path tells an administrator
   * which file to look at, unless the message names it. */
  if (strstr (error->message, self->database_path) != NULL)
    description = g_strdup (error->message);
  else
    description = g_strdup_printf ("%s\n\n%s", error->message, self->database_path);
  qoima_window_show_error (window, _("Cannot Open the Warehouse"), description);
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

  if (self->window != NULL)
    qoima_window_show_content (self->window);
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
  qoima_demo_fill_async (QOIMA_STORE (object),
                         QOIMA_DEMO_DEFAULT_PACKS,
                         20240701,
                         self->cancellable,
                         demo_fill_cb,
                         g_object_ref (self));
}

static void
store_open_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(QoimaApplication) self = user_data;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GError) local_error = NULL;

  store = qoima_store_open_finish (result, &local_error);
  if (store == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_warning ("Could not open %s: %s", self->database_path, local_error->message);
      show_store_error (self, local_error);
      return;
    }

  g_debug ("Opened %s", self->database_path);
  self->context = qoima_context_new (store, self->settings);

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
  static const char *stock_accels[] = { "<Alt>1", NULL };
  static const char *scanner_accels[] = { "<Alt>2", NULL };

  G_APPLICATION_CLASS (qoima_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.page-stock", stock_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.page-scanner", scanner_accels);

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
      N_("Open the warehouse database at PATH instead of the configured one"), N_("PATH") },
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
