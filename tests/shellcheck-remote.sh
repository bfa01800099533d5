#!/bin/sh
# make check: shellcheck -s sh over every program rj sends to hosts, each put
# together as src/remote/build.cc does (its data assignments, the prelude,
# the body, the one call), so a variable used but never set is caught too.
set -u
d=${srcdir:-.}/src/remote/sh
if ! command -v shellcheck >/dev/null 2>&1; then
  case ${CI:-} in '' | false | 0) echo "SKIPPED: shellcheck is not installed"; exit 77 ;; esac
  echo "FAIL: CI=true but shellcheck is not installed (contrib/install-deps installs it)"
  exit 1
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# What the builders assign (exported: each script reads only some of them).
data="export RJ_BOFF='' RJ_COMMAND='' RJ_DESC='' RJ_DIR_ARG='' RJ_DRY='' RJ_ENVTEXT='' RJ_GFLAGS='' RJ_GRACE=''
export RJ_GREP='' RJ_GREP_ON='' RJ_ID='' RJ_IDS='' RJ_MAX='' RJ_MAXJ='' RJ_OFFSET='' RJ_OLDER='' RJ_PROC=''
export RJ_ROTATE='' RJ_SED='' RJ_SP='' RJ_TAIL='' RJ_TIMEOUT='' RJ_WAIT='' RJ_WHASH='' RJ_WORKDIR=''
export RJ_WRAPPER='' RJ_WSH=''"
status=0
for prog in submit sync kill log host_info cleanup remove usage wrapper; do
  f=$tmp/$prog.sh
  {
    echo '#!/bin/sh'
    [ "$prog" = wrapper ] || echo "$data"
    cat "$d/prelude.sh"
    case $prog in sync | kill) cat "$d/facts.sh" ;; esac
    cat "$d/$prog.sh"
    [ "$prog" = wrapper ] || echo 'rj_main </dev/null'
  } >"$f"
  # SC2034 (assigned, not used): prelude helpers leave results some programs ignore.
  if shellcheck -s sh -S warning -e SC2034 "$f"; then
    echo "ok: $prog"
  else
    echo "FAIL: $prog (src/remote/sh/$prog.sh with prelude.sh)"
    status=1
  fi
done
exit $status
