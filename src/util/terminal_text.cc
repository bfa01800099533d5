#include "config.h"

#include "util/terminal_text.h"

#include <cstdio>

namespace util {

namespace {

// Length of the well-formed UTF-8 character at s[i] (RFC 3629): 1 for ASCII,
// 2-4, 0 when malformed, -1 when cut short by the end of `s`.
int utf8_length(std::string_view s, size_t i) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned c = b(0);
    if (c < 0x80) return 1;
    int n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0) return 0;
    for (int k = 1; k < n; ++k) {
        if (i + k >= s.size()) return -1;
        if ((b(k) & 0xC0) != 0x80) return 0;
    }
    unsigned c1 = b(1);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
        return 0;
    return n;
}

// U+0080..U+009F (C1 controls; some terminals act on them).
bool is_c1(std::string_view s, size_t i, int n) {
    return n == 2 && static_cast<unsigned char>(s[i]) == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
}

std::string hex_escape(unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    return buf;
}

}  // namespace

std::string visible(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\n') {
            out += "\\n";
            ++i;
        } else if (c == '\t') {
            out += "\\t";
            ++i;
        } else if (c == 0x1b) {
            out += "\\e";
            ++i;
        } else if (c < 0x20 || c == 0x7f) {
            out += hex_escape(c);
            ++i;
        } else {
            int n = utf8_length(s, i);
            if (n <= 0 || is_c1(s, i, n)) {
                // Each byte of a C1 control or a malformed sequence.
                int bytes = n > 0 ? n : 1;
                for (int k = 0; k < bytes; ++k) out += hex_escape(static_cast<unsigned char>(s[i + k]));
                i += static_cast<size_t>(bytes);
            } else {
                out.append(s.substr(i, static_cast<size_t>(n)));
                i += static_cast<size_t>(n);
            }
        }
    }
    return out;
}

std::string TerminalLogFilter::feed(std::string_view chunk) {
    std::string in = pending_;
    in.append(chunk);
    pending_.clear();
    std::string_view s(in);
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\n' || c == '\t') {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        if (c == 0x1b) {
            if (i + 1 >= s.size()) break;  // wait for the next byte
            char kind = s[i + 1];
            if (kind == '[') {
                // CSI: parameters and intermediates up to a final byte 0x40-0x7e.
                size_t j = i + 2;
                bool sgr_params = true;
                while (j < s.size() && !(s[j] >= 0x40 && s[j] <= 0x7e)) {
                    if (!((s[j] >= '0' && s[j] <= '9') || s[j] == ';')) sgr_params = false;
                    ++j;
                }
                if (j >= s.size()) {
                    if (j - i > 64) {  // not a real sequence: drop it
                        i = j;
                        continue;
                    }
                    break;
                }
                if (s[j] == 'm' && sgr_params) out.append(s.substr(i, j + 1 - i));
                i = j + 1;
            } else if (kind == ']' || kind == 'P' || kind == '_' || kind == '^' || kind == 'X') {
                // OSC / DCS / APC / PM / SOS: up to BEL or ST (ESC \).
                size_t j = i + 2;
                while (j < s.size() && s[j] != '\a' && !(s[j] == 0x1b && j + 1 < s.size() && s[j + 1] == '\\')) ++j;
                if (j >= s.size()) {
                    if (j - i > 4096) {
                        i = j;
                        continue;
                    }
                    break;
                }
                i = s[j] == '\a' ? j + 1 : j + 2;
            } else {
                i += 2;  // a two-byte escape (ESC c resets the terminal): dropped
            }
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            ++i;
            continue;
        }
        int n = utf8_length(s, i);
        if (n < 0) break;  // a character cut by the chunk's end
        if (n == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD for a malformed byte
            ++i;
            continue;
        }
        if (!is_c1(s, i, n)) out.append(s.substr(i, static_cast<size_t>(n)));
        i += static_cast<size_t>(n);
    }
    pending_.assign(s.substr(i));
    return out;
}

}  // namespace util
