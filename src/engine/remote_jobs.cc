#include "config.h"

#include "engine/lifecycle.h"
#include "engine/remote_jobs.h"

#include "engine/job_state.h"
#include "remote/foreign.h"
#include "store/database.h"
#include "store/job_repo.h"
#include "store/remote_jobs_db.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace engine {

namespace {

constexpr const char* kMarker = "remote-jobs:";

// Bounds on what an imported row may hold: the file is the user's, but a
// command of a megabyte is a damaged file, not a job.
constexpr size_t kMaxField = 64 * 1024;

std::string bounded(const std::string& s) { return s.size() > kMaxField ? s.substr(0, kMaxField) : s; }

// The rj record of one remote-jobs row. Statuses map as remote-jobs means
// them (completed with a non-zero code is rj's failed); a job remote-jobs
// still holds in a queue never ran: rj cannot start it there, so it is
// recorded as cancelled, with a note.
store::Job job_from_row(const store::RemoteJobsRow& r, std::string& note) {
    store::Job j;
    j.host = r.host;
    j.command = bounded(r.command);
    j.workdir = r.working_dir.empty() ? "~" : bounded(r.working_dir);
    j.description = bounded(r.description);
    j.remote_dir = kMarker + std::to_string(r.id);
    j.queue = r.queue_name.empty() ? "" : bounded(r.queue_name);
    j.error = bounded(r.error_message);
    int64_t now = now_epoch();
    j.created_at = r.start_time.value_or(now);
    j.started_at = r.start_time;
    const std::string& st = r.status;
    if (st == "running" || st == "starting") {
        j.status = store::status::running;  // the next sync finds out
    } else if (st == "completed") {
        int code = static_cast<int>(r.exit_code.value_or(0));
        j.exit_code = code;
        j.status = code == 0 ? store::status::completed : store::status::failed;
        j.ended_at = r.end_time.value_or(j.created_at);
    } else if (st == "dead") {
        j.status = store::status::dead;
        j.ended_at = r.end_time.value_or(j.created_at);
    } else if (st == "failed") {
        j.status = store::status::failed;
        if (r.exit_code) j.exit_code = static_cast<int>(*r.exit_code);
        j.ended_at = r.end_time.value_or(j.created_at);
        if (j.error.empty()) j.error = "failed to start (remote-jobs)";
    } else {
        // pending, queued, or a status this rj does not know
        j.status = store::status::cancelled;
        j.started_at.reset();
        j.ended_at = now;
        note = "was " + util::visible(st.substr(0, 40)) + " in remote-jobs, never started: cancelled here";
        if (j.error.empty()) j.error = "not started: remote-jobs held it (" + util::visible(st.substr(0, 40)) + ")";
    }
    return j;
}

}  // namespace

std::optional<int64_t> remote_jobs_id(const store::Job& job) {
    const std::string& d = job.remote_dir;
    if (d.rfind(kMarker, 0) != 0) return std::nullopt;
    std::string n = d.substr(std::string(kMarker).size());
    if (n.empty() || n.size() > 18 || n.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoll(n);
}

RemoteJobsImport import_remote_jobs(Engine& engine, const std::string& db_path) {
    std::vector<store::RemoteJobsRow> rows = store::read_remote_jobs_db(db_path);
    for (const auto& r : rows) {
        if (r.id <= 0 || r.host.empty() || r.host.size() > 255 || r.host.find_first_of(" \t\n\r/\\'\"`$;") != std::string::npos)
            throw util::Error(db_path + ": job " + std::to_string(r.id) + " has no usable host ('" +
                                  util::visible(r.host.substr(0, 80)) + "')",
                              "fix or delete that row in remote-jobs first; nothing was imported");
    }
    RemoteJobsImport out;
    store::Transaction tx(engine.db());
    store::JobRepo jobs(engine.db());
    for (const auto& r : rows) {
        ImportedJob ij;
        ij.old_id = r.id;
        std::string marker = kMarker + std::to_string(r.id);
        if (auto had = store::find_imported_job(engine.db(), r.host, marker)) {
            ij.id = *had;
            out.jobs.push_back(ij);
            continue;
        }
        store::Job j = job_from_row(r, ij.note);
        ij.id = jobs.insert(j);
        if (!ij.note.empty()) ij.note += " ('rj -b restart " + std::to_string(ij.id) + "' runs it)";
        ij.added = true;
        ++out.added;
        out.jobs.push_back(ij);
    }
    tx.commit();
    return out;
}

void sync_imported(Engine& engine, const std::string& host, const std::vector<store::Job>& asked,
                   std::function<void(SyncReport)> done) {
    std::vector<remote::ForeignJob> fj;
    for (const auto& j : asked)
        if (auto old = remote_jobs_id(j)) fj.push_back({j.id, *old});
    std::string script = remote::foreign_sync_script(fj);
    engine.run_script(host, std::move(script), std::chrono::seconds(60),
                      [&engine, host, fj, done = std::move(done)](RemoteReply reply) {
                          SyncReport rep;
                          rep.host = host;
                          if (!reply.ok()) {
                              rep.fail(reply);
                              done(std::move(rep));
                              return;
                          }
                          rep.reached = true;
                          remote::ForeignSync s;
                          try {
                              s = remote::parse_foreign_sync(reply.out);
                          } catch (const util::Error& e) {
                              rep.fail(e);
                              done(std::move(rep));
                              return;
                          }
                          store::JobRepo jobs(engine.db());
                          for (const auto& st : s.jobs) {
                              // Only the jobs asked about: a reply naming another is ignored.
                              bool asked_for = false;
                              for (const auto& f : fj) asked_for = asked_for || f.id == st.id;
                              if (!asked_for) continue;
                              store::JobEnd end;
                              end.ended_at = now_epoch();
                              std::string note;
                              if (st.exit_code) {
                                  end.exit_code = *st.exit_code;
                                  end.status = *st.exit_code == 0 ? store::status::completed : store::status::failed;
                              } else if (!st.alive) {
                                  end.status = store::status::dead;
                                  note = "its remote-jobs session ended without an exit code";
                              } else {
                                  continue;  // still running
                              }
                              if (lifecycle::end(jobs, st.id, end, note)) {
                                  ++rep.updated;
                                  rep.ended.push_back(st.id);
                              }
                          }
                          done(std::move(rep));
                      });
}

void kill_imported(Engine& engine, const store::Job& job, std::function<void(KillResult)> done) {
    auto old = remote_jobs_id(job);
    if (!old) throw util::Error("internal: job " + std::to_string(job.id) + " was not imported");
    remote::ForeignJob fj{job.id, *old};
    int64_t id = job.id;
    engine.run_script(job.host, remote::foreign_kill_script(fj), std::chrono::seconds(60),
                      [&engine, id, done = std::move(done)](RemoteReply reply) {
                          KillResult k;
                          k.id = id;
                          if (!reply.ok()) {
                              k.fail(reply);
                              done(std::move(k));
                              return;
                          }
                          remote::ForeignKill fk;
                          try {
                              fk = remote::parse_foreign_kill(reply.out);
                          } catch (const util::Error& e) {
                              k.fail(e);
                              done(std::move(k));
                              return;
                          }
                          store::JobRepo jobs(engine.db());
                          store::JobEnd end;
                          end.ended_at = now_epoch();
                          if (fk.exit_code && !fk.was_running) {
                              end.exit_code = *fk.exit_code;
                              end.status = *fk.exit_code == 0 ? store::status::completed : store::status::failed;
                              lifecycle::end(jobs, id, end);
                              k.message = std::string("already ") + to_string(end.status);
                          } else {
                              end.status = store::status::killed;
                              lifecycle::end(jobs, id, end);
                              k.message = fk.was_running ? "killed" : "killed (it was no longer running)";
                          }
                          done(std::move(k));
                      });
}

}  // namespace engine
