# ---- rj prelude: shared helpers ----
# ~ and relative paths are relative to the remote user's $HOME.
rj_expand() {
  # shellcheck disable=SC2088 # a literal ~ is what is asked for
  case $1 in
    '' | '~') rj_r=$HOME ;;
    '~/'*) rj_r=$HOME/${1#??} ;;
    /*) rj_r=$1 ;;
    *) rj_r=$HOME/$1 ;;
  esac
}
# Exact file content (trailing newlines kept) into rj_r.
rj_read() { rj_r=$(cat "$1" 2>/dev/null; printf x); rj_r=${rj_r%x}; }
# First line of a file, or empty, into rj_r (no fork).
rj_first() { rj_r=; if [ -f "$1" ]; then read -r rj_r < "$1"; fi; :; }
rj_isnum() { case $1 in '' | *[!0-9]*) return 1 ;; esac; return 0; }
# Byte size of a file (0 when missing) into rj_n; macOS wc pads with spaces.
# shellcheck disable=SC2046 # wc's padded count is split on purpose
rj_size() { rj_n=0; if [ -f "$1" ]; then set -- $(wc -c < "$1"); rj_n=${1:-0}; fi; }
# A zombie (ended, not reaped yet: some container inits never reap) is not alive.
# The host's kernel name (uname -s) into rj_os, once per script: on Darwin
# there is no /proc, and sysctl, vm_stat and ps answer instead. Asked by
# name, not by a missing /proc, so that one test machine can play a Mac.
rj_darwin() {
  if [ -z "${rj_os+set}" ]; then rj_os=$(uname -s 2>/dev/null) || rj_os=''; fi
  [ "$rj_os" = Darwin ]
}
# ps in a fixed locale and time zone: its lstart text is compared between
# the wrapper (tmux's environment) and later probes (the ssh session's),
# which may differ in TZ or LANG.
rj_ps() { TZ=UTC0 LC_ALL=C ps "$@"; }
rj_alive() {
  rj_isnum "$1" && [ "$1" -gt 1 ] && kill -0 "$1" 2>/dev/null || return 1
  if ! rj_darwin && [ -r "/proc/$1/stat" ]; then
    read -r rj_z 2>/dev/null < "/proc/$1/stat" || return 0
    rj_z=${rj_z##*) }
  else
    rj_z=$(rj_ps -o stat= -p "$1" 2>/dev/null) || return 0
  fi
  case $rj_z in Z*) return 1 ;; esac
  return 0
}
# When process $1 started, into rj_r (empty when unknown): Linux's start
# time in clock ticks since boot (/proc/PID/stat field 22), else ps's lstart.
# A pid and its start time name one process even after the pid is reused.
rj_pstart() {
  rj_r=''
  if ! rj_darwin && [ -r "/proc/$1/stat" ]; then
    read -r rj_r 2>/dev/null < "/proc/$1/stat" || { rj_r=; return 0; }
    rj_r=${rj_r##*) }
    # shellcheck disable=SC2086
    set -- $rj_r
    if [ $# -ge 20 ]; then shift 19; rj_r=$1; else rj_r=; fi
  else
    rj_r=$(rj_ps -o lstart= -p "$1" 2>/dev/null | tr -s ' \t' '__') || rj_r=''
  fi
  return 0
}
# Is $1 alive and the very process whose start time file $2 recorded? (No
# record, from an older wrapper: the pid alone decides.)
rj_alive_as() {
  rj_alive "$1" || return 1
  rj_first "$2"; rj_want=$rj_r
  [ -n "$rj_want" ] || return 0
  rj_pstart "$1"
  [ -z "$rj_r" ] || [ "$rj_r" = "$rj_want" ]
}
# rj_signal SIG PGID PID: the process group first, then the pid. dash wants
# `kill -s SIG -- -PGID`, busybox refuses the `--`, bash takes both.
rj_signal() {
  if rj_isnum "$2" && [ "$2" -gt 1 ]; then
    kill -s "$1" -- "-$2" 2>/dev/null || kill -s "$1" "-$2" 2>/dev/null
  fi
  if rj_isnum "$3" && [ "$3" -gt 1 ]; then kill -s "$1" "$3" 2>/dev/null; fi
  :
}
# Polling step: 0.05 s where sleep takes fractions, else 1 s; rj_tps = ticks per second.
rj_tick_init() {
  if sleep 0.01 2>/dev/null; then rj_tk=0.05 rj_tps=20; else rj_tk=1 rj_tps=1; fi
}
rj_tick() { sleep "$rj_tk"; }
# Non-login ssh sessions get a minimal PATH; tmux often lives elsewhere (Homebrew).
rj_setpath() {
  for rj_d in /usr/local/bin /opt/homebrew/bin /opt/local/bin "$HOME/.local/bin" "$HOME/bin"; do
    case ":$PATH:" in
      *":$rj_d:"*) ;;
      *) if [ -d "$rj_d" ]; then PATH=$PATH:$rj_d; fi ;;
    esac
  done
  export PATH
}
# Live tmux sessions (newline separated) into rj_sess; rj_tmux = ok|missing|noserver.
rj_sessions() {
  rj_sess=''
  if ! command -v tmux >/dev/null 2>&1; then rj_tmux=missing; return 0; fi
  if rj_sess=$(tmux list-sessions -F '#{session_name}' 2>/dev/null); then
    rj_tmux=ok
  else
    rj_tmux=noserver rj_sess=''
  fi
}
# Is job $1's session (RJ_SP, the session prefix, then the id) up?
rj_has_session() {
  case "
$rj_sess
" in *"
$RJ_SP$1
"*) return 0 ;; esac
  return 1
}
# This boot of the host into rj_boot (empty when unknown): a pid recorded
# before a reboot says nothing about the process that has it now.
# macOS: kern.bootsessionuuid, else the seconds of kern.boottime ("{ sec =
# 1733000000, usec = 123 } Mon Dec  1 ..."), never its date text, which is
# local time and so differs between environments with another TZ.
rj_bootid() {
  rj_boot=''
  if ! rj_darwin && [ -r /proc/sys/kernel/random/boot_id ]; then
    read -r rj_boot < /proc/sys/kernel/random/boot_id
    return 0
  fi
  rj_boot=$(sysctl -n kern.bootsessionuuid 2>/dev/null | LC_ALL=C tr -cd '0-9A-Fa-f-') || rj_boot=''
  if [ "${#rj_boot}" -lt 32 ]; then
    rj_boot=$(sysctl -n kern.boottime 2>/dev/null) || rj_boot=''
    case $rj_boot in *"sec = "*) rj_boot=${rj_boot#*sec = } rj_boot=${rj_boot%%,*} ;; esac
    rj_isnum "$rj_boot" || rj_boot=''
  fi
}
# Did job dir $1 start in this boot (or can we not tell)? A record of
# digits only is a macOS boot id; an older rj wrote every digit of
# kern.boottime there (its seconds first, then usec and the local date):
# it names this boot when it starts with this boot's seconds, and against
# a kern.bootsessionuuid it tells nothing (the pid and its start time decide).
rj_same_boot() {
  if [ -z "${rj_boot+set}" ]; then rj_bootid; fi
  rj_first "$1/boot"
  [ -z "$rj_r" ] || [ -z "$rj_boot" ] || [ "$rj_r" = "$rj_boot" ] && return 0
  rj_isnum "$rj_r" || return 1
  rj_isnum "$rj_boot" || return 0
  case $rj_r in "$rj_boot"?*) return 0 ;; esac
  return 1
}
# Is anything of job dir $1 (id $2) alive: session, job or wrapper? Needs rj_sessions.
rj_busy() {
  rj_has_session "$2" && return 0
  # A SLURM job without its end record waits or runs on a compute node,
  # where no pid of the login node tells: it is busy until it ends.
  if [ -f "$1/slurm_id" ] && [ ! -f "$1/exit" ]; then return 0; fi
  rj_same_boot "$1" || return 1
  rj_first "$1/pid"; rj_alive_as "$rj_r" "$1/pstart" && return 0
  rj_first "$1/wpid"; rj_alive_as "$rj_r" "$1/wstart" && return 0
  return 1
}
# Has the job of dir $1 ended, or is it dead by the checks sync uses (gone
# in a reboot, or its wrapper ran and neither it nor the job is alive, by
# pid and start time)? Then what rj gave it, such as GPUs, is free again.
# A job whose wrapper has not recorded itself yet is starting, not gone.
rj_gone() {
  [ -d "$1" ] && [ ! -f "$1/exit" ] && rj_same_boot "$1" || return 0
  rj_first "$1/wpid"
  [ -n "$rj_r" ] || return 1
  rj_alive_as "$rj_r" "$1/wstart" && return 1
  rj_first "$1/pid"
  ! rj_alive_as "$rj_r" "$1/pstart"
}
# Full path of a command found on PATH into rj_r, without a fork.
rj_which() {
  rj_r=''
  rj_ifs=$IFS
  IFS=:
  for rj_d in $PATH; do
    if [ -n "$rj_d" ] && [ -f "$rj_d/$1" ] && [ -x "$rj_d/$1" ]; then rj_r=$rj_d/$1; break; fi
  done
  IFS=$rj_ifs
  [ -n "$rj_r" ]
}
# Is directory $1 ours alone: a real directory (not a link), owned by us,
# not writable by group or others? Else rj_r says what is wrong.
rj_private_dir() {
  rj_r=''
  if [ -L "$1" ] || [ ! -d "$1" ]; then rj_r="$1 is not a directory"; return 1; fi
  if [ ! -O "$1" ]; then rj_r="$1 is not owned by $(id -un 2>/dev/null)"; return 1; fi
  case $(ls -ld "$1" 2>/dev/null) in
    ?????w* | ????????w*) rj_r="$1 is writable by other users"; return 1 ;;
  esac
  return 0
}
# Text on one line (for msg= fields) into rj_r.
rj_flat() { rj_r=$(printf '%s' "$*" | tr '\n\r\t' '   '); }
# Job-end notification files in job dir $1, all 0600: notify ($2, the policy
# line "all|failures MIN_SECONDS"), then per channel (pairs of arguments)
# notify.N.curl (a curl config naming the URL: secrets stay off command
# lines) and notify.N.json (the message template). No policy: none at all.
rj_notify_files() {
  rj_nd=$1
  rm -f "$rj_nd/notify" "$rj_nd"/notify.*
  [ -n "$2" ] || return 0
  (
    umask 077
    printf '%s\n' "$2" > "$rj_nd/notify" || exit 1
    shift 2
    rj_nn=1
    while [ $# -ge 2 ]; do
      if [ -n "$1" ]; then
        { printf '%s\n' "$1" > "$rj_nd/notify.$rj_nn.curl" && printf '%s' "$2" > "$rj_nd/notify.$rj_nn.json"; } || exit 1
      fi
      shift 2
      rj_nn=$((rj_nn + 1))
    done
  )
}
