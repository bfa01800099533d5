// Quoting bytes for POSIX shells, so user text reaches a remote `sh -s` as data, never as code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace util {

// Single-quotes `s` for sh, dash, busybox sh, bash and zsh: abc -> 'abc',
// it's -> 'it'\''s', "" -> ''. Every byte except NUL survives unchanged
// (newlines, tabs, $, backticks, backslashes, invalid UTF-8). Throws
// util::UsageError when `s` contains a NUL byte, which no shell string can hold.
std::string shell_quote(std::string_view s);

// `s` unchanged when it is a plain word no shell treats specially
// (letters, digits and _@%+=:,./- ; not starting with =), else shell_quote(s).
// For showing commands to people, e.g. in `rj -b show`.
std::string shell_quote_if_needed(std::string_view s);

// Words joined by single spaces, each through shell_quote_if_needed.
std::string shell_join(const std::vector<std::string>& words);

}  // namespace util
