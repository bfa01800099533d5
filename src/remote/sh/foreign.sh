# ---- jobs remote-jobs started (rj -b import remote-jobs), followed where its wrapper left them ----
# remote-jobs' wrapper runs job ID in tmux session rj-ID and writes
# ~/.cache/remote-jobs/logs/ID-YYYYMMDD-HHMMSS.{log,pid,status}; .status holds
# the exit code once the job ended.

# The newest of job $1's files ending .$2 into rj_r ('' when none).
rj_xfile() {
  rj_r=''
  for rj_xf in "$HOME"/.cache/remote-jobs/logs/"$1"-*."$2"; do
    if [ -f "$rj_xf" ]; then rj_r=$rj_xf; fi
  done
}
# Is remote-jobs' job $1 still running: its session up, or its recorded pid alive?
rj_xalive() {
  case "
$rj_sess
" in *"
rj-$1
"*) return 0 ;; esac
  rj_xfile "$1" pid; rj_first "$rj_r"
  if rj_isnum "$rj_r" && [ "$rj_r" -gt 1 ] && kill -0 "$rj_r" 2>/dev/null; then return 0; fi
  return 1
}
# One line per job of RJ_XJOBS (pairs rj-id:remote-jobs-id): alive=0|1, and
# exit=CODE once its .status file holds a number (- before).
rj_xsync() {
  rj_setpath
  rj_sessions
  printf 'RJ-XSYNC v=1 now=%s\n' "$(date +%s)"
  for rj_xp in $RJ_XJOBS; do
    rj_xid=${rj_xp%%:*} rj_xold=${rj_xp#*:}
    rj_xa=0; if rj_xalive "$rj_xold"; then rj_xa=1; fi
    rj_xfile "$rj_xold" status; rj_first "$rj_r"
    rj_xe=-; if rj_isnum "$rj_r"; then rj_xe=$rj_r; fi
    printf 'RJ-XJOB id=%s alive=%s exit=%s\n' "$rj_xid" "$rj_xa" "$rj_xe"
  done
  printf 'RJ-END\n'
}
# Kills remote-jobs' job RJ_XOLD as remote-jobs does: its session, and its
# recorded process (a queue runner's job has no session of its own).
rj_xkill() {
  rj_setpath
  rj_sessions
  rj_xa=0; if rj_xalive "$RJ_XOLD"; then rj_xa=1; fi
  if [ "$rj_xa" = 1 ]; then
    rj_xfile "$RJ_XOLD" pid; rj_first "$rj_r"
    if rj_isnum "$rj_r" && [ "$rj_r" -gt 1 ]; then kill -TERM "$rj_r" 2>/dev/null; fi
    tmux kill-session -t "=rj-$RJ_XOLD" 2>/dev/null
  fi
  rj_xfile "$RJ_XOLD" status; rj_first "$rj_r"
  rj_xe=-; if rj_isnum "$rj_r"; then rj_xe=$rj_r; fi
  printf 'RJ-XKILL id=%s was_running=%s exit=%s\nRJ-END\n' "$RJ_ID" "$rj_xa" "$rj_xe"
}
# rj log over remote-jobs' files: log.sh's rj_main, with the job's log and
# liveness found here (these replace log.sh's rj_where and rj_running).
rj_where() {
  J=$HOME/.cache/remote-jobs/logs
  rj_xfile "$RJ_XOLD" log; L=$rj_r
  [ -n "$L" ]
}
rj_running() {
  rj_xfile "$RJ_XOLD" status; rj_first "$rj_r"
  if rj_isnum "$rj_r"; then return 1; fi
  rj_sessions
  rj_xalive "$RJ_XOLD"
}
