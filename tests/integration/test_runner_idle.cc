// A queue runner costs an idle host nothing (issue 24): one whose queue stays
// empty exits after RJ_RUNNER_IDLE seconds (30 by default; 2 here, through
// alpha's sshd SetEnv, which its tmux server and so the runner inherit), the
// queue still reads as running, and the next enqueue starts a runner again.
#include "config.h"

#include <catch2/catch.hpp>

#include "integration/rj_runner.h"

using namespace testing_support;
using namespace std::chrono_literals;

TEST_CASE("a runner whose queue stays empty exits; the queue still reads as running and the next job starts it again",
          "[queue][hostcost]") {
    TestHosts hosts({"alpha"});
    hosts.setenv("alpha", "RJ_RUNNER_IDLE=2");
    JobsFixture f(hosts);

    int64_t first = f.run({"--queue", "alpha", "echo one"});
    REQUIRE(f.await_end(first)["status"].str() == "completed");
    std::string dir = f.job_dir_of(first);
    std::string qdir = dir.substr(0, dir.rfind("/jobs/")) + "/queues/default";
    const std::string runners =
        "ps -u $(id -u) -o args | grep -c '^/bin/sh bin/[r]unner-\\|^sh bin/[r]unner-' || true";
    // Gone, not killed: it left `asleep` and its lock is removed.
    bool asleep = eventually(
        [&] {
            return f.on_host("alpha", runners) == "0\n" &&
                   f.on_host("alpha", "test -f " + qdir + "/asleep && ! test -e " + qdir + "/lock && echo yes", true) ==
                       "yes\n";
        },
        30s, 250ms);
    INFO(f.on_host("alpha", "tail -n 5 " + qdir + "/runner.log", true));
    REQUIRE(asleep);
    RjResult st = f.rj.batch({"queue", "status", "alpha"});
    INFO(st.describe());
    CHECK(starts_with(st.out, "default\trunning\t"));

    int64_t second = f.run({"--queue", "alpha", "echo two"});
    CHECK(f.await_end(second)["status"].str() == "completed");
    CHECK(f.on_host("alpha", "grep -c 'runner of queue default started' " + qdir + "/runner.log") == "2\n");
}
