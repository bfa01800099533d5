#include "config.h"

#include "tui/screen.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <csignal>

#include "tui/text.h"
#include "util/error.h"

namespace tui {

Screen::Screen(Model& model, Overlays& overlays, bool mouse, std::string color)
    : model_(model), overlays_(overlays), mouse_(mouse), color_(std::move(color)) {}

Screen::~Screen() { stop(); }

std::array<Pane*, 7> Screen::panes() {
    return {&header_, &hosts_pane_, &queues_pane_, &jobs_pane_, &detail_pane_, &message_line_, &bar_};
}

std::array<const Pane*, 7> Screen::panes() const {
    return {&header_, &hosts_pane_, &queues_pane_, &jobs_pane_, &detail_pane_, &message_line_, &bar_};
}

void Screen::start() {
    if (on_) return;
    screen_ = newterm(nullptr, stdout, stdin);
    if (!screen_) throw util::Error("cannot start the full-screen interface (TERM unknown?)",
                                                            "check $TERM, or use the batch mode: rj -b help");
    on_ = true;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    cursor_visible_ = false;
    Theme::setup(color_);
    if (mouse_) {
        mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, nullptr);
        mouseinterval(0);
    }
    // stdscr is never drawn on, only read from: clear its "touched" state so
    // the first getch does not paint it over the panes.
    wnoutrefresh(stdscr);
    relayout();
}

void Screen::stop() {
    if (!on_) return;
    on_ = false;
    endwin();
    // The panes' windows belong to this screen: drop them with it.
    for (Pane* p : panes()) p->place(Rect{});
    delscreen(screen_);
    screen_ = nullptr;
}

void Screen::bell() {
    if (on_) beep();
}

void Screen::relayout() {
    if (!on_) return;
    layout_ = compute_layout(LINES, COLS, static_cast<int>(model_.hosts.size()));
    header_.place(layout_.header);
    hosts_pane_.place(layout_.hosts);
    queues_pane_.place(layout_.queues);
    jobs_pane_.place(layout_.jobs);
    detail_pane_.place(layout_.detail);
    message_line_.place(layout_.message);
    bar_.place(layout_.fbar);
    place_overlays();
    if (!layout_.too_small) model_.jobs->set_height(jobs_pane_.list_height());
    mark_all();
}

void Screen::place_overlays() {
    bool fits = !layout_.too_small;
    if (overlays_.form) overlays_.form->place(fits ? overlays_.form->placement(LINES, COLS) : Rect{});
    for (auto& d : overlays_.dialogs) d->place(fits ? d->placement(LINES, COLS) : Rect{});
    if (overlays_.help) overlays_.help->place(fits ? Rect{0, 0, LINES - 1, COLS} : Rect{});
}

void Screen::resize() {
    if (!on_) return;
    struct winsize ws {};
    if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) resizeterm(ws.ws_row, ws.ws_col);
    else {
        endwin();
        refresh();
    }
    clearok(curscr, TRUE);
    relayout();
}

void Screen::redraw_all() {
    if (!on_) return;
    clearok(curscr, TRUE);
    mark_all();
}

void Screen::step_outside(const std::function<void()>& outside) {
    endwin();
    outside();
    // Back: the terminal may have been resized meanwhile.
    resize();
}

void Screen::suspend() {
    if (!on_) return;
    // SIGTSTP is ours (the loop catches it); stop the way the shell expects.
    step_outside([] { kill(getpid(), SIGSTOP); });
}

void Screen::mark(View view) {
    switch (view) {
        case View::Header: header_.mark(); break;
        case View::Hosts: hosts_pane_.mark(); break;
        case View::Queues: queues_pane_.mark(); break;
        case View::Jobs: jobs_pane_.mark(); break;
        case View::Detail: detail_pane_.mark(); break;
        case View::Message: message_line_.mark(); break;
        case View::Bar: bar_.mark(); break;
    }
}

void Screen::mark_all() {
    for (Pane* p : panes()) p->mark();
    overlays_.each([](Pane& p) { p.mark(); });
}

bool Screen::any_dirty() const {
    if (!on_) return false;
    for (const Pane* p : panes())
        if (p->dirty()) return true;
    bool dirty = false;
    overlays_.each([&](const Pane& p) { dirty |= p.dirty(); });
    return dirty;
}

void Screen::open_dialog(std::unique_ptr<Dialog> d) {
    d->place(layout_.too_small ? Rect{} : d->placement(LINES, COLS));
    overlays_.dialogs.push_back(std::move(d));
    update_bar();
}

void Screen::open_form(std::unique_ptr<Form> form, std::function<void()> on_submit) {
    form->place(layout_.too_small ? Rect{} : form->placement(LINES, COLS));
    overlays_.form = std::move(form);
    overlays_.form_submit = std::move(on_submit);
}

void Screen::open_help() {
    overlays_.help = std::make_unique<HelpScreen>();
    overlays_.help->place(layout_.too_small ? Rect{} : Rect{0, 0, LINES - 1, COLS});
}

void Screen::update_bar() {
    if (!overlays_.dialogs.empty()) bar_.set_override(overlays_.dialogs.front()->key_hints());
    else if (overlays_.help) bar_.set_override({{"PgDn", "Scroll"}, {"Esc", "Close"}});
    else if (overlays_.form)
        bar_.set_override({{"Enter", overlays_.form->submit_label()}, {"Tab", "Next/Complete"}, {"Up", "Previous"},
                           {"Esc", "Cancel"}});
    else if (model_.search_editing) bar_.set_override({{"Enter", "Keep"}, {"Esc", "Clear"}});
    else bar_.set_override({});
}

void Screen::render() {
    if (!on_) return;
    if (layout_.too_small) {
        werase(stdscr);
        mvwaddstr(stdscr, 0, 0, fit("rj: the terminal is too small (80x24 or more works best)", COLS).c_str());
        wnoutrefresh(stdscr);
        doupdate();
        // The panes have no windows now: rendering only clears their flags.
        for (Pane* p : panes()) p->render(model_);
        overlays_.each([&](Pane& p) { p.render(model_); });
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
    for (Pane* p : panes()) {
        below_changed |= force || p->dirty();
        p->render(model_, force);
    }
    // Overlays go on top of whatever was redrawn beneath them.
    overlays_.each([&](Pane& p) { p.render(model_, below_changed); });

    bool want_cursor = false;
    if (!overlays_.dialogs.empty() || overlays_.help) {
    } else if (overlays_.form) {
        auto [y, x] = overlays_.form->cursor_position();
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
}

}  // namespace tui
