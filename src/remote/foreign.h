// Jobs that remote-jobs (github.com/osteele/remote-jobs) started and that
// `rj -b import remote-jobs` brought over: they live where remote-jobs'
// wrapper put them (tmux session rj-ID, ~/.cache/remote-jobs/logs/ID-*.{log,
// pid,status}), and rj follows them there. Scripts and their parsers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "remote/protocol.h"

namespace remote {

// An rj job and the remote-jobs id it was imported from.
struct ForeignJob {
    int64_t id = 0;
    int64_t old_id = 0;
};

// What the host says of one such job: alive (its session or recorded
// process), and the exit code its .status file holds once it ended.
struct ForeignState {
    int64_t id = 0;
    bool alive = false;
    std::optional<int> exit_code;
};

struct ForeignSync {
    int64_t now = 0;  // the host's clock
    std::vector<ForeignState> jobs;
};

std::string foreign_sync_script(const std::vector<ForeignJob>& jobs);
// util::Error when the reply is not one (no RJ-END, a malformed line).
ForeignSync parse_foreign_sync(const std::string& out);

// Ends the job as remote-jobs' kill does (its session, its recorded process).
std::string foreign_kill_script(const ForeignJob& job);
// was_running: it was alive when the kill came; exit_code: it had ended already.
struct ForeignKill {
    bool was_running = false;
    std::optional<int> exit_code;
};
ForeignKill parse_foreign_kill(const std::string& out);

// rj's log script (same query, same reply: parse_log) over the job's
// remote-jobs log file.
std::string foreign_log_script(const ForeignJob& job, const LogQuery& q);

}  // namespace remote
