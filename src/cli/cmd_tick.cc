// `rj -b` with no command (also `rj -b tick`): the cron entry point. There
// is no daemon: this is when the laptop decides. It syncs every host with
// work, carries out deferred operations, releases jobs whose dependencies on
// other hosts ended and places pool jobs; one line per change, nothing when
// nothing changed, so cron mails only news. Twice in a row changes nothing
// the second time; two at once never start a job twice (engine/dispatch.h).
#include "config.h"

#include <set>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "engine/dispatch.h"
#include "engine/jobs.h"
#include "engine/queries.h"
#include "util/terminal_text.h"

namespace cli {

namespace {

void declare(po::options_description&, po::options_description&, po::positional_options_description&) {}

std::string end_words(const store::Job& j) {
    std::string s = store::to_string(j.status);
    if (j.exit_code && j.status != store::status::completed) s += " (exit " + std::to_string(*j.exit_code) + ")";
    if (j.exit_signal) s += " (signal " + std::to_string(*j.exit_signal) + ")";
    return s;
}

}  // namespace

int run_tick(Context& ctx, const po::variables_map&) {
    std::vector<std::string> hosts = engine::hosts_to_sync(ctx.engine);
    std::vector<engine::SyncReport> reports;
    if (!hosts.empty()) reports = sync_and_wait(ctx, hosts, false, true);
    for (const auto& r : reports) {
        for (int64_t id : r.ended) {
            auto job = engine::find_job(ctx.engine, id);
            if (job) ctx.out << "job " << id << " on " << r.host << ": " << end_words(*job) << "\n";
        }
        if (r.started > 0) ctx.out << r.host << ": " << r.started << " pending job(s) started\n";
    }
    auto report = await<engine::DispatchReport>(ctx, "dispatch", [&](auto done) { engine::dispatch(ctx.engine, done); });
    for (const auto& c : report.changes) ctx.out << "job " << c.id << ": " << util::visible(c.text) << "\n";
    engine::finish_notifications(ctx.engine, std::chrono::seconds(30));
    return 0;
}

extern const Command kTickCommand = {
    "tick", "", "what 'rj -b' alone does (for cron): sync, deferred operations, dependencies, placement",
    "rj has no daemon: the laptop decides whenever it is awake. 'rj -b' with no command (or 'rj -b tick') syncs "
    "every host with work, carries out operations deferred while a host was unreachable, releases jobs whose "
    "dependencies on other hosts' jobs ended (or cancels them) and places pool jobs on the host with the most free "
    "capacity. It prints one line per change and nothing when nothing changed. Put it in cron "
    "(*/5 * * * * rj -b); two at once do not start a job twice.",
    declare, run_tick};

}  // namespace cli
