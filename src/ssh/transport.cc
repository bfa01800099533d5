#include "config.h"

#include "ssh/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>
#include <ctime>

#include "util/portable.h"

namespace ssh {

namespace {

void set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

ConnectFailure classify(int err) {
    switch (err) {
    case ECONNREFUSED: return ConnectFailure::Refused;
    case ETIMEDOUT: return ConnectFailure::TimedOut;
    case ENETUNREACH:
    case EHOSTUNREACH: return ConnectFailure::Unreachable;
    default: return ConnectFailure::Other;
    }
}

}  // namespace

Transport::~Transport() { close(); }

void Transport::fail(ConnectFailure kind, std::string msg) {
    failure_ = kind;
    error_ = std::move(msg);
    connecting_ = false;
}

bool Transport::start_tcp(const std::string& host, int port) {
    close();
    port_ = port;
    if (!lookup_.start(host, port)) {
        fail(ConnectFailure::Other, lookup_.error());
        return false;
    }
    if (!selectable(lookup_.fd())) {
        lookup_.abandon();
        return false;
    }
    return true;
}

bool Transport::finish_lookup() {
    if (!lookup_.running()) return true;
    if (!lookup_.finished()) return true;  // still resolving
    if (!lookup_.ok()) {
        fail(ConnectFailure::Dns, lookup_.error());
        return false;
    }
    return connect_to(lookup_.address());
}

bool Transport::connect_to(const ResolvedAddress& address) {
    const sockaddr* sa = reinterpret_cast<const sockaddr*>(&address.addr);
    char addr[INET6_ADDRSTRLEN] = "?";
    if (address.family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, addr, sizeof addr);
    else if (address.family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, addr, sizeof addr);
    bool v6 = address.family == AF_INET6;
    peer_ = std::string(v6 ? "[" : "") + addr + (v6 ? "]" : "") + ":" + std::to_string(port_);
    fd_ = util::socket_cloexec(address.family, SOCK_STREAM, 0);
    if (fd_ < 0) {
        fail(ConnectFailure::Other, std::string("socket: ") + std::strerror(errno));
        return false;
    }
    if (!selectable(fd_)) {
        ::close(fd_);
        fd_ = -1;
        return false;
    }
    set_nonblocking(fd_);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd_, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    int rc = connect(fd_, sa, address.addr_len);
    int err = errno;
    if (rc == 0) {
        connecting_ = false;
        return true;
    }
    if (err != EINPROGRESS) {
        fail(classify(err), std::strerror(err));
        ::close(fd_);
        fd_ = -1;
        return false;
    }
    connecting_ = true;
    return true;
}

bool Transport::finish_connect(const event::Readiness& ready) {
    if (!connecting_) return true;
    if (!ready.writable(fd_)) return true;  // still in progress
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
        fail(classify(err), std::strerror(err));
        ::close(fd_);
        fd_ = -1;
        return false;
    }
    connecting_ = false;
    return true;
}

// select() cannot watch a descriptor at or above FD_SETSIZE: such a socket
// would never be served, so it is an error here rather than a silent hang.
bool Transport::selectable(int fd) {
    if (fd < FD_SETSIZE) return true;
    fail(ConnectFailure::Other, "too many open files: descriptor " + std::to_string(fd) + " is beyond select()'s limit of " +
                                    std::to_string(FD_SETSIZE));
    return false;
}

bool Transport::start_proxy(const std::string& command) {
    close();
    int sv[2];
    int errpipe[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || pipe(errpipe) != 0) {
        fail(ConnectFailure::Proxy, std::string("socketpair: ") + std::strerror(errno));
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fail(ConnectFailure::Proxy, std::string("fork: ") + std::strerror(errno));
        return false;
    }
    if (pid == 0) {
        // Child: its stdin and stdout are our socket; stderr goes back to us.
        dup2(sv[1], 0);
        dup2(sv[1], 1);
        dup2(errpipe[1], 2);
        ::close(sv[0]);
        ::close(sv[1]);
        ::close(errpipe[0]);
        ::close(errpipe[1]);
        setsid();  // keep terminal signals (Ctrl-C in the UI) away from the proxy
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        signal(SIGPIPE, SIG_DFL);
        execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    ::close(sv[1]);
    ::close(errpipe[1]);
    fd_ = sv[0];
    proxy_err_fd_ = errpipe[0];
    fcntl(fd_, F_SETFD, FD_CLOEXEC);
    fcntl(proxy_err_fd_, F_SETFD, FD_CLOEXEC);
    if (!selectable(fd_) || !selectable(proxy_err_fd_)) {
        close();  // also ends the proxy child
        return false;
    }
    set_nonblocking(fd_);
    set_nonblocking(proxy_err_fd_);
    proxy_pid_ = pid;
    peer_ = "proxy: " + command;
    connecting_ = false;
    return true;
}

std::string Transport::proxy_stderr() {
    if (proxy_err_fd_ >= 0) {
        char buf[4096];
        ssize_t n;
        while ((n = read(proxy_err_fd_, buf, sizeof buf)) > 0) proxy_err_.append(buf, static_cast<size_t>(n));
    }
    // Trim to the last meaningful line: that is what the user needs.
    std::string s = proxy_err_;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    auto nl = s.rfind('\n');
    return nl == std::string::npos ? s : s.substr(nl + 1);
}

namespace {

struct Unreaped {
    pid_t pid;
    std::time_t since;
};
std::vector<Unreaped>& unreaped() {
    static std::vector<Unreaped> list;
    return list;
}

}  // namespace

void reap_proxies() {
    auto& list = unreaped();
    std::time_t now = std::time(nullptr);
    for (auto it = list.begin(); it != list.end();) {
        if (waitpid(it->pid, nullptr, WNOHANG) != 0) {
            it = list.erase(it);
            continue;
        }
        if (now - it->since >= 2) kill(it->pid, SIGKILL);  // ignored TERM: its next SIGCHLD reaps it
        ++it;
    }
}

size_t unreaped_proxies() { return unreaped().size(); }

void schedule_proxy_reaping(event::Loop& loop) {
    // Chains may overlap (one per closed proxy); reaping twice is harmless,
    // and each chain ends once nothing is left to reap.
    loop.after(std::chrono::milliseconds(200), [&loop] {
        reap_proxies();
        if (unreaped_proxies() > 0) schedule_proxy_reaping(loop);
    });
}

void Transport::close() {
    lookup_.abandon();  // a lookup still running ends on its own thread
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (proxy_err_fd_ >= 0) ::close(proxy_err_fd_);
    proxy_err_fd_ = -1;
    if (proxy_pid_ > 0) {
        kill(proxy_pid_, SIGTERM);
        // Never wait here (this runs on the loop): one look, and a child that
        // has not exited yet is left to reap_proxies() on SIGCHLD.
        if (waitpid(proxy_pid_, nullptr, WNOHANG) == 0) unreaped().push_back({proxy_pid_, std::time(nullptr)});
        proxy_pid_ = -1;
    }
    connecting_ = false;
}

}  // namespace ssh
