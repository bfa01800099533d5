#include "config.h"

#include "tui/jobs_pane.h"

#include <algorithm>

#include "tui/job_format.h"
#include "tui/model.h"
#include "tui/text.h"

namespace tui {

namespace {

std::string rjust(const std::string& s, int width) {
    int d = display_width(s);
    return d >= width ? fit(s, width) : std::string(static_cast<size_t>(width - d), ' ') + s;
}

}  // namespace

void JobsPane::draw(const Model& m) {
    bool focused = m.focus == Focus::Jobs;
    const JobList& list = *m.jobs;
    std::string title = "Jobs " + std::to_string(list.size());
    if (m.status_filter != StatusFilter::All) title += std::string(" · ") + filter_name(m.status_filter);
    if (!m.host_filter.empty()) title += " · " + m.host_filter;
    if (!m.search.empty()) title += " · /" + sanitize(m.search);
    frame(title, focused);
    int w = cols() - 2, h = list_height();
    if (h <= 0) return;

    int id_w = 4, host_w = 4;
    for (int64_t i = list.top(); i < list.top() + h; ++i) {
        if (const store::Job* j = list.at(i)) {
            id_w = std::max<int>(id_w, static_cast<int>(std::to_string(j->id).size()));
            host_w = std::max(host_w, display_width(j->host));
        }
    }
    host_w = std::min(host_w, std::max(4, w / 6));
    // A PROGRESS column only while a visible job has a fraction done.
    int progress_w = 0;
    for (int64_t i = list.top(); i < list.top() + h; ++i)
        if (const store::Job* j = list.at(i); j && j->live.fraction) progress_w = 24;
    if (w < 70) progress_w = 0;
    constexpr int kStatus = 12, kTime = 8;
    int title_w = std::max(0, w - (id_w + 1) - (host_w + 1) - kStatus - (kTime + 1) - progress_w);
    auto columns = [&](const std::string& id, const std::string& host, const std::string& st, const std::string& p,
                       const std::string& t, const std::string& cmd) {
        std::string progress = progress_w ? fit(p, progress_w - 1) : "";
        if (progress_w) progress += std::string(static_cast<size_t>(progress_w - display_width(progress)), ' ');
        return rjust(id, id_w) + " " + fit(host, host_w) + " " + fit(st, kStatus) + progress + fit(t, kTime) + " " +
               fit(cmd, title_w);
    };
    put(1, 1, columns("ID", "HOST", "STATUS", "PROGRESS", "TIME", "COMMAND / DESCRIPTION"), w, Role::ColumnHeader);
    if (list.size() == 0) {
        std::string why = m.search.empty() && m.status_filter == StatusFilter::All && m.host_filter.empty()
                              ? "No jobs yet. Press n to start one."
                              : "No jobs match. Press f to change the filter, / to search.";
        put(3, 2, why, w - 2, Role::Dim);
        return;
    }
    for (int r = 0; r < h; ++r) {
        int64_t i = list.top() + r;
        const store::Job* j = list.at(i);
        if (!j) break;
        bool sel = i == list.cursor();
        int y = 2 + r;
        if (sel) {
            put(y, 1, columns(std::to_string(j->id), j->host, job_status_label(*j), job_progress(*j, m.now, progress_w - 1),
                              job_time(*j, m.now), job_title(*j)),
                w, focused ? Role::Selected : Role::SelectedUnfocus);
            continue;
        }
        // Everything in the row's plain colour except the status, in its role.
        std::string id = std::to_string(j->id);
        put(y, 1, rjust(id, id_w), id_w, Role::Normal);
        put(y, 2 + id_w, j->host, host_w, Role::Normal);
        put(y, 3 + id_w + host_w, job_status_label(*j), kStatus, job_status_role(*j));
        if (progress_w) put(y, 3 + id_w + host_w + kStatus, job_progress(*j, m.now, progress_w - 1), progress_w - 1, Role::Normal);
        put(y, 3 + id_w + host_w + kStatus + progress_w, job_time(*j, m.now), kTime, Role::Normal);
        put(y, 4 + id_w + host_w + kStatus + progress_w + kTime, job_title(*j), title_w, Role::Normal);
    }
}

long JobsPane::row_at(int y, const Model& m) const {
    int r = y - rect().y - 2;
    if (r < 0 || r >= list_height()) return -1;
    int64_t i = m.jobs->top() + r;
    return i < m.jobs->size() ? static_cast<long>(i) : -1;
}

}  // namespace tui
