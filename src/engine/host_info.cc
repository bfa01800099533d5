// Host facts for `rj -b host info` and the UI's meters.
#include "config.h"

#include "engine/job_state.h"
#include "engine/jobs.h"
#include "remote/protocol.h"
#include "util/error.h"

namespace engine {

void host_info(Engine& engine, const std::string& host, std::function<void(HostInfo)> done) {
    engine.run_script(host, remote::host_info_script("/proc", new_job_dir(engine, host)), std::chrono::seconds(30),
                      [host, done = std::move(done)](RemoteReply reply) {
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
                          } catch (const util::Error& e) {
                              info.fail(e);
                          }
                          done(std::move(info));
                      });
}

}  // namespace engine
