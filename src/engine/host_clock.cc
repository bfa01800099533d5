#include "config.h"

#include "engine/host_clock.h"

#include <charconv>
#include <string>

#include "util/saturating.h"

namespace engine {

int64_t host_clock_skew(int64_t host_now, int64_t local_now) {
    if (host_now <= 0 || local_now <= 0) return 0;
    // Both positive, so the difference fits; the rounding saturates (one
    // clock near INT64_MAX, the other tiny).
    int64_t d = host_now - local_now;
    if (d > -kClockSkewToleranceS && d < kClockSkewToleranceS) return 0;
    // Round half away from zero to a multiple of 10.
    return d >= 0 ? util::sat_add(d, 5) / 10 * 10 : -(util::sat_add(-d, 5) / 10 * 10);
}

int64_t host_time_to_local(int64_t t, int64_t skew) {
    if (t <= 0) return t;
    // A host behind us (skew < 0) with a time near INT64_MAX: stuck there,
    // not wrapped around to the past.
    int64_t local = util::sat_sub(t, skew);
    return local > 0 ? local : 1;
}

namespace {
void shift(int64_t& t, int64_t skew) { t = host_time_to_local(t, skew); }
}  // namespace

void shift_host_times(remote::SyncReply& reply, int64_t skew) {
    if (skew == 0) return;
    shift(reply.host_now, skew);
    for (auto& ev : reply.events) {
        shift(ev.time, skew);
        for (auto& [key, value] : ev.fields) {
            if (key != "started" && key != "ended") continue;
            int64_t t = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
            // Not a number: left as the host wrote it, for the parser's own checks.
            if (ec != std::errc() || end != value.data() + value.size() || t <= 0) continue;
            shift(t, skew);
            value = std::to_string(t);
        }
    }
    for (auto& [id, facts] : reply.jobs) {
        shift(facts.started, skew);
        shift(facts.created, skew);
        if (facts.exit) {
            shift(facts.exit->started, skew);
            shift(facts.exit->ended, skew);
        }
    }
    for (auto& [id, log] : reply.logs) shift(log.grew, skew);
}

}  // namespace engine
