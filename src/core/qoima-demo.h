/* qoima-demo.h: realistic demo data for a fresh warehouse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/* The demo hospital, as the demo PKI's certificates and the local stand name it. */
#define QOIMA_DEMO_ORGANIZATION "ГКП на ПХВ \"Городская больница №1\" акимата города Астаны"

/* The number of packs the application puts in a new, empty warehouse. */
#define QOIMA_DEMO_DEFAULT_PACKS 3000

/* The demo medicines: about 50 sold in Kazakhstan, with valid GTINs. */
GPtrArray *qoima_demo_products (void); /* (transfer full) (element-type QoimaProduct) */

/**
 * qoima_demo_fill_async:
 * @store: an open, empty store
 * @n_packs: how many packs to create (some near expiry, some opened)
 * @seed: for the random choices, so that runs are repeatable
 *
 * Adds the demo products, the pharmacy warehouse and wards, and @n_packs packs with valid
 * identification and marking codes, received by "demo".
 */
void     qoima_demo_fill_async  (QoimaStore          *store,
                                 int                  n_packs,
                                 guint32              seed,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean qoima_demo_fill_finish (QoimaStore    *store,
                                 GAsyncResult  *result,
                                 GError       **error);

/* A demo user: one per role, so that a first start can be tried in every role. */
typedef struct
{
  const char *name;
  const char *full_name;
  QoimaRole   role;
  int         ward;   /* index into the demo locations (0 is the warehouse); 0 for non-nurses */
  const char *secret; /* the demo PIN */
} QoimaDemoUser;

/* The demo users, admin first; @n_users is set to their number. */
const QoimaDemoUser *qoima_demo_users (unsigned *n_users);

/**
 * qoima_demo_add_users_async:
 * @store: a store filled by qoima_demo_fill_async() and without users
 *
 * Adds the demo users (qoima_demo_users()): the administrator first, as the bootstrap user,
 * then the others by that administrator; nurses belong to the demo wards. The
 * administrator also names the hospital (%QOIMA_SETTING_ORGANIZATION, %QOIMA_DEMO_ORGANIZATION).
 */
void     qoima_demo_add_users_async  (QoimaStore          *store,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean qoima_demo_add_users_finish (QoimaStore    *store,
                                      GAsyncResult  *result,
                                      GError       **error);

/* A marking code (01+21+GS+91+GS+92) for a GTIN and serial, with a deterministic
 * verification key and crypto tail; used by the demo, tests and benchmarks. */
char    *qoima_demo_marking_code (const char *gtin,
                                  const char *serial);

G_END_DECLS
