// What the UI knows about one host: reachability as last observed, the last
// host_info() answer (meters) with a short history for the sparkline, its
// queues as the host last reported them, and the local job counts shown
// while no queue has been reported.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

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
    std::deque<float> history;  // load (or GPU use), 0..1, oldest first (this run's probes)
    // The stored probe history (one point a minute, engine::probe_history):
    // what the sparklines draw, so they survive a restart and an offline
    // host still shows its last hour.
    std::vector<engine::ProbePoint> probes;
    // Its queues as the last sync (or queue start/stop) reported them, in
    // display order; empty until the host has reported one.
    std::vector<engine::QueueState> queues;
    // Local counts, for the implicit "default" row of a host without queues:
    // jobs that wait (pending, queued) and that run (starting, running).
    int64_t waiting = 0, running = 0;
    // A SLURM cluster (scheduler = slurm), as its last sync said: the user's
    // running and pending jobs there; its partitions are `queues`.
    bool slurm = false;
    int slurm_running = 0, slurm_pending = 0;

    // Meter values, 0..1 (negative when unknown).
    double cpu() const;
    double mem() const;
    double gpu() const;      // mean utilisation over its GPUs
    double gpu_mem() const;  // used / total over its GPUs
    void record(const engine::HostInfo& fresh, int64_t now);
    void went_offline(const std::string& why, int64_t now);
    // Replaces every queue (a sync reports them all). Returns whether anything changed.
    bool set_queues(std::vector<engine::QueueState> fresh);
    // Updates the queues named in `fresh`, keeping the others (a queue
    // start/stop may answer for its queue only). Returns whether anything changed.
    bool merge_queues(const std::vector<engine::QueueState>& fresh);
    // The queue named `name`, or nullptr.
    const engine::QueueState* queue(const std::string& name) const;
};

const char* state_text(HostView::State s);

// The host's GPUs as table lines for the detail pane: a title line ("GPUs of
// gpu1", with "last probe 12m ago" when the host is offline now), a header,
// then per GPU its index, name, utilisation, memory, temperature and the
// rj jobs on it (+N other processes). Empty without GPUs. Host text sanitised.
std::vector<std::string> gpu_table_lines(const HostView& host, int64_t now);

// A sparkline of `values` (0..1; negative: a gap) `width` columns wide, the
// newest at the right; UTF-8 blocks or ASCII.
std::string sparkline(const std::vector<double>& values, int width, bool utf8);
// The host's last hour from its probe history: "load", "mem" and (with GPUs)
// "gpu" lines, each a sparkline a column per minute and the latest value.
std::vector<std::string> history_lines(const HostView& host, int64_t now, int width, bool utf8);

// How many samples the sparkline keeps.
inline constexpr size_t kHistory = 24;

}  // namespace tui
