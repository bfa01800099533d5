#include "config.h"

#include "engine/outcome.h"

#include "remote/protocol.h"
#include "util/error.h"

namespace engine {

const char* to_string(FailureKind kind) {
    switch (kind) {
    case FailureKind::None: return "ok";
    case FailureKind::Unreachable: return "unreachable";
    case FailureKind::Trust: return "trust";
    case FailureKind::Remote: return "remote";
    case FailureKind::Refused: return "refused";
    case FailureKind::Local: return "local";
    case FailureKind::Workdir: return "workdir";
    }
    return "unknown";
}

void Outcome::fail(FailureKind k, std::string message, std::string how_to_fix) {
    if (failed()) return;
    kind = k == FailureKind::None ? FailureKind::Local : k;
    error = std::move(message);
    hint = std::move(how_to_fix);
}

void Outcome::fail(const Outcome& other) {
    if (!other.failed()) return;
    fail(other.kind, other.error, other.hint);
}

void Outcome::fail(const util::Error& e) {
    bool protocol = dynamic_cast<const remote::ProtocolError*>(&e) != nullptr;
    fail(protocol ? FailureKind::Remote : FailureKind::Local, e.what(), e.hint());
}

}  // namespace engine
