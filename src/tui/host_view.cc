#include "config.h"

#include "tui/host_view.h"

#include <algorithm>

#include "tui/text.h"
#include "util/duration.h"

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

namespace {

bool same_queue(const engine::QueueState& a, const engine::QueueState& b) {
    return a.host == b.host && a.name == b.name && a.state == b.state && a.slots == b.slots &&
           a.waiting == b.waiting && a.held == b.held && a.running == b.running;
}

// "default" first (the queue most jobs use), then by name: rows stay put
// whatever order the host lists them in.
void sort_queues(std::vector<engine::QueueState>& v) {
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
        if ((a.name == "default") != (b.name == "default")) return a.name == "default";
        return a.name < b.name;
    });
}

}  // namespace

bool HostView::set_queues(std::vector<engine::QueueState> fresh) {
    // A host with several remote directories reports a queue once per
    // directory: one row per name, with the counts added up.
    std::vector<engine::QueueState> merged;
    for (auto& q : fresh) {
        auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& m) { return m.name == q.name; });
        if (it == merged.end()) {
            merged.push_back(std::move(q));
            continue;
        }
        it->waiting += q.waiting;
        it->held += q.held;
        it->running += q.running;
        if (q.state == "running" || (q.state == "draining" && it->state == "stopped")) {
            it->state = q.state;
            it->slots = q.slots;
        }
    }
    sort_queues(merged);
    bool changed = merged.size() != queues.size() ||
                   !std::equal(merged.begin(), merged.end(), queues.begin(), same_queue);
    queues = std::move(merged);
    return changed;
}

bool HostView::merge_queues(const std::vector<engine::QueueState>& fresh) {
    std::vector<engine::QueueState> next = queues;
    for (const auto& q : fresh) {
        auto it = std::find_if(next.begin(), next.end(), [&](const auto& m) { return m.name == q.name; });
        if (it == next.end()) next.push_back(q);
        else *it = q;
    }
    return set_queues(std::move(next));
}

const engine::QueueState* HostView::queue(const std::string& queue_name) const {
    for (const auto& q : queues)
        if (q.name == queue_name) return &q;
    return nullptr;
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

namespace tui {

std::vector<std::string> gpu_table_lines(const HostView& host, int64_t now) {
    std::vector<std::string> out;
    if (!host.have_info || host.info.gpus.empty()) return out;
    std::string title = "GPUs of " + sanitize(host.name);
    if (host.state == HostView::State::Offline && host.last_seen > 0)
        title += " (offline; last probe " + util::format_duration(util::Seconds(std::max<int64_t>(0, now - host.last_seen))) + " ago)";
    out.push_back(title);
    size_t name_w = 4;
    for (const auto& g : host.info.gpus) name_w = std::max(name_w, std::min<size_t>(24, sanitize(g.name).size()));
    auto pad = [](std::string s, size_t w) {
        if (s.size() > w) s = s.substr(0, w);
        return s + std::string(w - s.size(), ' ');
    };
    out.push_back(pad("GPU", 4) + pad("NAME", name_w + 1) + pad("UTIL", 6) + pad("MEMORY MiB", 16) + pad("TEMP", 6) + "JOBS");
    for (const auto& g : host.info.gpus) {
        std::string jobs;
        for (const auto& [id, mib] : g.jobs) jobs += (jobs.empty() ? "" : ", ") + std::to_string(id);
        if (g.other_procs > 0) jobs += (jobs.empty() ? "" : " ") + std::string("+") + std::to_string(g.other_procs) + " other";
        out.push_back(pad(std::to_string(g.index), 4) + pad(sanitize(g.name), name_w + 1) +
                      pad(g.utilization_pct >= 0 ? std::to_string(g.utilization_pct) + "%" : "-", 6) +
                      pad(g.memory_total_mib > 0 ? std::to_string(g.memory_used_mib) + "/" + std::to_string(g.memory_total_mib) : "-", 16) +
                      pad(g.temperature_c >= 0 ? std::to_string(g.temperature_c) + "C" : "-", 6) + (jobs.empty() ? "-" : jobs));
    }
    return out;
}

std::string sparkline(const std::vector<double>& values, int width, bool utf8) {
    static const char* const kUtf8[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char* const kAscii[] = {"_", ".", "-", "~", "=", "+", "*", "#"};
    const char* const* levels = utf8 ? kUtf8 : kAscii;
    std::string s;
    int n = static_cast<int>(values.size());
    for (int i = 0; i < width; ++i) {
        int k = n - width + i;
        if (k < 0 || values[static_cast<size_t>(k)] < 0) {
            s += ' ';
            continue;
        }
        s += levels[std::clamp(static_cast<int>(values[static_cast<size_t>(k)] * 8), 0, 7)];
    }
    return s;
}

std::vector<std::string> history_lines(const HostView& host, int64_t now, int width, bool utf8) {
    std::vector<std::string> out;
    if (host.probes.empty() || width < 20) return out;
    // One column per minute of the last hour (or fewer when narrow); a minute
    // without a probe is a gap.
    int cols = std::min(60, width - 16);
    int64_t last = now / 60;
    std::vector<double> load(static_cast<size_t>(cols), -1), mem(load), gpu(load);
    bool any_gpu = false;
    for (const auto& p : host.probes) {
        int64_t k = cols - 1 - (last - p.minute);
        if (k < 0 || k >= cols) continue;
        load[static_cast<size_t>(k)] = p.load;
        mem[static_cast<size_t>(k)] = p.mem;
        gpu[static_cast<size_t>(k)] = p.gpu;
        any_gpu = any_gpu || p.gpu >= 0;
    }
    auto latest = [](const std::vector<double>& v) {
        for (auto it = v.rbegin(); it != v.rend(); ++it)
            if (*it >= 0) return std::to_string(static_cast<int>(*it * 100 + 0.5)) + "%";
        return std::string("-");
    };
    out.push_back("last " + std::to_string(cols) + " min, a column a minute");
    out.push_back("load " + sparkline(load, cols, utf8) + " " + latest(load));
    out.push_back("mem  " + sparkline(mem, cols, utf8) + " " + latest(mem));
    if (any_gpu) out.push_back("gpu  " + sparkline(gpu, cols, utf8) + " " + latest(gpu));
    return out;
}

}  // namespace tui
