# ---- rj slurm submit: the job's files as for tmux, then one sbatch ----
# Variables as submit.sh, plus RJ_IDS/RJ_TASKS (one id per array task, else
# just RJ_ID), RJ_SB (sbatch's options, each single-quoted by rj), RJ_LIMIT
# (the time limit in seconds: the wrapper tells SLURM's end by it) and
# RJ_NAME (the SLURM job name: the session prefix and the first id).
rj_fail() {
  rj_flat "$*"
  printf 'RJ-SBATCH error id=%s msg=%s\n' "$RJ_ID" "$rj_r"
}
# No half-recorded job: directories made here go again when sbatch refuses.
rj_undo() {
  for rj_u in $RJ_IDS; do
    if [ ! -f "$RJ/jobs/$rj_u/slurm_id" ]; then rm -rf "${RJ:?}/jobs/$rj_u"; fi
  done
}
rj_files() {  # $1: job directory, $2: its array task (empty: none)
  mkdir -p "$1" 2>/dev/null || return 1
  printf '%s\n' "$RJ_SNAPSHOT" > "$1/snapshot" &&
    printf '%s' "$RJ_SNAPEXCL" > "$1/snapshot_exclude" &&
    printf '%s' "$RJ_COMMAND" > "$1/cmd" &&
    printf '%s' "$D" > "$1/dir" &&
    printf '%s' "$RJ_ENVTEXT" > "$1/env" &&
    printf '%s' "$RJ_DESC" > "$1/desc" &&
    printf '0\n' > "$1/timeout" &&
    printf '%s\n' "$RJ_LIMIT" > "$1/slurm_limit" &&
    printf '%s\n' "$RJ_GRACE" > "$1/grace" &&
    printf '%s\n' "$RJ_IDLE" > "$1/idle" || return 1
  if [ -n "$2" ]; then printf '%s\n' "$2" > "$1/task" || return 1; fi
  rj_notify_files "$1" "$RJ_NOTIFY" "$RJ_NC1" "$RJ_NT1" "$RJ_NC2" "$RJ_NT2" "$RJ_NC3" "$RJ_NT3" || return 1
  if [ ! -f "$1/created" ]; then date +%s > "$1/created"; fi
}
# sbatch with rj's options ($@): its answer (stdout: the id) in rj_out, its
# messages (stderr: warnings, or why it refused) in rj_err, its status in rj_rc.
rj_sbatch() {
  rj_out=$(sbatch --parsable --job-name="$RJ_NAME" --output="$rj_so" --chdir="$D" "$@" "$J/batch.sh" 2>"$J/.sbatch.err" </dev/null)
  rj_rc=$?
  rj_read "$J/.sbatch.err"; rj_err=$rj_r
  rm -f "$J/.sbatch.err"
}
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  J=$RJ/jobs/$RJ_ID
  rj_um=$(umask)
  umask 077
  if ! mkdir -p "$RJ/jobs" "$RJ/bin" 2>/dev/null; then rj_fail "cannot create $RJ on host"; return; fi
  for rj_d in "$RJ" "$RJ/jobs" "$RJ/bin"; do
    if ! chmod 700 "$rj_d" 2>/dev/null; then rj_fail "cannot make $rj_d private (chmod 700 failed)"; return; fi
    if ! rj_private_dir "$rj_d"; then rj_fail "refusing to use $rj_r"; return; fi
  done
  # Sent before (the answer was lost): SLURM has it already; never twice.
  rj_first "$J/slurm_id"
  if [ -n "$rj_r" ]; then printf 'RJ-SBATCH ok id=%s sid=%s already=1\n' "$RJ_ID" "$rj_r"; return; fi
  if ! command -v sbatch >/dev/null 2>&1; then
    rj_fail "sbatch not found on this host: is it the login node of a SLURM cluster? (scheduler = slurm in rj's config)"; return
  fi
  rj_expand "$RJ_WORKDIR"; D=$rj_r
  if [ ! -d "$D" ]; then rj_fail "no such directory: $D"; return; fi
  if ! (cd "$D") 2>/dev/null; then rj_fail "cannot enter directory: $D (permission denied)"; return; fi
  rj_n=0
  for rj_id in $RJ_IDS; do
    rj_n=$((rj_n + 1))
    # shellcheck disable=SC2086 # the n-th word of the task list
    rj_t=$(printf '%s\n' $RJ_TASKS | sed -n "${rj_n}p")
    if ! rj_files "$RJ/jobs/$rj_id" "$rj_t"; then rj_undo; rj_fail "cannot write the job files in $RJ/jobs/$rj_id"; return; fi
  done
  W=$RJ/bin/wrapper-$RJ_WHASH.sh
  rj_read "$W"
  if [ -L "$W" ] || [ ! -f "$W" ] || [ "$rj_r" != "$RJ_WRAPPER" ]; then
    if ! { printf '%s' "$RJ_WRAPPER" > "$W.$$.tmp" && mv -f "$W.$$.tmp" "$W"; }; then
      rm -f "$W.$$.tmp"; rj_undo
      rj_fail "cannot write $W"; return
    fi
  fi
  # The batch script: the wrapper, in the job's directory (an array task
  # finds its job by SLURM_ARRAY_TASK_ID). Paths are the host's own.
  {
    printf '#!/bin/sh\n# rj job(s) %s, written by rj\n' "$RJ_IDS"
    if [ -n "$RJ_TASKS" ]; then
      printf 'case ${SLURM_ARRAY_TASK_ID:-} in\n'
      rj_n=0
      for rj_id in $RJ_IDS; do
        rj_n=$((rj_n + 1))
        # shellcheck disable=SC2086
        rj_t=$(printf '%s\n' $RJ_TASKS | sed -n "${rj_n}p")
        printf '%s) rj_id=%s ;;\n' "$rj_t" "$rj_id"
      done
      printf '*) echo "rj: no job for array task ${SLURM_ARRAY_TASK_ID:-}" >&2; exit 2 ;;\nesac\n'
    else
      printf 'rj_id=%s\n' "$RJ_ID"
    fi
    rj_q=$(printf '%s' "$RJ/jobs" | sed "s/'/'\\\\''/g")
    printf "cd '%s'/\"\$rj_id\" && exec %s ../../bin/wrapper-%s.sh \"\$rj_id\"\n" "$rj_q" "$RJ_WSH" "$RJ_WHASH"
  } > "$J/batch.sh" || { rj_undo; rj_fail "cannot write $J/batch.sh"; return; }
  umask "$rj_um"
  # SLURM's own output (its time-limit and cancel notes); the job's output
  # goes to its log as on any host.
  rj_so=$J/slurm.out
  if [ -n "$RJ_TASKS" ]; then rj_so=$J/slurm-%a.out; fi
  # RJ_SB is a list of words rj single-quoted one by one: eval only splits it.
  eval "rj_sbatch $RJ_SB"
  # --parsable: "ID" or "ID;CLUSTER".
  rj_sid=$(printf '%s\n' "$rj_out" | head -n 1)
  rj_sid=${rj_sid%%;*}
  if [ "$rj_rc" != 0 ] || ! rj_isnum "$rj_sid"; then
    rj_undo
    rj_fail "sbatch refused the job: ${rj_err:-$rj_out}"; return
  fi
  rj_n=0
  for rj_id in $RJ_IDS; do
    rj_n=$((rj_n + 1))
    # shellcheck disable=SC2086
    rj_t=$(printf '%s\n' $RJ_TASKS | sed -n "${rj_n}p")
    printf '%s\n' "$rj_sid${rj_t:+_$rj_t}" > "$RJ/jobs/$rj_id/slurm_id"
  done
  printf 'RJ-SBATCH ok id=%s sid=%s already=0\n' "$RJ_ID" "$rj_sid"
}
