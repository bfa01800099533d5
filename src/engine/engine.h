// The engine: everything rj does, as calls that the batch mode and the
// full-screen UI share. It owns the SSH connections, the database and the
// config, and runs its remote work on the caller's event loop.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/outcome.h"
#include "event/loop.h"
#include "ssh/connections.h"
#include "store/config_file.h"
#include "store/database.h"

namespace notify {
class Sender;
}

namespace engine {

struct EngineOptions {
    std::string ssh_config_path;  // -F / RJ_SSH_CONFIG / ~/.ssh/config
    // Read after ssh_config_path; "" with -F or RJ_SSH_CONFIG, as ssh -F.
    std::string ssh_system_config_path;  // RJ_SSH_SYSTEM_CONFIG / /etc/ssh/ssh_config
    std::string db_path;          // RJ_DB / XDG data dir
    std::string config_path;      // RJ_CONFIG / XDG config dir
    bool accept_new_host_keys = false;
    // How long a database write waits for another rj's lock (ms): the
    // interface keeps it short and lets its timers try again.
    int db_busy_timeout_ms = store::Database::busy_timeout_ms;
};

// The outcome of one remote script run, already classified: ok when it
// reached the host and the script exited 0; Unreachable when the host could
// not be reached (offline, refused, timed out); Trust for host keys and
// authentication; Remote when the script failed.
struct RemoteReply : Outcome {
    bool maybe_ran = false;   // failed after the script may have reached the host
    int exit_status = -1;
    std::string out, err;
};

// The one mapping from an ssh failure to a kind: offline, refused, timed
// out, DNS, a proxy that failed and a dropped connection are Unreachable
// (they come back by themselves); host keys and authentication are Trust
// and an ssh config rj refuses is Refused (the user must act); anything
// else (a protocol error, a refused channel, a signalled script) is Remote.
FailureKind failure_kind(ssh::ErrorKind kind, bool timed_out = false);

// How the engine reaches hosts. Normally over SSH (the engine's own
// connections); the engine's tests hand it canned host replies instead, so
// every fate decision and reply check is exercised without a host.
class RemoteTransport {
public:
    virtual ~RemoteTransport() = default;
    // Runs `script` with `sh -s` on `host`; `done` once, on the loop, later.
    virtual void run(const std::string& host, std::string script, event::Duration timeout,
                     std::function<void(RemoteReply)> done) = 0;
};

class Engine {
public:
    Engine(event::Loop& loop, EngineOptions options);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    event::Loop& loop() { return loop_; }
    const store::Config& config() const { return config_; }
    const EngineOptions& options() const { return options_; }
    // Opens (and migrates) the database now instead of at its first use, so
    // a broken one is reported before the UI draws anything.
    void open_database() { db(); }

    // For the engine's own files only: the faces reach the database and the
    // connections through the engine's calls, never directly
    // (tests/layering.sh fails a face that calls these).
    store::Database& db();
    ssh::Connections& ssh() { return *ssh_; }

    // The fleet: the hosts both faces list and watch (`rj -b hosts`, the
    // Hosts pane, the new-job form). Concrete Host aliases of the ssh config
    // (less those matching ignore_hosts), hosts of rj's config, and hosts
    // that have had jobs. Sorted, unique.
    std::vector<std::string> fleet();
    // Every host rj can be asked to use by name: the fleet and every
    // concrete Host alias, ignored or not.
    std::vector<std::string> known_hosts();
    // Throws UsageError if `host` is not something rj can reach by name:
    // neither known, nor anything `ssh host` would reach (ssh_reaches).
    void require_known_host(const std::string& host);
    // True when the ssh config routes or renames `typed` (user@host and
    // ssh:// forms too), or its host name is an address or resolves.
    bool ssh_reaches(const std::string& typed);
    // `description` of the host's [host NAME] section in rj's config ("" if none).
    std::string host_description(const std::string& host) const;

    // Run a POSIX sh script on `host` (fed to `sh -s` on its stdin).
    void run_script(const std::string& host, std::string script, event::Duration timeout,
                    std::function<void(RemoteReply)> done);
    // Replaces how scripts reach hosts (tests); the SSH transport by default.
    void set_transport(std::unique_ptr<RemoteTransport> transport) { transport_ = std::move(transport); }

    // The interactive face's prompts, used by connections made from now on
    // (sessions copy them when created); pass nullptr to withdraw them.
    // Both are asynchronous: a session waits, without blocking the loop, until
    // the answer callback is called.
    using HostKeyQuestion = ssh::HostKeyQuestion;
    using PassphraseAnswer = ssh::SessionOptions::PassphraseAnswer;
    void set_prompts(std::function<void(const HostKeyQuestion&, std::function<void(bool accept)>)> ask_host_key,
                     std::function<void(const std::string& key_path, PassphraseAnswer answer)> ask_passphrase);
    // Try unreachable hosts again now instead of after their backoff.
    void retry_now(const std::string& host);

    // Webhook deliveries on this loop (created on first use), and the jobs
    // whose message this process is delivering now (engine/notifications.h).
    notify::Sender& notifier();
    std::set<int64_t>& notifying() { return notifying_; }
    // Other messages (stall notices) this process is delivering now.
    size_t& notices_in_flight() { return notices_in_flight_; }
    // [notify] commands running now: each one's pid, which is its process group.
    std::set<int>& command_groups() { return command_groups_; }

    // Operations in flight (batch mode runs the loop until this is zero).
    int pending() const { return pending_; }

    // Where an error thrown by a callback goes (a database that stayed
    // busy, say): the UI shows it and carries on. It covers run_script's
    // callbacks and every other callback of the loop (timers, webhook
    // completions: event::Loop::on_callback_error). Unset (batch mode), it
    // propagates out of the loop to the command, which reports it.
    void on_callback_error(std::function<void(const std::string& message, const std::string& hint)> handler);
    // Hands an error to that handler; false (nothing done) when none is set.
    bool report_callback_error(const std::string& message, const std::string& hint);
    // Where a job-end message rj gave up delivering is reported (the UI's
    // status line). Unset, it is only recorded with the job (`show`).
    void on_notify_failed(std::function<void(int64_t id, const std::string& error)> handler) {
        notify_failed_ = std::move(handler);
    }
    void notify_failed(int64_t id, const std::string& error) {
        if (notify_failed_) notify_failed_(id, error);
    }

private:
    void report_exception(std::exception_ptr error);

    event::Loop& loop_;
    EngineOptions options_;
    store::Config config_;
    std::unique_ptr<ssh::Connections> ssh_;
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<RemoteTransport> transport_;
    std::unique_ptr<notify::Sender> notifier_;
    std::set<int64_t> notifying_;
    size_t notices_in_flight_ = 0;
    std::set<int> command_groups_;
    int pending_ = 0;
    std::function<void(const std::string&, const std::string&)> callback_error_;
    std::function<void(int64_t, const std::string&)> notify_failed_;
};

// True for an error raised because another rj held the database's lock.
inline bool is_database_busy(const std::string& message) { return store::Database::is_busy_error(message); }

// Resolve the option defaults from the environment (RJ_SSH_CONFIG, RJ_DB, ...).
EngineOptions default_options();

}  // namespace engine
