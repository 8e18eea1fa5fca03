/* qoima-stand-db.h: the stand's own SQLite state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define QOIMA_STAND_ERROR (qoima_stand_error_quark ())

typedef enum {
  QOIMA_STAND_ERROR_FAILED,
  QOIMA_STAND_ERROR_NOT_FOUND,
  QOIMA_STAND_ERROR_INVALID,
} QoimaStandError;

GQuark qoima_stand_error_quark (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

#define QOIMA_TYPE_STAND_DB (qoima_stand_db_get_type ())

G_DECLARE_FINAL_TYPE (QoimaStandDb, qoima_stand_db, QOIMA, STAND_DB, GObject)

/**
 * qoima_stand_db_open:
 * @path: a file path, or ":memory:"
 *
 * Opens (or creates) the stand's database in WAL mode and creates its tables.
 */
QoimaStandDb *qoima_stand_db_open (const char  *path,
                                   GError     **error);

sqlite3      *qoima_stand_db_get_handle (QoimaStandDb *self);

/* Prepares @sql; on failure sets @error with SQLite's message and returns NULL. */
sqlite3_stmt *qoima_stand_db_prepare (QoimaStandDb  *self,
                                      const char    *sql,
                                      GError       **error);
gboolean      qoima_stand_db_exec    (QoimaStandDb  *self,
                                      const char    *sql,
                                      GError       **error);
/* Steps a statement that returns no row (INSERT, UPDATE…). */
gboolean      qoima_stand_db_step_done (QoimaStandDb  *self,
                                        sqlite3_stmt  *stmt,
                                        GError       **error);

gboolean      qoima_stand_db_begin    (QoimaStandDb  *self,
                                       GError       **error);
gboolean      qoima_stand_db_commit   (QoimaStandDb  *self,
                                       GError       **error);
void          qoima_stand_db_rollback (QoimaStandDb  *self);

/* The meta table: small named values (the token secret, counters, the world's version). */
char         *qoima_stand_db_get_meta (QoimaStandDb *self,
                                       const char   *key);
gboolean      qoima_stand_db_set_meta (QoimaStandDb  *self,
                                       const char    *key,
                                       const char    *value,
                                       GError       **error);
/* Increments the counter @key and returns its new value (starting at 1), or -1 on error. */
gint64        qoima_stand_db_next_counter (QoimaStandDb  *self,
                                           const char    *key,
                                           GError       **error);

/* A participant's name, or NULL when @bin is not registered. */
char         *qoima_stand_db_get_participant_name (QoimaStandDb *self,
                                                   const char   *bin);

/* Convenience: the text of column @col, or NULL. */
const char   *qoima_stand_db_column_text (sqlite3_stmt *stmt,
                                          int           col);

G_END_DECLS
