#include "config.h"

#include "ssh/connections.h"

#include <algorithm>

namespace ssh {

namespace {
constexpr auto kFirstBackoff = std::chrono::seconds(2);
constexpr auto kMaxBackoff = std::chrono::seconds(60);
}  // namespace

Connections::Connections(event::Loop& loop, SshConfig config, SessionOptions options)
    : loop_(loop), config_(std::move(config)), options_(std::move(options)) {}

Connections::Entry& Connections::entry(const std::string& alias) {
    auto it = entries_.find(alias);
    if (it != entries_.end()) return it->second;
    Entry& e = entries_[alias];
    SessionOptions opts = options_;
    if (auto m = opts.max_channels_by_host.find(alias); m != opts.max_channels_by_host.end())
        opts.max_channels = m->second;
    e.session = std::make_unique<Session>(loop_, config_.resolve(alias), std::move(opts));
    return e;
}

Session& Connections::session(const std::string& alias) { return *entry(alias).session; }

void Connections::exec(const std::string& alias, ExecRequest request, std::function<void(ExecResult)> done) {
    Entry& e = entry(alias);
    Session& s = *e.session;
    auto now = event::Clock::now();
    if (s.state() == Session::State::Failed && is_unreachable(s.error_kind()) && now < e.retry_at) {
        ExecResult r;
        r.outcome = ExecResult::Outcome::Failed;
        r.kind = s.error_kind();
        r.error = s.error();
        r.hint = s.hint();
        loop_.after(event::Duration::zero(), [done = std::move(done), r = std::move(r)]() { done(r); });
        return;
    }
    std::string key = alias;
    s.exec(std::move(request), [this, key, done = std::move(done)](ExecResult r) {
        Entry& en = entries_[key];
        if (r.outcome == ExecResult::Outcome::Failed && is_unreachable(r.kind)) {
            en.backoff = en.backoff == event::Duration{} ? event::Duration(kFirstBackoff)
                                                         : std::min<event::Duration>(en.backoff * 2, kMaxBackoff);
            en.retry_at = event::Clock::now() + en.backoff;
        } else if (r.outcome != ExecResult::Outcome::Failed) {
            en.backoff = {};
        }
        done(std::move(r));
    });
}

void Connections::reset_backoff(const std::string& alias) {
    auto it = entries_.find(alias);
    if (it != entries_.end()) it->second.retry_at = {};
}

}  // namespace ssh
