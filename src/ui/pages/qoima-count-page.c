/* qoima-count-page.c: a stock count (инвентаризация) of the warehouse or a ward, by scanning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The clerk (or the ward's nurse) chooses the location, starts a count and scans what is on
 * the shelves in any order; the tally per medicine grows as she goes, and what the book and
 * the shelf disagree on is listed as it is found. Everything is in the database as it
 * happens, so the page opens on the count in progress after a restart. Finishing freezes the
 * findings; the chief signs them off, and only then is the book corrected.
 */

#define G_LOG_DOMAIN "qoima-count-page"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-count-page.h"

#include "qoima-count-export.h"
#include "qoima-export-chooser.h"
#include "qoima-gs1.h"
#include "qoima-i18n.h"
#include "qoima-location.h"

struct _QoimaCountPage
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkDropDown     *location_dropdown;
  AdwActionRow    *state_row;
  GtkButton       *start_button;
  GtkButton       *finish_button;
  GtkButton       *sign_off_button;
  GtkMenuButton   *export_button;
  GtkLabel        *scan_label;
  AdwPreferencesGroup *units_group;
  AdwActionRow    *units_row;
  GtkSpinButton   *units_spin;
  GtkListBox      *tally_list;
  GtkListBox      *findings_list;

  /* Owned references */
  QoimaContext    *context;
  GCancellable    *cancellable;
  GListStore      *locations;
  QoimaCount      *count;
  QoimaCountScan  *last_scan;
  char            *scan_message;
  GPtrArray       *rows; /* the tally's and findings' rows, removed at each reload */
  QoimaCountExport chosen_export;

  /* State */
  guint            busy : 1;
  guint            choosing : 1; /* the export's file chooser is open */
};

G_DEFINE_FINAL_TYPE (QoimaCountPage, qoima_count_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS,
};

enum {
  SIGNAL_SCAN_HANDLED,
  SIGNAL_SIGNED_OFF,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static QoimaStore *
store (QoimaCountPage *self)
{
  return qoima_context_get_store (self->context);
}

static QoimaUser *
user (QoimaCountPage *self)
{
  return self->context != NULL ? qoima_context_get_user (self->context) : NULL;
}

static void
toast (QoimaCountPage *self,
       const char     *message)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.add-toast", "s", message);
}

static gint64
selected_location (QoimaCountPage *self)
{
  QoimaLocation *location = gtk_drop_down_get_selected_item (self->location_dropdown);

  return location != NULL ? qoima_location_get_id (location) : 0;
}

static char *
location_name (QoimaLocation *location)
{
  return g_strdup (location != NULL ? qoima_location_get_name (location) : NULL);
}

static void
update_actions (QoimaCountPage *self)
{
  QoimaUser *signed_in = user (self);
  gboolean may_count = signed_in != NULL &&
                       qoima_role_allows (qoima_user_get_role (signed_in), QOIMA_PERMISSION_COUNT_STOCK);
  gboolean may_sign_off = signed_in != NULL &&
                          qoima_role_allows (qoima_user_get_role (signed_in), QOIMA_PERMISSION_WRITE_OFF);
  QoimaCountState state = self->count != NULL ? self->count->state : QOIMA_COUNT_SIGNED_OFF;

  /* Only the next step's button shows: start, finish, or (the chief's) sign off. */
  gtk_widget_set_visible (GTK_WIDGET (self->start_button), may_count &&
                          (self->count == NULL || state == QOIMA_COUNT_SIGNED_OFF));
  gtk_widget_set_visible (GTK_WIDGET (self->finish_button), may_count && self->count != NULL &&
                          state == QOIMA_COUNT_OPEN);
  gtk_widget_set_visible (GTK_WIDGET (self->sign_off_button), may_sign_off && self->count != NULL &&
                          state == QOIMA_COUNT_FINISHED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "count.start",
                                 !self->busy && may_count && selected_location (self) != 0 &&
                                 (self->count == NULL || state == QOIMA_COUNT_SIGNED_OFF));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "count.finish",
                                 !self->busy && may_count && self->count != NULL && state == QOIMA_COUNT_OPEN);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "count.sign-off",
                                 !self->busy && may_sign_off && self->count != NULL && state == QOIMA_COUNT_FINISHED);
  /* The result is printed or exported at any step: a count under way shows what is found so far. */
  gtk_widget_set_visible (GTK_WIDGET (self->export_button), self->count != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "count.export", self->count != NULL && !self->choosing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "count.save-units",
                                 !self->busy && self->count != NULL && state == QOIMA_COUNT_OPEN &&
                                 self->last_scan != NULL && self->last_scan->opened);
}

static void
show_scan (QoimaCountPage *self,
           const char     *message,
           gboolean        refused)
{
  g_free (self->scan_message);
  self->scan_message = g_strdup (message);
  gtk_label_set_text (self->scan_label, message);
  gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), refused ? "success" : "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->scan_label), refused ? "error" : "success");
  g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
}

static void
clear_rows (QoimaCountPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *list = gtk_widget_get_parent (row);

      if (list != NULL)
        gtk_list_box_remove (GTK_LIST_BOX (list), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

static void
add_row (QoimaCountPage *self,
         GtkListBox     *list,
         const char     *title,
         const char     *subtitle,
         const char     *style)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  /* Long names (a ward's, a medicine's) read whole on hover. */
  gtk_widget_set_tooltip_text (row, title);
  if (style != NULL)
    gtk_widget_add_css_class (row, style);
  gtk_list_box_append (list, row);
  g_ptr_array_add (self->rows, row);
}

static char *
finding_subtitle (const QoimaCountLine *line)
{
  g_autofree char *what = NULL;

  switch (line->finding)
    {
    case QOIMA_COUNT_ELSEWHERE:
      /* Translators: a stock count's finding; %s is the ward or warehouse of the book. */
      what = g_strdup_printf (_("Booked at %s"), line->book_location != NULL ? line->book_location : "?");
      break;
    case QOIMA_COUNT_FOUND:
      /* Translators: an opened pack's units: counted on the shelf, then on the book. */
      what = g_strdup_printf (_("%d units counted, %d on the book"), line->counted_units, line->book_units);
      break;
    default:
      what = g_strdup (qoima_count_finding_to_label (line->finding));
      break;
    }
  /* Translators: a finding's subtitle: what was found · the pack's identification code. */
  return g_strdup_printf (_("%s · %s"), what, line->ki);
}

static void
show_count (QoimaCountPage *self)
{
  clear_rows (self);

  if (self->count == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->state_row), _("No count in progress"));
      adw_action_row_set_subtitle (self->state_row, _("Start a count, then scan every pack and box on the shelves."));
    }
  else
    {
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *found = qoima_format_count (self->count->n_found);
      guint missing = 0;

      for (guint i = 0; i < self->count->lines->len; i++)
        if (((QoimaCountLine *) g_ptr_array_index (self->count->lines, i))->finding == QOIMA_COUNT_MISSING)
          missing++;

      /* Translators: the stock count's number, then its state ("Counting"…). */
      title = g_strdup_printf (_("Count %lld: %s"), (long long) self->count->id,
                               qoima_count_state_to_label (self->count->state));
      if (self->count->state == QOIMA_COUNT_OPEN)
        /* Translators: %s is a count with thousands separators. */
        subtitle = g_strdup_printf (ngettext ("%s pack found where the book has it; started by %s",
                                              "%s packs found where the book has them; started by %s",
                                              self->count->n_found),
                                    found, self->count->started_by);
      else
        subtitle = g_strdup_printf (ngettext ("%s pack found, %u missing",
                                              "%s packs found, %u missing",
                                              self->count->n_found),
                                    found, missing);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->state_row), title);
      adw_action_row_set_subtitle (self->state_row, subtitle);

      for (guint i = 0; i < self->count->tally->len; i++)
        {
          QoimaCountTally *tally = g_ptr_array_index (self->count->tally, i);
          g_autofree char *counts = NULL;

          /* Translators: a medicine's tally in a stock count: counted, then on the book. */
          counts = g_strdup_printf (_("%d counted of %d on the book"), tally->counted, tally->expected);
          add_row (self, self->tally_list, tally->name, counts,
                   tally->counted == tally->expected ? NULL : "warning");
        }
      for (guint i = 0; i < self->count->lines->len; i++)
        {
          QoimaCountLine *line = g_ptr_array_index (self->count->lines, i);
          g_autofree char *subtitle_line = finding_subtitle (line);

          add_row (self, self->findings_list, line->name != NULL ? line->name : _("Unknown medicine"),
                   subtitle_line, line->finding == QOIMA_COUNT_MISSING ? "error" : NULL);
        }
    }
  update_actions (self);
}

/* Loading the count. */

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(QoimaCountPage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  QoimaCount *count = qoima_store_load_count_finish (QOIMA_STORE (object), result, &local_error);

  if (count == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      return;
    }
  g_clear_pointer (&self->count, qoima_count_free);
  self->count = count;
  show_count (self);
}

static void
load (QoimaCountPage *self,
      gint64          count_id)
{
  qoima_store_load_count_async (store (self), count_id, self->cancellable, loaded_cb, g_object_ref (self));
}

static void
found_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(QoimaCountPage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  gint64 count_id = qoima_store_find_count_finish (QOIMA_STORE (object), result, &local_error);

  if (count_id < 0)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      return;
    }
  if (count_id == 0)
    {
      g_clear_pointer (&self->count, qoima_count_free);
      show_count (self);
      return;
    }
  load (self, count_id);
}

static void
reload_count (QoimaCountPage *self)
{
  gint64 location = selected_location (self);

  g_clear_pointer (&self->last_scan, qoima_count_scan_free);
  gtk_widget_set_visible (GTK_WIDGET (self->units_group), FALSE);
  if (self->context == NULL || location == 0)
    {
      g_clear_pointer (&self->count, qoima_count_free);
      show_count (self);
      return;
    }
  qoima_store_find_count_async (store (self), location, self->cancellable, found_cb, g_object_ref (self));
}

static void
location_selected_cb (QoimaCountPage *self)
{
  gtk_label_set_text (self->scan_label, _("Scan a pack or a box."));
  gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), "error");
  reload_count (self);
}

static void
locations_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(QoimaCountPage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GListModel) locations = qoima_store_list_locations_finish (QOIMA_STORE (object), result, &local_error);
  QoimaUser *signed_in = user (self);
  gint64 keep = selected_location (self);
  guint select = GTK_INVALID_LIST_POSITION;

  if (locations == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      return;
    }

  g_list_store_remove_all (self->locations);
  for (guint i = 0; i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);

      if (qoima_location_get_archived (location))
        continue;
      /* A nurse counts her own ward: the list holds it alone, and opens on it. */
      if (signed_in != NULL && qoima_user_get_role (signed_in) == QOIMA_ROLE_NURSE &&
          qoima_location_get_id (location) != qoima_user_get_ward_id (signed_in))
        continue;
      if (qoima_location_get_id (location) == keep)
        select = g_list_model_get_n_items (G_LIST_MODEL (self->locations));
      g_list_store_append (self->locations, location);
    }
  if (select == GTK_INVALID_LIST_POSITION && g_list_model_get_n_items (G_LIST_MODEL (self->locations)) > 0)
    select = 0;
  if (gtk_drop_down_get_selected (self->location_dropdown) != select)
    gtk_drop_down_set_selected (self->location_dropdown, select);
  else
    reload_count (self);
}

/* Actions. */

typedef struct {
  QoimaCountPage *self;
  char           *code;
} ScanData;

static void
scan_data_free (ScanData *data)
{
  g_clear_object (&data->self);
  g_free (data->code);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScanData, scan_data_free)

static void
counted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ScanData) data = user_data;
  QoimaCountPage *self = data->self;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;
  QoimaCountScan *scan = qoima_store_count_code_finish (QOIMA_STORE (object), result, &local_error);

  self->busy = FALSE;
  if (scan == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_scan (self, local_error->message, TRUE);
      update_actions (self);
      return;
    }

  g_clear_pointer (&self->last_scan, qoima_count_scan_free);
  self->last_scan = scan;
  if (scan->added == 0)
    message = g_strdup_printf (_("Counted already: %s"), scan->name != NULL ? scan->name : data->code);
  else if (scan->added > 1)
    /* Translators: a box was scanned in a stock count; %s is the medicine. */
    message = g_strdup_printf (ngettext ("%d pack of the box counted: %s", "%d packs of the box counted: %s",
                                         scan->added),
                               scan->added, scan->name != NULL ? scan->name : "");
  else if (scan->finding == QOIMA_COUNT_FOUND)
    message = g_strdup_printf (_("Counted: %s"), scan->name);
  else
    /* Translators: a pack counted that the book does not have here: the finding, the medicine or code. */
    message = g_strdup_printf (_("Counted, but: %s — %s"), qoima_count_finding_to_label (scan->finding),
                               scan->name != NULL ? scan->name : data->code);
  show_scan (self, message, scan->finding != QOIMA_COUNT_FOUND);

  /* An opened pack's units are counted too: asked at once, the pack in hand. */
  gtk_widget_set_visible (GTK_WIDGET (self->units_group), scan->opened && scan->units_per_pack > 0);
  if (scan->opened && scan->units_per_pack > 0)
    {
      gtk_spin_button_set_range (self->units_spin, 1, scan->units_per_pack);
      adw_action_row_set_subtitle (self->units_row, scan->name);
    }
  if (self->count != NULL)
    load (self, self->count->id);
  update_actions (self);
}

gboolean
qoima_count_page_take_scan (QoimaCountPage *self,
                            const char     *text)
{
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(GError) local_error = NULL;
  ScanData *data;

  g_return_val_if_fail (QOIMA_IS_COUNT_PAGE (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (self->context == NULL)
    return FALSE;

  code = qoima_gs1_parse (text, NULL, &local_error);
  if (code == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (local_error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_NOT_GS1))
        message = g_strdup (local_error->message);
      else
        message = g_strdup_printf (_("Not a marking code: %s"), local_error->message);
      show_scan (self, message, TRUE);
      return TRUE;
    }
  if (self->count == NULL || self->count->state != QOIMA_COUNT_OPEN)
    {
      show_scan (self, _("Start a count first: this scan was not counted."), TRUE);
      return TRUE;
    }

  data = g_new0 (ScanData, 1);
  data->self = g_object_ref (self);
  /* A box is known by its SSCC with the AI in front, as the acts keep it. */
  if (code->kind == QOIMA_CODE_KIND_BOX && code->sscc != NULL)
    data->code = g_strconcat ("00", code->sscc, NULL);
  else
    data->code = g_strdup (code->ki);
  self->busy = TRUE;
  update_actions (self);
  qoima_store_count_code_async (store (self), user (self), self->count->id, data->code, self->cancellable,
                                counted_cb, data);
  return TRUE;
}

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(QoimaCountPage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  gint64 count_id = qoima_store_start_count_finish (QOIMA_STORE (object), result, &local_error);

  self->busy = FALSE;
  if (count_id == 0)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      update_actions (self);
      return;
    }
  gtk_label_set_text (self->scan_label, _("Scan every pack and box on the shelves, in any order."));
  load (self, count_id);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  QoimaCountPage *self = QOIMA_COUNT_PAGE (widget);

  self->busy = TRUE;
  update_actions (self);
  qoima_store_start_count_async (store (self), user (self), selected_location (self), self->cancellable,
                                 started_cb, g_object_ref (self));
}

static void
finished_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QoimaCountPage) self = user_data;
  g_autoptr(GError) local_error = NULL;

  self->busy = FALSE;
  if (!qoima_store_finish_count_finish (QOIMA_STORE (object), result, &local_error))
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      update_actions (self);
      return;
    }
  toast (self, _("Count finished: the chief can now sign it off."));
  if (self->count != NULL)
    load (self, self->count->id);
}

static void
finish_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    QoimaCountPage   *self)
{
  if (g_strcmp0 (response, "finish") != 0 || self->count == NULL)
    return;
  self->busy = TRUE;
  update_actions (self);
  qoima_store_finish_count_async (store (self), user (self), self->count->id, self->cancellable,
                                  finished_cb, g_object_ref (self));
}

static GtkWindow *
parent_window (QoimaCountPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
finish_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  QoimaCountPage *self = QOIMA_COUNT_PAGE (widget);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (parent_window (self), _("Finish the Count?"),
                                   _("What was found is then fixed: nothing more can be scanned into this count. "
                                     "Packs not scanned count as missing."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep Counting"),
                                    "finish", _("_Finish"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "finish", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (finish_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
signed_off_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(QoimaCountPage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;
  int corrections = qoima_store_sign_off_count_finish (QOIMA_STORE (object), result, &local_error);

  self->busy = FALSE;
  if (corrections < 0)
    {
      g_debug ("The count was not signed off: %s", local_error->message);
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      update_actions (self);
      return;
    }
  message = g_strdup_printf (ngettext ("Count signed off: %d correction made.",
                                       "Count signed off: %d corrections made.", corrections),
                             corrections);
  toast (self, message);
  g_signal_emit (self, signals[SIGNAL_SIGNED_OFF], 0);
  if (self->count != NULL)
    load (self, self->count->id);
}

static void
sign_off_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      QoimaCountPage   *self)
{
  if (g_strcmp0 (response, "sign-off") != 0 || self->count == NULL)
    return;
  self->busy = TRUE;
  update_actions (self);
  qoima_store_sign_off_count_async (store (self), user (self), self->count->id, self->cancellable,
                                    signed_off_cb, g_object_ref (self));
}

/* The chief sees what her sign-off will change before she confirms it. */
static void
sign_off_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  QoimaCountPage *self = QOIMA_COUNT_PAGE (widget);
  g_autoptr(GString) body = g_string_new (NULL);
  guint elsewhere = 0, missing = 0, units = 0, other = 0;
  GtkWidget *dialog;

  if (self->count == NULL)
    return;
  for (guint i = 0; i < self->count->lines->len; i++)
    {
      QoimaCountLine *line = g_ptr_array_index (self->count->lines, i);

      switch (line->finding)
        {
        case QOIMA_COUNT_ELSEWHERE: elsewhere++; break;
        case QOIMA_COUNT_MISSING: missing++; break;
        case QOIMA_COUNT_FOUND: units++; break;
        default: other++; break;
        }
    }
  g_string_append_printf (body, ngettext ("%u pack found here but booked elsewhere will be moved here.",
                                          "%u packs found here but booked elsewhere will be moved here.", elsewhere),
                          elsewhere);
  g_string_append_c (body, '\n');
  g_string_append_printf (body, ngettext ("%u opened pack will have its units set to what was counted.",
                                          "%u opened packs will have their units set to what was counted.", units),
                          units);
  g_string_append_c (body, '\n');
  g_string_append_printf (body, ngettext ("%u missing pack will be owed as a lost write-off, which you then sign on the Withdrawals page.",
                                          "%u missing packs will be owed as lost write-offs, which you then sign on the Withdrawals page.",
                                          missing),
                          missing);
  if (other > 0)
    {
      g_string_append_c (body, '\n');
      g_string_append_printf (body, ngettext ("%u pack out of circulation or not the hospital’s is only reported.",
                                              "%u packs out of circulation or not the hospital’s are only reported.",
                                              other),
                              other);
    }

  dialog = adw_message_dialog_new (parent_window (self), _("Sign Off the Count?"), body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "sign-off", _("_Sign Off"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign-off", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (sign_off_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
units_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QoimaCountPage) self = user_data;
  g_autoptr(GError) local_error = NULL;

  self->busy = FALSE;
  if (!qoima_store_count_units_finish (QOIMA_STORE (object), result, &local_error))
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_scan (self, local_error->message, TRUE);
      update_actions (self);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->units_group), FALSE);
  show_scan (self, _("Units recorded."), FALSE);
  if (self->count != NULL)
    load (self, self->count->id);
}

static void
save_units_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  QoimaCountPage *self = QOIMA_COUNT_PAGE (widget);

  if (self->count == NULL || self->last_scan == NULL)
    return;
  self->busy = TRUE;
  update_actions (self);
  qoima_store_count_units_async (store (self), user (self), self->count->id, self->last_scan->ki,
                                 gtk_spin_button_get_value_as_int (self->units_spin), self->cancellable,
                                 units_saved_cb, g_object_ref (self));
}

/* Export. */

typedef struct {
  QoimaCountExport format;
  char            *path;
  QoimaCount      *count;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_free (data->path);
  g_clear_pointer (&data->count, qoima_count_free);
  g_free (data);
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *data = task_data;
  GError *error = NULL;
  gboolean ok = data->format == QOIMA_COUNT_EXPORT_XLSX ? qoima_count_write_xlsx (data->count, data->path, &error)
                                                        : qoima_count_write_pdf (data->count, data->path, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
export_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExportData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->count = qoima_store_load_count_finish (QOIMA_STORE (object), result, &error);
  if (data->count == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_run_in_thread (task, export_thread);
}

void
qoima_count_page_export_async (QoimaCountPage      *self,
                               QoimaCountExport     format,
                               GFile               *file,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  ExportData *data;

  g_return_if_fail (QOIMA_IS_COUNT_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_count_page_export_async);
  if (self->count == NULL || self->context == NULL || g_file_peek_path (file) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("There is no count to export."));
      g_object_unref (task);
      return;
    }
  data = g_new0 (ExportData, 1);
  data->format = format;
  data->path = g_file_get_path (file);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  /* Loaded afresh and owned by the task: the page may reload its own meanwhile. */
  qoima_store_load_count_async (store (self), self->count->id, cancellable, export_loaded_cb, task);
}

gboolean
qoima_count_page_export_finish (QoimaCountPage  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  QoimaCountPage *self = QOIMA_COUNT_PAGE (source);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = g_file_get_basename (file);

  if (!qoima_count_page_export_finish (self, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Could not export the count: %s"), error->message);
    }
  else
    message = g_strdup_printf (_("Count exported to %s"), name);
  toast (self, message);
}

static void
file_chosen_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  QoimaCountPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = qoima_export_chooser_run_finish (result, &error);

  /* Cancelled: the page is going away. */
  if (error != NULL)
    return;
  self->choosing = FALSE;
  update_actions (self);
  if (file != NULL)
    qoima_count_page_export_async (self, self->chosen_export, file, self->cancellable, exported_cb,
                                   g_object_ref (file));
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  QoimaCountPage *self = QOIMA_COUNT_PAGE (widget);
  gboolean xlsx = g_str_equal (g_variant_get_string (parameter, NULL), "xlsx");
  g_autofree char *name = NULL;

  if (self->count == NULL || self->choosing)
    return;
  self->chosen_export = xlsx ? QOIMA_COUNT_EXPORT_XLSX : QOIMA_COUNT_EXPORT_PDF;
  /* Translators: the suggested file name, without its suffix; %lld is the count's number. */
  name = g_strdup_printf (_("stock-count-%lld.%s"), (long long) self->count->id, xlsx ? "xlsx" : "pdf");
  self->choosing = TRUE;
  update_actions (self);
  /* The page's cancellable closes the dialog when the page goes. */
  qoima_export_chooser_run_async (widget, _("Export the Count"), name,
                                  xlsx ? QOIMA_EXPORT_FORMAT_XLSX : QOIMA_EXPORT_FORMAT_PDF, self->cancellable,
                                  file_chosen_cb, self);
}

/* The widget. */

static void
user_changed_cb (QoimaCountPage *self)
{
  update_actions (self);
  if (user (self) != NULL)
    qoima_count_page_start (self);
}

static void
qoima_count_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (qoima_count_page_parent_class)->map (widget);

  /* Another workstation or user may have started, finished or signed off a count. */
  qoima_count_page_start (QOIMA_COUNT_PAGE (widget));
}

static void
qoima_count_page_dispose (GObject *object)
{
  QoimaCountPage *self = QOIMA_COUNT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_COUNT_PAGE);

  G_OBJECT_CLASS (qoima_count_page_parent_class)->dispose (object);
}

static void
qoima_count_page_finalize (GObject *object)
{
  QoimaCountPage *self = QOIMA_COUNT_PAGE (object);

  g_clear_object (&self->locations);
  g_clear_pointer (&self->count, qoima_count_free);
  g_clear_pointer (&self->last_scan, qoima_count_scan_free);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_free (self->scan_message);

  G_OBJECT_CLASS (qoima_count_page_parent_class)->finalize (object);
}

static void
qoima_count_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  QoimaCountPage *self = QOIMA_COUNT_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_count_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  QoimaCountPage *self = QOIMA_COUNT_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      /* Another user signs in: her locations, her buttons. */
      if (self->context != NULL)
        g_signal_connect_object (self->context, "notify::user", G_CALLBACK (user_changed_cb), self,
                                 G_CONNECT_SWAPPED);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_count_page_class_init (QoimaCountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_count_page_dispose;
  object_class->finalize = qoima_count_page_finalize;
  object_class->get_property = qoima_count_page_get_property;
  object_class->set_property = qoima_count_page_set_property;

  widget_class->map = qoima_count_page_map;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SCAN_HANDLED] =
    g_signal_new ("scan-handled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SIGNED_OFF] =
    g_signal_new ("signed-off", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/kz/qoima/Qoima/ui/pages/qoima-count-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, location_dropdown);
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, state_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, start_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, finish_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, sign_off_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, scan_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, units_group);
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, units_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, units_spin);
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, tally_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaCountPage, findings_list);
  gtk_widget_class_bind_template_callback (widget_class, location_selected_cb);

  gtk_widget_class_install_action (widget_class, "count.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "count.finish", NULL, finish_action);
  gtk_widget_class_install_action (widget_class, "count.sign-off", NULL, sign_off_action);
  gtk_widget_class_install_action (widget_class, "count.save-units", NULL, save_units_action);
  gtk_widget_class_install_action (widget_class, "count.export", "s", export_action);
}

static void
qoima_count_page_init (QoimaCountPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->locations = g_list_store_new (QOIMA_TYPE_LOCATION);
  self->rows = g_ptr_array_new ();

  gtk_drop_down_set_expression (self->location_dropdown,
                                gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                             G_CALLBACK (location_name), NULL, NULL));
  gtk_drop_down_set_model (self->location_dropdown, G_LIST_MODEL (self->locations));
  show_count (self);
}

QoimaCountPage *
qoima_count_page_new (QoimaContext *context)
{
  g_return_val_if_fail (context == NULL || QOIMA_IS_CONTEXT (context), NULL);

  return g_object_new (QOIMA_TYPE_COUNT_PAGE, "context", context, NULL);
}

void
qoima_count_page_start (QoimaCountPage *self)
{
  g_return_if_fail (QOIMA_IS_COUNT_PAGE (self));

  if (self->context == NULL)
    return;
  qoima_store_list_locations_async (store (self), self->cancellable, locations_cb, g_object_ref (self));
}

gboolean
qoima_count_page_set_location (QoimaCountPage *self,
                               gint64          location_id)
{
  g_return_val_if_fail (QOIMA_IS_COUNT_PAGE (self), FALSE);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->locations)); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (G_LIST_MODEL (self->locations), i);

      if (qoima_location_get_id (location) == location_id)
        {
          gtk_drop_down_set_selected (self->location_dropdown, i);
          return TRUE;
        }
    }
  return FALSE;
}

QoimaCount *
qoima_count_page_get_count (QoimaCountPage *self)
{
  g_return_val_if_fail (QOIMA_IS_COUNT_PAGE (self), NULL);
  return self->count;
}

const char *
qoima_count_page_get_scan_message (QoimaCountPage *self)
{
  g_return_val_if_fail (QOIMA_IS_COUNT_PAGE (self), NULL);
  return self->scan_message;
}
