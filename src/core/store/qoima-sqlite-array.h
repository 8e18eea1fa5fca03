/* qoima-sqlite-array.h: rows in memory read by SQLite as a table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Sets the value of @column (0 for the first declared) of row @row on @context, as a
 * function's result; text may be given SQLITE_STATIC: it is read while the statement runs. */
typedef void (*QoimaSqliteArrayColumnFunc) (gconstpointer    data,
                                            guint            row,
                                            int              column,
                                            sqlite3_context *context);

/* What a statement reads: bound with qoima_sqlite_array_bind (), for as long as it runs. */
typedef struct
{
  gconstpointer data;
  guint n_rows;
  QoimaSqliteArrayColumnFunc column;
} QoimaSqliteArray;

/* Makes the table-valued function @name, whose columns are @columns ("a, b, c"): a statement
 * reads the rows of the array bound to its argument, in their order (rowid 0, 1, …), with
 * SELECT … FROM @name (?1). Only the statements of @db's owner may use it (never a trigger
 * or a view of the schema). */
int  qoima_sqlite_array_register (sqlite3          *db,
                                  const char       *name,
                                  const char       *columns);
int  qoima_sqlite_array_bind     (sqlite3_stmt     *stmt,
                                  int               index,
                                  QoimaSqliteArray *array);

G_END_DECLS
