/* qoima-registration-window.c: the registration wizard (issue 12), the HIG's assistant pattern
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One page per step of QoimaRegistrationStep, built from the table below; every field is
 * checked as it is typed by the core's qoima_registration_validate() (the same checks as
 * qoimactl and the stand), its message right under it; Next says what is missing; the
 * draft is saved in the store at every step and resumed at its step. The last step shows
 * everything, signs it with the AUTH key after the signer confirmed the summary, sends it
 * and follows the request until ИС МПТ decides; a confirmed registration then configures
 * Qoima (its settings, the НКТ key, the first sync) on a page of its own.
 */

#define G_LOG_DOMAIN "qoima-registration"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "qoima-registration-window.h"
#include "qoima-certificate.h"
#include "qoima-error.h"
#include "qoima-ismpt-client.h"
#include "qoima-json.h"
#include "qoima-key-dialog.h"
#include "qoima-registration-checks.h"
#include "qoima-sign-dialog.h"
#include "qoima-sign-in.h"
#include "qoima-signer.h"
#include "qoima-signer-ncalayer.h"
#include "qoima-store-registration.h"
#include "qoima-store-users.h"
#include "qoima-sync.h"
#include "qoima-user.h"

typedef enum {
  KIND_ENTRY,
  KIND_SWITCH,   /* "true" / "false" */
  KIND_INFO,     /* read-only, filled from the key */
  KIND_PICKER,   /* a code chosen from a directory, searched as it is typed */
} Kind;

typedef struct {
  QoimaRegistrationStep step;
  const char *field;
  Kind kind;
  const char *title;
  QoimaReferenceKind reference;  /* pickers only */
} Field;

static const Field fields[] = {
  { QOIMA_REGISTRATION_STEP_STAND, "stand-url", KIND_ENTRY, N_("Address of another stand"), 0 },
  { QOIMA_REGISTRATION_STEP_REQUIREMENTS, "key-file", KIND_SWITCH, N_("Use a key file (.p12) instead of NCALayer"), 0 },
  { QOIMA_REGISTRATION_STEP_KEY, "signer-iin", KIND_INFO, N_("IIN"), 0 },
  { QOIMA_REGISTRATION_STEP_KEY, "company", KIND_INFO, N_("Company"), 0 },
  { QOIMA_REGISTRATION_STEP_KEY, "head-name", KIND_INFO, N_("Full name"), 0 },
  { QOIMA_REGISTRATION_STEP_KEY, "certificate-serial", KIND_INFO, N_("Certificate serial number"), 0 },
  { QOIMA_REGISTRATION_STEP_KEY, "certificate-issuer", KIND_INFO, N_("Issued by"), 0 },
  { QOIMA_REGISTRATION_STEP_KEY, "certificate-valid-to", KIND_INFO, N_("Valid until"), 0 },
  { QOIMA_REGISTRATION_STEP_CONTACTS, "email", KIND_ENTRY, N_("E-mail"), 0 },
  { QOIMA_REGISTRATION_STEP_CONTACTS, "org-phone", KIND_ENTRY, N_("Organization’s phone"), 0 },
  { QOIMA_REGISTRATION_STEP_CONTACTS, "head-mobile", KIND_ENTRY, N_("Head’s mobile phone"), 0 },
  { QOIMA_REGISTRATION_STEP_CONTACTS, "consent", KIND_SWITCH, N_("I consent to the processing of personal data"), 0 },
  { QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS, "producer-or-importer", KIND_SWITCH, N_("We are a producer or importer of goods"), 0 },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "full-name", KIND_ENTRY, N_("Full name of the organization"), 0 },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "bin", KIND_ENTRY, N_("IIN/BIN"), 0 },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "tax-office", KIND_PICKER, N_("Tax office (КГД): type its code or city"), QOIMA_REFERENCE_TAX_OFFICES },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "head", KIND_ENTRY, N_("Head"), 0 },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "kato", KIND_PICKER, N_("Locality (KATO): type its name"), QOIMA_REFERENCE_KATO },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "address", KIND_ENTRY, N_("Street and house"), 0 },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "participant-email", KIND_ENTRY, N_("E-mail"), 0 },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "participant-phone", KIND_ENTRY, N_("Phone"), 0 },
  { QOIMA_REGISTRATION_STEP_BANK, "bic", KIND_PICKER, N_("Bank: type its name or BIC"), QOIMA_REFERENCE_BANKS },
  { QOIMA_REGISTRATION_STEP_BANK, "correspondent-account", KIND_ENTRY, N_("Correspondent account (optional)"), 0 },
  { QOIMA_REGISTRATION_STEP_BANK, "iban", KIND_ENTRY, N_("IBAN"), 0 },
  { QOIMA_REGISTRATION_STEP_BANK, "advance-invoice", KIND_SWITCH, N_("Receive an invoice for an advance payment"), 0 },
};

static const struct {
  const char *title;
  const char *description;
} steps[QOIMA_REGISTRATION_N_STEPS] = {
  { N_("Stand"), N_("The test stand (stage.ismet.kz) is free and has the same functions; the industrial stand is where the hospital really works. Register on the test stand first.") },
  { N_("Requirements"), N_("An ЭЦП from pki.gov.kz and NCALayer (or the key file) are needed, and the computer’s clock must be right.") },
  { N_("Key"), N_("The request is signed with the certificate whose name starts with AUTH; its password is asked each time and never stored. The request is filled from it.") },
  { N_("Contacts and Consent"), N_("All four are required.") },
  { N_("Product Groups"), N_("A medical organization is not a producer or importer. A product group once added can never be removed.") },
  { N_("Participant Data"), N_("As registered with the tax office.") },
  { N_("Users"), N_("Optional: the employees who will work in ИС МПТ besides the head (the Administrator can also add employees and request invoices, later too). An individual entrepreneur has no users.") },
  { N_("Bank Details"), N_("A card’s IBAN may serve when there is no settlement account.") },
  { N_("Sign and Send"), N_("Check everything: the request is signed with your key (GOST for a legal entity, RSA for an individual) and sent.") },
};

static const char * const participant_types[] = { "wholesale", "importer", "retail", "producer" };
static const char * const participant_type_titles[] = { N_("Wholesale"), N_("Importer"), N_("Retail"), N_("Producer") };

/* Suggestions shown under a picker: a few, so that the step stays readable. */
#define N_SUGGESTIONS 6
/* The first status poll, doubled after each answer up to the last: a request takes up to 24
 * hours (R003-3), a local stand a moment. */
#define FIRST_POLL_MS 500
#define LAST_POLL_MS  60000
/* Any well-formed GTIN: the НКТ key is checked by whether the catalog lets it ask (401 or
 * not), not by the card. */
#define API_KEY_CHECK_GTIN "04870000000015"

typedef enum {
  CHECK_NCALAYER,
  CHECK_KEY,
  CHECK_CLOCK,
  N_CHECKS,
} Check;

static const char * const check_names[N_CHECKS] = { "ncalayer", "key", "clock" };

typedef struct _QoimaRegistrationWindow QoimaRegistrationWindow;

/* A code chosen from a directory: typed, suggested, chosen by the user. */
typedef struct {
  QoimaRegistrationWindow *self;
  const char *field;
  QoimaReferenceKind kind;
  GtkWidget *entry;
  GtkWidget *list;     /* the suggestions */
  GtkWidget *chosen;   /* the choice whole (KATO's path) */
} Picker;

struct _QoimaRegistrationWindow
{
  AdwWindow parent_instance;

  /* template */
  AdwWindowTitle *window_title;
  GtkStack *stack;
  GtkLabel *hint_label;
  GtkWidget *back_button;
  GtkWidget *next_button;
  GtkWidget *send_button;

  /* owned */
  QoimaContext *context;
  QoimaRegistration *draft;
  QoimaRegistrationReferences references;
  GHashTable *messages;        /* field -> GtkLabel under it */
  GHashTable *widgets;         /* field -> its entry, switch or info row */
  GHashTable *group_switches;  /* product group code -> GtkSwitch */
  GHashTable *type_switches;   /* participant type -> GtkSwitch */
  GHashTable *pickers;         /* field -> Picker */
  GtkWidget *stand_combo;
  GtkWidget *key_row;
  GtkWidget *check_rows[N_CHECKS];
  GtkWidget *check_icons[N_CHECKS];
  int check_state[N_CHECKS];   /* -1 not known yet, 0 failed, 1 passed */
  GtkWidget *summary_box;
  GtkWidget *users_group;      /* step 7: the users in the request */
  GtkWidget *users_box;
  GtkWidget *offers_group;     /* step 7: Qoima's own users with an IIN, offered */
  GtkWidget *offers_list;
  GListModel *qoima_users;     /* QoimaUser, as the store lists them */
  GHashTable *user_entries;    /* "index:field" -> the entry of a user in the request */
  GtkWidget *status_group;
  GtkWidget *status_row;
  GtkWidget *status_spinner;
  GtkWidget *done_page;
  GtkWidget *contract_label;   /* R000-2: the contract's text, as signed */
  GtkWidget *contract_button;
  GtkWidget *contract_status;
  GtkWidget *api_key_row;
  GtkWidget *api_key_label;
  GtkWidget *sync_label;
  GCancellable *cancellable;
  GCancellable *checks_cancellable;
  char *ncalayer_url;          /* NULL: NCALayer's own address */

  QoimaIsmptClient *client;    /* the stand the request goes to */
  char *state;                 /* draft | sent | confirmed | refused, as stored */
  char *request_id;
  char *reason;
  char *request_status;        /* RECEIVED, CHECKED, PROCESSING, CONFIRMED, REFUSED, or NULL */
  guint poll_source;
  guint poll_interval_ms;
  gboolean busy;               /* signing or sending */
  gboolean api_key_ok;
  gboolean synced;

  QoimaRegistrationStep step;
  gboolean loading;            /* filling widgets from the draft: not a change */
  gboolean saved;
  gboolean loaded;             /* the store's draft (or none) was read */
  gboolean sign_contract_asked; /* qoima_registration_window_sign_contract() before that */
};

G_DEFINE_FINAL_TYPE (QoimaRegistrationWindow, qoima_registration_window, ADW_TYPE_WINDOW)

enum {
  SIGNAL_SAVED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void update (QoimaRegistrationWindow *self);
static void run_checks (QoimaRegistrationWindow *self);
static void poll_status (QoimaRegistrationWindow *self);
static void show_done (QoimaRegistrationWindow *self);

static QoimaReference *
reference_of (QoimaRegistrationWindow *self,
              QoimaReferenceKind       kind)
{
  switch (kind)
    {
    case QOIMA_REFERENCE_KATO: return self->references.kato;
    case QOIMA_REFERENCE_TAX_OFFICES: return self->references.tax_offices;
    case QOIMA_REFERENCE_BANKS: return self->references.banks;
    case QOIMA_REFERENCE_PRODUCT_GROUPS: return self->references.product_groups;
    default: return NULL;
    }
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->saved = qoima_store_save_registration_finish (QOIMA_STORE (source), result, &error);
  if (error != NULL)
    gtk_label_set_text (self->hint_label, error->message);
  else
    g_signal_emit (self, signals[SIGNAL_SAVED], 0);
}

/* The draft and the request's state, as they are now. */
static void
save (QoimaRegistrationWindow *self)
{
  QoimaStore *store = qoima_context_get_store (self->context);

  self->saved = FALSE;
  qoima_registration_set_step (self->draft, self->step);
  if (store != NULL)
    qoima_store_save_registration_async (store, qoima_context_get_user (self->context), self->draft,
                                         self->state, self->request_id, self->reason,
                                         NULL, saved_cb, g_object_ref (self));
}

static void
set_state (QoimaRegistrationWindow *self,
           const char              *state,
           const char              *request_id,
           const char              *reason)
{
  g_free (self->state);
  self->state = g_strdup (state);
  if (request_id != self->request_id)
    {
      g_free (self->request_id);
      self->request_id = g_strdup (request_id);
    }
  g_free (self->reason);
  self->reason = g_strdup (reason);
}

static GtkWidget *
message_label (void)
{
  GtkWidget *message = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_widget_add_css_class (message, "error");
  gtk_widget_add_css_class (message, "caption");
  gtk_widget_set_margin_start (message, 12);
  gtk_widget_set_visible (message, FALSE);
  return message;
}

static GtkWidget *
boxed_list (void)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  return list;
}

static GtkWidget *
field_box (QoimaRegistrationWindow *self,
           const char              *field,
           GtkWidget               *row)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *list = boxed_list ();
  GtkWidget *message = message_label ();

  gtk_list_box_append (GTK_LIST_BOX (list), row);
  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (GTK_BOX (box), message);
  g_hash_table_insert (self->messages, g_strdup (field), message);
  return box;
}

static void
entry_changed_cb (GtkEditable             *editable,
                  QoimaRegistrationWindow *self)
{
  const char *field = g_object_get_data (G_OBJECT (editable), "field");
  const char *text = gtk_editable_get_text (editable);

  if (self->loading)
    return;
  qoima_registration_set (self->draft, field, *text != '\0' ? text : NULL);
  update (self);
}

static void
switch_changed_cb (GtkSwitch               *sw,
                   GParamSpec              *pspec,
                   QoimaRegistrationWindow *self)
{
  const char *field = g_object_get_data (G_OBJECT (sw), "field");
  gboolean on = gtk_switch_get_active (sw);

  if (self->loading)
    return;
  if (g_strcmp0 (field, "producer-or-importer") == 0)
    qoima_registration_set (self->draft, field, on ? "yes" : "no");
  else
    qoima_registration_set (self->draft, field, on ? "true" : "false");
  update (self);
  /* NCALayer or the key file: what is required changes with it. */
  if (g_strcmp0 (field, "key-file") == 0)
    run_checks (self);
}

static void
list_switch_changed_cb (GtkSwitch               *sw,
                        GParamSpec              *pspec,
                        QoimaRegistrationWindow *self)
{
  GHashTable *switches = g_object_get_data (G_OBJECT (sw), "switches");
  const char *field = g_object_get_data (G_OBJECT (sw), "field");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) values = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (self->loading)
    return;
  g_hash_table_iter_init (&iter, switches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (gtk_switch_get_active (value))
      g_strv_builder_add (builder, key);
  values = g_strv_builder_end (builder);
  qoima_registration_set_list (self->draft, field, (const char * const *) values);
  /* Another choice of groups is confirmed again (R001-6). */
  if (g_strcmp0 (field, "product-groups") == 0)
    qoima_registration_set (self->draft, "product-groups-confirmed", NULL);
  update (self);
}

static GtkWidget *
switch_row (QoimaRegistrationWindow *self,
            const char              *title,
            const char              *subtitle,
            GtkWidget              **out_switch)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();

  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  *out_switch = sw;
  return row;
}

static void
stand_selected_cb (AdwComboRow             *combo,
                   GParamSpec              *pspec,
                   QoimaRegistrationWindow *self)
{
  static const char * const stands[] = { "test", "industrial", "custom" };
  guint selected = adw_combo_row_get_selected (combo);

  if (self->loading || selected >= G_N_ELEMENTS (stands))
    return;
  qoima_registration_set (self->draft, "stand", stands[selected]);
  update (self);
}

static GtkWidget *
list_group (QoimaRegistrationWindow *self,
            const char              *title,
            const char              *field,
            GHashTable              *switches,
            const char * const      *codes,
            const char * const      *titles,
            guint                    n)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *list = boxed_list ();
  GtkWidget *message = message_label ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *sw;
      GtkWidget *row = switch_row (self, titles[i], NULL, &sw);

      g_object_set_data (G_OBJECT (sw), "switches", switches);
      g_object_set_data_full (G_OBJECT (sw), "field", g_strdup (field), g_free);
      g_hash_table_insert (switches, g_strdup (codes[i]), sw);
      g_signal_connect (sw, "notify::active", G_CALLBACK (list_switch_changed_cb), self);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  gtk_widget_set_margin_start (message, 0);
  g_hash_table_insert (self->messages, g_strdup (field), message);
  gtk_widget_set_visible (list, n > 0);
  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (GTK_BOX (box), message);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), box);
  return group;
}

/* ---- step 7: users (R001-8) ---- */

static void rebuild_offers (QoimaRegistrationWindow *self);

static void
user_entry_changed_cb (GtkEditable             *editable,
                       QoimaRegistrationWindow *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (editable), "user-index"));
  const char *field = g_object_get_data (G_OBJECT (editable), "user-field");

  qoima_registration_set_user_field (self->draft, index, field, gtk_editable_get_text (editable));
  update (self);
}

static void
user_admin_changed_cb (GtkSwitch               *sw,
                       GParamSpec              *pspec,
                       QoimaRegistrationWindow *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (sw), "user-index"));

  qoima_registration_set_user_field (self->draft, index, "role",
                                     gtk_switch_get_active (sw) ? "administrator" : "user");
  update (self);
}

static gboolean
is_user_message (gpointer key,
                 gpointer value,
                 gpointer user_data)
{
  return g_str_has_prefix (key, "users[");
}

static void
rebuild_users (QoimaRegistrationWindow *self)
{
  static const struct {
    const char *field;
    const char *title;
  } user_fields[] = {
    { "surname", N_("Surname") },
    { "name", N_("Name") },
    { "iin", N_("IIN") },
    { "email", N_("E-mail") },
    { "phone", N_("Phone") },
  };
  guint n = qoima_registration_get_n_users (self->draft);
  GtkWidget *child;

  if (self->users_box == NULL)
    return;
  while ((child = gtk_widget_get_first_child (self->users_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->users_box), child);
  g_hash_table_foreach_remove (self->messages, is_user_message, NULL);
  g_hash_table_remove_all (self->user_entries);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *expander = adw_expander_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      GtkWidget *admin_row = adw_action_row_new ();
      GtkWidget *admin_switch = gtk_switch_new ();
      g_autofree char *field = g_strdup_printf ("users[%u]", i);
      g_autofree char *title = g_strdup_printf ("%s %s", qoima_registration_get_user_field (self->draft, i, "surname"),
                                                qoima_registration_get_user_field (self->draft, i, "name"));
      gboolean admin = g_strcmp0 (qoima_registration_get_user_field (self->draft, i, "role"), "administrator") == 0;
      g_autofree char *subtitle = g_strdup_printf ("%s · %s", qoima_registration_get_user_field (self->draft, i, "iin"),
                                                   admin ? _("Administrator") : _("User"));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), title);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove From the Request"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "registration.remove-user");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "u", i);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), remove);
      for (guint f = 0; f < G_N_ELEMENTS (user_fields); f++)
        {
          GtkWidget *row = adw_entry_row_new ();

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(user_fields[f].title));
          gtk_editable_set_text (GTK_EDITABLE (row), qoima_registration_get_user_field (self->draft, i, user_fields[f].field));
          g_object_set_data (G_OBJECT (row), "user-index", GUINT_TO_POINTER (i));
          g_object_set_data (G_OBJECT (row), "user-field", (gpointer) user_fields[f].field);
          g_signal_connect (row, "changed", G_CALLBACK (user_entry_changed_cb), self);
          g_hash_table_insert (self->user_entries, g_strdup_printf ("%u:%s", i, user_fields[f].field), row);
          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (admin_row), _("Administrator"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (admin_row), _("Can also add employees and request invoices."));
      gtk_widget_set_valign (admin_switch, GTK_ALIGN_CENTER);
      gtk_switch_set_active (GTK_SWITCH (admin_switch), admin);
      g_object_set_data (G_OBJECT (admin_switch), "user-index", GUINT_TO_POINTER (i));
      g_signal_connect (admin_switch, "notify::active", G_CALLBACK (user_admin_changed_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (admin_row), admin_switch);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (admin_row), admin_switch);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), admin_row);
      /* Prefilled from Qoima: what is left to type shows at once. */
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander),
                                     *qoima_registration_get_user_field (self->draft, i, "email") == '\0' ||
                                     *qoima_registration_get_user_field (self->draft, i, "phone") == '\0');
      gtk_box_append (GTK_BOX (self->users_box), field_box (self, field, expander));
    }
  if (n == 0)
    {
      GtkWidget *label = gtk_label_new (_("None: the head alone works in ИС МПТ until the Administrator adds employees."));

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (self->users_box), label);
    }
}

static void
remove_user_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (widget);
  guint index = g_variant_get_uint32 (parameter);

  if (index >= qoima_registration_get_n_users (self->draft))
    return;
  qoima_registration_remove_user (self->draft, index);
  rebuild_users (self);
  rebuild_offers (self);
  update (self);
}

/* One click adds a Qoima user to the request, never without it (R001-8). */
static void
add_offer_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (widget);
  const char *iin = g_variant_get_string (parameter, NULL);

  for (guint i = 0; self->qoima_users != NULL && i < g_list_model_get_n_items (self->qoima_users); i++)
    {
      g_autoptr(QoimaUser) user = g_list_model_get_item (self->qoima_users, i);

      if (g_strcmp0 (qoima_user_get_iin (user), iin) != 0)
        continue;
      if (qoima_registration_add_qoima_user (self->draft, qoima_user_get_full_name (user) != NULL
                                                          ? qoima_user_get_full_name (user) : qoima_user_get_name (user),
                                             iin, qoima_role_to_nick (qoima_user_get_role (user))))
        {
          rebuild_users (self);
          rebuild_offers (self);
          update (self);
        }
      return;
    }
}

static void
rebuild_offers (QoimaRegistrationWindow *self)
{
  GtkWidget *child;
  guint shown = 0;

  if (self->offers_list == NULL)
    return;
  while ((child = gtk_widget_get_first_child (self->offers_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->offers_list), child);
  for (guint i = 0; self->qoima_users != NULL && i < g_list_model_get_n_items (self->qoima_users); i++)
    {
      g_autoptr(QoimaUser) user = g_list_model_get_item (self->qoima_users, i);
      const char *iin = qoima_user_get_iin (user);
      GtkWidget *row;
      GtkWidget *suffix;
      g_autofree char *subtitle = NULL;

      /* Only who ИС МПТ can know: a person with an IIN, still working here. */
      if (iin == NULL || *iin == '\0' || qoima_user_get_disabled (user))
        continue;
      row = adw_action_row_new ();
      subtitle = g_strdup_printf ("%s · %s", iin, qoima_role_to_label (qoima_user_get_role (user)));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), qoima_user_get_full_name (user) != NULL
                                                                ? qoima_user_get_full_name (user) : qoima_user_get_name (user));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (qoima_registration_find_user (self->draft, iin) >= 0)
        {
          suffix = gtk_label_new (_("In the request"));
          gtk_widget_add_css_class (suffix, "dim-label");
        }
      else
        {
          suffix = gtk_button_new_with_label (_("Add"));
          gtk_widget_set_valign (suffix, GTK_ALIGN_CENTER);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (suffix), "registration.add-offer");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (suffix), "s", iin);
          g_object_set_data_full (G_OBJECT (row), "iin", g_strdup (iin), g_free);
        }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
      gtk_list_box_append (GTK_LIST_BOX (self->offers_list), row);
      shown++;
    }
  gtk_widget_set_visible (self->offers_group, shown > 0 && qoima_registration_is_legal_entity (self->draft));
}

static void
users_listed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) users = qoima_store_list_users_finish (QOIMA_STORE (source), result, &error);

  if (users == NULL)
    {
      /* Only a start: without it the users are typed. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Qoima's users not listed: %s", error->message);
      return;
    }
  g_set_object (&self->qoima_users, users);
  rebuild_offers (self);
}

static GtkWidget *
users_page_groups (QoimaRegistrationWindow *self,
                   GtkWidget               *page)
{
  GtkWidget *offers_group = adw_preferences_group_new ();

  self->users_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->users_group), _("In the Request"));
  self->users_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->users_group), self->users_box);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (self->users_group));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (offers_group), _("Qoima’s Users"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (offers_group),
                                         _("Those with an IIN, as a start: add one and type the e-mail and phone, which Qoima does not keep."));
  self->offers_list = boxed_list ();
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (offers_group), self->offers_list);
  gtk_widget_set_visible (offers_group, FALSE);
  self->offers_group = offers_group;
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (offers_group));
  return offers_group;
}

/* ---- pickers: tax office, bank, KATO ---- */

/* How a directory's entry is shown: «6201 - ДГД по …», «Kaspi Bank (CASPKZKA)», a locality. */
static char *
picker_display (Picker                    *picker,
                const QoimaReferenceEntry *entry)
{
  switch (picker->kind)
    {
    case QOIMA_REFERENCE_TAX_OFFICES:
      return g_strdup_printf ("%s - %s", entry->code, entry->name);
    case QOIMA_REFERENCE_BANKS:
      return g_strdup_printf ("%s (%s)", entry->name, entry->code);
    case QOIMA_REFERENCE_KATO:
    case QOIMA_REFERENCE_PRODUCT_GROUPS:
    default:
      return g_strdup (entry->name);
    }
}

static const QoimaReferenceEntry *
picker_lookup (Picker     *picker,
               const char *code)
{
  QoimaReference *reference = reference_of (picker->self, picker->kind);

  return reference != NULL && code != NULL ? qoima_reference_lookup (reference, code) : NULL;
}

/* The choice whole under the field: KATO's path from the region down. */
static void
picker_show_choice (Picker *picker)
{
  const QoimaReferenceEntry *entry = picker_lookup (picker, qoima_registration_get (picker->self->draft, picker->field));
  g_autofree char *text = NULL;

  if (entry != NULL && picker->kind == QOIMA_REFERENCE_KATO)
    text = qoima_reference_get_path_name (picker->self->references.kato, entry);
  gtk_label_set_text (GTK_LABEL (picker->chosen), text != NULL ? text : "");
  gtk_widget_set_visible (picker->chosen, text != NULL);
}

static void
picker_set_entry_text (Picker     *picker,
                       const char *text)
{
  gboolean loading = picker->self->loading;

  picker->self->loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (picker->entry), text);
  picker->self->loading = loading;
}

static void
picker_clear_suggestions (Picker *picker)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (picker->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (picker->list), child);
  gtk_widget_set_visible (picker->list, FALSE);
}

static void
picker_choose (Picker     *picker,
               const char *code)
{
  const QoimaReferenceEntry *entry = picker_lookup (picker, code);
  g_autofree char *typed_field = g_strconcat (picker->field, "-typed", NULL);
  g_autofree char *display = NULL;

  if (entry == NULL)
    return;
  display = picker_display (picker, entry);
  qoima_registration_set (picker->self->draft, picker->field, entry->code);
  qoima_registration_set (picker->self->draft, typed_field, NULL);
  picker_set_entry_text (picker, display);
  picker_clear_suggestions (picker);
  picker_show_choice (picker);
  update (picker->self);
}

static void
suggestion_activated_cb (GtkListBox    *list,
                         GtkListBoxRow *row,
                         Picker        *picker)
{
  picker_choose (picker, g_object_get_data (G_OBJECT (row), "code"));
}

static void
picker_suggest (Picker     *picker,
                const char *text)
{
  QoimaReference *reference = reference_of (picker->self, picker->kind);
  g_autoptr(GPtrArray) found = NULL;
  guint shown = 0;

  picker_clear_suggestions (picker);
  if (reference == NULL)
    return;
  /* KATO: only a leaf is an address, so the search runs whole and keeps the leaves. */
  found = qoima_reference_search (reference, text, picker->kind == QOIMA_REFERENCE_KATO ? 0 : N_SUGGESTIONS);
  for (guint i = 0; i < found->len && shown < N_SUGGESTIONS; i++)
    {
      const QoimaReferenceEntry *entry = g_ptr_array_index (found, i);
      g_autofree char *display = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (picker->kind == QOIMA_REFERENCE_KATO && entry->n_children > 0)
        continue;
      display = picker_display (picker, entry);
      if (picker->kind == QOIMA_REFERENCE_KATO)
        subtitle = qoima_reference_get_path_name (reference, entry);
      else if (picker->kind == QOIMA_REFERENCE_BANKS && entry->bank_code != NULL)
        /* TRANSLATORS: the bank's code in the IBAN (characters 5–7) */
        subtitle = g_strdup_printf (_("Bank code in the IBAN: %s"), entry->bank_code);
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), display);
      if (subtitle != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "code", g_strdup (entry->code), g_free);
      gtk_list_box_append (GTK_LIST_BOX (picker->list), row);
      shown++;
    }
  gtk_widget_set_visible (picker->list, shown > 0);
}

static void
picker_changed_cb (GtkEditable *editable,
                   Picker      *picker)
{
  QoimaRegistrationWindow *self = picker->self;
  const char *text = gtk_editable_get_text (editable);
  const QoimaReferenceEntry *chosen = picker_lookup (picker, qoima_registration_get (self->draft, picker->field));
  const QoimaReferenceEntry *exact;
  g_autofree char *typed_field = g_strconcat (picker->field, "-typed", NULL);
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (self->loading)
    return;
  if (chosen != NULL)
    {
      g_autofree char *display = picker_display (picker, chosen);

      if (g_str_equal (display, text))
        return;
    }
  /* Typing again undoes the choice: only a chosen entry is a value. */
  qoima_registration_set (self->draft, picker->field, NULL);
  qoima_registration_set (self->draft, typed_field, *text != '\0' ? text : NULL);
  picker_show_choice (picker);
  /* A whole code typed (6201, CASPKZKA, a leaf's KATO code) is a choice already. */
  exact = picker_lookup (picker, stripped);
  if (exact != NULL && (picker->kind != QOIMA_REFERENCE_KATO || exact->n_children == 0))
    {
      picker_choose (picker, exact->code);
      return;
    }
  picker_suggest (picker, text);
  update (self);
}

static void
picker_load (Picker *picker)
{
  const char *code = qoima_registration_get (picker->self->draft, picker->field);
  const QoimaReferenceEntry *entry = picker_lookup (picker, code);
  g_autofree char *typed_field = g_strconcat (picker->field, "-typed", NULL);

  picker_clear_suggestions (picker);
  if (entry != NULL)
    {
      g_autofree char *display = picker_display (picker, entry);

      picker_set_entry_text (picker, display);
    }
  else
    {
      const char *typed = qoima_registration_get (picker->self->draft, typed_field);

      picker_set_entry_text (picker, typed != NULL ? typed : (code != NULL ? code : ""));
    }
  picker_show_choice (picker);
}

static GtkWidget *
picker_box (QoimaRegistrationWindow *self,
            const Field             *field)
{
  Picker *picker = g_new0 (Picker, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *list = boxed_list ();
  GtkWidget *message = message_label ();

  picker->self = self;
  picker->field = field->field;
  picker->kind = field->reference;
  picker->entry = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (picker->entry), _(field->title));
  g_signal_connect (picker->entry, "changed", G_CALLBACK (picker_changed_cb), picker);
  gtk_list_box_append (GTK_LIST_BOX (list), picker->entry);

  picker->list = boxed_list ();
  gtk_widget_set_margin_start (picker->list, 12);
  gtk_widget_set_visible (picker->list, FALSE);
  g_signal_connect (picker->list, "row-activated", G_CALLBACK (suggestion_activated_cb), picker);

  picker->chosen = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (picker->chosen), 0);
  gtk_label_set_wrap (GTK_LABEL (picker->chosen), TRUE);
  gtk_widget_add_css_class (picker->chosen, "dim-label");
  gtk_widget_add_css_class (picker->chosen, "caption");
  gtk_widget_set_margin_start (picker->chosen, 12);
  gtk_widget_set_visible (picker->chosen, FALSE);

  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (GTK_BOX (box), picker->list);
  gtk_box_append (GTK_BOX (box), picker->chosen);
  gtk_box_append (GTK_BOX (box), message);
  g_hash_table_insert (self->messages, g_strdup (field->field), message);
  g_hash_table_insert (self->pickers, g_strdup (field->field), picker);
  g_hash_table_insert (self->widgets, g_strdup (field->field), picker->entry);
  return box;
}

/* ---- step 2: requirements (R001-2, R000-5) ---- */

static void
set_check (QoimaRegistrationWindow *self,
           Check                    check,
           int                      state,
           const char              *text)
{
  self->check_state[check] = state;
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->check_rows[check]), text);
  gtk_image_set_from_icon_name (GTK_IMAGE (self->check_icons[check]),
                                state < 0 ? "content-loading-symbolic" :
                                state > 0 ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  if (state == 0)
    gtk_widget_add_css_class (self->check_icons[check], "warning");
  else
    gtk_widget_remove_css_class (self->check_icons[check], "warning");
}

static gboolean
uses_key_file (QoimaRegistrationWindow *self)
{
  return g_strcmp0 (qoima_registration_get (self->draft, "key-file"), "true") == 0;
}

static void
check_key (QoimaRegistrationWindow *self)
{
  QoimaSigner *signer = qoima_context_get_auth_signer (self->context);
  QoimaCertificate *certificate = signer != NULL ? qoima_signer_get_certificate (signer) : NULL;
  GSettings *settings = qoima_context_get_settings (self->context);
  g_autofree char *path = settings != NULL ? g_settings_get_string (settings, "auth-key-path") : NULL;

  if (certificate != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Chosen: %s, IIN %s."), qoima_certificate_get_owner (certificate),
                                               qoima_certificate_get_iin (certificate) != NULL
                                               ? qoima_certificate_get_iin (certificate) : "—");
      set_check (self, CHECK_KEY, 1, text);
    }
  else if (!uses_key_file (self))
    set_check (self, CHECK_KEY, self->check_state[CHECK_NCALAYER],
               self->check_state[CHECK_NCALAYER] > 0 ? _("NCALayer shows its keys when the key is chosen at the next step.") :
               self->check_state[CHECK_NCALAYER] < 0 ? _("Checking…")
                                                     : _("Without NCALayer no key is found: start NCALayer, or use the key file."));
  else if (path != NULL && *path != '\0' && g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *text = g_strdup_printf (_("Found: %s. Its password is asked at the next step."), path);
      set_check (self, CHECK_KEY, 1, text);
    }
  else
    set_check (self, CHECK_KEY, 0, _("No key file yet. Get the ЭЦП at pki.gov.kz; the next step opens the file whose name starts with AUTH."));
}

static void
ncalayer_checked_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (qoima_registration_check_ncalayer_finish (result, &error))
    set_check (self, CHECK_NCALAYER, 1, _("NCALayer answers."));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  else if (uses_key_file (self))
    set_check (self, CHECK_NCALAYER, 1, _("Not needed: the key file is used instead."));
  else
    set_check (self, CHECK_NCALAYER, 0,
               _("NCALayer does not answer. Install it from pki.gov.kz and start it, then check again; or use the key file instead."));
  check_key (self);
}

static void
clock_checked_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 skew = 0;

  if (!qoima_registration_check_clock_finish (result, &skew, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("Could not compare with the stand: %s Check the Internet connection and the stand’s address."),
                                                   error->message);
          set_check (self, CHECK_CLOCK, 0, text);
        }
      return;
    }
  if (ABS (skew) <= QOIMA_REGISTRATION_MAX_CLOCK_SKEW_SECONDS)
    set_check (self, CHECK_CLOCK, 1, _("The clock agrees with the stand’s."));
  else
    {
      g_autofree char *text = g_strdup_printf (skew > 0
                                               ? ngettext ("The clock is %d minute ahead of the stand’s. Set the time automatically in the system settings.",
                                                           "The clock is %d minutes ahead of the stand’s. Set the time automatically in the system settings.",
                                                           (int) (ABS (skew) / 60))
                                               : ngettext ("The clock is %d minute behind the stand’s. Set the time automatically in the system settings.",
                                                           "The clock is %d minutes behind the stand’s. Set the time automatically in the system settings.",
                                                           (int) (ABS (skew) / 60)),
                                               (int) (ABS (skew) / 60));
      set_check (self, CHECK_CLOCK, 0, text);
    }
}

static void
run_checks (QoimaRegistrationWindow *self)
{
  const char *url = qoima_registration_get_stand_url (self->draft);

  g_cancellable_cancel (self->checks_cancellable);
  g_clear_object (&self->checks_cancellable);
  self->checks_cancellable = g_cancellable_new ();
  set_check (self, CHECK_NCALAYER, -1, _("Checking…"));
  set_check (self, CHECK_CLOCK, -1, _("Checking…"));
  check_key (self);
  qoima_registration_check_ncalayer_async (self->ncalayer_url != NULL ? self->ncalayer_url : QOIMA_SIGNER_NCALAYER_DEFAULT_URL,
                                           self->checks_cancellable,
                                           ncalayer_checked_cb, g_object_ref (self));
  if (url != NULL)
    qoima_registration_check_clock_async (url, self->checks_cancellable, clock_checked_cb, g_object_ref (self));
  else
    set_check (self, CHECK_CLOCK, 0, _("Choose the stand first."));
}

static void
check_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  run_checks (QOIMA_REGISTRATION_WINDOW (widget));
}

static GtkWidget *
requirements_group (QoimaRegistrationWindow *self)
{
  static const char * const titles[N_CHECKS] = { N_("NCALayer"), N_("Key"), N_("Clock") };
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("Check _Again"));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Checks"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "registration.check");
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), button);
  for (int i = 0; i < N_CHECKS; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("content-loading-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(titles[i]));
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      self->check_rows[i] = row;
      self->check_icons[i] = icon;
      self->check_state[i] = -1;
    }
  return group;
}

/* ---- step 3: the key (R001-3, R001-4) ---- */

/* R001-4: the request is filled from the AUTH key chosen in this session. */
static void
fill_from_key (QoimaRegistrationWindow *self)
{
  QoimaSigner *signer = qoima_context_get_auth_signer (self->context);
  QoimaCertificate *certificate = signer != NULL ? qoima_signer_get_certificate (signer) : NULL;
  g_autofree char *valid_to = NULL;

  if (certificate == NULL)
    return;
  valid_to = g_date_time_format_iso8601 (qoima_certificate_get_not_after (certificate));
  qoima_registration_set (self->draft, "signer-iin", qoima_certificate_get_iin (certificate));
  qoima_registration_set (self->draft, "company", qoima_certificate_get_organization (certificate));
  qoima_registration_set (self->draft, "head-name", qoima_certificate_get_owner (certificate));
  qoima_registration_set (self->draft, "certificate-serial", qoima_certificate_get_serial (certificate));
  qoima_registration_set (self->draft, "certificate-issuer", qoima_certificate_get_issuer (certificate));
  qoima_registration_set (self->draft, "certificate-valid-to", valid_to);
  if (qoima_registration_get (self->draft, "bin") == NULL && qoima_certificate_get_bin (certificate) != NULL)
    qoima_registration_set (self->draft, "bin", qoima_certificate_get_bin (certificate));
}

static void load_widgets (QoimaRegistrationWindow *self);

static void
key_chosen (QoimaRegistrationWindow *self,
            QoimaSigner             *signer)
{
  /* Kept for this session only; the key dialog remembers the file, never the password. */
  qoima_context_set_auth_signer (self->context, signer);
  if (self->client != NULL && self->client != qoima_context_get_client (self->context))
    qoima_ismpt_client_set_auth_signer (self->client, signer);
  fill_from_key (self);
  load_widgets (self);
  update (self);
  save (self);
}

static void
key_dialog_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaSigner) signer = qoima_key_dialog_run_finish (result, &error);

  if (signer != NULL)
    key_chosen (self, signer);
}

static void
ncalayer_signed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) signature = qoima_signer_sign_finish (QOIMA_SIGNER (source), result, &error);

  if (signature == NULL)
    {
      /* NCALayer's own texts (R003-7: «Неверный пароль», no keys in the storage) come back here. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (self->hint_label, error->message);
      return;
    }
  key_chosen (self, QOIMA_SIGNER (source));
}

static void
choose_key_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (widget);

  if (uses_key_file (self))
    qoima_key_dialog_run_async (GTK_WINDOW (self), qoima_context_get_settings (self->context),
                                QOIMA_KEY_PURPOSE_AUTH, self->cancellable, key_dialog_cb, g_object_ref (self));
  else
    {
      /* NCALayer names its certificate only with a signature: a small one, attached, as the
       * login's; NCALayer asks for the key and its password itself. */
      g_autoptr(QoimaSignerNcalayer) signer = qoima_signer_ncalayer_new (self->ncalayer_url);
      g_autoptr(GBytes) data = g_bytes_new_static ("Qoima", 5);

      qoima_signer_sign_async (QOIMA_SIGNER (signer), data, QOIMA_SIGN_ATTACHED, QOIMA_KEY_PURPOSE_AUTH,
                               self->cancellable, ncalayer_signed_cb, g_object_ref (self));
    }
}

static GtkWidget *
key_group (QoimaRegistrationWindow *self)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Choose Key…"));

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "registration.choose-key");
  self->key_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row), _("AUTH Key"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self->key_row), 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->key_row), button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->key_row);
  return group;
}

/* ---- step 9: the summary, signing and sending, the status (R001-5, R001-10, R001-11) ---- */

typedef struct {
  const char *section;
  char *title;
  char *value;
} SummaryItem;

static void
summary_item_free (SummaryItem *item)
{
  g_free (item->title);
  g_free (item->value);
  g_free (item);
}

static void
add_item (GPtrArray  *items,
          const char *section,
          const char *title,
          const char *value)
{
  SummaryItem *item = g_new0 (SummaryItem, 1);

  item->section = section;
  item->title = g_strdup (title);
  item->value = g_strdup (value != NULL && *value != '\0' ? value : "—");
  g_ptr_array_add (items, item);
}

static const char *
yes_no (const char *value)
{
  return g_strcmp0 (value, "true") == 0 || g_strcmp0 (value, "yes") == 0 ? _("Yes") : _("No");
}

/* Everything the request says, in the wizard's order: the signer sees what she signs. */
static GPtrArray *
summary_items (QoimaRegistrationWindow *self)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) summary_item_free);
  g_auto(GStrv) groups = qoima_registration_get_list (self->draft, "product-groups");
  g_auto(GStrv) types = qoima_registration_get_list (self->draft, "participant-types");
  g_autoptr(GString) text = g_string_new (NULL);
  QoimaSigner *signer = qoima_context_get_auth_signer (self->context);
  QoimaCertificate *certificate = signer != NULL ? qoima_signer_get_certificate (signer) : NULL;
  const char *stand = qoima_registration_get (self->draft, "stand");
  g_autofree char *key = NULL;

  add_item (items, steps[QOIMA_REGISTRATION_STEP_STAND].title, _("Stand"),
            g_strcmp0 (stand, "test") == 0 ? _("Test stand") :
            g_strcmp0 (stand, "industrial") == 0 ? _("Industrial stand") : qoima_registration_get_stand_url (self->draft));
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *section = steps[fields[i].step].title;
      const char *value = qoima_registration_get (self->draft, fields[i].field);

      if (fields[i].step <= QOIMA_REGISTRATION_STEP_REQUIREMENTS)
        continue;
      if (fields[i].kind == KIND_SWITCH)
        add_item (items, section, _(fields[i].title), yes_no (value));
      else if (fields[i].kind == KIND_PICKER)
        {
          Picker *picker = g_hash_table_lookup (self->pickers, fields[i].field);
          const QoimaReferenceEntry *entry = picker_lookup (picker, value);
          g_autofree char *shown = NULL;

          if (entry != NULL)
            shown = fields[i].reference == QOIMA_REFERENCE_KATO
                    ? qoima_reference_get_path_name (self->references.kato, entry)
                    : picker_display (picker, entry);
          add_item (items, section, _(fields[i].title), shown != NULL ? shown : value);
        }
      else
        add_item (items, section, _(fields[i].title), value);

      if (g_str_equal (fields[i].field, "producer-or-importer"))
        {
          for (guint g = 0; groups[g] != NULL; g++)
            {
              const QoimaReferenceEntry *entry = self->references.product_groups != NULL
                                                 ? qoima_reference_lookup (self->references.product_groups, groups[g]) : NULL;

              g_string_append_printf (text, "%s%s", g > 0 ? ", " : "", entry != NULL ? entry->name : groups[g]);
            }
          add_item (items, section, _("Product groups (never removed once added)"), text->str);
          g_string_truncate (text, 0);
        }
      if (g_str_equal (fields[i].field, "participant-phone"))
        {
          for (guint t = 0; types[t] != NULL; t++)
            for (guint k = 0; k < G_N_ELEMENTS (participant_types); k++)
              if (g_str_equal (types[t], participant_types[k]))
                g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "", _(participant_type_titles[k]));
          add_item (items, section, _("Participant Types"), text->str);
          g_string_truncate (text, 0);
          for (guint u = 0; u < qoima_registration_get_n_users (self->draft); u++)
            g_string_append_printf (text, "%s%s %s (%s)", u > 0 ? "; " : "",
                                    qoima_registration_get_user_field (self->draft, u, "surname"),
                                    qoima_registration_get_user_field (self->draft, u, "name"),
                                    qoima_registration_get_user_field (self->draft, u, "iin"));
          if (qoima_registration_is_legal_entity (self->draft))
            add_item (items, steps[QOIMA_REGISTRATION_STEP_USERS].title, _("Users"),
                      text->len > 0 ? text->str : _("None now: the Administrator adds them later"));
          g_string_truncate (text, 0);
        }
    }
  /* R001-10: the key type the request is signed with, and whose key it is. */
  key = g_strdup_printf (_("%s key (%s)%s%s"), qoima_registration_get_signing_key_type (self->draft),
                         qoima_registration_is_legal_entity (self->draft) ? _("a legal entity") : _("an individual"),
                         certificate != NULL ? ": " : "",
                         certificate != NULL ? qoima_certificate_get_owner (certificate) : "");
  add_item (items, steps[QOIMA_REGISTRATION_STEP_SIGN].title, _("Signed with"), key);
  return items;
}

static void
update_summary (QoimaRegistrationWindow *self)
{
  g_autoptr(GPtrArray) items = NULL;
  GtkWidget *child;
  GtkWidget *list = NULL;
  const char *section = NULL;

  if (self->summary_box == NULL || self->step != QOIMA_REGISTRATION_STEP_SIGN)
    return;
  while ((child = gtk_widget_get_first_child (self->summary_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->summary_box), child);
  items = summary_items (self);
  for (guint i = 0; i < items->len; i++)
    {
      SummaryItem *item = g_ptr_array_index (items, i);
      GtkWidget *row = adw_action_row_new ();

      if (item->section != section)
        {
          GtkWidget *heading = gtk_label_new (_(item->section));

          gtk_label_set_xalign (GTK_LABEL (heading), 0);
          gtk_widget_add_css_class (heading, "heading");
          gtk_widget_set_margin_top (heading, section != NULL ? 12 : 0);
          gtk_box_append (GTK_BOX (self->summary_box), heading);
          list = boxed_list ();
          gtk_box_append (GTK_BOX (self->summary_box), list);
          section = item->section;
        }
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), item->value);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      gtk_widget_add_css_class (row, "property");
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
}

static void
show_status (QoimaRegistrationWindow *self,
             const char              *status)
{
  g_autofree char *text = NULL;

  g_free (self->request_status);
  g_free (self->ncalayer_url);
  self->request_status = g_strdup (status);
  if (g_strcmp0 (status, "RECEIVED") == 0)
    text = g_strdup (_("Sent: waiting for ИС МПТ to check it…"));
  else if (g_strcmp0 (status, "CHECKED") == 0)
    text = g_strdup (_("Checked: the request waits to be processed (up to 24 hours; the result also comes by e-mail)."));
  else if (g_strcmp0 (status, "PROCESSING") == 0)
    text = g_strdup (_("Being processed: ИС МПТ registers the organization (up to 24 hours; the result also comes by e-mail)."));
  else if (g_strcmp0 (status, "CONFIRMED") == 0)
    text = g_strdup (_("Confirmed: the organization is registered in ИС МПТ."));
  else if (g_strcmp0 (status, "REFUSED") == 0)
    text = self->reason != NULL
           ? g_strdup_printf (_("Refused: %s. Correct the request and send it again."), self->reason)
           : g_strdup (_("Refused without a reason: write to the operator’s support, then send it again."));
  gtk_widget_set_visible (self->status_group, text != NULL);
  if (text != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->status_row), text);
  gtk_widget_set_visible (self->status_spinner, g_strcmp0 (status, "RECEIVED") == 0 ||
                                                g_strcmp0 (status, "CHECKED") == 0 ||
                                                g_strcmp0 (status, "PROCESSING") == 0);
  gtk_spinner_set_spinning (GTK_SPINNER (self->status_spinner), gtk_widget_get_visible (self->status_spinner));
  update (self);
}

static void
show_error (QoimaRegistrationWindow *self,
            const GError            *error)
{
  gtk_widget_set_visible (self->status_group, TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->status_row), error->message);
  gtk_label_set_text (self->hint_label, error->message);
}

/* The stand the request goes to: the application's own client when it speaks to that stand,
 * else one of the wizard's. */
static QoimaIsmptClient *
ensure_client (QoimaRegistrationWindow *self)
{
  const char *url = qoima_registration_get_stand_url (self->draft);
  QoimaIsmptClient *shared = qoima_context_get_client (self->context);
  QoimaSigner *signer = qoima_context_get_auth_signer (self->context);

  if (url == NULL)
    return NULL;
  if (shared != NULL && g_str_equal (qoima_ismpt_client_get_base_url (shared), url))
    g_set_object (&self->client, shared);
  else if (self->client == NULL || !g_str_equal (qoima_ismpt_client_get_base_url (self->client), url))
    {
      g_clear_object (&self->client);
      self->client = qoima_ismpt_client_new (url, NULL);
      if (signer != NULL)
        qoima_ismpt_client_set_auth_signer (self->client, signer);
    }
  return self->client;
}

static gboolean
poll_timeout_cb (gpointer user_data)
{
  QoimaRegistrationWindow *self = user_data;

  self->poll_source = 0;
  poll_status (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_poll (QoimaRegistrationWindow *self)
{
  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->poll_source = g_timeout_add (self->poll_interval_ms, poll_timeout_cb, self);
  self->poll_interval_ms = MIN (self->poll_interval_ms * 2, LAST_POLL_MS);
}

/* R001-11: the hospital becomes the organization registered: its settings (in the same
 * transaction as the request's state), and this workstation's stand when it is another. */
static void
registration_confirmed (QoimaRegistrationWindow *self)
{
  GSettings *settings = qoima_context_get_settings (self->context);
  QoimaIsmptClient *shared = qoima_context_get_client (self->context);
  const char *url = qoima_registration_get_stand_url (self->draft);
  const char *stand = qoima_registration_get (self->draft, "stand");

  set_state (self, "confirmed", self->request_id, NULL);
  save (self);
  if (settings != NULL && url != NULL &&
      (shared == NULL || !g_str_equal (qoima_ismpt_client_get_base_url (shared), url)))
    {
      g_settings_set_string (settings, "stand", stand);
      if (g_strcmp0 (stand, "custom") == 0)
        g_settings_set_string (settings, "ismpt-url", url);
    }
  show_done (self);
}

static void
status_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = qoima_ismpt_client_registration_status_finish (QOIMA_ISMPT_CLIENT (source), result, &error);
  JsonObject *object;
  const char *status;

  if (answer == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* A passing fault: the request is still there; asked again later. */
      show_error (self, error);
      schedule_poll (self);
      return;
    }
  object = json_node_get_object (answer);
  status = qoima_json_get_string (object, "status");
  if (g_strcmp0 (status, "CONFIRMED") == 0)
    {
      show_status (self, status);
      registration_confirmed (self);
    }
  else if (g_strcmp0 (status, "REFUSED") == 0)
    {
      set_state (self, "refused", self->request_id, qoima_json_get_string (object, "reason"));
      save (self);
      show_status (self, status);
    }
  else
    {
      show_status (self, status != NULL ? status : "RECEIVED");
      schedule_poll (self);
    }
}

static void
poll_status (QoimaRegistrationWindow *self)
{
  QoimaIsmptClient *client = ensure_client (self);

  if (client == NULL || self->request_id == NULL)
    return;
  qoima_ismpt_client_registration_status_async (client, self->request_id, self->cancellable,
                                                status_cb, g_object_ref (self));
}

static void
start_polling (QoimaRegistrationWindow *self)
{
  self->poll_interval_ms = FIRST_POLL_MS;
  schedule_poll (self);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = qoima_ismpt_client_send_registration_finish (QOIMA_ISMPT_CLIENT (source), result, &error);
  JsonObject *object;
  const char *status;

  self->busy = FALSE;
  if (answer == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      update (self);
      return;
    }
  object = json_node_get_object (answer);
  status = qoima_json_get_string (object, "status");
  if (g_strcmp0 (status, "REFUSED") == 0)
    {
      set_state (self, "refused", qoima_json_get_string (object, "id"), qoima_json_get_string (object, "reason"));
      save (self);
      show_status (self, "REFUSED");
      return;
    }
  set_state (self, "sent", qoima_json_get_string (object, "id"), NULL);
  save (self);
  show_status (self, status != NULL ? status : "RECEIVED");
  start_polling (self);
}

static void
sign_confirmed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  QoimaIsmptClient *client;

  if (!qoima_sign_dialog_run_finish (result, &error))
    {
      /* Cancelled: nothing is signed, nothing sent. */
      self->busy = FALSE;
      update (self);
      return;
    }
  client = ensure_client (self);
  json = qoima_registration_to_json (self->draft);
  show_status (self, NULL);
  gtk_label_set_text (self->hint_label, _("Signing and sending…"));
  /* The client signs it, attached, with the AUTH key (R001-3), off the main thread. */
  qoima_ismpt_client_send_registration_async (client, json, self->cancellable, sent_cb, g_object_ref (self));
}

static void
confirm_and_send (QoimaRegistrationWindow *self)
{
  QoimaSigner *signer = qoima_context_get_auth_signer (self->context);
  QoimaCertificate *certificate = signer != NULL ? qoima_signer_get_certificate (signer) : NULL;
  g_autoptr(QoimaRegistrationProblem) key_problem = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_null_terminated (0, g_free, TRUE);

  if (certificate == NULL || ensure_client (self) == NULL)
    {
      self->busy = FALSE;
      update (self);
      return;
    }
  /* The key must be the one the request was filled from: another IIN is refused by ИС МПТ. */
  if (g_strcmp0 (qoima_certificate_get_iin (certificate), qoima_registration_get (self->draft, "signer-iin")) != 0)
    {
      fill_from_key (self);
      load_widgets (self);
    }
  key_problem = qoima_registration_check_signing_key (self->draft, certificate);
  if (key_problem != NULL)
    {
      self->busy = FALSE;
      update (self);
      gtk_label_set_text (self->hint_label, key_problem->message);
      return;
    }
  items = summary_items (self);
  for (guint i = 0; i < items->len; i++)
    {
      SummaryItem *item = g_ptr_array_index (items, i);

      g_ptr_array_add (lines, g_strdup (item->title));
      g_ptr_array_add (lines, g_strdup (item->value));
    }
  gtk_label_set_text (self->hint_label, _("Waiting for the signer to confirm…"));
  qoima_sign_dialog_run_async (GTK_WINDOW (self), _("Registration request in ИС МПТ"),
                               (const char * const *) lines->pdata, -1, certificate,
                               self->cancellable, sign_confirmed_cb, g_object_ref (self));
}

static void
send_key_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaSigner) signer = qoima_key_dialog_run_finish (result, &error);

  if (signer == NULL)
    {
      self->busy = FALSE;
      update (self);
      return;
    }
  key_chosen (self, signer);
  confirm_and_send (self);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (widget);
  g_autoptr(GPtrArray) problems = qoima_registration_validate (self->draft, QOIMA_REGISTRATION_ALL_STEPS, &self->references);

  if (self->busy)
    return;
  if (problems->len > 0)
    {
      QoimaRegistrationProblem *first = g_ptr_array_index (problems, 0);

      gtk_label_set_text (self->hint_label, first->message);
      return;
    }
  self->busy = TRUE;
  update (self);
  /* The AUTH key of this session, else asked now (R001-3: its password each time). */
  if (qoima_context_get_auth_signer (self->context) == NULL)
    qoima_key_dialog_run_async (GTK_WINDOW (self), qoima_context_get_settings (self->context),
                                QOIMA_KEY_PURPOSE_AUTH, self->cancellable, send_key_cb, g_object_ref (self));
  else
    confirm_and_send (self);
}

/* ---- after registration (R001-11, R003-4) ---- */

/* R000-2: the contract's state on the page after registration. */
static void
show_contract (QoimaRegistrationWindow *self)
{
  const char *signed_at = qoima_registration_get (self->draft, "contract-signed-at");
  g_autofree char *text = qoima_registration_contract_text (self->draft, &self->references);

  gtk_label_set_text (GTK_LABEL (self->contract_label), text);
  gtk_widget_set_visible (self->contract_button, signed_at == NULL);
  if (signed_at != NULL)
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (signed_at, NULL);
      g_autoptr(GDateTime) local = at != NULL ? g_date_time_to_local (at) : NULL;
      g_autofree char *when = local != NULL ? g_date_time_format (local, "%d.%m.%Y %H:%M") : g_strdup (signed_at);
      g_autofree char *status = g_strdup_printf (_("Signed with the head’s key on %s: ИС МПТ keeps it."), when);

      gtk_label_set_text (GTK_LABEL (self->contract_status), status);
    }
}

static void
contract_sent_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = qoima_ismpt_client_sign_registration_contract_finish (QOIMA_ISMPT_CLIENT (source), result, &error);
  const char *signed_at;

  self->busy = FALSE;
  gtk_widget_set_sensitive (self->contract_button, TRUE);
  if (answer == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (GTK_LABEL (self->contract_status), error->message);
      return;
    }
  signed_at = qoima_json_get_string (json_node_get_object (answer), "signedAt");
  /* Stored as done with the registration, in the same record. */
  qoima_registration_set (self->draft, "contract-signed-at", signed_at != NULL ? signed_at : "");
  save (self);
  show_contract (self);
}

static void
contract_confirmed_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autofree char *document = NULL;
  QoimaIsmptClient *client = ensure_client (self);

  if (!qoima_sign_dialog_run_finish (result, NULL) || client == NULL)
    {
      self->busy = FALSE;
      gtk_widget_set_sensitive (self->contract_button, TRUE);
      return;
    }
  document = qoima_registration_contract_document (self->draft, self->request_id, &self->references);
  gtk_label_set_text (GTK_LABEL (self->contract_status), _("Signing and sending…"));
  qoima_ismpt_client_sign_registration_contract_async (client, self->request_id, document, self->cancellable,
                                                       contract_sent_cb, g_object_ref (self));
}

/* R000-2: the head who registered the organization signs its contract, with that key. */
static gboolean
is_head_key (QoimaRegistrationWindow *self,
             QoimaSigner             *signer)
{
  QoimaCertificate *certificate = signer != NULL ? qoima_signer_get_certificate (signer) : NULL;

  return certificate != NULL &&
         g_strcmp0 (qoima_certificate_get_iin (certificate), qoima_registration_get (self->draft, "signer-iin")) == 0;
}

static void
refuse_contract_key (QoimaRegistrationWindow *self)
{
  g_autofree char *message = g_strdup_printf (_("The contract is signed by the head who registered the organization (IIN %s): choose her key."),
                                              qoima_registration_get (self->draft, "signer-iin"));

  self->busy = FALSE;
  gtk_widget_set_sensitive (self->contract_button, TRUE);
  gtk_label_set_text (GTK_LABEL (self->contract_status), message);
}

static void
sign_contract (QoimaRegistrationWindow *self)
{
  QoimaSigner *signer = qoima_context_get_auth_signer (self->context);
  QoimaCertificate *certificate = signer != NULL ? qoima_signer_get_certificate (signer) : NULL;
  g_autofree char *text = qoima_registration_contract_text (self->draft, &self->references);
  const char *lines[] = { _("Text"), text, NULL };

  /* R000-2: the head signs, with the key that registered the organization. */
  if (certificate == NULL || ensure_client (self) == NULL || self->request_id == NULL || !is_head_key (self, signer))
    {
      refuse_contract_key (self);
      return;
    }
  qoima_sign_dialog_run_async (GTK_WINDOW (self), _("Standard contract on connection to ИС МПТ"), lines, -1,
                               certificate, self->cancellable, contract_confirmed_cb, g_object_ref (self));
}

static void
contract_key_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(QoimaSigner) signer = qoima_key_dialog_run_finish (result, NULL);

  if (signer == NULL)
    {
      self->busy = FALSE;
      gtk_widget_set_sensitive (self->contract_button, TRUE);
      return;
    }
  /* Another person's key is not kept for the session: the head's is asked for next time. */
  if (!is_head_key (self, signer))
    {
      refuse_contract_key (self);
      return;
    }
  qoima_context_set_auth_signer (self->context, signer);
  if (self->client != NULL && self->client != qoima_context_get_client (self->context))
    qoima_ismpt_client_set_auth_signer (self->client, signer);
  sign_contract (self);
}

static void
sign_contract_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (widget);

  if (self->busy || g_strcmp0 (self->state, "confirmed") != 0 ||
      qoima_registration_get (self->draft, "contract-signed-at") != NULL)
    return;
  self->busy = TRUE;
  gtk_widget_set_sensitive (self->contract_button, FALSE);
  /* The head's AUTH key of this session, else asked now (its password each time): the
   * session's may be another person's (the chief's, who logs in for the sync). */
  if (!is_head_key (self, qoima_context_get_auth_signer (self->context)))
    qoima_key_dialog_run_async (GTK_WINDOW (self), qoima_context_get_settings (self->context),
                                QOIMA_KEY_PURPOSE_AUTH, self->cancellable, contract_key_cb, g_object_ref (self));
  else
    sign_contract (self);
}

static char *
catalog_url (const char *base_url)
{
  /* The НКТ catalog lives beside the True API, as the application connects it. */
  const char *api = strstr (base_url, "/api/");

  return api != NULL ? g_strdup_printf ("%.*s/gwp", (int) (api - base_url), base_url) : NULL;
}

static void
api_key_checked_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) cards = qoima_ismpt_client_catalog_card_finish (QOIMA_ISMPT_CLIENT (source), result, &error);
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->api_key_row));
  QoimaIsmptClient *shared = qoima_context_get_client (self->context);
  GSettings *settings = qoima_context_get_settings (self->context);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Let in (a card, or none for this GTIN) is a key that works; 401 is one that does not. */
  self->api_key_ok = cards != NULL || g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_NOT_FOUND);
  if (self->api_key_ok)
    {
      g_autofree char *catalog = catalog_url (qoima_registration_get_stand_url (self->draft));

      if (settings != NULL)
        g_settings_set_string (settings, "catalog-api-key", key);
      if (shared != NULL && catalog != NULL)
        qoima_ismpt_client_set_catalog (shared, catalog, key);
      gtk_label_set_text (GTK_LABEL (self->api_key_label), _("The НКТ accepts this key; it is kept for this workstation."));
    }
  else if (g_error_matches (error, QOIMA_SYNC_ERROR, QOIMA_SYNC_ERROR_LOGIN_REFUSED))
    gtk_label_set_text (GTK_LABEL (self->api_key_label),
                        _("The НКТ refuses this key. Copy it again from the e-mail the НКТ sent (its profile, «Предоставить APIKEY»)."));
  else
    gtk_label_set_text (GTK_LABEL (self->api_key_label), error->message);
}

static void
check_api_key_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (widget);
  g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->api_key_row))));
  const char *url = qoima_registration_get_stand_url (self->draft);
  g_autofree char *catalog = url != NULL ? catalog_url (url) : NULL;
  g_autoptr(QoimaIsmptClient) client = NULL;

  if (*key == '\0' || catalog == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->api_key_label), _("Enter the APIKey the НКТ sent by e-mail."));
      return;
    }
  /* A client of its own: a wrong key never reaches the application's. */
  client = qoima_ismpt_client_new (url, NULL);
  qoima_ismpt_client_set_catalog (client, catalog, key);
  gtk_label_set_text (GTK_LABEL (self->api_key_label), _("Checking the key with the НКТ…"));
  qoima_ismpt_client_catalog_card_async (client, API_KEY_CHECK_GTIN, self->cancellable,
                                         api_key_checked_cb, g_object_ref (self));
}

static void
synced_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->synced = qoima_sync_run_finish (QOIMA_SYNC (source), result, &error);
  if (self->synced)
    gtk_label_set_text (GTK_LABEL (self->sync_label), _("Synchronised: the acts addressed to the hospital are on the Acts page."));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_text (GTK_LABEL (self->sync_label), error->message);
}

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (widget);
  QoimaSync *sync = qoima_context_get_sync (self->context);
  QoimaIsmptClient *shared = qoima_context_get_client (self->context);
  const char *url = qoima_registration_get_stand_url (self->draft);

  if (sync == NULL || shared == NULL || url == NULL || !g_str_equal (qoima_ismpt_client_get_base_url (shared), url))
    {
      gtk_label_set_text (GTK_LABEL (self->sync_label),
                          _("Qoima works with the stand registered on at its next start: restart it, then synchronise on the Acts page."));
      return;
    }
  gtk_label_set_text (GTK_LABEL (self->sync_label), _("Logging in with the AUTH key and synchronising…"));
  qoima_sync_run_async (sync, self->cancellable, synced_cb, g_object_ref (self));
}

static GtkWidget *
build_done_page (QoimaRegistrationWindow *self)
{
  GtkWidget *status = adw_status_page_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *api_group = adw_preferences_group_new ();
  GtkWidget *sync_group = adw_preferences_group_new ();
  GtkWidget *check_button = gtk_button_new_with_mnemonic (_("C_heck"));
  GtkWidget *sync_button = gtk_button_new_with_mnemonic (_("_Synchronise Now"));
  GtkWidget *sync_row = adw_action_row_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *contract_group = adw_preferences_group_new ();
  GtkWidget *contract_card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  /* R000-2 (seed 000, step 2): the contract before anything else the hospital sets up. */
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (contract_group), _("Connection Contract"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (contract_group),
                                         _("Read the standard contract on connection to ИС МПТ: the head accepts it by signing it with her key."));
  self->contract_button = gtk_button_new_with_mnemonic (_("Sign the _Contract…"));
  gtk_widget_add_css_class (self->contract_button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->contract_button), "registration.sign-contract");
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (contract_group), self->contract_button);
  gtk_widget_set_valign (self->contract_button, GTK_ALIGN_CENTER);
  self->contract_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->contract_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->contract_label), 0);
  gtk_label_set_selectable (GTK_LABEL (self->contract_label), TRUE);
  gtk_widget_set_margin_start (self->contract_label, 12);
  gtk_widget_set_margin_end (self->contract_label, 12);
  gtk_widget_set_margin_top (self->contract_label, 12);
  gtk_widget_set_margin_bottom (self->contract_label, 12);
  gtk_widget_add_css_class (contract_card, "card");
  gtk_box_append (GTK_BOX (contract_card), self->contract_label);
  /* Above the long text, beside the button: a refused key or the signature is seen at once. */
  self->contract_status = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->contract_status), 0);
  gtk_label_set_wrap (GTK_LABEL (self->contract_status), TRUE);
  gtk_widget_add_css_class (self->contract_status, "dim-label");
  gtk_widget_set_margin_bottom (self->contract_status, 6);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (contract_group), self->contract_status);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (contract_group), contract_card);

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "emblem-ok-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), _("Registered in ИС МПТ"));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (api_group), _("НКТ API Key"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (api_group),
                                         _("Request it in the НКТ profile («Предоставить APIKEY»); it arrives by e-mail. Qoima reads product cards with it."));
  self->api_key_row = adw_password_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->api_key_row), _("APIKey"));
  gtk_widget_set_valign (check_button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (check_button), "registration.check-api-key");
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (self->api_key_row), check_button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (api_group), self->api_key_row);
  self->api_key_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->api_key_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->api_key_label), TRUE);
  gtk_widget_add_css_class (self->api_key_label, "dim-label");
  gtk_widget_set_margin_top (self->api_key_label, 6);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (api_group), self->api_key_label);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (sync_group), _("First Synchronisation"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (sync_row), _("Log in as the new organization and fetch its acts"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (sync_row), 0);
  gtk_widget_set_valign (sync_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (sync_button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (sync_button), "registration.sync");
  adw_action_row_add_suffix (ADW_ACTION_ROW (sync_row), sync_button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (sync_group), sync_row);
  self->sync_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->sync_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->sync_label), TRUE);
  gtk_widget_add_css_class (self->sync_label, "dim-label");
  gtk_widget_set_margin_top (self->sync_label, 6);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (sync_group), self->sync_label);

  gtk_box_append (GTK_BOX (box), contract_group);
  gtk_box_append (GTK_BOX (box), api_group);
  gtk_box_append (GTK_BOX (box), sync_group);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  adw_status_page_set_child (ADW_STATUS_PAGE (status), clamp);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), status);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  self->done_page = status;
  return scrolled;
}

static void
show_done (QoimaRegistrationWindow *self)
{
  g_autofree char *description = g_strdup_printf (_("%s, BIN %s. This hospital’s settings now name it; its AUTH key logs in."),
                                                  qoima_registration_get (self->draft, "full-name"),
                                                  qoima_registration_get (self->draft, "bin"));
  GSettings *settings = qoima_context_get_settings (self->context);
  g_autofree char *key = settings != NULL ? g_settings_get_string (settings, "catalog-api-key") : NULL;

  adw_status_page_set_description (ADW_STATUS_PAGE (self->done_page), description);
  show_contract (self);
  if (key != NULL && *key != '\0' && *gtk_editable_get_text (GTK_EDITABLE (self->api_key_row)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->api_key_row), key);
  gtk_stack_set_visible_child_name (self->stack, "done");
  adw_window_title_set_subtitle (self->window_title, _("Registered"));
  gtk_label_set_text (self->hint_label, "");
  gtk_widget_set_visible (self->back_button, FALSE);
  gtk_widget_set_visible (self->next_button, FALSE);
  gtk_widget_set_visible (self->send_button, FALSE);
}

/* ---- pages ---- */

static void
build_pages (QoimaRegistrationWindow *self)
{
  for (int step = 0; step < QOIMA_REGISTRATION_N_STEPS; step++)
    {
      GtkWidget *page = adw_preferences_page_new ();
      GtkWidget *group = adw_preferences_group_new ();
      g_autofree char *name = g_strdup_printf ("step-%d", step);

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _(steps[step].title));
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), _(steps[step].description));
      adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

      if (step == QOIMA_REGISTRATION_STEP_STAND)
        {
          GtkStringList *model = gtk_string_list_new (NULL);
          GtkWidget *combo = adw_combo_row_new ();

          gtk_string_list_append (model, _("Test stand"));
          gtk_string_list_append (model, _("Industrial stand"));
          gtk_string_list_append (model, _("Another stand"));
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (combo), _("Stand"));
          adw_combo_row_set_model (ADW_COMBO_ROW (combo), G_LIST_MODEL (model));
          g_object_unref (model);
          adw_combo_row_set_selected (ADW_COMBO_ROW (combo), GTK_INVALID_LIST_POSITION);
          g_signal_connect (combo, "notify::selected", G_CALLBACK (stand_selected_cb), self);
          self->stand_combo = combo;
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field_box (self, "stand", combo));
        }
      if (step == QOIMA_REGISTRATION_STEP_REQUIREMENTS)
        adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (requirements_group (self)));
      if (step == QOIMA_REGISTRATION_STEP_KEY)
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), key_group (self));

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        {
          GtkWidget *row;
          GtkWidget *widget;

          if ((int) fields[i].step != step)
            continue;
          if (fields[i].kind == KIND_PICKER)
            {
              adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), picker_box (self, &fields[i]));
              continue;
            }
          if (fields[i].kind == KIND_ENTRY)
            {
              row = adw_entry_row_new ();
              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(fields[i].title));
              widget = row;
              g_signal_connect (row, "changed", G_CALLBACK (entry_changed_cb), self);
            }
          else if (fields[i].kind == KIND_SWITCH)
            {
              row = switch_row (self, _(fields[i].title), NULL, &widget);
              g_signal_connect (widget, "notify::active", G_CALLBACK (switch_changed_cb), self);
            }
          else
            {
              row = adw_action_row_new ();
              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(fields[i].title));
              gtk_widget_add_css_class (row, "property");
              widget = row;
            }
          g_object_set_data (G_OBJECT (widget), "field", (gpointer) fields[i].field);
          g_hash_table_insert (self->widgets, g_strdup (fields[i].field), widget);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field_box (self, fields[i].field, row));
        }

      if (step == QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS && self->references.product_groups != NULL)
        {
          guint n = qoima_reference_get_n_entries (self->references.product_groups);
          g_autofree const char **codes = g_new0 (const char *, n + 1);
          g_autofree const char **titles = g_new0 (const char *, n + 1);

          for (guint i = 0; i < n; i++)
            {
              codes[i] = qoima_reference_get_entry (self->references.product_groups, i)->code;
              titles[i] = qoima_reference_get_entry (self->references.product_groups, i)->name;
            }
          adw_preferences_page_add (ADW_PREFERENCES_PAGE (page),
                                    ADW_PREFERENCES_GROUP (list_group (self, _("Groups"), "product-groups",
                                                                       self->group_switches, codes, titles, n)));
          /* The warning's own place: the message of "product-groups-confirmed". */
          adw_preferences_page_add (ADW_PREFERENCES_PAGE (page),
                                    ADW_PREFERENCES_GROUP (list_group (self, NULL, "product-groups-confirmed",
                                                                       g_hash_table_new (g_str_hash, g_str_equal),
                                                                       NULL, NULL, 0)));
        }
      if (step == QOIMA_REGISTRATION_STEP_PARTICIPANT)
        {
          const char *titles[G_N_ELEMENTS (participant_type_titles)];

          for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
            titles[i] = _(participant_type_titles[i]);
          adw_preferences_page_add (ADW_PREFERENCES_PAGE (page),
                                    ADW_PREFERENCES_GROUP (list_group (self, _("Participant Types"), "participant-types",
                                                                       self->type_switches, participant_types, titles,
                                                                       G_N_ELEMENTS (titles))));
        }
      if (step == QOIMA_REGISTRATION_STEP_USERS)
        users_page_groups (self, page);
      if (step == QOIMA_REGISTRATION_STEP_SIGN)
        {
          GtkWidget *status_group = adw_preferences_group_new ();
          GtkWidget *summary_group = adw_preferences_group_new ();

          /* The request's state first: after sending, it is what the administrator looks for. */
          self->status_row = adw_action_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), _("Request"));
          adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self->status_row), 0);
          self->status_spinner = gtk_spinner_new ();
          adw_action_row_add_suffix (ADW_ACTION_ROW (self->status_row), self->status_spinner);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (status_group), self->status_row);
          gtk_widget_set_visible (status_group, FALSE);
          self->status_group = status_group;
          adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (status_group));

          self->summary_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (summary_group), self->summary_box);
          adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (summary_group));
        }

      gtk_stack_add_named (self->stack, page, name);
    }
  gtk_stack_add_named (self->stack, build_done_page (self), "done");
}

/* The widgets show the draft (on opening, and after the key filled it). */
static void
load_widgets (QoimaRegistrationWindow *self)
{
  GHashTableIter iter;
  gpointer key, value;
  const char *stand = qoima_registration_get (self->draft, "stand");
  g_auto(GStrv) groups = qoima_registration_get_list (self->draft, "product-groups");
  g_auto(GStrv) types = qoima_registration_get_list (self->draft, "participant-types");

  self->loading = TRUE;
  g_hash_table_iter_init (&iter, self->widgets);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *text = qoima_registration_get (self->draft, key);

      if (g_hash_table_contains (self->pickers, key))
        continue;
      if (GTK_IS_SWITCH (value))
        gtk_switch_set_active (value, g_strcmp0 (text, "true") == 0 || g_strcmp0 (text, "yes") == 0);
      else if (ADW_IS_ENTRY_ROW (value))
        gtk_editable_set_text (GTK_EDITABLE (value), text != NULL ? text : "");
      else
        adw_action_row_set_subtitle (value, text != NULL ? text : "—");
    }
  g_hash_table_iter_init (&iter, self->pickers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    picker_load (value);
  g_hash_table_iter_init (&iter, self->group_switches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    gtk_switch_set_active (value, g_strv_contains ((const char * const *) groups, key));
  g_hash_table_iter_init (&iter, self->type_switches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    gtk_switch_set_active (value, g_strv_contains ((const char * const *) types, key));
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->stand_combo),
                              g_strcmp0 (stand, "test") == 0 ? 0 :
                              g_strcmp0 (stand, "industrial") == 0 ? 1 :
                              g_strcmp0 (stand, "custom") == 0 ? 2 : GTK_INVALID_LIST_POSITION);
  rebuild_users (self);
  rebuild_offers (self);
  self->loading = FALSE;
}

static gboolean
can_send (QoimaRegistrationWindow *self)
{
  return !self->busy && (g_strcmp0 (self->state, "draft") == 0 || g_strcmp0 (self->state, "refused") == 0);
}

static void
update (QoimaRegistrationWindow *self)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *subtitle = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gboolean last = self->step == QOIMA_REGISTRATION_STEP_SIGN;

  /* Registered: the page after the wizard has no steps. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "done") == 0)
    return;
  problems = qoima_registration_validate (self->draft, self->step, &self->references);

  /* Inline: each field's first problem right under it. */
  g_hash_table_iter_init (&iter, self->messages);
  while (g_hash_table_iter_next (&iter, &key, &value))
    gtk_widget_set_visible (value, FALSE);
  for (guint i = problems->len; i > 0; i--)
    {
      QoimaRegistrationProblem *p = g_ptr_array_index (problems, i - 1);
      GtkWidget *label = g_hash_table_lookup (self->messages, p->field);

      if (label == NULL)
        label = g_hash_table_lookup (self->messages, g_str_has_prefix (p->field, "certificate") ? "signer-iin" : p->field);
      if (label != NULL)
        {
          gtk_label_set_text (GTK_LABEL (label), p->message);
          gtk_widget_set_visible (label, TRUE);
        }
    }

  /* The product groups' confirmation is asked by Next itself (R001-6). */
  if (self->step == QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS && problems->len == 1 &&
      g_str_equal (((QoimaRegistrationProblem *) g_ptr_array_index (problems, 0))->field, "product-groups-confirmed"))
    gtk_widget_set_visible (g_hash_table_lookup (self->messages, "product-groups-confirmed"), FALSE);

  if (self->busy)
    ;
  else if (problems->len == 0)
    gtk_label_set_text (self->hint_label, "");
  else
    {
      g_autofree char *hint = g_strdup_printf (ngettext ("%u thing to fill in before going on.",
                                                         "%u things to fill in before going on.", problems->len),
                                               problems->len);
      gtk_label_set_text (self->hint_label, hint);
    }

  /* Another stand's address only for another stand. */
  {
    GtkWidget *url_row = g_hash_table_lookup (self->widgets, "stand-url");

    gtk_widget_set_visible (gtk_widget_get_parent (gtk_widget_get_parent (url_row)),
                            g_strcmp0 (qoima_registration_get (self->draft, "stand"), "custom") == 0);
  }
  /* R001-8: an individual entrepreneur has no users to add. */
  gtk_widget_set_visible (self->users_group, qoima_registration_is_legal_entity (self->draft));
  if (!qoima_registration_is_legal_entity (self->draft))
    gtk_widget_set_visible (self->offers_group, FALSE);
  if (self->key_row != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->key_row),
                                 uses_key_file (self) ? _("From its file (.p12): the file and its password are asked.")
                                                      : _("Through NCALayer, which asks for the key and its password."));

  subtitle = g_strdup_printf (_("Step %d of %d: %s"), self->step + 1, QOIMA_REGISTRATION_N_STEPS, _(steps[self->step].title));
  adw_window_title_set_subtitle (self->window_title, subtitle);
  /* A sent request is what ИС МПТ has: the draft is not changed under it (its BIN becomes the
   * hospital's once confirmed); a refused one is corrected and sent again. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "registration.back",
                                 self->step > 0 && !self->busy && g_strcmp0 (self->state, "sent") != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "registration.next", !last);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "registration.send", last && can_send (self));
  gtk_widget_set_visible (self->next_button, !last);
  gtk_widget_set_visible (self->send_button, last);
  gtk_button_set_label (GTK_BUTTON (self->send_button),
                        g_strcmp0 (self->state, "refused") == 0 ? _("_Sign and Send Again…") : _("_Sign and Send…"));
  update_summary (self);
}

static void
go_to (QoimaRegistrationWindow *self,
       QoimaRegistrationStep    step)
{
  g_autofree char *name = g_strdup_printf ("step-%d", step);

  self->step = step;
  if (step == QOIMA_REGISTRATION_STEP_KEY)
    {
      fill_from_key (self);
      load_widgets (self);
    }
  gtk_stack_set_visible_child_name (self->stack, name);
  update (self);
  if (step == QOIMA_REGISTRATION_STEP_REQUIREMENTS)
    run_checks (self);
  /* Saved at every step: a restart resumes here. */
  save (self);
}

static void
confirm_groups_cb (AdwMessageDialog        *dialog,
                   const char              *response,
                   QoimaRegistrationWindow *self)
{
  if (!g_str_equal (response, "confirm"))
    return;
  qoima_registration_set (self->draft, "product-groups-confirmed", "true");
  go_to (self, self->step + 1);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (widget);
  g_autoptr(GPtrArray) problems = qoima_registration_validate (self->draft, self->step, &self->references);

  if (self->step == QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS && problems->len == 1 &&
      g_str_equal (((QoimaRegistrationProblem *) g_ptr_array_index (problems, 0))->field, "product-groups-confirmed"))
    {
      /* R001-6: never removed once added, so the administrator confirms it in so many words. */
      AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                                             _("Add These Product Groups?"),
                                                                             _("A product group once added can never be removed.")));

      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "confirm", _("_Add for Good"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "confirm", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "cancel");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect (dialog, "response", G_CALLBACK (confirm_groups_cb), self);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  if (problems->len > 0)
    {
      QoimaRegistrationProblem *first = g_ptr_array_index (problems, 0);

      /* Next explains what is missing, not only that something is. */
      gtk_label_set_text (self->hint_label, first->message);
      return;
    }
  if (self->step + 1 < QOIMA_REGISTRATION_N_STEPS)
    go_to (self, self->step + 1);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (widget);

  if (self->step > 0)
    go_to (self, self->step - 1);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(QoimaRegistrationWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStoredRegistration) stored = qoima_store_load_registration_finish (QOIMA_STORE (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loaded = TRUE;
  if (stored != NULL)
    {
      g_set_object (&self->draft, stored->registration);
      set_state (self, stored->state, stored->request_id, stored->reason);
      load_widgets (self);
      if (g_strcmp0 (self->state, "confirmed") == 0)
        {
          self->step = QOIMA_REGISTRATION_STEP_SIGN;
          show_done (self);
          if (self->sign_contract_asked)
            gtk_widget_activate_action (GTK_WIDGET (self), "registration.sign-contract", NULL);
          return;
        }
      /* Sent or refused: the request is on the last step, followed from where it was. */
      if (g_strcmp0 (self->state, "sent") == 0 || g_strcmp0 (self->state, "refused") == 0)
        qoima_registration_set_step (self->draft, QOIMA_REGISTRATION_STEP_SIGN);
      go_to (self, qoima_registration_get_step (self->draft));
      if (g_strcmp0 (self->state, "sent") == 0)
        {
          show_status (self, "RECEIVED");
          poll_status (self);
        }
      else if (g_strcmp0 (self->state, "refused") == 0)
        show_status (self, "REFUSED");
    }
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_text (self->hint_label, error->message);
}

static void
qoima_registration_window_dispose (GObject *object)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->checks_cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  G_OBJECT_CLASS (qoima_registration_window_parent_class)->dispose (object);
}

static void
qoima_registration_window_finalize (GObject *object)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->checks_cancellable);
  g_clear_object (&self->context);
  g_clear_object (&self->draft);
  g_clear_object (&self->client);
  g_clear_object (&self->qoima_users);
  g_free (self->state);
  g_free (self->request_id);
  g_free (self->reason);
  g_free (self->request_status);
  g_hash_table_unref (self->messages);
  g_hash_table_unref (self->widgets);
  g_hash_table_unref (self->group_switches);
  g_hash_table_unref (self->type_switches);
  g_hash_table_unref (self->pickers);
  g_hash_table_unref (self->user_entries);
  g_clear_pointer (&self->references.kato, qoima_reference_free);
  g_clear_pointer (&self->references.tax_offices, qoima_reference_free);
  g_clear_pointer (&self->references.banks, qoima_reference_free);
  g_clear_pointer (&self->references.product_groups, qoima_reference_free);
  G_OBJECT_CLASS (qoima_registration_window_parent_class)->finalize (object);
}

static void
qoima_registration_window_class_init (QoimaRegistrationWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = qoima_registration_window_dispose;
  object_class->finalize = qoima_registration_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/qoima-registration-window.ui");
  gtk_widget_class_bind_template_child (widget_class, QoimaRegistrationWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, QoimaRegistrationWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, QoimaRegistrationWindow, hint_label);
  gtk_widget_class_bind_template_child (widget_class, QoimaRegistrationWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaRegistrationWindow, next_button);
  gtk_widget_class_bind_template_child (widget_class, QoimaRegistrationWindow, send_button);
  /* Emitted when the draft and the request's state were saved (every step, the contract's
   * signature), so that whoever shows the registration shows it as it is now. */
  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "registration.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "registration.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "registration.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "registration.check", NULL, check_action);
  gtk_widget_class_install_action (widget_class, "registration.choose-key", NULL, choose_key_action);
  gtk_widget_class_install_action (widget_class, "registration.check-api-key", NULL, check_api_key_action);
  gtk_widget_class_install_action (widget_class, "registration.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "registration.sign-contract", NULL, sign_contract_action);
  gtk_widget_class_install_action (widget_class, "registration.add-offer", "s", add_offer_action);
  gtk_widget_class_install_action (widget_class, "registration.remove-user", "u", remove_user_action);
}

static void
qoima_registration_window_init (QoimaRegistrationWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->widgets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->group_switches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->type_switches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pickers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->user_entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->state = g_strdup ("draft");
  self->poll_interval_ms = FIRST_POLL_MS;
  self->draft = qoima_registration_new ();
  /* «Лекарственные средства» preselected: this is a hospital (issue 12, step 5). */
  qoima_registration_set_list (self->draft, "product-groups", (const char * const[]) { "pharma", NULL });
  qoima_registration_set (self->draft, "producer-or-importer", "no");
  self->references.kato = qoima_reference_load (QOIMA_REFERENCE_KATO, NULL);
  self->references.tax_offices = qoima_reference_load (QOIMA_REFERENCE_TAX_OFFICES, NULL);
  self->references.banks = qoima_reference_load (QOIMA_REFERENCE_BANKS, NULL);
  self->references.product_groups = qoima_reference_load (QOIMA_REFERENCE_PRODUCT_GROUPS, NULL);
  build_pages (self);
}

QoimaRegistrationWindow *
qoima_registration_window_new (QoimaContext *context)
{
  QoimaRegistrationWindow *self = g_object_new (QOIMA_TYPE_REGISTRATION_WINDOW, NULL);
  QoimaStore *store = qoima_context_get_store (context);

  self->context = g_object_ref (context);
  /* Another stand's address starts as the one this workstation works with (the local stand). */
  if (qoima_context_get_client (context) != NULL)
    qoima_registration_set (self->draft, "stand-url", qoima_ismpt_client_get_base_url (qoima_context_get_client (context)));
  load_widgets (self);
  self->step = QOIMA_REGISTRATION_STEP_STAND;
  gtk_stack_set_visible_child_name (self->stack, "step-0");
  update (self);
  if (store != NULL)
    {
      qoima_store_load_registration_async (store, self->cancellable, loaded_cb, g_object_ref (self));
      qoima_store_list_users_async (store, self->cancellable, users_listed_cb, g_object_ref (self));
    }
  return self;
}

QoimaRegistration *
qoima_registration_window_get_draft (QoimaRegistrationWindow *self)
{
  return self->draft;
}

QoimaRegistrationStep
qoima_registration_window_get_step (QoimaRegistrationWindow *self)
{
  return self->step;
}

const char *
qoima_registration_window_get_message (QoimaRegistrationWindow *self,
                                       const char              *field)
{
  GtkWidget *label = g_hash_table_lookup (self->messages, field);

  return label != NULL && gtk_widget_get_visible (label) ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
}

void
qoima_registration_window_set_field (QoimaRegistrationWindow *self,
                                     const char              *field,
                                     const char              *value)
{
  GtkWidget *widget = g_hash_table_lookup (self->widgets, field);

  if (widget != NULL && ADW_IS_ENTRY_ROW (widget))
    gtk_editable_set_text (GTK_EDITABLE (widget), value);
  else if (widget != NULL && GTK_IS_SWITCH (widget))
    gtk_switch_set_active (GTK_SWITCH (widget), g_strcmp0 (value, "true") == 0 || g_strcmp0 (value, "yes") == 0);
  else
    {
      qoima_registration_set (self->draft, field, value);
      update (self);
    }
}

gboolean
qoima_registration_window_get_saved (QoimaRegistrationWindow *self)
{
  return self->saved;
}

GStrv
qoima_registration_window_get_suggestions (QoimaRegistrationWindow *self,
                                           const char              *field)
{
  Picker *picker = g_hash_table_lookup (self->pickers, field);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (picker != NULL && gtk_widget_get_visible (picker->list))
    for (GtkWidget *row = gtk_widget_get_first_child (picker->list); row != NULL; row = gtk_widget_get_next_sibling (row))
      g_strv_builder_add (builder, g_object_get_data (G_OBJECT (row), "code"));
  return g_strv_builder_end (builder);
}

void
qoima_registration_window_choose (QoimaRegistrationWindow *self,
                                  const char              *field,
                                  const char              *code)
{
  Picker *picker = g_hash_table_lookup (self->pickers, field);

  g_return_if_fail (picker != NULL);
  for (GtkWidget *row = gtk_widget_get_first_child (picker->list); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "code"), code) == 0)
      {
        g_signal_emit_by_name (picker->list, "row-activated", row);
        return;
      }
}

const char *
qoima_registration_window_get_choice (QoimaRegistrationWindow *self,
                                      const char              *field)
{
  Picker *picker = g_hash_table_lookup (self->pickers, field);

  return picker != NULL && gtk_widget_get_visible (picker->chosen) ? gtk_label_get_text (GTK_LABEL (picker->chosen)) : NULL;
}

int
qoima_registration_window_get_check (QoimaRegistrationWindow *self,
                                     const char              *name,
                                     const char             **text)
{
  for (int i = 0; i < N_CHECKS; i++)
    if (g_str_equal (check_names[i], name))
      {
        if (text != NULL)
          *text = adw_action_row_get_subtitle (ADW_ACTION_ROW (self->check_rows[i]));
        return self->check_state[i];
      }
  g_return_val_if_reached (-1);
}

char *
qoima_registration_window_get_summary (QoimaRegistrationWindow *self)
{
  g_autoptr(GPtrArray) items = summary_items (self);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++)
    {
      SummaryItem *item = g_ptr_array_index (items, i);

      g_string_append_printf (text, "%s: %s\n", item->title, item->value);
    }
  return g_string_free (text, FALSE);
}

const char *
qoima_registration_window_get_request_status (QoimaRegistrationWindow *self)
{
  return self->request_status;
}

gboolean
qoima_registration_window_get_done (QoimaRegistrationWindow *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "done") == 0;
}

void
qoima_registration_window_set_api_key (QoimaRegistrationWindow *self,
                                       const char              *key)
{
  gtk_editable_set_text (GTK_EDITABLE (self->api_key_row), key);
}

gboolean
qoima_registration_window_get_api_key_ok (QoimaRegistrationWindow *self)
{
  return self->api_key_ok;
}

const char *
qoima_registration_window_get_api_key_status (QoimaRegistrationWindow *self)
{
  return gtk_label_get_text (GTK_LABEL (self->api_key_label));
}

gboolean
qoima_registration_window_get_synced (QoimaRegistrationWindow *self)
{
  return self->synced;
}

const char *
qoima_registration_window_get_sync_status (QoimaRegistrationWindow *self)
{
  return gtk_label_get_text (GTK_LABEL (self->sync_label));
}

GStrv
qoima_registration_window_get_user_offers (QoimaRegistrationWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (gtk_widget_get_visible (self->offers_group))
    for (GtkWidget *row = gtk_widget_get_first_child (self->offers_list); row != NULL; row = gtk_widget_get_next_sibling (row))
      if (g_object_get_data (G_OBJECT (row), "iin") != NULL)
        g_strv_builder_add (builder, g_object_get_data (G_OBJECT (row), "iin"));
  return g_strv_builder_end (builder);
}

void
qoima_registration_window_add_user_offer (QoimaRegistrationWindow *self,
                                          const char              *iin)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "registration.add-offer", "s", iin);
}

void
qoima_registration_window_set_user_field (QoimaRegistrationWindow *self,
                                          guint                    index,
                                          const char              *field,
                                          const char              *value)
{
  g_autofree char *key = g_strdup_printf ("%u:%s", index, field);
  GtkWidget *entry = g_hash_table_lookup (self->user_entries, key);

  g_return_if_fail (entry != NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), value);
}

const char *
qoima_registration_window_get_contract_status (QoimaRegistrationWindow *self)
{
  return gtk_label_get_text (GTK_LABEL (self->contract_status));
}

void
qoima_registration_window_set_ncalayer_url (QoimaRegistrationWindow *self,
                                            const char              *url)
{
  g_free (self->ncalayer_url);
  self->ncalayer_url = g_strdup (url);
}

void
qoima_registration_window_sign_contract (QoimaRegistrationWindow *self)
{
  g_return_if_fail (QOIMA_IS_REGISTRATION_WINDOW (self));

  /* Opened just now: asked once the registration is read, and only if it is confirmed. */
  if (!self->loaded)
    {
      self->sign_contract_asked = TRUE;
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "registration.sign-contract", NULL);
}
