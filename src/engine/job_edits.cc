// Local-only job operations and request validation helpers.
#include "config.h"

#include <cctype>

#include "engine/jobs.h"
#include "store/job_repo.h"
#include "util/error.h"

namespace engine {

store::Job get_job(Engine& engine, int64_t id) {
    store::JobRepo jobs(engine.db());
    auto job = jobs.get(id);
    if (!job) throw util::Error("no job with id " + std::to_string(id), "the job list shows the jobs rj knows", 1);
    return *job;
}

void describe(Engine& engine, int64_t id, const std::string& text) {
    store::Job job = get_job(engine, id);
    job.description = text;
    store::JobRepo(engine.db()).update(job);
}

void forget(Engine& engine, int64_t id) {
    get_job(engine, id);
    store::JobRepo(engine.db()).remove(id);
}

SubmitRequest request_from_job(const store::Job& job) {
    SubmitRequest r;
    r.host = job.host;
    r.command = job.command;
    r.workdir = job.workdir;
    r.description = job.description;
    r.env = job.env;
    r.timeout_s = job.timeout_s;
    r.queue_on_fail = job.queue_on_fail;
    r.from_job = job.id;
    r.idle_timeout_s = job.idle_timeout_s;
    r.tags = job.tags;
    r.progress = job.progress.empty() ? "none" : job.progress;
    // Back into the same queue, with its priority and GPUs (not its
    // dependencies: they were about the first run).
    if (!job.queue.empty()) {
        r.queue.enabled = true;
        r.queue.name = job.queue;
        r.queue.priority = job.priority;
        r.queue.gpus = job.gpus;
        r.queue.array = job.array_spec;
    }
    return r;
}

std::pair<std::string, std::string> parse_env_assignment(const std::string& text) {
    auto eq = text.find('=');
    if (eq == std::string::npos)
        throw util::UsageError::in("env", "'" + text + "' has no '='", "write environment variables as NAME=VALUE");
    std::string name = text.substr(0, eq);
    bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) valid = false;
    if (!valid)
        throw util::UsageError::in("env", "'" + text + "': '" + name + "' is not a valid variable name",
                               "names use letters, digits and '_', and do not start with a digit");
    return {name, text.substr(eq + 1)};
}

}  // namespace engine
