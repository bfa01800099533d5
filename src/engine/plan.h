// Plans: a batch of jobs described in YAML (the plan format of
// osteele/remote-jobs, version 1, accepted unchanged), submitted at once.
// rj's extensions: `when:` is honoured as a placement condition, and a job
// may say `pool:`, `require:`, `array:` and `after:` (plan names).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/outcome.h"
#include "store/job.h"

namespace engine {

struct PlanJob {
    // As written (after the block's dir and env were applied).
    std::string name, host, command, dir, description, queue, pool, require, array;
    std::vector<std::pair<std::string, std::string>> env;
    bool queue_only = false;
    std::vector<std::string> after;  // plan names of earlier entries (rj extension)
    // Where it came from, for messages: "jobs[2].series.jobs[1]" and its line.
    std::string path;
    int line = 0;
    // Filled by the parser: its block, and in a series the entry before it.
    std::string block;         // the parallel/series name ("" for a lone job)
    int series_prev = -1;      // index in Plan::jobs of the previous job of its series
    bool series_any = false;   // wait: any (else success)
    bool in_series = false;
    std::string label() const { return name.empty() ? command : name; }
};

struct Plan {
    std::vector<int64_t> kill;
    std::vector<PlanJob> jobs;  // in order
};

// Parses and checks a plan; `origin` names it in messages ("plan.yaml", "-").
// Jobs without a host take `default_host`. Throws util::UsageError
// "ORIGIN:LINE:COLUMN: PATH: reason" for anything wrong; nothing is run.
Plan parse_plan(const std::string& text, const std::string& origin, const std::string& default_host);

struct PlanSubmitOptions {
    bool no_queue_start = false;  // leave queue runners alone
    std::string name;             // the plan's file name; its jobs record "NAME YYYY-MM-DD HH:MM:SS"
};

struct PlanEntryResult {
    std::string entry;    // name, or the command
    std::string block;
    std::string host;     // where it runs ("@pool" while placed by rj)
    int64_t job_id = 0;   // 0: not submitted
    std::string how;      // started | queued | pending | not submitted
    std::string error;
};

struct PlanResult : Outcome {
    std::string label;  // what its jobs record as their plan ("train.yaml 2026-12-02 09:14:03"; search finds them)
    std::vector<int64_t> killed;
    std::vector<std::string> kill_errors;
    std::vector<PlanEntryResult> entries;
};

// What a plan would do, for `plan submit --dry-run` and for the kill list
// printed before the kill: the jobs of `kill:` as they are now, and per entry
// where it would go and how.
struct PlanPreviewEntry {
    std::string entry;               // name, or the command
    std::string block;
    std::string host;                // its host, or "@pool" (rj places it)
    std::string how;                 // start | queue NAME | place in pool NAME
    std::string array;               // its array SPEC, if any
    std::vector<std::string> after;  // entries it waits for ("first", "first (any end)")
};
struct PlanPreview {
    std::vector<store::Job> kill;  // as recorded now (an array: its own row)
    std::vector<PlanPreviewEntry> entries;
};
// Checks the plan as submit_plan does (throws the same util::UsageError) and
// says what it would kill and submit. Reads the database; writes nothing and
// contacts no host.
PlanPreview preview_plan(Engine& engine, const Plan& plan, const PlanSubmitOptions& options);

// Checks every host, pool, name and dependency first (throws
// util::UsageError before anything is killed or submitted), then kills,
// then submits in order.
void submit_plan(Engine& engine, Plan plan, PlanSubmitOptions options, std::function<void(PlanResult)> done);

}  // namespace engine
