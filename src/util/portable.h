// The one place where rj's laptop side may use an API that only Linux has.
// Everything else calls these wrappers, so rj builds on macOS (and the BSDs)
// unchanged. Each wrapper has a POSIX fallback; `./configure
// --enable-posix-fallbacks` (RJ_POSIX_FALLBACKS in config.h) builds the
// fallbacks on Linux too, so the code a Mac runs is tested here.
// tests/portability.sh fails when a Linux-only call appears anywhere else.
#pragma once

#include <string>

namespace util {

// "linux" when the Linux calls are compiled in, "posix" for the fallbacks
// (tests check that a fallback build really runs the fallbacks).
const char* portable_implementation();

// A descriptor a thread makes readable to wake the event loop: an eventfd on
// Linux, a self-pipe (non-blocking at both ends) elsewhere. Both ends are
// close-on-exec. One object per wake-up; notify() may run on another thread.
class Wakeup {
public:
    Wakeup() = default;
    ~Wakeup();
    Wakeup(const Wakeup&) = delete;
    Wakeup& operator=(const Wakeup&) = delete;

    // False, with `error` set ("eventfd: Too many open files"), when no
    // descriptor could be had.
    bool open(std::string& error);
    // What the loop watches for readability; -1 before open().
    int fd() const { return read_fd_; }
    // Makes fd() readable (again). Async-signal-safe; never blocks.
    void notify() const;
    // Makes fd() unreadable until the next notify().
    void drain() const;

private:
    int read_fd_ = -1;
    int write_fd_ = -1;  // == read_fd_ for an eventfd
};

// socket() with close-on-exec set: atomically with SOCK_CLOEXEC on Linux,
// with fcntl(FD_CLOEXEC) right after elsewhere (rj starts children only from
// the event loop's thread, so no fork can come between).
int socket_cloexec(int domain, int type, int protocol);

// Lets the kernel drop a TCP connection whose sent data stays unacknowledged
// for `ms` milliseconds: TCP_USER_TIMEOUT on Linux, TCP_RXT_CONNDROPTIME (in
// whole seconds) on macOS. False where the system has no such bound; the
// caller's own keepalives are then the only way to notice a silent peer.
bool set_tcp_user_timeout(int fd, unsigned ms);

}  // namespace util
