#include "config.h"

#include "cli/table.h"

#include "util/terminal_text.h"

#include <algorithm>
#include <cstdint>

namespace cli {

size_t display_width(const std::string& s) {
    size_t w = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++w;
    return w;
}

std::string fit(const std::string& s, size_t width) {
    if (display_width(s) <= width) return s;
    if (width == 0) return "";
    std::string out;
    size_t w = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) != 0x80) {
            if (w + 1 >= width) break;
            ++w;
        }
        out += s[i];
    }
    return out + "\xE2\x80\xA6";  // …
}

namespace {
// Newlines and tabs inside a cell would break the table's rows; any other
// control byte (a command's or a host's ESC) is shown, not sent.
std::string one_line(const std::string& s) {
    std::string out = s;
    for (char& c : out)
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    return util::visible(out);
}
}  // namespace

void Table::print(std::ostream& out, int width) const {
    size_t n = header_.size();
    std::vector<size_t> w(n, 0);
    for (size_t i = 0; i < n; ++i) w[i] = display_width(header_[i]);
    for (const auto& r : rows_)
        for (size_t i = 0; i < n && i < r.size(); ++i) w[i] = std::max(w[i], display_width(one_line(r[i])));
    size_t fixed = 0;
    for (size_t i = 0; i + 1 < n; ++i) fixed += w[i] + 2;
    // width <= 0: not a terminal, never cut.
    size_t last = width <= 0 ? SIZE_MAX : static_cast<size_t>(width) > fixed + 8 ? static_cast<size_t>(width) - fixed : 8;
    auto line = [&](const std::vector<std::string>& cells) {
        std::string s;
        for (size_t i = 0; i < n; ++i) {
            std::string cell = i < cells.size() ? one_line(cells[i]) : "";
            if (i + 1 == n) {
                s += fit(cell, last);
            } else {
                s += cell + std::string(w[i] - display_width(cell) + 2, ' ');
            }
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        out << s << "\n";
    };
    line(header_);
    for (const auto& r : rows_) line(r);
}

}  // namespace cli
