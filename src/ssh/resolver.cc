#include "config.h"

#include "ssh/resolver.h"

#include <netdb.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include "util/portable.h"

namespace ssh {

namespace {

std::atomic<size_t> running_lookups{0};

}  // namespace

// What a lookup's thread and its HostLookup share. Whichever lets go last
// frees it (and closes the wake-up descriptor): the thread when the lookup
// was abandoned, so a lookup that returns after its session is gone writes
// only into memory it still owns.
struct HostLookup::Shared {
    std::string host;
    std::string port;
    util::Wakeup wakeup;
    std::mutex mutex;  // guards the fields below
    bool done = false;
    int rc = 0;
    int sys_errno = 0;  // for EAI_SYSTEM
    ResolvedAddress address;
};

size_t lookups_in_flight() { return running_lookups.load(); }

HostLookup::~HostLookup() { abandon(); }

void HostLookup::abandon() {
    shared_.reset();
    finished_ = false;
}

int HostLookup::fd() const { return shared_ && !finished_ ? shared_->wakeup.fd() : -1; }

bool HostLookup::start(const std::string& host, int port) {
    abandon();
    ok_ = false;
    error_.clear();
    auto shared = std::make_shared<Shared>();
    shared->host = host;
    shared->port = std::to_string(port);
    std::string why;
    if (!shared->wakeup.open(why)) {
        error_ = "cannot start a name lookup: " + why;
        return false;
    }
    // The thread starts with every signal blocked (it inherits this mask), so
    // a signal meant for the loop always reaches the loop's pselect().
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    ++running_lookups;
    try {
        std::thread([shared]() mutable {
            struct addrinfo hints;
            std::memset(&hints, 0, sizeof hints);
            hints.ai_family = AF_UNSPEC;
            hints.ai_socktype = SOCK_STREAM;
            struct addrinfo* res = nullptr;
            int rc = getaddrinfo(shared->host.c_str(), shared->port.c_str(), &hints, &res);
            int err = errno;
            {
                std::lock_guard<std::mutex> lock(shared->mutex);
                shared->rc = rc != 0 ? rc : (res ? 0 : EAI_NONAME);
                shared->sys_errno = err;
                if (rc == 0 && res && res->ai_addrlen <= sizeof shared->address.addr) {
                    shared->address.family = res->ai_family;
                    std::memcpy(&shared->address.addr, res->ai_addr, res->ai_addrlen);
                    shared->address.addr_len = res->ai_addrlen;
                }
                shared->done = true;
            }
            if (res) freeaddrinfo(res);
            shared->wakeup.notify();
            shared.reset();  // may free it all: the HostLookup may be gone
            --running_lookups;
        }).detach();
    } catch (const std::system_error& e) {
        --running_lookups;
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        error_ = std::string("cannot start a name lookup: ") + e.what();
        return false;
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    shared_ = std::move(shared);
    finished_ = false;
    return true;
}

bool HostLookup::finished() {
    if (!shared_) return finished_;
    if (finished_) return true;
    std::lock_guard<std::mutex> lock(shared_->mutex);
    if (!shared_->done) return false;
    shared_->wakeup.drain();
    finished_ = true;
    ok_ = shared_->rc == 0 && shared_->address.addr_len > 0;
    if (ok_) {
        address_ = shared_->address;
    } else {
        std::string why = shared_->rc == EAI_SYSTEM ? std::strerror(shared_->sys_errno) : gai_strerror(shared_->rc);
        error_ = "cannot resolve host name '" + shared_->host + "': " + why;
    }
    return true;
}

}  // namespace ssh
