// What rj remembers about each host between syncs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace store {

struct HostState {
    std::string name;
    int64_t journal_offset = 0;  // bytes of the host's event journal already applied
    std::optional<int64_t> last_seen, offline_since;  // unix seconds
    std::string last_error;
    std::string info;  // last host-info text (CPU, memory, GPUs)

    bool operator==(const HostState&) const = default;
};

}  // namespace store
