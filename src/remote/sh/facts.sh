rj_print_sessions() {
  printf 'RJ-TMUX %s\n' "$rj_tmux"
  printf '%s\n' "$rj_sess" | while IFS= read -r rj_x; do
    # Only our own sessions, named for the protocol as rj-<id>.
    case $rj_x in "$RJ_SP"*) printf 'RJ-SESSION rj-%s\n' "${rj_x#"$RJ_SP"}" ;; esac
  done
}
# Does job $2 wait in queue $1 (its entry in wait/, or taken out a moment)?
rj_qwaits() {
  [ -f "$RJ/queues/$1/wait/$2" ] || [ -f "$RJ/queues/$1/.gone.$2" ] || [ -f "$RJ/queues/$1/.edit.$2" ]
}
# What the host knows about job $1: RJ-JOB line, plus RJ-EXIT when it ended.
rj_facts() {
  rj_j=$RJ/jobs/$1
  if [ ! -d "$rj_j" ]; then printf 'RJ-JOB id=%s dir=0\n' "$1"; return 0; fi
  # A job still waiting in its queue has no process to look at: the short
  # answer keeps a sync of a long queue cheap.
  rj_first "$rj_j/queue"
  case $rj_r in
    '' | *[!A-Za-z0-9_-]*) ;;
    *) # .gone.ID: taken out of the queue, its end record being written
       # (rj_qtake); .edit.ID: held or updated (queue_ctl): still waiting,
       # not dead, for this moment.
       if rj_qwaits "$rj_r" "$1"; then
         rj_h=0; if [ -f "$rj_j/held" ]; then rj_h=1; fi
         printf 'RJ-JOB id=%s dir=1 started=0 q=w\n' "$1"
         # One line (rj_first), as the runner wrote it; the laptop makes it safe to show.
         rj_first "$rj_j/why"
         printf 'RJ-WAIT id=%s held=%s msg=%s\n' "$1" "$rj_h" "$rj_r"
         return 0
       fi ;;
  esac

  rj_first "$rj_j/pid"; rj_p=$rj_r; rj_isnum "$rj_p" || rj_p=0
  rj_first "$rj_j/pgid"; rj_g=$rj_r; rj_isnum "$rj_g" || rj_g=0
  rj_first "$rj_j/wpid"; rj_w=$rj_r; rj_isnum "$rj_w" || rj_w=0
  rj_first "$rj_j/started"; rj_s=$rj_r; rj_isnum "$rj_s" || rj_s=0
  rj_first "$rj_j/created"; rj_c=$rj_r; rj_isnum "$rj_c" || rj_c=0
  rj_a=0 rj_wa=0 rj_k=0 rj_rb=0
  if ! rj_same_boot "$rj_j"; then
    rj_rb=1
  else
    if rj_alive_as "$rj_p" "$rj_j/pstart"; then rj_a=1; fi
    if rj_alive_as "$rj_w" "$rj_j/wstart"; then rj_wa=1; fi
  fi
  if [ -f "$rj_j/killed" ]; then rj_k=1; fi
  # The webhook URLs (notify.N.curl) serve only the wrapper's own POST: once
  # its end is recorded, or it is gone for good (another boot, or its
  # recorded pid dead), rj sends the message from the laptop and the host
  # keeps no copy.
  if [ -f "$rj_j/exit" ] || [ "$rj_rb" = 1 ] || { [ "$rj_w" != 0 ] && [ "$rj_wa" = 0 ]; }; then
    rm -f "$rj_j"/notify.*.curl
  fi
  # Queued jobs: w = waiting in its queue, c = claimed by a runner (starting).
  rj_q=- rj_qn=''
  rj_first "$rj_j/queue"
  case $rj_r in
    '' | *[!A-Za-z0-9_-]*) ;;
    *) rj_qn=$rj_r
       if rj_qwaits "$rj_qn" "$1"; then rj_q=w
       elif [ -f "$RJ/queues/$rj_qn/run/$1" ]; then rj_q=c
       fi ;;
  esac
  printf 'RJ-JOB id=%s dir=1 pid=%s pgid=%s alive=%s wpid=%s walive=%s started=%s created=%s killreq=%s rebooted=%s q=%s\n' \
    "$1" "$rj_p" "$rj_g" "$rj_a" "$rj_w" "$rj_wa" "$rj_s" "$rj_c" "$rj_k" "$rj_rb" "$rj_q"
  if [ "$rj_q" = w ]; then
    rj_h=0; if [ -f "$rj_j/held" ]; then rj_h=1; fi
    rj_first "$rj_j/why"
    printf 'RJ-WAIT id=%s held=%s msg=%s\n' "$1" "$rj_h" "$rj_r"
  fi
  if [ -f "$rj_j/code" ]; then
    rj_first "$rj_j/code"; rj_cl=$rj_r
    # Single lines (the wrapper records no path with a newline); no forks:
    # a sync of many running jobs stays one cheap exchange.
    rj_first "$rj_j/code_root"
    printf 'RJ-CODE id=%s %s msg=%s\n' "$1" "$rj_cl" "$rj_r"
    rj_first "$rj_j/code_sub"
    printf 'RJ-CODESUB id=%s msg=%s\n' "$1" "$rj_r"
  fi
  if [ -f "$rj_j/gpu_models" ]; then
    rj_first "$rj_j/gpu_models"
    printf 'RJ-GPUMODELS id=%s msg=%s\n' "$1" "$rj_r"
  fi
  if [ -f "$rj_j/exit" ]; then
    rj_first "$rj_j/exit"
    printf 'RJ-EXIT id=%s %s\n' "$1" "$rj_r"
  fi
}
