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

  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static gboolean
has_filters (QoimaStockPage *self)
{
  return self->terms != NULL || self->location_id != 0 || self->expiring_only;
}

static void
update_view (QoimaStockPage *self)
{
  GListModel *base = gtk_filter_list_model_get_model (self->filter_model);
  unsigned n_lines = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  unsigned n_all = base != NULL ? g_list_model_get_n_items (base) : 0;
  g_autofree char *lines = NULL;
  g_autofree char *packs = NULL;
  g_autofree char *summary = NULL;
  gint64 n_packs = 0;

  if (!self->loaded)
    {
      gtk_stack_set_visible_child_name (self->stack, "loading");
      gtk_spinner_set_spinning (self->spinner, TRUE);
      gtk_label_set_label (self->summary_label, "");
      return;
    }

  gtk_spinner_set_spinning (self->spinner, FALSE);

  for (unsigned i = 0; i < n_lines; i++)
    {
      g_autoptr(QoimaStockItem) item = g_list_model_get_item (G_LIST_MODEL (self->filter_model), i);

      n_packs += qoima_stock_item_get_packs (item);
    }

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

  update_today (self);
  /* The new lines are sorted by the column the user chose, which a reload keeps. */
  gtk_sort_list_model_set_model (self->sort_model, stock);
  self->loaded = TRUE;
  update_view (self);
  select_pending_pack (self);

  g_debug ("Stock loaded: %u lines in %.1f ms",
           g_list_model_get_n_items (stock),
           (g_get_monotonic_time () - self->load_started) / 1000.0);

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
        self->location_id = qoima_user_get_role (user) == QOIMA_ROLE_NURSE ? qoima_user_get_ward_id (user) : 0;
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

  if (self->loads_pending == 0 && self->loaded)
    select_pending_pack (self);
}
