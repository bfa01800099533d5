// Reading remote-jobs' database (github.com/osteele/remote-jobs,
// internal/db/db.go: table jobs) for `rj -b import remote-jobs`. Opened
// read-only: the file is never written, not even its journal mode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace store {

// One row of remote-jobs' jobs table, as it stores it.
struct RemoteJobsRow {
    int64_t id = 0;
    std::string host;
    std::string session_name;
    std::string working_dir;
    std::string command;
    std::string description;
    std::optional<int64_t> start_time, end_time;
    std::optional<int64_t> exit_code;
    std::string status;  // starting running completed dead pending queued failed
    std::string error_message;
    std::string queue_name;
};

// Every job of the database at `path`, oldest first. util::Error (naming the
// file, with what to do) when it is missing, not SQLite, or has no jobs table
// of remote-jobs' shape.
std::vector<RemoteJobsRow> read_remote_jobs_db(const std::string& path);

}  // namespace store

namespace store {
class Database;
// The rj job imported from remote-jobs' job `marker` ("remote-jobs:ID", its
// remote_dir) on `host`, if there is one.
std::optional<int64_t> find_imported_job(Database& db, const std::string& host, const std::string& marker);
}  // namespace store
