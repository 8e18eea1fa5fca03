/* test-report.c: use per patient, ward and medicine, opened packs, withdrawals, and CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-report.h"
#include "qoima-store-ledger.h"
#include "qoima-store-outbox.h"
#include "qoima-store-reports.h"
#include "qoima-test-utils.h"
#include "qoima-user.h"

#include <glib/gstdio.h>
#include <string.h>

#define TABLETS_GTIN "04870101000010" /* 10 units a pack */
#define VIAL_GTIN "04870101000065"    /* one unit a pack */
#define IBU_GTIN "04870101000027"     /* 5 units a pack; its name starts with '=' */

#define TABLETS_NAME "Парацетамол, таблетки"
#define VIAL_NAME "Цефазолин \"Форте\""
#define IBU_NAME "=Ибупрофен \"Актив\", таблетки"

#define TAB1 "01" TABLETS_GTIN "21" "REPTAB0001"
#define TAB2 "01" TABLETS_GTIN "21" "REPTAB0002"
#define VIAL1 "01" VIAL_GTIN "21" "REPVIAL001"
#define VIAL2 "01" VIAL_GTIN "21" "REPVIAL002"
#define IBU1 "01" IBU_GTIN "21" "REPIBU0001"

#define IIN_A "850715400238"
#define RECORD_B "ИБ202417"

#define THERAPY "Терапия"
#define SURGERY "Хирургия"

typedef struct
{
  char *dir;
  char *path;
  QoimaStore *store;
  gint64 warehouse;
  gint64 therapy;
  gint64 surgery;
  QoimaUser *admin;
  QoimaUser *clerk;
  QoimaUser *chief;
  QoimaUser *nurse_therapy;
  QoimaUser *nurse_surgery;
  GDateTime *today;
  char *today_text;
} Fixture;

static gint64
add_location (Fixture           *fixture,
              QoimaLocationKind  kind,
              const char        *name_ru)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  qoima_store_add_location_async (fixture->store, kind, name_ru, NULL, NULL, qoima_test_result_cb, &result);
  id = qoima_store_add_location_finish (fixture->store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
use (Fixture    *fixture,
     QoimaUser  *nurse,
     const char *ki,
     const char *patient,
     int         units)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaUseResult) done = NULL;

  qoima_store_use_units_async (fixture->store, nurse, ki, patient, units, NULL, qoima_test_result_cb, &result);
  done = qoima_store_use_units_finish (fixture->store, qoima_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (done);
}

static QoimaReport *
make_report (Fixture          *fixture,
             QoimaUser        *user,
             QoimaReportKind   kind,
             GDateTime        *from,
             GDateTime        *to,
             gint64            location,
             GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_make_report_async (fixture->store, user, kind, from, to, location, NULL, qoima_test_result_cb, &result);
  return qoima_store_make_report_finish (fixture->store, qoima_test_wait_for (&result), error);
}

/* The whole report as text, one line a row, cells between bars, the totals row last. */
static char *
report_text (QoimaReport *report)
{
  GString *text = g_string_new (NULL);
  const char * const *totals = qoima_report_get_totals_row (report);

  for (guint i = 0; i < qoima_report_get_n_rows (report); i++)
    {
      g_autofree char *line = g_strjoinv ("|", (char **) qoima_report_get_row (report, i));

      g_string_append_printf (text, "%s\n", line);
    }
  if (totals != NULL)
    {
      g_autofree char *line = g_strjoinv ("|", (char **) totals);

      g_string_append_printf (text, "= %s\n", line);
    }
  return g_string_free (text, FALSE);
}

static char *
column_titles (QoimaReport *report)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < qoima_report_get_n_columns (report); i++)
    g_string_append_printf (text, "%s%s", i > 0 ? "|" : "", qoima_report_get_column_title (report, i));
  return g_string_free (text, FALSE);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(QoimaPackRows) rows = qoima_pack_rows_new ();

  fixture->today = g_date_time_new_now_local ();
  fixture->today_text = g_date_time_format (fixture->today, "%Y-%m-%d");
  fixture->dir = g_dir_make_tmp ("test-report-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = qoima_test_new_store_location (fixture->dir);

  fixture->store = qoima_test_open_store (fixture->path);

  fixture->warehouse = add_location (fixture, QOIMA_LOCATION_KIND_WAREHOUSE, "Склад аптеки");
  fixture->therapy = add_location (fixture, QOIMA_LOCATION_KIND_WARD, THERAPY);
  fixture->surgery = add_location (fixture, QOIMA_LOCATION_KIND_WARD, SURGERY);

  g_ptr_array_add (products, qoima_product_new (TABLETS_GTIN, TABLETS_NAME, "Парацетамол, таблеткалар",
                                                NULL, NULL, NULL, NULL, 10));
  g_ptr_array_add (products, qoima_product_new (VIAL_GTIN, VIAL_NAME, NULL, NULL, NULL, NULL, NULL, 1));
  g_ptr_array_add (products, qoima_product_new (IBU_GTIN, IBU_NAME, NULL, NULL, NULL, NULL, NULL, 5));
  qoima_test_add_catalog (fixture->store, products);

  qoima_pack_rows_add (rows, TABLETS_GTIN, "REPTAB0001", NULL, "T1", "2031-12-31", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, "REPTAB0002", NULL, "T1", "2031-12-31", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, VIAL_GTIN, "REPVIAL001", NULL, "V1", "2031-01-31", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, VIAL_GTIN, "REPVIAL002", NULL, "V1", "2031-01-31", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, IBU_GTIN, "REPIBU0001", NULL, "I1", "2030-06-30", fixture->warehouse, -1);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_receive_packs_async (fixture->store, g_steal_pointer (&rows), "tester", "test", NULL,
                                     qoima_test_result_cb, &result);
    g_assert_true (qoima_store_receive_packs_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_no_error (error);
  }

  fixture->admin = qoima_test_add_user (fixture->store, NULL, "admin", QOIMA_ROLE_ADMIN, 0, "long enough secret");
  fixture->clerk = qoima_test_add_user (fixture->store, fixture->admin, "clerk", QOIMA_ROLE_CLERK, 0, "long enough secret");
  fixture->chief = qoima_test_add_user (fixture->store, fixture->admin, "chief", QOIMA_ROLE_CHIEF, 0, "long enough secret");
  fixture->nurse_therapy = qoima_test_add_user (fixture->store, fixture->admin, "nurse-t", QOIMA_ROLE_NURSE, fixture->therapy, "long enough secret");
  fixture->nurse_surgery = qoima_test_add_user (fixture->store, fixture->admin, "nurse-s", QOIMA_ROLE_NURSE, fixture->surgery, "long enough secret");

  /* The clerk moves packs to both wards. */
  {
    const char *to_therapy[] = { TAB1, VIAL1, IBU1, NULL };
    const char *to_surgery[] = { TAB2, VIAL2, NULL };
    const char * const *lists[] = { to_therapy, to_surgery };
    gint64 wards[] = { fixture->therapy, fixture->surgery };

    for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
      {
        g_autoptr(GAsyncResult) result = NULL;

        qoima_store_transfer_packs_async (fixture->store, fixture->clerk, lists[i], wards[i], NULL,
                                          qoima_test_result_cb, &result);
        g_assert_cmpint (qoima_store_transfer_packs_finish (fixture->store, qoima_test_wait_for (&result), NULL, &error), ==,
                         (int) g_strv_length ((char **) lists[i]));
        g_assert_no_error (error);
      }
  }

  /* Two patients in two wards; one use undone and logged again with fewer units. */
  use (fixture, fixture->nurse_therapy, TAB1, IIN_A, 3);
  use (fixture, fixture->nurse_therapy, TAB1, RECORD_B, 2);
  use (fixture, fixture->nurse_therapy, VIAL1, IIN_A, 1);
  use (fixture, fixture->nurse_therapy, IBU1, RECORD_B, 2);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_undo_last_use_async (fixture->store, fixture->nurse_therapy, NULL, qoima_test_result_cb, &result);
    g_assert_cmpint (qoima_store_undo_last_use_finish (fixture->store, qoima_test_wait_for (&result), &error), ==, 2);
    g_assert_no_error (error);
  }
  use (fixture, fixture->nurse_therapy, IBU1, RECORD_B, 1);
  use (fixture, fixture->nurse_surgery, TAB2, IIN_A, 4);
  use (fixture, fixture->nurse_surgery, VIAL2, RECORD_B, 1);

  /* The chief signed the first vial's withdrawal: it waits in the outbox. */
  if (data != NULL)
    {
      const char *kis[] = { VIAL1, NULL };
      g_autoptr(GBytes) document = g_bytes_new_static ("{}", 2);
      g_autoptr(GBytes) signature = g_bytes_new_static ("sig", 3);
      g_autoptr(GAsyncResult) result = NULL;

      qoima_store_queue_withdrawal_async (fixture->store, kis, "QW-0001", document, signature, "chief", NULL,
                                          NULL, qoima_test_result_cb, &result);
      g_assert_cmpint (qoima_store_queue_withdrawal_finish (fixture->store, qoima_test_wait_for (&result), &error), >, 0);
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->admin);
  g_clear_object (&fixture->clerk);
  g_clear_object (&fixture->chief);
  g_clear_object (&fixture->nurse_therapy);
  g_clear_object (&fixture->nurse_surgery);
  qoima_store_close (fixture->store);
  g_clear_object (&fixture->store);
  {
    g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);

    g_remove (wal);
    g_remove (shm);
    g_remove (fixture->path);
    g_rmdir (fixture->dir);
  }
  g_free (fixture->path);
  g_free (fixture->dir);
  g_date_time_unref (fixture->today);
  g_free (fixture->today_text);
}

static void
assert_report (Fixture         *fixture,
               QoimaReportKind  kind,
               gint64           location,
               const char      *columns,
               const char      *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaReport) report = NULL;
  g_autofree char *text = NULL;
  g_autofree char *titles = NULL;

  report = make_report (fixture, fixture->chief, kind, fixture->today, fixture->today, location, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpint (qoima_report_get_kind (report), ==, kind);
  titles = column_titles (report);
  g_assert_cmpstr (titles, ==, columns);
  text = report_text (report);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_use_by_patient (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaReport) report = NULL;
  g_autofree char *title = NULL;

  /* The undone use of two units is not counted; the one logged after it is. */
  assert_report (fixture, QOIMA_REPORT_USE_BY_PATIENT, 0, "Patient|Medicine|Ward|Units",
                 IIN_A "|" TABLETS_NAME "|" THERAPY "|3\n"
                 IIN_A "|" TABLETS_NAME "|" SURGERY "|4\n"
                 IIN_A "|" VIAL_NAME "|" THERAPY "|1\n"
                 RECORD_B "|" IBU_NAME "|" THERAPY "|1\n"
                 RECORD_B "|" TABLETS_NAME "|" THERAPY "|2\n"
                 RECORD_B "|" VIAL_NAME "|" SURGERY "|1\n"
                 "= Total|||12\n");

  /* One ward only. */
  assert_report (fixture, QOIMA_REPORT_USE_BY_PATIENT, fixture->therapy, "Patient|Medicine|Ward|Units",
                 IIN_A "|" TABLETS_NAME "|" THERAPY "|3\n"
                 IIN_A "|" VIAL_NAME "|" THERAPY "|1\n"
                 RECORD_B "|" IBU_NAME "|" THERAPY "|1\n"
                 RECORD_B "|" TABLETS_NAME "|" THERAPY "|2\n"
                 "= Total|||7\n");

  report = make_report (fixture, fixture->admin, QOIMA_REPORT_USE_BY_PATIENT, fixture->today, fixture->today,
                        fixture->surgery, &error);
  g_assert_no_error (error);
  g_assert_cmpint (qoima_report_get_total (report, 3), ==, 5);
  g_assert_cmpint (qoima_report_get_total (report, 0), ==, -1);
  /* The title is for people: its days are written as on screen, not as in the CSV. */
  {
    g_autofree char *today_shown = g_date_time_format (fixture->today, "%d.%m.%Y");

    title = g_strdup_printf ("Use by patient, %s – %s, " SURGERY, today_shown, today_shown);
  }
  g_assert_cmpstr (qoima_report_get_title (report), ==, title);
}

static void
test_use_by_ward (Fixture       *fixture,
                  gconstpointer  data)
{
  assert_report (fixture, QOIMA_REPORT_USE_BY_WARD, 0, "Ward|Medicine|Patients|Units",
                 THERAPY "|" IBU_NAME "|1|1\n"
                 THERAPY "|" TABLETS_NAME "|2|5\n"
                 THERAPY "|" VIAL_NAME "|1|1\n"
                 SURGERY "|" TABLETS_NAME "|1|4\n"
                 SURGERY "|" VIAL_NAME "|1|1\n"
                 "= Total|||12\n");
}

static void
test_use_by_medicine (Fixture       *fixture,
                      gconstpointer  data)
{
  assert_report (fixture, QOIMA_REPORT_USE_BY_MEDICINE, 0, "Medicine|GTIN|Patients|Units",
                 IBU_NAME "|" IBU_GTIN "|1|1\n"
                 TABLETS_NAME "|" TABLETS_GTIN "|2|9\n"
                 VIAL_NAME "|" VIAL_GTIN "|2|2\n"
                 "= Total|||12\n");
  assert_report (fixture, QOIMA_REPORT_USE_BY_MEDICINE, fixture->surgery, "Medicine|GTIN|Patients|Units",
                 TABLETS_NAME "|" TABLETS_GTIN "|1|4\n"
                 VIAL_NAME "|" VIAL_GTIN "|1|1\n"
                 "= Total|||5\n");
}

static void
test_opened (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) last_year = g_date_time_add_years (fixture->today, -1);
  g_autoptr(QoimaReport) report = NULL;

  /* Vials are used up, not opened; the tablets of each ward and the ibuprofen are. */
  expected = g_strdup_printf (IBU_NAME "|" IBU1 "|" THERAPY "|4|2030-06-30|%s\n"
                              TABLETS_NAME "|" TAB1 "|" THERAPY "|5|2031-12-31|%s\n"
                              TABLETS_NAME "|" TAB2 "|" SURGERY "|6|2031-12-31|%s\n"
                              "= Total|||15||\n",
                              fixture->today_text, fixture->today_text, fixture->today_text);
  assert_report (fixture, QOIMA_REPORT_OPENED, 0, "Medicine|Pack|Location|Units left|Expiry|Opened since", expected);

  /* The period does not apply: what is open now is open. */
  report = make_report (fixture, fixture->chief, QOIMA_REPORT_OPENED, last_year, last_year, fixture->surgery, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (qoima_report_get_n_rows (report), ==, 1);
  g_assert_cmpstr (qoima_report_get_cell (report, 0, 1), ==, TAB2);
  g_assert_cmpint (qoima_report_get_total (report, 3), ==, 6);
  g_assert_cmpstr (qoima_report_get_title (report), ==, "Packs opened and not finished, " SURGERY);
}

static void
test_withdrawals (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaReport) report = NULL;
  g_autofree char *expected = NULL;

  expected = g_strdup_printf (VIAL1 "|" VIAL_NAME "|Medical use|%s|QW-0001|Signed, waiting to be sent||\n"
                              VIAL2 "|" VIAL_NAME "|Medical use|%s||Owed, not yet signed||\n",
                              fixture->today_text, fixture->today_text);
  assert_report (fixture, QOIMA_REPORT_WITHDRAWALS, 0,
                 "Pack|Medicine|Reason|Owed since|Document|Status|ИС МПТ status|Errors", expected);

  report = make_report (fixture, fixture->chief, QOIMA_REPORT_WITHDRAWALS, NULL, NULL, fixture->surgery, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (qoima_report_get_n_rows (report), ==, 1);
  g_assert_cmpstr (qoima_report_get_cell (report, 0, 0), ==, VIAL2);
  g_assert_false (qoima_report_has_totals (report));
  g_assert_null (qoima_report_get_totals_row (report));
  g_assert_cmpstr (qoima_report_get_title (report), ==, "Withdrawals, " SURGERY);
}

/* Only the days of the period count, both ends included. */
static void
test_period (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (fixture->today, -1);
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (fixture->today, 1);
  struct {
    GDateTime *from;
    GDateTime *to;
    guint n_rows;
    gint64 units;
  } periods[] = {
    { yesterday, yesterday, 0, 0 },
    { tomorrow, tomorrow, 0, 0 },
    { yesterday, fixture->today, 3, 12 },
    { fixture->today, tomorrow, 3, 12 },
    { NULL, yesterday, 0, 0 },
    { tomorrow, NULL, 0, 0 },
    { NULL, NULL, 3, 12 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(QoimaReport) report = NULL;
      g_autoptr(QoimaReport) withdrawals = NULL;

      g_test_message ("period %u", i);
      report = make_report (fixture, fixture->chief, QOIMA_REPORT_USE_BY_MEDICINE, periods[i].from,
                            periods[i].to, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (qoima_report_get_n_rows (report), ==, periods[i].n_rows);
      g_assert_cmpint (qoima_report_get_total (report, 3), ==, periods[i].units);

      withdrawals = make_report (fixture, fixture->chief, QOIMA_REPORT_WITHDRAWALS, periods[i].from,
                                 periods[i].to, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (qoima_report_get_n_rows (withdrawals), ==, periods[i].n_rows == 0 ? 0 : 2);
    }
}

/* Nurses and clerks may not view reports: the core refuses, whatever the UI shows. */
static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  QoimaUser *refused[] = { fixture->nurse_therapy, fixture->clerk, NULL };

  g_assert_false (qoima_role_allows (QOIMA_ROLE_NURSE, QOIMA_PERMISSION_VIEW_REPORTS));
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    for (guint kind = 0; kind < QOIMA_REPORT_N_KINDS; kind++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(QoimaReport) report = NULL;

        report = make_report (fixture, refused[i], kind, NULL, NULL, 0, &error);
        g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
        g_assert_null (report);
      }

  /* An unknown ward is not silently "all wards". */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(QoimaReport) report = NULL;

    report = make_report (fixture, fixture->chief, QOIMA_REPORT_USE_BY_WARD, NULL, NULL, 9999, &error);
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
    g_assert_null (report);
  }
}

static void
assert_csv (QoimaReport *report,
            const char  *expected)
{
  g_autoptr(GBytes) bytes = qoima_report_to_csv (report);
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) written = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, strlen (expected));

  /* The stream gets exactly the same bytes. */
  g_assert_true (qoima_report_write_csv (report, stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (stream, NULL, &error));
  written = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (stream));
  g_assert_true (g_bytes_equal (written, bytes));
}

/* From the store: Cyrillic behind a BOM, names with quotes and commas, one starting with '='. */
static void
test_csv_store (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaReport) report = NULL;

  report = make_report (fixture, fixture->chief, QOIMA_REPORT_USE_BY_MEDICINE, NULL, NULL, 0, &error);
  g_assert_no_error (error);
  assert_csv (report,
              "\xEF\xBB\xBF"
              "Medicine,GTIN,Patients,Units\r\n"
              "\"'=Ибупрофен \"\"Актив\"\", таблетки\"," IBU_GTIN ",1,1\r\n"
              "\"Парацетамол, таблетки\"," TABLETS_GTIN ",2,9\r\n"
              "\"Цефазолин \"\"Форте\"\"\"," VIAL_GTIN ",2,2\r\n"
              "Total,,,12\r\n");
}

/* RFC 4180 quoting and the formula guard, cell by cell. */
static void
test_csv_quoting (void)
{
  const char *columns[] = { "A", "B,\"b\"", NULL };
  const char *row1[] = { "plain", "two\r\nlines", NULL };
  const char *row2[] = { "+1", "-2", NULL };
  const char *row3[] = { "@SUM(A1)", "", NULL };
  const char *row4[] = { "a=b", "\"quoted\"", NULL };
  const char *row5[] = { "=HYPERLINK(\"http://x\")", "lf\nonly", NULL };
  g_autoptr(QoimaReport) report = qoima_report_new (QOIMA_REPORT_WITHDRAWALS, "T", columns);

  qoima_report_add_row (report, row1);
  qoima_report_add_row (report, row2);
  qoima_report_add_row (report, row3);
  qoima_report_add_row (report, row4);
  qoima_report_add_row (report, row5);
  assert_csv (report,
              "\xEF\xBB\xBF"
              "A,\"B,\"\"b\"\"\"\r\n"
              "plain,\"two\r\nlines\"\r\n"
              "'+1,'-2\r\n"
              "'@SUM(A1),\r\n"
              "a=b,\"\"\"quoted\"\"\"\r\n"
              "\"'=HYPERLINK(\"\"http://x\"\")\",\"lf\nonly\"\r\n");

  /* A total in the second column. */
  qoima_report_set_total (report, 1, 42);
  g_assert_true (qoima_report_has_totals (report));
  g_assert_cmpstr (qoima_report_get_totals_row (report)[0], ==, "Total");
  g_assert_cmpstr (qoima_report_get_totals_row (report)[1], ==, "42");
}

static void
test_kinds (void)
{
  QoimaReportKind kind = QOIMA_REPORT_USE_BY_PATIENT;

  for (guint i = 0; i < QOIMA_REPORT_N_KINDS; i++)
    {
      g_assert_true (qoima_report_kind_from_nick (qoima_report_kind_to_nick (i), &kind));
      g_assert_cmpint (kind, ==, i);
      g_assert_nonnull (qoima_report_kind_to_label (i));
    }
  g_assert_cmpstr (qoima_report_kind_to_nick (QOIMA_REPORT_USE_BY_WARD), ==, "wards");
  g_assert_false (qoima_report_kind_from_nick ("stock", &kind));
  g_assert_false (qoima_report_kind_from_nick (NULL, &kind));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/report/kinds", test_kinds);
  g_test_add_func ("/report/csv/quoting", test_csv_quoting);
  ADD ("/report/use-by-patient", test_use_by_patient, NULL);
  ADD ("/report/use-by-ward", test_use_by_ward, NULL);
  ADD ("/report/use-by-medicine", test_use_by_medicine, NULL);
  ADD ("/report/opened", test_opened, NULL);
  ADD ("/report/withdrawals", test_withdrawals, "signed");
  ADD ("/report/period", test_period, "signed");
  ADD ("/report/refused", test_refused, NULL);
  ADD ("/report/csv/store", test_csv_store, NULL);

#undef ADD

  return g_test_run ();
}
