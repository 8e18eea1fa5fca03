/* qoima-move-page.h: moving packs and boxes from the warehouse to a ward, with the
 * transfer document printed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-transfer.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_MOVE_PAGE (qoima_move_page_get_type ())

G_DECLARE_FINAL_TYPE (QoimaMovePage, qoima_move_page, QOIMA, MOVE_PAGE, AdwBin)

/* Signals:
 *   ::scan-handled (QoimaMovePage *self): a scan was listed or refused.
 *   ::moved (QoimaMovePage *self): a transfer document was made and loaded.
 * Properties: context (construct-only). */

/* Loads the wards and the packs to move. */
void           qoima_move_page_start            (QoimaMovePage *self);
/* Loads the wards and the hospital's name again; the page does so each time it is shown,
 * keeping the ward chosen and the packs listed. */
void           qoima_move_page_reload           (QoimaMovePage *self);
/* Chooses the destination ward by its id; FALSE when it is not in the list. */
gboolean       qoima_move_page_set_ward         (QoimaMovePage *self,
                                                 gint64         ward_id);
gint64         qoima_move_page_get_ward         (QoimaMovePage *self);

/**
 * qoima_move_page_take_scan:
 * @text: scanned text as the reader produced it
 *
 * Checks a scanned pack or box against the transfer's guards and lists its packs, or
 * shows why it is refused (scanned twice, unknown, expired, not in the warehouse,
 * already in the ward). Always handles the scan (returns %TRUE) once the page has a
 * context.
 */
gboolean       qoima_move_page_take_scan        (QoimaMovePage *self,
                                                 const char    *text);
/* (transfer none) the packs listed to move (QoimaPack) */
GListModel    *qoima_move_page_get_packs        (QoimaMovePage *self);
/* Removes a listed pack by its identification code. */
void           qoima_move_page_remove           (QoimaMovePage *self,
                                                 const char    *ki);
/* The last scan's refusal, or NULL when it was listed. */
const char    *qoima_move_page_get_scan_message (QoimaMovePage *self);
/* The document the last move made, with its lines; NULL before. (transfer none) */
QoimaTransfer *qoima_move_page_get_transfer     (QoimaMovePage *self);
/* The hospital's name printed on the document: the hospital setting
 * (QOIMA_SETTING_ORGANIZATION), else the organization of a key opened in this session;
 * NULL when neither is known. */
const char    *qoima_move_page_get_organization (QoimaMovePage *self);

G_END_DECLS
