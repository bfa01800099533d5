#include "config.h"

#include "tui/detail_pane.h"

#include <algorithm>
#include <cstdio>

#include "tui/job_format.h"
#include "tui/model.h"
#include "tui/text.h"
#include "util/duration.h"

namespace tui {

namespace {

constexpr int kLabel = 13;

void add_wrapped(std::vector<std::pair<std::string, std::string>>& out, const std::string& label,
                 const std::string& raw, int width) {
    bool first = true;
    // Multi-line values (scripts) keep their lines; each is wrapped.
    size_t start = 0;
    do {
        size_t nl = raw.find('\n', start);
        std::string part = raw.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        for (auto& piece : wrap(sanitize(part), std::max(10, width - kLabel))) {
            out.emplace_back(first ? label : "", piece);
            first = false;
        }
        start = nl == std::string::npos ? raw.size() + 1 : nl + 1;
    } while (start <= raw.size());
}

std::string id_list(const std::vector<int64_t>& ids) {
    std::string s;
    for (int64_t id : ids) s += (s.empty() ? "" : ", ") + std::to_string(id);
    return s;
}

// A queued job: its queue, priority, GPUs, dependencies, array, and why it waits.
void add_queue_lines(std::vector<std::pair<std::string, std::string>>& out, const store::Job& job,
                     const engine::QueueState* queue, int width) {
    if (job.is_array()) out.emplace_back("Array:", "tasks " + sanitize(job.array_spec));
    if (job.array_id && job.array_task)
        out.emplace_back("Array:", "task " + std::to_string(*job.array_task) + " of array " + std::to_string(*job.array_id));
    if (job.queue.empty()) return;
    std::string q = sanitize(job.queue) + ", priority " + std::to_string(job.priority);
    if (queue) q += "; runner " + sanitize(queue->state);
    out.emplace_back("Queue:", q);
    if (job.gpus > 0)
        out.emplace_back("GPUs:", std::to_string(job.gpus) + (job.gpu_alloc.empty() ? "" : ", given " + sanitize(job.gpu_alloc)));
    std::string after;
    if (!job.after_ok.empty()) after += "succeeded: " + id_list(job.after_ok);
    if (!job.after_any.empty()) after += (after.empty() ? "" : "; ") + std::string("ended: ") + id_list(job.after_any);
    if (!job.after_fail.empty()) after += (after.empty() ? "" : "; ") + std::string("failed: ") + id_list(job.after_fail);
    if (!after.empty()) out.emplace_back("After:", after);
    bool waiting = job.status == store::status::queued || job.status == store::status::pending;
    if (!waiting) return;
    out.emplace_back("Held:", job.held ? "yes (h releases it)" : "no");
    // Why it waits, as the host last said; a stopped runner says it plainest.
    std::string why = job.queue_reason;
    if (queue && queue->state != "running" && !job.held)
        why = "queue " + job.queue + " is " + queue->state + " (S in the Queues pane starts its runner)" +
              (why.empty() ? "" : "; " + why);
    if (why.empty()) why = job.status == store::status::pending ? "the host was unreachable; sent at the next sync"
                                                                 : "not known yet: the next sync asks the host";
    add_wrapped(out, "Waiting:", why, width);
}

std::string seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fs", s);
    return buf;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> detail_lines(const store::Job& job, int64_t now, int width,
                                                             const engine::JobUsage* usage,
                                                             const engine::QueueState* queue) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string state = status_label(job.status);
    if (job.exit_code) state += ", exit code " + std::to_string(*job.exit_code);
    if (job.exit_signal) state += ", signal " + std::to_string(*job.exit_signal);
    if (job.pid && !job.terminal()) state += ", pid " + std::to_string(*job.pid);
    out.emplace_back("Status:", state);
    add_wrapped(out, "Command:", job.command, width);
    out.emplace_back("Directory:", sanitize(job.workdir.empty() ? "~" : job.workdir));
    if (!job.description.empty()) add_wrapped(out, "Description:", job.description, width);
    if (!job.env.empty()) {
        bool first = true;
        for (const auto& [k, v] : job.env) {
            out.emplace_back(first ? "Environment:" : "", sanitize(k + "=" + v));
            first = false;
        }
    }
    if (job.timeout_s > 0) out.emplace_back("Timeout:", util::format_duration(util::Seconds(job.timeout_s)));
    add_queue_lines(out, job, queue, width);
    out.emplace_back("Created:", full_time(job.created_at));
    if (job.started_at) out.emplace_back("Started:", full_time(*job.started_at));
    if (job.ended_at) out.emplace_back("Ended:", full_time(*job.ended_at));
    if (job.started_at) {
        int64_t end = job.ended_at.value_or(job.terminal() ? *job.started_at : now);
        out.emplace_back(job.terminal() ? "Ran for:" : "Elapsed:",
                         util::format_duration(util::Seconds(std::max<int64_t>(0, end - *job.started_at))));
    }
    if (usage && usage->ok() && usage->running && !job.terminal()) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%d process%s, CPU %.0f%%, memory %.0f MiB", usage->procs,
                      usage->procs == 1 ? "" : "es", usage->cpu_pct, static_cast<double>(usage->rss_kib) / 1024.0);
        std::string text = buf;
        if (usage->gpu_mem_mib >= 0) text += ", GPU memory " + std::to_string(usage->gpu_mem_mib) + " MiB";
        out.emplace_back("Using:", text);
    }
    if (job.cpu_user_s || job.cpu_sys_s)
        out.emplace_back("CPU time:", "user " + seconds(job.cpu_user_s.value_or(0)) + ", system " +
                                          seconds(job.cpu_sys_s.value_or(0)));
    if (job.has_code()) {
        // Which code ran: the commit line, and where the changes are kept.
        out.emplace_back("Code:", sanitize(job.code_summary()));
        add_wrapped(out, "Repository:", job.code.root + (job.code.subdir.empty() ? "" : " (" + job.code.subdir + ")"), width);
    }
    if (!job.gpu_models.empty()) out.emplace_back("GPU models:", sanitize(job.gpu_models));
    if (job.from_job)
        out.emplace_back(job.exact ? "Exact rerun:" : "Rerun of:",
                         "job " + std::to_string(*job.from_job) + (job.exact ? " (on its recorded code)" : ""));
    if (job.queue_on_fail) out.emplace_back("If offline:", "starts when the host is reachable");
    if (!job.error.empty()) add_wrapped(out, "Error:", job.error, width);
    out.emplace_back("Session:", "tmux " + sanitize(job.session_name()) + " on " + sanitize(job.host));
    return out;
}

void DetailPane::draw(const Model& m) {
    bool focused = m.focus == Focus::Detail;
    std::string tabs = m.detail_mode == DetailMode::Details ? "[Details]  Log " : " Details  [Log]";
    if (!m.detail_job) {
        frame(tabs, focused);
        put(1, 2, "Select a job: Enter shows its details, l its log.", text_width(), Role::Dim);
        return;
    }
    const store::Job& job = *m.detail_job;
    std::string title = tabs + " · job " + std::to_string(job.id) + " on " + sanitize(job.host);
    if (m.detail_mode == DetailMode::Log) {
        if (m.log.cached) title += " · cached " + short_time(m.log.cached_at, m.now) + ", host offline";
        else if (m.log.running) title += m.log.following() ? " · live" : " · live (scrolled; End follows)";
    }
    frame(title, focused);
    if (m.detail_mode == DetailMode::Details) draw_details(m, job);
    else draw_log(m);
}

void DetailPane::draw_details(const Model& m, const store::Job& job) {
    const engine::JobUsage* usage = m.usage && m.usage_job == job.id ? &*m.usage : nullptr;
    const engine::QueueState* queue = nullptr;
    for (const auto& hv : m.hosts)
        if (hv.name == job.host) queue = hv.queue(job.queue);
    auto lines = detail_lines(job, m.now, text_width(), usage, queue);
    int h = text_height();
    int first = std::clamp(m.detail_scroll, 0, std::max(0, static_cast<int>(lines.size()) - h));
    for (int r = 0; r < h && first + r < static_cast<int>(lines.size()); ++r) {
        const auto& [label, text] = lines[static_cast<size_t>(first + r)];
        put(1 + r, 2, label, kLabel, Role::Label);
        Role role = label == "Status:" ? status_role(job.status) : label == "Error:" ? Role::Error : Role::Normal;
        put(1 + r, 2 + kLabel, text, text_width() - kLabel, role);
    }
}

void DetailPane::draw_log(const Model& m) {
    const LogView& log = m.log;
    int h = text_height();
    if (!log.loaded) {
        put(1, 2, log.error.empty() ? "Fetching the log…" : sanitize(log.error), text_width(),
            log.error.empty() ? Role::Dim : Role::Error);
        return;
    }
    if (log.line_count() == 0) {
        put(1, 2, log.error.empty() ? "(the log is empty)" : sanitize(log.error), text_width(),
            log.error.empty() ? Role::Dim : Role::Error);
        return;
    }
    size_t first = log.first_line(h);
    for (int r = 0; r < h && first + static_cast<size_t>(r) < log.line_count(); ++r)
        put(1 + r, 2, log.line(first + static_cast<size_t>(r)), text_width(), Role::Normal);
    if (!log.error.empty()) put(h, 2, sanitize(log.error), text_width(), Role::Error);
}

}  // namespace tui
