// The remote scripts on a Mac: a sandbox whose PATH starts with fakes of
// uname, sysctl and vm_stat (tests/harness/macos-fakes) that print real macOS
// output. The scripts ask `uname -s` once and, on Darwin, take every figure
// from those commands and ps, never from /proc (which this Linux machine has:
// the figures asserted are the fakes', not this machine's).
#include "config.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <regex>

#include <catch2/catch.hpp>

#include "remote/protocol.h"
#include "precondition.h"
#include "test_remote_support.h"

using rjtest::Sandbox;

namespace {

// What the fakes print (see their comments).
constexpr int kCpus = 12;
constexpr int64_t kMemTotal = 34359738368LL;                         // sysctl hw.memsize
constexpr int64_t kMemAvailable = (13251LL + 506489 + 12082) * 16384;  // vm_stat free+inactive+speculative
constexpr const char* kBootUuid = "5F1B3A2C-8E4D-4C7A-9B21-3D6E0F1A2B4C";  // kern.bootsessionuuid

// tests/harness/macos-fakes: under $RJ_SRCDIR (make check sets it), else
// beside this file.
std::string fakes_dir() {
    const char* src = std::getenv("RJ_SRCDIR");
    std::string top = src ? src : "";
    if (top.empty()) {
        top = __FILE__;
        top = top.substr(0, top.rfind("tests/unit/"));
        if (top.empty()) top = ".";
    }
    // Absolute: the sandbox's shells run in its HOME.
    std::string dir = top + "/tests/harness/macos-fakes";
    char* abs = ::realpath(dir.c_str(), nullptr);
    if (abs) {
        dir = abs;
        std::free(abs);
    }
    return dir;
}

// Puts the fakes first on the sandbox's PATH; false (skipped, or failed
// under CI) when they are not found.
bool play_mac(Sandbox& sb) {
    std::string dir = fakes_dir();
    if (!testing_support::precondition(::access((dir + "/uname").c_str(), X_OK) == 0, "the macOS fakes in " + dir))
        return false;
    sb.path = dir + ":" + sb.path;
    return true;
}

}  // namespace

TEST_CASE("on a Mac host info and free report sysctl's and vm_stat's figures, not /proc's", "[remote][macos]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            if (!play_mac(sb)) return;
            // The default proc_dir, /proc, exists here: Darwin alone must keep the scripts off it.
            auto run = sb.run(remote::host_info_script());
            INFO(run.out << run.err);
            remote::HostInfo h = remote::parse_host_info(run.out);
            CHECK(h.os == "Darwin");
            CHECK(h.kernel == "24.1.0");
            CHECK(h.arch == "arm64");
            CHECK(h.hostname == "studio.local");
            CHECK(h.cpus == kCpus);
            CHECK(h.mem_total_bytes == kMemTotal);
            CHECK(h.mem_available_bytes == kMemAvailable);
            REQUIRE(h.has_load);
            CHECK(h.load1 == Approx(1.23));
            CHECK(h.load5 == Approx(1.10));
            CHECK(h.load15 == Approx(0.98));
            CHECK(h.host_now > 1700000000);

            auto frun = sb.run(remote::free_script(remote::kDefaultRjDir, 1024));
            INFO(frun.out << frun.err);
            remote::HostFree f = remote::parse_free(frun.out);
            CHECK(f.cpus == kCpus);
            CHECK(f.load1 == Approx(1.23));
            CHECK(f.mem_total == kMemTotal);
            CHECK(f.mem_available == kMemAvailable);
        }
    }
}

TEST_CASE("on a Mac a job runs to its end with its exit code and usage; boot id and start time come from sysctl and ps",
          "[remote][macos]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            if (!play_mac(sb)) return;
            // ~20 MB held by a child of the job's group for 2.5 s, then exit 3.
            remote::JobSpec spec = sb.spec(4, "perl -e '$x = \"a\" x 20000000; sleep 2.5'; exit 3");
            REQUIRE(sb.submit(spec).status == remote::SubmitReply::Status::Ok);
            remote::JobFacts started = sb.wait_started(4);
            REQUIRE(started.pid > 0);
            // The records a later probe checks the pid against: this boot is
            // kern.bootsessionuuid, and the start time is ps's lstart text
            // (fixed locale and zone), not /proc's clock ticks.
            CHECK(rjtest::read_file(sb.job_dir(4) + "/boot") == std::string(kBootUuid) + "\n");
            std::string pstart = rjtest::read_file(sb.job_dir(4) + "/pstart");
            INFO("pstart: " << pstart);
            CHECK(std::regex_search(pstart, std::regex("^[A-Z][a-z][a-z]_[A-Z][a-z][a-z]_[0-9]+_[0-9:]+_20[0-9][0-9]\n$")));
            // Running, as the usage probe and sync see it.
            auto usage = remote::parse_usage(sb.run(remote::usage_script(spec.rj_dir, {4})).out);
            REQUIRE(usage.size() == 1);
            CHECK(usage[0].running);
            CHECK(usage[0].procs >= 1);
            auto live = sb.sync({4});
            REQUIRE(live.jobs.count(4) == 1);
            CHECK_FALSE(live.jobs[4].rebooted);
            CHECK((live.jobs[4].pid_alive || live.jobs[4].exit));

            remote::JobFacts end = sb.wait_end(4, 30);
            INFO(rjtest::read_file(sb.job_dir(4) + "/log"));
            REQUIRE(end.exit);
            CHECK(end.exit->kind == remote::EndKind::Exit);
            CHECK(end.exit->code == 3);
            REQUIRE(end.exit->usage.rss_kib);
            CHECK(*end.exit->usage.rss_kib > 10000);  // the 20 MB of the perl child
        }
    }
}

TEST_CASE("on a Mac the pid and boot checks hold when a probe's TZ differs from the job's; an older rj's boot record is read",
          "[remote][macos]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            if (!play_mac(sb)) return;
            // An older macOS without kern.bootsessionuuid: the boot id is
            // kern.boottime, whose date text is local time.
            sb.extra_env.push_back({"RJ_FAKE_SYSCTL_UNKNOWN", "kern.bootsessionuuid"});
            remote::JobSpec spec = sb.spec(5, "sleep 30");
            REQUIRE(sb.submit(spec).status == remote::SubmitReply::Status::Ok);
            REQUIRE(sb.wait_started(5).pid > 0);
            CHECK(rjtest::read_file(sb.job_dir(5) + "/boot") == "1733000000\n");
            // The job's wrapper runs in the tmux server's environment; the
            // probes now come in a session 14 hours east of it (POSIX TZ
            // form: no zoneinfo needed).
            sb.extra_env.push_back({"TZ", "XXX-14"});
            auto usage = remote::parse_usage(sb.run(remote::usage_script(spec.rj_dir, {5})).out);
            REQUIRE(usage.size() == 1);
            CHECK(usage[0].running);
            auto facts = sb.sync({5});
            REQUIRE(facts.jobs.count(5) == 1);
            CHECK_FALSE(facts.jobs[5].rebooted);
            CHECK(facts.jobs[5].pid_alive);
            CHECK(facts.jobs[5].wrapper_alive);

            // A boot record written by an older rj on a Mac: every digit of
            // kern.boottime (seconds, usec, then the local date). This boot's
            // seconds first: the same boot; another boot's: rebooted.
            rjtest::write_file(sb.job_dir(5) + "/boot", "173300000012345630205320202420\n");
            auto same = sb.sync({5});
            REQUIRE(same.jobs.count(5) == 1);
            CHECK_FALSE(same.jobs[5].rebooted);
            CHECK(same.jobs[5].pid_alive);
            rjtest::write_file(sb.job_dir(5) + "/boot", "173200000012345619204640202420\n");
            auto other = sb.sync({5});
            REQUIRE(other.jobs.count(5) == 1);
            CHECK(other.jobs[5].rebooted);

            rjtest::write_file(sb.job_dir(5) + "/boot", "1733000000\n");
            sb.run(remote::kill_script(spec.rj_dir, {5}, 1, 5));
            remote::JobFacts end = sb.wait_end(5);
            REQUIRE(end.exit);
            CHECK(end.exit->kind == remote::EndKind::Killed);
        }
    }
}
