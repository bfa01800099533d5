// A kill, hold or move that meets a job at the instant its queue runner
// claims it (issue 30). The runner is stopped on purpose at each instant of a
// claim, through its test gate (RJ_TEST_GATE in alpha's sessions, a FIFO the
// runner waits on: src/remote/sh/runner.sh, rj_gate), while the command runs;
// every interleaving must leave the job in a true state: a killed job is
// `killed` and its command never runs, a held one stays held, a moved one
// runs once, on the host it was moved to.
#include "config.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>

#include "integration/rj_runner.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

// The runner's test gate: a world-usable directory (the host user may be
// another Unix user) with the FIFO `gate`; the runner writes where it stands
// to `at` ("pick ID", "claimed ID", "launch ID") and waits for a line.
class Gate {
public:
    Gate() {
        char tmpl[] = "/tmp/rj-gate-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        dir = tmpl;
        ::chmod(dir.c_str(), 0777);
        REQUIRE(::mkfifo(fifo().c_str(), 0666) == 0);
        ::chmod(fifo().c_str(), 0666);
    }
    ~Gate() {
        // A runner left at the gate by a failed check goes on (and stops no more).
        ::unlink(fifo().c_str());
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    Gate(const Gate&) = delete;
    Gate& operator=(const Gate&) = delete;

    std::string at() const {
        std::ifstream in(dir + "/at");
        std::string line;
        std::getline(in, line);
        return line;
    }
    // Waits until the runner stands at `stage` of job `id`.
    bool reached(const std::string& stage, int64_t id) {
        std::string want = stage + " " + id_s(id);
        bool ok = eventually([&] { return at() == want; }, 30000ms, 20ms);
        if (!ok) UNSCOPED_INFO("the runner's gate says '" << at() << "', not '" << want << "'");
        return ok;
    }
    // Lets the runner go on from where it stands.
    bool release() {
        std::filesystem::remove(dir + "/at");
        int fd = -1;
        auto deadline = std::chrono::steady_clock::now() + 30s;
        // A reader must be there (ENXIO until it is): the runner, opening the FIFO.
        while ((fd = ::open(fifo().c_str(), O_WRONLY | O_NONBLOCK)) < 0 && errno == ENXIO &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(10ms);
        if (fd < 0) return false;
        bool ok = ::write(fd, "go\n", 3) == 3;
        ::close(fd);
        return ok;
    }

    // The runner stops no more.
    void close() { ::unlink(fifo().c_str()); }

    std::string dir;

private:
    std::string fifo() const { return dir + "/gate"; }
};

// `touch ~/ran-TAG`: the file says whether the command ever ran.
std::string marks(const std::string& tag) { return "touch ~/ran-" + tag + "; echo " + tag + " ran"; }

bool ran_on(JobsFixture& f, const std::string& host, const std::string& tag) {
    return f.on_host(host, "test -e ~/ran-" + tag + " && echo yes; true") == "yes\n";
}

// Whether rj's `killed` flag of job `id` is on the host yet.
bool flagged(JobsFixture& f, int64_t id) {
    return f.on_host("alpha", "ls ~/.cache/rj/*/*/jobs/" + id_s(id) + "/killed 2>/dev/null; true").find("killed") !=
           std::string::npos;
}

// `rj -b kill ID`, started now; the gate is released once the kill's flag is
// on the host (the kill is then reading facts or waiting for the record).
RjResult kill_released_after_flag(JobsFixture& f, Gate& gate, int64_t id) {
    RjProcess kill = f.rj.spawn({"kill", id_s(id)});
    bool seen = eventually([&] { return flagged(f, id); }, 30000ms, 20ms);
    CHECK(seen);
    CHECK(gate.release());
    return kill.wait(60000ms);
}

// Facts of each interleaving, for a failure message.
std::string diag(JobsFixture& f, int64_t id) {
    return f.on_host("alpha", "for d in ~/.cache/rj/*/*/jobs/" + id_s(id) + "; do ls $d; cat $d/exit; done; "
                              "ls ~/.cache/rj/*/*/queues/default/*; tail -n 5 ~/.cache/rj/*/*/queues/default/runner.log; tmux ls",
                     true);
}

}  // namespace

TEST_CASE("a kill at every instant of a queue runner's claim records killed, and the command never runs", "[queue][kill]") {
    TestHosts hosts({"alpha"});
    Gate gate;
    hosts.setenv("alpha", "RJ_TEST_GATE=" + gate.dir);
    JobsFixture f(hosts);
    std::vector<int64_t> killed;

    // 1. Chosen, not claimed yet: the kill takes it from the queue; the
    //    runner's claim (a rename) then finds nothing.
    {
        int64_t id = f.run({"--queue", "alpha", marks("pick")});
        REQUIRE(gate.reached("pick", id));
        RjResult k = f.rj.batch({"kill", id_s(id)});
        INFO(k.describe() << diag(f, id));
        CHECK(k.status == 0);
        CHECK(contains(k.out, "killed (it was waiting in its queue)"));
        CHECK(gate.release());
        killed.push_back(id);
    }
    // 2. Claimed (moved to run/), the kill comes: the runner then sees the
    //    flag and ends it instead of starting it.
    {
        int64_t id = f.run({"--queue", "alpha", marks("claimed")});
        REQUIRE(gate.reached("pick", id));
        CHECK(gate.release());
        REQUIRE(gate.reached("claimed", id));
        RjResult k = kill_released_after_flag(f, gate, id);
        INFO(k.describe() << diag(f, id));
        CHECK(k.status == 0);
        CHECK(contains(k.out, "killed"));
        CHECK_FALSE(contains(k.out, "dead"));
        killed.push_back(id);
    }
    // 3. About to start its session (the case: the kill found no
    //    session yet): the wrapper starts, reads the flag, records killed.
    {
        int64_t id = f.run({"--queue", "alpha", marks("launch")});
        REQUIRE(gate.reached("pick", id));
        CHECK(gate.release());
        REQUIRE(gate.reached("claimed", id));
        CHECK(gate.release());
        REQUIRE(gate.reached("launch", id));
        RjResult k = kill_released_after_flag(f, gate, id);
        INFO(k.describe() << diag(f, id));
        CHECK(k.status == 0);
        CHECK(contains(k.out, "killed"));
        CHECK_FALSE(contains(k.out, "dead"));
        killed.push_back(id);
    }
    // 4. and 5. The runner stays stopped for the whole kill (claimed, then
    //    about to launch): nothing confirms and no wrapper ever started, so
    //    the kill records `killed` itself; the runner, let go, starts nothing.
    for (const char* stage : {"claimed", "launch"}) {
        int64_t id = f.run({"--queue", "alpha", marks(std::string("late-") + stage)});
        REQUIRE(gate.reached("pick", id));
        CHECK(gate.release());
        REQUIRE(gate.reached("claimed", id));
        if (std::string(stage) == "launch") {
            CHECK(gate.release());
            REQUIRE(gate.reached("launch", id));
        }
        RjResult k = f.rj.batch({"kill", id_s(id)});
        INFO(stage << "\n" << k.describe() << diag(f, id));
        CHECK(k.status == 0);
        CHECK(contains(k.out, "killed (before it started)"));
        CHECK(gate.release());
        killed.push_back(id);
    }

    // The runner goes on without stops: a later job runs, so it went past
    // every killed one; none of their commands ran, none has a session.
    gate.close();
    int64_t after = f.run({"--queue", "alpha", marks("after")});
    CHECK(f.await_end(after)["status"].str() == "completed");
    for (int64_t id : killed) {
        INFO("job " << id << "\n" << diag(f, id));
        CHECK(f.status_of(id) == "killed");
        std::string session = f.session_of(id);
        CHECK(eventually([&] {
            auto s = f.sessions("alpha");
            return std::find(s.begin(), s.end(), session) == s.end();
        }, 10000ms));
        CHECK(f.starts_on_host("alpha", id) == 0);
    }
    CHECK(ran_on(f, "alpha", "after"));
    for (const char* tag : {"pick", "claimed", "launch", "late-claimed", "late-launch"}) {
        INFO(tag);
        CHECK_FALSE(ran_on(f, "alpha", tag));
    }
}

TEST_CASE("hold and move at the instants of a queue runner's claim: a held job stays held, a moved one runs once where it went", "[queue]") {
    TestHosts hosts({"alpha", "beta"});
    Gate gate;
    hosts.setenv("alpha", "RJ_TEST_GATE=" + gate.dir);
    JobsFixture f(hosts);

    // Hold while the runner has chosen it: the hold wins, and the runner,
    // whose claim then succeeds, sees the flag and puts it back.
    int64_t held = f.run({"--queue", "alpha", marks("held")});
    REQUIRE(gate.reached("pick", held));
    RjResult h = f.rj.batch({"hold", id_s(held)});
    INFO(h.describe() << diag(f, held));
    CHECK(h.status == 0);
    CHECK(gate.release());
    REQUIRE(gate.reached("claimed", held));
    CHECK(gate.release());

    // Hold once it is claimed: refused as started; it runs.
    int64_t late = f.run({"--queue", "alpha", marks("late-hold")});
    REQUIRE(gate.reached("pick", late));
    CHECK(gate.release());
    REQUIRE(gate.reached("claimed", late));
    RjResult lh = f.rj.batch({"hold", id_s(late)});
    INFO(lh.describe() << diag(f, late));
    CHECK(lh.status == 1);
    CHECK(contains(lh.err, "has started"));
    CHECK(gate.release());
    REQUIRE(gate.reached("launch", late));
    CHECK(gate.release());
    CHECK(f.await_end(late)["status"].str() == "completed");

    // Move while the runner has chosen it: taken from alpha, it runs on beta.
    int64_t moved = f.run({"--queue", "alpha", marks("moved")});
    REQUIRE(gate.reached("pick", moved));
    RjResult m = f.rj.batch({"move", id_s(moved), "beta"});
    INFO(m.describe() << diag(f, moved));
    CHECK(m.status == 0);
    CHECK(gate.release());

    // Move once it is claimed: refused as started; it runs on alpha.
    int64_t stays = f.run({"--queue", "alpha", marks("stays")});
    REQUIRE(gate.reached("pick", stays));
    CHECK(gate.release());
    REQUIRE(gate.reached("claimed", stays));
    RjResult lm = f.rj.batch({"move", id_s(stays), "beta"});
    INFO(lm.describe() << diag(f, stays));
    CHECK(lm.status == 1);
    CHECK(contains(lm.err, "has started"));
    CHECK(gate.release());
    REQUIRE(gate.reached("launch", stays));
    CHECK(gate.release());

    gate.close();
    Json mj = f.await_end(moved);
    CHECK(mj["status"].str() == "completed");
    CHECK(mj["host"].str() == "beta");
    Json sj = f.await_end(stays);
    CHECK(sj["status"].str() == "completed");
    CHECK(sj["host"].str() == "alpha");
    CHECK(ran_on(f, "beta", "moved"));
    CHECK_FALSE(ran_on(f, "alpha", "moved"));
    CHECK(ran_on(f, "alpha", "stays"));
    CHECK_FALSE(ran_on(f, "beta", "stays"));
    CHECK(f.starts_on_host("alpha", stays) == 1);

    // The held job is still held (the runner says so once a second), and
    // never ran; released, it runs.
    CHECK(eventually([&] { return contains(f.rj.batch({"pending", id_s(held)}).out, "held"); }, 20000ms, 300ms));
    CHECK(f.status_of(held) == "queued");
    CHECK_FALSE(ran_on(f, "alpha", "held"));
    CHECK(f.rj.batch({"release", id_s(held)}).status == 0);
    CHECK(f.await_end(held)["status"].str() == "completed");
    CHECK(ran_on(f, "alpha", "held"));
}
