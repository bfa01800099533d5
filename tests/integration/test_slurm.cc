// SLURM clusters as hosts (issue 12), end to end: the real rj binary, a real
// sshd host whose user submits to a real single-node SLURM (slurmctld,
// slurmd and munged of Debian's slurm-wlm/munge, tests/harness/slurm-cluster).
// SLURM's own view (scontrol as root) is checked beside rj's, so a job rj
// ran some other way, or SLURM states rj misread, fail these tests.
#include "config.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <sstream>

#include "harness/slurm_cluster.h"
#include "integration/rj_runner.h"
#include "precondition.h"
#include "tui/tui_session.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

// One cluster, one test host "alpha" whose sessions find it (SLURM_CONF),
// and rj's config marking alpha as the cluster's login node.
struct Cluster {
    // `setenv`: more NAME=VALUE for the host's sessions.
    explicit Cluster(const std::string& host_config = "", const std::string& setenv = "")
        : hosts({"alpha"}, TestHosts::Mode::OwnUsers, slurm.available() ? slurm.setenv() + (setenv.empty() ? "" : " " + setenv) : ""), f(hosts) {
        std::filesystem::create_directories(hosts.home() + "/.config/rj");
        std::ofstream(hosts.home() + "/.config/rj/config") << "[host alpha]\nscheduler = slurm\n" << host_config;
    }
    bool ready() {
        return precondition(slurm.available(), "a SLURM cluster (" + slurm.why() + ")");
    }
    // SLURM's own word on a job: "JobState=COMPLETED ... ExitCode=0:0".
    std::string scontrol(const std::string& slurm_id) {
        std::string out;
        slurm.client("scontrol -o show job " + slurm_id, &out);
        return out;
    }
    std::string diag() { return "--- SLURM logs ---\n" + slurm.log_tails(); }

    SlurmCluster slurm;
    TestHosts hosts;
    JobsFixture f;
};

// `rj -b run ARGS`: exit 0, the id on stdout, and stderr naming the SLURM id.
int64_t submit(Cluster& c, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"run", "-C", "~"};
    all.insert(all.end(), args.begin(), args.end());
    RjResult r = c.f.rj.batch(all);
    INFO(r.describe() << c.diag());
    REQUIRE(r.status == 0);
    REQUIRE(contains(r.err, "is SLURM job "));
    return std::stoll(r.out);
}

bool await_state(Cluster& c, const std::string& slurm_id, const std::string& state, Millis timeout = 30000ms) {
    return eventually([&] { return contains(c.scontrol(slurm_id), "JobState=" + state); }, timeout, 300ms);
}

// Waits until job `id` is `running` in rj (syncing).
bool await_running(Cluster& c, int64_t id, Millis timeout = 30000ms) { return c.f.await_status(id, "running", timeout); }

}  // namespace

TEST_CASE("a job on a SLURM cluster runs through sbatch and completes with its exit code and output", "[slurm]") {
    Cluster c;
    if (!c.ready()) return;
    c.f.on_host("alpha", "mkdir -p ~/proj");
    RjResult r = c.f.rj.batch({"run", "-C", "~/proj", "alpha", "echo hello from $SLURM_JOB_ID in $(pwd); exit 0"});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    int64_t ok = std::stoll(r.out);
    int64_t bad = submit(c, {"-e", "WHY=it-failed", "alpha", "echo \"$WHY\" >&2; exit 3"});

    Json j = c.f.await_end(ok, 60000ms);
    INFO(c.diag());
    CHECK(j["status"].str() == "completed");
    CHECK(j["exit_code"].integer() == 0);
    std::string sid = j["slurm_id"].str();
    REQUIRE(!sid.empty());
    // SLURM ran it (not tmux): the job saw its own SLURM id, SLURM says so.
    RjResult log = c.f.rj.batch({"log", id_s(ok)});
    std::string home = c.f.on_host("alpha", "printf %s ~");
    CHECK(contains(log.out, "hello from " + sid + " in " + home + "/proj"));
    CHECK(contains(c.scontrol(sid), "JobState=COMPLETED"));
    CHECK(contains(c.scontrol(sid), "WorkDir=" + home + "/proj"));  // -C is SLURM's --chdir
    CHECK(c.f.sessions("alpha").empty());
    // Timing and CPU time come from the wrapper inside the batch job.
    CHECK(!j["started_at"].is_null());
    CHECK(!j["ended_at"].is_null());
    CHECK(!j["cpu_user_s"].is_null());
    // show names both ids.
    RjResult show = c.f.rj.batch({"show", id_s(ok)});
    CHECK(contains(show.out, "slurm job:"));
    CHECK(contains(show.out, sid + " (rj job " + id_s(ok) + ")"));

    Json b = c.f.await_end(bad, 60000ms);
    CHECK(b["status"].str() == "failed");
    CHECK(b["exit_code"].integer() == 3);
    CHECK(contains(c.f.rj.batch({"log", id_s(bad)}).out, "it-failed"));
    CHECK(contains(c.scontrol(b["slurm_id"].str()), "JobState=FAILED"));
}

TEST_CASE("a submission SLURM rejects gets SLURM's message and leaves no job behind", "[slurm]") {
    Cluster c("partition = nosuchpartition\n");
    if (!c.ready()) return;
    RjResult r = c.f.rj.batch({"run", "-C", "~", "alpha", "true"});
    INFO(r.describe());
    CHECK(r.status == 1);
    CHECK(error_form_problem(r.err).empty());
    CHECK(contains(r.err, "sbatch refused the job"));
    CHECK(contains(r.err, "nvalid partition"));  // SLURM's own words
    CHECK(c.f.list().empty());
    CHECK(c.f.job_dirs("alpha").empty());
}

TEST_CASE("--gpus reaches SLURM as --gres=gpu:N (this cluster has none: SLURM's refusal says so)", "[slurm]") {
    Cluster c;
    if (!c.ready()) return;
    RjResult r = c.f.rj.batch({"run", "-C", "~", "--gpus", "2", "alpha", "nvidia-smi"});
    INFO(r.describe());
    CHECK(r.status == 1);
    CHECK(contains(r.err, "Invalid generic resource (gres) specification"));
    CHECK(c.f.list().empty());
}

TEST_CASE("--require cpu:N,mem:M reaches SLURM as --cpus-per-task and --mem; a load condition is refused", "[slurm]") {
    Cluster c;
    if (!c.ready()) return;
    RjResult r = c.f.rj.batch({"run", "-C", "~", "--require", "cpu:1,mem:64M", "alpha", "echo cpus=$SLURM_CPUS_PER_TASK"});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    int64_t id = std::stoll(r.out);
    Json j = c.f.await_end(id, 60000ms);
    INFO(c.diag());
    CHECK(j["status"].str() == "completed");
    std::string info = c.scontrol(j["slurm_id"].str());
    CHECK(contains(info, "MinMemoryNode=64M"));
    CHECK(contains(c.f.rj.batch({"log", id_s(id)}).out, "cpus=1"));
    RjResult bad = c.f.rj.batch({"run", "-C", "~", "--require", "cpu_below:50", "alpha", "true"});
    CHECK(bad.status == 2);
    CHECK(contains(bad.err, "--require: a SLURM cluster allocates resources"));
}

TEST_CASE("flags without a SLURM meaning are refused before anything is submitted", "[slurm]") {
    Cluster c;
    if (!c.ready()) return;
    for (auto flags : std::vector<std::vector<std::string>>{{"--priority", "5"}, {"--slots", "2"}, {"--queue=gpu"}}) {
        std::vector<std::string> args = {"run", "-C", "~"};
        args.insert(args.end(), flags.begin(), flags.end());
        args.insert(args.end(), {"alpha", "true"});
        RjResult r = c.f.rj.batch(args);
        INFO(r.describe());
        CHECK(r.status == 2);
        CHECK(contains(r.err, "SLURM"));
    }
    CHECK(c.f.list().empty());
    std::string q;
    c.slurm.client("squeue -h", &q);
    CHECK(q.empty());
}

TEST_CASE("rj kill cancels a running and a pending SLURM job; a held job shows SLURM's reason", "[slurm]") {
    Cluster c;
    if (!c.ready()) return;
    int64_t running = submit(c, {"alpha", "sleep 300"});
    int64_t held = submit(c, {"--hold", "alpha", "echo should-never-run"});
    REQUIRE(await_running(c, running, 40000ms));

    // The pending job's SLURM state and reason, in show, pending and the JSON.
    REQUIRE(c.f.await_status(held, "queued"));
    Json h = c.f.show(held);
    CHECK(h["pending_reason"].str() == "PENDING (JobHeldUser)");
    CHECK(h["held"].boolean);
    RjResult pending = c.f.rj.batch({"pending", id_s(held)});
    CHECK(contains(pending.out, "PENDING (JobHeldUser)"));
    CHECK(contains(c.f.rj.batch({"show", id_s(held)}).out, "PENDING (JobHeldUser)"));

    RjResult k = c.f.rj.batch({"kill", id_s(running), id_s(held)});
    INFO(k.describe() << c.diag());
    CHECK(k.status == 0);
    std::string rsid = c.f.show(running)["slurm_id"].str(), hsid = c.f.show(held)["slurm_id"].str();
    CHECK(await_state(c, rsid, "CANCELLED"));
    CHECK(await_state(c, hsid, "CANCELLED"));
    Json r = c.f.await_end(running, 30000ms);
    CHECK(r["status"].str() == "killed");
    Json p = c.f.await_end(held, 30000ms);
    CHECK(p["status"].str() == "killed");
    CHECK(p["started_at"].is_null());
    CHECK(!contains(c.f.rj.batch({"log", id_s(held)}).out, "should-never-run"));
}

TEST_CASE("an afterok chain whose parent fails: the child never runs and shows why", "[slurm]") {
    Cluster c;
    if (!c.ready()) return;
    int64_t parent = submit(c, {"alpha", "sleep 1; exit 1"});
    int64_t child = submit(c, {"--after", id_s(parent), "alpha", "echo child-ran > ~/child"});
    std::string csid = c.f.show(child)["slurm_id"].str();
    CHECK(contains(c.scontrol(csid), "Dependency=afterok:" + c.f.show(parent)["slurm_id"].str()));
    Json p = c.f.await_end(parent, 60000ms);
    CHECK(p["status"].str() == "failed");
    // SLURM keeps the child pending for good; rj shows SLURM's reason.
    bool shown = eventually(
        [&] {
            c.f.rj.batch({"sync"});
            return c.f.show(child)["pending_reason"].str() == "PENDING (DependencyNeverSatisfied)";
        },
        30000ms, 500ms);
    INFO(c.f.show(child)["pending_reason"].str() << c.diag());
    CHECK(shown);
    CHECK(contains(c.f.rj.batch({"pending", id_s(child)}).out, "DependencyNeverSatisfied"));
    CHECK(c.f.status_of(child) == "queued");
    CHECK(c.f.on_host("alpha", "test -e ~/child && echo ran || echo not-run") == "not-run\n");
}

TEST_CASE("an array 1-4%2 on SLURM never runs more than 2 tasks at once and all 4 complete", "[slurm]") {
    Cluster c;
    if (!c.ready()) return;
    std::string body = "echo \"start $RJ_ARRAY_TASK_ID $(date +%s%N)\" >> ~/trace; sleep 2; "
                       "echo \"end $RJ_ARRAY_TASK_ID $(date +%s%N)\" >> ~/trace";
    RjResult r = c.f.rj.batch({"run", "-C", "~", "--array", "1-4%2", "alpha", body});
    INFO(r.describe() << c.diag());
    REQUIRE(r.status == 0);
    int64_t array = std::stoll(r.out);
    Json a = c.f.await_end(array, 90000ms);
    CHECK(a["status"].str() == "completed");
    std::vector<Json> tasks = c.f.list({"--array", id_s(array)});
    REQUIRE(tasks.size() == 4);
    std::set<std::string> sids;
    for (const auto& t : tasks) {
        CHECK(t["status"].str() == "completed");
        sids.insert(t["slurm_id"].str());
    }
    CHECK(sids.size() == 4);
    // Overlap from the tasks' own clocks: starts and ends, one line each.
    std::istringstream in(c.f.on_host("alpha", "cat ~/trace"));
    std::vector<std::pair<long long, int>> edges;
    std::string what;
    int task = 0;
    long long ns = 0;
    std::set<int> started;
    while (in >> what >> task >> ns) {
        edges.emplace_back(ns, what == "start" ? 1 : -1);
        if (what == "start") started.insert(task);
    }
    CHECK(started == std::set<int>{1, 2, 3, 4});
    std::sort(edges.begin(), edges.end());
    int now = 0, most = 0;
    for (auto [t, d] : edges) most = std::max(most, now += d);
    CHECK(most <= 2);
    CHECK(most == 2);  // the limit is SLURM's, and it lets two run
}

TEST_CASE("--timeout becomes a SLURM time limit that SLURM enforces and rj records as a timeout", "[slurm]") {
    Cluster c;
    if (!c.ready()) return;
    int64_t id = submit(c, {"--timeout", "5s", "alpha", "echo started; sleep 600"});
    std::string sid = c.f.show(id)["slurm_id"].str();
    CHECK(contains(c.scontrol(sid), "TimeLimit=00:01:00"));  // SLURM's minutes, rounded up
    // SLURM checks limits about every 30 s: the end comes 60-100 s after the start.
    Json j = c.f.await_end(id, 150000ms);
    INFO(c.diag());
    CHECK(j["status"].str() == "timeout");
    CHECK(contains(c.scontrol(sid), "JobState=TIMEOUT"));
    CHECK(contains(c.f.rj.batch({"log", id_s(id)}).out, "SLURM time limit"));
}

TEST_CASE("slurmctld stopped while jobs run: reported, jobs not marked dead, collected when it is back", "[slurm]") {
    Cluster c;
    if (!c.ready()) return;
    // Long enough to outlive a sync against the stopped controller (squeue
    // gives up after about 8 s).
    int64_t first = submit(c, {"alpha", "sleep 20; exit 4"});
    // Runs only once SLURM has seen the first end: with the controller back.
    int64_t second = submit(c, {"--after-any", id_s(first), "alpha", "echo second-ran"});
    REQUIRE(await_running(c, first, 40000ms));
    c.slurm.stop_controller();
    RjResult s = c.f.rj.batch({"sync"});
    INFO(s.describe() << c.diag());
    CHECK(s.status == 0);  // as for an unreachable host: reported, not fatal
    CHECK(contains(s.err, "SLURM on alpha did not answer"));
    CHECK(contains(s.err, "Unable to contact slurm controller"));  // SLURM's own words
    CHECK(c.f.status_of(first) == "running");
    CHECK(c.f.status_of(second) == "queued");
    // The first job ends with the controller down: its wrapper's record in
    // the job's files is enough for rj, and nothing is marked dead.
    Json j = c.f.await_end(first, 40000ms);
    CHECK(j["status"].str() == "failed");
    CHECK(j["exit_code"].integer() == 4);
    c.f.rj.batch({"sync"});
    CHECK(c.f.status_of(second) == "queued");
    c.slurm.start_controller();
    Json k = c.f.await_end(second, 90000ms);
    CHECK(k["status"].str() == "completed");
    CHECK(contains(c.f.rj.batch({"log", id_s(second)}).out, "second-ran"));
}

TEST_CASE("the test cluster stops every daemon, step and job at scope end", "[slurm]") {
    std::string dir;
    {
        SlurmCluster slurm;
        if (!precondition(slurm.available(), "a SLURM cluster (" + slurm.why() + ")")) return;
        dir = slurm.dir();
        std::string out;
        // A job that would outlive the test by far, started by root straight through sbatch.
        REQUIRE(slurm.client("sbatch --parsable -o /dev/null --chdir=/tmp --wrap 'sleep 613'", &out) == 0);
        std::string sid = out.substr(0, out.find_first_of(";\n"));
        REQUIRE(eventually([&] { slurm.client("squeue -h -j " + sid + " -o %T", &out); return out == "RUNNING\n"; }, 30000ms));
        CHECK_FALSE(slurm.all_stopped());
    }
    std::string left;
    int status = run_shell(shell_quote(SlurmCluster::script()) + " check " + shell_quote(dir) + " 2>&1", &left);
    INFO(left);
    CHECK(status == 0);
    // The job's own process is gone too (by its unusual command line).
    run_shell("pgrep -x -f 'sleep 613'", &left);
    INFO("left: " << left);
    CHECK(left.empty());
    CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("hold, release and update of a waiting SLURM job go through scontrol", "[slurm]") {
    Cluster c;
    if (!c.ready()) return;
    int64_t id = submit(c, {"--hold", "alpha", "echo \"released with $GREETING\""});
    std::string sid = c.f.show(id)["slurm_id"].str();
    REQUIRE(await_state(c, sid, "PENDING"));
    // host info is sinfo's summary: the partition, its node, the user's jobs.
    RjResult info = c.f.rj.batch({"host", "info", "alpha"});
    INFO(info.describe());
    CHECK(info.status == 0);
    CHECK(contains(info.out, "your jobs: 0 running, 1 pending"));
    CHECK(contains(info.out, "partition debug*: up, 1 node(s) (0 allocated, 1 idle), CPUs A/I/O/T 0/"));
    RjResult u = c.f.rj.batch({"update", id_s(id), "--timeout", "2m", "-e", "GREETING=hello"});
    INFO(u.describe() << c.diag());
    CHECK(u.status == 0);
    CHECK(contains(c.scontrol(sid), "TimeLimit=00:02:00"));
    CHECK(c.f.show(id)["timeout_s"].integer() == 120);
    RjResult now = c.f.rj.batch({"start-now", id_s(id)});
    CHECK(now.status == 2);
    CHECK(contains(now.err, "SLURM decides when it starts"));
    RjResult q = c.f.rj.batch({"queue", "start", "alpha"});
    CHECK(q.status == 2);
    CHECK(contains(q.err, "SLURM cluster"));
    RjResult r = c.f.rj.batch({"release", id_s(id)});
    CHECK(r.status == 0);
    CHECK(contains(r.out + r.err, "scontrol release"));
    Json j = c.f.await_end(id, 60000ms);
    CHECK(j["status"].str() == "completed");
    CHECK(contains(c.f.rj.batch({"log", id_s(id)}).out, "released with hello"));
    // Held again once it has ended: refused, SLURM untouched.
    RjResult h = c.f.rj.batch({"hold", id_s(id)});
    CHECK(h.status != 0);
}

TEST_CASE("the interface shows a cluster with its partitions and the user's running and pending jobs", "[slurm][tui]") {
    Cluster c;
    if (!c.ready()) return;
    int64_t held = submit(c, {"--hold", "alpha", "true"});
    int64_t running = submit(c, {"alpha", "sleep 120"});
    REQUIRE(await_running(c, running, 40000ms));
    TuiSession ui(c.hosts, "", 120, 32, "RJ_DB=" + shell_quote(c.f.rj.db()));
    // Hosts pane: the cluster, its partition, 1 running and 1 pending.
    bool shown = ui.wait_for("SLURM 1R 1PD", 30);
    INFO(ui.last_screen());
    CHECK(shown);
    // Queues pane: the partition as the cluster's queue, with the user's
    // pending and running jobs there out of its 8 CPUs.
    CHECK(contains(ui.screen(), "debug*            1 1/8"));
    // The selected job (the running one, the newest) has no tmux session to attach to.
    ui.keys("a");
    bool said = ui.wait_for("runs on a compute node", 10);
    INFO(ui.last_screen());
    CHECK(said);
    c.f.rj.batch({"kill", id_s(held), id_s(running)});
    CHECK(ui.quit() == 0);
}

TEST_CASE("a login node without sbatch gets a clear message and no half-recorded job", "[slurm]") {
    // The host's PATH holds every command of /usr/bin but SLURM's (/bin is /usr/bin here).
    std::string nobin = "/tmp/rj-slurm-nobin-" + std::to_string(getpid());
    REQUIRE(run_shell("rm -rf " + nobin + " && mkdir -m 755 " + nobin + " && for f in /usr/bin/*; do case ${f##*/} in "
                      "sbatch|squeue|scancel|scontrol|sinfo|sacct|srun|salloc|sstat|sprio|sshare) ;; "
                      "*) ln -s \"$f\" " + nobin + "/ ;; esac; done") == 0);
    {
        Cluster c("", "PATH=" + nobin);
        if (!c.ready()) return;
        REQUIRE(c.f.on_host("alpha", "command -v sbatch || echo none") == "none\n");
        RjResult r = c.f.rj.batch({"run", "-C", "~", "alpha", "true"});
        INFO(r.describe());
        CHECK(r.status == 1);
        CHECK(error_form_problem(r.err).empty());
        CHECK(contains(r.err, "sbatch not found on this host"));
        CHECK(c.f.list().empty());
        CHECK(c.f.job_dirs("alpha").empty());
    }
    run_shell("rm -rf " + nobin);
}
