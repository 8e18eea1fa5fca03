/* qoima-registration.c: a draft of the hospital's registration in ИС МПТ, checked field by field
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <gnutls/x509.h>

#include "qoima-identifiers.h"
#include "qoima-registration.h"

struct _QoimaRegistration
{
  GObject parent_instance;

  JsonObject *fields;   /* the draft as it is saved: strings, lists of strings, "users" */
};

G_DEFINE_FINAL_TYPE (QoimaRegistration, qoima_registration, G_TYPE_OBJECT)

void
qoima_registration_problem_free (QoimaRegistrationProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->field);
  g_free (problem->rule);
  g_free (problem->message);
  g_free (problem);
}

static void
qoima_registration_finalize (GObject *object)
{
  QoimaRegistration *self = QOIMA_REGISTRATION (object);

  json_object_unref (self->fields);
  G_OBJECT_CLASS (qoima_registration_parent_class)->finalize (object);
}

static void
qoima_registration_class_init (QoimaRegistrationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = qoima_registration_finalize;
}

static void
qoima_registration_init (QoimaRegistration *self)
{
  self->fields = json_object_new ();
}

QoimaRegistration *
qoima_registration_new (void)
{
  return g_object_new (QOIMA_TYPE_REGISTRATION, NULL);
}

QoimaRegistration *
qoima_registration_new_from_json (const char  *json,
                                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(QoimaRegistration) self = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("A registration draft must be a JSON object."));
      return NULL;
    }
  self = qoima_registration_new ();
  json_object_unref (self->fields);
  self->fields = json_object_ref (json_node_get_object (root));
  return g_steal_pointer (&self);
}

char *
qoima_registration_to_json (QoimaRegistration *self)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  g_return_val_if_fail (QOIMA_IS_REGISTRATION (self), NULL);
  json_node_set_object (node, self->fields);
  return json_to_string (node, TRUE);
}

const char *
qoima_registration_get (QoimaRegistration *self,
                        const char        *field)
{
  JsonNode *node;

  g_return_val_if_fail (QOIMA_IS_REGISTRATION (self), NULL);
  node = json_object_get_member (self->fields, field);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

void
qoima_registration_set (QoimaRegistration *self,
                        const char        *field,
                        const char        *value)
{
  g_return_if_fail (QOIMA_IS_REGISTRATION (self));
  if (value == NULL)
    json_object_remove_member (self->fields, field);
  else
    json_object_set_string_member (self->fields, field, value);
}

GStrv
qoima_registration_get_list (QoimaRegistration *self,
                             const char        *field)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (self->fields, field);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          if (json_node_get_value_type (item) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (item));
        }
    }
  return g_strv_builder_end (builder);
}

void
qoima_registration_set_list (QoimaRegistration  *self,
                             const char         *field,
                             const char * const *values)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_array_add_string_element (array, values[i]);
  json_object_set_array_member (self->fields, field, array);
}

static JsonArray *
users_array (QoimaRegistration *self)
{
  JsonNode *node = json_object_get_member (self->fields, "users");

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

guint
qoima_registration_get_n_users (QoimaRegistration *self)
{
  JsonArray *users = users_array (self);

  return users != NULL ? json_array_get_length (users) : 0;
}

const char *
qoima_registration_get_user_field (QoimaRegistration *self,
                                   guint              index,
                                   const char        *field)
{
  JsonArray *users = users_array (self);
  JsonNode *user;
  JsonNode *node;

  if (users == NULL || index >= json_array_get_length (users))
    return NULL;
  user = json_array_get_element (users, index);
  if (!JSON_NODE_HOLDS_OBJECT (user))
    return NULL;
  node = json_object_get_member (json_node_get_object (user), field);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

void
qoima_registration_add_user (QoimaRegistration *self,
                             const char        *surname,
                             const char        *name,
                             const char        *iin,
                             const char        *email,
                             const char        *phone,
                             const char        *role)
{
  JsonArray *users = users_array (self);
  JsonObject *user = json_object_new ();

  if (users == NULL)
    {
      users = json_array_new ();
      json_object_set_array_member (self->fields, "users", users);
    }
  json_object_set_string_member (user, "surname", surname != NULL ? surname : "");
  json_object_set_string_member (user, "name", name != NULL ? name : "");
  json_object_set_string_member (user, "iin", iin != NULL ? iin : "");
  json_object_set_string_member (user, "email", email != NULL ? email : "");
  json_object_set_string_member (user, "phone", phone != NULL ? phone : "");
  json_object_set_string_member (user, "role", role != NULL ? role : "user");
  json_array_add_object_element (users, user);
}

void
qoima_registration_clear_users (QoimaRegistration *self)
{
  json_object_remove_member (self->fields, "users");
}

void
qoima_registration_set_user_field (QoimaRegistration *self,
                                   guint              index,
                                   const char        *field,
                                   const char        *value)
{
  JsonArray *users = users_array (self);
  JsonNode *user;

  g_return_if_fail (users != NULL && index < json_array_get_length (users));
  user = json_array_get_element (users, index);
  g_return_if_fail (JSON_NODE_HOLDS_OBJECT (user));
  json_object_set_string_member (json_node_get_object (user), field, value != NULL ? value : "");
}

void
qoima_registration_remove_user (QoimaRegistration *self,
                                guint              index)
{
  JsonArray *users = users_array (self);

  g_return_if_fail (users != NULL && index < json_array_get_length (users));
  json_array_remove_element (users, index);
}

int
qoima_registration_find_user (QoimaRegistration *self,
                              const char        *iin)
{
  for (guint i = 0; iin != NULL && i < qoima_registration_get_n_users (self); i++)
    if (g_strcmp0 (qoima_registration_get_user_field (self, i, "iin"), iin) == 0)
      return (int) i;
  return -1;
}

/* How much a word looks like a Kazakh or Russian surname: 2 for the endings only surnames
 * have (-ов, -ева, -ский, -енко; -улы, -кызы as a surname's own), 1 for those some given
 * names share (-ин, -ина: Марина), 0 otherwise. */
static int
surname_score (const char *word)
{
  static const char * const strong[] = { "ов", "ова", "ев", "ева", "ёв", "ёва", "ский", "ская", "цкий",
                                         "цкая", "енко", "улы", "ұлы", "уулу", "кызы", "қызы" };
  static const char * const weak[] = { "ин", "ина", "ын", "ына" };
  g_autofree char *lower = g_utf8_strdown (word, -1);

  for (guint i = 0; i < G_N_ELEMENTS (strong); i++)
    if (g_str_has_suffix (lower, strong[i]))
      return 2;
  for (guint i = 0; i < G_N_ELEMENTS (weak); i++)
    if (g_str_has_suffix (lower, weak[i]))
      return 1;
  return 0;
}

void
qoima_registration_split_full_name (const char  *full_name,
                                    char       **surname,
                                    char       **name)
{
  g_auto(GStrv) words = g_strsplit_set (full_name != NULL ? full_name : "", " \t", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  const char *first;
  const char *second;

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (kept, words[i]);
  *surname = NULL;
  *name = NULL;
  if (kept->len == 0)
    return;
  first = g_ptr_array_index (kept, 0);
  if (kept->len == 1)
    {
      *surname = g_strdup (first);
      return;
    }
  /* «Фамилия Имя [Отчество]» as documents write it, unless only the second of two words looks
   * like the surname (Qoima's users are often written «Ерлан Сапаров»). */
  second = g_ptr_array_index (kept, 1);
  if (kept->len == 2 && surname_score (second) > surname_score (first))
    {
      *surname = g_strdup (second);
      *name = g_strdup (first);
    }
  else
    {
      *surname = g_strdup (first);
      *name = g_strdup (second);
    }
}

gboolean
qoima_registration_add_qoima_user (QoimaRegistration *self,
                                   const char        *full_name,
                                   const char        *iin,
                                   const char        *qoima_role)
{
  g_autofree char *surname = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (iin != NULL && *iin != '\0', FALSE);

  if (qoima_registration_find_user (self, iin) >= 0)
    return FALSE;
  qoima_registration_split_full_name (full_name, &surname, &name);
  /* R001-8: ИС МПТ's Administrator adds employees and requests invoices, as Qoima's admin
   * manages its users; everyone else is a user there. */
  qoima_registration_add_user (self, surname, name, iin, NULL, NULL,
                               g_strcmp0 (qoima_role, "admin") == 0 ? "administrator" : "user");
  return TRUE;
}

QoimaRegistrationStep
qoima_registration_get_step (QoimaRegistration *self)
{
  gint64 step;

  if (!json_object_has_member (self->fields, "step"))
    return QOIMA_REGISTRATION_STEP_STAND;
  step = json_object_get_int_member_with_default (self->fields, "step", 0);
  return CLAMP (step, 0, QOIMA_REGISTRATION_N_STEPS - 1);
}

void
qoima_registration_set_step (QoimaRegistration     *self,
                             QoimaRegistrationStep  step)
{
  g_return_if_fail (step >= 0 && step < QOIMA_REGISTRATION_N_STEPS);
  json_object_set_int_member (self->fields, "step", step);
}

gboolean
qoima_registration_is_legal_entity (QoimaRegistration *self)
{
  return qoima_number_is_bin (qoima_registration_get (self, "bin"));
}

const char *
qoima_registration_get_signing_key_type (QoimaRegistration *self)
{
  /* R001-10: GOST for a legal entity, RSA for an individual. */
  return qoima_registration_is_legal_entity (self) ? "GOST" : "RSA";
}

const char *
qoima_registration_get_stand_url (QoimaRegistration *self)
{
  const char *stand = qoima_registration_get (self, "stand");

  if (g_strcmp0 (stand, "test") == 0)
    return QOIMA_REGISTRATION_TEST_STAND_URL;
  if (g_strcmp0 (stand, "industrial") == 0)
    return QOIMA_REGISTRATION_INDUSTRIAL_STAND_URL;
  if (g_strcmp0 (stand, "custom") == 0)
    return qoima_registration_get (self, "stand-url");
  return NULL;
}

/* R000-2: the standard connection contract. Its text is the operator's and is NOT in the
 * reference: this summary is designed (the parties, what each undertakes, the acceptance by
 * the head's ЭЦП) and says where the full text is. It is the document ИС МПТ keeps, so it is
 * in Russian whatever the interface's language, and it is what the head signs: the wizard
 * and qoimactl show exactly this text before signing. */
char *
qoima_registration_contract_text (QoimaRegistration                 *self,
                                  const QoimaRegistrationReferences *references)
{
  GString *text = g_string_new (NULL);
  g_auto(GStrv) groups = qoima_registration_get_list (self, "product-groups");
  g_autoptr(GString) group_list = g_string_new (NULL);
  const char *stand = qoima_registration_get (self, "stand");

  g_string_append_printf (text, "Типовой договор на подключение к информационной системе маркировки и "
                                "прослеживаемости товаров (ИС МПТ), редакция %s\n\n",
                          QOIMA_REGISTRATION_CONTRACT_VERSION);
  g_string_append_printf (text, "Участник: %s, БИН %s, в лице руководителя %s (ИИН %s).\n",
                          qoima_registration_get (self, "full-name") != NULL ? qoima_registration_get (self, "full-name") : "",
                          qoima_registration_get (self, "bin") != NULL ? qoima_registration_get (self, "bin") : "",
                          qoima_registration_get (self, "head-name") != NULL ? qoima_registration_get (self, "head-name")
                                                                              : qoima_registration_get (self, "head"),
                          qoima_registration_get (self, "signer-iin") != NULL ? qoima_registration_get (self, "signer-iin") : "");
  g_string_append_printf (text, "Стенд: %s (%s).\n",
                          g_strcmp0 (stand, "industrial") == 0 ? "промышленный" :
                          g_strcmp0 (stand, "test") == 0 ? "тестовый" : "другой",
                          qoima_registration_get_stand_url (self) != NULL ? qoima_registration_get_stand_url (self) : "");
  for (guint i = 0; groups[i] != NULL; i++)
    {
      const QoimaReferenceEntry *entry = references != NULL && references->product_groups != NULL
                                         ? qoima_reference_lookup (references->product_groups, groups[i]) : NULL;

      g_string_append_printf (group_list, "%s%s", i > 0 ? ", " : "", entry != NULL ? entry->name : groups[i]);
    }
  g_string_append_printf (text, "Товарные группы: %s.\n\n", group_list->str);
  g_string_append (text,
                   "1. Оператор подключает Участника к ИС МПТ: личный кабинет и True API для товарных групп "
                   "Участника.\n"
                   "2. Участник вносит в ИС МПТ достоверные сведения об обороте маркированных товаров и "
                   "подписывает документы ЭЦП руководителя или сотрудников, которым он делегировал это право.\n"
                   "3. Добавленная товарная группа не может быть удалена.\n"
                   "4. Договор заключается присоединением: подписание ЭЦП руководителя Участника означает "
                   "принятие его условий.\n\n"
                   "Это краткое изложение; полный текст типового договора публикует оператор ИС МПТ.\n");
  return g_string_free (text, FALSE);
}

char *
qoima_registration_contract_document (QoimaRegistration                 *self,
                                      const char                        *request_id,
                                      const QoimaRegistrationReferences *references)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = qoima_registration_contract_text (self, references);

  g_return_val_if_fail (request_id != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "contract");
  json_builder_add_string_value (builder, QOIMA_REGISTRATION_CONTRACT_VERSION);
  json_builder_set_member_name (builder, "request-id");
  json_builder_add_string_value (builder, request_id);
  json_builder_set_member_name (builder, "bin");
  json_builder_add_string_value (builder, qoima_registration_get (self, "bin") != NULL ? qoima_registration_get (self, "bin") : "");
  json_builder_set_member_name (builder, "head-iin");
  json_builder_add_string_value (builder, qoima_registration_get (self, "signer-iin") != NULL
                                          ? qoima_registration_get (self, "signer-iin") : "");
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

const char *
qoima_registration_key_type_of (QoimaCertificate *certificate)
{
  GBytes *der;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum;
  int algorithm;

  g_return_val_if_fail (QOIMA_IS_CERTIFICATE (certificate), NULL);

  der = qoima_certificate_get_der (certificate);
  if (der == NULL || gnutls_x509_crt_init (&crt) < 0)
    return NULL;
  datum.data = (unsigned char *) g_bytes_get_data (der, NULL);
  datum.size = g_bytes_get_size (der);
  if (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) < 0)
    {
      gnutls_x509_crt_deinit (crt);
      return NULL;
    }
  algorithm = gnutls_x509_crt_get_pk_algorithm (crt, NULL);
  gnutls_x509_crt_deinit (crt);
  /* GnuTLS does not know Kazakhstan's GOST 34.310 (its OIDs are НУЦ РК's own): anything
   * but RSA is taken as the GOST key. */
  return algorithm == GNUTLS_PK_RSA ? "RSA" : "GOST";
}

QoimaRegistrationProblem *
qoima_registration_check_signing_key (QoimaRegistration *self,
                                      QoimaCertificate  *certificate)
{
  const char *wanted = qoima_registration_get_signing_key_type (self);
  const char *actual = certificate != NULL ? qoima_registration_key_type_of (certificate) : NULL;
  QoimaRegistrationProblem *p;

  g_return_val_if_fail (QOIMA_IS_REGISTRATION (self), NULL);

  if (g_strcmp0 (wanted, actual) == 0 || g_strcmp0 (qoima_registration_get (self, "stand"), "industrial") != 0)
    return NULL;
  p = g_new0 (QoimaRegistrationProblem, 1);
  p->field = g_strdup ("signer-iin");
  p->rule = g_strdup ("R001-10");
  p->message = g_strdup (g_str_equal (wanted, "GOST")
                         ? _("A legal entity signs with its GOST key: choose it in NCALayer.")
                         : _("An individual signs with the RSA key."));
  return p;
}

/* ---- validation ---- */

static void
problem (GPtrArray  *problems,
         const char *field,
         const char *rule,
         const char *message)
{
  QoimaRegistrationProblem *p = g_new0 (QoimaRegistrationProblem, 1);

  p->field = g_strdup (field);
  p->rule = g_strdup (rule);
  p->message = g_strdup (message);
  g_ptr_array_add (problems, p);
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static void
require (QoimaRegistration *self,
         GPtrArray         *problems,
         const char        *field,
         const char        *rule,
         const char        *message)
{
  if (is_blank (qoima_registration_get (self, field)))
    problem (problems, field, rule, message);
}

static void
check_email (QoimaRegistration *self,
             GPtrArray         *problems,
             const char        *field,
             const char        *rule)
{
  const char *email = qoima_registration_get (self, field);

  if (is_blank (email))
    problem (problems, field, rule, _("Enter the e-mail address."));
  else if (!qoima_email_is_valid (email))
    problem (problems, field, rule, _("This is not an e-mail address: it needs a name, @ and a domain."));
}

static void
check_phone (QoimaRegistration *self,
             GPtrArray         *problems,
             const char        *field,
             const char        *rule,
             gboolean           mobile)
{
  const char *phone = qoima_registration_get (self, field);
  g_autofree char *e164 = qoima_phone_normalize (phone);

  if (is_blank (phone))
    problem (problems, field, rule, _("Enter the phone number."));
  else if (e164 == NULL)
    problem (problems, field, rule, _("A phone number is +7 and 10 digits, for example +7 (701) 234-56-78."));
  else if (mobile && !qoima_phone_is_mobile (e164))
    problem (problems, field, rule, _("This must be a mobile number (+7 70x, 747, 76x, 77x or 785)."));
}

static gboolean
is_true (const char *value)
{
  return g_strcmp0 (value, "true") == 0;
}

static void
check_stand (QoimaRegistration *self,
             GPtrArray         *problems)
{
  const char *stand = qoima_registration_get (self, "stand");

  /* R001-1: chosen before registering; a custom stand needs its address. */
  if (g_strcmp0 (stand, "test") != 0 && g_strcmp0 (stand, "industrial") != 0 &&
      g_strcmp0 (stand, "custom") != 0)
    problem (problems, "stand", "R001-1", _("Choose the test stand or the industrial stand."));
  else if (g_strcmp0 (stand, "custom") == 0)
    {
      const char *url = qoima_registration_get (self, "stand-url");
      g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;

      if (uri == NULL || g_uri_get_host (uri) == NULL ||
          (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0))
        problem (problems, "stand-url", "R001-1", _("Enter the stand's address, starting with https://."));
    }
}

static void
check_key (QoimaRegistration *self,
           GPtrArray         *problems)
{
  const char *iin = qoima_registration_get (self, "signer-iin");
  const char *valid_to = qoima_registration_get (self, "certificate-valid-to");

  /* R001-3/R001-4: the request is filled from the AUTH certificate, so these come from a key. */
  if (is_blank (iin) || is_blank (qoima_registration_get (self, "certificate-serial")))
    problem (problems, "signer-iin", "R001-3", _("Choose the AUTH key and enter its password."));
  else if (!qoima_iin_or_bin_is_valid (iin))
    problem (problems, "signer-iin", "R001-4", _("The key's IIN is wrong: its check digit does not match."));
  require (self, problems, "company", "R001-4", _("The key does not name the company."));
  require (self, problems, "head-name", "R001-4", _("The key does not name its owner."));
  if (!is_blank (valid_to))
    {
      g_autoptr(GDateTime) until = g_date_time_new_from_iso8601 (valid_to, NULL);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      if (until == NULL)
        {
          g_autofree char *date_only = g_strconcat (valid_to, "T23:59:59Z", NULL);

          until = g_date_time_new_from_iso8601 (date_only, NULL);
        }
      if (until != NULL && g_date_time_compare (until, now) < 0)
        problem (problems, "certificate-valid-to", "R001-3",
                 _("The key has expired: get a new one at pki.gov.kz."));
    }
}

static void
check_contacts (QoimaRegistration *self,
                GPtrArray         *problems)
{
  /* R001-4: all four are required. */
  check_email (self, problems, "email", "R001-4");
  check_phone (self, problems, "org-phone", "R001-4", FALSE);
  check_phone (self, problems, "head-mobile", "R001-4", TRUE);
  if (!is_true (qoima_registration_get (self, "consent")))
    problem (problems, "consent", "R001-4", _("The consent to the processing of personal data is required."));
}

static void
check_product_groups (QoimaRegistration                 *self,
                      GPtrArray                         *problems,
                      const QoimaRegistrationReferences *references)
{
  const char *producer = qoima_registration_get (self, "producer-or-importer");
  g_auto(GStrv) groups = qoima_registration_get_list (self, "product-groups");

  if (g_strcmp0 (producer, "yes") != 0 && g_strcmp0 (producer, "no") != 0)
    problem (problems, "producer-or-importer", "R001-6",
             _("Answer whether you are a producer or importer (a medical organization answers No)."));
  if (groups[0] == NULL)
    problem (problems, "product-groups", "R001-6", _("Choose at least one product group."));
  for (guint i = 0; groups[i] != NULL; i++)
    if (references != NULL && references->product_groups != NULL &&
        qoima_reference_lookup (references->product_groups, groups[i]) == NULL)
      {
        g_autofree char *message = g_strdup_printf (_("“%s” is not a known product group."), groups[i]);

        problem (problems, "product-groups", "R001-6", message);
      }
  /* R001-6: a group once added can never be removed, so it is confirmed explicitly. */
  if (groups[0] != NULL && !is_true (qoima_registration_get (self, "product-groups-confirmed")))
    problem (problems, "product-groups-confirmed", "R001-6",
             _("Confirm the product groups: a product group once added can never be removed."));
}

static const char * const participant_types[] = { "wholesale", "importer", "retail", "producer", NULL };

static void
check_participant (QoimaRegistration                 *self,
                   GPtrArray                         *problems,
                   const QoimaRegistrationReferences *references)
{
  const char *bin = qoima_registration_get (self, "bin");
  const char *tax_office = qoima_registration_get (self, "tax-office");
  const char *kato = qoima_registration_get (self, "kato");
  g_auto(GStrv) types = qoima_registration_get_list (self, "participant-types");

  require (self, problems, "full-name", "R001-7", _("Enter the organization's full name."));
  if (is_blank (bin))
    problem (problems, "bin", "R001-7", _("Enter the IIN or BIN."));
  else if (!qoima_iin_or_bin_is_valid (bin))
    problem (problems, "bin", "R001-7", _("The IIN/BIN is wrong: 12 digits whose last is the check digit."));
  if (is_blank (tax_office))
    problem (problems, "tax-office", "R001-7", _("Choose the tax office of the place of registration."));
  else if (references != NULL && references->tax_offices != NULL &&
           qoima_reference_lookup (references->tax_offices, tax_office) == NULL)
    problem (problems, "tax-office", "R001-7", _("This tax office is not in the КГД directory."));
  require (self, problems, "head", "R001-7", _("Enter the head of the organization."));
  if (is_blank (kato))
    problem (problems, "kato", "R001-7", _("Choose the locality of the actual address."));
  else if (references != NULL && references->kato != NULL)
    {
      const QoimaReferenceEntry *entry = qoima_reference_lookup (references->kato, kato);

      if (entry == NULL)
        problem (problems, "kato", "R001-7", _("This KATO code is not in the directory."));
      else if (entry->n_children > 0)
        problem (problems, "kato", "R001-7", _("Choose down to the locality: this place has parts."));
    }
  require (self, problems, "address", "R001-7", _("Enter the street and house of the actual address."));
  check_email (self, problems, "participant-email", "R001-7");
  check_phone (self, problems, "participant-phone", "R001-7", FALSE);
  if (types[0] == NULL)
    problem (problems, "participant-types", "R001-7", _("Choose at least one participant type."));
  for (guint i = 0; types[i] != NULL; i++)
    if (!g_strv_contains (participant_types, types[i]))
      {
        g_autofree char *message = g_strdup_printf (_("“%s” is not a participant type."), types[i]);

        problem (problems, "participant-types", "R001-7", message);
      }
}

static void
check_users (QoimaRegistration *self,
             GPtrArray         *problems)
{
  guint n = qoima_registration_get_n_users (self);
  const char *bin = qoima_registration_get (self, "bin");

  /* R000-4/R001-8: an individual entrepreneur (an IIN, not a BIN) has no employees' step. */
  if (n > 0 && qoima_iin_or_bin_is_valid (bin) && !qoima_number_is_bin (bin))
    problem (problems, "users", "R001-8", _("An individual entrepreneur cannot add users."));

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *field = g_strdup_printf ("users[%u]", i);
      const char *iin = qoima_registration_get_user_field (self, i, "iin");
      const char *email = qoima_registration_get_user_field (self, i, "email");
      const char *phone = qoima_registration_get_user_field (self, i, "phone");
      const char *role = qoima_registration_get_user_field (self, i, "role");
      g_autofree char *e164 = qoima_phone_normalize (phone);

      if (is_blank (qoima_registration_get_user_field (self, i, "surname")) ||
          is_blank (qoima_registration_get_user_field (self, i, "name")))
        problem (problems, field, "R001-8", _("Enter the user's surname and name."));
      if (!qoima_iin_or_bin_is_valid (iin) || qoima_number_is_bin (iin))
        problem (problems, field, "R001-8", _("The user's IIN is wrong: 12 digits whose last is the check digit."));
      if (!qoima_email_is_valid (email))
        problem (problems, field, "R001-8", _("The user's e-mail address is wrong."));
      if (e164 == NULL)
        problem (problems, field, "R001-8", _("The user's phone is not +7 and 10 digits."));
      if (g_strcmp0 (role, "administrator") != 0 && g_strcmp0 (role, "user") != 0)
        problem (problems, field, "R001-8", _("Choose the user's role."));
    }
}

static void
check_bank (QoimaRegistration                 *self,
            GPtrArray                         *problems,
            const QoimaRegistrationReferences *references)
{
  const char *bic = qoima_registration_get (self, "bic");
  g_autofree char *iban = qoima_iban_normalize (qoima_registration_get (self, "iban"));
  const QoimaReferenceEntry *bank = NULL;

  if (is_blank (bic))
    problem (problems, "bic", "R001-9", _("Choose the bank."));
  else if (!qoima_bic_is_valid (bic))
    problem (problems, "bic", "R001-9", _("A BIC is 8 or 11 letters and digits, KZ in the 5th and 6th places."));
  else if (references != NULL && references->banks != NULL &&
           (bank = qoima_reference_lookup (references->banks, bic)) == NULL)
    problem (problems, "bic", "R001-9", _("This BIC is not in the directory of banks."));

  if (is_blank (iban))
    problem (problems, "iban", "R001-9", _("Enter the IBAN (a card's IBAN will do when there is no settlement account)."));
  else if (strlen (iban) != 20 || !g_str_has_prefix (iban, "KZ"))
    problem (problems, "iban", "R001-9", _("A Kazakhstan IBAN is KZ and 18 more characters, 20 in all."));
  else if (!qoima_iban_is_valid (iban))
    problem (problems, "iban", "R001-9", _("The IBAN is mistyped: its check digits do not match."));
  else if (bank != NULL && strncmp (iban + 4, bank->bank_code, 3) != 0)
    problem (problems, "iban", "R001-9", _("The IBAN belongs to another bank than the chosen BIC."));
}

GPtrArray *
qoima_registration_validate (QoimaRegistration                 *self,
                             QoimaRegistrationStep              step,
                             const QoimaRegistrationReferences *references)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_registration_problem_free);
  gboolean all = step == QOIMA_REGISTRATION_ALL_STEPS;

  g_return_val_if_fail (QOIMA_IS_REGISTRATION (self), problems);

  if (all || step == QOIMA_REGISTRATION_STEP_STAND)
    check_stand (self, problems);
  if (all || step == QOIMA_REGISTRATION_STEP_KEY)
    check_key (self, problems);
  if (all || step == QOIMA_REGISTRATION_STEP_CONTACTS)
    check_contacts (self, problems);
  if (all || step == QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS)
    check_product_groups (self, problems, references);
  if (all || step == QOIMA_REGISTRATION_STEP_PARTICIPANT)
    check_participant (self, problems, references);
  if (all || step == QOIMA_REGISTRATION_STEP_USERS)
    check_users (self, problems);
  if (all || step == QOIMA_REGISTRATION_STEP_BANK)
    check_bank (self, problems, references);
  /* The requirements step (NCALayer, the clock) is checked by the machine, not the draft; the
   * signing step has nothing of its own but everything above. */
  return problems;
}
