#include "config.h"

#include "tui/dialog.h"

#include <curses.h>

#include <algorithm>
#include <climits>
#include <cwchar>

#include "tui/text.h"

namespace tui {

Dialog::Dialog(std::string title, std::vector<std::string> lines, Kind kind, std::function<void(bool)> done)
    : title_(std::move(title)), lines_(std::move(lines)), kind_(kind), done_(std::move(done)) {}

Dialog::Dialog(std::string title, std::vector<std::string> lines, std::function<void(std::optional<std::string>)> done)
    : Dialog(std::move(title), std::move(lines), Kind::Secret, nullptr) {
    done_ = [this, answer = std::move(done)](bool entered) {
        std::optional<std::string> text;
        if (entered) text = secret_;
        secret_.assign(secret_.size(), '\0');  // no copy of a passphrase left behind here
        secret_.clear();
        answer(std::move(text));
    };
}

void Dialog::finish(bool yes) {
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(yes);
}

void Dialog::abandon() { finish(false); }

bool Dialog::handle(Key key) {
    mark();
    if (kind_ == Kind::Secret) return handle_secret(key);
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

bool Dialog::handle_secret(Key key) {
    if ((key.fn && key.code == KEY_ENTER) || (!key.fn && (key.code == '\n' || key.code == '\r'))) {
        finish(true);
        return true;
    }
    if (!key.fn && key.code == 27) {  // Esc: skip
        finish(false);
        return true;
    }
    if ((key.fn && key.code == KEY_BACKSPACE) || (!key.fn && (key.code == 127 || key.code == 8))) {
        // Remove one character, not one byte, of the UTF-8 text.
        while (!secret_.empty() && (static_cast<unsigned char>(secret_.back()) & 0xC0) == 0x80) secret_.pop_back();
        if (!secret_.empty()) secret_.pop_back();
    } else if (!key.fn && key.code == 21) {  // Ctrl-U: start over, as at a terminal prompt
        secret_.clear();
    } else if (!key.fn && key.code >= 32) {
        char buf[MB_LEN_MAX];
        std::mbstate_t st{};
        size_t n = std::wcrtomb(buf, static_cast<wchar_t>(key.code), &st);
        if (n != static_cast<size_t>(-1)) secret_.append(buf, n);
    }
    return false;
}

KeyHints Dialog::key_hints() const {
    if (kind_ == Kind::Secret) return {{"Enter", "Use it"}, {"Esc", "Skip"}};
    return {{"y", "Yes"}, {"n", "No"}, {"Esc", "Cancel"}};
}

Rect Dialog::placement(int rows, int cols) const {
    int w = std::min(cols - 2, 78);
    int text_w = w - 4;
    int need = 0;
    for (const auto& l : lines_) need += static_cast<int>(wrap(l, text_w).size());
    if (kind_ == Kind::Secret) need += 1;  // the masked input
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
    if (kind_ == Kind::Secret) {
        // One '*' per character typed, so the length shows but nothing else.
        size_t chars = 0;
        for (unsigned char c : secret_) chars += (c & 0xC0) != 0x80;
        std::string stars(std::min<size_t>(chars, static_cast<size_t>(std::max(0, text_w - 2))), '*');
        put(rows() - 3, 2, "> " + stars, text_w, Role::Normal);
        h -= 1;
    }
    scroll_ = std::clamp(scroll_, 0, std::max(0, static_cast<int>(wrapped.size()) - h));
    for (int r = 0; r < h && scroll_ + r < static_cast<int>(wrapped.size()); ++r)
        put(1 + r, 2, wrapped[static_cast<size_t>(scroll_ + r)], text_w, Role::Normal);
    std::string keys = kind_ == Kind::YesNo    ? "y: yes   n/Esc: no"
                       : kind_ == Kind::Secret ? "Enter: use it   Esc: skip this key"
                                               : "any key: close";
    if (static_cast<int>(wrapped.size()) > h) keys += "   Up/Down/PgDn: scroll";
    put(rows() - 2, 2, keys, text_w, Role::Label);
}

}  // namespace tui
