// The byte pipe under an SSH session: a nonblocking TCP connect, or a
// ProxyCommand child process on one end of a socketpair (libssh2 needs a
// socket, not a pipe, because it uses send/recv). ProxyJump is turned into
// the ProxyCommand OpenSSH itself would use: `ssh -W [host]:port jump`.
#pragma once

#include <sys/types.h>

#include <string>

#include "event/loop.h"
#include "event/source.h"
#include "ssh/resolver.h"

namespace ssh {

enum class ConnectFailure { None, Dns, Refused, TimedOut, Unreachable, Proxy, Other };

// Proxy children that had not exited when their transport closed are reaped
// without blocking, from a short timer chain on the loop that stops once
// none is left (SIGCHLD is not used: blocking it for pselect would be
// inherited by every program rj or its tests start).
void reap_proxies();
size_t unreaped_proxies();
void schedule_proxy_reaping(event::Loop& loop);

class Transport {
public:
    Transport() = default;
    ~Transport();
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    // Begin connecting. Returns false (with failure()/error() set) on immediate failure.
    // start_tcp only starts looking the name up (off the loop, see HostLookup):
    // watch lookup_fd() for reading and call finish_lookup() until resolving() is false.
    bool start_tcp(const std::string& host, int port);
    bool start_proxy(const std::string& command);

    bool resolving() const { return lookup_.running(); }
    int lookup_fd() const { return lookup_.fd(); }
    // Once the name is resolved, starts the nonblocking connect. Returns false
    // on failure (ConnectFailure::Dns when the name did not resolve).
    bool finish_lookup();

    // For TCP: true once connect() completed (checks SO_ERROR when writable).
    // Call after the fd became writable; returns false on failure.
    bool finish_connect(const event::Readiness& ready);
    bool connecting() const { return connecting_; }

    int fd() const { return fd_; }
    ConnectFailure failure() const { return failure_; }
    const std::string& error() const { return error_; }
    const std::string& peer() const { return peer_; }
    // What the proxy child printed on stderr (its own error message, if any).
    std::string proxy_stderr();

    void close();

private:
    void fail(ConnectFailure kind, std::string msg);
    bool selectable(int fd);  // false (and failed) at or past FD_SETSIZE
    bool connect_to(const ResolvedAddress& address);

    HostLookup lookup_;
    int port_ = 0;

    int fd_ = -1;
    int proxy_err_fd_ = -1;
    pid_t proxy_pid_ = -1;
    bool connecting_ = false;
    std::string peer_;
    ConnectFailure failure_ = ConnectFailure::None;
    std::string error_;
    std::string proxy_err_;
};

}  // namespace ssh
