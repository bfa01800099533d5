// Submitting a plan (engine/plan.h): check everything, kill, then submit in
// order — a series entry names the job before it (same host: the host's
// runner waits for it), `after:` names earlier entries (any host: the
// laptop waits for them when they are elsewhere).
#include "config.h"

#include <ctime>
#include <map>
#include <memory>

#include "engine/job_start.h"
#include "engine/jobs.h"
#include "engine/plan.h"
#include "remote/protocol.h"
#include "store/job_repo.h"
#include "util/error.h"

namespace engine {

namespace {

SubmitRequest request_of(Engine& engine, const PlanJob& j, const PlanSubmitOptions& options) {
    SubmitRequest r;
    r.host = j.pool.empty() ? j.host : "@" + j.pool;
    r.pool = j.pool;
    r.command = j.command;
    r.workdir = j.dir.empty() ? "~" : j.dir;
    r.description = j.description;
    r.env = j.env;
    r.timeout_s = engine.config().default_timeout.count();
    r.require = j.require;
    if (j.in_series || j.queue_only || !j.queue.empty() || !j.array.empty()) {
        r.queue.enabled = true;
        r.queue.explicit_queue = j.in_series || j.queue_only || !j.queue.empty();
        r.queue.name = j.queue.empty() ? "default" : j.queue;
        r.queue.no_start = options.no_queue_start;
        r.queue.array = j.array;
    }
    return r;
}

// Everything a submit would refuse, refused now, before anything runs.
void check(Engine& engine, const Plan& plan, const PlanSubmitOptions& options) {
    store::JobRepo jobs(engine.db());
    for (int64_t id : plan.kill)
        if (!jobs.get(id)) throw util::UsageError("kill: there is no job " + std::to_string(id), "the job list shows the jobs");
    for (const PlanJob& j : plan.jobs) {
        auto at = [&](const std::string& what, const std::string& hint) {
            throw util::UsageError(j.path + " (line " + std::to_string(j.line) + "): " + what, hint);
        };
        SubmitRequest r = request_of(engine, j, options);
        try {
            if (j.pool.empty()) engine.require_known_host(j.host);
            else if (!engine.config().pools.count(j.pool))
                at("there is no pool '" + j.pool + "' in the config", "add [pool " + j.pool + "] with hosts = ...");
            validate_job_fields(r);
            if (r.queue.enabled) remote::check_queue_name(r.queue.name);
        } catch (const util::UsageError& e) {
            if (std::string(e.what()).rfind(j.path, 0) == 0) throw;
            at(e.what(), e.hint());
        }
    }
}

struct PlanRun {
    Engine& engine;
    Plan plan;
    PlanSubmitOptions options;
    std::function<void(PlanResult)> done;
    PlanResult result;
    std::map<std::string, int64_t> ids_by_name;
    std::vector<int64_t> ids;  // per plan job (0: not submitted)
    size_t next = 0;
};

void submit_next(const std::shared_ptr<PlanRun>& run) {
    if (run->next >= run->plan.jobs.size()) {
        auto d = std::move(run->done);
        d(std::move(run->result));
        return;
    }
    size_t i = run->next++;
    const PlanJob& j = run->plan.jobs[i];
    PlanEntryResult entry;
    entry.entry = j.label();
    entry.block = j.block;
    entry.host = j.pool.empty() ? j.host : "@" + j.pool;
    SubmitRequest r = request_of(run->engine, j, run->options);
    r.plan = run->result.label;
    std::string missing;
    if (j.in_series && j.series_prev >= 0) {
        int64_t prev = run->ids[static_cast<size_t>(j.series_prev)];
        if (prev == 0) missing = "the job before it in its series was not submitted";
        else (j.series_any ? r.queue.after_any : r.queue.after_ok).push_back(prev);
    }
    for (const auto& name : j.after) {
        int64_t id = run->ids_by_name.count(name) ? run->ids_by_name[name] : 0;
        if (id == 0) missing = "its after: job '" + name + "' was not submitted";
        else r.queue.after_ok.push_back(id);
    }
    if (!j.after.empty() && !r.queue.enabled) r.queue.enabled = true;  // dependencies need a waiter
    auto finish = [run, i, entry](PlanEntryResult e) mutable {
        run->ids[i] = e.job_id;
        const PlanJob& pj = run->plan.jobs[i];
        if (!pj.name.empty()) run->ids_by_name[pj.name] = e.job_id;
        run->result.entries.push_back(std::move(e));
        submit_next(run);
    };
    if (!missing.empty()) {
        entry.how = "not submitted";
        entry.error = missing;
        return finish(std::move(entry));
    }
    try {
        submit(run->engine, std::move(r), [finish, entry](SubmitResult s) mutable {
            entry.job_id = s.job_id;
            if (!s.placed_host.empty()) entry.host = s.placed_host;
            if (!s.ok() && !s.pending) {
                entry.how = "not submitted";
                entry.error = s.error;
                entry.job_id = 0;
            } else if (s.pending) {
                entry.how = "pending";
                entry.error = "host unreachable: " + s.error;
            } else if (s.laptop_held && s.placed_host.empty()) {
                entry.how = "pending";
                entry.error = s.waiting;
            } else if (s.in_queue) {
                entry.how = "queued";
            } else {
                entry.how = "started";
            }
            finish(std::move(entry));
        });
    } catch (const util::Error& e) {
        entry.how = "not submitted";
        entry.error = e.what();
        finish(std::move(entry));
    }
}

}  // namespace

PlanPreview preview_plan(Engine& engine, const Plan& plan, const PlanSubmitOptions& options) {
    check(engine, plan, options);
    PlanPreview p;
    store::JobRepo jobs(engine.db());
    for (int64_t id : plan.kill)
        if (auto j = jobs.get(id)) p.kill.push_back(*j);
    for (const PlanJob& j : plan.jobs) {
        PlanPreviewEntry e;
        e.entry = j.label();
        e.block = j.block;
        e.host = j.pool.empty() ? j.host : "@" + j.pool;
        e.array = j.array;
        SubmitRequest r = request_of(engine, j, options);
        if (!j.pool.empty()) e.how = "place in pool " + j.pool;
        else if (r.queue.enabled || !j.after.empty()) e.how = "queue " + r.queue.name;
        else e.how = "start";
        if (j.in_series && j.series_prev >= 0)
            e.after.push_back(plan.jobs[static_cast<size_t>(j.series_prev)].label() + (j.series_any ? " (any end)" : ""));
        for (const auto& name : j.after) e.after.push_back(name);
        p.entries.push_back(std::move(e));
    }
    return p;
}

void submit_plan(Engine& engine, Plan plan, PlanSubmitOptions options, std::function<void(PlanResult)> done) {
    check(engine, plan, options);
    auto run = std::make_shared<PlanRun>(PlanRun{engine, std::move(plan), options, std::move(done), {}, {}, {}, 0});
    run->ids.assign(run->plan.jobs.size(), 0);
    {
        std::time_t t = std::time(nullptr);
        std::tm tm{};
        localtime_r(&t, &tm);
        char when[32];
        std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        std::string name = options.name.empty() ? "plan" : options.name;
        size_t slash = name.rfind('/');
        if (slash != std::string::npos) name = name.substr(slash + 1);
        run->result.label = name + " " + when;
    }
    if (run->plan.kill.empty()) return submit_next(run);
    auto left = std::make_shared<size_t>(run->plan.kill.size());
    kill_jobs(engine, run->plan.kill, [run, left](KillResult k) {
        if (k.ok()) run->result.killed.push_back(k.id);
        else run->result.kill_errors.push_back("job " + std::to_string(k.id) + ": " + k.error);
        if (--*left == 0) submit_next(run);
    });
}

}  // namespace engine
