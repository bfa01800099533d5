#include "config.h"

#include "remote/scripts.h"

#include <cstdint>
#include <cstdio>

// The shared prelude and the job wrapper (the one-shot scripts are in
// scripts_ops.cc). Everything must run under dash, busybox sh and bash 3.2 (macOS): no
// arrays, no `local`, no [[ ]], no GNU-only flags. Helper variables are
// prefixed rj_ because POSIX functions share one variable namespace. The
// scripts are read by `sh -s` from the channel, so every command that could
// read stdin gets </dev/null via rj_main.

namespace remote::sh {

const std::string_view prelude = R"RJSH(
# ---- rj prelude: shared helpers ----
# ~ and relative paths are relative to the remote user's $HOME.
rj_expand() {
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
rj_size() { rj_n=0; if [ -f "$1" ]; then set -- $(wc -c < "$1"); rj_n=${1:-0}; fi; }
# A zombie (ended, not reaped yet: some container inits never reap) is not alive.
rj_alive() {
  rj_isnum "$1" && [ "$1" -gt 1 ] && kill -0 "$1" 2>/dev/null || return 1
  if [ -r "/proc/$1/stat" ]; then
    read -r rj_z 2>/dev/null < "/proc/$1/stat" || return 0
    rj_z=${rj_z##*) }
  else
    rj_z=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
  fi
  case $rj_z in Z*) return 1 ;; esac
  return 0
}
# When process $1 started, into rj_r (empty when unknown): Linux's start
# time in clock ticks since boot (/proc/PID/stat field 22), else ps's lstart.
# A pid and its start time name one process even after the pid is reused.
rj_pstart() {
  rj_r=
  if [ -r "/proc/$1/stat" ]; then
    read -r rj_r 2>/dev/null < "/proc/$1/stat" || { rj_r=; return 0; }
    rj_r=${rj_r##*) }
    # shellcheck disable=SC2086
    set -- $rj_r
    if [ $# -ge 20 ]; then shift 19; rj_r=$1; else rj_r=; fi
  else
    rj_r=$(ps -o lstart= -p "$1" 2>/dev/null | tr -s ' \t' '__') || rj_r=
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
  rj_sess=
  if ! command -v tmux >/dev/null 2>&1; then rj_tmux=missing; return 0; fi
  if rj_sess=$(tmux list-sessions -F '#{session_name}' 2>/dev/null); then
    rj_tmux=ok
  else
    rj_tmux=noserver rj_sess=
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
rj_bootid() {
  rj_boot=
  if [ -r /proc/sys/kernel/random/boot_id ]; then
    read -r rj_boot < /proc/sys/kernel/random/boot_id
  else
    rj_boot=$(sysctl -n kern.boottime 2>/dev/null | tr -cd '0-9') || rj_boot=
  fi
}
# Did job dir $1 start in this boot (or can we not tell)?
rj_same_boot() {
  if [ -z "${rj_boot+set}" ]; then rj_bootid; fi
  rj_first "$1/boot"
  [ -z "$rj_r" ] || [ -z "$rj_boot" ] || [ "$rj_r" = "$rj_boot" ]
}
# Is anything of job dir $1 (id $2) alive: session, job or wrapper? Needs rj_sessions.
rj_busy() {
  rj_has_session "$2" && return 0
  rj_same_boot "$1" || return 1
  rj_first "$1/pid"; rj_alive_as "$rj_r" "$1/pstart" && return 0
  rj_first "$1/wpid"; rj_alive_as "$rj_r" "$1/wstart" && return 0
  return 1
}
# Full path of a command found on PATH into rj_r, without a fork.
rj_which() {
  rj_r=
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
  rj_r=
  if [ -L "$1" ] || [ ! -d "$1" ]; then rj_r="$1 is not a directory"; return 1; fi
  if [ ! -O "$1" ]; then rj_r="$1 is not owned by $(id -un 2>/dev/null)"; return 1; fi
  case $(ls -ld "$1" 2>/dev/null) in
    ?????w* | ????????w*) rj_r="$1 is writable by other users"; return 1 ;;
  esac
  return 0
}
# Text on one line (for msg= fields) into rj_r.
rj_flat() { rj_r=$(printf '%s' "$*" | tr '\n\r\t' '   '); }
)RJSH";

const std::string_view wrapper_body = R"RJSH(
# ---- rj job wrapper (protocol 1) ----
# tmux starts it as `SH ../../bin/wrapper-HASH.sh ID` with the job directory
# as working directory. It runs the job once in its own process group and
# records pid, start, end, exit status and CPU time in the job directory, plus
# one line per transition in RJ_DIR/journal. Layout: src/remote/protocol.h.

rj_note() { printf 'rj: %s\n' "$*" >> "$LOG"; }
# Atomic small file: write beside it, then rename.
rj_put() { printf '%s\n' "$2" > "$J/.$1.tmp" && mv -f "$J/.$1.tmp" "$J/$1"; }
# One printf per line: O_APPEND keeps lines of concurrent jobs whole.
rj_journal() { printf '%s %s %s\n' "$1" "$ID" "$2" >> "$RJ/journal"; }

# "1m2.50s" (the `times` builtin) -> rj_s=62.50
rj_secs() {
  rj_t=$1 rj_s=0
  case $rj_t in *m*s) ;; *) return 0 ;; esac
  rj_m=${rj_t%%m*} rj_t=${rj_t#*m}
  rj_t=${rj_t%s}
  rj_i=${rj_t%%.*} rj_f=
  case $rj_t in *.*) rj_f=${rj_t#*.} ;; esac
  rj_isnum "$rj_m" || rj_m=0
  rj_isnum "$rj_i" || rj_i=0
  case $rj_f in *[!0-9]*) rj_f= ;; esac
  while :; do case $rj_m in 0?*) rj_m=${rj_m#0} ;; *) break ;; esac; done
  while :; do case $rj_i in 0?*) rj_i=${rj_i#0} ;; *) break ;; esac; done
  rj_s=$((rj_m * 60 + rj_i))${rj_f:+.$rj_f}
}

# Sleep $1 seconds in a child that a TERM to this (sub)shell stops at once;
# false when stopped.
rj_nap() {
  [ -z "$rj_stop" ] || return 1
  sleep "$1" &
  rj_sp=$!
  if [ -n "$rj_stop" ]; then kill "$rj_sp" 2>/dev/null; return 1; fi
  wait "$rj_sp"
  rj_sp=
  [ -z "$rj_stop" ]
}

# Background guard: after $1 seconds (skipped when empty) mark $2 and TERM the
# job; after the grace period KILL it. The wrapper stops it when the job ends.
rj_watchdog() {
  # Ignored, not handled, so that its sleeps inherit it: Ctrl-Z or Ctrl-C in an
  # attached pane must not stop the clock.
  trap '' HUP INT USR1 TSTP
  trap - CONT
  rj_stop= rj_sp=
  trap 'rj_stop=1; if [ -n "$rj_sp" ]; then kill "$rj_sp" 2>/dev/null; fi' TERM
  if [ -n "$1" ]; then
    rj_nap "$1" || exit 0
    rj_alive "$rj_pid" || exit 0
    if [ -n "$2" ]; then : > "$J/$2"; fi
    rj_signal TERM "$rj_pg" "$rj_pid"
  fi
  rj_nap "$G" || exit 0
  rj_signal KILL "$rj_pg" "$rj_pid"
}

# TERM the job now, KILL it after the grace period (once).
rj_stop_job() {
  if [ -z "$rj_pid" ] || [ -n "$rj_esc" ]; then return 0; fi
  rj_signal TERM "$rj_pg" "$rj_pid"
  rj_watchdog "" "" &
  rj_esc=$!
}

# kill: rj kill (USR1, after it wrote the `killed` flag), Ctrl-C in the pane,
# TERM. lost: the tmux pane went away (HUP; bash sometimes sees only the
# CONT that comes with it, so CONT checks whether the pane tty is gone).
rj_on_sig() {
  rj_intr=1
  case $1 in
    kill) if [ ! -f "$J/killed" ]; then : > "$J/killed"; fi ;;
    lost) rj_lost=1 ;;
    cont)
      if [ -n "$rj_tty" ] && ! [ -t 1 ]; then rj_lost=1; else return 0; fi ;;
  esac
  rj_stop_job
}

# The job itself, in the background subshell: its argv is built before the
# user's env file is sourced, so those variables cannot change what runs.
rj_child() {
  trap - INT TERM USR1 HUP CONT TSTP
  if [ -n "$rj_big" ]; then
    set -- "$rj_bash" "$J/cmd"
  else
    set -- "$rj_bash" -c "$CMD"
  fi
  case $rj_how in
    perl) set -- "$rj_tool" -e "$rj_perl" "$@" ;;
    setsid) set -- "$rj_tool" "$@" ;;
  esac
  set -- "$J/env" "$@"
  if [ -f "$1" ]; then . "$1" || exit 126; fi
  shift
  exec "$@"
}

# New session (no controlling tty: a prompt fails instead of hanging), and
# INT/QUIT back to default: a non-interactive sh starts background jobs with
# them ignored.
rj_perl='$SIG{INT} = $SIG{QUIT} = "DEFAULT";
eval { require POSIX; POSIX::setsid() } or setpgrp(0, 0);
exec { $ARGV[0] } @ARGV;
print STDERR "rj: cannot run $ARGV[0]: $!\n";
exit 127;'

# Record the end (kind, raw wait status, optional error word) and exit.
rj_finish() {
  rj_end=$(date +%s)
  rj_u=0 rj_y=0 rj_cu= rj_cs=
  if times > "$J/.times" 2>/dev/null; then
    { read -r rj_x rj_x; read -r rj_cu rj_cs; } < "$J/.times"
  fi
  rm -f "$J/.times"
  rj_secs "$rj_cu"; rj_u=$rj_s
  rj_secs "$rj_cs"; rj_y=$rj_s
  rj_code=$2 rj_sg=0
  if [ "$2" -gt 128 ] && [ "$2" -lt 193 ]; then rj_sg=$(($2 - 128)) rj_code=-1; fi
  rj_rec="rc=$2 code=$rj_code sig=$rj_sg started=${rj_start:-0} ended=$rj_end user=$rj_u sys=$rj_y"
  if [ -n "$3" ]; then rj_rec="$rj_rec err=$3"; fi
  rj_put exit "kind=$1 $rj_rec"
  rj_journal "$rj_end" "$1 $rj_rec"
  exit 0
}

rj_wmain() {
  cd -P . || exit 1
  J=$PWD
  ID=${J##*/}
  case $J in */jobs/*) ;; *) echo "rj: the job wrapper runs inside a job directory" >&2; exit 2 ;; esac
  if [ "$ID" != "$1" ]; then echo "rj: $J is not the directory of job $1" >&2; exit 2; fi
  RJ=${J%/jobs/*}
  LOG=$J/log
  exec </dev/null 2>>"$LOG"
  if [ -f "$J/started" ] || [ -f "$J/exit" ]; then exit 0; fi
  rj_pid= rj_pg= rj_intr= rj_lost= rj_esc= rj_wd= rj_start= rj_tty=
  if [ -t 1 ]; then rj_tty=1; fi
  trap 'rj_on_sig kill' INT TERM USR1
  trap 'rj_on_sig lost' HUP
  trap 'rj_on_sig cont' CONT
  # Ctrl-Z in an attached pane must not stop the wrapper.
  trap 'rj_intr=1' TSTP
  rj_bootid
  if [ -n "$rj_boot" ]; then echo "$rj_boot" > "$J/boot"; fi
  rj_pstart $$; echo "$rj_r" > "$J/wstart"
  echo "$$" > "$J/wpid"
  printf 'rj job %s: output goes to %s\n' "$ID" "$LOG"
  rj_read "$J/cmd"; CMD=$rj_r
  rj_read "$J/dir"; D=$rj_r
  rj_first "$J/timeout"; T=$rj_r; rj_isnum "$T" || T=0
  rj_first "$J/grace"; G=$rj_r; rj_isnum "$G" || G=10
  : >> "$LOG"
  if [ -n "$rj_lost" ]; then rj_finish lost -1; fi
  if [ -f "$J/killed" ]; then rj_finish killed -1; fi
  if ! cd "$D" 2>/dev/null; then
    rj_note "cannot change to working directory: $D"
    rj_finish error 126 nodir
  fi

  if rj_which bash; then rj_bash=$rj_r; else rj_bash=/bin/sh; fi
  # One argv string may not exceed 128 KiB on Linux: run long commands from
  # the file. (${#CMD} counts characters, up to 4 bytes each.)
  rj_big=
  if [ "${#CMD}" -gt 25000 ]; then
    rj_size "$J/cmd"
    if [ "$rj_n" -gt 100000 ]; then rj_big=1; fi
  fi
  rj_how=${RJ_PGRP_METHOD:-auto} rj_tool=
  if [ "$rj_how" = auto ] || [ "$rj_how" = perl ]; then
    if rj_which perl; then rj_how=perl rj_tool=$rj_r; fi
  fi
  if [ -z "$rj_tool" ] && { [ "$rj_how" = auto ] || [ "$rj_how" = setsid ]; }; then
    if rj_which setsid; then rj_how=setsid rj_tool=$rj_r; fi
  fi
  if [ -z "$rj_tool" ]; then rj_how=jobctl; fi

  if [ "$rj_how" = jobctl ]; then set -m 2>/dev/null; fi
  rj_child </dev/null >>"$LOG" 2>&1 &
  rj_pid=$!
  rj_pg=$rj_pid
  if [ "$rj_how" = jobctl ]; then
    set +m 2>/dev/null
    # Without a tty job control may be off: then the job shares our group.
    rj_mypg=$(ps -o pgid= -p $$ 2>/dev/null) rj_jpg=$(ps -o pgid= -p "$rj_pid" 2>/dev/null)
    if [ -z "$rj_jpg" ] || [ "$rj_mypg" = "$rj_jpg" ]; then
      if [ -n "$rj_jpg" ] || [ -z "$rj_tty" ]; then rj_pg=; fi
    fi
  fi
  rj_start=$(date +%s)
  rj_pstart "$rj_pid"; echo "$rj_r" > "$J/pstart"
  echo "$rj_pid" > "$J/pid"
  echo "${rj_pg:-0}" > "$J/pgid"
  rj_put started "$rj_start"
  rj_journal "$rj_start" "start pid=$rj_pid pgid=${rj_pg:-0}"
  if [ -f "$J/killed" ] || [ -n "$rj_lost" ]; then rj_stop_job; fi
  if [ "$T" -gt 0 ]; then
    rj_watchdog "$T" timedout &
    rj_wd=$!
  fi

  # A trapped signal interrupts wait; wait again until the job itself ended.
  rj_intr=
  wait "$rj_pid"; rj_rc=$?
  while [ -n "$rj_intr" ]; do rj_intr=; wait "$rj_pid"; rj_rc=$?; done
  for rj_w in $rj_wd $rj_esc; do kill "$rj_w" 2>/dev/null; wait "$rj_w" 2>/dev/null; done

  if [ -f "$J/timedout" ]; then rj_kind=timeout
  elif [ -n "$rj_lost" ]; then rj_kind=lost
  elif [ -f "$J/killed" ]; then rj_kind=killed
  elif [ "$rj_rc" -gt 128 ] && [ "$rj_rc" -lt 193 ]; then rj_kind=signal
  else rj_kind=exit
  fi
  rj_finish "$rj_kind" "$rj_rc"
}

rj_wmain "$@"
)RJSH";

const std::string& wrapper_text() {
    static const std::string text = [] {
        std::string t = "#!/bin/sh\n";
        t += prelude;
        t += wrapper_body;
        return t;
    }();
    return text;
}

const std::string& wrapper_hash() {
    static const std::string hash = [] {
        std::uint64_t h = 14695981039346656037ULL;
        for (unsigned char c : wrapper_text()) {
            h ^= c;
            h *= 1099511628211ULL;
        }
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
        return std::string(buf);
    }();
    return hash;
}

}  // namespace remote::sh
