/* qoima-act-line-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-act-line-row"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-act-line-row.h"

#include "qoima-i18n.h"

struct _QoimaActLineRow
{
  AdwActionRow parent_instance;

  /* Template widgets */
  GtkLabel     *counts_label;

  /* Owned references */
  QoimaActLine *item;

  /* State */
  gboolean      waiting;
};

G_DEFINE_FINAL_TYPE (QoimaActLineRow, qoima_act_line_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_ITEM,
  PROP_WAITING,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
update (QoimaActLineRow *self)
{
  QoimaActLine *line = self->item;
  g_autofree char *subtitle = NULL;
  g_autofree char *counts = NULL;
  int expected, scanned;

  if (line == NULL)
    return;

  expected = qoima_act_line_get_expected (line);
  scanned = qoima_act_line_get_scanned (line);
  subtitle = g_strdup_printf (_("GTIN %s"), qoima_act_line_get_gtin (line));

  /* Scans count while the act waits for its answer; afterwards, what the act brought. */
  if (self->waiting)
    /* Translators: packs scanned of the act's; the plural follows the second count. */
    counts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d of %d scanned", "%d of %d scanned", expected),
                              scanned, expected);
  else
    {
      g_autofree char *count = qoima_format_count (expected);

      /* Translators: a count of packs, grouped in thousands. */
      counts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s pack", "%s packs", expected), count);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self),
                                 qoima_act_line_get_name (line) != NULL ? qoima_act_line_get_name (line)
                                                                         : _("Product without a catalog card"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
  gtk_label_set_text (self->counts_label, counts);
  if (scanned == expected && self->waiting)
    gtk_widget_add_css_class (GTK_WIDGET (self->counts_label), "success");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->counts_label), "success");
}

static void
qoima_act_line_row_dispose (GObject *object)
{
  QoimaActLineRow *self = QOIMA_ACT_LINE_ROW (object);

  g_clear_object (&self->item);

  G_OBJECT_CLASS (qoima_act_line_row_parent_class)->dispose (object);
}

static void
qoima_act_line_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  QoimaActLineRow *self = QOIMA_ACT_LINE_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;

    case PROP_WAITING:
      g_value_set_boolean (value, self->waiting);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_act_line_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  QoimaActLineRow *self = QOIMA_ACT_LINE_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      qoima_act_line_row_set_item (self, g_value_get_object (value));
      break;

    case PROP_WAITING:
      qoima_act_line_row_set_waiting (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_act_line_row_class_init (QoimaActLineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_act_line_row_dispose;
  object_class->get_property = qoima_act_line_row_get_property;
  object_class->set_property = qoima_act_line_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL,
                         QOIMA_TYPE_ACT_LINE,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  properties[PROP_WAITING] =
    g_param_spec_boolean ("waiting", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/rows/qoima-act-line-row.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaActLineRow, counts_label);
}

static void
qoima_act_line_row_init (QoimaActLineRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->waiting = TRUE;
}

GtkWidget *
qoima_act_line_row_new (QoimaActLine *item,
                        gboolean      waiting)
{
  return g_object_new (QOIMA_TYPE_ACT_LINE_ROW, "waiting", waiting, "item", item, NULL);
}

QoimaActLine *
qoima_act_line_row_get_item (QoimaActLineRow *self)
{
  g_return_val_if_fail (QOIMA_IS_ACT_LINE_ROW (self), NULL);

  return self->item;
}

void
qoima_act_line_row_set_item (QoimaActLineRow *self,
                             QoimaActLine    *item)
{
  g_return_if_fail (QOIMA_IS_ACT_LINE_ROW (self));
  g_return_if_fail (item == NULL || QOIMA_IS_ACT_LINE (item));

  if (!g_set_object (&self->item, item))
    return;

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

gboolean
qoima_act_line_row_get_waiting (QoimaActLineRow *self)
{
  g_return_val_if_fail (QOIMA_IS_ACT_LINE_ROW (self), FALSE);

  return self->waiting;
}

void
qoima_act_line_row_set_waiting (QoimaActLineRow *self,
                                gboolean         waiting)
{
  g_return_if_fail (QOIMA_IS_ACT_LINE_ROW (self));

  if (self->waiting == !!waiting)
    return;

  self->waiting = !!waiting;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
}
