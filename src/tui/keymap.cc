#include "config.h"

#include "tui/keymap.h"

#include <curses.h>

#include "util/strings.h"

namespace tui {

namespace {

Key ch(int c) { return Key{c, false}; }
Key fn(int c) { return Key{c, true}; }
constexpr int ctrl(char c) { return c & 0x1f; }

}  // namespace

const std::vector<Binding>& bindings() {
    // `k` kills (htop's habit, and the key users of job tools expect); in the
    // panes where there is nothing to kill it moves up, vi style, with `j`.
    static const std::vector<Binding> table = {
        {Action::Down, {fn(KEY_DOWN), ch('j'), ch(ctrl('n'))}, "Down, j, Ctrl-N", "", Everywhere, "Navigation",
         "Move the selection down one row; in the detail pane, scroll down."},
        {Action::Up, {fn(KEY_UP), ch(ctrl('p'))}, "Up, Ctrl-P", "", Everywhere, "Navigation",
         "Move the selection up one row; in the detail pane, scroll up."},
        {Action::Up, {ch('k')}, "k", "", InHosts | InQueues, "Navigation",
         "Move up one row in the Hosts and Queues panes (in the Jobs and detail panes k kills)."},
        {Action::PageDown, {fn(KEY_NPAGE), ch(' ')}, "PgDn, Space", "", Everywhere, "Navigation",
         "Move down one page."},
        {Action::PageUp, {fn(KEY_PPAGE)}, "PgUp", "", Everywhere, "Navigation", "Move up one page."},
        {Action::Home, {fn(KEY_HOME), ch('g')}, "Home, g", "", Everywhere, "Navigation",
         "Go to the first row (the newest job)."},
        {Action::End, {fn(KEY_END), ch('G')}, "End, G", "", Everywhere, "Navigation",
         "Go to the last row; in the log, follow new output again."},
        {Action::NextPane, {ch('\t')}, "Tab", "Pane", Everywhere, "Navigation",
         "Focus the next pane: Hosts, Queues, Jobs, detail."},
        {Action::PrevPane, {fn(KEY_BTAB)}, "Shift-Tab", "", Everywhere, "Navigation", "Focus the previous pane."},
        {Action::Search, {ch('/')}, "/", "Search", Everywhere, "Navigation",
         "Search jobs by command or description as you type; Enter keeps the search, Esc clears it."},
        {Action::Filter, {ch('f')}, "f", "Filter", Everywhere, "Navigation",
         "Cycle the status filter: all, active, succeeded, failed."},
        {Action::Details, {ch('\n'), ch('\r'), fn(KEY_ENTER)}, "Enter", "Info", Everywhere, "Navigation",
         "Show the selected job's details in the detail pane (from Hosts or Queues: go to its jobs)."},
        {Action::Log, {ch('l')}, "l", "Log", InJobs | InDetail, "Navigation",
         "Show the selected job's log: a live tail while it runs, scrollable; marked as cached when its host is offline."},
        {Action::Help, {ch('?'), fn(KEY_F(1))}, "?, F1", "Help", Everywhere, "Navigation", "Show this help."},
        {Action::Quit, {ch('q'), fn(KEY_F(10))}, "q, F10", "Quit", Everywhere, "Navigation",
         "Quit. Jobs keep running on their hosts."},
        {Action::Suspend, {ch(ctrl('z'))}, "Ctrl-Z", "", Everywhere, "Navigation",
         "Suspend rj to the shell; fg brings it back."},
        {Action::New, {ch('n'), fn(KEY_F(7))}, "n, F7", "New", Everywhere, "Actions",
         "Start a new job: a form for host (Tab completes), directory, command, description, "
         "environment (K=V ...), timeout, queue (empty: run now), GPUs and queue-if-offline, checked before "
         "anything is sent."},
        {Action::Plan, {ch('p')}, "p", "", Everywhere, "Actions",
         "Submit a plan file (YAML, the remote-jobs plan format; see PLANS in the man page): a prompt asks for its "
         "path; the whole plan is checked first; a plan with kill: lists those jobs with their commands and asks "
         "before killing them; then its jobs are listed together (the search shows them)."},
        {Action::Restart, {ch('r')}, "r", "Restart", InJobs | InDetail, "Actions",
         "Run the selected job again with the same settings, as a new job; a job still running is killed "
         "first (a kill that fails or is deferred starts nothing)."},
        {Action::EditRestart, {ch('R')}, "R", "Edit", InJobs | InDetail, "Actions",
         "Edit the selected job's settings in the new-job form, then run it as a new job."},
        {Action::Kill, {ch('k'), fn(KEY_F(9))}, "k, F9", "Kill", InJobs | InDetail, "Actions",
         "Kill the selected job, after a confirmation."},
        {Action::Sync, {ch('s'), fn(KEY_F(5))}, "s, F5", "Sync", Everywhere, "Actions",
         "Sync now: ask every host with active jobs what became of them, and refresh the meters "
         "(offline hosts are tried again at once)."},
        {Action::Forget, {ch('x'), fn(KEY_DC)}, "x, Delete", "Remove", InJobs | InDetail, "Actions",
         "Remove the selected job from the list (asks first when it is still active)."},
        {Action::Prune, {ch('P')}, "P", "Prune", Everywhere, "Actions",
         "Prune finished jobs: shows what would go, and removes it (with its files on the hosts) once confirmed."},
        {Action::Attach, {ch('a')}, "a", "Attach", InJobs | InDetail, "Actions",
         "Attach to the running job's tmux session over ssh; detach (Ctrl-B d) to come back."},
        // Queues: the runner of the selected queue, and the jobs that wait in one.
        {Action::QueueStart, {ch('S')}, "S", "Start", InQueues, "Actions",
         "Start the selected queue's runner on its host (a no-op when it runs); its waiting jobs start as slots allow."},
        {Action::QueueStop, {ch('T')}, "T", "Stop", InQueues, "Actions",
         "Stop the selected queue's runner: it drains (running jobs finish, nothing new starts); S resumes it."},
        {Action::StartNow, {ch('N')}, "N", "Now", InJobs | InDetail, "Actions",
         "Start the selected queued job now, ignoring its dependencies and the queue's slots."},
        {Action::HoldToggle, {ch('h')}, "h", "Hold", InJobs | InDetail, "Actions",
         "Hold the selected queued job (it does not start until released), or release it when held."},
        {Action::Move, {ch('m')}, "m", "Move", InJobs | InDetail, "Actions",
         "Move the selected waiting job to the same queue on another host: a prompt asks which (Tab completes)."},
    };
    return table;
}

const Binding* find_binding(Key key, Context context) {
    for (const Binding& b : bindings()) {
        if (!(b.contexts & context)) continue;
        for (const Key& k : b.keys)
            if (k == key) return &b;
    }
    return nullptr;
}

std::vector<std::string> key_names(const Binding& b) {
    std::vector<std::string> out;
    for (const auto& part : util::split(b.names, ','))
        out.push_back(util::trim(part));
    return out;
}

}  // namespace tui
