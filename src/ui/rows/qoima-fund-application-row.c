/* qoima-fund-application-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-fund-application-row"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-fund-application-row.h"


struct _QoimaFundApplicationRow
{
  AdwActionRow parent_instance;

  /* Template widgets */
  GtkLabel *status_label;

  /* Owned */
  QoimaFundApplication *item;
  char                 *region_name; /* the region's name in KATO, when known */
};

G_DEFINE_FINAL_TYPE (QoimaFundApplicationRow, qoima_fund_application_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_ITEM,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
show_item (QoimaFundApplicationRow *self)
{
  const QoimaFundApplication *app = self->item;
  static const char * const classes[] = { "success", "error", "dim-label" };
  const char *css = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), classes[i]);
  if (app == NULL)
    return;

  /* The region is what tells one application from another (R004-4: one per region). */
  if (self->region_name != NULL && app->region != NULL)
    {
      /* Its name first: a code alone tells a reader nothing. */
      g_autofree char *region = g_strdup_printf ("%s (%s)", self->region_name, app->region);

      title = g_strdup_printf (_("Region %s, version %d"), region, app->version);
    }
  else
    title = g_strdup_printf (_("Region %s, version %d"), app->region != NULL ? app->region : "—", app->version);
  {
    g_autoptr(GDateTime) created = app->created_at != NULL ? g_date_time_new_from_iso8601 (app->created_at, NULL) : NULL;
    g_autoptr(GDateTime) local = created != NULL ? g_date_time_to_local (created) : NULL;
    g_autofree char *when = local != NULL ? g_date_time_format (local, "%d.%m.%Y %H:%M")
                                          : g_strdup (app->created_at != NULL ? app->created_at : "");

    subtitle = g_strdup_printf (_("Created %s by %s"), when, app->author != NULL ? app->author : "");
  }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
  gtk_label_set_text (self->status_label, qoima_fund_status_to_label (app->status));
  if (app->status == QOIMA_FUND_INCLUDED)
    css = "success";
  else if (app->status == QOIMA_FUND_REJECTED || app->status == QOIMA_FUND_EXCLUDED)
    css = "error";
  else if (app->status == QOIMA_FUND_CHANGED)
    css = "dim-label";
  if (css != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), css);
}

GtkWidget *
qoima_fund_application_row_new (const QoimaFundApplication *item,
                                const char                 *region_name)
{
  QoimaFundApplicationRow *self = g_object_new (QOIMA_TYPE_FUND_APPLICATION_ROW, NULL);

  self->region_name = g_strdup (region_name);
  qoima_fund_application_row_set_item (self, item);
  return GTK_WIDGET (self);
}

const QoimaFundApplication *
qoima_fund_application_row_get_item (QoimaFundApplicationRow *self)
{
  g_return_val_if_fail (QOIMA_IS_FUND_APPLICATION_ROW (self), NULL);

  return self->item;
}

void
qoima_fund_application_row_set_item (QoimaFundApplicationRow    *self,
                                     const QoimaFundApplication *item)
{
  g_return_if_fail (QOIMA_IS_FUND_APPLICATION_ROW (self));

  g_clear_pointer (&self->item, qoima_fund_application_free);
  self->item = item != NULL ? qoima_fund_application_copy (item) : NULL;
  show_item (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

const char *
qoima_fund_application_row_get_status_text (QoimaFundApplicationRow *self)
{
  g_return_val_if_fail (QOIMA_IS_FUND_APPLICATION_ROW (self), NULL);

  return gtk_label_get_text (self->status_label);
}

static void
qoima_fund_application_row_finalize (GObject *object)
{
  QoimaFundApplicationRow *self = QOIMA_FUND_APPLICATION_ROW (object);

  g_clear_pointer (&self->item, qoima_fund_application_free);
  g_clear_pointer (&self->region_name, g_free);

  G_OBJECT_CLASS (qoima_fund_application_row_parent_class)->finalize (object);
}

static void
qoima_fund_application_row_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  QoimaFundApplicationRow *self = QOIMA_FUND_APPLICATION_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_boxed (value, self->item);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_fund_application_row_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  QoimaFundApplicationRow *self = QOIMA_FUND_APPLICATION_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      qoima_fund_application_row_set_item (self, g_value_get_boxed (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_fund_application_row_class_init (QoimaFundApplicationRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = qoima_fund_application_row_finalize;
  object_class->get_property = qoima_fund_application_row_get_property;
  object_class->set_property = qoima_fund_application_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_boxed ("item", NULL, NULL,
                        QOIMA_TYPE_FUND_APPLICATION,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/rows/qoima-fund-application-row.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaFundApplicationRow, status_label);
}

static void
qoima_fund_application_row_init (QoimaFundApplicationRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
