#include "config.h"

#include "tui/input.h"

#include <algorithm>
#include <climits>
#include <cwchar>

namespace tui {

Input::Input(Model& model, Screen& screen, HostController& hosts, JobActions& jobs, QueueActions& queues)
    : model_(model), screen_(screen), overlays_(screen.overlays()), hosts_(hosts), jobs_(jobs), queues_(queues) {}

void Input::read_keys() {
    int got = 0;
    for (;;) {
        wint_t wch = 0;
        int rc = wget_wch(stdscr, &wch);
        if (rc == ERR) break;
        ++got;
        route(Key{static_cast<int>(wch), rc == KEY_CODE_YES});
        if (quit_ || !screen_.on()) return;
    }
    // Readable with nothing to read, again and again: end of file on the
    // terminal (it was closed). Quit instead of spinning.
    idle_reads_ = got ? 0 : idle_reads_ + 1;
    if (idle_reads_ > 50) quit_ = true;
}

void Input::route(Key key) {
    if (key.fn && key.code == KEY_RESIZE) return;  // handled through SIGWINCH
    if (key.fn && key.code == KEY_MOUSE) {
        mouse();
        return;
    }
    auto& dialogs = overlays_.dialogs;
    if (!dialogs.empty()) {
        Dialog* d = dialogs.front().get();
        if (d->handle(key)) {
            // The answer may have opened another dialog behind this one.
            for (auto it = dialogs.begin(); it != dialogs.end(); ++it)
                if (it->get() == d) {
                    dialogs.erase(it);
                    break;
                }
            screen_.mark_all();
        }
    } else if (overlays_.help) {
        if (overlays_.help->handle(key)) {
            overlays_.help.reset();
            screen_.mark_all();
        }
    } else if (overlays_.form) {
        switch (overlays_.form->handle(key)) {
            case Form::Result::Submit: {
                // A copy: the handler may close the form and open another.
                auto submit_handler = overlays_.form_submit;
                if (submit_handler) submit_handler();
                break;
            }
            case Form::Result::Cancel:
                overlays_.form.reset();
                hosts_.message("cancelled");
                screen_.mark_all();
                break;
            case Form::Result::None: break;
        }
    } else if (model_.search_editing) {
        search_key(key);
    } else if (const Binding* b = find_binding(key, context_of(static_cast<int>(model_.focus)))) {
        act(b->action);
    } else if (!key.fn && key.code == 27) {
        model_.message.clear();  // Esc: dismiss the message
        screen_.mark(View::Message);
    }
    screen_.update_bar();
}

void Input::act(Action a) {
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
            screen_.mark(View::Message);
            break;
        case Action::Filter:
            model_.status_filter = static_cast<StatusFilter>((static_cast<int>(model_.status_filter) + 1) % 4);
            hosts_.apply_filter();
            hosts_.message(std::string("showing ") + filter_name(model_.status_filter) + " jobs");
            break;
        case Action::Details:
            if (model_.focus == Focus::Hosts || model_.focus == Focus::Queues) {
                model_.focus = Focus::Jobs;
                screen_.mark_all();
                break;
            }
            model_.detail_mode = DetailMode::Details;
            model_.detail_scroll = 0;
            screen_.mark(View::Detail);
            break;
        case Action::Log:
            model_.detail_mode = DetailMode::Log;
            hosts_.poll_log(true);
            screen_.mark(View::Detail);
            break;
        case Action::Help: screen_.open_help(); break;
        case Action::Quit: quit_ = true; break;
        case Action::Suspend: screen_.suspend(); break;
        case Action::New: jobs_.new_job(); break;
        case Action::Restart: jobs_.restart(); break;
        case Action::EditRestart: jobs_.edit_and_restart(); break;
        case Action::Kill: jobs_.kill(); break;
        case Action::Sync: hosts_.sync(true); break;
        case Action::Forget: jobs_.forget(); break;
        case Action::Prune: jobs_.prune(); break;
        case Action::Attach: jobs_.attach(); break;
        case Action::QueueStart: queues_.runner("start"); break;
        case Action::QueueStop: queues_.runner("stop"); break;
        case Action::StartNow: queues_.start_now(); break;
        case Action::HoldToggle: queues_.toggle_hold(); break;
        case Action::Move: queues_.move(); break;
        case Action::Plan: jobs_.submit_plan(); break;
    }
}

void Input::search_key(Key key) {
    std::string& s = model_.search;
    bool changed = false;
    if (!key.fn && (key.code == '\n' || key.code == '\r')) {
        model_.search_editing = false;
    } else if (key.fn && key.code == KEY_ENTER) {
        model_.search_editing = false;
    } else if (!key.fn && key.code == 27) {
        model_.search_editing = false;
        changed = !s.empty();
        s.clear();
    } else if ((key.fn && key.code == KEY_BACKSPACE) || (!key.fn && (key.code == 127 || key.code == 8))) {
        if (!s.empty()) {
            size_t i = s.size() - 1;
            while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
            s.erase(i);
            changed = true;
        }
    } else if (!key.fn && key.code == 21) {  // ^U
        changed = !s.empty();
        s.clear();
    } else if (!key.fn && key.code >= 32) {
        char buf[MB_LEN_MAX];
        std::mbstate_t st{};
        size_t n = std::wcrtomb(buf, static_cast<wchar_t>(key.code), &st);
        if (n != static_cast<size_t>(-1)) {
            s.append(buf, n);
            changed = true;
        }
    }
    if (changed) hosts_.apply_filter();  // as you type: each keystroke is one indexed query
    screen_.mark(View::Message);
}

void Input::mouse() {
    MEVENT ev;
    if (getmouse(&ev) != OK) return;
    auto in = [&](const Pane& p) { return p.rect().contains(ev.y, ev.x); };
    bool wheel_up = ev.bstate & BUTTON4_PRESSED;
    bool wheel_down = ev.bstate & BUTTON5_PRESSED;
    Focus target = model_.focus;
    if (in(screen_.hosts_pane())) target = Focus::Hosts;
    else if (in(screen_.queues_pane())) target = Focus::Queues;
    else if (in(screen_.jobs_pane())) target = Focus::Jobs;
    else if (in(screen_.detail_pane())) target = Focus::Detail;
    else return;
    if (target != model_.focus) {
        model_.focus = target;
        screen_.mark_all();
    }
    if (wheel_up || wheel_down) {
        move_selection(wheel_up ? -3 : 3);
        return;
    }
    if (target == Focus::Hosts) {
        int row = screen_.hosts_pane().row_at(ev.y, model_);
        if (row >= 0) set_host_row(row);
    } else if (target == Focus::Queues) {
        int row = screen_.queues_pane().row_at(ev.y, model_);
        if (row >= 0) set_queue_row(row);
    } else if (target == Focus::Jobs) {
        long row = screen_.jobs_pane().row_at(ev.y, model_);
        if (row >= 0) {
            model_.jobs->move_to(row);
            hosts_.selection_changed();
            screen_.mark(View::Jobs);
        }
    }
}

// ---------------------------------------------------------------- navigation

void Input::move_selection(long delta, bool page) {
    int hosts = static_cast<int>(model_.hosts.size());
    switch (model_.focus) {
        case Focus::Hosts: {
            int step = page ? std::max(1, screen_.hosts_pane().rect().h - 2) : 1;
            set_host_row(std::clamp(model_.host_cursor + static_cast<int>(delta) * step, 0, hosts));
            break;
        }
        case Focus::Queues: {
            int step = page ? std::max(1, screen_.queues_pane().rect().h - 3) : 1;
            int last = static_cast<int>(queue_rows(model_).size()) - 1;
            set_queue_row(std::clamp(model_.queue_cursor + static_cast<int>(delta) * step, 0, last));
            break;
        }
        case Focus::Jobs:
            if (page) model_.jobs->page(static_cast<int>(delta));
            else model_.jobs->step(delta);
            hosts_.selection_changed();
            screen_.mark(View::Jobs);
            break;
        case Focus::Detail: {
            int h = screen_.detail_pane().text_height();
            long step = page ? std::max(1, h - 1) * delta : delta;
            if (model_.detail_mode == DetailMode::Log) model_.log.scroll_by(step, h);
            else model_.detail_scroll = std::max(0, model_.detail_scroll + static_cast<int>(step));
            screen_.mark(View::Detail);
            break;
        }
    }
}

void Input::go_home_end(bool end) {
    switch (model_.focus) {
        case Focus::Hosts: set_host_row(end ? static_cast<int>(model_.hosts.size()) : 0); break;
        case Focus::Queues: set_queue_row(end ? static_cast<int>(queue_rows(model_).size()) - 1 : 0); break;
        case Focus::Jobs:
            if (end) model_.jobs->end();
            else model_.jobs->home();
            hosts_.selection_changed();
            screen_.mark(View::Jobs);
            break;
        case Focus::Detail:
            if (model_.detail_mode == DetailMode::Log) {
                if (end) model_.log.to_bottom();
                else model_.log.to_top();
            } else {
                model_.detail_scroll = end ? 1 << 20 : 0;
            }
            screen_.mark(View::Detail);
            break;
    }
}

void Input::cycle_focus(int dir) {
    int f = (static_cast<int>(model_.focus) + dir + 4) % 4;
    model_.focus = static_cast<Focus>(f);
    for (View v : {View::Hosts, View::Queues, View::Jobs, View::Detail, View::Bar}) screen_.mark(v);
}

void Input::set_host_row(int row) {
    // Both left panes narrow the list to a host: a host selects its first
    // queue, a queue its host.
    model_.host_cursor = row;
    model_.queue_cursor = first_queue_row(model_, row - 1);
    filter_host(row > 0 ? model_.hosts[static_cast<size_t>(row - 1)].name : "");
}

void Input::set_queue_row(int row) {
    auto rows = queue_rows(model_);
    row = std::clamp(row, 0, static_cast<int>(rows.size()) - 1);
    int host_index = rows[static_cast<size_t>(row)].host;
    model_.queue_cursor = row;
    model_.host_cursor = host_index + 1;
    filter_host(host_index >= 0 ? model_.hosts[static_cast<size_t>(host_index)].name : "");
}

void Input::filter_host(const std::string& host) {
    screen_.mark(View::Hosts);
    screen_.mark(View::Queues);
    if (host != model_.host_filter) {
        model_.host_filter = host;
        hosts_.apply_filter();
    }
}

}  // namespace tui
