// Small string helpers shared by the layers: splitting, trimming, joining,
// `~` abbreviation of paths and UTF-8-safe shortening for narrow columns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace util {

// Splits on every `sep`; keeps empty fields ("a,,b" -> {"a", "", "b"}; "" -> {""}).
std::vector<std::string> split(std::string_view s, char sep);

// Splits on any run of the characters in `seps`, dropping empty fields
// ("a, b  c" with ", " -> {"a", "b", "c"}).
std::vector<std::string> split_any(std::string_view s, std::string_view seps);

// Removes leading and trailing ASCII whitespace.
std::string trim(std::string_view s);

std::string join(const std::vector<std::string>& parts, std::string_view sep);

bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);

// ASCII lowercase; other bytes untouched.
std::string to_lower(std::string_view s);

// Replaces a leading $HOME in `path` with `~` ("/home/me/x" -> "~/x").
std::string tilde_home(const std::string& path);

// Number of UTF-8 code points (invalid bytes count one each).
size_t utf8_length(std::string_view s);

// Cuts `s` to at most `width` code points, ending in "…" when cut; never splits
// a multibyte character. Each code point counts as one column.
std::string shorten(std::string_view s, size_t width);

}  // namespace util
