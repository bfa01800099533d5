// `rj -b` with no command (also `rj -b tick`): the cron entry point. There
// is no daemon: this is when the laptop decides. It syncs every host with
// work, carries out deferred operations, releases jobs whose dependencies on
// other hosts ended and places pool jobs; one line per change, nothing when
// nothing changed, so cron mails only news. Twice in a row changes nothing
// the second time; two at once never start a job twice (engine/dispatch.h).
#include "config.h"

#include <algorithm>
#include <set>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "engine/deferred.h"
#include "engine/dispatch.h"
#include "engine/jobs.h"
#include "engine/notifications.h"
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

void carry_out_deferred_ops(Context& ctx, const std::vector<engine::SyncReport>& reports) {
    std::set<std::string> reached;
    for (const auto& r : reports)
        if (r.reached) reached.insert(r.host);
    for (const auto& host : engine::hosts_with_deferred(ctx.engine)) {
        if (!reached.count(host)) continue;
        auto done = await<std::vector<engine::DeferredDone>>(
            ctx, "deferred operations on " + host, [&](auto cb) { engine::carry_out_deferred(ctx.engine, host, cb); });
        for (const auto& d : done) {
            if (d.still_waiting) continue;
            ctx.out << "job " << d.op.job_id << ": deferred " << d.op.op << (d.ok ? " done: " : " failed: ")
                    << util::visible(d.message) << "\n";
        }
    }
}

int run_tick(Context& ctx, const po::variables_map&) {
    std::vector<std::string> hosts = engine::hosts_to_sync(ctx.engine);
    for (const auto& h : engine::hosts_with_deferred(ctx.engine))
        if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
    std::vector<engine::SyncReport> reports;
    if (!hosts.empty()) reports = sync_and_wait(ctx, hosts, false, true);
    carry_out_deferred_ops(ctx, reports);
    for (const auto& r : reports) {
        for (int64_t id : r.ended) {
            auto job = engine::find_job(ctx.engine, id);
            if (job) ctx.out << "job " << id << " on " << r.host << ": " << end_words(*job) << "\n";
        }
        if (r.started > 0) ctx.out << r.host << ": " << r.started << " pending job(s) started\n";
    }
    auto report = await<engine::DispatchReport>(ctx, "dispatch", [&](auto done) { engine::dispatch(ctx.engine, done); });
    for (const auto& c : report.changes) ctx.out << "job " << c.id << ": " << util::visible(c.text) << "\n";
    // [notify] digest = on: one message for everything that ended since the last one.
    engine::send_digest(ctx.engine);
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
