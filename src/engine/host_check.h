// Reachability and round-trip time of hosts, all checked at once on the loop.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace engine {

struct HostCheck : Outcome {
    std::string host;
    bool reachable = false;
    double connect_ms = 0;  // TCP + SSH handshake + auth
    double rtt_ms = 0;      // one exec round trip on the open connection
};

// Calls `each` once per host as its answer arrives (any order).
void check_hosts(Engine& engine, const std::vector<std::string>& hosts, std::function<void(HostCheck)> each);

}  // namespace engine
