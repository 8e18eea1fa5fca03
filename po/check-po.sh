#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the translations: every language in po/LINGUAS has a .po file that
# `msgfmt --check` accepts, with no untranslated and no fuzzy messages (a fuzzy
# translation is a guess that the user would see as if it were checked).
#
# Usage: po/check-po.sh [SOURCE_ROOT]
#        po/check-po.sh --complete [SOURCE_ROOT]   also merge each .po with a fresh POT from
#                                                  POTFILES.in, so strings the .po lacks count
#        po/check-po.sh --pot [SOURCE_ROOT]        only extract the strings of POTFILES.in, as
#                                                  `meson compile qoima-pot` does, into a temp file
#        po/check-po.sh --self-test                prove the check can fail

set -euo pipefail

complete=0
pot_only=0
case "${1:-}" in
  --complete) complete=1; shift ;;
  --pot) pot_only=1; shift ;;
  --self-test) shift; self_test=1 ;;
esac
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
work="$(mktemp -d)"
trap 'rm -rf "${work:-}"' EXIT

# The same keywords as meson's i18n 'glib' preset, so the POT matches qoima-pot's.
make_pot () {
  (cd "$root" && xgettext --package-name=qoima --from-code=UTF-8 --add-comments \
    --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
    --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
    --files-from=po/POTFILES.in --output="$work/qoima.pot")
}

# Checks one .po file; prints its statistics and returns 1 on any problem.
check_po () {
  local po="$1" lang="$2" stats translated fuzzy untranslated
  if ! stats="$(LC_ALL=C msgfmt --check --statistics --output-file=/dev/null "$po" 2>&1)"; then
    echo "$lang: msgfmt --check failed:" >&2
    echo "$stats" >&2
    return 1
  fi
  stats="$(echo "$stats" | tail -n 1)"
  translated="$(echo "$stats" | grep -oE '[0-9]+ translated' | grep -oE '[0-9]+' || echo 0)"
  fuzzy="$(echo "$stats" | grep -oE '[0-9]+ fuzzy' | grep -oE '[0-9]+' || echo 0)"
  untranslated="$(echo "$stats" | grep -oE '[0-9]+ untranslated' | grep -oE '[0-9]+' || echo 0)"
  echo "$lang: $translated translated, $fuzzy fuzzy, $untranslated untranslated"
  if [ "$fuzzy" -ne 0 ] || [ "$untranslated" -ne 0 ]; then
    echo "$lang: every message must be translated and none fuzzy" >&2
    return 1
  fi
}

run_checks () {
  local status=0 lang po
  [ "$complete" -eq 1 ] && make_pot
  while read -r lang; do
    lang="${lang%%#*}"
    lang="$(echo "$lang" | tr -d '[:space:]')"
    [ -n "$lang" ] || continue
    po="$root/po/$lang.po"
    if [ ! -f "$po" ]; then
      echo "$lang: listed in po/LINGUAS but po/$lang.po does not exist" >&2
      status=1
      continue
    fi
    if [ "$complete" -eq 1 ]; then
      msgmerge --quiet --no-fuzzy-matching --output-file="$work/$lang.po" "$po" "$work/qoima.pot"
      po="$work/$lang.po"
    fi
    check_po "$po" "$lang" || status=1
  done < "$root/po/LINGUAS"
  return "$status"
}

# Writes .po files with known faults into a small tree and asserts each is caught (TAP).
self_test () {
  local self failed=0
  self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
  mkdir -p "$work/tree/po"
  local header='msgid ""\nmsgstr ""\n"Language: ru\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
  echo ru > "$work/tree/po/LINGUAS"

  expect () {
    local number="$1" want="$2" what="$3" got=0
    "$self" "$work/tree" >/dev/null 2>&1 || got=1
    if [ "$got" = "$want" ]; then echo "ok $number - $what"; else echo "not ok $number - $what"; failed=1; fi
  }

  printf "$header"'msgid "Stock"\nmsgstr "Склад"\n' > "$work/tree/po/ru.po"
  expect 1 0 "a fully translated file passes"
  printf "$header"'msgid "Stock"\nmsgstr ""\n' > "$work/tree/po/ru.po"
  expect 2 1 "an untranslated message fails"
  printf "$header"'#, fuzzy\nmsgid "Stock"\nmsgstr "Склад"\n' > "$work/tree/po/ru.po"
  expect 3 1 "a fuzzy message fails"
  printf "$header"'#, c-format\nmsgid "%%d packs"\nmsgstr "упаковок"\n' > "$work/tree/po/ru.po"
  expect 4 1 "a translation that drops a format directive fails msgfmt --check"
  printf 'ru\nkk\n' > "$work/tree/po/LINGUAS"
  printf "$header"'msgid "Stock"\nmsgstr "Склад"\n' > "$work/tree/po/ru.po"
  expect 5 1 "a language in LINGUAS without a .po fails"
  echo "1..5"
  return "$failed"
}

if [ "${self_test:-0}" -eq 1 ]; then
  self_test
elif [ "$pot_only" -eq 1 ]; then
  make_pot
  echo "xgettext extracted $(grep -c '^msgid ' "$work/qoima.pot" || echo 0) messages (the header included)"
else
  run_checks
fi
