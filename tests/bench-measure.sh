#!/usr/bin/env bash
# The benchmarks' `measure` (tests/bench/measure.sh) must not time a failed
# run as a fast success: a command that fails on any of its runs makes
# measure fail, say which command, and print no figure; a command that
# succeeds gives a median. Before, `"$@" || true` timed the failure.
set -u
: "${srcdir:=.}"
# shellcheck source=tests/bench/measure.sh
. "$srcdir/tests/bench/measure.sh"
BENCH_NAME=bench-measure
fail=0
REPEAT=3

# A success gives one number.
fig=$(measure true) || { echo "bench-measure: measure true failed" >&2; fail=1; }
echo "$fig" | grep -Eq '^[0-9]*\.?[0-9]+$' || { echo "bench-measure: measure true printed '$fig', not a number" >&2; fail=1; }

# Failing on the first run, and only on the last run (a flaky host): both fail.
T=$(mktemp -d "${TMPDIR:-/tmp}/rj-bench-measure.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck disable=SC2317  # called through measure
third_fails() { n=$(cat "$T/n" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" >"$T/n"; [ "$n" -lt 3 ] || { echo "host unreachable"; return 255; }; }
for cmd in false third_fails; do
  rc=0
  fig=$(measure "$cmd" 2>"$T/err") || rc=$?
  if [ "$rc" -eq 0 ]; then echo "bench-measure: measure $cmd succeeded with figure '$fig'" >&2; fail=1; fi
  if [ -n "$fig" ]; then echo "bench-measure: measure $cmd printed a figure: '$fig'" >&2; fail=1; fi
  grep -q "'$cmd' failed" "$T/err" || { echo "bench-measure: measure $cmd did not name the failed command:" >&2; cat "$T/err" >&2; fail=1; }
done
grep -q "host unreachable" "$T/err" || { echo "bench-measure: the failed command's output is not shown" >&2; fail=1; }

# And under set -e, a script stops at X=$(measure ...).
rc=0
out=$(bash -c 'set -e; . "$1/tests/bench/measure.sh"; REPEAT=1; X=$(measure false); echo "went on with $X"' _ "$srcdir" 2>/dev/null) || rc=$?
if [ "$rc" -eq 0 ] || [ -n "$out" ]; then echo "bench-measure: a set -e script went on after a failed measure: '$out'" >&2; fail=1; fi

[ "$fail" -eq 0 ] && echo "bench-measure: ok (a failed run fails measure; a success gives a median)"
exit "$fail"
