# ---- rj remove job files ----
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_sessions
  for rj_id in $RJ_IDS; do
    J=$RJ/jobs/$rj_id
    if [ ! -d "$J" ]; then rj_act=missing
    elif rj_busy "$J" "$rj_id"; then rj_act=running
    elif rj_read "$J/worktree_of"; rj_wt=$rj_r; rm -rf "$J" 2>/dev/null; then
      rj_act=removed
      # A `restart --exact` checkout: drop the repository's record of it.
      if [ -n "$rj_wt" ]; then git -C "$rj_wt" worktree prune >/dev/null 2>&1; fi
    else rj_act=failed
    fi
    printf 'RJ-RM id=%s action=%s\n' "$rj_id" "$rj_act"
  done
  printf 'RJ-END\n'
}
