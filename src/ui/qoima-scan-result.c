/* qoima-scan-result.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-scan-result"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-scan-result.h"

#include "qoima-label-print.h"

#include "qoima-date.h"
#include "qoima-location.h"
#include "qoima-product.h"
#include "qoima-types.h"

#include <stdio.h>

struct _QoimaScanResult
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkLabel            *batch_label;
  GtkLabel            *details_label;
  GtkLabel            *expiry_label;
  GtkLabel            *failed_label;
  GtkLabel            *gtin_label;
  GtkLabel            *invalid_code_label;
  GtkLabel            *invalid_message_label;
  GtkLabel            *location_label;
  GtkWidget           *pages;
  GtkLabel            *product_label;
  GtkLabel            *recovered_label;
  GtkLabel            *serial_label;
  GtkSpinner          *spinner;
  GtkLabel            *status_label;
  GtkLabel            *units_label;
  GtkLabel            *unknown_label;

  /* Owned references */
  QoimaMarkingCode    *code;
  QoimaPack           *pack;
  char                *message;

  /* State */
  QoimaScanResultState state;
};

G_DEFINE_FINAL_TYPE (QoimaScanResult, qoima_scan_result, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_PACK,
  PROP_STATE,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

GType
qoima_scan_result_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { QOIMA_SCAN_RESULT_STATE_NONE, "QOIMA_SCAN_RESULT_STATE_NONE", "none" },
        { QOIMA_SCAN_RESULT_STATE_BUSY, "QOIMA_SCAN_RESULT_STATE_BUSY", "busy" },
        { QOIMA_SCAN_RESULT_STATE_FOUND, "QOIMA_SCAN_RESULT_STATE_FOUND", "found" },
        { QOIMA_SCAN_RESULT_STATE_UNKNOWN, "QOIMA_SCAN_RESULT_STATE_UNKNOWN", "unknown" },
        { QOIMA_SCAN_RESULT_STATE_INVALID, "QOIMA_SCAN_RESULT_STATE_INVALID", "invalid" },
        { QOIMA_SCAN_RESULT_STATE_FAILED, "QOIMA_SCAN_RESULT_STATE_FAILED", "failed" },
        { 0, NULL, NULL }
      };
      GType type = g_enum_register_static (g_intern_static_string ("QoimaScanResultState"), values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

static void
set_state (QoimaScanResult     *self,
           QoimaScanResultState state)
{
  static const char *pages[] = {
    [QOIMA_SCAN_RESULT_STATE_NONE] = NULL,
    [QOIMA_SCAN_RESULT_STATE_BUSY] = "busy",
    [QOIMA_SCAN_RESULT_STATE_FOUND] = "found",
    [QOIMA_SCAN_RESULT_STATE_UNKNOWN] = "unknown",
    [QOIMA_SCAN_RESULT_STATE_INVALID] = "invalid",
    [QOIMA_SCAN_RESULT_STATE_FAILED] = "failed",
  };

  g_assert (state < G_N_ELEMENTS (pages));

  /* The card keeps showing the last answer while it slides away. */
  if (pages[state] != NULL)
    for (GtkWidget *page = gtk_widget_get_first_child (self->pages); page != NULL; page = gtk_widget_get_next_sibling (page))
      gtk_widget_set_visible (page, g_str_equal (gtk_widget_get_name (page), pages[state]));
  gtk_spinner_set_spinning (self->spinner, state == QOIMA_SCAN_RESULT_STATE_BUSY);
  /* The revealer is the bin's child, not a bound template child: a bound one would be
   * unparented twice on dispose, once by the template and once by AdwBin. */
  gtk_revealer_set_reveal_child (GTK_REVEALER (adw_bin_get_child (ADW_BIN (self))),
                                 state != QOIMA_SCAN_RESULT_STATE_NONE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scan-result.dismiss",
                                 state != QOIMA_SCAN_RESULT_STATE_NONE);
  /* Only a pack found in the store has a code of its own to print. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scan-result.print-label",
                                 state == QOIMA_SCAN_RESULT_STATE_FOUND && self->pack != NULL);

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_code (QoimaScanResult        *self,
          const QoimaMarkingCode *code)
{
  g_clear_pointer (&self->code, qoima_marking_code_free);
  if (code != NULL)
    self->code = qoima_marking_code_copy (code);
}

static void
set_pack (QoimaScanResult *self,
          QoimaPack       *pack)
{
  if (g_set_object (&self->pack, pack))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PACK]);
}

static void
set_message (QoimaScanResult *self,
             const char      *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
}

static void
remove_classes (GtkWidget          *widget,
                const char * const *classes)
{
  for (unsigned i = 0; classes[i] != NULL; i++)
    gtk_widget_remove_css_class (widget, classes[i]);
}

static char *
format_expiry (const char *iso_date)
{
  int year, month, day;

  if (iso_date == NULL || sscanf (iso_date, "%d-%d-%d", &year, &month, &day) != 3)
    return NULL;
  return qoima_format_iso_date (iso_date);
}

static int
days_until (const char *iso_date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate today;
  GDate date;
  int year, month, day;

  if (iso_date == NULL || sscanf (iso_date, "%d-%d-%d", &year, &month, &day) != 3 ||
      !g_date_valid_dmy (day, month, year))
    return G_MAXINT;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today,
                  g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now),
                  g_date_time_get_year (now));
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);

  return g_date_days_between (&today, &date);
}

static const char *
status_style (QoimaPackStatus status)
{
  switch (status)
    {
    case QOIMA_PACK_STATUS_IN_STOCK:
      return "success";
    case QOIMA_PACK_STATUS_OPENED:
      return "accent";
    case QOIMA_PACK_STATUS_USED_UP:
    case QOIMA_PACK_STATUS_WITHDRAWN:
    case QOIMA_PACK_STATUS_WRITTEN_OFF:
      return "error";
    default:
      return "dim-label";
    }
}

static void
dismiss_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  qoima_scan_result_clear (QOIMA_SCAN_RESULT (widget));
}

static void
qoima_scan_result_dispose (GObject *object)
{
  QoimaScanResult *self = QOIMA_SCAN_RESULT (object);

  g_clear_object (&self->pack);

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_SCAN_RESULT);

  G_OBJECT_CLASS (qoima_scan_result_parent_class)->dispose (object);
}

static void
qoima_scan_result_finalize (GObject *object)
{
  QoimaScanResult *self = QOIMA_SCAN_RESULT (object);

  g_clear_pointer (&self->code, qoima_marking_code_free);
  g_clear_pointer (&self->message, g_free);

  G_OBJECT_CLASS (qoima_scan_result_parent_class)->finalize (object);
}

static void
qoima_scan_result_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  QoimaScanResult *self = QOIMA_SCAN_RESULT (object);

  switch (prop_id)
    {
    case PROP_PACK:
      g_value_set_object (value, qoima_scan_result_get_pack (self));
      break;

    case PROP_STATE:
      g_value_set_enum (value, qoima_scan_result_get_state (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
print_label_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  QoimaScanResult *self = QOIMA_SCAN_RESULT (widget);
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GError) local_error = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->pack == NULL || qoima_pack_get_km (self->pack) == NULL)
    return;

  operation = qoima_label_print_operation_new (self->pack);
  /* The dialog runs on its own; the operation keeps itself alive until it is done. */
  gtk_print_operation_set_allow_async (operation, TRUE);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                               &local_error) == GTK_PRINT_OPERATION_RESULT_ERROR)
    gtk_widget_activate_action (widget, "win.add-toast", "s", local_error->message);
}

static void
qoima_scan_result_class_init (QoimaScanResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_scan_result_dispose;
  object_class->finalize = qoima_scan_result_finalize;
  object_class->get_property = qoima_scan_result_get_property;

  properties[PROP_PACK] =
    g_param_spec_object ("pack", NULL, NULL,
                         QOIMA_TYPE_PACK,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       QOIMA_TYPE_SCAN_RESULT_STATE,
                       QOIMA_SCAN_RESULT_STATE_NONE,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/qoima-scan-result.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, batch_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, details_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, expiry_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, failed_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, gtin_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, invalid_code_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, invalid_message_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, location_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, pages);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, product_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, recovered_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, serial_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, spinner);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, status_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, units_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScanResult, unknown_label);

  gtk_widget_class_install_action (widget_class, "scan-result.dismiss", NULL, dismiss_action);
  gtk_widget_class_install_action (widget_class, "scan-result.print-label", NULL, print_label_action);

  gtk_widget_class_set_css_name (widget_class, "scanresult");
}

static void
qoima_scan_result_init (QoimaScanResult *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  set_state (self, QOIMA_SCAN_RESULT_STATE_NONE);
}

QoimaScanResultState
qoima_scan_result_get_state (QoimaScanResult *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_RESULT (self), QOIMA_SCAN_RESULT_STATE_NONE);

  return self->state;
}

const QoimaMarkingCode *
qoima_scan_result_get_code (QoimaScanResult *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_RESULT (self), NULL);

  return self->code;
}

QoimaPack *
qoima_scan_result_get_pack (QoimaScanResult *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_RESULT (self), NULL);

  return self->pack;
}

const char *
qoima_scan_result_get_message (QoimaScanResult *self)
{
  g_return_val_if_fail (QOIMA_IS_SCAN_RESULT (self), NULL);

  return self->message;
}

void
qoima_scan_result_show_busy (QoimaScanResult        *self,
                             const QoimaMarkingCode *code)
{
  g_return_if_fail (QOIMA_IS_SCAN_RESULT (self));
  g_return_if_fail (code != NULL);

  set_code (self, code);
  set_pack (self, NULL);
  set_message (self, NULL);
  set_state (self, QOIMA_SCAN_RESULT_STATE_BUSY);
}

void
qoima_scan_result_show_pack (QoimaScanResult        *self,
                             const QoimaMarkingCode *code,
                             QoimaPack              *pack,
                             int                     warning_days)
{
  static const char * const status_classes[] = { "success", "accent", "error", "dim-label", NULL };
  static const char * const expiry_classes[] = { "expired", "expiring", NULL };
  QoimaProduct *product;
  QoimaLocation *location;
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *expiry = NULL;
  g_autofree char *units = NULL;
  const char *parts[3];
  int days;

  g_return_if_fail (QOIMA_IS_SCAN_RESULT (self));
  g_return_if_fail (code != NULL);
  g_return_if_fail (QOIMA_IS_PACK (pack));

  set_code (self, code);
  set_pack (self, pack);
  set_message (self, NULL);

  product = qoima_pack_get_product (pack);
  location = qoima_pack_get_location (pack);

  gtk_label_set_label (self->product_label,
                       product != NULL ? qoima_product_get_name (product) : _("Unknown product"));

  if (product != NULL)
    {
      parts[0] = qoima_product_get_inn (product);
      parts[1] = qoima_product_get_form (product);
      parts[2] = qoima_product_get_dosage (product);
      for (unsigned i = 0; i < G_N_ELEMENTS (parts); i++)
        {
          if (parts[i] == NULL || parts[i][0] == '\0')
            continue;
          if (details->len > 0)
            g_string_append (details, " · ");
          g_string_append (details, parts[i]);
        }
    }
  gtk_label_set_label (self->details_label, details->str);
  gtk_widget_set_visible (GTK_WIDGET (self->details_label), details->len > 0);

  gtk_label_set_label (self->status_label, qoima_pack_status_to_label (qoima_pack_get_status (pack)));
  remove_classes (GTK_WIDGET (self->status_label), status_classes);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), status_style (qoima_pack_get_status (pack)));

  gtk_label_set_label (self->gtin_label, code->gtin != NULL ? code->gtin : "—");
  gtk_label_set_label (self->serial_label, code->serial != NULL ? code->serial : "—");
  gtk_label_set_label (self->batch_label,
                       qoima_pack_get_batch (pack) != NULL ? qoima_pack_get_batch (pack) : "—");

  remove_classes (GTK_WIDGET (self->expiry_label), expiry_classes);
  expiry = format_expiry (qoima_pack_get_expiry (pack));
  days = days_until (qoima_pack_get_expiry (pack));
  if (expiry == NULL)
    {
      gtk_label_set_label (self->expiry_label, "—");
    }
  else if (days < 0)
    {
      g_autofree char *text = g_strdup_printf (_("%s, expired"), expiry);

      gtk_label_set_label (self->expiry_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->expiry_label), "expired");
    }
  else if (days <= warning_days)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (ngettext ("%s, in %d day", "%s, in %d days", days),
                              expiry, days);
      gtk_label_set_label (self->expiry_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->expiry_label), "expiring");
    }
  else
    {
      gtk_label_set_label (self->expiry_label, expiry);
    }

  gtk_label_set_label (self->location_label,
                       location != NULL ? qoima_location_get_name (location) : "—");

  if (product != NULL && qoima_product_get_units_per_pack (product) > 0)
    /* Translators: units left in a pack, "7 of 10". */
    units = g_strdup_printf (_("%d of %d"),
                             qoima_pack_get_units_left (pack),
                             qoima_product_get_units_per_pack (product));
  else
    units = g_strdup_printf ("%d", qoima_pack_get_units_left (pack));
  gtk_label_set_label (self->units_label, units);

  /* A recovered scan is correct, but says the scanner set-up is not right: tell it
   * quietly, with what was repaired for whoever looks closer. */
  gtk_widget_set_visible (GTK_WIDGET (self->recovered_label), code->recovered);
  if (code->recovered && code->warnings != NULL)
    {
      g_autoptr(GString) tooltip = g_string_new (NULL);

      for (unsigned i = 0; i < code->warnings->len; i++)
        {
          if (tooltip->len > 0)
            g_string_append (tooltip, ", ");
          g_string_append (tooltip, g_ptr_array_index (code->warnings, i));
        }
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->recovered_label), tooltip->str);
    }

  set_state (self, QOIMA_SCAN_RESULT_STATE_FOUND);
}

void
qoima_scan_result_show_unknown (QoimaScanResult        *self,
                                const QoimaMarkingCode *code)
{
  g_autofree char *text = NULL;

  g_return_if_fail (QOIMA_IS_SCAN_RESULT (self));
  g_return_if_fail (code != NULL);

  set_code (self, code);
  set_pack (self, NULL);
  set_message (self, NULL);

  if (code->kind == QOIMA_CODE_KIND_BOX)
    /* Translators: %s is an SSCC, the 18-digit code of a transport box. */
    text = g_strdup_printf (_("Box SSCC %s. Boxes are known once their incoming act is received."),
                            code->sscc != NULL ? code->sscc : "");
  else
    /* Translators: the GTIN and serial number of a scanned pack. */
    text = g_strdup_printf (_("GTIN %s · serial %s"),
                            code->gtin != NULL ? code->gtin : "",
                            code->serial != NULL ? code->serial : "");
  gtk_label_set_label (self->unknown_label, text);

  set_state (self, QOIMA_SCAN_RESULT_STATE_UNKNOWN);
}

void
qoima_scan_result_show_invalid (QoimaScanResult *self,
                                const char      *text,
                                int              position,
                                const GError    *error)
{
  g_autofree char *markup = NULL;

  g_return_if_fail (QOIMA_IS_SCAN_RESULT (self));
  g_return_if_fail (text != NULL);
  g_return_if_fail (error != NULL);

  set_code (self, NULL);
  set_pack (self, NULL);
  set_message (self, error->message);

  gtk_label_set_label (self->invalid_message_label, error->message);
  markup = qoima_scan_result_markup_code (text, position);
  gtk_label_set_markup (self->invalid_code_label, markup);
  gtk_widget_set_visible (GTK_WIDGET (self->invalid_code_label), text[0] != '\0');

  set_state (self, QOIMA_SCAN_RESULT_STATE_INVALID);
}

void
qoima_scan_result_show_failed (QoimaScanResult        *self,
                               const QoimaMarkingCode *code,
                               const GError           *error)
{
  g_return_if_fail (QOIMA_IS_SCAN_RESULT (self));
  g_return_if_fail (error != NULL);

  set_code (self, code);
  set_pack (self, NULL);
  set_message (self, error->message);

  gtk_label_set_label (self->failed_label, error->message);

  set_state (self, QOIMA_SCAN_RESULT_STATE_FAILED);
}

void
qoima_scan_result_clear (QoimaScanResult *self)
{
  g_return_if_fail (QOIMA_IS_SCAN_RESULT (self));

  set_code (self, NULL);
  set_pack (self, NULL);
  set_message (self, NULL);
  set_state (self, QOIMA_SCAN_RESULT_STATE_NONE);
}

/* A control character as text any font can draw: "⟨GS⟩" for the GS1 separator. */
static char *
control_name (gunichar c)
{
  switch (c)
    {
    case 0x04: return g_strdup ("⟨EOT⟩");
    case 0x09: return g_strdup ("⟨TAB⟩");
    case 0x0a: return g_strdup ("⟨LF⟩");
    case 0x0d: return g_strdup ("⟨CR⟩");
    case 0x1d: return g_strdup ("⟨GS⟩");
    case 0x1e: return g_strdup ("⟨RS⟩");
    case 0x7f: return g_strdup ("⟨DEL⟩");
    default: return g_strdup_printf ("⟨%02X⟩", (unsigned) c);
    }
}

char *
qoima_scan_result_markup_code (const char *text,
                               int         position)
{
  g_autoptr(GString) markup = g_string_new (NULL);
  int index = 0;

  g_return_val_if_fail (text != NULL, NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p), index++)
    {
      gunichar c = g_utf8_get_char_validated (p, -1);
      gboolean highlight = index == position;
      char buffer[8];
      int len;

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;

      if (highlight)
        g_string_append (markup, "<span background=\"#e01b24\" foreground=\"#ffffff\" weight=\"bold\">");

      if (c < 0x20 || c == 0x7f)
        {
          /* Control characters (GS above all) would be invisible, and the Unicode "symbol
           * for" glyphs (␝) are in few fonts, so they showed as empty boxes: their name in
           * angle brackets instead, dimmed unless it is the culprit. */
          g_autofree char *name = control_name (c);

          if (!highlight)
            g_string_append (markup, "<span alpha=\"55%\">");
          g_string_append (markup, name);
          if (!highlight)
            g_string_append (markup, "</span>");
        }
      else
        {
          g_autofree char *escaped = NULL;

          len = g_unichar_to_utf8 (c, buffer);
          buffer[len] = '\0';
          escaped = g_markup_escape_text (buffer, len);
          g_string_append (markup, escaped);
        }

      if (highlight)
        g_string_append (markup, "</span>");
    }

  /* The error may point just past the end: a code cut short. */
  if (position >= index)
    g_string_append (markup, "<span background=\"#e01b24\" foreground=\"#ffffff\" weight=\"bold\"> </span>");

  return g_string_free (g_steal_pointer (&markup), FALSE);
}
