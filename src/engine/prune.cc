// Prune (local history, plus the job directories on the hosts) and cleanup
// (job directories on one host, whatever the local history says: the host
// decides which jobs ended, by the rules sync uses; see cleanup.sh).
#include "config.h"

#include <cstdint>
#include <map>
#include <memory>

#include "engine/job_state.h"
#include "engine/jobs.h"
#include "remote/protocol.h"
#include "store/job_repo.h"
#include "util/error.h"

namespace engine {

void prune(Engine& engine, PruneOptions options, std::function<void(PruneReport)> done) {
    store::JobRepo jobs(engine.db());
    // No --older-than: any age, including jobs that ended this very second.
    int64_t cutoff = options.older_than_s > 0 ? now_epoch() - options.older_than_s : INT64_MAX;
    std::vector<store::Job> candidates = jobs.prunable(cutoff, options.dead_only);
    if (options.dry_run || options.keep_files || candidates.empty()) {
        PruneReport report;
        report.removed = candidates;
        if (!options.dry_run)
            for (const auto& j : candidates) jobs.remove(j.id);
        engine.loop().after(event::Duration::zero(), [done, report] { done(report); });
        return;
    }
    std::map<std::pair<std::string, remote::RemoteDir>, std::vector<store::Job>> by_place;
    for (const auto& j : candidates) by_place[{j.host, remote_dir_of(engine, j)}].push_back(j);
    auto state = std::make_shared<std::pair<PruneReport, size_t>>(PruneReport{}, by_place.size());
    for (const auto& [place, host_jobs] : by_place) {
        const std::string& host = place.first;
        std::vector<int64_t> ids;
        for (const auto& j : host_jobs) ids.push_back(j.id);
        engine.run_script(host, remote::remove_job_files_script(place.second, ids), std::chrono::seconds(60),
                          [&engine, host = host, host_jobs = host_jobs, state, done](RemoteReply reply) {
                              store::JobRepo repo(engine.db());
                              if (!reply.ok()) {
                                  // Keep the records: their files are still out there.
                                  state->first.warnings.push_back(
                                      host + ": " + reply.error + " — kept its " + std::to_string(host_jobs.size()) +
                                      " job(s); retry later, or keep the files on the host");
                              } else {
                                  std::map<int64_t, std::string> action;
                                  try {
                                      for (const auto& e : remote::parse_remove(reply.out)) action[e.id] = e.action;
                                  } catch (const util::Error& e) {
                                      state->first.warnings.push_back(host + ": " + e.what());
                                  }
                                  for (const auto& j : host_jobs) {
                                      const std::string& a = action[j.id];
                                      if (a == "removed" || a == "missing") {
                                          repo.remove(j.id);
                                          state->first.removed.push_back(j);
                                      } else if (!a.empty()) {
                                          state->first.warnings.push_back(host + ": job " + std::to_string(j.id) +
                                                                          " kept (" + a + ")");
                                      }
                                  }
                              }
                              if (--state->second == 0) done(state->first);
                          });
    }
}

void cleanup_host(Engine& engine, const std::string& host, int64_t older_than_s, bool dry_run,
                  std::function<void(CleanupReport)> done) {
    engine.require_known_host(host);
    // This client's directory for the host, and the shared one that jobs of
    // before client ids used. Never another client's or another host's.
    std::vector<remote::RemoteDir> dirs{new_job_dir(engine, host), engine.config().remote_dir_for(host)};
    auto state = std::make_shared<std::pair<CleanupReport, size_t>>(CleanupReport{}, dirs.size());
    for (const auto& dir : dirs) {
        std::string script = remote::cleanup_script(dir, older_than_s, dry_run);
        engine.run_script(host, std::move(script), std::chrono::seconds(120), [state, done](RemoteReply reply) {
            CleanupReport& report = state->first;
            if (!reply.ok()) {
                report.fail(reply);
            } else {
                try {
                    for (const auto& e : remote::parse_cleanup(reply.out))
                        if (e.action == "removed" || e.action == "would-remove")
                            report.removed.push_back("job " + std::to_string(e.id) + " (" + e.reason + ")");
                        else if (e.action == "noted")
                            report.noted.push_back("job " + std::to_string(e.id) + " (" + e.reason + ")");
                } catch (const util::Error& e) {
                    report.fail(e);
                }
            }
            if (--state->second == 0) done(report);
        });
    }
}

}  // namespace engine
