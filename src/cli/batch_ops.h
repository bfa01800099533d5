// Blocking helpers for batch commands: run an engine operation on the loop
// and wait for it (sync a set of hosts, follow a log until the job ends).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "cli/command.h"
#include "engine/jobs.h"
#include "engine/tick.h"
#include "util/regex.h"

namespace cli {

// Runs one tick (engine/tick.h) and waits for it and for the messages it
// sent (finish_notifications). Unreachable hosts are reported on stderr
// unless `quiet`; with `verbose` every host gets a line on stdout.
engine::TickReport tick_and_wait(Context& ctx, engine::TickRequest request, bool verbose, bool quiet);
// A tick of the sync step alone, for `hosts`: its hosts' reports.
std::vector<engine::SyncReport> sync_and_wait(Context& ctx, const std::vector<std::string>& hosts, bool verbose,
                                              bool quiet);

// How long list and status wait for their quick sync (remote-jobs' habit:
// a fresh view in about two seconds, whatever a host does).
constexpr event::Duration kQuickSyncBudget = std::chrono::seconds(2);

// Syncs `hosts` (all at once) for at most `budget`: the hosts that answered
// in time are brought up to date; returns those that did not (their jobs
// stay as history has them). Says nothing itself: the caller marks them.
std::set<std::string> quick_sync(Context& ctx, const std::vector<std::string>& hosts,
                                 event::Duration budget = kQuickSyncBudget);

// The line list and status print (on stderr) for hosts quick_sync gave up on.
void note_unsynced(Context& ctx, const std::set<std::string>& hosts);

// Streams job `id`'s log from byte `offset` until it ends (waiting first
// while it is queued) or the user presses Ctrl-C; with `grep`, only complete
// lines matching it (check_grep_pattern's syntax) are printed. Returns the
// job's exit status (after a final sync), or 130 when interrupted.
int follow_log(Context& ctx, int64_t id, int64_t offset, const std::string& grep = {});

// Submits, waits for the answer, prints the job id (and a note when it was
// queued for an unreachable host), then follows the log when asked.
// Returns the command's exit status.
// dir_defaulted: the job directory is the local current one (no -C), which
// earns a hint when the host does not have it.
int submit_and_report(Context& ctx, const engine::SubmitRequest& request, bool follow, bool dir_defaulted = false);

// The `--grep` pattern compiled as rj matches it: POSIX extended syntax,
// which the hosts' grep -E reads alike (util/regex.h). A UsageError naming
// --grep and what is wrong when it is refused.
util::Regex check_grep_pattern(const std::string& pattern);

// Parses a job id argument; UsageError if it is not a positive integer.
int64_t parse_job_id(const std::string& text);

// rj -b hosts --free (cmd_free.cc).
int run_hosts_free(Context& ctx, const std::vector<std::string>& hosts);

// A line for each deferred operation the tick carried out.
void print_deferred(Context& ctx, const engine::TickReport& report);

}  // namespace cli
