# ---- rj cleanup: job directories of jobs that ended long enough ago ----
# A job ended when it has an exit record (its time: ended=), or when it is
# dead by the rules sync uses (remote::decide): not waiting or claimed in its
# queue, no session, job and wrapper gone. A job that waits (held or not),
# starts or runs is never touched. A dead job has no end time of its own: one
# that died in a reboot ended before this boot began; any other counts from
# when a cleanup first found it dead (its `dead` file), so DUR is never
# measured from a moment it may still have run at.

# This boot's start (epoch seconds) into rj_btime, empty when unknown.
rj_boottime() {
  rj_btime=''
  if ! rj_darwin && [ -r /proc/stat ]; then
    while read -r rj_k rj_v rj_x; do
      if [ "$rj_k" = btime ]; then rj_btime=$rj_v; break; fi
    done < /proc/stat
  else
    rj_btime=$(sysctl -n kern.boottime 2>/dev/null) || rj_btime=''
    case $rj_btime in *"sec = "*) rj_btime=${rj_btime#*sec = } rj_btime=${rj_btime%%,*} ;; esac
  fi
  rj_isnum "$rj_btime" || rj_btime=''
}
# Queue entry state of job dir $1 (id $2) into rj_cq: w (waiting, held or
# not, or being taken out), c (claimed by a runner), '' (none).
rj_cqueue() {
  rj_cq=''
  rj_first "$1/queue"
  case $rj_r in '' | *[!A-Za-z0-9_-]*) return 0 ;; esac
  if [ -f "$RJ/queues/$rj_r/wait/$2" ] || [ -f "$RJ/queues/$rj_r/.gone.$2" ]; then rj_cq=w
  elif [ -f "$RJ/queues/$rj_r/run/$2" ]; then rj_cq=c
  fi
}
# Remove job $1's queue entries (of any queue) and its GPU claim: a runner or
# a placement must not count a job that is gone.
rj_unclaim() {
  for rj_f in "$RJ"/queues/*/wait/"$1" "$RJ"/queues/*/run/"$1" "$RJ"/queues/*/.gone."$1" "$RJ/gpu_jobs/$1"; do
    if [ -e "$rj_f" ]; then rm -f "$rj_f"; fi
  done
}
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_sessions
  rj_boottime
  rj_now=$(date +%s)
  rj_cut=$((rj_now - RJ_OLDER))
  for J in "$RJ"/jobs/*; do
    [ -d "$J" ] || continue
    rj_id=${J##*/}
    rj_isnum "$rj_id" || continue
    rj_busy "$J" "$rj_id" && continue
    rj_why='' rj_t=''
    rj_first "$J/started"; rj_s=$rj_r; rj_isnum "$rj_s" || rj_s=0
    rj_cqueue "$J" "$rj_id"
    if [ -f "$J/exit" ]; then
      rj_first "$J/exit"
      rj_t=${rj_r##* ended=}; rj_t=${rj_t%% *}
      rj_why=ended
    elif [ "$rj_cq" = w ]; then
      continue
    elif ! rj_same_boot "$J"; then
      rj_why=dead rj_t=$rj_btime
    elif [ "$rj_cq" = c ] && [ "$rj_s" = 0 ]; then
      continue
    else
      rj_why=dead
      if [ "$rj_s" = 0 ]; then rj_why=never-started; fi
    fi
    rj_isnum "$rj_t" || rj_t=''
    if [ -z "$rj_t" ]; then
      # Dead, with no time to go by: counted from when a cleanup first saw it
      # so (written with the start it saw, so a job started since is new).
      rj_first "$J/dead"
      case $rj_r in "$rj_s "*) rj_t=${rj_r#* } ;; esac
      if ! rj_isnum "$rj_t"; then
        if [ "$RJ_DRY" != 1 ]; then
          printf '%s %s\n' "$rj_s" "$rj_now" > "$J/dead"
          printf 'RJ-CLEAN id=%s action=noted reason=%s time=%s\n' "$rj_id" "$rj_why" "$rj_now"
        fi
        continue
      fi
    fi
    [ "$rj_t" -le "$rj_cut" ] || continue
    if [ "$RJ_DRY" = 1 ]; then
      rj_act=would-remove
    elif rj_read "$J/worktree_of"; rj_wt=$rj_r; rm -rf "$J" 2>/dev/null; then
      rj_act=removed
      rj_unclaim "$rj_id"
      # A `restart --exact` checkout: drop the repository's record of it.
      if [ -n "$rj_wt" ]; then git -C "$rj_wt" worktree prune >/dev/null 2>&1; fi
    else
      rj_act=failed
    fi
    printf 'RJ-CLEAN id=%s action=%s reason=%s time=%s\n' "$rj_id" "$rj_act" "$rj_why" "$rj_t"
  done
  # Wrappers of other rj versions, once no rj session could still be using them.
  rj_any=''
  case "
$rj_sess" in *"
rj-"*) rj_any=1 ;; esac
  # SLURM jobs that have not ended start (or run) their wrapper by its path.
  for J in "$RJ"/jobs/*; do
    if [ -f "$J/slurm_id" ] && [ ! -f "$J/exit" ]; then rj_any=1; break; fi
  done
  if [ -z "$rj_any" ]; then
    for W in "$RJ"/bin/wrapper-*.sh; do
      [ -f "$W" ] || continue
      [ "$W" = "$RJ/bin/wrapper-$RJ_WHASH.sh" ] && continue
      if [ "$RJ_DRY" != 1 ]; then rm -f "$W"; fi
    done
  fi
  printf 'RJ-END\n'
}
