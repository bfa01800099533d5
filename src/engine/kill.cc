// Killing jobs: one exchange per host for all of its jobs. Pending jobs
// never reached a host and are cancelled locally.
#include "config.h"

#include <map>
#include <memory>
#include <set>
#include <utility>

#include "engine/deferred.h"
#include "engine/job_state.h"
#include "engine/remote_jobs.h"
#include "engine/notifications.h"
#include "engine/jobs.h"
#include "engine/slurm.h"
#include "engine/lifecycle.h"
#include "remote/protocol.h"
#include "store/job_repo.h"
#include "util/error.h"

namespace engine {

namespace {

KillResult killed(int64_t id, std::string message) {
    KillResult k;
    k.id = id;
    k.message = std::move(message);
    return k;
}

KillResult not_killed(int64_t id, const Outcome& why) {
    KillResult k;
    k.id = id;
    k.fail(why);
    return k;
}

KillResult not_killed(int64_t id, FailureKind kind, std::string message) {
    KillResult k;
    k.id = id;
    k.fail(kind, std::move(message));
    return k;
}

// What `kill` says of one job. An end record the host wrote before this kill
// (state `ended`) is "already ended"; one written after rj's flag stopped the
// job (the wrapper's, or the kill script's for a job no wrapper had started)
// says killed.
std::string kill_message(const remote::KillResult& r, const Verdict& v) {
    const auto& exit = r.facts.exit;
    bool by_flag = exit && exit->kind == remote::EndKind::Killed;
    if (by_flag && exit->err == "waiting") return "killed (it was waiting in its queue)";
    if (exit && r.state != "ended") {
        if (r.was_running) return "killed";
        if (by_flag) return "killed (before it started)";
    }
    if (exit) return "already ended (" + std::string(remote::to_string(exit->kind)) + ")";
    if (v.end.status == store::status::killed) return "killed";
    return r.state == "missing" ? "not found on the host; marked dead" : "was already gone; marked dead";
}

}  // namespace

void kill_jobs(Engine& engine, const std::vector<int64_t>& asked, std::function<void(KillResult)> each) {
    store::JobRepo jobs(engine.db());
    std::map<std::pair<std::string, remote::RemoteDir>, std::vector<int64_t>> by_place;
    std::vector<store::Job> found;
    for (int64_t id : asked) get_job(engine, id);  // throws for a missing id, before any kill
    // An array stands for its tasks.
    for (int64_t id : expand_array_ids(engine, asked)) found.push_back(get_job(engine, id));
    auto report = [&engine, each](int64_t id, std::string msg) {
        engine.loop().after(event::Duration::zero(), [each, id, msg] { each(killed(id, msg)); });
    };
    for (const auto& job : found) {
        if (job.terminal()) {
            report(job.id, std::string("already ") + to_string(job.status));
        } else if (job.status == store::status::pending) {
            store::JobEnd end;
            end.status = store::status::killed;
            end.ended_at = now_epoch();
            lifecycle::end(jobs, job.id, end, "cancelled before it started");
            // The user's own cancel of a job that never ran: nothing to tell.
            store::NotifyRepo(engine.db()).decide(job.id, "none", end.ended_at);
            if (job.array_id) lifecycle::follow_tasks(jobs, *job.array_id);
            report(job.id, "cancelled (it was waiting for its host)");
        } else if (remote_jobs_id(job)) {
            kill_imported(engine, job, each);  // where remote-jobs runs it (engine/remote_jobs.h)
        } else {
            by_place[{job.host, remote_dir_of(engine, job)}].push_back(job.id);
        }
    }
    for (const auto& [place, host_ids] : by_place) {
        const std::string& host = place.first;
        if (is_slurm_host(engine, host)) {
            kill_slurm_jobs(engine, host, place.second, host_ids, each);
            continue;
        }
        std::string script = remote::kill_script(place.second, host_ids);
        engine.run_script(host, std::move(script), std::chrono::seconds(60),
                          [&engine, host, host_ids = host_ids, each](RemoteReply reply) {
                              if (!reply.ok()) {
                                  for (int64_t id : host_ids) {
                                      if (!reply.unreachable()) {
                                          each(not_killed(id, reply));
                                          continue;
                                      }
                                      // Kept: the next sync that reaches the host kills it.
                                      int64_t d = defer_operation(engine, host, id, "kill");
                                      KillResult k = killed(id, deferred_message("kill", host, reply.error, d));
                                      k.deferred = true;
                                      each(k);
                                  }
                                  return;
                              }
                              std::vector<remote::KillResult> results;
                              try {
                                  results = remote::parse_kill(reply.out);
                              } catch (const util::Error& e) {
                                  for (int64_t id : host_ids) {
                                      KillResult k;
                                      k.id = id;
                                      k.fail(e);
                                      each(k);
                                  }
                                  return;
                              }
                              store::JobRepo repo(engine.db());
                              // Only the jobs asked about, each once; one the
                              // host did not answer for is an error, not a guess.
                              std::set<int64_t> unanswered(host_ids.begin(), host_ids.end());
                              for (const auto& r : results) {
                                  if (!unanswered.erase(r.id)) continue;
                                  Verdict v = verdict_after_kill(r, now_epoch());
                                  lifecycle::end(repo, r.id, v.end, v.note);
                                  auto j = repo.get(r.id);
                                  if (j && j->array_id) lifecycle::follow_tasks(repo, *j->array_id);
                                  // Signalled, no record yet: the wrapper sends the
                                  // message and says so in its journal line later.
                                  if (j && (r.facts.exit || v.end.status == store::status::dead)) {
                                      store::NotifyRepo notes(engine.db());
                                      note_end_for_notify(engine, notes, *j, r.facts.exit, now_epoch());
                                  }
                                  each(killed(r.id, kill_message(r, v)));
                              }
                              for (int64_t id : unanswered)
                                  each(not_killed(id, FailureKind::Remote, "the host did not answer for this job; try again"));
                          });
    }
}

}  // namespace engine
