/* qoima-withdrawals-page.c: the Withdrawals page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-withdrawals-page"

#include "config.h"

#include "qoima-withdrawals-page.h"

#include "qoima-gs1.h"
#include "qoima-json.h"
#include "qoima-key-dialog.h"
#include "qoima-store-ledger.h"
#include "qoima-store-outbox.h"
#include "qoima-sign-dialog.h"
#include "qoima-sync.h"
#include "qoima-user.h"
#include "qoima-withdrawal-document-row.h"
#include "qoima-withdrawal-row.h"

#include <glib/gi18n.h>

struct _QoimaWithdrawalsPage
{
  AdwBin parent_instance;

  /* Template children */
  GtkListBox *documents_list;
  GtkLabel *error_label;
  GtkListBox *owed_list;
  GtkButton *sign_button;
  GtkSpinner *spinner;
  GtkButton *write_off_button;

  /* Owned references */
  QoimaContext *context;
  GCancellable *cancellable;
  GCancellable *reload_cancellable; /* the list being loaded; a newer load supersedes it */
  GHashTable *statuses; /* ki → status */
  GHashTable *rows;     /* ki → QoimaWithdrawalRow (borrowed from the list) */
  GHashTable *unticked; /* ki: packs the user left out of the next signing */
  char *error;

  /* State */
  gboolean busy;
  gboolean started;
  gboolean stale; /* the warehouse changed while the page was hidden or busy */
};

G_DEFINE_FINAL_TYPE (QoimaWithdrawalsPage, qoima_withdrawals_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static GtkWindow *
parent_window (QoimaWithdrawalsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static gboolean
user_may (QoimaWithdrawalsPage *self,
          QoimaPermission       permission)
{
  QoimaUser *user = self->context ? qoima_context_get_user (self->context) : NULL;

  /* qoima_user_check() knows a clerk's delegation to sign. */
  return qoima_user_check (user, permission, NULL);
}

/* Only what the signed-in user may do is offered; the core refuses the rest anyway. */
static void
update_actions (QoimaWithdrawalsPage *self)
{
  gboolean any_checked = FALSE;
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    any_checked |= qoima_withdrawal_row_get_selected (row);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "withdrawals.sign",
                                 !self->busy && any_checked && user_may (self, QOIMA_PERMISSION_SIGN));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "withdrawals.write-off",
                                 !self->busy && user_may (self, QOIMA_PERMISSION_WRITE_OFF));
  gtk_widget_set_visible (GTK_WIDGET (self->sign_button), user_may (self, QOIMA_PERMISSION_SIGN));
  gtk_widget_set_visible (GTK_WIDGET (self->write_off_button), user_may (self, QOIMA_PERMISSION_WRITE_OFF));
}

static gboolean
reload_if_stale (gpointer data)
{
  QoimaWithdrawalsPage *self = data;

  if (self->stale && !self->busy && self->context != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = FALSE;
      qoima_withdrawals_page_reload (self);
    }
  return G_SOURCE_REMOVE;
}

static void
set_busy (QoimaWithdrawalsPage *self,
          gboolean              busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  update_actions (self);
  /* What changed meanwhile (ИС МПТ's answer to what she just signed, another workstation's
   * use) is shown once the page is free again, after the caller has finished its update. */
  if (!busy && self->stale)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, reload_if_stale, g_object_ref (self), g_object_unref);
}

static void
show_error (QoimaWithdrawalsPage *self,
            const GError         *error)
{
  g_clear_pointer (&self->error, g_free);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->error = g_strdup (error->message);
  gtk_label_set_text (self->error_label, self->error ? self->error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), self->error != NULL);
}

/* The rows only: the list's first child may be its placeholder, which must stay. */
static void
clear_list (GtkListBox *list)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

/* A pack the user unticked stays unticked when the list is loaded again. */
static void
row_selected_cb (QoimaWithdrawalsPage *self,
                 GParamSpec           *pspec,
                 QoimaWithdrawalRow   *row)
{
  const char *ki = qoima_withdrawal_row_get_ki (row);

  if (qoima_withdrawal_row_get_selected (row))
    g_hash_table_remove (self->unticked, ki);
  else
    g_hash_table_add (self->unticked, g_strdup (ki));
  update_actions (self);
}

static void
add_owed_row (QoimaWithdrawalsPage *self,
              JsonObject           *item)
{
  QoimaWithdrawalRow *row = QOIMA_WITHDRAWAL_ROW (qoima_withdrawal_row_new (item));
  const char *ki = qoima_withdrawal_row_get_ki (row);

  qoima_withdrawal_row_set_selected (row, !g_hash_table_contains (self->unticked, ki));
  qoima_withdrawal_row_set_selectable (row, user_may (self, QOIMA_PERMISSION_SIGN));
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (row_selected_cb), self, G_CONNECT_SWAPPED);
  g_hash_table_insert (self->rows, g_strdup (ki), row);
  gtk_list_box_append (self->owed_list, GTK_WIDGET (row));
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(QoimaWithdrawalsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GHashTable) documents = NULL;
  g_autoptr(GPtrArray) order = NULL;
  JsonArray *array;

  list = qoima_store_list_withdrawals_finish (QOIMA_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (list == NULL)
    {
      show_error (self, error);
      return;
    }

  clear_list (self->owed_list);
  clear_list (self->documents_list);
  g_hash_table_remove_all (self->rows);
  g_hash_table_remove_all (self->statuses);
  documents = g_hash_table_new (g_str_hash, g_str_equal);
  order = g_ptr_array_new ();
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *item = qoima_json_array_get_object (array, i);
      const char *document = qoima_json_get_string (item, "document");
      const char *status = qoima_json_get_string (item, "status");

      g_hash_table_insert (self->statuses, g_strdup (qoima_json_get_string (item, "pack")), g_strdup (status));
      if (document == NULL)
        {
          add_owed_row (self, item);
          /* The refused document keeps its row, so that its reason stays in sight. */
          document = qoima_json_get_string (item, "refused_document");
          if (document == NULL)
            continue;
          if (!g_hash_table_contains (documents, document))
            g_ptr_array_add (order, item);
          g_hash_table_insert (documents, (gpointer) document,
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (documents, document)) + 1));
        }
      else
        {
          /* One row per document, in the order first seen; packs counted. */
          if (!g_hash_table_contains (documents, document))
            g_ptr_array_add (order, item);
          g_hash_table_insert (documents, (gpointer) document,
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (documents, document)) + 1));
        }
    }
  for (guint i = order->len; i > 0; i--)
    {
      JsonObject *item = g_ptr_array_index (order, i - 1);
      const char *document = qoima_json_get_string (item, "document");
      guint n_packs;

      if (document == NULL)
        document = qoima_json_get_string (item, "refused_document");
      n_packs = GPOINTER_TO_UINT (g_hash_table_lookup (documents, document));
      gtk_list_box_append (self->documents_list, qoima_withdrawal_document_row_new (item, n_packs));
    }
  update_actions (self);
}

void
qoima_withdrawals_page_reload (QoimaWithdrawalsPage *self)
{
  g_return_if_fail (QOIMA_IS_WITHDRAWALS_PAGE (self));

  if (self->context == NULL || !self->started)
    return;
  /* Two lists arriving out of order would rebuild the rows twice, the older last. */
  g_cancellable_cancel (self->reload_cancellable);
  g_clear_object (&self->reload_cancellable);
  self->reload_cancellable = g_cancellable_new ();

  set_busy (self, TRUE);
  qoima_store_list_withdrawals_async (qoima_context_get_store (self->context), self->reload_cancellable,
                                      listed_cb, g_object_ref (self));
}

/* Signing */

static void
pushed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(QoimaWithdrawalsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if ((!qoima_sync_push_finish (QOIMA_SYNC (source), result, &error) &&
       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) || self->context == NULL)
    return;
  show_error (self, error);
  qoima_withdrawals_page_reload (self);
}

static void
withdrawn_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(QoimaWithdrawalsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  int queued;

  queued = qoima_sync_withdraw_finish (QOIMA_SYNC (source), result, &error);
  /* Signed into the outbox even when the page closed meanwhile: the next sync sends it. */
  if (self->context == NULL)
    return;
  if (queued < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_error (self, error);
      qoima_withdrawals_page_reload (self);
      return;
    }
  /* Signed and queued: sent now, or at the next sync when ИС МПТ cannot be reached. */
  qoima_sync_push_async (QOIMA_SYNC (source), self->cancellable, pushed_cb, g_object_ref (self));
}

static void
sign_with (QoimaWithdrawalsPage *self,
           QoimaSigner          *signer)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kis = NULL;
  GHashTableIter iter;
  gpointer ki, row;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &ki, &row))
    if (qoima_withdrawal_row_get_selected (row))
      g_strv_builder_add (builder, ki);
  kis = g_strv_builder_end (builder);
  set_busy (self, TRUE);
  qoima_sync_withdraw_async (qoima_context_get_sync (self->context), signer, qoima_context_get_user (self->context),
                             (const char * const *) kis, NULL, withdrawn_cb, g_object_ref (self));
}

static void
summary_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(QoimaWithdrawalsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Cancelled: nothing is signed. */
  if (!qoima_sign_dialog_run_finish (result, &error))
    {
      set_busy (self, FALSE);
      return;
    }
  sign_with (self, qoima_context_get_signer (self->context));
}

/* Before any signature: how many packs, for which reasons, with whose key (issue 8). */
static void
confirm_signing (QoimaWithdrawalsPage *self)
{
  QoimaSigner *signer = qoima_context_get_signer (self->context);
  QoimaCertificate *certificate = signer != NULL ? qoima_signer_get_certificate (signer) : NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  g_autoptr(GError) error = NULL;
  unsigned per_reason[QOIMA_N_WITHDRAWAL_REASONS] = { 0 };
  GHashTableIter iter;
  gpointer row;
  int n_packs = 0;

  if (certificate == NULL ||
      !qoima_user_check_signer (qoima_context_get_user (self->context), certificate, NULL, &error))
    {
      /* Not the signer's key: forgotten, so that the next try asks for hers. */
      if (g_error_matches (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER))
        qoima_context_set_signer (self->context, NULL);
      show_error (self, error);
      set_busy (self, FALSE);
      return;
    }

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    if (qoima_withdrawal_row_get_selected (row))
      {
        unsigned reason = qoima_withdrawal_row_get_reason (row);

        if (reason < QOIMA_N_WITHDRAWAL_REASONS)
          per_reason[reason]++;
        n_packs++;
      }
  for (unsigned reason = 0; reason < QOIMA_N_WITHDRAWAL_REASONS; reason++)
    if (per_reason[reason] > 0)
      {
        g_ptr_array_add (items, g_strdup (qoima_withdrawal_reason_to_label (reason)));
        g_ptr_array_add (items, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pack, in one document",
                                                              "%u packs, in one document", per_reason[reason]),
                                                 per_reason[reason]));
      }

  qoima_sign_dialog_run_async (parent_window (self),
                               _("Withdrawal from circulation (LK_RECEIPT), one document per reason"),
                               (const char * const *) items->pdata, n_packs, certificate, self->cancellable,
                               summary_cb, g_object_ref (self));
}

static void
key_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(QoimaWithdrawalsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaSigner) signer = NULL;

  signer = qoima_key_dialog_run_finish (result, &error);
  if (signer == NULL)
    {
      show_error (self, error);
      set_busy (self, FALSE);
      return;
    }
  qoima_context_set_signer (self->context, signer);
  confirm_signing (self);
}

static void
ask_signing_key (QoimaWithdrawalsPage *self)
{
  if (qoima_context_get_signer (self->context) != NULL)
    confirm_signing (self);
  else
    qoima_key_dialog_run_to_sign_async (parent_window (self), qoima_context_get_settings (self->context),
                                        _("Sign the Withdrawals"), self->cancellable, key_cb, g_object_ref (self));
}

static void
auth_key_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QoimaWithdrawalsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaSigner) signer = NULL;

  signer = qoima_key_dialog_run_finish (result, &error);
  if (signer == NULL)
    {
      g_autoptr(GError) why = g_error_new_literal (QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED,
                                                  _("Withdrawals are sent to ИС МПТ, which needs the organization’s AUTH key to log in."));

      show_error (self, why);
      set_busy (self, FALSE);
      return;
    }
  qoima_context_set_auth_signer (self->context, signer);
  ask_signing_key (self);
}

static void
sign_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaWithdrawalsPage *self = QOIMA_WITHDRAWALS_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->context == NULL || qoima_context_get_sync (self->context) == NULL || self->busy)
    return;
  show_error (self, NULL);
  if (!qoima_user_check (qoima_context_get_user (self->context), QOIMA_PERMISSION_SIGN, &error))
    {
      show_error (self, error);
      return;
    }
  set_busy (self, TRUE);
  /* What is signed goes to ИС МПТ: the AUTH key is asked for here, in context, when the
   * session has none yet; then the signing key, then the summary. */
  if (qoima_context_get_auth_signer (self->context) == NULL)
    qoima_key_dialog_run_async (parent_window (self), qoima_context_get_settings (self->context),
                                QOIMA_KEY_PURPOSE_AUTH, self->cancellable, auth_key_cb, g_object_ref (self));
  else
    ask_signing_key (self);
}

/* Write-offs */

static void
written_off_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QoimaWithdrawalsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  int recorded;

  recorded = qoima_store_write_off_finish (QOIMA_STORE (source), result, &error);
  /* Recorded even when the page closed meanwhile; then nothing is left to show. */
  if (self->context == NULL)
    return;
  if (recorded < 0)
    show_error (self, error);
  qoima_withdrawals_page_reload (self);
}

/* The write-off dialog's parts: the code's entry first, then a check button per reason. */
static GtkEditable *
write_off_entry (AdwMessageDialog *dialog)
{
  return GTK_EDITABLE (gtk_widget_get_first_child (adw_message_dialog_get_extra_child (dialog)));
}

/* The reason ticked, or 0 (QOIMA_WITHDRAWAL_MEDICAL_USE, never offered) while none is. */
static QoimaWithdrawalReason
write_off_reason (AdwMessageDialog *dialog)
{
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (adw_message_dialog_get_extra_child (dialog));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_CHECK_BUTTON (child) && gtk_check_button_get_active (GTK_CHECK_BUTTON (child)))
      return (QoimaWithdrawalReason) GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (child), "reason"));
  return QOIMA_WITHDRAWAL_MEDICAL_USE;
}

/* A write-off needs a code and a reason the user chose: there is no default reason. */
static void
update_write_off_response (AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (write_off_entry (dialog))));

  adw_message_dialog_set_response_enabled (dialog, "write-off",
                                           text[0] != '\0' &&
                                           write_off_reason (dialog) != QOIMA_WITHDRAWAL_MEDICAL_USE);
}

static void
write_off_response_cb (AdwMessageDialog     *dialog,
                       const char           *response,
                       QoimaWithdrawalsPage *self)
{
  QoimaWithdrawalReason reason = write_off_reason (dialog);
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autofree char *text = NULL;
  const char *kis[2] = { NULL, NULL };

  if (!g_str_equal (response, "write-off") || reason == QOIMA_WITHDRAWAL_MEDICAL_USE)
    return;
  text = g_strstrip (g_strdup (gtk_editable_get_text (write_off_entry (dialog))));
  /* A scanned marking code or a typed identification code. */
  code = qoima_gs1_parse (text, NULL, NULL);
  kis[0] = code != NULL && code->kind == QOIMA_CODE_KIND_PACK ? code->ki : text;
  set_busy (self, TRUE);
  qoima_store_write_off_async (qoima_context_get_store (self->context), qoima_context_get_user (self->context),
                               kis, reason, NULL, written_off_cb, g_object_ref (self));
}

static void
write_off_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  QoimaWithdrawalsPage *self = QOIMA_WITHDRAWALS_PAGE (widget);
  GtkWidget *dialog;
  GtkWidget *box;
  GtkWidget *entry;
  GtkWidget *heading;
  GtkCheckButton *group = NULL;

  if (self->context == NULL)
    return;

  dialog = adw_message_dialog_new (parent_window (self), _("Write Off a Pack"),
                                   _("Scan the pack or enter its code, and choose why it leaves circulation. "
                                     "The chief signs the write-off."));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Marking code"));
  gtk_box_append (GTK_BOX (box), entry);
  heading = gtk_label_new (_("Reason"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0.0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_set_margin_top (heading, 6);
  gtk_box_append (GTK_BOX (box), heading);
  /* None ticked: the chief says why, the dialog does not guess. */
  for (unsigned i = QOIMA_WITHDRAWAL_EXPIRED; i < QOIMA_N_WITHDRAWAL_REASONS; i++)
    {
      GtkWidget *check = gtk_check_button_new_with_label (qoima_withdrawal_reason_to_label (i));

      g_object_set_data (G_OBJECT (check), "reason", GUINT_TO_POINTER (i));
      if (group != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
      else
        group = GTK_CHECK_BUTTON (check);
      g_signal_connect_object (check, "toggled", G_CALLBACK (update_write_off_response), dialog, G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (box), check);
    }
  g_signal_connect_object (entry, "changed", G_CALLBACK (update_write_off_response), dialog, G_CONNECT_SWAPPED);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "write-off", _("_Write Off"),
                                    NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "write-off", FALSE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "write-off",
                                              ADW_RESPONSE_DESTRUCTIVE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (write_off_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  qoima_withdrawals_page_reload (QOIMA_WITHDRAWALS_PAGE (widget));
}

static void
user_changed_cb (QoimaWithdrawalsPage *self)
{
  qoima_withdrawals_page_reload (self);
}

/* A section's empty state: an icon, what is empty, and what will appear there. */
static GtkWidget *
placeholder (const char *icon_name,
             const char *title,
             const char *description)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *text = gtk_label_new (description);

  gtk_image_set_pixel_size (GTK_IMAGE (icon), 32);
  gtk_widget_add_css_class (icon, "dim-label");
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_justify (GTK_LABEL (text), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (text, "dim-label");
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), text);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  return box;
}

static void
qoima_withdrawals_page_dispose (GObject *object)
{
  QoimaWithdrawalsPage *self = (QoimaWithdrawalsPage *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->reload_cancellable);
  g_clear_object (&self->reload_cancellable);
  g_clear_object (&self->context);
  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_WITHDRAWALS_PAGE);

  G_OBJECT_CLASS (qoima_withdrawals_page_parent_class)->dispose (object);
}

static void
qoima_withdrawals_page_finalize (GObject *object)
{
  QoimaWithdrawalsPage *self = (QoimaWithdrawalsPage *) object;

  g_clear_pointer (&self->statuses, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->unticked, g_hash_table_unref);
  g_free (self->error);

  G_OBJECT_CLASS (qoima_withdrawals_page_parent_class)->finalize (object);
}

static void
qoima_withdrawals_page_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  QoimaWithdrawalsPage *self = QOIMA_WITHDRAWALS_PAGE (object);

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
qoima_withdrawals_page_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  QoimaWithdrawalsPage *self = QOIMA_WITHDRAWALS_PAGE (object);

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
qoima_withdrawals_page_class_init (QoimaWithdrawalsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_withdrawals_page_dispose;
  object_class->finalize = qoima_withdrawals_page_finalize;
  object_class->get_property = qoima_withdrawals_page_get_property;
  object_class->set_property = qoima_withdrawals_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/pages/qoima-withdrawals-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaWithdrawalsPage, documents_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaWithdrawalsPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaWithdrawalsPage, owed_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaWithdrawalsPage, sign_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaWithdrawalsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, QoimaWithdrawalsPage, write_off_button);

  gtk_widget_class_install_action (widget_class, "withdrawals.sign", NULL, sign_action);
  gtk_widget_class_install_action (widget_class, "withdrawals.write-off", NULL, write_off_action);
  gtk_widget_class_install_action (widget_class, "withdrawals.reload", NULL, reload_action);
}

static void
qoima_withdrawals_page_init (QoimaWithdrawalsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_set_placeholder (self->owed_list,
                                placeholder ("emblem-ok-symbolic", _("Nothing Is Owed"),
                                             _("Packs used up, expired or damaged are listed here until their "
                                               "withdrawal is signed.")));
  gtk_list_box_set_placeholder (self->documents_list,
                                placeholder ("folder-documents-symbolic", _("No Documents Yet"),
                                             _("Each signed withdrawal is listed here with what ИС МПТ answered.")));

  self->cancellable = g_cancellable_new ();
  self->statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->unticked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  update_actions (self);
}

/* A pack used up at another workstation is owed here without a manual reload; never under
 * a signing in progress, whose list is what the chief is signing. */
static void
store_changed_cb (QoimaWithdrawalsPage *self)
{
  self->stale = !gtk_widget_get_mapped (GTK_WIDGET (self)) || self->busy;
  if (!self->stale)
    qoima_withdrawals_page_reload (self);
}

static void
mapped_cb (QoimaWithdrawalsPage *self)
{
  if (self->stale && !self->busy)
    {
      self->stale = FALSE;
      qoima_withdrawals_page_reload (self);
    }
}

void
qoima_withdrawals_page_start (QoimaWithdrawalsPage *self)
{
  g_return_if_fail (QOIMA_IS_WITHDRAWALS_PAGE (self));
  g_return_if_fail (self->context != NULL);

  if (self->started)
    return;

  self->started = TRUE;
  g_signal_connect_object (self->context, "notify::user", G_CALLBACK (user_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (qoima_context_get_store (self->context), "changed",
                           G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (mapped_cb), NULL);
  qoima_withdrawals_page_reload (self);
}

gboolean
qoima_withdrawals_page_get_busy (QoimaWithdrawalsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_WITHDRAWALS_PAGE (self), FALSE);
  return self->busy;
}

guint
qoima_withdrawals_page_get_n_owed (QoimaWithdrawalsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_WITHDRAWALS_PAGE (self), 0);
  return g_hash_table_size (self->rows);
}

const char *
qoima_withdrawals_page_get_status (QoimaWithdrawalsPage *self,
                                   const char           *ki)
{
  g_return_val_if_fail (QOIMA_IS_WITHDRAWALS_PAGE (self), NULL);
  return g_hash_table_lookup (self->statuses, ki);
}

const char *
qoima_withdrawals_page_get_error (QoimaWithdrawalsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_WITHDRAWALS_PAGE (self), NULL);
  return self->error;
}
