// Host name lookup off the event loop. getaddrinfo blocks (a name server that
// does not answer holds it for 5 s per try), so each lookup runs on its own
// short-lived detached thread and reports back through a wake-up descriptor
// (util::Wakeup) that the loop watches. We keep getaddrinfo rather than an
// asynchronous DNS library on purpose: it honours /etc/hosts and nsswitch
// (mDNS `.local` names, systemd-resolved) exactly as OpenSSH does.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <memory>
#include <string>

namespace ssh {

// The first address a lookup found, copied out of getaddrinfo's list.
struct ResolvedAddress {
    int family = 0;
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
};

class HostLookup {
public:
    HostLookup() = default;
    // Abandons a lookup still running: its thread finishes on its own and
    // frees what it shared with us; nothing here is touched again.
    ~HostLookup();
    HostLookup(const HostLookup&) = delete;
    HostLookup& operator=(const HostLookup&) = delete;

    // Starts looking `host` up (for a TCP connection to `port`). False, with
    // error() set, when no thread or wake-up descriptor could be had.
    bool start(const std::string& host, int port);
    // Abandons the lookup in flight, if any (see the destructor).
    void abandon();

    bool running() const { return shared_ != nullptr && !finished_; }
    // Readable once the answer is in; -1 when no lookup runs.
    int fd() const;
    // True once the answer is in (call when fd() is readable, or any time).
    bool finished();
    // After finished(): true with address() set, or false with error() set
    // ("cannot resolve host name 'X': Name or service not known").
    bool ok() const { return ok_; }
    const ResolvedAddress& address() const { return address_; }
    const std::string& error() const { return error_; }

private:
    struct Shared;
    std::shared_ptr<Shared> shared_;
    bool finished_ = false;
    bool ok_ = false;
    ResolvedAddress address_;
    std::string error_;
};

// Lookups whose thread has not returned yet, abandoned ones included
// (tests use it to see an abandoned lookup end harmlessly).
size_t lookups_in_flight();

}  // namespace ssh
