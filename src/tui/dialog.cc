#include "config.h"

#include "tui/dialog.h"

#include <curses.h>

#include <algorithm>

#include "tui/text.h"

namespace tui {

Dialog::Dialog(std::string title, std::vector<std::string> lines, Kind kind, std::function<void(bool)> done)
    : title_(std::move(title)), lines_(std::move(lines)), kind_(kind), done_(std::move(done)) {}

void Dialog::finish(bool yes) {
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(yes);
}

void Dialog::abandon() { finish(false); }

bool Dialog::handle(Key key) {
    mark();
    int page = std::max(1, rows() - 4);
    if (key.fn) {
        switch (key.code) {
            case KEY_DOWN: ++scroll_; return false;
            case KEY_UP: --scroll_; return false;
            case KEY_NPAGE: scroll_ += page; return false;
            case KEY_PPAGE: scroll_ -= page; return false;
            case KEY_ENTER: finish(kind_ == Kind::Notice); return true;
            default: return false;
        }
    }
    if (kind_ == Kind::Notice) {
        finish(true);
        return true;
    }
    switch (key.code) {
        case 'y':
        case 'Y': finish(true); return true;
        case 'n':
        case 'N':
        case 'q':
        case 27:  // Esc
        case '\n':
        case '\r': finish(false); return true;  // the safe answer is the default
        case ' ': scroll_ += page; return false;
        default: return false;
    }
}

Rect Dialog::placement(int rows, int cols) const {
    int w = std::min(cols - 2, 78);
    int text_w = w - 4;
    int need = 0;
    for (const auto& l : lines_) need += static_cast<int>(wrap(l, text_w).size());
    int h = std::min(rows - 2, need + 4);
    return {std::max(0, (rows - h) / 2), std::max(0, (cols - w) / 2), h, w};
}

void Dialog::draw(const Model&) {
    WINDOW* w = win();
    wbkgdset(w, ' ' | Theme::attr(Role::Dialog));
    werase(w);
    frame(title_, true);
    int text_w = cols() - 4;
    std::vector<std::string> wrapped;
    for (const auto& l : lines_)
        for (auto& piece : wrap(sanitize(l), text_w)) wrapped.push_back(piece);
    int h = rows() - 4;
    scroll_ = std::clamp(scroll_, 0, std::max(0, static_cast<int>(wrapped.size()) - h));
    for (int r = 0; r < h && scroll_ + r < static_cast<int>(wrapped.size()); ++r)
        put(1 + r, 2, wrapped[static_cast<size_t>(scroll_ + r)], text_w, Role::Normal);
    std::string keys = kind_ == Kind::YesNo ? "y: yes   n/Esc: no" : "any key: close";
    if (static_cast<int>(wrapped.size()) > h) keys += "   Up/Down/PgDn: scroll";
    put(rows() - 2, 2, keys, text_w, Role::Label);
}

}  // namespace tui
