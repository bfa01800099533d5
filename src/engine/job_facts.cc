#include "config.h"

#include "engine/job_facts.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "engine/progress.h"
#include "util/duration.h"
#include "util/saturating.h"

namespace engine {

std::string status_words(const store::Job& job) {
    std::string s = store::to_string(job.status);
    if (job.status == store::status::failed) {
        if (job.exit_signal) s += " (signal " + std::to_string(*job.exit_signal) + ")";
        else if (job.exit_code) s += " (exit " + std::to_string(*job.exit_code) + ")";
    }
    return s;
}

namespace {

// "2026-11-03 14:02:11", local time.
std::string local_time(int64_t t) {
    if (t <= 0) return "-";
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    localtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string duration(int64_t seconds) { return util::format_duration(util::Seconds(std::max<int64_t>(0, seconds))); }

std::string id_list(const std::vector<int64_t>& ids) {
    std::string s;
    for (int64_t id : ids) s += (s.empty() ? "" : ", ") + std::to_string(id);
    return s;
}

std::string status_fact(const store::Job& job) {
    std::string s = to_string(job.status);
    if (job.exit_code) s += ", exit code " + std::to_string(*job.exit_code);
    if (job.exit_signal) s += ", signal " + std::to_string(*job.exit_signal);
    if (job.pid && !job.terminal()) s += ", pid " + std::to_string(*job.pid);
    return s;
}

// A job in a queue: its queue, GPUs, dependencies, and for one that waits,
// whether it is held and why it waits.
void add_queue_facts(std::vector<JobFact>& out, const store::Job& job, const QueueState* queue) {
    if (job.queue.empty()) return;
    out.push_back({"Queue", job.queue + ", priority " + std::to_string(job.priority) +
                                (queue ? "; runner " + queue->state : "")});
    if (job.gpus > 0)
        out.push_back({"GPUs", std::to_string(job.gpus) +
                                   (job.gpu_alloc.empty() ? "" : " (CUDA_VISIBLE_DEVICES=" + job.gpu_alloc + ")")});
    std::string after;
    if (!job.after_ok.empty()) after += "succeeded: " + id_list(job.after_ok);
    if (!job.after_any.empty()) after += (after.empty() ? "" : "; ") + std::string("ended: ") + id_list(job.after_any);
    if (!job.after_fail.empty()) after += (after.empty() ? "" : "; ") + std::string("failed: ") + id_list(job.after_fail);
    if (!after.empty()) out.push_back({"After", after});
    bool waiting = job.status == store::status::queued || job.status == store::status::pending;
    if (!waiting) return;
    out.push_back({"Held", job.held ? "yes" : "no"});
    // Why it waits, as the host last said; a stopped runner says it plainest.
    std::string why = job.queue_reason;
    if (queue && queue->state != "running" && !job.held)
        why = "queue " + job.queue + " is " + queue->state + ": its runner must be started" + (why.empty() ? "" : "; " + why);
    if (why.empty()) why = job.status == store::status::pending ? "the host was unreachable; sent at the next sync"
                                                                 : "not known yet: the next sync asks the host";
    out.push_back({"Waiting", why});
}

// A job of a SLURM cluster: both ids, what it asked SLURM for, and for one
// that waits SLURM's state and reason as the last sync saw them.
void add_slurm_facts(std::vector<JobFact>& out, const store::Job& job) {
    if (!job.on_slurm()) return;
    out.push_back({"SLURM job", job.slurm_id + " (rj job " + std::to_string(job.id) + ")"});
    if (job.gpus > 0) out.push_back({"GPUs", std::to_string(job.gpus) + " (--gres=gpu:" + std::to_string(job.gpus) + ")"});
    std::string after;
    if (!job.after_ok.empty()) after += "succeeded: " + id_list(job.after_ok);
    if (!job.after_any.empty()) after += (after.empty() ? "" : "; ") + std::string("ended: ") + id_list(job.after_any);
    if (!job.after_fail.empty()) after += (after.empty() ? "" : "; ") + std::string("failed: ") + id_list(job.after_fail);
    if (!after.empty()) out.push_back({"After", after});
    if (job.status != store::status::queued) return;
    out.push_back({"Held", job.held ? "yes" : "no"});
    out.push_back({"Waiting", job.queue_reason.empty() ? "PENDING" : job.queue_reason});
}

std::string usage_fact(const JobUsage& usage) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%d process%s, CPU %.0f%%, memory %.0f MiB", usage.procs,
                  usage.procs == 1 ? "" : "es", usage.cpu_pct, static_cast<double>(usage.rss_kib) / 1024.0);
    std::string text = buf;
    if (usage.gpu_mem_mib >= 0) text += ", GPU memory " + std::to_string(usage.gpu_mem_mib) + " MiB";
    return text;
}

// What the wrapper measured: peak memory, and the GPUs its processes used.
void add_usage_facts(std::vector<JobFact>& out, const store::Job& job) {
    const auto& u = job.usage;
    if (u.peak_rss_kib) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.1f MiB (resident, its process group)", static_cast<double>(*u.peak_rss_kib) / 1024.0);
        out.push_back({"Peak memory", buf});
    }
    if (!u.gpus.empty()) {
        std::string text = u.gpus;
        if (u.gpu_mem_peak_mib) text += "; peak memory " + std::to_string(*u.gpu_mem_peak_mib) + " MiB";
        if (u.gpu_util_mean) {
            char buf[48];
            std::snprintf(buf, sizeof buf, "; mean utilisation %.0f%%", *u.gpu_util_mean);
            text += buf;
        }
        out.push_back({"GPUs used", text});
    }
}

std::string cpu_seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fs", s);
    return buf;
}

// Which code ran: the commit line, where the repository is, and where the changes are kept.
void add_code_facts(std::vector<JobFact>& out, const store::Job& job) {
    if (!job.has_code()) return;
    out.push_back({"Code", job.code_summary()});
    out.push_back({"Repository", job.code.root + (job.code.subdir.empty() ? "" : " (" + job.code.subdir + ")")});
    out.push_back({"Commit", job.code.commit});
    if (job.code.patch_bytes > 0 || job.code.truncated)
        out.push_back({"Changes", std::to_string(job.code.patch_bytes) + " bytes of patch, git hash " +
                                      job.code.patch_hash +
                                      (job.code.truncated
                                           ? " (TRUNCATED at the snapshot limit: not enough to run it again exactly)"
                                           : "") +
                                      " — code.patch in its directory"});
}

// Placed by the laptop: the pool, what it needs, what runs before it, and
// while it waits, why and for which jobs.
void add_placement_facts(std::vector<JobFact>& out, const store::Job& job) {
    if (!job.plan.empty()) out.push_back({"Plan", job.plan});
    if (!job.pool.empty()) out.push_back({"Pool", job.pool});
    if (!job.require.empty()) out.push_back({"Requires", job.require});
    if (!job.prelude.empty()) out.push_back({"Prelude", job.prelude});
    if (job.queue.empty() && !job.gpu_alloc.empty()) out.push_back({"GPUs", "CUDA_VISIBLE_DEVICES=" + job.gpu_alloc});
    if (!job.laptop_wait) return;
    std::string after;
    if (!job.after_ok.empty()) after += "succeeded: " + id_list(job.after_ok);
    if (!job.after_any.empty()) after += (after.empty() ? "" : "; ") + std::string("ended: ") + id_list(job.after_any);
    if (!job.after_fail.empty()) after += (after.empty() ? "" : "; ") + std::string("failed: ") + id_list(job.after_fail);
    if (!after.empty()) out.push_back({"After", after + " (checked by rj, on any host)"});
    if (job.status == store::status::pending)
        out.push_back({"Waiting", (job.queue_reason.empty() ? "for rj to place it" : job.queue_reason) +
                                      " (rj looks again in the interface, or at 'rj -b')"});
}

}  // namespace

namespace {

// "failures: sent by the host at ...", "all: not sent yet (slack: HTTP 500)".
std::string notify_fact(const store::Job& j) {
    const std::string& v = j.notified_via;
    std::string s = j.notify + ": ";
    if (v.empty()) s += j.terminal() ? "waiting for the host's word" : "when it ends";
    else if (v == "host" || v == "laptop") s += "sent by the " + v;
    else if (v == "due" || v == "sending") s += "not sent yet";
    else if (v == "none") s += "not needed (policy)";
    else s += v;
    if (j.notified_at && (v == "host" || v == "laptop")) s += " at " + local_time(*j.notified_at);
    if (!j.notify_error.empty()) s += " (" + j.notify_error + ")";
    return s;
}

}  // namespace

std::vector<JobFact> job_facts(const store::Job& job, int64_t now, const LiveJobFacts& live) {
    std::vector<JobFact> out;
    out.push_back({"Id", std::to_string(job.id)});
    out.push_back({"Host", job.host});
    out.push_back({"Status", status_fact(job)});
    out.push_back({"Command", job.command});
    out.push_back({"Directory", job.workdir.empty() ? "~" : job.workdir});
    if (!job.description.empty()) out.push_back({"Description", job.description});
    // One fact per variable, all under one label.
    for (const auto& [name, value] : job.env) out.push_back({"Environment", name + "=" + value});
    if (!job.tags.empty()) {
        std::string tags;
        for (const auto& t : job.tags) tags += (tags.empty() ? "" : ", ") + t;
        out.push_back({"Tags", tags});
    }
    if (job.timeout_s > 0) out.push_back({"Timeout", duration(job.timeout_s)});
    if (job.idle_timeout_s > 0) out.push_back({"Idle timeout", duration(job.idle_timeout_s)});
    if (job.is_array()) out.push_back({"Array", "tasks " + job.array_spec});
    if (job.array_id && job.array_task)
        out.push_back({"Array", "task " + std::to_string(*job.array_task) + " of array " + std::to_string(*job.array_id)});
    add_queue_facts(out, job, live.queue);
    add_placement_facts(out, job);
    add_slurm_facts(out, job);
    out.push_back({"Created", local_time(job.created_at)});
    if (job.started_at) out.push_back({"Started", local_time(*job.started_at)});
    if (job.ended_at) out.push_back({"Ended", local_time(*job.ended_at)});
    if (job.started_at) {
        // An ended job without an end time ran for an unknown while: not "until now".
        int64_t end = job.ended_at.value_or(job.terminal() ? *job.started_at : now);
        out.push_back({job.terminal() ? "Ran for" : "Running for", duration(util::sat_sub(end, *job.started_at))});
    }
    if (job.live.fraction) out.push_back({"Progress", progress_text(job, now) + " (as of the last sync)"});
    if (job.stalled() && job.live.quiet_since)
        out.push_back({"Stalled", "its log has not grown for " + duration(util::sat_sub(now, *job.live.quiet_since)) +
                                      " (stall_after)"});
    if (!job.progress.empty()) out.push_back({"Progress pattern", job.progress});
    if (!job.terminal() && !job.live.gpus.empty()) {
        std::string text = job.live.gpus;
        if (job.live.gpu_util) text += " at " + std::to_string(static_cast<int>(*job.live.gpu_util)) + "%";
        out.push_back({"GPUs now", text + " (as of the last sync)"});
    }
    if (live.usage && live.usage->ok() && live.usage->running && !job.terminal())
        out.push_back({"Using", usage_fact(*live.usage)});
    if (job.cpu_user_s || job.cpu_sys_s)
        out.push_back({"CPU time", "user " + cpu_seconds(job.cpu_user_s.value_or(0)) + ", system " +
                                       cpu_seconds(job.cpu_sys_s.value_or(0))});
    add_usage_facts(out, job);
    add_code_facts(out, job);
    if (!job.gpu_models.empty()) out.push_back({"GPU models", job.gpu_models});
    if (job.from_job)
        out.push_back({job.exact ? "Exact rerun" : "Rerun of",
                       "job " + std::to_string(*job.from_job) + (job.exact ? " (on its recorded code)" : "")});
    if (job.queue_on_fail) out.push_back({"If offline", "starts when the host is reachable"});
    if (!job.notify.empty()) out.push_back({"Notify", notify_fact(job)});
    if (live.deferred)
        for (const auto& d : *live.deferred)
            out.push_back({"Deferred", d.op + " since " + local_time(d.created_at) + ", when " + d.host +
                                           " is reachable again (rj -b deferred cancel " + std::to_string(d.id) + ")"});
    if (!job.error.empty()) out.push_back({"Error", job.error});
    if (job.is_array()) return out;  // an array has no session or files of its own
    if (job.on_slurm())
        out.push_back({"Session", "none: a SLURM batch job (scontrol show job " + job.slurm_id + " on " + job.host + ")"});
    else
        out.push_back({"Session", "tmux attach -t " + job.session_name() + " (on " + job.host + ")"});
    if (!job.remote_job_dir().empty()) out.push_back({"Files", job.remote_job_dir() + " (on " + job.host + ")"});
    return out;
}

}  // namespace engine
