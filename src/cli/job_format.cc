#include "config.h"

#include "cli/job_format.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "store/job.h"
#include "util/duration.h"
#include "util/saturating.h"
#include "util/json.h"
#include "util/terminal_text.h"

namespace cli {

namespace {
std::string id_array(const std::vector<int64_t>& ids) {
    std::string s = "[";
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
    return s + "]";
}
std::string string_array(const std::vector<std::string>& items) {
    std::string s = "[";
    for (size_t i = 0; i < items.size(); ++i) s += (i ? "," : "") + util::json_quote(items[i]);
    return s + "]";
}
}  // namespace

std::string job_time_cell(const store::Job& job, int64_t now) {
    if (!job.started_at) return "-";
    if (job.ended_at) return util::format_duration(util::Seconds(util::sat_sub(now, *job.ended_at))) + " ago";
    return util::format_duration(util::Seconds(util::sat_sub(now, *job.started_at)));
}

std::string job_what_cell(const store::Job& job) { return job.description.empty() ? job.command : job.description; }

std::string job_percent_cell(const store::Job& job) {
    if (!job.live.fraction) return "-";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", *job.live.fraction * 100.0);
    return buf;
}

int job_exit_status(const store::Job& job) {
    if (job.status == store::status::completed) return 0;
    if (job.status == store::status::failed) {
        if (job.exit_signal) return 128 + *job.exit_signal;
        if (job.exit_code && *job.exit_code > 0 && *job.exit_code < 256) return *job.exit_code;
    }
    return 1;
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
        .add("slurm_id", j.slurm_id)
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
        .add("notify_error", j.notify_error)
        .add("pool", j.pool)
        .add("require", j.require)
        .add("prelude", j.prelude)
        .add("placed_by_rj", j.laptop_wait)
        .add("plan", j.plan)
        .add_raw("tags", string_array(j.tags))
        .add("peak_rss_kib", j.usage.peak_rss_kib)
        .add("gpus_used", j.usage.gpus)
        .add("gpu_mem_peak_mib", j.usage.gpu_mem_peak_mib)
        .add("gpu_util_mean", j.usage.gpu_util_mean)
        .add("progress", j.progress)
        .add("progress_fraction", j.live.fraction)
        .add("log_quiet_since", j.live.quiet_since)
        .add("stalled", j.stalled())
        .add("stalled_since", j.stalled() ? j.live.stalled_since : std::nullopt)
        .add("live_gpus", j.live.gpus)
        .add("live_gpu_util", j.live.gpu_util);
    return o.str();
}

std::string fact_lines(const std::vector<engine::JobFact>& facts) {
    std::string out;
    for (const auto& [label, value] : facts) {
        // Lower case, as scripts that grep `show` have always seen it ("code:").
        std::string key = label + ":";
        std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
        key.resize(std::max<size_t>(key.size() + 1, engine::kJobFactLabelWidth), ' ');
        out += key + util::visible(value) + "\n";
    }
    return out;
}

}  // namespace cli
