#include "config.h"

#include "tui/model.h"

#include <algorithm>

namespace tui {

const char* filter_name(StatusFilter f) {
    switch (f) {
        case StatusFilter::All: return "all";
        case StatusFilter::Active: return "active";
        case StatusFilter::Succeeded: return "succeeded";
        case StatusFilter::Failed: return "failed";
    }
    return "all";
}

std::vector<store::Status> filter_statuses(StatusFilter f) {
    namespace s = store::status;
    switch (f) {
        case StatusFilter::All: return {};
        case StatusFilter::Active: return {s::pending, s::starting, s::queued, s::running};
        case StatusFilter::Succeeded: return {s::completed};
        case StatusFilter::Failed: return {s::failed, s::killed, s::timeout, s::dead, s::cancelled};
    }
    return {};
}

std::string QueueRow::name(const Model& m) const {
    if (host < 0) return "";
    if (queue < 0) return "default";
    return m.hosts[static_cast<size_t>(host)].queues[static_cast<size_t>(queue)].name;
}

const engine::QueueState* QueueRow::state(const Model& m) const {
    if (host < 0 || queue < 0) return nullptr;
    return &m.hosts[static_cast<size_t>(host)].queues[static_cast<size_t>(queue)];
}

std::vector<QueueRow> queue_rows(const Model& m) {
    std::vector<QueueRow> rows{{-1, -1}};
    for (size_t h = 0; h < m.hosts.size(); ++h) {
        size_t n = m.hosts[h].queues.size();
        if (n == 0) rows.push_back({static_cast<int>(h), -1});
        for (size_t q = 0; q < n; ++q) rows.push_back({static_cast<int>(h), static_cast<int>(q)});
    }
    return rows;
}

int first_queue_row(const Model& m, int host) {
    auto rows = queue_rows(m);
    for (size_t i = 0; i < rows.size(); ++i)
        if (rows[i].host == host) return static_cast<int>(i);
    return 0;
}

int find_queue_row(const Model& m, int host, const std::string& name) {
    auto rows = queue_rows(m);
    for (size_t i = 0; i < rows.size(); ++i)
        if (rows[i].host == host && rows[i].name(m) == name) return static_cast<int>(i);
    return -1;
}

QueueRow selected_queue_row(const Model& m) {
    auto rows = queue_rows(m);  // never empty: the All row
    return rows[static_cast<size_t>(std::clamp(m.queue_cursor, 0, static_cast<int>(rows.size()) - 1))];
}

const store::Job* selected_job(const Model& m) {
    if (m.detail_job && m.focus == Focus::Detail) return &*m.detail_job;
    return m.jobs->selected();
}

}  // namespace tui
