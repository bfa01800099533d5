#include "config.h"

#include "tui/form.h"

#include <curses.h>

#include <algorithm>
#include <climits>
#include <cwchar>

#include "tui/text.h"
#include "util/strings.h"

namespace tui {

namespace {

constexpr int kLabelWidth = 14;

size_t prev_char(const std::string& s, size_t i) {
    if (i == 0) return 0;
    --i;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    return i;
}

size_t next_char(const std::string& s, size_t i) {
    if (i >= s.size()) return s.size();
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    return i;
}

std::string encode(int code) {
    char buf[MB_LEN_MAX];
    std::mbstate_t st{};
    size_t n = std::wcrtomb(buf, static_cast<wchar_t>(code), &st);
    if (n == static_cast<size_t>(-1)) return {};
    return std::string(buf, n);
}

std::string common_prefix(const std::vector<std::string>& v) {
    if (v.empty()) return {};
    std::string p = v.front();
    for (const auto& s : v) {
        size_t n = 0;
        while (n < p.size() && n < s.size() && p[n] == s[n]) ++n;
        p.resize(n);
    }
    return p;
}

}  // namespace

Form::Form(std::string title, std::vector<Field> fields, std::string submit_word)
    : title_(std::move(title)), fields_(std::move(fields)), submit_word_(std::move(submit_word)) {
    for (auto& f : fields_) f.cursor = f.value.size();
}

std::string Form::submit_label() const {
    std::string s = submit_word_;
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

void Form::focus(size_t i) {
    current_ = std::min(i, fields_.size() - 1);
    mark();
}

std::vector<std::string> Form::matches(const Field& f) const {
    std::vector<std::string> out;
    for (const auto& c : f.candidates)
        if (util::starts_with(c, f.value)) out.push_back(c);
    return out;
}

bool Form::complete() {
    Field& f = fields_[current_];
    if (f.candidates.empty()) return false;
    if (std::find(f.candidates.begin(), f.candidates.end(), f.value) != f.candidates.end()) return false;
    auto m = matches(f);
    if (m.empty()) return false;
    std::string p = common_prefix(m);
    if (p.size() <= f.value.size()) return m.size() > 1;  // ambiguous: stay, the hint lists them
    f.value = p;
    f.cursor = f.value.size();
    return true;
}

Form::Result Form::handle(Key key) {
    mark();
    Field& f = fields_[current_];
    if (!key.fn) {
        switch (key.code) {
            case 27: return Result::Cancel;  // Esc
            case '\n':
            case '\r': return Result::Submit;
            case '\t':
                if (!complete()) focus((current_ + 1) % fields_.size());
                return Result::None;
            default: break;
        }
    } else {
        switch (key.code) {
            case KEY_ENTER: return Result::Submit;
            case KEY_BTAB:
            case KEY_UP: focus((current_ + fields_.size() - 1) % fields_.size()); return Result::None;
            case KEY_DOWN: focus((current_ + 1) % fields_.size()); return Result::None;
            default: break;
        }
    }
    if (f.kind == Field::Kind::Toggle) {
        if (!key.fn && (key.code == ' ' || key.code == 'y' || key.code == 'n')) {
            bool on = key.code == ' ' ? !f.on() : key.code == 'y';
            f.value = on ? "yes" : "";
        }
        return Result::None;
    }
    edit(key);
    return Result::None;
}

void Form::edit(Key key) {
    Field& f = fields_[current_];
    f.error.clear();
    if (key.fn) {
        switch (key.code) {
            case KEY_LEFT: f.cursor = prev_char(f.value, f.cursor); break;
            case KEY_RIGHT: f.cursor = next_char(f.value, f.cursor); break;
            case KEY_HOME: f.cursor = 0; break;
            case KEY_END: f.cursor = f.value.size(); break;
            case KEY_BACKSPACE: {
                size_t p = prev_char(f.value, f.cursor);
                f.value.erase(p, f.cursor - p);
                f.cursor = p;
                break;
            }
            case KEY_DC: f.value.erase(f.cursor, next_char(f.value, f.cursor) - f.cursor); break;
            default: break;
        }
        return;
    }
    switch (key.code) {
        case 127:
        case 8: {  // Backspace as DEL or ^H
            size_t p = prev_char(f.value, f.cursor);
            f.value.erase(p, f.cursor - p);
            f.cursor = p;
            return;
        }
        case 1: f.cursor = 0; return;                 // ^A
        case 5: f.cursor = f.value.size(); return;    // ^E
        case 21: f.value.clear(); f.cursor = 0; return;  // ^U
        case 11: f.value.erase(f.cursor); return;     // ^K
        default: break;
    }
    if (key.code < 32) return;
    std::string bytes = encode(key.code);
    f.value.insert(f.cursor, bytes);
    f.cursor += bytes.size();
}

int Form::field_width() const { return std::max(8, cols() - 4 - kLabelWidth - 2); }

Rect Form::placement(int rows, int cols) const {
    int w = std::min(cols - 2, 78);
    int h = std::min(rows - 2, static_cast<int>(fields_.size()) * 2 + 5);
    return {std::max(0, (rows - h) / 2), std::max(0, (cols - w) / 2), h, w};
}

void Form::draw(const Model&) {
    WINDOW* w = win();
    wbkgdset(w, ' ' | Theme::attr(Role::Dialog));
    werase(w);
    frame(title_, true);
    int fw = field_width();
    int y = 1;
    for (size_t i = 0; i < fields_.size() && y < rows() - 3; ++i, y += 2) {
        Field& f = fields_[i];
        bool cur = i == current_;
        put(y, 2, f.label, kLabelWidth, cur ? Role::Label : Role::Normal);
        int x = 2 + kLabelWidth;
        if (f.kind == Field::Kind::Toggle) {
            put(y, x, f.on() ? "[x] yes" : "[ ] no", fw, cur ? Role::Input : Role::Normal);
            if (cur) {
                cursor_y_ = rect().y + y;
                cursor_x_ = rect().x + x + 1;
            }
        } else {
            // Keep the cursor inside the visible part of a long value.
            Field& mf = f;
            if (mf.cursor < mf.scroll) mf.scroll = mf.cursor;
            while (display_width(sanitize(f.value.substr(mf.scroll, mf.cursor - mf.scroll))) > fw - 1)
                mf.scroll = next_char(f.value, mf.scroll);
            std::string shown = sanitize(f.value.substr(mf.scroll));
            put(y, x, shown, fw, Role::Input);
            if (cur) {
                cursor_y_ = rect().y + y;
                cursor_x_ = rect().x + x + display_width(sanitize(f.value.substr(mf.scroll, mf.cursor - mf.scroll)));
            }
        }
        std::string below;
        Role role = Role::Dim;
        if (!f.error.empty()) {
            below = f.error;
            role = Role::Error;
        } else if (cur && !f.candidates.empty()) {
            auto m = matches(f);
            if (!m.empty() && !(m.size() == 1 && m.front() == f.value)) below = "Tab: " + util::join(m, "  ");
            else if (m.empty()) below = "known: " + util::join(f.candidates, "  ");
        } else if (cur) {
            below = f.hint;
        }
        if (!below.empty()) put(y + 1, x, sanitize(below), fw, role);
    }
    if (!error_.empty()) put(rows() - 3, 2, sanitize(error_), cols() - 4, Role::Error);
    put(rows() - 2, 2, "Enter: " + submit_word_ + "   Tab/Down: next field   Up: previous   Esc: cancel", cols() - 4,
        Role::Dim);
}

std::pair<int, int> Form::cursor_position() const { return {cursor_y_, cursor_x_}; }

}  // namespace tui
