// What the UI knows about one host: reachability as last observed, the last
// host_info() answer (meters) with a short history for the sparkline, and
// the counts of its implicit default queue.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "engine/jobs.h"

namespace tui {

struct HostView {
    enum class State { Unknown, Connecting, Online, Offline, Error };

    std::string name;
    std::string description;  // [host NAME] description in rj's config
    State state = State::Unknown;
    int64_t offline_since = 0;  // unix seconds, when state is Offline
    int64_t last_seen = 0;
    std::string error;  // why it is offline or in error
    engine::HostInfo info;
    bool have_info = false;
    bool info_in_flight = false;
    std::deque<float> history;  // load (or GPU use), 0..1, oldest first
    int64_t waiting = 0, running = 0;  // jobs of its default queue

    // Meter values, 0..1 (negative when unknown).
    double cpu() const;
    double mem() const;
    double gpu() const;      // mean utilisation over its GPUs
    double gpu_mem() const;  // used / total over its GPUs
    void record(const engine::HostInfo& fresh, int64_t now);
    void went_offline(const std::string& why, int64_t now);
};

const char* state_text(HostView::State s);

// How many samples the sparkline keeps.
inline constexpr size_t kHistory = 24;

}  // namespace tui
