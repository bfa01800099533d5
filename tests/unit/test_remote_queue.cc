// The queue runner and queue scripts under each local shell (dash, bash as
// sh, busybox sh): the real programs, a private HOME and tmux server. Plus
// the parsers of their replies and of --array.
#include "config.h"

#include <catch2/catch.hpp>

#include <filesystem>

#include "engine/jobs.h"
#include "remote/protocol.h"
#include "test_remote_support.h"
#include "util/error.h"

using rjtest::Sandbox;

namespace {

// Polls until every job has an end record; false after timeout_s.
bool wait_all_ended(const Sandbox& sb, const std::vector<int64_t>& ids, double timeout_s = 30) {
    double deadline = rjtest::now_s() + timeout_s;
    for (;;) {
        bool all = true;
        for (int64_t id : ids)
            if (rjtest::read_file(sb.job_dir(id) + "/exit").empty()) all = false;
        if (all) return true;
        if (rjtest::now_s() > deadline) return false;
        rjtest::sleep_s(0.1);
    }
}

std::string runner_log(const Sandbox& sb, const std::string& rj_dir, const std::string& queue = "default") {
    return sb.sh("cat " + rj_dir + "/queues/" + queue + "/runner.log 2>&1; tmux ls 2>&1").out;
}

}  // namespace

TEST_CASE("the queue runner starts jobs by priority within its slots, under each shell", "[remote][queue]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            remote::JobSpec spec = sb.spec(1, "echo \"$RJ_JOB_ID\" >> \"$HOME/order\"");
            remote::QueueSpec q;
            q.slots = 1;
            q.no_start = true;  // queue everything first, then start: the order is the runner's
            auto low = remote::parse_enqueue(sb.run(remote::enqueue_script(spec, {1, 2}, {}, q)).out);
            REQUIRE(low.error.empty());
            CHECK(low.queued.size() == 2);
            CHECK(low.runner == "stopped");
            q.priority = 9;
            spec.id = 3;
            auto high = remote::parse_enqueue(sb.run(remote::enqueue_script(spec, {3}, {}, q)).out);
            REQUIRE(high.error.empty());

            remote::QueueCtl start;
            start.op = "start";
            start.queue = "default";
            start.wrapper_shell = spec.wrapper_shell;
            auto started = remote::parse_queue_ctl(sb.run(remote::queue_ctl_script({spec.rj_dir, spec.session_prefix}, start)).out);
            REQUIRE(!started.results.empty());
            CHECK(started.results.front().result == "started");
            REQUIRE(wait_all_ended(sb, {1, 2, 3}));
            INFO(runner_log(sb, spec.rj_dir));
            CHECK(rjtest::read_file(sb.home + "/order") == "3\n1\n2\n");

            // Sending the same job again queues nothing twice.
            auto again = remote::parse_enqueue(sb.run(remote::enqueue_script(spec, {3}, {}, q)).out);
            REQUIRE(again.queued.size() == 1);
            CHECK(again.queued.front().second);  // already
        }
    }
}

TEST_CASE("a dependency that cannot be met cancels the job with its reason in the journal", "[remote][queue]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            remote::JobSpec spec = sb.spec(1, "exit 5");
            remote::QueueSpec q;
            REQUIRE(remote::parse_enqueue(sb.run(remote::enqueue_script(spec, {1}, {}, q)).out).error.empty());
            spec.id = 2;
            spec.command = "touch \"$HOME/ran\"";
            q.after_ok = {1};
            REQUIRE(remote::parse_enqueue(sb.run(remote::enqueue_script(spec, {2}, {}, q)).out).error.empty());
            REQUIRE(wait_all_ended(sb, {1, 2}));
            remote::SyncReply r = sb.sync({1, 2});
            REQUIRE(r.jobs.count(2));
            REQUIRE(r.jobs[2].exit);
            CHECK(r.jobs[2].exit->kind == remote::EndKind::Cancelled);
            CHECK(r.jobs[2].exit->err == "after:1");
            CHECK(remote::decide(r.jobs[2], false).fate == remote::Fate::Cancelled);
            bool journaled = false;
            for (const auto& ev : r.events)
                if (ev.id == 2 && ev.event == "cancelled") journaled = true;
            CHECK(journaled);
            CHECK(rjtest::read_file(sb.home + "/ran").empty());
            CHECK_FALSE(r.queues.empty());
        }
    }
}

TEST_CASE("array tasks get RJ_ARRAY_TASK_ID and TASK_ID; a waiting job reports why in sync", "[remote][queue]") {
    Sandbox sb(rjtest::shells().front());
    remote::JobSpec spec = sb.spec(10, "echo \"$RJ_ARRAY_TASK_ID $TASK_ID $RJ_JOB_ID\"");
    remote::QueueSpec q;
    q.array_id = 9;
    q.array_limit = 1;
    q.slots = 3;
    REQUIRE(remote::parse_enqueue(sb.run(remote::enqueue_script(spec, {10, 11, 12}, {4, 5, 6}, q)).out).error.empty());
    REQUIRE(wait_all_ended(sb, {10, 11, 12}));
    CHECK(rjtest::read_file(sb.job_dir(10) + "/log") == "4 4 10\n");
    CHECK(rjtest::read_file(sb.job_dir(12) + "/log") == "6 6 12\n");

    // Held: sync says it waits, and why.
    spec.id = 13;
    remote::QueueSpec held;
    held.hold = true;
    REQUIRE(remote::parse_enqueue(sb.run(remote::enqueue_script(spec, {13}, {}, held)).out).error.empty());
    remote::SyncReply r = sb.sync({13});
    REQUIRE(r.jobs.count(13));
    CHECK(r.jobs[13].queue_state == 'w');
    CHECK(r.jobs[13].held);
    CHECK(remote::decide(r.jobs[13], false).fate == remote::Fate::Queued);

    // Taken out of its queue (rj_qtake) and not yet given its end record: a
    // sync in that moment sees it still waiting, never dead.
    sb.run("cd ~/.cache/rj/queues/default && mv wait/13 .gone.13");
    remote::SyncReply gone = sb.sync({13});
    REQUIRE(gone.jobs.count(13));
    CHECK(gone.jobs[13].queue_state == 'w');
    CHECK(remote::decide(gone.jobs[13], false).fate == remote::Fate::Queued);
}

TEST_CASE("queue replies are parsed strictly: missing end, garbage and foreign lines", "[remote][queue]") {
    CHECK_THROWS_AS(remote::parse_queue_ctl("RJ-QUEUE name=a state=running slots=1\n"), remote::ProtocolError);
    CHECK_THROWS_AS(remote::parse_enqueue("hello from .bashrc\n"), remote::ProtocolError);
    auto r = remote::parse_queue_ctl(
        "motd\nRJ-QUEUE name=gpu state=draining slots=2 waiting=3 held=1 running=2\n"
        "RJ-QJOB queue=gpu id=7 held=0 prio=-2 msg=waiting for 1 free GPUs (0 free)\n"
        "RJ-QCTL id=7 result=started msg=it has started\nRJ-END\n");
    REQUIRE(r.queues.size() == 1);
    CHECK(r.queues[0].state == "draining");
    CHECK(r.queues[0].waiting == 3);
    REQUIRE(r.jobs.size() == 1);
    CHECK(r.jobs[0].priority == -2);
    CHECK(r.jobs[0].why == "waiting for 1 free GPUs (0 free)");
    REQUIRE(r.results.size() == 1);
    CHECK(r.results[0].result == "started");
    auto e = remote::parse_enqueue("RJ-ENQUEUE ok id=4 already=0\nRJ-ENQUEUE error id=5 msg=cannot write\n");
    CHECK(e.queued.size() == 1);
    CHECK(e.error == "cannot write");
    CHECK(e.error_id == 5);
    CHECK_THROWS_AS(remote::check_queue_name("../x"), util::UsageError);
    CHECK_THROWS_AS(remote::check_queue_name(""), util::UsageError);
    CHECK_NOTHROW(remote::check_queue_name("gpu_big-2"));
    CHECK(remote::cancel_reason("after:42") == "cancelled: job 42 did not succeed, and --after needs it to");
    CHECK(remote::cancel_reason("queue-removed") == "cancelled: its queue was removed");
}

TEST_CASE("--array specs: ranges, lists, a limit; bad ones are usage errors", "[queue]") {
    auto a = engine::parse_array_spec("1-4%2");
    CHECK(a.tasks == std::vector<int64_t>{1, 2, 3, 4});
    CHECK(a.limit == 2);
    auto b = engine::parse_array_spec("1,3,7-9");
    CHECK(b.tasks == std::vector<int64_t>{1, 3, 7, 8, 9});
    CHECK(b.limit == 0);
    CHECK(engine::parse_array_spec("5,5,5").tasks == std::vector<int64_t>{5});
    for (const char* bad : {"", "%2", "1-", "-3", "4-1", "a-b", "1-3%0", "1-3%x", "0-20000", "1,,2"})
        CHECK_THROWS_AS(engine::parse_array_spec(bad), util::UsageError);
    // The engine names the input, not a face's flag: the CLI says --array,
    // the form its Array field.
    try {
        engine::parse_array_spec("1-x");
        FAIL("1-x was accepted");
    } catch (const util::UsageError& e) {
        CHECK(e.field() == "array");
        CHECK_THAT(std::string(e.what()), Catch::Contains("'x' is not a task number") && !Catch::Contains("--"));
    }
}

TEST_CASE("a placed job's submit claims its GPUs under the runners' lock and writes nothing when one was given away", "[remote][queue]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            // A queue runner's claim of GPU 1 for job 5 (still running: no exit record).
            std::string rj = sb.job_dir(5).substr(0, sb.job_dir(5).rfind("/jobs/"));
            std::filesystem::create_directories(rj + "/queues/default/run");
            std::filesystem::create_directories(sb.job_dir(5));
            rjtest::write_file(rj + "/queues/default/run/5", "");
            rjtest::write_file(sb.job_dir(5) + "/gpu_alloc", "1\n");
            remote::JobSpec taken = sb.spec(7, "echo ran");
            taken.gpu_alloc = "0,1";
            remote::SubmitReply r = sb.submit(taken);
            CHECK(r.status == remote::SubmitReply::Status::GpusTaken);
            CHECK(r.error == "GPU 1 went to another job on the host after rj looked");
            CHECK_FALSE(std::filesystem::exists(rj + "/gpu_jobs/7"));
            CHECK_FALSE(std::filesystem::exists(sb.job_dir(7)));
            CHECK_FALSE(std::filesystem::exists(rj + "/gpus.lock"));

            // GPU 0 alone is free: claimed (gpu_jobs/ID, gpu_alloc), the lock given back.
            remote::JobSpec free = sb.spec(8, "echo \"cvd=$CUDA_VISIBLE_DEVICES\"");
            free.gpu_alloc = "0";
            CHECK(sb.submit(free).status == remote::SubmitReply::Status::Ok);
            CHECK(rjtest::read_file(rj + "/gpu_jobs/8") == "0\n");
            CHECK(rjtest::read_file(sb.job_dir(8) + "/gpu_alloc") == "0\n");
            REQUIRE(sb.wait_end(8).exit);
            CHECK_FALSE(std::filesystem::exists(rj + "/gpus.lock"));
            // Once job 5 ended, its GPU is free for a placement again.
            rjtest::write_file(sb.job_dir(5) + "/exit", "kind=exit rc=0\n");
            remote::JobSpec later = sb.spec(9, "true");
            later.gpu_alloc = "1";
            CHECK(sb.submit(later).status == remote::SubmitReply::Status::Ok);
            REQUIRE(sb.wait_end(9).exit);
            CHECK(sb.shutdown());
        }
    }
}
