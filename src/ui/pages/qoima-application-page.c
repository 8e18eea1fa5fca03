/* qoima-application-page.c: the Application page (seed 004)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-application-page"

#include "config.h"

#include "qoima-application-page.h"

#include "qoima-fund-application-row.h"
#include "qoima-fund-base-row.h"
#include "qoima-fund-client.h"
#include "qoima-fund-pdf.h"
#include "qoima-key-dialog.h"
#include "qoima-reference.h"
#include "qoima-registration.h"
#include "qoima-sign-dialog.h"
#include "qoima-store-fund.h"
#include "qoima-store-registration.h"
#include "qoima-store-settings.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_POLL_SECONDS 60
/* How much of a collapsed row's summary the kinds' names may take, in characters. */
#define SUMMARY_CHARS 60

/* Where a field's value comes from, shown beside it (issue 13). */
typedef enum {
  SOURCE_REGISTRATION,
  SOURCE_DIRECTORY,
  SOURCE_HAND,
  SOURCE_GENERATED,
  SOURCE_FUND,
  SOURCE_NONE,
} FieldSource;

struct _QoimaApplicationPage
{
  AdwBin parent_instance;

  /* Template children */
  GtkDropDown *activity_filter;
  GtkWidget   *filters_box;
  GtkListBox  *applications_list;
  AdwPreferencesGroup *bins_group;
  GtkDropDown *category_filter;
  GtkButton   *change_button;
  GtkButton   *delete_button;
  GtkBox      *form_box;
  GtkLabel    *form_message;
  GtkScrolledWindow *form_scroller;
  GtkLabel    *form_title;
  GtkListBox  *licenses_list;
  GtkLabel    *list_message;
  GtkButton   *new_button;
  GtkButton   *pdf_button;
  GtkButton   *reject_button;
  AdwEntryRow *related_entry;
  GtkButton   *save_button;
  GtkButton   *sign_button;
  GtkSpinner  *spinner;
  GtkStack    *stack;
  GtkButton   *submit_button;
  GtkDropDown *status_filter;
  GtkDropDown *type_filter;

  /* Owned references */
  QoimaContext         *context;
  GCancellable         *cancellable;
  GCancellable         *poll_cancellable;
  QoimaFundKato        *kato;
  GPtrArray            *licenses;     /* QoimaFundLicense, as the license service gave them */
  GPtrArray            *got_licenses; /* …and those of the requests still under way */
  char                 *related_bins; /* the profile's setting (R004-1) */
  GPtrArray            *bin_rows;     /* the BINs' rows in bins_group, borrowed */
  GHashTable           *request_states; /* BIN → its request's QoimaFundRequestState + 1 */
  char                 *request_error;  /* the first request's failure, other than its state */
  guint                 pending_requests;
  GPtrArray            *applications; /* QoimaFundApplication, every version */
  QoimaFundApplication *form;         /* the application open in the form */
  QoimaStoredRegistration *registration;
  GHashTable           *fields;       /* field name → its widget */
  GHashTable           *problems;     /* field name → GtkLabel under it */
  GHashTable           *care_checks;  /* "care_provider:CODE" → GtkCheckButton */
  GPtrArray            *base_rows;    /* QoimaFundBaseRow, borrowed */
  GtkListBox           *bases_list;
  GtkWidget            *registration_row;
  GtkWidget            *attorney_row;
  GtkWidget            *region_row;
  GtkWidget            *care_rows[2]; /* AdwExpanderRow: Поставщик's, Соисполнитель's */
  char                 *fund_url;
  char                 *message;
  char                 *pdf_path;
  char                 *loaded_user;  /* whose applications are listed */

  guint    poll_seconds;
  guint    poll_id;
  gboolean busy;
  gboolean polling;                   /* a poll is under way */
  gboolean poll_again;                /* …and another was asked for meanwhile */
  gboolean open_files;
  gboolean filling;
  gboolean editable;
  gint64   open_after_load;           /* the id to open once the list is loaded */
};

G_DEFINE_FINAL_TYPE (QoimaApplicationPage, qoima_application_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_BUSY,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static const char * const ownerships[] = {
  "Государственные организации", "Субъекты квазигосударственного сектора", "Частные организации", NULL,
};

static void reload (QoimaApplicationPage *self);
static void show_form (QoimaApplicationPage *self);
static void schedule_poll (QoimaApplicationPage *self);

static GtkWindow *
parent_window (QoimaApplicationPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static QoimaUser *
user (QoimaApplicationPage *self)
{
  return self->context != NULL ? qoima_context_get_user (self->context) : NULL;
}

static QoimaStore *
store (QoimaApplicationPage *self)
{
  return qoima_context_get_store (self->context);
}

static gboolean
may (QoimaApplicationPage *self,
     QoimaFundAction       action)
{
  if (user (self) == NULL || (action != QOIMA_FUND_ACTION_CREATE && self->form == NULL))
    return FALSE;
  return qoima_fund_application_may (self->form, user (self), action, NULL);
}

/* A new application or version, not saved yet, is the author's draft. */
static gboolean
form_is_new (QoimaApplicationPage *self)
{
  return self->form != NULL && self->form->id == 0;
}

static void
update_actions (QoimaApplicationPage *self)
{
  gboolean idle = !self->busy;
  gboolean is_new = form_is_new (self);
  struct {
    const char *action;
    GtkButton  *button;
    gboolean    allowed;
  } actions[] = {
    { "application.save", self->save_button, is_new ? may (self, QOIMA_FUND_ACTION_CREATE) : may (self, QOIMA_FUND_ACTION_EDIT) },
    { "application.pdf", self->pdf_button, self->form != NULL && may (self, QOIMA_FUND_ACTION_FORM_PDF) },
    { "application.submit", self->submit_button, !is_new && may (self, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF) },
    { "application.sign", self->sign_button, !is_new && may (self, QOIMA_FUND_ACTION_SIGN_CONSENT) },
    { "application.reject", self->reject_button, !is_new && may (self, QOIMA_FUND_ACTION_CHIEF_REJECT) },
    { "application.change", self->change_button, !is_new && may (self, QOIMA_FUND_ACTION_NEW_VERSION) },
    { "application.delete", self->delete_button, !is_new && may (self, QOIMA_FUND_ACTION_DELETE) },
    { "application.new", self->new_button, may (self, QOIMA_FUND_ACTION_CREATE) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i].action, idle && actions[i].allowed);
      gtk_widget_set_visible (GTK_WIDGET (actions[i].button), actions[i].allowed);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "application.get-licenses", idle && user (self) != NULL);
}

static void
set_busy (QoimaApplicationPage *self,
          gboolean              busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* One place for what is said to the user: above the form when it is open, above the
 * list otherwise. */
static void
say (QoimaApplicationPage *self,
     const char           *text,
     gboolean              is_error)
{
  GtkLabel *labels[] = { self->form_message, self->list_message };

  g_clear_pointer (&self->message, g_free);
  self->message = g_strdup (text);
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      gtk_label_set_text (labels[i], text != NULL ? text : "");
      gtk_widget_set_visible (GTK_WIDGET (labels[i]), text != NULL);
      if (is_error)
        gtk_widget_add_css_class (GTK_WIDGET (labels[i]), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (labels[i]), "error");
    }
}

static void
say_error (QoimaApplicationPage *self,
           const GError         *error)
{
  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  say (self, error != NULL ? error->message : NULL, TRUE);
}

/* The widget after @child in @root's tree, depth first; NULL at the end. */
static GtkWidget *
qoima_next_widget (GtkWidget *root,
                   GtkWidget *child)
{
  GtkWidget *next = gtk_widget_get_first_child (child);

  if (next != NULL)
    return next;
  for (; child != NULL && child != root; child = gtk_widget_get_parent (child))
    if ((next = gtk_widget_get_next_sibling (child)) != NULL)
      return next;
  return NULL;
}

static void
clear_list (GtkListBox *list)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

static void
clear_box (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

/* The Fund */

static char *
fund_url (QoimaApplicationPage  *self,
          GError               **error)
{
  QoimaIsmptClient *client;
  GSettings *settings;
  g_autofree char *stand = NULL;
  g_autoptr(GVariant) urls = NULL;

  if (self->fund_url != NULL)
    return g_strdup (self->fund_url);
  client = self->context != NULL ? qoima_context_get_client (self->context) : NULL;
  settings = self->context != NULL ? qoima_context_get_settings (self->context) : NULL;
  if (settings == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           _("The Fund’s portal cannot be reached: ИС МПТ is not connected yet."));
      return NULL;
    }
  /* The Fund's address goes with the stand worked with, as the True API's does. */
  stand = g_settings_get_string (settings, "stand");
  urls = g_settings_get_value (settings, "fund-urls");
  return qoima_fund_client_url_for_stand (stand, urls, client != NULL ? qoima_ismpt_client_get_base_url (client) : NULL,
                                          error);
}

static QoimaFundClient *
fund_client (QoimaApplicationPage *self,
             GError              **error)
{
  g_autofree char *url = fund_url (self, error);

  return url != NULL ? qoima_fund_client_new (url) : NULL;
}

/* Licenses (R004-1, R004-2) */

static const char *
dropdown_value (GtkDropDown *dropdown)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (dropdown);

  /* The first entry is "any". */
  if (item == NULL || gtk_drop_down_get_selected (dropdown) == 0)
    return NULL;
  return gtk_string_object_get_string (item);
}

static void
fill_filter (GtkDropDown *dropdown,
             GPtrArray   *licenses,
             gsize        offset,
             const char  *any)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  gtk_string_list_append (list, any);
  for (guint i = 0; licenses != NULL && i < licenses->len; i++)
    {
      QoimaFundLicense *license = g_ptr_array_index (licenses, i);
      const char *value = G_STRUCT_MEMBER (const char *, license, offset);

      if (value != NULL && qoima_fund_license_is_listed (license) && g_hash_table_add (seen, (gpointer) value))
        gtk_string_list_append (list, value);
    }
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (dropdown, 0);
}

static void
show_licenses (QoimaApplicationPage *self)
{
  QoimaFundLicenseFilter filter = {
    dropdown_value (self->activity_filter), dropdown_value (self->category_filter),
    dropdown_value (self->type_filter), dropdown_value (self->status_filter),
  };
  g_autoptr(GPtrArray) listed = NULL;

  clear_list (self->licenses_list);
  gtk_widget_set_visible (self->filters_box, self->licenses != NULL && self->licenses->len > 0);
  if (self->licenses == NULL)
    return;
  /* R004-2: only the licenses the Fund lists, narrowed by the filters. */
  listed = qoima_fund_licenses_filter (self->licenses, &filter);
  for (guint i = 0; i < listed->len; i++)
    {
      QoimaFundLicense *license = g_ptr_array_index (listed, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf ("%s — %s", license->number,
                                                license->activity_name != NULL ? license->activity_name : license->activity);
      g_autofree char *subtitle = g_strdup_printf ("%s · %s · %s · %s", license->activity,
                                                   license->category != NULL ? license->category : "",
                                                   license->type != NULL ? license->type : "",
                                                   license->status != NULL ? license->status : "");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (self->licenses_list, row);
    }
}

static void
filter_changed_cb (QoimaApplicationPage *self)
{
  show_licenses (self);
}

static const char *
registration_value (QoimaApplicationPage *self,
                    const char           *key)
{
  const char *value;

  if (self->registration == NULL || self->registration->registration == NULL)
    return NULL;
  value = qoima_registration_get (self->registration->registration, key);
  return value != NULL && value[0] != '\0' ? value : NULL;
}

/* The related organizations (R004-1): the administrator's to list */

static gboolean
is_admin (QoimaApplicationPage *self)
{
  return user (self) != NULL && qoima_user_check (user (self), QOIMA_PERMISSION_MANAGE_USERS, NULL);
}

static void remove_related_cb (GtkButton            *button,
                               QoimaApplicationPage *self);

static GtkWidget *
bin_row (QoimaApplicationPage *self,
         const char           *bin,
         gboolean              related)
{
  GtkWidget *row = adw_action_row_new ();
  gpointer state = g_hash_table_lookup (self->request_states, bin);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), bin);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), related ? _("Related organization") : _("This organization"));
  if (state != NULL)
    {
      /* R004-1: the request's state in elicense.kz's own words. */
      QoimaFundRequestState value = GPOINTER_TO_INT (state) - 1;
      GtkWidget *label = gtk_label_new (qoima_fund_request_state_to_label (value));

      gtk_widget_add_css_class (label, value == QOIMA_FUND_REQUEST_FAILED ? "error"
                                       : value == QOIMA_FUND_REQUEST_DONE ? "success" : "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }
  if (related && is_admin (self))
    {
      GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Remove from the related organizations"));
      g_object_set_data_full (G_OBJECT (button), "bin", g_strdup (bin), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (remove_related_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  return row;
}

/* The BIN whose licenses are asked for: the form's, else the registration's. */
static const char *
subject_bin (QoimaApplicationPage *self)
{
  if (self->form != NULL && self->form->bin != NULL && self->form->bin[0] != '\0')
    return self->form->bin;
  return registration_value (self, "bin");
}

static void
show_bins (QoimaApplicationPage *self)
{
  g_auto(GStrv) related = qoima_fund_related_bins_parse (self->related_bins);
  const char *own = subject_bin (self);
  GtkWidget *entry = GTK_WIDGET (self->related_entry);

  for (guint i = 0; i < self->bin_rows->len; i++)
    adw_preferences_group_remove (self->bins_group, g_ptr_array_index (self->bin_rows, i));
  g_ptr_array_set_size (self->bin_rows, 0);
  if (own != NULL)
    g_ptr_array_add (self->bin_rows, bin_row (self, own, FALSE));
  for (guint i = 0; related[i] != NULL; i++)
    g_ptr_array_add (self->bin_rows, bin_row (self, related[i], TRUE));
  for (guint i = 0; i < self->bin_rows->len; i++)
    adw_preferences_group_add (self->bins_group, g_ptr_array_index (self->bin_rows, i));
  /* The entry stays last. */
  g_object_ref (entry);
  adw_preferences_group_remove (self->bins_group, entry);
  adw_preferences_group_add (self->bins_group, entry);
  g_object_unref (entry);
  gtk_widget_set_visible (entry, is_admin (self));
}

static void
related_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(QoimaApplicationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = qoima_store_get_setting_finish (QOIMA_STORE (source), result, &error);

  if (error != NULL)
    {
      say_error (self, error);
      return;
    }
  g_free (self->related_bins);
  self->related_bins = g_steal_pointer (&value);
  show_bins (self);
}

static void
load_related (QoimaApplicationPage *self)
{
  qoima_store_get_setting_async (store (self), QOIMA_FUND_SETTING_RELATED_BINS, self->cancellable,
                                 related_cb, g_object_ref (self));
}

static void
related_set_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(QoimaApplicationPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!qoima_store_set_setting_finish (QOIMA_STORE (source), result, &error))
    say_error (self, error);
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->related_entry), "");
      say (self, NULL, FALSE);
    }
  /* As the store has it now, whoever else changed it. */
  load_related (self);
}

static void
set_related (QoimaApplicationPage *self,
             const char           *value)
{
  qoima_store_set_setting_async (store (self), user (self), QOIMA_FUND_SETTING_RELATED_BINS, value,
                                 self->cancellable, related_set_cb, g_object_ref (self));
}

static void
related_apply_cb (QoimaApplicationPage *self)
{
  g_autofree char *bin = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->related_entry))));
  g_autoptr(GError) error = NULL;
  g_autofree char *value = qoima_fund_related_bins_add (self->related_bins, subject_bin (self), bin, &error);

  if (value == NULL)
    {
      say_error (self, error);
      return;
    }
  set_related (self, value);
}

static void
remove_related_cb (GtkButton            *button,
                   QoimaApplicationPage *self)
{
  g_autofree char *value = qoima_fund_related_bins_remove (self->related_bins,
                                                           g_object_get_data (G_OBJECT (button), "bin"));

  set_related (self, value);
}

/* The license requests (R004-1): one for each BIN, the licenses of all of them together */

typedef struct {
  QoimaApplicationPage *self;
  char                 *bin;
} Request;

static void
request_free (Request *request)
{
  g_object_unref (request->self);
  g_free (request->bin);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
set_request_state (QoimaApplicationPage  *self,
                   const char            *bin,
                   QoimaFundRequestState  state)
{
  g_hash_table_replace (self->request_states, g_strdup (bin), GINT_TO_POINTER (state + 1));
}

static void
licenses_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  QoimaApplicationPage *self = request->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) licenses = qoima_fund_client_get_licenses_finish (QOIMA_FUND_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (licenses != NULL)
    {
      set_request_state (self, request->bin, QOIMA_FUND_REQUEST_DONE);
      g_ptr_array_extend_and_steal (self->got_licenses, g_steal_pointer (&licenses));
    }
  else
    {
      /* R004-1: «Ошибка обработки» is the request's state, said as the service says it;
       * a service that cannot be reached leaves the request without one. */
      if (g_error_matches (error, QOIMA_FUND_CLIENT_ERROR, QOIMA_FUND_CLIENT_ERROR_REQUEST_FAILED))
        set_request_state (self, request->bin, QOIMA_FUND_REQUEST_FAILED);
      else
        g_hash_table_remove (self->request_states, request->bin);
      if (self->request_error == NULL)
        self->request_error = g_strdup (error->message);
    }
  show_bins (self);
  if (--self->pending_requests > 0)
    return;

  set_busy (self, FALSE);
  if (self->got_licenses->len == 0 && self->request_error != NULL)
    {
      say (self, self->request_error, TRUE);
      return;
    }
  g_clear_pointer (&self->licenses, g_ptr_array_unref);
  self->licenses = g_steal_pointer (&self->got_licenses);
  fill_filter (self->activity_filter, self->licenses, G_STRUCT_OFFSET (QoimaFundLicense, activity), _("Any activity"));
  fill_filter (self->category_filter, self->licenses, G_STRUCT_OFFSET (QoimaFundLicense, category), _("Any category"));
  fill_filter (self->type_filter, self->licenses, G_STRUCT_OFFSET (QoimaFundLicense, type), _("Any type"));
  fill_filter (self->status_filter, self->licenses, G_STRUCT_OFFSET (QoimaFundLicense, status), _("Any status"));
  show_licenses (self);
  say (self, self->request_error, self->request_error != NULL);
}

static void
get_licenses_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaFundClient) client = fund_client (self, &error);
  g_auto(GStrv) related = qoima_fund_related_bins_parse (self->related_bins);
  g_autoptr(GPtrArray) bins = g_ptr_array_new ();
  const char *bin = subject_bin (self);

  if (client == NULL)
    {
      say_error (self, error);
      return;
    }
  if (bin == NULL)
    {
      say (self, _("The organization’s BIN is not known yet: register in ИС МПТ first, or enter it in the application."), TRUE);
      return;
    }
  /* R004-1: the organization's own BIN and each related one's, no other. */
  g_ptr_array_add (bins, (gpointer) bin);
  for (guint i = 0; related[i] != NULL; i++)
    if (qoima_fund_request_bin_allowed (bin, (const char * const *) related, related[i]) && !g_str_equal (related[i], bin))
      g_ptr_array_add (bins, related[i]);

  set_busy (self, TRUE);
  g_hash_table_remove_all (self->request_states);
  g_clear_pointer (&self->got_licenses, g_ptr_array_unref);
  self->got_licenses = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_license_free);
  g_clear_pointer (&self->request_error, g_free);
  self->pending_requests = bins->len;
  for (guint i = 0; i < bins->len; i++)
    {
      Request *request = g_new0 (Request, 1);

      request->self = g_object_ref (self);
      request->bin = g_strdup (g_ptr_array_index (bins, i));
      set_request_state (self, request->bin, QOIMA_FUND_REQUEST_PROCESSING);
      qoima_fund_client_get_licenses_async (client, request->bin, self->cancellable, licenses_cb, request);
    }
  show_bins (self);
}

/* The form */

static GtkWidget *
source_label (FieldSource source)
{
  const char *texts[] = { N_("From registration"), N_("From a directory"), N_("By hand"), N_("Generated"),
                          N_("From the Fund") };
  GtkWidget *label = gtk_label_new (_(texts[source]));

  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  return label;
}

/* The row under a field where its problem is said (R004-16: in red). */
static void
add_problem_row (QoimaApplicationPage *self,
                 GtkListBox           *list,
                 const char           *field)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 4);
  gtk_widget_set_margin_bottom (label, 4);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "error");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_visible (row, FALSE);
  gtk_list_box_append (list, row);
  g_hash_table_insert (self->problems, g_strdup (field), label);
}

static GtkListBox *
add_section (QoimaApplicationPage *self,
             const char           *title,
             const char           *description)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (title != NULL ? title : "");
  GtkWidget *list = gtk_list_box_new ();

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_set_visible (heading, title != NULL);
  gtk_box_append (GTK_BOX (box), heading);
  if (description != NULL)
    {
      GtkWidget *label = gtk_label_new (description);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), label);
    }
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (self->form_box, box);
  return GTK_LIST_BOX (list);
}

static GtkWidget *
add_info (GtkListBox *list,
          const char *title,
          const char *value,
          FieldSource source)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL && value[0] != '\0' ? value : "—");
  if (source != SOURCE_NONE)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), source_label (source));
  gtk_list_box_append (list, row);
  return row;
}

static GtkWidget *
add_entry (QoimaApplicationPage *self,
           GtkListBox           *list,
           const char           *field,
           const char           *title,
           const char           *value,
           FieldSource           source,
           gboolean              editable)
{
  GtkWidget *row;

  /* What cannot be changed is shown as text, not as an entry that refuses typing. */
  if (!editable || !self->editable)
    {
      row = add_info (list, title, value, source);
      add_problem_row (self, list, field);
      return row;
    }
  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), value != NULL ? value : "");
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), source_label (source));
  gtk_list_box_append (list, row);
  g_hash_table_insert (self->fields, g_strdup (field), row);
  add_problem_row (self, list, field);
  return row;
}

static void
add_combo (QoimaApplicationPage *self,
           GtkListBox           *list,
           const char           *field,
           const char           *title,
           const char * const   *values,
           const char           *value,
           FieldSource           source,
           gboolean              editable)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  guint selected = 0;

  gtk_string_list_append (model, _("Not chosen"));
  for (guint i = 0; values[i] != NULL; i++)
    {
      gtk_string_list_append (model, values[i]);
      if (g_strcmp0 (values[i], value) == 0)
        selected = i + 1;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  /* The choice under the title, whole: beside it a long one («Государственные организации») is cut. */
  adw_combo_row_set_use_subtitle (ADW_COMBO_ROW (row), TRUE);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
  gtk_widget_set_sensitive (row, editable && self->editable);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), source_label (source));
  gtk_list_box_append (list, row);
  g_hash_table_insert (self->fields, g_strdup (field), row);
  add_problem_row (self, list, field);
}

static GtkWidget *
add_check (QoimaApplicationPage *self,
           GtkListBox           *list,
           const char           *title,
           const char           *subtitle,
           gboolean              active)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), active);
  gtk_widget_set_sensitive (check, self->editable);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  gtk_list_box_append (list, row);
  return check;
}

static const char *
entry_text (QoimaApplicationPage *self,
            const char           *field)
{
  GtkWidget *widget = g_hash_table_lookup (self->fields, field);

  return widget != NULL && GTK_IS_EDITABLE (widget) ? gtk_editable_get_text (GTK_EDITABLE (widget)) : NULL;
}

static char *
stripped (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));

  return copy[0] != '\0' ? g_steal_pointer (&copy) : NULL;
}

static void
take_text (QoimaApplicationPage *self,
           const char           *field,
           char                **slot)
{
  const char *text = entry_text (self, field);

  if (text == NULL)
    return;
  g_free (*slot);
  *slot = stripped (text);
}

static const char *
combo_value (QoimaApplicationPage *self,
             const char           *field)
{
  GtkWidget *row = g_hash_table_lookup (self->fields, field);
  GtkStringObject *item;

  if (row == NULL || adw_combo_row_get_selected (ADW_COMBO_ROW (row)) == 0)
    return NULL;
  item = adw_combo_row_get_selected_item (ADW_COMBO_ROW (row));
  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

static char **
chosen_care (QoimaApplicationPage *self,
             guint                 status)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *prefix = status == QOIMA_FUND_PROVIDER ? "care_provider:" : "care_coexecutor:";
  const QoimaFundCare *care;

  /* In the directory's order, so that two readings of the same form compare equal. */
  for (care = qoima_fund_care_directory (); care->code != NULL; care++)
    {
      g_autofree char *key = g_strconcat (prefix, care->code, NULL);
      GtkCheckButton *check = g_hash_table_lookup (self->care_checks, key);

      if (check != NULL && gtk_check_button_get_active (check))
        g_strv_builder_add (builder, care->code);
    }
  return g_strv_builder_end (builder);
}

/* The form as the user filled it. (transfer full) */
static QoimaFundApplication *
collect (QoimaApplicationPage *self)
{
  QoimaFundApplication *app = qoima_fund_application_copy (self->form);
  GtkCheckButton *provider = g_hash_table_lookup (self->fields, "status:provider");
  GtkCheckButton *coexecutor = g_hash_table_lookup (self->fields, "status:coexecutor");
  const char *pharmacy = combo_value (self, "pharmacy");
  const char *more;

  /* The store's columns are not in the JSON the copy went through. */
  take_text (self, "name_kk", &app->name_kk);
  take_text (self, "name_ru", &app->name_ru);
  take_text (self, "region", &app->region);
  take_text (self, "legal_kato", &app->legal_kato);
  take_text (self, "legal_index", &app->legal_index);
  take_text (self, "legal_street", &app->legal_street);
  take_text (self, "legal_house", &app->legal_house);
  take_text (self, "legal_office", &app->legal_office);
  take_text (self, "phone", &app->phone);
  take_text (self, "email", &app->email);
  g_free (app->ownership);
  app->ownership = g_strdup (combo_value (self, "ownership"));
  app->statuses = (provider != NULL && gtk_check_button_get_active (provider) ? QOIMA_FUND_PROVIDER : 0) |
                  (coexecutor != NULL && gtk_check_button_get_active (coexecutor) ? QOIMA_FUND_COEXECUTOR : 0);
  g_strfreev (app->care_provider);
  app->care_provider = chosen_care (self, QOIMA_FUND_PROVIDER);
  g_strfreev (app->care_coexecutor);
  app->care_coexecutor = chosen_care (self, QOIMA_FUND_COEXECUTOR);
  app->pharmacy = pharmacy == NULL ? QOIMA_FUND_PHARMACY_UNSET
                  : g_str_equal (pharmacy, "Да") ? QOIMA_FUND_PHARMACY_YES : QOIMA_FUND_PHARMACY_NO;
  more = entry_text (self, "more_addresses");
  if (more != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (more, ";", -1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autofree char *part = stripped (parts[i]);

          if (part != NULL)
            g_strv_builder_add (builder, part);
        }
      g_strfreev (app->more_addresses);
      app->more_addresses = g_strv_builder_end (builder);
    }
  g_ptr_array_set_size (app->bases, 0);
  for (guint i = 0; i < self->base_rows->len; i++)
    g_ptr_array_add (app->bases, qoima_fund_base_copy (qoima_fund_base_row_get_item (g_ptr_array_index (self->base_rows, i))));
  return app;
}

/* What the subject chose is what a base may offer (R004-11, R004-12). */
static void
update_base_choices (QoimaApplicationPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) provider = chosen_care (self, QOIMA_FUND_PROVIDER);
  g_auto(GStrv) coexecutor = chosen_care (self, QOIMA_FUND_COEXECUTOR);
  g_auto(GStrv) codes = NULL;
  GtkWidget *pharmacy = g_hash_table_lookup (self->fields, "pharmacy");

  if (self->filling)
    return;
  for (guint i = 0; provider[i] != NULL; i++)
    g_strv_builder_add (builder, provider[i]);
  for (guint i = 0; coexecutor[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) provider, coexecutor[i]))
      g_strv_builder_add (builder, coexecutor[i]);
  codes = g_strv_builder_end (builder);
  for (guint i = 0; i < self->base_rows->len; i++)
    qoima_fund_base_row_set_choices (g_ptr_array_index (self->base_rows, i), (const char * const *) codes);
  /* R004-5: the pharmacy field only for primary care by capitation as Поставщик. */
  if (pharmacy != NULL)
    gtk_widget_set_sensitive (pharmacy, self->editable && g_strv_contains ((const char * const *) provider, "phc-capitation"));
}

static void
clear_problems (QoimaApplicationPage *self)
{
  GHashTableIter iter;
  gpointer label;

  g_hash_table_iter_init (&iter, self->problems);
  while (g_hash_table_iter_next (&iter, NULL, &label))
    {
      gtk_label_set_text (label, "");
      gtk_widget_set_visible (gtk_widget_get_parent (label), FALSE);
    }
  for (guint i = 0; i < self->base_rows->len; i++)
    qoima_fund_base_row_show_problem (g_ptr_array_index (self->base_rows, i), NULL, NULL);
}

/* The first problem shown, in the form's order, is scrolled into view. */
static GtkWidget *
first_problem (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child) && gtk_widget_has_css_class (child, "error"))
        return child;
      if ((found = first_problem (child)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
scroll_to_problem_cb (gpointer user_data)
{
  QoimaApplicationPage *self = user_data;
  GtkWidget *problem = first_problem (GTK_WIDGET (self->form_box));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->form_scroller);
  double x, y;

  if (problem != NULL &&
      gtk_widget_translate_coordinates (problem, GTK_WIDGET (self->form_box), 0, 0, &x, &y))
    /* The field above the problem shows too. */
    gtk_adjustment_set_value (adjustment, MAX (0, y - 120));
  return G_SOURCE_REMOVE;
}

/* Each problem under its field; several on one field, one a line. */
static void
show_problems (QoimaApplicationPage *self,
               GPtrArray            *problems)
{
  clear_problems (self);
  for (guint i = 0; i < problems->len; i++)
    {
      QoimaFundProblem *problem = g_ptr_array_index (problems, i);
      guint index;
      char sub[32];
      GtkLabel *label;

      if (sscanf (problem->field, "bases[%u].%31s", &index, sub) == 2 && index < self->base_rows->len)
        {
          qoima_fund_base_row_show_problem (g_ptr_array_index (self->base_rows, index), sub, problem->message);
          continue;
        }
      label = g_hash_table_lookup (self->problems, problem->field);
      if (label == NULL)
        label = g_hash_table_lookup (self->problems, problem->section);
      if (label == NULL)
        continue;
      if (gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (label))))
        {
          g_autofree char *text = g_strconcat (gtk_label_get_text (label), "\n", problem->message, NULL);

          gtk_label_set_text (label, text);
        }
      else
        gtk_label_set_text (label, problem->message);
      gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (label)), TRUE);
    }
  /* After the next layout, when the rows shown have their place. */
  if (problems->len > 0)
    g_timeout_add_full (G_PRIORITY_LOW, 50, scroll_to_problem_cb, g_object_ref (self), g_object_unref);
}

/* Attachments: asked for with a file chooser, read off the main thread (R004-15: the size
 * first, and a file over 20 MB not read at all). */

/* Where a file goes, besides a base's permit (its index). */
#define ATTACH_REGISTRATION (-1)
#define ATTACH_ATTORNEY     (-2)

typedef struct {
  QoimaApplicationPage *self;
  int                   index; /* the base's, or ATTACH_* */
} AttachData;

static void
attach_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  QoimaFundAttachment *attachment = qoima_fund_attachment_new_for_file (task_data, cancellable, &error);

  if (attachment == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, attachment, (GDestroyNotify) qoima_fund_attachment_free);
}

static void
show_files (GtkWidget *row,
            GPtrArray *attachments,
            const char *none)
{
  g_autoptr(GString) names = g_string_new (NULL);

  if (row == NULL)
    return;
  for (guint i = 0; i < attachments->len; i++)
    {
      QoimaFundAttachment *attachment = g_ptr_array_index (attachments, i);

      g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", attachment->name);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), names->len > 0 ? names->str : none);
}

static void
show_registration_files (QoimaApplicationPage *self)
{
  show_files (self->registration_row, self->form->registration, _("Not attached"));
  show_files (self->attorney_row, self->form->power_of_attorney, _("None (optional)"));
}

static void
attached_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AttachData *data = user_data;
  g_autoptr(QoimaApplicationPage) self = data->self;
  g_autoptr(GError) error = NULL;
  QoimaFundAttachment *attachment = g_task_propagate_pointer (G_TASK (result), &error);
  int index = data->index;

  g_free (data);
  set_busy (self, FALSE);
  if (attachment == NULL)
    {
      say_error (self, error);
      return;
    }
  say (self, NULL, FALSE);
  if (index < 0)
    {
      g_ptr_array_add (index == ATTACH_ATTORNEY ? self->form->power_of_attorney : self->form->registration, attachment);
      show_registration_files (self);
    }
  else if ((guint) index < self->base_rows->len)
    qoima_fund_base_row_set_permit (g_ptr_array_index (self->base_rows, index), attachment);
  else
    qoima_fund_attachment_free (attachment);
}

void
qoima_application_page_attach (QoimaApplicationPage *self,
                               int                   index,
                               GFile                *file)
{
  g_autoptr(GTask) task = NULL;
  AttachData *data;

  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  data = g_new0 (AttachData, 1);
  data->self = g_object_ref (self);
  data->index = index;
  set_busy (self, TRUE);
  task = g_task_new (self, self->cancellable, attached_cb, data);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, attach_thread);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  QoimaApplicationPage *self = g_object_get_data (G_OBJECT (chooser), "page");
  int index = GPOINTER_TO_INT (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        qoima_application_page_attach (self, index, file);
    }
  g_object_unref (chooser);
}

static void
choose_file (QoimaApplicationPage *self,
             int                   index)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Attach a Document"), parent_window (self),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"), NULL);

  g_object_set_data_full (G_OBJECT (chooser), "page", g_object_ref (self), g_object_unref);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), GINT_TO_POINTER (index));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
base_attach_cb (QoimaApplicationPage *self,
                QoimaFundBaseRow     *row)
{
  guint index;

  if (g_ptr_array_find (self->base_rows, row, &index))
    choose_file (self, (int) index);
}

static void
registration_attach_cb (QoimaApplicationPage *self)
{
  choose_file (self, ATTACH_REGISTRATION);
}

static void
attorney_attach_cb (QoimaApplicationPage *self)
{
  choose_file (self, ATTACH_ATTORNEY);
}

static GtkWidget *
add_attachment_row (QoimaApplicationPage *self,
                    GtkListBox           *list,
                    const char           *title,
                    GCallback             attach_cb)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_label (_("Attach…"));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (button, self->editable);
  g_signal_connect_object (button, "clicked", attach_cb, self, G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  gtk_list_box_append (list, row);
  return row;
}

static void
base_delete_cb (QoimaApplicationPage *self,
                QoimaFundBaseRow     *row)
{
  /* R004-10: bases are deletable; the form keeps the rest. */
  g_ptr_array_remove (self->base_rows, row);
  gtk_list_box_remove (self->bases_list, GTK_WIDGET (row));
}

/* A collapsed row of kinds of care says what is chosen in it, so that a form's choices are
 * seen without opening every row (issue 13); opened, it says where the kinds come from. */
static void
update_care_summaries (QoimaApplicationPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->care_rows); i++)
    {
      AdwExpanderRow *row;
      g_auto(GStrv) chosen = NULL;
      g_autofree char *names = NULL;
      g_autofree char *summary = NULL;
      guint n;

      if (self->care_rows[i] == NULL)
        continue;
      row = ADW_EXPANDER_ROW (self->care_rows[i]);
      if (adw_expander_row_get_expanded (row))
        {
          adw_expander_row_set_subtitle (row, _("From a directory, as the license annexes allow"));
          continue;
        }
      chosen = chosen_care (self, i == 0 ? QOIMA_FUND_PROVIDER : QOIMA_FUND_COEXECUTOR);
      n = g_strv_length (chosen);
      names = qoima_fund_care_join_short_names ((const char * const *) chosen, SUMMARY_CHARS);
      /* TRANSLATORS: %u is how many kinds of care are chosen, %s their short names
       * ("Стационар, Амбулаторно"), cut with "…" when there are many */
      summary = n > 0 ? g_strdup_printf (ngettext ("%u kind chosen: %s", "%u kinds chosen: %s", n), n, names)
                      : g_strdup (_("Nothing chosen"));
      adw_expander_row_set_subtitle (row, summary);
    }
}

static void
care_toggled_cb (QoimaApplicationPage *self)
{
  update_care_summaries (self);
  update_base_choices (self);
}

static void
add_care_section (QoimaApplicationPage *self,
                  GtkListBox           *list,
                  QoimaFundSubjectStatus status)
{
  const char *field = status == QOIMA_FUND_PROVIDER ? "care_provider" : "care_coexecutor";
  char **chosen = status == QOIMA_FUND_PROVIDER ? self->form->care_provider : self->form->care_coexecutor;
  g_autoptr(GPtrArray) allowed = qoima_fund_care_allowed (self->form->licenses, status);
  GtkWidget *row = adw_expander_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 status == QOIMA_FUND_PROVIDER ? _("Kinds of Care as «Поставщик»")
                                                               : _("Kinds of Care as «Соисполнитель»"));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), chosen != NULL && chosen[0] != NULL);
  self->care_rows[status == QOIMA_FUND_PROVIDER ? 0 : 1] = row;
  g_signal_connect_object (row, "notify::expanded", G_CALLBACK (update_care_summaries), self, G_CONNECT_SWAPPED);
  /* R004-5: only what the directory has for the status and the annexes allow; a kind
   * chosen before the licenses changed stays shown, so that its problem can be seen. */
  for (const QoimaFundCare *care = qoima_fund_care_directory (); care->code != NULL; care++)
    {
      gboolean is_chosen = chosen != NULL && g_strv_contains ((const char * const *) chosen, care->code);
      gboolean is_allowed = FALSE;
      GtkWidget *item, *check;
      g_autofree char *key = g_strdup_printf ("%s:%s", field, care->code);

      for (guint i = 0; i < allowed->len; i++)
        is_allowed |= g_ptr_array_index (allowed, i) == care;
      if (!is_allowed && !is_chosen)
        continue;
      item = adw_action_row_new ();
      check = gtk_check_button_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (item), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (item), care->name);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), is_chosen);
      gtk_widget_set_sensitive (check, self->editable);
      adw_action_row_add_prefix (ADW_ACTION_ROW (item), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (item), check);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), item);
      g_signal_connect_object (check, "notify::active", G_CALLBACK (care_toggled_cb), self, G_CONNECT_SWAPPED);
      g_hash_table_insert (self->care_checks, g_steal_pointer (&key), check);
    }
  gtk_list_box_append (list, row);
  add_problem_row (self, list, field);
}

static void
add_base_row (QoimaApplicationPage *self,
              const QoimaFundBase  *base)
{
  GtkWidget *row = qoima_fund_base_row_new (base);

  qoima_fund_base_row_set_editable (QOIMA_FUND_BASE_ROW (row), self->editable);
  g_signal_connect_object (row, "delete-requested", G_CALLBACK (base_delete_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "attach-requested", G_CALLBACK (base_attach_cb), self, G_CONNECT_SWAPPED);
  g_ptr_array_add (self->base_rows, row);
  gtk_list_box_append (self->bases_list, row);
}

static const char *
edit_action_label (const char *action)
{
  static const struct { const char *action; const char *label; } labels[] = {
    { "created", N_("Created") },
    { "edited", N_("Edited") },
    { "submitted", N_("Sent for signing") },
    { "consent_signed", N_("Consent signed") },
    { "chief_rejected", N_("Rejected by the chief") },
    { "sent", N_("Sent to the Fund") },
    { "fund", N_("The Fund’s decision") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].action, action) == 0)
      return _(labels[i].label);
  return action;
}

static void
edits_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GtkListBox) list = user_data;
  g_autoptr(GPtrArray) edits = qoima_store_fund_edits_finish (QOIMA_STORE (source), result, NULL);

  /* R004-18: who, when, what. */
  for (guint i = 0; edits != NULL && i < edits->len; i++)
    {
      QoimaFundEdit *edit = g_ptr_array_index (edits, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf ("%s — %s", edit_action_label (edit->action), edit->actor);
      g_autofree char *subtitle = g_strdup_printf ("%s%s%s", edit->at, edit->detail != NULL ? " · " : "",
                                                   edit->detail != NULL ? edit->detail : "");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (list, row);
    }
}

/* The region's row names the region as soon as its code is typed. */
static char *
region_title (QoimaApplicationPage *self,
              const char           *code)
{
  g_autofree char *clean = stripped (code);
  const char *name = self->kato != NULL && clean != NULL ? qoima_fund_kato_name (self->kato, clean) : NULL;

  return name != NULL ? g_strdup_printf (_("Region Served (KATO Code): %s"), name)
                      : g_strdup (_("Region Served (KATO Code)"));
}

static void
update_region_title (QoimaApplicationPage *self)
{
  const char *code;
  g_autofree char *title = NULL;

  if (self->region_row == NULL || self->form == NULL)
    return;
  code = GTK_IS_EDITABLE (self->region_row) ? gtk_editable_get_text (GTK_EDITABLE (self->region_row)) : self->form->region;
  title = region_title (self, code);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->region_row), title);
}

static void
build_form (QoimaApplicationPage *self)
{
  QoimaFundApplication *app = self->form;
  GtkListBox *list;
  g_autofree char *title = NULL;
  g_autofree char *more = NULL;
  g_autofree char *region = NULL;
  GtkWidget *check;
  static const char * const pharmacy[] = { "Да", "Нет", NULL };

  self->filling = TRUE;
  clear_box (self->form_box);
  g_hash_table_remove_all (self->fields);
  g_hash_table_remove_all (self->problems);
  g_hash_table_remove_all (self->care_checks);
  g_ptr_array_set_size (self->base_rows, 0);
  self->registration_row = NULL;
  self->attorney_row = NULL;
  self->region_row = NULL;
  self->care_rows[0] = self->care_rows[1] = NULL;
  self->editable = form_is_new (self) ? may (self, QOIMA_FUND_ACTION_CREATE) : may (self, QOIMA_FUND_ACTION_EDIT);

  if (app->id == 0)
    title = app->chain_id != 0 ? g_strdup_printf (_("New version of the application (version %d)"), app->version)
                               : g_strdup (_("New application"));
  else
    title = g_strdup_printf (_("Application, version %d — %s"), app->version, qoima_fund_status_to_label (app->status));
  gtk_label_set_text (self->form_title, title);

  /* The decision and its reasons first, where they are read (R004-20, R004-26). */
  if (app->chief_reason != NULL && app->status == QOIMA_FUND_DRAFT)
    {
      g_autofree char *text = g_strdup_printf (_("Rejected by the chief: %s"), app->chief_reason);
      say (self, text, TRUE);
    }
  else if (app->fund_reasons != NULL && app->fund_reasons[0] != NULL)
    {
      g_autofree char *reasons = g_strjoinv ("\n", app->fund_reasons);
      g_autofree char *text = g_strdup_printf (_("The Fund’s reasons:\n%s%s%s"), reasons,
                                               app->fund_note != NULL ? "\n" : "", app->fund_note != NULL ? app->fund_note : "");
      say (self, text, TRUE);
    }

  /* Where it stands: the Fund's own words for the status, and its number once sent. */
  if (app->id != 0)
    {
      list = add_section (self, NULL, NULL);
      add_info (list, _("Status"), qoima_fund_status_to_label (app->status), SOURCE_NONE);
      if (app->fund_id != NULL)
        add_info (list, _("The Fund’s Number"), app->fund_id, SOURCE_FUND);
    }

  /* Subject (R004-5) */
  list = add_section (self, _("Healthcare Subject"), NULL);
  /* R004-23, R004-25: the names once, when the application is made; the ownership form
   * in a new application or version only. */
  add_entry (self, list, "name_kk", _("Name in Kazakh"), app->name_kk, SOURCE_HAND, app->id == 0 && app->chain_id == 0);
  add_entry (self, list, "name_ru", _("Name in Russian"), app->name_ru, SOURCE_REGISTRATION, app->id == 0 && app->chain_id == 0);
  add_info (list, _("BIN/IIN"), app->bin, SOURCE_REGISTRATION);
  add_problem_row (self, list, "bin");
  add_combo (self, list, "ownership", _("Ownership Form"), ownerships, app->ownership, SOURCE_DIRECTORY, app->id == 0);
  check = add_check (self, list, "Поставщик", _("Status of the subject"), (app->statuses & QOIMA_FUND_PROVIDER) != 0);
  g_hash_table_insert (self->fields, g_strdup ("status:provider"), check);
  check = add_check (self, list, "Соисполнитель", _("Status of the subject"), (app->statuses & QOIMA_FUND_COEXECUTOR) != 0);
  g_hash_table_insert (self->fields, g_strdup ("status:coexecutor"), check);
  add_problem_row (self, list, "statuses");
  add_care_section (self, list, QOIMA_FUND_PROVIDER);
  add_care_section (self, list, QOIMA_FUND_COEXECUTOR);
  region = region_title (self, app->region);
  self->region_row = add_entry (self, list, "region", region, app->region, SOURCE_DIRECTORY, TRUE);
  if (GTK_IS_EDITABLE (self->region_row))
    g_signal_connect_object (self->region_row, "changed", G_CALLBACK (update_region_title), self, G_CONNECT_SWAPPED);
  add_combo (self, list, "pharmacy", _("Pharmacy"), pharmacy,
             app->pharmacy == QOIMA_FUND_PHARMACY_YES ? "Да" : app->pharmacy == QOIMA_FUND_PHARMACY_NO ? "Нет" : NULL,
             SOURCE_HAND, TRUE);

  /* Addresses (R004-9) */
  list = add_section (self, _("Addresses"), NULL);
  add_entry (self, list, "legal_kato", _("Legal Address: KATO"), app->legal_kato, SOURCE_REGISTRATION, TRUE);
  add_entry (self, list, "legal_index", _("Postcode"), app->legal_index, SOURCE_REGISTRATION, TRUE);
  add_entry (self, list, "legal_street", _("Street"), app->legal_street, SOURCE_REGISTRATION, TRUE);
  add_entry (self, list, "legal_house", _("House"), app->legal_house, SOURCE_REGISTRATION, TRUE);
  add_entry (self, list, "legal_office", _("Office"), app->legal_office, SOURCE_REGISTRATION, TRUE);
  add_entry (self, list, "phone", _("Phone"), app->phone, SOURCE_REGISTRATION, TRUE);
  add_entry (self, list, "email", _("E-mail"), app->email, SOURCE_REGISTRATION, TRUE);
  more = app->more_addresses != NULL ? g_strjoinv ("; ", app->more_addresses) : NULL;
  add_entry (self, list, "more_addresses", _("More Addresses, Separated by “;”"), more, SOURCE_HAND, TRUE);

  /* Production bases (R004-10…12), from the license annexes */
  self->bases_list = add_section (self, _("Production Bases"),
                                  _("From the license annexes. Give each its position, its KATO object down to the "
                                    "settlement, its sanitary-epidemiological permit and the subtypes of care there."));
  for (guint i = 0; i < app->bases->len; i++)
    add_base_row (self, g_ptr_array_index (app->bases, i));
  add_problem_row (self, self->bases_list, "bases");

  /* Documents (R004-14, R004-15) */
  list = add_section (self, _("Documents"), _("Each attachment 20 MB at most."));
  self->registration_row = add_attachment_row (self, list,
                                               _("State Registration Certificate (or ИП Certificate and Identity Document)"),
                                               G_CALLBACK (registration_attach_cb));
  add_problem_row (self, list, "registration");
  add_info (list, _("Consent to Entering the Data"),
            app->consent_signed_by != NULL ? app->consent_signed_by : _("Signed by the chief when she sends the application"),
            SOURCE_GENERATED);
  self->attorney_row = add_attachment_row (self, list, _("Power of Attorney"), G_CALLBACK (attorney_attach_cb));
  add_problem_row (self, list, "power_of_attorney");
  show_registration_files (self);
  add_problem_row (self, list, "documents");

  /* R004-18: every edit, who and when */
  if (app->id != 0)
    {
      list = add_section (self, _("History"), NULL);
      qoima_store_fund_edits_async (store (self), app->id, self->cancellable, edits_cb, g_object_ref (list));
    }
  self->filling = FALSE;
  update_care_summaries (self);
  update_base_choices (self);
  update_actions (self);
}

static void
show_form (QoimaApplicationPage *self)
{
  say (self, NULL, FALSE);
  build_form (self);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->form_scroller), 0);
  gtk_stack_set_visible_child_name (self->stack, "form");
}

static QoimaFundApplication *
find_application (QoimaApplicationPage *self,
                  gint64                id)
{
  for (guint i = 0; self->applications != NULL && i < self->applications->len; i++)
    {
      QoimaFundApplication *app = g_ptr_array_index (self->applications, i);

      if (app->id == id)
        return app;
    }
  return NULL;
}

void
qoima_application_page_open (QoimaApplicationPage *self,
                             gint64                id)
{
  QoimaFundApplication *app;

  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));

  app = find_application (self, id);
  if (app == NULL)
    return;
  g_clear_pointer (&self->form, qoima_fund_application_free);
  self->form = qoima_fund_application_copy (app);
  show_form (self);
}

static void
application_activated_cb (QoimaApplicationPage *self,
                          GtkListBoxRow        *row)
{
  if (QOIMA_IS_FUND_APPLICATION_ROW (row))
    qoima_application_page_open (self, qoima_fund_application_row_get_item (QOIMA_FUND_APPLICATION_ROW (row))->id);
}

/* The list */

static void
fill_applications_list (QoimaApplicationPage *self)
{
  clear_list (self->applications_list);
  /* Every version is listed (R004-25), the newest of each chain first. */
  for (guint i = self->applications->len; i > 0; i--)
    {
      const QoimaFundApplication *app = g_ptr_array_index (self->applications, i - 1);
      const char *region_name = self->kato != NULL && app->region != NULL ? qoima_fund_kato_name (self->kato, app->region) : NULL;

      gtk_list_box_append (self->applications_list, qoima_fund_application_row_new (app, region_name));
    }
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(QoimaApplicationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) apps = qoima_store_fund_list_finish (QOIMA_STORE (source), result, &error);
  gint64 open = self->open_after_load;

  set_busy (self, FALSE);
  if (apps == NULL)
    {
      say_error (self, error);
      return;
    }
  g_clear_pointer (&self->applications, g_ptr_array_unref);
  self->applications = g_steal_pointer (&apps);
  fill_applications_list (self);
  self->open_after_load = 0;
  if (open != 0)
    qoima_application_page_open (self, open);
  else if (self->form != NULL && self->form->id != 0 && find_application (self, self->form->id) != NULL &&
           g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "form") == 0)
    {
      /* The open application moved on (the Fund's decision): the form shows it as it is. */
      QoimaFundApplication *now = find_application (self, self->form->id);

      if (now->status != self->form->status)
        qoima_application_page_open (self, now->id);
    }
  update_actions (self);
  schedule_poll (self);
}

static void
reload (QoimaApplicationPage *self)
{
  if (self->context == NULL)
    return;
  set_busy (self, TRUE);
  qoima_store_fund_list_async (store (self), 0, self->cancellable, list_cb, g_object_ref (self));
}

/* «Сохранить» */

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(QoimaApplicationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = qoima_store_fund_save_finish (QOIMA_STORE (source), result, &error);

  set_busy (self, FALSE);
  if (id == 0)
    {
      /* The store's checks (R004-4, R004-17, R004-23) say what the form's could not. */
      say_error (self, error);
      return;
    }
  self->open_after_load = id;
  reload (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (widget);
  g_autoptr(QoimaFundApplication) app = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (self->form == NULL || self->busy)
    return;
  app = collect (self);
  /* The checks of «Сохранить» (R004-5…17), each problem under its field; the store checks
   * again, with what only it knows. */
  problems = qoima_fund_application_check (app, self->kato, NULL, now);
  show_problems (self, problems);
  if (problems->len > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The application is not saved: %u field needs attention.",
                                                            "The application is not saved: %u fields need attention.", problems->len),
                                               problems->len);
      say (self, text, TRUE);
      return;
    }
  say (self, NULL, FALSE);
  set_busy (self, TRUE);
  qoima_store_fund_save_async (store (self), user (self), app, self->kato, self->cancellable, saved_cb, g_object_ref (self));
}

/* A new application: the subject from registration, the bases and licenses from the
 * licenses got (R004-10, R004-13). */
static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  QoimaFundApplication *app = qoima_fund_application_new ();
  const char *name;

  app->bin = g_strdup (registration_value (self, "bin"));
  name = registration_value (self, "full-name");
  app->name_ru = g_strdup (name != NULL ? name : registration_value (self, "company"));
  app->legal_kato = g_strdup (registration_value (self, "kato"));
  app->legal_street = g_strdup (registration_value (self, "address"));
  app->email = g_strdup (registration_value (self, "participant-email") != NULL ? registration_value (self, "participant-email")
                                                                         : registration_value (self, "email"));
  app->phone = g_strdup (registration_value (self, "participant-phone") != NULL ? registration_value (self, "participant-phone")
                                                                         : registration_value (self, "org-phone"));
  app->author = g_strdup (user (self) != NULL ? qoima_user_get_name (user (self)) : NULL);
  if (self->licenses != NULL)
    qoima_fund_application_refresh_licenses (app, self->licenses, now);
  g_clear_pointer (&self->form, qoima_fund_application_free);
  self->form = app;
  show_form (self);
  if (self->licenses == NULL)
    say (self, _("Get the licenses first: the kinds of care and the production bases come from their annexes."), TRUE);
}

/* «Внести изменение» (R004-25): a new version in «Проект», licenses and bases refreshed. */
static void
change_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  QoimaFundApplication *app;

  if (self->form == NULL)
    return;
  app = qoima_fund_application_copy (self->form);
  app->chain_id = self->form->chain_id != 0 ? self->form->chain_id : self->form->id;
  app->id = 0;
  app->version = self->form->version + 1;
  app->status = QOIMA_FUND_DRAFT;
  g_free (app->author);
  app->author = g_strdup (qoima_user_get_name (user (self)));
  g_clear_pointer (&app->chief_reason, g_free);
  g_clear_pointer (&app->consent_signature, g_free);
  g_clear_pointer (&app->consent_signed_by, g_free);
  if (self->licenses != NULL)
    qoima_fund_application_refresh_licenses (app, self->licenses, now);
  g_clear_pointer (&self->form, qoima_fund_application_free);
  self->form = app;
  show_form (self);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (widget);

  say (self, NULL, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "list");
}

/* The workflow's steps */

static void
acted_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(QoimaApplicationPage) self = user_data;
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE);
  if (!qoima_store_fund_act_finish (QOIMA_STORE (source), result, &error))
    {
      say_error (self, error);
      return;
    }
  self->open_after_load = self->form != NULL ? self->form->id : 0;
  reload (self);
}

static void
act (QoimaApplicationPage *self,
     QoimaFundAction       action,
     const char           *text)
{
  if (self->form == NULL || self->form->id == 0 || self->busy)
    return;
  set_busy (self, TRUE);
  qoima_store_fund_act_async (store (self), user (self), self->form->id, action, text, self->cancellable,
                              acted_cb, g_object_ref (self));
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  act (QOIMA_APPLICATION_PAGE (widget), QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (widget);

  act (self, QOIMA_FUND_ACTION_DELETE, NULL);
  gtk_stack_set_visible_child_name (self->stack, "list");
}

void
qoima_application_page_reject (QoimaApplicationPage *self,
                               const char           *reason)
{
  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));

  act (self, QOIMA_FUND_ACTION_CHIEF_REJECT, reason);
}

static void
reject_response_cb (AdwMessageDialog     *dialog,
                    const char           *response,
                    QoimaApplicationPage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autofree char *reason = stripped (gtk_editable_get_text (entry));

  if (g_strcmp0 (response, "reject") == 0 && reason != NULL)
    qoima_application_page_reject (self, reason);
}

static void
reject_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (widget);
  GtkWidget *dialog = adw_message_dialog_new (parent_window (self), _("Reject the Application?"),
                                              _("It goes back to «Проект» with your reason, for its author to correct."));
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason"));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "reject", _("_Reject"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "reject", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (reject_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* «Сформировать заявку о включении» (R004-19): the PDF, written off the main thread. */

static void
pdf_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  const QoimaFundApplication *app = task_data;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "qoima", NULL);
  g_autofree char *name = g_strdup_printf ("application-%" G_GINT64_FORMAT "-v%d.pdf", app->id, app->version);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", dir, g_strerror (saved));
      return;
    }
  if (!qoima_fund_application_write_pdf (app, path, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&path), g_free);
}

static void
write_pdf_async (QoimaApplicationPage *self,
                 const QoimaFundApplication *app,
                 GAsyncReadyCallback   callback)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, callback, g_object_ref (self));

  g_task_set_task_data (task, qoima_fund_application_copy (app), (GDestroyNotify) qoima_fund_application_free);
  g_task_run_in_thread (task, pdf_thread);
}

static void
open_file (QoimaApplicationPage *self,
           const char           *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);

  if (self->open_files)
    g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
}

static void
pdf_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(QoimaApplicationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_task_propagate_pointer (G_TASK (result), &error);

  set_busy (self, FALSE);
  if (path == NULL)
    {
      say_error (self, error);
      return;
    }
  g_free (self->pdf_path);
  self->pdf_path = g_strdup (path);
  open_file (self, path);
  {
    g_autofree char *text = g_strdup_printf (_("The application is formed: %s"), path);
    say (self, text, FALSE);
  }
}

static void
pdf_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (widget);
  g_autoptr(QoimaFundApplication) app = NULL;

  if (self->form == NULL || self->busy)
    return;
  /* What is on the screen, saved or not: the form is checked by reading it. */
  app = self->editable ? collect (self) : qoima_fund_application_copy (self->form);
  set_busy (self, TRUE);
  write_pdf_async (self, app, pdf_cb);
}

/* The chief signs the consent and sends (R004-14, R004-21, R004-22): her key, then what she
 * signs shown with its notices, then the signature over the application's PDF, then the
 * Fund, then the store. */

typedef struct {
  QoimaApplicationPage *self;
  QoimaSigner          *signer;
  QoimaFundClient      *client;
  GBytes               *pdf;
  QoimaFundApplication *app;   /* as she signs it */
  gint64                id;
} Sending;

static void
sending_free (Sending *sending)
{
  g_clear_object (&sending->self);
  g_clear_object (&sending->signer);
  g_clear_object (&sending->client);
  g_clear_pointer (&sending->pdf, g_bytes_unref);
  g_clear_pointer (&sending->app, qoima_fund_application_free);
  g_free (sending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sending, sending_free)

static void
sending_fail (Sending      *sending,
              const GError *error)
{
  set_busy (sending->self, FALSE);
  say_error (sending->self, error);
  sending->self->open_after_load = sending->id;
  reload (sending->self);
  sending_free (sending);
}

static void
followed_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(GError) error = NULL;

  if (!qoima_store_fund_follow_finish (QOIMA_STORE (source), result, &error))
    {
      sending_fail (sending, error);
      return;
    }
  set_busy (sending->self, FALSE);
  sending->self->open_after_load = sending->id;
  reload (sending->self);
  say (sending->self, _("Sent to the Fund. Its decision is followed here."), FALSE);
  sending_free (sending);
}

static void
marked_sent_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *fund_id = g_object_steal_data (G_OBJECT (sending->client), "fund-id");

  if (!qoima_store_fund_act_finish (QOIMA_STORE (source), result, &error))
    {
      sending_fail (sending, error);
      return;
    }
  qoima_store_fund_follow_async (store (sending->self), sending->id, QOIMA_FUND_UNDER_REVIEW, fund_id, NULL, NULL, NULL,
                                 sending->self->cancellable, followed_cb, sending);
}

static void
submitted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(GError) error = NULL;
  char *fund_id = qoima_fund_client_submit_finish (QOIMA_FUND_CLIENT (source), result, &error);

  if (fund_id == NULL)
    {
      sending_fail (sending, error);
      return;
    }
  /* The application is marked sent only once the Fund has it. */
  g_object_set_data_full (G_OBJECT (sending->client), "fund-id", fund_id, g_free);
  qoima_store_fund_act_async (store (sending->self), user (sending->self), sending->id, QOIMA_FUND_ACTION_SEND, NULL,
                              sending->self->cancellable, marked_sent_cb, sending);
}

static void
signed_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaFundApplication) app = qoima_store_fund_load_finish (QOIMA_STORE (source), result, &error);

  if (app == NULL)
    {
      sending_fail (sending, error);
      return;
    }
  qoima_fund_client_submit_async (sending->client, app, sending->self->cancellable, submitted_cb, sending);
}

static void
consent_signed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(GError) error = NULL;

  if (!qoima_store_fund_act_finish (QOIMA_STORE (source), result, &error))
    {
      sending_fail (sending, error);
      return;
    }
  qoima_store_fund_load_async (store (sending->self), sending->id, sending->self->cancellable, signed_loaded_cb, sending);
}

static void
signature_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = qoima_signer_sign_finish (QOIMA_SIGNER (source), result, &error);

  if (cms == NULL)
    {
      sending_fail (sending, error);
      return;
    }
  /* A key that tells its certificate only once it has signed (NCALayer) is checked now,
   * before the signature is kept or sent (R004-22). */
  if (sending->app != NULL &&
      !qoima_fund_application_check_signer (sending->app, user (sending->self),
                                            qoima_signer_get_certificate (sending->signer), &error))
    {
      sending_fail (sending, error);
      return;
    }
  /* The PDF goes with its signature: the Fund checks one against the other. */
  qoima_store_fund_sign_consent_async (store (sending->self), user (sending->self), sending->id, cms, sending->pdf,
                                       sending->self->cancellable, consent_signed_cb, sending);
}

static void
summary_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(GError) error = NULL;

  if (!qoima_sign_dialog_run_finish (result, &error))
    {
      /* Cancelled: nothing is signed. */
      set_busy (sending->self, FALSE);
      sending_free (sending);
      return;
    }
  /* The consent is signed over the application's PDF, the very bytes she saw (R004-14). */
  qoima_signer_sign_async (sending->signer, sending->pdf, QOIMA_SIGN_DETACHED, QOIMA_KEY_PURPOSE_SIGNING,
                           sending->self->cancellable, signature_cb, sending);
}

static void
sign_pdf_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QoimaApplicationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(Sending) sending = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  g_autoptr(GPtrArray) notices = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  const QoimaFundApplication *app = self->form;
  QoimaCertificate *certificate;

  if (path == NULL || app == NULL ||
      (mapped = g_mapped_file_new (path, FALSE, &error)) == NULL)
    {
      set_busy (self, FALSE);
      say_error (self, error);
      return;
    }
  g_free (self->pdf_path);
  self->pdf_path = g_strdup (path);
  /* She sees the very PDF she signs, beside the summary. */
  open_file (self, path);
  sending = g_new0 (Sending, 1);
  sending->self = g_object_ref (self);
  sending->signer = g_object_ref (qoima_context_get_signer (self->context));
  sending->pdf = g_mapped_file_get_bytes (mapped);
  sending->app = qoima_fund_application_copy (app);
  sending->id = app->id;
  sending->client = fund_client (self, &error);
  if (sending->client == NULL)
    {
      set_busy (self, FALSE);
      say_error (self, error);
      return;
    }

  /* What she signs: the subject, the region, the care, the bases, and R004-21's notices. */
  g_ptr_array_add (items, g_strdup (_("Subject")));
  g_ptr_array_add (items, g_strdup_printf ("%s, %s", app->name_ru != NULL ? app->name_ru : "", app->bin != NULL ? app->bin : ""));
  g_ptr_array_add (items, g_strdup (_("Region")));
  g_ptr_array_add (items, g_strdup_printf ("%s%s%s", app->region != NULL ? app->region : "",
                                           self->kato != NULL && app->region != NULL && qoima_fund_kato_name (self->kato, app->region) != NULL ? ", " : "",
                                           self->kato != NULL && app->region != NULL && qoima_fund_kato_name (self->kato, app->region) != NULL
                                             ? qoima_fund_kato_name (self->kato, app->region) : ""));
  g_ptr_array_add (items, g_strdup (_("Production bases")));
  g_ptr_array_add (items, g_strdup_printf ("%u", app->bases->len));
  g_ptr_array_add (items, g_strdup (_("Application PDF")));
  g_ptr_array_add (items, g_strdup (path));
  notices = qoima_fund_application_send_notices (app);
  for (guint i = 0; i < notices->len; i++)
    {
      g_ptr_array_add (items, g_strdup (_("Notice")));
      g_ptr_array_add (items, g_strdup (g_ptr_array_index (notices, i)));
    }
  certificate = qoima_signer_get_certificate (sending->signer);
  qoima_sign_dialog_run_to_async (parent_window (self),
                                  _("Read it before signing: the application and its PDF are sent to the Fund "
                                    "(ФСМС) and cannot be taken back."),
                                  _("Consent to entering the data and the application to the Fund’s database"),
                                  (const char * const *) items->pdata, -1, certificate, self->cancellable,
                                  summary_cb, g_steal_pointer (&sending));
}

static void
signing_key_ready (QoimaApplicationPage *self)
{
  QoimaSigner *signer = qoima_context_get_signer (self->context);
  QoimaCertificate *certificate = signer != NULL ? qoima_signer_get_certificate (signer) : NULL;
  g_autoptr(GError) error = NULL;

  /* R004-22: the chief's own key, issued to the organization applying; refused before
   * anything is formed, signed or sent. */
  if (!qoima_fund_application_check_signer (self->form, user (self), certificate, &error))
    {
      if (g_error_matches (error, QOIMA_SIGNER_ERROR, QOIMA_SIGNER_ERROR_WRONG_OWNER))
        qoima_context_set_signer (self->context, NULL);
      set_busy (self, FALSE);
      say_error (self, error);
      return;
    }
  write_pdf_async (self, self->form, sign_pdf_cb);
}

static void
key_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(QoimaApplicationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaSigner) signer = qoima_key_dialog_run_finish (result, &error);

  if (signer == NULL)
    {
      set_busy (self, FALSE);
      say_error (self, error);
      return;
    }
  qoima_context_set_signer (self->context, signer);
  signing_key_ready (self);
}

static void
sign_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->form == NULL || self->busy)
    return;
  if (!qoima_fund_application_may (self->form, user (self), QOIMA_FUND_ACTION_SIGN_CONSENT, &error))
    {
      say_error (self, error);
      return;
    }
  say (self, NULL, FALSE);
  set_busy (self, TRUE);
  if (qoima_context_get_signer (self->context) != NULL)
    signing_key_ready (self);
  else
    qoima_key_dialog_run_to_sign_async (parent_window (self), qoima_context_get_settings (self->context),
                                        _("Sign the Consent"), self->cancellable, key_cb, g_object_ref (self));
}

/* Following the Fund (R004-26, R004-27): every application sent is asked about, its
 * decision kept in the store. */

static gboolean
is_followed (QoimaFundStatus status)
{
  /* «Включен в БД» is followed too: it may still be excluded (R004-27). */
  return status != QOIMA_FUND_DRAFT && status != QOIMA_FUND_CHIEF_REVIEW && status != QOIMA_FUND_REJECTED &&
         status != QOIMA_FUND_EXCLUDED && status != QOIMA_FUND_CHANGED;
}

typedef struct {
  QoimaApplicationPage *self;
  QoimaFundClient      *client;
  GPtrArray            *pending;  /* QoimaFundApplication still to ask about */
  gboolean              changed;
} Poll;

static void poll_next (Poll *poll);

static void
poll_free (Poll *poll)
{
  g_clear_object (&poll->self);
  g_clear_object (&poll->client);
  g_clear_pointer (&poll->pending, g_ptr_array_unref);
  g_free (poll);
}

static void
poll_followed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Poll *poll = user_data;
  g_autoptr(GError) error = NULL;

  if (!qoima_store_fund_follow_finish (QOIMA_STORE (source), result, &error))
    /* Not fatal: asked again at the next poll. */
    g_message ("Could not keep the Fund's decision: %s", error->message);
  poll_next (poll);
}

static void
decision_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Poll *poll = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaFundDecision) decision = qoima_fund_client_get_decision_finish (QOIMA_FUND_CLIENT (source), result, &error);
  QoimaFundApplication *app = g_ptr_array_index (poll->pending, poll->pending->len - 1);

  if (decision == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          poll->self->polling = FALSE;
          poll_free (poll);
          return;
        }
      /* The Fund unreachable now: asked again at the next poll. */
      g_debug ("The Fund did not answer about %s: %s", app->fund_id, error->message);
      g_ptr_array_set_size (poll->pending, poll->pending->len - 1);
      poll_next (poll);
      return;
    }
  if (decision->status == app->status)
    {
      g_ptr_array_set_size (poll->pending, poll->pending->len - 1);
      poll_next (poll);
      return;
    }
  poll->changed = TRUE;
  qoima_store_fund_follow_async (store (poll->self), app->id, decision->status, app->fund_id,
                                 (const char * const *) decision->reasons, decision->note, decision->excluded_at,
                                 poll->self->poll_cancellable, poll_followed_cb, poll);
  g_ptr_array_set_size (poll->pending, poll->pending->len - 1);
}

static void
poll_next (Poll *poll)
{
  QoimaApplicationPage *self = poll->self;

  if (poll->pending->len == 0)
    {
      gboolean again = self->poll_again;

      self->polling = FALSE;
      self->poll_again = FALSE;
      if (poll->changed)
        reload (self);
      else if (again)
        qoima_application_page_poll (self);
      else
        schedule_poll (self);
      poll_free (poll);
      return;
    }
  qoima_fund_client_get_decision_async (poll->client,
                                        ((QoimaFundApplication *) g_ptr_array_index (poll->pending, poll->pending->len - 1))->fund_id,
                                        self->poll_cancellable, decision_cb, poll);
}

void
qoima_application_page_poll (QoimaApplicationPage *self)
{
  g_autoptr(QoimaFundClient) client = NULL;
  Poll *poll;

  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));

  /* One poll at a time: one asked for meanwhile follows the current one. */
  if (self->polling)
    {
      self->poll_again = TRUE;
      return;
    }
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->applications == NULL || user (self) == NULL || (client = fund_client (self, NULL)) == NULL)
    return;
  self->polling = TRUE;
  poll = g_new0 (Poll, 1);
  poll->self = g_object_ref (self);
  poll->client = g_steal_pointer (&client);
  poll->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_application_free);
  for (guint i = 0; i < self->applications->len; i++)
    {
      QoimaFundApplication *app = g_ptr_array_index (self->applications, i);

      if (app->fund_id != NULL && is_followed (app->status))
        g_ptr_array_add (poll->pending, qoima_fund_application_copy (app));
    }
  poll_next (poll);
}

static gboolean
poll_cb (gpointer user_data)
{
  QoimaApplicationPage *self = user_data;

  self->poll_id = 0;
  qoima_application_page_poll (self);
  return G_SOURCE_REMOVE;
}

/* Only while someone is signed in: the page lives as long as the window. */
static void
schedule_poll (QoimaApplicationPage *self)
{
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (user (self) == NULL)
    return;
  self->poll_id = g_timeout_add_seconds (self->poll_seconds, poll_cb, self);
}

/* Start */

static void
registration_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(QoimaApplicationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  QoimaStoredRegistration *registration = qoima_store_load_registration_finish (QOIMA_STORE (source), result, &error);

  if (registration == NULL && error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not read the registration: %s", error->message);
  g_clear_pointer (&self->registration, qoima_stored_registration_free);
  self->registration = registration;
  show_bins (self);
}

static void
kato_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  QoimaFundKato *kato = qoima_fund_kato_default ();

  /* Without a classifier of its own, the one the registration uses (the same file format):
   * regions are named, not only numbered, and a base's KATO is checked down to its last
   * level (R004-10). */
  if (kato == NULL)
    {
      g_autofree char *path = qoima_reference_get_path (QOIMA_REFERENCE_KATO);

      kato = qoima_fund_kato_load (path, NULL);
    }
  g_task_return_pointer (task, kato, (GDestroyNotify) qoima_fund_kato_free);
}

static void
kato_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (source);

  g_clear_pointer (&self->kato, qoima_fund_kato_free);
  self->kato = g_task_propagate_pointer (G_TASK (result), NULL);
  /* Listed before the classifier was read: the regions get their names now. */
  if (self->applications != NULL && self->kato != NULL)
    fill_applications_list (self);
  update_region_title (self);
}

static void
user_changed_cb (QoimaApplicationPage *self)
{
  const char *name = user (self) != NULL ? qoima_user_get_name (user (self)) : NULL;

  /* What one user had open is not the next one's. */
  if (g_strcmp0 (name, self->loaded_user) != 0)
    {
      g_free (self->loaded_user);
      self->loaded_user = g_strdup (name);
      g_clear_pointer (&self->form, qoima_fund_application_free);
      gtk_stack_set_visible_child_name (self->stack, "list");
      say (self, NULL, FALSE);
    }
  g_clear_handle_id (&self->poll_id, g_source_remove);
  update_actions (self);
  if (name != NULL)
    {
      reload (self);
      load_related (self);
    }
  else
    show_bins (self);
}

void
qoima_application_page_start (QoimaApplicationPage *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));
  g_return_if_fail (self->context != NULL);

  task = g_task_new (self, self->cancellable, kato_cb, NULL);
  g_task_run_in_thread (task, kato_thread);
  qoima_store_load_registration_async (store (self), self->cancellable, registration_cb, g_object_ref (self));
  g_signal_connect_object (self->context, "notify::user", G_CALLBACK (user_changed_cb), self, G_CONNECT_SWAPPED);
  user_changed_cb (self);
}

/* Test and setup API */

gboolean
qoima_application_page_get_busy (QoimaApplicationPage *self)
{
  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), FALSE);

  return self->busy;
}

void
qoima_application_page_set_fund_url (QoimaApplicationPage *self,
                                     const char           *url)
{
  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));

  g_free (self->fund_url);
  self->fund_url = g_strdup (url);
}

void
qoima_application_page_add_related (QoimaApplicationPage *self,
                                    const char           *bin)
{
  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->related_entry), bin);
  g_signal_emit_by_name (self->related_entry, "apply");
}

void
qoima_application_page_remove_related (QoimaApplicationPage *self,
                                       const char           *bin)
{
  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));

  for (guint i = 0; i < self->bin_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->bin_rows, i);

      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), bin) == 0)
        for (GtkWidget *child = row; child != NULL; child = qoima_next_widget (row, child))
          if (GTK_IS_BUTTON (child) && g_strcmp0 (g_object_get_data (G_OBJECT (child), "bin"), bin) == 0)
            {
              gtk_widget_activate (child);
              return;
            }
    }
}

const char *
qoima_application_page_get_related (QoimaApplicationPage *self)
{
  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), NULL);

  return self->related_bins;
}

const char *
qoima_application_page_get_request_state (QoimaApplicationPage *self,
                                          const char           *bin)
{
  gpointer state;

  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), NULL);

  state = g_hash_table_lookup (self->request_states, bin);
  return state != NULL ? qoima_fund_request_state_to_label (GPOINTER_TO_INT (state) - 1) : NULL;
}

gboolean
qoima_application_page_get_related_editable (QoimaApplicationPage *self)
{
  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->related_entry));
}

void
qoima_application_page_set_poll_seconds (QoimaApplicationPage *self,
                                         guint                 seconds)
{
  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));

  self->poll_seconds = MAX (seconds, 1);
  if (self->poll_id != 0)
    schedule_poll (self);
}

void
qoima_application_page_set_open_files (QoimaApplicationPage *self,
                                       gboolean              open_files)
{
  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));

  self->open_files = open_files;
}

guint
qoima_application_page_get_n_applications (QoimaApplicationPage *self)
{
  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), 0);

  return self->applications != NULL ? self->applications->len : 0;
}

const QoimaFundApplication *
qoima_application_page_get_application (QoimaApplicationPage *self,
                                        guint                 index)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), NULL);

  row = gtk_list_box_get_row_at_index (self->applications_list, (int) index);
  return row != NULL ? qoima_fund_application_row_get_item (QOIMA_FUND_APPLICATION_ROW (row)) : NULL;
}

const QoimaFundApplication *
qoima_application_page_get_form (QoimaApplicationPage *self)
{
  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), NULL);

  return self->form;
}

void
qoima_application_page_set_text (QoimaApplicationPage *self,
                                 const char           *field,
                                 const char           *text)
{
  GtkWidget *widget;

  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));

  widget = g_hash_table_lookup (self->fields, field);
  g_return_if_fail (widget != NULL);
  if (ADW_IS_COMBO_ROW (widget))
    {
      GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (widget));

      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

          if (g_strcmp0 (gtk_string_object_get_string (item), text) == 0)
            adw_combo_row_set_selected (ADW_COMBO_ROW (widget), i);
        }
    }
  else
    gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

void
qoima_application_page_set_status (QoimaApplicationPage *self,
                                   guint                 status,
                                   gboolean              chosen)
{
  GtkCheckButton *check;

  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));

  check = g_hash_table_lookup (self->fields, status == QOIMA_FUND_PROVIDER ? "status:provider" : "status:coexecutor");
  g_return_if_fail (check != NULL);
  gtk_check_button_set_active (check, chosen);
}

void
qoima_application_page_set_care (QoimaApplicationPage *self,
                                 guint                 status,
                                 const char           *code,
                                 gboolean              chosen)
{
  g_autofree char *key = NULL;
  GtkCheckButton *check;

  g_return_if_fail (QOIMA_IS_APPLICATION_PAGE (self));

  key = g_strdup_printf ("%s:%s", status == QOIMA_FUND_PROVIDER ? "care_provider" : "care_coexecutor", code);
  check = g_hash_table_lookup (self->care_checks, key);
  g_return_if_fail (check != NULL);
  gtk_check_button_set_active (check, chosen);
}

guint
qoima_application_page_get_n_bases (QoimaApplicationPage *self)
{
  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), 0);

  return self->base_rows->len;
}

GtkWidget *
qoima_application_page_get_base_row (QoimaApplicationPage *self,
                                     guint                 index)
{
  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), NULL);
  g_return_val_if_fail (index < self->base_rows->len, NULL);

  return g_ptr_array_index (self->base_rows, index);
}

const char *
qoima_application_page_get_problem (QoimaApplicationPage *self,
                                    const char           *field)
{
  GtkLabel *label;
  guint index;
  char sub[32];

  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), NULL);

  if (sscanf (field, "bases[%u].%31s", &index, sub) == 2)
    return index < self->base_rows->len ? qoima_fund_base_row_get_problem (g_ptr_array_index (self->base_rows, index), sub)
                                        : NULL;
  label = g_hash_table_lookup (self->problems, field);
  if (label == NULL || !gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (label))))
    return NULL;
  return gtk_label_get_text (label);
}

const char *
qoima_application_page_get_message (QoimaApplicationPage *self)
{
  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), NULL);

  return self->message;
}

const char *
qoima_application_page_get_pdf_path (QoimaApplicationPage *self)
{
  g_return_val_if_fail (QOIMA_IS_APPLICATION_PAGE (self), NULL);

  return self->pdf_path;
}

/* GObject */

static void
qoima_application_page_dispose (GObject *object)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->poll_cancellable);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), QOIMA_TYPE_APPLICATION_PAGE);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (qoima_application_page_parent_class)->dispose (object);
}

static void
qoima_application_page_finalize (GObject *object)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->poll_cancellable);
  g_clear_pointer (&self->kato, qoima_fund_kato_free);
  g_clear_pointer (&self->licenses, g_ptr_array_unref);
  g_clear_pointer (&self->got_licenses, g_ptr_array_unref);
  g_clear_pointer (&self->bin_rows, g_ptr_array_unref);
  g_clear_pointer (&self->request_states, g_hash_table_unref);
  g_free (self->related_bins);
  g_free (self->request_error);
  g_clear_pointer (&self->applications, g_ptr_array_unref);
  g_clear_pointer (&self->form, qoima_fund_application_free);
  g_clear_pointer (&self->registration, qoima_stored_registration_free);
  g_clear_pointer (&self->fields, g_hash_table_unref);
  g_clear_pointer (&self->problems, g_hash_table_unref);
  g_clear_pointer (&self->care_checks, g_hash_table_unref);
  g_clear_pointer (&self->base_rows, g_ptr_array_unref);
  g_free (self->fund_url);
  g_free (self->message);
  g_free (self->pdf_path);
  g_free (self->loaded_user);

  G_OBJECT_CLASS (qoima_application_page_parent_class)->finalize (object);
}

static void
qoima_application_page_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_application_page_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  QoimaApplicationPage *self = QOIMA_APPLICATION_PAGE (object);

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
qoima_application_page_class_init (QoimaApplicationPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_application_page_dispose;
  object_class->finalize = qoima_application_page_finalize;
  object_class->get_property = qoima_application_page_get_property;
  object_class->set_property = qoima_application_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         QOIMA_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/pages/qoima-application-page.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, activity_filter);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, filters_box);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, applications_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, bins_group);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, category_filter);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, change_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, delete_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, form_box);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, form_message);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, form_scroller);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, form_title);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, licenses_list);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, list_message);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, new_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, pdf_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, reject_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, related_entry);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, sign_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, stack);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, status_filter);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, submit_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaApplicationPage, type_filter);
  gtk_widget_class_bind_template_callback (widget_class, application_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, related_apply_cb);

  gtk_widget_class_install_action (widget_class, "application.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "application.get-licenses", NULL, get_licenses_action);
  gtk_widget_class_install_action (widget_class, "application.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "application.pdf", NULL, pdf_action);
  gtk_widget_class_install_action (widget_class, "application.submit", NULL, submit_action);
  gtk_widget_class_install_action (widget_class, "application.sign", NULL, sign_action);
  gtk_widget_class_install_action (widget_class, "application.reject", NULL, reject_action);
  gtk_widget_class_install_action (widget_class, "application.change", NULL, change_action);
  gtk_widget_class_install_action (widget_class, "application.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "application.back", NULL, back_action);
}

static void
qoima_application_page_init (QoimaApplicationPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->poll_cancellable = g_cancellable_new ();
  self->poll_seconds = DEFAULT_POLL_SECONDS;
  self->open_files = TRUE;
  self->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->problems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->care_checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->base_rows = g_ptr_array_new ();
  self->bin_rows = g_ptr_array_new ();
  self->request_states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  show_bins (self);

  /* A new administrator's first sight: what to do, not an empty frame (R004-4). */
  {
    GtkWidget *empty = gtk_label_new (_("No applications yet. Get the licenses first, then make one application "
                                        "for each region whose population the hospital serves."));

    gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
    gtk_label_set_xalign (GTK_LABEL (empty), 0);
    gtk_widget_set_margin_top (empty, 12);
    gtk_widget_set_margin_bottom (empty, 12);
    gtk_widget_set_margin_start (empty, 12);
    gtk_widget_set_margin_end (empty, 12);
    gtk_widget_add_css_class (empty, "dim-label");
    gtk_list_box_set_placeholder (self->applications_list, empty);
  }
}
