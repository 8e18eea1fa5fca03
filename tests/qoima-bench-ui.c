/* qoima-bench-ui.c: the Stock page timed in a real window (issue 10)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figures, each with its median and p99 (--json: one object a line, as qoima-bench's):
 *  first-frame        a signed-in Qoima window, from its creation to its first frame
 *                     painted, against a minimal libadwaita window (a title bar and a
 *                     label) timed alike in the same run: the ratio. Both windows are
 *                     made in this one process, the minimal one first in each run, after
 *                     GTK, the display and the store are set up: neither pays for
 *                     starting a process, and the first run's GL warm-up falls on the
 *                     minimal window (its p99 shows it)
 *  first-frame-cpu    the same, as CPU time of the main thread: what the window itself
 *                     costs, which a machine busy with other work leaves intact
 *  stock-page-window  sign-in (the window created for a signed-in clerk) → the Stock page
 *                     chosen → the first frame painted once its column view has rows
 *  rss-after-stock    MB resident (VmRSS) after the Stock page was shown
 *
 * The warehouse is the demo's at --packs N (default 200,000; `meson test --benchmark` gives
 * 1,000,000, as the store benchmark): filling it is not timed, and is done by a child
 * process (this program with --fill-only), so that the measured process opens an existing
 * database as Qoima does and its RSS holds nothing left over from making a million packs.
 * Usage: qoima-bench-ui [--json] [--packs N] [--runs N]
 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qoima-context.h"
#include "qoima-stock-page.h"
#include "qoima-test-utils.h"
#include "qoima-ui-test-utils.h"
#include "qoima-window-private.h"

static gboolean json_output;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  gint64 *painted_at = user_data;

  if (*painted_at == 0)
    *painted_at = g_get_monotonic_time ();
}

/* CPU time of the calling thread, in ms. */
static double
thread_cpu_ms (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

static gboolean
is_set (gpointer data)
{
  return *(gint64 *) data != 0;
}

/* Presents @window and returns the ms to its first painted frame; @cpu (ms of this
 * thread's CPU time since @cpu_start) likewise. */
static double
time_first_frame (GtkWindow *window,
                  gint64     start,
                  double     cpu_start,
                  double    *cpu)
{
  gint64 painted_at = 0;
  GdkFrameClock *clock;
  gulong handler;

  gtk_widget_realize (GTK_WIDGET (window));
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted_at);
  gtk_window_present (window);
  qoima_test_wait_until (is_set, &painted_at, 120);
  *cpu = thread_cpu_ms () - cpu_start;
  g_signal_handler_disconnect (clock, handler);

  return (painted_at - start) / 1000.0;
}

typedef struct {
  QoimaStockPage *page;
  gint64          painted_at;
} StockWait;

static void
stock_painted_cb (GdkFrameClock *clock,
                  gpointer       user_data)
{
  StockWait *wait = user_data;

  if (wait->painted_at == 0 && !qoima_stock_page_get_loading (wait->page) &&
      g_list_model_get_n_items (qoima_stock_page_get_model (wait->page)) > 0 &&
      gtk_widget_get_mapped (GTK_WIDGET (wait->page)))
    wait->painted_at = g_get_monotonic_time ();
}

static gboolean
stock_painted (gpointer data)
{
  return ((StockWait *) data)->painted_at != 0;
}

static double
rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtod (line + strlen ("VmRSS:"), NULL) / 1024.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
quantile (GArray *values,
          double  q)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, (guint) MIN (values->len - 1, q * values->len));
}

static void
figure (const char *name,
        const char *unit,
        GArray     *values,
        const char *what,
        const char *baseline,
        double      baseline_median)
{
  double median = quantile (values, 0.5);
  double p99 = quantile (values, 0.99);

  if (json_output)
    {
      printf ("{\"name\":\"%s\",\"unit\":\"%s\",\"n\":%u,\"median\":%.3f,\"p99\":%.3f", name, unit, values->len, median, p99);
      if (baseline != NULL)
        printf (",\"ratio\":%.2f,\"baseline\":\"%s\",\"baseline_median\":%.3f", median / baseline_median, baseline, baseline_median);
      printf (",\"what\":\"%s\"}\n", what);
    }
  else
    {
      printf ("%-18s median %9.1f %s  p99 %9.1f %s", name, median, unit, p99, unit);
      if (baseline != NULL)
        printf ("  (%.2f× %s)", median / baseline_median, baseline);
      printf ("\n    %s\n", what);
    }
  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp_dir = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(QoimaStore) store = NULL;
  g_autoptr(QoimaUser) clerk = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GArray) minimal = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) qoima = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) minimal_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) qoima_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) stock = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *what = NULL;
  int n_packs = 200000;
  int runs = 5;
  const char *fill_only = NULL;
  gint64 fill_start;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json_output = TRUE;
      else if (g_str_equal (argv[i], "--packs") && i + 1 < argc)
        n_packs = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        runs = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--fill-only") && i + 1 < argc)
        fill_only = argv[++i];
      else
        {
          fprintf (stderr, "Usage: qoima-bench-ui [--json] [--packs N] [--runs N]\n");
          return 2;
        }
    }

  runs = MAX (runs, 1);

  gtk_init ();
  adw_init ();
  qoima_test_prepare_display ();

  /* The child's part: the demo warehouse made in @fill_only, then nothing else. */
  if (fill_only != NULL)
    {
      store = qoima_test_open_demo_store (fill_only, n_packs);
      qoima_test_add_demo_users (store);
      qoima_store_close (store);
      return 0;
    }

  tmp_dir = qoima_test_make_tmp_dir ();
  db_path = g_build_filename (tmp_dir, "qoima.db", NULL);
  fill_start = g_get_monotonic_time ();
  {
    g_autofree char *packs = g_strdup_printf ("%d", n_packs);
    const char *fill_argv[] = { argv[0], "--fill-only", db_path, "--packs", packs, NULL };
    g_autoptr(GError) error = NULL;
    int status = 0;

    if (!g_spawn_sync (NULL, (char **) fill_argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL, NULL,
                       &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        fprintf (stderr, "qoima-bench-ui: filling the demo warehouse: %s\n", error->message);
        return 1;
      }
  }
  store = qoima_test_open_store (db_path);
  fprintf (stderr, "fill: %d demo packs in %.1f s (another process)\n", n_packs,
           (g_get_monotonic_time () - fill_start) / 1e6);
  settings = g_settings_new (BASE_APP_ID);
  clerk = qoima_test_find_user (store, "clerk");

  for (int run = 0; run < runs; run++)
    {
      /* The minimal window first, then Qoima's, in each run: both see the same machine. */
      {
        GtkWindow *window = GTK_WINDOW (adw_window_new ());
        GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
        gint64 start = g_get_monotonic_time ();
        double cpu_start = thread_cpu_ms ();
        double ms, cpu;

        gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
        gtk_box_append (GTK_BOX (box), gtk_label_new ("Qoima"));
        adw_window_set_content (ADW_WINDOW (window), box);
        gtk_window_set_default_size (window, 1280, 800);
        ms = time_first_frame (window, start, cpu_start, &cpu);
        g_array_append_val (minimal, ms);
        g_array_append_val (minimal_cpu, cpu);
        gtk_window_destroy (window);
      }

      {
        g_autoptr(QoimaContext) context = NULL;
        QoimaWindow *window;
        QoimaStockPage *page;
        GdkFrameClock *clock;
        StockWait wait = { NULL, 0 };
        gint64 start = g_get_monotonic_time ();
        double cpu_start = thread_cpu_ms ();
        gulong handler;
        double ms, cpu;

        context = qoima_context_new (store, settings);
        qoima_context_set_user (context, clerk);
        window = qoima_window_new (NULL, context);
        gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
        /* Where the time goes, for whoever cuts it (stderr, not a figure). */
        fprintf (stderr, "window constructed in %.1f ms\n", (g_get_monotonic_time () - start) / 1000.0);
        ms = time_first_frame (GTK_WINDOW (window), start, cpu_start, &cpu);
        g_array_append_val (qoima, ms);
        g_array_append_val (qoima_cpu, cpu);

        /* The Stock page, as a click on its tab chooses it. */
        page = qoima_window_get_stock_page (window);
        wait.page = page;
        clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
        handler = g_signal_connect (clock, "after-paint", G_CALLBACK (stock_painted_cb), &wait);
        gtk_widget_activate_action (GTK_WIDGET (window), "win.page-stock", NULL);
        gtk_widget_queue_draw (GTK_WIDGET (window));
        qoima_test_wait_until (stock_painted, &wait, 120);
        g_signal_handler_disconnect (clock, handler);
        ms = (wait.painted_at - start) / 1000.0;
        g_array_append_val (stock, ms);

        ms = rss_mb ();
        g_array_append_val (rss, ms);
        gtk_window_destroy (GTK_WINDOW (window));
      }
    }

  figure ("first-frame", "ms", qoima,
          "a signed-in Qoima window from its creation to its first painted frame (after-paint; the Stock page's "
          "rows follow, see stock-page-window), against a minimal libadwaita window (header bar and label) made "
          "the same way in the same process and run; goal <= 1.15x",
          "minimal-window", quantile (minimal, 0.5));
  figure ("first-frame-cpu", "ms", qoima_cpu,
          "the main thread's CPU time for the same first frame, against the minimal window's in the same run",
          "minimal-window-cpu", quantile (minimal_cpu, 0.5));
  figure ("minimal-window-cpu", "ms", minimal_cpu,
          "the main thread's CPU time for the minimal window's first frame", NULL, 0);
  figure ("minimal-window", "ms", minimal,
          "a minimal libadwaita window (header bar and label) from its creation to its first painted frame",
          NULL, 0);
  what = g_strdup_printf ("the window created for a signed-in clerk, the Stock page chosen, to the first frame painted "
                          "with its column view holding rows, at %d demo packs; goal <= 50 ms", n_packs);
  figure ("stock-page-window", "ms", stock, what, NULL, 0);
  g_free (what);
  what = g_strdup_printf ("VmRSS after the Stock page was shown, at %d demo packs; goal <= 200 MB", n_packs);
  figure ("rss-after-stock", "MB", rss, what, NULL, 0);

  qoima_store_close (store);
  qoima_test_remove_tree (tmp_dir);
  return 0;
}
