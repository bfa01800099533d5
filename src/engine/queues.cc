// Per-host queues: submitting into a queue (one job or an array), the queue
// commands (start, stop, status, remove), and the edits of a job that still
// waits (hold, release, start-now, update, move). The host's runner does the
// scheduling (src/remote/sh/runner.sh); the laptop only asks and records.
#include "config.h"

#include <algorithm>
#include <memory>
#include <set>

#include "engine/deferred.h"
#include "engine/job_start.h"
#include "engine/job_state.h"
#include "engine/slurm.h"
#include "engine/notifications.h"
#include "engine/jobs.h"
#include "engine/lifecycle.h"
#include "remote/protocol.h"
#include "store/database.h"
#include "store/job_repo.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/terminal_text.h"

namespace engine {

namespace {

constexpr size_t kMaxArrayTasks = 10000;

int64_t parse_task_number(const std::string& text, const std::string& spec) {
    bool digits = !text.empty() && text.size() <= 9 && text.find_first_not_of("0123456789") == std::string::npos;
    if (!digits)
        throw util::UsageError::in("array", spec + ": '" + text + "' is not a task number",
                               "give ranges like 1-100, 1-100%10 or 1,3,7-9");
    return std::stoll(text);
}

remote::QueueSpec queue_spec_of(Engine& engine, const store::Job& job, const QueueRequest* request) {
    remote::QueueSpec q;
    q.queue = job.queue;
    q.priority = job.priority;
    q.gpus = job.gpus;
    q.after_ok = job.after_ok;
    q.after_any = job.after_any;
    q.after_fail = job.after_fail;
    q.hold = job.held;
    q.gpu_free_mib = engine.config().gpu_free_mib_for(job.host);
    if (request) {
        q.no_start = request->no_start;
        q.slots = request->slots;
    }
    if (job.array_id) {
        q.array_id = *job.array_id;
        if (auto parent = store::JobRepo(engine.db()).get(*job.array_id)) {
            try {
                q.array_limit = parse_array_spec(parent->array_spec).limit;
            } catch (const util::Error&) {
            }
        }
    }
    return q;
}

// Dependencies must be jobs this database knows on the same host and in the
// same remote directory: the host's runner looks them up there. An array
// stands for all its tasks.
std::vector<int64_t> check_dependencies(Engine& engine, const std::string& host, const std::vector<int64_t>& ids,
                                        const char* field) {
    store::JobRepo jobs(engine.db());
    remote::RemoteDir here = new_job_dir(engine, host);
    std::vector<int64_t> out;
    for (int64_t id : ids) {
        auto job = jobs.get(id);
        if (!job)
            throw util::UsageError::in(field, "there is no job " + std::to_string(id),
                                   "the job list shows the jobs");
        if (job->host != host || remote_dir_of(engine, *job) != here)
            throw util::UsageError::in(field, "job " + std::to_string(id) + " runs on " + job->host + ", not " + host,
                                   "dependencies are evaluated on the host, so they must be jobs of the same host");
        if (job->is_array()) {
            for (const auto& t : jobs.array_tasks(id)) out.push_back(t.id);
        } else {
            out.push_back(id);
        }
    }
    return out;
}

QueueState queue_state_of(const std::string& host, const remote::QueueInfo& q) {
    QueueState s;
    s.host = host;
    s.name = util::visible(q.name);
    s.state = q.state == "running" || q.state == "draining" ? q.state : "stopped";
    s.slots = q.slots;
    s.waiting = q.waiting;
    s.held = q.held;
    s.running = q.running;
    return s;
}

}  // namespace

ArraySpec parse_array_spec(const std::string& text) {
    ArraySpec a;
    std::string body = text;
    size_t pct = text.find('%');
    if (pct != std::string::npos) {
        std::string lim = text.substr(pct + 1);
        a.limit = static_cast<int>(parse_task_number(lim, text));
        if (a.limit < 1) throw util::UsageError::in("array", text + ": the limit after % must be at least 1");
        body = text.substr(0, pct);
    }
    if (body.empty()) throw util::UsageError::in("array", "needs task numbers", "give ranges like 1-100, 1-100%10 or 1,3,7-9");
    std::set<int64_t> seen;
    for (const std::string& part : util::split(body, ',')) {
        size_t dash = part.find('-');
        int64_t lo = 0, hi = 0;
        if (dash == std::string::npos) {
            lo = hi = parse_task_number(part, text);
        } else {
            lo = parse_task_number(part.substr(0, dash), text);
            hi = parse_task_number(part.substr(dash + 1), text);
            if (hi < lo)
                throw util::UsageError::in("array", text + ": the range " + part + " runs backwards");
        }
        if (hi - lo >= static_cast<int64_t>(kMaxArrayTasks) || seen.size() + static_cast<size_t>(hi - lo + 1) > kMaxArrayTasks)
            throw util::UsageError::in("array", text + " has more than " + std::to_string(kMaxArrayTasks) + " tasks");
        for (int64_t t = lo; t <= hi; ++t)
            if (seen.insert(t).second) a.tasks.push_back(t);
    }
    return a;
}

std::vector<int64_t> expand_array_ids(Engine& engine, const std::vector<int64_t>& ids) {
    store::JobRepo jobs(engine.db());
    std::vector<int64_t> out;
    for (int64_t id : ids) {
        auto job = jobs.get(id);
        if (job && job->is_array()) {
            for (const auto& t : jobs.array_tasks(id)) out.push_back(t.id);
        } else {
            out.push_back(id);
        }
    }
    return out;
}

void enqueue_recorded_jobs(Engine& engine, const std::vector<store::Job>& batch, const QueueRequest* request,
                           std::function<void(SubmitResult, RemoteReply)> done) {
    const store::Job& first = batch.front();
    std::vector<int64_t> ids, tasks;
    for (const auto& j : batch) {
        ids.push_back(j.id);
        if (j.array_task) tasks.push_back(*j.array_task);
    }
    if (tasks.size() != ids.size()) tasks.clear();
    std::string script =
        remote::enqueue_script(spec_of(engine, first), ids, tasks, queue_spec_of(engine, first, request));
    engine.run_script(first.host, std::move(script), std::chrono::seconds(60),
                      [&engine, ids, done = std::move(done)](RemoteReply reply) {
        SubmitResult result;
        result.job_id = ids.front();
        if (!reply.ok()) {
            result.fail(reply);
            done(std::move(result), std::move(reply));
            return;
        }
        remote::EnqueueReply er;
        try {
            er = remote::parse_enqueue(reply.out);
        } catch (const util::Error& e) {
            result.fail(e);
            done(std::move(result), std::move(reply));
            return;
        }
        store::JobRepo jobs(engine.db());
        std::set<int64_t> asked(ids.begin(), ids.end());
        {
            store::Transaction tx(engine.db());
            for (const auto& [id, already] : er.queued)
                if (asked.count(id)) lifecycle::apply(jobs, id, lifecycle::Event::Sent);
            tx.commit();
        }
        if (!er.error.empty()) {
            result.fail(FailureKind::Remote, "cannot queue job " + std::to_string(er.error_id) + ": " + util::visible(er.error));
        } else {
            result.started = true;
            result.in_queue = true;
        }
        result.runner = er.runner;
        if (er.runner == "error")
            result.hint = "the queue's runner did not start: " + util::visible(er.runner_error);
        done(std::move(result), std::move(reply));
    });
}

void submit_to_queue(Engine& engine, SubmitRequest r, std::function<void(SubmitResult)> done) {
    remote::check_queue_name(r.queue.name);
    if (r.queue.gpus < 0 || r.queue.gpus > 64) throw util::UsageError::in("gpus", "must be between 0 and 64");
    if (r.queue.slots < 0 || r.queue.slots > 1000) throw util::UsageError::in("slots", "must be between 1 and 1000");
    std::vector<int64_t> after_ok = check_dependencies(engine, r.host, r.queue.after_ok, "after");
    std::vector<int64_t> after_any = check_dependencies(engine, r.host, r.queue.after_any, "after-any");
    std::vector<int64_t> after_fail = check_dependencies(engine, r.host, r.queue.after_fail, "after-fail");
    std::optional<ArraySpec> array;
    if (!r.queue.array.empty()) array = parse_array_spec(r.queue.array);

    store::Job job = job_from_request(engine, r);
    job.queue = r.queue.name;
    job.priority = r.queue.priority;
    job.gpus = r.queue.gpus;
    job.after_ok = after_ok;
    job.after_any = after_any;
    job.after_fail = after_fail;
    job.held = r.queue.hold;

    std::vector<store::Job> batch;
    int64_t array_id = 0;
    {
        store::JobRepo jobs(engine.db());
        store::Transaction tx(engine.db());
        if (array) {
            store::Job parent = job;
            parent.array_spec = r.queue.array;
            parent.notify.clear();  // never on a host: its tasks notify
            parent.status = lifecycle::created(lifecycle::Event::CreatedArray);
            jobs.insert(parent);
            array_id = parent.id;
            for (int64_t t : array->tasks) {
                store::Job task = job;
                task.array_id = array_id;
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
    QueueRequest qr = r.queue;
    bool queue_on_fail = r.queue_on_fail;
    std::vector<int64_t> ids;
    for (const auto& j : batch) ids.push_back(j.id);
    enqueue_recorded_jobs(engine, batch, &qr,
                          [&engine, ids, array_id, queue_on_fail, done = std::move(done)](SubmitResult res, RemoteReply reply) {
        store::JobRepo repo(engine.db());
        store::Transaction tx(engine.db());
        if (!res.started) {
            for (int64_t id : ids) {
                auto j = repo.get(id);
                if (!j || j->status != store::status::starting) continue;  // queued before the error
                auto after = lifecycle::after_send_failure(reply.maybe_ran, reply.unreachable(), queue_on_fail);
                lifecycle::send_failed(repo, id, after, res.error);
                if (after == lifecycle::Event::SendFailedPending) res.pending = true;
            }
            if (reply.maybe_ran) res.hint = "it may or may not be queued; the next sync will find out";
        }
        if (array_id) {
            if (repo.array_tasks(array_id).empty()) repo.remove(array_id);
            else lifecycle::follow_tasks(repo, array_id);
            res.job_id = array_id;
            res.task_ids = ids;
        }
        tx.commit();
        done(std::move(res));
    });
}

void queue_command(Engine& engine, const std::string& host, const std::string& op, const std::string& queue,
                   int slots, std::function<void(QueueCommandResult)> done) {
    engine.require_known_host(host);
    if (is_slurm_host(engine, host))
        throw util::UsageError(host + " is a SLURM cluster: it has no rj queues, SLURM's partitions schedule its jobs",
                               "'rj -b host info " + host + "' shows its partitions");
    remote::QueueCtl ctl;
    ctl.op = op;
    ctl.queue = queue;
    ctl.slots = slots;
    ctl.list_jobs = op == "status";
    if (slots < 0 || slots > 1000) throw util::UsageError::in("slots", "must be between 1 and 1000");
    std::string script = remote::queue_ctl_script(new_job_dir(engine, host), ctl);
    engine.run_script(host, std::move(script), std::chrono::seconds(60),
                      [&engine, host, op, queue, done = std::move(done)](RemoteReply reply) {
        QueueCommandResult res;
        if (!reply.ok()) {
            res.fail(reply);
            done(std::move(res));
            return;
        }
        remote::QueueCtlReply qr;
        try {
            qr = remote::parse_queue_ctl(reply.out);
        } catch (const util::Error& e) {
            res.fail(e);
            done(std::move(res));
            return;
        }
        for (const auto& q : qr.queues) res.queues.push_back(queue_state_of(host, q));
        for (const auto& j : qr.jobs)
            res.waiting.push_back({util::visible(j.queue), j.id, j.held, j.priority, util::visible(j.why)});
        std::vector<int64_t> cancelled;
        for (const auto& r : qr.results) {
            if (r.id == 0) {
                if (r.result == "missing" || r.result == "failed") {
                    res.fail(FailureKind::Remote, util::visible(r.message),
                             r.result == "missing" ? "the queue list of " + host + " shows its queues" : "");
                } else {
                    res.runner = r.result;
                }
            } else if (r.result == "cancelled") {
                cancelled.push_back(r.id);
            }
        }
        if (!cancelled.empty()) {
            // Recorded here at once; the journal says the same at the next sync.
            store::JobRepo jobs(engine.db());
            store::Transaction tx(engine.db());
            for (int64_t id : cancelled) {
                auto j = jobs.get(id);
                if (!j || j->host != host) continue;
                if (lifecycle::end_now(jobs, id, lifecycle::Event::Cancelled, remote::cancel_reason("queue-removed")))
                    ++res.cancelled;
                if (j->array_id) lifecycle::follow_tasks(jobs, *j->array_id);
            }
            tx.commit();
        }
        done(std::move(res));
    });
}

namespace {

// Runs `ctl` (op on ids) against each remote directory the ids live in.
void run_job_ctl(Engine& engine, remote::QueueCtl ctl, const std::vector<int64_t>& ids,
                 std::function<void(QueuedJobResult)> each,
                 std::function<void(const store::Job&, const remote::QueueCtlReply::Result&)> on_ok = {}) {
    store::JobRepo jobs(engine.db());
    std::map<std::pair<std::string, remote::RemoteDir>, std::vector<store::Job>> groups;
    auto cb = std::make_shared<std::function<void(QueuedJobResult)>>(std::move(each));
    for (int64_t id : ids) {
        auto job = jobs.get(id);
        QueuedJobResult r;
        r.id = id;
        if (!job) {
            r.fail(FailureKind::Refused, "there is no job " + std::to_string(id), "the job list shows the jobs");
        } else if (job->queue.empty() || job->is_array()) {
            r.fail(FailureKind::Refused, job->is_array() ? "job " + std::to_string(id) + " is an array; give its tasks' ids"
                                                         : "job " + std::to_string(id) + " was not queued (it ran with plain 'run')");
        } else if (job->status != store::status::queued && job->status != store::status::pending &&
                   job->status != store::status::starting) {
            r.fail(FailureKind::Refused, "job " + std::to_string(id) + " has " + (job->terminal() ? "ended" : "started") +
                                             " (" + to_string(job->status) + "); only a job that still waits can be changed");
        } else {
            groups[{job->host, remote_dir_of(engine, *job)}].push_back(*job);
            continue;
        }
        (*cb)(r);
    }
    auto hook = std::make_shared<decltype(on_ok)>(std::move(on_ok));
    for (auto& [key, group] : groups) {
        remote::QueueCtl c = ctl;
        c.ids.clear();
        for (const auto& j : group) c.ids.push_back(j.id);
        std::string script = remote::queue_ctl_script(key.second, c);
        std::string host = key.first;
        bool deferrable = ctl.op == "hold" || ctl.op == "release";
        engine.run_script(key.first, std::move(script), std::chrono::seconds(60),
                          [&engine, host, deferrable, op = ctl.op, group, cb, hook](RemoteReply reply) {
            remote::QueueCtlReply qr;
            Outcome asked = reply;
            if (reply.ok()) {
                try {
                    qr = remote::parse_queue_ctl(reply.out);
                } catch (const util::Error& e) {
                    asked.fail(e);
                }
            }
            for (const auto& job : group) {
                QueuedJobResult r;
                r.id = job.id;
                const remote::QueueCtlReply::Result* found = nullptr;
                for (const auto& res : qr.results)
                    if (res.id == job.id) found = &res;
                if (asked.failed() && deferrable && reply.unreachable()) {
                    int64_t d = defer_operation(engine, host, job.id, op);
                    r.message = deferred_message(op, host, reply.error, d);
                    r.deferred = true;
                } else if (asked.failed()) {
                    r.fail(asked);
                } else if (!found) {
                    r.fail(FailureKind::Remote, "the host did not answer for job " + std::to_string(job.id));
                } else if (found->result == "ok") {
                    if (*hook) (*hook)(job, *found);
                } else {
                    r.fail(FailureKind::Refused, "job " + std::to_string(job.id) + ": " + util::visible(found->message),
                           found->result == "started" ? "a sync brings its state up to date" : "");
                }
                (*cb)(r);
            }
        });
    }
}

}  // namespace

void queued_job_op(Engine& engine, const std::string& op, const std::vector<int64_t>& ids,
                   std::function<void(QueuedJobResult)> each) {
    if (op != "hold" && op != "release" && op != "start-now") throw util::Error("unknown queued-job operation " + op);
    // Jobs of SLURM clusters: scontrol (engine/slurm_ctl.cc).
    std::vector<int64_t> plain, slurm;
    for (int64_t id : ids) {
        auto job = store::JobRepo(engine.db()).get(id);
        (job && job->on_slurm() ? slurm : plain).push_back(id);
    }
    if (!slurm.empty()) {
        if (op == "start-now")
            throw util::UsageError("job " + std::to_string(slurm.front()) + " waits on a SLURM cluster",
                                   "SLURM decides when it starts; there is no start-now");
        remote::SlurmCtl sc;
        sc.op = op;
        sc.ids = slurm;
        slurm_job_ctl(engine, sc, each);
        if (plain.empty()) return;
    }
    remote::QueueCtl ctl;
    ctl.op = op;
    run_job_ctl(engine, ctl, plain, std::move(each), [&engine, op](const store::Job& job, const auto&) {
        store::JobRepo jobs(engine.db());
        if (op == "hold") lifecycle::hold(jobs, job.id, lifecycle::Event::Held, "held");
        else if (op == "release") lifecycle::hold(jobs, job.id, lifecycle::Event::Released, "");
        else lifecycle::hold(jobs, job.id, lifecycle::Event::Released, "started with start-now");
    });
}

void update_queued_job(Engine& engine, int64_t id, JobUpdate u, std::function<void(QueuedJobResult)> done) {
    auto job = store::JobRepo(engine.db()).get(id);
    if (job && job->on_slurm()) {
        // scontrol for the time limit; the command and environment are the
        // wrapper's files. Priorities and GPUs are SLURM's to decide.
        if (u.priority) throw util::UsageError::in("priority", "has no meaning on a SLURM cluster", "SLURM orders its jobs");
        if (u.gpus) throw util::UsageError::in("gpus", "cannot be changed on a SLURM cluster", "submit the job again with --gpus");
        if (u.command && util::trim(*u.command).empty()) throw util::UsageError::in("command", "is empty");
        if (u.timeout_s && *u.timeout_s < 0) throw util::UsageError::in("timeout", "cannot be negative");
        remote::SlurmCtl sc;
        sc.op = "update";
        sc.ids = {id};
        sc.timeout_s = u.timeout_s;
        sc.command = u.command;
        if (!u.set_env.empty()) {
            auto env = job->env;
            for (const auto& [k, v] : u.set_env) {
                auto it = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == k; });
                if (it != env.end()) it->second = v;
                else env.emplace_back(k, v);
            }
            sc.env = env;
        }
        if (!sc.timeout_s && !sc.command && !sc.env)
            throw util::UsageError("nothing to update", "give --command, --timeout or -e K=V");
        return slurm_job_ctl(engine, sc, std::move(done));
    }
    remote::QueueCtl ctl;
    ctl.op = "update";
    if (u.command) {
        if (util::trim(*u.command).empty()) throw util::UsageError::in("command", "is empty");
        ctl.command = u.command;
    }
    if (u.priority) ctl.priority = u.priority;
    if (u.gpus) {
        if (*u.gpus < 0 || *u.gpus > 64) throw util::UsageError::in("gpus", "must be between 0 and 64");
        ctl.gpus = u.gpus;
    }
    if (u.timeout_s) ctl.timeout_s = u.timeout_s;
    std::vector<std::pair<std::string, std::string>> env;
    if (job && !u.set_env.empty()) {
        env = job->env;
        for (const auto& [k, v] : u.set_env) {
            auto it = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == k; });
            if (it != env.end()) it->second = v;
            else env.emplace_back(k, v);
        }
        ctl.env = env;
    }
    if (!ctl.command && !ctl.priority && !ctl.gpus && !ctl.timeout_s && !ctl.env)
        throw util::UsageError("nothing to update", "give --command, --priority, --gpus, --timeout or -e K=V");
    bool set_env = ctl.env.has_value();
    run_job_ctl(engine, ctl, {id}, std::move(done), [&engine, u, env, set_env](const store::Job& j, const auto&) {
        store::JobRepo jobs(engine.db());
        auto cur = jobs.get(j.id);
        if (!cur) return;
        if (u.command) cur->command = *u.command;
        if (u.priority) cur->priority = *u.priority;
        if (u.gpus) cur->gpus = *u.gpus;
        if (u.timeout_s) cur->timeout_s = *u.timeout_s;
        if (set_env) cur->env = env;
        jobs.update(*cur);
    });
}

void move_queued_job(Engine& engine, int64_t id, const std::string& host, std::function<void(QueuedJobResult)> done) {
    engine.require_known_host(host);
    auto job = store::JobRepo(engine.db()).get(id);
    if ((job && job->on_slurm()) || is_slurm_host(engine, host))
        throw util::UsageError("jobs cannot move to or from a SLURM cluster",
                               "kill it and submit it again on " + host);
    if (job && job->host == host) throw util::UsageError("job " + std::to_string(id) + " is already on " + host);
    if (job && (!job->after_ok.empty() || !job->after_any.empty() || !job->after_fail.empty()))
        throw util::UsageError("job " + std::to_string(id) + " depends on jobs of " + job->host,
                               "dependencies are evaluated on their host; submit it again on " + host +
                                   " with the dependencies it should have there");
    remote::QueueCtl ctl;
    ctl.op = "unqueue";
    auto cb = std::make_shared<std::function<void(QueuedJobResult)>>(std::move(done));
    auto taken = std::make_shared<bool>(false);
    std::string old_host = job ? job->host : "";
    run_job_ctl(engine, ctl, {id},
                [&engine, host, old_host, cb, taken](QueuedJobResult r) {
        if (!r.ok() && r.kind == FailureKind::Unreachable && !old_host.empty()) {
            // Its host is away: kept, and moved by the next sync that reaches it.
            int64_t d = defer_operation(engine, old_host, r.id, "move", host);
            QueuedJobResult out;
            out.id = r.id;
            out.deferred = true;
            out.message = deferred_message("move to " + host, old_host, r.error, d);
            return (*cb)(out);
        }
        if (!r.ok() || !*taken) {
            (*cb)(r);
            return;
        }
        // Taken out of the old host's queue: now into the same queue on the new one.
        store::JobRepo jobs(engine.db());
        auto cur = jobs.get(r.id);
        if (!cur) return (*cb)(r);
        std::string from = cur->host;
        remote::RemoteDir dir = new_job_dir(engine, host);
        cur->host = host;
        cur->remote_dir = dir.path;
        cur->session_prefix = dir.session_prefix;
        cur->queue_reason.clear();
        lifecycle::move(jobs, *cur);
        enqueue_recorded_jobs(engine, {*cur}, nullptr, [&engine, cb, from, host, id = r.id](SubmitResult s, RemoteReply reply) {
            QueuedJobResult out;
            out.id = id;
            store::JobRepo repo(engine.db());
            if (s.started) {
            } else if (!reply.maybe_ran) {
                // Neither host has it now: keep it as pending on the new host,
                // so the next sync that reaches it queues it there.
                lifecycle::send_failed(repo, id, lifecycle::Event::SendFailedPending, s.error);
                out.message = "taken from " + from + "; " + host + " did not take it (" + s.error +
                              "): it is pending and is queued at the next sync that reaches " + host;
            } else {
                out.message = "moved; whether " + host + " queued it, the next sync will find out";
            }
            (*cb)(out);
        });
    },
                [taken](const store::Job&, const auto&) { *taken = true; });
}

void pending_reason(Engine& engine, int64_t id, std::function<void(PendingReason)> done) {
    auto job = store::JobRepo(engine.db()).get(id);
    if (!job) throw util::UsageError("there is no job " + std::to_string(id), "the job list shows the jobs");
    PendingReason base;
    base.id = id;
    base.status = job->status;
    if (job->is_array()) {
        auto tasks = store::JobRepo(engine.db()).array_tasks(id);
        std::map<store::Status, int> counts;
        for (const auto& t : tasks) ++counts[t.status];
        std::string s;
        for (const auto& [st, n] : counts) s += (s.empty() ? "" : ", ") + std::to_string(n) + " " + to_string(st);
        base.reason = "array of " + std::to_string(tasks.size()) + " tasks: " + s;
        base.waiting = counts.count(store::status::queued) > 0;
        return done(base);
    }
    if (job->status == store::status::pending) {
        base.waiting = true;
        base.reason = "host " + job->host + " was unreachable; it is sent at the next sync that reaches it" +
                      (job->error.empty() ? "" : " (" + job->error + ")");
        return done(base);
    }
    if (job->status == store::status::queued && job->on_slurm()) {
        // SLURM's state and reason, as the last sync read them from squeue.
        base.waiting = true;
        base.reason = (job->queue_reason.empty() ? std::string("PENDING") : job->queue_reason) +
                      " (SLURM job " + job->slurm_id + ")";
        return done(base);
    }
    if (job->status != store::status::queued) {
        base.reason = job->terminal() ? "it has ended (" + std::string(to_string(job->status)) + ")" : "it is not waiting (" + std::string(to_string(job->status)) + ")";
        return done(base);
    }
    // Ask the host: its runner's reason, and whether the runner runs at all.
    remote::QueueCtl ctl;
    ctl.op = "status";
    ctl.queue = job->queue;
    std::string script = remote::queue_ctl_script(remote_dir_of(engine, *job), ctl);
    std::string host = job->host, queue = job->queue;
    bool held = job->held;
    std::string cached = job->queue_reason;
    engine.run_script(host, std::move(script), std::chrono::seconds(30),
                      [base, host, queue, held, cached, done = std::move(done)](RemoteReply reply) mutable {
        base.waiting = true;
        if (!reply.ok()) {
            base.reason = "host " + host + " is unreachable (" + reply.error + ")" +
                          (cached.empty() ? "" : "; last known: " + cached);
            return done(base);
        }
        remote::QueueCtlReply qr;
        try {
            qr = remote::parse_queue_ctl(reply.out);
        } catch (const util::Error& e) {
            base.reason = e.what();
            return done(base);
        }
        const remote::QueuedJob* mine = nullptr;
        for (const auto& j : qr.jobs)
            if (j.id == base.id) mine = &j;
        std::string runner = qr.queues.empty() ? "stopped" : qr.queues.front().state;
        if (!mine) {
            base.waiting = false;
            base.reason = "it no longer waits in queue " + queue + " (a sync brings its state up to date)";
        } else if (mine->held) {
            base.reason = "held (release it to let it start)";
        } else if (runner == "stopped") {
            base.reason = "queue " + queue + " is stopped: no runner (start the queue's runner)";
        } else if (runner == "draining") {
            base.reason = "queue " + queue + " is stopped (draining; start the queue's runner again)";
        } else if (!mine->why.empty()) {
            base.reason = util::visible(mine->why);
        } else {
            base.reason = "next in line: the runner looks again within a second";
        }
        (void)held;
        done(base);
    });
}

}  // namespace engine
