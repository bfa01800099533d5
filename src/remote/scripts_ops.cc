#include "config.h"

// The one-shot scripts (submit, sync, kill, log, host info, cleanup); the
// prelude and the job wrapper are in scripts.cc. Same portability rules:
// POSIX sh as dash, busybox sh and bash 3.2 run it.

#include "remote/scripts.h"

namespace remote::sh {

const std::string_view submit_body = R"RJSH(
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
  if ! mkdir -p "$J" 2>/dev/null; then rj_fail "cannot create $J on host"; return; fi
  if ! { printf '%s' "$RJ_COMMAND" > "$J/cmd" &&
         printf '%s' "$D" > "$J/dir" &&
         printf '%s' "$RJ_ENVTEXT" > "$J/env" &&
         printf '%s' "$RJ_DESC" > "$J/desc" &&
         printf '%s\n' "$RJ_TIMEOUT" > "$J/timeout" &&
         printf '%s\n' "$RJ_GRACE" > "$J/grace"; }; then
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
)RJSH";

const std::string_view facts_body = R"RJSH(
rj_print_sessions() {
  printf 'RJ-TMUX %s\n' "$rj_tmux"
  printf '%s\n' "$rj_sess" | while IFS= read -r rj_x; do
    # Only our own sessions, named for the protocol as rj-<id>.
    case $rj_x in "$RJ_SP"*) printf 'RJ-SESSION rj-%s\n' "${rj_x#"$RJ_SP"}" ;; esac
  done
}
# What the host knows about job $1: RJ-JOB line, plus RJ-EXIT when it ended.
rj_facts() {
  rj_j=$RJ/jobs/$1
  if [ ! -d "$rj_j" ]; then printf 'RJ-JOB id=%s dir=0\n' "$1"; return 0; fi

  rj_first "$rj_j/pid"; rj_p=$rj_r; rj_isnum "$rj_p" || rj_p=0
  rj_first "$rj_j/pgid"; rj_g=$rj_r; rj_isnum "$rj_g" || rj_g=0
  rj_first "$rj_j/wpid"; rj_w=$rj_r; rj_isnum "$rj_w" || rj_w=0
  rj_first "$rj_j/started"; rj_s=$rj_r; rj_isnum "$rj_s" || rj_s=0
  rj_first "$rj_j/created"; rj_c=$rj_r; rj_isnum "$rj_c" || rj_c=0
  rj_a=0 rj_wa=0 rj_k=0 rj_rb=0
  if ! rj_same_boot "$rj_j"; then
    rj_rb=1
  else
    if rj_alive_as "$rj_p" "$rj_j/pstart"; then rj_a=1; fi
    if rj_alive_as "$rj_w" "$rj_j/wstart"; then rj_wa=1; fi
  fi
  if [ -f "$rj_j/killed" ]; then rj_k=1; fi
  printf 'RJ-JOB id=%s dir=1 pid=%s pgid=%s alive=%s wpid=%s walive=%s started=%s created=%s killreq=%s rebooted=%s\n' \
    "$1" "$rj_p" "$rj_g" "$rj_a" "$rj_w" "$rj_wa" "$rj_s" "$rj_c" "$rj_k" "$rj_rb"
  if [ -f "$rj_j/exit" ]; then
    rj_first "$rj_j/exit"
    printf 'RJ-EXIT id=%s %s\n' "$1" "$rj_r"
  fi
}
)RJSH";

const std::string_view sync_body = R"RJSH(
# ---- rj sync: sessions, facts of the jobs asked about, journal since offset ----
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  printf 'RJ-SYNC v=1 now=%s\n' "$(date +%s)"
  # Sessions first: a job seen without session below has really ended.
  rj_sessions
  rj_print_sessions
  for rj_id in $RJ_IDS; do rj_facts "$rj_id"; done
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
)RJSH";

const std::string_view kill_body = R"RJSH(
# ---- rj kill ----
rj_main() {
  rj_setpath
  rj_tick_init
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_sessions
  rj_waitfor=
  for rj_id in $RJ_IDS; do
    J=$RJ/jobs/$rj_id
    rj_st=missing rj_was=0
    if [ -d "$J" ] && ! rj_same_boot "$J"; then
      # Its pids belong to an earlier boot: never signal whoever has them now.
      rj_st=dead
      if [ -f "$J/exit" ]; then rj_st=ended; fi
    elif [ -d "$J" ]; then
      rj_first "$J/pid"; rj_p=$rj_r
      rj_first "$J/pgid"; rj_g=$rj_r
      rj_first "$J/wpid"; rj_w=$rj_r
      if rj_alive_as "$rj_p" "$J/pstart"; then rj_was=1; fi
      if [ -f "$J/exit" ]; then
        rj_st=ended
      else
        # The flag first: a wrapper that has not started the job yet sees it.
        : > "$J/killed"
        if rj_alive_as "$rj_w" "$J/wstart"; then
          # The wrapper TERMs the group, KILLs it after the grace period and
          # records `killed`, even if we are gone by then.
          kill -s USR1 "$rj_w" 2>/dev/null
          rj_st=signalled rj_waitfor="$rj_waitfor $rj_id"
        elif [ "$rj_was" = 1 ]; then
          # Wrapper gone (killed behind our back): signal the job ourselves.
          rj_signal TERM "$rj_g" "$rj_p"
          ( trap '' HUP; sleep "$RJ_GRACE"; rj_signal KILL "$rj_g" "$rj_p" ) </dev/null >/dev/null 2>&1 &
          rj_st=orphan
        elif rj_has_session "$rj_id"; then
          rj_st=pending rj_waitfor="$rj_waitfor $rj_id"
        else
          rj_st=dead
        fi
      fi
    fi
    eval "rj_st_$rj_id=\$rj_st rj_was_$rj_id=\$rj_was"
  done
  # Give the wrappers a moment to record the end, so the reply can say so.
  rj_i=0
  while [ -n "$rj_waitfor" ] && [ "$rj_i" -lt $((RJ_WAIT * rj_tps)) ]; do
    rj_left=
    for rj_id in $rj_waitfor; do
      if [ ! -f "$RJ/jobs/$rj_id/exit" ]; then rj_left="$rj_left $rj_id"; fi
    done
    rj_waitfor=$rj_left
    if [ -z "$rj_waitfor" ]; then break; fi
    rj_tick
    rj_i=$((rj_i + 1))
  done
  rj_sessions
  rj_print_sessions
  for rj_id in $RJ_IDS; do
    eval "rj_st=\$rj_st_$rj_id rj_was=\$rj_was_$rj_id"
    printf 'RJ-KILL id=%s state=%s was_running=%s\n' "$rj_id" "$rj_st" "$rj_was"
    rj_facts "$rj_id"
  done
  printf 'RJ-END\n'
}
)RJSH";

const std::string_view log_body = R"RJSH(
# ---- rj log ----
rj_running() {
  if [ -f "$J/exit" ]; then return 1; fi
  if ! rj_same_boot "$J"; then return 1; fi
  rj_first "$J/pid"; if rj_alive_as "$rj_r" "$J/pstart"; then return 0; fi
  rj_first "$J/wpid"; if rj_alive_as "$rj_r" "$J/wstart"; then return 0; fi
  rj_sessions
  rj_has_session "$RJ_ID"
}
# The log's first rj_sz bytes; in plain tail mode of a big log only the last
# rj_win of them, minus the (partial) first line.
rj_src() {
  if [ "$rj_win" -gt 0 ]; then
    tail -c +$((rj_sz - rj_win + 1)) "$L" | head -c "$rj_win" | LC_ALL=C sed 1d
  else
    head -c "$rj_sz" "$L"
  fi
}
rj_range() { if [ -n "$RJ_SED" ]; then LC_ALL=C sed -n "$RJ_SED"; else cat; fi; }
rj_grep() {
  if [ "$RJ_GREP_ON" = 1 ]; then
    LC_ALL=C grep $rj_ga $RJ_GFLAGS -e "$RJ_GREP"
    [ $? -le 1 ]
  else
    cat
  fi
}
rj_tailn() { if [ "$RJ_TAIL" -gt 0 ]; then tail -n "$RJ_TAIL"; else cat; fi; }
rj_cap() { if [ "$RJ_TAIL" -gt 0 ]; then tail -c "$1"; else head -c "$1"; fi; }
rj_main() {
  umask 077
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  J=$RJ/jobs/$RJ_ID L=$RJ/jobs/$RJ_ID/log
  if [ ! -d "$J" ]; then printf 'RJ-LOG error id=%s msg=no such job on this host\n' "$RJ_ID"; return; fi
  # Running is decided before the size is read: a follower told "not running"
  # has then seen every byte.
  rj_run=0
  if rj_running; then rj_run=1; fi
  rj_size "$L"; rj_sz=$rj_n
  if [ "$RJ_BOFF" -ge 0 ]; then
    rj_off=$RJ_BOFF rj_reset=0 rj_more=0
    if [ "$rj_off" -gt "$rj_sz" ]; then rj_off=0 rj_reset=1; fi
    rj_len=$((rj_sz - rj_off))
    if [ "$rj_len" -gt "$RJ_MAX" ]; then rj_len=$RJ_MAX rj_more=1; fi
    printf 'RJ-LOG ok id=%s mode=bytes offset=%s size=%s running=%s more=%s reset=%s truncated=0 bytes=%s\n' \
      "$RJ_ID" $((rj_off + rj_len)) "$rj_sz" "$rj_run" "$rj_more" "$rj_reset" "$rj_len"
    if [ "$rj_len" -gt 0 ]; then tail -c +$((rj_off + 1)) "$L" | head -c "$rj_len"; fi
    printf '\nRJ-END\n'
    return
  fi
  rj_win=0
  if [ -z "$RJ_SED" ] && [ "$RJ_GREP_ON" != 1 ] && [ "$RJ_TAIL" -gt 0 ] && [ "$rj_sz" -gt "$RJ_MAX" ]; then
    rj_win=$RJ_MAX
  fi
  rj_ga=
  if echo x | grep -a x >/dev/null 2>&1; then rj_ga=-a; fi
  # A pattern grep rejects is an error in grep's words, not an empty result.
  if [ "$RJ_GREP_ON" = 1 ]; then
    rj_gerr=$(echo x | LC_ALL=C grep $RJ_GFLAGS -e "$RJ_GREP" 2>&1 >/dev/null)
    if [ $? -gt 1 ]; then
      rj_flat "$rj_gerr"
      printf 'RJ-LOG error id=%s kind=pattern msg=invalid grep pattern: %s\n' "$RJ_ID" "$rj_r"
      return
    fi
  fi
  rj_tmp=$J/.log.$$.tmp
  if [ "$rj_sz" -gt 0 ]; then
    rj_src | rj_range | rj_grep | rj_tailn | rj_cap $((RJ_MAX + 1)) > "$rj_tmp"
  else
    : > "$rj_tmp"
  fi
  rj_size "$rj_tmp"; rj_len=$rj_n rj_tr=0
  if [ "$rj_len" -gt "$RJ_MAX" ]; then rj_len=$RJ_MAX rj_tr=1; fi
  if [ "$rj_win" -gt 0 ]; then rj_tr=1; fi
  printf 'RJ-LOG ok id=%s mode=filter offset=%s size=%s running=%s more=0 reset=0 truncated=%s bytes=%s\n' \
    "$RJ_ID" "$rj_sz" "$rj_sz" "$rj_run" "$rj_tr" "$rj_len"
  if [ "$rj_len" -gt 0 ]; then rj_cap "$rj_len" < "$rj_tmp"; fi
  rm -f "$rj_tmp"
  printf '\nRJ-END\n'
}
)RJSH";

const std::string_view host_info_body = R"RJSH(
# ---- rj host info ----
rj_info() { rj_flat "$2"; printf 'RJ-INFO %s %s\n' "$1" "$rj_r"; }
rj_main() {
  rj_setpath
  rj_info os "$(uname -s 2>/dev/null)"
  rj_info kernel "$(uname -r 2>/dev/null)"
  rj_info arch "$(uname -m 2>/dev/null)"
  rj_info hostname "$(uname -n 2>/dev/null)"
  rj_info now "$(date +%s)"
  rj_c=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || rj_c=
  if ! rj_isnum "$rj_c"; then rj_c=$(nproc 2>/dev/null) || rj_c=; fi
  if ! rj_isnum "$rj_c"; then rj_c=$(sysctl -n hw.ncpu 2>/dev/null) || rj_c=; fi
  rj_isnum "$rj_c" && rj_info cpus "$rj_c"
  if [ -r "$RJ_PROC/meminfo" ]; then
    rj_mt= rj_ma= rj_mf=
    while read -r rj_k rj_v rj_u; do
      case $rj_k in
        MemTotal:) rj_mt=$rj_v ;;
        MemAvailable:) rj_ma=$rj_v ;;
        MemFree:) rj_mf=$rj_v ;;
      esac
    done < "$RJ_PROC/meminfo"
    if [ -z "$rj_ma" ]; then rj_ma=$rj_mf; fi
    rj_isnum "$rj_mt" && rj_info mem_total $((rj_mt * 1024))
    rj_isnum "$rj_ma" && rj_info mem_available $((rj_ma * 1024))
  else
    rj_mt=$(sysctl -n hw.memsize 2>/dev/null) || rj_mt=
    rj_isnum "$rj_mt" && rj_info mem_total "$rj_mt"
    # vm_stat: "Mach Virtual Memory Statistics: (page size of 16384 bytes)",
    # then "Pages free:   12345." lines.
    if rj_vm=$(vm_stat 2>/dev/null); then
      rj_ps=4096 rj_pages=0
      rj_x=${rj_vm#*page size of }
      rj_x=${rj_x%% bytes*}
      rj_isnum "$rj_x" && rj_ps=$rj_x
      rj_pages=$(printf '%s\n' "$rj_vm" | while IFS=: read -r rj_k rj_v; do
        case $rj_k in
          'Pages free' | 'Pages inactive' | 'Pages speculative') printf '%s\n' "$rj_v" ;;
        esac
      done | tr -d ' .' | { rj_t=0; while read -r rj_v; do rj_isnum "$rj_v" && rj_t=$((rj_t + rj_v)); done; echo "$rj_t"; })
      rj_isnum "$rj_pages" && rj_info mem_available $((rj_pages * rj_ps))
    fi
  fi
  if [ -r "$RJ_PROC/loadavg" ]; then
    read -r rj_l1 rj_l5 rj_l15 rj_x < "$RJ_PROC/loadavg"
    rj_info load "$rj_l1 $rj_l5 $rj_l15"
  elif rj_x=$(sysctl -n vm.loadavg 2>/dev/null); then
    # "{ 1.23 1.45 1.67 }"
    set -- $rj_x
    if [ "$1" = "{" ]; then shift; fi
    rj_info load "$1 $2 $3"
  elif rj_x=$(uptime 2>/dev/null); then
    rj_x=${rj_x##*load average*: }
    rj_info load "$(printf '%s' "$rj_x" | tr -d ',')"
  fi
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
)RJSH";

const std::string_view cleanup_body = R"RJSH(
# ---- rj cleanup: job directories of jobs that ended long enough ago ----
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_sessions
  rj_now=$(date +%s)
  rj_cut=$((rj_now - RJ_OLDER))
  for J in "$RJ"/jobs/*; do
    [ -d "$J" ] || continue
    rj_id=${J##*/}
    rj_isnum "$rj_id" || continue
    rj_busy "$J" "$rj_id" && continue
    rj_why= rj_t=0
    if [ -f "$J/exit" ]; then
      rj_first "$J/exit"
      rj_t=${rj_r##* ended=}; rj_t=${rj_t%% *}
      rj_why=ended
    elif [ -f "$J/started" ]; then
      rj_first "$J/started"; rj_t=$rj_r
      rj_why=dead
    else
      rj_first "$J/created"; rj_t=$rj_r
      rj_why=never-started
    fi
    rj_isnum "$rj_t" || rj_t=0
    [ "$rj_t" -le "$rj_cut" ] || continue
    if [ "$RJ_DRY" = 1 ]; then
      rj_act=would-remove
    elif rm -rf "$J" 2>/dev/null; then
      rj_act=removed
    else
      rj_act=failed
    fi
    printf 'RJ-CLEAN id=%s action=%s reason=%s time=%s\n' "$rj_id" "$rj_act" "$rj_why" "$rj_t"
  done
  # Wrappers of other rj versions, once no rj session could still be using them.
  rj_any=
  case "
$rj_sess" in *"
rj-"*) rj_any=1 ;; esac
  if [ -z "$rj_any" ]; then
    for W in "$RJ"/bin/wrapper-*.sh; do
      [ -f "$W" ] || continue
      [ "$W" = "$RJ/bin/wrapper-$RJ_WHASH.sh" ] && continue
      if [ "$RJ_DRY" != 1 ]; then rm -f "$W"; fi
    done
  fi
  printf 'RJ-END\n'
}
)RJSH";

const std::string_view remove_body = R"RJSH(
# ---- rj remove job files ----
rj_main() {
  rj_setpath
  rj_expand "$RJ_DIR_ARG"; RJ=$rj_r
  rj_sessions
  for rj_id in $RJ_IDS; do
    J=$RJ/jobs/$rj_id
    if [ ! -d "$J" ]; then rj_act=missing
    elif rj_busy "$J" "$rj_id"; then rj_act=running
    elif rm -rf "$J" 2>/dev/null; then rj_act=removed
    else rj_act=failed
    fi
    printf 'RJ-RM id=%s action=%s\n' "$rj_id" "$rj_act"
  done
  printf 'RJ-END\n'
}
)RJSH";

const std::string_view usage_body = R"RJSH(
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
)RJSH";

}  // namespace remote::sh
