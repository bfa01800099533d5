// Patterns rj matches itself (util/regex.h, RE2): what is refused and how it
// is named, and `--grep`'s syntax read alike by rj and by grep -E (GNU grep
// and BusyBox's, as hosts have them).
#include "config.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "store/config_file.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/regex.h"
#include "util/shell_quote.h"
#include "unit/test_support.h"

namespace {

using util::Regex;

std::string refusal(const std::string& pattern, Regex::Syntax syntax) {
    std::string problem;
    auto re = Regex::compile(pattern, syntax, &problem);
    if (re) return "(accepted)";
    return problem;
}

std::string progress_refusal(const std::string& pattern) {
    std::string problem;
    if (util::compile_progress(pattern, &problem)) return "(accepted)";
    return problem;
}

// The lines of `file` that `grep` (a command taking -E -e PATTERN FILE) prints.
std::string grep_lines(const std::string& grep, const std::string& pattern, const std::string& file) {
    std::string cmd = "LC_ALL=C " + grep + " -E -e " + util::shell_quote(pattern) + " " + file + " 2>&1";
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[4096];
        for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
        pclose(p);
    }
    return out;
}

}  // namespace

TEST_CASE("regex: constructs RE2 cannot run are refused by name, in both syntaxes", "[regex][progress]") {
    for (auto syntax : {Regex::Syntax::Perl, Regex::Syntax::PosixExtended}) {
        CHECK_THAT(refusal("(a)\\1", syntax), Catch::Contains("backreferences (\\1) are not supported"));
        CHECK_THAT(refusal("a(?=b)", syntax), Catch::Contains("lookahead"));
        CHECK_THAT(refusal("a(?!b)", syntax), Catch::Contains("lookahead"));
        CHECK_THAT(refusal("(?<=a)b", syntax), Catch::Contains("lookbehind"));
        CHECK_THAT(refusal("(?<!a)b", syntax), Catch::Contains("lookbehind"));
        CHECK_THAT(refusal("(?>a)", syntax), Catch::Contains("atomic groups"));
        // RE2 reads a count it cannot parse as literal text: refused, not misread.
        CHECK_THAT(refusal("x{3333333333333333333}", syntax), Catch::Contains("repetition counts above 1000"));
        CHECK_THAT(refusal("x{2,1001}", syntax), Catch::Contains("repetition counts above 1000"));
        CHECK_THAT(refusal("(x{1000}){1000}", syntax), Catch::Contains("more than 1000"));
        CHECK_THAT(refusal("(unclosed", syntax), Catch::StartsWith("is not a regular expression (missing )"));
        CHECK(refusal("x{1000}", syntax) == "(accepted)");
    }
    CHECK_THAT(refusal("a++", Regex::Syntax::Perl), Catch::Contains("possessive repetitions (++)"));
    // Escaped, quoted or in a class, a brace or a digit is no count and no backreference.
    CHECK(refusal("\\x{2000}\\Q{5000}\\E[{]9999}", Regex::Syntax::Perl) == "(accepted)");
    CHECK(refusal("a\\{5000}", Regex::Syntax::Perl) == "(accepted)");
}

TEST_CASE("regex: the measured hang's pattern runs in linear time; a 64 KB line is searched without recursion",
          "[regex][progress]") {
    // ((?:\d+,?)+)/(\d+) took over 60 s on 34 digits with std::regex (exponential backtracking).
    auto p = util::compile_progress(R"(((?:\d+,?)+)/(\d+))", nullptr);
    REQUIRE(p);
    std::string digits(34, '1');
    CHECK_FALSE(util::progress_fraction(*p, {digits, digits + "x", digits + digits}));
    // It still reads progress: the digits line (last) has no match, the one before does.
    auto f = util::progress_fraction(*p, {"12/48", digits});
    REQUIRE(f);
    CHECK(*f == Approx(0.25));
    // libstdc++ recursed once per character on this and crashed (SIGSEGV).
    auto loss = Regex::compile("loss.*nan", Regex::Syntax::PosixExtended, nullptr);
    REQUIRE(loss);
    std::string line = "step 1 loss=" + std::string(65536, '0') + " nan";
    CHECK(loss->search(line));
    CHECK_FALSE(loss->search(std::string(65536, 'l')));
}

TEST_CASE("progress patterns RE2 cannot run are refused by flag and config line, naming the construct",
          "[regex][progress]") {
    CHECK_THAT(progress_refusal("(\\d+)/\\1"), Catch::Contains("backreferences (\\1) are not supported"));
    CHECK_THAT(progress_refusal("(\\d+)(?=%)"), Catch::Contains("lookahead"));
    try {
        store::Config::parse("progress = x{3333333333333333333}\n", "cfg");
        FAIL("accepted");
    } catch (const util::Error& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("cfg:1") && Catch::Contains("repetition counts above 1000"));
    }
    try {
        store::Config::parse("sync_interval = 15s\n\nprogress = '(\\d+)/(\\d+)(?<=0)'\n", "cfg");
        FAIL("accepted");
    } catch (const util::Error& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("cfg:3") && Catch::Contains("lookbehind"));
    }
}

TEST_CASE("log --grep syntax: extensions a host's grep reads differently are refused", "[regex]") {
    auto ere = Regex::Syntax::PosixExtended;
    CHECK_THAT(refusal("\\d+", ere), Catch::Contains("'\\d'") && Catch::Contains("[0-9]"));
    CHECK_THAT(refusal("\\bword", ere), Catch::Contains("'\\b'"));
    CHECK_THAT(refusal("\\<word\\>", ere), Catch::Contains("'\\<'"));
    CHECK_THAT(refusal("(?:a|b)c", ere), Catch::Contains("(?...) groups"));
    CHECK_THAT(refusal("(?i)loss", ere), Catch::Contains("(?...) groups"));
    CHECK_THAT(refusal("a{,3}", ere), Catch::Contains("{0,n}"));
    CHECK_THAT(refusal("[\\d]", ere), Catch::Contains("backslash inside [...]"));
    CHECK_THAT(refusal("[[:word:]]", ere), Catch::Contains("[:word:] is not a POSIX character class"));
    CHECK_THAT(refusal("[[.a.]]", ere), Catch::Contains("collating elements"));
    CHECK_THAT(refusal("one\ntwo", ere), Catch::Contains("newline"));
    // The Perl syntax of progress patterns takes what --grep does not.
    CHECK(refusal("\\d+(?:x)", Regex::Syntax::Perl) == "(accepted)");
}

TEST_CASE("log --grep syntax: rj and grep -E (GNU, BusyBox) select the same lines", "[regex]") {
    test_support::TempDir dir;
    const std::vector<std::string> lines = {
        "epoch 1 loss=0.50",       "epoch 3 loss=nan",  "Epoch 12 LOSS=0.25", "a.c abc a-c",
        "x.y xzy",                 "ababc",             "path/to/file [warn] {x}", "tab\tseparated",
        "caf\xc3\xa9 bytes \xff!", "",                  "^caret$ and $dollar", "aaa|bbb",
    };
    std::string file = dir / "lines";
    {
        std::ofstream out(file);
        for (const auto& l : lines) out << l << "\n";
    }
    const std::vector<std::string> patterns = {
        "loss=[0-9]+\\.[0-9]+", "^epoch (1|3) ", "[[:upper:]]{2,}", "a.c",        "x\\.y",         "(ab)+c$",
        "\\[warn\\]",           "[[:space:]]sep", "^$",             "\\^caret\\$", "a{3}\\|b",      "[^a-z0-9 ]",
        "caf.",                 "\xff",           "o{1,2}[sS]",     "[]x]|z",      "(^|/)file",     "^e(poch|rror) [0-9] l",
    };
    std::vector<std::string> greps = {"grep -a"};
    if (std::system("command -v busybox >/dev/null 2>&1") == 0) greps.push_back("busybox grep");
    for (const auto& pattern : patterns) {
        std::string problem;
        auto re = Regex::compile(pattern, Regex::Syntax::PosixExtended, &problem);
        INFO("pattern: " << pattern << " " << problem);
        REQUIRE(re);
        std::string ours;
        for (const auto& l : lines)
            if (re->search(l)) ours += l + "\n";
        CHECK_FALSE(ours.empty());  // each pattern selects something: the comparison says something
        for (const auto& grep : greps) {
            INFO(grep);
            CHECK(grep_lines(grep, pattern, file) == ours);
        }
    }
}
