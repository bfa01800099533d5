#include "config.h"

#include "tui/job_format.h"

#include <algorithm>
#include <ctime>

#include "engine/progress.h"

#include "tui/text.h"
#include "util/duration.h"
#include "util/saturating.h"

namespace tui {

namespace {

struct StatusLook {
    store::Status status;
    Role role;
    const char* utf8;
    const char* ascii;
};

constexpr StatusLook kLooks[] = {
    {store::status::pending, Role::JobPending, "…", "~"},
    {store::status::starting, Role::JobStarting, "↑", "^"},
    {store::status::queued, Role::JobPending, "◦", "-"},
    {store::status::running, Role::JobRunning, "▶", ">"},
    {store::status::completed, Role::JobCompleted, "✓", "+"},
    {store::status::failed, Role::JobFailed, "✗", "x"},
    {store::status::killed, Role::JobKilled, "■", "#"},
    {store::status::timeout, Role::JobTimeout, "◷", "t"},
    {store::status::dead, Role::JobDead, "†", "!"},
    {store::status::cancelled, Role::JobKilled, "⊘", "/"},
};

const StatusLook* look(store::Status status) {
    for (const auto& l : kLooks)
        if (status == l.status) return &l;
    return nullptr;
}

enum class Fmt { Clock, Day, Date };

std::string strftime_local(int64_t epoch, Fmt which) {
    std::time_t t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    size_t n = 0;
    // Literal formats only (-Wformat-nonliteral).
    switch (which) {
        case Fmt::Clock: n = std::strftime(buf, sizeof buf, "%H:%M", &tm); break;
        case Fmt::Day: n = std::strftime(buf, sizeof buf, "%b %d", &tm); break;
        case Fmt::Date: n = std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm); break;
    }
    return std::string(buf, n);
}

}  // namespace

Role status_role(store::Status status) {
    const StatusLook* l = look(status);
    return l ? l->role : Role::Normal;
}

const char* status_symbol(store::Status status) {
    const StatusLook* l = look(status);
    return l ? glyph(l->utf8, l->ascii) : "?";
}

std::string status_label(store::Status status) { return std::string(status_symbol(status)) + " " + store::to_string(status); }

std::string job_status_label(const store::Job& job) {
    if (job.stalled() && job.status == store::status::running) return std::string(glyph("⚠", "!")) + " stalled";
    return status_label(job.status);
}

Role job_status_role(const store::Job& job) {
    if (job.stalled() && job.status == store::status::running) return Role::JobTimeout;
    return status_role(job.status);
}

std::string job_progress(const store::Job& job, int64_t now, int width) {
    if (!job.live.fraction || width <= 0) return {};
    double f = std::clamp(*job.live.fraction, 0.0, 1.0);
    std::string text = engine::progress_text(job, now);  // "50% ETA 5m00s"
    auto eta = text.find(" ETA ");
    std::string pct = text.substr(0, eta);
    std::string left = eta == std::string::npos ? "" : " " + text.substr(eta + 5);
    int bar = width - static_cast<int>(pct.size() + left.size()) - 3;
    if (bar < 4) return fit(pct + left, width);
    bar = std::min(bar, 10);
    int full = static_cast<int>(f * bar + 0.5);
    return "[" + std::string(static_cast<size_t>(full), '#') + std::string(static_cast<size_t>(bar - full), '-') + "] " +
           pct + left;
}

std::string job_time(const store::Job& job, int64_t now) {
    if (job.status == store::status::pending) return "queued";
    if (job.status == store::status::queued) return job.held ? "held" : "waiting";
    if (job.terminal()) {
        int64_t end = job.ended_at.value_or(job.started_at.value_or(job.created_at));
        return short_time(end, now);
    }
    int64_t start = job.started_at.value_or(job.created_at);
    return util::format_duration(util::Seconds(now > start ? util::sat_sub(now, start) : 0));
}

std::string short_time(int64_t epoch, int64_t now) {
    if (epoch <= 0) return "-";
    std::time_t a = static_cast<std::time_t>(epoch), b = static_cast<std::time_t>(now);
    std::tm ta{}, tb{};
    localtime_r(&a, &ta);
    localtime_r(&b, &tb);
    if (ta.tm_year == tb.tm_year && ta.tm_yday == tb.tm_yday) return strftime_local(epoch, Fmt::Clock);
    if (ta.tm_year == tb.tm_year) return strftime_local(epoch, Fmt::Day);
    return strftime_local(epoch, Fmt::Date);
}

std::string job_title(const store::Job& job) {
    // An array's row and its tasks share one command: the mark tells them apart (as rj -b list does).
    std::string mark;
    if (job.is_array()) mark = "[array " + sanitize(job.array_spec) + "] ";
    else if (job.array_task) mark = "[" + std::to_string(*job.array_task) + "] ";
    // A running job on GPUs: which ones and how busy, as the last sync saw them.
    if (job.status == store::status::running && !job.live.gpus.empty()) {
        mark += "[GPU " + job.live.gpus;
        if (job.live.gpu_util) mark += " " + std::to_string(static_cast<int>(*job.live.gpu_util)) + "%";
        mark += "] ";
    }
    if (!job.description.empty()) return mark + sanitize(job.description);
    return mark + sanitize(job.command);
}

}  // namespace tui
