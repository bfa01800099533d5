// Usage accounting (`rj -b acct`): jobs that ended in a window, summed by
// host, day, tag or status, from what the wrappers measured.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "store/job.h"

namespace engine {

struct AcctQuery {
    std::optional<int64_t> since, until;  // end time in [since, until)
    std::string host, tag;                // empty: any
    std::string by;                       // "" (one total) | host | day | tag | status
};

// One group's sums. A job is allotted one CPU core while it runs (rj
// reserves none), so CPU efficiency is CPU time ÷ wall time and a job
// using four cores reads 400%. Its GPUs are the ones the queue runner gave
// it, else the ones its processes were seen on; GPU efficiency is their
// measured utilisation over those GPU hours (a GPU given but never used
// counts as idle).
struct AcctRow {
    std::string key;  // the group ("" for the total)
    int64_t jobs = 0;
    int64_t succeeded = 0;  // completed
    int64_t failed = 0;     // failed, timeout, dead (killed and cancelled are neither)
    double wall_s = 0, cpu_s = 0, gpu_s = 0;
    double gpu_busy_s = 0;  // GPU seconds × utilisation
    std::optional<double> cpu_efficiency() const;  // 0.5 = 50%; none without wall time
    std::optional<double> gpu_efficiency() const;  // none without GPU time
};

struct AcctReport {
    std::string by;
    std::vector<AcctRow> groups;  // sorted by key (days and statuses in their order)
    AcctRow total;                // every job once (a job with two tags is in two tag groups)
};

// "7d" (back from now) or a local date or time ("2026-11-30",
// "2026-11-30 14:00", "2026-11-30T14:00:05") as epoch seconds; a
// UsageError naming `field` otherwise.
int64_t parse_time_bound(const std::string& text, const std::string& field, int64_t now);
// Throws a UsageError naming --by unless `by` is "", host, day, tag or status.
void check_acct_grouping(const std::string& by);

// The sums over `jobs` (the pure part, for tests).
AcctReport account(const std::vector<store::Job>& jobs, const std::string& by);
// The jobs of the query from the database, summed.
AcctReport accounting(Engine& engine, const AcctQuery& query);

// Tags (`run --tag`): 1-64 letters, digits and . _ - + : (not starting
// with '-'); at most 16 per job. Throws a UsageError naming --tag.
void check_tag(const std::string& tag);

}  // namespace engine
