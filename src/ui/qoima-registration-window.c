/* qoima-registration-window.c: the registration wizard (issue 12), the HIG's assistant pattern
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One page per step of QoimaRegistrationStep, built from the table below; every field is
 * checked as it is typed by the core's qoima_registration_validate() (the same checks as
 * qoimactl and the stand), its message right under it; Next says what is missing; the
 * draft is saved in the store at every step and resumed at its step.
 */

#define G_LOG_DOMAIN "qoima-registration"

#include "config.h"

#include <glib/gi18n.h>

#include "qoima-registration-window.h"
#include "qoima-signer.h"
#include "qoima-certificate.h"
#include "qoima-store-registration.h"

typedef enum {
  KIND_ENTRY,
  KIND_SWITCH,   /* "true" / "false" */
  KIND_INFO,     /* read-only, filled from the key */
} Kind;

typedef struct {
  QoimaRegistrationStep step;
  const char *field;
  Kind kind;
  const char *title;
} Field;

static const Field fields[] = {
  { QOIMA_REGISTRATION_STEP_STAND, "stand-url", KIND_ENTRY, N_("Address of another stand") },
  { QOIMA_REGISTRATION_STEP_KEY, "signer-iin", KIND_INFO, N_("IIN") },
  { QOIMA_REGISTRATION_STEP_KEY, "company", KIND_INFO, N_("Company") },
  { QOIMA_REGISTRATION_STEP_KEY, "head-name", KIND_INFO, N_("Full name") },
  { QOIMA_REGISTRATION_STEP_KEY, "certificate-serial", KIND_INFO, N_("Certificate serial number") },
  { QOIMA_REGISTRATION_STEP_KEY, "certificate-issuer", KIND_INFO, N_("Issued by") },
  { QOIMA_REGISTRATION_STEP_KEY, "certificate-valid-to", KIND_INFO, N_("Valid until") },
  { QOIMA_REGISTRATION_STEP_CONTACTS, "email", KIND_ENTRY, N_("E-mail") },
  { QOIMA_REGISTRATION_STEP_CONTACTS, "org-phone", KIND_ENTRY, N_("Organization’s phone") },
  { QOIMA_REGISTRATION_STEP_CONTACTS, "head-mobile", KIND_ENTRY, N_("Head’s mobile phone") },
  { QOIMA_REGISTRATION_STEP_CONTACTS, "consent", KIND_SWITCH, N_("I consent to the processing of personal data") },
  { QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS, "producer-or-importer", KIND_SWITCH, N_("We are a producer or importer of goods") },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "full-name", KIND_ENTRY, N_("Full name of the organization") },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "bin", KIND_ENTRY, N_("IIN/BIN") },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "tax-office", KIND_ENTRY, N_("Tax office code (КГД), e.g. 6201") },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "head", KIND_ENTRY, N_("Head") },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "kato", KIND_ENTRY, N_("Locality (KATO): type its name") },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "address", KIND_ENTRY, N_("Street and house") },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "participant-email", KIND_ENTRY, N_("E-mail") },
  { QOIMA_REGISTRATION_STEP_PARTICIPANT, "participant-phone", KIND_ENTRY, N_("Phone") },
  { QOIMA_REGISTRATION_STEP_BANK, "bic", KIND_ENTRY, N_("BIC of the bank") },
  { QOIMA_REGISTRATION_STEP_BANK, "correspondent-account", KIND_ENTRY, N_("Correspondent account (optional)") },
  { QOIMA_REGISTRATION_STEP_BANK, "iban", KIND_ENTRY, N_("IBAN") },
  { QOIMA_REGISTRATION_STEP_BANK, "advance-invoice", KIND_SWITCH, N_("Receive an invoice for an advance payment") },
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
  { N_("Users"), N_("Employees can be added after registration by the Administrator, who can also add employees and request invoices. An individual entrepreneur has no users.") },
  { N_("Bank Details"), N_("A card’s IBAN may serve when there is no settlement account.") },
  { N_("Sign and Send"), N_("Check everything: the request is signed with your key (GOST for a legal entity, RSA for an individual) and sent.") },
};

static const char * const participant_types[] = { "wholesale", "importer", "retail", "producer" };
static const char * const participant_type_titles[] = { N_("Wholesale"), N_("Importer"), N_("Retail"), N_("Producer") };

struct _QoimaRegistrationWindow
{
  AdwWindow parent_instance;

  /* template */
  AdwWindowTitle *window_title;
  GtkStack *stack;
  GtkLabel *hint_label;

  /* owned */
  QoimaContext *context;
  QoimaRegistration *draft;
  QoimaRegistrationReferences references;
  GHashTable *messages;        /* field -> GtkLabel under it */
  GHashTable *widgets;         /* field -> its entry, switch or info row */
  GHashTable *group_switches;  /* product group code -> GtkSwitch */
  GHashTable *type_switches;   /* participant type -> GtkSwitch */
  GtkWidget *stand_combo;
  GtkWidget *kato_path;
  GtkWidget *summary_label;
  GtkWidget *status_label;
  GCancellable *cancellable;

  QoimaRegistrationStep step;
  gboolean loading;            /* filling widgets from the draft: not a change */
  gboolean saved;
};

G_DEFINE_FINAL_TYPE (QoimaRegistrationWindow, qoima_registration_window, ADW_TYPE_WINDOW)

static void update (QoimaRegistrationWindow *self);

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
}

static void
save (QoimaRegistrationWindow *self)
{
  QoimaStore *store = qoima_context_get_store (self->context);

  self->saved = FALSE;
  qoima_registration_set_step (self->draft, self->step);
  if (store != NULL)
    qoima_store_save_registration_async (store, qoima_context_get_user (self->context), self->draft,
                                         "draft", NULL, NULL, NULL, saved_cb, g_object_ref (self));
}

static GtkWidget *
field_box (QoimaRegistrationWindow *self,
           const char              *field,
           GtkWidget               *row)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *message = gtk_label_new (NULL);

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_widget_add_css_class (message, "error");
  gtk_widget_add_css_class (message, "caption");
  gtk_widget_set_margin_start (message, 12);
  gtk_widget_set_visible (message, FALSE);
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
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *message = gtk_label_new (NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
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
  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_widget_add_css_class (message, "error");
  gtk_widget_add_css_class (message, "caption");
  gtk_widget_set_visible (message, FALSE);
  g_hash_table_insert (self->messages, g_strdup (field), message);
  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (GTK_BOX (box), message);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), box);
  return group;
}

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

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        {
          GtkWidget *row;
          GtkWidget *widget;

          if ((int) fields[i].step != step)
            continue;
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
          if (g_str_equal (fields[i].field, "kato"))
            {
              /* Type-ahead over KATO: the best leaf for what is typed, shown as its path. */
              self->kato_path = gtk_label_new (NULL);
              gtk_label_set_xalign (GTK_LABEL (self->kato_path), 0);
              gtk_label_set_wrap (GTK_LABEL (self->kato_path), TRUE);
              gtk_widget_add_css_class (self->kato_path, "dim-label");
              gtk_widget_set_margin_start (self->kato_path, 12);
              adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->kato_path);
            }
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
      if (step == QOIMA_REGISTRATION_STEP_SIGN)
        {
          GtkWidget *summary = adw_preferences_group_new ();

          self->summary_label = gtk_label_new (NULL);
          gtk_label_set_xalign (GTK_LABEL (self->summary_label), 0);
          gtk_label_set_wrap (GTK_LABEL (self->summary_label), TRUE);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (summary), self->summary_label);
          self->status_label = gtk_label_new (NULL);
          gtk_label_set_xalign (GTK_LABEL (self->status_label), 0);
          gtk_label_set_wrap (GTK_LABEL (self->status_label), TRUE);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (summary), self->status_label);
          adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (summary));
        }

      gtk_stack_add_named (self->stack, page, name);
    }
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

      if (GTK_IS_SWITCH (value))
        gtk_switch_set_active (value, g_strcmp0 (text, "true") == 0 || g_strcmp0 (text, "yes") == 0);
      else if (ADW_IS_ENTRY_ROW (value))
        gtk_editable_set_text (GTK_EDITABLE (value), text != NULL ? text : "");
      else
        adw_action_row_set_subtitle (value, text != NULL ? text : "—");
    }
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
  self->loading = FALSE;
}

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

static void
update_kato (QoimaRegistrationWindow *self)
{
  const char *typed = qoima_registration_get (self->draft, "kato");
  const QoimaReferenceEntry *entry = NULL;
  g_autofree char *path = NULL;

  if (self->kato_path == NULL || self->references.kato == NULL || typed == NULL)
    return;
  entry = qoima_reference_lookup (self->references.kato, typed);
  if (entry == NULL)
    {
      g_autoptr(GPtrArray) found = qoima_reference_search (self->references.kato, typed, 0);

      /* The first locality (a leaf) whose name has every typed word. */
      for (guint i = 0; i < found->len && entry == NULL; i++)
        if (((QoimaReferenceEntry *) g_ptr_array_index (found, i))->n_children == 0)
          entry = g_ptr_array_index (found, i);
      if (entry != NULL)
        {
          /* The code is what the draft keeps; the entry keeps the words typed. */
          qoima_registration_set (self->draft, "kato", entry->code);
          qoima_registration_set (self->draft, "kato-typed", typed);
        }
    }
  path = entry != NULL ? qoima_reference_get_path_name (self->references.kato, entry) : NULL;
  gtk_label_set_text (GTK_LABEL (self->kato_path), path != NULL ? path : "");
}

static void
update_summary (QoimaRegistrationWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->summary_label == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *value = qoima_registration_get (self->draft, fields[i].field);

      if (value != NULL && fields[i].kind != KIND_SWITCH)
        g_string_append_printf (text, "%s: %s\n", _(fields[i].title), value);
    }
  g_string_append_printf (text, _("Signed with a %s key."), qoima_registration_get_signing_key_type (self->draft));
  gtk_label_set_text (GTK_LABEL (self->summary_label), text->str);
}

static void
update (QoimaRegistrationWindow *self)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *subtitle = NULL;
  GHashTableIter iter;
  gpointer key, value;

  update_kato (self);
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

  if (problems->len == 0)
    gtk_label_set_text (self->hint_label, "");
  else
    {
      g_autofree char *hint = g_strdup_printf (ngettext ("%u thing to fill in before going on.",
                                                         "%u things to fill in before going on.", problems->len),
                                               problems->len);
      gtk_label_set_text (self->hint_label, hint);
    }

  subtitle = g_strdup_printf (_("Step %d of %d: %s"), self->step + 1, QOIMA_REGISTRATION_N_STEPS, _(steps[self->step].title));
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "registration.back", self->step > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "registration.next", self->step + 1 < QOIMA_REGISTRATION_N_STEPS);
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

  if (stored != NULL)
    {
      g_set_object (&self->draft, stored->registration);
      load_widgets (self);
      go_to (self, qoima_registration_get_step (self->draft));
    }
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_text (self->hint_label, error->message);
}

static void
qoima_registration_window_dispose (GObject *object)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (qoima_registration_window_parent_class)->dispose (object);
}

static void
qoima_registration_window_finalize (GObject *object)
{
  QoimaRegistrationWindow *self = QOIMA_REGISTRATION_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  g_clear_object (&self->draft);
  g_hash_table_unref (self->messages);
  g_hash_table_unref (self->widgets);
  g_hash_table_unref (self->group_switches);
  g_hash_table_unref (self->type_switches);
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
  gtk_widget_class_install_action (widget_class, "registration.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "registration.back", NULL, back_action);
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
  load_widgets (self);
  self->step = QOIMA_REGISTRATION_STEP_STAND;
  gtk_stack_set_visible_child_name (self->stack, "step-0");
  update (self);
  if (store != NULL)
    qoima_store_load_registration_async (store, self->cancellable, loaded_cb, g_object_ref (self));
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
