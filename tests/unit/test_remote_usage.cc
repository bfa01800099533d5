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

TEST_CASE("the wrapper samples its job: peak memory, the GPUs its processes use, their memory and utilisation", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            // The job holds ~20 MB in a child process of its group (a perl
            // string) and runs ~3.5 s.
            remote::JobSpec spec = sb.spec(
                7, "perl -e '$x = \"a\" x 20000000; sleep 3' & sleep 3.5; wait");
            // A fake nvidia-smi in the real CSV formats: the job's pid on GPUs 1
            // and 3 (two processes of it), a stranger's on GPU 0; utilisation
            // per GPU. It reads the job's pid from its directory.
            std::string pidfile = sb.job_dir(7) + "/pid";
            rjtest::write_file(sb.bin + "/nvidia-smi",
                               "#!/bin/sh\n"
                               "p=$(cat '" + pidfile + "' 2>/dev/null || echo 1)\n"
                               "case \"$1\" in\n"
                               "--query-compute-apps=*) printf '%s, GPU-aaaa-1, 1000\\n%s, GPU-aaaa-3, 500\\n999, GPU-aaaa-0, 7000\\n' \"$p\" \"$p\" ;;\n"
                               "--query-gpu=*) printf '0, GPU-aaaa-0, 99\\n1, GPU-aaaa-1, 80\\n2, GPU-aaaa-2, 0\\n3, GPU-aaaa-3, 40\\n' ;;\n"
                               "esac\n");
            sb.sh("chmod +x '" + sb.bin + "/nvidia-smi'");
            REQUIRE(sb.submit(spec).status == remote::SubmitReply::Status::Ok);
            // While it runs, a sync reports the GPUs of the last sample and their use.
            remote::LogState live;
            double until = rjtest::now_s() + 10;
            while (rjtest::now_s() < until) {
                auto reply = remote::parse_sync(sb.run(remote::sync_script(spec.rj_dir, 0, {7})).out);
                if (reply.logs.count(7) && !reply.logs[7].gpus.empty()) {
                    live = reply.logs[7];
                    break;
                }
                rjtest::sleep_s(0.2);
            }
            CHECK(live.gpus == "1,3");
            CHECK(live.gpu_util == Approx(60));
            CHECK(live.grew > 0);
            remote::JobFacts end = sb.wait_end(7, 30);
            std::string exit_line = rjtest::read_file(sb.job_dir(7) + "/exit");
            INFO(exit_line);
            INFO(rjtest::read_file(sb.job_dir(7) + "/log"));
            REQUIRE(end.exit);
            const auto& u = end.exit->usage;
            REQUIRE(u.rss_kib);
            CHECK(*u.rss_kib > 10000);  // the 20 MB held by the child (a group, not one pid)
            CHECK(*u.rss_kib < 4000000);
            CHECK(u.gpus == "1,3");  // not GPU 0 (a stranger's process) or 2 (idle)
            CHECK(u.gpu_mem_mib == 1500);
            REQUIRE(u.gpu_util);
            CHECK(*u.gpu_util == Approx(60));  // mean of 80 and 40
            // The journal line carries the same record.
            std::string journal = rjtest::read_file(sb.job_dir(7) + "/../../journal");
            CHECK(journal.find("gpu_mem_mib=1500 gpu_util=60") != std::string::npos);
        }
    }
}

TEST_CASE("measured usage from a host is bounded: malformed or out-of-range fields are dropped", "[remote]") {
    auto u = remote::parse_measured_usage({{"rss_kib", "2048"}, {"gpus", "0,3,3"}, {"gpu_mem_mib", "512"}, {"gpu_util", "55"}});
    CHECK(u.rss_kib == 2048);
    CHECK(u.gpus == "0,3");
    CHECK(u.gpu_mem_mib == 512);
    CHECK(u.gpu_util == Approx(55));
    auto bad = remote::parse_measured_usage(
        {{"rss_kib", "-5"}, {"gpus", "0,x"}, {"gpu_mem_mib", "99999999999"}, {"gpu_util", "101"}});
    CHECK_FALSE(bad.rss_kib);
    CHECK(bad.gpus.empty());
    CHECK_FALSE(bad.gpu_mem_mib);
    CHECK_FALSE(bad.gpu_util);
    CHECK(remote::parse_measured_usage({{"gpus", "1,2,"}}).gpus.empty());
    CHECK(remote::parse_measured_usage({{"gpus", "2048"}}).gpus.empty());
    std::string many;
    for (int i = 0; i < 65; ++i) many += (i ? "," : "") + std::to_string(i);
    CHECK(remote::parse_measured_usage({{"gpus", many}}).gpus.empty());
}
