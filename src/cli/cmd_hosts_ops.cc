// Host-wide commands: sync, prune, cleanup, host info.
#include "config.h"

#include <cstdio>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "cli/dropin.h"
#include "cli/table.h"
#include "cli/job_format.h"
#include "engine/jobs.h"
#include "util/duration.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace cli {

namespace {

void declare_sync(po::options_description& opts, po::options_description&, po::positional_options_description&) {
    opts.add_options()("verbose,v", "print one line per host");
}

int run_sync(Context& ctx, const po::variables_map& vm) {
    bool verbose = vm.count("verbose") > 0;
    // A tick without the dispatch step. With no hosts it still sends the
    // digest: ends another rj recorded (the interface) go into it.
    engine::TickRequest request;
    request.hosts = engine::hosts_with_work(ctx.engine);
    request.dispatch = false;
    if (request.hosts.empty() && verbose) ctx.out << "no hosts with active jobs\n";
    auto report = tick_and_wait(ctx, std::move(request), verbose, false);
    print_deferred(ctx, report);
    if (verbose && report.unreachable()) ctx.out << report.unreachable() << " host(s) unreachable\n";
    return 0;  // unreachable hosts are reported, not fatal
}

void declare_prune(po::options_description& opts, po::options_description&, po::positional_options_description&) {
    opts.add_options()
        ("older-than", po::value<std::string>()->value_name("DUR"), "only jobs that ended more than DUR ago")
        ("dead-only", "only dead jobs")
        ("dry-run", "show what would be removed, remove nothing")
        ("keep-files", "keep the job directories on the hosts");
}

int run_prune(Context& ctx, const po::variables_map& vm) {
    engine::PruneOptions o;
    if (vm.count("older-than"))
        o.older_than_s = util::parse_duration_or_throw(vm["older-than"].as<std::string>(), "--older-than").count();
    o.dead_only = vm.count("dead-only") > 0;
    o.dry_run = vm.count("dry-run") > 0;
    o.keep_files = vm.count("keep-files") > 0;
    engine::PruneReport report;
    report = await<engine::PruneReport>(ctx, "prune", [&](auto done) { engine::prune(ctx.engine, o, done); });
    for (const auto& j : report.removed)
        ctx.out << (o.dry_run ? "would remove " : "removed ") << j.id << "\t" << j.host << "\t" << engine::status_words(j)
                << "\t" << job_what_cell(j) << "\n";
    for (const auto& w : report.warnings) print_error(ctx.err, w);
    if (report.removed.empty() && report.warnings.empty()) ctx.err << "rj: nothing to prune\n";
    return report.warnings.empty() ? 0 : 1;
}

void declare_cleanup(po::options_description& opts, po::options_description& hidden,
                     po::positional_options_description& pos) {
    opts.add_options()
        ("older-than", po::value<std::string>()->value_name("DUR"), "only jobs that ended more than DUR ago: a bare number is days (remote-jobs' unit), or 90s, 2h, 1w (default 7)")
        ("dry-run", "show what would be removed, remove nothing");
    hidden.add_options()("host", po::value<std::string>(), "host");
    pos.add("host", 1);
}

int run_cleanup(Context& ctx, const po::variables_map& vm) {
    if (!vm.count("host")) throw util::UsageError("no host given", "usage: rj -b cleanup HOST [--older-than DUR] [--dry-run]");
    int64_t older = 7 * 86400;
    if (vm.count("older-than"))
        older = parse_age_seconds(vm["older-than"].as<std::string>(), "--older-than");
    bool dry = vm.count("dry-run") > 0;
    engine::CleanupReport report;
    report = await<engine::CleanupReport>(ctx, "cleanup", [&](auto done) {
        engine::cleanup_host(ctx.engine, vm["host"].as<std::string>(), older, dry, done);
    });
    if (!report.ok()) {
        print_error(ctx.err, report.error, report.hint);
        return 1;
    }
    for (const auto& r : report.removed) ctx.out << (dry ? "would remove " : "removed ") << r << "\n";
    for (const auto& r : report.noted)
        ctx.out << "noted " << r << ": dead without an end time, so its age counts from now; a cleanup "
                << util::format_duration(std::chrono::seconds(older)) << " from now removes it\n";
    return 0;
}

void declare_host(po::options_description&, po::options_description& hidden, po::positional_options_description& pos) {
    hidden.add_options()("action", po::value<std::string>(), "action")("host", po::value<std::string>(), "host");
    pos.add("action", 1).add("host", 1);
}

std::string human_bytes(int64_t kib) {
    char buf[32];
    if (kib >= 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(kib) / (1024.0 * 1024.0));
    else std::snprintf(buf, sizeof buf, "%.0f MiB", static_cast<double>(kib) / 1024.0);
    return buf;
}

int run_host(Context& ctx, const po::variables_map& vm) {
    if (!vm.count("action") || vm["action"].as<std::string>() != "info" || !vm.count("host"))
        throw util::UsageError("usage: rj -b host info HOST");
    std::string host = vm["host"].as<std::string>();
    ctx.engine.require_known_host(host);
    engine::HostInfo info;
    info = await<engine::HostInfo>(ctx, host, [&](auto done) { engine::host_info(ctx.engine, host, done); });
    if (!info.ok()) {
        print_error(ctx.err, host + ": " + info.error, info.hint);
        return 1;
    }
    char load[64];
    std::snprintf(load, sizeof load, "%.2f %.2f %.2f", info.load1, info.load5, info.load15);
    // Everything below but the numbers is the host's own words.
    using util::visible;
    ctx.out << "host:     " << host << (info.hostname.empty() ? "" : " (" + visible(info.hostname) + ")") << "\n"
            << "os:       " << visible(info.os) << "\n"
            << "arch:     " << visible(info.arch) << "\n"
            << "cpus:     " << info.cpus << "\n"
            << "memory:   " << human_bytes(info.mem_total_kib) << " total, " << human_bytes(info.mem_available_kib)
            << " available\n"
            << "load:     " << load << "\n"
            << "tmux:     " << (info.tmux.empty() ? "not installed (rj needs it to run jobs)" : visible(info.tmux)) << "\n";
    if (info.slurm) {
        // sinfo's summary (already made visible by the engine).
        const auto& s = *info.slurm;
        if (!s.error.empty()) ctx.out << "slurm:    sinfo failed: " << s.error << "\n";
        else ctx.out << "slurm:    " << s.partitions.size() << " partition(s); your jobs: " << s.running << " running, "
                     << s.pending << " pending\n";
        for (const auto& p : s.partitions) {
            // A/I nodes and A/I/O/T CPUs, as sinfo counts them.
            std::string a = p.alloc_idle.substr(0, p.alloc_idle.find('/'));
            std::string i = p.alloc_idle.find('/') == std::string::npos ? "?" : p.alloc_idle.substr(p.alloc_idle.find('/') + 1);
            ctx.out << "partition " << p.name << ": " << p.avail << ", " << p.nodes << " node(s) (" << a << " allocated, " << i
                    << " idle), CPUs A/I/O/T " << p.cpus << ", GPUs " << (p.gres == "(null)" ? "none" : p.gres)
                    << ", time limit " << p.timelimit << "\n";
        }
    }
    if (info.gpus.empty()) {
        ctx.out << "gpus:     none\n";
        return 0;
    }
    // One row per GPU; JOBS are this database's running jobs whose processes
    // use it (by process group), "+N" processes of anyone else.
    ctx.out << "gpus:\n";
    Table t({"GPU", "NAME", "UTIL", "MEMORY MiB", "TEMP", "JOBS"});
    for (const auto& g : info.gpus) {
        std::string jobs;
        for (const auto& [id, mib] : g.jobs) jobs += (jobs.empty() ? "" : ", ") + std::to_string(id);
        if (g.other_procs > 0) jobs += (jobs.empty() ? "" : " ") + std::string("+") + std::to_string(g.other_procs) + " other";
        t.add({std::to_string(g.index), visible(g.name), g.utilization_pct >= 0 ? std::to_string(g.utilization_pct) + "%" : "-",
               g.memory_total_mib > 0 ? std::to_string(g.memory_used_mib) + " / " + std::to_string(g.memory_total_mib) : "-",
               g.temperature_c >= 0 ? std::to_string(g.temperature_c) + "C" : "-", jobs.empty() ? "-" : jobs});
    }
    t.print(ctx.out, ctx.out_is_tty ? ctx.width : 0);
    return 0;
}

}  // namespace

extern const Command kSyncCommand = {
    .name = "sync",
    .args = "",
    .summary = "ask every host with active jobs what became of them (all at once)",
    .details = "One exchange per host: the host's journal since the last sync plus which jobs are alive. Jobs whose "
        "session and process are gone without an exit record become dead; pending jobs whose host is reachable again "
        "are started. Unreachable hosts are reported on stderr and do not make the command fail.",
    .declare = declare_sync,
    .run = run_sync,
};
extern const Command kPruneCommand = {
    .name = "prune",
    .args = "",
    .summary = "forget finished jobs and remove their files on the hosts",
    .details = "Removes jobs that have ended (completed, failed, killed, timed out or dead) from the local history and "
        "their directories on the hosts. Jobs on hosts that cannot be reached are kept, so nothing is half-removed.",
    .declare = declare_prune,
    .run = run_prune,
};
extern const Command kCleanupCommand = {
    .name = "cleanup",
    .args = "HOST",
    .summary = "remove old job directories on HOST, whatever the local history says",
    .details = "Removes the directories of jobs that ended more than DUR ago (default 7d): an exit record, or dead by the "
        "rules sync uses (no session, job and wrapper gone, or the host rebooted since). A job that waits in its "
        "queue (held or not), is starting or runs is never touched. A dead job without an end time counts from when a "
        "cleanup first found it dead (a later cleanup removes it). The queue entries and GPU claims of removed jobs go "
        "with them.",
    .declare = declare_cleanup,
    .run = run_cleanup,
};
extern const Command kHostCommand = {
    .name = "host",
    .args = "info HOST",
    .summary = "show a host's OS, CPUs, memory, load, GPUs (nvidia-smi) and tmux",
    .details = "",
    .declare = declare_host,
    .run = run_host,
};

}  // namespace cli
