# ---- rj free: what a host has free now, for placement and `hosts --free` ----
# GPUs given by rj to jobs that still run (queue runners' and placed jobs'),
# comma-separated, into rj_alloc. The claim of a job that ended or died
# (rj_gone: a reboot, a wrapper gone without a record) is released.
rj_allocated() {
  rj_alloc=''
  for rj_f in "$RJ"/queues/*/run/* "$RJ"/gpu_jobs/*; do
    [ -e "$rj_f" ] || continue
    rj_id=${rj_f##*/}
    rj_isnum "$rj_id" || continue
    if rj_gone "$RJ/jobs/$rj_id"; then
      case $rj_f in "$RJ"/gpu_jobs/*) rm -f "$rj_f" ;; esac
      continue
    fi
    rj_first "$RJ/jobs/$rj_id/gpu_alloc"
    rj_alloc="$rj_alloc${rj_alloc:+,}$rj_r"
  done
}
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_cpus
  printf 'RJ-FREE cpus %s\n' "${rj_ncpu:-0}"
  rj_load
  printf 'RJ-FREE load %s\n' "${rj_l1:-0}"
  rj_memory
  printf 'RJ-FREE mem %s %s\n' "${rj_mt:-0}" "${rj_ma:-0}"
  printf 'RJ-FREE now %s\n' "$(date +%s)"
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    printf 'RJ-FREE gpus none\n'; printf 'RJ-END\n'; return 0
  fi
  # What rj gave away, read first: a gift made while nvidia-smi answers is
  # caught by the submit (it claims under the GPU lock, queue_lib.sh).
  rj_allocated
  if ! rj_gl=$(nvidia-smi --query-gpu=index,uuid,utilization.gpu,memory.used,memory.total,name \
      --format=csv,noheader,nounits 2>&1); then
    rj_flat "$rj_gl"; printf 'RJ-FREE gpus error %s\n' "$rj_r"; printf 'RJ-END\n'; return 0
  fi
  printf 'RJ-FREE gpus ok\n'
  rj_apps=$(nvidia-smi --query-compute-apps=gpu_uuid --format=csv,noheader 2>/dev/null) || rj_apps=''
  rj_th=$RJ_GPU_FREE_MIB
  rj_isnum "$rj_th" || rj_th=1024
  while IFS=', ' read -r rj_gi rj_gu rj_ut rj_gm rj_gt rj_name; do
    rj_isnum "$rj_gi" || continue
    rj_busy=0
    if rj_isnum "$rj_gm" && [ "$rj_gm" -ge "$rj_th" ]; then rj_busy=1; fi
    case "
$rj_apps
" in *"$rj_gu"*) rj_busy=1 ;; esac
    case ",$rj_alloc," in *",$rj_gi,"*) rj_busy=1 ;; esac
    rj_flat "$rj_name"
    printf 'RJ-FGPU %s %s %s %s %s %s\n' "$rj_gi" "$rj_busy" "${rj_ut:-0}" "${rj_gm:-0}" "${rj_gt:-0}" "$rj_r"
  done <<EOR
$rj_gl
EOR
  printf 'RJ-END\n'
}
