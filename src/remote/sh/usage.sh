# ---- rj job resource use ----
# Sums CPU and resident memory over the job's process group (or its single
# pid when it has no group of its own), and GPU memory over those pids.
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_ps=$(ps -A -o pid= -o pgid= -o pcpu= -o rss= 2>/dev/null)
  rj_gpu=""
  if command -v nvidia-smi >/dev/null 2>&1; then
    rj_gpu=$(nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits 2>/dev/null)
  fi
  for rj_id in $RJ_IDS; do
    J=$RJ/jobs/$rj_id
    rj_pid=$(cat "$J/pid" 2>/dev/null)
    rj_pg=$(cat "$J/pgid" 2>/dev/null)
    if [ -z "$rj_pid" ] || [ -f "$J/exit" ] || ! rj_alive_as "$rj_pid" "$J/pstart"; then
      printf 'RJ-USAGE id=%s state=ended\n' "$rj_id"
      continue
    fi
    [ "$rj_pg" = 0 ] && rj_pg=""
    # The job's own pid counts even outside the group: for a moment after
    # the start it has not yet moved into its new session (setsid runs in
    # the child), and a running job must never read as zero processes.
    rj_pids=$(printf '%s\n' "$rj_ps" | awk -v g="$rj_pg" -v p="$rj_pid" \
      '(g != "" && $2 == g) || $1 == p { printf "%s ", $1 }')
    rj_sum=$(printf '%s\n' "$rj_ps" | awk -v g="$rj_pg" -v p="$rj_pid" \
      '(g != "" && $2 == g) || $1 == p { n++; c += $3; r += $4 }
       END { printf "procs=%d cpu=%.1f rss_kib=%d", n, c, r }')
    rj_gmem=-1
    if [ -n "$rj_gpu" ]; then
      rj_gmem=$(printf '%s\n' "$rj_gpu" | awk -v pids=" $rj_pids" \
        '{ gsub(/ /, ""); split($0, f, ","); if (index(pids, " " f[1] " ")) m += f[2] } END { printf "%d", m }')
    fi
    printf 'RJ-USAGE id=%s state=ok %s gpu_mem_mib=%s\n' "$rj_id" "$rj_sum" "$rj_gmem"
  done
  printf 'RJ-END\n'
}
