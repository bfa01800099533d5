// Host facts for `rj -b host info` and the UI's meters.
#include "config.h"

#include "engine/job_state.h"
#include "engine/jobs.h"
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

void host_info(Engine& engine, const std::string& host, std::function<void(HostInfo)> done) {
    bool slurm = is_slurm_host(engine, host);
    engine.run_script(host, slurm ? remote::slurm_info_script() : remote::host_info_script("/proc", new_job_dir(engine, host)),
                      std::chrono::seconds(30), [host, slurm, done = std::move(done)](RemoteReply reply) {
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
                          done(std::move(info));
                      });
}

}  // namespace engine
