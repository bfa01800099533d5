# ---- rj log ----
# Where job RJ_ID's directory (J) and log (L) are; false when it has none.
# (foreign.sh puts another one in its place for jobs remote-jobs started.)
rj_where() {
  J=$RJ/jobs/$RJ_ID L=$RJ/jobs/$RJ_ID/log
  [ -d "$J" ]
}
rj_running() {
  if [ -f "$J/exit" ]; then return 1; fi
  if ! rj_same_boot "$J"; then return 1; fi
  rj_first "$J/pid"; if rj_alive_as "$rj_r" "$J/pstart"; then return 0; fi
  rj_first "$J/wpid"; if rj_alive_as "$rj_r" "$J/wstart"; then return 0; fi
  rj_sessions
  rj_has_session "$RJ_ID"
}
# The log's first rj_sz bytes; in plain tail mode of a big log only the last
# rj_win of them, minus the (partial) first line.
rj_src() {
  if [ "$rj_win" -gt 0 ]; then
    tail -c +$((rj_sz - rj_win + 1)) "$L" | head -c "$rj_win" | LC_ALL=C sed 1d
  else
    head -c "$rj_sz" "$L"
  fi
}
rj_range() { if [ -n "$RJ_SED" ]; then LC_ALL=C sed -n "$RJ_SED"; else cat; fi; }
rj_grep() {
  if [ "$RJ_GREP_ON" = 1 ]; then
    LC_ALL=C grep $rj_ga $RJ_GFLAGS -e "$RJ_GREP"
    [ $? -le 1 ]
  else
    cat
  fi
}
rj_tailn() { if [ "$RJ_TAIL" -gt 0 ]; then tail -n "$RJ_TAIL"; else cat; fi; }
rj_cap() { if [ "$RJ_TAIL" -gt 0 ]; then tail -c "$1"; else head -c "$1"; fi; }
rj_main() {
  umask 077
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  if ! rj_where; then printf 'RJ-LOG error id=%s msg=no such job on this host\n' "$RJ_ID"; return; fi
  # Running is decided before the size is read: a follower told "not running"
  # has then seen every byte.
  rj_run=0
  if rj_running; then rj_run=1; fi
  rj_size "$L"; rj_sz=$rj_n
  if [ "$RJ_BOFF" -ge 0 ]; then
    rj_off=$RJ_BOFF rj_reset=0 rj_more=0
    if [ "$rj_off" -gt "$rj_sz" ]; then rj_off=0 rj_reset=1; fi
    rj_len=$((rj_sz - rj_off))
    if [ "$rj_len" -gt "$RJ_MAX" ]; then rj_len=$RJ_MAX rj_more=1; fi
    printf 'RJ-LOG ok id=%s mode=bytes offset=%s size=%s running=%s more=%s reset=%s truncated=0 bytes=%s\n' \
      "$RJ_ID" $((rj_off + rj_len)) "$rj_sz" "$rj_run" "$rj_more" "$rj_reset" "$rj_len"
    if [ "$rj_len" -gt 0 ]; then tail -c +$((rj_off + 1)) "$L" | head -c "$rj_len"; fi
    printf '\nRJ-END\n'
    return
  fi
  rj_win=0
  if [ -z "$RJ_SED" ] && [ "$RJ_GREP_ON" != 1 ] && [ "$RJ_TAIL" -gt 0 ] && [ "$rj_sz" -gt "$RJ_MAX" ]; then
    rj_win=$RJ_MAX
  fi
  rj_ga=''
  if echo x | grep -a x >/dev/null 2>&1; then rj_ga=-a; fi
  # A pattern grep rejects is an error in grep's words, not an empty result.
  if [ "$RJ_GREP_ON" = 1 ]; then
    rj_gerr=$(echo x | LC_ALL=C grep $RJ_GFLAGS -e "$RJ_GREP" 2>&1 >/dev/null)
    if [ $? -gt 1 ]; then
      rj_flat "$rj_gerr"
      printf 'RJ-LOG error id=%s kind=pattern msg=invalid grep pattern: %s\n' "$RJ_ID" "$rj_r"
      return
    fi
  fi
  rj_tmp=$J/.log.$$.tmp
  if [ "$rj_sz" -gt 0 ]; then
    rj_src | rj_range | rj_grep | rj_tailn | rj_cap $((RJ_MAX + 1)) > "$rj_tmp"
  else
    : > "$rj_tmp"
  fi
  rj_size "$rj_tmp"; rj_len=$rj_n rj_tr=0
  if [ "$rj_len" -gt "$RJ_MAX" ]; then rj_len=$RJ_MAX rj_tr=1; fi
  if [ "$rj_win" -gt 0 ]; then rj_tr=1; fi
  printf 'RJ-LOG ok id=%s mode=filter offset=%s size=%s running=%s more=0 reset=0 truncated=%s bytes=%s\n' \
    "$RJ_ID" "$rj_sz" "$rj_sz" "$rj_run" "$rj_tr" "$rj_len"
  if [ "$rj_len" -gt 0 ]; then rj_cap "$rj_len" < "$rj_tmp"; fi
  rm -f "$rj_tmp"
  printf '\nRJ-END\n'
}
