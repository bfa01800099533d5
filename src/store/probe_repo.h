// Probe history: one compact row per host and minute (load, memory and GPU
// use in permille), kept a week, so the interface draws sparklines that
// survive a restart and an offline host still shows how it was.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace store {

class Database;

struct ProbeSample {
    int64_t minute = 0;        // unix time / 60
    std::optional<int> load;   // permille of the CPUs busy (1-minute load / CPUs, capped at 1000)
    std::optional<int> mem;    // permille of memory in use
    std::optional<int> gpu;    // permille: mean GPU utilisation
};

class ProbeRepo {
public:
    explicit ProbeRepo(Database& db) : db_(db) {}
    // One row per host and minute: a later probe in the same minute replaces it.
    void record(const std::string& host, const ProbeSample& s);
    // Rows of `host` from `since_minute` on, oldest first.
    std::vector<ProbeSample> history(const std::string& host, int64_t since_minute);
    // Forgets rows older than `before_minute`; how many went.
    int prune(int64_t before_minute);

private:
    Database& db_;
};

// A week at one-minute resolution: 10080 rows a host at the most.
inline constexpr int64_t kProbeKeepMinutes = 7 * 24 * 60;

}  // namespace store
