/* qoima-context.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-context"

#include "config.h"

#include "qoima-context.h"

struct _QoimaContext
{
  GObject parent_instance;

  /* Owned references */
  QoimaStore       *store;
  GSettings        *settings;
  QoimaIsmptClient *client;
  QoimaSync        *sync;
  QoimaSigner      *auth_signer;
  QoimaSigner      *signer;
  QoimaUser        *user;
};

G_DEFINE_FINAL_TYPE (QoimaContext, qoima_context, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_STORE,
  PROP_SYNC,
  PROP_USER,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
qoima_context_constructed (GObject *object)
{
  QoimaContext *self = (QoimaContext *) object;

  G_OBJECT_CLASS (qoima_context_parent_class)->constructed (object);

  g_assert (QOIMA_IS_STORE (self->store));
  g_assert (G_IS_SETTINGS (self->settings));
}

static void
qoima_context_dispose (GObject *object)
{
  QoimaContext *self = (QoimaContext *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->sync);
  g_clear_object (&self->client);
  g_clear_object (&self->auth_signer);
  g_clear_object (&self->signer);
  g_clear_object (&self->user);

  G_OBJECT_CLASS (qoima_context_parent_class)->dispose (object);
}

static void
qoima_context_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  QoimaContext *self = QOIMA_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, qoima_context_get_settings (self));
      break;

    case PROP_STORE:
      g_value_set_object (value, qoima_context_get_store (self));
      break;
    case PROP_SYNC:
      g_value_set_object (value, qoima_context_get_sync (self));
      break;

    case PROP_USER:
      g_value_set_object (value, qoima_context_get_user (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_context_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  QoimaContext *self = QOIMA_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_USER:
      qoima_context_set_user (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
qoima_context_class_init (QoimaContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = qoima_context_constructed;
  object_class->dispose = qoima_context_dispose;
  object_class->get_property = qoima_context_get_property;
  object_class->set_property = qoima_context_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         QOIMA_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL,
                         QOIMA_TYPE_SYNC,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_USER] =
    g_param_spec_object ("user", NULL, NULL,
                         QOIMA_TYPE_USER,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
qoima_context_init (QoimaContext *self)
{
}

QoimaContext *
qoima_context_new (QoimaStore *store,
                   GSettings  *settings)
{
  g_return_val_if_fail (QOIMA_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (QOIMA_TYPE_CONTEXT,
                       "store", store,
                       "settings", settings,
                       NULL);
}

/**
 * qoima_context_get_store:
 *
 * Returns: (transfer none): the warehouse
 */
QoimaStore *
qoima_context_get_store (QoimaContext *self)
{
  g_return_val_if_fail (QOIMA_IS_CONTEXT (self), NULL);

  return self->store;
}

/**
 * qoima_context_get_settings:
 *
 * Returns: (transfer none): the application's settings
 */
GSettings *
qoima_context_get_settings (QoimaContext *self)
{
  g_return_val_if_fail (QOIMA_IS_CONTEXT (self), NULL);

  return self->settings;
}

void
qoima_context_set_ismpt (QoimaContext     *self,
                         QoimaIsmptClient *client,
                         QoimaSync        *sync)
{
  g_return_if_fail (QOIMA_IS_CONTEXT (self));
  g_return_if_fail (QOIMA_IS_ISMPT_CLIENT (client));
  g_return_if_fail (QOIMA_IS_SYNC (sync));
  g_return_if_fail (self->sync == NULL);

  self->client = g_object_ref (client);
  self->sync = g_object_ref (sync);
  if (self->auth_signer != NULL)
    qoima_ismpt_client_set_auth_signer (self->client, self->auth_signer);
  qoima_sync_set_auto_signer (self->sync, self->signer);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
}

/**
 * qoima_context_get_client:
 *
 * Returns: (transfer none) (nullable): the ИС МПТ client
 */
QoimaIsmptClient *
qoima_context_get_client (QoimaContext *self)
{
  g_return_val_if_fail (QOIMA_IS_CONTEXT (self), NULL);
  return self->client;
}

/**
 * qoima_context_get_sync:
 *
 * Returns: (transfer none) (nullable): the sync
 */
QoimaSync *
qoima_context_get_sync (QoimaContext *self)
{
  g_return_val_if_fail (QOIMA_IS_CONTEXT (self), NULL);
  return self->sync;
}

void
qoima_context_set_auth_signer (QoimaContext *self,
                               QoimaSigner  *signer)
{
  g_return_if_fail (QOIMA_IS_CONTEXT (self));
  g_return_if_fail (signer == NULL || QOIMA_IS_SIGNER (signer));

  g_set_object (&self->auth_signer, signer);
  if (self->client != NULL)
    qoima_ismpt_client_set_auth_signer (self->client, signer);
}

/**
 * qoima_context_get_auth_signer:
 *
 * Returns: (transfer none) (nullable): the AUTH key of this session
 */
QoimaSigner *
qoima_context_get_auth_signer (QoimaContext *self)
{
  g_return_val_if_fail (QOIMA_IS_CONTEXT (self), NULL);
  return self->auth_signer;
}

void
qoima_context_set_signer (QoimaContext *self,
                          QoimaSigner  *signer)
{
  g_return_if_fail (QOIMA_IS_CONTEXT (self));
  g_return_if_fail (signer == NULL || QOIMA_IS_SIGNER (signer));

  g_set_object (&self->signer, signer);
  /* The key opened at this workstation also signs owed medical-use withdrawals at each sync,
   * but only when an administrator allowed it (the sync reads the hospital's setting). */
  if (self->sync != NULL)
    qoima_sync_set_auto_signer (self->sync, signer);
}

/**
 * qoima_context_get_signer:
 *
 * Returns: (transfer none) (nullable): the signing key of this session
 */
QoimaSigner *
qoima_context_get_signer (QoimaContext *self)
{
  g_return_val_if_fail (QOIMA_IS_CONTEXT (self), NULL);
  return self->signer;
}

void
qoima_context_set_user (QoimaContext *self,
                        QoimaUser    *user)
{
  g_return_if_fail (QOIMA_IS_CONTEXT (self));
  g_return_if_fail (user == NULL || QOIMA_IS_USER (user));

  if (g_set_object (&self->user, user))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

/**
 * qoima_context_get_user:
 *
 * Returns: (transfer none) (nullable): the user signed in, or %NULL
 */
QoimaUser *
qoima_context_get_user (QoimaContext *self)
{
  g_return_val_if_fail (QOIMA_IS_CONTEXT (self), NULL);
  return self->user;
}
