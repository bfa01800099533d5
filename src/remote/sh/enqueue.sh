# ---- rj enqueue: put jobs in a queue (and start its runner) ----
# Each job gets its directory as `rj -b run` makes it, plus the queue's files
# (queue prio gpus after_ok after_any after_fail array task idle); its wait/
# entry comes last, so a runner never sees a job half written.
rj_efail() {
  rj_flat "$2"
  printf 'RJ-ENQUEUE error id=%s msg=%s\n' "$1" "$rj_r"
}
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  QD=$RJ/queues/$RJ_QUEUE
  rj_first_id=${RJ_IDS%% *}
  if ! rj_qname_ok "$RJ_QUEUE"; then rj_efail "$rj_first_id" "invalid queue name $RJ_QUEUE"; return; fi
  umask 077
  if ! mkdir -p "$RJ/jobs" "$RJ/bin" "$RJ/queues" 2>/dev/null; then rj_efail "$rj_first_id" "cannot create $RJ on host"; return; fi
  for rj_d in "$RJ" "$RJ/jobs" "$RJ/bin" "$RJ/queues"; do
    if ! chmod 700 "$rj_d" 2>/dev/null; then rj_efail "$rj_first_id" "cannot make $rj_d private (chmod 700 failed)"; return; fi
    if ! rj_private_dir "$rj_d"; then rj_efail "$rj_first_id" "refusing to use $rj_r"; return; fi
  done
  if ! command -v tmux >/dev/null 2>&1; then rj_efail "$rj_first_id" "tmux not found on host: install tmux"; return; fi
  if [ "$RJ_GPUS" -gt 0 ] && ! command -v nvidia-smi >/dev/null 2>&1; then
    rj_efail "$rj_first_id" "--gpus needs nvidia-smi, and this host has none on its PATH"; return
  fi
  rj_expand "$RJ_WORKDIR"; D=$rj_r
  if [ ! -d "$D" ]; then rj_efail "$rj_first_id" "no such directory: $D"; return; fi
  if ! (cd "$D") 2>/dev/null; then rj_efail "$rj_first_id" "cannot enter directory: $D (permission denied)"; return; fi
  if ! mkdir -p "$QD/wait" "$QD/run"; then rj_efail "$rj_first_id" "cannot create queue $QD"; return; fi
  if ! rj_deploy "$RJ/bin/wrapper-$RJ_WHASH.sh" "$RJ_WRAPPER" ||
     ! rj_deploy "$RJ/bin/runner-$RJ_RHASH.sh" "$RJ_RUNNER"; then
    rj_efail "$rj_first_id" "cannot write the rj programs in $RJ/bin"; return
  fi
  printf '%s %s\n' "$RJ_WSH" "$RJ_WHASH" > "$QD/launch"
  printf '%s\n' "$RJ_GPU_FREE_MIB" > "$QD/gpu_free_mib"
  if [ "$RJ_SLOTS" -gt 0 ]; then printf '%s\n' "$RJ_SLOTS" > "$QD/slots"; fi
  rj_tasks=$RJ_TASKS
  for rj_id in $RJ_IDS; do
    rj_task=''
    if [ -n "$rj_tasks" ]; then rj_task=${rj_tasks%% *}; rj_tasks=${rj_tasks#"$rj_task"}; rj_tasks=${rj_tasks# }; fi
    J=$RJ/jobs/$rj_id
    # Sent before (a retry after a lost reply): never queue it twice.
    if [ -f "$QD/wait/$rj_id" ] || [ -f "$QD/run/$rj_id" ] || [ -f "$J/started" ] || [ -f "$J/exit" ]; then
      printf 'RJ-ENQUEUE ok id=%s already=1\n' "$rj_id"; continue
    fi
    if ! { mkdir -p "$J" &&
           printf '%s' "$RJ_COMMAND" > "$J/cmd" &&
           printf '%s' "$D" > "$J/dir" &&
           printf '%s' "$RJ_ENVTEXT" > "$J/env" &&
           printf '%s' "$RJ_DESC" > "$J/desc" &&
           printf '%s\n' "$RJ_TIMEOUT" > "$J/timeout" &&
           printf '%s\n' "$RJ_GRACE" > "$J/grace" &&
           printf '%s\n' "$RJ_IDLE" > "$J/idle" &&
           printf '%s\n' "$RJ_SNAPSHOT" > "$J/snapshot" &&
           printf '%s' "$RJ_SNAPEXCL" > "$J/snapshot_exclude" &&
           printf '%s\n' "$RJ_QUEUE" > "$J/queue" &&
           printf '%s\n' "$RJ_PRIO" > "$J/prio" &&
           printf '%s\n' "$RJ_GPUS" > "$J/gpus" &&
           printf '%s\n' "$RJ_AFTER_OK" > "$J/after_ok" &&
           printf '%s\n' "$RJ_AFTER_ANY" > "$J/after_any" &&
           printf '%s\n' "$RJ_AFTER_FAIL" > "$J/after_fail" &&
           printf '%s\n' "$RJ_ARRAY" > "$J/array" &&
           printf '%s\n' "$rj_task" > "$J/task"; }; then
      rj_efail "$rj_id" "cannot write the job files in $J"; return
    fi
    if ! rj_notify_files "$J" "$RJ_NOTIFY" "$RJ_NC1" "$RJ_NT1" "$RJ_NC2" "$RJ_NT2" "$RJ_NC3" "$RJ_NT3"; then
      rj_efail "$rj_id" "cannot write the notification files in $J"; return
    fi
    if [ ! -f "$J/created" ]; then date +%s > "$J/created"; fi
    if [ "$RJ_HOLD" = 1 ]; then : > "$J/held"; fi
    : > "$QD/wait/$rj_id"
    printf 'RJ-ENQUEUE ok id=%s already=0\n' "$rj_id"
  done
  umask 022
  if [ "$RJ_NOSTART" = 1 ]; then
    rj_qstate "$QD"
    printf 'RJ-RUNNER queue=%s state=%s\n' "$RJ_QUEUE" "$rj_qs"
  elif rj_qensure "$RJ_QUEUE"; then
    printf 'RJ-RUNNER queue=%s state=%s\n' "$RJ_QUEUE" "$rj_qs"
  else
    printf 'RJ-RUNNER queue=%s state=error msg=%s\n' "$RJ_QUEUE" "${rj_qs#error }"
  fi
}
