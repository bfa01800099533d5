#include "config.h"

#include "store/job.h"

#include <algorithm>

namespace store {

namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

const std::vector<std::string>& all_statuses() {
    static const std::vector<std::string> v = {status::pending,   status::queued,  status::starting,
                                               status::running,   status::completed, status::failed,
                                               status::killed,    status::timeout,  status::dead,
                                               status::cancelled};
    return v;
}

const std::vector<std::string>& terminal_statuses() {
    static const std::vector<std::string> v = {status::completed, status::failed, status::killed,
                                               status::timeout, status::dead, status::cancelled};
    return v;
}

const std::vector<std::string>& active_statuses() {
    static const std::vector<std::string> v = {status::starting, status::running};
    return v;
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

bool is_known_status(std::string_view s) { return contains(all_statuses(), s); }
bool is_terminal_status(std::string_view s) { return contains(terminal_statuses(), s); }

}  // namespace store
