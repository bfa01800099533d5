# ---- rj sync: sessions, facts of the jobs asked about, journal since offset ----

# RJ-LOGSTATE line of running job $1 from its sampler fields $2: how far its
# log got and its GPUs now.
rj_logline() {
  rj_lb='' rj_lg='' rj_gn='' rj_un=''
  for rj_kv in $2; do
    case $rj_kv in
      log_bytes=*) rj_lb=${rj_kv#*=} ;;
      log_grew=*) rj_lg=${rj_kv#*=} ;;
      gpus_now=*) rj_gn=${rj_kv#*=} ;;
      util_now=*) rj_un=${rj_kv#*=} ;;
    esac
  done
  if rj_isnum "$rj_lb" && rj_isnum "$rj_lg"; then
    printf 'RJ-LOGSTATE id=%s bytes=%s grew=%s gpus=%s gpu_util=%s\n' "$1" "$rj_lb" "$rj_lg" "$rj_gn" "$rj_un"
  fi
}
# Log states of the running jobs asked about: one read of the host sampler's
# RJ/usage.now (sampler.sh) for all of them, J/usage for a job whose older
# wrapper sampled it itself; then, for ids in RJ_TAIL, their last lines
# (printable ASCII only, a carriage return read as a new line) for their
# progress patterns.
rj_logstates() {
  rj_seen=' '
  if [ -f "$RJ/usage.now" ]; then
    while read -r rj_i rj_ul; do
      case " $RJ_IDS " in *" $rj_i "*) ;; *) continue ;; esac
      case $rj_seen in *" $rj_i "*) continue ;; esac
      rj_seen="$rj_seen$rj_i "
      if [ ! -f "$RJ/jobs/$rj_i/exit" ]; then rj_logline "$rj_i" "$rj_ul"; fi
    done < "$RJ/usage.now"
  fi
  for rj_id in $RJ_IDS; do
    rj_j=$RJ/jobs/$rj_id
    case $rj_seen in
      *" $rj_id "*) ;;
      *) if [ -f "$rj_j/usage" ] && [ ! -f "$rj_j/exit" ]; then rj_first "$rj_j/usage"; rj_logline "$rj_id" "$rj_r"; fi ;;
    esac
    case " $RJ_TAIL " in *" $rj_id "*) ;; *) continue ;; esac
    [ -f "$rj_j/log" ] && [ ! -f "$rj_j/exit" ] || continue
    tail -c 2048 "$rj_j/log" 2>/dev/null | tr '\r' '\n' | LC_ALL=C tr -cd '\n\040-\176' | grep -v '^ *$' |
      tail -n 5 | while IFS= read -r rj_l; do printf 'RJ-TAIL id=%s msg=%s\n' "$rj_id" "$rj_l"; done
  done
}

rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  printf 'RJ-SYNC v=1 now=%s\n' "$(date +%s)"
  # Sessions first: a job seen without session below has really ended.
  rj_sessions
  rj_print_sessions
  for rj_id in $RJ_IDS; do rj_facts "$rj_id"; done
  rj_logstates
  for rj_f in "$RJ"/queues/*; do
    rj_q=${rj_f##*/}
    if rj_qname_ok "$rj_q" && [ -d "$rj_f/wait" ]; then rj_qline "$rj_q"; fi
  done
  rj_jf=$RJ/journal
  rj_size "$rj_jf"; rj_sz=$rj_n
  rj_off=$RJ_OFFSET rj_reset=0 rj_more=0 rj_rot=0
  # A journal shorter than our offset was replaced: start over.
  if [ "$rj_off" -gt "$rj_sz" ]; then rj_off=0 rj_reset=1; fi
  # Rotation: a journal past RJ_ROTATE bytes that the laptop has read to its
  # end is moved aside and a new one begins. A line a wrapper appends while it
  # is moved lands in the old file, which is read to its end here, after a
  # moment, and only then removed: no record is lost.
  if [ "$rj_off" -eq "$rj_sz" ] && [ "$rj_sz" -gt "$RJ_ROTATE" ] && mv -f "$rj_jf" "$rj_jf.old" 2>/dev/null; then
    rj_jf=$rj_jf.old rj_rot=1
    sleep 0.2 2>/dev/null || sleep 1
    rj_size "$rj_jf"; rj_sz=$rj_n
  fi
  rj_len=$((rj_sz - rj_off))
  if [ "$rj_len" -gt "$RJ_MAXJ" ] && [ "$rj_rot" = 0 ]; then rj_len=$RJ_MAXJ rj_more=1; fi
  printf 'RJ-JOURNAL offset=%s size=%s reset=%s more=%s rotated=%s bytes=%s\n' \
    "$rj_off" "$rj_sz" "$rj_reset" "$rj_more" "$rj_rot" "$rj_len"
  if [ "$rj_len" -gt 0 ]; then tail -c +$((rj_off + 1)) "$rj_jf" | head -c "$rj_len"; fi
  printf '\nRJ-END\n'
  if [ "$rj_rot" = 1 ]; then rm -f "$rj_jf"; fi
}
