// One SSH connection to one host, driven by the event loop: a nonblocking
// libssh2 state machine (resolve → connect → handshake → host key → auth →
// ready) with many exec channels multiplexed on it (session_channels.cc).
// Nothing here ever blocks on the network, on DNS or on a person's answer.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "event/loop.h"
#include "ssh/ssh_config.h"

typedef struct _LIBSSH2_SESSION LIBSSH2_SESSION;
typedef struct _LIBSSH2_CHANNEL LIBSSH2_CHANNEL;

namespace ssh {

class Authenticator;
class Transport;

// Why a session or an exec failed, for callers that react differently
// (the UI greys a host out on Unreachable but shows a dialog on HostKeyUnknown).
enum class ErrorKind {
    None,
    Dns,
    Refused,
    TimedOut,
    Unreachable,
    Proxy,
    Protocol,
    HostKeyUnknown,
    HostKeyChanged,
    Auth,
    ChannelRefused,
    Disconnected,
    Config,  // the ssh config asks for something rj refuses (e.g. an unsafe host name)
};

// True for failures that mean "the host cannot be reached right now"
// (as opposed to a configuration or trust problem the user must fix).
bool is_unreachable(ErrorKind kind);

struct ExecResult {
    enum class Outcome { Exited, Signalled, TimedOut, Failed };
    Outcome outcome = Outcome::Failed;
    int exit_status = -1;
    std::string exit_signal;  // "TERM", "KILL", ... when Signalled
    std::string out;
    std::string err;
    std::string error;  // for Failed/TimedOut: what went wrong
    std::string hint;   // and what to do about it
    ErrorKind kind = ErrorKind::None;
    bool exited() const { return outcome == Outcome::Exited; }
};

struct HostKeyQuestion {
    std::string host;         // alias
    std::string key_host;     // the name the key is recorded under
    int port = 22;
    std::string key_type;     // "ssh-ed25519"
    std::string fingerprint;  // "SHA256:..."
    // Keys of other types already on file for this host ("ssh-ed25519
    // SHA256:..."): the offered type is new although the host is known, which
    // may mean someone is in the middle.
    std::vector<std::string> recorded_other_types;
};

struct SessionOptions {
    bool accept_new_host_keys = false;  // --accept-new-host-keys
    int max_channels = 8;               // below sshd's MaxSessions (10)
    std::map<std::string, int> max_channels_by_host;  // per alias, overriding max_channels
    int default_connect_timeout_s = 10; // when ssh_config has no ConnectTimeout
    // When ssh_config has no ServerAliveInterval (or 0): rj always probes a
    // silent connection, since a relay (ProxyJump) keeps the TCP side alive.
    int default_keepalive_s = 15;
    std::string ssh_config_path;        // handed to `ssh -F` for ProxyJump
    // Unknown host key: asked through this (the UI's dialog). Unset: refused.
    std::function<void(const HostKeyQuestion&, std::function<void(bool accept)>)> ask_host_key;
    // Encrypted key file: asked through this. The session waits (without
    // its connect timeout) until `answer` is called, from the loop, possibly
    // at once; nullopt skips the key. Unset: encrypted keys are skipped.
    // An answer after the session has gone away is ignored.
    using PassphraseAnswer = std::function<void(std::optional<std::string> passphrase)>;
    std::function<void(const std::string& key_path, PassphraseAnswer answer)> ask_passphrase;
};

struct ExecRequest {
    std::string command;           // the remote command line (fixed, e.g. "sh -s")
    std::string input;             // written to its stdin, then EOF
    event::Duration timeout = std::chrono::seconds(60);
    // What the host may send back before the exec fails with a Protocol
    // error and its channel is closed: a login script printing without end
    // (or a hostile host) must not exhaust our memory.
    size_t max_stdout = 16u << 20;  // the largest reply (a log or journal chunk) is 4 MiB
    size_t max_stderr = 1u << 20;
};

class Session : public event::Source {
public:
    enum class State { Idle, Resolving, Connecting, Handshaking, CheckingHostKey, AskingHostKey, Authenticating, Ready, Failed };

    Session(event::Loop& loop, HostConfig host, SessionOptions options);
    ~Session() override;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Start connecting now (exec() also does it lazily).
    void connect();
    // Run a command; `done` is called from the loop exactly once.
    void exec(ExecRequest request, std::function<void(ExecResult)> done);
    // Drop the connection; queued and running execs fail with Disconnected.
    void disconnect(const std::string& why = "disconnected");

    State state() const { return state_; }
    bool ready() const { return state_ == State::Ready; }
    bool busy() const { return !queued_.empty() || !active_.empty(); }
    ErrorKind error_kind() const { return error_kind_; }
    const std::string& error() const { return error_; }
    const std::string& hint() const { return hint_; }
    const HostConfig& host() const { return host_; }
    // Time from connect() to Ready for the last successful connect.
    event::Duration connect_time() const { return connect_time_; }

    // event::Source
    void interests(std::vector<event::Interest>& out) override;
    event::Duration wait_time(event::TimePoint now) override;
    void tick(event::TimePoint now, const event::Readiness& ready) override;

    // Called when the session reaches Ready or Failed (for UIs and pools).
    std::function<void(Session&)> on_state_change;

private:
    struct Exec;

    void fail(ErrorKind kind, std::string message, std::string hint = {});
    void set_state(State s);
    int connect_timeout_s() const;  // ConnectTimeout, or rj's default
    // The authenticator asked for a passphrase and waits for the answer.
    bool waiting_for_passphrase() const;
    void step_connect(event::TimePoint now, const event::Readiness& ready);
    void step_handshake();
    // Starts the TCP connection (state Resolving: its name is looked up
    // first, off the loop) or the proxy for proxy_ (state Connecting).
    void start_transport();
    void step_resolve();
    // Fails the session with what the transport reports (DNS, refused, ...).
    void fail_transport();
    void step_host_key();
    void step_channels(event::TimePoint now);
    // Returns true if it made progress; false if it would block or finished.
    bool step_exec(Exec& e, event::TimePoint now);
    bool step_exec_stage(Exec& e, event::TimePoint now);
    void trace(const std::string& what) const;
    void drain_channel(Exec& e);
    // Past the request's reply caps: fail the exec and close its channel.
    bool fail_if_overflowed(Exec& e);
    // Liveness (session_alive.cc): after ServerAliveInterval with nothing
    // from the host, a keepalive that asks for a reply; ServerAliveCountMax
    // of them unanswered and the host is given up.
    void start_keepalives(event::TimePoint now);
    void keepalive(event::TimePoint now);
    int alive_interval_s() const;
    // Bytes the host has sent so far: read by libssh2, or waiting in the socket.
    uint64_t bytes_heard() const;
    static ssize_t counting_recv(int socket, void* buffer, size_t length, int flags, void** abstract);
    // Appends the key just checked to the first UserKnownHostsFile; false (and failed) if it cannot.
    bool record_host_key();
    void release_session();
    void check_idle_socket(const event::Readiness& ready);

    event::Loop& loop_;
    HostConfig host_;
    SessionOptions options_;
    State state_ = State::Idle;
    ErrorKind error_kind_ = ErrorKind::None;
    std::string error_;
    std::string hint_;

    std::unique_ptr<Transport> transport_;
    LIBSSH2_SESSION* session_ = nullptr;
    std::unique_ptr<Authenticator> auth_;
    event::TimePoint connect_started_{};
    event::TimePoint connect_deadline_{};
    std::string proxy_;                 // the proxy command in use ("" for TCP)
    int handshake_retries_ = 0;         // connections dropped before the banner
    event::TimePoint retry_at_{};       // set: reconnect then (Connecting, no transport)
    event::Duration connect_time_{};
    event::TimePoint next_keepalive_{};
    uint64_t received_ = 0;       // bytes libssh2 read from the socket
    uint64_t heard_at_probe_ = 0; // bytes_heard() when the keepalive timer last looked
    int unanswered_ = 0;          // keepalives sent since the host last sent anything
    int replies_owed_ = 0;        // keepalive replies libssh2 keeps (it never frees them)
    bool host_key_answered_ = false;
    bool host_key_accepted_ = false;
    std::string pending_key_;  // the unknown host key being decided on
    int pending_key_type_ = 0;  // its ssh::KeyType
    bool idle_peek_pending_ = false;

    std::deque<std::unique_ptr<Exec>> queued_;
    std::vector<std::unique_ptr<Exec>> active_;
    // The exec whose send returned EAGAIN: libssh2 insists it is retried
    // before anything else is sent on this session.
    Exec* write_blocked_ = nullptr;
    // Channels whose exec reported without sshd's CLOSE (see Stage::Close):
    // freed with the session (libssh2_session_free), never one by one.
    std::vector<LIBSSH2_CHANNEL*> abandoned_;
};

const char* state_name(Session::State s);

}  // namespace ssh
