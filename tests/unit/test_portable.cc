// util/portable: the Linux calls and their POSIX fallbacks behave alike.
// A build configured with --enable-posix-fallbacks runs these against the
// fallbacks (the code macOS runs); a plain Linux build against the Linux calls.
#include "config.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "util/portable.h"

namespace {

bool readable_now(int fd) {
    struct pollfd p {fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

bool readable_within_10s(int fd) {
    struct pollfd p {fd, POLLIN, 0};
    return poll(&p, 1, 10000) == 1 && (p.revents & POLLIN);
}

bool cloexec(int fd) { return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

}  // namespace

TEST_CASE("portable: a build uses the implementation configure chose", "[portable]") {
    std::string impl = util::portable_implementation();
#if defined(RJ_POSIX_FALLBACKS) || !defined(__linux__)
    CHECK(impl == "posix");
#else
    CHECK(impl == "linux");
#endif
}

TEST_CASE("portable: a wake-up is readable only between notify and drain", "[portable]") {
    util::Wakeup wake;
    CHECK(wake.fd() == -1);
    std::string error;
    REQUIRE(wake.open(error));
    INFO(error);
    REQUIRE(wake.fd() >= 0);
    CHECK(cloexec(wake.fd()));
    CHECK((fcntl(wake.fd(), F_GETFL) & O_NONBLOCK) != 0);
    CHECK_FALSE(readable_now(wake.fd()));
    wake.notify();
    CHECK(readable_now(wake.fd()));
    wake.drain();
    CHECK_FALSE(readable_now(wake.fd()));
    wake.drain();  // draining an empty one does not block
    CHECK_FALSE(readable_now(wake.fd()));
}

TEST_CASE("portable: a wake-up notified far more often than a pipe holds neither blocks nor stays readable after one drain",
          "[portable]") {
    util::Wakeup wake;
    std::string error;
    REQUIRE(wake.open(error));
    // 200000 one-byte writes overfill any pipe buffer (64 KiB on Linux,
    // 16-64 KiB on macOS): a blocking write end would hang here.
    for (int i = 0; i < 200000; ++i) wake.notify();
    CHECK(readable_now(wake.fd()));
    wake.drain();
    CHECK_FALSE(readable_now(wake.fd()));
    wake.notify();
    CHECK(readable_now(wake.fd()));
}

TEST_CASE("portable: a wake-up notified from another thread wakes a poll on this one", "[portable]") {
    util::Wakeup wake;
    std::string error;
    REQUIRE(wake.open(error));
    std::thread t([&wake] { wake.notify(); });
    CHECK(readable_within_10s(wake.fd()));
    t.join();
}

TEST_CASE("portable: socket_cloexec makes a close-on-exec socket of the type asked", "[portable]") {
    int fd = util::socket_cloexec(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK(cloexec(fd));
    int type = 0;
    socklen_t len = sizeof type;
    REQUIRE(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0);
    CHECK(type == SOCK_STREAM);
    ::close(fd);
    CHECK(util::socket_cloexec(-1, SOCK_STREAM, 0) == -1);  // errors come back as socket()'s
}

TEST_CASE("portable: set_tcp_user_timeout sets the kernel's bound where the system has one", "[portable]") {
    int fd = util::socket_cloexec(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    bool set = util::set_tcp_user_timeout(fd, 45000);
#if defined(TCP_USER_TIMEOUT) || defined(TCP_RXT_CONNDROPTIME)
    CHECK(set);
#else
    CHECK_FALSE(set);
#endif
    ::close(fd);
}
