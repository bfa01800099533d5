#!/bin/sh
# Replays every fuzz target's checked-in corpus (tests/fuzz/corpus/<target>/)
# through its replay program (built by `make check` with the normal
# compiler): each input must pass the target's checks. A target without
# corpus or program fails.
set -u
srcdir=${srcdir:-.}
builddir=${RJ_BUILDDIR:-.}
targets="sync journal replies probe slurm ssh_config known_hosts config plan duration script clock"
status=0
for t in $targets; do
    prog="$builddir/tests/fuzz/replay_$t"
    if [ ! -x "$prog" ]; then
        echo "FAIL $t: no replay program $prog (make check builds it)"
        status=1
        continue
    fi
    if "$prog" "$srcdir/tests/fuzz/corpus/$t" 2>"$builddir/tests/fuzz/replay_$t.err"; then
        echo "PASS $t: $(tail -n 1 "$builddir/tests/fuzz/replay_$t.err")"
    else
        echo "FAIL $t:"
        tail -n 5 "$builddir/tests/fuzz/replay_$t.err"
        status=1
    fi
done
exit $status
