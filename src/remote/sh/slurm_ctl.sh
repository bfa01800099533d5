# ---- rj slurm ctl: hold, release, update of jobs SLURM still holds back ----
# RJ_OP hold | release | update; update sets the time limit (RJ_SET_TIMEOUT:
# scontrol and the wrapper's slurm_limit), the command and the environment
# (the files the wrapper reads when the job starts).
rj_ctl_one() {
  J=$RJ/jobs/$1
  rj_first "$J/slurm_id"; rj_sid=$rj_r
  case $rj_sid in '' | *[!0-9_]*) printf 'RJ-SCTL id=%s result=failed msg=no SLURM job recorded on the host\n' "$1"; return 0 ;; esac
  if [ -f "$J/started" ] || [ -f "$J/exit" ]; then
    printf 'RJ-SCTL id=%s result=failed msg=it has started; only a job that still waits can be changed\n' "$1"; return 0
  fi
  case $RJ_OP in
    hold) rj_out=$(scontrol hold "$rj_sid" 2>&1 </dev/null) ;;
    release) rj_out=$(scontrol release "$rj_sid" 2>&1 </dev/null) ;;
    update)
      rj_out=''
      if [ "$RJ_SET_TIMEOUT" = 1 ]; then
        rj_out=$(scontrol update JobId="$rj_sid" TimeLimit="$RJ_TIMELIMIT" 2>&1 </dev/null) || {
          rj_flat "$rj_out"; printf 'RJ-SCTL id=%s result=failed msg=%s\n' "$1" "$rj_r"; return 0; }
        printf '%s\n' "$RJ_TIMEOUT" > "$J/slurm_limit"
      fi
      if [ "$RJ_SET_CMD" = 1 ]; then printf '%s' "$RJ_COMMAND" > "$J/cmd"; fi
      if [ "$RJ_SET_ENV" = 1 ]; then printf '%s' "$RJ_ENVTEXT" > "$J/env"; fi
      printf 'RJ-SCTL id=%s result=ok msg=\n' "$1"; return 0 ;;
    *) rj_out="unknown operation $RJ_OP"; false ;;
  esac
  rj_rc=$?
  rj_flat "$rj_out"
  if [ "$rj_rc" = 0 ]; then printf 'RJ-SCTL id=%s result=ok msg=%s\n' "$1" "$rj_r"
  else printf 'RJ-SCTL id=%s result=failed msg=%s\n' "$1" "$rj_r"
  fi
}
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  for rj_id in $RJ_IDS; do rj_ctl_one "$rj_id"; done
  printf 'RJ-END\n'
}
