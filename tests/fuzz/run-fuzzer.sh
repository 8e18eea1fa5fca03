#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs one libFuzzer harness for a while from the committed corpus, as meson's fuzz suites do:
#   run-fuzzer.sh HARNESS SECONDS CORPUS DICT WORKDIR   (DICT may be empty)
# New inputs go to WORKDIR/new (never into the source tree), a crash to WORKDIR/crash-…,
# which the failing test's log names; re-run it with `HARNESS WORKDIR/crash-…`.
set -eu
harness="$1" seconds="$2" corpus="$3" dict="$4" work="$5"
mkdir -p "$work/new"
# Errors abort with a stack trace, and a slow input is a finding too (-timeout). ASan's
# quarantine is kept small so that ten-minute runs stay well under -rss_limit_mb.
# The caller's options come last, so they win.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:quarantine_size_mb=32${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export G_SLICE=always-malloc
# libFuzzer's own exit status for a finding, 77, is what meson reads as a skipped test.
set -- -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=65536 \
  -error_exitcode=1 -timeout_exitcode=1
if [ -n "$dict" ]; then
  set -- "$@" -dict="$dict"
fi
exec "$harness" "$@" -artifact_prefix="$work/" -print_final_stats=1 "$work/new" "$corpus"
