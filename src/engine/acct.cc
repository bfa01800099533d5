#include "config.h"

#include "engine/acct.h"
#include "engine/jobs.h"
#include "engine/progress.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "store/job_repo.h"
#include "util/duration.h"
#include "util/error.h"
#include "util/saturating.h"

namespace engine {

namespace {

int count_list(const std::string& csv) {
    if (csv.empty()) return 0;
    return static_cast<int>(std::count(csv.begin(), csv.end(), ',')) + 1;
}

std::string local_day(int64_t epoch) {
    std::time_t t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

void add_job(AcctRow& row, const store::Job& j) {
    ++row.jobs;
    if (j.status == store::status::completed) ++row.succeeded;
    if (j.status == store::status::failed || j.status == store::status::timeout || j.status == store::status::dead)
        ++row.failed;
    double wall = 0;
    if (j.started_at && j.ended_at && *j.ended_at > *j.started_at) wall = static_cast<double>(util::sat_sub(*j.ended_at, *j.started_at));
    row.wall_s += wall;
    row.cpu_s += j.cpu_user_s.value_or(0) + j.cpu_sys_s.value_or(0);
    int used = count_list(j.usage.gpus);
    int given = count_list(j.gpu_alloc);
    int gpus = given > 0 ? given : used;
    row.gpu_s += wall * gpus;
    if (used > 0 && j.usage.gpu_util_mean) row.gpu_busy_s += wall * used * (*j.usage.gpu_util_mean / 100.0);
}

std::vector<std::string> keys_of(const store::Job& j, const std::string& by) {
    if (by == "host") return {j.host};
    if (by == "day") return {local_day(j.ended_at.value_or(0))};
    if (by == "status") return {to_string(j.status)};
    if (by == "tag") return j.tags.empty() ? std::vector<std::string>{"-"} : j.tags;
    return {};
}

}  // namespace

std::optional<double> AcctRow::cpu_efficiency() const {
    if (wall_s <= 0) return std::nullopt;
    return cpu_s / wall_s;
}

std::optional<double> AcctRow::gpu_efficiency() const {
    if (gpu_s <= 0) return std::nullopt;
    return gpu_busy_s / gpu_s;
}

int64_t parse_time_bound(const std::string& text, const std::string& field, int64_t now) {
    if (auto d = util::parse_duration(text)) return now - d->count();
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    char sep = 0;
    int used = 0;
    std::tm tm{};
    bool ok = false;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &used) == 3 && static_cast<size_t>(used) == text.size()) {
        ok = true;
    } else if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &used) == 6 &&
               (sep == ' ' || sep == 'T')) {
        if (static_cast<size_t>(used) == text.size()) ok = true;
        else if (std::sscanf(text.c_str() + used, ":%2d%n", &s, &used) == 1 && text.size() == static_cast<size_t>(used) + 16)
            ok = true;
    }
    ok = ok && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 61;
    if (ok) {
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = s;
        tm.tm_isdst = -1;
        std::time_t t = std::mktime(&tm);
        if (t != static_cast<std::time_t>(-1) && tm.tm_mday == d) return static_cast<int64_t>(t);
    }
    throw util::UsageError::in(field, "'" + text + "' is neither a duration nor a date",
                               "give a duration back from now (7d, 12h, 2w) or a local date or time "
                               "(2026-11-30, '2026-11-30 14:00')");
}

void check_acct_grouping(const std::string& by) {
    if (by.empty() || by == "host" || by == "day" || by == "tag" || by == "status") return;
    throw util::UsageError::in("by", "'" + by + "' is not a grouping", "group by host, day, tag or status");
}

AcctReport account(const std::vector<store::Job>& jobs, const std::string& by) {
    AcctReport report;
    report.by = by;
    std::map<std::string, AcctRow> groups;
    for (const auto& j : jobs) {
        add_job(report.total, j);
        for (const auto& key : keys_of(j, by)) {
            AcctRow& row = groups[key];
            row.key = key;
            add_job(row, j);
        }
    }
    for (auto& [key, row] : groups) report.groups.push_back(row);
    if (by == "status") {
        auto rank = [](const AcctRow& r) {
            const auto& all = store::all_statuses();
            for (size_t i = 0; i < all.size(); ++i)
                if (r.key == to_string(all[i])) return i;
            return all.size();
        };
        std::stable_sort(report.groups.begin(), report.groups.end(),
                         [&](const AcctRow& a, const AcctRow& b) { return rank(a) < rank(b); });
    } else if (by == "tag") {
        // Untagged jobs last.
        std::stable_partition(report.groups.begin(), report.groups.end(), [](const AcctRow& r) { return r.key != "-"; });
    }
    return report;
}

AcctReport accounting(Engine& engine, const AcctQuery& q) {
    check_acct_grouping(q.by);
    std::vector<store::Job> jobs = store::JobRepo(engine.db()).ended_between(q.since, q.until, q.host, q.tag);
    return account(jobs, q.by);
}

void check_tag(const std::string& tag) {
    bool ok = !tag.empty() && tag.size() <= 64 && tag[0] != '-';
    for (unsigned char c : tag)
        if (!(std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == ':')) ok = false;
    if (!ok)
        throw util::UsageError::in("tag", "'" + tag + "' is not a tag",
                                   "a tag is 1-64 letters, digits and . _ - + : (not starting with '-')");
}

}  // namespace engine

namespace engine {

void apply_job_extras(const Engine& engine, const SubmitRequest& request, store::Job& job) {
    std::set<std::string> tags;
    for (const auto& t : request.tags) {
        check_tag(t);
        tags.insert(t);
    }
    if (tags.size() > 16) throw util::UsageError::in("tag", "a job takes at most 16 tags");
    job.tags.assign(tags.begin(), tags.end());
    if (request.progress == "none") job.progress.clear();
    else if (!request.progress.empty()) {
        check_progress_pattern(request.progress);
        job.progress = request.progress;
    } else {
        job.progress = engine.config().progress_for(job.host);
    }
}

}  // namespace engine
