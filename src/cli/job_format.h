// How jobs look in batch output: table cells, `show` lines and the stable
// JSON form (documented in man/rj.1, JSON OUTPUT).
#pragma once

#include <string>
#include <vector>

#include "engine/job_facts.h"
#include "store/job.h"

namespace cli {

// "12m03s" running for / "3h ago" ended / "-" never started.
std::string job_time_cell(const store::Job& job, int64_t now);
// The description when there is one, else the command.
std::string job_what_cell(const store::Job& job);
// The fraction done by its progress pattern as of the last sync ("37%"), "-" when unknown.
std::string job_percent_cell(const store::Job& job);
// One JSON object per job, keys in a fixed order.
std::string job_json(const store::Job& job);
// `rj -b show` human form: one "label: value" line per fact, values aligned
// and made visible (control bytes escaped).
std::string fact_lines(const std::vector<engine::JobFact>& facts);
// Process exit status that mirrors the job: 0 completed, its exit code when
// it failed with one, 128+signal when signalled, 1 otherwise.
int job_exit_status(const store::Job& job);

}  // namespace cli
