#include "config.h"

#include "util/shell_quote.h"

#include "util/error.h"

namespace util {

std::string shell_quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '\'';
    for (char c : s) {
        if (c == '\0')
            throw UsageError("text contains a NUL byte, which cannot be passed to a shell",
                             "remove the NUL byte from the command, directory or variable");
        // Inside single quotes nothing is special except the closing quote.
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    out += '\'';
    return out;
}

static bool plain_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '_': case '@': case '%': case '+': case '=': case ':': case ',': case '.': case '/':
    case '-':
        return true;
    default:
        return false;
    }
}

std::string shell_quote_if_needed(std::string_view s) {
    // A leading '=' is expansion in zsh (=ls is the path of ls).
    bool plain = !s.empty() && s.front() != '=';
    for (char c : s)
        if (!plain_char(c)) plain = false;
    return plain ? std::string(s) : shell_quote(s);
}

std::string shell_join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ' ';
        out += shell_quote_if_needed(w);
    }
    return out;
}

}  // namespace util
