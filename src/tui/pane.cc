#include "config.h"

#include "tui/pane.h"

#include "tui/text.h"

namespace tui {

Pane::~Pane() {
    if (win_) delwin(win_);
}

void Pane::place(const Rect& r) {
    if (win_) {
        delwin(win_);
        win_ = nullptr;
    }
    rect_ = r;
    if (!r.empty()) win_ = newwin(r.h, r.w, r.y, r.x);
    dirty_ = true;
}

void Pane::render(const Model& m, bool force) {
    if (!win_) {
        dirty_ = false;  // nowhere to draw (the terminal is too small)
        return;
    }
    if (!(dirty_ || force)) return;
    werase(win_);
    draw(m);
    wnoutrefresh(win_);
    dirty_ = false;
}

void Pane::frame(std::string_view title, bool focused) {
    attr_t a = Theme::attr(focused ? Role::BorderFocus : Role::Border);
    wattrset(win_, a);
    box(win_, 0, 0);
    wattrset(win_, A_NORMAL);
    if (!title.empty() && cols() > 6) {
        std::string t = " " + std::string(title) + " ";
        put(0, 2, t, std::min(display_width(t), cols() - 4), focused ? Role::BorderFocus : Role::Title);
    }
}

void Pane::put(int y, int x, std::string_view text, int width, Role role) const {
    put(y, x, text, width, Theme::attr(role));
}

void Pane::put(int y, int x, std::string_view text, int width, attr_t attr) const {
    if (!win_ || y < 0 || y >= rect_.h || x < 0 || x >= rect_.w || width <= 0) return;
    width = std::min(width, rect_.w - x);
    // Without UTF-8, rj's own punctuation (…, —, ·) goes through its ASCII stand-ins.
    std::string s = utf8_locale() ? fit(text, width) : fit(sanitize(text), width);
    wattrset(win_, attr);
    mvwaddstr(win_, y, x, s.c_str());
    wattrset(win_, A_NORMAL);
}

}  // namespace tui
