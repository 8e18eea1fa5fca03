/* qoima-fund-kato.c: the KATO classifier, read from its CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-fund"

#include "config.h"

#include "qoima-fund-kato.h"

#include <glib/gi18n.h>

typedef struct {
  char *code;
  char *name;
  char *parent; /* the parent's code, NULL at the top */
  gboolean has_children;
} KatoObject;

struct _QoimaFundKato {
  GHashTable *by_code; /* code → KatoObject */
};

static void
kato_object_free (KatoObject *object)
{
  g_free (object->code);
  g_free (object->name);
  g_free (object->parent);
  g_free (object);
}

void
qoima_fund_kato_free (QoimaFundKato *kato)
{
  if (kato == NULL)
    return;
  g_hash_table_unref (kato->by_code);
  g_free (kato);
}

QoimaFundKato *
qoima_fund_kato_load (const char  *path,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) parent_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) objects = g_ptr_array_new ();
  g_autoptr(QoimaFundKato) kato = g_new0 (QoimaFundKato, 1);
  const char *text;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  text = g_str_has_prefix (contents, "\xEF\xBB\xBF") ? contents + 3 : contents;
  kato->by_code = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) kato_object_free);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++) /* line 0 is the header */
    {
      g_auto(GStrv) fields = g_strsplit (g_strchomp (lines[i]), ";", 4);
      KatoObject *object;

      if (g_strv_length (fields) < 4)
        continue;
      if (strlen (fields[2]) != 9)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s, line %u: a KATO code has 9 digits."), path, i + 1);
          return NULL;
        }
      object = g_new0 (KatoObject, 1);
      object->code = g_strdup (fields[2]);
      object->name = g_strdup (fields[3]);
      g_hash_table_replace (kato->by_code, object->code, object);
      g_hash_table_replace (by_id, g_strdup (fields[0]), object);
      g_ptr_array_add (objects, object);
      g_ptr_array_add (parent_ids, g_strdup (fields[1]));
    }
  /* The hierarchy is given by the parent links, not by the digits (§2.1). */
  for (guint i = 0; i < objects->len; i++)
    {
      KatoObject *object = g_ptr_array_index (objects, i);
      KatoObject *parent = g_hash_table_lookup (by_id, g_ptr_array_index (parent_ids, i));

      if (parent != NULL)
        {
          object->parent = g_strdup (parent->code);
          parent->has_children = TRUE;
        }
    }
  return g_steal_pointer (&kato);
}

QoimaFundKato *
qoima_fund_kato_default (void)
{
  const char *path = g_getenv ("QOIMA_KATO_CSV");

  /* No installed copy yet: the registration's reference data will bring one. */
  return path != NULL ? qoima_fund_kato_load (path, NULL) : NULL;
}

const char *
qoima_fund_kato_name (QoimaFundKato *kato,
                      const char    *code)
{
  KatoObject *object = code != NULL ? g_hash_table_lookup (kato->by_code, code) : NULL;

  return object != NULL ? object->name : NULL;
}

gboolean
qoima_fund_kato_is_leaf (QoimaFundKato *kato,
                         const char    *code)
{
  KatoObject *object = code != NULL ? g_hash_table_lookup (kato->by_code, code) : NULL;

  return object != NULL && !object->has_children;
}

const char *
qoima_fund_kato_region (QoimaFundKato *kato,
                        const char    *code)
{
  KatoObject *object = code != NULL ? g_hash_table_lookup (kato->by_code, code) : NULL;

  while (object != NULL && object->parent != NULL)
    object = g_hash_table_lookup (kato->by_code, object->parent);
  return object != NULL ? object->code : NULL;
}
