/* qoima-scanner-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-scanner-page"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-scanner-page.h"

#include "qoima-calibration.h"
#include "qoima-datamatrix.h"

#include <string.h>

/* Pixels per module: big enough for a scanner to read the code off a screen, and a
 * whole number so that every module stays crisp. */
#define CODE_MODULE_SIZE 8
#define CODE_MARGIN      2

struct _QoimaScannerPage
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkButton            *calibrate_button;
  GtkSwitch            *caps_lock_switch;
  GtkLabel             *code_error_label;
  GtkPicture           *code_picture;
  GtkButton            *cancel_button;
  AdwEntryRow          *gs_substitute_row;
  GtkSpinButton        *max_gap_spin;
  AdwEntryRow          *prefix_row;
  AdwPreferencesGroup  *result_group;
  AdwActionRow         *status_row;
  AdwEntryRow          *suffix_row;
  GtkBox               *waiting_box;
  GtkSpinner           *waiting_spinner;

  /* Owned references */
  QoimaContext         *context;
  GPtrArray            *result_rows;

  /* State */
  guint                 calibrating : 1;
  gboolean          started; /* qoima_scanner_page_start() was called */
};

G_DEFINE_FINAL_TYPE (QoimaScannerPage, qoima_scanner_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CALIBRATING,
  PROP_CONTEXT,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static const char *
gs_via_to_nick (QoimaGsVia gs_via,
                gboolean   gs_lost)
{
  if (gs_lost)
    return "lost";

  switch (gs_via)
    {
    case QOIMA_GS_VIA_CONTROL:
      return "control";
    case QOIMA_GS_VIA_F8:
      return "f8";
    case QOIMA_GS_VIA_SUBSTITUTE:
      return "substitute";
    case QOIMA_GS_VIA_NONE:
    default:
      return "";
    }
}

static gboolean
is_plain_terminator (const char *terminator)
{
  return terminator == NULL ||
         terminator[0] == '\0' ||
         g_str_equal (terminator, "\n") ||
         g_str_equal (terminator, "\r") ||
         g_str_equal (terminator, "\r\n") ||
         g_str_equal (terminator, "\t");
}

/* Prefixes and suffixes may hold control characters; show them as escapes. */
static char *
printable (const char *text)
{
  return g_strescape (text != NULL ? text : "", NULL);
}

static void
update_status (QoimaScannerPage *self)
{
  GSettings *settings;
  g_autofree char *gs_via = NULL;
  const char *subtitle;

  if (self->context == NULL)
    {
      adw_action_row_set_subtitle (self->status_row, "");
      return;
    }

  settings = qoima_context_get_settings (self->context);
  gs_via = g_settings_get_string (settings, "scanner-gs-via");

  if (!g_settings_get_boolean (settings, "scanner-calibrated"))
    {
      if (g_str_equal (gs_via, "lost"))
        subtitle = _("Not working: the scanner does not send the separator (GS)");
      else
        subtitle = _("Not calibrated yet");
    }
  else if (g_str_equal (gs_via, "control"))
    subtitle = _("Calibrated: the separator arrives as Ctrl+]");
  else if (g_str_equal (gs_via, "f8"))
    subtitle = _("Calibrated: the separator arrives as F8");
  else if (g_str_equal (gs_via, "substitute"))
    subtitle = _("Calibrated: the separator arrives as replacement text");
  else
    subtitle = _("Calibrated");

  adw_action_row_set_subtitle (self->status_row, subtitle);
}

static void
update_actions (QoimaScannerPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scanner.calibrate",
                                 self->context != NULL && !self->calibrating);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scanner.cancel", self->calibrating);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), self->calibrating);
  gtk_widget_set_visible (GTK_WIDGET (self->calibrate_button), !self->calibrating);
  gtk_widget_set_visible (GTK_WIDGET (self->waiting_box), self->calibrating);
  gtk_spinner_set_spinning (self->waiting_spinner, self->calibrating);
}

static void
clear_result (QoimaScannerPage *self)
{
  for (unsigned i = 0; i < self->result_rows->len; i++)
    adw_preferences_group_remove (self->result_group, g_ptr_array_index (self->result_rows, i));
  g_ptr_array_set_size (self->result_rows, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->result_group), FALSE);
}

static void
add_result_row (QoimaScannerPage *self,
                const char       *icon_name,
                const char       *style_class,
                const char       *title,
                const char       *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (icon, style_class);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  adw_preferences_group_add (self->result_group, row);
  g_ptr_array_add (self->result_rows, row);
  gtk_widget_set_visible (GTK_WIDGET (self->result_group), TRUE);
}

static void
show_result (QoimaScannerPage             *self,
             const QoimaCalibrationResult *result,
             gboolean                      caps_lock)
{
  g_autofree char *prefix = printable (result->prefix);
  g_autofree char *terminator = printable (result->terminator);

  clear_result (self);

  if (!result->ok)
    add_result_row (self, "dialog-error-symbolic", "error",
                    _("The scan did not match the calibration code"),
                    result->problem != NULL ? result->problem : _("Scan the code on this page, not a pack."));

  if (result->gs_lost)
    {
      add_result_row (self, "dialog-warning-symbolic", "warning",
                      _("The separator (GS) does not arrive"),
                      _("Set the scanner to send GS as Ctrl+] (control characters as Ctrl + key) or as the F8 key, then calibrate again. Until then Qoima can only guess where the fields of a code end."));
    }
  else
    {
      switch (result->gs_via)
        {
        case QOIMA_GS_VIA_CONTROL:
          add_result_row (self, "emblem-ok-symbolic", "success",
                          _("The separator (GS) arrives as Ctrl+]"),
                          _("This is the usual way. Nothing to change."));
          break;

        case QOIMA_GS_VIA_F8:
          add_result_row (self, "emblem-ok-symbolic", "success",
                          _("The separator (GS) arrives as the F8 key"),
                          _("Qoima understands it. Nothing to change."));
          break;

        case QOIMA_GS_VIA_SUBSTITUTE:
          {
            g_autofree char *substitute = printable (result->gs_substitute);
            /* Translators: %s is the text a scanner sends instead of the GS character. */
            g_autofree char *title = g_strdup_printf (_("The separator (GS) arrives as the text “%s”"), substitute);

            add_result_row (self, "emblem-ok-symbolic", "success", title,
                            _("From now on Qoima reads this text as the separator."));
          }
          break;

        case QOIMA_GS_VIA_NONE:
        default:
          break;
        }
    }

  if (prefix[0] != '\0')
    {
      /* Translators: %s is what a scanner sends before each code. */
      g_autofree char *title = g_strdup_printf (_("Each code starts with “%s”"), prefix);

      add_result_row (self, "dialog-information-symbolic", "accent", title,
                      _("Qoima removes this prefix from every scan."));
    }

  if (result->terminator == NULL || result->terminator[0] == '\0')
    {
      add_result_row (self, "dialog-information-symbolic", "accent",
                      _("No Enter after a code"),
                      _("Qoima ends a scan after a short pause. Setting Enter as the scanner’s suffix makes scanning quicker."));
    }
  else if (g_str_equal (result->terminator, "\t"))
    {
      add_result_row (self, "emblem-ok-symbolic", "success", _("Each code ends with Tab"), NULL);
    }
  else if (is_plain_terminator (result->terminator))
    {
      add_result_row (self, "emblem-ok-symbolic", "success", _("Each code ends with Enter"), NULL);
    }
  else
    {
      /* Translators: %s is what a scanner sends after each code. */
      g_autofree char *title = g_strdup_printf (_("Each code ends with “%s”"), terminator);

      add_result_row (self, "dialog-information-symbolic", "accent", title,
                      _("Qoima removes this suffix from every scan."));
    }

  if (result->caps_lock_inverts)
    add_result_row (self, "dialog-information-symbolic", "accent",
                    _("Caps Lock inverts letter case"),
                    _("Qoima corrects the case of letters while Caps Lock is on."));
  else if (caps_lock)
    add_result_row (self, "emblem-ok-symbolic", "success",
                    _("Caps Lock does not disturb this scanner"), NULL);
}

static void
store_result (QoimaScannerPage             *self,
              const QoimaCalibrationResult *result)
{
  GSettings *settings = qoima_context_get_settings (self->context);

  g_settings_delay (settings);

  if (result->ok)
    {
      g_settings_set_string (settings, "gs-substitute",
                             result->gs_via == QOIMA_GS_VIA_SUBSTITUTE && result->gs_substitute != NULL
                               ? result->gs_substitute : "");
      g_settings_set_string (settings, "scan-prefix", result->prefix != NULL ? result->prefix : "");
      /* Enter and Tab always end a scan; only an unusual suffix needs remembering. */
      g_settings_set_string (settings, "scan-suffix",
                             is_plain_terminator (result->terminator) ? "" : result->terminator);
      g_settings_set_boolean (settings, "caps-lock-inverts", result->caps_lock_inverts);
    }

  g_settings_set_string (settings, "scanner-gs-via", gs_via_to_nick (result->gs_via, result->gs_lost));
  g_settings_set_boolean (settings, "scanner-calibrated", result->ok && !result->gs_lost);

  g_settings_apply (settings);
}

static void
settings_changed_cb (QoimaScannerPage *self,
                     const char       *key,
                     GSettings        *settings)
{
  update_status (self);
}

static void
calibrate_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  QoimaScannerPage *self = QOIMA_SCANNER_PAGE (widget);

  clear_result (self);
  qoima_scanner_page_set_calibrating (self, TRUE);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  qoima_scanner_page_set_calibrating (QOIMA_SCANNER_PAGE (widget), FALSE);
}

static void
draw_code (QoimaScannerPage *self)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) grey = NULL;
  g_autoptr(GBytes) rgb_bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  const guint8 *pixels;
  guint8 *rgb;
  gsize size;
  int width = 0, height = 0, stride = 0;

  grey = qoima_datamatrix_encode_gs1 (qoima_calibration_code (),
                                      CODE_MODULE_SIZE, CODE_MARGIN,
                                      &width, &height, &stride,
                                      &local_error);
  if (grey == NULL)
    {
      g_warning ("Could not draw the calibration code: %s", local_error->message);
      gtk_label_set_label (self->code_error_label, local_error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->code_error_label), TRUE);
      return;
    }

  pixels = g_bytes_get_data (grey, &size);
  g_assert (size >= (gsize) stride * height);

  /* GTK 4.8 has no 8-bit grey memory format: spread each grey byte to R, G and B. */
  rgb = g_malloc ((gsize) width * height * 3);
  for (int y = 0; y < height; y++)
    {
      const guint8 *row = pixels + (gsize) y * stride;
      guint8 *out = rgb + (gsize) y * width * 3;

      for (int x = 0; x < width; x++)
        out[3 * x] = out[3 * x + 1] = out[3 * x + 2] = row[x];
    }
  rgb_bytes = g_bytes_new_take (rgb, (gsize) width * height * 3);

  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, rgb_bytes, (gsize) width * 3);
  gtk_picture_set_paintable (self->code_picture, GDK_PAINTABLE (texture));
  gtk_widget_set_size_request (GTK_WIDGET (self->code_picture), width, height);
}

static void
qoima_scanner_page_dispose (GObject *object)
{
  QoimaScannerPage *self = QOIMA_SCANNER_PAGE (object);

  g_clear_object (&self->context);

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_SCANNER_PAGE);

  G_OBJECT_CLASS (qoima_scanner_page_parent_class)->dispose (object);
}

static void
qoima_scanner_page_finalize (GObject *object)
{
  QoimaScannerPage *self = QOIMA_SCANNER_PAGE (object);

  g_clear_pointer (&self->result_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (qoima_scanner_page_parent_class)->finalize (object);
}

static void
qoima_scanner_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  QoimaScannerPage *self = QOIMA_SCANNER_PAGE (object);

  switch (prop_id)
    {
    case PROP_CALIBRATING:
      g_value_set_boolean (value, qoima_scanner_page_get_calibrating (self));
      break;

    case PROP_CONTEXT:
      g_value_set_object (value, qoima_scanner_page_get_context (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_scanner_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  QoimaScannerPage *self = QOIMA_SCANNER_PAGE (object);

  switch (prop_id)
    {
    case PROP_CALIBRATING:
      qoima_scanner_page_set_calibrating (self, g_value_get_boolean (value));
      break;

    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_scanner_page_class_init (QoimaScannerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_scanner_page_dispose;
  object_class->finalize = qoima_scanner_page_finalize;
  object_class->get_property = qoima_scanner_page_get_property;
  object_class->set_property = qoima_scanner_page_set_property;

  properties[PROP_CALIBRATING] =
    g_param_spec_boolean ("calibrating", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/pages/qoima-scanner-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, calibrate_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, caps_lock_switch);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, code_error_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, code_picture);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, gs_substitute_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, max_gap_spin);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, prefix_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, result_group);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, suffix_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, waiting_box);
  gtk_widget_class_bind_template_child (widget_class, QoimaScannerPage, waiting_spinner);

  gtk_widget_class_install_action (widget_class, "scanner.calibrate", NULL, calibrate_action);
  gtk_widget_class_install_action (widget_class, "scanner.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "scanner.cancel", NULL);
}

static void
qoima_scanner_page_init (QoimaScannerPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->result_rows = g_ptr_array_new ();

  draw_code (self);
  update_actions (self);
  update_status (self);
}

QoimaContext *
qoima_scanner_page_get_context (QoimaScannerPage *self)
{
  g_return_val_if_fail (QOIMA_IS_SCANNER_PAGE (self), NULL);

  return self->context;
}

void
qoima_scanner_page_start (QoimaScannerPage *self)
{
  GSettings *settings;

  g_return_if_fail (QOIMA_IS_SCANNER_PAGE (self));
  g_return_if_fail (self->context != NULL);

  if (self->started)
    return;

  self->started = TRUE;
  settings = qoima_context_get_settings (self->context);

  g_settings_bind (settings, "gs-substitute", self->gs_substitute_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "scan-prefix", self->prefix_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "scan-suffix", self->suffix_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "scan-max-gap-ms", self->max_gap_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "caps-lock-inverts", self->caps_lock_switch, "active", G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (settings, "changed::scanner-calibrated",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::scanner-gs-via",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);

  update_status (self);
  update_actions (self);
}

gboolean
qoima_scanner_page_get_calibrating (QoimaScannerPage *self)
{
  g_return_val_if_fail (QOIMA_IS_SCANNER_PAGE (self), FALSE);

  return self->calibrating;
}

void
qoima_scanner_page_set_calibrating (QoimaScannerPage *self,
                                    gboolean          calibrating)
{
  g_return_if_fail (QOIMA_IS_SCANNER_PAGE (self));

  calibrating = !!calibrating;
  if (self->calibrating == calibrating)
    return;

  self->calibrating = calibrating;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALIBRATING]);
}

gboolean
qoima_scanner_page_take_scan (QoimaScannerPage *self,
                              const char       *text,
                              QoimaGsVia        gs_via,
                              gboolean          caps_lock,
                              const char       *prefix_seen,
                              const char       *terminator)
{
  g_autoptr(QoimaCalibrationResult) result = NULL;
  g_autofree char *received = NULL;

  g_return_val_if_fail (QOIMA_IS_SCANNER_PAGE (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  /* The reader was told to strip nothing, but hand the analysis the whole burst in case
   * a prefix was still configured when the scan began. */
  received = g_strconcat (prefix_seen != NULL ? prefix_seen : "", text, NULL);
  result = qoima_calibration_analyse (received, gs_via, caps_lock, terminator != NULL ? terminator : "");

  g_debug ("Calibration: ok=%d gs_via=%d lost=%d prefix=\"%s\"",
           result->ok, result->gs_via, result->gs_lost, result->prefix != NULL ? result->prefix : "");

  show_result (self, result, caps_lock);
  if (self->context != NULL)
    store_result (self, result);

  qoima_scanner_page_set_calibrating (self, FALSE);

  return result->ok;
}
