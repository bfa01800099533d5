#!/usr/bin/env bash
# integration.sh — `make check`'s entry for tests/integration_tests: runs the
# program as several processes at once, each taking the cases of one source
# file at a time (Catch2's -# file tags, [#test_queues]) from a shared queue.
#
# Why: the integration cases spend most of their time waiting on their real
# sshd hosts, tmux and shells, so one process at a time left the 2-core CI
# machine idle for most of `make check` (docs/BENCHMARKS.md, CI stages). The
# harness already gives each TestHosts/SlurmCluster its own directory,
# loopback address, port and test user under one lock
# (tests/harness/README.md), so concurrent processes never share a host.
#
# Every case runs exactly once: each belongs to exactly one source file, and
# every file tag the program lists is queued. A file's own output goes to the
# log whole (failing files first), then a table of files by duration, then
# the skipped cases; the console (fd 9 under `make check`) gets the count of
# skipped cases and why, as tests/precondition.cc does for one process.
#
# Environment:
#   RJ_TEST_JOBS               processes at once (default 3)
#   RJ_INTEGRATION_BIN         the program (default $RJ_BUILDDIR/tests/integration_tests)
#   RJ_INTEGRATION_FILTER      a Catch2 spec ANDed with each file tag, e.g. '~[slurm]' (no comma)
# Arguments are passed to every process (e.g. --durations yes).
set -u -o pipefail
BIN=${RJ_INTEGRATION_BIN:-${RJ_BUILDDIR:-.}/tests/integration_tests}
JOBS=${RJ_TEST_JOBS:-3}
FILTER=${RJ_INTEGRATION_FILTER:-}
case $FILTER in *,*) echo "integration.sh: RJ_INTEGRATION_FILTER is ANDed with each file's tag, so it takes no comma: '$FILTER'" >&2; exit 2 ;; esac
case $JOBS in ''|*[!0-9]*|0) echo "integration.sh: RJ_TEST_JOBS must be a positive number, not '$JOBS'" >&2; exit 2 ;; esac
[ -x "$BIN" ] || { echo "integration.sh: no test program at $BIN (build it: make tests/integration_tests)" >&2; exit 2; }
console_fd=${RJ_CONSOLE_FD:-}
export -n RJ_CONSOLE_FD  # each process would print its own skip line; one summary below instead

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rj-integration.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT

# (Catch2 v2's --list-* exit with the count listed, not 0: the output is checked.)
"$BIN" -# --list-tags >"$WORK/tags" 2>&1
sed -n 's/^ *[0-9][0-9]* *\[#\([A-Za-z0-9_.-]*\)\]$/\1/p' "$WORK/tags" >"$WORK/files"
[ -s "$WORK/files" ] || { echo "integration.sh: $BIN lists no source file tags:" >&2; head -n 20 "$WORK/tags" >&2; exit 2; }
# The longest files first (measured: docs/BENCHMARKS.md, CI stages), so that
# no long file starts last and runs alone; files not named here follow in
# the program's order.
LONG="test_slurm test_hostile test_faults_client test_ssh_session test_faults_host test_pools
  test_queues test_tui test_code test_notify test_integrity test_dropin"
{
  for f in $LONG; do grep -qx "$f" "$WORK/files" && echo "$f"; done
  grep -vxF -f <(printf '%s\n' $LONG) "$WORK/files"
} >"$WORK/queue"
cp "$WORK/queue" "$WORK/order"
: >"$WORK/results"

next_file() {  # prints the next queued file tag; fails when none is left
  local tag
  exec {lock}>>"$WORK/lock"
  flock "$lock"
  tag=$(head -n 1 "$WORK/queue")
  [ -n "$tag" ] && sed -i 1d "$WORK/queue"
  exec {lock}>&-
  [ -n "$tag" ] && printf '%s\n' "$tag"
}

worker() {
  local tag start rc
  while tag=$(next_file); do
    start=$(date +%s%N)
    # ~[.]: a file tag names its hidden cases too, which Catch2 then runs
    # (test_sanitizer_pipeline's planted case must fail, and runs only
    # inside the case that checks it does).
    "$BIN" -# "[#$tag]~[.]$FILTER" "$@" >"$WORK/$tag.log" 2>&1 </dev/null
    rc=$?
    # One short line per append: concurrent appends do not interleave.
    echo "$tag $rc $(( ($(date +%s%N) - start) / 1000000 ))" >>"$WORK/results"
  done
}

begin=$(date +%s)
for ((i = 0; i < JOBS; i++)); do worker "$@" & done
wait
elapsed=$(( $(date +%s) - begin ))

status=0 failed="" cases=0
while read -r tag rc _; do
  [ "$rc" -ne 0 ] && { status=1; failed="$failed $tag"; }
done <"$WORK/results"
# Failing files first: .ci/run prints the head of a failing log.
for tag in $failed $(grep -vxF -f <(printf '%s\n' $failed) "$WORK/order"); do
  rc=$(awk -v t="$tag" '$1 == t { print $2 }' "$WORK/results")
  echo "=== [#$tag]: exit ${rc:-not run} ==="
  cat "$WORK/$tag.log" 2>/dev/null
done
echo "=== integration.sh: files by duration (ms, exit status), $JOBS at once, $elapsed s in all ==="
sort -k3,3nr "$WORK/results"
# Catch2's closing line per file: "test cases: N | ..." or "All tests passed (A assertions in N test cases)".
cases=$(cat "$WORK"/*.log | sed -n -e 's/^test cases: *\([0-9]*\).*/\1/p' \
  -e 's/^All tests passed (.* in \([0-9]*\) test case.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
ran=$(wc -l <"$WORK/results")
total=$(wc -l <"$WORK/order")
if [ "$ran" -ne "$total" ]; then
  echo "integration.sh: only $ran of $total files ran"; status=1
fi
echo "integration.sh: $cases test cases in $ran files; failed:${failed:- none}"

skips=$(grep -h '^SKIPPED: ' "$WORK"/*.log | sort -u)
if [ -n "$skips" ]; then
  text="$(printf '%s\n' "$skips" | wc -l) test case(s) SKIPPED (their preconditions are missing here):
$skips"
else
  text="no test case skipped"
fi
echo "integration.sh: $text"
if [ "$console_fd" = 9 ] && { true >&9; } 2>/dev/null; then
  echo "integration_tests: $text" >&9
fi
exit "$status"
