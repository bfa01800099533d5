// rj -b hosts --free: what each host has free now, and which hosts sit idle.
#include "config.h"

#include <cstdio>
#include <ctime>
#include <map>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "cli/table.h"
#include "engine/dispatch.h"
#include "util/duration.h"
#include "util/terminal_text.h"

namespace cli {

namespace {

// A host with no rj job for this long is worth pointing at.
constexpr int64_t kIdleWorthSaying = 24 * 3600;

std::string gpu_line(const engine::GpuCapacity& g) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%d%% use, %lld/%lld MiB, ", g.utilization_pct,
                  static_cast<long long>(g.memory_used_mib), static_cast<long long>(g.memory_total_mib));
    return buf + g.name;
}

}  // namespace

int run_hosts_free(Context& ctx, const std::vector<std::string>& hosts) {
    std::map<std::string, engine::HostFreeReport> results;
    for (const auto& h : hosts)
        engine::probe_free(ctx.engine, h, [&results, h](engine::HostFreeReport r) { results[h] = std::move(r); });
    wait_for(ctx, "hosts --free", [&] { return results.size() == hosts.size(); });
    Table t({"HOST", "GPUS FREE", "MEMORY FREE", "IDLE CPUS", "NOTE"});
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::vector<std::string> idle_notes;
    int unreachable = 0;
    for (const auto& h : hosts) {
        const auto& r = results[h];
        const auto& c = r.capacity;
        if (!r.ok()) {
            ++unreachable;
            t.add({h, "-", "-", "-", "unreachable: " + util::visible(r.error)});
            continue;
        }
        size_t free_gpus = c.free_gpus().size();
        std::string gpus = c.gpus_known ? std::to_string(free_gpus) + " of " + std::to_string(c.gpus.size()) : "none";
        std::string mem = engine::format_size(c.mem_available) + " of " + engine::format_size(c.mem_total);
        std::string cpus = std::to_string(c.idle_cpus()) + " of " + std::to_string(c.cpus);
        std::string note;
        if (r.active_jobs == 0 && (r.last_job_end == 0 || now - r.last_job_end >= kIdleWorthSaying)) {
            std::string what = c.gpus_known && free_gpus > 0
                                   ? std::to_string(free_gpus) + " GPU" + (free_gpus == 1 ? "" : "s") + " idle"
                                   : "idle";
            note = r.last_job_end == 0 ? what + ", no rj job on record"
                                       : what + " for " + util::format_duration(util::Seconds(now - r.last_job_end));
            idle_notes.push_back(h + ": " + note);
        } else if (r.active_jobs > 0) {
            note = std::to_string(r.active_jobs) + " rj job" + (r.active_jobs == 1 ? "" : "s");
        }
        t.add({h, gpus, mem, cpus, note});
        for (const auto& g : c.gpus) t.add({"  gpu " + std::to_string(g.index), g.busy ? "busy" : "free", "", "", gpu_line(g)});
    }
    t.print(ctx.out, ctx.width);
    for (const auto& n : idle_notes) ctx.out << n << "\n";
    return unreachable ? 1 : 0;
}

}  // namespace cli
