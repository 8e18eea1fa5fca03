/* qoima-move-page.c: moving packs and boxes from the warehouse to a ward, with the
 * transfer document printed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-move-page"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-move-page.h"

#include "qoima-date.h"
#include "qoima-gs1.h"
#include "qoima-store-ledger.h"
#include "qoima-store-settings.h"
#include "qoima-store-transfers.h"
#include "qoima-transfer-print.h"
#include "qoima-units-dialog.h"

struct _QoimaMovePage
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkLabel      *document_label;
  GtkListBox    *list_box;
  GtkLabel      *scan_label;
  GtkDropDown   *ward_dropdown;
  AdwActionRow  *ward_row;

  /* Owned references */
  QoimaContext  *context;
  GCancellable  *cancellable;
  GListStore    *wards;
  GListStore    *packs;
  QoimaTransfer *transfer;
  GHashTable    *asked_units;  /* GTINs whose units were asked for once */
  char          *scan_message;
  char          *organization;

  /* State */
  guint          busy : 1;
  guint          reloading_wards : 1; /* the ward list is replaced, the choice kept */
  gboolean          started; /* qoima_move_page_start() was called */
};

G_DEFINE_FINAL_TYPE (QoimaMovePage, qoima_move_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS,
};

enum {
  SIGNAL_SCAN_HANDLED,
  SIGNAL_MOVED,
  SIGNAL_UNITS_SAVED,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
toast (QoimaMovePage *self,
       const char    *message)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.add-toast", "s", message);
}

static GtkWindow *
parent_window (QoimaMovePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static QoimaStore *
store (QoimaMovePage *self)
{
  return qoima_context_get_store (self->context);
}

static void
update_actions (QoimaMovePage *self)
{
  gboolean can_move = !self->busy && qoima_move_page_get_ward (self) != 0 &&
                      g_list_model_get_n_items (G_LIST_MODEL (self->packs)) > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "move.move", can_move);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "move.print", self->transfer != NULL);
}

/* Shows a scan's outcome: @refusal says why it was not listed, NULL when it was. */
static void
show_scan (QoimaMovePage *self,
           const char    *refusal,
           const char    *listed)
{
  g_free (self->scan_message);
  self->scan_message = g_strdup (refusal);
  gtk_label_set_text (self->scan_label, refusal != NULL ? refusal : listed);
  if (refusal != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->scan_label), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->scan_label), "success");
    }
  g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
}

static gboolean
is_listed (QoimaMovePage *self,
           const char    *ki)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->packs)); i++)
    {
      g_autoptr(QoimaPack) pack = g_list_model_get_item (G_LIST_MODEL (self->packs), i);

      if (g_strcmp0 (qoima_pack_get_ki (pack), ki) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
location_name (QoimaLocation *location)
{
  return g_strdup (location != NULL ? qoima_location_get_name (location) : NULL);
}

static GtkWidget *
create_pack_row (gpointer item,
                 gpointer user_data)
{
  QoimaPack *pack = item;
  QoimaProduct *product = qoima_pack_get_product (pack);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  g_autofree char *subtitle = NULL;
  g_autofree char *expiry = qoima_format_iso_date (qoima_pack_get_expiry (pack));

  subtitle = g_strdup_printf (_("Batch %s · Expires %s · %s"),
                              qoima_pack_get_batch (pack) != NULL ? qoima_pack_get_batch (pack) : "—",
                              expiry, qoima_pack_get_ki (pack));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), qoima_product_get_name_ru (product));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Remove from the list"));
  gtk_widget_add_css_class (remove, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "move.remove");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", qoima_pack_get_ki (pack));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  return row;
}

/* Units per pack, asked once per product. */

typedef struct {
  QoimaMovePage *self;
  char          *gtin;
} UnitsData;

static void
units_data_free (UnitsData *data)
{
  g_clear_object (&data->self);
  g_free (data->gtin);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UnitsData, units_data_free)

static void
units_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(UnitsData) data = user_data;
  g_autoptr(GError) local_error = NULL;
  gboolean saved;

  saved = qoima_store_set_units_per_pack_finish (QOIMA_STORE (object), result, &local_error);

  /* Saved even when the page was closed meanwhile: nothing is left to show. */
  if (data->self->context == NULL)
    return;
  if (!saved)
    {
      g_debug ("Units per pack of %s not recorded: %s", data->gtin, local_error->message);
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (data->self, local_error->message);
      return;
    }
  g_signal_emit (data->self, signals[SIGNAL_UNITS_SAVED], 0, data->gtin);
}

static void
units_answered_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(UnitsData) data = user_data;
  g_autoptr(GError) local_error = NULL;
  QoimaMovePage *self = data->self;
  int units;

  units = qoima_units_dialog_run_finish (result, &local_error);
  if (units <= 0 || self->context == NULL)
    return;
  {
    /* The data travels on to the store's answer; its GTIN is read before it goes. */
    UnitsData *owned = g_steal_pointer (&data);

    qoima_store_set_units_per_pack_async (store (self), qoima_context_get_user (self->context), owned->gtin, units,
                                          NULL, units_saved_cb, owned);
  }
}

static void
ask_units (QoimaMovePage *self,
           QoimaProduct  *product)
{
  const char *gtin = qoima_product_get_gtin (product);
  UnitsData *data;

  if (qoima_product_get_units_per_pack (product) > 0 || g_hash_table_contains (self->asked_units, gtin))
    return;
  g_hash_table_add (self->asked_units, g_strdup (gtin));

  data = g_new0 (UnitsData, 1);
  data->self = g_object_ref (self);
  data->gtin = g_strdup (gtin);
  qoima_units_dialog_run_async (parent_window (self), qoima_product_get_name_ru (product), gtin,
                                self->cancellable, units_answered_cb, data);
}

/* Scans. */

typedef struct {
  QoimaMovePage *self;
  char          *code;
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
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ScanData) data = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GListModel) packs = NULL;
  g_autofree char *listed = NULL;
  QoimaMovePage *self = data->self;
  guint n;

  packs = qoima_store_check_transfer_code_finish (QOIMA_STORE (object), result, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (packs == NULL)
    {
      show_scan (self, local_error->message, NULL);
      return;
    }

  /* A box is refused whole when any of its packs is listed already. */
  n = g_list_model_get_n_items (packs);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(QoimaPack) pack = g_list_model_get_item (packs, i);

      if (is_listed (self, qoima_pack_get_ki (pack)))
        {
          g_autofree char *message = g_strdup_printf (_("The pack %s is listed already: it was scanned twice."),
                                                      qoima_pack_get_ki (pack));

          show_scan (self, message, NULL);
          return;
        }
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(QoimaPack) pack = g_list_model_get_item (packs, i);

      g_list_store_append (self->packs, pack);
    }
  update_actions (self);

  {
    g_autoptr(QoimaPack) first = g_list_model_get_item (packs, 0);

    listed = n == 1
      ? g_strdup_printf (_("Listed: %s"), qoima_product_get_name_ru (qoima_pack_get_product (first)))
      : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Listed: a box of %u pack", "Listed: a box of %u packs", n), n);
    show_scan (self, NULL, listed);
    ask_units (self, qoima_pack_get_product (first));
  }
}

/* Moving. */

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(QoimaMovePage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaTransfer) transfer = NULL;
  g_autofree char *text = NULL;

  transfer = qoima_store_load_transfer_finish (QOIMA_STORE (object), result, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->busy = FALSE;
  if (transfer == NULL)
    {
      toast (self, local_error->message);
      update_actions (self);
      return;
    }

  g_set_object (&self->transfer, transfer);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Transfer note %s: %d pack moved to %s.",
                                       "Transfer note %s: %d packs moved to %s.",
                                       qoima_transfer_get_n_packs (transfer)),
                          qoima_transfer_get_number (transfer), qoima_transfer_get_n_packs (transfer),
                          qoima_transfer_get_to (transfer));
  /* Shown once, on the page beside its Print button, not also as a toast. */
  gtk_label_set_text (self->document_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->document_label), TRUE);
  update_actions (self);
  g_signal_emit (self, signals[SIGNAL_MOVED], 0);
}

static void
moved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(QoimaMovePage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *number = NULL;
  int moved;

  moved = qoima_store_transfer_packs_finish (QOIMA_STORE (object), result, &number, &local_error);

  /* The move is recorded even when the page was closed meanwhile: nothing is left to show. */
  if (self->context == NULL)
    return;
  if (moved < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->busy = FALSE;
      show_scan (self, local_error->message, NULL);
      update_actions (self);
      return;
    }

  g_list_store_remove_all (self->packs);
  gtk_label_set_text (self->scan_label, _("Scan a pack or a box."));
  gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), "success");
  qoima_store_load_transfer_async (QOIMA_STORE (object), number, self->cancellable, loaded_cb,
                                   g_object_ref (self));
}

static void
move (QoimaMovePage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->packs));
  g_autoptr(GPtrArray) kis = g_ptr_array_new_full (n + 1, NULL);

  if (self->context == NULL || self->busy || n == 0)
    return;

  /* The model holds the packs, so their codes stay alive while the array is built. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(QoimaPack) pack = g_list_model_get_item (G_LIST_MODEL (self->packs), i);

      g_ptr_array_add (kis, (gpointer) qoima_pack_get_ki (pack));
    }
  g_ptr_array_add (kis, NULL);

  self->busy = TRUE;
  update_actions (self);
  qoima_store_transfer_packs_async (store (self), qoima_context_get_user (self->context),
                                    (const char * const *) kis->pdata, qoima_move_page_get_ward (self),
                                    NULL, moved_cb, g_object_ref (self));
}

static void
print_done_cb (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               QoimaMovePage           *self)
{
  g_autoptr(GError) local_error = NULL;

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (operation, &local_error);
      toast (self, local_error->message);
    }
  g_object_unref (operation);
}

static void
print (QoimaMovePage *self)
{
  GtkPrintOperation *operation;
  g_autoptr(GError) local_error = NULL;

  if (self->transfer == NULL)
    return;

  operation = qoima_transfer_print_operation_new (self->transfer, qoima_move_page_get_organization (self));
  gtk_print_operation_set_allow_async (operation, TRUE);
  g_signal_connect_object (operation, "done", G_CALLBACK (print_done_cb), self, 0);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, parent_window (self),
                               &local_error) == GTK_PRINT_OPERATION_RESULT_ERROR)
    toast (self, local_error->message);
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  move (QOIMA_MOVE_PAGE (widget));
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  print (QOIMA_MOVE_PAGE (widget));
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  qoima_move_page_remove (QOIMA_MOVE_PAGE (widget), g_variant_get_string (parameter, NULL));
}

/* Wards and the organization. */

static void ward_selected_cb (QoimaMovePage *self);

/* The drop-down only once there is a ward to choose: empty, it would read "(None)". */
static void
show_wards (QoimaMovePage *self)
{
  gboolean any = g_list_model_get_n_items (G_LIST_MODEL (self->wards)) > 0;

  gtk_widget_set_visible (GTK_WIDGET (self->ward_dropdown), any);
  adw_action_row_set_subtitle (self->ward_row, any ? "" : _("No ward yet: an administrator adds the wards."));
}

static gboolean
same_wards (GListModel *shown,
            GPtrArray  *wards)
{
  if (g_list_model_get_n_items (shown) != wards->len)
    return FALSE;
  for (guint i = 0; i < wards->len; i++)
    {
      g_autoptr(QoimaLocation) ward = g_list_model_get_item (shown, i);
      QoimaLocation *fresh = g_ptr_array_index (wards, i);

      if (qoima_location_get_id (ward) != qoima_location_get_id (fresh) ||
          g_strcmp0 (qoima_location_get_name (ward), qoima_location_get_name (fresh)) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
locations_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(QoimaMovePage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(GPtrArray) wards = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 chosen = qoima_move_page_get_ward (self);

  locations = qoima_store_list_locations_finish (QOIMA_STORE (object), result, &local_error);
  if (locations == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      return;
    }

  for (guint i = 0; i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);

      if (qoima_location_get_kind (location) == QOIMA_LOCATION_KIND_WARD)
        g_ptr_array_add (wards, g_steal_pointer (&location));
    }
  /* The page reloads its wards whenever it is shown: the same wards are left alone. */
  if (same_wards (G_LIST_MODEL (self->wards), wards))
    return;

  /* The ward chosen stays chosen, and the packs listed for it stay listed. */
  self->reloading_wards = TRUE;
  g_list_store_splice (self->wards, 0, g_list_model_get_n_items (G_LIST_MODEL (self->wards)),
                       wards->pdata, wards->len);
  if (chosen == 0 || !qoima_move_page_set_ward (self, chosen))
    gtk_drop_down_set_selected (self->ward_dropdown,
                                g_list_model_get_n_items (G_LIST_MODEL (self->wards)) > 0 ? 0 : GTK_INVALID_LIST_POSITION);
  self->reloading_wards = FALSE;
  show_wards (self);
  if (qoima_move_page_get_ward (self) != chosen)
    ward_selected_cb (self);
  update_actions (self);
}

static void
organization_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(QoimaMovePage) self = user_data;
  g_autoptr(GError) local_error = NULL;

  g_free (self->organization);
  self->organization = qoima_store_get_setting_finish (QOIMA_STORE (object), result, &local_error);
}

static void
ward_selected_cb (QoimaMovePage *self)
{
  if (self->reloading_wards)
    return;

  /* Packs were checked against the ward chosen then; another ward checks them anew. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->packs)) > 0)
    {
      g_list_store_remove_all (self->packs);
      gtk_label_set_text (self->scan_label, _("Another ward: scan the packs for it again."));
    }
  update_actions (self);
}

static void
qoima_move_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (qoima_move_page_parent_class)->map (widget);

  /* Wards may have been added since (by the administrator, or by the demo data a first
   * start fills in after the window is made). */
  qoima_move_page_reload (QOIMA_MOVE_PAGE (widget));
}

static void
qoima_move_page_dispose (GObject *object)
{
  QoimaMovePage *self = QOIMA_MOVE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  g_clear_object (&self->transfer);
  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_MOVE_PAGE);

  G_OBJECT_CLASS (qoima_move_page_parent_class)->dispose (object);
}

static void
qoima_move_page_finalize (GObject *object)
{
  QoimaMovePage *self = QOIMA_MOVE_PAGE (object);

  g_clear_object (&self->wards);
  g_clear_object (&self->packs);
  g_clear_pointer (&self->asked_units, g_hash_table_unref);
  g_free (self->scan_message);
  g_free (self->organization);

  G_OBJECT_CLASS (qoima_move_page_parent_class)->finalize (object);
}

static void
qoima_move_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  QoimaMovePage *self = QOIMA_MOVE_PAGE (object);

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
qoima_move_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  QoimaMovePage *self = QOIMA_MOVE_PAGE (object);

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
qoima_move_page_class_init (QoimaMovePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_move_page_dispose;
  object_class->finalize = qoima_move_page_finalize;
  object_class->get_property = qoima_move_page_get_property;
  object_class->set_property = qoima_move_page_set_property;

  widget_class->map = qoima_move_page_map;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SCAN_HANDLED] =
    g_signal_new ("scan-handled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MOVED] =
    g_signal_new ("moved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_UNITS_SAVED] =
    g_signal_new ("units-saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/kz/qoima/Qoima/ui/pages/qoima-move-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaMovePage, document_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaMovePage, list_box);
  gtk_widget_class_bind_template_child (widget_class, QoimaMovePage, scan_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaMovePage, ward_dropdown);
  gtk_widget_class_bind_template_child (widget_class, QoimaMovePage, ward_row);
  gtk_widget_class_bind_template_callback (widget_class, ward_selected_cb);

  gtk_widget_class_install_action (widget_class, "move.move", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "move.print", NULL, print_action);
  gtk_widget_class_install_action (widget_class, "move.remove", "s", remove_action);
}

static void
qoima_move_page_init (QoimaMovePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->wards = g_list_store_new (QOIMA_TYPE_LOCATION);
  self->packs = g_list_store_new (QOIMA_TYPE_PACK);
  self->asked_units = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  gtk_drop_down_set_expression (self->ward_dropdown,
                                gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                             G_CALLBACK (location_name), NULL, NULL));
  gtk_drop_down_set_model (self->ward_dropdown, G_LIST_MODEL (self->wards));
  show_wards (self);
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->packs), create_pack_row, self, NULL);
  update_actions (self);
}

void
qoima_move_page_start (QoimaMovePage *self)
{
  g_return_if_fail (QOIMA_IS_MOVE_PAGE (self));
  g_return_if_fail (self->context != NULL);

  if (self->started)
    return;

  self->started = TRUE;
  qoima_move_page_reload (self);
}

void
qoima_move_page_reload (QoimaMovePage *self)
{
  g_return_if_fail (QOIMA_IS_MOVE_PAGE (self));

  if (self->context == NULL)
    return;
  qoima_store_list_locations_async (store (self), self->cancellable, locations_cb, g_object_ref (self));
  qoima_store_get_setting_async (store (self), QOIMA_SETTING_ORGANIZATION, self->cancellable,
                                 organization_cb, g_object_ref (self));
}

gboolean
qoima_move_page_set_ward (QoimaMovePage *self,
                          gint64         ward_id)
{
  g_return_val_if_fail (QOIMA_IS_MOVE_PAGE (self), FALSE);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->wards)); i++)
    {
      g_autoptr(QoimaLocation) ward = g_list_model_get_item (G_LIST_MODEL (self->wards), i);

      if (qoima_location_get_id (ward) == ward_id)
        {
          gtk_drop_down_set_selected (self->ward_dropdown, i);
          return TRUE;
        }
    }
  return FALSE;
}

gint64
qoima_move_page_get_ward (QoimaMovePage *self)
{
  QoimaLocation *ward;

  g_return_val_if_fail (QOIMA_IS_MOVE_PAGE (self), 0);

  ward = gtk_drop_down_get_selected_item (self->ward_dropdown);
  return ward != NULL ? qoima_location_get_id (ward) : 0;
}

gboolean
qoima_move_page_take_scan (QoimaMovePage *self,
                           const char    *text)
{
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(GError) local_error = NULL;
  ScanData *data;

  g_return_val_if_fail (QOIMA_IS_MOVE_PAGE (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (self->context == NULL)
    return FALSE;

  code = qoima_gs1_parse (text, NULL, &local_error);
  if (code == NULL)
    {
      g_autofree char *message = NULL;

      /* The parser's own message may already say that this is no marking code: not twice. */
      if (g_error_matches (local_error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_NOT_GS1))
        message = g_strdup (local_error->message);
      else
        message = g_strdup_printf (_("Not a marking code: %s"), local_error->message);

      show_scan (self, message, NULL);
      return TRUE;
    }
  if (qoima_move_page_get_ward (self) == 0)
    {
      show_scan (self, _("Choose the ward first."), NULL);
      return TRUE;
    }
  if (code->kind == QOIMA_CODE_KIND_PACK && is_listed (self, code->ki))
    {
      g_autofree char *message = g_strdup_printf (_("The pack %s is listed already: it was scanned twice."), code->ki);

      show_scan (self, message, NULL);
      return TRUE;
    }

  data = g_new0 (ScanData, 1);
  data->self = g_object_ref (self);
  /* A box is known by its SSCC with the AI in front, as the acts keep it. */
  if (code->kind == QOIMA_CODE_KIND_BOX && code->sscc != NULL)
    data->code = g_strconcat ("00", code->sscc, NULL);
  else
    data->code = g_strdup (code->ki);
  qoima_store_check_transfer_code_async (store (self), data->code, qoima_move_page_get_ward (self),
                                         self->cancellable, checked_cb, data);
  return TRUE;
}

GListModel *
qoima_move_page_get_packs (QoimaMovePage *self)
{
  g_return_val_if_fail (QOIMA_IS_MOVE_PAGE (self), NULL);
  return G_LIST_MODEL (self->packs);
}

void
qoima_move_page_remove (QoimaMovePage *self,
                        const char    *ki)
{
  g_return_if_fail (QOIMA_IS_MOVE_PAGE (self));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->packs)); i++)
    {
      g_autoptr(QoimaPack) pack = g_list_model_get_item (G_LIST_MODEL (self->packs), i);

      if (g_strcmp0 (qoima_pack_get_ki (pack), ki) == 0)
        {
          g_autofree char *message = g_strdup_printf (_("Taken off the list: %s"),
                                                      qoima_product_get_name_ru (qoima_pack_get_product (pack)));

          g_list_store_remove (self->packs, i);
          gtk_label_set_text (self->scan_label, message);
          gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), "success");
          gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), "error");
          break;
        }
    }
  update_actions (self);
}

const char *
qoima_move_page_get_scan_message (QoimaMovePage *self)
{
  g_return_val_if_fail (QOIMA_IS_MOVE_PAGE (self), NULL);
  return self->scan_message;
}

QoimaTransfer *
qoima_move_page_get_transfer (QoimaMovePage *self)
{
  g_return_val_if_fail (QOIMA_IS_MOVE_PAGE (self), NULL);
  return self->transfer;
}

const char *
qoima_move_page_get_organization (QoimaMovePage *self)
{
  QoimaSigner *keys[2] = { NULL, NULL };

  g_return_val_if_fail (QOIMA_IS_MOVE_PAGE (self), NULL);

  if (self->organization != NULL && self->organization[0] != '\0')
    return self->organization;

  /* No name stored: the organization a key opened in this session was issued to. */
  if (self->context != NULL)
    {
      keys[0] = qoima_context_get_signer (self->context);
      keys[1] = qoima_context_get_auth_signer (self->context);
    }
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      QoimaCertificate *certificate = keys[i] != NULL ? qoima_signer_get_certificate (keys[i]) : NULL;
      const char *organization = certificate != NULL ? qoima_certificate_get_organization (certificate) : NULL;

      if (organization != NULL && organization[0] != '\0')
        return organization;
    }
  return NULL;
}
