/* qoima-fund-base-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-fund-base-row"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-fund-base-row.h"

struct _QoimaFundBaseRow
{
  AdwExpanderRow parent_instance;

  /* Template widgets */
  GtkButton      *attach_button;
  GtkButton      *delete_button;
  AdwEntryRow    *kato_row;
  GtkLabel       *kato_problem;
  GtkListBoxRow  *kato_problem_row;
  GtkLabel       *kato_source;
  AdwEntryRow    *latitude_row;
  GtkLabel       *latitude_problem;
  GtkListBoxRow  *latitude_problem_row;
  AdwEntryRow    *longitude_row;
  GtkLabel       *longitude_problem;
  GtkListBoxRow  *longitude_problem_row;
  AdwActionRow   *permit_row;
  GtkLabel       *permit_problem;
  GtkListBoxRow  *permit_problem_row;

  /* The subtypes' rows, made for the kinds of care chosen (borrowed from the row) */
  GPtrArray      *subtype_rows;  /* AdwActionRow with its GtkCheckButton as "check" */
  GtkLabel       *subtypes_problem;
  GtkListBoxRow  *subtypes_problem_row;

  /* Owned */
  QoimaFundBase  *item;

  gboolean        editable;
  gboolean        filling;       /* the item is being shown: not an edit */
};

G_DEFINE_FINAL_TYPE (QoimaFundBaseRow, qoima_fund_base_row, ADW_TYPE_EXPANDER_ROW)

enum {
  PROP_0,
  PROP_ITEM,
  PROP_EDITABLE,
  N_PROPS,
};

enum {
  SIGNAL_DELETE_REQUESTED,
  SIGNAL_ATTACH_REQUESTED,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* A decimal comma is how many here type it. */
static gboolean
parse_degrees (const char *text,
               double     *value)
{
  g_autofree char *copy = g_strstrip (g_strdelimit (g_strdup (text != NULL ? text : ""), ",", '.'));
  char *end = NULL;

  if (copy[0] == '\0')
    return FALSE;
  *value = g_ascii_strtod (copy, &end);
  return end != NULL && *end == '\0';
}

static void
position_changed_cb (QoimaFundBaseRow *self)
{
  double latitude, longitude;

  if (self->filling || self->item == NULL)
    return;
  self->item->has_position = parse_degrees (gtk_editable_get_text (GTK_EDITABLE (self->latitude_row)), &latitude) &&
                             parse_degrees (gtk_editable_get_text (GTK_EDITABLE (self->longitude_row)), &longitude);
  self->item->latitude = self->item->has_position ? latitude : 0;
  self->item->longitude = self->item->has_position ? longitude : 0;
}

static void
kato_changed_cb (QoimaFundBaseRow *self)
{
  const char *text;

  if (self->filling || self->item == NULL)
    return;
  text = gtk_editable_get_text (GTK_EDITABLE (self->kato_row));
  g_free (self->item->kato);
  self->item->kato = text[0] != '\0' ? g_strstrip (g_strdup (text)) : NULL;
}

static void
update_permit (QoimaFundBaseRow *self)
{
  const QoimaFundAttachment *permit = self->item != NULL ? self->item->permit : NULL;
  g_autofree char *size = permit != NULL ? g_format_size ((guint64) permit->size) : NULL;
  g_autofree char *text = permit != NULL ? g_strdup_printf ("%s, %s", permit->name, size) : NULL;

  adw_action_row_set_subtitle (self->permit_row, text != NULL ? text : _("Not attached"));
}

/* How much of the summary the subtypes' names may take, in characters. */
#define SUMMARY_CHARS 50

/* Collapsed, the base says which subtypes of care it has, so that they are seen without
 * opening it (issue 13); its title is its address already. Opened, only where it comes from. */
static void
update_subtitle (QoimaFundBaseRow *self)
{
  const QoimaFundBase *base = self->item;
  g_autofree char *from = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *subtitle = NULL;

  if (base != NULL && base->license != NULL)
    from = g_strdup_printf (_("From license %s"), base->license);
  if (base != NULL && !adw_expander_row_get_expanded (ADW_EXPANDER_ROW (self)))
    {
      guint n = base->subtypes != NULL ? g_strv_length (base->subtypes) : 0;
      g_autofree char *names = qoima_fund_care_join_short_names ((const char * const *) base->subtypes, SUMMARY_CHARS);

      /* TRANSLATORS: %u is how many subtypes of care the production base has, %s their short
       * names ("Стационар, Амбулаторно"), cut with "…" when there are many */
      summary = n > 0 ? g_strdup_printf (ngettext ("%u subtype of care: %s", "%u subtypes of care: %s", n), n, names)
                      : g_strdup (_("No subtype of care chosen"));
    }
  if (from != NULL && summary != NULL)
    subtitle = g_strdup_printf ("%s · %s", from, summary);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self),
                                 subtitle != NULL ? subtitle : from != NULL ? from : summary != NULL ? summary : "");
}

static void
subtype_toggled_cb (QoimaFundBaseRow *self,
                    GParamSpec       *pspec,
                    GtkCheckButton   *check)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (self->filling || self->item == NULL)
    return;
  for (guint i = 0; i < self->subtype_rows->len; i++)
    {
      GObject *row = g_ptr_array_index (self->subtype_rows, i);
      GtkCheckButton *button = g_object_get_data (row, "check");

      if (gtk_check_button_get_active (button))
        g_strv_builder_add (builder, g_object_get_data (row, "code"));
    }
  g_strfreev (self->item->subtypes);
  self->item->subtypes = g_strv_builder_end (builder);
  update_subtitle (self);
}

static GtkListBoxRow *
problem_row_new (GtkLabel **label)
{
  GtkWidget *row = gtk_list_box_row_new ();

  *label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (*label, 0);
  gtk_label_set_wrap (*label, TRUE);
  gtk_widget_set_margin_start (GTK_WIDGET (*label), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (*label), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (*label), 4);
  gtk_widget_set_margin_bottom (GTK_WIDGET (*label), 4);
  gtk_widget_add_css_class (GTK_WIDGET (*label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (*label), "error");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), GTK_WIDGET (*label));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_visible (row, FALSE);
  return GTK_LIST_BOX_ROW (row);
}

void
qoima_fund_base_row_set_choices (QoimaFundBaseRow   *self,
                                 const char * const *codes)
{
  g_return_if_fail (QOIMA_IS_FUND_BASE_ROW (self));

  for (guint i = 0; i < self->subtype_rows->len; i++)
    adw_expander_row_remove (ADW_EXPANDER_ROW (self), g_ptr_array_index (self->subtype_rows, i));
  g_ptr_array_set_size (self->subtype_rows, 0);
  if (self->subtypes_problem_row != NULL)
    adw_expander_row_remove (ADW_EXPANDER_ROW (self), GTK_WIDGET (self->subtypes_problem_row));

  self->filling = TRUE;
  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      const QoimaFundCare *care = qoima_fund_care_lookup (codes[i]);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), care != NULL ? care->name : codes[i]);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Subtype of care at this base"));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   self->item != NULL && self->item->subtypes != NULL &&
                                   g_strv_contains ((const char * const *) self->item->subtypes, codes[i]));
      gtk_widget_set_sensitive (check, self->editable);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_object_set_data (G_OBJECT (row), "check", check);
      g_object_set_data_full (G_OBJECT (row), "code", g_strdup (codes[i]), g_free);
      g_signal_connect_object (check, "notify::active", G_CALLBACK (subtype_toggled_cb), self, G_CONNECT_SWAPPED);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (self), row);
      g_ptr_array_add (self->subtype_rows, row);
    }
  self->filling = FALSE;
  self->subtypes_problem_row = problem_row_new (&self->subtypes_problem);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (self), GTK_WIDGET (self->subtypes_problem_row));
}

static void
show_item (QoimaFundBaseRow *self)
{
  const QoimaFundBase *base = self->item;
  g_autofree char *latitude = NULL;
  g_autofree char *longitude = NULL;

  self->filling = TRUE;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), base != NULL && base->address != NULL ? base->address : "");
  update_subtitle (self);
  if (base != NULL && base->has_position)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      latitude = g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.6f", base->latitude));
      longitude = g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.6f", base->longitude));
    }
  gtk_editable_set_text (GTK_EDITABLE (self->latitude_row), latitude != NULL ? latitude : "");
  gtk_editable_set_text (GTK_EDITABLE (self->longitude_row), longitude != NULL ? longitude : "");
  gtk_editable_set_text (GTK_EDITABLE (self->kato_row), base != NULL && base->kato != NULL ? base->kato : "");
  self->filling = FALSE;
  update_permit (self);
}

GtkWidget *
qoima_fund_base_row_new (const QoimaFundBase *item)
{
  return g_object_new (QOIMA_TYPE_FUND_BASE_ROW, "item", item, NULL);
}

QoimaFundBase *
qoima_fund_base_row_get_item (QoimaFundBaseRow *self)
{
  g_return_val_if_fail (QOIMA_IS_FUND_BASE_ROW (self), NULL);

  return self->item;
}

void
qoima_fund_base_row_set_item (QoimaFundBaseRow    *self,
                              const QoimaFundBase *item)
{
  g_return_if_fail (QOIMA_IS_FUND_BASE_ROW (self));

  g_clear_pointer (&self->item, qoima_fund_base_free);
  self->item = item != NULL ? qoima_fund_base_copy (item) : NULL;
  show_item (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

void
qoima_fund_base_row_set_editable (QoimaFundBaseRow *self,
                                  gboolean          editable)
{
  g_return_if_fail (QOIMA_IS_FUND_BASE_ROW (self));

  self->editable = editable;
  gtk_editable_set_editable (GTK_EDITABLE (self->latitude_row), editable);
  gtk_editable_set_editable (GTK_EDITABLE (self->longitude_row), editable);
  gtk_editable_set_editable (GTK_EDITABLE (self->kato_row), editable);
  gtk_widget_set_visible (GTK_WIDGET (self->attach_button), editable);
  gtk_widget_set_visible (GTK_WIDGET (self->delete_button), editable);
  for (guint i = 0; i < self->subtype_rows->len; i++)
    gtk_widget_set_sensitive (g_object_get_data (g_ptr_array_index (self->subtype_rows, i), "check"), editable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITABLE]);
}

void
qoima_fund_base_row_set_permit (QoimaFundBaseRow    *self,
                                QoimaFundAttachment *permit)
{
  g_return_if_fail (QOIMA_IS_FUND_BASE_ROW (self));
  g_return_if_fail (self->item != NULL);

  qoima_fund_attachment_free (self->item->permit);
  self->item->permit = permit;
  update_permit (self);
}

void
qoima_fund_base_row_set_text (QoimaFundBaseRow *self,
                              const char       *field,
                              const char       *text)
{
  AdwEntryRow *row = NULL;

  g_return_if_fail (QOIMA_IS_FUND_BASE_ROW (self));

  if (g_strcmp0 (field, "latitude") == 0)
    row = self->latitude_row;
  else if (g_strcmp0 (field, "longitude") == 0)
    row = self->longitude_row;
  else if (g_strcmp0 (field, "kato") == 0)
    row = self->kato_row;
  g_return_if_fail (row != NULL);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

void
qoima_fund_base_row_set_subtype (QoimaFundBaseRow *self,
                                 const char       *code,
                                 gboolean          chosen)
{
  g_return_if_fail (QOIMA_IS_FUND_BASE_ROW (self));

  for (guint i = 0; i < self->subtype_rows->len; i++)
    {
      GObject *row = g_ptr_array_index (self->subtype_rows, i);

      if (g_strcmp0 (g_object_get_data (row, "code"), code) == 0)
        gtk_check_button_set_active (g_object_get_data (row, "check"), chosen);
    }
}

static GtkLabel *
problem_label (QoimaFundBaseRow *self,
               const char       *field)
{
  if (g_strcmp0 (field, "latitude") == 0)
    return self->latitude_problem;
  if (g_strcmp0 (field, "longitude") == 0)
    return self->longitude_problem;
  if (g_strcmp0 (field, "kato") == 0)
    return self->kato_problem;
  if (g_strcmp0 (field, "permit") == 0)
    return self->permit_problem;
  if (g_strcmp0 (field, "subtypes") == 0)
    return self->subtypes_problem;
  return NULL;
}

void
qoima_fund_base_row_show_problem (QoimaFundBaseRow *self,
                                  const char       *field,
                                  const char       *message)
{
  GtkLabel *label;

  g_return_if_fail (QOIMA_IS_FUND_BASE_ROW (self));

  if (field == NULL)
    {
      static const char * const fields[] = { "latitude", "longitude", "kato", "permit", "subtypes" };

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        qoima_fund_base_row_show_problem (self, fields[i], NULL);
      return;
    }
  label = problem_label (self, field);
  g_return_if_fail (label != NULL);
  gtk_label_set_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (label)), message != NULL);
  /* A problem is seen at once: the base opens to show it. */
  if (message != NULL)
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (self), TRUE);
}

const char *
qoima_fund_base_row_get_problem (QoimaFundBaseRow *self,
                                 const char       *field)
{
  GtkLabel *label;

  g_return_val_if_fail (QOIMA_IS_FUND_BASE_ROW (self), NULL);

  label = problem_label (self, field);
  if (label == NULL || !gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (label))))
    return NULL;
  return gtk_label_get_text (label);
}

static void
delete_clicked_cb (QoimaFundBaseRow *self)
{
  g_signal_emit (self, signals[SIGNAL_DELETE_REQUESTED], 0);
}

static void
attach_clicked_cb (QoimaFundBaseRow *self)
{
  g_signal_emit (self, signals[SIGNAL_ATTACH_REQUESTED], 0);
}

static void
qoima_fund_base_row_finalize (GObject *object)
{
  QoimaFundBaseRow *self = QOIMA_FUND_BASE_ROW (object);

  g_clear_pointer (&self->item, qoima_fund_base_free);
  g_clear_pointer (&self->subtype_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (qoima_fund_base_row_parent_class)->finalize (object);
}

static void
qoima_fund_base_row_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  QoimaFundBaseRow *self = QOIMA_FUND_BASE_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_boxed (value, self->item);
      break;

    case PROP_EDITABLE:
      g_value_set_boolean (value, self->editable);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_fund_base_row_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  QoimaFundBaseRow *self = QOIMA_FUND_BASE_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      qoima_fund_base_row_set_item (self, g_value_get_boxed (value));
      break;

    case PROP_EDITABLE:
      qoima_fund_base_row_set_editable (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_fund_base_row_class_init (QoimaFundBaseRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = qoima_fund_base_row_finalize;
  object_class->get_property = qoima_fund_base_row_get_property;
  object_class->set_property = qoima_fund_base_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_boxed ("item", NULL, NULL,
                        QOIMA_TYPE_FUND_BASE,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_EDITABLE] =
    g_param_spec_boolean ("editable", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_DELETE_REQUESTED] =
    g_signal_new ("delete-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_ATTACH_REQUESTED] =
    g_signal_new ("attach-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/rows/qoima-fund-base-row.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, attach_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, delete_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, kato_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, kato_problem);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, kato_problem_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, kato_source);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, latitude_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, latitude_problem);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, latitude_problem_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, longitude_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, longitude_problem);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, longitude_problem_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, permit_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, permit_problem);
  gtk_widget_class_bind_template_child (widget_class, QoimaFundBaseRow, permit_problem_row);
  gtk_widget_class_bind_template_callback (widget_class, position_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, kato_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, delete_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, attach_clicked_cb);
}

static void
qoima_fund_base_row_init (QoimaFundBaseRow *self)
{
  self->editable = TRUE;
  self->subtype_rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "notify::expanded", G_CALLBACK (update_subtitle), NULL);
  qoima_fund_base_row_set_choices (self, NULL);
}
