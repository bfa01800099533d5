#include "config.h"

#include "tui/host_view.h"

#include <algorithm>

namespace tui {

double HostView::cpu() const {
    if (!have_info || info.cpus <= 0) return -1;
    return std::clamp(info.load1 / info.cpus, 0.0, 1.0);
}

double HostView::mem() const {
    if (!have_info || info.mem_total_kib <= 0) return -1;
    return std::clamp(1.0 - static_cast<double>(info.mem_available_kib) / static_cast<double>(info.mem_total_kib),
                      0.0, 1.0);
}

double HostView::gpu() const {
    if (!have_info || info.gpus.empty()) return -1;
    double sum = 0;
    for (const auto& g : info.gpus) sum += g.utilization_pct;
    return std::clamp(sum / (100.0 * static_cast<double>(info.gpus.size())), 0.0, 1.0);
}

double HostView::gpu_mem() const {
    if (!have_info || info.gpus.empty()) return -1;
    int64_t used = 0, total = 0;
    for (const auto& g : info.gpus) {
        used += g.memory_used_mib;
        total += g.memory_total_mib;
    }
    return total > 0 ? std::clamp(static_cast<double>(used) / static_cast<double>(total), 0.0, 1.0) : -1;
}

void HostView::record(const engine::HostInfo& fresh, int64_t now) {
    info = fresh;
    have_info = true;
    state = State::Online;
    offline_since = 0;
    last_seen = now;
    error.clear();
    // GPU boxes are about their GPUs; the others about load.
    double sample = gpu() >= 0 ? std::max(gpu(), cpu()) : cpu();
    history.push_back(static_cast<float>(std::max(0.0, sample)));
    while (history.size() > kHistory) history.pop_front();
}

void HostView::went_offline(const std::string& why, int64_t now) {
    if (offline_since == 0) offline_since = now;  // keep the first moment it was missed
    state = State::Offline;
    error = why;
}

const char* state_text(HostView::State s) {
    switch (s) {
        case HostView::State::Unknown: return "unknown";
        case HostView::State::Connecting: return "connecting";
        case HostView::State::Online: return "online";
        case HostView::State::Offline: return "offline";
        case HostView::State::Error: return "error";
    }
    return "?";
}

}  // namespace tui
