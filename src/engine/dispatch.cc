// One dispatch round (engine/dispatch.h): dependencies across hosts, then
// placement. Claims go through one conditional UPDATE per job, and a round
// holds an advisory lock next to the database, so two rj processes at once
// (cron overlapping the UI) never start a job twice nor give one GPU twice.
#include "config.h"

#include "engine/dispatch.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <ctime>
#include <map>
#include <memory>
#include <set>

#include "engine/job_start.h"
#include "engine/job_state.h"
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

int64_t now_s() { return static_cast<int64_t>(std::time(nullptr)); }

// An advisory lock for one round; released when the last copy goes.
class RoundLock {
public:
    explicit RoundLock(const std::string& db_path) {
        std::string path = db_path + ".dispatch-lock";
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~RoundLock() {
        if (fd_ >= 0) ::close(fd_);
    }
    RoundLock(const RoundLock&) = delete;
    RoundLock& operator=(const RoundLock&) = delete;
    bool held() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

std::string job_ref(const store::Job& j) {
    return "job " + std::to_string(j.id) + (j.host.empty() || j.host[0] == '@' ? "" : " on " + j.host);
}

// The hosts a waiting job may go to: its pool's, or its own.
std::vector<std::string> candidate_hosts(Engine& engine, const store::Job& job) {
    if (job.pool.empty()) return {job.host};
    auto it = engine.config().pools.find(job.pool);
    if (it == engine.config().pools.end()) return {};
    return it->second.hosts;
}

struct Round {
    Engine& engine;
    std::function<void(DispatchReport)> done;
    std::shared_ptr<RoundLock> lock;
    DispatchReport report;
    std::vector<store::Job> to_place;
    std::map<std::string, HostCapacity> capacity;
    int pending_probes = 0;
    int pending_starts = 0;
    bool placing_done = false;

    void finish_if_done() {
        if (!placing_done || pending_starts > 0 || pending_probes > 0) return;
        lock.reset();
        auto d = std::move(done);
        d(std::move(report));
    }
};

void start_claimed(const std::shared_ptr<Round>& round, int64_t id, const std::string& back_host, const std::string& what) {
    Engine& engine = round->engine;
    auto job = store::JobRepo(engine.db()).get(id);
    if (!job) return;
    ++round->pending_starts;
    start_recorded_job(engine, *job, [round, id, back_host, what](SubmitResult r, RemoteReply reply) {
        store::JobRepo jobs(round->engine.db());
        if (r.started) {
            round->report.changes.push_back({id, what});
        } else {
            auto after = lifecycle::after_placed_send_failure(r.gpus_taken, reply.maybe_ran, reply.unreachable());
            bool returned = after == lifecycle::Event::SendFailedReturned;
            lifecycle::send_failed(jobs, id, after, returned ? util::visible(r.error) : r.error, back_host);
            if (r.gpus_taken) {
                // A queue runner (or another rj) gave its GPUs away after the
                // probe: nothing ran; it is placed again in the next round.
                round->report.changes.push_back({id, "placed again: " + util::visible(r.error)});
                ++round->report.waiting;
            } else if (after == lifecycle::Event::SendFailedKept) {
                round->report.changes.push_back({id, what + " (not confirmed: " + r.error + "; the next sync finds out)"});
            } else if (returned) {
                // Not sent: it waits again, here, for the next round.
                ++round->report.waiting;
            } else {
                round->report.changes.push_back({id, "failed to start: " + r.error});
            }
        }
        --round->pending_starts;
        round->finish_if_done();
    });
}

void place_all(const std::shared_ptr<Round>& round) {
    Engine& engine = round->engine;
    store::JobRepo jobs(engine.db());
    // Array throttles (%N) count tasks running anywhere; tasks spread over
    // the hosts (fewest of the same array first).
    std::map<int64_t, int> array_room;
    std::map<int64_t, std::map<std::string, int>> array_hosts;
    for (const store::Job& job : round->to_place) {
        std::vector<HostCapacity> hosts;
        for (const auto& h : candidate_hosts(engine, job)) hosts.push_back(round->capacity[h]);
        if (job.array_id) {
            auto it = array_room.find(*job.array_id);
            if (it == array_room.end()) {
                int room = 1 << 30;
                if (auto parent = jobs.get(*job.array_id)) {
                    int limit = 0;
                    try {
                        limit = parse_array_spec(parent->array_spec).limit;
                    } catch (const util::Error&) {
                    }
                    if (limit > 0) {
                        int active = 0;
                        for (const auto& t : jobs.array_tasks(*job.array_id))
                            if (t.status == store::status::starting || t.status == store::status::running ||
                                t.status == store::status::queued)
                                ++active;
                        room = limit - active;
                    }
                }
                it = array_room.emplace(*job.array_id, room).first;
                auto& where_tasks = array_hosts[*job.array_id];
                for (const auto& t : jobs.array_tasks(*job.array_id))
                    if (t.status == store::status::starting || t.status == store::status::running ||
                        t.status == store::status::queued)
                        ++where_tasks[t.host];
            }
            if (it->second <= 0) {
                jobs.set_wait_reason(job.id, "its array runs at most its %N limit at once");
                ++round->report.waiting;
                continue;
            }
        }
        Requirement req;
        try {
            req = Requirement::parse(job.require.empty() ? "gpu:0" : job.require);
        } catch (const util::Error& e) {
            jobs.set_wait_reason(job.id, std::string("its requirement cannot be read: ") + e.what());
            ++round->report.waiting;
            continue;
        }
        std::string where = job.pool.empty() ? "host " + job.host : job.pool;
        if (hosts.empty()) {
            jobs.set_wait_reason(job.id, "pool " + job.pool + " is not in the config (or lists no hosts)");
            ++round->report.waiting;
            continue;
        }
        Placement p = place(req, hosts, where, job.array_id ? &array_hosts[*job.array_id] : nullptr);
        if (!p.placed) {
            jobs.set_wait_reason(job.id, p.reason);
            ++round->report.waiting;
            continue;
        }
        // Take it from the shared view too, for the jobs after this one.
        round->capacity[p.host] = *std::find_if(hosts.begin(), hosts.end(), [&](auto& h) { return h.host == p.host; });
        store::JobRepo::Placed placed;
        placed.id = job.id;
        placed.host = p.host;
        remote::RemoteDir dir = new_job_dir(engine, p.host);
        placed.remote_dir = dir.path;
        placed.session_prefix = dir.session_prefix;
        if (req.gpus > 0) placed.gpu_alloc = gpu_list(p.gpus);
        if (job.array_task) {
            placed.extra_env.emplace_back("RJ_ARRAY_TASK_ID", std::to_string(*job.array_task));
            placed.extra_env.emplace_back("TASK_ID", std::to_string(*job.array_task));
        }
        placed.prelude = engine.config().prelude_for(p.host, job.pool);
        if (!lifecycle::place(jobs, placed)) continue;  // another rj took it
        if (job.array_id) {
            --array_room[*job.array_id];
            ++array_hosts[*job.array_id][p.host];
        }
        std::string what = "started on " + p.host + (placed.gpu_alloc.empty() ? "" : " (GPUs " + placed.gpu_alloc + ")");
        if (!job.pool.empty()) what += ", placed from " + job.pool;
        start_claimed(round, job.id, job.pool.empty() ? job.host : "@" + job.pool, what);
    }
    round->placing_done = true;
    round->finish_if_done();
}

}  // namespace

DependencyState dependency_state(Engine& engine, const store::Job& job) {
    store::JobRepo jobs(engine.db());
    DependencyState st;
    auto status_of = [&](int64_t id) -> std::optional<store::Job> { return jobs.get(id); };
    std::vector<std::string> waiting;
    for (int64_t id : job.after_ok) {
        auto p = status_of(id);
        if (!p) return {DependencyState::Kind::Never, "job " + std::to_string(id) + " (its --after) no longer exists"};
        if (p->status == store::status::completed) continue;
        if (p->terminal())
            return {DependencyState::Kind::Never,
                    job_ref(*p) + " ended " + store::to_string(p->status) + ": its --after cannot be met"};
        waiting.push_back(job_ref(*p) + " (" + store::to_string(p->status) + ")");
    }
    for (int64_t id : job.after_any) {
        auto p = status_of(id);
        if (!p || p->terminal()) continue;
        waiting.push_back(job_ref(*p) + " (" + store::to_string(p->status) + ")");
    }
    if (!job.after_fail.empty()) {
        bool any_failed = false, all_ended = true;
        std::vector<std::string> open;
        for (int64_t id : job.after_fail) {
            auto p = status_of(id);
            if (!p) continue;
            if (p->terminal() && p->status != store::status::completed) any_failed = true;
            if (!p->terminal()) {
                all_ended = false;
                open.push_back(job_ref(*p));
            }
        }
        if (!any_failed) {
            if (all_ended) return {DependencyState::Kind::Never, "none of its --after-fail jobs failed"};
            waiting.push_back("one of " + util::join(open, ", ") + " to fail");
        }
    }
    if (!waiting.empty()) {
        st.kind = DependencyState::Kind::Waiting;
        st.reason = "waiting for " + util::join(waiting, ", ");
    }
    return st;
}

void probe_free(Engine& engine, const std::string& host, std::function<void(HostFreeReport)> done) {
    remote::RemoteDir dir = new_job_dir(engine, host);
    std::string script = remote::free_script(dir, engine.config().gpu_free_mib_for(host));
    engine.run_script(host, std::move(script), std::chrono::seconds(30),
                      [&engine, host, done = std::move(done)](RemoteReply reply) {
        HostFreeReport r;
        r.capacity.host = host;
        r.probed_at = now_s();
        if (reply.ok()) {
            try {
                remote::HostFree f = remote::parse_free(reply.out);
                r.capacity.reached = true;
                r.capacity.cpus = f.cpus;
                r.capacity.load1 = f.load1;
                r.capacity.mem_total = f.mem_total;
                r.capacity.mem_available = f.mem_available;
                r.capacity.gpus_known = f.gpu_query == "ok";
                for (const auto& g : f.gpus) {
                    GpuCapacity c;
                    c.index = g.index;
                    c.busy = g.busy;
                    c.utilization_pct = g.utilization_pct;
                    c.memory_used_mib = g.memory_used_mib;
                    c.memory_total_mib = g.memory_total_mib;
                    c.name = util::visible(g.name);
                    r.capacity.gpus.push_back(std::move(c));
                }
            } catch (const util::Error& e) {
                r.fail(e);
            }
        } else {
            r.fail(reply);
        }
        if (!r.ok()) r.capacity.error = r.error;
        store::JobRepo jobs(engine.db());
        r.active_jobs = jobs.count_active_on(host);
        r.last_job_end = jobs.last_end_on(host);
        done(std::move(r));
    });
}

void dispatch(Engine& engine, std::function<void(DispatchReport)> done) {
    auto round = std::make_shared<Round>(Round{engine, std::move(done), nullptr, {}, {}, {}, 0, 0, false});
    store::JobRepo jobs(engine.db());
    std::vector<store::Job> waiting = jobs.laptop_waiting();
    if (waiting.empty()) {
        round->placing_done = true;
        round->finish_if_done();
        return;
    }
    round->lock = std::make_shared<RoundLock>(engine.db().path());
    if (!round->lock->held()) {
        round->report.busy = true;
        round->report.waiting = static_cast<int>(waiting.size());
        round->placing_done = true;
        round->finish_if_done();
        return;
    }
    std::set<std::string> to_probe;
    for (const store::Job& job : waiting) {
        DependencyState dep = dependency_state(engine, job);
        if (dep.kind == DependencyState::Kind::Never) {
            if (lifecycle::end_now(jobs, job.id, lifecycle::Event::CancelledDependency, dep.reason)) {
                jobs.set_wait_reason(job.id, dep.reason);
                if (job.array_id) lifecycle::follow_tasks(jobs, *job.array_id);
                round->report.changes.push_back({job.id, "cancelled: " + dep.reason});
            }
            continue;
        }
        if (dep.kind == DependencyState::Kind::Waiting) {
            jobs.set_wait_reason(job.id, dep.reason);
            ++round->report.waiting;
            continue;
        }
        if (job.pool.empty() && job.require.empty()) {
            // Only its dependencies held it: off to its own host.
            store::JobRepo::Placed placed;
            placed.id = job.id;
            placed.host = job.host;
            placed.remote_dir = job.remote_dir;
            placed.session_prefix = job.session_prefix;
            placed.prelude = job.prelude;
            if (lifecycle::place(jobs, placed))
                start_claimed(round, job.id, job.host, "started on " + job.host + " (its dependencies are met)");
            continue;
        }
        round->to_place.push_back(job);
        for (const auto& h : candidate_hosts(engine, job)) to_probe.insert(h);
    }
    if (round->to_place.empty()) {
        round->placing_done = true;
        round->finish_if_done();
        return;
    }
    round->pending_probes = static_cast<int>(to_probe.size());
    for (const auto& host : to_probe) {
        round->capacity[host].host = host;
        probe_free(engine, host, [round, host](HostFreeReport r) {
            round->capacity[host] = r.capacity;
            if (--round->pending_probes == 0) place_all(round);
        });
    }
    if (to_probe.empty()) place_all(round);
}

}  // namespace engine
