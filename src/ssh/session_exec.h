// Internal to Session's two source files: session.cc (the connection:
// resolve, connect, handshake, host key, auth) and session_channels.cc (the
// exec channels multiplexed on a ready connection).
#pragma once

#include <libssh2.h>

#include <string>

#include "ssh/session.h"

namespace ssh {

// One exec channel: open → exec → write stdin → EOF → read to EOF → close → status.
struct Session::Exec {
    enum class Stage { Open, Start, Write, SendEof, Read, Close, WaitClosed, Free };
    ExecRequest request;
    std::function<void(ExecResult)> done;
    LIBSSH2_CHANNEL* channel = nullptr;
    Stage stage = Stage::Open;
    size_t written = 0;
    event::TimePoint deadline{};
    ExecResult result;
    bool finished = false;  // result is final; only freeing remains
    bool retry = false;     // after freeing, queue it again instead of reporting
    int start_retries = 0;
    bool overflow = false;  // the host sent more than the request allows
    int serial = 0;         // for traces
};

// libssh2's message for the last error on `s`.
std::string last_error(LIBSSH2_SESSION* s);

}  // namespace ssh
