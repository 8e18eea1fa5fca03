/* test-date.c: dates as the interface and printed documents show them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-date"

#include "config.h"

#include "qoima-date.h"
#include "qoima-i18n.h"

#include <glib/gi18n.h>
#include <locale.h>

/* A calendar day is that day in every time zone; a moment is the day it was here (the
 * test's zone is five hours east of UTC, as Astana is). */
static void
test_days (void)
{
  static const struct {
    const char *iso;
    const char *shown;
  } cases[] = {
    { "2031-12-31", "31.12.2031" },
    { "2028-02-29", "29.02.2028" },
    { "2026-03-10T09:00:00Z", "10.03.2026" },
    { "2026-03-10T20:30:00Z", "11.03.2026" },
    { "2026-03-10T23:30:00+05:00", "10.03.2026" },
    { "2026-03-10T10:00:00.000Z", "10.03.2026" },
    /* Not dates: shown as they are, or as a dash when there is nothing. */
    { "2027-02-30", "2027-02-30" },
    { "next week", "next week" },
    { "", "—" },
    { NULL, "—" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = qoima_format_iso_date (cases[i].iso);

      g_test_message ("%s → %s", cases[i].iso, shown);
      g_assert_cmpstr (shown, ==, cases[i].shown);
    }
}

static void
test_moment (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) evening = g_date_time_new (utc, 2026, 1, 5, 19, 15, 0);
  g_autofree char *shown = qoima_format_date (evening);

  g_assert_cmpstr (shown, ==, "06.01.2026");
}

/* In Russian and Kazakh, with the catalogs meson built, the format is dd.mm.yyyy too. */
static void
test_languages (void)
{
  const char *locale_dir = g_getenv ("QOIMA_LOCALEDIR");
  const char *languages[] = { "ru", "kk" };

  if (locale_dir == NULL)
    {
      g_test_skip ("QOIMA_LOCALEDIR is not set");
      return;
    }
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  for (gsize i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *shown = NULL;

      g_setenv ("LANGUAGE", languages[i], TRUE);
      setlocale (LC_MESSAGES, "");
      /* The catalog is found: a string every language translates is translated. */
      g_assert_cmpstr (_("Expired"), !=, "Expired");
      shown = qoima_format_iso_date ("2026-03-10");
      g_assert_cmpstr (shown, ==, "10.03.2026");
    }
  g_unsetenv ("LANGUAGE");
  setlocale (LC_MESSAGES, "");
}

/* Counts grouped in thousands as the UI's language writes them: one helper for every count. */
static void
test_counts (void)
{
  static const struct { gint64 count; const char *en; const char *ru; } cases[] = {
    { 0, "0", "0" },
    { 7, "7", "7" },
    { 999, "999", "999" },
    { 1000, "1,000", "1\u00A0000" },
    { 12345, "12,345", "12\u00A0345" },
    { 1000000, "1,000,000", "1\u00A0000\u00A0000" },
    { -4321, "-4,321", "-4\u00A0321" },
    { G_MININT64, "-9,223,372,036,854,775,808", "-9\u00A0223\u00A0372\u00A0036\u00A0854\u00A0775\u00A0808" },
  };
  g_autofree char *old_language = g_strdup (g_getenv ("LANGUAGE"));

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *en = NULL;
      g_autofree char *ru = NULL;
      g_autofree char *kk = NULL;

      g_setenv ("LANGUAGE", "en", TRUE);
      en = qoima_format_count (cases[i].count);
      g_setenv ("LANGUAGE", "ru", TRUE);
      ru = qoima_format_count (cases[i].count);
      g_setenv ("LANGUAGE", "kk", TRUE);
      kk = qoima_format_count (cases[i].count);
      g_assert_cmpstr (en, ==, cases[i].en);
      g_assert_cmpstr (ru, ==, cases[i].ru);
      g_assert_cmpstr (kk, ==, cases[i].ru);
    }
  if (old_language != NULL)
    g_setenv ("LANGUAGE", old_language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
}

int
main (int   argc,
      char *argv[])
{
  /* Before GLib reads the local time zone: POSIX writes east of UTC as negative. */
  g_setenv ("TZ", "<+05>-5", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/date/days", test_days);
  g_test_add_func ("/date/moment", test_moment);
  g_test_add_func ("/date/languages", test_languages);
  g_test_add_func ("/date/counts", test_counts);

  return g_test_run ();
}
