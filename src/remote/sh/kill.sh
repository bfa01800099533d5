# ---- rj kill ----
# Three steps, so that no interleaving with a queue runner's claim or a
# wrapper's start can make a job `dead` by mistake:
# 1. each job that still waits is taken from its queue; every other live one
#    gets the `killed` flag first (a wrapper that starts later sees it and
#    never runs the command);
# 2. sessions and pids are read only after every flag is written, and each
#    job is signalled or waited for by those facts;
# 3. after the wait, a job with no end record is read again: one no wrapper
#    ever started for (claimed by a runner, or its session about to appear)
#    is ended here as killed (the flag keeps any later wrapper from running
#    it); `dead` only when a wrapper ran and nothing of it is left.
rj_main() {
  rj_setpath
  rj_tick_init
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_flagged=''
  for rj_id in $RJ_IDS; do
    J=$RJ/jobs/$rj_id
    rj_st=missing
    if [ -d "$J" ] && ! rj_same_boot "$J"; then
      # Its pids belong to an earlier boot: never signal whoever has them now.
      rj_st=dead
      if [ -f "$J/exit" ]; then rj_st=ended; fi
    elif [ -d "$J" ]; then
      rj_first "$J/queue"; rj_kq=$rj_r
      if [ -f "$J/exit" ]; then
        rj_st=ended
      elif rj_qname_ok "$rj_kq" && rj_qtake "$rj_id" "$RJ/queues/$rj_kq" killed waiting; then
        # Still waiting in its queue: it ends here, without ever running.
        rj_st=ended
      else
        : > "$J/killed"
        rj_st=flagged rj_flagged="$rj_flagged $rj_id"
      fi
    fi
    eval "rj_st_$rj_id=\$rj_st rj_was_$rj_id=0"
  done
  rj_sessions
  rj_waitfor=''
  for rj_id in $rj_flagged; do
    rj_kill_flagged "$rj_id"
    eval "rj_st_$rj_id=\$rj_st rj_was_$rj_id=\$rj_was"
    case $rj_st in signalled | pending) rj_waitfor="$rj_waitfor $rj_id" ;; esac
  done
  # Give the wrappers a moment to record the end, so the reply can say so.
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
  rj_sessions
  for rj_id in $rj_waitfor; do
    eval "rj_st=\$rj_st_$rj_id"
    if [ "$rj_st" = pending ]; then
      rj_kill_unconfirmed "$rj_id"
      eval "rj_st_$rj_id=\$rj_st"
    fi
  done
  rj_print_sessions
  for rj_id in $RJ_IDS; do
    eval "rj_st=\$rj_st_$rj_id rj_was=\$rj_was_$rj_id"
    printf 'RJ-KILL id=%s state=%s was_running=%s\n' "$rj_id" "$rj_st" "$rj_was"
    rj_facts "$rj_id"
  done
  printf 'RJ-END\n'
}
# Job $1 carries the flag; what to do, by facts read after it was written
# (rj_sessions too), into rj_st (signalled | orphan | pending | dead) and
# rj_was. Liveness is read before the end record: a wrapper writes its record
# and then exits, never the other way round. An end record already there
# (the wrapper saw the flag, or the job ended just now) reads as pending:
# the wait below ends at once and the reply carries the record.
rj_kill_flagged() {
  J=$RJ/jobs/$1
  rj_first "$J/pid"; rj_p=$rj_r
  rj_first "$J/pgid"; rj_g=$rj_r
  rj_first "$J/wpid"; rj_w=$rj_r
  rj_was=0
  if rj_alive_as "$rj_p" "$J/pstart"; then rj_was=1; fi
  if rj_alive_as "$rj_w" "$J/wstart"; then
    # The wrapper TERMs the group, KILLs it after the grace period and
    # records `killed`, even if we are gone by then.
    kill -s USR1 "$rj_w" 2>/dev/null
    rj_st=signalled
  elif [ "$rj_was" = 1 ]; then
    # Wrapper gone (killed behind our back): signal the job ourselves.
    rj_signal TERM "$rj_g" "$rj_p"
    ( trap '' HUP; sleep "$RJ_GRACE"; rj_signal KILL "$rj_g" "$rj_p" ) </dev/null >/dev/null 2>&1 &
    rj_st=orphan
  elif [ -f "$J/exit" ] || rj_has_session "$1" || [ -z "$rj_w" ]; then
    # Starting: its session is up, or no wrapper has started yet (a runner
    # claimed it, a submit is under way). A wrapper from now on reads the
    # flag and records `killed` without running the command.
    rj_st=pending
  else
    rj_st=dead
  fi
}
# Job $1 was pending and no end record came within the wait: read again.
rj_kill_unconfirmed() {
  J=$RJ/jobs/$1
  rj_first "$J/wpid"; rj_w=$rj_r
  if rj_has_session "$1" || rj_alive_as "$rj_w" "$J/wstart" || [ -f "$J/exit" ]; then
    rj_st=pending  # its wrapper is at work and will record `killed`, or did
  elif [ -z "$rj_w" ]; then
    # No wrapper ever started, and the flag stops any that does: it is
    # killed, and the record says so now (a runner that claimed it then
    # does not start it, and its slot and GPUs are free again).
    rj_first "$J/queue"
    if rj_qname_ok "$rj_r" && rj_qtake "$1" "$RJ/queues/$rj_r" killed waiting; then :
    else rj_qend "$1" killed starting
    fi
    rj_st=stopped
  else
    rj_st=dead
  fi
}
