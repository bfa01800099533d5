// What becomes of a job: its life as one table (event × current status →
// new status, with the effects that go with it), and the only code that
// changes a job's status. The store's status writers (transition,
// set_status, mark_running, mark_ended, claim_placement, return_to_laptop)
// are called from here and from nowhere else in the engine, so the table is
// the whole truth. docs/ARCHITECTURE.md prints it (table_text()); a unit
// test keeps the two equal.
//
// How a host's report becomes an event is decided before this file, by the
// reader of that kind of host: verdict_from_facts (tmux hosts, built on
// remote::decide) and slurm_verdict (SLURM clusters) turn facts into a
// Verdict; make_end (job_state.cc) turns an end record into a JobEnd.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/job.h"
#include "store/job_repo.h"

namespace engine::lifecycle {

enum class Event {
    Created,         // the row is written and sent at once
    CreatedHeld,     // the row is written; the laptop places it (pools, needs, dependencies)
    CreatedArray,    // an array's own row, which stands for its tasks
    Placed,          // the laptop chose its host and claimed it
    Sent,            // its host took it into a queue (or SLURM into its queue)
    SendFailedKept,  // the send may have reached the host: the next sync finds out
    SendFailedPending,   // host unreachable and --queue-on-fail: sent at the next sync that reaches it
    SendFailedRemoved,   // nothing ran and nothing waits: the row goes
    SendFailedReturned,  // a laptop-placed job not sent: the laptop holds it again
    SendFailedRefused,   // a laptop-placed job its host refused
    Started,         // its wrapper runs it (pid and start time recorded)
    Ended,           // it exited, was signalled or timed out, as its end record says
    Lost,            // gone without an end record
    KillRequested,   // rj kill asked (sent now, or deferred until the host answers)
    Killed,          // a kill (or the user's own signal) ended it, or a waiting job was killed
    Cancelled,       // it never ran: its queue removed (on the host, or by SLURM)
    CancelledDependency,  // a laptop-held job whose dependency can never be met
    Held,            // held in its queue
    Released,        // released in its queue (or started with start-now)
    Moved,           // taken from one host's queue, sent to another's
    Retried,         // a job its host never saw (or a pending one) is sent again
    TasksChanged,    // an array's row follows its tasks
};

// One row of the table.
struct Rule {
    Event event;
    const char* name;                // as the table prints it ("send-failed (kept)")
    std::vector<store::Status> from;  // the statuses it applies to; empty: a new row
    // The status it leads to; several: the caller names one (an end's
    // status); empty: the status stays (only the effects happen).
    std::vector<store::Status> to;
    const char* effects;
};

// Every event, in the order above.
const std::vector<Rule>& table();
const Rule& rule(Event event);

// What `event` makes of a job in `current`: the new status, or nullopt
// when the event does not apply (a late "started" for an ended job).
// `chosen` picks among several outcomes (an end's status); it must be one
// of them.
std::optional<store::Status> next(Event event, store::Status current, std::optional<store::Status> chosen = {});
// The status a new row starts in (a Created* event).
store::Status created(Event event);
// The event an end with this status is: Ended, Lost, Killed or Cancelled.
Event event_for_end(store::Status end_status);

// The table as docs/ARCHITECTURE.md prints it (a Markdown table).
std::string table_text();

// ---- the writers ----
// Each returns true when the row changed. An event that does not apply
// changes nothing and is logged in the job's event history (kind
// "ignored"), so a late or doubled report leaves a trace but no damage.

// An event with one outcome (or none) whose only write is the status.
bool apply(store::JobRepo& jobs, int64_t id, Event event);
// Started: running, with its pid and start time (0: now).
bool start(store::JobRepo& jobs, int64_t id, std::optional<int64_t> pid, int64_t started_at);
// Ended, Lost, Killed or Cancelled (by end.status): the end and its error
// text. The first terminal writer wins, across processes.
bool end(store::JobRepo& jobs, int64_t id, const store::JobEnd& end, const std::string& error = {});
// An end event with one outcome (Killed, Cancelled, CancelledDependency,
// SendFailedRefused) that no end record came with: ended now, with the
// error text.
bool end_now(store::JobRepo& jobs, int64_t id, Event event, const std::string& error);
// Placed: a laptop-held job claimed for its host (only one rj wins).
bool place(store::JobRepo& jobs, const store::JobRepo::Placed& placed);
// Moved: a waiting job rewritten for its new host, starting again there.
bool move(store::JobRepo& jobs, store::Job job);
// Held or Released: the hold flag and why it waits, for a job that still waits.
bool hold(store::JobRepo& jobs, int64_t id, Event event, const std::string& reason);
// TasksChanged: an array's status, start and end recomputed from its tasks.
bool follow_tasks(store::JobRepo& jobs, int64_t array_id);

// What a failed send makes of the jobs it carried: kept (it may have
// reached the host), pending (the host was unreachable and the user asked
// to queue on failure) or removed (nothing ran).
Event after_send_failure(bool maybe_ran, bool unreachable, bool queue_on_fail);
// The same for a job the laptop placed: its GPUs taken meanwhile or its host
// unreachable, it waits on the laptop again; refused, it failed.
Event after_placed_send_failure(bool gpus_taken, bool maybe_ran, bool unreachable);
// Applies a SendFailed* event with the send's error; `back_host` is where
// a returned job waits ("@POOL" for a pool job).
bool send_failed(store::JobRepo& jobs, int64_t id, Event event, const std::string& error,
                 const std::string& back_host = {});

}  // namespace engine::lifecycle
