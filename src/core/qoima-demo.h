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

/* The seed of that warehouse (and of `qoimactl demo` unless told otherwise): the local
 * stand's demo world registers the same packs as the hospital's (see qoima_demo_packs_new()). */
#define QOIMA_DEMO_SEED 20240701

/* One pack of the demo warehouse; the strings belong to the generator. */
typedef struct
{
  const char *gtin;
  const char *serial;   /* 13 characters of GS1 CSET 82; valid until the next pack */
  const char *batch;
  const char *expiry;   /* "YYYY-MM-DD" */
  unsigned    location; /* index into the demo locations: 0 is the pharmacy warehouse */
  int         units_left; /* -1 for a full pack */
} QoimaDemoPack;

typedef struct _QoimaDemoPacks QoimaDemoPacks;

/**
 * qoima_demo_packs_new:
 * @seed: as given to qoima_demo_fill_async()
 *
 * The demo warehouse's packs one by one, exactly as qoima_demo_fill_async() makes them with
 * the same seed: the first N are the packs of an N-pack demo, whatever the day (only the
 * dates depend on it). The local stand registers them in ИС МПТ's world, so that one demo
 * world holds both.
 */
QoimaDemoPacks *qoima_demo_packs_new  (guint32         seed);
void            qoima_demo_packs_next (QoimaDemoPacks *self,
                                       QoimaDemoPack  *pack);
void            qoima_demo_packs_free (QoimaDemoPacks *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaDemoPacks, qoima_demo_packs_free)

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
  const char *iin;    /* the IIN of her demo signing key (tests/pki/make-pki.sh), or NULL */
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

/* The co-payment demo: the pharmacy point's BIN and region, as the demo registry prints them. */
#define QOIMA_DEMO_COPAY_BIN    "240340000019"
#define QOIMA_DEMO_COPAY_REGION "г. Астана"

/**
 * qoima_demo_add_copay_async:
 * @store: a store filled by qoima_demo_fill_async()
 * @year: (for the registry) the month's year
 * @month: the month, 1…12: a month of co-payment dispensing (seed 002)
 *
 * Loads demo limit prices with a history (an older price, the one in force in the month, a
 * later one) and dispenses whole packs of the warehouse by e-prescription during the
 * month, at trade-name prices above, equal to and below the limit (R002-10), one
 * prescription taking two packs. Finish gives the number of packs dispensed.
 */
void     qoima_demo_add_copay_async  (QoimaStore          *store,
                                      int                  year,
                                      int                  month,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
int      qoima_demo_add_copay_finish (QoimaStore    *store,
                                      GAsyncResult  *result,
                                      GError       **error);

/* A marking code (01+21+GS+91+GS+92) for a GTIN and serial, with a deterministic
 * verification key and crypto tail; used by the demo, tests and benchmarks. */
char    *qoima_demo_marking_code (const char *gtin,
                                  const char *serial);

G_END_DECLS
