/* qoima-acts-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-acts-page"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-acts-page.h"

#include "qoima-act-line.h"
#include "qoima-act-line-row.h"
#include "qoima-act-row.h"
#include "qoima-date.h"
#include "qoima-gs1.h"
#include "qoima-key-dialog.h"
#include "qoima-sign-dialog.h"
#include "qoima-store-acts.h"
#include "qoima-sync.h"

#include <stdio.h>

struct _QoimaActsPage
{
  AdwBin parent_instance;

  /* Template widgets */
  GtkWidget      *act_buttons;
  GtkWidget      *auth_box;
  GtkLabel       *act_deadline_label;
  GtkLabel       *act_errors_label;
  GtkLabel       *act_subtitle_label;
  GtkLabel       *act_title_label;
  GtkListBox     *lines_box;
  GtkListBox     *list_box;
  GtkStack       *list_stack;
  GtkLabel       *progress_label;
  GtkProgressBar *progress_bar;
  GtkWidget      *progress_box;
  GtkLabel       *scan_label;
  GtkStack       *stack;

  /* Owned references */
  QoimaContext   *context;
  GCancellable   *cancellable;
  GListStore     *acts;
  GListStore     *lines;
  QoimaAct       *act;
  GHashTable     *selected;   /* act id (gint64 *) → TRUE */
  char           *scan_message;
  GArray         *answered;   /* acts just answered, whose state is told after the sync */

  /* State */
  gulong          progress_handler;
  int             scan_outcome;
  guint           busy : 1;
  guint           started : 1;
  guint           stale : 1;   /* the warehouse changed while the page was hidden */
  guint           synced_once : 1;
  guint           tell_answered : 1;
};

G_DEFINE_FINAL_TYPE (QoimaActsPage, qoima_acts_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_CONTEXT,
  N_PROPS,
};

enum {
  SIGNAL_SCAN_HANDLED,
  SIGNAL_SYNCED,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* An answer to one or more acts, carried through the key dialog and the signing. */
typedef struct {
  QoimaActsPage   *self;
  GArray          *act_ids;
  guint            next;
  QoimaAcceptance  acceptance;
  int              failed;
} Answer;

static void
answer_free (Answer *answer)
{
  g_clear_object (&answer->self);
  g_array_unref (answer->act_ids);
  g_free (answer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static void run_sync (QoimaActsPage *self,
                      gboolean       interactive);
static void load_lines (QoimaActsPage *self);

static void
toast (QoimaActsPage *self,
       const char    *message)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.add-toast", "s", message);
}

static GtkWindow *
parent_window (QoimaActsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
set_busy (QoimaActsPage *self,
          gboolean       busy,
          const char    *message)
{
  if (message != NULL)
    gtk_label_set_text (self->progress_label, message);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_widget_set_visible (self->progress_box, busy);

  if (self->busy == !!busy)
    return;

  self->busy = !!busy;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "acts.sync", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "acts.accept-selected",
                                 !busy && g_hash_table_size (self->selected) > 0);
  gtk_widget_set_sensitive (self->act_buttons, !busy && self->act != NULL &&
                            qoima_act_get_status (self->act) == QOIMA_ACT_STATUS_WAITING);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* ISO dates, possibly with a time after them ("2024-07-01T09:00:00Z"), as the window
 * writes dates everywhere. */
static char *
format_iso_date (const char *iso)
{
  return qoima_format_iso_date (iso);
}

static void
act_row_selected_cb (QoimaActRow   *row,
                     GParamSpec    *pspec,
                     QoimaActsPage *self)
{
  gint64 id = qoima_act_get_id (qoima_act_row_get_item (row));

  if (qoima_act_row_get_selected (row))
    g_hash_table_add (self->selected, g_memdup2 (&id, sizeof id));
  else
    g_hash_table_remove (self->selected, &id);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "acts.accept-selected",
                                 !self->busy && g_hash_table_size (self->selected) > 0);
}

static void
act_row_activated_cb (QoimaActRow   *row,
                      QoimaActsPage *self)
{
  qoima_acts_page_open_act (self, qoima_act_get_id (qoima_act_row_get_item (row)));
}

static GtkWidget *
create_act_row (gpointer item,
                gpointer user_data)
{
  QoimaActsPage *self = user_data;
  gint64 id = qoima_act_get_id (item);
  GtkWidget *row = qoima_act_row_new (item);

  qoima_act_row_set_selected (QOIMA_ACT_ROW (row), g_hash_table_contains (self->selected, &id));
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (act_row_selected_cb), self, 0);
  g_signal_connect_object (row, "activated", G_CALLBACK (act_row_activated_cb), self, 0);
  return row;
}

static GtkWidget *
create_line_row (gpointer item,
                 gpointer user_data)
{
  QoimaActsPage *self = user_data;
  gboolean waiting = self->act == NULL || qoima_act_get_status (self->act) == QOIMA_ACT_STATUS_WAITING;

  return qoima_act_line_row_new (item, waiting);
}

/* The card above the lines: while the act waits, the last scan's outcome or what to do;
 * then, how far the act got. */
static void
show_progress (QoimaActsPage *self,
               QoimaAct      *act)
{
  static const char *classes[] = { "success", "warning", "error" };
  g_autofree char *text = NULL;
  const char *css = NULL;

  switch (qoima_act_get_status (act))
    {
    case QOIMA_ACT_STATUS_WAITING:
      text = g_strdup (_("Scan the packs or boxes of this act as they are unpacked."));
      break;
    case QOIMA_ACT_STATUS_SENDING:
      text = g_strdup (qoima_act_status_to_label (QOIMA_ACT_STATUS_SENDING));
      break;
    case QOIMA_ACT_STATUS_ACCEPTED:
      text = qoima_act_row_progress_text (act);
      css = "success";
      break;
    case QOIMA_ACT_STATUS_PARTIALLY_ACCEPTED:
      text = qoima_act_row_progress_text (act);
      css = "warning";
      break;
    case QOIMA_ACT_STATUS_REJECTED:
    default:
      text = qoima_act_row_progress_text (act);
      css = "error";
      break;
    }

  gtk_label_set_text (self->scan_label, text);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), classes[i]);
  if (css != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->scan_label), css);
}

static void
update_act_header (QoimaActsPage *self)
{
  QoimaAct *act = self->act;
  g_autofree char *title = NULL;
  g_autofree char *date = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *deadline = NULL;
  g_autofree char *status = NULL;
  g_autofree char *progress = NULL;
  const char *css = NULL;
  const char *errors;
  gboolean waiting;

  if (act == NULL)
    return;

  waiting = qoima_act_get_status (act) == QOIMA_ACT_STATUS_WAITING;
  date = format_iso_date (qoima_act_get_transfer_date (act));
  title = g_strdup_printf (_("Act %s"), qoima_act_get_number (act) != NULL ? qoima_act_get_number (act) : "—");
  if (waiting || qoima_act_get_status (act) == QOIMA_ACT_STATUS_SENDING)
    progress = qoima_act_row_progress_text (act);
  else
    progress = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d pack", "%d packs", qoima_act_get_packs (act)),
                                qoima_act_get_packs (act));
  /* Translators: the act's sender, its date, then how far it got ("3 of 24 packs scanned"). */
  subtitle = g_strdup_printf (_("From %s, transferred %s · %s"),
                              qoima_act_get_sender_name (act) != NULL ? qoima_act_get_sender_name (act)
                                                                      : qoima_act_get_sender_bin (act),
                              date, progress);
  gtk_label_set_text (self->act_title_label, title);
  gtk_label_set_text (self->act_subtitle_label, subtitle);

  deadline = qoima_act_row_deadline_text (act, &css);
  status = deadline != NULL ? g_strdup_printf ("%s · %s", qoima_act_get_state_label (act), deadline)
                            : g_strdup (qoima_act_get_state_label (act));
  gtk_label_set_text (self->act_deadline_label, status);
  gtk_widget_remove_css_class (GTK_WIDGET (self->act_deadline_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->act_deadline_label), "warning");
  if (css != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->act_deadline_label), css);

  /* ИС МПТ's refusal in its own words (CHECKED_NOT_OK, a refused signature), or why the
   * answer waits or is not recorded yet. */
  errors = qoima_act_get_state_reason (act);
  gtk_label_set_text (self->act_errors_label, errors != NULL ? errors : "");
  gtk_widget_set_visible (GTK_WIDGET (self->act_errors_label), errors != NULL && errors[0] != '\0');

  gtk_widget_set_sensitive (self->act_buttons, !self->busy && waiting);
  /* An answered act takes no more answers, and no more scans: what became of it replaces
   * the last scan's words. */
  gtk_widget_set_visible (self->act_buttons, waiting || qoima_act_get_status (act) == QOIMA_ACT_STATUS_SENDING);
  if (!waiting || self->scan_outcome < 0)
    show_progress (self, act);
}

static QoimaAct *
find_act (QoimaActsPage *self,
          gint64         act_id)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->acts)); i++)
    {
      g_autoptr(QoimaAct) act = g_list_model_get_item (G_LIST_MODEL (self->acts), i);

      if (qoima_act_get_id (act) == act_id)
        return act;
    }
  return NULL;
}

static void
list_acts_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(QoimaActsPage) self = user_data;
  g_autoptr(GListModel) acts = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  acts = qoima_store_list_acts_finish (QOIMA_STORE (object), result, &local_error);
  if (acts == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      return;
    }

  n = g_list_model_get_n_items (acts);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (acts, i));
  g_list_store_splice (self->acts, 0, g_list_model_get_n_items (G_LIST_MODEL (self->acts)),
                       items->pdata, items->len);
  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "acts" : "empty");

  /* The answers just signed, as they are now: accepted, being checked, waiting (and why),
   * refused (and why). */
  if (self->tell_answered && self->answered != NULL)
    {
      for (guint i = 0; i < self->answered->len; i++)
        {
          QoimaAct *act = find_act (self, g_array_index (self->answered, gint64, i));
          g_autofree char *state = NULL;
          g_autofree char *message = NULL;

          if (act == NULL)
            continue;
          state = qoima_act_describe_state (act);
          message = g_strdup_printf (_("Act %s: %s"), qoima_act_get_number (act) != NULL ? qoima_act_get_number (act) : "—",
                                     state);
          toast (self, message);
        }
      g_clear_pointer (&self->answered, g_array_unref);
    }
  self->tell_answered = FALSE;

  /* The shown act is refreshed from the new list (its counts and status). */
  if (self->act != NULL)
    {
      QoimaAct *fresh = find_act (self, qoima_act_get_id (self->act));

      if (fresh != NULL)
        g_set_object (&self->act, fresh);
      update_act_header (self);
    }
}

void
qoima_acts_page_reload (QoimaActsPage *self)
{
  g_return_if_fail (QOIMA_IS_ACTS_PAGE (self));

  if (self->context == NULL || !self->started)
    return;
  qoima_store_list_acts_async (qoima_context_get_store (self->context), self->cancellable,
                               list_acts_cb, g_object_ref (self));
}

static void
list_lines_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(QoimaActsPage) self = user_data;
  g_autoptr(GListModel) lines = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  lines = qoima_store_list_act_lines_finish (QOIMA_STORE (object), result, &local_error);
  if (lines == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, local_error->message);
      return;
    }

  for (guint i = 0; i < g_list_model_get_n_items (lines); i++)
    g_ptr_array_add (items, g_list_model_get_item (lines, i));
  g_list_store_splice (self->lines, 0, g_list_model_get_n_items (G_LIST_MODEL (self->lines)),
                       items->pdata, items->len);
}

static void
load_lines (QoimaActsPage *self)
{
  if (self->context == NULL || self->act == NULL)
    return;
  qoima_store_list_act_lines_async (qoima_context_get_store (self->context), qoima_act_get_id (self->act),
                                    self->cancellable, list_lines_cb, g_object_ref (self));
}

/* Sync */

static void
sync_progress_cb (QoimaSync     *sync,
                  const char    *message,
                  double         fraction,
                  QoimaActsPage *self)
{
  gtk_label_set_text (self->progress_label, message);
  if (fraction >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  else
    gtk_progress_bar_pulse (self->progress_bar);
}

static void
sync_done (QoimaActsPage *self,
           gboolean       ok)
{
  QoimaSync *sync = qoima_context_get_sync (self->context);

  g_clear_signal_handler (&self->progress_handler, sync);
  set_busy (self, FALSE, NULL);
  self->tell_answered = self->answered != NULL;
  qoima_acts_page_reload (self);
  load_lines (self);
  g_signal_emit (self, signals[SIGNAL_SYNCED], 0, ok);
}

static void
sync_run_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QoimaActsPage) self = user_data;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  ok = qoima_sync_run_finish (QOIMA_SYNC (object), result, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* The core says what was refused or not recorded, what waits and why; answers just signed
   * are told one by one instead, once the list shows them. */
  if (!ok)
    {
      g_message ("Sync failed: %s", local_error->message);
      if (self->answered == NULL)
        toast (self, local_error->message);
    }
  sync_done (self, ok);
}

static void
start_sync (QoimaActsPage *self)
{
  QoimaSync *sync = qoima_context_get_sync (self->context);

  gtk_widget_set_visible (self->auth_box, FALSE);
  set_busy (self, TRUE, _("Synchronising with ИС МПТ…"));
  self->progress_handler = g_signal_connect_object (sync, "progress", G_CALLBACK (sync_progress_cb), self, 0);
  qoima_sync_run_async (sync, self->cancellable, sync_run_cb, g_object_ref (self));
}

static void
auth_key_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QoimaActsPage) self = user_data;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(GError) local_error = NULL;

  signer = qoima_key_dialog_run_finish (result, &local_error);
  if (signer == NULL)
    {
      set_busy (self, FALSE, NULL);
      gtk_widget_set_visible (self->auth_box, TRUE);
      toast (self, _("Synchronising needs the organization’s key to log in to ИС МПТ"));
      return;
    }

  qoima_context_set_auth_signer (self->context, signer);
  set_busy (self, FALSE, NULL);
  start_sync (self);
}

/* @interactive: the user asked (Sync, a signature), so the AUTH key may be asked for now;
 * the sync at sign-in does not pop a dialog over another page: without the key it does not
 * log in, and the page says what is missing. */
static void
run_sync (QoimaActsPage *self,
          gboolean       interactive)
{
  if (self->context == NULL || !self->started || self->busy)
    return;

  if (qoima_context_get_sync (self->context) == NULL)
    {
      toast (self, _("ИС МПТ is not connected yet"));
      return;
    }

  /* The AUTH key is asked for once per session, when needed: its password is never kept
   * on disk (the key dialog remembers the file). */
  if (qoima_context_get_auth_signer (self->context) == NULL)
    {
      if (!interactive)
        {
          gtk_widget_set_visible (self->auth_box, TRUE);
          return;
        }
      set_busy (self, TRUE, _("Waiting for the key to log in…"));
      qoima_key_dialog_run_async (parent_window (self), qoima_context_get_settings (self->context),
                                  QOIMA_KEY_PURPOSE_AUTH, self->cancellable, auth_key_cb, g_object_ref (self));
      return;
    }

  start_sync (self);
}

/* Answers */

static void answer_next (Answer *answer);

/* The key is not the signer's: it is forgotten, so the next answer asks for hers. */
static void
forget_wrong_key (QoimaActsPage *self,
                  const GError  *error)
{
  if (g_error_matches (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER))
    qoima_context_set_signer (self->context, NULL);
}

static void
answer_act_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Answer *answer = user_data;
  g_autoptr(GError) local_error = NULL;
  gint64 queued;

  queued = qoima_sync_answer_act_finish (QOIMA_SYNC (object), result, &local_error);
  /* What was signed is in the outbox even when the page closed meanwhile; a closed page
   * signs no further act. */
  if (answer->self->context == NULL)
    {
      answer_free (answer);
      return;
    }
  if (queued <= 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          answer_free (answer);
          return;
        }
      answer->failed++;
      toast (answer->self, local_error->message);
      forget_wrong_key (answer->self, local_error);
    }
  answer_next (answer);
}

static void
answer_next (Answer *answer)
{
  g_autoptr(Answer) done = NULL;
  QoimaActsPage *self = answer->self;

  if (answer->next < answer->act_ids->len)
    {
      gint64 act_id = g_array_index (answer->act_ids, gint64, answer->next++);
      g_autofree char *message = g_strdup_printf (_("Signing the answer %u of %u…"),
                                                  answer->next, answer->act_ids->len);

      gtk_label_set_text (self->progress_label, message);
      qoima_sync_answer_act_async (qoima_context_get_sync (self->context), act_id, answer->acceptance,
                                   NULL, qoima_context_get_signer (self->context), qoima_context_get_user (self->context),
                                   NULL, answer_act_cb, answer);
      return;
    }

  /* Everything signed is in the outbox; the sync sends it and brings the answers back
   * (asking for the AUTH key now, if the session has none). */
  done = answer;
  g_clear_pointer (&self->answered, g_array_unref);
  self->answered = g_array_ref (answer->act_ids);
  g_hash_table_remove_all (self->selected);
  set_busy (self, FALSE, NULL);
  run_sync (self, TRUE);
}

static void
summary_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Answer) answer = user_data;
  g_autoptr(GError) local_error = NULL;

  /* Cancelled: nothing is signed. */
  if (!qoima_sign_dialog_run_finish (result, &local_error))
    {
      set_busy (answer->self, FALSE, NULL);
      return;
    }
  answer_next (g_steal_pointer (&answer));
}

/* Before any signature: what is signed, for how many packs, with whose key (issue 8). All
 * the acts of "Accept and Sign Selected" are shown together, every time. */
static void
confirm_answer (Answer *answer)
{
  QoimaActsPage *self = answer->self;
  QoimaSigner *signer = qoima_context_get_signer (self->context);
  QoimaCertificate *certificate = signer != NULL ? qoima_signer_get_certificate (signer) : NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  g_autoptr(GError) local_error = NULL;
  const char *document;
  int n_packs = 0;

  if (certificate == NULL ||
      !qoima_user_check_signer (qoima_context_get_user (self->context), certificate, NULL, &local_error))
    {
      if (local_error != NULL)
        {
          toast (self, local_error->message);
          forget_wrong_key (self, local_error);
        }
      set_busy (self, FALSE, NULL);
      answer_free (answer);
      return;
    }

  for (guint i = 0; i < answer->act_ids->len; i++)
    {
      QoimaAct *act = find_act (self, g_array_index (answer->act_ids, gint64, i));
      g_autofree char *date = NULL;
      g_autofree char *sender = NULL;
      int packs, scanned;

      if (act == NULL)
        continue;
      packs = qoima_act_get_packs (act);
      scanned = qoima_act_get_scanned (act);
      n_packs += packs;
      date = format_iso_date (qoima_act_get_doc_date (act));
      sender = g_strdup_printf ("%s (%s %s)",
                                qoima_act_get_sender_name (act) != NULL ? qoima_act_get_sender_name (act) : "—",
                                _("BIN"), qoima_act_get_sender_bin (act) != NULL ? qoima_act_get_sender_bin (act) : "—");
      g_ptr_array_add (items, g_strdup_printf (_("Act № %s"), qoima_act_get_number (act)));
      switch (answer->acceptance)
        {
        case QOIMA_ACCEPT_SOME:
          /* TRANSLATORS: from SENDER, DATE: accept the N packs scanned, refuse the other M of
           * the act's TOTAL; the plural follows TOTAL. */
          g_ptr_array_add (items, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "from %s, %s: accept the %d packs scanned, refuse the other %d of %d",
                                                                "from %s, %s: accept the %d packs scanned, refuse the other %d of %d",
                                                                packs),
                                                   sender, date, scanned, packs - scanned, packs));
          break;
        case QOIMA_REJECT_ALL:
          g_ptr_array_add (items, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "from %s, %s: refuse the %d pack",
                                                                "from %s, %s: refuse all %d packs", packs),
                                                   sender, date, packs));
          break;
        case QOIMA_ACCEPT_ALL:
        default:
          g_ptr_array_add (items, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "from %s, %s: accept the %d pack",
                                                                "from %s, %s: accept all %d packs", packs),
                                                   sender, date, packs));
          break;
        }
    }

  if (answer->acceptance == QOIMA_REJECT_ALL)
    document = _("Rejection of the act (LP_ACCEPT_GOODS)");
  else if (answer->acceptance == QOIMA_ACCEPT_SOME)
    document = _("Partial acceptance of the act (LP_ACCEPT_GOODS)");
  else
    document = g_dngettext (GETTEXT_PACKAGE, "Acceptance of the act (LP_ACCEPT_GOODS)",
                            "Acceptance of the acts, one document each (LP_ACCEPT_GOODS)", answer->act_ids->len);

  gtk_label_set_text (self->progress_label, _("Waiting for the signer to confirm…"));
  qoima_sign_dialog_run_async (parent_window (self), document, (const char * const *) items->pdata, n_packs,
                               certificate, self->cancellable, summary_cb, answer);
}

static void
signing_key_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Answer) answer = user_data;
  g_autoptr(QoimaSigner) signer = NULL;
  g_autoptr(GError) local_error = NULL;

  signer = qoima_key_dialog_run_finish (result, &local_error);
  if (signer == NULL)
    {
      set_busy (answer->self, FALSE, NULL);
      return;
    }

  qoima_context_set_signer (answer->self->context, signer);
  confirm_answer (g_steal_pointer (&answer));
}

static void
answer_acts (QoimaActsPage   *self,
             GArray          *act_ids,
             QoimaAcceptance  acceptance)
{
  g_autoptr(GError) local_error = NULL;
  Answer *answer;

  if (self->context == NULL || !self->started || self->busy || act_ids->len == 0)
    return;
  if (qoima_context_get_sync (self->context) == NULL)
    {
      toast (self, _("ИС МПТ is not connected yet"));
      return;
    }
  /* An answer is signed: by the chief, or a clerk an administrator delegated (issue 8). */
  if (!qoima_user_check (qoima_context_get_user (self->context), QOIMA_PERMISSION_SIGN, &local_error))
    {
      toast (self, local_error->message);
      return;
    }

  answer = g_new0 (Answer, 1);
  answer->self = g_object_ref (self);
  answer->act_ids = g_array_ref (act_ids);
  answer->acceptance = acceptance;

  set_busy (self, TRUE, _("Waiting for the signing key…"));
  if (qoima_context_get_signer (self->context) == NULL)
    qoima_key_dialog_run_async (parent_window (self), qoima_context_get_settings (self->context),
                                QOIMA_KEY_PURPOSE_SIGNING, self->cancellable, signing_key_cb, answer);
  else
    confirm_answer (answer);
}

static void
answer_shown_act (QoimaActsPage   *self,
                  QoimaAcceptance  acceptance)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 id;

  if (self->act == NULL)
    return;
  if (acceptance == QOIMA_ACCEPT_SOME && qoima_act_get_scanned (self->act) == 0)
    {
      toast (self, _("No pack of this act is scanned yet"));
      return;
    }

  id = qoima_act_get_id (self->act);
  g_array_append_val (ids, id);
  answer_acts (self, ids, acceptance);
}

static void
reject_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    QoimaActsPage    *self)
{
  if (g_strcmp0 (response, "reject") == 0)
    answer_shown_act (self, QOIMA_REJECT_ALL);
}

static void
accept_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  answer_shown_act (QOIMA_ACTS_PAGE (widget), QOIMA_ACCEPT_ALL);
}

static void
accept_scanned_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  answer_shown_act (QOIMA_ACTS_PAGE (widget), QOIMA_ACCEPT_SOME);
}

static void
reject_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  QoimaActsPage *self = QOIMA_ACTS_PAGE (widget);
  GtkWidget *dialog;

  if (self->act == NULL)
    return;

  dialog = adw_message_dialog_new (parent_window (self), _("Reject the Whole Act?"),
                                   _("Every pack goes back to the sender. The answer is signed and sent to ИС МПТ; it cannot be undone."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "reject", _("_Reject"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "reject",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (reject_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  run_sync (QOIMA_ACTS_PAGE (widget), TRUE);
}

/* The button of "ИС МПТ waits for the AUTH key": the sync asks for it. */
static void
choose_auth_key_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  run_sync (QOIMA_ACTS_PAGE (widget), TRUE);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaActsPage *self = QOIMA_ACTS_PAGE (widget);

  g_clear_object (&self->act);
  g_list_store_remove_all (self->lines);
  gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
accept_selected_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  QoimaActsPage *self = QOIMA_ACTS_PAGE (widget);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* In the order of the list, so that the progress counts as the clerk reads. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->acts)); i++)
    {
      g_autoptr(QoimaAct) act = g_list_model_get_item (G_LIST_MODEL (self->acts), i);
      gint64 act_id = qoima_act_get_id (act);

      if (g_hash_table_contains (self->selected, &act_id))
        g_array_append_val (ids, act_id);
    }
  answer_acts (self, ids, QOIMA_ACCEPT_ALL);
}

/* Scans */

typedef struct {
  QoimaActsPage *self;
  char          *code;
} MarkData;

static void
mark_data_free (MarkData *data)
{
  g_clear_object (&data->self);
  g_free (data->code);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MarkData, mark_data_free)

static void
show_scan (QoimaActsPage *self,
           int            outcome,
           const char    *message)
{
  static const char *classes[] = { "success", "warning", "error" };

  self->scan_outcome = outcome;
  g_free (self->scan_message);
  self->scan_message = g_strdup (message);
  gtk_label_set_text (self->scan_label, message);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->scan_label), classes[i]);
  switch (outcome)
    {
    case QOIMA_ACT_SCAN_MARKED:
      gtk_widget_add_css_class (GTK_WIDGET (self->scan_label), "success");
      break;
    case QOIMA_ACT_SCAN_AGAIN:
      gtk_widget_add_css_class (GTK_WIDGET (self->scan_label), "warning");
      break;
    case QOIMA_ACT_SCAN_NOT_IN_ACT:
    default:
      gtk_widget_add_css_class (GTK_WIDGET (self->scan_label), "error");
      break;
    }
  g_signal_emit (self, signals[SIGNAL_SCAN_HANDLED], 0);
}

static void
mark_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(MarkData) data = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;
  QoimaActsPage *self = data->self;
  QoimaActScan scan;
  int n_packs = 0;

  scan = qoima_store_mark_act_code_finish (QOIMA_STORE (object), result, &n_packs, &local_error);
  /* Marked even when the page closed meanwhile; then nothing is left to show. */
  if (self->context == NULL || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (local_error != NULL)
    {
      show_scan (self, -1, local_error->message);
      return;
    }

  switch (scan)
    {
    case QOIMA_ACT_SCAN_MARKED:
      message = n_packs > 1
        ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Received: a box of %d pack", "Received: a box of %d packs", n_packs), n_packs)
        : g_strdup (_("Received"));
      break;
    case QOIMA_ACT_SCAN_AGAIN:
      message = g_strdup (_("Scanned already: this code was counted before"));
      break;
    case QOIMA_ACT_SCAN_NOT_IN_ACT:
    default:
      message = g_strdup (_("Not in this act: put this pack aside"));
      break;
    }

  g_debug ("Act scan %s: %d", data->code, scan);
  qoima_acts_page_reload (self);
  load_lines (self);
  show_scan (self, scan, message);
}

gboolean
qoima_acts_page_take_scan (QoimaActsPage *self,
                           const char    *text)
{
  g_autoptr(QoimaMarkingCode) code = NULL;
  g_autoptr(GError) local_error = NULL;
  MarkData *data;
  int position = -1;

  g_return_val_if_fail (QOIMA_IS_ACTS_PAGE (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  /* An answered act counts no scans: the window looks the pack up instead. */
  if (self->act == NULL || self->context == NULL ||
      qoima_act_get_status (self->act) != QOIMA_ACT_STATUS_WAITING)
    return FALSE;

  code = qoima_gs1_parse (text, &position, &local_error);
  if (code == NULL)
    {
      g_autofree char *message = NULL;

      /* The parser's own message may already say that this is no marking code: not twice. */
      if (g_error_matches (local_error, QOIMA_SCANNER_ERROR, QOIMA_SCANNER_ERROR_NOT_GS1))
        message = g_strdup (local_error->message);
      else
        message = g_strdup_printf (_("Not a marking code: %s"), local_error->message);

      show_scan (self, -1, message);
      return TRUE;
    }

  data = g_new0 (MarkData, 1);
  data->self = g_object_ref (self);
  /* A box is known in the act by its SSCC with the AI in front, as ИС МПТ writes it. */
  if (code->kind == QOIMA_CODE_KIND_BOX && code->sscc != NULL)
    data->code = g_strconcat ("00", code->sscc, NULL);
  else
    data->code = g_strdup (code->ki);

  qoima_store_mark_act_code_async (qoima_context_get_store (self->context), qoima_act_get_id (self->act),
                                   data->code, NULL, mark_cb, data);
  return TRUE;
}

/* Object */

static void
sync_ready_cb (QoimaActsPage *self)
{
  /* The first sync after start, as soon as ИС МПТ is there. */
  if (!self->synced_once && qoima_context_get_sync (self->context) != NULL)
    {
      self->synced_once = TRUE;
      run_sync (self, FALSE);
    }
}

/* An act loaded or accepted at another workstation shows here without a manual reload. */
static void
store_changed_cb (QoimaActsPage *self)
{
  self->stale = !gtk_widget_get_mapped (GTK_WIDGET (self));
  if (!self->stale)
    qoima_acts_page_reload (self);
}

static void
mapped_cb (QoimaActsPage *self)
{
  if (self->stale)
    {
      self->stale = FALSE;
      qoima_acts_page_reload (self);
    }
}

void
qoima_acts_page_start (QoimaActsPage *self)
{
  g_return_if_fail (QOIMA_IS_ACTS_PAGE (self));
  g_return_if_fail (self->context != NULL);

  if (self->started)
    return;

  self->started = TRUE;
  g_signal_connect_object (self->context, "notify::sync", G_CALLBACK (sync_ready_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (qoima_context_get_store (self->context), "changed",
                           G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (mapped_cb), NULL);
  qoima_acts_page_reload (self);
  sync_ready_cb (self);
}

static void
qoima_acts_page_dispose (GObject *object)
{
  QoimaActsPage *self = QOIMA_ACTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->context != NULL && qoima_context_get_sync (self->context) != NULL)
    g_clear_signal_handler (&self->progress_handler, qoima_context_get_sync (self->context));

  /* No gtk_widget_dispose_template(): the template's root (the stack) is AdwBin's child,
   * which AdwBin unparents itself and would find already gone. */
  g_clear_object (&self->context);
  g_clear_object (&self->act);

  G_OBJECT_CLASS (qoima_acts_page_parent_class)->dispose (object);
}

static void
qoima_acts_page_finalize (GObject *object)
{
  QoimaActsPage *self = QOIMA_ACTS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->acts);
  g_clear_object (&self->lines);
  g_clear_pointer (&self->selected, g_hash_table_unref);
  g_clear_pointer (&self->answered, g_array_unref);
  g_free (self->scan_message);

  G_OBJECT_CLASS (qoima_acts_page_parent_class)->finalize (object);
}

static void
qoima_acts_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  QoimaActsPage *self = QOIMA_ACTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_acts_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  QoimaActsPage *self = QOIMA_ACTS_PAGE (object);

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
qoima_acts_page_class_init (QoimaActsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_acts_page_dispose;
  object_class->finalize = qoima_acts_page_finalize;
  object_class->get_property = qoima_acts_page_get_property;
  object_class->set_property = qoima_acts_page_set_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SCAN_HANDLED] =
    g_signal_new ("scan-handled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SYNCED] =
    g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/pages/qoima-acts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, act_buttons);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, auth_box);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, act_deadline_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, act_errors_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, act_subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, act_title_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, lines_box);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, progress_box);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, scan_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaActsPage, stack);

  gtk_widget_class_install_action (widget_class, "acts.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "acts.choose-auth-key", NULL, choose_auth_key_action);
  gtk_widget_class_install_action (widget_class, "acts.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "acts.accept-selected", NULL, accept_selected_action);
  gtk_widget_class_install_action (widget_class, "acts.accept-all", NULL, accept_all_action);
  gtk_widget_class_install_action (widget_class, "acts.accept-scanned", NULL, accept_scanned_action);
  gtk_widget_class_install_action (widget_class, "acts.reject", NULL, reject_action);
}

static void
qoima_acts_page_init (QoimaActsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->acts = g_list_store_new (QOIMA_TYPE_ACT);
  self->lines = g_list_store_new (QOIMA_TYPE_ACT_LINE);
  self->selected = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->scan_outcome = -1;

  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->acts), create_act_row, self, NULL);
  gtk_list_box_bind_model (self->lines_box, G_LIST_MODEL (self->lines), create_line_row, self, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "acts.accept-selected", FALSE);
}

gboolean
qoima_acts_page_get_busy (QoimaActsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ACTS_PAGE (self), FALSE);

  return self->busy;
}

void
qoima_acts_page_sync (QoimaActsPage *self)
{
  g_return_if_fail (QOIMA_IS_ACTS_PAGE (self));

  run_sync (self, TRUE);
}

gboolean
qoima_acts_page_get_needs_auth_key (QoimaActsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ACTS_PAGE (self), FALSE);
  return gtk_widget_get_visible (self->auth_box);
}

GListModel *
qoima_acts_page_get_acts (QoimaActsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ACTS_PAGE (self), NULL);

  return G_LIST_MODEL (self->acts);
}

void
qoima_acts_page_open_act (QoimaActsPage *self,
                          gint64         act_id)
{
  QoimaAct *act;

  g_return_if_fail (QOIMA_IS_ACTS_PAGE (self));

  act = find_act (self, act_id);
  if (act == NULL)
    return;

  g_set_object (&self->act, act);
  g_list_store_remove_all (self->lines);
  self->scan_outcome = -1;
  update_act_header (self);
  load_lines (self);
  gtk_stack_set_visible_child_name (self->stack, "act");
}

QoimaAct *
qoima_acts_page_get_act (QoimaActsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ACTS_PAGE (self), NULL);

  return self->act;
}

GListModel *
qoima_acts_page_get_lines (QoimaActsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ACTS_PAGE (self), NULL);

  return G_LIST_MODEL (self->lines);
}

void
qoima_acts_page_select_act (QoimaActsPage *self,
                            gint64         act_id,
                            gboolean       selected)
{
  g_return_if_fail (QOIMA_IS_ACTS_PAGE (self));

  if (selected)
    g_hash_table_add (self->selected, g_memdup2 (&act_id, sizeof act_id));
  else
    g_hash_table_remove (self->selected, &act_id);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "acts.accept-selected",
                                 !self->busy && g_hash_table_size (self->selected) > 0);
  /* The check boxes show the choice again. */
  qoima_acts_page_reload (self);
}

int
qoima_acts_page_get_scan_outcome (QoimaActsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ACTS_PAGE (self), -1);

  return self->scan_outcome;
}

const char *
qoima_acts_page_get_scan_message (QoimaActsPage *self)
{
  g_return_val_if_fail (QOIMA_IS_ACTS_PAGE (self), NULL);

  return self->scan_message;
}
