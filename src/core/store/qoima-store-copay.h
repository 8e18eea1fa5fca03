/* qoima-store-copay.h: co-payment in the warehouse database: limit prices with their
 * history, and dispensing a pack by e-prescription (seed 002)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "qoima-copay.h"
#include "qoima-store.h"
#include "qoima-user.h"

G_BEGIN_DECLS

/* Hospital settings (qoima-store-settings.h) the registry prints: the pharmacy point's
 * BIN (columns 2–3 take the organization's name and this) and its region (column 4). */
#define QOIMA_SETTING_COPAY_BIN    "copay-bin"
#define QOIMA_SETTING_COPAY_REGION "copay-region"

/* Adds @prices (QoimaLimitPrice) to the history in one transaction; a price of the same INN,
 * form, dosage and date replaces the one loaded before. Finish gives the number loaded. */
void       qoima_store_copay_import_prices_async  (QoimaStore          *self,
                                                   QoimaUser           *user,
                                                   GPtrArray           *prices,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
int        qoima_store_copay_import_prices_finish (QoimaStore    *self,
                                                   GAsyncResult  *result,
                                                   GError       **error);

/* Every limit price ever loaded (QoimaLimitPrice), oldest date first. */
void       qoima_store_copay_list_prices_async    (QoimaStore          *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GPtrArray *qoima_store_copay_list_prices_finish   (QoimaStore    *self,
                                                   GAsyncResult  *result,
                                                   GError       **error);

/**
 * qoima_store_copay_dispense_async:
 * @prescription: the e-prescription as its QR code gave it (R002-3)
 * @ki: the pack dispensed: its product must have the prescription's INN, form and dosage
 * @price: the pack's trade-name price, tiyn
 * @fiscal_receipt: the fiscal receipt's number
 * @at: (nullable): when, ISO 8601 UTC; NULL for now (the demo's past month gives its own)
 *
 * In one transaction: the whole pack leaves stock to the patient (a use movement), its
 * withdrawal from circulation is owed to ИС МПТ through the outbox as any used-up pack's
 * (R002-4), and the registry's row is kept with the limit price per unit in force on the
 * day (the price history). Fails when no limit price is in force, the pack does not match
 * or cannot be dispensed. Finish gives the dispensing's id.
 */
void       qoima_store_copay_dispense_async       (QoimaStore               *self,
                                                   QoimaUser                *user,
                                                   const QoimaPrescription  *prescription,
                                                   const char               *ki,
                                                   gint64                    price,
                                                   const char               *fiscal_receipt,
                                                   const char               *at,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
gint64     qoima_store_copay_dispense_finish      (QoimaStore    *self,
                                                   GAsyncResult  *result,
                                                   GError       **error);

/* The identification codes of whole packs in stock of @inn, @form and @dosage (R002-3:
 * what a prescription may be dispensed with), not expired today, earliest expiry first. */
void       qoima_store_copay_matching_packs_async  (QoimaStore          *self,
                                                    const char          *inn,
                                                    const char          *form,
                                                    const char          *dosage,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GStrv      qoima_store_copay_matching_packs_finish (QoimaStore    *self,
                                                    GAsyncResult  *result,
                                                    GError       **error);

/* For the demo data only, as qoima_store_receive_packs_async() takes an actor: a dispensing
 * by @actor without a user, with the pharmacy's @name, @bin and @region given rather than set. */
void       qoima_store_copay_demo_dispense_async  (QoimaStore               *self,
                                                   const char               *actor,
                                                   const char               *name,
                                                   const char               *bin,
                                                   const char               *region,
                                                   const QoimaPrescription  *prescription,
                                                   const char               *ki,
                                                   gint64                    price,
                                                   const char               *fiscal_receipt,
                                                   const char               *at,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
/* And its limit prices, loaded by @actor. */
void       qoima_store_copay_demo_import_prices_async (QoimaStore          *self,
                                                       const char          *actor,
                                                       GPtrArray           *prices,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);

/* The registry of @year-@month (R002-7), its rows as dispensed and its supplier from the
 * settings. */
void                qoima_store_copay_registry_async  (QoimaStore          *self,
                                                       int                  year,
                                                       int                  month,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
QoimaCopayRegistry *qoima_store_copay_registry_finish (QoimaStore    *self,
                                                       GAsyncResult  *result,
                                                       GError       **error);

G_END_DECLS
