// Plans end to end (`rj -b plan submit`): the remote-jobs plan format read
// unchanged and run in order on real sshd hosts; an invalid plan runs nothing.
#include "config.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "integration/rj_runner.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

std::string write_plan(JobsFixture& f, const std::string& name, const std::string& text) {
    std::string path = f.hosts.dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
}

// The job id printed for `entry` in the plan table (0 when not found).
int64_t id_of(const std::string& table, const std::string& entry) {
    for (const auto& line : split_lines(table)) {
        if (line.rfind(entry + " ", 0) != 0) continue;
        std::istringstream in(line.substr(entry.size()));
        std::string block_or_host, word;
        std::vector<std::string> words;
        while (in >> word) words.push_back(word);
        for (const auto& w : words)
            if (!w.empty() && w.find_first_not_of("0123456789") == std::string::npos) return std::stoll(w);
    }
    return 0;
}

}  // namespace

TEST_CASE("the remote-jobs example plan submits with --host and runs its series in order", "[plans]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    std::string plan = write_plan(f, "test-plan.yaml", R"PLAN(version: 1
jobs:
  - job:
      name: test-hostname
      command: hostname
      description: Test single job

  - parallel:
      name: test-parallel
      jobs:
        - command: echo "Parallel job 1"
          description: Parallel test 1
        - command: echo "Parallel job 2"
          description: Parallel test 2

  - series:
      name: test-series
      wait: success
      jobs:
        - name: first
          command: sleep 1; echo "first $(date +%s%N)" >> ~/order
        - name: second
          command: echo "second $(date +%s%N)" >> ~/order
)PLAN");
    RjResult r = f.rj.batch({"plan", "submit", "--host", "alpha", plan});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    std::vector<int64_t> ids;
    for (const char* e : {"test-hostname", "echo \"Parallel job 1\"", "echo \"Parallel job 2\"", "first", "second"}) {
        int64_t id = id_of(r.out, e);
        INFO(e);
        CHECK(id > 0);
        ids.push_back(id);
    }
    REQUIRE(ids.size() == 5);
    Json second = f.show(ids[4]);
    CHECK(second["queue"].str() == "default");
    CHECK(second["after"].items.size() == 1);
    for (int64_t id : ids) CHECK(f.await_end(id, 60000ms)["status"].str() == "completed");
    std::string order = f.on_host("alpha", "cat ~/order");
    CHECK(starts_with(order, "first "));
    CHECK(contains(order, "\nsecond "));

    // --json: the same map, as JSON.
    RjResult j = f.rj.batch({"plan", "submit", "--json", "--host", "alpha", plan});
    INFO(j.describe());
    REQUIRE(j.status == 0);
    Json parsed = parse_json(j.out);
    const auto& items = parsed["jobs"].items;
    REQUIRE(items.size() == 5);
    CHECK(items[0]["entry"].str() == "test-hostname");
    CHECK(items[3]["how"].str() == "queued");
}

TEST_CASE("a plan kills first, runs a parallel block on two hosts, and a failing series stops", "[plans]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    int64_t old = f.run({"alpha", "sleep 600"});
    std::string plan = write_plan(f, "plan.yaml", "version: 1\nkill: [" + id_s(old) + R"PLAN(]
jobs:
  - parallel:
      name: shards
      env: {SHARD_OF: "2"}
      jobs:
        - {name: s0, host: alpha, command: 'echo "shard 0 of $SHARD_OF"'}
        - {name: s1, host: beta, command: 'echo "shard 1 of $SHARD_OF"'}
  - series:
      name: chain
      jobs:
        - {name: breaks, host: beta, command: exit 4}
        - {name: never, host: beta, command: touch ~/never-ran}
  - job: {name: after-both, host: alpha, command: echo done, after: [s0, s1]}
)PLAN");
    RjResult r = f.rj.batch({"plan", "submit", plan, "--watch", "60s"});
    INFO(r.describe());
    CHECK(r.status == 1);  // the series failed
    CHECK(contains(r.out, "killed job " + id_s(old)));
    CHECK(f.status_of(old) == "killed");
    int64_t s0 = id_of(r.out, "s0"), s1 = id_of(r.out, "s1"), never = id_of(r.out, "never");
    int64_t both = id_of(r.out, "after-both");
    REQUIRE(s0 > 0);
    REQUIRE(s1 > 0);
    REQUIRE(never > 0);
    REQUIRE(both > 0);
    CHECK(f.show(s1)["host"].str() == "beta");
    CHECK(contains(f.rj.batch({"log", id_s(s1)}).out, "shard 1 of 2"));
    CHECK(f.show(both)["status"].str() == "completed");
    Json n = f.show(never);
    CHECK(n["status"].str() == "cancelled");
    CHECK(f.on_host("beta", "ls ~/never-ran 2>&1 || true").find("No such file") != std::string::npos);
}

TEST_CASE("an invalid plan is refused whole: nothing is killed or submitted", "[plans]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t keep = f.run({"alpha", "sleep 600"});
    std::string plan = write_plan(f, "bad.yaml", "version: 1\nkill: [" + id_s(keep) + R"PLAN(]
jobs:
  - job: {host: alpha, command: touch ~/should-not-run}
  - job: {host: nosuchhost, command: ls}
)PLAN");
    RjResult r = f.rj.batch({"plan", "submit", plan});
    INFO(r.describe());
    CHECK(r.status == 2);
    CHECK(contains(r.err, "jobs[1].job (line 5): unknown host 'nosuchhost'"));
    CHECK(f.status_of(keep) == "running");
    CHECK(f.list().size() == 1);

    std::string broken = write_plan(f, "broken.yaml", "version: 1\nkill: [" + id_s(keep) + "]\njobs:\n  - job:\n      host: alpha\n      comand: ls\n");
    RjResult b = f.rj.batch({"plan", "submit", broken});
    CHECK(b.status == 2);
    CHECK(contains(b.err, "broken.yaml:6:7: jobs[0].job: unknown key 'comand'"));
    CHECK(f.status_of(keep) == "running");
    CHECK(f.list().size() == 1);
    f.rj.batch({"kill", id_s(keep)});
}
