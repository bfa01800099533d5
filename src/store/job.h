// A job as rj records it locally, and the vocabulary of job statuses.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace store {

// A job's status. Stored in the database and shown as its name
// (to_string); parsed back only at that boundary (parse_status).
enum class Status {
    Pending,    // waiting for an unreachable host (--queue-on-fail)
    Queued,     // waiting in a queue on its host
    Starting,   // row written, submit in flight
    Running,
    Completed,  // exit 0
    Failed,     // non-zero exit or signal
    Killed,     // by rj kill
    Timeout,
    Dead,       // session and pid gone, no exit recorded
    Cancelled,  // never ran: dependency not met, queue removed
};

// The statuses by their old names, so `job.status == status::running` reads
// as it always did.
namespace status {
inline constexpr Status pending = Status::Pending;
inline constexpr Status starting = Status::Starting;
inline constexpr Status queued = Status::Queued;
inline constexpr Status running = Status::Running;
inline constexpr Status completed = Status::Completed;
inline constexpr Status failed = Status::Failed;
inline constexpr Status killed = Status::Killed;
inline constexpr Status timeout = Status::Timeout;
inline constexpr Status dead = Status::Dead;
inline constexpr Status cancelled = Status::Cancelled;
}  // namespace status

// Its stored and shown name ("running").
const char* to_string(Status s);
// The status named so; nullopt for any other text.
std::optional<Status> parse_status(std::string_view name);
std::ostream& operator<<(std::ostream& os, Status s);

// Every known status, in lifecycle order.
const std::vector<Status>& all_statuses();
// completed, failed, killed, timeout, dead, cancelled.
const std::vector<Status>& terminal_statuses();

bool is_terminal_status(Status s);

struct Job {
    int64_t id = 0;  // also the remote id, under remote_dir and session_prefix
    std::string host;         // alias as the user typed it
    std::string command;      // exact bytes
    std::string workdir;      // as given, `~` kept
    std::string description;
    std::vector<std::pair<std::string, std::string>> env;  // in order, any bytes
    int64_t timeout_s = 0;  // 0 = none
    Status status = Status::Starting;
    std::optional<int> exit_code;
    std::optional<int> exit_signal;
    int64_t created_at = 0;  // unix seconds
    std::optional<int64_t> started_at, ended_at;
    std::optional<double> cpu_user_s, cpu_sys_s;
    std::optional<int64_t> pid;
    std::optional<int64_t> from_job;  // --from / restart source
    bool queue_on_fail = false;
    // Where the job lives on its host: its directory is remote_dir/jobs/<id>,
    // its tmux session <session_prefix><id>. New jobs: ~/.cache/rj/<client
    // id>/<host> and rj-<client id>-; jobs of before schema v4: ~/.cache/rj and rj-.
    std::string remote_dir;
    std::string session_prefix = "rj-";
    std::string error;       // last error for this job (e.g. submit failed)
    // Queued jobs (`rj -b run --queue`); queue empty for plain jobs.
    std::string queue;
    int64_t priority = 0;
    int gpus = 0;
    std::string gpu_alloc;   // the GPU indexes the runner gave it ("0,1")
    std::vector<int64_t> after_ok, after_any, after_fail;  // same-host dependencies
    std::optional<int64_t> array_id;    // a task: its array's row
    std::optional<int64_t> array_task;  // a task: its task number
    std::string array_spec;  // an array's own row: "1-100%10" (never sent to a host)
    int64_t idle_timeout_s = 0;
    bool held = false;
    std::string queue_reason;  // why it waits, as the host last said

    // The code it ran, when its directory on the host was in a git work tree.
    struct Code {
        std::string commit, branch, root, subdir, patch_hash;
        int64_t patch_bytes = 0;
        bool truncated = false;  // the patch was cut at the snapshot limit
        int files = 0, untracked = 0;
        bool operator==(const Code&) const = default;
    };
    Code code;
    std::string gpu_models;  // the GPUs it was given, by name
    bool exact = false;      // started by restart --exact (from_job's code)

    // Its end notification (see store/notify_repo.h): the policy it was
    // submitted with ("all", "failures"; "" = none) and who delivered it.
    std::string notify;
    std::optional<int64_t> notified_at;
    std::string notified_via;  // "", due, sending, host, laptop, none, failed
    std::string notify_error;  // the last delivery failure, for show

    // Placement by the laptop (pools, --require, plans' when:, cross-host
    // --after): while laptop_wait the job is pending here, on no host yet
    // (host "@POOL" for a pool job) or held until its after_* jobs end.
    std::string pool;     // the pool it was placed from ("" none)
    std::string require;  // canonical requirement text (engine/placement.h)
    std::string prelude;  // shell run before its command (config of its host or pool)
    bool laptop_wait = false;
    std::string plan;  // the plan submission it came from ("train.yaml#41"); the job search matches it
    // What the wrapper measured while it ran (absent for jobs of before
    // schema v8 and jobs that never ran).
    struct Usage {
        std::optional<int64_t> peak_rss_kib;    // its process group's resident memory at its peak
        std::string gpus;                       // GPU indexes its processes used ("0,3")
        std::optional<int64_t> gpu_mem_peak_mib;  // its processes' GPU memory at its peak
        std::optional<double> gpu_util_mean;    // percent: those GPUs' utilisation, mean over samples
        bool operator==(const Usage&) const = default;
    };
    Usage usage;
    std::vector<std::string> tags;  // `run --tag`, sorted, each once
    std::string progress;           // its progress pattern (util/progress.h); "" = none
    // What the last sync read of it while it ran (laptop clock).
    struct Live {
        std::optional<double> fraction;       // 0..1, by its progress pattern
        std::optional<int64_t> fraction_at;   // when that was read
        std::optional<int64_t> quiet_since;   // its log has not grown since
        std::optional<int64_t> stalled_since; // set while it counts as stalled (stall_after)
        bool stall_notified = false;
        std::string gpus;                     // the GPUs its processes used at the last sample
        std::optional<double> gpu_util;       // their utilisation then, percent
        bool operator==(const Live&) const = default;
    };
    Live live;
    bool stalled() const { return live.stalled_since.has_value() && !terminal(); }
    // A job on a SLURM cluster (a host with `scheduler = slurm`): the
    // cluster's job id ("4711", an array task "4711_3"); empty for tmux jobs
    // and before sbatch answered. Its SLURM state and reason are queue_reason.
    std::string slurm_id;
    bool on_slurm() const { return !slurm_id.empty(); }

    bool is_array() const { return !array_spec.empty(); }
    bool has_code() const { return !code.commit.empty(); }
    // "a1b2c3d on main, 3 files changed, 1 untracked" (empty without code).
    std::string code_summary() const;

    bool terminal() const { return is_terminal_status(status); }
    // Its tmux session on the host (`tmux attach -t` takes it).
    std::string session_name() const { return session_prefix + std::to_string(id); }
    // Its directory on the host (`~` is the remote home); empty when not recorded.
    std::string remote_job_dir() const { return remote_dir.empty() ? "" : remote_dir + "/jobs/" + std::to_string(id); }
    bool operator==(const Job&) const = default;
};

// What the job list shows. Empty fields do not filter.
struct JobFilter {
    std::vector<Status> statuses;  // any of these
    std::string host;
    std::string search;  // case-insensitive substring of command or description
    int limit = 0;       // 0 = all
    int64_t before_id = 0;  // keyset paging: only id < before_id (0 = from the newest)
    int64_t array_id = 0;   // > 0: only the tasks of this array
    bool hide_tasks = false;  // leave out array tasks (their array's row stands for them)
    std::string tag{};        // only jobs carrying this tag
};

}  // namespace store
