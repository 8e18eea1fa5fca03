/* qoima-use-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-use-page"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-use-page.h"

#include "qoima-date.h"
#include "qoima-gs1.h"
#include "qoima-i18n.h"
#include "qoima-store-ledger.h"
#include "qoima-location.h"
#include "qoima-patient.h"
#include "qoima-product.h"
#include "qoima-stock-item.h"
#include "qoima-store-patients.h"

#include <string.h>

/* Enough recent patients for a shift, few enough to take in at a glance. */
#define RECENT_PATIENTS 6

struct _QoimaUsePage
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkListBox     *medicine_list;
  GtkSearchEntry *medicine_search;
  GtkLabel       *message_label;
  GtkLabel       *pack_details_label;
  GtkLabel       *pack_name_label;
  GtkEntry       *patient_entry;
  GtkLabel       *patient_hint_label;
  GtkListBox     *patient_list;
  GtkLabel       *units_left_label;
  GtkSpinButton  *units_spin;
  GtkLabel       *ward_label;

  /* Owned references */
  QoimaContext       *context;
  QoimaUser          *user;
  QoimaPack          *pack;
  GListStore         *medicines;
  GtkFilterListModel *filtered_medicines;
  GtkCustomFilter    *medicine_filter;
  GListStore         *patients;
  GCancellable       *cancellable;

  /* Borrowed references */
  AdwToast           *undo_toast; /* weak: the overlay owns it */
  char               *search;

  /* State */
  int                 pending;
  gboolean            refused;
  gboolean            can_undo;
  gboolean          started; /* qoima_use_page_start() was called */
  gboolean          stale;   /* the warehouse changed while the page was hidden or busy */
};

G_DEFINE_FINAL_TYPE (QoimaUsePage, qoima_use_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_BUSY,
  N_PROPS,
};

enum {
  SIGNAL_SCAN_HANDLED,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void load_pack (QoimaUsePage *self,
                       const char   *ki,
                       gboolean      from_scan);

static gint64
ward_id (QoimaUsePage *self)
{
  return self->user != NULL ? qoima_user_get_ward_id (self->user) : 0;
}

static void refresh (QoimaUsePage *self);

static void
set_pending (QoimaUsePage *self,
             int           delta)
{
  gboolean was_busy = self->pending > 0;

  self->pending += delta;
  g_assert (self->pending >= 0);
  if (was_busy != (self->pending > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  /* A change heard while the nurse's entry was under way, shown now that it is done. */
  if (self->pending == 0 && self->stale && self->context != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    refresh (self);
}

/* Whether units can still come out of the pack: not used up, withdrawn or written off. */
static gboolean
pack_has_units (QoimaPack *pack)
{
  QoimaPackStatus status = qoima_pack_get_status (pack);

  return (status == QOIMA_PACK_STATUS_IN_STOCK || status == QOIMA_PACK_STATUS_OPENED) &&
         qoima_pack_get_units_left (pack) != 0;
}

static void
update_actions (QoimaUsePage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "use.log",
                                 self->pack != NULL && self->user != NULL && pack_has_units (self->pack));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "use.undo", self->can_undo && self->user != NULL);
}

static void
show_message (QoimaUsePage *self,
              const char   *message,
              gboolean      refused)
{
  self->refused = refused;
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  if (refused)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "success");
    }
}

static gboolean
is_expired (const char *expiry)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *today = NULL;

  if (expiry == NULL)
    return FALSE;
  now = g_date_time_new_now_local ();
  today = g_date_time_format (now, "%Y-%m-%d");
  return strcmp (expiry, today) < 0;
}

/* @keep_units: a refresh, which leaves the units the nurse typed as they are (only
 * narrowed to what the pack still holds). */
static void
show_pack_full (QoimaUsePage *self,
                gboolean      keep_units)
{
  QoimaPack *pack = self->pack;
  QoimaProduct *product;
  g_autofree char *details = NULL;
  g_autofree char *expiry = NULL;
  g_autofree char *units = NULL;
  int units_left;

  if (pack == NULL)
    {
      gtk_label_set_text (self->pack_name_label, _("No pack yet"));
      gtk_label_set_text (self->pack_details_label, "");
      gtk_label_set_text (self->units_left_label, "–");
      gtk_spin_button_set_range (self->units_spin, 1, 1);
      update_actions (self);
      return;
    }

  product = qoima_pack_get_product (pack);
  gtk_label_set_text (self->pack_name_label,
                      product != NULL ? qoima_product_get_name (product) : qoima_pack_get_ki (pack));
  expiry = qoima_format_iso_date (qoima_pack_get_expiry (pack));
  /* Translators: a pack's batch and expiry date. */
  details = g_strdup_printf (_("Batch %s · expires %s"),
                             qoima_pack_get_batch (pack) != NULL ? qoima_pack_get_batch (pack) : "—", expiry);
  gtk_label_set_text (self->pack_details_label, details);

  units_left = qoima_use_page_get_units_left (self);
  units = units_left >= 0 ? g_strdup_printf ("%d", units_left) : g_strdup ("?");
  gtk_label_set_text (self->units_left_label, units);

  /* More than remain is refused by the core too; the spin button only keeps typing sane. */
  gtk_spin_button_set_range (self->units_spin, 1, MAX (units_left, 1));
  if (!keep_units)
    gtk_spin_button_set_value (self->units_spin, 1);
  update_actions (self);
}

static void
show_pack (QoimaUsePage *self)
{
  show_pack_full (self, FALSE);
}

/* What is wrong with the pack before anything is tried, in the words the core uses. */
static char *
describe_pack_problem (QoimaUsePage *self)
{
  QoimaPack *pack = self->pack;
  QoimaPackStatus status = qoima_pack_get_status (pack);
  QoimaLocation *location = qoima_pack_get_location (pack);

  if (status != QOIMA_PACK_STATUS_IN_STOCK && status != QOIMA_PACK_STATUS_OPENED)
    return g_strdup_printf (_("This pack cannot be used: it is %s."), qoima_pack_status_to_label (status));
  if (is_expired (qoima_pack_get_expiry (pack)))
    {
      g_autofree char *expiry = qoima_format_iso_date (qoima_pack_get_expiry (pack));

      return g_strdup_printf (_("This pack expired on %s: it cannot be used."), expiry);
    }
  if (location != NULL && qoima_location_get_id (location) != ward_id (self))
    return g_strdup_printf (_("This pack is in %s, not in your ward."), qoima_location_get_name (location));
  if (qoima_pack_get_units_left (pack) < 0)
    return g_strdup (_("The units in this pack are not known yet: the clerk enters them once for the product."));
  return NULL;
}

typedef struct {
  QoimaUsePage *self;
  gboolean      from_scan;
  gboolean      keep_message;
  gboolean      refresh; /* heard from the store: not counted as busy, the form kept */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->self);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadData, load_data_free)

static void
pack_found_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LoadData) data = user_data;
  QoimaUsePage *self = data->self;
  g_autoptr(QoimaPack) pack = NULL;
  g_autoptr(GError) local_error = NULL;

  pack = qoima_store_find_pack_finish (QOIMA_STORE (object), result, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (data->refresh)
    {
      /* The same pack as it is now (another nurse may have used from it), unless the nurse
       * moved on to another meanwhile; what she typed and the message stay. */
      if (pack != NULL && self->pack != NULL &&
          g_strcmp0 (qoima_pack_get_ki (pack), qoima_pack_get_ki (self->pack)) == 0)
        {
          g_set_object (&self->pack, pack);
          show_pack_full (self, TRUE);
        }
      return;
    }

  if (pack == NULL)
    {
      if (g_error_matches (local_error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND))
        show_message (self, _("This code is not one of the hospital's packs: nothing can be logged from it."), TRUE);
      else
        show_message (self, local_error->message, TRUE);
    }
  else
    {
      g_autofree char *problem = NULL;

      g_set_object (&self->pack, pack);
      show_pack (self);
      /* After a use or an undo, its answer stays (a pack just used up says so itself). */
      if (!data->keep_message)
        {
          problem = describe_pack_problem (self);
          show_message (self, problem != NULL ? problem : "", problem != NULL);
          /* A pack picked: the patient is next, then the units. */
          if (problem == NULL)
            gtk_widget_grab_focus (GTK_WIDGET (self->patient_entry));
        }
    }

  set_pending (self, -1);
  if (data->from_scan)
    g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
}

static void
load_pack_full (QoimaUsePage *self,
                const char   *ki,
                gboolean      from_scan,
                gboolean      keep_message)
{
  LoadData *data = g_new0 (LoadData, 1);

  data->self = g_object_ref (self);
  data->from_scan = from_scan;
  data->keep_message = keep_message;
  set_pending (self, 1);
  qoima_store_find_pack_async (qoima_context_get_store (self->context), ki, self->cancellable,
                               pack_found_cb, data);
}

static void
load_pack (QoimaUsePage *self,
           const char   *ki,
           gboolean      from_scan)
{
  load_pack_full (self, ki, from_scan, FALSE);
}

static void
refresh_pack (QoimaUsePage *self)
{
  LoadData *data = g_new0 (LoadData, 1);

  data->self = g_object_ref (self);
  data->refresh = TRUE;
  qoima_store_find_pack_async (qoima_context_get_store (self->context), qoima_pack_get_ki (self->pack),
                               self->cancellable, pack_found_cb, data);
}

/* One line per medicine of the ward: picking chooses the pack, not the batch. The stock
 * comes sorted by product name, then expiry, so the first line of a product has its
 * earliest expiry. */
typedef struct {
  QoimaStockItem *first;
  int packs;
  int units;
  int opened;
} MedicineSum;

static GPtrArray *
medicines_of_ward (GListModel *stock,
                   gint64      ward)
{
  g_autoptr(GHashTable) by_gtin = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) sums = g_array_new (FALSE, TRUE, sizeof (MedicineSum));
  GPtrArray *medicines = g_ptr_array_new_with_free_func (g_object_unref);

  for (unsigned i = 0; i < g_list_model_get_n_items (stock); i++)
    {
      g_autoptr(QoimaStockItem) item = g_list_model_get_item (stock, i);
      QoimaLocation *location = qoima_stock_item_get_location (item);
      const char *gtin = qoima_product_get_gtin (qoima_stock_item_get_product (item));
      gpointer index;
      MedicineSum *sum;

      if (location == NULL || qoima_location_get_id (location) != ward)
        continue;

      if (!g_hash_table_lookup_extended (by_gtin, gtin, NULL, &index))
        {
          MedicineSum fresh = { g_object_ref (item), 0, 0, 0 };

          index = GUINT_TO_POINTER (sums->len);
          g_array_append_val (sums, fresh);
          g_hash_table_insert (by_gtin, (gpointer) gtin, index);
        }

      sum = &g_array_index (sums, MedicineSum, GPOINTER_TO_UINT (index));
      sum->packs += qoima_stock_item_get_packs (item);
      sum->units += qoima_stock_item_get_units (item);
      sum->opened += qoima_stock_item_get_opened (item);
    }

  for (unsigned i = 0; i < sums->len; i++)
    {
      MedicineSum *sum = &g_array_index (sums, MedicineSum, i);

      g_ptr_array_add (medicines,
                       qoima_stock_item_new (qoima_stock_item_get_product (sum->first),
                                             qoima_stock_item_get_location (sum->first),
                                             NULL, qoima_stock_item_get_expiry (sum->first),
                                             sum->packs, sum->units, sum->opened));
      g_object_unref (sum->first);
    }

  return medicines;
}

/* A server that cannot be reached is said by the window's bar, and the lists are loaded
 * again once it is back: not a warning. */
static void
warn_unless_lost (const char   *what,
                  const GError *error)
{
  if (g_error_matches (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONNECTION_LOST))
    g_debug ("%s: %s", what, error->message);
  else
    g_warning ("%s: %s", what, error->message);
}

/* A list's load: counted as busy unless it is a refresh heard from the store. */
typedef struct {
  QoimaUsePage *self;
  gboolean      counted;
} ListData;

static ListData *
list_data_new (QoimaUsePage *self,
               gboolean      counted)
{
  ListData *data = g_new0 (ListData, 1);

  data->self = g_object_ref (self);
  data->counted = counted;
  return data;
}

static void
list_data_free (ListData *data)
{
  if (data->counted)
    set_pending (data->self, -1);
  g_clear_object (&data->self);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ListData, list_data_free)

static void
stock_listed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ListData) data = user_data;
  QoimaUsePage *self = data->self;
  g_autoptr(GListModel) stock = NULL;
  g_autoptr(GPtrArray) medicines = NULL;
  g_autoptr(GError) local_error = NULL;

  stock = qoima_store_list_stock_finish (QOIMA_STORE (object), result, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      data->counted = FALSE; /* the page is going: nothing to count */
      return;
    }

  if (stock == NULL)
    warn_unless_lost ("Could not list the ward's stock", local_error);
  else
    {
      medicines = medicines_of_ward (stock, ward_id (self));
      g_list_store_splice (self->medicines, 0, g_list_model_get_n_items (G_LIST_MODEL (self->medicines)),
                           medicines->pdata, medicines->len);
    }
}

static void
patients_listed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(ListData) data = user_data;
  QoimaUsePage *self = data->self;
  g_autoptr(GListModel) patients = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  patients = qoima_store_list_recent_patients_finish (QOIMA_STORE (object), result, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      data->counted = FALSE;
      return;
    }

  if (patients == NULL)
    warn_unless_lost ("Could not list the recent patients", local_error);
  for (unsigned i = 0; patients != NULL && i < g_list_model_get_n_items (patients); i++)
    g_ptr_array_add (items, g_list_model_get_item (patients, i));
  g_list_store_splice (self->patients, 0, g_list_model_get_n_items (G_LIST_MODEL (self->patients)),
                       items->pdata, items->len);
}

static void
locations_listed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(QoimaUsePage) self = user_data;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(GError) local_error = NULL;

  locations = qoima_store_list_locations_finish (QOIMA_STORE (object), result, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  for (unsigned i = 0; locations != NULL && i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);

      if (qoima_location_get_id (location) == ward_id (self))
        gtk_label_set_text (self->ward_label, qoima_location_get_name (location));
    }

  set_pending (self, -1);
}

static void
reload_lists_full (QoimaUsePage *self,
                   gboolean      counted)
{
  QoimaStore *store = qoima_context_get_store (self->context);

  if (counted)
    set_pending (self, 2);
  qoima_store_list_stock_async (store, self->cancellable, stock_listed_cb, list_data_new (self, counted));
  qoima_store_list_recent_patients_async (store, ward_id (self), RECENT_PATIENTS, self->cancellable,
                                          patients_listed_cb, list_data_new (self, counted));
}

static void
reload_lists (QoimaUsePage *self)
{
  reload_lists_full (self, TRUE);
}

/* Another user signed in: her ward, and nothing of the last one's. */
static void
user_changed_cb (QoimaUsePage *self)
{
  QoimaUser *user = qoima_context_get_user (self->context);

  g_set_object (&self->user, user);
  g_clear_object (&self->pack);
  self->can_undo = FALSE;
  /* The last user's Undo must not be offered to the next one. */
  if (self->undo_toast != NULL)
    adw_toast_dismiss (self->undo_toast);
  show_pack (self);
  show_message (self, "", FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->patient_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->medicine_search), "");
  gtk_label_set_text (self->ward_label, "");
  g_list_store_remove_all (self->medicines);
  g_list_store_remove_all (self->patients);
  update_actions (self);

  if (ward_id (self) <= 0)
    return;

  set_pending (self, 1);
  qoima_store_list_locations_async (qoima_context_get_store (self->context), self->cancellable,
                                    locations_listed_cb, g_object_ref (self));
  reload_lists (self);
}

static gboolean
medicine_matches (gpointer item,
                  gpointer user_data)
{
  QoimaUsePage *self = user_data;

  return self->search == NULL || self->search[0] == '\0' ||
         strstr (qoima_stock_item_get_search_text (QOIMA_STOCK_ITEM (item)), self->search) != NULL;
}

static void
medicine_search_changed_cb (QoimaUsePage *self)
{
  g_free (self->search);
  self->search = g_utf8_strdown (gtk_editable_get_text (GTK_EDITABLE (self->medicine_search)), -1);
  gtk_filter_changed (GTK_FILTER (self->medicine_filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static GtkWidget *
create_medicine_row (gpointer item,
                     gpointer user_data)
{
  QoimaStockItem *medicine = item;
  QoimaProduct *product = qoima_stock_item_get_product (medicine);
  g_autofree char *title = g_markup_escape_text (qoima_product_get_name (product), -1);
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();

  int n_packs = qoima_stock_item_get_packs (medicine);
  int n_units = qoima_stock_item_get_units (medicine);
  g_autofree char *packs_count = qoima_format_count (n_packs);
  g_autofree char *units_count = qoima_format_count (n_units);
  g_autofree char *packs = NULL;
  g_autofree char *units = NULL;

  /* Translators: a count of packs, grouped in thousands ("1 pack", "12 packs"). */
  packs = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s pack", "%s packs", n_packs), packs_count);
  /* Translators: a count of units (tablets, ampoules…), grouped in thousands. */
  units = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s unit", "%s units", n_units), units_count);
  /* Translators: a medicine's row in the ward: its dosage, then "3 packs", then "24 units". */
  subtitle = g_strdup_printf (_("%s · %s, %s"),
                              qoima_product_get_dosage (product) != NULL ? qoima_product_get_dosage (product) : "",
                              packs, units);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  return row;
}

static void
pack_picked_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QoimaUsePage) self = user_data;
  g_autofree char *ki = NULL;
  g_autoptr(GError) local_error = NULL;

  ki = qoima_store_pick_pack_finish (QOIMA_STORE (object), result, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (ki == NULL)
    show_message (self, local_error->message, TRUE);
  else
    load_pack (self, ki, FALSE);
  set_pending (self, -1);
}

static void
medicine_activated_cb (QoimaUsePage  *self,
                       GtkListBoxRow *row)
{
  g_autoptr(QoimaStockItem) medicine = NULL;

  medicine = g_list_model_get_item (G_LIST_MODEL (self->filtered_medicines), gtk_list_box_row_get_index (row));
  if (medicine == NULL || self->context == NULL)
    return;

  set_pending (self, 1);
  qoima_store_pick_pack_async (qoima_context_get_store (self->context),
                               qoima_product_get_gtin (qoima_stock_item_get_product (medicine)),
                               ward_id (self), self->cancellable, pack_picked_cb, g_object_ref (self));
}

static GtkWidget *
create_patient_row (gpointer item,
                    gpointer user_data)
{
  QoimaPatient *patient = item;
  g_autofree char *title = g_markup_escape_text (qoima_patient_get_key (patient), -1);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               qoima_patient_get_iin (patient) != NULL ? _("IIN") : _("Medical record number"));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("avatar-default-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  return row;
}

static void
patient_activated_cb (QoimaUsePage  *self,
                      GtkListBoxRow *row)
{
  g_autoptr(QoimaPatient) patient = g_list_model_get_item (G_LIST_MODEL (self->patients),
                                                           gtk_list_box_row_get_index (row));

  if (patient == NULL)
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->patient_entry), qoima_patient_get_key (patient));
  gtk_widget_grab_focus (GTK_WIDGET (self->units_spin));
}

/* The patient ID is checked as it is typed, with the same rule the core applies. */
static void
patient_changed_cb (QoimaUsePage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->patient_entry));
  g_autofree char *patient = g_strstrip (g_strdup (text));
  g_autoptr(GError) local_error = NULL;

  if (patient[0] == '\0')
    {
      gtk_label_set_text (self->patient_hint_label, "");
      gtk_widget_remove_css_class (GTK_WIDGET (self->patient_entry), "error");
      return;
    }

  if (!qoima_patient_id_check (patient, &local_error))
    {
      gtk_label_set_text (self->patient_hint_label, local_error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->patient_hint_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->patient_entry), "error");
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->patient_hint_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->patient_entry), "error");
  gtk_label_set_text (self->patient_hint_label,
                      qoima_iin_is_valid (patient) ? _("IIN, check digit correct") : _("Medical record number"));
}

static gboolean
scroll_to_end_cb (gpointer data)
{
  QoimaUsePage *self = data;
  /* The page's child is its scrolled window (not bound: the bin owns it). */
  GtkWidget *scroller = adw_bin_get_child (ADW_BIN (self));
  GtkAdjustment *adjustment;

  if (!GTK_IS_SCROLLED_WINDOW (scroller))
    return G_SOURCE_REMOVE;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
  return G_SOURCE_REMOVE;
}

/* The result is the page's last line: once laid out, the page scrolls to its end. */
static void
reveal_message (QoimaUsePage *self)
{
  g_idle_add_full (G_PRIORITY_LOW, scroll_to_end_cb, g_object_ref (self), g_object_unref);
}

static void
undo_toast_clicked_cb (QoimaUsePage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "use.undo", NULL);
}

static void
offer_undo_toast (QoimaUsePage *self,
                  const char   *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (overlay == NULL)
    return;

  /* Only the latest entry can be undone: an older toast offering it would mislead. */
  if (self->undo_toast != NULL)
    adw_toast_dismiss (self->undo_toast);

  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_toast_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->undo_toast, toast);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static void
units_used_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(QoimaUsePage) self = user_data;
  g_autoptr(QoimaUseResult) used = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;
  int units;

  used = qoima_store_use_units_finish (QOIMA_STORE (object), result, &local_error);
  /* The use is recorded even when the page was closed meanwhile: nothing is left to show. */
  if (self->context == NULL || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  units = gtk_spin_button_get_value_as_int (self->units_spin);

  if (used == NULL)
    {
      /* The core's refusal says why, for the nurse; nothing was recorded. */
      show_message (self, local_error->message, TRUE);
      set_pending (self, -1);
      return;
    }

  if (used->used_up)
    message = g_strdup_printf (ngettext ("Logged %d unit. The pack is used up — its withdrawal is owed.",
                                         "Logged %d units. The pack is used up — its withdrawal is owed.",
                                         units),
                               units);
  else
    message = g_strdup_printf (ngettext ("Logged %d unit. %d left in the pack.",
                                         "Logged %d units. %d left in the pack.",
                                         units),
                               units, used->units_left);
  /* The result is on the page, scrolled into view above the toast's room at the bottom;
   * the toast only offers Undo, without saying it again. */
  show_message (self, message, FALSE);
  reveal_message (self);
  offer_undo_toast (self, _("Use logged"));
  self->can_undo = TRUE;

  /* The next patient, most likely from the same pack. */
  gtk_editable_set_text (GTK_EDITABLE (self->patient_entry), "");
  load_pack_full (self, qoima_pack_get_ki (self->pack), FALSE, TRUE);
  reload_lists (self);
  set_pending (self, -1);
}

static void
log_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  QoimaUsePage *self = QOIMA_USE_PAGE (widget);

  if (self->context == NULL || self->pending > 0)
    return;
  if (self->pack == NULL)
    {
      show_message (self, _("Scan a pack or choose a medicine first."), TRUE);
      return;
    }

  gtk_spin_button_update (self->units_spin);
  set_pending (self, 1);
  qoima_store_use_units_async (qoima_context_get_store (self->context),
                               self->user,
                               qoima_pack_get_ki (self->pack),
                               gtk_editable_get_text (GTK_EDITABLE (self->patient_entry)),
                               gtk_spin_button_get_value_as_int (self->units_spin),
                               NULL, /* a confirmed use is never cancelled */
                               units_used_cb,
                               g_object_ref (self));
}

static void
log_activate_cb (QoimaUsePage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "use.log", NULL);
}

static void
undone_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(QoimaUsePage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;
  int units;

  units = qoima_store_undo_last_use_finish (QOIMA_STORE (object), result, &local_error);
  if (self->context == NULL || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->can_undo = FALSE;
  if (self->undo_toast != NULL)
    adw_toast_dismiss (self->undo_toast);
  if (units < 0)
    show_message (self, local_error->message, TRUE);
  else
    {
      message = g_strdup_printf (ngettext ("Undone: %d unit is back in the pack.",
                                           "Undone: %d units are back in the pack.",
                                           units),
                                 units);
      show_message (self, message, FALSE);
      if (self->pack != NULL)
        load_pack_full (self, qoima_pack_get_ki (self->pack), FALSE, TRUE);
      reload_lists (self);
    }
  update_actions (self);
  set_pending (self, -1);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaUsePage *self = QOIMA_USE_PAGE (widget);

  if (self->context == NULL || self->pending > 0)
    return;

  set_pending (self, 1);
  qoima_store_undo_last_use_async (qoima_context_get_store (self->context), self->user,
                                   NULL, undone_cb, g_object_ref (self));
}

static void
qoima_use_page_dispose (GObject *object)
{
  QoimaUsePage *self = QOIMA_USE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_weak_pointer (&self->undo_toast);

  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_USE_PAGE);

  g_clear_object (&self->filtered_medicines);
  g_clear_object (&self->medicine_filter);
  g_clear_object (&self->medicines);
  g_clear_object (&self->patients);
  g_clear_object (&self->pack);
  g_clear_object (&self->user);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (qoima_use_page_parent_class)->dispose (object);
}

static void
qoima_use_page_finalize (GObject *object)
{
  QoimaUsePage *self = QOIMA_USE_PAGE (object);

  g_clear_pointer (&self->search, g_free);

  G_OBJECT_CLASS (qoima_use_page_parent_class)->finalize (object);
}

static void
qoima_use_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  QoimaUsePage *self = QOIMA_USE_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, qoima_use_page_get_context (self));
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, qoima_use_page_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_use_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  QoimaUsePage *self = QOIMA_USE_PAGE (object);

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
qoima_use_page_class_init (QoimaUsePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_use_page_dispose;
  object_class->finalize = qoima_use_page_finalize;
  object_class->get_property = qoima_use_page_get_property;
  object_class->set_property = qoima_use_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * QoimaUsePage::scan-handled:
   *
   * Emitted once the answer to a scan taken by qoima_use_page_take_scan() is shown.
   */
  signals[SIGNAL_SCAN_HANDLED] =
    g_signal_new ("scan-handled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/pages/qoima-use-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaUsePage, medicine_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaUsePage, medicine_search);
  gtk_widget_class_bind_template_child (widget_class, QoimaUsePage, message_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaUsePage, pack_details_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaUsePage, pack_name_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaUsePage, patient_entry);
  gtk_widget_class_bind_template_child (widget_class, QoimaUsePage, patient_hint_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaUsePage, patient_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaUsePage, units_left_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaUsePage, units_spin);
  gtk_widget_class_bind_template_child (widget_class, QoimaUsePage, ward_label);
  gtk_widget_class_bind_template_callback (widget_class, log_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, medicine_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, medicine_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, patient_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, patient_changed_cb);

  gtk_widget_class_install_action (widget_class, "use.log", NULL, log_action);
  gtk_widget_class_install_action (widget_class, "use.undo", NULL, undo_action);
}

static void
qoima_use_page_init (QoimaUsePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->medicines = g_list_store_new (QOIMA_TYPE_STOCK_ITEM);
  self->patients = g_list_store_new (QOIMA_TYPE_PATIENT);
  self->medicine_filter = gtk_custom_filter_new (medicine_matches, self, NULL);
  self->filtered_medicines = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->medicines)),
                                                        g_object_ref (GTK_FILTER (self->medicine_filter)));

  /* GtkSpinButton has no "activate" of its own before GTK 4.14: Enter reaches its text. */
  g_signal_connect_object (gtk_editable_get_delegate (GTK_EDITABLE (self->units_spin)), "activate",
                           G_CALLBACK (log_activate_cb), self, G_CONNECT_SWAPPED);

  gtk_list_box_bind_model (self->medicine_list, G_LIST_MODEL (self->filtered_medicines),
                           create_medicine_row, self, NULL);
  gtk_list_box_bind_model (self->patient_list, G_LIST_MODEL (self->patients),
                           create_patient_row, self, NULL);
  update_actions (self);
}

QoimaContext *
qoima_use_page_get_context (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), NULL);

  return self->context;
}

/* The warehouse changed (here or at another workstation): the ward's medicines, the recent
 * patients and the chosen pack as they are now. Nothing the nurse chose or typed is
 * touched, and nothing is reloaded under her entry being logged: that waits for its end,
 * as it waits for the page to be shown. */
static void
refresh (QoimaUsePage *self)
{
  /* Without the server nothing can be read: the store says ::changed once it is back. */
  if (!qoima_store_get_connected (qoima_context_get_store (self->context)))
    return;
  self->stale = FALSE;
  if (ward_id (self) <= 0)
    return;
  reload_lists_full (self, FALSE);
  if (self->pack != NULL)
    refresh_pack (self);
}

static void
store_changed_cb (QoimaUsePage *self)
{
  self->stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->pending == 0)
    refresh (self);
}

static void
mapped_cb (QoimaUsePage *self)
{
  if (self->stale && self->pending == 0)
    refresh (self);
}

void
qoima_use_page_start (QoimaUsePage *self)
{
  g_return_if_fail (QOIMA_IS_USE_PAGE (self));
  g_return_if_fail (self->context != NULL);

  if (self->started)
    return;

  self->started = TRUE;
  g_signal_connect_object (self->context, "notify::user", G_CALLBACK (user_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (qoima_context_get_store (self->context), "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (mapped_cb), NULL);
  user_changed_cb (self);
}

gboolean
qoima_use_page_take_scan (QoimaUsePage *self,
                          const char   *text)
{
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(GError) local_error = NULL;
  int position = -1;

  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (self->context == NULL)
    return FALSE;

  code = qoima_gs1_parse (text, &position, &local_error);
  if (code == NULL)
    {
      g_autofree char *message = NULL;

      /* The parser's own message may already say that this is no marking code: not twice. */
      if (g_error_matches (local_error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_NOT_GS1))
        message = g_strdup (local_error->message);
      else
        message = g_strdup_printf (_("The scan is not a marking code: %s"), local_error->message);

      show_message (self, message, TRUE);
      g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
      return TRUE;
    }

  load_pack (self, code->ki, TRUE);
  return TRUE;
}

QoimaPack *
qoima_use_page_get_pack (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), NULL);

  return self->pack;
}

int
qoima_use_page_get_units_left (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), -1);

  if (self->pack == NULL)
    return -1;
  return qoima_pack_get_units_left (self->pack);
}

const char *
qoima_use_page_get_message (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), NULL);

  return gtk_label_get_text (self->message_label);
}

gboolean
qoima_use_page_get_refused (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), FALSE);

  return self->refused;
}

gboolean
qoima_use_page_get_busy (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), FALSE);

  return self->pending > 0;
}

GListModel *
qoima_use_page_get_medicines (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), NULL);

  return G_LIST_MODEL (self->filtered_medicines);
}

GtkListBox *
qoima_use_page_get_medicine_list (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), NULL);

  return self->medicine_list;
}

GtkEditable *
qoima_use_page_get_medicine_search (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), NULL);

  return GTK_EDITABLE (self->medicine_search);
}

GListModel *
qoima_use_page_get_patients (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), NULL);

  return G_LIST_MODEL (self->patients);
}

GtkListBox *
qoima_use_page_get_patient_list (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), NULL);

  return self->patient_list;
}

GtkEntry *
qoima_use_page_get_patient_entry (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), NULL);

  return self->patient_entry;
}

GtkSpinButton *
qoima_use_page_get_units_spin (QoimaUsePage *self)
{
  g_return_val_if_fail (QOIMA_IS_USE_PAGE (self), NULL);

  return self->units_spin;
}
