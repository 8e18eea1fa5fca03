/* qoimactl-report.c: `qoimactl report`, as a user allowed to view reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoimactl"

#include "config.h"

#include "qoima-store-reports.h"
#include "qoimactl.h"

#include "qoima-report.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

/* "YYYY-MM-DD" → that local day; NULL when it is no date. */
static GDateTime *
parse_day (const char *text)
{
  unsigned year = 0, month = 0, day = 0;
  char end = '\0';

  if (text == NULL || strlen (text) != 10 ||
      sscanf (text, "%4u-%2u-%2u%c", &year, &month, &day, &end) != 3 ||
      !g_date_valid_dmy (day, month, year))
    return NULL;
  return g_date_time_new_local (year, month, day, 0, 0, 0);
}

static void
print_tsv_row (const char * const *cells)
{
  for (guint i = 0; cells[i] != NULL; i++)
    printf ("%s%s", i > 0 ? "\t" : "", cells[i]);
  printf ("\n");
}

/* The report as text: its title, then tab-separated rows under the column titles. */
static void
print_report (QoimaReport *report)
{
  g_autoptr(GPtrArray) titles = g_ptr_array_new ();
  const char * const *totals = qoima_report_get_totals_row (report);

  for (guint i = 0; i < qoima_report_get_n_columns (report); i++)
    g_ptr_array_add (titles, (gpointer) qoima_report_get_column_title (report, i));
  g_ptr_array_add (titles, NULL);

  printf ("%s\n", qoima_report_get_title (report));
  print_tsv_row ((const char * const *) titles->pdata);
  for (guint i = 0; i < qoima_report_get_n_rows (report); i++)
    print_tsv_row (qoima_report_get_row (report, i));
  if (totals != NULL)
    print_tsv_row (totals);
}

/* @bytes to @path, or to standard output for "-". */
static gboolean
write_bytes (GBytes      *bytes,
             const char  *path,
             GError     **error)
{
  g_autoptr(GFile) file = NULL;

  if (g_str_equal (path, "-"))
    {
      fwrite (g_bytes_get_data (bytes, NULL), 1, g_bytes_get_size (bytes), stdout);
      return fflush (stdout) == 0;
    }

  file = g_file_new_for_commandline_arg (path);
  return g_file_replace_contents (file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL, FALSE,
                                  G_FILE_CREATE_NONE, NULL, NULL, error);
}

int
qoimactl_report (QoimactlOptions  *options,
                 int               argc,
                 char            **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(QoimaReport) report = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) from = NULL;
  g_autoptr(GDateTime) to = NULL;
  QoimactlWait wait = QOIMACTL_WAIT_INIT;
  QoimaReportKind kind = QOIMA_REPORT_USE_BY_PATIENT;
  const char *ward = NULL, *csv = NULL, *xlsx = NULL;
  /* As a spreadsheet in the user's language expects, unless told. */
  char separator = qoima_report_get_csv_separator ();
  gint64 location = 0;
  gboolean ok = argc >= 2 && qoima_report_kind_from_nick (argv[1], &kind);

  for (int i = 2; ok && i < argc; i += 2)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (value == NULL)
        ok = FALSE;
      else if (g_str_equal (argv[i], "--from") || g_str_equal (argv[i], "--to"))
        {
          GDateTime **slot = g_str_equal (argv[i], "--from") ? &from : &to;

          g_clear_pointer (slot, g_date_time_unref);
          *slot = parse_day (value);
          ok = *slot != NULL;
        }
      else if (g_str_equal (argv[i], "--ward"))
        ward = value;
      else if (g_str_equal (argv[i], "--csv"))
        csv = value;
      else if (g_str_equal (argv[i], "--xlsx"))
        xlsx = value;
      else if (g_str_equal (argv[i], "--csv-separator"))
        {
          ok = g_str_equal (value, ",") || g_str_equal (value, ";");
          separator = value[0];
        }
      else
        ok = FALSE;
    }
  if (!ok)
    {
      fprintf (stderr, _("Usage: qoimactl [OPTION…] report patients|wards|medicines|opened|withdrawals "
                         "[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--ward WARD] [--csv FILE|-] "
                         "[--csv-separator ,|;] [--xlsx FILE|-]\n"));
      return 2;
    }

  /* This month so far, unless told: what the window shows first too. */
  if (from == NULL)
    from = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now), 1, 0, 0, 0);
  if (to == NULL)
    to = g_date_time_ref (now);

  if ((store = qoimactl_open_store (options, &error)) == NULL)
    return qoimactl_fail (error);
  user = qoimactl_authenticate (options, store, &error);
  if (user == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_FORBIDDEN,
                             _("Log in first: give --user NAME and --password-file FILE."));
      return qoimactl_fail (error);
    }
  if (ward != NULL && (location = qoimactl_find_location (store, ward, &error)) == 0)
    return qoimactl_fail (error);

  qoima_store_make_report_async (store, user, kind, from, to, location, NULL, qoimactl_wait_cb, &wait);
  result = qoimactl_wait_for_result (&wait);
  report = qoima_store_make_report_finish (store, result, &error);
  if (report == NULL)
    return qoimactl_fail (error);

  if (csv != NULL || xlsx != NULL)
    {
      g_autoptr(GBytes) csv_bytes = csv != NULL ? qoima_report_to_csv_separated (report, separator) : NULL;
      g_autoptr(GBytes) xlsx_bytes = NULL;

      if ((csv != NULL && !write_bytes (csv_bytes, csv, &error)) ||
          (xlsx != NULL && ((xlsx_bytes = qoima_report_to_xlsx (report, &error)) == NULL ||
                            !write_bytes (xlsx_bytes, xlsx, &error))))
        {
          if (error == NULL)
            g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write the report."));
          return qoimactl_fail (error);
        }
    }
  else
    print_report (report);
  return 0;
}
