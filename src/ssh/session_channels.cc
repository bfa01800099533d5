#include "config.h"

#include <libssh2.h>

#include <algorithm>

#include "ssh/session.h"
#include "ssh/session_exec.h"

namespace ssh {

namespace {

// libssh2's codes for a connection that is gone (peer closed, reset, or the
// kernel gave up on it), as opposed to a host that answered "no".
bool socket_lost(int err) {
    return err == LIBSSH2_ERROR_SOCKET_DISCONNECT || err == LIBSSH2_ERROR_SOCKET_RECV ||
           err == LIBSSH2_ERROR_SOCKET_SEND || err == LIBSSH2_ERROR_SOCKET_TIMEOUT;
}

}  // namespace

std::string last_error(LIBSSH2_SESSION* s) {
    char* msg = nullptr;
    int len = 0;
    libssh2_session_last_error(s, &msg, &len, 0);
    return msg ? std::string(msg, static_cast<size_t>(len)) : "unknown libssh2 error";
}

void Session::exec(ExecRequest request, std::function<void(ExecResult)> done) {
    auto e = std::make_unique<Exec>();
    static int serial = 0;
    e->serial = ++serial;
    e->request = std::move(request);
    e->done = std::move(done);
    queued_.push_back(std::move(e));
    if (state_ == State::Idle || state_ == State::Failed) connect();
}

void Session::drain_channel(Exec& e) {
    char buf[32768];
    for (;;) {
        ssize_t n = libssh2_channel_read(e.channel, buf, sizeof buf);
        if (n > 0) {
            e.result.out.append(buf, static_cast<size_t>(n));
            if (e.result.out.size() > e.request.max_stdout) {
                e.overflow = true;
                break;
            }
            continue;
        }
        break;
    }
    // Unread stderr eats the window and stalls stdout: always read it too.
    for (;;) {
        ssize_t n = libssh2_channel_read_stderr(e.channel, buf, sizeof buf);
        if (n > 0) {
            e.result.err.append(buf, static_cast<size_t>(n));
            if (e.result.err.size() > e.request.max_stderr) {
                e.overflow = true;
                break;
            }
            continue;
        }
        break;
    }
}

bool Session::fail_if_overflowed(Exec& e) {
    if (!e.overflow || e.finished) return false;
    auto mib = [](size_t n) { return std::to_string((n + (1u << 20) - 1) >> 20) + " MiB"; };
    bool out = e.result.out.size() > e.request.max_stdout;
    e.result.outcome = ExecResult::Outcome::Failed;
    e.result.kind = ErrorKind::Protocol;
    e.result.error = host_.alias + " sent more than " + mib(out ? e.request.max_stdout : e.request.max_stderr) +
                     " on " + (out ? "stdout" : "stderr") + " in reply to one command; rj stopped reading";
    e.result.hint = "a login script (.bashrc, .profile) that prints without end? rj's commands run through "
                    "the login shell: keep it quiet when the shell is not interactive";
    // Keep a little of what came, for the message; drop the rest now.
    e.result.out.resize(std::min<size_t>(e.result.out.size(), 4096));
    e.result.out.shrink_to_fit();
    e.result.err.resize(std::min<size_t>(e.result.err.size(), 4096));
    e.result.err.shrink_to_fit();
    e.finished = true;
    e.stage = Exec::Stage::Close;
    return true;
}

bool Session::step_exec(Exec& e, event::TimePoint now) {
    Exec::Stage before = e.stage;
    bool progress = step_exec_stage(e, now);
    if (e.stage != before)
        trace("exec " + std::to_string(e.serial) + " stage " + std::to_string(static_cast<int>(before)) + " -> " +
              std::to_string(static_cast<int>(e.stage)) + (e.finished && !e.result.error.empty() ? ": " + e.result.error : ""));
    return progress;
}

bool Session::step_exec_stage(Exec& e, event::TimePoint now) {
    using Stage = Exec::Stage;
    if (!e.finished && now >= e.deadline) {
        e.result.outcome = ExecResult::Outcome::TimedOut;
        e.result.kind = ErrorKind::TimedOut;
        e.result.error = "no answer from " + host_.alias + " within " +
                         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(e.request.timeout).count()) + "s";
        e.finished = true;
        e.stage = e.channel ? Stage::Close : Stage::Free;
    }
    switch (e.stage) {
    case Stage::Open: {
        e.channel = libssh2_channel_open_session(session_);
        if (!e.channel) {
            int err = libssh2_session_last_errno(session_);
            if (err == LIBSSH2_ERROR_EAGAIN) return false;
            e.result.outcome = ExecResult::Outcome::Failed;
            if (socket_lost(err)) {
                // The host went away while the channel was being opened (sshd
                // stopped, the network gone): not a refusal. Disconnected
                // makes the engine treat the host as unreachable, so a kill or
                // hold is deferred instead of failing.
                e.result.kind = ErrorKind::Disconnected;
                e.result.error = "lost connection to " + host_.alias + ": " + last_error(session_);
                e.result.hint = "the host went away mid-operation; rj will reconnect on the next try";
            } else {
                e.result.kind = ErrorKind::ChannelRefused;
                e.result.error = "host " + host_.alias + " refused a new channel: " + last_error(session_);
                e.result.hint = "sshd's MaxSessions may be lower than rj's max_sessions for this host";
            }
            e.finished = true;
            e.stage = Stage::Free;
            return true;
        }
        e.stage = Stage::Start;
        return true;
    }
    case Stage::Start: {
        int rc = libssh2_channel_exec(e.channel, e.request.command.c_str());
        if (rc == LIBSSH2_ERROR_EAGAIN) return false;
        if (rc != 0) {
            // Nothing has been written to stdin yet, so the remote shell (if it
            // started at all) sees EOF and runs nothing: retrying is safe.
            // libssh2 1.10 occasionally loses the exec reply under load.
            if (socket_lost(rc)) {
                e.result.error = "lost connection to " + host_.alias + ": " + last_error(session_);
                e.result.kind = ErrorKind::Disconnected;
                e.result.hint = "the host went away mid-operation; rj will reconnect on the next try";
            } else if (e.start_retries < 3 && rc != LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED) {
                ++e.start_retries;
                e.retry = true;
            } else {
                e.result.error = "cannot run a command on " + host_.alias + ": " + last_error(session_);
                e.result.kind = ErrorKind::ChannelRefused;
            }
            e.finished = true;
            e.stage = Stage::Close;
            return true;
        }
        e.stage = Stage::Write;
        return true;
    }
    case Stage::Write: {
        bool progress = false;
        while (e.written < e.request.input.size()) {
            ssize_t n = libssh2_channel_write(e.channel, e.request.input.data() + e.written,
                                              e.request.input.size() - e.written);
            if (n == LIBSSH2_ERROR_EAGAIN) {
                // Only a half-sent packet pins the session; a full window does not.
                if (libssh2_session_block_directions(session_) & LIBSSH2_SESSION_BLOCK_OUTBOUND) write_blocked_ = &e;
                drain_channel(e);  // the remote may be waiting for us to read first
                // A half-sent packet must be finished before the close is sent.
                if (write_blocked_ != &e && fail_if_overflowed(e)) return true;
                return progress;
            }
            if (n < 0) {
                e.result.error = "lost connection to " + host_.alias + " while sending: " + last_error(session_);
                e.result.kind = ErrorKind::Disconnected;
                e.finished = true;
                e.stage = Stage::Close;
                return true;
            }
            e.written += static_cast<size_t>(n);
            progress = true;
        }
        if (write_blocked_ == &e) write_blocked_ = nullptr;
        e.stage = Stage::SendEof;
        return true;
    }
    case Stage::SendEof: {
        int rc = libssh2_channel_send_eof(e.channel);
        if (rc == LIBSSH2_ERROR_EAGAIN) {
            write_blocked_ = &e;
            return false;
        }
        if (write_blocked_ == &e) write_blocked_ = nullptr;
        e.stage = Stage::Read;
        return true;
    }
    case Stage::Read: {
        size_t before = e.result.out.size() + e.result.err.size();
        drain_channel(e);
        if (fail_if_overflowed(e)) return true;
        bool progress = e.result.out.size() + e.result.err.size() != before;
        if (libssh2_channel_eof(e.channel)) {
            e.stage = Stage::Close;
            return true;
        }
        return progress;
    }
    case Stage::Close: {
        int rc = libssh2_channel_close(e.channel);
        if (rc == LIBSSH2_ERROR_EAGAIN) {
            // A half-sent CLOSE pins the session until it is sent.
            if (libssh2_session_block_directions(session_) & LIBSSH2_SESSION_BLOCK_OUTBOUND) {
                write_blocked_ = &e;
                return false;
            }
            if (write_blocked_ == &e) write_blocked_ = nullptr;
            // The CLOSE is sent and libssh2 waits for sshd's; sshd sends it
            // only once the command has exited. A command that never gets
            // that far (a login script looping for ever) would hold this exec,
            // and the operation waiting on it, past every deadline. An exec
            // that has its result (timed out, overflowed, failed) reports now;
            // its channel is left to the connection, which is dropped once it
            // is idle (sshd then hangs up the command).
            if (e.finished) {
                abandoned_.push_back(e.channel);
                e.channel = nullptr;
                e.stage = Stage::Free;
                return true;
            }
            return false;
        }
        if (write_blocked_ == &e) write_blocked_ = nullptr;
        e.stage = e.finished ? Stage::Free : Stage::WaitClosed;
        return true;
    }
    case Stage::WaitClosed: {
        int rc = libssh2_channel_wait_closed(e.channel);
        if (rc == LIBSSH2_ERROR_EAGAIN) return false;
        char* sig = nullptr;
        size_t siglen = 0;
        libssh2_channel_get_exit_signal(e.channel, &sig, &siglen, nullptr, nullptr, nullptr, nullptr);
        if (sig && siglen > 0) {
            e.result.outcome = ExecResult::Outcome::Signalled;
            e.result.exit_signal.assign(sig, siglen);
            e.result.error = "remote command killed by signal " + e.result.exit_signal;
        } else {
            e.result.outcome = ExecResult::Outcome::Exited;
            e.result.exit_status = libssh2_channel_get_exit_status(e.channel);
        }
        if (sig) libssh2_free(session_, sig);
        e.finished = true;
        e.stage = Stage::Free;
        return true;
    }
    case Stage::Free: {
        if (e.channel) {
            int rc = libssh2_channel_free(e.channel);
            if (rc == LIBSSH2_ERROR_EAGAIN) {
                // Freeing closes first, and may wait for sshd as Close does.
                if (libssh2_session_block_directions(session_) & LIBSSH2_SESSION_BLOCK_OUTBOUND) return false;
                abandoned_.push_back(e.channel);
            }
            e.channel = nullptr;
        }
        return true;
    }
    }
    return false;
}

void Session::step_channels(event::TimePoint now) {
    // Start queued execs up to the channel cap.
    while (!queued_.empty() && static_cast<int>(active_.size()) < options_.max_channels) {
        auto e = std::move(queued_.front());
        queued_.pop_front();
        e->deadline = now + e->request.timeout;
        active_.push_back(std::move(e));
    }
    // libssh2 has one incoming queue per session: reading one channel can pull
    // another's data off the socket, and select() will not fire for it again.
    // So loop over every channel until a full pass makes no progress.
    for (int pass = 0; pass < 64; ++pass) {
        bool progress = false;
        if (write_blocked_) {
            // libssh2 requires the blocked send to be retried before any other.
            Exec* blocked = write_blocked_;
            progress |= step_exec(*blocked, now);
            if (write_blocked_) break;
        }
        for (auto& e : active_) {
            if (!e) continue;
            progress |= step_exec(*e, now);
            if (write_blocked_) break;
            if (e->finished && !e->channel && e->stage == Exec::Stage::Free && e->retry) {
                e->retry = false;
                e->finished = false;
                e->stage = Exec::Stage::Open;
                e->result = ExecResult{};
                queued_.push_front(std::move(e));
                progress = true;
                continue;
            }
            if (e->finished && !e->channel && e->stage == Exec::Stage::Free) {
                auto done = std::move(e->done);
                ExecResult r = std::move(e->result);
                e.reset();
                done(std::move(r));
                progress = true;
                if (state_ != State::Ready) return;  // callback disconnected us
            }
        }
        active_.erase(std::remove(active_.begin(), active_.end(), nullptr), active_.end());
        if (write_blocked_ || !progress) break;
        while (!queued_.empty() && static_cast<int>(active_.size()) < options_.max_channels) {
            auto e = std::move(queued_.front());
            queued_.pop_front();
            e->deadline = now + e->request.timeout;
            active_.push_back(std::move(e));
        }
    }
    if (socket_lost(libssh2_session_last_errno(session_))) {
        fail(ErrorKind::Disconnected, "lost connection to " + host_.alias + ": " + last_error(session_),
             "the host went away mid-operation; rj will reconnect on the next try");
        return;
    }
    // Channels given up on still hold one of sshd's sessions each (MaxSessions)
    // and their commands run on: drop the connection once nothing else needs
    // it; the next command connects afresh.
    if (!abandoned_.empty() && !busy()) disconnect("recycling the connection to " + host_.alias);
}

}  // namespace ssh
