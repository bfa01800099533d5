#include "config.h"

#include "util/progress.h"

#include <charconv>

namespace util {

namespace {

constexpr size_t kMaxLine = 300;
constexpr size_t kMaxPattern = 200;

std::optional<double> number(const std::string& s) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

std::optional<ProgressPattern> compile_progress(const std::string& text, std::string* problem) {
    std::string source = text == kPercentPattern ? R"((\d+(?:\.\d+)?)\s*%)" : text;
    if (text.empty() || text.size() > kMaxPattern) {
        if (problem) *problem = "must be 1-200 characters";
        return std::nullopt;
    }
    ProgressPattern p;
    try {
        p.re = std::regex(source, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
        if (problem) *problem = std::string("is not a regular expression (") + e.what() + ")";
        return std::nullopt;
    }
    p.groups = static_cast<int>(p.re.mark_count());
    if (p.groups != 1 && p.groups != 2) {
        if (problem)
            *problem = "has " + std::to_string(p.groups) +
                       " capture groups; give two (done and total: 'Epoch (\\d+)/(\\d+)'), one (a percentage: "
                       "'(\\d+)% done') or the word percent";
        return std::nullopt;
    }
    return p;
}

std::optional<double> progress_fraction(const ProgressPattern& pattern, const std::vector<std::string>& lines) {
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        std::string line = it->substr(0, kMaxLine);
        std::optional<double> found;
        for (std::sregex_iterator m(line.begin(), line.end(), pattern.re), end; m != end; ++m) {
            auto a = number((*m)[1].str());
            if (!a) continue;
            if (pattern.groups == 2) {
                auto b = number((*m)[2].str());
                if (!b || *b <= 0) continue;
                found = *a / *b;
            } else {
                found = *a / 100.0;
            }
        }
        if (found) {
            if (*found < 0) return 0.0;
            return *found > 1 ? 1.0 : *found;
        }
    }
    return std::nullopt;
}

std::optional<long long> eta_seconds(double fraction, long long elapsed) {
    if (fraction <= 0 || elapsed < 0) return std::nullopt;
    if (fraction >= 1) return 0;
    return static_cast<long long>(static_cast<double>(elapsed) * (1 - fraction) / fraction + 0.5);
}

}  // namespace util
