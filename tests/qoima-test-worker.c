/* qoima-test-worker.c: one workstation of the concurrency tests (tests/test-concurrency.py)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Several of these run at once as separate processes against one database, as several
 * workstations of a hospital do:
 *
 *   qoima-test-worker hold LOCATION
 *       Begins a write transaction (it holds the store's write lock from then on), writes a
 *       row of test_holder (a table of its own) in it, prints "held" and waits for a line on
 *       stdin (or its end) before it commits and prints "committed". Killed in between, it
 *       committed nothing.
 *   qoima-test-worker writes LOCATION NURSE SECRET KI PATIENT GTIN WAREHOUSE-ID PREFIX N
 *       N rounds of two write transactions: one pack of GTIN received into the warehouse
 *       (serial PREFIX and the round's number), then one unit of the pack KI used by NURSE
 *       for PATIENT. Prints "received R used U refused F"; exits 1 on any other failure.
 *
 * The writes go through the store's public API, as the application and qoimactl do; the
 * holder through QoimaDb, the store's own database layer, to stop in the middle of a write.
 */

#include "config.h"

#include "qoima-db.h"
#include "qoima-store-users.h"
#include "qoima-store.h"
#include "qoima-store-ledger.h"
#include "qoima-user.h"

#include <stdio.h>
#include <stdlib.h>

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static int
fail (const char   *what,
      const GError *error)
{
  g_printerr ("qoima-test-worker: %s: %s\n", what, error != NULL ? error->message : "failed");
  return 1;
}

/* The write lock held in a transaction of its own connection, as a workstation in the
 * middle of a write holds it. */
static int
hold (const char *location)
{
  g_autoptr(GError) error = NULL;
  QoimaDb *db = qoima_db_open (location, &error);
  char line[16];

  if (db == NULL)
    return fail ("open", error);
  /* A table of the test's own: the store's tables are audited, and on SQLite the audit
   * triggers call functions only the store's connection defines. */
  if (!qoima_db_exec (db, "CREATE TABLE IF NOT EXISTS test_holder (note TEXT NOT NULL)", &error))
    return fail ("create", error);
  if (!qoima_db_begin_write (db, &error))
    return fail ("begin", error);
  if (!qoima_db_exec (db, "INSERT INTO test_holder (note) VALUES ('held')", &error))
    return fail ("write", error);
  printf ("held\n");
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    {
      /* stdin closed: commit all the same (the test closes it to release). */
    }
  if (!qoima_db_commit (db, &error))
    return fail ("commit", error);
  printf ("committed\n");
  fflush (stdout);
  qoima_db_close (db);
  return 0;
}

static int
writes (char **argv)
{
  const char *location = argv[0], *nurse_name = argv[1], *secret = argv[2], *ki = argv[3];
  const char *patient = argv[4], *gtin = argv[5], *prefix = argv[7];
  gint64 warehouse = g_ascii_strtoll (argv[6], NULL, 10);
  int n = atoi (argv[8]);
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) nurse = NULL;
  int received = 0, used = 0, refused = 0;

  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_open_async (location, NULL, result_cb, &result);
    store = qoima_store_open_finish (wait_for (&result), &error);
    if (store == NULL)
      return fail ("open", error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    qoima_store_authenticate_async (store, nurse_name, secret, NULL, result_cb, &result);
    nurse = qoima_store_authenticate_finish (store, wait_for (&result), &error);
    if (nurse == NULL)
      return fail ("sign in", error);
  }

  for (int i = 0; i < n; i++)
    {
      g_autoptr(GAsyncResult) received_result = NULL;
      g_autoptr(GAsyncResult) used_result = NULL;
      g_autoptr(QoimaUseResult) use = NULL;
      /* AI 21 of a pack: 13 characters. */
      g_autofree char *serial = g_strdup_printf ("%s%05d", prefix, i);
      QoimaPackRows *rows = qoima_pack_rows_new ();

      qoima_pack_rows_add (rows, gtin, serial, NULL, "CONC", "2030-12-31", warehouse, -1);
      qoima_store_receive_packs_async (store, rows, nurse_name, "concurrency", NULL, result_cb, &received_result);
      if (!qoima_store_receive_packs_finish (store, wait_for (&received_result), &error))
        return fail ("receive", error);
      received++;

      qoima_store_use_units_async (store, nurse, ki, patient, 1, NULL, result_cb, &used_result);
      use = qoima_store_use_units_finish (store, wait_for (&used_result), &error);
      if (use != NULL)
        used++;
      else if (g_error_matches (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CONSTRAINT))
        {
          refused++;
          g_clear_error (&error);
        }
      else
        return fail ("use", error);
    }
  qoima_store_close (store);
  printf ("received %d used %d refused %d\n", received, used, refused);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "hold"))
    return hold (argv[2]);
  if (argc == 11 && g_str_equal (argv[1], "writes"))
    return writes (argv + 2);
  g_printerr ("usage: qoima-test-worker hold LOCATION\n"
              "       qoima-test-worker writes LOCATION NURSE SECRET KI PATIENT GTIN WAREHOUSE-ID PREFIX N\n");
  return 2;
}
