/* qoima-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-window"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-window.h"

#include "qoima-acts-page.h"
#include "qoima-admin-page.h"
#include "qoima-gs1.h"
#include "qoima-scan-capture.h"
#include "qoima-scan-result.h"
#include "qoima-scanner-page.h"
#include "qoima-stock-page.h"
#include "qoima-store.h"

struct _QoimaWindow
{
  AdwApplicationWindow parent_instance;

  /* Template widgets */
  QoimaActsPage    *acts_page;
  QoimaAdminPage   *admin_page;
  GtkStack         *main_stack;
  QoimaScanResult  *scan_result;
  QoimaScannerPage *scanner_page;
  AdwStatusPage    *status_page;
  GtkSpinner       *status_spinner;
  QoimaStockPage   *stock_page;
  AdwToastOverlay  *toast_overlay;
  AdwViewStack     *view_stack;

  /* Owned references */
  QoimaContext     *context;
  QoimaScanCapture *capture;
  GCancellable     *cancellable;
};

G_DEFINE_FINAL_TYPE (QoimaWindow, qoima_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS,
};

enum {
  SIGNAL_SCAN_HANDLED,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct {
  QoimaWindow      *self;
  QoimaMarkingCode *code;
} ScanData;

static void
scan_data_free (ScanData *data)
{
  g_clear_object (&data->self);
  g_clear_pointer (&data->code, qoima_marking_code_free);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScanData, scan_data_free)

static int
warning_days (QoimaWindow *self)
{
  return qoima_stock_page_get_warning_days (self->stock_page);
}

static void
restore_size (QoimaWindow *self)
{
  GSettings *settings;

  if (self->context == NULL)
    return;

  settings = qoima_context_get_settings (self->context);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_size (QoimaWindow *self)
{
  GSettings *settings;
  int width, height;

  if (self->context == NULL)
    return;

  settings = qoima_context_get_settings (self->context);
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);

  g_settings_delay (settings);
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && width > 0 && height > 0)
    {
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
    }
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (settings);
}

static void
record_scan_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ScanData) data = user_data;
  g_autoptr(QoimaPack) pack = NULL;
  g_autoptr(GError) local_error = NULL;
  QoimaWindow *self = data->self;

  pack = qoima_store_record_scan_finish (QOIMA_STORE (object), result, &local_error);

  /* A closed window has no card left to show the answer in. */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->cancellable == NULL)
    return;

  if (pack != NULL)
    {
      qoima_scan_result_show_pack (self->scan_result, data->code, pack, warning_days (self));

      /* Show the pack's line: the stock is loaded again first, since a scan may change it. */
      adw_view_stack_set_visible_child_name (self->view_stack, "stock");
      qoima_stock_page_reload (self->stock_page);
      qoima_stock_page_select_pack (self->stock_page, pack);
    }
  else if (g_error_matches (local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND))
    {
      qoima_scan_result_show_unknown (self->scan_result, data->code);
    }
  else
    {
      g_warning ("Could not record a scan: %s", local_error->message);
      qoima_scan_result_show_failed (self->scan_result, data->code, local_error);
    }

  g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
}

static void
scanned_cb (QoimaWindow     *self,
            const char      *text,
            int              gs_via,
            gboolean         caps_lock,
            const char      *prefix_seen,
            const char      *terminator,
            QoimaScanReader *reader)
{
  g_assert (QOIMA_IS_WINDOW (self));

  if (qoima_scanner_page_get_calibrating (self->scanner_page))
    {
      qoima_scanner_page_take_scan (self->scanner_page, text, (QoimaGsVia) gs_via,
                                    caps_lock, prefix_seen, terminator);
      g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
      return;
    }

  /* While an act is being checked, its packs are scanned into it, not looked up in stock. */
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "acts") == 0 &&
      qoima_acts_page_take_scan (self->acts_page, text))
    return;

  qoima_window_handle_scan (self, text);
}

static void
calibrating_changed_cb (QoimaWindow      *self,
                        GParamSpec       *pspec,
                        QoimaScannerPage *page)
{
  g_assert (QOIMA_IS_WINDOW (self));

  qoima_scan_capture_set_calibrating (self->capture, qoima_scanner_page_get_calibrating (page));
}

static void
act_scan_handled_cb (QoimaWindow *self)
{
  g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
}

/* Packs of an act ИС МПТ confirmed entered stock in the same transaction. */
static void
acts_synced_cb (QoimaWindow *self)
{
  qoima_stock_page_reload (self->stock_page);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  QoimaWindow *self = QOIMA_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "stock");
  qoima_stock_page_focus_search (self->stock_page);
}

static void
page_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaWindow *self = QOIMA_WINDOW (widget);

  if (g_str_equal (action_name, "win.page-scanner"))
    adw_view_stack_set_visible_child_name (self->view_stack, "scanner");
  else if (g_str_equal (action_name, "win.page-acts"))
    adw_view_stack_set_visible_child_name (self->view_stack, "acts");
  else
    adw_view_stack_set_visible_child_name (self->view_stack, "stock");
}

static void
add_toast_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  qoima_window_add_toast (QOIMA_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static gboolean
qoima_window_close_request (GtkWindow *window)
{
  save_size (QOIMA_WINDOW (window));

  return GTK_WINDOW_CLASS (qoima_window_parent_class)->close_request (window);
}

static void
qoima_window_constructed (GObject *object)
{
  QoimaWindow *self = QOIMA_WINDOW (object);
  GSettings *settings = NULL;

  G_OBJECT_CLASS (qoima_window_parent_class)->constructed (object);

  if (self->context != NULL)
    settings = qoima_context_get_settings (self->context);

  self->capture = qoima_scan_capture_new (GTK_WIDGET (self), settings);
  g_signal_connect_object (qoima_scan_capture_get_reader (self->capture), "scanned",
                           G_CALLBACK (scanned_cb), self, G_CONNECT_SWAPPED);

  restore_size (self);

  if (self->context != NULL)
    {
      qoima_stock_page_set_context (self->stock_page, self->context);
      qoima_scanner_page_set_context (self->scanner_page, self->context);
      qoima_acts_page_set_context (self->acts_page, self->context);
      qoima_admin_page_set_context (self->admin_page, self->context);
      qoima_window_show_content (self);
    }
  else
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", FALSE);
    }
}

static void
qoima_window_dispose (GObject *object)
{
  QoimaWindow *self = QOIMA_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->capture);

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_WINDOW);

  g_clear_object (&self->context);

  G_OBJECT_CLASS (qoima_window_parent_class)->dispose (object);
}

static void
qoima_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  QoimaWindow *self = QOIMA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, qoima_window_get_context (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  QoimaWindow *self = QOIMA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_window_class_init (QoimaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = qoima_window_constructed;
  object_class->dispose = qoima_window_dispose;
  object_class->get_property = qoima_window_get_property;
  object_class->set_property = qoima_window_set_property;

  window_class->close_request = qoima_window_close_request;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * QoimaWindow::scan-handled:
   *
   * Emitted once the answer to a scan (the pack, an unknown pack, what is wrong with
   * the code, or a calibration result) is on screen.
   */
  signals[SIGNAL_SCAN_HANDLED] =
    g_signal_new ("scan-handled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/qoima-window.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, acts_page);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, admin_page);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, scan_result);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, scanner_page);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, stock_page);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, view_stack);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.page-stock", NULL, page_action);
  gtk_widget_class_install_action (widget_class, "win.page-acts", NULL, page_action);
  gtk_widget_class_install_action (widget_class, "win.page-scanner", NULL, page_action);
  gtk_widget_class_install_action (widget_class, "win.add-toast", "s", add_toast_action);

  g_type_ensure (QOIMA_TYPE_ACTS_PAGE);
  g_type_ensure (QOIMA_TYPE_ADMIN_PAGE);
  g_type_ensure (QOIMA_TYPE_SCAN_RESULT);
  g_type_ensure (QOIMA_TYPE_SCANNER_PAGE);
  g_type_ensure (QOIMA_TYPE_STOCK_PAGE);
}

static void
qoima_window_init (QoimaWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  g_signal_connect_object (self->scanner_page, "notify::calibrating",
                           G_CALLBACK (calibrating_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->acts_page, "scan-handled",
                           G_CALLBACK (act_scan_handled_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->acts_page, "synced",
                           G_CALLBACK (acts_synced_cb), self, G_CONNECT_SWAPPED);
}

QoimaWindow *
qoima_window_new (GtkApplication *application,
                  QoimaContext   *context)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (context == NULL || QOIMA_IS_CONTEXT (context), NULL);

  return g_object_new (QOIMA_TYPE_WINDOW,
                       "application", application,
                       "context", context,
                       NULL);
}

QoimaContext *
qoima_window_get_context (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return self->context;
}

QoimaScanReader *
qoima_window_get_scan_reader (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return qoima_scan_capture_get_reader (self->capture);
}

QoimaScanResult *
qoima_window_get_scan_result (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return self->scan_result;
}

QoimaStockPage *
qoima_window_get_stock_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return self->stock_page;
}

QoimaActsPage *
qoima_window_get_acts_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return self->acts_page;
}

QoimaScannerPage *
qoima_window_get_scanner_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return self->scanner_page;
}

void
qoima_window_show_progress (QoimaWindow *self,
                            const char  *title,
                            const char  *description)
{
  g_return_if_fail (QOIMA_IS_WINDOW (self));

  adw_status_page_set_icon_name (self->status_page, NULL);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), TRUE);
  gtk_spinner_set_spinning (self->status_spinner, TRUE);
  gtk_stack_set_visible_child_name (self->main_stack, "status");
}

void
qoima_window_show_error (QoimaWindow *self,
                         const char  *title,
                         const char  *description)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (QOIMA_IS_WINDOW (self));

  /* The description is markup; a path or SQLite message may hold "<" or "&". */
  escaped = description != NULL ? g_markup_escape_text (description, -1) : NULL;

  adw_status_page_set_icon_name (self->status_page, "dialog-error-symbolic");
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, escaped);
  gtk_spinner_set_spinning (self->status_spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), FALSE);
  gtk_stack_set_visible_child_name (self->main_stack, "status");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", FALSE);
}

void
qoima_window_show_content (QoimaWindow *self)
{
  g_return_if_fail (QOIMA_IS_WINDOW (self));
  g_return_if_fail (self->context != NULL);

  gtk_spinner_set_spinning (self->status_spinner, FALSE);
  gtk_stack_set_visible_child_name (self->main_stack, "content");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", TRUE);
  qoima_stock_page_reload (self->stock_page);
}

void
qoima_window_add_toast (QoimaWindow *self,
                        const char  *message)
{
  g_return_if_fail (QOIMA_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

void
qoima_window_handle_scan (QoimaWindow *self,
                          const char  *text)
{
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(GError) local_error = NULL;
  ScanData *data;
  int position = -1;

  g_return_if_fail (QOIMA_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  if (self->context == NULL)
    return;

  /* Parsing takes well under a millisecond: no need to leave the main thread. */
  code = qoima_gs1_parse (text, &position, &local_error);
  if (code == NULL)
    {
      g_debug ("Scan rejected: %s", local_error->message);
      qoima_scan_result_show_invalid (self->scan_result, text, position, local_error);
      g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
      return;
    }

  qoima_scan_result_show_busy (self->scan_result, code);

  data = g_new0 (ScanData, 1);
  data->self = g_object_ref (self);
  data->code = g_steal_pointer (&code);

  qoima_store_record_scan_async (qoima_context_get_store (self->context),
                                 data->code,
                                 g_get_user_name (),
                                 self->cancellable,
                                 record_scan_cb,
                                 data);
}
