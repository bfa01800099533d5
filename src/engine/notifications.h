// Job-end notifications: what a job is submitted with, what the host said
// about its message, and the laptop's deliveries for what the host could not
// send (no curl there, dead jobs, a failed POST). Never twice: the host's
// word arrives with the end record itself (remote/protocol.h, exit), and
// every local step is a conditional update (store/notify_repo.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "remote/protocol.h"
#include "store/job.h"
#include "store/notify_repo.h"

namespace engine {

// The policy a new job on `host` is recorded with: `requested` (run
// --notify; empty: the config's) unless it is none or no channel is set up,
// which gives "" (the job never notifies). Throws UsageError for a bad word.
std::string notify_policy_for_job(const Engine& engine, const std::string& host, const std::string& requested);
// The files that let the host send the message itself.
remote::JobSpec::Notify host_notify_spec(const Engine& engine, const store::Job& job);

// A job's end reached us. `record`: its exit record (from the sync facts or
// the journal line); nullopt when the end was concluded without one (dead,
// gone). Decides who sends: the host did (or its policy wanted nothing), or
// the laptop must. Part of the caller's transaction.
void note_end_for_notify(Engine& engine, store::NotifyRepo& repo, const store::Job& job,
                         const std::optional<remote::ExitRecord>& record, int64_t now);
// The same from a journal end line (its notify= fields).
void note_end_event_for_notify(Engine& engine, store::NotifyRepo& repo, const store::Job& job,
                               const remote::JournalEvent& event, int64_t now);

// Sends what is due (after the caller's transaction committed): claims each
// job, POSTs to every channel through the engine's notifier, records the
// result. Jobs whose end came without the host's word for a while (killed
// from here, the wrapper itself killed) are decided here too.
void deliver_notifications(Engine& engine);
// Runs the [notify] command (on this machine) once for each job that ended
// in the last day with a policy that wants its message; the first rj process
// to claim a job runs it. Batch commands wait for it (finish_notifications).
void run_notify_commands(Engine& engine);
// Job `id` was just found stalled (sync): when it was submitted with a
// notify policy and no process has claimed its stall notice yet, sends one
// message to every channel (failures are not retried beyond the sender's
// own retries, and not recorded: the job's end message still comes).
void notify_stalled(Engine& engine, int64_t id);
// (finish_notifications, for the faces, is in engine/jobs.h.)

}  // namespace engine
