#include "config.h"

#include "util/strings.h"

#include "util/xdg.h"

namespace util {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// A byte that continues a UTF-8 sequence (10xxxxxx).
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Length in bytes of the code point starting at s[i]; an invalid or truncated
// sequence counts as a single byte so garbage never swallows valid text.
size_t code_point_len(std::string_view s, size_t i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + n > s.size()) return 1;
    for (size_t k = 1; k < n; ++k)
        if (!is_continuation(s[i + k])) return 1;
    return n;
}

}  // namespace

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            out.emplace_back(s.substr(start));
            return out;
        }
        out.emplace_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

std::vector<std::string> split_any(std::string_view s, std::string_view seps) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        i = s.find_first_not_of(seps, i);
        if (i == std::string_view::npos) break;
        size_t end = s.find_first_of(seps, i);
        if (end == std::string_view::npos) end = s.size();
        out.emplace_back(s.substr(i, end - i));
        i = end;
    }
    return out;
}

std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && is_space(s[b])) ++b;
    while (e > b && is_space(s[e - 1])) --e;
    return std::string(s.substr(b, e - b));
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }
bool ends_with(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string tilde_home(const std::string& path) {
    std::string home;
    try {
        home = home_dir();
    } catch (...) {
        return path;
    }
    while (home.size() > 1 && home.back() == '/') home.pop_back();
    if (home.empty() || home == "/") return path;  // "~" for every absolute path would mislead
    if (path == home) return "~";
    if (path.size() > home.size() && path.compare(0, home.size(), home) == 0 && path[home.size()] == '/')
        return "~" + path.substr(home.size());
    return path;
}

size_t utf8_length(std::string_view s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); i += code_point_len(s, i)) ++n;
    return n;
}

std::string shorten(std::string_view s, size_t width) {
    if (utf8_length(s) <= width) return std::string(s);
    if (width == 0) return {};
    // Keep width-1 code points and spend the last column on the ellipsis.
    size_t i = 0;
    for (size_t kept = 0; kept + 1 < width; ++kept) i += code_point_len(s, i);
    return std::string(s.substr(0, i)) + "\xE2\x80\xA6";
}

}  // namespace util
