// rj's remote protocol: the scripts rj sends to a host and the parsers for their replies.
//
// Transport. Each operation is one POSIX sh script written to the stdin of
// `sh -s` (kRemoteShell) on one SSH exec channel; send EOF after it. Scripts run under dash, busybox sh and bash
// 3.2 (macOS); the remote login shell (zsh, fish, ...) plays no part. User
// bytes (command, directory, env values, grep pattern) reach the host only
// inside single-quoted assignments (util::shell_quote), never spliced into a
// command line. The whole script is one function called on its last line, so
// a script cut short in transit runs nothing. Output is lines starting with
// "RJ-"; lines before the first of them (a chatty .bashrc) are ignored, and
// raw bytes (journal, log) are framed by a byte count plus an RJ-END line.
//
// Host state, all under RJ_DIR (default ~/.cache/rj, mode 0700, `~` expanded
// on the host; relative paths are relative to $HOME):
//   bin/wrapper-<hash>.sh  the job wrapper, named by a hash of its text,
//                          written once (temp file + rename) when missing
//   jobs/<id>/             one job:
//     cmd dir env desc     the command (bytes, run with `bash -c`), absolute
//                          working directory, env as sourced sh assignments,
//                          description (all written by submit, as data)
//     timeout grace        seconds (0 = none), TERM->KILL grace seconds
//     created              epoch the directory was made
//     wpid                 the wrapper's pid (written first thing)
//     boot                 the host's boot id when it started (Linux boot_id,
//                          macOS kern.boottime): pids of another boot are ignored
//     pid pgid started     the job's pid, process group (0: none of its own), start epoch
//     log                  the job's stdout+stderr (plus "rj: ..." notes)
//     killed timedout      flags: rj kill asked / the timeout fired
//     notify notify.N.curl notify.N.json   (0600) end notification: policy
//                          line, per channel a curl config (the URL) and a
//                          message template (notify/message.h)
//     usage                the sampler's running totals (rss_kib= gpu_mem_mib=
//                          util_sum= util_n= samples= gpus=), rewritten after
//                          each sample: 1 s after the start, then at doubling
//                          intervals up to 15 s
//     exit                 one line, written at the end (temp file + rename):
//                          kind=K rc=N code=N sig=N started=E ended=E user=S sys=S
//                          [rss_kib=N gpus=I,J gpu_mem_mib=N gpu_util=P]
//                          [notify=sent|failed|nocurl|quiet notify_detail=W] [err=W]
//                            rss_kib..gpu_util: what the sampler measured
//                            (see MeasuredUsage; absent when it never sampled)
//                            notify: the wrapper POSTed the message (curl
//                            -K, the URL read from the 0600 file) *before*
//                            writing this record, so the end and whether the
//                            host delivered its message arrive together and
//                            the laptop never sends it a second time.
//                            K: exit | signal | killed | timeout | lost | error
//                            rc: shell wait status (-1 when the job never ran);
//                            code: exit code, -1 when killed by a signal;
//                            sig: signal number when rc = 128+sig (so an
//                            explicit `exit 130` reads as signal 2: shells
//                            cannot tell them apart); user/sys: CPU seconds
//                            of the job and its waited-for descendants.
//                            lost: the tmux session went away (killed behind
//                            rj's back); the wrapper then stops the job.
//                            error: the job could not start (err=nodir).
//   journal                append-only, one line per transition, one write per line:
//                          "<epoch> <id> start pid=N pgid=N"
//                          "<epoch> <id> <kind> rc=.. code=.. sig=.. started=.. ended=.. user=.. sys=.. [err=..]"
//
// A job runs in tmux session rj-<id> (the user's default tmux server, so
// `tmux attach -t rj-<id>` works; remain-on-exit is forced off for it) as
// `/bin/sh ../../bin/wrapper-<hash>.sh <id>` started in the job directory:
// only simple words, since tmux hands it to the user's shell (maybe fish).
// The wrapper runs the command in its own session and process group (perl's
// POSIX::setsid, which also un-ignores SIGINT; else setsid(1); else `set -m`;
// RJ_PGRP_METHOD=perl|setsid|jobctl in the tmux server's environment forces
// one, for tests), stdin from /dev/null, output appended to the log. It
// enforces the timeout (TERM to the group, KILL after the grace period),
// turns rj kill (SIGUSR1 after the `killed` flag), Ctrl-C in the pane or
// SIGTERM into `killed` and a closed pane (HUP) into `lost`, records the end
// and exits, which ends the tmux session. The job's environment is the tmux
// server's plus JobSpec::env and RJ_JOB_ID. Commands over 100 kB run from the
// cmd file (`bash FILE`) since one argv string is limited to 128 KiB.
//
// Submitting is idempotent: with a start or end already recorded, or a live
// wrapper for the id, submit starts nothing and answers already=1.
//
// Replies (one line each unless said; k=v fields may come in any order, msg=
// is always last and runs to the end of the line):
//   submit   RJ-SUBMIT ok id= pid= started= already=0|1 exited=0|1 now=EPOCH
//            RJ-SUBMIT pending id= already=   (session up, start not yet recorded)
//            RJ-SUBMIT error id= msg=...
//   sync     (RJ_TAIL: ids whose last log lines are wanted) RJ-SYNC v=1 now=EPOCH, RJ-TMUX ok|missing|noserver,
//            RJ-SESSION rj-<id>..., per asked id RJ-JOB id= dir=0|1 pid= pgid=
//            alive= wpid= walive= started= created= killreq= rebooted= and RJ-EXIT id=
//            <exit record>; per running asked id RJ-LOGSTATE id= bytes= grew= gpus= gpu_util= and
//            (RJ_TAIL ids) up to 5 RJ-TAIL id= msg=LINE (see LogState); RJ-JOURNAL offset= size= reset= more= rotated= bytes=N,
//            a newline, N raw bytes, a newline, RJ-END.
//   kill     RJ-TMUX/RJ-SESSION as sync; per id RJ-KILL id= state= was_running=
//            (state: signalled | pending | orphan | ended | dead | missing)
//            then its RJ-JOB/RJ-EXIT lines; RJ-END.
//   log      RJ-LOG ok id= mode=bytes|filter offset= size= running= more= reset=
//            truncated= bytes=N, newline, N raw bytes, newline, RJ-END;
//            or RJ-LOG error id= [kind=pattern] msg=...
//   host     RJ-INFO <key> <value...> lines, RJ-GPU <nvidia-smi csv line>, RJ-GPUTEMP i= c=,
//            RJ-GPUJOB i= id= mem=, RJ-GPUOTHER i= procs= mem=, RJ-END.
//   cleanup  RJ-CLEAN id= action=removed|would-remove|failed|noted reason=ended|dead|never-started time=
//            (noted: found dead without an end time; its `dead` file now dates it)
//   remove   RJ-RM id= action=removed|running|missing|failed
//   enqueue  per id RJ-ENQUEUE ok id= already=0|1, or RJ-ENQUEUE error id= msg=;
//            then RJ-RUNNER queue= state=started|running|stopped|draining|error [msg=]
//   queue    RJ-QUEUE name= state= slots= waiting= held= running=;
//            RJ-QJOB queue= id= held= prio= msg=why; RJ-QCTL id= result= [msg=]; RJ-END
//            (sync adds RJ-QUEUE lines, RJ-JOB q=w|c|- and RJ-WAIT id= held= msg=)
//   code     (sync and kill, per asked job that recorded it) RJ-CODE id= commit= branch=
//            patch= bytes= truncated= files= untracked= msg=ROOT; RJ-CODESUB id= msg=SUBDIR;
//            RJ-GPUMODELS id= msg=NAME,...
//   diff     RJ-DIFF v=1, RJ-BLOCK name= bytes=N + N bytes + newline + RJ-END ..., RJ-DONE
//   usage    RJ-USAGE id= state=ok procs= cpu= rss_kib= gpu_mem_mib= (-1: no nvidia-smi)
//            or RJ-USAGE id= state=ended (no live process recorded); RJ-END.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <iosfwd>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace remote {

inline constexpr const char* kDefaultRjDir = "~/.cache/rj";
// What the SSH layer runs; the script goes to its stdin.
inline constexpr const char* kRemoteShell = "sh -s";
inline constexpr int kProtocolVersion = 1;

// Where a set of jobs lives on one host: their directories are
// PATH/jobs/<id>, their journal PATH/journal, their tmux sessions
// <session_prefix><id>. Each client (database) has its own (see
// store::client_id); a plain path means the layout of rj before that
// (session prefix "rj-"), which old jobs keep.
inline constexpr const char* kLegacySessionPrefix = "rj-";
struct RemoteDir {
    std::string path = kDefaultRjDir;
    std::string session_prefix = kLegacySessionPrefix;  // "rj-" + lowercase letters, digits, '-'

    RemoteDir() = default;
    RemoteDir(std::string p) : path(std::move(p)) {}  // NOLINT: implicit, the old layout
    RemoteDir(const char* p) : path(p) {}             // NOLINT
    RemoteDir(std::string p, std::string prefix) : path(std::move(p)), session_prefix(std::move(prefix)) {}
    bool operator==(const RemoteDir&) const = default;
    auto operator<=>(const RemoteDir&) const = default;
};

// A reply that does not follow the protocol (script failed to run, output cut
// short, another program's output).
class ProtocolError : public util::Error {
public:
    explicit ProtocolError(const std::string& what, std::string hint = {})
        : util::Error(what, std::move(hint)) {}
};

// ---- submit ----

struct JobSpec {
    int64_t id = 0;
    std::string command;      // run as `bash -c COMMAND` (sh -c without bash)
    std::string workdir;      // "", "~", "~/x", "/abs", "rel" (to $HOME)
    std::string description;  // kept on the host for people reading RJ_DIR
    std::vector<std::pair<std::string, std::string>> env;  // names: [A-Za-z_][A-Za-z0-9_]*
    int64_t timeout_s = 0;     // 0: no limit
    int64_t kill_grace_s = 10; // TERM -> KILL, for timeouts and rj kill
    std::string rj_dir = kDefaultRjDir;
    std::string session_prefix = kLegacySessionPrefix;  // see RemoteDir
    std::string wrapper_shell = "/bin/sh";  // interpreter of the wrapper; a simple word
    int64_t idle_timeout_s = 0;  // > 0: kill the job when its log has not grown for this long
    // Code snapshot: the most bytes of uncommitted changes the wrapper keeps
    // (0: record no code at all).
    int64_t snapshot_bytes = 2 << 20;
    int64_t snapshot_seconds = 30;              // past it, the snapshot stops (truncated)
    std::vector<std::string> snapshot_exclude;  // gitignore patterns never captured
    // restart --exact: run in a checkout of `commit` of repository `root`
    // (on the host) with the patch of job dir `patch_job` applied, in `subdir`.
    struct Exact {
        std::string root, commit, subdir;
        int64_t patch_job = 0;
        int64_t patch_bytes = 0;
    };
    std::optional<Exact> exact;
    // Job-end notification by the host (see wrapper.sh, rj_notify): the
    // policy line "all|failures MIN_SECONDS" (empty: the host sends nothing)
    // and per channel (at most 3) a curl config holding the URL and the
    // message template. Written 0600 into the job directory; the URL never
    // reaches a command line.
    struct Notify {
        std::string policy_line;
        std::vector<std::pair<std::string, std::string>> channels;  // curl config, template
    };
    Notify notify;
    // GPUs rj chose for it ("0,1"; pools): recorded on the host so that other
    // placements and queue runners leave them alone while it runs.
    std::string gpu_alloc;
};

// Throws util::UsageError for bad env names, NUL bytes, empty command, and
// util::Error for negative ids or a wrapper_shell that is not a simple word.
std::string submit_script(const JobSpec& spec);

struct SubmitReply {
    // GpusTaken: the GPUs rj chose (a placement) were given to another job
    // since it looked; nothing was written, the job is placed again.
    enum class Status { Ok, Pending, Error, GpusTaken };
    Status status = Status::Error;
    int64_t id = 0;
    int64_t pid = 0;
    int64_t started = 0;   // host epoch; 0 when unknown
    bool already = false;  // it had been started before (resubmit)
    bool exited = false;   // it has already ended
    int64_t host_now = 0;  // the host's clock when it answered; 0 when unknown
    std::string error;     // Status::Error: message for the user
};
SubmitReply parse_submit(const std::string& out);

// ---- queues ----
//
// Host state under RJ_DIR (besides jobs/ and journal):
//   bin/runner-<hash>.sh   the queue runner (prelude + queue_lib + runner),
//                          deployed like the wrapper
//   queues/<Q>/            one queue (name: letters, digits, _ and -):
//     wait/<id> run/<id>   one empty file per waiting / claimed job; the
//                          claim is the rename from wait/ to run/
//     slots                how many of its jobs may run at once (default 1)
//     launch               "<wrapper shell> <wrapper hash>" the runner starts jobs with
//     gpu_free_mib         a GPU using less memory than this (and no compute
//                          process) counts as free
//     stop removed         flags: drain and exit / remove the queue when drained
//     lock/ pid pstart     the runner's lock (mkdir) and identity
//     runner.log           what the runner has to say
//   jobs/<id>/ of a queued job adds: queue prio gpus after_ok after_any
//     after_fail (space-separated ids) array ("<array id> <limit>") task
//     held (flag) why (why it waits, written by the runner) gpu_alloc (the
//     GPU indexes it was given: CUDA_VISIBLE_DEVICES) idle (seconds)
// The runner runs in tmux session <session_prefix>queue-<Q>. A job it cannot
// start ends with an exit record of kind `cancelled` (err=after:ID,
// after-any:ID, after-fail[:ID], queue-removed) or `killed` (err=waiting:
// rj kill while it waited), in the journal like any other end.

struct QueueSpec {
    std::string queue = "default";
    bool no_start = false;     // leave the runner alone
    bool hold = false;         // queue them held
    int slots = 0;             // > 0: set the queue's slots
    int64_t priority = 0;
    int gpus = 0;
    std::vector<int64_t> after_ok, after_any, after_fail;
    int64_t array_id = 0;      // > 0: these jobs are tasks of this array
    int array_limit = 0;       // > 0: at most this many tasks of the array run at once
    int64_t gpu_free_mib = 1024;
};

// Queue names: 1-32 of [A-Za-z0-9_-]. Throws util::UsageError otherwise.
void check_queue_name(const std::string& name);

// Puts the jobs `ids` (one spec, ids and task numbers differ: `tasks` is
// empty or parallel to `ids`) in a queue and starts its runner.
std::string enqueue_script(const JobSpec& spec, const std::vector<int64_t>& ids,
                           const std::vector<int64_t>& tasks, const QueueSpec& queue);
struct EnqueueReply {
    std::vector<std::pair<int64_t, bool>> queued;  // id, already (sent before)
    std::string error;           // non-empty: nothing after error_id was queued
    int64_t error_id = 0;
    std::string runner;          // started | running | stopped | draining | error
    std::string runner_error;
};
EnqueueReply parse_enqueue(const std::string& out);

struct QueueInfo {
    std::string name;
    std::string state;  // running | draining | stopped
    int slots = 1;
    int waiting = 0, held = 0, running = 0;
};
struct QueuedJob {
    std::string queue;
    int64_t id = 0;
    bool held = false;
    int64_t priority = 0;
    std::string why;
};

struct QueueCtl {
    // start | stop | status | remove (queue) ; hold | release | start-now |
    // update | unqueue (ids)
    std::string op;
    std::string queue;             // start/stop/remove: required; status: empty = all
    bool list_jobs = false;        // status: also RJ-QJOB lines
    int slots = 0;                 // start: > 0 sets the slots
    std::vector<int64_t> ids;
    // update: what to set
    std::optional<std::string> command;
    std::optional<int64_t> priority;
    std::optional<int> gpus;
    std::optional<int64_t> timeout_s;
    std::optional<std::vector<std::pair<std::string, std::string>>> env;
    int64_t id_for_env = 0;        // RJ_JOB_ID in a rewritten env file
    std::string wrapper_shell = "/bin/sh";
};
std::string queue_ctl_script(const RemoteDir& rj_dir, const QueueCtl& ctl);
struct QueueCtlReply {
    std::vector<QueueInfo> queues;
    std::vector<QueuedJob> jobs;
    // RJ-QCTL lines: id (0 for the queue itself), result, message.
    struct Result {
        int64_t id = 0;
        std::string result;  // ok | started | running | cancelled | ended | missing | notqueued | failed
        std::string message;
    };
    std::vector<Result> results;
};
QueueCtlReply parse_queue_ctl(const std::string& out);

// ---- sync ----

// How a job ended, as the wrapper or the runner wrote it in its exit record
// and journal (the words on the wire are to_string's).
enum class EndKind {
    Exit,       // the command exited (code)
    Signal,     // the command died of a signal (sig)
    Killed,     // rj kill
    Timeout,    // --timeout
    Idle,       // --idle-timeout: the log did not grow
    Cancelled,  // a queued job that never ran (err: why)
    Lost,       // its tmux session was closed under it
    Error,      // could not start (err: why)
    Unknown,    // a word this rj does not know (a newer wrapper, or garbage)
};
const char* to_string(EndKind k);
EndKind parse_end_kind(std::string_view word);  // Unknown for other words
std::ostream& operator<<(std::ostream& os, EndKind k);

// What the wrapper's sampler measured while the job ran, as the exit record
// and its journal line carry it (all optional; checked on arrival, out of
// range or malformed values are dropped):
//   rss_kib=N     peak resident memory of the job's process group, KiB
//   gpus=I,J      GPU indexes (0..1023, at most 64) its processes used
//   gpu_mem_mib=N peak GPU memory of its processes, MiB
//   gpu_util=P    those GPUs' utilisation, percent (0..100), mean over samples
struct MeasuredUsage {
    std::optional<int64_t> rss_kib;
    std::string gpus;
    std::optional<int64_t> gpu_mem_mib;
    std::optional<double> gpu_util;
    bool operator==(const MeasuredUsage&) const = default;
};
MeasuredUsage parse_measured_usage(const std::vector<std::pair<std::string, std::string>>& fields);

struct ExitRecord {
    EndKind kind = EndKind::Unknown;
    std::string kind_word;  // as the host wrote it (for an Unknown kind's message)
    int rc = -1;
    int code = -1;
    int sig = 0;
    int64_t started = 0;
    int64_t ended = 0;
    double user_s = 0;
    double sys_s = 0;
    std::string err;
    // The host's notification of this end: sent | failed | nocurl | quiet
    // (its policy wanted none); empty: it had nothing to send with.
    // notify_detail: http-CODE or curl-EXIT of the last try.
    std::string notify, notify_detail;
    MeasuredUsage usage;
};

struct JobFacts {
    int64_t id = 0;
    bool dir_exists = false;
    bool session_alive = false;  // tmux session rj-<id> listed
    int64_t pid = 0;
    int64_t pgid = 0;
    bool pid_alive = false;
    int64_t wrapper_pid = 0;
    bool wrapper_alive = false;
    int64_t started = 0;  // 0: start not recorded
    int64_t created = 0;
    bool kill_requested = false;
    bool rebooted = false;  // the host rebooted since it started (pids then mean nothing)
    // Queued jobs: 'w' waiting in its queue, 'c' claimed by a runner, '-' neither.
    char queue_state = '-';
    bool held = false;    // waiting, held
    std::string why;      // waiting: why, as the runner last wrote it
    std::optional<ExitRecord> exit;
    // The code it ran (when its directory was in a git work tree).
    struct Code {
        std::string commit, branch, patch_hash, root, subdir;
        int64_t patch_bytes = 0;
        bool truncated = false;
        int files = 0, untracked = 0;
    };
    std::optional<Code> code;
    std::string gpu_models;  // the GPUs it was given, by name, comma-separated
};

struct JournalEvent {
    int64_t time = 0;
    int64_t id = 0;
    std::string event;  // start | exit | signal | killed | timeout | lost | error
    std::vector<std::pair<std::string, std::string>> fields;

    std::string get(const std::string& key, const std::string& dflt = {}) const;
    int64_t get_int(const std::string& key, int64_t dflt = 0) const;
    double get_double(const std::string& key, double dflt = 0) const;
};

enum class TmuxState { Ok, Missing, NoServer };

// A running job's log as the wrapper's sampler last saw it (sync's
// RJ-LOGSTATE id= bytes= grew=EPOCH) and, for the ids asked with tail_ids,
// its last lines (RJ-TAIL id= msg=LINE: at most 5, printable ASCII, each
// cut at 300 bytes here).
struct LogState {
    int64_t bytes = -1;  // -1: not reported
    int64_t grew = 0;    // host epoch of the last growth seen (0: not reported)
    std::vector<std::string> tail;
    // The sampler's last look at its GPUs (gpus= gpu_util=, checked as MeasuredUsage).
    std::string gpus;
    std::optional<double> gpu_util;
};

struct SyncReply {
    int64_t host_now = 0;
    TmuxState tmux = TmuxState::NoServer;
    std::set<int64_t> live_sessions;  // ids of rj-<id> sessions
    std::map<int64_t, JobFacts> jobs;  // the ids asked about
    std::vector<QueueInfo> queues;     // this directory's queues
    std::vector<JournalEvent> events;
    std::map<int64_t, LogState> logs;  // running jobs among the ids asked about
    int64_t journal_offset = 0;  // where the returned bytes start (0 after a reset)
    int64_t new_offset = 0;      // keep this for the next sync: end of the last complete line
    int64_t journal_size = 0;
    bool journal_reset = false;  // journal shorter than the offset asked for: re-read from 0,
                                 // so events may repeat; apply them idempotently
    bool journal_more = false;   // more bytes than max_bytes: sync again from new_offset
    bool journal_rotated = false;  // the host started a new journal: new_offset is 0
    int bad_lines = 0;           // journal lines that did not parse or were too long (skipped)
};

// The journal is rotated (see RJ-JOURNAL rotated=1) once it is longer than
// rotate_bytes and the caller has read all of it.
std::string sync_script(const RemoteDir& rj_dir, int64_t journal_offset,
                        const std::vector<int64_t>& ids_to_check,
                        int64_t max_journal_bytes = 4 << 20, int64_t rotate_bytes = 1 << 20,
                        const std::vector<int64_t>& tail_ids = {});
SyncReply parse_sync(const std::string& out);

// ---- diff of two jobs' code (same host) ----
// Blocks: "log" (commits from c1 to c2), "back" (from c2 to c1), "stat"
// (files changed between them; these three only when root is given and the
// commits differ) and "patch" (diff -u of the two recorded patches).
std::string diff_script(const RemoteDir& rj_dir, int64_t id1, int64_t id2, const std::string& root,
                        const std::string& c1, const std::string& c2, int64_t cap_bytes = 256 << 10);
std::map<std::string, std::string> parse_diff(const std::string& out);

// ---- fate of a job from host facts ----

enum class Fate {
    Queued,        // waiting in a host queue
    Starting,      // session up, wrapper has not recorded the start yet
    Running,
    Completed,     // exit code 0
    Failed,        // non-zero exit code, a signal, or could not start (error)
    Killed,        // rj kill (or Ctrl-C / TERM to the wrapper)
    Timeout,       // --timeout, or --idle-timeout (note says which)
    Cancelled,     // never ran: a dependency that cannot be met, its queue removed
    Dead,          // gone without an end record, or its tmux session was killed
    NeverStarted,  // a `starting` job the host has no trace of (submit never arrived)
};
const char* to_string(Fate f);

struct JobFate {
    Fate fate = Fate::Dead;
    int exit_code = -1;  // Completed/Failed: the code, -1 when a signal
    int signal = 0;      // Failed/Killed/Timeout: the signal that ended it, if any
    std::string note;    // why, for the user ("tmux session was closed", ...)
};

// What a tmux host's facts say of a job. Pure. `was_starting`: the local
// record says the submit may not have reached the host.
// engine::verdict_from_facts makes a Verdict of it; engine/lifecycle.cc
// applies that.
JobFate decide(const JobFacts& facts, bool was_starting);
// What a `cancelled` end record's err= word means, for the user.
std::string cancel_reason(const std::string& err);

// ---- kill ----

struct KillResult {
    int64_t id = 0;
    // signalled (its wrapper got the kill) | orphan (no wrapper: rj signalled
    // the job) | pending (starting: its wrapper reads the killed flag and
    // records `killed`) | stopped (no wrapper had started it: the kill script
    // recorded `killed`) | ended (it had an end record before the kill) |
    // dead (a wrapper ran; nothing of it is alive, no record) | missing
    std::string state;
    bool was_running = false;
    JobFacts facts;     // after the kill (exit record if it came within wait_s)
};
// Takes waiting jobs from their queues, writes the killed flag on the others,
// then (by facts read after the flag) signals each wrapper (which TERMs the
// job's group and KILLs it after grace_s) and waits up to wait_s for end
// records; a job no wrapper has started by then is recorded as killed.
std::string kill_script(const RemoteDir& rj_dir, const std::vector<int64_t>& ids,
                        int64_t grace_s = 10, int64_t wait_s = 3);
std::vector<KillResult> parse_kill(const std::string& out);

// ---- log ----

struct LogQuery {
    int tail_lines = 0;      // > 0: last N lines (after range and grep)
    int64_t from_line = 0;   // > 0: from this line (1-based)
    int64_t to_line = 0;     // > 0: up to this line
    std::string grep;        // non-empty: lines matching (extended regex unless grep_fixed)
    bool grep_fixed = false;
    bool grep_ignore_case = false;
    int64_t byte_offset = -1;  // >= 0: raw bytes from here (follow mode); filters ignored
    int64_t max_bytes = 1 << 20;
};
std::string log_script(const RemoteDir& rj_dir, int64_t id, const LogQuery& q);

struct LogReply {
    bool ok = false;
    std::string error;     // !ok: e.g. "no such job on this host"
    bool bad_pattern = false;  // !ok: grep rejected the pattern (error has its message)
    std::string text;      // raw bytes
    int64_t offset = 0;    // continue a follow from here
    int64_t size = 0;      // log size when read
    bool running = false;  // job still running: more may come
    bool more = false;     // bytes mode: max_bytes cut the read, ask again at once
    bool reset = false;    // bytes mode: log shorter than byte_offset, read from 0
    bool truncated = false;  // filter mode: output cut to max_bytes
};
LogReply parse_log(const std::string& out);

// ---- host info ----

struct GpuInfo {
    int index = 0;
    std::string name;
    int util_pct = -1;         // -1: not reported ([N/A])
    int64_t mem_used_mib = -1;
    int64_t mem_total_mib = -1;
    int temp_c = -1;  // -1: not reported
    // This client's running jobs whose processes use it (RJ-GPUJOB), with
    // their GPU memory; anyone else's processes, counted (RJ-GPUOTHER).
    std::vector<std::pair<int64_t, int64_t>> jobs;  // (job id, MiB), by id
    int other_procs = 0;
    int64_t other_mem_mib = 0;
};

struct HostInfo {
    std::string os, kernel, arch, hostname;
    int64_t host_now = 0;
    int cpus = 0;
    int64_t mem_total_bytes = 0;
    int64_t mem_available_bytes = 0;
    double load1 = 0, load5 = 0, load15 = 0;
    bool has_load = false;
    std::string tmux_version;  // "tmux 3.3a"; empty: no tmux
    std::string bash_path, perl_path, setsid_path, sbatch_path;  // empty: not found
    std::string gpu_query;     // "ok", "none" (no nvidia-smi) or "error ..."
    std::vector<GpuInfo> gpus;
};
// proc_dir: where /proc is (tests point it elsewhere to exercise the
// sysctl/vm_stat path of macOS).
// rj_dir: the client's directory, whose running jobs' process groups are
// matched against the GPUs' compute processes.
std::string host_info_script(const std::string& proc_dir = "/proc", const RemoteDir& rj_dir = kDefaultRjDir);

// What a host has free now (placement, `hosts --free`): CPUs, load, memory
// and per GPU whether it is busy (a compute process, memory used at or over
// gpu_free_mib, or given by rj to a job that still runs in rj_dir).
struct FreeGpu {
    int index = 0;
    bool busy = false;
    int utilization_pct = 0;
    int64_t memory_used_mib = 0, memory_total_mib = 0;
    std::string name;
};
struct HostFree {
    int cpus = 0;
    double load1 = 0;
    int64_t mem_total = 0, mem_available = 0;  // bytes
    std::string gpu_query;  // ok | none | error ...
    std::vector<FreeGpu> gpus;
};
std::string free_script(const RemoteDir& rj_dir, int gpu_free_mib, const std::string& proc_dir = "/proc");
// Throws util::Error (a protocol error) when the reply is not a free report.
HostFree parse_free(const std::string& out);
HostInfo parse_host_info(const std::string& out);
// One line of `nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,
// memory.total --format=csv,noheader,nounits`; nullopt when malformed.
std::optional<GpuInfo> parse_gpu_line(const std::string& line);

// ---- cleanup ----

struct CleanupEntry {
    int64_t id = 0;
    std::string action;  // removed | would-remove | failed | noted | running | missing
    std::string reason;  // cleanup: ended | dead | never-started
    int64_t time = 0;    // cleanup: when it ended (at the latest)
};
// Job directories of jobs that ended more than older_than_s ago, by their
// exit record or dead by sync's rules (see cleanup.sh); never a job that
// waits, is held, starts or runs. Removed jobs' queue entries and GPU claims
// go with them.
std::string cleanup_script(const RemoteDir& rj_dir, int64_t older_than_s, bool dry_run);
std::vector<CleanupEntry> parse_cleanup(const std::string& out);
// The directories of these jobs, unless they are still running.
std::string remove_job_files_script(const RemoteDir& rj_dir, const std::vector<int64_t>& ids);
std::vector<CleanupEntry> parse_remove(const std::string& out);

// ---- resource use of running jobs ----

struct JobUsage {
    int64_t id = 0;
    bool running = false;   // false: ended or never started; the rest is zero
    int procs = 0;          // processes in the job's process group
    double cpu_pct = 0;     // summed %CPU as ps reports it (100 = one core)
    int64_t rss_kib = 0;    // summed resident memory
    int64_t gpu_mem_mib = -1;  // summed GPU memory of those processes; -1: no nvidia-smi
};
std::string usage_script(const RemoteDir& rj_dir, const std::vector<int64_t>& ids);
std::vector<JobUsage> parse_usage(const std::string& out);

}  // namespace remote
