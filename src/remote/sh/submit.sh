# ---- rj submit ----
rj_fail() {
  rj_flat "$*"
  printf 'RJ-SUBMIT error id=%s msg=%s\n' "$RJ_ID" "$rj_r"
}
rj_report() {
  rj_first "$J/pid"; rj_p=$rj_r; rj_isnum "$rj_p" || rj_p=0
  rj_first "$J/started"; rj_s=$rj_r; rj_isnum "$rj_s" || rj_s=0
  rj_e=0
  if [ -f "$J/exit" ]; then rj_e=1; fi
  if [ "$rj_s" = 0 ] && [ "$rj_e" = 0 ]; then
    printf 'RJ-SUBMIT pending id=%s already=%s\n' "$RJ_ID" "$1"
  else
    printf 'RJ-SUBMIT ok id=%s pid=%s started=%s already=%s exited=%s\n' \
      "$RJ_ID" "$rj_p" "$rj_s" "$1" "$rj_e"
  fi
}
# Up to ~2 s for the wrapper to record its start; it usually takes a few
# hundredths, so look often at first.
rj_wait_started() {
  rj_i=0
  while [ "$rj_i" -lt $((2 * rj_tps)) ]; do
    if [ -f "$J/started" ] || [ -f "$J/exit" ]; then return 0; fi
    if [ "$rj_i" -lt 10 ] && [ "$rj_tps" -gt 1 ]; then sleep 0.01; else rj_tick; fi
    rj_i=$((rj_i + 1))
  done
  return 1
}
rj_main() {
  rj_setpath
  rj_tick_init
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  J=$RJ/jobs/$RJ_ID
  rj_um=$(umask)
  umask 077
  if ! mkdir -p "$RJ/jobs" "$RJ/bin" 2>/dev/null; then rj_fail "cannot create $RJ on host"; return; fi
  # Other users must not be able to plant a wrapper or forge a job's files.
  for rj_d in "$RJ" "$RJ/jobs" "$RJ/bin"; do
    if ! chmod 700 "$rj_d" 2>/dev/null; then rj_fail "cannot make $rj_d private (chmod 700 failed)"; return; fi
    if ! rj_private_dir "$rj_d"; then rj_fail "refusing to use $rj_r"; return; fi
  done
  # Resubmitting a job that started (e.g. after the laptop crashed mid-submit)
  # must not start it twice.
  if [ -f "$J/started" ] || [ -f "$J/exit" ]; then rj_report 1; return; fi
  if ! command -v tmux >/dev/null 2>&1; then rj_fail "tmux not found on host: install tmux"; return; fi
  # A wrapper already at work (a submit racing this one): do not touch its files.
  rj_first "$J/wpid"
  if rj_alive_as "$rj_r" "$J/wstart"; then rj_wait_started; rj_report 1; return; fi
  rj_expand "$RJ_WORKDIR"; D=$rj_r
  if [ ! -d "$D" ]; then rj_fail "no such directory: $D"; return; fi
  if ! (cd "$D") 2>/dev/null; then rj_fail "cannot enter directory: $D (permission denied)"; return; fi
  if ! mkdir -p "$J" 2>/dev/null; then rj_fail "cannot create $J on host"; return; fi
  if ! { printf '%s' "$RJ_COMMAND" > "$J/cmd" &&
         printf '%s' "$D" > "$J/dir" &&
         printf '%s' "$RJ_ENVTEXT" > "$J/env" &&
         printf '%s' "$RJ_DESC" > "$J/desc" &&
         printf '%s\n' "$RJ_TIMEOUT" > "$J/timeout" &&
         printf '%s\n' "$RJ_GRACE" > "$J/grace" &&
         printf '%s\n' "$RJ_IDLE" > "$J/idle"; }; then
    rj_fail "cannot write the job files in $J"; return
  fi
  if [ ! -f "$J/created" ]; then date +%s > "$J/created"; fi
  W=$RJ/bin/wrapper-$RJ_WHASH.sh
  # Trusted by content, not by name: a damaged or replaced file is rewritten.
  rj_read "$W"
  if [ -L "$W" ] || [ ! -f "$W" ] || [ "$rj_r" != "$RJ_WRAPPER" ]; then
    if ! { printf '%s' "$RJ_WRAPPER" > "$W.$$.tmp" && mv -f "$W.$$.tmp" "$W"; }; then
      rm -f "$W.$$.tmp"
      rj_fail "cannot write $W"; return
    fi
  fi
  umask "$rj_um"
  # Only simple words in the tmux command: tmux hands it to the user's shell
  # (maybe fish), so the paths are relative to the job directory (-c).
  # A tmux server whose last session just closed is on its way out and
  # refuses us ("server exited unexpectedly"): try again a few times.
  rj_try=0
  # The session must end with the job even if tmux.conf says remain-on-exit.
  until rj_out=$(tmux new-session -d -s "$RJ_SP$RJ_ID" -c "$J" \
      "$RJ_WSH ../../bin/wrapper-$RJ_WHASH.sh $RJ_ID" \; \
      set-window-option remain-on-exit off 2>&1); do
    rj_sessions
    if rj_has_session "$RJ_ID"; then rj_wait_started; rj_report 1; return; fi
    rj_try=$((rj_try + 1))
    if [ "$rj_try" -ge 5 ]; then
      rj_fail "tmux could not start session $RJ_SP$RJ_ID: $rj_out"; return
    fi
    rj_tick
  done
  rj_wait_started
  rj_report 0
}
