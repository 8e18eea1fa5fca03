/* test-window.c: the main window over a real demo warehouse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "qoima-calibration.h"
#include "qoima-context.h"
#include "qoima-demo.h"
#include "qoima-i18n.h"
#include "qoima-location.h"
#include "qoima-product.h"
#include "qoima-scan-result.h"
#include "qoima-scanner-page.h"
#include "qoima-stock-item.h"
#include "qoima-stock-page.h"
#include "qoima-stock-cell.h"
#include "qoima-test-file-modes.h"
#include "qoima-ui-test-utils.h"
#include "qoima-window-private.h"

#include <glib/gstdio.h>
#include <string.h>

#ifdef HAVE_XTST
#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>
#endif

#define DEMO_PACKS 300

/* One demo warehouse for the whole run: filling it is the slow part. */
static char *tmp_dir;
static char *db_path;
static QoimaStore *store;
static GSettings *settings;
static guint32 key_time = 1000;
/* --own-display: no other test's window shares the X server, so a click through XTest
 * lands on this test's window (run-xvfb.sh gives the run its own Xvfb). */
static gboolean own_display;

typedef struct {
  GListModel *model;
  unsigned    n_items;
} CountWait;

static gboolean
model_has_count (gpointer data)
{
  CountWait *wait = data;

  return g_list_model_get_n_items (wait->model) == wait->n_items;
}

static void
wait_for_count (GListModel *model,
                unsigned    n_items)
{
  CountWait wait = { model, n_items };

  qoima_test_wait_until (model_has_count, &wait, 30);
}

/* A window as @user_name sees it once signed in (NULL: nobody, the sign-in screen). */
static QoimaWindow *
create_window_as (const char *user_name)
{
  g_autoptr(QoimaContext) context = qoima_context_new (store, settings);
  QoimaWindow *window;

  if (user_name != NULL)
    {
      g_autoptr(QoimaUser) user = qoima_test_find_user (store, user_name);

      qoima_context_set_user (context, user);
    }
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static QoimaWindow *
create_window (void)
{
  return create_window_as ("clerk");
}

static void
destroy_window (QoimaWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static gboolean
stock_is_loaded (gpointer data)
{
  QoimaStockPage *page = data;

  return !qoima_stock_page_get_loading (page) &&
         g_list_model_get_n_items (qoima_stock_page_get_model (page)) > 0;
}

static void
wait_for_stock (QoimaWindow *window)
{
  QoimaStockPage *page = qoima_window_get_stock_page (window);

  qoima_test_wait_until (stock_is_loaded, page, 30);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
}

/* Types a scan into the window's reader after a pause longer than any max-gap-ms (so a
 * new burst starts) and waits until the window has answered it. The answer may come at
 * once (a parse error) or after the store (a pack), so the handler is connected first. */
static void
scan_and_wait (QoimaWindow *window,
               const char  *text,
               gboolean     gs_as_f8)
{
  gboolean handled = FALSE;
  gulong handler;

  handler = g_signal_connect (window, "scan-handled", G_CALLBACK (qoima_test_flag_cb), &handled);
  key_time += 10000;
  qoima_test_type_into_reader (qoima_window_get_scan_reader (window), text, gs_as_f8, &key_time, 8);
  qoima_test_wait_until (qoima_test_flag_is_set, &handled, 30);
  g_signal_handler_disconnect (window, handler);
}

static void
test_instantiate_widgets (void)
{
  const GType types[] = {
    QOIMA_TYPE_SCAN_RESULT,
    QOIMA_TYPE_SIGN_IN,
    QOIMA_TYPE_USE_PAGE,
    QOIMA_TYPE_SCANNER_PAGE,
    QOIMA_TYPE_STOCK_PAGE,
    QOIMA_TYPE_STOCK_CELL,
  };
  QoimaWindow *window;

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GtkWidget *widget = g_object_ref_sink (g_object_new (types[i], NULL));

      g_assert_true (GTK_IS_WIDGET (widget));
      g_assert_finalize_object (widget);
    }

  /* A window without a context is what an unopenable warehouse gets. */
  window = g_object_ref (qoima_window_new (NULL, NULL));
  g_assert_null (qoima_window_get_context (window));
  destroy_window (window);
}

static void
test_markup_escapes_code (void)
{
  g_autofree char *markup = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  /* Codes hold markup characters; the third character ("<") is the culprit. */
  markup = qoima_scan_result_markup_code ("a&<\"\x1d" "b", 2);
  g_assert_true (pango_parse_markup (markup, -1, 0, NULL, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "a&<\"⟨GS⟩b");
  g_assert_nonnull (strstr (markup, "&amp;"));
  g_assert_nonnull (strstr (markup, "background=\"#e01b24\" foreground=\"#ffffff\" weight=\"bold\">&lt;</span>"));

  /* The separator is drawn with glyphs the installed fonts have, not as empty boxes. */
  {
    GtkWidget *label = g_object_ref_sink (gtk_label_new (NULL));

    gtk_label_set_markup (GTK_LABEL (label), markup);
    g_assert_cmpint (pango_layout_get_unknown_glyphs_count (gtk_label_get_layout (GTK_LABEL (label))), ==, 0);
    g_object_unref (label);
  }
}

static void
test_error_page (void)
{
  QoimaWindow *window = g_object_ref (qoima_window_new (NULL, NULL));

  gtk_window_present (GTK_WINDOW (window));
  qoima_window_show_error (window, "Cannot Open the Warehouse", "file is not a database\n\n/tmp/a<b&c.db");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-error.png");

  destroy_window (window);
}

typedef struct
{
  QoimaStockPage *page;
  unsigned n_lines;
} StockGrowth;

static gboolean
stock_grew (gpointer data)
{
  StockGrowth *growth = data;

  return !qoima_stock_page_get_loading (growth->page) &&
         g_list_model_get_n_items (qoima_stock_page_get_model (growth->page)) > growth->n_lines;
}

/* A delivery received at another workstation (another connection to the same database)
 * shows on this one's Stock page without a reload. */
static void
test_stock_follows_other_workstation (void)
{
  g_autoptr(QoimaStore) other = qoima_test_open_store (db_path);
  g_autoptr(QoimaPack) pack = qoima_test_first_pack_in_stock (store);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaWindow *window = create_window ();
  StockGrowth growth = { qoima_window_get_stock_page (window), 0 };
  QoimaPackRows *rows = qoima_pack_rows_new ();

  wait_for_stock (window);
  growth.n_lines = g_list_model_get_n_items (qoima_stock_page_get_model (growth.page));

  qoima_pack_rows_add (rows, qoima_product_get_gtin (qoima_pack_get_product (pack)), "OTHERWS000001", NULL,
                       "OTHER-WS-1", "2031-12-31", qoima_location_get_id (qoima_pack_get_location (pack)), -1);
  qoima_store_receive_packs_async (other, rows, "clerk", "test", NULL, qoima_test_result_cb, &result);
  g_assert_true (qoima_store_receive_packs_finish (other, qoima_test_wait_for (&result), &error));
  g_assert_no_error (error);

  qoima_test_wait_until (stock_grew, &growth, 10);
  g_assert_cmpuint (g_list_model_get_n_items (qoima_stock_page_get_model (growth.page)), ==, growth.n_lines + 1);

  qoima_store_close (other);
  destroy_window (window);
}

static void
test_stock_list (void)
{
  g_autoptr(GListModel) stock = qoima_test_list_stock (store);
  g_autoptr(QoimaStockItem) first = NULL;
  g_autofree char *term = NULL;
  QoimaWindow *window = create_window ();
  QoimaStockPage *page = qoima_window_get_stock_page (window);
  GListModel *model = qoima_stock_page_get_model (page);
  unsigned n_lines = g_list_model_get_n_items (stock);
  unsigned expected = 0;
  gint64 packs = 0;

  wait_for_stock (window);

  /* Every line of the store is shown, and the lines add up to the demo packs still in stock. */
  g_assert_cmpuint (n_lines, >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_lines);
  for (unsigned i = 0; i < n_lines; i++)
    {
      g_autoptr(QoimaStockItem) item = g_list_model_get_item (model, i);

      packs += qoima_stock_item_get_packs (item);
    }
  g_assert_cmpint (packs, >, 0);
  g_assert_cmpint (packs, <=, DEMO_PACKS);

  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-stock.png");

  /* Search by the first word of the first line's INN, upper-cased as a person might
   * type it. */
  first = g_list_model_get_item (stock, 0);
  term = g_utf8_strdown (qoima_product_get_inn (qoima_stock_item_get_product (first)), -1);
  {
    char *space = strchr (term, ' ');

    if (space != NULL)
      *space = '\0';
  }
  for (unsigned i = 0; i < n_lines; i++)
    {
      g_autoptr(QoimaStockItem) item = g_list_model_get_item (stock, i);

      if (strstr (qoima_stock_item_get_search_text (item), term) != NULL)
        expected++;
    }
  g_assert_cmpuint (expected, >, 0);
  g_assert_cmpuint (expected, <, n_lines);

  {
    g_autofree char *typed = g_utf8_strup (term, -1);

    gtk_editable_set_text (qoima_stock_page_get_search_entry (page), typed);
  }
  wait_for_count (model, expected);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, expected);

  /* A search that matches nothing. */
  gtk_editable_set_text (qoima_stock_page_get_search_entry (page), "no such medicine zzz");
  wait_for_count (model, 0);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-no-results.png");

  gtk_widget_activate_action (GTK_WIDGET (page), "stock.clear-filters", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_lines);

  /* The location filter: the first line's location. */
  {
    QoimaLocation *location = qoima_stock_item_get_location (first);
    unsigned at_location = 0;

    for (unsigned i = 0; i < n_lines; i++)
      {
        g_autoptr(QoimaStockItem) item = g_list_model_get_item (stock, i);

        if (qoima_location_get_id (qoima_stock_item_get_location (item)) == qoima_location_get_id (location))
          at_location++;
      }
    g_assert_cmpuint (at_location, >, 0);

    qoima_stock_page_set_location_id (page, qoima_location_get_id (location));
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, at_location);
    qoima_stock_page_set_location_id (page, 0);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_lines);
  }

  /* "Expiring soon": lines within the warning period or past it. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    unsigned expiring = 0;
    GDate today;

    g_date_clear (&today, 1);
    g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                    g_date_time_get_year (now));
    for (unsigned i = 0; i < n_lines; i++)
      {
        g_autoptr(QoimaStockItem) item = g_list_model_get_item (stock, i);

        if (qoima_stock_item_days_to_expiry (item, &today) <= (int) g_settings_get_uint (settings, "expiry-warning-days"))
          expiring++;
      }

    g_assert_cmpuint (expiring, >, 0);
    g_assert_cmpuint (expiring, <, n_lines);
    qoima_stock_page_set_expiring_only (page, TRUE);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, expiring);
    qoima_stock_page_set_expiring_only (page, FALSE);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_lines);
  }

  destroy_window (window);
}

static gboolean
model_count_differs (gpointer data)
{
  CountWait *wait = data;

  return g_list_model_get_n_items (wait->model) != wait->n_items;
}

/* The first widget with the style class @css_class under @widget, depth first. */
static GtkWidget *
find_descendant (GtkWidget  *widget,
                 const char *css_class)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (gtk_widget_has_css_class (child, css_class))
        return child;
      if ((found = find_descendant (child, css_class)) != NULL)
        return found;
    }
  return NULL;
}

/* A nurse's Stock opens on her ward; a search or a filter change shows the list from its
 * first line, not where the list was scrolled before (issue 10, Stock). */
static void
test_stock_nurse_ward_and_scroll (void)
{
  g_autoptr(GListModel) stock = qoima_test_list_stock (store);
  g_autoptr(QoimaUser) nurse = qoima_test_find_user (store, "nurse");
  gint64 ward = qoima_user_get_ward_id (nurse);
  QoimaWindow *window = create_window_as ("nurse");
  QoimaStockPage *page = qoima_window_get_stock_page (window);
  GListModel *model = qoima_stock_page_get_model (page);
  GtkScrolledWindow *scrolled;
  GtkAdjustment *adjustment;
  unsigned at_ward = 0;

  g_assert_cmpint (ward, !=, 0);
  for (unsigned i = 0; i < g_list_model_get_n_items (stock); i++)
    {
      g_autoptr(QoimaStockItem) item = g_list_model_get_item (stock, i);

      if (qoima_location_get_id (qoima_stock_item_get_location (item)) == ward)
        at_ward++;
    }
  g_assert_cmpuint (at_ward, >, 0);
  g_assert_cmpuint (at_ward, <, g_list_model_get_n_items (stock));

  wait_for_stock (window);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, at_ward);
  for (unsigned i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(QoimaStockItem) item = g_list_model_get_item (model, i);

      g_assert_cmpint (qoima_location_get_id (qoima_stock_item_get_location (item)), ==, ward);
    }

  /* A reload keeps her choice: all locations stay all locations. */
  qoima_stock_page_set_location_id (page, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, g_list_model_get_n_items (stock));
  qoima_stock_page_reload (page);
  wait_for_stock (window);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, g_list_model_get_n_items (stock));

  /* Scrolled down, then a search: back at the top. The nurse starts on Use. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page-stock", NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 500);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-stock-nurse.png");
  scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (find_descendant (GTK_WIDGET (page), "stock-list"),
                                                           GTK_TYPE_SCROLLED_WINDOW));
  g_assert_nonnull (scrolled);
  adjustment = gtk_scrolled_window_get_vadjustment (scrolled);
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment), >, 0);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
  {
    unsigned n_all = g_list_model_get_n_items (model);
    g_autoptr(QoimaStockItem) last = g_list_model_get_item (model, n_all - 1);
    CountWait wait = { model, n_all };

    gtk_editable_set_text (qoima_stock_page_get_search_entry (page), qoima_stock_item_get_batch (last));
    /* The search entry waits a moment before it searches. */
    qoima_test_wait_until (model_count_differs, &wait, 30);
  }
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, gtk_adjustment_get_lower (adjustment));

  /* And after a location filter change. */
  gtk_editable_set_text (qoima_stock_page_get_search_entry (page), "");
  wait_for_count (model, g_list_model_get_n_items (stock));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
  qoima_stock_page_set_location_id (page, ward);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, gtk_adjustment_get_lower (adjustment));

  destroy_window (window);
}

static void
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* The item of the product cell drawn highest in the view: the line a person sees first. */
static QoimaStockItem *
first_drawn_item (GtkWidget *view)
{
  GPtrArray *stack = g_ptr_array_new ();
  QoimaStockItem *first = NULL;
  float first_y = G_MAXFLOAT;

  g_ptr_array_add (stack, view);
  while (stack->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);

      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (stack, child);

      if (QOIMA_IS_STOCK_CELL (widget) && gtk_widget_get_mapped (widget) &&
          qoima_stock_cell_get_column (QOIMA_STOCK_CELL (widget)) == QOIMA_STOCK_COLUMN_PRODUCT &&
          qoima_stock_cell_get_item (QOIMA_STOCK_CELL (widget)) != NULL)
        {
          graphene_point_t point;

          g_assert_true (gtk_widget_compute_point (widget, view, &GRAPHENE_POINT_INIT (0, 0), &point));
          if (point.y < first_y)
            {
              first_y = point.y;
              first = qoima_stock_cell_get_item (QOIMA_STOCK_CELL (widget));
            }
        }
    }
  g_ptr_array_unref (stack);

  return first;
}

static int
compare_packs (QoimaStockItem *a,
               QoimaStockItem *b)
{
  return qoima_stock_item_get_packs (a) - qoima_stock_item_get_packs (b);
}

static int
compare_names (QoimaStockItem *a,
               QoimaStockItem *b)
{
  /* As GtkStringSorter compares: case folded, then collated. */
  g_autofree char *name_a = g_utf8_casefold (qoima_product_get_name (qoima_stock_item_get_product (a)), -1);
  g_autofree char *name_b = g_utf8_casefold (qoima_product_get_name (qoima_stock_item_get_product (b)), -1);

  return g_utf8_collate (name_a, name_b);
}

/* Whether @model is in @direction's order by @compare (1 ascending, -1 descending). */
static gboolean
model_is_sorted (GListModel *model,
                 GCompareFunc compare,
                 int          direction)
{
  unsigned n_items = g_list_model_get_n_items (model);

  for (unsigned i = 1; i < n_items; i++)
    {
      g_autoptr(QoimaStockItem) a = g_list_model_get_item (model, i - 1);
      g_autoptr(QoimaStockItem) b = g_list_model_get_item (model, i);

      if (compare (a, b) * direction > 0)
        return FALSE;
    }
  return TRUE;
}

typedef struct {
  GListModel  *model;
  GCompareFunc compare;
  int          direction;
} SortWait;

static gboolean
model_sorted_cb (gpointer data)
{
  SortWait *wait = data;

  return model_is_sorted (wait->model, wait->compare, wait->direction);
}

static GtkWidget *
find_column_title (GtkWidget  *widget,
                   const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_strcmp0 (G_OBJECT_TYPE_NAME (child), "GtkColumnViewTitle") == 0 &&
          GTK_IS_LABEL (gtk_widget_get_first_child (gtk_widget_get_first_child (child))) &&
          g_strcmp0 (gtk_label_get_label (GTK_LABEL (gtk_widget_get_first_child (gtk_widget_get_first_child (child)))), title) == 0)
        return child;
      if ((found = find_column_title (child, title)) != NULL)
        return found;
    }
  return NULL;
}

/* A real primary click in the middle of @widget, through the X server (Xvfb), as a
 * mouse gives it: FALSE where that cannot be done (not X11, no XTest). */
static gboolean
click_widget (GtkWidget *widget)
{
#ifdef HAVE_XTST
  GdkDisplay *display = gtk_widget_get_display (widget);
  GtkNative *native = gtk_widget_get_native (widget);
  Display *xdisplay;
  graphene_point_t point;
  double surface_x, surface_y;
  int root_x, root_y, event_base, error_base, major, minor;
  Window child;

  if (!own_display || !GDK_IS_X11_DISPLAY (display))
    return FALSE;
  xdisplay = gdk_x11_display_get_xdisplay (display);
  if (!XTestQueryExtension (xdisplay, &event_base, &error_base, &major, &minor))
    return FALSE;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                                                 gtk_widget_get_height (widget) / 2.0),
                                           &point));
  gtk_native_get_surface_transform (native, &surface_x, &surface_y);
  XTranslateCoordinates (xdisplay,
                         gdk_x11_surface_get_xid (gtk_native_get_surface (native)),
                         DefaultRootWindow (xdisplay),
                         (int) (point.x + surface_x), (int) (point.y + surface_y),
                         &root_x, &root_y, &child);
  XTestFakeMotionEvent (xdisplay, -1, root_x, root_y, CurrentTime);
  XTestFakeButtonEvent (xdisplay, 1, True, CurrentTime);
  XTestFakeButtonEvent (xdisplay, 1, False, CurrentTime);
  XFlush (xdisplay);
  return TRUE;
#else
  return FALSE;
#endif
}

typedef struct
{
  GtkWidget *view;
  gpointer item;
} FirstDrawn;

static gboolean
first_drawn_is (gpointer data)
{
  FirstDrawn *wanted = data;
  QoimaStockItem *first = first_drawn_item (wanted->view);

  if (first == wanted->item)
    return TRUE;
  /* Lines of one product (its batches) tie under a sort by name, and the view may draw
   * another of them first: the list is at its top all the same. */
  return first != NULL &&
         g_strcmp0 (qoima_product_get_name_ru (qoima_stock_item_get_product (first)),
                    qoima_product_get_name_ru (qoima_stock_item_get_product (wanted->item))) == 0;
}

/* The view scrolls once it has laid out its new lines, a frame or two later. */
static void
wait_first_drawn (GtkColumnView *view,
                  gpointer       item)
{
  FirstDrawn wanted = { GTK_WIDGET (view), item };

  qoima_test_wait_until (first_drawn_is, &wanted, 10);
}

/* Column headers sort the Stock page, each way, and the order survives a reload and a
 * search (issue 10, Stock). */
static void
test_stock_sort_headers (void)
{
  QoimaWindow *window = create_window ();
  QoimaStockPage *page = qoima_window_get_stock_page (window);
  GListModel *model = qoima_stock_page_get_model (page);
  GtkColumnView *view;
  GtkColumnViewColumn *packs_column = NULL;
  GtkColumnViewColumn *product_column = NULL;
  GListModel *columns;
  GtkWidget *title;
  g_autoptr(QoimaStockItem) largest = NULL;
  g_autoptr(QoimaStockItem) smallest = NULL;
  unsigned n_lines;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  wait_for_stock (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page-stock", NULL));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  n_lines = g_list_model_get_n_items (model);

  view = GTK_COLUMN_VIEW (find_descendant (GTK_WIDGET (page), "stock-list"));
  g_assert_true (GTK_IS_COLUMN_VIEW (view));
  columns = gtk_column_view_get_columns (view);
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 6);
  for (unsigned i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      g_assert_nonnull (gtk_column_view_column_get_sorter (column));
      if (i == 0)
        product_column = column;
      else if (i == 4)
        packs_column = column;
    }

  /* The demo lines differ in their pack counts, or sorting by them proves nothing. */
  g_assert_false (model_is_sorted (model, (GCompareFunc) compare_packs, 1) &&
                  model_is_sorted (model, (GCompareFunc) compare_packs, -1));

  gtk_column_view_sort_by_column (view, packs_column, GTK_SORT_ASCENDING);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_lines);
  g_assert_true (model_is_sorted (model, (GCompareFunc) compare_packs, 1));
  smallest = g_list_model_get_item (model, 0);
  wait_first_drawn (view, smallest);

  gtk_column_view_sort_by_column (view, packs_column, GTK_SORT_DESCENDING);
  g_assert_true (model_is_sorted (model, (GCompareFunc) compare_packs, -1));
  largest = g_list_model_get_item (model, 0);
  g_assert_cmpint (qoima_stock_item_get_packs (largest), >, qoima_stock_item_get_packs (smallest));
  wait_first_drawn (view, largest);

  /* A reload brings new items, sorted as chosen. */
  qoima_stock_page_reload (page);
  wait_for_stock (window);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_lines);
  g_assert_true (model_is_sorted (model, (GCompareFunc) compare_packs, -1));

  /* A search keeps the order among the lines it finds. */
  {
    g_autoptr(QoimaStockItem) line = g_list_model_get_item (model, 0);
    const char *inn = qoima_product_get_inn (qoima_stock_item_get_product (line));
    g_autofree char *word = g_strndup (inn, strcspn (inn, " "));

    CountWait wait = { model, n_lines };

    gtk_editable_set_text (qoima_stock_page_get_search_entry (page), word);
    /* The search entry waits a moment before it searches. */
    qoima_test_wait_until (model_count_differs, &wait, 30);
    g_assert_cmpuint (g_list_model_get_n_items (model), >, 0);
    g_assert_true (model_is_sorted (model, (GCompareFunc) compare_packs, -1));
    gtk_editable_set_text (qoima_stock_page_get_search_entry (page), "");
    wait_for_count (model, n_lines);
  }

  /* The product header clicked as a person does: by name, then the other way. */
  title = find_column_title (GTK_WIDGET (view), gtk_column_view_column_get_title (product_column));
  g_assert_nonnull (title);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  if (click_widget (title))
    {
      SortWait ascending = { model, (GCompareFunc) compare_names, 1 };
      SortWait descending = { model, (GCompareFunc) compare_names, -1 };

      qoima_test_wait_until (model_sorted_cb, &ascending, 30);
      g_assert_false (model_is_sorted (model, (GCompareFunc) compare_names, -1));
      /* A second click, not a double click. */
      {
        gboolean waited = FALSE;

        g_timeout_add_once (1000, set_flag_cb, &waited);
        qoima_test_wait_until (qoima_test_flag_is_set, &waited, 30);
      }
      g_assert_true (click_widget (title));
      qoima_test_wait_until (model_sorted_cb, &descending, 30);
      g_assert_false (model_is_sorted (model, (GCompareFunc) compare_names, 1));
    }
  else
    {
      g_test_message ("No display of its own with XTest: the header is sorted through the view");
      gtk_column_view_sort_by_column (view, product_column, GTK_SORT_ASCENDING);
      g_assert_true (model_is_sorted (model, (GCompareFunc) compare_names, 1));
      gtk_column_view_sort_by_column (view, product_column, GTK_SORT_DESCENDING);
      g_assert_true (model_is_sorted (model, (GCompareFunc) compare_names, -1));
    }
  {
    g_autoptr(QoimaStockItem) line = g_list_model_get_item (model, 0);

    wait_first_drawn (view, line);
  }
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-stock-sorted.png");

  destroy_window (window);
}

/* What the Stock page's model was told while it filled. */
typedef struct {
  unsigned n_items;       /* as the last change left it */
  unsigned n_changes;
  unsigned first_added;
  gboolean only_appended;
} FillSteps;

static void
fill_changed_cb (GListModel *model,
                 guint       position,
                 guint       removed,
                 guint       added,
                 FillSteps  *steps)
{
  if (steps->n_changes == 0)
    steps->first_added = added;
  if (position != steps->n_items || removed != 0)
    steps->only_appended = FALSE;
  steps->n_changes++;
  steps->n_items = g_list_model_get_n_items (model);
}

static gboolean
line_holds_pack (QoimaStockItem *line,
                 QoimaPack      *pack)
{
  return g_strcmp0 (qoima_product_get_gtin (qoima_stock_item_get_product (line)),
                    qoima_product_get_gtin (qoima_pack_get_product (pack))) == 0 &&
         qoima_location_get_id (qoima_stock_item_get_location (line)) ==
           qoima_location_get_id (qoima_pack_get_location (pack)) &&
         g_strcmp0 (qoima_stock_item_get_batch (line), qoima_pack_get_batch (pack)) == 0 &&
         g_strcmp0 (qoima_stock_item_get_expiry (line), qoima_pack_get_expiry (pack)) == 0;
}

static unsigned
find_pack_line (GListModel *model,
                QoimaPack  *pack)
{
  for (unsigned i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(QoimaStockItem) line = g_list_model_get_item (model, i);

      if (line_holds_pack (line, pack))
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static int
compare_packs_descending (gconstpointer a,
                          gconstpointer b)
{
  return compare_packs (*(QoimaStockItem **) b, *(QoimaStockItem **) a);
}

/* A clerk's window whose Stock page is sorted by packs, most first, before its lines come. */
static QoimaWindow *
create_window_sorted_by_packs (GtkColumnView **view_out)
{
  QoimaWindow *window = create_window ();
  QoimaStockPage *page = qoima_window_get_stock_page (window);
  GtkColumnView *view = GTK_COLUMN_VIEW (find_descendant (GTK_WIDGET (page), "stock-list"));
  g_autoptr(GtkColumnViewColumn) packs_column = NULL;

  g_assert_true (GTK_IS_COLUMN_VIEW (view));
  g_assert_true (qoima_stock_page_get_loading (page) ||
                 g_list_model_get_n_items (qoima_stock_page_get_model (page)) == 0);
  packs_column = g_list_model_get_item (gtk_column_view_get_columns (view), 4);
  gtk_column_view_sort_by_column (view, packs_column, GTK_SORT_DESCENDING);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page-stock", NULL));
  *view_out = view;
  return window;
}

typedef struct {
  GtkWidget        *view;
  GtkSingleSelection *selection;
} SelectedWait;

/* Whether the selected line's row is in sight in the view: scrolled to. */
static gboolean
selected_is_drawn (gpointer data)
{
  SelectedWait *wait = data;
  gpointer selected = gtk_single_selection_get_selected_item (wait->selection);
  GPtrArray *stack = g_ptr_array_new ();
  gboolean drawn = FALSE;

  g_ptr_array_add (stack, wait->view);
  while (stack->len > 0 && selected != NULL && !drawn)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);

      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (stack, child);

      if (QOIMA_IS_STOCK_CELL (widget) && gtk_widget_get_mapped (widget) &&
          qoima_stock_cell_get_item (QOIMA_STOCK_CELL (widget)) == selected)
        {
          graphene_point_t point;

          drawn = gtk_widget_compute_point (widget, wait->view, &GRAPHENE_POINT_INIT (0, 0), &point) &&
                  point.y >= 0 && point.y < gtk_widget_get_height (wait->view);
        }
    }
  g_ptr_array_unref (stack);

  return drawn;
}

static gboolean
stock_has_rows (gpointer data)
{
  return g_list_model_get_n_items (qoima_stock_page_get_model (data)) > 0;
}

/* The Stock page shows a screenful of lines first and the rest on later frames (issue 10):
 * each step adds lines after those shown, in the order chosen, and once the page is no
 * longer loading every line is there. A scan whose line has not come yet still finds and
 * selects it. */
static void
test_stock_fill (void)
{
  g_autoptr(GListModel) stock = qoima_test_list_stock (store);
  g_autoptr(GListModel) packs = qoima_test_list_packs (store);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(QoimaPack) late_pack = NULL;
  unsigned n_lines = g_list_model_get_n_items (stock);
  unsigned late_line = 0;
  FillSteps steps = { 0, 0, 0, TRUE };
  QoimaStockPage *page;
  GListModel *model;
  GtkColumnView *view;
  QoimaWindow *window;
  gulong handler;

  /* The order the page should reach: by packs, most first; ties keep the store's order. */
  for (unsigned i = 0; i < n_lines; i++)
    g_ptr_array_add (expected, g_list_model_get_item (stock, i));
  g_ptr_array_sort (expected, compare_packs_descending);

  window = create_window_sorted_by_packs (&view);
  page = qoima_window_get_stock_page (window);
  model = qoima_stock_page_get_model (page);
  handler = g_signal_connect (model, "items-changed", G_CALLBACK (fill_changed_cb), &steps);
  wait_for_stock (window);
  g_signal_handler_disconnect (model, handler);

  /* In steps, the first of them a screenful, each after the lines before. */
  g_assert_cmpuint (steps.n_changes, >, 1);
  g_assert_cmpuint (steps.first_added, >, 0);
  g_assert_cmpuint (steps.first_added, <, n_lines);
  g_assert_true (steps.only_appended);

  /* All of them, in the chosen order. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_lines);
  g_assert_true (model_is_sorted (model, (GCompareFunc) compare_packs, -1));
  for (unsigned i = 0; i < n_lines; i++)
    {
      g_autoptr(QoimaStockItem) line = g_list_model_get_item (model, i);
      QoimaStockItem *wanted = g_ptr_array_index (expected, i);

      g_assert_cmpstr (qoima_product_get_gtin (qoima_stock_item_get_product (line)), ==,
                       qoima_product_get_gtin (qoima_stock_item_get_product (wanted)));
      g_assert_cmpstr (qoima_stock_item_get_batch (line), ==, qoima_stock_item_get_batch (wanted));
      g_assert_cmpint (qoima_location_get_id (qoima_stock_item_get_location (line)), ==,
                       qoima_location_get_id (qoima_stock_item_get_location (wanted)));
    }

  /* A reload that finds the same lines (as when another workstation changed something
   * else) leaves the list as it is: no line taken out and put back, no row made again. */
  steps = (FillSteps) { n_lines, 0, 0, TRUE };
  handler = g_signal_connect (model, "items-changed", G_CALLBACK (fill_changed_cb), &steps);
  qoima_stock_page_reload (page);
  g_assert_true (qoima_stock_page_get_loading (page));
  wait_for_stock (window);
  g_signal_handler_disconnect (model, handler);
  g_assert_cmpuint (steps.n_changes, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_lines);
  destroy_window (window);

  /* The pack whose line comes last. */
  for (unsigned i = 0; i < g_list_model_get_n_items (packs); i++)
    {
      g_autoptr(QoimaPack) pack = g_list_model_get_item (packs, i);
      QoimaPackStatus status = qoima_pack_get_status (pack);

      if ((status == QOIMA_PACK_STATUS_IN_STOCK || status == QOIMA_PACK_STATUS_OPENED) &&
          qoima_pack_get_km (pack) != NULL)
        {
          for (unsigned j = late_line; j < expected->len; j++)
            {
              if (line_holds_pack (g_ptr_array_index (expected, j), pack))
                {
                  late_line = j;
                  g_set_object (&late_pack, pack);
                  break;
                }
            }
        }
    }
  g_assert_nonnull (late_pack);

  /* Asked for while only the first lines are in: the rest come at once, and its line is
   * selected. */
  window = create_window_sorted_by_packs (&view);
  page = qoima_window_get_stock_page (window);
  model = qoima_stock_page_get_model (page);
  qoima_test_wait_until (stock_has_rows, page, 30);
  g_assert_true (qoima_stock_page_get_loading (page));
  g_assert_cmpuint (find_pack_line (model, late_pack), ==, GTK_INVALID_LIST_POSITION);
  qoima_stock_page_select_pack (page, late_pack);
  g_assert_false (qoima_stock_page_get_loading (page));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_lines);
  g_assert_cmpuint (gtk_single_selection_get_selected (qoima_stock_page_get_selection (page)), ==,
                    find_pack_line (model, late_pack));
  g_assert_true (line_holds_pack (gtk_single_selection_get_selected_item (qoima_stock_page_get_selection (page)),
                                  late_pack));
  {
    SelectedWait wait = { GTK_WIDGET (view), qoima_stock_page_get_selection (page) };

    qoima_test_wait_until (selected_is_drawn, &wait, 30);
  }
  destroy_window (window);

  /* And scanned, as soon as the first lines are shown. */
  window = create_window_sorted_by_packs (&view);
  page = qoima_window_get_stock_page (window);
  model = qoima_stock_page_get_model (page);
  qoima_test_wait_until (stock_has_rows, page, 30);
  scan_and_wait (window, qoima_pack_get_km (late_pack), FALSE);
  qoima_test_wait_until (stock_is_loaded, page, 30);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_lines);
  g_assert_cmpuint (gtk_single_selection_get_selected (qoima_stock_page_get_selection (page)), !=,
                    GTK_INVALID_LIST_POSITION);
  g_assert_true (line_holds_pack (gtk_single_selection_get_selected_item (qoima_stock_page_get_selection (page)),
                                  late_pack));
  {
    SelectedWait wait = { GTK_WIDGET (view), qoima_stock_page_get_selection (page) };

    qoima_test_wait_until (selected_is_drawn, &wait, 30);
  }
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-stock-fill-scan.png");
  destroy_window (window);
}

static void
test_scan_found (void)
{
  g_autoptr(QoimaPack) pack = qoima_test_first_pack_in_stock (store);
  QoimaWindow *window = create_window ();
  QoimaScanResult *result = qoima_window_get_scan_result (window);
  QoimaStockPage *page = qoima_window_get_stock_page (window);
  const QoimaMarkingCode *code;
  g_autoptr(QoimaStockItem) selected = NULL;
  gint64 scans_before;

  wait_for_stock (window);
  scans_before = qoima_test_count_scans (db_path);

  scan_and_wait (window, qoima_pack_get_km (pack), FALSE);

  g_assert_cmpint (qoima_scan_result_get_state (result), ==, QOIMA_SCAN_RESULT_STATE_FOUND);
  code = qoima_scan_result_get_code (result);
  g_assert_nonnull (code);
  g_assert_cmpstr (code->km, ==, qoima_pack_get_km (pack));
  g_assert_cmpstr (code->ki, ==, qoima_pack_get_ki (pack));
  g_assert_nonnull (qoima_scan_result_get_pack (result));
  g_assert_cmpstr (qoima_pack_get_ki (qoima_scan_result_get_pack (result)), ==, qoima_pack_get_ki (pack));
  g_assert_cmpint (qoima_test_count_scans (db_path), ==, scans_before + 1);

  /* The stock is reloaded and the pack's line selected. */
  qoima_test_wait_until (stock_is_loaded, page, 30);
  g_assert_cmpuint (gtk_single_selection_get_selected (qoima_stock_page_get_selection (page)), !=,
                    GTK_INVALID_LIST_POSITION);
  selected = g_object_ref (gtk_single_selection_get_selected_item (qoima_stock_page_get_selection (page)));
  g_assert_cmpstr (qoima_product_get_gtin (qoima_stock_item_get_product (selected)), ==, code->gtin);
  g_assert_cmpstr (qoima_stock_item_get_batch (selected), ==, qoima_pack_get_batch (pack));

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-scan-found.png");

  /* The same pack with GS sent as F8. */
  scan_and_wait (window, qoima_pack_get_km (pack), TRUE);
  g_assert_cmpint (qoima_scan_result_get_state (result), ==, QOIMA_SCAN_RESULT_STATE_FOUND);
  g_assert_cmpstr (qoima_scan_result_get_code (result)->km, ==, qoima_pack_get_km (pack));

  gtk_widget_activate_action (GTK_WIDGET (result), "scan-result.dismiss", NULL);
  g_assert_cmpint (qoima_scan_result_get_state (result), ==, QOIMA_SCAN_RESULT_STATE_NONE);

  qoima_test_wait_until (stock_is_loaded, page, 30);
  destroy_window (window);
}

static void
test_scan_garbled (void)
{
  g_autoptr(QoimaPack) pack = qoima_test_first_pack_in_stock (store);
  g_autoptr(GString) garbled = g_string_new (qoima_pack_get_km (pack));
  QoimaWindow *window = create_window ();
  QoimaScanResult *result = qoima_window_get_scan_result (window);
  gint64 scans_before;
  char *check_digit;

  wait_for_stock (window);
  scans_before = qoima_test_count_scans (db_path);

  /* A misread GTIN check digit (the 16th character): the code cannot be trusted. */
  check_digit = garbled->str + 15;
  *check_digit = *check_digit == '9' ? '0' : *check_digit + 1;

  scan_and_wait (window, garbled->str, FALSE);

  g_assert_cmpint (qoima_scan_result_get_state (result), ==, QOIMA_SCAN_RESULT_STATE_INVALID);
  g_assert_nonnull (qoima_scan_result_get_message (result));
  g_assert_cmpstr (qoima_scan_result_get_message (result), !=, "");
  g_assert_null (qoima_scan_result_get_pack (result));
  g_assert_null (qoima_scan_result_get_code (result));

  /* Nothing was recorded: the scan log did not grow. */
  g_assert_cmpint (qoima_test_count_scans (db_path), ==, scans_before);

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-scan-garbled.png");

  destroy_window (window);
}

static void
test_scan_unknown (void)
{
  g_autofree char *km = qoima_demo_marking_code ("04870000000005", "9UnknownPack1");
  QoimaWindow *window = create_window ();
  QoimaScanResult *result = qoima_window_get_scan_result (window);

  wait_for_stock (window);

  scan_and_wait (window, km, FALSE);

  g_assert_cmpint (qoima_scan_result_get_state (result), ==, QOIMA_SCAN_RESULT_STATE_UNKNOWN);
  g_assert_cmpstr (qoima_scan_result_get_code (result)->serial, ==, "9UnknownPack1");
  g_assert_null (qoima_scan_result_get_pack (result));

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-scan-unknown.png");

  destroy_window (window);
}

static void
test_calibration (void)
{
  QoimaWindow *window = create_window ();
  QoimaScannerPage *page = qoima_window_get_scanner_page (window);
  g_autofree char *gs_via = NULL;

  wait_for_stock (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-scanner", NULL);

  g_settings_set_boolean (settings, "scanner-calibrated", FALSE);
  g_settings_set_string (settings, "scanner-gs-via", "");

  gtk_widget_activate_action (GTK_WIDGET (page), "scanner.calibrate", NULL);
  g_assert_true (qoima_scanner_page_get_calibrating (page));

  /* A scanner that sends GS as F8: the calibration code is analysed, not looked up. */
  scan_and_wait (window, qoima_calibration_code (), TRUE);

  g_assert_false (qoima_scanner_page_get_calibrating (page));
  g_assert_cmpint (qoima_scan_result_get_state (qoima_window_get_scan_result (window)), ==,
                   QOIMA_SCAN_RESULT_STATE_NONE);
  gs_via = g_settings_get_string (settings, "scanner-gs-via");
  g_assert_cmpstr (gs_via, ==, "f8");
  g_assert_true (g_settings_get_boolean (settings, "scanner-calibrated"));

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-scanner.png");

  destroy_window (window);
}

static gboolean
sign_in_is_idle (gpointer data)
{
  return !qoima_sign_in_get_busy (QOIMA_SIGN_IN (data));
}

static gboolean
somebody_signed_in (gpointer data)
{
  return qoima_context_get_user (QOIMA_CONTEXT (data)) != NULL;
}

static QoimaUser *
listed_user (QoimaSignIn *sign_in,
             const char  *name)
{
  GListModel *users = qoima_sign_in_get_users (sign_in);

  for (unsigned i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(QoimaUser) user = g_list_model_get_item (users, i);

      if (g_str_equal (qoima_user_get_name (user), name))
        return user;
    }
  return NULL;
}

/* Picks @name, types @secret and presses Enter, and waits for the store's answer. */
static void
sign_in_as (QoimaSignIn *sign_in,
            const char  *name,
            const char  *secret)
{
  QoimaUser *user = listed_user (sign_in, name);

  g_assert_nonnull (user);
  qoima_sign_in_choose_user (sign_in, user);
  g_assert_cmpstr (qoima_sign_in_get_step (sign_in), ==, "secret");
  gtk_editable_set_text (qoima_sign_in_get_secret_entry (sign_in), secret);
  g_signal_emit_by_name (qoima_sign_in_get_secret_entry (sign_in), "activate");
  g_assert_true (qoima_sign_in_get_busy (sign_in));
  qoima_test_wait_until (sign_in_is_idle, sign_in, 30);
}

/* A page is built into its place in the view stack when first shown or asked for. */
static gboolean
page_is_visible (AdwViewStack *stack,
                 GtkWidget    *page)
{
  return adw_view_stack_page_get_visible (adw_view_stack_get_page (stack, gtk_widget_get_parent (page)));
}

static void
test_sign_in (void)
{
  QoimaWindow *window = create_window_as (NULL);
  QoimaContext *context = qoima_window_get_context (window);
  QoimaSignIn *sign_in = qoima_window_get_sign_in (window);
  AdwViewStack *stack = ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (qoima_window_get_stock_page (window)),
                                                                 ADW_TYPE_VIEW_STACK));
  const QoimaDemoUser *demo;
  unsigned n_demo = 0;
  gint64 scans_before;

  /* Nobody is signed in: the users are listed, the pages are out of reach. */
  qoima_test_wait_until (sign_in_is_idle, sign_in, 30);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  demo = qoima_demo_users (&n_demo);
  g_assert_cmpuint (g_list_model_get_n_items (qoima_sign_in_get_users (sign_in)), ==, n_demo);
  for (unsigned i = 0; i < n_demo; i++)
    g_assert_nonnull (listed_user (sign_in, demo[i].name));
  g_assert_cmpstr (qoima_sign_in_get_step (sign_in), ==, "users");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (sign_in)));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (qoima_window_get_stock_page (window))));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (window), "win.switch-user", NULL) &&
                  gtk_widget_get_mapped (GTK_WIDGET (qoima_window_get_stock_page (window))));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-sign-in.png");

  /* Scans are not taken on the sign-in screen: nothing is logged. */
  {
    g_autoptr(QoimaPack) pack = qoima_test_first_pack_in_stock (store);

    scans_before = qoima_test_count_scans (db_path);
    key_time += 10000;
    qoima_test_type_into_reader (qoima_window_get_scan_reader (window), qoima_pack_get_km (pack), FALSE, &key_time, 8);
    g_assert_cmpint (qoima_test_count_scans (db_path), ==, scans_before);
  }

  /* A wrong PIN says so, clears the entry and signs nobody in. */
  sign_in_as (sign_in, "nurse", "9999");
  g_assert_null (qoima_context_get_user (context));
  g_assert_cmpstr (qoima_sign_in_get_step (sign_in), ==, "secret");
  g_assert_cmpstr (qoima_sign_in_get_message (sign_in), !=, "");
  g_assert_cmpstr (gtk_editable_get_text (qoima_sign_in_get_secret_entry (sign_in)), ==, "");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-sign-in-wrong.png");

  /* Escape goes back from the PIN to the users. */
  g_assert_true (qoima_test_activate_shortcut (GTK_WIDGET (sign_in), "Escape"));
  g_assert_cmpstr (qoima_sign_in_get_step (sign_in), ==, "users");

  /* The right PIN: the nurse's pages, the Use page first, no Acts. */
  sign_in_as (sign_in, "nurse", "4444");
  qoima_test_wait_until (somebody_signed_in, context, 30);
  g_assert_cmpstr (qoima_user_get_name (qoima_context_get_user (context)), ==, "nurse");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (sign_in)));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "use");
  g_assert_true (page_is_visible (stack, GTK_WIDGET (qoima_window_get_use_page (window))));
  g_assert_true (page_is_visible (stack, GTK_WIDGET (qoima_window_get_stock_page (window))));
  g_assert_false (page_is_visible (stack, GTK_WIDGET (qoima_window_get_acts_page (window))));

  /* Alt+1…9 number the pages the nurse sees, in the switcher's order; none for Acts. */
  {
    g_autoptr(GtkSelectionModel) pages = adw_view_stack_get_pages (stack);
    guint n = 0;

    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (pages)); i++)
      {
        g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);
        g_autofree char *accel = qoima_window_get_page_accel (window, adw_view_stack_page_get_name (page));

        if (adw_view_stack_page_get_visible (page))
          {
            g_autofree char *expected = g_strdup_printf ("<Alt>%u", ++n);

            g_assert_cmpstr (accel, ==, expected);
          }
        else
          g_assert_null (accel);
      }
    g_assert_cmpuint (n, >=, 2);
    g_assert_null (qoima_window_get_page_accel (window, "acts"));
  }

  /* Her name is in the header bar, whole, with her role under it. */
  {
    GtkLabel *name = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (window), QOIMA_TYPE_WINDOW, "user_label"));
    GtkLabel *role = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (window), QOIMA_TYPE_WINDOW, "role_label"));

    g_assert_cmpstr (gtk_label_get_text (name), ==, "Айгуль Касымова");
    g_assert_cmpstr (gtk_label_get_text (role), ==, "Nurse");
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (name)));
    g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (name)));
    qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-nurse.png");
  }

  /* A scan of hers leaves its card on screen… */
  {
    g_autoptr(QoimaPack) pack = qoima_test_first_pack_in_stock (store);

    gtk_widget_activate_action (GTK_WIDGET (window), "win.page-stock", NULL);
    scan_and_wait (window, qoima_pack_get_km (pack), FALSE);
    g_assert_cmpint (qoima_scan_result_get_state (qoima_window_get_scan_result (window)), ==,
                     QOIMA_SCAN_RESULT_STATE_FOUND);
  }

  /* Switch User (Ctrl+L) returns to the users, and signs the nurse out. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.switch-user", NULL));
  /* …which goes with her: the next user does not see it. */
  g_assert_cmpint (qoima_scan_result_get_state (qoima_window_get_scan_result (window)), ==,
                   QOIMA_SCAN_RESULT_STATE_NONE);
  g_assert_null (qoima_context_get_user (context));
  qoima_test_wait_until (sign_in_is_idle, sign_in, 30);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (sign_in)));
  g_assert_cmpstr (qoima_sign_in_get_step (sign_in), ==, "users");
  g_assert_cmpuint (g_list_model_get_n_items (qoima_sign_in_get_users (sign_in)), ==, n_demo);

  /* The clerk: stock and acts, no Use page. */
  sign_in_as (sign_in, "clerk", "2222");
  qoima_test_wait_until (somebody_signed_in, context, 30);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "stock");
  g_assert_false (page_is_visible (stack, GTK_WIDGET (qoima_window_get_use_page (window))));
  g_assert_true (page_is_visible (stack, GTK_WIDGET (qoima_window_get_acts_page (window))));
  wait_for_stock (window);
  g_assert_cmpint (qoima_scan_result_get_state (qoima_window_get_scan_result (window)), ==,
                   QOIMA_SCAN_RESULT_STATE_NONE);
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-clerk-after-nurse.png");

  destroy_window (window);
}

/* The entry rows under @widget, depth first (the order the form shows them). */
static void
collect_entry_rows (GtkWidget *widget,
                    GPtrArray *rows)
{
  if (ADW_IS_ENTRY_ROW (widget))
    {
      g_ptr_array_add (rows, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_entry_rows (child, rows);
}

static void
test_first_admin (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "empty.db", NULL);
  g_autoptr(QoimaStore) empty = qoima_test_open_demo_store (path, 0);
  g_autoptr(QoimaContext) context = qoima_context_new (empty, settings);
  QoimaWindow *window = g_object_ref (qoima_window_new (NULL, context));
  QoimaSignIn *sign_in = qoima_window_get_sign_in (window);

  /* A warehouse without users offers to create its administrator, and nothing else. */
  gtk_window_present (GTK_WINDOW (window));
  qoima_test_wait_until (sign_in_is_idle, sign_in, 30);
  g_assert_cmpstr (qoima_sign_in_get_step (sign_in), ==, "first-admin");
  g_assert_cmpuint (g_list_model_get_n_items (qoima_sign_in_get_users (sign_in)), ==, 0);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-first-admin.png");

  /* Whoever creates the administrator is signed in as that administrator. */
  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new ();
    const char *values[] = { "admin", "Асель Жумабаева", "long enough secret", "long enough secret" };

    collect_entry_rows (GTK_WIDGET (sign_in), rows);
    g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (values));
    for (unsigned i = 0; i < rows->len; i++)
      gtk_editable_set_text (GTK_EDITABLE (rows->pdata[i]), values[i]);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sign_in), "sign-in.create-admin", NULL));
    qoima_test_wait_until (somebody_signed_in, context, 30);
    g_assert_cmpstr (qoima_user_get_name (qoima_context_get_user (context)), ==, "admin");
    g_assert_cmpint (qoima_user_get_role (qoima_context_get_user (context)), ==, QOIMA_ROLE_ADMIN);
    qoima_test_wait_until (sign_in_is_idle, sign_in, 30);
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
    g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (sign_in)));
  }

  destroy_window (window);
  qoima_store_close (empty);
}

/* Issue 9: a warehouse Qoima may not write is still shown, with a bar that says no change
 * can be recorded; a writable one shows no bar. Root passes file modes: the read-only part
 * runs in a child that gave up the power to. */
typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Opened;

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Opened *opened = user_data;

  opened->result = g_object_ref (result);
  opened->done = TRUE;
}

static void
test_read_only_banner (void)
{
  g_autoptr(GError) error = NULL;
  Opened opened = { FALSE, NULL };
  QoimaWindow *window;

  if (!g_test_subprocess ())
    {
      window = create_window ();
      wait_for_stock (window);
      g_assert_false (gtk_widget_get_visible (qoima_window_get_read_only_banner (window)));
      destroy_window (window);

      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  g_assert_true (qoima_test_obey_file_modes ());
  /* Closed, the warehouse is one file again (no -wal), then made read-only. */
  qoima_store_close (store);
  g_clear_object (&store);
  g_assert_cmpint (g_chmod (db_path, 0444), ==, 0);
  qoima_store_open_async (db_path, NULL, opened_cb, &opened);
  qoima_test_wait_until (qoima_test_flag_is_set, &opened.done, 30);
  store = qoima_store_open_finish (opened.result, &error);
  g_clear_object (&opened.result);
  g_assert_no_error (error);
  g_assert_true (qoima_store_get_read_only (store));

  window = create_window ();
  wait_for_stock (window);
  g_assert_true (gtk_widget_get_visible (qoima_window_get_read_only_banner (window)));
  g_assert_true (gtk_widget_get_mapped (qoima_window_get_read_only_banner (window)));
  qoima_test_save_screenshot (GTK_WIDGET (window), "test-window-read-only.png");
  destroy_window (window);
  g_chmod (db_path, 0644);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* As main.c: with LANGUAGE=ru or kk set, the screenshots show that language. */
  qoima_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  for (int i = 1; i < argc; i++)
    own_display |= g_str_equal (argv[i], "--own-display");

  qoima_test_prepare_display ();

  tmp_dir = qoima_test_make_tmp_dir ();
  db_path = g_build_filename (tmp_dir, "qoima.db", NULL);
  store = qoima_test_open_demo_store (db_path, DEMO_PACKS);
  qoima_test_add_demo_users (store);
  settings = g_settings_new (BASE_APP_ID);

  g_test_add_func ("/ui/widgets/instantiate", test_instantiate_widgets);
  g_test_add_func ("/ui/scan-result/markup-escapes-code", test_markup_escapes_code);
  g_test_add_func ("/ui/window/error-page", test_error_page);
  g_test_add_func ("/ui/window/stock-list", test_stock_list);
  g_test_add_func ("/ui/window/stock-follows-other-workstation", test_stock_follows_other_workstation);
  g_test_add_func ("/ui/window/stock-nurse-ward-and-scroll", test_stock_nurse_ward_and_scroll);
  g_test_add_func ("/ui/window/stock-sort-headers", test_stock_sort_headers);
  g_test_add_func ("/ui/window/stock-fill", test_stock_fill);
  g_test_add_func ("/ui/window/scan-found", test_scan_found);
  g_test_add_func ("/ui/window/scan-garbled", test_scan_garbled);
  g_test_add_func ("/ui/window/scan-unknown", test_scan_unknown);
  g_test_add_func ("/ui/window/calibration", test_calibration);
  g_test_add_func ("/ui/window/sign-in", test_sign_in);
  g_test_add_func ("/ui/window/first-admin", test_first_admin);
  g_test_add_func ("/ui/window/read-only-banner", test_read_only_banner);

  ret = g_test_run ();

  g_clear_object (&settings);
  qoima_store_close (store);
  g_clear_object (&store);
  qoima_test_remove_tree (tmp_dir);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&tmp_dir, g_free);

  return ret;
}
