/* qoima-store-private.h: what the store's own files share, and tests may use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "qoima-store.h"

G_BEGIN_DECLS

/* PRAGMA application_id of a Qoima database ("Qoim"), so a foreign SQLite file is refused. */
#define QOIMA_STORE_APPLICATION_ID 0x516f696d

/*
 * Brings @db from its PRAGMA user_version up to %QOIMA_STORE_SCHEMA_VERSION in one
 * transaction. @path names the file in messages. Fails with QOIMA_STORE_ERROR_TOO_NEW when
 * the file was written by a newer Qoima, and CORRUPT when it is some other program's
 * database. Must run on the store's worker thread.
 */
gboolean       qoima_store_migrate            (sqlite3     *db,
                                               const char  *path,
                                               GError     **error);

/*
 * Sets @error from an SQLite result code: the QOIMA_STORE_ERROR code that fits @rc, a
 * message for the user naming @path, and SQLite's own text (from @db when it has one,
 * else sqlite3_errstr()) in parentheses for administrators.
 */
void           qoima_store_set_sqlite_error   (GError     **error,
                                               sqlite3     *db,
                                               int          rc,
                                               const char  *path);

/* Row helpers: read a record from the columns of @stmt, starting at column @first. */
QoimaProduct  *qoima_store_product_from_row   (sqlite3_stmt *stmt,
                                               int           first);
QoimaLocation *qoima_store_location_from_row  (sqlite3_stmt *stmt,
                                               int           first);

/* The column list qoima_store_product_from_row() and _location_from_row() expect,
 * for tables aliased "p" (products) and "l" (locations). */
#define QOIMA_STORE_PRODUCT_COLUMNS \
  "p.gtin, p.name_ru, p.name_kk, p.inn, p.form, p.dosage, p.manufacturer, p.units_per_pack"
#define QOIMA_STORE_PRODUCT_N_COLUMNS 8
#define QOIMA_STORE_LOCATION_COLUMNS "l.id, l.kind, l.name_ru, l.name_kk"
#define QOIMA_STORE_LOCATION_N_COLUMNS 4

G_END_DECLS
