#include "config.h"

#include "ssh/session.h"

#include <libssh2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "ssh/authenticator.h"
#include "ssh/known_hosts.h"
#include "ssh/session_exec.h"
#include "ssh/transport.h"

namespace ssh {

namespace {

struct LibraryInit {
    LibraryInit() { libssh2_init(0); }
    ~LibraryInit() { libssh2_exit(); }
};

// libssh2_init is not thread-safe; rj has one thread and calls it once.
void ensure_library() { static LibraryInit init; }

KeyType key_type_from_libssh2(int t) {
    switch (t) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return KeyType::Rsa;
    case LIBSSH2_HOSTKEY_TYPE_DSS: return KeyType::Dss;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return KeyType::EcdsaP256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return KeyType::EcdsaP384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return KeyType::EcdsaP521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return KeyType::Ed25519;
    default: return KeyType::Unknown;
    }
}

// The host-key algorithms libssh2 1.10 supports, in our default order.
const std::vector<std::string> kHostKeyMethods = {"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                                                   "ecdsa-sha2-nistp521", "ssh-rsa", "ssh-dss"};

// Letters, digits and . - _ : @ (and [ ] % for IPv6 literals and zones).
bool shell_safe_name(const std::string& s) {
    for (unsigned char c : s)
        if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '@' || c == '[' || c == ']' ||
              c == '%'))
            return false;
    return true;
}

std::string proxy_jump_command(const HostConfig& host, const std::string& config_path) {
    // OpenSSH turns ProxyJump into `ssh -W [%h]:%p jump`; the last hop of a
    // comma list is the one that reaches the target, earlier hops chain via -J.
    std::string jumps = host.proxy_jump;
    std::string last = jumps, rest;
    if (auto comma = jumps.rfind(','); comma != std::string::npos) {
        last = jumps.substr(comma + 1);
        rest = jumps.substr(0, comma);
    }
    std::string cmd = "exec ssh";
    if (!config_path.empty()) cmd += " -F '" + config_path + "'";
    if (!rest.empty()) cmd += " -J '" + rest + "'";
    // A hop is [user@]host[:port], which -J takes but a destination does not:
    // the last one's user and port go in -l and -p.
    std::string jump_host = last, jump_user, jump_port;
    if (auto at = jump_host.rfind('@'); at != std::string::npos) {
        jump_user = jump_host.substr(0, at);
        jump_host = jump_host.substr(at + 1);
    }
    if (!jump_host.empty() && jump_host[0] == '[') {
        auto close = jump_host.find(']');
        if (close != std::string::npos && jump_host.compare(close + 1, 1, ":") == 0) jump_port = jump_host.substr(close + 2);
        if (close != std::string::npos) jump_host = jump_host.substr(1, close - 1);
    } else if (auto colon = jump_host.find(':'); colon != std::string::npos && jump_host.find(':', colon + 1) == std::string::npos) {
        jump_port = jump_host.substr(colon + 1);
        jump_host = jump_host.substr(0, colon);
    }
    if (!jump_user.empty()) cmd += " -l '" + jump_user + "'";
    if (!jump_port.empty()) cmd += " -p '" + jump_port + "'";
    cmd += " -o BatchMode=yes -W '[" + host.hostname + "]:" + std::to_string(host.port) + "' '" + jump_host + "'";
    return cmd;
}

}  // namespace

bool is_unreachable(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Dns:
    case ErrorKind::Refused:
    case ErrorKind::TimedOut:
    case ErrorKind::Unreachable:
    case ErrorKind::Proxy:
    case ErrorKind::Disconnected: return true;
    default: return false;
    }
}

const char* state_name(Session::State s) {
    switch (s) {
    case Session::State::Idle: return "idle";
    case Session::State::Resolving: return "resolving";
    case Session::State::Connecting: return "connecting";
    case Session::State::Handshaking: return "handshaking";
    case Session::State::CheckingHostKey: return "checking host key";
    case Session::State::AskingHostKey: return "asking about host key";
    case Session::State::Authenticating: return "authenticating";
    case Session::State::Ready: return "ready";
    case Session::State::Failed: return "failed";
    }
    return "?";
}

Session::Session(event::Loop& loop, HostConfig host, SessionOptions options)
    : loop_(loop), host_(std::move(host)), options_(std::move(options)), transport_(std::make_unique<Transport>()) {
    ensure_library();
    loop_.add(this);
}

Session::~Session() {
    loop_.remove(this);
    disconnect("session closed");
}

void Session::set_state(State s) {
    if (state_ == s) return;
    state_ = s;
    trace(std::string("state ") + state_name(s) + (s == State::Failed ? ": " + error_ : ""));
    if ((s == State::Ready || s == State::Failed || s == State::AskingHostKey) && on_state_change) on_state_change(*this);
}

void Session::connect() {
    if (state_ != State::Idle && state_ != State::Failed) return;
    error_kind_ = ErrorKind::None;
    error_.clear();
    hint_.clear();
    host_key_answered_ = false;
    connect_started_ = event::Clock::now();
    connect_deadline_ = connect_started_ + std::chrono::seconds(connect_timeout_s());
    std::string proxy = host_.proxy_command;
    if (proxy == "none") proxy.clear();
    bool jump = proxy.empty() && !host_.proxy_jump.empty() && host_.proxy_jump != "none";
    // As OpenSSH 9.6: a host or user name that a shell would read as more
    // than a name never reaches a proxy command line.
    if ((jump || !proxy.empty()) && (!shell_safe_name(host_.hostname) || !shell_safe_name(host_.user))) {
        state_ = State::Connecting;
        fail(ErrorKind::Config,
             "refusing to connect to " + host_.alias + " through a proxy: its host or user name has characters a shell "
             "would interpret",
             "use only letters, digits and . - _ : in HostName and User for this host");
        return;
    }
    if (jump) proxy = proxy_jump_command(host_, options_.ssh_config_path);
    proxy_ = proxy;
    handshake_retries_ = 0;
    retry_at_ = {};
    start_transport();
}

void Session::start_transport() {
    bool ok = proxy_.empty() ? transport_->start_tcp(host_.hostname, host_.port) : transport_->start_proxy(proxy_);
    state_ = transport_->resolving() ? State::Resolving : State::Connecting;
    if (!ok) fail(ErrorKind::Proxy, "cannot start connection: " + transport_->error());
}

void Session::step_resolve() {
    if (!transport_->finish_lookup()) {
        fail_transport();
        return;
    }
    if (!transport_->resolving()) state_ = State::Connecting;
}

void Session::fail_transport() {
    std::string where = host_.alias + " (" + transport_->peer() + ")";
    switch (transport_->failure()) {
    case ConnectFailure::Dns:
        fail(ErrorKind::Dns, transport_->error(),
             "check the spelling, and HostName for '" + host_.alias + "' in your ssh config");
        break;
    case ConnectFailure::Refused:
        fail(ErrorKind::Refused, "connection refused by " + where,
             "no SSH server is listening there: is sshd running on the host, and is Port right?");
        break;
    case ConnectFailure::TimedOut: fail(ErrorKind::TimedOut, "timed out connecting to " + where); break;
    case ConnectFailure::Unreachable:
        fail(ErrorKind::Unreachable, "cannot reach " + where + ": " + transport_->error(),
             "check the network connection (VPN?)");
        break;
    default: fail(ErrorKind::Unreachable, "cannot connect to " + where + ": " + transport_->error()); break;
    }
}

void Session::release_session() {
    write_blocked_ = nullptr;
    abandoned_.clear();  // libssh2_session_free frees them
    auth_.reset();
    if (session_) {
        // Close the socket first: a session freed over a dead socket gets
        // errors instead of EAGAIN, so libssh2_session_free never stalls.
        if (state_ == State::Ready) libssh2_session_disconnect(session_, "bye");
        transport_->close();
        libssh2_session_free(session_);
        session_ = nullptr;
    }
    transport_->close();
    if (unreaped_proxies() > 0) schedule_proxy_reaping(loop_);
}

void Session::fail(ErrorKind kind, std::string message, std::string hint) {
    error_kind_ = kind;
    error_ = std::move(message);
    hint_ = std::move(hint);
    // Channels die with the session; their memory goes with libssh2_session_free.
    std::vector<std::unique_ptr<Exec>> victims;
    for (auto& e : active_) victims.push_back(std::move(e));
    for (auto& e : queued_) victims.push_back(std::move(e));
    active_.clear();
    queued_.clear();
    release_session();
    set_state(State::Failed);
    for (auto& e : victims) {
        if (e->finished) {
            e->done(e->result);
            continue;
        }
        ExecResult r;
        r.outcome = ExecResult::Outcome::Failed;
        r.kind = kind;
        r.error = error_;
        r.hint = hint_;
        r.out = std::move(e->result.out);
        r.err = std::move(e->result.err);
        e->done(std::move(r));
    }
}

void Session::disconnect(const std::string& why) {
    if (state_ == State::Idle) return;
    if (state_ == State::Failed && !busy()) {
        state_ = State::Idle;
        return;
    }
    fail(ErrorKind::Disconnected, why);
    state_ = State::Idle;
}

int Session::connect_timeout_s() const {
    return host_.connect_timeout_s > 0 ? host_.connect_timeout_s : options_.default_connect_timeout_s;
}

bool Session::waiting_for_passphrase() const {
    return state_ == State::Authenticating && auth_ && auth_->waiting_for_passphrase();
}

void Session::interests(std::vector<event::Interest>& out) {
    if (state_ == State::Resolving) {
        out.push_back({transport_->lookup_fd(), true, false});
        return;
    }
    int fd = transport_->fd();
    if (fd < 0 || waiting_for_passphrase()) return;  // an unread socket would wake the loop in a spin
    switch (state_) {
    case State::Connecting:
        if (retry_at_ == event::TimePoint{}) out.push_back({fd, false, true});
        return;
    case State::Idle:
    case State::Failed:
    case State::AskingHostKey: return;
    case State::Ready:
        if (!busy()) {
            // Idle connection: watch for the peer hanging up, nothing else.
            if (!idle_peek_pending_) out.push_back({fd, true, false});
            return;
        }
        [[fallthrough]];
    default: {
        int dir = session_ ? libssh2_session_block_directions(session_) : 0;
        bool r = (dir & LIBSSH2_SESSION_BLOCK_INBOUND) != 0;
        bool w = (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
        // Reading is always safe to ask for while work is in flight; writing
        // only when libssh2 is actually blocked on it (else the loop spins).
        (void)r;
        out.push_back({fd, true, w});
        return;
    }
    }
}

event::Duration Session::wait_time(event::TimePoint now) {
    event::TimePoint next = event::TimePoint::max();
    if (state_ == State::Authenticating && auth_ && auth_->passphrase_answered()) return event::Duration::zero();
    if (waiting_for_passphrase()) return event::Duration::max();  // the answer comes through the loop
    if (state_ == State::Resolving || state_ == State::Connecting || state_ == State::Handshaking ||
        state_ == State::CheckingHostKey || state_ == State::Authenticating)
        next = connect_deadline_;
    if (state_ == State::Connecting && retry_at_ != event::TimePoint{}) next = std::min(next, retry_at_);
    if (!queued_.empty() && state_ == State::Ready && static_cast<int>(active_.size()) < options_.max_channels)
        return event::Duration::zero();
    for (const auto& e : active_) next = std::min(next, e->deadline);
    if (state_ == State::Ready) next = std::min(next, next_keepalive_);
    // While commands are in flight, look again at least twice a second even
    // without a readiness event: libssh2 has one incoming queue per session,
    // and a packet it already pulled off the socket for one channel never
    // makes the socket readable again. A missed wakeup then costs half a
    // second, not the whole exec timeout.
    if (state_ == State::Ready && busy()) next = std::min(next, now + std::chrono::milliseconds(500));
    if (session_ && busy() && libssh2_session_block_directions(session_) == 0) {
        // EAGAIN without a direction: libssh2 gave no hint, so poll gently.
        next = std::min(next, now + std::chrono::milliseconds(20));
    }
    if (next == event::TimePoint::max()) return event::Duration::max();
    return std::max(event::Duration::zero(), next - now);
}

void Session::tick(event::TimePoint now, const event::Readiness& ready) {
    switch (state_) {
    case State::Idle:
    case State::Failed:
    case State::AskingHostKey:
        if (state_ == State::AskingHostKey && host_key_answered_) {
            if (!host_key_accepted_) {
                fail(ErrorKind::HostKeyUnknown, "host key for " + host_.alias + " was not accepted");
                return;
            }
            // The person said yes: remember the key as accept-new would.
            if (!record_host_key()) return;
            state_ = State::Authenticating;
            auth_ = std::make_unique<Authenticator>(session_, host_, options_);
            connect_deadline_ = now + std::chrono::seconds(connect_timeout_s());
            break;
        }
        return;
    default: break;
    }
    if (waiting_for_passphrase()) {
        // Someone is typing a passphrase: as for the host-key question, that
        // time does not count against ConnectTimeout, which starts again
        // once they answer.
        connect_deadline_ = now + std::chrono::seconds(connect_timeout_s());
        return;
    }
    if (state_ != State::Ready && now >= connect_deadline_) {
        int secs = connect_timeout_s();
        if (state_ == State::Resolving) {
            // The lookup goes on on its own thread; its answer is dropped.
            fail(ErrorKind::TimedOut,
                 "timed out after " + std::to_string(secs) + "s resolving host name '" + host_.hostname + "' for " +
                     host_.alias,
                 "no name server answered: check the network connection (VPN?) and HostName for '" + host_.alias +
                     "'; ConnectTimeout in the ssh config sets the limit");
            return;
        }
        std::string where = transport_->peer().empty() ? host_.hostname : transport_->peer();
        fail(ErrorKind::TimedOut,
             "timed out after " + std::to_string(secs) + "s " +
                 (state_ == State::Connecting ? "connecting to " : std::string(state_name(state_)) + " with ") +
                 host_.alias + " (" + where + ")",
             "the host may be down, asleep or unreachable from this network; ConnectTimeout in the ssh config sets the limit");
        return;
    }
    if (state_ == State::Connecting && retry_at_ != event::TimePoint{}) {
        if (now < retry_at_) return;
        retry_at_ = {};
        start_transport();
        if (state_ != State::Connecting) return;
    }
    if (state_ == State::Resolving) step_resolve();
    if (state_ == State::Connecting) step_connect(now, ready);
    if (state_ == State::Handshaking) step_handshake();
    if (state_ == State::CheckingHostKey) step_host_key();
    if (state_ == State::Authenticating) {
        auto r = auth_->step();
        if (r == Authenticator::Result::Failed) {
            fail(ErrorKind::Auth, auth_->error(), auth_->hint());
            return;
        }
        if (r == Authenticator::Result::Done) {
            auth_.reset();
            connect_time_ = event::Clock::now() - connect_started_;
            start_keepalives(now);
            set_state(State::Ready);
        }
    }
    if (state_ == State::Ready) {
        check_idle_socket(ready);
        if (state_ != State::Ready) return;
        step_channels(now);
        if (state_ == State::Ready) keepalive(now);
    }
}

void Session::check_idle_socket(const event::Readiness& ready) {
    int fd = transport_->fd();
    if (busy()) {
        idle_peek_pending_ = false;
        return;
    }
    if (!ready.readable(fd)) return;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        // The host went away while idle; reconnect lazily on next use.
        disconnect("connection closed by " + host_.alias);
        return;
    }
    // Data for libssh2 while idle: leave it in the socket for the next call.
    idle_peek_pending_ = true;
}

void Session::step_connect(event::TimePoint, const event::Readiness& ready) {
    if (!transport_->finish_connect(ready)) {
        fail_transport();
        return;
    }
    if (transport_->connecting()) return;
    session_ = libssh2_session_init();
    if (!session_) {
        fail(ErrorKind::Protocol, "libssh2_session_init failed");
        return;
    }
    libssh2_session_set_blocking(session_, 0);
    // Count what the host sends (session_alive.cc): keepalive replies are
    // the proof of life, and libssh2 offers no other way to see them.
    received_ = 0;
    *libssh2_session_abstract(session_) = this;
    libssh2_session_callback_set(session_, LIBSSH2_CALLBACK_RECV, reinterpret_cast<void*>(&Session::counting_recv));
    // libssh2 1.10 prefers ECDSA host keys; ask first for the types we
    // already know for this host, or a known host reads as unknown.
    const std::string& key_host = host_.host_key_name();
    int key_port = host_.host_key_port();
    std::vector<std::string> files = host_.user_known_hosts_files;
    files.insert(files.end(), host_.global_known_hosts_files.begin(), host_.global_known_hosts_files.end());
    KnownHosts known = KnownHosts::load(files);
    std::string prefs;
    for (KeyType t : known.known_types(key_host, key_port)) {
        std::string name = key_type_name(t);
        if (std::find(kHostKeyMethods.begin(), kHostKeyMethods.end(), name) == kHostKeyMethods.end()) continue;
        if (prefs.find(name) == std::string::npos) prefs += (prefs.empty() ? "" : ",") + name;
    }
    for (const auto& m : kHostKeyMethods)
        if (prefs.find(m) == std::string::npos) prefs += (prefs.empty() ? "" : ",") + m;
    libssh2_session_method_pref(session_, LIBSSH2_METHOD_HOSTKEY, prefs.c_str());
    state_ = State::Handshaking;
}

void Session::step_handshake() {
    int rc = libssh2_session_handshake(session_, transport_->fd());
    if (rc == LIBSSH2_ERROR_EAGAIN) return;
    if (rc != 0) {
        std::string detail = last_error(session_);
        std::string proxy_err = transport_->proxy_stderr();
        // A server closing before its banner is usually sshd's MaxStartups
        // throttling many connections at once (cron, the UI and scripts
        // together): try again after a short, jittered pause, within the
        // connect timeout, as a person would.
        bool dropped = rc == LIBSSH2_ERROR_BANNER_RECV || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT ||
                       rc == LIBSSH2_ERROR_SOCKET_RECV;
        if (dropped && proxy_err.empty() && handshake_retries_ < 4) {
            ++handshake_retries_;
            auto pause = std::chrono::milliseconds(100 * (1 << handshake_retries_) + std::rand() % 200);
            if (event::Clock::now() + pause < connect_deadline_) {
                libssh2_session_free(session_);
                session_ = nullptr;
                transport_->close();
                retry_at_ = event::Clock::now() + pause;
                state_ = State::Connecting;
                return;
            }
        }
        if (!proxy_err.empty()) {
            fail(ErrorKind::Proxy, "proxy for " + host_.alias + " failed: " + proxy_err,
                 "check ProxyJump/ProxyCommand for this host in your ssh config");
        } else if (rc == LIBSSH2_ERROR_KEX_FAILURE) {
            fail(ErrorKind::Protocol, "SSH key exchange with " + host_.alias + " failed: " + detail,
                 "libssh2 1.10 needs an ed25519 or ECDSA host key and aes-ctr ciphers on the server");
        } else {
            fail(ErrorKind::Disconnected, "SSH handshake with " + host_.alias + " failed: " + detail,
                 "the server closed the connection; check its sshd logs or try 'ssh " + host_.alias + "'");
        }
        return;
    }
    state_ = State::CheckingHostKey;
}

void Session::step_host_key() {
    size_t len = 0;
    int type = 0;
    const char* blob = libssh2_session_hostkey(session_, &len, &type);
    if (!blob) {
        fail(ErrorKind::Protocol, "the server sent no host key");
        return;
    }
    std::string key(blob, len);
    KeyType kt = key_type_from_libssh2(type);
    const std::string& key_host = host_.host_key_name();
    int key_port = host_.host_key_port();
    std::vector<std::string> files = host_.user_known_hosts_files;
    files.insert(files.end(), host_.global_known_hosts_files.begin(), host_.global_known_hosts_files.end());
    KnownHosts known = KnownHosts::load(files);
    HostKeyCheck check = known.check(key_host, key_port, kt, key);
    std::string fp = fingerprint_sha256(key);
    std::string shown = known_hosts_host_form(key_host, key_port);
    switch (check.status) {
    case HostKeyStatus::Match: break;
    case HostKeyStatus::Revoked:
        fail(ErrorKind::HostKeyChanged, "the host key of " + host_.alias + " is marked @revoked in " +
                                            check.known_file + " (" + key_type_name(kt) + " " + fp + ")");
        return;
    case HostKeyStatus::Changed:
        fail(ErrorKind::HostKeyChanged,
             "HOST KEY CHANGED for " + host_.alias + ": the server now shows " + key_type_name(kt) + " " + fp +
                 ", which does not match " + check.known_file + ":" + std::to_string(check.known_line) +
                 ". Nothing was run.",
             "someone may be intercepting the connection, or the host was reinstalled. If you know why, remove "
             "the old key with: ssh-keygen -R '" + shown + "' -f " + check.known_file);
        return;
    case HostKeyStatus::Unknown: {
        using Strict = HostConfig::StrictHostKey;
        // As OpenSSH: StrictHostKeyChecking yes in the ssh config wins over
        // rj's --accept-new-host-keys; BatchMode never asks.
        bool strict = host_.strict_host_key == Strict::Yes;
        std::vector<std::string> others = known.known_fingerprints(key_host, key_port);
        bool accept = !strict && others.empty() &&
                      (options_.accept_new_host_keys || host_.strict_host_key == Strict::AcceptNew ||
                       host_.strict_host_key == Strict::No);
        bool can_ask = options_.ask_host_key && !host_.batch_mode && !strict;
        pending_key_ = key;
        pending_key_type_ = static_cast<int>(kt);
        if (!others.empty() && !can_ask) {
            std::string list;
            for (const auto& o : others) list += (list.empty() ? "" : ", ") + o;
            fail(ErrorKind::HostKeyChanged,
                 host_.alias + " offered a " + key_type_name(kt) + " host key (" + fp +
                     "), but known_hosts records only other key types for it (" + list +
                     "): someone may be intercepting the connection. Nothing was run.",
                 "if the host's keys were replaced on purpose, remove the old ones with: ssh-keygen -R '" + shown +
                     "', then connect once with 'ssh " + host_.alias + "'");
            return;
        }
        if (!accept && can_ask) {
            HostKeyQuestion q{host_.alias, key_host, key_port, key_type_name(kt), fp, others};
            host_key_answered_ = false;
            set_state(State::AskingHostKey);
            options_.ask_host_key(q, [this](bool yes) {
                host_key_answered_ = true;
                host_key_accepted_ = yes;
            });
            return;
        }
        if (!accept) {
            fail(ErrorKind::HostKeyUnknown,
                 "the host key of " + host_.alias + " (" + shown + ") is not known: " + key_type_name(kt) + " " + fp,
                 strict ? "StrictHostKeyChecking is yes for this host: connect once with 'ssh " + host_.alias +
                              "' and check the fingerprint"
                        : "if the fingerprint is right, accept it with --accept-new-host-keys, or connect once with 'ssh " +
                              host_.alias + "'");
            return;
        }
        if (!record_host_key()) return;
        break;
    }
    }
    state_ = State::Authenticating;
    auth_ = std::make_unique<Authenticator>(session_, host_, options_);
}

bool Session::record_host_key() {
    if (host_.user_known_hosts_files.empty()) return true;  // UserKnownHostsFile none
    try {
        KnownHosts::append(host_.user_known_hosts_files.front(), host_.host_key_name(), host_.host_key_port(),
                           static_cast<KeyType>(pending_key_type_), pending_key_, host_.hash_known_hosts);
    } catch (const std::exception& ex) {
        fail(ErrorKind::HostKeyUnknown, std::string("cannot record the host key: ") + ex.what());
        return false;
    }
    return true;
}

void Session::trace(const std::string& what) const {
    // RJ_TRACE_FILE: one line per connection state and exec stage change,
    // for diagnosing a stall after the fact (the tests set it).
    static const char* path = std::getenv("RJ_TRACE_FILE");
    if (!path || !*path) return;
    FILE* f = std::fopen(path, "a");
    if (!f) return;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(event::Clock::now().time_since_epoch()).count();
    std::fprintf(f, "pid=%d t=%lld %s: %s\n", static_cast<int>(getpid()), static_cast<long long>(ms),
                 host_.alias.c_str(), what.c_str());
    std::fclose(f);
}

}  // namespace ssh
