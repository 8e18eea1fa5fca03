/* test-language.c: the window speaks Russian and Kazakh from the build tree
 *
 * The README's run command starts the build tree's program with `meson devenv`, which points
 * QOIMA_LOCALEDIR at the build's compiled catalogs; the test environment does the same. Each
 * language runs in a subprocess of its own (gettext picks the language once per process),
 * initialised exactly as main.c does, and a translated label must be on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-i18n.h"
#include "qoima-ui-test-utils.h"
#include "qoima-window-private.h"

#include <string.h>

typedef struct {
  const char *language;
  const char *sign_in_title;  /* "Sign In" */
  const char *stock_title;    /* "Stock", the page's title in the view switcher */
} Language;

static const Language languages[] = {
  { "ru", "Вход", "Остатки" },
  { "kk", "Кіру", "Қалдықтар" },
};

static const char *current_language;

/* A mapped widget showing @text: a label, a status page's title, or a view stack page's. */
static gboolean
shows_text (GtkWidget  *widget,
            const char *text)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  if (ADW_IS_STATUS_PAGE (widget) && g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (shows_text (child, text))
        return TRUE;
    }
  return FALSE;
}

typedef struct {
  GtkWidget  *window;
  const char *text;
} ShowWait;

static gboolean
window_shows (gpointer data)
{
  ShowWait *wait = data;

  return shows_text (wait->window, wait->text);
}

static void
run_in_language (const Language *language)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db = g_build_filename (tmp, "qoima.db", NULL);
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *shot = NULL;

  /* Exactly as main.c: the locale from the environment, the catalog from QOIMA_LOCALEDIR. */
  qoima_i18n_init ();
  g_assert_nonnull (g_getenv ("QOIMA_LOCALEDIR"));
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, language->language);

  gtk_init ();
  adw_init ();
  qoima_test_prepare_display ();

  store = qoima_test_open_demo_store (db, 50);
  qoima_test_add_demo_users (store);
  settings = g_settings_new (BASE_APP_ID);

  /* Nobody signed in: the sign-in screen. */
  {
    g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
    QoimaWindow *window = g_object_ref (qoima_window_new (NULL, context));
    ShowWait wait = { GTK_WIDGET (window), language->sign_in_title };

    gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
    gtk_window_present (GTK_WINDOW (window));
    qoima_test_wait_until (window_shows, &wait, 30);
    shot = g_strdup_printf ("test-language-%s-sign-in.png", language->language);
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
    qoima_test_save_screenshot (GTK_WIDGET (window), shot);
    gtk_window_destroy (GTK_WINDOW (window));
    g_object_unref (window);
  }

  /* The clerk's window: the pages' titles in the view switcher. */
  {
    g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
    g_autoptr(QoimaUser) clerk = qoima_test_find_user (store, "clerk");
    QoimaWindow *window;
    ShowWait wait = { NULL, language->stock_title };

    qoima_context_set_user (context, clerk);
    window = g_object_ref (qoima_window_new (NULL, context));
    wait.window = GTK_WIDGET (window);
    gtk_window_set_default_size (GTK_WINDOW (window), 1280, 760);
    gtk_window_present (GTK_WINDOW (window));
    qoima_test_wait_until (window_shows, &wait, 30);
    g_free (shot);
    shot = g_strdup_printf ("test-language-%s-stock.png", language->language);
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
    qoima_test_save_screenshot (GTK_WIDGET (window), shot);
    gtk_window_destroy (GTK_WINDOW (window));
    g_object_unref (window);
  }

  qoima_store_close (store);
  qoima_test_remove_tree (tmp);
}

static void
test_language_subprocess (void)
{
  if (!g_test_subprocess ())
    {
      g_test_skip ("run by /language/ru and /language/kk in a subprocess");
      return;
    }
  g_assert_nonnull (current_language);
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      if (g_str_equal (languages[i].language, current_language))
        run_in_language (&languages[i]);
    }
}

static void
test_language (gconstpointer data)
{
  const Language *language = data;

  /* The child inherits the environment: the language is chosen before it starts. */
  g_setenv ("LANGUAGE", language->language, TRUE);
  g_test_trap_subprocess ("/language/subprocess", 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_unsetenv ("LANGUAGE");
}

int
main (int   argc,
      char *argv[])
{
  current_language = g_getenv ("LANGUAGE");
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *path = g_strdup_printf ("/language/%s", languages[i].language);

      g_test_add_data_func (path, &languages[i], test_language);
    }
  g_test_add_func ("/language/subprocess", test_language_subprocess);

  return g_test_run ();
}
