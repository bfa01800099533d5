#include "config.h"

#include "tui/ui.h"

#include <csignal>
#include <ctime>

namespace tui {

namespace {

// The model is built before the parts (it is declared before them): it must
// hold the job list before the controller loads the hosts into it.
Model fresh_model(engine::Engine& engine) {
    Model m;
    m.now = static_cast<int64_t>(std::time(nullptr));
    m.jobs = std::make_unique<JobList>(engine);
    return m;
}

}  // namespace

Ui::Ui(engine::Engine& engine, UiOptions options)
    : engine_(engine),
      loop_(engine.loop()),
      options_(std::move(options)),
      model_(fresh_model(engine)),
      screen_(model_, overlays_, options_.mouse, options_.color),
      hosts_(engine, model_, screen_),
      job_actions_(engine, model_, screen_, hosts_),
      queue_actions_(engine, model_, screen_, hosts_),
      input_(model_, screen_, hosts_, job_actions_, queue_actions_) {
    // Before any connection exists: sessions copy these when created, and
    // keep the copies, so they must not reach a Ui that is gone.
    engine_.set_prompts(
        [this, alive = alive_](const engine::Engine::HostKeyQuestion& q, std::function<void(bool)> answer) {
            if (!*alive) return answer(false);
            job_actions_.ask_host_key(q, std::move(answer));
        },
        [this, alive = alive_](const std::string& key_path, engine::Engine::PassphraseAnswer answer) {
            if (!*alive) return answer(std::nullopt);
            job_actions_.ask_passphrase(key_path, std::move(answer));
        });
    // A failure inside a remote operation's callback is shown, not fatal.
    engine_.on_callback_error([this, alive = alive_](const std::string& msg, const std::string& hint) {
        if (*alive) hosts_.callback_failed(msg, hint);
    });
    // A delivery rj gave up on is said where the user looks, not only in `show`.
    engine_.on_notify_failed([this, alive = alive_](int64_t id, const std::string& error) {
        if (*alive) hosts_.message("job " + std::to_string(id) + ": end message not delivered — " + error, true);
    });
}

Ui::~Ui() {
    *alive_ = false;
    engine_.set_prompts(nullptr, nullptr);
    engine_.on_callback_error(nullptr);
    engine_.on_notify_failed(nullptr);
    // An open question gets its "no" (or "skip") before the parts go.
    while (!overlays_.dialogs.empty()) {
        auto d = std::move(overlays_.dialogs.front());
        overlays_.dialogs.pop_front();
        d->abandon();
    }
    loop_.remove(this);
    screen_.stop();
}

int Ui::run() {
    screen_.start();
    loop_.add(this);
    loop_.on_signal(SIGWINCH, [this](int) { screen_.resize(); });
    loop_.on_signal(SIGTERM, [this](int) { quit_ = true; });
    loop_.on_signal(SIGINT, [this](int) { quit_ = true; });
    loop_.on_signal(SIGHUP, [this](int) { quit_ = true; });
    loop_.on_signal(SIGTSTP, [this](int) { screen_.suspend(); });
    loop_.on_signal(SIGCONT, [this](int) { screen_.redraw_all(); });
    hosts_.apply_filter();
    screen_.render();
    if (options_.exit_after_first_frame) quit_ = true;
    if (!quitting()) hosts_.start_timers();
    while (!quitting()) loop_.run_once();
    loop_.remove(this);
    screen_.stop();
    return 0;
}

void Ui::interests(std::vector<event::Interest>& out) {
    if (screen_.on()) out.push_back({0, true, false});
}

event::Duration Ui::wait_time(event::TimePoint) {
    // Engine callbacks that ran after our tick left something to draw.
    return screen_.any_dirty() ? event::Duration::zero() : event::Duration::max();
}

void Ui::tick(event::TimePoint, const event::Readiness& ready) {
    model_.now = static_cast<int64_t>(std::time(nullptr));
    if (screen_.on() && ready.readable(0)) input_.read_keys();
    if (quitting()) return;
    if (screen_.any_dirty()) screen_.render();
}

}  // namespace tui
