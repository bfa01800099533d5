# ---- rj kill ----
rj_main() {
  rj_setpath
  rj_tick_init
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_sessions
  rj_waitfor=''
  for rj_id in $RJ_IDS; do
    J=$RJ/jobs/$rj_id
    rj_st=missing rj_was=0
    if [ -d "$J" ] && ! rj_same_boot "$J"; then
      # Its pids belong to an earlier boot: never signal whoever has them now.
      rj_st=dead
      if [ -f "$J/exit" ]; then rj_st=ended; fi
    elif [ -d "$J" ]; then
      rj_first "$J/pid"; rj_p=$rj_r
      rj_first "$J/pgid"; rj_g=$rj_r
      rj_first "$J/wpid"; rj_w=$rj_r
      if rj_alive_as "$rj_p" "$J/pstart"; then rj_was=1; fi
      rj_first "$J/queue"; rj_kq=$rj_r
      if [ -f "$J/exit" ]; then
        rj_st=ended
      elif rj_qname_ok "$rj_kq" && rj_qtake "$rj_id" "$RJ/queues/$rj_kq" killed waiting; then
        # Still waiting in its queue: it ends here, without ever running.
        rj_st=ended
      else
        # The flag first: a wrapper that has not started the job yet sees it.
        : > "$J/killed"
        if rj_alive_as "$rj_w" "$J/wstart"; then
          # The wrapper TERMs the group, KILLs it after the grace period and
          # records `killed`, even if we are gone by then.
          kill -s USR1 "$rj_w" 2>/dev/null
          rj_st=signalled rj_waitfor="$rj_waitfor $rj_id"
        elif [ "$rj_was" = 1 ]; then
          # Wrapper gone (killed behind our back): signal the job ourselves.
          rj_signal TERM "$rj_g" "$rj_p"
          ( trap '' HUP; sleep "$RJ_GRACE"; rj_signal KILL "$rj_g" "$rj_p" ) </dev/null >/dev/null 2>&1 &
          rj_st=orphan
        elif rj_has_session "$rj_id"; then
          rj_st=pending rj_waitfor="$rj_waitfor $rj_id"
        else
          rj_st=dead
        fi
      fi
    fi
    eval "rj_st_$rj_id=\$rj_st rj_was_$rj_id=\$rj_was"
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
  rj_print_sessions
  for rj_id in $RJ_IDS; do
    eval "rj_st=\$rj_st_$rj_id rj_was=\$rj_was_$rj_id"
    printf 'RJ-KILL id=%s state=%s was_running=%s\n' "$rj_id" "$rj_st" "$rj_was"
    rj_facts "$rj_id"
  done
  printf 'RJ-END\n'
}
