// `rj -b` with no command (also `rj -b tick`): the cron entry point. There
// is no daemon: this is when the laptop decides. It syncs every host with
// work, carries out deferred operations, releases jobs whose dependencies on
// other hosts ended and places pool jobs; one line per change, nothing when
// nothing changed, so cron mails only news. The steps are engine::tick's;
// this only prints its report. Twice in a row changes nothing
// the second time; two at once never start a job twice (engine/dispatch.h).
#include "config.h"

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "engine/job_facts.h"
#include "engine/queries.h"
#include "engine/tick.h"
#include "util/terminal_text.h"

namespace cli {

namespace {

void declare(po::options_description&, po::options_description&, po::positional_options_description&) {}

}  // namespace

int run_tick(Context& ctx, const po::variables_map&) {
    engine::TickRequest request;
    request.hosts = engine::hosts_with_work(ctx.engine);
    auto report = tick_and_wait(ctx, std::move(request), false, true);
    print_deferred(ctx, report);
    for (const auto& r : report.hosts) {
        for (int64_t id : r.ended) {
            auto job = engine::find_job(ctx.engine, id);
            if (job) ctx.out << "job " << id << " on " << r.host << ": " << engine::status_words(*job) << "\n";
        }
        if (r.started > 0) ctx.out << r.host << ": " << r.started << " pending job(s) started\n";
    }
    for (const auto& c : report.dispatch.changes) ctx.out << "job " << c.id << ": " << util::visible(c.text) << "\n";
    return 0;
}

extern const Command kTickCommand = {
    .name = "tick",
    .args = "",
    .summary = "what 'rj -b' alone does (for cron): sync, deferred operations, dependencies, placement",
    .details = "rj has no daemon: the laptop decides whenever it is awake. 'rj -b' with no command (or 'rj -b tick') syncs "
        "every host with work, carries out operations deferred while a host was unreachable, releases jobs whose "
        "dependencies on other hosts' jobs ended (or cancels them) and places pool jobs on the host with the most free "
        "capacity. It prints one line per change and nothing when nothing changed. Put it in cron "
        "(*/5 * * * * rj -b); two at once do not start a job twice.",
    .declare = declare,
    .run = run_tick,
};

}  // namespace cli
