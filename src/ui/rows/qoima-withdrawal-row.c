/* qoima-withdrawal-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-withdrawal-row"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-withdrawal-row.h"

#include "qoima-date.h"
#include "qoima-json.h"

struct _QoimaWithdrawalRow
{
  AdwActionRow parent_instance;

  /* Template widgets */
  GtkCheckButton        *check;

  /* Owned references */
  JsonObject            *item;

  /* State */
  QoimaWithdrawalReason  reason;
};

G_DEFINE_FINAL_TYPE (QoimaWithdrawalRow, qoima_withdrawal_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_ITEM,
  PROP_SELECTED,
  PROP_SELECTABLE,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
update (QoimaWithdrawalRow *self)
{
  JsonObject *item = self->item;
  const char *ki;
  const char *owed_at;
  g_autofree char *subtitle = NULL;
  g_autofree char *since = NULL;

  if (item == NULL)
    return;

  ki = qoima_json_get_string (item, "pack");
  owed_at = qoima_json_get_string (item, "owed_at");
  since = owed_at != NULL ? qoima_format_iso_date (owed_at) : g_strdup ("");
  self->reason = QOIMA_WITHDRAWAL_MEDICAL_USE;
  qoima_withdrawal_reason_from_nick (qoima_json_get_string (item, "reason"), &self->reason);
  /* Translators: a pack owed to ИС МПТ: its code, the reason ("Medical use"…), then the
   * day since which it is owed; one sentence, so that the word order is yours. */
  subtitle = g_strdup_printf (_("%s · %s · since %s"), ki, qoima_withdrawal_reason_to_label (self->reason), since);
  /* Owed again because ИС МПТ refused its document: why, before it is signed anew. */
  gtk_widget_remove_css_class (GTK_WIDGET (self), "error");
  if (qoima_json_get_string (item, "refused_document") != NULL)
    {
      g_autofree char *refused = g_strdup_printf (_("Refused by ИС МПТ in %s: %s"),
                                                  qoima_json_get_string (item, "refused_document"),
                                                  qoima_json_get_string (item, "refused_errors") != NULL
                                                    ? qoima_json_get_string (item, "refused_errors") : "—");
      char *both = g_strdup_printf ("%s\n%s", subtitle, refused);

      g_free (subtitle);
      subtitle = both;
      gtk_widget_add_css_class (GTK_WIDGET (self), "error");
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self), 4);
    }
  else
    adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self), 0);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), qoima_json_get_string (item, "medicine"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
}

static void
check_toggled_cb (QoimaWithdrawalRow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

static void
qoima_withdrawal_row_finalize (GObject *object)
{
  QoimaWithdrawalRow *self = QOIMA_WITHDRAWAL_ROW (object);

  g_clear_pointer (&self->item, json_object_unref);

  G_OBJECT_CLASS (qoima_withdrawal_row_parent_class)->finalize (object);
}

static void
qoima_withdrawal_row_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  QoimaWithdrawalRow *self = QOIMA_WITHDRAWAL_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_boxed (value, self->item);
      break;

    case PROP_SELECTED:
      g_value_set_boolean (value, qoima_withdrawal_row_get_selected (self));
      break;

    case PROP_SELECTABLE:
      g_value_set_boolean (value, qoima_withdrawal_row_get_selectable (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_withdrawal_row_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  QoimaWithdrawalRow *self = QOIMA_WITHDRAWAL_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      qoima_withdrawal_row_set_item (self, g_value_get_boxed (value));
      break;

    case PROP_SELECTED:
      qoima_withdrawal_row_set_selected (self, g_value_get_boolean (value));
      break;

    case PROP_SELECTABLE:
      qoima_withdrawal_row_set_selectable (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_withdrawal_row_class_init (QoimaWithdrawalRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = qoima_withdrawal_row_finalize;
  object_class->get_property = qoima_withdrawal_row_get_property;
  object_class->set_property = qoima_withdrawal_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_boxed ("item", NULL, NULL,
                        JSON_TYPE_OBJECT,
                        (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  properties[PROP_SELECTED] =
    g_param_spec_boolean ("selected", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  properties[PROP_SELECTABLE] =
    g_param_spec_boolean ("selectable", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/rows/qoima-withdrawal-row.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaWithdrawalRow, check);
}

static void
qoima_withdrawal_row_init (QoimaWithdrawalRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->reason = QOIMA_WITHDRAWAL_MEDICAL_USE;
  g_signal_connect_object (self->check, "toggled", G_CALLBACK (check_toggled_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
qoima_withdrawal_row_new (JsonObject *item)
{
  return g_object_new (QOIMA_TYPE_WITHDRAWAL_ROW, "item", item, NULL);
}

JsonObject *
qoima_withdrawal_row_get_item (QoimaWithdrawalRow *self)
{
  g_return_val_if_fail (QOIMA_IS_WITHDRAWAL_ROW (self), NULL);

  return self->item;
}

void
qoima_withdrawal_row_set_item (QoimaWithdrawalRow *self,
                               JsonObject         *item)
{
  g_return_if_fail (QOIMA_IS_WITHDRAWAL_ROW (self));

  if (self->item == item)
    return;

  g_clear_pointer (&self->item, json_object_unref);
  if (item != NULL)
    self->item = json_object_ref (item);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

const char *
qoima_withdrawal_row_get_ki (QoimaWithdrawalRow *self)
{
  g_return_val_if_fail (QOIMA_IS_WITHDRAWAL_ROW (self), NULL);

  return self->item != NULL ? qoima_json_get_string (self->item, "pack") : NULL;
}

QoimaWithdrawalReason
qoima_withdrawal_row_get_reason (QoimaWithdrawalRow *self)
{
  g_return_val_if_fail (QOIMA_IS_WITHDRAWAL_ROW (self), QOIMA_WITHDRAWAL_MEDICAL_USE);

  return self->reason;
}

gboolean
qoima_withdrawal_row_get_selected (QoimaWithdrawalRow *self)
{
  g_return_val_if_fail (QOIMA_IS_WITHDRAWAL_ROW (self), FALSE);

  return gtk_check_button_get_active (self->check);
}

void
qoima_withdrawal_row_set_selected (QoimaWithdrawalRow *self,
                                   gboolean            selected)
{
  g_return_if_fail (QOIMA_IS_WITHDRAWAL_ROW (self));

  /* The check notifies ::selected through its ::toggled. */
  gtk_check_button_set_active (self->check, selected);
}

gboolean
qoima_withdrawal_row_get_selectable (QoimaWithdrawalRow *self)
{
  g_return_val_if_fail (QOIMA_IS_WITHDRAWAL_ROW (self), FALSE);

  return gtk_widget_get_sensitive (GTK_WIDGET (self->check));
}

void
qoima_withdrawal_row_set_selectable (QoimaWithdrawalRow *self,
                                     gboolean            selectable)
{
  g_return_if_fail (QOIMA_IS_WITHDRAWAL_ROW (self));

  if (gtk_widget_get_sensitive (GTK_WIDGET (self->check)) == !!selectable)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->check), selectable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTABLE]);
}
