#include "config.h"

#include "tui/host_controller.h"

#include "engine/tick.h"

#include <algorithm>
#include <ctime>

#include "engine/job_facts.h"
#include "engine/queries.h"
#include "util/error.h"

namespace tui {

HostController::HostController(engine::Engine& engine, Model& model, Views& views)
    : engine_(engine), loop_(engine.loop()), model_(model), views_(views) {
    load_hosts();
}

HostController::~HostController() {
    *alive_ = false;
    for (auto id : timers_) loop_.cancel(id);
}

// ---------------------------------------------------------------- hosts

void HostController::load_hosts() {
    for (const auto& name : engine_.fleet()) {
        HostView h;
        h.name = name;
        h.description = engine_.host_description(name);
        engine::HostStatus st = engine::host_status(engine_, name);
        h.last_seen = st.last_seen;
        h.offline_since = st.offline_since;
        h.probes = engine::probe_history(engine_, name, 60);  // sparklines from the first frame
        model_.hosts.push_back(std::move(h));
    }
}

HostView* HostController::host(const std::string& name) {
    for (auto& h : model_.hosts)
        if (h.name == name) return &h;
    return nullptr;
}

void HostController::ensure_host(const std::string& name) {
    // A job on a host the UI did not list (started by `rj -b run` meanwhile).
    if (name.empty() || host(name)) return;
    HostView h;
    h.name = name;
    h.probes = engine::probe_history(engine_, name, 60);
    model_.hosts.push_back(std::move(h));
    views_.relayout();  // one more meter line
}

void HostController::start_timers() {
    const auto& c = engine_.config();
    auto positive = [](std::chrono::seconds s, int fallback) {
        return s.count() > 0 ? event::Duration(s) : event::Duration(std::chrono::seconds(fallback));
    };
    timers_.push_back(loop_.every(positive(c.sync_interval, 15), [this] { sync(false); }));
    timers_.push_back(loop_.every(positive(c.meter_interval, 10), [this] { poll_meters(); }));
    timers_.push_back(loop_.every(positive(c.log_interval, 2), [this] { poll_log(); }));
    timers_.push_back(loop_.every(std::chrono::seconds(1), [this] { on_clock(); }));
    // First contact right after the first frame, so startup never waits on it.
    timers_.push_back(loop_.after(event::Duration::zero(), [this] {
        poll_meters();
        sync(false);
    }));
}

void HostController::on_clock() {
    model_.now = static_cast<int64_t>(std::time(nullptr));
    // Only running jobs show a ticking clock; nothing else needs a redraw.
    const JobList& list = *model_.jobs;
    for (int64_t i = list.top(); i < list.top() + list.height(); ++i) {
        const store::Job* j = list.at(i);
        if (!j) break;
        if (j->status == store::status::running || j->status == store::status::starting) {
            views_.mark(View::Jobs);
            break;
        }
    }
    if (model_.detail_job && !model_.detail_job->terminal() && model_.detail_mode == DetailMode::Details)
        views_.mark(View::Detail);
}

void HostController::host_failed(HostView& h, const engine::Outcome& failure) {
    std::string why = failure.error.empty() ? "unreachable" : failure.error;
    // Trust and credential problems, and an ssh config rj refuses, are not
    // "offline": the user must act.
    bool config_problem = failure.kind == engine::FailureKind::Trust || failure.kind == engine::FailureKind::Refused;
    if (config_problem) {
        h.state = HostView::State::Error;
        h.error = why + (failure.hint.empty() ? "" : " — " + failure.hint);
    } else {
        h.went_offline(why, model_.now);
    }
    views_.mark(View::Header);
    views_.mark(View::Hosts);
}

void HostController::poll_meters() {
    for (auto& h : model_.hosts) {
        if (h.info_in_flight) continue;
        h.info_in_flight = true;
        if (h.state == HostView::State::Unknown) {
            h.state = HostView::State::Connecting;
            views_.mark(View::Header);
            views_.mark(View::Hosts);
        }
        std::string name = h.name;
        try {
            engine::host_info(engine_, name, [this, alive = alive_, name](engine::HostInfo info) {
                if (!*alive) return;
                HostView* hv = host(name);
                if (!hv) return;
                hv->info_in_flight = false;
                model_.now = static_cast<int64_t>(std::time(nullptr));
                HostView::State before = hv->state;
                if (info.ok()) {
                    hv->record(info, model_.now);  // new sample: the meters move
                    hv->probes = engine::probe_history(engine_, name, 60);
                    views_.mark(View::Detail);
                }
                else host_failed(*hv, info);
                views_.mark(View::Header);
                if (hv->state != before) views_.mark(View::Hosts);
            });
        } catch (const util::Error& e) {
            h.info_in_flight = false;
            h.state = HostView::State::Error;
            h.error = e.what();
            views_.mark(View::Header);
            views_.mark(View::Hosts);
        }
    }
}

void HostController::set_host_queues(const std::string& host_name, const std::vector<engine::QueueState>& queues,
                                     bool merge) {
    HostView* hv = host(host_name);
    if (!hv) return;
    // Rows come and go with the queues: keep the selected queue selected.
    QueueRow cur = selected_queue_row(model_);
    int cur_host = cur.host;
    std::string cur_name = cur.name(model_);
    bool changed = merge ? hv->merge_queues(queues) : hv->set_queues(queues);
    if (!changed) return;
    int row = find_queue_row(model_, cur_host, cur_name);
    model_.queue_cursor = row >= 0 ? row : first_queue_row(model_, cur_host);
    views_.mark(View::Queues);
    views_.mark(View::Detail);  // a waiting job's details mention its queue's runner
}

void HostController::refresh_queue_later(const std::string& host, const std::string& queue) {
    loop_.after(std::chrono::seconds(3), [this, alive = alive_, host, queue] {
        if (!*alive) return;
        try {
            engine::queue_command(engine_, host, "status", queue, 0,
                                  [this, alive = alive_, host](engine::QueueCommandResult r) {
                if (*alive && r.ok()) set_host_queues(host, r.queues, true);
            });
        } catch (const util::Error&) {
            // Only a refresh: the next sync of the host shows its queues anyway.
        }
    });
}

// ---------------------------------------------------------------- sync

std::string HostController::sync_progress() const {
    return "syncing: " + std::to_string(sync_total_ - sync_left_) + "/" + std::to_string(sync_total_) + " host(s)…";
}

void HostController::sync(bool manual) {
    if (manual) {
        // The user asked: try offline hosts again now, not after their backoff.
        for (const auto& h : model_.hosts) engine_.retry_now(h.name);
        poll_meters();
    }
    if (sync_in_flight_) {
        if (manual) message("a sync is already running");
        return;
    }
    sync_quiet_ = false;
    // One engine tick (engine/tick.h): this only shows its progress and report.
    engine::TickRequest request;
    request.hosts = engine::hosts_with_work(engine_);
    for (const auto& h : request.hosts) ensure_host(h);
    // One dispatch round at a time: a tick that starts while the last one's
    // round still runs leaves placement to it.
    request.dispatch = !dispatch_in_flight_;
    dispatch_in_flight_ = dispatch_in_flight_ || request.dispatch;
    bool dispatching = request.dispatch;
    if (request.hosts.empty()) {
        // Another rj (cron, a shell) may have changed the database.
        reload_jobs();
        if (manual) message("nothing to sync: no active jobs; meters refreshed");
    } else {
        sync_in_flight_ = true;
        sync_left_ = sync_total_ = static_cast<int>(request.hosts.size());
        sync_errors_.clear();
        sync_updated_ = 0;
        sync_ended_.clear();
        // A background sync that is quick shows nothing; one that takes a while
        // (a host timing out) shows its progress.
        int generation = ++sync_generation_;
        auto show_progress = [this, generation] {
            if (sync_in_flight_ && generation == sync_generation_) set_progress(sync_progress());
        };
        if (manual) show_progress();
        else loop_.after(std::chrono::seconds(1), [alive = alive_, show_progress] {
            if (*alive) show_progress();
        });
        request.on_host = [this, alive = alive_](const engine::SyncReport& r) {
            if (*alive) host_synced(r);
        };
        request.on_deferred = [this, alive = alive_](const std::string&, const std::vector<engine::DeferredDone>& done) {
            if (*alive) deferred_done(done);
        };
        request.on_synced = [this, alive = alive_, manual] {
            if (*alive) hosts_synced(manual);
        };
    }
    try {
        engine::tick(engine_, std::move(request), [this, alive = alive_, dispatching](engine::TickReport r) {
            if (!*alive) return;
            if (dispatching) dispatch_in_flight_ = false;
            if (r.dispatched) dispatch_done(r.dispatch);
        });
    } catch (...) {
        // Nothing of this tick is in flight any more (a busy database, say):
        // the next one may sync and dispatch.
        sync_in_flight_ = false;
        if (dispatching) dispatch_in_flight_ = false;
        throw;
    }
}

void HostController::host_synced(const engine::SyncReport& r) {
    --sync_left_;
    if (HostView* hv = host(r.host)) {
        if (r.reached) {
            if (hv->state != HostView::State::Online) {
                hv->state = HostView::State::Online;
                hv->offline_since = 0;
                hv->error.clear();
                views_.mark(View::Header);
                views_.mark(View::Hosts);
            }
            hv->last_seen = model_.now;
        } else {
            host_failed(*hv, r);
        }
    }
    // What the host said of its queues replaces what it said before; a
    // host not reached keeps its last known queues.
    // A cluster whose controller did not answer keeps its partitions.
    if (r.reached && !(r.slurm && !r.slurm_ok)) set_host_queues(r.host, r.queues, false);
    if (HostView* hv = host(r.host); hv && r.slurm && r.slurm_ok &&
        (!hv->slurm || hv->slurm_running != r.slurm_running || hv->slurm_pending != r.slurm_pending)) {
        hv->slurm = true;
        hv->slurm_running = r.slurm_running;
        hv->slurm_pending = r.slurm_pending;
        views_.mark(View::Hosts);
    }
    if (!r.reached) sync_errors_.push_back(r.host + ": " + (r.error.empty() ? "unreachable" : r.error));
    sync_updated_ += r.updated + r.started;
    sync_ended_.insert(sync_ended_.end(), r.ended.begin(), r.ended.end());
    if (r.updated + r.started > 0) reload_jobs();
    if (!model_.progress.empty() && sync_left_ > 0) set_progress(sync_progress());
}

void HostController::hosts_synced(bool manual) {
    sync_in_flight_ = false;
    set_progress("");
    reload_jobs();
    if (!sync_errors_.empty())
        message("sync: " + std::to_string(sync_errors_.size()) + " host(s) unreachable — " + sync_errors_.front(),
                true);
    else if (!sync_ended_.empty())
        announce_ends();
    else if (manual || (sync_updated_ > 0 && !sync_quiet_))
        message("synced " + std::to_string(sync_total_) + " host(s): " + std::to_string(sync_updated_) +
                " job(s) changed");
    // This sync may have asked the hosts before the action took effect.
    if (sync_again_) sync_after_action();
}

void HostController::deferred_done(const std::vector<engine::DeferredDone>& done) {
    std::string text;
    for (const auto& d : done) {
        if (d.still_waiting) continue;
        text += (text.empty() ? "" : " · ") + std::string("job ") + std::to_string(d.op.job_id) + ": deferred " +
                d.op.op + (d.ok ? " done" : " failed: " + d.message);
    }
    if (!text.empty()) message(text);
    reload_jobs();
}

void HostController::dispatch_done(const engine::DispatchReport& r) {
    if (r.changes.empty()) return;
    reload_jobs();
    std::string text;
    for (size_t i = 0; i < r.changes.size() && i < 2; ++i)
        text += (i ? " · " : "") + std::string("job ") + std::to_string(r.changes[i].id) + " " + r.changes[i].text;
    if (r.changes.size() > 2) text += " · +" + std::to_string(r.changes.size() - 2) + " more";
    message(text);
}

// "job 12 completed · job 13 failed (exit 3)" in the status line, and the
// bell when the config asks for it: the user may be looking elsewhere.
void HostController::announce_ends() {
    std::string text;
    bool failed = false;
    size_t shown = 0;
    for (int64_t id : sync_ended_) {
        store::Job j;
        try {
            j = engine::get_job(engine_, id);
        } catch (const util::Error&) {
            continue;  // pruned meanwhile
        }
        failed = failed || j.status != store::status::completed;
        if (++shown > 3) continue;
        text += (text.empty() ? "" : " \u00b7 ") + std::string("job ") + std::to_string(id) + " " + engine::status_words(j);
    }
    if (shown == 0) return;
    if (shown > 3) text += " and " + std::to_string(shown - 3) + " more";
    message(text, failed);
    if (engine_.config().notify.bell) views_.bell();
}

void HostController::sync_after_action() {
    if (sync_in_flight_) {
        sync_again_ = true;
        sync_quiet_ = true;  // the answer in flight must not hide the action's message either
        return;
    }
    sync_again_ = false;
    sync(false);
    sync_quiet_ = true;
}

void HostController::callback_failed(const std::string& error, const std::string& hint) {
    // A tick whose callback failed never finishes: its dispatch round is not
    // coming, so the next tick runs one. (Two rounds at once would be safe
    // anyway: the second finds the dispatch lock held and leaves placement.)
    dispatch_in_flight_ = false;
    if (engine::is_database_busy(error)) {
        // Another rj held the database: nothing was written (each host's
        // answer is applied in one transaction), so ask again shortly.
        message("database busy (another rj is writing); trying again", true);
        timers_.push_back(loop_.after(kDbBusyRetry, [this, alive = alive_] {
            if (*alive) sync(false);
        }));
        return;
    }
    message(error + (hint.empty() ? "" : " — " + hint), true);
}

// ---------------------------------------------------------------- the job list

void HostController::apply_filter() {
    store::JobFilter f;
    f.statuses = filter_statuses(model_.status_filter);
    f.host = model_.host_filter;
    f.search = model_.search;
    model_.jobs->set_filter(std::move(f));
    update_queue_counts();
    selection_changed();
    views_.mark(View::Jobs);
}

void HostController::reload_jobs() {
    if (model_.jobs->refresh()) views_.mark(View::Jobs);
    update_queue_counts();
    selection_changed();
}

void HostController::update_queue_counts() {
    for (auto& h : model_.hosts) {
        store::JobFilter f;
        f.host = h.name;
        f.statuses = {store::status::pending, store::status::queued};
        int64_t waiting = engine::count_jobs(engine_, f);
        f.statuses = {store::status::starting, store::status::running};
        int64_t running = engine::count_jobs(engine_, f);
        if (waiting != h.waiting || running != h.running) views_.mark(View::Queues);
        h.waiting = waiting;
        h.running = running;
    }
}

void HostController::selection_changed() {
    const store::Job* j = model_.jobs->selected();
    bool same_job = j && model_.detail_job && model_.detail_job->id == j->id;
    if (j) {
        if (!same_job || !(*model_.detail_job == *j)) views_.mark(View::Detail);
        model_.detail_job = *j;
        auto deferred = engine::deferred_for_job(engine_, j->id);
        if (deferred.size() != model_.detail_deferred.size()) views_.mark(View::Detail);
        model_.detail_deferred = std::move(deferred);
    } else if (model_.detail_job) {
        model_.detail_job.reset();
        views_.mark(View::Detail);
    }
    if (!same_job) {
        model_.detail_scroll = 0;
        if (model_.detail_mode == DetailMode::Log) poll_log(true);
    }
}

// ---------------------------------------------------------------- the job in view

void HostController::poll_usage() {
    if (model_.detail_mode != DetailMode::Details || !model_.detail_job) return;
    const store::Job& job = *model_.detail_job;
    if (job.status != store::status::running || model_.usage_in_flight) return;
    if (model_.usage_job != job.id) model_.usage.reset();
    model_.usage_job = job.id;
    model_.usage_in_flight = true;
    int64_t id = job.id;
    try {
        engine::job_usage(engine_, id, [this, alive = alive_, id](engine::JobUsage u) {
            if (!*alive) return;
            model_.usage_in_flight = false;
            if (model_.usage_job != id) return;  // the user moved on
            model_.usage = u;
            views_.mark(View::Detail);
        });
    } catch (const util::Error&) {
        model_.usage_in_flight = false;
    }
}

void HostController::poll_log(bool restart) {
    poll_usage();
    LogView& log = model_.log;
    if (model_.detail_mode != DetailMode::Log || !model_.detail_job) return;
    const store::Job& job = *model_.detail_job;
    if (restart || log.job_id() != job.id) {
        log.reset(job.id);
        views_.mark(View::Detail);
    }
    if (log.in_flight) return;
    engine::LogRequest req;
    req.id = job.id;
    if (log.loaded && !log.cached) {
        // Follow: only bytes after what we have, and only while it runs
        // (one more fetch after it ends picks up the last output).
        if (!log.running) return;
        req.byte_offset = log.next_offset;
    } else {
        req.tail_lines = 2000;
    }
    log.in_flight = true;
    bool follow = req.byte_offset >= 0;
    int64_t id = job.id;
    try {
        engine::fetch_log(engine_, req, [this, alive = alive_, id, follow](engine::LogResult r) {
            if (!*alive) return;
            LogView& lv = model_.log;
            if (lv.job_id() != id) return;  // the user moved on
            lv.in_flight = false;
            if (!r.ok() && !r.cached) {
                lv.error = r.error + (r.hint.empty() ? "" : " — " + r.hint);
                lv.loaded = true;
                lv.running = false;
            } else {
                if (follow && !r.cached) lv.append(r.text);
                else lv.replace(r.text);
                lv.error.clear();
                lv.cached = r.cached;
                lv.cached_at = r.cached_at;
                lv.running = r.running;
                lv.next_offset = r.next_offset;
                lv.loaded = true;
                // The host says it ended while the list still says it runs:
                // sync now rather than at the next tick of the sync timer.
                if (!r.running && !r.cached && model_.detail_job && model_.detail_job->id == id &&
                    !model_.detail_job->terminal())
                    sync(false);
            }
            views_.mark(View::Detail);
        });
    } catch (const util::Error& e) {
        log.in_flight = false;
        log.loaded = true;
        log.error = e.what();
    }
}

// ---------------------------------------------------------------- the message line

void HostController::message(std::string text, bool error) {
    if (text == model_.message && error == model_.message_is_error) return;
    model_.message = std::move(text);
    model_.message_is_error = error;
    views_.mark(View::Message);
}

void HostController::set_progress(std::string text) {
    if (text == model_.progress) return;
    model_.progress = std::move(text);
    views_.mark(View::Message);
}

}  // namespace tui
