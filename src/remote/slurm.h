// The remote protocol of a SLURM cluster's login node (issue 12): jobs go
// through sbatch there, and the job wrapper of protocol.h runs inside the
// batch job, so a SLURM job's directory, log, exit record and journal lines
// are those of any rj job. What differs is said here.
//
// Host state added under RJ_DIR/jobs/<id>/ (see protocol.h for the rest):
//   slurm_id      the cluster's id, as sbatch answered ("4711", an array task
//                 "4711_3"); written only after sbatch accepted the job
//   slurm_limit   the time limit in seconds (SLURM enforces it; the wrapper
//                 records SLURM's TERM after it as `timeout`); `timeout` is 0
//   batch.sh      the batch script (first job of an array: all its tasks)
//   slurm.out     SLURM's own output for the job (slurm-<task>.out for arrays)
//
// Replies:
//   submit   RJ-SBATCH ok id= sid= already=0|1 | RJ-SBATCH error id= msg=
//            (on error no job directory is left behind)
//   sync     RJ-SQUEUE ok now= | RJ-SQUEUE error msg= (slurmctld unreachable,
//            no squeue); RJ-SJOB sid= state= ended=EPOCH msg=REASON per job
//            of this client SLURM lists; RJ-SCNT part= state= n= (all the
//            user's jobs); RJ-SPART name= avail= cpus=A/I/O/T; RJ-SID id= sid=
//            per asked id that has one; RJ-SACCT ok|none [msg=] and
//            RJ-SAJOB sid= state= ended= (accounting, when the cluster has
//            it); then the reply of sync_script.
//   kill     as kill_script, RJ-KILL state= also `failed` (scancel refused;
//            msg= says why)
//   ctl      RJ-SCTL id= result=ok|failed msg=
//   info     RJ-SINFO ok|error [msg=], RJ-PART name= avail= nodes= idle= alloc=
//            other= cpus= gpus= timelimit=, RJ-MINE running= pending=, RJ-END
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "remote/protocol.h"

namespace remote {

struct SlurmSubmit {
    // sbatch options rj chose (each one word: "--time=0-00:05:00"); they
    // reach the host single-quoted, one by one.
    std::vector<std::string> options;
    int64_t time_limit_s = 0;  // 0: none
    // An array: one rj job per task, parallel lists (ids[0] is spec.id).
    std::vector<int64_t> ids, tasks;
};
// Throws as submit_script.
std::string slurm_submit_script(const JobSpec& spec, const SlurmSubmit& submit);

struct SlurmSubmitReply {
    bool ok = false;
    std::string slurm_id;  // digits
    bool already = false;
    std::string error;
};
SlurmSubmitReply parse_slurm_submit(const std::string& out);

// One job as squeue listed it (checked: id digits[_digits], state upper case).
struct SlurmJobState {
    std::string state;   // PENDING, RUNNING, COMPLETED, TIMEOUT, ...
    std::string reason;  // Resources, Dependency, JobHeldUser, None (as sent: the caller makes it visible)
    int64_t ended = 0;   // epoch on the host; 0 unknown
};
struct SlurmQueueReply {
    bool ok = false;       // squeue answered
    std::string error;     // !ok: its message
    int64_t host_now = 0;
    std::map<std::string, SlurmJobState> jobs;  // by SLURM id (squeue)
    // sacct's word on asked jobs squeue no longer lists (reason empty);
    // empty when the cluster keeps no accounting.
    std::map<std::string, SlurmJobState> accounted;
    std::map<int64_t, std::string> recorded;    // rj id -> slurm_id file
    // The partitions (sinfo) and the user's jobs in each (all of them, not
    // only rj's), for the interface's Hosts and Queues panes.
    struct Partition {
        std::string name;  // without sinfo's '*' of the default
        bool is_default = false, up = false;
        int cpus = 0;      // total
        int running = 0, pending = 0;
    };
    std::vector<Partition> partitions;
    int running = 0, pending = 0;  // the user's jobs on the cluster
};
std::string slurm_sync_script(const RemoteDir& dir, int64_t journal_offset, const std::vector<int64_t>& ids);
// The SLURM part of a slurm_sync_script reply (parse_sync reads the rest).
SlurmQueueReply parse_slurm_queue(const std::string& out);

std::string slurm_kill_script(const RemoteDir& dir, const std::vector<int64_t>& ids, int64_t wait_s = 5);
// parse_kill reads its reply; the `failed` message is here, by id.
std::map<int64_t, std::string> parse_slurm_kill_errors(const std::string& out);

// hold | release | update of jobs SLURM still holds back (scontrol).
struct SlurmCtl {
    std::string op;  // hold | release | update
    std::vector<int64_t> ids;
    std::optional<int64_t> timeout_s;  // update: the new time limit
    std::optional<std::string> command;
    std::optional<std::vector<std::pair<std::string, std::string>>> env;
};
std::string slurm_ctl_script(const RemoteDir& dir, const SlurmCtl& ctl);
struct SlurmCtlResult {
    int64_t id = 0;
    bool ok = false;
    std::string message;  // SLURM's words (as sent: the caller makes them visible)
};
std::vector<SlurmCtlResult> parse_slurm_ctl(const std::string& out);
// "D-HH:MM:SS" for SLURM's --time and TimeLimit= (SLURM rounds up to minutes).
std::string slurm_time(int64_t seconds);

// host info of a login node: sinfo's partitions and the user's job counts
// (all of the user's jobs, not only rj's), with the usual host facts.
std::string slurm_info_script();
struct SlurmPartition {
    std::string name;  // '*' marks the default partition
    std::string avail, nodes, alloc_idle, cpus, gres, timelimit;  // as sinfo printed them (bounded)
};
struct SlurmInfo {
    bool ok = false;
    std::string error;
    std::vector<SlurmPartition> partitions;
    int64_t running = -1, pending = -1;  // -1: not reported
};
SlurmInfo parse_slurm_info(const std::string& out);

// A SLURM id: digits, or digits_digits for an array task.
bool valid_slurm_id(const std::string& id);

}  // namespace remote
