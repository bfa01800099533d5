// Commands that act on jobs by id: kill, restart, describe.
#include "config.h"

#include <algorithm>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "engine/acct.h"
#include "engine/jobs.h"
#include "engine/queries.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace cli {

namespace {

void declare_ids(po::options_description&, po::options_description& hidden, po::positional_options_description& pos) {
    hidden.add_options()("ids", po::value<std::vector<std::string>>(), "ids");
    pos.add("ids", -1);
}

void declare_kill(po::options_description& opts, po::options_description& hidden, po::positional_options_description& pos) {
    opts.add_options()("tag", po::value<std::string>()->value_name("T"),
                       "kill every running, starting, queued or pending job tagged T (with or without ids)");
    declare_ids(opts, hidden, pos);
}

int run_kill(Context& ctx, const po::variables_map& vm) {
    if (!vm.count("ids") && !vm.count("tag"))
        throw util::UsageError("no job id given", "usage: rj -b kill ID... or rj -b kill --tag T");
    std::vector<int64_t> asked;
    if (vm.count("ids"))
        for (const auto& s : vm["ids"].as<std::vector<std::string>>()) asked.push_back(parse_job_id(s));
    if (vm.count("tag")) {
        std::string tag = vm["tag"].as<std::string>();
        engine::check_tag(tag);
        store::JobFilter f;
        f.tag = tag;
        f.statuses = {store::status::running, store::status::starting, store::status::queued, store::status::pending};
        f.hide_tasks = false;
        for (const auto& j : engine::list_jobs(ctx.engine, f))
            if (!j.is_array() && std::find(asked.begin(), asked.end(), j.id) == asked.end()) asked.push_back(j.id);
        if (asked.empty()) {
            ctx.err << "rj: no running, starting, queued or pending job is tagged " << tag << "\n";
            return 0;
        }
    }
    for (int64_t id : asked) engine::get_job(ctx.engine, id);  // an unknown id: nothing is killed
    std::vector<int64_t> ids = engine::expand_array_ids(ctx.engine, asked);  // an array: its tasks
    size_t answered = 0;
    int status = 0;
    engine::kill_jobs(ctx.engine, ids, [&](engine::KillResult r) {
        ++answered;
        if (r.ok()) ctx.out << r.id << "\t" << util::visible(r.message) << "\n";
        else {
            print_error(ctx.err, "job " + std::to_string(r.id) + ": " + util::visible(r.error), r.hint);
            status = 1;
        }
    });
    wait_for(ctx, "kill", [&] { return answered == ids.size(); });
    return status;
}

void declare_restart(po::options_description& opts, po::options_description& hidden,
                     po::positional_options_description& pos) {
    opts.add_options()("follow,f", "stream the new job's log until it ends (one id only)")
        ("exact", "run on exactly the code the job recorded: its commit with its uncommitted changes, in a fresh "
                  "checkout on the host (refused when it recorded none, or only part of its changes)");
    hidden.add_options()("ids", po::value<std::vector<std::string>>(), "ids");
    pos.add("ids", -1);
}

// Kills job `id` and waits for the answer; false (said on stderr) when it
// could not be killed, so no copy starts next to it.
bool end_first(Context& ctx, int64_t id) {
    auto r = await<engine::KillResult>(ctx, "kill", [&](auto done) { engine::kill_jobs(ctx.engine, {id}, done); });
    if (!r.ok() || r.deferred) {
        print_error(ctx.err, "job " + std::to_string(id) + " still runs and could not be ended" +
                                 (r.ok() ? std::string(" now (its host is unreachable)") : ": " + r.error),
                    "no copy was started; try again, or 'rj -b kill " + std::to_string(id) + "' first");
        return false;
    }
    ctx.err << "rj: job " << id << " " << util::visible(r.message) << "; starting its copy\n";
    return true;
}

int run_restart(Context& ctx, const po::variables_map& vm) {
    if (!vm.count("ids")) throw util::UsageError("no job id given", "usage: rj -b restart ID...");
    std::vector<store::Job> old;
    for (const auto& s : vm["ids"].as<std::vector<std::string>>()) old.push_back(engine::get_job(ctx.engine, parse_job_id(s)));
    bool follow = vm.count("follow") > 0;
    if (follow && old.size() > 1) throw util::UsageError("-f follows one job; give one id");
    int status = 0;
    bool exact = vm.count("exact") > 0;
    for (const auto& job : old) {
        // remote-jobs' restart ends a job that still runs before starting
        // its copy; two copies side by side would share its files and GPUs.
        if ((job.status == store::status::running || job.status == store::status::starting) && !end_first(ctx, job.id)) {
            status = 1;
            continue;
        }
        engine::SubmitRequest req = engine::request_from_job(job);
        if (exact) req.exact_from = job.id;
        status = std::max(status, submit_and_report(ctx, req, follow));
    }
    return status;
}

void declare_describe(po::options_description&, po::options_description& hidden, po::positional_options_description& pos) {
    hidden.add_options()("id", po::value<std::string>(), "id")("text", po::value<std::vector<std::string>>(), "text");
    pos.add("id", 1).add("text", -1);
}

int run_describe(Context& ctx, const po::variables_map& vm) {
    if (!vm.count("id") || !vm.count("text")) throw util::UsageError("usage: rj -b describe ID TEXT");
    std::string text;
    for (const auto& w : vm["text"].as<std::vector<std::string>>()) text += (text.empty() ? "" : " ") + w;
    engine::describe(ctx.engine, parse_job_id(vm["id"].as<std::string>()), text);
    return 0;
}

}  // namespace

extern const Command kKillCommand = {
    .name = "kill",
    .args = "ID... | --tag T",
    .summary = "stop running jobs (TERM to the job's process group, KILL after 10 s)",
    .details = "A killed job is recorded as killed, not failed. Pending jobs are cancelled without contacting their host. "
        "A job that is starting (just claimed by its queue's runner, its session not up yet) is killed before its "
        "command runs; a job is marked dead only when its wrapper ran and nothing of it is left. "
        "--tag T kills every job tagged T that has not ended (none: a note, exit status 0).",
    .declare = declare_kill,
    .run = run_kill,
};
extern const Command kRestartCommand = {
    .name = "restart",
    .args = "ID...",
    .summary = "start jobs again with the same settings (a running one is killed first); print the new ids",
    .details = "A job that still runs is killed first (as remote-jobs does), then its copy starts; if it cannot be killed no "
        "copy starts. A queued job goes back into its queue with its priority and GPUs (not its dependencies). With --exact the "
        "job runs on exactly the code it recorded (see 'rj -b show'): a git worktree of its commit on the host with its "
        "uncommitted changes applied; if the commit is gone from the repository nothing runs.",
    .declare = declare_restart,
    .run = run_restart,
};
extern const Command kDescribeCommand = {
    .name = "describe",
    .args = "ID TEXT",
    .summary = "set a job's description",
    .details = "",
    .declare = declare_describe,
    .run = run_describe,
    .verbatim_after = 1,
};

}  // namespace cli
