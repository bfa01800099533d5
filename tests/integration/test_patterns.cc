// Patterns through the real rj binary (issue 22, item 1): a progress pattern
// that made std::regex backtrack for minutes while sync held the database,
// a 64 KB log line that crashed `log -f --grep`, `--grep` read alike on the
// host (grep -E) and by rj (-f), and refusals where a pattern is given.
#include "config.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "integration/rj_runner.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

// Output so far holds `line` (a whole line).
auto has_line(const std::string& line) {
    return [line](const std::string& out, const std::string&) {
        return out == line + "\n" || starts_with(out, line + "\n") || contains(out, "\n" + line + "\n");
    };
}

}  // namespace

TEST_CASE("patterns: a progress pattern std::regex took minutes on; sync returns and the database stays writable",
          "[jobs][progress][regex]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    // The last line (34 digits, no slash) is matched first: with std::regex
    // ((?:\d+,?)+) tried 2^34 ways to split it, inside sync's write transaction.
    std::string digits(34, '1');
    int64_t id = f.run({"--progress", R"(((?:\d+,?)+)/(\d+))", "alpha", "echo 3/4; echo " + digits + "; sleep 60"});
    // Sync sends a job's tail with its log state, once the host sampler has
    // sampled it (its line in RJ/usage.now).
    std::string dir = f.job_dir_of(id);
    REQUIRE(eventually([&] { return f.on_host("alpha", "grep -q '^" + std::to_string(id) + " ' " + dir +
                                                            "/../../usage.now && cat " + dir + "/log", true) ==
                                    "3/4\n" + digits + "\n"; },
                       30s, 200ms));
    RjProcess sync = f.rj.spawn({"sync"});
    // Another rj writes the database while that sync runs (a job record).
    RjResult other = f.rj.batch({"run", "alpha", "true"}, 60s);
    INFO(other.describe());
    CHECK(other.status == 0);
    CHECK_FALSE(contains(other.err, "locked"));
    RjResult synced = sync.wait(60s);
    INFO(synced.describe());
    CHECK_FALSE(synced.timed_out);  // measured before: still running after 60 s
    CHECK(synced.status == 0);
    // The pattern still works: the earlier line gave the fraction.
    Json job = f.show(id);
    REQUIRE_FALSE(job["progress_fraction"].is_null());
    CHECK(job["progress_fraction"].number() == Approx(0.75));
    f.rj.batch({"kill", id_s(id)});
}

TEST_CASE("patterns: log -f --grep finds a match on one 64 KB line (std::regex crashed)", "[jobs][regex]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t id = f.run({"alpha", "echo 'loss is nan'; until [ -e ~/go.long ]; do sleep 0.1; done; "
                                 "printf 'loss='; head -c 65536 /dev/zero | tr '\\0' 0; echo ' nan'; echo 'loss=1.0'"});
    RjProcess follow = f.rj.spawn({"log", "-f", "--grep", "loss.*nan", id_s(id)});
    // The first line printed: the host has filtered what was there; what
    // follows is matched by rj itself.
    REQUIRE(follow.read_until(has_line("loss is nan"), 30s));
    f.on_host("alpha", "touch ~/go.long");
    RjResult r = follow.wait(60s);
    INFO(r.status << " " << r.err);
    CHECK(r.status == 0);  // the job's exit code; SIGSEGV (139) before
    CHECK(r.out == "loss is nan\nloss=" + std::string(65536, '0') + " nan\n");
}

TEST_CASE("patterns: --grep selects the same lines on the host (log) and in rj (log -f)", "[jobs][regex]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t id = f.run({"alpha", "echo ready; until [ -e ~/go.same ]; do sleep 0.1; done; "
                                 "printf '%s\\n' 'epoch 1 loss=0.50' 'epoch 3 loss=nan' 'Epoch 12 LOSS=0.25' "
                                 "'x.y xzy' 'ababc' 'plain' 'tab\tseparated'"});
    struct Case {
        std::string pattern, expected;
    };
    // Each pattern also takes the line `ready`, which tells the test the
    // follower has read what the host had filtered.
    const std::vector<Case> cases = {
        {"loss=[0-9]+\\.[0-9]+", "epoch 1 loss=0.50\n"},
        {"^epoch (1|3) ", "epoch 1 loss=0.50\nepoch 3 loss=nan\n"},
        {"[[:upper:]]{2,}", "Epoch 12 LOSS=0.25\n"},
        {"x\\.y|(ab)+c$", "x.y xzy\nababc\n"},
        {"[[:space:]]sep", "tab\tseparated\n"},
    };
    std::vector<RjProcess> followers;
    for (const auto& c : cases) followers.push_back(f.rj.spawn({"log", "-f", "--grep", "(" + c.pattern + ")|^ready$", id_s(id)}));
    for (auto& follower : followers) REQUIRE(follower.read_until(has_line("ready"), 30s));
    f.on_host("alpha", "touch ~/go.same");
    for (size_t i = 0; i < cases.size(); ++i) {
        std::string pattern = "(" + cases[i].pattern + ")|^ready$";
        INFO("pattern " << pattern);
        RjResult local = followers[i].wait(60s);
        CHECK(local.status == 0);
        CHECK(local.out == "ready\n" + cases[i].expected);
        RjResult host = f.rj.batch({"log", "--grep", pattern, id_s(id)});
        CHECK(host.status == 0);
        CHECK(host.out == local.out);
    }
}

TEST_CASE("patterns: refused where they are given, naming the construct, before anything runs", "[jobs][regex]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    // run --progress: a usage error; no job is recorded.
    RjResult progress = f.rj.batch({"run", "--progress", R"((\d+)/\1)", "alpha", "true"});
    CHECK(progress.status == 2);
    CHECK(contains(progress.err, "backreferences (\\1) are not supported"));
    CHECK(f.list().empty());
    RjResult look = f.rj.batch({"run", "--progress", R"((\d+)(?=%))", "alpha", "true"});
    CHECK(look.status == 2);
    CHECK(contains(look.err, "lookahead"));

    // --grep, host-side and followed: refused here, in rj's words, not grep's.
    int64_t id = f.run({"alpha", "echo 12"});
    f.await_end(id);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"log", "--grep", "\\d+", id_s(id)}, {"log", "-f", "--grep", "(1)\\1", id_s(id)},
          {"log", "--grep", "(unclosed", id_s(id)}}) {
        RjResult r = f.rj.batch(args);
        CHECK(r.status == 2);
        CHECK(r.out.empty());
        CHECK(contains(r.err, "--grep"));
        CHECK_FALSE(contains(r.err, "invalid grep pattern"));  // the host's grep was not asked
        CHECK(error_form_problem(r.err) == "");
    }
    CHECK(contains(f.rj.batch({"log", "--grep", "\\d+", id_s(id)}).err, "[0-9]"));

    // The config: an error naming file and line; RE2 would read this count as text.
    std::string cfg = hosts.dir() + "/rj.config";
    std::ofstream(cfg) << "sync_interval = 15s\nprogress = x{3333333333333333333}\n";
    f.rj.set_env("RJ_CONFIG", cfg);
    RjResult config = f.rj.batch({"list"});
    CHECK(config.status != 0);
    CHECK(contains(config.err, cfg + ":2"));
    CHECK(contains(config.err, "repetition counts above 1000 are not supported"));
}
