/* qoima-date.h: dates as the interface and printed documents show them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * qoima_format_date:
 * @date: a moment; its day in local time is shown
 *
 * The day in the one format the interface and printed documents use: a translatable
 * g_date_time_format() format, dd.mm.yyyy in Russian and Kazakh. Files meant for
 * machines (CSV, ИС МПТ documents) keep ISO 8601 and do not use this.
 *
 * Returns: (transfer full): the date
 */
char *qoima_format_date     (GDateTime  *date);

/**
 * qoima_format_iso_date:
 * @iso: (nullable): "YYYY-MM-DD" (a calendar day, shown as it is) or an ISO 8601 moment
 *   with a time ("2026-03-10T09:00:00Z", shown as its local day)
 *
 * Returns: (transfer full): the date as qoima_format_date() writes it; "—" for %NULL or
 *   an empty string, and @iso itself when it is not a date
 */
char *qoima_format_iso_date (const char *iso);

G_END_DECLS
