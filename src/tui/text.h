// Text for the screen: display widths of UTF-8 strings, cutting and padding to
// a column count, and making untrusted bytes (commands, logs) safe to draw.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tui {

// Columns `s` takes on the terminal (wcwidth per character; invalid bytes
// and non-printables count one column each, as sanitize() shows them).
int display_width(std::string_view s);

// Cuts `s` to at most `width` columns, ending in "…" when cut; pads with
// spaces to exactly `width` when `pad`. Never splits a character.
std::string fit(std::string_view s, int width, bool pad = true);

// One display line: tabs become spaces, other control bytes and escape
// sequences are dropped, a carriage return keeps only what followed it
// (progress bars), newlines become "⏎". Invalid UTF-8 becomes "?".
std::string sanitize(std::string_view s);

// Splits text into display lines (sanitized), the last partial line included.
std::vector<std::string> split_lines(std::string_view text);

// Word-wraps `s` to `width` columns (long words are cut).
std::vector<std::string> wrap(std::string_view s, int width);

// True when the locale can show UTF-8 (otherwise ASCII fallbacks are drawn).
bool utf8_locale();

// `utf8` when the terminal can show it, else `ascii`.
const char* glyph(const char* utf8, const char* ascii);

}  // namespace tui
