#include "config.h"

#include "util/progress.h"

#include <limits>

#include <re2/re2.h>

#include <algorithm>
#include <charconv>

namespace util {

namespace {

constexpr size_t kMaxLine = 300;
constexpr size_t kMaxPattern = 200;

std::optional<double> number(re2::StringPiece s) {
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
    auto re = Regex::compile(source, Regex::Syntax::Perl, problem);
    if (!re) return std::nullopt;
    int groups = re->groups();
    if (groups != 1 && groups != 2) {
        if (problem)
            *problem = "has " + std::to_string(groups) +
                       " capture groups; give two (done and total: 'Epoch (\\d+)/(\\d+)'), one (a percentage: "
                       "'(\\d+)% done') or the word percent";
        return std::nullopt;
    }
    return ProgressPattern{std::move(*re), groups};
}

std::optional<double> progress_fraction(const ProgressPattern& pattern, const std::vector<std::string>& lines) {
    const re2::RE2& re = pattern.re.re2();
    re2::StringPiece groups[3];
    const int n = pattern.groups + 1;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        re2::StringPiece line(it->data(), std::min(it->size(), kMaxLine));
        std::optional<double> found;
        // Every match, left to right (RE2: linear in the line each time);
        // an empty match moves on by one byte.
        for (size_t at = 0; at <= line.size() && re.Match(line, at, line.size(), re2::RE2::UNANCHORED, groups, n);) {
            size_t end = static_cast<size_t>(groups[0].data() - line.data()) + groups[0].size();
            at = groups[0].empty() ? end + 1 : end;
            auto a = number(groups[1]);
            if (!a) continue;
            if (pattern.groups == 2) {
                auto b = number(groups[2]);
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
    // A tiny fraction ("epoch 1/10^18" from a host) makes the estimate
    // larger than any long long: converting that double is undefined, so
    // the estimate saturates (and NaN, from a NaN fraction, is no estimate).
    const double eta = static_cast<double>(elapsed) * (1 - fraction) / fraction + 0.5;
    if (!(eta == eta)) return std::nullopt;
    if (eta >= 9.2e18) return std::numeric_limits<long long>::max();
    return static_cast<long long>(eta);
}

}  // namespace util
