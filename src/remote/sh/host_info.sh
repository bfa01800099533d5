# ---- rj host info ----
rj_info() { rj_flat "$2"; printf 'RJ-INFO %s %s\n' "$1" "$rj_r"; }
# Per GPU: its temperature (RJ-GPUTEMP i= c=), and which of this client's
# running jobs use it: a compute process whose process group is a job's
# (jobs/ID/pgid, no exit yet) belongs to that job (RJ-GPUJOB i= id= mem=);
# anyone else's processes are counted (RJ-GPUOTHER i= procs= mem=).
# Bounded: 4096 processes, 256 compute processes, 64 GPUs, 256 jobs read.
rj_gpu_jobs() {
  rj_groups=''
  for rj_j in "$RJ"/jobs/*; do
    if [ ! -f "$rj_j/pgid" ] || [ -f "$rj_j/exit" ]; then continue; fi
    rj_first "$rj_j/pgid"
    if rj_isnum "$rj_r" && [ "$rj_r" != 0 ]; then rj_groups="$rj_groups ${rj_j##*/}:$rj_r"; fi
  done
  rj_apps=$(nvidia-smi --query-compute-apps=pid,gpu_uuid,used_memory --format=csv,noheader,nounits 2>/dev/null | head -n 256)
  rj_gq=$(nvidia-smi --query-gpu=index,uuid,temperature.gpu --format=csv,noheader,nounits 2>/dev/null | head -n 64)
  { ps -A -o pid= -o pgid= 2>/dev/null | head -n 4096 | sed 's/^/P /'
    printf '%s\n' "$rj_apps" | sed 's/^/A,/'
    printf '%s\n' "$rj_gq" | sed 's/^/G,/'
  } | awk -v groups="$rj_groups" '
    BEGIN { n = split(groups, g, " "); for (i = 1; i <= n && i <= 256; i++) { split(g[i], kv, ":"); job[kv[2]] = kv[1] } }
    /^P / { pg[$2] = $3; next }
    /^A,/ { gsub(/ /, ""); split($0, f, ","); na++; apid[na] = f[2]; auuid[na] = f[3]; amem[na] = f[4] + 0; next }
    /^G,/ { gsub(/ /, ""); split($0, f, ","); if (f[2] ~ /^[0-9]+$/) { idx[f[3]] = f[2]; if (f[4] ~ /^[0-9]+$/) printf "RJ-GPUTEMP i=%s c=%s\n", f[2], f[4] } next }
    END {
      for (k = 1; k <= na; k++) {
        if (!(auuid[k] in idx)) continue
        i = idx[auuid[k]]; p = apid[k]
        if ((p in pg) && (pg[p] in job)) { key = i " " job[pg[p]]; m[key] += amem[k] }
        else { op[i]++; om[i] += amem[k] }
      }
      for (key in m) { split(key, x, " "); printf "RJ-GPUJOB i=%s id=%s mem=%d\n", x[1], x[2], m[key] }
      for (i in op) printf "RJ-GPUOTHER i=%s procs=%d mem=%d\n", i, op[i], om[i]
    }'
}

rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_darwin || :
  rj_info os "$rj_os"
  rj_info kernel "$(uname -r 2>/dev/null)"
  rj_info arch "$(uname -m 2>/dev/null)"
  rj_info hostname "$(uname -n 2>/dev/null)"
  rj_info now "$(date +%s)"
  rj_cpus
  [ -n "$rj_ncpu" ] && rj_info cpus "$rj_ncpu"
  rj_memory
  [ -n "$rj_mt" ] && rj_info mem_total "$rj_mt"
  [ -n "$rj_ma" ] && rj_info mem_available "$rj_ma"
  rj_load
  [ -n "$rj_l1" ] && rj_info load "$rj_l1 $rj_l5 $rj_l15"
  if rj_x=$(tmux -V 2>/dev/null); then rj_info tmux "$rj_x"; else rj_info tmux ""; fi
  rj_info bash "$(command -v bash 2>/dev/null)"
  rj_info perl "$(command -v perl 2>/dev/null)"
  rj_info setsid "$(command -v setsid 2>/dev/null)"
  rj_info sbatch "$(command -v sbatch 2>/dev/null)"
  if command -v nvidia-smi >/dev/null 2>&1; then
    if rj_x=$(nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total \
        --format=csv,noheader,nounits 2>&1); then
      rj_info gpu_query ok
      printf '%s\n' "$rj_x" | while IFS= read -r rj_l; do
        if [ -n "$rj_l" ]; then printf 'RJ-GPU %s\n' "$rj_l"; fi
      done
      rj_gpu_jobs
    else
      rj_info gpu_query "error $rj_x"
    fi
  else
    rj_info gpu_query none
  fi
  printf 'RJ-END\n'
}
