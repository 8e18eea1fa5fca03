/* qoima-reference.c: the registration's reference directories as replaceable data files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n.h>

#include "qoima-identifiers.h"
#include "qoima-reference.h"

typedef struct {
  QoimaReferenceEntry entry;
  char **columns;   /* owns the strings the entry points to */
  char  *folded;    /* the name folded for search */
} Row;

struct _QoimaReference {
  QoimaReferenceKind kind;
  GPtrArray  *rows;       /* Row */
  GHashTable *by_code;    /* code → Row */
  GHashTable *by_id;      /* KATO id → Row */
  GHashTable *children;   /* KATO parent id → GPtrArray of entries */
};

static const struct {
  const char *name;
  const char *file;
  guint       n_columns;
} kinds[QOIMA_REFERENCE_N_KINDS] = {
  [QOIMA_REFERENCE_KATO]           = { "kato", "kato.csv", 4 },
  [QOIMA_REFERENCE_TAX_OFFICES]    = { "tax-offices", "tax-offices.csv", 2 },
  [QOIMA_REFERENCE_BANKS]          = { "banks", "banks.csv", 3 },
  [QOIMA_REFERENCE_PRODUCT_GROUPS] = { "product-groups", "product-groups.csv", 3 },
};

const char *
qoima_reference_kind_to_string (QoimaReferenceKind kind)
{
  g_return_val_if_fail (kind < QOIMA_REFERENCE_N_KINDS, NULL);
  return kinds[kind].name;
}

gboolean
qoima_reference_kind_from_string (const char         *name,
                                  QoimaReferenceKind *kind)
{
  for (guint i = 0; i < QOIMA_REFERENCE_N_KINDS; i++)
    if (g_strcmp0 (name, kinds[i].name) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

/* Case folded, "ё" as "е": people type either, and KATO writes both. */
static char *
fold (const char *text)
{
  g_autofree char *folded = g_utf8_casefold (text, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (out, c == 0x0451 ? 0x0435 : c);
    }
  return g_string_free (out, FALSE);
}

static void
row_free (Row *row)
{
  g_strfreev (row->columns);
  g_free (row->folded);
  g_free (row);
}

void
qoima_reference_free (QoimaReference *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->rows);
  g_hash_table_unref (self->by_code);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->children, g_hash_table_unref);
  g_free (self);
}

static gboolean
all_digits (const char *text,
            gsize       length)
{
  if (strlen (text) != length)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
parse_id (const char *text,
          guint      *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
    return FALSE;
  *id = value;
  return TRUE;
}

/* Fills @row's entry from its columns, checking each one's form for @kind. */
static gboolean
fill_row (QoimaReferenceKind kind,
          Row               *row)
{
  char **c = row->columns;
  QoimaReferenceEntry *e = &row->entry;

  switch (kind)
    {
    case QOIMA_REFERENCE_KATO:
      /* id;parent_id;code;name — 9-digit codes (wizards-and-copay.md §2.1). */
      if (!parse_id (c[0], &e->id) || e->id == 0 || !parse_id (c[1], &e->parent_id) ||
          !all_digits (c[2], 9))
        return FALSE;
      e->code = c[2];
      e->name = c[3];
      break;
    case QOIMA_REFERENCE_TAX_OFFICES:
      /* Four digits RRNN (§3). */
      if (!all_digits (c[0], 4))
        return FALSE;
      e->code = c[0];
      e->name = c[1];
      break;
    case QOIMA_REFERENCE_BANKS:
      if (!qoima_bic_is_valid (c[0]) || !all_digits (c[1], 3))
        return FALSE;
      e->code = c[0];
      e->bank_code = c[1];
      e->name = c[2];
      break;
    case QOIMA_REFERENCE_PRODUCT_GROUPS:
      if (*c[0] == '\0' || (g_strcmp0 (c[2], "confirmed") != 0 && g_strcmp0 (c[2], "designed") != 0))
        return FALSE;
      e->code = c[0];
      e->name = c[1];
      e->confidence = c[2];
      break;
    default:
      g_assert_not_reached ();
    }
  return *e->name != '\0';
}

QoimaReference *
qoima_reference_parse (QoimaReferenceKind   kind,
                       const char          *text,
                       gsize                length,
                       GError             **error)
{
  g_autoptr(QoimaReference) self = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *copy = NULL;
  gboolean header_seen = FALSE;

  g_return_val_if_fail (kind < QOIMA_REFERENCE_N_KINDS, NULL);

  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The %s directory is not UTF-8 text."), kinds[kind].name);
      return NULL;
    }
  copy = g_strndup (text, length);

  self = g_new0 (QoimaReference, 1);
  self->kind = kind;
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  self->by_code = g_hash_table_new (g_str_hash, g_str_equal);
  if (kind == QOIMA_REFERENCE_KATO)
    {
      self->by_id = g_hash_table_new (NULL, NULL);
      self->children = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
    }

  lines = g_strsplit (g_str_has_prefix (copy, "\xEF\xBB\xBF") ? copy + 3 : copy, "\n", -1);
  for (guint n = 0; lines[n] != NULL; n++)
    {
      char *line = g_strchomp (lines[n]);   /* also a Windows editor's \r */
      Row *row;

      if (*line == '\0' || *line == '#')
        continue;
      if (!header_seen)
        {
          header_seen = TRUE;
          continue;
        }

      row = g_new0 (Row, 1);
      row->columns = g_strsplit (line, ";", -1);
      if (g_strv_length (row->columns) != kinds[kind].n_columns || !fill_row (kind, row))
        {
          row_free (row);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Line %u of the %s directory is not in its form: %s"),
                       n + 1, kinds[kind].name, line);
          return NULL;
        }
      if (g_hash_table_contains (self->by_code, row->entry.code) ||
          (self->by_id != NULL && g_hash_table_contains (self->by_id, GUINT_TO_POINTER (row->entry.id))))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Line %u of the %s directory repeats the code %s."),
                       n + 1, kinds[kind].name, row->entry.code);
          row_free (row);
          return NULL;
        }
      row->folded = fold (row->entry.name);
      g_ptr_array_add (self->rows, row);
      g_hash_table_insert (self->by_code, (gpointer) row->entry.code, row);
      if (self->by_id != NULL)
        g_hash_table_insert (self->by_id, GUINT_TO_POINTER (row->entry.id), row);
    }

  if (self->rows->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The %s directory has no entries."), kinds[kind].name);
      return NULL;
    }

  /* KATO is a tree by parent links: every parent must be there, so that a leaf is a leaf. */
  if (kind == QOIMA_REFERENCE_KATO)
    for (guint i = 0; i < self->rows->len; i++)
      {
        Row *row = g_ptr_array_index (self->rows, i);
        GPtrArray *siblings;

        if (row->entry.parent_id != 0)
          {
            Row *parent = g_hash_table_lookup (self->by_id, GUINT_TO_POINTER (row->entry.parent_id));

            if (parent == NULL || parent == row)
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             _("The KATO entry %s names a parent %u that is not in the directory."),
                             row->entry.code, row->entry.parent_id);
                return NULL;
              }
            parent->entry.n_children++;
          }
        siblings = g_hash_table_lookup (self->children, GUINT_TO_POINTER (row->entry.parent_id));
        if (siblings == NULL)
          {
            siblings = g_ptr_array_new ();
            g_hash_table_insert (self->children, GUINT_TO_POINTER (row->entry.parent_id), siblings);
          }
        g_ptr_array_add (siblings, &row->entry);
      }

  return g_steal_pointer (&self);
}

char *
qoima_reference_get_import_dir (void)
{
  const char *dir = g_getenv ("QOIMA_REFERENCE_DIR");

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  return g_build_filename (g_get_user_data_dir (), "qoima", "reference", NULL);
}

char *
qoima_reference_get_path (QoimaReferenceKind kind)
{
  g_autofree char *import_dir = qoima_reference_get_import_dir ();
  const char *source_root = g_getenv ("QOIMA_SOURCE_ROOT");
  g_autofree char *imported = g_build_filename (import_dir, kinds[kind].file, NULL);
  g_autofree char *installed = g_build_filename (PKGDATADIR, "reference", kinds[kind].file, NULL);

  if (g_file_test (imported, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&imported);
  if (source_root != NULL)
    return g_build_filename (source_root, "data", "reference", kinds[kind].file, NULL);
  return g_steal_pointer (&installed);
}

QoimaReference *
qoima_reference_load (QoimaReferenceKind   kind,
                      GError             **error)
{
  g_autofree char *path = qoima_reference_get_path (kind);
  g_autofree char *text = NULL;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  return qoima_reference_parse (kind, text, length, error);
}

gint
qoima_reference_import (QoimaReferenceKind   kind,
                        const char          *path,
                        GError             **error)
{
  g_autoptr(QoimaReference) checked = NULL;
  g_autofree char *text = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *target = NULL;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, error))
    return -1;
  checked = qoima_reference_parse (kind, text, length, error);
  if (checked == NULL)
    return -1;

  dir = qoima_reference_get_import_dir ();
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved));
      return -1;
    }
  target = g_build_filename (dir, kinds[kind].file, NULL);
  /* g_file_set_contents writes a temporary file and renames it: all or nothing. */
  if (!g_file_set_contents (target, text, length, error))
    return -1;
  return checked->rows->len;
}

QoimaReferenceKind
qoima_reference_get_kind (QoimaReference *self)
{
  return self->kind;
}

guint
qoima_reference_get_n_entries (QoimaReference *self)
{
  return self->rows->len;
}

const QoimaReferenceEntry *
qoima_reference_get_entry (QoimaReference *self,
                           guint           index)
{
  g_return_val_if_fail (index < self->rows->len, NULL);
  return &((Row *) g_ptr_array_index (self->rows, index))->entry;
}

const QoimaReferenceEntry *
qoima_reference_lookup (QoimaReference *self,
                        const char     *code)
{
  Row *row;

  if (code == NULL)
    return NULL;
  row = g_hash_table_lookup (self->by_code, code);
  return row != NULL ? &row->entry : NULL;
}

const QoimaReferenceEntry *
qoima_reference_lookup_id (QoimaReference *self,
                           guint           id)
{
  Row *row;

  if (self->by_id == NULL)
    return NULL;
  row = g_hash_table_lookup (self->by_id, GUINT_TO_POINTER (id));
  return row != NULL ? &row->entry : NULL;
}

GPtrArray *
qoima_reference_get_children (QoimaReference            *self,
                              const QoimaReferenceEntry *parent)
{
  GPtrArray *children;

  if (self->children == NULL)
    return g_ptr_array_new ();
  children = g_hash_table_lookup (self->children, GUINT_TO_POINTER (parent != NULL ? parent->id : 0));
  return children != NULL ? g_ptr_array_copy (children, NULL, NULL) : g_ptr_array_new ();
}

char *
qoima_reference_get_path_name (QoimaReference            *self,
                               const QoimaReferenceEntry *entry)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GString *out = g_string_new (NULL);

  /* Bounded by the 5 levels (and by the count, against a loop in an imported file). */
  for (guint depth = 0; entry != NULL && depth < 16; depth++)
    {
      g_ptr_array_insert (names, 0, (gpointer) entry->name);
      entry = entry->parent_id != 0 ? qoima_reference_lookup_id (self, entry->parent_id) : NULL;
    }
  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, g_ptr_array_index (names, i));
    }
  return g_string_free (out, FALSE);
}

GPtrArray *
qoima_reference_search (QoimaReference *self,
                        const char     *query,
                        guint           limit)
{
  g_autofree char *folded = fold (query != NULL ? query : "");
  g_auto(GStrv) words = g_strsplit_set (folded, " ,", -1);
  g_autofree char *stripped = g_strstrip (g_strdup (query != NULL ? query : ""));
  GPtrArray *found = g_ptr_array_new ();

  if (*stripped == '\0')
    return found;

  /* A linear scan: 16k short names are well under a millisecond, and need no index to keep. */
  for (guint i = 0; i < self->rows->len && (limit == 0 || found->len < limit); i++)
    {
      Row *row = g_ptr_array_index (self->rows, i);
      gboolean match = g_str_has_prefix (row->entry.code, stripped);

      if (!match)
        {
          match = TRUE;
          for (guint w = 0; words[w] != NULL && match; w++)
            if (*words[w] != '\0' && strstr (row->folded, words[w]) == NULL)
              match = FALSE;
        }
      if (match)
        g_ptr_array_add (found, &row->entry);
    }
  return found;
}
