#include "config.h"

#include "store/migrations.h"

#include "store/database.h"
#include "util/error.h"

namespace store {

namespace {

// v1: the base tables. Job ids are AUTOINCREMENT because the id is also the
// job's name on its host (tmux session rj-<id>, its directory): an id freed by
// pruning the newest job must never be handed out again.
const char* const kV1 = R"sql(
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    host          TEXT NOT NULL,
    command       TEXT NOT NULL,
    workdir       TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    timeout_s     INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,
    exit_code     INTEGER,
    exit_signal   INTEGER,
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    ended_at      INTEGER,
    cpu_user_s    REAL,
    cpu_sys_s     REAL,
    pid           INTEGER,
    from_job      INTEGER,
    queue_on_fail INTEGER NOT NULL DEFAULT 0,
    remote_dir    TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT ''
);
-- One row per variable, as blobs, so names and values keep any byte ('=', newlines, NUL).
CREATE TABLE job_env (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    pos    INTEGER NOT NULL,
    name   BLOB NOT NULL,
    value  BLOB NOT NULL,
    PRIMARY KEY (job_id, pos)
) WITHOUT ROWID;
CREATE TABLE hosts (
    name           TEXT PRIMARY KEY,
    journal_offset INTEGER NOT NULL DEFAULT 0,
    last_seen      INTEGER,
    offline_since  INTEGER,
    last_error     TEXT NOT NULL DEFAULT '',
    info           TEXT NOT NULL DEFAULT ''
);
)sql";

// v2: indexes for the job list (newest first, filtered by status and host,
// keyset-paged by id) and a cache of the last fetched log tail per job.
const char* const kV2 = R"sql(
CREATE INDEX jobs_status_id ON jobs(status, id);
CREATE INDEX jobs_host_id ON jobs(host, id);
CREATE INDEX jobs_host_status_id ON jobs(host, status, id);
CREATE TABLE job_logs (
    job_id     INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
    tail       BLOB NOT NULL,
    fetched_at INTEGER NOT NULL
);
)sql";

// v3: a per-job event history (submitted, started, exit, kill requested ...).
const char* const kV3 = R"sql(
CREATE TABLE job_events (
    id     INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    at     INTEGER NOT NULL,
    kind   TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_events_job ON job_events(job_id, id);
)sql";

// v4: a job's name on its host is global. Each database gets a random client
// id; new jobs live under a directory of their own client and host, and
// their tmux sessions are named rj-<client id>-<id> (session_prefix).
// Existing rows keep the old layout (prefix "rj-", the shared directory) so
// jobs that are running now are still synced and killed. Journal offsets are
// kept per (host, remote directory), since one host now has one journal per
// client; the old per-host offset moves to the directories its jobs used.
const char* const kV4 = R"sql(
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('client_id', lower(hex(randomblob(5))));
ALTER TABLE jobs ADD COLUMN session_prefix TEXT NOT NULL DEFAULT 'rj-';
CREATE TABLE journals (
    host           TEXT NOT NULL,
    remote_dir     TEXT NOT NULL,
    journal_offset INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (host, remote_dir)
) WITHOUT ROWID;
INSERT OR IGNORE INTO journals (host, remote_dir, journal_offset)
    SELECT DISTINCT j.host, j.remote_dir, h.journal_offset
    FROM jobs j JOIN hosts h ON h.name = j.host WHERE j.remote_dir != '';
)sql";

// v5: per-host queues. A queued job waits in a queue on its host (status
// `queued`) with a priority, GPUs to allocate, dependencies on other jobs of
// the same host (comma-separated ids) and, for array tasks, its array (the
// id of a parent row that is never sent to a host: array_spec is set on it
// and its status sums up its tasks). `cancelled`: it never ran because it
// could not (a dependency that cannot be met, its queue removed).
const char* const kV5 = R"sql(
ALTER TABLE jobs ADD COLUMN queue          TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN priority       INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN gpus           INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN gpu_alloc      TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN after_ok       TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN after_any      TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN after_fail     TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN array_id       INTEGER;
ALTER TABLE jobs ADD COLUMN array_task     INTEGER;
ALTER TABLE jobs ADD COLUMN array_spec     TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN idle_timeout_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN held           INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN queue_reason   TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_array ON jobs(array_id, array_task) WHERE array_id IS NOT NULL;
)sql";

// v6: which code a job ran (recorded by the wrapper when its directory was
// in a git work tree) and what else decides a result (the GPUs' models);
// `exact`: it was started by `restart --exact` from from_job's record.
const char* const kV6 = R"sql(
ALTER TABLE jobs ADD COLUMN code_commit      TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN code_branch      TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN code_root        TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN code_subdir      TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN code_patch_hash  TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN code_patch_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN code_truncated   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN code_files       INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN code_untracked   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN gpu_models       TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN exact            INTEGER NOT NULL DEFAULT 0;
)sql";

// v7: job-end notifications. `notify` is the policy the job was submitted
// with (all | failures; '' = none: jobs from before v7 never notify).
// notified_via says who delivered its message and is the never-twice claim:
// '' not decided yet (the host may still speak), due (the laptop must send),
// sending (one rj process claimed it at notified_at), host, laptop, none (the
// policy wanted no message), failed (gave up; notify_error says why).
const char* const kV7 = R"sql(
ALTER TABLE jobs ADD COLUMN notify       TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN notified_at  INTEGER;
ALTER TABLE jobs ADD COLUMN notified_via TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN notify_error TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_notify_open ON jobs(id) WHERE notify != '' AND notified_via IN ('', 'due', 'sending');
)sql";

// v8: the laptop decides (pools, cross-host dependencies, deferred
// operations). A job with laptop_wait = 1 is `pending` on this machine, not on
// any host: rj places it (host '@POOL' until then, `require` the canonical
// requirement) or releases it once its after_* jobs (on any host) ended.
// `prelude` ran before its command (from the host's or pool's config);
// `plan` names the plan submission it came from ("train.yaml#41").
// deferred_ops: a kill, hold, release or move aimed at an unreachable host,
// carried out by the next sync that reaches it (state: waiting, done,
// failed, cancelled).
const char* const kV8 = R"sql(
ALTER TABLE jobs ADD COLUMN pool        TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN require     TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN prelude     TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN laptop_wait INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN plan        TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_laptop_wait ON jobs(id) WHERE laptop_wait = 1 AND status = 'pending';
CREATE TABLE deferred_ops (
    id         INTEGER PRIMARY KEY,
    host       TEXT NOT NULL,
    job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    op         TEXT NOT NULL,
    arg        TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    state      TEXT NOT NULL DEFAULT 'waiting',
    done_at    INTEGER,
    message    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deferred_ops_waiting ON deferred_ops(host, id) WHERE state = 'waiting';
)sql";

// v9: what the wrapper measured while a job ran (peak resident memory of
// its process group, the GPUs its processes used, their peak memory and mean
// utilisation), the job's tags (`run --tag`, any number, one row each so a
// tag filter is an index lookup), its progress pattern and what the last
// sync read of a running job's progress and log growth (times on the
// laptop's clock): the fraction done, since when its log has been quiet,
// since when it counts as stalled, and whether that was notified (once);
// and whether the [notify] command ran for its end (jobs that ended before
// this version count as done: adding a command must not replay history).
const char* const kV9 = R"sql(
ALTER TABLE jobs ADD COLUMN peak_rss_kib     INTEGER;
ALTER TABLE jobs ADD COLUMN gpus_used        TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN gpu_mem_peak_mib INTEGER;
ALTER TABLE jobs ADD COLUMN gpu_util_mean    REAL;
ALTER TABLE jobs ADD COLUMN progress         TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN progress_frac    REAL;
ALTER TABLE jobs ADD COLUMN progress_at      INTEGER;
ALTER TABLE jobs ADD COLUMN quiet_since      INTEGER;
ALTER TABLE jobs ADD COLUMN stalled_since    INTEGER;
ALTER TABLE jobs ADD COLUMN stall_notified   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN command_notified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN live_gpus        TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN live_gpu_util    REAL;
UPDATE jobs SET command_notified = 1 WHERE status IN ('completed', 'failed', 'killed', 'timeout', 'dead', 'cancelled');
CREATE INDEX jobs_command_open ON jobs(id) WHERE notify != '' AND command_notified = 0;
CREATE TABLE job_tags (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    tag    TEXT NOT NULL,
    PRIMARY KEY (job_id, tag)
) WITHOUT ROWID;
CREATE INDEX job_tags_by_tag ON job_tags(tag, job_id);
)sql";

// v10: SLURM clusters as hosts (issue 12). slurm_id is the cluster's own id
// of a job submitted with sbatch ("4711", or "4711_3" for an array task);
// '' for jobs that run in tmux. A SLURM job's state and reason (PENDING
// (Resources)) live in queue_reason like a queued job's.
const char* const kV10 = R"sql(
ALTER TABLE jobs ADD COLUMN slurm_id TEXT NOT NULL DEFAULT '';
)sql";

// v11: probe history for the interface's sparklines (store/probe_repo.h):
// one row per host and minute, values in permille, kept a week.
const char* const kV11 = R"sql(
CREATE TABLE host_probes (
    host   TEXT NOT NULL,
    minute INTEGER NOT NULL,
    load   INTEGER,
    mem    INTEGER,
    gpu    INTEGER,
    PRIMARY KEY (host, minute)
) WITHOUT ROWID;
CREATE INDEX host_probes_minute ON host_probes(minute);
)sql";

std::function<void(Database&)> sql_step(const char* sql) {
    return [sql](Database& db) { db.exec(sql); };
}

}  // namespace

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> steps = {
        {1, "jobs, job environment and host state", sql_step(kV1)},
        {2, "job list indexes and log tail cache", sql_step(kV2)},
        {3, "job event history", sql_step(kV3)},
        {4, "client id, per-client remote names, journal offsets per remote directory", sql_step(kV4)},
        {5, "per-host queues: priority, GPUs, dependencies, arrays, hold", sql_step(kV5)},
        {6, "the code a job ran (git commit, branch, patch) and its GPUs' models", sql_step(kV6)},
        {7, "job-end notifications: policy, who delivered, when, and the last delivery error", sql_step(kV7)},
        {8, "pools and placement, laptop-held jobs, preludes, deferred operations", sql_step(kV8)},
        {9, "usage accounting (peak memory, GPUs used, their memory and utilisation), tags, progress and stalls", sql_step(kV9)},
        {10, "SLURM clusters: the cluster's job id of each job submitted with sbatch", sql_step(kV10)},
        {11, "probe history: load, memory and GPU use per host and minute, kept a week", sql_step(kV11)},
    };
    return steps;
}

int latest_schema_version() { return migrations().back().version; }

void check_schema_not_newer(Database& db) {
    int have = db.user_version();
    if (have > latest_schema_version())
        throw util::Error("database " + db.path() + " was written by a newer rj (schema version " +
                              std::to_string(have) + "; this rj knows up to " +
                              std::to_string(latest_schema_version()) + ")",
                          "upgrade rj, or set RJ_DB to use another database");
}

void migrate(Database& db, int target) {
    if (target < 0) target = latest_schema_version();
    check_schema_not_newer(db);
    if (db.user_version() >= target) return;  // the common case takes no write lock
    for (const Migration& step : migrations()) {
        if (step.version > target) break;
        Transaction tx(db, Transaction::Mode::write);
        int have = db.user_version();  // another process may have migrated meanwhile
        if (have > latest_schema_version()) check_schema_not_newer(db);
        if (have >= step.version) continue;
        if (have != step.version - 1)
            throw util::Error("database " + db.path() + " has schema version " + std::to_string(have) +
                              ", which no migration step starts from",
                              "the file may have been edited by hand; move it aside");
        step.apply(db);
        db.set_user_version(step.version);
        tx.commit();
    }
}

}  // namespace store
