# ---- rj submit ----
rj_fail() {
  # Nothing runs: GPUs this submit claimed go back.
  if [ -n "${rj_claimed:-}" ]; then rm -f "$RJ/gpu_jobs/$RJ_ID" "$J/gpu_alloc"; fi
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
    printf 'RJ-SUBMIT ok id=%s pid=%s started=%s already=%s exited=%s now=%s\n' \
      "$RJ_ID" "$rj_p" "$rj_s" "$1" "$rj_e" "$(date +%s)"
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
# restart --exact: a checkout of the recorded commit in $J/src (a git
# worktree of the job's repository, else a clone of it) with the recorded
# patch applied; D becomes the job's directory inside it. False (after
# rj_fail) when the commit or the patch is gone or does not apply.
rj_exact() {
  if ! command -v git >/dev/null 2>&1; then rj_fail "restart --exact needs git on the host"; return 1; fi
  GIT_OPTIONAL_LOCKS=0; export GIT_OPTIONAL_LOCKS
  if ! git -C "$RJ_EXACT_ROOT" cat-file -e "$RJ_EXACT_COMMIT^{commit}" 2>/dev/null; then
    rj_fail "commit $RJ_EXACT_COMMIT is no longer in the repository $RJ_EXACT_ROOT: nothing was run"; return 1
  fi
  rj_patch=$RJ/$RJ_EXACT_PATCH
  if [ "$RJ_EXACT_BYTES" -gt 0 ] && [ ! -f "$rj_patch" ]; then
    rj_fail "the recorded changes ($rj_patch) are gone from the host (cleaned up?): nothing was run"; return 1
  fi
  rm -rf "$J/src"
  if git -C "$RJ_EXACT_ROOT" worktree add --detach "$J/src" "$RJ_EXACT_COMMIT" >/dev/null 2>&1; then
    printf '%s' "$RJ_EXACT_ROOT" > "$J/worktree_of"
  elif ! { git clone -q --no-checkout "$RJ_EXACT_ROOT" "$J/src" >/dev/null 2>&1 &&
           git -C "$J/src" checkout -q --detach "$RJ_EXACT_COMMIT" >/dev/null 2>&1; }; then
    rj_fail "cannot check out commit $RJ_EXACT_COMMIT of $RJ_EXACT_ROOT"; return 1
  fi
  if [ "$RJ_EXACT_BYTES" -gt 0 ] && ! rj_out=$(git -C "$J/src" apply --binary --whitespace=nowarn "$rj_patch" 2>&1); then
    rj_fail "the recorded changes do not apply to $RJ_EXACT_COMMIT: $rj_out"; return 1
  fi
  D=$J/src/$RJ_EXACT_SUB
  return 0
}
# The GPUs rj chose for it (a pool placement), claimed under the GPU lock the
# queue runners take (queue_lib.sh): when any of them was given to another
# job since rj looked, nothing is written, the reply says gpustaken and rj
# places the job again.
rj_gpuclaim() {
  if ! mkdir -p "$RJ/gpu_jobs" "$J" 2>/dev/null; then rj_fail "cannot record the job's GPUs in $RJ"; return 1; fi
  if ! rj_gpulock; then
    printf 'RJ-SUBMIT gpustaken id=%s msg=%s\n' "$RJ_ID" "the GPU lock $RJ/gpus.lock stayed taken"; return 1
  fi
  rj_gpus_given "$RJ_ID"
  rj_taken='' rj_ifs=$IFS
  IFS=,
  for rj_gi in $RJ_GALLOC; do
    case ",$rj_given," in *",$rj_gi,"*) rj_taken="$rj_taken${rj_taken:+,}$rj_gi" ;; esac
  done
  IFS=$rj_ifs
  if [ -n "$rj_taken" ]; then
    rj_gpuunlock
    rmdir "$J" 2>/dev/null
    printf 'RJ-SUBMIT gpustaken id=%s msg=%s\n' "$RJ_ID" "GPU $rj_taken went to another job on the host after rj looked"
    return 1
  fi
  if ! { rj_gpuwrite "$RJ_GALLOC" "$J/gpu_alloc" && rj_gpuwrite "$RJ_GALLOC" "$RJ/gpu_jobs/$RJ_ID"; }; then
    rm -f "$J/gpu_alloc" "$RJ/gpu_jobs/$RJ_ID"
    rj_gpuunlock
    rj_fail "cannot record the job's GPUs in $RJ"; return 1
  fi
  rj_gpuunlock
  rj_claimed=1
}
rj_main() {
  rj_setpath
  rj_tick_init
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  J=$RJ/jobs/$RJ_ID
  rj_um=$(umask)
  umask 077
  if ! mkdir -p "$RJ/jobs" "$RJ/bin" 2>/dev/null; then rj_fail "cannot create $RJ on host"; return; fi
  # Other users must not be able to plant a wrapper or forge a job's files.
  for rj_d in "$RJ" "$RJ/jobs" "$RJ/bin"; do
    if ! chmod 700 "$rj_d" 2>/dev/null; then rj_fail "cannot make $rj_d private (chmod 700 failed)"; return; fi
    if ! rj_private_dir "$rj_d"; then rj_fail "refusing to use $rj_r"; return; fi
  done
  # Resubmitting a job that started (e.g. after the laptop crashed mid-submit)
  # must not start it twice.
  if [ -f "$J/started" ] || [ -f "$J/exit" ]; then rj_report 1; return; fi
  if ! command -v tmux >/dev/null 2>&1; then rj_fail "tmux not found on host: install tmux"; return; fi
  # A wrapper already at work (a submit racing this one): do not touch its files.
  rj_first "$J/wpid"
  if rj_alive_as "$rj_r" "$J/wstart"; then rj_wait_started; rj_report 1; return; fi
  if [ -n "$RJ_GALLOC" ]; then rj_gpuclaim || return; fi
  if [ "$RJ_EXACT" = 1 ]; then
    if ! mkdir -p "$J" 2>/dev/null; then rj_fail "cannot create $J on host"; return; fi
    rj_exact || return
  else
    rj_expand "$RJ_WORKDIR"; D=$rj_r
  fi
  if [ ! -d "$D" ]; then rj_fail "no such directory: $D"; return; fi
  if ! (cd "$D") 2>/dev/null; then rj_fail "cannot enter directory: $D (permission denied)"; return; fi
  if ! mkdir -p "$J" 2>/dev/null; then rj_fail "cannot create $J on host"; return; fi
  printf '%s\n' "$RJ_SNAPSHOT" > "$J/snapshot"
  printf '%s' "$RJ_SNAPEXCL" > "$J/snapshot_exclude"
  if ! { printf '%s' "$RJ_COMMAND" > "$J/cmd" &&
         printf '%s' "$D" > "$J/dir" &&
         printf '%s' "$RJ_ENVTEXT" > "$J/env" &&
         printf '%s' "$RJ_DESC" > "$J/desc" &&
         printf '%s\n' "$RJ_TIMEOUT" > "$J/timeout" &&
         printf '%s\n' "$RJ_GRACE" > "$J/grace" &&
         printf '%s\n' "$RJ_IDLE" > "$J/idle"; }; then
    rj_fail "cannot write the job files in $J"; return
  fi
  if ! rj_notify_files "$J" "$RJ_NOTIFY" "$RJ_NC1" "$RJ_NT1" "$RJ_NC2" "$RJ_NT2" "$RJ_NC3" "$RJ_NT3"; then
    rj_fail "cannot write the notification files in $J"; return
  fi
  if [ ! -f "$J/created" ]; then date +%s > "$J/created"; fi
  W=$RJ/bin/wrapper-$RJ_WHASH.sh
  # Trusted by content, not by name: a damaged or replaced file is rewritten.
  rj_read "$W"
  if [ -L "$W" ] || [ ! -f "$W" ] || [ "$rj_r" != "$RJ_WRAPPER" ]; then
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
  until rj_out=$(tmux new-session -d -s "$RJ_SP$RJ_ID" -c "$J" \
      "$RJ_WSH ../../bin/wrapper-$RJ_WHASH.sh $RJ_ID" \; \
      set-window-option remain-on-exit off 2>&1); do
    rj_sessions
    if rj_has_session "$RJ_ID"; then rj_wait_started; rj_report 1; return; fi
    rj_try=$((rj_try + 1))
    if [ "$rj_try" -ge 5 ]; then
      rj_fail "tmux could not start session $RJ_SP$RJ_ID: $rj_out"; return
    fi
    rj_tick
  done
  rj_wait_started
  rj_report 0
}
