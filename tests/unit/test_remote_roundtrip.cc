#include "config.h"

// Property test: random bytes (everything but NUL) travel as an env value,
// as the working directory and inside the command, and come back exactly.

#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include "remote/protocol.h"
#include "unit/test_remote_support.h"
#include "util/shell_quote.h"

using namespace remote;
using rjtest::read_file;
using rjtest::Sandbox;

namespace {

std::vector<std::string> sample_strings(unsigned seed, int count) {
    // Bytes the shells treat specially, internally too: dash's CTL bytes are
    // 0x81-0x88, bash's CTLESC/CTLNUL are 0x01 and 0x7f.
    std::vector<std::string> v = {"'", "''", "'\\''", "\\", "\"", "$(id)", "`id`", "a;b|c&d",
                                  "\t\n", "trailing\n\n", "-n", "~", "*", "$RJ_T", "\r\n",
                                  "\x81\x82\x83\x84\x85\x86\x87\x88", "\x01\x7f", "héllo 日本",
                                  "\xff\xfe invalid", "%s%n%%", "!!", "#comment", " "};
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> byte(1, 255);
    std::uniform_int_distribution<int> len(1, 80);
    while (static_cast<int>(v.size()) < count) {
        std::string s;
        int n = len(rng);
        for (int i = 0; i < n; ++i) s += static_cast<char>(byte(rng));
        v.push_back(s);
    }
    return v;
}

// A directory name holding as much of `s` as a file name can.
std::string dir_name(const std::string& s, size_t i) {
    std::string n = "d" + std::to_string(i) + "_";
    for (char c : s.substr(0, 200)) n += c == '/' ? '_' : c;
    return n;
}

}  // namespace

TEST_CASE("random bytes round-trip through env, working directory and command", "[remote]") {
    std::vector<std::string> strings = sample_strings(4242, 200);
    std::string big(100 * 1024, 'b');
    for (size_t i = 0; i < big.size(); i += 97) big[i] = "'\"$`\\\n;|é"[i % 10];
    strings.push_back(big);

    for (const auto& shell : rjtest::all_shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            std::filesystem::create_directory(sb.home + "/rt");
            // All strings under dash; every 4th (and the big one) under the
            // others, whose quoting test_shell_quote covers with all of them.
            std::vector<std::string> mine;
            for (size_t i = 0; i < strings.size(); ++i)
                if (shell.name == "dash" || i % 4 == 0 || i + 1 == strings.size())
                    mine.push_back(strings[i]);
            std::vector<std::string> scripts, dirs, commands;
            for (size_t i = 0; i < mine.size(); ++i) {
                const std::string& s = mine[i];
                std::string dir = sb.home + "/rt/" + dir_name(s, i);
                std::filesystem::create_directory(dir);
                dirs.push_back(dir);
                JobSpec spec = sb.spec(static_cast<int64_t>(i + 1), "");
                spec.command = "printf '%s' " + util::shell_quote(s) +
                               "; printf '\\0'; printf '%s' \"$RJ_T\"; printf '\\0'; pwd -P";
                spec.env = {{"RJ_T", s}};
                // Both the ~/ form and absolute paths.
                spec.workdir = i % 2 ? dir : "~/rt/" + dir_name(s, i);
                commands.push_back(spec.command);
                scripts.push_back(submit_script(spec));
            }
            std::vector<rjtest::RunResult> results = sb.run_many(scripts, 6);
            for (size_t i = 0; i < mine.size(); ++i) {
                INFO("string #" << i << ": " << results[i].out << results[i].err);
                REQUIRE(results[i].status == 0);
                REQUIRE(parse_submit(results[i].out).status != SubmitReply::Status::Error);
            }
            std::vector<int64_t> ids;
            for (size_t i = 0; i < mine.size(); ++i) ids.push_back(static_cast<int64_t>(i + 1));
            sb.wait_end(ids.back());
            for (int64_t id : ids) sb.wait_end(id, 5, /*sync_after=*/false);
            SyncReply all = sb.sync(ids);
            for (size_t i = 0; i < mine.size(); ++i) {
                INFO("string #" << i);
                int64_t id = ids[i];
                const JobFacts& f = all.jobs[id];
                REQUIRE(f.exit);
                CHECK(f.exit->code == 0);
                CHECK(read_file(sb.job_dir(id) + "/cmd") == commands[i]);
                CHECK(read_file(sb.job_dir(id) + "/dir") == dirs[i]);
                std::string expected = mine[i] + '\0' + mine[i] + '\0' + dirs[i] + "\n";
                std::string log = read_file(sb.job_dir(id) + "/log");
                CHECK(log.size() == expected.size());
                CHECK(log == expected);
            }
            CHECK(sb.shutdown(10));
        }
    }
}
