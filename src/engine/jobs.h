// Job use cases shared by the batch mode and the UI: submit, sync, kill,
// logs, host info, prune and cleanup. Every call is asynchronous on the
// engine's loop: it returns at once and reports through its callback.
// Input errors are thrown as util::UsageError before anything is recorded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "store/job.h"

namespace engine {

struct SubmitRequest {
    std::string host;
    std::string command;
    std::string workdir;  // "" means "~" (the remote home)
    std::string description;
    std::vector<std::pair<std::string, std::string>> env;
    int64_t timeout_s = 0;  // 0: none
    bool queue_on_fail = false;
    std::optional<int64_t> from_job;
};

struct SubmitResult {
    int64_t job_id = 0;
    bool started = false;  // running on the host now
    bool queued = false;   // host unreachable; recorded as pending (--queue-on-fail)
    std::string error, hint;
};

// Checks the request (known host, non-empty command, env names) and throws
// util::UsageError when it is bad; then records the job and starts it.
void submit(Engine& engine, SubmitRequest request, std::function<void(SubmitResult)> done);
// A request that repeats `job` (for --from, restart, and the UI's R form).
SubmitRequest request_from_job(const store::Job& job);
// Parses "K=V" (throws UsageError naming the flag when there is no '=' or K is not a valid name).
std::pair<std::string, std::string> parse_env_assignment(const std::string& text);

struct SyncReport {
    std::string host;
    bool reached = false;
    int updated = 0;  // jobs whose state changed
    int started = 0;  // pending jobs started
    std::string error, hint;
};
// Hosts worth syncing: those with starting/running/pending jobs.
std::vector<std::string> hosts_to_sync(Engine& engine);
// One exchange per host, all hosts at once; `each` per host as it finishes.
void sync_hosts(Engine& engine, const std::vector<std::string>& hosts, std::function<void(SyncReport)> each);

struct KillResult {
    int64_t id = 0;
    bool ok = false;
    std::string message;  // "killed", "already finished", or the error
};
void kill_jobs(Engine& engine, const std::vector<int64_t>& ids, std::function<void(KillResult)> each);

struct LogRequest {
    int64_t id = 0;
    int tail_lines = 0;      // last N lines (0: all, subject to max_bytes)
    int64_t from_line = 0;   // 1-based inclusive range (0: unset)
    int64_t to_line = 0;
    std::string grep;        // basic regex, filtered on the host
    int64_t byte_offset = -1;  // follow mode: bytes from this offset on
    int64_t max_bytes = 4 << 20;
};
struct LogResult {
    bool ok = false;
    bool cached = false;      // host offline: the last fetched tail
    int64_t cached_at = 0;    // when that tail was fetched
    std::string text;
    int64_t next_offset = 0;  // for the next follow request
    bool running = false;     // the job is still running on the host
    bool more = false;        // byte mode: max_bytes cut this read; ask again from next_offset
    bool truncated = false;   // filter mode: output cut at max_bytes (on a line boundary)
    bool bad_pattern = false; // the host's grep rejected the pattern (a usage error)
    std::string error, hint;
};
void fetch_log(Engine& engine, LogRequest request, std::function<void(LogResult)> done);

struct GpuInfo {
    int index = 0;
    std::string name;
    int utilization_pct = 0;
    int64_t memory_used_mib = 0, memory_total_mib = 0;
};
struct HostInfo {
    bool ok = false;
    std::string host;
    std::string hostname;  // what the host calls itself
    std::string os, arch;
    std::string tmux;      // "tmux 3.3a"; empty: not installed
    int cpus = 0;
    int64_t mem_total_kib = 0, mem_available_kib = 0;
    double load1 = 0, load5 = 0, load15 = 0;
    std::vector<GpuInfo> gpus;
    std::string error, hint;
};
void host_info(Engine& engine, const std::string& host, std::function<void(HostInfo)> done);

// What a running job uses right now: its process group's CPU and memory,
// and the GPU memory of those processes (from nvidia-smi).
struct JobUsage {
    bool ok = false;        // the host answered
    bool running = false;   // the job has live processes
    int procs = 0;
    double cpu_pct = 0;     // 100 = one core
    int64_t rss_kib = 0;
    int64_t gpu_mem_mib = -1;  // -1: no nvidia-smi on the host
    std::string error;
};
void job_usage(Engine& engine, int64_t id, std::function<void(JobUsage)> done);

struct PruneOptions {
    int64_t older_than_s = 0;  // 0: any age
    bool dead_only = false;
    bool dry_run = false;
    bool keep_files = false;  // leave the job directories on the hosts
};
struct PruneReport {
    std::vector<store::Job> removed;   // (or that would be, with dry_run)
    std::vector<std::string> warnings; // hosts whose files could not be removed
};
void prune(Engine& engine, PruneOptions options, std::function<void(PruneReport)> done);

struct CleanupReport {
    bool ok = false;
    std::vector<std::string> removed;  // job ids/directories removed (or that would be)
    std::string error, hint;
};
void cleanup_host(Engine& engine, const std::string& host, int64_t older_than_s, bool dry_run,
                  std::function<void(CleanupReport)> done);

// Local-only changes (synchronous).
void describe(Engine& engine, int64_t id, const std::string& text);  // throws util::Error if no such job
void forget(Engine& engine, int64_t id);                             // remove from the list (x in the UI)
store::Job get_job(Engine& engine, int64_t id);                       // throws util::Error (exit 3 semantics are the caller's)

}  // namespace engine
