#include "config.h"

#include "util/portable.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

// The Linux calls are used on Linux unless configure was asked for the
// fallbacks; every other system gets the fallbacks.
#if defined(__linux__) && !defined(RJ_POSIX_FALLBACKS)
#define RJ_LINUX_CALLS 1
#include <sys/eventfd.h>
#else
#define RJ_LINUX_CALLS 0
#endif

namespace util {

#if !RJ_LINUX_CALLS
namespace {

void set_cloexec_nonblocking(int fd) {
    fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

}  // namespace
#endif

const char* portable_implementation() { return RJ_LINUX_CALLS ? "linux" : "posix"; }

Wakeup::~Wakeup() {
    if (write_fd_ >= 0 && write_fd_ != read_fd_) ::close(write_fd_);
    if (read_fd_ >= 0) ::close(read_fd_);
}

bool Wakeup::open(std::string& error) {
#if RJ_LINUX_CALLS
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) {
        error = std::string("eventfd: ") + std::strerror(errno);
        return false;
    }
    read_fd_ = write_fd_ = fd;
#else
    int p[2];
    if (pipe(p) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return false;
    }
    set_cloexec_nonblocking(p[0]);
    set_cloexec_nonblocking(p[1]);
    read_fd_ = p[0];
    write_fd_ = p[1];
#endif
    return true;
}

void Wakeup::notify() const {
    if (write_fd_ < 0) return;
#if RJ_LINUX_CALLS
    uint64_t one = 1;
    ssize_t n = ::write(write_fd_, &one, sizeof one);
#else
    // A full pipe is already readable: EAGAIN loses nothing.
    char one = 1;
    ssize_t n = ::write(write_fd_, &one, 1);
#endif
    (void)n;
}

void Wakeup::drain() const {
    if (read_fd_ < 0) return;
#if RJ_LINUX_CALLS
    uint64_t count = 0;
    ssize_t n = ::read(read_fd_, &count, sizeof count);
    (void)n;
#else
    char buf[64];
    while (::read(read_fd_, buf, sizeof buf) > 0) {
    }
#endif
}

int socket_cloexec(int domain, int type, int protocol) {
#if RJ_LINUX_CALLS
    return ::socket(domain, type | SOCK_CLOEXEC, protocol);
#else
    int fd = ::socket(domain, type, protocol);
    if (fd >= 0) fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
    return fd;
#endif
}

// No POSIX call bounds a TCP retransmission, so this one follows what the
// system offers rather than the fallback switch.
bool set_tcp_user_timeout(int fd, unsigned ms) {
#if defined(TCP_USER_TIMEOUT)
    return setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof ms) == 0;
#elif defined(TCP_RXT_CONNDROPTIME)
    int seconds = static_cast<int>((ms + 999) / 1000);
    return setsockopt(fd, IPPROTO_TCP, TCP_RXT_CONNDROPTIME, &seconds, sizeof seconds) == 0;
#else
    (void)fd;
    (void)ms;
    return false;
#endif
}

}  // namespace util
