/* test-dispensing-page.c: dispensing by e-prescription on the Dispensing page, scans typed
 * into the window, and the month's summary registry (seed 002)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pharmacy point's clerk scans an e-prescription's QR code as a scanner types it; the
 * matching packs are offered; she scans one, types a price above, at and below the limit,
 * and dispenses three packs; each withdrawal is owed through the outbox and shown as
 * waiting. The registry of this month and of the demo's month show their totals and export.
 * Screenshots in en, ru and kk at 800 px (LANGUAGE set by meson for each run).
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "qoima-context.h"
#include "qoima-copay.h"
#include "qoima-demo.h"
#include "qoima-ismpt-documents.h"
#include "qoima-test-utils.h"
#include "qoima-ui-test-utils.h"
#include "qoima-user.h"
#include "qoima-window-private.h"

/* The Dispensing page's answer to a scan. */
static const char *
scan (QoimaWindow *window,
      const char  *text)
{
  qoima_test_scan (window, text);
  return qoima_dispensing_page_get_scan_message (qoima_window_get_dispensing_page (window));
}

static gboolean
enough_offered (gpointer data)
{
  return qoima_dispensing_page_get_n_offered (data) >= 3;
}

static gboolean
amounts_known (gpointer data)
{
  return qoima_dispensing_page_get_amounts (data, NULL, NULL);
}

static gboolean
state_known (gpointer data)
{
  return qoima_dispensing_page_get_withdrawal_state (data) != NULL;
}

static gboolean
registry_has_rows (gpointer data)
{
  QoimaCopayRegistry *registry = qoima_dispensing_page_get_registry (data);

  return registry != NULL &&
         registry->rows->len == GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (data), "rows"));
}

static GtkWidget *
child (QoimaDispensingPage *page,
       const char          *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), QOIMA_TYPE_DISPENSING_PAGE, name));
}

static void
respond (const char *response)
{
  GtkWindow *dialog = NULL;

  for (int i = 0; i < 200 && dialog == NULL; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
      dialog = qoima_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
    }
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  /* A click closes the dialog too; responding from code does not. */
  gtk_window_destroy (dialog);
}

/* Types @price, then waits for the amounts the page shows before confirming. */
static void
type_price (QoimaDispensingPage *page,
            const char          *price,
            gint64              *fund,
            gint64              *patient)
{
  gtk_editable_set_text (GTK_EDITABLE (child (page, "price_row")), price);
  qoima_test_wait_until (amounts_known, page, 10);
  g_assert_true (qoima_dispensing_page_get_amounts (page, fund, patient));
}

static void
dispense (QoimaDispensingPage *page,
          const char          *receipt)
{
  gboolean dispensed = FALSE;
  gulong handler = g_signal_connect (page, "dispensed", G_CALLBACK (qoima_test_flag_cb), &dispensed);

  gtk_editable_set_text (GTK_EDITABLE (child (page, "receipt_row")), receipt);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "dispensing.confirm", NULL));
  respond ("dispense");
  qoima_test_wait_until (qoima_test_flag_is_set, &dispensed, 30);
  g_signal_handler_disconnect (page, handler);
}

/* A row of copay_dispensings and its owed withdrawal, by a connection of the test's own. */
static void
read_back (const char *db_path,
           const char *ki,
           gint64     *price,
           gint64     *limit,
           char      **reason,
           gboolean   *in_outbox)
{
  g_autofree char *sql = g_strdup_printf ("SELECT d.price, d.limit_per_unit, w.reason, w.outbox_id IS NOT NULL "
                                          "FROM copay_dispensings d JOIN packs p ON p.id = d.pack_id "
                                          "LEFT JOIN withdrawals_owed w ON w.pack_id = p.id WHERE p.ki = '%s'", ki);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *price = sqlite3_column_int64 (stmt, 0);
  *limit = sqlite3_column_int64 (stmt, 1);
  *reason = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  *in_outbox = sqlite3_column_int (stmt, 3) != 0;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static char *
first_ki_of_inn (const char *db_path,
                 const char *inn)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *ki = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT pk.ki FROM packs pk JOIN products p ON p.gtin = pk.gtin "
                                       "WHERE p.inn = ?1 AND pk.status = 'in_stock' ORDER BY pk.id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, inn, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  ki = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ki;
}

static void
added_copay_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  int *dispensed = user_data;
  g_autoptr(GError) error = NULL;

  *dispensed = qoima_demo_add_copay_finish (QOIMA_STORE (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
int_is_set (gpointer data)
{
  return *(int *) data != 0;
}

static void
check_file (const char *path,
            const char *magic)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (memcmp (contents, magic, strlen (magic)) == 0);
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  int *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (qoima_dispensing_page_export_finish (QOIMA_DISPENSING_PAGE (object), result, &error));
  g_assert_no_error (error);
  *done = 1;
}

static void
export (QoimaDispensingPage   *page,
        QoimaDispensingExport what,
        const char           *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  int done = 0;

  qoima_dispensing_page_export_async (page, what, file, NULL, exported_cb, &done);
  qoima_test_wait_until (int_is_set, &done, 30);
}

static void
test_dispense (void)
{
  g_autofree char *tmp = qoima_test_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (tmp, "qoima.db", NULL);
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(QoimaContext) context = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  g_autoptr(QoimaPrescription) rx = g_new0 (QoimaPrescription, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) last_month = g_date_time_add_months (now, -1);
  g_autofree char *payload = NULL;
  g_autofree char *shot = NULL;
  g_autoptr(GPtrArray) kis = g_ptr_array_new_with_free_func (g_free);
  const char *language = g_getenv ("LANGUAGE");
  const char *message;
  QoimaDispensingPage *page;
  QoimaCopayRegistry *registry;
  QoimaWindow *window;
  gint64 fund, patient, total_fund = 0, total_patient = 0;
  int demo_dispensed = 0;

  store = qoima_test_open_demo_store (db_path, 600);
  qoima_test_add_demo_users (store);
  /* The demo's month of co-payment, last month, and its limit prices with their history:
   * metformin 20,00 a tablet then, 25,00 from this month's first day. */
  qoima_demo_add_copay_async (store, g_date_time_get_year (last_month), g_date_time_get_month (last_month), NULL,
                              added_copay_cb, &demo_dispensed);
  qoima_test_wait_until (int_is_set, &demo_dispensed, 60);
  g_assert_cmpint (demo_dispensed, ==, 7);
  clerk = qoima_test_find_user (store, "clerk");
  nurse = qoima_test_find_user (store, "nurse");

  context = qoima_context_new (store, settings);
  qoima_context_set_user (context, clerk);
  window = g_object_ref (qoima_window_new (NULL, context));
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 900);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page-dispensing", NULL));
  page = qoima_window_get_dispensing_page (window);

  /* A pack before the prescription is not taken: the QR code comes first. */
  {
    g_autofree char *pack = first_ki_of_inn (db_path, "Бисопролол");

    message = scan (window, pack);
  }
  g_assert_null (qoima_dispensing_page_get_prescription (page));
  g_assert_nonnull (strstr (message, "QR"));

  /* R002-3: the e-prescription's QR code, typed by the scanner as ASCII (its Cyrillic as
   * URL escapes), gives the prescription; packs of its INN, form and dosage are offered. */
  rx->number = g_strdup ("RX-T-0001");
  rx->date = g_date_time_format (now, "%Y-%m-%d");
  rx->patient_iin = g_strdup ("800101300706");
  rx->icd10 = g_strdup ("E11.9");
  rx->inn = g_strdup ("Метформин");
  rx->form = g_strdup ("таблетки, покрытые пленочной оболочкой");
  rx->dosage = g_strdup ("850 мг");
  rx->quantity = 180;
  payload = qoima_prescription_to_qr (rx);
  scan (window, payload);
  g_assert_nonnull (qoima_dispensing_page_get_prescription (page));
  g_assert_cmpstr (qoima_dispensing_page_get_prescription (page)->inn, ==, "Метформин");
  g_assert_cmpstr (qoima_dispensing_page_get_prescription (page)->patient_iin, ==, "800101300706");
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "RX-T-0001"));
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), "E11.9"));
  qoima_test_wait_until (enough_offered, page, 30);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (kis, g_strdup (qoima_dispensing_page_get_offered (page, i)));

  /* R002-3: a pack of another INN is refused, by what the prescription names. */
  {
    g_autofree char *other = first_ki_of_inn (db_path, "Бисопролол");

    message = scan (window, other);
    g_assert_nonnull (strstr (message, "850"));
    g_assert_null (qoima_dispensing_page_get_pack (page));
  }

  /* R002-10, above the limit: 60 tablets × 25,00 = 1 500,00; at 1 600,00 the Fund pays
   * the limit and the patient the 100,00 above it. */
  message = scan (window, g_ptr_array_index (kis, 0));
  g_assert_cmpstr (qoima_dispensing_page_get_pack (page), ==, g_ptr_array_index (kis, 0));
  type_price (page, "1 600,00", &fund, &patient);
  g_assert_cmpint (fund, ==, 150000);
  g_assert_cmpint (patient, ==, 10000);
  gtk_editable_set_text (GTK_EDITABLE (child (page, "receipt_row")), "000771");
  shot = g_strdup_printf ("dispensing-page-%s", language != NULL ? language : "default");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  qoima_test_save_screenshot (GTK_WIDGET (window), shot);
  {
    g_autofree char *sale_shot = g_strdup_printf ("dispensing-sale-%s", language != NULL ? language : "default");

    qoima_test_save_screenshot (gtk_widget_get_ancestor (child (page, "amounts_row"), ADW_TYPE_PREFERENCES_GROUP),
                                sale_shot);
  }
  dispense (page, "000771");
  total_fund += fund;
  total_patient += patient;

  /* The withdrawal is owed through the outbox (R002-4), shown as waiting for the chief,
   * named by its own reason: a dispensing on prescription, not a medical use. */
  qoima_test_wait_until (state_known, page, 30);
  g_assert_cmpstr (qoima_dispensing_page_get_withdrawal_state (page), ==, "owed");
  g_assert_true (qoima_test_find_text (GTK_WIDGET (page), qoima_withdrawal_reason_to_label (QOIMA_WITHDRAWAL_DISPENSED)));
  g_assert_false (qoima_test_find_text (GTK_WIDGET (page), qoima_withdrawal_reason_to_label (QOIMA_WITHDRAWAL_MEDICAL_USE)));
  {
    g_autofree char *withdrawal_shot = g_strdup_printf ("dispensing-withdrawal-%s.png",
                                                         language != NULL ? language : "default");

    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
    qoima_test_save_screenshot (gtk_widget_get_ancestor (child (page, "dispensed_list"), ADW_TYPE_PREFERENCES_GROUP),
                                withdrawal_shot);
  }

  /* R002-10, equal to the limit: the Fund pays all of it, the patient nothing. */
  scan (window, g_ptr_array_index (kis, 1));
  g_assert_cmpstr (qoima_dispensing_page_get_pack (page), ==, g_ptr_array_index (kis, 1));
  type_price (page, "1500", &fund, &patient);
  g_assert_cmpint (fund, ==, 150000);
  g_assert_cmpint (patient, ==, 0);
  dispense (page, "000772");
  total_fund += fund;
  total_patient += patient;

  /* R002-10, below the limit: the Fund pays the price, never more; the patient nothing. */
  scan (window, g_ptr_array_index (kis, 2));
  g_assert_cmpstr (qoima_dispensing_page_get_pack (page), ==, g_ptr_array_index (kis, 2));
  type_price (page, "1 450,50", &fund, &patient);
  g_assert_cmpint (fund, ==, 145050);
  g_assert_cmpint (patient, ==, 0);
  dispense (page, "000773");
  total_fund += fund;
  total_patient += patient;

  /* A pack once dispensed is no longer offered, nor taken again. */
  g_assert_false (qoima_test_find_text (GTK_WIDGET (child (page, "packs_list")), g_ptr_array_index (kis, 0)));

  /* Each dispensing kept its price and this month's limit, and its withdrawal owed for its
   * own reason (a sale on prescription, not medical use), not yet in an outbox document
   * (R002-4). */
  for (guint i = 0; i < kis->len; i++)
    {
      g_autofree char *reason = NULL;
      gint64 price, limit;
      gboolean in_outbox;

      read_back (db_path, g_ptr_array_index (kis, i), &price, &limit, &reason, &in_outbox);
      g_assert_cmpint (limit, ==, 2500);
      g_assert_cmpstr (reason, ==, "DISPENSED");
      g_assert_false (in_outbox);
    }

  /* The registry of this month: the three rows, 17 = 15 + 16, and its totals shown. */
  g_object_set_data (G_OBJECT (page), "rows", GUINT_TO_POINTER (3));
  g_assert_true (qoima_dispensing_page_set_month (page, g_date_time_get_year (now), g_date_time_get_month (now)));
  qoima_test_wait_until (registry_has_rows, page, 30);
  registry = qoima_dispensing_page_get_registry (page);
  g_assert_cmpint (registry->total_fund, ==, total_fund);
  g_assert_cmpint (registry->total_patient, ==, total_patient);
  g_assert_cmpint (registry->total, ==, total_fund + total_patient);
  {
    g_autofree char *total = qoima_money_format (registry->total);

    g_assert_true (qoima_test_find_text (GTK_WIDGET (page), total));
  }

  /* The demo's month: seven rows above, at and below the limit (R002-10), each with
   * 17 = 15 + 16, their sums the totals shown; R002-8: due on the 25th of this month. */
  g_object_set_data (G_OBJECT (page), "rows", GUINT_TO_POINTER (7));
  g_assert_true (qoima_dispensing_page_set_month (page, g_date_time_get_year (last_month),
                                                  g_date_time_get_month (last_month)));
  qoima_test_wait_until (registry_has_rows, page, 30);
  registry = qoima_dispensing_page_get_registry (page);
  {
    gint64 sum_fund = 0, sum_patient = 0;
    guint above = 0, below_or_equal = 0;
    g_autofree char *due = g_date_time_format (now, "%Y-%m-25");
    g_autofree char *total = qoima_money_format (registry->total);

    for (guint i = 0; i < registry->rows->len; i++)
      {
        gint64 f, p, t;

        qoima_copay_registry_amounts (registry, i, &f, &p, &t);
        g_assert_cmpint (t, ==, f + p);
        sum_fund += f;
        sum_patient += p;
        if (p > 0)
          above++;
        else
          below_or_equal++;
      }
    g_assert_cmpuint (above, >, 0);
    g_assert_cmpuint (below_or_equal, >, 0);
    g_assert_cmpint (registry->total_fund, ==, sum_fund);
    g_assert_cmpint (registry->total_patient, ==, sum_patient);
    g_assert_cmpstr (registry->due, ==, due);
    g_assert_true (qoima_test_find_text (GTK_WIDGET (page), total));
  }
  {
    GtkWidget *group = gtk_widget_get_ancestor (child (page, "registry_view"), ADW_TYPE_PREFERENCES_GROUP);
    g_autofree char *registry_shot = g_strdup_printf ("dispensing-registry-%s", language != NULL ? language : "default");
    g_autofree char *xlsx = g_build_filename (tmp, "registry.xlsx", NULL);
    g_autofree char *pdf = g_build_filename (tmp, "registry.pdf", NULL);
    g_autofree char *act = g_build_filename (tmp, "act.pdf", NULL);

    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
    qoima_test_save_screenshot (group, registry_shot);

    export (page, QOIMA_DISPENSING_EXPORT_REGISTRY_XLSX, xlsx);
    check_file (xlsx, "PK");
    export (page, QOIMA_DISPENSING_EXPORT_REGISTRY_PDF, pdf);
    check_file (pdf, "%PDF");
    export (page, QOIMA_DISPENSING_EXPORT_ACT_PDF, act);
    check_file (act, "%PDF");
  }

  /* A nurse does not dispense: the page is not hers, nor are the scans. */
  qoima_context_set_user (context, nurse);
  g_assert_false (qoima_dispensing_page_take_scan (page, payload));
  g_assert_null (qoima_dispensing_page_get_prescription (page));

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  qoima_store_close (store);
  qoima_test_remove_tree (tmp);
}

int
main (int    argc,
      char **argv)
{
  const char *locale_dir = g_getenv ("QOIMA_LOCALEDIR");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  qoima_test_prepare_display ();
  /* The catalogs meson built; LANGUAGE (set by meson) picks one, once setlocale() asks again. */
  g_assert_nonnull (locale_dir);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  setlocale (LC_MESSAGES, "");

  g_test_add_func ("/dispensing-page/dispense", test_dispense);
  return g_test_run ();
}
