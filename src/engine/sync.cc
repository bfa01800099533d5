// Sync: one exchange per host, all hosts at once. The host returns journal
// events since the offset we last applied plus liveness facts for the jobs we
// think are active; pending jobs (and `starting` jobs the host never saw) are
// then started on the same connection.
#include "config.h"

#include <map>
#include <memory>
#include <set>

#include "engine/host_clock.h"
#include "engine/job_start.h"
#include "engine/job_state.h"
#include "engine/remote_jobs.h"
#include "engine/notifications.h"
#include "engine/progress.h"
#include "engine/jobs.h"
#include "engine/slurm.h"
#include "engine/lifecycle.h"
#include "remote/protocol.h"
#include "store/database.h"
#include "store/host_repo.h"
#include "store/journal_repo.h"
#include "store/job_repo.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace engine {

namespace {

// A `starting` job younger than this may still be in the hands of the
// process that is submitting it; leave it alone. Correctness does not depend
// on it (the host refuses to start a job twice: tmux session names are
// unique and a recorded start is final); it only avoids sending twice.
constexpr int64_t kStartingGraceS = 10;

void mark_offline(Engine& engine, const std::string& host, const std::string& error) {
    store::HostRepo hosts(engine.db());
    store::HostState st = hosts.get(host);
    if (!st.offline_since) st.offline_since = now_epoch();
    st.last_error = error;
    hosts.put(st);
}

// The fractions done the reply's log tails give, by job id, read before
// the write transaction opens: a pattern never runs while the database is
// locked (RE2 is linear, but a tail is still work, and other rj processes wait).
using Fractions = std::map<int64_t, std::optional<double>>;
Fractions read_fractions(const std::vector<store::Job>& asked, const remote::SyncReply& reply) {
    Fractions out;
    for (const auto& job : asked) {
        auto log = reply.logs.find(job.id);
        if (log != reply.logs.end()) out[job.id] = fraction_from_log(job, log->second);
    }
    return out;
}

// A running job's progress and log growth from the reply (1 when its row
// changed); a job that has just become stalled goes into `stalled`.
int apply_live(Engine& engine, store::JobRepo& jobs, const store::Job& job, const remote::SyncReply& reply,
               const Fractions& fractions, int64_t now, std::vector<int64_t>& stalled) {
    auto log = reply.logs.find(job.id);
    if (log == reply.logs.end()) return 0;
    auto fraction = fractions.find(job.id);
    store::Job::Live live =
        live_from_sync(job, log->second, fraction == fractions.end() ? std::nullopt : fraction->second, reply.host_now,
                       now, engine.config().stall_after_for(job.host));
    if (live == job.live) return 0;
    if (live.stalled_since && !job.live.stalled_since) stalled.push_back(job.id);
    jobs.set_live(job.id, live);
    return 1;
}

// Applies the reply of one remote directory; returns how many job rows
// changed and fills `to_start`. Only jobs recorded on this host in this
// directory are touched: a journal line or a fact about any other id (a
// stale journal, another client's job, a hostile host) is ignored.
// `cluster`: a SLURM host's squeue answer (engine/slurm.h); nullptr for tmux hosts.
int apply_sync(Engine& engine, const std::string& host, const remote::RemoteDir& dir,
               const remote::SyncReply& reply, const std::vector<store::Job>& asked,
               std::vector<store::Job>& to_start, std::vector<int64_t>& ended, std::vector<int64_t>& stalled,
               const remote::SlurmQueueReply* cluster) {
    const Fractions fractions = read_fractions(asked, reply);
    store::JobRepo jobs(engine.db());
    store::NotifyRepo notes(engine.db());
    store::Transaction tx(engine.db());
    int changed = 0;
    std::set<int64_t> arrays;  // arrays whose tasks may have changed
    auto belongs = [&](const store::Job& job) { return job.host == host && remote_dir_of(engine, job) == dir; };
    // Journal first: it carries exact times and codes even for jobs that
    // ended long ago, while the laptop slept.
    for (const auto& ev : reply.events) {
        auto job = jobs.get(ev.id);
        if (!job || !belongs(*job)) continue;
        if (ev.event == "start") {
            if (job->status == store::status::starting || job->status == store::status::pending ||
                job->status == store::status::queued) {
                changed += lifecycle::start(jobs, ev.id, ev.get_int("pid") > 0 ? std::optional<int64_t>(ev.get_int("pid")) : std::nullopt,
                                       ev.time);
                std::string gpus = ev.get("gpus");
                if (!gpus.empty() && gpus.size() <= 64) jobs.set_gpu_alloc(ev.id, gpus);
            }
        } else if (auto end = end_from_event(ev)) {
            if (lifecycle::end(jobs, ev.id, *end, end_note(ev))) {
                ++changed;
                ended.push_back(ev.id);
            }
            // Even when the job had ended here already (killed from here):
            // this line says whether the host sent its message.
            note_end_event_for_notify(engine, notes, *job, ev, now_epoch());
        }
        if (job->array_id) arrays.insert(*job->array_id);
    }
    int64_t now = now_epoch();
    if (cluster) changed += record_slurm_ids(jobs, asked, *cluster);
    for (const auto& j : asked) {
        auto it = reply.jobs.find(j.id);
        if (it == reply.jobs.end()) continue;
        auto current = jobs.get(j.id);
        if (!current || !belongs(*current)) continue;
        // The code record first: a job that ended since the last sync (its
        // end came with the journal above) still brings it.
        if (it->second.code || !it->second.gpu_models.empty()) changed += record_code(jobs, j.id, it->second);
        if (current->terminal()) continue;
        bool was_starting = current->status == store::status::starting;
        Verdict v = cluster ? slurm_verdict(*current, it->second, *cluster, now)
                            : verdict_from_facts(it->second, was_starting, now);
        bool held = cluster ? v.held : it->second.held;
        if (current->array_id) arrays.insert(*current->array_id);
        switch (v.kind) {
        case Verdict::Kind::Wait: break;
        case Verdict::Kind::Queued: {
            std::string why = util::visible(v.note).substr(0, 200);
            if (lifecycle::apply(jobs, j.id, lifecycle::Event::Sent))
                ++changed;
            if (current->held != held || current->queue_reason != why) {
                jobs.set_queue_state(j.id, held, why);
                ++changed;
            }
            break;
        }
        case Verdict::Kind::Start:
            changed += lifecycle::start(jobs, j.id, v.pid, v.started_at);
            changed += apply_live(engine, jobs, *current, reply, fractions, now, stalled);
            break;
        case Verdict::Kind::Resubmit:
            if (now - current->created_at >= kStartingGraceS) to_start.push_back(*current);
            break;
        case Verdict::Kind::End:
            if (lifecycle::end(jobs, j.id, v.end, v.note)) {
                ++changed;
                ended.push_back(j.id);
            }
            note_end_for_notify(engine, notes, *current, it->second.exit, now);
            break;
        }
    }
    for (int64_t a : arrays) lifecycle::follow_tasks(jobs, a);
    store::JournalRepo(engine.db()).set_offset(host, dir.path, reply.new_offset);
    store::HostRepo hosts(engine.db());
    store::HostState st = hosts.get(host);
    st.last_seen = now;
    st.offline_since.reset();
    st.last_error.clear();
    hosts.put(st);
    tx.commit();
    return changed;
}

// One exchange with one remote directory of a host: sync its jobs, then
// start its pending jobs (and `starting` ones the host never saw).
void sync_dir(Engine& engine, const std::string& host, const remote::RemoteDir& dir,
              std::vector<store::Job> asked, std::function<void(SyncReport)> done) {
    std::vector<int64_t> ids, tail_ids;
    for (const auto& j : asked) {
        ids.push_back(j.id);
        if (!j.progress.empty()) tail_ids.push_back(j.id);  // its last lines, for its fraction done
    }
    int64_t offset = store::JournalRepo(engine.db()).offset(host, dir.path);
    bool slurm = is_slurm_host(engine, host);
    std::string script = slurm ? remote::slurm_sync_script(dir, offset, ids)
                               : remote::sync_script(dir, offset, ids, 4 << 20, 1 << 20, tail_ids);
    engine.run_script(host, std::move(script), std::chrono::seconds(60),
                      [&engine, host, dir, slurm, asked = std::move(asked), done = std::move(done)](RemoteReply reply) {
        SyncReport report;
        report.host = host;
        if (!reply.ok()) {
            report.fail(reply);
            if (reply.unreachable()) mark_offline(engine, host, reply.error);
            done(report);
            return;
        }
        std::vector<store::Job> to_start;
        try {
            remote::SyncReply parsed = remote::parse_sync(reply.out);
            // Its times in our clock: a host an hour ahead must not show jobs
            // started in the future (durations are unchanged by the shift).
            report.clock_skew_s = host_clock_skew(parsed.host_now, now_epoch());
            shift_host_times(parsed, report.clock_skew_s);
            std::vector<int64_t> stalled;
            std::optional<remote::SlurmQueueReply> cluster;
            if (slurm) cluster = remote::parse_slurm_queue(reply.out);
            report.updated = apply_sync(engine, host, dir, parsed, asked, to_start, report.ended, stalled,
                                        cluster ? &*cluster : nullptr);
            report.stalled = stalled;
            for (int64_t id : stalled) notify_stalled(engine, id);
            try {
                deliver_notifications(engine);
                run_notify_commands(engine);
            } catch (const util::Error&) {
                // The database was busy (another rj): what is due stays due
                // for the next sync; the sync itself succeeded.
            }
            for (const auto& q : parsed.queues) {
                QueueState st;
                st.host = host;
                st.name = util::visible(q.name);
                st.state = q.state;
                st.slots = q.slots;
                st.waiting = q.waiting;
                st.held = q.held;
                st.running = q.running;
                report.queues.push_back(std::move(st));
            }
            if (cluster) add_slurm_view(report, host, *cluster);
            if (cluster && !cluster->ok) {
                // Jobs already submitted keep their state: only the journal
                // and exit records were applied, nothing was concluded.
                report.fail(FailureKind::Remote, "SLURM on " + host + " did not answer: " +
                                util::visible(cluster->error).substr(0, 300),
                            "is slurmctld down? jobs keep their state; the next sync collects them");
            } else if (!slurm && parsed.tmux == remote::TmuxState::Missing) {
                report.fail(FailureKind::Remote, "tmux is not installed on " + host,
                            "install tmux there (apt install tmux / brew install tmux); jobs cannot start without it");
            }
        } catch (const util::Error& e) {
            report.fail(e);
            done(report);
            return;
        }
        report.reached = true;
        for (const auto& p : store::JobRepo(engine.db()).pending_on_host(host))
            if (remote_dir_of(engine, p) == dir) to_start.push_back(p);
        if (to_start.empty()) {
            done(report);
            return;
        }
        // Start the queued jobs in order; report once they all answered.
        auto state = std::make_shared<std::pair<SyncReport, size_t>>(report, to_start.size());
        for (const auto& job : to_start) {
            start_recorded_job(engine, job, [state, done](SubmitResult r, RemoteReply) {
                if (r.started) {
                    ++state->first.started;
                    ++state->first.updated;
                } else {
                    state->first.fail(r);
                }
                if (--state->second == 0) done(state->first);
            });
        }
    });
}

}  // namespace

std::vector<std::string> hosts_to_sync(Engine& engine) { return store::JobRepo(engine.db()).hosts_with_active_jobs(); }

void sync_hosts(Engine& engine, const std::vector<std::string>& hosts, std::function<void(SyncReport)> each) {
    auto cb = std::make_shared<std::function<void(SyncReport)>>(std::move(each));
    for (const auto& host : hosts) {
        // Usually one directory per host: this client's. Jobs submitted
        // before client ids (or with another remote_dir) add one exchange
        // each, all on the same connection at once.
        store::JobRepo jobs(engine.db());
        std::map<remote::RemoteDir, std::vector<store::Job>> groups;
        groups[new_job_dir(engine, host)];
        // Jobs imported from remote-jobs run where its wrapper put them: one
        // exchange of their own (engine/remote_jobs.h).
        std::vector<store::Job> imported;
        for (auto& j : jobs.active_on_host(host)) {
            if (remote_jobs_id(j)) imported.push_back(j);
            else groups[remote_dir_of(engine, j)].push_back(j);
        }
        for (auto& j : jobs.pending_on_host(host)) groups[remote_dir_of(engine, j)];
        auto total = std::make_shared<std::pair<SyncReport, size_t>>(SyncReport{}, groups.size() + !imported.empty());
        total->first.host = host;
        total->first.reached = true;
        auto merge = [total, cb](SyncReport part) {
            SyncReport& t = total->first;
            t.reached = t.reached && part.reached;
            t.updated += part.updated;
            t.started += part.started;
            t.ended.insert(t.ended.end(), part.ended.begin(), part.ended.end());
            t.stalled.insert(t.stalled.end(), part.stalled.begin(), part.stalled.end());
            if (part.clock_skew_s != 0) t.clock_skew_s = part.clock_skew_s;  // one host, one clock
            t.queues.insert(t.queues.end(), part.queues.begin(), part.queues.end());
            if (part.slurm) {  // one cluster: the last word on its counts
                t.slurm = true;
                t.slurm_ok = part.slurm_ok;
                t.slurm_running = part.slurm_running;
                t.slurm_pending = part.slurm_pending;
            }
            if (t.error.empty() && !part.error.empty()) {
                t.fail(part);
            }
            if (--total->second == 0) (*cb)(t);
        };
        for (auto& [dir, asked] : groups) sync_dir(engine, host, dir, std::move(asked), merge);
        if (!imported.empty()) sync_imported(engine, host, imported, merge);
    }
}

}  // namespace engine
