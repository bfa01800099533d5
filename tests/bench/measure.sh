# shellcheck shell=bash
# measure.sh — the timing helpers of tests/bench/run-benchmarks and
# tests/bench/sync-grid (sourced; bash). Set BENCH_NAME (for messages) and
# REPEAT (runs per figure) first.
#   measure CMD...  the median wall seconds of CMD run $REPEAT times. A run
#                   that exits non-zero is no measurement: timed, it would
#                   read as a fast success. measure prints which command
#                   failed and the tail of what it said, and returns 1, so
#                   `X=$(measure ...)` stops a `set -e` script.
# tests/bench-measure.sh (in make check) holds it to that.
now() {  # seconds with a fraction; BSD date (macOS) has no %N
  local t
  t=$(date +%s.%N)
  case $t in *N) python3 -c 'import time; print("%.9f" % time.time())' ;; *) echo "$t" ;; esac
}
measure() {
  local t=() s e i rc out
  out=$(mktemp "${TMPDIR:-/tmp}/rj-measure.XXXXXX")
  for i in $(seq "$REPEAT"); do
    rc=0
    s=$(now); "$@" >"$out" 2>&1 || rc=$?; e=$(now)
    if [ "$rc" -ne 0 ]; then
      {
        echo "${BENCH_NAME:-measure}: run $i of '$*' failed (exit $rc); no figure is printed for it:"
        tail -n 20 "$out"
      } >&2
      rm -f "$out"
      return 1
    fi
    t+=("$(echo "$e - $s" | bc -l)")
  done
  rm -f "$out"
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
