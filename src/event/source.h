// The one interface every event source implements (after mosh's fds/wait_time/tick,
// with write interest added because libssh2 needs write readiness too).
#pragma once

#include <chrono>
#include <vector>

namespace event {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

// A file descriptor a source wants watched this iteration.
struct Interest {
    int fd;
    bool read;
    bool write;
};

// What select() said about the fds; sources look up their own.
class Readiness {
public:
    virtual ~Readiness() = default;
    virtual bool readable(int fd) const = 0;
    virtual bool writable(int fd) const = 0;
};

class Source {
public:
    virtual ~Source() = default;
    // Append the fds this source wants watched now. Never add an fd for write
    // unless the source really has something blocked on writing.
    virtual void interests(std::vector<Interest>& out) = 0;
    // How long until this source needs tick() even if no fd fires.
    // Duration::max() means "only when an fd fires".
    virtual Duration wait_time(TimePoint now) = 0;
    // Advance state machines without blocking. Called every iteration.
    virtual void tick(TimePoint now, const Readiness& ready) = 0;
};

}  // namespace event
