// The select() loop at the heart of rj: the keyboard, signals, every SSH socket,
// libcurl's sockets and all timers are served by one thread from here.
#pragma once

#include <csignal>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "event/source.h"

namespace event {

class Loop {
public:
    Loop();
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    // Sources are not owned; remove them before destroying them.
    void add(Source* source);
    void remove(Source* source);

    // Signals arrive as events: the handler runs from the loop, not from the
    // signal context. Blocks the signal outside of pselect().
    void on_signal(int signo, std::function<void(int)> handler);

    // Timers. `after` fires once; `every` repeats. Returns an id for cancel().
    using TimerId = unsigned long;
    TimerId after(Duration delay, std::function<void()> fn);
    TimerId every(Duration period, std::function<void()> fn);
    void cancel(TimerId id);

    // Where an exception thrown by a callback the loop runs (a timer, a
    // signal handler, a source's tick: libcurl's completions, SSH replies)
    // goes. Each callback is guarded on its own, so one that throws costs no
    // other its turn. Unset, the exception leaves run_once() (batch mode: the
    // command reports it and exits).
    void on_callback_error(std::function<void(std::exception_ptr)> handler) { callback_error_ = std::move(handler); }

    // One iteration: wait (at most `max_wait`) then tick every source once.
    void run_once(Duration max_wait = Duration::max());
    // Iterate until `done()` is true or `deadline` passes. Returns done().
    bool run_until(const std::function<bool()>& done, TimePoint deadline = TimePoint::max());

    // The timestamp frozen for the current iteration.
    TimePoint now() const { return now_; }
    // Iterations so far (tests use it to check the loop idles instead of spinning).
    unsigned long iterations() const { return iterations_; }

private:
    struct Timer {
        TimePoint due;
        Duration period;  // zero: one-shot
        std::function<void()> fn;
    };
    void fire_timers();
    Duration timer_wait() const;
    void dispatch_signals();
    template <class Fn> void guarded(Fn&& fn);

    std::vector<Source*> sources_;
    std::map<TimerId, Timer> timers_;
    TimerId next_timer_ = 1;
    std::map<int, std::function<void(int)>> signal_handlers_;
    sigset_t blocked_{};
    sigset_t original_mask_{};
    TimePoint now_;
    unsigned long iterations_ = 0;
    std::function<void(std::exception_ptr)> callback_error_;
};

}  // namespace event
