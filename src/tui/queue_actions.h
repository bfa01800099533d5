// What the keys do to queues: start and stop (drain) a queue's runner from
// the Queues pane; start now, hold/release and move a job that waits in a
// queue from the Jobs and detail panes. Each is one asynchronous engine call;
// its answer (or the engine's refusal) goes to the message line, and a sync
// follows so that the panes show the new state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "tui/host_controller.h"
#include "tui/model.h"
#include "tui/screen.h"

namespace tui {

class QueueActions {
public:
    QueueActions(engine::Engine& engine, Model& model, Screen& screen, HostController& hosts);
    ~QueueActions();
    QueueActions(const QueueActions&) = delete;
    QueueActions& operator=(const QueueActions&) = delete;

    // "start" | "stop" the selected queue's runner.
    void runner(const std::string& op);
    void start_now();
    void toggle_hold();
    void move();

private:
    void submit_move_form(int64_t id);
    // Runs `op` on `ids` (the waiting jobs `what` stands for) and reports once all answered.
    void queued_op(const std::string& op, const std::vector<int64_t>& ids, const std::string& what,
                   const std::string& done_word);
    // What a queued-job operation on `job` acts on: an array's waiting tasks, or the job itself.
    std::vector<store::Job> operands(const store::Job& job);

    engine::Engine& engine_;
    Model& model_;
    Screen& screen_;
    HostController& hosts_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // see HostController::alive_
};

}  // namespace tui
