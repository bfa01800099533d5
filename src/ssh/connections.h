// All SSH sessions of one rj process, one per host alias, created on first
// use from the resolved ssh config and kept for reuse. After a failure a host
// is retried with exponential backoff, so a dead host costs one timeout per
// backoff period, not one per operation.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "event/loop.h"
#include "ssh/session.h"
#include "ssh/ssh_config.h"

namespace ssh {

class Connections {
public:
    Connections(event::Loop& loop, SshConfig config, SessionOptions options);

    // The session for `alias` (created lazily; not connected until used).
    Session& session(const std::string& alias);
    // Run on `alias`. If the host failed within its backoff period, `done`
    // gets that failure at once (from the loop) instead of a new attempt.
    void exec(const std::string& alias, ExecRequest request, std::function<void(ExecResult)> done);
    // Forget backoff for a host (user pressed "sync now", or a batch run).
    void reset_backoff(const std::string& alias);

    const SshConfig& config() const { return config_; }
    SessionOptions& options() { return options_; }

private:
    struct Entry {
        std::unique_ptr<Session> session;
        event::TimePoint retry_at{};
        event::Duration backoff{};
    };
    Entry& entry(const std::string& alias);

    event::Loop& loop_;
    SshConfig config_;
    SessionOptions options_;
    std::map<std::string, Entry> entries_;
};

}  // namespace ssh
