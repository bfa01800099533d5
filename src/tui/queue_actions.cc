#include "config.h"

#include "tui/queue_actions.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "engine/queries.h"
#include "util/error.h"
#include "util/strings.h"

namespace tui {

namespace {

std::string with_hint(const std::string& text, const std::string& hint) {
    return hint.empty() ? text : text + " — " + hint;
}

bool still_waits(const store::Job& j) {
    namespace s = store::status;
    return j.status == s::queued || j.status == s::pending || j.status == s::starting;
}

std::string name_of(const store::Job& j) { return (j.is_array() ? "array " : "job ") + std::to_string(j.id); }

}  // namespace

QueueActions::QueueActions(engine::Engine& engine, Model& model, Screen& screen, HostController& hosts)
    : engine_(engine), model_(model), screen_(screen), hosts_(hosts) {}

QueueActions::~QueueActions() { *alive_ = false; }

void QueueActions::runner(const std::string& op) {
    QueueRow row = selected_queue_row(model_);
    if (row.host < 0) {
        hosts_.message("select a queue first: the All row has no runner", true);
        return;
    }
    std::string host = model_.hosts[static_cast<size_t>(row.host)].name;
    std::string queue = row.name(model_);
    std::string what = "queue " + queue + " on " + host;
    hosts_.message((op == "start" ? "starting the runner of " : "stopping the runner of ") + what + "…");
    try {
        engine::queue_command(engine_, host, op, queue, 0,
                              [this, alive = alive_, host, queue, what, op](engine::QueueCommandResult r) {
            if (!*alive) return;
            if (!r.ok()) {
                hosts_.message(what + ": " + with_hint(r.error.empty() ? "the host refused" : r.error, r.hint), true);
                return;
            }
            hosts_.set_host_queues(host, r.queues, true);
            if (op == "start")
                hosts_.message(what + ": runner " + (r.runner == "started" ? "started" : "was already running"));
            else
                hosts_.message(what + " drains: running jobs finish, nothing new starts (S starts it again)");
            hosts_.reload_jobs();
            hosts_.sync_after_action();
            // An idle host is not synced, so it would show "draining" until
            // its next job: ask once more when the runner has had time to exit.
            bool draining = std::any_of(r.queues.begin(), r.queues.end(),
                                        [&](const auto& q) { return q.name == queue && q.state == "draining"; });
            if (op == "stop" && draining) hosts_.refresh_queue_later(host, queue);
        });
    } catch (const util::Error& e) {
        hosts_.message(what + ": " + with_hint(e.what(), e.hint()), true);
    }
}

std::vector<store::Job> QueueActions::operands(const store::Job& job) {
    if (!job.is_array()) return {job};
    // An array's own row stands for its tasks; only those that wait can change.
    std::vector<store::Job> out;
    for (auto& t : engine::array_tasks(engine_, job.id))
        if (still_waits(t)) out.push_back(std::move(t));
    return out;
}

void QueueActions::queued_op(const std::string& op, const std::vector<int64_t>& ids, const std::string& what,
                   const std::string& done_word) {
    struct Tally {
        size_t left = 0;
        size_t ok = 0;
        std::string error;  // the first refusal
    };
    auto tally = std::make_shared<Tally>();
    tally->left = ids.size();
    size_t n = ids.size();
    hosts_.message(what + ": " + op + "…");
    try {
        engine::queued_job_op(engine_, op, ids,
                              [this, alive = alive_, tally, what, done_word, n](engine::QueuedJobResult r) {
            if (!*alive) return;
            if (r.ok()) ++tally->ok;
            else if (tally->error.empty()) tally->error = with_hint(r.error, r.hint);
            if (--tally->left > 0) return;
            // Each id answers once: report when the last has.
            if (tally->error.empty())
                hosts_.message(what + ": " + done_word + (n > 1 ? " (" + std::to_string(n) + " tasks)" : ""));
            else if (tally->ok > 0)
                hosts_.message(what + ": " + done_word + " " + std::to_string(tally->ok) + " of " + std::to_string(n) +
                            " tasks; " + tally->error,
                        true);
            else
                hosts_.message(tally->error, true);
            hosts_.reload_jobs();
            hosts_.sync_after_action();
        });
    } catch (const util::Error& e) {
        hosts_.message(what + ": " + with_hint(e.what(), e.hint()), true);
    }
}

void QueueActions::start_now() {
    const store::Job* j = selected_job(model_);
    if (!j) {
        hosts_.message("no job selected", true);
        return;
    }
    std::string what = name_of(*j);
    std::vector<int64_t> ids;
    for (const auto& t : operands(*j)) ids.push_back(t.id);
    if (ids.empty()) {
        hosts_.message(what + " has no task that still waits", true);
        return;
    }
    queued_op("start-now", ids, what, "started now");
}

void QueueActions::toggle_hold() {
    const store::Job* j = selected_job(model_);
    if (!j) {
        hosts_.message("no job selected", true);
        return;
    }
    std::string what = name_of(*j);
    auto jobs = operands(*j);
    if (jobs.empty()) {
        hosts_.message(what + " has no task that still waits", true);
        return;
    }
    // Held (every task, for an array): release; otherwise hold.
    bool release = std::all_of(jobs.begin(), jobs.end(), [](const store::Job& t) { return t.held; });
    std::vector<int64_t> ids;
    for (const auto& t : jobs) ids.push_back(t.id);
    queued_op(release ? "release" : "hold", ids, what, release ? "released" : "held");
}

void QueueActions::move() {
    const store::Job* j = selected_job(model_);
    if (!j) {
        hosts_.message("no job selected", true);
        return;
    }
    // The engine refuses these too; saying so before the prompt saves typing a host.
    std::string what = name_of(*j);
    if (j->is_array()) {
        hosts_.message(what + " cannot move as a whole: select one of its tasks", true);
        return;
    }
    if (j->queue.empty()) {
        hosts_.message(what + " is not in a queue: only a job that waits in a queue can move", true);
        return;
    }
    if (!still_waits(*j)) {
        hosts_.message(what + " has " + (j->terminal() ? "ended" : "started") + " (" + to_string(j->status) +
                    "); only a job that still waits can move",
                true);
        return;
    }
    Field to;
    to.label = "To host";
    for (const auto& h : engine_.fleet())
        if (h != j->host) to.candidates.push_back(h);
    to.hint = "it waits in queue " + j->queue + " there";
    int64_t id = j->id;
    screen_.open_form(std::make_unique<Form>("Move job " + std::to_string(id) + " from " + j->host,
                                             std::vector<Field>{to}, "move"),
                      [this, id] { submit_move_form(id); });
}

void QueueActions::submit_move_form(int64_t id) {
    Form& form = *screen_.overlays().form;
    Field& f = form.field(0);
    std::string to = util::trim(f.value);
    f.error.clear();
    form.mark();
    if (to.empty()) {
        f.error = "which host? (Tab completes)";
        return;
    }
    std::string what = "job " + std::to_string(id);
    std::string before = model_.message;
    bool before_error = model_.message_is_error;
    hosts_.message("moving " + what + " to " + to + "…");
    try {
        engine::move_queued_job(engine_, id, to, [this, alive = alive_, what, to](engine::QueuedJobResult r) {
            if (!*alive) return;
            if (r.ok()) hosts_.message(what + " moved to " + to + (r.message.empty() ? "" : ": " + r.message));
            else hosts_.message(with_hint(r.error, r.hint), true);
            hosts_.ensure_host(to);
            hosts_.reload_jobs();
            hosts_.sync_after_action();
        });
    } catch (const util::Error& e) {
        // Refused up front (an unknown host, dependencies): nothing moved; the form stays.
        f.error = with_hint(e.what(), e.hint());
        hosts_.message(before, before_error);
        return;
    }
    screen_.overlays().form.reset();
    screen_.mark_all();
}

}  // namespace tui
