// The full-screen interface as one event source on the engine's loop: it
// watches the keyboard, routes keys to the open dialog/form/help or to the
// keymap, runs engine calls (all asynchronous) and draws once per loop
// iteration when something changed: wnoutrefresh per dirty pane, one doupdate.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/jobs.h"
#include "event/source.h"
#include "tui/detail_pane.h"
#include "tui/dialog.h"
#include "tui/form.h"
#include "tui/function_bar.h"
#include "tui/header_pane.h"
#include "tui/help.h"
#include "tui/hosts_pane.h"
#include "tui/jobs_pane.h"
#include "tui/keymap.h"
#include "tui/layout.h"
#include "tui/model.h"
#include "tui/queues_pane.h"

namespace tui {

// Another rj writing to the database: the UI's writes wait at most this
// long (instead of the batch mode's seconds), then it asks again after
// kDbBusyRetry.
inline constexpr int kUiDbBusyTimeoutMs = 250;
inline constexpr event::Duration kDbBusyRetry = std::chrono::seconds(1);

struct UiOptions {
    bool mouse = false;
    std::string color = "auto";
    bool exit_after_first_frame = false;  // RJ_EXIT_AFTER_FIRST_FRAME: for the startup benchmark
};

class Ui : public event::Source {
public:
    Ui(engine::Engine& engine, UiOptions options);
    ~Ui() override;
    Ui(const Ui&) = delete;
    Ui& operator=(const Ui&) = delete;

    // Runs until the user quits (or a signal asks to). Returns the exit status.
    int run();

    // event::Source
    void interests(std::vector<event::Interest>& out) override;
    event::Duration wait_time(event::TimePoint now) override;
    void tick(event::TimePoint now, const event::Readiness& ready) override;

private:
    // --- screen (ui.cc)
    void start_screen();
    void stop_screen();
    void relayout();
    void resize();
    void render();
    bool any_dirty() const;
    void mark_all();
    void suspend();
    void update_bar();
    // --- input (ui.cc)
    void read_keys();
    void route(Key key);
    void mouse();
    void search_key(Key key);
    // --- actions (ui_actions.cc)
    void act(Action a);
    void move_selection(long delta, bool page = false);
    void go_home_end(bool end);
    void cycle_focus(int dir);
    void set_host_row(int row);
    void set_queue_row(int row);
    void apply_filter();
    void selection_changed();
    void reload_jobs();
    void update_queue_counts();
    void open_job_form(const engine::SubmitRequest& request, const std::string& title);
    void submit_form();
    void submit(engine::SubmitRequest request);
    void kill_selected();
    void restart_selected();
    void forget_selected();
    void prune();
    void attach();
    void open_dialog(std::string title, std::vector<std::string> lines, Dialog::Kind kind,
                     std::function<void(bool)> done);
    void open_dialog(std::unique_ptr<Dialog> dialog);
    // --- queues (ui_queues.cc)
    void queue_runner(const std::string& op);  // "start" | "stop" the selected queue's runner
    void refresh_queue_later(const std::string& host, const std::string& queue);  // a draining queue's end
    void start_now_selected();
    void toggle_hold_selected();
    void move_selected();
    void submit_move_form(int64_t id);
    // Runs `op` on `ids` (the waiting jobs `what` stands for) and reports once all answered.
    void queued_op(const std::string& op, const std::vector<int64_t>& ids, const std::string& what,
                   const std::string& done_word);
    // What a queued-job operation on `job` acts on: an array's waiting tasks, or the job itself.
    std::vector<store::Job> operands(const store::Job& job);
    // New queue states for `host`: all of them (a sync) or some (merge). Keeps the selected queue selected.
    void set_host_queues(const std::string& host, const std::vector<engine::QueueState>& queues, bool merge);
    const store::Job* selected_job();
    void message(std::string text, bool error = false);
    void announce_ends();
    void set_progress(std::string text);
    // --- remote work and timers (ui_remote.cc)
    void load_hosts();
    std::vector<std::string> ui_hosts();
    HostView* host(const std::string& name);
    void ensure_host(const std::string& name);
    void start_timers();
    void poll_meters();
    void sync(bool manual);
    // A sync after a queue action, so the panes show its effect; it leaves the
    // action's message on the message line (unless a host cannot be reached).
    void sync_after_action();
    void poll_log(bool restart = false);
    // Refreshes the live resource use of the running job in the Details view.
    void poll_usage();
    void on_clock();
    void ask_host_key(const engine::Engine::HostKeyQuestion& q, std::function<void(bool)> answer);
    void ask_passphrase(const std::string& key_path, engine::Engine::PassphraseAnswer answer);
    void host_failed(HostView& h, const std::string& error, const std::string& hint);

    engine::Engine& engine_;
    event::Loop& loop_;
    UiOptions options_;
    Model model_;
    Layout layout_;

    HeaderPane header_;
    HostsPane hosts_pane_;
    QueuesPane queues_pane_;
    JobsPane jobs_pane_;
    DetailPane detail_pane_;
    MessageLine message_line_;
    FunctionBar bar_;
    std::unique_ptr<Form> form_;
    std::function<void()> form_submit_;  // what Enter in the open form does
    std::optional<int64_t> form_from_;  // R: the job the form repeats
    engine::SubmitRequest form_request_;  // what the job form was opened with (settings it does not show)
    std::deque<std::unique_ptr<Dialog>> dialogs_;
    std::unique_ptr<HelpScreen> help_;

    SCREEN* screen_ = nullptr;
    bool screen_on_ = false;
    bool quit_ = false;
    // Engine callbacks can outlive the Ui: each holds this token and does
    // nothing once the destructor has set it to false.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    bool frames_drawn_ = false;
    bool cursor_visible_ = false;
    int idle_reads_ = 0;  // stdin readable but no key: the terminal went away
    bool sync_in_flight_ = false;
    bool sync_quiet_ = false;   // the sync in flight follows an action: no "synced" message
    bool sync_again_ = false;   // an action asked for a sync while one was in flight
    int sync_left_ = 0, sync_total_ = 0;
    std::vector<std::string> sync_errors_;
    int sync_updated_ = 0;
    std::vector<int64_t> sync_ended_;  // jobs whose end this sync recorded
    int sync_generation_ = 0;
    std::vector<event::Loop::TimerId> timers_;
    std::string last_host_;  // the host of the last job started from a form
};

}  // namespace tui
