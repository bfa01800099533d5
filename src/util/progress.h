// Progress patterns (`progress = 'Epoch (\d+)/(\d+)'`): a job's log lines
// turned into the fraction of its work that is done.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/regex.h"

namespace util {

// The word that stands for "the last percentage on a line" ("45%", "12.5 %").
inline constexpr const char* kPercentPattern = "percent";

// A compiled pattern: RE2 syntax (Perl-like: \d works; no backreferences or
// lookaround, so matching takes linear time) with two capture groups (done,
// total: "Epoch (\d+)/(\d+)") or one (a percentage: "(\d+)% done"), or
// the word `percent`.
struct ProgressPattern {
    Regex re;
    int groups = 0;
};

// Compiles `text`; nullopt with `problem` set ("has 3 capture groups...",
// "cannot be run: backreferences (\1) are not supported") when it cannot serve.
std::optional<ProgressPattern> compile_progress(const std::string& text, std::string* problem);

// The fraction done (0..1) by the last match in the last matching line of
// `lines` (oldest first); nullopt when no line matches or a total is 0.
// Lines are cut at 300 bytes first, so a hostile log costs little.
std::optional<double> progress_fraction(const ProgressPattern& pattern, const std::vector<std::string>& lines);

// Seconds left at `fraction` done after `elapsed` seconds, at the same pace
// (nullopt before any progress).
std::optional<long long> eta_seconds(double fraction, long long elapsed);

}  // namespace util
