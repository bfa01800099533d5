#!/bin/sh
# make check: no Linux-only call on the laptop side outside the portability
# file (src/util/portable.{h,cc}), so rj keeps building on macOS (issue 27).
# The remote shell scripts (src/remote/sh) run on the hosts and are checked
# by tests/remote-commands.sh instead (so is sh_embedded.cc, built from
# them). Comments (after //) are not read.
# To use a new Linux-only call: wrap it in src/util/portable.cc with a POSIX
# fallback, and add its name below.
set -u
src=${srcdir:-.}/src
linux_only='eventfd|signalfd|timerfd_[a-z]+|epoll_[a-z]+|inotify_[a-z]+|SOCK_CLOEXEC|SOCK_NONBLOCK|pipe2|accept4|dup3'
linux_only="$linux_only|MSG_NOSIGNAL|TCP_USER_TIMEOUT|TCP_KEEPIDLE|SO_PEERCRED|O_PATH|O_TMPFILE|memfd_create|sendfile|splice"
linux_only="$linux_only|getrandom|secure_getenv|program_invocation_name|prctl|get_nprocs|sched_getaffinity|sysinfo|gettid"
linux_only="$linux_only|CLOCK_MONOTONIC_RAW|CLOCK_BOOTTIME|CLOCK_[A-Z]+_COARSE|F_OFD_[A-Z]+|sync_file_range|fallocate|mremap|ppoll"
linux_only="$linux_only|strchrnul|memrchr|get_current_dir_name|posix_spawn_file_actions_add[a-z]+_np|pthread_[a-z]+_np"
files=$(find "$src" \( -path "$src/remote/sh" -prune \) -o \( -name '*.cc' -o -name '*.h' \) -print |
  grep -v -e '/util/portable\.cc$' -e '/util/portable\.h$' -e '/remote/sh_embedded\.cc$' | sort)
# shellcheck disable=SC2086
bad=$(awk -v re="(^|[^A-Za-z0-9_])($linux_only)([^A-Za-z0-9_]|\$)" '
  { line = $0; sub(/\/\/.*/, "", line) }
  line ~ re || line ~ /"\/proc\// || line ~ /<(sys\/eventfd|sys\/epoll|sys\/signalfd|sys\/timerfd|sys\/inotify|sys\/prctl|sys\/sysinfo|linux\/[a-z_\/]+)\.h>/ {
    print FILENAME ":" FNR ": " $0
  }' $files)
if [ -n "$bad" ]; then
  echo "FAIL: a Linux-only call outside src/util/portable.cc (wrap it there, with a POSIX fallback, so rj still builds on macOS):"
  echo "$bad"
  exit 1
fi
echo "ok: no Linux-only call outside src/util/portable.{h,cc} ($(echo "$files" | wc -l) files read)"
