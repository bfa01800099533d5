#include "config.h"

#include "cli/batch_ops.h"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <algorithm>
#include <optional>

#include "cli/job_format.h"
#include "util/duration.h"
#include "util/error.h"
#include "util/regex.h"
#include "util/terminal_text.h"

namespace cli {

using namespace std::chrono_literals;

util::Regex check_grep_pattern(const std::string& pattern) {
    std::string problem;
    auto re = util::Regex::compile(pattern, util::Regex::Syntax::PosixExtended, &problem);
    if (!re)
        throw util::UsageError::in("grep", "'" + util::visible(pattern) + "' " + problem,
                                   "--grep takes POSIX extended syntax, as grep -E reads it (see PATTERNS in the man "
                                   "page), for example 'loss=[0-9.]+|nan'");
    return std::move(*re);
}

int64_t parse_job_id(const std::string& text) {
    try {
        size_t used = 0;
        long long id = std::stoll(text, &used);
        if (used == text.size() && id > 0) return id;
    } catch (const std::exception&) {
    }
    throw util::UsageError("'" + text + "' is not a job id", "job ids are positive numbers, as 'rj -b list' shows");
}

int submit_and_report(Context& ctx, const engine::SubmitRequest& request, bool follow, bool dir_defaulted) {
    auto result = await<engine::SubmitResult>(ctx, "run", [&](auto done) { engine::submit(ctx.engine, request, done); });
    if (result.pending) {
        ctx.out << result.job_id << "\n";
        ctx.err << "rj: " << request.host << " is unreachable (" << util::visible(result.error) << "); job " << result.job_id
                << " is pending and starts at the next sync that reaches it\n";
        return 0;
    }
    if (result.laptop_held && result.ok()) {
        ctx.out << result.job_id << "\n" << std::flush;
        std::string what = result.task_ids.empty() ? "job " + std::to_string(result.job_id)
                                                   : "array " + std::to_string(result.job_id);
        if (!result.placed_host.empty()) {
            if (ctx.out_is_tty || follow) ctx.err << "rj: " << what << " started on " << result.placed_host << "\n";
            if (follow && result.task_ids.empty()) return follow_log(ctx, result.job_id, 0);
        } else {
            ctx.err << "rj: " << what << " is pending: " << util::visible(result.waiting)
                    << "\nrj: rj places it when it next looks (the interface, or 'rj -b' from cron)\n";
        }
        return 0;
    }
    if (!result.started) {
        // The job's directory defaults to the local current one, which the
        // host may not have: say so, and how to choose.
        if (dir_defaulted && result.kind == engine::FailureKind::Workdir)
            result.hint = "without -C the job runs in your current directory (" + request.workdir +
                          "), which " + request.host + " cannot use; give -C DIR (e.g. -C ~)";
        print_error(ctx.err, result.error, result.hint);
        return 1;
    }
    ctx.out << result.job_id << "\n" << std::flush;
    if (!result.slurm_id.empty()) {
        // Both ids, always: the cluster's tools (squeue, sacct) know only SLURM's.
        ctx.err << "rj: " << (result.task_ids.empty() ? "job " : "array ") << result.job_id << " is SLURM job "
                << result.slurm_id << " on " << request.host << "\n";
        if (follow && result.task_ids.empty()) return follow_log(ctx, result.job_id, 0);
        return 0;
    }
    if (result.in_queue) {
        const std::string& q = request.queue.name;
        std::string what = result.task_ids.empty() ? "job " + std::to_string(result.job_id)
                                                   : "array " + std::to_string(result.job_id) + " (" +
                                                         std::to_string(result.task_ids.size()) + " tasks)";
        if (ctx.out_is_tty || follow) {
            ctx.err << "rj: " << what << " is queued in " << q << " on " << request.host;
            if (result.runner == "stopped" || result.runner == "draining")
                ctx.err << "; its runner is " << result.runner << " ('rj -b queue start " << request.host
                        << (q == "default" ? "" : " --queue " + q) << "')";
            ctx.err << "\n";
        }
        if (!result.hint.empty()) print_error(ctx.err, "warning: " + result.hint);
        if (follow && result.task_ids.empty()) return follow_log(ctx, result.job_id, 0);
        return 0;
    }
    return follow ? follow_log(ctx, result.job_id, 0) : 0;
}

engine::TickReport tick_and_wait(Context& ctx, engine::TickRequest request, bool verbose, bool quiet) {
    auto report = await<engine::TickReport>(
        ctx, request.hosts.empty() ? "dispatch" : "sync",
        [&](auto done) { engine::tick(ctx.engine, std::move(request), done); });
    // Messages this tick found due go out before rj exits (bounded: a dead
    // webhook must not hold a cron job for long; the next rj tries again).
    engine::finish_notifications(ctx.engine, std::chrono::seconds(30));
    for (const auto& r : report.hosts) {
        if (verbose && r.reached)
            ctx.out << r.host << ": ok, " << r.updated << " job(s) updated, " << r.started << " started\n";
        if (verbose && r.clock_skew_s != 0)
            ctx.out << r.host << ": its clock is " << util::format_duration(util::Seconds(std::abs(r.clock_skew_s)))
                    << (r.clock_skew_s > 0 ? " ahead of" : " behind") << " this one; its job times are shifted to ours\n";
        if (!r.error.empty() && !quiet) {
            print_error(ctx.err, r.host + ": " + r.error, r.hint);
        }
    }
    return report;
}

std::vector<engine::SyncReport> sync_and_wait(Context& ctx, const std::vector<std::string>& hosts, bool verbose,
                                              bool quiet) {
    engine::TickRequest request;
    request.hosts = hosts;
    request.deferred = request.dispatch = request.digest = false;
    return tick_and_wait(ctx, std::move(request), verbose, quiet).hosts;
}

void print_deferred(Context& ctx, const engine::TickReport& report) {
    for (const auto& d : report.deferred)
        ctx.out << "job " << d.op.job_id << ": deferred " << d.op.op << (d.ok ? " done: " : " failed: ")
                << util::visible(d.message) << "\n";
}

std::set<std::string> quick_sync(Context& ctx, const std::vector<std::string>& hosts, event::Duration budget) {
    std::set<std::string> unsynced(hosts.begin(), hosts.end());
    if (unsynced.empty()) return unsynced;
    // Shared: a host that answers after we stopped waiting lands here, not
    // in a returned frame.
    struct Answers {
        size_t count = 0;
        std::set<std::string> reached;
    };
    auto answers = std::make_shared<Answers>();
    event::TimePoint deadline = event::Clock::now() + budget;
    // The sync step of the one tick (engine/tick.h), waited on for the
    // budget only: its per-host hook says who answered in time.
    engine::TickRequest request;
    request.hosts = hosts;
    request.deferred = request.dispatch = request.digest = false;
    request.on_host = [answers](const engine::SyncReport& r) {
        ++answers->count;
        if (r.reached) answers->reached.insert(r.host);
    };
    engine::tick(ctx.engine, std::move(request), [](engine::TickReport) {});
    ctx.engine.loop().run_until([&] { return answers->count >= hosts.size(); }, deadline);
    for (const auto& h : answers->reached) unsynced.erase(h);
    // Messages this sync found due: sent within what is left of the budget
    // (at least a moment); the rest are handed to the next rj.
    auto left = std::max<event::Duration>(deadline - event::Clock::now(), std::chrono::milliseconds(500));
    engine::finish_notifications(ctx.engine, left);
    return unsynced;
}

void note_unsynced(Context& ctx, const std::set<std::string>& hosts) {
    if (hosts.empty()) return;
    std::string names;
    for (const auto& h : hosts) names += (names.empty() ? "" : ", ") + h;
    ctx.err << "rj: not synced (shown from history, marked ?): " << util::visible(names)
            << "\n    no answer within " << std::chrono::duration_cast<std::chrono::seconds>(kQuickSyncBudget).count()
            << " s; --sync waits for a full sync\n";
}

int follow_log(Context& ctx, int64_t id, int64_t offset, const std::string& grep) {
    bool interrupted = false;
    ctx.engine.loop().on_signal(SIGINT, [&](int) { interrupted = true; });
    // New lines are matched here, with RE2: linear time, no recursion, so
    // one long line cannot stall or crash the follower. The pattern was
    // checked (in the syntax hosts' grep -E reads alike) before anything ran.
    std::optional<util::Regex> filter;
    if (!grep.empty()) filter = check_grep_pattern(grep);
    std::string partial;  // with a filter: the last line, not yet complete
    auto emit = [&](const std::string& text, bool flush) {
        if (!filter) return ctx.write_log(text);
        partial += text;
        size_t start = 0;
        for (size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1) {
            std::string line = partial.substr(start, nl - start);
            if (filter->search(line)) ctx.write_log(line + "\n");
        }
        partial.erase(0, start);
        if (partial.size() > (1 << 20)) partial.erase(0, partial.size() - (1 << 20));
        if (flush && !partial.empty() && filter->search(partial)) ctx.write_log(partial);
    };
    // A queued job has no log yet: wait (syncing now and then) until it starts.
    for (store::Job job = engine::get_job(ctx.engine, id);
         !interrupted && (job.status == store::status::queued || job.status == store::status::pending);
         job = engine::get_job(ctx.engine, id)) {
        bool tick = false;
        ctx.engine.loop().after(2s, [&] { tick = true; });
        ctx.engine.loop().run_until([&] { return tick || interrupted; });
        if (!interrupted) sync_and_wait(ctx, {job.host}, false, true);
    }
    bool running = true;
    int failures = 0;
    while (running && !interrupted) {
        engine::LogRequest req;
        req.id = id;
        req.byte_offset = offset;
        auto answer = std::make_shared<std::optional<engine::LogResult>>();
        engine::fetch_log(ctx.engine, req, [answer](engine::LogResult r) { *answer = std::move(r); });
        wait_for(ctx, "log -f", [&] { return answer->has_value() || interrupted; });
        if (interrupted) break;
        engine::LogResult result = std::move(**answer);
        if (!result.ok() || result.cached) {
            // A dropped connection mid-follow: keep trying for a while.
            if (++failures >= 5) {
                ctx.err << "rj: lost the log of job " << id << ": " << util::visible(result.cached ? result.cached_because : result.error) << "\n";
                return 1;
            }
        } else {
            failures = 0;
            emit(result.text, false);
            offset = result.next_offset;
            running = result.running;
        }
        if (running) {
            bool tick = false;
            ctx.engine.loop().after(500ms, [&] { tick = true; });
            ctx.engine.loop().run_until([&] { return tick || interrupted; });
        }
    }
    emit("", true);
    if (interrupted) {
        ctx.err << "rj: stopped following; job " << id << " keeps running\n";
        return 130;
    }
    store::Job job = engine::get_job(ctx.engine, id);
    // The log ends a moment before the wrapper's exit record lands.
    for (int attempt = 0; attempt < 10 && !job.terminal(); ++attempt) {
        if (attempt > 0) {
            bool tick = false;
            ctx.engine.loop().after(300ms, [&] { tick = true; });
            ctx.engine.loop().run_until([&] { return tick; });
        }
        sync_and_wait(ctx, {job.host}, false, attempt > 0);
        job = engine::get_job(ctx.engine, id);
    }
    if (!job.terminal()) return 2;
    return job_exit_status(job);
}

}  // namespace cli
