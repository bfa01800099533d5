// Queue commands: queue start|stop|status|list|remove, and the edits of
// jobs that still wait in a queue: hold, release, start-now, update, move,
// pending.
#include "config.h"

#include <algorithm>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "cli/dropin.h"
#include "engine/jobs.h"
#include "engine/queries.h"
#include "util/duration.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace cli {

namespace {

std::vector<int64_t> ids_of(const po::variables_map& vm, const char* usage) {
    if (!vm.count("ids")) throw util::UsageError("no job id given", usage);
    std::vector<int64_t> ids;
    for (const auto& s : vm["ids"].as<std::vector<std::string>>()) ids.push_back(parse_job_id(s));
    return ids;
}

void declare_queue(po::options_description& opts, po::options_description& hidden,
                   po::positional_options_description& pos) {
    opts.add_options()
        ("queue", po::value<std::string>()->value_name("NAME"), "the queue (default: default; status and list: all)")
        ("slots", po::value<int>()->value_name("N"), "start: let N jobs of the queue run at once");
    hidden.add_options()("action", po::value<std::string>(), "action")("words", po::value<std::vector<std::string>>(), "words");
    pos.add("action", 1).add("words", -1);
}

// `queue remove ID...` (remote-jobs' meaning): those waiting jobs leave
// their queues. Every id is checked before any is removed.
int remove_waiting_jobs(Context& ctx, const std::vector<std::string>& words) {
    std::vector<int64_t> ids;
    for (const auto& w : words) {
        if (w.empty() || w.find_first_not_of("0123456789") != std::string::npos)
            throw util::UsageError("queue remove takes job ids, not '" + w + "'",
                                   "to empty a whole queue: rj -b queue clear HOST [--queue NAME]");
        ids.push_back(parse_job_id(w));
    }
    for (int64_t id : ids) {
        store::Job job = engine::get_job(ctx.engine, id);
        if (job.status != store::status::queued && job.status != store::status::pending)
            throw util::UsageError("job " + std::to_string(id) + " is " + store::to_string(job.status) +
                                       ", not waiting in a queue; nothing was removed",
                                   job.terminal() ? "'rj -b prune' removes ended jobs"
                                                  : "'rj -b kill " + std::to_string(id) + "' ends a running job");
    }
    std::vector<int64_t> all = engine::expand_array_ids(ctx.engine, ids);
    size_t answered = 0;
    int status = 0;
    engine::kill_jobs(ctx.engine, all, [&](engine::KillResult r) {
        ++answered;
        if (r.ok()) ctx.out << r.id << "\tremoved" << (r.deferred ? " when its host answers" : "") << "\n";
        else {
            print_error(ctx.err, "job " + std::to_string(r.id) + ": " + r.error, r.hint);
            status = 1;
        }
    });
    wait_for(ctx, "queue remove", [&] { return answered == all.size(); });
    return status;
}

void print_queue(Context& ctx, const engine::QueueState& q) {
    ctx.out << q.name << "\t" << q.state << "\trunning=" << q.running << "\tslots=" << q.slots
            << "\twaiting=" << q.waiting << "\theld=" << q.held << "\n";
}

int run_queue(Context& ctx, const po::variables_map& vm) {
    const char* usage = "usage: rj -b queue start|stop|status|list|clear HOST [--queue NAME], or queue remove ID...";
    if (!vm.count("action") || !vm.count("words")) throw util::UsageError("give an action and a host", usage);
    std::string action = vm["action"].as<std::string>();
    std::vector<std::string> words = vm["words"].as<std::vector<std::string>>();
    if (action == "remove") {
        if (vm.count("queue") || vm.count("slots"))
            throw util::UsageError("queue remove takes job ids only", "to empty a whole queue: rj -b queue clear HOST --queue NAME");
        return remove_waiting_jobs(ctx, words);
    }
    if (action != "start" && action != "stop" && action != "status" && action != "list" && action != "clear")
        throw util::UsageError("unknown queue action '" + action + "'", usage);
    if (words.size() != 1) throw util::UsageError("queue " + action + " takes one host", usage);
    std::string host = words.front();
    std::string queue = vm.count("queue") ? vm["queue"].as<std::string>() : "";
    if (queue.empty() && (action == "start" || action == "stop" || action == "clear")) queue = "default";
    int slots = vm.count("slots") ? vm["slots"].as<int>() : 0;
    if (vm.count("slots") && (slots < 1 || action != "start"))
        throw util::UsageError(slots < 1 ? "--slots must be at least 1" : "--slots goes with 'queue start'",
                               "(or with 'rj -b run --queue --slots N')");
    std::string op = action == "list" ? "status" : action == "clear" ? "remove" : action;
    auto res = await<engine::QueueCommandResult>(
        ctx, host, [&](auto done) { engine::queue_command(ctx.engine, host, op, queue, slots, done); });
    if (!res.ok()) {
        print_error(ctx.err, host + ": " + res.error, res.hint);
        return 1;
    }
    if (action == "start") {
        ctx.err << "rj: queue " << queue << " on " << host << ": runner "
                << (res.runner == "started" ? "started" : "was already running") << "\n";
    } else if (action == "stop") {
        ctx.err << "rj: queue " << queue << " on " << host
                << " stops: running jobs finish, nothing new starts ('rj -b queue start' resumes it)\n";
    } else if (action == "clear") {
        ctx.err << "rj: queue " << queue << " on " << host << " removed";
        if (res.cancelled) ctx.err << "; " << res.cancelled << " waiting job(s) cancelled";
        ctx.err << "\n";
        return 0;
    }
    if (action == "start" || action == "stop") {
        for (const auto& q : res.queues) print_queue(ctx, q);
        return 0;
    }
    if (res.queues.empty() && !queue.empty()) {
        print_error(ctx.err, "no queue " + queue + " on " + host, "'rj -b queue list " + host + "' shows its queues");
        return 3;
    }
    for (const auto& q : res.queues) print_queue(ctx, q);
    if (action == "status") {
        // The waiting jobs and why, as the host's runner last wrote it.
        for (const auto& w : res.waiting)
            ctx.out << "  " << w.id << "\t" << w.queue << "\tprio=" << w.priority << "\t"
                    << (w.held ? "held" : "waiting") << "\t" << util::visible(w.why) << "\n";
    }
    return 0;
}

void declare_ids(po::options_description&, po::options_description& hidden, po::positional_options_description& pos) {
    hidden.add_options()("ids", po::value<std::vector<std::string>>(), "ids");
    pos.add("ids", -1);
}

int report_each(Context& ctx, size_t expected, const std::function<void(std::function<void(engine::QueuedJobResult)>)>& start,
                const char* done_word) {
    size_t answered = 0;
    int status = 0;
    start([&](engine::QueuedJobResult r) {
        ++answered;
        if (r.ok()) {
            ctx.out << r.id << "\t" << (r.message.empty() ? done_word : util::visible(r.message)) << "\n";
        } else {
            print_error(ctx.err, r.error, r.hint);
            status = 1;
        }
    });
    wait_for(ctx, done_word, [&] { return answered == expected; });
    return status;
}

int run_job_op(Context& ctx, const po::variables_map& vm, const std::string& op, const char* usage, const char* word) {
    std::vector<int64_t> ids = engine::expand_array_ids(ctx.engine, ids_of(vm, usage));
    return report_each(ctx, ids.size(), [&](auto each) { engine::queued_job_op(ctx.engine, op, ids, each); }, word);
}

int run_hold(Context& ctx, const po::variables_map& vm) { return run_job_op(ctx, vm, "hold", "usage: rj -b hold ID...", "held"); }
int run_release(Context& ctx, const po::variables_map& vm) {
    return run_job_op(ctx, vm, "release", "usage: rj -b release ID...", "released");
}
int run_start_now(Context& ctx, const po::variables_map& vm) {
    return run_job_op(ctx, vm, "start-now", "usage: rj -b start-now ID...", "started");
}

void declare_update(po::options_description& opts, po::options_description& hidden,
                    po::positional_options_description& pos) {
    opts.add_options()
        ("command", po::value<std::string>()->value_name("CMD"), "the new command")
        ("priority", po::value<int64_t>()->value_name("N"), "the new priority")
        ("gpus", po::value<int>()->value_name("N"), "the new number of GPUs")
        ("timeout", po::value<std::string>()->value_name("DUR"), "the new timeout (0: none)")
        ("env,e", po::value<std::vector<std::string>>()->value_name("K=V"), "set environment variables: -e A=1,B=2 or repeated (\\, is a comma in a value)");
    hidden.add_options()("id", po::value<std::string>(), "id");
    pos.add("id", 1);
}

int run_update(Context& ctx, const po::variables_map& vm) {
    if (!vm.count("id")) throw util::UsageError("no job id given", "usage: rj -b update ID [--command CMD] [--priority N] ...");
    int64_t id = parse_job_id(vm["id"].as<std::string>());
    engine::JobUpdate u;
    if (vm.count("command")) u.command = vm["command"].as<std::string>();
    if (vm.count("priority")) u.priority = vm["priority"].as<int64_t>();
    if (vm.count("gpus")) u.gpus = vm["gpus"].as<int>();
    if (vm.count("timeout")) u.timeout_s = util::parse_duration_or_throw(vm["timeout"].as<std::string>(), "--timeout").count();
    if (vm.count("env"))
        for (const auto& kv : split_env_words(vm["env"].as<std::vector<std::string>>())) u.set_env.push_back(engine::parse_env_assignment(kv));
    return report_each(ctx, 1, [&](auto each) { engine::update_queued_job(ctx.engine, id, u, each); }, "updated");
}

void declare_move(po::options_description&, po::options_description& hidden, po::positional_options_description& pos) {
    hidden.add_options()("id", po::value<std::string>(), "id")("host", po::value<std::string>(), "host");
    pos.add("id", 1).add("host", 1);
}

int run_move(Context& ctx, const po::variables_map& vm) {
    if (!vm.count("id") || !vm.count("host")) throw util::UsageError("give a job id and a host", "usage: rj -b move ID HOST");
    int64_t id = parse_job_id(vm["id"].as<std::string>());
    std::string host = vm["host"].as<std::string>();
    return report_each(ctx, 1, [&](auto each) { engine::move_queued_job(ctx.engine, id, host, each); },
                       ("moved to " + host).c_str());
}

// Every job that waits (in a queue, or for its host), oldest first.
std::vector<int64_t> waiting_job_ids(Context& ctx) {
    store::JobFilter f;
    f.statuses = {store::status::queued, store::status::pending};
    f.hide_tasks = false;
    std::vector<int64_t> ids;
    for (const auto& j : engine::list_jobs(ctx.engine, f))
        if (!j.is_array()) ids.push_back(j.id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

int run_pending(Context& ctx, const po::variables_map& vm) {
    // No ids: every waiting job with its reason (as squeue's REASON column).
    bool all = !vm.count("ids");
    std::vector<int64_t> ids = all ? waiting_job_ids(ctx) : ids_of(vm, "usage: rj -b pending [ID...]");
    if (ids.empty()) {
        ctx.err << "rj: no job is waiting\n";
        return 0;
    }
    size_t answered = 0;
    int status = 0;
    for (int64_t id : ids) {
        engine::pending_reason(ctx.engine, id, [&](engine::PendingReason r) {
            ++answered;
            ctx.out << r.id << "\t" << r.status << "\t" << util::visible(r.reason) << "\n";
            if (!r.waiting && status == 0 && !all) status = 1;
        });
    }
    wait_for(ctx, "pending", [&] { return answered == ids.size(); });
    return status;
}

}  // namespace

extern const Command kQueueCommand = {
    .name = "queue",
    .args = "ACTION HOST|ID...",
    .summary = "start|stop|status|list|clear a queue on HOST (--queue NAME); remove waiting jobs",
    .details = "Each queue (--queue NAME, default 'default') has a runner on the host, in tmux session rj-CLIENT-queue-NAME, "
        "that starts its jobs while no rj runs anywhere. start: start the runner (a no-op when it runs; --slots N sets "
        "how many jobs run at once). stop: drain: running jobs finish, nothing new starts, then the runner exits. "
        "status and list: one line per queue: NAME STATE running=N slots=N waiting=N held=N (STATE: running, draining, "
        "stopped). clear: cancel its waiting jobs and remove the queue once its running jobs ended. remove ID...: take "
        "those waiting jobs out of their queues (as remote-jobs' queue remove; every id is checked first, and a job "
        "that has started is refused: 'rj -b kill' ends it). The flag may come anywhere: queue status --queue NAME HOST.",
    .declare = declare_queue,
    .run = run_queue,
};
extern const Command kHoldCommand = {
    .name = "hold",
    .args = "ID...",
    .summary = "keep queued jobs from starting until released",
    .details = "Refused for a job that has started. An array id holds all its waiting tasks.",
    .declare = declare_ids,
    .run = run_hold,
};
extern const Command kReleaseCommand = {
    .name = "release",
    .args = "ID...",
    .summary = "let held jobs start again",
    .details = "",
    .declare = declare_ids,
    .run = run_release,
};
extern const Command kStartNowCommand = {
    .name = "start-now",
    .args = "ID...",
    .summary = "start queued jobs now, ignoring dependencies and slots",
    .details = "Refused for a job that has started.",
    .declare = declare_ids,
    .run = run_start_now,
};
extern const Command kUpdateCommand = {
    .name = "update",
    .args = "ID [OPTIONS]",
    .summary = "change a job that still waits in its queue (--command, --priority, --gpus, --timeout, -e)",
    .details = "Refused for a job that has started.",
    .declare = declare_update,
    .run = run_update,
};
extern const Command kMoveCommand = {
    .name = "move",
    .args = "ID HOST",
    .summary = "move a waiting job to the same queue on another host",
    .details = "Refused for a job that has started, or one with dependencies (they are "
        "evaluated on their host).",
    .declare = declare_move,
    .run = run_move,
};
extern const Command kPendingCommand = {
    .name = "pending",
    .args = "[ID...]",
    .summary = "say why queued jobs have not started (no ids: every waiting job)",
    .details = "One line per job: ID STATUS REASON (waiting for job 42, for 2 free GPUs, held, queue stopped, all N slots busy, "
        "host unreachable). Without ids, every job that waits in a queue or for its host, oldest first (as squeue's "
        "REASON column). Exit status 1 when a job given by id no longer waits.",
    .declare = declare_ids,
    .run = run_pending,
};

}  // namespace cli
