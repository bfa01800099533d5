#!/bin/sh
# make check: shellcheck -s sh over every program rj sends to hosts, each put
# together as src/remote/build.cc does (its data assignments, the prelude,
# the body, the one call), so a variable used but never set is caught too.
set -u
d=${srcdir:-.}/src/remote/sh
if ! command -v shellcheck >/dev/null 2>&1; then
  case ${CI:-} in '' | false | 0)
    echo "SKIPPED: shellcheck-remote.sh: shellcheck is not installed"
    # make check's console shows SKIP; the reason too (fd 9: Makefile.am).
    if [ "${RJ_CONSOLE_FD:-}" = 9 ]; then echo "shellcheck-remote.sh: SKIPPED: shellcheck is not installed" >&9; fi
    exit 77 ;;
  esac
  echo "FAIL: CI=true but shellcheck is not installed (contrib/install-deps installs it)"
  exit 1
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# What the builders assign (exported: each script reads only some of them).
data="export RJ_BOFF='' RJ_COMMAND='' RJ_DESC='' RJ_DIR_ARG='' RJ_DRY='' RJ_ENVTEXT='' RJ_GFLAGS='' RJ_GRACE=''
export RJ_GREP='' RJ_GREP_ON='' RJ_ID='' RJ_IDS='' RJ_MAX='' RJ_MAXJ='' RJ_OFFSET='' RJ_OLDER='' RJ_PROC=''
export RJ_ROTATE='' RJ_SED='' RJ_SP='' RJ_TAIL='' RJ_TIMEOUT='' RJ_WAIT='' RJ_WHASH='' RJ_WORKDIR=''
export RJ_WRAPPER='' RJ_WSH='' RJ_IDLE='' RJ_QUEUE='' RJ_NOSTART='' RJ_HOLD='' RJ_SLOTS='' RJ_PRIO=''
export RJ_GPUS='' RJ_AFTER_OK='' RJ_AFTER_ANY='' RJ_AFTER_FAIL='' RJ_ARRAY='' RJ_GPU_FREE_MIB='' RJ_RHASH=''
export RJ_RUNNER='' RJ_TASKS='' RJ_OP='' RJ_JOBS='' RJ_SET_CMD='' RJ_SET_ENV='' RJ_SET_PRIO='' RJ_SET_GPUS=''
export RJ_SET_TIMEOUT='' RJ_SNAPSHOT='' RJ_EXACT='' RJ_EXACT_ROOT='' RJ_EXACT_COMMIT='' RJ_EXACT_SUB=''
export RJ_EXACT_PATCH='' RJ_EXACT_BYTES='' RJ_ID1='' RJ_ID2='' RJ_ROOT='' RJ_C1='' RJ_C2='' RJ_CAP=''
export RJ_LIMIT='' RJ_NAME='' RJ_SB='' RJ_TIMELIMIT=''
export RJ_XJOBS='' RJ_XOLD=''
export RJ_SNAPEXCL='' RJ_NOTIFY='' RJ_NC1='' RJ_NT1='' RJ_NC2='' RJ_NT2='' RJ_NC3='' RJ_NT3='' RJ_GALLOC=''"
status=0
for prog in submit sync kill log host_info free cleanup remove usage enqueue queue_ctl diff wrapper runner \
  slurm_submit slurm_sync slurm_kill slurm_ctl slurm_info foreign; do
  f=$tmp/$prog.sh
  {
    echo '#!/bin/sh'
    case $prog in wrapper | runner) ;; *) echo "$data" ;; esac
    cat "$d/prelude.sh"
    case $prog in wrapper) cat "$d/snapshot.sh" "$d/sampler.sh" ;; esac
    case $prog in submit | sync | kill | enqueue | queue_ctl | runner | slurm_sync | slurm_kill) cat "$d/queue_lib.sh" ;; esac
    case $prog in sync | kill | slurm_sync | slurm_kill) cat "$d/facts.sh" ;; esac
    case $prog in host_info | free | slurm_info) cat "$d/hostfacts_lib.sh" ;; esac
    case $prog in slurm_sync) cat "$d/sync.sh" ;; slurm_info) cat "$d/host_info.sh" ;; foreign) cat "$d/log.sh" ;; esac
    cat "$d/$prog.sh"
    case $prog in wrapper | runner) ;; slurm_sync) echo 'rj_slurm_main </dev/null' ;; slurm_info) echo 'rj_slurm_info_main </dev/null' ;;
      foreign) echo 'rj_xsync </dev/null; rj_xkill </dev/null; rj_main </dev/null' ;; *) echo 'rj_main </dev/null' ;; esac
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
