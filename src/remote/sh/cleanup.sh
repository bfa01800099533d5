# ---- rj cleanup: job directories of jobs that ended long enough ago ----
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
    rj_why='' rj_t=0
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
