/* qoima-stock-cell.h: one cell of a line of the Stock page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-stock-item.h"

G_BEGIN_DECLS

/* Which column of the stock line a cell shows. */
typedef enum {
  QOIMA_STOCK_COLUMN_PRODUCT,  /*< nick=product >*/
  QOIMA_STOCK_COLUMN_BATCH,    /*< nick=batch >*/
  QOIMA_STOCK_COLUMN_EXPIRY,   /*< nick=expiry >*/
  QOIMA_STOCK_COLUMN_LOCATION, /*< nick=location >*/
  QOIMA_STOCK_COLUMN_PACKS,    /*< nick=packs >*/
  QOIMA_STOCK_COLUMN_UNITS,    /*< nick=units >*/
} QoimaStockColumn;

#define QOIMA_TYPE_STOCK_CELL (qoima_stock_cell_get_type ())

G_DECLARE_FINAL_TYPE (QoimaStockCell, qoima_stock_cell, QOIMA, STOCK_CELL, GtkWidget)

GtkWidget        *qoima_stock_cell_new              (QoimaStockColumn  column);
QoimaStockItem   *qoima_stock_cell_get_item         (QoimaStockCell   *self);
void              qoima_stock_cell_set_item         (QoimaStockCell   *self,
                                                     QoimaStockItem   *item);
QoimaStockColumn  qoima_stock_cell_get_column       (QoimaStockCell   *self);
void              qoima_stock_cell_set_column       (QoimaStockCell   *self,
                                                     QoimaStockColumn  column);
int               qoima_stock_cell_get_warning_days (QoimaStockCell   *self);
void              qoima_stock_cell_set_warning_days (QoimaStockCell   *self,
                                                     int               warning_days);

G_END_DECLS
