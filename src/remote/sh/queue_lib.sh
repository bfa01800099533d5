# ---- rj queues: what the runner and the queue commands share ----
# Layout (src/remote/protocol.h): RJ/queues/Q/{wait,run}/ID entries, one file
# per job; claiming a job is one rename from wait/ to run/, so two runners,
# or a runner and a start-now, can never both start it.

# Is $1 a queue name we accept (it goes into paths and a tmux session name)?
rj_qname_ok() {
  case $1 in '' | *[!A-Za-z0-9_-]*) return 1 ;; esac
  [ "${#1}" -le 32 ]
}
# Is the runner of queue dir $1 alive? (its lock holds its pid and start time)
rj_qrunner_alive() {
  rj_first "$1/lock/pid"
  [ -n "$rj_r" ] && rj_alive_as "$rj_r" "$1/lock/pstart"
}
# The runner's state into rj_qs: running | draining | stopped. A runner that
# exited because its queue stayed empty (`asleep`) comes back with the next
# job: the queue runs.
rj_qstate() {
  if rj_qrunner_alive "$1"; then
    if [ -f "$1/stop" ]; then rj_qs=draining; else rj_qs=running; fi
  elif [ -f "$1/asleep" ] && [ ! -f "$1/stop" ]; then
    rj_qs=running
  else
    rj_qs=stopped
  fi
}
# Record that job $1 ended before it ran: exit record and journal line, as
# the wrapper writes them. $2: kind (cancelled | killed), $3: one-word reason.
rj_qend() {
  rj_qj=$RJ/jobs/$1
  rj_qt=$(date +%s)
  rj_qrec="kind=$2 rc=-1 code=-1 sig=0 started=0 ended=$rj_qt user=0 sys=0 err=$3"
  printf '%s\n' "$rj_qrec" > "$rj_qj/.exit.tmp" && mv -f "$rj_qj/.exit.tmp" "$rj_qj/exit"
  printf '%s %s %s\n' "$rj_qt" "$1" "$2 $rj_qrec" >> "$RJ/journal"
}
# Take waiting job $1 out of queue dir $2 for good (ending it as $3 with
# reason $4); false when it is no longer waiting (a runner claimed it).
rj_qtake() {
  mv "$2/wait/$1" "$2/.gone.$1" 2>/dev/null || return 1
  rj_qend "$1" "$3" "$4"
  rm -f "$2/.gone.$1"
}
# Start claimed job $1 (its run/ entry made) in its tmux session, through the
# wrapper the client deployed (RJ_WSH, RJ_WHASH); false when tmux refused.
rj_qlaunch() {
  rj_qtry=0
  until rj_out=$(tmux new-session -d -s "$RJ_SP$1" -c "$RJ/jobs/$1" \
      "$RJ_WSH ../../bin/wrapper-$RJ_WHASH.sh $1" \; \
      set-window-option remain-on-exit off 2>&1); do
    rj_sessions
    if rj_has_session "$1"; then return 0; fi
    rj_qtry=$((rj_qtry + 1))
    if [ "$rj_qtry" -ge 5 ]; then
      rj_flat "$rj_out"
      printf '%s\n' "tmux could not start session $RJ_SP$1: $rj_r" >> "$RJ/jobs/$1/log"
      rj_qend "$1" error tmux
      return 1
    fi
    sleep 1
  done
  return 0
}
# Start the runner of queue $1 unless it runs: in tmux, so that it keeps
# working with no client connected. rj_qs says what it found.
rj_qensure() {
  rj_qd=$RJ/queues/$1
  if rj_qrunner_alive "$rj_qd"; then rm -f "$rj_qd/stop"; rj_qs=running; return 0; fi
  rm -f "$rj_qd/stop"
  if ! rj_out=$(tmux new-session -d -s "${RJ_SP}queue-$1" -c "$RJ" \
      "$RJ_WSH bin/runner-$RJ_RHASH.sh $1 $RJ_SP" \; \
      set-window-option remain-on-exit off 2>&1); then
    # A session of that name: a runner that is just starting.
    case $rj_out in *duplicate*) rj_qs=running; return 0 ;; esac
    rj_flat "$rj_out"; rj_qs="error $rj_r"
    return 1
  fi
  rj_qs=started
}
# Write file $1 with text $2 unless it holds exactly that (by content: a
# damaged or replaced program is rewritten); false when it cannot be written.
rj_deploy() {
  rj_read "$1"
  if [ -L "$1" ] || [ ! -f "$1" ] || [ "$rj_r" != "$2" ]; then
    if ! { printf '%s' "$2" > "$1.$$.tmp" && mv -f "$1.$$.tmp" "$1"; }; then
      rm -f "$1.$$.tmp"
      return 1
    fi
  fi
  return 0
}
# RJ-QUEUE line of queue $1: runner state, slots, and how many jobs wait,
# are held, run.
rj_qline() {
  rj_qd=$RJ/queues/$1
  rj_qstate "$rj_qd"
  rj_first "$rj_qd/slots"; rj_sl=$rj_r; rj_isnum "$rj_sl" || rj_sl=1
  rj_nw=0 rj_nh=0 rj_nr=0
  for rj_f in "$rj_qd"/wait/*; do
    rj_i=${rj_f##*/}; rj_isnum "$rj_i" || continue
    if [ -f "$RJ/jobs/$rj_i/held" ]; then rj_nh=$((rj_nh + 1)); else rj_nw=$((rj_nw + 1)); fi
  done
  for rj_f in "$rj_qd"/run/*; do
    rj_i=${rj_f##*/}; rj_isnum "$rj_i" || continue
    if [ ! -f "$RJ/jobs/$rj_i/exit" ]; then rj_nr=$((rj_nr + 1)); fi
  done
  printf 'RJ-QUEUE name=%s state=%s slots=%s waiting=%s held=%s running=%s\n' \
    "$1" "$rj_qs" "$rj_sl" "$rj_nw" "$rj_nh" "$rj_nr"
}
# ---- GPUs rj gives away: queue runners and pool placements share one lock ----
# Whoever gives a job GPUs (a runner's claim, a placed job's submit) holds
# RJ/gpus.lock (mkdir is atomic; it holds the holder's pid and start time)
# from reading what is given through recording its own gift (gpu_alloc,
# written beside and renamed), so two never give the same GPU.

# GPUs given to jobs that have not ended (runners' run/ entries, placed
# jobs' gpu_jobs/ entries), comma-separated, into rj_given; job $1 left out
# (- for none).
rj_gpus_given() {
  rj_given=''
  for rj_gf in "$RJ"/queues/*/run/* "$RJ"/gpu_jobs/*; do
    [ -e "$rj_gf" ] || continue
    rj_gid=${rj_gf##*/}
    rj_isnum "$rj_gid" && [ "$rj_gid" != "${1:-}" ] || continue
    [ -f "$RJ/jobs/$rj_gid/exit" ] && continue
    rj_first "$RJ/jobs/$rj_gid/gpu_alloc"
    rj_given="$rj_given${rj_given:+${rj_r:+,}}$rj_r"
  done
}
# Take the GPU lock; false after ~10 s of a live holder. A holder that died
# (checked after 2 s: a live one writes its pid at once) loses it.
rj_gpulock() {
  [ -n "${rj_tk:-}" ] || rj_tick_init
  rj_gw=0
  while ! mkdir "$RJ/gpus.lock" 2>/dev/null; do
    rj_gw=$((rj_gw + 1))
    if [ "$rj_gw" -gt $((10 * rj_tps)) ]; then return 1; fi
    if [ "$rj_gw" -gt $((2 * rj_tps)) ]; then
      rj_first "$RJ/gpus.lock/pid"
      if ! rj_alive_as "$rj_r" "$RJ/gpus.lock/pstart"; then
        mv "$RJ/gpus.lock" "$RJ/gpus.lock.stale.$$" 2>/dev/null && rm -rf "$RJ/gpus.lock.stale.$$"
        continue
      fi
    fi
    rj_tick
  done
  rj_pstart $$; printf '%s\n' "$rj_r" > "$RJ/gpus.lock/pstart"
  printf '%s\n' "$$" > "$RJ/gpus.lock/pid"
  return 0
}
rj_gpuunlock() { rm -rf "$RJ/gpus.lock"; }
# GPU list $1 written to file $2 beside it, then renamed.
rj_gpuwrite() { printf '%s\n' "$1" > "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"; }
