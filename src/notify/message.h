// The words of a job-end notification, as pure functions.
//
// A message is built in two steps so that the host and the laptop send the
// same words: at submit rj renders a per-channel *template* from what it
// knows then (id, host, description, command) with @NAME@ placeholders for
// what only the end knows; whoever sends fills them in. On the host the job
// wrapper fills them (src/remote/sh/wrapper.sh, rj_notify: same outcome
// words, same duration format); on the laptop fill() does. User text in a
// template is JSON-escaped with '@' written as \u0040, so nothing a user
// typed can look like a placeholder.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace notify {

enum class Channel { Slack, Discord, Webhook };
const char* to_string(Channel c);

// What submit knows about the job.
struct JobInfo {
    std::string host, description, command, workdir;
    bool verbose = false;  // add the directory and the command
};

// How it ended. status: completed | failed | killed | timeout | dead | cancelled.
struct EndInfo {
    int64_t id = 0;       // the job id (a template has @ID@: one template serves every task of an array)
    std::string status;
    int exit_code = -1;   // -1: none (a signal, or unknown)
    int signal = 0;
    int64_t seconds = -1; // how long it ran; -1: unknown
    std::string tail;     // the last log lines (failures only), raw
    std::string via;      // host | laptop
};

// The channel's JSON body with placeholders (see the file comment).
std::string payload_template(Channel channel, const JobInfo& job);
// The values of the placeholders for `end`, already JSON-escaped.
std::map<std::string, std::string> end_values(const EndInfo& end);
// Replaces every @NAME@ of `values` in `tmpl`.
std::string fill(std::string tmpl, const std::map<std::string, std::string>& values);
// payload_template + end_values + fill.
std::string payload(Channel channel, const JobInfo& job, const EndInfo& end);

// The same words as plain text, for a local command's argument
// ("✓ rj job 12 on gpu1 completed in 1m05s: train the model"); no log lines.
std::string plain_text(const JobInfo& job, const EndInfo& end);

// A "while you were away" digest: many ends in one message.
struct DigestEntry {
    JobInfo job;
    EndInfo end;
};
// Plain text: "rj digest: 12 completed, 2 failed, 1 dead" (statuses in a
// fixed order), then one line per end that was not a success, with its last
// log lines indented under it; successes are only counted.
std::string digest_text(const std::vector<DigestEntry>& entries);
// The channel's JSON body for the digest (a Discord message is cut at 1900
// characters; the generic webhook gets "event":"digest", counts and jobs).
std::string digest_payload(Channel channel, const std::vector<DigestEntry>& entries);

// One message for a whole array once all its tasks ended: "✗ rj array 40 on
// gpu1: 98 completed, 2 failed (tasks 7, 33): sweep" (at most 20 task
// numbers listed). `tasks`: every task's end, EndInfo::id its task number.
std::string array_text(const JobInfo& array, int64_t array_id, const std::vector<EndInfo>& tasks);
std::string array_payload(Channel channel, const JobInfo& array, int64_t array_id, const std::vector<EndInfo>& tasks);

// A running job that stalled: its log has not grown for `quiet_s` seconds
// (one message per job; the generic webhook gets "event":"stalled").
std::string stall_payload(Channel channel, const JobInfo& job, int64_t id, int64_t quiet_s);

// "45s", "12m05s", "3h07m" (the wrapper's rj_dur writes the same).
std::string duration_text(int64_t seconds);
// The last `lines` lines of `log`, printable ASCII only (what the wrapper keeps), each at most 300 bytes.
std::string tail_lines(std::string_view log, int lines = 5);
// JSON string contents (no quotes) with '@' as \u0040.
std::string json_text(std::string_view s);

bool is_failure(std::string_view status);
// Does this end deserve a message under `policy` (all | failures | none)?
// Failures always do (unless none); successes only after min_duration.
bool wants_message(std::string_view policy, std::string_view status, int64_t seconds,
                   std::chrono::seconds min_duration);

}  // namespace notify
