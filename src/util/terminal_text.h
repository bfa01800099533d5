// Text from hosts on the user's terminal. A host is untrusted: its replies,
// errors and logs must not move the cursor, retitle the window, rewrite the
// clipboard or hide what was printed before. Two treatments:
//   visible()         for rj's own messages and fields (errors, host info,
//                     descriptions): every control byte shown as an escape.
//   TerminalLogFilter for job logs shown on a terminal: colours (SGR) kept,
//                     other escape sequences and control bytes dropped.
#pragma once

#include <string>
#include <string_view>

namespace util {

// Control bytes (C0, DEL, C1) and bytes that are not UTF-8 shown as "\n",
// "\t", "\e" or "\xNN"; a backslash stays a backslash. One line in, one out.
std::string visible(std::string_view s);

// Streaming filter for log bytes headed to a terminal: keeps printable text
// (valid UTF-8), newlines, tabs and SGR sequences (ESC [ digits/; m); drops
// every other control byte and escape sequence (CSI, OSC, DCS ...), and C1
// controls. Sequences cut between two feed() calls are handled.
class TerminalLogFilter {
public:
    std::string feed(std::string_view chunk);
    // What is held back at the end (an unfinished sequence) is dropped.
    void reset() { pending_.clear(); }

private:
    std::string pending_;  // an incomplete escape sequence or UTF-8 character
};

}  // namespace util
