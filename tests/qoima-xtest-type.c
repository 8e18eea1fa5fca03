/* qoima-xtest-type.c: type text as a US-layout keyboard-wedge scanner does, through XTest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A scanner presses key POSITIONS of a US keyboard; the host's active layout (ru, kz…)
 * then decides what they mean. This tool sends the same raw hardware keycodes with
 * XTestFakeKeyEvent. It never looks keysyms up in the current layout: that is what
 * `xdotool type` does, and it hides exactly the layout problems the tests are after.
 *
 *   qoima-xtest-type [--delay-ms N] [--no-enter] [--gs ctrl|f8|none] TEXT
 *   qoima-xtest-type [OPTIONS] --stdin
 *
 * In TEXT (or stdin) a raw 0x1D byte or the four characters "\x1d" stand for GS, and
 * "\\" for a backslash.
 */

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>

#define GS_CHAR '\x1d'

/* XKB keycodes (evdev + 8) of the keys the tool presses besides characters. */
#define KEYCODE_SHIFT_L 50
#define KEYCODE_CONTROL_L 37
#define KEYCODE_BRACKETRIGHT 35
#define KEYCODE_F8 74
#define KEYCODE_RETURN 36

typedef enum {
  GS_MODE_CTRL,
  GS_MODE_F8,
  GS_MODE_NONE,
} GsMode;

/* The US key positions: keycode, the character without Shift, the character with it. */
static const struct {
  unsigned keycode;
  char plain;
  char shifted;
} us_keys[] = {
  { 10, '1', '!' }, { 11, '2', '@' }, { 12, '3', '#' }, { 13, '4', '$' }, { 14, '5', '%' },
  { 15, '6', '^' }, { 16, '7', '&' }, { 17, '8', '*' }, { 18, '9', '(' }, { 19, '0', ')' },
  { 20, '-', '_' }, { 21, '=', '+' },
  { 24, 'q', 'Q' }, { 25, 'w', 'W' }, { 26, 'e', 'E' }, { 27, 'r', 'R' }, { 28, 't', 'T' },
  { 29, 'y', 'Y' }, { 30, 'u', 'U' }, { 31, 'i', 'I' }, { 32, 'o', 'O' }, { 33, 'p', 'P' },
  { 34, '[', '{' }, { 35, ']', '}' },
  { 38, 'a', 'A' }, { 39, 's', 'S' }, { 40, 'd', 'D' }, { 41, 'f', 'F' }, { 42, 'g', 'G' },
  { 43, 'h', 'H' }, { 44, 'j', 'J' }, { 45, 'k', 'K' }, { 46, 'l', 'L' }, { 47, ';', ':' },
  { 48, '\'', '"' }, { 49, '`', '~' }, { 51, '\\', '|' },
  { 52, 'z', 'Z' }, { 53, 'x', 'X' }, { 54, 'c', 'C' }, { 55, 'v', 'V' }, { 56, 'b', 'B' },
  { 57, 'n', 'N' }, { 58, 'm', 'M' }, { 59, ',', '<' }, { 60, '.', '>' }, { 61, '/', '?' },
  { 65, ' ', ' ' },
};

static int x_errors;

static int
x_error_cb (Display     *display,
            XErrorEvent *event)
{
  char text[256];

  XGetErrorText (display, event->error_code, text, sizeof text);
  g_printerr ("qoima-xtest-type: X error: %s (request %u.%u)\n",
              text, event->request_code, event->minor_code);
  x_errors++;
  return 0;
}

static gboolean
us_key_for_char (char      c,
                 unsigned *keycode,
                 gboolean *shift)
{
  for (size_t i = 0; i < G_N_ELEMENTS (us_keys); i++)
    {
      if (us_keys[i].plain == c || us_keys[i].shifted == c)
        {
          *keycode = us_keys[i].keycode;
          *shift = us_keys[i].plain != c;
          return TRUE;
        }
    }
  return FALSE;
}

/* Turns "\x1d" into GS and "\\" into a backslash; everything else stays. */
static char *
unescape (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (p[0] == '\\' && (p[1] == 'x' || p[1] == 'X')
          && g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]))
        {
          g_string_append_c (out, (char) (g_ascii_xdigit_value (p[2]) * 16 + g_ascii_xdigit_value (p[3])));
          p += 3;
        }
      else if (p[0] == '\\' && p[1] == '\\')
        {
          g_string_append_c (out, '\\');
          p++;
        }
      else
        {
          g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

static void
tap (Display *display,
     unsigned keycode)
{
  XTestFakeKeyEvent (display, keycode, True, CurrentTime);
  XTestFakeKeyEvent (display, keycode, False, CurrentTime);
}

static void
type_char (Display *display,
           char     c,
           GsMode   gs_mode)
{
  unsigned keycode;
  gboolean shift;

  if (c == GS_CHAR)
    {
      switch (gs_mode)
        {
        case GS_MODE_CTRL:
          XTestFakeKeyEvent (display, KEYCODE_CONTROL_L, True, CurrentTime);
          tap (display, KEYCODE_BRACKETRIGHT);
          XTestFakeKeyEvent (display, KEYCODE_CONTROL_L, False, CurrentTime);
          break;
        case GS_MODE_F8:
          tap (display, KEYCODE_F8);
          break;
        case GS_MODE_NONE:
        default:
          break;
        }
      return;
    }

  if (!us_key_for_char (c, &keycode, &shift))
    g_assert_not_reached ();

  if (shift)
    XTestFakeKeyEvent (display, KEYCODE_SHIFT_L, True, CurrentTime);
  tap (display, keycode);
  if (shift)
    XTestFakeKeyEvent (display, KEYCODE_SHIFT_L, False, CurrentTime);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *gs_name = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *text = NULL;
  int delay_ms = 0;
  gboolean no_enter = FALSE;
  gboolean from_stdin = FALSE;
  GsMode gs_mode = GS_MODE_CTRL;
  Display *display;
  int event_base, error_base, major, minor;
  const GOptionEntry entries[] = {
    { "delay-ms", 0, 0, G_OPTION_ARG_INT, &delay_ms, "Pause between characters", "N" },
    { "no-enter", 0, 0, G_OPTION_ARG_NONE, &no_enter, "Do not press Return at the end", NULL },
    { "gs", 0, 0, G_OPTION_ARG_STRING, &gs_name, "How to send GS: ctrl (default), f8 or none", "MODE" },
    { "stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin, "Read the text from standard input", NULL },
    { "display", 0, 0, G_OPTION_ARG_STRING, &display_name, "The X display (default: $DISPLAY)", "NAME" },
    { NULL },
  };

  context = g_option_context_new ("[TEXT]");
  g_option_context_set_summary (context,
                                "Type TEXT as a US-layout keyboard-wedge scanner: raw keycodes through "
                                "XTest, whatever keyboard layout is active.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("qoima-xtest-type: %s\n", error->message);
      return 2;
    }

  if (gs_name == NULL || g_str_equal (gs_name, "ctrl"))
    gs_mode = GS_MODE_CTRL;
  else if (g_str_equal (gs_name, "f8"))
    gs_mode = GS_MODE_F8;
  else if (g_str_equal (gs_name, "none"))
    gs_mode = GS_MODE_NONE;
  else
    {
      g_printerr ("qoima-xtest-type: --gs must be ctrl, f8 or none\n");
      return 2;
    }

  if (delay_ms < 0)
    {
      g_printerr ("qoima-xtest-type: --delay-ms must not be negative\n");
      return 2;
    }

  if (from_stdin && argc == 1)
    {
      GString *in = g_string_new (NULL);
      char buf[4096];
      size_t n;

      while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
        g_string_append_len (in, buf, n);
      /* The line end that echo and here-documents add is not part of the text. */
      if (in->len > 0 && in->str[in->len - 1] == '\n')
        g_string_truncate (in, in->len - 1);
      raw = g_string_free (in, FALSE);
    }
  else if (!from_stdin && argc == 2)
    {
      raw = g_strdup (argv[1]);
    }
  else
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return 2;
    }

  text = unescape (raw);

  /* Check every character before the first key goes out, so a bad text types nothing. */
  for (const char *p = text; *p != '\0'; p++)
    {
      unsigned keycode;
      gboolean shift;

      if (*p != GS_CHAR && !us_key_for_char (*p, &keycode, &shift))
        {
          g_printerr ("qoima-xtest-type: no US key gives the byte 0x%02X at offset %d\n",
                      (unsigned) (unsigned char) *p, (int) (p - text));
          return 2;
        }
    }

  display = XOpenDisplay (display_name);
  if (display == NULL)
    {
      g_printerr ("qoima-xtest-type: cannot open display %s\n",
                  display_name ? display_name : g_getenv ("DISPLAY") ? g_getenv ("DISPLAY") : "(unset)");
      return 1;
    }
  XSetErrorHandler (x_error_cb);

  if (!XTestQueryExtension (display, &event_base, &error_base, &major, &minor))
    {
      g_printerr ("qoima-xtest-type: the X server has no XTEST extension\n");
      XCloseDisplay (display);
      return 1;
    }

  for (const char *p = text; *p != '\0'; p++)
    {
      type_char (display, *p, gs_mode);
      if (delay_ms > 0)
        {
          /* Flush now, so the keys reach the server, and get their timestamps, spaced. */
          XFlush (display);
          g_usleep ((gulong) delay_ms * 1000);
        }
    }

  if (!no_enter)
    tap (display, KEYCODE_RETURN);

  XSync (display, False);
  XCloseDisplay (display);

  return x_errors > 0 ? 1 : 0;
}
