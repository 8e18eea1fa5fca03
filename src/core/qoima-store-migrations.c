/* qoima-store-migrations.c: the warehouse schema, one ordered step per version
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-store"

#include "config.h"

#include "qoima-store-private.h"

#include <glib/gi18n.h>

/*
 * migrations[i] takes a database from user_version i to i + 1. Steps are only ever
 * appended: a released step never changes, because databases in hospitals already ran it.
 *
 * Version 1 is the warehouse: the catalog, locations, incoming acts and their codes, packs,
 * the movements journal and the scan log.
 *
 * A pack's status, location and units left are derived from the journal: the only way
 * they change is by inserting a movement, whose AFTER INSERT trigger copies its *_after
 * columns to the pack. A direct UPDATE of those columns is refused unless it agrees with
 * the latest movement (that is how the trigger's own update passes), and the journal
 * itself is append-only.
 */
static const char * const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE products ("
  "  gtin TEXT PRIMARY KEY NOT NULL"
  "    CHECK (length (gtin) = 14 AND gtin NOT GLOB '*[^0-9]*'),"
  "  name_ru TEXT NOT NULL,"
  "  name_kk TEXT,"
  "  inn TEXT,"
  "  form TEXT,"
  "  dosage TEXT,"
  "  manufacturer TEXT,"
  /* NULL until the catalog tells: per-unit accounting waits for it. */
  "  units_per_pack INTEGER CHECK (units_per_pack IS NULL OR units_per_pack > 0)"
  ");"

  "CREATE TABLE locations ("
  "  id INTEGER PRIMARY KEY,"
  "  kind TEXT NOT NULL CHECK (kind IN ('warehouse', 'ward')),"
  "  name_ru TEXT NOT NULL,"
  "  name_kk TEXT,"
  "  archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1))"
  ");"

  /* Incoming acts from ИС МПТ. Statuses and decisions are left open (no CHECK) until the
   * acts work settles them: SQLite cannot relax a CHECK without rebuilding the table. */
  "CREATE TABLE acts ("
  "  id INTEGER PRIMARY KEY,"
  "  ismpt_id TEXT UNIQUE,"
  "  number TEXT,"
  "  doc_date TEXT,"
  "  received_at TEXT,"
  "  sender_bin TEXT,"
  "  sender_name TEXT,"
  "  receiver_bin TEXT,"
  "  status TEXT NOT NULL DEFAULT 'new',"
  "  deadline TEXT,"
  "  decided_at TEXT"
  ");"

  "CREATE TABLE act_codes ("
  "  id INTEGER PRIMARY KEY,"
  "  act_id INTEGER NOT NULL REFERENCES acts (id) ON DELETE CASCADE,"
  "  code TEXT NOT NULL,"
  "  kind TEXT NOT NULL CHECK (kind IN ('pack', 'box')),"
  "  parent_sscc TEXT,"
  "  gtin TEXT,"
  "  batch TEXT,"
  "  expiry TEXT,"
  "  scanned_at TEXT,"
  "  decision TEXT,"
  "  UNIQUE (act_id, code)"
  ");"
  "CREATE INDEX act_codes_parent ON act_codes (act_id, parent_sscc);"

  "CREATE TABLE packs ("
  "  id INTEGER PRIMARY KEY,"
  "  ki TEXT NOT NULL UNIQUE,"
  "  gtin TEXT NOT NULL REFERENCES products (gtin),"
  "  serial TEXT NOT NULL,"
  "  km TEXT,"
  "  batch TEXT,"
  "  expiry TEXT,"
  "  status TEXT NOT NULL"
  "    CHECK (status IN ('in_stock', 'opened', 'used_up', 'withdrawn', 'written_off')),"
  "  location_id INTEGER NOT NULL REFERENCES locations (id),"
  /* NULL while the product's units per pack are unknown. */
  "  units_left INTEGER CHECK (units_left IS NULL OR units_left >= 0),"
  "  act_id INTEGER REFERENCES acts (id),"
  "  received_at TEXT NOT NULL"
  ");"
  /* The Stock page groups by these columns; with status and units_left in the index the
   * grouping reads the index alone, in group order, without a temporary b-tree. */
  "CREATE INDEX packs_stock ON packs (gtin, batch, expiry, location_id, status, units_left);"
  "CREATE INDEX packs_status ON packs (status);"
  "CREATE INDEX packs_act ON packs (act_id) WHERE act_id IS NOT NULL;"

  "CREATE TABLE movements ("
  "  id INTEGER PRIMARY KEY,"
  "  pack_id INTEGER NOT NULL REFERENCES packs (id),"
  "  at TEXT NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  kind TEXT NOT NULL"
  "    CHECK (kind IN ('receipt', 'transfer', 'use', 'withdrawal', 'write_off', 'correction')),"
  "  from_location INTEGER REFERENCES locations (id),"
  "  to_location INTEGER REFERENCES locations (id),"
  "  units_delta INTEGER NOT NULL DEFAULT 0,"
  "  units_after INTEGER CHECK (units_after IS NULL OR units_after >= 0),"
  "  status_after TEXT NOT NULL"
  "    CHECK (status_after IN ('in_stock', 'opened', 'used_up', 'withdrawn', 'written_off')),"
  "  location_after INTEGER NOT NULL REFERENCES locations (id),"
  "  reason TEXT,"
  "  document TEXT"
  ");"
  "CREATE INDEX movements_pack ON movements (pack_id, id);"

  "CREATE TRIGGER movements_apply AFTER INSERT ON movements "
  "BEGIN"
  "  UPDATE packs"
  "    SET status = NEW.status_after, location_id = NEW.location_after,"
  "        units_left = NEW.units_after"
  "    WHERE id = NEW.pack_id"
  "      AND (status IS NOT NEW.status_after OR location_id IS NOT NEW.location_after"
  "           OR units_left IS NOT NEW.units_after);"
  "END;"

  "CREATE TRIGGER packs_state_from_journal BEFORE UPDATE OF status, location_id, units_left ON packs "
  "WHEN NOT EXISTS (SELECT 1 FROM movements m"
  "                 WHERE m.id = (SELECT max (id) FROM movements WHERE pack_id = NEW.id)"
  "                   AND m.status_after = NEW.status"
  "                   AND m.location_after = NEW.location_id"
  "                   AND m.units_after IS NEW.units_left) "
  "BEGIN"
  "  SELECT RAISE (ABORT, 'a pack''s status, location and units change only through the movements journal');"
  "END;"

  "CREATE TRIGGER movements_no_update BEFORE UPDATE ON movements "
  "BEGIN"
  "  SELECT RAISE (ABORT, 'the movements journal is append-only');"
  "END;"
  "CREATE TRIGGER movements_no_delete BEFORE DELETE ON movements "
  "BEGIN"
  "  SELECT RAISE (ABORT, 'the movements journal is append-only');"
  "END;"

  "CREATE TABLE scans ("
  "  id INTEGER PRIMARY KEY,"
  "  at TEXT NOT NULL,"
  "  actor TEXT NOT NULL,"
  /* NULL for what is not a pack's code (a box, so far). */
  "  ki TEXT,"
  "  km TEXT NOT NULL,"
  "  recovered INTEGER NOT NULL DEFAULT 0 CHECK (recovered IN (0, 1)),"
  "  result TEXT NOT NULL CHECK (result IN ('found', 'unknown'))"
  ");"
  "CREATE INDEX scans_ki ON scans (ki);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == QOIMA_STORE_SCHEMA_VERSION);

static gboolean
query_int (sqlite3     *db,
           const char  *sql,
           const char  *path,
           int         *value,
           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      qoima_store_set_sqlite_error (error, db, rc, path);
      sqlite3_finalize (stmt);
      return FALSE;
    }

  *value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      const char  *path,
      GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      qoima_store_set_sqlite_error (error, db, rc, path);
      return FALSE;
    }

  return TRUE;
}

static void
set_not_qoima_error (GError     **error,
                     const char  *path)
{
  g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_CORRUPT,
               _("The warehouse database %s is damaged or is not a Qoima database."),
               path);
}

/* Runs inside the migration's transaction and commits it. */
static gboolean
apply_steps (sqlite3     *db,
             const char  *path,
             GError     **error)
{
  g_autofree char *finish = NULL;
  int version = 0;

  /* Read again under the lock: another process may have migrated meanwhile. */
  if (!query_int (db, "PRAGMA user_version", path, &version, error))
    return FALSE;

  for (int step = version; step < QOIMA_STORE_SCHEMA_VERSION; step++)
    {
      g_debug ("Migrating %s from schema %d to %d", path, step, step + 1);
      if (!exec (db, migrations[step], path, error))
        return FALSE;
    }

  finish = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d; COMMIT",
                            QOIMA_STORE_SCHEMA_VERSION, QOIMA_STORE_APPLICATION_ID);
  return exec (db, finish, path, error);
}

gboolean
qoima_store_migrate (sqlite3     *db,
                     const char  *path,
                     GError     **error)
{
  int version = 0;
  int application_id = 0;
  int n_objects = 0;

  g_return_val_if_fail (db != NULL, FALSE);

  if (!query_int (db, "PRAGMA application_id", path, &application_id, error) ||
      !query_int (db, "PRAGMA user_version", path, &version, error) ||
      !query_int (db, "SELECT count(*) FROM sqlite_master", path, &n_objects, error))
    return FALSE;

  if (application_id != 0 && application_id != QOIMA_STORE_APPLICATION_ID)
    {
      set_not_qoima_error (error, path);
      return FALSE;
    }

  if (version > QOIMA_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_TOO_NEW,
                   _("The warehouse database %s was written by a newer version of Qoima "
                     "(schema %d; this version knows up to %d). Update Qoima to open it."),
                   path, version, QOIMA_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  /* Another program's SQLite file: adding our tables to it would only do harm. */
  if (version == 0 && n_objects > 0)
    {
      set_not_qoima_error (error, path);
      return FALSE;
    }

  if (version == QOIMA_STORE_SCHEMA_VERSION)
    return TRUE;

  /* IMMEDIATE takes the write lock now, so two Qoimas starting together cannot both
   * migrate: the second waits (busy_timeout), then finds the schema done. */
  if (!exec (db, "BEGIN IMMEDIATE", path, error))
    return FALSE;

  if (!apply_steps (db, path, error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}
