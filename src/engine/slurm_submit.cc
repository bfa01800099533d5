// Submitting to a SLURM cluster: rj's flags become sbatch's own options,
// the job is recorded, then sent with one sbatch on the login node.
#include "config.h"

#include <memory>

#include "engine/job_start.h"
#include "engine/notifications.h"
#include "engine/placement.h"
#include "engine/slurm.h"
#include "engine/lifecycle.h"
#include "store/database.h"
#include "util/error.h"

namespace engine {

namespace {

// Flags of the per-host queues that SLURM has no meaning for: refused
// before anything is recorded or sent.
void refuse_without_slurm_meaning(const SubmitRequest& r) {
    const std::string hint = r.host + " is a SLURM cluster (scheduler = slurm): SLURM schedules its jobs";
    const QueueRequest& q = r.queue;
    if (q.enabled && q.name != "default")
        throw util::UsageError::in("queue", "a SLURM cluster has no rj queues",
                                   "choose the partition with partition = in its [host " + r.host + "] section; " + hint);
    if (q.slots > 0) throw util::UsageError::in("slots", "has no meaning on a SLURM cluster", hint);
    if (q.priority != 0) throw util::UsageError::in("priority", "has no meaning on a SLURM cluster", hint);
    if (q.no_start) throw util::UsageError::in("no-start", "has no meaning on a SLURM cluster", hint);
    if (r.exact_from)
        throw util::UsageError("restart --exact is not available on a SLURM cluster",
                               "rerun the job without --exact; " + hint);
}

using remote::slurm_time;

// The SLURM ids of jobs another job waits for (same host and directory, each
// already accepted by SLURM; an array stands for all its tasks).
std::string slurm_ids_of(Engine& engine, const std::string& host, const std::vector<int64_t>& ids, const char* field) {
    store::JobRepo jobs(engine.db());
    remote::RemoteDir here = new_job_dir(engine, host);
    std::string out;
    for (int64_t id : ids) {
        auto job = jobs.get(id);
        if (!job) throw util::UsageError::in(field, "there is no job " + std::to_string(id), "the job list shows the jobs");
        if (job->host != host || remote_dir_of(engine, *job) != here)
            throw util::UsageError::in(field, "job " + std::to_string(id) + " runs on " + job->host + ", not " + host,
                                       "SLURM dependencies are between jobs of the same cluster");
        std::string sid = job->slurm_id;
        if (auto u = sid.find('_'); job->is_array() && u != std::string::npos) sid = sid.substr(0, u);
        if (sid.empty())
            throw util::UsageError::in(field, "job " + std::to_string(id) + " has no SLURM id yet",
                                       "wait until SLURM accepted it (the next sync records its id)");
        out += ":" + sid;
    }
    return out;
}

struct SlurmPlan {
    std::vector<std::string> options;
    std::optional<ArraySpec> array;
};

SlurmPlan plan(Engine& engine, const SubmitRequest& r) {
    const store::SlurmSettings& s = *engine.config().slurm_for(r.host);
    SlurmPlan p;
    if (!s.partition.empty()) p.options.push_back("--partition=" + s.partition);
    if (!s.account.empty()) p.options.push_back("--account=" + s.account);
    if (!s.qos.empty()) p.options.push_back("--qos=" + s.qos);
    for (const auto& o : s.extra) p.options.push_back(o);
    if (r.timeout_s > 0) p.options.push_back("--time=" + slurm_time(r.timeout_s));
    const QueueRequest& q = r.queue;
    if (q.gpus < 0 || q.gpus > 64) throw util::UsageError::in("gpus", "must be between 0 and 64");
    // --require: SLURM allocates what the job needs (rj does not place on a
    // cluster); gpu:N as --gpus, cpu:N -> --cpus-per-task, mem:M -> --mem in MiB.
    Requirement req;
    if (!r.require.empty()) req = Requirement::parse(r.require);
    if (req.cpu_below || req.gpu_when)
        throw util::UsageError::in("require", "a SLURM cluster allocates resources, it does not wait for a load: " +
                                                  req.text() + " has no SLURM meaning",
                                   "give gpu:N, cpu:N and mem:SIZE only");
    int gpus = q.gpus > 0 ? q.gpus : req.gpus;
    if (q.gpus > 0 && req.gpus > 0 && q.gpus != req.gpus)
        throw util::UsageError::in("gpus", "says " + std::to_string(q.gpus) + " but --require says gpu:" + std::to_string(req.gpus));
    if (gpus > 0) p.options.push_back("--gres=gpu:" + std::to_string(gpus));
    if (req.cpus > 0) p.options.push_back("--cpus-per-task=" + std::to_string(req.cpus));
    if (req.mem_bytes > 0)
        p.options.push_back("--mem=" + std::to_string((req.mem_bytes + (1 << 20) - 1) >> 20) + "M");
    std::string dep;
    auto add_dep = [&](const char* kind, const std::vector<int64_t>& ids, const char* field) {
        if (ids.empty()) return;
        dep += (dep.empty() ? "" : ",") + std::string(kind) + slurm_ids_of(engine, r.host, ids, field);
    };
    add_dep("afterok", q.after_ok, "after");
    add_dep("afterany", q.after_any, "after-any");
    add_dep("afternotok", q.after_fail, "after-fail");
    if (!dep.empty()) p.options.push_back("--dependency=" + dep);
    if (q.hold) p.options.push_back("--hold");
    if (!q.array.empty()) {
        p.array = parse_array_spec(q.array);
        p.options.push_back("--array=" + q.array);  // rj's array syntax is SLURM's
    }
    return p;
}

// Sends `jobs` (one job, or the tasks of one array) with one sbatch; on
// success records the SLURM ids and makes them `queued` (SLURM's PENDING).
void send(Engine& engine, std::vector<store::Job> jobs, SlurmPlan p, std::optional<int64_t> array_row,
          std::function<void(SubmitResult, RemoteReply)> done) {
    remote::SlurmSubmit sub;
    sub.options = p.options;
    sub.time_limit_s = jobs.front().timeout_s;
    if (array_row)
        for (const auto& t : jobs) {
            sub.ids.push_back(t.id);
            sub.tasks.push_back(t.array_task.value_or(0));
        }
    std::string script = remote::slurm_submit_script(spec_of(engine, jobs.front()), sub);
    std::string host = jobs.front().host;
    bool held = false;
    for (const auto& o : p.options) held = held || o == "--hold";
    engine.run_script(host, std::move(script), std::chrono::seconds(60),
                      [&engine, jobs = std::move(jobs), array_row, held, done = std::move(done)](RemoteReply reply) {
        SubmitResult result;
        result.job_id = array_row.value_or(jobs.front().id);
        if (!reply.ok()) {
            result.fail(reply);
            return done(std::move(result), std::move(reply));
        }
        remote::SlurmSubmitReply sr;
        try {
            sr = remote::parse_slurm_submit(reply.out);
        } catch (const util::Error& e) {
            result.fail(e);
            return done(std::move(result), std::move(reply));
        }
        if (!sr.ok) {
            result.fail(FailureKind::Remote, sr.error);
            return done(std::move(result), std::move(reply));
        }
        store::JobRepo repo(engine.db());
        store::Transaction tx(engine.db());
        std::string reason = held ? "PENDING (JobHeldUser)" : "PENDING";
        for (const auto& j : jobs) {
            std::string sid = sr.slurm_id + (array_row ? "_" + std::to_string(j.array_task.value_or(0)) : "");
            repo.set_slurm_id(j.id, sid);
            lifecycle::apply(repo, j.id, lifecycle::Event::Sent);
            repo.set_queue_state(j.id, held, reason);
            result.task_ids.push_back(j.id);
        }
        if (array_row) {
            repo.set_slurm_id(*array_row, sr.slurm_id);
            lifecycle::follow_tasks(repo, *array_row);
        } else {
            result.task_ids.clear();
        }
        tx.commit();
        result.started = true;
        result.in_queue = true;
        result.slurm_id = sr.slurm_id;
        done(std::move(result), std::move(reply));
    });
}

}  // namespace

bool is_slurm_host(const Engine& engine, const std::string& host) { return engine.config().slurm_for(host) != nullptr; }

void submit_to_slurm(Engine& engine, SubmitRequest r, std::function<void(SubmitResult)> done) {
    refuse_without_slurm_meaning(r);
    SlurmPlan p = plan(engine, r);  // throws for bad flags: nothing recorded yet

    store::Job job = job_from_request(engine, r);
    job.queue_on_fail = r.queue_on_fail && !p.array;
    job.gpus = r.queue.gpus;
    job.held = r.queue.hold;
    job.after_ok = r.queue.after_ok;
    job.after_any = r.queue.after_any;
    job.after_fail = r.queue.after_fail;
    std::vector<store::Job> batch;
    std::optional<int64_t> array_row;
    {
        store::JobRepo jobs(engine.db());
        store::Transaction tx(engine.db());
        if (p.array) {
            store::Job parent = job;
            parent.array_spec = r.queue.array;
            parent.notify.clear();  // never on a host: its tasks notify
            parent.status = lifecycle::created(lifecycle::Event::CreatedArray);
            jobs.insert(parent);
            array_row = parent.id;
            for (int64_t t : p.array->tasks) {
                store::Job task = job;
                task.array_id = parent.id;
                task.array_task = t;
                jobs.insert(task);
                batch.push_back(task);
            }
        } else {
            jobs.insert(job);
            batch.push_back(job);
        }
        tx.commit();
    }
    std::vector<int64_t> rows;
    for (const auto& b : batch) rows.push_back(b.id);
    if (array_row) rows.push_back(*array_row);
    bool queue_on_fail = job.queue_on_fail;
    send(engine, std::move(batch), std::move(p), array_row,
         [&engine, rows, queue_on_fail, done = std::move(done)](SubmitResult res, RemoteReply reply) {
        store::JobRepo repo(engine.db());
        if (!res.started) {
            auto after = lifecycle::after_send_failure(reply.maybe_ran, reply.unreachable(), queue_on_fail);
            if (after == lifecycle::Event::SendFailedKept) {
                // sbatch may have run: the next sync reads the id the host
                // wrote (slurm_id), or sends it again if there is none.
                for (int64_t id : rows) lifecycle::send_failed(repo, id, after, res.error);
                res.hint = "it may or may not have been submitted; the next sync will find out";
            } else if (after == lifecycle::Event::SendFailedPending) {
                lifecycle::send_failed(repo, rows.front(), after, res.error);
                res.pending = true;
            } else {
                // SLURM (or the host) refused it: no half-recorded job.
                store::Transaction tx(engine.db());
                for (int64_t id : rows) lifecycle::send_failed(repo, id, after, res.error);
                tx.commit();
            }
        }
        done(std::move(res));
    });
}

void start_recorded_slurm_job(Engine& engine, const store::Job& job,
                              std::function<void(SubmitResult, RemoteReply)> done) {
    if (job.array_id) {
        // A task alone cannot be sent again as part of its array.
        SubmitResult r;
        r.job_id = job.id;
        r.fail(FailureKind::Local, "task " + std::to_string(job.id) + " of array " + std::to_string(*job.array_id) +
                                       " never reached the cluster",
               "submit the array again");
        RemoteReply none;
        return done(std::move(r), std::move(none));
    }
    SubmitRequest r = request_from_job(job);
    r.queue = QueueRequest{};
    r.queue.gpus = job.gpus;
    r.queue.hold = job.held;
    r.queue.after_ok = job.after_ok;
    r.queue.after_any = job.after_any;
    r.queue.after_fail = job.after_fail;
    SlurmPlan p;
    try {
        p = plan(engine, r);
    } catch (const util::Error& e) {
        SubmitResult res;
        res.job_id = job.id;
        res.fail(e);
        return done(std::move(res), RemoteReply{});
    }
    send(engine, {job}, std::move(p), std::nullopt, std::move(done));
}

}  // namespace engine
