// Placement decisions (engine/placement.h) on probe results: which host of a
// pool a job goes to, what it takes from it, and why it waits.
#include <catch2/catch.hpp>

#include "engine/placement.h"
#include "util/error.h"

using engine::HostCapacity;
using engine::Requirement;

namespace {

HostCapacity host(const std::string& name, int cpus, double load, int64_t mem_gib, std::vector<bool> gpu_busy) {
    HostCapacity h;
    h.host = name;
    h.reached = true;
    h.cpus = cpus;
    h.load1 = load;
    h.mem_total = h.mem_available = mem_gib << 30;
    h.gpus_known = !gpu_busy.empty();
    for (size_t i = 0; i < gpu_busy.size(); ++i)
        h.gpus.push_back({static_cast<int>(i), gpu_busy[i], gpu_busy[i] ? 90 : 0, gpu_busy[i] ? 20000 : 5, 24576, "RTX"});
    return h;
}

HostCapacity offline(const std::string& name) {
    HostCapacity h;
    h.host = name;
    h.error = "connection refused";
    return h;
}

}  // namespace

TEST_CASE("a requirement reads and writes back its canonical text", "[placement]") {
    Requirement r = Requirement::parse("gpu:2, mem:32G,cpu:8");
    CHECK(r.gpus == 2);
    CHECK(r.mem_bytes == (int64_t{32} << 30));
    CHECK(r.cpus == 8);
    CHECK(r.text() == "gpu:2,mem:32G,cpu:8");
    CHECK(Requirement::parse(r.text()).text() == r.text());
    Requirement w = Requirement::parse("cpu_below:30,gpu_device:1,gpu_util_below:40,gpu_mem_free:12G");
    CHECK(w.gpu_when);
    CHECK(*w.gpu_device == 1);
    CHECK(Requirement::parse(w.text()).text() == w.text());
    CHECK(Requirement::parse("mem:1.5G").mem_bytes == int64_t{3} << 29);
}

TEST_CASE("a malformed requirement names the bad part", "[placement]") {
    CHECK_THROWS_WITH(Requirement::parse("gpu:two"), Catch::Contains("gpu must be a whole number"));
    CHECK_THROWS_WITH(Requirement::parse("mem:lots"), Catch::Contains("mem must be a size"));
    CHECK_THROWS_WITH(Requirement::parse("disk:10G"), Catch::Contains("unknown resource 'disk'"));
    CHECK_THROWS_WITH(Requirement::parse("gpu"), Catch::Contains("has no value"));
    CHECK_THROWS_AS(Requirement::parse(""), util::UsageError);
}

TEST_CASE("placement picks the pool host with the most free GPUs", "[placement]") {
    std::vector<HostCapacity> pool = {host("cool30", 16, 1, 64, {true, false}), host("cool100", 16, 1, 64, {false, false, false}),
                                      offline("studio")};
    auto p = engine::place(Requirement::parse("gpu:2"), pool, "gpu");
    REQUIRE(p.placed);
    CHECK(p.host == "cool100");
    CHECK(engine::gpu_list(p.gpus) == "0,1");
}

TEST_CASE("two jobs placed in one round never share a GPU", "[placement]") {
    std::vector<HostCapacity> pool = {host("a", 8, 0, 64, {false, false})};
    auto first = engine::place(Requirement::parse("gpu:1"), pool, "gpu");
    auto second = engine::place(Requirement::parse("gpu:1"), pool, "gpu");
    auto third = engine::place(Requirement::parse("gpu:1"), pool, "gpu");
    REQUIRE(first.placed);
    REQUIRE(second.placed);
    CHECK(first.gpus != second.gpus);
    CHECK_FALSE(third.placed);
    CHECK(third.reason == "no host in gpu has 1 free GPU: a 0");
}

TEST_CASE("a requirement no host meets waits with every host's shortfall", "[placement]") {
    std::vector<HostCapacity> pool = {host("cool30", 8, 0, 64, {true, false}), host("cool100", 8, 0, 64, {true, true}),
                                      offline("studio")};
    auto p = engine::place(Requirement::parse("gpu:2"), pool, "gpu");
    CHECK_FALSE(p.placed);
    CHECK(p.reason == "no host in gpu has 2 free GPUs: cool30 1, cool100 0, studio offline");
}

TEST_CASE("memory and idle CPUs decide without GPUs", "[placement]") {
    std::vector<HostCapacity> pool = {host("small", 4, 0, 16, {}), host("big", 32, 30, 256, {}), host("mid", 16, 2, 64, {})};
    auto p = engine::place(Requirement::parse("mem:32G,cpu:8"), pool, "cpu");
    REQUIRE(p.placed);
    CHECK(p.host == "mid");  // big has 2 idle CPUs, small 16G
    auto q = engine::place(Requirement::parse("mem:32G,cpu:8"), pool, "cpu");
    CHECK_FALSE(q.placed);  // mid's 14 idle CPUs less 8 = 6
    CHECK(q.reason.find("mid 32G free, 6 idle CPUs") != std::string::npos);
}

TEST_CASE("plans' when: conditions pick a GPU by use and free memory", "[placement]") {
    HostCapacity h = host("a", 8, 6, 64, {true, true});
    h.gpus[1].utilization_pct = 10;
    h.gpus[1].memory_used_mib = 4000;
    std::vector<HostCapacity> one = {h};
    CHECK_FALSE(engine::place(Requirement::parse("cpu_below:50"), one, "host a").placed);  // 6 of 8 = 75%
    auto p = engine::place(Requirement::parse("gpu_util_below:40,gpu_mem_free:12G"), one, "host a");
    REQUIRE(p.placed);
    CHECK(engine::gpu_list(p.gpus) == "1");
    CHECK_FALSE(engine::place(Requirement::parse("gpu_device:0,gpu_util_below:40"), one, "host a").placed);
}
