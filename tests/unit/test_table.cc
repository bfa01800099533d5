#include "config.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "cli/table.h"

TEST_CASE("tables align columns and cut the last one to the width", "[table]") {
    cli::Table t({"ID", "COMMAND"});
    t.add({"1", "short"});
    t.add({"1234", std::string(100, 'x')});
    std::ostringstream out;
    t.print(out, 40);
    std::string line;
    std::istringstream in(out.str());
    std::getline(in, line);
    CHECK(line == "ID    COMMAND");
    std::getline(in, line);
    CHECK(line == "1     short");
    std::getline(in, line);
    CHECK(cli::display_width(line) == 40);
    CHECK(line.substr(line.size() - 3) == "\xE2\x80\xA6");
}

TEST_CASE("fitting never splits a UTF-8 character", "[table]") {
    std::string s = "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";  // éééé
    CHECK(cli::fit(s, 3) == "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
    CHECK(cli::fit(s, 4) == s);
}
