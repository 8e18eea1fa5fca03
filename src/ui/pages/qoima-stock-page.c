/* qoima-stock-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-stock-page"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-stock-page.h"

#include "qoima-location.h"
#include "qoima-product.h"
#include "qoima-stock-item.h"
#include "qoima-stock-cell.h"
#include "qoima-store.h"
#include "qoima-user.h"

#include <stdio.h>
#include <string.h>

struct _QoimaStockPage
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkColumnViewColumn *batch_column;
  GtkColumnView       *column_view;
  AdwStatusPage       *empty_status;
  GtkColumnViewColumn *expiry_column;
  GtkToggleButton     *expiring_button;
  GtkFilterListModel  *filter_model;
  GtkColumnViewColumn *location_column;
  GtkDropDown         *location_drop_down;
  GtkStringList       *location_names;
  GtkSearchEntry      *search_entry;
  GtkColumnViewColumn *packs_column;
  GtkColumnViewColumn *product_column;
  GtkSingleSelection  *selection;
  GtkSortListModel    *sort_model;
  GtkSpinner          *spinner;
  GtkStack            *stack;
  GtkLabel            *summary_label;
  GtkScrolledWindow   *scrolled_window;
  GtkColumnViewColumn *units_column;

  /* Owned references */
  QoimaContext        *context;
  GCancellable        *cancellable;
  GtkCustomFilter     *filter;
  GListStore          *store;        /* the sort model's model: the first n_fed of lines */
  GPtrArray           *lines;        /* every line of the last load, in the store's order */
  GArray              *location_ids;
  QoimaPack           *pending_pack;
  char                *opened_for;   /* the user whose first load chose her ward */
  gboolean             stale;        /* the warehouse changed while the page was hidden */
  guint                scroll_idle;
  unsigned             scroll_position;

  /* State: the filter's inputs, prepared once per change rather than per line. */
  char               **terms;
  gint64              location_id;
  GDate               today;
  int                 warning_days;
  int                 loads_pending;
  gint64              load_started;
  guint               expiring_only : 1;
  guint               loaded : 1;

  /* The fill: the lines go to the store a screenful first, then a few more each frame. */
  unsigned            n_fed;
  guint               fill_tick;     /* on the column view, while it is on screen */
  guint               fill_idle;     /* while it is not */
  guint               filling : 1;   /* lines wait to be fed; the page is loading */
  guint               fill_wait : 1; /* the next frame shows the last step: feed after it */
  guint               filter_stale : 1; /* a reload chose another location: no splicing */

  /* What the summary says, of all lines (not only those fed yet). */
  unsigned            n_shown;
  gint64              n_shown_packs;
};

G_DEFINE_FINAL_TYPE (QoimaStockPage, qoima_stock_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_LOADING,
  PROP_WARNING_DAYS,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  QoimaStockPage *self = user_data;
  QoimaStockItem *stock_item = item;

  if (self->location_id != 0)
    {
      QoimaLocation *location = qoima_stock_item_get_location (stock_item);

      if (location == NULL || qoima_location_get_id (location) != self->location_id)
        return FALSE;
    }

  if (self->expiring_only &&
      qoima_stock_item_days_to_expiry (stock_item, &self->today) > self->warning_days)
    return FALSE;

  if (self->terms != NULL)
    {
      const char *haystack = qoima_stock_item_get_search_text (stock_item);

      if (haystack == NULL)
        return FALSE;

      for (unsigned i = 0; self->terms[i] != NULL; i++)
        {
          if (strstr (haystack, self->terms[i]) == NULL)
            return FALSE;
        }
    }

  return TRUE;
}

static void
update_today (QoimaStockPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (&self->today, 1);
  g_date_set_dmy (&self->today,
                  g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now),
                  g_date_time_get_year (now));
}

/* The fill (issue 10). GTK 4.8's column view makes the rows of up to 200 lines
 * (GTK_LIST_VIEW_MAX_LIST_ITEMS) as soon as its model has them, and measures them all for
 * the frame that shows them: about 0.8 ms a line in a debug build, so a model handed all
 * its lines at once held the first frame with rows for some 150 ms. The store gets a
 * screenful first, then a few lines a frame until the view has made its rows; the lines
 * past those cost the view nothing but their place, and go in at once. Lines are fed in
 * the order shown (sort_lines ()), so each step only appends. */

/* Less than any row's height (px; a line's row is ~47 px, one without details ~33): the
 * first step fills the view. */
#define FILL_ROW_HEIGHT 32
#define FILL_FIRST_MIN 20
/* Lines shown a frame while the view still makes rows for them: ~15 ms of a debug build. */
#define FILL_STEP 20
#define FILL_VIEW_ROWS 200
/* Lines an idle while the list is not on screen: no frame to keep light, only the loop. */
#define FILL_IDLE_STEP 100

static void set_loading         (QoimaStockPage *self,
                                 gboolean        loading);
static void update_view         (QoimaStockPage *self);
static void select_pending_pack (QoimaStockPage *self);

/* How many lines from @from hold the next @n_shown lines the filter lets through. */
static unsigned
lines_showing (QoimaStockPage *self,
               unsigned        from,
               unsigned        n_shown)
{
  unsigned i, found = 0;

  for (i = from; i < self->lines->len && found < n_shown; i++)
    {
      if (filter_func (g_ptr_array_index (self->lines, i), self))
        found++;
    }

  return i - from;
}

static void
count_shown (QoimaStockPage *self)
{
  self->n_shown = 0;
  self->n_shown_packs = 0;

  for (unsigned i = 0; self->lines != NULL && i < self->lines->len; i++)
    {
      QoimaStockItem *item = g_ptr_array_index (self->lines, i);

      if (filter_func (item, self))
        {
          self->n_shown++;
          self->n_shown_packs += qoima_stock_item_get_packs (item);
        }
    }
}

static gboolean
sorter_is_active (QoimaStockPage *self)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);

  return sorter != NULL && gtk_sorter_get_order (sorter) != GTK_SORTER_ORDER_NONE;
}

/* In the order the view's sorter gives them, so that a fed step lands after the lines
 * before it, not among them. Sorted by a sort model as the view's is, ties and all (a tie
 * keeps the order before): it compares keys made once a line (collation keys for names),
 * where gtk_sorter_compare () makes them for each comparison, 5 times slower (~16 ms for
 * 1,000 lines by name in a debug build). */
static void
sort_lines (QoimaStockPage *self)
{
  GListStore *unsorted;
  g_autoptr(GtkSortListModel) sorted = NULL;
  gint64 start = g_get_monotonic_time ();

  if (self->lines == NULL || !sorter_is_active (self))
    return;

  unsorted = g_list_store_new (QOIMA_TYPE_STOCK_ITEM);
  g_list_store_splice (unsorted, 0, 0, self->lines->pdata, self->lines->len);
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (unsorted), g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  for (unsigned i = 0; i < self->lines->len; i++)
    {
      g_object_unref (g_ptr_array_index (self->lines, i));
      g_ptr_array_index (self->lines, i) = g_list_model_get_item (G_LIST_MODEL (sorted), i);
    }

  g_debug ("Stock sorted: %u lines in %.1f ms", self->lines->len, (g_get_monotonic_time () - start) / 1000.0);
}

static unsigned
first_step (QoimaStockPage *self)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  /* A page built at sign-in has its lines before its first layout: the window's height,
   * then, which the page's is less than. */
  if (height <= 0 && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    height = gtk_widget_get_height (GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self))));

  return height > 0 ? MAX (FILL_FIRST_MIN, height / FILL_ROW_HEIGHT + 2) : 40;
}

static unsigned
next_step (QoimaStockPage *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  unsigned shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));

  /* Scrolled down, the view makes the rows of lines around where it shows, which the
   * rest would be among. */
  if (shown < FILL_VIEW_ROWS + FILL_STEP ||
      gtk_adjustment_get_value (adjustment) > gtk_adjustment_get_lower (adjustment))
    return FILL_STEP;

  return G_MAXUINT;
}

static void
feed (QoimaStockPage *self,
      unsigned        n_lines)
{
  unsigned from = self->n_fed;

  n_lines = MIN (n_lines, self->lines->len - from);
  if (n_lines == 0)
    return;

  self->n_fed += n_lines;
  g_list_store_splice (self->store, from, 0, self->lines->pdata + from, n_lines);
}

static void
fill_stop (QoimaStockPage *self)
{
  /* The column view goes with the template, its tick callbacks with it. */
  if (self->fill_tick != 0 && self->column_view != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->column_view), self->fill_tick);
  self->fill_tick = 0;
  g_clear_handle_id (&self->fill_idle, g_source_remove);
}

static void
fill_done (QoimaStockPage *self)
{
  fill_stop (self);
  if (!self->filling)
    return;

  self->filling = FALSE;
  g_debug ("Stock list whole: %u lines, %.1f ms after the load started",
           self->lines->len, (g_get_monotonic_time () - self->load_started) / 1000.0);
  set_loading (self, FALSE);
  if (self->loads_pending == 0 && self->pending_pack != NULL)
    select_pending_pack (self);
}

/* Every line in the store now: for whatever must find a line (a scan's). */
static void
fill_finish (QoimaStockPage *self)
{
  if (!self->filling)
    return;

  feed (self, G_MAXUINT);
  fill_done (self);
}

static void fill_schedule (QoimaStockPage *self,
                           gboolean        wait_frame);

static gboolean
fill_tick_cb (GtkWidget     *widget,
              GdkFrameClock *frame_clock,
              gpointer       user_data)
{
  QoimaStockPage *self = user_data;

  if (!gtk_widget_get_mapped (widget))
    {
      self->fill_tick = 0;
      fill_schedule (self, FALSE);
      return G_SOURCE_REMOVE;
    }

  /* This frame lays out the step fed before it: the next one goes after it is drawn. */
  if (self->fill_wait)
    {
      self->fill_wait = FALSE;
      return G_SOURCE_CONTINUE;
    }

  feed (self, lines_showing (self, self->n_fed, next_step (self)));
  if (self->n_fed < self->lines->len)
    return G_SOURCE_CONTINUE;

  self->fill_tick = 0;
  fill_done (self);
  return G_SOURCE_REMOVE;
}

static gboolean
fill_idle_cb (gpointer user_data)
{
  QoimaStockPage *self = user_data;

  if (gtk_widget_get_mapped (GTK_WIDGET (self->column_view)))
    {
      self->fill_idle = 0;
      fill_schedule (self, TRUE);
      return G_SOURCE_REMOVE;
    }

  feed (self, lines_showing (self, self->n_fed, FILL_IDLE_STEP));
  if (self->n_fed < self->lines->len)
    return G_SOURCE_CONTINUE;

  self->fill_idle = 0;
  fill_done (self);
  return G_SOURCE_REMOVE;
}

/* Feeds the rest of the lines on later frames (@wait_frame: not in the very next one,
 * which shows the step just fed), or in idles while the list is not on screen. */
static void
fill_schedule (QoimaStockPage *self,
               gboolean        wait_frame)
{
  if (self->n_fed >= self->lines->len)
    {
      fill_done (self);
      return;
    }

  if (!self->filling)
    {
      self->filling = TRUE;
      set_loading (self, TRUE);
    }

  if (gtk_widget_get_mapped (GTK_WIDGET (self->column_view)))
    {
      g_clear_handle_id (&self->fill_idle, g_source_remove);
      self->fill_wait = wait_frame;
      if (self->fill_tick == 0)
        self->fill_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->column_view), fill_tick_cb, self, NULL);
    }
  else
    {
      if (self->fill_tick != 0)
        gtk_widget_remove_tick_callback (GTK_WIDGET (self->column_view), self->fill_tick);
      self->fill_tick = 0;
      if (self->fill_idle == 0)
        self->fill_idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, fill_idle_cb, self, NULL);
    }
}

/* The store from the first line again: a screenful of lines shown, the rest on later
 * frames. Whatever was being fed before is dropped. */
static void
fill_start (QoimaStockPage *self)
{
  unsigned n_old = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  unsigned n_first;

  fill_stop (self);
  n_first = lines_showing (self, 0, first_step (self));
  self->n_fed = n_first;
  g_list_store_splice (self->store, 0, n_old, self->lines->pdata, n_first);
  update_view (self);
  fill_schedule (self, TRUE);
}

static void
scroll_to_top (QoimaStockPage *self)
{
  if (self->scrolled_window != NULL)
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
    }
}

static void
refilter (QoimaStockPage *self)
{
  update_today (self);

  /* Other lines, so back to the first of them: the list would otherwise keep a scroll
   * position that belongs to the lines before. Before the filter changes, while that
   * position still has its line. */
  scroll_to_top (self);

  count_shown (self);
  /* A fill under way starts again, a screenful of what the new filter shows first. One
   * that is done refilters at once, as a search or a chosen location is expected to. */
  if (self->filling)
    fill_start (self);

  /* Also heard while the template is built, before the filter is made. */
  if (self->filter != NULL)
    {
      gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
      update_view (self);
    }
}

static gboolean
has_filters (QoimaStockPage *self)
{
  return self->terms != NULL || self->location_id != 0 || self->expiring_only;
}

static void
update_view (QoimaStockPage *self)
{
  /* Of all lines, those still to be fed too: the summary is whole from the first step. */
  unsigned n_lines = self->n_shown;
  unsigned n_all = self->lines != NULL ? self->lines->len : 0;
  g_autofree char *lines = NULL;
  g_autofree char *packs = NULL;
  g_autofree char *summary = NULL;
  gint64 n_packs = self->n_shown_packs;

  if (!self->loaded)
    {
      gtk_stack_set_visible_child_name (self->stack, "loading");
      gtk_spinner_set_spinning (self->spinner, TRUE);
      gtk_label_set_label (self->summary_label, "");
      return;
    }

  gtk_spinner_set_spinning (self->spinner, FALSE);

  lines = g_strdup_printf (ngettext ("%'u line", "%'u lines", n_lines), n_lines);
  packs = g_strdup_printf (ngettext ("%'lld pack", "%'lld packs", n_packs), (long long) n_packs);
  if (n_lines != n_all)
    /* Translators: "12 lines · 3,000 packs", with how many lines there are without filters. */
    summary = g_strdup_printf (_("%s · %s (of %'u lines)"), lines, packs, n_all);
  else
    /* Translators: "12 lines · 3,000 packs". */
    summary = g_strdup_printf (_("%s · %s"), lines, packs);
  gtk_label_set_label (self->summary_label, summary);

  if (n_lines > 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "list");
    }
  else if (n_all == 0 && !has_filters (self))
    {
      adw_status_page_set_icon_name (self->empty_status, "package-x-generic-symbolic");
      adw_status_page_set_title (self->empty_status, _("No Stock"));
      adw_status_page_set_description (self->empty_status,
                                       _("Packs appear here once they are received into the warehouse."));
      gtk_widget_set_visible (adw_status_page_get_child (self->empty_status), FALSE);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_status, "system-search-symbolic");
      adw_status_page_set_title (self->empty_status, _("No Matching Stock"));
      adw_status_page_set_description (self->empty_status,
                                       _("Try a different search or clear the filters."));
      gtk_widget_set_visible (adw_status_page_get_child (self->empty_status), TRUE);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
}

static gboolean
line_holds_pack (QoimaStockItem *item,
                 QoimaPack      *pack)
{
  QoimaProduct *item_product = qoima_stock_item_get_product (item);
  QoimaProduct *pack_product = qoima_pack_get_product (pack);
  QoimaLocation *item_location = qoima_stock_item_get_location (item);
  QoimaLocation *pack_location = qoima_pack_get_location (pack);

  if (item_product == NULL || pack_product == NULL ||
      g_strcmp0 (qoima_product_get_gtin (item_product), qoima_product_get_gtin (pack_product)) != 0)
    return FALSE;

  if (item_location == NULL || pack_location == NULL ||
      qoima_location_get_id (item_location) != qoima_location_get_id (pack_location))
    return FALSE;

  return g_strcmp0 (qoima_stock_item_get_batch (item), qoima_pack_get_batch (pack)) == 0 &&
         g_strcmp0 (qoima_stock_item_get_expiry (item), qoima_pack_get_expiry (pack)) == 0;
}

static unsigned
find_line (QoimaStockPage *self,
           QoimaPack      *pack)
{
  GListModel *model = G_LIST_MODEL (self->filter_model);
  unsigned n_items = g_list_model_get_n_items (model);

  for (unsigned i = 0; i < n_items; i++)
    {
      g_autoptr(QoimaStockItem) item = g_list_model_get_item (model, i);

      if (line_holds_pack (item, pack))
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}

/* The column view's list inside it, whose action scrolls to a line (GTK 4.8 has no
 * gtk_column_view_scroll_to ()). Done once the list has laid out the lines it was just
 * given: GTK 4.8 cannot scroll to a line it has not made yet (a reload heard from another
 * workstation can change the lines under a pending scroll). */
static gboolean
scroll_to_line_idle (gpointer data)
{
  QoimaStockPage *self = data;
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (self->column_view));
  unsigned position = self->scroll_position;

  self->scroll_idle = 0;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self->column_view)) || model == NULL ||
      position >= g_list_model_get_n_items (model))
    return G_SOURCE_REMOVE;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child))
        {
          gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
          break;
        }
    }
  return G_SOURCE_REMOVE;
}

static void
scroll_to_line (QoimaStockPage *self,
                unsigned        position)
{
  self->scroll_position = position;
  if (self->scroll_idle == 0)
    self->scroll_idle = g_idle_add_full (G_PRIORITY_LOW, scroll_to_line_idle, self, NULL);
}

static char *
line_product_name (QoimaStockItem *item)
{
  QoimaProduct *product = qoima_stock_item_get_product (item);

  return g_strdup (product != NULL ? qoima_product_get_name (product) : NULL);
}

static char *
line_location_name (QoimaStockItem *item)
{
  QoimaLocation *location = qoima_stock_item_get_location (item);

  return g_strdup (location != NULL ? qoima_location_get_name (location) : NULL);
}

/* The expiry as a number that sorts as the date does (20261204); a line without one
 * last. */
static int
line_expiry_day (QoimaStockItem *item)
{
  const char *expiry = qoima_stock_item_get_expiry (item);
  int year, month, day;

  if (expiry == NULL || sscanf (expiry, "%d-%d-%d", &year, &month, &day) != 3)
    return G_MAXINT;

  return year * 10000 + month * 100 + day;
}

static GtkExpression *
line_expression (GType        type,
                 GCallback    callback)
{
  return gtk_cclosure_expression_new (type, NULL, 0, NULL, callback, NULL, NULL);
}

static void
sort_changed_cb (QoimaStockPage *self)
{
  /* The lines still to be fed are in the old order, and would land among those shown:
   * the fill starts again in the new one. A whole list the sort model sorts itself. */
  if (self->filling)
    {
      sort_lines (self);
      fill_start (self);
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) > 0)
    scroll_to_line (self, 0);
}

/* Names sort as words do in the user's language (GtkStringSorter collates with
 * g_utf8_collate_key ()), dates and counts as numbers. The view's sorter, which the
 * clicked header sets, sorts the stock before the filter. */
static void
setup_sorters (QoimaStockPage *self)
{
  const struct {
    GtkColumnViewColumn *column;
    GtkSorter           *sorter;
  } sorters[] = {
    { self->product_column,
      GTK_SORTER (gtk_string_sorter_new (line_expression (G_TYPE_STRING, G_CALLBACK (line_product_name)))) },
    { self->batch_column,
      GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (QOIMA_TYPE_STOCK_ITEM, NULL, "batch"))) },
    { self->expiry_column,
      GTK_SORTER (gtk_numeric_sorter_new (line_expression (G_TYPE_INT, G_CALLBACK (line_expiry_day)))) },
    { self->location_column,
      GTK_SORTER (gtk_string_sorter_new (line_expression (G_TYPE_STRING, G_CALLBACK (line_location_name)))) },
    { self->packs_column,
      GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (QOIMA_TYPE_STOCK_ITEM, NULL, "packs"))) },
    { self->units_column,
      GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (QOIMA_TYPE_STOCK_ITEM, NULL, "units"))) },
  };

  for (unsigned i = 0; i < G_N_ELEMENTS (sorters); i++)
    {
      gtk_column_view_column_set_sorter (sorters[i].column, sorters[i].sorter);
      g_object_unref (sorters[i].sorter);
    }

  gtk_sort_list_model_set_sorter (self->sort_model, gtk_column_view_get_sorter (self->column_view));

  /* A new order starts at its first line; the list would otherwise follow the line that
   * was at the top to wherever the sort put it. After the sort model's own handler. */
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view),
                           "changed",
                           G_CALLBACK (sort_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  column)
{
  gtk_list_item_set_child (list_item, qoima_stock_cell_new (GPOINTER_TO_INT (column)));
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item)
{
  qoima_stock_cell_set_item (QOIMA_STOCK_CELL (gtk_list_item_get_child (list_item)),
                             gtk_list_item_get_item (list_item));
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item)
{
  qoima_stock_cell_set_item (QOIMA_STOCK_CELL (gtk_list_item_get_child (list_item)), NULL);
}

/* The cells are made in C rather than by a GtkBuilderListItemFactory, which parses its
 * XML and binds an expression for each of the ~1,200 cells GTK 4.8 makes before the
 * first rows are drawn (issue 10). */
static void
setup_factories (QoimaStockPage *self)
{
  const struct {
    GtkColumnViewColumn *column;
    QoimaStockColumn     kind;
  } columns[] = {
    { self->product_column, QOIMA_STOCK_COLUMN_PRODUCT },
    { self->batch_column, QOIMA_STOCK_COLUMN_BATCH },
    { self->expiry_column, QOIMA_STOCK_COLUMN_EXPIRY },
    { self->location_column, QOIMA_STOCK_COLUMN_LOCATION },
    { self->packs_column, QOIMA_STOCK_COLUMN_PACKS },
    { self->units_column, QOIMA_STOCK_COLUMN_UNITS },
  };

  for (unsigned i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GINT_TO_POINTER (columns[i].kind));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), NULL);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), NULL);
      gtk_column_view_column_set_factory (columns[i].column, factory);
    }
}

static void
clear_filters (QoimaStockPage *self)
{
  /* Each setter below refilters through its signal handler. */
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_clear_pointer (&self->terms, g_strfreev);
  gtk_drop_down_set_selected (self->location_drop_down, 0);
  gtk_toggle_button_set_active (self->expiring_button, FALSE);
  self->location_id = 0;
  self->expiring_only = FALSE;
  refilter (self);
}

static void
select_pending_pack (QoimaStockPage *self)
{
  g_autoptr(QoimaPack) pack = g_steal_pointer (&self->pending_pack);
  unsigned position;

  if (pack == NULL)
    return;

  /* The pack's line may not be fed yet. */
  fill_finish (self);
  position = find_line (self, pack);
  if (position == GTK_INVALID_LIST_POSITION && has_filters (self))
    {
      clear_filters (self);
      position = find_line (self, pack);
    }

  /* A pack no longer in stock (used up, withdrawn) has no line: select nothing. */
  gtk_single_selection_set_selected (self->selection, position);
  if (position != GTK_INVALID_LIST_POSITION)
    scroll_to_line (self, position);
}

static void
set_loading (QoimaStockPage *self,
             gboolean        loading)
{
  gboolean was_loading = self->loads_pending > 0;

  self->loads_pending += loading ? 1 : -1;
  g_assert (self->loads_pending >= 0);

  if (was_loading != (self->loads_pending > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* A long ward name is ellipsized in the button: the tooltip has it whole. */
static void
update_location_tooltip (QoimaStockPage *self)
{
  GtkStringObject *name = gtk_drop_down_get_selected_item (self->location_drop_down);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->location_drop_down),
                               name != NULL && self->location_id != 0 ? gtk_string_object_get_string (name)
                                                                      : _("Location"));
}

static void
location_selected_cb (QoimaStockPage *self,
                      GParamSpec     *pspec,
                      GtkDropDown    *drop_down)
{
  unsigned selected = gtk_drop_down_get_selected (drop_down);

  g_assert (QOIMA_IS_STOCK_PAGE (self));

  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->location_ids->len)
    self->location_id = 0;
  else
    self->location_id = g_array_index (self->location_ids, gint64, selected);

  update_location_tooltip (self);
  refilter (self);
}

static void
list_locations_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(QoimaStockPage) self = user_data;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) names = NULL;
  gint64 selected_id = self->location_id;
  unsigned selected = 0;
  unsigned n_items;

  locations = qoima_store_list_locations_finish (QOIMA_STORE (object), result, &local_error);
  if (locations == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not list locations: %s", local_error->message);
      set_loading (self, FALSE);
      return;
    }

  n_items = g_list_model_get_n_items (locations);
  names = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (names, g_strdup (_("All Locations")));
  g_array_set_size (self->location_ids, 1);

  for (unsigned i = 0; i < n_items; i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);
      gint64 id = qoima_location_get_id (location);

      g_ptr_array_add (names, g_strdup (qoima_location_get_name (location)));
      g_array_append_val (self->location_ids, id);
      if (id == selected_id)
        selected = i + 1;
    }
  g_ptr_array_add (names, NULL);

  /* Rebuilding the list resets the choice; block the handler so that the filter only
   * changes if the chosen location is gone. */
  g_signal_handlers_block_by_func (self->location_drop_down, location_selected_cb, self);
  gtk_string_list_splice (self->location_names,
                          0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->location_names)),
                          (const char * const *) names->pdata);
  gtk_drop_down_set_selected (self->location_drop_down, selected);
  g_signal_handlers_unblock_by_func (self->location_drop_down, location_selected_cb, self);

  update_location_tooltip (self);
  if (selected == 0 && self->location_id != 0)
    {
      self->location_id = 0;
      refilter (self);
    }

  set_loading (self, FALSE);
  /* A scan that came after the lines, while the locations were still loading. */
  if (self->loads_pending == 0 && self->loaded && self->pending_pack != NULL)
    select_pending_pack (self);
}

/* What makes a line one line: its product, location, batch and expiry. */
static char *
line_key (QoimaStockItem *item)
{
  QoimaProduct *product = qoima_stock_item_get_product (item);
  QoimaLocation *location = qoima_stock_item_get_location (item);

  return g_strdup_printf ("%s\x1f%" G_GINT64_FORMAT "\x1f%s\x1f%s",
                          product != NULL ? qoima_product_get_gtin (product) : "",
                          location != NULL ? qoima_location_get_id (location) : 0,
                          qoima_stock_item_get_batch (item) != NULL ? qoima_stock_item_get_batch (item) : "",
                          qoima_stock_item_get_expiry (item) != NULL ? qoima_stock_item_get_expiry (item) : "");
}

/* Whether a row would show @a and @b (the same line) alike. */
static gboolean
line_reads_the_same (QoimaStockItem *a,
                     QoimaStockItem *b)
{
  QoimaProduct *product_a = qoima_stock_item_get_product (a);
  QoimaProduct *product_b = qoima_stock_item_get_product (b);
  QoimaLocation *location_a = qoima_stock_item_get_location (a);
  QoimaLocation *location_b = qoima_stock_item_get_location (b);

  if (qoima_stock_item_get_packs (a) != qoima_stock_item_get_packs (b) ||
      qoima_stock_item_get_units (a) != qoima_stock_item_get_units (b) ||
      qoima_stock_item_get_opened (a) != qoima_stock_item_get_opened (b) ||
      g_strcmp0 (qoima_stock_item_get_search_text (a), qoima_stock_item_get_search_text (b)) != 0)
    return FALSE;

  if ((product_a == NULL) != (product_b == NULL) ||
      (product_a != NULL &&
       (g_strcmp0 (qoima_product_get_name (product_a), qoima_product_get_name (product_b)) != 0 ||
        g_strcmp0 (qoima_product_get_inn (product_a), qoima_product_get_inn (product_b)) != 0 ||
        g_strcmp0 (qoima_product_get_dosage (product_a), qoima_product_get_dosage (product_b)) != 0)))
    return FALSE;

  return (location_a == NULL) == (location_b == NULL) &&
         (location_a == NULL ||
          g_strcmp0 (qoima_location_get_name (location_a), qoima_location_get_name (location_b)) == 0);
}

static GHashTable *
count_keys (GPtrArray *keys)
{
  GHashTable *counts = g_hash_table_new (g_str_hash, g_str_equal);

  for (unsigned i = 0; i < keys->len; i++)
    {
      gpointer key = g_ptr_array_index (keys, i);

      g_hash_table_insert (counts, key, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) + 1));
    }
  return counts;
}

static gboolean
take_key (GHashTable *counts,
          const char *key)
{
  unsigned count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));

  if (count == 0)
    return FALSE;
  g_hash_table_insert (counts, (gpointer) key, GUINT_TO_POINTER (count - 1));
  return TRUE;
}

static gboolean
has_key (GHashTable *counts,
         const char *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) > 0;
}

typedef struct {
  unsigned position;  /* in the store as it is when the splice comes */
  unsigned removed;
  unsigned added;     /* taken from the new lines at position */
} Splice;

/* More runs of changed lines than this, and the store is replaced in one splice. */
#define MAX_SPLICES 64

/* A reload of a whole list: @lines (transfer full) replace the store's with a splice for
 * each run of lines that changed, the others kept, so that the rows of lines that did not
 * change stay as they are (no flicker, the scroll and the selection kept: a change heard
 * from another workstation is often one line). */
static void
update_lines (QoimaStockPage *self,
              GPtrArray      *lines)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->lines);
  g_autoptr(GPtrArray) new = lines;
  g_autoptr(GPtrArray) old_keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) new_keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) result = g_ptr_array_new_full (new->len, g_object_unref);
  g_autoptr(GArray) splices = g_array_new (FALSE, FALSE, sizeof (Splice));
  g_autoptr(GHashTable) old_left = NULL;
  g_autoptr(GHashTable) new_left = NULL;
  Splice run = { 0, 0, 0 };
  unsigned i = 0, j = 0;

  for (unsigned k = 0; k < old->len; k++)
    g_ptr_array_add (old_keys, line_key (g_ptr_array_index (old, k)));
  for (unsigned k = 0; k < new->len; k++)
    g_ptr_array_add (new_keys, line_key (g_ptr_array_index (new, k)));

  /* Sorted by a column, the lines are in the order of the store as it was, which the sort
   * model shows in the column's order: those kept where they were, new ones after them.
   * Unsorted, the store's order is the one shown, the store's query order. */
  if (sorter_is_active (self))
    {
      g_autoptr(GHashTable) positions = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GPtrArray) arranged = g_ptr_array_new_full (new->len, g_object_unref);
      g_autoptr(GPtrArray) arranged_keys = g_ptr_array_new_full (new->len, g_free);
      g_autofree gboolean *taken = g_new0 (gboolean, new->len);

      for (unsigned k = new->len; k-- > 0;)
        g_hash_table_insert (positions, g_ptr_array_index (new_keys, k), GUINT_TO_POINTER (k + 1));
      for (unsigned k = 0; k < old->len; k++)
        {
          unsigned position = GPOINTER_TO_UINT (g_hash_table_lookup (positions, g_ptr_array_index (old_keys, k)));

          if (position != 0 && !taken[position - 1])
            {
              taken[position - 1] = TRUE;
              g_ptr_array_add (arranged, g_object_ref (g_ptr_array_index (new, position - 1)));
              g_ptr_array_add (arranged_keys, g_strdup (g_ptr_array_index (new_keys, position - 1)));
            }
        }
      for (unsigned k = 0; k < new->len; k++)
        {
          if (!taken[k])
            {
              g_ptr_array_add (arranged, g_object_ref (g_ptr_array_index (new, k)));
              g_ptr_array_add (arranged_keys, g_strdup (g_ptr_array_index (new_keys, k)));
            }
        }
      g_ptr_array_unref (new);
      new = g_steal_pointer (&arranged);
      g_ptr_array_unref (new_keys);
      new_keys = g_steal_pointer (&arranged_keys);
    }

  /* One walk through both: a line in both is kept (or replaced where it reads otherwise),
   * one gone is removed, one new inserted; a line that moved is removed and inserted. */
  old_left = count_keys (old_keys);
  new_left = count_keys (new_keys);
  while (i < old->len || j < new->len)
    {
      const char *old_key = i < old->len ? g_ptr_array_index (old_keys, i) : NULL;
      const char *new_key = j < new->len ? g_ptr_array_index (new_keys, j) : NULL;

      if (old_key != NULL && new_key != NULL && g_str_equal (old_key, new_key))
        {
          QoimaStockItem *old_line = g_ptr_array_index (old, i);
          QoimaStockItem *new_line = g_ptr_array_index (new, j);

          take_key (old_left, old_key);
          take_key (new_left, new_key);
          i++, j++;
          if (line_reads_the_same (old_line, new_line))
            {
              if (run.removed > 0 || run.added > 0)
                g_array_append_val (splices, run);
              run = (Splice) { result->len + 1, 0, 0 };
              g_ptr_array_add (result, g_object_ref (old_line));
              continue;
            }
          run.removed++;
          run.added++;
          g_ptr_array_add (result, g_object_ref (new_line));
        }
      else if (old_key != NULL && (new_key == NULL || !has_key (new_left, old_key) || has_key (old_left, new_key)))
        {
          /* Gone, or moved (the new line's own line is further on: this one goes now). */
          take_key (old_left, old_key);
          run.removed++;
          i++;
        }
      else
        {
          take_key (new_left, new_key);
          run.added++;
          g_ptr_array_add (result, g_object_ref (g_ptr_array_index (new, j)));
          j++;
        }
    }
  if (run.removed > 0 || run.added > 0)
    g_array_append_val (splices, run);

  self->lines = g_steal_pointer (&result);
  if (splices->len > MAX_SPLICES)
    {
      g_list_store_splice (self->store, 0, old->len, self->lines->pdata, self->lines->len);
    }
  else
    {
      for (unsigned k = 0; k < splices->len; k++)
        {
          Splice *splice = &g_array_index (splices, Splice, k);

          g_list_store_splice (self->store, splice->position, splice->removed,
                               self->lines->pdata + splice->position, splice->added);
        }
    }
  self->n_fed = self->lines->len;

  g_debug ("Stock reloaded in place: %u lines, %u splices", self->lines->len, splices->len);
}

/* A reload while the lines are being fed: @lines (transfer full) take the place of the
 * old ones, and the fill goes on with them. The lines shown that read the same stay, so
 * that a change heard from another workstation does not take the list back to its first
 * screenful; from the first that differs, the new ones replace them. */
static void
refill (QoimaStockPage *self,
        GPtrArray      *lines)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->lines);
  unsigned kept = 0, shown = 0, wanted = first_step (self), n_added;

  self->lines = lines;
  sort_lines (self);
  for (; kept < self->n_fed && kept < lines->len; kept++)
    {
      QoimaStockItem *old_line = g_ptr_array_index (old, kept);
      QoimaStockItem *new_line = g_ptr_array_index (lines, kept);
      g_autofree char *old_key = line_key (old_line);
      g_autofree char *new_key = line_key (new_line);

      if (!g_str_equal (old_key, new_key) || !line_reads_the_same (old_line, new_line))
        break;
      g_ptr_array_index (lines, kept) = g_object_ref (old_line);
      g_object_unref (new_line);
      if (filter_func (old_line, self))
        shown++;
    }

  /* The lines after those kept: at least a screenful shown, in one change. */
  n_added = shown < wanted ? lines_showing (self, kept, wanted - shown) : 0;
  if (self->n_fed > kept || n_added > 0)
    g_list_store_splice (self->store, kept, self->n_fed - kept, lines->pdata + kept, n_added);
  self->n_fed = kept + n_added;

  g_debug ("Stock reloaded while it filled: %u lines, %u of them kept", lines->len, kept);
  count_shown (self);
  update_view (self);
  fill_schedule (self, n_added > 0 || kept < old->len);
}

static void
list_stock_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(QoimaStockPage) self = user_data;
  g_autoptr(GListModel) stock = NULL;
  g_autoptr(GError) local_error = NULL;

  stock = qoima_store_list_stock_finish (QOIMA_STORE (object), result, &local_error);
  if (stock == NULL)
    {
      /* A server that cannot be reached is said by the window's bar, and the store's
       * change once it is back reloads the list: neither a warning nor a toast. */
      if (g_error_matches (local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONNECTION_LOST))
        g_debug ("Could not list the stock: %s", local_error->message);
      else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Could not list the stock: %s", local_error->message);
          gtk_widget_activate_action (GTK_WIDGET (self), "win.add-toast", "s", local_error->message);
        }
      set_loading (self, FALSE);
      return;
    }

  {
    unsigned n_lines = g_list_model_get_n_items (stock);
    GPtrArray *lines = g_ptr_array_new_full (n_lines, g_object_unref);
    GDate last_today = self->today;

    for (unsigned i = 0; i < n_lines; i++)
      g_ptr_array_add (lines, g_list_model_get_item (stock, i));

    update_today (self);
    /* A whole list takes the changes in place: a change heard from another workstation
     * does not start it again from its first line. The first load, one under way, an
     * empty list or one that grows by more than a screenful, and a new user's location
     * (or a new day's "expiring soon"), are fed afresh. */
    if (self->loaded && !self->filling && !self->filter_stale && self->lines != NULL &&
        self->lines->len > 0 && n_lines <= self->lines->len + first_step (self) &&
        (!self->expiring_only || g_date_compare (&last_today, &self->today) == 0))
      {
        update_lines (self, lines);
        count_shown (self);
        update_view (self);
      }
    else if (self->filling && !self->filter_stale)
      {
        refill (self, lines);
      }
    else
      {
        g_clear_pointer (&self->lines, g_ptr_array_unref);
        self->lines = lines;
        /* The new lines are sorted by the column the user chose, which a reload keeps. */
        sort_lines (self);
        self->loaded = TRUE;
        self->filter_stale = FALSE;
        count_shown (self);
        scroll_to_top (self);
        fill_start (self);
      }
  }

  g_debug ("Stock loaded: %u lines in %.1f ms",
           self->lines->len,
           (g_get_monotonic_time () - self->load_started) / 1000.0);

  /* A scan waiting for its line has it at once, not after the fill. */
  if (self->pending_pack != NULL)
    select_pending_pack (self);

  set_loading (self, FALSE);
}

static void
search_changed_cb (QoimaStockPage *self,
                   GtkSearchEntry *entry)
{
  g_autofree char *lower = NULL;
  const char *text;

  g_assert (QOIMA_IS_STOCK_PAGE (self));

  text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_clear_pointer (&self->terms, g_strfreev);

  /* Every word must match, in any order: "парацетамол 500" finds the 500 mg lines. The
   * items' search text is lower-cased already. */
  lower = g_utf8_strdown (text, -1);
  g_strstrip (lower);
  if (lower[0] != '\0')
    {
      g_auto(GStrv) words = g_strsplit_set (lower, " \t", -1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (unsigned i = 0; words[i] != NULL; i++)
        {
          if (words[i][0] != '\0')
            g_strv_builder_add (builder, words[i]);
        }
      self->terms = g_strv_builder_end (builder);
    }

  refilter (self);
}

static void
expiring_toggled_cb (QoimaStockPage  *self,
                     GtkToggleButton *button)
{
  g_assert (QOIMA_IS_STOCK_PAGE (self));

  self->expiring_only = gtk_toggle_button_get_active (button);
  refilter (self);
}

static void
filter_items_changed_cb (QoimaStockPage *self,
                         unsigned        position,
                         unsigned        removed,
                         unsigned        added,
                         GListModel     *model)
{
  g_assert (QOIMA_IS_STOCK_PAGE (self));

  update_view (self);
}

static void
warning_days_changed_cb (QoimaStockPage *self,
                         const char     *key,
                         GSettings      *settings)
{
  int warning_days = (int) MIN (g_settings_get_uint (settings, "expiry-warning-days"), G_MAXINT);

  if (self->warning_days == warning_days)
    return;

  self->warning_days = warning_days;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNING_DAYS]);

  if (self->expiring_only)
    refilter (self);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  qoima_stock_page_reload (QOIMA_STOCK_PAGE (widget));
}

static void
clear_filters_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  clear_filters (QOIMA_STOCK_PAGE (widget));
}

static void
qoima_stock_page_dispose (GObject *object)
{
  QoimaStockPage *self = QOIMA_STOCK_PAGE (object);

  g_clear_handle_id (&self->scroll_idle, g_source_remove);
  fill_stop (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  g_clear_object (&self->pending_pack);
  g_clear_pointer (&self->opened_for, g_free);

  /* The sort model empties as the template goes, and would tell a half-gone page. */
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_func (self->filter_model, filter_items_changed_cb, self);
  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_func (gtk_column_view_get_sorter (self->column_view), sort_changed_cb, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_STOCK_PAGE);

  g_clear_object (&self->filter);
  g_clear_object (&self->store);
  g_clear_pointer (&self->lines, g_ptr_array_unref);

  G_OBJECT_CLASS (qoima_stock_page_parent_class)->dispose (object);
}

static void
qoima_stock_page_finalize (GObject *object)
{
  QoimaStockPage *self = QOIMA_STOCK_PAGE (object);

  g_clear_pointer (&self->terms, g_strfreev);
  g_clear_pointer (&self->location_ids, g_array_unref);

  G_OBJECT_CLASS (qoima_stock_page_parent_class)->finalize (object);
}

static void
qoima_stock_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  QoimaStockPage *self = QOIMA_STOCK_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, qoima_stock_page_get_context (self));
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, qoima_stock_page_get_loading (self));
      break;

    case PROP_WARNING_DAYS:
      g_value_set_int (value, qoima_stock_page_get_warning_days (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_stock_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  QoimaStockPage *self = QOIMA_STOCK_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      qoima_stock_page_set_context (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_stock_page_class_init (QoimaStockPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_stock_page_dispose;
  object_class->finalize = qoima_stock_page_finalize;
  object_class->get_property = qoima_stock_page_get_property;
  object_class->set_property = qoima_stock_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_WARNING_DAYS] =
    g_param_spec_int ("warning-days", NULL, NULL,
                      0, G_MAXINT, 90,
                      (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/pages/qoima-stock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, batch_column);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, empty_status);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, expiry_column);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, expiring_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, filter_model);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, location_column);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, location_drop_down);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, location_names);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, packs_column);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, product_column);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, selection);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, sort_model);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, stack);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockPage, units_column);
  gtk_widget_class_bind_template_callback (widget_class, expiring_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_items_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, location_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);

  gtk_widget_class_install_action (widget_class, "stock.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "stock.clear-filters", NULL, clear_filters_action);

  g_type_ensure (QOIMA_TYPE_STOCK_CELL);
}

static void
qoima_stock_page_init (QoimaStockPage *self)
{
  const char *all_locations[] = { _("All Locations"), NULL };
  gint64 no_location = 0;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->warning_days = 90;
  self->location_ids = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_array_append_val (self->location_ids, no_location);
  update_today (self);

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  gtk_filter_list_model_set_filter (self->filter_model, GTK_FILTER (self->filter));
  self->store = g_list_store_new (QOIMA_TYPE_STOCK_ITEM);
  gtk_sort_list_model_set_model (self->sort_model, G_LIST_MODEL (self->store));
  setup_sorters (self);
  setup_factories (self);

  gtk_string_list_splice (self->location_names, 0, 0, all_locations);
  gtk_drop_down_set_selected (self->location_drop_down, 0);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "stock.reload", FALSE);
  update_view (self);
}

QoimaContext *
qoima_stock_page_get_context (QoimaStockPage *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_PAGE (self), NULL);

  return self->context;
}

static void
store_changed_cb (QoimaStockPage *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    qoima_stock_page_reload (self);
  else
    self->stale = TRUE;
}

static void
mapped_cb (QoimaStockPage *self)
{
  if (self->stale)
    {
      self->stale = FALSE;
      qoima_stock_page_reload (self);
    }
}

void
qoima_stock_page_set_context (QoimaStockPage *self,
                              QoimaContext   *context)
{
  g_return_if_fail (QOIMA_IS_STOCK_PAGE (self));
  g_return_if_fail (context == NULL || QOIMA_IS_CONTEXT (context));
  g_return_if_fail (self->context == NULL || self->context == context);

  if (self->context == context)
    return;

  self->context = g_object_ref (context);

  g_signal_connect_object (qoima_context_get_settings (context),
                           "changed::expiry-warning-days",
                           G_CALLBACK (warning_days_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);
  warning_days_changed_cb (self, "expiry-warning-days", qoima_context_get_settings (context));

  /* Another workstation's receipt or use (or this one's from another page) shows without
   * a manual reload; a hidden page reloads when it is shown again. */
  g_signal_connect_object (qoima_context_get_store (context), "changed",
                           G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (mapped_cb), NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "stock.reload", TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT]);
}

gboolean
qoima_stock_page_get_loading (QoimaStockPage *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_PAGE (self), FALSE);

  return self->loads_pending > 0;
}

int
qoima_stock_page_get_warning_days (QoimaStockPage *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_PAGE (self), 0);

  return self->warning_days;
}

GListModel *
qoima_stock_page_get_model (QoimaStockPage *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_PAGE (self), NULL);

  return G_LIST_MODEL (self->filter_model);
}

GtkSingleSelection *
qoima_stock_page_get_selection (QoimaStockPage *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_PAGE (self), NULL);

  return self->selection;
}

GtkEditable *
qoima_stock_page_get_search_entry (QoimaStockPage *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_PAGE (self), NULL);

  return GTK_EDITABLE (self->search_entry);
}

void
qoima_stock_page_reload (QoimaStockPage *self)
{
  QoimaStore *store;

  g_return_if_fail (QOIMA_IS_STOCK_PAGE (self));

  if (self->context == NULL)
    return;

  /* A newer load makes the older one pointless. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  store = qoima_context_get_store (self->context);
  self->load_started = g_get_monotonic_time ();

  /* A nurse keeps her ward's stock: her first look after signing in is at it. Later
   * loads keep whatever location was chosen since. */
  {
    QoimaUser *user = qoima_context_get_user (self->context);
    const char *name = user != NULL ? qoima_user_get_name (user) : NULL;

    if (name != NULL && g_strcmp0 (name, self->opened_for) != 0)
      {
        g_free (self->opened_for);
        self->opened_for = g_strdup (name);
        gint64 location_id = qoima_user_get_role (user) == QOIMA_ROLE_NURSE ? qoima_user_get_ward_id (user) : 0;

        /* The filter is told with the new lines (list_stock_cb ()). */
        if (location_id != self->location_id)
          {
            self->location_id = location_id;
            self->filter_stale = TRUE;
          }
      }
  }

  set_loading (self, TRUE);
  qoima_store_list_locations_async (store, self->cancellable, list_locations_cb, g_object_ref (self));
  set_loading (self, TRUE);
  qoima_store_list_stock_async (store, self->cancellable, list_stock_cb, g_object_ref (self));

  update_view (self);
}

void
qoima_stock_page_focus_search (QoimaStockPage *self)
{
  g_return_if_fail (QOIMA_IS_STOCK_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

void
qoima_stock_page_set_location_id (QoimaStockPage *self,
                                  gint64          location_id)
{
  g_return_if_fail (QOIMA_IS_STOCK_PAGE (self));

  for (unsigned i = 0; i < self->location_ids->len; i++)
    {
      if (g_array_index (self->location_ids, gint64, i) == location_id)
        {
          gtk_drop_down_set_selected (self->location_drop_down, i);
          return;
        }
    }

  g_warning ("No location %" G_GINT64_FORMAT " to filter on", location_id);
}

void
qoima_stock_page_set_expiring_only (QoimaStockPage *self,
                                    gboolean        expiring_only)
{
  g_return_if_fail (QOIMA_IS_STOCK_PAGE (self));

  gtk_toggle_button_set_active (self->expiring_button, expiring_only);
}

void
qoima_stock_page_select_pack (QoimaStockPage *self,
                              QoimaPack      *pack)
{
  g_return_if_fail (QOIMA_IS_STOCK_PAGE (self));
  g_return_if_fail (QOIMA_IS_PACK (pack));

  g_set_object (&self->pending_pack, pack);

  /* Lines not fed yet are fed at once: the scan's line is selected now, not after the
   * fill. */
  fill_finish (self);
  if (self->loads_pending == 0 && self->loaded)
    select_pending_pack (self);
}
