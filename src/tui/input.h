// The input part of the interface: keys (and mouse clicks) from the
// terminal, routed to whatever answers them now — the first dialog, the help
// screen, the form, the search line — or else through the keymap to an
// action: navigation and filters here, job and queue operations in
// JobActions and QueueActions.
#pragma once

#include "tui/host_controller.h"
#include "tui/job_actions.h"
#include "tui/keymap.h"
#include "tui/model.h"
#include "tui/queue_actions.h"
#include "tui/screen.h"

namespace tui {

class Input {
public:
    Input(Model& model, Screen& screen, HostController& hosts, JobActions& jobs, QueueActions& queues);

    // Reads every key the terminal has (stdin was readable).
    void read_keys();
    // The user quit, or the terminal went away.
    bool quit() const { return quit_; }

private:
    void route(Key key);
    void act(Action a);
    void search_key(Key key);
    void mouse();
    void move_selection(long delta, bool page = false);
    void go_home_end(bool end);
    void cycle_focus(int dir);
    void set_host_row(int row);
    void set_queue_row(int row);
    // The host the left panes select narrows the job list.
    void filter_host(const std::string& host);

    Model& model_;
    Screen& screen_;
    Overlays& overlays_;
    HostController& hosts_;
    JobActions& jobs_;
    QueueActions& queues_;
    bool quit_ = false;
    int idle_reads_ = 0;  // stdin readable but no key: the terminal went away
};

}  // namespace tui
