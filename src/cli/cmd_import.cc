// rj -b import remote-jobs [DB]: a remote-jobs user's history and running
// jobs brought into rj (issue 21). The work is engine/remote_jobs.h's.
#include "config.h"

#include <cstdlib>

#include "cli/command.h"
#include "engine/remote_jobs.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace cli {

namespace {

void declare(po::options_description&, po::options_description& hidden, po::positional_options_description& pos) {
    hidden.add_options()("from", po::value<std::string>(), "from")("db", po::value<std::string>(), "db");
    pos.add("from", 1).add("db", 1);
}

std::string default_db() {
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.config/remote-jobs/jobs.db";
}

int run(Context& ctx, const po::variables_map& vm) {
    const std::string usage = "usage: rj -b import remote-jobs [DB] (DB: remote-jobs' jobs.db, by default "
                              "~/.config/remote-jobs/jobs.db)";
    if (!vm.count("from")) throw util::UsageError("import what? rj imports from remote-jobs", usage);
    const std::string& from = vm["from"].as<std::string>();
    if (from != "remote-jobs")
        throw util::UsageError("cannot import from '" + util::visible(from) + "': rj imports from remote-jobs", usage);
    std::string db = vm.count("db") ? vm["db"].as<std::string>() : default_db();
    // Its settings live beside its database (~/.config/remote-jobs), the
    // Slack ones in variables too. All are checked before anything is written.
    std::string dir = db.find('/') == std::string::npos ? "." : db.substr(0, db.rfind('/'));
    std::vector<std::pair<std::string, std::string>> env;
    for (const char* name : {"REMOTE_JOBS_SLACK_WEBHOOK", "REMOTE_JOBS_SLACK_NOTIFY", "REMOTE_JOBS_SLACK_MIN_DURATION",
                             "REMOTE_JOBS_SLACK_VERBOSE"})
        if (const char* v = std::getenv(name); v && *v) env.emplace_back(name, v);
    engine::SettingsImport settings = engine::plan_settings_import(ctx.engine, dir, env);
    engine::RemoteJobsImport result = engine::import_remote_jobs(ctx.engine, db);
    int again = 0;
    for (const auto& j : result.jobs) {
        ctx.out << j.old_id << " -> " << j.id;
        if (!j.added) {
            ctx.out << " (imported before)";
            ++again;
        }
        ctx.out << "\n";
        if (!j.note.empty()) ctx.err << "rj: remote-jobs job " << j.old_id << " " << j.note << "\n";
    }
    ctx.err << "rj: imported " << result.added << " job(s) from " << util::visible(db);
    if (again) ctx.err << "; " << again << " were imported before";
    ctx.err << "\n";
    engine::write_settings_import(settings);
    for (const auto& line : settings.said) ctx.err << "rj: settings: " << util::visible(line) << "\n";
    if (!settings.append.empty()) ctx.err << "rj: settings written to " << util::visible(settings.config_path) << "\n";
    return 0;
}

}  // namespace

extern const Command kImportCommand = {
    "import", "remote-jobs [DB]", "bring remote-jobs' history and running jobs into rj",
    "Reads remote-jobs' database (DB, by default ~/.config/remote-jobs/jobs.db; it is never written) and adds "
    "each of its jobs to rj's history, printing 'OLD -> NEW' (remote-jobs' id, rj's id) a line each. A second "
    "import adds nothing. Jobs still running stay where remote-jobs started them (tmux session rj-ID, "
    "~/.cache/remote-jobs/logs on the host): rj's sync follows them to their end, the exit code from their "
    ".status file, and 'rj -b log' and 'rj -b kill' work on them. Jobs remote-jobs still held in a queue are "
    "recorded as cancelled (restart runs them). Its settings come too, into rj's config file: config.yaml "
    "beside DB (sync_interval, log_refresh_interval, host_refresh_interval, enable_mouse) and the Slack ones "
    "(REMOTE_JOBS_SLACK_WEBHOOK, _NOTIFY, _MIN_DURATION, _VERBOSE, or SLACK_WEBHOOK= in the 'config' file "
    "beside DB) into [notify]; a key rj's config already sets is kept; each is printed. A missing or foreign "
    "file, or a bad setting, is an error and nothing is written.",
    declare, run};

}  // namespace cli
