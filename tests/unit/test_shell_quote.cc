#include "config.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "unit/test_remote_support.h"
#include "util/error.h"
#include "util/shell_quote.h"

using util::shell_quote;

TEST_CASE("shell_quote wraps text in single quotes", "[shell_quote]") {
    CHECK(shell_quote("abc") == "'abc'");
    CHECK(shell_quote("") == "''");
    CHECK(shell_quote("it's") == "'it'\\''s'");
    CHECK(shell_quote("'") == "''\\'''");
    CHECK(shell_quote("$(rm -rf /)") == "'$(rm -rf /)'");
    CHECK(shell_quote("a\nb") == "'a\nb'");
}

TEST_CASE("shell_quote refuses NUL bytes", "[shell_quote]") {
    CHECK_THROWS_AS(shell_quote(std::string("a\0b", 3)), util::UsageError);
}

TEST_CASE("shell_quote_if_needed leaves plain words alone", "[shell_quote]") {
    CHECK(util::shell_quote_if_needed("train.py") == "train.py");
    CHECK(util::shell_quote_if_needed("--lr=0.1") == "--lr=0.1");
    CHECK(util::shell_quote_if_needed("a b") == "'a b'");
    CHECK(util::shell_quote_if_needed("") == "''");
    CHECK(util::shell_quote_if_needed("=ls") == "'=ls'");
    CHECK(util::shell_quote_if_needed("~/x") == "'~/x'");
    CHECK(util::shell_join({"python", "train.py", "--name", "my run"}) ==
          "python train.py --name 'my run'");
}

namespace {

std::string random_text(std::mt19937& rng, size_t max_len) {
    static const std::string specials[] = {"'", "\"", "$(", ")", "`", ";", "|", "\t", "\n", "\\",
                                           "&", "*", "?", "~", "#", "!", "{", "}", "$HOME",
                                           "é", "日本", "\xff", "\x80", "\x01", "\x7f", " "};
    std::uniform_int_distribution<size_t> len(0, max_len);
    std::uniform_int_distribution<int> kind(0, 3);
    std::uniform_int_distribution<int> byte(1, 255);
    std::uniform_int_distribution<size_t> pick(0, std::size(specials) - 1);
    std::string s;
    size_t n = len(rng);
    while (s.size() < n) {
        if (kind(rng) == 0)
            s += specials[pick(rng)];
        else
            s += static_cast<char>(byte(rng));
    }
    return s;
}

}  // namespace

TEST_CASE("shell_quote round-trips random bytes through dash, bash and busybox sh",
          "[shell_quote]") {
    std::mt19937 rng(20240611);
    std::vector<std::string> texts;
    for (int i = 0; i < 200; ++i) texts.push_back(random_text(rng, 60));
    texts.push_back(std::string(100 * 1024, 'x') + "'\n$(x)");
    std::string script, expected;
    for (const auto& t : texts) {
        // Each printf on its own line: a quoting slip shifts every later byte.
        script += "printf '%s|' " + shell_quote(t) + "\n";
        expected += t + "|";
    }
    for (const auto& sh : rjtest::all_shells()) {
        DYNAMIC_SECTION(sh.name) {
            rjtest::Sandbox sb(sh);
            rjtest::RunResult r = sb.run(script);
            CHECK(r.status == 0);
            CHECK(r.err.empty());
            REQUIRE(r.out.size() == expected.size());
            CHECK(r.out == expected);
        }
    }
}
