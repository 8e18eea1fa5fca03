/* qoima-dispensing-page.c: dispensing by e-prescription with co-payment, and the month's
 * summary registry (seed 002)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pharmacy point's clerk scans the e-prescription's QR code (R002-3): the prescription
 * shows, and the packs in stock of its INN, form and dosage are offered. She scans (or
 * chooses) the pack given, types its price and the fiscal receipt's number; the limit price
 * per unit in force today comes from the limit prices' history, and what the Fund and the
 * patient pay (R002-10) shows before she confirms. Confirming records the dispensing in one
 * transaction with the withdrawal owed to ИС МПТ (R002-4), whose state then shows as it is.
 * Below, the summary registry of a month (R002-7, R002-11) with its due date (R002-8), to
 * export as XLSX or PDF.
 */

#define G_LOG_DOMAIN "qoima-dispensing-page"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>

#include "qoima-dispensing-page.h"

#include "qoima-copay-export.h"
#include "qoima-date.h"
#include "qoima-export-chooser.h"
#include "qoima-gs1.h"
#include "qoima-i18n.h"
#include "qoima-ismpt-documents.h"
#include "qoima-pack.h"
#include "qoima-product.h"
#include "qoima-store-copay.h"
#include "qoima-store-outbox.h"
#include "qoima-user.h"

/* Packs offered for a prescription: enough to choose from, few enough to read. */
#define MAX_OFFERED 12
#define N_MONTHS 12

struct _QoimaDispensingPage
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkLabel            *scan_label;
  AdwPreferencesGroup *prescription_group;
  AdwActionRow        *number_row;
  AdwActionRow        *patient_row;
  AdwActionRow        *icd10_row;
  AdwActionRow        *medicine_row;
  AdwActionRow        *quantity_row;
  AdwPreferencesGroup *packs_group;
  GtkListBox          *packs_list;
  AdwPreferencesGroup *sale_group;
  AdwActionRow        *pack_row;
  AdwEntryRow         *price_row;
  AdwActionRow        *limit_row;
  AdwEntryRow         *receipt_row;
  AdwActionRow        *amounts_row;
  GtkListBox          *dispensed_list;
  GtkDropDown         *month_dropdown;
  AdwActionRow        *due_row;
  AdwActionRow        *totals_row;
  GtkColumnView       *registry_view;

  /* Owned references */
  QoimaContext        *context;
  GCancellable        *cancellable;      /* the page's life */
  GCancellable        *rx_cancellable;   /* the prescription's loads: a new scan drops them */
  QoimaPrescription   *prescription;
  QoimaLimitPrice     *limit;            /* in force today, or NULL */
  QoimaPack           *pack;             /* chosen */
  GPtrArray           *offered;          /* QoimaPack */
  GPtrArray           *offered_rows;
  GPtrArray           *dispensed;        /* identification codes dispensed here */
  GPtrArray           *dispensed_rows;
  char                *scan_message;
  char                *withdrawal_state;
  QoimaCopayRegistry  *registry;
  GtkStringList       *registry_rows;
  int                  years[N_MONTHS];
  int                  months[N_MONTHS];

  /* State */
  gint64               fund;
  gint64               patient;
  QoimaDispensingExport chosen_export;
  guint                amounts_known : 1;
  guint                limits_loaded : 1;
  guint                busy : 1;
  guint                choosing : 1; /* the export's file chooser is open */
};

G_DEFINE_FINAL_TYPE (QoimaDispensingPage, qoima_dispensing_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS,
};

enum {
  SIGNAL_SCAN_HANDLED,
  SIGNAL_DISPENSED,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void update_actions (QoimaDispensingPage *self);
static void load_registry (QoimaDispensingPage *self);
static void load_states (QoimaDispensingPage *self);

static QoimaStore *
store (QoimaDispensingPage *self)
{
  return qoima_context_get_store (self->context);
}

static QoimaUser *
user (QoimaDispensingPage *self)
{
  return self->context != NULL ? qoima_context_get_user (self->context) : NULL;
}

static gboolean
may_dispense (QoimaDispensingPage *self)
{
  QoimaUser *signed_in = user (self);

  return signed_in != NULL && qoima_role_allows (qoima_user_get_role (signed_in), QOIMA_PERMISSION_DISPENSE);
}

static void
toast (QoimaDispensingPage *self,
       const char          *message)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.add-toast", "s", message);
}

/* The forms' language: Kazakh when the interface is, else Russian (the order's). */
static const char *
form_language (void)
{
  const char * const *names = g_get_language_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "kk"))
        return "kk";
      if (g_str_has_prefix (names[i], "ru"))
        return "ru";
      if (g_str_has_prefix (names[i], "en"))
        return "en";
    }
  return "en";
}

static char *
today_utc (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static gboolean
same_text (const char *a,
           const char *b)
{
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  fa = g_utf8_casefold (a, -1);
  fb = g_utf8_casefold (b, -1);
  return g_str_equal (fa, fb);
}

static void
show_scan (QoimaDispensingPage *self,
           const char          *message,
           gboolean             refused)
{
  g_free (self->scan_message);
  self->scan_message = g_strdup (message);
  gtk_label_set_text (self->scan_label, message);
  gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), refused ? "success" : "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->scan_label), refused ? "error" : "success");
  g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
}

static void
remove_rows (GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      GtkWidget *list = gtk_widget_get_parent (row);

      if (list != NULL)
        gtk_list_box_remove (GTK_LIST_BOX (list), row);
    }
  g_ptr_array_set_size (rows, 0);
}

static GtkWidget *
add_row (GtkListBox *list,
         GPtrArray  *rows,
         const char *title,
         const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_tooltip_text (row, title);
  gtk_list_box_append (list, row);
  g_ptr_array_add (rows, row);
  return row;
}

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  adw_action_row_set_subtitle (row, text != NULL ? text : "");
}

/* The pack's units: what the Fund's limit per unit is multiplied by. */
static gint64
pack_units (QoimaPack *pack)
{
  int left = qoima_pack_get_units_left (pack);
  QoimaProduct *product = qoima_pack_get_product (pack);

  if (left > 0)
    return left;
  if (product != NULL && qoima_product_get_units_per_pack (product) > 0)
    return qoima_product_get_units_per_pack (product);
  return 1;
}

static char *
pack_title (QoimaPack *pack)
{
  QoimaProduct *product = qoima_pack_get_product (pack);

  return g_strdup (product != NULL ? qoima_product_get_name (product) : qoima_pack_get_ki (pack));
}

static char *
pack_subtitle (QoimaPack *pack)
{
  g_autofree char *expiry = qoima_pack_get_expiry (pack) != NULL ? qoima_format_iso_date (qoima_pack_get_expiry (pack))
                                                                  : NULL;

  if (expiry == NULL)
    return g_strdup (qoima_pack_get_ki (pack));
  /* Translators: a pack offered for a prescription: its expiry date, then its code. */
  return g_strdup_printf (_("Expires %s · %s"), expiry, qoima_pack_get_ki (pack));
}

/* The amounts (R002-10). */

static void
update_amounts (QoimaDispensingPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->price_row));
  gint64 price = 0;

  self->amounts_known = FALSE;
  gtk_widget_remove_css_class (GTK_WIDGET (self->amounts_row), "error");

  if (self->limits_loaded && self->limit == NULL && self->prescription != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->limit_row), _("No limit price in force"));
      set_subtitle (self->limit_row, _("An administrator loads the limit prices first; without one the Fund’s part is not known."));
      gtk_widget_add_css_class (GTK_WIDGET (self->limit_row), "error");
    }
  else if (self->limit != NULL)
    {
      g_autofree char *amount = qoima_money_format (self->limit->price);
      g_autofree char *title = NULL;
      g_autofree char *from = qoima_format_iso_date (self->limit->valid_from);
      g_autofree char *subtitle = NULL;

      /* Translators: the limit reimbursement price: an amount in tenge per unit of measure. */
      title = g_strdup_printf (_("%s ₸ per %s"), amount, self->limit->unit);
      /* Translators: %s is the date from which the limit price is in force. */
      subtitle = g_strdup_printf (_("Limit price per unit, in force from %s"), from);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->limit_row), title);
      set_subtitle (self->limit_row, subtitle);
      gtk_widget_remove_css_class (GTK_WIDGET (self->limit_row), "error");
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->limit_row), _("Limit price per unit"));
      set_subtitle (self->limit_row, NULL);
      gtk_widget_remove_css_class (GTK_WIDGET (self->limit_row), "error");
    }

  if (self->pack != NULL)
    {
      g_autofree char *title = pack_title (self->pack);
      g_autofree char *subtitle = pack_subtitle (self->pack);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->pack_row), title);
      set_subtitle (self->pack_row, subtitle);
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->pack_row), _("No pack chosen"));
      set_subtitle (self->pack_row, _("Scan the pack given, or choose one above."));
    }

  if (*text != '\0' && !qoima_money_parse (text, &price, NULL))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->amounts_row), _("The price is not an amount"));
      set_subtitle (self->amounts_row, _("Type the pack’s price in tenge, as “1 234,50”."));
      gtk_widget_add_css_class (GTK_WIDGET (self->amounts_row), "error");
    }
  else if (*text == '\0' || self->pack == NULL || self->limit == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->amounts_row), _("Amounts"));
      set_subtitle (self->amounts_row, _("Shown once the pack, its price and the limit price are known."));
    }
  else
    {
      gint64 units = pack_units (self->pack);
      g_autofree char *fund = NULL;
      g_autofree char *patient = NULL;
      g_autofree char *total = NULL;
      g_autofree char *limit = NULL;
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;

      qoima_copay_split (price, self->limit->price, units, &self->fund, &self->patient);
      self->amounts_known = TRUE;
      fund = qoima_money_format (self->fund);
      patient = qoima_money_format (self->patient);
      total = qoima_money_format (self->fund + self->patient);
      limit = qoima_money_format (self->limit->price * units);
      /* Translators: the co-payment's amounts in tenge: the Fund's, then the patient's. */
      title = g_strdup_printf (_("Fund pays %s ₸, patient pays %s ₸"), fund, patient);
      if (self->patient > 0)
        /* Translators: the total, then the pack's limit (units × limit per unit), in tenge. */
        subtitle = g_strdup_printf (_("Total %s ₸: the patient pays what is above the pack’s limit of %s ₸."),
                                    total, limit);
      else
        subtitle = g_strdup_printf (_("Total %s ₸: at or below the pack’s limit of %s ₸ the patient pays nothing."),
                                    total, limit);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->amounts_row), title);
      set_subtitle (self->amounts_row, subtitle);
    }
  update_actions (self);
}

static void
update_actions (QoimaDispensingPage *self)
{
  g_autofree char *receipt = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->receipt_row))));
  gboolean ready = !self->busy && may_dispense (self) && self->prescription != NULL && self->pack != NULL &&
                   self->amounts_known && *receipt != '\0';

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dispensing.confirm", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dispensing.clear", !self->busy && self->prescription != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dispensing.export",
                                 self->registry != NULL && self->registry->rows->len > 0 && !self->choosing);
  gtk_widget_set_visible (GTK_WIDGET (self->prescription_group), self->prescription != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->packs_group), self->prescription != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->sale_group), self->prescription != NULL);
}

/* The prescription and its packs. */

static void
choose_pack (QoimaDispensingPage *self,
             QoimaPack           *pack)
{
  g_set_object (&self->pack, pack);
  update_amounts (self);
  if (pack != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->price_row));
}

static void
offered_row_activated_cb (AdwActionRow        *row,
                          QoimaDispensingPage *self)
{
  choose_pack (self, g_object_get_data (G_OBJECT (row), "pack"));
}

static void
offered_pack_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(QoimaDispensingPage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaPack) pack = qoima_store_find_pack_finish (QOIMA_STORE (object), result, &local_error);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  if (pack == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("An offered pack was not found: %s", local_error->message);
      return;
    }
  title = pack_title (pack);
  subtitle = pack_subtitle (pack);
  row = add_row (self->packs_list, self->offered_rows, title, subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "pack", g_object_ref (pack), g_object_unref);
  g_signal_connect_object (row, "activated", G_CALLBACK (offered_row_activated_cb), self, 0);
  g_ptr_array_add (self->offered, g_steal_pointer (&pack));
}

static void
matching_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QoimaDispensingPage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) kis = qoima_store_copay_matching_packs_finish (QOIMA_STORE (object), result, &local_error);

  if (kis == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      return;
    }
  adw_preferences_group_set_description (self->packs_group,
                                         kis[0] == NULL ? _("No pack in stock has the prescription’s INN, form and dosage.")
                                                        : _("Whole packs in stock of the prescription’s INN, form and dosage, the earliest expiry first. Choose one, or scan the pack given."));
  for (guint i = 0; kis[i] != NULL && i < MAX_OFFERED; i++)
    qoima_store_find_pack_async (store (self), kis[i], self->rx_cancellable, offered_pack_cb, g_object_ref (self));
}

static void
prices_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(QoimaDispensingPage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) prices = qoima_store_copay_list_prices_finish (QOIMA_STORE (object), result, &local_error);
  g_autofree char *today = today_utc ();
  const QoimaLimitPrice *limit;

  if (prices == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      return;
    }
  if (self->prescription == NULL)
    return;
  /* The day of dispensing is today: the price in force today, as the store records it. */
  limit = qoima_limit_prices_lookup (prices, self->prescription->inn, self->prescription->form,
                                     self->prescription->dosage, today);
  g_clear_pointer (&self->limit, qoima_limit_price_free);
  self->limit = limit != NULL ? qoima_limit_price_copy (limit) : NULL;
  self->limits_loaded = TRUE;
  update_amounts (self);
}

static void
load_offered (QoimaDispensingPage *self)
{
  remove_rows (self->offered_rows);
  g_ptr_array_set_size (self->offered, 0);
  if (self->prescription == NULL)
    return;
  qoima_store_copay_matching_packs_async (store (self), self->prescription->inn, self->prescription->form,
                                          self->prescription->dosage, self->rx_cancellable, matching_cb,
                                          g_object_ref (self));
}

static void
set_prescription (QoimaDispensingPage *self,
                  QoimaPrescription   *prescription)
{
  g_cancellable_cancel (self->rx_cancellable);
  g_clear_object (&self->rx_cancellable);
  self->rx_cancellable = g_cancellable_new ();

  g_clear_pointer (&self->prescription, qoima_prescription_free);
  self->prescription = prescription;
  g_clear_pointer (&self->limit, qoima_limit_price_free);
  self->limits_loaded = FALSE;
  g_clear_object (&self->pack);
  gtk_editable_set_text (GTK_EDITABLE (self->price_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->receipt_row), "");

  if (prescription != NULL)
    {
      g_autofree char *number = NULL;
      g_autofree char *date = qoima_format_iso_date (prescription->date);
      g_autofree char *medicine = NULL;
      g_autofree char *quantity = qoima_format_count (prescription->quantity);

      /* Translators: a prescription's number and date. */
      number = g_strdup_printf (_("%s of %s"), prescription->number, date);
      /* Translators: the prescribed medicine: INN, form, dosage. */
      medicine = g_strdup_printf (_("%s, %s, %s"), prescription->inn, prescription->form, prescription->dosage);
      set_subtitle (self->number_row, number);
      set_subtitle (self->patient_row, prescription->patient_iin);
      set_subtitle (self->icd10_row, prescription->icd10);
      set_subtitle (self->medicine_row, medicine);
      set_subtitle (self->quantity_row, quantity);
      qoima_store_copay_list_prices_async (store (self), self->rx_cancellable, prices_cb, g_object_ref (self));
    }
  load_offered (self);
  update_amounts (self);
}

typedef struct {
  QoimaDispensingPage *self;
  QoimaPrescription   *prescription; /* the one the pack was scanned for */
} PackScan;

static void
pack_scan_free (PackScan *data)
{
  g_clear_object (&data->self);
  g_free (data);
}

static void
scanned_pack_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PackScan *data = user_data;
  QoimaDispensingPage *self = data->self;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaPack) pack = qoima_store_find_pack_finish (QOIMA_STORE (object), result, &local_error);
  const QoimaPrescription *rx = self->prescription;
  QoimaProduct *product;

  if (pack == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_scan (self, local_error->message, TRUE);
      pack_scan_free (data);
      return;
    }
  product = qoima_pack_get_product (pack);
  if (rx == NULL || rx != data->prescription)
    show_scan (self, _("Scan the e-prescription’s QR code first."), TRUE);
  else if (qoima_pack_get_status (pack) != QOIMA_PACK_STATUS_IN_STOCK)
    show_scan (self, _("Only a whole pack in stock can be dispensed."), TRUE);
  /* R002-3: by INN, form and dosage, whatever the trade name. */
  else if (product == NULL || !same_text (qoima_product_get_inn (product), rx->inn) ||
           !same_text (qoima_product_get_form (product), rx->form) ||
           !same_text (qoima_product_get_dosage (product), rx->dosage))
    {
      g_autofree char *name = pack_title (pack);
      /* Translators: a scanned pack is not what the e-prescription names: the pack's
       * medicine, then the prescription's INN, form and dosage. */
      g_autofree char *message = g_strdup_printf (_("%s is not what the prescription names: %s, %s, %s."),
                                                  name, rx->inn, rx->form, rx->dosage);

      show_scan (self, message, TRUE);
    }
  else
    {
      g_autofree char *name = pack_title (pack);
      /* Translators: %s is the medicine of the pack scanned for a prescription. */
      g_autofree char *message = g_strdup_printf (_("Pack to dispense: %s. Type its price and the fiscal receipt’s number."),
                                                  name);

      choose_pack (self, pack);
      show_scan (self, message, FALSE);
    }
  pack_scan_free (data);
}

gboolean
qoima_dispensing_page_take_scan (QoimaDispensingPage *self,
                                 const char          *text)
{
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(GError) local_error = NULL;
  PackScan *data;

  g_return_val_if_fail (QOIMA_IS_DISPENSING_PAGE (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (self->context == NULL || !may_dispense (self))
    return FALSE;

  /* The e-prescription's QR code (R002-3). */
  if (g_str_has_prefix (text, "RX1|") || g_str_has_prefix (text, "rx1|"))
    {
      QoimaPrescription *prescription = qoima_prescription_parse_qr (text, &local_error);
      g_autofree char *message = NULL;

      if (prescription == NULL)
        {
          show_scan (self, local_error->message, TRUE);
          return TRUE;
        }
      /* Translators: %s is the e-prescription's number. */
      message = g_strdup_printf (_("E-prescription %s read: scan the pack given, or choose one below."),
                                 prescription->number);
      set_prescription (self, prescription);
      show_scan (self, message, FALSE);
      return TRUE;
    }

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
  if (self->prescription == NULL)
    {
      show_scan (self, _("Scan the e-prescription’s QR code first."), TRUE);
      return TRUE;
    }
  if (code->kind == QOIMA_CODE_KIND_BOX || code->ki == NULL)
    {
      show_scan (self, _("Only a whole pack in stock can be dispensed."), TRUE);
      return TRUE;
    }
  data = g_new0 (PackScan, 1);
  data->self = g_object_ref (self);
  data->prescription = self->prescription;
  qoima_store_find_pack_async (store (self), code->ki, self->rx_cancellable, scanned_pack_cb, data);
  return TRUE;
}

/* Dispensing. */

static void
states_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(QoimaDispensingPage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) node = qoima_store_list_withdrawals_finish (QOIMA_STORE (object), result, &local_error);
  JsonArray *array;

  if (node == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      return;
    }
  array = json_node_get_array (node);
  remove_rows (self->dispensed_rows);
  /* The latest first; each with its withdrawal's state as the outbox has it (R002-4). */
  for (guint i = self->dispensed->len; i-- > 0;)
    {
      const char *ki = g_ptr_array_index (self->dispensed, i);

      for (guint j = 0; j < json_array_get_length (array); j++)
        {
          JsonObject *entry = json_array_get_object_element (array, j);
          const char *reason_nick = json_object_get_string_member_with_default (entry, "reason", NULL);
          QoimaWithdrawalReason reason = QOIMA_WITHDRAWAL_DISPENSED;
          g_autofree char *subtitle = NULL;

          if (g_strcmp0 (json_object_get_string_member_with_default (entry, "pack", NULL), ki) != 0)
            continue;
          /* Named by its own reason (a sale to the patient, not a medical use), whose
           * state is the outbox's: owed, waiting to be sent, sent, done (R002-4). */
          if (reason_nick != NULL)
            qoima_withdrawal_reason_from_nick (reason_nick, &reason);
          /* Translators: a dispensed pack's withdrawal reason ("Dispensed on prescription"),
           * its state in ИС МПТ, then its code. */
          subtitle = g_strdup_printf (_("%s · %s · %s"), qoima_withdrawal_reason_to_label (reason),
                                      json_object_get_string_member_with_default (entry, "state_text", ""), ki);
          add_row (self->dispensed_list, self->dispensed_rows,
                   json_object_get_string_member_with_default (entry, "medicine", ki), subtitle);
          if (i + 1 == self->dispensed->len)
            {
              g_free (self->withdrawal_state);
              self->withdrawal_state = g_strdup (json_object_get_string_member_with_default (entry, "state", NULL));
            }
        }
    }
}

static void
load_states (QoimaDispensingPage *self)
{
  if (self->context == NULL || self->dispensed->len == 0)
    return;
  qoima_store_list_withdrawals_async (store (self), self->cancellable, states_cb, g_object_ref (self));
}

typedef struct {
  QoimaDispensingPage *self;
  char                *ki;
} Dispensing;

static void
dispensed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Dispensing *data = user_data;
  g_autoptr(QoimaDispensingPage) self = data->self;
  g_autofree char *ki = data->ki;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;

  g_free (data);
  self->busy = FALSE;
  if (qoima_store_copay_dispense_finish (QOIMA_STORE (object), result, &local_error) < 0)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_scan (self, local_error->message, TRUE);
      update_actions (self);
      return;
    }
  g_ptr_array_add (self->dispensed, g_strdup (ki));
  g_free (self->withdrawal_state);
  self->withdrawal_state = NULL;
  /* Translators: %s is the dispensed pack's identification code. */
  message = g_strdup_printf (_("Dispensed: %s. Its withdrawal is owed to ИС МПТ."), ki);
  toast (self, message);

  /* The prescription may take another pack (a quantity of two packs): it stays. */
  g_clear_object (&self->pack);
  gtk_editable_set_text (GTK_EDITABLE (self->price_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->receipt_row), "");
  load_offered (self);
  update_amounts (self);
  load_states (self);
  load_registry (self);
  g_signal_emit (self, signals[SIGNAL_DISPENSED], 0);
}

static void
confirm_response_cb (AdwMessageDialog    *dialog,
                     const char          *response,
                     QoimaDispensingPage *self)
{
  Dispensing *data;
  gint64 price = 0;
  g_autofree char *receipt = NULL;

  if (g_strcmp0 (response, "dispense") != 0 || self->pack == NULL || self->prescription == NULL ||
      !qoima_money_parse (gtk_editable_get_text (GTK_EDITABLE (self->price_row)), &price, NULL))
    return;
  receipt = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->receipt_row))));
  data = g_new0 (Dispensing, 1);
  data->self = g_object_ref (self);
  data->ki = g_strdup (qoima_pack_get_ki (self->pack));
  self->busy = TRUE;
  update_actions (self);
  qoima_store_copay_dispense_async (store (self), user (self), self->prescription, data->ki, price, receipt, NULL,
                                    self->cancellable, dispensed_cb, data);
}

static GtkWindow *
parent_window (QoimaDispensingPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* What is paid is said before the pack leaves stock: the withdrawal cannot be taken back. */
static void
confirm_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  QoimaDispensingPage *self = QOIMA_DISPENSING_PAGE (widget);
  g_autofree char *name = NULL;
  g_autofree char *fund = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (self->pack == NULL || !self->amounts_known)
    return;
  name = pack_title (self->pack);
  fund = qoima_money_format (self->fund);
  patient = qoima_money_format (self->patient);
  /* Translators: the medicine, the Fund's amount and the patient's, in tenge. */
  body = g_strdup_printf (_("%s goes to the patient. The Fund pays %s ₸ and the patient %s ₸. "
                            "The pack leaves stock, and its withdrawal is owed to ИС МПТ."),
                          name, fund, patient);
  dialog = adw_message_dialog_new (parent_window (self), _("Dispense the Pack?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "dispense", _("_Dispense"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "dispense", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "dispense");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  QoimaDispensingPage *self = QOIMA_DISPENSING_PAGE (widget);

  set_prescription (self, NULL);
  gtk_label_set_text (self->scan_label, _("Scan the e-prescription’s QR code."));
  gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), "error");
}

/* The registry (R002-7, R002-8, R002-11). */

static void
show_registry (QoimaDispensingPage *self)
{
  QoimaCopayRegistry *registry = self->registry;
  g_autofree char *today = today_utc ();
  g_autofree char *due = NULL;
  g_autofree char *title = NULL;
  g_autofree char *warning = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->registry_rows));

  gtk_string_list_splice (self->registry_rows, 0, n, NULL);
  if (registry == NULL)
    return;

  due = qoima_format_iso_date (registry->due);
  /* Translators: R002-8: the registry is due by this date. */
  title = g_strdup_printf (_("Due by %s"), due);
  warning = qoima_copay_due_warning (registry->year, registry->month, today);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->due_row), title);
  set_subtitle (self->due_row, warning != NULL ? warning
                                               : _("The registry goes to the Fund by the 25th of the next month."));
  if (warning != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->due_row), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->due_row), "warning");

  {
    g_autofree char *total = qoima_money_format (registry->total);
    g_autofree char *fund = qoima_money_format (registry->total_fund);
    g_autofree char *patient = qoima_money_format (registry->total_patient);
    g_autofree char *totals = NULL;
    g_autofree char *subtitle = NULL;

    /* Translators: the registry's column 17 summed, in tenge. */
    totals = g_strdup_printf (_("Total %s ₸"), total);
    /* Translators: the registry's totals: the Fund's (column 15) and the patients' (16), in
     * tenge, then the number of packs. */
    subtitle = g_strdup_printf (ngettext ("The Fund %s ₸, patients %s ₸; %u pack dispensed",
                                          "The Fund %s ₸, patients %s ₸; %u packs dispensed",
                                          registry->rows->len),
                                fund, patient, registry->rows->len);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->totals_row), totals);
    set_subtitle (self->totals_row, subtitle);
  }

  for (guint i = 0; i < registry->rows->len; i++)
    {
      char index[16];

      g_snprintf (index, sizeof index, "%u", i);
      gtk_string_list_append (self->registry_rows, index);
    }
}

static void
registry_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QoimaDispensingPage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  QoimaCopayRegistry *registry = qoima_store_copay_registry_finish (QOIMA_STORE (object), result, &local_error);

  if (registry == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      return;
    }
  /* An older answer for another month: the one chosen now is on its way. */
  {
    guint selected = gtk_drop_down_get_selected (self->month_dropdown);

    if (selected >= N_MONTHS || self->years[selected] != registry->year || self->months[selected] != registry->month)
      {
        qoima_copay_registry_free (registry);
        return;
      }
  }
  g_clear_pointer (&self->registry, qoima_copay_registry_free);
  self->registry = registry;
  show_registry (self);
  update_actions (self);
}

static void
load_registry (QoimaDispensingPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->month_dropdown);

  if (self->context == NULL || selected >= N_MONTHS)
    return;
  qoima_store_copay_registry_async (store (self), self->years[selected], self->months[selected], self->cancellable,
                                    registry_cb, g_object_ref (self));
}

static void
month_selected_cb (QoimaDispensingPage *self)
{
  g_clear_pointer (&self->registry, qoima_copay_registry_free);
  show_registry (self);
  update_actions (self);
  load_registry (self);
}

/* The long names (pharmacy, trade name, dosage and form) are cut to a fixed width and read
 * whole in their tooltips; codes, numbers and amounts show whole. */
static gboolean
long_text_column (int column)
{
  return column == 2 || column == 9 || column == 10;
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "column"));

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (long_text_column (column))
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              QoimaDispensingPage      *self)
{
  GtkStringObject *index = gtk_list_item_get_item (item);
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "column"));
  g_autofree char *text = NULL;
  guint row = (guint) strtoul (gtk_string_object_get_string (index), NULL, 10);

  if (self->registry != NULL && row < self->registry->rows->len)
    text = qoima_copay_registry_cell (self->registry, row, column, form_language (), FALSE);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text != NULL ? text : "");
  gtk_widget_set_tooltip_text (gtk_list_item_get_child (item), text);
  /* Amounts line up on the right, as the printed form has them. */
  gtk_label_set_xalign (GTK_LABEL (gtk_list_item_get_child (item)), column == 1 || column >= 12 ? 1 : 0);
}

static void
add_registry_columns (QoimaDispensingPage *self)
{
  /* Short headings; the whole titles (R002-11) are the tooltips and the exports' headings. */
  static const char *const headings[QOIMA_COPAY_REGISTRY_COLUMNS] = {
    N_("No."), N_("Pharmacy"), N_("BIN"), N_("Region"), N_("ICD-10"), N_("Patient IIN"),
    N_("Prescription"), N_("INN"), N_("Trade name"), N_("Dosage and form"), N_("Unit"),
    N_("Limit per unit, ₸"), N_("Fiscal receipt"), N_("Marking code"), N_("Fund, ₸"),
    N_("Patient, ₸"), N_("Total, ₸"),
  };

  for (int column = 1; column <= QOIMA_COPAY_REGISTRY_COLUMNS; column++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) view_column = NULL;
      /* Translators: a registry column's heading: its number in the form, then its short name. */
      g_autofree char *title = g_strdup_printf (_("%d. %s"), column, _(headings[column - 1]));

      g_object_set_data (G_OBJECT (factory), "column", GINT_TO_POINTER (column));
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), NULL);
      g_signal_connect_object (factory, "bind", G_CALLBACK (bind_cell_cb), self, 0);
      view_column = gtk_column_view_column_new (title, factory);
      gtk_column_view_column_set_resizable (view_column, TRUE);
      if (long_text_column (column))
        gtk_column_view_column_set_fixed_width (view_column, 180);
      gtk_column_view_append_column (self->registry_view, view_column);
    }
}

static void
fill_months (QoimaDispensingPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  int year = g_date_time_get_year (now);
  int month = g_date_time_get_month (now);

  for (int i = 0; i < N_MONTHS; i++)
    {
      g_autoptr(GDateTime) first = g_date_time_new_local (year, month, 1, 0, 0, 0);
      g_autofree char *name = g_date_time_format (first, "%OB %Y");

      self->years[i] = year;
      self->months[i] = month;
      gtk_string_list_append (names, name != NULL ? name : "?");
      if (--month == 0)
        {
          month = 12;
          year--;
        }
    }
  gtk_drop_down_set_model (self->month_dropdown, G_LIST_MODEL (names));
  /* The month whose registry is due next (R002-8): the last one. */
  gtk_drop_down_set_selected (self->month_dropdown, 1);
}

/* Exports. */

typedef struct {
  QoimaCopayRegistry   *registry; /* a copy: the page may load another month meanwhile */
  QoimaDispensingExport what;
  char                 *path;
  char                 *language;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_pointer (&data->registry, qoima_copay_registry_free);
  g_free (data->path);
  g_free (data->language);
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
  gboolean ok = FALSE;

  switch (data->what)
    {
    case QOIMA_DISPENSING_EXPORT_REGISTRY_XLSX:
      ok = qoima_copay_registry_write_xlsx (data->registry, data->language, data->path, &error);
      break;
    case QOIMA_DISPENSING_EXPORT_REGISTRY_PDF:
      ok = qoima_copay_registry_write_pdf (data->registry, data->language, data->path, &error);
      break;
    case QOIMA_DISPENSING_EXPORT_ACT_PDF:
      ok = qoima_copay_act_write_pdf (data->registry, data->language, data->path, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
qoima_dispensing_page_export_async (QoimaDispensingPage   *self,
                                    QoimaDispensingExport  what,
                                    GFile                 *file,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportData *data;

  g_return_if_fail (QOIMA_IS_DISPENSING_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_dispensing_page_export_async);
  if (self->registry == NULL || g_file_peek_path (file) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Nothing to export: the month’s registry is not loaded."));
      return;
    }
  data = g_new0 (ExportData, 1);
  data->registry = qoima_copay_registry_new (self->registry->year, self->registry->month,
                                             self->registry->supplier_name, self->registry->supplier_bin,
                                             self->registry->rows);
  data->what = what;
  data->path = g_file_get_path (file);
  /* The forms are the order's: in Russian, or in Kazakh for a Kazakh interface. */
  data->language = g_strdup (g_str_equal (form_language (), "kk") ? "kk" : "ru");
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
qoima_dispensing_page_export_finish (QoimaDispensingPage  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  QoimaDispensingPage *self = QOIMA_DISPENSING_PAGE (source);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = g_file_get_basename (file);

  if (!qoima_dispensing_page_export_finish (self, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Could not export: %s"), error->message);
    }
  else
    message = g_strdup_printf (_("Exported to %s"), name);
  toast (self, message);
}

static void
file_chosen_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  QoimaDispensingPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = qoima_export_chooser_run_finish (result, &error);

  /* Cancelled: the page is going away. */
  if (error != NULL)
    return;
  self->choosing = FALSE;
  update_actions (self);
  if (file != NULL)
    qoima_dispensing_page_export_async (self, self->chosen_export, file, self->cancellable, exported_cb,
                                        g_object_ref (file));
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  QoimaDispensingPage *self = QOIMA_DISPENSING_PAGE (widget);
  const char *what = g_variant_get_string (parameter, NULL);
  const char *suffix;
  QoimaExportFormat format;
  g_autofree char *name = NULL;

  if (self->registry == NULL || self->choosing)
    return;
  if (g_str_equal (what, "registry-xlsx"))
    {
      self->chosen_export = QOIMA_DISPENSING_EXPORT_REGISTRY_XLSX;
      suffix = "xlsx";
      format = QOIMA_EXPORT_FORMAT_XLSX;
    }
  else
    {
      self->chosen_export = g_str_equal (what, "act-pdf") ? QOIMA_DISPENSING_EXPORT_ACT_PDF
                                                           : QOIMA_DISPENSING_EXPORT_REGISTRY_PDF;
      suffix = "pdf";
      format = QOIMA_EXPORT_FORMAT_PDF;
    }
  /* Translators: suggested file names, without their suffix; %04d-%02d is the month. */
  name = self->chosen_export == QOIMA_DISPENSING_EXPORT_ACT_PDF
           ? g_strdup_printf (_("copay-act-%04d-%02d.%s"), self->registry->year, self->registry->month, suffix)
           : g_strdup_printf (_("copay-registry-%04d-%02d.%s"), self->registry->year, self->registry->month, suffix);
  self->choosing = TRUE;
  update_actions (self);
  /* The page's cancellable closes the dialog when the page goes. */
  qoima_export_chooser_run_async (widget, _("Export"), name, format, self->cancellable, file_chosen_cb, self);
}

/* The widget. */

static void
user_changed_cb (QoimaDispensingPage *self)
{
  /* What the last user had in hand is not the next one's. */
  set_prescription (self, NULL);
  g_ptr_array_set_size (self->dispensed, 0);
  remove_rows (self->dispensed_rows);
  gtk_label_set_text (self->scan_label, _("Scan the e-prescription’s QR code."));
  update_actions (self);
}

static void
entry_changed_cb (QoimaDispensingPage *self)
{
  update_amounts (self);
}

static void
qoima_dispensing_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (qoima_dispensing_page_parent_class)->map (widget);

  /* The chief may have signed the withdrawals meanwhile; another workstation dispensed. */
  qoima_dispensing_page_start (QOIMA_DISPENSING_PAGE (widget));
}

static void
qoima_dispensing_page_dispose (GObject *object)
{
  QoimaDispensingPage *self = QOIMA_DISPENSING_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->rx_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->rx_cancellable);
  g_clear_object (&self->context);
  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_DISPENSING_PAGE);

  G_OBJECT_CLASS (qoima_dispensing_page_parent_class)->dispose (object);
}

static void
qoima_dispensing_page_finalize (GObject *object)
{
  QoimaDispensingPage *self = QOIMA_DISPENSING_PAGE (object);

  g_clear_pointer (&self->prescription, qoima_prescription_free);
  g_clear_pointer (&self->limit, qoima_limit_price_free);
  g_clear_object (&self->pack);
  g_clear_pointer (&self->offered, g_ptr_array_unref);
  g_clear_pointer (&self->offered_rows, g_ptr_array_unref);
  g_clear_pointer (&self->dispensed, g_ptr_array_unref);
  g_clear_pointer (&self->dispensed_rows, g_ptr_array_unref);
  g_clear_pointer (&self->registry, qoima_copay_registry_free);
  g_clear_object (&self->registry_rows);
  g_free (self->scan_message);
  g_free (self->withdrawal_state);

  G_OBJECT_CLASS (qoima_dispensing_page_parent_class)->finalize (object);
}

static void
qoima_dispensing_page_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  QoimaDispensingPage *self = QOIMA_DISPENSING_PAGE (object);

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
qoima_dispensing_page_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  QoimaDispensingPage *self = QOIMA_DISPENSING_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      if (self->context != NULL)
        g_signal_connect_object (self->context, "notify::user", G_CALLBACK (user_changed_cb), self,
                                 G_CONNECT_SWAPPED);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_dispensing_page_class_init (QoimaDispensingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_dispensing_page_dispose;
  object_class->finalize = qoima_dispensing_page_finalize;
  object_class->get_property = qoima_dispensing_page_get_property;
  object_class->set_property = qoima_dispensing_page_set_property;

  widget_class->map = qoima_dispensing_page_map;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SCAN_HANDLED] =
    g_signal_new ("scan-handled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_DISPENSED] =
    g_signal_new ("dispensed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/kz/qoima/Qoima/ui/pages/qoima-dispensing-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, scan_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, prescription_group);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, number_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, patient_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, icd10_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, medicine_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, quantity_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, packs_group);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, packs_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, sale_group);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, pack_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, price_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, limit_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, receipt_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, amounts_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, dispensed_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, month_dropdown);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, due_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, totals_row);
  gtk_widget_class_bind_template_child (widget_class, QoimaDispensingPage, registry_view);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);

  gtk_widget_class_install_action (widget_class, "dispensing.confirm", NULL, confirm_action);
  gtk_widget_class_install_action (widget_class, "dispensing.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "dispensing.export", "s", export_action);
}

static void
qoima_dispensing_page_init (QoimaDispensingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->rx_cancellable = g_cancellable_new ();
  self->offered = g_ptr_array_new_with_free_func (g_object_unref);
  self->offered_rows = g_ptr_array_new ();
  self->dispensed = g_ptr_array_new_with_free_func (g_free);
  self->dispensed_rows = g_ptr_array_new ();
  self->registry_rows = gtk_string_list_new (NULL);

  {
    GtkNoSelection *selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->registry_rows)));

    gtk_column_view_set_model (self->registry_view, GTK_SELECTION_MODEL (selection));
    g_object_unref (selection);
  }
  add_registry_columns (self);
  fill_months (self);
  g_signal_connect_object (self->month_dropdown, "notify::selected", G_CALLBACK (month_selected_cb), self,
                           G_CONNECT_SWAPPED);
  update_amounts (self);
}

QoimaDispensingPage *
qoima_dispensing_page_new (QoimaContext *context)
{
  g_return_val_if_fail (context == NULL || QOIMA_IS_CONTEXT (context), NULL);

  return g_object_new (QOIMA_TYPE_DISPENSING_PAGE, "context", context, NULL);
}

void
qoima_dispensing_page_start (QoimaDispensingPage *self)
{
  g_return_if_fail (QOIMA_IS_DISPENSING_PAGE (self));

  if (self->context == NULL || user (self) == NULL)
    return;
  load_registry (self);
  load_states (self);
  if (self->prescription != NULL)
    load_offered (self);
}

const char *
qoima_dispensing_page_get_scan_message (QoimaDispensingPage *self)
{
  g_return_val_if_fail (QOIMA_IS_DISPENSING_PAGE (self), NULL);
  return self->scan_message;
}

const QoimaPrescription *
qoima_dispensing_page_get_prescription (QoimaDispensingPage *self)
{
  g_return_val_if_fail (QOIMA_IS_DISPENSING_PAGE (self), NULL);
  return self->prescription;
}

guint
qoima_dispensing_page_get_n_offered (QoimaDispensingPage *self)
{
  g_return_val_if_fail (QOIMA_IS_DISPENSING_PAGE (self), 0);
  return self->offered->len;
}

const char *
qoima_dispensing_page_get_offered (QoimaDispensingPage *self,
                                   guint                index)
{
  g_return_val_if_fail (QOIMA_IS_DISPENSING_PAGE (self), NULL);
  g_return_val_if_fail (index < self->offered->len, NULL);
  return qoima_pack_get_ki (g_ptr_array_index (self->offered, index));
}

const char *
qoima_dispensing_page_get_pack (QoimaDispensingPage *self)
{
  g_return_val_if_fail (QOIMA_IS_DISPENSING_PAGE (self), NULL);
  return self->pack != NULL ? qoima_pack_get_ki (self->pack) : NULL;
}

gboolean
qoima_dispensing_page_get_amounts (QoimaDispensingPage *self,
                                   gint64              *fund,
                                   gint64              *patient)
{
  g_return_val_if_fail (QOIMA_IS_DISPENSING_PAGE (self), FALSE);

  if (!self->amounts_known)
    return FALSE;
  if (fund != NULL)
    *fund = self->fund;
  if (patient != NULL)
    *patient = self->patient;
  return TRUE;
}

const char *
qoima_dispensing_page_get_withdrawal_state (QoimaDispensingPage *self)
{
  g_return_val_if_fail (QOIMA_IS_DISPENSING_PAGE (self), NULL);
  return self->withdrawal_state;
}

gboolean
qoima_dispensing_page_set_month (QoimaDispensingPage *self,
                                 int                  year,
                                 int                  month)
{
  g_return_val_if_fail (QOIMA_IS_DISPENSING_PAGE (self), FALSE);

  for (guint i = 0; i < N_MONTHS; i++)
    if (self->years[i] == year && self->months[i] == month)
      {
        if (gtk_drop_down_get_selected (self->month_dropdown) != i)
          gtk_drop_down_set_selected (self->month_dropdown, i);
        else
          month_selected_cb (self);
        return TRUE;
      }
  return FALSE;
}

QoimaCopayRegistry *
qoima_dispensing_page_get_registry (QoimaDispensingPage *self)
{
  g_return_val_if_fail (QOIMA_IS_DISPENSING_PAGE (self), NULL);
  return self->registry;
}
