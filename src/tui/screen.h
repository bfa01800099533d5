// The rendering part of the interface: the curses screen, the layout, the
// panes and the overlays' places. Whoever changes the model marks what it
// shows (Views); render() redraws only the marked panes, with wnoutrefresh
// per pane and one doupdate per loop iteration.
#pragma once

#include <curses.h>

#include <array>
#include <functional>
#include <memory>
#include <string>

#include "tui/detail_pane.h"
#include "tui/function_bar.h"
#include "tui/header_pane.h"
#include "tui/hosts_pane.h"
#include "tui/jobs_pane.h"
#include "tui/layout.h"
#include "tui/model.h"
#include "tui/overlays.h"
#include "tui/queues_pane.h"
#include "tui/views.h"

namespace tui {

class Screen : public Views {
public:
    Screen(Model& model, Overlays& overlays, bool mouse, std::string color);
    ~Screen() override;
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    // Takes the terminal (throws util::Error when curses cannot) / gives it back.
    void start();
    void stop();
    bool on() const { return on_; }

    // Views
    void mark(View view) override;
    void mark_all() override;
    void relayout() override;
    void bell() override;

    bool any_dirty() const;
    // Draws what is marked: one doupdate.
    void render();
    // The terminal changed size (SIGWINCH, or back from somewhere else).
    void resize();
    // SIGCONT: the terminal's contents are unknown, draw everything again.
    void redraw_all();
    // Leaves curses mode while `outside` runs (ssh attached to a job, the
    // shell's job control), then comes back at the terminal's size.
    void step_outside(const std::function<void()>& outside);
    // Ctrl-Z: stop the way the shell expects.
    void suspend();

    // Overlays open at their place for this terminal size.
    void open_dialog(std::unique_ptr<Dialog> dialog);
    void open_form(std::unique_ptr<Form> form, std::function<void()> on_submit);
    void open_help();
    Overlays& overlays() { return overlays_; }
    // The function-key bar shows the keys of whatever answers them now.
    void update_bar();

    // Where things are, for the mouse and for paging.
    const HostsPane& hosts_pane() const { return hosts_pane_; }
    const QueuesPane& queues_pane() const { return queues_pane_; }
    const JobsPane& jobs_pane() const { return jobs_pane_; }
    const DetailPane& detail_pane() const { return detail_pane_; }

private:
    // The panes under the overlays, in drawing order.
    std::array<Pane*, 7> panes();
    std::array<const Pane*, 7> panes() const;
    void place_overlays();

    Model& model_;
    Overlays& overlays_;
    bool mouse_;
    std::string color_;
    Layout layout_;
    HeaderPane header_;
    HostsPane hosts_pane_;
    QueuesPane queues_pane_;
    JobsPane jobs_pane_;
    DetailPane detail_pane_;
    MessageLine message_line_;
    FunctionBar bar_;
    SCREEN* screen_ = nullptr;
    bool on_ = false;
    bool cursor_visible_ = false;
};

}  // namespace tui
