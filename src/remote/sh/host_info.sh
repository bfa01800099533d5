# ---- rj host info ----
rj_info() { rj_flat "$2"; printf 'RJ-INFO %s %s\n' "$1" "$rj_r"; }
rj_main() {
  rj_setpath
  rj_info os "$(uname -s 2>/dev/null)"
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
    else
      rj_info gpu_query "error $rj_x"
    fi
  else
    rj_info gpu_query none
  fi
  printf 'RJ-END\n'
}
