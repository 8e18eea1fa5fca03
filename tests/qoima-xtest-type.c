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
 *   qoima-xtest-type --layout ru|kz [--keypad] [OPTIONS] TEXT
 *
 * In TEXT (or stdin) a raw 0x1D byte or the four characters "\x1d" stand for GS, and
 * "\\" for a backslash.
 *
 * With --layout, TEXT is what a person (or a scanner set up for that layout) means to
 * type under the ru or kz layout: each character is found at its key position in the
 * layout's rows below (xkb-data symbols/ru "winkeys", symbols/kz "basic"). Characters the
 * main block does not have there (the Kazakh layout has no digits) come from the keypad,
 * with Num Lock on; --keypad takes every digit from the keypad, as a scanner in keypad
 * mode does.
 */

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <X11/Xlib.h>
#include <X11/XKBlib.h>
#include <X11/keysym.h>
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

/* The main block's key positions in the order of the layout rows below. */
static const unsigned row_keycodes[] = {
  49, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
  24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
  38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
  52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 51,
};

static const struct {
  const char *name;
  const char *lower;
  const char *upper;
} layouts[] = {
  { "us", "`1234567890-=qwertyuiop[]asdfghjkl;'zxcvbnm,./\\", "~!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?|" },
  { "ru", "ё1234567890-=йцукенгшщзхъфывапролджэячсмитьбю.\\", "Ё!\"№;%:?*()_+ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,/" },
  { "kz", "(\"әіңғ,.үұқөһйцукенгшщзхъфывапролджэячсмитьбю№\\", ")!ӘІҢҒ;:ҮҰҚӨҺЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ?/" },
};

/* The keypad with Num Lock on. */
static const struct {
  unsigned keycode;
  gunichar c;
} keypad_keys[] = {
  { 90, '0' }, { 87, '1' }, { 88, '2' }, { 89, '3' }, { 83, '4' }, { 84, '5' }, { 85, '6' },
  { 79, '7' }, { 80, '8' }, { 81, '9' }, { 82, '-' }, { 86, '+' }, { 63, '*' }, { 106, '/' },
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

static gboolean
keypad_key_for_char (gunichar  c,
                     unsigned *keycode)
{
  for (size_t i = 0; i < G_N_ELEMENTS (keypad_keys); i++)
    {
      if (keypad_keys[i].c == c)
        {
          *keycode = keypad_keys[i].keycode;
          return TRUE;
        }
    }
  return FALSE;
}

/* Where @c is under @layout: on the main block (with or without Shift), else on the
 * keypad. With @keypad, digits always come from the keypad. */
static gboolean
layout_key_for_char (int        layout,
                     gboolean   keypad,
                     gunichar   c,
                     unsigned  *keycode,
                     gboolean  *shift,
                     gboolean  *on_keypad)
{
  const char *rows[2] = { layouts[layout].lower, layouts[layout].upper };

  *on_keypad = FALSE;
  if (keypad && g_unichar_isdigit (c) && keypad_key_for_char (c, keycode))
    {
      *shift = FALSE;
      *on_keypad = TRUE;
      return TRUE;
    }

  if (c == ' ')
    {
      *keycode = 65;
      *shift = FALSE;
      return TRUE;
    }

  for (int level = 0; level < 2; level++)
    {
      const char *p = rows[level];

      for (size_t i = 0; i < G_N_ELEMENTS (row_keycodes); i++, p = g_utf8_next_char (p))
        {
          if (g_utf8_get_char (p) == c)
            {
              *keycode = row_keycodes[i];
              *shift = level == 1;
              return TRUE;
            }
        }
    }

  if (keypad_key_for_char (c, keycode))
    {
      *shift = FALSE;
      *on_keypad = TRUE;
      return TRUE;
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
tap_shifted (Display  *display,
             unsigned  keycode,
             gboolean  shift)
{
  if (shift)
    XTestFakeKeyEvent (display, KEYCODE_SHIFT_L, True, CurrentTime);
  tap (display, keycode);
  if (shift)
    XTestFakeKeyEvent (display, KEYCODE_SHIFT_L, False, CurrentTime);
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

  tap_shifted (display, keycode, shift);
}

/* Num Lock on, so that the keypad gives digits; returns whether it was on before. */
static gboolean
lock_num_lock (Display  *display,
               gboolean  on)
{
  unsigned mask = XkbKeysymToModifiers (display, XK_Num_Lock);
  XkbStateRec state;
  gboolean was_on;

  XkbGetState (display, XkbUseCoreKbd, &state);
  was_on = (state.locked_mods & mask) != 0;
  XkbLockModifiers (display, XkbUseCoreKbd, mask, on ? mask : 0);
  XSync (display, False);
  return was_on;
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
  gboolean keypad = FALSE;
  g_autofree char *layout_name = NULL;
  int layout = -1;
  gboolean needs_num_lock = FALSE;
  gboolean num_lock_was_on = FALSE;
  GsMode gs_mode = GS_MODE_CTRL;
  Display *display;
  int event_base, error_base, major, minor;
  const GOptionEntry entries[] = {
    { "delay-ms", 0, 0, G_OPTION_ARG_INT, &delay_ms, "Pause between characters", "N" },
    { "no-enter", 0, 0, G_OPTION_ARG_NONE, &no_enter, "Do not press Return at the end", NULL },
    { "gs", 0, 0, G_OPTION_ARG_STRING, &gs_name, "How to send GS: ctrl (default), f8 or none", "MODE" },
    { "stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin, "Read the text from standard input", NULL },
    { "display", 0, 0, G_OPTION_ARG_STRING, &display_name, "The X display (default: $DISPLAY)", "NAME" },
    { "layout", 0, 0, G_OPTION_ARG_STRING, &layout_name, "TEXT is what to type under this layout: us, ru or kz", "LAYOUT" },
    { "keypad", 0, 0, G_OPTION_ARG_NONE, &keypad, "With --layout, type digits on the keypad", NULL },
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

  if (layout_name != NULL)
    {
      for (int i = 0; i < (int) G_N_ELEMENTS (layouts); i++)
        if (g_str_equal (layout_name, layouts[i].name))
          layout = i;
      if (layout < 0)
        {
          g_printerr ("qoima-xtest-type: --layout must be us, ru or kz\n");
          return 2;
        }
    }
  else if (keypad)
    {
      g_printerr ("qoima-xtest-type: --keypad needs --layout\n");
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
  if (layout >= 0 && !g_utf8_validate (text, -1, NULL))
    {
      g_printerr ("qoima-xtest-type: TEXT is not UTF-8\n");
      return 2;
    }
  for (const char *p = text; layout >= 0 && *p != '\0'; p = g_utf8_next_char (p))
    {
      unsigned keycode;
      gboolean shift, on_keypad;

      if (!layout_key_for_char (layout, keypad, g_utf8_get_char (p), &keycode, &shift, &on_keypad))
        {
          g_printerr ("qoima-xtest-type: no key of the %s layout gives “%.*s” (offset %d)\n",
                      layouts[layout].name, (int) (g_utf8_next_char (p) - p), p, (int) (p - text));
          return 2;
        }
      needs_num_lock |= on_keypad;
    }
  for (const char *p = text; layout < 0 && *p != '\0'; p++)
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

  if (needs_num_lock)
    num_lock_was_on = lock_num_lock (display, TRUE);

  for (const char *p = text; *p != '\0'; p = layout >= 0 ? g_utf8_next_char (p) : p + 1)
    {
      if (layout >= 0)
        {
          unsigned keycode;
          gboolean shift, on_keypad;

          layout_key_for_char (layout, keypad, g_utf8_get_char (p), &keycode, &shift, &on_keypad);
          tap_shifted (display, keycode, shift);
        }
      else
        {
          type_char (display, *p, gs_mode);
        }
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
  if (needs_num_lock && !num_lock_was_on)
    lock_num_lock (display, FALSE);
  XCloseDisplay (display);

  return x_errors > 0 ? 1 : 0;
}
