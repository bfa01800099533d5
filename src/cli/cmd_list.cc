// rj -b list [filters] [--json] and rj -b show ID [--json].
#include "config.h"

#include <ctime>
#include <map>
#include <set>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "engine/deferred.h"
#include "cli/job_format.h"
#include "cli/table.h"
#include "engine/acct.h"
#include "engine/jobs.h"
#include "engine/queries.h"
#include "util/error.h"

namespace cli {

namespace {

const char* const kStatusFlags[][2] = {
    {"running", "only running jobs (and those starting)"},
    {"pending", "only jobs waiting for an unreachable host"},
    {"completed", "only jobs that exited 0"},
    {"failed", "only jobs that failed, were killed or timed out"},
    {"dead", "only jobs that vanished without an exit record"},
    {"queued", "only jobs waiting in a queue on their host"},
};

void declare_list(po::options_description& opts, po::options_description&, po::positional_options_description&) {
    for (const auto& f : kStatusFlags) opts.add_options()(f[0], f[1]);
    opts.add_options()
        ("host", po::value<std::string>()->value_name("H"), "only jobs on host H")
        ("search", po::value<std::string>()->value_name("TEXT"), "only jobs whose command or description contains TEXT")
        ("tag", po::value<std::string>()->value_name("T"), "only jobs tagged T (run --tag)")
        ("limit", po::value<int>()->value_name("N")->default_value(50), "at most N jobs, newest first (0: all)")
        ("array", po::value<std::string>()->value_name("ID"), "only the tasks of array ID")
        ("code", "add a column with the commit each job ran (short; + when it had uncommitted changes)")
        ("sync", "wait for a full sync of the hosts with active jobs first")
        ("no-sync", "show history as it is, without the quick sync")
        ("json", "one JSON object per line (see JSON OUTPUT in rj(1))");
}

int run_list(Context& ctx, const po::variables_map& vm) {
    store::JobFilter filter;
    if (vm.count("running")) filter.statuses.insert(filter.statuses.end(), {store::status::running, store::status::starting});
    if (vm.count("pending")) filter.statuses.push_back(store::status::pending);
    if (vm.count("completed")) filter.statuses.push_back(store::status::completed);
    if (vm.count("failed"))
        filter.statuses.insert(filter.statuses.end(),
                               {store::status::failed, store::status::killed, store::status::timeout, store::status::cancelled});
    if (vm.count("dead")) filter.statuses.push_back(store::status::dead);
    if (vm.count("queued")) filter.statuses.push_back(store::status::queued);
    if (vm.count("array")) filter.array_id = parse_job_id(vm["array"].as<std::string>());
    // Array tasks are listed under their array (unless a status filter or
    // --array asks for jobs one by one).
    bool grouped = filter.statuses.empty() && filter.array_id == 0 && !vm.count("search") && !vm.count("tag");
    filter.hide_tasks = grouped;
    if (vm.count("host")) filter.host = vm["host"].as<std::string>();
    if (vm.count("search")) filter.search = vm["search"].as<std::string>();
    if (vm.count("tag")) {
        filter.tag = vm["tag"].as<std::string>();
        engine::check_tag(filter.tag);
    }
    filter.limit = vm["limit"].as<int>();
    if (filter.limit < 0) throw util::UsageError("--limit must be 0 or more");
    // remote-jobs' list: a quick sync first (all hosts at once, about two
    // seconds); a host that does not answer in time is shown from history.
    if (vm.count("sync") && vm.count("no-sync")) throw util::UsageError("--sync and --no-sync contradict each other");
    std::set<std::string> unsynced;
    if (vm.count("sync")) sync_and_wait(ctx, engine::hosts_to_sync(ctx.engine), false, false);
    else if (!vm.count("no-sync")) unsynced = quick_sync(ctx, engine::hosts_to_sync(ctx.engine));
    std::vector<store::Job> top = engine::list_jobs(ctx.engine, filter);
    std::vector<store::Job> jobs;
    for (auto& j : top) {
        bool is_array = j.is_array();
        int64_t id = j.id;
        jobs.push_back(std::move(j));
        if (grouped && is_array)
            for (auto& t : engine::array_tasks(ctx.engine, id)) jobs.push_back(std::move(t));
    }
    note_unsynced(ctx, unsynced);
    if (vm.count("json")) {
        for (const auto& j : jobs) ctx.out << job_json(j) << "\n";
        return 0;
    }
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    bool code = vm.count("code") > 0;
    // Operations kept for an unreachable host show beside the status.
    std::map<int64_t, std::string> deferred;
    for (const auto& d : engine::waiting_deferred(ctx.engine)) deferred[d.job_id] += ", " + d.op + " deferred";
    Table t(code ? std::vector<std::string>{"ID", "HOST", "STATUS", "%", "TIME", "COMMIT", "COMMAND"}
                 : std::vector<std::string>{"ID", "HOST", "STATUS", "%", "TIME", "COMMAND"});
    for (const auto& j : jobs) {
        std::string id = std::to_string(j.id);
        if (grouped && j.array_id) id = " └" + id;  // a task, under its array
        std::string what = job_what_cell(j);
        std::string status = engine::status_words(j);
        if (j.stalled()) status += " (stalled)";
        // As history has it: its host did not answer the quick sync.
        std::string unsure = !j.terminal() && unsynced.count(j.host) ? " ?" : "";
        if (j.is_array()) what = "[array " + j.array_spec + "] " + what;
        else if (j.array_task) what = "[" + std::to_string(*j.array_task) + "] " + what;
        if (code) {
            std::string commit = j.has_code() ? j.code.commit.substr(0, 7) : "-";
            if (j.has_code() && (j.code.files > 0 || j.code.untracked > 0)) commit += "+";
            t.add({id, j.host, status + deferred[j.id] + unsure, job_percent_cell(j), job_time_cell(j, now), commit, what});
        } else {
            t.add({id, j.host, status + deferred[j.id] + unsure, job_percent_cell(j), job_time_cell(j, now), what});
        }
    }
    if (t.empty()) {
        if (ctx.out_is_tty) ctx.err << "rj: no jobs match\n";
        return 0;
    }
    t.print(ctx.out, ctx.out_is_tty ? ctx.width : 0);
    return 0;
}

void declare_show(po::options_description& opts, po::options_description& hidden, po::positional_options_description& pos) {
    opts.add_options()("json", "print the job as one JSON object");
    hidden.add_options()("id", po::value<std::string>(), "id");
    pos.add("id", 1);
}

int run_show(Context& ctx, const po::variables_map& vm) {
    if (!vm.count("id")) throw util::UsageError("no job id given", "usage: rj -b show ID [--json]");
    store::Job job = engine::get_job(ctx.engine, parse_job_id(vm["id"].as<std::string>()));
    if (vm.count("json")) {
        ctx.out << job_json(job) << "\n";
        return 0;
    }
    auto deferred = engine::deferred_for_job(ctx.engine, job.id);
    engine::LiveJobFacts live;
    live.deferred = &deferred;
    auto facts = engine::job_facts(job, static_cast<int64_t>(std::time(nullptr)), live);
    if (job.is_array()) {
        // An array: its tasks counted by state.
        std::map<store::Status, int> counts;
        auto tasks = engine::array_tasks(ctx.engine, job.id);
        for (const auto& t : tasks) ++counts[t.status];
        std::string summary = std::to_string(tasks.size()) + " (";
        bool first = true;
        for (const auto& st : store::all_statuses())
            if (counts.count(st)) {
                summary += (first ? "" : ", ") + std::to_string(counts[st]) + " " + to_string(st);
                first = false;
            }
        facts.push_back({"Tasks", summary + ")"});
        if (!tasks.empty())
            facts.push_back({"Task ids", std::to_string(tasks.front().id) + "-" + std::to_string(tasks.back().id) +
                                             " ('rj -b list --array " + std::to_string(job.id) + "')"});
    }
    ctx.out << fact_lines(facts);
    return 0;
}

}  // namespace

extern const Command kListCommand = {
    .name = "list",
    .args = "",
    .summary = "list jobs, newest first, as a table or JSON",
    .details = "First a quick sync: the hosts with active jobs are asked, all at once, for about two seconds; a host that "
        "does not answer in time has its jobs shown from history, their status marked ?, and named on stderr. "
        "--no-sync skips it; --sync waits for a full sync instead. The table fits the terminal width; with "
        "--json each job is one JSON object per line.",
    .declare = declare_list,
    .run = run_list,
};

extern const Command kShowCommand = {
    .name = "show",
    .args = "ID",
    .summary = "show everything rj knows about a job",
    .details = "",
    .declare = declare_show,
    .run = run_show,
};

}  // namespace cli
