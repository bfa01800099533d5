// rj -b acct [--since DUR|DATE] [--until DUR|DATE] [--host H] [--tag T] [--by host|day|tag|status] [--json]
#include "config.h"

#include <cstdio>
#include <ctime>

#include "cli/command.h"
#include "cli/table.h"
#include "engine/acct.h"
#include "util/json.h"

namespace cli {

namespace {

void declare(po::options_description& opts, po::options_description&, po::positional_options_description&) {
    opts.add_options()
        ("since", po::value<std::string>()->value_name("DUR|DATE"),
         "jobs that ended at or after this: a duration back from now (7d) or a local date/time (2026-11-30, "
         "'2026-11-30 14:00'); default: all")
        ("until", po::value<std::string>()->value_name("DUR|DATE"), "jobs that ended before this (same forms)")
        ("host", po::value<std::string>()->value_name("H"), "only jobs on host H")
        ("tag", po::value<std::string>()->value_name("T"), "only jobs tagged T")
        ("by", po::value<std::string>()->value_name("host|day|tag|status"), "one row per host, day, tag or status, then the total")
        ("json", "one JSON object (see ACCOUNTING in rj(1))");
}

std::string hours(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", s / 3600.0);
    return buf;
}

std::string percent(std::optional<double> v) {
    if (!v) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f%%", *v * 100.0);
    return buf;
}

// Fixed decimals (the JSON writer's doubles have three): hours to the
// hundredth of a second, efficiencies to 0.01%.
std::string number(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string optional_number(std::optional<double> v, int decimals) { return v ? number(*v, decimals) : "null"; }

std::string row_json(const engine::AcctRow& r, bool with_key) {
    util::JsonObject o;
    if (with_key) o.add("key", r.key);
    o.add("jobs", r.jobs)
        .add("succeeded", r.succeeded)
        .add("failed", r.failed)
        .add_raw("wall_hours", number(r.wall_s / 3600.0, 8))
        .add_raw("cpu_hours", number(r.cpu_s / 3600.0, 8))
        .add_raw("gpu_hours", number(r.gpu_s / 3600.0, 8))
        .add_raw("cpu_efficiency", optional_number(r.cpu_efficiency(), 4))
        .add_raw("gpu_efficiency", optional_number(r.gpu_efficiency(), 4));
    return o.str();
}

int run(Context& ctx, const po::variables_map& vm) {
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    engine::AcctQuery q;
    if (vm.count("since")) q.since = engine::parse_time_bound(vm["since"].as<std::string>(), "since", now);
    if (vm.count("until")) q.until = engine::parse_time_bound(vm["until"].as<std::string>(), "until", now);
    if (vm.count("host")) q.host = vm["host"].as<std::string>();
    if (vm.count("tag")) {
        q.tag = vm["tag"].as<std::string>();
        engine::check_tag(q.tag);
    }
    if (vm.count("by")) q.by = vm["by"].as<std::string>();
    engine::check_acct_grouping(q.by);
    engine::AcctReport report = engine::accounting(ctx.engine, q);

    if (vm.count("json")) {
        std::string groups = "[";
        for (size_t i = 0; i < report.groups.size(); ++i) groups += (i ? "," : "") + row_json(report.groups[i], true);
        groups += "]";
        util::JsonObject o;
        o.add("since", q.since).add("until", q.until).add("host", q.host).add("tag", q.tag).add("by", q.by)
            .add_raw("groups", groups)
            .add_raw("total", row_json(report.total, false));
        ctx.out << o.str() << "\n";
        return 0;
    }
    std::string first = q.by.empty() ? "" : q.by;
    for (char& c : first) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::vector<std::string> header = {"JOBS", "OK", "FAILED", "WALL H", "CPU H", "GPU H", "CPU EFF", "GPU EFF"};
    if (!q.by.empty()) header.insert(header.begin(), first);
    Table t(header);
    auto add = [&](const engine::AcctRow& r, const std::string& key) {
        std::vector<std::string> row = {std::to_string(r.jobs), std::to_string(r.succeeded), std::to_string(r.failed),
                                        hours(r.wall_s), hours(r.cpu_s), hours(r.gpu_s),
                                        percent(r.cpu_efficiency()), percent(r.gpu_efficiency())};
        if (!q.by.empty()) row.insert(row.begin(), util::visible(key));
        t.add(row);
    };
    for (const auto& g : report.groups) add(g, g.key);
    add(report.total, "total");
    t.print(ctx.out, ctx.out_is_tty ? ctx.width : 0);
    return 0;
}

}  // namespace

extern const Command kAcctCommand = {
    .name = "acct",
    .args = "",
    .summary = "usage accounting: jobs, successes, failures, wall/CPU/GPU hours and efficiency",
    .details = "Sums the jobs that ended in the window (all recorded jobs by default; array rows are counted through their "
        "tasks) from what each job's wrapper measured. CPU efficiency is CPU time over wall time (rj reserves no "
        "cores, so a job is taken to hold one: a 4-thread job reads 400%); GPU hours are wall time times the GPUs "
        "the queue gave the job (else the GPUs its processes used), and GPU efficiency is their mean utilisation "
        "over those hours. OK counts completed jobs, FAILED failed, timed-out and dead ones. With --by tag a job "
        "with two tags is in two rows and once in the total.",
    .declare = declare,
    .run = run,
};

}  // namespace cli
