// remote-jobs (github.com/osteele/remote-jobs) users' history and running
// jobs in rj: `rj -b import remote-jobs`, and the jobs it imported followed
// where remote-jobs' wrapper runs them (remote/foreign.h). An imported job's
// remote_dir is "remote-jobs:ID", ID being its remote-jobs id.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/jobs.h"
#include "store/job.h"

namespace engine {

// The remote-jobs id of a job imported from it; nullopt for rj's own jobs.
std::optional<int64_t> remote_jobs_id(const store::Job& job);

struct ImportedJob {
    int64_t old_id = 0;
    int64_t id = 0;
    bool added = false;  // false: imported before (the id is that job's)
    std::string note;    // what differs ("was queued in remote-jobs: cancelled here")
};
struct RemoteJobsImport {
    std::vector<ImportedJob> jobs;
    int added = 0;
};
// Imports every job of remote-jobs' database at `db_path` (store/remote_jobs_db.h)
// in one transaction: all or nothing. Jobs imported before are skipped.
// util::Error (nothing written) for a missing or foreign file.
RemoteJobsImport import_remote_jobs(Engine& engine, const std::string& db_path);

// Hooks of sync, kill and log for imported jobs (sync.cc, kill.cc, logs.cc).
void sync_imported(Engine& engine, const std::string& host, const std::vector<store::Job>& jobs,
                   std::function<void(SyncReport)> done);
void kill_imported(Engine& engine, const store::Job& job, std::function<void(KillResult)> done);

}  // namespace engine

namespace engine {

// remote-jobs' settings as rj's: its config.yaml (sync_interval,
// log_refresh_interval, host_refresh_interval, enable_mouse; default_command
// has no rj counterpart) and its Slack settings (REMOTE_JOBS_SLACK_WEBHOOK,
// _NOTIFY, _MIN_DURATION, _VERBOSE, or SLACK_WEBHOOK= in its `config` file)
// to rj's config file's top level and [notify].
struct SettingsImport {
    std::vector<std::string> said;  // what was mapped, kept or left, a line each
    std::string append;             // the text to add to rj's config ("" nothing)
    std::string config_path;        // rj's config file
};
// Reads `dir` (remote-jobs' ~/.config/remote-jobs) and `env` (the
// REMOTE_JOBS_SLACK_* values set), checks every value, and compares with
// rj's config: a key rj's config already sets is kept. util::Error (nothing
// written) for a config.yaml that is not remote-jobs'.
SettingsImport plan_settings_import(Engine& engine, const std::string& dir,
                                    const std::vector<std::pair<std::string, std::string>>& env);
// Appends the planned text (0600 when the file is new), then loads the
// result; on a load error the file is put back as it was (util::Error).
void write_settings_import(const SettingsImport& plan);

}  // namespace engine
