#include "config.h"

// Log reading (filters on the host, byte-offset follow), cleanup and host
// info, with the real scripts under each local shell.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>

#include "remote/protocol.h"
#include "unit/test_remote_support.h"

using namespace remote;
using rjtest::read_file;
using rjtest::Sandbox;

namespace {

LogReply get_log(const Sandbox& sb, int64_t id, const LogQuery& q) {
    rjtest::RunResult r = sb.run(log_script(kDefaultRjDir, id, q));
    REQUIRE(r.status == 0);
    return parse_log(r.out);
}

LogQuery tail(int n) {
    LogQuery q;
    q.tail_lines = n;
    return q;
}

LogQuery lines(int64_t from, int64_t to) {
    LogQuery q;
    q.from_line = from;
    q.to_line = to;
    return q;
}

LogQuery grep(const std::string& pattern, bool fixed = false, bool icase = false) {
    LogQuery q;
    q.grep = pattern;
    q.grep_fixed = fixed;
    q.grep_ignore_case = icase;
    return q;
}

LogQuery bytes(int64_t offset, int64_t max) {
    LogQuery q;
    q.byte_offset = offset;
    q.max_bytes = max;
    return q;
}

}  // namespace

TEST_CASE("log filters run on the host: tail, line ranges, grep", "[remote]") {
    for (const auto& shell : rjtest::all_shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            auto rep = sb.submit(sb.spec(
                1, "for i in $(seq 1 20); do echo \"line $i\"; done; "
                   "echo \"it's \\$(x) \\`y\\` a|b\"; printf 'no newline'"));
            REQUIRE(rep.status == SubmitReply::Status::Ok);
            REQUIRE(sb.wait_end(1).exit);
            std::string log = read_file(sb.job_dir(1) + "/log");
            REQUIRE(log.substr(log.size() - 10) == "no newline");

            LogQuery unclosed;
            unclosed.grep = "(unclosed";
            LogReply rejected = get_log(sb, 1, unclosed);
            CHECK_FALSE(rejected.ok);
            CHECK(rejected.bad_pattern);
            CHECK_THAT(rejected.error, Catch::StartsWith("invalid grep pattern: "));

            LogReply t = get_log(sb, 1, tail(3));
            REQUIRE(t.ok);
            CHECK(t.text == "line 20\nit's $(x) `y` a|b\nno newline");
            CHECK_FALSE(t.running);
            CHECK(t.offset == static_cast<int64_t>(log.size()));
            CHECK(t.size == static_cast<int64_t>(log.size()));

            CHECK(get_log(sb, 1, lines(5, 7)).text == "line 5\nline 6\nline 7\n");
            CHECK(get_log(sb, 1, lines(20, 0)).text == "line 20\nit's $(x) `y` a|b\nno newline");
            CHECK(get_log(sb, 1, grep("line 1[0-9]")).text ==
                  "line 10\nline 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\n"
                  "line 18\nline 19\n");
            CHECK(get_log(sb, 1, grep("^line (3|4)$")).text == "line 3\nline 4\n");
            CHECK(get_log(sb, 1, grep("LINE 2", false, true)).text == "line 2\nline 20\n");
            // The pattern is data: quotes, $(), backticks and | reach grep intact.
            CHECK(get_log(sb, 1, grep("it's $(x) `y` a|b", true)).text ==
                  "it's $(x) `y` a|b\n");
            CHECK(get_log(sb, 1, grep("line 1[", true)).text.empty());
            LogQuery combo = grep("line");
            combo.from_line = 3;
            combo.to_line = 9;
            combo.tail_lines = 2;
            CHECK(get_log(sb, 1, combo).text == "line 8\nline 9\n");

            // Over max_bytes: tail keeps the end (whole lines only), filters the start.
            LogQuery capped = tail(100);
            capped.max_bytes = 12;
            LogReply c = get_log(sb, 1, capped);
            CHECK(c.truncated);
            CHECK(c.text == "no newline");
            LogQuery capped_grep = grep("line");
            capped_grep.max_bytes = 12;
            LogReply cg = get_log(sb, 1, capped_grep);
            CHECK(cg.truncated);
            CHECK(cg.text == "line 1\nline ");

            LogReply missing = get_log(sb, 99, tail(1));
            CHECK_FALSE(missing.ok);
            CHECK(missing.error == "no such job on this host");
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("byte-offset reads return arbitrary bytes exactly and follow a running job", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            // NUL bytes, a fake frame end and invalid UTF-8 in the log.
            auto rep = sb.submit(sb.spec(
                1, "printf 'a\\0b\\nRJ-END\\n\\377\\r'; for i in 1 2 3 4 5 6 7 8; do "
                   "echo \"tick $i\"; sleep 0.1; done; printf end"));
            REQUIRE(rep.status == SubmitReply::Status::Ok);
            std::string followed;
            int64_t offset = 0;
            bool saw_running = false;
            for (int i = 0; i < 400; ++i) {
                LogReply r = get_log(sb, 1, bytes(offset, 7));
                REQUIRE(r.ok);
                CHECK(r.offset == offset + static_cast<int64_t>(r.text.size()));
                followed += r.text;
                offset = r.offset;
                if (r.running) saw_running = true;
                if (!r.running && !r.more) break;
                if (!r.more) rjtest::sleep_s(0.05);
            }
            CHECK(saw_running);
            std::string log = read_file(sb.job_dir(1) + "/log");
            CHECK(followed == log);
            CHECK(log.substr(0, 11) == std::string("a\0b\nRJ-END\n", 11));
            CHECK(log.substr(log.size() - 3) == "end");

            // An offset past the end (log replaced): read from the start again.
            LogReply reset = get_log(sb, 1, bytes(static_cast<int64_t>(log.size()) + 50, 1 << 20));
            CHECK(reset.reset);
            CHECK(reset.text == log);
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("cleanup never touches a waiting, held or claimed job, dates a rebooted one by the boot, and takes removed jobs' queue entries and GPU claims", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            std::string rj = sb.home + "/.cache/rj";
            auto job = [&](int64_t id, const std::vector<std::pair<std::string, std::string>>& files) {
                std::filesystem::create_directories(sb.job_dir(id));
                rjtest::write_file(sb.job_dir(id) + "/created", "1000000000\n");
                for (const auto& [name, text] : files) rjtest::write_file(sb.job_dir(id) + "/" + name, text);
            };
            std::filesystem::create_directories(rj + "/queues/default/wait");
            std::filesystem::create_directories(rj + "/queues/default/run");
            std::filesystem::create_directories(rj + "/gpu_jobs");
            // Held, waiting in its queue since long ago.
            job(10, {{"queue", "default\n"}, {"held", ""}});
            rjtest::write_file(rj + "/queues/default/wait/10", "");
            // Waiting, not held.
            job(11, {{"queue", "default\n"}});
            rjtest::write_file(rj + "/queues/default/wait/11", "");
            // Claimed by a runner, not started yet.
            job(12, {{"queue", "default\n"}, {"gpu_alloc", "0\n"}});
            rjtest::write_file(rj + "/queues/default/run/12", "");
            // Started before a reboot (another boot id), no end record; its
            // queue entry and a placement's GPU claim were left behind.
            job(13, {{"queue", "default\n"}, {"started", "1000000001\n"}, {"pid", "999999\n"},
                     {"boot", "00000000-dead-beef-0000-000000000000\n"}, {"gpu_alloc", "1\n"}});
            rjtest::write_file(rj + "/queues/default/run/13", "");
            rjtest::write_file(rj + "/gpu_jobs/13", "1\n");
            // Ended long ago, with a placement's GPU claim.
            job(14, {{"exit", "kind=exit rc=0 code=0 sig=0 started=1000000001 ended=1000000002 user=0 sys=0\n"},
                     {"gpu_alloc", "2\n"}});
            rjtest::write_file(rj + "/gpu_jobs/14", "2\n");

            for (int round = 0; round < 2; ++round) {
                auto out = parse_cleanup(sb.run(cleanup_script(kDefaultRjDir, 1, false)).out);
                INFO("round " << round);
                if (round == 0) {
                    REQUIRE(out.size() == 2);
                    CHECK(out[0].id == 13);
                    CHECK(out[0].reason == "dead");
                    CHECK(out[0].action == "removed");
                    CHECK(out[0].time > 1000000001);  // the boot, not the start
                    CHECK(out[1].id == 14);
                    CHECK(out[1].reason == "ended");
                    CHECK(out[1].time == 1000000002);
                } else {
                    CHECK(out.empty());
                }
                for (int64_t id : {10, 11, 12}) CHECK(std::filesystem::exists(sb.job_dir(id) + "/created"));
                CHECK(std::filesystem::exists(sb.job_dir(10) + "/held"));
                CHECK(std::filesystem::exists(rj + "/queues/default/wait/10"));
                CHECK(std::filesystem::exists(rj + "/queues/default/wait/11"));
                CHECK(std::filesystem::exists(rj + "/queues/default/run/12"));
                CHECK_FALSE(std::filesystem::exists(sb.job_dir(13)));
                CHECK_FALSE(std::filesystem::exists(sb.job_dir(14)));
                CHECK_FALSE(std::filesystem::exists(rj + "/queues/default/run/13"));
                CHECK_FALSE(std::filesystem::exists(rj + "/gpu_jobs/13"));
                CHECK_FALSE(std::filesystem::exists(rj + "/gpu_jobs/14"));
            }
        }
    }
}

TEST_CASE("cleanup removes ended jobs' directories and never a running one", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            REQUIRE(sb.submit(sb.spec(1, "true")).status == SubmitReply::Status::Ok);
            REQUIRE(sb.submit(sb.spec(2, "sleep 300")).status == SubmitReply::Status::Ok);
            REQUIRE(sb.wait_end(1).exit);
            // A submit that died before tmux started, long ago.
            std::filesystem::create_directories(sb.job_dir(3));
            rjtest::write_file(sb.job_dir(3) + "/created", "1000000000\n");
            rjtest::sleep_s(1.1);  // job 1 ended at least a second ago

            // A dry run lists job 1 and writes nothing, not even job 3's note.
            auto dry = parse_cleanup(sb.run(cleanup_script(kDefaultRjDir, 1, true)).out);
            REQUIRE(dry.size() == 1);
            CHECK(dry[0].id == 1);
            CHECK(dry[0].action == "would-remove");
            CHECK(dry[0].reason == "ended");
            CHECK(std::filesystem::exists(sb.job_dir(1)));
            CHECK_FALSE(std::filesystem::exists(sb.job_dir(3) + "/dead"));

            // Job 3 never started and has no end time: the first cleanup only
            // notes when it found it dead, whatever its creation time says.
            auto recent = parse_cleanup(sb.run(cleanup_script(kDefaultRjDir, 3600, false)).out);
            REQUIRE(recent.size() == 1);
            CHECK(recent[0].id == 3);
            CHECK(recent[0].reason == "never-started");
            CHECK(recent[0].action == "noted");
            CHECK(std::filesystem::exists(sb.job_dir(3)));
            CHECK(parse_cleanup(sb.run(cleanup_script(kDefaultRjDir, 3600, false)).out).empty());

            rjtest::sleep_s(1.1);  // job 3 was noted at least a second ago
            auto real = parse_cleanup(sb.run(cleanup_script(kDefaultRjDir, 1, false)).out);
            REQUIRE(real.size() == 2);
            CHECK(real[0].id == 1);
            CHECK(real[0].action == "removed");
            CHECK(real[1].id == 3);
            CHECK(real[1].action == "removed");
            CHECK_FALSE(std::filesystem::exists(sb.job_dir(1)));
            CHECK_FALSE(std::filesystem::exists(sb.job_dir(3)));
            CHECK(std::filesystem::exists(sb.job_dir(2) + "/log"));

            auto rm = parse_remove(sb.run(remove_job_files_script(kDefaultRjDir, {2, 4})).out);
            REQUIRE(rm.size() == 2);
            CHECK(rm[0].action == "running");
            CHECK(rm[1].action == "missing");
            sb.run(kill_script(kDefaultRjDir, {2}, 1, 5));
            auto rm2 = parse_remove(sb.run(remove_job_files_script(kDefaultRjDir, {2})).out);
            REQUIRE(rm2.size() == 1);
            CHECK(rm2[0].action == "removed");
            CHECK_FALSE(std::filesystem::exists(sb.job_dir(2)));
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("host info reports this machine", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            rjtest::RunResult r = sb.run(host_info_script());
            REQUIRE(r.status == 0);
            HostInfo h = parse_host_info(r.out);
            CHECK(h.os == "Linux");
            CHECK_FALSE(h.arch.empty());
            CHECK(h.cpus >= 1);
            CHECK(h.mem_total_bytes > 0);
            CHECK(h.mem_available_bytes > 0);
            CHECK(h.mem_available_bytes <= h.mem_total_bytes);
            CHECK(h.has_load);
            CHECK(h.tmux_version.rfind("tmux ", 0) == 0);
            CHECK_FALSE(h.bash_path.empty());
            CHECK(h.host_now > 1600000000);
        }
    }
}

TEST_CASE("host info reads GPUs from nvidia-smi and survives its failure", "[remote]") {
    Sandbox sb(rjtest::shells().front());
    std::string smi = sb.bin + "/nvidia-smi";
    rjtest::write_file(smi,
                       "#!/bin/sh\n"
                       "case \"$*\" in *--query-gpu=index,name,utilization.gpu,memory.used,"
                       "memory.total*--format=csv,noheader,nounits*) ;; *) exit 2 ;; esac\n"
                       "echo '0, NVIDIA GeForce RTX 4090, 37, 10240, 24564'\n"
                       "echo '1, NVIDIA GeForce RTX 4090, [N/A], 3, 24564'\n");
    ::chmod(smi.c_str(), 0755);
    HostInfo h = parse_host_info(sb.run(host_info_script()).out);
    CHECK(h.gpu_query == "ok");
    REQUIRE(h.gpus.size() == 2);
    CHECK(h.gpus[0].name == "NVIDIA GeForce RTX 4090");
    CHECK(h.gpus[0].util_pct == 37);
    CHECK(h.gpus[0].mem_used_mib == 10240);
    CHECK(h.gpus[1].index == 1);
    CHECK(h.gpus[1].util_pct == -1);

    rjtest::write_file(smi, "#!/bin/sh\necho 'NVIDIA-SMI has failed because it could not "
                            "communicate with the NVIDIA driver.'\nexit 9\n");
    HostInfo broken = parse_host_info(sb.run(host_info_script()).out);
    CHECK(broken.gpus.empty());
    CHECK(broken.gpu_query.rfind("error NVIDIA-SMI has failed", 0) == 0);
}

TEST_CASE("host info falls back to sysctl and vm_stat without /proc (macOS)", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            rjtest::write_file(sb.bin + "/sysctl",
                               "#!/bin/sh\n"
                               "case \"$2\" in\n"
                               "  hw.memsize) echo 34359738368 ;;\n"
                               "  vm.loadavg) echo '{ 1.50 2.25 3.00 }' ;;\n"
                               "  hw.ncpu) echo 12 ;;\n"
                               "  *) exit 1 ;;\n"
                               "esac\n");
            rjtest::write_file(sb.bin + "/vm_stat",
                               "#!/bin/sh\n"
                               "cat <<'EOF'\n"
                               "Mach Virtual Memory Statistics: (page size of 16384 bytes)\n"
                               "Pages free:                               10000.\n"
                               "Pages active:                            200000.\n"
                               "Pages inactive:                           30000.\n"
                               "Pages speculative:                         5000.\n"
                               "Pages wired down:                         70000.\n"
                               "EOF\n");
            ::chmod((sb.bin + "/sysctl").c_str(), 0755);
            ::chmod((sb.bin + "/vm_stat").c_str(), 0755);
            HostInfo h = parse_host_info(sb.run(host_info_script(sb.root + "/no-proc")).out);
            CHECK(h.mem_total_bytes == 34359738368LL);
            CHECK(h.mem_available_bytes == (10000LL + 30000 + 5000) * 16384);
            REQUIRE(h.has_load);
            CHECK(h.load1 == Approx(1.5));
            CHECK(h.load5 == Approx(2.25));
            CHECK(h.load15 == Approx(3.0));
        }
    }
}

TEST_CASE("host info maps GPUs to rj jobs by process group; others' processes are counted", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            remote::JobSpec a = sb.spec(7, "sleep 30 & sleep 30; wait");
            remote::JobSpec b = sb.spec(8, "sleep 30");
            REQUIRE(sb.submit(a).status == remote::SubmitReply::Status::Ok);
            REQUIRE(sb.submit(b).status == remote::SubmitReply::Status::Ok);
            sb.wait_started(7);
            sb.wait_started(8);
            // The real CSV formats. Job 7: its shell on GPU 0 and a child of
            // its group on GPU 1; job 8 on GPU 1; a stranger (pid 1) on GPUs 0 and 2.
            std::string smi = sb.bin + "/nvidia-smi";
            rjtest::write_file(
                smi, "#!/bin/sh\n"
                     "p7=$(cat '" + sb.job_dir(7) + "/pid'); p8=$(cat '" + sb.job_dir(8) + "/pid')\n"
                     "c7=$(ps -A -o pid= -o pgid= | awk -v g=\"$p7\" '$2 == g && $1 != g { print $1; exit }')\n"
                     "case \"$*\" in\n"
                     "*--query-gpu=index,name,*) printf '0, NVIDIA A100-SXM4-80GB, 91, 30000, 81920\\n"
                     "1, NVIDIA A100-SXM4-80GB, 45, 12000, 81920\\n2, NVIDIA A100-SXM4-80GB, 0, 500, 81920\\n' ;;\n"
                     "*--query-gpu=index,uuid,temperature.gpu*) printf '0, GPU-a0, 61\\n1, GPU-a1, 55\\n2, GPU-a2, [N/A]\\n' ;;\n"
                     "*--query-compute-apps=*) printf '%s, GPU-a0, 20000\\n%s, GPU-a1, 4000\\n%s, GPU-a1, 8000\\n"
                     "1, GPU-a0, 100\\n1, GPU-a2, 400\\n' \"$p7\" \"${c7:-$p7}\" \"$p8\" ;;\n"
                     "*) exit 2 ;;\n"
                     "esac\n");
            ::chmod(smi.c_str(), 0755);
            HostInfo h;
            // The child of job 7 may still be starting: wait for it to be seen.
            double deadline = rjtest::now_s() + 10;
            do {
                h = parse_host_info(sb.run(host_info_script("/proc", a.rj_dir)).out);
                if (h.gpus.size() == 3 && h.gpus[1].jobs.size() == 2) break;
                rjtest::sleep_s(0.1);
            } while (rjtest::now_s() < deadline);
            REQUIRE(h.gpus.size() == 3);
            CHECK(h.gpus[0].temp_c == 61);
            CHECK(h.gpus[2].temp_c == -1);
            CHECK(h.gpus[0].jobs == std::vector<std::pair<int64_t, int64_t>>{{7, 20000}});
            CHECK(h.gpus[0].other_procs == 1);
            CHECK(h.gpus[1].jobs == std::vector<std::pair<int64_t, int64_t>>{{7, 4000}, {8, 8000}});
            CHECK(h.gpus[1].other_procs == 0);
            CHECK(h.gpus[2].jobs.empty());
            CHECK(h.gpus[2].other_procs == 1);
            sb.run(remote::kill_script(a.rj_dir, {7, 8}, 1, 5));
        }
    }
}

TEST_CASE("host info's per-GPU lines are checked: unknown GPUs, bad ids and absurd values are dropped", "[remote]") {
    HostInfo h = parse_host_info(
        "RJ-INFO os Linux\nRJ-GPU 0, A100, 10, 1, 2\n"
        "RJ-GPUTEMP i=0 c=999\nRJ-GPUJOB i=0 id=-3 mem=1\nRJ-GPUJOB i=5 id=9 mem=1\n"
        "RJ-GPUJOB i=0 id=4 mem=10\nRJ-GPUJOB i=0 id=4 mem=10\nRJ-GPUOTHER i=0 procs=2 mem=5\nRJ-END\n");
    REQUIRE(h.gpus.size() == 1);
    CHECK(h.gpus[0].temp_c == -1);
    CHECK(h.gpus[0].jobs == std::vector<std::pair<int64_t, int64_t>>{{4, 10}});
    CHECK(h.gpus[0].other_procs == 2);
}
