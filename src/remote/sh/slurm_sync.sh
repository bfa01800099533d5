# ---- rj slurm sync: the cluster's word on this client's jobs, then the usual sync ----
# squeue is asked before the job files are read: a job SLURM no longer
# runs has then already written its exit record, if it ever will.
rj_squeue() {
  if ! command -v squeue >/dev/null 2>&1; then
    printf 'RJ-SQUEUE error msg=squeue not found on this host\n'; return 0
  fi
  # Epoch times (SLURM_TIME_FORMAT); -r: one line per array task.
  if ! rj_sq=$(SLURM_TIME_FORMAT=%s squeue -h -r --states=all -u "$(id -un)" -o '%i|%T|%e|%P|%j|%r' 2>&1 </dev/null); then
    rj_flat "$rj_sq"
    printf 'RJ-SQUEUE error msg=%s\n' "$rj_r"; return 0
  fi
  printf 'RJ-SQUEUE ok now=%s\n' "$(date +%s)"
  # Only our jobs (named by the session prefix), bounded.
  printf '%s\n' "$rj_sq" | while IFS='|' read -r rj_si rj_st rj_en rj_pt rj_nm rj_re; do
    case $rj_nm in "$RJ_SP"*) printf 'RJ-SJOB sid=%s state=%s ended=%s msg=%s\n' "$rj_si" "$rj_st" "$rj_en" "$rj_re" ;; esac
  done | head -n 50000
  # All of the user's jobs by partition and state (the Hosts and Queues panes).
  printf '%s\n' "$rj_sq" | awk -F'|' 'NF >= 5 { n[$4 " " $2]++ } END { for (k in n) print k, n[k] }' |
    while read -r rj_pt rj_st rj_n; do printf 'RJ-SCNT part=%s state=%s n=%s\n' "$rj_pt" "$rj_st" "$rj_n"; done | head -n 1000
  # The partitions: name (* the default), up/down, CPUs allocated/idle/other/total.
  sinfo -h -o '%P|%a|%C' 2>/dev/null </dev/null | while IFS='|' read -r rj_pt rj_av rj_cpu; do
    printf 'RJ-SPART name=%s avail=%s cpus=%s\n' "$rj_pt" "$rj_av" "$rj_cpu"
  done | head -n 200
}
# Accounting (sacct) for the asked jobs, when the cluster keeps it: it still
# knows jobs squeue has forgotten (MinJobAge). Without accounting sacct
# fails and says why; that is no error of the sync.
rj_sacct() {
  [ -n "$rj_sids" ] && command -v sacct >/dev/null 2>&1 || return 0
  if ! rj_sa=$(SLURM_TIME_FORMAT=%s sacct -n -P -X -j "$rj_sids" -o JobID,State,End 2>&1 </dev/null); then
    rj_flat "$rj_sa"; printf 'RJ-SACCT none msg=%s\n' "$rj_r"; return 0
  fi
  printf 'RJ-SACCT ok\n'
  printf '%s\n' "$rj_sa" | while IFS='|' read -r rj_si rj_st rj_en; do
    # "CANCELLED by 1001": the state is the first word.
    printf 'RJ-SAJOB sid=%s state=%s ended=%s\n' "$rj_si" "${rj_st%% *}" "$rj_en"
  done | head -n 2000
}
rj_slurm_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_squeue
  rj_sids='' rj_ns=0
  for rj_id in $RJ_IDS; do
    rj_first "$RJ/jobs/$rj_id/slurm_id"
    case $rj_r in '' | *[!0-9_]*) continue ;; esac
    printf 'RJ-SID id=%s sid=%s\n' "$rj_id" "$rj_r"
    if [ "$rj_ns" -lt 500 ]; then rj_sids=$rj_sids${rj_sids:+,}$rj_r rj_ns=$((rj_ns + 1)); fi
  done
  rj_sacct
  rj_main
}
