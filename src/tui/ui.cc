#include "config.h"

#include "tui/ui.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <csignal>
#include <ctime>

#include "tui/text.h"
#include "util/error.h"

namespace tui {

Ui::Ui(engine::Engine& engine, UiOptions options)
    : engine_(engine), loop_(engine.loop()), options_(std::move(options)) {
    // Before any connection exists: sessions copy these when created, and
    // keep the copies, so they must not reach a Ui that is gone.
    engine_.set_prompts(
        [this, alive = alive_](const engine::Engine::HostKeyQuestion& q, std::function<void(bool)> answer) {
            if (!*alive) return answer(false);
            ask_host_key(q, std::move(answer));
        },
        [this, alive = alive_](const std::string& key_path, engine::Engine::PassphraseAnswer answer) {
            if (!*alive) return answer(std::nullopt);
            ask_passphrase(key_path, std::move(answer));
        });
    // A failure inside a remote operation's callback is shown, not fatal.
    engine_.on_callback_error([this, alive = alive_](const std::string& msg, const std::string& hint) {
        if (!*alive) return;
        if (engine::is_database_busy(msg)) {
            // Another rj held the database: nothing was written (each host's
            // answer is applied in one transaction), so ask again shortly.
            message("database busy (another rj is writing); trying again", true);
            timers_.push_back(loop_.after(kDbBusyRetry, [this, alive] {
                if (*alive) sync(false);
            }));
            return;
        }
        message(msg + (hint.empty() ? "" : " — " + hint), true);
    });
    model_.now = static_cast<int64_t>(std::time(nullptr));
    model_.jobs = std::make_unique<JobList>(engine_);
    load_hosts();
}

Ui::~Ui() {
    *alive_ = false;
    engine_.set_prompts(nullptr, nullptr);
    engine_.on_callback_error(nullptr);
    for (auto id : timers_) loop_.cancel(id);
    while (!dialogs_.empty()) {
        auto d = std::move(dialogs_.front());
        dialogs_.pop_front();
        d->abandon();
    }
    loop_.remove(this);
    stop_screen();
}

int Ui::run() {
    start_screen();
    loop_.add(this);
    loop_.on_signal(SIGWINCH, [this](int) { resize(); });
    loop_.on_signal(SIGTERM, [this](int) { quit_ = true; });
    loop_.on_signal(SIGINT, [this](int) { quit_ = true; });
    loop_.on_signal(SIGHUP, [this](int) { quit_ = true; });
    loop_.on_signal(SIGTSTP, [this](int) { suspend(); });
    loop_.on_signal(SIGCONT, [this](int) {
        if (screen_on_) {
            clearok(curscr, TRUE);
            mark_all();
        }
    });
    apply_filter();
    render();
    if (options_.exit_after_first_frame) quit_ = true;
    if (!quit_) start_timers();
    while (!quit_) loop_.run_once();
    loop_.remove(this);
    stop_screen();
    return 0;
}

// ---------------------------------------------------------------- screen

void Ui::start_screen() {
    if (screen_on_) return;
    screen_ = newterm(nullptr, stdout, stdin);
    if (!screen_) throw util::Error("cannot start the full-screen interface (TERM unknown?)",
                                                            "check $TERM, or use the batch mode: rj -b help");
    screen_on_ = true;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    cursor_visible_ = false;
    Theme::setup(options_.color);
    if (options_.mouse) {
        mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, nullptr);
        mouseinterval(0);
    }
    // stdscr is never drawn on, only read from: clear its "touched" state so
    // the first getch does not paint it over the panes.
    wnoutrefresh(stdscr);
    relayout();
}

void Ui::stop_screen() {
    if (!screen_on_) return;
    screen_on_ = false;
    endwin();
    // The panes' windows belong to this screen: drop them with it.
    for (Pane* p : std::initializer_list<Pane*>{&header_, &hosts_pane_, &queues_pane_, &jobs_pane_, &detail_pane_,
                                                &message_line_, &bar_})
        p->place(Rect{});
    delscreen(screen_);
    screen_ = nullptr;
}

void Ui::relayout() {
    layout_ = compute_layout(LINES, COLS, static_cast<int>(model_.hosts.size()));
    header_.place(layout_.header);
    hosts_pane_.place(layout_.hosts);
    queues_pane_.place(layout_.queues);
    jobs_pane_.place(layout_.jobs);
    detail_pane_.place(layout_.detail);
    message_line_.place(layout_.message);
    bar_.place(layout_.fbar);
    bool fits = !layout_.too_small;
    if (form_) form_->place(fits ? form_->placement(LINES, COLS) : Rect{});
    for (auto& d : dialogs_) d->place(fits ? d->placement(LINES, COLS) : Rect{});
    if (help_) help_->place(fits ? Rect{0, 0, LINES - 1, COLS} : Rect{});
    if (!layout_.too_small) model_.jobs->set_height(jobs_pane_.list_height());
    mark_all();
}

void Ui::resize() {
    if (!screen_on_) return;
    struct winsize ws {};
    if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) resizeterm(ws.ws_row, ws.ws_col);
    else {
        endwin();
        refresh();
    }
    clearok(curscr, TRUE);
    relayout();
}

void Ui::suspend() {
    if (!screen_on_) return;
    endwin();
    // SIGTSTP is ours (the loop catches it); stop the way the shell expects.
    kill(getpid(), SIGSTOP);
    // Continued: the terminal may have changed size meanwhile.
    resize();
}

void Ui::mark_all() {
    for (Pane* p : std::initializer_list<Pane*>{&header_, &hosts_pane_, &queues_pane_, &jobs_pane_, &detail_pane_,
                                                &message_line_, &bar_})
        p->mark();
    if (form_) form_->mark();
    for (auto& d : dialogs_) d->mark();
    if (help_) help_->mark();
}

bool Ui::any_dirty() const {
    if (!screen_on_) return false;
    for (const Pane* p : std::initializer_list<const Pane*>{&header_, &hosts_pane_, &queues_pane_, &jobs_pane_,
                                                            &detail_pane_, &message_line_, &bar_})
        if (p->dirty()) return true;
    if (form_ && form_->dirty()) return true;
    if (help_ && help_->dirty()) return true;
    for (const auto& d : dialogs_)
        if (d->dirty()) return true;
    return false;
}

void Ui::update_bar() {
    if (!dialogs_.empty()) bar_.set_override(dialogs_.front()->key_hints());
    else if (help_) bar_.set_override({{"PgDn", "Scroll"}, {"Esc", "Close"}});
    else if (form_) bar_.set_override({{"Enter", form_->submit_label()}, {"Tab", "Next/Complete"}, {"Up", "Previous"}, {"Esc", "Cancel"}});
    else if (model_.search_editing) bar_.set_override({{"Enter", "Keep"}, {"Esc", "Clear"}});
    else bar_.set_override({});
}

void Ui::render() {
    if (!screen_on_) return;
    if (layout_.too_small) {
        werase(stdscr);
        mvwaddstr(stdscr, 0, 0, fit("rj: the terminal is too small (80x24 or more works best)", COLS).c_str());
        wnoutrefresh(stdscr);
        doupdate();
        // The panes have no windows now: rendering only clears their flags.
        for (Pane* p : std::initializer_list<Pane*>{&header_, &hosts_pane_, &queues_pane_, &jobs_pane_,
                                                    &detail_pane_, &message_line_, &bar_})
            p->render(model_);
        if (help_) help_->render(model_);
        if (form_) form_->render(model_);
        for (auto& d : dialogs_) d->render(model_);
        frames_drawn_ = true;
        return;
    }
    bool force = false;
    if (is_wintouched(stdscr)) {
        // Something (a resize, the first frame) touched the blank stdscr:
        // let it through, then everything on top of it again.
        wnoutrefresh(stdscr);
        force = true;
    }
    bool below_changed = false;
    for (Pane* p : std::initializer_list<Pane*>{&header_, &hosts_pane_, &queues_pane_, &jobs_pane_, &detail_pane_,
                                                &message_line_, &bar_}) {
        below_changed |= force || p->dirty();
        p->render(model_, force);
    }
    // Overlays go on top of whatever was redrawn beneath them.
    if (help_) help_->render(model_, below_changed);
    if (form_) form_->render(model_, below_changed);
    for (auto& d : dialogs_) d->render(model_, below_changed);

    bool want_cursor = false;
    if (!dialogs_.empty() || help_) {
    } else if (form_) {
        auto [y, x] = form_->cursor_position();
        setsyx(y, x);
        want_cursor = true;
    } else if (model_.search_editing) {
        setsyx(layout_.message.y, std::min(COLS - 1, 8 + display_width(sanitize(model_.search))));
        want_cursor = true;
    }
    if (want_cursor != cursor_visible_) {
        curs_set(want_cursor ? 1 : 0);
        cursor_visible_ = want_cursor;
    }
    doupdate();
    frames_drawn_ = true;
}

// ---------------------------------------------------------------- input

void Ui::interests(std::vector<event::Interest>& out) {
    if (screen_on_) out.push_back({0, true, false});
}

event::Duration Ui::wait_time(event::TimePoint) {
    // Engine callbacks that ran after our tick left something to draw.
    return any_dirty() ? event::Duration::zero() : event::Duration::max();
}

void Ui::tick(event::TimePoint, const event::Readiness& ready) {
    model_.now = static_cast<int64_t>(std::time(nullptr));
    if (screen_on_ && ready.readable(0)) read_keys();
    if (quit_) return;
    if (any_dirty()) render();
}

void Ui::read_keys() {
    int got = 0;
    for (;;) {
        wint_t wch = 0;
        int rc = wget_wch(stdscr, &wch);
        if (rc == ERR) break;
        ++got;
        route(Key{static_cast<int>(wch), rc == KEY_CODE_YES});
        if (quit_ || !screen_on_) return;
    }
    // Readable with nothing to read, again and again: end of file on the
    // terminal (it was closed). Quit instead of spinning.
    idle_reads_ = got ? 0 : idle_reads_ + 1;
    if (idle_reads_ > 50) quit_ = true;
}

void Ui::route(Key key) {
    if (key.fn && key.code == KEY_RESIZE) return;  // handled through SIGWINCH
    if (key.fn && key.code == KEY_MOUSE) {
        mouse();
        return;
    }
    if (!dialogs_.empty()) {
        Dialog* d = dialogs_.front().get();
        if (d->handle(key)) {
            // The answer may have opened another dialog behind this one.
            for (auto it = dialogs_.begin(); it != dialogs_.end(); ++it)
                if (it->get() == d) {
                    dialogs_.erase(it);
                    break;
                }
            mark_all();
        }
    } else if (help_) {
        if (help_->handle(key)) {
            help_.reset();
            mark_all();
        }
    } else if (form_) {
        switch (form_->handle(key)) {
            case Form::Result::Submit: {
                // A copy: the handler may close the form and open another.
                auto submit_handler = form_submit_;
                if (submit_handler) submit_handler();
                break;
            }
            case Form::Result::Cancel:
                form_.reset();
                message("cancelled");
                mark_all();
                break;
            case Form::Result::None: break;
        }
    } else if (model_.search_editing) {
        search_key(key);
    } else if (const Binding* b = find_binding(key, context_of(static_cast<int>(model_.focus)))) {
        act(b->action);
    } else if (!key.fn && key.code == 27) {
        model_.message.clear();  // Esc: dismiss the message
        message_line_.mark();
    }
    update_bar();
}

void Ui::search_key(Key key) {
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
    if (changed) apply_filter();  // as you type: each keystroke is one indexed query
    message_line_.mark();
}

void Ui::mouse() {
    MEVENT ev;
    if (getmouse(&ev) != OK) return;
    auto in = [&](const Pane& p) { return p.rect().contains(ev.y, ev.x); };
    bool wheel_up = ev.bstate & BUTTON4_PRESSED;
    bool wheel_down = ev.bstate & BUTTON5_PRESSED;
    Focus target = model_.focus;
    if (in(hosts_pane_)) target = Focus::Hosts;
    else if (in(queues_pane_)) target = Focus::Queues;
    else if (in(jobs_pane_)) target = Focus::Jobs;
    else if (in(detail_pane_)) target = Focus::Detail;
    else return;
    if (target != model_.focus) {
        model_.focus = target;
        mark_all();
    }
    if (wheel_up || wheel_down) {
        move_selection(wheel_up ? -3 : 3);
        return;
    }
    if (target == Focus::Hosts) {
        int row = hosts_pane_.row_at(ev.y, model_);
        if (row >= 0) set_host_row(row);
    } else if (target == Focus::Queues) {
        int row = queues_pane_.row_at(ev.y, model_);
        if (row >= 0) set_queue_row(row);
    } else if (target == Focus::Jobs) {
        long row = jobs_pane_.row_at(ev.y, model_);
        if (row >= 0) {
            model_.jobs->move_to(row);
            selection_changed();
            jobs_pane_.mark();
        }
    }
}

}  // namespace tui
