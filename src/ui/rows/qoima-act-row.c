/* qoima-act-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-act-row"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-act-row.h"

#include "qoima-date.h"
#include "qoima-store-outbox.h"

struct _QoimaActRow
{
  AdwActionRow parent_instance;

  /* Template widgets */
  GtkCheckButton *check;
  GtkLabel       *deadline_label;
  GtkLabel       *state_label;

  /* Owned references */
  QoimaAct       *item;
};

G_DEFINE_FINAL_TYPE (QoimaActRow, qoima_act_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_ITEM,
  PROP_SELECTED,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
today (GDate *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (date, 1);
  g_date_set_dmy (date, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
}

char *
qoima_act_row_deadline_text (QoimaAct    *act,
                             const char **css)
{
  GDate date;
  int days;
  g_autofree char *deadline = NULL;

  g_return_val_if_fail (QOIMA_IS_ACT (act), NULL);
  g_return_val_if_fail (css != NULL, NULL);

  *css = NULL;
  if (qoima_act_get_status (act) != QOIMA_ACT_STATUS_WAITING || qoima_act_get_deadline (act) == NULL)
    return NULL;

  today (&date);
  days = qoima_act_days_left (act, &date);
  if (days < 0)
    {
      *css = "error";
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Overdue by %d day", "Overdue by %d days", -days), -days);
    }
  if (days == 0)
    {
      *css = "warning";
      return g_strdup (_("Sign today"));
    }
  if (days == 1)
    return g_strdup (_("Sign by tomorrow"));

  deadline = qoima_format_iso_date (qoima_act_get_deadline (act));
  return g_strdup_printf (_("Sign by %s"), deadline);
}

char *
qoima_act_row_progress_text (QoimaAct *act)
{
  int packs, accepted;

  g_return_val_if_fail (QOIMA_IS_ACT (act), NULL);

  packs = qoima_act_get_packs (act);
  accepted = qoima_act_get_accepted (act);
  switch (qoima_act_get_status (act))
    {
    case QOIMA_ACT_STATUS_ACCEPTED:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Accepted: %d pack added to stock",
                                           "Accepted: %d packs added to stock", accepted), accepted);
    case QOIMA_ACT_STATUS_PARTIALLY_ACCEPTED:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Partly accepted: %d of %d pack added to stock, the rest refused",
                                           "Partly accepted: %d of %d packs added to stock, the rest refused", packs),
                              accepted, packs);
    case QOIMA_ACT_STATUS_REJECTED:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Rejected: the %d pack goes back to the sender",
                                           "Rejected: the %d packs go back to the sender", packs), packs);
    case QOIMA_ACT_STATUS_WAITING:
    case QOIMA_ACT_STATUS_SENDING:
    default:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d of %d pack scanned", "%d of %d packs scanned", packs),
                              qoima_act_get_scanned (act), packs);
    }
}

/* Refused or not recorded needs the chief; waiting with a reason is worth a look. */
static const char *
state_css (QoimaAct *act)
{
  int answer = qoima_act_get_answer_state (act);

  if (answer == QOIMA_DOCUMENT_NOT_RECORDED ||
      (qoima_act_get_status (act) == QOIMA_ACT_STATUS_WAITING && qoima_act_get_state_reason (act) != NULL))
    return "error";
  if (answer == QOIMA_DOCUMENT_WAITING && qoima_act_get_state_reason (act) != NULL)
    return "warning";
  return "dim-label";
}

static void
set_style (GtkWidget  *widget,
           const char *css)
{
  static const char * const classes[] = { "error", "warning", "dim-label" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (widget, classes[i]);
  if (css != NULL)
    gtk_widget_add_css_class (widget, css);
}

static void
update (QoimaActRow *self)
{
  QoimaAct *act = self->item;
  g_autofree char *date = NULL;
  g_autofree char *progress = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *deadline = NULL;
  const char *css = NULL;
  gboolean waiting;

  if (act == NULL)
    return;

  date = qoima_format_iso_date (qoima_act_get_transfer_date (act));
  progress = qoima_act_row_progress_text (act);
  /* Translators: an act in the list: its number, its date, then how far it got
   * ("3 of 24 packs scanned", "Accepted: 24 packs added to stock"). */
  subtitle = g_strdup_printf (_("Act %s of %s · %s"),
                              qoima_act_get_number (act) != NULL ? qoima_act_get_number (act) : "—",
                              date, progress);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self),
                                 qoima_act_get_sender_name (act) != NULL ? qoima_act_get_sender_name (act)
                                                                         : qoima_act_get_sender_bin (act));
  /* Why the answer waits, is not recorded, or was refused: on the row, where the chief looks. */
  if (qoima_act_get_state_reason (act) != NULL)
    {
      g_autofree char *with_reason = g_strdup_printf ("%s\n%s", subtitle, qoima_act_get_state_reason (act));

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self), with_reason);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self), 3);
    }
  else
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self), 0);
    }

  /* Only an act waiting for an answer can be chosen for signing. The prefix box goes with
   * the check, so that a row without one keeps its title where it was. */
  waiting = qoima_act_get_status (act) == QOIMA_ACT_STATUS_WAITING;
  gtk_widget_set_visible (GTK_WIDGET (self->check), waiting);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->check)), waiting);
  if (!waiting)
    gtk_check_button_set_active (self->check, FALSE);

  deadline = qoima_act_row_deadline_text (act, &css);
  gtk_label_set_text (self->deadline_label, deadline != NULL ? deadline : "");
  gtk_widget_set_visible (GTK_WIDGET (self->deadline_label), deadline != NULL);
  set_style (GTK_WIDGET (self->deadline_label), css);

  gtk_label_set_text (self->state_label, qoima_act_get_state_label (act));
  set_style (GTK_WIDGET (self->state_label), state_css (act));
}

static void
check_toggled_cb (QoimaActRow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

static void
qoima_act_row_dispose (GObject *object)
{
  QoimaActRow *self = QOIMA_ACT_ROW (object);

  g_clear_object (&self->item);

  G_OBJECT_CLASS (qoima_act_row_parent_class)->dispose (object);
}

static void
qoima_act_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  QoimaActRow *self = QOIMA_ACT_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, qoima_act_row_get_item (self));
      break;

    case PROP_SELECTED:
      g_value_set_boolean (value, qoima_act_row_get_selected (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_act_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  QoimaActRow *self = QOIMA_ACT_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      qoima_act_row_set_item (self, g_value_get_object (value));
      break;

    case PROP_SELECTED:
      qoima_act_row_set_selected (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_act_row_class_init (QoimaActRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_act_row_dispose;
  object_class->get_property = qoima_act_row_get_property;
  object_class->set_property = qoima_act_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL,
                         QOIMA_TYPE_ACT,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  properties[PROP_SELECTED] =
    g_param_spec_boolean ("selected", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/rows/qoima-act-row.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaActRow, check);
  gtk_widget_class_bind_template_child (widget_class, QoimaActRow, deadline_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaActRow, state_label);
}

static void
qoima_act_row_init (QoimaActRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->check, "toggled", G_CALLBACK (check_toggled_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
qoima_act_row_new (QoimaAct *item)
{
  return g_object_new (QOIMA_TYPE_ACT_ROW, "item", item, NULL);
}

QoimaAct *
qoima_act_row_get_item (QoimaActRow *self)
{
  g_return_val_if_fail (QOIMA_IS_ACT_ROW (self), NULL);

  return self->item;
}

void
qoima_act_row_set_item (QoimaActRow *self,
                        QoimaAct    *item)
{
  g_return_if_fail (QOIMA_IS_ACT_ROW (self));
  g_return_if_fail (item == NULL || QOIMA_IS_ACT (item));

  if (!g_set_object (&self->item, item))
    return;

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

gboolean
qoima_act_row_get_selected (QoimaActRow *self)
{
  g_return_val_if_fail (QOIMA_IS_ACT_ROW (self), FALSE);

  return gtk_check_button_get_active (self->check);
}

void
qoima_act_row_set_selected (QoimaActRow *self,
                            gboolean     selected)
{
  g_return_if_fail (QOIMA_IS_ACT_ROW (self));

  if (selected && (self->item == NULL || qoima_act_get_status (self->item) != QOIMA_ACT_STATUS_WAITING))
    return;
  /* The check notifies ::selected through its ::toggled. */
  gtk_check_button_set_active (self->check, selected);
}
