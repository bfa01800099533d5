// The interface's remote work, with no terminal in it: the host list, the
// timers (periodic sync, host meters, the log tail and live usage of the job
// in view, the ticking clock), the answers of those engine calls applied to
// the model, and the job list reloaded from the database after them. Every
// engine call is asynchronous; a dead host only turns its line grey. It tells
// the screen what changed through Views, so it runs (and can be tested)
// without curses.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/jobs.h"
#include "engine/tick.h"
#include "event/loop.h"
#include "tui/model.h"
#include "tui/views.h"

namespace tui {

// Another rj writing to the database: the UI's writes wait at most this
// long (instead of the batch mode's seconds), then it asks again after
// kDbBusyRetry.
inline constexpr int kUiDbBusyTimeoutMs = 250;
inline constexpr event::Duration kDbBusyRetry = std::chrono::seconds(1);

class HostController {
public:
    // Loads the fleet into `model` (hosts with their last known state).
    HostController(engine::Engine& engine, Model& model, Views& views);
    ~HostController();
    HostController(const HostController&) = delete;
    HostController& operator=(const HostController&) = delete;

    // The periodic work; first contact right after the first frame.
    void start_timers();

    // --- hosts
    HostView* host(const std::string& name);
    // Adds a host the list did not have (a job started there by `rj -b run` meanwhile).
    void ensure_host(const std::string& name);
    // New queue states for `host`: all of them (a sync) or some (merge). Keeps the selected queue selected.
    void set_host_queues(const std::string& host, const std::vector<engine::QueueState>& queues, bool merge);
    // Asks once more for a draining queue's state, when its runner has had time to exit.
    void refresh_queue_later(const std::string& host, const std::string& queue);
    void poll_meters();

    // --- sync
    // One engine tick (engine/tick.h: sync, deferred operations, dispatch,
    // digest), its progress and report shown as they come.
    // `manual`: the user asked, so offline hosts are tried again now and the result is always reported.
    void sync(bool manual);
    // A sync after an action, so the panes show its effect; it leaves the
    // action's message on the message line (unless a host cannot be reached).
    void sync_after_action();
    // The jobs the last sync saw end, in the status line (and the bell).
    void announce_ends();
    // A remote operation's callback failed (engine::Engine::on_callback_error).
    void callback_failed(const std::string& error, const std::string& hint);

    // --- the job list and the job in view
    // The filter in the model changed: reload the list from the top.
    void apply_filter();
    // The database changed (a sync, an action, another rj): reload, keeping the selection.
    void reload_jobs();
    // The selected job may be another one: the detail pane follows it.
    void selection_changed();
    // Fetches the log of the job in view (`restart`: from its tail again).
    void poll_log(bool restart = false);

    // --- the message line
    void message(std::string text, bool error = false);
    void set_progress(std::string text);

private:
    void load_hosts();
    void update_queue_counts();
    void poll_usage();
    void on_clock();
    void host_failed(HostView& h, const engine::Outcome& failure);
    std::string sync_progress() const;  // "syncing: 1/3 host(s)…"
    // The tick's steps as they land: one host's answer; all hosts answered;
    // kill/hold/release kept while a host was unreachable, carried out now
    // that a sync reached it; the dispatch round (the interface is one of
    // the places the laptop decides: pools, cross-host --after).
    void host_synced(const engine::SyncReport& r);
    void hosts_synced(bool manual);
    void deferred_done(const std::vector<engine::DeferredDone>& done);
    void dispatch_done(const engine::DispatchReport& r);

    engine::Engine& engine_;
    event::Loop& loop_;
    Model& model_;
    Views& views_;
    // Engine callbacks can outlive the controller: each holds this token and
    // does nothing once the destructor has set it to false.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::vector<event::Loop::TimerId> timers_;
    bool sync_in_flight_ = false;
    bool sync_quiet_ = false;  // the sync in flight follows an action: no "synced" message
    bool dispatch_in_flight_ = false;
    bool sync_again_ = false;  // an action asked for a sync while one was in flight
    int sync_left_ = 0, sync_total_ = 0;
    std::vector<std::string> sync_errors_;
    int sync_updated_ = 0;
    std::vector<int64_t> sync_ended_;  // jobs whose end this sync recorded
    int sync_generation_ = 0;
};

}  // namespace tui
