#include "config.h"

#include "cli/job_format.h"

#include <ctime>
#include <sstream>

#include "store/job.h"
#include "util/duration.h"
#include "util/json.h"
#include "util/terminal_text.h"

namespace cli {

namespace {
std::string local_time(int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    localtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}
std::string id_array(const std::vector<int64_t>& ids) {
    std::string s = "[";
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
    return s + "]";
}
}  // namespace

std::string job_time_cell(const store::Job& job, int64_t now) {
    if (!job.started_at) return "-";
    if (job.ended_at) return util::format_duration(util::Seconds(now - *job.ended_at)) + " ago";
    return util::format_duration(util::Seconds(now - *job.started_at));
}

std::string job_what_cell(const store::Job& job) { return job.description.empty() ? job.command : job.description; }

std::string job_status_text(const store::Job& job) {
    std::string s = to_string(job.status);
    if (job.status == store::status::failed) {
        if (job.exit_signal) s += " (signal " + std::to_string(*job.exit_signal) + ")";
        else if (job.exit_code) s += " (exit " + std::to_string(*job.exit_code) + ")";
    }
    return s;
}

int job_exit_status(const store::Job& job) {
    if (job.status == store::status::completed) return 0;
    if (job.status == store::status::failed) {
        if (job.exit_signal) return 128 + *job.exit_signal;
        if (job.exit_code && *job.exit_code > 0 && *job.exit_code < 256) return *job.exit_code;
    }
    return 1;
}

// "sent by the host 3m ago", "failed: slack: HTTP 500 (4 tries)", ...
static std::string notify_summary(const store::Job& j) {
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

std::string job_json(const store::Job& j) {
    std::string env = "[";
    for (size_t i = 0; i < j.env.size(); ++i) {
        util::JsonObject e;
        e.add("name", j.env[i].first).add("value", j.env[i].second);
        env += (i ? "," : "") + e.str();
    }
    env += "]";
    util::JsonObject o;
    o.add("id", j.id)
        .add("host", j.host)
        .add("status", to_string(j.status))
        .add("command", j.command)
        .add("workdir", j.workdir)
        .add("description", j.description)
        .add_raw("env", env)
        .add("timeout_s", j.timeout_s)
        .add("exit_code", j.exit_code)
        .add("exit_signal", j.exit_signal)
        .add("created_at", j.created_at)
        .add("started_at", j.started_at)
        .add("ended_at", j.ended_at)
        .add("cpu_user_s", j.cpu_user_s)
        .add("cpu_sys_s", j.cpu_sys_s)
        .add("pid", j.pid)
        .add("from_job", j.from_job)
        .add("queue_on_fail", j.queue_on_fail)
        .add("error", j.error)
        .add("session", j.session_name())
        .add("remote_job_dir", j.remote_job_dir())
        .add("queue", j.queue)
        .add("priority", j.priority)
        .add("gpus", static_cast<int64_t>(j.gpus))
        .add("gpu_alloc", j.gpu_alloc)
        .add_raw("after", id_array(j.after_ok))
        .add_raw("after_any", id_array(j.after_any))
        .add_raw("after_fail", id_array(j.after_fail))
        .add("array", j.array_spec)
        .add("array_id", j.array_id)
        .add("array_task", j.array_task)
        .add("held", j.held)
        .add("pending_reason", j.queue_reason)
        .add("idle_timeout_s", j.idle_timeout_s)
        .add("code_commit", j.code.commit)
        .add("code_branch", j.code.branch)
        .add("code_root", j.code.root)
        .add("code_patch_hash", j.code.patch_hash)
        .add("code_patch_bytes", j.code.patch_bytes)
        .add("code_truncated", j.code.truncated)
        .add("code_summary", j.code_summary())
        .add("gpu_models", j.gpu_models)
        .add("exact", j.exact)
        .add("notify", j.notify)
        .add("notified_via", j.notified_via)
        .add("notified_at", j.notified_at)
        .add("notify_error", j.notify_error);
    return o.str();
}

std::string job_details(const store::Job& j) {
    std::ostringstream s;
    auto line = [&](const char* k, const std::string& v) {
        if (!v.empty()) s << k << std::string(13 - std::string(k).size(), ' ') << util::visible(v) << "\n";
    };
    line("id:", std::to_string(j.id));
    line("host:", j.host);
    line("status:", job_status_text(j));
    line("command:", j.command);
    line("directory:", j.workdir);
    line("description:", j.description);
    for (const auto& [k, v] : j.env) line("env:", k + "=" + v);
    if (j.timeout_s > 0) line("timeout:", util::format_duration(util::Seconds(j.timeout_s)));
    line("created:", local_time(j.created_at));
    if (j.started_at) line("started:", local_time(*j.started_at));
    if (j.ended_at) line("ended:", local_time(*j.ended_at));
    if (j.started_at) {
        int64_t end = j.ended_at ? *j.ended_at : static_cast<int64_t>(std::time(nullptr));
        line(j.ended_at ? "ran for:" : "running for:", util::format_duration(util::Seconds(end - *j.started_at)));
    }
    if (j.exit_code) line("exit code:", std::to_string(*j.exit_code));
    if (j.exit_signal) line("signal:", std::to_string(*j.exit_signal));
    if (j.cpu_user_s || j.cpu_sys_s) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.2fs user, %.2fs sys", j.cpu_user_s.value_or(0), j.cpu_sys_s.value_or(0));
        line("cpu:", buf);
    }
    if (j.pid) line("pid:", std::to_string(*j.pid));
    if (j.from_job) line("from job:", std::to_string(*j.from_job));
    if (j.queue_on_fail) line("on failure:", "--queue-on-fail");
    if (!j.queue.empty()) {
        line("queue:", j.queue + (j.priority ? ", priority " + std::to_string(j.priority) : "") + (j.held ? ", held" : ""));
        if (j.status == store::status::queued && !j.queue_reason.empty()) line("waiting:", j.queue_reason);
    }
    if (j.gpus > 0) line("gpus:", std::to_string(j.gpus) + (j.gpu_alloc.empty() ? "" : " (CUDA_VISIBLE_DEVICES=" + j.gpu_alloc + ")"));
    auto deps = [&](const char* k, const std::vector<int64_t>& ids) {
        std::string v;
        for (int64_t id : ids) v += (v.empty() ? "" : ", ") + std::to_string(id);
        line(k, v);
    };
    deps("after:", j.after_ok);
    deps("after-any:", j.after_any);
    deps("after-fail:", j.after_fail);
    if (j.is_array()) line("array:", j.array_spec);
    if (j.array_id) line("array task:", std::to_string(j.array_task.value_or(0)) + " of array " + std::to_string(*j.array_id));
    if (j.idle_timeout_s > 0) line("idle timeout:", util::format_duration(util::Seconds(j.idle_timeout_s)));
    if (j.has_code()) {
        line("code:", j.code_summary());
        line("repository:", j.code.root + (j.code.subdir.empty() ? "" : " (in " + j.code.subdir + ")"));
        line("commit:", j.code.commit);
        if (j.code.patch_bytes > 0 || j.code.truncated)
            line("changes:", std::to_string(j.code.patch_bytes) + " bytes of patch, git hash " + j.code.patch_hash +
                                 (j.code.truncated ? " (TRUNCATED at the snapshot limit: not enough to run it again exactly)" : "") +
                                 " — code.patch in its directory");
    }
    if (j.exact && j.from_job) line("exact:", "runs job " + std::to_string(*j.from_job) + "'s recorded code");
    line("gpu models:", j.gpu_models);
    if (!j.notify.empty()) line("notify:", notify_summary(j));
    line("error:", j.error);
    if (j.is_array()) return s.str();  // an array has no session or files of its own
    line("session:", "tmux attach -t " + j.session_name() + " (on " + j.host + ")");
    line("files:", j.remote_job_dir() + " (on " + j.host + ")");
    return s.str();
}

}  // namespace cli
