// util::visible and util::TerminalLogFilter: what a host's bytes may do on
// the user's terminal.
#include "config.h"

#include <catch2/catch.hpp>
#include <string>

#include "util/terminal_text.h"

using util::TerminalLogFilter;
using util::visible;

TEST_CASE("visible shows every control byte and keeps text and UTF-8", "[util][terminal]") {
    CHECK(visible("plain text, ünïcode ✓") == "plain text, ünïcode ✓");
    CHECK(visible("a\nb\tc") == "a\\nb\\tc");
    CHECK(visible("\x1b]0;owned\x07") == "\\e]0;owned\\x07");
    CHECK(visible("\x1b[2J\x1b[H") == "\\e[2J\\e[H");
    CHECK(visible(std::string("nul\0byte", 8)) == "nul\\x00byte");
    CHECK(visible("del\x7f") == "del\\x7f");
    CHECK(visible("c1 \xc2\x9b" "31m") == "c1 \\xc2\\x9b31m");  // U+009B is CSI on some terminals
    CHECK(visible("bad \xff\xfe utf8") == "bad \\xff\\xfe utf8");
    CHECK(visible("cut \xe2\x9c") == "cut \\xe2\\x9c");
    // Nothing that reaches a terminal is below 0x20 or DEL.
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    for (unsigned char c : visible(all)) CHECK((c >= 0x20 && c != 0x7f));
}

TEST_CASE("the log filter keeps text, newlines, tabs and colours and drops other sequences", "[util][terminal]") {
    TerminalLogFilter f;
    CHECK(f.feed("epoch 1\tloss 0.5\n") == "epoch 1\tloss 0.5\n");
    CHECK(f.feed("\x1b[1;31mred\x1b[0m\n") == "\x1b[1;31mred\x1b[0m\n");
    CHECK(f.feed("\x1b]52;c;ZXZpbA==\x07" "clip\n") == "clip\n");       // clipboard write (OSC 52)
    CHECK(f.feed("\x1b]0;title\x1b\\after\n") == "after\n");          // OSC ended by ST
    CHECK(f.feed("\x1b[2J\x1b[Hhome\n") == "home\n");                // clear screen, cursor home
    CHECK(f.feed("\x1b[?1049h\x1b" "calt\n") == "alt\n");            // alternate screen, reset (ESC c)
    CHECK(f.feed("bell\x07 cr\r\n") == "bell cr\n");
    CHECK(f.feed("\xc2\x9b" "31mc1\n") == "31mc1\n");
    CHECK(f.feed("bad \xff\n") == "bad \xEF\xBF\xBD\n");
}

TEST_CASE("the log filter handles sequences and characters cut between chunks", "[util][terminal]") {
    TerminalLogFilter f;
    std::string out;
    out += f.feed("a\x1b");
    out += f.feed("[3");
    out += f.feed("2mgreen\x1b]0;ti");
    out += f.feed("tle\x07 \xe2\x9c");
    out += f.feed("\x93 done\n");
    CHECK(out == "a\x1b[32mgreen \xe2\x9c\x93 done\n");
    // Byte by byte gives the same as all at once.
    std::string text = "x\x1b[1mB\x1b[0m\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\ \xf0\x9f\x98\x80\n";
    TerminalLogFilter whole, bytes;
    std::string one = whole.feed(text), many;
    for (char c : text) many += bytes.feed(std::string(1, c));
    CHECK(one == many);
    CHECK(one == "x\x1b[1mB\x1b[0mlink \xf0\x9f\x98\x80\n");
}

TEST_CASE("an unfinished escape sequence cannot make the filter hold back without bound", "[util][terminal]") {
    TerminalLogFilter f;
    std::string out = f.feed("\x1b[" + std::string(100000, '1'));
    out += f.feed("visible\n");
    CHECK(out.find("visible\n") != std::string::npos);
    TerminalLogFilter g;
    out = g.feed("\x1b]" + std::string(100000, 'x'));
    out += g.feed("\x07 after\n");
    CHECK(out == " after\n");
}
