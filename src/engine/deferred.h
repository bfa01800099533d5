// Deferred operations (store/deferred_repo.h): what a user aimed at a host
// rj could not reach — kill, hold, release, move — is kept and carried out by the
// next sync that reaches the host (`rj -b`, `rj -b sync`, the interface),
// unless cancelled first.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "store/deferred_repo.h"

namespace engine {

// Records `op` on job `id` of `host`; the id of the deferred operation.
int64_t defer_operation(Engine& engine, const std::string& host, int64_t id, const std::string& op,
                        const std::string& arg = "");
// The message a deferred operation answers with.
std::string deferred_message(const std::string& op, const std::string& host, const std::string& why, int64_t deferred_id);

std::vector<store::DeferredOp> waiting_deferred(Engine& engine);
std::vector<store::DeferredOp> deferred_for_job(Engine& engine, int64_t job_id);
std::vector<std::string> hosts_with_deferred(Engine& engine);
size_t deferred_for_host_count(Engine& engine, const std::string& host);
// Throws util::UsageError when there is no such waiting operation.
void cancel_deferred(Engine& engine, int64_t deferred_id);

struct DeferredDone {
    store::DeferredOp op;
    bool ok = false;
    bool still_waiting = false;  // the host went away again: it stays deferred
    std::string message;
};
// Carries out the operations waiting for `host` (call once a sync reached it).
void carry_out_deferred(Engine& engine, const std::string& host, std::function<void(std::vector<DeferredDone>)> done);

}  // namespace engine
