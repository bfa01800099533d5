// A job's history of notable moments (submitted, started, exit, kill asked ...),
// shown in the job detail and kept until the job is pruned.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace store {

class Database;

struct JobEvent {
    int64_t id = 0;
    int64_t job_id = 0;
    int64_t at = 0;    // unix seconds
    std::string kind;  // short word: "submitted", "started", "exited", "kill" ...
    std::string detail;

    bool operator==(const JobEvent&) const = default;
};

class JobEventRepo {
public:
    explicit JobEventRepo(Database& db) : db_(db) {}

    // Appends an event (at = now when 0); returns its id.
    int64_t append(int64_t job_id, const std::string& kind, const std::string& detail = {}, int64_t at = 0);
    // The job's events, oldest first.
    std::vector<JobEvent> for_job(int64_t job_id);

private:
    Database& db_;
};

}  // namespace store
