// Reading and writing per-host sync state.
#pragma once

#include <string>
#include <vector>

#include "store/host_state.h"

namespace store {

class Database;

class HostRepo {
public:
    explicit HostRepo(Database& db) : db_(db) {}

    // The stored state, or a fresh one carrying only the name.
    HostState get(const std::string& name);
    // Inserts or replaces the host's row.
    void put(const HostState& host);
    // Every stored host, by name.
    std::vector<HostState> all();
    void remove(const std::string& name);

private:
    Database& db_;
};

}  // namespace store
