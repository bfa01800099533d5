#include "config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "event/loop.h"

using namespace std::chrono_literals;

namespace {

// Reads a pipe when select() says it is readable.
class PipeReader : public event::Source {
public:
    explicit PipeReader(int fd) : fd_(fd) {}
    void interests(std::vector<event::Interest>& out) override { out.push_back({fd_, true, false}); }
    event::Duration wait_time(event::TimePoint) override { return event::Duration::max(); }
    void tick(event::TimePoint, const event::Readiness& r) override {
        ++ticks;
        if (!r.readable(fd_)) return;
        char buf[64];
        ssize_t n = read(fd_, buf, sizeof buf);
        if (n > 0) data.append(buf, static_cast<size_t>(n));
    }
    std::string data;
    int ticks = 0;

private:
    int fd_;
};

}  // namespace

TEST_CASE("timers fire in due order and one-shots fire once", "[event]") {
    event::Loop loop;
    std::vector<int> order;
    loop.after(30ms, [&] { order.push_back(2); });
    loop.after(10ms, [&] { order.push_back(1); });
    auto cancelled = loop.after(20ms, [&] { order.push_back(99); });
    loop.cancel(cancelled);
    loop.run_until([&] { return order.size() >= 2; }, event::Clock::now() + 2s);
    loop.run_once(40ms);
    CHECK(order == std::vector<int>{1, 2});
}

TEST_CASE("timers that came due while the loop was busy fire in due order, not in the order they were set", "[event]") {
    event::Loop loop;
    std::vector<int> order;
    loop.after(30ms, [&] { order.push_back(3); });
    loop.after(10ms, [&] { order.push_back(1); });
    loop.after(20ms, [&] { order.push_back(2); });
    // The loop is busy elsewhere past all three (a slow callback, a loaded machine).
    std::this_thread::sleep_for(50ms);
    loop.run_once(event::Duration::zero());
    CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("an idle loop sleeps until its next timer instead of spinning", "[event]") {
    event::Loop loop;
    int fired = 0;
    loop.every(50ms, [&] { ++fired; });
    auto start = loop.iterations();
    loop.run_until([&] { return fired >= 4; }, event::Clock::now() + 5s);
    // Four periods of a 50 ms timer: a spinning loop would iterate thousands of times.
    CHECK(fired >= 4);
    CHECK(loop.iterations() - start < 12);
}

TEST_CASE("fd readiness reaches the source that asked for it", "[event]") {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    event::Loop loop;
    PipeReader reader(fds[0]);
    loop.add(&reader);
    loop.after(20ms, [&] { REQUIRE(write(fds[1], "hello", 5) == 5); });
    loop.run_until([&] { return reader.data == "hello"; }, event::Clock::now() + 2s);
    CHECK(reader.data == "hello");
    loop.remove(&reader);
    close(fds[0]);
    close(fds[1]);
}

TEST_CASE("signals are delivered as loop events", "[event]") {
    event::Loop loop;
    int got = 0;
    loop.on_signal(SIGUSR1, [&](int signo) { got = signo; });
    loop.after(10ms, [] { raise(SIGUSR1); });
    loop.run_until([&] { return got != 0; }, event::Clock::now() + 2s);
    CHECK(got == SIGUSR1);
}

TEST_CASE("a callback that throws goes to the loop's error handler; every other callback still runs", "[event]") {
    event::Loop loop;
    struct Throwing : event::Source {
        void interests(std::vector<event::Interest>&) override {}
        event::Duration wait_time(event::TimePoint) override { return 5ms; }
        void tick(event::TimePoint, const event::Readiness&) override {
            if (++ticks == 1) throw std::runtime_error("tick failed");
        }
        int ticks = 0;
    } source;
    loop.add(&source);
    int fired = 0, later = 0;
    loop.after(1ms, [] { throw std::runtime_error("timer failed"); });
    loop.after(1ms, [&] { ++fired; });
    loop.after(20ms, [&] { ++later; });
    // Without a handler an error leaves run_once (batch mode reports it).
    CHECK_THROWS_WITH(loop.run_until([&] { return later > 0; }, event::Clock::now() + 5s),
                      Catch::Contains("failed"));
    std::vector<std::string> errors;
    loop.on_callback_error([&](std::exception_ptr e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            errors.push_back(ex.what());
        }
    });
    loop.after(1ms, [] { throw std::runtime_error("timer failed again"); });
    REQUIRE(loop.run_until([&] { return later > 0; }, event::Clock::now() + 5s));
    CHECK(fired == 1);
    CHECK(source.ticks > 1);
    CHECK(std::find(errors.begin(), errors.end(), "timer failed again") != errors.end());
    loop.remove(&source);
}
