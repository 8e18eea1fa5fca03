/* qoima-reports-page.c: the Reports page: use, opened packs and withdrawals, exported as CSV or XLSX,
 * and the month's dispensing for ИСЛО
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-reports-page"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-reports-page.h"

#include "qoima-copay-islo.h"
#include "qoima-date.h"
#include "qoima-export-chooser.h"
#include "qoima-i18n.h"
#include "qoima-location.h"
#include "qoima-store-reports.h"
#include "qoima-store.h"
#include "qoima-store-copay.h"
#include "qoima-store-outbox.h"
#include "qoima-user.h"

#include <string.h>

struct _QoimaReportsPage
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkColumnView        *column_view;
  AdwStatusPage        *empty_status;
  GtkCalendar          *from_calendar;
  GtkMenuButton        *from_button;
  GtkMenuButton        *export_button;
  GtkDropDown          *kind_drop_down;
  GtkSpinner           *spinner;
  GtkStack             *stack;
  GtkLabel             *summary_label;
  GtkLabel             *title_label;
  GtkCalendar          *to_calendar;
  GtkMenuButton        *to_button;
  GtkDropDown          *ward_drop_down;
  GtkStringList        *ward_names;

  /* Owned references */
  QoimaContext         *context;
  GCancellable         *cancellable;      /* the page's lifetime */
  GCancellable         *load_cancellable; /* the report being made */
  QoimaReport          *report;
  GListStore           *rows;
  GArray               *ward_ids;         /* gint64, parallel to ward_names */
  GDateTime            *from;
  GDateTime            *to;
  gboolean              choosing;         /* an export's file chooser is open */
  gboolean              chooser_islo;     /* the chooser asks for the ИСЛО report's file */

  /* State */
  QoimaReportKind       kind;
  gint64                location_id;
  guint                 loading : 1;
  guint                 updating_controls : 1;
  gboolean          started; /* qoima_reports_page_start() was called */
};

G_DEFINE_FINAL_TYPE (QoimaReportsPage, qoima_reports_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_LOADING,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void reload (QoimaReportsPage *self);

static GDateTime *
local_day (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  return g_date_time_new_local (g_date_time_get_year (local), g_date_time_get_month (local),
                                g_date_time_get_day_of_month (local), 0, 0, 0);
}

static void
set_loading (QoimaReportsPage *self,
             gboolean          loading)
{
  if (self->loading == !!loading)
    return;
  self->loading = !!loading;
  gtk_spinner_set_spinning (self->spinner, self->loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
show_status (QoimaReportsPage *self,
             const char       *icon_name,
             const char       *title,
             const char       *description)
{
  adw_status_page_set_icon_name (self->empty_status, icon_name);
  adw_status_page_set_title (self->empty_status, title);
  adw_status_page_set_description (self->empty_status, description);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
set_export_enabled (QoimaReportsPage *self,
                    gboolean          enabled)
{
  gboolean may_view;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.export", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.export-xlsx", enabled);
  /* The ИСЛО report is the month's, whatever report is shown: the menu stays open to
   * whoever may view reports. */
  may_view = self->context != NULL &&
             qoima_user_check (qoima_context_get_user (self->context), QOIMA_PERMISSION_VIEW_REPORTS, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.export-islo", may_view);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.export-islo-xlsx", may_view);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), enabled || may_view);
}

/* The export menu's ИСЛО section, after the report's own formats. */
#define ISLO_SECTION 1

/* The ИСЛО section names its month, the period's first: "the period's first month" left the
 * user to work out which month a period of 15.11–04.12 exports (all of November). */
static void
update_islo_section (QoimaReportsPage *self)
{
  GMenu *menu = G_MENU (gtk_menu_button_get_menu_model (self->export_button));
  g_autoptr(GMenuModel) items = g_menu_model_get_item_link (G_MENU_MODEL (menu), ISLO_SECTION, G_MENU_LINK_SECTION);
  g_autofree char *month = g_date_time_format (self->from, "%m.%Y");
  g_autofree char *label = NULL;
  g_autoptr(GMenuItem) section = NULL;

  g_assert (items != NULL);
  /* Translators: a heading in the Export menu; %s is the month whose dispensing is exported
   * for ИСЛО, the drug-provision information system (12.2026). */
  label = g_strdup_printf (_("Dispensing for ИСЛО in %s"), month);
  section = g_menu_item_new_section (label, items);
  g_menu_remove (menu, ISLO_SECTION);
  g_menu_insert_item (menu, ISLO_SECTION, section);
}

static void
update_period_controls (QoimaReportsPage *self)
{
  g_autofree char *from = qoima_format_date (self->from);
  g_autofree char *to = qoima_format_date (self->to);
  gboolean has_period = self->kind != QOIMA_REPORT_OPENED;

  self->updating_controls = TRUE;
  gtk_menu_button_set_label (self->from_button, from);
  gtk_menu_button_set_label (self->to_button, to);
  gtk_calendar_select_day (self->from_calendar, self->from);
  gtk_calendar_select_day (self->to_calendar, self->to);
  self->updating_controls = FALSE;
  update_islo_section (self);

  /* What is open now is open whatever the period. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->from_button), has_period);
  gtk_widget_set_sensitive (GTK_WIDGET (self->to_button), has_period);
}

/* Columns: one label per cell; the cell's column is the handler's data. */

static void
setup_text_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
setup_number_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

/* "YYYY-MM-DD" and nothing else. */
static gboolean
is_iso_day (const char *text)
{
  if (text == NULL || strlen (text) != 10)
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i == 4 || i == 7 ? text[i] != '-' : !g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  GtkStringList *row = gtk_list_item_get_item (item);
  const char *text = gtk_string_list_get_string (row, GPOINTER_TO_UINT (user_data));
  g_autofree char *shown = NULL;

  /* The report keeps its days as ISO dates, as its CSV writes them; on screen they are
   * written as everywhere else in the window. */
  if (is_iso_day (text))
    shown = qoima_format_iso_date (text);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), shown != NULL ? shown : text != NULL ? text : "");
  gtk_widget_set_tooltip_text (gtk_list_item_get_child (item), shown != NULL ? shown : text);
}

/* A number's cell, grouped in thousands as the user's language writes counts. */
static void
bind_number_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkStringList *row = gtk_list_item_get_item (item);
  const char *text = gtk_string_list_get_string (row, GPOINTER_TO_UINT (user_data));
  gint64 number = 0;
  g_autofree char *shown = NULL;

  if (text != NULL && g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &number, NULL))
    shown = qoima_format_count (number);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), shown != NULL ? shown : text != NULL ? text : "");
}

static void
rebuild_columns (QoimaReportsPage *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, g_list_model_get_n_items (columns) - 1);

      gtk_column_view_remove_column (self->column_view, column);
    }

  for (guint i = 0; i < qoima_report_get_n_columns (self->report); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      gboolean numeric = qoima_report_get_column_kind (self->report, i) == QOIMA_REPORT_COLUMN_NUMBER;

      g_signal_connect (factory, "setup", numeric ? G_CALLBACK (setup_number_cb) : G_CALLBACK (setup_text_cb), NULL);
      g_signal_connect (factory, "bind", numeric ? G_CALLBACK (bind_number_cb) : G_CALLBACK (bind_cb),
                        GUINT_TO_POINTER (i));
      column = gtk_column_view_column_new (qoima_report_get_column_title (self->report, i), factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, !numeric);
      gtk_column_view_append_column (self->column_view, column);
    }
}

static char *
make_summary (QoimaReport *report)
{
  guint n_rows = qoima_report_get_n_rows (report);
  GString *summary = g_string_new (NULL);

  g_autofree char *count = qoima_format_count (n_rows);

  /* Translators: the report's count of rows, grouped in thousands. */
  g_string_append_printf (summary, ngettext ("%s row", "%s rows", n_rows), count);
  for (guint i = 0; i < qoima_report_get_n_columns (report); i++)
    {
      gint64 total = qoima_report_get_total (report, i);
      g_autofree char *part = NULL;
      g_autofree char *number = NULL;

      if (total < 0)
        continue;
      number = qoima_format_count (total);
      /* Translators: a column's total under the report, e.g. "Units: 12 345". */
      part = g_strdup_printf (_("%s: %s"), qoima_report_get_column_title (report, i), number);
      g_string_append_printf (summary, " · %s", part);
    }
  return g_string_free (summary, FALSE);
}

static void
show_report (QoimaReportsPage *self)
{
  g_autofree char *summary = make_summary (self->report);

  g_list_store_remove_all (self->rows);
  rebuild_columns (self);
  for (guint i = 0; i < qoima_report_get_n_rows (self->report); i++)
    {
      g_autoptr(GtkStringList) row = gtk_string_list_new (qoima_report_get_row (self->report, i));

      g_list_store_append (self->rows, row);
    }

  gtk_label_set_label (self->title_label, qoima_report_get_title (self->report));
  gtk_label_set_label (self->summary_label, summary);
  set_export_enabled (self, TRUE);

  if (qoima_report_get_n_rows (self->report) > 0)
    gtk_stack_set_visible_child_name (self->stack, "report");
  else
    show_status (self, "x-office-spreadsheet-symbolic", _("Nothing to Report"),
                 _("Nothing matches this report's period and ward."));
}

/* Callbacks */

static void
report_made_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QoimaReportsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaReport) report = NULL;

  report = qoima_store_make_report_finish (QOIMA_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_loading (self, FALSE);
  g_clear_object (&self->report);
  if (report == NULL)
    {
      g_list_store_remove_all (self->rows);
      gtk_label_set_label (self->title_label, qoima_report_kind_to_label (self->kind));
      gtk_label_set_label (self->summary_label, "");
      set_export_enabled (self, FALSE);
      show_status (self, "dialog-error-symbolic", _("Could Not Make the Report"), error->message);
      return;
    }

  self->report = g_steal_pointer (&report);
  show_report (self);
}

static void
locations_loaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(QoimaReportsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) locations = NULL;
  guint selected = 0;

  locations = qoima_store_list_locations_finish (QOIMA_STORE (source), result, &error);
  if (locations == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not list the wards: %s", error->message);
      return;
    }

  self->updating_controls = TRUE;
  g_array_set_size (self->ward_ids, 1);
  gtk_string_list_splice (self->ward_names, 1,
                          g_list_model_get_n_items (G_LIST_MODEL (self->ward_names)) - 1, NULL);
  for (guint i = 0; i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);
      gint64 id = qoima_location_get_id (location);

      if (qoima_location_get_kind (location) != QOIMA_LOCATION_KIND_WARD)
        continue;
      g_array_append_val (self->ward_ids, id);
      gtk_string_list_append (self->ward_names, qoima_location_get_name (location));
      if (id == self->location_id)
        selected = self->ward_ids->len - 1;
    }
  gtk_drop_down_set_selected (self->ward_drop_down, selected);
  self->updating_controls = FALSE;
}

static void
kind_selected_cb (QoimaReportsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->kind_drop_down);

  if (self->updating_controls || selected >= QOIMA_REPORT_N_KINDS)
    return;
  qoima_reports_page_set_kind (self, (QoimaReportKind) selected);
}

static void
ward_selected_cb (QoimaReportsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->ward_drop_down);

  if (self->updating_controls || selected >= self->ward_ids->len)
    return;
  qoima_reports_page_set_location_id (self, g_array_index (self->ward_ids, gint64, selected));
}

static void
day_selected_cb (QoimaReportsPage *self,
                 GtkCalendar      *calendar)
{
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) picked = NULL;

  if (self->updating_controls)
    return;

  picked = gtk_calendar_get_date (calendar);
  day = local_day (picked);
  if (calendar == self->from_calendar)
    {
      gtk_menu_button_popdown (self->from_button);
      qoima_reports_page_set_period (self, day, self->to);
    }
  else
    {
      gtk_menu_button_popdown (self->to_button);
      qoima_reports_page_set_period (self, self->from, day);
    }
}

static void
user_changed_cb (QoimaReportsPage *self)
{
  reload (self);
}

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  QoimaReportsPage *self = QOIMA_REPORTS_PAGE (source);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = g_file_get_basename (file);

  if (!qoima_reports_page_export_finish (self, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Could not export the report: %s"), error->message);
    }
  else
    {
      message = g_strdup_printf (_("Report exported to %s"), name);
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "win.add-toast", "s", message);
}

static void
islo_exported_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  QoimaReportsPage *self = QOIMA_REPORTS_PAGE (source);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = g_file_get_basename (file);

  if (!qoima_reports_page_export_islo_finish (self, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Could not export the report: %s"), error->message);
    }
  else
    {
      message = g_strdup_printf (_("Report exported to %s"), name);
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "win.add-toast", "s", message);
}

static void
file_chosen_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  QoimaReportsPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = qoima_export_chooser_run_finish (result, &error);

  /* Cancelled: the page is going away. */
  if (error != NULL)
    return;
  self->choosing = FALSE;
  if (file != NULL && self->chooser_islo)
    qoima_reports_page_export_islo_async (self, file, self->cancellable, islo_exported_cb, g_object_ref (file));
  else if (file != NULL)
    qoima_reports_page_export_async (self, file, self->cancellable, exported_cb, g_object_ref (file));
}

/* Actions */

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  qoima_reports_page_reload (QOIMA_REPORTS_PAGE (widget));
}

/* Asks where to save the report as @suffix ("csv", "xlsx"); the file's name picks the format. */
static void
choose_export_file (QoimaReportsPage  *self,
                    const char        *suffix,
                    QoimaExportFormat  format)
{
  g_autofree char *from = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *name = NULL;

  if (self->report == NULL || self->choosing)
    return;

  self->chooser_islo = FALSE;
  from = g_date_time_format (self->from, "%Y-%m-%d");
  /* Translators: the suggested file name, without its ".csv" or ".xlsx"; %s is the kind
   * ("patients"…), then the first day. */
  stem = g_strdup_printf (_("report-%s-%s"), qoima_report_kind_to_nick (self->kind), from);
  name = g_strconcat (stem, ".", suffix, NULL);

  self->choosing = TRUE;
  qoima_export_chooser_run_async (GTK_WIDGET (self), _("Export Report"), name, format, self->cancellable,
                                  file_chosen_cb, self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  choose_export_file (QOIMA_REPORTS_PAGE (widget), "csv", QOIMA_EXPORT_FORMAT_CSV);
}

static void
export_xlsx_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  choose_export_file (QOIMA_REPORTS_PAGE (widget), "xlsx", QOIMA_EXPORT_FORMAT_XLSX);
}

/* Asks where to save the ИСЛО report of the period's first month as @suffix. */
static void
choose_islo_file (QoimaReportsPage  *self,
                  const char        *suffix,
                  QoimaExportFormat  format)
{
  g_autofree char *month = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *name = NULL;

  if (self->context == NULL || self->choosing)
    return;

  self->chooser_islo = TRUE;
  month = g_date_time_format (self->from, "%Y-%m");
  /* Translators: the suggested file name, without its ".csv" or ".xlsx"; %s is the month
   * (2026-01). ИСЛО is the drug-provision information system. */
  stem = g_strdup_printf (_("islo-%s"), month);
  name = g_strconcat (stem, ".", suffix, NULL);

  self->choosing = TRUE;
  qoima_export_chooser_run_async (GTK_WIDGET (self), _("Export the Month for ИСЛО"), name, format,
                                  self->cancellable, file_chosen_cb, self);
}

static void
export_islo_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  choose_islo_file (QOIMA_REPORTS_PAGE (widget), "csv", QOIMA_EXPORT_FORMAT_CSV);
}

static void
export_islo_xlsx_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  choose_islo_file (QOIMA_REPORTS_PAGE (widget), "xlsx", QOIMA_EXPORT_FORMAT_XLSX);
}

/* Making the report */

static void
reload (QoimaReportsPage *self)
{
  QoimaUser *user;

  if (self->context == NULL)
    return;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);

  if (self->kind != QOIMA_REPORT_OPENED && g_date_time_compare (self->from, self->to) > 0)
    {
      set_loading (self, FALSE);
      g_clear_object (&self->report);
      g_list_store_remove_all (self->rows);
      gtk_label_set_label (self->summary_label, "");
      set_export_enabled (self, FALSE);
      show_status (self, "dialog-warning-symbolic", _("The Period Ends Before It Starts"),
                   _("Choose a first day on or before the last day."));
      return;
    }

  /* The core checks the user's role; without one it refuses, and the page says why. */
  user = qoima_context_get_user (self->context);
  self->load_cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  qoima_store_make_report_async (qoima_context_get_store (self->context), user, self->kind,
                                 self->from, self->to, self->location_id, self->load_cancellable,
                                 report_made_cb, g_object_ref (self));
}

/* Export: replace the file, write the CSV, close; each step asynchronous. */

static void
export_closed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
export_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_output_stream_close_async (G_OUTPUT_STREAM (source), G_PRIORITY_DEFAULT, cancellable,
                               export_closed_cb, g_steal_pointer (&task));
}

static void
export_replaced_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  GBytes *csv = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  stream = g_file_replace_finish (G_FILE (source), result, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_output_stream_write_all_async (G_OUTPUT_STREAM (stream), g_bytes_get_data (csv, NULL), g_bytes_get_size (csv),
                                   G_PRIORITY_DEFAULT, cancellable, export_written_cb, g_steal_pointer (&task));
}

static gboolean
is_xlsx_file (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *folded = g_utf8_casefold (name, -1);

  return g_str_has_suffix (folded, ".xlsx");
}

/* The workbook's bytes, then the file replaced with them, on the task's thread. */
static void
make_xlsx_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GFile *file = g_object_get_data (G_OBJECT (task), "file");
  g_autoptr(GBytes) xlsx = NULL;
  g_autoptr(GError) error = NULL;

  xlsx = qoima_report_to_xlsx (QOIMA_REPORT (task_data), &error);
  if (xlsx == NULL ||
      !g_file_replace_contents (file, g_bytes_get_data (xlsx, NULL), g_bytes_get_size (xlsx), NULL, FALSE,
                                G_FILE_CREATE_REPLACE_DESTINATION, NULL, cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* GObject */

static void
qoima_reports_page_dispose (GObject *object)
{
  QoimaReportsPage *self = QOIMA_REPORTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->load_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_REPORTS_PAGE);

  g_clear_object (&self->context);
  g_clear_object (&self->report);
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (qoima_reports_page_parent_class)->dispose (object);
}

static void
qoima_reports_page_finalize (GObject *object)
{
  QoimaReportsPage *self = QOIMA_REPORTS_PAGE (object);

  g_clear_pointer (&self->ward_ids, g_array_unref);
  g_clear_pointer (&self->from, g_date_time_unref);
  g_clear_pointer (&self->to, g_date_time_unref);

  G_OBJECT_CLASS (qoima_reports_page_parent_class)->finalize (object);
}

static void
qoima_reports_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  QoimaReportsPage *self = QOIMA_REPORTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, qoima_reports_page_get_context (self));
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, qoima_reports_page_get_loading (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_reports_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  QoimaReportsPage *self = QOIMA_REPORTS_PAGE (object);

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
qoima_reports_page_class_init (QoimaReportsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_reports_page_dispose;
  object_class->finalize = qoima_reports_page_finalize;
  object_class->get_property = qoima_reports_page_get_property;
  object_class->set_property = qoima_reports_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/kz/qoima/Qoima/ui/pages/qoima-reports-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, empty_status);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, from_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, from_calendar);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, kind_drop_down);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, to_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, to_calendar);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, ward_drop_down);
  gtk_widget_class_bind_template_child (widget_class, QoimaReportsPage, ward_names);
  gtk_widget_class_bind_template_callback (widget_class, day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, kind_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, ward_selected_cb);

  gtk_widget_class_install_action (widget_class, "reports.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "reports.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "reports.export-xlsx", NULL, export_xlsx_action);
  gtk_widget_class_install_action (widget_class, "reports.export-islo", NULL, export_islo_action);
  gtk_widget_class_install_action (widget_class, "reports.export-islo-xlsx", NULL, export_islo_xlsx_action);
}

static void
qoima_reports_page_init (QoimaReportsPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GtkNoSelection) selection = NULL;
  gint64 all = 0;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->rows = g_list_store_new (GTK_TYPE_STRING_LIST);
  self->ward_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (self->ward_ids, all);
  self->from = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now), 1, 0, 0, 0);
  self->to = local_day (now);

  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));

  update_period_controls (self);
  set_export_enabled (self, FALSE);
}

/* Public API */

QoimaContext *
qoima_reports_page_get_context (QoimaReportsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORTS_PAGE (self), NULL);

  return self->context;
}

void
qoima_reports_page_start (QoimaReportsPage *self)
{
  g_return_if_fail (QOIMA_IS_REPORTS_PAGE (self));
  g_return_if_fail (self->context != NULL);

  if (self->started)
    return;

  self->started = TRUE;
  g_signal_connect_object (self->context, "notify::user", G_CALLBACK (user_changed_cb), self, G_CONNECT_SWAPPED);
  qoima_store_list_locations_async (qoima_context_get_store (self->context), self->cancellable,
                                    locations_loaded_cb, g_object_ref (self));
  reload (self);
}

gboolean
qoima_reports_page_get_loading (QoimaReportsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORTS_PAGE (self), FALSE);

  return self->loading;
}

QoimaReportKind
qoima_reports_page_get_kind (QoimaReportsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORTS_PAGE (self), QOIMA_REPORT_USE_BY_PATIENT);

  return self->kind;
}

void
qoima_reports_page_set_kind (QoimaReportsPage *self,
                             QoimaReportKind   kind)
{
  g_return_if_fail (QOIMA_IS_REPORTS_PAGE (self));
  g_return_if_fail ((guint) kind < QOIMA_REPORT_N_KINDS);

  if (self->kind == kind)
    return;
  self->kind = kind;
  self->updating_controls = TRUE;
  gtk_drop_down_set_selected (self->kind_drop_down, kind);
  self->updating_controls = FALSE;
  update_period_controls (self);
  reload (self);
}

void
qoima_reports_page_set_period (QoimaReportsPage *self,
                               GDateTime        *from,
                               GDateTime        *to)
{
  g_return_if_fail (QOIMA_IS_REPORTS_PAGE (self));
  g_return_if_fail (from != NULL && to != NULL);

  /* Days, not instants: the store compares local days. */
  from = local_day (from);
  to = local_day (to);
  g_clear_pointer (&self->from, g_date_time_unref);
  g_clear_pointer (&self->to, g_date_time_unref);
  self->from = from;
  self->to = to;
  update_period_controls (self);
  reload (self);
}

void
qoima_reports_page_set_location_id (QoimaReportsPage *self,
                                    gint64            location_id)
{
  g_return_if_fail (QOIMA_IS_REPORTS_PAGE (self));

  if (self->location_id == location_id)
    return;
  self->location_id = location_id;
  self->updating_controls = TRUE;
  for (guint i = 0; i < self->ward_ids->len; i++)
    if (g_array_index (self->ward_ids, gint64, i) == location_id)
      gtk_drop_down_set_selected (self->ward_drop_down, i);
  self->updating_controls = FALSE;
  reload (self);
}

void
qoima_reports_page_reload (QoimaReportsPage *self)
{
  g_return_if_fail (QOIMA_IS_REPORTS_PAGE (self));

  reload (self);
}

QoimaReport *
qoima_reports_page_get_report (QoimaReportsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORTS_PAGE (self), NULL);

  return self->report;
}

GListModel *
qoima_reports_page_get_rows (QoimaReportsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORTS_PAGE (self), NULL);

  return G_LIST_MODEL (self->rows);
}

GtkColumnView *
qoima_reports_page_get_column_view (QoimaReportsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORTS_PAGE (self), NULL);

  return self->column_view;
}

const char *
qoima_reports_page_get_summary (QoimaReportsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_REPORTS_PAGE (self), NULL);

  return gtk_label_get_label (self->summary_label);
}

void
qoima_reports_page_export_async (QoimaReportsPage    *self,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (QOIMA_IS_REPORTS_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_reports_page_export_async);
  if (self->report == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no report to export."));
      return;
    }
  if (is_xlsx_file (file))
    {
      /* The workbook is made on a thread (libxlsxwriter writes files), from this report:
       * one made meanwhile does not change what is written. */
      qoima_report_get_totals_row (self->report); /* built now, not on the thread */
      g_task_set_task_data (task, g_object_ref (self->report), g_object_unref);
      g_object_set_data_full (G_OBJECT (task), "file", g_object_ref (file), g_object_unref);
      g_task_run_in_thread (task, make_xlsx_thread);
      return;
    }
  /* The bytes are made now, so a report made meanwhile does not change what is written. */
  g_task_set_task_data (task, qoima_report_to_csv_separated (self->report, qoima_report_get_csv_separator ()),
                        (GDestroyNotify) g_bytes_unref);
  g_file_replace_async (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, G_PRIORITY_DEFAULT, cancellable,
                        export_replaced_cb, g_steal_pointer (&task));
}

gboolean
qoima_reports_page_export_finish (QoimaReportsPage  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (QOIMA_IS_REPORTS_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_reports_page_export_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The ИСЛО report: the month's registry, then the withdrawals' states, then the file
 * written on a thread. */

typedef struct {
  GFile              *file;
  char               *language;
  int                 year;
  int                 month;
  QoimaCopayRegistry *registry;
  GHashTable         *states;
} IsloExport;

static void
islo_export_free (IsloExport *data)
{
  g_clear_object (&data->file);
  g_free (data->language);
  g_clear_pointer (&data->registry, qoima_copay_registry_free);
  g_clear_pointer (&data->states, g_hash_table_unref);
  g_free (data);
}

static void
islo_write_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  IsloExport *data = task_data;
  g_autofree char *path = g_file_get_path (data->file);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("The file must be a local file."));
      return;
    }
  if (is_xlsx_file (data->file))
    ok = qoima_copay_islo_write_xlsx (data->registry, data->states, data->language, path, &error);
  else
    ok = qoima_copay_islo_write_csv (data->registry, data->states, data->language, path, &error);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
islo_states_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IsloExport *data = g_task_get_task_data (task);
  g_autoptr(JsonNode) withdrawals = NULL;
  g_autoptr(GError) error = NULL;

  withdrawals = qoima_store_list_withdrawals_finish (QOIMA_STORE (source), result, &error);
  if (withdrawals == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->states = qoima_copay_islo_states (withdrawals);
  g_task_run_in_thread (task, islo_write_thread);
}

static void
islo_registry_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IsloExport *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->registry = qoima_store_copay_registry_finish (QOIMA_STORE (source), result, &error);
  if (data->registry == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  qoima_store_list_withdrawals_async (QOIMA_STORE (source), g_task_get_cancellable (task), islo_states_cb,
                                      g_object_ref (task));
}

void
qoima_reports_page_export_islo_async (QoimaReportsPage    *self,
                                      GFile               *file,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  const char *ui_language = g_get_language_names_with_category ("LC_MESSAGES")[0];
  IsloExport *data;

  g_return_if_fail (QOIMA_IS_REPORTS_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->context != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_reports_page_export_islo_async);
  /* Patients' IINs: only for those who may view reports. */
  if (!qoima_user_check (qoima_context_get_user (self->context), QOIMA_PERMISSION_VIEW_REPORTS, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data = g_new0 (IsloExport, 1);
  data->file = g_object_ref (file);
  /* The form's language: Kazakh for a Kazakh interface, else Russian, as the registry's. */
  data->language = g_strdup (g_str_has_prefix (ui_language, "kk") ? "kk" : "ru");
  data->year = g_date_time_get_year (self->from);
  data->month = g_date_time_get_month (self->from);
  g_task_set_task_data (task, data, (GDestroyNotify) islo_export_free);
  qoima_store_copay_registry_async (qoima_context_get_store (self->context), data->year, data->month, cancellable,
                                    islo_registry_cb, g_steal_pointer (&task));
}

gboolean
qoima_reports_page_export_islo_finish (QoimaReportsPage  *self,
                                       GAsyncResult      *result,
                                       GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_reports_page_export_islo_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
