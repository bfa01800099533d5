// Times a host sends are any 64-bit numbers: arithmetic on them (clock
// offsets, durations, quiet times) saturates at the int64 limits instead of
// overflowing (undefined behaviour, in practice a wrap into the past). The
// values here are the extremes a hostile host can send; the sanitized build
// (tests/sanitize/run-sanitized) runs these cases under UBSan too.
#include "config.h"

#include <catch2/catch.hpp>

#include <string>

#include "engine/host_clock.h"
#include "engine/job_facts.h"
#include "engine/progress.h"
#include "remote/protocol.h"
#include "store/job.h"
#include "util/saturating.h"

namespace {

constexpr int64_t kMax = util::kInt64Max;
constexpr int64_t kMin = util::kInt64Min;
constexpr int64_t kNow = 1800000000;  // our clock in these cases

std::string fact(const std::vector<engine::JobFact>& facts, const std::string& label) {
    for (const auto& f : facts)
        if (f.label == label) return f.value;
    return "(no " + label + ")";
}

}  // namespace

TEST_CASE("saturating arithmetic sticks at the int64 limits", "[util][clock]") {
    CHECK(util::sat_add(1, 2) == 3);
    CHECK(util::sat_sub(1, 2) == -1);
    CHECK(util::sat_add(kMax, 1) == kMax);
    CHECK(util::sat_add(kMax, kMax) == kMax);
    CHECK(util::sat_add(kMin, -1) == kMin);
    CHECK(util::sat_add(kMin, kMin) == kMin);
    CHECK(util::sat_add(kMax, kMin) == -1);
    CHECK(util::sat_sub(kMax, -1) == kMax);
    CHECK(util::sat_sub(kMin, 1) == kMin);
    CHECK(util::sat_sub(0, kMin) == kMax);
    CHECK(util::sat_sub(-1, kMin) == kMax);
    CHECK(util::sat_sub(kMin, kMax) == kMin);
    CHECK(util::sat_sub(kMax, kMax) == 0);
}

TEST_CASE("host clock skew saturates for now= near INT64_MAX and ours near it", "[engine][clock]") {
    // A host that says it is the end of time is far ahead, never behind.
    int64_t ahead = engine::host_clock_skew(kMax, 1);
    CHECK(ahead > 0);
    CHECK(ahead % 10 == 0);
    CHECK(ahead >= kMax - 10);
    int64_t behind = engine::host_clock_skew(1, kMax);
    CHECK(behind < 0);
    CHECK(behind % 10 == 0);
    CHECK(behind <= -(kMax - 10));
    CHECK(engine::host_clock_skew(kMin, kNow) == 0);  // no time sent
    CHECK(engine::host_clock_skew(kMax, kMax) == 0);
}

TEST_CASE("host times shifted to our clock saturate instead of wrapping into the past", "[engine][clock]") {
    // Host behind us by 56 years (now=1 against kNow), and a time at INT64_MAX.
    int64_t skew = engine::host_clock_skew(1, kNow);
    REQUIRE(skew < 0);
    CHECK(engine::host_time_to_local(kMax, skew) == kMax);
    CHECK(engine::host_time_to_local(kMax - 5, skew) == kMax);
    CHECK(engine::host_time_to_local(1000, skew) == 1000 - skew);
    // Host ahead: a small time lands before 1970 and reads as 1, the earliest.
    CHECK(engine::host_time_to_local(5, 3600) == 1);
    CHECK(engine::host_time_to_local(5, kMax) == 1);
    // 0 and below: not recorded, left as they are.
    CHECK(engine::host_time_to_local(0, skew) == 0);
    CHECK(engine::host_time_to_local(kMin, skew) == kMin);

    remote::SyncReply reply;
    reply.host_now = 1;
    remote::JournalEvent ev;
    ev.time = kMax;
    ev.id = 3;
    ev.event = "exit";
    ev.fields = {{"started", std::to_string(kMax - 1)}, {"ended", std::to_string(kMax)}, {"code", "0"}};
    reply.events.push_back(ev);
    remote::JobFacts facts;
    facts.id = 3;
    facts.started = kMax;
    facts.created = kMax - 1;
    facts.exit = remote::ExitRecord{};
    facts.exit->started = kMax;
    facts.exit->ended = kMax;
    reply.jobs[3] = facts;
    reply.logs[3].grew = kMax;
    engine::shift_host_times(reply, skew);
    CHECK(reply.host_now == 1 - skew);
    CHECK(reply.events[0].time == kMax);
    CHECK(reply.events[0].get_int("started") == kMax);
    CHECK(reply.events[0].get_int("ended") == kMax);
    CHECK(reply.events[0].get("code") == "0");
    CHECK(reply.jobs[3].started == kMax);
    CHECK(reply.jobs[3].created == kMax);
    CHECK(reply.jobs[3].exit->started == kMax);
    CHECK(reply.jobs[3].exit->ended == kMax);
    CHECK(reply.logs[3].grew == kMax);
}

TEST_CASE("quiet times, stalls and durations from extreme host times saturate", "[engine][clock]") {
    store::Job j;
    j.status = store::Status::Running;
    j.started_at = kNow - 100;
    remote::LogState log;
    log.bytes = 10;
    log.grew = kMin;  // the parser refuses this one; the arithmetic must not care
    auto live = engine::live_from_sync(j, log, std::nullopt, kMax, kNow, std::chrono::minutes(30));
    REQUIRE(live.quiet_since);
    CHECK(*live.quiet_since == kNow - kMax);  // quiet for INT64_MAX seconds, not for a negative time
    REQUIRE(live.stalled_since);
    CHECK(*live.stalled_since == kNow - kMax + 30 * 60);

    // The interface's and `rj -b show`'s facts: a quiet start in the far
    // past is a long stall, not "0s".
    j.live.quiet_since = kMin;
    j.live.stalled_since = kMin;
    auto facts = engine::job_facts(j, kNow);
    CHECK(fact(facts, "Stalled").rfind("its log has not grown for 106751991167300d", 0) == 0);
    // A run from the earliest to the latest time lasted long, not 0 s.
    j.status = store::Status::Completed;
    j.started_at = kMin;
    j.ended_at = kMax;
    CHECK(fact(engine::job_facts(j, kNow), "Ran for").rfind("106751991167300d", 0) == 0);
    // ETA from a fraction read at INT64_MAX against a start at INT64_MIN,
    // looked at from INT64_MIN: the time left is the most there is.
    j.status = store::Status::Running;
    j.ended_at.reset();
    j.live.fraction = 0.9;
    j.live.fraction_at = kMax;
    CHECK(engine::progress_text(j, kMin).rfind("90% ETA 106751991167300d", 0) == 0);
}
