#include "config.h"

#include "tui/job_actions.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "engine/plan.h"
#include "util/strings.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "engine/queries.h"
#include "tui/job_form.h"
#include "tui/job_format.h"
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

JobActions::JobActions(engine::Engine& engine, Model& model, Screen& screen, HostController& hosts)
    : engine_(engine), model_(model), screen_(screen), hosts_(hosts) {}

JobActions::~JobActions() { *alive_ = false; }

void JobActions::open_dialog(std::string title, std::vector<std::string> lines, std::function<void(bool)> done) {
    screen_.open_dialog(std::make_unique<Dialog>(std::move(title), std::move(lines), Dialog::Kind::YesNo, std::move(done)));
}

// ---------------------------------------------------------------- the job form

void JobActions::new_job() {
    engine::SubmitRequest r;
    r.host = !model_.host_filter.empty() ? model_.host_filter : last_host_;
    if (engine_.config().default_timeout.count() > 0) r.timeout_s = engine_.config().default_timeout.count();
    form_from_.reset();
    open_job_form(r, "New job");
}

void JobActions::submit_plan() {
    Field path;
    path.label = "Plan file";
    path.hint = "a YAML plan (remote-jobs format, version 1); checked whole before anything runs";
    screen_.open_form(std::make_unique<Form>("Submit a plan", std::vector<Field>{path}, "submit"),
                      [this] { submit_plan_form(); });
}

void JobActions::submit_plan_form() {
    Form& form = *screen_.overlays().form;
    Field& f = form.field(0);
    std::string file = util::trim(f.value);
    f.error.clear();
    form.mark();
    if (file.empty()) {
        f.error = "which file?";
        return;
    }
    if (file.rfind("~/", 0) == 0 && std::getenv("HOME")) file = std::getenv("HOME") + file.substr(1);
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        f.error = "cannot read " + file;
        return;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    engine::PlanSubmitOptions options;
    options.name = file;
    engine::Plan plan;
    engine::PlanPreview preview;
    try {
        // Errors name the file as typed's last part: the prompt is one line wide.
        std::string shown = file.substr(file.rfind('/') == std::string::npos ? 0 : file.rfind('/') + 1);
        plan = engine::parse_plan(text, shown, "");
        preview = engine::preview_plan(engine_, plan, options);
    } catch (const util::Error& e) {
        // Refused whole (line and column): nothing ran; the prompt stays.
        f.error = std::string(e.what()) + (e.hint().empty() ? "" : " — " + e.hint());
        return;
    }
    screen_.overlays().form.reset();
    screen_.mark_all();
    if (preview.kill.empty()) return run_plan(std::move(plan), options);
    // The kill list, job by job with its command, before anything is killed.
    std::vector<std::string> lines{"The plan kills these jobs first:"};
    for (const auto& j : preview.kill)
        lines.push_back("job " + std::to_string(j.id) + " on " + j.host + " (" + store::to_string(j.status) + "): " + j.command);
    lines.push_back("then submits " + std::to_string(preview.entries.size()) + " job(s).");
    auto shared = std::make_shared<engine::Plan>(std::move(plan));
    open_dialog("Kill " + std::to_string(preview.kill.size()) + " job(s) and submit the plan?", std::move(lines),
                [this, alive = alive_, shared, options](bool yes) {
                    if (!*alive) return;
                    if (!yes) return hosts_.message("plan not submitted: nothing was killed");
                    run_plan(std::move(*shared), options);
                });
}

void JobActions::run_plan(engine::Plan plan, engine::PlanSubmitOptions options) {
    std::string file = options.name;
    try {
        hosts_.message("submitting plan " + file + "…");
        engine::submit_plan(engine_, std::move(plan), options, [this, alive = alive_](engine::PlanResult r) {
            if (!*alive) return;
            int submitted = 0, refused = 0;
            for (const auto& e : r.entries) (e.job_id ? submitted : refused)++;
            std::string said = "plan " + r.label + ": " + std::to_string(submitted) + " job(s) submitted";
            if (!r.killed.empty()) said += ", " + std::to_string(r.killed.size()) + " killed";
            if (refused) said += ", " + std::to_string(refused) + " NOT submitted (rj -b plan submit says why)";
            // Its jobs together: the search matches their plan.
            model_.search = r.label;
            hosts_.message(said, refused > 0);
            hosts_.apply_filter();
            hosts_.sync_after_action();
        });
    } catch (const util::Error& e) {
        // Checked a moment ago; the database may have changed since (a job of kill: pruned).
        hosts_.message("plan not submitted: " + std::string(e.what()), true);
    }
}

void JobActions::edit_and_restart() {
    const store::Job* j = selected_job(model_);
    if (!j) {
        hosts_.message("no job selected", true);
        return;
    }
    form_from_ = j->id;
    open_job_form(engine::request_from_job(*j), "Edit and restart job " + std::to_string(j->id));
}

void JobActions::open_job_form(const engine::SubmitRequest& request, const std::string& title) {
    form_request_ = request;
    auto form = std::make_unique<Form>(title, job_form_fields(request, engine_.fleet()));
    form->focus(request.host.empty() ? FHost : FCommand);
    screen_.open_form(std::move(form), [this] { submit_form(); });
}

void JobActions::submit_form() {
    Form& form = *screen_.overlays().form;
    auto request = job_form_request(form.fields(), engine_, form_request_);
    if (!request) {
        // Go to the first field with a problem.
        for (size_t i = 0; i < form.fields().size(); ++i)
            if (!form.fields()[i].error.empty()) {
                form.focus(i);
                break;
            }
        form.set_error("");
        return;
    }
    request->from_job = form_from_;
    try {
        submit(std::move(*request));
    } catch (const util::Error& e) {
        // The engine's own checks: still nothing recorded or sent.
        form.set_error(form_error_text(e));
        return;
    }
    screen_.overlays().form.reset();
    screen_.mark_all();
}

void JobActions::submit(engine::SubmitRequest request) {
    std::string host = request.host;
    std::string queue = request.queue.enabled ? request.queue.name : "";
    engine::submit(engine_, std::move(request), [this, alive = alive_, host, queue](engine::SubmitResult r) {
        if (!*alive) return;
        if (!r.error.empty() && !r.pending)
            hosts_.message("job " + std::to_string(r.job_id) + " on " + host + " did not start: " + r.error +
                               (r.hint.empty() ? "" : " — " + r.hint),
                           true);
        else if (r.pending)
            hosts_.message("job " + std::to_string(r.job_id) + " queued: " + host +
                           " is unreachable; it starts when " + host + " is back");
        else if (!r.slurm_id.empty())
            hosts_.message("job " + std::to_string(r.job_id) + " is SLURM job " + r.slurm_id + " on " + host);
        else if (r.in_queue)
            hosts_.message(queued_message(r, queue, host));
        else if (r.laptop_held && r.placed_host.empty())
            hosts_.message("job " + std::to_string(r.job_id) + " is pending: " + r.waiting);
        else
            hosts_.message("job " + std::to_string(r.job_id) + " started on " +
                           (r.placed_host.empty() ? host : r.placed_host));
        hosts_.reload_jobs();
        // The queue's counts (and a runner that just started) show at once.
        if (r.in_queue) hosts_.sync_after_action();
        if (model_.jobs->select_id(r.job_id)) hosts_.selection_changed();
    });
    last_host_ = host;
    hosts_.ensure_host(host);
    hosts_.message((queue.empty() ? "starting a job on " : "queueing a job in " + queue + " on ") + host + "…");
    // The row exists already (recorded before anything is sent): show it.
    hosts_.reload_jobs();
}

// ---------------------------------------------------------------- job operations

void JobActions::restart() {
    const store::Job* j = selected_job(model_);
    if (!j) {
        hosts_.message("no job selected", true);
        return;
    }
    engine::SubmitRequest r = engine::request_from_job(*j);
    r.from_job = j->id;
    if (j->status != store::status::running && j->status != store::status::starting) {
        try {
            submit(std::move(r));
        } catch (const util::Error& e) {
            hosts_.message(std::string("cannot restart: ") + e.what(), true);
        }
        return;
    }
    // remote-jobs' restart (and rj -b restart) ends a job that still runs
    // before its copy starts: two copies would share its files and GPUs. A
    // kill that fails or is deferred starts nothing.
    int64_t id = j->id;
    hosts_.message("restart: killing job " + std::to_string(id) + " first…");
    auto then = [this, alive = alive_, id, r = std::move(r)](engine::KillResult k) mutable {
        if (!*alive) return;
        hosts_.reload_jobs();
        if (!k.ok() || k.deferred) {
            hosts_.message("restart of job " + std::to_string(id) + " not started: the kill " +
                               (k.ok() ? "is deferred (" + k.message + ")" : "failed: " + k.error),
                           true);
            return;
        }
        try {
            submit(std::move(r));
        } catch (const util::Error& e) {
            hosts_.message(std::string("cannot restart: ") + e.what(), true);
        }
    };
    try {
        engine::kill_jobs(engine_, {id}, std::move(then));
    } catch (const util::Error& e) {
        hosts_.message(std::string("cannot restart: ") + e.what(), true);
    }
}

void JobActions::kill() {
    const store::Job* j = selected_job(model_);
    if (!j) {
        hosts_.message("no job selected", true);
        return;
    }
    if (j->terminal()) {
        hosts_.message("job " + std::to_string(j->id) + " is not running (" + to_string(j->status) + ")", true);
        return;
    }
    int64_t id = j->id;
    open_dialog("Kill job " + std::to_string(id) + "?",
                {"Kill job " + std::to_string(id) + " on " + j->host + "?", "", job_title(*j)},
                [this, alive = alive_, id](bool yes) {
                    if (!yes || !*alive) return;
                    hosts_.message("killing job " + std::to_string(id) + "…");
                    engine::kill_jobs(engine_, {id}, [this, alive](engine::KillResult r) {
                        if (!*alive) return;
                        hosts_.message("job " + std::to_string(r.id) + ": " + (r.ok() ? r.message : r.error), !r.ok());
                        hosts_.reload_jobs();
                    });
                });
}

void JobActions::forget() {
    const store::Job* j = selected_job(model_);
    if (!j) {
        hosts_.message("no job selected", true);
        return;
    }
    int64_t id = j->id;
    auto forget = [this, id] {
        try {
            engine::forget(engine_, id);
            hosts_.message("removed job " + std::to_string(id) + " from the list");
        } catch (const util::Error& e) {
            hosts_.message(e.what(), true);
        }
        hosts_.reload_jobs();
    };
    if (j->terminal()) {
        forget();
        return;
    }
    open_dialog("Remove active job " + std::to_string(id) + "?",
                {"Job " + std::to_string(id) + " is " + to_string(j->status) + " on " + j->host + ".",
                 "Removing it from the list does not stop it; rj will no longer track it."},
                [alive = alive_, forget](bool yes) {
                    if (yes && *alive) forget();
                });
}

void JobActions::prune() {
    hosts_.set_progress("prune: looking for finished jobs…");
    engine::PruneOptions dry;
    dry.dry_run = true;
    engine::prune(engine_, dry, [this, alive = alive_](engine::PruneReport report) {
        if (!*alive) return;
        hosts_.set_progress("");
        if (report.removed.empty()) {
            hosts_.message("nothing to prune: no finished jobs");
            return;
        }
        std::vector<std::string> lines = {
            std::to_string(report.removed.size()) + " finished job(s) will be removed from the list, "
            "with their files on the hosts:", ""};
        for (const auto& j : report.removed)
            lines.push_back(std::to_string(j.id) + "  " + j.host + "  " + to_string(j.status) + "  " + job_title(j));
        for (const auto& w : report.warnings) lines.push_back("warning: " + w);
        size_t n = report.removed.size();
        open_dialog("Prune " + std::to_string(n) + " job(s)?", std::move(lines), [this, alive, n](bool yes) {
            if (!yes || !*alive) return;
            hosts_.set_progress("pruning " + std::to_string(n) + " job(s)…");
            engine::prune(engine_, engine::PruneOptions{}, [this, alive](engine::PruneReport done) {
                if (!*alive) return;
                hosts_.set_progress("");
                std::string m = "pruned " + std::to_string(done.removed.size()) + " job(s)";
                if (!done.warnings.empty()) m += "; " + done.warnings.front();
                hosts_.message(m, !done.warnings.empty());
                hosts_.reload_jobs();
            });
        });
    });
}

void JobActions::attach() {
    const store::Job* j = selected_job(model_);
    if (!j) {
        hosts_.message("no job selected", true);
        return;
    }
    if (j->status != store::status::running && j->status != store::status::starting) {
        hosts_.message("job " + std::to_string(j->id) + " is not running: nothing to attach to (l shows its log)",
                       true);
        return;
    }
    if (j->on_slurm()) {
        hosts_.message("job " + std::to_string(j->id) + " is SLURM job " + j->slurm_id +
                           ": it runs on a compute node, not in tmux (l shows its log)",
                       true);
        return;
    }
    std::vector<std::string> argv = {"ssh", "-t"};
    // -F only when rj reads that file alone; else ssh reads its own defaults,
    // the system file included, as rj does.
    if (engine_.options().ssh_system_config_path.empty() && !engine_.options().ssh_config_path.empty()) {
        argv.push_back("-F");
        argv.push_back(engine_.options().ssh_config_path);
    }
    argv.push_back("--");
    argv.push_back(j->host);
    argv.push_back("tmux attach -t " + j->session_name());
    int64_t id = j->id;
    std::string session = j->session_name();

    pid_t pid = -1;
    int status = 0;
    screen_.step_outside([&] {
        pid = fork();
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
        if (pid > 0)
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
    });
    if (pid < 0) hosts_.message(std::string("cannot start ssh: ") + std::strerror(errno), true);
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        hosts_.message("ssh to attach to " + session + " exited with status " + std::to_string(WEXITSTATUS(status)),
                       true);
    else hosts_.message("detached from job " + std::to_string(id));
    hosts_.reload_jobs();
}

// ---------------------------------------------------------------- SSH's questions

void JobActions::ask_host_key(const engine::Engine::HostKeyQuestion& q, std::function<void(bool)> answer) {
    std::string where = q.key_host + (q.port != 22 ? ":" + std::to_string(q.port) : "");
    std::vector<std::string> lines;
    std::string title = "Unknown host key: " + q.host;
    if (q.recorded_other_types.empty()) {
        lines = {"The authenticity of host '" + q.host + "' (" + where + ") can't be established.",
                 q.key_type + " key fingerprint is " + q.fingerprint + ".", ""};
    } else {
        // Known host, new key type: what a man in the middle would look like.
        title = "POSSIBLE MAN-IN-THE-MIDDLE: " + q.host;
        lines = {"Host '" + q.host + "' (" + where + ") now offers a " + q.key_type + " key:",
                 "  " + q.fingerprint, "but known_hosts records only these keys for it:"};
        for (const auto& r : q.recorded_other_types) lines.push_back("  " + r);
        lines.push_back("Unless you replaced the host's keys, answer no.");
        lines.push_back("");
    }
    lines.push_back("Trust this key and connect?");
    open_dialog(title, lines, [this, alive = alive_, answer = std::move(answer), host = q.host](bool yes) {
        answer(yes);
        if (*alive) hosts_.message(yes ? "trusted the host key of " + host : "refused the host key of " + host, !yes);
    });
}

void JobActions::ask_passphrase(const std::string& key_path, engine::Engine::PassphraseAnswer answer) {
    // A dialog like any other: the loop, and every other host, go on while
    // the person types. The session waits for `answer` (and drops one that
    // comes after it has gone away).
    std::vector<std::string> lines = {"The key " + key_path + " is protected by a passphrase.",
                                      "Type it to use the key, or skip the key (ssh-agent and ssh-add spare you this)."};
    screen_.open_dialog(std::make_unique<Dialog>("Passphrase for " + key_path, std::move(lines),
                                                 [answer = std::move(answer)](std::optional<std::string> pass) {
                                                     answer(std::move(pass));
                                                 }));
}

}  // namespace tui
