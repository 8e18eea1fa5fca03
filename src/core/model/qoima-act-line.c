/* qoima-act-line.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-act-line"

#include "config.h"

#include "qoima-act-line.h"

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

QoimaActLine *
qoima_act_line_new (const char *gtin,
                    const char *name,
                    int         expected,
                    int         scanned)
{
  QoimaActLine *self = g_object_new (QOIMA_TYPE_ACT_LINE, NULL);

  self->gtin = g_strdup (gtin);
  self->name = g_strdup (name);
  self->expected = expected;
  self->scanned = scanned;
  return self;
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
