// Placement: which host of a pool (or the one named host) a waiting job goes
// to, decided by the laptop from fresh probes of what each host has free.
// Pure functions over probe results, so they are tested without hosts; the
// engine's dispatch (engine/dispatch.cc) probes, places and starts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace engine {

// What a job needs from a host: `--require gpu:2,mem:32G,cpu:8` (`--gpus N`
// is gpu:N), and the conditions of a plan's `when:` block.
struct Requirement {
    int gpus = 0;             // free GPUs, given to it (CUDA_VISIBLE_DEVICES)
    int64_t mem_bytes = 0;    // free (available) memory
    int cpus = 0;             // idle CPUs (CPUs minus the 1-minute load)
    // when: (plans) conditions, not allocations
    std::optional<double> cpu_below;         // CPU use (load / CPUs) under this percentage
    bool gpu_when = false;                   // a GPU must meet the next three
    std::optional<int> gpu_device;           // that GPU (nullopt: any)
    std::optional<double> gpu_util_below;    // its utilisation under this percentage
    std::optional<int64_t> gpu_mem_free_mib; // at least this much of its memory free

    bool empty() const;
    // Canonical text, stored with the job and parsed back by parse():
    // "gpu:2,mem:32G,cpu:8,cpu_below:30,gpu_device:1,gpu_util_below:40,gpu_mem_free:12G".
    std::string text() const;
    // "2 free GPUs, 32G free memory" for messages.
    std::string describe() const;
    // Throws util::UsageError::in(field, ...) naming the bad part.
    static Requirement parse(const std::string& text, const std::string& field = "require");
};

// "32G", "512M", "1T", "1.5G", "2048" (MiB? no: bytes) -> bytes; nullopt when malformed.
std::optional<int64_t> parse_size(const std::string& text);
// 34359738368 -> "32G" (binary units, at most one decimal).
std::string format_size(int64_t bytes);

struct GpuCapacity {
    int index = 0;
    bool busy = false;  // a process, memory in use, or given by rj to a running job
    int utilization_pct = 0;
    int64_t memory_used_mib = 0, memory_total_mib = 0;
    std::string name;
};

// One host as the last probe saw it.
struct HostCapacity {
    std::string host;
    bool reached = false;
    std::string error;  // why not (offline, ...)
    int cpus = 0;
    double load1 = 0;
    int64_t mem_total = 0, mem_available = 0;
    bool gpus_known = false;  // nvidia-smi answered
    std::vector<GpuCapacity> gpus;

    int idle_cpus() const;
    std::vector<int> free_gpus() const;
};

struct Placement {
    bool placed = false;
    std::string host;
    std::vector<int> gpus;  // given to the job
    std::string reason;     // when not placed: one line naming every host's shortfall
};

// The host among `hosts` (in pool order; ties go to the first) that meets
// `req` with the most free capacity: most free GPUs first when GPUs are
// asked for, then idle CPUs, then free memory. On success what the job takes
// is taken from that host's entry, so the next call in the same round sees
// it gone (two jobs placed in one round never share a GPU). `where` names
// the pool in the reason ("gpu", or "host alpha").
// `siblings` (array tasks): how many tasks of the same array each host runs
// already; fewer comes first, so an array spreads over the pool.
Placement place(const Requirement& req, std::vector<HostCapacity>& hosts, const std::string& where,
                const std::map<std::string, int>* siblings = nullptr);

// "0,1" for CUDA_VISIBLE_DEVICES and the job's record.
std::string gpu_list(const std::vector<int>& gpus);

}  // namespace engine
