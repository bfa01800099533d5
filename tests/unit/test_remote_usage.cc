// Resource use of running jobs, probed by the real script under each shell.
#include "config.h"

#include <catch2/catch.hpp>

#include "remote/protocol.h"
#include "test_remote_support.h"

using rjtest::Sandbox;

TEST_CASE("usage sums a running job's processes and their GPU memory; an ended job reports ended", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            remote::JobSpec spec = sb.spec(7, "sleep 30 & sleep 30 & wait");
            REQUIRE(sb.submit(spec).status == remote::SubmitReply::Status::Ok);
            remote::JobFacts started = sb.wait_started(7);
            REQUIRE(started.pid > 0);
            // A fake nvidia-smi on the PATH, in the real CSV format, that
            // knows the job's pid and a stranger's.
            rjtest::write_file(sb.bin + "/nvidia-smi",
                               "#!/bin/sh\nprintf '%s, 1536\\n1, 999\\n' " + std::to_string(started.pid) + "\n");
            sb.sh("chmod +x '" + sb.bin + "/nvidia-smi'");
            // From its first moment a running job counts at least its own
            // process; the shell's two sleeps appear within a deadline (the
            // job may still be exec'ing when `started` is written).
            std::vector<remote::JobUsage> usage;
            std::string replies;
            double deadline = rjtest::now_s() + 10;
            for (;;) {
                auto run = sb.run(remote::usage_script(spec.rj_dir, {7, 8}));
                replies += run.out + run.err;
                usage = remote::parse_usage(run.out);
                REQUIRE(usage.size() == 2);
                CHECK(usage[0].procs >= 1);
                if (usage[0].procs >= 3 || rjtest::now_s() > deadline) break;
                rjtest::sleep_s(0.05);
            }
            INFO(replies);
            CHECK(usage[0].id == 7);
            CHECK(usage[0].running);
            CHECK(usage[0].procs >= 3);  // the shell and its two sleeps
            CHECK(usage[0].rss_kib > 0);
            CHECK(usage[0].gpu_mem_mib == 1536);
            CHECK(usage[1].id == 8);
            CHECK_FALSE(usage[1].running);  // no such job

            sb.run(remote::kill_script(spec.rj_dir, {7}, 1, 5));
            sb.wait_end(7);
            auto after = remote::parse_usage(sb.run(remote::usage_script(spec.rj_dir, {7})).out);
            REQUIRE(after.size() == 1);
            CHECK_FALSE(after[0].running);
        }
    }
}

TEST_CASE("usage replies are parsed field by field and a cut reply is an error", "[remote]") {
    auto v = remote::parse_usage(
        "motd noise\nRJ-USAGE id=3 state=ok procs=4 cpu=150.5 rss_kib=2048 gpu_mem_mib=-1\nRJ-USAGE id=4 state=ended\nRJ-END\n");
    REQUIRE(v.size() == 2);
    CHECK(v[0].procs == 4);
    CHECK(v[0].cpu_pct == Approx(150.5));
    CHECK(v[0].rss_kib == 2048);
    CHECK(v[0].gpu_mem_mib == -1);
    CHECK_FALSE(v[1].running);
    CHECK_THROWS_AS(remote::parse_usage("RJ-USAGE id=3 state=ok procs=4\n"), remote::ProtocolError);
}
