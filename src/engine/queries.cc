#include "config.h"

#include "engine/queries.h"

#include "store/host_repo.h"
#include "store/job_repo.h"
#include "util/error.h"

namespace engine {

std::vector<store::Job> list_jobs(Engine& engine, const store::JobFilter& filter) {
    return store::JobRepo(engine.db()).list(filter);
}

int64_t count_jobs(Engine& engine, const store::JobFilter& filter) { return store::JobRepo(engine.db()).count(filter); }

std::vector<store::Job> array_tasks(Engine& engine, int64_t array_id) {
    return store::JobRepo(engine.db()).array_tasks(array_id);
}

std::optional<store::Job> find_job(Engine& engine, int64_t id) { return store::JobRepo(engine.db()).get(id); }

std::vector<std::string> hosts_with_jobs(Engine& engine) { return store::JobRepo(engine.db()).hosts_with_jobs(); }

HostStatus host_status(Engine& engine, const std::string& host) {
    store::HostState st = store::HostRepo(engine.db()).get(host);
    return {st.last_seen.value_or(0), st.offline_since.value_or(0), st.last_error};
}

}  // namespace engine
