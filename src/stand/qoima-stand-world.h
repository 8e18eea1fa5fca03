/* qoima-stand-world.h: who and what lives on the stand (participants, products, acts)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "qoima-stand-db.h"

G_BEGIN_DECLS

/* The demo world of the contract; the test PKI issues certificates for the same BINs. */
#define QOIMA_STAND_HOSPITAL_BIN    "990340001230"
#define QOIMA_STAND_SK_PHARMACY_BIN "080140005672"
#define QOIMA_STAND_MEDSERVICE_BIN  "100340012341"
#define QOIMA_STAND_AMANAT_BIN      "210240000892"

typedef struct {
  const char *gtin;
  int packs;
} QoimaStandActLine;

typedef struct {
  char *sscc;       /* "00" + 18 digits, as uitu_code */
  GPtrArray *codes; /* (element-type utf8): identification codes */
} QoimaStandBox;

typedef struct {
  char *id;
  char *number;
  GPtrArray *codes;         /* (element-type utf8): every pack's identification code */
  GPtrArray *boxes;         /* (element-type QoimaStandBox) */
  GPtrArray *marking_codes; /* (element-type utf8): the full marking codes, GS included */
} QoimaStandAct;

void qoima_stand_act_free (QoimaStandAct *act);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaStandAct, qoima_stand_act_free)

/**
 * qoima_stand_world_ensure:
 * @db: the stand's database
 * @demo: whether to make the demo world on a new database
 * @demo_packs: how many packs of the demo warehouse (qoima_demo_packs_new() with
 *   %QOIMA_DEMO_SEED) the hospital owns in it
 * @seed: for the random choices, so that two stands started alike hold the same world
 *
 * On a new database, registers the participants and the demo products and, when @demo, the
 * demo warehouse's packs as the hospital's (INTRODUCED), then sends the demo acts to the
 * hospital; their codes are never the warehouse's. A database that already has this world
 * is left alone; one of an earlier stand is brought up to it (the warehouse's packs added,
 * its acts and documents kept).
 */
gboolean       qoima_stand_world_ensure     (QoimaStandDb  *db,
                                             gboolean       demo,
                                             int            demo_packs,
                                             guint32        seed,
                                             GError       **error);

/**
 * qoima_stand_world_create_act:
 * @lines: (array length=n_lines): products and numbers of packs
 * @box_size: 0 for loose packs, or the number of packs per SSCC box (per line; the rest of
 *   a line stays loose)
 * @date: (nullable): the act's date, now when %NULL
 *
 * Makes an LP_SHIP_GOODS act in WAIT_ACCEPTANCE from @sender to @receiver with new codes
 * (WAIT_SHIPMENT, owned by @sender), in one transaction.
 */
QoimaStandAct *qoima_stand_world_create_act (QoimaStandDb             *db,
                                             GRand                    *rand,
                                             const char               *sender,
                                             const char               *receiver,
                                             const QoimaStandActLine  *lines,
                                             guint                     n_lines,
                                             int                       box_size,
                                             GDateTime                *date,
                                             GError                  **error);

/* "YYYY-MM-DDTHH:MM:SSZ" in UTC. */
char          *qoima_stand_format_time (GDateTime *time);

G_END_DECLS
