// Jobs end to end through the real rj binary against harness hosts: how a
// job ends (completed, failed, killed, timeout, dead) and what `status` says.
#include "config.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include "integration/rj_runner.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

}  // namespace

TEST_CASE("run then sync: exit 0 is completed, exit 3 is failed with exit_code 3", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);

    int64_t ok = f.run({"alpha", "echo fine"});
    int64_t bad = f.run({"alpha", "echo broken >&2; exit 3"});
    CHECK(ok != bad);

    Json a = f.await_end(ok);
    INFO(a["status"].str() << " / " << a["error"].str());
    CHECK(a["status"].str() == "completed");
    CHECK(a["exit_code"].integer() == 0);
    CHECK(a["host"].str() == "alpha");
    CHECK(a["command"].str() == "echo fine");
    CHECK(a["exit_signal"].is_null());
    CHECK_FALSE(a["started_at"].is_null());
    CHECK(a["ended_at"].integer() >= a["started_at"].integer());

    Json b = f.await_end(bad);
    CHECK(b["status"].str() == "failed");
    CHECK(b["exit_code"].integer() == 3);

    RjResult s = f.rj.batch({"status", id_s(ok)});
    INFO(s.describe());
    CHECK(s.status == 0);
    CHECK(s.out == id_s(ok) + "\tcompleted\n");
    s = f.rj.batch({"status", id_s(bad)});
    INFO(s.describe());
    CHECK(s.status == 1);
    CHECK(starts_with(s.out, id_s(bad) + "\tfailed"));

    // stdout and stderr both reach the log.
    RjResult log = f.rj.batch({"log", id_s(bad)});
    CHECK(log.status == 0);
    CHECK(log.out == "broken\n");

    // The JSON keys are the documented ones, in the documented order.
    std::vector<std::string> documented{"id",         "host",       "status",   "command",     "workdir",
                                        "description", "env",       "timeout_s", "exit_code",  "exit_signal",
                                        "created_at", "started_at", "ended_at", "cpu_user_s", "cpu_sys_s",
                                        "pid",        "from_job",   "queue_on_fail", "error"};
    auto keys = a.keys();
    REQUIRE(keys.size() >= documented.size());
    CHECK(std::vector<std::string>(keys.begin(), keys.begin() + static_cast<long>(documented.size())) == documented);
    auto listed = f.list();
    REQUIRE(listed.size() == 2);
    CHECK(listed[0]["id"].integer() == bad);  // newest first
    CHECK(listed[1]["id"].integer() == ok);

    // Killing a job that has ended leaves it as it ended.
    RjResult k = f.rj.batch({"kill", id_s(ok)});
    INFO(k.describe());
    CHECK(f.status_of(ok) == "completed");
    REQUIRE(f.rj.batch({"sync"}).status == 0);
    CHECK(f.status_of(ok) == "completed");
}

TEST_CASE("status exits 0 succeeded, 1 failed, 2 running, 3 not found, the worst of several", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t ok = f.run({"alpha", "true"});
    int64_t bad = f.run({"alpha", "exit 1"});
    int64_t slow = f.run({"alpha", "sleep 60"});
    REQUIRE(f.await_end(ok)["status"].str() == "completed");
    REQUIRE(f.await_end(bad)["status"].str() == "failed");

    auto status = [&](std::vector<std::string> ids) {
        std::vector<std::string> args{"status"};
        args.insert(args.end(), ids.begin(), ids.end());
        RjResult r = f.rj.batch(args);
        INFO(r.describe());
        CHECK(r.err.empty());
        return r.status;
    };
    CHECK(status({id_s(ok)}) == 0);
    CHECK(status({id_s(bad)}) == 1);
    CHECK(status({id_s(slow)}) == 2);
    CHECK(status({"999"}) == 3);
    CHECK(status({id_s(ok), id_s(ok)}) == 0);
    CHECK(status({id_s(ok), id_s(bad)}) == 1);
    CHECK(status({id_s(bad), id_s(slow)}) == 2);
    CHECK(status({id_s(ok), id_s(slow), id_s(bad)}) == 2);
    CHECK(status({id_s(ok), "999", id_s(slow)}) == 3);

    RjResult several = f.rj.batch({"status", id_s(ok), id_s(slow), "999"});
    auto lines = split_lines(several.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == id_s(ok) + "\tcompleted");
    CHECK(starts_with(lines[1], id_s(slow) + "\trunning"));
    CHECK(lines[2] == "999\tnot found");
}

TEST_CASE("status --wait waits for every job, exits 0 only if all succeeded; --wait-timeout exits 2", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t quick = f.run({"alpha", "true"});
    int64_t two_s = f.run({"alpha", "sleep 2"});
    int64_t fails_later = f.run({"alpha", "sleep 2; exit 7"});
    int64_t forever = f.run({"alpha", "sleep 120"});

    // Both end only after a couple of seconds: --wait must sit it out.
    RjResult r = f.rj.batch({"status", "--wait", id_s(quick), id_s(two_s)}, 60s);
    INFO(r.describe());
    CHECK(r.status == 0);
    CHECK(f.status_of(two_s) == "completed");
    auto lines = split_lines(r.out);
    REQUIRE(lines.size() >= 2);
    CHECK(lines[lines.size() - 2] == id_s(quick) + "\tcompleted");
    CHECK(lines.back() == id_s(two_s) + "\tcompleted");

    r = f.rj.batch({"status", "--wait", id_s(quick), id_s(fails_later)}, 60s);
    INFO(r.describe());
    CHECK(r.status == 1);
    CHECK(f.status_of(fails_later) == "failed");

    r = f.rj.batch({"status", "--wait", "--wait-timeout", "1s", id_s(quick), id_s(forever)}, 60s);
    INFO(r.describe());
    CHECK(r.status == 2);
    CHECK(r.seconds >= 0.9);
    CHECK(r.seconds < 15);
    CHECK(f.status_of(forever) == "running");

    // Unknown ids are not waited for.
    r = f.rj.batch({"status", "--wait", "--wait-timeout", "30s", "999"}, 60s);
    INFO(r.describe());
    CHECK(r.status == 3);
    CHECK(r.seconds < 10);
}

TEST_CASE("kill is recorded as killed, --timeout as timeout, a session killed behind rj's back as dead", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);

    int64_t victim = f.run({"alpha", "sleep 100"});
    int64_t timed = f.run({"--timeout", "2s", "alpha", "sleep 100"});
    // TERM is ignored: the wrapper must follow up with KILL after its grace.
    int64_t stubborn = f.run({"--timeout", "1s", "alpha", "trap '' TERM; sleep 100; sleep 100"});
    int64_t vanishing = f.run({"alpha", "sleep 100"});
    REQUIRE(f.await_status(victim, "running", 15s));
    REQUIRE(f.await_status(vanishing, "running", 15s));

    {
        RjResult k = f.rj.batch({"kill", id_s(victim)});
        INFO(k.describe());
        CHECK(k.status == 0);
        CHECK(f.status_of(victim) == "killed");
        // Gone on the host too, session and process.
        CHECK(eventually(
            [&] {
                auto s = f.sessions("alpha");
                return std::find(s.begin(), s.end(), f.session_of(victim)) == s.end();
            },
            15s));

        std::string out = f.on_host("alpha", "tmux kill-session -t " + f.session_of(vanishing));
        Json dead = f.await_end(vanishing, 20s);
        CHECK(dead["status"].str() == "dead");
        CHECK(dead["exit_code"].is_null());

        Json t = f.await_end(timed, 20s);
        CHECK(t["status"].str() == "timeout");
        CHECK(t["timeout_s"].integer() == 2);
        if (!t["ended_at"].is_null() && !t["started_at"].is_null()) {
            int64_t ran = t["ended_at"].integer() - t["started_at"].integer();
            CHECK(ran >= 1);
            CHECK(ran <= 6);
        }

        Json st = f.await_end(stubborn, 40s);
        CHECK(st["status"].str() == "timeout");
        CHECK(st["exit_signal"].integer() == 9);
        CHECK(f.on_host("alpha", "pgrep -u \"$(id -u)\" -x -f 'sleep 100' || true").empty());

        // Later syncs change nothing: killed stays killed, not dead or failed.
        REQUIRE(f.rj.batch({"sync"}).status == 0);
        REQUIRE(f.rj.batch({"sync"}).status == 0);
        CHECK(f.status_of(victim) == "killed");
        CHECK(f.status_of(vanishing) == "dead");
        CHECK(f.status_of(timed) == "timeout");
        auto killed = f.list({"--failed"});
        std::vector<int64_t> failed_ids;
        for (const auto& j : killed) failed_ids.push_back(j["id"].integer());
        CHECK(std::find(failed_ids.begin(), failed_ids.end(), victim) != failed_ids.end());
        auto deads = f.list({"--dead"});
        REQUIRE(deads.size() == 1);
        CHECK(deads[0]["id"].integer() == vanishing);

        RjResult s = f.rj.batch({"status", id_s(victim)});
        CHECK(s.status == 1);
        CHECK(starts_with(s.out, id_s(victim) + "\tkilled"));
    }
}

TEST_CASE("run --from copies a job's settings with options overriding; restart reruns it; describe renames it",
          "[jobs]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    int64_t orig = f.run({"-C", "/tmp", "-d", "original", "-e", "A=1", "-e", "B=2", "--timeout", "1h", "alpha",
                          "echo $A$B; pwd"});
    int64_t copy = f.run({"--from", id_s(orig), "-e", "B=3", "alpha"});
    int64_t moved = f.run({"--from", id_s(orig), "-C", "~", "beta", "echo $A$B other"});
    // Ended first: restart of a running job would kill it (remote-jobs' meaning).
    REQUIRE(f.await_end(orig)["status"].str() == "completed");
    RjResult r = f.rj.batch({"restart", id_s(orig)});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    int64_t again = std::stoll(r.out);
    RjResult d = f.rj.batch({"describe", id_s(orig), "renamed"});
    CHECK(d.status == 0);

    for (auto id : {orig, copy, moved, again}) REQUIRE(f.await_end(id)["status"].str() == "completed");
    Json c = f.show(copy);
    CHECK(c["command"].str() == "echo $A$B; pwd");
    CHECK(c["workdir"].str() == "/tmp");
    CHECK(c["description"].str() == "original");
    CHECK(c["timeout_s"].integer() == 3600);
    CHECK(c["from_job"].integer() == orig);
    REQUIRE(c["env"].items.size() == 2);
    CHECK(c["env"].items[1]["value"].str() == "3");
    CHECK(f.rj.batch({"log", id_s(copy)}).out == "13\n/tmp\n");

    Json m = f.show(moved);
    CHECK(m["host"].str() == "beta");
    CHECK(f.rj.batch({"log", id_s(moved)}).out == "12 other\n");

    Json a = f.show(again);
    CHECK(a["from_job"].integer() == orig);
    CHECK(a["command"].str() == "echo $A$B; pwd");
    CHECK(f.rj.batch({"log", id_s(again)}).out == "12\n/tmp\n");
    CHECK(f.show(orig)["description"].str() == "renamed");
    auto found = f.list({"--search", "RENAMED"});  // case-insensitive, and the description counts
    REQUIRE(found.size() == 1);
    CHECK(found[0]["id"].integer() == orig);
}
