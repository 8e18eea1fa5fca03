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
/*
 * The body of an audit trigger (schema 3): appends one row to the audit trail, chained
 * to the row before it. hash = sha256 (prev_hash | id | at | actor | tbl | row_id |
 * action | old | new | reason), NULLs as '' and prev_hash '' for the first row;
 * qoima_audit_verify_db() recomputes exactly this. The arguments are SQL expressions as
 * string literals. Frozen with step 3: a later step that needs another formula writes
 * its own macro, since databases in hospitals already ran this one.
 */
#define AUDIT_ROW(tbl, row_id, action, old_values, new_values) \
  "  INSERT INTO audit (id, at, actor, tbl, row_id, action, old_values, new_values, reason, prev_hash, hash)" \
  "  SELECT c.id, c.at, c.actor, c.tbl, c.row_id, c.action, c.old, c.new, c.reason, c.prev," \
  "         sha256 (c.prev || '|' || c.id || '|' || c.at || '|' || c.actor || '|' || c.tbl" \
  "                 || '|' || c.row_id || '|' || c.action || '|' || coalesce (c.old, '')" \
  "                 || '|' || coalesce (c.new, '') || '|' || coalesce (c.reason, ''))" \
  "  FROM (SELECT coalesce ((SELECT max (id) FROM audit), 0) + 1 AS id," \
  "               coalesce ((SELECT hash FROM audit ORDER BY id DESC LIMIT 1), '') AS prev," \
  "               strftime ('%Y-%m-%dT%H:%M:%SZ', 'now') AS at," \
  "               qoima_actor () AS actor, qoima_reason () AS reason," \
  "               " tbl " AS tbl, " row_id " AS row_id, " action " AS action," \
  "               " old_values " AS old, " new_values " AS new) c;"

/* The stock_lines triggers (schema 9): a pack in stock or opened counts towards its line;
 * a line whose last pack left is deleted, so that the summary holds only lines shown. */
#define STOCK_LINE_ADD \
  "  INSERT INTO stock_lines (gtin, batch, expiry, location_id, packs, units, opened)" \
  "    SELECT NEW.gtin, coalesce (NEW.batch, ''), coalesce (NEW.expiry, ''), NEW.location_id, 1," \
  "           coalesce (NEW.units_left, 0), NEW.status = 'opened'" \
  "    WHERE NEW.status IN ('in_stock', 'opened')" \
  "    ON CONFLICT (gtin, batch, expiry, location_id) DO UPDATE" \
  "      SET packs = packs + 1, units = units + excluded.units, opened = opened + excluded.opened;"
#define STOCK_LINE_REMOVE \
  /* The delete first: after the decrement a line of two would read as a line of one. */ \
  "  DELETE FROM stock_lines" \
  "    WHERE OLD.status IN ('in_stock', 'opened') AND packs = 1" \
  "      AND gtin = OLD.gtin AND batch = coalesce (OLD.batch, '') AND expiry = coalesce (OLD.expiry, '')" \
  "      AND location_id = OLD.location_id;" \
  "  UPDATE stock_lines SET packs = packs - 1, units = units - coalesce (OLD.units_left, 0)," \
  "                         opened = opened - (OLD.status = 'opened')" \
  "    WHERE OLD.status IN ('in_stock', 'opened') AND packs > 1" \
  "      AND gtin = OLD.gtin AND batch = coalesce (OLD.batch, '') AND expiry = coalesce (OLD.expiry, '')" \
  "      AND location_id = OLD.location_id;"
#define STOCK_LINE_TRIGGER(name, when, body) \
  "CREATE TRIGGER stock_lines_" name " " when " BEGIN" body "END;"

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

  /* 1 → 2: the outbox, where everything owed to ИС МПТ waits until its final status, and
   * what an act needs for its answer. A document is written here in the same transaction
   * as the local change it reports; its number is ours and unique, so that after a crash
   * its fate can be asked of ИС МПТ instead of sending it twice. */
  "ALTER TABLE acts ADD COLUMN transfer_date TEXT;"
  "ALTER TABLE acts ADD COLUMN errors TEXT;"
  "CREATE INDEX act_codes_code ON act_codes (code);"

  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  doc_type TEXT NOT NULL CHECK (doc_type IN ('LP_ACCEPT_GOODS', 'LK_RECEIPT')),"
  "  document_number TEXT NOT NULL UNIQUE,"
  "  act_id INTEGER REFERENCES acts (id),"
  "  document BLOB NOT NULL,"
  "  signature BLOB NOT NULL,"
  "  state TEXT NOT NULL DEFAULT 'ready'"
  "    CHECK (state IN ('ready', 'sending', 'sent', 'done', 'failed')),"
  "  ismpt_id TEXT UNIQUE,"
  "  ismpt_status TEXT,"
  "  errors TEXT,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  created_by TEXT NOT NULL,"
  "  created_at TEXT NOT NULL,"
  "  updated_at TEXT NOT NULL"
  ");"
  "CREATE INDEX outbox_pending ON outbox (state) WHERE state IN ('ready', 'sending', 'sent');",

  /* 2 → 3: local users with roles, and the hash-chained audit trail.
   *
   * Passwords and PINs are kept only as PBKDF2-HMAC-SHA256 hashes with a random salt.
   *
   * Every change to an audited table writes an audit row from a trigger, so in the same
   * transaction as the change and with no way for a code path to forget it; AUDIT_ROW
   * chains each row to the one before. qoima_actor (), qoima_reason () and sha256 () are the store's
   * own SQL functions (qoima-store-audit.c). A pack's status, location and units change only
   * through a movement, and the movement's audit row already says so; the pack UPDATE
   * the journal's trigger makes is not audited again, which keeps a bulk receipt fast. */
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  full_name TEXT,"
  "  role TEXT NOT NULL CHECK (role IN ('clerk', 'nurse', 'chief', 'admin')),"
  "  ward_id INTEGER REFERENCES locations (id),"
  "  salt BLOB NOT NULL CHECK (length (salt) >= 16),"
  "  hash BLOB NOT NULL CHECK (length (hash) = 32),"
  "  iterations INTEGER NOT NULL CHECK (iterations >= 100000),"
  "  created_at TEXT NOT NULL,"
  "  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
  "  CHECK (role <> 'nurse' OR ward_id IS NOT NULL)"
  ");"

  "CREATE TABLE audit ("
  "  id INTEGER PRIMARY KEY,"
  "  at TEXT NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  tbl TEXT NOT NULL,"
  "  row_id NOT NULL,"
  "  action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),"
  "  old_values TEXT,"
  "  new_values TEXT,"
  "  reason TEXT,"
  "  prev_hash TEXT NOT NULL,"
  "  hash TEXT NOT NULL"
  ");"

  "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
  "BEGIN"
  "  SELECT RAISE (ABORT, 'the audit trail is append-only');"
  "END;"
  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
  "BEGIN"
  "  SELECT RAISE (ABORT, 'the audit trail is append-only');"
  "END;"


  "CREATE TRIGGER audit_products_insert AFTER INSERT ON products "
  "BEGIN"
  AUDIT_ROW ("'products'", "NEW.gtin", "'insert'",
             "NULL",
             "json_object ('gtin', NEW.gtin, 'name_ru', NEW.name_ru, 'name_kk', NEW.name_kk, 'inn', NEW.inn, 'form', NEW.form, 'dosage', NEW.dosage, 'manufacturer', NEW.manufacturer, 'units_per_pack', NEW.units_per_pack)")
  "END;"

  "CREATE TRIGGER audit_products_update AFTER UPDATE ON products "
  "BEGIN"
  AUDIT_ROW ("'products'", "NEW.gtin", "'update'",
             "json_object ('gtin', OLD.gtin, 'name_ru', OLD.name_ru, 'name_kk', OLD.name_kk, 'inn', OLD.inn, 'form', OLD.form, 'dosage', OLD.dosage, 'manufacturer', OLD.manufacturer, 'units_per_pack', OLD.units_per_pack)",
             "json_object ('gtin', NEW.gtin, 'name_ru', NEW.name_ru, 'name_kk', NEW.name_kk, 'inn', NEW.inn, 'form', NEW.form, 'dosage', NEW.dosage, 'manufacturer', NEW.manufacturer, 'units_per_pack', NEW.units_per_pack)")
  "END;"

  "CREATE TRIGGER audit_products_delete AFTER DELETE ON products "
  "BEGIN"
  AUDIT_ROW ("'products'", "OLD.gtin", "'delete'",
             "json_object ('gtin', OLD.gtin, 'name_ru', OLD.name_ru, 'name_kk', OLD.name_kk, 'inn', OLD.inn, 'form', OLD.form, 'dosage', OLD.dosage, 'manufacturer', OLD.manufacturer, 'units_per_pack', OLD.units_per_pack)",
             "NULL")
  "END;"

  "CREATE TRIGGER audit_locations_insert AFTER INSERT ON locations "
  "BEGIN"
  AUDIT_ROW ("'locations'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'kind', NEW.kind, 'name_ru', NEW.name_ru, 'name_kk', NEW.name_kk, 'archived', NEW.archived)")
  "END;"

  "CREATE TRIGGER audit_locations_update AFTER UPDATE ON locations "
  "BEGIN"
  AUDIT_ROW ("'locations'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'kind', OLD.kind, 'name_ru', OLD.name_ru, 'name_kk', OLD.name_kk, 'archived', OLD.archived)",
             "json_object ('id', NEW.id, 'kind', NEW.kind, 'name_ru', NEW.name_ru, 'name_kk', NEW.name_kk, 'archived', NEW.archived)")
  "END;"

  "CREATE TRIGGER audit_locations_delete AFTER DELETE ON locations "
  "BEGIN"
  AUDIT_ROW ("'locations'", "OLD.id", "'delete'",
             "json_object ('id', OLD.id, 'kind', OLD.kind, 'name_ru', OLD.name_ru, 'name_kk', OLD.name_kk, 'archived', OLD.archived)",
             "NULL")
  "END;"

  "CREATE TRIGGER audit_acts_insert AFTER INSERT ON acts "
  "BEGIN"
  AUDIT_ROW ("'acts'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'ismpt_id', NEW.ismpt_id, 'number', NEW.number, 'doc_date', NEW.doc_date, 'received_at', NEW.received_at, 'sender_bin', NEW.sender_bin, 'sender_name', NEW.sender_name, 'receiver_bin', NEW.receiver_bin, 'status', NEW.status, 'deadline', NEW.deadline, 'decided_at', NEW.decided_at, 'transfer_date', NEW.transfer_date, 'errors', NEW.errors)")
  "END;"

  "CREATE TRIGGER audit_acts_update AFTER UPDATE ON acts "
  "BEGIN"
  AUDIT_ROW ("'acts'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'ismpt_id', OLD.ismpt_id, 'number', OLD.number, 'doc_date', OLD.doc_date, 'received_at', OLD.received_at, 'sender_bin', OLD.sender_bin, 'sender_name', OLD.sender_name, 'receiver_bin', OLD.receiver_bin, 'status', OLD.status, 'deadline', OLD.deadline, 'decided_at', OLD.decided_at, 'transfer_date', OLD.transfer_date, 'errors', OLD.errors)",
             "json_object ('id', NEW.id, 'ismpt_id', NEW.ismpt_id, 'number', NEW.number, 'doc_date', NEW.doc_date, 'received_at', NEW.received_at, 'sender_bin', NEW.sender_bin, 'sender_name', NEW.sender_name, 'receiver_bin', NEW.receiver_bin, 'status', NEW.status, 'deadline', NEW.deadline, 'decided_at', NEW.decided_at, 'transfer_date', NEW.transfer_date, 'errors', NEW.errors)")
  "END;"

  "CREATE TRIGGER audit_acts_delete AFTER DELETE ON acts "
  "BEGIN"
  AUDIT_ROW ("'acts'", "OLD.id", "'delete'",
             "json_object ('id', OLD.id, 'ismpt_id', OLD.ismpt_id, 'number', OLD.number, 'doc_date', OLD.doc_date, 'received_at', OLD.received_at, 'sender_bin', OLD.sender_bin, 'sender_name', OLD.sender_name, 'receiver_bin', OLD.receiver_bin, 'status', OLD.status, 'deadline', OLD.deadline, 'decided_at', OLD.decided_at, 'transfer_date', OLD.transfer_date, 'errors', OLD.errors)",
             "NULL")
  "END;"

  /* An act's codes are ИС МПТ's document copied in (the act's own row is audited, and its
   * answer is an audited outbox document); what a person does to them, scanning, is audited. */
  "CREATE TRIGGER audit_act_codes_update AFTER UPDATE OF scanned_at ON act_codes "
  "BEGIN"
  AUDIT_ROW ("'act_codes'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'act_id', OLD.act_id, 'code', OLD.code, 'kind', OLD.kind, 'parent_sscc', OLD.parent_sscc, 'gtin', OLD.gtin, 'batch', OLD.batch, 'expiry', OLD.expiry, 'scanned_at', OLD.scanned_at, 'decision', OLD.decision)",
             "json_object ('id', NEW.id, 'act_id', NEW.act_id, 'code', NEW.code, 'kind', NEW.kind, 'parent_sscc', NEW.parent_sscc, 'gtin', NEW.gtin, 'batch', NEW.batch, 'expiry', NEW.expiry, 'scanned_at', NEW.scanned_at, 'decision', NEW.decision)")
  "END;"

  "CREATE TRIGGER audit_act_codes_delete AFTER DELETE ON act_codes "
  "BEGIN"
  AUDIT_ROW ("'act_codes'", "OLD.id", "'delete'",
             "json_object ('id', OLD.id, 'act_id', OLD.act_id, 'code', OLD.code, 'kind', OLD.kind, 'parent_sscc', OLD.parent_sscc, 'gtin', OLD.gtin, 'batch', OLD.batch, 'expiry', OLD.expiry, 'scanned_at', OLD.scanned_at, 'decision', OLD.decision)",
             "NULL")
  "END;"

  /* A pack enters the warehouse with its RECEIPT movement in the same transaction; that
   * movement's audit row carries the pack's identity (code, batch, expiry), so a bulk receipt
   * writes one audit row per pack, not two. */
  "CREATE TRIGGER audit_packs_update AFTER UPDATE OF ki, gtin, serial, km, batch, expiry, act_id, received_at ON packs "
  "BEGIN"
  AUDIT_ROW ("'packs'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'ki', OLD.ki, 'gtin', OLD.gtin, 'serial', OLD.serial, 'km', OLD.km, 'batch', OLD.batch, 'expiry', OLD.expiry, 'status', OLD.status, 'location_id', OLD.location_id, 'units_left', OLD.units_left, 'act_id', OLD.act_id, 'received_at', OLD.received_at)",
             "json_object ('id', NEW.id, 'ki', NEW.ki, 'gtin', NEW.gtin, 'serial', NEW.serial, 'km', NEW.km, 'batch', NEW.batch, 'expiry', NEW.expiry, 'status', NEW.status, 'location_id', NEW.location_id, 'units_left', NEW.units_left, 'act_id', NEW.act_id, 'received_at', NEW.received_at)")
  "END;"

  "CREATE TRIGGER audit_packs_delete AFTER DELETE ON packs "
  "BEGIN"
  AUDIT_ROW ("'packs'", "OLD.id", "'delete'",
             "json_object ('id', OLD.id, 'ki', OLD.ki, 'gtin', OLD.gtin, 'serial', OLD.serial, 'km', OLD.km, 'batch', OLD.batch, 'expiry', OLD.expiry, 'status', OLD.status, 'location_id', OLD.location_id, 'units_left', OLD.units_left, 'act_id', OLD.act_id, 'received_at', OLD.received_at)",
             "NULL")
  "END;"

  "CREATE TRIGGER audit_movements_insert AFTER INSERT ON movements "
  "BEGIN"
  AUDIT_ROW ("'movements'", "NEW.id", "'insert'",
             "NULL",
             "(SELECT json_object ('id', NEW.id, 'pack_id', NEW.pack_id, 'ki', p.ki, 'batch', p.batch, 'expiry', p.expiry, 'act_id', p.act_id, 'at', NEW.at, 'actor', NEW.actor, 'kind', NEW.kind, 'from_location', NEW.from_location, 'to_location', NEW.to_location, 'units_delta', NEW.units_delta, 'units_after', NEW.units_after, 'status_after', NEW.status_after, 'location_after', NEW.location_after, 'reason', NEW.reason, 'document', NEW.document) FROM packs p WHERE p.id = NEW.pack_id)")
  "END;"

  "CREATE TRIGGER audit_outbox_insert AFTER INSERT ON outbox "
  "BEGIN"
  AUDIT_ROW ("'outbox'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'doc_type', NEW.doc_type, 'document_number', NEW.document_number, 'act_id', NEW.act_id, 'document_sha256', sha256 (NEW.document), 'signature_sha256', sha256 (NEW.signature), 'state', NEW.state, 'ismpt_id', NEW.ismpt_id, 'ismpt_status', NEW.ismpt_status, 'errors', NEW.errors, 'attempts', NEW.attempts, 'last_error', NEW.last_error, 'created_by', NEW.created_by, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at)")
  "END;"

  "CREATE TRIGGER audit_outbox_update AFTER UPDATE ON outbox "
  "BEGIN"
  AUDIT_ROW ("'outbox'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'doc_type', OLD.doc_type, 'document_number', OLD.document_number, 'act_id', OLD.act_id, 'document_sha256', sha256 (OLD.document), 'signature_sha256', sha256 (OLD.signature), 'state', OLD.state, 'ismpt_id', OLD.ismpt_id, 'ismpt_status', OLD.ismpt_status, 'errors', OLD.errors, 'attempts', OLD.attempts, 'last_error', OLD.last_error, 'created_by', OLD.created_by, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at)",
             "json_object ('id', NEW.id, 'doc_type', NEW.doc_type, 'document_number', NEW.document_number, 'act_id', NEW.act_id, 'document_sha256', sha256 (NEW.document), 'signature_sha256', sha256 (NEW.signature), 'state', NEW.state, 'ismpt_id', NEW.ismpt_id, 'ismpt_status', NEW.ismpt_status, 'errors', NEW.errors, 'attempts', NEW.attempts, 'last_error', NEW.last_error, 'created_by', NEW.created_by, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at)")
  "END;"

  "CREATE TRIGGER audit_outbox_delete AFTER DELETE ON outbox "
  "BEGIN"
  AUDIT_ROW ("'outbox'", "OLD.id", "'delete'",
             "json_object ('id', OLD.id, 'doc_type', OLD.doc_type, 'document_number', OLD.document_number, 'act_id', OLD.act_id, 'document_sha256', sha256 (OLD.document), 'signature_sha256', sha256 (OLD.signature), 'state', OLD.state, 'ismpt_id', OLD.ismpt_id, 'ismpt_status', OLD.ismpt_status, 'errors', OLD.errors, 'attempts', OLD.attempts, 'last_error', OLD.last_error, 'created_by', OLD.created_by, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at)",
             "NULL")
  "END;"

  "CREATE TRIGGER audit_users_insert AFTER INSERT ON users "
  "BEGIN"
  AUDIT_ROW ("'users'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'name', NEW.name, 'full_name', NEW.full_name, 'role', NEW.role, 'ward_id', NEW.ward_id, 'iterations', NEW.iterations, 'created_at', NEW.created_at, 'disabled', NEW.disabled)")
  "END;"

  "CREATE TRIGGER audit_users_update AFTER UPDATE ON users "
  "BEGIN"
  AUDIT_ROW ("'users'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'name', OLD.name, 'full_name', OLD.full_name, 'role', OLD.role, 'ward_id', OLD.ward_id, 'iterations', OLD.iterations, 'created_at', OLD.created_at, 'disabled', OLD.disabled)",
             "json_object ('id', NEW.id, 'name', NEW.name, 'full_name', NEW.full_name, 'role', NEW.role, 'ward_id', NEW.ward_id, 'iterations', NEW.iterations, 'created_at', NEW.created_at, 'disabled', NEW.disabled)")
  "END;"

  "CREATE TRIGGER audit_users_delete AFTER DELETE ON users "
  "BEGIN"
  AUDIT_ROW ("'users'", "OLD.id", "'delete'",
             "json_object ('id', OLD.id, 'name', OLD.name, 'full_name', OLD.full_name, 'role', OLD.role, 'ward_id', OLD.ward_id, 'iterations', OLD.iterations, 'created_at', OLD.created_at, 'disabled', OLD.disabled)",
             "NULL")
  "END;",

  /* 3 → 4: the ledger — patients, who used which units (movements.patient_id), and the
   * withdrawals owed to ИС МПТ (R000-9: a pack is owed when its last unit is used, a
   * one-unit pack at its use). An owed row is written in the same transaction as the use
   * that makes it owed; outbox_id names the LK_RECEIPT document once one carries it. */
  "CREATE TABLE patients ("
  "  id INTEGER PRIMARY KEY,"
  "  iin TEXT UNIQUE CHECK (iin IS NULL OR (length (iin) = 12 AND iin NOT GLOB '*[^0-9]*')),"
  "  record_number TEXT UNIQUE CHECK (record_number IS NULL OR length (record_number) BETWEEN 1 AND 80),"
  "  created_at TEXT NOT NULL,"
  "  CHECK ((iin IS NULL) <> (record_number IS NULL))"
  ");"

  "ALTER TABLE movements ADD COLUMN patient_id INTEGER REFERENCES patients (id);"
  "CREATE INDEX movements_patient ON movements (patient_id) WHERE patient_id IS NOT NULL;"
  /* Undo looks for a user's latest use. */
  "CREATE INDEX movements_actor_use ON movements (actor, id) WHERE kind = 'use';"

  "CREATE TABLE withdrawals_owed ("
  "  id INTEGER PRIMARY KEY,"
  "  pack_id INTEGER NOT NULL UNIQUE REFERENCES packs (id),"
  "  reason TEXT NOT NULL"
  "    CHECK (reason IN ('MEDICAL_USE', 'EXPIRED', 'DAMAGED', 'LOST', 'RECALLED')),"
  "  owed_at TEXT NOT NULL,"
  "  outbox_id INTEGER REFERENCES outbox (id)"
  ");"
  "CREATE INDEX withdrawals_owed_pending ON withdrawals_owed (id) WHERE outbox_id IS NULL;"

  /* The movement's audit row now names the patient too: the same chain formula, new values
   * with patient_id. */
  "DROP TRIGGER audit_movements_insert;"
  "CREATE TRIGGER audit_movements_insert AFTER INSERT ON movements "
  "BEGIN"
  AUDIT_ROW ("'movements'", "NEW.id", "'insert'",
             "NULL",
             "(SELECT json_object ('id', NEW.id, 'pack_id', NEW.pack_id, 'ki', p.ki, 'batch', p.batch, 'expiry', p.expiry, 'act_id', p.act_id, 'at', NEW.at, 'actor', NEW.actor, 'kind', NEW.kind, 'from_location', NEW.from_location, 'to_location', NEW.to_location, 'units_delta', NEW.units_delta, 'units_after', NEW.units_after, 'status_after', NEW.status_after, 'location_after', NEW.location_after, 'reason', NEW.reason, 'document', NEW.document, 'patient_id', NEW.patient_id) FROM packs p WHERE p.id = NEW.pack_id)")
  "END;"

  "CREATE TRIGGER audit_patients_insert AFTER INSERT ON patients "
  "BEGIN"
  AUDIT_ROW ("'patients'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'iin', NEW.iin, 'record_number', NEW.record_number, 'created_at', NEW.created_at)")
  "END;"

  "CREATE TRIGGER audit_patients_update AFTER UPDATE ON patients "
  "BEGIN"
  AUDIT_ROW ("'patients'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'iin', OLD.iin, 'record_number', OLD.record_number, 'created_at', OLD.created_at)",
             "json_object ('id', NEW.id, 'iin', NEW.iin, 'record_number', NEW.record_number, 'created_at', NEW.created_at)")
  "END;"

  "CREATE TRIGGER audit_patients_delete AFTER DELETE ON patients "
  "BEGIN"
  AUDIT_ROW ("'patients'", "OLD.id", "'delete'",
             "json_object ('id', OLD.id, 'iin', OLD.iin, 'record_number', OLD.record_number, 'created_at', OLD.created_at)",
             "NULL")
  "END;"

  "CREATE TRIGGER audit_withdrawals_owed_insert AFTER INSERT ON withdrawals_owed "
  "BEGIN"
  AUDIT_ROW ("'withdrawals_owed'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'pack_id', NEW.pack_id, 'reason', NEW.reason, 'owed_at', NEW.owed_at, 'outbox_id', NEW.outbox_id)")
  "END;"

  "CREATE TRIGGER audit_withdrawals_owed_update AFTER UPDATE ON withdrawals_owed "
  "BEGIN"
  AUDIT_ROW ("'withdrawals_owed'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'pack_id', OLD.pack_id, 'reason', OLD.reason, 'owed_at', OLD.owed_at, 'outbox_id', OLD.outbox_id)",
             "json_object ('id', NEW.id, 'pack_id', NEW.pack_id, 'reason', NEW.reason, 'owed_at', NEW.owed_at, 'outbox_id', NEW.outbox_id)")
  "END;"

  "CREATE TRIGGER audit_withdrawals_owed_delete AFTER DELETE ON withdrawals_owed "
  "BEGIN"
  AUDIT_ROW ("'withdrawals_owed'", "OLD.id", "'delete'",
             "json_object ('id', OLD.id, 'pack_id', OLD.pack_id, 'reason', OLD.reason, 'owed_at', OLD.owed_at, 'outbox_id', OLD.outbox_id)",
             "NULL")
  "END;",

  /* 4 → 5: transfer documents (the printable paper that goes with packs moved to a ward;
   * each TRANSFER movement names its number in movements.document), and the hospital's
   * settings an administrator changes (such as sending withdrawals automatically), both
   * audited like everything else. */
  "CREATE TABLE transfers ("
  "  id INTEGER PRIMARY KEY,"
  "  number TEXT NOT NULL UNIQUE,"
  "  created_at TEXT NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  from_location INTEGER REFERENCES locations (id),"
  "  to_location INTEGER NOT NULL REFERENCES locations (id)"
  ");"
  "CREATE INDEX movements_document ON movements (document) WHERE document IS NOT NULL;"

  "CREATE TABLE settings ("
  "  key TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ");"

  "CREATE TRIGGER audit_transfers_insert AFTER INSERT ON transfers "
  "BEGIN"
  AUDIT_ROW ("'transfers'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'number', NEW.number, 'created_at', NEW.created_at, 'actor', NEW.actor, 'from_location', NEW.from_location, 'to_location', NEW.to_location)")
  "END;"

  "CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers "
  "BEGIN SELECT RAISE (ABORT, 'transfer documents are never changed'); END;"
  "CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers "
  "BEGIN SELECT RAISE (ABORT, 'transfer documents are never deleted'); END;"

  "CREATE TRIGGER audit_settings_insert AFTER INSERT ON settings "
  "BEGIN"
  AUDIT_ROW ("'settings'", "NEW.key", "'insert'",
             "NULL",
             "json_object ('key', NEW.key, 'value', NEW.value)")
  "END;"

  "CREATE TRIGGER audit_settings_update AFTER UPDATE ON settings "
  "BEGIN"
  AUDIT_ROW ("'settings'", "NEW.key", "'update'",
             "json_object ('key', OLD.key, 'value', OLD.value)",
             "json_object ('key', NEW.key, 'value', NEW.value)")
  "END;"

  "CREATE TRIGGER audit_settings_delete AFTER DELETE ON settings "
  "BEGIN"
  AUDIT_ROW ("'settings'", "OLD.key", "'delete'",
             "json_object ('key', OLD.key, 'value', OLD.value)",
             "NULL")
  "END;",

  /* 5 → 6: the key is the signer's. A user who signs has her IIN in her record, and a
   * document is signed only with a certificate of that IIN (qoima_user_check_signer()); a
   * clerk signs only when an administrator delegated it (may_sign). Each outbox document
   * names the certificate it was signed with, so its audit row does too. The audit
   * triggers of both tables are made again with the new columns. */
  "ALTER TABLE users ADD COLUMN iin TEXT CHECK (iin IS NULL OR (length (iin) = 12 AND iin NOT GLOB '*[^0-9]*'));"
  "ALTER TABLE users ADD COLUMN may_sign INTEGER NOT NULL DEFAULT 0 CHECK (may_sign IN (0, 1));"
  "CREATE UNIQUE INDEX users_iin ON users (iin) WHERE iin IS NOT NULL;"
  "ALTER TABLE outbox ADD COLUMN signer_serial TEXT;"
  "ALTER TABLE outbox ADD COLUMN signer_owner TEXT;"
  "ALTER TABLE outbox ADD COLUMN signer_iin TEXT;"

  "DROP TRIGGER audit_users_insert;"
  "DROP TRIGGER audit_users_update;"
  "DROP TRIGGER audit_users_delete;"
  "DROP TRIGGER audit_outbox_insert;"
  "DROP TRIGGER audit_outbox_update;"
  "DROP TRIGGER audit_outbox_delete;"

  "CREATE TRIGGER audit_users_insert AFTER INSERT ON users "
  "BEGIN"
  AUDIT_ROW ("'users'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'name', NEW.name, 'full_name', NEW.full_name, 'role', NEW.role, 'ward_id', NEW.ward_id, 'iterations', NEW.iterations, 'created_at', NEW.created_at, 'disabled', NEW.disabled, 'iin', NEW.iin, 'may_sign', NEW.may_sign)")
  "END;"

  "CREATE TRIGGER audit_users_update AFTER UPDATE ON users "
  "BEGIN"
  AUDIT_ROW ("'users'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'name', OLD.name, 'full_name', OLD.full_name, 'role', OLD.role, 'ward_id', OLD.ward_id, 'iterations', OLD.iterations, 'created_at', OLD.created_at, 'disabled', OLD.disabled, 'iin', OLD.iin, 'may_sign', OLD.may_sign)",
             "json_object ('id', NEW.id, 'name', NEW.name, 'full_name', NEW.full_name, 'role', NEW.role, 'ward_id', NEW.ward_id, 'iterations', NEW.iterations, 'created_at', NEW.created_at, 'disabled', NEW.disabled, 'iin', NEW.iin, 'may_sign', NEW.may_sign)")
  "END;"

  "CREATE TRIGGER audit_users_delete AFTER DELETE ON users "
  "BEGIN"
  AUDIT_ROW ("'users'", "OLD.id", "'delete'",
             "json_object ('id', OLD.id, 'name', OLD.name, 'full_name', OLD.full_name, 'role', OLD.role, 'ward_id', OLD.ward_id, 'iterations', OLD.iterations, 'created_at', OLD.created_at, 'disabled', OLD.disabled, 'iin', OLD.iin, 'may_sign', OLD.may_sign)",
             "NULL")
  "END;"

  "CREATE TRIGGER audit_outbox_insert AFTER INSERT ON outbox "
  "BEGIN"
  AUDIT_ROW ("'outbox'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'doc_type', NEW.doc_type, 'document_number', NEW.document_number, 'act_id', NEW.act_id, 'document_sha256', sha256 (NEW.document), 'signature_sha256', sha256 (NEW.signature), 'state', NEW.state, 'ismpt_id', NEW.ismpt_id, 'ismpt_status', NEW.ismpt_status, 'errors', NEW.errors, 'attempts', NEW.attempts, 'last_error', NEW.last_error, 'created_by', NEW.created_by, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'signer_serial', NEW.signer_serial, 'signer_owner', NEW.signer_owner, 'signer_iin', NEW.signer_iin)")
  "END;"

  "CREATE TRIGGER audit_outbox_update AFTER UPDATE ON outbox "
  "BEGIN"
  AUDIT_ROW ("'outbox'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'doc_type', OLD.doc_type, 'document_number', OLD.document_number, 'act_id', OLD.act_id, 'document_sha256', sha256 (OLD.document), 'signature_sha256', sha256 (OLD.signature), 'state', OLD.state, 'ismpt_id', OLD.ismpt_id, 'ismpt_status', OLD.ismpt_status, 'errors', OLD.errors, 'attempts', OLD.attempts, 'last_error', OLD.last_error, 'created_by', OLD.created_by, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'signer_serial', OLD.signer_serial, 'signer_owner', OLD.signer_owner, 'signer_iin', OLD.signer_iin)",
             "json_object ('id', NEW.id, 'doc_type', NEW.doc_type, 'document_number', NEW.document_number, 'act_id', NEW.act_id, 'document_sha256', sha256 (NEW.document), 'signature_sha256', sha256 (NEW.signature), 'state', NEW.state, 'ismpt_id', NEW.ismpt_id, 'ismpt_status', NEW.ismpt_status, 'errors', NEW.errors, 'attempts', NEW.attempts, 'last_error', NEW.last_error, 'created_by', NEW.created_by, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'signer_serial', NEW.signer_serial, 'signer_owner', NEW.signer_owner, 'signer_iin', NEW.signer_iin)")
  "END;"

  "CREATE TRIGGER audit_outbox_delete AFTER DELETE ON outbox "
  "BEGIN"
  AUDIT_ROW ("'outbox'", "OLD.id", "'delete'",
             "json_object ('id', OLD.id, 'doc_type', OLD.doc_type, 'document_number', OLD.document_number, 'act_id', OLD.act_id, 'document_sha256', sha256 (OLD.document), 'signature_sha256', sha256 (OLD.signature), 'state', OLD.state, 'ismpt_id', OLD.ismpt_id, 'ismpt_status', OLD.ismpt_status, 'errors', OLD.errors, 'attempts', OLD.attempts, 'last_error', OLD.last_error, 'created_by', OLD.created_by, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'signer_serial', OLD.signer_serial, 'signer_owner', OLD.signer_owner, 'signer_iin', OLD.signer_iin)",
             "NULL")
  "END;",

  /* 6 → 7: when the entry's latest send started. A document ИС МПТ does not list yet may
   * only be late in its list: it is not sent again until this is long enough ago. */
  "ALTER TABLE outbox ADD COLUMN sent_at TEXT;",

  /* 7 → 8: stock counts (инвентаризация, qoima-store-counts.c). A count and its scans are
   * audited like the stock they check; its findings are frozen when it is finished, so
   * the chief signs off what was found then, and the printed result never changes. The
   * corrections themselves are movements and owed write-offs, audited as always. */
  "CREATE TABLE counts ("
  "  id INTEGER PRIMARY KEY,"
  "  location_id INTEGER NOT NULL REFERENCES locations (id),"
  "  state TEXT NOT NULL CHECK (state IN ('open', 'finished', 'signed_off')),"
  "  started_by TEXT NOT NULL,"
  "  started_at TEXT NOT NULL,"
  "  finished_by TEXT,"
  "  finished_at TEXT,"
  "  signed_off_by TEXT,"
  "  signed_off_at TEXT"
  ");"
  /* One count of a location at a time, until the chief signs it off. */
  "CREATE UNIQUE INDEX counts_one_per_location ON counts (location_id) WHERE state <> 'signed_off';"
  "CREATE TABLE count_scans ("
  "  id INTEGER PRIMARY KEY,"
  "  count_id INTEGER NOT NULL REFERENCES counts (id),"
  "  ki TEXT NOT NULL,"
  "  box TEXT,"
  "  units INTEGER CHECK (units IS NULL OR units > 0),"
  "  scanned_by TEXT NOT NULL,"
  "  scanned_at TEXT NOT NULL,"
  "  UNIQUE (count_id, ki)"
  ");"
  "CREATE TABLE count_findings ("
  "  id INTEGER PRIMARY KEY,"
  "  count_id INTEGER NOT NULL REFERENCES counts (id),"
  "  ki TEXT NOT NULL,"
  "  gtin TEXT,"
  "  batch TEXT,"
  "  expiry TEXT,"
  "  finding TEXT NOT NULL"
  "    CHECK (finding IN ('found', 'missing', 'elsewhere', 'out_of_circulation', 'unknown')),"
  "  book_location_id INTEGER REFERENCES locations (id),"
  "  book_status TEXT,"
  "  book_units INTEGER,"
  "  counted_units INTEGER,"
  "  UNIQUE (count_id, ki)"
  ");"
  "CREATE TRIGGER count_findings_no_update BEFORE UPDATE ON count_findings "
  "BEGIN"
  "  SELECT RAISE (ABORT, 'a finished count''s findings do not change');"
  "END;"
  "CREATE TRIGGER count_findings_no_delete BEFORE DELETE ON count_findings "
  "BEGIN"
  "  SELECT RAISE (ABORT, 'a finished count''s findings do not change');"
  "END;"
  "CREATE TRIGGER audit_counts_insert AFTER INSERT ON counts "
  "BEGIN"
  AUDIT_ROW ("'counts'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'location_id', NEW.location_id, 'state', NEW.state, 'started_by', NEW.started_by, 'started_at', NEW.started_at, 'finished_by', NEW.finished_by, 'finished_at', NEW.finished_at, 'signed_off_by', NEW.signed_off_by, 'signed_off_at', NEW.signed_off_at)")
  "END;"
  "CREATE TRIGGER audit_counts_update AFTER UPDATE ON counts "
  "BEGIN"
  AUDIT_ROW ("'counts'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'location_id', OLD.location_id, 'state', OLD.state, 'started_by', OLD.started_by, 'started_at', OLD.started_at, 'finished_by', OLD.finished_by, 'finished_at', OLD.finished_at, 'signed_off_by', OLD.signed_off_by, 'signed_off_at', OLD.signed_off_at)",
             "json_object ('id', NEW.id, 'location_id', NEW.location_id, 'state', NEW.state, 'started_by', NEW.started_by, 'started_at', NEW.started_at, 'finished_by', NEW.finished_by, 'finished_at', NEW.finished_at, 'signed_off_by', NEW.signed_off_by, 'signed_off_at', NEW.signed_off_at)")
  "END;"
  "CREATE TRIGGER audit_count_scans_insert AFTER INSERT ON count_scans "
  "BEGIN"
  AUDIT_ROW ("'count_scans'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'count_id', NEW.count_id, 'ki', NEW.ki, 'box', NEW.box, 'units', NEW.units, 'scanned_by', NEW.scanned_by, 'scanned_at', NEW.scanned_at)")
  "END;"
  "CREATE TRIGGER audit_count_scans_update AFTER UPDATE ON count_scans "
  "BEGIN"
  AUDIT_ROW ("'count_scans'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'count_id', OLD.count_id, 'ki', OLD.ki, 'box', OLD.box, 'units', OLD.units, 'scanned_by', OLD.scanned_by, 'scanned_at', OLD.scanned_at)",
             "json_object ('id', NEW.id, 'count_id', NEW.count_id, 'ki', NEW.ki, 'box', NEW.box, 'units', NEW.units, 'scanned_by', NEW.scanned_by, 'scanned_at', NEW.scanned_at)")
  "END;",

  /* 8 → 9: the Stock page's lines, kept as a summary so that loading the page costs the
   * lines it shows, not the packs behind them (a GROUP BY over a million packs took 0.2 s).
   * A line is a product's batch and expiry at a location, over the packs in stock or
   * opened; batch and expiry are '' where the pack has none, so that they can be a key.
   * Triggers on packs keep it in the same transaction as every movement (the journal's
   * trigger updates the pack) and every receipt (a pack's insert), and the step fills it
   * from the packs already there. */
  "CREATE TABLE stock_lines ("
  "  gtin TEXT NOT NULL REFERENCES products (gtin),"
  "  batch TEXT NOT NULL,"
  "  expiry TEXT NOT NULL,"
  "  location_id INTEGER NOT NULL REFERENCES locations (id),"
  "  packs INTEGER NOT NULL CHECK (packs > 0),"
  "  units INTEGER NOT NULL,"
  "  opened INTEGER NOT NULL,"
  "  PRIMARY KEY (gtin, batch, expiry, location_id)"
  ") WITHOUT ROWID;"
  "INSERT INTO stock_lines (gtin, batch, expiry, location_id, packs, units, opened)"
  "  SELECT gtin, coalesce (batch, ''), coalesce (expiry, ''), location_id, count (*),"
  "         coalesce (sum (units_left), 0), sum (status = 'opened')"
  "  FROM packs WHERE status IN ('in_stock', 'opened')"
  "  GROUP BY gtin, coalesce (batch, ''), coalesce (expiry, ''), location_id;"
  STOCK_LINE_TRIGGER ("insert", "AFTER INSERT ON packs", STOCK_LINE_ADD)
  STOCK_LINE_TRIGGER ("delete", "AFTER DELETE ON packs", STOCK_LINE_REMOVE)
  STOCK_LINE_TRIGGER ("update",
                      "AFTER UPDATE OF gtin, batch, expiry, location_id, status, units_left ON packs "
                      "WHEN OLD.gtin IS NOT NEW.gtin OR OLD.batch IS NOT NEW.batch OR OLD.expiry IS NOT NEW.expiry"
                      "  OR OLD.location_id IS NOT NEW.location_id OR OLD.status IS NOT NEW.status"
                      "  OR OLD.units_left IS NOT NEW.units_left",
                      STOCK_LINE_REMOVE STOCK_LINE_ADD),
  /* 9 → 10: the hospital's registration in ИС МПТ (issue 12, qoima-store-registration.c): one
   * row, the wizard's draft as JSON (never a password) and the request's state, so that the
   * wizard resumes after a restart and knows whether the hospital is registered. Audited: it
   * is the hospital's identity toward ИС МПТ. */
  "CREATE TABLE registration ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  draft TEXT NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('draft', 'sent', 'confirmed', 'refused')),"
  "  request_id TEXT,"
  "  reason TEXT,"
  "  updated_at TEXT NOT NULL"
  ");"
  "CREATE TRIGGER audit_registration_insert AFTER INSERT ON registration "
  "BEGIN"
  AUDIT_ROW ("'registration'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'draft', NEW.draft, 'state', NEW.state, 'request_id', NEW.request_id, 'reason', NEW.reason, 'updated_at', NEW.updated_at)")
  "END;"
  "CREATE TRIGGER audit_registration_update AFTER UPDATE ON registration "
  "BEGIN"
  AUDIT_ROW ("'registration'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'draft', OLD.draft, 'state', OLD.state, 'request_id', OLD.request_id, 'reason', OLD.reason, 'updated_at', OLD.updated_at)",
             "json_object ('id', NEW.id, 'draft', NEW.draft, 'state', NEW.state, 'request_id', NEW.request_id, 'reason', NEW.reason, 'updated_at', NEW.updated_at)")
  "END;"
  "CREATE TRIGGER registration_no_delete BEFORE DELETE ON registration "
  "BEGIN SELECT RAISE (ABORT, 'the registration is never deleted'); END;",

  /* 10 → 11: the Fund's applications (seed 004, fund/qoima-store-fund.c): each version a row, its
   * form as JSON, its edits logged (R004-18). Once sent to the Fund nothing of its form
   * changes or is deleted (R004-22), which the triggers hold whatever the caller does. */
  "CREATE TABLE fund_applications ("
  "  id INTEGER PRIMARY KEY,"
  "  chain_id INTEGER NOT NULL,"
  "  version INTEGER NOT NULL CHECK (version > 0),"
  "  region TEXT NOT NULL,"
  "  status TEXT NOT NULL CHECK (status IN ('draft', 'chief_review', 'under_review', 'agreed_check',"
  "    'rejected_check', 'confirmed_approval', 'rejected_approval', 'included', 'rejected', 'excluded', 'changed')),"
  "  author TEXT NOT NULL,"
  "  created_at TEXT NOT NULL,"
  "  body TEXT NOT NULL CHECK (json_valid (body)),"
  "  chief_reason TEXT,"
  "  sent_at TEXT,"
  "  fund_id TEXT,"
  "  fund_reasons TEXT,"
  "  fund_note TEXT,"
  "  excluded_at TEXT,"
  "  UNIQUE (chain_id, version)"
  ");"
  "CREATE TABLE fund_application_edits ("
  "  id INTEGER PRIMARY KEY,"
  "  application_id INTEGER NOT NULL REFERENCES fund_applications (id) ON DELETE CASCADE,"
  "  at TEXT NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  detail TEXT"
  ");"
  "CREATE TABLE fund_attachments ("
  "  sha256 TEXT PRIMARY KEY NOT NULL,"
  "  data BLOB NOT NULL CHECK (length (data) <= 20971520)"
  ");"
  "CREATE TABLE fund_licenses ("
  "  number TEXT PRIMARY KEY NOT NULL,"
  "  body TEXT NOT NULL CHECK (json_valid (body)),"
  "  fetched_at TEXT NOT NULL"
  ");"
  "CREATE TRIGGER fund_applications_sent_frozen BEFORE UPDATE OF body, region, author, chain_id, version ON fund_applications "
  "WHEN OLD.status NOT IN ('draft', 'chief_review') "
  "BEGIN"
  "  SELECT RAISE (ABORT, 'an application sent to the Fund does not change');"
  "END;"
  "CREATE TRIGGER fund_applications_sent_kept BEFORE DELETE ON fund_applications "
  "WHEN OLD.status <> 'draft' "
  "BEGIN"
  "  SELECT RAISE (ABORT, 'only a draft application is deleted');"
  "END;",

  /* 11 → 12: co-payment (сооплата, seed 002; copay/qoima-store-copay.c): the limit prices with
   * their history, so a past month's registry uses the prices then in force, and one row
   * per dispensed pack, the registry's row (R002-11). A dispensing's stock change is its
   * movement and owed withdrawal, audited as always; the row itself never changes, since
   * the registry sent to the Fund must be printable again as it was. */
  "CREATE TABLE copay_limit_prices ("
  "  id INTEGER PRIMARY KEY,"
  "  inn TEXT NOT NULL,"
  "  form TEXT NOT NULL,"
  "  dosage TEXT NOT NULL,"
  "  unit TEXT NOT NULL,"
  "  price INTEGER NOT NULL CHECK (price >= 0)," /* tiyn per unit of measure */
  "  valid_from TEXT NOT NULL,"
  "  imported_at TEXT NOT NULL,"
  "  imported_by TEXT NOT NULL,"
  "  UNIQUE (inn, form, dosage, valid_from)"
  ");"
  "CREATE TABLE copay_dispensings ("
  "  id INTEGER PRIMARY KEY,"
  "  pack_id INTEGER NOT NULL UNIQUE REFERENCES packs (id),"
  "  movement_id INTEGER NOT NULL REFERENCES movements (id),"
  "  prescription_number TEXT NOT NULL,"
  "  prescription_date TEXT NOT NULL,"
  "  patient_iin TEXT NOT NULL CHECK (length (patient_iin) = 12 AND patient_iin NOT GLOB '*[^0-9]*'),"
  "  icd10 TEXT NOT NULL,"
  "  inn TEXT NOT NULL,"
  "  form TEXT NOT NULL,"
  "  dosage TEXT NOT NULL,"
  "  quantity INTEGER NOT NULL CHECK (quantity > 0),"
  "  trade_name TEXT NOT NULL,"
  "  unit TEXT NOT NULL,"
  "  price INTEGER NOT NULL CHECK (price >= 0),"
  "  limit_per_unit INTEGER NOT NULL CHECK (limit_per_unit >= 0),"
  "  fiscal_receipt TEXT NOT NULL CHECK (length (fiscal_receipt) BETWEEN 1 AND 80),"
  "  pharmacy_name TEXT NOT NULL,"
  "  pharmacy_bin TEXT NOT NULL,"
  "  region TEXT NOT NULL,"
  "  dispensed_at TEXT NOT NULL,"
  "  dispensed_by TEXT NOT NULL"
  ");"
  "CREATE INDEX copay_dispensings_at ON copay_dispensings (dispensed_at);"
  "CREATE TRIGGER copay_dispensings_no_update BEFORE UPDATE ON copay_dispensings "
  "BEGIN"
  "  SELECT RAISE (ABORT, 'a dispensing in the co-payment registry does not change');"
  "END;"
  "CREATE TRIGGER copay_dispensings_no_delete BEFORE DELETE ON copay_dispensings "
  "BEGIN"
  "  SELECT RAISE (ABORT, 'a dispensing in the co-payment registry does not change');"
  "END;",

  /* 12 → 13: a receipt's movements audited by one row for the whole batch (tbl 'receipts',
   * action 'insert', row_id its first movement), whose new_values hold the first and last
   * movement ids, their count and the SHA-256 of their lines (qoima-store-audit.c,
   * RECEIPT_LINES), which audit verify recomputes from the movements and their packs.
   * While the store's worker receives (qoima_audit_batch () true) the per-row trigger
   * stands aside; every other movement, and every other connection's, is audited row by
   * row as before. The index finds the batch a movement belongs to. */
  "DROP TRIGGER audit_movements_insert;"
  "CREATE TRIGGER audit_movements_insert AFTER INSERT ON movements "
  "WHEN NOT qoima_audit_batch () "
  "BEGIN"
  AUDIT_ROW ("'movements'", "NEW.id", "'insert'",
             "NULL",
             "(SELECT json_object ('id', NEW.id, 'pack_id', NEW.pack_id, 'ki', p.ki, 'batch', p.batch, 'expiry', p.expiry, 'act_id', p.act_id, 'at', NEW.at, 'actor', NEW.actor, 'kind', NEW.kind, 'from_location', NEW.from_location, 'to_location', NEW.to_location, 'units_delta', NEW.units_delta, 'units_after', NEW.units_after, 'status_after', NEW.status_after, 'location_after', NEW.location_after, 'reason', NEW.reason, 'document', NEW.document, 'patient_id', NEW.patient_id) FROM packs p WHERE p.id = NEW.pack_id)")
  "END;"
  "CREATE INDEX audit_receipts ON audit (row_id) WHERE tbl = 'receipts' AND action = 'insert';",

  /* 13 → 14: the workstation sending a document holds it for a while, so that two
   * workstations never send the same document at once; the claim ends when the document
   * leaves the sending state, or runs out (the workstation died) and another may take it
   * over, asking ИС МПТ first as after a crash. Not audited: it changes nothing that was
   * recorded, and the outbox row's own state says what happened. */
  "CREATE TABLE outbox_claims ("
  "  outbox_id INTEGER PRIMARY KEY REFERENCES outbox (id),"
  "  workstation TEXT NOT NULL,"
  "  until TEXT NOT NULL"
  ");",

  /* 14 → 15: a receipt batch's stock lines are added by one grouped statement at its end
   * (qoima-store.c, STOCK_LINES_ADD_BATCH), in the same transaction, rather than by the
   * pack insert trigger row by row, which was most of what a receipt still cost per pack
   * after its audit became one row (issue 10). While the store's worker receives
   * (qoima_audit_batch () true) the insert trigger stands aside; every other insert, and
   * every other connection's, keeps the line row by row as before. */
  "DROP TRIGGER stock_lines_insert;"
  STOCK_LINE_TRIGGER ("insert", "AFTER INSERT ON packs WHEN NOT qoima_audit_batch ()", STOCK_LINE_ADD),

  /* 15 → 16: nothing here. On PostgreSQL packs and act codes are audited on the columns
   * these triggers name (audit_packs_update, audit_act_codes_update), as here. */
  "-- the PostgreSQL step's twin",

  /* 16 → 17: a pack dispensed on an e-prescription (co-payment, R002-4) is withdrawn for its
   * own reason, DISPENSED (qoima-ismpt-documents.c's table of reasons), not for medical use.
   * SQLite changes no CHECK in place: the table is copied into one with the new set, its
   * rows as they were (no audit row: nothing recorded changes), and its index and audit
   * triggers made again as step 3 made them. */
  "DROP TRIGGER audit_withdrawals_owed_insert;"
  "DROP TRIGGER audit_withdrawals_owed_update;"
  "DROP TRIGGER audit_withdrawals_owed_delete;"
  "CREATE TABLE withdrawals_owed_new ("
  "  id INTEGER PRIMARY KEY,"
  "  pack_id INTEGER NOT NULL UNIQUE REFERENCES packs (id),"
  "  reason TEXT NOT NULL"
  "    CHECK (reason IN ('MEDICAL_USE', 'DISPENSED', 'EXPIRED', 'DAMAGED', 'LOST', 'RECALLED')),"
  "  owed_at TEXT NOT NULL,"
  "  outbox_id INTEGER REFERENCES outbox (id)"
  ");"
  "INSERT INTO withdrawals_owed_new (id, pack_id, reason, owed_at, outbox_id) "
  "  SELECT id, pack_id, reason, owed_at, outbox_id FROM withdrawals_owed;"
  "DROP TABLE withdrawals_owed;"
  "ALTER TABLE withdrawals_owed_new RENAME TO withdrawals_owed;"
  "CREATE INDEX withdrawals_owed_pending ON withdrawals_owed (id) WHERE outbox_id IS NULL;"
  "CREATE TRIGGER audit_withdrawals_owed_insert AFTER INSERT ON withdrawals_owed "
  "BEGIN"
  AUDIT_ROW ("'withdrawals_owed'", "NEW.id", "'insert'",
             "NULL",
             "json_object ('id', NEW.id, 'pack_id', NEW.pack_id, 'reason', NEW.reason, 'owed_at', NEW.owed_at, 'outbox_id', NEW.outbox_id)")
  "END;"
  "CREATE TRIGGER audit_withdrawals_owed_update AFTER UPDATE ON withdrawals_owed "
  "BEGIN"
  AUDIT_ROW ("'withdrawals_owed'", "NEW.id", "'update'",
             "json_object ('id', OLD.id, 'pack_id', OLD.pack_id, 'reason', OLD.reason, 'owed_at', OLD.owed_at, 'outbox_id', OLD.outbox_id)",
             "json_object ('id', NEW.id, 'pack_id', NEW.pack_id, 'reason', NEW.reason, 'owed_at', NEW.owed_at, 'outbox_id', NEW.outbox_id)")
  "END;"
  "CREATE TRIGGER audit_withdrawals_owed_delete AFTER DELETE ON withdrawals_owed "
  "BEGIN"
  AUDIT_ROW ("'withdrawals_owed'", "OLD.id", "'delete'",
             "json_object ('id', OLD.id, 'pack_id', OLD.pack_id, 'reason', OLD.reason, 'owed_at', OLD.owed_at, 'outbox_id', OLD.outbox_id)",
             "NULL")
  "END;",
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

  /* The audit trail's triggers call the store's SQL functions: any connection that may
   * change an audited table needs them, a future migration step's included. The worker
   * registers them again with itself as the source of the actor. */
  if (!qoima_audit_install (db, NULL, path, error))
    return FALSE;

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
