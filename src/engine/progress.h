// Progress and stalls of running jobs, from what a sync reads of their logs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "remote/protocol.h"
#include "store/job.h"

namespace engine {

// The fraction done by the job's progress pattern in the log tail the sync
// brought (nullopt: no pattern, or no line matches). This is where patterns
// run: call it before opening a write transaction, never inside one.
std::optional<double> fraction_from_log(const store::Job& job, const remote::LogState& log);

// The job's new live state from one sync's look at its log (`log`, the
// host's clock at `host_now`, ours at `now`): how long its log has been
// quiet, its fraction done (`fraction`, from fraction_from_log; kept from
// before when nullopt), and whether it counts as stalled (`stall_after` > 0
// and quiet that long; the first moment is kept while it stays so). Matches
// nothing: safe inside a transaction.
store::Job::Live live_from_sync(const store::Job& job, const remote::LogState& log, std::optional<double> fraction,
                                int64_t host_now, int64_t now, std::chrono::seconds stall_after);

// Checks a `run --progress` pattern: a UsageError naming "progress" when it cannot serve.
void check_progress_pattern(const std::string& pattern);

// "37%" and, when it ran long enough to say, " ETA 1h02m" (empty without a fraction).
std::string progress_text(const store::Job& job, int64_t now);

}  // namespace engine
