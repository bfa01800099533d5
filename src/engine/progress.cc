#include "config.h"

#include "engine/progress.h"

#include <cstdio>

#include "util/duration.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/saturating.h"

namespace engine {

std::optional<double> fraction_from_log(const store::Job& job, const remote::LogState& log) {
    if (job.progress.empty() || log.tail.empty()) return std::nullopt;
    auto pattern = util::compile_progress(job.progress, nullptr);
    if (!pattern) return std::nullopt;
    return util::progress_fraction(*pattern, log.tail);
}

store::Job::Live live_from_sync(const store::Job& job, const remote::LogState& log, std::optional<double> fraction,
                                int64_t host_now, int64_t now, std::chrono::seconds stall_after) {
    store::Job::Live live = job.live;
    // Host times are any numbers the host sent: saturating, never wrapping.
    int64_t quiet = host_now > log.grew ? util::sat_sub(host_now, log.grew) : 0;
    live.quiet_since = util::sat_sub(now, quiet);
    live.gpus = log.gpus;
    live.gpu_util = log.gpus.empty() ? std::nullopt : log.gpu_util;
    if (fraction) {
        live.fraction = *fraction;
        live.fraction_at = now;
    }
    if (stall_after.count() > 0 && quiet >= stall_after.count()) {
        if (!live.stalled_since) live.stalled_since = util::sat_add(*live.quiet_since, stall_after.count());
    } else {
        live.stalled_since.reset();
    }
    return live;
}

void check_progress_pattern(const std::string& pattern) {
    std::string problem;
    if (!util::compile_progress(pattern, &problem))
        throw util::UsageError::in("progress", "'" + pattern + "' " + problem,
                                   "for example 'Epoch (\\d+)/(\\d+)', '(\\d+)% done' or percent");
}

std::string progress_text(const store::Job& job, int64_t now) {
    if (!job.live.fraction) return {};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", *job.live.fraction * 100.0);
    std::string text = buf;
    if (job.started_at && !job.terminal()) {
        // The pace up to when the fraction was read, projected from then.
        int64_t at = job.live.fraction_at.value_or(now);
        if (auto eta = util::eta_seconds(*job.live.fraction, util::sat_sub(at, *job.started_at))) {
            int64_t left = util::sat_sub(*eta, util::sat_sub(now, at));
            if (left > 0 && *job.live.fraction < 1) text += " ETA " + util::format_duration(util::Seconds(left));
        }
    }
    return text;
}

}  // namespace engine
