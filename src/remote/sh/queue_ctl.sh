# ---- rj queue commands: start, stop, status, remove; hold, release,
# start-now, update, unqueue of waiting jobs ----
# Queued jobs are changed only while they wait, and only after taking their
# wait/ entry away from the runner (a rename), so an edit never races a start.

# Per waiting job of queue $1: RJ-QJOB queue= id= held= prio= msg=why.
rj_qjobs() {
  for rj_f in "$RJ/queues/$1"/wait/*; do
    rj_i=${rj_f##*/}; rj_isnum "$rj_i" || continue
    rj_h=0; if [ -f "$RJ/jobs/$rj_i/held" ]; then rj_h=1; fi
    rj_first "$RJ/jobs/$rj_i/prio"; rj_p=$rj_r
    rj_first "$RJ/jobs/$rj_i/why"
    printf 'RJ-QJOB queue=%s id=%s held=%s prio=%s msg=%s\n' "$1" "$rj_i" "$rj_h" "${rj_p:-0}" "$rj_r"
  done
}
rj_ctl() {
  printf 'RJ-QCTL id=%s result=%s' "$1" "$2"
  if [ -n "${3:-}" ]; then rj_flat "$3"; printf ' msg=%s' "$rj_r"; fi
  printf '\n'
}
# Job $1's queue dir into QD when it waits there; else rj_ctl says why not.
rj_waiting() {
  J=$RJ/jobs/$1
  rj_first "$J/queue"; QD=$RJ/queues/$rj_r
  if [ ! -d "$J" ]; then rj_ctl "$1" missing "no such job on this host"; return 1; fi
  if [ -z "$rj_r" ] || ! rj_qname_ok "$rj_r"; then rj_ctl "$1" notqueued "it was not queued"; return 1; fi
  if [ -f "$QD/wait/$1" ]; then return 0; fi
  if [ -f "$J/exit" ]; then rj_ctl "$1" ended "it has ended"; return 1; fi
  rj_ctl "$1" started "it has started"
  return 1
}
rj_update() {
  if [ "$RJ_SET_CMD" = 1 ]; then printf '%s' "$RJ_COMMAND" > "$J/cmd" || return 1; fi
  if [ "$RJ_SET_ENV" = 1 ]; then printf '%s' "$RJ_ENVTEXT" > "$J/env" || return 1; fi
  if [ "$RJ_SET_PRIO" = 1 ]; then printf '%s\n' "$RJ_PRIO" > "$J/prio" || return 1; fi
  if [ "$RJ_SET_GPUS" = 1 ]; then printf '%s\n' "$RJ_GPUS" > "$J/gpus" || return 1; fi
  if [ "$RJ_SET_TIMEOUT" = 1 ]; then printf '%s\n' "$RJ_TIMEOUT" > "$J/timeout" || return 1; fi
  return 0
}
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  case $RJ_OP in
    start)
      umask 077
      if ! command -v tmux >/dev/null 2>&1; then rj_ctl 0 failed "tmux not found on host: install tmux"; return; fi
      if ! mkdir -p "$RJ/bin" "$RJ/queues/$RJ_QUEUE/wait" "$RJ/queues/$RJ_QUEUE/run" 2>/dev/null ||
         ! rj_deploy "$RJ/bin/wrapper-$RJ_WHASH.sh" "$RJ_WRAPPER" ||
         ! rj_deploy "$RJ/bin/runner-$RJ_RHASH.sh" "$RJ_RUNNER"; then
        rj_ctl 0 failed "cannot write the rj programs in $RJ"; return
      fi
      printf '%s %s\n' "$RJ_WSH" "$RJ_WHASH" > "$RJ/queues/$RJ_QUEUE/launch"
      if [ "$RJ_SLOTS" -gt 0 ]; then printf '%s\n' "$RJ_SLOTS" > "$RJ/queues/$RJ_QUEUE/slots"; fi
      umask 022
      if rj_qensure "$RJ_QUEUE"; then rj_ctl 0 "$rj_qs"; else rj_ctl 0 failed "${rj_qs#error }"; fi
      rj_qline "$RJ_QUEUE" ;;
    stop)
      if [ ! -d "$RJ/queues/$RJ_QUEUE" ]; then rj_ctl 0 missing "no queue $RJ_QUEUE on this host"; return; fi
      : > "$RJ/queues/$RJ_QUEUE/stop"
      rj_ctl 0 ok
      rj_qline "$RJ_QUEUE" ;;
    remove)
      QD=$RJ/queues/$RJ_QUEUE
      if [ ! -d "$QD" ]; then rj_ctl 0 missing "no queue $RJ_QUEUE on this host"; return; fi
      : > "$QD/stop"; : > "$QD/removed"
      for rj_f in "$QD"/wait/*; do
        rj_i=${rj_f##*/}; rj_isnum "$rj_i" || continue
        if rj_qtake "$rj_i" "$QD" cancelled queue-removed; then rj_ctl "$rj_i" cancelled; fi
      done
      rj_qstate "$QD"
      if [ "$rj_qs" = stopped ]; then rm -rf "$QD"; fi
      rj_ctl 0 ok ;;
    status)
      if [ -n "$RJ_QUEUE" ]; then
        if [ -d "$RJ/queues/$RJ_QUEUE" ]; then rj_qline "$RJ_QUEUE"; rj_qjobs "$RJ_QUEUE"; fi
      else
        for rj_f in "$RJ"/queues/*; do
          rj_q=${rj_f##*/}
          rj_qname_ok "$rj_q" && [ -d "$rj_f/wait" ] || continue
          rj_qline "$rj_q"
          if [ "$RJ_JOBS" = 1 ]; then rj_qjobs "$rj_q"; fi
        done
      fi ;;
    hold | release | start-now | update | unqueue)
      for rj_id in $RJ_IDS; do
        rj_waiting "$rj_id" || continue
        case $RJ_OP in
          hold)
            # Taken from the runner while the flag is written: a claim
            # first means it started; a runner that chose it before the
            # flag puts it back when it sees the flag after its claim.
            if ! mv "$QD/wait/$rj_id" "$QD/.edit.$rj_id" 2>/dev/null; then rj_ctl "$rj_id" started "it has started"; continue; fi
            if : > "$J/held"; then rj_res=ok; else rj_res=failed; fi
            mv "$QD/.edit.$rj_id" "$QD/wait/$rj_id"
            rj_ctl "$rj_id" "$rj_res" ;;
          release) rm -f "$J/held"; rj_ctl "$rj_id" ok ;;
          start-now)
            rj_first "$QD/launch"
            # shellcheck disable=SC2086 # wrapper shell and hash
            set -- $rj_r
            RJ_WSH=${1:-/bin/sh} RJ_WHASH=${2:-}
            if ! mv "$QD/wait/$rj_id" "$QD/run/$rj_id" 2>/dev/null; then rj_ctl "$rj_id" started "it has started"; continue; fi
            rm -f "$J/held" "$J/why"
            if rj_qlaunch "$rj_id"; then rj_ctl "$rj_id" ok; else rj_ctl "$rj_id" failed "tmux could not start it"; fi ;;
          update)
            if ! mv "$QD/wait/$rj_id" "$QD/.edit.$rj_id" 2>/dev/null; then rj_ctl "$rj_id" started "it has started"; continue; fi
            if rj_update; then rj_res=ok; else rj_res=failed; fi
            mv "$QD/.edit.$rj_id" "$QD/wait/$rj_id"
            rm -f "$J/why"
            rj_ctl "$rj_id" "$rj_res" ;;
          unqueue)
            if ! mv "$QD/wait/$rj_id" "$QD/.gone.$rj_id" 2>/dev/null; then rj_ctl "$rj_id" started "it has started"; continue; fi
            rm -rf "$J" "$QD/.gone.$rj_id"
            rj_ctl "$rj_id" ok ;;
        esac
      done ;;
  esac
  printf 'RJ-END\n'
}
