/* qoima-act-line.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-act-line"

#include "config.h"

#include "qoima-act-line.h"

#include "qoima-store-private.h"

struct _QoimaActLine
{
  GObject parent_instance;

  char *gtin;
  char *name;
  int   expected;
  int   scanned;
};

G_DEFINE_FINAL_TYPE (QoimaActLine, qoima_act_line, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_EXPECTED,
  PROP_GTIN,
  PROP_NAME,
  PROP_SCANNED,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
qoima_act_line_finalize (GObject *object)
{
  QoimaActLine *self = QOIMA_ACT_LINE (object);

  g_free (self->gtin);
  g_free (self->name);

  G_OBJECT_CLASS (qoima_act_line_parent_class)->finalize (object);
}

static void
qoima_act_line_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  QoimaActLine *self = QOIMA_ACT_LINE (object);

  switch (prop_id)
    {
    case PROP_EXPECTED:
      g_value_set_int (value, self->expected);
      break;

    case PROP_GTIN:
      g_value_set_string (value, self->gtin);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_SCANNED:
      g_value_set_int (value, self->scanned);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_act_line_class_init (QoimaActLineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = qoima_act_line_finalize;
  object_class->get_property = qoima_act_line_get_property;

  properties[PROP_EXPECTED] =
    g_param_spec_int ("expected", NULL, NULL, 0, G_MAXINT, 0,
                      (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_GTIN] =
    g_param_spec_string ("gtin", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_SCANNED] =
    g_param_spec_int ("scanned", NULL, NULL, 0, G_MAXINT, 0,
                      (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
qoima_act_line_init (QoimaActLine *self)
{
}

const char *
qoima_act_line_get_gtin (QoimaActLine *self)
{
  g_return_val_if_fail (QOIMA_IS_ACT_LINE (self), NULL);

  return self->gtin;
}

const char *
qoima_act_line_get_name (QoimaActLine *self)
{
  g_return_val_if_fail (QOIMA_IS_ACT_LINE (self), NULL);

  return self->name;
}

int
qoima_act_line_get_expected (QoimaActLine *self)
{
  g_return_val_if_fail (QOIMA_IS_ACT_LINE (self), 0);

  return self->expected;
}

int
qoima_act_line_get_scanned (QoimaActLine *self)
{
  g_return_val_if_fail (QOIMA_IS_ACT_LINE (self), 0);

  return self->scanned;
}

static void
list_act_lines_job (QoimaStoreWorker *worker,
                    GTask            *task)
{
  gint64 act_id = *(gint64 *) g_task_get_task_data (task);
  g_autoptr(GListStore) lines = g_list_store_new (QOIMA_TYPE_ACT_LINE);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(QoimaDbStmt) stmt = NULL;
  QoimaDbStep next;

  /* Boxes are counted through their packs (kind 'pack' rows carry the box as parent), so
   * a line counts each pack once whichever way it arrived. The name is grouped by too, as
   * PostgreSQL asks; a GTIN has one. */
  stmt = qoima_db_prepare (qoima_store_worker_get_db (worker),
                           "SELECT c.gtin, p.name_ru, count (*), count (c.scanned_at) "
                           "FROM act_codes c LEFT JOIN products p ON p.gtin = c.gtin "
                           "WHERE c.act_id = ?1 AND c.kind = 'pack' "
                           "GROUP BY c.gtin, p.name_ru ORDER BY coalesce (p.name_ru, c.gtin), c.gtin",
                           &local_error);
  if (stmt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  qoima_db_bind_int64 (stmt, 1, act_id);
  while ((next = qoima_db_step (stmt, &local_error)) == QOIMA_DB_ROW)
    {
      g_autoptr(QoimaActLine) line = g_object_new (QOIMA_TYPE_ACT_LINE, NULL);

      line->gtin = qoima_store_column_dup (stmt, 0);
      line->name = qoima_store_column_dup (stmt, 1);
      line->expected = qoima_db_column_int64 (stmt, 2);
      line->scanned = qoima_db_column_int64 (stmt, 3);
      g_list_store_append (lines, line);
    }

  if (next == QOIMA_DB_ERROR_STEP)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&lines), g_object_unref);
}

void
qoima_store_list_act_lines_async (QoimaStore          *self,
                                  gint64               act_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_store_list_act_lines_async);
  g_task_set_task_data (task, g_memdup2 (&act_id, sizeof act_id), g_free);
  qoima_store_queue_job (self, list_act_lines_job, task);
}

GListModel *
qoima_store_list_act_lines_finish (QoimaStore    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (qoima_store_task_is_valid (self, result, qoima_store_list_act_lines_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
