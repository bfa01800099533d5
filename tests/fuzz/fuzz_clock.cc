// Fuzz target: the clock-offset path. A host's `now=` against our clock gives
// its skew (engine::host_clock_skew), and every host time of its sync reply
// (journal times, started=/ended=, the jobs' start, creation and exit times,
// log growth) is moved into our clock (engine::shift_host_times); then the
// quiet time, stall and the facts a face shows are computed from them.
// A host may send any 64-bit number: each result must be the exact
// arithmetic, clamped to the int64 range, never a wrap.
//
// Input: a first line "OURS HOSTNOW" (two decimal numbers, our clock and the
// host's now=; anything else reads as 0), then the reply's fact lines
// (RJ-JOB, RJ-EXIT, RJ-LOGSTATE, ...) up to a line "--", then the journal's
// bytes, framed here as the sync script frames them.
#include "config.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

#include "engine/host_clock.h"
#include "engine/job_facts.h"
#include "engine/progress.h"
#include "fuzz_support.h"
#include "remote/protocol.h"
#include "store/job.h"
#include "util/error.h"

namespace {

using i128 = __int128;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

int64_t clamp(i128 v) { return v > kMax ? kMax : v < kMin ? kMin : static_cast<int64_t>(v); }

int64_t number(std::string_view s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size() ? v : 0;
}

// What host_clock_skew promises, computed in 128 bits: 0 without two
// positive clocks or within the tolerance; else the difference rounded half
// away from zero to a multiple of 10, the largest such int64 when past it.
int64_t expected_skew(int64_t host_now, int64_t ours) {
    if (host_now <= 0 || ours <= 0) return 0;
    i128 d = i128{host_now} - ours;
    if (d > -60 && d < 60) return 0;
    i128 r = d >= 0 ? (d + 5) / 10 * 10 : -((-d + 5) / 10 * 10);
    if (r > kMax) return kMax / 10 * 10;
    if (r < kMin) return -(kMax / 10 * 10);
    return static_cast<int64_t>(r);
}

// One host time moved to our clock: unrecorded (<= 0) stays; else
// t - skew, at least 1, at most INT64_MAX.
int64_t expected_local(int64_t t, int64_t skew) {
    if (t <= 0) return t;
    i128 v = i128{t} - skew;
    return v < 1 ? 1 : clamp(v);
}

void check_time(int64_t before, int64_t after, int64_t skew) { FUZZ_CHECK(after == expected_local(before, skew)); }

// A duration on the host (b - a) is kept when neither end was clamped.
void check_duration(int64_t a, int64_t b, int64_t a2, int64_t b2, int64_t skew) {
    auto exact = [&](int64_t t) {
        i128 v = i128{t} - skew;
        return t > 0 && v >= 1 && v <= kMax;
    };
    if (exact(a) && exact(b)) FUZZ_CHECK(i128{b2} - a2 == i128{b} - a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string in = fuzz::bytes(data, size);
    size_t nl = in.find('\n');
    std::string first = in.substr(0, nl);
    std::string rest = nl == std::string::npos ? std::string() : in.substr(nl + 1);
    size_t sp = first.find(' ');
    const int64_t ours = number(std::string_view(first).substr(0, sp));
    const int64_t host_now = sp == std::string::npos ? 0 : number(std::string_view(first).substr(sp + 1));
    std::string facts = rest, journal;
    if (size_t sep = rest.find("--\n"); sep != std::string::npos && (sep == 0 || rest[sep - 1] == '\n')) {
        facts = rest.substr(0, sep);
        journal = rest.substr(sep + 3);
    }
    std::string out = "RJ-SYNC v=1 now=" + std::to_string(host_now) + "\nRJ-TMUX ok\n" + facts +
                      "\nRJ-JOURNAL offset=0 size=" + std::to_string(journal.size()) +
                      " reset=0 more=0 rotated=1 bytes=" + std::to_string(journal.size()) + "\n" + journal + "\nRJ-END\n";
    remote::SyncReply rep;
    try {
        rep = remote::parse_sync(out);
    } catch (const remote::ProtocolError&) {
        return 0;  // fact lines that break the framing: not this target's business
    }
    const remote::SyncReply before = rep;
    const int64_t skew = engine::host_clock_skew(rep.host_now, ours);
    FUZZ_CHECK(skew == expected_skew(rep.host_now, ours));
    engine::shift_host_times(rep, skew);

    check_time(before.host_now, rep.host_now, skew);
    FUZZ_CHECK(rep.events.size() == before.events.size());
    for (size_t i = 0; i < rep.events.size(); ++i) {
        const auto &b = before.events[i], &a = rep.events[i];
        check_time(b.time, a.time, skew);
        FUZZ_CHECK(a.fields.size() == b.fields.size());
        for (size_t f = 0; f < a.fields.size(); ++f) {
            const auto &[bk, bv] = b.fields[f];
            const auto &[ak, av] = a.fields[f];
            FUZZ_CHECK(ak == bk);
            int64_t t = 0;
            auto [p, ec] = std::from_chars(bv.data(), bv.data() + bv.size(), t);
            bool shifted = skew != 0 && (bk == "started" || bk == "ended") && ec == std::errc() &&
                           p == bv.data() + bv.size() && t > 0;
            if (shifted) FUZZ_CHECK(av == std::to_string(expected_local(t, skew)));
            else FUZZ_CHECK(av == bv);  // no skew, not a time, or not one: as the host wrote it
        }
        check_duration(b.get_int("started"), b.get_int("ended"), a.get_int("started"), a.get_int("ended"), skew);
    }
    FUZZ_CHECK(rep.jobs.size() == before.jobs.size());
    for (const auto& [id, f] : rep.jobs) {
        const auto& b = before.jobs.at(id);
        check_time(b.started, f.started, skew);
        check_time(b.created, f.created, skew);
        FUZZ_CHECK(f.exit.has_value() == b.exit.has_value());
        if (f.exit) {
            check_time(b.exit->started, f.exit->started, skew);
            check_time(b.exit->ended, f.exit->ended, skew);
            check_duration(b.exit->started, b.exit->ended, f.exit->started, f.exit->ended, skew);
        }
    }
    for (const auto& [id, log] : rep.logs) check_time(before.logs.at(id).grew, log.grew, skew);

    // What the engine computes from them, in our clock `ours`: quiet time and
    // stall (sync), then the facts `rj -b show` and the interface print.
    for (const auto& [id, f] : rep.jobs) {
        store::Job job;
        job.id = id;
        job.status = f.exit ? store::Status::Completed : store::Status::Running;
        job.created_at = f.created;
        if (f.started != 0) job.started_at = f.started;
        if (f.exit && f.exit->ended != 0) job.ended_at = f.exit->ended;
        if (auto it = rep.logs.find(id); it != rep.logs.end()) {
            auto live = engine::live_from_sync(job, it->second, engine::fraction_from_log(job, it->second), rep.host_now, ours, std::chrono::seconds(1800));
            FUZZ_CHECK(live.quiet_since.has_value());
            FUZZ_CHECK(*live.quiet_since <= ours);  // quiet for no time or some, never negative
            if (live.stalled_since) FUZZ_CHECK(*live.stalled_since >= *live.quiet_since);
            job.live = live;
            // Done (1.0): the ETA's own arithmetic (util::eta_seconds) is
            // not this target's; the time since the reading is.
            job.live.fraction = 1.0;
            job.live.fraction_at = rep.host_now;
        }
        auto shown = engine::job_facts(job, ours);
        FUZZ_CHECK(!shown.empty());
        (void)engine::progress_text(job, ours);
    }
    return 0;
}
