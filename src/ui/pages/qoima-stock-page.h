/* qoima-stock-page.h: the Stock page: what the warehouse and wards hold
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-context.h"
#include "qoima-pack.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_STOCK_PAGE (qoima_stock_page_get_type ())

G_DECLARE_FINAL_TYPE (QoimaStockPage, qoima_stock_page, QOIMA, STOCK_PAGE, AdwBin)

QoimaContext   *qoima_stock_page_get_context      (QoimaStockPage *self);
/* Set once, by the window that shows the page. */
void            qoima_stock_page_set_context      (QoimaStockPage *self,
                                                   QoimaContext   *context);
/* TRUE while the stock is being loaded, until every line is in the model: the lines
 * come a screenful first, the rest on later frames. */
gboolean        qoima_stock_page_get_loading      (QoimaStockPage *self);
int             qoima_stock_page_get_warning_days (QoimaStockPage *self);
/* The lines shown, after search and filters; while loading, maybe only the first of
 * them. (transfer none) */
GListModel     *qoima_stock_page_get_model        (QoimaStockPage *self);
GtkSingleSelection *qoima_stock_page_get_selection (QoimaStockPage *self);
GtkEditable    *qoima_stock_page_get_search_entry (QoimaStockPage *self);

/* Loads the stock again (the `stock.reload` action). */
void            qoima_stock_page_reload           (QoimaStockPage *self);
void            qoima_stock_page_focus_search     (QoimaStockPage *self);
/* The filters, as the location drop-down and the "Expiring Soon" toggle set them. A
 * location id of 0 means all locations. */
void            qoima_stock_page_set_location_id  (QoimaStockPage *self,
                                                   gint64          location_id);
void            qoima_stock_page_set_expiring_only (QoimaStockPage *self,
                                                    gboolean        expiring_only);
/* Selects and scrolls to the line that holds @pack, once the current load is done,
 * clearing the search and filters if they hide it. */
void            qoima_stock_page_select_pack      (QoimaStockPage *self,
                                                   QoimaPack      *pack);

G_END_DECLS
