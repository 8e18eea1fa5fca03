/* qoima-stand-world.c: who and what lives on the stand (participants, products, acts)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-stand-world"

#include "config.h"

#include "qoima-stand-world.h"

#include "qoima-demo.h"
#include "qoima-gs1.h"
#include "qoima-product.h"

#include <glib/gi18n.h>
#include <string.h>

typedef struct {
  const char *bin;
  const char *name;
  const char *role;
  const char *act_prefix;
} Participant;

static const Participant participants[] = {
  { QOIMA_STAND_HOSPITAL_BIN, "ГКП на ПХВ \"Городская больница №1\" акимата города Астаны", "MEDICAL_ORGANIZATION", "ГБ1" },
  { QOIMA_STAND_SK_PHARMACY_BIN, "ТОО \"СК-Фармация\"", "SINGLE_DISTRIBUTOR", "СКФ" },
  { QOIMA_STAND_MEDSERVICE_BIN, "ТОО \"Медсервис Плюс\"", "WHOLESALE", "МСП" },
  { QOIMA_STAND_AMANAT_BIN, "ТОО \"Аманат Фарм\"", "WHOLESALE", "АФ" },
};

/* Serials are mostly alphanumeric; every eighth one (the fourth, twelfth… of a line) carries a character that must be
 * escaped in JSON or URL-encoded in a query, because real serials do (CSET 82). */
static const char serial_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char serial_tricky[] = "\"%<&'";

#define SERIAL_LENGTH 13

/* The world's version in the meta table: 2 knows the demo warehouse's packs. */
#define WORLD_VERSION "2"

static const char *
act_prefix_for (const char *bin)
{
  for (gsize i = 0; i < G_N_ELEMENTS (participants); i++)
    if (g_str_equal (participants[i].bin, bin))
      return participants[i].act_prefix;
  return "АПП";
}

static char *
make_serial (GRand    *rand,
             gboolean  tricky)
{
  char serial[SERIAL_LENGTH + 1];

  for (int i = 0; i < SERIAL_LENGTH; i++)
    serial[i] = serial_alphabet[g_rand_int_range (rand, 0, sizeof serial_alphabet - 1)];
  if (tricky)
    serial[g_rand_int_range (rand, 0, SERIAL_LENGTH)] =
      serial_tricky[g_rand_int_range (rand, 0, sizeof serial_tricky - 1)];
  serial[SERIAL_LENGTH] = '\0';
  return g_strdup (serial);
}

/* Appends the GS1 check digit to @digits. */
static char *
with_check_digit (const char *digits)
{
  int check = qoima_gs1_check_digit (digits, -1);

  return g_strdup_printf ("%s%d", digits, check < 0 ? 0 : check);
}

static char *
make_sscc (QoimaStandDb  *db,
           GError       **error)
{
  gint64 n = qoima_stand_db_next_counter (db, "sscc_counter", error);
  g_autofree char *digits = NULL;
  g_autofree char *sscc = NULL;

  if (n < 0)
    return NULL;
  /* Extension digit 1, the Kazakh GS1 prefix 487, then the serial reference. */
  digits = g_strdup_printf ("1487%013" G_GINT64_FORMAT, n);
  sscc = with_check_digit (digits);
  return g_strconcat ("00", sscc, NULL);
}

static void
box_free (gpointer data)
{
  QoimaStandBox *box = data;

  g_free (box->sscc);
  g_clear_pointer (&box->codes, g_ptr_array_unref);
  g_free (box);
}

static gboolean
insert_participants (QoimaStandDb  *db,
                     GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = qoima_stand_db_prepare (db, "INSERT OR IGNORE INTO participants (bin, name, role) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (participants); i++)
    {
      sqlite3_bind_text (stmt, 1, participants[i].bin, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, participants[i].name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, participants[i].role, -1, SQLITE_STATIC);
      if (!qoima_stand_db_step_done (db, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static const char *
or_empty (const char *s)
{
  return s != NULL ? s : "";
}

static gboolean
insert_products (QoimaStandDb  *db,
                 GError       **error)
{
  g_autoptr(GPtrArray) products = qoima_demo_products ();
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = qoima_stand_db_prepare (db,
                                 "INSERT OR IGNORE INTO products (gtin, ntin, name_ru, name_kk, inn, form, dosage,"
                                 " units_per_pack, manufacturer, producer_bin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; products != NULL && i < products->len; i++)
    {
      QoimaProduct *product = g_ptr_array_index (products, i);
      const char *gtin = qoima_product_get_gtin (product);
      g_autofree char *ntin_base = NULL;
      g_autofree char *ntin = NULL;
      g_autofree char *producer_bin = NULL;

      if (gtin == NULL || strlen (gtin) != 14)
        continue;
      /* The catalog's own number (NTIN) and the producer's BIN are the stand's invention,
       * derived from the GTIN so that they stay the same across restarts. */
      ntin_base = g_strdup_printf ("02%.10s", gtin + 3);
      ntin = with_check_digit (ntin_base);
      producer_bin = g_strdup_printf ("99%.10s", gtin + 3);

      sqlite3_bind_text (stmt, 1, gtin, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, ntin, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, or_empty (qoima_product_get_name_ru (product)), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, or_empty (qoima_product_get_name_kk (product)), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, or_empty (qoima_product_get_inn (product)), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, or_empty (qoima_product_get_form (product)), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 7, or_empty (qoima_product_get_dosage (product)), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 8, qoima_product_get_units_per_pack (product));
      sqlite3_bind_text (stmt, 9, or_empty (qoima_product_get_manufacturer (product)), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 10, producer_bin, -1, SQLITE_TRANSIENT);
      if (!qoima_stand_db_step_done (db, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static GPtrArray *
list_gtins (QoimaStandDb  *db,
            GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) gtins = g_ptr_array_new_with_free_func (g_free);

  stmt = qoima_stand_db_prepare (db, "SELECT gtin FROM products ORDER BY gtin", error);
  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (gtins, g_strdup (qoima_stand_db_column_text (stmt, 0)));
  return g_steal_pointer (&gtins);
}

/* The demo warehouse's packs (the application's first start fills it, qoima-demo.c) are the
 * hospital's, in circulation: registered before any act is made, so that the codes of the
 * stand's acts, unique in the codes table, can never be one of them. Codes the world
 * already has are left as they are (an earlier stand's). */
static gboolean
insert_demo_warehouse (QoimaStandDb  *db,
                       int            n_packs,
                       GError       **error)
{
  g_autoptr(QoimaDemoPacks) packs = qoima_demo_packs_new (QOIMA_DEMO_SEED);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int known = 0;

  stmt = qoima_stand_db_prepare (db,
                                 "INSERT OR IGNORE INTO codes (ki, gtin, serial, km, batch, expiry, status, owner_bin)"
                                 " VALUES (?, ?, ?, ?, ?, ?, 'INTRODUCED', ?)",
                                 error);
  if (stmt == NULL)
    return FALSE;
  for (int i = 0; i < n_packs; i++)
    {
      QoimaDemoPack pack;
      g_autofree char *ki = NULL;

      qoima_demo_packs_next (packs, &pack);
      ki = g_strconcat ("01", pack.gtin, "21", pack.serial, NULL);
      sqlite3_bind_text (stmt, 1, ki, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, pack.gtin, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, pack.serial, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, qoima_demo_marking_code (pack.gtin, pack.serial), -1, g_free);
      sqlite3_bind_text (stmt, 5, pack.batch, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, pack.expiry, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 7, QOIMA_STAND_HOSPITAL_BIN, -1, SQLITE_STATIC);
      if (!qoima_stand_db_step_done (db, stmt, error))
        return FALSE;
      if (sqlite3_changes (qoima_stand_db_get_handle (db)) == 0)
        known++;
    }
  if (known > 0)
    g_message ("%d of the demo warehouse's %d codes were in this world already; they are left as they are",
               known, n_packs);
  return TRUE;
}

typedef struct {
  const char *sender;
  int days_ago;
  int hours_ago;
  int n_lines;
  int packs_per_line;
  int box_size;
} DemoAct;

/* Five acts of 1 to 10,000 packs; the oldest is three days old, so it is overdue. */
static const DemoAct demo_acts[] = {
  { QOIMA_STAND_SK_PHARMACY_BIN, 0, 1, 1, 1, 0 },
  { QOIMA_STAND_MEDSERVICE_BIN, 0, 3, 3, 8, 0 },
  { QOIMA_STAND_AMANAT_BIN, 1, 2, 2, 60, 20 },
  { QOIMA_STAND_SK_PHARMACY_BIN, 1, 5, 5, 120, 0 },
  { QOIMA_STAND_MEDSERVICE_BIN, 3, 4, 4, 2500, 50 },
};

static gboolean
create_demo_acts (QoimaStandDb  *db,
                  guint32        seed,
                  GError       **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GPtrArray) gtins = list_gtins (db, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (gtins == NULL)
    return FALSE;
  if (gtins->len == 0)
    {
      g_warning ("No demo products: the stand starts without demo acts");
      return TRUE;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (demo_acts); i++)
    {
      const DemoAct *demo = &demo_acts[i];
      g_autofree QoimaStandActLine *lines = g_new0 (QoimaStandActLine, demo->n_lines);
      g_autoptr(GDateTime) date = NULL;
      g_autoptr(QoimaStandAct) act = NULL;
      guint first = g_rand_int_range (rand, 0, gtins->len);

      for (int l = 0; l < demo->n_lines; l++)
        {
          lines[l].gtin = g_ptr_array_index (gtins, (first + l) % gtins->len);
          lines[l].packs = demo->packs_per_line;
        }
      date = g_date_time_add_full (now, 0, 0, -demo->days_ago, -demo->hours_ago, 0, 0);
      act = qoima_stand_world_create_act (db, rand, demo->sender, QOIMA_STAND_HOSPITAL_BIN,
                                          lines, demo->n_lines, demo->box_size, date, error);
      if (act == NULL)
        return FALSE;
    }
  return TRUE;
}

void
qoima_stand_act_free (QoimaStandAct *act)
{
  if (act == NULL)
    return;
  g_free (act->id);
  g_free (act->number);
  g_clear_pointer (&act->codes, g_ptr_array_unref);
  g_clear_pointer (&act->boxes, g_ptr_array_unref);
  g_clear_pointer (&act->marking_codes, g_ptr_array_unref);
  g_free (act);
}

char *
qoima_stand_format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* Brings an earlier stand's world up to this one: version 1 did not know the demo
 * warehouse's packs, so withdrawing one was refused. Its acts and documents stay. */
static gboolean
upgrade_world (QoimaStandDb  *db,
               const char    *version,
               gboolean       demo,
               int            demo_packs,
               GError       **error)
{
  if (g_strcmp0 (version, "1") != 0)
    {
      /* A newer stand's world: left alone, it is not ours to change. */
      g_message ("The stand's world is of version %s; this stand knows up to %s", version, WORLD_VERSION);
      return TRUE;
    }

  if (!qoima_stand_db_begin (db, error))
    return FALSE;
  if (!insert_products (db, error) ||
      (demo && !insert_demo_warehouse (db, demo_packs, error)) ||
      !qoima_stand_db_set_meta (db, "world", WORLD_VERSION, error) ||
      !qoima_stand_db_commit (db, error))
    {
      qoima_stand_db_rollback (db);
      return FALSE;
    }
  return TRUE;
}

gboolean
qoima_stand_world_ensure (QoimaStandDb  *db,
                          gboolean       demo,
                          int            demo_packs,
                          guint32        seed,
                          GError       **error)
{
  g_autofree char *version = NULL;

  g_return_val_if_fail (QOIMA_IS_STAND_DB (db), FALSE);
  g_return_val_if_fail (demo_packs >= 0, FALSE);

  version = qoima_stand_db_get_meta (db, "world");
  if (g_strcmp0 (version, WORLD_VERSION) == 0)
    return TRUE;
  if (version != NULL)
    return upgrade_world (db, version, demo, demo_packs, error);

  if (!qoima_stand_db_begin (db, error))
    return FALSE;
  if (!insert_participants (db, error) ||
      !insert_products (db, error) ||
      (demo && !insert_demo_warehouse (db, demo_packs, error)) ||
      !qoima_stand_db_set_meta (db, "world", WORLD_VERSION, error) ||
      !qoima_stand_db_commit (db, error))
    {
      qoima_stand_db_rollback (db);
      return FALSE;
    }

  if (demo)
    return create_demo_acts (db, seed, error);
  return TRUE;
}

QoimaStandAct *
qoima_stand_world_create_act (QoimaStandDb             *db,
                              GRand                    *rand,
                              const char               *sender,
                              const char               *receiver,
                              const QoimaStandActLine  *lines,
                              guint                     n_lines,
                              int                       box_size,
                              GDateTime                *date,
                              GError                  **error)
{
  g_autoptr(QoimaStandAct) act = g_new0 (QoimaStandAct, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) received = NULL;
  g_autoptr(sqlite3_stmt) insert_code = NULL;
  g_autoptr(sqlite3_stmt) insert_box = NULL;
  g_autoptr(sqlite3_stmt) insert_doc = NULL;
  g_autoptr(sqlite3_stmt) find_product = NULL;
  g_autofree char *doc_date = NULL;
  g_autofree char *received_at = NULL;
  g_autofree char *invoice = NULL;
  g_autofree char *year = NULL;
  gint64 number;

  g_return_val_if_fail (QOIMA_IS_STAND_DB (db), NULL);
  g_return_val_if_fail (rand != NULL, NULL);
  g_return_val_if_fail (sender != NULL && receiver != NULL, NULL);

  if (date == NULL)
    date = now;
  received = g_date_time_add_minutes (date, 7);
  doc_date = qoima_stand_format_time (date);
  received_at = qoima_stand_format_time (received);

  act->codes = g_ptr_array_new_with_free_func (g_free);
  act->boxes = g_ptr_array_new_with_free_func (box_free);
  act->marking_codes = g_ptr_array_new_with_free_func (g_free);
  act->id = g_uuid_string_random ();

  {
    g_autofree char *sender_name = qoima_stand_db_get_participant_name (db, sender);
    g_autofree char *receiver_name = qoima_stand_db_get_participant_name (db, receiver);

    if (sender_name == NULL || receiver_name == NULL)
      {
        g_set_error (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID,
                     "Unknown participant %s", sender_name == NULL ? sender : receiver);
        return NULL;
      }
  }
  if (n_lines == 0)
    {
      g_set_error_literal (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID, "An act needs at least one line");
      return NULL;
    }

  if (!qoima_stand_db_begin (db, error))
    return NULL;

  number = qoima_stand_db_next_counter (db, "act_counter", error);
  if (number < 0)
    goto fail;
  year = g_date_time_format (date, "%y");
  act->number = g_strdup_printf ("%s-%s/%06" G_GINT64_FORMAT, act_prefix_for (sender), year, number);
  invoice = g_strdup_printf ("СФ-%07" G_GINT64_FORMAT, 4100000 + number);

  find_product = qoima_stand_db_prepare (db, "SELECT 1 FROM products WHERE gtin = ?", error);
  insert_code = qoima_stand_db_prepare (db,
                                        "INSERT INTO codes (ki, gtin, serial, km, batch, expiry, status, owner_bin,"
                                        " parent_sscc, act_id) VALUES (?, ?, ?, ?, ?, ?, 'WAIT_SHIPMENT', ?, ?, ?)",
                                        error);
  insert_box = qoima_stand_db_prepare (db, "INSERT INTO boxes (sscc, act_id) VALUES (?, ?)", error);
  if (find_product == NULL || insert_code == NULL || insert_box == NULL)
    goto fail;

  for (guint l = 0; l < n_lines; l++)
    {
      const QoimaStandActLine *line = &lines[l];
      g_autoptr(GDateTime) expiry_date = NULL;
      g_autofree char *expiry = NULL;
      g_autofree char *batch = NULL;
      QoimaStandBox *box = NULL;

      if (line->gtin == NULL || line->packs <= 0 || line->packs > 100000)
        {
          g_set_error (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID,
                       "Line %u: a GTIN and 1 to 100000 packs are needed", l + 1);
          goto fail;
        }
      sqlite3_bind_text (find_product, 1, line->gtin, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (find_product) != SQLITE_ROW)
        {
          sqlite3_reset (find_product);
          g_set_error (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_INVALID,
                       "Unknown product %s", line->gtin);
          goto fail;
        }
      sqlite3_reset (find_product);

      expiry_date = g_date_time_add_days (date, g_rand_int_range (rand, 300, 1100));
      expiry = g_date_time_format (expiry_date, "%Y-%m-%d");
      batch = g_strdup_printf ("%c%05d", 'A' + g_rand_int_range (rand, 0, 26), g_rand_int_range (rand, 0, 100000));

      for (int p = 0; p < line->packs; p++)
        {
          g_autofree char *serial = NULL;
          g_autofree char *ki = NULL;
          char *km;

          /* Full boxes only: the packs past the last full box of a line stay loose. */
          if (box_size > 0 && p % box_size == 0 && p + box_size > line->packs)
            box = NULL;
          else if (box_size > 0 && p % box_size == 0)
            {
              box = g_new0 (QoimaStandBox, 1);
              box->sscc = make_sscc (db, error);
              box->codes = g_ptr_array_new_with_free_func (g_free);
              if (box->sscc == NULL)
                {
                  box_free (box);
                  goto fail;
                }
              g_ptr_array_add (act->boxes, box);
              sqlite3_bind_text (insert_box, 1, box->sscc, -1, SQLITE_TRANSIENT);
              sqlite3_bind_text (insert_box, 2, act->id, -1, SQLITE_TRANSIENT);
              if (!qoima_stand_db_step_done (db, insert_box, error))
                goto fail;
            }

          /* A collision of 13 random characters is unlikely but not impossible. */
          for (int attempt = 0; attempt < 5; attempt++)
            {
              g_clear_pointer (&serial, g_free);
              g_clear_pointer (&ki, g_free);
              serial = make_serial (rand, p % 8 == 3);
              ki = g_strconcat ("01", line->gtin, "21", serial, NULL);
              sqlite3_bind_text (insert_code, 1, ki, -1, SQLITE_TRANSIENT);
              sqlite3_bind_text (insert_code, 2, line->gtin, -1, SQLITE_TRANSIENT);
              sqlite3_bind_text (insert_code, 3, serial, -1, SQLITE_TRANSIENT);
              km = qoima_demo_marking_code (line->gtin, serial);
              sqlite3_bind_text (insert_code, 4, km, -1, g_free);
              sqlite3_bind_text (insert_code, 5, batch, -1, SQLITE_TRANSIENT);
              sqlite3_bind_text (insert_code, 6, expiry, -1, SQLITE_TRANSIENT);
              sqlite3_bind_text (insert_code, 7, sender, -1, SQLITE_TRANSIENT);
              if (box != NULL)
                sqlite3_bind_text (insert_code, 8, box->sscc, -1, SQLITE_TRANSIENT);
              else
                sqlite3_bind_null (insert_code, 8);
              sqlite3_bind_text (insert_code, 9, act->id, -1, SQLITE_TRANSIENT);
              if (sqlite3_step (insert_code) == SQLITE_DONE)
                {
                  sqlite3_reset (insert_code);
                  break;
                }
              sqlite3_reset (insert_code);
              g_clear_pointer (&ki, g_free);
            }
          if (ki == NULL)
            {
              g_set_error_literal (error, QOIMA_STAND_ERROR, QOIMA_STAND_ERROR_FAILED,
                                   "Cannot make a unique identification code");
              goto fail;
            }
          g_ptr_array_add (act->marking_codes, qoima_demo_marking_code (line->gtin, serial));
          if (box != NULL)
            g_ptr_array_add (box->codes, g_strdup (ki));
          g_ptr_array_add (act->codes, g_steal_pointer (&ki));
        }
    }

  insert_doc = qoima_stand_db_prepare (db,
                                       "INSERT INTO documents (id, type, document_number, sender, receiver, status,"
                                       " doc_date, created_at, invoice_number, cis_total)"
                                       " VALUES (?, 'LP_SHIP_GOODS', ?, ?, ?, 'WAIT_ACCEPTANCE', ?, ?, ?, ?)",
                                       error);
  if (insert_doc == NULL)
    goto fail;
  sqlite3_bind_text (insert_doc, 1, act->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert_doc, 2, act->number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert_doc, 3, sender, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert_doc, 4, receiver, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert_doc, 5, doc_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert_doc, 6, received_at, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert_doc, 7, invoice, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (insert_doc, 8, act->codes->len);
  if (!qoima_stand_db_step_done (db, insert_doc, error))
    goto fail;

  if (!qoima_stand_db_commit (db, error))
    goto fail;
  return g_steal_pointer (&act);

fail:
  qoima_stand_db_rollback (db);
  return NULL;
}
