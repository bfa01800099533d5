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
  rj_i=${rj_t%%.*} rj_f=''
  case $rj_t in *.*) rj_f=${rj_t#*.} ;; esac
  rj_isnum "$rj_m" || rj_m=0
  rj_isnum "$rj_i" || rj_i=0
  case $rj_f in *[!0-9]*) rj_f='' ;; esac
  while :; do case $rj_m in 0?*) rj_m=${rj_m#0} ;; *) break ;; esac; done
  while :; do case $rj_i in 0?*) rj_i=${rj_i#0} ;; *) break ;; esac; done
  rj_s=$((rj_m * 60 + rj_i))${rj_f:+.$rj_f}
}

# Sleep $1 seconds while the job runs; false when stopped (TERM) or once the
# job is gone. Two sleeps: one second, then the rest up to the deadline. A
# TERM that reaches a background subshell before its trap is set is dropped
# by dash, and a guard asleep for the whole --timeout would then keep the
# wrapper waiting that long after its job ended (seen in CI: a finished job
# still "running"): the first second covers that moment. Once the trap is
# set, a TERM ends the `wait` at once and the trap kills the sleep, so a
# waiting watchdog costs nothing (issue 24: no naps in pieces).
rj_nap() {
  rj_left=$1 rj_piece=1
  while [ "$rj_left" -gt 0 ]; do
    [ -z "$rj_stop" ] || return 1
    rj_alive "$rj_pid" || return 1
    if [ "$rj_piece" -gt "$rj_left" ]; then rj_piece=$rj_left; fi
    sleep "$rj_piece" &
    rj_sp=$!
    if [ -n "$rj_stop" ]; then kill "$rj_sp" 2>/dev/null; return 1; fi
    wait "$rj_sp"
    rj_sp=''
    rj_left=$((rj_left - rj_piece)) rj_piece=$rj_left
  done
  [ -z "$rj_stop" ]
}

# Background guard: after $1 seconds (skipped when empty) mark $2 and TERM the
# job; after the grace period KILL it. The wrapper stops it when the job ends.
rj_watchdog() {
  # Ignored, not handled, so that its sleeps inherit it: Ctrl-Z or Ctrl-C in an
  # attached pane must not stop the clock.
  trap '' HUP INT USR1 TSTP
  trap - CONT
  rj_stop='' rj_sp=''
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

# Background guard for --idle-timeout: when the log has not grown for $1
# seconds, mark `idled` and TERM the job; KILL it after the grace period.
rj_idlewatch() {
  trap '' HUP INT USR1 TSTP
  trap - CONT
  rj_stop='' rj_sp=''
  trap 'rj_stop=1; if [ -n "$rj_sp" ]; then kill "$rj_sp" 2>/dev/null; fi' TERM
  rj_step=$(($1 / 10))
  if [ "$rj_step" -lt 1 ]; then rj_step=1; fi
  if [ "$rj_step" -gt 30 ]; then rj_step=30; fi
  rj_size "$LOG"; rj_last=$rj_n rj_quiet=0
  while rj_nap "$rj_step"; do
    rj_alive "$rj_pid" || exit 0
    rj_size "$LOG"
    if [ "$rj_n" != "$rj_last" ]; then rj_last=$rj_n rj_quiet=0; else rj_quiet=$((rj_quiet + rj_step)); fi
    if [ "$rj_quiet" -ge "$1" ]; then
      : > "$J/idled"
      rj_signal TERM "$rj_pg" "$rj_pid"
      rj_nap "$G" || exit 0
      rj_signal KILL "$rj_pg" "$rj_pid"
      exit 0
    fi
  done
}

# The sampler's totals as exit-record fields (protocol.h: MeasuredUsage), into rj_r.
rj_usage_fields() {
  rj_usage_line "$ID"
  [ -n "$rj_r" ] || return 0
  rj_ul=$rj_r rj_r=''
  rj_urss='' rj_ugm='' rj_uus='' rj_uun='' rj_ugl=''
  for rj_kv in $rj_ul; do
    case $rj_kv in
      rss_kib=*) rj_urss=${rj_kv#*=} ;;
      gpu_mem_mib=*) rj_ugm=${rj_kv#*=} ;;
      util_sum=*) rj_uus=${rj_kv#*=} ;;
      util_n=*) rj_uun=${rj_kv#*=} ;;
      gpus=*) rj_ugl=${rj_kv#*=} ;;
    esac
  done
  if rj_isnum "$rj_urss"; then rj_r="rss_kib=$rj_urss"; fi
  if [ -n "$rj_ugl" ]; then
    rj_r="$rj_r gpus=$rj_ugl"
    if rj_isnum "$rj_ugm"; then rj_r="$rj_r gpu_mem_mib=$rj_ugm"; fi
    if rj_isnum "$rj_uus" && rj_isnum "$rj_uun" && [ "$rj_uun" -gt 0 ]; then
      rj_r="$rj_r gpu_util=$((rj_uus / rj_uun))"
    fi
  fi
  rj_r=${rj_r# }
}

# TERM the job now, KILL it after the grace period (once).
rj_stop_job() {
  if [ -z "$rj_pid" ] || [ -n "$rj_esc" ]; then return 0; fi
  rj_signal TERM "$rj_pg" "$rj_pid"
  rj_watchdog "" "" &
  rj_esc=$!
}

# In a SLURM batch job SLURM enforces the time limit (slurm_limit seconds,
# written by slurm_submit.sh): its TERM, unasked by rj kill, once the limit
# has passed, is the timeout. (SLURM cannot end a job for time before that.)
rj_slurm_limit_reached() {
  rj_first "$J/slurm_limit"
  rj_isnum "$rj_r" && [ "$rj_r" -gt 0 ] && [ -n "$rj_start" ] || return 1
  [ $(($(date +%s) - rj_start)) -ge "$rj_r" ]
}

# kill: rj kill (USR1, after it wrote the `killed` flag), Ctrl-C in the pane,
# TERM. lost: the tmux pane went away (HUP; bash sometimes sees only the
# CONT that comes with it, so CONT checks whether the pane tty is gone).
rj_on_sig() {
  rj_intr=1
  case $1 in
    kill)
      if [ -f "$J/killed" ]; then :
      elif rj_slurm_limit_reached; then : > "$J/timedout"; rj_note "the SLURM time limit ended the job"
      else : > "$J/killed"
      fi ;;
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
  RJ_JOB_ID=$ID; export RJ_JOB_ID
  # Set by the queue runner: the GPUs it gave the job, the array task.
  rj_first "$J/gpu_alloc"
  if [ -n "$rj_r" ]; then CUDA_VISIBLE_DEVICES=$rj_r; export CUDA_VISIBLE_DEVICES; fi
  rj_first "$J/task"
  if rj_isnum "$rj_r"; then RJ_ARRAY_TASK_ID=$rj_r TASK_ID=$rj_r; export RJ_ARRAY_TASK_ID TASK_ID; fi
  set -- "$J/env" "$@"
  # shellcheck source=/dev/null # the job's env file, written by submit
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

# The names of the GPUs the runner gave the job (CUDA_VISIBLE_DEVICES), for the record.
rj_gpu_models() {
  rj_first "$J/gpu_alloc"
  [ -n "$rj_r" ] && rj_which nvidia-smi || return 0
  rj_ga=,$rj_r,
  nvidia-smi --query-gpu=index,name --format=csv,noheader 2>/dev/null | while IFS=, read -r rj_gi rj_gn; do
    case $rj_ga in *",$rj_gi,"*) printf '%s\n' "${rj_gn# }" ;; esac
  done | head -n 16 | tr '\n' ',' | sed 's/,$//' > "$J/gpu_models"
}

# "45s", "12m05s", "3h07m" from seconds $1, into rj_r (notify/message.cc: duration_text).
rj_dur() {
  if [ "$1" -lt 60 ]; then rj_r=${1}s
  elif [ "$1" -lt 3600 ]; then rj_r=$(($1 / 60))m$(printf '%02d' $(($1 % 60)))s
  else rj_r=$(($1 / 3600))h$(printf '%02d' $(($1 % 3600 / 60)))m
  fi
}

# Replace every @$1@ in rj_body by $2 (no fork; $2 never holds an '@').
rj_fill() {
  rj_rest=$rj_body rj_body=''
  while :; do
    case $rj_rest in
      *"@$1@"*) rj_body=$rj_body${rj_rest%%"@$1@"*}$2 rj_rest=${rj_rest#*"@$1@"} ;;
      *) rj_body=$rj_body$rj_rest; return 0 ;;
    esac
  done
}

# The job-end message, sent from here when the job's files ask for one and
# curl is installed: the laptop may be asleep. Sets rj_nw (sent | failed |
# nocurl | quiet, empty: nothing to send) and rj_ndet for the exit record.
# Words and placeholders as notify/message.cc; the URL stays in the 0600
# curl config (-K), off every command line, and curl's messages (which may
# quote it) go nowhere.
# $1 kind, $2 exit code (-1: none), $3 signal, $4 seconds run (empty: never started).
rj_notify() {
  rj_nw='' rj_ndet=''
  [ -f "$J/notify" ] || return 0
  read -r rj_pol rj_min < "$J/notify" || :
  rj_isnum "$rj_min" || rj_min=15
  case $1 in
    exit) if [ "$2" = 0 ]; then rj_st=completed; else rj_st=failed; fi ;;
    killed) rj_st=killed ;;
    timeout | idle) rj_st=timeout ;;
    lost) rj_st=dead ;;
    *) rj_st=failed ;;
  esac
  if [ "$rj_st" = completed ]; then
    if [ "$rj_pol" != all ] || { [ -n "$4" ] && [ "$4" -lt "$rj_min" ]; }; then rj_nw=quiet; return 0; fi
  fi
  if ! rj_which curl; then rj_nw=nocurl; return 0; fi
  rj_curl=$rj_r
  rj_af='' rj_secs=null
  if [ -n "$4" ]; then rj_dur "$4"; rj_af=" after $rj_r" rj_secs=$4; fi
  case $rj_st in
    completed) rj_out="completed${4:+ in $rj_r}" ;;
    failed)
      if [ "$3" -gt 0 ]; then rj_out="failed: signal $3$rj_af"
      elif [ "$2" -ge 0 ]; then rj_out="failed with exit code $2$rj_af"
      else rj_out="failed$rj_af"
      fi ;;
    killed) rj_out="was killed$rj_af" ;;
    timeout) rj_out="timed out$rj_af" ;;
    *) rj_out="is dead (gone without an exit record)" ;;
  esac
  rj_lines=''
  if [ "$rj_st" != completed ] && [ -f "$LOG" ]; then
    tail -n 5 "$LOG" 2>/dev/null | LC_ALL=C tr -cd '\n\040-\176' | cut -c1-300 |
      sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/@/\\u0040/g' > "$J/.ntail"
    while IFS= read -r rj_l || [ -n "$rj_l" ]; do rj_lines="$rj_lines${rj_lines:+\\n}$rj_l"; done < "$J/.ntail"
    rm -f "$J/.ntail"
  fi
  rj_mark='\u2717'
  if [ "$rj_st" = completed ]; then rj_mark='\u2713'; fi
  rj_ncode=$2
  if [ "$rj_ncode" -lt 0 ]; then rj_ncode=null; fi
  rj_nw=failed rj_ndet=nourl
  for rj_c in "$J"/notify.*.curl; do
    [ -f "$rj_c" ] || continue
    if [ "$rj_ndet" = nourl ]; then rj_nw=sent rj_ndet=''; fi
    rj_read "${rj_c%.curl}.json"; rj_body=$rj_r
    rj_fill ID "$ID"; rj_fill MARK "$rj_mark"; rj_fill STATUS "$rj_st"; rj_fill OUTCOME "$rj_out"
    rj_fill CODE "$rj_ncode"; rj_fill SIG "$3"; rj_fill SECS "$rj_secs"; rj_fill LINES "$rj_lines"
    rj_fill TAIL "${rj_lines:+\\n}$rj_lines"; rj_fill VIA host
    (umask 077; printf '%s' "$rj_body" > "$J/.nbody")
    rj_hc=$("$rj_curl" -sS -o /dev/null -w '%{http_code}' --max-time 8 --retry 1 --retry-delay 1 \
      -H 'Content-Type: application/json' --data-binary "@$J/.nbody" -K "$rj_c" 2>/dev/null)
    rj_ce=$?
    rm -f "$J/.nbody"
    case $rj_ce:$rj_hc in
      0:2??) rj_ndet=http-$rj_hc ;;
      0:*) rj_nw=failed rj_ndet=http-$rj_hc ;;
      *) rj_nw=failed rj_ndet=curl-$rj_ce ;;
    esac
  done
}

# Record the end (kind, raw wait status, optional error word) and exit.
rj_finish() {
  rj_end=$(date +%s)
  rj_u=0 rj_y=0 rj_cu='' rj_cs=''
  if times > "$J/.times" 2>/dev/null; then
    { read -r rj_x rj_x; read -r rj_cu rj_cs; } < "$J/.times"
  fi
  rm -f "$J/.times"
  rj_secs "$rj_cu"; rj_u=$rj_s
  rj_secs "$rj_cs"; rj_y=$rj_s
  rj_code=$2 rj_sg=0
  if [ "$2" -gt 128 ] && [ "$2" -lt 193 ]; then rj_sg=$(($2 - 128)) rj_code=-1; fi
  rj_rec="rc=$2 code=$rj_code sig=$rj_sg started=${rj_start:-0} ended=$rj_end user=$rj_u sys=$rj_y"
  rj_usage_fields
  if [ -n "$rj_r" ]; then rj_rec="$rj_rec $rj_r"; fi
  rm -f "$RJ/running/$ID"
  rj_ran=''
  if [ -n "$rj_start" ]; then rj_ran=$((rj_end - rj_start)); fi
  rj_notify "$1" "$rj_code" "$rj_sg" "$rj_ran"
  if [ -n "$rj_nw" ]; then rj_rec="$rj_rec notify=$rj_nw notify_detail=${rj_ndet:--}"; fi
  if [ -n "$3" ]; then rj_rec="$rj_rec err=$3"; fi
  rj_put exit "kind=$1 $rj_rec"
  # The record says whether the message went out: the URLs are of no more use here.
  rm -f "$J"/notify.*.curl
  rj_journal "$rj_end" "$1 $rj_rec"
  # A SLURM batch job ends with the job's status, so that SLURM's own
  # records (sacct, scontrol) say FAILED and the code too.
  if [ -f "$J/slurm_limit" ] && [ "$2" -ge 0 ] && [ "$2" -le 255 ]; then exit "$2"; fi
  if [ -f "$J/slurm_limit" ] && [ "$1" != exit ]; then exit 1; fi
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
  rj_pid='' rj_pg='' rj_intr='' rj_lost='' rj_esc='' rj_wd='' rj_iw='' rj_sm='' rj_start='' rj_tty=''
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
  rj_first "$J/idle"; I=$rj_r; rj_isnum "$I" || I=0
  : >> "$LOG"
  if [ -n "$rj_lost" ]; then rj_finish lost -1; fi
  if [ -f "$J/killed" ]; then rj_finish killed -1; fi
  if ! cd "$D" 2>/dev/null; then
    rj_note "cannot change to working directory: $D"
    rj_finish error 126 nodir
  fi

  # "BYTES SECONDS" (code snapshot limits, src/remote/sh/snapshot.sh).
  rj_snap='' rj_snaps=''
  if [ -f "$J/snapshot" ]; then read -r rj_snap rj_snaps < "$J/snapshot" || :; fi
  rj_isnum "$rj_snap" || rj_snap=2097152
  rj_snapshot "$rj_snap" "$rj_snaps"
  rj_gpu_models
  if rj_which bash; then rj_bash=$rj_r; else rj_bash=/bin/sh; fi
  # One argv string may not exceed 128 KiB on Linux: run long commands from
  # the file. (${#CMD} counts characters, up to 4 bytes each.)
  rj_big=''
  if [ "${#CMD}" -gt 25000 ]; then
    rj_size "$J/cmd"
    if [ "$rj_n" -gt 100000 ]; then rj_big=1; fi
  fi
  rj_how=${RJ_PGRP_METHOD:-auto} rj_tool=''
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
  rj_first "$J/gpu_alloc"
  rj_journal "$rj_start" "start pid=$rj_pid pgid=${rj_pg:-0}${rj_r:+ gpus=$rj_r}"
  if [ -f "$J/killed" ] || [ -n "$rj_lost" ]; then rj_stop_job; fi
  if [ "$T" -gt 0 ]; then
    rj_watchdog "$T" timedout &
    rj_wd=$!
  fi
  if [ "$I" -gt 0 ]; then
    rj_idlewatch "$I" &
    rj_iw=$!
  fi
  # Registered for the host sampler (sampler.sh), which this wrapper's
  # background part may become; else the one that samples is woken for an
  # early sample of this job.
  mkdir -p "$RJ/running" 2>/dev/null
  printf '%s %s %s\n' "$rj_pid" "${rj_pg:-0}" "$rj_start" > "$RJ/running/.$ID.tmp" &&
    mv -f "$RJ/running/.$ID.tmp" "$RJ/running/$ID"
  # Not on the job's log: a sampler (or its sleep) that outlives this job
  # must not hold that file open (a deleted log's space stays taken until
  # its last holder closes it: the full-disk test in test_hostile.cc).
  rj_hsampler </dev/null >/dev/null 2>&1 &
  rj_sm=$!
  rj_wake_sampler

  # A trapped signal interrupts wait; wait again until the job itself ended.
  rj_intr=''
  wait "$rj_pid"; rj_rc=$?
  while [ -n "$rj_intr" ]; do rj_intr=; wait "$rj_pid"; rj_rc=$?; done
  for rj_w in $rj_wd $rj_iw $rj_esc; do kill "$rj_w" 2>/dev/null; wait "$rj_w" 2>/dev/null; done
  # The sampler is told to stop, not waited for: a TERM that met it before
  # its trap was set is lost, and it may wait on the lock; it stops by itself
  # once it sees this job gone (sampler.sh).
  # Unwaited, a sampler that died of that TERM would be reported by this
  # shell ("Terminated") on its stderr, the job's log: from here on the
  # wrapper's own stderr goes nowhere (its notes go to $LOG by name).
  exec 2>/dev/null
  kill "$rj_sm" 2>/dev/null

  if [ -f "$J/timedout" ]; then rj_kind=timeout
  elif [ -f "$J/idled" ]; then rj_kind=idle
  elif [ -n "$rj_lost" ]; then rj_kind=lost
  elif [ -f "$J/killed" ]; then rj_kind=killed
  elif [ "$rj_rc" -gt 128 ] && [ "$rj_rc" -lt 193 ]; then rj_kind=signal
  else rj_kind='exit'
  fi
  rj_finish "$rj_kind" "$rj_rc"
}

rj_wmain "$@"
