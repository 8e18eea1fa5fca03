/* qoima-withdrawals-page.h: the Withdrawals page: what the hospital owes ИС МПТ, signed by the chief
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_WITHDRAWALS_PAGE (qoima_withdrawals_page_get_type ())

G_DECLARE_FINAL_TYPE (QoimaWithdrawalsPage, qoima_withdrawals_page, QOIMA, WITHDRAWALS_PAGE, AdwBin)

/* Properties: context (construct-only). */

/* Lists the withdrawals, and again whenever another user signs in. */
void         qoima_withdrawals_page_start       (QoimaWithdrawalsPage *self);
/* Loads the withdrawals again (the `withdrawals.reload` action). */
void         qoima_withdrawals_page_reload      (QoimaWithdrawalsPage *self);
gboolean     qoima_withdrawals_page_get_busy    (QoimaWithdrawalsPage *self);
/* The packs owed and not yet signed, and the checked ones, as identification codes. */
guint        qoima_withdrawals_page_get_n_owed  (QoimaWithdrawalsPage *self);
/* The status shown for @ki: "owed", "ready", "sent", "done", "failed"; NULL when unknown. */
const char  *qoima_withdrawals_page_get_status  (QoimaWithdrawalsPage *self,
                                                 const char           *ki);
/* The last error shown, or NULL. */
const char  *qoima_withdrawals_page_get_error   (QoimaWithdrawalsPage *self);

G_END_DECLS
