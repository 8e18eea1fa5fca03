#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks that po/POTFILES.in lists every file with translatable strings, and
# only files that exist: a string in an unlisted file never reaches translators,
# and a listed file that is gone breaks `meson compile qoima-pot`.
#
# Usage: po/check-potfiles.sh [SOURCE_ROOT]            check (exit 1 on a problem)
#        po/check-potfiles.sh --update [SOURCE_ROOT]   rewrite POTFILES.in from the tree
#        po/check-potfiles.sh --self-test              prove the check can fail

set -euo pipefail

mode=check
case "${1:-}" in
  --update) mode=update; shift ;;
  --self-test) mode=self-test; shift ;;
esac
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
potfiles="$root/po/POTFILES.in"

# Prints, relative to the root and sorted, every file that needs translating: C with
# gettext calls (_, N_, C_, NC_, the g_d*gettext family; GNU style puts a space before the
# parenthesis), GtkBuilder files with translatable="yes", and the data files that carry
# text (desktop entry, metainfo, schema). Tests and build folders are not translated.
translatable_files () {
  local c_pattern='(^|[^[:alnum:]_])(N?C?_|g_d?n?p?c?gettext2?|ngettext|dgettext|dngettext)[[:space:]]*\('
  (
    cd "$root"
    for dir in src ui; do
      [ -d "$dir" ] || continue
      find "$dir" \( -name '_build*' -prune \) -o -type f \( -name '*.c' -o -name '*.h' \) -print0 |
        xargs -0 -r grep -lE "$c_pattern" || true
      find "$dir" \( -name '_build*' -prune \) -o -type f -name '*.ui' -print0 |
        xargs -0 -r grep -l 'translatable="yes"' || true
    done
    if [ -d data ]; then
      find data -type f \( -name '*.desktop.in.in' -o -name '*.desktop.in' \
        -o -name '*.metainfo.xml.in.in' -o -name '*.metainfo.xml.in' -o -name '*.gschema.xml' \) -print
    fi
  ) | sed 's|^\./||' | LC_ALL=C sort -u
}

listed_files () {
  [ -f "$potfiles" ] || return 0
  sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$potfiles" | LC_ALL=C sort -u
}

check () {
  local status=0 file
  local -a needed listed
  mapfile -t needed < <(translatable_files)
  mapfile -t listed < <(listed_files)

  for file in "${needed[@]}"; do
    # Not grep -q: it may stop reading early, and with pipefail printf's SIGPIPE would
    # then count as "missing".
    if ! printf '%s\n' "${listed[@]}" | grep -xF -- "$file" >/dev/null; then
      echo "MISSING from po/POTFILES.in: $file" >&2
      status=1
    fi
  done
  for file in "${listed[@]}"; do
    if [ ! -f "$root/$file" ]; then
      echo "LISTED in po/POTFILES.in but does not exist: $file" >&2
      status=1
    fi
  done
  # xgettext stops a message at a macro such as G_GINT64_FORMAT, so translators see half
  # of it and the whole one is never translated: counts in messages use %lld.
  local macro_pattern='(^|[^[:alnum:]_])N?_[[:space:]]*\("[^"]*"[[:space:]]*G_G[[:alnum:]_]*_FORMAT'
  for file in "${needed[@]}"; do
    case "$file" in *.c|*.h) ;; *) continue ;; esac
    if grep -nE "$macro_pattern" "$root/$file" >&2; then
      echo "A format macro cuts a translatable message in $file: print the number with %lld" >&2
      status=1
    fi
  done
  if [ "$status" -eq 0 ]; then
    echo "po/POTFILES.in lists all ${#needed[@]} files with translatable strings"
  else
    echo "Fix it with: po/check-potfiles.sh --update" >&2
  fi
  return "$status"
}

update () {
  {
    # Keep the header comment, then the list the tree asks for.
    [ -f "$potfiles" ] && grep '^#' "$potfiles" || true
    translatable_files
  } > "$potfiles.tmp"
  mv "$potfiles.tmp" "$potfiles"
  echo "po/POTFILES.in now lists $(listed_files | wc -l) files"
}

# Builds small trees with known faults and asserts each is caught (TAP).
self_test () {
  local failed=0 self
  self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
  tmp="$(mktemp -d)"
  trap 'rm -rf "${tmp:-}"' EXIT
  mkdir -p "$tmp/po" "$tmp/src/core" "$tmp/ui/pages" "$tmp/tests"
  printf 'return _ ("Hello");\n' > "$tmp/src/core/a.c"
  printf 'static int my_var_ (int x);\nint n = my_var_ (1);\n' > "$tmp/src/core/b.c"
  printf '<property name="label" translatable="yes">Stock</property>\n' > "$tmp/ui/pages/p.ui"
  printf 'g_print (_("test only"));\n' > "$tmp/tests/t.c"

  expect () {
    local number="$1" want="$2" what="$3" got=0
    "$self" "$tmp" >/dev/null 2>&1 || got=1
    if [ "$got" = "$want" ]; then echo "ok $number - $what"; else echo "not ok $number - $what"; failed=1; fi
  }

  printf 'src/core/a.c\n' > "$tmp/po/POTFILES.in"
  expect 1 1 "an unlisted .ui with translatable=\"yes\" is reported"
  printf 'src/core/a.c\nui/pages/p.ui\n' > "$tmp/po/POTFILES.in"
  expect 2 0 "a complete list passes (identifiers ending in _ and tests/ are ignored)"
  printf 'src/core/a.c\nsrc/core/gone.c\nui/pages/p.ui\n' > "$tmp/po/POTFILES.in"
  expect 3 1 "a listed file that does not exist is reported"
  printf 'ui/pages/p.ui\n' > "$tmp/po/POTFILES.in"
  expect 4 1 "an unlisted .c with _ (…) is reported"
  "$self" --update "$tmp" >/dev/null
  expect 5 0 "--update writes a list that passes"
  printf 'g_print (_("%%s is %%" G_GINT64_FORMAT " packs"), n);\n' >> "$tmp/src/core/a.c"
  expect 6 1 "a format macro inside a translatable message is reported"
  echo "1..6"
  return "$failed"
}

case "$mode" in
  check) check ;;
  update) update ;;
  self-test) self_test ;;
esac
