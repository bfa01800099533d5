// What the keys do to jobs: the job form (new, edit and restart), restart,
// kill, remove, prune and attach, and the dialogs SSH asks for (host keys,
// passphrases). Remote work is started here and finishes in engine
// callbacks; nothing waits. Queue operations are QueueActions'.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "engine/jobs.h"
#include "engine/plan.h"
#include "tui/host_controller.h"
#include "tui/model.h"
#include "tui/screen.h"

namespace tui {

class JobActions {
public:
    JobActions(engine::Engine& engine, Model& model, Screen& screen, HostController& hosts);
    ~JobActions();
    JobActions(const JobActions&) = delete;
    JobActions& operator=(const JobActions&) = delete;

    void new_job();
    // p: a path prompt, then the plan submitted; its jobs shown together (the search).
    void submit_plan();
    void edit_and_restart();
    void restart();
    void kill();
    void forget();
    void prune();
    void attach();

    // SSH's questions (engine::Engine::set_prompts), asked in dialogs.
    void ask_host_key(const engine::Engine::HostKeyQuestion& q, std::function<void(bool)> answer);
    void ask_passphrase(const std::string& key_path, engine::Engine::PassphraseAnswer answer);

private:
    void submit_plan_form();
    // Submits a checked plan (after the kill list was confirmed).
    void run_plan(engine::Plan plan, engine::PlanSubmitOptions options);
    void open_job_form(const engine::SubmitRequest& request, const std::string& title);
    void submit_form();
    // Throws util::Error for a request the engine refuses up front.
    void submit(engine::SubmitRequest request);
    void open_dialog(std::string title, std::vector<std::string> lines, std::function<void(bool)> done);

    engine::Engine& engine_;
    Model& model_;
    Screen& screen_;
    HostController& hosts_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // see HostController::alive_
    std::optional<int64_t> form_from_;    // R: the job the form repeats
    engine::SubmitRequest form_request_;  // what the job form was opened with (settings it does not show)
    std::string last_host_;               // the host of the last job started from a form
};

}  // namespace tui
