// One tick: what the laptop does whenever it looks, in one place for both
// faces. rj has no daemon; `rj -b` (tick), `sync`, `status --wait`,
// `plan --watch`, `log -f` and the UI's sync timer each run this sequence,
// with the steps they need, and only format its report:
//   1. sync the hosts (all at once, one exchange each);
//   2. carry out the operations deferred for each host that sync reached
//      (as soon as its answer lands);
//   3. once every host answered and every deferred operation finished: one
//      dispatch round (dependencies, placement, engine/dispatch.h);
//   4. the [notify] digest of every end now due (`digest = on`).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/deferred.h"
#include "engine/dispatch.h"
#include "engine/engine.h"
#include "engine/jobs.h"

namespace engine {

// Hosts a tick syncs when not told which: those with starting, running or
// pending jobs, then those with deferred operations waiting.
std::vector<std::string> hosts_with_work(Engine& engine);

struct TickRequest {
    // The hosts to sync, in the order the report lists them. An empty list
    // syncs nothing (the other steps still run).
    std::vector<std::string> hosts;
    bool deferred = true;  // step 2
    bool dispatch = true;  // step 3
    bool digest = true;    // step 4
    // For a face that shows progress (the UI), all optional and on the loop:
    // each host's answer as it lands (before its deferred operations start);
    std::function<void(const SyncReport&)> on_host;
    // each host's deferred operations once carried out;
    std::function<void(const std::string& host, const std::vector<DeferredDone>&)> on_deferred;
    // every host answered (deferred operations and dispatch may still run).
    std::function<void()> on_synced;
};

struct TickReport {
    struct Ended {
        int64_t id = 0;
        std::string host;
    };
    struct Started {
        std::string host;
        int count = 0;  // pending jobs the sync started there
    };
    std::vector<SyncReport> hosts;      // hosts synced: one each, in the request's order
    std::vector<Ended> ended;           // jobs whose end the sync recorded, host by host
    std::vector<Started> started;       // hosts where pending jobs started
    std::vector<DeferredDone> deferred; // deferred operations done or failed (not those still waiting), host by host
    bool dispatched = false;            // step 3 ran
    DispatchReport dispatch;            // its changes
    std::vector<int64_t> notified;      // jobs whose end went out in the digest
    int unreachable() const;            // hosts the sync did not reach
};

// Runs one tick; `done` once, on the loop, when every step finished.
void tick(Engine& engine, TickRequest request, std::function<void(TickReport)> done);

}  // namespace engine
