#include "config.h"

#include "tui/text.h"

#include <langinfo.h>

#include <cstring>
#include <cwchar>

namespace tui {

namespace {

// Decodes one UTF-8 character at s[i]; returns its byte length (0 when invalid).
size_t decode(std::string_view s, size_t i, wchar_t& wc) {
    std::mbstate_t st{};
    size_t n = std::mbrtowc(&wc, s.data() + i, s.size() - i, &st);
    if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2)) return 0;
    if (n == 0) {
        wc = 0;
        return 1;
    }
    return n;
}

// The length of the UTF-8 sequence at s[i] by its bytes alone (0 when invalid),
// for locales that cannot decode it.
size_t utf8_length_at(std::string_view s, size_t i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
    return n;
}

// ASCII stand-ins for the punctuation rj itself writes, on non-UTF-8 terminals.
const char* ascii_for(std::string_view ch) {
    static const std::pair<const char*, const char*> kTable[] = {
        {"…", "..."}, {"—", "-"}, {"·", "-"}, {"⏎", "|"}, {"“", "\""}, {"”", "\""}, {"’", "'"}};
    for (const auto& [u, a] : kTable)
        if (ch == u) return a;
    return "?";
}

int char_width(wchar_t wc) {
    int w = ::wcwidth(wc);
    return w < 0 ? 1 : w;
}

}  // namespace

bool utf8_locale() {
    // Not cached: cheap, and the locale is set once the UI starts (tests switch it).
    const char* cs = nl_langinfo(CODESET);
    return cs && (std::strcmp(cs, "UTF-8") == 0 || std::strcmp(cs, "utf8") == 0);
}

const char* glyph(const char* utf8, const char* ascii) { return utf8_locale() ? utf8 : ascii; }

int display_width(std::string_view s) {
    int w = 0;
    for (size_t i = 0; i < s.size();) {
        wchar_t wc;
        size_t n = decode(s, i, wc);
        if (n == 0) {
            ++w;
            ++i;
            continue;
        }
        w += char_width(wc);
        i += n;
    }
    return w;
}

std::string fit(std::string_view s, int width, bool pad) {
    if (width <= 0) return {};
    std::string out;
    int used = 0;
    if (display_width(s) <= width) {
        out.assign(s);
        used = display_width(s);
    } else {
        // Too long: keep what fits in width-1 columns, then the ellipsis.
        for (size_t i = 0; i < s.size();) {
            wchar_t wc;
            size_t n = decode(s, i, wc);
            int cw = n == 0 ? 1 : char_width(wc);
            if (n == 0) n = 1;
            if (used + cw > width - 1) break;
            out.append(s.substr(i, n));
            used += cw;
            i += n;
        }
        out += glyph("…", ">");
        ++used;
    }
    if (pad && used < width) out.append(static_cast<size_t>(width - used), ' ');
    return out;
}

namespace {

// The sanitized text split into characters (one UTF-8 sequence each).
std::vector<std::string> chars_of(const std::string& s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size();) {
        size_t n = utf8_length_at(s, i);
        if (n == 0) n = 1;
        out.emplace_back(s.substr(i, n));
        i += n;
    }
    return out;
}

}  // namespace

std::string sanitize(std::string_view s) {
    // A carriage return rewinds the line and what follows overwrites it, as
    // on a terminal: "epoch 1 loss 0.51\repoch 2" shows "epoch 2 loss 0.51".
    if (s.find('\r') != std::string_view::npos) {
        std::vector<std::string> shown;
        size_t start = 0;
        for (;;) {
            size_t cr = s.find('\r', start);
            std::string_view seg = s.substr(start, cr == std::string_view::npos ? std::string_view::npos : cr - start);
            std::vector<std::string> over = chars_of(sanitize(seg));
            for (size_t k = 0; k < over.size(); ++k) {
                if (k < shown.size()) shown[k] = std::move(over[k]);
                else shown.push_back(std::move(over[k]));
            }
            if (cr == std::string_view::npos) break;
            start = cr + 1;
        }
        std::string out;
        for (const auto& c : shown) out += c;
        return out;
    }
    std::string out;
    out.reserve(s.size());
    int col = 0;
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\t') {
            int n = 8 - col % 8;
            out.append(static_cast<size_t>(n), ' ');
            col += n;
            ++i;
            continue;
        }
        if (c == 0x1b) {  // ESC: skip a CSI/OSC sequence or the next byte
            ++i;
            if (i < s.size() && s[i] == '[') {
                ++i;
                while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
                ++i;
            } else if (i < s.size() && s[i] == ']') {
                while (i < s.size() && s[i] != '\a' && s[i] != 0x1b) ++i;
                ++i;
            } else {
                ++i;
            }
            continue;
        }
        if (c == '\n') {
            out += glyph("⏎", "|");
            ++col;
            ++i;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            ++i;
            continue;
        }
        if (c >= 0x80 && !utf8_locale()) {
            size_t n = utf8_length_at(s, i);
            const char* a = n ? ascii_for(s.substr(i, n)) : "?";
            out += a;
            col += static_cast<int>(std::strlen(a));
            i += n ? n : 1;
            continue;
        }
        wchar_t wc;
        size_t n = decode(s, i, wc);
        if (n == 0) {
            out += '?';
            ++col;
            ++i;
            continue;
        }
        if (::wcwidth(wc) < 0) {  // C1 controls and other non-printables
            i += n;
            continue;
        }
        out.append(s.substr(i, n));
        col += char_width(wc);
        i += n;
    }
    return out;
}

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) {
            lines.push_back(sanitize(text.substr(start)));
            break;
        }
        lines.push_back(sanitize(text.substr(start, nl - start)));
        start = nl + 1;
    }
    return lines;
}

std::vector<std::string> wrap(std::string_view s, int width) {
    std::vector<std::string> out;
    if (width <= 0) return out;
    std::string line;
    int lw = 0;
    size_t i = 0;
    while (i < s.size()) {
        size_t sp = s.find(' ', i);
        std::string_view word = s.substr(i, sp == std::string_view::npos ? std::string_view::npos : sp - i);
        int ww = display_width(word);
        if (lw > 0 && lw + 1 + ww > width) {
            out.push_back(line);
            line.clear();
            lw = 0;
        }
        if (ww > width) {
            if (lw > 0) {
                out.push_back(line);
                line.clear();
                lw = 0;
            }
            out.push_back(fit(word, width, false));
        } else {
            if (lw > 0) {
                line += ' ';
                ++lw;
            }
            line.append(word);
            lw += ww;
        }
        if (sp == std::string_view::npos) break;
        i = sp + 1;
    }
    if (lw > 0 || out.empty()) out.push_back(line);
    return out;
}

}  // namespace tui
