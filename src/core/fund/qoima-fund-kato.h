/* qoima-fund-kato.h: the KATO classifier, as far as the Fund's application needs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small loader of its own until the registration's reference data (branch
 * i12-register) is merged: the lead unifies the two then.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _QoimaFundKato QoimaFundKato;

/* Reads the classifier in the stat.gov.kz copy's layout "id;parent_id;code;name"
 * (a UTF-8 BOM allowed), as /work/shared/reference/data/kato-2022-10-17-ru.csv. */
QoimaFundKato *qoima_fund_kato_load      (const char     *path,
                                          GError        **error);
void           qoima_fund_kato_free      (QoimaFundKato  *kato);
/* The classifier named by $QOIMA_KATO_CSV; NULL without it. */
QoimaFundKato *qoima_fund_kato_default   (void);

/* The object's name, or NULL when @code is not in the classifier. */
const char    *qoima_fund_kato_name      (QoimaFundKato  *kato,
                                          const char     *code);
/* R004-10: whether @code is a final object (a leaf: nothing below it). */
gboolean       qoima_fund_kato_is_leaf   (QoimaFundKato  *kato,
                                          const char     *code);
/* The top-level object (region, or city of republican significance) above @code. */
const char    *qoima_fund_kato_region    (QoimaFundKato  *kato,
                                          const char     *code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaFundKato, qoima_fund_kato_free)

G_END_DECLS
