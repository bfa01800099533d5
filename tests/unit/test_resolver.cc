// HostLookup: getaddrinfo on its own thread, answered through a wake-up descriptor (util::Wakeup).
#include "config.h"

#include <sys/select.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "ssh/resolver.h"

namespace {

// Waits (with select, as the loop does) until `fd` is readable; false after 10 s.
bool readable_within_10s(int fd) {
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fd, &set);
    struct timeval tv {10, 0};
    return select(fd + 1, &set, nullptr, nullptr, &tv) == 1;
}

bool no_lookup_left_within_10s() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ssh::lookups_in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a counter, with a deadline
    return ssh::lookups_in_flight() == 0;
}

}  // namespace

TEST_CASE("a name from /etc/hosts is looked up off the calling thread and reported through the fd", "[ssh]") {
    ssh::HostLookup lookup;
    REQUIRE(lookup.start("localhost", 22));
    CHECK(lookup.running());
    REQUIRE(lookup.fd() >= 0);
    REQUIRE(readable_within_10s(lookup.fd()));
    REQUIRE(lookup.finished());
    INFO(lookup.error());
    REQUIRE(lookup.ok());
    CHECK_FALSE(lookup.running());
    CHECK(lookup.fd() == -1);
    int family = lookup.address().family;
    CHECK((family == AF_INET || family == AF_INET6));
    CHECK(lookup.address().addr_len > 0);
}

TEST_CASE("an abandoned lookup ends on its own thread", "[ssh]") {
    REQUIRE(no_lookup_left_within_10s());
    {
        ssh::HostLookup lookup;
        REQUIRE(lookup.start("localhost", 22));
    }  // gone before its answer, most likely: the thread keeps what it writes into alive
    CHECK(no_lookup_left_within_10s());
}
