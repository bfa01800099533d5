// Jobs through the real rj binary when things go wrong: a host that is down
// (--queue-on-fail, sync of several hosts, the cached log) and a client that
// is SIGKILLed between recording a job and starting it.
#include "config.h"

#include <signal.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "integration/rj_runner.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

std::set<int64_t> ids_of(const std::vector<Json>& jobs) {
    std::set<int64_t> ids;
    for (const auto& j : jobs) ids.insert(j["id"].integer());
    return ids;
}

// Local jobs whose command is exactly `cmd`.
std::vector<Json> jobs_with_command(JobsFixture& f, const std::string& cmd) {
    std::vector<Json> out;
    for (auto& j : f.list())
        if (j["command"].str() == cmd) out.push_back(j);
    return out;
}

// Job directories on the host whose recorded command is `cmd` (the `cmd`
// file of each), so a job started twice under two ids would show up; each as
// "ID started" once its wrapper has run, else "ID unstarted".
std::vector<std::string> host_jobs_with_command(JobsFixture& f, const std::string& host, const std::string& cmd) {
    std::string out = f.on_host(host,
                                "for p in ~/.cache/rj/*/*/jobs/* ~/.cache/rj/jobs/*; do "
                                "[ -f \"$p/cmd\" ] && [ \"$(cat \"$p/cmd\")\" = " +
                                    shell_quote(cmd) +
                                    " ] || continue; d=${p##*/}; "
                                    "if [ -f \"$p/started\" ] || tmux ls -F '#{session_name}' 2>/dev/null | "
                                    "grep -q -- \"-$d\\$\"; "
                                    "then echo \"$d started\"; else echo \"$d unstarted\"; fi; done; true");
    return split_lines(out);
}

int sqlite_count(const std::string& db, const std::string& cmd) {
    // Never create the file: that is rj's job.
    if (!std::filesystem::exists(db)) return 0;
    std::string out;
    std::string sql = "SELECT count(*) FROM jobs WHERE command = '" + cmd + "';";
    if (run_shell("sqlite3 -cmd '.timeout 2000' " + shell_quote(db) + " " + shell_quote(sql) + " 2>/dev/null", &out) != 0)
        return 0;  // not created yet
    return out.empty() ? 0 : std::stoi(out);
}

}  // namespace

TEST_CASE("--queue-on-fail with the host down records a pending job that one sync starts", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    hosts.stop("alpha");

    // Without --queue-on-fail: an error and nothing recorded.
    RjResult plain = f.rj.batch({"run", "alpha", "echo not queued"});
    INFO(plain.describe());
    CHECK(plain.status == 1);
    CHECK(error_form_problem(plain.err) == "");
    CHECK(plain.out.empty());
    CHECK(f.list().empty());

    RjResult q = f.rj.batch({"run", "--queue-on-fail", "alpha", "echo queued-output; exit 0"});
    INFO(q.describe());
    REQUIRE(q.status == 0);
    auto lines = split_lines(q.out);
    REQUIRE(lines.size() == 1);
    int64_t id = std::stoll(lines[0]);
    CHECK(contains(q.err, "pending"));
    Json job = f.show(id);
    CHECK(job["status"].str() == "pending");
    CHECK(job["queue_on_fail"].boolean);
    CHECK(f.list({"--pending"}).size() == 1);
    // Pending counts as not ended.
    CHECK(f.rj.batch({"status", id_s(id)}).status == 2);

    // A second queued job, cancelled while the host is down: never started.
    int64_t cancelled = std::stoll(f.rj.batch({"run", "--queue-on-fail", "alpha", "echo cancelled"}).out);
    RjResult k = f.rj.batch({"kill", id_s(cancelled)});
    INFO(k.describe());
    CHECK(k.status == 0);
    CHECK(f.status_of(cancelled) == "killed");

    // Syncing while it is still down changes nothing and is not an error.
    RjResult s = f.rj.batch({"sync"});
    INFO(s.describe());
    CHECK(s.status == 0);
    CHECK(contains(s.err, "alpha"));
    CHECK(f.status_of(id) == "pending");

    hosts.start("alpha");
    s = f.rj.batch({"sync"});
    INFO(s.describe());
    REQUIRE(s.status == 0);
    std::string after_one_sync = f.status_of(id);
    CHECK((after_one_sync == "running" || after_one_sync == "completed"));

    RjResult w = f.rj.batch({"status", "--wait", "--wait-timeout", "30s", id_s(id)}, 60s);
    INFO(w.describe());
    CHECK(w.status == 0);
    CHECK(f.show(id)["exit_code"].integer() == 0);
    RjResult log = f.rj.batch({"log", id_s(id)});
    CHECK(log.out == "queued-output\n");
    CHECK(f.job_dirs("alpha") == std::vector<std::string>{id_s(id)});
    CHECK(f.status_of(cancelled) == "killed");
}

TEST_CASE("sync with three hosts, one stopped: exit 0, the stopped host reported, the others synced", "[jobs]") {
    TestHosts hosts({"alpha", "beta", "gamma"});
    JobsFixture f(hosts);
    int64_t a = f.run({"alpha", "sleep 1; echo a"});
    int64_t b = f.run({"beta", "sleep 1; exit 4"});
    int64_t g = f.run({"gamma", "sleep 1; echo g"});
    hosts.stop("gamma");
    std::this_thread::sleep_for(1500ms);

    RjResult s;
    // Jobs only end on the hosts after their second; one sync must then see both.
    REQUIRE(eventually(
        [&] {
            s = f.rj.batch({"sync"});
            return f.status_of(a) != "running" && f.status_of(b) != "running";
        },
        15s, 300ms));
    INFO(s.describe());
    CHECK(s.status == 0);
    CHECK(contains(s.err, "gamma"));
    CHECK_FALSE(contains(s.err, "alpha"));
    CHECK_FALSE(contains(s.err, "beta"));
    CHECK(f.status_of(a) == "completed");
    CHECK(f.status_of(b) == "failed");
    CHECK(f.show(b)["exit_code"].integer() == 4);
    CHECK(f.status_of(g) == "running");  // unknown, not guessed

    // The job lived on in tmux while sshd was down.
    hosts.start("gamma");
    Json gj = f.await_end(g, 20s);
    CHECK(gj["status"].str() == "completed");
}

TEST_CASE("log of a stopped host shows the cached tail and says so on stderr", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t id = f.run({"alpha", "seq 1 5"});
    REQUIRE(f.await_end(id)["status"].str() == "completed");
    RjResult live = f.rj.batch({"log", id_s(id)});
    REQUIRE(live.status == 0);
    REQUIRE(live.out == "1\n2\n3\n4\n5\n");
    CHECK_FALSE(contains(live.err, "cached"));

    hosts.stop("alpha");
    RjResult cached = f.rj.batch({"log", id_s(id)});
    INFO(cached.describe());
    CHECK(cached.status == 0);
    CHECK(cached.out == live.out);
    CHECK(contains(cached.err, "cached"));
}

TEST_CASE("a client SIGKILLed between recording and starting a job leaves exactly one job", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    unsigned seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937 rng(seed);

    // Moments to kill: as soon as the row is in the database, and after
    // random delays that land anywhere in the submit.
    std::vector<int> delays_ms{-1, -1, -1, 0};
    for (int i = 0; i < 7; ++i) delays_ms.push_back(std::uniform_int_distribution<int>(0, 300)(rng));

    struct Case {
        std::string cmd;
        int delay;
        bool killed_while_running;
    };
    std::vector<Case> cases;
    for (size_t i = 0; i < delays_ms.size(); ++i) {
        std::string cmd = "sleep 3; echo x-" + std::to_string(i);
        RjProcess p = f.rj.spawn({"run", "alpha", cmd});
        if (delays_ms[i] < 0) {
            eventually([&] { return p.finished() || sqlite_count(f.rj.db(), cmd) > 0; }, 10s, 1ms);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(delays_ms[i]));
        }
        // Whether it had already finished by itself: then it printed the id.
        bool finished = p.finished();
        p.signal(SIGKILL);
        RjResult r = p.wait(10s);
        cases.push_back({cmd, delays_ms[i], !finished && r.status == 128 + SIGKILL});
    }

    // The fault landed: the clients killed as soon as their row existed (the
    // first three) cannot have finished yet, since the submit still had to
    // connect and start the job. A run where none was killed mid-run tested
    // nothing, so it fails.
    int killed_mid_run = 0;
    for (const auto& c : cases) killed_mid_run += c.killed_while_running;
    INFO(killed_mid_run << " of " << cases.size() << " clients were killed mid-run");
    REQUIRE(killed_mid_run >= 3);

    // What a killed client left running on the host finishes or dies with
    // its connection; give it a moment so the host's side is settled.
    std::this_thread::sleep_for(1s);
    // One sync: every job the host has started shows up as started.
    RjResult s = f.rj.batch({"sync"});
    INFO(s.describe());
    CHECK(s.status == 0);

    std::vector<int64_t> never_reached;
    for (const auto& c : cases) {
        INFO("command " << c.cmd << ", killed after " << c.delay << " ms (-1: once the row existed), killed mid-run: "
                        << c.killed_while_running);
        auto local = jobs_with_command(f, c.cmd);
        auto remote = host_jobs_with_command(f, "alpha", c.cmd);
        REQUIRE(local.size() <= 1);  // never duplicated
        CHECK(remote.size() <= 1);
        if (local.empty()) {
            // Killed before recording: then nothing may have been sent either.
            CHECK(remote.empty());
            CHECK(c.delay >= 0);  // the row was seen, it must not vanish
            continue;
        }
        int64_t id = local[0]["id"].integer();
        std::string st = local[0]["status"].str();
        if (!remote.empty()) CHECK(starts_with(remote[0], id_s(id) + " "));  // the recorded job, not a second
        if (!remote.empty() && contains(remote[0], " started")) {
            CHECK((st == "running" || st == "completed"));
        } else {
            // The submit never reached the host, or never got as far as
            // starting the job: still starting until the grace for in-flight
            // submits passes, and not running anywhere.
            CHECK(st == "starting");
            auto sess = f.sessions("alpha");
            CHECK(std::find(sess.begin(), sess.end(), f.session_of(id)) == sess.end());
            never_reached.push_back(id);
        }
    }

    // Jobs the host never saw are started once the grace has passed. rj's
    // grace (60 s) is not configurable, so the test ages their rows instead of
    // waiting: the same as a laptop that crashed a minute ago.
    if (!never_reached.empty()) {
        for (auto id : never_reached) {
            std::string sql = "UPDATE jobs SET created_at = created_at - 120 WHERE id = " + id_s(id) + ";";
            REQUIRE(run_shell("sqlite3 -cmd '.timeout 2000' " + shell_quote(f.rj.db()) + " " + shell_quote(sql)) == 0);
        }
        s = f.rj.batch({"sync"});
        INFO(s.describe());
        CHECK(s.status == 0);
        for (auto id : never_reached) {
            std::string st = f.status_of(id);
            INFO("job " << id);
            CHECK((st == "running" || st == "completed"));
        }
    }

    // Everything recorded runs to completion exactly once; the host has no
    // job rj does not know about.
    for (const auto& c : cases) {
        auto local = jobs_with_command(f, c.cmd);
        if (local.empty()) continue;
        int64_t id = local[0]["id"].integer();
        INFO("command " << c.cmd);
        Json end = f.await_end(id, 30s);
        CHECK(end["status"].str() == "completed");
        RjResult log = f.rj.batch({"log", id_s(id)});
        CHECK(log.out == c.cmd.substr(c.cmd.find("x-")) + "\n");
        CHECK(jobs_with_command(f, c.cmd).size() == 1);
        CHECK(host_jobs_with_command(f, "alpha", c.cmd) == std::vector<std::string>{id_s(id) + " started"});
    }
    auto known = ids_of(f.list());
    for (const auto& dir : f.job_dirs("alpha")) {
        INFO("job directory " << dir << " on the host");
        CHECK(known.count(std::stoll(dir)) == 1);
    }
}
