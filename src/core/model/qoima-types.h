/* qoima-types.h: enums shared across the core and the interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * QoimaPackStatus:
 * @QOIMA_PACK_STATUS_IN_STOCK: owned by the hospital, sealed
 * @QOIMA_PACK_STATUS_OPENED: some units used
 * @QOIMA_PACK_STATUS_USED_UP: the last unit used; its withdrawal is owed to ИС МПТ
 * @QOIMA_PACK_STATUS_WITHDRAWN: withdrawn from circulation in ИС МПТ
 * @QOIMA_PACK_STATUS_WRITTEN_OFF: written off (expired, damaged, lost, recalled)
 *
 * Stored as the lower-case nick ("in_stock", "opened", …).
 */
typedef enum {
  QOIMA_PACK_STATUS_IN_STOCK, /*< nick=in_stock >*/
  QOIMA_PACK_STATUS_OPENED, /*< nick=opened >*/
  QOIMA_PACK_STATUS_USED_UP, /*< nick=used_up >*/
  QOIMA_PACK_STATUS_WITHDRAWN, /*< nick=withdrawn >*/
  QOIMA_PACK_STATUS_WRITTEN_OFF, /*< nick=written_off >*/
} QoimaPackStatus;

typedef enum {
  QOIMA_LOCATION_KIND_WAREHOUSE, /*< nick=warehouse >*/
  QOIMA_LOCATION_KIND_WARD, /*< nick=ward >*/
} QoimaLocationKind;

/**
 * QoimaMovementKind:
 *
 * What a row of the movements journal records. Stored as the nick.
 */
typedef enum {
  QOIMA_MOVEMENT_RECEIPT,    /*< nick=receipt >*/    /* the pack entered stock (accepted act, demo, opening balance) */
  QOIMA_MOVEMENT_TRANSFER,   /*< nick=transfer >*/   /* moved between the hospital's locations */
  QOIMA_MOVEMENT_USE,        /*< nick=use >*/        /* units given to a patient */
  QOIMA_MOVEMENT_WITHDRAWAL, /*< nick=withdrawal >*/ /* withdrawn from circulation in ИС МПТ */
  QOIMA_MOVEMENT_WRITE_OFF,  /*< nick=write_off >*/  /* written off for another reason */
  QOIMA_MOVEMENT_CORRECTION, /*< nick=correction >*/ /* an administrator's correction */
} QoimaMovementKind;

/* The nick of @value in the registered enum @type (QOIMA_TYPE_PACK_STATUS…, qoima-enums.h),
 * as its nick annotation gives it: the word stored. NULL (and a critical) for no such value. */
const char      *qoima_enum_to_nick            (GType       type,
                                                int         value);
/* The value whose nick is @nick, compared exactly, or with ASCII case ignored. */
gboolean         qoima_enum_from_nick          (GType       type,
                                                const char *nick,
                                                gboolean    ignore_case,
                                                int        *value);

const char      *qoima_pack_status_to_nick     (QoimaPackStatus status);
gboolean         qoima_pack_status_from_nick   (const char *nick, QoimaPackStatus *status);
/* The status in the user's language ("На складе", "Вскрыта"…). */
const char      *qoima_pack_status_to_label    (QoimaPackStatus status);
const char      *qoima_location_kind_to_nick   (QoimaLocationKind kind);
gboolean         qoima_location_kind_from_nick (const char *nick, QoimaLocationKind *kind);
const char      *qoima_movement_kind_to_nick   (QoimaMovementKind kind);

/* The Kazakh name under a "kk" LC_MESSAGES locale when there is one, else the Russian. */
const char      *qoima_pick_name               (const char *name_ru, const char *name_kk);

G_END_DECLS
