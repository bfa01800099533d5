// Claims on the host outlive nothing: a job a queue runner claimed but never
// started is killed, not dead; GPUs given to a job that ended or died (a
// reboot, a wrapper gone without a record) are free again for the runner and
// for `free`. The real scripts under each local shell (dash, bash as sh,
// busybox sh), with a private HOME and tmux server.
#include "config.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <sstream>

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

// A process of the sandbox that lives a minute: its pid and its start time
// as the wrapper records it (/proc/PID/stat field 22).
std::pair<int64_t, std::string> live_process(const Sandbox& sb) {
    int64_t pid = std::atoll(sb.sh("sleep 60 >/dev/null 2>&1 & echo $!").out.c_str());
    REQUIRE(pid > 1);
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    std::istringstream fields(stat.substr(stat.rfind(") ") + 2));
    std::string field, start;
    for (int i = 0; i < 20 && fields >> field; ++i) start = field;
    REQUIRE(!start.empty());
    return {pid, start};
}

// A job rj placed on GPU `gpu` (gpu_jobs/ID), whose wrapper is `wpid` with
// start time `wstart` (empty: not recorded yet), started in boot `boot`
// (empty: none recorded).
void placed_job(const Sandbox& sb, int64_t id, int gpu, int64_t wpid, const std::string& wstart,
                const std::string& boot) {
    std::string dir = sb.job_dir(id);
    std::filesystem::create_directories(dir);
    std::filesystem::create_directories(sb.home + "/.cache/rj/gpu_jobs");
    rjtest::write_file(dir + "/gpu_alloc", std::to_string(gpu) + "\n");
    rjtest::write_file(sb.home + "/.cache/rj/gpu_jobs/" + std::to_string(id), std::to_string(gpu) + "\n");
    if (wpid > 0) {
        rjtest::write_file(dir + "/wpid", std::to_string(wpid) + "\n");
        rjtest::write_file(dir + "/wstart", wstart + "\n");
    }
    if (!boot.empty()) rjtest::write_file(dir + "/boot", boot + "\n");
}

// nvidia-smi with two idle GPUs, in the real CSV formats.
void fake_two_gpus(const Sandbox& sb) {
    std::string smi = sb.bin + "/nvidia-smi";
    rjtest::write_file(smi,
                       "#!/bin/sh\n"
                       "case \"$*\" in\n"
                       "*--query-gpu=index,uuid,memory.used*) printf '0, GPU-a0, 10\\n1, GPU-a1, 10\\n' ;;\n"
                       "*--query-gpu=index,uuid,utilization.gpu,memory.used*) "
                       "printf '0, GPU-a0, 0, 10, 81920, NVIDIA A100\\n1, GPU-a1, 0, 10, 81920, NVIDIA A100\\n' ;;\n"
                       "*--query-gpu=index,name*) printf '0, NVIDIA A100\\n1, NVIDIA A100\\n' ;;\n"
                       "*) ;;\n"
                       "esac\n");
    sb.sh("chmod +x '" + smi + "'");
}

std::vector<bool> busy_gpus(const Sandbox& sb) {
    remote::HostFree f = remote::parse_free(sb.run(remote::free_script(remote::kDefaultRjDir, 1024)).out);
    std::vector<bool> busy;
    for (const auto& g : f.gpus) busy.push_back(g.busy);
    return busy;
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

TEST_CASE("GPU claims of jobs lost in a reboot or whose wrapper died are released by free and the runner", "[remote][gpu]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            fake_two_gpus(sb);
            auto [pid, start] = live_process(sb);
            std::string claims = sb.home + "/.cache/rj/gpu_jobs/";
            // Job 5 started in an earlier boot: its pid, alive now with the
            // same start time, is somebody else's. Job 6 runs in this boot.
            placed_job(sb, 5, 0, pid, start, "an-earlier-boot");
            placed_job(sb, 6, 1, pid, start, "");
            CHECK(busy_gpus(sb) == std::vector<bool>{false, true});
            CHECK_FALSE(std::filesystem::exists(claims + "5"));
            CHECK(std::filesystem::exists(claims + "6"));

            // A wrapper gone without a record (and no job pid alive) releases it too.
            rjtest::write_file(sb.job_dir(6) + "/wstart", "1\n");
            CHECK(busy_gpus(sb) == std::vector<bool>{false, false});
            CHECK_FALSE(std::filesystem::exists(claims + "6"));

            // A job whose wrapper has not recorded itself yet is starting: kept.
            placed_job(sb, 7, 1, 0, "", "");
            CHECK(busy_gpus(sb) == std::vector<bool>{false, true});
            CHECK(std::filesystem::exists(claims + "7"));

            // The runner: GPU 0 held by a job lost in a reboot, GPU 1 by one
            // starting. The queued job gets GPU 0 instead of waiting for ever.
            placed_job(sb, 5, 0, pid, start, "an-earlier-boot");
            remote::JobSpec spec = sb.spec(8, "printf '%s\\n' \"$CUDA_VISIBLE_DEVICES\" > \"$HOME/cvd\"");
            remote::QueueSpec q;
            q.gpus = 1;
            auto enq = remote::parse_enqueue(sb.run(remote::enqueue_script(spec, {8}, {}, q)).out);
            REQUIRE(enq.error.empty());
            INFO(read_file(sb.job_dir(8) + "/why"));
            REQUIRE(eventually([&] { return !read_file(sb.job_dir(8) + "/exit").empty(); }));
            CHECK(read_file(sb.home + "/cvd") == "0\n");
            CHECK_FALSE(std::filesystem::exists(claims + "5"));
            CHECK(std::filesystem::exists(claims + "7"));
            ::kill(static_cast<pid_t>(pid), SIGKILL);
            CHECK(sb.shutdown());
        }
    }
}
