// Deferred operations: a kill, hold, release or move aimed at a host rj
// could not reach, kept until a sync reaches it (schema v8, deferred_ops).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace store {

class Database;

struct DeferredOp {
    int64_t id = 0;
    std::string host;
    int64_t job_id = 0;
    std::string op;   // kill | hold | release | move
    std::string arg;  // move: the new host
    int64_t created_at = 0;
    std::string state = "waiting";  // waiting | done | failed | cancelled
    std::optional<int64_t> done_at;
    std::string message;  // what happened when it was carried out
};

class DeferredRepo {
public:
    explicit DeferredRepo(Database& db) : db_(db) {}
    // Records it unless the same op on the same job already waits; its id.
    int64_t add(const std::string& host, int64_t job_id, const std::string& op, const std::string& arg = "");
    std::vector<DeferredOp> waiting();                              // oldest first
    std::vector<DeferredOp> waiting_on(const std::string& host);    // oldest first
    std::vector<DeferredOp> waiting_for_job(int64_t job_id);
    std::vector<std::string> hosts_waiting();
    // Only a waiting op changes; false when it was not waiting any more
    // (carried out or cancelled by another rj).
    bool finish(int64_t id, const std::string& state, const std::string& message);
    std::optional<DeferredOp> get(int64_t id);

private:
    std::vector<DeferredOp> query(const std::string& where, const std::string& arg, bool has_arg);
    Database& db_;
};

}  // namespace store
