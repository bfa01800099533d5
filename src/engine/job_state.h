// Applying what a host reports about a job to its local record. Shared by
// sync, kill and submit so that every path maps host facts the same way.
#pragma once

#include <optional>

#include "engine/engine.h"
#include "remote/protocol.h"
#include "store/job.h"
#include "store/job_repo.h"

namespace engine {

// The local end state for a host exit record (kind exit|signal|killed|timeout|lost|error).
store::JobEnd end_from_record(const remote::ExitRecord& record);
// Same for a journal line of one of those kinds.
std::optional<store::JobEnd> end_from_event(const remote::JournalEvent& event);

// The error text to record with a journal end line (a cancel's reason, an
// idle timeout, the err= word of an error).
std::string end_note(const remote::JournalEvent& event);

// Stores the code record (and GPU models) a host reported for a job,
// checked and bounded first: a commit is hex, names are short and visible.
bool record_code(store::JobRepo& jobs, int64_t id, const remote::JobFacts& facts);

int64_t now_epoch();

// What a host's report means for one job's local record. Each kind of host
// has one reader that makes a Verdict of its facts: verdict_from_facts
// (tmux hosts: sync facts, on remote::decide) and verdict_after_kill (their
// kill answers) here, slurm_verdict (slurm.h) for SLURM clusters. A Verdict
// changes nothing itself: engine/lifecycle.cc applies it. Pure; tested on
// canned replies.
struct Verdict {
    enum class Kind {
        Wait,      // nothing to record yet (starting, or the end is being written)
        Start,     // it runs: record pid and start time
        End,       // it ended: record `end` (and `note` as its error)
        Resubmit,  // the host never saw it: send it again
        Queued,    // it waits in its queue on the host (note: why)
    };
    Kind kind = Kind::Wait;
    std::optional<int64_t> pid;
    int64_t started_at = 0;
    store::JobEnd end;
    std::string note;
    bool held = false;  // Queued on a SLURM cluster: held (JobHeldUser/JobHeldAdmin)
};
// From sync facts; `was_starting`: the local record says the submit may not
// have reached the host.
Verdict verdict_from_facts(const remote::JobFacts& facts, bool was_starting, int64_t now);
// From a kill answer (its state and the facts after it).
Verdict verdict_after_kill(const remote::KillResult& result, int64_t now);

// Where the job lives on its host: the directory and session prefix recorded
// when it was submitted (so a later change of remote_dir in the config does
// not lose it, and jobs of before client ids keep their old names).
remote::RemoteDir remote_dir_of(const Engine& engine, const store::Job& job);
// Where new jobs for `host` go: <remote_dir>/<client id>/<host>, sessions
// rj-<client id>-<id>. One directory per client keeps databases apart; one
// per host keeps hosts that share a home (NFS) from touching each other's jobs.
remote::RemoteDir new_job_dir(Engine& engine, const std::string& host);

}  // namespace engine
