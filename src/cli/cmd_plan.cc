// rj -b plan submit FILE|- [--host H] [--dry-run] [--watch DUR] [--no-queue-start] [--json]
#include "config.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "cli/job_format.h"
#include "cli/table.h"
#include "engine/dispatch.h"
#include "engine/jobs.h"
#include "engine/plan.h"
#include "engine/queries.h"
#include "util/duration.h"
#include "util/json.h"
#include "util/terminal_text.h"

namespace cli {

namespace {

using namespace std::chrono_literals;

constexpr size_t kMaxPlanBytes = 4 << 20;

void declare(po::options_description& opts, po::options_description& hidden, po::positional_options_description& pos) {
    opts.add_options()
        ("host,H", po::value<std::string>()->value_name("HOST"), "the host of every job that names none")
        ("dry-run", "check the plan and print what it would kill and submit; do nothing")
        ("watch", po::value<std::string>()->value_name("DUR"),
         "then follow the plan's jobs for up to DUR (syncing) and print how each ended")
        ("no-queue-start", "leave the hosts' queue runners alone (queued jobs wait for 'rj -b queue start')")
        ("json", "print the entry to job id map as JSON");
    hidden.add_options()("action", po::value<std::string>(), "action")("file", po::value<std::string>(), "file");
    pos.add("action", 1).add("file", 1);
}

std::string read_plan(const std::string& file) {
    std::string text;
    if (file == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
        std::ifstream in(file, std::ios::binary);
        if (!in) throw util::UsageError("cannot read plan file " + file, "give a YAML plan file, or - for standard input");
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (text.size() > kMaxPlanBytes) throw util::UsageError("plan file " + file + " is larger than 4 MiB");
    return text;
}

std::string result_json(const engine::PlanResult& r) {
    std::string killed = "[";
    for (size_t i = 0; i < r.killed.size(); ++i) killed += (i ? "," : "") + std::to_string(r.killed[i]);
    killed += "]";
    std::string jobs = "[";
    for (size_t i = 0; i < r.entries.size(); ++i) {
        const auto& e = r.entries[i];
        util::JsonObject o;
        o.add("entry", e.entry).add("block", e.block).add("host", e.host).add("how", e.how).add("error", e.error);
        if (e.job_id) o.add("id", e.job_id);
        else o.add_raw("id", "null");
        jobs += (i ? "," : "") + o.str();
    }
    jobs += "]";
    util::JsonObject top;
    top.add("plan", r.label).add_raw("killed", killed).add_raw("jobs", jobs);
    return top.str();
}

// One job of a plan's kill: list as it is now: "job 7 on alpha (running): CMD".
std::string kill_line(const store::Job& j) {
    return "job " + std::to_string(j.id) + " on " + j.host + " (" + engine::status_words(j) + "): " + util::visible(j.command);
}

std::string preview_how(const engine::PlanPreviewEntry& e) {
    std::string how = "would " + e.how;
    if (!e.array.empty()) how += ", array " + e.array;
    for (size_t i = 0; i < e.after.size(); ++i) how += (i ? ", " : ", after ") + e.after[i];
    return how;
}

std::string preview_json(const engine::PlanPreview& p) {
    std::string kill = "[";
    for (size_t i = 0; i < p.kill.size(); ++i) {
        const auto& j = p.kill[i];
        util::JsonObject o;
        o.add("id", j.id).add("host", j.host).add("status", store::to_string(j.status)).add("command", j.command);
        kill += (i ? "," : "") + o.str();
    }
    kill += "]";
    std::string jobs = "[";
    for (size_t i = 0; i < p.entries.size(); ++i) {
        const auto& e = p.entries[i];
        std::string after = "[";
        for (size_t k = 0; k < e.after.size(); ++k) after += (k ? "," : "") + util::json_quote(e.after[k]);
        after += "]";
        util::JsonObject o;
        o.add("entry", e.entry).add("block", e.block).add("host", e.host).add("how", e.how).add("array", e.array)
            .add_raw("after", after);
        jobs += (i ? "," : "") + o.str();
    }
    jobs += "]";
    util::JsonObject top;
    top.add("dry_run", true).add_raw("kill", kill).add_raw("jobs", jobs);
    return top.str();
}

int print_dry_run(Context& ctx, const engine::PlanPreview& p, bool json) {
    if (json) {
        ctx.out << preview_json(p) << "\n";
    } else {
        for (const auto& j : p.kill) ctx.out << "would kill " << kill_line(j) << "\n";
        Table t({"ENTRY", "BLOCK", "HOST", "HOW"});
        for (const auto& e : p.entries) t.add({util::visible(e.entry), util::visible(e.block), e.host, util::visible(preview_how(e))});
        t.print(ctx.out, ctx.width);
    }
    ctx.err << "rj: dry run: nothing was killed or submitted\n";
    return 0;
}

// --watch: sync (and place) until every job ended or the time is up.
int watch(Context& ctx, const engine::PlanResult& r, util::Seconds limit) {
    auto deadline = event::Clock::now() + limit;
    std::vector<int64_t> ids;
    for (const auto& e : r.entries)
        if (e.job_id) ids.push_back(e.job_id);
    for (;;) {
        std::set<std::string> hosts;
        bool open = false;
        for (int64_t id : ids) {
            auto j = engine::find_job(ctx.engine, id);
            if (!j || j->terminal()) continue;
            open = true;
            if (!j->host.empty() && j->host[0] != '@') hosts.insert(j->host);
        }
        if (!open || event::Clock::now() >= deadline) break;
        engine::TickRequest request;  // sync and place; deferred operations and the digest are the cron tick's
        request.hosts = {hosts.begin(), hosts.end()};
        request.deferred = request.digest = false;
        tick_and_wait(ctx, std::move(request), false, true);
        bool tick = false;
        ctx.engine.loop().after(2s, [&] { tick = true; });
        ctx.engine.loop().run_until([&] { return tick; });
    }
    Table t({"ENTRY", "ID", "HOST", "STATUS"});
    int code = 0;
    for (const auto& e : r.entries) {
        if (!e.job_id) continue;
        auto j = engine::find_job(ctx.engine, e.job_id);
        std::string st = j ? store::to_string(j->status) : "gone";
        if (j && !j->terminal()) code = std::max(code, 2);
        else if (!j || j->status != store::status::completed) code = std::max(code, 1);
        t.add({util::visible(e.entry), std::to_string(e.job_id), j ? j->host : e.host, st});
    }
    t.print(ctx.out, ctx.width);
    return code;
}

int run(Context& ctx, const po::variables_map& vm) {
    std::string action = vm.count("action") ? vm["action"].as<std::string>() : "";
    if (action != "submit" || !vm.count("file"))
        throw util::UsageError("usage: rj -b plan submit FILE|- [--host H] [--dry-run] [--watch DUR] [--no-queue-start] [--json]");
    std::string file = vm["file"].as<std::string>();
    std::optional<util::Seconds> watch_for;
    if (vm.count("watch")) watch_for = util::parse_duration_or_throw(vm["watch"].as<std::string>(), "--watch");
    if (watch_for && vm.count("dry-run"))
        throw util::UsageError("--dry-run and --watch do not go together", "a dry run submits nothing to watch");
    std::string host = vm.count("host") ? vm["host"].as<std::string>() : "";
    engine::Plan plan = engine::parse_plan(read_plan(file), file == "-" ? "<stdin>" : file, host);
    engine::PlanSubmitOptions options;
    options.no_queue_start = vm.count("no-queue-start") > 0;
    options.name = file == "-" ? "stdin" : file;
    bool json = vm.count("json") > 0;
    // Checks the whole plan (a usage error before anything is done) and names
    // the jobs of its kill: list, with their commands, before they are killed.
    engine::PlanPreview preview = engine::preview_plan(ctx.engine, plan, options);
    if (vm.count("dry-run")) return print_dry_run(ctx, preview, json);
    for (const auto& j : preview.kill) (json ? ctx.err : ctx.out) << "killing " << kill_line(j) << "\n";
    ctx.out.flush();
    auto result = await<engine::PlanResult>(ctx, "plan submit", [&](auto done) {
        engine::submit_plan(ctx.engine, std::move(plan), options, done);
    });
    for (const auto& e : result.kill_errors) print_error(ctx.err, "kill " + util::visible(e));
    int failed = 0;
    for (const auto& e : result.entries)
        if (e.job_id == 0) ++failed;
    if (json) {
        ctx.out << result_json(result) << "\n";
    } else {
        for (int64_t id : result.killed) ctx.out << "killed job " << id << "\n";
        Table t({"ENTRY", "BLOCK", "HOST", "ID", "HOW"});
        for (const auto& e : result.entries)
            t.add({util::visible(e.entry), util::visible(e.block), e.host, e.job_id ? std::to_string(e.job_id) : "-",
                   e.how + (e.error.empty() ? "" : ": " + util::visible(e.error))});
        t.print(ctx.out, ctx.width);
        if (ctx.out_is_tty) ctx.err << "rj: its jobs: rj -b list --search '" << result.label << "'\n";
    }
    engine::finish_notifications(ctx.engine, std::chrono::seconds(10));
    if (watch_for) {
        int code = watch(ctx, result, *watch_for);
        return failed ? 1 : code;
    }
    return failed ? 1 : 0;
}

}  // namespace

extern const Command kPlanCommand = {
    .name = "plan",
    .args = "submit FILE|-",
    .summary = "submit a YAML plan of jobs (the remote-jobs plan format, version 1)",
    .details = "Reads the plan (a file, or - for standard input), checks all of it — hosts, pools, names, dependencies, "
        "every field — and refuses it whole, with line and column, when anything is wrong: then nothing is killed or "
        "submitted. Otherwise prints each job of 'kill' with its host, status and command, kills them, then submits "
        "every job in order: lone jobs and parallel "
        "blocks start at once (queue_only or queue: into that queue), series blocks go into a queue on their host, "
        "each after the one before it (wait: success or any). Prints the entry to job id map (--json for JSON). "
        "rj's extensions: when: (cpu_below, ram_free_gb, gpu) waits until the host has it, pool:, require:, array: "
        "and after: (names of earlier entries, any host). --dry-run checks the plan the same way, prints what it would "
        "kill (with each job's command) and submit (where and how), and does nothing: no kill, no job, no host "
        "contacted. --watch DUR then follows the jobs and exits 0 when all "
        "succeeded, 1 when one did not, 2 when some still run.",
    .declare = declare,
    .run = run,
};

}  // namespace cli
