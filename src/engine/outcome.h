// How an asynchronous engine operation went: one failure type for every
// result the faces receive. A result is a success unless it carries a kind;
// then `error` says what happened and `hint` what the user can do. The faces
// decide wording and colour from the kind (an unreachable host is a grey
// meter, a host key problem a dialog, a refused request a usage error), so
// they never parse messages.
#pragma once

#include <string>

namespace util {
class Error;
}

namespace engine {

enum class FailureKind {
    None,         // success
    Unreachable,  // offline, refused, timed out, DNS: try again later
    Trust,        // host key unknown or changed, authentication: the user must act
    Remote,       // the host answered but its script failed, or the answer was malformed
    Refused,      // rj refused the request itself (nothing was sent)
    Local,        // the local database or file system failed
    Workdir,      // a submit: the host has no such job directory, or cannot enter it
};

const char* to_string(FailureKind kind);

struct Outcome {
    FailureKind kind = FailureKind::None;
    std::string error, hint;  // when failed()

    bool failed() const { return kind != FailureKind::None; }
    bool ok() const { return kind == FailureKind::None; }
    bool unreachable() const { return kind == FailureKind::Unreachable; }
    // Records the failure (the first one wins: later failures are usually
    // consequences of it).
    void fail(FailureKind k, std::string message, std::string how_to_fix = {});
    // The failure of another outcome (a remote reply, a sub-operation).
    void fail(const Outcome& other);
    // A thrown rj error: a protocol error is Remote, other errors Local.
    void fail(const util::Error& e);
};

}  // namespace engine
