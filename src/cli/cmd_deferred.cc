// rj -b deferred [cancel ID...]: operations kept for unreachable hosts.
#include "config.h"

#include <ctime>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "cli/table.h"
#include "engine/deferred.h"
#include "util/duration.h"

namespace cli {

namespace {

void declare(po::options_description&, po::options_description& hidden, po::positional_options_description& pos) {
    hidden.add_options()("args", po::value<std::vector<std::string>>(), "args");
    pos.add("args", -1);
}

int run(Context& ctx, const po::variables_map& vm) {
    std::vector<std::string> args;
    if (vm.count("args")) args = vm["args"].as<std::vector<std::string>>();
    if (args.empty() || args[0] == "list") {
        Table t({"ID", "JOB", "HOST", "OP", "WAITING FOR"});
        int64_t now = static_cast<int64_t>(std::time(nullptr));
        for (const auto& d : engine::waiting_deferred(ctx.engine))
            t.add({std::to_string(d.id), std::to_string(d.job_id), d.host, d.op + (d.arg.empty() ? "" : " " + d.arg),
                   util::format_duration(util::Seconds(std::max<int64_t>(0, now - d.created_at)))});
        if (t.empty()) {
            if (ctx.out_is_tty) ctx.err << "rj: no deferred operations\n";
            return 0;
        }
        t.print(ctx.out, ctx.width);
        return 0;
    }
    if (args[0] != "cancel" || args.size() < 2)
        throw util::UsageError("usage: rj -b deferred [list] | rj -b deferred cancel ID...");
    for (size_t i = 1; i < args.size(); ++i) {
        int64_t id = parse_job_id(args[i]);
        engine::cancel_deferred(ctx.engine, id);
        ctx.out << "cancelled deferred operation " << id << "\n";
    }
    return 0;
}

}  // namespace

extern const Command kDeferredCommand = {
    .name = "deferred",
    .args = "[cancel ID...]",
    .summary = "list (or cancel) operations kept for unreachable hosts",
    .details = "A kill, hold, release or move aimed at a host rj cannot reach is not lost: it is kept as a deferred operation "
        "(list and show mark the job) and carried out by the next sync that reaches the host ('rj -b', 'rj -b sync' "
        "or the interface). 'rj -b deferred' lists those still waiting; 'rj -b deferred cancel ID' drops one.",
    .declare = declare,
    .run = run,
};

}  // namespace cli
