// Durations as users type them: 90s, 30m, 2h, 1h30m, 7d, 1w (and a bare number of seconds).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace util {

using Seconds = std::chrono::seconds;

// Parses "90s", "30m", "2h", "1h30m", "7d", "1w2d", "45" (seconds). Returns
// nullopt for anything else (empty, negative, unknown unit, overflow).
std::optional<Seconds> parse_duration(std::string_view text);

// Like parse_duration but throws UsageError naming the flag and the accepted forms.
Seconds parse_duration_or_throw(std::string_view text, std::string_view what);

// Compact human form: "45s", "12m03s", "3h07m", "2d04h".
std::string format_duration(Seconds d);

}  // namespace util
