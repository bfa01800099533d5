// Live resource use of a running job (the UI's Details view).
#include "config.h"

#include "engine/job_state.h"
#include "engine/jobs.h"
#include "remote/protocol.h"
#include "util/error.h"

namespace engine {

void job_usage(Engine& engine, int64_t id, std::function<void(JobUsage)> done) {
    store::Job job = get_job(engine, id);
    engine.run_script(job.host, remote::usage_script(remote_dir_of(engine, job), {id}), std::chrono::seconds(30),
                      [id, done = std::move(done)](RemoteReply reply) {
                          JobUsage u;
                          if (!reply.ok()) {
                              u.fail(reply);
                              done(u);
                              return;
                          }
                          try {
                              for (const auto& r : remote::parse_usage(reply.out)) {
                                  if (r.id != id) continue;
                                  u.running = r.running;
                                  u.procs = r.procs;
                                  u.cpu_pct = r.cpu_pct;
                                  u.rss_kib = r.rss_kib;
                                  u.gpu_mem_mib = r.gpu_mem_mib;
                              }
                          } catch (const util::Error& e) {
                              u.fail(e);
                          }
                          done(u);
                      });
}

}  // namespace engine
