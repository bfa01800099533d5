// OpenSSH-style host pattern matching, shared by ssh_config (Host, Match)
// and known_hosts (host fields). "*" matches any run of characters, "?" one
// character, a leading "!" negates a pattern.
#pragma once

#include <string>
#include <string_view>

namespace ssh {

// One glob pattern (no lists, no negation), case-sensitive.
bool match_pattern(std::string_view text, std::string_view pattern);

enum class PatternListResult { NoMatch, Match, NegatedMatch };

// A comma-separated list of patterns. A matching negated pattern wins over
// any positive match (NegatedMatch). With `fold_case`, text and patterns are
// compared in lower case, as OpenSSH does for host names.
PatternListResult match_pattern_list(std::string_view text, std::string_view list,
                                     bool fold_case);

// OpenSSH's match_hostname: case-insensitive comma-separated list; true only
// when some pattern matches and no negated pattern does.
bool match_host_pattern_list(const std::string& host, const std::string& list);

// Lower-cases ASCII letters (host names are ASCII; locale must not matter).
std::string ascii_lower(std::string_view s);

}  // namespace ssh
