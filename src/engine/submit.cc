// Submitting jobs: validate, record, then send — in that order, so a crash at
// any point leaves a row that the next sync reconciles against the host.
#include "config.h"

#include <cctype>
#include <memory>

#include "engine/host_clock.h"
#include "engine/job_start.h"
#include "engine/job_state.h"
#include "engine/notifications.h"
#include "engine/slurm.h"
#include "engine/lifecycle.h"
#include "remote/protocol.h"
#include "store/job_repo.h"
#include "util/error.h"

namespace engine {

void validate_job_fields(const SubmitRequest& r) {
    bool blank = true;
    for (char c : r.command)
        if (!std::isspace(static_cast<unsigned char>(c))) blank = false;
    if (blank) throw util::UsageError("no command given", "give the command to run on the host");
    auto has_nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
    if (has_nul(r.command) || has_nul(r.workdir) || has_nul(r.description))
        throw util::UsageError("command, directory and description cannot contain NUL bytes");
    for (const auto& [name, value] : r.env) {
        parse_env_assignment(name + "=" + value);  // throws on a bad name
        if (has_nul(value)) throw util::UsageError("environment value of " + name + " contains a NUL byte");
    }
    if (r.timeout_s < 0) throw util::UsageError("the timeout cannot be negative");
    if (r.idle_timeout_s < 0) throw util::UsageError("the idle timeout cannot be negative");
}

namespace {

void validate(Engine& engine, const SubmitRequest& r) {
    engine.require_known_host(r.host);
    validate_job_fields(r);
}

// restart --exact: the source must have recorded its code, whole, on this
// host and in the directory new jobs use (its patch is read from there).
void check_exact(Engine& engine, const SubmitRequest& r) {
    auto src = store::JobRepo(engine.db()).get(*r.exact_from);
    std::string id = std::to_string(*r.exact_from);
    if (!src) throw util::UsageError("there is no job " + id, "the job list shows the jobs");
    if (!src->has_code())
        throw util::UsageError("job " + id + " recorded no code",
                               "only jobs that ran in a git work tree (with snapshots on) can be run again exactly; "
                               "sync first if it started moments ago");
    if (src->code.truncated)
        throw util::UsageError("job " + id + "'s code snapshot was truncated: it left out changes over snapshot_limit, "
                                   "or stopped at snapshot_timeout (" + std::to_string(src->code.patch_bytes) +
                                   " bytes kept)",
                               "its exact code cannot be rebuilt (the job's log and code.left_out in its directory on "
                               "the host say what was left out); raise snapshot_limit or snapshot_timeout in the "
                               "config for future jobs");
    if (src->host != r.host || remote_dir_of(engine, *src) != new_job_dir(engine, r.host))
        throw util::UsageError("job " + id + "'s code is recorded on " + src->host + ", not " + r.host,
                               "restart --exact runs on the host that has the record");
}

}  // namespace

std::string command_with_prelude(const std::string& prelude, const std::string& command) {
    if (prelude.empty()) return command;
    // The prelude runs in the job's own shell (so `source venv/bin/activate`
    // and `module load` reach the command); when it fails, the job fails
    // with its status and says so in its log, before the command runs.
    return "rj_prelude() {\n" + prelude +
           "\n}\nrj_prelude || { rj_s=$?; printf 'rj: the prelude failed (exit %s); the command did not run\\n' "
           "\"$rj_s\" >&2; exit \"$rj_s\"; }\nunset -f rj_prelude\n" +
           command;
}

store::Job job_from_request(Engine& engine, const SubmitRequest& r) {
    store::Job job;
    job.host = r.host;
    job.command = r.command;
    job.workdir = r.workdir.empty() ? "~" : r.workdir;
    job.description = r.description;
    job.env = r.env;
    job.timeout_s = r.timeout_s;
    job.idle_timeout_s = r.idle_timeout_s;
    job.queue_on_fail = r.queue_on_fail;
    job.from_job = r.from_job;
    job.exact = r.exact_from.has_value();
    if (!job.from_job && r.exact_from) job.from_job = r.exact_from;
    remote::RemoteDir dir = new_job_dir(engine, r.host);
    job.remote_dir = dir.path;
    job.session_prefix = dir.session_prefix;
    job.status = lifecycle::created(lifecycle::Event::Created);
    job.notify = notify_policy_for_job(engine, r.host, r.notify);
    job.prelude = engine.config().prelude_for(r.host);
    job.plan = r.plan;
    apply_job_extras(engine, r, job);
    return job;
}

remote::JobSpec spec_of(Engine& engine, const store::Job& job) {
    remote::JobSpec spec;
    spec.id = job.id;
    spec.command = command_with_prelude(job.prelude, job.command);
    spec.workdir = job.workdir.empty() ? "~" : job.workdir;
    spec.description = job.description;
    spec.env = job.env;
    spec.timeout_s = job.timeout_s;
    spec.idle_timeout_s = job.idle_timeout_s;
    spec.snapshot_bytes = engine.config().snapshot_bytes_for(job.host);
    spec.snapshot_seconds = engine.config().snapshot_timeout.count();
    spec.snapshot_exclude = engine.config().snapshot_exclude_patterns();
    spec.notify = host_notify_spec(engine, job);
    remote::RemoteDir dir = remote_dir_of(engine, job);
    spec.rj_dir = dir.path;
    spec.session_prefix = dir.session_prefix;
    return spec;
}

void start_recorded_job(Engine& engine, const store::Job& job, std::function<void(SubmitResult, RemoteReply)> done) {
    if (is_slurm_host(engine, job.host)) return start_recorded_slurm_job(engine, job, std::move(done));
    if (!job.queue.empty()) return enqueue_recorded_jobs(engine, {job}, nullptr, std::move(done));
    remote::JobSpec spec = spec_of(engine, job);
    spec.gpu_alloc = job.gpu_alloc;  // placed on GPUs by rj (pools)
    if (job.exact && job.from_job) {
        // Validated at submit; a resend rebuilds it from the source's record.
        auto src = store::JobRepo(engine.db()).get(*job.from_job);
        if (src && src->has_code())
            spec.exact = remote::JobSpec::Exact{src->code.root, src->code.commit, src->code.subdir, src->id,
                                                src->code.patch_bytes};
    }
    std::string script = remote::submit_script(spec);
    int64_t id = job.id;
    engine.run_script(job.host, std::move(script), std::chrono::seconds(60),
                      [&engine, id, done = std::move(done)](RemoteReply reply) {
                          SubmitResult result;
                          result.job_id = id;
                          if (!reply.ok()) {
                              result.fail(reply);
                              done(std::move(result), std::move(reply));
                              return;
                          }
                          remote::SubmitReply sr;
                          try {
                              sr = remote::parse_submit(reply.out);
                          } catch (const util::Error& e) {
                              result.fail(e);
                              done(std::move(result), std::move(reply));
                              return;
                          }
                          store::JobRepo jobs(engine.db());
                          if (sr.status == remote::SubmitReply::Status::GpusTaken) {
                              result.fail(FailureKind::Remote, sr.error);
                              result.gpus_taken = true;
                          } else if (sr.status == remote::SubmitReply::Status::Error) {
                              result.fail(FailureKind::Remote, "cannot start job " + std::to_string(id) + ": " + sr.error);
                          } else {
                              std::optional<int64_t> pid;
                              if (sr.pid > 0) pid = sr.pid;
                              // In our clock, as sync records it (engine/host_clock.h).
                              int64_t skew = host_clock_skew(sr.host_now, now_epoch());
                              lifecycle::start(jobs, id, pid, host_time_to_local(sr.started, skew));
                              result.started = true;
                          }
                          done(std::move(result), std::move(reply));
                      });
}

namespace {

// The host's submit scripts refuse a job directory they cannot use with
// "no such directory: D" or "cannot enter directory: D" (remote/sh/submit.sh,
// enqueue.sh, slurm_submit.sh): that failure gets its own kind, so a face
// can say how to choose another directory without reading the message.
std::function<void(SubmitResult)> classify_workdir(std::function<void(SubmitResult)> done) {
    return [done = std::move(done)](SubmitResult r) {
        if (r.kind == FailureKind::Remote && (r.error.find("no such directory: ") != std::string::npos ||
                                              r.error.find("cannot enter directory: ") != std::string::npos))
            r.kind = FailureKind::Workdir;
        done(std::move(r));
    };
}

}  // namespace

void submit(Engine& engine, SubmitRequest request, std::function<void(SubmitResult)> done) {
    done = classify_workdir(std::move(done));
    if (!request.host.empty() && request.host[0] == '@') {
        if (!request.pool.empty() && request.pool != request.host.substr(1))
            throw util::UsageError::in("pool", "two pools given: " + request.pool + " and " + request.host);
        request.pool = request.host.substr(1);
    }
    if (needs_laptop(engine, request)) return submit_laptop_held(engine, std::move(request), std::move(done));
    validate(engine, request);
    if (request.idle_timeout_s < 0) throw util::UsageError("the idle timeout cannot be negative");
    if (is_slurm_host(engine, request.host)) return submit_to_slurm(engine, std::move(request), std::move(done));
    if (request.exact_from) check_exact(engine, request);
    if (request.queue.enabled) return submit_to_queue(engine, std::move(request), std::move(done));
    store::JobRepo jobs(engine.db());
    store::Job job = job_from_request(engine, request);
    jobs.insert(job);
    bool queue_on_fail = request.queue_on_fail;
    start_recorded_job(engine, job, [&engine, queue_on_fail, done = std::move(done)](SubmitResult r, RemoteReply reply) {
        store::JobRepo repo(engine.db());
        if (!r.started) {
            auto after = lifecycle::after_send_failure(reply.maybe_ran, reply.unreachable(), queue_on_fail);
            lifecycle::send_failed(repo, r.job_id, after, r.error);
            if (after == lifecycle::Event::SendFailedKept)
                r.hint = "it may or may not have started; the next sync will find out";
            r.pending = after == lifecycle::Event::SendFailedPending;
        }
        done(std::move(r));
    });
}

}  // namespace engine
