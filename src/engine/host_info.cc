// Host facts for `rj -b host info` and the UI's meters.
#include "config.h"

#include "engine/job_state.h"
#include "engine/jobs.h"

#include <algorithm>
#include <ctime>

#include "store/probe_repo.h"
#include "engine/slurm.h"
#include "remote/protocol.h"
#include "remote/slurm.h"
#include "util/terminal_text.h"
#include "util/error.h"

namespace engine {

namespace {

SlurmSummary slurm_summary(const remote::SlurmInfo& in) {
    SlurmSummary s;
    using util::visible;
    if (!in.ok) s.error = visible(in.error).substr(0, 300);
    for (const auto& p : in.partitions)
        s.partitions.push_back({visible(p.name), visible(p.avail), visible(p.nodes), visible(p.alloc_idle),
                                visible(p.cpus), visible(p.gres), visible(p.timelimit)});
    s.running = in.running;
    s.pending = in.pending;
    return s;
}

}  // namespace

namespace {

std::optional<int> permille(double v) {
    if (v < 0) return std::nullopt;
    return static_cast<int>(std::clamp(v, 0.0, 1.0) * 1000 + 0.5);
}

// The answer as a point of the host's history; old points pruned now and then.
void record_probe(Engine& engine, const HostInfo& info) {
    store::ProbeSample s;
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    s.minute = now / 60;
    if (info.cpus > 0) s.load = permille(info.load1 / info.cpus);
    if (info.mem_total_kib > 0) s.mem = permille(1.0 - static_cast<double>(info.mem_available_kib) / info.mem_total_kib);
    double sum = 0;
    int n = 0;
    for (const auto& g : info.gpus)
        if (g.utilization_pct >= 0) sum += g.utilization_pct / 100.0, ++n;
    if (n > 0) s.gpu = permille(sum / n);
    store::ProbeRepo repo(engine.db());
    try {
        repo.record(info.host, s);
        static int64_t last_prune = 0;
        if (now - last_prune > 3600) {
            last_prune = now;
            repo.prune(s.minute - store::kProbeKeepMinutes);
        }
    } catch (const util::Error&) {
        // A busy database costs one point of history, never the answer.
    }
}

}  // namespace

std::vector<ProbePoint> probe_history(Engine& engine, const std::string& host, int64_t minutes) {
    int64_t now_minute = static_cast<int64_t>(std::time(nullptr)) / 60;
    std::vector<ProbePoint> out;
    for (const auto& s : store::ProbeRepo(engine.db()).history(host, now_minute - minutes + 1)) {
        ProbePoint p;
        p.minute = s.minute;
        if (s.load) p.load = *s.load / 1000.0;
        if (s.mem) p.mem = *s.mem / 1000.0;
        if (s.gpu) p.gpu = *s.gpu / 1000.0;
        out.push_back(p);
    }
    return out;
}

void host_info(Engine& engine, const std::string& host, std::function<void(HostInfo)> done) {
    bool slurm = is_slurm_host(engine, host);
    engine.run_script(host, slurm ? remote::slurm_info_script() : remote::host_info_script("/proc", new_job_dir(engine, host)),
                      std::chrono::seconds(30), [&engine, host, slurm, done = std::move(done)](RemoteReply reply) {
                          HostInfo info;
                          info.host = host;
                          if (!reply.ok()) {
                              info.fail(reply);
                              done(std::move(info));
                              return;
                          }
                          try {
                              remote::HostInfo r = remote::parse_host_info(reply.out);
                              info.os = r.os + (r.kernel.empty() ? "" : " " + r.kernel);
                              info.arch = r.arch;
                              info.hostname = r.hostname;
                              info.tmux = r.tmux_version;
                              info.cpus = r.cpus;
                              info.mem_total_kib = r.mem_total_bytes / 1024;
                              info.mem_available_kib = r.mem_available_bytes / 1024;
                              info.load1 = r.load1;
                              info.load5 = r.load5;
                              info.load15 = r.load15;
                              for (const auto& g : r.gpus) {
                                  GpuInfo gi{g.index, g.name, g.util_pct, g.mem_used_mib, g.mem_total_mib};
                                  gi.temperature_c = g.temp_c;
                                  gi.jobs = g.jobs;
                                  gi.other_procs = g.other_procs;
                                  info.gpus.push_back(std::move(gi));
                              }
                              if (slurm) info.slurm = slurm_summary(remote::parse_slurm_info(reply.out));
                          } catch (const util::Error& e) {
                              info.fail(e);
                          }
                          if (info.ok()) record_probe(engine, info);
                          done(std::move(info));
                      });
}

}  // namespace engine
