# ---- rj host facts: CPUs, memory and load (Linux /proc; Darwin, or no /proc: sysctl, vm_stat) ----
# Online CPUs into rj_ncpu (empty when unknown).
rj_cpus() {
  rj_ncpu=''
  if rj_darwin; then rj_ncpu=$(sysctl -n hw.ncpu 2>/dev/null) || rj_ncpu=''; fi
  if ! rj_isnum "$rj_ncpu"; then rj_ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || rj_ncpu=''; fi
  if ! rj_isnum "$rj_ncpu"; then rj_ncpu=$(nproc 2>/dev/null) || rj_ncpu=; fi
  if ! rj_isnum "$rj_ncpu"; then rj_ncpu=$(sysctl -n hw.ncpu 2>/dev/null) || rj_ncpu=; fi
  rj_isnum "$rj_ncpu" || rj_ncpu=''
}
# Total and available memory in bytes into rj_mt and rj_ma (empty when unknown).
rj_memory() {
  rj_mt='' rj_ma=''
  if ! rj_darwin && [ -r "$RJ_PROC/meminfo" ]; then
    rj_mf=''
    while read -r rj_k rj_v rj_u; do
      case $rj_k in
        MemTotal:) rj_mt=$rj_v ;;
        MemAvailable:) rj_ma=$rj_v ;;
        MemFree:) rj_mf=$rj_v ;;
      esac
    done < "$RJ_PROC/meminfo"
    if [ -z "$rj_ma" ]; then rj_ma=$rj_mf; fi
    if rj_isnum "$rj_mt"; then rj_mt=$((rj_mt * 1024)); else rj_mt=''; fi
    if rj_isnum "$rj_ma"; then rj_ma=$((rj_ma * 1024)); else rj_ma=''; fi
    return 0
  fi
  rj_mt=$(sysctl -n hw.memsize 2>/dev/null) || rj_mt=''
  rj_isnum "$rj_mt" || rj_mt=''
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
    rj_isnum "$rj_pages" && rj_ma=$((rj_pages * rj_ps))
  fi
  return 0
}
# Load averages into rj_l1 rj_l5 rj_l15 (empty when unknown).
rj_load() {
  rj_l1='' rj_l5='' rj_l15=''
  if ! rj_darwin && [ -r "$RJ_PROC/loadavg" ]; then
    read -r rj_l1 rj_l5 rj_l15 rj_x < "$RJ_PROC/loadavg"
  elif rj_x=$(sysctl -n vm.loadavg 2>/dev/null); then
    # "{ 1.23 1.45 1.67 }"
    # shellcheck disable=SC2086 # split on purpose
    set -- $rj_x
    if [ "$1" = "{" ]; then shift; fi
    rj_l1=$1 rj_l5=$2 rj_l15=$3
  elif rj_x=$(uptime 2>/dev/null); then
    rj_x=${rj_x##*load average*: }
    # shellcheck disable=SC2046 # split on purpose
    set -- $(printf '%s' "$rj_x" | tr -d ',')
    rj_l1=$1 rj_l5=$2 rj_l15=$3
  fi
  return 0
}
