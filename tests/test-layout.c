/* test-layout.c: every page fits a narrow window, in English, Russian and Kazakh
 *
 * A window for each role is opened at 800 px (600 px for the pages a nurse sees and for
 * the sign-in screen) in each language, each page is shown and photographed, and the
 * window's minimum width, as GTK measures its content, must fit. The translations are
 * the ones meson built into the build folder (po/<lang>/LC_MESSAGES/qoima.mo).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "qoima-act.h"
#include "qoima-admin-page.h"
#include "qoima-context.h"
#include "qoima-demo.h"
#include "qoima-location.h"
#include "qoima-reports-page.h"
#include "qoima-store-acts.h"
#include "qoima-ui-test-utils.h"
#include "qoima-window-private.h"

#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#define DEMO_PACKS 200
#define NARROW 600
#define NORMAL 800

static char *tmp_dir;
static char *db_path;
static QoimaStore *store;
static GSettings *settings;
static gint64 act_id;
static gint64 accepted_act_id;

static const char * const languages[] = { "en", "ru", "kk" };

static void
act_code_free (QoimaActCode *code)
{
  g_free (code->code);
  g_free (code->gtin);
  g_free (code->batch);
  g_free (code->expiry);
  g_free (code->parent_sscc);
  g_free (code);
}

/* An act waiting for acceptance, with a long sender name, for the Acts page. */
static gint64
save_act (const char *ismpt_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaIncomingAct *act = g_new0 (QoimaIncomingAct, 1);
  g_autoptr(QoimaPack) pack = qoima_test_first_pack_in_stock (store);
  const char *gtin = qoima_product_get_gtin (qoima_pack_get_product (pack));
  gint64 id;

  act->ismpt_id = g_strdup (ismpt_id);
  act->number = g_strdup ("ДП-2026/000417");
  act->doc_date = g_strdup ("2026-03-10T10:00:00Z");
  act->transfer_date = g_strdup ("2026-03-10");
  act->sender_bin = g_strdup ("123456789012");
  act->sender_name = g_strdup ("ТОО «СК-Фармация» — Региональный распределительный центр города Астаны");
  act->receiver_bin = g_strdup ("990340001230");
  act->status = g_strdup ("WAIT_ACCEPTANCE");
  act->codes = g_ptr_array_new_with_free_func ((GDestroyNotify) act_code_free);
  act->n_packs = 3;
  for (int i = 0; i < 3; i++)
    {
      QoimaActCode *code = g_new0 (QoimaActCode, 1);

      code->code = g_strdup_printf ("01%s21%s%d", gtin, ismpt_id, i);
      code->gtin = g_strdup (gtin);
      code->batch = g_strdup ("L-2026-03");
      code->expiry = g_strdup ("2028-02-29");
      g_ptr_array_add (act->codes, code);
    }

  qoima_store_save_act_async (store, act, NULL, NULL, qoima_test_result_cb, &result);
  qoima_test_wait_until (qoima_test_result_is_set, &result, 30);
  id = qoima_store_save_act_finish (store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  qoima_incoming_act_free (act);
  return id;
}

/* An act ИС МПТ confirmed accepted, its packs in stock, as the sync leaves it (written
 * straight into the database: the sync's own tests cover how it gets there). */
static void
accept_act (gint64 id)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE acts SET status = 'accepted' WHERE id = %" G_GINT64_FORMAT ";"
                                          "UPDATE packs SET act_id = %" G_GINT64_FORMAT
                                          " WHERE id IN (SELECT id FROM packs ORDER BY id LIMIT 3);",
                                          id, id);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* The widgets whose minimum width is over @limit while none of their children's is: what
 * makes a page too wide (each told once). */
static gboolean
report_wide (GtkWidget  *widget,
             int         limit,
             GHashTable *told)
{
  gboolean child_reported = FALSE;
  int min = 0;

  if (!gtk_widget_get_visible (widget))
    return FALSE;
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  if (min <= limit)
    return FALSE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    child_reported |= report_wide (child, limit, told);

  if (!child_reported)
    {
      g_autoptr(GString) path = g_string_new (NULL);
      g_autoptr(GString) key = g_string_new (NULL);

      for (GtkWidget *w = widget; w != NULL && !GTK_IS_WINDOW (w); w = gtk_widget_get_parent (w))
        {
          const char *text = GTK_IS_LABEL (w) ? gtk_label_get_text (GTK_LABEL (w)) : NULL;
          int w_min = 0;

          gtk_widget_measure (w, GTK_ORIENTATION_HORIZONTAL, -1, &w_min, NULL, NULL, NULL);
          g_string_append_printf (key, "%s(%d) ", G_OBJECT_TYPE_NAME (w), w_min);
          g_string_append_printf (path, "%s%s(%d)%s%s%s", path->len > 0 ? " < " : "", G_OBJECT_TYPE_NAME (w), w_min,
                                  text != NULL ? " «" : "", text != NULL ? text : "", text != NULL ? "»" : "");
          if (QOIMA_IS_WINDOW (gtk_widget_get_parent (w)) || path->len > 600)
            break;
        }
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
        {
          int c_min = 0;

          if (!gtk_widget_get_visible (child))
            continue;
          gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &c_min, NULL, NULL, NULL);
          g_string_append_printf (path, "\n#     child %s(%d)%s%s", G_OBJECT_TYPE_NAME (child), c_min,
                                  GTK_IS_LABEL (child) ? " " : "", GTK_IS_LABEL (child) ? gtk_label_get_text (GTK_LABEL (child)) : "");
        }
      if (!g_hash_table_contains (told, key->str))
        g_test_message ("too wide: %s", path->str);
      g_hash_table_add (told, g_string_free (g_steal_pointer (&key), FALSE));
    }
  return TRUE;
}

static int
window_min_width (QoimaWindow *window)
{
  GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));
  int min = 0;

  gtk_widget_measure (content, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  return min;
}

static void
assert_fits (QoimaWindow *window,
             int          limit,
             const char  *what)
{
  int min = window_min_width (window);

  g_test_message ("%s: minimum width %d (limit %d), window %d", what, min, limit,
                  gtk_widget_get_width (GTK_WIDGET (window)));
  if (min > limit)
    {
      g_autoptr(GHashTable) told = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      report_wide (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window)), limit, told);
    }
  g_assert_cmpint (min, <=, limit);
}

static QoimaWindow *
open_window (const char *user_name,
             int         width)
{
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  QoimaWindow *window;

  if (user_name != NULL)
    {
      g_autoptr(QoimaUser) user = qoima_test_find_user (store, user_name);

      qoima_context_set_user (context, user);
    }
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), width, 640);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
close_window (QoimaWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static AdwViewStack *
view_stack (QoimaWindow *window)
{
  return ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (qoima_window_get_stock_page (window)),
                                                  ADW_TYPE_VIEW_STACK));
}

static gboolean
page_is_loaded (gpointer data)
{
  GtkWidget *page = data;

  if (QOIMA_IS_STOCK_PAGE (page))
    return !qoima_stock_page_get_loading (QOIMA_STOCK_PAGE (page)) &&
           g_list_model_get_n_items (qoima_stock_page_get_model (QOIMA_STOCK_PAGE (page))) > 0;
  if (QOIMA_IS_ACTS_PAGE (page))
    return g_list_model_get_n_items (qoima_acts_page_get_acts (QOIMA_ACTS_PAGE (page))) > 0;
  if (QOIMA_IS_REPORTS_PAGE (page))
    return !qoima_reports_page_get_loading (QOIMA_REPORTS_PAGE (page));
  if (QOIMA_IS_ADMIN_PAGE (page))
    return !qoima_admin_page_get_loading (QOIMA_ADMIN_PAGE (page));
  if (QOIMA_IS_WITHDRAWALS_PAGE (page))
    return !qoima_withdrawals_page_get_busy (QOIMA_WITHDRAWALS_PAGE (page));
  return TRUE;
}

/* Shows the page @name, waits until it has its data and photographs the window. */
static void
show_page (QoimaWindow *window,
           const char  *name,
           const char  *shot)
{
  AdwViewStack *stack = view_stack (window);
  /* The page's place in the view stack; the page is built into it when first shown. */
  GtkWidget *slot = adw_view_stack_get_child_by_name (stack, name);
  g_autofree char *action = g_strdup_printf ("win.page-%s", name);
  GtkWidget *page;

  g_assert_nonnull (slot);
  g_assert_true (adw_view_stack_page_get_visible (adw_view_stack_get_page (stack, slot)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, name);
  page = adw_bin_get_child (ADW_BIN (slot));
  g_assert_nonnull (page);
  qoima_test_wait_until (page_is_loaded, page, 30);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), shot);
}

/* The signed-in person's name is in the header bar, whole, at every width tested. */
static void
assert_user_shown (QoimaWindow *window,
                   const char  *user_name)
{
  g_autoptr(QoimaUser) user = qoima_test_find_user (store, user_name);
  GtkLabel *label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (window), QOIMA_TYPE_WINDOW, "user_label"));

  g_assert_cmpstr (gtk_label_get_text (label), ==, qoima_user_get_full_name (user));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (label)));
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (label)));
}

static void
set_language (const char *language)
{
  g_setenv ("LANGUAGE", language, TRUE);
  /* gettext caches its lookups; setlocale() tells it to look again. */
  setlocale (LC_MESSAGES, "");
}

/* The window speaks @language: its catalog was found. */
static void
assert_language (QoimaWindow *window,
                 const char  *language)
{
  AdwViewStack *stack = view_stack (window);
  const char *title = adw_view_stack_page_get_title (adw_view_stack_get_page (stack, gtk_widget_get_parent (GTK_WIDGET (qoima_window_get_stock_page (window)))));

  if (g_str_equal (language, "en"))
    g_assert_cmpstr (title, ==, "Stock");
  else
    g_assert_cmpstr (title, !=, "Stock");
}

/* The pages of @user_name at @width in @language; the window must fit @width. */
static void
check_role (const char *language,
            const char *user_name,
            const char * const *pages,
            int         width)
{
  QoimaWindow *window;

  set_language (language);
  window = open_window (user_name, width);
  assert_language (window, language);
  qoima_test_wait_until (page_is_loaded, qoima_window_get_stock_page (window), 30);

  for (guint i = 0; pages[i] != NULL; i++)
    {
      g_autofree char *shot = g_strdup_printf ("test-layout-%s-%s-%s-%d.png", language, user_name, pages[i], width);

      show_page (window, pages[i], shot);
      if (g_str_equal (pages[i], "acts"))
        {
          QoimaActsPage *acts = qoima_window_get_acts_page (window);
          g_autofree char *act_shot = g_strdup_printf ("test-layout-%s-%s-act-%d.png", language, user_name, width);
          g_autofree char *accepted_shot = g_strdup_printf ("test-layout-%s-%s-accepted-act-%d.png",
                                                            language, user_name, width);
          GtkWidget *buttons = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (acts), QOIMA_TYPE_ACTS_PAGE,
                                                                          "act_buttons"));
          GtkLabel *card = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (acts), QOIMA_TYPE_ACTS_PAGE,
                                                                     "scan_label"));

          qoima_acts_page_open_act (acts, act_id);
          g_assert_nonnull (qoima_acts_page_get_act (acts));
          g_assert_true (gtk_widget_get_visible (buttons));
          gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
          qoima_test_save_screenshot (GTK_WIDGET (window), act_shot);
          assert_fits (window, width, act_shot);

          /* An accepted act says so, and offers no more answers. */
          qoima_acts_page_open_act (acts, accepted_act_id);
          g_assert_cmpint (qoima_act_get_status (qoima_acts_page_get_act (acts)), ==, QOIMA_ACT_STATUS_ACCEPTED);
          g_assert_cmpint (qoima_act_get_accepted (qoima_acts_page_get_act (acts)), ==, 3);
          g_assert_false (gtk_widget_get_visible (buttons));
          if (g_str_equal (language, "en"))
            g_assert_cmpstr (gtk_label_get_text (card), ==, "Accepted: 3 packs added to stock");
          gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
          qoima_test_save_screenshot (GTK_WIDGET (window), accepted_shot);
          gtk_widget_activate_action (GTK_WIDGET (acts), "acts.back", NULL);
        }
      assert_fits (window, width, shot);
      assert_user_shown (window, user_name);
      /* Nothing pushed the window wider than asked. */
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, width);
    }

  close_window (window);
}

static gboolean
sign_in_is_idle (gpointer data)
{
  return !qoima_sign_in_get_busy (QOIMA_SIGN_IN (data));
}

static void
test_sign_in (gconstpointer data)
{
  const char *language = data;
  QoimaWindow *window;
  g_autofree char *shot = g_strdup_printf ("test-layout-%s-sign-in-%d.png", language, NARROW);

  set_language (language);
  window = open_window (NULL, NARROW);
  qoima_test_wait_until (sign_in_is_idle, qoima_window_get_sign_in (window), 30);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), shot);
  assert_fits (window, NARROW, shot);

  /* The PIN step, with the person's name and role. */
  {
    g_autoptr(QoimaUser) nurse = qoima_test_find_user (store, "nurse");
    g_autofree char *pin_shot = g_strdup_printf ("test-layout-%s-sign-in-pin-%d.png", language, NARROW);

    qoima_sign_in_choose_user (qoima_window_get_sign_in (window), nurse);
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
    qoima_test_save_screenshot (GTK_WIDGET (window), pin_shot);
    assert_fits (window, NARROW, pin_shot);
  }
  close_window (window);
}

static void
test_nurse (gconstpointer data)
{
  const char * const pages[] = { "use", "stock", "scanner", NULL };
  const char *language = data;
  g_autoptr(QoimaUser) nurse = qoima_test_find_user (store, "nurse");
  g_autoptr(GListModel) packs = qoima_test_list_packs (store);
  g_autofree char *shot = g_strdup_printf ("test-layout-%s-nurse-use-pack-%d.png", language, NARROW);
  QoimaWindow *window;
  QoimaUsePage *page;
  gboolean handled = FALSE;

  check_role (language, "nurse", pages, NARROW);

  /* The Use page with a pack of her ward chosen. */
  window = open_window ("nurse", NARROW);
  page = qoima_window_get_use_page (window);
  g_signal_connect (page, "scan-handled", G_CALLBACK (qoima_test_flag_cb), &handled);
  for (guint i = 0; i < g_list_model_get_n_items (packs); i++)
    {
      g_autoptr(QoimaPack) pack = g_list_model_get_item (packs, i);
      QoimaLocation *location = qoima_pack_get_location (pack);

      if (location != NULL && qoima_location_get_id (location) == qoima_user_get_ward_id (nurse) &&
          qoima_pack_get_km (pack) != NULL)
        {
          g_assert_true (qoima_use_page_take_scan (page, qoima_pack_get_km (pack)));
          break;
        }
    }
  qoima_test_wait_until (qoima_test_flag_is_set, &handled, 30);
  g_assert_nonnull (qoima_use_page_get_pack (page));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), shot);
  assert_fits (window, NARROW, shot);

  /* A scan's card above the Stock page. */
  {
    g_autofree char *card_shot = g_strdup_printf ("test-layout-%s-nurse-scan-card-%d.png", language, NARROW);
    QoimaPack *pack = qoima_use_page_get_pack (page);

    handled = FALSE;
    g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_flag_cb), &handled);
    qoima_window_handle_scan (window, qoima_pack_get_km (pack));
    qoima_test_wait_until (qoima_test_flag_is_set, &handled, 30);
    g_assert_cmpint (qoima_scan_result_get_state (qoima_window_get_scan_result (window)), ==,
                     QOIMA_SCAN_RESULT_STATE_FOUND);
    qoima_test_wait_until (page_is_loaded, qoima_window_get_stock_page (window), 30);
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
    qoima_test_save_screenshot (GTK_WIDGET (window), card_shot);
    assert_fits (window, NARROW, card_shot);
  }
  close_window (window);
}

static void
test_clerk (gconstpointer data)
{
  const char * const pages[] = { "stock", "acts", "move", "scanner", NULL };

  check_role (data, "clerk", pages, NORMAL);
}

static void
test_chief (gconstpointer data)
{
  const char * const pages[] = { "acts", "withdrawals", "reports", NULL };

  check_role (data, "chief", pages, NORMAL);
}

static void
test_admin (gconstpointer data)
{
  const char * const pages[] = { "admin", "reports", NULL };

  check_role (data, "admin", pages, NORMAL);
}

int
main (int   argc,
      char *argv[])
{
  const char *locale_dir = g_getenv ("QOIMA_LOCALEDIR");
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* A page too wide fails its test, and the other pages are still measured and shown. */
  g_test_set_nonfatal_assertions ();
  qoima_test_prepare_display ();

  /* The catalogs meson built, not the installed ones. */
  g_assert_nonnull (locale_dir);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  tmp_dir = qoima_test_make_tmp_dir ();
  db_path = g_build_filename (tmp_dir, "qoima.db", NULL);
  store = qoima_test_open_demo_store (db_path, DEMO_PACKS);
  qoima_test_add_demo_users (store);
  act_id = save_act ("LAYOUT-WAITING");
  accepted_act_id = save_act ("LAYOUT-ACCEPTED");
  accept_act (accepted_act_id);
  settings = g_settings_new (BASE_APP_ID);

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *sign_in = g_strdup_printf ("/ui/layout/%s/sign-in", languages[i]);
      g_autofree char *nurse = g_strdup_printf ("/ui/layout/%s/nurse", languages[i]);
      g_autofree char *clerk = g_strdup_printf ("/ui/layout/%s/clerk", languages[i]);
      g_autofree char *chief = g_strdup_printf ("/ui/layout/%s/chief", languages[i]);
      g_autofree char *admin = g_strdup_printf ("/ui/layout/%s/admin", languages[i]);

      g_test_add_data_func (sign_in, languages[i], test_sign_in);
      g_test_add_data_func (nurse, languages[i], test_nurse);
      g_test_add_data_func (clerk, languages[i], test_clerk);
      g_test_add_data_func (chief, languages[i], test_chief);
      g_test_add_data_func (admin, languages[i], test_admin);
    }

  ret = g_test_run ();

  g_clear_object (&settings);
  qoima_store_close (store);
  g_clear_object (&store);
  qoima_test_remove_tree (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
  g_clear_pointer (&db_path, g_free);
  return ret;
}
