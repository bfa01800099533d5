#include "config.h"

#include "remote/scripts.h"

#include <cstdint>
#include <cstdio>

// Everything here must run under dash, busybox sh and bash 3.2 (macOS): no
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
    read -r rj_z < "/proc/$1/stat" 2>/dev/null || return 0
    rj_z=${rj_z##*) }
  else
    rj_z=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
  fi
  case $rj_z in Z*) return 1 ;; esac
  return 0
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
rj_has_session() {
  case "
$rj_sess
" in *"
rj-$1
"*) return 0 ;; esac
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
  trap '' HUP INT USR1
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
  trap - INT TERM USR1 HUP CONT
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

const std::string_view submit_body = R"RJSH(
# ---- rj submit ----
rj_fail() {
  rj_flat "$*"
  printf 'RJ-SUBMIT error id=%s msg=%s\n' "$RJ_ID" "$rj_r"
}
rj_report() {
  rj_first "$J/pid"; rj_p=$rj_r; rj_isnum "$rj_p" || rj_p=0
  rj_first "$J/started"; rj_s=$rj_r; rj_isnum "$rj_s" || rj_s=0
  rj_e=0
  if [ -f "$J/exit" ]; then rj_e=1; fi
  if [ "$rj_s" = 0 ] && [ "$rj_e" = 0 ]; then
    printf 'RJ-SUBMIT pending id=%s already=%s\n' "$RJ_ID" "$1"
  else
    printf 'RJ-SUBMIT ok id=%s pid=%s started=%s already=%s exited=%s\n' \
      "$RJ_ID" "$rj_p" "$rj_s" "$1" "$rj_e"
  fi
}
# Up to ~2 s for the wrapper to record its start; it usually takes a few
# hundredths, so look often at first.
rj_wait_started() {
  rj_i=0
  while [ "$rj_i" -lt $((2 * rj_tps)) ]; do
    if [ -f "$J/started" ] || [ -f "$J/exit" ]; then return 0; fi
    if [ "$rj_i" -lt 10 ] && [ "$rj_tps" -gt 1 ]; then sleep 0.01; else rj_tick; fi
    rj_i=$((rj_i + 1))
  done
  return 1
}
rj_main() {
  rj_setpath
  rj_tick_init
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  J=$RJ/jobs/$RJ_ID
  rj_um=$(umask)
  umask 077
  if ! mkdir -p "$RJ/jobs" "$RJ/bin" 2>/dev/null; then rj_fail "cannot create $RJ on host"; return; fi
  chmod 700 "$RJ" 2>/dev/null
  # Resubmitting a job that started (e.g. after the laptop crashed mid-submit)
  # must not start it twice.
  if [ -f "$J/started" ] || [ -f "$J/exit" ]; then rj_report 1; return; fi
  if ! command -v tmux >/dev/null 2>&1; then rj_fail "tmux not found on host: install tmux"; return; fi
  # A wrapper already at work (a submit racing this one): do not touch its files.
  rj_first "$J/wpid"
  if rj_alive "$rj_r"; then rj_wait_started; rj_report 1; return; fi
  rj_expand "$RJ_WORKDIR"; D=$rj_r
  if [ ! -d "$D" ]; then rj_fail "no such directory: $D"; return; fi
  if ! mkdir -p "$J" 2>/dev/null; then rj_fail "cannot create $J on host"; return; fi
  if ! { printf '%s' "$RJ_COMMAND" > "$J/cmd" &&
         printf '%s' "$D" > "$J/dir" &&
         printf '%s' "$RJ_ENVTEXT" > "$J/env" &&
         printf '%s' "$RJ_DESC" > "$J/desc" &&
         printf '%s\n' "$RJ_TIMEOUT" > "$J/timeout" &&
         printf '%s\n' "$RJ_GRACE" > "$J/grace"; }; then
    rj_fail "cannot write the job files in $J"; return
  fi
  if [ ! -f "$J/created" ]; then date +%s > "$J/created"; fi
  W=$RJ/bin/wrapper-$RJ_WHASH.sh
  if [ ! -f "$W" ]; then
    if ! { printf '%s' "$RJ_WRAPPER" > "$W.$$.tmp" && mv -f "$W.$$.tmp" "$W"; }; then
      rm -f "$W.$$.tmp"
      rj_fail "cannot write $W"; return
    fi
  fi
  umask "$rj_um"
  # Only simple words in the tmux command: tmux hands it to the user's shell
  # (maybe fish), so the paths are relative to the job directory (-c).
  # A tmux server whose last session just closed is on its way out and
  # refuses us ("server exited unexpectedly"): try again a few times.
  rj_try=0
  # The session must end with the job even if tmux.conf says remain-on-exit.
  until rj_out=$(tmux new-session -d -s "rj-$RJ_ID" -c "$J" \
      "$RJ_WSH ../../bin/wrapper-$RJ_WHASH.sh $RJ_ID" \; \
      set-window-option remain-on-exit off 2>&1); do
    rj_sessions
    if rj_has_session "$RJ_ID"; then rj_wait_started; rj_report 1; return; fi
    rj_try=$((rj_try + 1))
    if [ "$rj_try" -ge 5 ]; then
      rj_fail "tmux could not start session rj-$RJ_ID: $rj_out"; return
    fi
    rj_tick
  done
  rj_wait_started
  rj_report 0
}
)RJSH";

const std::string_view facts_body = R"RJSH(
rj_print_sessions() {
  printf 'RJ-TMUX %s\n' "$rj_tmux"
  printf '%s\n' "$rj_sess" | while IFS= read -r rj_x; do
    case $rj_x in rj-*) printf 'RJ-SESSION %s\n' "$rj_x" ;; esac
  done
}
# What the host knows about job $1: RJ-JOB line, plus RJ-EXIT when it ended.
rj_facts() {
  rj_j=$RJ/jobs/$1
  if [ ! -d "$rj_j" ]; then printf 'RJ-JOB id=%s dir=0\n' "$1"; return 0; fi
  rj_first "$rj_j/pid"; rj_p=$rj_r; rj_isnum "$rj_p" || rj_p=0
  rj_first "$rj_j/pgid"; rj_g=$rj_r; rj_isnum "$rj_g" || rj_g=0
  rj_first "$rj_j/wpid"; rj_w=$rj_r; rj_isnum "$rj_w" || rj_w=0
  rj_first "$rj_j/started"; rj_s=$rj_r; rj_isnum "$rj_s" || rj_s=0
  rj_first "$rj_j/created"; rj_c=$rj_r; rj_isnum "$rj_c" || rj_c=0
  rj_a=0 rj_wa=0 rj_k=0
  if rj_alive "$rj_p"; then rj_a=1; fi
  if rj_alive "$rj_w"; then rj_wa=1; fi
  if [ -f "$rj_j/killed" ]; then rj_k=1; fi
  printf 'RJ-JOB id=%s dir=1 pid=%s pgid=%s alive=%s wpid=%s walive=%s started=%s created=%s killreq=%s\n' \
    "$1" "$rj_p" "$rj_g" "$rj_a" "$rj_w" "$rj_wa" "$rj_s" "$rj_c" "$rj_k"
  if [ -f "$rj_j/exit" ]; then
    rj_first "$rj_j/exit"
    printf 'RJ-EXIT id=%s %s\n' "$1" "$rj_r"
  fi
}
)RJSH";

const std::string_view sync_body = R"RJSH(
# ---- rj sync: sessions, facts of the jobs asked about, journal since offset ----
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  printf 'RJ-SYNC v=1 now=%s\n' "$(date +%s)"
  # Sessions first: a job seen without session below has really ended.
  rj_sessions
  rj_print_sessions
  for rj_id in $RJ_IDS; do rj_facts "$rj_id"; done
  rj_jf=$RJ/journal
  rj_size "$rj_jf"; rj_sz=$rj_n
  rj_off=$RJ_OFFSET rj_reset=0 rj_more=0
  # A journal shorter than our offset was replaced: start over.
  if [ "$rj_off" -gt "$rj_sz" ]; then rj_off=0 rj_reset=1; fi
  rj_len=$((rj_sz - rj_off))
  if [ "$rj_len" -gt "$RJ_MAXJ" ]; then rj_len=$RJ_MAXJ rj_more=1; fi
  printf 'RJ-JOURNAL offset=%s size=%s reset=%s more=%s bytes=%s\n' \
    "$rj_off" "$rj_sz" "$rj_reset" "$rj_more" "$rj_len"
  if [ "$rj_len" -gt 0 ]; then tail -c +$((rj_off + 1)) "$rj_jf" | head -c "$rj_len"; fi
  printf '\nRJ-END\n'
}
)RJSH";

const std::string_view kill_body = R"RJSH(
# ---- rj kill ----
rj_main() {
  rj_setpath
  rj_tick_init
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_sessions
  rj_waitfor=
  for rj_id in $RJ_IDS; do
    J=$RJ/jobs/$rj_id
    rj_st=missing rj_was=0
    if [ -d "$J" ]; then
      rj_first "$J/pid"; rj_p=$rj_r
      rj_first "$J/pgid"; rj_g=$rj_r
      rj_first "$J/wpid"; rj_w=$rj_r
      if rj_alive "$rj_p"; then rj_was=1; fi
      if [ -f "$J/exit" ]; then
        rj_st=ended
      else
        # The flag first: a wrapper that has not started the job yet sees it.
        : > "$J/killed"
        if rj_alive "$rj_w"; then
          # The wrapper TERMs the group, KILLs it after the grace period and
          # records `killed`, even if we are gone by then.
          kill -s USR1 "$rj_w" 2>/dev/null
          rj_st=signalled rj_waitfor="$rj_waitfor $rj_id"
        elif [ "$rj_was" = 1 ]; then
          # Wrapper gone (killed behind our back): signal the job ourselves.
          rj_signal TERM "$rj_g" "$rj_p"
          ( trap '' HUP; sleep "$RJ_GRACE"; rj_signal KILL "$rj_g" "$rj_p" ) </dev/null >/dev/null 2>&1 &
          rj_st=orphan
        elif rj_has_session "$rj_id"; then
          rj_st=pending rj_waitfor="$rj_waitfor $rj_id"
        else
          rj_st=dead
        fi
      fi
    fi
    eval "rj_st_$rj_id=\$rj_st rj_was_$rj_id=\$rj_was"
  done
  # Give the wrappers a moment to record the end, so the reply can say so.
  rj_i=0
  while [ -n "$rj_waitfor" ] && [ "$rj_i" -lt $((RJ_WAIT * rj_tps)) ]; do
    rj_left=
    for rj_id in $rj_waitfor; do
      if [ ! -f "$RJ/jobs/$rj_id/exit" ]; then rj_left="$rj_left $rj_id"; fi
    done
    rj_waitfor=$rj_left
    if [ -z "$rj_waitfor" ]; then break; fi
    rj_tick
    rj_i=$((rj_i + 1))
  done
  rj_sessions
  rj_print_sessions
  for rj_id in $RJ_IDS; do
    eval "rj_st=\$rj_st_$rj_id rj_was=\$rj_was_$rj_id"
    printf 'RJ-KILL id=%s state=%s was_running=%s\n' "$rj_id" "$rj_st" "$rj_was"
    rj_facts "$rj_id"
  done
  printf 'RJ-END\n'
}
)RJSH";

const std::string_view log_body = R"RJSH(
# ---- rj log ----
rj_running() {
  if [ -f "$J/exit" ]; then return 1; fi
  rj_first "$J/pid"; if rj_alive "$rj_r"; then return 0; fi
  rj_first "$J/wpid"; if rj_alive "$rj_r"; then return 0; fi
  rj_sessions
  rj_has_session "$RJ_ID"
}
# The log's first rj_sz bytes; in plain tail mode of a big log only the last
# rj_win of them, minus the (partial) first line.
rj_src() {
  if [ "$rj_win" -gt 0 ]; then
    tail -c +$((rj_sz - rj_win + 1)) "$L" | head -c "$rj_win" | LC_ALL=C sed 1d
  else
    head -c "$rj_sz" "$L"
  fi
}
rj_range() { if [ -n "$RJ_SED" ]; then LC_ALL=C sed -n "$RJ_SED"; else cat; fi; }
rj_grep() {
  if [ "$RJ_GREP_ON" = 1 ]; then
    LC_ALL=C grep $rj_ga $RJ_GFLAGS -e "$RJ_GREP"
    [ $? -le 1 ]
  else
    cat
  fi
}
rj_tailn() { if [ "$RJ_TAIL" -gt 0 ]; then tail -n "$RJ_TAIL"; else cat; fi; }
rj_cap() { if [ "$RJ_TAIL" -gt 0 ]; then tail -c "$1"; else head -c "$1"; fi; }
rj_main() {
  umask 077
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  J=$RJ/jobs/$RJ_ID L=$RJ/jobs/$RJ_ID/log
  if [ ! -d "$J" ]; then printf 'RJ-LOG error id=%s msg=no such job on this host\n' "$RJ_ID"; return; fi
  # Running is decided before the size is read: a follower told "not running"
  # has then seen every byte.
  rj_run=0
  if rj_running; then rj_run=1; fi
  rj_size "$L"; rj_sz=$rj_n
  if [ "$RJ_BOFF" -ge 0 ]; then
    rj_off=$RJ_BOFF rj_reset=0 rj_more=0
    if [ "$rj_off" -gt "$rj_sz" ]; then rj_off=0 rj_reset=1; fi
    rj_len=$((rj_sz - rj_off))
    if [ "$rj_len" -gt "$RJ_MAX" ]; then rj_len=$RJ_MAX rj_more=1; fi
    printf 'RJ-LOG ok id=%s mode=bytes offset=%s size=%s running=%s more=%s reset=%s truncated=0 bytes=%s\n' \
      "$RJ_ID" $((rj_off + rj_len)) "$rj_sz" "$rj_run" "$rj_more" "$rj_reset" "$rj_len"
    if [ "$rj_len" -gt 0 ]; then tail -c +$((rj_off + 1)) "$L" | head -c "$rj_len"; fi
    printf '\nRJ-END\n'
    return
  fi
  rj_win=0
  if [ -z "$RJ_SED" ] && [ "$RJ_GREP_ON" != 1 ] && [ "$RJ_TAIL" -gt 0 ] && [ "$rj_sz" -gt "$RJ_MAX" ]; then
    rj_win=$RJ_MAX
  fi
  rj_ga=
  if echo x | grep -a x >/dev/null 2>&1; then rj_ga=-a; fi
  rj_tmp=$J/.log.$$.tmp
  if [ "$rj_sz" -gt 0 ]; then
    rj_src | rj_range | rj_grep | rj_tailn | rj_cap $((RJ_MAX + 1)) > "$rj_tmp"
  else
    : > "$rj_tmp"
  fi
  rj_size "$rj_tmp"; rj_len=$rj_n rj_tr=0
  if [ "$rj_len" -gt "$RJ_MAX" ]; then rj_len=$RJ_MAX rj_tr=1; fi
  if [ "$rj_win" -gt 0 ]; then rj_tr=1; fi
  printf 'RJ-LOG ok id=%s mode=filter offset=%s size=%s running=%s more=0 reset=0 truncated=%s bytes=%s\n' \
    "$RJ_ID" "$rj_sz" "$rj_sz" "$rj_run" "$rj_tr" "$rj_len"
  if [ "$rj_len" -gt 0 ]; then rj_cap "$rj_len" < "$rj_tmp"; fi
  rm -f "$rj_tmp"
  printf '\nRJ-END\n'
}
)RJSH";

const std::string_view host_info_body = R"RJSH(
# ---- rj host info ----
rj_info() { rj_flat "$2"; printf 'RJ-INFO %s %s\n' "$1" "$rj_r"; }
rj_main() {
  rj_setpath
  rj_info os "$(uname -s 2>/dev/null)"
  rj_info kernel "$(uname -r 2>/dev/null)"
  rj_info arch "$(uname -m 2>/dev/null)"
  rj_info hostname "$(uname -n 2>/dev/null)"
  rj_info now "$(date +%s)"
  rj_c=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || rj_c=
  if ! rj_isnum "$rj_c"; then rj_c=$(nproc 2>/dev/null) || rj_c=; fi
  if ! rj_isnum "$rj_c"; then rj_c=$(sysctl -n hw.ncpu 2>/dev/null) || rj_c=; fi
  rj_isnum "$rj_c" && rj_info cpus "$rj_c"
  if [ -r "$RJ_PROC/meminfo" ]; then
    rj_mt= rj_ma= rj_mf=
    while read -r rj_k rj_v rj_u; do
      case $rj_k in
        MemTotal:) rj_mt=$rj_v ;;
        MemAvailable:) rj_ma=$rj_v ;;
        MemFree:) rj_mf=$rj_v ;;
      esac
    done < "$RJ_PROC/meminfo"
    if [ -z "$rj_ma" ]; then rj_ma=$rj_mf; fi
    rj_isnum "$rj_mt" && rj_info mem_total $((rj_mt * 1024))
    rj_isnum "$rj_ma" && rj_info mem_available $((rj_ma * 1024))
  else
    rj_mt=$(sysctl -n hw.memsize 2>/dev/null) || rj_mt=
    rj_isnum "$rj_mt" && rj_info mem_total "$rj_mt"
    # vm_stat: "Mach Virtual Memory Statistics: (page size of 16384 bytes)",
    # then "Pages free:   12345." lines.
    if rj_vm=$(vm_stat 2>/dev/null); then
      rj_ps=4096 rj_pages=0
      rj_x=${rj_vm#*page size of }
      rj_x=${rj_x%% bytes*}
      rj_isnum "$rj_x" && rj_ps=$rj_x
      rj_pages=$(printf '%s\n' "$rj_vm" | while IFS=: read -r rj_k rj_v; do
        case $rj_k in
          'Pages free' | 'Pages inactive' | 'Pages speculative') printf '%s\n' "$rj_v" ;;
        esac
      done | tr -d ' .' | { rj_t=0; while read -r rj_v; do rj_isnum "$rj_v" && rj_t=$((rj_t + rj_v)); done; echo "$rj_t"; })
      rj_isnum "$rj_pages" && rj_info mem_available $((rj_pages * rj_ps))
    fi
  fi
  if [ -r "$RJ_PROC/loadavg" ]; then
    read -r rj_l1 rj_l5 rj_l15 rj_x < "$RJ_PROC/loadavg"
    rj_info load "$rj_l1 $rj_l5 $rj_l15"
  elif rj_x=$(sysctl -n vm.loadavg 2>/dev/null); then
    # "{ 1.23 1.45 1.67 }"
    set -- $rj_x
    if [ "$1" = "{" ]; then shift; fi
    rj_info load "$1 $2 $3"
  elif rj_x=$(uptime 2>/dev/null); then
    rj_x=${rj_x##*load average*: }
    rj_info load "$(printf '%s' "$rj_x" | tr -d ',')"
  fi
  if rj_x=$(tmux -V 2>/dev/null); then rj_info tmux "$rj_x"; else rj_info tmux ""; fi
  rj_info bash "$(command -v bash 2>/dev/null)"
  rj_info perl "$(command -v perl 2>/dev/null)"
  rj_info setsid "$(command -v setsid 2>/dev/null)"
  rj_info sbatch "$(command -v sbatch 2>/dev/null)"
  if command -v nvidia-smi >/dev/null 2>&1; then
    if rj_x=$(nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total \
        --format=csv,noheader,nounits 2>&1); then
      rj_info gpu_query ok
      printf '%s\n' "$rj_x" | while IFS= read -r rj_l; do
        if [ -n "$rj_l" ]; then printf 'RJ-GPU %s\n' "$rj_l"; fi
      done
    else
      rj_info gpu_query "error $rj_x"
    fi
  else
    rj_info gpu_query none
  fi
  printf 'RJ-END\n'
}
)RJSH";

const std::string_view cleanup_body = R"RJSH(
# ---- rj cleanup: job directories of jobs that ended long enough ago ----
rj_busy() {  # job dir $1, id $2: anything of it still alive?
  rj_has_session "$2" && return 0
  rj_first "$1/pid"; rj_alive "$rj_r" && return 0
  rj_first "$1/wpid"; rj_alive "$rj_r" && return 0
  return 1
}
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_sessions
  rj_now=$(date +%s)
  rj_cut=$((rj_now - RJ_OLDER))
  for J in "$RJ"/jobs/*; do
    [ -d "$J" ] || continue
    rj_id=${J##*/}
    rj_isnum "$rj_id" || continue
    rj_busy "$J" "$rj_id" && continue
    rj_why= rj_t=0
    if [ -f "$J/exit" ]; then
      rj_first "$J/exit"
      rj_t=${rj_r##* ended=}; rj_t=${rj_t%% *}
      rj_why=ended
    elif [ -f "$J/started" ]; then
      rj_first "$J/started"; rj_t=$rj_r
      rj_why=dead
    else
      rj_first "$J/created"; rj_t=$rj_r
      rj_why=never-started
    fi
    rj_isnum "$rj_t" || rj_t=0
    [ "$rj_t" -le "$rj_cut" ] || continue
    if [ "$RJ_DRY" = 1 ]; then
      rj_act=would-remove
    elif rm -rf "$J" 2>/dev/null; then
      rj_act=removed
    else
      rj_act=failed
    fi
    printf 'RJ-CLEAN id=%s action=%s reason=%s time=%s\n' "$rj_id" "$rj_act" "$rj_why" "$rj_t"
  done
  # Wrappers of other rj versions, once no rj session could still be using them.
  rj_any=
  case "
$rj_sess" in *"
rj-"*) rj_any=1 ;; esac
  if [ -z "$rj_any" ]; then
    for W in "$RJ"/bin/wrapper-*.sh; do
      [ -f "$W" ] || continue
      [ "$W" = "$RJ/bin/wrapper-$RJ_WHASH.sh" ] && continue
      if [ "$RJ_DRY" != 1 ]; then rm -f "$W"; fi
    done
  fi
  printf 'RJ-END\n'
}
)RJSH";

const std::string_view remove_body = R"RJSH(
# ---- rj remove job files ----
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_sessions
  for rj_id in $RJ_IDS; do
    J=$RJ/jobs/$rj_id
    if [ ! -d "$J" ]; then rj_act=missing
    elif rj_has_session "$rj_id"; then rj_act=running
    else
      rj_act=removed
      rj_first "$J/pid"; rj_alive "$rj_r" && rj_act=running
      rj_first "$J/wpid"; rj_alive "$rj_r" && rj_act=running
      if [ "$rj_act" = removed ]; then rm -rf "$J" 2>/dev/null || rj_act=failed; fi
    fi
    printf 'RJ-RM id=%s action=%s\n' "$rj_id" "$rj_act"
  done
  printf 'RJ-END\n'
}
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
