# ---- rj host sampler: one per host and rj directory, not one per job ----
# Every wrapper registers its running job in RJ/running/ID ("pid pgid start")
# and starts rj_hsampler in the background. Only the one that holds the lock
# samples; the others wait for it for free (flock blocks in the kernel; where
# there is no flock, e.g. macOS, they try a lock directory once a minute).
# When the holder's job ends its sampler stops, the lock is released, and a
# waiting wrapper takes over. One pass reads every running job's use: one
# `ps -A` (no per-job fork), one `wc -c` over all logs, nvidia-smi once, and
# one awk folds it into RJ/usage.now (a line per job: "ID key=value ...",
# written beside it and renamed). Interval: 1 s after a job starts (its
# wrapper wakes the sampler with USR1), doubling to 15 s; once every running
# job is older than 10 minutes, 60 s.

# Fields of job $1 in RJ/usage.now (or, from an older wrapper, J/usage) into rj_r.
rj_usage_line() {
  rj_r=''
  if [ -f "$RJ/usage.now" ]; then
    while read -r rj_ui rj_ur; do
      if [ "$rj_ui" = "$1" ]; then rj_r=$rj_ur; return 0; fi
    done < "$RJ/usage.now"
  fi
  rj_first "$RJ/jobs/$1/usage"
}

# Wake the sampler (a new job wants an early sample): only a live process
# whose start time matches the recorded one gets the signal.
rj_wake_sampler() {
  rj_first "$RJ/sampler.pid"
  # shellcheck disable=SC2086 # "pid start"
  set -- $rj_r
  rj_isnum "${1:-}" && [ -n "${2:-}" ] || return 0
  rj_alive "$1" || return 0
  rj_pstart "$1"
  if [ "$rj_r" = "$2" ]; then kill -s USR1 "$1" 2>/dev/null; fi
  :
}

# One pass over every running job of RJ into RJ/usage.now.
rj_hsample() {
  rj_apps='' rj_gq='' rj_logs=''
  for rj_f in "$RJ"/running/*; do
    rj_i=${rj_f##*/}
    rj_isnum "$rj_i" && rj_logs="$rj_logs $rj_i/log"
  done
  [ -n "$rj_logs" ] || return 0
  if [ -n "$rj_nvs" ]; then
    rj_apps=$("$rj_nvs" --query-compute-apps=pid,gpu_uuid,used_memory --format=csv,noheader,nounits 2>/dev/null | head -n 256)
    rj_gq=$("$rj_nvs" --query-gpu=index,uuid,utilization.gpu --format=csv,noheader,nounits 2>/dev/null | head -n 64)
  fi
  rj_now=$(date +%s)
  # Bounded: at most 4096 jobs, 4096 processes, 256 GPU processes, 64 GPUs.
  rj_age=$({
    (cd "$RJ/running" 2>/dev/null && grep -H '' ./* 2>/dev/null) | head -n 4096 | sed 's/^/R /'
    ps -A -o pid= -o pgid= -o rss= 2>/dev/null | head -n 4096 | sed 's/^/P /'
    # shellcheck disable=SC2086 # the log paths hold digits and a slash only
    (cd "$RJ/jobs" 2>/dev/null && wc -c $rj_logs 2>/dev/null) | head -n 4097 | sed 's/^/L /'
    printf '%s\n' "$rj_apps" | sed 's/^/A,/'
    printf '%s\n' "$rj_gq" | sed 's/^/G,/'
  } | awk -v now="$rj_now" -v state="$RJ/usage.now" -v out="$RJ/usage.new" '
    BEGIN {
      young = 1e9
      while ((getline l < state) > 0) { split(l, w, " "); if (w[1] ~ /^[0-9]+$/) prev[w[1]] = l }
      close(state)
    }
    $1 == "R" {
      # "R ./ID:PID PGID START", from RJ/running/ID
      id = $2; sub(/^\.\//, "", id); pid = id; sub(/:.*/, "", id); sub(/^[^:]*:/, "", pid)
      if (id !~ /^[0-9]+$/ || (id in job)) next
      job[id] = 1
      if (pid ~ /^[0-9]+$/ && pid > 1) jp[pid] = id
      if ($3 ~ /^[0-9]+$/ && $3 > 1) jg[$3] = id
      if ($4 ~ /^[0-9]+$/ && now - $4 < young) young = now - $4
      next
    }
    $1 == "P" {
      if ($2 in jp) o = jp[$2]; else if ($3 in jg) o = jg[$3]; else next
      owner[$2] = o; r[o] += $4; next
    }
    $1 == "L" { p = $3; sub(/\/log$/, "", p); if (p in job) lb[p] = $2 + 0; next }
    /^A,/ { gsub(/ /, ""); split($0, f, ","); if (f[2] in owner) { u = owner[f[2]]; used[u, f[3]] = 1; m[u] += f[4] } next }
    /^G,/ { gsub(/ /, ""); split($0, f, ","); idx[f[3]] = f[2]; ut[f[3]] = f[4]; uu[f[3]] = 1; next }
    END {
      for (id in job) {
        split("", s)
        n = split(prev[id], kv, " ")
        for (i = 2; i <= n; i++) { e = index(kv[i], "="); if (e) s[substr(kv[i], 1, e - 1)] = substr(kv[i], e + 1) }
        rss = s["rss_kib"] + 0; gm = s["gpu_mem_mib"] + 0; us = s["util_sum"] + 0; un = s["util_n"] + 0
        ns = s["samples"] + 0; gl = s["gpus"]; b = s["log_bytes"]; g = s["log_grew"]
        if (gl !~ /^[0-9,]*$/) gl = ""
        if (r[id] > rss) rss = r[id]
        if (m[id] > gm) gm = m[id]
        gn = ""; cs = 0; cn = 0
        for (u in uu) {
          if (!((id, u) in used) || idx[u] !~ /^[0-9]+$/) continue
          if (index("," gl ",", "," idx[u] ",") == 0) gl = gl (gl == "" ? "" : ",") idx[u]
          gn = gn (gn == "" ? "" : ",") idx[u]
          if (ut[u] ~ /^[0-9]+$/) { us += ut[u]; un++; cs += ut[u]; cn++ }
        }
        if ((id in lb) && (b == "" || lb[id] != b + 0)) { b = lb[id]; g = now }
        if (b !~ /^[0-9]+$/) b = 0
        if (g !~ /^[0-9]+$/) g = now
        # gpus_now/util_now: this sample alone (the Jobs pane shows them while it runs).
        printf "%s rss_kib=%d gpu_mem_mib=%d util_sum=%d util_n=%d samples=%d gpus_now=%s util_now=%s gpus=%s log_bytes=%d log_grew=%d\n",
          id, rss, gm, us, un, ns + 1, gn, (cn ? int(cs / cn) : ""), gl, b, g > out
      }
      close(out)
      print (young < 600 ? "young" : "old")
    }')
  if [ -f "$RJ/usage.new" ]; then mv -f "$RJ/usage.new" "$RJ/usage.now"; fi
}

# Sleep $1 seconds or until a signal wakes us: TERM (stop), or USR1 (a new
# job) when the nap is longer than the one second a new job waits anyway,
# so that a stream of new jobs cannot keep the sampler from sampling.
rj_hnap() {
  rj_napn=$1
  sleep "$1" 9>&- &
  rj_sp=$!
  if [ -n "$rj_stop" ] || { [ -n "$rj_wake" ] && [ "$1" -gt 1 ]; }; then kill "$rj_sp" 2>/dev/null; fi
  wait "$rj_sp"
  rj_sp='' rj_napn=0
}

# Take the sampler lock, waiting as long as another process holds it; false
# when stopped meanwhile. Linux: flock on fd 9, held until this subshell and
# its children close it. Elsewhere: the directory RJ/sampler.lk.
rj_hlock() {
  if rj_which flock; then
    rj_flock=$rj_r
    exec 9>>"$RJ/sampler.lock" || return 1
    while [ -z "$rj_stop" ]; do
      "$rj_flock" -x 9 &
      rj_sp=$!
      if [ -n "$rj_stop" ]; then kill "$rj_sp" 2>/dev/null; fi
      if wait "$rj_sp"; then rj_sp=''; return 0; fi
      rj_sp=''
      # Not taken (flock failed or was stopped): a flock that cannot lock
      # here must not spin.
      [ -z "$rj_stop" ] || return 1
      rj_hnap 60
    done
    return 1
  fi
  until mkdir "$RJ/sampler.lk" 2>/dev/null; do
    rj_first "$RJ/sampler.pid"
    # shellcheck disable=SC2086 # "pid start"
    set -- $rj_r
    if rj_isnum "${1:-}" && rj_alive "$1"; then
      rj_hnap 60
      [ -z "$rj_stop" ] || return 1
      rj_wake=''
    else
      mv "$RJ/sampler.lk" "$RJ/sampler.lk.$$" 2>/dev/null && rm -rf "$RJ/sampler.lk.$$"
      rj_hnap 1
      [ -z "$rj_stop" ] || return 1
    fi
  done
  rj_hlk=1
  return 0
}

# The background sampler of a wrapper (see the top of this file).
rj_hsampler() {
  trap '' HUP INT TSTP
  trap - CONT
  rj_stop='' rj_sp='' rj_wake='' rj_hlk='' rj_age=young rj_napn=0
  trap 'rj_stop=1; if [ -n "$rj_sp" ]; then kill "$rj_sp" 2>/dev/null; fi' TERM
  trap 'rj_wake=1; if [ -n "$rj_sp" ] && [ "$rj_napn" -gt 1 ]; then kill "$rj_sp" 2>/dev/null; fi' USR1
  rj_hlock || exit 0
  # Our job ended while we waited (a TERM may be lost before the trap is set).
  rj_alive "$rj_pid" || exit 0
  # Our own pid ($$ names the wrapper in a subshell): sh's parent is us.
  rj_me=$(exec sh -c 'echo "$PPID"')
  rj_pstart "$rj_me"
  printf '%s %s\n' "$rj_me" "$rj_r" > "$RJ/.sampler.pid.$$" && mv -f "$RJ/.sampler.pid.$$" "$RJ/sampler.pid"
  rj_nvs=''
  if rj_which nvidia-smi; then rj_nvs=$rj_r; fi
  rj_step=1
  while [ -z "$rj_stop" ]; do
    rj_hnap "$rj_step"
    [ -z "$rj_stop" ] || break
    # The wrapper we belong to is gone (killed): stop, and let another sample.
    kill -0 $$ 2>/dev/null || break
    rj_alive "$rj_pid" || break
    # Woken from a long nap by a new job: sample it a second from now.
    if [ -n "$rj_wake" ]; then
      rj_wake=''
      if [ "$rj_step" -gt 1 ]; then rj_step=1; continue; fi
    fi
    rj_hsample
    rj_step=$((rj_step * 2))
    if [ "$rj_age" = old ]; then rj_cap=60; else rj_cap=15; fi
    if [ "$rj_step" -gt "$rj_cap" ]; then rj_step=$rj_cap; fi
  done
  if [ -n "$rj_hlk" ]; then rm -rf "$RJ/sampler.lk"; fi
  exit 0
}
