# ---- rj queue runner ----
# tmux starts it as `SH bin/runner-HASH.sh QUEUE SESSION_PREFIX` in RJ. Once a
# second it ends the run/ entries of jobs that ended, then goes through the
# waiting jobs by priority (higher first, then by id: FIFO) and claims each
# that may start: not held, dependencies met, a slot free, its array under
# its limit, enough free GPUs. It writes each waiting job's reason to its
# `why` file, cancels jobs whose dependencies can no longer be met, and exits
# once `stop` is set and its running jobs ended (drain). A runner whose queue
# stays empty (nothing waits, nothing runs) for RJ_RUNNER_IDLE seconds (30)
# exits too, leaving `asleep`: the queue still reads as running, and the
# next enqueue starts a runner again (issue 24: an idle host costs nothing).

# Why job $1 waits, into its why file (written only when it changed).
rj_why() {
  rj_first "$RJ/jobs/$1/why"
  if [ "$rj_r" != "$2" ]; then printf '%s\n' "$2" > "$RJ/jobs/$1/why"; fi
}
# State of job $1 as a dependency, into rj_ds: ok | failed | waiting | unknown.
rj_dstate() {
  rj_dd=$RJ/jobs/$1
  if ! rj_isnum "$1" || [ ! -d "$rj_dd" ]; then rj_ds=unknown; return 0; fi
  if [ -f "$rj_dd/exit" ]; then
    rj_first "$rj_dd/exit"
    case "$rj_r " in "kind=exit rc=0 "*) rj_ds=ok ;; *) rj_ds=failed ;; esac
    return 0
  fi
  rj_ds=waiting
  # Dead by sync's checks (wrapper and job gone without an end record, or
  # lost in a reboot): it failed.
  if rj_gone "$rj_dd" && [ ! -f "$rj_dd/exit" ]; then rj_ds=failed; fi
}
# May job dir $1 start as far as its dependencies go? rj_dep = ok | wait |
# never, rj_dmsg says why not, rj_derr is the one-word reason of a never.
rj_depend() {
  rj_dep=ok rj_dmsg='' rj_derr=''
  rj_first "$1/after_ok"
  for rj_d in $rj_r; do
    rj_dstate "$rj_d"
    case $rj_ds in
      ok) ;;
      waiting) rj_dep=wait rj_dmsg="waiting for job $rj_d to succeed (--after)" ;;
      *) rj_dep=never rj_derr=after:$rj_d
         rj_dmsg="job $rj_d $rj_ds, and --after needs it to succeed"; return 0 ;;
    esac
  done
  rj_first "$1/after_any"
  for rj_d in $rj_r; do
    rj_dstate "$rj_d"
    case $rj_ds in
      ok | failed) ;;
      waiting) rj_dep=wait rj_dmsg="waiting for job $rj_d to end (--after-any)" ;;
      *) rj_dep=never rj_derr=after-any:$rj_d rj_dmsg="job $rj_d is unknown on this host"; return 0 ;;
    esac
  done
  rj_first "$1/after_fail"
  if [ -n "$rj_r" ]; then
    rj_any=0 rj_open=''
    for rj_d in $rj_r; do
      rj_dstate "$rj_d"
      case $rj_ds in
        failed) rj_any=1 ;;
        waiting) rj_open="$rj_open $rj_d" ;;
        unknown) rj_dep=never rj_derr=after-fail:$rj_d rj_dmsg="job $rj_d is unknown on this host"; return 0 ;;
      esac
    done
    if [ "$rj_any" = 0 ]; then
      if [ -n "$rj_open" ]; then
        [ "$rj_dep" = never ] || rj_dep=wait rj_dmsg="waiting for one of jobs$rj_open to fail (--after-fail)"
      else
        rj_dep=never rj_derr=after-fail rj_dmsg="none of its --after-fail jobs failed"
      fi
    fi
  fi
  return 0
}
# Free GPUs (comma-separated indexes) into rj_free: no compute process, memory
# use under the queue's threshold, not given by rj to a running job.
rj_freegpus() {
  rj_free='' rj_gpus_known=1
  rj_first "$QD/gpu_free_mib"; rj_th=$rj_r; rj_isnum "$rj_th" || rj_th=1024
  if ! rj_gl=$(nvidia-smi --query-gpu=index,uuid,memory.used --format=csv,noheader,nounits 2>/dev/null); then
    rj_gpus_known=0; return 0
  fi
  rj_apps=$(nvidia-smi --query-compute-apps=gpu_uuid --format=csv,noheader 2>/dev/null) || rj_apps=''
  while IFS=', ' read -r rj_gi rj_gu rj_gm rj_x; do
    rj_isnum "$rj_gi" && rj_isnum "$rj_gm" || continue
    [ "$rj_gm" -lt "$rj_th" ] || continue
    case "
$rj_apps
" in *"$rj_gu"*) continue ;; esac
    case ",$rj_busygpu," in *",$rj_gi,"*) continue ;; esac
    rj_free="$rj_free${rj_free:+,}$rj_gi"
  done <<EOR
$rj_gl
EOR
}
# The first $1 of rj_free into rj_alloc (empty when there are not that many).
rj_pickgpus() {
  rj_alloc='' rj_k=0 rj_ifs=$IFS
  IFS=,
  for rj_gi in $rj_free; do
    if [ "$rj_k" -lt "$1" ]; then rj_alloc="$rj_alloc${rj_alloc:+,}$rj_gi"; rj_k=$((rj_k + 1)); fi
  done
  IFS=$rj_ifs
  if [ "$rj_k" -lt "$1" ]; then rj_alloc=''; fi
}
# Job $1 (dir J) was just claimed: false when it must not start after all.
# A kill or hold may have come after this round's checks: a kill's flag ends
# it here (any wrapper would see the flag and record the same), a hold puts
# it back to wait (and a kill that flagged it meanwhile then takes it).
rj_claim_stands() {
  if [ -f "$J/killed" ] || [ -f "$J/exit" ]; then
    [ -f "$J/exit" ] || rj_qend "$1" killed starting
    rm -f "$QD/run/$1"
    return 1
  fi
  if [ -f "$J/held" ]; then
    mv "$QD/run/$1" "$QD/wait/$1" 2>/dev/null
    if [ -f "$J/killed" ]; then rj_qtake "$1" "$QD" killed waiting; fi
    return 1
  fi
  return 0
}
# Tests only: with RJ_TEST_GATE (the tmux server's environment) naming a
# directory that holds a FIFO `gate`, the runner stops at three instants of
# each claim, `pick ID` (chosen, not claimed yet), `claimed ID` (moved to
# run/) and `launch ID` (about to start its session): it writes the instant
# to DIR/at and waits for a line on the FIFO.
# tests/integration/test_kill_race.cc forces races with it.
rj_gate() {
  [ -n "${RJ_TEST_GATE:-}" ] && [ -p "$RJ_TEST_GATE/gate" ] || return 0
  printf '%s %s\n' "$1" "$2" > "$RJ_TEST_GATE/at"
  # Only a line lets it go: an open that met the last release's writer
  # before it closed reads EOF at once, and must wait again.
  until read -r rj_x < "$RJ_TEST_GATE/gate" 2>/dev/null; do
    [ -p "$RJ_TEST_GATE/gate" ] || return 0
  done
}
# rj_free without the GPUs of list $1.
rj_gpuless() {
  rj_gl2='' rj_ifs=$IFS
  IFS=,
  for rj_gi in $rj_free; do
    case ",$1," in *",$rj_gi,"*) ;; *) rj_gl2="$rj_gl2${rj_gl2:+,}$rj_gi" ;; esac
  done
  IFS=$rj_ifs
  rj_free=$rj_gl2
}
# One pass over the queue; false once it is stopped and drained.
rj_round() {
  rj_first "$QD/slots"; rj_slots=$rj_r
  rj_isnum "$rj_slots" && [ "$rj_slots" -ge 1 ] || rj_slots=1
  rj_first "$QD/launch"
  # shellcheck disable=SC2086 # two words: wrapper shell and wrapper hash
  set -- $rj_r
  RJ_WSH=${1:-/bin/sh} RJ_WHASH=${2:-}
  rj_nrun=0 rj_busygpu='' rj_runarr=' '
  for rj_f in "$QD"/run/*; do
    [ -e "$rj_f" ] || continue
    rj_id=${rj_f##*/}
    J=$RJ/jobs/$rj_id
    if rj_gone "$J"; then rm -f "$rj_f"; continue; fi
    rj_nrun=$((rj_nrun + 1))
    rj_first "$J/array"; rj_runarr="$rj_runarr${rj_r%% *} "
  done
  # GPUs given to running jobs of every queue of this directory, and to
  # jobs rj placed on GPUs itself (pools: gpu_jobs/ID).
  # A claim of a job that ended or died (lost in a reboot) is no claim.
  for rj_f in "$RJ"/queues/*/run/* "$RJ"/gpu_jobs/*; do
    [ -e "$rj_f" ] || continue
    rj_id=${rj_f##*/}
    if rj_gone "$RJ/jobs/$rj_id"; then
      case $rj_f in "$RJ"/gpu_jobs/*) rm -f "$rj_f" ;; esac
      continue
    fi
    rj_first "$RJ/jobs/$rj_id/gpu_alloc"; rj_busygpu="$rj_busygpu,$rj_r"
  done
  rj_stopped=''
  if [ -f "$QD/stop" ]; then
    if [ "$rj_nrun" -eq 0 ]; then return 1; fi
    rj_stopped=1
  fi
  rj_list=$(for rj_f in "$QD"/wait/*; do
      rj_id=${rj_f##*/}
      rj_isnum "$rj_id" || continue
      rj_first "$RJ/jobs/$rj_id/prio"
      case $rj_r in '' | *[!0-9-]* | ?*-*) rj_r=0 ;; esac
      printf '%s %s\n' "$rj_r" "$rj_id"
    done | sort -k1,1nr -k2,2n)
  rj_gpus_read=''
  while read -r rj_p rj_id; do
    [ -n "$rj_id" ] || continue
    J=$RJ/jobs/$rj_id
    if [ -f "$J/held" ]; then rj_why "$rj_id" "held (rj -b release $rj_id)"; continue; fi
    rj_depend "$J"
    case $rj_dep in
      never)
        if rj_qtake "$rj_id" "$QD" cancelled "$rj_derr"; then
          rj_why "$rj_id" "cancelled: $rj_dmsg"
          rj_say "job $rj_id cancelled: $rj_dmsg"
        fi
        continue ;;
      wait) rj_why "$rj_id" "$rj_dmsg"; continue ;;
    esac
    if [ -n "$rj_stopped" ]; then rj_why "$rj_id" "queue $Q is stopped (rj -b queue start)"; continue; fi
    rj_first "$J/array"
    # shellcheck disable=SC2086 # array id and limit
    set -- $rj_r
    # An array's %N is room of its own: its tasks start while the queue runs
    # fewer than max(slots, N) jobs, so 1-6%2 runs two at once in a 1-slot queue.
    rj_cap=$rj_slots
    if rj_isnum "${2:-}" && [ "$2" -gt "$rj_cap" ]; then rj_cap=$2; fi
    if [ "$rj_nrun" -ge "$rj_cap" ]; then
      if [ "$rj_cap" = "$rj_slots" ]; then rj_why "$rj_id" "all $rj_slots slots of queue $Q are busy"
      else rj_why "$rj_id" "queue $Q runs $rj_nrun jobs, as many as array $1's %$2 allows"; fi
      continue
    fi
    if [ -n "${2:-}" ] && [ "$2" -gt 0 ]; then
      rj_n=0
      for rj_a in $rj_runarr; do if [ "$rj_a" = "$1" ]; then rj_n=$((rj_n + 1)); fi; done
      if [ "$rj_n" -ge "$2" ]; then rj_why "$rj_id" "array $1 has $2 tasks running (its %$2 limit)"; continue; fi
    fi
    rj_arr=${1:-}
    rj_first "$J/gpus"; rj_ng=$rj_r; rj_isnum "$rj_ng" || rj_ng=0
    rj_alloc='' rj_glk=''
    if [ "$rj_ng" -gt 0 ]; then
      if [ -z "$rj_gpus_read" ]; then rj_freegpus; rj_gpus_read=1; fi
      if [ "$rj_gpus_known" = 0 ]; then rj_why "$rj_id" "waiting for $rj_ng free GPUs (nvidia-smi does not answer)"; continue; fi
      # Under the GPU lock placements take too (queue_lib.sh): GPUs given
      # away since this round looked are not free.
      if ! rj_gpulock; then rj_why "$rj_id" "waiting for the GPU lock ($RJ/gpus.lock)"; continue; fi
      rj_glk=1
      rj_gpus_given -; rj_gpuless "$rj_given"
      rj_pickgpus "$rj_ng"
      if [ -z "$rj_alloc" ]; then
        rj_gpuunlock
        rj_nf=0; if [ -n "$rj_free" ]; then rj_nf=$(printf '%s' "$rj_free" | tr -cd , | wc -c); rj_nf=$((rj_nf + 1)); fi
        rj_why "$rj_id" "waiting for $rj_ng free GPUs ($rj_nf free)"; continue
      fi
    fi
    [ -n "$RJ_WHASH" ] || { [ -z "$rj_glk" ] || rj_gpuunlock; rj_why "$rj_id" "no job wrapper deployed (submit again)"; continue; }
    rj_gate pick "$rj_id"
    # The claim: only one rename from wait/ can succeed.
    mv "$QD/wait/$rj_id" "$QD/run/$rj_id" 2>/dev/null || { [ -z "$rj_glk" ] || rj_gpuunlock; continue; }
    rj_gate claimed "$rj_id"
    rj_claim_stands "$rj_id" || { [ -z "$rj_glk" ] || rj_gpuunlock; continue; }
    rj_gate launch "$rj_id"
    if [ -n "$rj_alloc" ]; then
      rj_gpuwrite "$rj_alloc" "$J/gpu_alloc"
      rj_gpuunlock
      rj_busygpu="$rj_busygpu,$rj_alloc" rj_free=",$rj_free,"
      rj_ifs=$IFS; IFS=,
      for rj_gi in $rj_alloc; do rj_free=$(printf '%s' "$rj_free" | sed "s/,$rj_gi,/,/"); done
      IFS=$rj_ifs
      rj_free=${rj_free#,}; rj_free=${rj_free%,}
    fi
    rm -f "$J/why"
    if rj_qlaunch "$rj_id"; then
      rj_say "job $rj_id started${rj_alloc:+ on GPUs $rj_alloc}"
      rj_nrun=$((rj_nrun + 1))
      rj_runarr="$rj_runarr$rj_arr "
    fi
  done <<EOL
$rj_list
EOL
  return 0
}
# A line for the pane and runner.log (kept short: the last 64 KiB).
rj_say() {
  rj_line="$(date '+%Y-%m-%d %H:%M:%S') rj runner $$: $*"
  printf '%s\n' "$rj_line"
  rj_size "$QD/runner.log"
  if [ "$rj_n" -gt 65536 ]; then mv -f "$QD/runner.log" "$QD/runner.log.old"; fi
  printf '%s\n' "$rj_line" >> "$QD/runner.log"
}
# One runner per queue: the lock directory (mkdir is atomic) holds its pid
# and start time; a lock whose runner is gone is broken and taken over.
rj_lock() {
  rj_try=0
  while ! mkdir "$QD/lock" 2>/dev/null; do
    if rj_qrunner_alive "$QD"; then return 1; fi
    rj_try=$((rj_try + 1))
    if [ "$rj_try" -gt 3 ]; then return 1; fi
    mv "$QD/lock" "$QD/lock.stale.$$" 2>/dev/null && rm -rf "$QD/lock.stale.$$"
  done
  rj_pstart $$; printf '%s\n' "$rj_r" > "$QD/lock/pstart"
  printf '%s\n' "$$" > "$QD/lock/pid"
  return 0
}
# Nothing waits in the queue and nothing runs from it.
rj_qempty() {
  for rj_f in "$QD"/wait/* "$QD"/run/*; do
    if [ -e "$rj_f" ]; then return 1; fi
  done
  return 0
}
rj_rmain() {
  cd -P . || exit 1
  RJ=$PWD Q=$1 RJ_SP=$2
  rj_qname_ok "$Q" || exit 2
  QD=$RJ/queues/$Q
  [ -d "$QD/wait" ] || exit 2
  # Output stays on the pane (`tmux attach` shows it): a pane whose tty no
  # process holds open any more is closed by tmux, with a HUP to us.
  exec </dev/null
  rj_setpath
  if ! rj_lock; then rj_say "another runner has queue $Q; this one exits"; exit 0; fi
  rm -f "$QD/asleep"
  rj_say "runner of queue $Q started"
  trap 'rm -rf "$QD/lock"; exit 0' INT TERM HUP
  rj_idle=0 rj_idlemax=${RJ_RUNNER_IDLE:-30}
  rj_isnum "$rj_idlemax" || rj_idlemax=30
  # `touch QUEUE_DIR/debug` traces every step into QUEUE_DIR/trace.
  while :; do
    if [ -f "$QD/debug" ]; then exec 2>>"$QD/trace"; set -x; fi
    rj_round || break
    if rj_qempty; then rj_idle=$((rj_idle + 1)); else rj_idle=0; fi
    if [ "$rj_idle" -ge "$rj_idlemax" ]; then
      # Enqueue writes its wait/ entry, then looks for the lock: looking at
      # wait/ again after the lock is gone leaves no job behind.
      : > "$QD/asleep"
      rm -rf "$QD/lock"
      if rj_qempty; then rj_say "queue $Q idle for ${rj_idlemax}s; runner exits until the next job"; exit 0; fi
      rm -f "$QD/asleep"
      rj_lock || exit 0
      rj_idle=0
    fi
    sleep 1
  done
  rj_say "queue $Q stopped and drained; runner exits"
  rm -rf "$QD/lock"
  if [ -f "$QD/removed" ]; then rm -rf "$QD"; fi
  exit 0
}

rj_rmain "$@"
