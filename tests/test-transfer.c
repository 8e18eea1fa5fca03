/* test-transfer.c: transfer documents, boxes moved whole, and units per pack
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-act.h"
#include "qoima-demo.h"
#include "qoima-ismpt-documents.h"
#include "qoima-store-acts.h"
#include "qoima-store-audit.h"
#include "qoima-store-ledger.h"
#include "qoima-store-private.h"
#include "qoima-store-transfers.h"
#include "qoima-test-utils.h"
#include "qoima-transfer.h"
#include "qoima-user.h"

#include <glib/gstdio.h>
#include <string.h>

#define TABLETS_GTIN "04870101000010" /* 20 units a pack in the demo catalog */
#define NO_UNITS_GTIN "04870999000019"

#define TAB_1 "01" TABLETS_GTIN "21" "TRANSFTAB0001"
#define TAB_2 "01" TABLETS_GTIN "21" "TRANSFTAB0002"
#define TAB_3 "01" TABLETS_GTIN "21" "TRANSFTAB0003"
#define BOXED_1 "01" TABLETS_GTIN "21" "TRANSFBOX0001"
#define BOXED_2 "01" TABLETS_GTIN "21" "TRANSFBOX0002"
#define NEW_1 "01" NO_UNITS_GTIN "21" "TRANSFNEW0001"
#define NEW_2 "01" NO_UNITS_GTIN "21" "TRANSFNEW0002"
#define SSCC "046501234567890128"

typedef struct
{
  char *dir;
  char *path;
  QoimaStore *store;
  QoimaDb *raw; /* another connection to the store's database, either engine */
  gint64 warehouse;
  gint64 ward;
  QoimaUser *admin;
  QoimaUser *clerk;
  QoimaUser *nurse;
} Fixture;

static gint64
raw_int (Fixture    *fixture,
         const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (fixture->raw, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (qoima_db_step (stmt, &error), ==, QOIMA_DB_ROW);
  g_assert_no_error (error);
  return qoima_db_column_int64 (stmt, 0);
}

static char *
raw_text (Fixture    *fixture,
          const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaDbStmt) stmt = qoima_db_prepare (fixture->raw, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (qoima_db_step (stmt, &error), ==, QOIMA_DB_ROW);
  g_assert_no_error (error);
  return g_strdup (qoima_db_column_text (stmt, 0));
}

static int
transfer (Fixture             *fixture,
          QoimaUser           *user,
          const char * const  *codes,
          char               **number,
          GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_transfer_packs_async (fixture->store, user, codes, fixture->ward, NULL, qoima_test_result_cb, &result);
  return qoima_store_transfer_packs_finish (fixture->store, qoima_test_wait_for (&result), number, error);
}

static gboolean
set_units (Fixture     *fixture,
           QoimaUser   *user,
           const char  *gtin,
           int          units,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qoima_store_set_units_per_pack_async (fixture->store, user, gtin, units, NULL, qoima_test_result_cb, &result);
  return qoima_store_set_units_per_pack_finish (fixture->store, qoima_test_wait_for (&result), error);
}

static void
test_act_code_free (QoimaActCode *code)
{
  g_free (code->code);
  g_free (code->gtin);
  g_free (code->batch);
  g_free (code->expiry);
  g_free (code->parent_sscc);
  g_free (code);
}

static QoimaActCode *
act_code_new (const char *code,
              const char *gtin,
              const char *parent_sscc,
              gboolean    is_box)
{
  QoimaActCode *act_code = g_new0 (QoimaActCode, 1);

  act_code->code = g_strdup (code);
  act_code->gtin = g_strdup (gtin);
  act_code->batch = gtin != NULL ? g_strdup ("B1") : NULL;
  act_code->expiry = gtin != NULL ? g_strdup ("2031-12-31") : NULL;
  act_code->parent_sscc = g_strdup (parent_sscc);
  act_code->is_box = is_box;
  return act_code;
}

/* An act that brought a box with two packs, as sync stores it. */
static void
save_box_act (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QoimaIncomingAct *act = g_new0 (QoimaIncomingAct, 1);

  act->ismpt_id = g_strdup ("transfer-test-act");
  act->number = g_strdup ("A-1");
  act->doc_date = g_strdup ("2026-01-10T10:00:00Z");
  act->transfer_date = g_strdup ("2026-01-10");
  act->sender_bin = g_strdup ("123456789012");
  act->sender_name = g_strdup ("СК-Фармация");
  act->receiver_bin = g_strdup ("210987654321");
  act->status = g_strdup ("ACCEPTED");
  act->codes = g_ptr_array_new_with_free_func ((GDestroyNotify) test_act_code_free);
  g_ptr_array_add (act->codes, act_code_new ("00" SSCC, NULL, NULL, TRUE));
  g_ptr_array_add (act->codes, act_code_new (BOXED_1, TABLETS_GTIN, "00" SSCC, FALSE));
  g_ptr_array_add (act->codes, act_code_new (BOXED_2, TABLETS_GTIN, "00" SSCC, FALSE));
  act->n_packs = 2;

  qoima_store_save_act_async (fixture->store, act, NULL, NULL, qoima_test_result_cb, &result);
  g_assert_cmpint (qoima_store_save_act_finish (fixture->store, qoima_test_wait_for (&result), &error), >, 0);
  g_assert_no_error (error);
  qoima_incoming_act_free (act);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) locations = NULL;
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(QoimaPackRows) rows = qoima_pack_rows_new ();

  fixture->dir = g_dir_make_tmp ("test-transfer-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = qoima_test_new_store_location (fixture->dir);
  fixture->store = qoima_test_open_store (fixture->path);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_demo_fill_async (fixture->store, 20, 7, NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_demo_fill_finish (fixture->store, qoima_test_wait_for (&result), &error));
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_list_locations_async (fixture->store, NULL, qoima_test_result_cb, &result);
    locations = qoima_store_list_locations_finish (fixture->store, qoima_test_wait_for (&result), &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);

      if (qoima_location_get_kind (location) == QOIMA_LOCATION_KIND_WAREHOUSE)
        fixture->warehouse = qoima_location_get_id (location);
      else if (fixture->ward == 0)
        fixture->ward = qoima_location_get_id (location);
    }
  g_assert_cmpint (fixture->ward, !=, 0);

  g_ptr_array_add (products, qoima_product_new (NO_UNITS_GTIN, "Новый препарат", NULL, NULL, NULL, NULL, NULL, 0));
  qoima_test_add_catalog (fixture->store, products);

  qoima_pack_rows_add (rows, TABLETS_GTIN, "TRANSFTAB0001", NULL, "L1", "2031-12-31", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, "TRANSFTAB0002", NULL, "L1", "2031-12-31", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, "TRANSFTAB0003", NULL, "L2", "2030-06-30", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, "TRANSFBOX0001", NULL, "B1", "2031-12-31", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, TABLETS_GTIN, "TRANSFBOX0002", NULL, "B1", "2031-12-31", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, NO_UNITS_GTIN, "TRANSFNEW0001", NULL, "N1", "2031-01-31", fixture->warehouse, -1);
  qoima_pack_rows_add (rows, NO_UNITS_GTIN, "TRANSFNEW0002", NULL, "N1", "2031-01-31", fixture->warehouse, -1);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_receive_packs_async (fixture->store, g_steal_pointer (&rows), "tester", "test", NULL,
                                     qoima_test_result_cb, &result);
    g_assert_true (qoima_store_receive_packs_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_no_error (error);
  }
  save_box_act (fixture);

  fixture->admin = qoima_test_add_user (fixture->store, NULL, "admin", QOIMA_ROLE_ADMIN, 0, "long enough secret");
  fixture->clerk = qoima_test_add_user (fixture->store, fixture->admin, "clerk", QOIMA_ROLE_CLERK, 0, "long enough secret");
  fixture->nurse = qoima_test_add_user (fixture->store, fixture->admin, "nurse", QOIMA_ROLE_NURSE, fixture->ward, "long enough secret");

  fixture->raw = qoima_db_open (fixture->path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 n_rows = 0, broken = 0;

  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_check_journal_async (fixture->store, NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_store_check_journal_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_verify_audit_async (fixture->store, NULL, qoima_test_result_cb, &result);
    g_assert_true (qoima_store_verify_audit_finish (fixture->store, qoima_test_wait_for (&result), &n_rows, &broken, &error));
    g_assert_no_error (error);
  }

  qoima_db_close (fixture->raw);
  g_clear_object (&fixture->admin);
  g_clear_object (&fixture->clerk);
  g_clear_object (&fixture->nurse);
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
}

/* Each transfer makes one numbered document; its movements name it; the sequence goes on. */
static void
test_number (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  const char *two[] = { TAB_1, TAB_2, NULL };
  const char *one[] = { TAB_3, NULL };

  g_assert_cmpint (transfer (fixture, fixture->clerk, two, &first, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "ВП-000001");
  g_assert_cmpint (transfer (fixture, fixture->clerk, one, &second, &error), ==, 1);
  g_assert_cmpstr (second, ==, "ВП-000002");

  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM transfers"), ==, 2);
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM movements WHERE kind = 'transfer' "
                                     "AND document = 'ВП-000001'"), ==, 2);
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM movements m JOIN packs p ON p.id = m.pack_id "
                                     "WHERE m.kind = 'transfer' AND m.document = 'ВП-000002' "
                                     "AND p.ki = '" TAB_3 "'"), ==, 1);
  {
    g_autofree char *actor = raw_text (fixture, "SELECT actor FROM transfers WHERE number = 'ВП-000001'");

    g_assert_cmpstr (actor, ==, "clerk");
  }
  /* The document's audit row, by the clerk. */
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM audit WHERE tbl = 'transfers' AND action = 'insert' "
                                     "AND actor = 'clerk' AND new_values LIKE '%ВП-000001%'"), ==, 1);
}

/* A refused transfer leaves no document and no number used. */
static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  const char *twice[] = { TAB_1, TAB_1, NULL };
  const char *unknown[] = { TAB_1, "01" TABLETS_GTIN "21" "NOSUCHPACK", NULL };
  const char *one[] = { TAB_1, NULL };

  g_assert_cmpint (transfer (fixture, fixture->clerk, twice, &number, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "twice"));
  g_clear_error (&error);
  g_assert_cmpint (transfer (fixture, fixture->clerk, unknown, &number, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (transfer (fixture, fixture->nurse, one, &number, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_null (number);
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM transfers"), ==, 0);

  g_assert_cmpint (transfer (fixture, fixture->clerk, one, &number, &error), ==, 1);
  g_assert_cmpstr (number, ==, "ВП-000001");
}

/* An SSCC moves every pack the act put in its box; the plain 18 digits do as well. */
static void
test_box (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  const char *box[] = { "00" SSCC, TAB_3, NULL };
  const char *box_again[] = { SSCC, NULL };
  const char *unknown_box[] = { "00046501234567890999", NULL };

  g_assert_cmpint (transfer (fixture, fixture->clerk, unknown_box, &number, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpint (transfer (fixture, fixture->clerk, box, &number, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM packs WHERE ki IN ('" BOXED_1 "', '" BOXED_2 "') "
                                     "AND location_id = (SELECT to_location FROM transfers WHERE number = 'ВП-000001')"), ==, 2);
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM movements WHERE document = 'ВП-000001'"), ==, 3);

  /* The box is in the ward already: nothing moves twice. */
  g_assert_cmpint (transfer (fixture, fixture->clerk, box_again, NULL, &error), ==, -1);
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "already there"));
}

/* The document read back: header, lines grouped by product, batch and expiry, codes. */
static void
test_load (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaTransfer) document = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autofree char *number = NULL;
  const char *codes[] = { TAB_1, TAB_2, TAB_3, "00" SSCC, NULL };
  GPtrArray *lines;

  g_assert_cmpint (transfer (fixture, fixture->clerk, codes, &number, &error), ==, 5);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_load_transfer_async (fixture->store, number, NULL, qoima_test_result_cb, &result);
    document = qoima_store_load_transfer_finish (fixture->store, qoima_test_wait_for (&result), &error);
    g_assert_no_error (error);
  }
  g_assert_cmpstr (qoima_transfer_get_number (document), ==, "ВП-000001");
  g_assert_cmpstr (qoima_transfer_get_actor (document), ==, "clerk");
  g_assert_cmpstr (qoima_transfer_get_from (document), ==, "Склад аптеки");
  g_assert_cmpint (qoima_transfer_get_to_id (document), ==, fixture->ward);
  g_assert_nonnull (qoima_transfer_get_to (document));
  g_assert_cmpint (qoima_transfer_get_n_packs (document), ==, 5);
  lines = qoima_transfer_get_lines (document);
  /* L1 (2 packs), L2 (1), B1 (2): batches sort B1, L1, L2. */
  g_assert_cmpuint (lines->len, ==, 3);
  {
    QoimaTransferLine *b1 = g_ptr_array_index (lines, 0);
    QoimaTransferLine *l1 = g_ptr_array_index (lines, 1);
    QoimaTransferLine *l2 = g_ptr_array_index (lines, 2);

    g_assert_cmpstr (b1->batch, ==, "B1");
    g_assert_cmpint (b1->count, ==, 2);
    g_assert_cmpstr (b1->codes[0], ==, BOXED_1);
    g_assert_cmpstr (b1->codes[1], ==, BOXED_2);
    g_assert_null (b1->codes[2]);
    g_assert_cmpstr (l1->batch, ==, "L1");
    g_assert_cmpint (l1->count, ==, 2);
    g_assert_cmpstr (l1->expiry, ==, "2031-12-31");
    g_assert_cmpstr (l2->batch, ==, "L2");
    g_assert_cmpint (l2->count, ==, 1);
    g_assert_cmpstr (l2->codes[0], ==, TAB_3);
    g_assert_nonnull (l2->product_name);
    g_assert_cmpstr (l2->gtin, ==, TABLETS_GTIN);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_load_transfer_async (fixture->store, "ВП-999999", NULL, qoima_test_result_cb, &result);
    g_assert_null (qoima_store_load_transfer_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  {
    const char *more[] = { NEW_1, NULL };
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(QoimaTransfer) newest = NULL;

    g_assert_cmpint (transfer (fixture, fixture->clerk, more, NULL, &error), ==, 1);
    qoima_store_list_transfers_async (fixture->store, NULL, qoima_test_result_cb, &result);
    list = qoima_store_list_transfers_finish (fixture->store, qoima_test_wait_for (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
    newest = g_list_model_get_item (list, 0);
    g_assert_cmpstr (qoima_transfer_get_number (newest), ==, "ВП-000002");
    g_assert_cmpint (qoima_transfer_get_n_packs (newest), ==, 1);
  }
}

/* The guards a scan meets on the Move page before it is listed. */
static void
test_check_code (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) packs = NULL;
  const char *one[] = { TAB_1, NULL };

  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_check_transfer_code_async (fixture->store, "00" SSCC, fixture->ward, NULL, qoima_test_result_cb, &result);
    packs = qoima_store_check_transfer_code_finish (fixture->store, qoima_test_wait_for (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (packs), ==, 2);
  }

  g_assert_cmpint (transfer (fixture, fixture->clerk, one, NULL, &error), ==, 1);
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_check_transfer_code_async (fixture->store, TAB_1, fixture->ward, NULL, qoima_test_result_cb, &result);
    g_assert_null (qoima_store_check_transfer_code_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
    g_assert_nonnull (strstr (error->message, "already there"));
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    /* To another place, the pack is refused as no longer in the warehouse. */
    qoima_store_check_transfer_code_async (fixture->store, TAB_1, fixture->warehouse, NULL, qoima_test_result_cb, &result);
    g_assert_null (qoima_store_check_transfer_code_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_check_transfer_code_async (fixture->store, "01" TABLETS_GTIN "21" "NOSUCHPACK", fixture->ward,
                                           NULL, qoima_test_result_cb, &result);
    g_assert_null (qoima_store_check_transfer_code_finish (fixture->store, qoima_test_wait_for (&result), &error));
    g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  }
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM transfers"), ==, 1);
}

/* Units per pack: the clerk enters them once; whole packs get them through the journal,
 * audited; a nurse cannot; once a pack is opened the value stays. */
static void
test_units (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *moved[] = { NEW_1, NULL };

  g_assert_false (set_units (fixture, fixture->nurse, NO_UNITS_GTIN, 10, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (set_units (fixture, fixture->clerk, NO_UNITS_GTIN, 0, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (set_units (fixture, fixture->clerk, "04870999000026", 10, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (raw_int (fixture, "SELECT units_per_pack IS NULL FROM products WHERE gtin = '" NO_UNITS_GTIN "'"), ==, 1);

  g_assert_true (set_units (fixture, fixture->clerk, NO_UNITS_GTIN, 10, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture, "SELECT units_per_pack FROM products WHERE gtin = '" NO_UNITS_GTIN "'"), ==, 10);
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM packs WHERE gtin = '" NO_UNITS_GTIN "' AND units_left = 10"), ==, 2);
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM movements m JOIN packs p ON p.id = m.pack_id "
                                     "WHERE p.gtin = '" NO_UNITS_GTIN "' AND m.kind = 'correction' AND m.actor = 'clerk'"), ==, 2);
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM audit WHERE tbl = 'products' AND action = 'update' "
                                     /* The values' JSON without spaces, as each engine spaces it its way. */
                                     "AND actor = 'clerk' AND replace (old_values, ' ', '') LIKE '%\"units_per_pack\":null%' "
                                     "AND replace (new_values, ' ', '') LIKE '%\"units_per_pack\":10%'"), ==, 1);

  /* Not opened yet: the clerk may still correct it. */
  g_assert_true (set_units (fixture, fixture->clerk, NO_UNITS_GTIN, 12, &error));
  g_assert_cmpint (raw_int (fixture, "SELECT count (*) FROM packs WHERE gtin = '" NO_UNITS_GTIN "' AND units_left = 12"), ==, 2);

  /* A nurse opens one in her ward. */
  g_assert_cmpint (transfer (fixture, fixture->clerk, moved, NULL, &error), ==, 1);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(QoimaUseResult) use = NULL;

    qoima_store_use_units_async (fixture->store, fixture->nurse, NEW_1, "850715400238", 2, NULL, qoima_test_result_cb, &result);
    use = qoima_store_use_units_finish (fixture->store, qoima_test_wait_for (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpint (use->units_left, ==, 10);
  }

  g_assert_false (set_units (fixture, fixture->clerk, NO_UNITS_GTIN, 20, &error));
  g_assert_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "opened"));
  g_clear_error (&error);
  g_assert_cmpint (raw_int (fixture, "SELECT units_per_pack FROM products WHERE gtin = '" NO_UNITS_GTIN "'"), ==, 12);
  g_assert_cmpint (raw_int (fixture, "SELECT units_left FROM packs WHERE ki = '" NEW_1 "'"), ==, 10);
  /* The same value again changes nothing and is no refusal. */
  g_assert_true (set_units (fixture, fixture->clerk, NO_UNITS_GTIN, 12, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture, "SELECT units_left FROM packs WHERE ki = '" NEW_1 "'"), ==, 10);
  g_assert_cmpint (raw_int (fixture, "SELECT units_left FROM packs WHERE ki = '" NEW_2 "'"), ==, 12);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/transfer/number", Fixture, NULL, fixture_set_up, test_number, fixture_tear_down);
  g_test_add ("/transfer/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/transfer/box", Fixture, NULL, fixture_set_up, test_box, fixture_tear_down);
  g_test_add ("/transfer/load", Fixture, NULL, fixture_set_up, test_load, fixture_tear_down);
  g_test_add ("/transfer/check-code", Fixture, NULL, fixture_set_up, test_check_code, fixture_tear_down);
  g_test_add ("/transfer/units-per-pack", Fixture, NULL, fixture_set_up, test_units, fixture_tear_down);

  return g_test_run ();
}
