// Everything rj knows about one job, as (label, value) facts in one order:
// `rj -b show` prints them as "label: value" lines and the interface's
// Details view draws them in two columns, so the two faces never disagree on
// what a job is. Values are the record's own text, not yet made safe for a
// terminal (each face does that its way) and may span lines (a script).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/jobs.h"
#include "store/deferred_repo.h"
#include "store/job.h"

namespace engine {

// A job's status in words, the one way both faces say it: "completed",
// "failed (exit 3)", "failed (signal 9)". Only a failure names its exit
// code or signal; other ends are their status alone.
std::string status_words(const store::Job& job);

struct JobFact {
    std::string label;  // "Status", "Ran for": sentence case, no colon (the face adds it)
    std::string value;
};

// What the job record does not hold but a face may know: the interface
// polls a running job's resource use, and keeps the state of each queue
// from the last sync. The batch mode knows neither.
struct LiveJobFacts {
    const JobUsage* usage = nullptr;  // the job's live resource use
    const QueueState* queue = nullptr;  // its queue on its host (a stopped runner is why a job waits)
    const std::vector<store::DeferredOp>* deferred = nullptr;  // operations waiting for its host to come back
};

// Both faces align values here: the longest label, its colon and a space.
inline constexpr int kJobFactLabelWidth = 14;

// `now`: the clock for a running job's elapsed time.
std::vector<JobFact> job_facts(const store::Job& job, int64_t now, const LiveJobFacts& live = {});

}  // namespace engine
