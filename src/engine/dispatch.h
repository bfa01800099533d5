// What the laptop decides across hosts, whenever it is awake (the UI's loop,
// `rj -b` from cron): no daemon runs anywhere. One dispatch round releases
// jobs whose dependencies on other hosts' jobs are met (or cancels them),
// and places pool and --require jobs on the host with the most free
// capacity, from fresh probes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/outcome.h"
#include "engine/placement.h"
#include "store/job.h"

namespace engine {

// What a host has free now (`rj -b hosts --free`, placement).
struct HostFreeReport : Outcome {
    HostCapacity capacity;
    int64_t probed_at = 0;
    int active_jobs = 0;       // rj jobs running or waiting there (this database)
    int64_t last_job_end = 0;  // when an rj job last ended there (0: none recorded)
};
void probe_free(Engine& engine, const std::string& host, std::function<void(HostFreeReport)> done);

struct DispatchReport {
    struct Change {
        int64_t id = 0;
        std::string text;  // "started on alpha (GPUs 0,1)", "cancelled: job 12 failed"
    };
    std::vector<Change> changes;
    int waiting = 0;         // laptop-held jobs still waiting after this round
    bool busy = false;       // another rj process was dispatching: this one left placement to it
};
void dispatch(Engine& engine, std::function<void(DispatchReport)> done);

// Whether a job's dependencies (after_ok, after_any, after_fail; any host)
// are met, cannot be met any more, or still wait, with the reason.
struct DependencyState {
    enum class Kind { Ready, Waiting, Never } kind = Kind::Ready;
    std::string reason;
};
DependencyState dependency_state(Engine& engine, const store::Job& job);

}  // namespace engine
