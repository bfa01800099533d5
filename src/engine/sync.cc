// Sync: one exchange per host, all hosts at once. The host returns journal
// events since the offset we last applied plus liveness facts for the jobs we
// think are active; pending jobs (and `starting` jobs the host never saw) are
// then started on the same connection.
#include "config.h"

#include <memory>
#include <set>

#include "engine/job_start.h"
#include "engine/job_state.h"
#include "engine/jobs.h"
#include "remote/protocol.h"
#include "store/host_repo.h"
#include "store/job_repo.h"
#include "util/error.h"

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

// Applies the reply; returns how many job rows changed and fills `to_start`.
int apply_sync(Engine& engine, const std::string& host, const remote::SyncReply& reply,
               const std::vector<store::Job>& asked, std::vector<store::Job>& to_start) {
    store::JobRepo jobs(engine.db());
    int changed = 0;
    std::set<int64_t> ours;
    for (const auto& j : asked) ours.insert(j.id);
    // Journal first: it carries exact times and codes even for jobs that
    // ended long ago, while the laptop slept.
    for (const auto& ev : reply.events) {
        auto job = jobs.get(ev.id);
        if (!job || job->host != host) continue;
        if (ev.event == "start") {
            if (job->status == store::status::starting || job->status == store::status::pending)
                changed += apply_start(jobs, ev.id, ev.get_int("pid") > 0 ? std::optional<int64_t>(ev.get_int("pid")) : std::nullopt,
                                       ev.time);
        } else if (auto end = end_from_event(ev)) {
            changed += apply_end(jobs, ev.id, *end, ev.get("err"));
        }
    }
    int64_t now = now_epoch();
    for (const auto& j : asked) {
        auto it = reply.jobs.find(j.id);
        if (it == reply.jobs.end()) continue;
        auto current = jobs.get(j.id);
        if (!current || current->terminal()) continue;
        bool was_starting = current->status == store::status::starting;
        remote::JobFate fate = remote::decide(it->second, was_starting);
        switch (fate.fate) {
        case remote::Fate::Starting: break;
        case remote::Fate::Running: {
            std::optional<int64_t> pid;
            if (it->second.pid > 0) pid = it->second.pid;
            changed += apply_start(jobs, j.id, pid, it->second.started);
            break;
        }
        case remote::Fate::NeverStarted:
            if (now - current->created_at >= kStartingGraceS) to_start.push_back(*current);
            break;
        case remote::Fate::Dead: {
            store::JobEnd end;
            end.status = store::status::dead;
            end.ended_at = now;
            if (it->second.exit) end = end_from_record(*it->second.exit);
            end.status = store::status::dead;
            changed += apply_end(jobs, j.id, end, fate.note);
            break;
        }
        default: {
            store::JobEnd end;
            if (it->second.exit) {
                end = end_from_record(*it->second.exit);
            } else {
                end.ended_at = now;
                end.status = fate.fate == remote::Fate::Completed ? store::status::completed
                             : fate.fate == remote::Fate::Killed  ? store::status::killed
                             : fate.fate == remote::Fate::Timeout ? store::status::timeout
                                                                   : store::status::failed;
                if (fate.exit_code >= 0) end.exit_code = fate.exit_code;
                if (fate.signal > 0) end.exit_signal = fate.signal;
            }
            changed += apply_end(jobs, j.id, end, fate.note);
            break;
        }
        }
    }
    store::HostRepo hosts(engine.db());
    store::HostState st = hosts.get(host);
    st.journal_offset = reply.new_offset;
    st.last_seen = now;
    st.offline_since.reset();
    st.last_error.clear();
    hosts.put(st);
    return changed;
}

}  // namespace

std::vector<std::string> hosts_to_sync(Engine& engine) { return store::JobRepo(engine.db()).hosts_with_active_jobs(); }

void sync_hosts(Engine& engine, const std::vector<std::string>& hosts, std::function<void(SyncReport)> each) {
    auto cb = std::make_shared<std::function<void(SyncReport)>>(std::move(each));
    for (const auto& host : hosts) {
        store::JobRepo jobs(engine.db());
        std::vector<store::Job> asked = jobs.active_on_host(host);
        std::vector<int64_t> ids;
        for (const auto& j : asked) ids.push_back(j.id);
        int64_t offset = store::HostRepo(engine.db()).get(host).journal_offset;
        std::string script = remote::sync_script(engine.config().remote_dir_for(host), offset, ids);
        engine.run_script(host, std::move(script), std::chrono::seconds(60), [&engine, host, asked, cb](RemoteReply reply) {
            SyncReport report;
            report.host = host;
            if (!reply.ok) {
                report.error = reply.error;
                report.hint = reply.hint;
                if (reply.unreachable) mark_offline(engine, host, reply.error);
                (*cb)(report);
                return;
            }
            std::vector<store::Job> to_start;
            try {
                remote::SyncReply parsed = remote::parse_sync(reply.out);
                report.updated = apply_sync(engine, host, parsed, asked, to_start);
                if (parsed.tmux == remote::TmuxState::Missing) {
                    report.error = "tmux is not installed on " + host;
                    report.hint = "install tmux there (apt install tmux / brew install tmux); jobs cannot start without it";
                }
            } catch (const util::Error& e) {
                report.error = e.what();
                report.hint = e.hint();
                (*cb)(report);
                return;
            }
            report.reached = true;
            for (const auto& p : store::JobRepo(engine.db()).pending_on_host(host)) to_start.push_back(p);
            if (to_start.empty()) {
                (*cb)(report);
                return;
            }
            // Start the queued jobs in order; report once they all answered.
            auto state = std::make_shared<std::pair<SyncReport, size_t>>(report, to_start.size());
            for (const auto& job : to_start) {
                start_recorded_job(engine, job, [state, cb](SubmitResult r, RemoteReply) {
                    if (r.started) {
                        ++state->first.started;
                        ++state->first.updated;
                    } else if (state->first.error.empty()) {
                        state->first.error = r.error;
                        state->first.hint = r.hint;
                    }
                    if (--state->second == 0) (*cb)(state->first);
                });
            }
        });
    }
}

}  // namespace engine
