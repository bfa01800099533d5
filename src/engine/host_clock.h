// A host whose clock is off (no NTP, a wrong time zone set as UTC): the
// times it reports for its jobs (started, ended, journal events) are in its
// own clock. Durations measured there are right; absolute times are shifted
// by the host's offset, measured at each sync from the reply's `now=`.
#pragma once

#include <cstdint>

#include "remote/protocol.h"

namespace engine {

// Below this, a difference between the host's `now=` and ours is the round
// trip and ordinary drift: host times stand as they are, so that a host with
// a good clock never sees its jobs' times rewritten.
constexpr int64_t kClockSkewToleranceS = 60;

// The host's clock minus ours, rounded to 10 s so that one job's start and
// end (seen by different syncs with different round trips) are shifted alike;
// 0 within the tolerance or when the host sent no time.
int64_t host_clock_skew(int64_t host_now, int64_t local_now);

// One host epoch `t` in our clock: t - skew, saturating at INT64_MAX (a host
// may send any number), and at least 1. 0 or less means "not recorded" in
// every field shifted here and is returned as it is.
int64_t host_time_to_local(int64_t t, int64_t skew);

// Subtracts `skew` from every host epoch of the reply: now=, journal event
// times and their started=/ended= fields, the jobs' start, creation and exit
// record times, and the logs' last growth.
void shift_host_times(remote::SyncReply& reply, int64_t skew);

}  // namespace engine
