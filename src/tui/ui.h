// The full-screen interface as one event source on the engine's loop. It
// owns the model and the three parts that work on it, and wires them
// together:
// - Screen (rendering): the curses screen, the layout, the panes and the
//   overlays' places; one doupdate per loop iteration when something changed;
// - Input (with JobActions and QueueActions): keys routed to the open
//   dialog/form/help or through the keymap to actions;
// - HostController: the host list, periodic sync, meters, log and usage
//   polling, queue refreshes — engine calls on timers, their answers applied
//   to the model. It draws nothing; it marks what changed through Views.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "event/source.h"
#include "tui/host_controller.h"
#include "tui/input.h"
#include "tui/job_actions.h"
#include "tui/model.h"
#include "tui/overlays.h"
#include "tui/queue_actions.h"
#include "tui/screen.h"

namespace tui {

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
    bool quitting() const { return quit_ || input_.quit(); }

    engine::Engine& engine_;
    event::Loop& loop_;
    UiOptions options_;
    Model model_;
    Overlays overlays_;
    Screen screen_;
    HostController hosts_;
    JobActions job_actions_;
    QueueActions queue_actions_;
    Input input_;
    bool quit_ = false;  // a signal asked to quit
    // The SSH prompts and the error callback are kept by the engine (and by
    // sessions, which copy the prompts): each holds this token and does
    // nothing once the destructor has set it to false.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace tui
