/* qoima-stock-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-stock-row"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-stock-row.h"

#include "qoima-date.h"
#include "qoima-location.h"
#include "qoima-product.h"
#include "qoima-stock-page.h"

#include <stdio.h>

struct _QoimaStockRow
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkLabel       *batch_label;
  GtkLabel       *details_label;
  GtkLabel       *expiry_label;
  GtkLabel       *location_label;
  GtkLabel       *name_label;
  GtkLabel       *narrow_expiry_label;
  GtkLabel       *narrow_location_label;
  GtkLabel       *packs_label;
  GtkLabel       *units_label;

  /* Owned references */
  QoimaStockItem *item;
  GBinding       *warning_days_binding;

  /* State */
  int             warning_days;
};

G_DEFINE_FINAL_TYPE (QoimaStockRow, qoima_stock_row, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ITEM,
  PROP_WARNING_DAYS,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* The expiry shows in both layouts of the row (wide and narrow), with its colour and the
 * days left in words. */
static void
update_expiry (QoimaStockRow *self)
{
  GtkLabel *labels[] = { self->expiry_label, self->narrow_expiry_label };
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

  for (unsigned i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (labels[i]), "expired");
      gtk_widget_remove_css_class (GTK_WIDGET (labels[i]), "expiring");
      if (css != NULL)
        gtk_widget_add_css_class (GTK_WIDGET (labels[i]), css);
      gtk_label_set_label (labels[i], text);
      gtk_widget_set_tooltip_text (GTK_WIDGET (labels[i]), tooltip);
    }
}

static void
update (QoimaStockRow *self)
{
  QoimaProduct *product = NULL;
  QoimaLocation *location = NULL;
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *packs = NULL;
  g_autofree char *units = NULL;
  g_autofree char *packs_tooltip = NULL;

  if (self->item != NULL)
    {
      product = qoima_stock_item_get_product (self->item);
      location = qoima_stock_item_get_location (self->item);
    }

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

  gtk_label_set_label (self->name_label, product != NULL ? qoima_product_get_name (product) : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label),
                               product != NULL ? qoima_product_get_name (product) : NULL);
  gtk_label_set_label (self->details_label, details->str);

  if (self->item != NULL)
    {
      const char *batch = qoima_stock_item_get_batch (self->item);
      int opened = qoima_stock_item_get_opened (self->item);

      gtk_label_set_label (self->batch_label, batch != NULL && batch[0] != '\0' ? batch : "—");

      packs = g_strdup_printf ("%'d", qoima_stock_item_get_packs (self->item));
      if (opened > 0)
        packs_tooltip = g_strdup_printf (ngettext ("%d pack opened", "%d packs opened", opened), opened);

      /* Zero units means the catalog has not told the pack size yet. */
      if (qoima_stock_item_get_units (self->item) > 0)
        units = g_strdup_printf ("%'d", qoima_stock_item_get_units (self->item));
      else
        units = g_strdup ("—");
    }
  else
    {
      gtk_label_set_label (self->batch_label, "");
    }

  gtk_label_set_label (self->location_label, location != NULL ? qoima_location_get_name (location) : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->location_label),
                               location != NULL ? qoima_location_get_name (location) : NULL);
  gtk_label_set_label (self->narrow_location_label, gtk_label_get_label (self->location_label));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->narrow_location_label),
                               location != NULL ? qoima_location_get_name (location) : NULL);
  gtk_label_set_label (self->packs_label, packs != NULL ? packs : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->packs_label), packs_tooltip);
  gtk_label_set_label (self->units_label, units != NULL ? units : "");

  update_expiry (self);
}

static void
qoima_stock_row_root (GtkWidget *widget)
{
  QoimaStockRow *self = QOIMA_STOCK_ROW (widget);
  GtkWidget *page;

  GTK_WIDGET_CLASS (qoima_stock_row_parent_class)->root (widget);

  /* The near-expiry threshold is a setting the page follows; rows take it from the page
   * they are shown in rather than from a global. */
  page = gtk_widget_get_ancestor (widget, QOIMA_TYPE_STOCK_PAGE);
  if (page != NULL && self->warning_days_binding == NULL)
    self->warning_days_binding = g_object_ref (g_object_bind_property (page, "warning-days",
                                                                       self, "warning-days",
                                                                       G_BINDING_SYNC_CREATE));
}

static void
qoima_stock_row_unroot (GtkWidget *widget)
{
  QoimaStockRow *self = QOIMA_STOCK_ROW (widget);

  if (self->warning_days_binding != NULL)
    {
      g_binding_unbind (self->warning_days_binding);
      g_clear_object (&self->warning_days_binding);
    }

  GTK_WIDGET_CLASS (qoima_stock_row_parent_class)->unroot (widget);
}

static void
qoima_stock_row_dispose (GObject *object)
{
  QoimaStockRow *self = QOIMA_STOCK_ROW (object);

  if (self->warning_days_binding != NULL)
    {
      g_binding_unbind (self->warning_days_binding);
      g_clear_object (&self->warning_days_binding);
    }
  g_clear_object (&self->item);

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_STOCK_ROW);

  G_OBJECT_CLASS (qoima_stock_row_parent_class)->dispose (object);
}

static void
qoima_stock_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  QoimaStockRow *self = QOIMA_STOCK_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, qoima_stock_row_get_item (self));
      break;

    case PROP_WARNING_DAYS:
      g_value_set_int (value, qoima_stock_row_get_warning_days (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_stock_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  QoimaStockRow *self = QOIMA_STOCK_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      qoima_stock_row_set_item (self, g_value_get_object (value));
      break;

    case PROP_WARNING_DAYS:
      qoima_stock_row_set_warning_days (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_stock_row_class_init (QoimaStockRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_stock_row_dispose;
  object_class->get_property = qoima_stock_row_get_property;
  object_class->set_property = qoima_stock_row_set_property;

  widget_class->root = qoima_stock_row_root;
  widget_class->unroot = qoima_stock_row_unroot;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL,
                         QOIMA_TYPE_STOCK_ITEM,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_WARNING_DAYS] =
    g_param_spec_int ("warning-days", NULL, NULL,
                      0, G_MAXINT, 90,
                      (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/rows/qoima-stock-row.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaStockRow, batch_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockRow, details_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockRow, expiry_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockRow, location_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockRow, narrow_expiry_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockRow, narrow_location_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockRow, packs_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaStockRow, units_label);

  gtk_widget_class_set_css_name (widget_class, "stockrow");
}

static void
qoima_stock_row_init (QoimaStockRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->warning_days = 90;
}

QoimaStockItem *
qoima_stock_row_get_item (QoimaStockRow *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_ROW (self), NULL);

  return self->item;
}

void
qoima_stock_row_set_item (QoimaStockRow  *self,
                          QoimaStockItem *item)
{
  g_return_if_fail (QOIMA_IS_STOCK_ROW (self));
  g_return_if_fail (item == NULL || QOIMA_IS_STOCK_ITEM (item));

  if (!g_set_object (&self->item, item))
    return;

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

int
qoima_stock_row_get_warning_days (QoimaStockRow *self)
{
  g_return_val_if_fail (QOIMA_IS_STOCK_ROW (self), 0);

  return self->warning_days;
}

void
qoima_stock_row_set_warning_days (QoimaStockRow *self,
                                  int            warning_days)
{
  g_return_if_fail (QOIMA_IS_STOCK_ROW (self));

  if (self->warning_days == warning_days)
    return;

  self->warning_days = warning_days;
  update_expiry (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNING_DAYS]);
}
