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
 *  first-frame-sign-in(-cpu)  likewise for the window as Qoima starts, nobody signed in:
 *                     its sign-in screen's first frame
 *  window-to-stock-rows   the window created for a signed-in clerk → the Stock page chosen
 *                     → the first frame painted once its column view has rows (this was
 *                     "stock-page-window"; it starts before sign-in's own work, with the
 *                     window, so it holds first-frame too)
 *  sign-in-to-stock-rows  issue 10's figure: the window on its sign-in screen (drawn, the
 *                     users listed), the clerk chosen and her PIN typed; from the moment the
 *                     PIN is accepted (the context's user set, before the window hears of
 *                     it) to the first frame painted with the Stock page's rows. The PIN's
 *                     key derivation, deliberately slow, comes before and is not in it
 *  sign-in-to-stock-rows-cpu  the same, as CPU time of the main thread (the store's query
 *                     runs on its worker and is in the wall time only)
 *  sign-in-to-stock-whole  the same sign-in to the frame that shows the Stock page's whole
 *                     list: the page feeds its lines a screenful first, the rest on later
 *                     frames, and is loading until they are all in
 *  stock-fill-longest-frame  the longest time between two frames painted meanwhile, from
 *                     the first with rows to that one: how long the fill holds the window
 *  rss-after-stock    MB resident (VmRSS) after the Stock page was shown (its whole list)
 *  rss-after-stock-cairo  the same runs' windows again in a child process (this program
 *                     with --rss-only) under GSK_RENDERER=cairo: Qoima's own memory without
 *                     Mesa's software GL, which llvmpipe under Xvfb maps (~78 MB)
 *
 * The warehouse is the demo's at --packs N (default 200,000; `meson test --benchmark` gives
 * 1,000,000, as the store benchmark): filling it is not timed, and is done by a child
 * process (this program with --fill-only), so that the measured process opens an existing
 * database as Qoima does and its RSS holds nothing left over from making a million packs.
 * --phases prints each run's steps to stderr (ms of wall time and main-thread CPU since
 * the figure's start), for whoever cuts the time: they are not figures.
 * Usage: qoima-bench-ui [--json] [--phases] [--packs N] [--runs N]
 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qoima-context.h"
#include "qoima-sign-in.h"
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

static gboolean print_phases;

static double rss_mb (void);

/* One figure's clock: wall and main-thread CPU time from its start. */
typedef struct {
  gint64 start;
  double cpu_start;
} Clock;

static void
clock_start (Clock *clock)
{
  clock->start = g_get_monotonic_time ();
  clock->cpu_start = thread_cpu_ms ();
}

static double
clock_ms (Clock *clock)
{
  return (g_get_monotonic_time () - clock->start) / 1000.0;
}

static double
clock_cpu_ms (Clock *clock)
{
  return thread_cpu_ms () - clock->cpu_start;
}

/* A step of a figure, on stderr with --phases. */
static void
phase (Clock      *clock,
       const char *what)
{
  if (print_phases)
    fprintf (stderr, "  %-34s %8.1f ms  (cpu %7.1f ms)  %6.1f MB\n", what, clock_ms (clock), clock_cpu_ms (clock),
             rss_mb ());
}

/* Waits for the first frame painted with the Stock page's rows; the page is asked of the
 * window only once a frame is painted, so that waiting builds nothing. */
typedef struct {
  QoimaWindow *window;
  Clock       *clock;
  gboolean     loading_seen;
  gint64       painted_at;
  double       painted_cpu;
  /* While the rest of the lines are fed, after the first rows. */
  gint64       last_paint;
  gint64       longest_gap;
  gint64       whole_at;
} StockWait;

static void
stock_loading_cb (QoimaStockPage *page,
                  GParamSpec     *pspec,
                  StockWait      *wait)
{
  if (qoima_stock_page_get_loading (page))
    phase (wait->clock, "stock query started");
  else
    phase (wait->clock, "whole stock list in the model");
}

static void
stock_painted_cb (GdkFrameClock *frame_clock,
                  gpointer       user_data)
{
  StockWait *wait = user_data;
  QoimaStockPage *page;

  page = qoima_window_get_stock_page (wait->window);
  if (wait->painted_at != 0)
    {
      gint64 now = g_get_monotonic_time ();

      /* The frames that show the rest of the lines: none should take long. */
      if (wait->whole_at == 0)
        {
          wait->longest_gap = MAX (wait->longest_gap, now - wait->last_paint);
          wait->last_paint = now;
          if (print_phases)
            {
              g_autofree char *what = g_strdup_printf ("a frame painted, %u lines shown",
                                                       g_list_model_get_n_items (qoima_stock_page_get_model (page)));

              phase (wait->clock, what);
            }
          if (!qoima_stock_page_get_loading (page))
            wait->whole_at = now;
        }
      return;
    }
  if (!wait->loading_seen)
    {
      wait->loading_seen = TRUE;
      g_signal_connect (page, "notify::loading", G_CALLBACK (stock_loading_cb), wait);
      if (qoima_stock_page_get_loading (page))
        phase (wait->clock, "stock query started");
    }
  /* Rows, not the whole list: the page feeds its lines a screenful first, the rest on
   * later frames, and is loading until they are all in. A new page has no rows before
   * its first load. */
  if (g_list_model_get_n_items (qoima_stock_page_get_model (page)) > 0 &&
      gtk_widget_get_mapped (GTK_WIDGET (page)))
    {
      wait->painted_at = g_get_monotonic_time ();
      wait->painted_cpu = clock_cpu_ms (wait->clock);
      wait->last_paint = wait->painted_at;
      if (!qoima_stock_page_get_loading (page))
        wait->whole_at = wait->painted_at;
    }
  else
    phase (wait->clock, "a frame painted, no rows yet");
}

static gboolean
stock_painted (gpointer data)
{
  return ((StockWait *) data)->painted_at != 0;
}

static gboolean
page_is_idle (gpointer data)
{
  return !qoima_stock_page_get_loading (data);
}

static gboolean
stock_whole (gpointer data)
{
  return ((StockWait *) data)->whole_at != 0;
}

/* Waits for the Stock page's first frame with rows in @window; returns its ms since
 * @clock started. Then waits for the frame that shows the whole list (in @whole_ms, with
 * in @longest_ms the longest time between two frames painted until then), so that
 * whatever follows finds the page done. */
static double
wait_for_stock_rows (QoimaWindow *window,
                     Clock       *clock,
                     double      *cpu,
                     double      *whole_ms,
                     double      *longest_ms)
{
  StockWait wait = { window, clock, FALSE, 0, 0, 0, 0, 0 };
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gulong handler = g_signal_connect (frame_clock, "after-paint", G_CALLBACK (stock_painted_cb), &wait);

  gtk_widget_queue_draw (GTK_WIDGET (window));
  qoima_test_wait_until (stock_painted, &wait, 120);
  *cpu = wait.painted_cpu;
  if (print_phases)
    fprintf (stderr, "  %-34s %8.1f ms  (cpu %7.1f ms)  %6.1f MB\n", "first frame with rows painted",
             (wait.painted_at - clock->start) / 1000.0, wait.painted_cpu, rss_mb ());

  qoima_test_wait_until (page_is_idle, qoima_window_get_stock_page (window), 120);
  if (!stock_whole (&wait))
    {
      /* The last lines went in without a frame to show them. */
      gtk_widget_queue_draw (GTK_WIDGET (window));
      qoima_test_wait_until (stock_whole, &wait, 120);
    }
  g_signal_handler_disconnect (frame_clock, handler);
  g_signal_handlers_disconnect_by_func (qoima_window_get_stock_page (window), stock_loading_cb, &wait);
  if (whole_ms != NULL)
    *whole_ms = (wait.whole_at - clock->start) / 1000.0;
  if (longest_ms != NULL)
    *longest_ms = wait.longest_gap / 1000.0;

  return (wait.painted_at - clock->start) / 1000.0;
}

/* The sign-in screen ready for a PIN: its users listed, nothing pending. */
static gboolean
sign_in_ready (gpointer data)
{
  QoimaSignIn *sign_in = data;

  return !qoima_sign_in_get_busy (sign_in) && g_list_model_get_n_items (qoima_sign_in_get_users (sign_in)) > 0;
}

/* The PIN was accepted: the figure starts. Connected before the window's own handler. */
static void
user_set_cb (QoimaContext *context,
             GParamSpec   *pspec,
             Clock        *clock)
{
  if (qoima_context_get_user (context) != NULL && clock->start == 0)
    clock_start (clock);
}

static gboolean
clock_started (gpointer data)
{
  return ((Clock *) data)->start != 0;
}

static void
user_handled_cb (QoimaContext *context,
                 GParamSpec   *pspec,
                 Clock        *clock)
{
  phase (clock, "window done with the sign-in");
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

/* A minimal libadwaita window's first frame: the baseline of first-frame. */
static void
time_minimal_window (GArray *minimal,
                     GArray *minimal_cpu)
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

/* A window for a signed-in clerk: its first frame, then the Stock page's rows, then the
 * RSS once the whole list is in. */
static void
time_signed_in_window (QoimaStore *store,
                       GSettings  *settings,
                       QoimaUser  *clerk,
                       int         run,
                       GArray     *qoima,
                       GArray     *qoima_cpu,
                       GArray     *stock,
                       GArray     *rss)
{
  g_autoptr(QoimaContext) context = NULL;
  QoimaWindow *window;
  Clock clock;
  double ms, cpu;

  if (print_phases)
    fprintf (stderr, "run %d: a window for a signed-in clerk\n", run + 1);
  clock_start (&clock);
  phase (&clock, "start");
  context = qoima_context_new (store, settings);
  qoima_context_set_user (context, clerk);
  window = qoima_window_new (NULL, context);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  phase (&clock, "window constructed");
  ms = time_first_frame (GTK_WINDOW (window), clock.start, clock.cpu_start, &cpu);
  phase (&clock, "first frame painted");
  g_array_append_val (qoima, ms);
  g_array_append_val (qoima_cpu, cpu);

  /* The Stock page, as a click on its tab chooses it (a clerk lands on it). */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page-stock", NULL);
  ms = wait_for_stock_rows (window, &clock, &cpu, NULL, NULL);
  g_array_append_val (stock, ms);

  ms = rss_mb ();
  g_array_append_val (rss, ms);
  gtk_window_destroy (GTK_WINDOW (window));
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
  g_autoptr(GArray) sign_in = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sign_in_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sign_in_screen_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sign_in_screen_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sign_in_whole = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sign_in_gap = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss_cairo = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *what = NULL;
  int n_packs = 200000;
  int runs = 5;
  const char *fill_only = NULL;
  const char *rss_only = NULL;
  gint64 fill_start;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json_output = TRUE;
      else if (g_str_equal (argv[i], "--phases"))
        print_phases = TRUE;
      else if (g_str_equal (argv[i], "--packs") && i + 1 < argc)
        n_packs = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        runs = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--fill-only") && i + 1 < argc)
        fill_only = argv[++i];
      else if (g_str_equal (argv[i], "--rss-only") && i + 1 < argc)
        rss_only = argv[++i];
      else
        {
          fprintf (stderr, "Usage: qoima-bench-ui [--json] [--phases] [--packs N] [--runs N]\n");
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

  /* The child's part for rss-after-stock-cairo: the runs' first two windows on the
   * database in @rss_only, under whatever GSK_RENDERER it was given, and their RSS on
   * stdout, one a line. */
  if (rss_only != NULL)
    {
      store = qoima_test_open_store (rss_only);
      settings = g_settings_new (BASE_APP_ID);
      clerk = qoima_test_find_user (store, "clerk");
      for (int run = 0; run < runs; run++)
        {
          time_minimal_window (minimal, minimal_cpu);
          time_signed_in_window (store, settings, clerk, run, qoima, qoima_cpu, stock, rss);
          printf ("rss-after-stock %.3f\n", g_array_index (rss, double, rss->len - 1));
        }
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
      time_minimal_window (minimal, minimal_cpu);
      time_signed_in_window (store, settings, clerk, run, qoima, qoima_cpu, stock, rss);

      /* As Qoima is used: the window waits on its sign-in screen, and the clerk signs in. */
      {
        g_autoptr(QoimaContext) context = NULL;
        g_autoptr(QoimaUser) chosen = NULL;
        QoimaWindow *window;
        QoimaSignIn *sign_in_screen;
        GListModel *users;
        Clock clock = { 0, 0 };
        gint64 window_start;
        double window_cpu_start;
        double ms, cpu;

        context = qoima_context_new (store, settings);
        /* Before the window's handler, which does the window's part of signing in. */
        g_signal_connect (context, "notify::user", G_CALLBACK (user_set_cb), &clock);
        window_start = g_get_monotonic_time ();
        window_cpu_start = thread_cpu_ms ();
        window = qoima_window_new (NULL, context);
        g_signal_connect_after (context, "notify::user", G_CALLBACK (user_handled_cb), &clock);
        gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
        ms = time_first_frame (GTK_WINDOW (window), window_start, window_cpu_start, &cpu);
        g_array_append_val (sign_in_screen_ms, ms);
        g_array_append_val (sign_in_screen_cpu, cpu);
        sign_in_screen = qoima_window_get_sign_in (window);
        qoima_test_wait_until (sign_in_ready, sign_in_screen, 60);
        users = qoima_sign_in_get_users (sign_in_screen);
        for (guint i = 0; i < g_list_model_get_n_items (users) && chosen == NULL; i++)
          {
            g_autoptr(QoimaUser) user = g_list_model_get_item (users, i);

            if (g_str_equal (qoima_user_get_name (user), "clerk"))
              chosen = g_steal_pointer (&user);
          }
        g_assert_nonnull (chosen);
        qoima_sign_in_choose_user (sign_in_screen, chosen);
        gtk_editable_set_text (qoima_sign_in_get_secret_entry (sign_in_screen), "2222");
        if (print_phases)
          fprintf (stderr, "run %d: the clerk signs in on the sign-in screen\n", run + 1);
        g_signal_emit_by_name (qoima_sign_in_get_secret_entry (sign_in_screen), "activate");
        qoima_test_wait_until (clock_started, &clock, 60);
        {
          double whole, gap;

          ms = wait_for_stock_rows (window, &clock, &cpu, &whole, &gap);
          g_array_append_val (sign_in_whole, whole);
          g_array_append_val (sign_in_gap, gap);
        }
        g_array_append_val (sign_in, ms);
        g_array_append_val (sign_in_cpu, cpu);
        g_signal_handlers_disconnect_by_data (context, &clock);
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
  figure ("first-frame-sign-in", "ms", sign_in_screen_ms,
          "Qoima's window as it starts, on its sign-in screen (nobody signed in), from its creation to its first "
          "painted frame, against the same minimal window",
          "minimal-window", quantile (minimal, 0.5));
  figure ("first-frame-sign-in-cpu", "ms", sign_in_screen_cpu,
          "the main thread's CPU time for the same first frame, against the minimal window's",
          "minimal-window-cpu", quantile (minimal_cpu, 0.5));
  figure ("minimal-window-cpu", "ms", minimal_cpu,
          "the main thread's CPU time for the minimal window's first frame", NULL, 0);
  figure ("minimal-window", "ms", minimal,
          "a minimal libadwaita window (header bar and label) from its creation to its first painted frame",
          NULL, 0);
  what = g_strdup_printf ("the PIN accepted on the sign-in screen (the context's user set) to the first frame painted "
                          "with the Stock page's column view holding rows, at %d demo packs; goal <= 50 ms", n_packs);
  figure ("sign-in-to-stock-rows", "ms", sign_in, what, NULL, 0);
  g_free (what);
  figure ("sign-in-to-stock-rows-cpu", "ms", sign_in_cpu,
          "the main thread's CPU time for the same (the store's query runs on its worker thread)", NULL, 0);
  what = g_strdup_printf ("the window created for a signed-in clerk, the Stock page chosen, to the first frame painted "
                          "with its column view holding rows, at %d demo packs (was stock-page-window; includes "
                          "first-frame)", n_packs);
  figure ("window-to-stock-rows", "ms", stock, what, NULL, 0);
  g_free (what);
  what = g_strdup_printf ("the same sign-in to the frame that shows the Stock page's whole list (its lines are fed a "
                          "screenful first, the rest on later frames), at %d demo packs", n_packs);
  figure ("sign-in-to-stock-whole", "ms", sign_in_whole, what, NULL, 0);
  g_free (what);
  figure ("stock-fill-longest-frame", "ms", sign_in_gap,
          "the longest time between two frames painted from the first with the Stock page's rows to the one with its "
          "whole list (a frame is ~17 ms apart at the least): how long the fill may freeze the window", NULL, 0);
  what = g_strdup_printf ("VmRSS after the Stock page was shown, at %d demo packs; goal <= 200 MB", n_packs);
  figure ("rss-after-stock", "MB", rss, what, NULL, 0);
  g_clear_pointer (&what, g_free);

  qoima_store_close (store);

  /* The same windows again in a child process drawn by GSK's Cairo renderer: under Xvfb
   * the GL renderer runs on Mesa's software GL (llvmpipe), which maps some 78 MB of its
   * own into the process. */
  {
    g_autofree char *runs_arg = g_strdup_printf ("%d", runs);
    const char *rss_argv[] = { argv[0], "--rss-only", db_path, "--runs", runs_arg, NULL };
    g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "GSK_RENDERER", "cairo", TRUE);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    if (!g_spawn_sync (NULL, (char **) rss_argv, envp, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, &out, NULL,
                       &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        fprintf (stderr, "qoima-bench-ui: the Cairo renderer's run: %s\n", error->message);
        return 1;
      }
    {
      g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

      for (unsigned i = 0; lines[i] != NULL; i++)
        {
          double mb;

          /* GLib's debug messages, if asked for, are on stdout too. */
          if (!g_str_has_prefix (lines[i], "rss-after-stock "))
            continue;
          mb = g_ascii_strtod (lines[i] + strlen ("rss-after-stock "), NULL);
          g_array_append_val (rss_cairo, mb);
        }
    }
  }
  if (rss_cairo->len > 0)
    {
      what = g_strdup_printf ("VmRSS after the Stock page was shown, the same windows at %d demo packs in a child "
                              "process with GSK_RENDERER=cairo: Qoima's own memory without Mesa's software GL "
                              "(llvmpipe under Xvfb maps ~78 MB)", n_packs);
      figure ("rss-after-stock-cairo", "MB", rss_cairo, what, NULL, 0);
    }

  qoima_test_remove_tree (tmp_dir);
  return 0;
}
