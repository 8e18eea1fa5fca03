/* qoima-acts-page.h: incoming acts, one act's check by scanning, and the signed answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-act.h"
#include "qoima-context.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_ACTS_PAGE (qoima_acts_page_get_type ())

G_DECLARE_FINAL_TYPE (QoimaActsPage, qoima_acts_page, QOIMA, ACTS_PAGE, AdwBin)

/* Signals:
 *   ::scan-handled (QoimaActsPage *self): a scan's outcome is shown on the act.
 *   ::synced (QoimaActsPage *self, gboolean ok): a sync ended; stock may have grown.
 * Properties: context (construct-only), busy (a sync or an answer runs). */

/* Lists the acts and syncs with ИС МПТ as soon as it is connected: called once someone who
 * may accept acts has signed in, since the sync may ask for the AUTH key. Until then the
 * page lists nothing and syncs nothing. */
void          qoima_acts_page_start            (QoimaActsPage *self);
/* Lists the acts again from the warehouse. */
void          qoima_acts_page_reload           (QoimaActsPage *self);
/* Runs the acs.sync action: asks for the AUTH key first if the session has none. */
void          qoima_acts_page_sync             (QoimaActsPage *self);
gboolean      qoima_acts_page_get_busy         (QoimaActsPage *self);
/* Whether the page says that ИС МПТ waits for the AUTH key (the sync at sign-in found none
 * and asked nobody); its button runs acts.choose-auth-key. */
gboolean      qoima_acts_page_get_needs_auth_key (QoimaActsPage *self);
/* (transfer none) the acts as listed */
GListModel   *qoima_acts_page_get_acts         (QoimaActsPage *self);
/* Shows an act's page. */
void          qoima_acts_page_open_act         (QoimaActsPage *self,
                                                gint64         act_id);
/* The act shown, or NULL on the list. (transfer none) */
QoimaAct     *qoima_acts_page_get_act          (QoimaActsPage *self);
/* (transfer none) the shown act's products (QoimaActLine) */
GListModel   *qoima_acts_page_get_lines        (QoimaActsPage *self);
/* Ticks the act's check box on the list, for "Accept and sign selected". */
void          qoima_acts_page_select_act       (QoimaActsPage *self,
                                                gint64         act_id,
                                                gboolean       selected);

/**
 * qoima_acts_page_take_scan:
 * @text: scanned text as the reader produced it
 *
 * While an act is shown, a scan marks its pack or box received. Returns %FALSE (and does
 * nothing) when no act is shown.
 */
gboolean      qoima_acts_page_take_scan        (QoimaActsPage *self,
                                                const char    *text);
/* What the last scan was: a QoimaActScan, or -1 for a code that could not be read. */
int           qoima_acts_page_get_scan_outcome (QoimaActsPage *self);
const char   *qoima_acts_page_get_scan_message (QoimaActsPage *self);

G_END_DECLS
