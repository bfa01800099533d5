// Claims on the host outlive nothing: a job a queue runner claimed but never
// started is killed, not dead. The real scripts under each local shell (dash, bash as sh,
// busybox sh), with a private HOME and tmux server.
#include "config.h"

#include <catch2/catch.hpp>

#include <filesystem>

#include "remote/protocol.h"
#include "test_remote_support.h"

using rjtest::Sandbox;
using rjtest::read_file;

namespace {

std::string queue_dir(const Sandbox& sb) { return sb.home + "/.cache/rj/queues/default"; }

bool eventually(const std::function<bool()>& cond, double timeout_s = 20) {
    double deadline = rjtest::now_s() + timeout_s;
    while (!cond()) {
        if (rjtest::now_s() > deadline) return false;
        rjtest::sleep_s(0.05);
    }
    return true;
}

}  // namespace

TEST_CASE("a kill of a job its runner claimed but never started records killed, and the job never runs", "[remote][queue][kill]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            remote::JobSpec spec = sb.spec(1, "touch \"$HOME/ran\"");
            remote::QueueSpec q;
            q.no_start = true;
            REQUIRE(remote::parse_enqueue(sb.run(remote::enqueue_script(spec, {1}, {}, q)).out).error.empty());
            // The runner's claim, and then nothing: no session, no wrapper yet.
            REQUIRE(sb.sh("mv '" + queue_dir(sb) + "/wait/1' '" + queue_dir(sb) + "/run/1'").status == 0);

            auto res = remote::parse_kill(sb.run(remote::kill_script(remote::kDefaultRjDir, {1}, 1, 0)).out);
            REQUIRE(res.size() == 1);
            CHECK(res[0].state == "stopped");
            CHECK_FALSE(res[0].was_running);
            REQUIRE(res[0].facts.exit);
            CHECK(res[0].facts.exit->kind == remote::EndKind::Killed);
            CHECK(res[0].facts.exit->err == "starting");
            CHECK(remote::decide(res[0].facts, true).fate == remote::Fate::Killed);

            // The runner, started now, neither starts it nor keeps its slot.
            spec.id = 2;
            spec.command = "touch \"$HOME/second\"";
            q.no_start = false;
            REQUIRE(remote::parse_enqueue(sb.run(remote::enqueue_script(spec, {2}, {}, q)).out).error.empty());
            REQUIRE(eventually([&] { return !read_file(sb.job_dir(2) + "/exit").empty(); }));
            CHECK(eventually([&] { return !std::filesystem::exists(queue_dir(sb) + "/run/1"); }));
            CHECK(std::filesystem::exists(sb.home + "/second"));
            CHECK_FALSE(std::filesystem::exists(sb.home + "/ran"));
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("a kill says dead only when a wrapper ran and nothing of it is left", "[remote][kill]") {
    Sandbox sb(rjtest::shells().front());
    // A wrapper that recorded itself and is gone (its pid now nobody's, by start time).
    std::string dir = sb.job_dir(3);
    std::filesystem::create_directories(dir);
    rjtest::write_file(dir + "/wpid", "999999\n");
    rjtest::write_file(dir + "/wstart", "1\n");
    auto res = remote::parse_kill(sb.run(remote::kill_script(remote::kDefaultRjDir, {3}, 1, 0)).out);
    REQUIRE(res.size() == 1);
    CHECK(res[0].state == "dead");
    CHECK_FALSE(res[0].facts.exit);
    CHECK(sb.shutdown());
}
