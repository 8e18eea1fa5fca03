/* qoima-stock-row.h: one line of the Stock page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-stock-item.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_STOCK_ROW (qoima_stock_row_get_type ())

G_DECLARE_FINAL_TYPE (QoimaStockRow, qoima_stock_row, QOIMA, STOCK_ROW, AdwBin)

QoimaStockItem *qoima_stock_row_get_item         (QoimaStockRow  *self);
void            qoima_stock_row_set_item         (QoimaStockRow  *self,
                                                  QoimaStockItem *item);
int             qoima_stock_row_get_warning_days (QoimaStockRow  *self);
void            qoima_stock_row_set_warning_days (QoimaStockRow  *self,
                                                  int             warning_days);

G_END_DECLS
