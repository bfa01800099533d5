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

TEST_CASE("plan submit --dry-run prints what it would kill and submit and changes nothing; a submit prints the kill list with commands before the kill", "[plans]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t old = f.run({"alpha", "sleep 600 # the old run"});
    REQUIRE(f.await_status(old, "running"));
    std::string plan = write_plan(f, "dry.yaml", "version: 1\nkill: [" + id_s(old) + R"PLAN(]
jobs:
  - job: {name: solo, host: alpha, command: touch ~/solo-ran}
  - series:
      name: chain
      jobs:
        - {name: one, host: alpha, command: touch ~/one-ran}
        - {name: two, host: alpha, command: touch ~/two-ran}
)PLAN");
    // What a submit or a kill would change on the host: job directories,
    // queues, journal lines, tmux sessions, files the jobs make.
    auto host_state = [&] {
        return f.on_host("alpha", "ls ~/.cache/rj/*/*/jobs ~/.cache/rj/*/*/queues 2>&1; cat ~/.cache/rj/*/*/journal | wc -l; "
                                  "tmux ls -F '#{session_name}' | sort; ls ~/solo-ran ~/one-ran ~/two-ran 2>&1 | wc -l");
    };
    auto db_state = [&] {
        std::string s;
        for (const auto& j : f.list()) s += id_s(j["id"].integer()) + " " + j["status"].str() + "\n";
        return s;
    };
    std::string host_before = host_state(), db_before = db_state();

    RjResult d = f.rj.batch({"plan", "submit", "--dry-run", plan});
    INFO(d.describe());
    CHECK(d.status == 0);
    CHECK(contains(d.out, "would kill job " + id_s(old) + " on alpha (running): sleep 600 # the old run\n"));
    auto line_of = [&](const std::string& out, const std::string& entry) {
        for (const auto& l : split_lines(out))
            if (starts_with(l, entry + " ")) return l;
        return std::string();
    };
    CHECK(contains(line_of(d.out, "solo"), "would start"));
    CHECK(contains(line_of(d.out, "one"), "would queue default"));
    CHECK(contains(line_of(d.out, "two"), "would queue default, after one"));
    CHECK(contains(d.err, "dry run: nothing was killed or submitted"));

    RjResult dj = f.rj.batch({"plan", "submit", "--dry-run", "--json", plan});
    INFO(dj.describe());
    CHECK(dj.status == 0);
    Json p = parse_json(dj.out);
    REQUIRE(p["kill"].items.size() == 1);
    CHECK(p["kill"].items[0]["id"].integer() == old);
    CHECK(p["kill"].items[0]["command"].str() == "sleep 600 # the old run");
    REQUIRE(p["jobs"].items.size() == 3);
    CHECK(p["jobs"].items[2]["how"].str() == "queue default");
    REQUIRE(p["jobs"].items[2]["after"].items.size() == 1);
    CHECK(p["jobs"].items[2]["after"].items[0].str() == "one");

    CHECK(host_state() == host_before);
    CHECK(db_state() == db_before);
    CHECK(f.status_of(old) == "running");

    // The real thing: the kill list, with each job's command and its state
    // then (running), comes before the kill.
    RjResult r = f.rj.batch({"plan", "submit", plan});
    INFO(r.describe());
    CHECK(r.status == 0);
    size_t announce = r.out.find("killing job " + id_s(old) + " on alpha (running): sleep 600 # the old run\n");
    size_t killed = r.out.find("killed job " + id_s(old));
    REQUIRE(announce != std::string::npos);
    REQUIRE(killed != std::string::npos);
    CHECK(announce < killed);
    CHECK(f.status_of(old) == "killed");
    for (const char* e : {"solo", "one", "two"}) CHECK(f.await_end(id_of(r.out, e), 60000ms)["status"].str() == "completed");
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
