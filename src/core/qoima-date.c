/* qoima-date.c: dates as the interface and printed documents show them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-date"

#include "config.h"

#include "qoima-date.h"

#include <glib/gi18n.h>
#include <stdio.h>

char *
qoima_format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (date != NULL, NULL);

  local = g_date_time_to_local (date);
  /* Translators: how dates are written on screen and on paper, a g_date_time_format()
   * format: one format for the whole interface (dd.mm.yyyy in Russian and Kazakh). */
  return g_date_time_format (local, _("%d.%m.%Y"));
}

char *
qoima_format_iso_date (const char *iso)
{
  g_autoptr(GDateTime) date = NULL;
  int year, month, day;
  char rest;

  if (iso == NULL || iso[0] == '\0')
    return g_strdup ("—");

  /* A calendar day (an expiry, a deadline) has no time zone: it is that day everywhere. */
  if (sscanf (iso, "%4d-%2d-%2d%c", &year, &month, &day, &rest) == 3)
    {
      if (g_date_valid_dmy (day, month, year))
        date = g_date_time_new_local (year, month, day, 0, 0, 0);
    }
  else
    {
      g_autoptr(GTimeZone) local = g_time_zone_new_local ();

      /* A moment is shown as the day it was here; one without a zone is taken as local. */
      date = g_date_time_new_from_iso8601 (iso, local);
    }

  return date != NULL ? qoima_format_date (date) : g_strdup (iso);
}
