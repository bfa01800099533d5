// Logs are filtered on the host (a 1 GB log is not fetched to show 50 lines);
// the last plain tail is cached locally for when the host is offline.
#include "config.h"

#include "engine/job_state.h"
#include "engine/remote_jobs.h"
#include "remote/foreign.h"
#include "engine/jobs.h"
#include "remote/protocol.h"
#include "store/job_repo.h"
#include "util/error.h"

namespace engine {

namespace {
constexpr size_t kCachedTailBytes = 64 * 1024;
}

void fetch_log(Engine& engine, LogRequest request, std::function<void(LogResult)> done) {
    store::Job job = get_job(engine, request.id);
    if (job.status == store::status::pending) {
        LogResult r;
        r.text = "";
        engine.loop().after(event::Duration::zero(), [done, r] { done(r); });
        return;
    }
    remote::LogQuery q;
    q.tail_lines = request.tail_lines;
    q.from_line = request.from_line;
    q.to_line = request.to_line;
    q.grep = request.grep;
    q.byte_offset = request.byte_offset;
    q.max_bytes = request.max_bytes;
    bool plain = request.grep.empty() && request.from_line == 0 && request.to_line == 0;
    // A job imported from remote-jobs: its log is where remote-jobs' wrapper writes it.
    auto old_id = remote_jobs_id(job);
    std::string script = old_id ? remote::foreign_log_script({job.id, *old_id}, q)
                                : remote::log_script(remote_dir_of(engine, job), job.id, q);
    int64_t id = job.id;
    engine.run_script(job.host, std::move(script), std::chrono::seconds(60),
                      [&engine, id, plain, request, done = std::move(done)](RemoteReply reply) {
                          LogResult r;
                          store::JobRepo jobs(engine.db());
                          if (!reply.ok()) {
                              // Offline with a cached tail: that tail is the answer.
                              auto cached = reply.unreachable() ? jobs.cached_log(id) : std::nullopt;
                              if (cached) {
                                  r.cached = true;
                                  r.cached_because = reply.error;
                                  r.text = cached->first;
                                  r.cached_at = cached->second;
                              } else {
                                  r.fail(reply);
                              }
                              done(std::move(r));
                              return;
                          }
                          remote::LogReply lr;
                          try {
                              lr = remote::parse_log(reply.out);
                          } catch (const util::Error& e) {
                              r.fail(e);
                              done(std::move(r));
                              return;
                          }
                          if (!lr.ok) {
                              r.fail(lr.bad_pattern ? FailureKind::Refused : FailureKind::Remote, "log of job " + std::to_string(id) + ": " + lr.error);
                              r.bad_pattern = lr.bad_pattern;
                              done(std::move(r));
                              return;
                          }
                          r.text = std::move(lr.text);
                          r.next_offset = lr.offset;
                          r.running = lr.running;
                          r.more = lr.more;
                          r.truncated = lr.truncated;
                          if (r.truncated) {
                              // Never end on half a line.
                              auto nl = r.text.rfind('\n');
                              r.text.resize(nl == std::string::npos ? 0 : nl + 1);
                          }
                          if (plain) {
                              // Keep the last 64 KiB seen: byte-mode reads are
                              // sequential, so they extend what is cached.
                              std::string tail = r.text;
                              if (request.byte_offset > 0 && !lr.reset)
                                  if (auto old = jobs.cached_log(id)) tail = old->first + tail;
                              if (tail.size() > kCachedTailBytes) tail = tail.substr(tail.size() - kCachedTailBytes);
                              jobs.cache_log(id, tail, now_epoch());
                          }
                          done(std::move(r));
                      });
}

}  // namespace engine
