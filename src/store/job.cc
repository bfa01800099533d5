#include "config.h"

#include "store/job.h"

#include <algorithm>
#include <ostream>

namespace store {

namespace {

struct Name {
    Status status;
    const char* name;
};

// In lifecycle order.
constexpr Name kNames[] = {
    {Status::Pending, "pending"},     {Status::Queued, "queued"}, {Status::Starting, "starting"},
    {Status::Running, "running"},     {Status::Completed, "completed"}, {Status::Failed, "failed"},
    {Status::Killed, "killed"},       {Status::Timeout, "timeout"}, {Status::Dead, "dead"},
    {Status::Cancelled, "cancelled"},
};

}  // namespace

const char* to_string(Status s) {
    for (const auto& n : kNames)
        if (n.status == s) return n.name;
    return "unknown";
}

std::optional<Status> parse_status(std::string_view name) {
    for (const auto& n : kNames)
        if (name == n.name) return n.status;
    return std::nullopt;
}

std::ostream& operator<<(std::ostream& os, Status s) { return os << to_string(s); }

const std::vector<Status>& all_statuses() {
    static const std::vector<Status> v = [] {
        std::vector<Status> all;
        for (const auto& n : kNames) all.push_back(n.status);
        return all;
    }();
    return v;
}

const std::vector<Status>& terminal_statuses() {
    static const std::vector<Status> v = {status::completed, status::failed, status::killed,
                                          status::timeout, status::dead, status::cancelled};
    return v;
}

bool is_terminal_status(Status s) {
    return std::find(terminal_statuses().begin(), terminal_statuses().end(), s) != terminal_statuses().end();
}

std::string Job::code_summary() const {
    if (!has_code()) return "";
    std::string s = code.commit.substr(0, 7) + " on " + code.branch;
    if (code.files == 0 && code.untracked == 0) return s + ", clean";
    s += ", " + std::to_string(code.files) + (code.files == 1 ? " file" : " files") + " changed";
    if (code.untracked > 0) s += ", " + std::to_string(code.untracked) + " untracked";
    if (code.truncated) s += " (patch truncated)";
    return s;
}


}  // namespace store
