// Reading and writing jobs (with their environment and cached log tail).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/job.h"

namespace store {

class Database;

// How a job ended, as the host's wrapper reported it (or as rj concluded).
struct JobEnd {
    Status status = Status::Dead;  // a terminal status
    std::optional<int> exit_code;
    std::optional<int> exit_signal;
    int64_t ended_at = 0;
    std::optional<double> cpu_user_s, cpu_sys_s;
    Job::Usage usage{};  // what the wrapper measured (all empty: nothing recorded)
};

class JobRepo {
public:
    explicit JobRepo(Database& db) : db_(db) {}
    Database& db() const { return db_; }

    // Inserts the job with its environment; sets job.id (unless the caller chose
    // one) and job.created_at when 0.
    int64_t insert(Job& job);
    std::optional<Job> get(int64_t id);

    // Newest first. The LIMIT runs in SQL on an index, so a page costs the same
    // with 100 or 100 000 rows.
    std::vector<Job> list(const JobFilter& filter);
    // How many jobs match (ignores filter.limit).
    int64_t count(const JobFilter& filter);
    // SQLite's EXPLAIN QUERY PLAN for list(filter), one step per line.
    std::string query_plan(const JobFilter& filter);

    // Rewrites the whole row and its environment, all but its status (only
    // engine/lifecycle.cc changes that, through the guarded writers below:
    // a row read before a sync must not undo what the sync recorded).
    // Throws util::Error if the job is gone.
    void update(const Job& job);
    void set_status(int64_t id, Status status);
    // Sets `to` only if the job's status is one of `from`; true if it changed.
    // Lets the UI and a concurrent `rj -b` race without undoing each other.
    bool transition(int64_t id, const std::vector<Status>& from, Status to);
    void set_error(int64_t id, const std::string& error);
    // Only a job that has not ended changes; false when it had (first
    // terminal writer wins, across processes) or does not exist.
    bool mark_running(int64_t id, std::optional<int64_t> pid, int64_t started_at);
    // `from`: the statuses it may end from (all that have not ended: the
    // default), as engine/lifecycle.cc's table says.
    bool mark_ended(int64_t id, const JobEnd& end, const std::vector<Status>& from = {});

    std::vector<std::string> hosts_with_jobs();
    std::vector<Job> active_on_host(const std::string& host);   // starting/running, oldest first
    std::vector<Job> pending_on_host(const std::string& host);  // oldest first (FIFO)
    std::vector<std::string> hosts_with_active_jobs();          // starting/running/pending
    // Terminal jobs (only `dead` ones if dead_only) that ended before the cutoff;
    // a job with no end time counts from its start, then its creation.
    std::vector<Job> prunable(int64_t older_than_epoch, bool dead_only);
    // Jobs that ended in [since, until) (unbounded where absent), on `host`
    // and carrying `tag` when given; array rows left out (their tasks count).
    std::vector<Job> ended_between(std::optional<int64_t> since, std::optional<int64_t> until,
                                   const std::string& host, const std::string& tag);
    // What a sync read of a running job (fraction done, log quiet/stalled
    // since); leaves stall_notified alone.
    void set_live(int64_t id, const Job::Live& live);
    // True once per job, across processes: the caller sends its stall notice.
    bool claim_stall_notice(int64_t id);
    // Deletes the job with its environment, log tail and events.
    void remove(int64_t id);
    // Arrays: the tasks of array `array_id` (by task number), and the
    // array row's status, start and end recomputed from them.
    std::vector<Job> array_tasks(int64_t array_id);
    bool refresh_array(int64_t array_id);
    // A queued job's hold flag and why it waits (from the host).
    void set_queue_state(int64_t id, bool held, const std::string& reason);
    void set_gpu_alloc(int64_t id, const std::string& alloc);
    // Jobs the laptop places or releases (laptop_wait, pending), first to go first.
    std::vector<Job> laptop_waiting();
    // A laptop-held job handed to its host: one UPDATE that only a still
    // pending, still laptop-held job passes, so two rj processes never both
    // start it. False: it was not (another rj claimed, killed or cancelled it).
    struct Placed {
        int64_t id = 0;
        std::string host, remote_dir, session_prefix, gpu_alloc, prelude;
        std::vector<std::pair<std::string, std::string>> extra_env;  // added or replaced
    };
    bool claim_placement(const Placed& placed);
    // A claimed job its host could not be reached for: laptop-held again
    // (host: "@POOL" for a pool job), with the reason.
    // False: it was no longer starting.
    bool return_to_laptop(int64_t id, const std::string& host, const std::string& reason);
    int count_active_on(const std::string& host);  // starting, running, queued
    int64_t last_end_on(const std::string& host);   // 0: none
    // Why a laptop-held job still waits (written only when it changed).
    void set_wait_reason(int64_t id, const std::string& reason);
    // A SLURM job's cluster id (as sbatch answered); true when it changed.
    bool set_slurm_id(int64_t id, const std::string& slurm_id);
    // The code record from the host (only written when it changed).
    bool set_code(int64_t id, const Job::Code& code, const std::string& gpu_models);

    void cache_log(int64_t id, const std::string& tail, int64_t fetched_at);
    // The last cached tail and when it was fetched.
    std::optional<std::pair<std::string, int64_t>> cached_log(int64_t id);

private:
    std::vector<Job> query_jobs(const std::string& sql, const std::vector<std::string>& text_args);
    void load_env(Job& job);  // and its tags
    void write_env(const Job& job);  // and its tags
    Database& db_;
};

}  // namespace store
