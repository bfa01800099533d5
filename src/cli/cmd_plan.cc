// rj -b plan submit FILE|- [--host H] [--watch DUR] [--no-queue-start] [--json]
#include "config.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>

#include "cli/batch_ops.h"
#include "cli/command.h"
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
        if (!hosts.empty()) sync_and_wait(ctx, {hosts.begin(), hosts.end()}, false, true);
        await<engine::DispatchReport>(ctx, "dispatch", [&](auto done) { engine::dispatch(ctx.engine, done); });
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
        throw util::UsageError("usage: rj -b plan submit FILE|- [--host H] [--watch DUR] [--no-queue-start] [--json]");
    std::string file = vm["file"].as<std::string>();
    std::optional<util::Seconds> watch_for;
    if (vm.count("watch")) watch_for = util::parse_duration_or_throw(vm["watch"].as<std::string>(), "--watch");
    std::string host = vm.count("host") ? vm["host"].as<std::string>() : "";
    engine::Plan plan = engine::parse_plan(read_plan(file), file == "-" ? "<stdin>" : file, host);
    engine::PlanSubmitOptions options;
    options.no_queue_start = vm.count("no-queue-start") > 0;
    options.name = file == "-" ? "stdin" : file;
    auto result = await<engine::PlanResult>(ctx, "plan submit", [&](auto done) {
        engine::submit_plan(ctx.engine, std::move(plan), options, done);
    });
    for (const auto& e : result.kill_errors) print_error(ctx.err, "kill " + util::visible(e));
    int failed = 0;
    for (const auto& e : result.entries)
        if (e.job_id == 0) ++failed;
    if (vm.count("json")) {
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
    "plan", "submit FILE|-", "submit a YAML plan of jobs (the remote-jobs plan format, version 1)",
    "Reads the plan (a file, or - for standard input), checks all of it — hosts, pools, names, dependencies, "
    "every field — and refuses it whole, with line and column, when anything is wrong: then nothing is killed or "
    "submitted. Otherwise kills the jobs of 'kill', then submits every job in order: lone jobs and parallel "
    "blocks start at once (queue_only or queue: into that queue), series blocks go into a queue on their host, "
    "each after the one before it (wait: success or any). Prints the entry to job id map (--json for JSON). "
    "rj's extensions: when: (cpu_below, ram_free_gb, gpu) waits until the host has it, pool:, require:, array: "
    "and after: (names of earlier entries, any host). --watch DUR then follows the jobs and exits 0 when all "
    "succeeded, 1 when one did not, 2 when some still run.",
    declare, run};

}  // namespace cli
