// Who delivers a job's end notification, and whether it was delivered: the
// never-twice bookkeeping on the jobs table (columns of schema v7).
//
// notified_via moves one way:
//   ''      not decided: the host's end record (which says whether the host
//           sent it) has not arrived yet
//   due     the host could not send it (no curl, no end record, it failed):
//           an rj process must
//   sending claimed by one rj process at notified_at (a claim older than
//           kStaleClaimS is taken over: that process died)
//   host | laptop   delivered, at notified_at
//   none    the policy wanted no message for this end
//   failed  every try failed; notify_error says why
// Every change is a conditional UPDATE, so the UI and any number of `rj -b`
// processes never deliver one job's message twice.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace store {

class Database;

class NotifyRepo {
public:
    static constexpr int64_t kStaleClaimS = 300;

    explicit NotifyRepo(Database& db) : db_(db) {}

    // '' -> `via` (host, due, none) at `at`, recording `error` (the host's
    // failure, if it reported one). False when decided already.
    bool decide(int64_t id, const std::string& via, int64_t at, const std::string& error = {});
    // due (or a stale sending) -> sending. True: this process delivers it.
    bool claim(int64_t id, int64_t now);
    // sending -> laptop | failed.
    void finish(int64_t id, const std::string& via, int64_t at, const std::string& error);
    // sending -> due, with a note (this process gives up; another will send).
    void release(int64_t id, const std::string& error);
    // Jobs whose notification is still open ('', due or sending), oldest first.
    std::vector<int64_t> open_ids();

    // The [notify] command (a local channel, run on this machine, separate
    // from the webhooks): ended jobs with a policy whose command has not
    // run, ended at or after `since`; and the once-only claim of one.
    std::vector<int64_t> command_open(int64_t since);
    bool claim_command(int64_t id);

private:
    Database& db_;
};

}  // namespace store
