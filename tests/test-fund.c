/* test-fund.c: the application to the Fund's database of healthcare subjects (seed 004):
 * licenses, the checks on «Сохранить» with the seed's texts, the hospital's workflow and
 * the Fund's decisions followed, each test named after its rule
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-fund-application.h"
#include "qoima-fund-client.h"
#include "qoima-fund-kato.h"
#include "qoima-fund-license.h"
#include "qoima-store-fund.h"
#include "qoima-store-users.h"
#include "qoima-user.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <sqlite3.h>
#include <string.h>

#define BIN "190440019884"
#define ALMATY "750000000"
#define ALMATY_DISTRICT "751110000" /* a leaf of the test classifier */
#define BASE_1 "г. Алматы, ул. Абая, 1"
#define BASE_2 "г. Алматы, ул. Сатпаева, 2"

/* Licenses as the license service gives them, fetched @age_hours ago. */
static GPtrArray *
make_licenses (double      age_hours,
               gboolean    with_l64a,
               gboolean    with_a15b)
{
  GPtrArray *licenses = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_fund_license_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) fetched = g_date_time_add_seconds (now, -age_hours * 3600);
  g_autofree char *at = g_date_time_format_iso8601 (fetched);
  struct { const char *number, *activity, *subtypes, *bases; gboolean on; } rows[] = {
    { "23012345", "L60", "L60-PHC,L60-INPAT,L60-DIAG,L60-OUTPAT", BASE_1 "|" BASE_2, TRUE },
    { "23012346", "L64", "L64A", BASE_1, with_l64a },
    { "23012347", "A15", "A15B", BASE_2, with_a15b },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *json = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_auto(GStrv) subtypes = g_strsplit (rows[i].subtypes, ",", -1);
      g_auto(GStrv) bases = g_strsplit (rows[i].bases, "|", -1);
      g_autofree char *s = NULL;
      g_autofree char *b = NULL;
      g_autoptr(GError) error = NULL;
      QoimaFundLicense *license;

      if (!rows[i].on)
        continue;
      s = g_strjoinv ("\",\"", subtypes);
      b = g_strjoinv ("\",\"", bases);
      json = g_strdup_printf ("{\"number\":\"%s\",\"bin\":\"" BIN "\",\"activity\":\"%s\","
                              "\"category\":\"Лицензия на вид деятельности\",\"type\":\"Генеральная\","
                              "\"status\":\"Действительный\",\"issued\":\"2023-04-01\",\"fetched_at\":\"%s\","
                              "\"annexes\":[{\"number\":\"001\",\"subtypes\":[\"%s\"],\"bases\":[\"%s\"]}]}",
                              rows[i].number, rows[i].activity, at, s, b);
      node = json_from_string (json, &error);
      g_assert_no_error (error);
      license = qoima_fund_license_from_json (json_node_get_object (node), &error);
      g_assert_no_error (error);
      g_ptr_array_add (licenses, license);
    }
  return licenses;
}

static QoimaFundAttachment *
fake_attachment (const char *name,
                 gint64      size)
{
  QoimaFundAttachment *attachment = g_new0 (QoimaFundAttachment, 1);

  attachment->name = g_strdup (name);
  attachment->size = size;
  attachment->sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
  return attachment;
}

static void
set_strv (char ***strv,
          const char *csv)
{
  g_strfreev (*strv);
  *strv = csv != NULL ? g_strsplit (csv, ",", -1) : g_new0 (char *, 1);
}

/* A complete application: inpatient care and CT/MRI as Поставщик, two bases. */
static QoimaFundApplication *
make_application (GPtrArray *licenses)
{
  QoimaFundApplication *app = qoima_fund_application_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  app->name_kk = g_strdup ("«№1 қалалық аурухана» ШЖҚ МКК");
  app->name_ru = g_strdup ("ГКП на ПХВ «Городская больница №1»");
  app->bin = g_strdup (BIN);
  app->ownership = g_strdup ("Государственные организации");
  app->statuses = QOIMA_FUND_PROVIDER;
  set_strv (&app->care_provider, "inpatient,ct-mri-suspected-cancer");
  app->region = g_strdup (ALMATY);
  app->legal_kato = g_strdup (ALMATY_DISTRICT);
  app->legal_index = g_strdup ("050000");
  app->legal_street = g_strdup ("ул. Абая");
  app->legal_house = g_strdup ("1");
  app->phone = g_strdup ("+77272000000");
  app->email = g_strdup ("info@hospital1.kz");
  qoima_fund_application_refresh_licenses (app, licenses, now);
  g_assert_cmpuint (app->bases->len, ==, 2);
  for (guint i = 0; i < app->bases->len; i++)
    {
      QoimaFundBase *base = g_ptr_array_index (app->bases, i);

      base->has_position = TRUE;
      base->latitude = 43.2389;
      base->longitude = 76.8897;
      base->kato = g_strdup (ALMATY_DISTRICT);
      base->permit = fake_attachment (i == 0 ? "СЭС-1.pdf" : "СЭС-2.pdf", 200000);
    }
  set_strv (&((QoimaFundBase *) g_ptr_array_index (app->bases, 0))->subtypes, "inpatient");
  set_strv (&((QoimaFundBase *) g_ptr_array_index (app->bases, 1))->subtypes, "ct-mri-suspected-cancer");
  g_ptr_array_add (app->registration, fake_attachment ("Справка о регистрации.pdf", 100000));
  return app;
}

static GPtrArray *
check (const QoimaFundApplication *app)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return qoima_fund_application_check (app, NULL, NULL, now);
}

/* The problem of @rule on @field, or NULL. */
static QoimaFundProblem *
find_problem (GPtrArray  *problems,
              const char *rule,
              const char *field)
{
  for (guint i = 0; i < problems->len; i++)
    {
      QoimaFundProblem *problem = g_ptr_array_index (problems, i);
      if (g_str_equal (problem->rule, rule) && (field == NULL || g_str_equal (problem->field, field)))
        return problem;
    }
  return NULL;
}

static void
test_complete_passes (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GPtrArray) problems = check (app);

  for (guint i = 0; i < problems->len; i++)
    g_test_message ("%s %s", ((QoimaFundProblem *) problems->pdata[i])->rule,
                    ((QoimaFundProblem *) problems->pdata[i])->message);
  g_assert_cmpuint (problems->len, ==, 0);
}

static void
test_r1_requests (void)
{
  const char *related[] = { "230940038234", NULL };
  QoimaFundRequestState state;

  /* R004-1: own BIN and a related organization's, nothing else. */
  g_assert_true (qoima_fund_request_bin_allowed (BIN, related, BIN));
  g_assert_true (qoima_fund_request_bin_allowed (BIN, related, "230940038234"));
  g_assert_false (qoima_fund_request_bin_allowed (BIN, related, "220140006265"));
  g_assert_false (qoima_fund_request_bin_allowed (BIN, NULL, ""));
  /* R004-1: the three states, by the seed's names. */
  g_assert_cmpstr (qoima_fund_request_state_to_label (QOIMA_FUND_REQUEST_PROCESSING), ==, "В обработке");
  g_assert_cmpstr (qoima_fund_request_state_to_label (QOIMA_FUND_REQUEST_DONE), ==, "Обработан");
  g_assert_cmpstr (qoima_fund_request_state_to_label (QOIMA_FUND_REQUEST_FAILED), ==, "Ошибка обработки");
  g_assert_true (qoima_fund_request_state_from_label ("Ошибка обработки", &state));
  g_assert_cmpint (state, ==, QOIMA_FUND_REQUEST_FAILED);
  g_assert_false (qoima_fund_request_state_from_label ("Готово", &state));
}

static void
test_r1_related_bins (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_autofree char *again = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *iin = NULL;
  g_autofree char *own = NULL;
  g_auto(GStrv) bins = NULL;
  g_auto(GStrv) none = qoima_fund_related_bins_parse (NULL);

  /* R004-1: the profile's related organizations, added one by one, in order. */
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  one = qoima_fund_related_bins_add (NULL, BIN, "230940038234", &error);
  g_assert_no_error (error);
  two = qoima_fund_related_bins_add (one, BIN, "210540012341", &error);
  g_assert_no_error (error);
  bins = qoima_fund_related_bins_parse (two);
  g_assert_cmpuint (g_strv_length (bins), ==, 2);
  g_assert_cmpstr (bins[0], ==, "230940038234");
  g_assert_cmpstr (bins[1], ==, "210540012341");
  /* R004-1: a BIN whose check digit does not match, an IIN, the hospital's own BIN and one
   * listed already are refused, so that elicense.kz is asked only for related BINs. */
  wrong = qoima_fund_related_bins_add (two, BIN, "230940038235", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (wrong);
  g_clear_error (&error);
  iin = qoima_fund_related_bins_add (two, BIN, "880101300123", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (iin);
  g_clear_error (&error);
  own = qoima_fund_related_bins_add (two, BIN, BIN, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (own);
  g_clear_error (&error);
  again = qoima_fund_related_bins_add (two, BIN, "230940038234", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_null (again);
  g_clear_error (&error);
  /* Removed, the other stays; and then its licenses may no longer be asked for. */
  removed = qoima_fund_related_bins_remove (two, "230940038234");
  g_assert_cmpstr (removed, ==, "210540012341");
  g_clear_pointer (&bins, g_strfreev);
  bins = qoima_fund_related_bins_parse (removed);
  g_assert_false (qoima_fund_request_bin_allowed (BIN, (const char * const *) bins, "230940038234"));
  g_assert_true (qoima_fund_request_bin_allowed (BIN, (const char * const *) bins, "210540012341"));
}

static void
test_url_for_stand (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) none = g_variant_ref_sink (g_variant_new_parsed ("@a{ss} {}"));
  g_autoptr(GVariant) urls = g_variant_ref_sink (g_variant_new_parsed (
    "{'test': 'https://fund-test.example.kz', 'custom': 'http://10.0.0.5:8080', 'local': ''}"));
  g_autofree char *local = NULL;
  g_autofree char *local_empty = NULL;
  g_autofree char *test = NULL;
  g_autofree char *custom = NULL;
  g_autofree char *industrial = NULL;
  g_autofree char *unconnected = NULL;

  /* The local stand by default: its root, where the True API has /api/v3/true-api. */
  local = qoima_fund_client_url_for_stand ("local", none, "http://127.0.0.1:39001/api/v3/true-api", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (local, ==, "http://127.0.0.1:39001");
  /* An empty entry is no entry. */
  local_empty = qoima_fund_client_url_for_stand ("local", urls, "http://127.0.0.1:39001/api/v3/true-api", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (local_empty, ==, "http://127.0.0.1:39001");
  /* Each other stand its own entry. */
  test = qoima_fund_client_url_for_stand ("test", urls, "https://stage.ismet.kz/api/v3/true-api", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (test, ==, "https://fund-test.example.kz");
  custom = qoima_fund_client_url_for_stand ("custom", urls, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (custom, ==, "http://10.0.0.5:8080");
  /* Without one, no address is guessed: the ИС МПТ stand's is not the Fund's. */
  industrial = qoima_fund_client_url_for_stand ("industrial", urls, "https://elk.prod.markirovka.ismet.kz/api/v3/true-api", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_assert_null (industrial);
  g_assert_nonnull (strstr (error->message, "industrial"));
  g_clear_error (&error);
  unconnected = qoima_fund_client_url_for_stand ("local", NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_assert_null (unconnected);
}

static void
test_r2_listing (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) l64 = NULL;
  QoimaFundLicenseFilter filter = { .activity = "L64" };
  QoimaFundLicense *other;

  /* R004-2: a license of another activity, a suspended one, one of another type. */
  other = qoima_fund_license_copy (g_ptr_array_index (licenses, 0));
  g_free (other->activity);
  other->activity = g_strdup ("L03");
  g_ptr_array_add (licenses, other);
  other = qoima_fund_license_copy (g_ptr_array_index (licenses, 0));
  g_free (other->status);
  other->status = g_strdup ("Приостановлен");
  g_ptr_array_add (licenses, other);
  other = qoima_fund_license_copy (g_ptr_array_index (licenses, 0));
  g_free (other->type);
  other->type = g_strdup ("Субподрядная");
  g_ptr_array_add (licenses, other);

  all = qoima_fund_licenses_filter (licenses, NULL);
  g_assert_cmpuint (all->len, ==, 3);
  l64 = qoima_fund_licenses_filter (licenses, &filter);
  g_assert_cmpuint (l64->len, ==, 1);
  g_assert_cmpstr (((QoimaFundLicense *) g_ptr_array_index (l64, 0))->number, ==, "23012346");
}

static void
test_r3_roles (void)
{
  g_autoptr(GError) error = NULL;

  /* R004-3: «Поставщик» + «Администратор организации» is Qoima's administrator; the
   * chief («Руководитель») signs, and prepares nothing. */
  g_assert_true (qoima_role_allows (QOIMA_ROLE_ADMIN, QOIMA_PERMISSION_PREPARE_FUND_APPLICATION));
  g_assert_false (qoima_role_allows (QOIMA_ROLE_CHIEF, QOIMA_PERMISSION_PREPARE_FUND_APPLICATION));
  g_assert_false (qoima_role_allows (QOIMA_ROLE_CLERK, QOIMA_PERMISSION_PREPARE_FUND_APPLICATION));
  g_assert_false (qoima_role_allows (QOIMA_ROLE_NURSE, QOIMA_PERMISSION_PREPARE_FUND_APPLICATION));
  g_assert_true (qoima_role_allows (QOIMA_ROLE_CHIEF, QOIMA_PERMISSION_DECIDE_FUND_APPLICATION));
  g_assert_false (qoima_role_allows (QOIMA_ROLE_ADMIN, QOIMA_PERMISSION_DECIDE_FUND_APPLICATION));
  g_assert_false (qoima_fund_application_may (NULL, NULL, QOIMA_FUND_ACTION_CREATE, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
}

static void
test_r5_care (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GPtrArray) allowed = qoima_fund_care_allowed (licenses, QOIMA_FUND_COEXECUTOR);
  g_autoptr(GPtrArray) problems = NULL;
  gboolean has_ct = FALSE, has_palliative = FALSE;

  /* R004-5: only what the annexes allow (L60-PSY is in none), and for the status. */
  for (guint i = 0; i < allowed->len; i++)
    {
      const QoimaFundCare *care = g_ptr_array_index (allowed, i);
      has_ct |= g_str_equal (care->code, "ct-mri-suspected-cancer");
      has_palliative |= g_str_equal (care->code, "palliative");
      g_assert_cmpstr (care->code, !=, "mental-complex");
      g_assert_cmpstr (care->code, !=, "pet-cancer"); /* Поставщик only */
    }
  g_assert_true (has_ct);
  g_assert_false (has_palliative);

  set_strv (&app->care_provider, "inpatient,ct-mri-suspected-cancer,mental-complex");
  problems = check (app);
  g_assert_nonnull (find_problem (problems, "R004-5", "care_provider"));
}

static void
test_r5_pharmacy_field (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) without_phc = NULL;

  /* R004-5: required only when primary care by capitation is chosen as Поставщик. */
  without_phc = check (app);
  g_assert_null (find_problem (without_phc, "R004-16", "pharmacy"));
  set_strv (&app->care_provider, "inpatient,ct-mri-suspected-cancer,phc-capitation");
  set_strv (&((QoimaFundBase *) g_ptr_array_index (app->bases, 0))->subtypes, "inpatient,phc-capitation");
  problems = check (app);
  g_assert_nonnull (find_problem (problems, "R004-16", "pharmacy"));
  g_assert_cmpstr (find_problem (problems, "R004-16", "pharmacy")->message, ==, "Это обязательное поле");
}

static void
test_r6_pharmacy_licenses (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, FALSE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GPtrArray) yes = NULL;
  g_autoptr(GPtrArray) no = NULL;
  QoimaFundProblem *problem;

  set_strv (&app->care_provider, "inpatient,ct-mri-suspected-cancer,phc-capitation");
  set_strv (&((QoimaFundBase *) g_ptr_array_index (app->bases, 0))->subtypes, "inpatient,phc-capitation");
  /* R004-6: «Да» without L61I and L64A: both asked for. */
  app->pharmacy = QOIMA_FUND_PHARMACY_YES;
  yes = check (app);
  g_assert_cmpuint (yes->len, ==, 2);
  problem = find_problem (yes, "R004-6", "pharmacy");
  g_assert_nonnull (problem);
  g_assert_cmpstr (problem->message, ==,
                   "В соответствии с Законом Республики Казахстан от 16 мая 2014 года \"О разрешениях и "
                   "уведомлениях\" для оказания вида/формы медицинской помощи Первичная медико-санитарная "
                   "помощь по комплексному подушевому нормативу требуется наличие лицензии на вид "
                   "деятельности «Фармацевтическая деятельность» по подвиду деятельности Розничная "
                   "реализация лекарственных средств");
  /* R004-6: «Нет»: no license checked. */
  app->pharmacy = QOIMA_FUND_PHARMACY_NO;
  no = check (app);
  g_assert_cmpuint (no->len, ==, 0);
}

static void
test_r7_a15b (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, FALSE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GPtrArray) problems = check (app);
  QoimaFundProblem *problem = find_problem (problems, "R004-7", "care_provider");

  /* R004-7: CT/MRI needs A15B; the choice: refused on saving (see check_care()). */
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem->message, "«Обращение с приборами и установками, генерирующими ионизирующее "
                                              "излучение» по подвиду деятельности Использование приборов"));
  g_assert_null (find_problem (problems, "R004-8", NULL));
}

static void
test_r8_l64a (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, FALSE, TRUE);
  g_autoptr(GPtrArray) with = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(QoimaFundApplication) ok = make_application (with);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) none = NULL;
  QoimaFundLicense *l60 = g_ptr_array_index (licenses, 0);
  QoimaFundAnnex *annex = g_ptr_array_index (l60->annexes, 0);

  /* R004-8: palliative care (its annex subtype given) needs L64A as Поставщик. */
  g_strfreev (annex->subtypes);
  annex->subtypes = g_strsplit ("L60-INPAT,L60-DIAG", ",", -1);
  g_ptr_array_set_size (app->licenses, 0);
  g_ptr_array_add (app->licenses, qoima_fund_license_copy (l60));
  g_ptr_array_add (app->licenses, qoima_fund_license_copy (g_ptr_array_index (licenses, 1)));
  set_strv (&app->care_provider, "inpatient,ct-mri-suspected-cancer,palliative");
  set_strv (&((QoimaFundBase *) g_ptr_array_index (app->bases, 0))->subtypes, "inpatient,palliative");
  problems = check (app);
  g_assert_nonnull (find_problem (problems, "R004-8", "care_provider"));
  g_assert_nonnull (strstr (find_problem (problems, "R004-8", NULL)->message,
                            "Паллиативная медицинская помощь требуется наличие лицензии"));

  set_strv (&ok->care_provider, "inpatient,ct-mri-suspected-cancer,palliative");
  set_strv (&((QoimaFundBase *) g_ptr_array_index (ok->bases, 0))->subtypes, "inpatient,palliative");
  none = check (ok);
  g_assert_null (find_problem (none, "R004-8", NULL));
}

static void
test_r9_addresses (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GPtrArray) problems = NULL;

  /* R004-9: the legal address, phone and e-mail; the office is not required. */
  g_clear_pointer (&app->legal_street, g_free);
  g_clear_pointer (&app->email, g_free);
  problems = check (app);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_nonnull (find_problem (problems, "R004-16", "legal_street"));
  g_assert_nonnull (find_problem (problems, "R004-16", "email"));
  g_assert_null (find_problem (problems, "R004-16", "legal_office"));
}

static char *
write_kato (void)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("kato-XXXXXX.csv", &path, &error);
  const char csv[] = "\xEF\xBB\xBFid;parent_id;code;name\n"
                     "1;0;750000000;г.Алматы\n"
                     "2;1;751110000;Алмалинский р-н\n"
                     "3;0;100000000;область Абай\n"
                     "4;3;101000000;Семей Г.А.\n"
                     "5;4;101033100;с.Абралы\n";

  g_assert_no_error (error);
  g_assert_cmpint (write (fd, csv, strlen (csv)), ==, (gssize) strlen (csv));
  close (fd);
  return path;
}

static void
test_r10_bases (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autofree char *path = write_kato ();
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaFundKato) kato = qoima_fund_kato_load (path, &error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GPtrArray) problems = NULL;
  QoimaFundBase *base0 = g_ptr_array_index (app->bases, 0);
  QoimaFundBase *base1 = g_ptr_array_index (app->bases, 1);

  g_assert_no_error (error);
  /* R004-10: bases from the annexes, an address in two licenses kept once. */
  g_assert_cmpstr (base0->address, ==, BASE_1);
  g_assert_cmpstr (base1->address, ==, BASE_2);
  /* KATO: leaves only, the hierarchy by parent links. */
  g_assert_true (qoima_fund_kato_is_leaf (kato, ALMATY_DISTRICT));
  g_assert_false (qoima_fund_kato_is_leaf (kato, ALMATY));
  g_assert_false (qoima_fund_kato_is_leaf (kato, "101000000"));
  g_assert_cmpstr (qoima_fund_kato_region (kato, "101033100"), ==, "100000000");
  g_assert_cmpstr (qoima_fund_kato_name (kato, "101033100"), ==, "с.Абралы");

  /* The position: Almaty is in, swapped coordinates and Moscow are out (the box). */
  g_assert_true (qoima_fund_point_in_kazakhstan (43.2389, 76.8897));
  g_assert_true (qoima_fund_point_in_kazakhstan (51.1694, 71.4491));
  g_assert_false (qoima_fund_point_in_kazakhstan (76.8897, 43.2389));
  g_assert_false (qoima_fund_point_in_kazakhstan (55.7558, 37.6173));
  g_assert_false (qoima_fund_point_in_kazakhstan (0, 0));

  base0->latitude = 76.8897;
  base0->longitude = 43.2389;
  g_free (base1->kato);
  base1->kato = g_strdup (ALMATY);
  qoima_fund_attachment_free (base1->permit);
  base1->permit = NULL;
  problems = qoima_fund_application_check (app, kato, NULL, now);
  g_assert_nonnull (find_problem (problems, "R004-10", "bases[0].latitude"));
  g_assert_nonnull (find_problem (problems, "R004-10", "bases[1].kato"));
  /* The permit is required for each base. */
  g_assert_cmpstr (find_problem (problems, "R004-16", "bases[1].permit")->message, ==, "Это обязательное поле");
  g_assert_cmpuint (problems->len, ==, 3);

  /* Bases are deletable: the remaining one must then cover everything (R004-12). */
  g_ptr_array_remove_index (app->bases, 1);
  g_clear_pointer (&problems, g_ptr_array_unref);
  base0->latitude = 43.2389;
  base0->longitude = 76.8897;
  problems = qoima_fund_application_check (app, kato, NULL, now);
  g_assert_nonnull (find_problem (problems, "R004-12", "bases"));
  g_unlink (path);
}

static void
test_r11_base_coverage (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GPtrArray) problems = NULL;

  set_strv (&((QoimaFundBase *) g_ptr_array_index (app->bases, 1))->subtypes, NULL);
  set_strv (&((QoimaFundBase *) g_ptr_array_index (app->bases, 0))->subtypes, "inpatient,ct-mri-suspected-cancer");
  problems = check (app);
  g_assert_cmpuint (problems->len, ==, 1);
  /* R004-11: the seed's text, exactly. */
  g_assert_cmpstr (find_problem (problems, "R004-11", "bases[1].subtypes")->message, ==,
                   "Ошибка: Не выбрано ни одного подвида для адреса производственной базы");
}

static void
test_r12_all_subtypes (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GPtrArray) problems = NULL;

  set_strv (&((QoimaFundBase *) g_ptr_array_index (app->bases, 1))->subtypes, "inpatient");
  problems = check (app);
  g_assert_cmpuint (problems->len, ==, 1);
  /* R004-12: the seed's text, exactly. */
  g_assert_cmpstr (find_problem (problems, "R004-12", "bases")->message, ==,
                   "Вы не выбрали все подвиды, соответствующие данным из раздела «Субъект здравоохранения». "
                   "Пожалуйста, укажите их в разделе «Адрес производственной базы».");
}

static void
test_r13_attach (void)
{
  g_autoptr(GPtrArray) fresh = make_licenses (23.5, TRUE, TRUE);
  g_autoptr(GPtrArray) stale = make_licenses (24.5, TRUE, TRUE);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(QoimaFundApplication) app = qoima_fund_application_new ();

  /* R004-13: got from elicense.kz within 24 hours (our reading of «не ранее чем за 24 часа»). */
  g_assert_true (qoima_fund_license_attaches (g_ptr_array_index (fresh, 0), now));
  g_assert_false (qoima_fund_license_attaches (g_ptr_array_index (stale, 0), now));
  qoima_fund_application_refresh_licenses (app, stale, now);
  g_assert_cmpuint (app->licenses->len, ==, 0);
  g_assert_cmpuint (app->bases->len, ==, 0);
  qoima_fund_application_refresh_licenses (app, fresh, now);
  g_assert_cmpuint (app->licenses->len, ==, 3);
}

static void
test_r14_documents (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GPtrArray) problems = NULL;

  /* R004-14: the registration certificate is required; the power of attorney is not. */
  g_ptr_array_set_size (app->registration, 0);
  problems = check (app);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_nonnull (find_problem (problems, "R004-16", "registration"));
}

static void
test_r15_size (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("fund-XXXXXX", &error);
  g_autofree char *big = g_build_filename (dir, "scan.pdf", NULL);
  g_autofree char *small = g_build_filename (dir, "permit.pdf", NULL);
  g_autoptr(GFile) big_file = g_file_new_for_path (big);
  g_autoptr(GFile) small_file = g_file_new_for_path (small);
  g_autoptr(QoimaFundAttachment) refused = NULL;
  g_autoptr(QoimaFundAttachment) taken = NULL;
  gint64 start;
  int fd;

  g_assert_no_error (error);
  /* A sparse file of 4 GB: refused on its size at once, never read. */
  fd = g_open (big, O_CREAT | O_WRONLY, 0600);
  g_assert_cmpint (ftruncate (fd, (off_t) 4 * 1024 * 1024 * 1024), ==, 0);
  close (fd);
  start = g_get_monotonic_time ();
  refused = qoima_fund_attachment_new_for_file (big_file, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (small, "%PDF-1.4", -1, &error));
  taken = qoima_fund_attachment_new_for_file (small_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (taken->size, ==, 8);
  g_assert_cmpstr (taken->name, ==, "permit.pdf");

  /* R004-15: exactly 20 MB passes, a byte more does not. */
  ((QoimaFundBase *) g_ptr_array_index (app->bases, 0))->permit->size = 20 * 1024 * 1024;
  g_ptr_array_add (app->power_of_attorney, fake_attachment ("Доверенность.pdf", 20 * 1024 * 1024 + 1));
  problems = check (app);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_nonnull (find_problem (problems, "R004-15", "power_of_attorney"));
  g_unlink (big);
  g_unlink (small);
  g_rmdir (dir);
}

static void
test_r16_required (void)
{
  g_autoptr(QoimaFundApplication) app = qoima_fund_application_new ();
  g_autoptr(GPtrArray) problems = check (app);
  const char *fields[] = { "name_kk", "name_ru", "bin", "ownership", "statuses", "region", "legal_kato",
                           "legal_index", "legal_street", "legal_house", "phone", "email", "bases", "registration" };

  /* R004-16: each missing field named, with the seed's text, exactly. */
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      QoimaFundProblem *problem = find_problem (problems, "R004-16", fields[i]);
      g_assert_nonnull (problem);
      g_assert_cmpstr (problem->message, ==, "Это обязательное поле");
    }
  g_assert_cmpuint (problems->len, ==, G_N_ELEMENTS (fields));
}

static void
test_r17_three_years_core (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 12, 4, 12, 0, 0);
  g_autoptr(GDateTime) recent = g_date_time_new_utc (2024, 1, 10, 0, 0, 0);
  g_autoptr(GDateTime) old = g_date_time_new_utc (2023, 12, 1, 0, 0, 0);
  g_autoptr(GPtrArray) blocked = qoima_fund_application_check (app, NULL, recent, now);
  g_autoptr(GPtrArray) allowed = qoima_fund_application_check (app, NULL, old, now);

  /* R004-17: less than three years since the exclusion blocks saving. */
  g_assert_nonnull (find_problem (blocked, "R004-17", "bin"));
  g_assert_nonnull (strstr (find_problem (blocked, "R004-17", "bin")->message, "10.01.2027"));
  g_assert_cmpuint (allowed->len, ==, 0);
}

static void
test_r21_notices (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(GPtrArray) notices = qoima_fund_application_send_notices (app);

  /* R004-21: one message per subtype needing another license, the seed's text. */
  g_assert_cmpuint (notices->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (notices, 0), ==,
                   "В соответствии с Законом Республики Казахстан от 16 мая 2014 года \"О разрешениях и "
                   "уведомлениях\" для оказания вида/формы медицинской помощи Дорогостоящие виды "
                   "диагностических исследований для пациентов с подозрением на онкологические заболевания "
                   "по направлению специалиста (КТ, МРТ) требуется наличие лицензии на вид деятельности "
                   "«Обращение с приборами и установками, генерирующими ионизирующее излучение» по подвиду "
                   "деятельности Использование приборов и установок, генерирующих ионизирующее излучение");
}

static void
test_r23_immutables (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) saved = make_application (licenses);
  g_autoptr(QoimaFundApplication) edited = qoima_fund_application_copy (saved);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) diff = NULL;

  /* R004-23: the ownership form is kept in an edit, may change in a new version (R004-25). */
  g_free (edited->ownership);
  edited->ownership = g_strdup ("Частные организации");
  g_assert_false (qoima_fund_application_check_edit (saved, edited, FALSE, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_true (qoima_fund_application_check_edit (saved, edited, TRUE, &error));
  g_assert_no_error (error);
  /* Names and BIN never. */
  g_free (edited->bin);
  edited->bin = g_strdup ("230940038234");
  g_assert_false (qoima_fund_application_check_edit (saved, edited, TRUE, &error));
  g_clear_error (&error);
  /* R004-18: what changed. */
  diff = qoima_fund_application_diff (saved, edited);
  g_assert_cmpuint (g_strv_length (diff), ==, 2);
  g_assert_true (g_strv_contains ((const char * const *) diff, "ownership"));
  g_assert_true (g_strv_contains ((const char * const *) diff, "bin"));
}

static void
test_r27_status_spelling (void)
{
  QoimaFundStatus status = QOIMA_FUND_DRAFT;

  /* The seed's two spellings: «Исключен из БД» shown, «Исключен в БД» read. */
  g_assert_cmpstr (qoima_fund_status_to_label (QOIMA_FUND_EXCLUDED), ==, "Исключен из БД");
  g_assert_true (qoima_fund_status_from_label ("Исключен в БД", &status));
  g_assert_cmpint (status, ==, QOIMA_FUND_EXCLUDED);
  status = QOIMA_FUND_DRAFT;
  g_assert_true (qoima_fund_status_from_label ("Исключен из БД", &status));
  g_assert_cmpint (status, ==, QOIMA_FUND_EXCLUDED);
  g_assert_true (qoima_fund_status_from_label ("Подтверждена. На согласовании", &status));
  g_assert_cmpint (status, ==, QOIMA_FUND_CONFIRMED_APPROVAL);
  g_assert_false (qoima_fund_status_from_label ("Принята", &status));
}

/* Issue 13: a collapsed row of the form names its kinds of care shortly; every kind has a
 * short name, and a long choice is cut after a name, with "…". */
static void
test_care_short_names (void)
{
  const char * const three[] = { "ct-mri-suspected-cancer", "inpatient", "day-hospital", NULL };
  const char * const one[] = { "inpatient", NULL };
  g_autofree char *none = qoima_fund_care_join_short_names (NULL, 60);
  g_autofree char *single = qoima_fund_care_join_short_names (one, 60);
  g_autofree char *two = qoima_fund_care_join_short_names (three, 40);
  g_autofree char *all = qoima_fund_care_join_short_names (three, 200);

  for (const QoimaFundCare *care = qoima_fund_care_directory (); care->code != NULL; care++)
    {
      const char *name = qoima_fund_care_short_name (care->code);

      g_assert_cmpstr (name, !=, care->code);
      g_assert_cmpint (g_utf8_strlen (name, -1), <=, 50);
      g_assert_cmpint (g_utf8_strlen (name, -1), <=, g_utf8_strlen (care->name, -1));
    }
  g_assert_cmpstr (qoima_fund_care_short_name ("no-such-kind"), ==, "no-such-kind");
  g_assert_cmpstr (none, ==, "");
  g_assert_cmpstr (single, ==, "Стационар");
  g_assert_cmpstr (two, ==, "КТ/МРТ при подозрении на онкологию, Стационар…");
  g_assert_cmpstr (all, ==, "КТ/МРТ при подозрении на онкологию, Стационар, Стационарозамещающая помощь");
}

static void
test_json_roundtrip (void)
{
  g_autoptr(GPtrArray) licenses = make_licenses (1, TRUE, TRUE);
  g_autoptr(QoimaFundApplication) app = make_application (licenses);
  g_autoptr(JsonNode) node = qoima_fund_application_to_json (app);
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaFundApplication) back = qoima_fund_application_from_json (node, &error);
  g_auto(GStrv) diff = NULL;

  g_assert_no_error (error);
  diff = qoima_fund_application_diff (app, back);
  g_assert_cmpuint (g_strv_length (diff), ==, 0);
  g_assert_cmpuint (back->bases->len, ==, 2);
  g_assert_cmpfloat (((QoimaFundBase *) g_ptr_array_index (back->bases, 0))->latitude, ==, 43.2389);
}

/* The store */

typedef struct
{
  char *dir;
  char *path;
  QoimaStore *store;
  QoimaUser *admin;
  QoimaUser *admin2;
  QoimaUser *chief;
  QoimaUser *clerk;
  GPtrArray *licenses;
} Fixture;

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

static QoimaUser *
add_user (Fixture    *fixture,
          QoimaUser  *acting,
          const char *name,
          QoimaRole   role)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaUser *user;

  qoima_store_add_user_async (fixture->store, acting, name, NULL, role, 0, "long enough secret",
                              NULL, result_cb, &result);
  user = qoima_store_add_user_finish (fixture->store, wait_for (&result), &error);
  g_assert_no_error (error);
  return user;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("qoima-fund-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "qoima.db", NULL);
  qoima_store_open_async (fixture->path, NULL, result_cb, &result);
  fixture->store = qoima_store_open_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  fixture->admin = add_user (fixture, NULL, "admin", QOIMA_ROLE_ADMIN);
  fixture->admin2 = add_user (fixture, fixture->admin, "admin2", QOIMA_ROLE_ADMIN);
  fixture->chief = add_user (fixture, fixture->admin, "chief", QOIMA_ROLE_CHIEF);
  fixture->clerk = add_user (fixture, fixture->admin, "clerk", QOIMA_ROLE_CLERK);
  fixture->licenses = make_licenses (1, TRUE, TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);

  qoima_store_close (fixture->store);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->admin);
  g_clear_object (&fixture->admin2);
  g_clear_object (&fixture->chief);
  g_clear_object (&fixture->clerk);
  g_clear_pointer (&fixture->licenses, g_ptr_array_unref);
  g_unlink (fixture->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static gint64
save (Fixture              *fixture,
      QoimaUser            *user,
      QoimaFundApplication *app,
      GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_fund_save_async (fixture->store, user, app, NULL, NULL, result_cb, &result);
  return qoima_store_fund_save_finish (fixture->store, wait_for (&result), error);
}

static gboolean
act (Fixture         *fixture,
     QoimaUser       *user,
     gint64           id,
     QoimaFundAction  action,
     const char      *text,
     GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_fund_act_async (fixture->store, user, id, action, text, NULL, result_cb, &result);
  return qoima_store_fund_act_finish (fixture->store, wait_for (&result), error);
}

static void
follow (Fixture         *fixture,
        gint64           id,
        QoimaFundStatus  status,
        const char      *excluded_at)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *reasons[] = { "Несоответствие приложений к лицензии", NULL };

  qoima_store_fund_follow_async (fixture->store, id, status, "ФСМС-0001",
                                 status == QOIMA_FUND_REJECTED ? reasons : NULL, NULL, excluded_at,
                                 NULL, result_cb, &result);
  g_assert_true (qoima_store_fund_follow_finish (fixture->store, wait_for (&result), &error));
  g_assert_no_error (error);
}

static QoimaFundApplication *
load (Fixture *fixture,
      gint64   id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaFundApplication *app;

  qoima_store_fund_load_async (fixture->store, id, NULL, result_cb, &result);
  app = qoima_store_fund_load_finish (fixture->store, wait_for (&result), &error);
  g_assert_no_error (error);
  return app;
}

static GPtrArray *
edits (Fixture *fixture,
       gint64   id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *out;

  qoima_store_fund_edits_async (fixture->store, id, NULL, result_cb, &result);
  out = qoima_store_fund_edits_finish (fixture->store, wait_for (&result), &error);
  g_assert_no_error (error);
  return out;
}

/* Saved, signed and sent: «На рассмотрении». */
static gint64
sent_application (Fixture *fixture)
{
  g_autoptr(QoimaFundApplication) app = make_application (fixture->licenses);
  g_autoptr(GError) error = NULL;
  gint64 id = save (fixture, fixture->admin, app, &error);

  g_assert_no_error (error);
  g_assert_true (act (fixture, fixture->admin, id, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL, &error));
  g_assert_true (act (fixture, fixture->chief, id, QOIMA_FUND_ACTION_SIGN_CONSENT, "MIIB-signature", &error));
  g_assert_true (act (fixture, fixture->chief, id, QOIMA_FUND_ACTION_SEND, NULL, &error));
  g_assert_no_error (error);
  return id;
}

static void
test_store_r3_r16_save (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(QoimaFundApplication) app = make_application (fixture->licenses);
  g_autoptr(QoimaFundApplication) loaded = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  /* R004-3: a clerk or the chief does not create it. */
  g_assert_cmpint (save (fixture, fixture->clerk, app, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpint (save (fixture, fixture->chief, app, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* R004-16: a missing field refuses the save with the seed's text. */
  g_clear_pointer (&app->phone, g_free);
  g_assert_cmpint (save (fixture, fixture->admin, app, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==, "R004-16: Это обязательное поле (phone)");
  g_clear_error (&error);

  app->phone = g_strdup ("+77272000000");
  id = save (fixture, fixture->admin, app, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  /* «Проект», its author and creation date. */
  loaded = load (fixture, id);
  g_assert_cmpint (loaded->status, ==, QOIMA_FUND_DRAFT);
  g_assert_cmpstr (loaded->author, ==, "admin");
  g_assert_nonnull (loaded->created_at);
  g_assert_cmpint (loaded->chain_id, ==, id);
  g_assert_cmpint (loaded->version, ==, 1);
  g_assert_cmpuint (loaded->bases->len, ==, 2);
}

static void
test_store_r4_region (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(QoimaFundApplication) app = make_application (fixture->licenses);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (save (fixture, fixture->admin, app, &error), >, 0);
  g_assert_no_error (error);
  /* R004-4: a second one for Almaty is refused; another region is not. */
  g_assert_cmpint (save (fixture, fixture->admin, app, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "R004-4"));
  g_clear_error (&error);
  g_free (app->region);
  app->region = g_strdup ("710000000");
  g_assert_cmpint (save (fixture, fixture->admin, app, &error), >, 0);
  g_assert_no_error (error);
}

static void
test_store_r17_exclusion (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(QoimaFundApplication) app = make_application (fixture->licenses);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) last_year = g_date_time_add_years (now, -1);
  g_autofree char *excluded_at = g_date_time_format_iso8601 (last_year);
  gint64 id = sent_application (fixture);

  follow (fixture, id, QOIMA_FUND_INCLUDED, NULL);
  /* R004-27 ends in «Исключен из БД»; R004-17 then refuses a new one for three years. */
  follow (fixture, id, QOIMA_FUND_EXCLUDED, excluded_at);
  g_assert_cmpint (save (fixture, fixture->admin, app, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_true (g_str_has_prefix (error->message, "R004-17: "));
}

static void
test_store_r18_r23_edits (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(QoimaFundApplication) app = make_application (fixture->licenses);
  g_autoptr(QoimaFundApplication) loaded = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GError) error = NULL;
  QoimaFundEdit *edit;
  gint64 id = save (fixture, fixture->admin, app, &error);

  g_assert_no_error (error);
  loaded = load (fixture, id);
  g_free (loaded->email);
  loaded->email = g_strdup ("fund@hospital1.kz");
  /* R004-23: only the creator edits. */
  g_assert_cmpint (save (fixture, fixture->admin2, loaded, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpint (save (fixture, fixture->admin, loaded, &error), ==, id);
  g_assert_no_error (error);
  /* …and not the names. */
  g_free (loaded->name_ru);
  loaded->name_ru = g_strdup ("Другая больница");
  g_assert_cmpint (save (fixture, fixture->admin, loaded, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* R004-18: who, when, what. */
  log = edits (fixture, id);
  g_assert_cmpuint (log->len, ==, 2);
  edit = g_ptr_array_index (log, 1);
  g_assert_cmpstr (edit->actor, ==, "admin");
  g_assert_cmpstr (edit->action, ==, "edited");
  g_assert_cmpstr (edit->detail, ==, "email");
  g_assert_nonnull (edit->at);
}

static void
test_store_r20_chief (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(QoimaFundApplication) app = make_application (fixture->licenses);
  g_autoptr(QoimaFundApplication) rejected = NULL;
  g_autoptr(QoimaFundApplication) sent = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = save (fixture, fixture->admin, app, &error);

  g_assert_no_error (error);
  g_assert_true (act (fixture, fixture->admin, id, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL, &error));
  /* R004-20: the admin does not sign nor send; the chief does not send unsigned. */
  g_assert_false (act (fixture, fixture->admin, id, QOIMA_FUND_ACTION_SIGN_CONSENT, "sig", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (act (fixture, fixture->chief, id, QOIMA_FUND_ACTION_SEND, NULL, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  /* A rejection needs a reason, and returns it to «Проект». */
  g_assert_false (act (fixture, fixture->chief, id, QOIMA_FUND_ACTION_CHIEF_REJECT, "  ", &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_true (act (fixture, fixture->chief, id, QOIMA_FUND_ACTION_SIGN_CONSENT, "sig", &error));
  g_assert_true (act (fixture, fixture->chief, id, QOIMA_FUND_ACTION_CHIEF_REJECT,
                      "Уточните координаты второй базы", &error));
  g_assert_no_error (error);
  rejected = load (fixture, id);
  g_assert_cmpint (rejected->status, ==, QOIMA_FUND_DRAFT);
  g_assert_cmpstr (rejected->chief_reason, ==, "Уточните координаты второй базы");
  g_assert_null (rejected->consent_signature);

  /* The second round: signed, sent (R004-22). */
  g_assert_true (act (fixture, fixture->admin, id, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL, &error));
  g_assert_true (act (fixture, fixture->chief, id, QOIMA_FUND_ACTION_SIGN_CONSENT, "sig2", &error));
  g_assert_true (act (fixture, fixture->chief, id, QOIMA_FUND_ACTION_SEND, NULL, &error));
  g_assert_no_error (error);
  sent = load (fixture, id);
  g_assert_cmpint (sent->status, ==, QOIMA_FUND_UNDER_REVIEW);
  g_assert_cmpstr (sent->consent_signed_by, ==, "chief");
}

static void
test_store_r22_frozen (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(QoimaFundApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  char *message = NULL;
  gint64 id = sent_application (fixture);
  g_autofree char *update = g_strdup_printf ("UPDATE fund_applications SET body = '{}' WHERE id = %" G_GINT64_FORMAT, id);
  g_autofree char *delete = g_strdup_printf ("DELETE FROM fund_applications WHERE id = %" G_GINT64_FORMAT, id);

  /* R004-22: after sending, neither edited nor deleted, by the API… */
  app = load (fixture, id);
  g_assert_cmpint (save (fixture, fixture->admin, app, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (act (fixture, fixture->admin, id, QOIMA_FUND_ACTION_DELETE, NULL, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  /* …nor by SQL: the triggers hold it. */
  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, update, NULL, NULL, &message), ==, SQLITE_CONSTRAINT);
  g_assert_nonnull (strstr (message, "does not change"));
  sqlite3_free (message);
  g_assert_cmpint (sqlite3_exec (db, delete, NULL, NULL, &message), ==, SQLITE_CONSTRAINT);
  sqlite3_free (message);
  sqlite3_close (db);
}

static void
test_store_r24_delete (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(QoimaFundApplication) app = make_application (fixture->licenses);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = save (fixture, fixture->admin, app, &error);

  g_assert_no_error (error);
  /* R004-24: the chief does not delete; the admin deletes a draft. */
  g_assert_false (act (fixture, fixture->chief, id, QOIMA_FUND_ACTION_DELETE, NULL, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_true (act (fixture, fixture->admin, id, QOIMA_FUND_ACTION_DELETE, NULL, &error));
  g_assert_no_error (error);
  qoima_store_fund_load_async (fixture->store, id, NULL, result_cb, &result);
  g_assert_null (qoima_store_fund_load_finish (fixture->store, wait_for (&result), &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
}

static void
test_store_r25_versions (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(QoimaFundApplication) v1 = NULL;
  g_autoptr(QoimaFundApplication) v1_after = NULL;
  g_autoptr(QoimaFundApplication) v2 = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gint64 id = sent_application (fixture);
  gint64 id2;

  /* R004-25: not while the Fund reviews it. */
  v1 = load (fixture, id);
  v1->id = 0;
  g_assert_cmpint (save (fixture, fixture->admin, v1, &error), ==, 0);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  follow (fixture, id, QOIMA_FUND_INCLUDED, NULL);
  /* «Внести изменение»: a new version in «Проект», licenses refreshed, the ownership
   * form may change; the names not. */
  qoima_fund_application_refresh_licenses (v1, fixture->licenses, now);
  g_free (v1->ownership);
  v1->ownership = g_strdup ("Субъекты квазигосударственного сектора");
  id2 = save (fixture, fixture->admin2, v1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id2, !=, id);
  v2 = load (fixture, id2);
  g_assert_cmpint (v2->version, ==, 2);
  g_assert_cmpint (v2->chain_id, ==, id);
  g_assert_cmpint (v2->status, ==, QOIMA_FUND_DRAFT);
  g_assert_cmpstr (v2->author, ==, "admin2");

  g_assert_true (act (fixture, fixture->admin2, id2, QOIMA_FUND_ACTION_SUBMIT_TO_CHIEF, NULL, &error));
  g_assert_true (act (fixture, fixture->chief, id2, QOIMA_FUND_ACTION_SIGN_CONSENT, "sig", &error));
  g_assert_true (act (fixture, fixture->chief, id2, QOIMA_FUND_ACTION_SEND, NULL, &error));
  g_assert_no_error (error);
  /* The old one reads «Включен в БД» until the change is approved, then «Изменена». */
  v1_after = load (fixture, id);
  g_assert_cmpint (v1_after->status, ==, QOIMA_FUND_INCLUDED);
  g_clear_pointer (&v1_after, qoima_fund_application_free);
  follow (fixture, id2, QOIMA_FUND_INCLUDED, NULL);
  v1_after = load (fixture, id);
  g_assert_cmpint (v1_after->status, ==, QOIMA_FUND_CHANGED);
  g_assert_cmpstr (qoima_fund_status_to_label (v1_after->status), ==, "Изменена");

  /* Every version viewable. */
  qoima_store_fund_list_async (fixture->store, id, NULL, result_cb, &result);
  versions = qoima_store_fund_list_finish (fixture->store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 2);
  g_assert_cmpint (((QoimaFundApplication *) g_ptr_array_index (versions, 1))->status, ==, QOIMA_FUND_INCLUDED);
}

static void
test_store_r26_rejected (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(QoimaFundApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = sent_application (fixture);
  g_autoptr(GAsyncResult) result = NULL;

  /* R004-26: the Fund's path, followed; its reasons kept to be shown. */
  follow (fixture, id, QOIMA_FUND_REJECTED_CHECK, NULL);
  follow (fixture, id, QOIMA_FUND_REJECTED_APPROVAL, NULL);
  follow (fixture, id, QOIMA_FUND_REJECTED, NULL);
  app = load (fixture, id);
  g_assert_cmpint (app->status, ==, QOIMA_FUND_REJECTED);
  g_assert_cmpstr (app->fund_reasons[0], ==, "Несоответствие приложений к лицензии");
  g_assert_cmpstr (app->fund_id, ==, "ФСМС-0001");
  /* A draft is not the Fund's to decide. */
  g_clear_pointer (&app, qoima_fund_application_free);
  app = make_application (fixture->licenses);
  g_free (app->region);
  app->region = g_strdup ("710000000");
  id = save (fixture, fixture->admin, app, &error);
  g_assert_no_error (error);
  qoima_store_fund_follow_async (fixture->store, id, QOIMA_FUND_INCLUDED, NULL, NULL, NULL, NULL, NULL,
                                 result_cb, &result);
  g_assert_false (qoima_store_fund_follow_finish (fixture->store, wait_for (&result), &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
}

#define STORE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fund/complete-application-passes", test_complete_passes);
  g_test_add_func ("/fund/json-roundtrip", test_json_roundtrip);
  g_test_add_func ("/fund/care/short-names", test_care_short_names);
  g_test_add_func ("/rules/R004-1/request-bins-and-states", test_r1_requests);
  g_test_add_func ("/rules/R004-1/related-bins-in-the-profile", test_r1_related_bins);
  g_test_add_func ("/fund/client/url-for-stand", test_url_for_stand);
  g_test_add_func ("/rules/R004-2/listing-filters", test_r2_listing);
  g_test_add_func ("/rules/R004-3/roles", test_r3_roles);
  g_test_add_func ("/rules/R004-5/care-limited-by-annexes", test_r5_care);
  g_test_add_func ("/rules/R004-5/pharmacy-field", test_r5_pharmacy_field);
  g_test_add_func ("/rules/R004-6/pharmacy-licenses", test_r6_pharmacy_licenses);
  g_test_add_func ("/rules/R004-7/a15b", test_r7_a15b);
  g_test_add_func ("/rules/R004-8/l64a", test_r8_l64a);
  g_test_add_func ("/rules/R004-9/addresses", test_r9_addresses);
  g_test_add_func ("/rules/R004-10/bases-position-kato-permit", test_r10_bases);
  g_test_add_func ("/rules/R004-11/base-coverage", test_r11_base_coverage);
  g_test_add_func ("/rules/R004-12/all-subtypes-on-bases", test_r12_all_subtypes);
  g_test_add_func ("/rules/R004-13/licenses-attach-within-24h", test_r13_attach);
  g_test_add_func ("/rules/R004-14/documents", test_r14_documents);
  g_test_add_func ("/rules/R004-15/20mb-before-reading", test_r15_size);
  g_test_add_func ("/rules/R004-16/required-fields", test_r16_required);
  g_test_add_func ("/rules/R004-17/three-years", test_r17_three_years_core);
  g_test_add_func ("/rules/R004-21/send-notices", test_r21_notices);
  g_test_add_func ("/rules/R004-23/immutable-fields", test_r23_immutables);
  g_test_add_func ("/rules/R004-27/excluded-spelling", test_r27_status_spelling);
  STORE_TEST ("/rules/R004-3/store-save-roles-and-draft", test_store_r3_r16_save);
  STORE_TEST ("/rules/R004-4/one-per-region", test_store_r4_region);
  STORE_TEST ("/rules/R004-17/store-exclusion", test_store_r17_exclusion);
  STORE_TEST ("/rules/R004-18/edit-log", test_store_r18_r23_edits);
  STORE_TEST ("/rules/R004-20/chief-signs-or-rejects", test_store_r20_chief);
  STORE_TEST ("/rules/R004-22/frozen-after-sending", test_store_r22_frozen);
  STORE_TEST ("/rules/R004-24/delete-draft-only", test_store_r24_delete);
  STORE_TEST ("/rules/R004-25/versions", test_store_r25_versions);
  STORE_TEST ("/rules/R004-26/rejection-followed", test_store_r26_rejected);

  return g_test_run ();
}
