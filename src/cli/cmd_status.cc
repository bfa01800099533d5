// rj -b status [--wait [--wait-timeout DUR]] ID...
// Exit status: 0 succeeded, 1 failed, 2 still running, 3 not found.
#include "config.h"

#include <algorithm>
#include <csignal>
#include <set>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "cli/job_format.h"
#include "engine/jobs.h"
#include "engine/queries.h"
#include "util/duration.h"
#include "util/error.h"

namespace cli {

namespace {

using namespace std::chrono_literals;

void declare(po::options_description& opts, po::options_description& hidden, po::positional_options_description& pos) {
    opts.add_options()
        ("wait", "wait until every job has ended")
        ("wait-timeout", po::value<std::string>()->value_name("DUR"), "with --wait: give up after DUR (exit 2)")
        ("sync", "wait for a full sync of the jobs' hosts (without it: a quick one, about two seconds)")
        ("no-sync", "print the states history has, asking no host");
    hidden.add_options()("ids", po::value<std::vector<std::string>>(), "ids");
    pos.add("ids", -1);
}

int code_for(const store::Job& job) {
    if (job.status == store::status::completed) return 0;
    if (job.terminal()) return 1;
    return 2;
}

int run(Context& ctx, const po::variables_map& vm) {
    if (!vm.count("ids")) throw util::UsageError("no job id given", "usage: rj -b status [--wait] ID...");
    std::vector<int64_t> ids;
    for (const auto& s : vm["ids"].as<std::vector<std::string>>()) ids.push_back(parse_job_id(s));
    bool wait = vm.count("wait") > 0;
    event::TimePoint deadline = event::TimePoint::max();
    if (vm.count("wait-timeout")) {
        if (!wait) throw util::UsageError("--wait-timeout needs --wait");
        deadline = event::Clock::now() + util::parse_duration_or_throw(vm["wait-timeout"].as<std::string>(), "--wait-timeout");
    }
    if (vm.count("sync") && vm.count("no-sync")) throw util::UsageError("--sync and --no-sync contradict each other");
    if (wait && vm.count("no-sync")) throw util::UsageError("--wait needs the hosts; it cannot go with --no-sync");
    // remote-jobs' status: a quick sync (a host that does not answer in time
    // is shown from history, marked); --sync and --wait wait for full ones.
    bool full = wait || vm.count("sync") > 0;
    bool no_sync = vm.count("no-sync") > 0;
    std::set<std::string> unsynced;
    bool interrupted = false;
    if (wait) ctx.engine.loop().on_signal(SIGINT, [&](int) { interrupted = true; });
    auto poll = 1s;
    for (;;) {
        std::set<std::string> hosts;
        bool any_missing = false;
        for (int64_t id : ids) {
            auto job = engine::find_job(ctx.engine, id);
            if (!job) any_missing = true;
            else if (!job->terminal()) hosts.insert(job->host);
        }
        if (full && !hosts.empty()) sync_and_wait(ctx, {hosts.begin(), hosts.end()}, false, wait);
        else if (!no_sync) unsynced = quick_sync(ctx, {hosts.begin(), hosts.end()});
        bool all_done = true;
        for (int64_t id : ids) {
            auto job = engine::find_job(ctx.engine, id);
            if (job && !job->terminal()) all_done = false;
        }
        bool give_up = interrupted || event::Clock::now() >= deadline;
        if (!wait || all_done || give_up || (any_missing && ids.size() == 1)) {
            note_unsynced(ctx, unsynced);
            int worst = 0;
            for (int64_t id : ids) {
                auto job = engine::find_job(ctx.engine, id);
                if (!job) {
                    ctx.out << id << "\tnot found\n";
                    worst = std::max(worst, 3);
                    continue;
                }
                ctx.out << id << "\t" << engine::status_words(*job)
                        << (!job->terminal() && unsynced.count(job->host) ? " ?" : "") << "\n";
                worst = std::max(worst, code_for(*job));
            }
            return worst;
        }
        bool tick = false;
        ctx.engine.loop().after(poll, [&] { tick = true; });
        ctx.engine.loop().run_until([&] { return tick || interrupted; }, deadline);
        poll = std::min<std::chrono::seconds>(poll * 2, 10s);
    }
}

}  // namespace

extern const Command kStatusCommand = {
    .name = "status",
    .args = "ID...",
    .summary = "print job states; exit 0 succeeded, 1 failed, 2 running, 3 not found",
    .details = "Checks the hosts of jobs that have not ended (one exchange per host, all at once, for about two seconds: a "
        "host that does not answer in time has its jobs printed from history, marked ?; --sync waits for it, "
        "--no-sync asks no host), then prints one line per job. With "
        "several ids the exit status is the worst of them: 3 if any is unknown, else 2 if any is still running, else "
        "1 if any failed, else 0. With --wait it polls until every job has ended (or --wait-timeout passes, exit 2); "
        "it then exits 0 only if all succeeded. Unreachable hosts are retried while waiting.",
    .declare = declare,
    .run = run,
};

}  // namespace cli
