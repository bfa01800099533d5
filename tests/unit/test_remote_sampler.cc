// The host sampler (src/remote/sh/sampler.sh): one process samples every
// running job of an rj directory, elected by a lock among the wrappers, and
// another wrapper takes over when the holder's job ends.
#include "config.h"

#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "test_remote_support.h"

using rjtest::Sandbox;

namespace {

// RJ/usage.now as id -> (rss_kib, samples).
std::map<int64_t, std::pair<long, long>> usage_now(const Sandbox& sb) {
    std::map<int64_t, std::pair<long, long>> out;
    std::istringstream in(rjtest::read_file(sb.job_dir(1) + "/../../usage.now"));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        int64_t id = 0;
        if (!(words >> id)) continue;
        std::string kv;
        long rss = -1, samples = -1;
        while (words >> kv) {
            if (kv.rfind("rss_kib=", 0) == 0) rss = std::stol(kv.substr(8));
            if (kv.rfind("samples=", 0) == 0) samples = std::stol(kv.substr(8));
        }
        out[id] = {rss, samples};
    }
    return out;
}

// The sampler's pid (RJ/sampler.pid) and its parent's, or 0s.
std::pair<long, long> sampler_and_parent(const Sandbox& sb) {
    long pid = 0, ppid = 0;
    std::istringstream(rjtest::read_file(sb.job_dir(1) + "/../../sampler.pid")) >> pid;
    if (pid <= 0 || !rjtest::pid_alive(pid)) return {0, 0};
    std::string stat = rjtest::read_file("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos) return {0, 0};
    std::istringstream rest(stat.substr(close + 2));
    std::string state;
    rest >> state >> ppid;
    return {pid, ppid};
}

long wrapper_pid(const Sandbox& sb, int64_t id) {
    long w = 0;
    std::istringstream(rjtest::read_file(sb.job_dir(id) + "/wpid")) >> w;
    return w;
}

}  // namespace

TEST_CASE("one sampler per host: a wrapper samples every running job in one pass, another takes over when its job ends",
          "[remote][usage]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            REQUIRE(sb.submit(sb.spec(1, "sleep 4")).status == remote::SubmitReply::Status::Ok);
            sb.wait_started(1);
            for (int64_t id : {2, 3})
                REQUIRE(sb.submit(sb.spec(id, "sleep 120")).status == remote::SubmitReply::Status::Ok);
            for (int64_t id : {2, 3}) sb.wait_started(id);
            // All three measured (each woke the sampler for an early sample)
            // by the first job's wrapper, the one that took the lock.
            std::pair<long, long> first{0, 0};
            double until = rjtest::now_s() + 20;
            bool all = false;
            while (rjtest::now_s() < until) {
                auto u = usage_now(sb);
                all = u.count(1) && u.count(2) && u.count(3) && u[1].first > 0 && u[2].first > 0 && u[3].first > 0;
                first = sampler_and_parent(sb);
                if (all && first.first) break;
                rjtest::sleep_s(0.2);
            }
            INFO(rjtest::read_file(sb.job_dir(1) + "/../../usage.now"));
            REQUIRE(all);
            REQUIRE(first.first > 0);
            CHECK(first.second == wrapper_pid(sb, 1));
            // Job 1 ends: its sampler stops, a waiting wrapper (2 or 3) samples on.
            REQUIRE(sb.wait_end(1, 20).exit);
            std::pair<long, long> next{0, 0};
            long samples_then = usage_now(sb)[2].second;
            bool took_over = false;
            until = rjtest::now_s() + 40;
            while (rjtest::now_s() < until) {
                next = sampler_and_parent(sb);
                if (next.first && next.first != first.first && usage_now(sb)[2].second > samples_then + 1) {
                    took_over = true;
                    break;
                }
                rjtest::sleep_s(0.3);
            }
            CHECK(took_over);
            CHECK_FALSE(rjtest::pid_alive(first.first));
            CHECK((next.second == wrapper_pid(sb, 2) || next.second == wrapper_pid(sb, 3)));
            // The ended job left the register of running jobs.
            CHECK(sb.sh("test -e '" + sb.job_dir(1) + "/../../running/1'").status != 0);
            CHECK(sb.sh("test -e '" + sb.job_dir(2) + "/../../running/2'").status == 0);
        }
    }
}
