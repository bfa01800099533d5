#include "config.h"

#include "engine/lifecycle.h"

#include <algorithm>
#include <ctime>

#include "store/job_event_repo.h"
#include "util/error.h"

namespace engine::lifecycle {

namespace {

using store::Status;
using S = std::vector<Status>;

const S kWaiting{Status::Pending, Status::Queued, Status::Starting};
const S kNotEnded{Status::Pending, Status::Queued, Status::Starting, Status::Running};

const std::vector<Rule>& rules() {
    // One row per event, in Event's order (rule() indexes by it).
    static const std::vector<Rule> t = {
        {Event::Created, "created", {}, {Status::Starting}, "sent to its host at once"},
        {Event::CreatedHeld, "created (held by the laptop)", {}, {Status::Pending},
         "waits until rj places it (pool, needs, dependencies)"},
        {Event::CreatedArray, "created (an array's row)", {}, {Status::Queued}, "follows its tasks"},
        {Event::Placed, "placed", {Status::Pending}, {Status::Starting},
         "host, directory and GPUs recorded; sent at once (one rj wins)"},
        {Event::Sent, "sent", {Status::Starting, Status::Pending}, {Status::Queued},
         "waits in its host's queue (SLURM: its cluster id recorded)"},
        {Event::SendFailedKept, "send-failed (kept)", {Status::Starting, Status::Queued}, {},
         "error recorded; the next sync asks the host what became of it"},
        {Event::SendFailedPending, "send-failed (pending)", {Status::Starting}, {Status::Pending},
         "error recorded; sent at the next sync that reaches the host"},
        {Event::SendFailedRemoved, "send-failed (removed)", {Status::Starting, Status::Queued}, {},
         "the row is removed (an array's row with its tasks): nothing ran"},
        {Event::SendFailedReturned, "send-failed (returned)", {Status::Starting}, {Status::Pending},
         "held by the laptop again, with the reason; the next round places it"},
        {Event::SendFailedRefused, "send-failed (refused)", {Status::Starting}, {Status::Failed},
         "ended now, with the host's error"},
        {Event::Started, "started", kNotEnded, {Status::Running}, "pid and start time recorded"},
        {Event::Ended, "ended", kNotEnded, {Status::Completed, Status::Failed, Status::Timeout},
         "exit code or signal, end time, CPU and usage recorded (first writer wins)"},
        {Event::Lost, "lost", kNotEnded, {Status::Dead}, "end time recorded, with why"},
        {Event::KillRequested, "kill-requested", kNotEnded, {},
         "kill sent; for an unreachable host, deferred to the next sync that reaches it"},
        {Event::Killed, "killed", kNotEnded, {Status::Killed}, "end time (and signal) recorded"},
        {Event::Cancelled, "cancelled (queue removed)", kNotEnded, {Status::Cancelled},
         "end time recorded, with the reason"},
        {Event::CancelledDependency, "cancelled (dependency never met)", {Status::Pending}, {Status::Cancelled},
         "end time recorded, with the dependency that failed"},
        {Event::Held, "held", kWaiting, {}, "held flag and reason recorded"},
        {Event::Released, "released", kWaiting, {}, "held flag cleared"},
        {Event::Moved, "moved", kWaiting, {Status::Starting}, "new host and directory recorded; sent there"},
        {Event::Retried, "retried", {Status::Pending, Status::Starting}, {},
         "sent again as recorded; the send's answer is the next event"},
        {Event::TasksChanged, "tasks-changed (an array's row)", store::all_statuses(),
         {Status::Running, Status::Queued, Status::Completed, Status::Failed, Status::Killed, Status::Cancelled},
         "running while a task runs, queued while one waits, else how its tasks ended"},
    };
    return t;
}

bool has(const S& set, Status s) { return std::find(set.begin(), set.end(), s) != set.end(); }

std::string names(const S& set) {
    std::string out;
    for (Status s : set) out += (out.empty() ? "" : ", ") + std::string(store::to_string(s));
    return out;
}

// The event did not apply: the row is left alone, and its history says so.
void ignored(store::JobRepo& jobs, int64_t id, Event event) {
    auto job = jobs.get(id);
    if (!job) return;  // removed meanwhile: nothing to tell
    const Rule& r = rule(event);
    // The same news again (a queued job reported queued) is no news.
    if (r.to.size() == 1 && job->status == r.to.front()) return;
    store::JobEventRepo(jobs.db()).append(id, "ignored",
                                          std::string(r.name) + " while " + store::to_string(job->status));
}

int64_t now() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace

const std::vector<Rule>& table() { return rules(); }

const Rule& rule(Event event) {
    const Rule& r = rules().at(static_cast<size_t>(event));
    if (r.event != event) throw util::Error("lifecycle table out of order");
    return r;
}

std::optional<Status> next(Event event, Status current, std::optional<Status> chosen) {
    const Rule& r = rule(event);
    if (!has(r.from, current)) return std::nullopt;
    if (r.to.empty()) return current;
    if (r.to.size() == 1) return r.to.front();
    if (chosen && has(r.to, *chosen)) return *chosen;
    return std::nullopt;
}

Status created(Event event) {
    const Rule& r = rule(event);
    if (!r.from.empty() || r.to.size() != 1) throw util::Error(std::string(r.name) + " does not create a row");
    return r.to.front();
}

Event event_for_end(Status s) {
    switch (s) {
    case Status::Dead: return Event::Lost;
    case Status::Killed: return Event::Killed;
    case Status::Cancelled: return Event::Cancelled;
    default: return Event::Ended;
    }
}

std::string table_text() {
    std::string out = "| event | from | to | effects |\n|---|---|---|---|\n";
    for (const Rule& r : rules()) {
        out += "| " + std::string(r.name) + " | " + (r.from.empty() ? "(new row)" : names(r.from)) + " | " +
               (r.to.empty() ? "(unchanged)" : names(r.to)) + " | " + r.effects + " |\n";
    }
    return out;
}

bool apply(store::JobRepo& jobs, int64_t id, Event event) {
    const Rule& r = rule(event);
    if (r.from.empty() || r.to.size() != 1) throw util::Error(std::string(r.name) + " is not a plain status change");
    if (jobs.transition(id, r.from, r.to.front())) return true;
    ignored(jobs, id, event);
    return false;
}

bool start(store::JobRepo& jobs, int64_t id, std::optional<int64_t> pid, int64_t started_at) {
    auto job = jobs.get(id);
    if (!job) return false;
    if (!next(Event::Started, job->status)) {
        ignored(jobs, id, Event::Started);
        return false;
    }
    if (job->status == Status::Running && job->pid == pid && job->started_at == started_at) return false;
    if (jobs.mark_running(id, pid, started_at > 0 ? started_at : now())) return true;
    ignored(jobs, id, Event::Started);  // ended meanwhile, by another process
    return false;
}

bool end(store::JobRepo& jobs, int64_t id, const store::JobEnd& e, const std::string& error) {
    Event event = event_for_end(e.status);
    const Rule& r = rule(event);
    if (!has(r.to, e.status)) throw util::Error(std::string("an end cannot be ") + store::to_string(e.status));
    if (!jobs.mark_ended(id, e, r.from)) {  // gone, or another writer ended it first
        ignored(jobs, id, event);
        return false;
    }
    if (!error.empty()) jobs.set_error(id, error);
    return true;
}

bool end_now(store::JobRepo& jobs, int64_t id, Event event, const std::string& error) {
    const Rule& r = rule(event);
    if (r.to.size() != 1 || !store::is_terminal_status(r.to.front()))
        throw util::Error(std::string(r.name) + " is not an end");
    store::JobEnd e;
    e.status = r.to.front();
    e.ended_at = now();
    if (!jobs.mark_ended(id, e, r.from)) {
        ignored(jobs, id, event);
        return false;
    }
    if (!error.empty()) jobs.set_error(id, error);
    return true;
}

bool place(store::JobRepo& jobs, const store::JobRepo::Placed& placed) {
    if (jobs.claim_placement(placed)) return true;
    ignored(jobs, placed.id, Event::Placed);  // another rj placed, cancelled or killed it first
    return false;
}

bool move(store::JobRepo& jobs, store::Job job) {
    auto cur = jobs.get(job.id);
    if (!cur) return false;
    if (!next(Event::Moved, cur->status)) {
        ignored(jobs, job.id, Event::Moved);
        return false;
    }
    jobs.update(job);  // its new host and directory (update leaves the status alone)
    const Rule& r = rule(Event::Moved);
    if (jobs.transition(job.id, r.from, r.to.front())) return true;
    ignored(jobs, job.id, Event::Moved);  // ended meanwhile
    return false;
}

bool hold(store::JobRepo& jobs, int64_t id, Event event, const std::string& reason) {
    if (event != Event::Held && event != Event::Released) throw util::Error(std::string(rule(event).name) + " is not a hold");
    auto job = jobs.get(id);
    if (!job) return false;
    if (!next(event, job->status)) {
        ignored(jobs, id, event);  // it started (or ended) since it was asked
        return false;
    }
    jobs.set_queue_state(id, event == Event::Held, reason);
    return true;
}

bool follow_tasks(store::JobRepo& jobs, int64_t array_id) { return jobs.refresh_array(array_id); }

Event after_send_failure(bool maybe_ran, bool unreachable, bool queue_on_fail) {
    if (maybe_ran) return Event::SendFailedKept;
    if (unreachable && queue_on_fail) return Event::SendFailedPending;
    return Event::SendFailedRemoved;
}

Event after_placed_send_failure(bool gpus_taken, bool maybe_ran, bool unreachable) {
    if (gpus_taken) return Event::SendFailedReturned;  // nothing ran; placed again next round
    if (maybe_ran) return Event::SendFailedKept;
    if (unreachable) return Event::SendFailedReturned;
    return Event::SendFailedRefused;
}

bool send_failed(store::JobRepo& jobs, int64_t id, Event event, const std::string& error,
                 const std::string& back_host) {
    switch (event) {
    case Event::SendFailedKept:
    case Event::SendFailedRemoved: {
        auto job = jobs.get(id);
        if (!job) return false;
        if (!next(event, job->status)) {
            ignored(jobs, id, event);
            return false;
        }
        if (event == Event::SendFailedKept) jobs.set_error(id, error);
        else jobs.remove(id);
        return true;
    }
    case Event::SendFailedPending:
        if (!apply(jobs, id, event)) return false;
        jobs.set_error(id, error);
        return true;
    case Event::SendFailedReturned:
        if (jobs.return_to_laptop(id, back_host, error)) return true;
        ignored(jobs, id, event);
        return false;
    case Event::SendFailedRefused: return end_now(jobs, id, event, error);
    default: throw util::Error(std::string(rule(event).name) + " is not a failed send");
    }
}

}  // namespace engine::lifecycle
