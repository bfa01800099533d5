# ---- rj diff: what differs in the code of two jobs of one host ----
# Blocks (RJ-BLOCK name= bytes=N, N raw bytes, newline, RJ-END): the commits
# between the two (git log), the files they change (git diff --stat) and the
# difference between the two recorded patches; each cut at RJ_CAP bytes.
rj_block() {
  rj_bn=$1
  shift
  rj_tmp=$RJ/.diff.$$.tmp
  "$@" 2>&1 | head -c "$RJ_CAP" > "$rj_tmp"
  rj_size "$rj_tmp"
  printf 'RJ-BLOCK name=%s bytes=%s\n' "$rj_bn" "$rj_n"
  cat "$rj_tmp"
  printf '\nRJ-END\n'
  rm -f "$rj_tmp"
}
rj_patchdiff() {
  rj_p1=$RJ/jobs/$RJ_ID1/code.patch rj_p2=$RJ/jobs/$RJ_ID2/code.patch
  [ -f "$rj_p1" ] || rj_p1=/dev/null
  [ -f "$rj_p2" ] || rj_p2=/dev/null
  diff -u "$rj_p1" "$rj_p2"
  return 0
}
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  GIT_OPTIONAL_LOCKS=0; export GIT_OPTIONAL_LOCKS
  printf 'RJ-DIFF v=1\n'
  if [ -n "$RJ_ROOT" ] && command -v git >/dev/null 2>&1 && [ "$RJ_C1" != "$RJ_C2" ]; then
    rj_block log git -C "$RJ_ROOT" log --oneline --no-color "$RJ_C1..$RJ_C2"
    rj_block back git -C "$RJ_ROOT" log --oneline --no-color "$RJ_C2..$RJ_C1"
    rj_block stat git -C "$RJ_ROOT" diff --stat --no-color "$RJ_C1" "$RJ_C2"
  fi
  rj_block patch rj_patchdiff
  printf 'RJ-DONE\n'
}
