#include "config.h"

#include "ssh/host_pattern.h"

namespace ssh {

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

bool match_pattern(std::string_view text, std::string_view pattern) {
    // Iterative glob with single-star backtracking: linear enough for host
    // names and immune to the exponential blow-up of naive recursion.
    size_t t = 0, p = 0;
    size_t star_p = std::string_view::npos, star_t = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++t;
            ++p;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star_p = p++;
            star_t = t;
        } else if (star_p != std::string_view::npos) {
            p = star_p + 1;
            t = ++star_t;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

PatternListResult match_pattern_list(std::string_view text, std::string_view list,
                                     bool fold_case) {
    std::string folded;
    if (fold_case) {
        folded = ascii_lower(text);
        text = folded;
    }
    bool got_positive = false;
    size_t pos = 0;
    while (pos <= list.size()) {
        size_t comma = list.find(',', pos);
        if (comma == std::string_view::npos) comma = list.size();
        std::string_view sub = list.substr(pos, comma - pos);
        pos = comma + 1;
        bool negated = !sub.empty() && sub[0] == '!';
        if (negated) sub.remove_prefix(1);
        // An empty sub-pattern ("a,,b" or a trailing comma) matches nothing,
        // as in OpenSSH, rather than everything.
        if (sub.empty()) continue;
        bool hit = fold_case ? match_pattern(text, ascii_lower(sub)) : match_pattern(text, sub);
        if (hit) {
            if (negated) return PatternListResult::NegatedMatch;
            got_positive = true;
        }
    }
    return got_positive ? PatternListResult::Match : PatternListResult::NoMatch;
}

bool match_host_pattern_list(const std::string& host, const std::string& list) {
    return match_pattern_list(host, list, true) == PatternListResult::Match;
}

}  // namespace ssh
