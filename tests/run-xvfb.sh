#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a command on an X server of its own (Xvfb on a free display), so that a test which
# changes the keyboard layout with setxkbmap never disturbs other tests or the desktop.
#
#   run-xvfb.sh COMMAND [ARGS…]

set -u

tmp=$(mktemp -d)
xvfb_pid=

cleanup () {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# -displayfd picks a free display and writes its number once the server accepts clients.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/display" 2>"$tmp/xvfb.log" &
xvfb_pid=$!

tries=0
while [ ! -s "$tmp/display" ]; do
  if ! kill -0 "$xvfb_pid" 2>/dev/null || [ "$tries" -ge 200 ]; then
    echo "Bail out! Xvfb did not start"
    cat "$tmp/xvfb.log" >&2
    exit 1
  fi
  tries=$((tries + 1))
  sleep 0.05
done

DISPLAY=":$(head -n 1 "$tmp/display")"
GDK_BACKEND=x11
export DISPLAY GDK_BACKEND
unset WAYLAND_DISPLAY

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
  dbus-run-session -- "$@"
else
  "$@"
fi
