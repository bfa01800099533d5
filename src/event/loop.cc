#include "config.h"

#include "event/loop.h"

#include <sys/select.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace event {

namespace {

// Set by the async handler, drained by the loop. Signals stay blocked except
// inside pselect(), so a handler can only run while the loop is waiting: no
// race between "check flags" and "go to sleep".
volatile sig_atomic_t g_pending[NSIG];

extern "C" void note_signal(int signo) {
    if (signo > 0 && signo < NSIG) g_pending[signo] = 1;
}

class FdSetReadiness : public Readiness {
public:
    FdSetReadiness(const fd_set& r, const fd_set& w, int maxfd) : r_(r), w_(w), maxfd_(maxfd) {}
    bool readable(int fd) const override { return fd >= 0 && fd <= maxfd_ && FD_ISSET(fd, &r_); }
    bool writable(int fd) const override { return fd >= 0 && fd <= maxfd_ && FD_ISSET(fd, &w_); }

private:
    const fd_set& r_;
    const fd_set& w_;
    int maxfd_;
};

}  // namespace

Loop::Loop() : now_(Clock::now()) {
    sigemptyset(&blocked_);
    sigprocmask(SIG_BLOCK, nullptr, &original_mask_);
}

Loop::~Loop() {
    for (const auto& [signo, handler] : signal_handlers_) {
        (void)handler;
        signal(signo, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, &original_mask_, nullptr);
}

void Loop::add(Source* source) {
    if (std::find(sources_.begin(), sources_.end(), source) == sources_.end())
        sources_.push_back(source);
}

void Loop::remove(Source* source) {
    sources_.erase(std::remove(sources_.begin(), sources_.end(), source), sources_.end());
}

void Loop::on_signal(int signo, std::function<void(int)> handler) {
    signal_handlers_[signo] = std::move(handler);
    sigaddset(&blocked_, signo);
    sigprocmask(SIG_BLOCK, &blocked_, nullptr);
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = note_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(signo, &sa, nullptr);
}

Loop::TimerId Loop::after(Duration delay, std::function<void()> fn) {
    TimerId id = next_timer_++;
    timers_[id] = Timer{Clock::now() + delay, Duration::zero(), std::move(fn)};
    return id;
}

Loop::TimerId Loop::every(Duration period, std::function<void()> fn) {
    TimerId id = next_timer_++;
    timers_[id] = Timer{Clock::now() + period, period, std::move(fn)};
    return id;
}

void Loop::cancel(TimerId id) { timers_.erase(id); }

Duration Loop::timer_wait() const {
    Duration wait = Duration::max();
    for (const auto& [id, t] : timers_) {
        (void)id;
        wait = std::min(wait, std::max(Duration::zero(), t.due - now_));
    }
    return wait;
}

template <class Fn> void Loop::guarded(Fn&& fn) {
    if (!callback_error_) return fn();
    try {
        fn();
    } catch (...) {
        callback_error_(std::current_exception());
    }
}

void Loop::fire_timers() {
    // Collect first: a timer callback may add or cancel timers. In the order
    // they came due (ties: the order they were set), not by id: a loop that
    // woke late finds several due at once.
    std::vector<std::pair<TimePoint, TimerId>> due_at;
    for (const auto& [id, t] : timers_)
        if (t.due <= now_) due_at.emplace_back(t.due, id);
    std::sort(due_at.begin(), due_at.end());
    std::vector<TimerId> due;
    for (const auto& [at, id] : due_at) due.push_back(id);
    for (TimerId id : due) {
        auto it = timers_.find(id);
        if (it == timers_.end()) continue;
        auto fn = it->second.fn;
        if (it->second.period > Duration::zero()) {
            // Skip missed periods after a long sleep instead of firing a burst.
            while (it->second.due <= now_) it->second.due += it->second.period;
        } else {
            timers_.erase(it);
        }
        guarded(fn);
    }
}

void Loop::dispatch_signals() {
    for (auto& [signo, handler] : signal_handlers_) {
        if (g_pending[signo]) {
            g_pending[signo] = 0;
            guarded([&] { handler(signo); });
        }
    }
}

void Loop::run_once(Duration max_wait) {
    now_ = Clock::now();
    fd_set rset, wset;
    FD_ZERO(&rset);
    FD_ZERO(&wset);
    int maxfd = -1;
    std::vector<Interest> interests;
    Duration wait = std::min(max_wait, timer_wait());
    for (Source* s : sources_) {
        s->interests(interests);
        wait = std::min(wait, s->wait_time(now_));
    }
    for (const Interest& in : interests) {
        if (in.fd < 0 || in.fd >= FD_SETSIZE) continue;
        if (in.read) FD_SET(in.fd, &rset);
        if (in.write) FD_SET(in.fd, &wset);
        if (in.read || in.write) maxfd = std::max(maxfd, in.fd);
    }
    struct timespec ts, *tsp = nullptr;
    if (wait != Duration::max()) {
        if (wait < Duration::zero()) wait = Duration::zero();
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
        // Cap at a day: keeps the arithmetic far from overflow.
        ns = std::min<long long>(ns, 86400LL * 1000000000LL);
        ts.tv_sec = ns / 1000000000LL;
        ts.tv_nsec = ns % 1000000000LL;
        tsp = &ts;
    }
    int n = pselect(maxfd + 1, &rset, &wset, nullptr, tsp, &original_mask_);
    if (n < 0) {
        FD_ZERO(&rset);
        FD_ZERO(&wset);
        if (errno != EINTR) throw std::runtime_error(std::string("select: ") + std::strerror(errno));
    }
    ++iterations_;
    now_ = Clock::now();
    dispatch_signals();
    fire_timers();
    FdSetReadiness ready(rset, wset, maxfd);
    // Copy: a tick may add or remove sources.
    std::vector<Source*> snapshot = sources_;
    for (Source* s : snapshot)
        if (std::find(sources_.begin(), sources_.end(), s) != sources_.end())
            guarded([&] { s->tick(now_, ready); });
}

bool Loop::run_until(const std::function<bool()>& done, TimePoint deadline) {
    while (!done()) {
        auto now = Clock::now();
        if (now >= deadline) return done();
        run_once(deadline == TimePoint::max() ? Duration::max() : deadline - now);
    }
    return true;
}

}  // namespace event
