/* qoima-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-window"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-window-private.h"

#include "qoima-acts-page.h"
#include "qoima-admin-page.h"
#include "qoima-application-page.h"
#if HAVE_CAMERA
#include "qoima-camera-dialog.h"
#endif
#include "qoima-count-page.h"
#include "qoima-dispensing-page.h"
#include "qoima-gs1.h"
#include "qoima-image-scan.h"
#include "qoima-move-page.h"
#include "qoima-reports-page.h"
#include "qoima-scan-capture.h"
#include "qoima-scan-result.h"
#include "qoima-scanner-page.h"
#include "qoima-sign-in.h"
#include "qoima-stock-page.h"
#include "qoima-store.h"
#include "qoima-use-page.h"

#include <string.h>

typedef enum {
  PAGE_STOCK,
  PAGE_USE,
  PAGE_ACTS,
  PAGE_MOVE,
  PAGE_COUNT,
  PAGE_DISPENSING,
  PAGE_WITHDRAWALS,
  PAGE_REPORTS,
  PAGE_APPLICATION,
  PAGE_ADMIN,
  PAGE_SCANNER,
  N_PAGES,
} PageIndex;

struct _QoimaWindow
{
  AdwApplicationWindow parent_instance;

  /* Template widgets */
  QoimaActsPage    *acts_page;
  QoimaAdminPage   *admin_page;
  QoimaApplicationPage *application_page;
  GtkWidget        *connection_banner;
  GtkStack         *main_stack;
  QoimaMovePage    *move_page;
  QoimaCountPage   *count_page;
  QoimaDispensingPage *dispensing_page;
  GtkWidget        *read_only_banner;
  QoimaReportsPage *reports_page;
  GtkLabel         *role_label;
  AdwViewSwitcherBar *switcher_bar;
  QoimaScanResult  *scan_result;
  QoimaScannerPage *scanner_page;
  QoimaSignIn      *sign_in;
  AdwStatusPage    *status_page;
  GtkSpinner       *status_spinner;
  QoimaStockPage   *stock_page;
  QoimaWithdrawalsPage *withdrawals_page;
  AdwToastOverlay  *toast_overlay;
  QoimaUsePage     *use_page;
  GtkLabel         *user_label;
  AdwViewStack     *view_stack;
  AdwViewSwitcherTitle *switcher_title;

  /* Owned references */
  QoimaContext     *context;
  QoimaScanCapture *capture;
  GCancellable     *cancellable;
  GCancellable     *camera_cancellable; /* closes the camera dialog, while it is open */
  GPtrArray        *toasts; /* shown, not yet dismissed */

  /* State */
  gint64            last_input_us; /* monotonic time of the last key or pointer event */
  guint             idle_check_id;
  unsigned          user_serial; /* counts sign-ins and sign-outs */
  gboolean          acts_page_ready; /* the Acts page was started */
  gboolean          acts_start_pending; /* to be started once the first frame is drawn */
  gboolean          stock_reload_pending; /* likewise, to be loaded */
  gboolean          first_frame_drawn;
  gboolean          applying_role;
  gulong            after_paint_id;
  guint             after_first_frame_id;
  guint             switcher_bar_id;
  AdwBin           *page_slots[N_PAGES]; /* the view stack's children; a page inside once built */
};

G_DEFINE_FINAL_TYPE (QoimaWindow, qoima_window, ADW_TYPE_APPLICATION_WINDOW)

static gpointer ensure_page (QoimaWindow *self,
                             PageIndex    index);
static void     visible_page_changed_cb (QoimaWindow *self);

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS,
};

enum {
  SIGNAL_SCAN_HANDLED,
  SIGNAL_IMAGE_READ,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct {
  QoimaWindow      *self;
  QoimaMarkingCode *code;
  unsigned          user_serial; /* whose scan it was */
} ScanData;

static void
scan_data_free (ScanData *data)
{
  g_clear_object (&data->self);
  g_clear_pointer (&data->code, qoima_marking_code_free);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScanData, scan_data_free)

/* The pages and the permission each needs (-1: anyone signed in; PAGE_FUND: who prepares
 * the Fund's application or decides on it, R004-3 and R004-20). In this order a user
 * lands on the first page she may see, so a nurse starts on the Use page. Adding a page
 * is one line here (with its AdwViewStackPage in qoima-window.ui). */
#define PAGE_FUND (-2)

static const struct
{
  const char *name;
  int         permission;
} page_permissions[] = {
  { "use", QOIMA_PERMISSION_LOG_USE },
  { "stock", -1 },
  { "acts", QOIMA_PERMISSION_ACCEPT_ACTS },
  { "move", QOIMA_PERMISSION_MOVE_STOCK },
  { "count", QOIMA_PERMISSION_COUNT_STOCK },
  { "dispensing", QOIMA_PERMISSION_DISPENSE },
  { "withdrawals", QOIMA_PERMISSION_SIGN },
  { "reports", QOIMA_PERMISSION_VIEW_REPORTS },
  { "application", PAGE_FUND },
  { "admin", QOIMA_PERMISSION_MANAGE_USERS },
  { "scanner", -1 },
};

/* The longest name shown whole in the header bar, in characters. */
#define USER_LABEL_CHARS 24

/* How often the idle lock looks at the clock. */
#define IDLE_CHECK_SECONDS 15

static QoimaUser *
signed_in_user (QoimaWindow *self)
{
  return self->context != NULL ? qoima_context_get_user (self->context) : NULL;
}

static gboolean
page_allowed (QoimaWindow *self,
              unsigned     index)
{
  QoimaUser *user = signed_in_user (self);

  if (user == NULL)
    return FALSE;
  if (page_permissions[index].permission == PAGE_FUND)
    return qoima_role_allows (qoima_user_get_role (user), QOIMA_PERMISSION_PREPARE_FUND_APPLICATION) ||
           qoima_role_allows (qoima_user_get_role (user), QOIMA_PERMISSION_DECIDE_FUND_APPLICATION);
  return page_permissions[index].permission < 0 ||
         qoima_role_allows (qoima_user_get_role (user), (QoimaPermission) page_permissions[index].permission);
}

static gboolean
page_name_allowed (QoimaWindow *self,
                   const char  *name)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (page_permissions); i++)
    if (g_strcmp0 (page_permissions[i].name, name) == 0)
      return page_allowed (self, i);
  return FALSE;
}

/* The whole name is asked for, so that the page switcher folds before the name is cut;
 * only a name longer than USER_LABEL_CHARS is ellipsized. */
static void
set_header_text (GtkLabel   *label,
                 const char *text)
{
  gboolean long_text = g_utf8_strlen (text, -1) > USER_LABEL_CHARS;

  gtk_label_set_text (label, text);
  gtk_label_set_ellipsize (label, long_text ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  gtk_label_set_width_chars (label, long_text ? USER_LABEL_CHARS : -1);
}

/* Whether one of the window's own key bindings (not an application accelerator) is
 * @accelerator: Ctrl+Shift+O is only in a build with the camera. */
static gboolean
binds_accelerator (QoimaWindow *self,
                   const char  *accelerator)
{
  g_autoptr(GtkShortcutTrigger) trigger = gtk_shortcut_trigger_parse_string (accelerator);
  g_autoptr(GListModel) controllers = NULL;

  if (trigger == NULL)
    return FALSE;
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (self));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      for (guint j = 0; GTK_IS_SHORTCUT_CONTROLLER (controller) && j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger))
            return TRUE;
        }
    }
  return FALSE;
}

/* Hides the shortcuts window's rows of pages this user does not see, and of the window's
 * key bindings this build does not have. */
static void
show_role_shortcuts (QoimaWindow *self,
                     GtkWidget   *widget)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *action = NULL;
      g_autofree char *accelerator = NULL;

      g_object_get (widget, "action-name", &action, "accelerator", &accelerator, NULL);
      if (action != NULL && g_str_has_prefix (action, "win.page-"))
        gtk_widget_set_visible (widget, page_name_allowed (self, action + strlen ("win.page-")));
      /* A row of a binding has no action (its accelerator would be the application's). */
      else if (action == NULL && accelerator != NULL && accelerator[0] != '\0')
        gtk_widget_set_visible (widget, binds_accelerator (self, accelerator));
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    show_role_shortcuts (self, child);
}

/* Alt+1…9 follow the pages as the switcher shows them to this user, and the shortcuts
 * window lists only those: the accelerators are the application's, so they are set here,
 * whenever the role changes. */
static void
apply_page_shortcuts (QoimaWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (self));

  for (unsigned i = 0; app != NULL && i < G_N_ELEMENTS (page_permissions); i++)
    {
      g_autofree char *action = g_strdup_printf ("win.page-%s", page_permissions[i].name);
      g_autofree char *accel = qoima_window_get_page_accel (self, page_permissions[i].name);
      const char *accels[] = { accel, NULL };

      gtk_application_set_accels_for_action (app, action, accels);
    }
  if (overlay != NULL)
    show_role_shortcuts (self, GTK_WIDGET (overlay));
}

/* Shows the pages the signed-in user may use, hides the others and lands on the first. */
static void
apply_role (QoimaWindow *self)
{
  QoimaUser *user = signed_in_user (self);
  const char *first = NULL;

  /* Pages the stack passes by while some are hidden are not built for that. */
  self->applying_role = TRUE;
  for (unsigned i = 0; i < G_N_ELEMENTS (page_permissions); i++)
    {
      GtkWidget *child = adw_view_stack_get_child_by_name (self->view_stack, page_permissions[i].name);
      g_autofree char *action = g_strdup_printf ("win.page-%s", page_permissions[i].name);
      gboolean allowed = page_allowed (self, i);

      g_assert (child != NULL);
      /* Nobody signed in sees the sign-in screen, not the pages: they keep their state
       * until the next user, so the header's switcher does not fold and unfold for
       * nothing (GTK 4.8 warns when its bottom bar flips with animations off). */
      if (user != NULL)
        {
          adw_view_stack_page_set_visible (adw_view_stack_get_page (self->view_stack, child), allowed);
          /* A hidden page's widget is hidden too, so that the window's minimum width is
           * that of the pages this user sees (a nurse's fit a narrower window). */
          gtk_widget_set_visible (child, allowed);
        }
      gtk_widget_action_set_enabled (GTK_WIDGET (self), action, allowed);
      if (allowed && first == NULL)
        first = page_permissions[i].name;
    }

  if (first != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, first);
  self->applying_role = FALSE;
  visible_page_changed_cb (self);
  apply_page_shortcuts (self);

  if (user != NULL)
    {
      const char *full_name = qoima_user_get_full_name (user);
      const char *role = qoima_role_to_label (qoima_user_get_role (user));
      g_autofree char *tooltip = NULL;

      if (full_name == NULL || full_name[0] == '\0')
        full_name = qoima_user_get_name (user);
      set_header_text (self->user_label, full_name);
      set_header_text (self->role_label, role);
      /* Translators: the tooltip of the signed-in user in the header bar: name, then role. */
      tooltip = g_strdup_printf (_("%s · %s"), full_name, role);
      gtk_widget_set_tooltip_text (gtk_widget_get_ancestor (GTK_WIDGET (self->user_label), GTK_TYPE_MENU_BUTTON), tooltip);
    }
}

/* Shows the pages ("content"), the sign-in screen or the status. The pages are hidden
 * while they are not shown, so that only the screen on view sets the window's minimum
 * width: the sign-in screen fits a narrower window than some pages. */
static void
show_screen (QoimaWindow *self,
             const char  *name)
{
  GtkWidget *content = gtk_stack_get_child_by_name (self->main_stack, "content");
  gboolean pages = g_str_equal (name, "content");

  if (pages)
    {
      /* The header's switcher builds a button for each page as it gets its stack: not
       * for the sign-in screen's first frame, which does not show it (issue 10). */
      if (adw_view_switcher_title_get_stack (self->switcher_title) == NULL)
        adw_view_switcher_title_set_stack (self->switcher_title, self->view_stack);
      gtk_widget_set_visible (content, TRUE);
    }
  gtk_stack_set_visible_child_name (self->main_stack, name);
  if (!pages)
    gtk_widget_set_visible (content, FALSE);
}

static gboolean
input_cb (QoimaWindow *self)
{
  self->last_input_us = g_get_monotonic_time ();

  return GDK_EVENT_PROPAGATE;
}

static gboolean
idle_check_cb (gpointer user_data)
{
  QoimaWindow *self = user_data;
  unsigned minutes;

  if (self->context == NULL || signed_in_user (self) == NULL)
    return G_SOURCE_CONTINUE;

  minutes = g_settings_get_uint (qoima_context_get_settings (self->context), "lock-after-minutes");
  if (minutes > 0 && g_get_monotonic_time () - self->last_input_us >= (gint64) minutes * 60 * G_USEC_PER_SEC)
    {
      g_debug ("Idle for %u minutes: back to the sign-in screen", minutes);
      gtk_widget_activate_action (GTK_WIDGET (self), "win.switch-user", NULL);
    }

  return G_SOURCE_CONTINUE;
}

static void
user_changed_cb (QoimaWindow *self)
{
  const char *shown = gtk_stack_get_visible_child_name (self->main_stack);

  self->last_input_us = g_get_monotonic_time ();

  /* What was said to the last user is not for the next one: nor is her scan card, nor
   * the answer to a scan of hers still on its way. */
  self->user_serial++;
  /* The camera does not stay on for the next user (its dialog's answer, when it comes,
   * clears the cancellable). */
  g_cancellable_cancel (self->camera_cancellable);
  qoima_scan_result_clear (self->scan_result);
  {
    g_autoptr(GPtrArray) said = g_steal_pointer (&self->toasts);

    self->toasts = g_ptr_array_new_with_free_func (g_object_unref);
    for (guint i = 0; i < said->len; i++)
      adw_toast_dismiss (g_ptr_array_index (said, i));
  }

  /* While demo data are made or an error is shown, that stays; the pages come later. */
  if (g_strcmp0 (shown, "content") == 0 || g_strcmp0 (shown, "sign-in") == 0)
    qoima_window_show_content (self);
}

static int
warning_days (QoimaWindow *self)
{
  return qoima_stock_page_get_warning_days (ensure_page (self, PAGE_STOCK));
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

  /* A closed window has no card left to show the answer in; another user's window shows
   * nothing of the last user's scan. */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->cancellable == NULL ||
      data->user_serial != self->user_serial)
    return;

  if (pack != NULL)
    {
      qoima_scan_result_show_pack (self->scan_result, data->code, pack, warning_days (self));

      /* Show the pack's line: the stock is loaded again first, since a scan may change it. */
      adw_view_stack_set_visible_child_name (self->view_stack, "stock");
      qoima_stock_page_reload (ensure_page (self, PAGE_STOCK));
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

static void route_scan (QoimaWindow *self,
                        const char  *text);

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

  /* Nobody signed in, nothing recorded: the sign-in screen takes no scans. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "content") != 0)
    return;

  if (self->scanner_page != NULL && qoima_scanner_page_get_calibrating (self->scanner_page))
    {
      qoima_scanner_page_take_scan (self->scanner_page, text, (QoimaGsVia) gs_via,
                                    caps_lock, prefix_seen, terminator);
      g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
      return;
    }

  route_scan (self, text);
}

/* Where a scan goes once it is a scan, whether a scanner typed it or it was read from an
 * image: the page being worked on, or the pack card. */
static void
route_scan (QoimaWindow *self,
            const char  *text)
{
  /* While an act is being checked, its packs are scanned into it, not looked up in stock. */
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "acts") == 0 && self->acts_page != NULL &&
      qoima_acts_page_take_scan (self->acts_page, text))
    return;
  /* While packs are being moved, scans list them for the ward. */
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "move") == 0 && self->move_page != NULL &&
      qoima_move_page_take_scan (self->move_page, text))
    return;

  /* During a stock count, scans are counted. */
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "count") == 0 && self->count_page != NULL &&
      qoima_count_page_take_scan (self->count_page, text))
    return;

  /* At the pharmacy point a scan is the e-prescription's QR code or the pack given for it. */
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "dispensing") == 0 && self->dispensing_page != NULL &&
      qoima_dispensing_page_take_scan (self->dispensing_page, text))
    return;

  /* On the Use page a scan chooses the pack units are logged from. */
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "use") == 0 && self->use_page != NULL &&
      qoima_use_page_take_scan (self->use_page, text))
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
page_scan_handled_cb (QoimaWindow *self)
{
  g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
}

/* Packs of an act ИС МПТ confirmed entered stock in the same transaction. */
static void
acts_synced_cb (QoimaWindow *self)
{
  /* A Stock page not built yet loads the stock as it is when it is. */
  if (self->stock_page != NULL)
    qoima_stock_page_reload (self->stock_page);
}

/* Moved packs show in their ward on the Stock page. */
static void
packs_moved_cb (QoimaWindow *self)
{
  if (self->stock_page != NULL)
    qoima_stock_page_reload (self->stock_page);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  QoimaWindow *self = QOIMA_WINDOW (widget);

  if (!page_name_allowed (self, "stock"))
    return;
  adw_view_stack_set_visible_child_name (self->view_stack, "stock");
  qoima_stock_page_focus_search (ensure_page (self, PAGE_STOCK));
}

static void
page_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaWindow *self = QOIMA_WINDOW (widget);
  const char *name = action_name + strlen ("win.page-");

  if (page_name_allowed (self, name))
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

static void
switch_user_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  QoimaWindow *self = QOIMA_WINDOW (widget);

  if (self->context == NULL)
    return;

  /* The chief's signing key leaves with the chief; the next user opens her own. */
  qoima_context_set_signer (self->context, NULL);
  qoima_context_set_user (self->context, NULL);
}

static void
add_toast_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  qoima_window_add_toast (QOIMA_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

typedef struct {
  QoimaWindow  *self;
  GFile        *file; /* NULL for a camera's frame */
  GCancellable *camera; /* the camera dialog's, for a camera's frame */
  unsigned      user_serial; /* whose image it was */
} ImageData;

/* A code read from an image, whether a file or a camera frame, goes on as a scan. Nothing
 * when the window closed, someone else signed in meanwhile, or the pages are not shown. */
static gboolean
image_still_wanted (QoimaWindow *self,
                    unsigned     user_serial)
{
  return self->cancellable != NULL && user_serial == self->user_serial &&
         g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "content") == 0;
}

static void
take_code_read_from_image (QoimaWindow *self,
                           const char  *text)
{
  g_debug ("Code read from an image: %zu bytes", strlen (text));
  g_signal_emit (self, signals[SIGNAL_IMAGE_READ], 0, TRUE);
  route_scan (self, text);
}

static void
image_data_free (ImageData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->file);
  g_clear_object (&data->camera);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImageData, image_data_free)

static void
image_scanned_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ImageData) data = user_data;
  QoimaWindow *self = data->self;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = qoima_image_scan_file_finish (result, &local_error);

  /* Closed, or someone else signed in meanwhile: the image was not hers. */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !image_still_wanted (self, data->user_serial))
    return;

  if (text == NULL)
    {
      g_autofree char *name = g_file_get_basename (data->file);
      /* TRANSLATORS: %s is an image file's name, followed by why no code was read from it */
      g_autofree char *message = g_strdup_printf (_("%s: %s"), name, local_error->message);

      qoima_window_add_toast (self, message);
      g_signal_emit (self, signals[SIGNAL_IMAGE_READ], 0, FALSE);
      return;
    }

  take_code_read_from_image (self, text);
}

/**
 * qoima_window_open_image:
 * @file: a photo or a scanned image of a pack's code
 *
 * Reads the DataMatrix in @file in a worker thread and takes it as a scan.
 */
void
qoima_window_open_image (QoimaWindow *self,
                         GFile       *file)
{
  ImageData *data;

  g_return_if_fail (QOIMA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->context == NULL || signed_in_user (self) == NULL)
    return;

  data = g_new0 (ImageData, 1);
  data->self = g_object_ref (self);
  data->file = g_object_ref (file);
  data->user_serial = self->user_serial;
  qoima_image_scan_file_async (file, self->cancellable, image_scanned_cb, data);
}

static void
image_chosen_cb (QoimaWindow          *self,
                 int                   response,
                 GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        qoima_window_open_image (self, file);
    }
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_object_unref (chooser);
}

static void
open_image_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  QoimaWindow *self = QOIMA_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->context == NULL || signed_in_user (self) == NULL)
    return;

  /* GtkFileDialog needs GTK 4.10; bookworm has 4.8. */
  chooser = gtk_file_chooser_native_new (_("Read a Code from an Image"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Images"));
  for (unsigned i = 0; qoima_image_scan_mime_types[i] != NULL; i++)
    gtk_file_filter_add_mime_type (filter, qoima_image_scan_mime_types[i]);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect_object (chooser, "response", G_CALLBACK (image_chosen_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

#if HAVE_CAMERA
static void
camera_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ImageData) data = user_data;
  QoimaWindow *self = data->self;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = qoima_camera_dialog_run_finish (result, &local_error);

  if (self->camera_cancellable == data->camera)
    g_clear_object (&self->camera_cancellable);
  /* Closed by the user (nothing changes), or the window closed or its user changed. */
  if (text == NULL || !image_still_wanted (self, data->user_serial))
    return;
  take_code_read_from_image (self, text);
}

/* The dialog says itself what is wrong (no camera, the portal's refusal, no code read). */
static void
take_photo_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  QoimaWindow *self = QOIMA_WINDOW (widget);
  ImageData *data;

  if (self->context == NULL || signed_in_user (self) == NULL)
    return;

  g_cancellable_cancel (self->camera_cancellable);
  g_clear_object (&self->camera_cancellable);
  self->camera_cancellable = g_cancellable_new ();

  data = g_new0 (ImageData, 1);
  data->self = g_object_ref (self);
  data->camera = g_object_ref (self->camera_cancellable);
  data->user_serial = self->user_serial;
  qoima_camera_dialog_run_async (GTK_WINDOW (self), self->camera_cancellable, camera_read_cb, data);
}
#endif

static gboolean
image_dropped_cb (QoimaWindow   *self,
                  const GValue  *value,
                  double         x,
                  double         y,
                  GtkDropTarget *target)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));

      for (GSList *l = files; l != NULL; l = l->next)
        qoima_window_open_image (self, l->data);
      g_slist_free (files);
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      qoima_window_open_image (self, g_value_get_object (value));
      return TRUE;
    }
  return FALSE;
}

static gboolean
qoima_window_close_request (GtkWindow *window)
{
  save_size (QOIMA_WINDOW (window));

  return GTK_WINDOW_CLASS (qoima_window_parent_class)->close_request (window);
}

static gboolean after_first_frame_cb (gpointer user_data);

/* Sets @flag, for after_first_frame_cb () to act on once the first frame is drawn. */
static void
defer_after_first_frame (QoimaWindow *self,
                         gboolean    *flag)
{
  *flag = TRUE;
  if (self->first_frame_drawn && self->after_first_frame_id == 0)
    self->after_first_frame_id = g_idle_add (after_first_frame_cb, self);
}

/* The pages, in the switcher's order. Each is a placeholder in the view stack until it is
 * first shown or asked for (ensure_page ()): building and starting all eleven before the
 * first frame cost most of the window's start (issue 10), for pages most users never open
 * in a session. A page receives the context as it is built (the Stock page still takes
 * it by a setter) and is started (its lists loaded) right after. */

static const struct {
  const char *name;
  const char *title;
  const char *icon_name;
  gsize       offset;
  gboolean    visible;
} pages[N_PAGES] = {
  [PAGE_STOCK] = { "stock", N_("Stock"), "view-list-symbolic", G_STRUCT_OFFSET (QoimaWindow, stock_page), TRUE },
  [PAGE_USE] = { "use", N_("Use"), "list-add-symbolic", G_STRUCT_OFFSET (QoimaWindow, use_page), TRUE },
  [PAGE_ACTS] = { "acts", N_("Acts"), "mail-send-receive-symbolic", G_STRUCT_OFFSET (QoimaWindow, acts_page), TRUE },
  [PAGE_MOVE] = { "move", N_("Move to Ward"), "go-next-symbolic", G_STRUCT_OFFSET (QoimaWindow, move_page), TRUE },
  [PAGE_COUNT] = { "count", N_("Stock Count"), "object-select-symbolic", G_STRUCT_OFFSET (QoimaWindow, count_page), TRUE },
  [PAGE_DISPENSING] = { "dispensing", N_("Dispensing"), "emblem-documents-symbolic", G_STRUCT_OFFSET (QoimaWindow, dispensing_page), TRUE },
  [PAGE_WITHDRAWALS] = { "withdrawals", N_("Withdrawals"), "edit-delete-symbolic", G_STRUCT_OFFSET (QoimaWindow, withdrawals_page), TRUE },
  [PAGE_REPORTS] = { "reports", N_("Reports"), "x-office-spreadsheet-symbolic", G_STRUCT_OFFSET (QoimaWindow, reports_page), FALSE },
  [PAGE_APPLICATION] = { "application", N_("Fund Application"), "x-office-document-symbolic", G_STRUCT_OFFSET (QoimaWindow, application_page), FALSE },
  [PAGE_ADMIN] = { "admin", N_("Administration"), "system-users-symbolic", G_STRUCT_OFFSET (QoimaWindow, admin_page), TRUE },
  [PAGE_SCANNER] = { "scanner", N_("Scanner"), "scanner-symbolic", G_STRUCT_OFFSET (QoimaWindow, scanner_page), TRUE },
};

static GtkWidget *
build_page (QoimaWindow *self,
            PageIndex    index)
{
  QoimaContext *context = self->context;

  switch (index)
    {
    case PAGE_STOCK:
      {
        QoimaStockPage *page = g_object_new (QOIMA_TYPE_STOCK_PAGE, NULL);

        if (context != NULL)
          {
            qoima_stock_page_set_context (page, context);
            /* The rows follow the first frame: building them is most of a frame's work. */
            if (self->first_frame_drawn)
              qoima_stock_page_reload (page);
            else
              defer_after_first_frame (self, &self->stock_reload_pending);
          }
        return GTK_WIDGET (page);
      }
    case PAGE_USE:
      {
        QoimaUsePage *page = g_object_new (QOIMA_TYPE_USE_PAGE, "context", context, NULL);

        g_signal_connect_object (page, "scan-handled", G_CALLBACK (page_scan_handled_cb), self, G_CONNECT_SWAPPED);
        if (context != NULL)
          qoima_use_page_start (page);
        return GTK_WIDGET (page);
      }
    case PAGE_ACTS:
      {
        QoimaActsPage *page = g_object_new (QOIMA_TYPE_ACTS_PAGE, "context", context, NULL);

        g_signal_connect_object (page, "scan-handled", G_CALLBACK (page_scan_handled_cb), self, G_CONNECT_SWAPPED);
        g_signal_connect_object (page, "synced", G_CALLBACK (acts_synced_cb), self, G_CONNECT_SWAPPED);
        /* Started at sign-in (qoima_window_show_content ()), when its user may accept acts. */
        return GTK_WIDGET (page);
      }
    case PAGE_MOVE:
      {
        QoimaMovePage *page = g_object_new (QOIMA_TYPE_MOVE_PAGE, "context", context, NULL);

        g_signal_connect_object (page, "scan-handled", G_CALLBACK (page_scan_handled_cb), self, G_CONNECT_SWAPPED);
        g_signal_connect_object (page, "moved", G_CALLBACK (packs_moved_cb), self, G_CONNECT_SWAPPED);
        if (context != NULL)
          qoima_move_page_start (page);
        return GTK_WIDGET (page);
      }
    case PAGE_COUNT:
      {
        QoimaCountPage *page = qoima_count_page_new (context);

        g_signal_connect_object (page, "scan-handled", G_CALLBACK (page_scan_handled_cb), self, G_CONNECT_SWAPPED);
        /* A signed-off count moved packs and set units: the Stock page shows the book as corrected. */
        g_signal_connect_object (page, "signed-off", G_CALLBACK (packs_moved_cb), self, G_CONNECT_SWAPPED);
        if (context != NULL)
          qoima_count_page_start (page);
        return GTK_WIDGET (page);
      }
    case PAGE_DISPENSING:
      {
        QoimaDispensingPage *page = qoima_dispensing_page_new (context);

        g_signal_connect_object (page, "scan-handled", G_CALLBACK (page_scan_handled_cb), self, G_CONNECT_SWAPPED);
        /* A dispensed pack left stock. */
        g_signal_connect_object (page, "dispensed", G_CALLBACK (packs_moved_cb), self, G_CONNECT_SWAPPED);
        return GTK_WIDGET (page);
      }
    case PAGE_WITHDRAWALS:
      {
        QoimaWithdrawalsPage *page = g_object_new (QOIMA_TYPE_WITHDRAWALS_PAGE, "context", context, NULL);

        if (context != NULL)
          qoima_withdrawals_page_start (page);
        return GTK_WIDGET (page);
      }
    case PAGE_REPORTS:
      {
        QoimaReportsPage *page = g_object_new (QOIMA_TYPE_REPORTS_PAGE, "context", context, NULL);

        if (context != NULL)
          qoima_reports_page_start (page);
        return GTK_WIDGET (page);
      }
    case PAGE_APPLICATION:
      {
        QoimaApplicationPage *page = g_object_new (QOIMA_TYPE_APPLICATION_PAGE, "context", context, NULL);

        if (context != NULL)
          qoima_application_page_start (page);
        return GTK_WIDGET (page);
      }
    case PAGE_ADMIN:
      {
        QoimaAdminPage *page = g_object_new (QOIMA_TYPE_ADMIN_PAGE, "context", context, NULL);

        if (context != NULL)
          qoima_admin_page_start (page);
        return GTK_WIDGET (page);
      }
    case PAGE_SCANNER:
      {
        QoimaScannerPage *page = g_object_new (QOIMA_TYPE_SCANNER_PAGE, "context", context, NULL);

        g_signal_connect_object (page, "notify::calibrating", G_CALLBACK (calibrating_changed_cb), self, G_CONNECT_SWAPPED);
        if (context != NULL)
          qoima_scanner_page_start (page);
        return GTK_WIDGET (page);
      }
    case N_PAGES:
    default:
      g_assert_not_reached ();
    }
}

/* The page @index, built and started if it was not yet. */
static gpointer
ensure_page (QoimaWindow *self,
             PageIndex    index)
{
  GtkWidget **field = &G_STRUCT_MEMBER (GtkWidget *, self, pages[index].offset);

  if (*field == NULL && self->page_slots[index] != NULL)
    {
      *field = build_page (self, index);
      adw_bin_set_child (self->page_slots[index], *field);
    }
  return *field;
}

static void
visible_page_changed_cb (QoimaWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->view_stack);

  if (self->applying_role || signed_in_user (self) == NULL)
    return;
  for (unsigned i = 0; name != NULL && i < N_PAGES; i++)
    if (g_str_equal (pages[i].name, name))
      ensure_page (self, i);
}

/* The bottom bar's switcher is only shown in a narrow window. Its eleven buttons, each
 * built from a template, were a third of the window's construction (issue 10): they are
 * made the first time the bar shows, and then kept. */
static void
switcher_bar_visible_cb (QoimaWindow *self)
{
  /* Also heard while the template is built, before its children are bound. */
  if (self->switcher_bar != NULL && self->view_stack != NULL &&
      gtk_widget_get_visible (GTK_WIDGET (self->switcher_bar)) &&
      adw_view_switcher_bar_get_stack (self->switcher_bar) == NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, self->view_stack);
}

static void
add_pages (QoimaWindow *self)
{
  for (unsigned i = 0; i < N_PAGES; i++)
    {
      AdwViewStackPage *stack_page;

      self->page_slots[i] = ADW_BIN (adw_bin_new ());
      stack_page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->page_slots[i]), pages[i].name,
                                              _(pages[i].title));
      adw_view_stack_page_set_icon_name (stack_page, pages[i].icon_name);
      adw_view_stack_page_set_visible (stack_page, pages[i].visible);
    }

  g_signal_connect_object (self->view_stack, "notify::visible-child",
                           G_CALLBACK (visible_page_changed_cb), self, G_CONNECT_SWAPPED);
}

/* The shared server */

static void
connected_changed_cb (QoimaWindow *self)
{
  gboolean connected = qoima_store_get_connected (qoima_context_get_store (self->context));

  gtk_widget_set_visible (self->connection_banner, !connected);
  if (connected)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reconnect", TRUE);
}

static void
reconnect_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(QoimaWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The banner follows the store's state; a failed try only lets the user try again. */
  if (!qoima_store_reconnect_finish (QOIMA_STORE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Retry: %s", error->message);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reconnect", TRUE);
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  QoimaWindow *self = QOIMA_WINDOW (widget);

  if (self->context == NULL)
    return;
  /* Off while one try is under way: a server that does not answer takes seconds to give up. */
  gtk_widget_action_set_enabled (widget, "win.reconnect", FALSE);
  qoima_store_reconnect_async (qoima_context_get_store (self->context), self->cancellable, reconnect_cb,
                               g_object_ref (self));
}

static void
qoima_window_constructed (GObject *object)
{
  QoimaWindow *self = QOIMA_WINDOW (object);
  GSettings *settings = NULL;

  G_OBJECT_CLASS (qoima_window_parent_class)->constructed (object);

  add_pages (self);

  if (self->context != NULL)
    settings = qoima_context_get_settings (self->context);

  self->capture = qoima_scan_capture_new (GTK_WIDGET (self), settings);
  g_signal_connect_object (qoima_scan_capture_get_reader (self->capture), "scanned",
                           G_CALLBACK (scanned_cb), self, G_CONNECT_SWAPPED);

  restore_size (self);

  if (self->context != NULL)
    {
      qoima_sign_in_set_context (self->sign_in, self->context);
      g_signal_connect_object (self->context, "notify::user",
                               G_CALLBACK (user_changed_cb), self, G_CONNECT_SWAPPED);
      self->idle_check_id = g_timeout_add_seconds (IDLE_CHECK_SECONDS, idle_check_cb, self);
      gtk_widget_set_visible (self->read_only_banner,
                              qoima_store_get_read_only (qoima_context_get_store (self->context)));
      g_signal_connect_object (qoima_context_get_store (self->context), "notify::connected",
                               G_CALLBACK (connected_changed_cb), self, G_CONNECT_SWAPPED);
      connected_changed_cb (self);
      qoima_window_show_content (self);
    }
  else
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.switch-user", FALSE);
    }
}

static void
qoima_window_dispose (GObject *object)
{
  QoimaWindow *self = QOIMA_WINDOW (object);

  g_cancellable_cancel (self->camera_cancellable);
  g_clear_object (&self->camera_cancellable);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);
  g_clear_object (&self->capture);
  g_clear_handle_id (&self->idle_check_id, g_source_remove);
  g_clear_handle_id (&self->after_first_frame_id, g_source_remove);
  g_clear_handle_id (&self->switcher_bar_id, g_source_remove);
  if (self->after_paint_id != 0 && gtk_widget_get_realized (GTK_WIDGET (self)))
    g_clear_signal_handler (&self->after_paint_id, gtk_widget_get_frame_clock (GTK_WIDGET (self)));

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
  /* An image given by qoima_window_open_image() was read, or the camera read a code:
   * whether a code was found (then it goes on as a scan, and scan-handled follows). */
  signals[SIGNAL_IMAGE_READ] =
    g_signal_new ("image-read",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/qoima-window.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, connection_banner);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, read_only_banner);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, role_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, scan_result);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, sign_in);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, user_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, QoimaWindow, switcher_title);
  gtk_widget_class_bind_template_callback (widget_class, switcher_bar_visible_cb);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  for (unsigned i = 0; i < G_N_ELEMENTS (page_permissions); i++)
    {
      g_autofree char *action = g_strdup_printf ("win.page-%s", page_permissions[i].name);

      gtk_widget_class_install_action (widget_class, action, NULL, page_action);
    }
  gtk_widget_class_install_action (widget_class, "win.switch-user", NULL, switch_user_action);
  gtk_widget_class_install_action (widget_class, "win.add-toast", "s", add_toast_action);
  gtk_widget_class_install_action (widget_class, "win.open-image", NULL, open_image_action);
#if HAVE_CAMERA
  /* Without GStreamer the action is absent, and so is its menu item. */
  gtk_widget_class_install_action (widget_class, "win.take-photo", NULL, take_photo_action);
#endif
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open-image", NULL);
#if HAVE_CAMERA
  /* Beside Ctrl+O, Open Image. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.take-photo", NULL);
#endif

  g_type_ensure (QOIMA_TYPE_SCAN_RESULT);
  g_type_ensure (QOIMA_TYPE_SIGN_IN);
}

static gboolean
after_first_frame_cb (gpointer user_data)
{
  QoimaWindow *self = user_data;

  self->after_first_frame_id = 0;
  if (self->stock_reload_pending)
    {
      self->stock_reload_pending = FALSE;
      qoima_stock_page_reload (ensure_page (self, PAGE_STOCK));
    }
  if (self->acts_start_pending)
    {
      self->acts_start_pending = FALSE;
      qoima_acts_page_start (ensure_page (self, PAGE_ACTS));
    }
  return G_SOURCE_REMOVE;
}

/* What waits for the first frame (the Acts page's sync) starts once it is drawn, from
 * the main loop rather than inside the frame clock's signal. */
static void
after_paint_cb (GdkFrameClock *clock,
                QoimaWindow   *self)
{
  g_clear_signal_handler (&self->after_paint_id, clock);
  self->first_frame_drawn = TRUE;
  if ((self->acts_start_pending || self->stock_reload_pending) && self->after_first_frame_id == 0)
    self->after_first_frame_id = g_idle_add (after_first_frame_cb, self);
}

static void
realized_cb (QoimaWindow *self)
{
  if (!self->first_frame_drawn && self->after_paint_id == 0)
    self->after_paint_id = g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                                                    G_CALLBACK (after_paint_cb), self, 0);
}

/* The header's switcher folds while the window is being laid out; the bottom bar that takes
 * its place is shown or hidden after that pass, since a widget hidden in the middle of one
 * keeps its room (a blank strip stayed under the page when a chief's seven pages gave way to
 * an administrator's five). */
static gboolean
update_switcher_bar (gpointer data)
{
  QoimaWindow *self = data;

  self->switcher_bar_id = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), adw_view_switcher_title_get_title_visible (self->switcher_title));
  return G_SOURCE_REMOVE;
}

static void
switcher_folded_cb (QoimaWindow *self)
{
  if (self->switcher_bar_id == 0)
    self->switcher_bar_id = g_idle_add (update_switcher_bar, self);
}

static void
qoima_window_init (QoimaWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  switcher_bar_visible_cb (self);

  self->cancellable = g_cancellable_new ();
  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);
  self->last_input_us = g_get_monotonic_time ();
  g_signal_connect (self, "realize", G_CALLBACK (realized_cb), NULL);
  g_signal_connect_object (self->switcher_title, "notify::title-visible",
                           G_CALLBACK (switcher_folded_cb), self, G_CONNECT_SWAPPED);

  /* Any key or pointer event counts as someone at the PC, for the idle lock. The
   * controller only watches: it never claims an event. */
  {
    GtkEventController *input = gtk_event_controller_legacy_new ();

    gtk_event_controller_set_propagation_phase (input, GTK_PHASE_CAPTURE);
    g_signal_connect_swapped (input, "event", G_CALLBACK (input_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self), input);
  }

  /* A photo or a scanned image dropped on the window is read like a scan. */
  {
    GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);

    gtk_drop_target_set_gtypes (drop, (GType[]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
    g_signal_connect_swapped (drop, "drop", G_CALLBACK (image_dropped_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  }

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
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

GtkWidget *
qoima_window_get_switcher_bar (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->switcher_bar);
}

QoimaStockPage *
qoima_window_get_stock_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return ensure_page (self, PAGE_STOCK);
}

QoimaMovePage *
qoima_window_get_move_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return ensure_page (self, PAGE_MOVE);
}

QoimaDispensingPage *
qoima_window_get_dispensing_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return ensure_page (self, PAGE_DISPENSING);
}

QoimaCountPage *
qoima_window_get_count_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return ensure_page (self, PAGE_COUNT);
}

QoimaApplicationPage *
qoima_window_get_application_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return ensure_page (self, PAGE_APPLICATION);
}

QoimaActsPage *
qoima_window_get_acts_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return ensure_page (self, PAGE_ACTS);
}

QoimaWithdrawalsPage *
qoima_window_get_withdrawals_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return ensure_page (self, PAGE_WITHDRAWALS);
}

QoimaUsePage *
qoima_window_get_use_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return ensure_page (self, PAGE_USE);
}

QoimaSignIn *
qoima_window_get_sign_in (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return self->sign_in;
}

GtkWidget *
qoima_window_get_connection_banner (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return self->connection_banner;
}

GtkWidget *
qoima_window_get_read_only_banner (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return self->read_only_banner;
}

QoimaScannerPage *
qoima_window_get_scanner_page (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);

  return ensure_page (self, PAGE_SCANNER);
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
  show_screen (self, "status");
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
  show_screen (self, "status");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", FALSE);
}

void
qoima_window_show_content (QoimaWindow *self)
{
  gboolean stock_built;

  g_return_if_fail (QOIMA_IS_WINDOW (self));
  g_return_if_fail (self->context != NULL);

  gtk_spinner_set_spinning (self->status_spinner, FALSE);

  if (signed_in_user (self) == NULL)
    {
      apply_role (self);
      qoima_sign_in_reload (self->sign_in);
      show_screen (self, "sign-in");
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.switch-user", FALSE);
      return;
    }

  stock_built = self->stock_page != NULL;
  apply_role (self);

  /* The Acts page syncs with ИС МПТ, asking for the AUTH key, as soon as it has the
   * services: not before someone who may accept acts has signed in. */
  if (page_name_allowed (self, "acts") && !self->acts_page_ready)
    {
      self->acts_page_ready = TRUE;
      /* Its sync is no part of the first frame: it starts once that is drawn. */
      if (self->first_frame_drawn)
        qoima_acts_page_start (ensure_page (self, PAGE_ACTS));
      else
        defer_after_first_frame (self, &self->acts_start_pending);
    }

  show_screen (self, "content");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", page_name_allowed (self, "stock"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.switch-user", TRUE);
  /* A page built just now loaded as it was built; one not built yet will when shown. */
  if (stock_built)
    qoima_stock_page_reload (self->stock_page);
}

static void
toast_dismissed_cb (QoimaWindow *self,
                    AdwToast    *toast)
{
  if (self->toasts != NULL)
    g_ptr_array_remove (self->toasts, toast);
}

void
qoima_window_add_toast (QoimaWindow *self,
                        const char  *message)
{
  AdwToast *toast;

  g_return_if_fail (QOIMA_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  toast = adw_toast_new (message);
  g_ptr_array_add (self->toasts, g_object_ref (toast));
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self, G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
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
  data->user_serial = self->user_serial;

  qoima_store_record_scan_async (qoima_context_get_store (self->context),
                                 data->code,
                                 signed_in_user (self) != NULL ? qoima_user_get_name (signed_in_user (self))
                                                               : g_get_user_name (),
                                 self->cancellable,
                                 record_scan_cb,
                                 data);
}

char *
qoima_window_get_page_accel (QoimaWindow *self,
                             const char  *name)
{
  g_autoptr(GtkSelectionModel) stack_pages = NULL;
  guint n = 0;

  g_return_val_if_fail (QOIMA_IS_WINDOW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (signed_in_user (self) == NULL)
    return NULL;
  /* The switcher's order is the view stack's; hidden pages take no number. */
  stack_pages = adw_view_stack_get_pages (self->view_stack);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (stack_pages)) && n < 9; i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (stack_pages), i);
      const char *page_name = adw_view_stack_page_get_name (page);

      if (!page_name_allowed (self, page_name))
        continue;
      n++;
      if (g_strcmp0 (page_name, name) == 0)
        return g_strdup_printf ("<Alt>%u", n);
    }
  return NULL;
}

gboolean
qoima_window_get_camera_open (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), FALSE);
  return self->camera_cancellable != NULL;
}

guint
qoima_window_get_n_toasts (QoimaWindow *self)
{
  g_return_val_if_fail (QOIMA_IS_WINDOW (self), 0);

  return self->toasts != NULL ? self->toasts->len : 0;
}
