#include "config.h"

#include "engine/placement.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "util/error.h"
#include "util/strings.h"

namespace engine {

namespace {

std::string number_text(double v) {
    char buf[32];
    if (v == std::floor(v)) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::optional<double> parse_number(const std::string& s) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    try {
        size_t used = 0;
        double v = std::stod(s, &used);
        if (used != s.size() || !std::isfinite(v) || v < 0) return std::nullopt;
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

const char* const kRequireForms =
    "write it as gpu:N,mem:SIZE,cpu:N (any of them), e.g. --require gpu:2,mem:32G,cpu:8";

}  // namespace

std::optional<int64_t> parse_size(const std::string& text) {
    std::string s = util::to_lower(text);
    if (s.size() >= 2 && s.substr(s.size() - 2) == "ib") s.resize(s.size() - 2);
    else if (!s.empty() && s.back() == 'b') s.pop_back();
    double unit = 1;
    if (!s.empty()) {
        switch (s.back()) {
        case 'k': unit = 1024.0; break;
        case 'm': unit = 1024.0 * 1024; break;
        case 'g': unit = 1024.0 * 1024 * 1024; break;
        case 't': unit = 1024.0 * 1024 * 1024 * 1024; break;
        default: break;
        }
        if (unit != 1) s.pop_back();
    }
    auto n = parse_number(s);
    if (!n || *n * unit > 1e18) return std::nullopt;
    return static_cast<int64_t>(*n * unit);
}

std::string format_size(int64_t bytes) {
    const char* units = "BKMGT";
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, ++u;
    if (u == 0) return std::to_string(bytes);
    char buf[32];
    if (v >= 10 || v == std::floor(v)) std::snprintf(buf, sizeof buf, "%.0f%c", v, units[u]);
    else std::snprintf(buf, sizeof buf, "%.1f%c", v, units[u]);
    return buf;
}

bool Requirement::empty() const {
    return gpus == 0 && mem_bytes == 0 && cpus == 0 && !cpu_below && !gpu_when;
}

std::string Requirement::text() const {
    std::vector<std::string> parts;
    if (gpus) parts.push_back("gpu:" + std::to_string(gpus));
    if (mem_bytes) parts.push_back("mem:" + format_size(mem_bytes));
    if (cpus) parts.push_back("cpu:" + std::to_string(cpus));
    if (cpu_below) parts.push_back("cpu_below:" + number_text(*cpu_below));
    if (gpu_when) {
        parts.push_back("gpu_device:" + (gpu_device ? std::to_string(*gpu_device) : std::string("any")));
        if (gpu_util_below) parts.push_back("gpu_util_below:" + number_text(*gpu_util_below));
        if (gpu_mem_free_mib) parts.push_back("gpu_mem_free:" + format_size(*gpu_mem_free_mib * 1024 * 1024));
    }
    return util::join(parts, ",");
}

std::string Requirement::describe() const {
    std::vector<std::string> parts;
    if (gpus) parts.push_back(std::to_string(gpus) + " free GPU" + (gpus == 1 ? "" : "s"));
    if (mem_bytes) parts.push_back(format_size(mem_bytes) + " free memory");
    if (cpus) parts.push_back(std::to_string(cpus) + " idle CPU" + (cpus == 1 ? "" : "s"));
    if (cpu_below) parts.push_back("CPU use under " + number_text(*cpu_below) + "%");
    if (gpu_when) {
        std::string g = gpu_device ? "GPU " + std::to_string(*gpu_device) : std::string("a GPU");
        std::vector<std::string> c;
        if (gpu_util_below) c.push_back("under " + number_text(*gpu_util_below) + "% use");
        if (gpu_mem_free_mib) c.push_back(format_size(*gpu_mem_free_mib * 1024 * 1024) + " of its memory free");
        parts.push_back(c.empty() ? g : g + " with " + util::join(c, " and "));
    }
    return util::join(parts, ", ");
}

Requirement Requirement::parse(const std::string& text, const std::string& field) {
    Requirement r;
    if (text.find_first_not_of(" \t") == std::string::npos)
        throw util::UsageError::in(field, "is empty", kRequireForms);
    for (const std::string& raw : util::split_any(text, ",")) {
        std::string item = util::trim(raw);
        if (item.empty()) continue;
        size_t colon = item.find_first_of(":=");
        if (colon == std::string::npos)
            throw util::UsageError::in(field, "'" + item + "' has no value", kRequireForms);
        std::string key = util::to_lower(util::trim(item.substr(0, colon)));
        std::string value = util::trim(item.substr(colon + 1));
        auto whole = [&](int lo, int hi) {
            auto n = parse_number(value);
            if (!n || *n != std::floor(*n) || *n < lo || *n > hi)
                throw util::UsageError::in(field, key + " must be a whole number from " + std::to_string(lo) + " to " +
                                                      std::to_string(hi) + ", not '" + value + "'",
                                           kRequireForms);
            return static_cast<int>(*n);
        };
        auto percent = [&] {
            auto n = parse_number(value);
            if (!n || *n > 100)
                throw util::UsageError::in(field, key + " must be a percentage from 0 to 100, not '" + value + "'");
            return *n;
        };
        auto size = [&] {
            auto n = parse_size(value);
            if (!n || *n <= 0)
                throw util::UsageError::in(field, key + " must be a size like 32G or 512M, not '" + value + "'",
                                           kRequireForms);
            return *n;
        };
        if (key == "gpu" || key == "gpus") r.gpus = whole(0, 64);
        else if (key == "mem" || key == "memory" || key == "ram") r.mem_bytes = size();
        else if (key == "cpu" || key == "cpus") r.cpus = whole(0, 4096);
        else if (key == "cpu_below") r.cpu_below = percent();
        else if (key == "gpu_util_below") r.gpu_when = true, r.gpu_util_below = percent();
        else if (key == "gpu_mem_free") r.gpu_when = true, r.gpu_mem_free_mib = size() / (1024 * 1024);
        else if (key == "gpu_device") {
            r.gpu_when = true;
            if (util::to_lower(value) != "any") r.gpu_device = whole(0, 1023);
        } else {
            throw util::UsageError::in(field, "unknown resource '" + key + "'", kRequireForms);
        }
    }
    return r;
}

int HostCapacity::idle_cpus() const {
    int busy = static_cast<int>(std::lround(load1));
    return std::max(0, cpus - busy);
}

std::vector<int> HostCapacity::free_gpus() const {
    std::vector<int> out;
    for (const auto& g : gpus)
        if (!g.busy) out.push_back(g.index);
    return out;
}

std::string gpu_list(const std::vector<int>& gpus) {
    std::string s;
    for (int g : gpus) s += (s.empty() ? "" : ",") + std::to_string(g);
    return s;
}

namespace {

// The GPUs `req` would get on `h` (empty when it does not fit), and whether it fits.
bool fits(const Requirement& req, const HostCapacity& h, std::vector<int>& gpus) {
    gpus.clear();
    if (!h.reached) return false;
    if (req.mem_bytes && h.mem_available < req.mem_bytes) return false;
    if (req.cpus && h.idle_cpus() < req.cpus) return false;
    if (req.cpu_below && (h.cpus <= 0 || h.load1 * 100.0 / h.cpus >= *req.cpu_below)) return false;
    if (req.gpus > 0 || req.gpu_when) {
        if (!h.gpus_known) return false;
        for (const auto& g : h.gpus) {
            if (req.gpus > 0 && g.busy) continue;
            if (req.gpu_when) {
                if (req.gpu_device && g.index != *req.gpu_device) continue;
                if (req.gpu_util_below && g.utilization_pct >= *req.gpu_util_below) continue;
                if (req.gpu_mem_free_mib && g.memory_total_mib - g.memory_used_mib < *req.gpu_mem_free_mib) continue;
            }
            gpus.push_back(g.index);
            if (static_cast<int>(gpus.size()) >= std::max(req.gpus, 1)) break;
        }
        if (static_cast<int>(gpus.size()) < std::max(req.gpus, 1)) return false;
    }
    return true;
}

// What `h` has of what `req` asks for, for the reason line: "1" (free GPUs
// alone, as in "cool30 1"), or "1 GPU, 12G, 3 CPUs".
std::string shortfall(const Requirement& req, const HostCapacity& h) {
    if (!h.reached) return "offline";
    std::vector<std::string> parts;
    bool only_gpus = req.gpus > 0 && !req.mem_bytes && !req.cpus && !req.cpu_below && !req.gpu_when;
    if (req.gpus > 0 || req.gpu_when) {
        if (!h.gpus_known) parts.push_back("no GPUs");
        else if (only_gpus) parts.push_back(std::to_string(h.free_gpus().size()));
        else parts.push_back(std::to_string(h.free_gpus().size()) + " free GPUs");
    }
    if (req.mem_bytes) parts.push_back(format_size(h.mem_available) + " free");
    if (req.cpus) parts.push_back(std::to_string(h.idle_cpus()) + " idle CPUs");
    if (req.cpu_below && h.cpus > 0) parts.push_back("CPU " + number_text(std::round(h.load1 * 100.0 / h.cpus)) + "%");
    if (parts.empty()) parts.push_back("busy");
    return util::join(parts, ", ");
}

}  // namespace

Placement place(const Requirement& req, std::vector<HostCapacity>& hosts, const std::string& where,
                const std::map<std::string, int>* siblings) {
    Placement best;
    using Score = std::tuple<int, double, double, int64_t>;
    Score best_score{};
    for (const auto& h : hosts) {
        std::vector<int> gpus;
        if (!fits(req, h, gpus)) continue;
        int spread = 0;
        if (siblings) {
            auto it = siblings->find(h.host);
            spread = it == siblings->end() ? 0 : -it->second;
        }
        double free_gpus = static_cast<double>(h.free_gpus().size());
        double spare_cpu = h.cpus - h.load1;  // not rounded: a job placed this round tips the balance
        Score score = req.gpus > 0 ? Score(spread, free_gpus, spare_cpu, h.mem_available)
                                   : Score(spread, spare_cpu, static_cast<double>(h.mem_available >> 30),
                                           static_cast<int64_t>(free_gpus));
        if (!best.placed || score > best_score) {
            best.placed = true;
            best.host = h.host;
            best.gpus = gpus;
            best_score = score;
        }
    }
    if (!best.placed) {
        std::vector<std::string> each;
        bool several = false;  // a host's state in several parts: hosts apart by ';'
        for (const auto& h : hosts) {
            each.push_back(h.host + " " + shortfall(req, h));
            several = several || each.back().find(", ") != std::string::npos;
        }
        std::string what = req.empty() ? "room" : req.describe();
        best.reason = "no host in " + where + " has " + what + ": " + util::join(each, several ? "; " : ", ");
        return best;
    }
    // Take what the job takes, for the rest of this round.
    for (auto& h : hosts) {
        if (h.host != best.host) continue;
        if (req.gpus > 0)
            for (auto& g : h.gpus)
                if (std::find(best.gpus.begin(), best.gpus.end(), g.index) != best.gpus.end()) g.busy = true;
        h.load1 += std::max(req.cpus, 1);
        h.mem_available -= req.mem_bytes;
        break;
    }
    return best;
}

}  // namespace engine
