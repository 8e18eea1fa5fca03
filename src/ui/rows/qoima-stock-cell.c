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
#include <time.h>

/* A cell is a widget and its label (and the Product column's details line) made in C,
 * not from a template: GTK 4.8's column view makes about 200 lines of six cells before
 * the first rows are drawn, and a template (with a bin and a box around the labels) made
 * each cell several times dearer (issue 10). */
struct _QoimaStockCell
{
  GtkWidget parent_instance;

  /* Children */
  GtkLabel         *label;
  GtkLabel         *details_label;  /* the Product column's only */

  /* Owned references */
  QoimaStockItem   *item;
  GBinding         *warning_days_binding;

  /* State */
  char             *tooltip;  /* shown by query_tooltip_cb () */
  QoimaStockColumn  column;
  int               warning_days;
  gboolean          described;  /* the label has an accessible description */
};

G_DEFINE_FINAL_TYPE (QoimaStockCell, qoima_stock_cell, GTK_TYPE_WIDGET)

/* No column yet: the construct property sets one. */
#define NO_COLUMN ((QoimaStockColumn) G_N_ELEMENTS (column_layout))

enum {
  PROP_0,
  PROP_ITEM,
  PROP_COLUMN,
  PROP_WARNING_DAYS,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* Each column's label: its width in characters when the window is narrow (the label
 * ellipsizes down to it) and where it fits, so every line of a column lays out alike.
 * The cell applies them (measure ()) as GtkLabel's width-chars and max-width-chars would,
 * but with a character's width looked up once per font: GtkLabel asks Pango for the
 * font's metrics, shaping a sample text, each time one of ~1,200 labels is measured. */
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
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
      self->described = TRUE;
    }
  else if (self->described)
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      self->described = FALSE;
    }
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
      GDate today;
      int days;

      text = qoima_format_iso_date (expiry);
      /* Not a GDateTime: GLib 2.74 reads /etc/localtime's link for each one made. */
      g_date_clear (&today, 1);
      g_date_set_time_t (&today, time (NULL));
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
  if (self->details_label != NULL)
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

/* The width GtkLabel gives a character of @label's font (the wider of an average
 * character and a digit), in Pango units; kept per font description. */
static int
char_width (GtkWidget *label)
{
  static GHashTable *widths;
  PangoContext *context = gtk_widget_get_pango_context (label);
  const PangoFontDescription *font = pango_context_get_font_description (context);
  gpointer width;

  if (widths == NULL)
    widths = g_hash_table_new_full ((GHashFunc) pango_font_description_hash,
                                    (GEqualFunc) pango_font_description_equal,
                                    (GDestroyNotify) pango_font_description_free, NULL);

  if (!g_hash_table_lookup_extended (widths, font, NULL, &width))
    {
      PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);

      width = GINT_TO_POINTER (MAX (pango_font_metrics_get_approximate_char_width (metrics),
                                    pango_font_metrics_get_approximate_digit_width (metrics)));
      pango_font_metrics_unref (metrics);
      g_hash_table_insert (widths, pango_font_description_copy (font), width);
    }

  return GPOINTER_TO_INT (width);
}

static void
qoima_stock_cell_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  QoimaStockCell *self = QOIMA_STOCK_CELL (widget);

  *minimum = *natural = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      int child_min, child_nat;

      if (!gtk_widget_should_layout (child))
        continue;

      gtk_widget_measure (child, orientation, for_size, &child_min, &child_nat, NULL, NULL);
      if (orientation == GTK_ORIENTATION_HORIZONTAL)
        {
          /* As GtkLabel does with width-chars and max-width-chars, an ellipsized label:
           * at least width-chars, and at most max-width-chars where the text is longer. */
          int chars = char_width (child);
          int least = PANGO_PIXELS_CEIL (chars * column_layout[self->column].width_chars);
          int most = PANGO_PIXELS_CEIL (chars * column_layout[self->column].max_width_chars);

          child_min = MAX (child_min, least);
          child_nat = MAX (child_nat, least);
          if (child_nat > most)
            child_nat = MAX (child_min, most);
          *minimum = MAX (*minimum, child_min);
          *natural = MAX (*natural, child_nat);
        }
      else
        {
          *minimum += child_min;
          *natural += child_nat;
        }
    }
}

/* The label, and the details line under it, each as tall as it asks. */
static void
qoima_stock_cell_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  int y = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      int child_height;

      if (!gtk_widget_should_layout (child))
        continue;

      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, NULL, &child_height, NULL, NULL);
      gtk_widget_size_allocate (child, &(GtkAllocation) { 0, y, width, child_height }, -1);
      y += child_height;
    }
}

static GtkSizeRequestMode
qoima_stock_cell_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* The near-expiry threshold is a setting the page follows; the Expiry column's cells take
 * it from the page they are shown in rather than from a global. No other column shows it. */
static void
bind_warning_days (QoimaStockCell *self)
{
  GtkWidget *page;

  if (self->column != QOIMA_STOCK_COLUMN_EXPIRY || self->warning_days_binding != NULL)
    return;

  page = gtk_widget_get_ancestor (GTK_WIDGET (self), QOIMA_TYPE_STOCK_PAGE);
  if (page != NULL)
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
qoima_stock_cell_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (qoima_stock_cell_parent_class)->root (widget);

  bind_warning_days (QOIMA_STOCK_CELL (widget));
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
  if (self->label != NULL)
    gtk_widget_unparent (GTK_WIDGET (g_steal_pointer (&self->label)));
  if (self->details_label != NULL)
    gtk_widget_unparent (GTK_WIDGET (g_steal_pointer (&self->details_label)));

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

  /* Set as the cell is made (a construct property), so that it is laid out once. */
  properties[PROP_COLUMN] =
    g_param_spec_enum ("column", NULL, NULL,
                       QOIMA_TYPE_STOCK_COLUMN,
                       QOIMA_STOCK_COLUMN_PRODUCT,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_WARNING_DAYS] =
    g_param_spec_int ("warning-days", NULL, NULL,
                      0, G_MAXINT, 90,
                      (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  widget_class->measure = qoima_stock_cell_measure;
  widget_class->size_allocate = qoima_stock_cell_size_allocate;
  widget_class->get_request_mode = qoima_stock_cell_get_request_mode;
  gtk_widget_class_set_css_name (widget_class, "stockcell");
}

static void
qoima_stock_cell_init (QoimaStockCell *self)
{
  /* The label (and details) in the middle of the line's height. */
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);

  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->label, 0);
  gtk_label_set_ellipsize (self->label, PANGO_ELLIPSIZE_END);
  gtk_widget_set_parent (GTK_WIDGET (self->label), GTK_WIDGET (self));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->label), TRUE);
  g_signal_connect_object (self->label, "query-tooltip", G_CALLBACK (query_tooltip_cb), self, G_CONNECT_SWAPPED);

  self->warning_days = 90;
  self->column = NO_COLUMN;
}

/**
 * qoima_stock_cell_new:
 * @column: the column it shows
 *
 * Returns: (transfer floating): a cell of the Stock page's @column
 */
GtkWidget *
qoima_stock_cell_new (QoimaStockColumn column)
{
  return g_object_new (QOIMA_TYPE_STOCK_CELL, "column", column, NULL);
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

  if (self->column == column)
    return;

  gtk_label_set_xalign (self->label, column_layout[column].xalign);
  /* The last column's figures clear the overlay scroll bar. */
  gtk_widget_set_margin_end (GTK_WIDGET (self), column == QOIMA_STOCK_COLUMN_UNITS ? 12 : 0);

  /* The product's INN and dosage, under its name. */
  if (column == QOIMA_STOCK_COLUMN_PRODUCT && self->details_label == NULL)
    {
      self->details_label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (self->details_label, 0);
      gtk_label_set_ellipsize (self->details_label, PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (GTK_WIDGET (self->details_label), "caption");
      gtk_widget_add_css_class (GTK_WIDGET (self->details_label), "dim-label");
      gtk_widget_insert_after (GTK_WIDGET (self->details_label), GTK_WIDGET (self), GTK_WIDGET (self->label));
    }
  else if (column != QOIMA_STOCK_COLUMN_PRODUCT && self->details_label != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (g_steal_pointer (&self->details_label)));
    }

  /* Dates and counts in figures of one width, so that they line up down the column. */
  if (column == QOIMA_STOCK_COLUMN_EXPIRY || column == QOIMA_STOCK_COLUMN_PACKS ||
      column == QOIMA_STOCK_COLUMN_UNITS)
    gtk_widget_add_css_class (GTK_WIDGET (self->label), "numeric");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->label), "numeric");

  self->column = column;
  clear_binding (self);
  if (gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    bind_warning_days (self);
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
