# ---- rj slurm kill: scancel, answered in kill.sh's words ----
# A job SLURM still holds back never starts its wrapper, so its end is
# written here (killed, err=waiting), as the queue runner does for its own.
rj_main() {
  rj_setpath
  rj_tick_init
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_waitfor=''
  for rj_id in $RJ_IDS; do
    J=$RJ/jobs/$rj_id
    rj_st=missing rj_was=0 rj_m=''
    if [ -d "$J" ]; then
      rj_first "$J/slurm_id"; rj_sid=$rj_r
      if [ -f "$J/exit" ]; then
        rj_st=ended
      elif ! rj_sidok "$rj_sid"; then
        rj_st=dead
      else
        # The flag first: the wrapper then records `killed`, not SLURM's TERM.
        : > "$J/killed"
        rj_sst=$(squeue -h -j "$rj_sid" -o %T 2>/dev/null </dev/null)
        if rj_out=$(scancel "$rj_sid" 2>&1 </dev/null); then
          if [ "$rj_sst" = PENDING ] && [ ! -f "$J/started" ]; then
            rj_now=$(date +%s)
            rj_rec="rc=-1 code=-1 sig=0 started=0 ended=$rj_now user=0 sys=0 err=waiting"
            rj_put_exit "$J" "kind=killed $rj_rec"
            printf '%s %s %s\n' "$rj_now" "$rj_id" "killed $rj_rec" >> "$RJ/journal"
            rj_st=ended
          else
            rj_st=signalled rj_was=1 rj_waitfor="$rj_waitfor $rj_id"
          fi
        else
          rm -f "$J/killed"
          rj_flat "$rj_out"; rj_st=failed rj_m=$rj_r
        fi
      fi
    fi
    eval "rj_st_$rj_id=\$rj_st rj_was_$rj_id=\$rj_was rj_m_$rj_id=\$rj_m"
  done
  rj_i=0
  while [ -n "$rj_waitfor" ] && [ "$rj_i" -lt $((RJ_WAIT * rj_tps)) ]; do
    rj_left=''
    for rj_id in $rj_waitfor; do
      if [ ! -f "$RJ/jobs/$rj_id/exit" ]; then rj_left="$rj_left $rj_id"; fi
    done
    rj_waitfor=$rj_left
    if [ -z "$rj_waitfor" ]; then break; fi
    rj_tick
    rj_i=$((rj_i + 1))
  done
  for rj_id in $RJ_IDS; do
    eval "rj_st=\$rj_st_$rj_id rj_was=\$rj_was_$rj_id rj_m=\$rj_m_$rj_id"
    printf 'RJ-KILL id=%s state=%s was_running=%s msg=%s\n' "$rj_id" "$rj_st" "$rj_was" "$rj_m"
    rj_facts "$rj_id"
  done
  printf 'RJ-END\n'
}
# A SLURM id as sbatch gave it: digits, or digits_digits for an array task.
rj_sidok() {
  case $1 in '' | *[!0-9_]* | _* | *_ | *_*_*) return 1 ;; esac
  return 0
}
rj_put_exit() { printf '%s\n' "$2" > "$1/.exit.tmp" && mv -f "$1/.exit.tmp" "$1/exit"; }
