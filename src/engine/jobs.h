// Job use cases shared by the batch mode and the UI: submit, sync, kill,
// logs, host info, prune and cleanup. Every call is asynchronous on the
// engine's loop: it returns at once and reports through its callback.
// Input errors are thrown as util::UsageError before anything is recorded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/outcome.h"
#include "store/job.h"

namespace engine {

// Where and how a job waits in a queue on its host (`run --queue`).
struct QueueRequest {
    bool enabled = false;
    std::string name = "default";
    bool no_start = false;     // leave the runner alone (do not start it)
    bool hold = false;         // queue it held
    int slots = 0;             // > 0: set the queue's slots
    int64_t priority = 0;      // higher first; FIFO within a priority
    int gpus = 0;              // wait for this many free GPUs (CUDA_VISIBLE_DEVICES)
    std::vector<int64_t> after_ok, after_any, after_fail;  // job ids on the same host
    std::string array;         // "1-100", "1-100%10", "1,3,7-9"
    bool explicit_queue = false;  // --queue itself was given (not only an option that implies it)
};

// A parsed --array: the task numbers in order and the limit (0: none).
struct ArraySpec {
    std::vector<int64_t> tasks;
    int limit = 0;
};
// Throws util::UsageError naming what is wrong.
ArraySpec parse_array_spec(const std::string& text);

struct SubmitRequest {
    std::string host;
    std::string command;
    std::string workdir;  // "" means "~" (the remote home)
    std::string description;
    std::vector<std::pair<std::string, std::string>> env;
    int64_t timeout_s = 0;  // 0: none
    bool queue_on_fail = false;
    std::optional<int64_t> from_job;
    int64_t idle_timeout_s = 0;  // 0: none
    QueueRequest queue;
    // restart --exact: run on exactly the code job `exact_from` recorded
    // (same host; refused when it recorded none or its patch was truncated).
    std::optional<int64_t> exact_from;
    // run --notify: all | failures | none; empty: as the config says.
    std::string notify;
    // Placement by the laptop (engine/dispatch.h): a pool (host may then be
    // empty or "@POOL"), what the job needs (--require / --gpus with a pool),
    // and dependencies on other hosts' jobs (queue.after_* naming them).
    std::string pool;
    std::string require;
    std::string plan;  // the plan submission it belongs to (plan submit)

    // Accounting and progress (issue 10): `run --tag` (repeatable);
    // `run --progress` (empty: the config's progress for the host; "none": none).
    std::vector<std::string> tags;
    std::string progress;
};

// Checks the request's tags (UsageError naming "tag") and progress pattern
// (naming "progress"), and copies them into the job about to be recorded:
// the tags sorted and each once, the pattern or else the config's.
void apply_job_extras(const Engine& engine, const SubmitRequest& request, store::Job& job);

struct SubmitResult : Outcome {
    int64_t job_id = 0;    // an array: the array's id
    bool started = false;  // running on the host now (or, in_queue, in its queue there)
    bool in_queue = false; // status queued: waiting in a queue on the host
    std::string runner;    // in_queue: the runner's state (started | running | stopped | draining)
    std::vector<int64_t> task_ids;  // an array: its tasks
    bool pending = false;  // status pending: the host was unreachable (--queue-on-fail)
    bool gpus_taken = false;  // a placement's GPUs went to another job first: nothing ran
    // Laptop-held (pools, --require, cross-host --after): where it went, or why it waits.
    bool laptop_held = false;
    std::string placed_host;   // started there (empty: still waiting)
    std::string waiting;       // the reason it waits
    std::string slurm_id;  // a SLURM cluster accepted it under this id
};

// Checks the request (known host, non-empty command, env names) and throws
// util::UsageError when it is bad; then records the job and starts it.
void submit(Engine& engine, SubmitRequest request, std::function<void(SubmitResult)> done);
// A request that repeats `job` (for --from, restart, and the UI's R form).
SubmitRequest request_from_job(const store::Job& job);
// Parses "K=V" (throws UsageError naming the flag when there is no '=' or K is not a valid name).
std::pair<std::string, std::string> parse_env_assignment(const std::string& text);

// A queue on a host, as the last exchange with it reported.
struct QueueState {
    std::string host, name;
    std::string state;  // running | draining | stopped
    int slots = 1;
    int waiting = 0, held = 0, running = 0;
};

struct SyncReport : Outcome {
    std::vector<QueueState> queues;
    std::string host;
    bool reached = false;
    int updated = 0;  // jobs whose state changed
    int started = 0;  // pending jobs started
    std::vector<int64_t> ended;  // jobs whose end this sync recorded (the faces say so: engine/tick.h)
    std::vector<int64_t> stalled;  // running jobs this sync found newly stalled (stall_after)
    // The host's clock minus ours when it is off by a minute or more (its
    // times were shifted by it); 0 otherwise. See engine/host_clock.h.
    int64_t clock_skew_s = 0;
    // A SLURM cluster: its partitions are `queues` (state running = up,
    // slots = CPUs, waiting/running = the user's jobs there), and the user's
    // jobs on it. slurm_ok false: squeue did not answer (slurmctld down?).
    bool slurm = false, slurm_ok = false;
    int slurm_running = 0, slurm_pending = 0;
};
// Hosts worth syncing: those with starting, running, pending or queued jobs
// (not laptop-held ones, which have no host yet). A tick also syncs hosts
// with deferred operations (engine::hosts_with_work).
std::vector<std::string> hosts_to_sync(Engine& engine);
// Step 1 of a tick (engine/tick.h; the faces call the tick, not this): one
// exchange per host, all hosts at once; `each` per host as it finishes.
void sync_hosts(Engine& engine, const std::vector<std::string>& hosts, std::function<void(SyncReport)> each);

struct KillResult : Outcome {
    int64_t id = 0;
    bool deferred = false;  // the host was unreachable: kept, and carried out by the next sync that reaches it
    std::string message;  // what happened when it did not fail: "killed", "already completed"
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
struct LogResult : Outcome {
    bool cached = false;      // host offline: the last fetched tail
    int64_t cached_at = 0;    // when that tail was fetched
    std::string cached_because;  // why the host was not asked (its connection error)
    std::string text;
    int64_t next_offset = 0;  // for the next follow request
    bool running = false;     // the job is still running on the host
    bool more = false;        // byte mode: max_bytes cut this read; ask again from next_offset
    bool truncated = false;   // filter mode: output cut at max_bytes (on a line boundary)
    bool bad_pattern = false; // the host's grep rejected the pattern (a usage error)
};
void fetch_log(Engine& engine, LogRequest request, std::function<void(LogResult)> done);

struct GpuInfo {
    int index = 0;
    std::string name;
    int utilization_pct = 0;
    int64_t memory_used_mib = 0, memory_total_mib = 0;
    int temperature_c = -1;  // -1: not reported
    std::vector<std::pair<int64_t, int64_t>> jobs{};  // this client's running jobs on it: (id, GPU MiB)
    int other_procs = 0;     // processes on it that are no rj job of ours
};
// A SLURM cluster's login node: sinfo's summary (host info).
struct SlurmSummary {
    std::string error;  // sinfo failed (slurmctld down?): the rest is empty
    struct Partition {
        std::string name;  // '*' marks the default
        std::string avail, nodes, alloc_idle, cpus, gres, timelimit;  // sinfo's words, made visible
    };
    std::vector<Partition> partitions;
    int64_t running = -1, pending = -1;  // the user's jobs (all of them); -1 unknown
};
struct HostInfo : Outcome {
    std::string host;
    std::string hostname;  // what the host calls itself
    std::string os, arch;
    std::string tmux;      // "tmux 3.3a"; empty: not installed
    int cpus = 0;
    int64_t mem_total_kib = 0, mem_available_kib = 0;
    double load1 = 0, load5 = 0, load15 = 0;
    std::vector<GpuInfo> gpus;
    std::optional<SlurmSummary> slurm;  // scheduler = slurm hosts
};
// Each answer is also kept as the host's probe history (one point a minute,
// a week long): probe_history gives the last `minutes` of it, oldest first.
void host_info(Engine& engine, const std::string& host, std::function<void(HostInfo)> done);
struct ProbePoint {
    int64_t minute = 0;  // unix time / 60
    double load = -1, mem = -1, gpu = -1;  // 0..1 (negative: not known)
};
std::vector<ProbePoint> probe_history(Engine& engine, const std::string& host, int64_t minutes);

// What a running job uses right now: its process group's CPU and memory,
// and the GPU memory of those processes (from nvidia-smi).
struct JobUsage : Outcome {  // a failure: the host did not answer
    bool running = false;   // the job has live processes
    int procs = 0;
    double cpu_pct = 0;     // 100 = one core
    int64_t rss_kib = 0;
    int64_t gpu_mem_mib = -1;  // -1: no nvidia-smi on the host
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

struct CleanupReport : Outcome {
    std::vector<std::string> removed;  // job ids/directories removed (or that would be)
    // Found dead without an end time: their age counts from now, so a later
    // cleanup removes them once older_than_s has passed.
    std::vector<std::string> noted;
};
void cleanup_host(Engine& engine, const std::string& host, int64_t older_than_s, bool dry_run,
                  std::function<void(CleanupReport)> done);

// ---- queues (engine/queues.cc) ----

// `rj -b queue start|stop|status|remove HOST [--queue NAME]`.
struct QueueCommandResult : Outcome {
    std::vector<QueueState> queues;
    std::string runner;  // start: started | running
    int cancelled = 0;   // remove: waiting jobs cancelled
    struct Waiting {
        std::string queue;
        int64_t id = 0;
        bool held = false;
        int64_t priority = 0;
        std::string why;
    };
    std::vector<Waiting> waiting;  // status: the jobs that wait, in no particular order
};
void queue_command(Engine& engine, const std::string& host, const std::string& op, const std::string& queue,
                   int slots, std::function<void(QueueCommandResult)> done);

// hold | release | start-now on queued jobs; each id answers once.
struct QueuedJobResult : Outcome {
    int64_t id = 0;
    bool deferred = false;  // hold/release for an unreachable host: kept for the next sync that reaches it
    std::string message;  // what happened when it did not fail ("moved; ...")
};
void queued_job_op(Engine& engine, const std::string& op, const std::vector<int64_t>& ids,
                   std::function<void(QueuedJobResult)> each);

// `rj -b update ID ...`: what to change in a job that still waits.
struct JobUpdate {
    std::optional<std::string> command;
    std::optional<int64_t> priority;
    std::optional<int> gpus;
    std::optional<int64_t> timeout_s;
    std::vector<std::pair<std::string, std::string>> set_env;  // added or replaced
};
void update_queued_job(Engine& engine, int64_t id, JobUpdate update, std::function<void(QueuedJobResult)> done);
// `rj -b move ID HOST`: a waiting job to the same queue on another host.
void move_queued_job(Engine& engine, int64_t id, const std::string& host, std::function<void(QueuedJobResult)> done);

// Why a queued job has not started (`rj -b pending`, the Details pane).
struct PendingReason {
    int64_t id = 0;
    store::Status status = store::Status::Queued;  // its status now
    std::string reason;   // one line
    bool waiting = false; // still waiting (else: it started or ended)
};
void pending_reason(Engine& engine, int64_t id, std::function<void(PendingReason)> done);

// The ids an id stands for: an array's tasks, or the id itself.
std::vector<int64_t> expand_array_ids(Engine& engine, const std::vector<int64_t>& ids);

// ---- code (engine/code_diff.cc) ----

// `rj -b diff A B`: the two records, and from their host (when both ran
// there) the commits between them, the files those commits change and the
// difference between their uncommitted changes.
struct JobDiff : Outcome {
    store::Job a, b;
    bool same_host = false;
    bool fetched = false;                       // the host answered
    std::map<std::string, std::string> blocks;  // log, back, stat, patch (see remote::diff_script)
    // A failure: the host could not be asked (the local part still holds).
};
void diff_jobs(Engine& engine, int64_t a, int64_t b, std::function<void(JobDiff)> done);

// Local-only changes (synchronous).
void describe(Engine& engine, int64_t id, const std::string& text);  // throws util::Error if no such job
void forget(Engine& engine, int64_t id);                             // remove from the list (x in the UI)
store::Job get_job(Engine& engine, int64_t id);                       // throws util::Error (exit 3 semantics are the caller's)

// Job-end messages (engine/notifications.h). Batch mode before it exits:
// runs the loop until every delivery this process started finished or
// `limit` passed; what is unfinished is handed back with a note, for the
// next rj to send.
void finish_notifications(Engine& engine, event::Duration limit);
// With `digest = on` in [notify]: one message, to every channel, for every
// end whose message is due (claimed as end messages are, so never twice);
// nothing without the setting. The last step of a tick (engine/tick.h);
// finish_notifications then waits for it. Returns the jobs it covered.
std::vector<int64_t> send_digest(Engine& engine);

}  // namespace engine
