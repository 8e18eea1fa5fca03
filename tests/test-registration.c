/* test-registration.c: the registration in ИС МПТ — identifiers, reference directories, the
 * draft's checks by seed rule, and the draft kept in the store (issue 12)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "qoima-identifiers.h"
#include "qoima-reference.h"
#include "qoima-registration.h"
#include "qoima-store-audit.h"
#include "qoima-store-registration.h"
#include "qoima-store-settings.h"
#include "qoima-store-ledger.h"
#include "qoima-store-users.h"

static QoimaRegistrationReferences references;

static void
load_references (void)
{
  g_autoptr(GError) error = NULL;

  references.kato = qoima_reference_load (QOIMA_REFERENCE_KATO, &error);
  g_assert_no_error (error);
  references.tax_offices = qoima_reference_load (QOIMA_REFERENCE_TAX_OFFICES, &error);
  g_assert_no_error (error);
  references.banks = qoima_reference_load (QOIMA_REFERENCE_BANKS, &error);
  g_assert_no_error (error);
  references.product_groups = qoima_reference_load (QOIMA_REFERENCE_PRODUCT_GROUPS, &error);
  g_assert_no_error (error);
}

/* Any KATO entry without children: the test does not depend on one edition's codes. */
static const char *
some_kato_leaf (void)
{
  for (guint i = 0; i < qoima_reference_get_n_entries (references.kato); i++)
    {
      const QoimaReferenceEntry *e = qoima_reference_get_entry (references.kato, i);

      if (e->n_children == 0)
        return e->code;
    }
  g_assert_not_reached ();
}

/* A draft that passes every check: each test breaks one thing in it. */
static QoimaRegistration *
complete_draft (void)
{
  QoimaRegistration *r = qoima_registration_new ();
  const char * const groups[] = { "pharma", NULL };
  const char * const types[] = { "retail", NULL };

  qoima_registration_set (r, "stand", "test");
  qoima_registration_set (r, "signer-iin", "800101300706");
  qoima_registration_set (r, "company", "ГКП «Городская больница №1»");
  qoima_registration_set (r, "head-name", "Ахметова Айгуль");
  qoima_registration_set (r, "head-position", "Директор");
  qoima_registration_set (r, "certificate-serial", "4f1a2b");
  qoima_registration_set (r, "certificate-issuer", "УЦ НУЦ РК");
  qoima_registration_set (r, "certificate-valid-to", "2099-01-01");
  qoima_registration_set (r, "email", "info@hospital.kz");
  qoima_registration_set (r, "org-phone", "8 (7172) 55-66-77");
  qoima_registration_set (r, "head-mobile", "+7 (701) 234-56-78");
  qoima_registration_set (r, "consent", "true");
  qoima_registration_set (r, "producer-or-importer", "no");
  qoima_registration_set_list (r, "product-groups", groups);
  qoima_registration_set (r, "product-groups-confirmed", "true");
  qoima_registration_set (r, "full-name", "ГКП на ПХВ «Городская больница №1»");
  qoima_registration_set (r, "bin", "190440019884");
  qoima_registration_set (r, "tax-office", "6201");
  qoima_registration_set (r, "head", "Ахметова Айгуль");
  qoima_registration_set (r, "kato", some_kato_leaf ());
  qoima_registration_set (r, "address", "ул. Бабаева 12");
  qoima_registration_set (r, "participant-email", "info@hospital.kz");
  qoima_registration_set (r, "participant-phone", "+77172556677");
  qoima_registration_set_list (r, "participant-types", types);
  qoima_registration_add_user (r, "Сапарова", "Дана", "061211600012", "dana@hospital.kz", "+77011112233", "administrator");
  qoima_registration_set (r, "bic", "CASPKZKA");
  qoima_registration_set (r, "iban", "KZ72722S000000000001");
  qoima_registration_set (r, "advance-invoice", "false");
  return r;
}

/* Whether @problems name @field under @rule. */
static gboolean
has_problem (GPtrArray  *problems,
             const char *field,
             const char *rule)
{
  for (guint i = 0; i < problems->len; i++)
    {
      QoimaRegistrationProblem *p = g_ptr_array_index (problems, i);

      g_assert_nonnull (p->message);
      g_assert_cmpstr (p->message, !=, "");
      if (g_strcmp0 (p->field, field) == 0 && g_strcmp0 (p->rule, rule) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_complete_draft_passes (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) problems = qoima_registration_validate (r, QOIMA_REGISTRATION_ALL_STEPS, &references);

  for (guint i = 0; i < problems->len; i++)
    {
      QoimaRegistrationProblem *p = g_ptr_array_index (problems, i);
      g_test_message ("%s %s %s", p->field, p->rule, p->message);
    }
  g_assert_cmpuint (problems->len, ==, 0);
}

static void
test_bin_check_digit (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  const char * const valid[] = { "190440019884", "230940038234", "220140006265", "090840000906",
                                 "061211600012", "800101300706", "240340000019", "191160007772", NULL };

  for (guint i = 0; valid[i] != NULL; i++)
    g_assert_true (qoima_iin_or_bin_is_valid (valid[i]));
  /* Both passes give 10: no number is ever issued with these 11 digits. */
  for (char x = '0'; x <= '9'; x++)
    {
      char number[] = "90010130080x";

      number[11] = x;
      g_assert_false (qoima_iin_or_bin_is_valid (number));
    }
  g_assert_false (qoima_iin_or_bin_is_valid ("920140000076"));
  g_assert_true (qoima_number_is_bin ("190440019884"));
  g_assert_false (qoima_number_is_bin ("800101300706"));

  /* R001-7: the draft refuses a BIN whose check digit is wrong. */
  qoima_registration_set (r, "bin", "190440019885");
  {
    g_autoptr(GPtrArray) problems = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_PARTICIPANT, &references);
    g_assert_true (has_problem (problems, "bin", "R001-7"));
  }
}

static void
test_iban (void)
{
  const char * const valid[] = { "KZ72722S000000000001", "KZ31601A000000000001", "KZ748562203000000001", NULL };

  for (guint i = 0; valid[i] != NULL; i++)
    {
      g_autofree char *changed = g_strdup (valid[i]);

      g_assert_true (qoima_iban_is_valid (valid[i]));
      /* Any one character changed breaks mod 97. */
      for (guint pos = 4; pos < 20; pos++)
        {
          char saved = changed[pos];

          changed[pos] = saved == '9' ? '8' : (saved == 'Z' ? 'Y' : saved + 1);
          g_assert_false (qoima_iban_is_valid (changed));
          changed[pos] = saved;
        }
    }
  g_assert_false (qoima_iban_is_valid ("KZ72722S00000000001"));   /* 19 characters */
  g_assert_false (qoima_iban_is_valid ("RU72722S000000000001"));
  {
    g_autofree char *normal = qoima_iban_normalize ("kz72 722s 0000 0000 0001");
    g_autofree char *code = qoima_iban_get_bank_code (normal);

    g_assert_cmpstr (normal, ==, "KZ72722S000000000001");
    g_assert_cmpstr (code, ==, "722");
  }
}

static void
test_iban_bank_matches_bic (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) good = NULL;
  g_autoptr(GPtrArray) other_bank = NULL;
  g_autoptr(GPtrArray) mistyped = NULL;

  good = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_BANK, &references);
  g_assert_cmpuint (good->len, ==, 0);

  /* R001-9: a Kaspi IBAN (722) with Halyk's BIC is refused... */
  qoima_registration_set (r, "bic", "HSBKKZKX");
  other_bank = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_BANK, &references);
  g_assert_true (has_problem (other_bank, "iban", "R001-9"));
  /* ...and a Halyk one is taken. */
  qoima_registration_set (r, "iban", "KZ31601A000000000001");
  g_clear_pointer (&good, g_ptr_array_unref);
  good = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_BANK, &references);
  g_assert_cmpuint (good->len, ==, 0);

  qoima_registration_set (r, "iban", "KZ31601A000000000002");
  mistyped = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_BANK, &references);
  g_assert_true (has_problem (mistyped, "iban", "R001-9"));
}

static void
test_bic_form (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) problems = NULL;

  g_assert_true (qoima_bic_is_valid ("CASPKZKA"));
  g_assert_true (qoima_bic_is_valid ("HSBKKZKX001"));
  g_assert_false (qoima_bic_is_valid ("CASPKZK"));
  g_assert_false (qoima_bic_is_valid ("CASPKZKA0"));
  /* The seed's screenshot says CASPZKZK: a typo the check must refuse (KZ in places 5–6). */
  g_assert_false (qoima_bic_is_valid ("CASPZKZK"));

  /* R001-9: the seed's BIC is refused in the draft too. */
  qoima_registration_set (r, "bic", "CASPZKZK");
  problems = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_BANK, &references);
  g_assert_true (has_problem (problems, "bic", "R001-9"));
}

static void
test_contacts_required (void)
{
  g_autoptr(QoimaRegistration) empty = qoima_registration_new ();
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) problems = qoima_registration_validate (empty, QOIMA_REGISTRATION_STEP_CONTACTS, &references);
  g_autoptr(GPtrArray) landline = NULL;
  g_autofree char *a = qoima_phone_normalize ("8 701 234 56 78");
  g_autofree char *b = qoima_phone_normalize ("7012345678");
  g_autofree char *c = qoima_phone_normalize ("+7 (701) 234-56-78");

  /* R001-4: e-mail, the organization's phone, the head's mobile and the consent. */
  g_assert_true (has_problem (problems, "email", "R001-4"));
  g_assert_true (has_problem (problems, "org-phone", "R001-4"));
  g_assert_true (has_problem (problems, "head-mobile", "R001-4"));
  g_assert_true (has_problem (problems, "consent", "R001-4"));

  g_assert_cmpstr (a, ==, "+77012345678");
  g_assert_cmpstr (b, ==, "+77012345678");
  g_assert_cmpstr (c, ==, "+77012345678");
  g_assert_null (qoima_phone_normalize ("+7 701 234 56 7"));
  g_assert_null (qoima_phone_normalize ("+8 701 234 56 78"));
  g_assert_true (qoima_phone_is_mobile ("+77012345678"));
  g_assert_false (qoima_phone_is_mobile ("+77172556677"));

  /* The head's phone must be a mobile: Astana's landline is refused there. */
  qoima_registration_set (r, "head-mobile", "+7 7172 55 66 77");
  landline = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_CONTACTS, &references);
  g_assert_true (has_problem (landline, "head-mobile", "R001-4"));
  g_assert_false (has_problem (landline, "org-phone", "R001-4"));

  g_assert_true (qoima_email_is_valid ("a.b@hospital.kz"));
  g_assert_false (qoima_email_is_valid ("a.b@hospital"));
  g_assert_false (qoima_email_is_valid ("a b@hospital.kz"));
  g_assert_false (qoima_email_is_valid ("@hospital.kz"));
}

static void
test_product_group_irrevocable (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) unconfirmed = NULL;
  g_autoptr(GPtrArray) unknown = NULL;
  const char * const bad[] = { "pharma", "caviar", NULL };

  /* R001-6: a group once added can never be removed, so nothing passes without confirmation. */
  qoima_registration_set (r, "product-groups-confirmed", NULL);
  unconfirmed = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS, &references);
  g_assert_true (has_problem (unconfirmed, "product-groups-confirmed", "R001-6"));

  qoima_registration_set (r, "product-groups-confirmed", "true");
  qoima_registration_set_list (r, "product-groups", bad);
  unknown = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS, &references);
  g_assert_true (has_problem (unknown, "product-groups", "R001-6"));
  g_assert_false (has_problem (unknown, "product-groups-confirmed", "R001-6"));

  /* Medicines are the one group whose API code is known (pharma). */
  g_assert_cmpstr (qoima_reference_lookup (references.product_groups, "pharma")->confidence, ==, "confirmed");
}

static void
test_producer_question (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) problems = NULL;

  /* R001-6: the question is answered (a medical organization answers No). */
  qoima_registration_set (r, "producer-or-importer", NULL);
  problems = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS, &references);
  g_assert_true (has_problem (problems, "producer-or-importer", "R001-6"));
}

static void
test_participant_data (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) problems = NULL;
  const char * const types[] = { "retail", "hospital", NULL };
  const QoimaReferenceEntry *region = qoima_reference_get_entry (references.kato, 0);

  /* R001-7: the tax office from the КГД directory, the address down to a leaf of KATO, the
   * participant types from the seed's list. */
  g_assert_cmpuint (region->n_children, >, 0);
  qoima_registration_set (r, "tax-office", "9999");
  qoima_registration_set (r, "kato", region->code);
  qoima_registration_set_list (r, "participant-types", types);
  qoima_registration_set (r, "full-name", " ");
  problems = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_PARTICIPANT, &references);
  g_assert_true (has_problem (problems, "tax-office", "R001-7"));
  g_assert_true (has_problem (problems, "kato", "R001-7"));
  g_assert_true (has_problem (problems, "participant-types", "R001-7"));
  g_assert_true (has_problem (problems, "full-name", "R001-7"));
  g_assert_false (has_problem (problems, "bin", "R001-7"));
}

static void
test_no_users_for_individual (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) legal = NULL;
  g_autoptr(GPtrArray) individual = NULL;

  legal = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_USERS, &references);
  g_assert_cmpuint (legal->len, ==, 0);

  /* R000-4/R001-8: an individual entrepreneur works under an IIN and cannot add users. */
  qoima_registration_set (r, "bin", "840713302106");
  individual = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_USERS, &references);
  g_assert_true (has_problem (individual, "users", "R001-8"));
}

static void
test_user_fields (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) problems = NULL;

  /* R001-8: surname, name, IIN, e-mail, phone, role for each user. */
  qoima_registration_add_user (r, "", "Ерлан", "061211600013", "erlan", "123", "chief");
  problems = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_USERS, &references);
  g_assert_cmpuint (problems->len, ==, 5);
  g_assert_true (has_problem (problems, "users[1]", "R001-8"));
  g_assert_false (has_problem (problems, "users[0]", "R001-8"));
}

/* R001-8: Qoima's own users offered as a start: the name split, the role mapped, the IIN kept,
 * e-mail and phone left to the administrator, the same person never twice. */
static void
test_users_from_qoima (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) problems = NULL;
  guint n = qoima_registration_get_n_users (r);
  g_autofree char *field = g_strdup_printf ("users[%u]", n);
  static const struct {
    const char *full_name;
    const char *surname;
    const char *name;
  } names[] = {
    { "Ерлан Сапаров", "Сапаров", "Ерлан" },
    { "Айгуль Жаксыбекова", "Жаксыбекова", "Айгуль" },
    { "Жаксыбекова Айгуль Сериковна", "Жаксыбекова", "Айгуль" },
    { "Иванова Марина", "Иванова", "Марина" },
    { "Марина Иванова", "Иванова", "Марина" },
    { "Нурлан Болат", "Нурлан", "Болат" },
    { "Ахметова", "Ахметова", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *surname = NULL;
      g_autofree char *name = NULL;

      qoima_registration_split_full_name (names[i].full_name, &surname, &name);
      g_assert_cmpstr (surname, ==, names[i].surname);
      g_assert_cmpstr (name, ==, names[i].name);
    }

  g_assert_true (qoima_registration_add_qoima_user (r, "Айгуль Жаксыбекова", "850715400238", "chief"));
  g_assert_true (qoima_registration_add_qoima_user (r, "Ерлан Сапаров", "900312450126", "admin"));
  g_assert_false (qoima_registration_add_qoima_user (r, "Айгуль Жаксыбекова", "850715400238", "chief"));
  g_assert_cmpuint (qoima_registration_get_n_users (r), ==, n + 2);
  g_assert_cmpint (qoima_registration_find_user (r, "850715400238"), ==, (int) n);
  g_assert_cmpstr (qoima_registration_get_user_field (r, n, "surname"), ==, "Жаксыбекова");
  g_assert_cmpstr (qoima_registration_get_user_field (r, n, "name"), ==, "Айгуль");
  g_assert_cmpstr (qoima_registration_get_user_field (r, n, "role"), ==, "user");
  g_assert_cmpstr (qoima_registration_get_user_field (r, n + 1, "role"), ==, "administrator");

  /* Not complete until the administrator types the e-mail and phone Qoima does not keep. */
  problems = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_USERS, &references);
  g_assert_true (has_problem (problems, field, "R001-8"));
  g_clear_pointer (&problems, g_ptr_array_unref);
  qoima_registration_set_user_field (r, n, "email", "a.zhaksybekova@hospital.kz");
  qoima_registration_set_user_field (r, n, "phone", "+77012345678");
  qoima_registration_remove_user (r, n + 1);
  problems = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_USERS, &references);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpint (qoima_registration_find_user (r, "900312450126"), ==, -1);
}

static void
test_signing_key_type (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();

  /* R001-10: GOST for a legal entity, RSA for an individual. */
  g_assert_cmpstr (qoima_registration_get_signing_key_type (r), ==, "GOST");
  qoima_registration_set (r, "bin", "840713302106");
  g_assert_cmpstr (qoima_registration_get_signing_key_type (r), ==, "RSA");
}

static void
test_stand_chosen (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) custom = NULL;

  /* R001-1: the stand is chosen first; a custom one needs its address. */
  qoima_registration_set (r, "stand", NULL);
  none = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_STAND, &references);
  g_assert_true (has_problem (none, "stand", "R001-1"));
  qoima_registration_set (r, "stand", "custom");
  qoima_registration_set (r, "stand-url", "stage.example");
  custom = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_STAND, &references);
  g_assert_true (has_problem (custom, "stand-url", "R001-1"));
  qoima_registration_set (r, "stand-url", "http://127.0.0.1:8080");
  g_clear_pointer (&custom, g_ptr_array_unref);
  custom = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_STAND, &references);
  g_assert_cmpuint (custom->len, ==, 0);
}

static void
test_key_from_certificate (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GPtrArray) no_key = NULL;
  g_autoptr(GPtrArray) expired = NULL;

  /* R001-3: nothing goes on without the AUTH key. */
  qoima_registration_set (r, "certificate-serial", NULL);
  no_key = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_KEY, &references);
  g_assert_true (has_problem (no_key, "signer-iin", "R001-3"));

  qoima_registration_set (r, "certificate-serial", "4f1a2b");
  qoima_registration_set (r, "certificate-valid-to", "2020-01-01");
  expired = qoima_registration_validate (r, QOIMA_REGISTRATION_STEP_KEY, &references);
  g_assert_true (has_problem (expired, "certificate-valid-to", "R001-3"));
}

static void
test_kato_tree (void)
{
  g_autoptr(GPtrArray) regions = qoima_reference_get_children (references.kato, NULL);
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  const QoimaReferenceEntry *leaf = qoima_reference_lookup (references.kato, some_kato_leaf ());
  g_autofree char *path = qoima_reference_get_path_name (references.kato, leaf);
  guint n_leaves = 0;

  /* The 2022 edition: 16,264 entries, 17 regions and 3 cities at the top. */
  g_assert_cmpuint (qoima_reference_get_n_entries (references.kato), ==, 16264);
  g_assert_cmpuint (regions->len, ==, 20);
  for (guint i = 0; i < qoima_reference_get_n_entries (references.kato); i++)
    n_leaves += qoima_reference_get_entry (references.kato, i)->n_children == 0;
  g_assert_cmpuint (n_leaves, >, 10000);
  g_assert_true (strstr (path, ", ") != NULL);
  g_assert_true (g_str_has_suffix (path, leaf->name));

  /* Type-ahead: every word, any case. */
  found = qoima_reference_search (references.kato, "СЕМЕЙ", 0);
  g_assert_cmpuint (found->len, >, 0);
  for (guint i = 0; i < found->len; i++)
    {
      const QoimaReferenceEntry *e = g_ptr_array_index (found, i);
      g_autofree char *folded = g_utf8_casefold (e->name, -1);

      g_assert_true (strstr (folded, "семей") != NULL);
    }

  /* A hundred searches over 16k names, each finding something (their speed is printed, not
   * asserted: speed goals live in benchmarks). */
  g_timer_start (timer);
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GPtrArray) some = qoima_reference_search (references.kato, i % 2 ? "ауыл" : "с.о", 50);

      g_assert_cmpuint (some->len, >, 0);
    }
  g_test_message ("100 searches: %.3f s", g_timer_elapsed (timer, NULL));
}

static void
test_directories (void)
{
  const QoimaReferenceEntry *kaspi = qoima_reference_lookup (references.banks, "CASPKZKA");
  const QoimaReferenceEntry *astana = qoima_reference_lookup (references.tax_offices, "6201");
  g_autoptr(GPtrArray) by_code = qoima_reference_search (references.tax_offices, "62", 0);

  g_assert_nonnull (kaspi);
  g_assert_cmpstr (kaspi->bank_code, ==, "722");
  g_assert_nonnull (astana);
  g_assert_true (strstr (astana->name, "Астан") != NULL);
  g_assert_cmpuint (by_code->len, >=, 6);
  for (guint i = 0; i < QOIMA_REFERENCE_N_KINDS; i++)
    {
      QoimaReferenceKind kind;

      g_assert_true (qoima_reference_kind_from_string (qoima_reference_kind_to_string (i), &kind));
      g_assert_cmpint (kind, ==, i);
    }
}

static void
test_import_checks_first (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "import-test", NULL);
  g_autofree char *good = g_build_filename (dir, "good.csv", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.csv", NULL);
  g_autofree char *orphan = g_build_filename (dir, "orphan.csv", NULL);
  g_autoptr(QoimaReference) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("QOIMA_REFERENCE_DIR", dir, TRUE);
  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (good, "# a newer edition\nbic;code;name\nCASPKZKA;722;Kaspi\nNEWBKZKA;123;Новый банк\n", -1, NULL));
  g_assert_true (g_file_set_contents (bad, "bic;code;name\nCASPZKZK;722;Kaspi\n", -1, NULL));
  g_assert_true (g_file_set_contents (orphan, "id;parent_id;code;name\n1;0;100000000;Область\n2;7;101000000;Район\n", -1, NULL));

  g_assert_cmpint (qoima_reference_import (QOIMA_REFERENCE_BANKS, good, &error), ==, 2);
  g_assert_no_error (error);
  loaded = qoima_reference_load (QOIMA_REFERENCE_BANKS, &error);
  g_assert_no_error (error);
  g_assert_nonnull (qoima_reference_lookup (loaded, "NEWBKZKA"));

  /* A file that fails the check replaces nothing. */
  g_assert_cmpint (qoima_reference_import (QOIMA_REFERENCE_BANKS, bad, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_clear_pointer (&loaded, qoima_reference_free);
  loaded = qoima_reference_load (QOIMA_REFERENCE_BANKS, &error);
  g_assert_no_error (error);
  g_assert_nonnull (qoima_reference_lookup (loaded, "NEWBKZKA"));

  /* KATO is a tree: a parent that is not there refuses the file. */
  g_assert_cmpint (qoima_reference_import (QOIMA_REFERENCE_KATO, orphan, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_unsetenv ("QOIMA_REFERENCE_DIR");
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static QoimaStore *
open_store (const char *path)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaStore *store;

  qoima_store_open_async (path, NULL, result_cb, &result);
  store = qoima_store_open_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  return store;
}

static QoimaStoredRegistration *
load (QoimaStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaStoredRegistration *stored;

  qoima_store_load_registration_async (store, NULL, result_cb, &result);
  stored = qoima_store_load_registration_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  return stored;
}

static gboolean
save (QoimaStore         *store,
      QoimaUser          *user,
      QoimaRegistration  *r,
      const char         *state,
      GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_save_registration_async (store, user, r, state, NULL, NULL, NULL, result_cb, &result);
  return qoima_store_save_registration_finish (store, wait_for (&result), error);
}

static char *
get_setting (QoimaStore *store,
             const char *key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *value;

  qoima_store_get_setting_async (store, key, NULL, result_cb, &result);
  value = qoima_store_get_setting_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  return value;
}

/* R000-3: the additional data (participant type, product group, bank and legal details) are
 * required before the entry can end, and the save that ends it («Сохранить»: the wizard
 * saves at every step) keeps every one of them, as typed, after a restart. */
static void
test_additional_data_saved (void)
{
  static const struct {
    const char *field;
    QoimaRegistrationStep step;
  } required[] = {
    { "participant-types", QOIMA_REGISTRATION_STEP_PARTICIPANT },
    { "product-groups", QOIMA_REGISTRATION_STEP_PRODUCT_GROUPS },
    { "bin", QOIMA_REGISTRATION_STEP_PARTICIPANT },
    { "full-name", QOIMA_REGISTRATION_STEP_PARTICIPANT },
    { "tax-office", QOIMA_REGISTRATION_STEP_PARTICIPANT },
    { "kato", QOIMA_REGISTRATION_STEP_PARTICIPANT },
    { "bic", QOIMA_REGISTRATION_STEP_BANK },
    { "iban", QOIMA_REGISTRATION_STEP_BANK },
  };
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "registration-additional.db", NULL);
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaStore) reopened = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(QoimaStoredRegistration) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) types = NULL;
  g_auto(GStrv) groups = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      g_autoptr(QoimaRegistration) missing = complete_draft ();
      g_autoptr(GPtrArray) problems = NULL;
      gboolean named = FALSE;

      if (g_str_equal (required[i].field, "participant-types") || g_str_equal (required[i].field, "product-groups"))
        qoima_registration_set_list (missing, required[i].field, NULL);
      else
        qoima_registration_set (missing, required[i].field, NULL);
      problems = qoima_registration_validate (missing, required[i].step, &references);
      g_test_message ("%s", required[i].field);
      g_assert_cmpuint (problems->len, >, 0);
      for (guint k = 0; k < problems->len; k++)
        named |= g_str_equal (((QoimaRegistrationProblem *) g_ptr_array_index (problems, k))->field, required[i].field);
      g_assert_true (named);
    }

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  store = open_store (path);
  qoima_store_add_user_async (store, NULL, "admin", NULL, QOIMA_ROLE_ADMIN, 0, "4821", NULL, result_cb, &result);
  admin = qoima_store_add_user_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  qoima_registration_set_list (r, "participant-types", (const char * const[]) { "retail", "wholesale", NULL });
  qoima_registration_set (r, "correspondent-account", "KZ000000000000000001");
  qoima_registration_set (r, "advance-invoice", "true");
  qoima_registration_set_step (r, QOIMA_REGISTRATION_STEP_SIGN);
  g_assert_true (save (store, admin, r, "draft", &error));
  g_assert_no_error (error);
  qoima_store_close (store);

  reopened = open_store (path);
  stored = load (reopened);
  g_assert_nonnull (stored);
  types = qoima_registration_get_list (stored->registration, "participant-types");
  g_assert_cmpstrv (types, ((const char * const[]) { "retail", "wholesale", NULL }));
  groups = qoima_registration_get_list (stored->registration, "product-groups");
  g_assert_cmpstrv (groups, ((const char * const[]) { "pharma", NULL }));
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    if (!g_str_equal (required[i].field, "participant-types") && !g_str_equal (required[i].field, "product-groups"))
      g_assert_cmpstr (qoima_registration_get (stored->registration, required[i].field), ==,
                       qoima_registration_get (r, required[i].field));
  g_assert_cmpstr (qoima_registration_get (stored->registration, "correspondent-account"), ==, "KZ000000000000000001");
  g_assert_cmpstr (qoima_registration_get (stored->registration, "advance-invoice"), ==, "true");
  g_assert_cmpstr (qoima_registration_get (stored->registration, "product-groups-confirmed"), ==, "true");
  qoima_store_close (reopened);
}

static void
test_confirmed_configures_hospital (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "registration-confirmed.db", NULL);
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sent_bin = NULL;
  g_autofree char *bin = NULL;
  g_autofree char *organization = NULL;
  g_autofree char *groups = NULL;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  store = open_store (path);
  qoima_store_add_user_async (store, NULL, "admin", NULL, QOIMA_ROLE_ADMIN, 0, "4821", NULL, result_cb, &result);
  admin = qoima_store_add_user_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);

  /* Sent is not yet registered: the hospital's settings wait for the confirmation. */
  g_assert_true (save (store, admin, r, "sent", &error));
  g_assert_no_error (error);
  sent_bin = get_setting (store, QOIMA_SETTING_BIN);
  g_assert_null (sent_bin);

  /* R001-11: confirmed, the hospital is this organization: BIN, name and product groups. */
  g_assert_true (save (store, admin, r, "confirmed", &error));
  g_assert_no_error (error);
  bin = get_setting (store, QOIMA_SETTING_BIN);
  organization = get_setting (store, QOIMA_SETTING_ORGANIZATION);
  groups = get_setting (store, QOIMA_SETTING_PRODUCT_GROUPS);
  g_assert_cmpstr (bin, ==, qoima_registration_get (r, "bin"));
  g_assert_cmpstr (organization, ==, qoima_registration_get (r, "full-name"));
  g_assert_cmpstr (groups, ==, "pharma");
  qoima_store_close (store);
}

static void
test_stand_url (void)
{
  g_autoptr(QoimaRegistration) r = complete_draft ();

  /* R001-1: the request goes to the stand chosen. */
  g_assert_cmpstr (qoima_registration_get_stand_url (r), ==, QOIMA_REGISTRATION_TEST_STAND_URL);
  qoima_registration_set (r, "stand", "industrial");
  g_assert_cmpstr (qoima_registration_get_stand_url (r), ==, QOIMA_REGISTRATION_INDUSTRIAL_STAND_URL);
  qoima_registration_set (r, "stand", "custom");
  qoima_registration_set (r, "stand-url", "http://127.0.0.1:8080/api/v3/true-api");
  g_assert_cmpstr (qoima_registration_get_stand_url (r), ==, "http://127.0.0.1:8080/api/v3/true-api");
  qoima_registration_set (r, "stand", NULL);
  g_assert_null (qoima_registration_get_stand_url (r));
}

static void
test_draft_resumed (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "registration.db", NULL);
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaStore) reopened = NULL;
  g_autoptr(QoimaUser) admin = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaRegistration) r = complete_draft ();
  g_autoptr(QoimaStoredRegistration) none = NULL;
  g_autoptr(QoimaStoredRegistration) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = NULL;
  g_autofree char *json = NULL;
  sqlite3 *db = NULL;
  gint64 n_rows = 0;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  store = open_store (path);
  none = load (store);
  g_assert_null (none);

  qoima_store_add_user_async (store, NULL, "admin", NULL, QOIMA_ROLE_ADMIN, 0, "4821", NULL, result_cb, &result);
  admin = qoima_store_add_user_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  qoima_store_add_user_async (store, admin, "aset", NULL, QOIMA_ROLE_CLERK, 0, "4821", NULL, result_cb, &result2);
  clerk = qoima_store_add_user_finish (store, wait_for (&result2), &error);
  g_assert_no_error (error);

  qoima_registration_set_step (r, QOIMA_REGISTRATION_STEP_BANK);
  g_assert_true (save (store, admin, r, "draft", &error));
  g_assert_no_error (error);
  /* The registration is the administrator's. */
  g_assert_false (save (store, clerk, r, "sent", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  qoima_store_close (store);

  /* After a restart the wizard opens where it was, with everything typed. */
  reopened = open_store (path);
  stored = load (reopened);
  g_assert_nonnull (stored);
  g_assert_cmpstr (stored->state, ==, "draft");
  g_assert_cmpint (qoima_registration_get_step (stored->registration), ==, QOIMA_REGISTRATION_STEP_BANK);
  g_assert_cmpstr (qoima_registration_get (stored->registration, "iban"), ==, "KZ72722S000000000001");
  g_assert_cmpstr (qoima_registration_get_user_field (stored->registration, 0, "iin"), ==, "061211600012");
  groups = qoima_registration_get_list (stored->registration, "product-groups");
  g_assert_cmpstrv (groups, ((const char * const[]) { "pharma", NULL }));
  json = qoima_registration_to_json (stored->registration);
  g_assert_null (strstr (json, "password"));
  qoima_store_close (reopened);

  /* The schema is the newest, and the save is in the audit trail whose chain holds. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, QOIMA_STORE_SCHEMA_VERSION);
    sqlite3_finalize (stmt);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT actor FROM audit WHERE tbl = 'registration'", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "admin");
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    sqlite3_finalize (stmt);
  }
  g_assert_true (qoima_audit_verify_db (db, &n_rows, NULL, &error));
  g_assert_no_error (error);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  load_references ();

  g_test_add_func ("/registration/complete-draft-passes", test_complete_draft_passes);
  g_test_add_func ("/rules/R001-1/stand-chosen", test_stand_chosen);
  g_test_add_func ("/rules/R001-3/key-from-auth-certificate", test_key_from_certificate);
  g_test_add_func ("/rules/R001-4/contacts-required", test_contacts_required);
  g_test_add_func ("/rules/R001-6/product-group-irrevocable", test_product_group_irrevocable);
  g_test_add_func ("/rules/R001-6/producer-or-importer-answered", test_producer_question);
  g_test_add_func ("/rules/R001-7/bin-check-digit", test_bin_check_digit);
  g_test_add_func ("/rules/R001-7/participant-data", test_participant_data);
  g_test_add_func ("/rules/R001-8/no-users-for-individual-entrepreneur", test_no_users_for_individual);
  g_test_add_func ("/rules/R001-8/user-fields", test_user_fields);
  g_test_add_func ("/rules/R001-8/users-from-qoima", test_users_from_qoima);
  g_test_add_func ("/rules/R001-9/iban-mod-97", test_iban);
  g_test_add_func ("/rules/R001-9/iban-bank-matches-bic", test_iban_bank_matches_bic);
  g_test_add_func ("/rules/R001-9/bic-8-or-11", test_bic_form);
  g_test_add_func ("/rules/R001-10/legal-entity-signs-with-gost", test_signing_key_type);
  g_test_add_func ("/reference/kato-tree-and-type-ahead", test_kato_tree);
  g_test_add_func ("/reference/directories", test_directories);
  g_test_add_func ("/reference/import-checks-before-replacing", test_import_checks_first);
  g_test_add_func ("/registration/draft-resumed-after-restart", test_draft_resumed);
  g_test_add_func ("/rules/R000-3/additional-data-saved", test_additional_data_saved);
  g_test_add_func ("/rules/R001-11/confirmed-registration-configures-the-hospital", test_confirmed_configures_hospital);
  g_test_add_func ("/rules/R001-1/request-goes-to-the-chosen-stand", test_stand_url);

  status = g_test_run ();
  qoima_reference_free (references.kato);
  qoima_reference_free (references.tax_offices);
  qoima_reference_free (references.banks);
  qoima_reference_free (references.product_groups);
  return status;
}
