/* qoima-stock-cell.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-stock-cell"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-stock-cell.h"
#include "qoima-ui-enums.h"

#include "qoima-date.h"
#include "qoima-location.h"
#include "qoima-product.h"
#include "qoima-stock-page.h"

#include <stdio.h>

struct _QoimaStockCell
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkLabel         *label;
  GtkLabel         *details_label;

  /* Owned references */
  QoimaStockItem   *item;
  GBinding         *warning_days_binding;

  /* State */
  char             *tooltip;  /* shown by query_tooltip_cb () */
  QoimaStockColumn  column;
  int               warning_days;
};

G_DEFINE_FINAL_TYPE (QoimaStockCell, qoima_stock_cell, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ITEM,
  PROP_COLUMN,
  PROP_WARNING_DAYS,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* Each column's label: its width in characters when the window is narrow (the label
 * ellipsizes down to it) and where it fits, so every line of a column lays out alike. */
static const struct {
  int   width_chars;
  int   max_width_chars;
  float xalign;
} column_layout[] = {
  [QOIMA_STOCK_COLUMN_PRODUCT]  = { 12, 30, 0 },
  [QOIMA_STOCK_COLUMN_BATCH]    = {  6, 12, 0 },
  [QOIMA_STOCK_COLUMN_EXPIRY]   = { 10, 11, 0 },
  [QOIMA_STOCK_COLUMN_LOCATION] = {  8, 26, 0 },
  [QOIMA_STOCK_COLUMN_PACKS]    = {  6,  6, 1 },
  [QOIMA_STOCK_COLUMN_UNITS]    = {  7,  7, 1 },
};

/* Takes @tooltip. One that says more than the label (days to expiry, packs opened) is
 * also the label's accessible description, as gtk_widget_set_tooltip_text () made it. */
static void
take_tooltip (QoimaStockCell *self,
              char           *tooltip)
{
  g_free (self->tooltip);
  self->tooltip = tooltip;

  if (tooltip != NULL && g_strcmp0 (tooltip, gtk_label_get_label (self->label)) != 0)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

/* The expiry with its colour and the days left in words. */
static void
update_expiry (QoimaStockCell *self)
{
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;
  const char *css = NULL;
  const char *expiry;
  int year, month, day;

  expiry = self->item != NULL ? qoima_stock_item_get_expiry (self->item) : NULL;
  if (expiry == NULL || sscanf (expiry, "%d-%d-%d", &year, &month, &day) != 3 ||
      !g_date_valid_dmy (day, month, year))
    {
      text = g_strdup (self->item != NULL ? "—" : "");
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      GDate today;
      int days;

      text = qoima_format_iso_date (expiry);
      g_date_clear (&today, 1);
      g_date_set_dmy (&today,
                      g_date_time_get_day_of_month (now),
                      g_date_time_get_month (now),
                      g_date_time_get_year (now));
      days = qoima_stock_item_days_to_expiry (self->item, &today);
      if (days < 0)
        {
          css = "expired";
          tooltip = g_strdup (_("Expired"));
        }
      else if (days <= self->warning_days)
        {
          css = "expiring";
          tooltip = g_strdup_printf (ngettext ("Expires in %d day", "Expires in %d days", days), days);
        }
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->label), "expired");
  gtk_widget_remove_css_class (GTK_WIDGET (self->label), "expiring");
  if (css != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->label), css);
  gtk_label_set_label (self->label, text);
  take_tooltip (self, g_steal_pointer (&tooltip));
}

static void
update_product (QoimaStockCell *self)
{
  QoimaProduct *product = self->item != NULL ? qoima_stock_item_get_product (self->item) : NULL;
  g_autoptr(GString) details = g_string_new (NULL);

  if (product != NULL)
    {
      const char *parts[] = {
        qoima_product_get_inn (product),
        qoima_product_get_dosage (product),
      };

      for (unsigned i = 0; i < G_N_ELEMENTS (parts); i++)
        {
          if (parts[i] == NULL || parts[i][0] == '\0')
            continue;
          if (details->len > 0)
            g_string_append (details, " · ");
          g_string_append (details, parts[i]);
        }
    }

  gtk_label_set_label (self->label, product != NULL ? qoima_product_get_name (product) : "");
  take_tooltip (self, product != NULL ? g_strdup (qoima_product_get_name (product)) : NULL);
  gtk_label_set_label (self->details_label, details->str);
}

static void
update (QoimaStockCell *self)
{
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  switch (self->column)
    {
    case QOIMA_STOCK_COLUMN_PRODUCT:
      update_product (self);
      return;

    case QOIMA_STOCK_COLUMN_EXPIRY:
      update_expiry (self);
      return;

    case QOIMA_STOCK_COLUMN_BATCH:
      if (self->item != NULL)
        {
          const char *batch = qoima_stock_item_get_batch (self->item);

          text = g_strdup (batch != NULL && batch[0] != '\0' ? batch : "—");
          tooltip = g_strdup (text);
        }
      break;

    case QOIMA_STOCK_COLUMN_LOCATION:
      {
        QoimaLocation *location = self->item != NULL ? qoima_stock_item_get_location (self->item) : NULL;

        /* A long ward name is ellipsized: the tooltip has it whole. */
        if (location != NULL)
          {
            text = g_strdup (qoima_location_get_name (location));
            tooltip = g_strdup (text);
          }
      }
      break;

    case QOIMA_STOCK_COLUMN_PACKS:
      if (self->item != NULL)
        {
          int opened = qoima_stock_item_get_opened (self->item);

          text = g_strdup_printf ("%'d", qoima_stock_item_get_packs (self->item));
          if (opened > 0)
            tooltip = g_strdup_printf (ngettext ("%d pack opened", "%d packs opened", opened), opened);
        }
      break;

    case QOIMA_STOCK_COLUMN_UNITS:
      /* Zero units means the catalog has not told the pack size yet. */
      if (self->item != NULL)
        {
          if (qoima_stock_item_get_units (self->item) > 0)
            text = g_strdup_printf ("%'d", qoima_stock_item_get_units (self->item));
          else
            text = g_strdup ("—");
        }
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_label_set_label (self->label, text != NULL ? text : "");
  take_tooltip (self, g_steal_pointer (&tooltip));
}

/* The tooltip asked for when it is about to show, not set with each item: GTK 4.8's
 * gtk_widget_set_tooltip_text () asks the display where the pointer is, a round trip to
 * the X server for every cell bound, which made the first rows seconds late. */
static gboolean
query_tooltip_cb (QoimaStockCell *self,
                  int             x,
                  int             y,
                  gboolean        keyboard_mode,
                  GtkTooltip     *tooltip,
                  GtkWidget      *label)
{
  if (self->tooltip == NULL)
    return FALSE;

  gtk_tooltip_set_text (tooltip, self->tooltip);
  return TRUE;
}

static void
qoima_stock_cell_root (GtkWidget *widget)
{
  QoimaStockCell *self = QOIMA_STOCK_CELL (widget);
  GtkWidget *page;

  GTK_WIDGET_CLASS (qoima_stock_cell_parent_class)->root (widget);

  /* The near-expiry threshold is a setting the page follows; cells take it from the page
   * they are shown in rather than from a global. */
  page = gtk_widget_get_ancestor (widget, QOIMA_TYPE_STOCK_PAGE);
  if (page != NULL && self->warning_days_binding == NULL)
    self->warning_days_binding = g_object_ref (g_object_bind_property (page, "warning-days",
                                                                       self, "warning-days",
                                                                       G_BINDING_SYNC_CREATE));
}

static void
clear_binding (QoimaStockCell *self)
{
  if (self->warning_days_binding != NULL)
    {
      g_binding_unbind (self->warning_days_binding);
      g_clear_object (&self->warning_days_binding);
    }
}

static void
qoima_stock_cell_unroot (GtkWidget *widget)
{
  clear_binding (QOIMA_STOCK_CELL (widget));

  GTK_WIDGET_CLASS (qoima_stock_cell_parent_class)->unroot (widget);
}

static void
qoima_stock_cell_dispose (GObject *object)
{
  QoimaStockCell *self = QOIMA_STOCK_CELL (object);

  clear_binding (self);
  g_clear_object (&self->item);
  g_clear_pointer (&self->tooltip, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_STOCK_CELL);

  G_OBJECT_CLASS (qoima_stock_cell_parent_class)->dispose (object);
}

static void
qoima_stock_cell_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  QoimaStockCell *self = QOIMA_STOCK_CELL (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, qoima_stock_cell_get_item (self));
      break;

    case PROP_COLUMN:
      g_value_set_enum (value, qoima_stock_cell_get_column (self));
      break;

    case PROP_WARNING_DAYS:
      g_value_set_int (value, qoima_stock_cell_get_warning_days (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_stock_cell_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  QoimaStockCell *self = QOIMA_STOCK_CELL (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      qoima_stock_cell_set_item (self, g_value_get_object (value));
      break;

    case PROP_COLUMN:
      qoima_stock_cell_set_column (self, g_value_get_enum (value));
      break;

    case PROP_WARNING_DAYS:
      qoima_stock_cell_set_warning_days (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_stock_cell_class_init (QoimaStockCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_stock_cell_dispose;
  object_class->get_property = qoima_stock_cell_get_property;
  object_class->set_property = qoima_stock_cell_set_property;

  widget_class->root = qoima_stock_cell_root;
  widget_class->unroot = qoima_stock_cell_unroot;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL,
                         QOIMA_TYPE_STOCK_ITEM,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_COLUMN] =
    g_param_spec_enum ("column", NULL, NULL,
                       QOIMA_TYPE_STOCK_COLUMN,
                       QOIMA_STOCK_COLUMN_PRODUCT,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_WARNING_DAYS] =
    g_param_spec_int ("warning-days", NULL, NULL,
                      0, G_MAXINT, 90,
                      (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/rows/qoima-stock-cell.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaStockCell, label);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockCell, details_label);

  gtk_widget_class_set_css_name (widget_class, "stockcell");
}

static void
qoima_stock_cell_init (QoimaStockCell *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_widget_set_has_tooltip (GTK_WIDGET (self->label), TRUE);
  g_signal_connect_object (self->label, "query-tooltip", G_CALLBACK (query_tooltip_cb), self, G_CONNECT_SWAPPED);

  self->warning_days = 90;
  self->column = QOIMA_STOCK_COLUMN_PRODUCT;
  qoima_stock_cell_set_column (self, QOIMA_STOCK_COLUMN_PRODUCT);
}

QoimaStockItem *
qoima_stock_cell_get_item (QoimaStockCell *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_CELL (self), NULL);

  return self->item;
}

void
qoima_stock_cell_set_item (QoimaStockCell *self,
                           QoimaStockItem *item)
{
  g_return_if_fail (QOIMA_IS_STOCK_CELL (self));
  g_return_if_fail (item == NULL || QOIMA_IS_STOCK_ITEM (item));

  if (!g_set_object (&self->item, item))
    return;

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

QoimaStockColumn
qoima_stock_cell_get_column (QoimaStockCell *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_CELL (self), QOIMA_STOCK_COLUMN_PRODUCT);

  return self->column;
}

void
qoima_stock_cell_set_column (QoimaStockCell   *self,
                             QoimaStockColumn  column)
{
  g_return_if_fail (QOIMA_IS_STOCK_CELL (self));
  g_return_if_fail (column < G_N_ELEMENTS (column_layout));

  gtk_label_set_width_chars (self->label, column_layout[column].width_chars);
  gtk_label_set_max_width_chars (self->label, column_layout[column].max_width_chars);
  gtk_label_set_xalign (self->label, column_layout[column].xalign);
  gtk_widget_set_visible (GTK_WIDGET (self->details_label), column == QOIMA_STOCK_COLUMN_PRODUCT);
  /* The last column's figures clear the overlay scroll bar. */
  gtk_widget_set_margin_end (GTK_WIDGET (self), column == QOIMA_STOCK_COLUMN_UNITS ? 12 : 0);
  gtk_label_set_width_chars (self->details_label, column_layout[column].width_chars);
  gtk_label_set_max_width_chars (self->details_label, column_layout[column].max_width_chars);

  /* Dates and counts in figures of one width, so that they line up down the column. */
  if (column == QOIMA_STOCK_COLUMN_EXPIRY || column == QOIMA_STOCK_COLUMN_PACKS ||
      column == QOIMA_STOCK_COLUMN_UNITS)
    gtk_widget_add_css_class (GTK_WIDGET (self->label), "numeric");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->label), "numeric");

  if (self->column == column)
    return;

  self->column = column;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLUMN]);
}

int
qoima_stock_cell_get_warning_days (QoimaStockCell *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_CELL (self), 0);

  return self->warning_days;
}

void
qoima_stock_cell_set_warning_days (QoimaStockCell *self,
                                   int             warning_days)
{
  g_return_if_fail (QOIMA_IS_STOCK_CELL (self));

  if (self->warning_days == warning_days)
    return;

  self->warning_days = warning_days;
  if (self->column == QOIMA_STOCK_COLUMN_EXPIRY)
    update_expiry (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNING_DAYS]);
}
