// Jobs the laptop places or releases: `run --pool`, `@POOL`, `--require`,
// and `--after` naming jobs of other hosts. They are recorded as pending
// here (laptop_wait) and handed to a dispatch round at once; what cannot go
// now waits, with its reason, for the next round (the UI's loop, `rj -b`).
#include "config.h"

#include <algorithm>

#include "engine/dispatch.h"
#include "engine/job_start.h"
#include "engine/job_state.h"
#include "engine/slurm.h"
#include "engine/notifications.h"
#include "engine/lifecycle.h"
#include "store/job_repo.h"
#include "util/error.h"

namespace engine {

namespace {

// Dependencies as job ids (an array stands for its tasks); each must exist.
std::vector<int64_t> resolve(store::JobRepo& jobs, const std::vector<int64_t>& ids, const char* field) {
    std::vector<int64_t> out;
    for (int64_t id : ids) {
        auto job = jobs.get(id);
        if (!job) throw util::UsageError::in(field, "there is no job " + std::to_string(id), "the job list shows the jobs");
        if (job->is_array()) {
            for (const auto& t : jobs.array_tasks(id)) out.push_back(t.id);
        } else {
            out.push_back(id);
        }
    }
    return out;
}

}  // namespace

bool needs_laptop(Engine& engine, const SubmitRequest& r) {
    if (!r.pool.empty()) return true;
    // A cluster's scheduler allocates what --require asks (engine/slurm_submit.cc).
    if (!r.require.empty() && !is_slurm_host(engine, r.host)) return true;
    // A dependency the host's runner cannot see: another host's (or
    // directory's) job, or one the laptop itself still holds.
    store::JobRepo jobs(engine.db());
    for (const auto* list : {&r.queue.after_ok, &r.queue.after_any, &r.queue.after_fail})
        for (int64_t id : *list) {
            auto job = jobs.get(id);
            if (!job) continue;  // the normal path names it
            if (job->laptop_wait || job->host != r.host) return true;
            if (!job->is_array() && remote_dir_of(engine, *job) != new_job_dir(engine, r.host)) return true;
        }
    return false;
}

void submit_laptop_held(Engine& engine, SubmitRequest r, std::function<void(SubmitResult)> done) {
    validate_job_fields(r);
    const auto& cfg = engine.config();
    if (!r.pool.empty()) {
        auto it = cfg.pools.find(r.pool);
        if (it == cfg.pools.end() || it->second.hosts.empty()) {
            std::string known;
            for (const auto& [name, p] : cfg.pools) known += (known.empty() ? "" : ", ") + name;
            throw util::UsageError::in("pool", "there is no pool '" + r.pool + "' in the config",
                                       known.empty() ? "add one: [pool " + r.pool + "] with hosts = HOST1, HOST2"
                                                     : "pools: " + known);
        }
        for (const auto& h : it->second.hosts) engine.require_known_host(h);
    } else {
        engine.require_known_host(r.host);
    }
    if (r.queue.hold) throw util::UsageError::in("hold", "does not apply to jobs rj places itself (pools, --require, "
                                                         "dependencies on other hosts)");
    Requirement req;
    if (!r.require.empty()) req = Requirement::parse(r.require);
    if (r.queue.gpus > 0) {
        if (req.gpus > 0 && req.gpus != r.queue.gpus)
            throw util::UsageError::in("gpus", "says " + std::to_string(r.queue.gpus) + " but --require says gpu:" +
                                                   std::to_string(req.gpus));
        req.gpus = r.queue.gpus;
    }
    std::optional<ArraySpec> array;
    if (!r.queue.array.empty()) array = parse_array_spec(r.queue.array);

    store::JobRepo jobs(engine.db());
    // A pool job's host is chosen later: it is recorded on "@POOL", with no
    // directory, prelude or notify policy of a host yet (its first host's for now).
    SubmitRequest as_recorded = r;
    as_recorded.host = r.pool.empty() ? r.host : cfg.pools.at(r.pool).hosts.front();
    as_recorded.queue_on_fail = false;
    store::Job job = job_from_request(engine, as_recorded);
    if (!r.pool.empty()) {
        job.host = "@" + r.pool;
        job.remote_dir.clear();
        job.prelude.clear();  // the placement copies the chosen host's and the pool's
    }
    job.pool = r.pool;
    job.require = req.text();
    job.laptop_wait = true;
    job.priority = r.queue.priority;
    job.after_ok = resolve(jobs, r.queue.after_ok, "after");
    job.after_any = resolve(jobs, r.queue.after_any, "after-any");
    job.after_fail = resolve(jobs, r.queue.after_fail, "after-fail");
    if (r.queue.explicit_queue) {
        remote::check_queue_name(r.queue.name);
        job.queue = r.queue.name;
    }
    job.status = lifecycle::created(lifecycle::Event::CreatedHeld);
    job.queue_reason = "waiting for rj to place it";

    SubmitResult result;
    result.laptop_held = true;
    {
        store::Transaction tx(engine.db());
        if (array) {
            store::Job parent = job;
            parent.array_spec = r.queue.array;
            parent.laptop_wait = false;
            parent.notify.clear();
            parent.status = lifecycle::created(lifecycle::Event::CreatedArray);
            jobs.insert(parent);
            result.job_id = parent.id;
            for (int64_t t : array->tasks) {
                store::Job task = job;
                task.array_id = parent.id;
                task.array_task = t;
                jobs.insert(task);
                result.task_ids.push_back(task.id);
            }
        } else {
            jobs.insert(job);
            result.job_id = job.id;
        }
        tx.commit();
    }
    dispatch(engine, [&engine, result, done = std::move(done)](DispatchReport report) mutable {
        store::JobRepo repo(engine.db());
        int64_t first = result.task_ids.empty() ? result.job_id : result.task_ids.front();
        if (!result.task_ids.empty()) lifecycle::follow_tasks(repo, result.job_id);
        if (auto j = repo.get(first)) {
            if (j->laptop_wait) {
                result.waiting = j->queue_reason;
                if (report.busy) result.waiting = "another rj process is placing jobs; the next round places it";
            } else if (j->status == store::status::cancelled) {
                result.fail(FailureKind::Refused, "job " + std::to_string(first) + " was cancelled: " + j->error);
            } else if (j->status == store::status::failed) {
                result.fail(FailureKind::Remote, j->error);
            } else {
                result.placed_host = j->host;
                result.started = true;
            }
        }
        done(std::move(result));
    });
}

}  // namespace engine
