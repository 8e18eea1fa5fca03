/* qoima-withdrawal-document-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-withdrawal-document-row"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-withdrawal-document-row.h"

#include "qoima-enums.h"
#include "qoima-i18n.h"
#include "qoima-json.h"
#include "qoima-store-outbox.h"
#include "qoima-types.h"

struct _QoimaWithdrawalDocumentRow
{
  AdwActionRow parent_instance;

  /* Owned references */
  JsonObject *item;

  /* State */
  guint       n_packs;
};

G_DEFINE_FINAL_TYPE (QoimaWithdrawalDocumentRow, qoima_withdrawal_document_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_ITEM,
  PROP_N_PACKS,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* The document's state as the core words it (qoima_document_state_to_label()), and why,
 * when there is a why (no network, no AUTH key, ИС МПТ's refusal…). */
static void
update (QoimaWithdrawalDocumentRow *self)
{
  JsonObject *item = self->item;
  const char *document;
  const char *label;
  const char *reason;
  int state = -1;
  g_autofree char *subtitle = NULL;
  g_autofree char *count = NULL;
  g_autofree char *packs = NULL;

  if (item == NULL)
    return;

  document = qoima_json_get_string (item, "document");
  if (document != NULL)
    {
      label = qoima_json_get_string (item, "state_label");
      reason = qoima_json_get_string (item, "state_reason");
      qoima_enum_from_nick (QOIMA_TYPE_DOCUMENT_STATE, qoima_json_get_string (item, "state"), FALSE, &state);
    }
  else
    {
      /* Owed again: the refused document keeps its row, so that its reason stays in sight. */
      document = qoima_json_get_string (item, "refused_document");
      state = QOIMA_DOCUMENT_REFUSED;
      label = qoima_document_state_to_label (QOIMA_DOCUMENT_REFUSED);
      reason = qoima_json_get_string (item, "refused_errors");
    }

  count = qoima_format_count (self->n_packs);
  /* Translators: a count of packs, grouped in thousands. */
  packs = g_strdup_printf (ngettext ("%s pack", "%s packs", self->n_packs), count);
  subtitle = reason != NULL ? g_strdup_printf ("%s · %s: %s", packs, label, reason)
                            : g_strdup_printf ("%s · %s", packs, label);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), document);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);

  gtk_widget_remove_css_class (GTK_WIDGET (self), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "warning");
  if (state == QOIMA_DOCUMENT_REFUSED || state == QOIMA_DOCUMENT_NOT_RECORDED)
    gtk_widget_add_css_class (GTK_WIDGET (self), "error");
  else if (state == QOIMA_DOCUMENT_WAITING && reason != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self), "warning");
}

static void
qoima_withdrawal_document_row_finalize (GObject *object)
{
  QoimaWithdrawalDocumentRow *self = QOIMA_WITHDRAWAL_DOCUMENT_ROW (object);

  g_clear_pointer (&self->item, json_object_unref);

  G_OBJECT_CLASS (qoima_withdrawal_document_row_parent_class)->finalize (object);
}

static void
qoima_withdrawal_document_row_get_property (GObject    *object,
                                            guint       prop_id,
                                            GValue     *value,
                                            GParamSpec *pspec)
{
  QoimaWithdrawalDocumentRow *self = QOIMA_WITHDRAWAL_DOCUMENT_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_boxed (value, self->item);
      break;

    case PROP_N_PACKS:
      g_value_set_uint (value, self->n_packs);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_withdrawal_document_row_set_property (GObject      *object,
                                            guint         prop_id,
                                            const GValue *value,
                                            GParamSpec   *pspec)
{
  QoimaWithdrawalDocumentRow *self = QOIMA_WITHDRAWAL_DOCUMENT_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      qoima_withdrawal_document_row_set_item (self, g_value_get_boxed (value));
      break;

    case PROP_N_PACKS:
      qoima_withdrawal_document_row_set_n_packs (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_withdrawal_document_row_class_init (QoimaWithdrawalDocumentRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = qoima_withdrawal_document_row_finalize;
  object_class->get_property = qoima_withdrawal_document_row_get_property;
  object_class->set_property = qoima_withdrawal_document_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_boxed ("item", NULL, NULL,
                        JSON_TYPE_OBJECT,
                        (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  properties[PROP_N_PACKS] =
    g_param_spec_uint ("n-packs", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/rows/qoima-withdrawal-document-row.ui");
}

static void
qoima_withdrawal_document_row_init (QoimaWithdrawalDocumentRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
qoima_withdrawal_document_row_new (JsonObject *item,
                                   guint       n_packs)
{
  return g_object_new (QOIMA_TYPE_WITHDRAWAL_DOCUMENT_ROW, "n-packs", n_packs, "item", item, NULL);
}

JsonObject *
qoima_withdrawal_document_row_get_item (QoimaWithdrawalDocumentRow *self)
{
  g_return_val_if_fail (QOIMA_IS_WITHDRAWAL_DOCUMENT_ROW (self), NULL);

  return self->item;
}

void
qoima_withdrawal_document_row_set_item (QoimaWithdrawalDocumentRow *self,
                                        JsonObject                 *item)
{
  g_return_if_fail (QOIMA_IS_WITHDRAWAL_DOCUMENT_ROW (self));

  if (self->item == item)
    return;

  g_clear_pointer (&self->item, json_object_unref);
  if (item != NULL)
    self->item = json_object_ref (item);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

guint
qoima_withdrawal_document_row_get_n_packs (QoimaWithdrawalDocumentRow *self)
{
  g_return_val_if_fail (QOIMA_IS_WITHDRAWAL_DOCUMENT_ROW (self), 0);

  return self->n_packs;
}

void
qoima_withdrawal_document_row_set_n_packs (QoimaWithdrawalDocumentRow *self,
                                           guint                       n_packs)
{
  g_return_if_fail (QOIMA_IS_WITHDRAWAL_DOCUMENT_ROW (self));

  if (self->n_packs == n_packs)
    return;

  self->n_packs = n_packs;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PACKS]);
}
