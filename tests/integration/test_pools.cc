// Pools and placement, cross-host dependencies and the cron entry point
// (`rj -b` alone), end to end: the real rj binary, real sshd hosts, a fake
// nvidia-smi per host (the real CSV format) whose GPUs a test makes busy or
// free by writing ~/gpus on that host.
#include "config.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "integration/rj_runner.h"
#include "precondition.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

// GPUs from ~/gpus ("INDEX MEMORY_USED_MIB UTIL" per line; no file: no GPUs).
// No compute processes: busy GPUs are busy by their memory, as rj's
// gpu_free_mib threshold (1024 MiB) judges them.
const char* kFakeNvidiaSmi = R"SH(#!/bin/sh
query= apps=
for a in "$@"; do
  case $a in
    --query-gpu=*) query=${a#*=} ;;
    --query-compute-apps=*) apps=${a#*=} ;;
    --format=*) ;;
    *) echo "fake nvidia-smi: unsupported argument $a" >&2; exit 2 ;;
  esac
done
if [ -n "$apps" ]; then exit 0; fi
# A barrier for overlap tests: once ~/stall-armed exists, the first query
# (mkdir is atomic) says so in ~/stalled and waits for ~/release (60 s at most).
if [ -f "$HOME/stall-armed" ] && mkdir "$HOME/stall.taken" 2>/dev/null; then
  : > "$HOME/stalled"
  n=0
  while [ ! -f "$HOME/release" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
fi
[ -f "$HOME/gpus" ] || { echo 'No devices were found'; exit 6; }
while read -r idx mem util; do
  line= sep=
  for q in $(echo "$query" | tr ',' ' '); do
    case $q in
      index) v=$idx ;;
      uuid) v=GPU-$idx-0000-fake ;;
      name) v='NVIDIA RTX A6000' ;;
      utilization.gpu) v=$util ;;
      memory.used) v=$mem ;;
      memory.total) v=49140 ;;
      *) echo "Field \"$q\" is not a valid field to query." >&2; exit 2 ;;
    esac
    line="$line$sep$v"; sep=', '
  done
  echo "$line"
done < "$HOME/gpus"
)SH";

// `busy` has one entry per GPU: true = 20000 MiB used, 97% busy.
void set_gpus(JobsFixture& f, const std::string& host, const std::vector<bool>& busy) {
    std::string lines;
    for (size_t i = 0; i < busy.size(); ++i)
        lines += std::to_string(i) + (busy[i] ? " 20000 97\n" : " 3 0\n");
    f.on_host(host, "printf '%s' '" + lines + "' > ~/gpus.new && mv ~/gpus.new ~/gpus");
}

void install_fake_gpus(JobsFixture& f, const std::string& host, const std::vector<bool>& busy) {
    f.on_host(host, std::string("mkdir -p ~/bin && cat > ~/bin/nvidia-smi <<'EOF'\n") + kFakeNvidiaSmi +
                        "EOF\nchmod +x ~/bin/nvidia-smi");
    set_gpus(f, host, busy);
}

void configure(JobsFixture& f, const std::string& text) {
    std::string cfg = f.hosts.dir() + "/rj.config";
    std::ofstream(cfg) << text;
    f.rj.set_env("RJ_CONFIG", cfg);
}

// `rj -b` (the cron entry point), REQUIRE'd to succeed; its stdout.
std::string tick(JobsFixture& f) {
    RjResult r = f.rj.batch({});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    return r.out;
}

// Runs `rj -b` until `pred` holds (each round syncs and dispatches).
bool tick_until(JobsFixture& f, const std::function<bool()>& pred, Millis timeout = 60000ms) {
    return eventually([&] {
        tick(f);
        return pred();
    }, timeout, 300ms);
}

// Makes the fake nvidia-smi of `host`, when its arguments match `pattern`
// and ~/NAME_hook exists, take the hook, touch ~/NAME_waiting and wait (at
// most 60 s) for ~/NAME_go: a test holds one caller at that point.
void add_nvidia_hook(JobsFixture& f, const std::string& host, const std::string& pattern, const std::string& name) {
    f.on_host(host, "sed -i '1a\\\n"
                    "case \"$*\" in " + pattern + ") if [ -f ~/" + name + "_hook ]; then rm -f ~/" + name + "_hook; "
                    "touch ~/" + name + "_waiting; i=0; while [ ! -f ~/" + name + "_go ] \\&\\& [ $i -lt 600 ]; do "
                    "sleep 0.1; i=$((i+1)); done; fi ;; esac' ~/bin/nvidia-smi");
}

bool host_has(JobsFixture& f, const std::string& host, const std::string& path) {
    return f.on_host(host, "ls " + path + " 2>/dev/null || true") != "";
}

// Waits on the host until ~/go exists, then runs `rest`.
std::string after_go(const std::string& rest) { return "while [ ! -f ~/go ]; do sleep 0.1; done; " + rest; }

}  // namespace

TEST_CASE("a pool job goes to the pool host with free GPUs and runs on the GPU it was given", "[pools]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha", {true, true});
    install_fake_gpus(f, "beta", {true, false});
    configure(f, "[pool gpu]\nhosts = alpha, beta\n");

    int64_t id = f.run({"--pool", "gpu", "--gpus", "1", "echo \"cvd=$CUDA_VISIBLE_DEVICES\""});
    Json j = f.await_end(id);
    CHECK(j["status"].str() == "completed");
    CHECK(j["host"].str() == "beta");
    CHECK(j["pool"].str() == "gpu");
    CHECK(j["gpu_alloc"].str() == "1");
    RjResult log = f.rj.batch({"log", id_s(id)});
    CHECK(contains(log.out, "cvd=1"));

    // `@gpu` where a host is expected means the same.
    set_gpus(f, "alpha", {false, true});
    set_gpus(f, "beta", {true, true});
    int64_t again = f.run({"--gpus", "1", "@gpu", "true"});
    Json k = f.await_end(again);
    CHECK(k["host"].str() == "alpha");
    CHECK(k["gpu_alloc"].str() == "0");
}

TEST_CASE("a requirement no pool host meets waits as pending with the reason, then is placed", "[pools]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha", {false, true});
    install_fake_gpus(f, "beta", {true, true});
    configure(f, "[pool gpu]\nhosts = alpha, beta\n");

    RjResult r = f.rj.batch({"run", "--pool", "gpu", "--require", "gpu:2", "-d", "needs two", "echo placed"});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    int64_t id = std::stoll(r.out);
    CHECK(contains(r.err, "no host in gpu has 2 free GPUs: alpha 1, beta 0"));
    Json j = f.show(id);
    CHECK(j["status"].str() == "pending");
    CHECK(j["host"].str() == "@gpu");
    CHECK(j["pending_reason"].str() == "no host in gpu has 2 free GPUs: alpha 1, beta 0");
    RjResult shown = f.rj.batch({"show", id_s(id)});
    CHECK(contains(shown.out, "no host in gpu has 2 free GPUs"));

    // Nothing changed: `rj -b` says nothing and places nothing.
    CHECK(tick(f).empty());
    CHECK(f.status_of(id) == "pending");

    set_gpus(f, "beta", {false, false});
    std::string out = tick(f);
    CHECK(contains(out, "job " + id_s(id) + ": started on beta (GPUs 0,1), placed from gpu"));
    Json done = f.await_end(id);
    CHECK(done["status"].str() == "completed");
    CHECK(done["host"].str() == "beta");
}

TEST_CASE("jobs placed in one round never share a GPU, and later rounds see rj's own allocations", "[pools]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha", {true});
    install_fake_gpus(f, "beta", {true, true});
    configure(f, "[pool gpu]\nhosts = alpha, beta\n");

    // All three wait while every GPU is busy, then two GPUs free up at once:
    // one `rj -b` round places two of them, on different GPUs.
    std::vector<int64_t> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(f.run({"--pool", "gpu", "--gpus", "1", after_go("true")}));
    for (int64_t id : ids) CHECK(f.status_of(id) == "pending");
    set_gpus(f, "beta", {false, false});
    tick(f);
    std::set<std::string> given;
    int placed = 0;
    for (int64_t id : ids) {
        Json j = f.show(id);
        if (j["status"].str() == "pending") continue;
        ++placed;
        CHECK(j["host"].str() == "beta");
        given.insert(j["gpu_alloc"].str());
    }
    CHECK(placed == 2);
    CHECK(given == std::set<std::string>{"0", "1"});
    // The fake GPUs still look idle (the jobs use no memory): only rj's own
    // record on the host keeps the next round off them.
    CHECK(tick(f).empty());
    int still = 0;
    for (int64_t id : ids) still += f.status_of(id) == "pending";
    CHECK(still == 1);
    f.on_host("beta", "touch ~/go");
    REQUIRE(tick_until(f, [&] {
        for (int64_t id : ids)
            if (f.status_of(id) != "completed") return false;
        return true;
    }));
}

TEST_CASE("array tasks spread over a pool and the %N limit counts across hosts", "[pools]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    configure(f, "[pool cpu]\nhosts = alpha, beta\n");

    std::string body = "echo \"start $TASK_ID $(date +%s%N)\" >> ~/trace; " + after_go("") +
                       "echo \"end $TASK_ID $(date +%s%N)\" >> ~/trace";
    RjResult r = f.rj.batch({"run", "--pool", "cpu", "--array", "1-4%2", body});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    int64_t array = std::stoll(r.out);
    std::vector<Json> tasks = f.list({"--array", id_s(array)});
    REQUIRE(tasks.size() == 4);
    std::map<std::string, int> running_on;
    int pending = 0;
    for (auto& t : tasks) {
        if (t["status"].str() == "pending") {
            ++pending;
            CHECK(contains(t["pending_reason"].str(), "%N limit"));
        } else {
            ++running_on[t["host"].str()];
        }
    }
    CHECK(pending == 2);
    // Two hosts alike: the second task of the round goes where the first did not.
    CHECK(running_on == std::map<std::string, int>{{"alpha", 1}, {"beta", 1}});

    f.on_host("alpha", "touch ~/go");
    f.on_host("beta", "touch ~/go");
    REQUIRE(tick_until(f, [&] {
        for (auto& t : f.list({"--array", id_s(array)}))
            if (t["status"].str() != "completed") return false;
        return true;
    }));
    // At most two at once, over both hosts (one clock: the hosts share this machine).
    std::vector<std::pair<long long, int>> edges;
    for (const char* h : {"alpha", "beta"}) {
        std::istringstream in(f.on_host(h, "cat ~/trace"));
        std::string what, task;
        long long ns;
        while (in >> what >> task >> ns) edges.emplace_back(ns, what == "start" ? 1 : -1);
    }
    REQUIRE(edges.size() == 8);
    std::sort(edges.begin(), edges.end(), [](auto a, auto b) { return a.first != b.first ? a.first < b.first : a.second < b.second; });
    int now = 0, most = 0;
    for (auto [t, d] : edges) most = std::max(most, now += d);
    CHECK(most == 2);
    CHECK(f.show(array)["status"].str() == "completed");
}

TEST_CASE("--after a job on another host starts the child once the parent succeeded, cancels it when it failed", "[pools]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);

    int64_t parent = f.run({"alpha", after_go("exit 0")});
    int64_t child = f.run({"--after", id_s(parent), "beta", "echo child ran"});
    Json c = f.show(child);
    CHECK(c["status"].str() == "pending");
    CHECK(contains(c["pending_reason"].str(), "waiting for job " + id_s(parent) + " on alpha (running)"));
    CHECK(tick(f).empty());
    f.on_host("alpha", "touch ~/go");
    REQUIRE(tick_until(f, [&] { return f.status_of(child) == "completed"; }));
    CHECK(f.show(child)["host"].str() == "beta");

    int64_t bad = f.run({"alpha", "exit 3"});
    int64_t never = f.run({"--after", id_s(bad), "beta", "touch ~/must-not-exist"});
    REQUIRE(tick_until(f, [&] { return f.status_of(never) == "cancelled"; }));
    Json n = f.show(never);
    CHECK(contains(n["error"].str(), "job " + id_s(bad) + " on alpha ended failed"));
    CHECK(f.on_host("beta", "ls ~/must-not-exist 2>&1 || true").find("No such file") != std::string::npos);
}

TEST_CASE("two rj -b at once start each waiting job once, and a second round changes nothing", "[pools]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha", {true, true});
    install_fake_gpus(f, "beta", {true, true});
    configure(f, "[pool gpu]\nhosts = alpha, beta\n");
    std::vector<int64_t> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(f.run({"--pool", "gpu", "--gpus", "1", after_go("true")}));
    set_gpus(f, "alpha", {false, false});
    set_gpus(f, "beta", {false, false});

    // The overlap, forced: the first rj stops inside its GPU query on alpha
    // (the fake nvidia-smi's barrier) and stays there while the second one
    // runs from start to end; then the first goes on.
    f.on_host("alpha", "rm -rf ~/stall.taken ~/stalled ~/release; touch ~/stall-armed");
    RjProcess stalled = f.rj.spawn({});
    {
        INFO("the first rj never reached the GPU query on alpha\n" << stalled.err());
        REQUIRE(eventually([&] { return f.on_host("alpha", "ls ~/stalled 2>/dev/null; true") != ""; }, 30s));
    }
    RjResult second = f.rj.batch({});
    CHECK_FALSE(stalled.finished());  // still inside its round: the two overlapped
    f.on_host("alpha", "touch ~/release");
    RjResult one = stalled.wait(60s);
    f.rj.annotate({}, one);
    std::vector<RjResult> results{one, second};
    std::string both = results[0].out + results[1].out;
    INFO(results[0].describe() << results[1].describe());
    CHECK(results[0].status == 0);
    CHECK(results[1].status == 0);
    CHECK_FALSE(results[0].timed_out);
    // Every job was placed once, by one of them; GPUs are never given twice.
    std::set<std::string> seats;
    for (int64_t id : ids) {
        std::string line = "job " + id_s(id) + ": started on ";
        size_t first = both.find(line);
        CHECK(first != std::string::npos);
        CHECK(both.find(line, first + 1) == std::string::npos);
        Json j = f.show(id);
        seats.insert(j["host"].str() + ":" + j["gpu_alloc"].str());
    }
    CHECK(seats.size() == 4);
    CHECK(f.sessions("alpha").size() + f.sessions("beta").size() == 4);
    CHECK(tick(f).empty());
    f.on_host("alpha", "touch ~/go");
    f.on_host("beta", "touch ~/go");
    REQUIRE(tick_until(f, [&] {
        for (int64_t id : ids)
            if (f.status_of(id) != "completed") return false;
        return true;
    }));
}

TEST_CASE("a pool, a requirement or a prelude that is wrong is refused before anything is recorded", "[pools]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    configure(f, "[pool gpu]\nhosts = alpha\n");
    RjResult r = f.rj.batch({"run", "--pool", "gpus", "true"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "--pool: there is no pool 'gpus' in the config"));
    r = f.rj.batch({"run", "--pool", "gpu", "--require", "gpu:two", "true"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "--require: gpu must be a whole number"));
    CHECK(f.list().empty());
}

TEST_CASE("a host's prelude runs before the command, and one that fails fails the job before it", "[pools]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    configure(f, "[host alpha]\nprelude = export FROM_PRELUDE=yes; cd /tmp\n"
                 "[host beta]\nprelude = false\n");
    int64_t ok = f.run({"alpha", "echo \"prelude=$FROM_PRELUDE in $(pwd)\""});
    Json j = f.await_end(ok);
    CHECK(j["status"].str() == "completed");
    CHECK(j["prelude"].str() == "export FROM_PRELUDE=yes; cd /tmp");
    CHECK(contains(f.rj.batch({"log", id_s(ok)}).out, "prelude=yes in /tmp"));
    CHECK(contains(f.rj.batch({"show", id_s(ok)}).out, "prelude:"));

    int64_t bad = f.run({"beta", "touch ~/ran"});
    Json b = f.await_end(bad);
    CHECK(b["status"].str() == "failed");
    CHECK(contains(f.rj.batch({"log", id_s(bad)}).out, "rj: the prelude failed (exit 1); the command did not run"));
    CHECK(f.on_host("beta", "ls ~/ran 2>&1 || true").find("No such file") != std::string::npos);
}

TEST_CASE("a kill aimed at a blackholed host is deferred, shown, and carried out once the host is back", "[pools][root]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    int64_t id = f.run({"alpha", "sleep 600"});
    int64_t other = f.run({"alpha", "sleep 600"});
    if (!precondition(hosts.blackhole("alpha"), "blackholing needs root and iptables")) return;

    RjResult k = f.rj.batch({"kill", id_s(id)}, 60000ms);
    INFO(k.describe());
    CHECK(k.status == 0);
    CHECK(contains(k.out + k.err, "kill deferred: alpha is unreachable"));
    CHECK(f.status_of(id) == "running");
    RjResult listed = f.rj.batch({"list"});
    CHECK(contains(listed.out, "running, kill deferred"));
    CHECK(contains(f.rj.batch({"show", id_s(id)}).out, "deferred:"));
    RjResult d = f.rj.batch({"deferred"});
    CHECK(contains(d.out, id_s(id)));
    CHECK(contains(d.out, "kill"));

    // A second one, for the other job, is cancelled before the host returns.
    RjResult k2 = f.rj.batch({"kill", id_s(other)}, 60000ms);
    CHECK(k2.status == 0);
    std::string table = f.rj.batch({"deferred"}).out;
    std::string cancel_id;
    for (const auto& line : split_lines(table)) {
        std::istringstream in(line);
        std::string op_id, job;
        in >> op_id >> job;
        if (job == id_s(other)) cancel_id = op_id;
    }
    REQUIRE(!cancel_id.empty());
    CHECK(f.rj.batch({"deferred", "cancel", cancel_id}).status == 0);
    CHECK(f.rj.batch({"deferred", "cancel", cancel_id}).status == 2);  // no longer waiting

    // While the host is away, `rj -b` leaves it deferred and says nothing of it.
    CHECK(!contains(tick(f), "deferred kill"));
    hosts.unblackhole("alpha");
    std::string out = tick(f);
    CHECK(contains(out, "job " + id_s(id) + ": deferred kill done"));
    CHECK(f.status_of(id) == "killed");
    CHECK(f.status_of(other) == "running");
    CHECK(f.rj.batch({"deferred"}).out.empty());
    f.rj.batch({"kill", id_s(other)});
}

TEST_CASE("a plan's when: waits on its host until a GPU is idle enough, then runs there", "[pools][plans]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha", {true, true});
    std::string plan = hosts.dir() + "/when.yaml";
    std::ofstream(plan) << "version: 1\njobs:\n  - job:\n      name: gated\n      host: alpha\n"
                           "      command: echo gated ran\n      when:\n        gpu: {device: any, util_below: 40}\n";
    RjResult r = f.rj.batch({"plan", "submit", "--json", plan});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    Json out = parse_json(r.out);
    const Json& entry = out["jobs"].items.at(0);
    CHECK(entry["how"].str() == "pending");
    int64_t id = entry["id"].integer();
    Json j = f.show(id);
    CHECK(j["status"].str() == "pending");
    CHECK(j["require"].str() == "gpu_device:any,gpu_util_below:40");
    CHECK(contains(j["pending_reason"].str(), "no host in host alpha has a GPU with under 40% use"));
    CHECK(tick(f).empty());
    set_gpus(f, "alpha", {true, false});
    REQUIRE(tick_until(f, [&] { return f.status_of(id) == "completed"; }));
    CHECK(f.show(id)["host"].str() == "alpha");
}

TEST_CASE("hosts --free shows free GPUs, memory and idle CPUs, and names hosts without rj jobs", "[pools]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha", {true, false});
    int64_t busy = f.run({"beta", "sleep 600"});
    RjResult r = f.rj.batch({"hosts", "--free"});
    INFO(r.describe());
    CHECK(r.status == 0);
    std::string alpha_row, beta_row;
    for (const auto& line : split_lines(r.out)) {
        if (starts_with(line, "alpha ")) alpha_row = line;
        if (starts_with(line, "beta ")) beta_row = line;
    }
    CHECK(contains(alpha_row, "1 of 2"));
    CHECK(contains(beta_row, "none"));
    CHECK(contains(beta_row, "1 rj job"));
    CHECK(contains(r.out, "gpu 0  busy"));
    CHECK(contains(r.out, "97% use, 20000/49140 MiB"));
    CHECK(contains(r.out, "gpu 1  free"));
    CHECK(contains(r.out, "alpha: 1 GPU idle, no rj job on record"));
    f.rj.batch({"kill", id_s(busy)});
}

TEST_CASE("every host probe is kept as history: one point a minute with load, memory and GPU use", "[pools]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha", {true, false});  // 97% and 0%: a mean of 48.5%
    RjResult a = f.rj.batch({"host", "info", "alpha"});
    RjResult b = f.rj.batch({"host", "info", "alpha"});
    INFO(a.describe() << b.describe());
    REQUIRE(a.status == 0);
    REQUIRE(b.status == 0);
    std::string out;
    REQUIRE(run_shell("sqlite3 " + f.rj.db() + " \"SELECT host, count(*), min(gpu), max(mem) > 0, max(load) >= 0 "
                      "FROM host_probes GROUP BY host\"",
                      &out) == 0);
    // Two probes in one minute are one point (a minute boundary may split them).
    CHECK((out == "alpha|1|485|1|1\n" || out == "alpha|2|485|1|1\n"));
}

TEST_CASE("a placement whose GPU a queue runner took after the probe is placed again, never sharing the GPU", "[pools]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha", {false});
    // The placement's probe (the only nvidia-smi call that asks for
    // utilization.gpu,memory.used) waits at ~/probe_hook until the test says go: the
    // runner takes the GPU in between, as it could at any moment.
    add_nvidia_hook(f, "alpha", "*utilization.gpu,memory.used*", "probe");
    configure(f, "[pool gpu]\nhosts = alpha\n");
    int64_t queued = f.run({"--queue", "--hold", "--gpus", "1", "alpha", after_go("echo \"q=$CUDA_VISIBLE_DEVICES\"")});
    REQUIRE(f.status_of(queued) == "queued");
    f.on_host("alpha", "touch ~/probe_hook");

    RjProcess placing = f.rj.spawn({"run", "--pool", "gpu", "--gpus", "1", "echo \"p=$CUDA_VISIBLE_DEVICES\""});
    REQUIRE(eventually([&] { return host_has(f, "alpha", "~/probe_waiting"); }, 30000ms));
    // The probe has read rj's allocations (none) and waits; the runner now
    // gives the GPU to the released queue job.
    std::string qdir = f.job_dir_of(queued);
    f.on_host("alpha", "rm -f " + qdir + "/held");
    REQUIRE(eventually([&] { return f.on_host("alpha", "cat " + qdir + "/gpu_alloc 2>/dev/null || true") == "0\n"; },
                       30000ms));
    f.on_host("alpha", "touch ~/probe_go");
    RjResult r = placing.wait(60000ms);
    INFO(r.describe());
    REQUIRE(r.status == 0);
    int64_t id = std::stoll(r.out);

    // The submit found GPU 0 taken: nothing ran, no claim stayed behind.
    Json j = f.show(id);
    CHECK(j["status"].str() == "pending");
    CHECK(j["host"].str() == "@gpu");
    CHECK(contains(j["pending_reason"].str(), "GPU 0 went to another job on the host after rj looked"));
    std::string rjdir = qdir.substr(0, qdir.rfind("/jobs/"));
    CHECK(f.on_host("alpha", "ls " + rjdir + "/gpu_jobs/ 2>/dev/null || true") == "");
    CHECK(f.on_host("alpha", "ls -d " + rjdir + "/jobs/" + id_s(id) + " 2>/dev/null || true") == "");
    CHECK(f.await_status(queued, "running"));

    // Once the queue job ends, the next round places it on the GPU.
    f.on_host("alpha", "touch ~/go");
    CHECK(f.await_end(queued)["status"].str() == "completed");
    REQUIRE(tick_until(f, [&] { return f.status_of(id) != "pending"; }));
    Json done = f.await_end(id);
    CHECK(done["status"].str() == "completed");
    CHECK(done["gpu_alloc"].str() == "0");
    CHECK(f.rj.batch({"log", id_s(id)}).out == "p=0\n");
    CHECK(f.rj.batch({"log", id_s(queued)}).out == "q=0\n");
}

TEST_CASE("a queue runner that read a GPU as free before a placement claimed it leaves it to the placed job", "[pools]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha", {false});
    // The runner's nvidia-smi call (index,uuid,memory.used) waits at
    // ~/runner_hook: it has read what rj gave away and sees GPU 0 free.
    add_nvidia_hook(f, "alpha", "*index,uuid,memory.used*", "runner");
    configure(f, "[pool gpu]\nhosts = alpha\n");
    f.on_host("alpha", "touch ~/runner_hook");
    int64_t queued = f.run({"--queue", "--gpus", "1", "alpha", "echo \"q=$CUDA_VISIBLE_DEVICES\""});
    REQUIRE(eventually([&] { return host_has(f, "alpha", "~/runner_waiting"); }, 30000ms));

    // Meanwhile a placement takes GPU 0 (the probe is not held).
    int64_t placed = f.run({"--pool", "gpu", "--gpus", "1", after_go("echo \"p=$CUDA_VISIBLE_DEVICES\"")});
    REQUIRE(f.await_status(placed, "running"));
    CHECK(f.show(placed)["gpu_alloc"].str() == "0");
    f.on_host("alpha", "touch ~/runner_go");

    // The runner checks again under the GPU lock: GPU 0 is the placed job's.
    std::string qdir = f.job_dir_of(queued);
    CHECK(eventually([&] {
        return f.on_host("alpha", "cat " + qdir + "/why 2>/dev/null || true") == "waiting for 1 free GPUs (0 free)\n";
    }, 30000ms));
    CHECK_FALSE(host_has(f, "alpha", qdir + "/gpu_alloc"));
    CHECK(f.status_of(placed) == "running");

    // The placed job ends; the queue job gets the GPU.
    f.on_host("alpha", "touch ~/go");
    CHECK(f.await_end(placed)["status"].str() == "completed");
    Json q = f.await_end(queued);
    CHECK(q["status"].str() == "completed");
    CHECK(f.rj.batch({"log", id_s(queued)}).out == "q=0\n");
    CHECK(f.rj.batch({"log", id_s(placed)}).out == "p=0\n");
}
