# ---- rj slurm info: sinfo's summary, then the usual host facts ----
rj_sinfo() {
  if ! command -v sinfo >/dev/null 2>&1; then printf 'RJ-SINFO error msg=sinfo not found on this host\n'; return 0; fi
  if ! rj_si=$(sinfo -h -o '%P|%a|%D|%A|%C|%G|%l' 2>&1 </dev/null); then
    rj_flat "$rj_si"; printf 'RJ-SINFO error msg=%s\n' "$rj_r"; return 0
  fi
  printf 'RJ-SINFO ok\n'
  # partition|avail|nodes|alloc/idle nodes|cpus A/I/O/T|gres|time limit
  printf '%s\n' "$rj_si" | while IFS='|' read -r rj_p rj_a rj_n rj_ai rj_c rj_g rj_l; do
    [ -n "$rj_p" ] || continue
    printf 'RJ-PART name=%s avail=%s nodes=%s ai=%s cpus=%s timelimit=%s msg=%s\n' \
      "$rj_p" "$rj_a" "$rj_n" "$rj_ai" "$rj_c" "$rj_l" "$rj_g"
  done | head -n 200
  rj_u=$(id -un)
  rj_run=$(squeue -h -u "$rj_u" -t RUNNING -o %i 2>/dev/null </dev/null | wc -l)
  rj_pend=$(squeue -h -u "$rj_u" -t PENDING -o %i 2>/dev/null </dev/null | wc -l)
  # shellcheck disable=SC2086 # wc pads with spaces on macOS
  printf 'RJ-MINE running=%s pending=%s\n' $rj_run $rj_pend
}
rj_slurm_info_main() {
  rj_setpath
  rj_sinfo
  rj_main
}
