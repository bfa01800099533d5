// The Ui's key actions: navigation, filters, forms and the job operations
// (restart, kill, remove, prune, attach). Remote work is started here and
// finishes in engine callbacks; nothing waits.
#include "config.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "engine/queries.h"
#include "tui/job_form.h"
#include "tui/job_format.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "util/error.h"

namespace tui {

namespace {

// "job 12 waits in queue gpu on alpha" and what its runner does.
std::string queued_message(const engine::SubmitResult& r, const std::string& queue, const std::string& host) {
    std::string m = (r.task_ids.empty() ? "job " : "array ") + std::to_string(r.job_id);
    if (!r.task_ids.empty()) m += " (" + std::to_string(r.task_ids.size()) + " tasks)";
    m += " waits in queue " + queue + " on " + host;
    if (r.runner == "stopped" || r.runner == "draining")
        m += "; its runner is " + r.runner + " (S in the Queues pane starts it)";
    if (!r.hint.empty()) m += " — " + r.hint;
    return m;
}

}  // namespace

void Ui::act(Action a) {
    switch (a) {
        case Action::Down: move_selection(1); break;
        case Action::Up: move_selection(-1); break;
        case Action::PageDown: move_selection(1, true); break;
        case Action::PageUp: move_selection(-1, true); break;
        case Action::Home: go_home_end(false); break;
        case Action::End: go_home_end(true); break;
        case Action::NextPane: cycle_focus(1); break;
        case Action::PrevPane: cycle_focus(-1); break;
        case Action::Search:
            model_.search_editing = true;
            message_line_.mark();
            break;
        case Action::Filter:
            model_.status_filter = static_cast<StatusFilter>((static_cast<int>(model_.status_filter) + 1) % 4);
            apply_filter();
            message(std::string("showing ") + filter_name(model_.status_filter) + " jobs");
            break;
        case Action::Details:
            if (model_.focus == Focus::Hosts || model_.focus == Focus::Queues) {
                model_.focus = Focus::Jobs;
                mark_all();
                break;
            }
            model_.detail_mode = DetailMode::Details;
            model_.detail_scroll = 0;
            detail_pane_.mark();
            break;
        case Action::Log:
            model_.detail_mode = DetailMode::Log;
            poll_log(true);
            detail_pane_.mark();
            break;
        case Action::Help:
            help_ = std::make_unique<HelpScreen>();
            help_->place(layout_.too_small ? Rect{} : Rect{0, 0, LINES - 1, COLS});
            break;
        case Action::Quit: quit_ = true; break;
        case Action::Suspend: suspend(); break;
        case Action::New: {
            engine::SubmitRequest r;
            r.host = !model_.host_filter.empty() ? model_.host_filter : last_host_;
            if (engine_.config().default_timeout.count() > 0) r.timeout_s = engine_.config().default_timeout.count();
            form_from_.reset();
            open_job_form(r, "New job");
            break;
        }
        case Action::Restart: restart_selected(); break;
        case Action::EditRestart: {
            const store::Job* j = selected_job();
            if (!j) {
                message("no job selected", true);
                break;
            }
            form_from_ = j->id;
            open_job_form(engine::request_from_job(*j), "Edit and restart job " + std::to_string(j->id));
            break;
        }
        case Action::Kill: kill_selected(); break;
        case Action::Sync: sync(true); break;
        case Action::Forget: forget_selected(); break;
        case Action::Prune: prune(); break;
        case Action::Attach: attach(); break;
        case Action::QueueStart: queue_runner("start"); break;
        case Action::QueueStop: queue_runner("stop"); break;
        case Action::StartNow: start_now_selected(); break;
        case Action::HoldToggle: toggle_hold_selected(); break;
        case Action::Move: move_selected(); break;
    }
}

const store::Job* Ui::selected_job() {
    if (model_.detail_job && model_.focus == Focus::Detail) return &*model_.detail_job;
    return model_.jobs->selected();
}

void Ui::message(std::string text, bool error) {
    if (text == model_.message && error == model_.message_is_error) return;
    model_.message = std::move(text);
    model_.message_is_error = error;
    message_line_.mark();
}

void Ui::set_progress(std::string text) {
    if (text == model_.progress) return;
    model_.progress = std::move(text);
    message_line_.mark();
}

void Ui::move_selection(long delta, bool page) {
    int hosts = static_cast<int>(model_.hosts.size());
    switch (model_.focus) {
        case Focus::Hosts: {
            int step = page ? std::max(1, hosts_pane_.rect().h - 2) : 1;
            set_host_row(std::clamp(model_.host_cursor + static_cast<int>(delta) * step, 0, hosts));
            break;
        }
        case Focus::Queues: {
            int step = page ? std::max(1, queues_pane_.rect().h - 3) : 1;
            int last = static_cast<int>(queue_rows(model_).size()) - 1;
            set_queue_row(std::clamp(model_.queue_cursor + static_cast<int>(delta) * step, 0, last));
            break;
        }
        case Focus::Jobs:
            if (page) model_.jobs->page(static_cast<int>(delta));
            else model_.jobs->step(delta);
            selection_changed();
            jobs_pane_.mark();
            break;
        case Focus::Detail: {
            int h = detail_pane_.text_height();
            long step = page ? std::max(1, h - 1) * delta : delta;
            if (model_.detail_mode == DetailMode::Log) model_.log.scroll_by(step, h);
            else model_.detail_scroll = std::max(0, model_.detail_scroll + static_cast<int>(step));
            detail_pane_.mark();
            break;
        }
    }
}

void Ui::go_home_end(bool end) {
    switch (model_.focus) {
        case Focus::Hosts: set_host_row(end ? static_cast<int>(model_.hosts.size()) : 0); break;
        case Focus::Queues: set_queue_row(end ? static_cast<int>(queue_rows(model_).size()) - 1 : 0); break;
        case Focus::Jobs:
            if (end) model_.jobs->end();
            else model_.jobs->home();
            selection_changed();
            jobs_pane_.mark();
            break;
        case Focus::Detail:
            if (model_.detail_mode == DetailMode::Log) {
                if (end) model_.log.to_bottom();
                else model_.log.to_top();
            } else {
                model_.detail_scroll = end ? 1 << 20 : 0;
            }
            detail_pane_.mark();
            break;
    }
}

void Ui::cycle_focus(int dir) {
    int f = (static_cast<int>(model_.focus) + dir + 4) % 4;
    model_.focus = static_cast<Focus>(f);
    hosts_pane_.mark();
    queues_pane_.mark();
    jobs_pane_.mark();
    detail_pane_.mark();
    bar_.mark();
}

void Ui::set_host_row(int row) {
    // Both left panes narrow the list to a host: a host selects its first
    // queue, a queue its host.
    model_.host_cursor = row;
    model_.queue_cursor = first_queue_row(model_, row - 1);
    std::string host = row > 0 ? model_.hosts[static_cast<size_t>(row - 1)].name : "";
    hosts_pane_.mark();
    queues_pane_.mark();
    if (host != model_.host_filter) {
        model_.host_filter = host;
        apply_filter();
    }
}

void Ui::set_queue_row(int row) {
    auto rows = queue_rows(model_);
    row = std::clamp(row, 0, static_cast<int>(rows.size()) - 1);
    int host_index = rows[static_cast<size_t>(row)].host;
    model_.queue_cursor = row;
    model_.host_cursor = host_index + 1;
    std::string host = host_index >= 0 ? model_.hosts[static_cast<size_t>(host_index)].name : "";
    hosts_pane_.mark();
    queues_pane_.mark();
    if (host != model_.host_filter) {
        model_.host_filter = host;
        apply_filter();
    }
}

void Ui::apply_filter() {
    store::JobFilter f;
    f.statuses = filter_statuses(model_.status_filter);
    f.host = model_.host_filter;
    f.search = model_.search;
    model_.jobs->set_filter(std::move(f));
    update_queue_counts();
    selection_changed();
    jobs_pane_.mark();
}

void Ui::reload_jobs() {
    if (model_.jobs->refresh()) jobs_pane_.mark();
    update_queue_counts();
    selection_changed();
}

void Ui::update_queue_counts() {
    for (auto& h : model_.hosts) {
        store::JobFilter f;
        f.host = h.name;
        f.statuses = {store::status::pending, store::status::queued};
        int64_t waiting = engine::count_jobs(engine_, f);
        f.statuses = {store::status::starting, store::status::running};
        int64_t running = engine::count_jobs(engine_, f);
        if (waiting != h.waiting || running != h.running) queues_pane_.mark();
        h.waiting = waiting;
        h.running = running;
    }
}

void Ui::selection_changed() {
    const store::Job* j = model_.jobs->selected();
    bool same_job = j && model_.detail_job && model_.detail_job->id == j->id;
    if (j) {
        if (!same_job || !(*model_.detail_job == *j)) detail_pane_.mark();
        model_.detail_job = *j;
    } else if (model_.detail_job) {
        model_.detail_job.reset();
        detail_pane_.mark();
    }
    if (!same_job) {
        model_.detail_scroll = 0;
        if (model_.detail_mode == DetailMode::Log) poll_log(true);
    }
}

// ---------------------------------------------------------------- forms

void Ui::open_job_form(const engine::SubmitRequest& request, const std::string& title) {
    form_request_ = request;
    form_submit_ = [this] { submit_form(); };
    form_ = std::make_unique<Form>(title, job_form_fields(request, engine_.fleet()));
    form_->focus(request.host.empty() ? FHost : FCommand);
    form_->place(layout_.too_small ? Rect{} : form_->placement(LINES, COLS));
}

void Ui::submit_form() {
    auto request = job_form_request(form_->fields(), engine_, form_request_);
    if (!request) {
        // Go to the first field with a problem.
        for (size_t i = 0; i < form_->fields().size(); ++i)
            if (!form_->fields()[i].error.empty()) {
                form_->focus(i);
                break;
            }
        form_->set_error("");
        return;
    }
    request->from_job = form_from_;
    try {
        submit(std::move(*request));
    } catch (const util::Error& e) {
        // The engine's own checks: still nothing recorded or sent.
        form_->set_error(form_error_text(e));
        return;
    }
    form_.reset();
    mark_all();
}

// Throws util::Error for a request the engine refuses up front.
void Ui::submit(engine::SubmitRequest request) {
    std::string host = request.host;
    std::string queue = request.queue.enabled ? request.queue.name : "";
    engine::submit(engine_, std::move(request), [this, alive = alive_, host, queue](engine::SubmitResult r) {
        if (!*alive) return;
        if (!r.error.empty() && !r.queued)
            message("job " + std::to_string(r.job_id) + " on " + host + " did not start: " + r.error +
                        (r.hint.empty() ? "" : " — " + r.hint),
                    true);
        else if (r.queued)
            message("job " + std::to_string(r.job_id) + " queued: " + host + " is unreachable; it starts when " +
                    host + " is back");
        else if (r.in_queue)
            message(queued_message(r, queue, host));
        else
            message("job " + std::to_string(r.job_id) + " started on " + host);
        reload_jobs();
        // The queue's counts (and a runner that just started) show at once.
        if (r.in_queue) sync_after_action();
        if (model_.jobs->select_id(r.job_id)) selection_changed();
    });
    last_host_ = host;
    ensure_host(host);
    message((queue.empty() ? "starting a job on " : "queueing a job in " + queue + " on ") + host + "…");
    // The row exists already (recorded before anything is sent): show it.
    reload_jobs();
}

void Ui::restart_selected() {
    const store::Job* j = selected_job();
    if (!j) {
        message("no job selected", true);
        return;
    }
    engine::SubmitRequest r = engine::request_from_job(*j);
    r.from_job = j->id;
    try {
        submit(std::move(r));
    } catch (const util::Error& e) {
        message(std::string("cannot restart: ") + e.what(), true);
    }
}

// ---------------------------------------------------------------- dialogs

void Ui::open_dialog(std::string title, std::vector<std::string> lines, Dialog::Kind kind,
                     std::function<void(bool)> done) {
    open_dialog(std::make_unique<Dialog>(std::move(title), std::move(lines), kind, std::move(done)));
}

void Ui::open_dialog(std::unique_ptr<Dialog> d) {
    d->place(layout_.too_small ? Rect{} : d->placement(LINES, COLS));
    dialogs_.push_back(std::move(d));
    update_bar();
}

void Ui::kill_selected() {
    const store::Job* j = selected_job();
    if (!j) {
        message("no job selected", true);
        return;
    }
    if (j->terminal()) {
        message("job " + std::to_string(j->id) + " is not running (" + to_string(j->status) + ")", true);
        return;
    }
    int64_t id = j->id;
    open_dialog("Kill job " + std::to_string(id) + "?",
                {"Kill job " + std::to_string(id) + " on " + j->host + "?", "", job_title(*j)}, Dialog::Kind::YesNo,
                [this, id](bool yes) {
                    if (!yes || !*alive_) return;
                    message("killing job " + std::to_string(id) + "…");
                    engine::kill_jobs(engine_, {id}, [this, alive = alive_](engine::KillResult r) {
                        if (!*alive) return;
                        message("job " + std::to_string(r.id) + ": " + (r.ok() ? r.message : r.error), !r.ok());
                        reload_jobs();
                    });
                });
}

void Ui::forget_selected() {
    const store::Job* j = selected_job();
    if (!j) {
        message("no job selected", true);
        return;
    }
    int64_t id = j->id;
    auto forget = [this, id] {
        try {
            engine::forget(engine_, id);
            message("removed job " + std::to_string(id) + " from the list");
        } catch (const util::Error& e) {
            message(e.what(), true);
        }
        reload_jobs();
    };
    if (j->terminal()) {
        forget();
        return;
    }
    open_dialog("Remove active job " + std::to_string(id) + "?",
                {"Job " + std::to_string(id) + " is " + to_string(j->status) + " on " + j->host + ".",
                 "Removing it from the list does not stop it; rj will no longer track it."},
                Dialog::Kind::YesNo, [this, forget](bool yes) {
                    if (yes && *alive_) forget();
                });
}

void Ui::prune() {
    set_progress("prune: looking for finished jobs…");
    engine::PruneOptions dry;
    dry.dry_run = true;
    engine::prune(engine_, dry, [this, alive = alive_](engine::PruneReport report) {
        if (!*alive) return;
        set_progress("");
        if (report.removed.empty()) {
            message("nothing to prune: no finished jobs");
            return;
        }
        std::vector<std::string> lines = {
            std::to_string(report.removed.size()) + " finished job(s) will be removed from the list, "
            "with their files on the hosts:", ""};
        for (const auto& j : report.removed)
            lines.push_back(std::to_string(j.id) + "  " + j.host + "  " + to_string(j.status) + "  " + job_title(j));
        for (const auto& w : report.warnings) lines.push_back("warning: " + w);
        size_t n = report.removed.size();
        open_dialog("Prune " + std::to_string(n) + " job(s)?", std::move(lines), Dialog::Kind::YesNo,
                    [this, n](bool yes) {
                        if (!yes || !*alive_) return;
                        set_progress("pruning " + std::to_string(n) + " job(s)…");
                        engine::prune(engine_, engine::PruneOptions{}, [this, alive = alive_](engine::PruneReport done) {
                            if (!*alive) return;
                            set_progress("");
                            std::string m = "pruned " + std::to_string(done.removed.size()) + " job(s)";
                            if (!done.warnings.empty()) m += "; " + done.warnings.front();
                            message(m, !done.warnings.empty());
                            reload_jobs();
                        });
                    });
    });
}

void Ui::attach() {
    const store::Job* j = selected_job();
    if (!j) {
        message("no job selected", true);
        return;
    }
    if (j->status != store::status::running && j->status != store::status::starting) {
        message("job " + std::to_string(j->id) + " is not running: nothing to attach to (l shows its log)", true);
        return;
    }
    std::vector<std::string> argv = {"ssh", "-t"};
    if (!engine_.options().ssh_config_path.empty()) {
        argv.push_back("-F");
        argv.push_back(engine_.options().ssh_config_path);
    }
    argv.push_back("--");
    argv.push_back(j->host);
    argv.push_back("tmux attach -t " + j->session_name());
    int64_t id = j->id;
    std::string session = j->session_name();

    endwin();
    pid_t pid = fork();
    if (pid == 0) {
        // The loop blocks its signals; ssh must get a plain process.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int s : {SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP, SIGCONT, SIGPIPE, SIGCHLD}) signal(s, SIG_DFL);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        execvp("ssh", args.data());
        _exit(127);
    }
    int status = 0;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    // Back: the terminal may have been resized meanwhile.
    resize();
    if (pid < 0) message(std::string("cannot start ssh: ") + std::strerror(errno), true);
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        message("ssh to attach to " + session + " exited with status " +
                    std::to_string(WEXITSTATUS(status)),
                true);
    else message("detached from job " + std::to_string(id));
    reload_jobs();
}

}  // namespace tui
