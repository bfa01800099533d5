# ---- rj code snapshot (part of the job wrapper) ----
# Which code the job runs: when its directory is inside a git work tree, the
# commit, branch and uncommitted changes (tracked, and untracked-not-ignored,
# as one patch of at most the limit in bytes) go into the job directory:
# code (one line), code_root, code_sub, code.patch. Runs before the job
# starts, never fails it, and takes no git locks (a user's git in the same
# tree must not trip over an index.lock of ours).
#
# Bounded work: a few git runs for the whole tree, never one per file; file
# names travel NUL-separated (-z, xargs -0, find -print0: POSIX.1-2024), so
# any bytes are fine. An untracked file bigger than what is left of the limit
# is never read: its name and size go to code.left_out. Files matching the
# exclude patterns (secrets) are never read: their names go to
# code.excluded. Every step runs under what is left of the time bound; past
# it the snapshot is recorded as truncated. A snapshot that left anything out
# for size or time is truncated: restart --exact refuses it.

# Run "$@" for at most rj_sleft seconds: timeout(1), else perl's alarm, else
# unbounded (the step is still checked against the clock afterwards).
rj_bounded() {
  rj_sleft=$((rj_sdl - $(date +%s)))
  [ "$rj_sleft" -gt 0 ] || return 124
  if [ -n "$rj_sto" ]; then "$rj_sto" -s KILL "$rj_sleft" "$@"
  elif [ -n "$rj_spl" ]; then "$rj_spl" -e 'alarm shift @ARGV; exec { $ARGV[0] } @ARGV or exit 127' "$rj_sleft" "$@"
  else "$@"
  fi
}
# Number of NUL-terminated names in file $1, into rj_n.
# shellcheck disable=SC2046 # wc pads with spaces on macOS
rj_nulcount() { rj_n=0; [ -f "$1" ] && set -- $(tr -cd '\000' < "$1" | wc -c) && rj_n=${1:-0}; :; }
# Names of NUL-separated file $1 as one line for a log note (at most 20).
rj_namelist() {
  rj_r=$(tr '\000\n\r\t' '\n???' < "$1" | head -n 20 | sed 's|^\./||' | tr '\n' ',' | sed 's/,$//; s/,/, /g')
}

# $1 byte limit (0: off), $2 seconds bound; patterns from $J/snapshot_exclude
# (gitignore rules, one a line).
rj_snapshot() {
  rj_isnum "$1" && [ "$1" -gt 0 ] || return 0
  rj_which git || return 0
  rj_git=$rj_r rj_lim=$1 rj_secs=$2
  rj_isnum "$rj_secs" && [ "$rj_secs" -gt 0 ] || rj_secs=30
  rj_sto='' rj_spl=''
  if rj_which timeout; then rj_sto=$rj_r; elif rj_which perl; then rj_spl=$rj_r; fi
  rj_sdl=$(($(date +%s) + rj_secs))
  GIT_OPTIONAL_LOCKS=0; export GIT_OPTIONAL_LOCKS
  rj_root=$(rj_bounded "$rj_git" rev-parse --show-toplevel 2>/dev/null) || return 0
  [ -n "$rj_root" ] || return 0
  rj_commit=$(rj_bounded "$rj_git" rev-parse -q --verify HEAD 2>/dev/null) || return 0
  rj_branch=$("$rj_git" symbolic-ref -q --short HEAD 2>/dev/null) || rj_branch=detached
  rj_sub=$("$rj_git" rev-parse --show-prefix 2>/dev/null) || rj_sub=''
  # Paths travel as single lines: a repository whose path has a newline is not recorded.
  case "$rj_root$rj_sub" in *"
"*) return 0 ;; esac
  rj_sx=$J/snapshot_exclude
  [ -f "$rj_sx" ] || : > "$rj_sx"
  rm -f "$J/.code."* "$J/code.left_out" "$J/code.excluded"
  (
    cd "$rj_root" || exit 0
    # Tracked changes; those of excluded files are left out by name.
    rj_bounded "$rj_git" diff HEAD --name-only -z > "$J/.code.changed" 2>/dev/null
    # (-v: only what our patterns match, not a tracked file the repository ignores.)
    rj_bounded "$rj_git" -c core.excludesFile="$rj_sx" check-ignore -v --no-index -z --stdin \
      < "$J/.code.changed" 2>/dev/null | xargs -0 -n 4 sh -c '[ "$1" = "$0" ] && printf "%s\0" "$4"' "$rj_sx" \
      > "$J/.code.xtracked" 2>/dev/null
    if [ -s "$J/.code.xtracked" ]; then
      # One git run with a literal exclude per name (few: secrets, not trees).
      rj_bounded xargs -0 sh -c 'g=$1; shift; for f; do set -- "$@" ":(exclude,literal)$f"; shift; done
        exec "$g" diff HEAD --binary --no-color --no-ext-diff -- . "$@"' rj_diff "$rj_git" < "$J/.code.xtracked"
    else
      rj_bounded "$rj_git" diff HEAD --binary --no-color --no-ext-diff
    fi 2>/dev/null | head -c $((rj_lim + 1)) > "$J/code.patch"
    rj_size "$J/code.patch"; rj_rem=$((rj_lim - rj_n))
    # Untracked, not ignored: kept, or excluded by the patterns.
    rj_bounded "$rj_git" ls-files -z --others --exclude-standard > "$J/.code.untracked" 2>/dev/null
    rj_bounded "$rj_git" -c core.excludesFile="$rj_sx" check-ignore -z --stdin \
      < "$J/.code.untracked" > "$J/.code.xuntracked" 2>/dev/null
    rj_bounded "$rj_git" ls-files -z --others --exclude-standard --exclude-from="$rj_sx" \
      > "$J/.code.kept" 2>/dev/null
    cat "$J/.code.xtracked" "$J/.code.xuntracked" > "$J/.code.excluded"
    # Sizes from the file system (find -size: nothing is read); ./NAME so
    # that no name reads as an option.
    if [ "$rj_rem" -lt 0 ]; then rj_rem=0; fi
    : > "$J/.code.big"; : > "$J/.code.small"
    rj_bounded xargs -0 sh -c 'r=$1 b=$2 s=$3; shift 3; for f; do set -- "$@" "./$f"; shift; done
      [ "$#" -gt 0 ] || exit 0
      find "$@" -prune -type f -size +"$r"c -print0 >> "$b"
      find "$@" -prune ! \( -type f -size +"$r"c \) -print0 >> "$s"' \
      rj_find "$rj_rem" "$J/.code.big" "$J/.code.small" < "$J/.code.kept" 2>/dev/null
    if [ -s "$J/.code.big" ]; then
      rj_bounded xargs -0 sh -c 'set -f; for f; do n=$(printf "%s" "${f#./}" | tr "\n\t\r" "???")
        set -- $(ls -lnd -- "$f"); printf "%s %s\n" "$5" "$n"; done' rj_ls < "$J/.code.big" > "$J/code.left_out" 2>/dev/null
    fi
    # The small ones as new files of a scratch index (intent to add: nothing
    # is written to the repository), diffed against the work tree at once.
    if [ -s "$J/.code.small" ] && [ "$rj_rem" -gt 0 ]; then
      GIT_INDEX_FILE=$J/.code.index GIT_LITERAL_PATHSPECS=1
      export GIT_INDEX_FILE GIT_LITERAL_PATHSPECS
      rj_bounded xargs -0 "$rj_git" add -N -- < "$J/.code.small" > /dev/null 2>&1 &&
        rj_bounded "$rj_git" diff --binary --no-color --no-ext-diff 2>/dev/null | head -c $((rj_rem + 1)) >> "$J/code.patch"
    fi
    exit 0
  )
  rj_nulcount "$J/.code.changed"; rj_nf=$rj_n
  rj_nulcount "$J/.code.kept"; rj_nu=$rj_n
  rj_nulcount "$J/.code.big"; rj_nb=$rj_n
  rj_nulcount "$J/.code.excluded"; rj_nx=$rj_n
  rj_size "$J/code.patch"; rj_pb=$rj_n rj_tr=0
  if [ "$rj_pb" -gt "$rj_lim" ]; then
    rj_tr=1 rj_pb=$rj_lim
    head -c "$rj_lim" < "$J/code.patch" > "$J/.code.patch.tmp" && mv -f "$J/.code.patch.tmp" "$J/code.patch"
  fi
  if [ "$rj_nb" -gt 0 ]; then
    rj_tr=1
    rj_namelist "$J/.code.big"
    rj_note "code snapshot: $rj_nb untracked file(s) bigger than what was left of snapshot_limit were not read (names and sizes in code.left_out): $rj_r"
  fi
  if [ "$rj_nx" -gt 0 ]; then
    tr '\000\n' '\n?' < "$J/.code.excluded" > "$J/code.excluded"
    rj_namelist "$J/.code.excluded"
    rj_note "code snapshot: $rj_nx file(s) matching snapshot_exclude were not captured: $rj_r"
  fi
  if [ "$(date +%s)" -ge "$rj_sdl" ]; then
    rj_tr=1
    rj_note "code snapshot: stopped at its time bound ($rj_secs s); recorded as truncated"
  fi
  rm -f "$J/.code."*
  rj_ph=$("$rj_git" hash-object "$J/code.patch" 2>/dev/null) || rj_ph=''
  printf '%s' "$rj_root" > "$J/code_root"
  printf '%s' "$rj_sub" > "$J/code_sub"
  rj_put code "commit=$rj_commit branch=$rj_branch patch=$rj_ph bytes=$rj_pb truncated=$rj_tr files=$rj_nf untracked=$rj_nu left_out=$rj_nb excluded=$rj_nx"
}
