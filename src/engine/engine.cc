#include "config.h"

#include "engine/engine.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "notify/sender.h"
#include "ssh/destination.h"
#include "ssh/host_pattern.h"
#include "ssh/ssh_config.h"
#include "store/job_repo.h"
#include "util/error.h"
#include "util/xdg.h"

namespace engine {

namespace {

// The name in `names` nearest to `typed` by edit distance, when near enough
// to be a typo of it ("" otherwise).
std::string closest_name(const std::string& typed, const std::vector<std::string>& names) {
    std::string best;
    size_t best_d = std::max<size_t>(2, typed.size() / 3) + 1;
    for (const auto& n : names) {
        std::vector<size_t> row(n.size() + 1);
        for (size_t j = 0; j <= n.size(); ++j) row[j] = j;
        for (size_t i = 1; i <= typed.size(); ++i) {
            size_t diag = row[0];
            row[0] = i;
            for (size_t j = 1; j <= n.size(); ++j) {
                size_t up = row[j];
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (typed[i - 1] == n[j - 1] ? 0 : 1)});
                diag = up;
            }
        }
        if (row[n.size()] < best_d) {
            best_d = row[n.size()];
            best = n;
        }
    }
    return best;
}

}  // namespace

EngineOptions default_options() {
    EngineOptions o;
    o.ssh_config_path = ssh::default_ssh_config_path();
    // $RJ_SSH_CONFIG is read alone, like -F: ssh -F skips the system file.
    const char* only = std::getenv("RJ_SSH_CONFIG");
    if (only == nullptr || *only == '\0') o.ssh_system_config_path = ssh::default_ssh_system_config_path();
    o.db_path = util::default_db_path();
    o.config_path = util::default_config_path();
    return o;
}

Engine::Engine(event::Loop& loop, EngineOptions options) : loop_(loop), options_(std::move(options)) {
    config_ = store::Config::load(options_.config_path);
    config_.apply_notify_environment();
    ssh::SessionOptions so;
    so.accept_new_host_keys = options_.accept_new_host_keys || config_.accept_new_host_keys;
    // The ssh that ProxyJump runs reads the same files: -F when rj reads one
    // file alone, else its own defaults (~/.ssh/config, then the system file).
    if (options_.ssh_system_config_path.empty()) so.ssh_config_path = options_.ssh_config_path;
    // max_sessions: exec channels at once per host, below its sshd's MaxSessions.
    so.max_channels = config_.max_sessions_for("");
    for (const auto& [name, h] : config_.hosts) so.max_channels_by_host[name] = h.max_sessions;
    ssh_ = std::make_unique<ssh::Connections>(loop_, ssh::SshConfig::load(options_.ssh_config_path, options_.ssh_system_config_path), std::move(so));
}

namespace {
// The engine being destroyed, while its connections close: a reply that
// comes then (each connection fails its exchanges as it closes) is dropped,
// not handed to code that would use what is being torn down.
const Engine* closing = nullptr;
}  // namespace

Engine::~Engine() {
    if (callback_error_) loop_.on_callback_error(nullptr);  // the handler points here
    // A batch command may end with exchanges still in flight (list's quick
    // sync leaves a silent host behind): the connections close first, while
    // everything else is whole, and their last replies are dropped.
    closing = this;
    ssh_.reset();
    closing = nullptr;
}

notify::Sender& Engine::notifier() {
    if (!notifier_) notifier_ = std::make_unique<notify::Sender>(loop_);
    return *notifier_;
}

void Engine::set_prompts(
    std::function<void(const HostKeyQuestion&, std::function<void(bool accept)>)> ask_host_key,
    std::function<void(const std::string& key_path, PassphraseAnswer answer)> ask_passphrase) {
    auto& so = ssh_->options();
    so.ask_host_key = std::move(ask_host_key);
    so.ask_passphrase = std::move(ask_passphrase);
}

void Engine::retry_now(const std::string& host) { ssh_->reset_backoff(host); }

std::string Engine::host_description(const std::string& host) const {
    auto it = config_.hosts.find(host);
    return it == config_.hosts.end() ? "" : it->second.description;
}

store::Database& Engine::db() {
    if (!db_) {
        db_ = std::make_unique<store::Database>(options_.db_path);
        db_->set_busy_timeout(options_.db_busy_timeout_ms);
    }
    return *db_;
}

std::vector<std::string> Engine::fleet() {
    std::set<std::string> hosts;
    for (const auto& h : ssh_->config().concrete_hosts()) {
        bool ignored = false;
        for (const auto& pattern : config_.ignore_hosts)
            ignored = ignored || ssh::match_host_pattern_list(h, pattern);
        if (!ignored) hosts.insert(h);
    }
    for (const auto& [name, settings] : config_.hosts) {
        (void)settings;
        hosts.insert(name);
    }
    store::JobRepo jobs(db());
    for (const auto& h : jobs.hosts_with_jobs()) hosts.insert(h);
    return {hosts.begin(), hosts.end()};
}

std::vector<std::string> Engine::known_hosts() {
    auto listed = fleet();
    std::set<std::string> hosts(listed.begin(), listed.end());
    for (const auto& h : ssh_->config().concrete_hosts()) hosts.insert(h);
    return {hosts.begin(), hosts.end()};
}

void Engine::require_known_host(const std::string& host) {
    auto hosts = known_hosts();
    if (std::find(hosts.begin(), hosts.end(), host) != hosts.end()) return;
    if (!host.empty() && host[0] != '@' && ssh_reaches(host)) return;
    std::string list;
    for (const auto& h : hosts) list += (list.empty() ? "" : ", ") + h;
    std::string guess = closest_name(host, hosts);
    std::string hint = hosts.empty() ? "add a 'Host " + host + "' block to " + options_.ssh_config_path
                                     : "known hosts: " + list + " (add others as Host blocks in " +
                                           options_.ssh_config_path + ")";
    if (!guess.empty()) hint = "did you mean '" + guess + "'? " + hint;
    throw util::UsageError("unknown host '" + host + "'", hint);
}

bool Engine::ssh_reaches(const std::string& typed) {
    // As `ssh typed` would: the config may route it (a proxy), rename it
    // (HostName, from a Host or Match block), or leave it to the resolver.
    ssh::HostConfig hc = ssh_->config().resolve(typed);  // a malformed name throws its own error
    if (!hc.proxy_jump.empty() || !hc.proxy_command.empty()) return true;
    if (ssh::is_address(hc.hostname)) return true;
    if (hc.hostname != ssh::ascii_lower(ssh::parse_destination(typed).host)) return true;
    return ssh::name_resolves(hc.hostname);
}

FailureKind failure_kind(ssh::ErrorKind kind, bool timed_out) {
    if (ssh::is_unreachable(kind) || timed_out) return FailureKind::Unreachable;
    switch (kind) {
    case ssh::ErrorKind::HostKeyUnknown:
    case ssh::ErrorKind::HostKeyChanged:
    case ssh::ErrorKind::Auth: return FailureKind::Trust;
    case ssh::ErrorKind::Config: return FailureKind::Refused;
    default: return FailureKind::Remote;
    }
}

namespace {

// Scripts over the engine's SSH connections, the replies classified.
class SshTransport : public RemoteTransport {
public:
    explicit SshTransport(ssh::Connections& ssh) : ssh_(ssh) {}
    void run(const std::string& host, std::string script, event::Duration timeout,
             std::function<void(RemoteReply)> done) override {
        ssh::ExecRequest req{"sh -s", std::move(script), timeout};
        ssh_.exec(host, std::move(req), [done = std::move(done)](ssh::ExecResult r) {
            RemoteReply reply;
            reply.out = std::move(r.out);
            reply.err = std::move(r.err);
            reply.exit_status = r.exit_status;
            if (r.exited()) {
                if (r.exit_status != 0) {
                    std::string last = reply.err;
                    while (!last.empty() && last.back() == '\n') last.pop_back();
                    auto nl = last.rfind('\n');
                    reply.fail(FailureKind::Remote, "remote script failed with status " + std::to_string(r.exit_status) +
                                                        (last.empty() ? "" : ": " + last.substr(nl == std::string::npos ? 0 : nl + 1)));
                }
            } else {
                // A connect-phase failure sent nothing; a timeout or a drop mid-exec may have run it.
                reply.maybe_ran = r.outcome == ssh::ExecResult::Outcome::TimedOut || r.kind == ssh::ErrorKind::Disconnected;
                reply.fail(failure_kind(r.kind, r.outcome == ssh::ExecResult::Outcome::TimedOut), r.error, r.hint);
            }
            done(std::move(reply));
        });
    }

private:
    ssh::Connections& ssh_;
};

}  // namespace

void Engine::run_script(const std::string& host, std::string script, event::Duration timeout,
                        std::function<void(RemoteReply)> done) {
    if (!transport_) transport_ = std::make_unique<SshTransport>(*ssh_);
    ++pending_;
    transport_->run(host, std::move(script), timeout, [this, done = std::move(done)](RemoteReply reply) {
        --pending_;
        if (closing == this) return;
        try {
            done(std::move(reply));
        } catch (...) {
            if (!callback_error_) throw;
            report_exception(std::current_exception());
        }
    });
}

void Engine::on_callback_error(std::function<void(const std::string&, const std::string&)> handler) {
    callback_error_ = std::move(handler);
    if (callback_error_) loop_.on_callback_error([this](std::exception_ptr e) { report_exception(e); });
    else loop_.on_callback_error(nullptr);
}

bool Engine::report_callback_error(const std::string& message, const std::string& hint) {
    if (!callback_error_) return false;
    callback_error_(message, hint);
    return true;
}

void Engine::report_exception(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const util::Error& e) {
        callback_error_(e.what(), e.hint());
    } catch (const std::exception& e) {
        callback_error_(std::string("internal error: ") + e.what(), "");
    } catch (...) {
        callback_error_("internal error: an unknown exception", "");
    }
}

}  // namespace engine
