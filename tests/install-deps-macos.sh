#!/bin/sh
# shellcheck disable=SC2016  # the fakes are written with their $ quoted on purpose
# make check: contrib/install-deps on macOS (issue 27), run here against
# fakes of uname, id, brew and curl first on PATH: it installs only the
# missing packages with brew, refuses root, and keeps the Catch2 v2 header
# only when its SHA-256 matches. Runs anywhere (it never calls the real brew).
set -u
src=${srcdir:-.}
T=$(mktemp -d) || exit 1
[ -d "$T" ] || exit 1
trap 'rm -rf "$T"' EXIT
mkdir "$T/bin" "$T/home"
printf '#!/bin/sh\necho Darwin\n' >"$T/bin/uname"
printf '#!/bin/sh\necho "${FAKE_UID:-501}"\n' >"$T/bin/id"
# brew: libssh2 is installed, nothing else; every call is logged.
{
  echo '#!/bin/sh'
  echo 'echo "brew $*" >>"$FAKE_LOG"'
  echo '[ "$1" = list ] && { [ "$3" = libssh2 ]; exit $?; }'
  echo 'exit 0'
} >"$T/bin/brew"
# curl: writes FAKE_BODY (or the real header) to its -o FILE.
{
  echo '#!/bin/sh'
  echo 'while [ $# -gt 1 ]; do [ "$1" = -o ] && out=$2; shift; done'
  echo 'if [ -n "${FAKE_BODY:-}" ]; then echo "$FAKE_BODY" >"$out"; else cp "$REAL_HEADER" "$out"; fi'
} >"$T/bin/curl"
chmod +x "$T/bin/uname" "$T/bin/id" "$T/bin/brew" "$T/bin/curl"
export FAKE_LOG="$T/brew.log"
status=0
fail() { echo "FAIL: $*"; status=1; }
run() { HOME=$T/home PATH="$T/bin:$PATH" sh "$src/contrib/install-deps" >"$T/out" 2>&1; }

FAKE_UID=0 run && fail "install-deps ran as root on macOS"
grep -q 'not as root' "$T/out" || fail "no clear message for root: $(cat "$T/out")"
[ -f "$T/brew.log" ] && fail "brew was called as root"

hdr=$T/home/Library/Caches/rj/catch2/catch2/catch.hpp
FAKE_BODY="not catch2" run && fail "install-deps accepted a header with the wrong SHA-256"
grep -q 'does not match its SHA-256' "$T/out" || fail "no clear message for a bad header: $(cat "$T/out")"
{ [ -e "$hdr" ] || [ -e "$hdr.part" ]; } && fail "a bad header was left behind"
grep -q '^brew install autoconf .*ncurses sqlite openssl@3 curl' "$T/brew.log" || fail "brew install not called for the missing packages"
grep '^brew install' "$T/brew.log" | grep -q libssh2 && fail "brew install asked for libssh2, which is installed"

for h in /usr/include/catch2/catch.hpp /opt/homebrew/include/catch2/catch.hpp /usr/local/include/catch2/catch.hpp; do
  grep -q 'Catch v2.13.10' "$h" 2>/dev/null && REAL_HEADER=$h && break
done
if [ -n "${REAL_HEADER:-}" ]; then
  export REAL_HEADER
  run || fail "install-deps failed with the right header: $(cat "$T/out")"
  cmp -s "$hdr" "$REAL_HEADER" || fail "the header was not kept at $hdr"
else
  echo "note: no Catch2 v2.13.10 header here; the accepting path was not run"
fi
[ "$status" = 0 ] && echo "ok: install-deps on macOS uses brew, refuses root, checks the Catch2 header"
exit "$status"
