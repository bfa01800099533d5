// Per-host queues end to end: the real rj binary, real sshd hosts, the
// runner in real tmux. Jobs record their own start and end (nanoseconds, on
// the host) in a shared file, so concurrency is measured, not guessed from
// second-resolution timestamps.
#include "config.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "integration/rj_runner.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

// A job body that appends "start TAG NS" and "end TAG NS" to ~/trace and
// runs `middle` in between.
std::string traced(const std::string& tag, const std::string& middle) {
    return "echo \"start " + tag + " $(date +%s%N)\" >> ~/trace; " + middle + "; rc=$?; echo \"end " + tag +
           " $(date +%s%N)\" >> ~/trace; exit $rc";
}

// Waits (on the host) until the file ~/go exists.
const char* kWaitForGo = "while [ ! -f ~/go ]; do sleep 0.1; done";

struct Span {
    long long start = 0, end = 0;
};

// Spans per tag from ~/trace; REQUIREs well-formed lines.
std::map<std::string, std::vector<Span>> read_trace(JobsFixture& f, const std::string& host) {
    std::string text = f.on_host(host, "cat ~/trace 2>/dev/null || true");
    std::map<std::string, std::vector<Span>> spans;
    std::map<std::string, long long> open;
    std::istringstream in(text);
    std::string what, tag;
    long long ns = 0;
    while (in >> what >> tag >> ns) {
        if (what == "start") {
            open[tag] = ns;
        } else {
            REQUIRE(open.count(tag));
            spans[tag].push_back({open[tag], ns});
            open.erase(tag);
        }
    }
    return spans;
}

// The most spans that overlap at one moment.
int max_overlap(const std::map<std::string, std::vector<Span>>& spans) {
    std::vector<std::pair<long long, int>> edges;
    for (const auto& [tag, list] : spans)
        for (const auto& s : list) {
            edges.emplace_back(s.start, +1);
            edges.emplace_back(s.end, -1);
        }
    std::sort(edges.begin(), edges.end(), [](auto a, auto b) { return a.first != b.first ? a.first < b.first : a.second < b.second; });
    int now = 0, most = 0;
    for (auto [t, d] : edges) {
        now += d;
        most = std::max(most, now);
    }
    return most;
}

// What the host's queues look like, for failure messages: runner logs,
// queue entries, tmux sessions and the host user's processes.
std::string queue_diag(JobsFixture& f, const std::string& host) {
    return f.on_host(host,
                     "for q in ~/.cache/rj/*/*/queues/*; do echo \"== $q\"; ls $q/wait $q/run $q/lock 2>&1 | tr '\\n' ' '; "
                     "echo; tail -n 20 $q/runner.log; tail -n 60 $q/trace 2>/dev/null; for r in $q/run/*; do [ -e $r ] || continue; "
                     "j=$q/../../jobs/${r##*/}; echo \"== job ${r##*/}\"; ls $j | tr '\\n' ' '; echo; "
                     "head -c 600 $j/log; cat $j/exit 2>/dev/null; done; done; echo '== tmux'; tmux ls 2>&1; echo '== ps'; "
                     "ps -u $(id -u) -o pid,ppid,stat,args | cut -c1-160",
                     true);
}

// `rj -b pending ID` line's reason.
std::string pending_of(JobsFixture& f, int64_t id) {
    RjResult r = f.rj.batch({"pending", id_s(id)});
    INFO(r.describe());
    return r.out;
}

// Waits until `pending ID` contains `text` (the runner writes reasons once a second).
bool await_pending(JobsFixture& f, int64_t id, const std::string& text, Millis timeout = 20000ms) {
    return eventually([&] { return contains(pending_of(f, id), text); }, timeout, 300ms);
}

// A stand-in for nvidia-smi in the host user's ~/bin (rj puts it on the PATH
// of its remote scripts): two idle GPUs, in the CSV format of the real one.
const char* kFakeNvidiaSmi = R"SH(#!/bin/sh
query= format= apps=
for a in "$@"; do
  case $a in
    --query-gpu=*) query=${a#*=} ;;
    --query-compute-apps=*) apps=${a#*=} ;;
    --format=*) format=${a#*=} ;;
    *) echo "fake nvidia-smi: unsupported argument $a" >&2; exit 2 ;;
  esac
done
case ",$format," in *,csv,*) ;; *) echo 'fake nvidia-smi: needs --format=csv' >&2; exit 2 ;; esac
# No compute processes: the real one prints nothing with noheader.
if [ -n "$apps" ]; then exit 0; fi
field() {
  case $1 in
    index) echo "$2" ;;
    uuid) echo "GPU-0000000$2-aaaa-bbbb-cccc-dddddddddddd" ;;
    name) echo "NVIDIA A100-SXM4-80GB" ;;
    utilization.gpu) echo 0 ;;
    memory.used) echo 3 ;;
    memory.total) echo 81920 ;;
    *) echo "Field \"$1\" is not a valid field to query." >&2; return 1 ;;
  esac
}
for g in 0 1; do
  line= sep=
  for q in $(echo "$query" | tr ',' ' '); do
    v=$(field "$q" "$g") || exit 2
    line="$line$sep$v"; sep=', '
  done
  echo "$line"
done
)SH";

void install_fake_gpus(JobsFixture& f, const std::string& host) {
    f.on_host(host, std::string("mkdir -p ~/bin && cat > ~/bin/nvidia-smi <<'EOF'\n") + kFakeNvidiaSmi +
                        "EOF\nchmod +x ~/bin/nvidia-smi");
}

}  // namespace

TEST_CASE("a queue with two slots runs two jobs at once and never three", "[queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);

    // All queued before the runner starts, so that it has more than two to
    // choose from at every moment.
    std::vector<int64_t> ids;
    ids.push_back(f.run({"--queue", "--no-start", "--slots", "2", "alpha", traced("j0", "sleep 2")}));
    for (int i = 1; i < 6; ++i)
        ids.push_back(f.run({"--queue", "--no-start", "alpha", traced("j" + std::to_string(i), "sleep 2")}));
    RjResult start = f.rj.batch({"queue", "start", "alpha"});
    REQUIRE(start.status == 0);
    for (int64_t id : ids) {
        Json j = f.await_end(id, 60000ms);
        INFO("job " << id << ": " << j["status"].str() << " " << j["error"].str());
        CHECK(j["status"].str() == "completed");
        CHECK(j["queue"].str() == "default");
    }
    auto spans = read_trace(f, "alpha");
    CHECK(spans.size() == 6);
    for (const auto& [tag, list] : spans) CHECK(list.size() == 1);
    CHECK(max_overlap(spans) == 2);

    RjResult st = f.rj.batch({"queue", "status", "alpha"});
    INFO(st.describe());
    CHECK(st.status == 0);
    CHECK(starts_with(st.out, "default\trunning\trunning=0\tslots=2\twaiting=0\theld=0"));
}

TEST_CASE("higher priority starts first, FIFO within a priority", "[queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    // Held by a blocker in the only slot while the rest queue up.
    int64_t blocker = f.run({"--queue", "alpha", kWaitForGo});
    f.on_host("alpha", "for d in ~/.cache/rj/*/*/queues/default; do touch $d/debug; done");
    REQUIRE(f.await_status(blocker, "running"));
    int64_t low = f.run({"--queue", "alpha", "echo low >> ~/order"});
    int64_t hi1 = f.run({"--queue", "--priority", "5", "alpha", "echo hi1 >> ~/order"});
    int64_t hi2 = f.run({"--queue", "--priority", "5", "alpha", "echo hi2 >> ~/order"});
    f.on_host("alpha", "touch ~/go");
    for (int64_t id : {low, hi1, hi2}) {
        std::string st = f.await_end(id, 30000ms)["status"].str();
        INFO(queue_diag(f, "alpha"));
        CHECK(st == "completed");
    }
    CHECK(f.on_host("alpha", "cat ~/order") == "hi1\nhi2\nlow\n");
    CHECK(f.show(hi1)["priority"].integer() == 5);
}

TEST_CASE("--gpus 1 jobs on a two-GPU host get distinct CUDA_VISIBLE_DEVICES and a third waits", "[queue]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha");

    std::string body = "echo \"gpu=$CUDA_VISIBLE_DEVICES\"; " + std::string(kWaitForGo);
    int64_t a = f.run({"--queue", "--slots", "3", "--gpus", "1", "alpha", body});
    int64_t b = f.run({"--queue", "--gpus", "1", "alpha", body});
    REQUIRE(f.await_status(a, "running"));
    REQUIRE(f.await_status(b, "running"));
    int64_t c = f.run({"--queue", "--gpus", "1", "alpha", body});
    CHECK(await_pending(f, c, "waiting for 1 free GPUs (0 free)"));
    CHECK(f.status_of(c) == "queued");

    f.on_host("alpha", "touch ~/go");
    std::set<std::string> first_two;
    for (int64_t id : {a, b}) {
        Json j = f.await_end(id);
        CHECK(j["status"].str() == "completed");
        RjResult log = f.rj.batch({"log", id_s(id)});
        CHECK((log.out == "gpu=0\n" || log.out == "gpu=1\n"));
        first_two.insert(log.out);
        CHECK(("gpu=" + j["gpu_alloc"].str() + "\n") == log.out);
    }
    CHECK(first_two.size() == 2);
    Json jc = f.await_end(c);
    CHECK(jc["status"].str() == "completed");
    RjResult lc = f.rj.batch({"log", id_s(c)});
    CHECK((lc.out == "gpu=0\n" || lc.out == "gpu=1\n"));

    // A host without nvidia-smi refuses --gpus at submit time, clearly.
    RjResult no = f.rj.batch({"run", "--gpus", "1", "beta", "true"});
    INFO(no.describe());
    CHECK(no.status == 1);
    CHECK(contains(no.err, "nvidia-smi"));
    CHECK(error_form_problem(no.err).empty());
    CHECK(f.list({"--host", "beta"}).empty());
}

TEST_CASE("an --after chain whose parent fails cancels the child with the reason, never runs it", "[queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);

    // The parent fails only once the test has seen the child wait for it: a
    // fixed sleep ended before that check on a loaded machine (CI ran 3 test
    // processes at once beside the sanitized build).
    int64_t parent = f.run({"--queue", "alpha", std::string(kWaitForGo) + "; exit 4"});
    int64_t child = f.run({"--queue", "--after", id_s(parent), "alpha", "touch ~/child-ran"});
    int64_t grandchild = f.run({"--queue", "--after", id_s(child), "alpha", "touch ~/grandchild-ran"});
    int64_t on_fail = f.run({"--queue", "--after-fail", id_s(parent), "alpha", "echo cleanup"});
    int64_t any = f.run({"--queue", "--after-any", id_s(parent), "alpha", "echo anyway"});
    CHECK(await_pending(f, child, "waiting for job " + id_s(parent)));
    f.on_host("alpha", "touch ~/go");

    CHECK(f.await_end(parent)["status"].str() == "failed");
    Json c = f.await_end(child);
    CHECK(c["status"].str() == "cancelled");
    CHECK(contains(c["error"].str(), "job " + id_s(parent) + " did not succeed"));
    CHECK(c["started_at"].is_null());
    Json g = f.await_end(grandchild);
    CHECK(g["status"].str() == "cancelled");
    CHECK(f.await_end(on_fail)["status"].str() == "completed");
    CHECK(f.await_end(any)["status"].str() == "completed");
    CHECK(f.on_host("alpha", "ls ~/child-ran ~/grandchild-ran 2>/dev/null || true").empty());

    RjResult s = f.rj.batch({"show", id_s(child)});
    CHECK(contains(s.out, "cancelled"));

    // A dependency on a job rj does not know is refused before anything is queued.
    RjResult bad = f.rj.batch({"run", "--after", "999", "alpha", "true"});
    CHECK(bad.status == 2);
    CHECK(contains(bad.err, "--after: there is no job 999"));
    // The flag is the CLI's word for the input the engine complains about.
    RjResult bad_array = f.rj.batch({"run", "--array", "1-x", "alpha", "true"});
    CHECK(bad_array.status == 2);
    CHECK(contains(bad_array.err, "rj: --array: 1-x: 'x' is not a task number"));
}

TEST_CASE("--array 1-6%2 runs every task once, never more than 2 at a time; show and status work on the array", "[queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);

    int64_t arr = f.run({"--queue", "--slots", "4", "--array", "1-6%2", "alpha",
                         traced("t$RJ_ARRAY_TASK_ID", "echo \"task $TASK_ID\"; sleep 1")});
    Json a = f.await_end(arr, 60000ms);
    CHECK(a["status"].str() == "completed");
    CHECK(a["array"].str() == "1-6%2");
    auto spans = read_trace(f, "alpha");
    std::set<std::string> tags;
    for (const auto& [tag, list] : spans) {
        tags.insert(tag);
        CHECK(list.size() == 1);
    }
    CHECK(tags == std::set<std::string>{"t1", "t2", "t3", "t4", "t5", "t6"});
    CHECK(max_overlap(spans) <= 2);

    auto tasks = f.list({"--array", id_s(arr)});
    REQUIRE(tasks.size() == 6);
    for (const auto& t : tasks) {
        CHECK(t["array_id"].integer() == arr);
        RjResult log = f.rj.batch({"log", id_s(t["id"].integer())});
        CHECK(log.out == "task " + std::to_string(t["array_task"].integer()) + "\n");
    }
    RjResult show = f.rj.batch({"show", id_s(arr)});
    INFO(show.describe());
    CHECK(contains(show.out, "6 completed"));
    RjResult st = f.rj.batch({"status", id_s(arr)});
    CHECK(st.status == 0);
}

// Issue 30: the runner claims tasks while the kill runs; a claimed task
// whose session was not up yet was recorded `dead` (the array then read
// `failed`). tests/stress/stress-ci kill-claim runs this case in a loop.
TEST_CASE("kill of a queued array at once kills every task, whichever the runner had claimed", "[queue][kill][kill-claim]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);

    // kill ARRAYID kills all; status then says it did not all succeed.
    int64_t arr2 = f.run({"--queue", "--array", "1-3", "alpha", kWaitForGo});
    RjResult k = f.rj.batch({"kill", id_s(arr2)});
    INFO(k.describe());
    CHECK(k.status == 0);
    CHECK(split_lines(k.out).size() == 3);
    CHECK_FALSE(contains(k.out, "dead"));
    Json a2 = f.await_end(arr2);
    CHECK(a2["status"].str() == "killed");
    for (const auto& t : f.list({"--array", id_s(arr2)})) CHECK(t["status"].str() == "killed");
    RjResult w = f.rj.batch({"status", "--wait", id_s(arr2)});
    CHECK(w.status == 1);
}

TEST_CASE("--array 1-6%2 with no other flag runs two tasks at a time in the 1-slot default queue", "[queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);

    // Each task holds on (up to 5 s) until it sees a second task running, or
    // every task started: two at once shows as two overlapping spans, and one
    // at a time (the throttle not honoured) as none.
    std::string partner =
        "i=0; while [ $i -lt 50 ]; do s=$(grep -c '^start' ~/trace); e=$(grep -c '^end' ~/trace); "
        "[ $((s - e)) -ge 2 ] && break; [ $s -ge 6 ] && break; sleep 0.1; i=$((i + 1)); done";
    int64_t arr = f.run({"--array", "1-6%2", "alpha", traced("t$TASK_ID", partner)});
    Json a = f.await_end(arr, 90000ms);
    INFO(queue_diag(f, "alpha"));
    CHECK(a["status"].str() == "completed");
    auto spans = read_trace(f, "alpha");
    CHECK(spans.size() == 6);
    CHECK(max_overlap(spans) == 2);
    RjResult q = f.rj.batch({"queue", "list", "alpha"});
    INFO(q.describe());
    CHECK(contains(q.out, "slots=1"));  // the queue's own slots were left alone
}

TEST_CASE("cleanup --older-than 1s keeps a held job waiting in its queue, and takes an ended job's files, queue entry and GPU claim", "[queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha");

    // A job given a GPU by queue gq's runner; the runner is gone (its tmux
    // session closed) by the time the job ends, so the job's queue entry, which
    // is also its GPU claim for every runner and placement, is left behind.
    int64_t gpu = f.run({"--queue=gq", "--gpus", "1", "alpha", kWaitForGo});
    REQUIRE(f.await_status(gpu, "running"));
    f.on_host("alpha", "for s in $(tmux ls -F '#{session_name}' | grep -e '-queue-gq$'); do tmux kill-session -t \"$s\"; done");
    int64_t held = f.run({"--queue", "--hold", "alpha", "touch ~/held-ran"});
    REQUIRE(await_pending(f, held, "held"));
    f.on_host("alpha", "touch ~/go");
    REQUIRE(f.await_end(gpu)["status"].str() == "completed");
    std::string dir = f.job_dir_of(gpu);
    std::string rj_dir = dir.substr(0, dir.rfind("/jobs/"));
    std::string held_dir = f.job_dir_of(held);
    INFO(queue_diag(f, "alpha"));
    REQUIRE(f.on_host("alpha", "ls " + rj_dir + "/queues/gq/run") == id_s(gpu) + "\n");
    REQUIRE(f.on_host("alpha", "cat " + dir + "/gpu_alloc") == "0\n");

    // Each run must keep the held job; the ended one goes once it ended a second ago.
    bool removed = eventually([&] {
        RjResult c = f.rj.batch({"cleanup", "alpha", "--older-than", "1s"});
        INFO(c.describe());
        REQUIRE(c.status == 0);
        CHECK_FALSE(contains(c.out, "job " + id_s(held) + " "));
        CHECK(f.on_host("alpha", "ls " + rj_dir + "/queues/default/wait") == id_s(held) + "\n");
        CHECK(f.on_host("alpha", "test -f " + held_dir + "/held && echo held") == "held\n");
        return contains(c.out, "removed job " + id_s(gpu) + " (ended)");
    }, 15000ms, 300ms);
    CHECK(removed);
    CHECK(f.on_host("alpha", "test -d " + dir + " && echo there || echo gone") == "gone\n");
    CHECK(f.on_host("alpha", "ls " + rj_dir + "/queues/gq/run").empty());

    // The held job is still queued and held here too, and runs once released.
    REQUIRE(f.rj.batch({"sync"}).status == 0);
    CHECK(f.status_of(held) == "queued");
    CHECK(contains(pending_of(f, held), "held"));
    RjResult rel = f.rj.batch({"release", id_s(held)});
    INFO(rel.describe());
    CHECK(rel.status == 0);
    CHECK(f.await_end(held)["status"].str() == "completed");
    CHECK(f.on_host("alpha", "test -f ~/held-ran && echo ran") == "ran\n");
}

TEST_CASE("hold, release, update, move and start-now change a waiting job and are refused once it started", "[queue]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);

    int64_t blocker = f.run({"--queue", "alpha", kWaitForGo});
    REQUIRE(f.await_status(blocker, "running"));
    int64_t held = f.run({"--queue", "alpha", "echo held-ran"});
    int64_t edited = f.run({"--queue", "alpha", "echo before"});
    int64_t moved = f.run({"--queue", "alpha", "echo moved-ran; hostname >/dev/null"});
    int64_t urgent = f.run({"--queue", "alpha", "echo urgent"});

    RjResult h = f.rj.batch({"hold", id_s(held)});
    INFO(h.describe());
    CHECK(h.status == 0);
    CHECK(await_pending(f, held, "held"));

    RjResult u = f.rj.batch({"update", id_s(edited), "--command", "echo \"after $WHO\"", "-e", "WHO=edited", "--priority", "3"});
    INFO(u.describe());
    CHECK(u.status == 0);
    CHECK(f.show(edited)["command"].str() == "echo \"after $WHO\"");

    RjResult m = f.rj.batch({"move", id_s(moved), "beta"});
    INFO(m.describe());
    CHECK(m.status == 0);
    CHECK(f.show(moved)["host"].str() == "beta");
    Json mj = f.await_end(moved);
    CHECK(mj["status"].str() == "completed");
    CHECK(f.rj.batch({"log", id_s(moved)}).out == "moved-ran\n");

    // start-now: past the busy slot.
    RjResult sn = f.rj.batch({"start-now", id_s(urgent)});
    INFO(sn.describe());
    CHECK(sn.status == 0);
    CHECK(f.await_end(urgent)["status"].str() == "completed");
    CHECK(f.status_of(blocker) == "running");

    // Refused for a job that has started (and for a plain job).
    RjResult late = f.rj.batch({"hold", id_s(blocker)});
    CHECK(late.status == 1);
    CHECK(contains(late.err, "has started"));
    RjResult late_u = f.rj.batch({"update", id_s(urgent), "--priority", "1"});
    CHECK(late_u.status == 1);
    CHECK(contains(late_u.err, "ended"));

    f.on_host("alpha", "touch ~/go");
    CHECK(f.await_end(edited)["status"].str() == "completed");
    CHECK(f.rj.batch({"log", id_s(edited)}).out == "after edited\n");
    // Still held after the slot freed; release lets it run.
    CHECK(await_pending(f, held, "held"));
    CHECK(f.status_of(held) == "queued");
    RjResult r = f.rj.batch({"release", id_s(held)});
    CHECK(r.status == 0);
    CHECK(f.await_end(held)["status"].str() == "completed");
}

TEST_CASE("two runners started at once for one queue run each job once", "[queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);

    std::vector<int64_t> ids;
    for (int i = 0; i < 8; ++i)
        ids.push_back(f.run({"--queue", "--no-start", "--slots", "3", "alpha", "echo " + std::to_string(i) + " >> ~/ran"}));
    RjResult st = f.rj.batch({"queue", "status", "alpha"});
    CHECK(starts_with(st.out, "default\tstopped\trunning=0\tslots=3\twaiting=8"));

    // Two `queue start` at once, and two runner processes started by hand
    // outside tmux at the same moment.
    std::string dir = f.job_dir_of(ids[0]);
    std::string rjdir = dir.substr(0, dir.rfind("/jobs/"));
    std::string prefix = f.session_of(ids[0]);
    prefix = prefix.substr(0, prefix.size() - id_s(ids[0]).size());
    auto both = f.rj.batch_all({{"queue", "start", "alpha"}, {"queue", "start", "alpha"}}, 2);
    for (const auto& r : both) CHECK(r.status == 0);
    f.on_host("alpha", "cd " + rjdir + " && for i in 1 2; do (sh bin/runner-*.sh default " + prefix +
                           " </dev/null >/dev/null 2>&1 &); done");
    for (int64_t id : ids) CHECK(f.await_end(id)["status"].str() == "completed");
    std::string ran = f.on_host("alpha", "sort ~/ran");
    CHECK(ran == "0\n1\n2\n3\n4\n5\n6\n7\n");
    // One runner is left: the others saw its lock and exited.
    std::string runners = f.on_host("alpha", "ps -u $(id -u) -o args | grep '^/bin/sh bin/[r]unner-\\|^sh bin/[r]unner-' || true");
    INFO(runners);
    CHECK(split_lines(runners).size() == 1);
}

TEST_CASE("the runner works through the queue while no rj process runs; one sync collects everything", "[queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);

    std::vector<int64_t> ids;
    ids.push_back(f.run({"--queue", "--slots", "2", "alpha", "sleep 1; echo a"}));
    ids.push_back(f.run({"--queue", "alpha", "sleep 1; exit 3"}));
    ids.push_back(f.run({"--queue", "--after", id_s(ids[0]), "alpha", "echo after-a"}));
    ids.push_back(f.run({"--queue", "--after", id_s(ids[1]), "alpha", "echo never"}));
    ids.push_back(f.run({"--queue", "alpha", "sleep 2; echo last"}));
    // Every rj process has exited (batch() waits for each). Wait on the host
    // alone until all five have an end record.
    std::string dir = f.job_dir_of(ids[0]);
    std::string jobs = dir.substr(0, dir.rfind('/'));
    std::string check = "n=0; for i in";
    for (int64_t id : ids) check += " " + id_s(id);
    check += "; do [ -f " + jobs + "/$i/exit ] && n=$((n+1)); done; echo $n";
    bool all_ended = eventually([&] { return f.on_host("alpha", check) == "5\n"; }, 60000ms, 500ms);
    REQUIRE(all_ended);
    for (int64_t id : ids) CHECK(f.status_of(id) == "queued");  // nothing local has changed yet

    RjResult s = f.rj.batch({"sync"});
    INFO(s.describe());
    REQUIRE(s.status == 0);
    std::vector<std::string> want = {"completed", "failed", "completed", "cancelled", "completed"};
    for (size_t i = 0; i < ids.size(); ++i) {
        Json j = f.show(ids[i]);
        INFO("job " << ids[i] << ": " << j["error"].str());
        CHECK(j["status"].str() == want[i]);
    }
}

TEST_CASE("pending says why a queued job waits: job, GPUs, held, stopped queue, busy slots, unreachable host", "[queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    install_fake_gpus(f, "alpha");

    int64_t blocker = f.run({"--queue", "--gpus", "2", "alpha", kWaitForGo});
    REQUIRE(f.await_status(blocker, "running"));
    int64_t slots = f.run({"--queue", "alpha", "true"});
    CHECK(await_pending(f, slots, "all 1 slots of queue default are busy"));
    int64_t dep = f.run({"--queue", "--after", id_s(blocker), "alpha", "true"});
    CHECK(await_pending(f, dep, "waiting for job " + id_s(blocker)));
    int64_t gpus = f.run({"--queue=gpu", "--slots", "2", "--gpus", "1", "alpha", "true"});
    CHECK(await_pending(f, gpus, "waiting for 1 free GPUs (0 free)"));
    int64_t held = f.run({"--queue", "--hold", "alpha", "true"});
    CHECK(contains(pending_of(f, held), "held"));

    RjResult stop = f.rj.batch({"queue", "stop", "alpha", "--queue", "gpu"});
    INFO(stop.describe());
    CHECK(stop.status == 0);
    CHECK(await_pending(f, gpus, "queue gpu is stopped"));

    hosts.stop("alpha");
    RjResult r = f.rj.batch({"pending", id_s(slots)});
    CHECK(contains(r.out, "unreachable"));
    hosts.start("alpha");

    // A job that runs is not pending: exit status 1 and says so.
    RjResult run = f.rj.batch({"pending", id_s(blocker)});
    CHECK(run.status == 1);
    CHECK(contains(run.out, "not waiting"));
    f.on_host("alpha", "touch ~/go");
}

TEST_CASE("--idle-timeout kills a job whose log stops growing and records it as an idle timeout", "[queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t quiet = f.run({"--idle-timeout", "2s", "alpha", "echo hello; sleep 60"});
    int64_t chatty = f.run({"--idle-timeout", "3s", "alpha", "for i in 1 2 3 4 5; do echo $i; sleep 1; done"});
    Json q = f.await_end(quiet, 40000ms);
    CHECK(q["status"].str() == "timeout");
    CHECK(contains(q["error"].str(), "idle-timeout"));
    CHECK(f.await_end(chatty, 40000ms)["status"].str() == "completed");
}

TEST_CASE("log -f --grep follows only the matching lines", "[queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t id = f.run({"alpha", "for i in 1 2 3 4 5 6; do echo line$i; echo other$i; sleep 0.3; done"});
    RjResult r = f.rj.batch({"log", id_s(id), "-f", "--grep", "line[246]"});
    INFO(r.describe());
    CHECK(r.status == 0);
    CHECK(r.out == "line2\nline4\nline6\n");
}
