// Is the host still there? OpenSSH's ServerAlive rules on a libssh2 session.
//
// TCP alone cannot tell: behind ProxyJump or ProxyCommand the socket leads to
// a relay that keeps ACKing while the host behind it is frozen or cut off,
// and even a direct host whose sshd is stopped has its kernel ACK for it. So,
// as OpenSSH does: when the host has sent nothing for ServerAliveInterval, a
// keepalive that asks for a reply (libssh2_keepalive_send with want_reply);
// each silent interval counts one miss, anything from the host clears them,
// and after ServerAliveCountMax misses the session fails with Disconnected.
// The budget is checked once per interval, so a frozen host is given up
// between (count + 1) and (count + 2) intervals after it last spoke.
// libssh2 hands the replies to nobody, so "heard" means bytes from the host:
// counted by our recv callback, plus what waits unread in the socket (an idle
// session leaves it there until its next exec).
#include "config.h"

#include <libssh2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "ssh/session.h"
#include "ssh/transport.h"
#include "util/portable.h"

namespace ssh {

namespace {

// libssh2 1.10 keeps every keepalive reply in its session's packet list for
// the session's life. An idle session that owes this many reconnects on its
// next use instead (a few hours at the default interval), bounding that.
constexpr int kMaxOwedReplies = 1000;

}  // namespace

ssize_t Session::counting_recv(int socket, void* buffer, size_t length, int flags, void** abstract) {
    ssize_t n = recv(socket, buffer, length, flags);
    if (n < 0) return errno == EWOULDBLOCK ? -EAGAIN : -errno;  // libssh2 wants -errno
    if (abstract && *abstract) static_cast<Session*>(*abstract)->received_ += static_cast<uint64_t>(n);
    return n;
}

int Session::alive_interval_s() const {
    int s = host_.server_alive_interval_s > 0 ? host_.server_alive_interval_s : options_.default_keepalive_s;
    // libssh2 sends at most one keepalive per 2 s (it turns an interval of 1 into 2).
    return std::max(2, s);
}

uint64_t Session::bytes_heard() const {
    int waiting = 0;
    int fd = transport_->fd();
    if (fd >= 0 && ioctl(fd, FIONREAD, &waiting) != 0) waiting = 0;
    return received_ + static_cast<uint64_t>(std::max(0, waiting));
}

void Session::start_keepalives(event::TimePoint now) {
    int interval = alive_interval_s();
    libssh2_keepalive_config(session_, 1, static_cast<unsigned>(interval));
    heard_at_probe_ = bytes_heard();
    unanswered_ = 0;
    replies_owed_ = 0;
    next_keepalive_ = now + std::chrono::seconds(interval);
    // On a direct connection the kernel also gives up on data the peer never
    // acknowledges after the same budget (it cannot see past a relay).
    unsigned timeout_ms = static_cast<unsigned>(interval) *
                          static_cast<unsigned>(std::max(1, host_.server_alive_count_max)) * 1000u;
    util::set_tcp_user_timeout(transport_->fd(), timeout_ms);
}

void Session::keepalive(event::TimePoint now) {
    if (now < next_keepalive_) return;
    // Looked at once per interval: anything heard since the last look
    // answers every keepalive so far.
    auto interval = std::chrono::seconds(alive_interval_s());
    uint64_t heard = bytes_heard();
    if (heard != heard_at_probe_) {
        heard_at_probe_ = heard;
        unanswered_ = 0;
        next_keepalive_ = now + interval;
        return;
    }
    if (!busy() && replies_owed_ >= kMaxOwedReplies) {
        disconnect("idle connection to " + host_.alias + " recycled");
        return;
    }
    // As OpenSSH: one more silent interval than ServerAliveCountMax probes.
    if (unanswered_ >= host_.server_alive_count_max) {
        int secs = alive_interval_s() * (unanswered_ + 1);
        fail(ErrorKind::Disconnected,
             "lost connection to " + host_.alias + ": no answer for " + std::to_string(secs) + "s (" +
                 std::to_string(unanswered_) + " keepalives unanswered)",
             "the host, or the path to it (a jump host, a VPN), stopped responding; ServerAliveInterval and "
             "ServerAliveCountMax in the ssh config set how soon rj gives up");
        state_ = State::Idle;  // as disconnect(): the next use connects again
        return;
    }
    // Never while libssh2 holds a half-sent packet (an exec's write, a window
    // adjust): it must go out first. And only with room in the socket, so the
    // keepalive itself cannot end half-sent (libssh2 would not retry it).
    struct pollfd p{transport_->fd(), POLLOUT, 0};
    bool room = poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
    bool pending = (libssh2_session_block_directions(session_) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
    if (room && !pending && !write_blocked_) {
        int seconds_to_next = 0;
        int rc = libssh2_keepalive_send(session_, &seconds_to_next);
        if (rc != 0 && rc != LIBSSH2_ERROR_EAGAIN) {
            disconnect("lost connection to " + host_.alias);
            return;
        }
        ++replies_owed_;
    }
    // A host that cannot take a keepalive is not answering either: it counts.
    ++unanswered_;
    next_keepalive_ = now + interval;
}

}  // namespace ssh
