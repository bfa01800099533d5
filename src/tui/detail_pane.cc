#include "config.h"

#include "tui/detail_pane.h"

#include <algorithm>

#include "engine/job_facts.h"
#include "tui/host_view.h"
#include "tui/job_format.h"
#include "tui/model.h"
#include "tui/text.h"

namespace tui {

namespace {

constexpr int kLabel = engine::kJobFactLabelWidth;

// Multi-line values (scripts) keep their lines; each is wrapped.
void add_wrapped(std::vector<std::pair<std::string, std::string>>& out, const std::string& label,
                 const std::string& raw, int width) {
    bool first = true;
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

}  // namespace

std::vector<std::pair<std::string, std::string>> detail_lines(const store::Job& job, int64_t now, int width,
                                                             const engine::JobUsage* usage,
                                                             const engine::QueueState* queue,
                                                             const std::vector<store::DeferredOp>* deferred) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string previous;
    for (auto& [label, value] : engine::job_facts(job, now, {usage, queue, deferred})) {
        // The pane's title names the job and its host.
        if (label == "Id" || label == "Host") continue;
        std::string text = value;
        if (label == "Status") text = std::string(status_symbol(job.status)) + " " + text;
        if (label == "Held" && job.held) text += " (h releases it)";
        // A label said once for a run of facts under it (the environment).
        add_wrapped(out, label == previous ? "" : label + ":", text, width);
        previous = label;
    }
    return out;
}

void DetailPane::draw(const Model& m) {
    bool focused = m.focus == Focus::Detail;
    std::string tabs = m.detail_mode == DetailMode::Details ? "[Details]  Log " : " Details  [Log]";
    // With a GPU host selected in the Hosts pane: its GPU table.
    if (m.focus == Focus::Hosts && m.host_cursor > 0 && m.host_cursor <= static_cast<int>(m.hosts.size())) {
        const HostView& hv = m.hosts[static_cast<size_t>(m.host_cursor - 1)];
        auto history = history_lines(hv, m.now, text_width(), utf8_locale());
        auto lines = gpu_table_lines(hv, m.now);
        if (!lines.empty() || !history.empty()) {
            frame(lines.empty() ? "Host " + hv.name + ": " + history.front() : lines.front(), focused);
            int row = 1;
            for (size_t i = 1; i < history.size() && row < rows() - 1; ++i) put(row++, 2, history[i], text_width(), Role::Normal);
            if (!history.empty()) ++row;
            for (size_t i = 1; i < lines.size() && row < rows() - 1; ++i)
                put(row++, 2, lines[i], text_width(), i == 1 ? Role::ColumnHeader : Role::Normal);
            return;
        }
    }
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
    auto lines = detail_lines(job, m.now, text_width(), usage, queue, &m.detail_deferred);
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
