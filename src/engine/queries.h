// What the faces (cli/, tui/) may read: the engine's queries over the local
// history and host state. Faces never open a repository or an SSH session
// themselves; they ask here, so every rule about jobs and hosts lives below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "store/job.h"

namespace engine {

// A page of jobs, newest first (keyset paged: see store::JobFilter).
std::vector<store::Job> list_jobs(Engine& engine, const store::JobFilter& filter);
int64_t count_jobs(Engine& engine, const store::JobFilter& filter);
// The tasks of array `array_id`, by task number.
std::vector<store::Job> array_tasks(Engine& engine, int64_t array_id);
// The job, or nullopt when there is no such id.
std::optional<store::Job> find_job(Engine& engine, int64_t id);
// Hosts that have had jobs, sorted.
std::vector<std::string> hosts_with_jobs(Engine& engine);

// What rj last knew of a host (0: never).
struct HostStatus {
    int64_t last_seen = 0;
    int64_t offline_since = 0;
    std::string last_error;
};
HostStatus host_status(Engine& engine, const std::string& host);

}  // namespace engine
