// rj -b hosts [--check]: the hosts rj knows, and optionally whether each answers.
#include "config.h"

#include <cstdio>
#include <iostream>
#include <map>

#include "cli/command.h"
#include "cli/table.h"
#include "cli/batch_ops.h"
#include "engine/host_check.h"

namespace cli {

namespace {

void declare(po::options_description& opts, po::options_description&, po::positional_options_description&) {
    opts.add_options()("check", "connect to every host at once; print reachability and round-trip time")
        ("free", "what each host has free now (GPUs, memory, idle CPUs) and which hosts sit idle");
}

int run(Context& ctx, const po::variables_map& vm) {
    auto hosts = ctx.engine.fleet();
    if (vm.count("free")) return run_hosts_free(ctx, hosts);
    if (!vm.count("check")) {
        // NAME, or NAME<tab>description when rj's config gives one.
        for (const auto& h : hosts) {
            std::string d = ctx.engine.host_description(h);
            ctx.out << h << (d.empty() ? "" : "\t" + util::visible(d)) << "\n";
        }
        return 0;
    }
    std::map<std::string, engine::HostCheck> results;
    engine::check_hosts(ctx.engine, hosts, [&](engine::HostCheck c) { results[c.host] = std::move(c); });
    ctx.wait_idle();
    Table t({"HOST", "STATUS", "CONNECT", "RTT", "DETAIL"});
    int unreachable = 0;
    for (const auto& h : hosts) {
        const auto& c = results[h];
        char connect[32] = "-", rtt[32] = "-";
        if (c.reachable) {
            std::snprintf(connect, sizeof connect, "%.0f ms", c.connect_ms);
            std::snprintf(rtt, sizeof rtt, "%.1f ms", c.rtt_ms);
        } else {
            ++unreachable;
        }
        t.add({h, c.reachable ? "ok" : "unreachable", connect, rtt, c.reachable ? "" : c.error});
    }
    t.print(ctx.out, ctx.width);
    for (const auto& h : hosts) {
        const auto& c = results[h];
        if (!c.reachable && !c.hint.empty()) print_error(ctx.err, h + ": " + c.hint);
    }
    return unreachable ? 1 : 0;
}

}  // namespace

extern const Command kHostsCommand = {
    .name = "hosts",
    .args = "",
    .summary = "list the hosts rj knows (ssh config, rj config, job history)",
    .details = "Lists the fleet, the same hosts the interface shows: every concrete Host alias of the ssh config (less "
        "those matching ignore_hosts in rj's config), every [host NAME] of rj's config and every host that "
        "has had jobs, one per line (NAME, a tab and the description when rj's config gives one). With --check, "
        "connects to all of them at once and prints reachability, connection time and "
        "the round-trip time of one command; exits 1 if any host is unreachable. With --free, probes all of them at "
        "once and prints what is free now: GPUs (each with its use and memory), memory and idle CPUs (CPUs less the "
        "1-minute load), and names hosts with no rj job for a day or more.",
    .declare = declare,
    .run = run,
};

}  // namespace cli
