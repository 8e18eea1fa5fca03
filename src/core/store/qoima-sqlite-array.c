/* qoima-sqlite-array.c: rows in memory read by SQLite as a table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An eponymous virtual table over a C array, as SQLite's carray extension is over one of
 * integers or strings: one INSERT … SELECT then writes a whole batch, where a statement a
 * row would pay for its statement journal and trigger programs each time (issue 10).
 */

#include "config.h"

#include "qoima-sqlite-array.h"

#include <string.h>

#define ARRAY_POINTER_TYPE "qoima-sqlite-array"

typedef struct
{
  sqlite3_vtab parent;
} ArrayTable;

typedef struct
{
  sqlite3_vtab_cursor parent;
  const QoimaSqliteArray *array;
  guint row;
} ArrayCursor;

/* The array is the first column, hidden: the table-valued function's argument. */
static int
array_connect (sqlite3             *db,
               void                *aux,
               int                  argc,
               const char * const  *argv,
               sqlite3_vtab       **vtab,
               char               **message)
{
  g_autofree char *schema = g_strdup_printf ("CREATE TABLE x (array HIDDEN, %s)", (const char *) aux);
  ArrayTable *table;
  int rc = sqlite3_declare_vtab (db, schema);

  if (rc != SQLITE_OK)
    return rc;
  table = sqlite3_malloc (sizeof (ArrayTable));
  if (table == NULL)
    return SQLITE_NOMEM;
  memset (table, 0, sizeof (ArrayTable));
  sqlite3_vtab_config (db, SQLITE_VTAB_DIRECTONLY);
  *vtab = &table->parent;
  return SQLITE_OK;
}

static int
array_disconnect (sqlite3_vtab *vtab)
{
  sqlite3_free (vtab);
  return SQLITE_OK;
}

/* Only with its array given; the rows come in rowid order. */
static int
array_best_index (sqlite3_vtab       *vtab,
                  sqlite3_index_info *info)
{
  for (int i = 0; i < info->nConstraint; i++)
    {
      if (info->aConstraint[i].iColumn != 0 || info->aConstraint[i].op != SQLITE_INDEX_CONSTRAINT_EQ)
        continue;
      if (!info->aConstraint[i].usable)
        return SQLITE_CONSTRAINT;
      info->aConstraintUsage[i].argvIndex = 1;
      info->aConstraintUsage[i].omit = 1;
      info->estimatedCost = 1;
      if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == -1 && !info->aOrderBy[0].desc)
        info->orderByConsumed = 1;
      return SQLITE_OK;
    }
  return SQLITE_CONSTRAINT;
}

static int
array_open (sqlite3_vtab         *vtab,
            sqlite3_vtab_cursor **cursor)
{
  ArrayCursor *self = sqlite3_malloc (sizeof (ArrayCursor));

  if (self == NULL)
    return SQLITE_NOMEM;
  memset (self, 0, sizeof (ArrayCursor));
  *cursor = &self->parent;
  return SQLITE_OK;
}

static int
array_close (sqlite3_vtab_cursor *cursor)
{
  sqlite3_free (cursor);
  return SQLITE_OK;
}

static int
array_filter (sqlite3_vtab_cursor  *cursor,
              int                   index,
              const char           *index_name,
              int                   argc,
              sqlite3_value       **argv)
{
  ArrayCursor *self = (ArrayCursor *) cursor;

  self->array = argc == 1 ? sqlite3_value_pointer (argv[0], ARRAY_POINTER_TYPE) : NULL;
  self->row = 0;
  return SQLITE_OK;
}

static int
array_next (sqlite3_vtab_cursor *cursor)
{
  ((ArrayCursor *) cursor)->row++;
  return SQLITE_OK;
}

static int
array_eof (sqlite3_vtab_cursor *cursor)
{
  ArrayCursor *self = (ArrayCursor *) cursor;

  return self->array == NULL || self->row >= self->array->n_rows;
}

static int
array_column (sqlite3_vtab_cursor *cursor,
              sqlite3_context     *context,
              int                  column)
{
  ArrayCursor *self = (ArrayCursor *) cursor;

  if (column == 0)
    sqlite3_result_null (context);
  else
    self->array->column (self->array->data, self->row, column - 1, context);
  return SQLITE_OK;
}

static int
array_rowid (sqlite3_vtab_cursor *cursor,
             sqlite3_int64       *rowid)
{
  *rowid = ((ArrayCursor *) cursor)->row;
  return SQLITE_OK;
}

static const sqlite3_module array_module = {
  .iVersion = 0,
  .xCreate = NULL, /* eponymous only: there is no table of this name to create */
  .xConnect = array_connect,
  .xBestIndex = array_best_index,
  .xDisconnect = array_disconnect,
  .xOpen = array_open,
  .xClose = array_close,
  .xFilter = array_filter,
  .xNext = array_next,
  .xEof = array_eof,
  .xColumn = array_column,
  .xRowid = array_rowid,
};

int
qoima_sqlite_array_register (sqlite3    *db,
                             const char *name,
                             const char *columns)
{
  g_return_val_if_fail (db != NULL, SQLITE_MISUSE);
  g_return_val_if_fail (name != NULL && columns != NULL, SQLITE_MISUSE);

  /* @columns is a literal of the caller's, which outlives the connection. */
  return sqlite3_create_module (db, name, &array_module, (void *) columns);
}

int
qoima_sqlite_array_bind (sqlite3_stmt     *stmt,
                         int               index,
                         QoimaSqliteArray *array)
{
  g_return_val_if_fail (stmt != NULL && array != NULL && array->column != NULL, SQLITE_MISUSE);

  return sqlite3_bind_pointer (stmt, index, array, ARRAY_POINTER_TYPE, NULL);
}
